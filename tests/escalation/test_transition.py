"""What the customer reads at the handoff: what happens next, and who joins."""

import pytest

from agents.models import Agent
from escalation.texts import handoff_text
from helpdesk.flows import conversation_join, conversation_open
from helpdesk.models import Conversation, Customer
from tests.support.factories import make_agent, say

pytestmark = pytest.mark.usefixtures("knowledge_base")


def escalate(conversation: Conversation, text: str = "I want to speak to a human") -> str:
    """The assistant's last reply to `text`: the handoff message."""
    return say(conversation, text).replies[-1].body


def test_with_a_qualified_agent_free_someone_joins_shortly(
    dana: Agent, alice_conversation: Conversation
) -> None:
    assert escalate(alice_conversation).endswith("Someone will join this chat shortly.")


def test_with_everyone_busy_the_customer_gets_the_place_in_line_and_the_wait(
    dana: Agent, alice: Customer
) -> None:
    Agent.objects.filter(pk=dana.pk).update(max_concurrent=1)
    busy = conversation_open(customer=alice)
    escalate(busy)
    Conversation.objects.filter(pk=busy.pk).update(assigned_agent=dana)  # her only slot
    ahead = conversation_open(customer=Customer.objects.create(name="Ahead"))
    escalate(ahead)
    mine = conversation_open(customer=Customer.objects.create(name="Me"))
    text = escalate(mine)
    # Second in line, one slot, the default 300 s average handling time: about 10 minutes.
    assert text.endswith("You are number 2 in line; the wait is about 10 min.")
    assert text.startswith("I want to connect you with a specialist")
    assert "cannot" not in text


def test_with_nobody_qualified_online_there_is_no_made_up_wait() -> None:
    conversation = conversation_open(
        customer=Customer.objects.create(name="Dieter", language="de"), language="de"
    )
    text = escalate(conversation, "Ich möchte mit einem Menschen sprechen")
    assert "Gerade ist niemand online, der Ihnen dabei helfen kann. Sie sind Nummer 1" in text
    assert "beschäftigt" not in text  # nobody is busy: nobody is there
    assert "Min." not in text
    offer = conversation.messages.exclude(actions={}).get()
    assert [choice["id"] for choice in offer.actions["choices"]] == ["callback", "email", "wait"]


@pytest.mark.parametrize("language", ["en", "es", "fr", "de"])
def test_every_shipped_language_has_each_part(language: str) -> None:
    texts = {
        handoff_text(language),
        handoff_text(language, agent_free=False, position=3, seconds=600),
        handoff_text(language, agent_free=False),
    }
    assert len(texts) == 3
    assert all("{" not in text for text in texts)
    assert "3" in handoff_text(language, agent_free=False, position=3, seconds=600)


def test_when_the_agent_joins_the_assistant_introduces_them_in_the_customers_language(
    dana: Agent,
) -> None:
    conversation = conversation_open(
        customer=Customer.objects.create(name="Bruno", language="es"), language="es"
    )
    escalate(conversation, "Quiero hablar con una persona")
    conversation_join(public_id=conversation.public_id, agent=dana)
    last = conversation.messages.order_by("-seq").first()
    assert last is not None
    assert (last.author_kind, last.body) == (
        "assistant",
        "He compartido nuestra conversación con Dana Whitfield, así que no tendrás que repetir "
        "nada.",
    )


def test_an_agent_joining_a_conversation_never_handed_over_gets_no_introduction() -> None:
    agent = make_agent("omar", "Omar", presence="online")
    conversation = conversation_open(customer=Customer.objects.create(name="Direct"))
    conversation_join(public_id=conversation.public_id, agent=agent)
    assert not conversation.messages.filter(author_kind="assistant").exists()
