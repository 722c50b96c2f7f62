"""The diff grid's column widths, and which columns a scroll shows.

When every column fits, each gets its natural width; else they share the
width (narrow ones keep theirs) as long as none falls below MIN_FIT_WIDTH;
else they keep their natural width up to a cap and scroll.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from ...render.diff_text import share_widths, text_width
from .cells import BASE_MARK, INDENT
from .prepared import PreparedTable

GAP = 2  # between columns
MIN_FIT_WIDTH = 16  # a column narrower than this scrolls instead
MAX_SCROLL_WIDTH = 32  # widest column when columns scroll
MAX_TITLE_WIDTH = 28  # a column is at least this wide for its title (if the title is)
MIN_COLUMN_WIDTH = 10
MAX_FIELD_WIDTH = 40
MIN_FIELD_WIDTH = 10


@dataclass
class ColumnLayout:
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

    def first_column_with(self, k: int, view: int) -> int:
        """The leftmost column to scroll to so that column `k` shows whole:
        columns start at the field column's edge, with no sliver before them."""
        end = self.starts[k] + GAP + self.column_w[k]
        return next((j for j in range(k + 1) if end - self.starts[j] <= view), k)

    def columns_in_view(self, start: int, width: int) -> range:
        """The columns (wholly or partly) in a view `width` wide scrolled to `start`."""
        if not self.starts:
            return range(0)
        end = start + width - self.field_w
        first = max(0, bisect_right(self.starts, start) - 1)
        last = bisect_right(self.starts, max(start, end - 1)) - 1
        return range(first, max(first, last) + 1)


def compute_layout(prepared: PreparedTable, width: int) -> ColumnLayout:
    """The columns of `prepared` in a view `width` cells wide."""
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
    return ColumnLayout(field_w, column_w, value_w, starts, x)
