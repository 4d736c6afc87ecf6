"""Country names in the training phrases, swapped for others.

The phrases name a few countries ("can you send the standing desk to Norway?"), and a model
taught only those learns that Norway means shipping and Denmark means nothing it knows: a
customer asking for Denmark was read as unsure. Each training copy of a phrase that names a
country names another instead, from assistant/data/countries.toml, so the country a customer
names carries no weight of its own and the rest of the question decides.
"""

from __future__ import annotations

import functools
import random
import re
import tomllib
from importlib.resources import files


@functools.cache
def countries() -> dict[str, tuple[str, ...]]:
    table = tomllib.loads((files("assistant") / "data" / "countries.toml").read_text("utf-8"))
    return {language: tuple(names) for language, names in table.items()}


@functools.cache
def _named(language: str) -> re.Pattern[str] | None:
    names = sorted(countries().get(language, ()), key=len, reverse=True)  # "the US" after "the USA"
    if not names:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(name) for name in names) + r")\b", re.IGNORECASE)


def elsewhere(text: str, language: str, rng: random.Random) -> str:
    """`text` with each country it names replaced by another one of its language's."""
    pattern = _named(language)
    if pattern is None:
        return text

    def other(match: re.Match[str]) -> str:
        named = match.group(0).lower()
        return rng.choice([name for name in countries()[language] if name.lower() != named])

    return pattern.sub(other, text)
