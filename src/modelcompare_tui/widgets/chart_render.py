"""Drawing of the Scalars Graph view and the Plots tab, headless.

The app's chart widgets (widgets/charts.py, widgets/plots_view.py) and
`modelcompare render` draw with these same functions, so a rendered chart is
the chart the app shows. Only plotext, rich and numpy here, never Textual:
`render` must stay quick to import.

- Line charts (the Graph view; line/scatter plots and histograms of the
  Plots tab): plotext lays out the frame, the ticks and their labels, each
  drawing in its own figure object (never plotext's global one); the lines
  are rasterised here with numpy into braille dots, on plotext's own
  data-to-cell mapping. plotext draws a point in ~7 µs of Python and a noisy
  10-model chart needs thousands: that alone would blow the 100 ms a chart
  may take. Every series is first cut down to the plot's width (first, min,
  max and last point per column, core.downsample).
- Log scale: values are turned into log10 here and the y ticks labelled
  with the original numbers, so plotext only ever lays out a linear axis
  (its own log scale cannot be rebuilt on an existing figure).
- Bars (bar plots, the Summary) and box plots are drawn as rich text:
  horizontal bars with their values written next to them read better in a
  terminal than vertical ones, and cost nothing to draw.
- Without color (plain text output) each line of a chart gets its own marker
  character, named in the legend, so models stay told apart.
"""
from __future__ import annotations

import itertools
import math
import re
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.cells import shorten
from ..core.colors import ModelColors, hex_to_rgb
from ..core.display import display_text
from ..core.downsample import downsample_indices
from ..core.escaping import json_dumps, md_code_block, md_text
from ..core.model import Model, ScalarSummary, SeriesData
from ..core.plotmerge import (
    MergedChart,
    MergedTable,
    PlotGroup,
    PlotPanel,
    SummaryChart,
    merge_plots,
    summary_chart,
)
from ..core.scalars import (
    GraphGroup,
    column_labels,
    config_notes,
    format_number,
    graph_groups,
    json_number,
    value_table_to_markdown,
    value_table_to_rich,
)
from ..core.smoothing import axis_ticks, log_safe, smooth
from ..core.state import ComparisonState, ScalarsView

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from ..sources.base import Source

__all__ = [
    "Bar",
    "BarCluster",
    "BarClusters",
    "BoxPlot",
    "ChartLine",
    "ChartRows",
    "Legend",
    "LegendItem",
    "PlotextChart",
    "ScalarChart",
    "SeriesCache",
    "bar_renderable",
    "box_renderable",
    "chart_buckets",
    "chart_rows",
    "draw_merged_chart",
    "draw_scalar_chart",
    "draw_xy",
    "effective_ema_weight",
    "group_title",
    "legend_entry",
    "legend_lines",
    "load_scalar_chart",
    "merged_table_renderable",
    "model_origins",
    "nice_ticks",
    "panel_renderable",
    "panels_renderable",
    "parse_iteration_range",
    "plot_group_renderable",
    "plot_legend",
    "plots_to_json",
    "render_plots",
    "render_scalar_charts",
    "scalar_chart_renderable",
    "scalar_chart_rows",
    "shade",
    "summary_bars",
    "summary_renderable",
    "to_plain",
    "warm_up",
]

PLAIN_MARKERS = "•x+o*#%@&~=^"
MISSING_STYLE = "dim"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
DEFAULT_CHART_HEIGHT = 14  # headless: one chart of many
SINGLE_CHART_HEIGHT = 22  # headless: `--plot` asked for one chart
MIN_CHART_WIDTH = 20
MIN_CHART_HEIGHT = 5
Y_TICK_ROOM = 9  # columns plotext gives the y tick labels and frame, about


# -- colors --------------------------------------------------------------------------


