from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agents.models import Agent
from agents.services import agent_heartbeat, agent_set_presence, presence_sweep
from helpdesk.flows import (
    agent_post_message,
    conversation_join,
    conversation_leave,
    conversation_resolve,
)
from helpdesk.models import Conversation, ConversationEvent
from helpdesk.services import ChatError


def test_joining_assigns_the_agent_posts_a_notice_and_records_the_event(
    alice_conversation: Conversation, dana: Agent
) -> None:
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    alice_conversation.refresh_from_db()
    assert alice_conversation.assigned_agent == dana
    assert alice_conversation.status == "with_agent"
    notice = alice_conversation.messages.get()
    assert (notice.author_kind, notice.body) == (
        "system",
        "Dana Whitfield joined the conversation.",
    )
    event = ConversationEvent.objects.get(conversation=alice_conversation, kind="agent.joined")
    assert event.actor_user == dana.user


def test_a_second_agent_cannot_take_a_joined_conversation(
    alice_conversation: Conversation, dana: Agent, sam: Agent
) -> None:
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    with pytest.raises(ChatError) as caught:
        conversation_join(public_id=alice_conversation.public_id, agent=sam)
    assert caught.value.code == "taken"
    alice_conversation.refresh_from_db()
    assert alice_conversation.assigned_agent == dana


def test_joining_twice_is_harmless(alice_conversation: Conversation, dana: Agent) -> None:
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    assert alice_conversation.messages.count() == 1


def test_only_the_joined_agent_may_write(
    alice_conversation: Conversation, dana: Agent, sam: Agent
) -> None:
    with pytest.raises(ChatError):
        agent_post_message(
            public_id=alice_conversation.public_id, agent=dana, body="hi", client_msg_id="1"
        )
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    result = agent_post_message(
        public_id=alice_conversation.public_id, agent=dana, body="hi", client_msg_id="1"
    )
    assert result.message.author_agent == dana
    with pytest.raises(ChatError) as caught:
        agent_post_message(
            public_id=alice_conversation.public_id, agent=sam, body="me too", client_msg_id="2"
        )
    assert caught.value.code == "not_joined"


def test_leaving_returns_the_conversation_to_the_waiting_list(
    alice_conversation: Conversation, dana: Agent
) -> None:
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    conversation_leave(public_id=alice_conversation.public_id, agent=dana)
    alice_conversation.refresh_from_db()
    assert (alice_conversation.status, alice_conversation.assigned_agent) == ("waiting", None)
    assert alice_conversation.messages.latest("seq").body == "Dana Whitfield left the conversation."


def test_resolving_closes_the_conversation_and_stops_messages(
    alice_conversation: Conversation, dana: Agent
) -> None:
    with pytest.raises(ChatError):
        conversation_resolve(public_id=alice_conversation.public_id, agent=dana)
    conversation_join(public_id=alice_conversation.public_id, agent=dana)
    conversation_resolve(public_id=alice_conversation.public_id, agent=dana)
    alice_conversation.refresh_from_db()
    assert alice_conversation.status == "resolved"
    assert alice_conversation.closed_at is not None
    with pytest.raises(ChatError) as caught:
        agent_post_message(
            public_id=alice_conversation.public_id, agent=dana, body="hi", client_msg_id="9"
        )
    assert caught.value.code == "closed"


def test_presence_sweep_takes_silent_agents_offline_only(dana: Agent, sam: Agent) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        agent_set_presence(agent=dana, presence="online")
        agent_set_presence(agent=sam, presence="away")
    with time_machine.travel(start + timedelta(seconds=100), tick=False):
        agent_heartbeat(agent=sam)
    assert presence_sweep(now=start + timedelta(seconds=150)) == 1
    dana.refresh_from_db()
    sam.refresh_from_db()
    assert dana.presence == "offline"
    assert sam.presence == "away"


def test_unknown_presence_is_refused(dana: Agent) -> None:
    with pytest.raises(ValueError, match="Unknown presence"):
        agent_set_presence(agent=dana, presence="asleep")
