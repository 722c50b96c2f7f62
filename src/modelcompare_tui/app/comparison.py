"""The App's comparison: it opens comparisons of the source's models, loads
the models a state names in a worker, and then tells every screen
(`comparison_changed`). The session (session.py) owns the state; this is the
Textual side that loads and publishes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from textual.app import App
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from ..core.colors import ModelColors
from ..core.model import Model
from ..core.state import ComparisonState
from ..core.table_query import MAX_COMPARED, selection_problem
from ..core.tabs import TABS
from ..session import Session
from ..sources.base import Source


@dataclass(frozen=True)
class ComparisonUpdate:
    """What `comparison_changed` publishes: the state and its loaded models
    (in comparison order). `loading`: new models are being fetched."""

    state: ComparisonState
    models: list[Model] = field(default_factory=list)
    loading: bool = False


class ComparisonApp(App[None]):
    """The App's part that owns the source, the session and the loaded models."""

    def __init__(self, source: Source) -> None:
        super().__init__()
        self.source = source
        self.session = Session(ComparisonState(source=source.uri), apply=self._requested)
        self.model_cache: dict[str, Model] = {}
        self.comparison_changed: Signal[ComparisonUpdate] = Signal(self, "comparison_changed")
        # the app now reads another source: screens drop what they loaded from the old one
        self.source_switched: Signal[Source] = Signal(self, "source_switched")
        self._models_load: Worker[Any] | None = None  # the load of the pending state's models

    # shadows DOMNode.colors (the CSS colors), which nothing reads on the App
    @property
    def colors(self) -> ModelColors:  # type: ignore[override]  # deliberate shadowing
        """One color per model, the same on every screen (the session's)."""
        return self.session.colors

    @property
    def comparison(self) -> ComparisonState:
        """The comparison state on show (the session owns it)."""
        return self.session.state

    @property
    def compared_models(self) -> list[Model]:
        return self.session.models

    def current_update(self) -> ComparisonUpdate:
        return ComparisonUpdate(self.comparison, list(self.compared_models), self.session.loading)

    def open_comparison(self, ids: Sequence[str]) -> bool:
        """COMPARE: a new comparison of `ids` (first = base) on its Details tab."""
        problem = selection_problem(len(ids))
        if problem:
            self.notify(problem, severity="warning")
            return False
        state = replace(self.comparison, source=self.source.uri, models=tuple(ids), tab="details")
        return self.set_comparison(state, show=True)

    def set_comparison(self, state: ComparisonState, *, show: bool = False) -> bool:
        """Replace the comparison state; load the models it names that are not
        loaded yet (in a worker), then tell every screen. `show`: switch to the
        state's tab once loaded."""
        if len(state.models) > MAX_COMPARED:
            self.notify(f"At most {MAX_COMPARED} models can be compared ({len(state.models):,} asked)",
                        severity="error")
            return False
        self.colors.assign(state.models)
        self._drop_models_load()  # whatever it brings is for a state no longer wanted
        missing = [i for i in state.models if i not in self.model_cache]
        if not missing:
            self._commit(state, show)
            return True
        self.session.pending = (state, show)
        self.comparison_changed.publish(ComparisonUpdate(state, list(self.compared_models), loading=True))
        self._models_load = self.run_worker(
            partial(self.source.get_models, missing),
            name="load compared models",
            group="comparison",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        return True

    def _drop_models_load(self) -> None:
        if self._models_load is not None:
            self._models_load.cancel()
            self._models_load = None

    def _models_load_ended(self, worker: Worker[Any]) -> None:
        """The load of the pending state's models ended (an older load, cancelled
        or replaced, never gets here: `worker` must be the current one)."""
        self._models_load = None
        pending = self.session.pending
        if pending is None:
            return
        if worker.state != WorkerState.SUCCESS:
            self.session.pending = None
            self.comparison_changed.publish(self.current_update())
            return
        self._models_loaded(pending[0], worker.result or [], pending[1])

    def _models_loaded(self, state: ComparisonState, found: list[Model], show: bool) -> None:
        self.session.pending = None
        for model in found:
            self.model_cache[model.id] = model
        missing = [i for i in state.models if i not in self.model_cache]
        if missing:
            listed = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
            self.notify(f"{len(missing)} model{'s' if len(missing) > 1 else ''} missing: {listed}",
                        severity="warning", timeout=10)
            state = replace(state, models=tuple(i for i in state.models if i in self.model_cache))
        if not state.models:
            self.notify("None of the compared models exist in this source", severity="error")
            self.comparison_changed.publish(self.current_update())
            if show:
                self.switch_mode("models")
            return
        self._commit(state, show)

    def _commit(self, state: ComparisonState, show: bool) -> None:
        self.session.commit(state, [self.model_cache[i] for i in state.models])
        # keep only what the comparison uses: a session may compare many sets
        self.model_cache = {m.id: m for m in self.compared_models}
        self.comparison_changed.publish(self.current_update())
        if show:
            self.switch_mode(state.tab if state.tab in TABS else "details")

    def _requested(self, state: ComparisonState) -> None:
        """Session.request: what a screen or widget asked for."""
        pending = self.session.pending
        if pending is not None and state.models == self.comparison.models:
            # a view option changed while new models load: keep both
            self.set_comparison(replace(state, models=pending[0].models, tab=pending[0].tab), show=pending[1])
        else:
            self.set_comparison(state)

    def show_tab(self, tab: str) -> None:
        if not self.comparison.models:
            self.notify("Nothing compared yet: select models and press c", severity="warning")
            return
        if tab != self.comparison.tab:
            self.set_comparison(replace(self.comparison, tab=tab))
        self.switch_mode(tab)

    def action_show_tab(self, tab: str) -> None:
        self.show_tab(tab)

    def action_show_models(self) -> None:
        self.switch_mode("models")

    def action_add_models(self) -> None:
        """`+`: the selection dialog; APPLY replaces the compared models."""
        from ..dialogs.select_models import SelectModelsDialog

        def apply(ids: tuple[str, ...] | None) -> None:
            if ids is not None and ids != self.comparison.models:
                self.set_comparison(replace(self.comparison, models=ids))

        self.push_screen(SelectModelsDialog(self.source, self.comparison.models, self.colors), apply)
