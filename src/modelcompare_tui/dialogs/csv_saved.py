"""The Values table's CSV download: where the file went."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..render.value_text import AGG_TITLES
from ..widgets.safe_text import shown


class CsvSavedDialog(ModalScreen[None]):
    """After `d`: where the CSV went, with offers to copy it or its path (OSC 52
    can fail silently, so the path is always shown, selectable)."""

    HELP_TITLE = "CSV saved"


    BINDINGS = [
        Binding("escape", "close", "Close", id="csv_saved.close"),
        Binding("c", "copy_csv", "Copy CSV", id="csv_saved.copy_csv"),
        Binding("p", "copy_path", "Copy path", id="csv_saved.copy_path"),
    ]

    def __init__(self, path: Path, csv_text: str, rows: int, agg: str) -> None:
        super().__init__(classes="dialog-screen")
        self.path = path
        self.csv_text = csv_text
        self.rows = rows
        self.agg = agg

    def compose(self) -> ComposeResult:
        with Vertical(id="csv-dialog", classes="dialog"):
            yield Static(f"Saved {self.rows} row{'s' if self.rows != 1 else ''} ({AGG_TITLES[self.agg]}) as CSV",
                         classes="dialog-title")
            yield Static(shown(str(self.path)), id="csv-path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Copy CSV", variant="primary", id="copy-csv", compact=True)
                yield Button("Copy path", id="copy-path", compact=True)
                yield Button("Close", id="close", compact=True)
            yield Static("c copy the CSV · p copy the path · esc close", classes="dialog-hint")

    @on(Button.Pressed, "#copy-csv")
    def action_copy_csv(self) -> None:
        self.app.copy_to_clipboard(self.csv_text)
        self.app.notify(f"Copied {len(self.csv_text):,} characters of CSV (if your terminal allows OSC 52)")
        self.dismiss(None)

    @on(Button.Pressed, "#copy-path")
    def action_copy_path(self) -> None:
        self.app.copy_to_clipboard(str(self.path))
        self.app.notify(f"Copied {self.path}")
        self.dismiss(None)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
