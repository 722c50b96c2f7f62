"""Pilot tests of the Scalars tab body, every control, in a tiny app that
mounts the body alone (tests/scalars_fixtures.py)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from modelcompare_tui.core.state import decode_state, encode_state
from modelcompare_tui.dialogs.csv_saved import CsvSavedDialog
from modelcompare_tui.dialogs.exact_value import ExactValueDialog
from modelcompare_tui.dialogs.zoom import ZoomDialog
from modelcompare_tui.render.value_text import value_table_to_csv
from modelcompare_tui.render.views import render_view
from modelcompare_tui.screens.scalars import ScalarsBody, step_weight
from modelcompare_tui.widgets.charts import ChartCard, ChartGrid
from modelcompare_tui.widgets.tab_body import EmbedTarget
from modelcompare_tui.widgets.value_table import ValueTableView
from scalars_fixtures import IDS, BodyApp, build_scalars_store, default_state, screen_text, settle

SIZE = (80, 24)


@pytest.fixture
def store(tmp_path: Path):
    s = build_scalars_store(tmp_path / "store.db")
    yield s
    s.close()


def make_app(store, **view) -> BodyApp:  # noqa: ANN001
    return BodyApp(store, default_state(**view), ScalarsBody)


def table_of(app: BodyApp) -> ValueTableView:
    return app.query_one(ValueTableView)


def line(app: BodyApp, y: int) -> str:
    return "".join(seg.text for seg in table_of(app).render_line(y))


def bar_text(app: BodyApp) -> str:
    return screen_text(app).splitlines()[0]


# -- Values view -------------------------------------------------------------------------


async def test_values_table_rows_labels_and_equal_mark(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app).table
        assert table is not None
        assert [r.key for r in table.rows] == [
            "accuracy/val", "grad_norm/total", "loss/train", "loss/val", "lr/lr", "throughput/samples_per_sec",
        ]
        # two models named resnet50 are told apart
        assert table.labels == ("resnet50 (a1a1a1a1)", "resnet50 (b2b2b2b2)", "vit-b16")
        header = line(app, 0)
        # cut to what tells them apart, so that all three columns fit side by side
        assert "…(a1a1a1a1)" in header and "…(b2b2b2b2)" in header and "vit-b16" in header
        lr_line = line(app, 1 + 4)
        assert lr_line.startswith("=") and "lr" in lr_line  # all models agree
        assert not line(app, 1).startswith("=")
        assert "–" in line(app, 2)  # grad_norm: only one model has it
        assert "Last" in bar_text(app)
        assert app.focused is table_of(app)


async def test_agg_cycles_last_min_max(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        summaries = store.scalar_summaries(list(IDS))
        loss = {s.variant: s for s in summaries[IDS[0]] if s.metric == "loss"}
        seen = []
        for expected in ("min", "max", "last"):
            await pilot.press("a")
            await settle(pilot)
            assert app.comparison.scalars.agg == expected
            table = table_of(app).table
            assert table.agg == expected
            seen.append(table.row("loss", "train").values[0])
        assert seen == [loss["train"].min, loss["train"].max, loss["train"].last]


async def test_extremes_and_delta_toggles(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        assert "▲" not in line(app, 1)
        await pilot.press("e")
        await settle(pilot)
        assert app.comparison.scalars.extremes
        accuracy = line(app, 1)
        assert "▲" in accuracy and "▼" in accuracy
        assert "(" not in accuracy
        await pilot.press("D")
        await settle(pilot)
        assert app.comparison.scalars.delta
        assert "(-3.46%)" in line(app, 1)
        assert "(+70.4%)" in line(app, 3)  # loss/train is worse on the second model
        await pilot.press("e", "D")
        await settle(pilot)
        assert not app.comparison.scalars.extremes and not app.comparison.scalars.delta
        assert "▲" not in line(app, 1) and "%" not in line(app, 1)


async def test_delta_colors_follow_the_metric_direction(store) -> None:  # noqa: ANN001
    app = make_app(store, delta=True)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        view = table_of(app)
        worse = view.get_component_rich_style("value-table--worse")
        better = view.get_component_rich_style("value-table--better")
        loss_segments = list(view.render_line(3))  # loss/train: higher is worse
        assert any("+70.4%" in s.text and s.style is not None and s.style.color == worse.color
                   for s in loss_segments)
        throughput = list(view.render_line(6))  # throughput: higher is better
        assert any("+11.1%" in s.text and s.style is not None and s.style.color == better.color for s in throughput)
        lr = list(view.render_line(5))  # no direction known for lr: neither color
        assert not any(s.style is not None and s.style.color in (worse.color, better.color) for s in lr)


async def test_filter_substring_glob_enter_and_escape(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"loss")
        await settle(pilot)
        assert [r.key for r in table_of(app).table.rows] == ["loss/train", "loss/val"]
        await pilot.press("enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.comparison.scalars.metric_filter == "loss"
        assert app.focused is table_of(app)
        assert "filter loss" in bar_text(app) and "2/6 rows" in bar_text(app)
        # a glob over metric/variant; escape goes back to the filter before
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("ctrl+u", *"*/val", "escape")
        await settle(pilot)
        assert app.comparison.scalars.metric_filter == "loss"
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("ctrl+u", *"*/val", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert app.comparison.scalars.metric_filter == "*/val"
        assert [r.key for r in table_of(app).table.rows] == ["accuracy/val", "loss/val"]
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("ctrl+u", *"nothing-like-this", "enter")
        await pilot.pause(0.4)
        await settle(pilot)
        assert "No metric matches 'nothing-like-this'" in line(app, 2)


async def test_download_csv_is_the_render_output(store, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("MODELCOMPARE_DOWNLOAD_DIR", str(tmp_path / "downloads"))
    app = make_app(store, agg="max", metric_filter="loss")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CsvSavedDialog)
        files = list((tmp_path / "downloads").glob("*.csv"))
        assert len(files) == 1 and dialog.path == files[0]
        assert files[0].name in screen_text(app)
        written = files[0].read_bytes()
        assert written == value_table_to_csv(table_of(app).table).encode()
        # byte for byte what `modelcompare render --tab scalars --format csv` prints
        rendered = render_view(store, app.comparison, fmt="csv")
        assert written == rendered.encode()
        assert written.decode().splitlines()[0] == "metric,variant,resnet50 (a1a1a1a1),resnet50 (b2b2b2b2),vit-b16"
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == written.decode()
        assert not isinstance(app.screen, CsvSavedDialog)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert app.clipboard.endswith(".csv")
        assert len(list((tmp_path / "downloads").glob("*.csv"))) == 2  # never overwrites


async def test_enter_shows_the_exact_value(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "right", "enter")  # loss/train, second model
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ExactValueDialog)
        summary = next(s for s in store.scalar_summaries([IDS[1]])[IDS[1]] if (s.metric, s.variant) == ("loss", "train"))
        body = screen_text(app)
        assert repr(summary.last) in body and f"at iteration {summary.min_iteration:,}" in body
        assert "worse than the base" in body
        await pilot.press("c")
        assert app.clipboard == repr(summary.last)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ExactValueDialog)


async def test_cursor_row_travels_in_the_state_and_back(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        await pilot.pause(0.5)
        await settle(pilot)
        assert app.comparison.scalars.focused == "loss/train"
        app.set_view(focused="lr/lr")  # e.g. a state string opened
        await settle(pilot)
        assert table_of(app).current_row.key == "lr/lr"


async def test_refresh_data_keeps_the_cursor(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down")
        before = table_of(app).table.row("loss", "val").values[0]
        store.add_scalars(IDS[0], "loss", "val", [5000], [0.001], [2e9])
        app.body.refresh_data()
        await settle(pilot)
        assert table_of(app).table.row("loss", "val").values[0] == 0.001 != before
        assert table_of(app).current_row.key == "loss/val"


async def test_keys_of_the_other_view_are_hidden(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        body = app.body
        assert body.check_action("cycle_agg", ()) and not body.check_action("toggle_log", ())
        await pilot.press("l")  # a Graph key in the Values view does nothing
        await settle(pilot)
        assert not app.comparison.scalars.log_y
        await pilot.press("v")
        await settle(pilot)
        assert not body.check_action("cycle_agg", ()) and body.check_action("toggle_log", ())
        assert not body.check_action("zoom", (0.5,))  # only on a maximised chart
        for _, binding in body._bindings:
            assert binding.description, binding.key


# -- Graph view ---------------------------------------------------------------------------


async def graph_app(store, **view):  # noqa: ANN001, ANN201
    return make_app(store, view="graph", **view)


def cards(app: BodyApp) -> list[ChartCard]:
    return app.query_one(ChartGrid).cards


async def test_graph_view_one_chart_per_series_merged(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert app.comparison.scalars.view == "graph"
        assert [c.key for c in cards(app)] == [r.key for r in table_of(app).table.rows]
        assert isinstance(app.focused, ChartCard)
        loaded = [c for c in cards(app) if c.chart is not None]
        assert loaded, "charts in view are loaded"
        loss = next(c for c in cards(app) if c.key == "loss/train")
        assert loss.chart is not None
        assert [line.label for line in loss.chart.lines] == ["resnet50 (a1a1a1a1)", "resnet50 (b2b2b2b2)", "vit-b16"]
        assert [line.color for line in loss.chart.lines] == [app.model_colors[i] for i in IDS]
        grad = next(c for c in cards(app) if c.key == "grad_norm/total")
        assert [item.label for item in grad.chart.legend if not item.present] == [
            "resnet50 (a1a1a1a1): no data", "vit-b16: no data"]
        lines = [loss.render_line(y).text for y in range(loss.content_size.height)]
        assert any("┌" in line for line in lines[:2]) and any("└" in line for line in lines)
        # the model bar names the models once for all charts: a chart holding them all
        # has no legend of its own; one lacking some names those, below its plot
        assert not any("resnet50" in line or "vit-b16" in line for line in lines)
        grad_lines = [grad.render_line(y).text for y in range(grad.content_size.height)]
        assert "○ resnet50 (a1a1a1a1): no data" in grad_lines[-1] and "vit-b16: no data" in grad_lines[-1]
        assert not any("b2b2b2b2" in line for line in grad_lines)


async def test_config_in_the_legend_gives_every_chart_its_own_legend_again(store) -> None:  # noqa: ANN001
    app = make_app(store, view="graph")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = app.query_one(ChartGrid)
        assert grid.shared_legend and all(card.legend_shared for card in cards(app))
        await pilot.press("C")
        await settle(pilot)
        assert not grid.shared_legend and not any(card.legend_shared for card in cards(app))
        loss = next(c for c in cards(app) if c.key == "loss/train")
        lines = [loss.render_line(y).text for y in range(loss.content_size.height)]
        assert any("resnet50 (a1a1a1a1)" in line for line in lines[-3:])  # the legend, below the plot


async def test_graph_grid_fits_the_terminal_and_arrows_move(store) -> None:  # noqa: ANN001
    app = make_app(store, view="graph")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = app.query_one(ChartGrid)
        assert grid.columns == 2 and grid.row_height >= 12
        first = app.focused
        assert first is cards(app)[0]
        await pilot.press("right")
        assert app.focused is cards(app)[1]
        await pilot.press("down")
        assert app.focused is cards(app)[3]
        await pilot.press("left", "up")
        assert app.focused is cards(app)[0]
        await pilot.pause(0.5)
        await settle(pilot)
        assert app.comparison.scalars.focused == "accuracy/val"


async def test_group_by_metric(store) -> None:  # noqa: ANN001
    app = make_app(store, view="graph")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert app.comparison.scalars.group_by == "metric"
        assert [c.key for c in cards(app)] == ["accuracy", "grad_norm", "loss", "lr", "throughput"]
        loss = next(c for c in cards(app) if c.key == "loss")
        await pilot.pause()
        await settle(pilot)
        assert loss.chart is not None
        assert len(loss.chart.lines) == 6 and "resnet50 (a1a1a1a1) · train" in [x.label for x in loss.chart.lines]


async def test_x_axis_smoothing_and_log(store) -> None:  # noqa: ANN001
    app = make_app(store, view="graph")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = cards(app)[0]
        raw = first.chart.lines[0].y.copy()
        await pilot.press("x")
        await settle(pilot)
        assert app.comparison.scalars.x_axis == "relative"
        assert first.chart.x_mode == "relative"
        assert first.chart.lines[0].x[0] == 0.0  # seconds since the model's first point
        await pilot.press("x")
        await settle(pilot)
        assert first.chart.x_mode == "wall"
        await pilot.press("x")
        await settle(pilot)
        assert app.comparison.scalars.x_axis == "iteration"
        await pilot.press("S")
        await settle(pilot)
        view = app.comparison.scalars
        assert (view.smoothing, view.smoothing_weight) == ("ema", 0.6)
        smoothed = first.chart.lines[0].y
        assert not np.allclose(smoothed, raw) and smoothed[0] == pytest.approx(raw[0])
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert app.comparison.scalars.smoothing_weight == 0.7
        await pilot.press("less_than_sign", "less_than_sign")
        await settle(pilot)
        assert app.comparison.scalars.smoothing_weight == 0.5
        await pilot.press("S")
        await settle(pilot)
        assert app.comparison.scalars.smoothing == "running"
        await pilot.press("S", "S")
        await settle(pilot)
        assert app.comparison.scalars.smoothing == "none"
        await pilot.press("l")
        await settle(pilot)
        assert app.comparison.scalars.log_y and first.chart.log_y
        assert "log on" in bar_text(app)


async def test_maximise_zoom_pan_and_restore(store) -> None:  # noqa: ANN001
    app = make_app(store, view="graph")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("right", "right")  # loss/train
        await pilot.press("enter")
        await settle(pilot)
        view = app.comparison.scalars
        assert view.maximized and view.focused == "loss/train"
        big = app.query_one("#chart-max", ChartCard)
        assert big.display and not app.query_one(ChartGrid).display
        assert big.chart is not None and big.chart.key == "loss/train"
        assert big.chart.iter_range == (0, 1000)
        await pilot.press("i")
        await settle(pilot)
        assert app.comparison.scalars.zoom == (250, 750)
        assert big.chart.x_range == (250.0, 750.0)
        assert all(line.x.min() >= 240 for line in big.chart.lines)  # queried for the range
        await pilot.press("right")
        await settle(pilot)
        assert app.comparison.scalars.zoom == (500, 1000)
        await pilot.press("right")  # at the end already
        await settle(pilot)
        assert app.comparison.scalars.zoom == (500, 1000)
        await pilot.press("o")
        await settle(pilot)
        assert app.comparison.scalars.zoom is None  # zoomed out past everything: all
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, ZoomDialog)
        await pilot.press(*"100-3x", "enter")
        assert "is not an iteration" in screen_text(app)
        await pilot.press("ctrl+u", *"100-300", "enter")
        await settle(pilot)
        assert app.comparison.scalars.zoom == (100, 300)
        assert app.body.embed_target() == EmbedTarget("scalars", "loss/train")
        await pilot.press("Z")
        await settle(pilot)
        assert app.comparison.scalars.zoom is None
        await pilot.press("escape")
        await settle(pilot)
        view = app.comparison.scalars
        assert not view.maximized and view.zoom is None
        assert app.focused is cards(app)[2]


async def test_config_values_in_the_legend(store) -> None:  # noqa: ANN001
    app = make_app(store, view="graph")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        notes = [item.note for item in cards(app)[0].chart.legend if item.present]
        assert notes == ["lr=0.001 name=adam batch=32", "lr=0.003 name=adam batch=32", "lr=0.001 name=sgd batch=64"]
        assert app.comparison.scalars.config_legend  # it travels in the state string
        await pilot.press("C")
        await settle(pilot)
        assert not app.comparison.scalars.config_legend
        assert [item.note for item in cards(app)[0].chart.legend if item.present] == ["", "", ""]


async def test_embed_target_of_the_values_view(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.body.embed_target() == EmbedTarget("scalars")


async def test_models_change_reloads(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        models = [m for m in app.models if m.id != IDS[1]]
        state = replace(app.comparison, models=tuple(m.id for m in models))
        app.models = models
        app.body.set_state(state, models)
        await settle(pilot)
        assert table_of(app).table.labels == ("resnet50", "vit-b16")  # no longer ambiguous
        assert table_of(app).table.row("grad_norm", "total") is None


def test_step_weight_ladders() -> None:
    assert step_weight("ema", 0.0, 1) == 0.3
    assert step_weight("ema", 0.6, 1) == 0.7
    assert step_weight("ema", 0.999, 1) == 0.999
    assert step_weight("ema", 0.3, -1) == 0.0
    assert step_weight("running", 0.05, 1) == 0.1
    assert step_weight("gaussian", 0.01, -1) == 0.0
    assert math.isclose(step_weight("ema", 0.65, -1), 0.6)


async def test_refresh_data_reloads_the_charts_in_view(store) -> None:  # noqa: ANN001
    app = make_app(store, view="graph")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        first = cards(app)[0]
        assert first.chart.iter_range == (0, 1000)
        old_chart = first.chart
        store.add_scalars(IDS[0], "accuracy", "val", [2000], [0.99], [2e9])
        app.body.refresh_data()
        await settle(pilot)
        assert first.chart is not old_chart and first.chart.iter_range == (0, 2000)
        assert app.focused is first  # the focus stays on its chart
        await pilot.pause(0.5)
        await settle(pilot)
        assert app.body.embed_target() == EmbedTarget("scalars", "accuracy/val")  # the focused chart


async def test_graph_view_help_headings_name_parts_not_classes(store) -> None:  # noqa: ANN001
    """The help of the Graph view heads its sections "Chart", "Chart grid", not
    "ChartCard", "ChartGrid"."""
    from modelcompare_tui.keys import screen_key_sections

    app = make_app(store, view="graph")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, ChartCard)
        titles = [section.title for section in screen_key_sections(app, app.screen)]
        assert "Chart" in titles and "Scalars" in titles, titles
        assert not any(t in ("ChartCard", "ChartGrid", "ScalarsBody", "BodyApp") for t in titles), titles


async def test_values_say_how_many_models_lie_off_screen(store) -> None:  # noqa: ANN001
    """A Values table too narrow for every model draws whole columns only and
    says how many models lie beyond the right edge ("+1›")."""
    app = make_app(store, delta=True, extremes=True)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        view = table_of(app)
        _, hidden = view.hidden_columns()
        assert hidden >= 1
        header = line(app, 0)
        assert header.rstrip().endswith(f"+{hidden}›")
        marks = ("1a1", "2b2", "vit")  # what tells each model's label apart, however it is cut
        assert all(mark in header for mark in marks[:3 - hidden])
        assert not any(mark in header for mark in marks[3 - hidden:])  # hidden ones are not drawn at all
        for _ in range(3):
            await pilot.press("right")
        await settle(pilot)
        assert view.hidden_columns()[1] == 0 and "›" not in line(app, 0)


# -- the state alone says what shows (the state walk: tests/test_state_walk.py) ---------------


async def _fresh_view(store, state, size: tuple[int, int]):  # noqa: ANN001, ANN202
    """What a fresh app opened with `state` shows: the table's cursor and
    scroll, the grid's focused card and scroll."""
    fresh = BodyApp(store, state, ScalarsBody)
    async with fresh.run_test(size=size) as pilot:
        await settle(pilot)
        return _view_of(fresh)


