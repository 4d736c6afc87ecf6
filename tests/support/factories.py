"""Building what tests need through the product's own flows: agents, customers' messages
(answered or only owed a turn), and a conversation already handed to people."""

from __future__ import annotations

from django.contrib.auth.models import User

from agents.models import Agent, AgentSkill
from helpdesk.flows import (
    TurnOutcome,
    conversation_open,
    customer_message_answer,
    customer_message_receive,
)
from helpdesk.models import Conversation, Customer, Message
from routing.models import Skill


def make_agent(
    username: str, name: str, *, skills: dict[str, int] | None = None, **fields: object
) -> Agent:
    user = User.objects.create_user(username=username, password="pw-" + username)
    agent = Agent.objects.create(user=user, display_name=name, **fields)
    for code, level in (skills or {}).items():
        skill, _ = Skill.objects.get_or_create(code=code, defaults={"name": code.title()})
        AgentSkill.objects.create(agent=agent, skill=skill, level=level)
    return agent


def say(conversation: Conversation, text: str) -> TurnOutcome:
    """A customer message through the real turn handler, as the chat socket sends it."""
    _, outcome = customer_message_answer(
        public_id=conversation.public_id, customer_id=conversation.customer_id, body=text
    )
    return outcome


def customer_writes(conversation: Conversation, text: str) -> Message:
    """A customer's message through the flow the chat socket uses (stored, its turn owed)."""
    return customer_message_receive(
        public_id=conversation.public_id,
        customer_id=conversation.customer_id,
        body=text,
        client_msg_id="",
    ).message


def escalated_conversation(
    name: str, text: str = "I want to speak to a human", **customer: object
) -> Conversation:
    """A new customer whose first message hands the conversation to people."""
    conversation = conversation_open(customer=Customer.objects.create(name=name, **customer))
    say(conversation, text)
    conversation.refresh_from_db()
    return conversation
