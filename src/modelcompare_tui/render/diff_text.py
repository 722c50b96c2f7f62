"""The Details and Network diff as text: JSON data, Markdown, plain text at a
width, and Rich renderables for `render --format ansi|svg|html`. The DiffTable
comes from core.diff; every data string goes through core.display first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size

from ..core.diff import CellStatus, DiffCell, DiffRow, DiffTable, column_titles, model_title
from ..core.labels import fit_labels
from ..core.display import display_text
from .escaping import md_code_span, md_text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..core.colors import ModelColors

__all__ = [
    "diff_to_json",
    "diff_to_markdown",
    "diff_to_rich",
    "diff_to_text",
    "fit",
    "plain",
    "share_widths",
    "text_width",
]


def diff_to_json(
    table: DiffTable, tab: str | None = None, hide_identical: bool = False, search: str = ""
) -> dict[str, Any]:
    """PRODUCT §6: {"tab", "base", "models": [{id, name}], "rows": [{"section",
    "field", "values": [... null where absent], "identical"}]}."""
    return {
        "tab": tab or table.tab,
        "base": table.base.id if table.base is not None else None,
        "models": [{"id": m.id, "name": m.name} for m in table.models],
        "rows": [
            {
                "section": row.section,
                "field": row.field,
                "values": row.values,
                "identical": row.identical,
            }
            for row in table.visible_rows(hide_identical, search)
        ],
    }


def _legend(table: DiffTable) -> str:
    if table.mode == "all":
        return "≠ differs from another column · + absent elsewhere · − absent here"
    return "≠ differs from the base · + only in this model · − missing here"


def _legend_lines(table: DiffTable, width: int) -> list[str]:
    """The legend wrapped between its items, never cut: it explains the glyphs."""
    lines: list[str] = []
    legend = ""
    for part in _legend(table).split(" · "):
        if legend and len(legend) + 3 + len(part) > width:
            lines.append(legend)
            legend = part
        else:
            legend = f"{legend} · {part}" if legend else part
    lines.append(legend)
    return lines


def _md_text(text: str) -> str:
    """Data as literal Markdown: display text, syntax escaped, line breaks as <br>."""
    return md_text(text, breaks=True)


def _md_code(text: str) -> str:
    return md_code_span(text)


def _md_cell(cell: DiffCell, code: bool) -> str:
    if cell.value is None:
        text = "—"
    elif cell.value == "":
        text = "*(empty)*"
    else:
        text = _md_code(cell.value) if code else _md_text(cell.value)
    return f"**{text}**" if cell.status.marked else text


def diff_to_markdown(table: DiffTable, hide_identical: bool = False, search: str = "") -> str:
    """A Markdown table per section, changed cells in **bold**."""
    tab = table.tab.capitalize()
    if not table.models:
        return f"## {tab}\n\nNo models to compare.\n"
    out = [f"## {tab} · base: {md_text(model_title(table.models[0]))}", ""]
    out.append(f"**Bold**: {_legend(table).split(' · ')[0].removeprefix('≠ ')}; —: absent.")
    out.extend(f"> {_md_text(note)}" for note in table.notes)
    rows = table.visible_rows(hide_identical, search)
    titles = [_md_text(t) for t in column_titles(table.models)]
    first_header = "Line" if table.kind == "lines" else "Field"
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            out += ["", f"### {_md_text(section)}", ""]
            out.append("| " + " | ".join([first_header, *titles]) + " |")
            out.append("|" + " --- |" * (len(titles) + 1))
        code = row.kind == "text-line"
        cells = [_md_cell(cell, code) for cell in row.cells]
        out.append("| " + " | ".join([_md_text(row.field), *cells]) + " |")
    if not rows:
        out += ["", "No rows to show."]
    hidden = table.hidden_count(hide_identical, search)
    if hidden:
        out += ["", f"*{hidden} {'identical ' if hide_identical and not search else ''}"
                    f"row{'s' if hidden != 1 else ''} hidden.*"]
    return "\n".join(out) + "\n"


_GLYPH = {CellStatus.CHANGED: "≠", CellStatus.ONLY_HERE: "+", CellStatus.MISSING: "−"}


_SEPARATOR = "  "


_MIN_VALUE_WIDTH = 6


def plain(text: str) -> str:
    """`text` on one line, safe to print: core.display.display_text (a control
    character never moves the cursor or starts an escape sequence in the
    reader's terminal; one character for one, so diff spans stay valid)."""
    return display_text(text)


def text_width(text: str) -> int:
    """Terminal cells of `text`."""
    return len(text) if text.isascii() else cell_len(text)


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` terminal cells: padded, or cut with `…` in
    the last cell."""
    if width <= 0:
        return ""
    if text.isascii():
        if len(text) <= width:
            return text + " " * (width - len(text))
        return text[: width - 1] + "…"
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def _field_width(rows: Sequence[DiffRow], width: int) -> int:
    """The first column: indented field names and the section names (the
    colored rendering writes those in it), at most a quarter of the width."""
    natural = max(
        [text_width("  " + plain(row.field)) for row in rows] + [text_width(row.section) for row in rows] + [4]
    )
    return min(natural, max(14, width // 4))


def share_widths(natural: Sequence[int], total: int) -> list[int]:
    """Split `total` cells among columns wanting `natural` cells: narrow
    columns get what they want, the rest share the remainder equally."""
    widths = [0] * len(natural)
    remaining = total
    pending = sorted(range(len(natural)), key=lambda k: natural[k])
    while pending:
        fair = remaining // len(pending)
        k = pending[0]
        if natural[k] <= fair:
            widths[k] = natural[k]
            remaining -= natural[k]
            pending.pop(0)
            continue
        extra = remaining - fair * len(pending)
        for index, k in enumerate(pending):
            widths[k] = fair + (1 if index < extra else 0)
        break
    return widths


def _column_widths(table: DiffTable, rows: Sequence[DiffRow], width: int) -> tuple[list[str], int, list[int]]:
    """The columns of the text renderings in `width` cells: the models'
    titles, the field column's width and the value widths of the columns
    that fit (the first models; at least one)."""
    titles = [plain(t) for t in column_titles(table.models)]
    field_width = _field_width(rows, width)
    shown = max(1, min(len(titles), (width - field_width) // (len(_SEPARATOR) + 2 + _MIN_VALUE_WIDTH)))
    value_space = width - field_width - shown * (len(_SEPARATOR) + 2)
    natural = [
        max([text_width(titles[k]), 1] + [text_width(plain(row.cells[k].value or "")) for row in rows])
        for k in range(shown)
    ]
    return titles, field_width, share_widths(natural, value_space)


def _footer(table: DiffTable, shown: int, hide_identical: bool, search: str) -> list[str]:
    """What the text renderings leave out: hidden rows, models not shown."""
    footer: list[str] = []
    hidden = table.hidden_count(hide_identical, search)
    if hidden:
        footer.append(f"{hidden} row{'s' if hidden != 1 else ''} hidden")
    if shown < len(table.models):
        more = len(table.models) - shown
        footer.append(f"{more} more model{'s' if more != 1 else ''} not shown (widen with --width)")
    return footer


def diff_to_text(
    table: DiffTable, width: int = 120, hide_identical: bool = False, search: str = ""
) -> str:
    """Plain-text columns, readable without color: a glyph beside each marked
    cell (≠ changed, + only here, − missing), explained in a legend line.
    Columns that do not fit in `width` are left out, and that is said."""
    width = max(width, 30)
    tab = table.tab.capitalize()
    if not table.models:
        return f"{tab}: no models to compare.\n"
    rows = table.visible_rows(hide_identical, search)
    mode = "against the base" if table.mode == "base" else "across all models"
    out = [fit(f"{tab} — base: {plain(model_title(table.models[0]))} — {mode}", width).rstrip()]
    out.extend(_legend_lines(table, width))
    out.extend(fit("note: " + plain(note), width).rstrip() for note in table.notes)

    titles, field_width, widths = _column_widths(table, rows, width)
    shown = len(widths)
    fitted = fit_labels(titles[:shown], widths)  # cut together: what tells the models apart stays
    header = fit("", field_width) + "".join(
        _SEPARATOR + "  " + fit(fitted[k], widths[k]) for k in range(shown)  # over the values
    )
    out.append("")
    out.append(header.rstrip())
    out.append("─" * min(width, cell_len(header.rstrip())))
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            out.append(fit(plain(section), width).rstrip())
        line = fit("  " + plain(row.field), field_width)
        for k in range(shown):
            cell = row.cells[k]
            glyph = _GLYPH.get(cell.status, " ")
            line += _SEPARATOR + glyph + " " + fit(plain(cell.value or ""), widths[k])
        out.append(line.rstrip())
    if not rows:
        out.append("(no rows to show)")
    footer = _footer(table, shown, hide_identical, search)
    if footer:
        out.append("")
        out.append(fit(" · ".join(footer), width).rstrip())
    return "\n".join(out) + "\n"


# Styles of the colored rendering (ANSI / SVG / HTML): the glyphs stay, so a
# reader without color (or a color-blind one) loses nothing.
_RICH_STYLE = {
    CellStatus.CHANGED: "yellow",
    CellStatus.ONLY_HERE: "green",
    CellStatus.MISSING: "red",
    CellStatus.ABSENT: "dim",
}


_RICH_SPAN_STYLE = "bold black on yellow"


def _rich_cell(cell: DiffCell) -> Any:
    from rich.text import Text

    glyph = _GLYPH.get(cell.status, " ")
    value = plain(cell.value or "")
    style = _RICH_STYLE.get(cell.status, "")
    text = Text(glyph + " ", style=style)
    body = Text(value, style=style)
    if cell.status is CellStatus.CHANGED and cell.value is not None and len(value) == len(cell.value):
        # spans index the raw value: display text maps one character to one
        for start, end in cell.spans:
            body.stylize(_RICH_SPAN_STYLE, start, end)
    text.append_text(body)
    return text


def diff_to_rich(
    table: DiffTable,
    width: int = 120,
    hide_identical: bool = False,
    search: str = "",
    colors: ModelColors | None = None,
) -> RenderableType:
    """The text rendering in color, for `render --format ansi|svg|html`:
    model names in their colors, differing cells colored with the changed
    characters of a line highlighted, the same glyphs as diff_to_text."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    width = max(width, 30)
    tab = table.tab.capitalize()
    if not table.models:
        return Text(f"{tab}: no models to compare.")
    rows = table.visible_rows(hide_identical, search)
    mode = "against the base" if table.mode == "base" else "across all models"
    parts: list[Any] = [
        Text.assemble((f"{tab}", "bold"), f" — base: {plain(model_title(table.models[0]))} — {mode}"),
        *(Text(line, style="dim") for line in _legend_lines(table, width)),
    ]
    parts.extend(Text("note: " + plain(note), style="italic") for note in table.notes)
    titles, field_width, widths = _column_widths(table, rows, width)
    shown = len(widths)
    # fixed widths as in diff_to_text: rich would otherwise squeeze the field column away
    grid = Table(box=None, pad_edge=False, padding=(0, 0, 0, len(_SEPARATOR)), show_header=True, expand=False)
    grid.add_column("", no_wrap=True, overflow="ellipsis", width=field_width)
    for k in range(shown):
        style = f"bold {colors[table.models[k].id]}" if colors is not None else "bold"
        grid.add_column(Text("  " + titles[k], style=style), no_wrap=True, overflow="ellipsis", width=widths[k] + 2)
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            grid.add_row(Text(plain(section), style="bold underline"), *([""] * shown))
        field_text = Text("  " + plain(row.field), style="" if row.identical else "bold")
        grid.add_row(field_text, *(_rich_cell(row.cells[k]) for k in range(shown)))
    parts.append(grid)
    if not rows:
        parts.append(Text("(no rows to show)", style="dim"))
    footer = _footer(table, shown, hide_identical, search)
    if footer:
        parts.append(Text(" · ".join(footer), style="dim"))
    return Group(*parts)
