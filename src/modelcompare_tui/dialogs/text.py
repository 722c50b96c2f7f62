"""A text to read and select (the state string, an embed command) and a yes/no question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Static,
    TextArea,
)

from ..core.display import display_text
from ..widgets.safe_text import shown

if TYPE_CHECKING:
    pass


class TextDialog(ModalScreen[None]):
    """Shows a text to copy (a state string, an embed code): in a read-only text
    area, so it can be selected with the mouse when the terminal ignores OSC 52."""

    HELP_TITLE = "Copied text"
    BINDINGS = [
        Binding("escape", "close", "Close", id="text_dialog.close"),
        Binding("enter", "close", "Close", show=False, id="text_dialog.close_alt"),
        Binding("c", "copy_again", "Copy again", tooltip="Send the text to the clipboard again (OSC 52)",
                id="text_dialog.copy_again"),
    ]

    def __init__(self, title: str, text: str, note: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id, classes="dialog-screen")
        self.title_text = title
        self.text = text
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="text-dialog", classes="dialog"):
            yield Static(shown(self.title_text), classes="dialog-title")
            # shown as display text (an embed code quotes a plot's name); `c` copies the text itself
            yield TextArea(display_text(self.text, multiline=True), read_only=True, soft_wrap=True,
                           show_line_numbers=False, id="text-body")
            if self.note:
                yield Static(shown(self.note), classes="dialog-hint")
            yield Static("esc close · c copy again · or select it with the mouse (shift+drag in some terminals)",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.select_all()  # ready for the terminal's own copy, too

    def action_copy_again(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied again", timeout=2)

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question; returns True for yes (y, enter on yes), False for no (n, esc)."""

    HELP_TITLE = "Confirm"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", show=False, id="confirm.yes"),
        Binding("n", "answer(False)", "No", show=False, id="confirm.no"),
        Binding("escape", "answer(False)", "No", id="confirm.no_alt"),
    ]

    def __init__(self, title: str, question: str, note: str = "", *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.question = question
        self.note = note
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="dialog"):
            yield Static(shown(self.title_text), classes="dialog-title")
            yield Static(shown(self.question, multiline=True), id="confirm-question")
            if self.note:
                yield Static(shown(self.note, multiline=True), classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(shown(f"{self.yes_label} (y)"), variant="primary", id="yes", compact=True)
                yield Button(shown(f"{self.no_label} (n)"), id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed, "#yes")
    def _yes(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(False)
