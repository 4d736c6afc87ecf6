"""Intent classification: TF-IDF over words and character n-grams plus static word embeddings
(what the words mean, for wordings the phrases never used), logistic regression.

Trained on the enabled intents' phrases (the shipped data files and what supervisors add or
import in admin) and the shipped off-topic examples, as runtime.training_examples() picks. The
trained model is cached on disk under a fingerprint of its training data, so a process loads it
in milliseconds and a change to the data (or to scikit-learn) trains a new one.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from assistant.catalogue import Example
from assistant.embedding import VERSION as EMBEDDING_VERSION
from assistant.embedding import EmbeddingFeatures, embed
from assistant.features import LinearReader, ReadsLinearly, text_vectorizers, tfidf
from assistant.labels import OUT_OF_SCOPE, SMALLTALK_INTENTS
from assistant.places import elsewhere, names_a_country
from assistant.places import fingerprint_text as places_fingerprint
from assistant.storage import Progress, quiet, read_model, write_model
from assistant.text import words

logger = logging.getLogger(__name__)

NOT_A_QUESTION = SMALLTALK_INTENTS | {OUT_OF_SCOPE}
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
MODEL_VERSION = 15  # bump when the pipeline below changes


@dataclass(frozen=True)
class IntentPrediction:
    intent: str
    confidence: float
    ranking: tuple[tuple[str, float], ...]  # the top three, best first
    known_words: float  # share of the message's words the model has seen in training


def fingerprint(examples: Iterable[Example]) -> str:
    digest = hashlib.sha256(
        f"v{MODEL_VERSION} sklearn {sklearn.__version__} {EMBEDDING_VERSION}".encode()
    )
    digest.update(places_fingerprint().encode())  # the training copies' countries
    for text, intent, language, topic in sorted(examples):
        digest.update(f"{intent}\t{topic}\t{language}\t{text}\n".encode())
    return digest.hexdigest()[:16]


def _pipeline() -> Pipeline:
    words, chars = text_vectorizers()
    features = FeatureUnion([("words", words), ("chars", chars), ("meaning", EmbeddingFeatures())])
    # Balanced: the out-of-scope class is ten times any store intent and would swallow polite
    # store questions. C and the thresholds were chosen on the benchmark's public data (README).
    classifier = LogisticRegression(C=40.0, max_iter=3000, class_weight="balanced", tol=1e-4)
    return Pipeline([("features", features), ("classifier", classifier)])


class IntentModel(ReadsLinearly):
    def __init__(
        self,
        pipeline: Pipeline,
        vocabulary: frozenset[str],
        version: str,
        topics: SGDClassifier,
    ) -> None:
        self.pipeline = pipeline
        self.vocabulary = vocabulary
        self.version = version
        self.classes: list[str] = list(pipeline.classes_)
        self.topics = topics

    @classmethod
    def train(cls, examples: list[Example], progress: Progress = quiet) -> IntentModel:
        progress("learning the intents")
        pipeline, vocabulary = fit_classifier(examples)
        progress("learning the topics")
        # Topics: the store intents, and the out-of-scope phrases by what they are about, so two
        # off-topic questions about the weather read as alike (question_similarities).
        # The phrases as written are enough here, and half the cost of the augmented set.
        topics = SGDClassifier(
            loss="log_loss", alpha=1e-5, class_weight="balanced", random_state=0, n_jobs=2
        ).fit(
            pipeline.named_steps["features"].transform([example.text for example in examples]),
            [f"oos:{e.topic}" if e.topic else e.intent for e in examples],
        )
        return cls(pipeline, vocabulary, fingerprint(examples), topics)

    def predict(self, text: str) -> IntentPrediction:
        """The intent of the whole message, or of one of its sentences: in "That didn't answer
        it. How do I send something back?" the question is the intent. Confident store readings
        and a clearly off-topic whole come first (the surer wins), then a clearly off-topic
        sentence, then doubtful store readings, then small talk."""
        known = self.known_share(text)
        parts = [text, *_sentences(text)]
        table = self.probabilities(parts)

        def rank(row: int) -> tuple[float, float]:
            label, confidence = self.classes[int(table[row].argmax())], float(table[row].max())
            if label not in NOT_A_QUESTION:
                return (2 if confidence >= 0.5 else 1, confidence)
            if label == OUT_OF_SCOPE and confidence >= 0.7:
                # The whole message clearly off-topic stands with confident store readings of
                # its sentences (the surer wins); an off-topic sentence ("Great, thanks. Random
                # one, but how much is car insurance?") beats small talk and doubtful readings.
                return (2 if row == 0 else 1.5, confidence)
            return (0, confidence)

        best = max(range(len(parts)), key=rank)
        return self._prediction(table[best], known)

    def predict_as_follow_up(self, text: str, *, after: str) -> IntentPrediction:
        """The reading of `text` together with the question it follows ("is there a fee?"
        after "how do I cancel my order?")."""
        table = self.probabilities([f"{after} {text}"])
        return self._prediction(table[0], self.known_share(text))

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """P(intent) for each text, one row per text, columns in `classes` order."""
        scores = self._reader("classifier").scores(texts, embed(texts))
        if scores.shape[1] == 1:  # two intents: one column of log-odds for the second
            scores = np.hstack([np.zeros_like(scores), scores])
        return _softmax(scores)

    def _build_reader(self, name: str) -> LinearReader:
        union = self.pipeline.named_steps["features"]
        estimator = self.topics if name == "topics" else self.pipeline.named_steps[name]
        return LinearReader(
            [part for _, part in union.transformer_list if isinstance(part, TfidfVectorizer)],
            estimator.coef_,
            estimator.intercept_,
        )

    def known_share(self, text: str) -> float:
        tokens = words(text)
        return sum(token in self.vocabulary for token in tokens) / len(tokens) if tokens else 0.0

    def _prediction(self, probabilities: np.ndarray, known: float) -> IntentPrediction:
        order = np.argsort(probabilities)[::-1][:3]
        ranking = tuple((self.classes[i], round(float(probabilities[i]), 4)) for i in order)
        return IntentPrediction(
            intent=ranking[0][0],
            confidence=ranking[0][1],
            ranking=ranking,
            known_words=round(known, 3),
        )

    def vectors(self, texts: list[str]) -> Any:
        """The classifier's features of texts: TF-IDF (L2-normalised per part) and embeddings.

        The parts are called directly rather than through FeatureUnion.transform: per message,
        scikit-learn's input checks cost more than the arithmetic (see benchmarks/triggers.py).
        """
        union = self.pipeline.named_steps["features"]
        return sparse.hstack(
            [
                tfidf(part, texts) if isinstance(part, TfidfVectorizer) else part.transform(texts)
                for _, part in union.transformer_list
            ],
            format="csr",
        )

    def topic_probabilities(self, texts: list[str]) -> np.ndarray:
        """What each text is about: a store intent, or an off-topic subject (weather, maths...)."""
        # SGDClassifier.predict_proba for log loss: one-vs-rest sigmoids, normalised per row.
        scores = self._reader("topics").scores(texts, embed(texts))
        if scores.shape[1] == 1:  # two topics: one column of log-odds for the second
            scores = np.hstack([-scores, scores])
        probabilities = 1 / (1 + np.exp(-scores))
        return np.asarray(probabilities / probabilities.sum(axis=1, keepdims=True))


def fit_classifier(examples: list[Example]) -> tuple[Pipeline, frozenset[str]]:
    """The intent classifier alone, and the words it was taught (without mood and topics)."""
    triples = [(example.text, example.intent, example.language) for example in examples]
    texts, labels, _ = zip(*augmented(triples), strict=True)
    pipeline = _pipeline().fit(list(texts), list(labels))
    return pipeline, frozenset(token for text in texts for token in words(text))


def probabilities(pipeline: Pipeline, texts: list[str]) -> np.ndarray:
    """The classifier's probabilities for a batch of texts (one row per text)."""
    return np.asarray(pipeline.predict_proba(texts))


