"""The Plots tab's iteration picker (i)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class IterationDialog(ModalScreen["int | None | bool"]):
    """`i`: the iteration whose plots to show. Returns the iteration, None for
    the last reported ones, or False when cancelled."""

    HELP_TITLE = "Iteration"


    BINDINGS = [Binding("escape", "cancel", "Cancel", id="iteration_dialog.cancel")]

    def __init__(self, iterations: list[int], current: int | None) -> None:
        super().__init__(classes="dialog-screen")
        self.iterations = iterations
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option("last reported (each model's latest plot)", id="last")]
        options += [Option(f"≤ {it:,}", id=str(it)) for it in reversed(self.iterations)]
        with Vertical(id="iteration-dialog", classes="dialog"):
            yield Static("Show the plots reported at or before iteration", classes="dialog-title")
            yield OptionList(*options, id="iteration-list")
            yield Static("enter choose · esc cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.current is None:
            options.highlighted = 0
        else:
            ids = ["last", *(str(it) for it in reversed(self.iterations))]
            options.highlighted = ids.index(str(self.current)) if str(self.current) in ids else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        self.dismiss(None if option_id == "last" else int(option_id or 0))

    def action_cancel(self) -> None:
        self.dismiss(False)
