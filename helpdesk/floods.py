"""Flood control for everything one customer has open.

Each socket has its own frame budget (chatsocket.ConversationSocket.limiter), but one chat
cookie can open many sockets: all of a customer's sockets share a second budget,
CHAT_CUSTOMER_RATE_LIMIT frames in any CHAT_RATE_WINDOW seconds, and at most
CHAT_CUSTOMER_MAX_SOCKETS of them may be open at once. Cookies are cheap to mint, so all the
customer sockets from one address (an IPv6 /64) share a third, looser one:
CHAT_ADDRESS_RATE_LIMIT frames and CHAT_ADDRESS_MAX_SOCKETS sockets.

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
    key: str
    limiter: RateLimiter
    max_sockets: int
    sockets: int = 0


# One event loop per process runs every consumer, so the registry needs no lock.
_budgets: dict[str, Budget] = {}


def customer_subjects(customer_id: int, address: str) -> list[tuple[str, int, int]]:
    """Who a customer's socket counts against: (key, frames per window, sockets at once) for
    the customer and for their address (cookies are cheap to mint: an address holding many
    customers' sockets is capped too, loosely, as many people may share one)."""
    return [
        (
            f"customer:{customer_id}",
            settings.CHAT_CUSTOMER_RATE_LIMIT,
            settings.CHAT_CUSTOMER_MAX_SOCKETS,
        ),
        (
            f"address:{network_of(address)}",
            settings.CHAT_ADDRESS_RATE_LIMIT,
            settings.CHAT_ADDRESS_MAX_SOCKETS,
        ),
    ]


def budgets_join(subjects: list[tuple[str, int, int]]) -> list[Budget] | None:
    """One more socket on each subject's shared budget; None (and nothing joined) if any of
    them has all the sockets it may."""
    budgets = [_budget(key, limit, max_sockets) for key, limit, max_sockets in subjects]
    if any(budget.sockets >= budget.max_sockets for budget in budgets):
        budgets_leave(budgets, joined=False)
        return None
    for budget in budgets:
        budget.sockets += 1
    return budgets


def budgets_allow(budgets: list[Budget]) -> bool:
    """One more frame, if every budget has room for it."""
    return all(budget.limiter.allow() for budget in budgets)


def budgets_leave(budgets: list[Budget], *, joined: bool = True) -> None:
    """A socket closed; the last one out forgets the subject (the window is seconds long)."""
    for budget in budgets:
        budget.sockets -= 1 if joined else 0
        if budget.sockets <= 0 and _budgets.get(budget.key) is budget:
            del _budgets[budget.key]


def open_sockets(key: str) -> int:
    budget = _budgets.get(key)
    return budget.sockets if budget else 0


def _budget(key: str, limit: int, max_sockets: int) -> Budget:
    budget = _budgets.get(key)
    if budget is None:
        limiter = RateLimiter(limit=limit, window=settings.CHAT_RATE_WINDOW)
        budget = _budgets[key] = Budget(key, limiter, max_sockets)
    return budget


# -- new chats per address --------------------------------------------------------------------------


def chat_start_refused(meta: Mapping[str, Any]) -> int:
    """Count a new chat from this request's address; seconds until another may start, 0 when
    this one may. CHAT_START_LIMIT chats per CHAT_START_WINDOW seconds per address (an IPv6
    /64 counts as one: anyone holding one has billions of addresses in it), in a window that
    starts with the first. Counted in Django's cache (add and incr are atomic there): shared
    between processes when the cache is."""
    key = "chatstart:" + network_of(str(meta.get("REMOTE_ADDR") or ""))
    window = settings.CHAT_START_WINDOW
    now = time.time()
    cache.add(key + ":since", now, timeout=window)
    cache.add(key, 0, timeout=window)
    try:
        started = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        started = 1
    if started <= settings.CHAT_START_LIMIT:
        return 0
    since = cache.get(key + ":since", now)
    return max(1, math.ceil(since + window - now))


def network_of(address: str) -> str:
    """What counts as one address: an IPv4 address (also written IPv4-mapped), or an IPv6 /64."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
