"""Arguments, errors and small helpers shared by the generator's steps."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .tables import _QUALITY

DEFAULT_NOW = "2025-06-02T09:30:00Z"
MAX_DEMO_MODELS = 1000  # ~12k points each: 1000 models hold ~12M points (~300 MB of arrays)
DAY = 86400.0


class DemoError(ValueError):
    """A bad argument to the demo generator (one line, naming the argument)."""


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _hex_id(rng: np.random.Generator) -> str:
    return uuid.UUID(bytes=rng.bytes(16), version=4).hex


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pick(rng: np.random.Generator, options: tuple[Any, ...] | list[Any]) -> Any:
    return options[int(rng.integers(len(options)))]


def _nice(value: float, step: int) -> int:
    """Round to a positive multiple of `step` (checkpoint / eval intervals)."""
    return max(step, int(round(value / step)) * step)


def _lr_text(lr: float) -> str:
    return f"{lr:.0e}".replace("e-0", "e-").replace("e+0", "e")


def _quality(task: str, skill: float) -> dict[str, float]:
    """The headline numbers of a model of `task` at `skill` (see _QUALITY)."""
    s = _sigmoid(skill)
    return {name: lo + (hi - lo) * s for name, (lo, hi) in _QUALITY[task].items()}


def _parse_now(now: str | None) -> float:
    text = DEFAULT_NOW if now is None else now
    if not isinstance(text, str):
        raise DemoError(f"now must be an ISO-8601 date-time string, not {type(text).__name__}")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DemoError(f"now is not an ISO-8601 date-time ({text!r})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    epoch = float(int(moment.timestamp()))
    if not 400 * DAY <= epoch < 1e11:  # the demo reaches ~250 days back
        raise DemoError(f"now must be between 1971 and year 5000 ({text!r})")
    return epoch
