"""fanout: one chat message delivered to everyone watching a conversation, for groups of 1, 10,
100 and 500 listeners on one uvicorn process, against a bare `group_send` to as many listeners
on the same server and channel layer.

Product path: a signed-in agent (session cookie) posts on /ws/agent/conversations/<id>/; the
message is stored (committed), published to the conversation's group, and each of the N customer
tabs of that conversation (chat cookie, /ws/chat/<id>/) gets it. Baseline: a client sends a frame
to the bare group consumer (benchmarks/echo_asgi.py, /ws/group/<name>/), which `group_send`s it
unchanged to the same number of bare listeners. In both the sender's own socket is in the group
too. Messages go one at a time: the next is sent once every listener has the previous one.

Delivery time: from the send to the moment the last listener's frame is read by the client
process (which holds every socket, so its own reading of N frames is in both figures). Every
listener must receive every message, in order: lost and out-of-order messages are counted.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.chat_roundtrip import CHAT_COOKIE  # noqa: E402
from benchmarks.wsbench import (  # noqa: E402
    bounded,
    close_all,
    connect,
    percentile,
    raise_fd_limit,
    setup_script,
    setups,
)
from tests.support.server import AsgiServer  # noqa: E402

SIZES = [1, 10, 100, 500]
MESSAGES = int(os.environ.get("BENCH_FANOUT_MESSAGES", "30"))
WARMUP = 2  # sent and checked for loss, left out of the timings
WAIT_SECONDS = 15.0  # a message not at every listener by then counts as lost
PREFIX = "fanout "

SETUP_SCRIPT = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from agents.models import Agent
from helpdesk.flows import conversation_join
from helpdesk.chattoken import make_chat_token
from helpdesk.models import Customer
from helpdesk.flows import conversation_open
user = get_user_model().objects.create_user("bench-agent")
agent = Agent.objects.create(user=user, display_name="Bench Agent", max_concurrent=50)
client = Client()
client.force_login(user)
name = settings.SESSION_COOKIE_NAME
out = {"agent_cookie": f"{name}={client.cookies[name].value}", "conversations": []}
for size in %(sizes)r:
    conversation = conversation_open(customer=Customer.objects.create(name=f"Fanout {size}"))
    conversation_join(public_id=conversation.public_id, agent=agent)
    public_id = str(conversation.public_id)
    token = make_chat_token(customer_id=conversation.customer_id, conversation=public_id)
    out["conversations"].append([public_id, token])
print(json.dumps(out))
"""


@dataclass
class Group:
    listeners: int
    received: list[list[tuple[int, int]]]  # per listener: (message index, seq) in arrival order
    arrivals: dict[int, list[float]] = field(default_factory=dict)
    complete: dict[int, asyncio.Event] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def event(self, index: int) -> asyncio.Event:
        return self.complete.setdefault(index, asyncio.Event())


async def listen(socket: ClientConnection, number: int, group: Group) -> None:
    try:
        async for raw in socket:
            frame = json.loads(raw)
            if frame.get("type") != "message":
                continue  # typing, status and the like
            message = frame["message"]
            if not str(message["body"]).startswith(PREFIX):
                continue
            now = time.perf_counter()
            index = int(message["body"].removeprefix(PREFIX))
            group.received[number].append((index, int(message["seq"])))
            times = group.arrivals.setdefault(index, [])
            times.append(now)
            if len(times) == group.listeners:
                group.event(index).set()
    except websockets.ConnectionClosed:
        pass


async def drain(socket: ClientConnection, group: Group) -> None:
    """The sender's own socket: acks and its copy of the message; errors are recorded."""
    try:
        async for raw in socket:
            frame = json.loads(raw)
            if frame.get("type") == "error":
                group.errors.append(frame.get("code", "?"))
    except websockets.ConnectionClosed:
        pass


async def open_listener(url: str, origin: str, cookie: str, welcome: bool) -> ClientConnection:
    socket = await connect(url, origin, cookie)
    if welcome:  # the product joins the group before it sends the welcome
        frame = json.loads(await socket.recv())
        assert frame["type"] == "welcome", frame
    return socket