def _softmax(scores: np.ndarray) -> np.ndarray:
    """Probabilities from a multinomial logistic regression's raw scores, row by row."""
    scores = scores - scores.max(axis=1, keepdims=True)
    exponentials = np.exp(scores)
    return np.asarray(exponentials / exponentials.sum(axis=1, keepdims=True))


# Openings customers put before any request, in or out of scope: taught to every class alike, so
# the model learns they say nothing about the intent.
PREAMBLES = {
    "en": ("i need help", "can you help me", "help me to", "i want to know", "i'd like to",
           "could you tell me", "i have a question,", "please", "hi,", "hello, i was wondering",
           "i need assistance to", "is it possible to", "i'm trying to", "tell me", "hey there,",
           "good morning,", "quick question:"),
    "es": ("hola,", "buenas,", "buenos días,", "una pregunta:", "disculpe,", "necesito ayuda,",
           "hola, quería saber", "por favor,", "me gustaría saber", "oye,"),
    "fr": ("bonjour,", "bonsoir,", "salut,", "une question :", "excusez-moi,", "j'ai besoin d'aide,",
           "bonjour, je voudrais savoir", "s'il vous plaît,", "pouvez-vous me dire", "coucou,"),
    "de": ("hallo,", "guten tag,", "moin,", "kurze frage:", "entschuldigung,", "ich brauche hilfe,",
           "hallo, ich wollte fragen", "bitte,", "können sie mir sagen", "hi,"),
}  # fmt: skip


