"""Text cut to a number of terminal cells (no Textual: the headless renderers use it too)."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size


def shorten(text: str, width: int, *, middle: bool = False) -> str:
    """`text` cut to at most `width` cells with an ellipsis (unchanged if it fits).
    `middle`: cut in the middle, keeping the end, where model names keep what
    tells runs apart (`…-lr3e-4`)."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    if not middle or width < 8:
        return set_cell_size(text, width - 1) + "…"
    tail = min((width - 1) // 2, max(6, (width - 1) * 2 // 5))
    head = width - 1 - tail
    return set_cell_size(text, head) + "…" + _last_cells(text, tail)


def _last_cells(text: str, width: int) -> str:
    out = ""
    for ch in reversed(text):
        if cell_len(ch + out) > width:
            break
        out = ch + out
    return out
