"""Agents' sockets (session auth): the live chat with one customer at
/ws/agent/conversations/<public_id>/, and the inbox's live updates at /ws/agent/inbox/."""

from __future__ import annotations

import json
import logging
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth.models import AnonymousUser

from agents.models import Agent
from agents.selectors import agent_for_user
from agents.services import agent_heartbeat, agent_page_closed
from helpdesk.chatsocket import CLOSE_FORBIDDEN, ConversationSocket, NoSharedThreadHop, in_database
from helpdesk.flows import agent_post_message
from helpdesk.models import Conversation
from helpdesk.realtime import (
    INBOX_GROUP,
    agent_group,
    connection_closed,
    connection_opened,
    user_group,
)
from helpdesk.selectors import conversation_by_public_id
from helpdesk.services import PostResult

logger = logging.getLogger(__name__)


class AgentChatConsumer(ConversationSocket):
    viewer_kind = "agent"
    agent: Agent

    def authorize(self) -> Conversation | None:
        """Any signed-in agent may watch; posting needs a join, checked per message."""
        agent = agent_for_user(self.scope.get("user") or AnonymousUser())
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

    def session_groups(self) -> list[str]:
        return [user_group(self.agent.user_id)]

    def may_type(self) -> bool:
        return Conversation.objects.filter(
            pk=self.conversation.pk,
            assigned_agent=self.agent,
            status=Conversation.Status.WITH_AGENT,
        ).exists()

    def welcome(self) -> dict[str, Any]:
        # The agent's name too, as in every status frame: the page's status line keeps it.
        agent = self.conversation.assigned_agent
        return {
            "joined": self.conversation.is_with(self.agent.pk),
            "agent": agent.display_name if agent else None,
        }


class InboxConsumer(NoSharedThreadHop, AsyncJsonWebsocketConsumer):
    """Tells an agent's inbox page that the list changed (a new escalation, a join, a resolve).

    It carries only ids, urgency and trigger: the page fetches the rows themselves over htmx, so
    what an agent sees is always what the database says, and a lost event costs nothing but a
    moment (the page also refreshes on a timer).
    """

    agent_id: int | None = None
    user_id: int = 0
    counted = False  # in the open-connection count and the groups until leave()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:  # also when the client left mid-send (see helpdesk.chatsocket)
            await self.leave()

    async def connect(self) -> None:
        allowed = await in_database(self._is_agent)()
        await self.accept()  # then close: a refused handshake looks like a network error
        if not allowed:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        connection_opened("inbox")
        self.counted = True
        await self.channel_layer.group_add(INBOX_GROUP, self.channel_name)
        assert self.agent_id is not None
        await self.channel_layer.group_add(agent_group(self.agent_id), self.channel_name)
        await self.channel_layer.group_add(user_group(self.user_id), self.channel_name)

    async def disconnect(self, code: int) -> None:
        await self.leave()

    async def leave(self) -> None:
        """Once: out of the count and the groups (a layer outage: they expire on their own)."""
        if not self.counted:
            return
        self.counted = False
        connection_closed("inbox")
        assert self.agent_id is not None
        groups = [INBOX_GROUP, agent_group(self.agent_id), user_group(self.user_id)]
        try:
            for group in groups:
                await self.channel_layer.group_discard(group, self.channel_name)
        except Exception:
            logger.warning("Could not leave %s", groups, exc_info=True)
        try:
            await in_database(agent_page_closed)(agent_id=self.agent_id)
        except Exception:  # the heartbeats' two minutes still hold
            logger.warning("Could not note agent %s's page closed", self.agent_id, exc_info=True)

    async def session_revoked(self, event: dict[str, Any]) -> None:
        """Signed out, password changed or deactivated: the inbox closes (4403: sign in again)."""
        await self.close(code=CLOSE_FORBIDDEN)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data:  # the base class raises, closing the socket, on a binary or empty frame
            await super().receive(text_data=text_data)

    @classmethod
    async def decode_json(cls, text_data: str) -> Any:
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):
            return None  # not JSON: ignored like any other frame that is not a ping

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """The inbox sends nothing but pings; anything else is ignored."""
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def inbox_escalated(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {key: event[key] for key in ("type", "conversation", "urgency", "trigger")}
        )

    async def inbox_alert(self, event: dict[str, Any]) -> None:
        await self.send_json({key: event[key] for key in ("type", "conversation", "text")})

    async def inbox_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({key: event[key] for key in ("type", "conversation", "kind")})

    def _is_agent(self) -> bool:
        user = self.scope.get("user")
        if not (user and user.is_authenticated):
            return False
        agent = agent_for_user(user)
        self.agent_id, self.user_id = (agent.pk if agent else None), user.pk
        if agent is not None:
            agent_heartbeat(agent=agent)  # a reload's new page: still here
        return agent is not None
