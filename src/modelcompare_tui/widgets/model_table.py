"""The models table: virtualized, so 100,000 models open as fast as 100.

toolong's approach: a ScrollView whose virtual height is the number of rows;
`render_line` draws only the visible lines, from an LRU cache of pages that
thread workers fill with `source.list_models(offset, limit)`. The sort, the
filters and the search are pushed down to the source in the query; the table
holds the query, the cursor and the selection.

A new query keeps the old rows on screen until its first page arrives, so
typing in the search bar never flashes an empty table.
"""

from __future__ import annotations

from typing import ClassVar

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.worker import get_current_worker

from ..core.cells import shorten
from ..core.colors import ModelColors
from ..core.display import display_text
from ..core.model import MODEL_COLUMNS, ModelQuery, ModelRow
from ..core.table_query import ColumnFilter, active_filters, cycle_sort, get_filter
from ..sources.base import Source
from .messages import ControlMessage
from .table_view import CURSOR_BINDINGS, CursorTable
from .worker_errors import ReportWorkerErrors

PAGE_SIZE = 100
MAX_CACHED_PAGES = 60  # 6,000 rows: a few screens either way at any terminal height
MARK_WIDTH = 3  # selection mark, compared-model color dot, space


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    title: str
    min_width: int
    max_width: int


COLUMN_SPECS: dict[str, ColumnSpec] = {
    spec.key: spec
    for spec in (
        ColumnSpec("name", "name", 12, 48),
        ColumnSpec("project", "project", 9, 20),
        ColumnSpec("framework", "framework", 11, 14),
        ColumnSpec("status", "status", 9, 9),
        ColumnSpec("tags", "tags", 6, 26),
        ColumnSpec("user", "user", 6, 14),
        ColumnSpec("created", "created", 16, 16),
        ColumnSpec("updated", "updated", 16, 16),
        ColumnSpec("id", "id", 8, 32),
    )
}
DEFAULT_COLUMNS = tuple(c for c in MODEL_COLUMNS if c != "id")


def cell_text(row: ModelRow, column: str) -> str:
    """What a cell shows: dates as `YYYY-MM-DD HH:MM` (UTC), tags comma-separated;
    display text (names and tags are data: an escape sequence must not reach the terminal)."""
    if column in ("created", "updated"):
        return display_text(getattr(row, column)[:16].replace("T", " "))
    return display_text(row.cell(column))


