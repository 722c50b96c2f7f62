"""The Plots tab as plain data: each model's last plot per metric/variant,
merged across models where the kind allows (PRODUCT §2).

- line and scatter -> one x/y chart; bar -> one bar chart over the union of
  categories; box -> one chart of per-series box statistics; histogram -> one
  chart of counts over shared bin edges. Series are named "model · series"
  (plus " (iteration N)" when the models' plots come from different
  iterations) and carry their model's index in comparison order, for its color.
- table -> one table with a leading model column over the union of columns.
- heatmap, confusion_matrix, text -> panels side by side, one per model.

Mixed kinds under one metric/variant (one model reports a bar chart where
another reports a line chart) are grouped by kind family, one PlotGroup per
family in order of first appearance: line and scatter share the "xy" family
(each series keeps its own kind, so a scatter model's points stay points);
bar, box, histogram and table are families of their own; heatmap,
confusion_matrix and text share the "panels" family. A model whose plot went
into another group is listed in `other_kinds`, one that has no plot under the
metric/variant at all in `missing`; the legend says which.

Plot data is read tolerantly (it was validated on import): numbers may be
numbers or the strings "nan"/"inf"/"-inf"; anything else becomes NaN, and an
integer beyond float range becomes +-inf. Every statistic here works over the
full float range: box quartiles and histogram edges are interpolated so that
values near +-1.8e308 never overflow into inf or NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .model import Model, Plot, format_float
from .plotly_convert import MAX_HISTOGRAM_BINS
from .labels import model_labels
from .scalars import ValueTable, build_row, matches_metric_filter, matches_text

__all__ = [
    "BoxStats",
    "ChartSeries",
    "LegendEntry",
    "MergedChart",
    "MergedTable",
    "PlotGroup",
    "PlotPanel",
    "SummaryChart",
    "box_stats",
    "histogram_edges",
    "kind_family",
    "merge_plots",
    "summary_chart",
]

SERIES_SEPARATOR = " · "
DEFAULT_HISTOGRAM_BINS = 20
MODEL_COLUMN = "model"

_FAMILIES = {
    "line": "xy",
    "scatter": "xy",
    "bar": "bar",
    "box": "box",
    "histogram": "histogram",
    "table": "table",
    "heatmap": "panels",
    "confusion_matrix": "panels",
    "text": "panels",
}


def kind_family(kind: str) -> str:
    """The group a plot kind merges into (see the module doc); unknown kinds are
    shown as panels."""
    return _FAMILIES.get(kind, "panels")


# -- tolerant readers of plot data -------------------------------------------------------

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


# -- merged charts -----------------------------------------------------------------------


@dataclass(frozen=True)
class BoxStats:
    """Tukey box of one series' finite samples: whiskers reach the furthest
    samples within 1.5 IQR of the box; samples beyond are outliers."""

    count: int
    q1: float
    median: float
    q3: float
    whisker_low: float
    whisker_high: float
    outliers: tuple[float, ...]
    mean: float


def box_stats(samples: np.ndarray) -> BoxStats | None:
    """Box statistics of the finite samples (None when there are none)."""
    v = np.asarray(samples, dtype=np.float64)
    v = np.sort(v[np.isfinite(v)])
    if v.size == 0:
        return None
    q1, median, q3 = (_quantile(v, q) for q in (0.25, 0.5, 0.75))
    with np.errstate(over="ignore"):
        # an IQR beyond float range makes the fences infinite: then no sample is an outlier
        iqr = q3 - q1
        lo_fence, hi_fence = q1 - 1.5 * iqr, q3 + 1.5 * iqr
        mean = float(v.mean())
    if not math.isfinite(mean):  # the sum overflowed: the mean of values / n cannot
        mean = float(np.sum(v / v.size))
    inside = v[(v >= lo_fence) & (v <= hi_fence)]
    outliers = v[(v < lo_fence) | (v > hi_fence)]
    return BoxStats(
        count=int(v.size),
        q1=q1,
        median=median,
        q3=q3,
        whisker_low=float(inside[0]),
        whisker_high=float(inside[-1]),
        outliers=tuple(float(o) for o in outliers),
        mean=mean,
    )


def _quantile(ordered: np.ndarray, q: float) -> float:
    """numpy's default (linear) quantile of sorted finite values, interpolated
    as a*(1-t) + b*t: numpy's a + (b-a)*t overflows for a = -1e308, b = 1e308."""
    position = q * (ordered.size - 1)
    below = int(math.floor(position))
    t = position - below
    a = float(ordered[below])
    if t == 0.0:
        return a
    b = float(ordered[min(below + 1, ordered.size - 1)])
    return a * (1.0 - t) + b * t


