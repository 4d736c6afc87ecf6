"""The customer's side of the live chat: /ws/chat/<public_id>/?token=..."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from helpdesk.chatsocket import ConversationSocket, in_database
from helpdesk.chattoken import ChatToken, cookie_tokens, read_chat_token
from helpdesk.floods import customer_subjects
from helpdesk.flows import customer_choose, customer_message_receive
from helpdesk.models import Conversation
from helpdesk.pagetexts import customer_chat_texts
from helpdesk.selectors import conversation_for_customer
from helpdesk.services import PostResult


class CustomerChatConsumer(ConversationSocket):
    viewer_kind = "customer"
    token: ChatToken

    def authorize(self) -> Conversation | None:
        """Only the customer whose signed cookie names this very conversation gets in.

        The token travels in the cookie, not the URL, so it never lands in access logs.
        """
        public_id = str(self.scope["url_route"]["kwargs"]["public_id"])
        for raw in cookie_tokens(self.scope.get("cookies", {})):  # the chat page's, the widget's
            token = read_chat_token(raw)
            if token is not None and token.conversation == public_id:
                self.token = token
                return conversation_for_customer(public_id=public_id, customer_id=token.customer_id)
        return None

    def flood_subjects(self) -> list[tuple[str, int, int]]:
        client = self.scope.get("client") or ("", 0)
        return customer_subjects(self.token.customer_id, str(client[0]))

    def store_message(self, *, body: str, client_msg_id: str) -> PostResult:
        # Checked again on every message: the conversation must still be this customer's. The
        # assistant's turn is owed in the same transaction and runs off this thread: its reply
        # reaches this socket (and any other tab) through the conversation's group.
        return customer_message_receive(
            public_id=self.conversation.public_id,
            customer_id=self.token.customer_id,
            body=body,
            client_msg_id=client_msg_id,
        )

    def choose(self, *, seq: int, choice: str, contact: str) -> bool:
        return customer_choose(
            public_id=self.conversation.public_id,
            customer_id=self.token.customer_id,
            message_seq=seq,
            choice=choice,
            contact=contact,
        ).duplicate

    def typing_name(self) -> str:
        """The name the customer gave (never the email: that may be someone else's until
        proved); none given, and the agent's page says "The customer"."""
        return self.conversation.customer.name

    def may_type(self) -> bool:
        return Conversation.objects.filter(
            pk=self.conversation.pk, status__in=Conversation.OPEN_STATUSES
        ).exists()

    def welcome(self) -> dict[str, Any]:
        # The language lets a page rendered before a change it never heard of (it was
        # disconnected) notice, and reload in the conversation's language.
        agent = self.conversation.assigned_agent
        return {
            "agent": agent.display_name if agent else None,
            "language": self.conversation.language,
        }

    async def language_changed(self, language: str) -> None:
        """The customer wrote in another language: the page's words, in it, to write in place."""
        self.conversation.language = language
        texts = await in_database(customer_chat_texts)(self.conversation)  # reads the greeting
        await self.send_json({"type": "language", "language": language, "texts": texts})

    def error_text(self, message: str) -> str:
        # The refusals a customer can meet are marked for translation where they are raised
        # (gettext_noop) and read here in the conversation's language; others stay as they are.
        with translation.override(self.conversation.language):
            return translation.gettext(message)
