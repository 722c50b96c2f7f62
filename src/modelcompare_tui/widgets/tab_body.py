"""The contract between the compare shell and the body of each comparison tab.

The comparison screens (screens/base.py) owns the header tabs and the compared-models bar;
each tab's body is a TabBody subclass that the shell mounts below them. A body
reads the shared ComparisonState, loads what it needs from the Source in
workers, and asks for state changes by posting TabBody.StateChanged (the App
replaces its one state object and calls set_state on the bodies). Bodies never
mutate the state themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message
from textual.widget import Widget

from ..core.colors import ModelColors
from ..core.model import Model
from ..core.state import ComparisonState
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

    class StateChanged(Message):
        """The body asks the App to replace the comparison state."""

        def __init__(self, state: ComparisonState) -> None:
            super().__init__()
            self.state = state

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

    def request_state(self, state: ComparisonState) -> None:
        self.post_message(self.StateChanged(state))

    def embed_target(self) -> EmbedTarget | None:
        """The view `E` should reproduce, or None."""
        return None

    def refresh_data(self) -> None:
        """Live updates: the source changed; reload what is shown, keeping the cursor,
        scroll position and toggles."""
