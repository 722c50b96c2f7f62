"""Plotly figures -> our plot kinds (PRODUCT.md §2, §5).

ClearML and many training scripts report plots as plotly figures
(`{"data": [traces], "layout": {...}}`). We keep our own small kinds instead,
so that a terminal can draw them and models can be merged into one chart:
scatter/scattergl traces become `line` (any trace drawn with lines) or
`scatter` (markers only), bar -> `bar`, box -> `box`, histogram ->
`histogram`, heatmap -> `heatmap`, table -> `table`. Anything else is refused
with the trace's path, never silently dropped.

Plotly writes gaps as null; they become NaN. Plotly 6 writes numeric arrays as
typed arrays (`{"dtype": "f8", "bdata": "<base64>", "shape": "3, 4"}`); those
are decoded.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any, NoReturn

import numpy as np

from .model import format_float

# The most bins a histogram may ask for (a model file's `bins`, plotly's
# nbinsx/nbinsy): a chart is at most a few hundred cells wide, and every bin
# costs memory when the counts are computed.
MAX_HISTOGRAM_BINS = 10_000

SUPPORTED_TRACE_TYPES = ("scatter", "scattergl", "bar", "box", "histogram", "heatmap", "table")

# Plotly's typed-array dtypes (little-endian, as plotly.js defines them).
_TYPED_ARRAY_DTYPES = {
    "f8": "<f8", "float64": "<f8",
    "f4": "<f4", "float32": "<f4",
    "i4": "<i4", "int32": "<i4",
    "u4": "<u4", "uint32": "<u4",
    "i2": "<i2", "int16": "<i2",
    "u2": "<u2", "uint16": "<u2",
    "i1": "<i1", "int8": "<i1",
    "u1": "<u1", "uint8": "<u1", "u1c": "<u1", "uint8clamped": "<u1",
}
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "+inf": math.inf, "-inf": -math.inf,
               "infinity": math.inf, "+infinity": math.inf, "-infinity": -math.inf}
_HTML_TAG = re.compile(r"<[^>]*>")


class PlotlyConversionError(ValueError):
    """A figure we cannot convert. `where` is a JSON path inside the figure
    (e.g. "data[1].y[4]"; "" for the figure itself)."""

    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"{where}: {why}" if where else why)
        self.where = where
        self.why = why


def _fail(where: str, why: str) -> NoReturn:
    raise PlotlyConversionError(where, why)


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
    text = json.dumps(value, default=str, allow_nan=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _decode_typed_array(value: dict[str, Any], where: str) -> list[Any]:
    dtype = _TYPED_ARRAY_DTYPES.get(str(value.get("dtype", "")))
    if dtype is None:
        _fail(where, f"unknown typed-array dtype {value.get('dtype')!r}")
    try:
        raw = base64.b64decode(str(value["bdata"]), validate=True)
        array = np.frombuffer(raw, dtype=np.dtype(dtype))
    except (binascii.Error, ValueError) as exc:
        _fail(where, f"bad typed array: {exc}")
    shape = value.get("shape")
    if shape is not None:
        try:
            if isinstance(shape, list):
                if not all(type(d) is int for d in shape):
                    raise ValueError
                dims = shape
            else:
                dims = [int(part) for part in str(shape).split(",")]
            if any(d < 0 for d in dims):
                raise ValueError
            array = array.reshape(dims)
        except (ValueError, OverflowError):
            _fail(where, f"typed array of {array.size} items does not fit shape {_show(shape)}")
    return array.tolist()


def _array(trace: dict[str, Any], key: str, where: str) -> list[Any] | None:
    """A trace's array attribute as a list (None when absent)."""
    value = trace.get(key)
    if value is None:
        return None
    if isinstance(value, dict) and "bdata" in value:
        return _decode_typed_array(value, f"{where}.{key}")
    if isinstance(value, tuple):
        return list(value)
    if not isinstance(value, list):
        _fail(f"{where}.{key}", f"must be a list, not {_kind_of(value)}")
    return value


