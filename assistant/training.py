"""Training the assistant's model, with figures a supervisor can trust: pure, no Django.

`train_and_cache` is what a Celery worker or the embedded default's background process runs: it
holds out a share of each intent's phrases, trains a trial classifier on the rest to measure how
well phrases it never saw are recognised, then trains the model on everything and writes it to
the disk cache, where the chat processes pick it up.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed

from assistant.catalogue import Example
from assistant.intent import IntentModel, cache_model, fit_classifier, probabilities
from assistant.labels import OUT_OF_SCOPE

HELD_OUT_SHARE = 0.15
MIN_PHRASES_TO_HOLD_OUT = 5  # an intent with fewer phrases is trained on all of them


def held_out_split(
    examples: list[Example], *, share: float = HELD_OUT_SHARE, seed: int = 11
) -> tuple[list[Example], list[Example]]:
    """(train, held out): the same share of every intent with enough phrases, reproducibly."""
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_intent[example.intent].append(example)
    rng = random.Random(seed)
    train, held = [], []
    for intent in sorted(by_intent):
        group = sorted(by_intent[intent])
        rng.shuffle(group)
        cut = int(len(group) * share) if len(group) >= MIN_PHRASES_TO_HOLD_OUT else 0
        held += group[:cut]
        train += group[cut:]
    return train, held


def validate(examples: list[Example]) -> dict[str, Any]:
    """Accuracy of a trial model on held-out phrases, overall, per language and off-topic."""
    train, held = held_out_split(examples)
    if not held or len({example.intent for example in train}) < 2:
        return {"held_out": 0}
    pipeline, _ = fit_classifier(train)
    classes = list(pipeline.classes_)
    table = probabilities(pipeline, [example.text for example in held])
    predicted = [classes[int(row.argmax())] for row in table]
    right = [guess == example.intent for guess, example in zip(predicted, held, strict=True)]
    figures: dict[str, Any] = {
        "held_out": len(held),
        "accuracy": _share(right),
        "by_language": {
            language: _share(
                [r for r, e in zip(right, held, strict=True) if e.language == language]
            )
            for language in sorted({example.language for example in held})
        },
    }
    off_topic = [r for r, e in zip(right, held, strict=True) if e.intent == OUT_OF_SCOPE]
    if off_topic:
        figures["off_topic_recall"] = _share(off_topic)
    return figures


def train_and_cache(examples: list[Example], cache_dir: Path) -> dict[str, Any]:
    """Validate and train on everything side by side (two processes: each training is mostly
    one core's work), cache the model; return the figures a training run stores."""
    started = time.perf_counter()
    figures, model = Parallel(n_jobs=2)(
        [delayed(validate)(examples), delayed(IntentModel.train)(examples)]
    )
    cache_model(model, cache_dir)
    return {
        "version": model.version,
        "validation": figures,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _share(flags: list[bool]) -> float:
    return round(float(np.mean(flags)), 4) if flags else 0.0
