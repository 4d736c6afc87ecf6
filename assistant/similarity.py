"""How closely a message means what a handful of example phrases say (a supervisor's boundary).

Static word vectors compare two single sentences poorly ("my account was hacked" and "someone
else got into my account" share no word and score under 0.5), so the likeness is learned: a
small classifier tells the examples (and noisy copies of them) from thousands of ordinary
customer messages the project ships, on the messages' word vectors alone (which carry meaning
from "caught fire" to "burst into flames" where words and spellings do not). Its probability
is the score, 0..1, that a boundary's threshold is set against (0.5 by default: paraphrases
score 0.4-0.9, ordinary questions under 0.15); the nearest example is kept as the evidence a
supervisor reads. Scoring a message is a dot product: well under a millisecond.
"""

from __future__ import annotations

import functools
import random
import threading
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.catalogue import off_topic_examples, sentiment_examples, shipped_examples
from assistant.embedding import embed
from assistant.intent import augmented

BACKGROUND_SIZE = 3000


@dataclass(frozen=True)
class ExampleMatch:
    score: float  # 0..1: how surely the message means what the examples say
    nearest: str  # the example it is closest to


@functools.cache
def background() -> tuple[str, ...]:
    """Ordinary customer messages: store questions, off-topic ones, calm remarks."""
    texts = [e.text for e in shipped_examples()] + [e.text for e in off_topic_examples()]
    texts += list(sentiment_examples()["neutral"])
    return tuple(random.Random(5).sample(texts, min(BACKGROUND_SIZE, len(texts))))


class ExampleMatcher:
    def __init__(self, examples: tuple[str, ...]) -> None:
        self.examples = examples
        variants = [text for text, _, _ in augmented([(e, "x", "en") for e in examples])]
        taught = set(variants)
        negatives = [text for text in background() if text not in taught]
        classifier = LogisticRegression(C=1.0, max_iter=2000, class_weight="balanced").fit(
            embed([*variants, *negatives]), [1] * len(variants) + [0] * len(negatives)
        )
        self.weights = classifier.coef_[0]
        self.bias = float(classifier.intercept_[0])
        self.example_vectors = embed(list(examples))

    def match(self, vectors: np.ndarray) -> ExampleMatch:
        """The best score over the word vectors of a message and its clauses (assistant.embedding)."""
        scores = 1 / (1 + np.exp(-(vectors @ self.weights + self.bias)))
        best = int(scores.argmax())
        nearest = int((self.example_vectors @ vectors[best]).argmax())
        return ExampleMatch(round(float(scores[best]), 4), self.examples[nearest])


_matchers_lock = threading.Lock()


def matcher_for(examples: tuple[str, ...]) -> ExampleMatcher:
    """One matcher per set of examples, trained once per process (a fraction of a second),
    however many turns ask for it at once."""
    with _matchers_lock:
        return _matcher(examples)


@functools.lru_cache(maxsize=64)
def _matcher(examples: tuple[str, ...]) -> ExampleMatcher:
    return ExampleMatcher(examples)
