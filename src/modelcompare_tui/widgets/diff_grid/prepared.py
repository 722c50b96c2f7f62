"""A DiffTable measured for the grid, once per table, in the worker thread
that computed the diff (a pass over every cell the main thread must not pay)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core.diff import CellStatus, DiffTable
from ...core.labels import model_labels
from ...core.model import Model
from ...render.diff_text import plain, text_width
from .cells import INDENT


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
