"""The Textual app: one factory, `create_app`, used by the CLI and the tests.

The App's session (session.py) owns the one ComparisonState (`app.comparison`),
the model colors (`app.colors`), and the loaded Model objects of the compared
models. Screens subscribe to `comparison_changed`; whoever wants a change calls
`session.request(state)` (or `set_comparison`): the App loads the models a
state names and tells the screens. Worker errors become notifications in one
place, `on_worker_state_changed`.

Sharing: `y` copies the state string, `p` opens a pasted one, `E` gives the
embed code (a `modelcompare render` command) of the focused view. A state from
another source asks before connecting to it (`open_state`).

Live updates: a LivePoller (live.py) watches the source's change token in a
thread; a change reloads the models table; compared models whose descriptive
fields changed reach the bodies as new Model objects (`set_state`), and the
Scalars and Plots bodies reload their data (`TabBody.refresh_data`), the
visible one at once and the others when shown. `live_changed` publishes the
indicator's status.

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
from textual.binding import Binding
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal
from textual.widget import AwaitMount, Widget
from textual.worker import Worker, WorkerState

from .core.colors import ModelColors
from .core.display import display_line, display_text
from .core.model import Model
from .core.state import ComparisonState
from .core.table_query import MAX_COMPARED, selection_problem
from .core.tabs import TABS
from .live import LivePoller, LiveStatus, SourceChange, poll_interval
from .sources.base import Source, SourceError
from .session import Session
from .sources.uri import absent_local_store, same_source
from .widgets.app_input import KeysFollowFocus, SteadyCursor
from .widgets.tab_body import EmbedTarget, TabBody

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


@dataclass(frozen=True)
class LiveUpdate:
    """What `source_changed` publishes: the poller's SourceChange, and which
    compared models changed their descriptive fields (name, config, …), as
    opposed to only their scalars or plots."""

    change: SourceChange
    details_changed: frozenset[str] = frozenset()


def embed_command(state: ComparisonState, target: EmbedTarget, width: int = 0) -> str:
    """The one-line `modelcompare render` command that reproduces `target`
    (PRODUCT.md §1, Embed). The state string needs no quoting (only
    [0-9A-Za-z.]); it is quoted anyway so that the command reads the same
    whatever the shell."""
    import shlex

    from .core.state import encode_state

    text = encode_state(replace(state, tab=target.tab))
    parts = ["modelcompare", "render", f"'{text}'", "--tab", target.tab]
    if target.plot:
        parts += ["--plot", shlex.quote(target.plot)]
    if target.fmt and target.fmt != "text":
        parts += ["--format", shlex.quote(target.fmt)]
    if width > 0:
        parts += ["--width", str(width)]
    return " ".join(parts)


def _models_screen() -> Screen[None]:
    from .screens.models import ModelsScreen

    return ModelsScreen()


def _compare_screen(tab: str) -> Screen[None]:
    from .screens.tabs import screen_class

    return screen_class(tab)()


class ModelCompareApp(KeysFollowFocus, SteadyCursor, App[None]):
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: subclasses elsewhere find it too
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

    class LiveChanged(Message):
        """The poller saw the source change (posted from its thread)."""

        def __init__(self, change: SourceChange, source: Source) -> None:
            super().__init__()
            self.change = change
            self.source = source

    class LiveFailed(Message):
        def __init__(self, error: BaseException, source: Source) -> None:
            super().__init__()
            self.error = error
            self.source = source

    class LiveRecovered(Message):
        def __init__(self, source: Source) -> None:
            super().__init__()
            self.source = source

    def __init__(self, source: Source, state: ComparisonState | None = None, *, theme: str | None = None,
                 live: float | None = None) -> None:
        super().__init__()
        self.source = source
        self.session = Session(ComparisonState(source=source.uri), apply=self._requested)
        self.model_cache: dict[str, Model] = {}
        self.comparison_changed: Signal[ComparisonUpdate] = Signal(self, "comparison_changed")
        # the source changed (live): screens refresh what shows the changed models
        self.source_changed: Signal[LiveUpdate] = Signal(self, "source_changed")
        # the app now reads another source: screens drop what they loaded from the old one
        self.source_switched: Signal[Source] = Signal(self, "source_switched")
        self.live_changed: Signal[LiveStatus] = Signal(self, "live_changed")
        self._live_interval = live  # None: by source; 0: off
        self.live_status = LiveStatus()
        self._poller: LivePoller | None = None
        self._initial_state = state
        self._models_load: Worker[Any] | None = None  # the load of the pending state's models
        self._tmux_copy: Worker[Any] | None = None  # the last copy into tmux's paste buffer
        if theme:
            self.theme = THEMES.get(theme, theme)
        self.colors.dark = self.current_theme.dark

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

    # -- the comparison ------------------------------------------------------------
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
        from .dialogs.select_models import SelectModelsDialog

        def apply(ids: tuple[str, ...] | None) -> None:
            if ids is not None and ids != self.comparison.models:
                self.set_comparison(replace(self.comparison, models=ids))

        self.push_screen(SelectModelsDialog(self.source, self.comparison.models, self.colors), apply)

    # -- state string ----------------------------------------------------------------
    def _body(self) -> TabBody | None:
        """The tab body of the screen on show, if it is a comparison tab."""
        body = getattr(self.screen, "body", None)
        return body if isinstance(body, TabBody) else None

    def _current_state(self) -> ComparisonState:
        """The state to share: what is on screen. The body first commits what
        still rests on a timer (a cursor that moved 0.1 s ago, typed text)."""
        body = self._body()
        if body is not None:
            body.commit_pending()
        return self.comparison

    def action_copy_state(self) -> None:
        """`y`: copy the state string (OSC 52) and show it, since OSC 52 can fail silently."""
        from .core.state import StateError, encode_state
        from .dialogs.text import TextDialog

        try:
            text = encode_state(self._current_state())
        except StateError as exc:
            self.notify(str(exc), severity="error")
            return
        where = self.share_text(text)
        self.push_screen(
            TextDialog(
                f"State string (sent to {where})",
                text,
                "Open it with: modelcompare STATE — or p in the app. "
                "If your terminal did not copy it, select it here or save it (s).",
                id="state-dialog",
                one_line=True,
                stem="modelcompare-state",
            )
        )

    def share_text(self, text: str) -> str:
        """Copy `text` out of the app: OSC 52 always, and inside tmux its paste buffer
        too (a thread: tmux is a process). Where it went, for the dialog's title."""
        from .clipboard import in_tmux, tmux_load_buffer

        self.copy_to_clipboard(text)
        if not in_tmux():
            return "the clipboard"
        self._tmux_copy = self.run_worker(partial(tmux_load_buffer, text), name="tmux copy", group="tmux-copy",
                                          thread=True, exclusive=True, exit_on_error=False)
        return "the clipboard and tmux's paste buffer"

    def _tmux_copy_ended(self, worker: Worker[Any]) -> None:
        self._tmux_copy = None
        if worker.state == WorkerState.SUCCESS and worker.result:
            self.notify("Also in tmux's paste buffer: prefix ] pastes it", timeout=4)
        else:
            self.notify("tmux did not take the text: select it in the dialog, or s saves it to a file",
                        severity="warning", timeout=8)

    def action_paste_state(self) -> None:
        """`p`: open a state string pasted into a dialog."""
        from .dialogs.paste_state import PasteStateDialog

        def opened(state: ComparisonState | None) -> None:
            if state is not None:
                self.open_state(state)

        self.push_screen(PasteStateDialog(self.source.uri), opened)

    def open_state(self, state: ComparisonState) -> None:
        """Open a shared comparison. From another source: ask before connecting
        (yes: connect and open it there; no: look its models up here)."""
        if not state.models:
            self.notify("This state string holds no models", severity="warning")
            return
        if same_source(state.source, self.source.uri):
            self.set_comparison(replace(state, source=self.source.uri), show=True)
            return
        if absent_local_store(state.source):
            # typically another user's default store: nothing to connect to here
            self.notify(f"This comparison is from {state.source}, which is not on this machine; "
                        f"looking for its models in {self.source.uri}", severity="warning", timeout=8)
            self.set_comparison(replace(state, source=self.source.uri), show=True)
            return
        from .dialogs.text import ConfirmDialog

        def answered(connect: bool | None) -> None:
            if connect:
                self.connect_source(state)
            else:
                self.set_comparison(replace(state, source=self.source.uri), show=True)

        self.push_screen(
            ConfirmDialog(
                "Another source",
                f"This comparison is from {state.source}. Connect?",
                f"No: look for its {len(state.models)} model{'s' if len(state.models) != 1 else ''} "
                f"in {self.source.uri}",
                yes="Connect",
                no="Stay here",
            ),
            answered,
        )

    def connect_source(self, state: ComparisonState) -> None:
        """Open `state.source` in a worker; once it answers, switch to it and open `state`."""
        self.notify(f"Connecting to {state.source}…", timeout=3)
        self.run_worker(partial(self._open_source, state), name="connect source", group="connect",
                        thread=True, exclusive=True, exit_on_error=False)

    def _open_source(self, state: ComparisonState) -> None:
        from .sources import open_source

        source = open_source(state.source, create=False)
        try:
            source.change_token()  # reachable and readable before the app switches
        except BaseException:
            source.close()
            raise
        self.call_from_thread(self._source_opened, source, state)

    def _source_opened(self, source: Source, state: ComparisonState) -> None:
        self.switch_source(source)
        self.set_comparison(replace(state, source=source.uri), show=True)

    def switch_source(self, source: Source) -> None:
        """Read `source` from now on: the comparison and the loaded models are
        dropped, screens rebuild what they loaded, the poller follows."""
        if source is self.source:
            return
        self._drop_models_load()  # a load from the old source must not land
        self.session.pending = None
        self.source = source
        self.session.commit(ComparisonState(source=source.uri), [])
        self.model_cache = {}
        self.source_switched.publish(source)
        self._start_live()
        self.comparison_changed.publish(self.current_update())

    def action_embed(self) -> None:
        """`E`: the embed code of the focused view — a `modelcompare render` command
        that reproduces it outside the app — copied and shown."""
        from .core.state import StateError
        from .dialogs.text import TextDialog

        body = self._body()
        target = body.embed_target() if body is not None else None
        if body is None or target is None:
            self.notify("Nothing to embed here: open a chart, a plot or a table", severity="warning")
            return
        try:
            command = embed_command(self._current_state(), target, width=body.size.width)
        except StateError as exc:
            self.notify(str(exc), severity="error")
            return
        where = self.share_text(command)
        what = f"{target.tab} · {target.plot}" if target.plot else target.tab
        self.push_screen(
            TextDialog(
                f"Embed code: {what} (sent to {where})",
                command,
                "Reproduces this view anywhere modelcompare reaches the source. "
                "Add --watch to follow live updates; --format md|svg|html|json|csv for reports.",
                id="embed-dialog",
                one_line=True,
                stem="modelcompare-embed",
            )
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("copy_state", "embed"):
            return bool(self.comparison.models)
        return True

    def _opened_read_only(self) -> bool:
        """A writable kind of source (the embedded store) that could only be opened
        read-only: a read-only file, folder or file system."""
        return getattr(type(self.source), "read_only", True) is False and bool(self.source.read_only)

    # -- live updates -------------------------------------------------------------------
    def _start_live(self) -> None:
        if self._poller is not None:
            self._poller.stop()
            self._poller = None
        interval = poll_interval(self.source) if self._live_interval is None else self._live_interval
        if not getattr(self.source, "sees_changes", True):
            interval = 0  # opened immutable: nobody can be writing it, there is nothing to poll for
        if interval <= 0:
            self._set_live(LiveStatus())
            return
        source = self.source

        # called from the poller's thread: post_message is thread-safe
        def on_change(change: SourceChange) -> None:
            self.post_message(self.LiveChanged(change, source))

        def on_error(error: BaseException) -> None:
            self.post_message(self.LiveFailed(error, source))

        def on_recover() -> None:
            self.post_message(self.LiveRecovered(source))

        poller = LivePoller(
            source,
            lambda: self.comparison.models,  # read from the poller's thread: a tuple, replaced whole
            on_change,
            on_error=on_error,
            on_recover=on_recover,
            interval=interval,
        )
        self._poller = poller
        self._set_live(LiveStatus(enabled=True, interval=interval))
        poller.start()

    def _set_live(self, status: LiveStatus) -> None:
        self.live_status = status
        self.live_changed.publish(status)

    def on_model_compare_app_live_changed(self, message: LiveChanged) -> None:
        if message.source is not self.source:
            return  # from the poller of a source the app left
        change = message.change
        self._set_live(replace(self.live_status, ok=True, error="", updated_at=change.at))
        fresh = {m.id: m for m in change.models}
        details_changed = frozenset(i for i in self.comparison.models
                                    if i in fresh and i in self.model_cache and fresh[i] != self.model_cache[i])
        if details_changed:
            # names, configs, …: new Model objects reach every body through set_state
            # (the Details and Network tabs recompute from them), and the models bar
            self.model_cache.update({i: fresh[i] for i in details_changed})
            self.session.models = [self.model_cache[i] for i in self.comparison.models if i in self.model_cache]
            if not self.session.loading:  # else the load in flight publishes them
                self.comparison_changed.publish(self.current_update())
        self.source_changed.publish(LiveUpdate(change, details_changed))

    def on_model_compare_app_live_failed(self, message: LiveFailed) -> None:
        if message.source is not self.source:
            return
        error = message.error
        error_text = str(error)
        # one line of display text: it shows in the indicator's tooltip too
        text = display_line(error_text.splitlines()[0]) if error_text.strip() else type(error).__name__
        self._set_live(replace(self.live_status, ok=False, error=text))
        self.notify(f"Live updates paused: {text}", title="Source error", severity="warning", timeout=8)

    def on_model_compare_app_live_recovered(self, message: LiveRecovered) -> None:
        if message.source is self.source:
            self._set_live(replace(self.live_status, ok=True, error=""))

    # -- help, palette, theme ---------------------------------------------------------
    def action_help(self) -> None:
        from .dialogs.help import HelpDialog
        from .keys import screen_key_sections

        screen = self.screen
        if type(screen).__name__ == "HelpDialog":
            return
        title = str(getattr(screen, "HELP_TITLE", "") or type(screen).__name__)
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

