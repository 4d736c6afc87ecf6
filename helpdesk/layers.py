"""The Redis channel layer's configuration, built here so tests can build it for a Redis of their
own (helpdesk.settings uses it when REDIS_URL is set)."""

from __future__ import annotations

from typing import Any

from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff


def redis_channel_layer(url: str, *, prefix: str, capacity: int) -> dict[str, Any]:
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # socket_timeout=None: redis-py 8 would otherwise time out the 5 s blocking read
            # channels-redis performs and drop idle websockets (channels_redis#422).
            # A large pool: redis-py 8 raises instead of waiting past max_connections.
            # retry: a pooled connection that Redis closed (a restart) fails its first command
            # when the pool hands it out before its event loop has read the close, or when
            # something between them (a load balancer, NAT) has dropped it: reconnect and run
            # the command again, once. A Redis that is really down still fails at once.
            "hosts": [
                {
                    "address": url,
                    "socket_timeout": None,
                    "max_connections": 2000,
                    "retry": Retry(NoBackoff(), 1),
                }
            ],
            "prefix": prefix,
            "capacity": capacity,
            "expiry": 60,
        },
    }
