"""Recognising a customer asking for a person, in English, Spanish, French and German.

1. Find every mention of a person the customer could be handed to ("agent", "human",
   "representative", "jemandem", ...), on accent-folded text.
2. Drop mentions that are not about us: "travel agent", "representative photo", "human-readable".
3. A remaining mention counts when a request verb stands before it ("speak to", "connect me
   with", "hablar con") or the message is little more than the mention ("human please").
Phrases that need no person-noun ("not a bot", "call me back") are matched whole.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from assistant.text import fold

PERSON = (
    r"(human( being)?s?|humans|person|people|agents?|representatives?|reps?|operators?|managers?|supervisors?|"
    r"someone|somebody|anyone|anybody|staff|member of (your |the )?(staff|team)|advisors?|advisers?|"
    r"consultants?|employees?|associates?|specialists?|assistants?|support (team|staff)|"
    r"customer (service|support|care|assistance)( team)?|"
    r"live (chat|support)|"
    # es
    r"humanos?|personas?|agentes?|representantes?|operador(a|es)?|encargad[oa]|gerente|supervisor(a)?|alguien|"
    r"asesor(a)?|empleado|"
    # fr
    r"humains?|personnes?|conseill(er|ere)s?|operat(eur|rice)|responsable|quelqu'?un|vrai(e)? personne|"
    # de
    r"menschen?|mitarbeiter(in)?|person|berater(in)?|agenten|vorgesetzten?|jemand(em|en)?|kundendienst|"
    r"kundenservice)"
)

REQUEST_BEFORE = (
    r"((speak|talk|chat|connect|transfer|pass|escalate|reach|contact|call|phone|email|message)(s|ing|ed)?|"
    r"chatting|chatted|talkk|taok|tlak|speek|spek|conact|contac|uneed|ineed|"
    r"put|hand|get|need|want|give|"
    r"see|bring|prefer|request|ask for|looking for|"
    r"is there|are there|can i have|could i have|let me|"
    # es
    r"hablar|habla|comunicar|pasar|pasame|contactar|quiero|necesito|"
    # fr
    r"parler|discuter|passer|joindre|contacter|veux|voudrais|besoin|"
    # de
    r"sprechen|reden|verbinden|weiterleiten|mochte|will|brauche|bitte)"
)

NOT_ABOUT_US_BEFORE = re.compile(
    r"(travel|insurance|real estate|estate|booking|shipping|customs|sales|secret|free|leasing|"
    r"rental|letting|mortgage|tax|property|talent|sports|literary|press|fbi|cia|double|"
    r"my|his|her|our|their|another|other|otra|otro|"
    r"de viajes|de seguros|immobilier|d'assurance|de voyage|reiseburo|versicherungs|makler)\s*$"
)
NOT_ABOUT_US_AFTER = re.compile(
    r"^\s*(-?readable|-?friendly|error|rights|nature|resources|body|photo|image|picture|sample|"
    r"example|of the product|product|model|figure|value|smith|orange|photos|images|pictures|"
    r"samples|examples|faces?|skin|hair|else|d'autre|autre|logistic[oa]?s?|logistique)\b"
)
# "I don't need an agent", "no need for a human": the mention is declined, not asked for.
DECLINED = re.compile(
    r"\b(no need|don'?t need|do not need|doesn'?t need|not need|without|never asked for|"
    r"no necesito|no hace falta|pas besoin|n'ai pas besoin|brauche kein\w*|ohne)\b"
)

WHOLE_PHRASES = [
    (
        "not_a_bot",
        r"(?<!i'm )(?<!i am )(?<!im )\b(not|no|stop talking to|don'?t want)( to talk to)? (a |the |this |an? )?(bot|robot|machine|chatbot)\b(?! (checkbox|check box|captcha|test|box|button))",
    ),
    ("are_you_a_bot", r"\bare you (a |an )?(bot|robot|real|human|machine|ai)\b"),
    (
        "call_me",
        r"\b(call|ring|phone) me back\b|\b(can|could|would|will|please have) (someone|somebody|you|an agent|a person) (call|ring|phone|contact|email) me\b",
    ),
    (
        "contact_me",
        r"\b(someone|somebody|anyone|an agent|a person|a human|a member of staff|your team|your staff)\b.{0,40}\b(contact|call|ring|phone|email|e-mail|reach|get back to|get in touch with) (me|us)\b",
    ),
    ("real_person", r"(?<!by )\b(real|actual|live) (human|person|agent)\b"),
    (
        "callback",
        r"\b(get|have|want|need|request|arrange|book) a (call ?back|phone call)\b|\bcall ?back from (you|your|a|an|someone)\b",
    ),
    (
        "transfer_me",
        r"^\W*(please )?(transfer|escalate|forward) (me|this|my (case|issue|request|ticket))\b",
    ),
    ("fr_phone", r"\b(avoir|parler a) quelqu'?un (au telephone|de vive voix)\b"),
    ("es", r"\bno (quiero )?(hablar con )?(un|una|el) (bot|robot|maquina)\b|\bpersona real\b"),
    (
        "fr",
        r"\bpas (un|une|a un|avec un) (bot|robot|machine)\b|\bvraie? personne\b|\betre humain\b",
    ),
    ("de", r"\bkein(en)? (bot|roboter|maschine)\b|\becht(en|er|e)? (mensch|person|mitarbeiter)\b"),
]

PERSON_MENTION = re.compile(rf"\b{PERSON}\b")
REQUEST_CONTEXT = re.compile(rf"\b{REQUEST_BEFORE}\b")
WHOLE = [(name, re.compile(pattern)) for name, pattern in WHOLE_PHRASES]
FILLER = re.compile(
    r"\b(please|pls|plz|now|asap|i|want|need|a|an|the|to|me|just|give|get|real|live|por favor|"
    r"s'il vous plait|svp|bitte|jetzt|ya|maintenant|un|una|une|ein|einen|einem)\b|[^\w\s]"
)


@dataclass(frozen=True)
class ExplicitMatch:
    rule: str
    matched: str


# Person-nouns customers misspell: a token one edit away (two for "representative") is the noun.
CANONICAL_NOUNS = ("someone", "somebody", "person", "agent", "human", "operator", "assistant",
                   "representative", "supervisor", "manager", "customer", "service", "support")  # fmt: skip
GLUED_PREFIXES = ("to", "with", "an", "a")
# Real words a letter away from a person-noun ("argent" is French for money, not "agent").
NOT_TYPOS = frozenset({"argent", "urgent", "agency", "persona", "personal", "humane", "assistance",
                       "operate", "manages", "managed", "services", "supports", "customs"})  # fmt: skip


def _normalise(folded: str) -> str:
    return " ".join(_fix_token(token) for token in folded.split())


@functools.lru_cache(maxsize=8192)  # customers reuse their words: spare the edit distances
def _fix_token(token: str) -> str:
    core = token.strip(".,!?;:")
    if len(core) < 5 or core in CANONICAL_NOUNS or core in NOT_TYPOS:
        return token
    for prefix in GLUED_PREFIXES:  # "tosomebody" -> "to somebody"
        if core.startswith(prefix) and core[len(prefix) :] in CANONICAL_NOUNS:
            return f"{prefix} {core[len(prefix) :]}"
    for noun in CANONICAL_NOUNS:
        if abs(len(noun) - len(core)) <= 2 and _distance(core, noun) <= (
            1 if len(noun) < 12 else 2
        ):
            return noun
    return token


def _distance(a: str, b: str) -> int:
    """Optimal string alignment distance: edits, with a swap of neighbours counting once."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)
            )
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def find_explicit_request(
    text: str, extra: list[re.Pattern[str]] | None = None
) -> ExplicitMatch | None:
    folded = _normalise(fold(text))
    for pattern in extra or []:
        if found := pattern.search(folded):
            return ExplicitMatch("supervisor_phrase", found.group(0))
    for name, pattern in WHOLE:
        if found := pattern.search(folded):
            return ExplicitMatch(name, found.group(0))
    short = len(folded.split()) <= 6
    for mention in PERSON_MENTION.finditer(folded):
        before, after = folded[: mention.start()], folded[mention.end() :]
        # Only the words near the mention matter; looking at no more keeps a long message linear.
        before, after = before[-80:], after[:40]
        window = " ".join(before.split()[-6:])
        if (
            NOT_ABOUT_US_BEFORE.search(before)
            or NOT_ABOUT_US_AFTER.search(after)
            or DECLINED.search(window)
        ):
            continue
        if _asks_for(window) or (short and _little_else(folded, mention.group(0))):
            return ExplicitMatch("asks_for_person", mention.group(0))
    return None


def _asks_for(window: str) -> bool:
    """A request word within the few words before the mention."""
    return bool(REQUEST_CONTEXT.search(window))


def _little_else(folded: str, mention: str) -> bool:
    """'human please', 'agent!!', 'operator now': the mention is the whole message."""
    rest = FILLER.sub(" ", folded.replace(mention, " ", 1))
    return not rest.split()
