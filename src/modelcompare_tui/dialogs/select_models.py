"""+ : add or remove compared models in a selection table; APPLY returns the new ids."""

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
)

from ..core.colors import ModelColors
from ..core.model import ModelQuery
from ..core.table_query import (
    selection_problem,
)
from ..dialogs.column_filter import open_filter_dialog
from ..sources.base import Source
from ..widgets.model_browser import ModelBrowser
from ..widgets.model_table import ModelTable

if TYPE_CHECKING:
    pass


class SelectModelsDialog(ModalScreen[tuple[str, ...] | None]):
    """`+`: the models table (sort, filter, search) with the compared models
    pinned at the top and already selected. APPLY returns the new selection
    (compared models first, in their order, then the added ones)."""

    HELP_TITLE = "Select models"
    BINDINGS = [
        Binding("enter", "apply", "APPLY", id="select_models.apply"),
        Binding("ctrl+s", "apply", "APPLY", show=False, priority=True, id="select_models.apply_alt"),
        Binding("escape", "cancel", "Cancel", id="select_models.cancel"),
        Binding("slash", "search", "Search", id="select_models.search"),
    ]

    def __init__(self, source: Source, compared: tuple[str, ...], colors: ModelColors) -> None:
        super().__init__(classes="dialog-screen")
        self.source = source
        self.compared = compared
        self.model_colors = colors

    def compose(self) -> ComposeResult:
        with Vertical(id="select-dialog", classes="dialog"):
            yield Static("Select models to compare", classes="dialog-title")
            yield ModelBrowser(
                self.source,
                query=ModelQuery(pinned=self.compared),
                selected=self.compared,
                colors=self.model_colors,
                compared=self.compared,
                id="select-browser",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Static("", id="select-count")
                yield Button("APPLY", variant="primary", id="apply", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
            yield Static(
                "space select · / search · s sort · f filter · enter APPLY · esc cancel",
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self._show_count(len(self.compared))
        self.query_one(ModelTable).focus()

    @property
    def table(self) -> ModelTable:
        return self.query_one(ModelTable)

    def _show_count(self, count: int) -> None:
        problem = selection_problem(count)
        text = f"[b]{count}[/b] selected" + (f"  [dim]{problem}[/dim]" if problem else "")
        self.query_one("#select-count", Static).update(text)

    @on(ModelTable.SelectionChanged)
    def _selection_changed(self, event: ModelTable.SelectionChanged) -> None:
        self._show_count(len(event.selected))

    def action_search(self) -> None:
        self.query_one(ModelBrowser).focus_search()

    def action_apply(self) -> None:
        chosen = list(self.table.selected)
        kept = [i for i in self.compared if i in chosen]
        ids = tuple(kept + [i for i in chosen if i not in kept])
        problem = selection_problem(len(ids))
        if problem:
            self.notify(problem, severity="warning")
            return
        self.dismiss(ids)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @on(ModelTable.FilterRequested)
    def _filter_requested(self, event: ModelTable.FilterRequested) -> None:
        open_filter_dialog(self.query_one(ModelBrowser), event)
