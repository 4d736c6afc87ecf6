"""Who writes the reply: the local assistant (the default) or an LLM behind an
OpenAI-compatible HTTP API. Either way the escalation triggers run on the result and decide.

A responder receives the message, its analysis and the candidate articles, and returns a draft:
the reply text, how confident it is that the reply answers the message, and the article it is
based on. Replies come from articles; a responder that cannot ground its answer in one must
report a low confidence, which hands the conversation to a person.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field
from typing import Protocol

import httpx
from django.conf import settings

from assistant.intent import IntentPrediction
from assistant.labels import OUT_OF_SCOPE, IntentInfo
from assistant.retrieval import ArticleDoc, Hit
from assistant.smalltalk import SMALLTALK_INTENTS, smalltalk_reply

logger = logging.getLogger(__name__)
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German"}


@dataclass(frozen=True)
class ReplyRequest:
    text: str
    language: str
    intent: IntentPrediction
    hits: list[Hit]
    intent_article: ArticleDoc | None
    intent_info: IntentInfo | None = None
    transcript: list[tuple[str, str]] = field(
        default_factory=list
    )  # (author kind, body), oldest first

    def candidates(self) -> list[ArticleDoc]:
        articles = [self.intent_article] if self.intent_article else []
        articles += [hit.article for hit in self.hits if hit.article not in articles]
        return articles[:3]


@dataclass(frozen=True)
class ReplyDraft:
    text: str
    confidence: float
    article: ArticleDoc | None
    resolution_type: str  # what was answered, for the loop trigger; "" for small talk
    source: str


class Responder(Protocol):
    name: str

    def draft(self, request: ReplyRequest) -> ReplyDraft: ...


class LocalResponder:
    """Answers with the article written for the recognised intent, or the intent's own answer.

    An intent with neither gets no reply (confidence 0, source "no_answer"): the confidence
    trigger hands the customer to a person rather than send another topic's article.
    """

    name = "local"

    def draft(self, request: ReplyRequest) -> ReplyDraft:
        intent = request.intent
        if intent.intent in SMALLTALK_INTENTS:
            return ReplyDraft(
                smalltalk_reply(intent.intent, request.language),
                intent.confidence,
                None,
                "",
                "smalltalk",
            )
        if intent.intent == OUT_OF_SCOPE:
            return ReplyDraft("", 0.0, None, "", "none")
        support = {hit.article.id: hit.strength for hit in request.hits}
        article = request.intent_article
        if article is not None:
            # Mostly the classifier's certainty; words shared with the article add a little.
            confidence = min(1.0, 0.85 * intent.confidence + 0.3 * support.get(article.id, 0.0))
            return ReplyDraft(article.body, round(confidence, 4), article, intent.intent, "article")
        info = request.intent_info
        if info is not None and info.answer:
            return ReplyDraft(
                info.answer, round(0.85 * intent.confidence, 4), None, intent.intent, "intent"
            )
        return ReplyDraft("", 0.0, None, "", "no_answer")


class OpenAICompatibleResponder:
    """Reply generation and confidence by an LLM (any /v1/chat/completions endpoint).

    Configured by ASSISTANT_LLM_BASE_URL, ASSISTANT_LLM_API_KEY and ASSISTANT_LLM_MODEL. The model
    sees only the candidate articles and must name the one it used; a reply that names none, an
    unknown article, or an error from the API comes back with confidence 0, so the confidence
    trigger hands the conversation to a person instead of sending a guess.
    """

    name = "openai"

    def __init__(self, *, base_url: str, api_key: str, model: str, timeout: float = 15.0) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.model = model
        self.timeout = timeout
        self.local = LocalResponder()

    def draft(self, request: ReplyRequest) -> ReplyDraft:
        if request.intent.intent in SMALLTALK_INTENTS:
            return self.local.draft(request)
        candidates = request.candidates()
        try:
            answer = self._ask(request, candidates)
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
            logger.warning("LLM responder failed: %s", error)
            return ReplyDraft("", 0.0, None, "", "llm_error")
        by_id = {article.id: article for article in candidates}
        article_id = answer.get("article_id")
        article = by_id.get(article_id) if isinstance(article_id, int) else None
        text = str(answer.get("reply", "")).strip()
        confidence = _number(answer.get("confidence"))
        if article is None or not text or not _grounded(text, article, request):
            return ReplyDraft(text, 0.0, None, "", "llm_ungrounded")
        # The model grades itself; never believe it more than the local evidence for that article.
        confidence = min(confidence, self._local_confidence(request, article))
        resolution = article.intents[0] if article.intents else f"article:{article.id}"
        return ReplyDraft(text, confidence, article, resolution, "llm")

    def _local_confidence(self, request: ReplyRequest, article: ArticleDoc) -> float:
        local = self.local.draft(request)
        if local.article == article:
            return local.confidence
        strength = next((hit.strength for hit in request.hits if hit.article == article), 0.0)
        return round(0.7 * strength, 4)

    def _ask(self, request: ReplyRequest, candidates: list[ArticleDoc]) -> dict[str, object]:
        articles = (
            "\n\n".join(f"[article {a.id}] {a.title}\n{a.body}" for a in candidates) or "(none)"
        )
        language = LANGUAGE_NAMES.get(request.language, "English")
        system = (
            "You are the customer-service assistant of an online store. Answer the customer's last "
            "message using ONLY the articles below; never invent policies, prices or dates. "
            f"Write the reply in {language}. Answer with a JSON object: "
            '{"reply": "...", "confidence": 0.0-1.0, "article_id": <id of the article used, or null>}. '
            "If no article answers the message, use article_id null and confidence 0.\n\n"
            + articles
        )
        history = [
            {"role": "user" if kind == "customer" else "assistant", "content": body}
            for kind, body in request.transcript[-6:]
        ]
        payload = {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": system},
                *history,
                {"role": "user", "content": request.text},
            ],
        }
        response = httpx.post(self.url, json=payload, headers=self.headers, timeout=self.timeout)
        response.raise_for_status()
        content = response.json()["choices"][0]["message"]["content"]
        answer = json.loads(content)
        if not isinstance(answer, dict):
            raise ValueError("the model did not answer with a JSON object")
        return answer


MAX_REPLY_CHARS = 1200
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _number(value: object) -> float:
    """A confidence in 0..1; anything else (a string, a bool, NaN, infinity) is 0."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return 0.0
    return max(0.0, min(1.0, float(value)))


def _grounded(text: str, article: ArticleDoc, request: ReplyRequest) -> bool:
    """A reply may only state numbers (prices, days, percentages) the article or the customer
    gave, and must be chat-sized: an invented "refund of 500 EUR within 2 days" is refused."""
    known = set(NUMBER.findall(f"{article.title} {article.body} {request.text}"))
    return len(text) <= MAX_REPLY_CHARS and set(NUMBER.findall(text)) <= known


def configured_responder() -> Responder:
    if settings.ASSISTANT_RESPONDER == "openai":
        return OpenAICompatibleResponder(
            base_url=settings.ASSISTANT_LLM_BASE_URL,
            api_key=settings.ASSISTANT_LLM_API_KEY,
            model=settings.ASSISTANT_LLM_MODEL,
            timeout=settings.ASSISTANT_LLM_TIMEOUT,
        )
    return LocalResponder()
