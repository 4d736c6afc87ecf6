"""The embedded stand-in for Celery beat.

Without Redis there is no beat process, so the ASGI server runs a small thread that calls
the same Celery tasks, at the same intervals, from settings.CELERY_BEAT_SCHEDULE.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class Ticker:
    def __init__(
        self, schedule: dict[str, dict[str, Any]], *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        from helpdesk.celery import app

        # Celery imports tasks modules lazily, when a worker starts: do what the worker does.
        app.loader.import_default_modules()
        self._clock = clock
        self._entries = {name: float(entry["schedule"]) for name, entry in schedule.items()}
        self._tasks = {name: entry["task"] for name, entry in schedule.items()}
        start = clock()
        self._next_due = {name: start for name in schedule}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self) -> list[str]:
        """Run every entry whose time has come; return the names that ran."""
        ran = []
        now = self._clock()
        for name, interval in self._entries.items():
            if now < self._next_due[name]:
                continue
            self._next_due[name] = now + interval
            self._run(name)
            ran.append(name)
        return ran

    def _run(self, name: str) -> None:
        from helpdesk.celery import app

        try:
            app.tasks[self._tasks[name]].apply(throw=True)
        except Exception:
            logger.exception("Periodic task %s failed", name)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="helpdesk-ticker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            self.run_due()
            # A long-lived thread must not hold a connection the database has dropped.
            close_old_connections()


class LifespanTicker:
    """ASGI wrapper: answers lifespan events and runs the ticker between them when enabled."""

    def __init__(
        self,
        app: Any,
        *,
        warm_up: Callable[[], None] | None = None,
        on_loop: Callable[[], None] | None = None,
        on_shutdown: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.ticker: Ticker | None = None
        self.warm_up = warm_up
        self.on_loop = on_loop  # called on the server's event loop at start-up
        self.on_shutdown = on_shutdown  # called (in a thread) when the server stops

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Everything loaded at start-up lives as long as the process: moved out of the
                # garbage collector's view, its full collections stop pausing every socket for
                # 100-200 ms (measured by benchmarks/fanout.py).
                gc.freeze()
                if self.on_loop is not None:
                    self.on_loop()
                if self.warm_up is not None:
                    # Off the event loop: the server answers at once, the first customer finds
                    # the assistant's models loaded rather than waiting for them.
                    threading.Thread(target=self.warm_up, name="warm-up", daemon=True).start()
                if settings.HELPDESK_TICKER:
                    self.ticker = Ticker(settings.CELERY_BEAT_SCHEDULE)
                    self.ticker.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.ticker is not None:
                    self.ticker.stop()
                if self.on_shutdown is not None:
                    await asyncio.to_thread(self.on_shutdown)
                await send({"type": "lifespan.shutdown.complete"})
                return
