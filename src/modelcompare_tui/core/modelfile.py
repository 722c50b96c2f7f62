"""The model file format (PRODUCT.md §5): parse + validate, export, write.

    {"format": "modelcompare/v1", "models": [ {<model fields of §2>}, ... ]}

Parsing is all or nothing: the first problem raises ModelFileError naming the
file, the JSON path and the reason (`FILE: models[3].scalars[0].points[7]:
value is not a number ('abc')`). Unknown fields are refused too, so a typo
("scalar") never drops data silently.

Speed: JSON is parsed by orjson when it is installed (about 4x faster than
json), but only where the result is certainly the one `json.loads` gives:
anything orjson refuses (bad JSON, bare NaN/Infinity, lone surrogates, numbers
beyond double range) and anything where the two could differ (duplicate keys,
which orjson keeps silently; integers of 19+ digits, which orjson turns into
floats) goes to `json.loads`, so results and error messages are the same with
or without it. Duplicate keys are found without a hook: the members orjson
returned must add up to the `:` in the text outside strings.

Scalar points are validated per column, not per point. The column's
Python types are collected with C-level `map` (exact: `true` is not a number,
`"1.5"` is not a number) and all-number columns go straight to numpy; only the
few non-number items (the "nan"/"inf" spellings, ISO timestamps, nulls) are
looked at one by one. The cyclic GC is paused while a file loads: json builds
millions of acyclic lists, and each GC pass would walk all of them again.

Decisions (see also the README):
- `variant` defaults to the metric (ClearML's convention for a single series).
- `created`/`updated` are normalised to UTC `YYYY-MM-DDTHH:MM:SSZ` (seconds);
  naive times are taken as UTC; an epoch number is accepted. A missing one
  defaults to the other, and both to the time of parsing.
- Point timestamps are epoch seconds (or ISO-8601 text); null or "nan" means
  unknown. A number >= 1e11 is refused as probably milliseconds.
- Iterations are integers (3.0 is accepted as 3); repeated iterations are kept
  in file order (the last reported wins later, in the store and the charts).
- NaN inside lists and dicts is always the `math.nan` object, so records
  holding NaN compare equal (containers compare items by identity first).
- `children` is derived, never stored: accepted in a file and ignored.

What imports, renders: the limits below are refused with the place named,
because the store or a view cannot hold such a value.
- Text anywhere (names, tags, metrics, keys, metadata, config, plot text) must
  be valid Unicode: a lone surrogate (JSON's `"\\ud800"` escape) is refused.
- Tags must not hold control characters (U+0000-U+001F, U+007F): the store
  keeps tags in one column separated by U+001F.
- Numbers must be within float range (|x| <= 1.7976931348623157e308); an
  integer beyond it (10**400) is refused, not turned into infinity. (The
  spellings "inf"/"-inf"/"nan" and bare Infinity/NaN stay accepted.)
- Iterations (scalar points and plots) must fit int64 (-2**63 .. 2**63-1).
- A histogram asks for at most MAX_HISTOGRAM_BINS (10,000) bins (plotly's
  nbinsx/nbinsy too): a chart is at most a few hundred cells wide, and each bin
  costs memory.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import compress
from operator import itemgetter
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import yaml

try:
    import orjson
except ImportError:  # optional speed-up: json.loads gives the same results, slower
    orjson = None  # type: ignore[assignment]

from .gc_pause import gc_paused
from .model import (
    CONFIG_FORMATS,
    PLOT_KINDS,
    STATUSES,
    Config,
    MetadataItem,
    Model,
    ModelRecord,
    Plot,
    ScalarSeries,
    format_float,
)
from .plotly_convert import MAX_HISTOGRAM_BINS, PlotlyConversionError, plotly_to_plot_data

FORMAT = "modelcompare/v1"

# Epoch seconds at or above this are year 5138+: almost surely milliseconds.
MAX_EPOCH_SECONDS = 1e11
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_FLOAT_EXACT_INT = 2.0**53  # beyond this a float iteration may not be the integer meant

_NUMBER_TYPES = frozenset((int, float))
_NON_FINITE = {
    "nan": math.nan, "inf": math.inf, "+inf": math.inf, "-inf": -math.inf,
    "infinity": math.inf, "+infinity": math.inf, "-infinity": -math.inf,
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WHITESPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LIST_ITEM_CONTROL = re.compile("[\x00-\x1f\x7f]")
_FLOAT_MAX = 1.7976931348623157e308
_ITEM_0, _ITEM_1 = itemgetter(0), itemgetter(1)

_TOP_FIELDS = ("format", "models")
_MODEL_FIELDS = (
    "id", "name", "project", "framework", "status", "tags", "user", "created", "updated",
    "comment", "uri", "task", "task_id", "task_name", "parent", "children", "labels",
    "metadata", "config", "scalars", "single_values", "plots",
)
_SERIES_FIELDS = ("metric", "variant", "points")
_PLOT_FIELDS = ("metric", "variant", "iteration", "kind", "data", "timestamp")
_AXIS_LABELS = ("x_label", "y_label")
# Plot kinds that share a data shape: a plotly figure converted to one may be
# declared as the other (a confusion matrix is a heatmap to plotly).
_KIND_GROUPS = ({"line", "scatter"}, {"heatmap", "confusion_matrix"})


class ModelFileError(ValueError):
    """An invalid model file: `FILE: JSON.PATH: why` (one line)."""

    def __init__(self, filename: str, where: str, why: str) -> None:
        self.filename = filename
        self.where = where
        self.why = why
        super().__init__(f"{filename}: {where}: {why}" if where else f"{filename}: {why}")


class _Invalid(Exception):
    """Raised deep inside validation; turned into ModelFileError with the filename."""

    def __init__(self, where: str, why: str) -> None:
        super().__init__(where, why)
        self.where = where
        self.why = why


def _fail(where: str, why: str) -> NoReturn:
    raise _Invalid(where, why)


# -- small helpers ----------------------------------------------------------


def _key(where: str, key: str) -> str:
    """JSON path of an object member: `a.b`, or `a["odd key"]`."""
    if _IDENTIFIER.match(key):
        return f"{where}.{key}" if where else key
    # a key with a lone surrogate is spelled escaped: the message must stay printable
    return f"{where}[{json.dumps(key, ensure_ascii=not key.isascii() and bool(_SURROGATE.search(key)))}]"


def _text(value: str, where: str) -> str:
    """`value` when it is valid Unicode. A lone surrogate (JSON's `\\ud800`
    escape) is not: no encoder writes it, so the store, the terminal and every
    export would fail on it later."""
    if not value.isascii():
        bad = _SURROGATE.search(value)
        if bad is not None:
            _fail(where, f"invalid Unicode: a lone surrogate \\u{ord(bad.group()):04x} at character {bad.start() + 1}")
    return value


def _text_key(key: str, where: str) -> str:
    """An object key that becomes data (label, metadata or single-value name)."""
    return _text(key, _key(where, key))


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: Any) -> str:
    """A short excerpt of a bad value for a message."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, float):
        text = format_float(value)
    elif isinstance(value, (list, dict)):
        return _kind_of(value)
    else:
        text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _not(expected: str, value: Any) -> str:
    if value is None or isinstance(value, (list, dict)):
        return f"must be {expected}, not {_kind_of(value)}"
    return f"must be {expected}, not {_kind_of(value)} ({_show(value)})"