def _spread(lo: float, hi: float, count: int) -> np.ndarray:
    """`count` + 1 edges from lo to hi, interpolated without overflow (np.linspace
    computes hi - lo, infinite for lo = -1e308, hi = 1e308)."""
    t = np.linspace(0.0, 1.0, count + 1)
    edges = lo * (1.0 - t) + hi * t
    edges[0], edges[-1] = lo, hi
    return edges


def histogram_edges(samples: Sequence[np.ndarray], bins: int | Sequence[float] | None) -> np.ndarray:
    """Bin edges shared by every series of a merged histogram, so that bars of
    different models line up: explicit edges when given, else `bins` (default
    20) equal bins over the range of all finite samples."""
    if isinstance(bins, (list, tuple, np.ndarray)) and len(bins) >= 2:
        edges = np.asarray([_to_float(b) for b in bins], dtype=np.float64)
        edges = edges[np.isfinite(edges)]
        if edges.size >= 2 and bool(np.all(np.diff(edges) > 0)):
            return edges
    count = bins if isinstance(bins, int) and not isinstance(bins, bool) and bins > 0 else DEFAULT_HISTOGRAM_BINS
    count = min(count, MAX_HISTOGRAM_BINS)  # imports refuse more; a store written otherwise may hold more
    finite = [s[np.isfinite(s)] for s in samples]
    finite = [s for s in finite if s.size]
    if not finite:
        return np.array([0.0, 1.0])
    lo = min(float(s.min()) for s in finite)
    hi = max(float(s.max()) for s in finite)
    if lo == hi:
        # one value: a bin around it (relative near the float limits, where +-0.5 is lost)
        pad = max(0.5, abs(lo) * 2.0**-20)
        lo, hi = (lo - pad, hi + pad) if math.isfinite(hi + pad) and math.isfinite(lo - pad) else (
            (lo - 2 * pad, hi) if lo > 0 else (lo, hi + 2 * pad))
    edges = _spread(lo, hi, count)
    if not bool(np.all(np.diff(edges) > 0)):
        # a range only a few floats wide (subnormal values): fewer, distinct edges
        edges = np.unique(edges)
        if edges.size < 2:
            edges = np.array([lo, hi])
    return edges


@dataclass(frozen=True)
class ChartSeries:
    """One series of a merged chart. What x and y hold depends on the chart:

    - xy: x and y coordinates (x as category positions when the chart has
      `x_categories`); `kind` is line or scatter.
    - bar: y = one value per chart category (NaN where this series lacks it).
    - box: y = the finite samples; `box` their statistics.
    - histogram: y = counts per bin of the chart's `bin_edges`; `samples` the
      finite samples (NaN samples are not counted)."""

    name: str  # "model · series" (+ " (iteration N)")
    model_index: int  # comparison order: the model's color and legend position
    model_id: str
    series_name: str  # the series' own name in the plot
    iteration: int
    kind: str
    x: np.ndarray
    y: np.ndarray
    box: BoxStats | None = None
    samples: np.ndarray | None = None


@dataclass(frozen=True)
class MergedChart:
    family: str  # xy | bar | box | histogram
    series: tuple[ChartSeries, ...]
    x_label: str = ""
    y_label: str = ""
    categories: tuple[str, ...] = ()  # bar: category order (union, first seen)
    x_categories: tuple[str, ...] = ()  # xy with text x values: the positions' labels
    bin_edges: np.ndarray | None = None  # histogram


@dataclass(frozen=True)
class MergedTable:
    columns: tuple[str, ...]  # "model" first, then the union of columns in first-seen order
    rows: tuple[tuple[str, ...], ...]  # cells as text; "" where a model's table lacks the column
    row_models: tuple[int, ...]  # model index of each row (its color)


@dataclass(frozen=True)
class PlotPanel:
    """One model's plot shown as it is (heatmap, confusion_matrix, text)."""

    model_index: int
    model_id: str
    label: str
    iteration: int
    kind: str
    plot: Plot
    matrix: np.ndarray | None = None  # heatmap / confusion_matrix, rows x columns
    x_labels: tuple[str, ...] = ()
    y_labels: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class LegendEntry:
    text: str
    model_index: int
    present: bool  # False: the model has no such plot (or has it in another group)


