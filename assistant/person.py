"""Recognising a customer asking for a person, in English, Spanish, French and German.

A message is read clause by clause ("are you a bot? whatever, just tell me..." is two), so a
request at the end of a long message counts and a declined mention elsewhere does not:
1. A clause that declines a person ("I don't need an agent", "no necesito hablar con nadie",
   "ich brauche keinen Mitarbeiter") or only asks whether we are a bot is not a request.
2. Phrases that need no person-noun are matched whole: "not a bot", "call me back",
   "can someone from your team contact me", "¿podría llamarme alguien?", "Rückruf".
3. Otherwise every mention of someone the customer could be handed to ("agent", "human",
   "one of your team", "jemandem") counts when a request verb stands before it ("speak to",
   "connect me with", "hablar con") or the clause is little more than the mention ("human
   please"), unless it is not about us ("travel agent", "in person", "the delivery agent").
4. Finally the learned reader (assistant.cues) judges each clause the rules did not decide, for
   the wordings no rule lists.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.text import fold

STAFF = (
    r"(human( being)?s?|humans|person|people|agents?|representatives?|reps?|operators?|managers?|"
    r"supervisors?|staff|member of (your |the )?(staff|team)|members of (your |the )?(staff|team)|"
    r"team members?|staff members?|advisors?|advisers?|consultants?|employees?|associates?|"
    r"colleagues?|specialists?|assistants?|support (team|staff|agent)|(your|ur) team|"
    r"customer (service|support|care|assistance)( team| rep| agent)?|live (chat|support|agent)|"
    r"one of (your|ur|you) (people|ppl|guys|team|staff|agents|advisors|colleagues|reps)|"
    r"(your|ur) (people|ppl|guys)|"
    # es
    r"humanos?|personas?|agentes?|representantes?|operador(a|es)?|encargad[oa]|gerente|"
    r"supervisor(a)?|asesor(a|es)?|emplead[oa]s?|atencion al cliente|servicio al cliente|"
    r"(alguien|una persona|uno) de (vuestro|su|tu) equipo|vuestro equipo|"
    # fr
    r"humains?|personnes?|conseill(er|ere)s?|operat(eur|rice)s?|responsable|vrai(e)? personne|"
    r"service client|membre de (votre|ton) equipe|(votre|ton) equipe|agent du service client|"
    # de
    r"menschen?|mitarbeiter(in|innen)?|berater(in)?|agenten|vorgesetzten?|kundendienst|"
    r"kundenservice|support-?team|ansprechpartner(in)?|sachbearbeiter(in)?)"
)
SOMEONE = (
    r"(someone|somebody|anyone|anybody|alguien|quelqu'?un|jemand(em|en)?|"
    r"a real one|an actual one)"
)

# Verbs of asking to be put in touch, standing before the mention.
REQUEST_BEFORE = (
    r"((speak|talk|chat|connect|transfer|pass|escalate|reach|contact|call|phone|ring)(s|ing|ed)?|"
    r"chatting|chatted|talkk|taok|tlak|speek|spek|conact|contac|uneed|ineed|"
    r"put|hand|get|need|want|give|see|bring|prefer|request|ask for|looking for|discuss|"
    r"is there|are there|can i have|could i have|let me|rather|"
    # es
    r"hablar|habla|comunicar|pasar|pasame|paseme|contactar|quiero|quisiera|necesito|"
    # fr
    r"parler|discuter|passer|joindre|contacter|veux|voudrais|besoin|relation|"
    # de
    r"sprechen|reden|verbinden|weiterleiten|mochte|will|brauche|bitte)"
)
# For "someone"/"anyone" the verb must be about talking to them, not sending them a gift.
SOMEONE_REQUEST_BEFORE = (
    r"((speak|talk|chat|connect|transfer|put me through|get through|escalate|contact|reach)(s|ing|ed)?|"
    r"(talk|speak|chat) (to|with)|can i get|could i get|need|want|is there|"
    r"hablar con|pasame con|paseme con|parler a|parler avec|passer a|mettre en relation avec|"
    r"sprechen mit|mit|verbinden mit)"
)

NOT_ABOUT_US_BEFORE = re.compile(
    r"(travel|insurance|real estate|estate|booking|shipping|customs|sales|secret|free|leasing|"
    r"rental|letting|mortgage|tax|property|talent|sports|literary|press|fbi|cia|double|cleaning|"
    r"delivery|courier|postal|post office|parcel|dhl|ups|dpd|fedex|hermes|gls|"
    r"my|his|her|our|their|another|other|otra|otro|in|en|\bthe [a-z]+ (at|from|in) the|"
    r"de viajes|de seguros|immobilier|d'assurance|de voyage|reiseburo|versicherungs|makler|"
    r"de la mensajeria|del transportista|de reparto|du transporteur|de livraison|"
    r"paketbote|zusteller|lieferdienst)\s*$"
)
NOT_ABOUT_US_AFTER = re.compile(
    r"^\s*(-?readable|-?friendly|error|rights|nature|resources|body|photo|image|picture|sample|"
    r"example|of the product|product|model|figure|value|smith|orange|photos|images|pictures|"
    r"samples|examples|faces?|skin|hair|else|d'autre|autre|logistic[oa]?s?|logistique|"
    r"(told|said|says|promised|mentioned|left|delivered|dropped|came|was|were|had|did|gave)\b)"
)
# "I don't need an agent", "no need for a human": the mention is declined, not asked for.
DECLINED = re.compile(
    r"\b(no need|don'?t (really )?(need|want|wish)|do not (need|want)|doesn'?t need|not need|"
    r"not asking|never asked|without|rather not|nor do i need|not looking for|no (agent|human)|"
    r"no necesito|no quiero|no hace falta|no busco|sin hablar|"
    r"pas besoin|n'ai pas besoin|ne veux pas|ne cherche pas|inutile de|sans passer|pas la peine|"
    r"brauche (\w+ )?kein\w*|will (\w+ )?kein\w*|mochte (\w+ )?kein\w*|ohne|nicht notig|"
    r"muss (mich |uns )?niemand|niemand muss)\b"
)
# "are you a bot?": a question about us, a request only when it is all the customer wrote.
ABOUT_THE_BOT = re.compile(
    r"\b(are you|r u|am i (talking|chatting|speaking) (to|with)|is this) (a |an |the )?"
    r"(bot|robot|real|human|machine|ai|person|computer)\b|\b(eres|es usted) (un )?(bot|robot|humano)\b|"
    r"\b(es-tu|etes-vous|vous etes) (un )?(bot|robot|humain)\b|\b(bist du|sind sie) (ein )?(bot|roboter|mensch)\b"
)
CARRY_ON = re.compile(
    r"\b(whatever|anyway|doesn'?t matter|no matter|never ?mind|just tell|just answer|da igual|"
    r"no importa|peu importe|bref|egal|jedenfalls)\b"
)

WHOLE_PHRASES = [
    (
        "not_a_bot",
        r"(?<!i'm )(?<!i am )(?<!im )\b(not|no|stop talking to|don'?t want|do not want|sick of|"
        r"tired of|enough of)( to talk to| talking to| with)? (a |the |this |an? |your )?"
        r"(bot|robot|machine|chatbot|ai|computer)s?\b(?! (checkbox|check box|captcha|test|box|button))",
    ),
    (
        "call_me",
        r"\b(call|ring|phone|contact) me (back|later|tomorrow|today|asap|on|at)\b|"
        r"\b(give me a (ring|call|bell)|call ?back (from|please|asap)|a phone call from)\b|"
        r"\b(can|could|would|will|please have|please get) (someone|somebody|you|one of (your|ur) \w+|"
        r"an agent|a person|a human) (call|ring|phone|contact|email) me\b",
    ),
    (
        "contact_me",
        r"\b(someone|somebody|anyone|an agent|a person|a human|a member of (staff|your team)|"
        r"your team|your staff|one of (your|ur) (people|ppl|team|staff|agents|colleagues|advisors))\b"
        r".{0,40}\b(contact|call|ring|phone|email|e-mail|reach|get back to|get in touch with) (me|us)\b",
    ),
    ("real_person", r"(?<!by )\b(real|actual|live|proper) (human|person|agent|people)\b"),
    (
        "callback",
        r"\b(get|have|want|need|request|arrange|book|like|love) (a |an )?(call ?back|phone call|"
        r"callback)\b",
    ),
    (
        "someone_from_us",
        r"\b(someone|somebody|anyone|one of you) (from|at|in|of|on) (your|ur|the) "
        r"(team|company|store|shop|side|end|staff|customer service|support)\b"
        r"(?!.{0,30}\b(said|told|promised)\b)",
    ),
    (
        "human_to_call",
        r"\b(human|person|someone|somebody|anyone|number) (i|we) (can|could) (call|ring|phone|talk to|speak to)\b",
    ),
    (
        "transfer_me",
        r"^\W*(please )?(transfer|escalate|forward|put) (me|this|my (case|issue|request|ticket))"
        r"( through| to| up)?\b",
    ),
    ("fr_phone", r"\b(avoir|parler a) quelqu'?un (au telephone|de vive voix)\b"),
    (
        "es",
        r"\bno (quiero )?(hablar con )?(un|una|el) (bot|robot|maquina)\b|\bpersona real\b|"
        r"\b(llamarme|llameme|llamame|me (devuelva|devolviera|devuelvan|llame|llamen)( la llamada)?)\b",
    ),
    (
        "fr",
        r"\bpas (un|une|a un|avec un) (bot|robot|machine)\b|\bvraie? personne\b|\betre humain\b|"
        r"\b(me rappeler|rappelez-moi|rappelle-moi)\b(?!\s+(le|la|les|l'|ce|cette|quel|quelle|comment|"
        r"combien|pourquoi|mon|ma|mes|votre|vos|de|du|des|ou|si|que|qu)\b)|"
        r"\b(me recontacter|mis en relation|mettre en relation)\b",
    ),
    (
        "de",
        r"\bkein(en)? (bot|roboter|maschine)\b|\becht(en|er|e)? (mensch|person|mitarbeiter)\b|"
        r"\b(ruckruf|zuruckrufen|zuruckruft|ruft mich|rufen sie mich|ruf mich|mich anrufen|"
        r"mich zuruck)\b",
    ),
]

STAFF_MENTION = re.compile(rf"\b{STAFF}\b")
SOMEONE_MENTION = re.compile(rf"\b{SOMEONE}\b")
REQUEST_CONTEXT = re.compile(rf"\b{REQUEST_BEFORE}\b")
SOMEONE_CONTEXT = re.compile(rf"\b{SOMEONE_REQUEST_BEFORE}\b")
# German puts the verb last: "mit einem Mitarbeiter sprechen".
REQUEST_AFTER = re.compile(
    r"^\W*(\w+\W+){0,3}(sprechen|reden|telefonieren|verbunden|chatten|zuruckrufen|anrufen)\b"
)
WHOLE = [(name, re.compile(pattern)) for name, pattern in WHOLE_PHRASES]
FILLER = re.compile(
    r"\b(please|pls|plz|now|asap|i|want|need|a|an|the|to|me|just|give|get|real|live|por favor|"
    r"s'il vous plait|svp|bitte|jetzt|ya|maintenant|un|una|une|ein|einen|einem|ok|okay|hi|"
    r"hello|hola|bonjour|hallo)\b|[^\w\s]"
)
CLAUSE_BREAK = re.compile(
    r"(?<=[.!?;])\s+|\s*[.!?;]+\s*$|\s+(?=\b(but|however|pero|sino|mais|cependant|aber|sondern)\b)|"
    r",\s+"
)


@dataclass(frozen=True)
class ExplicitMatch:
    rule: str
    matched: str


@dataclass(frozen=True)
class PersonRequest:
    """What a message says about wanting a person."""

    asked: bool
    rule: str = ""  # the rule that recognised it, "learned" for the reader
    matched: str = ""  # the words (or clause) that asked
    probability: float = 0.0  # the learned reader's highest reading over the clauses
    declined: bool = False  # a person was mentioned and declined ("I don't need an agent")
    rest: str = ""  # what remains once declined mentions and "are you a bot?" are set aside
    # When it asked: the message's other clauses, the problem a person is wanted for
    # ("I ordered size 42 and got 38" in "I ordered size 42 and got 38. I want a person").
    problem: str = ""


# Person-nouns customers misspell: a token one edit away (two for "representative") is the noun.
CANONICAL_NOUNS = ("someone", "somebody", "person", "agent", "human", "operator", "assistant",
                   "representative", "supervisor", "manager", "customer", "service", "support",
                   "humano", "persona", "agente", "mitarbeiter", "conseiller", "operador",
                   "talk", "speak")  # fmt: skip
GLUED_PREFIXES = ("to", "with", "an", "a")
# Real words a letter away from a person-noun ("argent" is French for money, not "agent").
NOT_TYPOS = frozenset({"argent", "urgent", "agency", "persona", "personal", "humane", "assistance",
                       "operate", "manages", "managed", "services", "supports", "customs",
                       "speaks", "talks", "agents", "humans", "persons", "personas", "agentes",
                       "humanos", "sneak", "steak", "speck", "tall", "tale", "walk",
                       "taken", "token", "argente", "parson", "poison", "prison",
                       "lesson", "season", "reason", "cursor", "costumer", "perdona",
                       "perdon", "pardon", "personne", "agenda", "humor",
                       "human", "manger", "menage", "mensch", "sprach"})  # fmt: skip


def _normalise(folded: str) -> str:
    return " ".join(_fix_token(token) for token in folded.split())


@functools.lru_cache(maxsize=8192)  # customers reuse their words: spare the edit distances
def _fix_token(token: str) -> str:
    core = token.strip(".,!?;:¿¡")
    if len(core) < 4 or core in CANONICAL_NOUNS or core in NOT_TYPOS:
        return token
    if core in {"umano", "umanos"}:  # a silent h, often dropped in Spanish
        return "humano"
    for prefix in GLUED_PREFIXES:  # "tosomebody" -> "to somebody"
        if core.startswith(prefix) and core[len(prefix) :] in CANONICAL_NOUNS:
            return f"{prefix} {core[len(prefix) :]}"
    if len(core) < 5:
        return token
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


def clauses(text: str) -> list[str]:
    """The message's clauses: sentences, the parts between commas, and either side of "but"."""
    pieces = [piece.strip() for piece in CLAUSE_BREAK.split(text) if piece and piece.strip()]
    words_only = [p for p in pieces if re.search(r"\w", p) and p.lower() not in _BREAK_WORDS]
    return words_only or [text]


