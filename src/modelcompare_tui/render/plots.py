"""The Plots tab drawn headless: one renderable per merged plot (chart, bars,
box plot, table or panels, with its legend) and the Summary of single values.
Bars and boxes live in plot_bars, per-model panels and tables in plot_panels;
their names are exported here too. widgets/plot_cards.py, screens/plots.py and
`modelcompare render` share these functions. Never Textual.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.labels import fit_labels, model_labels
from ..core.colors import ModelColors
from ..core.display import display_text
from ..core.model import Model
from ..core.plotmerge import (
    SERIES_SEPARATOR,
    MergedChart,
    PlotGroup,
    SummaryChart,
)
from ..core.plural import counted
from .value_text import value_table_to_rich

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


from .chart_series import legend_entry, legend_lines, legend_text
from .raster import (
    MISSING_STYLE,
    ChartLine,
    LegendItem,
    PlotextChart,
    draw_xy,
    plain_marker,
    shade,
)
from .plot_bars import Bar, BarCluster, BarClusters, BoxPlot
from .plot_panels import (
    AtWidth,
    MatrixStyle,
    compact_number,
    matrix_style,
    merged_table_renderable,
    panel_renderable,
    panels_renderable,
)

__all__ = [
    "Bar",
    "BarCluster",
    "BarClusters",
    "BoxPlot",
    "bar_renderable",
    "box_renderable",
    "draw_merged_chart",
    "group_title",
    "merged_table_renderable",
    "panel_renderable",
    "panels_renderable",
    "MatrixStyle",
    "compact_number",
    "matrix_style",
    "plot_group_renderable",
    "plot_legend",
    "plot_legend_lines",
    "PlotLegend",
    "summary_bars",
    "summary_renderable",
    "summary_table",
    "AtWidth",
]

# -- the Plots tab ---------------------------------------------------------------------


def _series_color(colors: ModelColors, models: Sequence[Model], chart: MergedChart) -> list[str]:
    """Each series' color: its model's, shaded for a model's second, third… series."""
    steps: dict[int, int] = {}
    out = []
    for s in chart.series:
        step = steps.get(s.model_index, 0)
        steps[s.model_index] = step + 1
        out.append(shade(colors[models[s.model_index].id], step, colors.dark))
    return out


def plot_legend(group: PlotGroup, models: Sequence[Model], colors: ModelColors) -> list[LegendItem]:
    series_colors = _series_color(colors, models, group.chart) if group.chart is not None else []
    items: list[LegendItem] = []
    for k, entry in enumerate(group.legend()):
        model_color = colors[models[entry.model_index].id]
        if entry.present and group.chart is not None and k < len(series_colors):
            items.append(LegendItem(entry.text, series_colors[k], plain_marker(k), True))
        else:
            items.append(LegendItem(entry.text, model_color, " ", entry.present))
    return items


