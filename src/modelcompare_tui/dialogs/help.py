"""? : the keys of the screen on show, from its bindings."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Static,
)

from ..widgets.safe_text import shown

if TYPE_CHECKING:
    from ..keys import KeySection


class HelpDialog(ModalScreen[None]):
    """`?`: every binding of the screen it was opened on."""

    HELP_TITLE = "Help"
    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("question_mark", "close", "Close", show=False, id="help.close_alt"),
        Binding("q", "close", "Close", show=False, id="help.close_alt2"),
    ]

    def __init__(self, title: str, sections: list[KeySection]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog"):
            yield Static(shown(f"Keys — {self.title_text}"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(self._text(), id="help-text")
            yield Static("esc close · ctrl+p command palette · ctrl+t dark/light", classes="dialog-hint")

    def _text(self) -> Group:
        """A two-column grid per section, so that long descriptions wrap under themselves."""
        parts: list[Table | Text] = []
        for n, section in enumerate(self.sections):
            if n:
                parts.append(Text(""))
            parts.append(Text(section.title, style="bold underline"))
            grid = Table.grid(padding=(0, 2))
            grid.add_column(no_wrap=True, style="bold", min_width=8)
            grid.add_column(ratio=1)
            for key in section.keys:
                text = Text(key.description)
                if key.tooltip:
                    text.append(f" — {key.tooltip}", style="dim")
                grid.add_row(" " + key.key, text)
            parts.append(grid)
        return Group(*parts)

    def plain_text(self, width: int = 100) -> str:
        """The help as plain text, the way it renders (for tests and copying)."""
        from rich.console import Console

        console = Console(width=width, record=True, color_system=None, file=io.StringIO())
        console.print(self._text())
        return console.export_text()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
