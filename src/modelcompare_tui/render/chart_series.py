"""Series loading and drawing for the Scalars Graph view, headless.

The app's chart widgets (widgets/charts.py) and `modelcompare render` load
and draw with these same functions, so a rendered chart is the chart the app
shows. Never Textual: `render` must stay quick to import.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.colors import ModelColors
from ..core.display import display_text
from ..core.labels import model_labels
from ..core.model import Model, ScalarSummary, SeriesData
from ..core.scalars import (
    GraphGroup,
    config_notes,
    graph_groups,
)
from ..core.smoothing import smooth
from ..core.state import ComparisonState, ScalarsView

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from ..sources.base import Source

from .raster import (
    DEFAULT_CHART_HEIGHT,
    MISSING_STYLE,
    SINGLE_CHART_HEIGHT,
    Y_TICK_ROOM,
    ChartLine,
    ChartRows,
    LegendItem,
    PlotextChart,
    ScalarChart,
    chart_rows,
    plain_marker,
    shade,
)

__all__ = [
    "Legend",
    "SeriesCache",
    "chart_buckets",
    "draw_scalar_chart",
    "effective_ema_weight",
    "legend_entry",
    "legend_lines",
    "load_scalar_chart",
    "model_origins",
    "parse_iteration_range",
    "render_scalar_charts",
    "scalar_chart_renderable",
    "scalar_chart_rows",
    "to_plain",
    "warm_up",
]

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

    labels = model_labels(models)
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
        line_color = shade(colors[model.id], step, colors.dark)
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


def scalar_chart_renderable(chart: ScalarChart, *, height: int, color: bool = True,
                            legend: Sequence[LegendItem] | None = None) -> Any:
    """Title, chart and legend (`legend`: these entries, not the chart's own)."""
    from rich.console import Group
    from rich.text import Text

    title = Text(display_text(chart.title), style="bold" if color else "", no_wrap=True, overflow="ellipsis")
    draw = PlotextChart(lambda w, h, c: draw_scalar_chart(chart, w, h, c), height, color=color)
    items = chart.legend if legend is None else legend
    return Group(title, draw, *([legend_text(items, color=color)] if items else []))


def legend_is_shared(view: ScalarsView) -> bool:
    """One legend for all charts (the app's model bar, the page's top line) when each
    chart holds one line per model and its legend would say nothing more: grouped
    by metric a chart holds each model's variants and its legend names them; with
    the config in the legend each entry carries its model's values."""
    return view.group_by == "variant" and not view.config_legend


def shared_legend(models: Sequence[Model], colors: ModelColors) -> tuple[LegendItem, ...]:
    """One legend for every chart that holds one line per model, all present:
    each model's label, colour and (plain text) marker, as those charts draw them."""
    return tuple(LegendItem(label, colors[model.id], plain_marker(k), True)
                 for k, (model, label) in enumerate(zip(models, model_labels(models))))


def own_legend(chart: ScalarChart, *, color: bool) -> tuple[LegendItem, ...]:
    """What a chart's legend adds to the shared one: the models without its
    series. Without colour a chart with a model missing names every line: its
    markers follow the lines it draws, no longer the models' order."""
    missing = tuple(item for item in chart.legend if not item.present)
    return chart.legend if missing and not color else missing


def render_scalar_charts(
    source: Source,
    state: ComparisonState,
    models: list[Model],
    *,
    width: int,
    plot: str | None,
    ansi: bool,
    dark: bool = True,
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
            from .views import RenderError

            known = ", ".join(display_text(g.key) for g in groups[:8]) + (", …" if len(groups) > 8 else "")
            raise RenderError(f"render: no chart {plot!r} in the Graph view (charts: {known or 'none'})")
        groups = chosen
    elif view.maximized and any(g.key == view.focused for g in groups):
        # the app shows the maximised chart alone: so does the page it shares
        groups = [g for g in groups if g.key == view.focused]
        plot = view.focused
    colors = ModelColors((m.id for m in models), dark=dark)
    origins = model_origins(summaries)
    height = SINGLE_CHART_HEIGHT if plot else DEFAULT_CHART_HEIGHT
    buckets = chart_buckets(width)
    notes = config_notes(models) if view.config_legend else None
    parts: list[Any] = [Text(f"Scalars · Graph · {chart_subtitle(view)}", style="dim" if ansi else "")]
    # as in the app (whose model bar names the models once): one legend above charts
    # of one line per model, each chart naming only the models it lacks
    shared = legend_is_shared(view) and len(groups) > 1
    if shared:
        parts.append(legend_text(shared_legend(models, colors), color=ansi))
    for group in groups:
        zoom = view.zoom if (plot or (view.maximized and view.focused == group.key)) else None
        chart = load_scalar_chart(source, group, models, colors, view, buckets=buckets, origins=origins, zoom=zoom,
                                  config_notes=notes)
        parts.append(Text(""))
        legend = own_legend(chart, color=ansi) if shared else None
        parts.append(scalar_chart_renderable(chart, height=height, color=ansi, legend=legend))
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

