"""ModelCompareApp: the modes (one screen per tab), the global keys, help and
the command palette, and the one place that turns worker errors into
notifications. What it does to comparisons, live updates and sharing comes
from the layers below (comparison.py, live_updates.py, sharing.py)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.worker import Worker, WorkerState

from ..core.display import display_line, display_text
from ..core.state import ComparisonState
from ..core.tabs import TABS
from ..sources.base import Source, SourceError
from ..widgets.app_input import KeysFollowFocus, SteadyCursor
from .sharing import SharingApp

THEMES = {"dark": "textual-dark", "light": "textual-light"}
# Cursor-movement keys stay out of the command palette; every other action is in it.
_NOT_IN_PALETTE = {"move", "page", "move_to", "column", "leave", "cancel", "close", "quit", "command_palette"}


def _models_screen() -> Screen[None]:
    from ..screens.models import ModelsScreen

    return ModelsScreen()


def _compare_screen(tab: str) -> Screen[None]:
    from ..screens.tabs import screen_class

    return screen_class(tab)()


class ModelCompareApp(KeysFollowFocus, SteadyCursor, SharingApp):
    CSS_PATH = str(Path(__file__).parent.with_name("app.tcss"))  # absolute: subclasses elsewhere find it too
    TITLE = "modelcompare"
    MODES = {"models": _models_screen, **{tab: partial(_compare_screen, tab) for tab in TABS}}
    DEFAULT_MODE = "models"
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Every key of this screen", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        # priority: also in a dialog (a modal screen hides the App's other keys), which recolours too
        Binding("ctrl+t", "toggle_theme", "Dark/light", show=False, tooltip="Switch between dark and light themes",
                priority=True, id="app.toggle_theme"),
    ]

    def __init__(self, source: Source, state: ComparisonState | None = None, *, theme: str | None = None,
                 live: float | None = None) -> None:
        super().__init__(source, live=live)
        self._initial_state = state
        if theme:
            self.theme = THEMES.get(theme, theme)
        self.colors.dark = self.current_theme.dark

    def on_mount(self) -> None:
        self._start_live()
        if self._opened_read_only():
            self.notify("This store opened read-only: live writes are off (training code cannot log to it).",
                        title="Read-only store", timeout=6)
        if self._initial_state is not None and self._initial_state.models:
            self.open_state(self._initial_state)

    def on_unmount(self) -> None:
        if self._poller is not None:
            self._poller.stop()

    def _opened_read_only(self) -> bool:
        """A writable kind of source (the embedded store) that could only be opened
        read-only: a read-only file, folder or file system."""
        return getattr(type(self.source), "read_only", True) is False and bool(self.source.read_only)

    # -- notifications ----------------------------------------------------------------
    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification of the app (a widget's `notify` lands here too, with
        Textual's markup=True). Messages carry data (model names, ids, a server's
        error), so they are shown as display text and never parsed as markup,
        whatever `markup` says: `a[/]b` in a message must not raise MarkupError."""
        kwargs: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        super().notify(display_text(message, multiline=True), title=display_line(title, 200),
                       severity=severity, markup=False, **kwargs)

    # -- modes ----------------------------------------------------------------------
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

    # -- help, palette, theme ---------------------------------------------------------
    def action_help(self) -> None:
        from ..dialogs.help import HelpDialog
        from ..keys import screen_key_sections

        screen = self.screen
        if type(screen).__name__ == "HelpDialog":
            return
        title = str(getattr(screen, "HELP_TITLE", ""))
        self.push_screen(HelpDialog(title, screen_key_sections(self, screen)))

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def watch_theme(self, theme_name: str) -> None:
        """Every model colour takes the new theme's shade (same slot): after
        Textual restyles the screens, everything that baked a colour in
        redraws, on every screen (hidden modes and open dialogs too)."""
        dark = self.current_theme.dark
        if dark == self.colors.dark:
            return
        self.colors.dark = dark
        self.call_next(self.recolor_models)

    def recolor_models(self) -> None:
        """Redraw what shows model colours: every widget of every screen
        refreshes; a node that keeps colours of its own (a chart, a line cache,
        a dialog's text) has `recolor_models()` and is told."""
        # every mode's stack (Textual has no public list of them)
        stacks = list(self._screen_stacks.values())  # noqa: SLF001
        for screen in {id(s): s for stack in stacks for s in stack}.values():
            for node in (screen, *screen.walk_children(with_self=False)):
                recolor = getattr(node, "recolor_models", None)
                if callable(recolor):
                    recolor()
                elif isinstance(node, Widget):
                    node.refresh()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from ..keys import screen_key_sections

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
        if event.worker is self._models_load and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self._models_load_ended(event.worker)
        if event.worker is self._tmux_copy and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            self._tmux_copy_ended(event.worker)
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
    """The app on `source`; with `state`, that comparison opens directly (after
    asking, when the state names another source).
    Options: `theme` ("dark", "light" or a Textual theme name); `live`: seconds
    between polls for changes (0: no live updates; default: by source)."""
    unknown = set(opts) - {"theme", "live"}
    if unknown:
        raise TypeError(f"create_app: unknown option(s) {', '.join(sorted(unknown))}")
    return ModelCompareApp(source, state, theme=opts.get("theme"), live=opts.get("live"))

