"""The API's JSON parser: what the decoder or the database cannot take is a clear 400."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# NUL (PostgreSQL text cannot hold it) and halves of a surrogate pair ("\ud800" decodes to a
# string no database or socket can encode).
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # nesting deeper than the decoder goes: a 500 without this
            raise ParseError("JSON parse error - nested too deeply.") from None
        if any(UNSTORABLE.search(text) for text in _strings(data)):
            raise ParseError("Text may not contain NUL characters or unpaired surrogates.")
        return data


def _strings(data: Any) -> list[str]:
    """Every string in a decoded JSON document, keys included (iteratively: no recursion)."""
    found, pending = [], [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found += [key for key in item if isinstance(key, str)]
            pending += item.values()
        elif isinstance(item, list):
            pending += item
    return found
