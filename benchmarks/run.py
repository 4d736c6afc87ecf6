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
    print(
        f"{'benchmark':<15} {'setup':<40} {'clients':>7}  {'p50 / p99 ms':<18} {'baseline p50 / p99':<19} {'ratio p50':>9}"
    )
    for module in BENCHMARKS:
        result = module.main()
        (RESULTS / f"{result['name']}.json").write_text(json.dumps(result, indent=2) + "\n")
        for setup in result["setups"]:
            for level in setup["levels"]:
                chat, echo = level["chat"], level["baseline_echo"]
                print(
                    f"{result['name']:<15} {setup['setup']:<40} {level['clients']:>7}  "
                    f"{chat['p50_ms']:>7.2f} / {chat['p99_ms']:<8.2f} {echo['p50_ms']:>7.2f} / {echo['p99_ms']:<9.2f} "
                    f"{level['ratio_p50']:>9.1f}"
                )


if __name__ == "__main__":
    main()
