"""Plots tab panels drawn headless: merged charts, bars, box plots, tables.

Bars (bar plots, the Summary) and box plots are drawn as rich text:
horizontal bars with their values written next to them read better in a
terminal than vertical ones, and cost nothing to draw. widgets/plot_cards.py and screens/plots.py
and `modelcompare render` share these functions. Never Textual.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.labels import fit_labels, model_labels
from ..core.colors import ModelColors, hex_to_rgb
from ..core.display import display_text
from ..core.model import Model
from ..core.plotmerge import (
    SERIES_SEPARATOR,
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


from .chart_series import legend_entry, legend_lines, legend_text
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
MIN_TABLE_BAR = 6  # cells a bar needs in the table form of clustered bars
MAX_TABLE_COLUMN = 40  # and a column at most: a bar's value stays near its bar


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

    def __init__(self, clusters: Sequence[BarCluster], *, color: bool = True, shared_scale: bool = False,
                 as_table: bool = False) -> None:
        self.clusters = list(clusters)
        self.color = color
        self.shared_scale = shared_scale
        # a row per cluster and a column per bar (a short bar and its value) where the
        # width allows: 29 classes of 4 models in 30 rows rather than 145
        self.as_table = as_table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)

    def lines(self, width: int) -> list[Any]:
        from rich.text import Text

        out: list[Any] = []
        if not self.clusters:
            return out
        if self.as_table and (table := self._table_lines(width)) is not None:
            return table
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


    def _table_lines(self, width: int) -> list[Any] | None:
        """The clusters as a table (a column per bar), or None when the columns'
        bars would be shorter than MIN_TABLE_BAR cells or clusters differ in bars."""
        from rich.text import Text

        first = self.clusters[0].bars
        if any(len(c.bars) != len(first) for c in self.clusters) or len(first) < 2:
            return None
        names = [display_text(c.name) for c in self.clusters]
        values = [[format_number(b.value, 4, "–") for b in c.bars] for c in self.clusters]
        n = len(first)
        value_w = [max(len(row[k]) for row in values) for k in range(n)]
        name_w = min(max(8, width // 5), max(len(name) for name in names))
        column_w = min(MAX_TABLE_COLUMN, (width - name_w) // n - 2)
        bar_w = column_w - max(value_w) - 1
        if bar_w < MIN_TABLE_BAR:
            return None
        labels = fit_labels([display_text(b.label) for b in first], column_w)
        top = max((abs(b.value) for c in self.clusters for b in c.bars
                   if b.value is not None and math.isfinite(b.value)), default=0.0)
        header = Text(" " * name_w, no_wrap=True, overflow="ellipsis")
        for bar, label in zip(first, labels):
            header.append("  " + label.rjust(column_w), style=f"bold {bar.color}" if self.color else "bold")
        out: list[Any] = [header]
        for name, cluster, texts in zip(names, self.clusters, values):
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(clip_cells(name, name_w).ljust(name_w), style="bold" if self.color else "")
            for k, bar in enumerate(cluster.bars):
                v = bar.value
                cells = "" if v is None or not math.isfinite(v) or top == 0 else _bar_cells(abs(v) / top, bar_w)
                if not self.color and bar.marker != "█":
                    cells = bar.marker * len(cells)
                line.append("  ")
                line.append(cells.ljust(bar_w), style=(bar.color if v is None or v >= 0 else f"{bar.color} dim")
                            if self.color else "")
                line.append(" " + texts[k].rjust(column_w - bar_w - 1),
                            style="" if v is not None else MISSING_STYLE)
            out.append(line)
        return out


class BoxPlot:
    """Horizontal box plots on one shared axis: a row per series
    `├────[███│███]────┤ ∘ ∘` (whiskers, box from Q1 to Q3, median │,
    outliers ∘), then the axis' range."""

    def __init__(self, rows: Sequence[tuple[str, str, Any]], *, color: bool = True,
                 parts: Sequence[str] | None = None) -> None:
        self.rows = list(rows)  # (label, color, BoxStats | None): label, the model's
        # `parts`: each row's series within its model ("batch 8"); the model's label is
        # then written once, on its first row, and the parts beside it
        self.parts = list(parts) if parts is not None else None
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
        parts = [display_text(part) for part in self.parts] if self.parts is not None else None
        part_w = min(max(8, width // 5), max(len(part) for part in parts)) if parts and any(parts) else 0
        if part_w:
            label_w = min(max(8, width // 5), max(len(display_text(label)) for label, _, _ in self.rows))
        fitted = _fitted({i: display_text(label) for i, (label, _, _) in enumerate(self.rows)}, label_w)
        if parts is not None and part_w:
            # the model's label once, on its first row: its series read as a group
            fitted = {i: (text if i == 0 or self.rows[i - 1][0] != self.rows[i][0] else "").ljust(label_w) + " "
                      + clip_cells(parts[i], part_w).ljust(part_w) for i, text in fitted.items()}
            label_w += 1 + part_w
        plot_w = max(10, width - label_w - 2)

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


def _heat_fraction(value: float, lo: float, hi: float, counts: bool) -> float:
    """Where `value` lies from `lo` (0) to `hi` (1). Counts (a confusion matrix)
    on a log scale: a handful of mistakes beside hundreds of hits stays visible."""
    if counts and lo >= 0:
        return math.log1p(value - lo) / math.log1p(hi - lo)
    return min(1.0, max(0.0, axis_fraction(value, lo, hi)))


def _heat_style(value: float, lo: float, hi: float, base: str, counts: bool = False) -> str:
    """Background from near-transparent to the model's color by value."""
    if not math.isfinite(value) or hi <= lo:
        return ""
    t = _heat_fraction(value, lo, hi, counts)
    r, g, b = hex_to_rgb(base)
    # blend towards mid-grey so both dark and light backgrounds keep contrast
    mix = 0.15 + 0.85 * t
    r, g, b = (int(128 + (c - 128) * mix) for c in (r, g, b))
    fg = "black" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "white"
    return f"{fg} on #{r:02x}{g:02x}{b:02x}"


PANEL_GAP = 3  # cells between panels side by side
MATRIX_LABEL_WIDTH = 12
MATRIX_HEADER_WIDTH = 8  # a number column widens to show this much of its label
_SHADES = " ░▒▓█"  # plain text: a shaded cell's glyph, low to high
_SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


def compact_number(value: float, width: int) -> str | None:
    """The most precise text of `value` that fits `width` cells, or None: a whole
    number as it is ("214"), else fewer significant digits, else with a k/M/G
    suffix ("5.6k"); never cut. "nan"/"inf" as such when they fit."""
    if not math.isfinite(value):
        text = format_number(value)
        return text if len(text) <= width else None
    if value == int(value) and abs(value) < 1e15:
        text = str(int(value))
        if len(text) <= width:
            return text
    else:
        for sig in (4, 3, 2, 1):
            text = format_number(value, sig)
            if len(text) <= width and "e" not in text:
                return text
    for scale, suffix in _SI:
        if abs(value) >= scale:
            for sig in (3, 2, 1):
                text = format_number(value / scale, sig) + suffix
                if len(text) <= width and "e" not in text:
                    return text
            break
    text = format_number(value, 2)
    return text if len(text) <= width else None


@dataclass(frozen=True)
class MatrixStyle:
    """How a group's matrices are drawn: numbers in `cell_w` cells, or shaded
    (`cell_w` cells of colour, no number) when no number width fits."""

    cell_w: int
    shaded: bool


def _shown(panel: PlotPanel) -> tuple[int, int]:
    assert panel.matrix is not None
    rows, cols = panel.matrix.shape if panel.matrix.ndim == 2 else (0, 0)
    return min(rows, MAX_MATRIX_SIDE), min(cols, MAX_MATRIX_SIDE)


def _matrix_label_w(panel: PlotPanel) -> int:
    rows, _ = _shown(panel)
    return min(MATRIX_LABEL_WIDTH, max((len(display_text(label)) for label in panel.y_labels[:rows]), default=1))


def _fits_numbers(panel: PlotPanel, cell_w: int) -> bool:
    assert panel.matrix is not None
    rows, cols = _shown(panel)
    return all(compact_number(float(v), cell_w) is not None for v in panel.matrix[:rows, :cols].ravel())


def _matrix_width(panel: PlotPanel, style: MatrixStyle) -> int:
    _, cols = _shown(panel)
    return _matrix_label_w(panel) + 1 + cols * style.cell_w + (0 if style.shaded else cols - 1)


def matrix_style(panels: Sequence[PlotPanel], width: int, *, prefer_numbers: bool = False) -> MatrixStyle:
    """Numbers side by side when they fit (shrinking their precision, never
    cutting one); else, for several models, shaded cells side by side (a
    comparison reads best side by side; `prefer_numbers`, as a maximised plot
    does, stacks the numbers instead); else numbers stacked; else shaded."""
    matrices = [p for p in panels if p.matrix is not None and p.matrix.size and p.matrix.ndim == 2]
    if not matrices:
        return MatrixStyle(3, False)
    exact = max(len(compact_number(float(v), 99) or "") for p in matrices
                for v in p.matrix[:_shown(p)[0], :_shown(p)[1]].ravel())  # type: ignore[index]
    number_styles = [MatrixStyle(w, False) for w in range(max(1, exact), 0, -1)
                     if all(_fits_numbers(p, w) for p in matrices)]
    shaded = next((MatrixStyle(w, True) for w in (2, 1)
                   if max(_matrix_width(p, MatrixStyle(w, True)) for p in matrices) <= width), MatrixStyle(1, True))

    def row_of(style: MatrixStyle) -> int:
        w = max(_matrix_width(p, style) for p in matrices)
        return (width + PANEL_GAP) // (w + PANEL_GAP)

    def with_headers(style: MatrixStyle) -> MatrixStyle:
        # columns as wide as their labels (up to 8 cells) while as many matrices fit a row
        header_w = max((len(display_text(label)) for p in matrices for label in p.x_labels[:MAX_MATRIX_SIDE]),
                       default=0)
        for w in range(min(MATRIX_HEADER_WIDTH, header_w), style.cell_w, -1):
            if min(len(matrices), row_of(MatrixStyle(w, False))) >= min(len(matrices), row_of(style)):
                return MatrixStyle(w, False)
        return style

    side_by_side = min(2, len(matrices))
    for style in number_styles:
        if row_of(style) >= side_by_side:
            return with_headers(style)
    if side_by_side > 1 and not prefer_numbers and row_of(shaded) >= 2:
        return shaded
    for style in number_styles:
        if row_of(style) >= 1:
            return with_headers(style)
    return shaded


def _shade_glyph(value: float, lo: float, hi: float, counts: bool) -> str:
    """Plain text's shade of a cell; anything above the lowest value shows."""
    if not math.isfinite(value) or hi <= lo:
        return _SHADES[0]
    t = _heat_fraction(value, lo, hi, counts)
    top = len(_SHADES) - 1
    return _SHADES[0] if value <= lo else _SHADES[max(1, min(top, int(round(t * top))))]


def _matrix_renderable(panel: PlotPanel, model_color: str, style: MatrixStyle, color: bool) -> list[Any]:
    from rich.table import Table
    from rich.text import Text

    matrix = panel.matrix
    assert matrix is not None
    rows, cols = matrix.shape
    shown_r, shown_c = _shown(panel)
    finite = matrix[np.isfinite(matrix)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    label_w = _matrix_label_w(panel)
    counts = panel.kind == "confusion_matrix"
    grid = Table(show_header=not style.shaded, header_style="dim" if color else "", box=None,
                 padding=(0, 0, 0, 0 if style.shaded else 1), pad_edge=False)
    grid.add_column("", style="dim" if color else "", no_wrap=True, width=label_w + (1 if style.shaded else 0))
    for c in range(shown_c):
        # the header cut to its column: the columns follow the rows' order in a confusion matrix
        header = display_text(panel.x_labels[c]) if c < len(panel.x_labels) else ""
        grid.add_column(Text(header[:style.cell_w]), justify="right", no_wrap=True, width=style.cell_w)
    for r in range(shown_r):
        cells = []
        for c in range(shown_c):
            v = float(matrix[r, c])
            heat = _heat_style(v, lo, hi, model_color, counts) if color else ""
            if style.shaded:
                text = " " * style.cell_w if color else _shade_glyph(v, lo, hi, counts) * style.cell_w
            else:
                text = compact_number(v, style.cell_w) or ""
            cells.append(Text(text, style=heat))
        label = display_text(panel.y_labels[r]) if r < len(panel.y_labels) else ""
        grid.add_row(Text(clip_cells(label, label_w) + (" " if style.shaded else "")), *cells)
    parts: list[Any] = [grid]
    if style.shaded:
        parts.append(Text(f"{tick_text(lo)}–{tick_text(hi)}", style=MISSING_STYLE, no_wrap=True))
    if shown_r < rows or shown_c < cols:
        parts.append(Text(f"{rows}×{cols}, first {shown_r}×{shown_c} shown", style=MISSING_STYLE, no_wrap=True,
                          overflow="ellipsis"))
    return parts


def _matrices_note(panels: Sequence[PlotPanel], style: MatrixStyle) -> str:
    """What the matrices' layout needs said once, below them all."""
    kinds = {p.kind for p in panels if p.matrix is not None}
    notes = []
    if "confusion_matrix" in kinds:
        notes.append("rows: actual · columns: predicted")
    if style.shaded and kinds:
        notes.append("shaded from each matrix's lowest to its highest value"
                     + (" (counts on a log scale)" if "confusion_matrix" in kinds else "")
                     + "; numbers when wider or maximised")
    return " · ".join(notes)


def panel_renderable(panel: PlotPanel, colors: ModelColors, *, color: bool = True, label: str | None = None,
                     style: MatrixStyle | None = None) -> Any:
    """One model's heatmap, confusion matrix or text, titled with its model
    (`label`: the model's label as cut for the group, default its full label)."""
    from rich.console import Group
    from rich.text import Text

    model_color = colors[panel.model_id]
    title = Text(display_text(panel.label if label is None else label), style=f"bold {model_color}" if color else "",
                 no_wrap=True, overflow="ellipsis")
    title.append(f" · it. {panel.iteration}", style=MISSING_STYLE)
    if panel.matrix is not None:
        if panel.matrix.ndim != 2 or panel.matrix.size == 0:
            return Group(title, Text("(empty matrix)", style=MISSING_STYLE))
        return Group(title, *_matrix_renderable(panel, model_color, style or MatrixStyle(3, False), color))
    # display text breaks lines only at "\n" (other separators are shown as symbols)
    lines = display_text(panel.text, multiline=True).splitlines() or [""]
    body = Text("\n".join(lines[:MAX_TEXT_LINES]), overflow="fold")
    parts = [title, body]
    if len(lines) > MAX_TEXT_LINES:
        parts.append(Text(f"… {counted(len(lines) - MAX_TEXT_LINES, 'more line')}", style=MISSING_STYLE))
    return Group(*parts)


def panels_renderable(panels: Sequence[PlotPanel], colors: ModelColors, *, color: bool = True,
                      width: int | None = None, prefer_numbers: bool = False) -> Any:
    """Panels side by side, as many per row as the width allows, matrices in one
    style (matrix_style) and titled with labels that tell the models apart."""
    if width is None:
        return AtWidth(lambda w: panels_renderable(panels, colors, color=color, width=w,
                                                   prefer_numbers=prefer_numbers))
    from rich.columns import Columns

    style = matrix_style(panels, width, prefer_numbers=prefer_numbers)
    widths = [_matrix_width(p, style) if p.matrix is not None and p.matrix.ndim == 2 and p.matrix.size
              else width for p in panels]
    # each title as wide as its share of a row (at least its panel) less the iteration:
    # labels cut together
    per_row = max(1, min(len(panels), (width + PANEL_GAP) // (max(widths) + PANEL_GAP)))
    share = (width + PANEL_GAP) // per_row - PANEL_GAP
    room = [max(8, max(w, share) - len(f" · it. {p.iteration}")) for p, w in zip(panels, widths)]
    labels = fit_labels([display_text(p.label) for p in panels], room)
    from rich.console import Group
    from rich.text import Text

    columns = Columns([panel_renderable(p, colors, color=color, label=label, style=style)
                       for p, label in zip(panels, labels)], padding=(0, PANEL_GAP), equal=False, expand=False)
    note = _matrices_note(panels, style)
    return Group(columns, Text(note, style=MISSING_STYLE)) if note else columns


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


class AtWidth:
    """A renderable built for the width it is drawn at (a table laid out for
    its width rather than squeezed by rich, which would cut names to `…`)."""

    def __init__(self, build: Callable[[int], Any]) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.build(options.max_width)


