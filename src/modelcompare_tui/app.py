"""The Textual app: one factory, `create_app`, used by the CLI and the tests.

The App holds the one ComparisonState (`app.comparison`), the model colors
(`app.colors`), and the loaded Model objects of the compared models. Screens
subscribe to `comparison_changed`; whoever wants a change calls
`set_comparison(state)` (tab bodies post TabBody.StateChanged, which lands
here). Worker errors become notifications in one place, `on_worker_state_changed`.

Modes: `models` (the start screen) and one per comparison tab. Screens are
imported when first shown, so starting the app costs only the models table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.widget import AwaitMount
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState

from .core.colors import ModelColors
from .core.model import TABS, Model
from .core.state import ComparisonState
from .core.table_query import MAX_COMPARED, selection_problem
from .sources.base import Source, SourceError
from .widgets.tab_body import TabBody

THEMES = {"dark": "textual-dark", "light": "textual-light"}
# Cursor-movement keys stay out of the command palette; every other action is in it.
_NOT_IN_PALETTE = {"move", "page", "move_to", "column", "leave", "cancel", "close", "quit", "command_palette"}


@dataclass(frozen=True)
class ComparisonUpdate:
    """What `comparison_changed` publishes: the state and its loaded models
    (in comparison order). `loading`: new models are being fetched."""

    state: ComparisonState
    models: list[Model] = field(default_factory=list)
    loading: bool = False


def _models_screen() -> Screen[None]:
    from .screens.models import ModelsScreen

    return ModelsScreen()


def _compare_screen(tab: str) -> Screen[None]:
    from .screens.compare import CompareScreen

    return CompareScreen(tab)


class ModelCompareApp(App[None]):
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses elsewhere find it too
    TITLE = "modelcompare"
    MODES = {"models": _models_screen, **{tab: partial(_compare_screen, tab) for tab in TABS}}
    DEFAULT_MODE = "models"
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Every key of this screen"),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+t", "toggle_theme", "Dark/light", show=False, tooltip="Switch between dark and light themes"),
    ]

    def __init__(self, source: Source, state: ComparisonState | None = None, *, theme: str | None = None) -> None:
        super().__init__()
        self.source = source
        self._model_colors = ModelColors()
        self.comparison = ComparisonState(source=source.uri)
        self.compared_models: list[Model] = []
        self.model_cache: dict[str, Model] = {}
        self.comparison_changed: Signal[ComparisonUpdate] = Signal(self, "comparison_changed")
        self._initial_state = state
        self._load_generation = 0
        self._loading = False
        self._pending: tuple[ComparisonState, bool] | None = None  # the state being loaded, and `show`
        if theme:
            self.theme = THEMES.get(theme, theme)

    @property  # type: ignore[override]
    def colors(self) -> ModelColors:  # shadows DOMNode.colors, which nothing reads on the App
        """One color per model, the same on every screen."""
        return self._model_colors

    def on_mount(self) -> None:
        if self._initial_state is not None and self._initial_state.models:
            self.set_comparison(self._initial_state, show=True)

    # -- the comparison ------------------------------------------------------------
    def current_update(self) -> ComparisonUpdate:
        return ComparisonUpdate(self.comparison, list(self.compared_models), self._loading)

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
            self.notify(f"At most {MAX_COMPARED} models can be compared ({len(state.models):,} asked)", severity="error")
            return False
        self.colors.assign(state.models)
        self._load_generation += 1
        missing = [i for i in state.models if i not in self.model_cache]
        if not missing:
            self._commit(state, show)
            return True
        self._loading = True
        self._pending = (state, show)
        self.comparison_changed.publish(ComparisonUpdate(state, list(self.compared_models), loading=True))
        generation = self._load_generation
        self.run_worker(
            partial(self._fetch_models, generation, state, missing, show),
            name="load compared models",
            group="comparison",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        return True

    def _fetch_models(self, generation: int, state: ComparisonState, ids: list[str], show: bool) -> None:
        try:
            found = self.source.get_models(ids)
        except BaseException:
            self.call_from_thread(self._models_failed, generation)
            raise
        self.call_from_thread(self._models_loaded, generation, state, found, show)

    def _models_failed(self, generation: int) -> None:
        if generation == self._load_generation:
            self._loading = False
            self._pending = None
            self.comparison_changed.publish(self.current_update())

    def _models_loaded(self, generation: int, state: ComparisonState, found: list[Model], show: bool) -> None:
        if generation != self._load_generation:
            return  # a newer set_comparison is on its way
        self._loading = False
        self._pending = None
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
        self._loading = False
        self._pending = None
        self.comparison = state
        self.compared_models = [self.model_cache[i] for i in state.models]
        # keep only what the comparison uses: a session may compare many sets
        self.model_cache = {m.id: m for m in self.compared_models}
        self.comparison_changed.publish(self.current_update())
        if show:
            self.switch_mode(state.tab if state.tab in TABS else "details")

    def switch_mode(self, mode: str) -> AwaitMount:
        await_mount = super().switch_mode(mode)
        # Textual holds screen updates for 50 ms around a mode switch (delay_update)
        # and drops a frame whose timer tick lands inside any batch update. With two
        # quick switches (`2` then `escape`) while a tab body still builds itself in
        # batches, the new screen could stay unpainted until the next key; so paint
        # it once the batches are over, directly rather than on a timer tick.
        self.set_timer(0.1, self._repaint_screen)
        return await_mount

    def _repaint_screen(self) -> None:
        if self._batch_count:
            self.set_timer(0.03, self._repaint_screen)
        else:
            # Textual 8.2 (pinned): mark the whole screen and send the frame now
            screen = self.screen
            screen.refresh()
            screen._compositor.update_widgets({screen})
            screen._compositor_refresh()

    def on_tab_body_state_changed(self, message: TabBody.StateChanged) -> None:
        message.stop()
        state = message.state
        if self._loading and self._pending is not None and state.models == self.comparison.models:
            # the body changed a view option while new models load: keep both
            pending, show = self._pending
            self.set_comparison(replace(state, models=pending.models, tab=pending.tab), show=show)
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
        from .screens.dialogs import SelectModelsDialog

        def apply(ids: tuple[str, ...] | None) -> None:
            if ids is not None and ids != self.comparison.models:
                self.set_comparison(replace(self.comparison, models=ids))

        self.push_screen(SelectModelsDialog(self.source, self.comparison.models, self.colors), apply)

    # -- state string ----------------------------------------------------------------
    def action_copy_state(self) -> None:
        """`y`: copy the state string (OSC 52) and show it, since OSC 52 can fail silently."""
        from .core.state import StateError, encode_state
        from .screens.dialogs import TextDialog

        try:
            text = encode_state(self.comparison)
        except StateError as exc:
            self.notify(str(exc), severity="error")
            return
        self.copy_to_clipboard(text)
        self.push_screen(
            TextDialog(
                "State string (copied to the clipboard)",
                text,
                "Open it with: modelcompare STATE — or p in the app. "
                "If your terminal did not copy it, select it here.",
            )
        )

    def action_paste_state(self) -> None:
        """`p`: open a state string pasted into a dialog."""
        from .core.state import decode_state
        from .screens.dialogs import PasteStateDialog

        def open_state(text: str | None) -> None:
            if text is None:
                return
            state = decode_state(text)
            if state.source and state.source != self.source.uri:
                self.notify(f"This state is for {state.source}; opening it on {self.source.uri}", severity="warning")
            self.set_comparison(replace(state, source=self.source.uri), show=True)

        self.push_screen(PasteStateDialog(), open_state)

    def action_embed(self) -> None:
        """`E`: embed code of the focused view (the share issue implements it)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "embed":
            return False  # not in this build yet: hidden, and the key does nothing
        if action == "copy_state":
            return bool(self.comparison.models)
        return True

    # -- help, palette, theme ---------------------------------------------------------
    def action_help(self) -> None:
        from .keys import screen_key_sections
        from .screens.dialogs import HelpDialog

        screen = self.screen
        if type(screen).__name__ == "HelpDialog":
            return
        title = str(getattr(screen, "HELP_TITLE", "") or type(screen).__name__)
        self.push_screen(HelpDialog(title, screen_key_sections(self, screen)))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from .keys import screen_key_sections

        yield from super().get_system_commands(screen)
        yield SystemCommand("Toggle dark/light theme", "ctrl+t", self.action_toggle_theme)
        for section in screen_key_sections(self, screen):
            for key in section.keys:
                name = key.action.split("(", 1)[0].rsplit(".", 1)[-1]
                if name in _NOT_IN_PALETTE or not key.enabled:
                    continue
                help_text = f"{key.key} · {section.title}" + (f" — {key.tooltip}" if key.tooltip else "")
                yield SystemCommand(key.description, help_text, partial(self.run_action, key.action, key.node))

    # -- errors -------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # the App's own workers; widgets forward theirs (widgets/worker_errors.py)
        if event.state == WorkerState.ERROR:
            self.report_error(event.worker.error)

    def report_error(self, error: BaseException | None) -> None:
        """The one place where worker errors become notifications."""
        if isinstance(error, SourceError):
            self.notify(str(error), title="Source error", severity="error", timeout=10)
        elif error is not None:
            self.log.error(f"worker failed: {error!r}")
            self.notify(f"{type(error).__name__}: {error}", title="Unexpected error", severity="error", timeout=10)


def create_app(source: Source, state: ComparisonState | None = None, **opts: Any) -> ModelCompareApp:
    """The app on `source`; with `state`, that comparison opens directly.
    Options: `theme` ("dark", "light" or a Textual theme name)."""
    unknown = set(opts) - {"theme"}
    if unknown:
        raise TypeError(f"create_app: unknown option(s) {', '.join(sorted(unknown))}")
    return ModelCompareApp(source, state, theme=opts.get("theme"))