def _number(value: Any, where: str) -> float | int:
    if isinstance(value, bool):
        _fail(where, f"not a number ({_show(value)})")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return math.nan if value != value else value
    if value is None:
        return math.nan  # plotly's gap
    if isinstance(value, str):
        special = _NON_FINITE.get(value.strip().lower())
        if special is not None:
            return special
    _fail(where, f"not a number ({_show(value)})")


def _numbers(values: list[Any], where: str) -> list[float | int]:
    return [_number(v, f"{where}[{i}]") for i, v in enumerate(values)]


def _label(value: Any) -> str:
    """A category / axis label as text (plotly allows numbers)."""
    if isinstance(value, str):
        return _HTML_TAG.sub("", value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, list):  # multi-level header / category
        return " ".join(_label(v) for v in value)
    return "" if value is None else str(value)


def _labels(values: list[Any], where: str) -> list[str]:
    out = []
    for i, value in enumerate(values):
        if isinstance(value, dict):
            _fail(f"{where}[{i}]", f"label must be text or a number, not {_kind_of(value)}")
        out.append(_label(value))
    return out


def _axis_title(layout: dict[str, Any], axis: str) -> str:
    spec = layout.get(axis)
    if not isinstance(spec, dict):
        return ""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    return _label(title) if title is not None else ""


def _trace_kind(trace: dict[str, Any], where: str) -> str:
    trace_type = trace.get("type", "scatter")  # plotly's default trace type
    if trace_type not in SUPPORTED_TRACE_TYPES:
        _fail(f"{where}.type", f"plotly trace type {trace_type!r} is not supported "
              f"(supported: {', '.join(SUPPORTED_TRACE_TYPES)})")
    if trace_type in ("scatter", "scattergl"):
        mode = trace.get("mode")
        # plotly draws lines unless the mode leaves them out
        return "line" if mode is None or "lines" in str(mode) else "scatter"
    return str(trace_type)


def plotly_to_plot_data(figure: Any) -> tuple[str, dict[str, Any]]:
    """Convert a plotly figure (a dict, or its JSON text) to (kind, data) in the
    model-file form of PRODUCT.md §5. Raises PlotlyConversionError."""
    if isinstance(figure, str):
        try:
            figure = json.loads(figure)
        except json.JSONDecodeError as exc:
            _fail("", f"plotly figure text is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})")
    if not isinstance(figure, dict):
        _fail("", f"plotly figure must be an object with data and layout, not {_kind_of(figure)}")
    traces = figure.get("data")
    layout = figure.get("layout") or {}
    if not isinstance(traces, list):
        _fail("data", f"must be a list of traces, not {_kind_of(traces)}")
    if not isinstance(layout, dict):
        _fail("layout", f"must be an object, not {_kind_of(layout)}")
    if not traces:
        _fail("data", "the plotly figure has no traces")
    kinds: list[str] = []
    for i, trace in enumerate(traces):
        if not isinstance(trace, dict):
            _fail(f"data[{i}]", f"trace must be an object, not {_kind_of(trace)}")
        kinds.append(_trace_kind(trace, f"data[{i}]"))
    distinct = set(kinds)
    if distinct == {"line", "scatter"}:
        kind = "line"  # a chart with any line is a line chart; marker-only traces stay as series
    elif len(distinct) == 1:
        kind = kinds[0]
    else:
        first = kinds[0]
        other = next(i for i, k in enumerate(kinds) if k != first)
        _fail(f"data[{other}]", f"a {kinds[other]} trace in a {first} figure: one plot holds one kind of trace")
    labels = {"x_label": _axis_title(layout, "xaxis"), "y_label": _axis_title(layout, "yaxis")}
    if kind in ("line", "scatter"):
        return kind, {"series": [_xy_series(t, f"data[{i}]", i) for i, t in enumerate(traces)], **labels}
    if kind == "bar":
        return kind, {**_bars(traces), **labels}
    if kind == "box":
        series = [s for i, t in enumerate(traces) for s in _box_series(t, f"data[{i}]", i)]
        return kind, {"series": series, **labels}
    if kind == "histogram":
        return kind, {**_histograms(traces), **labels}
    if len(traces) != 1:
        _fail("data[1]", f"a {kind} figure must have exactly one trace, not {len(traces)}")
    if kind == "heatmap":
        return kind, {**_heatmap(traces[0], "data[0]"), **labels}
    return kind, _table(traces[0], "data[0]")