_BREAK_WORDS = {"but", "however", "pero", "sino", "mais", "cependant", "aber", "sondern",
                "whatever", "anyway", "da igual", "peu importe", "egal"}  # fmt: skip


def find_person_request(
    text: str,
    *,
    extra: Sequence[re.Pattern[str]] = (),
    reader: Callable[[list[str]], list[float]] | None = None,
    threshold: float = 0.5,
) -> PersonRequest:
    """Whether `text` asks for a person. `reader` gives the learned probability of each clause
    asking (assistant.cues); `extra` are a supervisor's own phrases."""
    parts = clauses(text)
    folded_parts = [_normalise(fold(part)) for part in parts]
    whole = _normalise(fold(text))
    for pattern in extra:
        if found := pattern.search(whole):
            return PersonRequest(True, "supervisor_phrase", found.group(0))
    declined = [bool(_declines(part)) for part in folded_parts]
    about_bot = [bool(ABOUT_THE_BOT.search(part)) for part in folded_parts]
    carries_on = any(CARRY_ON.search(part) for part in folded_parts) or len(parts) > 1
    for index, (folded, is_declined, is_about_bot) in enumerate(
        zip(folded_parts, declined, about_bot, strict=True)
    ):
        if is_declined:
            continue
        if is_about_bot and carries_on and not _whole_rule(folded):
            continue  # "are you a bot? whatever, just tell me..."
        match = _rule_match(folded)
        if match is not None:
            return PersonRequest(
                True,
                match.rule,
                match.matched,
                declined=any(declined),
                problem=_besides(parts, index),
            )
    set_aside = [d or (b and carries_on) for d, b in zip(declined, about_bot, strict=True)]
    rest = " ".join(p for p, aside in zip(parts, set_aside, strict=True) if not aside)
    rest = rest if any(set_aside) else ""
    probabilities = reader(parts) if reader is not None else [0.0] * len(parts)
    best = 0.0
    for index, (part, probability, is_declined, is_about_bot) in enumerate(
        zip(parts, probabilities, declined, about_bot, strict=True)
    ):
        if is_declined or (is_about_bot and carries_on):
            continue
        best = max(best, probability)
        if probability >= threshold:
            return PersonRequest(
                True,
                "learned",
                part[:200],
                round(probability, 4),
                any(declined),
                problem=_besides(parts, index),
            )
    return PersonRequest(False, probability=round(best, 4), declined=any(declined), rest=rest)


