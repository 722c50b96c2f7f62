"""The base of the tables (models, Values, Details/Network grid): a
ScrollView that draws its own lines (render_line) with component styles, a
header line above the rows, and a cell cursor moved by the same keys in
every table.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.scroll_view import ScrollView

# each table implements the actions: `move(delta)` rows, `page(direction)`
# screens, `move_to(row)` (-1: the last row) and `column(delta)`
CURSOR_BINDINGS = [
    Binding("up,k", "move(-1)", "Up", show=False, id="table.up"),
    Binding("down,j", "move(1)", "Down", show=False, id="table.down"),
    Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
    Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
    Binding("home,g", "move_to(0)", "First row", show=False, id="table.first_row"),
    Binding("end,G", "move_to(-1)", "Last row", show=False, id="table.last_row"),
    Binding("left", "column(-1)", "Column left", show=False, id="table.column_left"),
    Binding("right", "column(1)", "Column right", show=False, id="table.column_right"),
]


class CursorTable(ScrollView):
    """A table drawn line by line under a header line, with a cell cursor
    (its BINDINGS include CURSOR_BINDINGS)."""

    def _body_height(self) -> int:
        """Lines for rows: the view less the header line."""
        return max(1, self.scrollable_content_region.height - 1)

    def _restyle(self) -> None:
        """The component styles changed (the theme, or `:focus`): draw again."""
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def recolor_models(self) -> None:
        """The model colours changed shade (the theme): draw again, uncached."""
        self._restyle()

    def on_focus(self) -> None:
        self._restyle()

    def on_blur(self) -> None:
        self._restyle()


__all__ = ["CURSOR_BINDINGS", "CursorTable"]
