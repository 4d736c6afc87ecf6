"""The websocket consumer both sides of a conversation share.

Subclasses decide who may connect (`authorize`) and how a message is stored (`store_message`);
this class handles frames, flood control, resync by sequence number and group events.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext_noop

from helpdesk.chatprotocol import Frame, FrameError, RateLimiter, parse_frame
from helpdesk.floods import Budget, budgets_allow, budgets_join, budgets_leave
from helpdesk.models import Conversation
from helpdesk.realtime import connection_closed, connection_opened, server_loop_attach
from helpdesk.selectors import SYNC_PAGE_SIZE, message_payload, messages_after
from helpdesk.services import ChatError, PostResult

logger = logging.getLogger(__name__)


def in_database(function: Any) -> Any:
    """`function` on a database thread. In parallel on PostgreSQL (each call takes a pooled
    connection: one socket's query never waits behind another's); on SQLite, which has one
    writer at a time anyway, on the one thread channels shares (DATABASE_PARALLEL_CALLS)."""
    return database_sync_to_async(function, thread_sensitive=not settings.DATABASE_PARALLEL_CALLS)


class NoSharedThreadHop:
    """Handles each frame and event without first visiting channels' shared sync thread.

    Channels closes stale database connections on that one thread before every handler; our
    handlers reach the database only through `in_database`, whose own thread does the same
    before and after each call, so the visit only made every frame wait its turn there.
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY = 4429  # this customer has too many sockets open; the page retries slowly
CLOSE_RECONNECT = 4001  # the page reconnects at once, with the cookie it holds now


