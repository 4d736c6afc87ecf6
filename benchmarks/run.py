"""`make bench`: run every benchmark, write benchmarks/results/<name>.json, print a table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import chat_roundtrip  # noqa: E402

BENCHMARKS = [chat_roundtrip]
RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    RESULTS.mkdir(exist_ok=True)
    print(f"{'benchmark':<16} {'level':<12} {'figure':<28} {'baseline':<28} {'ratio':>6}")
    for module in BENCHMARKS:
        result = module.main()
        (RESULTS / f"{result['name']}.json").write_text(json.dumps(result, indent=2) + "\n")
        for level in result["levels"]:
            figure = f"p50 {level['chat']['p50_ms']} ms, p99 {level['chat']['p99_ms']} ms"
            baseline = f"p50 {level['baseline_echo']['p50_ms']} ms, p99 {level['baseline_echo']['p99_ms']} ms"
            print(
                f"{result['name']:<16} {str(level['clients']) + ' clients':<12} {figure:<28} {baseline:<28} {level['ratio_p50']:>6}"
            )


if __name__ == "__main__":
    main()
