"""The Scalars Values table as text: CSV, JSON data, Markdown, plain text at a
width, and Rich renderables for `render --format ansi|svg|html`. The app's
CSV download and `render --format csv` call the same function, so they are
byte-for-byte the same text."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any


from ..core.colors import DELTA_COLORS, EXTREME_COLORS, theme_key
from ..core.display import display_text
from ..core.labels import fit_labels, uncut_widths
from ..core.model import format_float
from ..core.scalars import (
    EQUAL_MARK,
    MAX_GLYPH,
    MIN_GLYPH,
    MISSING_TEXT,
    ValueRow,
    ValueTable,
    format_delta,
    format_number,
    json_number,
)
from .escaping import csv_text, md_text

__all__ = [
    "AGG_TITLES",
    "EXTREME_STYLES",
    "VERDICT_STYLES",
    "extreme_styles",
    "verdict_styles",
    "value_table_to_csv",
    "value_table_to_json",
    "value_table_to_markdown",
    "value_table_to_rich",
    "value_table_to_text",
]


def value_table_to_csv(table: ValueTable) -> str:
    """PRODUCT §6: header `metric,variant,<model label>…`; one row per
    metric/variant; each value as the shortest text that reads back as the same
    float (nan/inf/-inf spelled); an empty cell where a model lacks the series.
    csv-module quoting, "\\n" line endings. The app's download and
    `render --format csv` both write exactly this. Text cells (names, labels)
    are display text, and one a spreadsheet would run as a formula (`=`, `+`,
    `-`, `@`, tab, CR first) starts with `'` (render.escaping.csv_text);
    numbers stay numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["metric", "variant", *(csv_text(label) for label in table.labels)])
    for row in table.rows:
        writer.writerow([csv_text(row.metric), csv_text(row.variant),
                         *("" if v is None else format_float(v) for v in row.values)])
    return out.getvalue()


def value_table_to_json(table: ValueTable) -> dict[str, Any]:
    """PRODUCT §6: `{"agg", "models": [{id, name}], "rows": [{metric, variant,
    values}]}`; values are numbers, null where a model lacks the series, and the
    strings "nan"/"inf"/"-inf" for non-finite values so that the output is
    valid JSON (json.dumps(..., allow_nan=False) accepts it)."""
    return {
        "agg": table.agg,
        "models": [{"id": m.id, "name": m.name} for m in table.models],
        "rows": [
            {"metric": r.metric, "variant": r.variant, "values": [json_number(v) for v in r.values]}
            for r in table.rows
        ],
    }


def _cell_text(row: ValueRow, i: int, *, sig: int, extremes: bool, deltas: bool, exact: bool) -> str:
    v = row.values[i]
    if v is None:
        return MISSING_TEXT
    text = format_float(v) if exact else format_number(v, sig)
    if deltas and row.deltas[i] is not None:
        text += f" ({format_delta(row.deltas[i])})"
    if extremes:
        if i in row.max_indices:
            text += f" {MAX_GLYPH}"
        elif i in row.min_indices:
            text += f" {MIN_GLYPH}"
    return text


def _rich_cell(row: ValueRow, i: int, *, extremes: bool, delta: bool, sig: int, dark: bool = True) -> Any:
    """One value of the rich table: the number, its change against the base,
    the row's ▲/▼ mark, each in its color (`dark`: the theme's)."""
    from rich.text import Text

    extreme, verdict = extreme_styles(dark), verdict_styles(dark)
    value = row.values[i]
    if value is None:
        return Text(MISSING_TEXT, style="dim")
    cell = Text(no_wrap=True)
    style = ""
    glyph = ""
    if extremes and i in row.max_indices:
        style, glyph = extreme["max"], MAX_GLYPH
    elif extremes and i in row.min_indices:
        style, glyph = extreme["min"], MIN_GLYPH
    cell.append(format_number(value, sig), style=style)
    d = row.deltas[i] if delta else None
    if d is not None:
        cell.append(f" ({format_delta(d)})", style=verdict.get(d.verdict, "dim"))
    if extremes:
        cell.append(" " + (glyph or " "), style=style)
    return cell


