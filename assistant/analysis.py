"""The assistant's reading of one customer message, with the conversation so far: pure, given
the models, an index and a responder."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.cues import CueModel
from assistant.intent import IntentModel, IntentPrediction
from assistant.labels import COMPLAINT, OUT_OF_SCOPE, SMALLTALK_INTENTS, IntentInfo
from assistant.language import detect_language
from assistant.likeness import question_similarities
from assistant.person import PersonRequest, clauses, find_person_request
from assistant.responders import ReplyDraft, ReplyRequest, Responder
from assistant.retrieval import ArticleIndex, Hit, Relevant
from assistant.sentiment import NEGATIVE_THRESHOLD, Sentiment, analyse_sentiment
from assistant.similarity import ExampleMatch, matcher_for
from assistant.text import fold, tidy

NOT_A_QUESTION = SMALLTALK_INTENTS | {OUT_OF_SCOPE}
PERSON_THRESHOLD = 0.8  # the learned reader's probability that a clause asks for a person


@dataclass(frozen=True)
class Earlier:
    """An earlier customer message of the conversation, as the assistant read it."""

    text: str
    intent: str = ""
    answered: bool = False
    sentiment_score: float = 0.0


@dataclass(frozen=True)
class Analysis:
    text: str  # the message as read (assistant.text.tidy)
    language: str
    intent: IntentPrediction
    sentiment: Sentiment
    hits: list[Hit]
    draft: ReplyDraft
    similarities: list[float]  # to each earlier customer message, oldest first
    person: PersonRequest = field(default_factory=lambda: PersonRequest(False))
    context: str = ""  # how the conversation so far changed the reading, "" when it did not
    alone: IntentPrediction | None = None  # the message's own reading, when context won
    # How alike in meaning to each boundary's examples: code -> match (assistant.similarity).
    example_matches: dict[str, ExampleMatch] = field(default_factory=dict)
    relevant: list[Relevant] = field(default_factory=list)  # articles worth an agent's time
    # A message that asks for a person and says what for: the reading of what for.
    problem: IntentPrediction | None = None


def analyse(
    text: str,
    *,
    model: IntentModel,
    cues: CueModel,
    index: ArticleIndex,
    responder: Responder,
    intents: dict[str, IntentInfo] | None = None,
    customer_language: str = "en",
    earlier: list[Earlier] | None = None,
    transcript: list[tuple[str, str]] | None = None,
    boundary_examples: dict[str, tuple[str, ...]] | None = None,
) -> Analysis:
    earlier = earlier or []
    text = tidy(text)
    language = detect_language(text, default=customer_language)
    parts = clauses(text)
    reading = cues.read([text, *parts])
    person = find_person_request(
        text, reader=lambda _: reading.person[1:], threshold=PERSON_THRESHOLD
    )
    # "I don't need a person, just tell me where my order is": the question is the rest.
    alone = model.predict(person.rest or text)
    similarities = question_similarities(model, text, [e.text for e in earlier])
    intent, context = read_in_context(model, text, alone, earlier, similarities)
    sentiment = analyse_sentiment(
        text,
        learned=reading.mood[0],
        after_complaint=bool(earlier) and earlier[-1].sentiment_score <= NEGATIVE_THRESHOLD,
    )
    if _venting(sentiment, intent) and COMPLAINT in model.classes:
        # "I'm literally in tears, it hasn't arrived": an upset customer, not an off-topic one.
        intent, context = _as_venting(intent), "venting"
    # Wider than the responder's three: the other languages' versions of an article crowd in.
    found = index.search(text, language=language, limit=8)
    hits = found[:3]
    problem = model.predict(person.problem) if person.asked and person.problem else None
    request = ReplyRequest(
        text=text,
        language=language,
        intent=intent,
        hits=hits,
        intent_article=index.for_intent(intent.intent, language=language),
        intent_info=(intents or {}).get(intent.intent),
        transcript=transcript or [],
    )
    return Analysis(
        text=text,
        language=language,
        intent=intent,
        sentiment=sentiment,
        hits=hits,
        draft=responder.draft(request),
        similarities=similarities,
        person=person,
        context=context,
        alone=alone if context else None,
        example_matches={
            code: matcher_for(examples).match(reading.meaning)
            for code, examples in (boundary_examples or {}).items()
            if examples
        },
        relevant=index.relevant(found, ranking=(problem or intent).ranking, language=language),
        problem=problem,
    )


SURE = 0.6  # a reading this confident stands on its own
CLEARLY_OFF_TOPIC = 0.75  # an off-topic reading this confident is never explained away
RESTATED = 0.5  # an earlier question this alike is the same question asked again


def read_in_context(
    model: IntentModel,
    text: str,
    alone: IntentPrediction,
    earlier: list[Earlier],
    similarities: list[float],
) -> tuple[IntentPrediction, str]:
    """The message read with the conversation so far, when on its own it is unsure.

    1. A confident reading of the message alone stands ("thanks", a new question).
    2. A short follow-up ("is there a fee?", "what about evenings?", "¿y a Suiza?") is read
       together with the question it follows: the latest earlier store question.
    3. A restatement ("I'm asking again: how do I send it back?") is the earlier question it
       is most alike, so the loop trigger counts it as the same question.
    A clearly off-topic message stays off-topic whatever came before.
    """
    questions = [
        (index, e) for index, e in enumerate(earlier) if e.intent and e.intent not in NOT_A_QUESTION
    ]
    if not questions or _stands_alone(alone):
        return alone, ""
    best = alone
    context = ""
    index, last = questions[-1]
    if _elliptical(text):
        follow_up = model.predict_as_follow_up(text, after=last.text)
        if _is_question(follow_up) and follow_up.confidence > best.confidence:
            best, context = follow_up, f"follow_up:{index}"
    alike = max(questions, key=lambda pair: similarities[pair[0]])
    if similarities[alike[0]] >= RESTATED and alike[0] != index:
        restated = model.predict_as_follow_up(text, after=alike[1].text)
        if _is_question(restated) and restated.confidence > best.confidence:
            best, context = restated, f"restated:{alike[0]}"
    return best, context


UPSET = -0.5  # an off-topic reading gives way to venting only for a clearly upset customer
RUNNER_UP = 0.1


def _venting(sentiment: Sentiment, intent: IntentPrediction) -> bool:
    """An upset message the model cannot place: the customer is venting, not off-topic."""
    if sentiment.label != "negative" or _stands_alone(intent):
        return False
    if intent.intent != OUT_OF_SCOPE:
        return True
    # Read as off-topic, but upset and about something of ours ("I'm panicking, my son's bag
    # says delivery failed"): a store topic or a complaint is the runner-up reading.
    return sentiment.score <= UPSET and any(
        label not in NOT_A_QUESTION - {COMPLAINT} and probability >= RUNNER_UP
        for label, probability in intent.ranking[1:]
    )


def _as_venting(prediction: IntentPrediction) -> IntentPrediction:
    return replace(prediction, intent=COMPLAINT, confidence=max(prediction.confidence, SURE))


FOLLOW_UP_WORDS = 8  # longer messages carry their own topic...
CONTINUING = re.compile(  # ...unless they say they continue the last one
    r"^\W*(ok(ay)?,? |so,? |and |also |what about|how about|same for|y |e |et |und |o sea|"
    r"entonces|alors|donc|also,? )"
)


def _elliptical(text: str) -> bool:
    """A message that leans on the one before: short, or opening with "and", "what about"."""
    return len(text.split()) <= FOLLOW_UP_WORDS or bool(CONTINUING.match(fold(text)))


def _stands_alone(alone: IntentPrediction) -> bool:
    if alone.intent == OUT_OF_SCOPE:
        return alone.confidence >= CLEARLY_OFF_TOPIC
    return alone.confidence >= SURE


def _is_question(prediction: IntentPrediction) -> bool:
    return prediction.intent not in NOT_A_QUESTION
