"""How alike a question is to the ones before it: the same figures as reading every question
afresh, with each question read once."""

from __future__ import annotations

import copy
import math
from collections import Counter

import numpy as np
import pytest

from assistant.intent import IntentModel
from assistant.likeness import CHARACTERS, TOPIC_WEIGHT, question_similarities, remembered
from assistant.memo import RecentTexts
from assistant.retrieval import terms

CONVERSATION = [
    "Hi, where is my order 48213?",
    "how do I send the kettle back",
    "I'd like to return an item I bought",
    "¿puedo pagar con PayPal?",
    "Kann ich die Lieferadresse noch ändern?",
    "est-ce que vous livrez en Suisse ?",
    "?",
    "ok",
    "where is my order 48213 ??? still nothing",
]


def afresh(model: IntentModel, text: str, earlier: list[str]) -> list[float]:
    """The reference: every text read again, with sparse matrices, as a turn did before."""
    texts = [text, *earlier]
    characters = CHARACTERS.transform(texts)
    char_cosine = np.asarray((characters[1:] @ characters[0].T).toarray()).ravel()
    first = Counter(terms(text))
    word_cosine = []
    for other in earlier:
        second = Counter(terms(other))
        dot = sum(count * second[term] for term, count in first.items())
        norm = math.sqrt(sum(v * v for v in first.values())) * math.sqrt(
            sum(v * v for v in second.values())
        )
        word_cosine.append(dot / norm if norm else 0.0)
    lexical = 0.5 * char_cosine + 0.5 * np.array(word_cosine)
    topics = model.topic_probabilities(texts)
    norms = np.linalg.norm(topics, axis=1)
    about = (topics[1:] @ topics[0]) / (norms[1:] * norms[0])
    return [round(float(v), 4) for v in (1 - TOPIC_WEIGHT) * lexical + TOPIC_WEIGHT * about]


def test_remembered_questions_give_the_figures_of_reading_every_question_afresh(
    intent_model: IntentModel,
) -> None:
    model = copy.copy(intent_model)  # its own memory: every question is new to it
    for turn in range(1, len(CONVERSATION)):
        text, earlier = CONVERSATION[turn], CONVERSATION[:turn]
        assert text not in remembered(model)
        assert all(question in remembered(model) for question in earlier[:-1])
        expected = afresh(model, text, earlier)
        assert question_similarities(model, text, earlier) == pytest.approx(expected, abs=1e-4)
        assert text in remembered(model)
    # The same turn again, all of it remembered, still gives the same figures.
    assert question_similarities(model, CONVERSATION[-1], CONVERSATION[:-1]) == pytest.approx(
        afresh(model, CONVERSATION[-1], CONVERSATION[:-1]), abs=1e-4
    )


def test_a_question_asked_again_in_other_words_is_more_alike_than_a_new_one(
    intent_model: IntentModel,
) -> None:
    again, new = question_similarities(
        intent_model,
        "I'd like to return an item I bought",
        ["how do I send the kettle back", "can I pay with PayPal?"],
    )
    assert again > new


def test_each_model_remembers_its_own_reading(intent_model: IntentModel) -> None:
    retrained = copy.copy(intent_model)
    question_similarities(intent_model, "where is my parcel", ["has it shipped yet"])
    assert "where is my parcel" in remembered(intent_model)
    assert "where is my parcel" not in remembered(retrained)


def test_only_the_texts_not_remembered_are_worked_out() -> None:
    asked: list[list[str]] = []

    def lengths(texts: list[str]) -> list[int]:
        asked.append(texts)
        return [len(text) for text in texts]

    recent: RecentTexts[int] = RecentTexts(size=3)
    assert recent.rows(["ab", "abc", "ab"], lengths) == [2, 3, 2]
    assert recent.rows(["abc", "abcd"], lengths) == [3, 4]
    assert asked == [["ab", "abc"], ["abcd"]]


def test_the_least_recently_used_text_is_forgotten_first() -> None:
    recent: RecentTexts[int] = RecentTexts(size=2)
    recent.rows(["old", "used"], lambda texts: [0] * len(texts))
    recent.rows(["used"], lambda texts: [0] * len(texts))  # used again: "old" is now the oldest
    recent.rows(["new"], lambda texts: [0] * len(texts))
    assert ("old" in recent, "used" in recent, "new" in recent, len(recent)) == (
        False,
        True,
        True,
        2,
    )


def test_a_long_text_is_worked_out_each_time_and_never_kept() -> None:
    asked: list[list[str]] = []

    def lengths(texts: list[str]) -> list[int]:
        asked.append(texts)
        return [len(text) for text in texts]

    recent: RecentTexts[int] = RecentTexts(size=3, longest=3)
    assert recent.rows(["abc", "abcd"], lengths) == [3, 4]
    assert recent.rows(["abc", "abcd"], lengths) == [3, 4]
    assert asked == [["abc", "abcd"], ["abcd"]]
    assert ("abc" in recent, "abcd" in recent) == (True, False)
