"""Side effects that must only happen once the data they describe has committed."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

INBOX_GROUP = "agents.inbox"  # every agent's open inbox page listens here


def agent_group(agent_id: int) -> str:
    """One agent's open inbox pages: reminders and pages meant for them alone."""
    return f"agent.{agent_id}"


def publish_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send `event` to a channel-layer group after the current transaction commits.

    The event type is always chosen by our own code: never pass a client-supplied type here.
    A lost notification is harmless: clients resync from PostgreSQL by sequence number.
    """

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, event)

    # robust: the data is committed; a layer outage must not turn that success into an error.
    transaction.on_commit(send, robust=True)


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Queue a Celery task after commit, so a worker never looks for a row that is not there.

    robust: a broker outage (or an eager task's error) must not turn the committed change into
    an error for the caller, nor stop the callbacks queued after this one.
    """
    transaction.on_commit(lambda: task.delay(*args), robust=True)