def _md_escape(text: str) -> str:
    return md_text(text)


def value_table_to_markdown(
    table: ValueTable, *, extremes: bool = False, deltas: bool = False, exact: bool = False, sig: int = 6
) -> str:
    """A GitHub-flavoured Markdown table: `metric | variant | <labels>`, numbers
    right-aligned; when some rows' values all agree, a first column marks them
    `=` (a note below says so: in the variant's cell, `lr =` read as a name);
    with `extremes` the row maximum gets ▲ and the minimum ▼; with `deltas`
    non-base cells show their change against the base; `exact` writes
    round-trip values instead of `sig` significant digits."""
    agree = any(row.all_equal for row in table.rows)
    header = [*([EQUAL_MARK] if agree else []), "metric", "variant", *table.labels]
    lines = [
        "| " + " | ".join(_md_escape(h) for h in header) + " |",
        "| " + " | ".join([*([":-:"] if agree else []), "---", "---"] + ["---:"] * len(table.labels)) + " |",
    ]
    for row in table.rows:
        mark = [EQUAL_MARK if row.all_equal else ""] if agree else []
        cells = [*mark, row.metric, row.variant] + [
            _cell_text(row, i, sig=sig, extremes=extremes, deltas=deltas, exact=exact)
            for i in range(len(row.values))
        ]
        lines.append("| " + " | ".join(_md_escape(c) for c in cells) + " |")
    if agree:
        lines += ["", f"{EQUAL_MARK} all models agree"]
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    return text[: width - 1] + "…"


_GAP = 2


_MIN_METRIC_WIDTH = 12


_MIN_VARIANT_WIDTH = 8


_MAX_LABEL_WIDTH = 24


MIN_LABEL_WIDTH = 10


@dataclass(frozen=True)
class _Layout:
    """Column widths of the Values table at a width, shared by the plain text
    and the rich (ansi/svg/html) forms: metric and variant shrink towards 12
    and 8 cells, model labels are cut together (what tells the models apart
    stays), and model columns that still do not fit go into blocks one below
    the other, each repeating metric and variant, so that no value is cut."""

    metric_w: int
    variant_w: int  # 0: no variant column (a table of single values)
    model_w: list[int]
    value_w: list[int]  # of the numbers alone: the label ends over their last digit
    delta_w: list[int]  # of the "(+1.2%)" changes (0: none)
    glyph_w: list[int]  # 1 where the column holds a ▲/▼ mark
    labels: list[str]  # fitted to model_w
    blocks: list[list[int]]  # model indexes per block


def _layout(table: ValueTable, width: int, *, extremes: bool, deltas: bool, sig: int,
            with_variant: bool = True) -> _Layout:
    n = len(table.labels)
    labels = [display_text(label) for label in table.labels]
    value_w = [max((len(format_number(r.values[i], sig, MISSING_TEXT)) for r in table.rows), default=0)
               for i in range(n)]
    delta_w = [max((len(f"({format_delta(d)})") for r in table.rows if (d := r.deltas[i]) is not None), default=0)
               if deltas else 0 for i in range(n)]
    glyph_w = [1 if extremes and any(i in r.max_indices or i in r.min_indices for r in table.rows) else 0
               for i in range(n)]
    body_w = [value_w[i] + (delta_w[i] + 1 if delta_w[i] else 0) + (2 if glyph_w[i] else 0) for i in range(n)]
    full_w = [max(body_w[i], min(len(label), _MAX_LABEL_WIDTH), 1) for i, label in enumerate(labels)]
    metric_w = max([len("metric" if with_variant else "name")] + [len(display_text(r.metric)) for r in table.rows])
    variant_w = max([len("variant")] + [len(display_text(r.variant)) for r in table.rows]) if with_variant else 0
    marker_w = 1 + _GAP
    floors = label_floors(labels, body_w)

    def left(metric: int, variant: int) -> int:
        return marker_w + metric + (_GAP + variant if with_variant else 0)

    model_w, blocks = _model_columns(labels, full_w, floors, left(metric_w, variant_w), width)
    if len(blocks) > 1:
        # names whole first, labels cut: only when the cut labels still need more blocks,
        # shrink the variant, then the metric, towards what would fit in one block
        overflow = left(metric_w, variant_w) + sum(_GAP + w for w in floors) - width
        if overflow > 0 and with_variant:
            take = min(overflow, max(0, variant_w - _MIN_VARIANT_WIDTH))
            variant_w -= take
            overflow -= take
        if overflow > 0:
            metric_w -= min(overflow, max(0, metric_w - _MIN_METRIC_WIDTH))
        model_w, blocks = _model_columns(labels, full_w, floors, left(metric_w, variant_w), width)
    return _Layout(metric_w, variant_w, model_w, value_w, delta_w, glyph_w, fit_labels(labels, model_w),
                   blocks or [[]])


