"""A diff cell's whole value (enter on a cell)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..core.colors import ModelColors
from ..core.diff import CellStatus, DiffRow, DiffTable
from ..core.display import display_text
from ..core.labels import fit_labels, model_labels
from ..core.textdiff import changed_spans
from ..render.diff_text import fit, plain
from ..widgets.diff_grid import (
    BASE_MARK,
    GLYPHS,
    shown_spans,
)
from ..widgets.safe_text import shown

MAX_DISTINCT_SHOWN = 30  # distinct values listed in the cell dialog
MAX_NAMES_PER_VALUE = 4
MAX_VALUE_SHOWN = 44  # cells of a value in the dialog's list of distinct values
SPAN_STYLE = "bold reverse"  # the changed characters in the cell dialog
STATUS_TEXT = {
    "base": {
        CellStatus.SAME: "same as the base",
        CellStatus.CHANGED: "differs from the base",
        CellStatus.ONLY_HERE: "only in this model (the base lacks it)",
        CellStatus.MISSING: "missing here (the base has it)",
        CellStatus.ABSENT: "absent here and in the base",
    },
    "all": {
        CellStatus.SAME: "the same in every model",
        CellStatus.CHANGED: "differs from another model",
        CellStatus.ONLY_HERE: "the same wherever present; absent in some models",
        CellStatus.MISSING: "absent here, present in other models",
        CellStatus.ABSENT: "absent in every model",
    },
}


def _readable(value: str) -> str:
    """`value` as display text with its line breaks. One character for one, so
    span offsets stay valid: a CR is shown as ␍ first (display_text would fold
    a CRLF pair into one line break)."""
    return display_text(value.replace("\r", "\u240d"), multiline=True)


def _highlighted(value: str, spans: list[tuple[int, int]], style: str) -> Text:
    text = Text(_readable(value))
    for start, end in spans:
        text.stylize(style, start, end)
    return text



class CellValueDialog(ModalScreen[None]):
    """enter on a cell: its whole value (a changed one with the differing
    characters highlighted, and the value it differs from), and the row's
    values across all the compared models."""

    HELP_TITLE = "Field value"

    BINDINGS = [
        Binding("escape", "close", "Close", id="cell_value.close"),
        Binding("enter", "close", "Close", show=False, id="cell_value.close_alt"),
        Binding("c", "copy", "Copy value", tooltip="Copy the whole value (and see it here if the terminal refuses)",
                id="cell_value.copy"),
    ]

    DIALOG_WIDTH = 96  # wider than the app's dialogs: values are long

    DEFAULT_CSS = """
    #cell-dialog #cell-scroll { height: auto; max-height: 1fr; }
    #cell-dialog .cell-label { color: $text-muted; margin-top: 1; }
    #cell-dialog .cell-value { background: $boost; padding: 0 1; }
    #cell-dialog #cell-model { height: auto; }
    """

    def __init__(self, table: DiffTable, row: DiffRow, column: int, colors: ModelColors) -> None:
        super().__init__(classes="dialog-screen")
        self.table = table
        self.row = row
        self.column = column
        self.model_colors = colors

    @property
    def value(self) -> str | None:
        return self.row.cells[self.column].value

    def compose(self) -> ComposeResult:
        table, row, k = self.table, self.row, self.column
        cell = row.cells[k]
        models = table.models
        titles = model_labels(models)
        name = ("line " if row.kind == "text-line" else "") + row.field
        with Vertical(id="cell-dialog", classes="dialog"):
            yield Static(shown(f"{plain(row.section)} › {plain(name)}"), classes="dialog-title")
            who = Text.assemble(
                ((BASE_MARK if k == 0 else "") + plain(titles[k]), f"bold {self.model_colors[models[k].id]}"),
                "  ",
                (GLYPHS.get(cell.status, "=") + " " + STATUS_TEXT[table.mode][cell.status], "italic"),
            )
            if cell.line is not None:
                who.append(f"  (its line {cell.line})", style="dim")
            yield Static(who, id="cell-model")
            with VerticalScroll(id="cell-scroll"):
                if cell.value is None:
                    yield Static(Text("(no value: this model lacks the field)", style="dim"), classes="cell-value")
                elif cell.value == "":
                    yield Static(Text("(empty text)", style="dim"), classes="cell-value")
                else:
                    yield Static(_highlighted(cell.value, shown_spans(cell), SPAN_STYLE), classes="cell-value",
                                 id="cell-full")
                ref = cell.compared_with
                if cell.status is CellStatus.CHANGED and ref is not None and cell.value is not None:
                    base_value = row.cells[0].value
                    source = f"the base ({plain(titles[0])})" if ref == base_value else "another model"
                    yield Static(shown(f"It differs from {source}:"), classes="cell-label")
                    ref_spans = changed_spans(cell.value, ref) if shown_spans(cell) else []
                    yield Static(_highlighted(ref, ref_spans, SPAN_STYLE), classes="cell-value", id="cell-ref")
                yield Static(self._across(titles), classes="cell-label", id="cell-across")
            yield Static("c copy the value · esc close", classes="dialog-hint")

    def recolor_models(self) -> None:
        """The model colours changed shade (the theme): compose again."""
        self.refresh(recompose=True)

    def on_mount(self) -> None:
        # inline: the app's `.dialog` width outranks any default CSS of ours
        self.query_one("#cell-dialog").styles.width = self.DIALOG_WIDTH

    def _across(self, titles: list[str]) -> Group:
        """The row's distinct values, most common first, each with how many
        models hold it and the first of their names."""
        groups: dict[str | None, list[int]] = {}
        for index, cell in enumerate(self.row.cells):
            groups.setdefault(cell.value, []).append(index)
        n = len(self.row.cells)
        distinct = len(groups)
        heading = Text(f"Across the {n} model{'s' if n != 1 else ''}: "
                       f"{distinct} distinct value{'s' if distinct != 1 else ''}")
        ranked = sorted(groups.items(), key=lambda item: -len(item[1]))[:MAX_DISTINCT_SHOWN]
        labels = ["—" if value is None else (plain(value) if value else "(empty)") for value, _ in ranked]
        value_w = min(MAX_VALUE_SHOWN, max(cell_len(label) for label in labels))
        count_w = max(len(f"{len(indices)}×") for _, indices in ranked)
        parts: list[Any] = [heading]
        for label, (_value, indices) in zip(labels, ranked):
            # one line per value (cut with … at the dialog's edge, never wrapped)
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(f"{len(indices)}×".rjust(count_w + 2) + " ")
            line.append(fit(label, value_w), style="bold" if self.column in indices else "")
            line.append("  ")
            named = indices[:MAX_NAMES_PER_VALUE]
            # the names share what is left of the line, cut so that they stay told apart
            room = self.DIALOG_WIDTH - 6 - (count_w + 3) - value_w - 2 - (8 if len(indices) > len(named) else 0)
            each = max(6, (room - 2 * (len(named) - 1)) // len(named) - len(BASE_MARK))
            names = fit_labels([plain(t) for t in titles], each)
            for j, index in enumerate(named):
                if j:
                    line.append(", ", style="dim")
                line.append((BASE_MARK if index == 0 else "") + names[index],
                            style=self.model_colors[self.table.models[index].id])
            if len(indices) > MAX_NAMES_PER_VALUE:
                line.append(f" +{len(indices) - MAX_NAMES_PER_VALUE} more", style="dim")
            parts.append(line)
        if distinct > MAX_DISTINCT_SHOWN:
            parts.append(Text(f"  … and {distinct - MAX_DISTINCT_SHOWN} more values", style="dim"))
        return Group(*parts)

    def action_copy(self) -> None:
        value = self.value
        if value is None:
            self.notify("This model has no value here", severity="warning")
            return
        self.app.copy_to_clipboard(value)
        self.notify(f"Copied {len(value):,} characters (if your terminal allows OSC 52)")

    def action_close(self) -> None:
        self.dismiss(None)
