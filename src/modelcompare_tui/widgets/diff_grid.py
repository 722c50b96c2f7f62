"""The grid of the Details and Network tabs: one column per model, every field
on its row across the columns, section header rows, a cell cursor.

A ScrollView that draws only its visible lines (toolong's approach) and, on
each line, only the columns in view: 100 models × thousands of rows cost
what the screen shows. The header line (the models' names) and the field
column stay put while the rest scrolls.

A cell is `glyph value`: the glyph is the one `diff_to_text` writes (≠
changed, + only here, − missing), so a reader without color loses nothing;
color only adds to it. Values longer than their column end in `…` (enter
shows the whole value). Line diffs show each model's own line numbers in
its column.

The cursor and the scroll: `row_anchor` is the table index of the row the
cursor stands for (the state's `cursor_row`): set by the cursor's own moves,
kept while hiding or a search hides that row (the cursor shows on the next row
shown, and comes back when the row does). The scroll is a function of the
cursor alone (`_follow_cursor`: its line centred, its column in view from
the left), never of the way there, so a state opened elsewhere shows the
same lines.

Column widths: when every column fits, each gets its natural width; else
they share the width (narrow ones keep theirs) as long as none falls below
MIN_FIT_WIDTH; else they keep their natural width up to a cap and scroll.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.strip import Strip

from ..core.colors import ModelColors
from ..core.diff import CellStatus, DiffCell, DiffRow, DiffTable
from ..core.labels import fit_labels, model_labels
from ..core.model import Model
from ..render.diff_text import fit, plain, share_widths, text_width
from .messages import CellMessage, ControlMessage
from .model_bar import chip_text_color
from .table_view import CURSOR_BINDINGS, CursorTable

GAP = 2  # between columns
GLYPHS = {CellStatus.CHANGED: "≠", CellStatus.ONLY_HERE: "+", CellStatus.MISSING: "−"}
BASE_MARK = "◆ "  # as on the compared-models bar
ABSENT_TEXT = "—"
EMPTY_TEXT = "(empty)"
MIN_FIT_WIDTH = 16  # a column narrower than this scrolls instead
MAX_SCROLL_WIDTH = 32  # widest column when columns scroll
MAX_TITLE_WIDTH = 28  # a column is at least this wide for its title (if the title is)
MIN_COLUMN_WIDTH = 10
MAX_FIELD_WIDTH = 40
MIN_FIELD_WIDTH = 10
INDENT = "  "  # field names under their section header


def shown_spans(cell: DiffCell) -> list[tuple[int, int]]:
    """The changed character ranges worth highlighting: when at least two
    thirds of the value is shared with what it is compared with (a date one
    digit apart, a path one segment apart). When less is shared, the marked
    cell says it all and scattered highlights are noise ("64" against "256")."""
    spans = cell.spans
    value = cell.value or ""
    if not spans or 3 * sum(end - start for start, end in spans) > len(value):
        return []
    return spans


def window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[str, list[tuple[int, int]]]:
    """`text` (ASCII) in exactly `width` cells with the spans in view: cut at
    the end with `…` as `fit` does, unless that hides the first change; then
    cut at the start too, keeping a little context before the change. Returns
    the text and the spans moved into it (clipped to what shows)."""
    if len(text) <= width:
        return text + " " * (width - len(text)), spans
    first = spans[0][0]
    offset = 0
    if first >= width - 1 and width >= 8:
        offset = min(first - min(width // 3, 12), len(text) - (width - 1))
        offset = max(1, offset)
    head = "…" if offset else ""
    room = width - len(head)
    body = text[offset : offset + room]
    if offset + room < len(text):
        body = body[:-1] + "…"
    shown = []
    limit = len(head) + len(body) - (1 if body.endswith("…") and offset + room < len(text) else 0)
    for start, end in spans:
        start, end = max(start - offset + len(head), len(head)), min(end - offset + len(head), limit)
        if end > start:
            shown.append((start, end))
    return head + body, shown


@dataclass
class SectionInfo:
    rows: int = 0
    differing: int = 0


@dataclass
class PreparedTable:
    """A DiffTable with what drawing it needs and costs a pass over every
    cell (done once per table, in the worker that computes the diff)."""

    table: DiffTable
    titles: list[str]
    natural: list[int]  # widest shown value per column
    line_digits: list[int]  # line-number width per column (line diffs), else 0
    field_natural: int  # widest field name (indented) or section name
    row_index: dict[int, int]  # id(row) -> its index in table.rows
    sections: dict[str, SectionInfo] = field(default_factory=dict)

    @property
    def models(self) -> list[Model]:
        return self.table.models

    @property
    def is_lines(self) -> bool:
        return self.table.kind == "lines"


WARM_ROWS = 80  # rows whose changed characters are found in the worker...
WARM_COLUMNS = 16  # ...for these first columns: the first screen then draws at once


def prepare_table(table: DiffTable) -> PreparedTable:
    """Measure the table for drawing; meant for the worker thread that
    computed it (it also finds the changed characters of the cells the first
    screen shows, which the main thread would otherwise do while drawing)."""
    n = len(table.models)
    natural = [1] * n
    line_max = [0] * n
    field_natural = 0
    sections: dict[str, SectionInfo] = {}
    lines = table.kind == "lines"
    for row in table.rows:
        info = sections.get(row.section)
        if info is None:  # (section names go on their own full-width line)
            info = sections[row.section] = SectionInfo()
        info.rows += 1
        if not row.identical:
            info.differing += 1
        field_natural = max(field_natural, len(INDENT) + text_width(plain(row.field)))
        for k, cell in enumerate(row.cells):
            value = cell.value
            if value is not None:
                w = len(value) if value.isascii() and value.isprintable() else text_width(plain(value))
                if w > natural[k]:
                    natural[k] = w
            if lines and cell.line is not None and cell.line > line_max[k]:
                line_max[k] = cell.line
    for row in table.rows[:WARM_ROWS]:
        for cell in row.cells[:WARM_COLUMNS]:
            if cell.status is CellStatus.CHANGED:
                cell.spans  # noqa: B018 - computed once, cached on the cell
    line_digits = [len(str(m)) if lines and m else 0 for m in line_max]
    if lines:
        line_digits = [max(d, 1) for d in line_digits]
    return PreparedTable(
        table=table,
        titles=model_labels(table.models),
        natural=natural,
        line_digits=line_digits,
        field_natural=max(field_natural, len(INDENT) + len("line" if lines else "field")),
        row_index={id(row): i for i, row in enumerate(table.rows)},
        sections=sections,
    )


@dataclass
class _Layout:
    field_w: int
    column_w: list[int]  # whole cell: glyph, space, [line number, space,] value
    value_w: list[int]
    starts: list[int]  # x of each column's slot (its gap) in the scrolled part
    total_w: int

    def column_at(self, x: int) -> int | None:
        """The column whose slot holds scrolled-part x."""
        if not self.starts or x < 0 or x >= self.total_w:
            return None
        return bisect_right(self.starts, x) - 1


Line = DiffRow | str  # a str is a section header


@dataclass(frozen=True)
class _CellStyles:
    """The styles of one kind of cell (status, cursor or not) on one kind of row."""

    cell: Style
    glyph: Style
    line_number: Style
    absent: Style
    span: Style


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

    COMPONENT_CLASSES = {
        "diff-grid--header",
        "diff-grid--section",
        "diff-grid--section-count",
        "diff-grid--field",
        "diff-grid--field-differs",
        "diff-grid--cursor-row",
        "diff-grid--cursor-cell",
        "diff-grid--changed",
        "diff-grid--changed-glyph",
        "diff-grid--span",
        "diff-grid--only",
        "diff-grid--only-glyph",
        "diff-grid--missing",
        "diff-grid--missing-glyph",
        "diff-grid--absent",
        "diff-grid--line-number",
        "diff-grid--empty",
    }

    DEFAULT_CSS = """
    DiffGrid {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
    }
    DiffGrid > .diff-grid--header { background: $panel; text-style: bold; }
    DiffGrid > .diff-grid--section { background: $boost; color: $text-accent; text-style: bold; }
    DiffGrid > .diff-grid--section-count { color: $text-muted; text-style: not bold; }
    DiffGrid > .diff-grid--field { color: $text-muted; }
    DiffGrid > .diff-grid--field-differs { color: $foreground; text-style: bold; }
    DiffGrid > .diff-grid--cursor-row { background: $boost; }
    DiffGrid:focus > .diff-grid--cursor-row { background: $primary 15%; }
    DiffGrid > .diff-grid--cursor-cell { background: $block-cursor-blurred-background; }
    DiffGrid:focus > .diff-grid--cursor-cell {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    DiffGrid > .diff-grid--changed { background: $warning-muted; color: $foreground; }
    DiffGrid > .diff-grid--changed-glyph { color: $text-warning; text-style: bold; }
    DiffGrid > .diff-grid--span { background: $warning 55%; color: $foreground; text-style: bold; }
    DiffGrid > .diff-grid--only { background: $success-muted; color: $foreground; }
    DiffGrid > .diff-grid--only-glyph { color: $text-success; text-style: bold; }
    DiffGrid > .diff-grid--missing { background: $error-muted; color: $foreground; }
    DiffGrid > .diff-grid--missing-glyph { color: $text-error; text-style: bold; }
    DiffGrid > .diff-grid--absent { color: $text-muted; }
    DiffGrid > .diff-grid--line-number { color: $text-muted; }
    DiffGrid > .diff-grid--empty { color: $text-muted; }
    """

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
        self.rows: list[DiffRow] = []  # shown rows, in table order
        self.lines: list[Line] = []  # shown rows with a header before each section
        self._row_line: list[int] = []  # rows[i] is lines[_row_line[i]]
        self._line_row: list[int] = []  # lines[j] is rows[_line_row[j]] (-1: a header)
        self.cursor_line = 0
        self.cursor_column = 0
        self.row_anchor: int | None = None  # the table index of the cursor's row (kept while that row is hidden)
        self.empty_text = "Comparing…"
        self._layout: _Layout | None = None
        self._styles: dict[str, Style] | None = None
        self._visible_key: tuple[_Layout, int, int] | None = None
        self._visible = range(0)
        self._cell_styles: dict[tuple[bool, CellStatus, bool], _CellStyles] = {}
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
        self.rows = rows
        lines: list[Line] = []
        row_line: list[int] = []
        line_row: list[int] = []
        section = None
        for i, row in enumerate(rows):
            if row.section != section:
                section = row.section
                lines.append(section)
                line_row.append(-1)
            row_line.append(len(lines))
            lines.append(row)
            line_row.append(i)
        self.lines, self._row_line, self._line_row = lines, row_line, line_row

    def _line_for_index(self, index: int) -> int:
        """The line of the shown row with table index `index`, else of the
        next shown row after it, else of the last shown row."""
        prepared = self.prepared
        if prepared is None or not self.rows:
            return 0
        for i, row in enumerate(self.rows):
            if prepared.row_index.get(id(row), -1) >= index:
                return self._row_line[i]
        return self._row_line[-1]

    def _data_line(self, line: int) -> int:
        """`line`, or the nearest row line when it is a header or out of range."""
        if not self.rows:
            return 0
        line = max(0, min(line, len(self.lines) - 1))
        if self._line_row[line] >= 0:
            return line
        after = line + 1
        if after < len(self.lines) and self._line_row[after] >= 0:
            return after
        return next((j for j in range(line, -1, -1) if self._line_row[j] >= 0), self._row_line[0])

    @property
    def current_row(self) -> DiffRow | None:
        if not self.rows or not 0 <= self.cursor_line < len(self.lines):
            return None
        line = self.lines[self.cursor_line]
        return line if isinstance(line, DiffRow) else None

    @property
    def cursor_position(self) -> int | None:
        """The cursor row's position in `rows`."""
        if not self.rows or not 0 <= self.cursor_line < len(self._line_row):
            return None
        position = self._line_row[self.cursor_line]
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
            self._set_cursor(self._row_line[max(0, min(position, len(self.rows) - 1))], self.cursor_column,
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

    def _compute_layout(self) -> _Layout | None:
        prepared = self.prepared
        if prepared is None:
            return None
        width = self._view_width()
        least = len(INDENT) + 4 if prepared.is_lines else MIN_FIELD_WIDTH  # line numbers are short
        field_w = max(least, min(prepared.field_natural, MAX_FIELD_WIDTH, width * 2 // 5))
        available = max(0, width - field_w)
        natural = []  # values and title whole
        bodies = []  # values whole
        for k, title in enumerate(prepared.titles):
            head = 1 + text_width(title) + (len(BASE_MARK) if k == 0 else 0)
            digits = prepared.line_digits[k]
            body = max(2 + (digits + 1 if digits else 0) + prepared.natural[k], MIN_COLUMN_WIDTH)
            bodies.append(body)
            natural.append(max(body, min(head, MAX_TITLE_WIDTH)))
        n = len(natural)
        room = available - n * GAP
        if sum(natural) <= room:
            column_w = natural
        else:
            # every column in view beats whole titles (the title is cut in its
            # middle, keeping the short id that tells same names apart)
            shared = share_widths(natural, max(0, room))
            squeezed = [w for w, want in zip(shared, natural) if w < want]
            if all(w >= body for w, body in zip(shared, bodies)) or min(squeezed) >= MIN_FIT_WIDTH:
                column_w = shared
            else:
                cap = max(MIN_FIT_WIDTH, min(MAX_SCROLL_WIDTH, available // 2 - GAP))
                column_w = [min(w, cap) for w in natural]
        value_w = [
            max(1, w - 2 - (prepared.line_digits[k] + 1 if prepared.line_digits[k] else 0))
            for k, w in enumerate(column_w)
        ]
        starts = []
        x = 0
        for w in column_w:
            starts.append(x)
            x += GAP + w
        return _Layout(field_w, column_w, value_w, starts, x)

    def _update_geometry(self) -> None:
        self._layout = layout = self._compute_layout()
        self._line_cache.clear()
        width = 0
        if layout is not None and layout.starts:
            # room to scroll the last columns to a column's start (see _first_column_with)
            view = self._view_width() - layout.field_w
            last = self._first_column_with(len(layout.starts) - 1, view)
            width = layout.field_w + max(layout.total_w, layout.starts[last] + view)
        self.virtual_size = Size(width, len(self.lines) + 1)

    def _first_column_with(self, k: int, view: int) -> int:
        """The leftmost column to scroll to so that column `k` shows whole:
        columns start at the field column's edge, with no sliver before them."""
        layout = self._layout
        assert layout is not None
        end = layout.starts[k] + GAP + layout.column_w[k]
        return next((j for j in range(k + 1) if end - layout.starts[j] <= view), k)

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
        end = start + width - layout.field_w
        first = max(0, bisect_right(layout.starts, start) - 1)
        last = bisect_right(layout.starts, max(start, end - 1)) - 1
        self._visible_key, self._visible = (layout, start, width), range(first, max(first, last) + 1)
        return self._visible

    def on_resize(self, event: events.Resize) -> None:
        self._update_geometry()
        self._follow_cursor()
        # the first layout gives the view its size only now: scroll once it is in force
        self.call_after_refresh(self._follow_cursor)

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
                x = layout.starts[self._first_column_with(k, view)]
        self.scroll_to(x=x, y=y, animate=False, immediate=True, force=True)

    # -- styles --------------------------------------------------------------------------
    def _overlay(self, name: str) -> Style:
        """A component's own properties (colors resolved against this widget,
        translucent ones blended), to lay over a row's style."""
        full = self.get_component_rich_style(name)
        own = self.get_component_rich_style(name, partial=True)
        return Style(
            color=full.color if own.color is not None else None,
            bgcolor=full.bgcolor if own.bgcolor is not None else None,
            bold=own.bold,
            dim=own.dim,
            italic=own.italic,
            underline=own.underline,
            reverse=own.reverse,
        )

    @property
    def styles_cache(self) -> dict[str, Style]:
        if self._styles is None:
            base = self.rich_style
            names = [n.removeprefix("diff-grid--") for n in self.COMPONENT_CLASSES]
            styles = {name: self._overlay(f"diff-grid--{name}") for name in names}
            styles["base"] = base
            styles["header"] = base + self.get_component_rich_style("diff-grid--header")
            styles["section"] = base + self.get_component_rich_style("diff-grid--section")
            styles["cursor-row"] = base + self.get_component_rich_style("diff-grid--cursor-row")
            self._styles = styles
        return self._styles

    def _restyle(self) -> None:
        self._styles = None
        self._cell_styles.clear()
        self._line_cache.clear()
        self.refresh()

    def _styles_of_cell(self, cursor_row: bool, status: CellStatus, cursor_cell: bool) -> _CellStyles:
        key = (cursor_row, status, cursor_cell)
        found = self._cell_styles.get(key)
        if found is not None:
            return found
        styles = self.styles_cache
        row_style = styles["cursor-row"] if cursor_row else styles["base"]
        if status is CellStatus.CHANGED:
            body, glyph = styles["changed"], styles["changed-glyph"]
        elif status is CellStatus.ONLY_HERE:
            body, glyph = styles["only"], styles["only-glyph"]
        elif status is CellStatus.MISSING:
            body, glyph = styles["missing"], styles["missing-glyph"]
        else:
            body, glyph = Style(), Style()
        cell = row_style + body
        if cursor_cell:
            cell += styles["cursor-cell"]
        # on the cursor cell the cursor's colors win over the changed characters'
        span = cell if cursor_cell else cell + styles["span"]
        found = _CellStyles(cell, cell + glyph, cell + styles["line-number"], cell + styles["absent"], span)
        self._cell_styles[key] = found
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
            strip = self._line_cache[key] = self._render_row(line, is_cursor, width, layout, styles)
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
        fixed = [Segment(fit(plain(label), layout.field_w), header)]
        segments: list[Segment] = []
        leads = [("▸" if k == self.cursor_column else " ") + (BASE_MARK if k == 0 else "")
                 for k in range(len(prepared.models))]
        # cut together, so that the cut keeps what tells the columns apart
        names = fit_labels([plain(t) for t in prepared.titles],
                           [max(1, w - len(lead)) for w, lead in zip(layout.column_w, leads)])
        for k in self.visible_columns(width):
            # a chip in the model's color, as on the compared-models bar; the
            # focused column's (what b [ ] act on) is underlined and pointed at
            model = prepared.models[k]
            color = self.model_colors[model.id]
            focused = k == self.cursor_column
            lead, name = leads[k], names[k]
            segments.append(Segment(" " * GAP, header))
            style = header + Style(bgcolor=color, color=chip_text_color(color), bold=True, underline=focused)
            segments.append(Segment(fit(lead + name, layout.column_w[k]), style))
        columns = self.visible_columns(width)
        length = sum(layout.column_w[k] for k in columns) + GAP * len(columns)
        return self._join(fixed, segments, layout, width, header, length)

    def _render_section(self, section: str, width: int, styles: dict[str, Style]) -> Strip:
        style = styles["section"]
        info = self.prepared.sections.get(section) if self.prepared is not None else None
        segments = [Segment(plain(section), style)]
        if info is not None:
            differ = f"{info.differing} differ" if info.differing else "all identical"
            what = "line" if self.prepared is not None and self.prepared.is_lines else "field"
            count = f"  {info.rows} {what}{'s' if info.rows != 1 else ''} · {differ}"
            segments.append(Segment(count, style + styles["section-count"]))
        return Strip(segments).extend_cell_length(width, style).crop(0, width)

    def _render_row(self, row: DiffRow, is_cursor: bool, width: int, layout: _Layout,
                    styles: dict[str, Style]) -> Strip:
        row_style = styles["cursor-row"] if is_cursor else styles["base"]
        field_style = row_style + (styles["field"] if row.identical else styles["field-differs"])
        fixed = [Segment(fit(INDENT + plain(row.field), layout.field_w), field_style)]
        segments: list[Segment] = []
        gap = Segment(" " * GAP, row_style)
        line_digits = self.prepared.line_digits if self.prepared is not None else []
        text_line = row.kind == "text-line"
        columns = self.visible_columns(width)
        for k in columns:
            segments.append(gap)
            cell_styles = self._styles_of_cell(is_cursor, row.cells[k].status, is_cursor and k == self.cursor_column)
            self._render_cell(row.cells[k], text_line, layout.value_w[k], line_digits[k], cell_styles, segments)
        # every cell is exactly its column's width: no need to measure the segments
        length = sum(layout.column_w[k] for k in columns) + GAP * len(columns)
        return self._join(fixed, segments, layout, width, row_style, length)

    @staticmethod
    def _render_cell(cell: DiffCell, text_line: bool, width: int, digits: int, styles: _CellStyles,
                     out: list[Segment]) -> None:
        status = cell.status
        out.append(Segment(GLYPHS.get(status, " ") + " ", styles.glyph))
        if digits:
            number = str(cell.line) if cell.line is not None else ""
            out.append(Segment(number.rjust(digits) + " ", styles.line_number))
        value = cell.value
        if value is None:
            out.append(Segment(fit(ABSENT_TEXT, width), styles.absent))
            return
        if value == "":
            out.append(Segment(fit("" if text_line else EMPTY_TEXT, width), styles.absent))
            return
        shown = plain(value)
        spans = shown_spans(cell) if status is CellStatus.CHANGED and shown is value and shown.isascii() else []
        if not spans:
            out.append(Segment(fit(shown, width), styles.cell))
            return
        text, spans = window(shown, spans, width)
        if styles.span == styles.cell:
            out.append(Segment(text, styles.cell))
            return
        at = 0
        for start, end in spans:
            if start > at:
                out.append(Segment(text[at:start], styles.cell))
            out.append(Segment(text[start:end], styles.span))
            at = end
        if at < len(text):
            out.append(Segment(text[at:], styles.cell))

    def _join(self, fixed: list[Segment], segments: list[Segment], layout: _Layout, width: int,
              fill: Style, length: int) -> Strip:
        """The field cell, then the scrolled part cut to the view, as one
        Strip (a Strip costs ~25 µs to create: one per line, not per cut).
        `length`: the cells of `segments`."""
        view = max(0, width - layout.field_w)
        columns = self.visible_columns(width)
        offset = int(self.scroll_x) - (layout.starts[columns.start] if len(columns) else 0)
        if offset > 0 or length > view:
            segments = list(Segment.divide(segments, [offset, offset + view]))[1]
            length = max(0, min(view, length - offset))
        out = fixed + segments
        used = layout.field_w + length
        if used < width:
            out.append(Segment(" " * (width - used), fill))
        return Strip(out, width)

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
        return self._row_line[target]

    def action_move(self, delta: int) -> None:
        self._set_cursor(self._step(delta), self.cursor_column)

    def action_page(self, direction: int) -> None:
        height = self._body_height()
        target = max(0, min(len(self.lines) - 1, self.cursor_line + direction * height))
        if direction > 0:
            target = next((j for j in range(target, len(self.lines)) if self._line_row[j] >= 0), target)
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
        if 0 <= line < len(self.lines) and self._line_row[line] >= 0:
            chosen = (line, column) == (self.cursor_line, self.cursor_column) and event.chain >= 2
            self._set_cursor(line, column)
            if chosen:
                self.action_choose()
