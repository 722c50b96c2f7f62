"""The Plots tab's cards: one PlotCard per merged plot (and the Summary of
single values), drawn by render/plots; the PlotList that holds them.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Size

from ..core.colors import ModelColors
from ..core.display import display_text
from ..core.model import Model
from ..core.plotmerge import PlotGroup, SummaryChart
from ..render.chart_series import legend_lines
from ..render.plots import (
    bar_renderable,
    box_renderable,
    draw_merged_chart,
    group_title,
    merged_table_renderable,
    panels_renderable,
    plot_legend,
    plot_legend_lines,
    summary_bars,
    summary_table,
)
from .charts import MAX_LEGEND_LINES, ChoosableCard
from .messages import CardMessage

MIN_XY_HEIGHT = 10
MAX_XY_HEIGHT = 22
SUMMARY_KEY = "summary"
LIST_LEGEND_LINES = 4  # legend lines of a plot in the list, at most
SIDE_BY_SIDE_WIDTH = 140  # the Summary's bars and table side by side from this width
SUMMARY_BARS_WIDTH = 60  # side by side, the bars keep this much: names, labels, a bar and its value
SIDE_BY_SIDE_GAP = 3


class PlotCard(ChoosableCard, can_focus=True):
    """One metric/variant (or the Summary): title in the border, content below."""

    HELP_TITLE = "Plot"

    DEFAULT_CSS = """
    PlotCard {
        height: auto;
        border: round $border-blurred;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        margin: 0 0 0 0;
    }
    PlotCard:focus { border: round $border; border-title-style: bold; }
    """

    BINDINGS = [Binding("enter", "choose", "Maximise", tooltip="Show this plot alone, full size (again: back)",
                        id="plot_card.maximise")]

    class Chosen(CardMessage["PlotCard"]):
        """enter on a card: maximise it (or restore it)."""

    class Focused(CardMessage["PlotCard"]):
        """The card got the focus."""

    def __init__(self, key: str, models: list[Model], colors: ModelColors, *, group: PlotGroup | None = None,
                 summary: SummaryChart | None = None, chart_height: int = 14, legend_max: int = LIST_LEGEND_LINES,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.key = key
        self.models = models
        self.model_colors = colors
        self.group = group
        self.summary = summary
        self.chart_height = chart_height
        self.legend_max = legend_max
        self._cache: tuple[tuple[int, int], Text] | None = None
        self.set_title("Summary · single values" if summary is not None else (
            group_title(group) if group is not None else key))
        self._legend_rows = min(legend_max, len(self._legend_items()))
        if self.is_plotext:
            self.styles.height = chart_height + self._legend_rows + 2

    def _legend_items(self) -> list[Any]:
        if self.group is None:
            return []
        return plot_legend(self.group, self.models, self.model_colors)

    def _legend_lines(self, width: int) -> list[Any]:
        if self.group is None:
            return []
        return plot_legend_lines(self.group, self.models, self.model_colors, width, self.legend_max)

    @property
    def is_plotext(self) -> bool:
        g = self.group
        return g is not None and g.chart is not None and g.chart.family in ("xy", "histogram")


    def render(self) -> RenderableType:
        width = max(20, self.content_size.width)
        if self.summary is not None:
            return self._summary(width)
        group = self.group
        if group is None:
            return Text("")
        if self.is_plotext:
            assert group.chart is not None
            lines = self._legend_lines(width)
            height = max(5, self.content_size.height - len(lines)) if self.content_size.height else self.chart_height
            if self._cache is None or self._cache[0] != (width, height):
                ansi = draw_merged_chart(group.chart, self.models, self.model_colors, width, height)
                self._cache = ((width, height), Text.from_ansi(ansi.rstrip("\n"), no_wrap=True))
            return Group(self._cache[1], *lines)
        parts: list[Any] = []
        colors, models = self.model_colors, self.models
        if group.chart is not None and group.chart.family == "bar":
            parts.append(bar_renderable(group.chart, models, colors, True))
        elif group.chart is not None and group.chart.family == "box":
            parts.append(box_renderable(group.chart, models, colors, True))
        elif group.table is not None:
            parts.append(merged_table_renderable(group.table, models, colors))
        else:
            # a maximised plot shows the numbers, one model below the other if need be
            parts.append(panels_renderable(group.panels, colors, width=width,
                                           prefer_numbers=self.has_class("plot-max-card")))
        legend = plot_legend(group, models, colors)
        # bars and boxes are labelled where they are drawn: the legend only names who is missing
        legend = [item for item in legend if not item.present]
        parts.extend(legend_lines(legend, width, MAX_LEGEND_LINES))
        return Group(*parts)

    def _summary(self, width: int) -> RenderableType:
        summary = self.summary
        assert summary is not None
        if not summary.names:
            return Text("No single values" + (f" match {display_text(repr(summary.table.metric_filter))}"
                                               if summary.table.metric_filter else ""), style="dim")
        bars = summary_bars(summary, self.models, self.model_colors)
        if width >= SIDE_BY_SIDE_WIDTH:
            from rich.table import Table

            # the table laid out for what the bars leave it, so that neither is cut
            table = summary_table(summary, self.model_colors, width - SUMMARY_BARS_WIDTH - SIDE_BY_SIDE_GAP)
            grid = Table.grid(padding=(0, SIDE_BY_SIDE_GAP), expand=True)
            grid.add_column(ratio=1, min_width=SUMMARY_BARS_WIDTH)
            grid.add_column(no_wrap=True)
            grid.add_row(bars, table)
            return grid
        return Group(bars, Text(""), summary_table(summary, self.model_colors, width))

    def recolor_models(self) -> None:
        """The model colours changed shade (the theme): draw the chart again."""
        self._cache = None
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._cache = None
        if self.is_plotext and self.content_size.width:
            # as tall as the chart and its legend wrapped at this width
            rows = len(self._legend_lines(self.content_size.width))
            if rows != self._legend_rows:
                self._legend_rows = rows
                self.styles.height = self.chart_height + rows + 2


class PlotList(VerticalScroll, can_focus=False):
    """The Summary and the plots one below the other; ↑/↓ move between them."""

    HELP_TITLE = "Plot list"

    DEFAULT_CSS = """
    PlotList { height: 1fr; scrollbar-gutter: stable; }
    PlotList > .plot-list--empty { color: $text-muted; padding: 1 2; height: auto; }
    """

    BINDINGS = [
        Binding("up,k", "step(-1)", "Previous plot", show=False, id="plot_list.previous"),
        Binding("down,j", "step(1)", "Next plot", show=False, id="plot_list.next"),
        Binding("home,g", "edge(0)", "First plot", show=False, id="plot_list.first"),
        Binding("end,G", "edge(-1)", "Last plot", show=False, id="plot_list.last"),
        # the focus moves a screen, and the scroll follows it (not a scroll the state cannot say)
        Binding("pagedown", "page(1)", "Page down", show=False, id="plot_list.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="plot_list.page_up"),
    ]

    @property
    def cards(self) -> list[PlotCard]:
        return list(self.query_children(PlotCard))

    _follow: PlotCard | None = None  # the card the scroll follows (focus_index)

    def focus_index(self, index: int) -> None:
        cards = self.cards
        if not cards:
            return
        card = cards[max(0, min(index, len(cards) - 1))]
        card.focus(scroll_visible=False)
        self._follow = card
        self._follow_focus()
        # before the list's first layout (a state opened with a plot below the first
        # screen) the cards have no place yet: again once they have one
        self.call_after_refresh(self._follow_focus)

    def _follow_focus(self) -> None:
        """Scroll to where the focused plot says, whatever the way there (the
        state holds the plot, not the scroll): the top of the list while the
        card shows whole there, else the card at the top (the last screen full)."""
        card = self._follow
        if card is None or not card.is_attached or card.parent is not self:
            return
        top = card.virtual_region.y
        bottom = top + card.outer_size.height
        y = 0 if bottom <= self.scrollable_content_region.height else top
        self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def _scroll_update(self, virtual_size: Size) -> None:
        super()._scroll_update(virtual_size)
        # laid out (again): a card drawn at its height moves the cards below, and a
        # resize event comes only when the list's own region changes
        self.call_after_refresh(self._follow_focus)

    def _focused_index(self) -> int:
        focused = self.screen.focused
        cards = self.cards
        return cards.index(focused) if isinstance(focused, PlotCard) and focused in cards else -1

    def action_step(self, delta: int) -> None:
        index = self._focused_index()
        self.focus_index(0 if index < 0 else index + delta)

    def action_edge(self, where: int) -> None:
        self.focus_index(len(self.cards) - 1 if where < 0 else 0)

    def action_page(self, direction: int) -> None:
        """The focus to the first plot a screen below (above) the focused one's
        top, or to the last (first) plot."""
        cards = self.cards
        if not cards:
            return
        index = max(0, self._focused_index())
        height = max(1, self.scrollable_content_region.height)
        top = cards[index].virtual_region.y
        if direction > 0:
            target = next((i for i in range(index + 1, len(cards)) if cards[i].virtual_region.y >= top + height),
                          len(cards) - 1)
        else:
            target = next((i for i in range(index - 1, -1, -1) if cards[i].virtual_region.y <= top - height), 0)
        self.focus_index(target)


