"""The chat websocket protocol: frame validation and flood control, shared by both sides.

Pure code, no I/O. Client frames are JSON objects with a "type":
    {"type": "message", "body": "...", "client_id": "..."}   store a message (idempotent on client_id)
    {"type": "sync", "after": 12}                              send every message with seq > 12
    {"type": "typing", "active": true}                         tell the other side
    {"type": "ping"}                                           keep-alive, answered with "pong"
    {"type": "action", "seq": 7, "choice": "callback", "client_id": "...", "contact": "..."}
        a button under assistant message 7 (contact: a phone or email typed beside it; optional)
Anything else is answered with {"type": "error", "code": ..., "message": ...} and the socket
stays open.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop

CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")

# frame type -> {field: expected python type}; every field listed is required.
FRAME_FIELDS: dict[str, dict[str, type]] = {
    "message": {"body": str, "client_id": str},
    "sync": {"after": int},
    "typing": {"active": bool},
    "ping": {},
    "action": {"seq": int, "choice": str, "client_id": str},
}
# Fields a frame may leave out.
FRAME_OPTIONAL: dict[str, dict[str, type]] = {"action": {"contact": str}}
MAX_CHOICE_LENGTH = 100
MAX_CONTACT_LENGTH = 254


class FrameError(Exception):
    def __init__(self, code: str, message: str, *, client_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_id = client_id

    def as_frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "error", "code": self.code, "message": self.message}
        if self.client_id:
            frame["client_id"] = self.client_id
        return frame


@dataclass(frozen=True)
class Frame:
    type: str
    fields: dict[str, Any] = field(default_factory=dict)


def parse_frame(text: str, *, max_bytes: int) -> Frame:
    """Validate one client frame or raise FrameError saying exactly what is wrong."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise FrameError(
            "too_large",
            f"Frame is {size} bytes; the limit is {max_bytes} bytes. Nothing was stored.",
            client_id=_client_id_of(text),
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the decoder's
        raise FrameError("malformed", "Frame is not valid JSON.") from None
    if not isinstance(data, dict):
        raise FrameError("malformed", "Frame must be a JSON object.")
    frame_type = data.pop("type", None)
    if not isinstance(frame_type, str) or frame_type not in FRAME_FIELDS:  # a list: unhashable
        raise FrameError("unknown_type", f"Unknown frame type {str(frame_type)[:40]!r}.")
    client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else None
    _check_fields(frame_type, data, client_id)
    if frame_type == "message":
        data["body"] = _clean_body(data["body"], client_id)
        if not CLIENT_ID_PATTERN.match(data["client_id"]):
            raise FrameError(
                "invalid_field", "client_id must be 1-64 letters, digits or '_.:-'.", client_id=None
            )
    if frame_type == "sync" and data["after"] < 0:
        raise FrameError("invalid_field", "after must be zero or more.")
    if frame_type == "action":
        _check_action(data, client_id)
    return Frame(frame_type, data)


def _check_action(data: dict[str, Any], client_id: str | None) -> None:
    if not CLIENT_ID_PATTERN.match(data["client_id"]):
        raise FrameError("invalid_field", "client_id must be 1-64 letters, digits or '_.:-'.")
    if not 0 < len(data["choice"]) <= MAX_CHOICE_LENGTH or not data["choice"].isprintable():
        raise FrameError(
            "invalid_field", "choice is empty, too long or not printable.", client_id=client_id
        )
    if "contact" in data:
        # A phone number, an address or a survey comment: kept, without the characters no
        # database or socket can carry (NUL, control characters, unpaired surrogates).
        data["contact"] = _printable(data["contact"])
    if len(data.get("contact", "")) > MAX_CONTACT_LENGTH:
        raise FrameError("invalid_field", "contact is too long.", client_id=client_id)


def _client_id_of(text: str) -> str | None:
    """The client id of an oversize frame, so the page can mark which message was refused."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    client_id = data.get("client_id") if isinstance(data, dict) else None
    return client_id if isinstance(client_id, str) and CLIENT_ID_PATTERN.match(client_id) else None


def _check_fields(frame_type: str, data: dict[str, Any], client_id: str | None) -> None:
    expected = FRAME_FIELDS[frame_type]
    optional = FRAME_OPTIONAL.get(frame_type, {})
    unknown = sorted(set(data) - set(expected) - set(optional))
    if unknown:
        raise FrameError(
            "unknown_field",
            f"Unknown field(s) for {frame_type}: {', '.join(unknown)}.",
            client_id=client_id,
        )
    for name, kind in expected.items():
        value = data.get(name)
        # bool is a subclass of int: a sync with "after": true is still wrong.
        if (
            value is None
            or not isinstance(value, kind)
            or (kind is int and isinstance(value, bool))
        ):
            raise FrameError(
                "invalid_field",
                f"{frame_type} needs {name!r} as {kind.__name__}.",
                client_id=client_id,
            )
    for name, kind in optional.items():
        if name in data and not isinstance(data[name], kind):
            raise FrameError(
                "invalid_field", f"{name!r} must be {kind.__name__}.", client_id=client_id
            )


def _printable(text: str) -> str:
    """The text without control characters and unpaired surrogates (which are not printable),
    the customer's own line breaks and tabs kept."""
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


def _clean_body(body: str, client_id: str | None) -> str:
    # Keep the customer's own line breaks but drop control characters that break rendering.
    cleaned = _printable(body)
    if not cleaned:
        raise FrameError("empty", gettext_noop("Message is empty."), client_id=client_id)
    return cleaned


class RateLimiter:
    """At most `limit` events in any sliding window of `window` seconds (per connection)."""

    def __init__(
        self, *, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._times: deque[float] = deque()

    def allow(self) -> bool:
        now = self._clock()
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        if len(self._times) >= self.limit:
            return False
        self._times.append(now)
        return True
