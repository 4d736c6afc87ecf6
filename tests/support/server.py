"""A real ASGI server (uvicorn in a subprocess) on the test database, for browser and process tests.

A subprocess, not a fork: a forked server inherits asgiref's executor without its thread and
hangs on the first database call (see TESTING.md).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(settings_dict: dict[str, Any]) -> str:
    """The URL of the database the tests are using right now (the test database)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or "postgres"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


EXTERNAL_SERVICES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")


def embedded_env(sqlite_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh `make run`: no PostgreSQL, no Redis, a SQLite file."""
    env = {key: value for key, value in os.environ.items() if key not in EXTERNAL_SERVICES}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return {**env, "SQLITE_PATH": str(sqlite_path), **extra}


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class AsgiServer:
    def __init__(
        self,
        log_path: Path,
        env: dict[str, str] | None = None,
        app: str = "helpdesk.asgi:application",
    ) -> None:
        """Serve the test database, or exactly the environment given in `env`."""
        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        if env is None:
            # Turns in the server's own turn threads: no Celery worker runs beside it here
            # (tests/test_scale_out.py and tests/test_turn_faults.py run one).
            env = {
                "TURN_RUNNER": "thread",
                **os.environ,
                "DATABASE_URL": database_url(connection.settings_dict),
            }
        self.env = env
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", self.app, "--host", "127.0.0.1",
             "--port", str(self.port), "--lifespan", "on", "--ws-per-message-deflate", "false"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            self.wait_until_healthy()
        except BaseException:
            self.stop()  # a server that never came up is not left running on the test database
            raise

    def wait_until_healthy(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not healthy in {timeout}s: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
