"""What supervisors configure, read once per process and again only after it changed.

Policies, boundaries, routing rules, teams, texts and the served training run are read on every
customer message but change a few times a day. Each process keeps its own copy of what a cached
reader returned, tagged with its area's *generation*: a random token kept in the "config" cache
(Redis with REDIS_URL or CACHE_URL, files beside the SQLite database in the embedded default),
so that every process of a deployment, web or worker, sees a change. Reading a generation is one
cache GET, never a database query.

A change bumps its area's generation when it commits: post_save and post_delete of the watched
models, or `Area.changed()` from a service that writes with queryset.update(). It bumps at once
too, so the writing process (and a test's transaction, which never commits) reads its own
change; another process that re-read in between reloads again after the commit. Readers take
the generation *before* the rows, so a copy is never tagged newer than the data it holds.

Within one unit of work (a conversation's owed turns, a routing decision, a wait update, a
stored message: `one_reading()`), each area's generation is read once, at its first use: the
unit sees one version of the configuration, at least as new as when the unit began, for one
cache GET per area instead of one per read.

Copies also expire after CONFIG_CACHE_SECONDS: a safety net for writes no signal sees (raw SQL,
a bulk update in a script), never the way a change is normally picked up. A cache that cannot
be reached costs queries, never an error: the readers then go to the database every time.

Cached values are shared by every thread of the process: treat them as read-only.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

T = TypeVar("T")
Reader = Callable[..., T]

_areas: dict[str, Area] = {}
_lock = threading.Lock()
# (area, reader, arguments) -> (generation, expires at on the monotonic clock, value)
_copies: dict[tuple[str, str, tuple[Hashable, ...]], tuple[str, float, Any]] = {}
# area -> generation, for the unit of work under way (one_reading); None outside one.
_unit_generations: ContextVar[dict[str, str] | None] = ContextVar("unit_generations", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    """Read each area's generation once in the block (nested blocks share the outer one).
    For units that end within seconds: a change another process makes meanwhile is seen by
    the next unit, not by this one (this process's own changes are seen at once). A long loop
    (a sweep, a pass over the queue) is not one unit: each item it handles is."""
    if _unit_generations.get() is not None:
        yield
        return
    reset = _unit_generations.set({})
    try:
        yield
    finally:
        _unit_generations.reset(reset)


class Area:
    """One group of settings that change together, with its generation."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = f"config-generation:{name}"

    def generation(self) -> str | None:
        """The current token; None when the cache cannot be reached (then nothing is kept)."""
        unit = _unit_generations.get()
        if unit is not None and self.name in unit:
            return unit[self.name]
        token = self._shared_generation()
        if unit is not None and token is not None:
            unit[self.name] = token
        return token

    def _shared_generation(self) -> str | None:
        try:
            store = caches[settings.CONFIG_CACHE_ALIAS]
            token = store.get(self.key)
            if token is None:
                # Never bumped, or the cache was emptied (a Redis restart): agree on one token,
                # so each process reloads once and then shares it.
                fresh = uuid.uuid4().hex
                token = fresh if store.add(self.key, fresh, timeout=None) else store.get(self.key)
            return token
        except Exception:
            logger.warning(
                "Configuration cache unreachable: reading %s from the database", self.name
            )
            return None

    def changed(self) -> None:
        """Call after writing this area's rows without a model signal (queryset.update())."""
        self._bump()
        if connection.in_atomic_block:
            transaction.on_commit(self._bump, robust=True)

    def cached(self, reader: Reader[T]) -> Reader[T]:
        """Keep `reader`'s result (per hashable positional arguments) until the area changes."""
        name = f"{reader.__module__}.{reader.__qualname__}"

        @wraps(reader)
        def read(*args: Hashable) -> T:
            token = self.generation()
            slot = (self.name, name, args)
            copy = _copies.get(slot)
            now = time.monotonic()
            if token is not None and copy is not None and copy[0] == token and now < copy[1]:
                return copy[2]
            value = reader(*args)
            if token is not None:
                with _lock:
                    _copies[slot] = (token, now + settings.CONFIG_CACHE_SECONDS, value)
            return value

        return read

    def watch(self, *models: type[Model]) -> None:
        """A saved or deleted row of any of `models` changes this area (for a many-to-many
        field, pass its `through` model: add(), remove() and set() send only m2m_changed)."""
        for model in models:
            uid = f"configcache:{self.name}:{model._meta.label}"
            for signal in (post_save, post_delete, m2m_changed):
                signal.connect(self._row_changed, sender=model, dispatch_uid=uid, weak=False)

    def forget(self) -> None:
        """Drop this process's copies of the area (the next read goes to the database)."""
        with _lock:
            for slot in [slot for slot in _copies if slot[0] == self.name]:
                del _copies[slot]

    def _row_changed(self, sender: type[Model], **kwargs: Any) -> None:
        self.changed()

    def _bump(self) -> None:
        self.forget()  # even if the cache cannot be reached, this process reads the change
        token = uuid.uuid4().hex
        unit = _unit_generations.get()
        if unit is not None:
            unit[self.name] = token  # the rest of the unit reads the change too
        try:
            caches[settings.CONFIG_CACHE_ALIAS].set(self.key, token, timeout=None)
        except Exception:
            logger.warning("Configuration cache unreachable: %s changed, not announced", self.name)


def area(name: str) -> Area:
    """The area called `name` (one object per name, whoever asks first)."""
    with _lock:
        return _areas.setdefault(name, Area(name))


def changed_everywhere(**kwargs: Any) -> None:
    """Every area changed: after migrate or flush (a test's teardown), which no row signal sees."""
    for each in list(_areas.values()):
        each.changed()


def forget_all() -> None:
    """Drop every copy this process keeps (tests: a rolled-back transaction sends no signal)."""
    with _lock:
        _copies.clear()