def _besides(parts: list[str], asking: int) -> str:
    """The clauses other than the one that asked for a person, when there are any."""
    return " ".join(part for index, part in enumerate(parts) if index != asking)


def find_explicit_request(
    text: str, extra: Sequence[re.Pattern[str]] | None = None
) -> ExplicitMatch | None:
    """The rules alone (no learned reader): what matched, or None."""
    found = find_person_request(text, extra=extra or ())
    return ExplicitMatch(found.rule, found.matched) if found.asked else None


def _declines(folded: str) -> bool:
    """A clause that mentions a person only to say it needs none."""
    found = DECLINED.search(folded)
    if found is None:
        return False
    # Only the few words the negation governs: "I don't want to wait, just put me through to
    # someone" declines the wait, not the person.
    after = re.split(
        r"[,.;:!?]|\b(just|but|so|please|pero|mais|aber|sino|sondern)\b", folded[found.end() :]
    )[0]
    after = " ".join(after.split()[:6])
    if re.search(r"\b(bot|robot|machine|chatbot|roboter|maschine|maquina)\b", after[:25]):
        return False  # "I don't want a bot": a request for a person
    return bool(
        STAFF_MENTION.search(after)
        or SOMEONE_MENTION.search(after)
        or re.search(
            r"\b(nadie|personne|niemand(en)?|anyone|talk|speak|transfer|pass|call|ring|llame|"
            r"llamen|rappelle|rappeler|zuruckrufen|anrufen)\b",
            after,
        )
    )


