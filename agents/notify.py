"""What agents' open pages are told, in one place: every inbox frame is built here.

Each is sent once the current transaction commits (helpdesk.realtime.publish_on_commit), so a
page never fetches a row that is not there yet. The inbox's script (static/helpdesk/inbox.js)
reads these frames.
"""

from __future__ import annotations

from helpdesk.models import Conversation
from helpdesk.realtime import INBOX_GROUP, agent_group, publish_on_commit


def inbox_escalated(conversation: Conversation, *, urgency: str, trigger: str) -> None:
    """A conversation joined the queue: every inbox adds its row and may chime."""
    publish_on_commit(
        INBOX_GROUP,
        {
            "type": "inbox.escalated",
            "conversation": str(conversation.public_id),
            "urgency": urgency,
            "trigger": trigger,
        },
    )


def inbox_changed(conversation: Conversation, *, kind: str) -> None:
    """Something about a row changed (assigned, joined, resolved, a callback booked or done):
    every inbox refreshes it."""
    publish_on_commit(
        INBOX_GROUP,
        {"type": "inbox.changed", "conversation": str(conversation.public_id), "kind": kind},
    )


def agent_alert(conversation: Conversation, text: str, *, agent_id: int | None = None) -> None:
    """A notice an agent must see now (a page, a reminder, a deadline at risk): to one agent's
    pages, or with no agent to every inbox."""
    group = INBOX_GROUP if agent_id is None else agent_group(agent_id)
    publish_on_commit(
        group, {"type": "inbox.alert", "conversation": str(conversation.public_id), "text": text}
    )
