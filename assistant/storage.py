"""Trained models on disk: one file per version, written so another process never reads half."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import joblib

logger = logging.getLogger(__name__)
Model = TypeVar("Model")


# Told the name of each training step as it starts (manage.py prepare_assistant draws a bar).
Progress = Callable[[str], None]


def quiet(step: str) -> None:
    """No one is watching the training."""


def read_model(path: Path, kind: type[Model], version: str) -> Model | None:
    """The model stored at `path` if it is a `kind` of this version; None when it is missing,
    unreadable (a truncated or foreign file) or another version."""
    if not path.exists():
        return None
    try:
        model = joblib.load(path)
    except Exception:
        logger.warning("Ignoring unreadable model file %s", path)
        return None
    return model if isinstance(model, kind) and getattr(model, "version", None) == version else None


def write_model(model: object, path: Path, *, keep: int | None = None) -> None:
    """Write atomically (to a temporary file, then renamed); with `keep`, only the newest few
    files of the same kind (the same name before the version) stay."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{time.time_ns()}.tmp")
    joblib.dump(model, temporary)
    temporary.replace(path)
    if keep is None:
        return
    kind = path.name.split("-", 1)[0]
    stored = sorted(path.parent.glob(f"{kind}-*.joblib"), key=_written_at, reverse=True)
    for stale in stored[keep:]:
        stale.unlink(missing_ok=True)


def _written_at(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another process removed it meanwhile
        return 0.0
