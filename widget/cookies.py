"""The widget's chat cookie: set from a frame inside another site's page.

A frame on another site gets no SameSite=Lax cookie, so the widget's is SameSite=None, which
browsers take only with Secure (http://localhost and 127.0.0.1 count as secure), and
Partitioned (CHIPS): kept apart per top-level site, it is the one kind of cookie a browser that
blocks third-party cookies still keeps in a frame. It is a cookie of its own, hd_widget, so a
site that is the same site as the helpdesk (www.example.com, help.example.com) never sends two
cookies of one name. Django 5.2 and Python 3.11 know no Partitioned attribute: the Morsel below
adds it.
"""

from __future__ import annotations

from collections.abc import Container
from http.cookies import Morsel

from django.conf import settings
from django.http import HttpResponse

from helpdesk.chattoken import WIDGET_COOKIE, make_chat_token
from helpdesk.models import Conversation


class _PartitionedMorsel(Morsel[str]):
    def OutputString(self, attrs: Container[str] | None = None) -> str:
        return super().OutputString(attrs) + "; Partitioned"


def widget_cookie_set(response: HttpResponse, conversation: Conversation) -> HttpResponse:
    token = make_chat_token(
        customer_id=conversation.customer_id,
        conversation=str(conversation.public_id),
        proven=conversation.identity_verified,
    )
    response.set_cookie(
        WIDGET_COOKIE,
        token,
        max_age=settings.CHAT_TOKEN_MAX_AGE,
        httponly=True,
        samesite="None",
        secure=True,
    )
    plain = response.cookies[WIDGET_COOKIE]
    partitioned = _PartitionedMorsel()
    partitioned.set(plain.key, plain.value, plain.coded_value)
    partitioned.update(plain)
    response.cookies[WIDGET_COOKIE] = partitioned
    return response
