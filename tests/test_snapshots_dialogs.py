"""SVG snapshots of the dialogs that tests/test_snapshots_app.py and
test_snapshots_diff.py do not shoot, and of each comparison tab in the real
compare shell with its real body (those files shoot the shell with a stand-in
body, or a body mounted alone).

Everything is driven by keys from the real app (`create_app`) opened on a
deterministic store: the diff fixtures' four models for Details and Network,
the scalars fixtures' three models for Scalars and Plots (a state string is
typed once and otherwise pasted, as the terminal delivers a paste). Debounce
delays are set to 10 ms so that `settle` sees everything done; the CSV
download's file name carries a clock stamp, pinned here.

Review the report (pytest's output names it) before accepting changes with
`pytest tests/test_snapshots_dialogs.py --snapshot-update`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot

import diff_fixtures
import scalars_fixtures
from modelcompare_tui.app import ModelCompareApp, create_app
from modelcompare_tui.core.model import ModelRecord
from modelcompare_tui.core.state import ComparisonState, DiffView, PlotsView, ScalarsView, encode_state
from modelcompare_tui.core.tabs import TABS
from modelcompare_tui.screens.tabs import screen_class
from modelcompare_tui.sources.store import SQLiteStore
from snapshot_apps.apps import DISPLAY_URI, QUIET_LIVE, settle

DIFF_IDS = diff_fixtures.IDS
SCALAR_IDS = scalars_fixtures.IDS
OTHER_SOURCE = "mlflow+https://mlflow.example.com"
CSV_STAMP = "20260102-030405"  # write_csv names its file after the clock: pinned
DOWNLOAD_DIR = "downloads"  # relative to the test's working directory (tmp_path): the same text every run

RunBefore = Callable[[Pilot], Awaitable[None]]


# Not 0: Textual 8.2.8's Timer divides by its interval when it starts late
# (ZeroDivisionError in Timer._run). 10 ms is well inside the 20 ms that each
# of settle's pauses lasts at least, so the timer has fired before settle returns.
DEBOUNCE = 0.01


@pytest.fixture(autouse=True)
def _no_debounce(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every debounce delay of the tab bodies (their bases hold the filter's)
    to DEBOUNCE: what rests on a timer happens before `settle` returns."""
    classes: list[type] = []
    for tab in TABS:
        classes += [cls for cls in screen_class(tab).BODY.__mro__ if cls.__module__.startswith("modelcompare_tui")]
    for cls in classes:
        for name in list(vars(cls)):
            if name.endswith("_DELAY") or name == "DELIVERY_INTERVAL":
                monkeypatch.setattr(cls, name, 0.0 if name == "DELIVERY_INTERVAL" else DEBOUNCE)


