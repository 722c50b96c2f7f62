"""The Values table of the Scalars tab: one row per metric/variant, one column
per model.

A ScrollView drawing only its visible lines (toolong's approach), so a
thousand metrics cost what twenty do. The header line and the marker /
metric / variant columns stay put while the model columns scroll sideways.
The cell texts of every row are formatted once per table and options
(Last/Min/Max, extremes, Δ): column widths need them all, and switching
re-formats in a few milliseconds.

A cell shows the value at 6 significant digits (the exact one is a key
away: enter), then with Δ its change against the base column, then with
extremes ▲ on the row's maximum and ▼ on its minimum. Values line up on
their last digit whatever follows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.strip import Strip

from ..core.colors import ModelColors
from ..core.display import display_text
from ..core.labels import fit_labels, uncut_widths
from ..core.scalars import (
    EQUAL_MARK,
    MAX_GLYPH,
    MIN_GLYPH,
    MISSING_TEXT,
    ValueRow,
    ValueTable,
    format_delta,
    format_number,
)
from ..render.value_text import label_floors, narrowed_label_widths, widened_label_widths
from .messages import CellMessage
from .model_table import fit
from .table_view import CURSOR_BINDINGS, CursorTable

GAP = 2
MARK_WIDTH = 2  # "=" and a space
MORE_WIDTH = 4  # "+12›": how many model columns lie beyond the right edge
MAX_METRIC_WIDTH = 32
MAX_VARIANT_WIDTH = 28
MAX_LABEL_WIDTH = 24
SIGNIFICANT_DIGITS = 6


@dataclass
class _Layout:
    metric_w: int
    variant_w: int
    value_w: list[int]  # the number part of each model column
    delta_w: list[int]  # "(+2.5%)" part, 0 when no delta shown in the column
    glyph_w: list[int]  # 1 when the column shows a ▲/▼ somewhere
    column_w: list[int]  # whole model columns
    fixed_w: int  # marker + metric + variant + gap
    numbers: list[list[str]]
    deltas: list[list[str]]

    @property
    def scrolled_w(self) -> int:
        return sum(w + GAP for w in self.column_w)


class ValueTableView(CursorTable, can_focus=True):
    """The Values table; the Scalars body feeds it ValueTables."""

    HELP_TITLE = "Values table"

    BINDINGS = [
        Binding("enter", "choose", "Exact value", tooltip="The cell's exact value, its Last/Min/Max and iterations",
                id="value_table.exact_value"),
        *CURSOR_BINDINGS,
    ]

    COMPONENT_CLASSES = {
        "value-table--header",
        "value-table--cursor-row",
        "value-table--cursor-cell",
        "value-table--equal",
        "value-table--missing",
        "value-table--max",
        "value-table--min",
        "value-table--better",
        "value-table--worse",
        "value-table--same",
        "value-table--empty",
        "value-table--more",
    }

    DEFAULT_CSS = """
    ValueTableView {
        height: 1fr;
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
        overflow-x: hidden;  /* ← → move between columns; the header's ‹ › say more are there */
    }
    ValueTableView > .value-table--header { background: $panel; text-style: bold; }
    ValueTableView > .value-table--cursor-row { background: $boost; }
    ValueTableView > .value-table--cursor-cell { background: $block-cursor-blurred-background; }
    ValueTableView:focus > .value-table--cursor-row { background: $primary 15%; }
    ValueTableView:focus > .value-table--cursor-cell {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    ValueTableView > .value-table--equal { color: $text-accent; text-style: bold; }
    ValueTableView > .value-table--missing { color: $text-muted; }
    ValueTableView > .value-table--max { color: $text-primary; text-style: bold; }
    ValueTableView > .value-table--min { color: $text-warning; text-style: bold; }
    ValueTableView > .value-table--better { color: $text-success; }
    ValueTableView > .value-table--worse { color: $text-error; }
    ValueTableView > .value-table--same { color: $text-muted; }
    ValueTableView > .value-table--empty { color: $text-muted; }
    ValueTableView > .value-table--more { color: $text-accent; text-style: bold; }
    """

    class CursorMoved(CellMessage["ValueTableView", "ValueRow | None"]):
        """The cursor is on another row or column."""

    class CellChosen(CellMessage["ValueTableView", ValueRow]):
        """enter on a cell: show its exact value."""

    def __init__(self, colors: ModelColors, *, name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.model_colors = colors
        self.table: ValueTable | None = None
        self.extremes = False
        self.delta = False
        self.cursor_row = 0
        self.cursor_column = 0
        # the row the cursor stands for ("metric/variant"), also while a filter shows no row
        self.row_key: str | None = None
        self.empty_text = "Loading scalars…"
        self._layout: _Layout | None = None
        self._layout_width = 0  # the width the layout was made for

    # -- data --------------------------------------------------------------------------
    def set_table(self, table: ValueTable | None, *, extremes: bool, delta: bool, keep: str | None = None) -> None:
        """Show `table`; the cursor stays on the row `keep` ("metric/variant",
        default: the row the cursor stands for, see `row_key`) when the new table
        has it, else goes to the first row (and says so: CursorMoved)."""
        if keep is None:
            keep = self.row_key
        self.table = table
        self.extremes = extremes
        self.delta = delta
        self._layout = self._compute_layout() if table is not None else None
        rows = table.rows if table is not None else ()
        index = next((i for i, r in enumerate(rows) if r.key == keep), None) if keep else None
        # not a function of the old row's index: the state holds the key, and a
        # fresh app opened from it must land on the same row
        self.cursor_row = index if index is not None else 0
        if table is not None:
            self.cursor_column = min(self.cursor_column, max(0, len(table.labels) - 1))
        moved = False
        if rows:
            moved = keep is not None and index is None
            self.row_key = rows[self.cursor_row].key
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self.refresh()
        if moved:
            self.post_message(self.CursorMoved(self, self.current_row, self.cursor_column))

    def set_options(self, *, extremes: bool, delta: bool) -> None:
        if (extremes, delta) != (self.extremes, self.delta):
            self.set_table(self.table, extremes=extremes, delta=delta)

    def move_to_key(self, key: str) -> bool:
        if self.table is None:
            return False
        for i, row in enumerate(self.table.rows):
            if row.key == key:
                self._set_cursor(i, self.cursor_column, announce=False)
                return True
        return False

    def move_to_series(self, key: str, column: int | None = None) -> None:
        """The cursor to `key`'s row, or (a Graph key per metric: "loss") to its
        metric's first row, or to the first row: where the cursor lands is a
        function of the key alone, never of where it was; and to `column`."""
        if self.table is None:
            return
        if column is not None:
            self.cursor_column = max(0, min(column, len(self.table.labels) - 1))
        if not self.table.rows:
            self.row_key = key or None  # the row to find when a filter shows rows again
            return
        if key and self.move_to_key(key):
            return
        metric = key.split("/", 1)[0] if key else None
        index = next((i for i, r in enumerate(self.table.rows) if metric and r.metric == metric), 0)
        self._set_cursor(index, self.cursor_column, announce=False)

    @property
    def current_row(self) -> ValueRow | None:
        if self.table is None or not self.table.rows:
            return None
        return self.table.rows[min(self.cursor_row, len(self.table.rows) - 1)]

    def _compute_layout(self) -> _Layout:
        table = self.table
        assert table is not None
        n = len(table.labels)
        numbers = [[format_number(v, SIGNIFICANT_DIGITS, MISSING_TEXT) for v in r.values] for r in table.rows]
        if self.delta:
            deltas = [[f"({format_delta(d)})" if d is not None else "" for d in r.deltas] for r in table.rows]
        else:
            deltas = [[""] * n for _ in table.rows]
        value_w = [max((cell_len(row[i]) for row in numbers), default=1) for i in range(n)]
        delta_w = [max((cell_len(row[i]) for row in deltas), default=0) for i in range(n)]
        glyph_w = [0] * n
        if self.extremes:
            for r in table.rows:
                for i in (*r.max_indices, *r.min_indices):
                    glyph_w[i] = 1
        body_w = [value_w[i] + (delta_w[i] + 1 if delta_w[i] else 0) + (glyph_w[i] + 1 if glyph_w[i] else 0)
                  for i in range(n)]
        labels = [display_text(label) for label in table.labels]
        column_w = [max(body_w[i], min(cell_len(label), MAX_LABEL_WIDTH), 1) for i, label in enumerate(labels)]
        metric_w = min(MAX_METRIC_WIDTH, max([len("metric")] + [cell_len(display_text(r.metric)) for r in table.rows]))
        variant_w = min(MAX_VARIANT_WIDTH,
                        max([len("variant")] + [cell_len(display_text(r.variant)) for r in table.rows]))
        fixed_w = MARK_WIDTH + metric_w + GAP + variant_w
        # labels cut (towards …lr1e-5) before a model column has to be scrolled to: every
        # model side by side where their values fit, as the headless table does
        room = self.scrollable_content_region.width - fixed_w - 1  # a cell for the › marker
        if room > 0 and sum(GAP + w for w in column_w) > room:
            floors = label_floors(labels, body_w)
            narrow = narrowed_label_widths(column_w, floors, room)
            spare = room - sum(GAP + w for w in narrow)
            column_w = widened_label_widths(narrow, column_w, uncut_widths(labels), spare)
        self._layout_width = self.scrollable_content_region.width
        return _Layout(metric_w, variant_w, value_w, delta_w, glyph_w, column_w, fixed_w, numbers, deltas)

    # -- geometry ------------------------------------------------------------------------
    def _update_virtual_size(self) -> None:
        layout = self._layout
        rows = len(self.table.rows) if self.table is not None else 0
        # room to scroll any column to the left edge (there is no horizontal scrollbar to show it)
        width = layout.fixed_w + 2 * layout.scrolled_w if layout is not None else 0
        self.virtual_size = Size(width, rows + 1)

    def _scroll_cursor_into_view(self) -> None:
        """Scroll to where the cursor says, whatever the way there (as the
        Details grid does): its row in the middle of the view (or the view at an
        end of the rows), its column in view from the left edge on, scrolled by
        whole columns. The state holds the cursor, not the scroll: a state
        opened elsewhere must show the same lines."""
        region = self.scrollable_content_region
        if not self.is_mounted or region.width <= 0 or region.height <= 0:
            return  # not laid out yet: on_resize comes back here
        height = self._body_height()
        rows = len(self.table.rows) if self.table is not None else 0
        y = max(0, min(self.cursor_row - (height - 1) // 2, rows - height))
        x = 0
        layout = self._layout
        if layout is not None and layout.column_w:
            # whole columns: scroll to a column's start, never into a number
            starts = [0]
            for w in layout.column_w:
                starts.append(starts[-1] + w + GAP)
            c = min(self.cursor_column, len(layout.column_w) - 1)
            view = region.width - layout.fixed_w - MORE_WIDTH  # room for the "+2›" marker
            if starts[c + 1] > view:
                first = next((k for k in range(c + 1) if starts[c + 1] - starts[k] <= view), c)
                x = starts[first]
        self.scroll_to(x=x, y=y, animate=False, immediate=True, force=True)

    def on_resize(self, event: events.Resize) -> None:
        if self.table is not None and self.scrollable_content_region.width != self._layout_width:
            self._layout = self._compute_layout()
        self._update_virtual_size()
        self.call_after_refresh(self._scroll_cursor_into_view)

    # -- drawing -------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._render_header(width)
        table, layout = self.table, self._layout
        index = int(self.scroll_y) + y - 1
        if table is None or layout is None or not table.rows:
            if y == 2:
                muted = base + self.get_component_rich_style("value-table--empty")
                return Strip([Segment(fit("  " + self._empty_message(), width), muted)], width)
            return Strip.blank(width, base)
        if index >= len(table.rows):
            return Strip.blank(width, base)
        return self._render_row(index, width, base)

    def _empty_message(self) -> str:
        table = self.table
        if table is None:
            return self.empty_text
        if table.metric_filter and table.total_rows:
            return display_text(f"No metric matches {table.metric_filter!r} (/ edits the filter)")
        return "These models report no scalars"

    def _render_header(self, width: int) -> Strip:
        header = self.get_component_rich_style("value-table--header")
        table, layout = self.table, self._layout
        if table is None or layout is None:
            return Strip([Segment(fit("", width), header)], width)
        fixed = Strip([Segment(" " * MARK_WIDTH + fit("metric", layout.metric_w) + " " * GAP
                               + fit("variant", layout.variant_w), header)])
        segments = []
        # models' names (data), cut together so that the cut keeps what tells them apart
        labels = fit_labels([display_text(label) for label in table.labels], layout.column_w)
        for i, text in enumerate(labels):
            w = layout.column_w[i]
            # the label ends over the values' last digit when it fits there
            digits_end = w - self._tail_width(i)
            cell = text.rjust(digits_end).ljust(w) if cell_len(text) <= digits_end else text.rjust(w)
            style = header + Style(color=self.model_colors[table.models[i].id], bold=True)
            segments.append(Segment(" " * GAP, header))
            segments.append(Segment(fit(cell, w), style))
        strip = self._join(fixed, segments, layout, width, header)
        # ‹ and "+2›" where model columns lie beyond the edges: a view that cannot
        # show every model says how many it hides (→ or l shows them)
        _, hidden_right = self.hidden_columns(width)
        more_left = self.scroll_x > 0
        more_right = hidden_right > 0
        if not (more_left or more_right):
            return strip
        marker = header + self.get_component_rich_style("value-table--more")
        parts = [strip.crop(0, layout.fixed_w)]
        start = layout.fixed_w
        if more_left:
            parts.append(Strip([Segment("‹", marker)]))
            start += 1
        right = f"+{hidden_right}›".rjust(MORE_WIDTH) if more_right else ""
        end = width - len(right)
        parts.append(strip.crop(start, end))
        if more_right:
            parts.append(Strip([Segment(right, marker)]))
        return Strip.join(parts).crop(0, width)

    def _tail_width(self, i: int) -> int:
        """Cells after the number in column `i`: the delta and the glyph."""
        layout = self._layout
        assert layout is not None
        return (layout.delta_w[i] + 1 if layout.delta_w[i] else 0) + (layout.glyph_w[i] + 1 if layout.glyph_w[i] else 0)

    def _render_row(self, index: int, width: int, base: Style) -> Strip:
        table, layout = self.table, self._layout
        assert table is not None and layout is not None
        row = table.rows[index]
        is_cursor = index == self.cursor_row
        row_style = base + self.get_component_rich_style("value-table--cursor-row") if is_cursor else base
        cursor_cell = row_style + self.get_component_rich_style("value-table--cursor-cell")
        mark_style = row_style + self.get_component_rich_style("value-table--equal")
        fixed = Strip([
            Segment((EQUAL_MARK if row.all_equal else " ").ljust(MARK_WIDTH), mark_style),
            Segment(fit(display_text(row.metric), layout.metric_w) + " " * GAP
                    + fit(display_text(row.variant), layout.variant_w), row_style),
        ])
        missing = self.get_component_rich_style("value-table--missing")
        max_style = self.get_component_rich_style("value-table--max")
        min_style = self.get_component_rich_style("value-table--min")
        verdicts = {
            "better": self.get_component_rich_style("value-table--better"),
            "worse": self.get_component_rich_style("value-table--worse"),
        }
        same = self.get_component_rich_style("value-table--same")
        segments: list[Segment] = []
        for i in range(len(table.labels)):
            w = layout.column_w[i]
            cell_base = cursor_cell if is_cursor and i == self.cursor_column else row_style
            segments.append(Segment(" " * GAP, row_style))
            value = row.values[i]
            number = layout.numbers[index][i]
            tail = self._tail_width(i)
            pad = w - tail - layout.value_w[i]
            parts: list[Segment] = [Segment(" " * pad, cell_base)]
            if value is None:
                parts.append(Segment(number.rjust(layout.value_w[i]), cell_base + missing))
                parts.append(Segment(" " * tail, cell_base))
                segments.extend(parts)
                continue
            is_max = self.extremes and i in row.max_indices
            is_min = self.extremes and not is_max and i in row.min_indices
            extreme = max_style if is_max else min_style if is_min else None
            parts.append(Segment(number.rjust(layout.value_w[i]), cell_base + extreme if extreme else cell_base))
            if layout.delta_w[i]:
                text = layout.deltas[index][i]
                d = row.deltas[i] if self.delta else None
                style = verdicts.get(d.verdict, same) if d is not None and d.verdict else same
                parts.append(Segment(" " + text.ljust(layout.delta_w[i]), cell_base + style))
            if layout.glyph_w[i]:
                glyph = MAX_GLYPH if is_max else MIN_GLYPH if is_min else " "
                parts.append(Segment(" " + glyph, cell_base + extreme if extreme else cell_base))
            segments.extend(parts)
        return self._join(fixed, segments, layout, width, row_style)

    @staticmethod
    def _visible_end(layout: _Layout, start: int, end: int) -> int:
        """Where the drawn model columns end: whole columns only (a number cut at
        the edge would read as another number), leaving room for the header's
        "+2›" when columns lie beyond the right edge."""
        if layout.scrolled_w <= end:
            return end
        ends = [e for e in accumulate(GAP + w for w in layout.column_w) if start < e <= end - MORE_WIDTH]
        return ends[-1] if ends else end

    def hidden_columns(self, width: int | None = None) -> tuple[int, int]:
        """How many model columns lie beyond the left and the right edge."""
        layout = self._layout
        if layout is None:
            return 0, 0
        width = self.scrollable_content_region.width if width is None else width
        start = int(self.scroll_x)
        stop = self._visible_end(layout, start, start + max(0, width - layout.fixed_w))
        bounds = list(accumulate(GAP + w for w in layout.column_w))
        left = sum(1 for e in bounds if e <= start)
        right = sum(1 for e in bounds if e > stop)
        return left, right

    def _join(self, fixed: Strip, segments: list[Segment], layout: _Layout, width: int, fill: Style) -> Strip:
        fixed = fixed.extend_cell_length(layout.fixed_w, fill).crop(0, layout.fixed_w)
        scrolled = Strip(segments)
        view = max(0, width - layout.fixed_w)
        start = int(self.scroll_x)
        end = start + view
        scrolled = scrolled.crop(start, self._visible_end(layout, start, end))
        return Strip.join([fixed, scrolled]).extend_cell_length(width, fill).crop(0, width)

    # -- cursor --------------------------------------------------------------------------
    def _set_cursor(self, row: int, column: int, *, announce: bool = True) -> None:
        table = self.table
        if table is None or not table.rows:
            return
        row = max(0, min(row, len(table.rows) - 1))
        column = max(0, min(column, len(table.labels) - 1))
        moved = (row, column) != (self.cursor_row, self.cursor_column)
        self.cursor_row, self.cursor_column = row, column
        self.row_key = table.rows[row].key
        self._scroll_cursor_into_view()
        self.refresh()
        if moved and announce:
            self.post_message(self.CursorMoved(self, self.current_row, column))

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor_row + delta, self.cursor_column)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor_row + direction * self._body_height(), self.cursor_column)

    def action_move_to(self, row: int) -> None:
        rows = len(self.table.rows) if self.table is not None else 0
        self._set_cursor(rows - 1 if row < 0 else row, self.cursor_column)

    def action_column(self, delta: int) -> None:
        self._set_cursor(self.cursor_row, self.cursor_column + delta)

    def action_choose(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.CellChosen(self, row, self.cursor_column))

    def on_click(self, event: events.Click) -> None:
        layout, table = self._layout, self.table
        if layout is None or table is None:
            return
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = int(self.scroll_y) + offset.y - 1
        column = self.cursor_column
        x = offset.x - layout.fixed_w
        if x >= 0:
            x += int(self.scroll_x)
            edge = 0
            for i, w in enumerate(layout.column_w):
                edge += GAP + w
                if x < edge:
                    column = i
                    break
        if row < len(table.rows):
            chosen = (row, column) == (self.cursor_row, self.cursor_column) and event.chain >= 2
            self._set_cursor(row, column)
            if chosen:
                self.action_choose()
