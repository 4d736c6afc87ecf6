"""The Celery broker's Redis transport: kombu's, made to survive a Redis restart.

With celery 5.7.0 and kombu 5.7.0 a worker died on about one Redis restart in ten ("Unrecoverable
error: AttributeError: 'NoneType' object has no attribute 'hostname'"). On a lost connection
celery 5.7's consumer collects the connection (kombu's `Connection.collect()` closes the task
channel and the others, then detaches the transport: `transport.client = None`) and then, new in
5.7, closes it again. If the connection went while the task channel waited for a BRPOP reply,
that channel's first close stops at reading the reply (a ConnectionError, ignored), and the
remote-control channel's close fails too (deleting its broadcast queue), which ends the collect
before the task channel is closed. The second close then finds the task channel with its
transport detached: giving back the messages it holds unacknowledged needs a new connection
pool, built from `transport.client`, and the AttributeError that raises is not a connection
error, so the worker exits.

Here a lost BRPOP reply does not stop a close, and a channel whose transport is detached raises
a connection error (which the worker handles). And the messages a worker held when Redis went
away go back on their queue as soon as Redis answers again, not after the visibility timeout
(an hour): those a close could not give back, and one whose delivery was cut between BRPOP and
its entry in the unacked hash (which may or may not have it). Tasks run at least once, as ever
with acks_late: ours are idempotent.
"""

from __future__ import annotations

import contextlib
import logging
from queue import Empty
from typing import Any

from kombu.transport import redis as kombu_redis
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)

# Messages this process took and could not give back because Redis was down, by delivery tag:
# None if the unacked hash holds the message, or the message itself ([payload, exchange,
# routing key]) if the hash may not. Only the worker's consumer thread touches this.
_unrestored: dict[str, list[Any] | None] = {}


class QoS(kombu_redis.QoS):
    def append(self, message: Any, delivery_tag: str) -> None:
        try:
            super().append(message, delivery_tag)
        except self.channel.connection_errors:
            # Popped from the queue, but perhaps never written to the unacked hash: keep it.
            delivery = message.delivery_info
            _unrestored[delivery_tag] = [
                message._raw,
                delivery["exchange"],
                delivery["routing_key"],
            ]
            raise

    def restore_unacked(self, client: Any = None) -> None:
        tags = list(self._delivered)
        try:
            super().restore_unacked(client)
        except self.channel.connection_errors as error:
            for tag in tags:
                _unrestored.setdefault(tag, None)
            self._delivered.clear()
            logger.warning(
                "Redis is down: %d unacknowledged message(s) go back on their queue once it "
                "answers (%r)",
                len(tags),
                error,
            )

    def restore_visible(self, *args: Any, **kwargs: Any) -> Any:
        restore_unrestored(self)
        return super().restore_visible(*args, **kwargs)

    def restore_by_tag_or_message(self, tag: str, message: list[Any] | None) -> None:
        """kombu's restore_by_tag, which pushes `message` if the unacked hash has no entry."""

        def restore_transaction(pipe: Any) -> None:
            stored = pipe.hget(self.unacked_key, tag)
            pipe.multi()
            self._remove_from_indices(tag, pipe)
            payload = loads(bytes_to_str(stored)) if stored else message
            if payload:
                self.channel._do_restore_message(*payload, pipe, False)

        with self.channel.conn_or_acquire() as client:
            client.transaction(restore_transaction, self.unacked_key)


def restore_unrestored(qos: QoS) -> None:
    """Put back what earlier channels could not. A message acknowledged or restored meanwhile is
    no longer in the unacked hash: restoring it by its tag alone changes nothing. Redis down
    again: the rest wait for the next try."""
    for tag, message in list(_unrestored.items()):
        try:
            qos.restore_by_tag_or_message(tag, message)
        except qos.channel.connection_errors:
            raise
        except Exception:
            # Never let one message stop a channel from opening; if the unacked hash has it,
            # the visibility timeout still brings it back.
            logger.exception("Could not restore message %s", tag)
        del _unrestored[tag]


class Channel(kombu_redis.Channel):
    QoS = QoS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _unrestored:
            # Redis down again: restore_visible, every unacked_restore_interval, tries again.
            with contextlib.suppress(*self.connection_errors):
                restore_unrestored(self.qos)

    def close(self) -> None:
        if self._in_poll:
            try:
                self._brpop_read()
            except Empty:
                pass
            except self.connection_errors:
                pass  # the reply is lost with the connection; close the rest all the same
        super().close()

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel is closed")
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)
        return params


class Transport(kombu_redis.Transport):
    Channel = Channel
