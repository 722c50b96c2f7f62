"""The rows a diff grid shows (after hide identical and search) as its lines:
a section header line before each section's rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...core.diff import DiffRow

Line = DiffRow | str  # a str is a section header


@dataclass
class ShownRows:
    rows: list[DiffRow] = field(default_factory=list)  # in table order
    lines: list[Line] = field(default_factory=list)  # the rows with a header before each section
    row_line: list[int] = field(default_factory=list)  # rows[i] is lines[row_line[i]]
    line_row: list[int] = field(default_factory=list)  # lines[j] is rows[line_row[j]] (-1: a header)

    @classmethod
    def of(cls, rows: list[DiffRow]) -> ShownRows:
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
        return cls(rows, lines, row_line, line_row)

    def line_for_index(self, index: int, row_index: dict[int, int]) -> int:
        """The line of the shown row with table index `index` (`row_index`:
        id(row) -> table index), else of the next shown row after it, else of
        the last shown row."""
        if not self.rows:
            return 0
        for i, row in enumerate(self.rows):
            if row_index.get(id(row), -1) >= index:
                return self.row_line[i]
        return self.row_line[-1]

    def data_line(self, line: int) -> int:
        """`line`, or the nearest row line when it is a header or out of range."""
        if not self.rows:
            return 0
        line = max(0, min(line, len(self.lines) - 1))
        if self.line_row[line] >= 0:
            return line
        after = line + 1
        if after < len(self.lines) and self.line_row[after] >= 0:
            return after
        return next((j for j in range(line, -1, -1) if self.line_row[j] >= 0), self.row_line[0])
