"""SVG snapshots of the app's screens at 80×24 and 160×48, dark and light.

Review the report (pytest's output names it) before accepting changes with
`pytest tests/test_snapshots_app.py --snapshot-update`. The compare shell is
shot with a stand-in tab body, so that these snapshots show the shell only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from snapshot_apps.apps import make_app, recording_bodies, settle, use_bodies

SIZES = [(80, 24), (160, 48)]
THEMES = ["dark", "light"]


@pytest.fixture(autouse=True)
def _stub_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    use_bodies(monkeypatch, recording_bodies())


async def _models_table(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("down", "space", "down", "down", "space", "right")  # two selected: batch bar
    await settle(pilot)


async def _filter_popup(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("right", "f")
    await settle(pilot)
    await pilot.press("down", "space")
    await settle(pilot)


async def _selection_dialog(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("down", "space", "down", "space", "down", "space", "c")
    await settle(pilot)
    await pilot.press("plus")
    await settle(pilot)
    await pilot.press("down", "down", "down", "down", "space")
    await settle(pilot)


async def _compare_shell(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("space", "down", "space", "down", "space", "c")
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)


async def _models_list(pilot: Pilot) -> None:
    await _compare_shell(pilot)
    await pilot.press("m", "down")
    await settle(pilot)


VIEWS = {
    "models_table": _models_table,
    "filter_popup": _filter_popup,
    "selection_dialog": _selection_dialog,
    "compare_shell": _compare_shell,
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_snapshot(view: str, size: tuple[int, int], theme: str, tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    app = make_app(tmp_path, 60, theme=theme)
    assert snap_compare(app, terminal_size=size, run_before=VIEWS[view])


def test_snapshot_models_list(tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(tmp_path, 60), terminal_size=(80, 24), run_before=_models_list)


def test_snapshot_empty_store(tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    from modelcompare_tui.app import create_app
    from modelcompare_tui.sources.store import SQLiteStore

    store = SQLiteStore(tmp_path / "empty.db")
    store.uri = "/data/models.db"
    assert snap_compare(create_app(store), terminal_size=(80, 24), run_before=settle)