def _view_of(app: BodyApp) -> tuple[object, ...]:
    table, grid = table_of(app), app.query_one(ChartGrid)
    focused = app.focused.key if isinstance(app.focused, ChartCard) else None
    if table.display:
        return "values", table.cursor_row, table.cursor_column, tuple(table.scroll_offset)
    return "graph", focused, tuple(grid.scroll_offset)


async def test_values_cursor_goes_to_the_chart_the_graph_focused(store) -> None:  # noqa: ANN001
    """Back from the Graph view the cursor is on the focused chart's row, as in
    a fresh app opened with that state (the walk saw row 5 there, 0 here)."""
    app = make_app(store)
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        await pilot.press("down")  # grad_norm/total
        await pilot.pause(0.5)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("down")  # from the 2nd chart to the 4th: loss/val
        await pilot.pause(0.5)
        await settle(pilot)
        assert app.comparison.scalars.focused == "loss/val"
        await pilot.press("v")
        await settle(pilot)
        assert table_of(app).current_row.key == "loss/val"
        mine, state = _view_of(app), app.comparison
    assert mine == await _fresh_view(store, state, (120, 32))


async def test_values_scroll_is_a_function_of_the_cursor(store) -> None:  # noqa: ANN001
    """The table scrolls to where its cursor says, not by the least move from
    where it was: up from the last row, a fresh app shows the same rows."""
    app = make_app(store)
    size = (80, 6)  # 3 rows of 6 in view
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("end", "up", "up")
        await pilot.pause(0.5)
        await settle(pilot)
        assert app.comparison.scalars.focused == "loss/val"
        mine, state = _view_of(app), app.comparison
        assert mine[3] == (0, 2)  # its row in the middle
    assert mine == await _fresh_view(store, state, size)


