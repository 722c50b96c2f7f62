"""The Plots tab's panels shown per model (heatmaps, confusion matrices,
text) and merged tables, drawn as rich renderables at the width they get.
Never Textual."""


from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.labels import fit_labels
from ..core.colors import ModelColors, hex_to_rgb
from ..core.display import display_text
from ..core.model import Model
from ..core.plotmerge import (
    MergedTable,
    PlotPanel,
)
from ..core.plural import counted
from ..core.scalars import format_number

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


from .raster import (
    MISSING_STYLE,
    clip_cells,
)
from .ticks import axis_fraction, tick_text


MAX_TABLE_ROWS = 200
MAX_TEXT_LINES = 40
MAX_MATRIX_SIDE = 30


def readable_cell(text: str) -> str:
    """A table cell as shown: a long float ("0.8200000000000001", exact in the
    data) at 6 significant digits; anything else as it is."""
    if len(text) <= 8:
        return text
    try:
        value = float(text)
    except ValueError:
        return text
    return format_number(value, 6)


def merged_table_renderable(table: MergedTable, models: Sequence[Model], colors: ModelColors, *, color: bool = True,
                            max_rows: int = MAX_TABLE_ROWS) -> Any:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    grid = Table(show_header=True, header_style="bold" if color else "", box=None, padding=(0, 1), pad_edge=False)
    # data as Text, never as a str: rich would parse a str as markup
    for name in table.columns:
        grid.add_column(Text(display_text(name)), overflow="fold")
    for row, model_index in list(zip(table.rows, table.row_models))[:max_rows]:
        style = colors[models[model_index].id] if color else ""
        grid.add_row(Text(display_text(row[0]), style=style), *(Text(display_text(readable_cell(c))) for c in row[1:]))
    if len(table.rows) > max_rows:
        return Group(grid, Text(f"… {counted(len(table.rows) - max_rows, 'more row')}", style=MISSING_STYLE))
    return grid


def _heat_fraction(value: float, lo: float, hi: float, counts: bool) -> float:
    """Where `value` lies from `lo` (0) to `hi` (1). Counts (a confusion matrix)
    on a log scale: a handful of mistakes beside hundreds of hits stays visible."""
    if counts and lo >= 0:
        return math.log1p(value - lo) / math.log1p(hi - lo)
    return min(1.0, max(0.0, axis_fraction(value, lo, hi)))


def _heat_style(value: float, lo: float, hi: float, base: str, counts: bool = False) -> str:
    """Background from near-transparent to the model's color by value."""
    if not math.isfinite(value) or hi <= lo:
        return ""
    t = _heat_fraction(value, lo, hi, counts)
    r, g, b = hex_to_rgb(base)
    # blend towards mid-grey so both dark and light backgrounds keep contrast
    mix = 0.15 + 0.85 * t
    r, g, b = (int(128 + (c - 128) * mix) for c in (r, g, b))
    fg = "black" if (0.299 * r + 0.587 * g + 0.114 * b) > 140 else "white"
    return f"{fg} on #{r:02x}{g:02x}{b:02x}"


PANEL_GAP = 3  # cells between panels side by side
MATRIX_LABEL_WIDTH = 12
MATRIX_HEADER_WIDTH = 8  # a number column widens to show this much of its label
_SHADES = " ░▒▓█"  # plain text: a shaded cell's glyph, low to high
_SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


def compact_number(value: float, width: int) -> str | None:
    """The most precise text of `value` that fits `width` cells, or None: a whole
    number as it is ("214"), else fewer significant digits, else with a k/M/G
    suffix ("5.6k"); never cut. "nan"/"inf" as such when they fit."""
    if not math.isfinite(value):
        text = format_number(value)
        return text if len(text) <= width else None
    if value == int(value) and abs(value) < 1e15:
        text = str(int(value))
        if len(text) <= width:
            return text
    else:
        for sig in (4, 3, 2, 1):
            text = format_number(value, sig)
            if len(text) <= width and "e" not in text:
                return text
    for scale, suffix in _SI:
        if abs(value) >= scale:
            for sig in (3, 2, 1):
                text = format_number(value / scale, sig) + suffix
                if len(text) <= width and "e" not in text:
                    return text
            break
    text = format_number(value, 2)
    return text if len(text) <= width else None


@dataclass(frozen=True)
class MatrixStyle:
    """How a group's matrices are drawn: numbers in `cell_w` cells, or shaded
    (`cell_w` cells of colour, no number) when no number width fits."""

    cell_w: int
    shaded: bool


def _shown(panel: PlotPanel) -> tuple[int, int]:
    assert panel.matrix is not None
    rows, cols = panel.matrix.shape if panel.matrix.ndim == 2 else (0, 0)
    return min(rows, MAX_MATRIX_SIDE), min(cols, MAX_MATRIX_SIDE)


