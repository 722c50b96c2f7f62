"""p : paste a state string; returns the decoded state, or None."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Input,
    Static,
)

from ..core.state import ComparisonState
from ..widgets.safe_text import SAFE_INPUT, shown

if TYPE_CHECKING:
    pass


class StateInput(Input):
    """The paste dialog's field. A stock Input keeps only the first line of a
    paste; a state string wrapped by a terminal or a chat arrives in several, so
    this one keeps them all (whitespace, invisible characters and surrounding
    quotes removed — the decoder ignores them anyway)."""

    def _on_paste(self, event: events.Paste) -> None:
        from ..core.state import normalize_pasted

        event.stop()
        event.prevent_default()  # not Input's own paste too (Textual calls every class's handler)
        text = normalize_pasted(event.text) if event.text else ""
        if not text:
            return
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)


class PasteStateDialog(ModalScreen[ComparisonState | None]):
    """`p`: paste a state string; shows what it opens as soon as it decodes and
    returns the decoded state on enter."""

    HELP_TITLE = "Open a state string"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="paste_state.cancel")]

    def __init__(self, current_source: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.current_source = current_source

    def compose(self) -> ComposeResult:
        with Vertical(id="paste-dialog", classes="dialog"):
            yield Static("Open a state string", classes="dialog-title")
            yield StateInput(placeholder="paste the string (mc1.…) and press enter", id="state-input",
                             highlighter=SAFE_INPUT)
            yield Static("", id="paste-preview", classes="dialog-hint")
            yield Static("", id="paste-error", classes="dialog-error")
            yield Static("enter open · esc cancel · line breaks, spaces and quotes in the paste are ignored",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _decode(self, text: str) -> ComparisonState:
        from ..core.state import decode_state

        return decode_state(text)

    def _describe(self, state: ComparisonState) -> str:
        from ..core.tabs import TAB_TITLES

        count = len(state.models)
        text = f"{count} model{'s' if count != 1 else ''} · {TAB_TITLES.get(state.tab, state.tab)} tab"
        if state.source and self.current_source:
            from ..sources.uri import same_source

            if not same_source(state.source, self.current_source):
                text += f" · from another source, {state.source} (you will be asked before connecting)"
        return text

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        from ..core.state import StateError

        event.stop()
        preview = self.query_one("#paste-preview", Static)
        self.query_one("#paste-error", Static).update("")
        try:
            state = self._decode(event.value)
        except StateError:
            preview.update("")  # still typing or pasting: errors wait for enter
            return
        preview.update(shown("✓ " + self._describe(state)))  # the state's source is data

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        from ..core.state import StateError

        event.stop()
        try:
            state = self._decode(event.value)
        except StateError as exc:
            self.query_one("#paste-error", Static).update(shown(str(exc)))
            return
        self.dismiss(state)

    def action_cancel(self) -> None:
        self.dismiss(None)
