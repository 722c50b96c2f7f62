"""Editing the models-table query: sort cycling, per-column filters, and the
rules for how many models a comparison may hold. No Textual import: the app,
the CLI and the tests share these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from .model import CATEGORICAL_COLUMNS, MODEL_COLUMNS, ModelQuery
from .state import MAX_MODELS

MIN_COMPARED = 2
MAX_COMPARED = MAX_MODELS  # the state string carries at most this many models

DATE_COLUMNS = ("created", "updated")
TEXT_COLUMNS = tuple(c for c in MODEL_COLUMNS if c not in CATEGORICAL_COLUMNS and c not in DATE_COLUMNS)

FilterKind = Literal["values", "range", "text"]


def selection_problem(count: int) -> str | None:
    """Why `count` models cannot be compared, or None when they can."""
    if count < MIN_COMPARED:
        return f"Select at least {MIN_COMPARED} models to compare ({count} selected)"
    if count > MAX_COMPARED:
        return f"At most {MAX_COMPARED} models can be compared ({count:,} selected)"
    return None


def filter_kind(column: str) -> FilterKind:
    if column in CATEGORICAL_COLUMNS:
        return "values"
    if column in DATE_COLUMNS:
        return "range"
    if column in MODEL_COLUMNS:
        return "text"
    raise ValueError(f"unknown column {column!r}")


@dataclass(frozen=True)
class ColumnFilter:
    """The filter of one column: accepted values (categorical columns), an
    inclusive date range (created/updated) or a substring (name, id)."""

    column: str
    values: tuple[str, ...] = ()
    low: str = ""
    high: str = ""
    text: str = ""

    @property
    def kind(self) -> FilterKind:
        return filter_kind(self.column)

    def is_empty(self) -> bool:
        if self.kind == "values":
            return not self.values
        if self.kind == "range":
            return not (self.low or self.high)
        return not self.text

    def describe(self, max_values: int = 3) -> str:
        """Short text for the active-filters bar, e.g. `project: vision, nlp`."""
        if self.kind == "values":
            shown = ", ".join(v or "(none)" for v in self.values[:max_values])
            more = len(self.values) - max_values
            return f"{self.column}: {shown}" + (f" +{more}" if more > 0 else "")
        if self.kind == "range":
            low = _display_date(self.low)
            high = _display_date(self.high)
            if low and high:
                return f"{self.column}: {low} … {high}"
            if low:
                return f"{self.column} ≥ {low}"
            return f"{self.column} ≤ {high}"
        return f"{self.column} ~ {self.text}"


def _display_date(iso: str) -> str:
    return iso.replace("T", " ")


_DATE_BOUND = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2}))?)?)?)?)?$")


def parse_date_bound(text: str) -> str:
    """A date-range bound as typed (`2026`, `2026-01`, `2026-01-31`,
    `2026-01-31 12:30`) as the ISO-8601 prefix the source compares with.
    Raises ValueError naming the value when it is not such a date."""
    text = text.strip()
    if not text:
        return ""
    m = _DATE_BOUND.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD, optionally HH:MM)")
    year, month, day, hour, minute, second = m.groups()
    limits = ((month, 1, 12, "month"), (day, 1, 31, "day"), (hour, 0, 23, "hour"),
              (minute, 0, 59, "minute"), (second, 0, 59, "second"))
    for value, low, high, what in limits:
        if value is not None and not low <= int(value) <= high:
            raise ValueError(f"{text!r}: {what} {value} is out of range")
    out = year
    if month:
        out += f"-{month}"
    if day:
        out += f"-{day}"
    if hour:
        out += f"T{hour}"
    if minute:
        out += f":{minute}"
    if second:
        out += f":{second}"
    return out


# -- reading and writing filters of a query -----------------------------------


def get_filter(query: ModelQuery, column: str) -> ColumnFilter | None:
    kind = filter_kind(column)
    if kind == "values":
        for col, values in query.filters:
            if col == column:
                return ColumnFilter(column, values=values)
    elif kind == "range":
        for col, low, high in query.ranges:
            if col == column:
                return ColumnFilter(column, low=low, high=high)
    else:
        for col, text in query.text_filters:
            if col == column:
                return ColumnFilter(column, text=text)
    return None


def active_filters(query: ModelQuery) -> list[ColumnFilter]:
    """The query's filters in table column order."""
    found = (get_filter(query, column) for column in MODEL_COLUMNS)
    return [f for f in found if f is not None and not f.is_empty()]


def clear_filter(query: ModelQuery, column: str) -> ModelQuery:
    return replace(
        query,
        filters=tuple(f for f in query.filters if f[0] != column),
        ranges=tuple(r for r in query.ranges if r[0] != column),
        text_filters=tuple(t for t in query.text_filters if t[0] != column),
        offset=0,
    )


def clear_all_filters(query: ModelQuery) -> ModelQuery:
    return replace(query, filters=(), ranges=(), text_filters=(), offset=0)


def set_filter(query: ModelQuery, f: ColumnFilter) -> ModelQuery:
    """`query` with `f` as its column's filter (an empty filter removes it)."""
    query = clear_filter(query, f.column)
    if f.is_empty():
        return query
    if f.kind == "values":
        return replace(query, filters=(*query.filters, (f.column, tuple(f.values))))
    if f.kind == "range":
        return replace(query, ranges=(*query.ranges, (f.column, f.low, f.high)))
    return replace(query, text_filters=(*query.text_filters, (f.column, f.text)))


def has_constraints(query: ModelQuery) -> bool:
    """True when the query hides some models (search or any filter)."""
    return bool(query.search.strip() or active_filters(query))


def cycle_sort(query: ModelQuery, column: str) -> ModelQuery:
    """Ascending → descending → off (the source's default order) on `column`;
    another column starts ascending."""
    if column not in MODEL_COLUMNS:
        raise ValueError(f"unknown column {column!r}")
    if query.sort is None or query.sort[0] != column:
        sort: tuple[str, bool] | None = (column, False)
    elif not query.sort[1]:
        sort = (column, True)
    else:
        sort = None
    return replace(query, sort=sort, offset=0)