def _matrix_label_w(panel: PlotPanel) -> int:
    rows, _ = _shown(panel)
    return min(MATRIX_LABEL_WIDTH, max((len(display_text(label)) for label in panel.y_labels[:rows]), default=1))


def _fits_numbers(panel: PlotPanel, cell_w: int) -> bool:
    assert panel.matrix is not None
    rows, cols = _shown(panel)
    return all(compact_number(float(v), cell_w) is not None for v in panel.matrix[:rows, :cols].ravel())


def _matrix_width(panel: PlotPanel, style: MatrixStyle) -> int:
    _, cols = _shown(panel)
    return _matrix_label_w(panel) + 1 + cols * style.cell_w + (0 if style.shaded else cols - 1)


def matrix_style(panels: Sequence[PlotPanel], width: int, *, prefer_numbers: bool = False) -> MatrixStyle:
    """Numbers side by side when they fit (shrinking their precision, never
    cutting one); else, for several models, shaded cells side by side (a
    comparison reads best side by side; `prefer_numbers`, as a maximised plot
    does, stacks the numbers instead); else numbers stacked; else shaded."""
    matrices = [p for p in panels if p.matrix is not None and p.matrix.size and p.matrix.ndim == 2]
    if not matrices:
        return MatrixStyle(3, False)
    exact = max(len(compact_number(float(v), 99) or "") for p in matrices
                for v in p.matrix[:_shown(p)[0], :_shown(p)[1]].ravel())  # type: ignore[index]
    number_styles = [MatrixStyle(w, False) for w in range(max(1, exact), 0, -1)
                     if all(_fits_numbers(p, w) for p in matrices)]
    shaded = next((MatrixStyle(w, True) for w in (2, 1)
                   if max(_matrix_width(p, MatrixStyle(w, True)) for p in matrices) <= width), MatrixStyle(1, True))

    def row_of(style: MatrixStyle) -> int:
        w = max(_matrix_width(p, style) for p in matrices)
        return (width + PANEL_GAP) // (w + PANEL_GAP)

    def with_headers(style: MatrixStyle) -> MatrixStyle:
        # columns as wide as their labels (up to 8 cells) while as many matrices fit a row
        header_w = max((len(display_text(label)) for p in matrices for label in p.x_labels[:MAX_MATRIX_SIDE]),
                       default=0)
        for w in range(min(MATRIX_HEADER_WIDTH, header_w), style.cell_w, -1):
            if min(len(matrices), row_of(MatrixStyle(w, False))) >= min(len(matrices), row_of(style)):
                return MatrixStyle(w, False)
        return style

    side_by_side = min(2, len(matrices))
    for style in number_styles:
        if row_of(style) >= side_by_side:
            return with_headers(style)
    if side_by_side > 1 and not prefer_numbers and row_of(shaded) >= 2:
        return shaded
    for style in number_styles:
        if row_of(style) >= 1:
            return with_headers(style)
    return shaded


def _shade_glyph(value: float, lo: float, hi: float, counts: bool) -> str:
    """Plain text's shade of a cell; anything above the lowest value shows."""
    if not math.isfinite(value) or hi <= lo:
        return _SHADES[0]
    t = _heat_fraction(value, lo, hi, counts)
    top = len(_SHADES) - 1
    return _SHADES[0] if value <= lo else _SHADES[max(1, min(top, int(round(t * top))))]


