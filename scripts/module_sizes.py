"""Fail when a Python module outside migrations is over MAX_LINES lines (make lint).

A module that long holds more than one concept: split it by concept, as escalation's and
routing's packages are (see docs/architecture.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

MAX_LINES = 500
SKIPPED = {".venv", "node_modules", "migrations", ".git"}


def oversized(root: Path) -> list[tuple[Path, int]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if SKIPPED.intersection(path.relative_to(root).parts):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            found.append((path.relative_to(root), lines))
    return found


def main() -> int:
    found = oversized(Path(__file__).resolve().parent.parent)
    for path, lines in found:
        print(f"{path}: {lines} lines (at most {MAX_LINES}): split it by concept")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
