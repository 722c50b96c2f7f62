"""j/k, g/G (and h/l in the models table) move as ↓/↑, Home/End (←/→) do, in
every table and list; the keys that already meant something keep their meaning."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from diff_fixtures import DiffApp, build_diff_store, diff_state
from modelcompare_tui.screens.details import DetailsBody
from modelcompare_tui.screens.plots import PlotsBody
from modelcompare_tui.screens.scalars import ScalarsBody
from modelcompare_tui.widgets.charts import ChartGrid
from modelcompare_tui.widgets.diff_grid import DiffGrid
from modelcompare_tui.widgets.model_table import ModelTable
from modelcompare_tui.widgets.plot_cards import PlotCard
from modelcompare_tui.widgets.value_table import ValueTableView
from scalars_fixtures import BodyApp, build_scalars_store, default_state
from snapshot_apps.apps import make_app, settle

SIZE = (120, 40)


async def _press(pilot: Pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def test_models_table(tmp_path: Path) -> None:
    app = make_app(tmp_path, 30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ModelTable)
        await _press(pilot, "j", "j")
        assert table.cursor_row == 2
        await _press(pilot, "k")
        assert table.cursor_row == 1
        await _press(pilot, "G")
        assert table.cursor_row == 29
        await _press(pilot, "g")
        assert table.cursor_row == 0
        column = table.cursor_column
        await _press(pilot, "l")
        assert table.cursor_column == column + 1
        await _press(pilot, "h")
        assert table.cursor_column == column


async def test_details_grid_and_h_still_hides(tmp_path: Path) -> None:
    store = build_diff_store(tmp_path / "store.db")
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        await _press(pilot, "j", "j")
        assert grid.cursor_row_index == 2
        await _press(pilot, "G")
        last = grid.cursor_row_index
        assert last == len(grid.rows) - 1 > 2
        await _press(pilot, "g", "k")
        assert grid.cursor_row_index == 0
        await _press(pilot, "h")
        assert app.states[-1].details.hide_identical is True


async def test_values_table(tmp_path: Path) -> None:
    store = build_scalars_store(tmp_path / "store.db")
    app = BodyApp(store, default_state(), ScalarsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.query_one(ValueTableView)
        await _press(pilot, "j")
        assert table.cursor_row == 1
        await _press(pilot, "G")
        assert table.table is not None
        assert table.cursor_row == len(table.table.rows) - 1 > 1
        await _press(pilot, "g")
        assert table.cursor_row == 0


async def test_chart_grid_and_g_still_groups(tmp_path: Path) -> None:
    store = build_scalars_store(tmp_path / "store.db")
    app = BodyApp(store, default_state(view="graph"), ScalarsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(ChartGrid)
        first = app.focused
        await _press(pilot, "j")
        below = app.focused
        assert below is not first and below in grid.children
        await _press(pilot, "k")
        assert app.focused is first
        await _press(pilot, "g")
        assert app.states[-1].scalars.group_by == "metric"


async def test_plot_list(tmp_path: Path) -> None:
    store = build_scalars_store(tmp_path / "store.db")
    app = BodyApp(store, default_state(tab="plots"), PlotsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        cards = list(app.query(PlotCard))
        assert len(cards) > 2
        start = cards.index(app.focused)
        await _press(pilot, "j")
        assert cards.index(app.focused) == start + 1
        await _press(pilot, "G")
        assert app.focused is cards[-1]
        await _press(pilot, "k")
        assert app.focused is cards[-2]
        await _press(pilot, "g")
        assert app.focused is cards[0]


# -- a burst of keys (a paste, a fast typist over SSH) acts as the same keys typed one by one


def _burst(app, text: str) -> None:  # noqa: ANN001
    """Queue every key before the app handles the first, as a terminal delivers a burst."""
    from textual import events

    for ch in text:
        key = {"/": "slash", " ": "space"}.get(ch, ch)
        event = events.Key(key, ch)
        event.set_sender(app)
        app._driver.send_message(event)  # noqa: SLF001


async def test_a_burst_after_slash_goes_into_the_models_search(tmp_path: Path) -> None:
    from textual.widgets import Input

    app = make_app(tmp_path, 30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ModelTable)
        sort_before = table.query_state.sort if hasattr(table, "query_state") else None
        _burst(app, "/sweep")
        await settle(pilot)
        assert app.screen.query_one("#search", Input).value == "sweep"
        if sort_before is not None:
            assert table.query_state.sort == sort_before


async def test_a_burst_after_slash_goes_into_the_details_search(tmp_path: Path) -> None:
    from textual.widgets import Input

    store = build_diff_store(tmp_path / "store.db")
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _burst(app, "/lr")
        await settle(pilot)
        assert app.query_one("#diff-search", Input).value == "lr"
        await _press(pilot, "enter")  # keeps the search: the state has it
        assert app.states[-1].details.search == "lr"


async def test_text_cursors_do_not_blink(tmp_path: Path) -> None:
    """A blinking cursor repaints twice a second: bytes on an idle SSH link."""
    from textual.widgets import Input

    app = make_app(tmp_path, 30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _press(pilot, "slash")
        box = app.focused
        assert isinstance(box, Input) and box.cursor_blink is False


async def test_pagedown_in_the_graph_moves_a_whole_screen(tmp_path: Path) -> None:
    store = build_scalars_store(tmp_path / "store.db")
    app = BodyApp(store, default_state(view="graph"), ScalarsBody)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        grid = app.query_one(ChartGrid)
        rows_in_view = max(1, grid.scrollable_content_region.height // grid.row_height)
        total_rows = -(-len(grid.cards) // grid.columns)
        assert total_rows > rows_in_view  # there is a next screen
        await _press(pilot, "pagedown")
        index = grid.cards.index(app.focused)
        assert index == rows_in_view * grid.columns
        assert grid.scroll_y == grid.top_row_for(index, grid.scrollable_content_region.height) * grid.row_height > 0
        await _press(pilot, "pageup")
        assert grid.cards.index(app.focused) == 0 and grid.scroll_y == 0
