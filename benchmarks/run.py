"""`make bench`: run every benchmark, write benchmarks/results/<name>.json, print one table.

`python benchmarks/run.py chat_roundtrip scale_out` runs only the benchmarks named.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCHMARKS = [
    "triggers",
    "assistant_byo",
    "chat_roundtrip",
    "scale_out",
    "routing",
    "timers",
    "fanout",
    "connections",
    "pages",
]
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


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        sys.exit(f"no such benchmark: {', '.join(unknown)} (choose from {', '.join(BENCHMARKS)})")
    rows: list[Row] = []
    for name in names or BENCHMARKS:
        # Imported one at a time: a benchmark not asked for is never loaded.
        module = importlib.import_module(f"benchmarks.{name}")
        started = time.perf_counter()
        result = module.main()
        save(result)
        print(f"{name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        rows += module.table(result)
    show(rows)


HEADER = ("benchmark", "measure", "figure", "baseline (same run)", "ratio")

if __name__ == "__main__":
    main(sys.argv[1:])
