"""The models table: virtualized, so 100,000 models open as fast as 100.

toolong's approach: a ScrollView whose virtual height is the number of rows;
`render_line` draws only the visible lines, from the pages of rows that
PagedModelTable reads. The sort, the filters and the search are pushed down to
the source in the query; the table holds the query, the cursor and the selection.
"""

from __future__ import annotations

from typing import ClassVar

from collections.abc import Iterable, Sequence
from dataclasses import replace

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer

from ...core.colors import ModelColors
from ...core.model import MODEL_COLUMNS, ModelQuery, ModelRow
from ...core.table_query import ColumnFilter, cycle_sort, get_filter
from ...sources.base import Source
from ..messages import ControlMessage
from ..table_view import CURSOR_BINDINGS
from .columns import (
    COLUMN_SPECS,
    DEFAULT_COLUMNS,
    MARK_WIDTH,
    column_at,
    column_layout,
    fit,
    grow_widths,
    visible_columns,
)
from .lines import Frame, header_line, row_line
from .pages import PAGE_SIZE, PagedModelTable


class ModelTable(PagedModelTable, can_focus=True):
    """A page-at-a-time table of models with sort, filters, search and multi-select."""

    # debounce delay (s): a class attribute, so tests shorten it (Textual timers need a delay > 0)
    PREFETCH_DELAY: ClassVar[float] = 0.05  # read the pages around the view this long after a frame

    HELP_TITLE = "Models table"

    BINDINGS = [
        Binding("space", "toggle_select", "Select", tooltip="Select or deselect the model under the cursor",
                id="model_table.toggle_select"),
        Binding("s", "sort", "Sort", tooltip="Sort by the cursor's column: ascending, descending, off",
                id="model_table.sort"),
        Binding("f", "filter", "Filter", tooltip="Filter the cursor's column", id="model_table.filter"),
        Binding("x", "clear_filter", "Clear filter", show=False, tooltip="Clear the cursor column's filter",
                id="model_table.clear_filter"),
        Binding("X", "clear_all_filters", "Clear all filters", show=False, tooltip="Clear every filter",
                id="model_table.clear_all_filters"),
        Binding("ctrl+a", "select_all", "Select all shown", show=False,
                tooltip="Select every model the table shows (again: deselect them)", id="model_table.select_all"),
        Binding("shift+down", "extend(1)", "Extend selection down", show=False, id="model_table.extend_down"),
        Binding("shift+up", "extend(-1)", "Extend selection up", show=False, id="model_table.extend_up"),
        Binding("i", "toggle_id", "Show/hide id column", show=False, id="model_table.toggle_id"),
        *CURSOR_BINDINGS,
        # vi's h and l too: no other key of the models table uses them
        Binding("h", "column(-1)", "Column left", show=False, id="model_table.column_left_vi"),
        Binding("l", "column(1)", "Column right", show=False, id="model_table.column_right_vi"),
    ]

    COMPONENT_CLASSES = {
        "model-table--header",
        "model-table--header-cursor",
        "model-table--header-active",
        "model-table--cursor-row",
        "model-table--cursor-cell",
        "model-table--selected",
        "model-table--pinned",
        "model-table--loading",
    }

    DEFAULT_CSS = """
    ModelTable {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
    }
    ModelTable > .model-table--header {
        background: $panel;
        color: $foreground;
        text-style: bold;
    }
    ModelTable > .model-table--header-cursor {
        background: $primary 40%;
        text-style: bold;
    }
    ModelTable > .model-table--header-active {
        color: $accent;
        text-style: bold;
    }
    ModelTable > .model-table--cursor-row {
        background: $boost;
    }
    ModelTable > .model-table--cursor-cell {
        background: $block-cursor-blurred-background;
    }
    ModelTable:focus > .model-table--cursor-row {
        background: $primary 15%;
    }
    ModelTable:focus > .model-table--cursor-cell {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    ModelTable > .model-table--selected {
        background: $success 25%;
    }
    ModelTable > .model-table--pinned {
        text-style: bold;
    }
    ModelTable > .model-table--loading {
        color: $text-muted;
    }
    """

    # -- messages ----------------------------------------------------------------
    class QueryChanged(ControlMessage["ModelTable"]):
        """The sort, filters or search changed (the screen shows them)."""

        def __init__(self, table: ModelTable, query: ModelQuery) -> None:
            super().__init__(table)
            self.query = query

    class Loaded(ControlMessage["ModelTable"]):
        """A query's first page arrived: `total` rows match it."""

        def __init__(self, table: ModelTable, total: int, query: ModelQuery) -> None:
            super().__init__(table)
            self.total = total
            self.query = query

    class SelectionChanged(ControlMessage["ModelTable"]):
        def __init__(self, table: ModelTable, selected: tuple[str, ...]) -> None:
            super().__init__(table)
            self.selected = selected

    class FilterRequested(ControlMessage["ModelTable"]):
        """`f` on a column: the screen opens the filter dialog."""

        def __init__(self, table: ModelTable, column: str, current: ColumnFilter | None) -> None:
            super().__init__(table)
            self.column = column
            self.current = current

    class _AllIds(Message):
        def __init__(self, generation: int, ids: list[str]) -> None:
            super().__init__()
            self.generation = generation
            self.ids = ids

    # -- setup -------------------------------------------------------------------------
    def __init__(
        self,
        source: Source,
        query: ModelQuery | None = None,
        *,
        selected: Sequence[str] = (),
        colors: ModelColors | None = None,
        compared: Sequence[str] = (),
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(source, query, name=name, id=id, classes=classes)
        self.columns: tuple[str, ...] = DEFAULT_COLUMNS
        self.selected: dict[str, None] = dict.fromkeys(selected)  # insertion order = selection order
        self.model_colors = colors
        self.compared: frozenset[str] = frozenset(compared)
        self.cursor_column = 0
        self._widths: dict[str, int] = {c: COLUMN_SPECS[c].min_width for c in MODEL_COLUMNS}
        self._frame: Frame | None = None
        self._prefetch_timer: Timer | None = None

    # -- public API ---------------------------------------------------------------------
    @property
    def cursor_column_key(self) -> str:
        return self.columns[self.cursor_column]

    def set_query(self, query: ModelQuery) -> None:
        query = replace(query, offset=0, limit=PAGE_SIZE)
        if query == self._query:
            return
        self._query = query
        self.post_message(self.QueryChanged(self, query))
        self._start_query()

    def set_search(self, text: str) -> None:
        self.set_query(replace(self._query, search=text))

    def set_pinned(self, ids: Sequence[str]) -> None:
        self.set_query(replace(self._query, pinned=tuple(ids)))

    def set_selected(self, ids: Iterable[str]) -> None:
        self.selected = dict.fromkeys(ids)
        self._selection_changed()

    def set_compared(self, ids: Sequence[str], colors: ModelColors | None) -> None:
        self.compared = frozenset(ids)
        self.model_colors = colors
        self.refresh()

    @property
    def cursor_model(self) -> ModelRow | None:
        return self.row_at(self.cursor_row)

    # -- rows arriving ------------------------------------------------------------------
    def _rows_arrived(self, rows: Sequence[ModelRow]) -> None:
        grow_widths(self._widths, rows)
        self._update_virtual_size()

    def _query_shown(self) -> None:
        self.post_message(self.Loaded(self, self._total, self._query))

    # -- geometry -----------------------------------------------------------------------
    def _layout(self) -> tuple[int, dict[str, tuple[int, int]], int]:
        """The columns' places on the view's width (see column_layout)."""
        return column_layout(self._widths, self.columns, self.scrollable_content_region.width)

    def _update_virtual_size(self) -> None:
        name_width, _, scrolled = self._layout()
        self.virtual_size = Size(MARK_WIDTH + name_width + 1 + scrolled, self._total + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        height = self._body_height()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False, immediate=True)
        column = self.cursor_column_key
        if column == "name":
            return
        name_width, positions, _ = self._layout()
        x, w = positions[column]
        view = self.scrollable_content_region.width - (MARK_WIDTH + name_width + 1)
        if x < self.scroll_x:
            self.scroll_to(x=x, animate=False, immediate=True)
        elif x + w > self.scroll_x + view:
            self.scroll_to(x=x + w - view, animate=False, immediate=True)

    # -- drawing ------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        # what every line of this frame shares, computed once per frame, not per line
        self._frame = self._make_frame()
        if self._prefetch_timer is None:
            # a moment later, not now: while the user types a search, the next
            # keystroke's query must not queue behind pages nobody will see
            self._prefetch_timer = self.set_timer(self.PREFETCH_DELAY, self._prefetch)
        return super().render_lines(crop)

    def _prefetch(self) -> None:
        """Ask for the pages a screen above and below the view, so that paging
        and scrolling find their rows already read."""
        self._prefetch_timer = None
        if self._total == 0:
            return
        top = int(self.scroll_y)
        height = self._body_height()
        first = max(0, top - height) // PAGE_SIZE
        last = min(self._total - 1, top + 2 * height) // PAGE_SIZE
        for page in range(first, last + 1):
            self._request_page(page)

    def _make_frame(self) -> Frame:
        width = self.scrollable_content_region.width
        name_width, positions, _ = self._layout()
        view_start = int(self.scroll_x)
        view_end = view_start + max(0, width - (MARK_WIDTH + name_width + 1))
        style = self.get_component_rich_style
        base = self.rich_style
        return Frame(
            width=width,
            name_width=name_width,
            visible=visible_columns(positions, view_start, view_end),
            base=base,
            selected=style("model-table--selected"),
            cursor_row=style("model-table--cursor-row"),
            cursor_cell=style("model-table--cursor-cell"),
            pinned=style("model-table--pinned"),
            muted=style("model-table--loading"),
            header=style("model-table--header"),
            header_cursor=style("model-table--header-cursor"),
            header_active=style("model-table--header-active"),
        )

    def render_line(self, y: int) -> Strip:
        frame = self._frame if self._frame is not None else self._make_frame()
        if y == 0:
            return header_line(frame, self.columns, self._query, self.cursor_column_key)
        index = int(self.scroll_y) + y - 1
        if index >= self._total:
            if self._total == 0 and y == 2 and self._shown_generation >= 0:
                text = "  No models match the search and filters (X clears the filters, / edits the search)"
                return Strip([Segment(fit(text, frame.width), frame.base + frame.muted)], frame.width)
            return Strip.blank(frame.width, frame.base)
        return self._render_row(index, frame)

    def _render_row(self, index: int, frame: Frame) -> Strip:
        row = self.row_at(index)
        is_cursor = index == self.cursor_row
        color = None
        if row is not None and self.model_colors is not None and row.id in self.compared:
            color = self.model_colors[row.id]
        return row_line(
            frame,
            row,
            self.columns,
            cursor_column=self.cursor_column_key if is_cursor else None,
            selected=row is not None and row.id in self.selected,
            pinned=row is not None and row.id in self._query.pinned,
            color=color,
        )

    # -- cursor -------------------------------------------------------------------------
    def _set_cursor(self, row: int) -> None:
        if self._total == 0:
            return
        self.cursor_row = max(0, min(row, self._total - 1))
        self._scroll_cursor_into_view()
        self.refresh()  # ~one screen of lines: cheaper than tracking which changed

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        height = self._body_height()
        self._set_cursor(self.cursor_row + direction * height)
        top = max(0, int(self.scroll_y) + direction * height)
        self.scroll_to(y=top, animate=False, immediate=True)
        self._scroll_cursor_into_view()

    def action_move_to(self, row: int) -> None:
        self._set_cursor(self._total - 1 if row < 0 else row)

    def action_column(self, delta: int) -> None:
        self.cursor_column = max(0, min(self.cursor_column + delta, len(self.columns) - 1))
        self._scroll_cursor_into_view()
        self.refresh()

    # -- selection ----------------------------------------------------------------------
    def _selection_changed(self) -> None:
        self.refresh()
        self.post_message(self.SelectionChanged(self, tuple(self.selected)))

    def action_toggle_select(self) -> None:
        row = self.cursor_model
        if row is None:
            return
        if row.id in self.selected:
            del self.selected[row.id]
        else:
            self.selected[row.id] = None
        self._selection_changed()

    def action_extend(self, delta: int) -> None:
        row = self.cursor_model
        if row is not None:
            self.selected.setdefault(row.id, None)
        self._set_cursor(self.cursor_row + delta)
        row = self.cursor_model
        if row is not None:
            self.selected.setdefault(row.id, None)
        self._selection_changed()

    def action_select_all(self) -> None:
        """Select every row of the query (deselect them when all already are)."""
        if self._total == 0:
            return
        generation = self._generation
        query = replace(self._shown_query, offset=0, limit=self._total)
        source = self.source

        def fetch() -> None:
            ids = [r.id for r in source.list_models(query).rows]
            self.post_message(self._AllIds(generation, ids))

        self.run_worker(fetch, name="select all", group="model-table-select-all", thread=True,
                        exclusive=True, exit_on_error=False)

    def on_model_table__all_ids(self, message: _AllIds) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        if all(i in self.selected for i in message.ids):
            for model_id in message.ids:
                self.selected.pop(model_id, None)
        else:
            for model_id in message.ids:
                self.selected.setdefault(model_id, None)
        self._selection_changed()

    # -- sort and filters ---------------------------------------------------------------
    def action_sort(self) -> None:
        self.set_query(cycle_sort(self._query, self.cursor_column_key))

    def action_filter(self) -> None:
        column = self.cursor_column_key
        self.post_message(self.FilterRequested(self, column, get_filter(self._query, column)))

    def action_clear_filter(self) -> None:
        from ...core.table_query import clear_filter

        self.set_query(clear_filter(self._query, self.cursor_column_key))

    def action_clear_all_filters(self) -> None:
        from ...core.table_query import clear_all_filters

        self.set_query(clear_all_filters(self._query))

    def action_toggle_id(self) -> None:
        current = self.cursor_column_key
        if "id" in self.columns:
            self.columns = tuple(c for c in self.columns if c != "id")
        else:
            self.columns = (*self.columns, "id")
        self.cursor_column = self.columns.index(current) if current in self.columns else 0
        self._update_virtual_size()
        self.refresh()

    # -- mouse --------------------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        name_width, positions, _ = self._layout()
        column = column_at(offset.x, name_width, positions, int(self.scroll_x))
        if offset.y == 0:
            if column is not None:
                self.cursor_column = self.columns.index(column)
                self.action_sort()
            return
        index = int(self.scroll_y) + offset.y - 1
        if index >= self._total:
            return
        if column is not None:
            self.cursor_column = self.columns.index(column)
        self._set_cursor(index)
        self.action_toggle_select()
        self.refresh()
