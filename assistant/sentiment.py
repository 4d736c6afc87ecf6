"""Sentiment of one customer message: VADER plus the cues of customer service that a general
lexicon misses (waiting, "still", "again", lost parcels, shouting, "!!!").

VADER scores "My parcel still hasn't arrived" as neutral; a support agent reads it as a customer
losing patience. The cues below move the score the way that agent would. A small classifier
trained on customer messages the project wrote (sentiment_data.py, read through the intent
model's features) then has half the say: it hears the frustration in "here we go again..."
that no word list lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from assistant.text import fold

NEGATIVE_THRESHOLD = -0.35
POSITIVE_THRESHOLD = 0.35

# (name, pattern over accent-folded lower-case text, weight). Negative weights push towards anger.
CUES: list[tuple[str, re.Pattern[str], float]] = [
    (name, re.compile(pattern), weight)
    for name, pattern, weight in [
        (
            "repeated_contact",
            r"\b(third|3rd|fourth|fifth|\d+(st|nd|rd|th)) time\b|\bhow many times\b|\bonce again\b",
            -0.35,
        ),
        (
            "still",
            r"\bstill (not|no|haven'?t|hasn'?t|waiting|nothing|broken|missing|can'?t|don'?t|doesn'?t)\b",
            -0.3,
        ),
        ("again", r"\bagain\b.*[!?]{2,}|\b(not|wrong|broken|late|failed|charged) again\b", -0.25),
        (
            "waiting",
            r"\b(been )?waiting (for )?(\d+|hours|days|weeks|ages|forever|so long)\b|\bwaited\b|\bon hold\b",
            -0.35,
        ),
        (
            "duration",
            r"\b(\d+|several|many|two|three|four|five) (hours|days|weeks|months)\b",
            -0.15,
        ),
        (
            "not_arrived",
            r"\b(never|not|hasn'?t|haven'?t|didn'?t) (arrived|received|got|come|shown up|delivered|showed up)\b|\bnever (came|arrived|got)\b",
            -0.3,
        ),
        (
            "lost_or_damaged",
            r"\b(lost|damaged|broken|missing|stolen|wrong item|defective|delayed|late again)\b",
            -0.1,
        ),
        (
            "no_help",
            r"\b(no ?one|nobody) (helps|helped|answers|answered|responds|responded|replies|cares|calls)\b|\bnothing (you|anyone) (say|said|do|did)\b|\b(doesn'?t|don'?t|didn'?t|does not|do not|did not) help\b|\bnot helpful\b|\buseless\b",
            -0.4,
        ),
        (
            "frustration",
            r"\b(fed up|sick of|tired of|had enough|enough is enough|fix this|waste of (my )?time|ridiculous|unacceptable|joke|pathetic|incompetent|rip ?off|scam|disgrace|appalling|outrageous|nightmare|furious|livid)\b",
            -0.45,
        ),
        (
            "threat_to_leave",
            r"\b(never (order|buy|shop)(ing)? (from|with|here) (you|again)|take my (business|money) elsewhere|cancel(ling)? everything|last time i (order|buy|shop))\b",
            -0.4,
        ),
        (
            "sarcastic_thanks",
            r"\bthanks? (you )?(a lot |so much )?for (nothing|ruining|wasting|losing|cancel+ing|breaking|the (delay|wait)|making me|leaving me|ignoring)\b|\bthanks for (nothing|not)\b|\bgreat job\b.{0,20}\b(not|again)\b",
            -0.6,
        ),
        (
            "complaint_question",
            r"\b(why (is|are|do|does|did|was|were|can'?t|won'?t|isn'?t|hasn'?t|haven'?t|would|should) (you|my|it|this|your|the|i|we|there|no ?one|nobody)\b)|\bwhat'?s going on\b|\bwhat is going on\b|\bwhat happened to\b|\bhow (hard|difficult) (is|can) it\b|\bhow is (this|that) (ok|okay|acceptable|possible)\b",
            -0.2,
        ),
        (
            "service_failure",
            r"\b(on hold|hung up|hangs up|no response|no reply|no answer|never (responded|replied|answered|called)|doesn'?t (really )?answer|didn'?t (really )?answer|won'?t let|can'?t (even|get through|reach|find)|missed (my )?(connection|flight|delivery|appointment)|cancel+ed (my )?(order|flight|delivery)|(delay|delays|delayed|stranded|overbooked|rebooked|stuck)\b|(\d+|hours|three|two|four|five) (hours|hrs|hour|days|weeks) (late|delayed|on hold|waiting|and counting)|and counting|still no|no one (will|can|could|is)|not (happy|impressed|acceptable|ok|okay|good enough|helpful|satisfied))",
            -0.3,
        ),
        (
            "strong_words",
            r"\b(abysmal|awful|horrible|terrible|worst|hate|sucks?|sucked|disgusting|unbelievable|shameful|shocking|poor service|bad service|lousy|embarrassing|never again|fail|failed|fails|epic fail|disappointed|disappointing|annoyed|annoying|frustrated|frustrating|upset|angry|mad|argh+|ugh+|smh|wtf|fml)\b",
            -0.3,
        ),
        (
            "es_fr_de_waiting",
            r"\b(llevo|llevamos) .{0,20}esperando\b|\btodavia no\b|\baun no\b|\bsigo esperando\b|\bj'attends\b|\btoujours (pas|rien|aucun)\b|\bwarte(n)? seit\b|\bimmer noch (nicht|kein)\b|\bnoch immer (nicht|kein)\b",
            -0.3,
        ),
        (
            "es_fr_de_anger",
            r"\b(harto|harta|inaceptable|vergonzoso|ridiculo|enfadado|enfadada|furioso|pesimo|nul|inadmissible|honteux|en colere|marre|furieux|unverschamt|frechheit|katastrophe|wutend|sauer|inakzeptabel|lacherlich)\b",
            -0.5,
        ),
    ]
]
SHOUTING = re.compile(r"\b[A-Z]{3,}\b")
EMPHATIC_PUNCTUATION = re.compile(r"[!?]{2,}")


LEARNED_WEIGHT = 0.5
# Customers stay polite while they complain ("thanks for the standard reply", "would be great if
# someone answered"), so the lexicon's positive words are weak evidence of a happy customer and
# its negative words strong evidence of an unhappy one: positive readings count for half.
POSITIVE_LEXICON_WEIGHT = 0.0


@dataclass(frozen=True)
class Sentiment:
    label: str  # "negative", "neutral" or "positive"
    score: float  # -1 (furious) .. 1 (delighted)
    vader: float
    cues: tuple[str, ...]
    learned: float = 0.0  # the classifier's P(positive) - P(negative)


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()  # ~10 ms to build its lexicon: once per process


ANGRY_EMOJI = re.compile(
    "[\U0001f620\U0001f621\U0001f624\U0001f92c\U0001f44e\U0001f612\U0001f611\U0001f644\U0001f62d\U0001f629\U0001f62b]"
)
HASHTAG = re.compile(r"#(\w+)")
NEGATIVE_STEMS = (
    "fail",
    "suck",
    "worst",
    "nothappy",
    "unhappy",
    "disappoint",
    "hate",
    "angry",
    "never",
    "fix",
    "fml",
    "frustrat",
    "delay",
    "cancel",
    "lost",
    "ripoff",
    "scam",
    "shame",
    "poor",
    "terrible",
    "awful",
    "joke",
    "no",
    "not",
)


def _hashtag_words(text: str) -> str:
    """'#NotHappy #unitedfail' -> 'not happy united fail': hashtags carry the complaint."""
    words_found = []
    for tag in HASHTAG.findall(text):
        spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", tag).lower()
        for stem in NEGATIVE_STEMS:
            spaced = spaced.replace(stem, f" {stem} ")
        words_found.append(" ".join(spaced.split()))
    return " ".join(words_found)


def analyse_sentiment(
    text: str,
    *,
    learned: float | None = None,
    negative_threshold: float = NEGATIVE_THRESHOLD,
    after_complaint: bool = False,
) -> Sentiment:
    """`learned` is the mood classifier's reading (assistant.cues); without it the lexicon and
    the cues decide alone. `after_complaint`: the customer's previous message was negative,
    so polite words that the classifier hears as bitter are sarcasm ("oh great, another
    'we're sorry'. Fantastic service, truly")."""
    vader = _analyzer().polarity_scores(text)["compound"]
    folded = fold(text) + " " + _hashtag_words(text)
    cues = [name for name, pattern, _ in CUES if pattern.search(folded)]
    adjustment = sum(weight for name, _, weight in CUES if name in cues)
    shouted = [
        word
        for word in SHOUTING.findall(text)
        if word not in {"VAT", "PDF", "USA", "EUR", "FAQ", "DHL", "UPS", "SMS"}
    ]
    if len(shouted) >= 2:
        cues.append("shouting")
        adjustment -= 0.2
    if ANGRY_EMOJI.search(text):
        cues.append("angry_emoji")
        adjustment -= 0.3
    if adjustment <= -0.3 and vader > 0:
        # Complaint cues with polite or sarcastic words ("thanks for ruining my trip"): the
        # cues are the message, the politeness is not.
        adjustment -= vader * 0.8
    if EMPHATIC_PUNCTUATION.search(text) and (adjustment < 0 or vader < -0.05):
        cues.append("emphatic_punctuation")
        adjustment -= 0.15
    # Cues only ever darken the score: they never make an angry message look happy.
    lexicon = max(-1.0, min(1.0, vader + adjustment)) if adjustment else vader
    if lexicon > 0:
        lexicon *= POSITIVE_LEXICON_WEIGHT
    if learned is None:
        score = lexicon
    elif after_complaint and lexicon >= 0 > learned:
        cues.append("sarcasm_in_context")
        score = learned  # the polite words have no say
    else:
        score = (1 - LEARNED_WEIGHT) * lexicon + LEARNED_WEIGHT * learned
    label = (
        "negative"
        if score <= negative_threshold
        else "positive"
        if score >= POSITIVE_THRESHOLD
        else "neutral"
    )
    return Sentiment(
        label=label,
        score=round(score, 4),
        vader=vader,
        cues=tuple(cues),
        learned=round(learned or 0.0, 4),
    )
