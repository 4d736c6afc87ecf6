"""Words customers use when they ask something again: "sorry, so...", "just to confirm",
"I'm asking again", "pero a ver", "encore une fois", "nochmal". Together with the likeness of
two questions they tell a restatement from a new question on the same topic."""

from __future__ import annotations

import re

from assistant.text import fold

RESTATING = re.compile(
    r"\b(again|still|once more|one more time|just to (confirm|be clear|clarify)|to be clear|"
    r"i (already )?asked|i'?m asking|as i said|like i said|back to my|my (original|first) question|"
    r"you didn'?t (answer|say)|that didn'?t (answer|help)|that'?s not what i asked|so (is|can|do|does|"
    r"when|how|what|where|will)|^\W*sorry,? (so|but|i mean|how|when|what|where|can|is|do)|ok(ay)?,? but|but (how|when|what|where|can|do|"
    r"is)|i mean|in other words|"
    r"otra vez|de nuevo|pero a ver|a ver,|perdona,? (pero|entonces)|entonces,? (como|cuando|que|puedo)|"
    r"ya (te )?(lo )?pregunte|no me (has|ha) (respondido|contestado)|o no|"
    r"encore|de nouveau|je (repete|redemande)|donc,? (je|est-ce|comment|quand)|desole,? (mais|donc)|"
    r"vous n'avez pas repondu|oui ou non|ou pas|"
    r"nochmal|noch einmal|wie gesagt|also,? (wie|wann|was|kann)|entschuldigung,? (aber|also|was|wie)|"
    r"sie haben (nicht|meine frage nicht)|ja oder nein|oder nicht|or not|basically|i mean)\b"
)


def sounds_restated(text: str) -> bool:
    """Whether the message is worded like a question asked once more."""
    return bool(RESTATING.search(fold(text).strip()))