async def run_group(
    *,
    listener_url: str,
    listener_cookie: str,
    sender_url: str,
    sender_cookie: str,
    size: int,
    origin: str,
    product: bool,
) -> dict[str, Any]:
    listeners = await bounded(
        [partial(open_listener, listener_url, origin, listener_cookie, product)] * size
    )
    sender = await open_listener(sender_url, origin, sender_cookie, product)
    group = Group(listeners=size, received=[[] for _ in range(size)])
    readers = [asyncio.create_task(listen(socket, n, group)) for n, socket in enumerate(listeners)]
    readers.append(asyncio.create_task(drain(sender, group)))
    timings, timeouts = [], 0
    started = time.perf_counter()
    try:
        for index in range(WARMUP + MESSAGES):
            body = f"{PREFIX}{index}"
            frame: dict[str, Any]
            if product:
                frame = {"type": "message", "body": body, "client_id": uuid.uuid4().hex}
            else:  # the same shape and size as the product's broadcast
                frame = {"type": "message", "message": {"seq": index + 1, "body": body}}
            sent = time.perf_counter()
            await sender.send(json.dumps(frame))
            try:
                await asyncio.wait_for(group.event(index).wait(), timeout=WAIT_SECONDS)
            except TimeoutError:
                timeouts += 1
                continue
            if index >= WARMUP:
                timings.append((group.arrivals[index][-1] - sent) * 1000)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.5)  # anything late or duplicated shows up in the check below
    finally:
        await close_all([*listeners, sender])
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    sent_count = WARMUP + MESSAGES
    lost = sum(sent_count - len({index for index, _ in got}) for got in group.received)
    out_of_order = sum(
        1
        for got in group.received
        if [index for index, _ in got] != sorted(index for index, _ in got)
        or [seq for _, seq in got] != sorted(seq for _, seq in got)
    )
    duplicates = sum(len(got) - len({index for index, _ in got}) for got in group.received)
    return {
        "p50_ms": round(statistics.median(timings), 2) if timings else None,
        "p99_ms": round(percentile(timings, 0.99), 2) if timings else None,
        "max_ms": round(max(timings), 2) if timings else None,
        "messages": sent_count,
        "deliveries_expected": sent_count * size,
        "lost": lost,
        "duplicates": duplicates,
        "listeners_out_of_order": out_of_order,
        "timeouts": timeouts,
        "errors": group.errors,
        "seconds": round(elapsed, 2),
    }


def measure(env: dict[str, str], scratch: Path) -> list[dict[str, Any]]:
    made = json.loads(setup_script(env, SETUP_SCRIPT % {"sizes": SIZES}))
    server = AsgiServer(scratch / "uvicorn.log", env=env, app="benchmarks.echo_asgi:application")
    server.start()
    ws, origin = server.url.replace("http", "ws"), server.url
    levels = []
    try:
        for size, (public_id, token) in zip(SIZES, made["conversations"], strict=True):
            baseline = asyncio.run(
                run_group(
                    listener_url=f"{ws}/ws/group/fanout{size}/",
                    listener_cookie="",
                    sender_url=f"{ws}/ws/group/fanout{size}/",
                    sender_cookie="",
                    size=size,
                    origin=origin,
                    product=False,
                )
            )
            chat = asyncio.run(
                run_group(
                    listener_url=f"{ws}/ws/chat/{public_id}/",
                    listener_cookie=f"{CHAT_COOKIE}={token}",
                    sender_url=f"{ws}/ws/agent/conversations/{public_id}/",
                    sender_cookie=made["agent_cookie"],
                    size=size,
                    origin=origin,
                    product=True,
                )
            )
            ratio = (
                round(chat["p50_ms"] / baseline["p50_ms"], 1)
                if chat["p50_ms"] and baseline["p50_ms"]
                else None
            )
            levels.append(
                {
                    "listeners": size,
                    "chat": chat,
                    "baseline_group_send": baseline,
                    "ratio_p50": ratio,
                }
            )
            print(f"fanout: {size} listeners: chat {chat}, baseline {baseline}", file=sys.stderr)
    finally:
        server.stop()
    return levels


def main() -> dict[str, Any]:
    raise_fd_limit(4 * max(SIZES) + 256)
    results = []
    started = time.perf_counter()
    with setups() as found:
        for label, env, scratch in found:
            results.append({"setup": label, "levels": measure(env, scratch)})
    return {
        "name": "fanout",
        "process": (
            "one uvicorn process; an agent posts on the conversation's socket, N customer tabs of"
            " that conversation listen; baseline: bare group_send to N bare listeners, same"
            " server and layer"
        ),
        "messages_per_size": MESSAGES,
        "warmup_messages": WARMUP,
        "seconds": round(time.perf_counter() - started, 1),
        "setups": results,
    }


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for setup in result["setups"]:
        for level in setup["levels"]:
            chat, base = level["chat"], level["baseline_group_send"]
            rows.append((
                "fanout",
                f"{setup['setup']}, {level['listeners']} listeners, p50/p99 (lost {chat['lost']})",
                f"{chat['p50_ms']} / {chat['p99_ms']} ms",
                f"group_send {base['p50_ms']} / {base['p99_ms']} ms (lost {base['lost']})",
                f"{level['ratio_p50']}x",
            ))  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.run import run_one

    run_one(sys.modules[__name__])
