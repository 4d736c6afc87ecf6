"""Changes to the assistant: its intents, and training its model off the customers' path.

A change to the training data calls `training_run_soon()`. In production that queues a Celery
task (after commit, a few seconds later, so a burst of saves trains once); in the embedded
default a background thread waits the same few seconds and trains in a separate process. Either
way the chat processes keep serving the current model until the new one is ready.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from multiprocessing import get_context
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from assistant.catalogue import shipped_intents
from assistant.intent import IntentModel, fingerprint, load_cached
from assistant.labels import OUT_OF_SCOPE
from assistant.models import Intent, TrainingRun
from assistant.selectors import assistant_settings, languages_of, training_examples
from assistant.training import train_and_cache

logger = logging.getLogger(__name__)

STALE_TRAINING = timedelta(minutes=15)  # a run "training" this long died with its process
TRAINING_TIMEOUT = 30 * 60  # seconds a background training may take before it counts as failed
TRAIN_TASK = "assistant.tasks.training_run"


def intents_seed_shipped() -> int:
    """Create the shipped intents that have no row yet (never re-enables one switched off)."""
    created = 0
    for code, shipped in {**shipped_intents(), OUT_OF_SCOPE: None}.items():
        _, was_created = Intent.objects.get_or_create(
            code=code,
            defaults={
                "name": shipped.name if shipped else "Off-topic",
                "handling": shipped.handling if shipped else Intent.Handling.OFF_TOPIC,
                "shipped": True,
            },
        )
        created += was_created
    return created


def intents_set_enabled(*, codes: list[str], enabled: bool) -> int:
    """Switch intents on or off (the admin action); the model retrains without them."""
    with transaction.atomic():
        changed = (
            Intent.objects.filter(code__in=codes)
            .exclude(enabled=enabled)
            .update(enabled=enabled, updated_at=timezone.now())
        )
        if changed:
            training_run_soon()
    return changed


# --- Training runs ---------------------------------------------------------------------------


def training_run_soon() -> None:
    """Train on the data as it will be a few seconds after this transaction commits."""
    transaction.on_commit(_dispatch, robust=True)


def _dispatch() -> None:
    if settings.ASSISTANT_TRAIN_IN == "worker":
        current_app.send_task(TRAIN_TASK, countdown=settings.ASSISTANT_TRAIN_DEBOUNCE_SECONDS)
    else:
        _background.request()


def training_run_execute() -> TrainingRun | None:
    """Train the current data's model here (a Celery worker, a command), unless it is ready
    or another process is training it. Returns the run, or None when there was nothing to do."""
    examples = training_examples()
    run = _claim(fingerprint(examples), examples)
    if run is None:
        return None
    try:
        _check_learnable(examples)
        result = train_and_cache(examples, settings.ASSISTANT_MODEL_DIR)
    except Exception as error:
        _fail(run, error)
        raise
    return _finish(run, result)


class NotLearnable(ValueError):
    """The enabled intents cannot be told apart: fewer than two have phrases."""


def _check_learnable(examples: list[Any]) -> None:
    if len({example.intent for example in examples}) < 2:
        raise NotLearnable(
            "At least two enabled intents with phrases are needed to train the assistant."
        )


def _claim(version: str, examples: list[Any]) -> TrainingRun | None:
    """Take the run of `version` for this process, or activate it at once when its model is
    already trained and cached; None when there is nothing for this process to do."""
    now = timezone.now()
    run, _ = TrainingRun.objects.get_or_create(
        fingerprint=version,
        defaults={
            "intents": len({example.intent for example in examples}),
            "phrases": len(examples),
            "languages": languages_of(examples),
        },
    )
    if run.status == TrainingRun.Status.READY and load_cached(
        settings.ASSISTANT_MODEL_DIR, version
    ):
        _activate(run, now)
        return None
    claimed = (
        TrainingRun.objects.filter(pk=run.pk)
        .exclude(status=TrainingRun.Status.TRAINING, started_at__gt=now - STALE_TRAINING)
        .update(status=TrainingRun.Status.TRAINING, started_at=now, error="")
    )
    if not claimed:
        return None  # another process is training exactly this data
    assistant_settings.changed()  # written with update(): no row signal tells the processes
    run.refresh_from_db()
    return run


def training_run_adopt(examples: list[Any]) -> TrainingRun:
    """A model of these examples found ready on disk (trained by a command or another
    deployment of the same data) becomes a recorded, served run."""
    run, _ = TrainingRun.objects.get_or_create(
        fingerprint=fingerprint(examples),
        defaults={
            "status": TrainingRun.Status.READY,
            "intents": len({example.intent for example in examples}),
            "phrases": len(examples),
            "languages": languages_of(examples),
            "finished_at": timezone.now(),
        },
    )
    if run.activated_at is None:
        _activate(run, timezone.now())
    return run


def _finish(run: TrainingRun, result: dict[str, Any]) -> TrainingRun:
    now = timezone.now()
    TrainingRun.objects.filter(pk=run.pk).update(
        status=TrainingRun.Status.READY, validation=result["validation"], finished_at=now
    )
    assistant_settings.changed()
    # A slow run on data that has changed since must not replace the newer model: only the
    # current data's run is served (the run for the newer data activates itself when done).
    if fingerprint(training_examples()) == run.fingerprint:
        _activate(run, now)
    run.refresh_from_db()
    logger.info("Assistant model %s ready in %s s", run.fingerprint, result["seconds"])
    return run


def _activate(run: TrainingRun, now: Any) -> None:
    """From now on processes serve this run's model (the latest activated wins)."""
    TrainingRun.objects.filter(pk=run.pk).update(activated_at=now)
    assistant_settings.changed()