@dataclass(frozen=True)
class PlotGroup:
    """Everything shown for one metric/variant (and kind family)."""

    metric: str
    variant: str
    family: str  # xy | bar | box | histogram | table | panels
    kinds: tuple[str, ...]  # the plot kinds present, in first-seen order
    present: tuple[int, ...]  # model indexes with a plot in this group
    iterations: tuple[tuple[int, int], ...]  # (model index, iteration) per present model
    missing: tuple[int, ...]  # models with no plot under this metric/variant
    other_kinds: tuple[tuple[int, str], ...]  # (model index, kind) shown in another group
    labels: tuple[str, ...]  # model_labels of all compared models
    chart: MergedChart | None = None
    table: MergedTable | None = None
    panels: tuple[PlotPanel, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.metric}/{self.variant}"

    @property
    def iterations_differ(self) -> bool:
        return len({it for _, it in self.iterations}) > 1

    def legend(self) -> list[LegendEntry]:
        """One entry per chart series, then one per model lacking this plot."""
        entries: list[LegendEntry] = []
        if self.chart is not None:
            entries.extend(LegendEntry(s.name, s.model_index, True) for s in self.chart.series)
        else:
            entries.extend(LegendEntry(self.labels[i], i, True) for i in self.present)
        other = dict(self.other_kinds)
        for i in sorted(set(self.missing) | set(other)):
            why = f"shown as {other[i]}" if i in other else "no plot"
            entries.append(LegendEntry(f"{self.labels[i]}: {why}", i, False))
        return entries


@dataclass
class _Entry:
    model_index: int
    model: Model
    plot: Plot


@dataclass
class _GroupDraft:
    family: str
    entries: list[_Entry] = field(default_factory=list)


def _series_name(label: str, own: str, iteration: int, show_iteration: bool) -> str:
    name = f"{label}{SERIES_SEPARATOR}{own}" if own else label
    return f"{name} (iteration {iteration})" if show_iteration else name


def _xy_chart(entries: list[_Entry], labels: Sequence[str], show_iteration: bool) -> MergedChart:
    categories: list[str] = []
    positions: dict[str, int] = {}
    series: list[ChartSeries] = []
    x_label = y_label = ""
    for e in entries:
        data = e.plot.data
        x_label = x_label or _label(data.get("x_label"))
        y_label = y_label or _label(data.get("y_label"))
        for s in _series_list(data):
            y = _floats(s.get("y"))
            raw_x = s.get("x")
            numeric_x = _numeric_or_none(raw_x) if isinstance(raw_x, (list, tuple)) else None
            if isinstance(raw_x, (list, tuple)) and numeric_x is None:
                xs = []
                for v in raw_x:
                    text = _label(v)
                    if text not in positions:
                        positions[text] = len(categories)
                        categories.append(text)
                    xs.append(float(positions[text]))
                x = np.asarray(xs, dtype=np.float64)
            elif numeric_x is not None:
                x = numeric_x
            else:
                x = np.arange(y.size, dtype=np.float64)
            n = min(x.size, y.size)
            own = _label(s.get("name"))
            series.append(
                ChartSeries(
                    name=_series_name(labels[e.model_index], own, e.plot.iteration, show_iteration),
                    model_index=e.model_index,
                    model_id=e.model.id,
                    series_name=own,
                    iteration=e.plot.iteration,
                    kind=e.plot.kind,
                    x=x[:n],
                    y=y[:n],
                )
            )
    return MergedChart("xy", tuple(series), x_label, y_label, x_categories=tuple(categories))


def _bar_chart(entries: list[_Entry], labels: Sequence[str], show_iteration: bool) -> MergedChart:
    categories: list[str] = []
    positions: dict[str, int] = {}
    per_series: list[tuple[_Entry, str, dict[int, float]]] = []
    x_label = y_label = ""
    for e in entries:
        data = e.plot.data
        x_label = x_label or _label(data.get("x_label"))
        y_label = y_label or _label(data.get("y_label"))
        raw_cats = data.get("categories")
        cats = [_label(c) for c in raw_cats] if isinstance(raw_cats, (list, tuple)) else []
        for s in _series_list(data):
            vals = _floats(s.get("values"))
            by_pos: dict[int, float] = {}
            for j, value in enumerate(vals):
                cat = cats[j] if j < len(cats) else str(j)
                if cat not in positions:
                    positions[cat] = len(categories)
                    categories.append(cat)
                by_pos[positions[cat]] = float(value)
            per_series.append((e, _label(s.get("name")), by_pos))
    x = np.arange(len(categories), dtype=np.float64)
    series = []
    for e, own, by_pos in per_series:
        y = np.full(len(categories), np.nan)
        for pos, value in by_pos.items():
            y[pos] = value
        series.append(
            ChartSeries(
                name=_series_name(labels[e.model_index], own, e.plot.iteration, show_iteration),
                model_index=e.model_index,
                model_id=e.model.id,
                series_name=own,
                iteration=e.plot.iteration,
                kind="bar",
                x=x,
                y=y,
            )
        )
    return MergedChart("bar", tuple(series), x_label, y_label, categories=tuple(categories))


