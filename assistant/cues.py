"""Learned readings of a message that do not depend on what a deployment sells: does the
customer ask for a person, and how do they feel.

Trained only on the data the project ships (assistant/data/person/ and sentiment/), the same
for every deployment, so it is trained once per version of that data and cached beside the
intent models: switching a deployment's intents never changes how a request for a person or
an angry customer is recognised.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import random
import time
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from assistant.catalogue import (
    LANGUAGES,
    Example,
    lines_of,
    off_topic_examples,
    sentiment_examples,
    shipped_examples,
)
from assistant.embedding import VERSION as EMBEDDING_VERSION
from assistant.embedding import embed
from assistant.features import LinearReader, ReadsLinearly, text_vectorizers, tfidf
from assistant.labels import COMPLAINT, HUMAN_REQUEST
from assistant.storage import Progress, quiet, read_model, write_model

logger = logging.getLogger(__name__)
CUES_VERSION = 2  # bump when the features or classifiers below change


@dataclass(frozen=True)
class Reading:
    person: list[float]  # per text: probability that it asks for a person
    mood: list[float]  # per text: P(positive) - P(negative), -1 .. 1
    negative: list[float]  # per text: P(negative)
    meaning: np.ndarray  # per text: its word vector (assistant.embedding), one row each


@functools.cache
def person_examples() -> tuple[tuple[str, int], ...]:
    """Messages that ask for a person (1) and that do not (0), in every language: the project's
    own examples, plus every shipped phrase of another intent as a plain "no"."""
    data = files("assistant") / "data" / "person"
    rows: list[tuple[str, int]] = []
    for language in LANGUAGES:
        rows += [(line, 1) for line in lines_of(data / language / "asks.txt")]
        rows += [(line, 0) for line in lines_of(data / language / "not_asks.txt")]
    rows += [(e.text, int(e.intent == HUMAN_REQUEST)) for e in shipped_examples()]
    rows += [(e.text, 0) for e in off_topic_examples()]
    return tuple(dict(rows).items())  # one label per text: the person data files win


CALM_QUESTIONS = 4000


@functools.cache
def mood_examples() -> tuple[tuple[str, str], ...]:
    """Messages by feeling, plus a sample of the shipped store questions and the off-topic ones
    as calm: most customers asking "how do I stop the newsletter?" are not upset."""
    rows = [(text, label) for label, texts in sentiment_examples().items() for text in texts]
    questions = sorted(e.text for e in shipped_examples() if e.intent != COMPLAINT)
    random.Random(3).shuffle(questions)
    # Questions about anything else are asked calmly too ("how many people have insomnia"):
    # without them a sad subject reads as an angry customer.
    elsewhere = [e.text for e in off_topic_examples()]
    return tuple(rows + [(text, "neutral") for text in [*questions[:CALM_QUESTIONS], *elsewhere]])


def _features() -> list[TfidfVectorizer]:
    return list(text_vectorizers())


class CueModel(ReadsLinearly):
    def __init__(
        self,
        vectorizers: list[TfidfVectorizer],
        person: LogisticRegression,
        mood: LogisticRegression,
        version: str,
    ) -> None:
        self.vectorizers = vectorizers
        self.person = person
        self.mood = mood
        self.version = version

    def _build_reader(self, name: str) -> LinearReader:
        classifier = self.person if name == "person" else self.mood
        return LinearReader(self.vectorizers, classifier.coef_, classifier.intercept_)

    @classmethod
    def train(cls, progress: Progress = quiet) -> CueModel:
        progress("learning asks for a person and moods")
        asks = person_examples()
        moods = mood_examples()
        vectorizers = _features()
        corpus = [text for text, _ in asks] + [text for text, _ in moods]
        for vectorizer in vectorizers:
            vectorizer.fit(corpus)
        model = cls(vectorizers, LogisticRegression(), LogisticRegression(), cues_fingerprint())
        model.person = LogisticRegression(C=8.0, max_iter=3000, class_weight="balanced").fit(
            model.vectors([text for text, _ in asks]), [label for _, label in asks]
        )
        model.mood = LogisticRegression(C=2.0, max_iter=3000, class_weight="balanced").fit(
            model.vectors([text for text, _ in moods]), [label for _, label in moods]
        )
        return model

    def vectors(self, texts: list[str], meaning: np.ndarray | None = None) -> Any:
        meaning = embed(texts) if meaning is None else meaning
        return sparse.hstack(
            [tfidf(vectorizer, texts) for vectorizer in self.vectorizers]
            + [sparse.csr_matrix(meaning)],
            format="csr",
        )

    def read(self, texts: list[str]) -> Reading:
        """The readings of `texts`, one per text (a text given twice is read once)."""
        unique = list(dict.fromkeys(texts))
        if len(unique) < len(texts):
            once = self.read(unique)
            rows = [unique.index(text) for text in texts]
            return Reading(
                person=[once.person[row] for row in rows],
                mood=[once.mood[row] for row in rows],
                negative=[once.negative[row] for row in rows],
                meaning=once.meaning[rows],
            )
        meaning = embed(texts)
        person = _probabilities(self._reader("person").scores(texts, meaning))
        person = person[:, list(self.person.classes_).index(1)]
        mood = _probabilities(self._reader("mood").scores(texts, meaning))
        labels = list(self.mood.classes_)
        negative = mood[:, labels.index("negative")]
        positive = mood[:, labels.index("positive")]
        return Reading(
            person=[round(float(p), 4) for p in person],
            mood=[round(float(p - n), 4) for p, n in zip(positive, negative, strict=True)],
            negative=[round(float(n), 4) for n in negative],
            meaning=meaning,
        )


def _probabilities(scores: np.ndarray) -> np.ndarray:
    if scores.shape[1] == 1:  # binary: one column of log-odds
        positive = 1 / (1 + np.exp(-scores[:, 0]))
        return np.column_stack([1 - positive, positive])
    scores -= scores.max(axis=1, keepdims=True)
    exponentials = np.exp(scores)
    return np.asarray(exponentials / exponentials.sum(axis=1, keepdims=True))


def cues_fingerprint() -> str:
    digest = hashlib.sha256(
        f"cues v{CUES_VERSION} sklearn {sklearn.__version__} {EMBEDDING_VERSION}".encode()
    )
    for text, asks in person_examples():
        digest.update(f"p{asks}\t{text}\n".encode())
    for text, feeling in mood_examples():
        digest.update(f"m{feeling}\t{text}\n".encode())
    return digest.hexdigest()[:16]


def load_or_train_cues(cache_dir: Path, progress: Progress = quiet) -> CueModel:
    """The cue model of the shipped data: from the disk cache, or trained (about 12 s) and cached."""
    version = cues_fingerprint()
    path = cache_dir / f"cues-{version}.joblib"
    model = read_model(path, CueModel, version)
    if model is not None:
        return model
    started = time.perf_counter()
    model = CueModel.train(progress)
    logger.info("Trained the cue model in %.1f s", time.perf_counter() - started)
    try:
        write_model(model, path, keep=2)
    except OSError:
        logger.exception("Could not cache the cue model in %s", cache_dir)
    return model


__all__ = ["CueModel", "Example", "Reading", "load_or_train_cues"]
