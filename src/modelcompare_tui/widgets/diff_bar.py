"""The Details and Network tabs' bar (mode, counts, legend; clickable parts) and search box."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import RenderResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

# the legend also says the diff mode (`t`): what ≠ is measured against
LEGEND = {
    "base": "≠ vs base  + only here  − missing",
    "all": "≠ vs others  + some lack it  − absent",
}


class SearchBox(Input):
    """The search box: escape gives back the search it started with."""

    HELP_TITLE = "Field search"

    BINDINGS = [
        Binding("escape", "cancel", "Cancel search", tooltip="Close the search box, restoring the previous search",
                id="diff_search.cancel"),
    ]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


@dataclass(frozen=True)
class BarPart:
    text: Text
    priority: int  # the lowest is shortened first, then dropped first
    short: Text | None = None


class DiffBar(Widget):
    """One line of parts: those that do not fit the width take their short
    form, then go, least important first."""

    DEFAULT_CSS = """
    DiffBar { height: 1; padding: 0 1; background: $surface; color: $text-muted; }
    """

    SEPARATOR = " · "

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.parts: list[BarPart] = []

    def set_parts(self, parts: list[BarPart]) -> None:
        self.parts = parts
        self.refresh()

    def fitted(self, width: int) -> Text:
        texts = [p.text for p in self.parts]
        alive = list(range(len(self.parts)))
        by_priority = sorted(alive, key=lambda k: self.parts[k].priority)

        def total() -> int:
            return sum(texts[k].cell_len for k in alive) + len(self.SEPARATOR) * max(0, len(alive) - 1)

        for k in by_priority:
            if total() <= width:
                break
            short = self.parts[k].short
            if short is not None:
                texts[k] = short
        for k in by_priority:
            if total() <= width or len(alive) == 1:
                break
            alive.remove(k)
        line = Text(self.SEPARATOR, style="dim").join(texts[k] for k in alive)
        line.truncate(width, overflow="ellipsis")
        return line

    def render(self) -> RenderResult:
        return self.fitted(self.content_region.width or 80)
