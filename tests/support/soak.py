"""The soak driver: customers who keep arriving, chatting and leaving (connection churn) and an
agent chatting on the side, against a running server, for a set time. Used by tests/test_soak.py
(bounded, in CI) and benchmarks/soak.py (longer, by hand)."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.test_embedded import Browser

QUESTIONS = ["Where is my order?", "How do I return an item?", "What payment methods do you take?"]


def rss_kib(pid: int) -> int:
    """The process's resident memory, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class Soak:
    conversations: int = 0
    messages: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, *, messages: int) -> None:
        with self.lock:
            self.conversations += 1
            self.messages += messages

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text[:300])


def one_customer(base: str, soak: Soak, number: int) -> None:
    """Arrive, ask two questions (each acknowledged), leave."""
    customer = Browser(base)
    customer.get("/chat/")
    page = customer.post("/chat/start/", {"name": f"Soak {number}", "email": "", "language": "en"})
    found = re.search(r'data-ws-path="([^"]+)"', page)
    if found is None:
        soak.error("no chat page")
        return
    with customer.websocket(found.group(1)) as socket:
        if json.loads(socket.recv(timeout=10))["type"] != "welcome":
            soak.error("no welcome")
            return
        for index in range(2):
            client_id = f"soak-{number}-{index}"
            body = QUESTIONS[(number + index) % len(QUESTIONS)]
            socket.send(json.dumps({"type": "message", "body": body, "client_id": client_id}))
            while True:
                frame = json.loads(socket.recv(timeout=15))
                if frame["type"] == "error":
                    soak.error(f"{frame['code']}: {frame['message']}")
                    return
                if frame["type"] == "ack" and frame["client_id"] == client_id:
                    break
    soak.count(messages=2)


def run(base: str, *, seconds: float, workers: int = 6) -> Soak:
    """`workers` threads each bring customers one after another until the time is up."""
    soak = Soak()
    stop = time.monotonic() + seconds
    numbers = iter(range(10**9))
    numbers_lock = threading.Lock()

    def loop() -> None:
        while time.monotonic() < stop:
            with numbers_lock:
                number = next(numbers)
            try:
                one_customer(base, soak, number)
            except Exception as error:  # a dropped socket, a timeout: counted, not fatal
                soak.error(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=loop) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return soak
