"""Country names in the training phrases, swapped for others.

The phrases name a few countries ("can you send the standing desk to Norway?"), and a model
taught only those learns that Norway means shipping and Denmark means nothing it knows: a
customer asking for Denmark was read as unsure. Each training copy of a phrase that names a
country names another instead, from assistant/data/countries.toml, so the country a customer
names carries no weight of its own and the rest of the question decides.
"""

from __future__ import annotations

import functools
import json
import random
import re
import tomllib
from importlib.resources import files
from typing import Any


@functools.cache
def _table() -> dict[str, Any]:
    return tomllib.loads((files("assistant") / "data" / "countries.toml").read_text("utf-8"))


@functools.cache
def countries() -> dict[str, tuple[str, ...]]:
    """Each language's country names."""
    return {language: tuple(names) for language, names in _table()["countries"].items()}


@functools.cache
def _named(language: str) -> re.Pattern[str] | None:
    """Any of the language's countries, in any case, but its ordinary words (Spanish "chile",
    French "suède") only with a capital; the longest name first ("the USA" before "the US")."""
    ordinary = set(_table().get("ordinary_words", {}).get(language, ()))
    names = sorted(countries().get(language, ()), key=len, reverse=True)
    if not names:
        return None
    alternatives = [
        re.escape(name) if name in ordinary else f"(?i:{re.escape(name)})" for name in names
    ]
    return re.compile(r"\b(" + "|".join(alternatives) + r")\b")


def names_a_country(text: str, language: str) -> bool:
    pattern = _named(language)
    return pattern is not None and pattern.search(text) is not None


def elsewhere(text: str, language: str, rng: random.Random) -> str:
    """`text` with each country it names replaced by another one of its language's."""
    pattern = _named(language)
    if pattern is None:
        return text

    def other(match: re.Match[str]) -> str:
        named = match.group(0).lower()
        return rng.choice([name for name in countries()[language] if name.lower() != named])

    return pattern.sub(other, text)


def fingerprint_text() -> str:
    """What the swap depends on, for the model's fingerprint: a changed list retrains."""
    return json.dumps(_table(), sort_keys=True, ensure_ascii=False)
