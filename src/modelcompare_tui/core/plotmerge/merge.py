"""Merging the compared models' plots into PlotGroups (see the package doc):
each model's last plot per metric/variant, one chart, table or row of panels
per kind family.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..labels import model_labels
from ..model import Model, Plot, format_float
from ..scalars import matches_metric_filter
from .groups import ChartSeries, MergedChart, MergedTable, PlotGroup, PlotPanel, kind_family
from .reading import _floats, _label, _numeric_or_none, _series_list
from .sample_stats import box_stats, histogram_edges

SERIES_SEPARATOR = " · "
MODEL_COLUMN = "model"


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
