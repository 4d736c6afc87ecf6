"""The assistant's shipped training data, read from the data files under assistant/data/.

- intents.toml: the shipped intents (code, name, group, handling);
- intents/<language>/<intent>.txt: their phrases, one per line;
- off_topic/<language>/<topic>.txt: what customers ask that no store answers, by subject;
- sentiment/<language>/<label>.txt: customer messages by how the customer feels.

Files are read with importlib.resources, so they work from a wheel as from a checkout. A line
starting with '#' is a comment. Everything here is pure and cached: the files never change in a
running process.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import NamedTuple

from assistant.labels import OUT_OF_SCOPE

LANGUAGES = ("en", "es", "fr", "de")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
GROUPS = ("conversation", "store", "boundary")
HANDLINGS = ("answer", "hand_over", "conversation")


class Example(NamedTuple):
    text: str
    intent: str
    language: str
    topic: str = ""  # for off-topic examples: what they are about ("weather", "maths")


@dataclass(frozen=True)
class ShippedIntent:
    code: str
    name: str
    group: str
    handling: str


def _data() -> Traversable:
    return files("assistant") / "data"


def lines_of(resource: Traversable) -> list[str]:
    """A data file's lines, without comments and blank lines; none when it does not exist."""
    if not resource.is_file():
        return []
    text = resource.read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@functools.cache
def shipped_intents() -> dict[str, ShippedIntent]:
    table = tomllib.loads((_data() / "intents.toml").read_text(encoding="utf-8"))
    return {code: ShippedIntent(code=code, **fields) for code, fields in table.items()}


@functools.cache
def _intent_examples() -> tuple[Example, ...]:
    return tuple(
        Example(line, resource.name.removesuffix(".txt"), language)
        for language in LANGUAGES
        for resource in _files(_data() / "intents" / language)
        for line in lines_of(resource)
    )


def shipped_examples(codes: frozenset[str] | None = None) -> list[Example]:
    """The shipped intents' phrases, all of them or those of `codes`."""
    return [e for e in _intent_examples() if codes is None or e.intent in codes]


@functools.cache
def off_topic_examples() -> tuple[Example, ...]:
    """Messages no deployment answers (weather, maths, jokes...), labelled out_of_scope."""
    return tuple(
        Example(line, OUT_OF_SCOPE, language, topic=resource.name.removesuffix(".txt"))
        for language in LANGUAGES
        for resource in _files(_data() / "off_topic" / language)
        for line in lines_of(resource)
    )


@functools.cache
def sentiment_examples() -> dict[str, tuple[str, ...]]:
    """Customer messages by feeling: negative, neutral, positive (every language together)."""
    return {
        label: tuple(
            line
            for language in LANGUAGES
            for resource in _files(_data() / "sentiment" / language)
            if resource.name == f"{label}.txt"
            for line in lines_of(resource)
        )
        for label in SENTIMENT_LABELS
    }


def _files(folder: Traversable) -> list[Traversable]:
    if not folder.is_dir():
        return []
    return sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".txt")),
        key=lambda entry: entry.name,
    )


def shipped_training_set() -> list[Example]:
    """Everything shipped: every intent's phrases and the off-topic examples (the demo store's
    assistant as a freshly migrated database trains it)."""
    return [*shipped_examples(), *off_topic_examples()]


@functools.cache
def all_language_lines() -> tuple[tuple[str, str], ...]:
    """Every shipped message with the language of the folder it is in (to learn languages)."""
    rows: list[tuple[str, str]] = []
    for kind in ("intents", "off_topic", "sentiment", "person"):
        for language in LANGUAGES:
            for resource in _files(_data() / kind / language):
                rows += [(line, language) for line in lines_of(resource)]
    return tuple(rows)