def _object(value: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(where, _not("an object", value))
    duplicates = getattr(value, "duplicate_keys", None)
    if duplicates:
        _fail(_key(where, duplicates[0]), "field given twice")
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            _fail(where, f"unknown field {key!r}{hint}")
    for key in required:
        if key not in value:
            _fail(where, f"missing field {key!r}")
    return value


def _string(obj: dict[str, Any], key: str, where: str, default: str = "", non_empty: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if non_empty and key in obj:
            _fail(_key(where, key), "must be a non-empty string, not null")
        return default
    if not isinstance(value, str):
        _fail(_key(where, key), _not("a string", value))
    if non_empty and not value.strip():
        _fail(_key(where, key), "must not be empty")
    return _text(value, _key(where, key))


def _identifier(value: Any, where: str) -> str:
    if not isinstance(value, str):
        _fail(where, _not("a string", value))
    if not value:
        _fail(where, "must not be empty")
    if _WHITESPACE_OR_CONTROL.search(value):
        _fail(where, f"must not contain spaces or control characters ({_show(value)})")
    return _text(value, where)


def _integer(value: Any, where: str, what: str = "") -> int:
    """An integer (3.0 accepted as 3); `what` prefixes the reason."""
    prefix = f"{what} " if what else ""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        _fail(where, f"{prefix}must be an integer, not {_show(value)}")
    _fail(where, f"{prefix}{_not('an integer', value)}")


def _number(value: Any, where: str, what: str = "") -> float:
    """A number as float: JSON numbers, bare NaN/Infinity, or "nan"/"inf"/"-inf"."""
    kind = type(value)
    if kind is float:
        return math.nan if value != value else value
    if kind is int:
        try:
            return float(value)
        except OverflowError:
            _fail(where, f"{what or 'number'} is out of range ({_show(value)})")
    if kind is str:
        special = _NON_FINITE.get(value.strip().lower())
        if special is not None:
            return special
    shown = _show(value) if value is not None else "null"
    _fail(where, f"{what} is not a number ({shown})" if what else f"not a number ({shown})")


def _parse_time(value: Any, where: str, what: str) -> datetime:
    """ISO-8601 text (naive = UTC) or epoch seconds -> aware UTC datetime."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            _fail(where, f"{what} is not an ISO-8601 date-time ({_show(value)})")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError):
            _fail(where, f"{what} is out of range ({_show(value)})")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(_epoch(value, where, what), UTC)
    _fail(where, f"{what} {_not('an ISO-8601 date-time', value)}")


def _epoch(value: Any, where: str, what: str) -> float:
    """Epoch seconds: a number kept exactly as given, or ISO-8601 text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (isinstance(value, int) or math.isfinite(value)) or not 0 <= value < MAX_EPOCH_SECONDS:
            _fail(where, f"{what} must be epoch seconds between 0 and 1e11 ({_show(value)})")
        return float(value)
    return _parse_time(value, where, what).timestamp()


def _iso_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _nan_canonical(values: list[Any]) -> list[Any]:
    """Same list with every NaN replaced by the `math.nan` object (see module doc)."""
    if any(v != v for v in values):
        return [math.nan if v != v else v for v in values]
    return values


# -- scalar points: per column, numpy on the fast path ----------------------


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


# -- plot data, per kind ------------------------------------------------------


def _number_list(value: Any, where: str) -> list[Any]:
    """A list of numbers (ints stay ints; non-finite spellings -> floats)."""
    if not isinstance(value, list):
        _fail(where, _not("a list of numbers", value))
    types = set(map(type, value))
    if int in types:
        _check_int_range(value, where)
    if types <= _NUMBER_TYPES:
        return _nan_canonical(list(value))
    return [v if type(v) is int else _number(v, f"{where}[{i}]") for i, v in enumerate(value)]


def _check_int_range(values: list[Any], where: str) -> None:
    """Integers a view can turn into floats: 10**400 in plot data would
    overflow there (a C-level conversion finds out; the walk only on failure)."""
    try:
        np.fromiter((v for v in values if type(v) is int), dtype=np.float64)
    except OverflowError:
        i = _first_index(values, lambda v: type(v) is int and not -_FLOAT_MAX <= v <= _FLOAT_MAX)
        _fail(f"{where}[{i}]", f"number is out of range ({_show(values[i])}): beyond the float range, ±1.8e308")


def _string_list(value: Any, where: str, what: str = "a list of strings") -> list[str]:
    if not isinstance(value, list):
        _fail(where, _not(what, value))
    for i, item in enumerate(value):
        if not isinstance(item, str):
            _fail(f"{where}[{i}]", _not("a string", item))
        _text(item, f"{where}[{i}]")
    return list(value)


def _series_list(data: dict[str, Any], where: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """`series: [{name, <keys>: [numbers]}]`, at least one."""
    where = _key(where, "series")
    series = data.get("series")
    if not isinstance(series, list):
        _fail(where, _not("a list of series", series))
    if not series:
        _fail(where, "must hold at least one series")
    out = []
    for i, item in enumerate(series):
        w = f"{where}[{i}]"
        item = _object(item, w, ("name",) + keys, ("name",) + keys)
        entry: dict[str, Any] = {"name": _string(item, "name", w)}
        for key in keys:
            entry[key] = _number_list(item[key], _key(w, key))
        out.append(entry)
    return out


def _axis_labels(data: dict[str, Any], where: str) -> dict[str, str]:
    return {key: _string(data, key, where) for key in _AXIS_LABELS}


def _table_cell(value: Any, where: str) -> Any:
    if isinstance(value, str):
        return _text(value, where)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        # tables show text; non-finite cells are kept as their spelling so a
        # written file reads back identical
        return value if math.isfinite(value) else format_float(value)
    _fail(where, _not("text, a number, a boolean or null", value))


def _plot_data(kind: str, data: Any, where: str) -> dict[str, Any]:
    """The canonical form of one plot's data: every optional key present,
    numbers checked, NaN canonical."""
    if kind in ("line", "scatter"):
        data = _object(data, where, ("series",) + _AXIS_LABELS, ("series",))
        series = _series_list(data, where, ("x", "y"))
        for i, s in enumerate(series):
            if len(s["x"]) != len(s["y"]):
                _fail(f"{_key(where, 'series')}[{i}]", f"x has {len(s['x'])} values but y has {len(s['y'])}")
        return {"series": series, **_axis_labels(data, where)}
    if kind == "bar":
        data = _object(data, where, ("categories", "series") + _AXIS_LABELS, ("categories", "series"))
        categories = _string_list(data["categories"], _key(where, "categories"))
        series = _series_list(data, where, ("values",))
        for i, s in enumerate(series):
            if len(s["values"]) != len(categories):
                _fail(f"{_key(where, 'series')}[{i}].values",
                      f"has {len(s['values'])} values for {len(categories)} categories")
        return {"categories": categories, "series": series, **_axis_labels(data, where)}
    if kind == "box":
        data = _object(data, where, ("series",) + _AXIS_LABELS, ("series",))
        return {"series": _series_list(data, where, ("values",)), **_axis_labels(data, where)}
    if kind == "histogram":
        data = _object(data, where, ("series", "bins") + _AXIS_LABELS, ("series",))
        bins = data.get("bins")
        if bins is not None:
            bins = _integer(bins, _key(where, "bins"))
            if bins < 1:
                _fail(_key(where, "bins"), f"must be a positive integer, not {bins}")
            if bins > MAX_HISTOGRAM_BINS:
                _fail(_key(where, "bins"), f"at most {MAX_HISTOGRAM_BINS:,} bins, not {_show(bins)}")
        return {"series": _series_list(data, where, ("values",)), "bins": bins, **_axis_labels(data, where)}
    if kind in ("heatmap", "confusion_matrix"):
        data = _object(data, where, ("matrix", "x_labels", "y_labels") + _AXIS_LABELS, ("matrix",))
        rows = data["matrix"]
        if not isinstance(rows, list):
            _fail(_key(where, "matrix"), _not("a list of rows", rows))
        matrix = [_number_list(row, f"{_key(where, 'matrix')}[{r}]") for r, row in enumerate(rows)]
        columns = len(matrix[0]) if matrix else 0
        for r, row in enumerate(matrix):
            if len(row) != columns:
                _fail(f"{_key(where, 'matrix')}[{r}]", f"row has {len(row)} values but row 0 has {columns}")
        x_labels = (_string_list(data["x_labels"], _key(where, "x_labels"))
                    if data.get("x_labels") is not None else [str(c) for c in range(columns)])
        y_labels = (_string_list(data["y_labels"], _key(where, "y_labels"))
                    if data.get("y_labels") is not None else [str(r) for r in range(len(matrix))])
        if len(x_labels) != columns:
            _fail(_key(where, "x_labels"), f"has {len(x_labels)} labels for {columns} columns")
        if len(y_labels) != len(matrix):
            _fail(_key(where, "y_labels"), f"has {len(y_labels)} labels for {len(matrix)} rows")
        return {"matrix": matrix, "x_labels": x_labels, "y_labels": y_labels, **_axis_labels(data, where)}
    if kind == "table":
        data = _object(data, where, ("columns", "rows"), ("columns", "rows"))
        column_names = _string_list(data["columns"], _key(where, "columns"))
        rows = data["rows"]
        if not isinstance(rows, list):
            _fail(_key(where, "rows"), _not("a list of rows", rows))
        out_rows = []
        for r, row in enumerate(rows):
            w = f"{_key(where, 'rows')}[{r}]"
            if not isinstance(row, list):
                _fail(w, _not("a list of cells", row))
            if len(row) != len(column_names):
                _fail(w, f"row has {len(row)} cells for {len(column_names)} columns")
            out_rows.append([_table_cell(cell, f"{w}[{c}]") for c, cell in enumerate(row)])
        return {"columns": column_names, "rows": out_rows}
    if kind == "text":
        data = _object(data, where, ("text",), ("text",))
        return {"text": _string(data, "text", where)}
    _fail(where, f"unknown plot kind {kind!r}")


def check_plot_data(kind: str, data: Any) -> dict[str, Any]:
    """Validate plot data of `kind` (PRODUCT.md §5) and return its canonical
    form; for sources and generators that build plots in code.
    Raises ValueError("data.series[0].y[3]: not a number ('x')")."""
    try:
        return _plot_data(kind, data, "data")
    except _Invalid as exc:
        raise ValueError(f"{exc.where}: {exc.why}") from None


# -- one model ----------------------------------------------------------------


def _tags(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    tags = _string_list(value, where, "a list of tags")
    for i, tag in enumerate(tags):
        bad = _LIST_ITEM_CONTROL.search(tag)
        if bad is not None:
            # the store keeps tags in one column, separated by \x1f: such a tag would come back split
            _fail(f"{where}[{i}]", f"a tag must not contain control characters ({_show(tag)} has "
                  f"{bad.group()!r} at character {bad.start() + 1})")
    return tags


def _labels(value: Any, where: str) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(where, _not("an object mapping label names to integer ids", value))
    labels = {}
    for name, label_id in value.items():
        if not name:
            _fail(where, "label names must not be empty")
        _text_key(name, where)
        labels[name] = _integer(label_id, _key(where, name), "label id")
    return labels


def _metadata_item(key: str, type_name: Any, value: Any, where: str) -> MetadataItem:
    """Values are text in the data model; a JSON value gives its type when none is named."""
    if type_name is not None and not isinstance(type_name, str):
        _fail(_key(where, "type"), _not("a string", type_name))
    if type_name is not None:
        _text(type_name, _key(where, "type"))
    if isinstance(value, str):
        inferred, text = "str", value
    elif isinstance(value, bool):
        inferred, text = "bool", "true" if value else "false"
    elif isinstance(value, int):
        inferred, text = "int", str(value)
    elif isinstance(value, float):
        inferred, text = "float", format_float(value)
    elif value is None:
        inferred, text = "str", ""
    else:
        inferred, text = "json", json.dumps(value, ensure_ascii=False, sort_keys=True)
    _text(text, _key(where, "value"))
    return MetadataItem(key=key, type=type_name if type_name is not None else inferred, value=text)


def _metadata(value: Any, where: str) -> list[MetadataItem]:
    if value is None:
        return []
    items: list[MetadataItem] = []
    if isinstance(value, dict):  # the {key: value} shorthand
        for key, item_value in _object(value, where, tuple(value)).items():
            if not key:
                _fail(where, "metadata keys must not be empty")
            _text_key(key, where)
            items.append(_metadata_item(key, None, item_value, _key(where, key)))
        return items
    if not isinstance(value, list):
        _fail(where, _not("a list of {key, type, value}", value))
    first_at: dict[str, int] = {}
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        item = _object(item, w, ("key", "type", "value"), ("key",))
        key = _string(item, "key", w, non_empty=True)
        if key in first_at:
            _fail(_key(w, "key"), f"duplicate metadata key {key!r} (also {where}[{first_at[key]}])")
        first_at[key] = i
        items.append(_metadata_item(key, item.get("type"), item.get("value"), w))
    return items


class _AnyTagLoader(yaml.SafeLoader):
    """Safe YAML that reads unknown tags (`!!python/object`, `!Ref`) as plain data:
    we check that the text is YAML, we never build objects from it."""


def _construct_any(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_AnyTagLoader.add_multi_constructor("", _construct_any)


def _config(value: Any, where: str) -> Config | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Config(format="text", text=_text(value, where))
    if not isinstance(value, dict):
        _fail(where, _not("an object {format, text}, a configuration object or text", value))
    if "text" not in value or not set(value) <= {"format", "text"}:
        # a configuration given as JSON data: keep it as JSON text
        text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=True)
        return Config(format="json", text=_text(text, where))
    _object(value, where, ("format", "text"))
    fmt = _string(value, "format", where, default="text")
    if fmt not in CONFIG_FORMATS:
        _fail(_key(where, "format"), f"format must be one of {', '.join(CONFIG_FORMATS)} (got {fmt!r})")
    text = _string(value, "text", where)
    if fmt == "json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            _fail(_key(where, "text"), f"text is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})")
    elif fmt == "yaml":
        try:
            yaml.load(text, Loader=_AnyTagLoader)  # noqa: S506 - the loader is a SafeLoader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" (line {mark.line + 1} column {mark.column + 1})" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            _fail(_key(where, "text"), f"text is not valid YAML: {problem}{at}")
    return Config(format=fmt, text=text)


def _task(obj: dict[str, Any], where: str) -> tuple[str, str]:
    task = obj.get("task")
    if task is not None and ("task_id" in obj or "task_name" in obj):
        _fail(where, "give either 'task' or 'task_id'/'task_name', not both")
    if task is None:
        return _string(obj, "task_id", where), _string(obj, "task_name", where)
    if isinstance(task, str):
        return task, ""
    task = _object(task, _key(where, "task"), ("id", "name"))
    return _string(task, "id", _key(where, "task")), _string(task, "name", _key(where, "task"))


def _scalars(value: Any, where: str) -> list[ScalarSeries]:
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(where, _not("a list of {metric, variant, points}", value))
    first_at: dict[tuple[str, str], int] = {}
    out = []
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        item = _object(item, w, _SERIES_FIELDS, ("metric", "points"))
        metric = _string(item, "metric", w, non_empty=True)
        variant = _string(item, "variant", w, default=metric)
        if (metric, variant) in first_at:
            _fail(w, f"duplicate series {metric}/{variant} (also {where}[{first_at[metric, variant]}])")
        first_at[metric, variant] = i
        iterations, values, timestamps = _points(item["points"], _key(w, "points"))
        out.append(ScalarSeries(metric, variant, iterations, values, timestamps))
    return out


def _single_values(value: Any, where: str) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(where, _not("an object mapping names to numbers", value))
    out = {}
    for name, number in value.items():
        if not name:
            _fail(where, "single value names must not be empty")
        _text_key(name, where)
        out[name] = _number(number, _key(where, name), "value")
    return out


def _plot(item: Any, where: str) -> Plot:
    item = _object(item, where, _PLOT_FIELDS, ("metric", "data"))
    metric = _string(item, "metric", where, non_empty=True)
    variant = _string(item, "variant", where, default=metric)
    iteration = _integer(item["iteration"], _key(where, "iteration")) if item.get("iteration") is not None else 0
    if not _INT64_MIN <= iteration <= _INT64_MAX:
        _fail(_key(where, "iteration"), f"iteration is out of range ({_show(iteration)}): it must fit int64")
    timestamp = (_epoch(item["timestamp"], _key(where, "timestamp"), "timestamp")
                 if item.get("timestamp") is not None else None)
    kind = _string(item, "kind", where) or None
    if kind is not None and kind not in PLOT_KINDS:
        _fail(_key(where, "kind"), f"kind must be one of {', '.join(PLOT_KINDS)} (got {kind!r})")
    data = item["data"]
    data_where = _key(where, "data")
    if isinstance(data, dict) and "plotly" in data:
        _object(data, data_where, ("plotly",))
        try:
            converted_kind, data = plotly_to_plot_data(data["plotly"])
        except PlotlyConversionError as exc:
            base = _key(data_where, "plotly")
            _fail(f"{base}.{exc.where}" if exc.where else base, exc.why)
        if kind is None:
            kind = converted_kind
        elif kind != converted_kind and not any({kind, converted_kind} <= g for g in _KIND_GROUPS):
            _fail(_key(where, "kind"), f"kind {kind!r} does not fit the plotly figure (a {converted_kind} plot)")
        data_where = _key(data_where, "plotly")
    elif kind is None:
        _fail(where, "missing field 'kind'")
    return Plot(metric, variant, iteration, kind, _plot_data(kind, data, data_where), timestamp)


def _plots(value: Any, where: str) -> list[Plot]:
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(where, _not("a list of {metric, variant, iteration, kind, data}", value))
    first_at: dict[tuple[str, str, int], int] = {}
    out = []
    for i, item in enumerate(value):
        plot = _plot(item, f"{where}[{i}]")
        key = (plot.metric, plot.variant, plot.iteration)
        if key in first_at:
            _fail(f"{where}[{i}]", f"duplicate plot {plot.metric}/{plot.variant} at iteration "
                  f"{plot.iteration} (also {where}[{first_at[key]}])")
        first_at[key] = i
        out.append(plot)
    return out


def _model_record(obj: Any, where: str, now: datetime) -> ModelRecord:
    obj = _object(obj, where, _MODEL_FIELDS, ("name",))
    model_id = _identifier(obj["id"], _key(where, "id")) if obj.get("id") is not None else uuid.uuid4().hex
    status = _string(obj, "status", where, default="draft")
    if status not in STATUSES:
        _fail(_key(where, "status"), f"status must be draft or published (got {_show(status)})")
    created_raw, updated_raw = obj.get("created"), obj.get("updated")
    created = _parse_time(created_raw, _key(where, "created"), "created") if created_raw not in (None, "") else None
    updated = _parse_time(updated_raw, _key(where, "updated"), "updated") if updated_raw not in (None, "") else None
    created = created or updated or now
    updated = updated or created
    parent = _identifier(obj["parent"], _key(where, "parent")) if obj.get("parent") not in (None, "") else ""
    if parent and parent == model_id:
        _fail(_key(where, "parent"), "a model cannot be its own parent")
    task_id, task_name = _task(obj, where)
    model = Model(
        id=model_id,
        name=_string(obj, "name", where, non_empty=True),
        project=_string(obj, "project", where),
        framework=_string(obj, "framework", where),
        status=status,
        tags=_tags(obj.get("tags"), _key(where, "tags")),
        user=_string(obj, "user", where),
        created=_iso_utc(created),
        updated=_iso_utc(updated),
        comment=_string(obj, "comment", where),
        uri=_string(obj, "uri", where),
        task_id=task_id,
        task_name=task_name,
        parent=parent,
        labels=_labels(obj.get("labels"), _key(where, "labels")),
        metadata=_metadata(obj.get("metadata"), _key(where, "metadata")),
        config=_config(obj.get("config"), _key(where, "config")),
    )
    return ModelRecord(
        model=model,
        scalars=_scalars(obj.get("scalars"), _key(where, "scalars")),
        single_values=_single_values(obj.get("single_values"), _key(where, "single_values")),
        plots=_plots(obj.get("plots"), _key(where, "plots")),
    )


# -- public API ---------------------------------------------------------------


def parse_model_document(doc: Any, filename: str) -> list[ModelRecord]:
    """Validate a decoded model file; raises ModelFileError naming the first problem."""
    with gc_paused():
        return _parse_document(doc, filename)


def _parse_document(doc: Any, filename: str) -> list[ModelRecord]:
    try:
        if not isinstance(doc, dict):
            _fail("", f"the document must be an object {{format, models}}, not {_kind_of(doc)}")
        top = _object(doc, "", _TOP_FIELDS, _TOP_FIELDS)
        if top["format"] != FORMAT:
            _fail("format", f"must be {FORMAT!r} (got {_show(top['format'])})")
        models = top["models"]
        if not isinstance(models, list):
            _fail("models", _not("a list of models", models))
        now = datetime.now(UTC).replace(microsecond=0)
        records: list[ModelRecord] = []
        first_at: dict[str, int] = {}
        for i, obj in enumerate(models):
            record = _model_record(obj, f"models[{i}]", now)
            model_id = record.model.id
            if model_id in first_at:
                _fail(f"models[{i}].id", f"duplicate id {model_id!r} (also models[{first_at[model_id]}])")
            first_at[model_id] = i
            records.append(record)
        return records
    except _Invalid as exc:
        raise ModelFileError(filename, exc.where, exc.why) from None
    except RecursionError:
        raise ModelFileError(filename, "", "nested too deeply") from None


class _DuplicateKeysDict(dict):
    """A JSON object that named a key twice (json keeps the last silently)."""

    duplicate_keys: list[str]


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    marked = _DuplicateKeysDict(pairs)
    marked.duplicate_keys = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    return marked


_UTF8_BOM = b"\xef\xbb\xbf"
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# Finds integer literals of 19+ digits outside strings: digits -> "0", the
# bytes before a fraction's or an exponent's digits ('.', 'e', 'E', '+') -> "x",
# all else -> " ". Such an integer is then " " + "0" * 19 ("-" is " " too, so
# an exponent "e-" + 19 digits looks like one: only a needless fallback).
_DIGIT_RUNS = bytes(
    ord("0") if 0x30 <= b <= 0x39 else ord("x") if b in b".eE+" else ord(" ") for b in range(256)
)
_LONG_INTEGER = b" " + b"0" * 19  # 19 digits can pass int64, and orjson gives such an integer as a float
_NOT_FAST = object()
_CONTAINERS = (dict, list)


def _members(doc: Any) -> int:
    """The keys of the dicts in a decoded document, in all. Lists that start
    with a list (points, matrices, table rows) are not looked into: millions of
    small lists that hold no object in a valid file. An object there is missed,
    and the sum then falls short of the text's, as it does for a duplicate key."""
    members = 0
    pending = [doc]
    while pending:
        value = pending.pop()
        if type(value) is dict:
            members += len(value)
            pending.extend(v for v in value.values() if type(v) in _CONTAINERS)
        elif type(value) is list and value and type(value[0]) is not list:
            pending.extend(v for v in value if type(v) in _CONTAINERS)
    return members


def _decode_fast(raw: bytes) -> Any:
    """orjson's parse of `raw` when it is certainly what json.loads gives
    (see the module doc), else _NOT_FAST."""
    if orjson is None:
        return _NOT_FAST
    body = memoryview(raw)[len(_UTF8_BOM):] if raw.startswith(_UTF8_BOM) else raw  # json.loads skips a BOM
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _NOT_FAST  # json.loads decides: it accepts NaN, and words the errors
    outside_strings = _JSON_STRING.sub(b'""', body)  # valid JSON: every '"' outside a string opens one
    # Outside strings each ':' ends a key. The keys found can only fall short
    # of them: by a key given twice (orjson kept the last) or one not looked at.
    if _members(doc) != outside_strings.count(b":"):
        return _NOT_FAST
    digit_runs = outside_strings.translate(_DIGIT_RUNS)
    del outside_strings
    if _LONG_INTEGER in digit_runs or digit_runs.startswith(_LONG_INTEGER[1:]):
        return _NOT_FAST
    return doc


def decode_model_json(text: str | bytes, filename: str) -> Any:
    """JSON text -> Python data, with duplicate keys marked for the validator.
    Bytes are decoded by orjson when that is safe (see the module doc)."""
    if isinstance(text, bytes):
        doc = _decode_fast(text)
        if doc is not _NOT_FAST:
            return doc
    try:
        return json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as exc:
        raise ModelFileError(filename, "", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise ModelFileError(filename, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:  # an integer past Python's digit limit (4,300 by default)
        raise ModelFileError(filename, "", f"invalid JSON: {str(exc).split(';')[0]}") from None
    except RecursionError:
        raise ModelFileError(filename, "", "nested too deeply") from None


def load_model_file(path: str | os.PathLike[str]) -> list[ModelRecord]:
    """Read, decode and validate a model file (all or nothing)."""
    filename = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ModelFileError(filename, "", f"cannot read: {exc.strerror or exc}") from None
    with gc_paused():
        return parse_model_document(decode_model_json(raw, filename), filename)


# -- export -------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """Plot data for writing: non-finite floats spelled as text."""
    if isinstance(value, float):
        return value if math.isfinite(value) else format_float(value)
    if isinstance(value, list):
        if set(map(type, value)) <= {int, str, bool, type(None)}:
            return list(value)
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _export_points(series: ScalarSeries) -> list[list[Any]]:
    iterations = series.iterations.astype(np.int64, copy=False).tolist()
    values = series.values.astype(np.float64, copy=False)
    timestamps = series.timestamps.astype(np.float64, copy=False)
    value_list = values.tolist()
    has_time = np.isfinite(timestamps)
    if bool(has_time.all()):
        points = list(map(list, zip(iterations, value_list, timestamps.tolist())))
    elif not bool(has_time.any()):
        points = list(map(list, zip(iterations, value_list)))
    else:
        points = [[i, v, t] if known else [i, v]
                  for i, v, t, known in zip(iterations, value_list, timestamps.tolist(), has_time.tolist())]
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        points[i][1] = format_float(values[i])
    return points


def _export_model(record: ModelRecord) -> dict[str, Any]:
    model = record.model
    out: dict[str, Any] = {
        "id": model.id,
        "name": model.name,
        "project": model.project,
        "framework": model.framework,
        "status": model.status,
        "tags": list(model.tags),
        "user": model.user,
        "created": model.created,
        "updated": model.updated,
        "comment": model.comment,
        "uri": model.uri,
    }
    if model.task_id or model.task_name:
        out["task"] = {"id": model.task_id, "name": model.task_name}
    out["parent"] = model.parent
    out["labels"] = dict(model.labels)
    out["metadata"] = [{"key": m.key, "type": m.type, "value": m.value} for m in model.metadata]
    if model.config is not None:
        out["config"] = {"format": model.config.format, "text": model.config.text}
    out["scalars"] = [
        {"metric": s.metric, "variant": s.variant, "points": _export_points(s)} for s in record.scalars
    ]
    out["single_values"] = {name: _jsonable(float(v)) for name, v in record.single_values.items()}
    plots = []
    for plot in record.plots:
        entry: dict[str, Any] = {"metric": plot.metric, "variant": plot.variant,
                                 "iteration": int(plot.iteration), "kind": plot.kind}
        if plot.timestamp is not None and math.isfinite(plot.timestamp):
            entry["timestamp"] = plot.timestamp
        entry["data"] = _jsonable(plot.data)
        plots.append(entry)
    out["plots"] = plots
    return out


def export_document(records: Iterable[ModelRecord]) -> dict[str, Any]:
    """Records -> the model-file document (JSON-ready: no NaN/inf floats)."""
    return {"format": FORMAT, "models": [_export_model(r) for r in records]}


def dumps_document(doc: dict[str, Any]) -> str:
    """The document as text: indented for people, but each series' points and
    each plot's data on one line (one number per line would make files huge)."""
    token = f"@@modelcompare-{uuid.uuid4().hex}-"
    compact: list[str] = []

    def placeholder(value: Any) -> str:
        compact.append(json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False))
        return f"{token}{len(compact) - 1}"

    shallow = dict(doc)
    shallow["models"] = []
    for model in doc.get("models", []):
        model = dict(model)
        model["scalars"] = [{**s, "points": placeholder(s["points"])} for s in model.get("scalars", [])]
        model["plots"] = [{**p, "data": placeholder(p["data"])} for p in model.get("plots", [])]
        shallow["models"].append(model)
    text = json.dumps(shallow, indent=2, ensure_ascii=False, allow_nan=False)
    return re.sub(f'"{re.escape(token)}(\\d+)"', lambda m: compact[int(m.group(1))], text) + "\n"


def write_model_file(records: Iterable[ModelRecord], path: str | os.PathLike[str]) -> None:
    """Write records as a model file, atomically: a temp file in the same
    directory renamed over the target, so a reader never sees half a file."""
    target = Path(path)
    with gc_paused():
        text = dumps_document(export_document(records))
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
