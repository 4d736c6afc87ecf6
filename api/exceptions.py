"""One error shape for the whole API: {"error": {"code", "message", "fields"?}}.

The codes are stable strings a client can branch on; "fields" maps a field to what is wrong with
it. Refusals from the domain services (helpdesk.services.ChatError) keep their own codes
(not_joined, closed, over_capacity, ...), as the websocket reports them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.services import ChatError

CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ValidationError, "invalid"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "forbidden"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.ParseError, "malformed"),
    (exceptions.Throttled, "rate_limited"),
]
CHAT_ERROR_STATUS = {"forbidden": status.HTTP_403_FORBIDDEN, "not_found": status.HTTP_404_NOT_FOUND}


def error_body(code: str, message: str, fields: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ChatError):
        # Anything else a service refuses is a conflict with the conversation's state.
        code = CHAT_ERROR_STATUS.get(exc.code, status.HTTP_409_CONFLICT)
        return Response(error_body(exc.code, exc.message), status=code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)  # sets WWW-Authenticate, Allow, Retry-After
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # a bug: Django's 500
    response.data = _shape(exc)
    return response


def _shape(exc: exceptions.APIException) -> dict[str, Any]:
    code = next((code for kind, code in CODES if isinstance(exc, kind)), "error")
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(exc.detail, dict):
            return error_body(code, "Some fields are not valid.", exc.detail)
        messages = exc.detail if isinstance(exc.detail, list) else [exc.detail]
        return error_body(code, " ".join(str(message) for message in messages))
    return error_body(code, str(exc.detail))
