"""How alike a question is to each question asked before it in the conversation.

The loop trigger and the reading in context ask this on every turn, of every earlier question;
what a question gives (its character n-grams, stemmed words and topic) is fixed for a model, so
each is read once and remembered (`assistant.memo`) and a turn reads only its new message.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter
from dataclasses import dataclass
from functools import partial

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from assistant.intent import IntentModel
from assistant.memo import RecentTexts
from assistant.retrieval import terms
from assistant.text import normalise

TOPIC_WEIGHT = 0.3  # chosen on the benchmark's CLINC150 pairs; see the README

# Character n-grams hashed, not learnt: the similarity works on words the model never saw.
CHARACTERS = HashingVectorizer(
    analyzer="char_wb",
    ngram_range=(3, 5),
    preprocessor=normalise,
    n_features=2**18,
    alternate_sign=False,
)

# Enough for a few hundred conversations in flight on one process: about 4 KB a question of
# up to LONGEST characters (a text of 8,000 has some 15,000 n-grams: 180 KB, never kept).
REMEMBERED = 2048
LONGEST = 500


@dataclass(frozen=True)
class Question:
    """What a question is compared by."""

    grams: np.ndarray  # its hashed character n-grams' columns, ascending
    weights: np.ndarray  # their weights (unit length together)
    words: Counter[str]  # its stemmed words, counted
    words_norm: float
    topics: np.ndarray  # what it is about (the topic model's probabilities), unit length


def question_similarities(model: IntentModel, text: str, earlier: list[str]) -> list[float]:
    """How alike `text` is to each earlier question, 0..1.

    Mostly lexical likeness (character n-grams and stemmed words, half each), plus the agreement
    of what the two are about (the topic model: a store intent, or an off-topic subject), which
    catches a question asked again in other words ("send something back" / "return an item").
    """
    if not earlier:
        return []
    first, *others = remembered(model).rows([text, *earlier], partial(_read_questions, model))
    lexical = 0.5 * _character_cosines(first, others) + 0.5 * _word_cosines(first, others)
    about = np.array([other.topics @ first.topics for other in others])
    return [round(float(value), 4) for value in (1 - TOPIC_WEIGHT) * lexical + TOPIC_WEIGHT * about]


_remembered: weakref.WeakKeyDictionary[IntentModel, RecentTexts[Question]] = (
    weakref.WeakKeyDictionary()
)


def remembered(model: IntentModel) -> RecentTexts[Question]:
    """The questions this process read with `model` lately (a retrained model starts afresh)."""
    return _remembered.setdefault(model, RecentTexts(REMEMBERED, longest=LONGEST))


def _read_questions(model: IntentModel, texts: list[str]) -> list[Question]:
    characters = CHARACTERS.transform(texts)
    characters.sort_indices()
    topics = model.topic_probabilities(texts)
    topics = topics / np.linalg.norm(topics, axis=1, keepdims=True)
    questions = []
    for row, text in enumerate(texts):
        start, end = characters.indptr[row], characters.indptr[row + 1]
        words = Counter(terms(text))
        questions.append(
            Question(
                grams=characters.indices[start:end].copy(),
                weights=characters.data[start:end].copy(),
                words=words,
                words_norm=math.sqrt(sum(count * count for count in words.values())),
                topics=topics[row].copy(),  # not a view keeping the batch's array
            )
        )
    return questions


def _character_cosines(first: Question, others: list[Question]) -> np.ndarray:
    """The dot product of `first`'s n-gram weights with each other's, all in one pass."""
    grams = np.concatenate([other.grams for other in others])
    if not len(first.grams) or not len(grams):
        return np.zeros(len(others))
    weights = np.concatenate([other.weights for other in others])
    owner = np.repeat(np.arange(len(others)), [len(other.grams) for other in others])
    where = np.minimum(np.searchsorted(first.grams, grams), len(first.grams) - 1)
    shared = first.grams[where] == grams
    products = weights[shared] * first.weights[where[shared]]
    return np.bincount(owner[shared], weights=products, minlength=len(others))


def _word_cosines(first: Question, others: list[Question]) -> np.ndarray:
    """Cosine of stemmed word counts between `first` and each of `others`."""
    cosines = []
    for other in others:
        dot = sum(count * other.words[term] for term, count in first.words.items())
        norm = first.words_norm * other.words_norm
        cosines.append(dot / norm if norm else 0.0)
    return np.array(cosines)
