"""A forked child never uses its parent's database pool.

Celery's prefork workers (and any server that forks after start-up) inherit the parent's psycopg
pool: its connections share sockets with the parent and its maintenance threads did not survive
the fork. The child drops them unused and opens a pool of its own on first use. The inherited
objects are kept referenced, never closed or collected: closing one would send the server a
Terminate on the parent's socket.
"""

from __future__ import annotations

import os
from typing import Any

from django.db import connections

_inherited: list[Any] = []


def forget_inherited_pools() -> None:
    from django.db.backends.postgresql.base import DatabaseWrapper

    pools: dict[str, Any] = DatabaseWrapper._connection_pools  # type: ignore[attr-defined]
    _inherited.append(dict(pools))
    pools.clear()
    for alias in connections:
        wrapper = connections[alias]
        if wrapper.vendor == "postgresql" and wrapper.connection is not None:
            _inherited.append(wrapper.connection)
            wrapper.connection = None


def install() -> None:
    """Run once per process (AppConfig.ready)."""
    if any(connections[alias].vendor == "postgresql" for alias in connections):
        os.register_at_fork(after_in_child=forget_inherited_pools)
