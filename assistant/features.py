"""Turning a message into n-gram counts fast, once for every model that reads it.

The intent model, the cue model and the language reader all count a message's words and
character n-grams. scikit-learn's transform re-analyses the text each time and checks its input
on every call, which on one short message costs more than the arithmetic. Here the n-grams of a
text are worked out once (and remembered for the few messages in flight), then looked up in
each model's vocabulary. The results equal the vectorizers' own `transform`.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from assistant.text import normalise

Analyzer = Callable[[str], list[str]]


def text_vectorizers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    """Words and pairs of words, and character n-grams within words (which read through
    typos and inflections): what every model of the assistant counts, in the same way."""
    return (
        TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(
            preprocessor=normalise,
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=2,
        ),
    )


_analyzers: dict[tuple[object, ...], Analyzer] = {}


def _signature(vectorizer: CountVectorizer) -> tuple[object, ...]:
    return (
        vectorizer.analyzer,
        tuple(vectorizer.ngram_range),
        getattr(vectorizer.preprocessor, "__qualname__", vectorizer.preprocessor),
        vectorizer.lowercase,
    )


def _analyzer_of(vectorizer: CountVectorizer) -> tuple[tuple[object, ...], Analyzer]:
    signature = _signature(vectorizer)
    if signature not in _analyzers:
        _analyzers[signature] = vectorizer.build_analyzer()
    return signature, _analyzers[signature]


@functools.lru_cache(maxsize=2048)
def _ngrams(signature: tuple[object, ...], text: str) -> tuple[str, ...]:
    return tuple(_analyzers[signature](text))


def ngrams(vectorizer: CountVectorizer, text: str) -> tuple[str, ...]:
    """The n-grams `vectorizer` sees in `text` (shared by vectorizers of the same kind)."""
    signature, _ = _analyzer_of(vectorizer)
    return _ngrams(signature, text)


def counts(vectorizer: CountVectorizer, texts: list[str]) -> sparse.csr_matrix:
    """vectorizer.transform(texts) for a fitted CountVectorizer, as float64 counts."""
    vocabulary = vectorizer.vocabulary_
    indptr: list[int] = [0]
    indices: list[int] = []
    values: list[float] = []
    for text in texts:
        found = Counter(
            column
            for gram in ngrams(vectorizer, text)
            if (column := vocabulary.get(gram)) is not None
        )
        indices += found.keys()
        values += found.values()
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(values, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(texts), len(vocabulary)),
    )


def tfidf(vectorizer: TfidfVectorizer, texts: list[str]) -> sparse.csr_matrix:
    """vectorizer.transform(texts): counts, sublinear tf, idf weights, rows scaled to length 1."""
    matrix = counts(vectorizer, texts)
    matrix.sort_indices()
    if vectorizer.sublinear_tf:
        np.log(matrix.data, matrix.data)
        matrix.data += 1
    matrix.data *= vectorizer.idf_[matrix.indices]
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    norms = np.sqrt(np.bincount(rows, weights=matrix.data**2, minlength=matrix.shape[0]))
    matrix.data /= norms[rows]  # an empty row has no data to divide
    return matrix


@functools.lru_cache(maxsize=4096)
def tfidf_row(vectorizer: TfidfVectorizer, text: str) -> tuple[np.ndarray, np.ndarray]:
    """One text's TF-IDF as (columns, values), remembered for the messages in flight."""
    vocabulary = vectorizer.vocabulary_
    found = Counter(
        column for gram in ngrams(vectorizer, text) if (column := vocabulary.get(gram)) is not None
    )
    columns = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
    values = np.fromiter(found.values(), dtype=np.float64, count=len(found))
    if vectorizer.sublinear_tf:
        values = np.log(values) + 1
    values *= vectorizer.idf_[columns]
    norm = np.sqrt(values @ values)
    return columns, values / norm if norm else values


class LinearReader:
    """A linear classifier over [TF-IDF blocks..., word vectors], scored without building
    sparse matrices: for a message's few hundred n-grams, a gather and a dot product."""

    def __init__(
        self, vectorizers: list[TfidfVectorizer], weights: np.ndarray, intercept: np.ndarray
    ) -> None:
        self.vectorizers = vectorizers
        self.offsets = np.cumsum([0, *(len(v.vocabulary_) for v in vectorizers)])
        self.weights = np.ascontiguousarray(weights.T)  # one row per feature
        self.intercept = intercept

    def scores(self, texts: list[str], meaning: np.ndarray) -> np.ndarray:
        """Raw scores (before the softmax or sigmoid), one row per text."""
        dense_start = self.offsets[-1]
        result = meaning @ self.weights[dense_start : dense_start + meaning.shape[1]]
        result += self.intercept
        for row, text in enumerate(texts):
            for offset, vectorizer in zip(self.offsets, self.vectorizers, strict=False):
                columns, values = tfidf_row(vectorizer, text)
                if len(columns):
                    result[row] += values @ self.weights[offset + columns]
        return result


class ReadsLinearly:
    """A model that scores through LinearReaders built on first use: kept per process, never
    pickled (they are derived from the model's own weights)."""

    _readers: dict[str, LinearReader]

    def _reader(self, name: str) -> LinearReader:
        readers = self.__dict__.setdefault("_readers", {})
        if name not in readers:
            readers[name] = self._build_reader(name)
        return readers[name]

    def _build_reader(self, name: str) -> LinearReader:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "_readers"}
