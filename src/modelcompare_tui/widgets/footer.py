"""The footer of every screen: Textual's, made to fit narrow terminals."""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

NARROW_WIDTH = 120  # below this many columns the footer drops its padding and the ^p key
MAX_FIT_RETRIES = 5  # refreshes to wait for recomposed keys to be laid out
KEPT_ACTIONS = ("app.help", "help")  # always shown: it lists the keys the footer has no room for


class AppFooter(Footer):
    """Textual's footer that, below NARROW_WIDTH columns, drops the spaces
    around each key and the command palette's key (ctrl+p still works and the
    help lists it), and shows only the keys that fit whole, `? Help` among
    them, rather than one cut in the middle ("t Diff mo")."""

    _fit_retries = 0

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_WIDTH
        if self.compact != narrow or self.show_command_palette == narrow:
            self.compact = narrow
            self.show_command_palette = not narrow
            self.refresh(recompose=True)
        else:
            self._fit_keys()

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit_keys)

    def _fit_keys(self) -> None:
        width = self.size.width
        items: list[Widget] = [child for child in self.children if not child.has_class("-command-palette")]
        if not width or not items:
            return
        for item in items:
            item.display = True
        if any(not item.outer_size.width for item in items):
            # keys just recomposed are laid out on the next refresh: measure them then
            if self._fit_retries < MAX_FIT_RETRIES:
                self._fit_retries += 1
                self.call_after_refresh(self._fit_keys)
            return
        self._fit_retries = 0
        sizes = [item.outer_size.width + item.styles.margin.left + item.styles.margin.right for item in items]
        if sum(sizes) <= width:
            return
        kept: list[int] = []
        used = 0
        for i, size in enumerate(sizes):
            if used + size > width:
                break
            kept.append(i)
            used += size
        help_index = next((i for i, item in enumerate(items)
                           if isinstance(item, FooterKey) and item.action in KEPT_ACTIONS), None)
        if help_index is not None and help_index not in kept:
            while kept and used + sizes[help_index] > width:
                used -= sizes[kept.pop()]
            kept.append(help_index)
        for i, item in enumerate(items):
            item.display = i in kept
