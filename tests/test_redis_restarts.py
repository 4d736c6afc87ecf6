"""Redis restarted under a Celery worker and under the channel layer (issue 14, items 4 and 9).

- The worker stays up through twenty restarts under load, and every task runs once
  (helpdesk.broker); the worker's broker channel, closed as a lost connection closes it, neither
  crashes nor keeps the tasks it held until the visibility timeout.
- New websockets after a restart never fail on a connection the layer's pool kept from before it
  (helpdesk.layers).

Each test restarts a redis-server of its own, never the shared one. Pages reconnecting and
resyncing across a restart are in tests/test_faults.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from channels.db import database_sync_to_async
from django.db import connection
from django.utils import timezone
from kombu import Connection, Exchange, Queue
from kombu.message import Message

from escalation.models import Timer
from escalation.timers import timers_claim
from helpdesk import broker
from helpdesk.flows import conversation_join, conversation_open
from helpdesk.layers import redis_channel_layer
from helpdesk.models import Conversation, Customer
from tests.support.factories import make_agent
from tests.support.server import ROOT, database_url
from tests.support.wsclient import agent_socket, connect, receive_type, send_message, session_cookie
from tests.test_faults import ON_POSTGRES, PrivateRedis

RESTARTS = 20


class PersistentRedis(PrivateRedis):
    """A private Redis that keeps its data across restarts, as a broker's Redis does: every write
    is in the append-only file before it is acknowledged, so a restart loses no queued task."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__()
        self.data_dir = data_dir
        data_dir.mkdir()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.data_dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.wait_until_up()

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            probe = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
            )
            if probe.stdout.strip() == b"PONG":
                return
            time.sleep(0.02)
        raise RuntimeError("private redis did not start")

    def restart(self, *, crash: bool) -> None:
        """Stop it (SIGTERM, as `systemctl restart` does, or SIGKILL, a crash) and start it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL if crash else signal.SIGTERM)
        self.process.wait(timeout=10)
        self.start()


@pytest.fixture
def broker_redis(tmp_path: Path) -> Iterator[PersistentRedis]:
    redis = PersistentRedis(tmp_path / "redis")
    redis.start()
    yield redis
    if redis.process is not None and redis.process.poll() is None:
        redis.kill()


@pytest.fixture
def layer_redis() -> Iterator[PrivateRedis]:
    redis = PrivateRedis()
    redis.start()
    yield redis
    if redis.process is not None and redis.process.poll() is None:
        redis.kill()


# -- the broker channel, closed as a worker closes it on a lost connection ---------------------------


@pytest.fixture
def unrestored() -> Iterator[dict[str, Any]]:
    broker._unrestored.clear()
    yield broker._unrestored
    broker._unrestored.clear()


def broker_connection(redis: PrivateRedis) -> Connection:
    """A connection through the transport helpdesk.settings choose for a Redis broker."""
    return Connection(redis.url, transport="helpdesk.broker:Transport")


def test_a_lost_connection_closes_cleanly_and_the_task_held_goes_back_at_once(
    broker_redis: PersistentRedis, unrestored: dict[str, Any]
) -> None:
    queue = Queue("probe", routing_key="probe")
    with broker_connection(broker_redis) as sender:
        sender.Producer().publish({"task": 1}, routing_key="probe", declare=[queue])
    worker = broker_connection(broker_redis)
    taken: list[Message] = []
    worker.Consumer([queue], callbacks=[lambda body, message: taken.append(message)]).consume()
    worker.drain_events(timeout=5)
    assert [message.payload for message in taken] == [{"task": 1}]  # taken, not acknowledged
    channel: Any = worker.default_channel
    channel._brpop_start()  # and waits for the next, as a worker running one does
    # A second channel listening to a broadcast, as the worker's remote control does: its close
    # fails too (deleting its queue), which stops Connection.collect() closing the first one.
    control = Queue("probe.control", Exchange("probe.control", type="fanout"), auto_delete=True)
    worker.Consumer([control], channel=worker.channel(), callbacks=[lambda *_: None]).consume()
    broker_redis.kill()  # Redis goes, and is still down while the worker closes the connection
    # What celery 5.7's consumer does on a lost connection; with kombu 5.7's own Redis transport
    # the close raises AttributeError ("'NoneType' object has no attribute 'hostname'").
    worker.collect()
    worker.close()
    assert list(unrestored) == [taken[0].delivery_tag]
    broker_redis.start()
    # The worker's next connection gives it back straight away: no visibility timeout to wait.
    with broker_connection(broker_redis) as again:
        back = again.default_channel.basic_get("probe", no_ack=True)
    assert back is not None
    assert (back.payload, back.delivery_info["redelivered"]) == ({"task": 1}, True)
    assert unrestored == {}


def test_a_task_taken_as_redis_went_down_goes_back_at_once(
    broker_redis: PersistentRedis, unrestored: dict[str, Any]
) -> None:
    """BRPOP took it from the queue, and Redis went away before it was written to the unacked
    hash (kombu writes it there next): only the worker has it, and gives it back."""
    queue = Queue("probe", routing_key="probe")
    with broker_connection(broker_redis) as sender:
        sender.Producer().publish({"task": 2}, routing_key="probe", declare=[queue])
    worker = broker_connection(broker_redis)
    message = worker.default_channel.basic_get("probe", no_ack=True)
    broker_redis.kill()
    with pytest.raises(worker.connection_errors):
        worker.default_channel.qos.append(message, "taken-as-redis-went-down")
    worker.release()
    broker_redis.start()
    with broker_connection(broker_redis) as again:
        back = again.default_channel.basic_get("probe", no_ack=True)
    assert back is not None
    assert back.payload == {"task": 2}
    assert unrestored == {}


class Worker:
    """`celery -A helpdesk worker` as the Procfile runs it (prefork; two processes here), on the
    test database, the private Redis and a queue of its own, sending email to a mail server that
    takes 0.1 s a message. Without mingle, whose one-second wait after every reconnection has
    nothing to do with a restart, so that twenty restarts fit in a minute."""

    def __init__(self, tmp_path: Path, redis: PrivateRedis) -> None:
        self.queue = f"restarts-{os.getpid()}-{time.monotonic_ns()}"
        self.mail_dir = tmp_path / "mail"
        self.log_path = tmp_path / "worker.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(connection.settings_dict),
            "REDIS_URL": redis.url,
            "CELERY_BROKER_URL": redis.url,
            "CELERY_QUEUE": self.queue,
            "HELPDESK_TICKER": "false",
            "EMAIL_BACKEND": "tests.support.fakes.SlowFileEmailBackend",
            "FAKE_MAIL_SECONDS": "0.1",
            "EMAIL_FILE_PATH": str(self.mail_dir),
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "-Q", self.queue,
                 "--concurrency=2", "--without-mingle", "--loglevel=INFO"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def emails_by_timer(self) -> Counter[int]:
        """How many emails each timer sent (its Message-ID names it)."""
        texts = [path.read_text() for path in self.mail_dir.glob("*")]
        return Counter(
            int(pk) for text in texts for pk in re.findall(r"Message-ID: <timer-(\d+)@", text)
        )


class Beat:
    """Beat's timer sweep, run here: lease the due timers and send a task for each, through the
    private Redis. A send lost to a restart is sent again when its lease runs out."""

    def __init__(self, redis: PrivateRedis, queue: str) -> None:
        self.queue = queue
        self.app = Celery("restart-probe", broker=redis.url, set_as_current=False)
        self.lost_sends = 0

    def sweep(self) -> None:
        for timer_id in timers_claim():
            try:
                self.app.send_task(
                    "escalation.tasks.run_timer", (timer_id,), queue=self.queue,
                    retry=True, retry_policy={"max_retries": 2, "interval_start": 0.1},
                )  # fmt: skip
            except Exception:  # Redis is down: the lease runs out and the next sweep sends it
                self.lost_sends += 1


class Timers:
    """Email timers falling due one after another, as customers' waits do."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.created: list[int] = []
        self.last = 0.0

    def keep_coming(self) -> None:
        if time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            number = len(self.created)
            timer = Timer.objects.create(
                kind=Timer.Kind.EMAIL,
                key=f"restart-probe-{number}",
                due_at=timezone.now(),
                payload={"subject": f"Probe {number}", "body": "-", "to": "ops@example.com"},
            )
            self.created.append(timer.pk)