def shade(color: str, step: int) -> str:
    """The model's color, lighter or darker for its `step`-th series in one
    chart (a model reporting several series: group by metric, or a plot with
    several series), so its series stay apart while keeping its hue."""
    if step == 0:
        return color
    r, g, b = hex_to_rgb(color)
    amount = min(0.6, 0.22 * ((step + 1) // 2))
    if step % 2:  # odd steps lighter, even steps darker
        r, g, b = (int(c + (255 - c) * amount) for c in (r, g, b))
    else:
        r, g, b = (int(c * (1 - amount)) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def plain_marker(index: int) -> str:
    return PLAIN_MARKERS[index % len(PLAIN_MARKERS)]


# -- the data of one line chart --------------------------------------------------------


@dataclass(frozen=True)
class ChartLine:
    """One line (or point cloud) of a chart, in data coordinates."""

    label: str
    x: np.ndarray
    y: np.ndarray
    color: str  # hex
    model_index: int = 0
    kind: str = "line"  # line | scatter


@dataclass(frozen=True)
class LegendItem:
    label: str
    color: str
    marker: str  # the line's marker in plain text
    present: bool = True  # False: the model has no such series (shown dimmed)
    note: str = ""  # e.g. differing config values


@dataclass(frozen=True)
class ScalarChart:
    """One chart of the Graph view, ready to draw at any size: the series as
    fetched (downsampled by the source), on the chosen x axis, smoothed,
    log-transformed when asked."""

    key: str
    title: str
    lines: tuple[ChartLine, ...]
    legend: tuple[LegendItem, ...]
    x_mode: str  # iteration | relative | wall
    log_y: bool
    iter_range: tuple[int, int] | None  # iterations shown (for zoom steps)
    x_range: tuple[float, float] | None  # forced x range (zoomed), else the data's
    total_points: int  # points in range before downsampling, all lines
    buckets: int  # columns the data was fetched for

    @property
    def empty(self) -> bool:
        return not any(np.isfinite(line.y).any() for line in self.lines)


# -- ticks ---------------------------------------------------------------------------


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About `count` round numbers (steps of 1, 2, 2.5 or 5 × 10^k) in
    [lo, hi]; at least two whenever the range is not a single value."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return [lo]
    raw = hi / max(1, count) - lo / max(1, count)  # (hi - lo) / count overflows for -1e308..1e308
    mag = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 0.0
    if not (mag > 0 and math.isfinite(raw)):  # a range a few subnormals wide: its ends
        return [lo, hi]
    steps = [m * mag for m in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10)]
    k = next((i for i, step in enumerate(steps) if step >= raw * (1 - 1e-9)), len(steps) - 1)

    def ticks_with(step: float) -> list[float]:
        first = math.ceil(lo / step - 1e-9) * step
        digits = max(0, 2 - math.floor(math.log10(step)))  # 0.6000000000000001 -> 0.6
        out = []
        j = 0
        while first + j * step <= hi + step * 1e-9 and j < 100:
            value = round(first + j * step, digits)
            out.append(0.0 if abs(value) < step * 1e-9 else value)
            j += 1
        return out

    try:
        ticks = ticks_with(steps[k])
        while len(ticks) < 2 and k > 0:
            k -= 1
            ticks = ticks_with(steps[k])
    except (OverflowError, ValueError):  # lo / step beyond float range: a range tiny next to its values
        return [lo, hi]
    # a range a few floats wide rounds ticks onto each other and past its ends
    slack = (hi * 0.5 - lo * 0.5) * 2e-9
    ticks = [t for t in dict.fromkeys(ticks) if math.isfinite(t) and lo - slack <= t <= hi + slack]
    return ticks if len(ticks) >= 2 else [lo, hi]


def _fraction(value: float, lo: float, hi: float) -> float:
    """(value - lo) / (hi - lo), computed on halves: no difference of two
    finite floats overflows then (1e308 - -1e308 would be inf)."""
    span = hi * 0.5 - lo * 0.5
    if not span > 0:
        return 0.0
    return (value * 0.5 - lo * 0.5) / span


def _widen(lo: float, hi: float, pad: float) -> tuple[float, float]:
    """A range of one value made `pad` wide either side; relative to the value
    where +-pad would be lost in rounding (1e308 + 0.5 == 1e308), and kept
    within float range."""
    if hi > lo:
        return lo, hi
    pad = max(pad, abs(lo) * 2.0**-40)
    if not math.isfinite(hi + pad):
        return lo - 2 * pad, hi
    if not math.isfinite(lo - pad):
        return lo, hi + 2 * pad
    return lo - pad, hi + pad


_SAFE_EXPONENT = 500  # plotext and the rasteriser compute in data units: keep them far from overflow


def _axis_exponent(lo: float, hi: float) -> int:
    """k such that the range times 2**k lies within 2**-500..2**500 in
    magnitude (0 when it does already). Scaling by a power of two is exact, so
    positions keep their order and ratios; ticks are labelled in data units."""
    magnitude = max(abs(lo), abs(hi))
    if magnitude == 0 or 2.0**-_SAFE_EXPONENT <= magnitude <= 2.0**_SAFE_EXPONENT:
        return 0
    return -math.frexp(magnitude)[1]


def _tick_text(value: float) -> str:
    """Short tick label: 0.25, 950, 1200, 12.5k, 3M, 1e-05."""
    if value == 0 or not math.isfinite(value):
        return format_number(value, 3)
    magnitude = abs(value)
    if magnitude >= 1e15:  # past T: "1e+308", not "1e+296T"
        return format_number(value, 3)
    if magnitude >= 1e4:
        for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
            if magnitude >= scale:
                return f"{value / scale:.3g}{suffix}"
    if magnitude >= 1e-3:
        return f"{value:.4g}"
    return format_number(value, 2)


def _log_ticks(lo: float, hi: float, count: int) -> list[tuple[float, str]]:
    """Ticks of a log10 axis given in log units, labelled with the original
    numbers: whole decades when the range spans several, else the 1-2-5
    values inside it, else round values."""
    top = min(hi, _MAX_LOG10)  # 10**309 is beyond float range: no tick there
    if hi - lo >= 2:
        step = max(1, math.ceil((hi - lo) / max(1, count)))
        first = math.ceil(lo)
        return [(float(d), _tick_text(10.0**d)) for d in range(first, math.floor(top) + 1, step)]
    ticks = [
        (math.log10(m * 10.0**d), _tick_text(m * 10.0**d))
        for d in range(math.floor(lo) - 1, min(math.ceil(hi) + 1, 309))
        for m in (1, 2, 5)
        if m * 10.0**d > 0 and math.isfinite(m * 10.0**d) and lo - 1e-12 <= math.log10(m * 10.0**d) <= hi + 1e-12
    ]
    if 2 <= len(ticks) <= count + 2:
        return ticks
    values = nice_ticks(_pow10(lo), _pow10(top), count)
    return [(math.log10(v), _tick_text(v)) for v in values if v > 0]


_MAX_LOG10 = math.log10(1.7976931348623157e308)


def _pow10(exponent: float) -> float:
    """10**exponent, held at the largest float: log10(max float) rounds up, so
    10**_MAX_LOG10 itself overflows."""
    try:
        return 10.0**exponent
    except OverflowError:
        return sys.float_info.max


# -- plotext -------------------------------------------------------------------------


def _figure(width: int, height: int) -> Any:
    from plotext._figure import _figure_class

    fig = _figure_class()
    fig.theme("clear")  # no background: the terminal's or the widget's shows through
    # plotext caps a figure at the terminal's size (80 columns when the output is
    # a pipe): we size every figure ourselves
    fig._limit_size(False, False)
    fig.plotsize(max(MIN_CHART_WIDTH, width), max(MIN_CHART_HEIGHT, height))
    return fig


def _no_data_box(width: int, height: int, text: str) -> str:
    width = max(4, width)
    height = max(3, height)
    inner = width - 2
    lines = ["┌" + "─" * inner + "┐"]
    middle = (height - 2) // 2
    for row in range(height - 2):
        content = text.center(inner)[:inner] if row == middle else " " * inner
        lines.append("│" + content + "│")
    lines.append("└" + "─" * inner + "┘")
    return "\n".join(lines)


def _finite_runs(x: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The stretches of consecutive finite points: a NaN breaks a line instead
    of being drawn."""
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.all():
        return [(x, y)] if x.size else []
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > 1)
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks + 1, idx.size]
    return [(x[idx[s:e]], y[idx[s:e]]) for s, e in zip(starts, ends)]


def _thin(x: np.ndarray, y: np.ndarray, columns: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """At most a few points per plot column: per column the first, min, max and
    last point (sorted x), or an even stride of a large point cloud."""
    if x.size <= 4 * columns:
        return x, y
    if kind == "line" and bool(np.all(np.diff(x) >= 0)):
        keep = downsample_indices(x, y, columns)
        return x[keep], y[keep]
    limit = 16 * columns
    step = int(math.ceil(x.size / limit))
    return x[::step], y[::step]


def _within(x: np.ndarray, y: np.ndarray, x_range: tuple[float, float], kind: str
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points of a run to draw in a zoomed x range, and the y values the
    y axis must show. A line keeps one point beyond each edge (it runs on to
    the frame, where it is clipped) and its y range includes its values at
    the edges; a point cloud keeps the points inside."""
    lo, hi = x_range
    if kind != "line" or x.size < 2 or not bool(np.all(np.diff(x) >= 0)):
        inside = (x >= lo) & (x <= hi)
        return x[inside], y[inside], y[inside]
    start = max(0, int(np.searchsorted(x, lo, side="left")) - 1)
    stop = min(x.size, int(np.searchsorted(x, hi, side="right")) + 1)
    x, y = x[start:stop], y[start:stop]
    if x.size == 0 or x[-1] < lo or x[0] > hi:
        return x[:0], y[:0], y[:0]
    inside = y[(x >= lo) & (x <= hi)]
    edges = np.interp([max(lo, x[0]), min(hi, x[-1])], x, y)
    return x, y, np.concatenate([inside, edges])


# A braille cell is 2 dots wide and 4 high; bit of the dot at (row, column).
_BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint8)
_BRAILLE = np.array([chr(0x2800 + b) for b in range(256)], dtype=object)


def _clip_segments(x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray, xmax: float,
                   ymax: float) -> tuple[np.ndarray, ...]:
    """Liang–Barsky: the parts of segments inside [-0.5, xmax+0.5]×[-0.5, ymax+0.5]
    (segments wholly outside are dropped)."""
    dx, dy = x1 - x0, y1 - y0
    t0 = np.zeros_like(x0)
    t1 = np.ones_like(x0)
    keep = np.ones(x0.shape, dtype=bool)
    for p, q in ((-dx, x0 + 0.5), (dx, xmax + 0.5 - x0), (-dy, y0 + 0.5), (dy, ymax + 0.5 - y0)):
        parallel = p == 0
        keep &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # ±inf is a valid bound
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        entering = (p < 0) & ~parallel
        leaving = (p > 0) & ~parallel
        t0 = np.where(entering, np.maximum(t0, r), t0)
        t1 = np.where(leaving, np.minimum(t1, r), t1)
    keep &= t0 <= t1
    return (x0 + t0 * dx)[keep], (y0 + t0 * dy)[keep], (x0 + t1 * dx)[keep], (y0 + t1 * dy)[keep]


def _line_pixels(fx: np.ndarray, fy: np.ndarray, xmax: int, ymax: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (dot coordinates, y up) of the polyline through (fx, fy), given in
    continuous dot units: each segment sampled at one step per dot."""
    if fx.size == 1:
        px, py = np.floor(fx + 0.5).astype(np.int64), np.floor(fy + 0.5).astype(np.int64)
    else:
        x0, y0, x1, y1 = _clip_segments(fx[:-1], fy[:-1], fx[1:], fy[1:], xmax, ymax)
        if x0.size == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        steps = np.maximum(np.ceil(np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))).astype(np.int64), 1)
        seg = np.repeat(np.arange(steps.size), steps + 1)
        first = np.cumsum(steps + 1) - (steps + 1)
        t = (np.arange(seg.size) - first[seg]) / steps[seg]
        px = np.floor(x0[seg] + t * (x1 - x0)[seg] + 0.5).astype(np.int64)
        py = np.floor(y0[seg] + t * (y1 - y0)[seg] + 0.5).astype(np.int64)
    inside = (px >= 0) & (px <= xmax) & (py >= 0) & (py <= ymax)
    return px[inside], py[inside]


class _Canvas:
    """The plot area: braille dots, and per cell the line drawn last there
    (its color) or a marker character (scatter points, plain text)."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.bits = np.zeros((height, width), dtype=np.uint8)
        self.owner = np.full((height, width), -1, dtype=np.int32)
        self.marker = np.full((height, width), "", dtype=object)

    def dots(self, index: int, px: np.ndarray, py: np.ndarray) -> None:
        row_from_top = (4 * self.height - 1) - py
        r, c = row_from_top // 4, px // 2
        np.bitwise_or.at(self.bits, (r, c), _BRAILLE_BITS[row_from_top % 4, px % 2])
        self.owner[r, c] = index
        self.marker[r, c] = ""

    def cells(self, index: int, px: np.ndarray, py: np.ndarray, char: str) -> None:
        r, c = (4 * self.height - 1 - py) // 4, px // 2
        self.owner[r, c] = index
        self.marker[r, c] = char

    def rows(self) -> list[list[tuple[str, int]]]:
        """Per row, runs of (text, owner index or -1)."""
        empty = (self.bits == 0) & (self.marker == "")
        chars = np.where(self.marker != "", self.marker, _BRAILLE[self.bits])
        chars[empty] = " "
        owner = np.where(empty, -1, self.owner)
        out = []
        for r in range(self.height):
            owners = owner[r]
            cuts = [0, *(np.flatnonzero(owners[1:] != owners[:-1]) + 1).tolist(), self.width]
            row_chars = chars[r]
            out.append([("".join(row_chars[a:b]), int(owners[a])) for a, b in itertools.pairwise(cuts)])
        return out


def _frame(width: int, height: int, xlim: tuple[float, float], ylim: tuple[float, float],
           xt: list[tuple[float, str]], yt: list[tuple[float, str]], x_label: str, y_label: str) -> list[str]:
    """Axes, frame and ticks drawn by plotext (its own figure, no data of
    ours: two blank points make it lay out the axes), as plain lines."""
    fig = _figure(width, height)
    # labels are data (plot files): display text before plotext lays them out
    x_label, y_label = display_text(x_label), display_text(y_label)
    xt = [(p, display_text(t)) for p, t in xt]
    fig.scatter([xlim[0], xlim[1]], [ylim[0], ylim[1]], marker=" ")
    fig.xlim(*xlim)
    fig.ylim(*ylim)
    if xt:
        fig.xticks([p for p, _ in xt], [t for _, t in xt])
    if yt:
        fig.yticks([p for p, _ in yt], [t for _, t in yt])
    if x_label:
        fig.xlabel(x_label)
    if y_label:
        fig.ylabel(y_label)
    return ANSI_ESCAPE.sub("", fig.build()).splitlines()


@dataclass(frozen=True)
class ChartRows:
    """A drawn chart: lines of (text, hex color or None) spans."""

    rows: tuple[tuple[tuple[str, str | None], ...], ...]

    def ansi(self) -> str:
        out = []
        for row in self.rows:
            parts = []
            for text, color in row:
                if color is None:
                    parts.append(text)
                else:
                    r, g, b = hex_to_rgb(color)
                    parts.append(f"\x1b[38;2;{r};{g};{b}m{text}\x1b[0m")
            out.append("".join(parts).rstrip())
        return "\n".join(out)

    def plain(self) -> str:
        return "\n".join("".join(t for t, _ in row).rstrip() for row in self.rows)

    def text(self) -> Any:
        """A rich Text (the widgets draw this: no ANSI round trip)."""
        from rich.text import Text

        text = Text(no_wrap=True, overflow="crop")
        for k, row in enumerate(self.rows):
            if k:
                text.append("\n")
            for part, color in row:
                text.append(part, style=color or "")
        return text


def chart_rows(
    lines: Sequence[ChartLine],
    width: int,
    height: int,
    *,
    color: bool = True,
    x_mode: str = "number",
    x_categories: Sequence[str] = (),
    log_y: bool = False,
    x_range: tuple[float, float] | None = None,
    x_label: str = "",
    y_label: str = "",
    empty_text: str = "no data",
) -> ChartRows:
    """A line/scatter chart, exactly `height` lines of at most `width` cells.

    plotext lays out the frame, the ticks and their labels; the lines are
    rasterised here, with numpy, into braille dots (2×4 per cell), using the
    same data-to-cell mapping as plotext's ticks — plotext draws a point in
    about 7 µs of Python and a noisy 10-model chart has thousands, which alone
    would blow the 100 ms a chart may take. A cell where lines cross takes the
    color of the line drawn last (lines are drawn in comparison order).
    Scatter points are drawn as whole-cell markers so that a few points stay
    visible. Without `color` each line is drawn with its own marker
    character (plain_marker), one per cell.

    `x_mode`: iteration, relative or wall (ticks from core.smoothing.axis_ticks),
    number (round ticks) or category (`x_categories` at positions 0, 1, …)."""
    width = max(MIN_CHART_WIDTH, int(width))
    height = max(MIN_CHART_HEIGHT, int(height))
    columns = max(8, width - Y_TICK_ROOM)
    prepared: list[tuple[int, ChartLine, list[tuple[np.ndarray, np.ndarray]]]] = []
    xs_lo, xs_hi, ys_lo, ys_hi = math.inf, -math.inf, math.inf, -math.inf
    for index, line in enumerate(lines):
        x = np.asarray(line.x, dtype=np.float64)
        y = np.asarray(line.y, dtype=np.float64)
        n = min(x.size, y.size)
        x, y = x[:n], y[:n]
        if log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.log10(log_safe(y))
        runs = []
        for rx, ry in _finite_runs(x, y):
            ys_inside = ry
            if x_range is not None:
                rx, ry, ys_inside = _within(rx, ry, x_range, line.kind)
                if rx.size == 0:
                    continue
            rx, ry = _thin(rx, ry, columns, line.kind)
            runs.append((rx, ry))
            xs_lo, xs_hi = min(xs_lo, float(rx.min())), max(xs_hi, float(rx.max()))
            ys_lo, ys_hi = min(ys_lo, float(ys_inside.min())), max(ys_hi, float(ys_inside.max()))
        prepared.append((index, line, runs))
    if not math.isfinite(ys_lo):
        return ChartRows(tuple(((row, None),) for row in _no_data_box(width, height, empty_text).split("\n")))
    if x_range is not None:
        xs_lo, xs_hi = float(x_range[0]), float(x_range[1])
    xs_lo, xs_hi = _widen(xs_lo, xs_hi, 0.5)
    ys_lo, ys_hi = _widen(ys_lo, ys_hi, abs(ys_lo) * 0.05 or 0.5)
    tick_count = max(2, columns // 14)
    if x_mode in ("iteration", "relative", "wall"):
        xt = [(p, t) for p, t in axis_ticks(xs_lo, xs_hi, x_mode, count=tick_count) if xs_lo <= p <= xs_hi]
    elif x_mode == "category" and x_categories:
        step = max(1, math.ceil(len(x_categories) / max(1, columns // 8)))
        xt = [(float(i), _clip(display_text(x_categories[i]), 10)) for i in range(0, len(x_categories), step)
              if xs_lo <= i <= xs_hi]
    else:
        xt = [(v, _tick_text(v)) for v in nice_ticks(xs_lo, xs_hi, tick_count)]
    y_count = max(3, (height - 3) // 3)
    yt = _log_ticks(ys_lo, ys_hi, y_count) if log_y else [(v, _tick_text(v)) for v in nice_ticks(ys_lo, ys_hi, y_count)]
    yt = [(p, t) for p, t in yt if ys_lo <= p <= ys_hi]
    # plotext and the raster below work on the ranges scaled into a safe magnitude
    kx, ky = _axis_exponent(xs_lo, xs_hi), _axis_exponent(ys_lo, ys_hi)
    xs_lo, xs_hi, ys_lo, ys_hi = (math.ldexp(xs_lo, kx), math.ldexp(xs_hi, kx), math.ldexp(ys_lo, ky),
                                  math.ldexp(ys_hi, ky))
    xt = [(math.ldexp(p, kx), t) for p, t in xt]
    yt = [(math.ldexp(p, ky), t) for p, t in yt]
    frame = _frame(width, height, (xs_lo, xs_hi), (ys_lo, ys_hi), xt, yt, x_label, y_label)
    top = next((i for i, row in enumerate(frame) if "┌" in row), None)
    bottom = next((i for i, row in enumerate(frame) if "└" in row), None)
    if top is None or bottom is None or bottom - top < 2:
        return ChartRows(tuple(((row, None),) for row in frame))
    left, right = frame[top].index("┌"), frame[top].index("┐")
    canvas = _Canvas(right - left - 1, bottom - top - 1)
    xmax, ymax = 2 * canvas.width - 1, 4 * canvas.height - 1
    sx, sy = xmax / (xs_hi - xs_lo), ymax / (ys_hi - ys_lo)
    for index, line, runs in prepared:
        for rx, ry in runs:
            fx, fy = (np.ldexp(rx, kx) - xs_lo) * sx, (np.ldexp(ry, ky) - ys_lo) * sy
            if line.kind == "scatter" or not color:
                if line.kind == "scatter":
                    px, py = np.floor(fx + 0.5).astype(np.int64), np.floor(fy + 0.5).astype(np.int64)
                    ok = (px >= 0) & (px <= xmax) & (py >= 0) & (py <= ymax)
                    px, py = px[ok], py[ok]
                else:
                    px, py = _line_pixels(fx, fy, xmax, ymax)
                canvas.cells(index, px, py, "•" if color else plain_marker(index))
            else:
                px, py = _line_pixels(fx, fy, xmax, ymax)
                canvas.dots(index, px, py)
    colors_of = [line.color if color else None for line in lines]
    rows: list[tuple[tuple[str, str | None], ...]] = []
    canvas_rows = canvas.rows()
    for i, row in enumerate(frame):
        if top < i < bottom:
            row_runs = canvas_rows[i - top - 1]
            spans: list[tuple[str, str | None]] = [(row[: left + 1], None)]
            spans += [(text, colors_of[owner] if owner >= 0 else None) for text, owner in row_runs]
            spans.append((row[right:], None))
            rows.append(tuple(spans))
        else:
            rows.append(((row, None),))
    return ChartRows(tuple(rows))


def draw_xy(lines: Sequence[ChartLine], width: int, height: int, *, color: bool = True, **options: Any) -> str:
    """chart_rows as text: ANSI colored when `color`, else plain."""
    rows = chart_rows(lines, width, height, color=color, **options)
    return rows.ansi() if color else rows.plain()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


class PlotextChart:
    """A rich renderable drawing a chart (a `draw(width, height, color)`
    function giving ANSI text) at the console's width and a fixed height:
    headless output; the app's widgets draw at their own size."""

    def __init__(self, draw: Callable[[int, int, bool], str], height: int, *, color: bool = True) -> None:
        self.draw = draw
        self.height = height
        self.color = color

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        text = self.draw(options.max_width, self.height, self.color).rstrip("\n")
        yield Text.from_ansi(text, no_wrap=True)


# -- the Graph view --------------------------------------------------------------------


X_AXIS_TITLES = {"iteration": "iteration", "relative": "relative time", "wall": "wall time"}
SMOOTHING_TITLES = {"none": "none", "ema": "EMA", "running": "running average", "gaussian": "gaussian"}


def chart_buckets(width: int) -> int:
    """Buckets to ask the source for, for a chart `width` cells wide: one per
    plot column (the source keeps each bucket's first, min, max and last)."""
    return max(16, int(width) - Y_TICK_ROOM)


def model_origins(summaries: Mapping[str, Sequence[ScalarSummary]]) -> dict[str, float | None]:
    """Per model the first timestamp over all its series: the origin of the
    relative-time axis, shared by all of a model's charts."""
    out: dict[str, float | None] = {}
    for model_id, rows in summaries.items():
        known = [s.first_timestamp for s in rows if s.first_timestamp is not None]
        out[model_id] = min(known) if known else None
    return out


def effective_ema_weight(weight: float, total_points: int, shown_points: int) -> float:
    """EMA decay for a downsampled series: each kept point stands for
    total/shown original points, so the decay per kept point is weight**ratio
    — the smoothed line then looks like the full series' smoothed line."""
    if shown_points <= 0 or total_points <= shown_points or weight <= 0:
        return weight
    return min(0.999999, weight ** (total_points / shown_points))


class SeriesCache:
    """Series as fetched for charts, by (model, metric, variant, x axis, zoom,
    buckets): changing the smoothing or the log scale redraws from here
    without asking the source again. Bounded (LRU) and thread-safe: the
    loader fills it from a worker thread."""

    def __init__(self, max_entries: int = 4000) -> None:
        from collections import OrderedDict

        self._data: OrderedDict[tuple[Any, ...], SeriesData] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: tuple[Any, ...]) -> SeriesData | None:
        with self._lock:
            data = self._data.get(key)
            if data is not None:
                self._data.move_to_end(key)
            return data

    def put(self, key: tuple[Any, ...], data: SeriesData) -> None:
        with self._lock:
            self._data[key] = data
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


_RANGE_NUMBER = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgG]?)\s*")
_SUFFIX = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}


def parse_iteration_range(text: str) -> tuple[int, int] | None:
    """An iteration range typed by the user: "1000-5000", "1k-5k", "1.5k–20k",
    "2000:4000". Empty text: None (no zoom). Raises ValueError with a
    one-line reason."""
    text = text.strip()
    if not text:
        return None
    parts = re.split(r"\s*(?:-|–|:|\.\.)\s*", text, maxsplit=1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise ValueError(f"{text!r}: write a range as FROM-TO, e.g. 1000-5000 or 1k-5k")
    bounds = []
    for part in parts:
        m = _RANGE_NUMBER.fullmatch(part)
        if not m:
            raise ValueError(f"{part!r} is not an iteration (e.g. 1500, 1.5k, 2M)")
        bounds.append(int(round(float(m.group(1)) * _SUFFIX[m.group(2).lower()])))
    lo, hi = bounds
    if hi <= lo:
        raise ValueError(f"{text!r}: the end must be after the start")
    return lo, hi


def _fetch(source: Source, model_id: str, metric: str, variant: str, view: ScalarsView, zoom: tuple[int, int] | None,
           buckets: int, cache: SeriesCache | None = None) -> SeriesData:
    key = (model_id, metric, variant, view.x_axis == "iteration", zoom, buckets)
    if cache is not None:
        hit = cache.get(key)
        if hit is not None:
            return hit
    data = _query(source, model_id, metric, variant, view, zoom, buckets)
    if cache is not None:
        cache.put(key, data)
    return data


def _query(source: Source, model_id: str, metric: str, variant: str, view: ScalarsView, zoom: tuple[int, int] | None,
           buckets: int) -> SeriesData:
    if view.x_axis == "iteration" or zoom is None:
        by = "iteration" if view.x_axis == "iteration" else "time"
        start, end = (zoom if zoom is not None else (None, None))
        return source.series(model_id, metric, variant, start=start, end=end, by=by, buckets=buckets)
    data = source.series(model_id, metric, variant, start=zoom[0], end=zoom[1], by="iteration", buckets=buckets)
    if data.iterations.size and not np.isfinite(data.timestamps).any():
        # a long range read from chunk statistics has no timestamps: read by time, keep the zoom's iterations
        full = source.series(model_id, metric, variant, by="time", buckets=buckets)
        inside = (full.iterations >= zoom[0]) & (full.iterations <= zoom[1])
        return SeriesData(metric, variant, full.iterations[inside], full.values[inside], full.timestamps[inside],
                          full.total_points, full.downsampled)
    return data


def load_scalar_chart(
    source: Source,
    group: GraphGroup,
    models: Sequence[Model],
    colors: ModelColors,
    view: ScalarsView,
    *,
    buckets: int,
    origins: Mapping[str, float | None] | None = None,
    zoom: tuple[int, int] | None = None,
    config_notes: Sequence[str] | None = None,
    cache: SeriesCache | None = None,
) -> ScalarChart:
    """One Graph-view chart: each member's series from the source (downsampled
    there to `buckets`), on the view's x axis, smoothed, in model colors.
    `zoom` (an iteration range) narrows the query itself, so a zoomed chart
    shows full detail. `config_notes`: per model, text added to its legend
    entry (the config values that differ)."""
    from ..core.smoothing import x_values

    labels = column_labels(models)
    lines: list[ChartLine] = []
    legend: list[LegendItem] = []
    total = 0
    it_lo, it_hi = math.inf, -math.inf
    steps: dict[int, int] = {}
    for member in group.members:
        model = models[member.model_index]
        data = _fetch(source, member.model_id, member.metric, member.variant, view, zoom, buckets, cache)
        total += data.total_points
        if data.iterations.size:
            it_lo = min(it_lo, float(data.iterations.min()))
            it_hi = max(it_hi, float(data.iterations.max()))
        t0 = (origins or {}).get(member.model_id)
        x = x_values(data, view.x_axis, t0)
        y = np.asarray(data.values, dtype=np.float64)
        if view.smoothing != "none" and view.smoothing_weight > 0:
            weight = view.smoothing_weight
            if view.smoothing == "ema":
                weight = effective_ema_weight(weight, data.total_points, int(y.size))
            y = smooth(y, view.smoothing, weight)
        step = steps.get(member.model_index, 0)
        steps[member.model_index] = step + 1
        line_color = shade(colors[model.id], step)
        note = ""
        if config_notes is not None and step == 0 and member.model_index < len(config_notes):
            note = config_notes[member.model_index]
        lines.append(ChartLine(member.name, x, y, line_color, member.model_index))
        legend.append(LegendItem(member.name, line_color, plain_marker(len(lines) - 1), True, note))
    for index in group.missing:
        legend.append(LegendItem(f"{labels[index]}: no data", colors[models[index].id], " ", False))
    iter_range = (int(it_lo), int(it_hi)) if math.isfinite(it_lo) else None
    x_range = None
    if zoom is not None and view.x_axis == "iteration":
        x_range = (float(zoom[0]), float(zoom[1]))
    return ScalarChart(
        key=group.key,
        title=group.title,
        lines=tuple(lines),
        legend=tuple(legend),
        x_mode=view.x_axis,
        log_y=view.log_y,
        iter_range=iter_range,
        x_range=x_range,
        total_points=total,
        buckets=buckets,
    )


def scalar_chart_rows(chart: ScalarChart, width: int, height: int, color: bool = True) -> ChartRows:
    """One Graph-view chart drawn at width×height."""
    empty = "no points in the zoomed range" if chart.x_range is not None else "no data"
    if chart.log_y and not chart.empty and all(
        not (np.asarray(line.y) > 0).any() for line in chart.lines
    ):
        empty = "no positive values for a log scale"
    return chart_rows(chart.lines, width, height, color=color, x_mode=chart.x_mode, log_y=chart.log_y,
                      x_range=chart.x_range, empty_text=empty)


def draw_scalar_chart(chart: ScalarChart, width: int, height: int, color: bool = True) -> str:
    rows = scalar_chart_rows(chart, width, height, color)
    return rows.ansi() if color else rows.plain()


def warm_up() -> None:
    """Import and exercise the drawing code once (plotext's import and numpy's
    first calls cost ~100 ms): the Scalars body calls this in a worker before
    the first chart is needed."""
    chart_rows([ChartLine("", np.arange(3.0), np.arange(3.0), "#888888")], 40, 10)


def legend_entry(item: LegendItem, *, color: bool = True) -> Any:
    """One legend entry: a colored ● (plain text: the line's marker), the
    label, the note; ○ and dimmed for a model without the data."""
    from rich.text import Text

    entry = Text(no_wrap=True, overflow="ellipsis")
    if color:
        entry.append("● " if item.present else "○ ", style=item.color if item.present else MISSING_STYLE)
    else:
        entry.append((item.marker if item.present else "-") + " ")
    entry.append(display_text(item.label), style="" if item.present else MISSING_STYLE)
    if item.note:
        entry.append(f" ({display_text(item.note)})", style=MISSING_STYLE)
    return entry


def legend_lines(items: Sequence[LegendItem], width: int, max_lines: int = 1000, *, color: bool = True) -> list[Any]:
    """The legend wrapped between entries (never inside one) into at most
    `max_lines` lines of `width` cells; the last line says how many entries
    did not fit."""
    from rich.text import Text

    width = max(10, width)
    lines: list[Any] = []
    current = Text(no_wrap=True, overflow="ellipsis")
    for k, item in enumerate(items):
        entry = legend_entry(item, color=color)
        if current.cell_len and current.cell_len + 2 + entry.cell_len > width:
            lines.append(current)
            current = Text(no_wrap=True, overflow="ellipsis")
            if len(lines) == max_lines:
                more = f"  +{len(items) - k} more"
                last = lines[-1]
                if last.cell_len + len(more) > width:
                    last.truncate(max(0, width - len(more)))
                last.append(more, style=MISSING_STYLE)
                return lines
        if current.cell_len:
            current.append("  ")
        current.append_text(entry)
    if current.cell_len:
        lines.append(current)
    return lines


class Legend:
    """A legend as a rich renderable, wrapped between entries at the console's width."""

    def __init__(self, items: Sequence[LegendItem], *, color: bool = True) -> None:
        self.items = list(items)
        self.color = color

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from legend_lines(self.items, options.max_width, color=self.color)


def legend_text(items: Sequence[LegendItem], *, color: bool = True) -> Legend:
    return Legend(items, color=color)


def chart_subtitle(view: ScalarsView) -> str:
    """The plot controls in force, for titles and the Graph view's bar."""
    parts = [f"x: {X_AXIS_TITLES.get(view.x_axis, view.x_axis)}"]
    if view.smoothing != "none" and view.smoothing_weight > 0:
        parts.append(f"smoothing: {SMOOTHING_TITLES[view.smoothing]} {view.smoothing_weight:.3g}")
    if view.log_y:
        parts.append("log y")
    if view.zoom is not None:
        parts.append(f"zoom: iterations {view.zoom[0]:,}–{view.zoom[1]:,}")
    return " · ".join(parts)


def scalar_chart_renderable(chart: ScalarChart, *, height: int, color: bool = True) -> Any:
    from rich.console import Group
    from rich.text import Text

    title = Text(display_text(chart.title), style="bold" if color else "", no_wrap=True, overflow="ellipsis")
    draw = PlotextChart(lambda w, h, c: draw_scalar_chart(chart, w, h, c), height, color=color)
    return Group(title, draw, legend_text(chart.legend, color=color))


def render_scalar_charts(
    source: Source,
    state: ComparisonState,
    models: list[Model],
    *,
    width: int,
    plot: str | None,
    ansi: bool,
) -> Any:
    """The Graph view headless: every chart (or only `plot`, its key:
    "metric/variant", or "metric" when grouped by metric; or only the
    maximised chart), one below the other at `width`, with the view's x
    axis, smoothing, log scale and (for the maximised chart or `plot`) zoom.
    A plain string without `ansi`, else a rich renderable."""
    from rich.console import Group
    from rich.text import Text

    view = state.scalars
    summaries = source.scalar_summaries([m.id for m in models])
    groups = graph_groups(models, summaries, group_by=view.group_by, metric_filter=view.metric_filter)
    if plot:
        chosen = [g for g in groups if g.key == plot]
        if not chosen:
            from ..render import RenderError

            known = ", ".join(display_text(g.key) for g in groups[:8]) + (", …" if len(groups) > 8 else "")
            raise RenderError(f"render: no chart {plot!r} in the Graph view (charts: {known or 'none'})")
        groups = chosen
    elif view.maximized and any(g.key == view.focused for g in groups):
        # the app shows the maximised chart alone: so does the page it shares
        groups = [g for g in groups if g.key == view.focused]
        plot = view.focused
    colors = ModelColors(m.id for m in models)
    origins = model_origins(summaries)
    height = SINGLE_CHART_HEIGHT if plot else DEFAULT_CHART_HEIGHT
    buckets = chart_buckets(width)
    notes = config_notes(models) if view.config_legend else None
    parts: list[Any] = [Text(f"Scalars · Graph · {chart_subtitle(view)}", style="dim" if ansi else "")]
    for group in groups:
        zoom = view.zoom if (plot or (view.maximized and view.focused == group.key)) else None
        chart = load_scalar_chart(source, group, models, colors, view, buckets=buckets, origins=origins, zoom=zoom,
                                  config_notes=notes)
        parts.append(Text(""))
        parts.append(scalar_chart_renderable(chart, height=height, color=ansi))
    if not groups:
        parts.append(Text("(no scalars" + (f" matching {view.metric_filter!r})" if view.metric_filter else ")")))
    result = Group(*parts)
    if ansi:
        return result
    return to_plain(result, width)


def to_plain(renderable: Any, width: int) -> str:
    from rich.console import Console

    console = Console(width=width, record=True, force_terminal=False, color_system=None,
                      file=open("/dev/null", "w"), legacy_windows=False)  # noqa: SIM115
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text(styles=False).splitlines()) + "\n"


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
                name = _clip(names[ci], name_w) if bi == 0 else ""
                line.append(name.ljust(name_w) + " ", style="bold" if self.color and bi == 0 else "")
                line.append(shorten(bar_labels[id(bar)], label_w, middle=True).ljust(label_w) + " ",
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
        lo, hi = _widen(lo, hi, 0.5)
        label_w = min(max(12, width // 3), max(len(display_text(label)) for label, _, _ in self.rows))
        plot_w = max(10, width - label_w - 2)

        def col(v: float) -> int:
            return min(plot_w - 1, max(0, int(round(_fraction(v, lo, hi) * (plot_w - 1)))))

        out: list[Any] = []
        for label, color, s in self.rows:
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(shorten(display_text(label), label_w, middle=True).ljust(label_w) + "  ",
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
        left, right = _tick_text(lo), _tick_text(hi)
        middle = _tick_text(lo / 2 + hi / 2)
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
        out.append(shade(colors[models[s.model_index].id], step))
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
        return Group(grid, Text(f"… {len(table.rows) - max_rows} more rows", style=MISSING_STYLE))
    return grid


def _heat_style(value: float, lo: float, hi: float, base: str) -> str:
    """Background from near-transparent to the model's color by value."""
    if not math.isfinite(value) or hi <= lo:
        return ""
    t = min(1.0, max(0.0, _fraction(value, lo, hi)))
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
            grid.add_column(Text(_clip(display_text(panel.x_labels[c]), 8)), justify="right", no_wrap=True)
        for r in range(shown_r):
            cells = []
            for c in range(shown_c):
                v = float(matrix[r, c])
                text = format_number(v, 3)
                cells.append(Text(text, style=_heat_style(v, lo, hi, model_color) if color else ""))
            grid.add_row(Text(_clip(display_text(panel.y_labels[r]), 12)), *cells)
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
        parts.append(Text(f"… {len(lines) - MAX_TEXT_LINES} more lines", style=MISSING_STYLE))
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


# -- Plots headless ---------------------------------------------------------------------


def _array(values: np.ndarray | None) -> list[Any]:
    if values is None:
        return []
    return [json_number(float(v)) for v in np.asarray(values, dtype=np.float64).ravel()]


def plots_to_json(groups: Sequence[PlotGroup], summary: SummaryChart, models: Sequence[Model],
                  iteration: int | None) -> dict[str, Any]:
    """The Plots tab's data: the Summary and each merged group (valid JSON:
    non-finite numbers as the strings "nan", "inf", "-inf")."""
    out_groups = []
    for g in groups:
        entry: dict[str, Any] = {
            "metric": g.metric,
            "variant": g.variant,
            "family": g.family,
            "kinds": list(g.kinds),
            "iterations": {models[i].id: it for i, it in g.iterations},
            "missing": [models[i].id for i in g.missing],
            "other_kinds": {models[i].id: k for i, k in g.other_kinds},
            "legend": [{"text": e.text, "model": models[e.model_index].id, "present": e.present} for e in g.legend()],
        }
        if g.chart is not None:
            c = g.chart
            chart: dict[str, Any] = {"family": c.family, "x_label": c.x_label, "y_label": c.y_label, "series": []}
            if c.categories:
                chart["categories"] = list(c.categories)
            if c.x_categories:
                chart["x_categories"] = list(c.x_categories)
            if c.bin_edges is not None:
                chart["bin_edges"] = _array(c.bin_edges)
            for s in c.series:
                item: dict[str, Any] = {"name": s.name, "model": s.model_id, "series": s.series_name,
                                        "iteration": s.iteration, "kind": s.kind}
                if c.family == "box":
                    b = s.box
                    item["box"] = None if b is None else {
                        "count": b.count, "q1": b.q1, "median": b.median, "q3": b.q3,
                        "whisker_low": b.whisker_low, "whisker_high": b.whisker_high,
                        "outliers": list(b.outliers), "mean": b.mean}
                elif c.family == "histogram":
                    item["counts"] = _array(s.y)
                else:
                    item["x"] = _array(s.x)
                    item["y"] = _array(s.y)
                chart["series"].append(item)
            entry["chart"] = chart
        if g.table is not None:
            entry["table"] = {"columns": list(g.table.columns), "rows": [list(r) for r in g.table.rows],
                              "models": [models[i].id for i in g.table.row_models]}
        if g.panels:
            entry["panels"] = [
                {"model": p.model_id, "label": p.label, "iteration": p.iteration, "kind": p.kind,
                 **({"matrix": [_array(r) for r in p.matrix], "x_labels": list(p.x_labels),
                     "y_labels": list(p.y_labels)} if p.matrix is not None else {"text": p.text})}
                for p in g.panels
            ]
        out_groups.append(entry)
    return {
        "tab": "plots",
        "iteration": iteration,
        "models": [{"id": m.id, "name": m.name} for m in models],
        "summary": {
            "names": list(summary.names),
            "values": [[json_number(v) for v in row] for row in summary.values],
        },
        "groups": out_groups,
    }


def _md_block(text: str) -> str:
    return md_code_block(text)


def _md_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    esc = md_text
    lines = ["| " + " | ".join(esc(c) for c in columns) + " |", "|" + "|".join(" --- " for _ in columns) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _plots_markdown(groups: Sequence[PlotGroup], summary: SummaryChart | None, models: Sequence[Model],
                    colors: ModelColors, width: int) -> str:
    parts: list[str] = []
    if summary is not None:
        parts.append("### Summary\n")
        if summary.names:
            parts.append(_md_block(to_plain(summary_bars(summary, models, colors, color=False), width)))
            parts.append(value_table_to_markdown(summary.table, extremes=True))
        else:
            parts.append("(no single values)\n")
    for g in groups:
        parts.append(f"\n### {md_text(group_title(g))}\n")
        if g.table is not None:
            parts.append(_md_table(g.table.columns, g.table.rows))
        elif g.panels:
            for p in g.panels:
                parts.append(f"\n**{md_text(p.label)}** · iteration {p.iteration}\n\n")
                if p.matrix is not None:
                    rows = [[p.y_labels[r], *(format_number(float(v), 4) for v in p.matrix[r])]
                            for r in range(p.matrix.shape[0])]
                    parts.append(_md_table(["", *p.x_labels], rows))
                else:
                    parts.append(_md_block(p.text))
        else:
            parts.append(_md_block(to_plain(plot_group_renderable(g, models, colors, color=False), width)))
        missing = [e.text for e in g.legend() if not e.present]
        if missing and g.chart is None:
            parts.append("\n" + "; ".join(md_text(m) for m in missing) + "\n")
    return "".join(parts) if parts else "(no plots)\n"


def render_plots(
    source: Source,
    state: ComparisonState,
    models: list[Model],
    *,
    fmt: str,
    width: int,
    plot: str | None,
) -> Any:
    """The Plots tab headless. fmt: text (plain), ansi/svg/html (a rich
    renderable for render.py to export), json (the merged data), md. With
    `plot` ("metric/variant") only that metric/variant, without the Summary."""
    from rich.console import Group
    from rich.text import Text

    from ..render import RenderError

    if fmt == "csv":
        raise RenderError("render: --format csv is the scalar table: use --tab scalars")
    view = state.plots
    ids = [m.id for m in models]
    plots = source.plots(ids, view.iteration)
    groups = merge_plots(models, plots, metric_filter=view.metric_filter)
    summary: SummaryChart | None = None
    if plot:
        groups = [g for g in groups if g.key == plot]
        if not groups:
            known = sorted({f"{g.metric}/{g.variant}" for g in merge_plots(models, plots)})
            listed = ", ".join(display_text(k) for k in known[:8]) + (", …" if len(known) > 8 else "")
            raise RenderError(f"render: no plot {plot!r} (plots: {listed or 'none'})")
    else:
        summary = summary_chart(models, source.single_values(ids), metric_filter=view.metric_filter)
    if fmt == "json":
        data = plots_to_json(groups, summary if summary is not None else summary_chart(models, {}), models,
                             view.iteration)
        if summary is None:
            data.pop("summary")
        return json_dumps(data, allow_nan=False) + "\n"
    colors = ModelColors(ids)
    if fmt == "md":
        return _plots_markdown(groups, summary, models, colors, width)
    color = fmt != "text"
    where = "last reported" if view.iteration is None else f"at iteration ≤ {view.iteration}"
    parts: list[Any] = [Text(f"Plots · {where}" + (f" · filter {view.metric_filter!r}" if view.metric_filter else ""),
                             style="dim" if color else "")]
    if summary is not None:
        parts += [Text(""), summary_renderable(summary, models, colors, color=color)]
    for g in groups:
        parts += [Text(""), plot_group_renderable(g, models, colors, color=color,
                                                  height=SINGLE_CHART_HEIGHT if plot else DEFAULT_CHART_HEIGHT)]
    if not groups and not plot:
        parts += [Text(""), Text("(no plots" + (f" matching {view.metric_filter!r})" if view.metric_filter else ")"))]
    result = Group(*parts)
    return result if color else to_plain(result, width)
