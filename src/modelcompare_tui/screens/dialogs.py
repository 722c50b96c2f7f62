"""Modal dialogs: column filter, MODELS list, model selection, help, state
strings (copy, paste, another source?), embed codes.

Each is a typed ModalScreen that returns its result with `dismiss` (frogmouth's
pattern); the caller decides what to do with it.
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    SelectionList,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from ..core.colors import ModelColors
from ..core.display import display_text
from ..core.model import ModelQuery
from ..core.state import ComparisonState
from ..core.table_query import (
    MIN_COMPARED,
    ColumnFilter,
    filter_kind,
    parse_date_bound,
    selection_problem,
)
from ..sources.base import Source
from ..widgets.model_browser import ModelBrowser
from ..widgets.model_table import ModelTable
from ..widgets.safe_text import SAFE_INPUT, shown
from ..widgets.worker_errors import ReportWorkerErrors

if TYPE_CHECKING:
    from ..app import ComparisonUpdate, ModelCompareApp
    from ..keys import KeySection


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


class ModelsListDialog(ModalScreen[None]):
    """`m`: the compared models in order (base first). Each change applies at
    once; escape or enter closes."""

    HELP_TITLE = "Compared models"
    BINDINGS = [
        Binding("x", "remove", "Remove", id="models_list.remove"),
        Binding("delete", "remove", "Remove", show=False, id="models_list.remove_alt"),
        Binding("b", "make_base", "Make base", id="models_list.make_base"),
        Binding("left_square_bracket", "move(-1)", "Move up", id="models_list.move_up"),
        Binding("right_square_bracket", "move(1)", "Move down", id="models_list.move_down"),
        Binding("shift+up", "move(-1)", "Move up", show=False, id="models_list.move_up_alt"),
        Binding("shift+down", "move(1)", "Move down", show=False, id="models_list.move_down_alt"),
        Binding("plus", "add", "Add models", id="models_list.add_models"),
        Binding("escape", "close", "Close", id="models_list.close"),
        Binding("enter", "close", "Close", show=False, id="models_list.close_alt"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")
        self._follow: str | None = None  # the model the highlight stays on across changes

    @property
    def mc_app(self) -> ModelCompareApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="models-dialog", classes="dialog"):
            yield Static("", id="models-title", classes="dialog-title")
            yield OptionList(id="models-list")
            yield Static("", id="models-message", classes="dialog-error")
            yield Static(
                "x remove · b make base · [ ] move · + add · esc close", classes="dialog-hint", markup=False
            )

    def on_mount(self) -> None:
        self._show_ids(self.mc_app.comparison.models)
        self.mc_app.comparison_changed.subscribe(self, self._changed)
        self.query_one(OptionList).focus()

    def _changed(self, update: ComparisonUpdate) -> None:
        self._show_ids(update.state.models)

    def _show_ids(self, ids: tuple[str, ...]) -> None:
        app = self.mc_app
        widget = self.query_one(OptionList)
        follow = self._follow if self._follow in ids else None
        widget.clear_options()
        options = []
        for position, model_id in enumerate(ids):
            model = app.model_cache.get(model_id)
            name = display_text(model.name if model else model_id)
            parts: list[str | tuple[str, str]] = [("● ", app.colors[model_id]), name]
            if model is not None and model.project:
                parts.append((f"  {display_text(model.project)}", "dim"))
            if position == 0:
                parts.append(("  base", "bold"))
            options.append(Option(Content.assemble(*parts), id=model_id))
        widget.add_options(options)
        if ids:
            widget.highlighted = ids.index(follow) if follow else 0
        self.query_one("#models-title", Static).update(f"Compared models ({len(ids)})")

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._follow = event.option.id

    def _selected_id(self) -> str | None:
        widget = self.query_one(OptionList)
        if widget.highlighted is None:
            return None
        return widget.get_option_at_index(widget.highlighted).id

    def _apply(self, ids: list[str]) -> None:
        app = self.mc_app
        app.set_comparison(replace(app.comparison, models=tuple(ids)))

    def action_remove(self) -> None:
        model_id = self._selected_id()
        ids = list(self.mc_app.comparison.models)
        if model_id is None or model_id not in ids:
            return
        if len(ids) - 1 < MIN_COMPARED:
            message = f"At least {MIN_COMPARED} models are needed to compare: add one (+) before removing this one"
            self.query_one("#models-message", Static).update(message)
            self.notify(message, severity="warning")
            return
        self.query_one("#models-message", Static).update("")
        i = ids.index(model_id)
        ids.remove(model_id)
        self._follow = ids[min(i, len(ids) - 1)]
        self._apply(ids)

    def action_make_base(self) -> None:
        model_id = self._selected_id()
        ids = list(self.mc_app.comparison.models)
        if model_id is None or model_id not in ids:
            return
        ids.remove(model_id)
        self._apply([model_id, *ids])

    def action_move(self, delta: int) -> None:
        model_id = self._selected_id()
        ids = list(self.mc_app.comparison.models)
        if model_id is None or model_id not in ids:
            return
        i = ids.index(model_id)
        j = max(0, min(len(ids) - 1, i + delta))
        if i == j:
            return
        ids[i], ids[j] = ids[j], ids[i]
        self._apply(ids)

    def action_add(self) -> None:
        self.dismiss(None)
        self.mc_app.action_add_models()

    def action_close(self) -> None:
        self.dismiss(None)


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
        from ..widgets.model_bar import TAB_TITLES

        count = len(state.models)
        text = f"{count} model{'s' if count != 1 else ''} · {TAB_TITLES.get(state.tab, state.tab)} tab"
        if state.source and self.current_source:
            from ..app import same_source

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
