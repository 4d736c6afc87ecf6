"""Spanish, French and German versions of the demo store's knowledge base (demo_data.ARTICLES).

The texts live in helpdesk/data/demo_translations.json, read with importlib.resources so they
work from a wheel as from a checkout.
"""

from __future__ import annotations

import json
from importlib.resources import files


def _load() -> dict[str, dict[str, tuple[str, str, str]]]:
    raw = json.loads((files("helpdesk") / "data" / "demo_translations.json").read_text("utf-8"))
    return {
        title: {language: (text[0], text[1], text[2]) for language, text in versions.items()}
        for title, versions in raw.items()
    }


# English title -> language -> (title, tags, body)
TRANSLATIONS: dict[str, dict[str, tuple[str, str, str]]] = _load()
