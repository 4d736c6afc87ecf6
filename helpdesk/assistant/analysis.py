"""The assistant's reading of one customer message: pure, given a model, an index and a responder."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpdesk.assistant.intent import IntentModel, IntentPrediction
from helpdesk.assistant.language import detect_language
from helpdesk.assistant.responders import ReplyDraft, ReplyRequest, Responder
from helpdesk.assistant.retrieval import ArticleIndex, Hit
from helpdesk.assistant.sentiment import Sentiment, analyse_sentiment


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
        transcript=transcript or [],
    )
    return Analysis(
        language=language,
        intent=intent,
        sentiment=analyse_sentiment(text),
        hits=hits,
        draft=responder.draft(request),
        similarities=question_similarities(model, text, earlier),
    )


def question_similarities(model: IntentModel, text: str, earlier: list[str]) -> list[float]:
    """How alike `text` is to each earlier question, 0..1: half shared words and character
    n-grams (TF-IDF cosine), half agreement of the classifier's intent distributions, which
    catches a question asked again in other words ("send something back" / "return an item")."""
    if not earlier:
        return []
    texts = [text, *earlier]
    vectors = model.vectors(texts)
    # Each of the two TF-IDF parts is unit length, so the union's dot product is at most 2.
    lexical = np.asarray((vectors[1:] @ vectors[0].T).toarray()).ravel() / 2
    probabilities = model.probabilities(texts)
    norms = np.linalg.norm(probabilities, axis=1)
    semantic = (probabilities[1:] @ probabilities[0]) / (norms[1:] * norms[0])
    return [round(float(0.5 * a + 0.5 * b), 4) for a, b in zip(lexical, semantic, strict=True)]