def _sample_chart(family: str, entries: list[_Entry], labels: Sequence[str], show_iteration: bool) -> MergedChart:
    raw: list[tuple[_Entry, str, np.ndarray]] = []
    x_label = y_label = ""
    bins: Any = None
    for e in entries:
        data = e.plot.data
        x_label = x_label or _label(data.get("x_label"))
        y_label = y_label or _label(data.get("y_label"))
        if bins is None and data.get("bins") is not None:
            bins = data.get("bins")
        elif isinstance(bins, int) and isinstance(data.get("bins"), int):
            bins = max(bins, data["bins"])  # the finest requested binning shows every model's detail
        for s in _series_list(data):
            raw.append((e, _label(s.get("name")), _floats(s.get("values"))))
    edges = histogram_edges([v for _, _, v in raw], bins) if family == "histogram" else None
    series = []
    for k, (e, own, values) in enumerate(raw):
        finite = values[np.isfinite(values)]
        name = _series_name(labels[e.model_index], own, e.plot.iteration, show_iteration)
        if family == "box":
            series.append(
                ChartSeries(name, e.model_index, e.model.id, own, e.plot.iteration, "box",
                            x=np.array([float(k)]), y=finite, box=box_stats(finite))
            )
        else:
            assert edges is not None
            counts, _ = np.histogram(finite, bins=edges)
            centers = edges[:-1] / 2 + edges[1:] / 2  # a sum of two edges may overflow
            series.append(
                ChartSeries(name, e.model_index, e.model.id, own, e.plot.iteration, "histogram",
                            x=centers, y=counts.astype(np.float64), samples=finite)
            )
    return MergedChart(family, tuple(series), x_label, y_label, bin_edges=edges)


def _cell_text(value: Any) -> str:
    if isinstance(value, float):
        return format_float(value)
    return _label(value)


def _merged_table(entries: list[_Entry], labels: Sequence[str], show_iteration: bool) -> MergedTable:
    columns: list[str] = []
    positions: dict[str, int] = {}
    per_model: list[tuple[_Entry, list[int], list[Any]]] = []
    for e in entries:
        raw_cols = e.plot.data.get("columns")
        cols = [_label(c) for c in raw_cols] if isinstance(raw_cols, (list, tuple)) else []
        where = []
        for c in cols:
            if c not in positions:
                positions[c] = len(columns)
                columns.append(c)
            where.append(positions[c])
        rows = e.plot.data.get("rows")
        per_model.append((e, where, rows if isinstance(rows, list) else []))
    out_rows: list[tuple[str, ...]] = []
    row_models: list[int] = []
    for e, where, rows in per_model:
        label = labels[e.model_index] + (f" (iteration {e.plot.iteration})" if show_iteration else "")
        for row in rows:
            cells = [""] * len(columns)
            values = row if isinstance(row, (list, tuple)) else [row]
            for j, value in enumerate(values):
                if j < len(where):
                    cells[where[j]] = _cell_text(value)
            out_rows.append((label, *cells))
            row_models.append(e.model_index)
    return MergedTable((MODEL_COLUMN, *columns), tuple(out_rows), tuple(row_models))


def _panel(e: _Entry, labels: Sequence[str]) -> PlotPanel:
    data = e.plot.data
    matrix = None
    x_labels: tuple[str, ...] = ()
    y_labels: tuple[str, ...] = ()
    text = ""
    if e.plot.kind in ("heatmap", "confusion_matrix"):
        rows = data.get("matrix")
        rows = rows if isinstance(rows, list) else []
        width = max((len(r) for r in rows if isinstance(r, (list, tuple))), default=0)
        matrix = np.full((len(rows), width), np.nan)
        for r, row in enumerate(rows):
            if isinstance(row, (list, tuple)):
                matrix[r, : len(row)] = _floats(list(row))
        raw_x = data.get("x_labels")
        raw_y = data.get("y_labels")
        x_labels = tuple(_label(v) for v in raw_x) if isinstance(raw_x, (list, tuple)) else ()
        y_labels = tuple(_label(v) for v in raw_y) if isinstance(raw_y, (list, tuple)) else ()
        # labels short of the matrix are completed with indexes, extra ones dropped
        x_labels = (x_labels + tuple(str(i) for i in range(len(x_labels), width)))[:width]
        y_labels = (y_labels + tuple(str(i) for i in range(len(y_labels), len(rows))))[: len(rows)]
    elif e.plot.kind == "text":
        text = _label(data.get("text"))
    else:  # an unknown kind: show its data as text rather than nothing
        text = _label(data)
    return PlotPanel(e.model_index, e.model.id, labels[e.model_index], e.plot.iteration, e.plot.kind,
                     e.plot, matrix, x_labels, y_labels, text)


