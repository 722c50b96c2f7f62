"""A Values cell's exact number (enter on a cell)."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..core.display import display_text
from ..core.model import ScalarSummary, format_float
from ..core.scalars import (
    AGGREGATIONS,
    ValueRow,
    format_delta,
)
from ..render.value_text import AGG_TITLES
from ..widgets.safe_text import shown


class ExactValueDialog(ModalScreen[None]):
    """enter on a Values cell: the exact Last/Min/Max of that series with their
    iterations, its point count and its change against the base."""

    HELP_TITLE = "Exact value"


    BINDINGS = [
        Binding("escape", "close", "Close", id="exact_value.close"),
        Binding("enter", "close", "Close", show=False, id="exact_value.close_alt"),
        Binding("c", "copy", "Copy value", id="exact_value.copy"),
    ]

    def __init__(self, title: str, label: str, color: str | Callable[[], str], agg: str, summary: ScalarSummary | None,
                 row: ValueRow, column: int, base_label: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.label = label
        self.color = color
        self.agg = agg
        self.summary = summary
        self.row = row
        self.column = column
        self.base_label = base_label

    @property
    def label_color(self) -> str:
        """The model's colour (a callable `color`: its shade for the current theme)."""
        return self.color() if callable(self.color) else self.color

    def recolor_models(self) -> None:
        """The model colours changed shade (the theme): compose again."""
        self.refresh(recompose=True)

    @property
    def value(self) -> float | None:
        return self.row.values[self.column]

    def compose(self) -> ComposeResult:
        with Vertical(id="exact-dialog", classes="dialog"):
            yield Static(shown(self.title_text), classes="dialog-title")
            yield Static(Text(display_text(self.label), style=f"bold {self.label_color}"))
            yield Static(self._details(), id="exact-body")
            yield Static("c copy the value · esc close", classes="dialog-hint")

    def _details(self) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_column(style="dim")
        s = self.summary
        if s is None:
            grid.add_row("", "this model has no such series", "")
            return grid
        for agg in AGGREGATIONS:
            value = s.value(agg)
            iteration = {"last": s.last_iteration, "min": s.min_iteration, "max": s.max_iteration}[agg]
            text = "–" if value is None else format_float(value)
            where = "" if iteration is None or value is None else f"at iteration {iteration:,}"
            name = AGG_TITLES[agg] + (" ◂" if agg == self.agg else "")
            grid.add_row(name, text, where)
        grid.add_row("points", f"{s.count:,}", "")
        d = self.row.deltas[self.column] if self.column else None
        if d is not None:
            percent = "" if d.percent is None else f" ({format_delta(d)})"
            verdict = f"{d.verdict} than the base" if d.verdict in ("better", "worse") else ""
            grid.add_row("Δ vs base", f"{'+' if d.absolute > 0 else ''}{format_float(d.absolute)}{percent}", verdict)
        elif self.column == 0:
            grid.add_row("", "(the base)", "")
        return grid

    def action_copy(self) -> None:
        if self.value is not None:
            text = format_float(self.value)
            self.app.copy_to_clipboard(text)
            self.app.notify(f"Copied {text}")

    def action_close(self) -> None:
        self.dismiss(None)
