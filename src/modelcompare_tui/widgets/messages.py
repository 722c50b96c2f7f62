"""Base classes of the messages a widget posts about itself.

The widget is the message's `control`, which `@on(Kind.Message, "#id")`
matches: a screen with two widgets of one kind handles each apart.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from textual.message import Message
from textual.widget import Widget

WidgetT = TypeVar("WidgetT", bound=Widget)
RowT = TypeVar("RowT")


class ControlMessage(Message, Generic[WidgetT]):
    """A message about the widget that posts it."""

    def __init__(self, control: WidgetT) -> None:
        super().__init__()
        self._control = control

    @property
    def control(self) -> WidgetT:
        return self._control


class CardMessage(ControlMessage[WidgetT]):
    """A message about a card of a list or grid (a chart, a plot)."""

    @property
    def card(self) -> WidgetT:
        return self._control


class CellMessage(ControlMessage[WidgetT], Generic[WidgetT, RowT]):
    """A message about a cell of a table: its row and its column."""

    def __init__(self, control: WidgetT, row: RowT, column: int) -> None:
        super().__init__(control)
        self.row = row
        self.column = column


__all__ = ["CardMessage", "CellMessage", "ControlMessage"]
