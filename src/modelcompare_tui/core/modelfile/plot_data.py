"""Plot data, per kind (PRODUCT.md §5): checked and brought to its canonical
form, for model files and for plots built in code (check_plot_data).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..model import format_float
from ..plotly_convert import MAX_HISTOGRAM_BINS
from .points import _first_index
from .values import (
    _NUMBER_TYPES,
    _fail,
    _integer,
    _Invalid,
    _key,
    _nan_canonical,
    _not,
    _number,
    _object,
    _show,
    _string,
    _text,
)

_FLOAT_MAX = 1.7976931348623157e308
_AXIS_LABELS = ("x_label", "y_label")


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
