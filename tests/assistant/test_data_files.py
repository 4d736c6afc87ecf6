"""The shipped training data: files the project writes, checked as data (labels, languages)."""

from collections import Counter, defaultdict
from importlib.resources import files

import pytest

from assistant.catalogue import (
    GROUPS,
    HANDLINGS,
    LANGUAGES,
    SENTIMENT_LABELS,
    lines_of,
    off_topic_examples,
    sentiment_examples,
    shipped_examples,
    shipped_intents,
)
from assistant.language import FUNCTION_WORDS
from assistant.places import countries
from assistant.text import words

DATA = files("assistant") / "data"


def test_every_intent_file_names_a_known_intent_in_a_known_language() -> None:
    known = set(shipped_intents())
    for language in (DATA / "intents").iterdir():
        assert language.name in LANGUAGES
        for resource in language.iterdir():
            assert resource.name.removesuffix(".txt") in known, resource.name
    for intent in shipped_intents().values():
        assert (intent.group, intent.handling) in {(g, h) for g in GROUPS for h in HANDLINGS}


def test_every_shipped_intent_is_taught_in_all_four_languages() -> None:
    per_language = Counter((e.intent, e.language) for e in shipped_examples())
    for code in shipped_intents():
        for language in LANGUAGES:
            assert per_language[(code, language)] >= 8, (code, language)


def test_every_language_has_countries_to_swap_each_named_once() -> None:
    named = countries()
    assert set(named) == set(LANGUAGES)
    for language, names in named.items():
        assert len(names) >= 40, language
        assert len({name.lower() for name in names}) == len(names), language


def test_no_phrase_sits_under_two_labels() -> None:
    labels: dict[str, set[str]] = defaultdict(set)
    for example in [*shipped_examples(), *off_topic_examples()]:
        labels[example.text.casefold()].add(example.intent)
    assert {text: found for text, found in labels.items() if len(found) > 1} == {}
    feelings: dict[str, set[str]] = defaultdict(set)
    for label, texts in sentiment_examples().items():
        assert label in SENTIMENT_LABELS
        for text in texts:
            feelings[text.casefold()].add(label)
    assert {text: found for text, found in feelings.items() if len(found) > 1} == {}
    asks = defaultdict(set)
    for language in LANGUAGES:
        for name in ("asks", "not_asks"):
            for line in lines_of(DATA / "person" / language / f"{name}.txt"):
                asks[line.casefold()].add(name)
    assert {text: found for text, found in asks.items() if len(found) > 1} == {}


@pytest.mark.parametrize("kind", ["intents", "off_topic", "sentiment", "person"])
def test_lines_are_written_in_their_folders_language(kind: str) -> None:
    """Judged by function words alone (independent of the learned language reader, which
    learns from these very files): of the lines that have any, nine in ten or more must point
    to the folder's language."""
    for language in LANGUAGES:
        votes: Counter[bool] = Counter()
        for resource in (DATA / kind / language).iterdir():
            for line in lines_of(resource):
                tokens = words(line)
                scores = {
                    lang: sum(token in vocabulary for token in tokens)
                    for lang, vocabulary in FUNCTION_WORDS.items()
                }
                best = max(scores.values())
                if best:
                    votes[scores[language] == best] += 1
        assert votes[True] / sum(votes.values()) >= 0.9, (kind, language, votes)


def test_no_python_module_holds_training_data() -> None:
    """Data lives in data files: a module full of string literals is data written as code."""
    for module in files("assistant").iterdir():
        if module.name.endswith(".py"):
            lines = module.read_text(encoding="utf-8").splitlines()
            quoted = sum(line.strip().startswith('"') for line in lines)
            assert quoted < 120, module.name