def _whole_rule(folded: str) -> ExplicitMatch | None:
    for name, pattern in WHOLE:
        if found := pattern.search(folded):
            return ExplicitMatch(name, found.group(0))
    return None


def _rule_match(folded: str) -> ExplicitMatch | None:
    if match := _whole_rule(folded):
        return match
    if match := _mention_match(folded, STAFF_MENTION, REQUEST_CONTEXT):
        return match
    if ABOUT_THE_BOT.search(folded) and _little_else(folded, ABOUT_THE_BOT):
        return ExplicitMatch("are_you_a_bot", ABOUT_THE_BOT.search(folded).group(0))  # type: ignore[union-attr]
    return _mention_match(folded, SOMEONE_MENTION, SOMEONE_CONTEXT)


def _mention_match(
    folded: str, mentions: re.Pattern[str], context: re.Pattern[str]
) -> ExplicitMatch | None:
    short = len(folded.split()) <= 6
    for mention in mentions.finditer(folded):
        before, after = folded[: mention.start()][-80:], folded[mention.end() :][:40]
        window = " ".join(before.split()[-6:])
        if NOT_ABOUT_US_BEFORE.search(before) or NOT_ABOUT_US_AFTER.search(after):
            continue
        if (
            context.search(window)
            or REQUEST_AFTER.search(after)
            or (short and _little_else(folded, mention.group(0)))
        ):
            return ExplicitMatch("asks_for_person", mention.group(0))
    return None


def _little_else(folded: str, mention: str | re.Pattern[str]) -> bool:
    """'human please', 'agent!!', 'operator now': the mention is the whole message."""
    rest = (
        mention.sub(" ", folded, count=1)
        if isinstance(mention, re.Pattern)
        else folded.replace(mention, " ", 1)
    )
    return not FILLER.sub(" ", rest).split()