def merge_plots(
    models: Sequence[Model],
    plots: Mapping[str, Sequence[Plot]],
    metric_filter: str = "",
) -> list[PlotGroup]:
    """The Plots tab's groups, sorted by (metric, variant), then by kind family
    in order of first appearance (models in comparison order). `plots` is
    Source.plots; a model absent from it has no plots. When one model has
    several plots under one metric/variant (it should not: the source returns
    the last), the one with the highest iteration wins."""
    labels = model_labels(models)
    by_key: dict[tuple[str, str], list[_Entry]] = {}
    for index, model in enumerate(models):
        chosen: dict[tuple[str, str], Plot] = {}
        for plot in plots.get(model.id, ()):
            key = (plot.metric, plot.variant)
            if not matches_metric_filter(plot.metric, plot.variant, metric_filter):
                continue
            if key not in chosen or plot.iteration >= chosen[key].iteration:
                chosen[key] = plot
        for key, plot in chosen.items():
            by_key.setdefault(key, []).append(_Entry(index, model, plot))
    groups: list[PlotGroup] = []
    for (metric, variant), entries in sorted(by_key.items()):
        drafts: dict[str, _GroupDraft] = {}
        for e in entries:
            family = kind_family(e.plot.kind)
            drafts.setdefault(family, _GroupDraft(family)).entries.append(e)
        with_plot = {e.model_index: e.plot.kind for e in entries}
        missing = tuple(i for i in range(len(models)) if i not in with_plot)
        for family, draft in drafts.items():
            present = tuple(e.model_index for e in draft.entries)
            other = tuple((i, k) for i, k in sorted(with_plot.items()) if i not in present)
            iterations = tuple((e.model_index, e.plot.iteration) for e in draft.entries)
            show_iteration = len({it for _, it in iterations}) > 1
            kinds = tuple(dict.fromkeys(e.plot.kind for e in draft.entries))
            chart = table = None
            panels: tuple[PlotPanel, ...] = ()
            if family == "xy":
                chart = _xy_chart(draft.entries, labels, show_iteration)
            elif family == "bar":
                chart = _bar_chart(draft.entries, labels, show_iteration)
            elif family in ("box", "histogram"):
                chart = _sample_chart(family, draft.entries, labels, show_iteration)
            elif family == "table":
                table = _merged_table(draft.entries, labels, show_iteration)
            else:
                panels = tuple(_panel(e, labels) for e in draft.entries)
            groups.append(
                PlotGroup(metric, variant, family, kinds, present, iterations, missing, other,
                          tuple(labels), chart, table, panels)
            )
    return groups


# -- Summary: single-value scalars -------------------------------------------------------


@dataclass(frozen=True)
class SummaryChart:
    """All single-value scalars: a cluster per name (sorted), a bar per model
    (comparison order; None where a model lacks the name). `table` is the same
    as a Values-style table (metric = the name, variant = "", agg "value"), so
    the table renderers and CSV export of core.scalars apply."""

    names: tuple[str, ...]
    labels: tuple[str, ...]
    model_ids: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]  # per name, one per model
    table: ValueTable


def summary_chart(
    models: Sequence[Model],
    single_values: Mapping[str, Mapping[str, float]],
    metric_filter: str = "",
) -> SummaryChart:
    """The Summary from Source.single_values; the metric filter applies to the
    names."""
    names = sorted({n for m in models for n in single_values.get(m.id, {}) if matches_text(n, metric_filter)})
    labels = tuple(model_labels(models))
    values: list[tuple[float | None, ...]] = []
    rows = []
    for name in names:
        row_values = []
        for m in models:
            mv = single_values.get(m.id, {})
            row_values.append(float(mv[name]) if name in mv and mv[name] is not None else None)
        values.append(tuple(row_values))
        rows.append(build_row(name, "", row_values))
    table = ValueTable(
        agg="value",
        models=tuple(models),
        labels=labels,
        rows=tuple(rows),
        metric_filter=metric_filter,
        total_rows=len(names),
    )
    return SummaryChart(tuple(names), labels, tuple(m.id for m in models), tuple(values), table)