def _trace_name(trace: dict[str, Any], index: int) -> str:
    name = trace.get("name")
    return _label(name) if name not in (None, "") else f"trace {index}"


def _xy_series(trace: dict[str, Any], where: str, index: int) -> dict[str, Any]:
    y = _array(trace, "y", where)
    if y is None:
        _fail(where, "a scatter trace needs y values")
    x = _array(trace, "x", where)
    if x is None:
        x = list(range(len(y)))  # plotly's default x
    elif len(x) != len(y):
        _fail(f"{where}.x", f"has {len(x)} values but y has {len(y)}")
    return {"name": _trace_name(trace, index), "x": _numbers(x, f"{where}.x"), "y": _numbers(y, f"{where}.y")}


def _bars(traces: list[dict[str, Any]]) -> dict[str, Any]:
    categories: list[str] = []
    positions: dict[str, int] = {}
    per_trace: list[tuple[str, dict[str, float | int]]] = []
    for i, trace in enumerate(traces):
        where = f"data[{i}]"
        horizontal = trace.get("orientation") == "h"
        cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
        values = _array(trace, val_key, where)
        if values is None:
            _fail(where, f"a bar trace needs {val_key} values")
        cats = _array(trace, cat_key, where)
        labels = _labels(cats, f"{where}.{cat_key}") if cats is not None else [str(j) for j in range(len(values))]
        if len(labels) != len(values):
            _fail(f"{where}.{cat_key}", f"has {len(labels)} categories but {val_key} has {len(values)} values")
        numbers = _numbers(values, f"{where}.{val_key}")
        by_category: dict[str, float | int] = {}
        for j, (label, number) in enumerate(zip(labels, numbers)):
            if label in by_category:
                _fail(f"{where}.{cat_key}[{j}]", f"category {label!r} appears twice in one trace")
            by_category[label] = number
            if label not in positions:
                positions[label] = len(categories)
                categories.append(label)
        per_trace.append((_trace_name(trace, i), by_category))
    series = [{"name": name, "values": [values.get(c, math.nan) for c in categories]} for name, values in per_trace]
    return {"categories": categories, "series": series}


def _box_series(trace: dict[str, Any], where: str, index: int) -> list[dict[str, Any]]:
    for key in ("q1", "median", "q3", "lowerfence", "upperfence"):
        if key in trace:
            _fail(f"{where}.{key}", "precomputed box statistics are not supported: give the samples")
    horizontal = trace.get("orientation") == "h" or ("y" not in trace and "x" in trace)
    sample_key, group_key = ("x", "y") if horizontal else ("y", "x")
    samples = _array(trace, sample_key, where)
    if samples is None:
        _fail(where, "a box trace needs sample values")
    numbers = _numbers(samples, f"{where}.{sample_key}")
    groups = _array(trace, group_key, where)
    if groups is None:
        return [{"name": _trace_name(trace, index), "values": numbers}]
    if len(groups) != len(numbers):
        _fail(f"{where}.{group_key}", f"has {len(groups)} groups but {sample_key} has {len(numbers)} samples")
    # a grouped box trace (one box per distinct group value) -> one series per group
    grouped: dict[str, list[float | int]] = {}
    for label, number in zip(_labels(groups, f"{where}.{group_key}"), numbers):
        grouped.setdefault(label, []).append(number)
    prefix = _label(trace.get("name")) if trace.get("name") not in (None, "") else ""
    return [{"name": f"{prefix} {label}".strip(), "values": values} for label, values in grouped.items()]


