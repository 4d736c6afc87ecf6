"""The Redis channel layer's configuration, built here so tests can build it for a Redis of their
own (helpdesk.settings uses it when REDIS_URL is set)."""

from __future__ import annotations

import asyncio
from typing import Any

from channels_redis.core import RedisChannelLayer
from redis.asyncio import ConnectionPool
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

# Redis connections per web process (channels-redis keeps one pool per event loop and Redis host;
# a uvicorn process has one loop). Each command holds a connection for one round trip, and one
# more is held by the blocking read that delivers this process's messages; past that, more
# connections do not make one event loop faster. Size Redis's maxclients for every process.
POOL_SIZE = 100
# How long a command waits for a free connection before it fails (ConnectionError "No connection
# available"): far longer than a storm of 10,000 leaves or joins takes to drain (see
# benchmarks/storm.py), short enough that a Redis that stopped answering surfaces as errors.
POOL_TIMEOUT = 60.0
# Connections the pool may open beyond the gate: one given back in the background (its release
# was cancelled while waiting for the pool's lock) still counts as in use for a moment.
HEADROOM = 16


class WaitingConnectionPool(ConnectionPool):
    """A pool that queues a command for a free connection instead of refusing it.

    redis-py 8's ConnectionPool raises MaxConnectionsError as soon as every connection is in
    use. Its BlockingConnectionPool waits, but on one asyncio.Condition whose lock every waiter
    and every release queue for: in a storm of 10,000 sockets closing on one busy process it let
    about 200 leaves through in 30 s and timed out the rest (benchmarks/storm.py). A semaphore
    hands each freed connection straight to the next waiter, in order.
    """

    def __init__(self, *, timeout: float | None = POOL_TIMEOUT, **kwargs: Any) -> None:
        slots = kwargs.pop("max_connections", None) or POOL_SIZE
        super().__init__(max_connections=slots + HEADROOM, **kwargs)
        self.slots = asyncio.Semaphore(slots)
        self.timeout = timeout
        # Connections handed out under a slot. The base class also releases a connection that
        # failed to connect before handing it out: that one took no slot of its own.
        self.holding: set[AbstractConnection] = set()

    async def get_connection(self, *args: Any, **kwargs: Any) -> AbstractConnection:
        try:
            async with asyncio.timeout(self.timeout):
                await self.slots.acquire()
        except TimeoutError as error:
            raise RedisConnectionError("No connection available.") from error
        try:
            connection = await super().get_connection()
        except BaseException:
            self.slots.release()
            raise
        self.holding.add(connection)
        return connection

    async def release(self, connection: AbstractConnection) -> None:
        try:
            await super().release(connection)
        finally:
            if connection in self.holding:
                self.holding.remove(connection)
                self.slots.release()


class WaitingRedisChannelLayer(RedisChannelLayer):
    """channels-redis whose pools wait for a free connection instead of refusing one.

    Thousands of sockets closing at once (a load balancer dropping the process, a network blip)
    each leave their groups in the same instant; with redis-py 8's pool most of those leaves
    failed with MaxConnectionsError and their memberships stayed in Redis for a day
    (group_expiry), and a reconnect storm's joins failed the same way. channels-redis 4.3 builds
    its pools with ConnectionPool.from_url and takes no pool class in its hosts config, hence
    this subclass; every host key except `address` still goes to the pool as before.
    """

    def create_pool(self, index: int) -> WaitingConnectionPool:
        host = dict(self.hosts[index])
        return WaitingConnectionPool.from_url(host.pop("address"), **host)


def redis_channel_layer(
    url: str,
    *,
    prefix: str,
    capacity: int,
    pool_size: int = POOL_SIZE,
    pool_timeout: float = POOL_TIMEOUT,
) -> dict[str, Any]:
    return {
        "BACKEND": "helpdesk.layers.WaitingRedisChannelLayer",
        "CONFIG": {
            # socket_timeout=None: redis-py 8 would otherwise time out the 5 s blocking read
            # channels-redis performs and drop idle websockets (channels_redis#422).
            # max_connections and timeout: the pool's size and wait (WaitingConnectionPool).
            # retry: a pooled connection that Redis closed (a restart) fails its first command
            # when the pool hands it out before its event loop has read the close, or when
            # something between them (a load balancer, NAT) has dropped it: reconnect and run
            # the command again, once. A Redis that is really down still fails at once.
            "hosts": [
                {
                    "address": url,
                    "socket_timeout": None,
                    "max_connections": pool_size,
                    "timeout": pool_timeout,
                    "retry": Retry(NoBackoff(), 1),
                }
            ],
            "prefix": prefix,
            "capacity": capacity,
            "expiry": 60,
        },
    }
