"""Search bar + active filters + models table: the part the models screen and
the selection dialog share (same sort, filters and search in both)."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from ..core.colors import ModelColors
from ..core.display import display_markup, display_text
from ..core.model import ModelQuery
from ..core.table_query import (
    ColumnFilter,
    active_filters,
    clear_all_filters,
    clear_filter,
    has_constraints,
    set_filter,
)
from ..sources.base import Source
from .click_bar import ClickBar, Part
from .model_table import ModelTable
from .safe_text import SAFE_INPUT

EMPTY_STORE_TEXT = """\
[b]No models here yet.[/b]

Explore a demo store:          [b]modelcompare --demo[/b]
Fill this store with demos:    [b]modelcompare demo[/b]
Import your models:            [b]modelcompare import FILE.json[/b]
Log from training code:        [b]modelcompare_tui.tracking.OutputModel[/b]

[dim]{uri}[/dim]"""


class SearchBar(Input):
    """`/` focuses it; the table follows as you type."""

    HELP_TITLE = "Search"
    BINDINGS = [
        Binding("escape", "leave", "Back to table", tooltip="Keep the search, move to the table",
                id="model_search.leave"),
        Binding("down", "leave", "To table", show=False, id="model_search.leave_alt"),
    ]

    class Leave(Message):
        pass

    def action_leave(self) -> None:
        self.post_message(self.Leave())


class FilterBar(ClickBar):
    """The active filters, each clearable (click it, or `x` on its column)."""

    class ClearRequested(Message):
        def __init__(self, column: str | None) -> None:
            super().__init__()
            self.column = column  # None: all

    def show_filters(self, filters: list[ColumnFilter]) -> None:
        if self.display != bool(filters):
            self.display = bool(filters)
        parts: list[Part] = [(("Filters ", "bold"), None)]
        for f in filters:
            # a filter's values are data (tags, projects, users)
            parts.append(((f" {display_text(f.describe())} ✕ ", "on $primary 30%"), f"clear({f.column!r})"))
            parts.append((" ", None))
        if filters:
            parts.append((("  ✕ clear all", "bold"), "clear_all"))
            parts.append((("  x column · X all", "dim"), None))
        self.set_parts(parts)

    def action_clear(self, column: str) -> None:
        self.post_message(self.ClearRequested(column))

    def action_clear_all(self) -> None:
        self.post_message(self.ClearRequested(None))


class ModelBrowser(Vertical):
    """The models table with its search bar and filter bar."""

    DEFAULT_CSS = """
    ModelBrowser { height: 1fr; }
    ModelBrowser > SearchBar { height: 1; border: none; padding: 0 1; }
    ModelBrowser > FilterBar { height: 1; padding: 0 1; background: $boost; }
    ModelBrowser > #empty-store { height: 1fr; content-align: center middle; padding: 1 2; }
    """

    def __init__(
        self,
        source: Source,
        *,
        query: ModelQuery | None = None,
        selected: Sequence[str] = (),
        colors: ModelColors | None = None,
        compared: Sequence[str] = (),
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.source = source
        self._initial_query = query or ModelQuery()
        self._selected = selected
        self._colors = colors
        self._compared = compared
        self.is_empty_store = False  # the source has no models at all (not: none match)
        self._shown_filters: list[ColumnFilter] = []

    def compose(self) -> ComposeResult:
        yield SearchBar(
            value=self._initial_query.search,
            placeholder="/  search name, tags, project",
            compact=True,
            id="search",
            highlighter=SAFE_INPUT,
        )
        bar = FilterBar(id="filters")
        bar.display = False
        yield bar
        yield ModelTable(
            self.source,
            self._initial_query,
            selected=self._selected,
            colors=self._colors,
            compared=self._compared,
            id="table",
        )
        empty = Static(EMPTY_STORE_TEXT.format(uri=display_markup(self.source.uri)), id="empty-store")
        empty.display = False
        yield empty

    def on_mount(self) -> None:
        self._show_filters(self._initial_query)

    def _show_filters(self, query: ModelQuery) -> None:
        filters = active_filters(query)
        if filters != self._shown_filters:  # typing a search leaves the filters alone
            self._shown_filters = filters
            self.query_one(FilterBar).show_filters(filters)

    @property
    def table(self) -> ModelTable:
        return self.query_one(ModelTable)

    def focus_search(self) -> None:
        # at once, not after a refresh (Widget.focus): the keys of a burst (a paste, a fast
        # typist over SSH) already queued behind this one must land in the box
        self.screen.set_focus(self.query_one(SearchBar))

    def focus_table(self) -> None:
        self.table.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.table.set_search(event.value)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_table()

    @on(SearchBar.Leave)
    def _leave_search(self) -> None:
        self.focus_table()

    @on(ModelTable.QueryChanged)
    def _query_changed(self, event: ModelTable.QueryChanged) -> None:
        self._show_filters(event.query)

    @on(ModelTable.Loaded)
    def _loaded(self, event: ModelTable.Loaded) -> None:
        empty_store = event.total == 0 and not has_constraints(event.query) and not event.query.pinned
        if empty_store == self.is_empty_store:
            return
        self.is_empty_store = empty_store
        self.query_one("#empty-store").display = empty_store
        # hidden and disabled: nothing to sort, filter or search (and no such keys in the footer)
        for widget in (self.table, self.query_one(SearchBar)):
            widget.display = not empty_store
            widget.disabled = empty_store
        self.screen.refresh_bindings()

    @on(FilterBar.ClearRequested)
    def _clear(self, event: FilterBar.ClearRequested) -> None:
        table = self.table
        if event.column is None:
            table.set_query(clear_all_filters(table.model_query))
        else:
            table.set_query(clear_filter(table.model_query, event.column))

    def apply_filter(self, result: ColumnFilter | None) -> None:
        """What the column filter dialog returned (None: cancelled): the table
        filters by it and takes the focus back. (`f` on a column posts
        ModelTable.FilterRequested; the screen or dialog hosting the browser opens
        the dialog: a widget never opens dialogs.)"""
        table = self.table
        if result is not None:
            table.set_query(set_filter(table.model_query, result))
        table.focus()
