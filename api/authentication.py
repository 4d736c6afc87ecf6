"""Customers authenticate with the chat token their browser was given: `Authorization: Chat <token>`.

Agents and supervisors use DRF's token (`Authorization: Token <key>`) or their session.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from helpdesk.chattoken import ChatToken, read_chat_token

KEYWORD = "Chat"


class ChatCustomer:
    """The customer behind a chat token: request.user for a customer's request. The token
    names one customer and one conversation; they may reach nothing else."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_active = True
    pk = None

    def __init__(self, token: ChatToken) -> None:
        self.customer_id = token.customer_id
        self.conversation = token.conversation  # the public id, as a string

    def __str__(self) -> str:
        return f"customer {self.customer_id}"


class ChatTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None  # someone else's scheme (or none): the next authenticator decides
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send 'Authorization: Chat <token>'.")
        token = read_chat_token(parts[1].decode("latin-1"))
        if token is None:
            raise exceptions.AuthenticationFailed("The chat token is invalid or has expired.")
        return ChatCustomer(token), token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