@pytest.fixture(autouse=True)
def _fixed_downloads(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The CSV download goes to ./downloads in tmp_path, stamped CSV_STAMP (the
    only strftime call without a time tuple using that format is write_csv's)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MODELCOMPARE_DOWNLOAD_DIR", DOWNLOAD_DIR)
    real_strftime = time.strftime

    def strftime(fmt: str, *args: object) -> str:
        if fmt == "%Y%m%d-%H%M%S" and not args:
            return CSV_STAMP
        return real_strftime(fmt, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(time, "strftime", strftime)


def _store(path: Path) -> SQLiteStore:
    """Both fixture sets in one store: the diff models (Details, Network) and
    the scalars models with their series and plots (Scalars, Plots)."""
    store = SQLiteStore(path)
    store.import_records(scalars_fixtures.make_records() + [ModelRecord(m) for m in diff_fixtures.make_models()])
    store.uri = DISPLAY_URI
    return store


def _state(tab: str, **view: object) -> ComparisonState:
    ids = SCALAR_IDS if tab in ("scalars", "plots") else DIFF_IDS
    state = ComparisonState(source="", models=ids, tab=tab)
    if tab == "scalars":
        return replace(state, scalars=ScalarsView(**view))  # type: ignore[arg-type]
    if tab == "plots":
        return replace(state, plots=PlotsView(**view))  # type: ignore[arg-type]
    return replace(state, **{tab: DiffView(**view)})  # type: ignore[arg-type]


def _app(tmp_path: Path, case: Case, theme: str) -> ModelCompareApp:
    return create_app(_store(tmp_path / "store.db"), _state(case.tab, **case.view), theme=theme, live=QUIET_LIVE)


async def _type(pilot: Pilot, text: str) -> None:
    await pilot.press(*text)


async def _paste(pilot: Pilot, text: str) -> None:
    """A bracketed paste, delivered as the driver does (to the focused widget):
    much quicker than typing the string key by key."""
    pilot.app.post_message(events.Paste(text))
    await settle(pilot)


def _as_chat_paste(text: str) -> str:
    """`text` as it arrives from a chat: quoted and wrapped over two lines."""
    return f"'{text[:30]}\n  {text[30:]}'"


# -- the views ---------------------------------------------------------------------------


async def _settled(pilot: Pilot) -> None:
    await settle(pilot)


async def _keys(pilot: Pilot, *keys: str) -> None:
    await settle(pilot)
    await pilot.press(*keys)
    await settle(pilot)


async def _help(pilot: Pilot) -> None:
    await _keys(pilot, "question_mark")


async def _paste_valid(pilot: Pilot) -> None:
    await _keys(pilot, "p")
    await _type(pilot, encode_state(ComparisonState(source=DISPLAY_URI, models=SCALAR_IDS, tab="plots")))
    await settle(pilot)


async def _paste_invalid(pilot: Pilot) -> None:
    await _keys(pilot, "p")
    text = encode_state(ComparisonState(source=DISPLAY_URI, models=SCALAR_IDS, tab="plots"))
    await _paste(pilot, _as_chat_paste(text[:-6]))  # truncated: refused on enter
    await pilot.press("enter")
    await settle(pilot)


async def _confirm_other_source(pilot: Pilot) -> None:
    await _keys(pilot, "p")
    await _paste(pilot, _as_chat_paste(encode_state(ComparisonState(source=OTHER_SOURCE, models=DIFF_IDS[:2],
                                                                    tab="network"))))
    await pilot.press("enter")
    await settle(pilot)


async def _state_string(pilot: Pilot) -> None:
    await _keys(pilot, "y")


async def _embed_chart(pilot: Pilot) -> None:
    await _keys(pilot, "down", "E")  # the second chart of the grid focused


async def _csv_saved(pilot: Pilot) -> None:
    await _keys(pilot, "d")


async def _exact_value(pilot: Pilot) -> None:
    await _keys(pilot, "down", "down", "down", "right", "enter")  # loss/val of the second model: Δ vs the base


async def _zoom(pilot: Pilot) -> None:
    await _keys(pilot, "enter")  # the first chart maximised
    await _keys(pilot, "z")


async def _zoom_invalid(pilot: Pilot) -> None:
    await _zoom(pilot)
    await _type(pilot, "5k-1k")
    await pilot.press("enter")
    await settle(pilot)


async def _iteration(pilot: Pilot) -> None:
    await _keys(pilot, "i")


async def _models_list(pilot: Pilot) -> None:
    await _keys(pilot, "m")


async def _plot_focused(pilot: Pilot) -> None:
    await _keys(pilot, "end", "up", "up")  # roc/val: a merged line chart


@dataclass(frozen=True)
class Case:
    tab: str
    run_before: RunBefore
    size: tuple[int, int] = (80, 24)
    view: dict[str, object] = field(default_factory=dict)


CASES: dict[str, Case] = {
    # dialogs
    "help_details": Case("details", _help),
    "help_scalars_120x40": Case("scalars", _help, (120, 40)),
    "paste_state_valid": Case("details", _paste_valid),
    "paste_state_invalid": Case("details", _paste_invalid),
    "confirm_other_source": Case("details", _confirm_other_source),
    "state_string": Case("details", _state_string),
    "embed_chart": Case("scalars", _embed_chart, view={"view": "graph"}),
    "csv_saved": Case("scalars", _csv_saved),
    "exact_value": Case("scalars", _exact_value),
    "zoom": Case("scalars", _zoom, view={"view": "graph"}),
    "zoom_invalid_range": Case("scalars", _zoom_invalid, view={"view": "graph"}),
    "iteration_picker": Case("plots", _iteration),
    "models_list_real_body_120x40": Case("network", _models_list, (120, 40)),
    # the tab screens with their real bodies
    "details_screen": Case("details", _settled),
    "network_screen": Case("network", _settled, view={"hide_identical": True}),
    "scalars_values_screen": Case("scalars", _settled, view={"extremes": True}),
    "scalars_graph_screen": Case("scalars", _settled, view={"view": "graph"}),
    "scalars_graph_screen_120x40": Case("scalars", _settled, (120, 40), view={"view": "graph"}),
    "plots_screen": Case("plots", _plot_focused),
}

LIGHT = ("paste_state_invalid", "exact_value")


@pytest.mark.parametrize("view", list(CASES))
def test_snapshot(view: str, tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    case = CASES[view]
    assert snap_compare(_app(tmp_path, case, "dark"), terminal_size=case.size, run_before=case.run_before)


@pytest.mark.parametrize("view", LIGHT)
def test_snapshot_light(view: str, tmp_path: Path, snap_compare) -> None:  # noqa: ANN001
    case = CASES[view]
    assert snap_compare(_app(tmp_path, case, "light"), terminal_size=case.size, run_before=case.run_before)