def _model_columns(labels: list[str], model_w: list[int], floors: list[int], left_w: int,
                   width: int) -> tuple[list[int], list[list[int]]]:
    """Model column widths and blocks beside `left_w` cells of metric and variant."""
    blocks = _blocks(model_w, left_w, width)
    if len(blocks) == 1:
        return model_w, blocks
    # the labels, widest first, towards their values' width (or 10 cells), when that
    # saves blocks: four sweep members side by side as …lr1e-5 beat two blocks of
    # …librispeech-lr1e-5 (fit_labels keeps what tells them apart)
    narrow = narrowed_label_widths(model_w, floors, width - left_w)
    narrow_blocks = _blocks(narrow, left_w, width)
    if len(narrow_blocks) >= len(blocks):
        return model_w, blocks
    # a block with room to spare (the last, often) gives its labels some width back
    core_w = uncut_widths(labels)
    for block in narrow_blocks:
        spare = width - left_w - sum(_GAP + narrow[i] for i in block)
        widened = widened_label_widths([narrow[i] for i in block], [model_w[i] for i in block],
                                       [core_w[i] for i in block], spare)
        for i, w in zip(block, widened):
            narrow[i] = w
    return narrow, narrow_blocks


def label_floors(labels: Sequence[str], body_w: Sequence[int]) -> list[int]:
    """The narrowest each model column may get: its values' width, and what tells
    its label apart uncut (uncut_widths, `…lr1e-5`) up to MIN_LABEL_WIDTH cells."""
    return [max(body_w[i], min(w, MIN_LABEL_WIDTH)) for i, w in enumerate(uncut_widths(labels))]