def done() -> int:
    return Timer.objects.filter(done_at__isnull=False).count()


def waiting() -> int:
    return Timer.objects.filter(done_at__isnull=True, due_at__lte=timezone.now()).count()


@ON_POSTGRES
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_survives_twenty_redis_restarts_and_runs_every_task_once(
    broker_redis: PersistentRedis, tmp_path: Path, settings: Any
) -> None:
    settings.TIMER_LEASE_SECONDS = 4
    worker = Worker(tmp_path, broker_redis)
    beat = Beat(broker_redis, worker.queue)
    timers = Timers(every=0.5)
    started = time.monotonic()

    def run_until(check: Any, what: str, seconds: float, *, arriving: bool = True) -> None:
        deadline = time.monotonic() + seconds
        while not check():
            assert worker.alive(), f"the worker exited while {what}:\n{worker.log()[-6000:]}"
            assert time.monotonic() < deadline, f"timed out while {what}:\n{worker.log()[-3000:]}"
            if arriving:
                timers.keep_coming()
            beat.sweep()
            time.sleep(0.05)

    try:
        # Timers keep falling due (two a second; the worker runs up to twenty). Each restart
        # comes once the worker has run some since the last one and caught up, so it meets a
        # consuming worker, mostly with a task running and the next one awaited.
        for restart in range(RESTARTS):
            before = done()
            run_until(
                lambda before=before: done() >= before + 2 and waiting() <= 1,
                f"restart {restart}",
                20,
            )
            broker_redis.restart(crash=restart % 2 == 1)
        run_until(lambda: done() == len(timers.created), "finishing", 30, arriving=False)
        assert worker.alive(), worker.log()[-6000:]
    finally:
        worker.stop()
        beat.app.close()
    elapsed = time.monotonic() - started

    log = worker.log()
    assert "Unrecoverable error" not in log
    # Every task ran, and ran once: each timer is done, with one email, and none failed.
    assert Timer.objects.filter(done_at__isnull=True).count() == 0
    assert not Timer.objects.exclude(outcome="sent to ops@example.com").exists()
    emails = worker.emails_by_timer()
    assert sorted(emails) == timers.created
    assert [pk for pk, count in emails.items() if count > 1] == []
    # Messages delivered twice (a restart lost the acknowledgement, a lease ran out) found their
    # timer done and changed nothing.
    repeats = log.count("'already done'")
    print(
        f"{RESTARTS} restarts, {len(timers.created)} timers in {elapsed:.0f}s; "
        f"{repeats} repeated deliveries did nothing; {beat.lost_sends} sends lost"
    )


