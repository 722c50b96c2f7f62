"""The diff grid's lines as Strips: the header (the models' names), a section
header, a row. Each draws the fixed field cell, then only the columns in view
(`columns`), cut to the horizontal scroll."""

from __future__ import annotations

from functools import lru_cache

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from ...core.colors import ModelColors
from ...core.diff import CellStatus, DiffRow
from ...core.labels import fit_labels
from ...render.diff_text import fit, plain
from ..model_bar import chip_text_color
from .cells import BASE_MARK, INDENT, render_cell
from .layout import GAP, ColumnLayout
from .prepared import PreparedTable, SectionInfo
from .styles import CellStyles

# (cursor row, status, cursor cell) -> that cell's styles
StylesOfCell = Callable[[bool, CellStatus, bool], CellStyles]


@lru_cache(maxsize=16)
def _fitted_titles(titles: tuple[str, ...], widths: tuple[int, ...]) -> list[str]:
    # the header is drawn on every repaint; its titles and widths change only with the
    # layout or the cursor's column (100 models: 3 ms a fit)
    return fit_labels(titles, widths)


def header_line(prepared: PreparedTable, layout: ColumnLayout, columns: range, label: str, *,
                cursor_column: int, colors: ModelColors, scroll_x: int, width: int, style: Style) -> Strip:
    """`label` (line/field, or the section of the top line) in the field
    cell, then each column's model name."""
    fixed = [Segment(fit(plain(label), layout.field_w), style)]
    segments: list[Segment] = []
    leads = [("▸" if k == cursor_column else " ") + (BASE_MARK if k == 0 else "")
             for k in range(len(prepared.models))]
    # cut together, so that the cut keeps what tells the columns apart
    names = _fitted_titles(tuple(plain(t) for t in prepared.titles),
                           tuple(max(1, w - len(lead)) for w, lead in zip(layout.column_w, leads)))
    for k in columns:
        # a chip in the model's color, as on the compared-models bar; the
        # focused column's (what b [ ] act on) is underlined and pointed at
        model = prepared.models[k]
        color = colors[model.id]
        focused = k == cursor_column
        lead, name = leads[k], names[k]
        segments.append(Segment(" " * GAP, style))
        chip = style + Style(bgcolor=color, color=chip_text_color(color), bold=True, underline=focused)
        segments.append(Segment(fit(lead + name, layout.column_w[k]), chip))
    length = sum(layout.column_w[k] for k in columns) + GAP * len(columns)
    return join_line(fixed, segments, layout, columns, scroll_x, width, style, length)


def section_line(section: str, info: SectionInfo | None, is_lines: bool, width: int,
                 styles: dict[str, Style]) -> Strip:
    """A section's header across the whole width, with its count of rows."""
    style = styles["section"]
    segments = [Segment(plain(section), style)]
    if info is not None:
        differ = f"{info.differing} differ" if info.differing else "all identical"
        what = "line" if is_lines else "field"
        count = f"  {info.rows} {what}{'s' if info.rows != 1 else ''} · {differ}"
        segments.append(Segment(count, style + styles["section-count"]))
    return Strip(segments).extend_cell_length(width, style).crop(0, width)


def row_line(row: DiffRow, is_cursor: bool, cursor_column: int, layout: ColumnLayout, columns: range,
             line_digits: list[int], *, scroll_x: int, width: int, styles: dict[str, Style],
             styles_of_cell: StylesOfCell) -> Strip:
    """A row: its field name, then its cells in view (`cursor_column`
    marks a cell when `is_cursor`)."""
    row_style = styles["cursor-row"] if is_cursor else styles["base"]
    field_style = row_style + (styles["field"] if row.identical else styles["field-differs"])
    fixed = [Segment(fit(INDENT + plain(row.field), layout.field_w), field_style)]
    segments: list[Segment] = []
    gap = Segment(" " * GAP, row_style)
    text_line = row.kind == "text-line"
    for k in columns:
        segments.append(gap)
        found = styles_of_cell(is_cursor, row.cells[k].status, is_cursor and k == cursor_column)
        render_cell(row.cells[k], text_line, layout.value_w[k], line_digits[k], found, segments)
    # every cell is exactly its column's width: no need to measure the segments
    length = sum(layout.column_w[k] for k in columns) + GAP * len(columns)
    return join_line(fixed, segments, layout, columns, scroll_x, width, row_style, length)


def join_line(fixed: list[Segment], segments: list[Segment], layout: ColumnLayout, columns: range,
              scroll_x: int, width: int, fill: Style, length: int) -> Strip:
    """The field cell, then the scrolled part cut to the view, as one
    Strip (a Strip costs ~25 µs to create: one per line, not per cut).
    `length`: the cells of `segments`."""
    view = max(0, width - layout.field_w)
    offset = scroll_x - (layout.starts[columns.start] if len(columns) else 0)
    if offset > 0 or length > view:
        segments = list(Segment.divide(segments, [offset, offset + view]))[1]
        length = max(0, min(view, length - offset))
    out = fixed + segments
    used = layout.field_w + length
    if used < width:
        out.append(Segment(" " * (width - used), fill))
    return Strip(out, width)
