"""Stand-ins for what is outside the project: an OpenAI-compatible LLM API, a mail server."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class FakeLLM:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: Any = {}
        self.status = 200
        self.delay = 0.0  # seconds before answering: a slow model, to catch a turn mid-way


@pytest.fixture
def llm() -> Iterator[tuple[FakeLLM, str]]:
    """A local OpenAI-compatible server: (its state, its base URL)."""
    fake = FakeLLM()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            time.sleep(fake.delay)
            content = fake.answer if isinstance(fake.answer, str) else json.dumps(fake.answer)
            payload = json.dumps(
                {"choices": [{"message": {"role": "assistant", "content": content}}]}
            ).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


class RefusingEmailBackend(BaseEmailBackend):
    """A mail server that is down: every send fails (an email server is outside the project)."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError("mail server down")


class SlowFileEmailBackend(FileEmailBackend):
    """A mail server that takes a while to accept each message, as SMTP does
    (FAKE_MAIL_SECONDS, default 0.2 s); the messages go to files in EMAIL_FILE_PATH."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        time.sleep(float(os.environ.get("FAKE_MAIL_SECONDS", "0.2")))
        return int(super().send_messages(email_messages))
