"""The people and things the security tests point at each route.

Roles: nobody; customer A, whose chat cookie names conversation A; customer B, whose cookie names
their own conversation B; a claimant, whose own chat claims customer A's email and has not proven
it; an agent (dana) who has joined conversation A; another agent (sam) who has not; a supervisor
(staff, with an agent profile, as the demo's supervisor has); staff without an agent profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from agents.models import Agent
from escalation.models import Callback
from helpdesk.chattoken import CHAT_COOKIE, make_chat_token
from helpdesk.flows import conversation_join, conversation_open
from helpdesk.identity import email_claim
from helpdesk.models import Conversation, Customer
from tests.api.conftest import scheduled_callback
from tests.support.factories import escalated_conversation
from tests.support.wsclient import chat_cookie, session_cookie

ROLES = (
    "anonymous",
    "customer_a",
    "customer_b",
    "claimant",
    "agent",
    "other_agent",
    "supervisor",
    "staff",
)
NO_SESSION = ("anonymous", "customer_a", "customer_b", "claimant")  # Django sees nobody signed in
AGENT_ROLES = ("agent", "other_agent", "supervisor")


@dataclass
class World:
    conversation: Conversation  # customer A's, escalated; the agent has joined it
    other: Conversation  # customer B's
    callback: Callback  # a scheduled call, on a third customer's conversation
    agents: dict[str, Agent]  # role -> agent profile
    claimed: Conversation  # the claimant's: it claims customer A's email, unproven
    staff: User  # staff, no agent profile

    @property
    def ids(self) -> dict[str, Any]:
        return {
            "conversation": self.conversation.public_id,
            "other": self.other.public_id,
            "callback": self.callback.pk,
            "other_agent": self.agents["other_agent"].pk,
        }

    @property
    def chats(self) -> dict[str, Conversation]:
        """The conversation each customer role's chat cookie names."""
        return {"customer_a": self.conversation, "customer_b": self.other, "claimant": self.claimed}

    def chat_token(self, role: str) -> str | None:
        conversation = self.chats.get(role)
        if conversation is None:
            return None
        return make_chat_token(
            customer_id=conversation.customer_id, conversation=str(conversation.public_id)
        )

    def client(self, role: str, **defaults: Any) -> Client:
        client = Client(**defaults)
        if role in AGENT_ROLES:
            client.force_login(self.agents[role].user)
        elif role == "staff":
            client.force_login(self.staff)
        elif token := self.chat_token(role):
            client.cookies[CHAT_COOKIE] = token
        return client

    def socket_cookie(self, role: str) -> bytes | None:
        """What the role's browser sends with a websocket handshake."""
        if role in AGENT_ROLES:
            return session_cookie(self.agents[role].user)
        if role == "staff":
            return session_cookie(self.staff)
        if role in self.chats:
            return chat_cookie(self.chats[role])
        return None


def build_world(dana: Agent, sam: Agent, supervisor_user: User) -> World:
    supervisor = Agent.objects.create(user=supervisor_user, display_name="Morgan Lead")
    # Nobody online while the conversations are created: routing offers nothing to anyone.
    Agent.objects.update(presence=Agent.Presence.OFFLINE)
    conversation = escalated_conversation("Alice Martin", email="alice@example.com")
    conversation_join(public_id=conversation.public_id, agent=dana)
    conversation.refresh_from_db()
    other = conversation_open(customer=Customer.objects.create(name="Bob Stone"))
    callback = scheduled_callback(
        conversation_open(customer=Customer.objects.create(name="Cy Caller"))
    )
    claimed = conversation_open(customer=Customer.objects.create(name="Mallory"))
    email_claim(conversation=claimed, email="alice@example.com")
    Agent.objects.update(presence=Agent.Presence.ONLINE)
    return World(
        conversation=conversation,
        other=other,
        callback=callback,
        agents={"agent": dana, "other_agent": sam, "supervisor": supervisor},
        claimed=claimed,
        staff=User.objects.create_user("stella", password="pw-stella", is_staff=True),
    )
