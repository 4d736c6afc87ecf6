"""`make bench`: run every benchmark, write benchmarks/results/<name>.json, print one table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import chat_roundtrip, routing, timers, triggers  # noqa: E402

BENCHMARKS = [triggers, chat_roundtrip, routing, timers]
RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    rows: list[tuple[str, str, str, str, str]] = []
    for module in BENCHMARKS:
        result = module.main()
        (RESULTS / f"{result['name']}.json").write_text(json.dumps(result, indent=2) + "\n")
        rows += module.table(result)
    widths = [max(len(row[i]) for row in [*rows, HEADER]) for i in range(5)]
    for row in [HEADER, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


HEADER = ("benchmark", "measure", "figure", "baseline (same run)", "ratio")

if __name__ == "__main__":
    main()
