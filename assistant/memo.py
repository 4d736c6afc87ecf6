"""Per-text results remembered for the texts a process read last.

A conversation's every turn reads its earlier questions again (how alike is this question to
each of them?) and several models read the same message; what a text gives is fixed for a
given model, so it is worked out once and looked up after.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

Row = TypeVar("Row")


class RecentTexts(Generic[Row]):
    """The rows of the `size` texts used last (least recently used go first); thread-safe.

    `compute` runs outside the lock: two threads missing the same text both work it out, and
    either answer is the same.
    """

    def __init__(self, size: int, *, longest: int | None = None) -> None:
        self.size = size
        self.longest = longest  # longer texts are worked out every time, never kept
        self._rows: OrderedDict[str, Row] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, text: str) -> bool:
        return text in self._rows

    def rows(
        self, texts: Sequence[str], compute: Callable[[list[str]], Iterable[Row]]
    ) -> list[Row]:
        """One row per text, in order; `compute` is given only the texts not remembered."""
        with self._lock:
            known = {text: self._rows[text] for text in texts if text in self._rows}
            for text in known:
                self._rows.move_to_end(text)
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            known.update(zip(missing, compute(missing), strict=True))
            kept = [text for text in missing if self.longest is None or len(text) <= self.longest]
            with self._lock:
                self._rows.update((text, known[text]) for text in kept)
                while len(self._rows) > self.size:
                    self._rows.popitem(last=False)
        return [known[text] for text in texts]
