"""Flood control for everything one customer has open.

Each socket has its own frame budget (chatsocket.ConversationSocket.limiter), but one chat
cookie can open many sockets: all of a customer's sockets share a second budget,
CHAT_CUSTOMER_RATE_LIMIT frames in any CHAT_RATE_WINDOW seconds, and at most
CHAT_CUSTOMER_MAX_SOCKETS of them may be open at once.

Kept in this process's memory: counting costs nothing on the message path (no round trip per
frame). Each web process enforces it for the sockets it holds, so with N processes behind a
balancer that spreads one customer's sockets, they get at most N times the budget; the socket
cap bounds that too.

New chats are limited per address too (chat_start_refused): each one is a row, a welcome and
an assistant turn.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from helpdesk.chatprotocol import RateLimiter


@dataclass
class Budget:
    limiter: RateLimiter
    sockets: int = 0


# One event loop per process runs every consumer, so the registry needs no lock.
_budgets: dict[str, Budget] = {}


def budget_join(person: str) -> Budget | None:
    """This person's shared budget with one more socket on it; None if they have too many."""
    budget = _budgets.get(person)
    if budget is None:
        limiter = RateLimiter(
            limit=settings.CHAT_CUSTOMER_RATE_LIMIT, window=settings.CHAT_RATE_WINDOW
        )
        budget = _budgets[person] = Budget(limiter)
    if budget.sockets >= settings.CHAT_CUSTOMER_MAX_SOCKETS:
        return None
    budget.sockets += 1
    return budget


def budget_leave(person: str) -> None:
    """A socket closed; the last one out forgets the person (the window is seconds long)."""
    budget = _budgets.get(person)
    if budget is None:
        return
    budget.sockets -= 1
    if budget.sockets <= 0:
        del _budgets[person]


def open_sockets(person: str) -> int:
    budget = _budgets.get(person)
    return budget.sockets if budget else 0


# -- new chats per address --------------------------------------------------------------------------


def chat_start_refused(meta: Mapping[str, Any]) -> int:
    """Count a new chat from this request's address; seconds until another may start, 0 when
    this one may. CHAT_START_LIMIT chats per CHAT_START_WINDOW seconds per address (an IPv6
    /64 counts as one: anyone holding one has billions of addresses in it). Counted in
    Django's cache: shared between processes when the cache is."""
    key = "chatstart:" + _network(str(meta.get("REMOTE_ADDR") or ""))
    window = settings.CHAT_START_WINDOW
    now = time.time()
    started = cache.get(key)
    if started is None or now - started[0] >= window:
        started = (now, 0)
    if started[1] >= settings.CHAT_START_LIMIT:
        return max(1, math.ceil(started[0] + window - now))
    cache.set(key, (started[0], started[1] + 1), timeout=math.ceil(started[0] + window - now))
    return 0


def _network(address: str) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
