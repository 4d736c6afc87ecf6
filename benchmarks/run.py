"""`make bench`: run every benchmark, write benchmarks/results/<name>.json, print one table."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import (  # noqa: E402
    assistant_byo,
    chat_roundtrip,
    connections,
    fanout,
    pages,
    routing,
    timers,
    triggers,
)

BENCHMARKS = [triggers, assistant_byo, chat_roundtrip, routing, timers, fanout, connections, pages]
RESULTS = Path(__file__).resolve().parent / "results"

Row = tuple[str, str, str, str, str]


def save(result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{result['name']}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def show(rows: list[Row]) -> None:
    widths = [max(len(row[i]) for row in [*rows, HEADER]) for i in range(5)]
    for row in [HEADER, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def run_one(module: ModuleType) -> None:
    """`python benchmarks/<name>.py` for the benchmarks that save their own result."""
    result = module.main()
    print(f"wrote {save(result)}")
    show(module.table(result))


def main() -> None:
    rows: list[Row] = []
    for module in BENCHMARKS:
        result = module.main()
        save(result)
        rows += module.table(result)
    show(rows)


HEADER = ("benchmark", "measure", "figure", "baseline (same run)", "ratio")

if __name__ == "__main__":
    main()
