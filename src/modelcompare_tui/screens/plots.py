"""The Plots tab: the Summary of single values, then for each metric/variant
every model's last reported plot, merged.

Line, scatter and histogram plots are drawn by plotext into one chart per
metric/variant (series "model · series" in the model's color); bar and box
plots as horizontal bars and boxes on one shared scale; tables merged into
one table with a model column; heatmaps, confusion matrices and texts side
by side, one panel per model (core.plotmerge decides, render/ (raster, plots)
draws — the same code `modelcompare render --tab plots` uses).

Keys: `i` picks the iteration (default: the last reported), `,` `.` step to
the previous / next one, `/` filters by metric name, enter maximises the
focused plot (escape: back), ↑/↓ move between plots.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from ..core.plural import counted
from ..core.colors import ModelColors
from ..core.display import display_text
from ..core.model import Model
from ..core.plotmerge import PlotGroup, SummaryChart, merge_plots, summary_chart
from ..core.state import ComparisonState, PlotsView
from ..dialogs.iteration import IterationDialog
from ..sources.base import Source
from ..widgets.charts import MAX_LEGEND_LINES
from ..widgets.filter_box import MetricFilterBody
from ..widgets.plot_cards import MAX_XY_HEIGHT, MIN_XY_HEIGHT, SUMMARY_KEY, PlotCard, PlotList
from ..widgets.safe_text import shown
from ..widgets.tab_body import EmbedTarget
from .base import CompareScreen



def step_iteration(iterations: list[int], current: int | None, direction: int) -> int | None:
    """The previous (-1) or next (+1) iteration with plots; None = the last
    reported, which is where "next" ends."""
    if not iterations:
        return None
    if current is None:
        index = len(iterations) - 1
    else:
        below = [i for i, it in enumerate(iterations) if it <= current]
        index = below[-1] if below else 0
    index += direction
    if index >= len(iterations) - 1:
        return None
    return iterations[max(0, index)]


class PlotsBody(MetricFilterBody):
    """The Plots tab's body (PlotsScreen builds it)."""

    # debounce delays (s): class attributes, so tests shorten them (Textual timers need a delay > 0)
    FOCUS_POST_DELAY: ClassVar[float] = 0.3  # the focused plot travels in the state once the cursor rests


    HELP_TITLE = "Plots"
    FILTER_ID = "plots-filter"

    BINDINGS = [
        Binding("i", "choose_iteration", "Iteration", tooltip="Show the plots reported at or before an iteration",
                id="plots.choose_iteration"),
        Binding("comma", "step_iteration(-1)", "Earlier", show=False, tooltip="The previous iteration with plots",
                id="plots.earlier_iteration"),
        Binding("full_stop", "step_iteration(1)", "Later", show=False,
                tooltip="The next iteration with plots (after the last: the last reported)",
                id="plots.later_iteration"),
        Binding("slash", "filter", "Filter", tooltip="Filter plots by metric name: a substring, or a glob",
                id="plots.filter"),
        Binding("escape", "restore", "Back", tooltip="Back from the maximised plot to the list", id="plots.restore"),
    ]

    DEFAULT_CSS = """
    PlotsBody { layout: vertical; }
    PlotsBody > #plots-bar { height: 1; padding: 0 1; background: $panel; color: $text; }
    PlotsBody > #plot-max { height: 1fr; display: none; }
    PlotsBody.-maximized > #plot-max { display: block; }
    PlotsBody.-maximized > #plots-list { display: none; }
    """

    def __init__(self, source: Source, state: ComparisonState, models: list[Model], colors: ModelColors,
                 *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(source, state, models, colors, name=name, id=id, classes=classes)
        self._groups: list[PlotGroup] | None = None
        self._summary: SummaryChart | None = None
        self._iterations: list[int] = []
        self._plots_load: Worker[Any] | None = None  # the load wanted (exclusive: a replaced one never lands)
        self._plots_load_is_live = False  # that load is a live refresh: show it only if it brings something new
        self._focus_timer: Any = None
        self._raw: tuple[dict[str, Any], dict[str, Any]] | None = None  # (plots, single values) as loaded
        self._pending_show: tuple[list[PlotGroup], SummaryChart] | None = None  # waiting for a height
        self._queries = source  # what the workers ask (from their threads: the store pools connections)

    @property
    def view(self) -> PlotsView:
        return self.state.plots

    @property
    def maximized(self) -> bool:
        return self.view.maximized and bool(self.view.focused)

    def compose(self) -> ComposeResult:
        yield Static(id="plots-bar")
        yield self.filter_box("plots")
        yield PlotList(id="plots-list")
        yield VerticalScroll(id="plot-max")

    def on_mount(self) -> None:
        self.set_class(self.maximized, "-maximized")
        self._update_bar()
        self._load()

    # -- state ---------------------------------------------------------------------------------
    def request_view(self, **changes: Any) -> None:
        state = replace(self.wanted, plots=replace(self.wanted.plots, **changes))
        self.request_state(state)

    def set_state(self, state: ComparisonState, models: list[Model]) -> None:
        old, old_ids = self.state.plots, [m.id for m in self.models]
        super().set_state(state, models)
        if not self.is_mounted:
            return
        new = state.plots
        self.set_class(self.maximized, "-maximized")
        if [m.id for m in models] != old_ids or old.iteration != new.iteration:
            self._load()
        elif old.metric_filter != new.metric_filter:
            self._remerge()
        if new.focused != old.focused and new.focused != self._key_on_screen() and not self.maximized:
            self._focus_key(new.focused)
        was_maximized = old.maximized and bool(old.focused)
        if was_maximized != self.maximized or (self.maximized and old.focused != new.focused):
            self._show_maximized()
        self._sync_filter_box(new.metric_filter)
        self._update_bar()

    def refresh_data(self) -> None:
        # a live refresh that brings nothing new for this tab (e.g. only scalar points
        # were appended) must not remount every card
        self._load(live=True)

    def embed_target(self) -> EmbedTarget | None:
        focused = self.view.focused
        return EmbedTarget("plots", focused if focused and focused != SUMMARY_KEY else None)

    # -- loading -------------------------------------------------------------------------------
    def _load(self, live: bool = False) -> None:
        ids = [m.id for m in self.models]
        self._plots_load_is_live = live
        self._plots_load = self.run_worker(
            partial(self._fetch, ids, self.view.iteration, self.view.metric_filter, list(self.models)),
            name="plots", group="plots-load", thread=True, exclusive=True, exit_on_error=False)

    def _fetch(self, ids: list[str], iteration: int | None, metric_filter: str,
               models: list[Model]) -> tuple[Any, list[PlotGroup], SummaryChart, list[int]] | None:
        plots = self._queries.plots(ids, iteration)
        iterations = self._queries.plot_iterations(ids)
        single = self._queries.single_values(ids)
        if get_current_worker().is_cancelled:
            return None  # replaced: skip the merge
        groups = merge_plots(models, plots, metric_filter=metric_filter)
        summary = summary_chart(models, single, metric_filter=metric_filter)
        return (plots, single), groups, summary, iterations

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker is self._plots_load and event.state == WorkerState.SUCCESS:
            self._plots_load = None
            if event.worker.result is not None:
                self._loaded(*event.worker.result, live=self._plots_load_is_live)

    def _loaded(self, raw: Any, groups: list[PlotGroup], summary: SummaryChart, iterations: list[int],
                *, live: bool) -> None:
        if live and raw == self._raw and iterations == self._iterations:
            return
        self._raw = raw
        self._iterations = iterations
        self._show(groups, summary)

    def _remerge(self) -> None:
        """The filter changed: merge again from the plots already loaded."""
        if self._raw is None:
            return
        plots, single = self._raw
        metric_filter = self.wanted.plots.metric_filter
        self._show(merge_plots(self.models, plots, metric_filter=metric_filter),
                   summary_chart(self.models, single, metric_filter=metric_filter))

    def on_resize(self, event: events.Resize) -> None:
        pending = self._pending_show
        if pending is not None and event.size.height:
            self._show(*pending)

    def _chart_height(self) -> int:
        height = self.size.height or 24
        return max(MIN_XY_HEIGHT, min(MAX_XY_HEIGHT, height // 2))

    def _show(self, groups: list[PlotGroup], summary: SummaryChart) -> None:
        self._groups, self._summary = groups, summary
        if not self.size.height:
            # not laid out yet: charts are sized from the body's height, so show them
            # on the first resize (see on_resize)
            self._pending_show = (groups, summary)
            return
        self._pending_show = None
        plot_list = self.query_one(PlotList)
        focused_key = self.view.focused
        focused_now = self.screen.focused
        # a card had the focus: the same plot keeps it (its card is rebuilt here)
        card_key = focused_now.key if isinstance(focused_now, PlotCard) else None
        scroll_y = plot_list.scroll_y
        plot_list.remove_children()
        height = self._chart_height()
        cards: list[Widget] = [PlotCard(SUMMARY_KEY, self.models, self.colors, summary=summary)]
        cards += [PlotCard(g.key, self.models, self.colors, group=g, chart_height=height) for g in groups]
        if not groups:
            text = (f"No plot matches {self.view.metric_filter!r} (/ edits the filter)" if self.view.metric_filter
                    else "These models report no plots" + (f" at or before iteration {self.view.iteration:,}"
                                                           if self.view.iteration is not None else ""))
            cards.append(Static(shown(text), classes="plot-list--empty"))  # the filter is data: never markup
        plot_list.mount_all(cards)
        self._update_bar()

        def restore() -> None:
            plot_list.scroll_to(y=scroll_y, animate=False, immediate=True)
            if self.maximized:
                self._show_maximized()
            elif card_key is not None:
                index = next((i for i, c in enumerate(plot_list.cards) if c.key == card_key), 0)
                plot_list.focus_index(index)
            elif focused_key:
                self._focus_key(focused_key)
            elif not isinstance(self.screen.focused, (Input, PlotCard)):
                plot_list.focus_index(0)

        self.call_after_refresh(restore)

    def _focus_key(self, key: str) -> None:
        if isinstance(self.screen.focused, Input):
            return  # typing a filter: the focus stays there
        plot_list = self.query_one(PlotList)
        cards = plot_list.cards
        index = next((i for i, c in enumerate(cards) if c.key == key), None)
        if index is not None:
            plot_list.focus_index(index)

    def _show_maximized(self) -> None:
        host = self.query_one("#plot-max", VerticalScroll)
        host.remove_children()
        if not self.maximized:
            self.call_after_refresh(self._focus_key, self.view.focused)
            return
        key = self.view.focused
        group = next((g for g in self._groups or () if g.key == key), None)
        height = max(MIN_XY_HEIGHT, (self.size.height or 24) - 1 - MAX_LEGEND_LINES - 2)
        if key == SUMMARY_KEY and self._summary is not None:
            card = PlotCard(key, self.models, self.colors, summary=self._summary, classes="plot-max-card")
        elif group is not None:
            card = PlotCard(key, self.models, self.colors, group=group, chart_height=height,
                            legend_max=MAX_LEGEND_LINES, classes="plot-max-card")
        else:
            host.mount(Static(shown(f"No plot {key!r} at this iteration" if self._groups is not None else "loading…"),
                              classes="plot-list--empty"))
            return
        host.mount(card)
        self.call_after_refresh(self._focus_maximized)

    def _focus_maximized(self) -> None:
        """The maximised plot gets the focus, unless a filter is being typed (a
        filter posted while typing rebuilds the plot: the keys typed next are
        the filter's)."""
        if isinstance(self.screen.focused, Input):
            return
        for card in self.query_one("#plot-max", VerticalScroll).query_children(PlotCard):
            card.focus()

    # -- actions -------------------------------------------------------------------------------
    def action_choose_iteration(self) -> None:
        def apply(result: int | bool | None) -> None:
            if result is not False and result != self.wanted.plots.iteration:
                self.request_view(iteration=result)

        if not self._iterations:
            self.notify("These models report no plots", severity="warning")
            return
        self.app.push_screen(IterationDialog(self._iterations, self.wanted.plots.iteration), apply)

    def action_step_iteration(self, direction: int) -> None:
        if not self._iterations:
            return
        current = self.wanted.plots.iteration
        target = step_iteration(self._iterations, current, direction)
        if target != current:
            self.request_view(iteration=target)

    def action_restore(self) -> None:
        self.request_view(maximized=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "restore":
            return self.wanted.plots.maximized and bool(self.wanted.plots.focused)
        return True

    @on(PlotCard.Chosen)
    def _card_chosen(self, event: PlotCard.Chosen) -> None:
        event.stop()
        if event.card.has_class("plot-max-card"):
            self.action_restore()
        else:
            self._cancel_focus_post()
            self.request_view(focused=event.card.key, maximized=True)

    @on(PlotCard.Focused)
    def _card_focused(self, event: PlotCard.Focused) -> None:
        event.stop()
        if event.card.has_class("plot-max-card") or self.wanted.plots.maximized:
            return  # the list is hidden behind the maximised plot: its focus moves mean nothing
        self._cancel_focus_post()
        if event.card.key != self.wanted.plots.focused:
            self._focus_timer = self.set_timer(self.FOCUS_POST_DELAY, partial(self._send_focus, event.card.key))

    def _cancel_focus_post(self) -> None:
        if self._focus_timer is not None:
            self._focus_timer.stop()
            self._focus_timer = None

    def _send_focus(self, key: str) -> None:
        self._focus_timer = None
        # what is on screen when the timer fires: the focus may have moved on since it was
        # set, and the Focused message that would have cancelled it may still be queued
        key = self._key_on_screen() or key
        if key != self.wanted.plots.focused and not self.wanted.plots.maximized:
            self.request_view(focused=key)

    def _key_on_screen(self) -> str | None:
        """The plot the focus is on now."""
        focused = self.screen.focused if self.is_mounted else None
        return focused.key if isinstance(focused, PlotCard) else None

    def commit_pending(self) -> None:
        super().commit_pending()  # the filter box's text
        timer = self._focus_timer
        if timer is not None:
            timer.stop()
            self._focus_timer = None
            key = self._key_on_screen()
            if key:
                self._send_focus(key)

    # -- filter ----------------------------------------------------------------------------------
    def wanted_filter(self) -> str:
        return self.wanted.plots.metric_filter

    def _filter_closed(self) -> None:
        if self.maximized:
            self._focus_maximized()  # not a card of the hidden list
            return
        self.query_one(PlotList).focus_index(0)

    # -- bar -------------------------------------------------------------------------------------
    def _update_bar(self) -> None:
        if not self.is_mounted:
            return
        view = self.view
        text = Text(no_wrap=True, overflow="ellipsis")
        sep = ("  ·  ", "dim")
        text.append("Plots", style="bold")
        if self.maximized:
            text.append(" › " + display_text(view.focused), style="bold")
        text.append(*sep)
        text.append("iteration ", style="dim")
        if view.iteration is None:
            text.append("last reported")
        else:
            text.append(f"≤ {view.iteration:,}")
        if self._iterations:
            text.append(f" (of {len(self._iterations)})", style="dim")
        if self._groups is not None:
            text.append(*sep)
            text.append(counted(len(self._groups), "plot"), style="dim")
        if view.metric_filter:
            text.append(*sep)
            text.append("filter ", style="dim")
            text.append(display_text(view.metric_filter), style="bold")
        self.query_one("#plots-bar", Static).update(text)


class PlotsScreen(CompareScreen):
    TAB = "plots"
    BODY = PlotsBody
