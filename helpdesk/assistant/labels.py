"""Intent labels that mean something of their own to the assistant and the escalation engine.

Kept apart from intent.py so the engine, which must stay light and pure, can share them.
"""

OUT_OF_SCOPE = "out_of_scope"
# Conversation, not questions: answered from fixed texts, never counted as asking again.
SMALLTALK_INTENTS = frozenset({"greeting", "thanks", "goodbye", "complaint"})
