"""The models table in memory: the listed entries, searched, filtered, sorted
and paged the way every source does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...core.model import ModelPage, ModelQuery, ModelRow
from ..base import SourceError
from .shapes import LoggedModelData, VersionData


@dataclass
class Entry:
    """One model of the list, with what it takes to find its data."""

    id: str
    kind: str  # version | logged
    row: ModelRow
    run_id: str
    parent: str
    version: VersionData | None = None
    logged: LoggedModelData | None = None
    listed: bool = True  # False: a registered logged model, shown as its version


def _cell_text(row: ModelRow, column: str) -> str:
    if column not in ModelRow.__dataclass_fields__:
        raise SourceError(f"unknown models table column {column!r}")
    return row.cell(column)


def _row_matches(row: ModelRow, query: ModelQuery) -> bool:
    if query.search:
        needle = query.search.lower()
        if not (
            needle in row.name.lower()
            or needle in row.project.lower()
            or any(needle in tag.lower() for tag in row.tags)
        ):
            return False
    for column, accepted in query.filters:
        if not accepted:
            continue
        if column == "tags":
            if not set(row.tags) & set(accepted):
                return False
        elif _cell_text(row, column) not in accepted:
            return False
    for column, low, high in query.ranges:
        text = _cell_text(row, column)
        if low and text < low:
            return False
        # a high bound is inclusive of everything it is a prefix of (a date covers its day)
        if high and text[: len(high)] > high:
            return False
    for column, needle in query.text_filters:
        if needle and needle.lower() not in _cell_text(row, column).lower():
            return False
    return True


def query_rows(rows: Sequence[ModelRow], query: ModelQuery) -> ModelPage:
    """Search, filter, sort and page a list of rows, the way every source does."""
    by_id = {row.id: row for row in rows}
    pinned = [by_id[i] for i in dict.fromkeys(query.pinned) if i in by_id]
    pinned_ids = {row.id for row in pinned}
    matching = [row for row in rows if row.id not in pinned_ids and _row_matches(row, query)]
    column, descending = query.sort if query.sort else ("updated", True)
    _cell_text(matching[0], column) if matching else None  # validates the column
    matching.sort(key=lambda row: row.id)
    matching.sort(key=lambda row: row.cell(column).lower(), reverse=descending)
    ordered = pinned + matching
    offset = max(0, query.offset)
    limit = max(0, query.limit)
    return ModelPage(rows=ordered[offset : offset + limit], total=len(ordered), offset=offset)


def distinct_counts(rows: Sequence[ModelRow], column: str, limit: int) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for row in rows:
        values = row.tags if column == "tags" else (_cell_text(row, column),)
        for value in dict.fromkeys(values):
            counts[value] = counts.get(value, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[: max(0, limit)]
