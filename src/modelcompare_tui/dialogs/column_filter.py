"""The models table's column filter: a value list, a date range or text, by the column's kind."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    SelectionList,
    Static,
)
from textual.widgets.selection_list import Selection

from ..core.table_query import (
    ColumnFilter,
    filter_kind,
    parse_date_bound,
)
from ..sources.base import Source
from ..widgets.model_browser import ModelBrowser
from ..widgets.model_table import ModelTable
from ..widgets.safe_text import SAFE_INPUT, shown
from ..widgets.worker_errors import ReportWorkerErrors


class FilterDialog(ReportWorkerErrors, ModalScreen[ColumnFilter | None]):
    """`f`: a checklist of values (categorical columns), a date range (created,
    updated) or a substring (name, id). Returns the column's new filter (empty
    = cleared) or None when cancelled."""

    HELP_TITLE = "Filter"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filter_dialog.cancel"),
        Binding("ctrl+s", "apply", "Apply", priority=True, id="filter_dialog.apply"),
    ]

    def __init__(self, source: Source, column: str, current: ColumnFilter | None) -> None:
        super().__init__(classes="dialog-screen")
        self.source = source
        self.column = column
        self.kind = filter_kind(column)
        self.current = current or ColumnFilter(column)

    def compose(self) -> ComposeResult:
        with Vertical(id="filter-dialog", classes="dialog"):
            yield Static(f"Filter [b]{self.column}[/b]", classes="dialog-title")
            if self.kind == "values":
                yield SelectionList[str](id="values")
                hint = "space toggle · ctrl+s apply · esc cancel"
            elif self.kind == "range":
                yield Label("from (YYYY-MM-DD [HH:MM])")
                yield Input(self.current.low.replace("T", " "), placeholder="e.g. 2026-01-01", id="low",
                            highlighter=SAFE_INPUT)
                yield Label("to, inclusive")
                yield Input(self.current.high.replace("T", " "), placeholder="e.g. 2026-01-31", id="high",
                            highlighter=SAFE_INPUT)
                hint = "enter/ctrl+s apply · esc cancel"
            else:
                yield Label(f"{self.column} contains")
                yield Input(self.current.text, placeholder="text", id="text", highlighter=SAFE_INPUT)
                hint = "enter/ctrl+s apply · esc cancel"
            yield Static("", id="filter-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply", variant="primary", id="apply", compact=True)
                yield Button("Clear", id="clear", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
            yield Static(hint, classes="dialog-hint")

    def on_mount(self) -> None:
        if self.kind == "values":
            values = self.query_one("#values", SelectionList)
            values.loading = True
            values.focus()
            self.run_worker(self._load_values, thread=True, group="filter-values", exit_on_error=False)
        else:
            self.query_one(Input).focus()

    def _load_values(self) -> None:
        values = self.source.distinct_values(self.column)
        self.app.call_from_thread(self._show_values, values)

    def _show_values(self, values: list[tuple[str, int]]) -> None:
        chosen = set(self.current.values)
        listed = {v for v, _ in values}
        rows = [(v, 0) for v in self.current.values if v not in listed] + values
        widget = self.query_one("#values", SelectionList)
        widget.clear_options()
        widget.add_options(
            [
                Selection(Content.assemble(shown(value) if value else "(none)", (f"  {count:,}", "dim")), value,
                          value in chosen)
                for value, count in rows
            ]
        )
        widget.loading = False

    def _result(self) -> ColumnFilter | None:
        error = self.query_one("#filter-error", Static)
        if self.kind == "values":
            chosen = self.query_one("#values", SelectionList).selected
            return ColumnFilter(self.column, values=tuple(chosen))
        if self.kind == "text":
            return ColumnFilter(self.column, text=self.query_one("#text", Input).value.strip())
        try:
            low = parse_date_bound(self.query_one("#low", Input).value)
            high = parse_date_bound(self.query_one("#high", Input).value)
        except ValueError as exc:
            error.update(shown(str(exc)))
            return None
        if low and high and low > high:
            error.update(shown(f"'from' ({low}) is after 'to' ({high})"))
            return None
        return ColumnFilter(self.column, low=low, high=high)

    def action_apply(self) -> None:
        result = self._result()
        if result is not None:
            self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    @on(Button.Pressed, "#apply")
    def _apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#clear")
    def _clear_pressed(self) -> None:
        self.dismiss(ColumnFilter(self.column))

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)


def open_filter_dialog(browser: ModelBrowser, event: ModelTable.FilterRequested) -> None:
    """`f` on a column of `browser`'s table: the filter dialog; its result goes
    back to the browser. Called by whatever hosts a ModelBrowser."""
    event.stop()
    browser.app.push_screen(FilterDialog(browser.source, event.column, event.current), browser.apply_filter)
