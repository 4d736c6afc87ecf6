"""The processes a chat benchmark runs against: N uvicorn processes behind one address, and
Celery workers, each a subprocess of the benchmark with its own log.

One address for N processes: the benchmark binds N listening sockets to the same port with
SO_REUSEPORT and hands one to each uvicorn (`--fd`); the kernel spreads incoming connections
over them by a hash of the client's address and port. No proxy in between, so no extra hop
and no proxy process competing for the cores being measured (a load balancer does this job in
production; see docs/operations.md).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# As `make serve`: no per-message deflate (130 KiB a socket with it, 41 without).
UVICORN_FLAGS = [
    "--ws-per-message-deflate",
    "false",
    "--ws-max-size",
    "1048576",
    "--lifespan",
    "on",
]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its live children (Celery's pool processes)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def _wait_for(log: Path, text: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited: {log.read_text()[-3000:]}")
        if text in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise RuntimeError(f"no {text!r} in {log} after {timeout} s: {log.read_text()[-3000:]}")


class Servers:
    """`count` uvicorn processes serving `app` on one 127.0.0.1 port."""

    def __init__(self, count: int, env: dict[str, str], logs: Path, app: str) -> None:
        self.count, self.env, self.logs, self.app = count, env, logs, app
        self.processes: list[subprocess.Popen[bytes]] = []
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def start(self) -> None:
        sockets = []
        for _ in range(self.count):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            listener.bind(("127.0.0.1", self.port))
            self.port = listener.getsockname()[1]
            listener.listen(2048)
            sockets.append(listener)
        env = {key: value for key, value in self.env.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        for number, listener in enumerate(sockets):
            log = self.logs / f"uvicorn-{self.port}-{number}.log"
            command = [sys.executable, "-m", "uvicorn", self.app, "--fd", str(listener.fileno())]
            self.processes.append(
                subprocess.Popen(
                    [*command, *UVICORN_FLAGS],
                    cwd=ROOT,
                    env=env,
                    stdout=log.open("ab"),
                    stderr=subprocess.STDOUT,
                    pass_fds=[listener.fileno()],
                )
            )
            # The child holds it now: a process that dies takes its socket with it, so no
            # connection is hashed to a socket nobody accepts on.
            listener.close()
        for number, process in enumerate(self.processes):
            log = self.logs / f"uvicorn-{self.port}-{number}.log"
            _wait_for(log, "Application startup complete", process, timeout=120)
        with urllib.request.urlopen(self.url + "/healthz", timeout=10) as response:  # noqa: S310
            assert response.status == 200

    def stop(self) -> None:
        stop_all(self.processes)
        self.processes = []


class Workers:
    """Celery worker processes on the set-up's own queue (CELERY_QUEUE in its environment)."""

    def __init__(self, count: int, concurrency: int, env: dict[str, str], logs: Path) -> None:
        self.count, self.concurrency, self.env, self.logs = count, concurrency, env, logs
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def start(self) -> None:
        queue = self.env.get("CELERY_QUEUE", "celery")
        for number in range(self.count):
            log = self.logs / f"celery-{queue}-{number}.log"
            command = [
                sys.executable, "-m", "celery", "-A", "helpdesk", "worker", "-Q", queue,
                "-c", str(self.concurrency), "-n", f"{queue}-{number}@%h", "-l", "info",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ]  # fmt: skip
            self.processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=self.env, stdout=log.open("ab"), stderr=subprocess.STDOUT
                )
            )
        for number, process in enumerate(self.processes):
            _wait_for(self.logs / f"celery-{queue}-{number}.log", " ready.", process, timeout=120)

    def stop(self) -> None:
        stop_all(self.processes)
        self.processes = []


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
