"""One cell of the diff grid: its text (glyph, line number, value cut to its
column with the changed characters kept in view) and its styles.

A cell is `glyph value`: the glyph is the one `diff_to_text` writes (≠
changed, + only here, − missing), so a reader without color loses nothing;
color only adds to it. Values longer than their column end in `…`.
"""

from __future__ import annotations

from rich.segment import Segment

from ...core.diff import CellStatus, DiffCell
from ...render.diff_text import fit, plain
from .styles import CellStyles

GLYPHS = {CellStatus.CHANGED: "≠", CellStatus.ONLY_HERE: "+", CellStatus.MISSING: "−"}
BASE_MARK = "◆ "  # as on the compared-models bar
ABSENT_TEXT = "—"
EMPTY_TEXT = "(empty)"
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


def render_cell(cell: DiffCell, text_line: bool, width: int, digits: int, styles: CellStyles,
                out: list[Segment]) -> None:
    """Append the segments of `cell` to `out`: glyph, line number (`digits`
    wide, line diffs only) and the value in exactly `width` cells."""
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
