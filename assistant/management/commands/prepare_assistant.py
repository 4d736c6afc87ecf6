"""manage.py prepare_assistant: have the assistant's models ready before the first customer.

`make run` calls it: the first run trains them (about a minute here) with a progress bar; later
runs find them in the cache (ASSISTANT_MODEL_DIR, by fingerprint of the data) in a second.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, OutputWrapper

from assistant.cues import load_or_train_cues
from assistant.intent import load_or_train
from assistant.selectors import training_examples
from assistant.services import training_run_adopt

# The steps, with the share of the time each takes here. The cue model (asks for a person,
# moods: 15-25 s) learns on a second thread meanwhile; its step is the wait for it to finish.
STEP_CUES = "learning asks for a person and moods"
STEPS = {
    "learning the intents": 0.85,
    "learning the topics": 0.12,
    STEP_CUES: 0.03,
}
EXPECTED_SECONDS = 56.0  # the whole training on this 2-core machine
BAR_WIDTH = 28


class ProgressBar:
    """A bar redrawn twice a second on a terminal (one line per step elsewhere). Within a step
    it creeps toward the step's end at the expected pace, never past it: it never claims a
    step is done before it is."""

    def __init__(self, out: OutputWrapper) -> None:
        self.out, self.live = out, out.isatty()
        self.started = time.monotonic()
        self.step, self.step_started, self.done_share = "", self.started, 0.0
        self.stop = threading.Event()
        self.ticker = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> ProgressBar:
        if self.live:
            self.ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.live:
            self.ticker.join()
            self.out.write("")

    def __call__(self, step: str) -> None:
        """A new step starts: the ones before it are done."""
        if self.step:
            self.done_share += STEPS.get(self.step, 0.0)
        self.step, self.step_started = step, time.monotonic()
        if not self.live:
            self.out.write(f"  … {step}")
            self.out.flush()

    def share(self) -> float:
        weight = STEPS.get(self.step, 0.0)
        pace = (time.monotonic() - self.step_started) / (EXPECTED_SECONDS * weight or 1.0)
        return min(self.done_share + weight * min(pace, 0.95), 1.0)

    def _tick(self) -> None:
        while not self.stop.wait(0.5):
            filled = int(BAR_WIDTH * self.share())
            bar = "█" * filled + "░" * (BAR_WIDTH - filled)
            elapsed = time.monotonic() - self.started
            self.out.write(f"\r  [{bar}] {elapsed:3.0f} s  {self.step[:48]:<48}", ending="")
            self.out.flush()


class Command(BaseCommand):
    help = "Train the assistant's models, or load them from the cache, before serving."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        examples = training_examples()
        with ProgressBar(self.stdout) as progress:
            cues = threading.Thread(
                target=load_or_train_cues, args=(settings.ASSISTANT_MODEL_DIR,), daemon=True
            )
            cues.start()  # mostly numerical work that leaves the interpreter lock: the 2nd core
            model = load_or_train(examples, settings.ASSISTANT_MODEL_DIR, progress)
            if progress.step:
                progress(STEP_CUES)
            cues.join()
        training_run_adopt(examples)  # the served run: every process loads this model
        took = time.monotonic() - started
        how = "trained" if progress.step else "loaded from the cache"
        self.stdout.write(
            self.style.SUCCESS(f"The assistant is ready ({how} in {took:.0f} s, {model.version}).")
        )
