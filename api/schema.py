"""OpenAPI details drf-spectacular cannot infer: the chat token scheme, and the error shape on
every operation (so that clients, and schemathesis, know what a 4xx body looks like)."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

from api.permissions import IsAgentOrConversationCustomer
from api.serializers import ErrorSerializer

ERRORS = {
    "400": "Invalid input: error.fields says what is wrong with each field.",
    "401": "Not signed in, or the credentials are invalid.",
    "403": "Signed in, but this role may not do this.",
    "404": "No such object (or page).",
    "409": "Refused by the conversation's state (not_joined, closed, not_scheduled, ...).",
    "415": "The body is not JSON (Content-Type: application/json).",
    "429": "Too many messages at once: wait for Retry-After seconds.",
}


class ChatTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ChatTokenAuthentication"
    name = "chatToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Customers: 'Chat <token>', the token /chat/ or "
            "POST /api/conversations/ gave them. It reaches that one conversation only.",
        }


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                error = OpenApiResponse(response=ErrorSerializer, description=ERRORS[code])
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses

    def _error_codes(self) -> list[str]:
        declared: list[str] | None = getattr(self.view, "error_codes", None)
        if declared is not None:
            return declared
        codes = ["400", "401", "403", "404"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["409", "415"]
        if self.method == "POST" and self.view.throttle_classes:
            codes.append("429")
        elif self.method == "DELETE":
            codes.append("409")
        return codes

    def get_auth(self) -> list[dict[str, list[Any]]]:
        """The chat token only where a customer may come in."""
        auth: list[dict[str, list[Any]]] = super().get_auth()
        if any(isinstance(p, IsAgentOrConversationCustomer) for p in self.view.get_permissions()):
            return auth
        return [scheme for scheme in auth if "chatToken" not in scheme]
