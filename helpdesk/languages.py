"""Which language a page speaks.

The customer's chat speaks the customer's language: before a conversation exists, the one the
browser asks for (Accept-Language, through Django's LocaleMiddleware); once it exists, the
conversation's (helpdesk.views renders it under `translation.override`, and a change mid-chat
reaches the open page over its socket). Agents' and supervisors' pages stay in LANGUAGE_CODE:
they are written in English only, and Django's own catalogues would otherwise turn half of the
admin into the browser's language.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# Where the customer's pages live: the chat page, and the same chat in the widget's frame.
CUSTOMER_PATHS = ("/chat/", "/widget/")


def is_customer_page(request: HttpRequest) -> bool:
    return request.path_info.startswith(CUSTOMER_PATHS)


class CustomerLocaleMiddleware(LocaleMiddleware):
    """LocaleMiddleware on the customer's pages; LANGUAGE_CODE everywhere else."""

    def process_request(self, request: HttpRequest) -> None:
        if is_customer_page(request):
            super().process_request(request)
            return
        # Activated, not left alone: under WSGI a thread keeps the language its last request
        # activated, and an agent's page must not come out in a customer's Spanish.
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if is_customer_page(request):
            return super().process_response(request, response)
        return response
