"""Apps for the Pilot and snapshot tests: the real factory on deterministic stores."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Static

from modelcompare_tui.app import ModelCompareApp, create_app
from modelcompare_tui.core.state import ComparisonState
from modelcompare_tui.core.tabs import TABS
from modelcompare_tui.screens.tabs import screen_class
from modelcompare_tui.widgets.tab_body import TabBody

from .fixtures import build_store
from pilot_helpers import settle  # noqa: F401  # re-exported: the one settle

DISPLAY_URI = "/data/models.db"  # the title shows the source: keep it the same on every machine
# live updates stay on (the title reads "● live") but never poll during a shot: a poll that
# lands on a slow machine adds the time of the last update to the title (CI saw it once)
QUIET_LIVE = 3600.0


def make_app(tmp_path: Path, n: int = 30, *, theme: str = "dark", state: ComparisonState | None = None) -> ModelCompareApp:
    store = build_store(tmp_path / "store.db", n)
    store.uri = DISPLAY_URI
    return create_app(store, state, theme=theme, live=QUIET_LIVE)


class RecordingBody(TabBody):
    """A tab body that shows which models it got and records set_state calls."""

    DEFAULT_CSS = "RecordingBody { padding: 1 2; }"
    can_focus = True

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.calls: list[tuple[ComparisonState, list[str]]] = []

    def compose(self) -> ComposeResult:
        yield Static(self._text(), id="recording-text")

    def _text(self) -> str:
        names = ", ".join(m.name for m in self.models)
        return f"{self.state.tab} body: {names}"

    def set_state(self, state, models) -> None:  # noqa: ANN001
        super().set_state(state, models)
        self.calls.append((state, [m.id for m in models]))
        if self.is_mounted:
            self.query_one("#recording-text", Static).update(self._text())


def recording_bodies() -> dict:
    return dict.fromkeys(TABS, RecordingBody)


def real_bodies() -> dict:
    """The body each tab's screen class builds in this build."""
    return {tab: screen_class(tab).BODY for tab in TABS}


def use_bodies(monkeypatch, bodies: dict) -> None:  # noqa: ANN001
    """Make each tab's screen build `bodies[tab]` (restored after the test)."""
    for tab, body in bodies.items():
        monkeypatch.setattr(screen_class(tab), "BODY", body)
