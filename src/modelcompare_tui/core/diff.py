"""The Details and Network diff: compared models (first = base) in, aligned
rows out, one cell per model with a status. No Textual: the tabs, `render`
and the tests all read the same DiffTable.

Details sections: General, Labels, Metadata, Lineage. Network: the
configuration flattened to key paths when every model's configuration
parses (JSON, TOML or YAML), else an aligned line diff of the text.

Diff modes: `base` (default) compares every column with the base column;
`all` marks a cell that differs from any other column.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import repeat
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len, set_cell_size

from .config_flatten import ParsedConfig, compare_key, parse_config
from .display import display_text
from .escaping import md_code_span, md_text
from .model import Model
from .textdiff import align_many, changed_spans

if TYPE_CHECKING:
    from rich.console import RenderableType

    from .colors import ModelColors

__all__ = [
    "DIFF_MODES",
    "CellStatus",
    "DiffCell",
    "DiffRow",
    "DiffTable",
    "details_diff",
    "diff_to_json",
    "diff_to_markdown",
    "diff_to_rich",
    "diff_to_text",
    "fit",
    "network_diff",
    "plain",
    "share_widths",
    "text_width",
]

DIFF_MODES = ("base", "all")
GENERAL_FIELDS = (
    "id", "name", "project", "framework", "status", "tags", "user",
    "created", "updated", "uri", "comment",
)
CONFIG_SECTION = "Configuration"


class CellStatus(str, Enum):  # noqa: UP042 - StrEnum would change str()/format() of the members
    """How a cell compares. In `base` mode against the base column; in `all`
    mode against every other column (then ONLY_HERE means: present here,
    equal to every other present value, absent in some column)."""

    SAME = "same"  # equal to the base (the base cell itself, when present)
    CHANGED = "changed"  # present, differs
    ONLY_HERE = "only_here"  # present here, absent in the base
    MISSING = "missing"  # absent here, present in the base
    ABSENT = "absent"  # absent here and in the base

    @property
    def marked(self) -> bool:
        """Whether the cell is highlighted as a difference."""
        return self in (CellStatus.CHANGED, CellStatus.ONLY_HERE, CellStatus.MISSING)


_SAME, _CHANGED, _ONLY, _MISSING, _ABSENT = (
    CellStatus.SAME, CellStatus.CHANGED, CellStatus.ONLY_HERE, CellStatus.MISSING, CellStatus.ABSENT,
)


class DiffCell:
    """One model's value on one row. `value` None = the model lacks the field.
    `line` is the 1-based line number in that model's text (line diffs).
    `spans`: character ranges [start, end) of `value` that differ from the
    value it was compared with (CHANGED cells only); computed on first use,
    since only the rows on screen need them."""

    __slots__ = ("_ref", "_spans", "line", "status", "value")

    def __init__(
        self,
        value: str | None,
        status: CellStatus,
        line: int | None = None,
        ref: str | None = None,
    ) -> None:
        self.value = value
        self.status = status
        self.line = line
        self._ref = ref
        self._spans: list[tuple[int, int]] | None = None

    @property
    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            if self.status is _CHANGED and self.value is not None and self._ref is not None:
                self._spans = changed_spans(self._ref, self.value)
            else:
                self._spans = []
        return self._spans

    @property
    def compared_with(self) -> str | None:
        """The value this CHANGED cell was found to differ from."""
        return self._ref

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DiffCell):
            return NotImplemented
        return (self.value, self.status, self.line) == (other.value, other.status, other.line)

    def __hash__(self) -> int:
        return hash((self.value, self.status, self.line))

    def __repr__(self) -> str:
        line = f", line={self.line}" if self.line is not None else ""
        return f"DiffCell({self.value!r}, {self.status.name}{line})"


@dataclass(slots=True)
class DiffRow:
    section: str
    field: str
    cells: list[DiffCell]
    identical: bool  # every value equal (numbers by value), none absent
    kind: str = "field"  # field | text-line
    hunk: int | None = None  # id of the difference block (None when identical)

    @property
    def values(self) -> list[str | None]:
        return [cell.value for cell in self.cells]

    def matches(self, needle: str) -> bool:
        """Case-insensitive: `needle` (already lower-cased) in the section,
        the field or any value."""
        if needle in self.field.lower() or needle in self.section.lower():
            return True
        return any(cell.value is not None and needle in cell.value.lower() for cell in self.cells)


@dataclass
class DiffTable:
    tab: str  # details | network
    models: list[Model]  # comparison order, base first
    rows: list[DiffRow]
    mode: str = "base"
    kind: str = "fields"  # fields (key/value rows) | lines (aligned text lines)
    notes: list[str] = field(default_factory=list)  # e.g. a config that did not parse

    def __post_init__(self) -> None:
        _number_hunks(self.rows)

    @property
    def base(self) -> Model | None:
        return self.models[0] if self.models else None

    @property
    def difference_count(self) -> int:
        """Blocks of differences: rows for fields, runs of rows for lines."""
        return len({row.hunk for row in self.rows if row.hunk is not None})

    def visible_rows(
        self, hide_identical: bool = False, search: str = "", context: int = 0
    ) -> list[DiffRow]:
        """Rows left after hiding identical ones (but `context` identical rows
        either side of a difference, for line diffs) and filtering by
        `search` (case-insensitive, over section, field and values)."""
        rows = self.rows
        if hide_identical:
            if context > 0:
                keep = [False] * len(rows)
                for index, row in enumerate(rows):
                    if not row.identical:
                        for k in range(max(0, index - context), min(len(rows), index + context + 1)):
                            keep[k] = True
                rows = [row for row, kept in zip(rows, keep) if kept]
            else:
                rows = [row for row in rows if not row.identical]
        needle = search.strip().lower()
        if needle:
            rows = [row for row in rows if row.matches(needle)]
        return rows

    def hidden_count(self, hide_identical: bool = False, search: str = "", context: int = 0) -> int:
        return len(self.rows) - len(self.visible_rows(hide_identical, search, context))

    def next_difference(
        self,
        row_index: int,
        direction: int = 1,
        rows: Sequence[DiffRow] | None = None,
        wrap: bool = False,
    ) -> int | None:
        """Index (into `rows`, default all rows) of the first row of the next
        (direction > 0) or previous difference block from `row_index`; a
        line diff's run of changed lines is one block. None when there is
        none that way (or none at all, with `wrap`)."""
        rows = self.rows if rows is None else rows
        starts = [
            index
            for index, row in enumerate(rows)
            if row.hunk is not None and (index == 0 or rows[index - 1].hunk != row.hunk)
        ]
        if not starts:
            return None
        if direction >= 0:
            after = [s for s in starts if s > row_index]
            if after:
                return after[0]
            return starts[0] if wrap else None
        before = [s for s in starts if s < row_index]
        if before:
            return before[-1]
        return starts[-1] if wrap else None


def _number_hunks(rows: list[DiffRow]) -> None:
    hunk = -1
    previous_differs = False
    for row in rows:
        if row.identical:
            row.hunk = None
            previous_differs = False
            continue
        if not (previous_differs and row.kind == "text-line"):
            hunk += 1
        row.hunk = hunk
        previous_differs = row.kind == "text-line"


# -- statuses ------------------------------------------------------------------


def _check_mode(mode: str) -> None:
    if mode not in DIFF_MODES:
        raise ValueError(f"diff mode {mode!r} is not one of: {', '.join(DIFF_MODES)}")


def _make_row(
    section: str,
    name: str,
    values: Sequence[str | None],
    keys: Sequence[Hashable | None],
    mode: str,
    kind: str = "field",
    lines: Sequence[int | None] | None = None,
) -> DiffRow:
    """A row from display values and comparison keys (None = absent)."""
    count = len(values)
    first = keys[0]
    if first is not None and keys.count(first) == count:
        if lines is None:
            cells = [DiffCell(value, _SAME) for value in values]
        else:
            cells = [DiffCell(value, _SAME, line) for value, line in zip(values, lines)]
        return DiffRow(section, name, cells, True, kind)
    line_numbers: Iterable[int | None] = lines if lines is not None else repeat(None, count)
    cells = []
    if mode == "base":
        base_value = values[0]
        if first is None:
            for value, key, line in zip(values, keys, line_numbers):
                cells.append(DiffCell(value, _ABSENT if key is None else _ONLY, line))
        else:
            for value, key, line in zip(values, keys, line_numbers):
                if key == first:
                    cells.append(DiffCell(value, _SAME, line))
                elif key is None:
                    cells.append(DiffCell(None, _MISSING, line))
                else:
                    cells.append(DiffCell(value, _CHANGED, line, base_value))
    else:
        # per distinct value, the value it is shown to differ from: the base's
        # when it differs from the base, else the first other present value
        shown_against: dict[Hashable, str | None] = {}
        present = 0
        for _value, key in zip(values, keys):
            if key is not None:
                present += 1
                if key not in shown_against:
                    shown_against[key] = None
        for key in shown_against:
            if first is not None and key != first:
                shown_against[key] = values[0]
            else:
                shown_against[key] = next(v for v, k in zip(values, keys) if k is not None and k != key) \
                    if len(shown_against) > 1 else None
        several = len(shown_against) > 1
        some_absent = present < count
        for value, key, line in zip(values, keys, line_numbers):
            if key is None:
                cells.append(DiffCell(None, _MISSING if present else _ABSENT, line))
            elif several:
                cells.append(DiffCell(value, _CHANGED, line, shown_against[key]))
            elif some_absent:
                cells.append(DiffCell(value, _ONLY, line))
            else:  # pragma: no cover - all equal and present is the fast path above
                cells.append(DiffCell(value, _SAME, line))
    return DiffRow(section, name, cells, False, kind)


def _merge_orders(orders: Iterable[Iterable[str]]) -> list[str]:
    """Union of several key orders: the first order as is, then each key new
    in a later order placed right after the key it follows there, so a key
    only some models have sits beside its neighbours."""
    head = object()
    following: dict[Any, Any] = {head: None}
    for order in orders:
        previous: Any = head
        for key in order:
            if key not in following:
                following[key] = following[previous]
                following[previous] = key
            previous = key
    out = []
    key = following[head]
    while key is not None:
        out.append(key)
        key = following[key]
    return out


# -- Details -------------------------------------------------------------------


def _general_value(model: Model, name: str) -> str:
    if name == "tags":
        return ", ".join(model.tags)
    return str(getattr(model, name))


def _model_ref(model_id: str, names: dict[str, str]) -> str:
    name = names.get(model_id)
    return f"{name} ({model_id})" if name and name != model_id else model_id


def details_diff(models: Sequence[Model], mode: str = "base") -> DiffTable:
    """General (always), Labels, Metadata and Lineage (when any model has
    them) rows of the compared models."""
    _check_mode(mode)
    models = list(models)
    rows: list[DiffRow] = []
    if not models:
        return DiffTable("details", models, rows, mode)

    for name in GENERAL_FIELDS:
        values: list[str | None] = [_general_value(m, name) for m in models]
        rows.append(_make_row("General", name, values, values, mode))

    label_names = _merge_orders(m.labels.keys() for m in models)
    for label in label_names:
        values = [str(m.labels[label]) if label in m.labels else None for m in models]
        keys = [compare_key(m.labels[label]) if label in m.labels else None for m in models]
        rows.append(_make_row("Labels", label, values, keys, mode))

    # one row per key; a key a model repeats gets rows "key #2", "key #3" ...
    per_model: list[dict[str, tuple[str, str]]] = []
    for model in models:
        items: dict[str, tuple[str, str]] = {}
        seen: dict[str, int] = {}
        for item in model.metadata:
            seen[item.key] = seen.get(item.key, 0) + 1
            row_name = item.key if seen[item.key] == 1 else f"{item.key} #{seen[item.key]}"
            items[row_name] = (item.type, item.value)
        per_model.append(items)
    for key in _merge_orders(items.keys() for items in per_model):
        entries = [items.get(key) for items in per_model]
        types = {entry[0] for entry in entries if entry is not None}
        if len(types) > 1:
            values = [f"{e[1]} ({e[0]})" if e is not None else None for e in entries]
            keys = [(e[0], compare_key(e[1])) if e is not None else None for e in entries]
        else:
            values = [e[1] if e is not None else None for e in entries]
            keys = [compare_key(e[1]) if e is not None else None for e in entries]
        rows.append(_make_row("Metadata", key, values, keys, mode))

    names = {m.id: m.name for m in models}
    lineage: dict[str, list[str | None]] = {"task": [], "parent": [], "children": []}
    for model in models:
        if model.task_id and model.task_name:
            task: str | None = f"{model.task_name} ({model.task_id})"
        else:
            task = model.task_id or model.task_name or None
        lineage["task"].append(task)
        lineage["parent"].append(_model_ref(model.parent, names) if model.parent else None)
        children = ", ".join(_model_ref(child, names) for child in model.children)
        lineage["children"].append(children or None)
    for name, values in lineage.items():
        if any(value is not None for value in values):
            rows.append(_make_row("Lineage", name, values, values, mode))
    return DiffTable("details", models, rows, mode)


# -- Network -------------------------------------------------------------------


def network_diff(models: Sequence[Model], mode: str = "base", layout: str = "auto") -> DiffTable:
    """The configurations side by side. `layout`: `auto` flattens to key
    paths when every present configuration parses (JSON/TOML/YAML to a
    mapping or list) and otherwise diffs lines; `keys` asks for key paths
    (falls back to lines, with a note, when one does not parse); `text`
    always diffs lines."""
    _check_mode(mode)
    if layout not in ("auto", "keys", "text"):
        raise ValueError(f"network layout {layout!r} is not one of: auto, keys, text")
    models = list(models)
    parsed = [parse_config(m.config) for m in models]
    notes: list[str] = []
    present = [k for k, p in enumerate(parsed) if p is not None]
    if not present:
        if models:
            notes.append("no compared model has a network configuration")
        return DiffTable("network", models, [], mode, "fields", notes)
    for k in present:
        problem = parsed[k].problem  # type: ignore[union-attr]
        if problem:
            notes.append(f"{_title(models[k])}: configuration {problem}")
    structured = all(parsed[k].flat is not None for k in present)  # type: ignore[union-attr]
    if layout == "text" or not structured:
        unparsed = [k for k in present if parsed[k].flat is None]  # type: ignore[union-attr]
        # say why when key paths were asked for, or when only some configs are
        # text (those that failed their declared format have a note already)
        plain = [_title(models[k]) for k in unparsed if not parsed[k].problem]  # type: ignore[union-attr]
        if plain and (layout == "keys" or len(unparsed) < len(present)):
            notes.append(f"compared as text: not JSON, TOML or YAML in {', '.join(plain)}")
        rows = _line_rows(parsed, present[0], mode)
        return DiffTable("network", models, rows, mode, "lines", notes)
    return DiffTable("network", models, _key_rows(parsed, mode), mode, "fields", notes)


def _key_rows(parsed: Sequence[ParsedConfig | None], mode: str) -> list[DiffRow]:
    empty: dict[str, Any] = {}
    shown = [p.shown if p is not None and p.shown is not None else empty for p in parsed]
    keyed = [p.keyed if p is not None and p.keyed is not None else empty for p in parsed]
    paths = _merge_orders(p.flat.keys() for p in parsed if p is not None and p.flat is not None)
    rows = []
    for path in paths:
        values = [s.get(path) for s in shown]
        keys = [k.get(path) for k in keyed]
        rows.append(_make_row(CONFIG_SECTION, path, values, keys, mode))
    return rows


def _line_rows(parsed: Sequence[ParsedConfig | None], reference: int, mode: str) -> list[DiffRow]:
    texts = [p.lines if p is not None else None for p in parsed]
    aligned = align_many(texts, reference)
    rows = []
    ref_line = 0
    inserted = 0
    for indices in aligned:
        values = [
            texts[k][i] if i is not None else None  # type: ignore[index]
            for k, i in enumerate(indices)
        ]
        lines = [i + 1 if i is not None else None for i in indices]
        if indices[reference] is not None:
            ref_line = indices[reference] + 1  # type: ignore[operator]
            inserted = 0
            name = str(ref_line)
        else:
            inserted += 1
            name = f"{ref_line}+{inserted}"
        rows.append(_make_row(CONFIG_SECTION, name, values, values, mode, "text-line", lines))
    return rows


# -- headless output -----------------------------------------------------------


def _title(model: Model) -> str:
    return model.name or model.id


def _column_titles(models: Sequence[Model]) -> list[str]:
    titles = [_title(m) for m in models]
    repeated = {t for t in titles if titles.count(t) > 1}
    titles = [f"{t} · {m.short_id()}" if t in repeated else t for t, m in zip(titles, models)]
    if titles:
        titles[0] += " (base)"
    return titles


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
    out = [f"## {tab} · base: {md_text(_title(table.models[0]))}", ""]
    out.append(f"**Bold**: {_legend(table).split(' · ')[0].removeprefix('≠ ')}; —: absent.")
    out.extend(f"> {_md_text(note)}" for note in table.notes)
    rows = table.visible_rows(hide_identical, search)
    titles = [_md_text(t) for t in _column_titles(table.models)]
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
    titles = [plain(t) for t in _column_titles(table.models)]
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
    out = [fit(f"{tab} — base: {plain(_title(table.models[0]))} — {mode}", width).rstrip()]
    out.extend(_legend_lines(table, width))
    out.extend(fit("note: " + plain(note), width).rstrip() for note in table.notes)

    titles, field_width, widths = _column_widths(table, rows, width)
    shown = len(widths)
    header = fit("", field_width) + "".join(
        _SEPARATOR + "  " + fit(titles[k], widths[k]) for k in range(shown)  # over the values
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
        Text.assemble((f"{tab}", "bold"), f" — base: {plain(_title(table.models[0]))} — {mode}"),
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
