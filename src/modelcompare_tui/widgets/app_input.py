"""App mixins for typing over a terminal link.

KeysFollowFocus: keys of a burst land where the focus is when they are handled.
A terminal delivers a paste, or a fast typist over SSH, as keys queued together.
Textual forwards each queued key to the widget focused when it is read, so the
keys behind a `/` that opens a search box still go to the table; they bubble up
to the App after `/` moved the focus, where the bindings of the text box's
chain apply to them: `s` was lost, `p` opened the paste dialog. A text box
types every printable key it gets (and stops it), so a printable key that
reaches the App while a text box has the focus was meant for that box.
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.widgets import Input, TextArea


class KeysFollowFocus(App):
    """App mixin: a printable key of a burst is typed into the text box that has the focus by now."""

    # Textual calls the `_on_key` of every class in the MRO in turn (App's checks
    # the bindings); prevent_default keeps App's from running
    async def _on_key(self, event: events.Key) -> None:
        focused = self.focused
        if event.is_printable and isinstance(focused, Input) and not focused.disabled:
            event.stop()
            event.prevent_default()
            focused._forward_event(events.Key(event.key, event.character))  # noqa: SLF001


class SteadyCursor(App):
    """App mixin: text cursors do not blink. A blink repaints the line twice a
    second for as long as a box has the focus: bytes on an idle SSH link, and a
    snapshot that depends on when it was taken."""

    def _on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if isinstance(widget, (Input, TextArea)):
            widget.cursor_blink = False
