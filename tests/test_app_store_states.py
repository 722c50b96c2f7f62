"""The app on a store it cannot write, and on a damaged store (issue #10): it says so and keeps running."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from modelcompare_tui.app import create_app
from modelcompare_tui.core.state import ComparisonState
from modelcompare_tui.sources.store import SQLiteStore
from snapshot_apps.apps import settle
from snapshot_apps.fixtures import build_store


def _messages(app) -> list[str]:  # noqa: ANN001
    return [str(n.message) for n in app._notifications]


async def test_a_read_only_store_says_live_writes_are_off(tmp_path: Path) -> None:
    build_store(tmp_path / "store.db", 3).close()
    store = SQLiteStore(tmp_path / "store.db", read_only=True)
    app = create_app(store, live=0)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert any("live writes are off" in m for m in _messages(app))
    store.close()


async def test_a_writable_store_says_nothing_about_writes(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store.db", 3)
    app = create_app(store, live=0)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert not any("live writes" in m for m in _messages(app))
    store.close()


async def test_a_damaged_plot_row_is_a_notification_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    from modelcompare_tui.cli import main

    assert main(["--store", str(path), "demo", "--models", "6"]) == 0
    with sqlite3.connect(path) as conn:
        # two models that have plots
        ids = tuple(r[0] for r in conn.execute(
            "SELECT DISTINCT m.id FROM models m JOIN plots p ON p.model = m.rowid ORDER BY m.id LIMIT 2"))
        assert len(ids) == 2
        conn.execute("UPDATE plots SET data = '{not json'")
    store = SQLiteStore(path)
    app = create_app(store, ComparisonState(models=ids, tab="plots"), live=0)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert any("the store is damaged" in m for m in _messages(app)), _messages(app)
        assert app.is_running
    store.close()
