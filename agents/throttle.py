"""Sign-in throttling: failed sign-ins counted per username at one address, per address, and
per username from everywhere.

Counts live in Django's cache (per process unless a shared cache is configured, like the API's
message limit). Within LOGIN_LOCKOUT_SECONDS:
- LOGIN_FAILURE_LIMIT failures lock that username at that address: an attacker guessing an
  agent's password from their own address never locks the agent out at theirs;
- one address may fail ADDRESS_FACTOR times as often (an office behind one address signs in as
  many people), so spraying passwords over many usernames from one address is stopped too;
- a username may fail twice that from all addresses together, so guessing from many addresses
  is stopped as well (and takes more than one address to lock anyone out).
A success clears the username's counts but never the address's: signing in to one's own account
must not buy more guesses at someone else's.

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


def success_record(*, username: str, address: str = "") -> None:
    """A successful sign-in starts the username's counts again (not the address's)."""
    subjects = [_username_subject(username), _username_subject(username, address)]
    cache.delete_many(
        [_key(kind, subject) for subject in subjects for kind in ("failures", "locked")]
    )


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
        subjects.append((_username_subject(username, address), limit))
        subjects.append((_username_subject(username), limit * ADDRESS_FACTOR * 2))
    if address:
        subjects.append((f"address:{address}", limit * ADDRESS_FACTOR))
    return subjects


def _username_subject(username: str, address: str = "") -> str:
    # Case and surrounding spaces do not make a new username to guess at.
    name = "user:" + username.strip().casefold()
    return f"{name}@{address}" if address else name


def _key(kind: str, subject: str) -> str:
    # Hashed: a username may hold characters or a length that some cache backends refuse.
    return f"{PREFIX}:{kind}:{hashlib.sha256(subject.encode()).hexdigest()}"