def narrowed_label_widths(widths: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """Model column widths narrowed one cell at a time, the widest above its floor
    first, until the columns and their gaps fit `room` cells or all are at their
    floors (the values' width, or 10 cells of label)."""
    narrow = list(widths)
    excess = sum(_GAP + w for w in narrow) - room
    while excess > 0 and narrow:
        i = max(range(len(narrow)), key=lambda k: narrow[k] - floors[k])
        if narrow[i] <= floors[i]:
            break
        narrow[i] -= 1
        excess -= 1
    return narrow


def widened_label_widths(narrow: Sequence[int], widths: Sequence[int], core_widths: Sequence[int],
                         spare: int) -> list[int]:
    """Narrowed columns given back up to `spare` cells in all, each up to the width of
    what tells its label apart (`core_widths`, of uncut_widths), not more: one whole
    name among cut ones misleads."""
    out = list(narrow)
    for i in range(len(out)):
        give = max(0, min(spare, min(widths[i], core_widths[i]) - out[i]))
        out[i] += give
        spare -= give
    return out


def _blocks(model_w: list[int], left_w: int, width: int) -> list[list[int]]:
    """Model columns packed into blocks that fit `width` beside the left columns
    (at least one per block)."""
    blocks: list[list[int]] = []
    used = left_w
    for i, w in enumerate(model_w):
        if blocks and used + _GAP + w <= width:
            blocks[-1].append(i)
            used += _GAP + w
        else:
            blocks.append([i])
            used = left_w + _GAP + w
    return blocks


def value_table_to_text(
    table: ValueTable,
    width: int = 100,
    *,
    extremes: bool = True,
    deltas: bool = False,
    sig: int = 6,
) -> str:
    """Aligned plain text of the table for terminals and `render --format text`.

    The first column holds `=` on rows whose values all agree; with `extremes`
    each row's maximum is marked ▲ and its minimum ▼ after the value; with
    `deltas` non-base cells show their change against the base. Values are
    right-aligned on their last digit whatever follows them. The widths are
    _layout's: no value is ever cut."""
    n = len(table.labels)
    layout = _layout(table, width, extremes=extremes, deltas=deltas, sig=sig)
    metric_w, variant_w, model_w = layout.metric_w, layout.variant_w, layout.model_w
    metrics = [display_text(r.metric) for r in table.rows]
    variants = [display_text(r.variant) for r in table.rows]
    numbers = [[format_number(v, sig, MISSING_TEXT) for v in r.values] for r in table.rows]
    delta_texts = [
        [f"({format_delta(d)})" if deltas and d is not None else "" for d in r.deltas] for r in table.rows
    ]
    glyphs = [
        [
            (MAX_GLYPH if i in r.max_indices else MIN_GLYPH if i in r.min_indices else "") if extremes else ""
            for i in range(n)
        ]
        for r in table.rows
    ]
    value_w, delta_w, glyph_w = layout.value_w, layout.delta_w, layout.glyph_w

    def cell(r: int, i: int) -> str:
        text = numbers[r][i].rjust(value_w[i])
        if delta_w[i]:
            text += " " + delta_texts[r][i].ljust(delta_w[i])
        if glyph_w[i]:
            text += " " + (glyphs[r][i] or " ")
        return text

    body_w = [value_w[i] + (delta_w[i] + 1 if delta_w[i] else 0) + (2 if glyph_w[i] else 0) for i in range(n)]
    marker_w = 1 + _GAP
    out: list[str] = []
    for b, block in enumerate(layout.blocks):
        if b:
            out.append("")
        head = " " * marker_w + "metric".ljust(metric_w) + " " * _GAP + _clip("variant", variant_w).ljust(variant_w)
        for i in block:
            label = layout.labels[i]
            # the label ends over the values' last digit when it fits there
            digits_end = model_w[i] - (body_w[i] - value_w[i])
            if len(label) <= digits_end:
                label = label.rjust(digits_end).ljust(model_w[i])
            head += " " * _GAP + label.rjust(model_w[i])
        out.append(head.rstrip())
        for r, row in enumerate(table.rows):
            line = (EQUAL_MARK if row.all_equal else " ") + " " * _GAP
            line += _clip(metrics[r], metric_w).ljust(metric_w) + " " * _GAP
            line += _clip(variants[r], variant_w).ljust(variant_w)
            for i in block:
                line += " " * _GAP + cell(r, i).rjust(model_w[i])
            out.append(line.rstrip())
    if not table.rows:
        out.append("(no scalars" + (f" matching {table.metric_filter!r})" if table.metric_filter else ")"))
    return "\n".join(out) + "\n"


AGG_TITLES = {"last": "Last", "min": "Min", "max": "Max", "value": "Value"}


# Fixed colors for headless output (the app takes them from its theme), one set
# per theme (core.colors: each ≥ 3:1 on its theme's surfaces); the extremes' two
# colors are neither the better/worse ones, since the row maximum is not always
# the better value. EXTREME_STYLES / VERDICT_STYLES: the dark theme's.
def extreme_styles(dark: bool = True) -> dict[str, str]:
    c = EXTREME_COLORS[theme_key(dark)]
    return {"max": f"bold {c['max']}", "min": f"bold {c['min']}"}


def verdict_styles(dark: bool = True) -> dict[str | None, str]:
    c = DELTA_COLORS[theme_key(dark)]
    return {"better": c["better"], "worse": c["worse"], "same": "dim", None: "dim"}


EXTREME_STYLES = extreme_styles(True)
VERDICT_STYLES = verdict_styles(True)


def value_table_to_rich(
    table: ValueTable,
    *,
    extremes: bool = False,
    delta: bool = False,
    colors: Any = None,
    header: bool = True,
    sig: int = 6,
    width: int | None = None,
) -> Any:
    """The Values table as a rich renderable, as the app shows it: a title
    naming the aggregation ("Values · Last"), model labels in the models'
    colors (`colors`: core.colors.ModelColors), `=` before rows whose values
    all agree; with `extremes` each row's maximum ▲ and minimum ▼ in two
    distinct colors; with `delta` each non-base value followed by its change
    against the base, green when better and red when worse (where the
    metric's direction is known). At `width` the columns are those of the
    plain text (_layout): metric and variant always shown, labels cut
    together, model columns that do not fit in blocks one below the other.
    The colors are the dark or light theme's as `colors.dark` says (dark
    without `colors`)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    dark = bool(getattr(colors, "dark", True))
    extreme, verdict = extreme_styles(dark), verdict_styles(dark)

    # a table of single values (the Plots tab's Summary) has names, no variants
    with_variant = any(r.variant for r in table.rows) or not table.rows
    layout = _layout(table, width if width is not None else 1_000_000, extremes=extremes, deltas=delta, sig=sig,
                     with_variant=with_variant)

    def block_table(block: list[int]) -> Any:
        grid = Table(box=None, show_header=True, pad_edge=False, padding=(0, 1), header_style="bold", expand=False)
        grid.add_column("", no_wrap=True, width=1)
        grid.add_column("metric" if with_variant else "name", no_wrap=True, overflow="ellipsis",
                        width=layout.metric_w)
        if with_variant:
            grid.add_column("variant", no_wrap=True, overflow="ellipsis", width=layout.variant_w)
        for i in block:
            style = f"bold {colors[table.models[i].id]}" if colors is not None else "bold"
            grid.add_column(Text(layout.labels[i], style=style), justify="right", no_wrap=True, overflow="ellipsis",
                            width=layout.model_w[i])
        for row in table.rows:
            # data as Text, never as a str: rich would parse a str as markup
            cells: list[Any] = [Text(EQUAL_MARK if row.all_equal else " ", style="dim"),
                                Text(display_text(row.metric))]
            if with_variant:
                cells.append(Text(display_text(row.variant)))
            for i in block:
                cells.append(_rich_cell(row, i, extremes=extremes, delta=delta, sig=sig, dark=dark))
            grid.add_row(*cells)
        return grid

    grids = [block_table(block) for block in layout.blocks]
    grid: Any = grids[0] if len(grids) == 1 else Group(*(part for k, g in enumerate(grids)
                                                        for part in ([Text("")] if k else []) + [g]))
    if not header:
        return grid
    title = Text.assemble(("Values · ", "bold"), (AGG_TITLES.get(table.agg, table.agg), "bold"))
    notes = []
    if extremes:
        notes.append(Text.assemble((MAX_GLYPH, extreme["max"]), " row max  ", (MIN_GLYPH, extreme["min"]),
                                   " row min"))
    if delta and table.labels:
        notes.append(Text.assemble("Δ vs base ", (display_text(table.labels[0]), "bold"), " (",
                                   ("better", verdict["better"]), " / ",
                                   ("worse", verdict["worse"]), ")"))
    if any(r.all_equal for r in table.rows):
        notes.append(Text("= all models agree"))
    if table.metric_filter:
        notes.append(Text(f"filter {table.metric_filter!r}: {len(table.rows)} of {table.total_rows} rows"))
    for note in notes:
        title.append("  ·  ", style="dim")
        title.append_text(note)
    parts: list[Any] = [title, grid]
    if not table.rows:
        parts.append(Text("(no scalars" + (f" matching {table.metric_filter!r})" if table.metric_filter else ")"),
                          style="dim"))
    return Group(*parts)
