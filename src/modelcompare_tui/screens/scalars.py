"""The Scalars tab: the Values table and the Graph view of the compared models.

Values (`v` switches): one row per metric/variant, one column per model, from
the source's summaries (never from the points); `a` Last/Min/Max, `e` row
extremes, `D` Δ vs base, `/` filter, `d` CSV, enter the exact value.

Graph: one chart per metric/variant (`g`: or per metric), every model merged
in its own color, in a grid sized to the terminal. `x` x axis, `S`
smoothing (`<` `>` its weight), `l` log y, `C` config values in the
legends; enter maximises the focused chart, which `z` zooms to an iteration
range (`i`/`o` zoom in/out, ←/→ pan, `Z` reset).

Every option lives in the comparison state: the body asks for changes with
request_state (the session) and re-renders what changed in `set_state`. Source
queries run in thread workers (exclusive, one group per job, errors reported
by the App); series are downsampled by the source to each chart's width.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Region
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ..core.plural import counted
from ..core.colors import ModelColors
from ..core.display import display_text
from ..core.model import Model, ScalarSummary
from ..core.scalars import (
    AGGREGATIONS,
    GraphGroup,
    ValueTable,
    build_value_table,
    config_notes,
    graph_groups,
)
from ..core.state import ComparisonState, ScalarsView
from ..dialogs.csv_saved import CsvSavedDialog
from ..dialogs.exact_value import ExactValueDialog
from ..dialogs.zoom import ZoomDialog
from ..render.chart_series import (
    SMOOTHING_TITLES,
    X_AXIS_TITLES,
    SeriesCache,
    chart_buckets,
    legend_is_shared,
    load_scalar_chart,
    model_origins,
    warm_up,
)
from ..render.csv import write_csv
from ..render.raster import ScalarChart
from ..render.value_text import AGG_TITLES, value_table_to_csv
from ..sources.base import Source
from ..widgets.charts import MAX_LEGEND_LINES, ChartCard, ChartGrid
from ..widgets.filter_box import MetricFilterBody
from ..widgets.safe_text import shown
from ..widgets.tab_body import EmbedTarget
from ..widgets.value_table import ValueTableView
from .base import CompareScreen

X_AXES = ("iteration", "relative", "wall")
SMOOTHINGS = ("none", "ema", "running", "gaussian")
# `<` `>` step through these; EMA weights are decays, the others window fractions
EMA_WEIGHTS = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
WINDOW_WEIGHTS = (0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
DEFAULT_WEIGHTS = {"ema": 0.6, "running": 0.05, "gaussian": 0.05}
PAN_FRACTION = 0.5


def step_weight(kind: str, weight: float, direction: int) -> float:
    """The next smoothing weight up or down the kind's ladder."""
    ladder = EMA_WEIGHTS if kind == "ema" else WINDOW_WEIGHTS
    if direction > 0:
        return next((w for w in ladder if w > weight + 1e-12), ladder[-1])
    return next((w for w in reversed(ladder) if w < weight - 1e-12), ladder[0])


# -- dialogs -----------------------------------------------------------------------------


# -- the body ----------------------------------------------------------------------------


