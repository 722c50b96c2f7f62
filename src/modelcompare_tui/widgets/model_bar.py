"""The compare shell's two bars: the tabs, and the compared models as chips.

A chip is the model's name on its own color (the same color on every screen);
the base comes first and is marked. Chips that do not fit collapse into
"+N more" (the MODELS list, `m`, shows them all).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.content import Content

from ..core.labels import fit_labels, model_labels
from ..core.colors import ModelColors, hex_to_rgb
from ..core.display import display_text
from ..core.model import Model
from ..core.tabs import TAB_TITLES
from .click_bar import ClickBar, Part
from .safe_text import shown

MAX_CHIP_NAME = 40
MIN_CHIP_NAME = 10


def chip_text_color(background: str) -> str:
    """Black or white, whichever reads better on `background` (WCAG luminance)."""

    def channel(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in hex_to_rgb(background))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 0.179 else "#ffffff"


def _part_width(text: Content | str | tuple[str, str]) -> int:
    if isinstance(text, Content):
        return cell_len(text.plain)
    return cell_len(text if isinstance(text, str) else text[0])


def _chips_width(names: Sequence[str]) -> int:
    # each chip: a space either side, one space after; the base chip also has "◆ "
    return sum(cell_len(n) + 3 for n in names) + 2


class TabBar(ClickBar):
    """`1 Details  2 Network  3 Scalars  4 Plots`, the current tab highlighted; click to switch."""

    DEFAULT_CSS = """
    TabBar { height: 1; background: $panel; }
    """

    def show_tab(self, current: str) -> None:
        parts: list[Part] = [((" modelcompare ", "bold $accent"), None)]
        for number, (tab, title) in enumerate(TAB_TITLES.items(), start=1):
            style = "bold $text on $primary" if tab == current else "$foreground"
            parts.append(((f" {number} {title} ", style), f"app.show_tab('{tab}')"))
            parts.append((" ", None))
        parts.append((Content.from_markup(" [b]esc[/b] models table "), "app.show_models"))
        self.set_parts(parts)


class ModelBar(ClickBar):
    """The compared models as colored chips, base first. Click: the MODELS list."""

    DEFAULT_CSS = """
    ModelBar { height: 1; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._ids: tuple[str, ...] = ()
        self._models: dict[str, Model] = {}
        self._colors: ModelColors | None = None
        self._loading = False

    def show_models(self, ids: Sequence[str], models: Sequence[Model], colors: ModelColors,
                    loading: bool = False) -> None:
        self._ids = tuple(ids)
        self._models = {m.id: m for m in models}
        self._colors = colors
        self._loading = loading
        self._render_chips()

    def on_resize(self) -> None:
        self._render_chips()

    def recolor_models(self) -> None:
        """The model colours changed shade (the theme): the chips again."""
        self._render_chips()

    def _labels(self) -> list[str]:
        """The compared models' labels (a model not loaded yet: its id's start)."""
        known = [self._models[i] for i in self._ids if i in self._models]
        labels = dict(zip((m.id for m in known), model_labels(known)))
        return [display_text(labels.get(model_id, model_id[:8])) for model_id in self._ids]

    def _render_chips(self) -> None:
        if self._colors is None:
            return
        width = max(20, self.content_size.width or 80)
        tail: list[Part] = [
            ("  ", None),
            (Content.from_markup("[b]m[/b] models"), "screen.models_list"),
            ("  ", None),
            (Content.from_markup("[b]+[/b] add"), "screen.add_models"),
        ]
        tail_width = sum(_part_width(text) for text, _ in tail)
        room = width - tail_width - (11 if self._loading else 1)  # "  loading…" after the chips
        budget = room - 9  # with room for "+NN more" after the chips shown
        labels = self._labels()
        # shorten long names before hiding chips: seeing every model beats full names
        # (cut together, so that the chips keep what tells the models apart)
        limit = MAX_CHIP_NAME
        names = fit_labels(labels, limit)
        while limit > MIN_CHIP_NAME and _chips_width(names) > room:
            limit -= 1
            names = fit_labels(labels, limit)
        if _chips_width(names) <= room:
            budget = room  # every chip shows: no "+NN more" to leave room for
        # the full names, one hover away, when a chip is cut
        self.tooltip = shown("\n".join(labels), multiline=True) if names != labels else None
        parts: list[Part] = []
        used = 0
        chips = 0
        for position, (model_id, name) in enumerate(zip(self._ids, names)):
            label = f" {'◆ ' if position == 0 else ''}{name} "
            if position and used + cell_len(label) + 1 > budget:
                break
            color = self._colors[model_id]
            parts.append(((label, f"bold {chip_text_color(color)} on {color}"), "screen.models_list"))
            parts.append((" ", None))
            used += cell_len(label) + 1
            chips += 1
        hidden = len(self._ids) - chips
        if hidden:
            parts.append(((f"+{hidden} more", "dim"), "screen.models_list"))
        if self._loading:
            parts.append((("  loading…", "dim italic"), None))
        self.set_parts(parts + tail)
