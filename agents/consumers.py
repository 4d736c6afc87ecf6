"""The agent's side of the live chat: /ws/agent/conversations/<public_id>/ (session auth)."""

from __future__ import annotations

from typing import Any

from agents.models import Agent
from agents.services import agent_post_message
from helpdesk.chatsocket import ConversationSocket
from helpdesk.models import Conversation
from helpdesk.selectors import conversation_by_public_id
from helpdesk.services import PostResult


class AgentChatConsumer(ConversationSocket):
    viewer_kind = "agent"
    agent: Agent

    def authorize(self) -> Conversation | None:
        """Any signed-in agent may watch; posting needs a join, checked per message."""
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return None
        agent = Agent.objects.filter(user=user).first()
        if agent is None:
            return None
        self.agent = agent
        return conversation_by_public_id(self.scope["url_route"]["kwargs"]["public_id"])

    def store_message(self, *, body: str, client_msg_id: str) -> PostResult:
        return agent_post_message(
            public_id=self.conversation.public_id,
            agent=self.agent,
            body=body,
            client_msg_id=client_msg_id,
        )

    def typing_name(self) -> str:
        return self.agent.display_name

    def may_type(self) -> bool:
        return Conversation.objects.filter(
            pk=self.conversation.pk,
            assigned_agent=self.agent,
            status__in=Conversation.OPEN_STATUSES,
        ).exists()

    def welcome(self) -> dict[str, Any]:
        return {"joined": self.conversation.assigned_agent_id == self.agent.pk}