class ScalarsBody(MetricFilterBody):
    """The Scalars tab's body (ScalarsScreen builds it)."""

    # debounce delays (s): class attributes, so tests shorten them (Textual timers need a delay > 0)
    FOCUS_POST_DELAY: ClassVar[float] = 0.3  # the cursor's row travels in the state once it rests
    DELIVERY_INTERVAL: ClassVar[float] = 0.3  # seconds between hand-overs of loaded charts to the screen
    PREFETCH_DELAY: ClassVar[float] = 0.3  # the next screen of charts loads once the view has rested this long
    WARM_UP_DELAY: ClassVar[float] = 0.5


    HELP_TITLE = "Scalars"
    FILTER_ID = "scalars-filter"

    BINDINGS = [
        Binding("v", "toggle_view", "Values/Graph", tooltip="Switch between the Values table and the Graph view",
                id="scalars.toggle_view"),
        Binding("a", "cycle_agg", "Last/Min/Max", tooltip="Values: show each series' Last, Min or Max",
                id="scalars.cycle_agg"),
        Binding("e", "toggle_extremes", "Extremes", tooltip="Values: mark each row's maximum ▲ and minimum ▼",
                id="scalars.toggle_extremes"),
        Binding("D", "toggle_delta", "Δ base", tooltip="Values: show each value's change against the base model",
                id="scalars.toggle_delta"),
        Binding("d", "download", "CSV", tooltip="Values: save the table as shown as CSV (then copy it or its path)",
                id="scalars.download_csv"),
        Binding("slash", "filter", "Filter", tooltip="Filter metrics by name: a substring, or a glob such as loss*",
                id="scalars.filter"),
        Binding("x", "cycle_x_axis", "X axis", tooltip="Graph: x axis iteration → relative time → wall time",
                id="scalars.cycle_x_axis"),
        Binding("S", "cycle_smoothing", "Smooth", tooltip="Graph: smoothing none → EMA → running average → gaussian",
                id="scalars.cycle_smoothing"),
        Binding("greater_than_sign", "smoothing_weight(1)", "More smoothing", show=False,
                tooltip="Graph: raise the smoothing weight", id="scalars.smoothing_more"),
        Binding("less_than_sign", "smoothing_weight(-1)", "Less smoothing", show=False,
                tooltip="Graph: lower the smoothing weight", id="scalars.smoothing_less"),
        Binding("l", "toggle_log", "Log y", tooltip="Graph: logarithmic y axis", id="scalars.toggle_log"),
        Binding("g", "toggle_group", "Group", show=False,
                tooltip="Graph: one chart per metric/variant, or one per metric with its variants",
                id="scalars.toggle_group"),
        Binding("C", "toggle_config", "Config in legend", show=False,
                tooltip="Graph: show the config values that differ between the models in the legends",
                id="scalars.toggle_config"),
        Binding("z", "zoom_dialog", "Zoom", tooltip="Maximised chart: zoom to an iteration range",
                id="scalars.zoom_dialog"),
        Binding("i", "zoom(0.5)", "Zoom in", show=False, tooltip="Maximised chart: zoom in around the middle",
                id="scalars.zoom_in"),
        Binding("o", "zoom(2)", "Zoom out", show=False, tooltip="Maximised chart: zoom out", id="scalars.zoom_out"),
        Binding("Z", "zoom_reset", "Reset zoom", show=False, tooltip="Maximised chart: show every iteration",
                id="scalars.zoom_reset"),
        Binding("left", "pan(-1)", "Pan left", show=False, tooltip="Zoomed chart: move to earlier iterations",
                id="scalars.pan_left"),
        Binding("right", "pan(1)", "Pan right", show=False, tooltip="Zoomed chart: move to later iterations",
                id="scalars.pan_right"),
        Binding("escape", "restore", "Grid", tooltip="Back from the maximised chart to the grid", id="scalars.restore"),
    ]

    DEFAULT_CSS = """
    ScalarsBody { layout: vertical; }
    ScalarsBody > #scalars-bar { height: 1; padding: 0 1; background: $panel; color: $text; }
    ScalarsBody > #chart-max { height: 1fr; display: none; }
    ScalarsBody > #graph { display: none; }
    """

    def __init__(self, source: Source, state: ComparisonState, models: list[Model], colors: ModelColors,
                 *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(source, state, models, colors, name=name, id=id, classes=classes)
        self._summaries: dict[str, list[ScalarSummary]] | None = None
        self._table: ValueTable | None = None
        self._groups: list[GraphGroup] = []
        self._groups_key: tuple[Any, ...] | None = None
        self._origins: dict[str, float | None] = {}
        self._series_cache = SeriesCache()
        # exclusive: a replaced load never lands
        self._summaries_load: Worker[dict[str, list[ScalarSummary]]] | None = None
        # not a job id (chart workers stream batches and are not exclusive: cards load in
        # parallel): the version of what the charts show (data, x axis, smoothing, …),
        # bumped when it changes, and the version each card was last drawn at, so that
        # a card is re-read only when it is stale and a late batch of an old version is dropped
        self._chart_generation = 0
        self._card_generation: dict[str, int] = {}
        self._queued: set[str] = set()
        self._full_ranges: dict[str, tuple[int, int]] = {}
        self._focus_timer: Any = None
        self._warm = False
        self._prefetch_timer: Any = None
        self._queries = source  # what the workers ask (from their threads: the store pools connections)

    @property
    def view(self) -> ScalarsView:
        return self.state.scalars

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="scalars-bar")
        yield self.filter_box("metrics")
        yield ValueTableView(self.colors, id="values")
        yield ChartGrid(id="graph")
        yield ChartCard("", "", legend_max_lines=MAX_LEGEND_LINES, id="chart-max")

    def on_mount(self) -> None:
        self._apply_view_classes()
        self._apply_legend_mode()
        self._update_bar()
        self._load_summaries()
        self.call_after_refresh(self._focus_view)

    def _apply_view_classes(self) -> None:
        view = self.view
        # each view's widget shown or hidden by itself: a class on the body would
        # restyle every card below it (~80 ms with a hundred charts)
        maximized = view.view == "graph" and view.maximized and bool(view.focused)
        self.query_one("#values").display = view.view == "values"
        self.query_one("#graph").display = view.view == "graph" and not maximized
        self.query_one("#chart-max").display = maximized

    @property
    def maximized(self) -> bool:
        return self.view.view == "graph" and self.view.maximized and bool(self.view.focused)

    # -- state -----------------------------------------------------------------------------
    def request_view(self, **changes: Any) -> None:
        """Ask the App for the state with these Scalars options changed."""
        state = replace(self.wanted, scalars=replace(self.wanted.scalars, **changes))
        self.request_state(state)

    def set_state(self, state: ComparisonState, models: list[Model]) -> None:
        old_state, old_ids = self.state, [m.id for m in self.models]
        super().set_state(state, models)
        if not self.is_mounted:
            return
        if [m.id for m in models] != old_ids:
            # the old table and charts stay until the new summaries arrive;
            # _summaries_loaded rebuilds everything with the new options
            self._apply_view_classes()
            self._update_bar()
            if old_state.scalars.view != state.scalars.view:
                self._focus_view()
            self._reload()
            return
        self._apply(old_state.scalars, state.scalars)

    def _apply(self, old: ScalarsView, new: ScalarsView) -> None:
        table_region = self.query_one(ValueTableView).scrollable_content_region
        self._apply_view_classes()
        self._update_bar()
        table_view = self.query_one(ValueTableView)
        if (old.agg, old.metric_filter) != (new.agg, new.metric_filter):
            self._rebuild_table()
        elif (old.extremes, old.delta) != (new.extremes, new.delta):
            table_view.set_options(extremes=new.extremes, delta=new.delta)
        self._sync_filter_box(new.metric_filter)
        chart_options = (old.x_axis, old.smoothing, old.smoothing_weight, old.log_y, old.config_legend)
        if chart_options != (new.x_axis, new.smoothing, new.smoothing_weight, new.log_y, new.config_legend):
            self._chart_generation += 1
        if (old.group_by, old.config_legend) != (new.group_by, new.config_legend):
            self._apply_legend_mode()
        if (old.group_by, old.metric_filter, old.view) != (new.group_by, new.metric_filter, new.view):
            self._rebuild_grid()
            if old.view == "values" and new.view == "graph" and not self.maximized:
                # start loading at once, at the size the grid will have, not after its first layout
                self._load_first_screen(table_region)
                self.call_after_refresh(self._schedule_prefetch)  # counted from the first paint
        if old.view != new.view:
            self._focus_view()
            if new.view == "values":
                # the Graph view may have focused another chart meanwhile: the
                # cursor goes where the state says, as in a fresh app
                self._show_focused(new.focused)
        moved = new.focused != old.focused and new.focused != self._key_on_screen()
        column_moved = new.view == "values" and new.cursor_column not in (old.cursor_column, table_view.cursor_column)
        if moved or column_moved:
            self._show_focused(new.focused)
        if (old.maximized, old.focused, old.zoom) != (new.maximized, new.focused, new.zoom) or \
                chart_options != (new.x_axis, new.smoothing, new.smoothing_weight, new.log_y, new.config_legend):
            if self.maximized:
                self._prepare_maximized()
            elif old.maximized and new.view == "graph":
                self.call_after_refresh(self._show_focused, new.focused)
        self._request_charts()

    def refresh_data(self) -> None:
        """Live update: reload the summaries and the charts in view, keeping the
        cursor, the scroll position and the focused chart; the old numbers and
        charts stay on screen until the new ones arrive."""
        self._reload()

    def recolor_models(self) -> None:
        """The model colours changed shade (the theme): the charts in view are
        drawn again from the series already fetched (the others when they show)."""
        self.refresh()
        self._chart_generation += 1
        self._request_charts()

    def _reload(self) -> None:
        self._series_cache.clear()
        self._full_ranges.clear()
        self._chart_generation += 1
        self._load_summaries()

    def embed_target(self) -> EmbedTarget | None:
        view = self.view
        if view.view == "graph" and view.focused:
            return EmbedTarget("scalars", view.focused)
        return EmbedTarget("scalars")

    # -- summaries -------------------------------------------------------------------------
    def _load_summaries(self) -> None:
        ids = [m.id for m in self.models]
        self._summaries_load = self.run_worker(partial(self._queries.scalar_summaries, ids), name="scalar summaries",
                                               group="scalars-summaries", thread=True, exclusive=True,
                                               exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker is self._summaries_load and event.state == WorkerState.SUCCESS:
            self._summaries_load = None
            self._summaries_loaded(event.worker.result or {})

    def _summaries_loaded(self, summaries: dict[str, list[ScalarSummary]]) -> None:
        first_load = self._summaries is None
        self._summaries = summaries
        self._origins = model_origins(summaries)
        self._rebuild_table()
        self._groups_key = None  # the grid is rebuilt when the Graph view shows
        self._rebuild_grid()
        if not self._warm:
            self._warm = True
            # after the first paint: the Graph view's first chart should not pay
            # for plotext's import, nor the Values view's paint for the warm-up
            self.set_timer(self.WARM_UP_DELAY, self._start_warm_up)
        self._update_bar()
        if first_load and (self.view.focused or self.view.cursor_column):  # later loads keep the cursor
            self._show_focused(self.view.focused)
        if self.maximized:
            self._prepare_maximized()
        self._request_charts()

    def _start_warm_up(self) -> None:
        self.run_worker(self._warm_up, name="chart warm-up", group="scalars-warm-up", thread=True, exclusive=True,
                        exit_on_error=False)

    def _warm_up(self) -> None:
        warm_up()
        self.app.call_from_thread(self._rebuild_grid, prebuild=True)
        self.app.call_from_thread(self._read_ahead_first_screen)

    def _read_ahead_first_screen(self) -> None:
        """While the Values view shows and the app is idle: load and draw the
        Graph view's first screen of charts in the background, at the size the
        grid will have (it takes the table's place), so that `v` shows them at
        once. Local sources only: an MLflow server would pay requests for a
        view that may never open."""
        if not self.source.local or self.view.view != "values" or not self.is_mounted:
            return
        self._load_first_screen(self.query_one(ValueTableView).scrollable_content_region)

    def _load_first_screen(self, region: Region) -> None:
        """Load the grid's first screen of charts for a viewport `region` the
        grid has not been laid out in yet (it takes the table's place)."""
        grid = self.query_one(ChartGrid)
        if self._summaries is None or not grid.cards or region.width <= 0 or region.height <= 0:
            return
        grid.fit_to(region.width, region.height)
        width, height = grid.card_width(region.width), grid.card_height()
        # the rows the grid will show: from the focused chart's row (see _show_focused)
        shift = grid.top_row_for(self._card_index(self.view.focused) or 0, region.height) * grid.columns
        first = [i + shift for i in grid.visible_range(height=region.height) if i + shift < len(grid.cards)]
        if not first:
            return
        grid.ensure_mounted(first[-1] + 1)
        generation = self._chart_generation
        jobs: list[tuple[ChartCard, GraphGroup, int, int, tuple[int, int] | None]] = []
        for index in first:
            card = grid.cards[index]
            group = self._group(card.key)
            if group is not None and self._card_generation.get(card.key) != generation:
                jobs.append((card, group, width, height, None))
        if not jobs or self._queued:
            return
        self._queued = {card.key for card, *_ in jobs}
        view = self.view
        notes = config_notes(self.models) if view.config_legend else None
        self.run_worker(
            partial(self._fetch_charts, generation, jobs, view, list(self.models), notes),
            name="scalar charts (read ahead)", group="scalars-charts", thread=True, exclusive=True,
            exit_on_error=False,
        )

    def _rebuild_table(self) -> None:
        if self._summaries is None:
            return
        view = self.view
        self._table = build_value_table(self.models, self._summaries, agg=view.agg, metric_filter=view.metric_filter)
        self.query_one(ValueTableView).set_table(self._table, extremes=view.extremes, delta=view.delta)
        self._update_bar()

    # -- Values view actions -------------------------------------------------------------------
    def action_toggle_view(self) -> None:
        self.request_view(view="graph" if self.wanted.scalars.view == "values" else "values")

    def action_cycle_agg(self) -> None:
        agg = self.wanted.scalars.agg
        self.request_view(agg=AGGREGATIONS[(AGGREGATIONS.index(agg) + 1) % len(AGGREGATIONS)])

    def action_toggle_extremes(self) -> None:
        self.request_view(extremes=not self.wanted.scalars.extremes)

    def action_toggle_delta(self) -> None:
        self.request_view(delta=not self.wanted.scalars.delta)

    def action_download(self) -> None:
        table = self._table
        if table is None:
            self.notify("The scalars are still loading", severity="warning")
            return
        try:
            path = write_csv(table)
        except OSError as exc:
            self.notify(f"Could not save the CSV: {exc.strerror or exc}", severity="error")
            return
        self.app.push_screen(CsvSavedDialog(path, value_table_to_csv(table), len(table.rows), table.agg))

    @on(ValueTableView.CellChosen)
    def _cell_chosen(self, event: ValueTableView.CellChosen) -> None:
        event.stop()
        table = self._table
        if table is None or not table.models:
            return
        row, column = event.row, event.column
        model = table.models[column]
        summary = next((s for s in (self._summaries or {}).get(model.id, ())
                        if (s.metric, s.variant) == (row.metric, row.variant)), None)
        color = partial(self.colors.shade, model.id)  # the theme's shade, also after ctrl+t
        self.app.push_screen(ExactValueDialog(row.key, table.labels[column], color, table.agg,
                                              summary, row, column, table.labels[0]))

    @on(ValueTableView.CursorMoved)
    def _cursor_moved(self, event: ValueTableView.CursorMoved) -> None:
        event.stop()
        if event.row is not None:
            self._post_focus(event.row.key)

    # -- filter ------------------------------------------------------------------------------
    def wanted_filter(self) -> str:
        return self.wanted.scalars.metric_filter

    def _filter_typed(self, text: str) -> None:
        # the table follows each keystroke; the state (and the charts) once typing rests
        if self._summaries is not None:
            view = self.view
            self._table = build_value_table(self.models, self._summaries, agg=view.agg, metric_filter=text)
            self.query_one(ValueTableView).set_table(self._table, extremes=view.extremes, delta=view.delta)

    def _filter_reverted(self) -> None:
        self._rebuild_table()  # it followed the keystrokes

    def _filter_closed(self) -> None:
        self._focus_view()

    # -- Graph view ---------------------------------------------------------------------------
    def _rebuild_grid(self, force: bool = False, prebuild: bool = False) -> None:
        """The grid's cards for the current groups: while the Graph view shows,
        or (`prebuild`) once the Values view has painted and the app is idle,
        so that `v` finds them there; never before the Values view's first
        paint, which they would slow down."""
        if self._summaries is None or (self.view.view != "graph" and not prebuild):
            return
        view = self.view
        key = (tuple(m.id for m in self.models), view.group_by, view.metric_filter, id(self._summaries))
        if key == self._groups_key and not force:
            return
        self._groups_key = key
        groups = graph_groups(self.models, self._summaries, group_by=view.group_by, metric_filter=view.metric_filter)
        old_keys = [g.key for g in self._groups]
        self._groups = groups
        self._update_bar()  # its chart count (a filter changed in the Graph view: "1 chart" stayed)
        grid = self.query_one(ChartGrid)
        if [g.key for g in groups] == old_keys and grid.cards:
            for card, group in zip(grid.cards, groups):
                card.set_title(group.title)
            return
        focused_key = view.focused
        self._card_generation.clear()
        self._queued.clear()
        cards = [ChartCard(g.key, g.title, index=i) for i, g in enumerate(groups)]
        for card in cards:
            card.legend_shared = grid.shared_legend
        empty = None
        if not groups:
            total = sum(len(v) for v in self._summaries.values())
            text = (f"No metric matches {view.metric_filter!r} (/ edits the filter)" if view.metric_filter and total
                    else "These models report no scalars")
            empty = Static(shown(text), classes="chart-grid--empty")  # the filter is data: never markup
        grid.set_cards(cards, empty)
        self.call_after_refresh(self._after_grid_built, focused_key)

    def _apply_legend_mode(self) -> None:
        grid = self.query_one(ChartGrid)
        shared = legend_is_shared(self.view)
        grid.shared_legend = shared
        for card in grid.cards:
            card.set_legend_shared(shared)

    def _after_grid_built(self, focused_key: str) -> None:
        if self.view.view == "graph" and not self.maximized:
            self._show_focused(focused_key)
        self._request_charts()

    def _group(self, key: str) -> GraphGroup | None:
        return next((g for g in self._groups if g.key == key), None)

    def _request_charts(self, ahead: bool = False) -> None:
        """Load the charts in view whose data is older than the current
        options, in a worker; cards keep showing their old chart until the new
        one arrives. With `ahead` (once the view has rested) the next screen too."""
        if self._summaries is None or self.view.view != "graph" or not self.is_mounted:
            return
        generation = self._chart_generation
        jobs: list[tuple[ChartCard, GraphGroup, int, int, tuple[int, int] | None]] = []
        if self.maximized:
            card = self.query_one("#chart-max", ChartCard)
            group = self._group(self.view.focused)
            size = card.content_size
            if group is not None and self._card_generation.get("#max") != generation and size.width > 0:
                jobs.append((card, group, size.width, size.height, self.view.zoom))
        else:
            grid = self.query_one(ChartGrid)
            cards = grid.cards
            region = grid.scrollable_content_region
            if not cards or region.width <= 0:
                return
            grid.fit_to(region.width, region.height)  # before its first resize event, too
            width, height = grid.card_width(), grid.card_height()
            visible = list(grid.visible_range(ahead=1 if ahead else 0))
            grid.ensure_mounted(visible[-1] + 1 if visible else 0)
            for index in visible:
                if index >= len(cards):
                    break
                card = cards[index]
                if self._card_generation.get(card.key) == generation or any(j[0] is card for j in jobs):
                    continue
                group = self._group(card.key)
                if group is not None:
                    jobs.append((card, group, width, height, None))
        wanted = {self._job_key(j[0]) for j in jobs}
        if not jobs or wanted <= self._queued:
            return
        self._queued = wanted
        view = self.view
        notes = config_notes(self.models) if view.config_legend else None
        self.run_worker(
            partial(self._fetch_charts, generation, jobs, view, list(self.models), notes),
            name="scalar charts", group="scalars-charts", thread=True, exclusive=True, exit_on_error=False,
        )

    @staticmethod
    def _job_key(card: ChartCard) -> str:
        return "#max" if card.id == "chart-max" else card.key

    def _fetch_charts(self, generation: int, jobs: list[tuple[ChartCard, GraphGroup, int, int, Any]],
                      view: ScalarsView, models: list[Model], notes: list[str] | None) -> None:
        worker = get_current_worker()
        batch: list[tuple[ChartCard, ScalarChart, Any]] = []
        flushed = time.monotonic()
        for card, group, width, height, zoom in jobs:
            if worker.is_cancelled:
                return
            chart = load_scalar_chart(self._queries, group, models, self.colors, view, buckets=chart_buckets(width),
                                      origins=self._origins, zoom=zoom, config_notes=notes,
                                      cache=self._series_cache)
            batch.append((card, chart, card.prepare(chart, width, height)))
            # hand charts over in batches: each hand-over repaints the screen
            if time.monotonic() - flushed >= self.DELIVERY_INTERVAL:
                self.app.call_from_thread(self._charts_loaded, generation, batch)
                batch, flushed = [], time.monotonic()
        self.app.call_from_thread(self._charts_loaded, generation, batch)
        self.app.call_from_thread(self._charts_done, generation)

    def _charts_loaded(self, generation: int, batch: list[tuple[ChartCard, ScalarChart, Any]]) -> None:
        for card, chart, prepared in batch:
            self._chart_loaded(generation, card, chart, prepared, update_bar=False)
        self._update_bar()  # once a batch: the bar is a rich line of its own

    def _chart_loaded(self, generation: int, card: ChartCard, chart: ScalarChart, prepared: Any,
                      update_bar: bool = True) -> None:
        if generation != self._chart_generation or not card.is_attached:
            return
        key = self._job_key(card)
        if key == "#max" and chart.key != self.view.focused:
            return
        self._card_generation[key] = generation
        if chart.x_range is None and chart.iter_range is not None:
            self._full_ranges[chart.key] = chart.iter_range
        card.set_chart(chart, prepared)
        if update_bar:
            self._update_bar()

    def _charts_done(self, generation: int) -> None:
        self._queued = set()
        if generation == self._chart_generation and self.view.view == "graph":
            self._request_charts()  # the view may have moved meanwhile
            self._schedule_prefetch()

    def _schedule_prefetch(self) -> None:
        """The next screen of charts, once the view has rested (not while the
        grid paints its first screen)."""
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        self._prefetch_timer = self.set_timer(self.PREFETCH_DELAY, self._prefetch)

    @on(ChartGrid.ViewChanged)
    def _grid_view_changed(self, event: ChartGrid.ViewChanged) -> None:
        event.stop()
        self._request_charts()

    def _prefetch(self) -> None:
        self._prefetch_timer = None
        if self._queued:  # the screen in view is still loading: after it (_charts_done)
            return
        self._request_charts(ahead=True)

    @on(ChartCard.Focused)
    def _card_focused(self, event: ChartCard.Focused) -> None:
        event.stop()
        if event.card.id != "chart-max" and event.card.key and not self.wanted.scalars.maximized:
            self._post_focus(event.card.key)

    @on(ChartCard.Chosen)
    def _card_chosen(self, event: ChartCard.Chosen) -> None:
        event.stop()
        if event.card.id == "chart-max":
            self.action_restore()
        elif event.card.key:
            self._cancel_focus_post()
            self.request_view(focused=event.card.key, maximized=True, zoom=None)

    def _prepare_maximized(self) -> None:
        card = self.query_one("#chart-max", ChartCard)
        group = self._group(self.view.focused)
        self._card_generation.pop("#max", None)
        if group is None:
            card.set_message("no such chart" if self._summaries is not None else "loading…")
            card.set_title(self.view.focused)
            return
        if card.key != group.key:
            card.key = group.key
            card.set_chart(None)
        card.set_title(group.title)
        card.focus()
        self.call_after_refresh(self._request_charts)

    def action_restore(self) -> None:
        self.request_view(maximized=False, zoom=None)

    def action_cycle_x_axis(self) -> None:
        axis = self.wanted.scalars.x_axis
        self.request_view(x_axis=X_AXES[(X_AXES.index(axis) + 1) % len(X_AXES)])

    def action_cycle_smoothing(self) -> None:
        view = self.wanted.scalars
        kind = SMOOTHINGS[(SMOOTHINGS.index(view.smoothing) + 1) % len(SMOOTHINGS)]
        weight = 0.0 if kind == "none" else DEFAULT_WEIGHTS[kind]
        self.request_view(smoothing=kind, smoothing_weight=weight)

    def action_smoothing_weight(self, direction: int) -> None:
        view = self.wanted.scalars
        kind = view.smoothing
        if kind == "none":
            kind = "ema"
        weight = step_weight(kind, view.smoothing_weight if view.smoothing != "none" else 0.0, direction)
        self.request_view(smoothing=kind if weight > 0 else "none", smoothing_weight=weight)

    def action_toggle_log(self) -> None:
        self.request_view(log_y=not self.wanted.scalars.log_y)

    def action_toggle_group(self) -> None:
        view = self.wanted.scalars
        focused = view.focused.split("/", 1)[0] if view.group_by == "variant" else view.focused
        self.request_view(group_by="metric" if view.group_by == "variant" else "variant", focused=focused,
                          maximized=False, zoom=None)

    def action_toggle_config(self) -> None:
        shown = not self.wanted.scalars.config_legend
        self.request_view(config_legend=shown)
        self.notify("Legends show the config values that differ" if shown else "Legends: names only")

    # -- zoom ---------------------------------------------------------------------------------
    def _current_range(self) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """(the maximised chart's shown range, its full range)."""
        view = self.wanted.scalars
        full = self._full_ranges.get(view.focused)
        card = self.query_one("#chart-max", ChartCard)
        if full is None and card.chart is not None and card.chart.x_range is None:
            full = card.chart.iter_range
        return (view.zoom or full), full

    def action_zoom_dialog(self) -> None:
        _shown, full = self._current_range()

        def apply(result: tuple[int, int] | bool | None) -> None:
            if result is False:
                return
            self.request_view(zoom=result if result else None)

        self.app.push_screen(ZoomDialog(self.wanted.scalars.zoom, full), apply)

    def action_zoom(self, factor: float) -> None:
        shown, full = self._current_range()
        if shown is None:
            return
        lo, hi = shown
        centre = (lo + hi) / 2
        half = max(1.0, (hi - lo) * factor / 2)
        new_lo, new_hi = int(math.floor(centre - half)), int(math.ceil(centre + half))
        if full is not None:
            if new_lo <= full[0] and new_hi >= full[1]:
                self.request_view(zoom=None)
                return
            new_lo, new_hi = self._clamp(new_lo, new_hi, full)
            if (new_lo, new_hi) == full:
                self.request_view(zoom=None)
                return
        if new_hi - new_lo < 2:
            return
        self.request_view(zoom=(new_lo, new_hi))

    @staticmethod
    def _clamp(lo: int, hi: int, full: tuple[int, int]) -> tuple[int, int]:
        span = hi - lo
        if lo < full[0]:
            lo, hi = full[0], full[0] + span
        if hi > full[1]:
            lo, hi = full[1] - span, full[1]
        return max(lo, full[0]), min(hi, full[1])

    def action_pan(self, direction: int) -> None:
        zoom = self.wanted.scalars.zoom
        if zoom is None:
            return
        _, full = self._current_range()
        lo, hi = zoom
        shift = int(round((hi - lo) * PAN_FRACTION)) * direction
        lo, hi = lo + shift, hi + shift
        if full is not None:
            lo, hi = self._clamp(lo, hi, full)
        if (lo, hi) != zoom:
            self.request_view(zoom=(lo, hi))

    def action_zoom_reset(self) -> None:
        self.request_view(zoom=None)

    # -- which actions apply ----------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.wanted.scalars
        graph = view.view == "graph"
        maximized = graph and view.maximized and bool(view.focused)
        if action in ("cycle_agg", "toggle_extremes", "toggle_delta", "download"):
            return not graph
        if action in ("cycle_x_axis", "cycle_smoothing", "smoothing_weight", "toggle_log", "toggle_group",
                      "toggle_config"):
            return graph
        if action in ("zoom_dialog", "zoom", "restore"):
            return maximized
        if action in ("zoom_reset", "pan"):
            return maximized and view.zoom is not None
        return True

    # -- focus ---------------------------------------------------------------------------------
    def _focus_view(self) -> None:
        if self.view.view == "values":
            self.query_one(ValueTableView).focus()
        elif self.maximized:
            self.query_one("#chart-max", ChartCard).focus()
        else:
            self.call_after_refresh(self._show_focused, self.view.focused)

    def _show_focused(self, key: str) -> None:
        """Put the cursor (Values) or the focus (Graph) on `key`, e.g. after a
        state string was opened."""
        if self.query_one("#scalars-filter", Input).has_focus:
            return  # typing a filter: the focus stays there
        if self.view.view == "values":
            self.query_one(ValueTableView).move_to_series(key, self.view.cursor_column)
            return
        if self.maximized:
            return
        grid = self.query_one(ChartGrid)
        if not grid.cards:
            return
        index = self._card_index(key)
        focused = self.screen.focused if self.is_mounted else None
        if index is None:
            if not isinstance(focused, ChartCard):
                grid.focus_index(0)
            return
        grid.focus_index(index, top=True)

    def _card_index(self, key: str) -> int | None:
        """The grid's card for `key`; grouped the other way, "loss" finds
        "loss/train" and "loss/train" finds "loss"."""
        cards = self.query_one(ChartGrid).cards
        index = next((i for i, c in enumerate(cards) if c.key == key), None)
        if index is None and key:
            index = next((i for i, c in enumerate(cards)
                          if c.key.split("/", 1)[0] == key.split("/", 1)[0]), None)
        return index

    def _post_focus(self, key: str) -> None:
        self._cancel_focus_post()
        if key != self.wanted.scalars.focused or self._column_on_screen() != self.wanted.scalars.cursor_column:
            self._focus_timer = self.set_timer(self.FOCUS_POST_DELAY, partial(self._send_focus, key))

    def _cancel_focus_post(self) -> None:
        if self._focus_timer is not None:
            self._focus_timer.stop()
            self._focus_timer = None

    def _send_focus(self, key: str) -> None:
        self._focus_timer = None
        # what is on screen when the timer fires: the focus may have moved on since it was
        # set, and the Focused message that would have cancelled it may still be queued
        key = self._key_on_screen() or key
        view = self.wanted.scalars
        if view.view == "graph" and view.maximized:
            return
        changes: dict[str, Any] = {"focused": key} if key != view.focused else {}
        column = self._column_on_screen()
        if column != view.cursor_column:
            changes["cursor_column"] = column
        if changes:
            self.request_view(**changes)

    def _column_on_screen(self) -> int:
        """The Values table's cursor column (in the Graph view: the state's)."""
        if not self.is_mounted or self.view.view != "values":
            return self.wanted.scalars.cursor_column
        return self.query_one(ValueTableView).cursor_column

    def _key_on_screen(self) -> str | None:
        """The series the cursor (Values) or the focus (Graph) is on now."""
        if not self.is_mounted:
            return None
        if self.view.view == "values":
            row = self.query_one(ValueTableView).current_row
            return row.key if row is not None else None
        focused = self.screen.focused
        return focused.key if isinstance(focused, ChartCard) else None

    def commit_pending(self) -> None:
        super().commit_pending()  # the filter box's text
        timer = self._focus_timer
        if timer is not None:
            timer.stop()
            self._focus_timer = None
            key = self._key_on_screen()
            if key:
                self._send_focus(key)

    # -- the options bar ---------------------------------------------------------------------
    def _update_bar(self) -> None:
        if not self.is_mounted:
            return
        self.query_one("#scalars-bar", Static).update(self._bar_text())

    def _bar_text(self) -> Text:
        """One line: the view, its options in force, the filter first (it
        hides rows, so it must not be cut off on a narrow terminal)."""
        view = self.view
        text = Text(no_wrap=True, overflow="ellipsis")
        sep = ("  ·  ", "dim")

        def option(name: str, value: str, on: bool = False) -> None:
            text.append(*sep)
            text.append(name + " ", style="dim")
            text.append(display_text(value), style="bold" if on else "")

        if view.view == "values":
            text.append("Values", style="bold")
            text.append("  ")
            for agg in AGGREGATIONS:
                text.append(f" {AGG_TITLES[agg]} ", style="reverse bold" if agg == view.agg else "dim")
            if view.metric_filter:
                option("filter", view.metric_filter, True)
            if self._table is not None:
                t = self._table
                text.append(*sep)
                text.append(f"{len(t.rows)}/{t.total_rows} rows" if t.metric_filter else f"{len(t.rows)} rows",
                            style="dim")
            option("extremes", "on" if view.extremes else "off", view.extremes)
            option("Δ base", "on" if view.delta else "off", view.delta)
            return text
        text.append("Graph", style="bold")
        if self.maximized:
            text.append(" › " + display_text(view.focused), style="bold")
        if view.metric_filter:
            option("filter", view.metric_filter, True)
        option("x", X_AXIS_TITLES[view.x_axis])
        smoothing = view.smoothing != "none" and view.smoothing_weight > 0
        option("smooth", f"{SMOOTHING_TITLES[view.smoothing]} {view.smoothing_weight:g}" if smoothing else "off",
               smoothing)
        option("log", "on" if view.log_y else "off", view.log_y)
        if self.maximized:
            option("zoom", f"{view.zoom[0]:,}–{view.zoom[1]:,}" if view.zoom else "all", view.zoom is not None)
        else:
            option("per", "metric+variant" if view.group_by == "variant" else "metric")
            if self._summaries is not None:
                text.append(*sep)
                text.append(counted(len(self._groups), "chart"), style="dim")
        if view.config_legend:
            text.append(*sep)
            text.append("config in legend", style="dim")
        return text


class ScalarsScreen(CompareScreen):
    TAB = "scalars"
    BODY = ScalarsBody
