"""The start screen: the models table with search, filters, multi-select and
the batch action bar (count + COMPARE). The table reloads when the source
changes (live updates), at once when on show, else when shown again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from ..core.display import display_markup
from ..core.table_query import has_constraints, selection_problem
from ..dialogs.column_filter import open_filter_dialog
from ..live import LiveStatus
from ..widgets.footer import AppFooter
from ..sources.base import Source
from ..widgets.click_bar import ClickBar, Part
from ..widgets.model_browser import ModelBrowser
from ..widgets.model_table import ModelTable
from .live_indicator import LiveIndicator

if TYPE_CHECKING:
    from ..app import ComparisonUpdate, LiveUpdate, ModelCompareApp


class ModelsScreen(Screen[None]):
    HELP_TITLE = "Models"
    AUTO_FOCUS = "ModelTable"  # not the search bar: one focus change (one footer rebuild) at start
    BINDINGS = [
        Binding("slash", "search", "Search", tooltip="Search names, tags and projects as you type", id="models.search"),
        Binding("c", "compare", "Compare", tooltip="Compare the selected models", id="models.compare"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="models.clear_selection"),
        Binding("1", "show_tab('details')", "Details", show=False, tooltip="Back to the comparison: Details",
                id="models.tab_details"),
        Binding("2", "show_tab('network')", "Network", show=False, tooltip="Back to the comparison: Network",
                id="models.tab_network"),
        Binding("3", "show_tab('scalars')", "Scalars", show=False, tooltip="Back to the comparison: Scalars",
                id="models.tab_scalars"),
        Binding("4", "show_tab('plots')", "Plots", show=False, tooltip="Back to the comparison: Plots",
                id="models.tab_plots"),
        Binding("p", "app.paste_state", "Paste state", show=False, tooltip="Open a pasted state string",
                id="models.paste_state"),
    ]

    DEFAULT_CSS = """
    ModelsScreen #title-row { height: 1; }
    ModelsScreen #title-row LiveIndicator { background: $panel; }
    """

    def __init__(self) -> None:
        super().__init__(id="models-screen")
        self._stale = False  # the source changed while another screen was on show

    @property
    def mc_app(self) -> ModelCompareApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        app = self.mc_app
        with Horizontal(id="title-row"):
            yield Static(self._title_text(None), id="title-bar")
            yield LiveIndicator(id="live-indicator")
        yield ModelBrowser(app.source, colors=app.colors, compared=app.comparison.models, id="browser")
        batch = ClickBar(id="batch-bar")
        batch.display = False
        yield batch
        yield AppFooter()

    def on_mount(self) -> None:
        app = self.mc_app
        app.comparison_changed.subscribe(self, self._on_comparison)
        app.source_changed.subscribe(self, self._on_source_change)
        app.source_switched.subscribe(self, self._on_source_switched)
        app.live_changed.subscribe(self, self._on_live)
        self._on_live(app.live_status)

    # -- live updates -------------------------------------------------------------------
    def _on_live(self, status: LiveStatus) -> None:
        for indicator in self.query(LiveIndicator):
            indicator.show_status(status, self.mc_app.source.uri)

    def _on_source_change(self, live: LiveUpdate) -> None:
        if self in self.app.screen_stack:
            self._reload_table()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._reload_table()

    def _reload_table(self) -> None:
        self._stale = False
        tables = self.query(ModelTable)
        if tables:
            tables.first().reload()  # keeps the cursor, the selection, sort and filters

    async def _on_source_switched(self, source: Source) -> None:
        self._stale = False
        await self.recompose()  # a browser of the new source, with the new title
        self._on_live(self.mc_app.live_status)

    @property
    def table(self) -> ModelTable:
        return self.query_one(ModelTable)

    def _title_text(self, total: int | None, filtered: bool = False) -> str:
        uri = display_markup(self.mc_app.source.uri)  # a markup string: the URI escaped
        count = "" if total is None else f"{total:,} model{'s' if total != 1 else ''}" + (" match" if filtered else "")
        return f"[b $accent]modelcompare[/]  [dim]{uri}[/dim]  {count}"

    @on(ModelTable.Loaded)
    def _loaded(self, event: ModelTable.Loaded) -> None:
        title = self._title_text(event.total, has_constraints(event.query))
        self.query_one("#title-bar", Static).update(title, layout=False)  # a fixed 1-line bar

    @on(ModelTable.SelectionChanged)
    def _selection_changed(self, event: ModelTable.SelectionChanged) -> None:
        count = len(event.selected)
        bar = self.query_one("#batch-bar", ClickBar)
        bar.display = count > 0
        problem = selection_problem(count)
        parts: list[Part] = [(Content.from_markup("[b]$n[/b] selected  ", n=f"{count:,}"), None)]
        if problem is None:
            parts.append(((" COMPARE ", "bold $text on $primary"), "screen.compare"))
            parts.append((Content.from_markup("  [b]c[/b] compare · [b]esc[/b] clear selection"), None))
        elif count >= 2:
            parts.append(((problem, "bold $error"), None))
        else:
            parts.append((Content.from_markup("[dim]select one more to compare · [b]esc[/b] clear[/dim]"), None))
        bar.set_parts(parts)

    def _on_comparison(self, update: ComparisonUpdate) -> None:
        self.table.set_compared(update.state.models, self.mc_app.colors)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_tab":
            return bool(self.mc_app.comparison.models)
        if action in ("search", "compare", "clear_selection"):
            browsers = self.query(ModelBrowser)
            return not (browsers and browsers.first().is_empty_store)
        return True

    def action_show_tab(self, tab: str) -> None:
        self.mc_app.show_tab(tab)

    def action_search(self) -> None:
        self.query_one(ModelBrowser).focus_search()

    def action_compare(self) -> None:
        self.mc_app.open_comparison(tuple(self.table.selected))

    def action_clear_selection(self) -> None:
        self.table.set_selected(())

    @on(ModelTable.FilterRequested)
    def _filter_requested(self, event: ModelTable.FilterRequested) -> None:
        open_filter_dialog(self.query_one(ModelBrowser), event)
