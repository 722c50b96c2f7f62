"""Pilot tests of the Plots tab body: Summary, merged plots, iteration
selector and steps, filter, maximise, live reload."""

from __future__ import annotations

from pathlib import Path

import pytest

from modelcompare_tui.core.model import Plot
from modelcompare_tui.dialogs.iteration import IterationDialog
from modelcompare_tui.screens.plots import PlotsBody, step_iteration
from modelcompare_tui.widgets.plot_cards import PlotCard, PlotList
from modelcompare_tui.widgets.tab_body import EmbedTarget
from scalars_fixtures import IDS, BodyApp, build_scalars_store, default_state, screen_text, settle

SIZE = (100, 30)


@pytest.fixture
def store(tmp_path: Path):
    s = build_scalars_store(tmp_path / "store.db")
    yield s
    s.close()


def make_app(store, **plots) -> BodyApp:  # noqa: ANN001
    from dataclasses import replace

    state = default_state(tab="plots")
    state = replace(state, plots=replace(state.plots, **plots))
    return BodyApp(store, state, PlotsBody)


def cards(app: BodyApp) -> list[PlotCard]:
    return app.query_one(PlotList).cards


async def test_summary_first_then_one_card_per_metric_variant(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = [c.key for c in cards(app)]
        assert keys == ["summary", "class_counts/val", "confusion/val", "eval/per_class", "notes/summary",
                        "pr/val", "roc/val", "scores/val", "weights/conv1"]
        summary = cards(app)[0]
        assert summary.summary is not None
        assert summary.summary.names == ("latency_ms", "params_m", "test/accuracy", "test/f1")
        text = screen_text(app)
        assert "Summary · single values" in text and "latency_ms" in text and "20.3" in text
        assert app.focused is summary
        by_key = {c.key: c for c in cards(app)}
        roc = by_key["roc/val"].group
        # vit's last plot is from another iteration: said in the series names
        assert [s.name for s in roc.chart.series] == [
            "resnet50 (a1a1a1a1) · roc (iteration 1000)", "resnet50 (b2b2b2b2) · roc (iteration 1000)",
            "vit-b16 · roc (iteration 500)"]
        assert by_key["pr/val"].group.missing == (1,)  # a legend entry says who has no such plot
        assert by_key["eval/per_class"].group.table.columns[0] == "model"
        assert len(by_key["confusion/val"].group.panels) == 3


async def test_cards_render_their_kind(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for card in cards(app)[1:]:
            app.query_one(PlotList).scroll_to_widget(card, animate=False, immediate=True)
            card.focus()
            await pilot.pause()
        await settle(pilot)
        await pilot.press("home")
        await settle(pilot)
        by_key = {c.key: c for c in cards(app)}
        roc = by_key["roc/val"]
        assert roc.is_plotext
        assert roc.styles.height.value == roc.chart_height + 2 + 2
        rendered = roc.render()
        assert "resnet50 (b2b2b2b2) · roc" in str(rendered.renderables[1])  # legend after the chart
        assert not by_key["class_counts/val"].is_plotext


async def test_iteration_selector_and_steps(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "last reported (of 2)" in screen_text(app)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, IterationDialog)
        await pilot.press("down", "down", "enter")  # last, 1000, 500
        await settle(pilot)
        assert app.comparison.plots.iteration == 500
        roc = next(c for c in cards(app) if c.key == "roc/val").group
        assert {it for _, it in roc.iterations} == {500}
        assert "≤ 500" in screen_text(app)
        await pilot.press("full_stop")  # 500 -> 1000 is the last: back to "last reported"
        await settle(pilot)
        assert app.comparison.plots.iteration is None
        await pilot.press("comma")
        await settle(pilot)
        assert app.comparison.plots.iteration == 500
        await pilot.press("comma")  # nothing earlier
        await settle(pilot)
        assert app.comparison.plots.iteration == 500
        await pilot.press("i", "escape")
        await settle(pilot)
        assert app.comparison.plots.iteration == 500


async def test_filter(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"*/val", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.comparison.plots.metric_filter == "*/val"
        assert [c.key for c in cards(app)] == ["summary", "class_counts/val", "confusion/val", "pr/val", "roc/val",
                                               "scores/val"]
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("ctrl+u", *"zzz", "escape")
        await settle(pilot)
        assert app.comparison.plots.metric_filter == "*/val"
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("ctrl+u", *"zzz", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert "No plot matches 'zzz'" in screen_text(app)
        assert "No single values match 'zzz'" in screen_text(app)


async def test_maximise_and_restore(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        assert app.focused is cards(app)[2]
        await pilot.press("enter")
        await settle(pilot)
        view = app.comparison.plots
        assert view.maximized and view.focused == "confusion/val"
        big = app.query_one(".plot-max-card", PlotCard)
        assert big.group.key == "confusion/val" and app.focused is big
        assert app.body.embed_target() == EmbedTarget("plots", "confusion/val")
        await pilot.press("escape")
        await settle(pilot)
        assert not app.comparison.plots.maximized
        assert app.focused is cards(app)[2]


async def test_focus_travels_in_the_state(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await pilot.pause(0.5)
        await settle(pilot)
        assert app.comparison.plots.focused == "class_counts/val"
        app.set_plots_view(focused="roc/val")
        await settle(pilot)
        assert app.focused.key == "roc/val"


async def test_refresh_data_shows_new_plots(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        store.add_plots(IDS[2], [Plot("roc", "val", 2000, "line", {"series": [{"name": "roc", "x": [0, 1],
                                                                               "y": [0, 1]}]})])
        app.body.refresh_data()
        await settle(pilot)
        roc = next(c for c in cards(app) if c.key == "roc/val").group
        assert dict(roc.iterations)[2] == 2000
        assert "(of 3)" in screen_text(app)


async def test_no_plots(tmp_path: Path) -> None:
    from modelcompare_tui.core.model import ModelRecord
    from modelcompare_tui.sources.store import SQLiteStore
    from scalars_fixtures import make_models

    store = SQLiteStore(tmp_path / "empty.db")
    store.import_records([ModelRecord(m) for m in make_models()])
    app = BodyApp(store, default_state(tab="plots"), PlotsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "These models report no plots" in screen_text(app)
        await pilot.press("i")
        await settle(pilot)
        assert not isinstance(app.screen, IterationDialog)
    store.close()


def test_step_iteration() -> None:
    its = [100, 200, 300]
    assert step_iteration(its, None, -1) == 200
    assert step_iteration(its, 200, -1) == 100
    assert step_iteration(its, 100, -1) == 100
    assert step_iteration(its, 100, 1) == 200
    assert step_iteration(its, 200, 1) is None  # 300 is the last: "last reported"
    assert step_iteration(its, 250, -1) == 100  # between two: from the one below
    assert step_iteration([], None, 1) is None


async def test_the_last_plot_focused_in_a_fresh_app_is_scrolled_to(store) -> None:  # noqa: ANN001
    """`G` scrolls to the last plot; a fresh app opened with that plot focused
    scrolls there too (its focus was applied before the list's first layout)."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G")
        await pilot.pause(0.5)
        await settle(pilot)
        plot_list = app.query_one(PlotList)
        assert app.focused is cards(app)[-1] and plot_list.scroll_y > 0
        mine, state = (app.focused.key, plot_list.scroll_y), app.comparison
    assert state.plots.focused == mine[0]
    fresh = BodyApp(store, state, PlotsBody)
    async with fresh.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert (fresh.focused.key, fresh.query_one(PlotList).scroll_y) == mine


async def test_page_down_moves_the_focus_and_the_scroll_follows(store) -> None:  # noqa: ANN001
    """pagedown moves the focus a screen on (a bare scroll would be a view the
    state string cannot say: a fresh app opened from it showed the top)."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("pagedown")
        await pilot.pause(0.5)
        await settle(pilot)
        plot_list = app.query_one(PlotList)
        assert app.focused is not cards(app)[0]
        mine, state = (app.focused.key, plot_list.scroll_y), app.comparison
        await pilot.press("pageup")
        await settle(pilot)
        assert app.focused is cards(app)[0]
    assert state.plots.focused == mine[0]
    fresh = BodyApp(store, state, PlotsBody)
    async with fresh.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert (fresh.focused.key, fresh.query_one(PlotList).scroll_y) == mine
