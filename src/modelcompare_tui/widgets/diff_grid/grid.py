"""The DiffGrid widget: its data (the rows shown, with section headers), its
cursor and bindings, its scroll, its styles; the lines themselves are drawn
by lines.py, in the columns layout.py lays out.

A ScrollView that draws only its visible lines (toolong's approach) and, on
each line, only the columns in view: 100 models × thousands of rows cost
what the screen shows. The header line (the models' names) and the field
column stay put while the rest scrolls. Enter shows a cell's whole value.
Line diffs show each model's own line numbers in its column.

The cursor and the scroll: `row_anchor` is the table index of the row the
cursor stands for (the state's `cursor_row`): set by the cursor's own moves,
kept while hiding or a search hides that row (the cursor shows on the next row
shown, and comes back when the row does). The scroll is a function of the
cursor alone (`_follow_cursor`: its line centred, its column in view from
the left), never of the way there, so a state opened elsewhere shows the
same lines.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.strip import Strip

from ...core.colors import ModelColors
from ...core.diff import CellStatus, DiffRow, DiffTable
from ...core.model import Model
from ...render.diff_text import fit, plain
from ..messages import CellMessage, ControlMessage
from ..table_view import CURSOR_BINDINGS, CursorTable
from .layout import GAP, ColumnLayout, compute_layout
from .lines import header_line, row_line, section_line
from .prepared import PreparedTable
from .rows import Line, ShownRows
from .styles import COMPONENT_CLASSES, DEFAULT_CSS, CellStyles, cell_styles, component_styles


class DiffGrid(CursorTable, can_focus=True):
    """The grid; the Details/Network body feeds it prepared tables and the
    rows to show (after hide identical and search)."""

    HELP_TITLE = "Diff grid"

    BINDINGS = [
        Binding("enter", "choose", "Full value",
                tooltip="The cell's whole value, what it differs from, and the row across all models",
                id="diff_grid.full_value"),
        *CURSOR_BINDINGS,
        Binding("ctrl+left,shift+home", "column_to(0)", "First column", show=False, id="diff_grid.first_column"),
        Binding("ctrl+right,shift+end", "column_to(-1)", "Last column", show=False, id="diff_grid.last_column"),
    ]

    COMPONENT_CLASSES = COMPONENT_CLASSES
    DEFAULT_CSS = DEFAULT_CSS

    class CursorMoved(ControlMessage["DiffGrid"]):
        """The cursor is on another row or column. `row_index`: the row's
        index in the table's rows (None without rows)."""

        def __init__(self, grid: DiffGrid, row_index: int | None, column: int) -> None:
            super().__init__(grid)
            self.row_index = row_index
            self.column = column

    class CellChosen(CellMessage["DiffGrid", DiffRow]):
        """enter (or a double click) on a cell."""

    def __init__(self, colors: ModelColors, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.model_colors = colors
        self.prepared: PreparedTable | None = None
        self._shown = ShownRows()
        self.cursor_line = 0
        self.cursor_column = 0
        self.row_anchor: int | None = None  # the table index of the cursor's row (kept while that row is hidden)
        self.empty_text = "Comparing…"
        self._layout: ColumnLayout | None = None
        self._styles: dict[str, Style] | None = None
        self._visible_key: tuple[ColumnLayout, int, int] | None = None
        self._visible = range(0)
        self._cell_styles: dict[tuple[bool, CellStatus, bool], CellStyles] = {}
        # rendered row lines: scrolling by a line redraws every line, most unchanged
        self._line_cache: LRUCache[tuple[int, bool, int, int, int], Strip] = LRUCache(2000)

    # -- data --------------------------------------------------------------------------
    @property
    def table(self) -> DiffTable | None:
        return self.prepared.table if self.prepared is not None else None

    def set_table(
        self,
        prepared: PreparedTable | None,
        rows: list[DiffRow],
        *,
        keep_key: tuple[str, str] | None = None,
        keep_model: str | None = None,
    ) -> None:
        """Show `prepared` with `rows` of it. The cursor goes to the row with
        `keep_key` (section, field) and the column of `keep_model` when they
        are there (else on the anchor's row, or the next one shown). A change
        of row or column is announced (CursorMoved)."""
        before = (self.row_anchor, self.cursor_column)
        self.prepared = prepared
        self._layout = None
        self._set_rows(rows)
        if prepared is not None and prepared.models:
            ids = [m.id for m in prepared.models]
            if keep_model in ids:
                self.cursor_column = ids.index(keep_model)
            self.cursor_column = max(0, min(self.cursor_column, len(ids) - 1))
        kept = None
        if keep_key is not None and prepared is not None:
            kept = next((i for i, r in enumerate(prepared.table.rows) if (r.section, r.field) == keep_key), None)
        if kept is not None:
            self.row_anchor = kept
        elif prepared is None or self.row_anchor is None or self.row_anchor >= len(prepared.table.rows):
            self.row_anchor = None if prepared is None or not prepared.table.rows else 0
        self.cursor_line = self._line_for_index(self.row_anchor) if self.row_anchor is not None else 0
        self._update_geometry()
        self._follow_cursor()
        self.refresh()
        if (self.row_anchor, self.cursor_column) != before and prepared is not None:
            self.post_message(self.CursorMoved(self, self.row_anchor, self.cursor_column))

    @property
    def anchor_row(self) -> DiffRow | None:
        """The row the cursor stands for (maybe hidden: then it shows on the next one)."""
        table = self.table
        if table is None or self.row_anchor is None or not 0 <= self.row_anchor < len(table.rows):
            return None
        return table.rows[self.row_anchor]

    def set_rows(self, rows: list[DiffRow]) -> None:
        """Show other rows of the same table (hide identical, search): the
        cursor stays on its anchor's row, or shows on the next one shown."""
        self._set_rows(rows)
        self.cursor_line = self._line_for_index(self.row_anchor) if self.row_anchor is not None else self._data_line(0)
        self._update_geometry()
        self._follow_cursor()
        self.refresh()

    def _set_rows(self, rows: list[DiffRow]) -> None:
        self._shown = ShownRows.of(rows)

    @property
    def rows(self) -> list[DiffRow]:
        """The rows shown, in table order."""
        return self._shown.rows

    @property
    def lines(self) -> list[Line]:
        """The rows shown, with a header before each section."""
        return self._shown.lines

    def _line_for_index(self, index: int) -> int:
        """The line of the shown row with table index `index`, else of the
        next shown row after it, else of the last shown row."""
        prepared = self.prepared
        return self._shown.line_for_index(index, prepared.row_index) if prepared is not None else 0

    def _data_line(self, line: int) -> int:
        """`line`, or the nearest row line when it is a header or out of range."""
        return self._shown.data_line(line)

    @property
    def current_row(self) -> DiffRow | None:
        if not self.rows or not 0 <= self.cursor_line < len(self.lines):
            return None
        line = self.lines[self.cursor_line]
        return line if isinstance(line, DiffRow) else None

    @property
    def cursor_position(self) -> int | None:
        """The cursor row's position in `rows`."""
        if not self.rows or not 0 <= self.cursor_line < len(self._shown.line_row):
            return None
        position = self._shown.line_row[self.cursor_line]
        return position if position >= 0 else None

    @property
    def cursor_row_index(self) -> int | None:
        """The cursor row's index in the table's rows."""
        row = self.current_row
        if row is None or self.prepared is None:
            return None
        return self.prepared.row_index.get(id(row))

    @property
    def current_model(self) -> Model | None:
        prepared = self.prepared
        if prepared is None or not prepared.models:
            return None
        return prepared.models[min(self.cursor_column, len(prepared.models) - 1)]

    def move_to_index(self, index: int, *, announce: bool = False) -> None:
        """Put the cursor on the row with table index `index` (or the next shown):
        that row is the anchor."""
        self._set_cursor(self._line_for_index(index), self.cursor_column, announce=announce)
        table = self.table
        if table is not None and table.rows:
            self.row_anchor = max(0, min(index, len(table.rows) - 1))

    def move_to_column(self, column: int) -> None:
        """Put the cursor on column `column` (a state from elsewhere), not announced."""
        self._set_cursor(self.cursor_line, column, announce=False)

    def move_to_position(self, position: int, *, announce: bool = True) -> None:
        if self.rows:
            self._set_cursor(self._shown.row_line[max(0, min(position, len(self.rows) - 1))], self.cursor_column,
                             announce=announce)

    def move_to_model(self, model_id: str) -> None:
        prepared = self.prepared
        if prepared is not None:
            ids = [m.id for m in prepared.models]
            if model_id in ids:
                self._set_cursor(self.cursor_line, ids.index(model_id))

    # -- geometry ------------------------------------------------------------------------
    def _view_width(self) -> int:
        width = self.scrollable_content_region.width
        return width if width > 0 else 80

    def _update_geometry(self) -> None:
        self._layout = layout = compute_layout(self.prepared, self._view_width()) if self.prepared is not None else None
        self._line_cache.clear()
        width = 0
        if layout is not None and layout.starts:
            # room to scroll the last columns to a column's start (see first_column_with)
            view = self._view_width() - layout.field_w
            last = layout.first_column_with(len(layout.starts) - 1, view)
            width = layout.field_w + max(layout.total_w, layout.starts[last] + view)
        self.virtual_size = Size(width, len(self.lines) + 1)

    def visible_columns(self, width: int | None = None) -> range:
        """The columns (wholly or partly) in view (`width`: the view's, when known)."""
        layout = self._layout
        if layout is None or not layout.starts:
            return range(0)
        start = int(self.scroll_x)
        if width is None:
            width = self._view_width()
        key = self._visible_key
        # (the layout itself, not its id: a new layout may reuse a freed one's id)
        if key is not None and key[0] is layout and key[1] == start and key[2] == width:
            return self._visible
        self._visible_key, self._visible = (layout, start, width), layout.columns_in_view(start, width)
        return self._visible

    def on_resize(self, event: events.Resize) -> None:
        self._update_geometry()
        self._follow_cursor()
        # the first layout gives the view its size only now: scroll once it is in force
        self.call_after_refresh(self._follow_cursor)

    def watch_show_horizontal_scrollbar(self, shown: bool) -> None:
        # a scrollbar that comes or goes changes the view's height (or width) without a
        # resize event: the first layout showed one until the columns were fitted, and the
        # cursor's line was centred in a view one line shorter than the one left
        self.call_after_refresh(self._refit)

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self.is_mounted:
            self._update_geometry()
            self._follow_cursor()
            self.refresh()

    def _follow_cursor(self) -> None:
        """Scroll to where the cursor says, whatever the way there: its line in
        the middle of the view (or the view at an end of the rows), its column
        in view from the left edge on. The state holds the cursor, not the
        scroll: a state opened elsewhere must show the same lines."""
        if not self.is_mounted:
            return
        height = self._body_height()
        top = self.cursor_line - (height - 1) // 2
        y = max(0, min(top, len(self.lines) - height))
        x = 0
        layout = self._layout
        if layout is not None and layout.column_w:
            k = min(self.cursor_column, len(layout.column_w) - 1)
            view = self._view_width() - layout.field_w
            if layout.starts[k] + GAP + layout.column_w[k] > view:
                x = layout.starts[layout.first_column_with(k, view)]
        self.scroll_to(x=x, y=y, animate=False, immediate=True, force=True)

    # -- styles --------------------------------------------------------------------------
    @property
    def styles_cache(self) -> dict[str, Style]:
        if self._styles is None:
            self._styles = component_styles(self)
        return self._styles

    def _restyle(self) -> None:
        self._styles = None
        self._cell_styles.clear()
        self._line_cache.clear()
        self.refresh()

    def _styles_of_cell(self, cursor_row: bool, status: CellStatus, cursor_cell: bool) -> CellStyles:
        key = (cursor_row, status, cursor_cell)
        found = self._cell_styles.get(key)
        if found is None:
            found = self._cell_styles[key] = cell_styles(self.styles_cache, cursor_row, status, cursor_cell)
        return found

    # -- drawing -------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self._view_width()
        styles = self.styles_cache
        layout = self._layout
        if y == 0:
            return self._render_header(width, styles)
        if self.prepared is None or layout is None or not self.rows:
            if y == 2:
                muted = styles["base"] + styles["empty"]
                return Strip([Segment(fit("  " + plain(self.empty_text), width), muted)], width)
            return Strip.blank(width, styles["base"])
        index = int(self.scroll_y) + y - 1
        if index >= len(self.lines):
            return Strip.blank(width, styles["base"])
        line = self.lines[index]
        if isinstance(line, str):
            return self._render_section(line, width, styles)
        is_cursor = index == self.cursor_line
        key = (id(line), is_cursor, self.cursor_column if is_cursor else -1, int(self.scroll_x), width)
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._line_cache[key] = row_line(
                line, is_cursor, self.cursor_column, layout, self.visible_columns(width), self.prepared.line_digits,
                scroll_x=int(self.scroll_x), width=width, styles=styles, styles_of_cell=self._styles_of_cell)
        return strip

    def _render_header(self, width: int, styles: dict[str, Style]) -> Strip:
        header = styles["header"]
        prepared, layout = self.prepared, self._layout
        if prepared is None or layout is None:
            return Strip([Segment(" " * width, header)], width)
        label = "line" if prepared.is_lines else "field"
        top = int(self.scroll_y)
        if self.lines and 0 < top < len(self.lines):
            # the section of the top line, when its header has scrolled away
            line = self.lines[top]
            label = line if isinstance(line, str) else line.section
        return header_line(prepared, layout, self.visible_columns(width), label, cursor_column=self.cursor_column,
                           colors=self.model_colors, scroll_x=int(self.scroll_x), width=width, style=header)

    def _render_section(self, section: str, width: int, styles: dict[str, Style]) -> Strip:
        prepared = self.prepared
        info = prepared.sections.get(section) if prepared is not None else None
        return section_line(section, info, prepared is not None and prepared.is_lines, width, styles)


    # -- cursor --------------------------------------------------------------------------
    def _set_cursor(self, line: int, column: int, *, announce: bool = True) -> None:
        prepared = self.prepared
        if prepared is None:
            return
        line = self._data_line(line)
        column = max(0, min(column, len(prepared.models) - 1))
        moved = (line, column) != (self.cursor_line, self.cursor_column)
        self.cursor_line, self.cursor_column = line, column
        if self.rows:
            self.row_anchor = self.cursor_row_index
        self._follow_cursor()
        self.refresh()
        if moved and announce:
            self.post_message(self.CursorMoved(self, self.row_anchor, column))

    def _step(self, delta: int) -> int:
        """The line `delta` rows away from the cursor's, skipping headers."""
        position = self.cursor_position
        if position is None:
            return self.cursor_line
        target = max(0, min(len(self.rows) - 1, position + delta))
        return self._shown.row_line[target]

    def action_move(self, delta: int) -> None:
        self._set_cursor(self._step(delta), self.cursor_column)

    def action_page(self, direction: int) -> None:
        height = self._body_height()
        target = max(0, min(len(self.lines) - 1, self.cursor_line + direction * height))
        if direction > 0:
            target = next((j for j in range(target, len(self.lines)) if self._shown.line_row[j] >= 0), target)
        self._set_cursor(target, self.cursor_column)

    def action_move_to(self, position: int) -> None:
        if self.rows:
            self.move_to_position(len(self.rows) - 1 if position < 0 else position)

    def action_column(self, delta: int) -> None:
        self._set_cursor(self.cursor_line, self.cursor_column + delta)

    def action_column_to(self, column: int) -> None:
        count = len(self.prepared.models) if self.prepared is not None else 0
        self._set_cursor(self.cursor_line, count - 1 if column < 0 else column)

    def action_choose(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.CellChosen(self, row, self.cursor_column))

    def on_click(self, event: events.Click) -> None:
        layout = self._layout
        if layout is None or self.prepared is None:
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        column = self.cursor_column
        if offset.x >= layout.field_w:
            hit = layout.column_at(offset.x - layout.field_w + int(self.scroll_x))
            if hit is not None:
                column = hit
        if offset.y == 0:
            self._set_cursor(self.cursor_line, column)
            return
        line = int(self.scroll_y) + offset.y - 1
        if 0 <= line < len(self.lines) and self._shown.line_row[line] >= 0:
            chosen = (line, column) == (self.cursor_line, self.cursor_column) and event.chain >= 2
            self._set_cursor(line, column)
            if chosen:
                self.action_choose()