def plot_legend_lines(group: PlotGroup, models: Sequence[Model], colors: ModelColors, width: int,
                      max_lines: int = 1000, *, color: bool = True) -> list[Any]:
    """The legend of a merged chart in at most `max_lines` lines of `width`.
    When a model draws several series (a PR curve per class), a line per model:
    its label and iteration once, then each series by its own name, so that
    every model is named (a flat legend named the first model's classes and
    "+12 more"); else the flat legend."""
    from rich.text import Text

    items = plot_legend(group, models, colors)
    chart = group.chart
    if chart is None:
        return legend_lines(items, width, max_lines, color=color)
    by_model: dict[int, list[int]] = {}
    for k, series in enumerate(chart.series):
        by_model.setdefault(series.model_index, []).append(k)
    if all(len(ks) < 2 for ks in by_model.values()):
        return legend_lines(items, width, max_lines, color=color)
    iterations = dict(group.iterations)
    show_iteration = len(set(iterations.values())) > 1
    heads = [group.labels[i] + (f" (it. {iterations[i]})" if show_iteration and i in iterations else "")
             for i in by_model]
    heads = fit_labels([display_text(h) for h in heads], max(8, width // 3))
    lines: list[Any] = []
    for (model_index, ks), head in zip(by_model.items(), heads):
        line = Text(no_wrap=True, overflow="ellipsis")
        model_color = colors[models[model_index].id]
        line.append(head + ":", style=f"bold {model_color}" if color else "")
        for k in ks:
            own = chart.series[k].series_name or chart.series[k].name
            line.append("  ")
            line.append_text(legend_entry(LegendItem(own, items[k].color, items[k].marker, True), color=color))
        lines.append(line)
    missing = [item for item in items if not item.present]
    lines += legend_lines(missing, width, max_lines, color=color) if missing else []
    if len(lines) > max_lines:
        hidden = len(lines) - max_lines + 1
        lines = lines[:max_lines - 1] + [Text(f"+{counted(hidden, 'more legend line')}", style=MISSING_STYLE)]
    return lines


class PlotLegend:
    """A plot's legend (plot_legend_lines) at the console's width."""

    def __init__(self, group: PlotGroup, models: Sequence[Model], colors: ModelColors, *, color: bool) -> None:
        self.group, self.models, self.colors, self.color = group, models, colors, color

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from plot_legend_lines(self.group, self.models, self.colors, options.max_width, color=self.color)


def _histogram_lines(chart: MergedChart, series_colors: Sequence[str]) -> list[ChartLine]:
    """A histogram as step outlines, one per series: overlaid outlines stay
    readable where overlaid filled bars would hide each other."""
    edges = chart.bin_edges if chart.bin_edges is not None else np.arange(0.0, 2.0)
    lines = []
    for s, color in zip(chart.series, series_colors):
        counts = np.asarray(s.y, dtype=np.float64)
        k = min(counts.size, edges.size - 1)
        x = np.empty(2 * k + 2)
        y = np.empty(2 * k + 2)
        x[0], y[0] = edges[0], 0.0
        x[1:-1:2], x[2:-1:2] = edges[:k], edges[1 : k + 1]
        y[1:-1:2], y[2:-1:2] = counts[:k], counts[:k]
        x[-1], y[-1] = edges[k], 0.0
        lines.append(ChartLine(s.name, x, y, color, s.model_index))
    return lines


def draw_merged_chart(chart: MergedChart, models: Sequence[Model], colors: ModelColors, width: int, height: int,
                      color: bool = True) -> str:
    """An xy or histogram merged chart as plotext text."""
    series_colors = _series_color(colors, models, chart)
    if chart.family == "histogram":
        lines = _histogram_lines(chart, series_colors)
        return draw_xy(lines, width, height, color=color, x_label=chart.x_label, y_label=chart.y_label or "count")
    lines = [ChartLine(s.name, s.x, s.y, c, s.model_index, "scatter" if s.kind == "scatter" else "line")
             for s, c in zip(chart.series, series_colors)]
    mode = "category" if chart.x_categories else "number"
    return draw_xy(lines, width, height, color=color, x_mode=mode, x_categories=chart.x_categories,
                   x_label=chart.x_label, y_label=chart.y_label)


def _series_labels(chart: MergedChart, models: Sequence[Model]) -> list[tuple[str, str]]:
    """Each series' model label and its own name within the model's plot (""
    when every model has one series: the model's label says it all)."""
    labels = model_labels(models)
    indices = [s.model_index for s in chart.series]
    single = len(set(indices)) == len(indices)
    return [(labels[s.model_index], "" if single else s.series_name) for s in chart.series]


def bar_renderable(chart: MergedChart, models: Sequence[Model], colors: ModelColors, color: bool) -> BarClusters:
    series_colors = _series_color(colors, models, chart)
    names = [f"{model}{SERIES_SEPARATOR}{own}" if own else model for model, own in _series_labels(chart, models)]
    clusters = []
    for j, category in enumerate(chart.categories):
        bars = []
        for k, (s, c) in enumerate(zip(chart.series, series_colors)):
            value = float(s.y[j]) if j < s.y.size and math.isfinite(s.y[j]) else None
            bars.append(Bar(names[k], value, c, plain_marker(k)))
        clusters.append(BarCluster(category, tuple(bars)))
    return BarClusters(clusters, color=color, shared_scale=True, as_table=True)


def box_renderable(chart: MergedChart, models: Sequence[Model], colors: ModelColors, color: bool) -> BoxPlot:
    series_colors = _series_color(colors, models, chart)
    labels = _series_labels(chart, models)
    return BoxPlot([(model, c, s.box) for (model, _), s, c in zip(labels, chart.series, series_colors)],
                   color=color, parts=[own for _, own in labels])


def group_title(group: PlotGroup) -> str:
    kinds = "/".join(group.kinds)
    its = sorted({it for _, it in group.iterations})
    where = f"iteration {its[0]}" if len(its) == 1 else f"iterations {its[0]}–{its[-1]}"
    return f"{group.key} · {kinds} · {where}"


def plot_group_renderable(group: PlotGroup, models: Sequence[Model], colors: ModelColors, *, height: int = 14,
                          color: bool = True) -> Any:
    """One metric/variant of the Plots tab: title, merged chart (or table, or
    panels) and legend."""
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = [Text(display_text(group_title(group)), style="bold" if color else "", no_wrap=True,
                             overflow="ellipsis")]
    if group.chart is not None:
        chart = group.chart
        if chart.family == "bar":
            parts.append(bar_renderable(chart, models, colors, color))
        elif chart.family == "box":
            parts.append(box_renderable(chart, models, colors, color))
        else:
            parts.append(PlotextChart(lambda w, h, c: draw_merged_chart(chart, models, colors, w, h, c), height,
                                      color=color))
        if chart.family in ("bar", "box"):  # labelled where drawn: name only who is missing
            legend = [e for e in plot_legend(group, models, colors) if not e.present]
            if legend:
                parts.append(legend_text(legend, color=color))
        else:
            parts.append(PlotLegend(group, models, colors, color=color))
    elif group.table is not None:
        parts.append(merged_table_renderable(group.table, models, colors, color=color))
        extra = [e for e in plot_legend(group, models, colors) if not e.present]
        if extra:
            parts.append(legend_text(extra, color=color))
    else:
        parts.append(panels_renderable(group.panels, colors, color=color))
        extra = [e for e in plot_legend(group, models, colors) if not e.present]
        if extra:
            parts.append(legend_text(extra, color=color))
    return Group(*parts)


def summary_bars(summary: SummaryChart, models: Sequence[Model], colors: ModelColors, *,
                 color: bool = True) -> BarClusters:
    clusters = []
    for name, values in zip(summary.names, summary.values):
        bars = tuple(Bar(summary.labels[i], v, colors[models[i].id], plain_marker(i)) for i, v in enumerate(values))
        clusters.append(BarCluster(name, bars))
    return BarClusters(clusters, color=color)


def summary_renderable(summary: SummaryChart, models: Sequence[Model], colors: ModelColors, *,
                       color: bool = True, table: bool = True) -> Any:
    """The Summary: single values as clustered bars, then the same numbers as a table."""
    from rich.console import Group
    from rich.text import Text

    head = Text("Summary · single values", style="bold" if color else "")
    if not summary.names:
        return Group(head, Text("(no single values" + (f" matching {summary.table.metric_filter!r})"
                                                        if summary.table.metric_filter else ")"), style=MISSING_STYLE))
    parts: list[Any] = [head, summary_bars(summary, models, colors, color=color)]
    if table:
        parts.append(Text(""))
        parts.append(AtWidth(lambda width: summary_table(summary, colors if color else None, width)))
    return Group(*parts)


def summary_table(summary: SummaryChart, colors: ModelColors | None, width: int) -> Any:
    """The Summary's numbers as a table laid out for `width` cells: names kept
    whole, model labels cut together, columns that do not fit in blocks."""
    return value_table_to_rich(summary.table, extremes=True, delta=False, colors=colors, header=False, width=width)
