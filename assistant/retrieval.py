"""A lexical retriever over the knowledge base: BM25 on titles, tags and bodies.

Titles and tags are repeated into the document so that a match there weighs more than one
buried in a long body.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from assistant.text import words

STOPWORDS = frozenset(
    "a an the and or but if of to in on at for with by from my your our their i you we it is are "
    "was were be been am do does did can could would should will shall may might must have has had "
    "me us them this that these those there here what which who whom how when where why not no "
    "please thanks hi hello so just any some get got im i'm its it's as about into out up".split()
)
K1, B = 1.4, 0.75
# Which articles are worth showing a person as relevant (see `relevant`):
PLAUSIBLE = 0.2  # an intent this probable may be what the message is about
UNTAGGED_FLOOR = 0.7  # an article that names no intent must match the words this strongly


def terms(text: str) -> list[str]:
    return [_stem(token) for token in words(text) if token not in STOPWORDS and len(token) > 1]


def _stem(token: str) -> str:
    """A light suffix stripper: 'returns', 'returned', 'returning' all become 'return'."""
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


@dataclass(frozen=True)
class ArticleDoc:
    id: int
    title: str
    body: str
    tags: str = ""
    intents: tuple[str, ...] = ()
    language: str = "en"


@dataclass(frozen=True)
class Hit:
    article: ArticleDoc
    score: float
    strength: float  # the score squashed into 0..1, comparable between queries


@dataclass(frozen=True)
class Relevant:
    article: ArticleDoc
    relevance: float  # 0..1: how likely the message is about what the article answers


@dataclass
class ArticleIndex:
    articles: list[ArticleDoc]
    _postings: list[Counter[str]] = field(init=False)
    _lengths: list[int] = field(init=False)
    _idf: dict[str, float] = field(init=False)
    _containing: dict[str, list[int]] = field(init=False)  # term -> articles that have it
    _answering: dict[str, list[ArticleDoc]] = field(init=False)  # intent -> its articles

    def __post_init__(self) -> None:
        self._postings = [
            Counter(terms(f"{a.title} {a.title} {a.tags} {a.tags} {a.body}")) for a in self.articles
        ]
        self._lengths = [sum(posting.values()) for posting in self._postings]
        frequency: Counter[str] = Counter(term for posting in self._postings for term in posting)
        self._containing = {}
        for position, posting in enumerate(self._postings):
            for term in posting:
                self._containing.setdefault(term, []).append(position)
        self._answering = {}
        for article in self.articles:
            for intent in article.intents:
                self._answering.setdefault(intent, []).append(article)
        count = max(len(self.articles), 1)
        self._idf = {
            term: math.log(1 + (count - df + 0.5) / (df + 0.5)) for term, df in frequency.items()
        }

    def search(self, text: str, *, language: str = "en", limit: int = 3) -> list[Hit]:
        query = set(terms(text))
        average = (sum(self._lengths) / len(self._lengths)) if self._lengths else 1.0
        scores: dict[int, float] = {}
        for term in query:
            for position in self._containing.get(term, ()):
                tf = self._postings[position][term]
                length = self._lengths[position]
                scores[position] = scores.get(position, 0.0) + (
                    self._idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
                )
        hits = []
        for position, score in scores.items():
            article = self.articles[position]
            # A little preference for the customer's language when both versions match.
            score *= 1.1 if article.language == language else 1.0
            hits.append(Hit(article, round(score, 4), round(score / (score + 4.0), 4)))
        hits.sort(key=lambda hit: (-hit.score, hit.article.id))
        return hits[:limit]

    def relevant(
        self, hits: list[Hit], *, ranking: tuple[tuple[str, float], ...], language: str
    ) -> list[Relevant]:
        """The articles an agent would call relevant to the message, best first: in the
        customer's language, and about what the message is about (an intent the reading finds
        plausible), never merely sharing a word like "order" or "account". The article written
        for the intent counts even when the words differ. None rather than wrong ones."""
        found: dict[int, Relevant] = {}
        for intent, probability in ranking:
            if probability < PLAUSIBLE:
                continue
            for article in self._answering.get(intent, ()):
                if article.language == language:
                    found.setdefault(article.id, Relevant(article, probability))
        for hit in hits:
            if hit.article.language != language or hit.article.id in found:
                continue
            if not hit.article.intents and hit.strength >= UNTAGGED_FLOOR:
                found[hit.article.id] = Relevant(hit.article, hit.strength)
        return sorted(found.values(), key=lambda item: (-item.relevance, item.article.id))

    def for_intent(self, intent: str, *, language: str) -> ArticleDoc | None:
        """The article written for this intent, in the customer's language if there is one."""
        matches = [article for article in self.articles if intent in article.intents]
        for article in matches:
            if article.language == language:
                return article
        english = [article for article in matches if article.language == "en"]
        candidates = english or matches
        return candidates[0] if candidates else None
