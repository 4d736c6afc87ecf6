"""Static word embeddings: what a message means, beyond the words it shares with training.

TF-IDF knows only the words it was taught; "termination penalty" and "cancellation fee" share
none. The embeddings are WordLlama's 256-dimension token vectors (MIT licence), which ship inside
the `wordllama` wheel, so nothing is downloaded: they are read straight from the installed
package (its own loader looks for the tokenizer in the wrong folder and would go to the network).
A message's vector is the mean of its token vectors, L2-normalised; about 0.05 ms.
"""

from __future__ import annotations

import functools
import os
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import wordllama
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from wordllama import WordLlama
from wordllama.inference import WordLlamaInference

from assistant.memo import RecentTexts

# One message's few texts are tokenized faster on the calling thread than by the tokenizer's
# thread pool (0.04 against 0.13 ms), and a pool would not survive the web server's forks.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

PACKAGE = Path(wordllama.__file__).parent
WEIGHTS = PACKAGE / "weights" / "l2_supercat_256.safetensors"
TOKENIZER = PACKAGE / "tokenizers" / "l2_supercat_tokenizer_config.json"
DIMENSIONS = 256
VERSION = f"wordllama {version('wordllama')} l2_supercat {DIMENSIONS}"  # in the model fingerprint


@functools.cache
def embedder() -> WordLlamaInference:
    from safetensors import safe_open

    with safe_open(str(WEIGHTS), framework="np") as weights:
        table = weights.get_tensor("embedding.weight")
    return WordLlamaInference(table, WordLlama.load_tokenizer(TOKENIZER))


def embed(texts: list[str], dimensions: int = DIMENSIONS) -> np.ndarray:
    """One unit vector per text (a text with no known token gets zeros).

    WordLlama is trained Matryoshka-style: the leading dimensions carry most of the meaning, so
    a prefix is a smaller embedding of the same text, cheaper for the classifier to learn from.
    The few texts of a message in flight are remembered: every model reading it shares one
    embedding.
    """
    if len(texts) > RECENT_SIZE // 4:  # training data: no point remembering it
        return _embed(texts)[:, :dimensions]
    if not texts:
        return _empty()
    return np.stack(_recent.rows(texts, _embed))[:, :dimensions]


RECENT_SIZE = 512
_recent: RecentTexts[np.ndarray] = RecentTexts(RECENT_SIZE)


def _embed(texts: list[str]) -> np.ndarray:
    vectors = np.asarray(embedder().embed(texts), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def _empty() -> np.ndarray:
    return np.zeros((0, DIMENSIONS))


class EmbeddingFeatures(TransformerMixin, BaseEstimator):
    """A scikit-learn step: texts in, their embeddings out (sparse, to sit in a FeatureUnion).

    Stateless: pickling it (the cached intent model) stores no weights, they are read from the
    package on first use in each process.
    """

    def __init__(self, dimensions: int = DIMENSIONS) -> None:
        self.dimensions = dimensions

    def fit(self, texts: Any, labels: Any = None) -> EmbeddingFeatures:
        return self

    def transform(self, texts: Any) -> sparse.csr_matrix:
        return sparse.csr_matrix(embed(list(texts), self.dimensions))
