"""The assistant's reading of one customer message: pure, given a model, an index and a responder."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from assistant.intent import IntentModel, IntentPrediction
from assistant.labels import IntentInfo
from assistant.language import detect_language
from assistant.responders import ReplyDraft, ReplyRequest, Responder
from assistant.retrieval import ArticleIndex, Hit, terms
from assistant.sentiment import Sentiment, analyse_sentiment
from assistant.text import normalise


@dataclass(frozen=True)
class Analysis:
    language: str
    intent: IntentPrediction
    sentiment: Sentiment
    hits: list[Hit]
    draft: ReplyDraft
    similarities: list[float]  # to each earlier customer message, oldest first


def analyse(
    text: str,
    *,
    model: IntentModel,
    index: ArticleIndex,
    responder: Responder,
    intents: dict[str, IntentInfo] | None = None,
    customer_language: str = "en",
    earlier: list[str] | None = None,
    transcript: list[tuple[str, str]] | None = None,
) -> Analysis:
    earlier = earlier or []
    language = detect_language(text, default=customer_language)
    intent = model.predict(text)
    hits = index.search(text, language=language)
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
        language=language,
        intent=intent,
        sentiment=analyse_sentiment(text, learned=intent.mood),
        hits=hits,
        draft=responder.draft(request),
        similarities=question_similarities(model, text, earlier),
    )


TOPIC_WEIGHT = 0.3  # chosen on the benchmark's CLINC150 pairs; see the README

# Character n-grams hashed, not learnt: the similarity works on words the model never saw.
CHARACTERS = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(3, 5),
    preprocessor=normalise,
    n_features=2**18,
    alternate_sign=False,
)


def question_similarities(model: IntentModel, text: str, earlier: list[str]) -> list[float]:
    """How alike `text` is to each earlier question, 0..1.

    Mostly lexical likeness (character n-grams and stemmed words, half each), plus the agreement
    of what the two are about (the topic model: a store intent, or an off-topic subject), which
    catches a question asked again in other words ("send something back" / "return an item").
    """
    if not earlier:
        return []
    texts = [text, *earlier]
    characters = CHARACTERS.transform(texts)
    char_cosine = np.asarray((characters[1:] @ characters[0].T).toarray()).ravel()
    word_cosine = np.array(_word_cosines(text, earlier))
    lexical = 0.5 * char_cosine + 0.5 * word_cosine
    topics = model.topic_probabilities(texts)
    norms = np.linalg.norm(topics, axis=1)
    about = (topics[1:] @ topics[0]) / (norms[1:] * norms[0])
    return [round(float(value), 4) for value in (1 - TOPIC_WEIGHT) * lexical + TOPIC_WEIGHT * about]


def _word_cosines(text: str, others: list[str]) -> list[float]:
    """Cosine of stemmed word counts between `text` and each of `others`."""
    first = Counter(terms(text))
    first_norm = math.sqrt(sum(v * v for v in first.values()))
    cosines = []
    for other in others:
        second = Counter(terms(other))
        dot = sum(count * second[term] for term, count in first.items())
        norm = first_norm * math.sqrt(sum(v * v for v in second.values()))
        cosines.append(dot / norm if norm else 0.0)
    return cosines
