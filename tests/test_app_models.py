"""Pilot tests of the models table screen: sort, filters, search, multi-select,
compare and its guards, empty state, errors, help, palette and theme."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from modelcompare_tui.app import create_app
from modelcompare_tui.core.model import ModelQuery
from modelcompare_tui.dialogs.column_filter import FilterDialog
from modelcompare_tui.dialogs.help import HelpDialog
from modelcompare_tui.screens.base import CompareScreen
from modelcompare_tui.screens.models import ModelsScreen
from modelcompare_tui.sources.base import SourceError
from modelcompare_tui.sources.store import SQLiteStore
from modelcompare_tui.widgets.model_browser import FilterBar
from modelcompare_tui.widgets.model_table import ModelTable
from modelcompare_tui.widgets.model_table.pages import PAGE_SIZE
from snapshot_apps.apps import make_app, recording_bodies, settle, use_bodies
from snapshot_apps.fixtures import build_big_store

SIZE = (120, 32)


@pytest.fixture(autouse=True)
def _stub_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    # the models screen tests must not depend on the tab bodies' modules
    use_bodies(monkeypatch, recording_bodies())


def table_of(app) -> ModelTable:  # noqa: ANN001
    return app.screen.query_one(ModelTable)


def names(table: ModelTable) -> list[str]:
    return [r.name for r in table.visible_rows()]


def source_names(app, query: ModelQuery, n: int) -> list[str]:  # noqa: ANN001
    return [r.name for r in app.source.list_models(replace(query, offset=0, limit=n)).rows]


async def move_to_column(pilot, column: str) -> None:  # noqa: ANN001
    table = table_of(pilot.app)
    while table.cursor_column_key != column:
        await pilot.press("right")


async def test_first_page_is_newest_first(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert isinstance(app.screen, ModelsScreen)
        assert table.total == 30
        shown = names(table)
        assert len(shown) == min(30, table.scrollable_content_region.height - 1)
        assert shown == source_names(app, ModelQuery(), len(shown))
        assert "30 models" in str(app.screen.query_one("#title-bar").render())


async def test_sort_cycles_ascending_descending_off(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        default = names(table)
        await move_to_column(pilot, "framework")
        await pilot.press("s")
        await settle(pilot)
        assert table.model_query.sort == ("framework", False)
        frameworks = [r.framework for r in table.visible_rows()]
        assert frameworks == sorted(frameworks)
        assert "framework ▲" in table.render_line(0).text
        await pilot.press("s")
        await settle(pilot)
        assert table.model_query.sort == ("framework", True)
        frameworks = [r.framework for r in table.visible_rows()]
        assert frameworks == sorted(frameworks, reverse=True)
        assert "framework ▼" in table.render_line(0).text
        await pilot.press("s")
        await settle(pilot)
        assert table.model_query.sort is None
        assert names(table) == default


async def test_clicking_a_header_sorts(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        header = table.render_line(0).text
        x = header.index("user")
        await pilot.click(ModelTable, offset=(x + 1, 0))
        await settle(pilot)
        assert table.model_query.sort == ("user", False)
        assert table.cursor_column_key == "user"
        users = [r.user for r in table.visible_rows()]
        assert users == sorted(users)


async def test_clicking_a_row_selects_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        third = table.visible_rows()[2]
        await pilot.click(ModelTable, offset=(5, 3))
        await pilot.pause()
        assert table.cursor_row == 2
        assert list(table.selected) == [third.id]


async def test_categorical_filter_checklist(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await move_to_column(pilot, "project")
        await pilot.press("f")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        values = dialog.query_one("#values")
        offered = [values.get_option_at_index(i).value for i in range(values.option_count)]
        assert sorted(offered) == ["nlp", "recsys", "speech", "vision"]
        values.select("nlp")
        values.select("speech")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ModelsScreen)
        assert table.model_query.filters == (("project", ("nlp", "speech")),)
        assert table.total == app.source.list_models(ModelQuery(filters=(("project", ("nlp", "speech")),))).total
        assert {r.project for r in table.visible_rows()} == {"nlp", "speech"}
        bar = app.screen.query_one(FilterBar)
        assert bar.display and "project: nlp, speech" in str(bar.render())
        # the dialog opens with the active values checked
        await pilot.press("f")
        await settle(pilot)
        assert sorted(app.screen.query_one("#values").selected) == ["nlp", "speech"]
        await pilot.press("escape")
        await settle(pilot)
        # x clears the cursor column's filter
        await pilot.press("x")
        await settle(pilot)
        assert table.model_query.filters == ()
        assert table.total == 30
        assert not app.screen.query_one(FilterBar).display


async def test_tags_filter_matches_any_tag(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await move_to_column(pilot, "tags")
        await pilot.press("f")
        await settle(pilot)
        app.screen.query_one("#values").select("prod")
        await pilot.press("ctrl+s")
        await settle(pilot)
        expected = app.source.list_models(ModelQuery(filters=(("tags", ("prod",)),), limit=100))
        assert table.total == expected.total > 0
        assert all("prod" in r.tags for r in table.visible_rows())


async def test_date_range_filter(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await move_to_column(pilot, "created")
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, FilterDialog)
        await pilot.press(*"2026-01-08", "tab", *"2026-01-15", "enter")
        await settle(pilot)
        assert table.model_query.ranges == (("created", "2026-01-08", "2026-01-15"),)
        rows = table.visible_rows()
        assert rows and all("2026-01-08" <= r.created[:10] <= "2026-01-15" for r in rows)
        expected = app.source.list_models(ModelQuery(ranges=(("created", "2026-01-08", "2026-01-15"),)))
        assert table.total == expected.total
        assert "created: 2026-01-08 … 2026-01-15" in str(app.screen.query_one(FilterBar).render())


async def test_date_range_filter_refuses_a_bad_date(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await move_to_column(pilot, "updated")
        await pilot.press("f")
        await settle(pilot)
        await pilot.press(*"2026-13-01", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FilterDialog)
        assert "month 13 is out of range" in str(dialog.query_one("#filter-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert table_of(app).model_query.ranges == ()


async def test_text_filter_and_clear_all(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("f")  # the cursor starts on name: a text filter
        await settle(pilot)
        await pilot.press(*"run01", "enter")
        await settle(pilot)
        assert table.model_query.text_filters == (("name", "run01"),)
        assert table.total == 10
        assert all("run01" in n for n in names(table))
        await move_to_column(pilot, "status")
        await pilot.press("f")
        await settle(pilot)
        app.screen.query_one("#values").select("published")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert table.total == len([n for n in range(10, 20) if n % 3 == 0])
        await pilot.press("X")
        await settle(pilot)
        assert table.total == 30
        assert table.model_query.text_filters == () and table.model_query.filters == ()


async def test_clicking_a_filter_chip_clears_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("f", *"bert", "enter")
        await settle(pilot)
        assert table.total < 30
        bar = app.screen.query_one(FilterBar)
        x = str(bar.render()).index("name ~ bert")
        await pilot.click(FilterBar, offset=(x + 2, 0))
        await settle(pilot)
        assert table.total == 30


async def test_search_filters_as_you_type(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await pilot.press("slash")
        assert app.focused.id == "search"
        await pilot.press("b")
        await settle(pilot)
        partial = table.total
        await pilot.press(*"ert")
        await settle(pilot)
        assert table.model_query.search == "bert"
        assert 0 < table.total < partial
        assert all("bert" in n for n in names(table))
        # the search also matches tags and projects
        await pilot.press(*["backspace"] * 4, *"vision")
        await settle(pilot)
        assert table.total == 8 and {r.project for r in table.visible_rows()} == {"vision"}
        await pilot.press(*["backspace"] * 6, *"distilled")
        await settle(pilot)
        assert table.total > 0 and all("distilled" in r.tags for r in table.visible_rows())
        await pilot.press("escape")
        assert app.focused is table
        assert table.model_query.search == "distilled"  # kept


async def test_no_match_message(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzzz")
        await settle(pilot)
        table = table_of(app)
        assert table.total == 0
        assert "No models match" in table.render_line(2).text
        assert table.display


async def test_multi_select_space_shift_and_select_all(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        bar = app.screen.query_one("#batch-bar")
        assert not bar.display
        rows = table.visible_rows()
        await pilot.press("space", "down", "down", "space")
        assert list(table.selected) == [rows[0].id, rows[2].id]
        assert bar.display
        assert "2 selected" in str(app.screen.query_one("#batch-bar").render())
        await pilot.press("space")  # deselect
        assert list(table.selected) == [rows[0].id]
        await pilot.press("shift+down", "shift+down")
        assert list(table.selected) == [rows[0].id, rows[2].id, rows[3].id, rows[4].id]
        await pilot.press("escape")
        assert not table.selected and not bar.display
        # ctrl+a: all shown (the filtered rows), again: none
        await pilot.press("slash", *"bert", "enter")
        await settle(pilot)
        await pilot.press("ctrl+a")
        await settle(pilot)
        bert_ids = {r.id for r in app.source.list_models(ModelQuery(search="bert", limit=100)).rows}
        assert set(table.selected) == bert_ids
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert not table.selected


async def test_compare_opens_details_with_selection_order(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        rows = table.visible_rows()
        await pilot.press("down", "down", "space", "up", "space", "up", "space")
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert app.screen.tab == "details"
        assert app.comparison.tab == "details"
        assert app.comparison.models == (rows[2].id, rows[1].id, rows[0].id)
        assert [m.id for m in app.compared_models] == list(app.comparison.models)
        # back on the table, the compared models carry their color dot
        await pilot.press("escape")
        await settle(pilot)
        table = table_of(app)
        assert table.compared == frozenset(app.comparison.models)
        assert "●" in table.render_line(1).text


async def test_compare_button_click(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "down", "space")
        await pilot.pause()
        bar = app.screen.query_one("#batch-bar")
        await pilot.click("#batch-bar", offset=(str(bar.render()).index("COMPARE") + 2, 0))
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)


async def test_compare_needs_two_models(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("space", "c")
        await settle(pilot)
        assert isinstance(app.screen, ModelsScreen)
        assert app.comparison.models == ()
        assert any("at least 2" in n.message for n in app._notifications)


async def test_compare_refuses_more_than_100(tmp_path: Path) -> None:
    store = build_big_store(tmp_path / "big.db", 120)
    app = create_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+a")
        await settle(pilot)
        assert len(table_of(app).selected) == 120
        assert "At most 100" in str(app.screen.query_one("#batch-bar").render())
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ModelsScreen)
        assert app.comparison.models == ()
        assert any("At most 100 models can be compared (120 selected)" in n.message for n in app._notifications)


async def test_empty_store_says_how_to_get_models(tmp_path: Path) -> None:
    app = create_app(SQLiteStore(tmp_path / "empty.db"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        empty = app.screen.query_one("#empty-store")
        assert empty.display
        text = str(empty.render())
        assert "modelcompare --demo" in text and "modelcompare import" in text
        assert not table_of(app).display


async def test_virtualized_paging_on_a_large_store(tmp_path: Path) -> None:
    store = build_big_store(tmp_path / "big.db", 3 * PAGE_SIZE + 17)
    app = create_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = table_of(app)
        assert table.total == 3 * PAGE_SIZE + 17
        assert list(table._cache._pages) == [0]  # only the first page was read
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_row == table.total - 1
        last = store.list_models(ModelQuery(offset=table.total - 1, limit=1)).rows[0]
        assert table.cursor_model == last
        assert 1 not in table._cache  # pages between were never read
        await pilot.press("pageup")
        await settle(pilot)
        assert table.cursor_row == table.total - 1 - (table.scrollable_content_region.height - 1)


class FailingSource(SQLiteStore):
    def list_models(self, query):  # noqa: ANN001
        raise SourceError("models.db: database is locked")


async def test_source_errors_become_notifications(tmp_path: Path) -> None:
    app = create_app(FailingSource(tmp_path / "s.db"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ModelsScreen)  # no crash
        assert [n.message for n in app._notifications] == ["models.db: database is locked"]
        assert not table_of(app).loading


async def test_help_lists_every_binding(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpDialog)
        text = app.screen.plain_text()
        for expected in ("Select", "Sort", "Filter", "Clear all filters", "Select all shown",
                         "Extend selection down", "Search", "Compare", "Clear selection",
                         "Dark/light", "Quit", "Show/hide id column"):
            assert expected in text, expected
        await pilot.press("escape")
        assert isinstance(app.screen, ModelsScreen)


async def test_palette_offers_the_screen_actions(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {c.title: c for c in app.get_system_commands(app.screen)}
        for expected in ("Sort", "Filter", "Search", "Compare", "Select", "Toggle dark/light theme"):
            assert expected in titles
        assert "Up" not in titles  # cursor keys stay out
        await titles["Sort"].callback()
        await settle(pilot)
        assert table_of(app).model_query.sort == ("name", False)


async def test_palette_runs_a_command(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Show/hide id")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert "id" in table_of(app).columns


async def test_theme_toggle(tmp_path: Path) -> None:
    app = make_app(tmp_path, theme="light")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"


async def test_q_types_in_search_and_quits_elsewhere(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "q")
        assert app.screen.query_one("#search").value == "q"
        assert app.is_running
        await pilot.press("escape", "q")
        await pilot.pause()
        assert not app.is_running


class SlowSource(SQLiteStore):
    """list_models takes a while (a remote source): the UI must stay responsive."""

    delay = 1.5

    def list_models(self, query):  # noqa: ANN001
        import time

        time.sleep(self.delay)
        return super().list_models(query)


async def test_slow_source_shows_loading_and_stays_responsive(tmp_path: Path) -> None:
    from snapshot_apps.fixtures import build_store

    build_store(tmp_path / "s.db", 12).close()
    app = create_app(SlowSource(tmp_path / "s.db"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.25)
        table = table_of(app)
        assert not table.is_loaded
        assert table.loading  # the indicator shows while the first page is on its way
        await pilot.press("ctrl+t")  # keys work meanwhile
        assert app.theme == "textual-light"
        await settle(pilot)
        assert table.is_loaded and table.total == 12 and not table.loading


def test_cell_fitting() -> None:
    from modelcompare_tui.core.cells import shorten
    from modelcompare_tui.widgets.model_table.columns import fit
    from modelcompare_tui.widgets.model_table.pages import PageCache

    assert fit("abc", 5) == "abc  "
    assert fit("abcdefgh", 5) == "abcd…"
    assert fit("wav2vec2-base-librispeech-lr1e-5", 20, middle=True) == "wav2vec2-bas…-lr1e-5"
    assert shorten("short", 10, middle=True) == "short"
    assert fit("模型名字很长", 7) == "模型名…"  # wide characters count two cells
    cache = PageCache(max_pages=2)
    cache.put(0, [])
    cache.put(1, [])
    cache.get(0)
    cache.put(2, [])  # evicts the least recently used page, 1
    assert 0 in cache and 2 in cache and 1 not in cache


def test_chip_text_reads_on_every_palette_color() -> None:
    from modelcompare_tui.core.colors import PALETTE
    from modelcompare_tui.widgets.model_bar import chip_text_color

    assert chip_text_color("#ffffff") == "#000000"
    assert chip_text_color("#000000") == "#ffffff"
    assert all(chip_text_color(c) in ("#000000", "#ffffff") for c in PALETTE)
