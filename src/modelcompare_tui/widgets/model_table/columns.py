"""The models table's columns: what a cell shows, how wide each column is,
and where each column sits on a line of a given width."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size

from ...core.cells import shorten
from ...core.display import display_text
from ...core.model import MODEL_COLUMNS, ModelRow

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


def slice_cells(text: str, start: int, end: int) -> str:
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


def grow_widths(widths: dict[str, int], rows: Sequence[ModelRow]) -> None:
    """Widen the columns in `widths` to fit `rows` (never narrower: typing a
    search never shuffles columns)."""
    for column in MODEL_COLUMNS:
        spec = COLUMN_SPECS[column]
        widest = max((cell_len(cell_text(r, column)) for r in rows), default=0)
        # +2: room for the header's sort arrow
        wanted = max(spec.min_width, cell_len(spec.title) + 2, widest)
        widths[column] = max(widths[column], min(spec.max_width, wanted))


def column_layout(
    widths: dict[str, int], columns: Sequence[str], width: int
) -> tuple[int, dict[str, tuple[int, int]], int]:
    """(name width, {column: (x in the scrolled part, width)}, scrolled part width)
    of `columns` on a line `width` cells wide.
    The mark and name columns stay put; the others scroll horizontally. Spare
    room on a wide terminal is shared out evenly (a little more for names)."""
    others = [c for c in columns if c != "name"]
    # on a narrow terminal a long name must not push every other column off screen
    name_width = min(widths["name"], max(COLUMN_SPECS["name"].min_width + 8, width * 2 // 5))
    column_widths = {c: widths[c] for c in others}
    spare = width - (MARK_WIDTH + name_width + 1 + sum(w + 1 for w in column_widths.values()))
    if spare > 0:
        # the name may take back what the narrow-terminal cap kept from it
        give = min(spare, widths["name"] - name_width)
        name_width += give
        spare -= give
        share = spare // (len(others) + 2)
        for column in others:
            column_widths[column] += share
        name_width += spare - share * len(others)
    positions: dict[str, tuple[int, int]] = {}
    x = 0
    for column in others:
        positions[column] = (x, column_widths[column])
        x += column_widths[column] + 1
    return name_width, positions, x


def visible_columns(
    positions: dict[str, tuple[int, int]], view_start: int, view_end: int
) -> list[tuple[str, int, int, int]]:
    """The scrolled columns that show between `view_start` and `view_end` of the
    scrolled part, each as (column, full width, first and last visible cell)."""
    visible: list[tuple[str, int, int, int]] = []
    for column, (x, w) in positions.items():
        first, last = max(x, view_start), min(x + w + 1, view_end)
        if first < last:
            visible.append((column, w, first - x, last - x))
    return visible


def column_at(x: int, name_width: int, positions: dict[str, tuple[int, int]], scroll_x: int) -> str | None:
    """The column at cell `x` of a line (None: the mark, or past the last column)."""
    if x < MARK_WIDTH:
        return None
    if x < MARK_WIDTH + name_width + 1:
        return "name"
    sx = x - (MARK_WIDTH + name_width + 1) + scroll_x
    for column, (start, w) in positions.items():
        if start <= sx < start + w + 1:
            return column
    return None
