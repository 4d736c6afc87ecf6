"""Sign-in throttling: failed sign-ins counted per username and per client address.

Counts live in Django's cache (per process unless a shared cache is configured, like the API's
message limit). LOGIN_FAILURE_LIMIT failures within LOGIN_LOCKOUT_SECONDS lock the username for
LOGIN_LOCKOUT_SECONDS; one address may fail ADDRESS_FACTOR times as often (an office behind one
address signs in as many people), so an attacker spraying passwords over many usernames from one
address is stopped too. A success clears the username's count but never the address's: signing
in to one's own account must not buy more guesses at someone else's.

Pure functions over the cache: the sign-in forms (agents.forms) call them.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache

ADDRESS_FACTOR = 4
PREFIX = "signin"


def refused_for(*, username: str, address: str) -> int:
    """Seconds until this username, or anyone at this address, may try again; 0: they may."""
    now = time.time()
    until = cache.get_many([_key("locked", subject) for subject, _ in _subjects(username, address)])
    return max((math.ceil(moment - now) for moment in until.values() if moment > now), default=0)


def failure_record(*, username: str, address: str) -> None:
    """One more failed sign-in; at the limit, the username or the address is locked."""
    window = settings.LOGIN_LOCKOUT_SECONDS
    for subject, limit in _subjects(username, address):
        counter = _key("failures", subject)
        cache.add(counter, 0, timeout=window)  # the window starts at the first failure
        try:
            failures = cache.incr(counter)
        except ValueError:  # expired between add and incr
            cache.set(counter, 1, timeout=window)
            failures = 1
        if failures >= limit:
            cache.set(_key("locked", subject), time.time() + window, timeout=window)
            cache.delete(counter)  # after the lockout, a fresh set of attempts


def success_record(*, username: str) -> None:
    """A successful sign-in starts the username's count again (not the address's)."""
    subject = _username_subject(username)
    cache.delete_many([_key("failures", subject), _key("locked", subject)])


def address_of(meta: Mapping[str, Any]) -> str:
    """The peer's address from a request's META. Not X-Forwarded-For: anyone can write that
    header, and a new value per attempt would be a new address to count."""
    return str(meta.get("REMOTE_ADDR") or "")


def refusal_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed sign-ins; try again in {minutes} {unit}."


def _subjects(username: str, address: str) -> list[tuple[str, int]]:
    limit = settings.LOGIN_FAILURE_LIMIT
    subjects = []
    if username:
        subjects.append((_username_subject(username), limit))
    if address:
        subjects.append((f"address:{address}", limit * ADDRESS_FACTOR))
    return subjects


def _username_subject(username: str) -> str:
    # Case and surrounding spaces do not make a new username to guess at.
    return "user:" + username.strip().casefold()


def _key(kind: str, subject: str) -> str:
    # Hashed: a username may hold characters or a length that some cache backends refuse.
    return f"{PREFIX}:{kind}:{hashlib.sha256(subject.encode()).hexdigest()}"
