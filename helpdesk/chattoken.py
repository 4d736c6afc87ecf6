"""The signed token that ties a browser to one customer and one conversation."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "helpdesk.chat.token"
CHAT_COOKIE = "hd_chat"
WIDGET_COOKIE = "hd_widget"  # the same token, for a chat in the widget on another site (widget/)


@dataclass(frozen=True)
class ChatToken:
    customer_id: int
    conversation: str  # the conversation's public id, as a string
    proven: bool = False  # this browser typed back the code mailed to the customer's email


def make_chat_token(*, customer_id: int, conversation: str, proven: bool = False) -> str:
    data = {"c": customer_id, "p": str(conversation), **({"v": 1} if proven else {})}
    return signing.dumps(data, salt=SALT, compress=True)


def read_chat_token(token: str) -> ChatToken | None:
    """The token's contents, or None when it is forged, expired or malformed."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.CHAT_TOKEN_MAX_AGE)
        return ChatToken(
            customer_id=int(data["c"]), conversation=str(data["p"]), proven=data.get("v") == 1
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def read_cookie_token(cookies: dict[str, str]) -> str:
    """The chat token from the browser's cookie. The token is itself signed (and expires), so the
    cookie needs no second signature: read_chat_token rejects anything forged or stale."""
    return cookies.get(CHAT_COOKIE, "")


def cookie_tokens(cookies: dict[str, str]) -> list[str]:
    """Both chat cookies' tokens, the chat page's first: a browser may hold a chat of each kind
    (the socket takes the one that names its conversation)."""
    return [cookies.get(CHAT_COOKIE, ""), cookies.get(WIDGET_COOKIE, "")]