class ConversationSocket(NoSharedThreadHop, AsyncJsonWebsocketConsumer):
    viewer_kind = ""  # "customer" or "agent": shown to the other side in typing notices
    conversation: Conversation
    budgets: list[Budget]  # the shared flood budgets this socket counts against
    counted: bool  # in the open-connection count (and its groups) until leave()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.budgets, self.counted = [], False
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Not only after disconnect(): a client gone while we send makes the server raise
            # out of the send (uvicorn's ClientDisconnected) and channels ends the consumer
            # without a disconnect(). Its slots, its count and its groups go back all the same.
            await self.leave()

    async def connect(self) -> None:
        conversation = await in_database(self.authorize)()
        # Accept before closing: a close before the handshake reaches the browser as a bare
        # HTTP 403 (close code 1006), and the page could not tell "go away" from "try again".
        await self.accept()
        if conversation is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        budgets = budgets_join(self.flood_subjects())
        if budgets is None:
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.budgets = budgets
        await self.join(conversation)

    async def join(self, conversation: Conversation) -> None:
        self.conversation = conversation
        server_loop_attach()  # notices sent from threads go through this loop (a server's one)
        connection_opened(self.viewer_kind)
        self.counted = True
        for group in self.session_groups():
            await self.channel_layer.group_add(group, self.channel_name)
        self.limiter = RateLimiter(limit=settings.CHAT_RATE_LIMIT, window=settings.CHAT_RATE_WINDOW)
        await self.channel_layer.group_add(conversation.group_name, self.channel_name)
        await self.send_json(
            {
                "type": "welcome",
                "status": conversation.status,
                "last_seq": conversation.last_seq,
                **self.welcome(),
            }
        )

    async def disconnect(self, code: int) -> None:
        await self.leave()

    async def leave(self) -> None:
        """Give back what connect() took, once: flood slots, the connection count, groups."""
        budgets, self.budgets = self.budgets, []
        budgets_leave(budgets)
        if not self.counted:
            return
        self.counted = False
        connection_closed(self.viewer_kind)
        groups = [self.conversation.group_name, *self.session_groups()]
        try:
            for group in groups:
                await self.channel_layer.group_discard(group, self.channel_name)
        except Exception:  # a layer outage: its groups expire on their own
            logger.warning("Could not leave %s", groups, exc_info=True)

    async def session_revoked(self, event: dict[str, Any]) -> None:
        """The user signed out, changed password or was deactivated: this socket is theirs no
        longer (the page reads 4403 as "sign in again", not "reconnect")."""
        await self.close(code=CLOSE_FORBIDDEN)

    async def chat_customer_changed(self, event: dict[str, Any]) -> None:
        """The conversation moved to the profile the customer proved (helpdesk.identity): the
        customer's sockets were opened for the old one, so they reconnect with the new cookie."""
        if self.viewer_kind == "customer":
            await self.close(code=CLOSE_RECONNECT)

    def session_groups(self) -> list[str]:
        """Groups that close this socket when its user's session ends (none for customers)."""
        return []

    # --- hooks for subclasses ---------------------------------------------------------------
    def authorize(self) -> Conversation | None:
        raise NotImplementedError

    def flood_subjects(self) -> list[tuple[str, int, int]]:
        """Shared budgets (helpdesk.floods) this socket counts against, once authorized."""
        return []

    def store_message(self, *, body: str, client_msg_id: str) -> PostResult:
        raise NotImplementedError

    def welcome(self) -> dict[str, Any]:
        return {}

    async def language_changed(self, language: str) -> None:
        """The conversation now speaks `language` (helpdesk.services.conversation_language_set)."""

    def error_text(self, message: str) -> str:
        """A refusal's sentence as this socket's reader reads it."""
        return message

    def choose(self, *, seq: int, choice: str, contact: str) -> bool:
        """A button pressed under an assistant message; True when it was pressed before."""
        raise ChatError("forbidden", "Only the customer chooses here.")

    def typing_name(self) -> str:
        return ""

    def may_type(self) -> bool:
        """Whether this socket's typing notices reach the other side."""
        return True

    # --- frames from the client ---------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not hasattr(self, "conversation"):
            return  # refused at connect; the close is on its way
        if not self.limiter.allow() or not budgets_allow(self.budgets):
            await self.send_error(
                FrameError(
                    "rate_limited",
                    gettext_noop("Too many messages at once; wait a moment and resend."),
                )
            )
            return
        if text_data is None:
            await self.send_error(FrameError("malformed", "Send JSON text frames, not binary."))
            return
        try:
            frame = parse_frame(text_data, max_bytes=settings.CHAT_MAX_FRAME_BYTES)
        except FrameError as error:
            await self.send_error(error)
            return
        await getattr(self, f"frame_{frame.type}")(frame)

    async def frame_message(self, frame: Frame) -> None:
        client_id = frame.fields["client_id"]
        try:
            result = await in_database(self.store_message)(
                body=frame.fields["body"], client_msg_id=client_id
            )
        except ChatError as error:
            await self.send_error(FrameError(error.code, error.message, client_id=client_id))
            return
        # Answer our own socket directly; the group event carries it to everyone else.
        await self.send_json(
            {
                "type": "ack",
                "client_id": client_id,
                "duplicate": not result.created,
                "message": message_payload(result.message),
            }
        )

    async def frame_action(self, frame: Frame) -> None:
        client_id = frame.fields["client_id"]
        try:
            duplicate = await in_database(self.choose)(
                seq=frame.fields["seq"],
                choice=frame.fields["choice"],
                contact=frame.fields.get("contact", ""),
            )
        except ChatError as error:
            await self.send_error(FrameError(error.code, error.message, client_id=client_id))
            return
        await self.send_json({"type": "action_ack", "client_id": client_id, "duplicate": duplicate})

    async def frame_sync(self, frame: Frame) -> None:
        after = frame.fields["after"]
        while True:
            page = await in_database(self._sync_page)(after)
            await self.send_json(
                {"type": "sync", "messages": page, "complete": len(page) < SYNC_PAGE_SIZE}
            )
            if len(page) < SYNC_PAGE_SIZE:
                return
            after = page[-1]["seq"]

    def _sync_page(self, after: int) -> list[dict[str, Any]]:
        messages = messages_after(conversation_id=self.conversation.pk, after=after)
        return [message_payload(message) for message in messages]

    async def frame_typing(self, frame: Frame) -> None:
        if not await in_database(self.may_type)():
            return
        await self.channel_layer.group_send(
            self.conversation.group_name,
            {
                "type": "chat.typing",
                "who": self.viewer_kind,
                "name": self.typing_name(),
                "active": frame.fields["active"],
                "sender": self.channel_name,
            },
        )

    async def frame_ping(self, frame: Frame) -> None:
        # The last sequence number lets the page notice a notification it never received.
        last_seq = await in_database(self._last_seq)()
        await self.send_json({"type": "pong", "last_seq": last_seq})

    def _last_seq(self) -> int:
        return (
            Conversation.objects.filter(pk=self.conversation.pk)
            .values_list("last_seq", flat=True)
            .first()
            or 0
        )

    async def send_error(self, error: FrameError) -> None:
        await self.send_json({**error.as_frame(), "message": self.error_text(error.message)})

    # --- events from the channel layer ---------------------------------------------------------
    async def chat_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "message", "message": event["message"]})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["sender"] == self.channel_name:
            return
        if event["who"] == "customer" == self.viewer_kind:
            return  # the customer's own other tab
        await self.send_json(
            {
                "type": "typing",
                "who": event["who"],
                "name": event["name"],
                "active": event["active"],
            }
        )

    async def chat_choice(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "choice", "seq": event["seq"], "chosen": event["chosen"]})

    async def chat_status(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "status", "status": event["status"], "agent": event["agent"]})

    async def chat_language(self, event: dict[str, Any]) -> None:
        await self.language_changed(event["language"])
