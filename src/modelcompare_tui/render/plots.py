"""Plots tab panels drawn headless: merged charts, bars, box plots, tables.

Bars (bar plots, the Summary) and box plots are drawn as rich text:
horizontal bars with their values written next to them read better in a
terminal than vertical ones, and cost nothing to draw. widgets/plot_cards.py and screens/plots.py
and `modelcompare render` share these functions. Never Textual.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.labels import fit_labels
from ..core.colors import ModelColors, hex_to_rgb
from ..core.display import display_text
from ..core.model import Model
from ..core.plotmerge import (
    MergedChart,
    MergedTable,
    PlotGroup,
    PlotPanel,
    SummaryChart,
)
from ..core.plural import counted
from ..core.scalars import format_number
from .value_text import value_table_to_rich

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


from .chart_series import legend_text
from .raster import (
    MISSING_STYLE,
    ChartLine,
    LegendItem,
    PlotextChart,
    clip_cells,
    draw_xy,
    plain_marker,
    shade,
)
from .ticks import axis_fraction, tick_text, widen_range

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
    "plot_group_renderable",
    "plot_legend",
    "summary_bars",
    "summary_renderable",
]


# -- bars and boxes (rich) --------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    color: str
    marker: str = "█"


@dataclass(frozen=True)
class BarCluster:
    name: str
    bars: tuple[Bar, ...]


_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar_cells(fraction: float, width: int) -> str:
    """A bar of `fraction` (0..1) of `width` cells, to an eighth of a cell."""
    eighths = int(round(max(0.0, min(1.0, fraction)) * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def _fitted(labels: dict[Any, str], width: int) -> dict[Any, str]:
    """Labels (models' names: each distinct one once) cut together to `width` cells."""
    distinct = list(dict.fromkeys(labels.values()))
    cut = dict(zip(distinct, fit_labels(distinct, width)))
    return {key: cut[label] for key, label in labels.items()}


class BarClusters:
    """Horizontal clustered bars: a cluster per name, a bar per model, each
    value written after its bar. Bars of a cluster share a scale from 0 to
    the cluster's largest magnitude (clusters hold different metrics, whose
    ranges have nothing in common); a negative value's bar is drawn in the
    dimmed style and its value keeps its sign."""

    def __init__(self, clusters: Sequence[BarCluster], *, color: bool = True, shared_scale: bool = False) -> None:
        self.clusters = list(clusters)
        self.color = color
        self.shared_scale = shared_scale

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)

    def lines(self, width: int) -> list[Any]:
        from rich.text import Text

        out: list[Any] = []
        if not self.clusters:
            return out
        names = [display_text(c.name) for c in self.clusters]
        bar_labels = {id(b): display_text(b.label) for c in self.clusters for b in c.bars}
        name_w = min(max(8, width // 4), max(len(name) for name in names))
        label_w = min(max(12, width // 3), max((len(label) for label in bar_labels.values()), default=0))
        bar_labels = _fitted(bar_labels, label_w)
        values = {id(b): format_number(b.value, 4, "–") for c in self.clusters for b in c.bars}
        value_w = max((len(v) for v in values.values()), default=1)
        bar_w = max(4, width - name_w - label_w - value_w - 5)
        shared = max((abs(b.value) for c in self.clusters for b in c.bars
                      if b.value is not None and math.isfinite(b.value)), default=0.0)
        for ci, cluster in enumerate(self.clusters):
            if ci and len(cluster.bars) > 1:
                out.append(Text(""))
            top = shared if self.shared_scale else max(
                (abs(b.value) for b in cluster.bars if b.value is not None and math.isfinite(b.value)), default=0.0)
            for bi, bar in enumerate(cluster.bars):
                line = Text(no_wrap=True, overflow="ellipsis")
                name = clip_cells(names[ci], name_w) if bi == 0 else ""
                line.append(name.ljust(name_w) + " ", style="bold" if self.color and bi == 0 else "")
                line.append(bar_labels[id(bar)].ljust(label_w) + " ",
                            style=bar.color if self.color else "")
                v = bar.value
                if v is None or not math.isfinite(v) or top == 0:
                    cells = ""
                else:
                    cells = _bar_cells(abs(v) / top, bar_w)
                    if not self.color and bar.marker != "█":
                        cells = bar.marker * len(cells)
                style = (bar.color if v is None or v >= 0 else f"{bar.color} dim") if self.color else ""
                line.append(cells, style=style)
                line.append(" " + values[id(bar)], style="" if v is not None else MISSING_STYLE)
                out.append(line)
        return out


class BoxPlot:
    """Horizontal box plots on one shared axis: a row per series
    `├────[███│███]────┤ ∘ ∘` (whiskers, box from Q1 to Q3, median │,
    outliers ∘), then the axis' range."""

    def __init__(self, rows: Sequence[tuple[str, str, Any]], *, color: bool = True) -> None:
        self.rows = list(rows)  # (label, color, BoxStats | None)
        self.color = color

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)

    def lines(self, width: int) -> list[Any]:
        from rich.text import Text

        stats = [s for _, _, s in self.rows if s is not None]
        if not stats:
            return [Text("(no finite samples)", style=MISSING_STYLE)]
        lo = min(min(s.whisker_low, *s.outliers) if s.outliers else s.whisker_low for s in stats)
        hi = max(max(s.whisker_high, *s.outliers) if s.outliers else s.whisker_high for s in stats)
        lo, hi = widen_range(lo, hi, 0.5)
        label_w = min(max(12, width // 3), max(len(display_text(label)) for label, _, _ in self.rows))
        plot_w = max(10, width - label_w - 2)
        fitted = _fitted({i: display_text(label) for i, (label, _, _) in enumerate(self.rows)}, label_w)

        def col(v: float) -> int:
            return min(plot_w - 1, max(0, int(round(axis_fraction(v, lo, hi) * (plot_w - 1)))))

        out: list[Any] = []
        for i, (_label, color, s) in enumerate(self.rows):
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(fitted[i].ljust(label_w) + "  ",
                        style=color if self.color else "")
            cells = [" "] * plot_w
            if s is None:
                line.append("(no finite samples)", style=MISSING_STYLE)
                out.append(line)
                continue
            a, q1, med, q3, b = col(s.whisker_low), col(s.q1), col(s.median), col(s.q3), col(s.whisker_high)
            for c in range(a, b + 1):
                cells[c] = "─"
            for c in range(q1, q3 + 1):
                cells[c] = "█" if self.color else "="
            cells[a] = "├"
            cells[b] = "┤"
            cells[med] = "│" if q1 < med < q3 or q1 == q3 else cells[med]
            if self.color and q1 < med < q3:
                cells[med] = "┃"
            for o in s.outliers:
                cells[col(o)] = "∘"
            line.append("".join(cells).rstrip(), style=color if self.color else "")
            out.append(line)
        axis = Text(" " * (label_w + 2), no_wrap=True)
        left, right = tick_text(lo), tick_text(hi)
        middle = tick_text(lo / 2 + hi / 2)
        gap = plot_w - len(left) - len(right)
        if gap > len(middle) + 2:
            pad = (gap - len(middle)) // 2
            axis.append(left + " " * pad + middle + " " * (gap - pad - len(middle)) + right, style=MISSING_STYLE)
        else:
            axis.append(left + " " * max(1, gap) + right, style=MISSING_STYLE)
        out.append(axis)
        return out


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


def bar_renderable(chart: MergedChart, models: Sequence[Model], colors: ModelColors, color: bool) -> BarClusters:
    series_colors = _series_color(colors, models, chart)
    clusters = []
    for j, category in enumerate(chart.categories):
        bars = []
        for k, (s, c) in enumerate(zip(chart.series, series_colors)):
            value = float(s.y[j]) if j < s.y.size and math.isfinite(s.y[j]) else None
            bars.append(Bar(s.name, value, c, plain_marker(k)))
        clusters.append(BarCluster(category, tuple(bars)))
    return BarClusters(clusters, color=color, shared_scale=True)


def box_renderable(chart: MergedChart, models: Sequence[Model], colors: ModelColors, color: bool) -> BoxPlot:
    series_colors = _series_color(colors, models, chart)
    return BoxPlot([(s.name, c, s.box) for s, c in zip(chart.series, series_colors)], color=color)


MAX_TABLE_ROWS = 200
MAX_TEXT_LINES = 40
MAX_MATRIX_SIDE = 30


def readable_cell(text: str) -> str:
    """A table cell as shown: a long float ("0.8200000000000001", exact in the
    data) at 6 significant digits; anything else as it is."""
    if len(text) <= 8:
        return text
    try:
        value = float(text)
    except ValueError:
        return text
    return format_number(value, 6)


def merged_table_renderable(table: MergedTable, models: Sequence[Model], colors: ModelColors, *, color: bool = True,
                            max_rows: int = MAX_TABLE_ROWS) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table(show_header=True, header_style="bold" if color else "", box=None, padding=(0, 1), pad_edge=False)
    # data as Text, never as a str: rich would parse a str as markup
    for name in table.columns:
        grid.add_column(Text(display_text(name)), overflow="fold")
    for row, model_index in list(zip(table.rows, table.row_models))[:max_rows]:
        style = colors[models[model_index].id] if color else ""
        grid.add_row(Text(display_text(row[0]), style=style), *(Text(display_text(readable_cell(c))) for c in row[1:]))
    if len(table.rows) > max_rows:
        return Group(grid, Text(f"… {counted(len(table.rows) - max_rows, 'more row')}", style=MISSING_STYLE))
    return grid


def _heat_style(value: float, lo: float, hi: float, base: str) -> str:
    """Background from near-transparent to the model's color by value."""
    if not math.isfinite(value) or hi <= lo:
        return ""
    t = min(1.0, max(0.0, axis_fraction(value, lo, hi)))
    r, g, b = hex_to_rgb(base)
    # blend towards mid-grey so both dark and light backgrounds keep contrast
    mix = 0.15 + 0.85 * t
    r, g, b = (int(128 + (c - 128) * mix) for c in (r, g, b))
    fg = "black" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "white"
    return f"{fg} on #{r:02x}{g:02x}{b:02x}"


def panel_renderable(panel: PlotPanel, colors: ModelColors, *, color: bool = True, width: int = 40) -> Any:
    """One model's heatmap, confusion matrix or text, titled with its model."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    model_color = colors[panel.model_id]
    title = Text(display_text(panel.label), style=f"bold {model_color}" if color else "", no_wrap=True,
                 overflow="ellipsis")
    title.append(f" · it. {panel.iteration}", style=MISSING_STYLE)
    if panel.matrix is not None:
        matrix = panel.matrix
        rows, cols = matrix.shape if matrix.ndim == 2 else (0, 0)
        if rows == 0 or cols == 0:
            return Group(title, Text("(empty matrix)", style=MISSING_STYLE))
        shown_r, shown_c = min(rows, MAX_MATRIX_SIDE), min(cols, MAX_MATRIX_SIDE)
        finite = matrix[np.isfinite(matrix)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        grid = Table(show_header=True, header_style="dim" if color else "", box=None, padding=(0, 0, 0, 1),
                     pad_edge=False)
        grid.add_column("", style="dim" if color else "", no_wrap=True, max_width=12, overflow="ellipsis")
        for c in range(shown_c):
            grid.add_column(Text(clip_cells(display_text(panel.x_labels[c]), 8)), justify="right", no_wrap=True)
        for r in range(shown_r):
            cells = []
            for c in range(shown_c):
                v = float(matrix[r, c])
                text = format_number(v, 3)
                cells.append(Text(text, style=_heat_style(v, lo, hi, model_color) if color else ""))
            grid.add_row(Text(clip_cells(display_text(panel.y_labels[r]), 12)), *cells)
        parts: list[Any] = [title, grid]
        if panel.kind == "confusion_matrix":
            parts.append(Text("rows: actual · columns: predicted", style=MISSING_STYLE))
        if shown_r < rows or shown_c < cols:
            parts.append(Text(f"({rows}×{cols}, first {shown_r}×{shown_c} shown)", style=MISSING_STYLE))
        return Group(*parts)
    # display text breaks lines only at "\n" (other separators are shown as symbols)
    lines = display_text(panel.text, multiline=True).splitlines() or [""]
    body = Text("\n".join(lines[:MAX_TEXT_LINES]), overflow="fold")
    parts = [title, body]
    if len(lines) > MAX_TEXT_LINES:
        parts.append(Text(f"… {counted(len(lines) - MAX_TEXT_LINES, 'more line')}", style=MISSING_STYLE))
    return Group(*parts)


def panels_renderable(panels: Sequence[PlotPanel], colors: ModelColors, *, color: bool = True) -> Any:
    """Panels side by side, as many per row as the width allows."""
    from rich.columns import Columns

    return Columns([panel_renderable(p, colors, color=color) for p in panels], padding=(0, 3), equal=False,
                   expand=False)


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
        legend = plot_legend(group, models, colors)
        if chart.family in ("bar", "box"):  # labelled where drawn: name only who is missing
            legend = [e for e in legend if not e.present]
        if legend:
            parts.append(legend_text(legend, color=color))
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
        parts.append(value_table_to_rich(summary.table, extremes=True, delta=False, colors=colors, header=False))
    return Group(*parts)


