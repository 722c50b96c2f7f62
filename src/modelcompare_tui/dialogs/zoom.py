"""A chart's iteration range to zoom to (z)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ..render.chart_series import (
    parse_iteration_range,
)
from ..widgets.safe_text import SAFE_INPUT, shown


class ZoomDialog(ModalScreen["tuple[int, int] | None | bool"]):
    """`z`: type the iteration range of the maximised chart. Returns the range,
    None to reset the zoom, or False when cancelled."""

    HELP_TITLE = "Zoom"


    BINDINGS = [Binding("escape", "cancel", "Cancel", id="zoom_dialog.cancel")]

    def __init__(self, current: tuple[int, int] | None, full: tuple[int, int] | None) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current
        self.full = full

    def compose(self) -> ComposeResult:
        with Vertical(id="zoom-dialog", classes="dialog"):
            yield Static("Zoom to iterations", classes="dialog-title")
            value = f"{self.current[0]}-{self.current[1]}" if self.current else ""
            yield Input(value, placeholder="FROM-TO, e.g. 1000-5000 or 1k-5k (empty: all)", id="zoom-input",
                        highlighter=SAFE_INPUT)
            hint = f"the data spans {self.full[0]:,}–{self.full[1]:,} · " if self.full else ""
            yield Static("", id="zoom-error", classes="dialog-error")
            yield Static(hint + "enter apply · esc cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            self.dismiss(parse_iteration_range(event.value))
        except ValueError as exc:
            self.query_one("#zoom-error", Static).update(shown(str(exc)))

    def action_cancel(self) -> None:
        self.dismiss(False)