def _fail(run: TrainingRun, error: BaseException) -> None:
    logger.exception("Training the assistant model %s failed", run.fingerprint)
    TrainingRun.objects.filter(pk=run.pk).update(
        status=TrainingRun.Status.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
    )
    assistant_settings.changed()


def model_for_current_data_in_background(version: str) -> IntentModel | None:
    """A process that lacks the activated model's file (it was trained on another machine)
    trains the current data in its background process, if that is still the same data."""
    examples = training_examples()
    if fingerprint(examples) != version:
        return None  # the data moved on: a newer run will be activated
    _background.train_now(examples)
    return load_cached(settings.ASSISTANT_MODEL_DIR, version)


class _BackgroundTrainer:
    """The embedded default's trainer: one thread waits out a burst of changes, then trains in
    a separate process (so the chats' interpreter is never busy with it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = False
        self._waiter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-train")
        self._process: ProcessPoolExecutor | None = None

    def request(self) -> None:
        with self._lock:
            if self._pending:
                return  # the waiting run will read the data as it is then
            self._pending = True
        self._waiter.submit(self._run)

    def _run(self) -> None:
        time.sleep(settings.ASSISTANT_TRAIN_DEBOUNCE_SECONDS)
        with self._lock:
            self._pending = False
        try:
            examples = training_examples()
            run = _claim(fingerprint(examples), examples)
            if run is not None:
                try:
                    _check_learnable(examples)
                    _finish(run, self.train_now(examples))
                except Exception as error:
                    _fail(run, error)
        except Exception:
            logger.exception("The background training could not start")
        finally:
            close_old_connections()

    def train_now(self, examples: list[Any]) -> dict[str, Any]:
        with self._lock:
            if self._process is None:
                self._process = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))
            process = self._process
        try:
            future = process.submit(train_and_cache, examples, settings.ASSISTANT_MODEL_DIR)
            return future.result(timeout=TRAINING_TIMEOUT)
        except BrokenProcessPool:
            with self._lock:  # the child died (out of memory, killed): a fresh one next time
                self._process = None
            raise

    def wait(self, timeout: float = 120.0) -> None:
        """Until every requested run has finished (tests, commands)."""
        self._waiter.submit(lambda: None).result(timeout=timeout)


_background = _BackgroundTrainer()


def training_wait(timeout: float = 120.0) -> None:
    """Wait for the embedded default's background training to finish."""
    _background.wait(timeout)
