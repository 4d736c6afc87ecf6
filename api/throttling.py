"""The websocket's flood control, for messages posted through the API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from api.authentication import ChatCustomer


class MessageRateThrottle(SimpleRateThrottle):
    """At most CHAT_RATE_LIMIT messages in any CHAT_RATE_WINDOW seconds per customer (or agent),
    as on one websocket connection. Counted in Django's cache, so per process unless a shared
    cache is configured."""

    scope = "messages"

    def get_rate(self) -> str:
        return "chat"  # parse_rate reads the chat settings instead of a rate string

    def parse_rate(self, rate: Any) -> tuple[int, int]:
        return settings.CHAT_RATE_LIMIT, max(1, round(settings.CHAT_RATE_WINDOW))

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.method != "POST":
            return None  # reading is not limited
        user: Any = request.user
        ident = f"customer-{user.customer_id}" if isinstance(user, ChatCustomer) else user.pk
        return self.cache_format % {"scope": self.scope, "ident": ident}