async def test_a_filter_that_drops_the_cursor_row_sends_it_to_the_first(store) -> None:  # noqa: ANN001
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("end")
        await pilot.pause(0.5)
        app.set_view(metric_filter="loss")
        await settle(pilot)
        await pilot.pause(0.5)
        await settle(pilot)
        assert table_of(app).current_row.key == "loss/train"
        assert app.comparison.scalars.focused == "loss/train"  # said, so that the state string agrees
        app.set_view(metric_filter="")
        await settle(pilot)
        assert table_of(app).current_row.key == "loss/train"


async def test_graph_scroll_is_a_function_of_the_focused_chart(store) -> None:  # noqa: ANN001
    """Down a row of the grid from the top: the view stays on its page, as in a
    fresh app opened with that chart focused (the walk saw scroll 52 vs 16)."""
    app = make_app(store, view="graph")
    size = (120, 32)  # 2 columns, 2 rows of 3 in view
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        grid = app.query_one(ChartGrid)
        assert (grid.columns, grid.scrollable_content_region.height // grid.row_height) == (2, 2)
        await pilot.press("down")  # the second row: still in view from the top
        await pilot.pause(0.5)
        await settle(pilot)
        mine, state = _view_of(app), app.comparison
        assert mine[1] == state.scalars.focused == cards(app)[2].key
        assert mine[2] == (0, 0)  # its page: the first
    assert mine == await _fresh_view(store, state, size)


async def test_hidden_grid_shows_the_focused_charts_page_when_shown(store) -> None:  # noqa: ANN001
    """The grid scrolled while hidden (no height yet) scrolls again once laid out."""
    size = (120, 32)
    app = make_app(store, focused="throughput/samples_per_sec")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        grid = app.query_one(ChartGrid)
        mine, state = _view_of(app), app.comparison
        assert mine[1] == "throughput/samples_per_sec" and grid.scroll_y == grid.row_height
    assert mine == await _fresh_view(store, state, size)


async def test_values_cursor_column_travels_in_the_state(store) -> None:  # noqa: ANN001
    """The cursor's column is in the state (scalars.cursor_column), so a fresh
    app opens on the same cell (the walk saw column 1 there, 0 here)."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down", "right", "right")
        await pilot.pause(0.5)
        await settle(pilot)
        assert (app.comparison.scalars.focused, app.comparison.scalars.cursor_column) == ("grad_norm/total", 2)
        mine, state = _view_of(app), app.comparison
        app.set_view(cursor_column=1)  # e.g. a state string opened
        await settle(pilot)
        assert table_of(app).cursor_column == 1
    assert mine == await _fresh_view(store, state, SIZE)
    assert decode_state(encode_state(state)).scalars.cursor_column == 2


async def test_graph_bar_counts_the_charts_a_filter_leaves(store) -> None:  # noqa: ANN001
    """The bar's chart count follows a filter typed in the Graph view (it said
    "1 chart" over "No metric matches 'zz'")."""
    app = make_app(store, view="graph")
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        app.set_view(metric_filter="loss/val")
        await settle(pilot)
        assert "1 chart" in bar_text(app)
        app.set_view(metric_filter="zz")
        await settle(pilot)
        assert "0 charts" in bar_text(app)
