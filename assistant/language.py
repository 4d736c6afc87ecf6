"""Which of the supported languages a message is written in.

Short chat messages defeat general-purpose detectors. Two readings are combined:
- the letters and letter sequences of each language, learned (naive Bayes over character
  n-grams) from the thousands of messages the project ships in each language; it tells
  "mon compte a été piraté" from Spanish where single words cannot;
- function words ("the", "el", "le", "der") and letters only one language uses ("ñ", "ß"),
  which say when a message carries any signal at all.
A message with no signal ("ok", "lkjhg") is in the customer's language; so is a very short one
the letters do not clearly place elsewhere.
"""

from __future__ import annotations

import functools
import threading

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB

from assistant.catalogue import LANGUAGES, all_language_lines
from assistant.features import counts
from assistant.text import normalise, words

SUPPORTED = LANGUAGES

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the a an and or is are was were be been to of in on at for with my your i you we it "
        "this that what where when how why can could would should do does did not no yes please "
        "me have has had will just want need get order still again".split()
    ),
    "es": frozenset(
        "el la los las un una y o es son fue ser estar esta este esto de del en con por para "
        "mi mis tu su que donde cuando como por que puedo quiero necesito hablar no si gracias "
        "hola pedido todavia otra vez muy pero ya me lo le".split()
    ),
    "fr": frozenset(
        "le la les un une et ou est sont etait etre de du des en avec pour par mon ma mes ton "
        "votre vos que qui ou quand comment pourquoi je tu vous nous il elle ne pas oui merci "
        "bonjour commande encore veux voudrais parler suis c'est j'ai au aux".split()
    ),
    "de": frozenset(
        "der die das den dem des ein eine einen und oder ist sind war sein zu von mit fur auf "
        "mein meine dein ihr ihre was wo wann wie warum ich du sie wir es nicht kein ja bitte "
        "danke hallo bestellung noch wieder will mochte sprechen habe bin mit einem einer".split()
    ),
}

# Letters (before accent folding) that point to one language.
MARKERS: dict[str, str] = {
    "ñ": "es", "¿": "es", "¡": "es", "ß": "de", "ä": "de", "ö": "de", "ü": "de", "ç": "fr",
    "è": "fr", "ê": "fr", "à": "fr", "œ": "fr", "ù": "fr", "â": "fr",
}  # fmt: skip

SHORT = 3  # words: below this the customer's language wins unless the letters clearly disagree
SURE = 0.9


_letters_lock = threading.Lock()


def _letters_model() -> tuple[CountVectorizer, np.ndarray, np.ndarray]:
    # Learned once, whoever asks first: a customer's turn arriving while the start-up warm-up
    # (helpdesk.flows.warmup) is learning it waits for that, rather than learning it a second
    # time beside it and slowing both.
    with _letters_lock:
        return _learned_letters()


@functools.cache
def _learned_letters() -> tuple[CountVectorizer, np.ndarray, np.ndarray]:
    """The letter n-grams, log P(n-gram | language) and the log prior: a few seconds to learn."""
    texts, labels = zip(*all_language_lines(), strict=True)
    # The same n-grams the intent and cue models read (accent-folded), so a message is cut into
    # n-grams once for all three.
    letters = CountVectorizer(
        preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5), min_df=2
    )
    model = MultinomialNB(alpha=0.1).fit(letters.fit_transform(texts), labels)
    order = [list(model.classes_).index(language) for language in SUPPORTED]
    # Stored n-gram by language, in memory order: a message's few n-grams then read a few rows.
    return (
        letters,
        np.ascontiguousarray(model.feature_log_prob_[order].T),
        model.class_log_prior_[order],
    )


def language_probabilities(text: str) -> dict[str, float]:
    letters, log_probabilities, prior = _letters_model()
    found = counts(letters, [text])
    scores = found.data @ log_probabilities[found.indices] + prior
    scores = np.exp(scores - scores.max())
    return dict(zip(SUPPORTED, (scores / scores.sum()).tolist(), strict=True))


def detect_language(text: str, *, default: str = "en") -> str:
    """The most likely supported language; `default` (the customer's) when there is no signal."""
    if not _has_signal(text):
        return default
    probabilities = language_probabilities(text)
    best = max(probabilities, key=probabilities.__getitem__)
    if len(words(text)) < SHORT and probabilities[best] < SURE and default in probabilities:
        return default
    return best


def _has_signal(text: str) -> bool:
    tokens = words(text)
    return any(
        token in vocabulary for vocabulary in FUNCTION_WORDS.values() for token in tokens
    ) or (any(char in MARKERS for char in text.lower()) or len(tokens) >= SHORT)
