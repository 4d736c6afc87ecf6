"""Soak by hand: `python benchmarks/soak.py --seconds 600` serves the embedded set-up (or the
DATABASE_URL / REDIS_URL one) in a uvicorn subprocess and churns customers against it, printing
memory and counts every minute. The bounded version runs in CI (tests/test_soak.py)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from tests.support import soak
    from tests.support.server import AsgiServer, embedded_env, manage

    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--workers", type=int, default=6)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    env = embedded_env(folder / "soak.sqlite3")
    manage("migrate", "-v", "0", env=env)
    manage("seed_demo", env=env)
    server = AsgiServer(folder / "uvicorn.log", env=env)
    server.start()
    assert server.process is not None
    try:
        soak.run(server.url, seconds=10, workers=options.workers)
        start = soak.rss_kib(server.process.pid)
        minutes = max(1, int(options.seconds // 60))
        for minute in range(minutes):
            result = soak.run(
                server.url, seconds=options.seconds / minutes, workers=options.workers
            )
            rss = soak.rss_kib(server.process.pid)
            print(json.dumps({"minute": minute + 1, "conversations": result.conversations,
                              "errors": len(result.errors), "rss_kib": rss,
                              "growth_kib": rss - start}), flush=True)  # fmt: skip
    finally:
        server.stop()


if __name__ == "__main__":
    main()
