"""The Details and Network diff: compared models (first = base) in, aligned
rows out, one cell per model with a status. No Textual: the tabs, `render`
and the tests all read the same DiffTable (its text formats are in
render/diff_text.py).

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

from .config_flatten import ParsedConfig, compare_key, parse_config
from .labels import model_labels
from .model import Model
from .textdiff import align_many, changed_spans

if TYPE_CHECKING:

    pass

__all__ = [
    "DIFF_MODES",
    "CellStatus",
    "column_titles",
    "details_diff",
    "DiffCell",
    "DiffRow",
    "DiffTable",
    "model_title",
    "network_diff",
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
            notes.append(f"{model_title(models[k])}: configuration {problem}")
    structured = all(parsed[k].flat is not None for k in present)  # type: ignore[union-attr]
    if layout == "text" or not structured:
        unparsed = [k for k in present if parsed[k].flat is None]  # type: ignore[union-attr]
        # say why when key paths were asked for, or when only some configs are
        # text (those that failed their declared format have a note already)
        plain = [model_title(models[k]) for k in unparsed if not parsed[k].problem]  # type: ignore[union-attr]
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


def model_title(model: Model) -> str:
    return model.name or model.id


def column_titles(models: Sequence[Model]) -> list[str]:
    """The models' labels (core/labels.py), the base's marked as such."""
    titles = model_labels(models)
    if titles:
        titles[0] += " (base)"
    return titles


