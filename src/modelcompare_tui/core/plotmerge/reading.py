"""Tolerant readers of plot data (validated on import, so read without
raising): numbers or their "nan"/"inf"/"-inf" spellings, anything else NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..model import format_float

_NON_FINITE = {"nan": math.nan, "inf": math.inf, "+inf": math.inf, "-inf": -math.inf,
               "infinity": math.inf, "-infinity": -math.inf}  # fmt: skip


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:  # beyond float range (import refuses it; a store may still hold it)
            return math.inf if value > 0 else -math.inf
    if isinstance(value, str):
        special = _NON_FINITE.get(value.strip().lower())
        if special is not None:
            return special
        try:
            return float(value)
        except ValueError:
            return math.nan
    return math.nan


def _floats(values: Any) -> np.ndarray:
    if not isinstance(values, (list, tuple)):
        return np.empty(0)
    try:
        # fast path: numbers, None (-> nan) and numeric strings such as "nan", "-inf"
        array = np.asarray(values, dtype=np.float64)
        if array.ndim == 1:
            return array
    except (TypeError, ValueError, OverflowError):
        pass
    return np.fromiter((_to_float(v) for v in values), dtype=np.float64, count=len(values))


def _numeric_or_none(values: list[Any] | tuple[Any, ...]) -> np.ndarray | None:
    """The values as floats when every one reads as a number (or a gap), else None."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    except OverflowError:  # an integer beyond float range: a number all the same
        return np.fromiter((_to_float(v) for v in values), dtype=np.float64, count=len(values))
    return array if array.ndim == 1 else None


def _label(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    return "" if value is None else str(value)


def _series_list(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    series = data.get("series")
    if not isinstance(series, list):
        return []
    return [s for s in series if isinstance(s, Mapping)]
