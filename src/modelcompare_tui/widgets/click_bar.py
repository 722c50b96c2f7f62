"""A one-line bar of parts, some of which run an action when clicked.

Textual's `@click` markup restyles its text as a link (theme link colors and
underline), which would repaint the model chips; this bar keeps each part's
own style and maps a click's x to the part under it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.widgets import Static

Part = tuple[Content | str | tuple[str, str], str | None]  # (text, action or None)


class ClickBar(Static):
    DEFAULT_CSS = """
    ClickBar { height: 1; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self._spans: list[tuple[int, int, str]] = []

    def set_parts(self, parts: Sequence[Part]) -> None:
        spans: list[tuple[int, int, str]] = []
        pieces: list[Content | str | tuple[str, str]] = []
        x = 0
        for text, action in parts:
            plain = text.plain if isinstance(text, Content) else text[0] if isinstance(text, tuple) else text
            width = cell_len(plain)
            if action:
                spans.append((x, x + width, action))
            pieces.append(text)
            x += width
        self._spans = spans
        # one line of fixed size: no layout pass needed (it costs a frame on every keystroke)
        self.update(Content.assemble(*pieces), layout=False)

    def action_at(self, x: int) -> str | None:
        for start, end, action in self._spans:
            if start <= x < end:
                return action
        return None

    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        action = self.action_at(offset.x)
        if action:
            event.stop()
            await self.run_action(action)
