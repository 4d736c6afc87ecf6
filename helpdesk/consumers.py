"""The customer's side of the live chat: /ws/chat/<public_id>/?token=..."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from helpdesk.chatsocket import ConversationSocket
from helpdesk.chattoken import ChatToken, read_chat_token
from helpdesk.models import Conversation
from helpdesk.selectors import conversation_for_customer
from helpdesk.services import PostResult, customer_post_message


class CustomerChatConsumer(ConversationSocket):
    viewer_kind = "customer"
    token: ChatToken

    def authorize(self) -> Conversation | None:
        """Only the customer holding a signed token for this very conversation gets in."""
        query = parse_qs(self.scope.get("query_string", b"").decode("latin1"))
        token = read_chat_token(query.get("token", [""])[0])
        public_id = str(self.scope["url_route"]["kwargs"]["public_id"])
        if token is None or token.conversation != public_id:
            return None
        self.token = token
        return conversation_for_customer(public_id=public_id, customer_id=token.customer_id)

    def store_message(self, *, body: str, client_msg_id: str) -> PostResult:
        # Checked again on every message: the conversation must still be this customer's.
        return customer_post_message(
            public_id=self.conversation.public_id,
            customer_id=self.token.customer_id,
            body=body,
            client_msg_id=client_msg_id,
        )

    def welcome(self) -> dict[str, Any]:
        agent = self.conversation.assigned_agent
        return {"agent": agent.display_name if agent else None}
