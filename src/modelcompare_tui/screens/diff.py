"""The Details and Network tabs: the compared models side by side, one column
per model, every field on its row, differences marked against the base (or
across all models).

DetailsBody and NetworkBody (the compare shell imports them by these names)
share DiffBody: a bar (the number of differences, hidden rows or the
search in force, the focused model's position, and the glyphs' legend, which
also says the diff mode), the table's notes, a search box (open while
typing), and the DiffGrid. Keys: `h` hide identical,
`t` diff mode (against the base / across all models), `b` make the focused
column's model the base, `[` `]` move it left/right (all the way left makes
it the base), `/` search, `n` `N` next/previous difference, enter the whole
value of a cell.

Every option lives in the comparison state (state.details / state.network,
the models' order): the body asks for changes with request_state (the session) and
applies them in set_state — recomputing the diff (in a thread worker) only
when the models, their order or the diff mode change, re-filtering when hide
identical or the search change. The state's `cursor_row` is the cursor
row's index among all the table's rows (before hiding and search; the grid's
`row_anchor`) and `cursor_column` its column, so a shared state opens on the same
cell (and, the scroll following the cursor, the same lines); the body posts
them once the cursor rests, and moves the cursor when a state from elsewhere
changes them.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from ..core.plural import counted
from ..core.colors import ModelColors
from ..core.diff import DiffRow, DiffTable
from ..core.gc_pause import gc_paused
from ..core.model import Model
from ..core.state import ComparisonState, DiffView
from ..dialogs.cell_value import CellValueDialog
from ..render.diff_text import plain
from ..sources.base import Source
from ..widgets.diff_bar import LEGEND, BarPart, DiffBar, SearchBox
from ..widgets.diff_grid import (
    DiffGrid,
    PreparedTable,
    prepare_table,
)
from ..widgets.safe_text import SAFE_INPUT
from ..widgets.tab_body import EmbedTarget, TabBody



class DiffBody(TabBody):
    """The body of the Details and Network tabs (subclasses set TAB)."""

    # debounce delays (s): class attributes, so tests shorten them (Textual timers need a delay > 0)
    CURSOR_POST_DELAY: ClassVar[float] = 0.3  # the cursor's row travels in the state once it rests
    SEARCH_POST_DELAY: ClassVar[float] = 0.3


    TAB: ClassVar[str] = "details"
    HELP_TITLE = "Diff"

    BINDINGS = [
        Binding("h", "toggle_hide", "Hide identical", tooltip="Hide the rows where every model has the same value",
                id="diff.toggle_hide"),
        Binding("b", "make_base", "Make base", tooltip="Make the focused column's model the base (first column)",
                id="diff.make_base"),
        Binding("left_square_bracket", "move_column(-1)", "Move left", show=False,
                tooltip="Move the focused column left; all the way left makes it the base", id="diff.move_column_left"),
        Binding("right_square_bracket", "move_column(1)", "Move right", show=False,
                tooltip="Move the focused column right", id="diff.move_column_right"),
        Binding("n", "next_difference(1)", "Next diff", tooltip="Jump to the next difference",
                id="diff.next_difference"),
        Binding("N", "next_difference(-1)", "Prev diff", show=False, tooltip="Jump to the previous difference",
                id="diff.previous_difference"),
        Binding("t", "toggle_mode", "Diff mode", tooltip="Mark differences against the base, or across all models",
                id="diff.toggle_mode"),
        Binding("slash", "search", "Search",
                tooltip="Show only the rows whose field, section or values contain a text", id="diff.search"),
    ]

    DEFAULT_CSS = """
    DiffBody { layout: vertical; }
    DiffBody > #diff-notes {
        height: auto; max-height: 2; padding: 0 1; color: $text-warning; background: $warning-muted 40%;
        display: none;
    }
    DiffBody > #diff-notes.-shown { display: block; }
    DiffBody > #diff-search { height: 1; border: none; padding: 0 1; display: none; }
    DiffBody > #diff-search.-shown { display: block; }
    """

    def __init__(self, source: Source, state: ComparisonState, models: list[Model], colors: ModelColors,
                 *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(source, state, models, colors, name=name, id=id, classes=classes)
        self.prepared: PreparedTable | None = None
        self._diff_worker: Worker[tuple[PreparedTable, list[Model] | None]] | None = None  # the computation wanted
        # refresh_data's re-fetched models: id -> (the model the App gave, its fresh
        # copy); the copy stands in for as long as the App gives that same model
        self._fresh: dict[str, tuple[Model, Model]] = {}
        self._computed_key: tuple[Any, ...] | None = None
        self._keep_model: str | None = None  # the model the cursor column follows
        view = state_view(state, self.TAB)
        # the cursor a state asks for, applied once the table is in
        self._restore: tuple[int, int] | None = (view.cursor_row, view.cursor_column)
        self._cursor_timer: Any = None
        self._search_timer: Any = None
        self._search_before: str | None = None
        self._search_text: str | None = None  # the box's text while it is open
        self._bindings_column = 0

    @property
    def view(self) -> DiffView:
        return state_view(self.state, self.TAB)

    @property
    def grid(self) -> DiffGrid:
        return self.query_one(DiffGrid)

    @property
    def table(self) -> DiffTable | None:
        return self.prepared.table if self.prepared is not None else None

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield DiffBar(id="diff-bar")
        yield Static(id="diff-notes")
        yield SearchBox(placeholder="search fields, sections and values · enter keep · esc undo",
                        id="diff-search", disabled=True, highlighter=SAFE_INPUT)
        grid = DiffGrid(self.colors, id="diff-grid")
        grid.empty_text = f"Comparing {len(self.models)} model{'s' if len(self.models) != 1 else ''}…"
        yield grid

    def on_mount(self) -> None:
        self._sync_search_box()
        self._update_bar()
        self._recompute()
        self.call_after_refresh(self.grid.focus)

    # -- the diff ------------------------------------------------------------------------
    def build_table(self, models: list[Model], mode: str) -> DiffTable:
        raise NotImplementedError

    def _models_now(self) -> list[Model]:
        out = []
        for model in self.models:
            fresh = self._fresh.get(model.id)
            out.append(fresh[1] if fresh is not None and fresh[0] is model else model)
        return out

    def _recompute(self, fetch: bool = False) -> None:
        """Compute the diff in a thread worker (after re-fetching the models
        from the source, with `fetch`); the old table stays until it is done.
        The worker is exclusive: one it replaces is cancelled and never lands."""
        models = self._models_now()
        mode = self.view.diff_mode
        self._computed_key = (tuple(id(m) for m in models), mode)
        self._diff_worker = self.run_worker(partial(self._compute, models, mode, fetch), name=f"{self.TAB} diff",
                                            group=f"diff-{self.TAB}", thread=True, exclusive=True,
                                            exit_on_error=False)

    def _compute(self, models: list[Model], mode: str, fetch: bool) -> tuple[PreparedTable, list[Model] | None]:
        fresh: list[Model] | None = None
        if fetch:
            found = {m.id: m for m in self.source.get_models([m.id for m in models])}
            fresh = list(found.values())
            models = [found.get(m.id, m) for m in models]
        with gc_paused():
            return prepare_table(self.build_table(models, mode)), fresh

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker is self._diff_worker and event.state == WorkerState.SUCCESS:
            self._diff_worker = None
            if event.worker.result is not None:
                self._table_ready(*event.worker.result)

    def _table_ready(self, prepared: PreparedTable, fresh: list[Model] | None) -> None:
        if fresh is not None:
            given = {m.id: m for m in self.models}
            self._fresh.update({m.id: (given[m.id], m) for m in fresh if m.id in given})
            self._computed_key = (tuple(id(m) for m in self._models_now()), prepared.table.mode)
        grid = self.grid
        anchor = grid.anchor_row  # the row the cursor stands for, shown or hidden
        keep_key = (anchor.section, anchor.field) if anchor is not None else None
        keep_model = self._keep_model or (grid.current_model.id if grid.current_model is not None else None)
        self.prepared = prepared
        restore, self._restore = self._restore, None
        if restore is not None:
            keep_key, keep_model = None, None
            grid.cursor_column = restore[1]
            grid.row_anchor = restore[0]
        grid.set_table(prepared, self._visible_rows(), keep_key=keep_key, keep_model=keep_model)
        self._keep_model = None
        self._update_empty_text()
        self._update_notes()
        self._update_bar()
        self._bindings_column = grid.cursor_column
        self.refresh_bindings()

    def _visible_rows(self) -> list[DiffRow]:
        table = self.table
        if table is None:
            return []
        view = self.view
        search = self._search_text if self._search_text is not None else view.search
        return table.visible_rows(view.hide_identical, search)

    def _refilter(self) -> None:
        if self.table is None:
            return
        self.grid.set_rows(self._visible_rows())
        self._update_empty_text()
        self._update_bar()

    # -- state -----------------------------------------------------------------------------
    def request_view(self, **changes: Any) -> None:
        """Ask the App for the state with these options of this tab changed."""
        view = replace(state_view(self.wanted, self.TAB), **changes)
        tab_change: dict[str, Any] = {self.TAB: view}  # the field is named by the tab
        state = replace(self.wanted, **tab_change)
        self.request_state(state)

    def request_order(self, order: list[str], focus: str) -> None:
        """Ask for the models in `order`; the cursor column follows `focus`."""
        self._keep_model = focus
        state = replace(self.wanted, models=tuple(order))
        self.request_state(state)

    def set_state(self, state: ComparisonState, models: list[Model]) -> None:
        old_view = self.view
        super().set_state(state, models)
        if not self.is_mounted:
            return
        view = self.view
        recompute = (tuple(id(m) for m in self._models_now()), view.diff_mode) != self._computed_key
        if recompute:
            self._recompute()
        elif (old_view.hide_identical, old_view.search) != (view.hide_identical, view.search):
            self._refilter()
        self._sync_search_box()
        grid = self.grid
        cursor = (view.cursor_row, view.cursor_column)
        if cursor != (old_view.cursor_row, old_view.cursor_column) and cursor != (grid.row_anchor, grid.cursor_column):
            if self.prepared is None or recompute:
                self._restore = cursor  # once the new table is in
            else:
                grid.move_to_index(view.cursor_row)
                grid.move_to_column(view.cursor_column)
        self._update_bar()
        self.refresh_bindings()

    def refresh_data(self) -> None:
        """Live update: the models' details changed in the source. Re-fetch
        them and recompute, keeping the cursor, the scroll and the toggles."""
        self._recompute(fetch=True)

    def embed_target(self) -> EmbedTarget | None:
        return EmbedTarget(self.TAB)

    # -- the bar ---------------------------------------------------------------------------
    def _update_bar(self) -> None:
        if not self.is_mounted:
            return
        view = self.view
        mode = view.diff_mode
        # (the base is the ◆ column, first in the grid and on the models bar)
        parts: list[BarPart] = []
        table = self.table
        if table is not None:
            count = table.difference_count
            parts.append(BarPart(Text(f"{count} difference{'s' if count != 1 else ''}" if count else "no differences",
                                      style="bold"), 8, Text(counted(count, "diff"), style="bold")))
            shown = len(self.grid.rows)
            hidden = len(table.rows) - shown
            search = (self._search_text if self._search_text is not None else view.search).strip()
            if search:
                parts.append(BarPart(Text(f"/{plain(search)}: {shown} of {len(table.rows)} rows"), 7,
                                     Text(f"{shown}/{len(table.rows)} rows")))
            elif view.hide_identical:
                parts.append(BarPart(Text(f"{hidden} identical hidden" if hidden else "none hidden"), 7,
                                     Text(f"{hidden} hidden")))
            columns = self.grid.visible_columns()
            if len(table.models) > len(columns):
                position = self.grid.cursor_column + 1
                parts.append(BarPart(Text(f"model {position}/{len(table.models)}"), 4,
                                     Text(f"{position}/{len(table.models)}")))
        parts.append(BarPart(Text(LEGEND[mode], style="dim"), 6))
        self.query_one(DiffBar).set_parts(parts)

    def _update_notes(self) -> None:
        notes = self.query_one("#diff-notes", Static)
        table = self.table
        text = " · ".join(table.notes) if table is not None else ""
        notes.update(Text(plain(text), overflow="ellipsis"))
        notes.set_class(bool(text), "-shown")

    def _update_empty_text(self) -> None:
        table = self.table
        grid = self.grid
        if table is None:
            return
        view = self.view
        search = (self._search_text if self._search_text is not None else view.search).strip()
        if not table.rows:
            grid.empty_text = (table.notes[0] if table.notes else
                               "Nothing to compare" if self.TAB == "details" else "No network configuration")
        elif search:
            grid.empty_text = f"No row matches {search!r} (/ edits the search)"
        elif view.hide_identical:
            grid.empty_text = f"All {len(table.rows)} rows are identical (h shows them)"
        else:
            grid.empty_text = ""
        grid.refresh()

    @on(DiffGrid.CursorMoved)
    def _cursor_moved(self, event: DiffGrid.CursorMoved) -> None:
        event.stop()
        self._update_bar()
        if event.column != self._bindings_column:  # b [ ] depend on the column only
            self._bindings_column = event.column
            self.refresh_bindings()
        if self._cursor_timer is not None:
            self._cursor_timer.stop()
        self._cursor_timer = self.set_timer(self.CURSOR_POST_DELAY, self._post_cursor)

    def _post_cursor(self) -> None:
        self._cursor_timer = None
        grid = self.grid
        index = grid.row_anchor
        view = state_view(self.wanted, self.TAB)
        if index is not None and (index, grid.cursor_column) != (view.cursor_row, view.cursor_column):
            self.request_view(cursor_row=index, cursor_column=grid.cursor_column)

    def commit_pending(self) -> None:
        if self._cursor_timer is not None:
            self._cursor_timer.stop()
            self._post_cursor()
        if self._search_timer is not None and self._search_text is not None:
            self._search_timer.stop()
            self._post_search(self._search_text)

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_bar)

    # -- actions ---------------------------------------------------------------------------
    def action_toggle_hide(self) -> None:
        self.request_view(hide_identical=not state_view(self.wanted, self.TAB).hide_identical)

    def action_toggle_mode(self) -> None:
        mode = state_view(self.wanted, self.TAB).diff_mode
        self.request_view(diff_mode="all" if mode == "base" else "base")

    def _focused_model(self) -> str | None:
        model = self.grid.current_model
        return model.id if model is not None else None

    def action_make_base(self) -> None:
        focused = self._focused_model()
        order = list(self.wanted.models)
        if focused is None or focused not in order:
            return
        if order[0] == focused:
            self.notify("This model is already the base")
            return
        order.remove(focused)
        self.request_order([focused, *order], focused)

    def action_move_column(self, direction: int) -> None:
        focused = self._focused_model()
        order = list(self.wanted.models)
        if focused is None or focused not in order:
            return
        k = order.index(focused)
        j = k + direction
        if not 0 <= j < len(order):
            self.notify("Already the base (first column)" if j < 0 else "Already the last column")
            return
        order[k], order[j] = order[j], order[k]
        self.request_order(order, focused)

    def action_next_difference(self, direction: int) -> None:
        table, grid = self.table, self.grid
        if table is None:
            return
        position = grid.cursor_position
        if position is None:
            position = -1 if direction > 0 else len(grid.rows)
        target = table.next_difference(position, direction, rows=grid.rows, wrap=True)
        if target is None:
            self.notify("No differences here" if grid.rows else "No rows shown", severity="information")
            return
        if target == position:
            self.notify("This is the only difference", timeout=2)
            return
        wrapped = (direction > 0 and target < position) or (direction < 0 and target > position)
        grid.move_to_position(target)
        if wrapped:
            self.notify("Wrapped to the first difference" if direction > 0 else "Wrapped to the last difference",
                        timeout=2)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.is_mounted:
            return True
        if action in ("make_base", "move_column"):
            models = self.prepared.models if self.prepared is not None else []
            if len(models) < 2:
                return None
            column = self.grid.cursor_column
            if action == "make_base":
                return column != 0 or None
            direction = parameters[0] if parameters else 0
            if (direction == -1 and column == 0) or (direction == 1 and column >= len(models) - 1):
                return None
        return True

    # -- search ----------------------------------------------------------------------------
    def action_search(self) -> None:
        box = self.query_one(SearchBox)
        if self._search_before is None:
            self._search_before = state_view(self.wanted, self.TAB).search
        box.disabled = False
        box.add_class("-shown")
        # at once, not after a refresh (Widget.focus): the keys of a burst (a paste, a fast
        # typist over SSH) already queued behind this one must land in the box
        self.screen.set_focus(box)

    @on(Input.Changed, "#diff-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        # the grid follows each keystroke; the state once typing rests
        self._search_text = event.value
        self._refilter()
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(self.SEARCH_POST_DELAY, partial(self._post_search, event.value))

    def _post_search(self, text: str) -> None:
        self._search_timer = None
        if text != state_view(self.wanted, self.TAB).search:
            self.request_view(search=text)

    @on(Input.Blurred, "#diff-search")
    def _search_left(self, event: Input.Blurred) -> None:
        """The focus left the box: what it shows is the search in force now."""
        event.stop()
        self.commit_pending()

    @on(Input.Submitted, "#diff-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        self._post_search(event.value)
        self._close_search()

    @on(SearchBox.Cancelled)
    def _search_cancelled(self, event: SearchBox.Cancelled) -> None:
        event.stop()
        before = self._search_before or ""
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        box = self.query_one(SearchBox)
        with box.prevent(Input.Changed):
            box.value = before
        self._post_search(before)
        self._close_search()

    def _sync_search_box(self) -> None:
        """The closed box holds the search in force (the bar shows it), to
        edit when `/` opens it."""
        box = self.query_one(SearchBox)
        if box.has_focus:
            return
        search = self.view.search
        if box.value != search:
            with box.prevent(Input.Changed):
                box.value = search

    def _close_search(self) -> None:
        box = self.query_one(SearchBox)
        self._search_before = None
        self._search_text = None
        self._refilter()
        box.remove_class("-shown")
        box.disabled = True
        self.grid.focus()

    # -- the cell dialog -------------------------------------------------------------------
    @on(DiffGrid.CellChosen)
    def _cell_chosen(self, event: DiffGrid.CellChosen) -> None:
        event.stop()
        table = self.table
        if table is not None:
            self.app.push_screen(CellValueDialog(table, event.row, event.column, self.colors))


def state_view(state: ComparisonState, tab: str) -> DiffView:
    return state.network if tab == "network" else state.details


__all__ = ["DiffBody", "state_view"]
