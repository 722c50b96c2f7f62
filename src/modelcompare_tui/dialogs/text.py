"""A text to read and select (the state string, an embed command) and a yes/no question."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets.text_area import Selection
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
        Binding("s", "save", "Save", tooltip="Save the text to a file in the download folder",
                id="text_dialog.save"),
    ]

    def __init__(self, title: str, text: str, note: str = "", *, id: str | None = None,
                 one_line: bool = False, stem: str = "modelcompare-text") -> None:
        super().__init__(id=id, classes="dialog-screen")
        self.title_text = title
        self.text = text
        self.note = note
        # a state string or an embed code is one line: wrapped, a hand selection of it
        # pastes as several lines (a shell runs the first alone); scrolled sideways, it is whole
        self.one_line = one_line
        self.stem = stem

    def compose(self) -> ComposeResult:
        with Vertical(id="text-dialog", classes="dialog"):
            yield Static(shown(self.title_text), classes="dialog-title")
            # shown as display text (an embed code quotes a plot's name); `c` copies the text itself
            yield TextArea(display_text(self.text, multiline=True), read_only=True, soft_wrap=not self.one_line,
                           show_line_numbers=False, id="text-body")
            if self.note:
                yield Static(shown(self.note), classes="dialog-hint")
            yield Static("esc close · c copy again · s save to a file · or select it with the mouse "
                         "(shift+drag in some terminals)", classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        # all selected, ready for the terminal's own copy too, with the cursor (and the
        # view) at the start: a one-line text shows its beginning
        area.selection = Selection(area.document.end, (0, 0))

    def action_copy_again(self) -> None:
        # the app's way (OSC 52, and tmux's buffer inside tmux); a bare App: OSC 52
        getattr(self.app, "share_text", self.app.copy_to_clipboard)(self.text)
        self.notify("Copied again", timeout=2)

    def action_save(self) -> None:
        from ..clipboard import save_text

        try:
            path = save_text(self.text, self.stem)
        except OSError as exc:
            self.notify(display_text(f"Could not save: {exc}"), severity="error", markup=False)
            return
        self.notify(display_text(f"Saved to {path}"), timeout=8, markup=False)

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
