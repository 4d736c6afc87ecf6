"""The assistant a process uses: model, knowledge-base index and responder, rebuilt when the
articles or the supervisors' training phrases change (noticed on the next message)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max

from helpdesk.assistant.analysis import Analysis, analyse
from helpdesk.assistant.intent import IntentModel, builtin_examples, fingerprint, load_or_train
from helpdesk.assistant.responders import Responder, configured_responder
from helpdesk.assistant.retrieval import ArticleDoc, ArticleIndex
from helpdesk.models import KnowledgeArticle, TrainingPhrase


@dataclass
class Assistant:
    model: IntentModel
    index: ArticleIndex
    responder: Responder

    def analyse(
        self,
        text: str,
        *,
        customer_language: str,
        earlier: list[str],
        transcript: list[tuple[str, str]] | None = None,
    ) -> Analysis:
        return analyse(
            text,
            model=self.model,
            index=self.index,
            responder=self.responder,
            customer_language=customer_language,
            earlier=earlier,
            transcript=transcript,
        )


_lock = threading.Lock()
_state: dict[str, object] = {}


def get_assistant() -> Assistant:
    """One cheap query per call checks whether the data behind the assistant changed."""
    stamp = _data_stamp()
    with _lock:
        if _state.get("stamp") != stamp or "assistant" not in _state:
            _state["assistant"] = Assistant(
                model=load_or_train(training_examples(), settings.ASSISTANT_MODEL_DIR),
                index=ArticleIndex(active_articles()),
                responder=configured_responder(),
            )
            _state["stamp"] = stamp
        return _state["assistant"]  # type: ignore[return-value]


def retrain() -> IntentModel:
    """Train from the current data now, replacing any cached model for it."""
    examples = training_examples()
    cached = settings.ASSISTANT_MODEL_DIR / f"intent-{fingerprint(examples)}.joblib"
    cached.unlink(missing_ok=True)
    with _lock:
        _state.clear()
    return load_or_train(examples, settings.ASSISTANT_MODEL_DIR)


def training_examples() -> list[tuple[str, str]]:
    added = TrainingPhrase.objects.filter(active=True).values_list("text", "intent")
    return builtin_examples() + [(text, intent) for text, intent in added]


def active_articles() -> list[ArticleDoc]:
    return [
        ArticleDoc(
            id=article.pk,
            title=article.title,
            body=article.body,
            tags=article.tags,
            intents=tuple(article.intent_list),
            language=article.language,
        )
        for article in KnowledgeArticle.objects.filter(active=True).order_by("pk")
    ]


def _data_stamp() -> tuple[object, ...]:
    articles = KnowledgeArticle.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    phrases = TrainingPhrase.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (
        articles["n"],
        articles["at"],
        phrases["n"],
        phrases["at"],
        settings.ASSISTANT_RESPONDER,
    )
