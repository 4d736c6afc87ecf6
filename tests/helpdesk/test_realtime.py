"""Queueing a task by name (helpdesk.realtime.task_named): every service's `..._soon()`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.server import ROOT, embedded_env, manage

# In a fresh process (the test process has long imported the tasks modules), eight threads ask
# for tasks at the same moment, as the first messages on a new web process do.
FIRST_LOOKUPS_AT_ONCE = """
import json, threading
from helpdesk.realtime import task_named
names = ["helpdesk.tasks.take_turns", "routing.tasks.route_conversation",
         "escalation.tasks.handoff_refresh", "helpdesk.tasks.sweep_turns"] * 2
barrier, found, errors = threading.Barrier(len(names)), [], []
def look_up(name):
    barrier.wait()
    try:
        found.append(task_named(name).name)
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=look_up, args=(name,)) for name in names]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"found": sorted(found), "errors": errors}))
"""


def test_threads_looking_up_tasks_at_once_in_a_new_process_all_find_them(tmp_path: Path) -> None:
    env = embedded_env(tmp_path / "db.sqlite3")
    for _ in range(2):  # each run is a new process; the race was lost in every run before
        out = json.loads(manage("shell", "-c", FIRST_LOOKUPS_AT_ONCE, env=env).splitlines()[-1])
        assert out["errors"] == []
        assert len(out["found"]) == 8


BEAT_SWEEPS_IN_PROCESS = """
from helpdesk.realtime import task_named
for name in ("helpdesk.tasks.sweep_turns", "agents.tasks.presence_sweep",
             "escalation.tasks.sweep_timers"):
    task_named(name).delay()
"""


def test_the_embedded_defaults_sweeps_write_no_log_line(tmp_path: Path) -> None:
    """The ticker runs beat's sweeps every few seconds in the web process: a line each would
    fill the server's log (a worker's own log keeps them in production)."""
    env = embedded_env(tmp_path / "db.sqlite3")
    manage("migrate", "-v", "0", env=env)
    run = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", BEAT_SWEEPS_IN_PROCESS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stderr == ""