# -- new websockets after a Redis restart ------------------------------------------------------------


def joined_conversation() -> tuple[Conversation, bytes]:
    agent = make_agent("dana", "Dana Whitfield", presence="online")
    conversation = conversation_open(customer=Customer.objects.create(name="Rita"))
    conversation_join(public_id=conversation.public_id, agent=agent)
    return conversation, session_cookie(agent.user)


async def chat_once(conversation: Conversation, cookie: bytes, client_id: str) -> None:
    """A new socket: it joins the conversation's group, sends a message, and gets its ack and its
    copy back through the channel layer."""
    socket = agent_socket(conversation, cookie)
    try:
        await connect(socket)
        await send_message(socket, f"Hello {client_id}", client_id)
        await receive_type(socket, "ack")
        await receive_type(socket, "message")
    finally:
        await socket.disconnect()


class UnknowingHop:
    """A TCP hop between the application and Redis that does not pass a closed connection on, as
    a load balancer or a NAT gateway that has lost it does not: the application's pool keeps
    the connection and learns that it is dead only when it next writes to it (a reset). It is
    also what a pool sees when Redis restarts before its event loop has read the close."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:  # Redis is down: refuse this one, and go on accepting
                client.close()
                continue
            gone = threading.Event()
            threading.Thread(target=self._down, args=(upstream, client, gone), daemon=True).start()
            threading.Thread(target=self._up, args=(client, upstream, gone), daemon=True).start()

    @staticmethod
    def _down(upstream: socket.socket, client: socket.socket, gone: threading.Event) -> None:
        """Redis to the application; when Redis closes, say nothing."""
        with contextlib.suppress(OSError):
            while data := upstream.recv(65536):
                client.sendall(data)
        gone.set()

    @staticmethod
    def _up(client: socket.socket, upstream: socket.socket, gone: threading.Event) -> None:
        """The application to Redis; a write to a connection Redis has closed gets a reset."""
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                if gone.is_set():
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
                upstream.sendall(data)
        with contextlib.suppress(OSError):  # close it under the other thread's recv() too
            upstream.shutdown(socket.SHUT_RDWR)
        client.close()
        upstream.close()

    def close(self) -> None:
        self.listener.close()


@pytest.mark.django_db(transaction=True)
async def test_new_sockets_after_a_redis_restart_never_fail_on_a_stale_connection(
    layer_redis: PrivateRedis, settings: Any
) -> None:
    # The real ASGI application on the Redis channel layer as configured, on a private Redis.
    hop = UnknowingHop(layer_redis.port)
    settings.CHANNEL_LAYERS = {
        "default": redis_channel_layer(hop.url, prefix="stale", capacity=1000)
    }
    conversation, cookie = await database_sync_to_async(joined_conversation)()
    # Sockets chat and leave: the layer's pool keeps their connections.
    for number in range(8):
        await chat_once(conversation, cookie, f"before-{number}")
    layer_redis.kill()
    layer_redis.start()
    failures = []
    try:
        for number in range(30):
            try:
                await chat_once(conversation, cookie, f"after-{number}")
            except (Exception, asyncio.CancelledError) as error:  # the socket failed
                failures.append((number, repr(error)))
    finally:
        hop.close()
    assert failures == []