def _histograms(traces: list[dict[str, Any]]) -> dict[str, Any]:
    series = []
    bins: int | None = None
    for i, trace in enumerate(traces):
        where = f"data[{i}]"
        if trace.get("x") is not None and trace.get("y") is not None:
            _fail(where, "a histogram with both x and y (an aggregated histogram) is not supported")
        key = "x" if trace.get("x") is not None else "y"
        samples = _array(trace, key, where)
        if samples is None:
            _fail(where, "a histogram trace needs x or y samples")
        series.append({"name": _trace_name(trace, i), "values": _numbers(samples, f"{where}.{key}")})
        nbins_key = "nbinsx" if key == "x" else "nbinsy"
        nbins = trace.get(nbins_key)
        if isinstance(nbins, int) and not isinstance(nbins, bool) and nbins > MAX_HISTOGRAM_BINS:
            _fail(f"{where}.{nbins_key}", f"at most {MAX_HISTOGRAM_BINS:,} bins, not {_show(nbins)}")
        if bins is None and isinstance(nbins, int) and not isinstance(nbins, bool) and nbins > 0:
            bins = nbins
    return {"series": series, "bins": bins}


def _heatmap(trace: dict[str, Any], where: str) -> dict[str, Any]:
    z = _array(trace, "z", where)
    if z is None:
        _fail(where, "a heatmap trace needs z values")
    matrix: list[list[float | int]] = []
    for r, row in enumerate(z):
        if not isinstance(row, list):
            _fail(f"{where}.z[{r}]", f"row must be a list, not {_kind_of(row)}")
        if matrix and len(row) != len(matrix[0]):
            _fail(f"{where}.z[{r}]", f"row has {len(row)} values but row 0 has {len(matrix[0])}")
        matrix.append(_numbers(row, f"{where}.z[{r}]"))
    columns = len(matrix[0]) if matrix else 0
    x = _array(trace, "x", where)
    y = _array(trace, "y", where)
    x_labels = _labels(x, f"{where}.x") if x is not None else [str(i) for i in range(columns)]
    y_labels = _labels(y, f"{where}.y") if y is not None else [str(i) for i in range(len(matrix))]
    if len(x_labels) != columns:
        _fail(f"{where}.x", f"has {len(x_labels)} labels but z has {columns} columns")
    if len(y_labels) != len(matrix):
        _fail(f"{where}.y", f"has {len(y_labels)} labels but z has {len(matrix)} rows")
    return {"matrix": matrix, "x_labels": x_labels, "y_labels": y_labels}


def _cell(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return _HTML_TAG.sub("", value) if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else format_float(value)
    _fail(where, f"table cell must be text, a number, a boolean or null, not {_kind_of(value)}")


def _table(trace: dict[str, Any], where: str) -> dict[str, Any]:
    header_value, cells_value = trace.get("header"), trace.get("cells")
    header: dict[str, Any] = header_value if isinstance(header_value, dict) else {}
    cells: dict[str, Any] = cells_value if isinstance(cells_value, dict) else {}
    names = _array(header, "values", f"{where}.header") or []
    columns_data = _array(cells, "values", f"{where}.cells") or []
    columns = _labels(names, f"{where}.header.values")
    for c, column in enumerate(columns_data):
        if not isinstance(column, list):
            _fail(f"{where}.cells.values[{c}]", f"column must be a list of cells, not {_kind_of(column)}")
    if len(columns_data) > len(columns):
        if columns:
            _fail(f"{where}.cells.values", f"has {len(columns_data)} columns but the header names {len(columns)}")
        columns = [str(i) for i in range(len(columns_data))]
    n_rows = max((len(column) for column in columns_data), default=0)
    rows = []
    for r in range(n_rows):
        row = []
        for c in range(len(columns)):
            column = columns_data[c] if c < len(columns_data) else []
            # plotly leaves short columns blank
            row.append(_cell(column[r], f"{where}.cells.values[{c}][{r}]") if r < len(column) else None)
        rows.append(row)
    return {"columns": columns, "rows": rows}
