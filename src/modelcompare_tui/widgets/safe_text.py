"""Untrusted text for widgets: shown, never obeyed, never parsed as markup.

`core.display.display_text` is the one function that makes data safe to show;
this module is the Textual side of it. A `str` handed to a Static, a border
title, a tooltip or a notification is parsed as content markup (`a[/]b` raises
MarkupError, `acc[top1]` loses its brackets); a `Content` is not. So data
reaches widgets as `shown(...)`, a Content of display text; and an Input shows
its value through `DisplayTextHighlighter` (what is typed or pasted stays the
value, exactly; only what is drawn is display text).
"""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.text import Text
from textual.content import Content

from ..core.display import display_text


def shown(text: object, style: str = "", *, multiline: bool = False) -> Content:
    """`text` (data) as Content to show: display text, never parsed as markup."""
    plain = display_text(text, multiline=multiline)
    return Content.styled(plain, style) if style else Content(plain)


class DisplayTextHighlighter(Highlighter):
    """An Input's highlighter that draws its value as display text. One
    character for one (display_text's promise), so the cursor and the
    selection stay where they were."""

    def __call__(self, text: str | Text) -> Text:
        if isinstance(text, str):
            return Text(display_text(text))
        plain = text.plain
        safe = display_text(plain)
        if safe == plain:
            return text
        out = text.copy()
        out.plain = safe
        return out

    def highlight(self, text: Text) -> None:
        """Nothing to highlight: __call__ does the work."""


SAFE_INPUT = DisplayTextHighlighter()

__all__ = ["SAFE_INPUT", "DisplayTextHighlighter", "shown"]
