"""storm: 10,000 customer sockets on one uvicorn process (PostgreSQL + channels-redis) close at
the same instant, all reconnect at once, and close at once again (tests/support/storm.py drives them).
Reported: how long each wave took, the group memberships left in Redis after each close storm
(0 expected), and the server log's layer failures (MaxConnectionsError, "Could not leave", a
pool wait that timed out; none expected). tests/test_storm.py runs the same at 3,000 in CI.

`python benchmarks/storm.py` (DATABASE_URL on PostgreSQL and REDIS_URL set; STORM_SOCKETS
changes the count) writes benchmarks/results/storm.json. The embedded set-up has no Redis pool
to storm and is skipped.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.wsbench import PRODUCTION, setup_script, setups  # noqa: E402
from tests.support import storm  # noqa: E402
from tests.support.server import AsgiServer  # noqa: E402

SOCKETS = int(os.environ.get("STORM_SOCKETS", "10000"))


def measure(env: dict[str, str], scratch: Path) -> dict[str, Any]:
    created = json.loads(setup_script(env, storm.SETUP_SCRIPT % {"count": SOCKETS}))
    targets = [(public_id, token) for public_id, token in created]
    prefix = f"storm{os.getpid()}-{time.monotonic_ns()}"
    env = {
        **env,
        "CHANNEL_LAYER_PREFIX": prefix,
        "CHAT_ADDRESS_MAX_SOCKETS": str(10 * SOCKETS),  # one client address holds them all
    }
    server = AsgiServer(scratch / "uvicorn-storm.log", env=env)
    server.start()
    try:
        assert server.process is not None
        server_limit = storm.open_files_limit(server.process.pid)
        result = asyncio.run(
            storm.run(server.url, targets, redis_url=env["REDIS_URL"], prefix=prefix)
        )
    finally:
        server.stop()
    log = (scratch / "uvicorn-storm.log").read_text()
    return {
        **result.as_dict(),
        "server_open_files_limit": server_limit,
        "layer_failures": storm.layer_failures(log),
        "tracebacks": log.count("Traceback"),
    }


def main() -> dict[str, Any]:
    soft, _ = storm.raise_fd_limit(2 * SOCKETS + 1024)
    results = []
    started = time.perf_counter()
    with setups() as found:
        for label, env, scratch in found:
            if label == PRODUCTION:
                results.append({"setup": label, **measure(env, scratch)})
    return {
        "name": "storm",
        "process": (
            "one uvicorn process (--ws-per-message-deflate false), channels-redis through"
            " helpdesk.layers (a blocking pool); one client process; every socket a customer's"
            " own conversation; 500 handshakes in flight for the first wave, all at once after"
        ),
        "client_open_files_limit": soft,
        "seconds": round(time.perf_counter() - started, 1),
        "setups": results,
    }


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for setup in result["setups"]:
        rows.append((
            "storm",
            f"{setup['setup']}, {setup['sockets']} sockets closed at once, reconnected at once,"
            f" closed again: memberships left, layer failures",
            f"{setup['members_after_close']} / {setup['members_after_reclose']} left,"
            f" {sum(setup['layer_failures'].values())} failures",
            f"welcomed {setup['opened']['welcomed']} then {setup['reopened']['welcomed']}",
            f"close {setup['close_seconds']} s, reconnect {setup['reopened']['seconds']} s",
        ))  # fmt: skip
    return rows


if __name__ == "__main__":
    from benchmarks.run import run_one

    run_one(sys.modules[__name__])
