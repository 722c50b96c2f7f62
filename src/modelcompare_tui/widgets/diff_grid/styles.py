"""The diff grid's look: its component classes and default CSS, resolved to
the Rich styles its lines are drawn with."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.widget import Widget

from ...core.diff import CellStatus

COMPONENT_CLASSES = {
    "diff-grid--header",
    "diff-grid--section",
    "diff-grid--section-count",
    "diff-grid--field",
    "diff-grid--field-differs",
    "diff-grid--cursor-row",
    "diff-grid--cursor-cell",
    "diff-grid--changed",
    "diff-grid--changed-glyph",
    "diff-grid--span",
    "diff-grid--only",
    "diff-grid--only-glyph",
    "diff-grid--missing",
    "diff-grid--missing-glyph",
    "diff-grid--absent",
    "diff-grid--line-number",
    "diff-grid--empty",
}

DEFAULT_CSS = """
DiffGrid {
    height: 1fr;
    background: $surface;
    color: $foreground;
    scrollbar-gutter: stable;
}
DiffGrid > .diff-grid--header { background: $panel; text-style: bold; }
DiffGrid > .diff-grid--section { background: $boost; color: $text-accent; text-style: bold; }
DiffGrid > .diff-grid--section-count { color: $text-muted; text-style: not bold; }
DiffGrid > .diff-grid--field { color: $text-muted; }
DiffGrid > .diff-grid--field-differs { color: $foreground; text-style: bold; }
DiffGrid > .diff-grid--cursor-row { background: $boost; }
DiffGrid:focus > .diff-grid--cursor-row { background: $primary 15%; }
DiffGrid > .diff-grid--cursor-cell { background: $block-cursor-blurred-background; }
DiffGrid:focus > .diff-grid--cursor-cell {
    background: $block-cursor-background;
    color: $block-cursor-foreground;
    text-style: $block-cursor-text-style;
}
DiffGrid > .diff-grid--changed { background: $warning-muted; color: $foreground; }
DiffGrid > .diff-grid--changed-glyph { color: $text-warning; text-style: bold; }
DiffGrid > .diff-grid--span { background: $warning 55%; color: $foreground; text-style: bold; }
DiffGrid > .diff-grid--only { background: $success-muted; color: $foreground; }
DiffGrid > .diff-grid--only-glyph { color: $text-success; text-style: bold; }
DiffGrid > .diff-grid--missing { background: $error-muted; color: $foreground; }
DiffGrid > .diff-grid--missing-glyph { color: $text-error; text-style: bold; }
DiffGrid > .diff-grid--absent { color: $text-muted; }
DiffGrid > .diff-grid--line-number { color: $text-muted; }
DiffGrid > .diff-grid--empty { color: $text-muted; }
"""


def _overlay(widget: Widget, name: str) -> Style:
    """A component's own properties (colors resolved against the widget,
    translucent ones blended), to lay over a row's style."""
    full = widget.get_component_rich_style(name)
    own = widget.get_component_rich_style(name, partial=True)
    return Style(
        color=full.color if own.color is not None else None,
        bgcolor=full.bgcolor if own.bgcolor is not None else None,
        bold=own.bold,
        dim=own.dim,
        italic=own.italic,
        underline=own.underline,
        reverse=own.reverse,
    )


def component_styles(widget: Widget) -> dict[str, Style]:
    """Each component's overlay by its name without `diff-grid--`; `base`,
    `header`, `section` and `cursor-row` are whole line styles."""
    base = widget.rich_style
    names = [n.removeprefix("diff-grid--") for n in COMPONENT_CLASSES]
    styles = {name: _overlay(widget, f"diff-grid--{name}") for name in names}
    styles["base"] = base
    styles["header"] = base + widget.get_component_rich_style("diff-grid--header")
    styles["section"] = base + widget.get_component_rich_style("diff-grid--section")
    styles["cursor-row"] = base + widget.get_component_rich_style("diff-grid--cursor-row")
    return styles


@dataclass(frozen=True)
class CellStyles:
    """The styles of one kind of cell (status, cursor or not) on one kind of row."""

    cell: Style
    glyph: Style
    line_number: Style
    absent: Style
    span: Style


def cell_styles(styles: dict[str, Style], cursor_row: bool, status: CellStatus, cursor_cell: bool) -> CellStyles:
    """The styles of a cell of `status`, from the grid's component `styles`."""
    row_style = styles["cursor-row"] if cursor_row else styles["base"]
    if status is CellStatus.CHANGED:
        body, glyph = styles["changed"], styles["changed-glyph"]
    elif status is CellStatus.ONLY_HERE:
        body, glyph = styles["only"], styles["only-glyph"]
    elif status is CellStatus.MISSING:
        body, glyph = styles["missing"], styles["missing-glyph"]
    else:
        body, glyph = Style(), Style()
    cell = row_style + body
    if cursor_cell:
        cell += styles["cursor-cell"]
    # on the cursor cell the cursor's colors win over the changed characters'
    span = cell if cursor_cell else cell + styles["span"]
    return CellStyles(cell, cell + glyph, cell + styles["line-number"], cell + styles["absent"], span)
