"""Unit tests of the models-table query helpers (no Textual)."""

from __future__ import annotations

import pytest

from modelcompare_tui.core.model import ModelQuery
from modelcompare_tui.core.table_query import (
    MAX_COMPARED,
    ColumnFilter,
    active_filters,
    clear_all_filters,
    clear_filter,
    cycle_sort,
    filter_kind,
    get_filter,
    has_constraints,
    parse_date_bound,
    selection_problem,
    set_filter,
)


def test_sort_cycles_per_column() -> None:
    q = ModelQuery()
    q = cycle_sort(q, "name")
    assert q.sort == ("name", False)
    q = cycle_sort(q, "name")
    assert q.sort == ("name", True)
    q = cycle_sort(q, "name")
    assert q.sort is None
    q = cycle_sort(cycle_sort(q, "name"), "user")  # another column starts ascending
    assert q.sort == ("user", False)
    with pytest.raises(ValueError, match="unknown column 'nope'"):
        cycle_sort(q, "nope")


def test_filter_kinds() -> None:
    assert [filter_kind(c) for c in ("project", "tags", "created", "updated", "name", "id")] == [
        "values", "values", "range", "range", "text", "text"]


def test_set_get_and_clear_filters() -> None:
    q = ModelQuery(search="bert")
    q = set_filter(q, ColumnFilter("project", values=("nlp", "vision")))
    q = set_filter(q, ColumnFilter("created", low="2026-01", high="2026-02-15"))
    q = set_filter(q, ColumnFilter("name", text="lr3e"))
    assert q.filters == (("project", ("nlp", "vision")),)
    assert q.ranges == (("created", "2026-01", "2026-02-15"),)
    assert q.text_filters == (("name", "lr3e"),)
    assert get_filter(q, "project") == ColumnFilter("project", values=("nlp", "vision"))
    assert [f.column for f in active_filters(q)] == ["name", "project", "created"]  # table order
    # replacing a column's filter keeps one entry; an empty filter removes it
    q = set_filter(q, ColumnFilter("project", values=("speech",)))
    assert q.filters == (("project", ("speech",)),)
    q = set_filter(q, ColumnFilter("project"))
    assert q.filters == () and get_filter(q, "project") is None
    q = clear_filter(q, "created")
    assert q.ranges == () and q.text_filters == (("name", "lr3e"),)
    q = clear_all_filters(q)
    assert not active_filters(q)
    assert q.search == "bert" and has_constraints(q)
    assert not has_constraints(ModelQuery(search="  "))


def test_filter_descriptions() -> None:
    assert ColumnFilter("tags", values=("a", "b", "c", "d")).describe() == "tags: a, b, c +1"
    assert ColumnFilter("user", values=("",)).describe() == "user: (none)"
    assert ColumnFilter("created", low="2026-01-02", high="2026-01-31T12").describe() == "created: 2026-01-02 … 2026-01-31 12"
    assert ColumnFilter("updated", low="2026").describe() == "updated ≥ 2026"
    assert ColumnFilter("updated", high="2026-03").describe() == "updated ≤ 2026-03"
    assert ColumnFilter("name", text="bert").describe() == "name ~ bert"


@pytest.mark.parametrize(
    ("typed", "iso"),
    [("", ""), ("2026", "2026"), ("2026-01", "2026-01"), (" 2026-01-31 ", "2026-01-31"),
     ("2026-01-31 12:30", "2026-01-31T12:30"), ("2026-01-31T12:30:59", "2026-01-31T12:30:59")],
)
def test_parse_date_bound(typed: str, iso: str) -> None:
    assert parse_date_bound(typed) == iso


@pytest.mark.parametrize(
    ("typed", "why"),
    [("yesterday", "is not a date"), ("2026-1-5", "is not a date"), ("2026-13", "month 13 is out of range"),
     ("2026-02-00", "day 00 is out of range"), ("2026-02-01 24:00", "hour 24 is out of range")],
)
def test_parse_date_bound_refuses(typed: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_date_bound(typed)


def test_selection_problem() -> None:
    assert selection_problem(0) == "Select at least 2 models to compare (0 selected)"
    assert selection_problem(1) is not None
    assert selection_problem(2) is None
    assert selection_problem(MAX_COMPARED) is None
    assert selection_problem(MAX_COMPARED + 1) == f"At most {MAX_COMPARED} models can be compared (101 selected)"


def test_core_does_not_import_textual() -> None:
    import subprocess
    import sys

    code = "import sys, modelcompare_tui.core.table_query; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
