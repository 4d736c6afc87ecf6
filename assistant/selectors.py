"""Reads of the assistant's configuration: what it trains on, what it answers with."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, Max

from assistant.catalogue import Example, off_topic_examples, shipped_examples, shipped_intents
from assistant.labels import OUT_OF_SCOPE, IntentInfo
from assistant.models import Intent, TrainingPhrase, TrainingRun
from assistant.retrieval import ArticleDoc
from helpdesk.configcache import area
from helpdesk.models import KnowledgeArticle

# The readers a turn calls are cached per process until an intent, an article or a training run
# changes (assistant.apps watches them): an unchanged assistant costs a turn no query.
assistant_settings = area("assistant")


def training_examples() -> list[Example]:
    """Every example the model trains on: the enabled intents' shipped phrases (when they use
    them) and their active phrases from admin and imports."""
    enabled = dict(Intent.objects.filter(enabled=True).values_list("code", "shipped"))
    if not enabled and not Intent.objects.exists():
        # Never configured (a database cleared by hand): every shipped intent, as at install.
        enabled = dict.fromkeys([*shipped_intents(), OUT_OF_SCOPE], True)
    shipped = frozenset(code for code, uses_shipped in enabled.items() if uses_shipped)
    examples = shipped_examples(shipped)
    if OUT_OF_SCOPE in shipped:
        examples += off_topic_examples()
    own = TrainingPhrase.objects.filter(active=True, intent__enabled=True).values_list(
        "text", "intent__code", "language"
    )
    examples += [Example(text, code, language) for text, code, language in own]
    return _without_duplicates(examples)


def _without_duplicates(examples: list[Example]) -> list[Example]:
    """One example per (text, intent): a phrase both shipped and imported counts once."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for example in examples:
        key = (example.text.casefold(), example.intent)
        if key not in seen:
            seen.add(key)
            unique.append(example)
    return unique


@assistant_settings.cached
def enabled_intents() -> dict[str, IntentInfo]:
    rows = {
        row.code: IntentInfo(row.code, row.name, row.handling, row.answer)
        for row in Intent.objects.filter(enabled=True)
    }
    if rows or Intent.objects.exists():
        return rows
    return {  # never configured: the shipped catalogue, as training_examples() trains it
        code: IntentInfo(code, intent.name, intent.handling)
        for code, intent in shipped_intents().items()
    }


@assistant_settings.cached
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


@assistant_settings.cached
def configuration_stamp() -> tuple[object, ...]:
    """Changes whenever an article or an intent changes: the served assistant is rebuilt."""
    articles = KnowledgeArticle.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    intents = Intent.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (articles["n"], articles["at"], intents["n"], intents["at"])


@assistant_settings.cached
def current_run() -> TrainingRun | None:
    """The training run whose model processes should serve: the one activated last."""
    return (
        TrainingRun.objects.filter(status=TrainingRun.Status.READY)
        .order_by("-activated_at", "-pk")
        .first()
    )


def languages_of(examples: list[Example]) -> dict[str, int]:
    return dict(sorted(Counter(example.language for example in examples).items()))
