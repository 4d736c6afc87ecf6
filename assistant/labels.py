"""Intent labels that mean something of their own to the assistant and the escalation engine,
and what an intent is to the pure parts of the code (no ORM here: the engine imports this).
"""

from __future__ import annotations

from dataclasses import dataclass

OUT_OF_SCOPE = "out_of_scope"
HUMAN_REQUEST = "human_request"
COMPLAINT = "complaint"  # venting: acknowledged, and handed over if the anger goes on
# Conversation, not questions: answered from fixed texts, never counted as asking again.
SMALLTALK_INTENTS = frozenset({"greeting", "thanks", "goodbye", "complaint"})


@dataclass(frozen=True)
class IntentInfo:
    """What the responder and the engine need to know of an enabled intent."""

    code: str
    name: str
    handling: str  # answer, hand_over, conversation, off_topic (assistant.models.Intent.Handling)
    answer: str = ""
