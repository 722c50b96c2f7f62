"""The contract between the compare shell and the body of each comparison tab.

The comparison screens (screens/base.py) owns the header tabs and the compared-models bar;
each tab's body is a TabBody subclass that the shell mounts below them. A body
reads the shared ComparisonState, loads what it needs from the Source in
workers, and asks for state changes with `request_state`, which goes straight to
the one owner of the state (`app.session`, session.py); the owner calls
`set_state` on the bodies with what is now in force. A body keeps the state it
last drew (`state`, to see what changed) and reads the state asked for last
from the owner (`wanted`); it keeps no state of its own. An edit still resting
on a timer (a cursor move, typed text) is committed by `commit_pending` before
`y` and `E` read the state.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.widget import Widget

from ..core.colors import ModelColors
from ..core.model import Model
from ..core.state import ComparisonState
from ..session import Session
from ..sources.base import Source
from .worker_errors import ReportWorkerErrors


@dataclass(frozen=True)
class EmbedTarget:
    """What `E` reproduces with `modelcompare render`: the tab and, for a chart or
    plot, its "metric/variant"."""

    tab: str
    plot: str | None = None
    fmt: str = "text"


class TabBody(ReportWorkerErrors, Widget):
    """Base class of the Details, Network, Scalars and Plots bodies."""

    DEFAULT_CSS = """
    TabBody { height: 1fr; width: 1fr; }
    """

    def __init__(
        self,
        source: Source,
        state: ComparisonState,
        models: list[Model],
        colors: ModelColors,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self.state = state
        self.models = models  # the compared models that exist, in comparison order
        self.colors = colors

    # DOMNode.colors is a read-only property (the widget's CSS colors); here `colors`
    # means the model colors. Textual's own code reads `.colors` only on LoadingIndicator.
    @property  # type: ignore[override]  # deliberate shadowing, see above
    def colors(self) -> ModelColors:
        return self._model_colors

    @colors.setter
    def colors(self, value: ModelColors) -> None:
        self._model_colors = value

    def set_state(self, state: ComparisonState, models: list[Model]) -> None:
        """Called by the shell whenever the comparison state or the models change.
        Subclasses re-render what changed (compare self.state with state first)."""
        self.state = state
        self.models = models

    @property
    def session(self) -> Session:
        """The one owner of the comparison (the App's, or a test app's)."""
        session: Session = getattr(self.app, "session")  # noqa: B009  # any app hosting bodies has one
        return session

    @property
    def wanted(self) -> ComparisonState:
        """The state asked for last (the owner's; a pending one while models load)."""
        return self.session.wanted

    def request_state(self, state: ComparisonState) -> None:
        """Change the comparison: at once, through its one owner."""
        self.session.request(state)

    def commit_pending(self) -> None:
        """Request now what still rests on a timer (a cursor row, typed text):
        `y` and `E` read the state right after this."""

    def embed_target(self) -> EmbedTarget | None:
        """The view `E` should reproduce, or None."""
        return None

    def refresh_data(self) -> None:
        """Live updates: the source changed; reload what is shown, keeping the cursor,
        scroll position and toggles."""
