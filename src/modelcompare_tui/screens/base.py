"""The comparison screens' base: the tab bar, the compared-models bar, and the tab's body.

One Screen class per tab (screens/details.py, network.py, scalars.py, plots.py;
the App's MODES), all showing the App's one ComparisonState. Each screen module
is imported when its tab first opens (screens.tabs.screen_class), so the start
screen does not pay for plotext and the charts.

Live updates: when compared models change in the source, the Scalars or
Plots body on show reloads at once (`refresh_data`); a hidden one when its tab
is shown again, so a busy writer costs one tab's reloads, not four. Details
and Network follow the models' descriptive fields, which the App hands to
every body with `set_state` when they change; new points leave them alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.screen import Screen
from ..widgets.footer import AppFooter

from ..core.tabs import TAB_TITLES
from ..live import LiveStatus
from ..sources.base import Source
from ..widgets.model_bar import ModelBar, TabBar
from ..widgets.tab_body import TabBody
from .live_indicator import LiveIndicator

if TYPE_CHECKING:
    from ..app import ComparisonUpdate, LiveUpdate, ModelCompareApp

BodyFactory = Callable[..., TabBody]
DESCRIPTIVE_TABS = ("details", "network")  # tabs that show only the models' descriptive fields


class CompareScreen(Screen[None]):
    """The base of the four comparison screens (screens/details.py, network.py,
    scalars.py, plots.py): the shared chrome (tab bar, compared-models bar, live
    indicator, footer) and the tab's body under it, built from `BODY` once the
    compared models are loaded. Each subclass names its TAB and BODY."""

    TAB: ClassVar[str]
    BODY: ClassVar[BodyFactory]  # (source, state, models, colors, id=…) -> the tab's body

    HELP_TITLE = "Comparison"
    DEFAULT_CSS = """
    CompareScreen #model-row { height: 1; }
    CompareScreen #model-row ModelBar { width: 1fr; }
    """
    BINDINGS = [
        Binding("1", "app.show_tab('details')", "Details", show=False, tooltip="Details tab", id="compare.tab_details"),
        Binding("2", "app.show_tab('network')", "Network", show=False, tooltip="Network tab", id="compare.tab_network"),
        Binding("3", "app.show_tab('scalars')", "Scalars", show=False, tooltip="Scalars tab", id="compare.tab_scalars"),
        Binding("4", "app.show_tab('plots')", "Plots", show=False, tooltip="Plots tab", id="compare.tab_plots"),
        Binding("m", "models_list", "Models", tooltip="The compared models: remove, reorder, make base",
                id="compare.models_list"),
        Binding("plus", "add_models", "Add", tooltip="Add or remove models in a selection dialog",
                id="compare.add_models"),
        Binding("y", "app.copy_state", "Copy state", tooltip="Copy this comparison's state string",
                id="compare.copy_state"),
        Binding("p", "app.paste_state", "Paste state", show=False, tooltip="Open a pasted state string",
                id="compare.paste_state"),
        Binding("E", "app.embed", "Embed", show=False,
                tooltip="Copy a `modelcompare render` command that reproduces the focused chart, plot or table",
                id="compare.embed"),
        Binding("escape", "app.show_models", "Table", tooltip="Back to the models table", id="compare.show_models"),
    ]

    def __init__(self) -> None:
        super().__init__(id=f"compare-{self.TAB}", classes="compare-screen")
        self.tab = self.TAB
        self.body: TabBody | None = None
        self._stale: set[str] = set()  # compared models changed while this tab was hidden

    @property
    def mc_app(self) -> ModelCompareApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        bar = TabBar(id="tab-bar")
        bar.show_tab(self.tab)
        yield bar
        with Horizontal(id="model-row"):
            yield ModelBar(id="model-bar")
            yield LiveIndicator(id="live-indicator")
        yield Container(id="body-host")
        yield AppFooter()

    def on_mount(self) -> None:
        app = self.mc_app
        self.title = f"modelcompare — {TAB_TITLES[self.tab]}"
        app.comparison_changed.subscribe(self, self._on_comparison)
        app.source_changed.subscribe(self, self._on_source_change)
        app.source_switched.subscribe(self, self._on_source_switched)
        app.live_changed.subscribe(self, self._on_live)
        self._on_live(app.live_status)
        self._on_comparison(app.current_update())

    # -- the comparison -------------------------------------------------------------
    def _on_comparison(self, update: ComparisonUpdate) -> None:
        host = self.query_one("#body-host")
        self.query_one(ModelBar).show_models(update.state.models, update.models, self.mc_app.colors, update.loading)
        host.loading = update.loading and self.body is None
        if update.loading or not update.models:
            return
        if self.body is None:
            self.body = type(self).BODY(self.mc_app.source, update.state, list(update.models),
                                             self.mc_app.colors, id=f"body-{self.tab}")
            host.mount(self.body)
            self.call_after_refresh(self._focus_body)
        else:
            self.body.set_state(update.state, list(update.models))

    # -- live updates -------------------------------------------------------------------
    def _on_live(self, status: LiveStatus) -> None:
        self.query_one(LiveIndicator).show_status(status, self.mc_app.source.uri)

    def _on_source_change(self, live: LiveUpdate) -> None:
        if self.tab in DESCRIPTIVE_TABS:
            # Details and Network show the models' descriptive fields only: when those
            # change, the new Model objects arrive through set_state; new points or
            # plots leave these tabs as they are
            return
        changed = set(self.mc_app.comparison.models).intersection(live.change.changed)
        if not changed:
            return
        self._stale |= changed
        if self in self.app.screen_stack:  # on show (perhaps under a dialog)
            self._refresh_stale()

    def on_screen_resume(self) -> None:
        if self._stale:
            self._refresh_stale()

    def _refresh_stale(self) -> None:
        body = self.body
        if body is None or not body.is_mounted:
            self._stale.clear()  # a body built later loads fresh data anyway
            return
        shown = {m.id for m in body.models}
        if self._stale & shown:
            body.refresh_data()
        self._stale.clear()

    def _on_source_switched(self, source: Source) -> None:
        """The app reads another source now: the body loaded from the old one goes;
        the next comparison builds a new one."""
        self._stale.clear()
        if self.body is not None:
            self.body.remove()
            self.body = None

    def _focus_body(self) -> None:
        if self.body is None or self.focused is not None:
            return
        if self.body.focusable:
            self.body.focus()
            return
        for widget in self.body.query("*"):
            if widget.focusable:
                widget.focus()
                return

    # -- actions ----------------------------------------------------------------------
    def action_models_list(self) -> None:
        from ..dialogs.models_list import ModelsListDialog

        self.app.push_screen(ModelsListDialog())

    def action_add_models(self) -> None:
        self.mc_app.action_add_models()
