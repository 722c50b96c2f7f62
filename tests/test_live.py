"""Live updates (issue 6): the poller, the app following a writer process
(values table, models table, hidden tabs, the indicator) without losing the
cursor or the toggles, and `render --watch` ignoring other models."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from modelcompare_tui.app import create_app
from modelcompare_tui.core.model import ModelQuery
from modelcompare_tui.core.state import ComparisonState, ScalarsView
from modelcompare_tui.demo import generate_demo
from modelcompare_tui.live import LivePoller, SourceChange, changed_ids, poll_interval
from modelcompare_tui.render.views import watch_render
from modelcompare_tui.screens.live_indicator import LiveIndicator
from modelcompare_tui.screens.models import ModelsScreen
from modelcompare_tui.sources.base import SourceError
from modelcompare_tui.sources.store import SQLiteStore
from modelcompare_tui.widgets.diff_grid import DiffGrid
from modelcompare_tui.widgets.value_table import ValueTableView

sys.path.insert(0, str(Path(__file__).parent))
from scalars_fixtures import screen_text, settle  # noqa: E402

SIZE = (120, 36)


def demo_store(path: Path, n: int = 4) -> SQLiteStore:
    store = SQLiteStore(path)
    store.import_records(generate_demo(n, 0))
    return store


def first_ids(store: SQLiteStore, n: int) -> tuple[str, ...]:
    return tuple(r.id for r in store.list_models(ModelQuery(limit=n)).rows)


def run_writer(store_path: Path, code: str) -> None:
    """Another process writes to the store (as training code would)."""
    script = "from modelcompare_tui.tracking import OutputModel\n" + textwrap.dedent(code)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60, env={**__import__("os").environ,
                   "MODELCOMPARE_STORE": str(store_path)})


# ----------------------------------------------------------------------------
# the poller
# ----------------------------------------------------------------------------


def test_poller_reports_which_watched_models_changed(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "s.db")
    ids = first_ids(store, 3)
    watched = ids[:2]
    poller = LivePoller(store, lambda: watched, lambda change: None)
    assert poller.poll_once() is None  # the first round takes the starting token
    assert poller.poll_once() is None  # nothing changed
    store.add_scalars(ids[1], "loss", "train", np.array([10**6]), np.array([0.5]))
    change = poller.poll_once()
    assert isinstance(change, SourceChange)
    assert change.changed == (ids[1],)
    assert [m.id for m in change.models] == [ids[1]]
    assert change.token == store.change_token() and change.at <= time.time()
    # a model nobody watches: the token moves (the models table reloads), no compared model changed
    store.add_scalars(ids[2], "loss", "train", np.array([10**6]), np.array([0.5]))
    change = poller.poll_once()
    assert change is not None and change.changed == () and change.models == ()
    assert poller.poll_once() is None


def test_poller_thread_calls_back_and_survives_an_outage(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "s.db", 2)
    ids = first_ids(store, 2)
    seen: list[SourceChange] = []
    errors: list[BaseException] = []
    recovered = threading.Event()
    got_change = threading.Event()
    broken = threading.Event()
    real_token = store.change_token

    def change_token() -> str:
        if broken.is_set():
            raise SourceError(f"{store.path}: the store is busy")
        return real_token()

    store.change_token = change_token  # type: ignore[method-assign]
    poller = LivePoller(store, lambda: ids, lambda c: (seen.append(c), got_change.set()),
                        on_error=errors.append, on_recover=recovered.set, interval=0.05)
    poller.start()
    try:
        deadline = time.time() + 5
        while poller.polls < 2 and time.time() < deadline:
            time.sleep(0.02)
        store.add_scalars(ids[0], "loss", "train", np.array([10**6]), np.array([1.0]))
        assert got_change.wait(5)
        assert seen[-1].changed == (ids[0],)
        broken.set()
        deadline = time.time() + 5
        while not errors and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # several failing rounds: reported once
        assert len(errors) == 1 and "busy" in str(errors[0])
        broken.clear()
        assert recovered.wait(5)
    finally:
        poller.stop()
    deadline = time.time() + 5
    while poller._thread is not None and poller._thread.is_alive() and time.time() < deadline:
        time.sleep(0.02)
    assert not poller._thread.is_alive()


def test_poller_helpers(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "s.db", 2)
    ids = first_ids(store, 2)
    assert changed_ids(store, "other-store:1", ids) == list(ids)  # a foreign token: everything changed

    class NoDetail:  # a source that cannot tell which models changed
        uri = "mlflow+http://host:5000"

    assert changed_ids(NoDetail(), "t", ids) == list(ids)  # type: ignore[arg-type]
    assert poll_interval(NoDetail()) > poll_interval(store)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        LivePoller(store, lambda: ids, lambda c: None, interval=0)


# ----------------------------------------------------------------------------
# the app
# ----------------------------------------------------------------------------


async def wait_for(pilot, condition, timeout: float = 10.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await pilot.pause(0.1)
    return condition()


async def test_a_writer_process_updates_the_values_table_keeping_cursor_and_toggles(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "live.db")
    ids = first_ids(store, 3)
    state = ComparisonState(source=store.uri, models=ids, tab="scalars", scalars=ScalarsView(extremes=True))
    app = create_app(store, state, live=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ValueTableView)
        await pilot.press("down", "down", "down", "right")
        await pilot.pause(0.5)  # the cursor's row travels in the state once it rests
        await settle(pilot)
        row, column = table.cursor_row, table.cursor_column
        key = table.current_row.key
        assert app.comparison.scalars.focused == key
        metric, variant = key.split("/", 1)
        indicator = app.screen.query_one(LiveIndicator)
        assert str(indicator.render()).strip() == "● live"
        assert "4242.5" not in screen_text(app)

        run_writer(store.path, f"""
            with OutputModel(id={ids[1]!r}) as model:
                model.report_scalar({metric!r}, {variant!r}, 4242.5, 10**7)
        """)
        assert await wait_for(pilot, lambda: "4242.5" in screen_text(app)), screen_text(app)
        await settle(pilot)
        assert (table.cursor_row, table.cursor_column) == (row, column)
        assert table.current_row.key == key
        assert app.comparison.scalars.extremes and app.comparison.scalars.focused == key
        assert str(indicator.render()).startswith("● live · ")
        assert app.live_status.updated_at is not None


async def test_the_models_table_and_hidden_tabs_follow_the_source(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "live.db")
    ids = first_ids(store, 2)
    app = create_app(store, ComparisonState(source=store.uri, models=ids, tab="details"), live=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")  # build the Scalars body, then leave it
        await settle(pilot)
        scalars_screen = app.screen
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("down", "down", "down")
        await pilot.pause(0.5)
        await settle(pilot)
        grid = app.screen.query_one(DiffGrid)
        details_body = app.screen.body
        details_row = (grid.cursor_row_index, grid.current_row)
        refreshes: list[int] = []
        real_refresh = details_body.refresh_data
        details_body.refresh_data = lambda: (refreshes.append(1), real_refresh())  # type: ignore[method-assign]
        summaries = store.scalar_summaries([ids[0]])[ids[0]]
        metric, variant = summaries[0].metric, summaries[0].variant
        # a compared model gets new points while the Scalars tab is hidden; a new model appears
        run_writer(store.path, f"""
            with OutputModel(id={ids[0]!r}) as model:
                model.report_scalar({metric!r}, {variant!r}, 2718.25, 10**7)
            OutputModel(name="fresh-from-the-writer", project="live").close()
        """)
        assert await wait_for(pilot, lambda: app.live_status.updated_at is not None)
        await settle(pilot)
        assert scalars_screen._stale  # refreshed when shown, not while hidden
        assert not refreshes  # new points do not touch the Details tab
        # a compared model's descriptive fields change: the Details tab on show
        # refreshes in place, the cursor stays on its row, the models bar follows
        run_writer(store.path, f"""
            model = OutputModel(id={ids[1]!r})
            model.update(name="renamed-live", comment="written by the writer")
            model.close()
        """)
        assert await wait_for(pilot, lambda: "written by the writer" in screen_text(app)), screen_text(app)
        await settle(pilot)
        assert "renamed-live" in screen_text(app)  # the models bar too
        assert app.compared_models[1].name == "renamed-live"
        assert (grid.cursor_row_index, grid.current_row) == details_row
        assert app.comparison.details.cursor_row == details_row[0] == 3
        await pilot.press("3")
        assert await wait_for(pilot, lambda: "2718.25" in screen_text(app)), screen_text(app)
        assert not scalars_screen._stale
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ModelsScreen)
        assert await wait_for(pilot, lambda: "5 models" in str(app.screen.query_one("#title-bar").render()))
        # the app stops polling when it ends
        poller = app._poller
    assert poller is not None and not poller.running


async def test_no_live_updates_when_turned_off(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "s.db", 2)
    app = create_app(store, live=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app._poller is None and not app.live_status.enabled
        assert not app.screen.query_one(LiveIndicator).display


# ----------------------------------------------------------------------------
# render --watch
# ----------------------------------------------------------------------------


def test_watch_render_ignores_changes_to_other_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = demo_store(tmp_path / "w.db", 3)
    ids = first_ids(store, 3)
    state = ComparisonState(source=store.uri, models=ids[:2], tab="scalars")
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (watch_render(SQLiteStore(store.path), state, fmt="csv", interval=0.05, max_renders=2),
                        done.set()),
        daemon=True,
    )
    thread.start()
    time.sleep(0.5)
    store.add_scalars(ids[2], "loss", "train", np.array([10**6]), np.array([42.0]))  # not watched
    time.sleep(0.5)
    assert not done.is_set()
    assert capsys.readouterr().out.count("\f") == 1
    store.add_scalars(ids[1], "loss", "train", np.array([10**6]), np.array([31.5]))
    assert done.wait(10)
    out = capsys.readouterr().out
    assert out.count("\f") == 1 and "31.5" in out


async def test_the_indicator_says_offline_while_the_source_fails(tmp_path: Path) -> None:
    store = demo_store(tmp_path / "s.db", 2)
    real_token = store.change_token
    broken = threading.Event()

    def change_token() -> str:
        if broken.is_set():
            raise SourceError(f"{store.path}: the store is busy, another process holds it")
        return real_token()

    store.change_token = change_token  # type: ignore[method-assign]
    app = create_app(store, live=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        indicator = app.screen.query_one(LiveIndicator)
        assert str(indicator.render()).strip() == "● live"
        broken.set()
        assert await wait_for(pilot, lambda: str(indicator.render()).strip() == "○ offline")
        assert "busy" in str(indicator.tooltip)
        notes = [n.message for n in app._notifications]
        assert sum("Live updates paused" in m for m in notes) == 1
        broken.clear()
        assert await wait_for(pilot, lambda: str(indicator.render()).strip() == "● live")
