"""SVG snapshots of the Scalars and Plots tab bodies at 80×24 and 200×50, dark
and light: the Values table (with row extremes and Δ vs base), the Graph
view, a merged plot of the Plots tab and the Summary at its top.

The bodies are mounted alone (tests/scalars_fixtures.py BodyApp), so these
snapshots do not move when the compare shell changes. Review the report
before accepting changes: `pytest tests/test_snapshots_scalars.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from modelcompare_tui.screens.plots import PlotsBody
from modelcompare_tui.screens.scalars import ScalarsBody
from scalars_fixtures import BodyApp, build_scalars_store, default_state, settle

SIZES = [(80, 24), (200, 50)]
THEMES = ["dark", "light"]


def _app(tmp_path: Path, theme: str, tab: str, **view: object) -> BodyApp:
    store = build_scalars_store(tmp_path / "store.db")
    body = PlotsBody if tab == "plots" else ScalarsBody
    return BodyApp(store, default_state(tab=tab, **view), body, theme=theme)


async def _rested(pilot: Pilot) -> None:
    """As after the debounce timers fired: what rests on them is committed (a timer
    that fires, or not, before the shot would make it depend on the machine's speed)."""
    await settle(pilot)
    pilot.app.body.commit_pending()  # type: ignore[attr-defined]
    await settle(pilot)


async def _values(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("down", "down", "right")
    await _rested(pilot)


async def _graph(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("right")
    await _rested(pilot)


async def _plot(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("end", "up", "up")  # roc/val: a merged line chart
    await _rested(pilot)


async def _summary(pilot: Pilot) -> None:
    await settle(pilot)


async def _matrices_and_bars(pilot: Pilot) -> None:
    """The confusion matrices (side by side) and a bar chart as a table."""
    await settle(pilot)
    await pilot.press("slash", "c", "asterisk", "enter")
    await _rested(pilot)
    await pilot.press("down")
    await _rested(pilot)


VIEWS = {
    "values": ({"tab": "scalars", "extremes": True, "delta": True}, _values),
    "graph": ({"tab": "scalars", "view": "graph"}, _graph),
    "plots": ({"tab": "plots"}, _plot),
    "summary": ({"tab": "plots"}, _summary),
    "matrices": ({"tab": "plots"}, _matrices_and_bars),
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_snapshot(snap_compare, tmp_path: Path, view: str, size: tuple[int, int], theme: str) -> None:  # noqa: ANN001
    options, run_before = VIEWS[view]
    options = dict(options)
    tab = str(options.pop("tab"))
    assert snap_compare(_app(tmp_path, theme, tab, **options), terminal_size=size, run_before=run_before)