def _matrix_renderable(panel: PlotPanel, model_color: str, style: MatrixStyle, color: bool) -> list[Any]:
    from rich.table import Table
    from rich.text import Text

    matrix = panel.matrix
    assert matrix is not None
    rows, cols = matrix.shape
    shown_r, shown_c = _shown(panel)
    finite = matrix[np.isfinite(matrix)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    label_w = _matrix_label_w(panel)
    counts = panel.kind == "confusion_matrix"
    grid = Table(show_header=not style.shaded, header_style="dim" if color else "", box=None,
                 padding=(0, 0, 0, 0 if style.shaded else 1), pad_edge=False)
    grid.add_column("", style="dim" if color else "", no_wrap=True, width=label_w + (1 if style.shaded else 0))
    for c in range(shown_c):
        # the header cut to its column: the columns follow the rows' order in a confusion matrix
        header = display_text(panel.x_labels[c]) if c < len(panel.x_labels) else ""
        grid.add_column(Text(header[:style.cell_w]), justify="right", no_wrap=True, width=style.cell_w)
    for r in range(shown_r):
        cells = []
        for c in range(shown_c):
            v = float(matrix[r, c])
            heat = _heat_style(v, lo, hi, model_color, counts) if color else ""
            if style.shaded:
                text = " " * style.cell_w if color else _shade_glyph(v, lo, hi, counts) * style.cell_w
            else:
                text = compact_number(v, style.cell_w) or ""
            cells.append(Text(text, style=heat))
        label = display_text(panel.y_labels[r]) if r < len(panel.y_labels) else ""
        grid.add_row(Text(clip_cells(label, label_w) + (" " if style.shaded else "")), *cells)
    parts: list[Any] = [grid]
    if style.shaded:
        parts.append(Text(f"{tick_text(lo)}–{tick_text(hi)}", style=MISSING_STYLE, no_wrap=True))
    if shown_r < rows or shown_c < cols:
        parts.append(Text(f"{rows}×{cols}, first {shown_r}×{shown_c} shown", style=MISSING_STYLE, no_wrap=True,
                          overflow="ellipsis"))
    return parts


def _matrices_note(panels: Sequence[PlotPanel], style: MatrixStyle) -> str:
    """What the matrices' layout needs said once, below them all."""
    kinds = {p.kind for p in panels if p.matrix is not None}
    notes = []
    if "confusion_matrix" in kinds:
        notes.append("rows: actual · columns: predicted")
    if style.shaded and kinds:
        notes.append("shaded from each matrix's lowest to its highest value"
                     + (" (counts on a log scale)" if "confusion_matrix" in kinds else "")
                     + "; numbers when wider or maximised")
    return " · ".join(notes)


def panel_renderable(panel: PlotPanel, colors: ModelColors, *, color: bool = True, label: str | None = None,
                     style: MatrixStyle | None = None) -> Any:
    """One model's heatmap, confusion matrix or text, titled with its model
    (`label`: the model's label as cut for the group, default its full label)."""
    from rich.console import Group
    from rich.text import Text

    model_color = colors[panel.model_id]
    title = Text(display_text(panel.label if label is None else label), style=f"bold {model_color}" if color else "",
                 no_wrap=True, overflow="ellipsis")
    title.append(f" · it. {panel.iteration}", style=MISSING_STYLE)
    if panel.matrix is not None:
        if panel.matrix.ndim != 2 or panel.matrix.size == 0:
            return Group(title, Text("(empty matrix)", style=MISSING_STYLE))
        return Group(title, *_matrix_renderable(panel, model_color, style or MatrixStyle(3, False), color))
    # display text breaks lines only at "\n" (other separators are shown as symbols)
    lines = display_text(panel.text, multiline=True).splitlines() or [""]
    body = Text("\n".join(lines[:MAX_TEXT_LINES]), overflow="fold")
    parts = [title, body]
    if len(lines) > MAX_TEXT_LINES:
        parts.append(Text(f"… {counted(len(lines) - MAX_TEXT_LINES, 'more line')}", style=MISSING_STYLE))
    return Group(*parts)


def panels_renderable(panels: Sequence[PlotPanel], colors: ModelColors, *, color: bool = True,
                      width: int | None = None, prefer_numbers: bool = False) -> Any:
    """Panels side by side, as many per row as the width allows, matrices in one
    style (matrix_style) and titled with labels that tell the models apart."""
    if width is None:
        return AtWidth(lambda w: panels_renderable(panels, colors, color=color, width=w,
                                                   prefer_numbers=prefer_numbers))
    from rich.columns import Columns

    style = matrix_style(panels, width, prefer_numbers=prefer_numbers)
    widths = [_matrix_width(p, style) if p.matrix is not None and p.matrix.ndim == 2 and p.matrix.size
              else width for p in panels]
    # each title as wide as its share of a row (at least its panel) less the iteration:
    # labels cut together
    per_row = max(1, min(len(panels), (width + PANEL_GAP) // (max(widths) + PANEL_GAP)))
    share = (width + PANEL_GAP) // per_row - PANEL_GAP
    room = [max(8, max(w, share) - len(f" · it. {p.iteration}")) for p, w in zip(panels, widths)]
    labels = fit_labels([display_text(p.label) for p in panels], room)
    from rich.console import Group
    from rich.text import Text

    columns = Columns([panel_renderable(p, colors, color=color, label=label, style=style)
                       for p, label in zip(panels, labels)], padding=(0, PANEL_GAP), equal=False, expand=False)
    note = _matrices_note(panels, style)
    return Group(columns, Text(note, style=MISSING_STYLE)) if note else columns


class AtWidth:
    """A renderable built for the width it is drawn at (a table laid out for
    its width rather than squeezed by rich, which would cut names to `…`)."""

    def __init__(self, build: Callable[[int], Any]) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.build(options.max_width)
