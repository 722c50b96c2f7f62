"""SVG snapshots of the Details and Network tabs (each body mounted alone with
a footer): with and without the identical rows hidden, at 80×24 and
200×50, dark and light; then a line diff, the all-models mode, a search in
force, many scrolled columns and the cell dialog.

Review the report (pytest's output names it) before accepting changes with
`pytest tests/test_snapshots_diff.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from diff_fixtures import IDS, TEXT_IDS, DiffApp, build_diff_store, diff_state, many_models, settle
from modelcompare_tui.screens.details import DetailsBody
from modelcompare_tui.screens.network import NetworkBody

SIZES = [(80, 24), (200, 50)]
THEMES = ["dark", "light"]
BODIES = {"details": DetailsBody, "network": NetworkBody}


async def _settled(pilot: Pilot) -> None:
    await settle(pilot)


def _app(tmp_path: Path, tab: str, ids: tuple[str, ...] = IDS, theme: str = "dark", **view: object) -> DiffApp:
    store = build_diff_store(tmp_path / "store.db", many_models(12))
    return DiffApp(store, diff_state(ids, tab, **view), BODIES[tab], theme=theme)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("hide", [False, True], ids=["all_rows", "hide_identical"])
@pytest.mark.parametrize("tab", list(BODIES))
def test_snapshot(tab: str, hide: bool, size: tuple[int, int], theme: str, tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    app = _app(tmp_path, tab, theme=theme, hide_identical=hide)
    assert snap_compare(app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("theme", THEMES)
def test_snapshot_line_diff(theme: str, tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    async def next_differences(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("n", "n", "n")  # to the changed line whose change lies past the column's width
        await settle(pilot)

    app = _app(tmp_path, "network", TEXT_IDS, theme=theme)
    assert snap_compare(app, terminal_size=(80, 24), run_before=next_differences)


def test_snapshot_across_all_models(tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    app = _app(tmp_path, "details", diff_mode="all", hide_identical=True)
    assert snap_compare(app, terminal_size=(120, 30), run_before=_settled)


def test_snapshot_search_in_force(tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    app = _app(tmp_path, "details", search="resnet")
    assert snap_compare(app, terminal_size=(120, 30), run_before=_settled)


def test_snapshot_many_columns_scrolled(tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    async def to_the_last_column(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+right", "down")
        await settle(pilot)

    ids = tuple(m.id for m in many_models(12))
    app = _app(tmp_path, "details", ids)
    assert snap_compare(app, terminal_size=(80, 24), run_before=to_the_last_column)


@pytest.mark.parametrize("theme", THEMES)
def test_snapshot_cell_dialog(theme: str, tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    async def open_comment(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press(*["down"] * 10, "right")  # General › comment of the second model
        await settle(pilot)
        app.body.commit_pending()  # the cursor row, as once its timer fired (or not, on a slow machine)
        await pilot.press("enter")
        await settle(pilot)

    app = _app(tmp_path, "details", theme=theme)
    # tall enough for every row: the grid behind the dialog has no scrollbar, whose thumb
    # (two cells) differed now and then on a loaded machine
    assert snap_compare(app, terminal_size=(100, 72), run_before=open_comment)
