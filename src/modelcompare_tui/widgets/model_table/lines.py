"""Drawing the models table's lines: the header and one row, each from the
styles and geometry a frame shares."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...core.model import ModelQuery, ModelRow
from ...core.table_query import active_filters
from .columns import COLUMN_SPECS, MARK_WIDTH, cell_text, fit, slice_cells


@dataclass
class Frame:
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


def line(frame: Frame, mark: list[Segment], cells: dict[str, tuple[str, Style]], fill: Style) -> Strip:
    """One line: the mark, the name, then the scrolled columns that show."""
    text, style = cells["name"]
    segments = [*mark, Segment(fit(text, frame.name_width, middle=True) + " ", style)]
    for column, w, first, last in frame.visible:
        text, style = cells[column]
        cell = fit(text, w) + " "
        if first or last < w + 1:
            cell = slice_cells(cell, first, last)
        segments.append(Segment(cell, style))
    used = MARK_WIDTH + frame.name_width + 1 + sum(last - first for _, _, first, last in frame.visible)
    if used < frame.width:
        segments.append(Segment(" " * (frame.width - used), fill))
    return Strip(segments, frame.width).crop(0, frame.width)


def header_line(frame: Frame, columns: Sequence[str], query: ModelQuery, cursor_column: str) -> Strip:
    """The titles, each with its sort arrow and filter mark."""
    header = frame.base + frame.header
    cursor = header + frame.header_cursor
    active = header + frame.header_active
    sort = query.sort
    filtered = {f.column for f in active_filters(query)}
    cells: dict[str, tuple[str, Style]] = {}
    for column in columns:
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
    return line(frame, [Segment(" " * MARK_WIDTH, header)], cells, header)


def row_line(
    frame: Frame,
    row: ModelRow | None,
    columns: Sequence[str],
    *,
    cursor_column: str | None,
    selected: bool,
    pinned: bool,
    color: str | None,
) -> Strip:
    """One model's line (`row` None: its page is still on its way).
    `cursor_column`: the cursor's column on the cursor's row, else None;
    `color`: the model's color when it is compared."""
    row_style = frame.base
    if selected:
        row_style = row_style + frame.selected
    if cursor_column is not None:
        row_style = row_style + frame.cursor_row
    if row is None:
        loading = row_style + frame.muted
        cells = {column: ("…" if column == "name" else "", loading) for column in columns}
        return line(frame, [Segment(" " * MARK_WIDTH, row_style)], cells, row_style)
    name_style = row_style + frame.pinned if pinned else row_style
    mark = [Segment("✓" if selected else " ", row_style)]
    if color is not None:
        mark.append(Segment("●", row_style + Style(color=color)))
    else:
        mark.append(Segment(" ", row_style))
    mark.append(Segment(" ", row_style))
    cells = {column: (cell_text(row, column), row_style) for column in columns}
    cells["name"] = (cells["name"][0], name_style)
    if cursor_column is not None:
        cells[cursor_column] = (cells[cursor_column][0], row_style + frame.cursor_cell)
    return line(frame, mark, cells, row_style)
