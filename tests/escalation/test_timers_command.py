"""`manage.py timers`: what is pending, and running what would be due N minutes from now."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.support.factories import escalated_conversation

pytestmark = pytest.mark.usefixtures("knowledge_base")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("timers", *args, stdout=out)
    return out.getvalue()


def test_the_command_lists_pending_timers_and_moves_the_clock_forward() -> None:
    conversation = escalated_conversation("Waiting")  # nobody online: the choices at once
    pending = run()
    assert "wait_update" in pending
    assert "callback_offer" in pending
    assert "0 timer(s) run" in run("--run")  # nothing is due yet
    assert "nothing new: nothing posted" in run("--run", "--advance", "6")
    assert "already offered" in run("--run", "--advance", "11")
    assert conversation.messages.exclude(actions={}).count() == 1
