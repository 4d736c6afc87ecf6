"""The flows layer: the use cases of a conversation, each calling the domain apps' services in
the order the conversation needs. The interfaces (the websocket consumers, the REST API, the
pages, `replay`, `seed_demo`, Celery tasks) call these; nothing below calls up
(docs/architecture.md, checked by import-linter in `make lint`).

- open a conversation: conversation_open
- receive a customer message: customer_message_receive (acknowledged at once, its turn owed
  and taken off the caller's thread), or customer_message_answer (the turn taken now)
- a customer's choice under an assistant message: customer_choose
- an agent's message, join, leave, resolve: agent_post_message, conversation_join,
  conversation_leave, conversation_resolve
- the assistant's owed turns: turns_take (a worker or a turn thread), turns_sweep (periodic)
"""

from helpdesk.flows.conversations import (
    agent_post_message,
    conversation_join,
    conversation_leave,
    conversation_open,
    conversation_resolve,
)
from helpdesk.flows.messages import (
    customer_choose,
    customer_message_answer,
    customer_message_receive,
)
from helpdesk.flows.owed import turns_sweep, turns_take
from helpdesk.flows.turn import TurnOutcome, customer_turn_handle

__all__ = [
    "TurnOutcome",
    "agent_post_message",
    "conversation_join",
    "conversation_leave",
    "conversation_open",
    "conversation_resolve",
    "customer_choose",
    "customer_message_answer",
    "customer_message_receive",
    "customer_turn_handle",
    "turns_sweep",
    "turns_take",
]
