"""The assistant a process serves: its model, the knowledge-base index, the intents' handling
and the responder.

A process answers with the model of the training run activated last. When a newer run is
ready, the model is loaded in a background thread and swapped in at once (one assignment under
a lock), so a customer's turn never waits for a model to load or train, except the very first
one a fresh process serves (which helpdesk.flows.warmup does at start-up instead). Articles and
intents' settings are cheap to rebuild and are picked up on the next message.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import close_old_connections

from assistant.analysis import Analysis, Earlier, analyse
from assistant.cues import CueModel, load_or_train_cues
from assistant.intent import IntentModel, fingerprint, load_cached, load_or_train
from assistant.labels import IntentInfo
from assistant.responders import Responder, configured_responder
from assistant.retrieval import ArticleIndex
from assistant.selectors import (
    active_articles,
    configuration_stamp,
    current_run,
    enabled_intents,
    training_examples,
)
from assistant.services import (
    model_for_current_data_in_background,
    training_run_adopt,
    training_run_execute,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Assistant:
    model: IntentModel
    cues: CueModel
    index: ArticleIndex
    responder: Responder
    intents: dict[str, IntentInfo]
    stamp: tuple[object, ...] = ()

    def analyse(
        self,
        text: str,
        *,
        customer_language: str,
        earlier: list[Earlier],
        transcript: list[tuple[str, str]] | None = None,
        boundary_examples: dict[str, tuple[str, ...]] | None = None,
    ) -> Analysis:
        return analyse(
            text,
            model=self.model,
            cues=self.cues,
            index=self.index,
            responder=self.responder,
            intents=self.intents,
            customer_language=customer_language,
            earlier=earlier,
            transcript=transcript,
            boundary_examples=boundary_examples,
        )


_lock = threading.Lock()
_first_lock = threading.Lock()
_served: dict[str, Assistant] = {}
_loading: set[str] = set()  # fingerprints a background thread is loading


def get_assistant() -> Assistant:
    """The assistant to answer with now (no query while nothing changed: the run and the stamp
    are cached per process until a supervisor or a training run changes them)."""
    run = current_run()
    stamp = (*configuration_stamp(), settings.ASSISTANT_RESPONDER)
    with _lock:
        served = _served.get("current")
    if served is None:
        with _first_lock:  # one first load per process, however many messages arrive meanwhile
            with _lock:
                served = _served.get("current")
            if served is None:
                served = _serve(_first_model(run.fingerprint if run else None), stamp)
    if served.stamp != stamp:
        served = _serve(None, stamp)  # the articles or intents changed: the same model
    if run is not None and run.fingerprint != served.model.version:
        _load_in_background(run.fingerprint)
    return served


def assistant_for_current_data() -> Assistant:
    """Exactly the data as it is now, trained here if need be: for replay and commands."""
    model = load_or_train(training_examples(), settings.ASSISTANT_MODEL_DIR)
    return _build(model, configuration_stamp())


def forget() -> None:
    """Drop the served assistant: the next message loads it again (tests, settings changes)."""
    with _lock:
        _served.clear()


def swap_model(model: IntentModel) -> None:
    """Serve `model` from the next message on, with the current articles and intents."""
    with _lock:
        served = _served.get("current")
        if served is not None:
            _served["current"] = replace(served, model=model)


def _first_model(version: str | None) -> IntentModel:
    """A fresh process: the activated run's model from the disk cache, else the current data's
    (trained here only when no process has ever trained it)."""
    if version is not None:
        model = load_cached(settings.ASSISTANT_MODEL_DIR, version)
        if model is not None:
            return model
    examples = training_examples()
    model = load_cached(settings.ASSISTANT_MODEL_DIR, fingerprint(examples))
    if model is not None and version is None:
        training_run_adopt(examples)
    if model is None:
        # Never trained anywhere: train it here, as a recorded run other processes will find.
        run = training_run_execute()
        model = load_cached(settings.ASSISTANT_MODEL_DIR, run.fingerprint) if run else None
    if version is not None and version != fingerprint(examples):
        _load_in_background(version)
    return model or load_or_train(examples, settings.ASSISTANT_MODEL_DIR)


def _serve(model: IntentModel | None, stamp: tuple[object, ...]) -> Assistant:
    """Serve `model` (None: the model served now, which a background swap may just have
    replaced) with the current articles, intents and responder."""
    built = _build(model, stamp) if model is not None else None
    with _lock:
        current = _served.get("current")
        if built is None:
            assert current is not None, "nothing served yet to keep"
            built = _build(current.model, stamp)
        _served["current"] = built
    return built


def _build(model: IntentModel, stamp: tuple[object, ...]) -> Assistant:
    return Assistant(
        model=model,
        cues=shipped_cues(),
        index=ArticleIndex(active_articles()),
        responder=configured_responder(),
        intents=enabled_intents(),
        stamp=stamp,
    )


_cues_lock = threading.Lock()


def shipped_cues() -> CueModel:
    """The cue model (person requests, mood): the same for every deployment, loaded once."""
    with _cues_lock:
        if "cues" not in _cues:
            _cues["cues"] = load_or_train_cues(settings.ASSISTANT_MODEL_DIR)
        return _cues["cues"]


_cues: dict[str, CueModel] = {}


RETRY_AFTER = 300.0  # seconds before a model that could not be loaded is tried again
_failed: dict[str, float] = {}  # fingerprint -> when loading it last failed


def _load_in_background(version: str) -> None:
    with _lock:
        if (
            version in _loading
            or time.monotonic() - _failed.get(version, -RETRY_AFTER) < RETRY_AFTER
        ):
            return
        _loading.add(version)
    threading.Thread(
        target=_load_and_swap, args=(version,), name=f"assistant-load-{version}", daemon=True
    ).start()


def _load_and_swap(version: str) -> None:
    try:
        model = load_cached(settings.ASSISTANT_MODEL_DIR, version)
        if model is None:
            # Trained on another machine: train the same data here, off the customers' path.
            model = model_for_current_data_in_background(version)
        if model is not None:
            swap_model(model)
            logger.info("Now serving the assistant model %s", version)
            return
        with _lock:
            _failed[version] = time.monotonic()
    except Exception:
        logger.exception("Could not load the assistant model %s", version)
        with _lock:
            _failed[version] = time.monotonic()
    finally:
        with _lock:
            _loading.discard(version)
        close_old_connections()
