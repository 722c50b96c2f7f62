"""Scalar points `[iteration, value, timestamp?]`, validated per column, not
per point.

The column's Python types are collected with C-level `map` (exact: `true` is
not a number, `"1.5"` is not a number) and all-number columns go straight to
numpy; only the few non-number items (the "nan"/"inf" spellings, ISO
timestamps, nulls) are looked at one by one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import compress
from operator import itemgetter
from typing import Any

import numpy as np

from .values import (
    _INT64_MAX,
    _INT64_MIN,
    _NON_FINITE,
    _NUMBER_TYPES,
    MAX_EPOCH_SECONDS,
    _fail,
    _integer,
    _not,
    _number,
    _parse_time,
    _show,
)

_FLOAT_EXACT_INT = 2.0**53  # beyond this a float iteration may not be the integer meant
_ITEM_0, _ITEM_1 = itemgetter(0), itemgetter(1)


def _first_index(items: Sequence[Any], bad: Any) -> int:
    return next(i for i, item in enumerate(items) if bad(item))


def _iteration_column(column: Sequence[Any], where: str) -> np.ndarray:
    types = set(map(type, column))
    if types == {int}:
        try:
            return np.array(column, dtype=np.int64)
        except OverflowError:
            i = _first_index(column, lambda v: not _INT64_MIN <= v <= _INT64_MAX)
            _fail(f"{where}[{i}]", f"iteration is out of range ({_show(column[i])})")
    if types <= _NUMBER_TYPES:
        try:
            floats = np.array(column, dtype=np.float64)
        except OverflowError:
            floats = np.full(len(column), np.inf)  # the exact check below finds the culprit
        exact = np.isfinite(floats) & (np.floor(floats) == floats) & (np.abs(floats) < _FLOAT_EXACT_INT)
        if bool(exact.all()):
            return floats.astype(np.int64)
        # rare: huge or fractional iterations; sort them out exactly, one by one
        exact_ints = []
        for i, v in enumerate(column):
            number = _integer(v, f"{where}[{i}]", "iteration")
            if not _INT64_MIN <= number <= _INT64_MAX:
                _fail(f"{where}[{i}]", f"iteration is out of range ({_show(v)})")
            exact_ints.append(number)
        return np.array(exact_ints, dtype=np.int64)
    i = _first_index(column, lambda v: type(v) not in _NUMBER_TYPES)
    _fail(f"{where}[{i}]", f"iteration {_not('an integer', column[i])}")


def _float_column(column: Sequence[Any], where: str, what: str, allow_null: bool) -> tuple[np.ndarray, list[int]]:
    """Numbers -> float64. Returns the array and the indices of items that were
    text (for the timestamp column: ISO-8601 parsing happens there)."""
    n = len(column)
    types = set(map(type, column))
    if types <= _NUMBER_TYPES:
        try:
            return np.array(column, dtype=np.float64), []
        except OverflowError:
            pass  # an int beyond float range: the slow walk below names it
    is_number = list(map(_NUMBER_TYPES.__contains__, map(type, column)))
    out = np.empty(n, dtype=np.float64)
    mask = np.array(is_number, dtype=bool)
    try:
        out[mask] = np.array(list(compress(column, is_number)), dtype=np.float64)
    except OverflowError:
        for i in np.flatnonzero(mask).tolist():
            _number(column[i], f"{where}[{i}]", what)
    text_at: list[int] = []
    for i in np.flatnonzero(~mask).tolist():
        item = column[i]
        if item is None and allow_null:
            out[i] = np.nan
        elif isinstance(item, str):
            special = _NON_FINITE.get(item.strip().lower())
            if special is not None:
                out[i] = special
            elif allow_null:  # timestamps: may be ISO-8601 text
                text_at.append(i)
            else:
                _fail(f"{where}[{i}]", f"{what} is not a number ({_show(item)})")
        else:
            _fail(f"{where}[{i}]", f"{what} is not a number ({_show(item) if item is not None else 'null'})")
    return out, text_at


def _timestamp_column(column: Sequence[Any], where: str) -> np.ndarray:
    stamps, text_at = _float_column(column, where, "timestamp", allow_null=True)
    for i in text_at:
        stamps[i] = _parse_time(column[i], f"{where}[{i}]", "timestamp").timestamp()
    known = ~np.isnan(stamps)
    bad = known & ~((stamps >= 0) & (stamps < MAX_EPOCH_SECONDS))
    if bool(bad.any()):
        i = int(np.argmax(bad))
        value = stamps[i]
        if value >= MAX_EPOCH_SECONDS and math.isfinite(value):
            why = f"timestamp {_show(column[i])} is too large for epoch seconds (milliseconds?)"
        else:
            why = f"timestamp must be epoch seconds between 0 and 1e11 ({_show(column[i])})"
        _fail(f"{where}[{i}]", why)
    return stamps


def _points(points: Any, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not isinstance(points, list):
        _fail(where, _not("a list of [iteration, value, timestamp?] points", points))
    n = len(points)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, np.float64), np.empty(0, np.float64)
    if set(map(type, points)) != {list}:
        i = _first_index(points, lambda p: type(p) is not list)
        _fail(f"{where}[{i}]", _not("a list [iteration, value] or [iteration, value, timestamp]", points[i]))
    widths = set(map(len, points))
    if not widths <= {2, 3}:
        i = _first_index(points, lambda p: len(p) not in (2, 3))
        _fail(f"{where}[{i}]", f"a point has 2 or 3 items (iteration, value, timestamp?), not {len(points[i])}")
    columns: list[Sequence[Any]]
    if len(widths) == 1:
        columns = list(zip(*points))  # one C-level pass for all columns
    else:
        columns = [list(map(_ITEM_0, points)), list(map(_ITEM_1, points)),
                   [p[2] if len(p) == 3 else None for p in points]]
    iterations = _iteration_column(columns[0], where)
    values, _ = _float_column(columns[1], where, "value", allow_null=False)
    timestamps = _timestamp_column(columns[2], where) if len(columns) == 3 else np.full(n, np.nan)
    return iterations, values, timestamps
