"""The App's sharing: `y` copies the state string, `p` opens a pasted one,
`E` gives the embed code (a `modelcompare render` command) of the focused
view. A state from another source asks before connecting to it (`open_state`),
and the app then reads that source (`switch_source`)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from textual.worker import Worker, WorkerState

from ..core.state import ComparisonState
from ..sources.base import Source
from ..sources.uri import absent_local_store, same_source
from ..widgets.tab_body import EmbedTarget, TabBody
from .live_updates import LiveUpdatesApp


def embed_command(state: ComparisonState, target: EmbedTarget, width: int = 0) -> str:
    """The one-line `modelcompare render` command that reproduces `target`
    (PRODUCT.md §1, Embed). The state string needs no quoting (only
    [0-9A-Za-z.]); it is quoted anyway so that the command reads the same
    whatever the shell."""
    import shlex

    from ..core.state import encode_state

    text = encode_state(replace(state, tab=target.tab))
    parts = ["modelcompare", "render", f"'{text}'", "--tab", target.tab]
    if target.plot:
        parts += ["--plot", shlex.quote(target.plot)]
    if target.fmt and target.fmt != "text":
        parts += ["--format", shlex.quote(target.fmt)]
    if width > 0:
        parts += ["--width", str(width)]
    return " ".join(parts)


class SharingApp(LiveUpdatesApp):
    """The App's part that copies, pastes and embeds states, and connects to the
    source a pasted state names."""

    def __init__(self, source: Source, *, live: float | None = None) -> None:
        super().__init__(source, live=live)
        self._tmux_copy: Worker[Any] | None = None  # the last copy into tmux's paste buffer

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
        from ..core.state import StateError, encode_state
        from ..dialogs.text import TextDialog

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
        from ..clipboard import in_tmux, tmux_load_buffer

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
        from ..dialogs.paste_state import PasteStateDialog

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
        from ..dialogs.text import ConfirmDialog

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
        from ..sources import open_source

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
        from ..core.state import StateError
        from ..dialogs.text import TextDialog

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
