"""Headless chart rasteriser: ticks, axes and braille line drawing.

plotext lays out the frame, the ticks and their labels, each drawing in
its own figure object (never plotext's global one); the lines are rasterised
here with numpy into braille dots on plotext's own data-to-cell mapping
(plotext draws a point in ~7 µs of Python: far too slow for noisy
10-model charts). Every series is first cut down to the plot's width
(core.downsample). Log scale: values become log10 here and the y ticks are
labelled with the original numbers, so plotext only lays out a linear axis.
Without color each line gets its own marker character, named in the legend.
Only plotext, rich and numpy, never Textual.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.colors import hex_to_rgb
from ..core.display import display_text
from ..core.downsample import downsample_indices
from ..core.smoothing import axis_ticks, format_duration, format_wall_time, log_safe
from .ticks import axis_exponent, log_ticks, nice_ticks, tick_text, widen_range, with_end_ticks

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


__all__ = [
    "ChartLine",
    "ChartRows",
    "LegendItem",
    "PlotextChart",
    "ScalarChart",
    "chart_rows",
    "draw_xy",
    "shade",
]

# one character per line of a plain-text chart, named in the legend: 24 apart, so
# that 20+ series (a PR curve per class, 20 models) never share one
PLAIN_MARKERS = "•x+o*#%@&~=^$?<>!AHMVWZN"
MISSING_STYLE = "dim"
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
DEFAULT_CHART_HEIGHT = 14  # headless: one chart of many
SINGLE_CHART_HEIGHT = 22  # headless: `--plot` asked for one chart
MIN_CHART_WIDTH = 20
MIN_CHART_HEIGHT = 5
Y_TICK_ROOM = 9  # columns plotext gives the y tick labels and frame, about


# -- colors --------------------------------------------------------------------------


def shade(color: str, step: int, dark: bool = True) -> str:
    """The model's color, lighter or darker for its `step`-th series in one
    chart (a model reporting several series: group by metric, or a plot with
    several series), so its series stay apart while keeping its hue. The
    first shade goes away from the theme's background (`dark`: lighter; in
    the light theme darker), so a model's second series keeps its contrast."""
    if step == 0:
        return color
    r, g, b = hex_to_rgb(color)
    amount = min(0.6, 0.22 * ((step + 1) // 2))
    if bool(step % 2) == dark:  # dark theme: odd steps lighter, even darker; light: the other way
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
    x_spread, y_spread = xs_hi > xs_lo, ys_hi > ys_lo  # more than one value: the ends are the data's
    xs_lo, xs_hi = widen_range(xs_lo, xs_hi, 0.5)
    ys_lo, ys_hi = widen_range(ys_lo, ys_hi, abs(ys_lo) * 0.05 or 0.5)
    tick_count = max(2, columns // 14)
    if x_mode in ("iteration", "relative", "wall"):
        xt = [(p, t) for p, t in axis_ticks(xs_lo, xs_hi, x_mode, count=tick_count) if xs_lo <= p <= xs_hi]
    elif x_mode == "category" and x_categories:
        step = max(1, math.ceil(len(x_categories) / max(1, columns // 8)))
        xt = [(float(i), clip_cells(display_text(x_categories[i]), 10)) for i in range(0, len(x_categories), step)
              if xs_lo <= i <= xs_hi]
    else:
        xt = [(v, tick_text(v)) for v in nice_ticks(xs_lo, xs_hi, tick_count)]
    if x_spread and x_mode != "category":
        xt = with_end_ticks(xt, xs_lo, xs_hi, _end_label(x_mode, xs_hi - xs_lo), columns, 2, centred=True)
    y_count = max(3, (height - 3) // 3)
    yt = log_ticks(ys_lo, ys_hi, y_count) if log_y else [(v, tick_text(v)) for v in nice_ticks(ys_lo, ys_hi, y_count)]
    yt = [(p, t) for p, t in yt if ys_lo <= p <= ys_hi]
    if y_spread:
        y_label_of = _log_label if log_y else tick_text
        yt = with_end_ticks(yt, ys_lo, ys_hi, y_label_of, height - 3, 2 if height >= 12 else 1, centred=False)
    # plotext and the raster below work on the ranges scaled into a safe magnitude
    kx, ky = axis_exponent(xs_lo, xs_hi), axis_exponent(ys_lo, ys_hi)
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


def _end_label(x_mode: str, span: float) -> Callable[[float], str]:
    """The label of an x axis's end: as exact as a short label allows (the
    round ticks between may say 500 and 1k; the end says 1234)."""
    if x_mode == "iteration":
        return end_iteration_text
    if x_mode == "relative":
        return format_duration
    if x_mode == "wall":
        return lambda epoch: format_wall_time(epoch, span)
    return tick_text


def end_iteration_text(value: float) -> str:
    """An iteration at an axis end: 1234 whole, 12.35k, 1.235M."""
    if not math.isfinite(value):
        return ""
    if abs(value) < 1e4:
        return str(int(round(value)))
    return tick_text(value) if abs(value) >= 1e15 else next(
        f"{value / scale:.4g}{suffix}" for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""))
        if abs(value) >= scale)


def _log_label(exponent: float) -> str:
    """A log axis's tick at `exponent` (log10 units), in the original numbers."""
    return tick_text(10.0 ** min(exponent, 308.0))


def draw_xy(lines: Sequence[ChartLine], width: int, height: int, *, color: bool = True, **options: Any) -> str:
    """chart_rows as text: ANSI colored when `color`, else plain."""
    rows = chart_rows(lines, width, height, color=color, **options)
    return rows.ansi() if color else rows.plain()


def clip_cells(text: str, width: int) -> str:
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