def fit(text: str, width: int, *, middle: bool = False) -> str:
    """`text` padded or cut to exactly `width` cells (an ellipsis marks a cut).
    `middle`: cut in the middle, keeping the end, where model names keep what
    tells runs apart (`…-lr3e-4`)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return shorten(text, width, middle=middle)


@dataclass
class _Frame:
    """What every line of one frame shares (see ModelTable.render_lines)."""

    width: int
    name_width: int
    visible: list[tuple[str, int, int, int]]
    base: Style
    selected: Style
    cursor_row: Style
    cursor_cell: Style
    pinned: Style
    muted: Style
    header: Style
    header_cursor: Style
    header_active: Style


def _slice_cells(text: str, start: int, end: int) -> str:
    """Cells start..end of `text` (which is exactly as wide as it has cells)."""
    if text.isascii():
        return text[start:end]
    out, x = [], 0
    for ch in text:
        w = cell_len(ch)
        if x >= start and x + w <= end:
            out.append(ch)
        x += w
    return set_cell_size("".join(out), end - start)


class PageCache:
    """LRU cache of pages of rows, by page number."""

    def __init__(self, max_pages: int = MAX_CACHED_PAGES) -> None:
        self._pages: OrderedDict[int, list[ModelRow]] = OrderedDict()
        self.max_pages = max_pages

    def get(self, page: int) -> list[ModelRow] | None:
        rows = self._pages.get(page)
        if rows is not None:
            self._pages.move_to_end(page)
        return rows

    def put(self, page: int, rows: list[ModelRow]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def __contains__(self, page: int) -> bool:
        return page in self._pages

    def rows(self) -> Iterable[ModelRow]:
        for rows in self._pages.values():
            yield from rows


class ModelTable(ReportWorkerErrors, CursorTable, can_focus=True):
    """A page-at-a-time table of models with sort, filters, search and multi-select."""

    # debounce delays (s): class attributes, so tests shorten them (Textual timers need a delay > 0)
    LOADING_DELAY: ClassVar[float] = 0.15  # show the loading indicator only when a query is slow
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

    class _PageLoaded(Message):
        def __init__(self, generation: int, page: int, rows: list[ModelRow], total: int) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows
            self.total = total

    class _PageFailed(Message):
        def __init__(self, generation: int, page: int) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

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
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self._query = replace(query or ModelQuery(), offset=0, limit=PAGE_SIZE)
        self.columns: tuple[str, ...] = DEFAULT_COLUMNS
        self.selected: dict[str, None] = dict.fromkeys(selected)  # insertion order = selection order
        self.model_colors = colors
        self.compared: frozenset[str] = frozenset(compared)
        self.cursor_row = 0
        self.cursor_column = 0
        self._generation = 0  # of the wanted query
        self._shown_generation = -1  # of the rows on screen (-1: none yet)
        self._shown_query = self._query
        self._cache = PageCache()
        self._pending: set[int] = set()
        self._failed: set[int] = set()
        self._total = 0
        self._widths: dict[str, int] = {c: COLUMN_SPECS[c].min_width for c in MODEL_COLUMNS}
        self._keep_cursor_on_load = False
        self._loading_timer: Timer | None = None
        self._frame: _Frame | None = None
        self._prefetch_timer: Timer | None = None

    def on_mount(self) -> None:
        self._start_query()

    # -- public API ---------------------------------------------------------------------
    @property
    def model_query(self) -> ModelQuery:
        """The wanted query (sort, filters, search, pinned)."""
        return self._query

    @property
    def total(self) -> int:
        """Rows matching the query on screen."""
        return self._total

    @property
    def is_loaded(self) -> bool:
        """The rows on screen belong to the wanted query."""
        return self._shown_generation == self._generation

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

    def reload(self) -> None:
        """Fetch the rows again (the source changed), keeping the cursor."""
        self._keep_cursor_on_load = True
        self._start_query()

    def set_selected(self, ids: Iterable[str]) -> None:
        self.selected = dict.fromkeys(ids)
        self._selection_changed()

    def set_compared(self, ids: Sequence[str], colors: ModelColors | None) -> None:
        self.compared = frozenset(ids)
        self.model_colors = colors
        self.refresh()

    def row_at(self, index: int) -> ModelRow | None:
        """The row at `index` if its page is loaded (else None, and it is fetched)."""
        if not 0 <= index < self._total:
            return None
        page = index // PAGE_SIZE
        rows = self._cache.get(page)
        if rows is None:
            self._request_page(page)
            return None
        offset = index - page * PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    @property
    def cursor_model(self) -> ModelRow | None:
        return self.row_at(self.cursor_row)

    def visible_rows(self) -> list[ModelRow]:
        """The loaded rows currently on screen (for tests and screens)."""
        first = int(self.scroll_y)
        rows = (self.row_at(i) for i in range(first, min(self._total, first + self._body_height())))
        return [r for r in rows if r is not None]

    # -- fetching -----------------------------------------------------------------------
    def _start_query(self) -> None:
        self._generation += 1
        generation = self._generation
        query = self._query
        page = self.cursor_row // PAGE_SIZE if self._keep_cursor_on_load else 0
        self.run_worker(
            lambda: self._fetch(generation, page, query),
            name=f"models page {page}",
            group="model-table-query",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        if self._loading_timer is not None:
            self._loading_timer.stop()
        self._loading_timer = self.set_timer(self.LOADING_DELAY, self._show_loading)

    def _show_loading(self) -> None:
        if not self.is_loaded:
            self.loading = True

    def _request_page(self, page: int) -> None:
        if self._shown_generation != self._generation:
            return  # a new query is on its way; its rows replace these
        if page in self._pending or page in self._failed or page in self._cache:
            return
        self._pending.add(page)
        generation = self._generation
        query = self._shown_query
        self.run_worker(
            lambda: self._fetch(generation, page, query),
            name=f"models page {page}",
            group="model-table-pages",
            thread=True,
            exit_on_error=False,
        )

    def _fetch(self, generation: int, page: int, query: ModelQuery) -> None:
        """Thread worker: one page from the source, posted back as a message."""
        worker = get_current_worker()
        try:
            result = self.source.list_models(replace(query, offset=page * PAGE_SIZE, limit=PAGE_SIZE))
        except BaseException:
            self.post_message(self._PageFailed(generation, page))
            raise  # the App turns worker errors into notifications
        if not worker.is_cancelled:
            self.post_message(self._PageLoaded(generation, page, result.rows, result.total))

    def on_model_table__page_loaded(self, message: _PageLoaded) -> None:
        message.stop()
        if message.generation == self._generation and self._shown_generation != self._generation:
            self._show_new_query(message)
        elif message.generation == self._shown_generation:
            self._pending.discard(message.page)
            self._cache.put(message.page, message.rows)
            if message.total != self._total:
                self._total = message.total
                self._update_virtual_size()
            self._grow_widths(message.rows)
            self.refresh()

    def on_model_table__page_failed(self, message: _PageFailed) -> None:
        message.stop()
        if message.generation == self._generation:
            self._pending.discard(message.page)
            self._failed.add(message.page)
            if self._shown_generation != self._generation:
                self._stop_loading()

    def _show_new_query(self, message: _PageLoaded) -> None:
        self._shown_generation = message.generation
        self._shown_query = self._query
        self._cache = PageCache()
        self._cache.put(message.page, message.rows)
        self._pending.clear()
        self._failed.clear()
        self._total = message.total
        self._stop_loading()
        self._grow_widths(message.rows)  # widths only grow: typing a search never shuffles columns
        if self._keep_cursor_on_load:
            self.cursor_row = max(0, min(self.cursor_row, self._total - 1))
        else:
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self._keep_cursor_on_load = False
        self._update_virtual_size()
        self.refresh()
        self.post_message(self.Loaded(self, self._total, self._query))

    def _stop_loading(self) -> None:
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None
        self.loading = False

    # -- geometry -----------------------------------------------------------------------
    def _grow_widths(self, rows: Sequence[ModelRow]) -> None:
        for column in MODEL_COLUMNS:
            spec = COLUMN_SPECS[column]
            widest = max((cell_len(cell_text(r, column)) for r in rows), default=0)
            # +2: room for the header's sort arrow
            wanted = max(spec.min_width, cell_len(spec.title) + 2, widest)
            self._widths[column] = max(self._widths[column], min(spec.max_width, wanted))
        self._update_virtual_size()

    def _layout(self) -> tuple[int, dict[str, tuple[int, int]], int]:
        """(name width, {column: (x in the scrolled part, width)}, scrolled part width).
        The mark and name columns stay put; the others scroll horizontally. Spare
        room on a wide terminal is shared out evenly (a little more for names)."""
        width = self.scrollable_content_region.width
        others = [c for c in self.columns if c != "name"]
        # on a narrow terminal a long name must not push every other column off screen
        name_width = min(self._widths["name"], max(COLUMN_SPECS["name"].min_width + 8, width * 2 // 5))
        widths = {c: self._widths[c] for c in others}
        spare = width - (MARK_WIDTH + name_width + 1 + sum(w + 1 for w in widths.values()))
        if spare > 0:
            # the name may take back what the narrow-terminal cap kept from it
            give = min(spare, self._widths["name"] - name_width)
            name_width += give
            spare -= give
            share = spare // (len(others) + 2)
            for column in others:
                widths[column] += share
            name_width += spare - share * len(others)
        positions: dict[str, tuple[int, int]] = {}
        x = 0
        for column in others:
            positions[column] = (x, widths[column])
            x += widths[column] + 1
        return name_width, positions, x

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

    def _make_frame(self) -> _Frame:
        width = self.scrollable_content_region.width
        name_width, positions, _ = self._layout()
        view_start = int(self.scroll_x)
        view_end = view_start + max(0, width - (MARK_WIDTH + name_width + 1))
        # the scrolled columns that show, each as (column, full width, first and last visible cell)
        visible: list[tuple[str, int, int, int]] = []
        for column, (x, w) in positions.items():
            first, last = max(x, view_start), min(x + w + 1, view_end)
            if first < last:
                visible.append((column, w, first - x, last - x))
        style = self.get_component_rich_style
        base = self.rich_style
        return _Frame(
            width=width,
            name_width=name_width,
            visible=visible,
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
            return self._render_header(frame)
        index = int(self.scroll_y) + y - 1
        if index >= self._total:
            if self._total == 0 and y == 2 and self._shown_generation >= 0:
                text = "  No models match the search and filters (X clears the filters, / edits the search)"
                return Strip([Segment(fit(text, frame.width), frame.base + frame.muted)], frame.width)
            return Strip.blank(frame.width, frame.base)
        return self._render_row(index, frame)

    def _line(self, frame: _Frame, mark: list[Segment], cells: dict[str, tuple[str, Style]], fill: Style) -> Strip:
        """One line: the mark, the name, then the scrolled columns that show."""
        text, style = cells["name"]
        segments = [*mark, Segment(fit(text, frame.name_width, middle=True) + " ", style)]
        for column, w, first, last in frame.visible:
            text, style = cells[column]
            cell = fit(text, w) + " "
            if first or last < w + 1:
                cell = _slice_cells(cell, first, last)
            segments.append(Segment(cell, style))
        used = MARK_WIDTH + frame.name_width + 1 + sum(last - first for _, _, first, last in frame.visible)
        if used < frame.width:
            segments.append(Segment(" " * (frame.width - used), fill))
        return Strip(segments, frame.width).crop(0, frame.width)

    def _render_header(self, frame: _Frame) -> Strip:
        header = frame.base + frame.header
        cursor = header + frame.header_cursor
        active = header + frame.header_active
        sort = self._query.sort
        filtered = {f.column for f in active_filters(self._query)}
        cursor_column = self.cursor_column_key
        cells: dict[str, tuple[str, Style]] = {}
        for column in self.columns:
            text = COLUMN_SPECS[column].title
            is_sorted = sort is not None and sort[0] == column
            if is_sorted:
                text += " ▼" if sort[1] else " ▲"  # type: ignore[index]
            if column in filtered:
                text += " ≡"
            if column == cursor_column:
                cells[column] = (text, cursor)
            else:
                cells[column] = (text, active if column in filtered or is_sorted else header)
        return self._line(frame, [Segment(" " * MARK_WIDTH, header)], cells, header)

    def _render_row(self, index: int, frame: _Frame) -> Strip:
        row = self.row_at(index)
        is_cursor = index == self.cursor_row
        row_style = frame.base
        if row is not None and row.id in self.selected:
            row_style = row_style + frame.selected
        if is_cursor:
            row_style = row_style + frame.cursor_row
        if row is None:
            loading = row_style + frame.muted
            cells = {column: ("…" if column == "name" else "", loading) for column in self.columns}
            return self._line(frame, [Segment(" " * MARK_WIDTH, row_style)], cells, row_style)
        name_style = row_style + frame.pinned if row.id in self._query.pinned else row_style
        mark = [Segment("✓" if row.id in self.selected else " ", row_style)]
        if self.model_colors is not None and row.id in self.compared:
            mark.append(Segment("●", row_style + Style(color=self.model_colors[row.id])))
        else:
            mark.append(Segment(" ", row_style))
        mark.append(Segment(" ", row_style))
        cells = {column: (cell_text(row, column), row_style) for column in self.columns}
        cells["name"] = (cells["name"][0], name_style)
        if is_cursor:
            column = self.cursor_column_key
            cells[column] = (cells[column][0], row_style + frame.cursor_cell)
        return self._line(frame, mark, cells, row_style)

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
        from ..core.table_query import clear_filter

        self.set_query(clear_filter(self._query, self.cursor_column_key))

    def action_clear_all_filters(self) -> None:
        from ..core.table_query import clear_all_filters

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
    def _column_at(self, x: int) -> str | None:
        name_width, positions, _ = self._layout()
        if x < MARK_WIDTH:
            return None
        if x < MARK_WIDTH + name_width + 1:
            return "name"
        sx = x - (MARK_WIDTH + name_width + 1) + int(self.scroll_x)
        for column, (start, w) in positions.items():
            if start <= sx < start + w + 1:
                return column
        return None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        column = self._column_at(offset.x)
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
