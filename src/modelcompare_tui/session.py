"""The one owner of the comparison: the immutable ComparisonState, the compared
Model objects and their colours. No Textual.

Every change goes through `request` (the App's `set_comparison` does the loading
and the telling); screens and widgets read `state`/`wanted` when they draw and
keep no copy of their own. While the models of a new state load, `pending` holds
it (a view option changed meanwhile joins it), and `wanted` is what the screen
should show once the load lands.
"""

from __future__ import annotations

from collections.abc import Callable
from .core.colors import ModelColors
from .core.model import Model
from .core.state import ComparisonState

__all__ = ["Session"]


class Session:
    def __init__(self, state: ComparisonState, apply: Callable[[ComparisonState], object] | None = None) -> None:
        self.state = state
        self.models: list[Model] = []  # the compared models that exist, in comparison order
        self.colors = ModelColors(state.models)
        self.pending: tuple[ComparisonState, bool] | None = None  # a state whose models load, and `show`
        # how a requested state takes effect (the App: load its models, then tell the screens)
        self._apply = apply or self.commit

    @property
    def loading(self) -> bool:
        return self.pending is not None

    @property
    def wanted(self) -> ComparisonState:
        """The state asked for last: the pending one while its models load."""
        return self.pending[0] if self.pending is not None else self.state

    def request(self, state: ComparisonState) -> None:
        """The one way a screen or widget changes the comparison; synchronous for
        the state (`state`/`wanted` are the new one when it returns unless models
        must load first)."""
        self._apply(state)

    def commit(self, state: ComparisonState, models: list[Model] | None = None) -> None:
        self.pending = None
        self.state = state
        if models is not None:
            self.models = models