def augmented(examples: list[tuple[str, str, str]], *, seed: int = 7) -> list[tuple[str, str, str]]:
    """The examples plus one noisy copy of each: an opening in its language, a typo, or both;
    any country it names swapped for another (assistant.places), in COUNTRY_COPIES copies."""
    rng = random.Random(seed)
    places = random.Random(seed + 1)  # its own draws: the openings and typos stay as they were
    extra = []
    for text, intent, language in examples:
        openings = PREAMBLES.get(language, PREAMBLES["en"])
        variant = (
            f"{rng.choice(openings)} {text[:1].lower()}{text[1:]}" if rng.random() < 0.6 else text
        )
        if rng.random() < 0.5:
            variant = _typo(variant, rng)
        extra.append((elsewhere(variant, language, places), intent, language))
        if names_a_country(text, language):
            extra += [
                (elsewhere(text, language, places), intent, language)
                for _ in range(COUNTRY_COPIES - 1)
            ]
    return [*examples, *extra]


# A phrase that names a country is taught with this many others in its place: with one, whether
# "send the coffee grinder to Denmark" read as shipping depended on which countries were drawn.
COUNTRY_COPIES = 4


def _typo(text: str, rng: random.Random) -> str:
    """One slip of the finger: a letter dropped, doubled, or swapped with its neighbour."""
    if len(text) <= 6:
        return text
    chars = list(text)
    at = rng.randrange(1, len(chars) - 2)
    slip = rng.random()
    if slip < 1 / 3:
        del chars[at]
    elif slip < 2 / 3:
        chars[at], chars[at + 1] = chars[at + 1], chars[at]
    else:
        chars.insert(at, chars[at])
    return "".join(chars)


def _sentences(text: str) -> list[str]:
    """The message's sentences, when it has more than one worth classifying on its own, and
    the message without its opening salutation ("Bonjour, est-ce que vous livrez le samedi ?")."""
    pieces = [piece.strip() for piece in SENTENCE_END.split(text) if len(piece.split()) >= 2]
    pieces = pieces if len(pieces) > 1 else []
    opening, comma, rest = text.partition(",")
    if comma and len(opening.split()) <= 2 and len(rest.split()) >= 2:
        pieces.append(rest.strip())
    return pieces


def cached_path(cache_dir: Path, version: str) -> Path:
    return cache_dir / f"intent-{version}.joblib"


def load_cached(cache_dir: Path, version: str) -> IntentModel | None:
    """The cached model of this fingerprint, or None when it is missing or unreadable."""
    return read_model(cached_path(cache_dir, version), IntentModel, version)


def load_or_train(
    examples: list[Example], cache_dir: Path, progress: Progress = quiet
) -> IntentModel:
    """The model for exactly these examples: from the disk cache, or trained and cached
    (`progress` hears each step's name as it starts)."""
    model = load_cached(cache_dir, fingerprint(examples))
    if model is not None:
        return model
    started = time.perf_counter()
    model = IntentModel.train(examples, progress)
    logger.info(
        "Trained the intent model on %d examples in %.1f s",
        len(examples),
        time.perf_counter() - started,
    )
    try:
        cache_model(model, cache_dir)
    except OSError:
        # A read-only or full disk costs the next process a retrain, not this chat its answer.
        logger.exception("Could not cache the intent model in %s", cache_dir)
    return model


def cache_model(model: IntentModel, cache_dir: Path, *, keep: int = 6) -> None:
    """Store the model under its fingerprint; keep the newest few."""
    write_model(model, cached_path(cache_dir, model.version), keep=keep)
