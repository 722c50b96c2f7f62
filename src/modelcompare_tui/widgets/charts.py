"""Chart widgets: the Graph view's chart cards and their scrolling grid.

A ChartCard draws one ScalarChart at its own size with render/raster.py and render/chart_series.py
(plotext lays out the axes, in a figure of its own; the lines are rasterised
with numpy). Drawing takes milliseconds, yet the lines are cached per size and
the body's loader makes them, as strips, in its thread worker before handing
the chart over (`prepared`): the UI thread only copies lines to the screen,
and draws a chart only when its card is resized.

The ChartGrid lays the cards out in as many columns as the width allows and
a row height that fits whole charts on the screen; it mounts the cards as
the view reaches them, moves the focus with the arrow keys and says which
cards are in view, so that the body loads those first (a view of a hundred
charts costs the few that are seen).
"""
from __future__ import annotations

import io
import threading
from functools import lru_cache
from typing import Any, ClassVar

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from ..core.display import display_text
from ..render.chart_series import legend_lines, own_legend, scalar_chart_rows
from ..render.raster import ChartRows, ScalarChart
from .messages import CardMessage, ControlMessage
from .safe_text import shown

MIN_CARD_WIDTH = 40  # columns of a card in the grid, at least
MAX_GRID_COLUMNS = 4
MIN_CARD_HEIGHT = 15  # lines of a card in the grid, at least
# a card without a legend of its own (the model bar names the models of every chart)
MIN_SHARED_LEGEND_CARD_HEIGHT = 12
GRID_LEGEND_LINES = 3  # at most; a short card (height // 4) keeps fewer
MAX_LEGEND_LINES = 8
INITIAL_CARDS = 24  # cards mounted at once; more as the view scrolls
MOUNT_BATCH = 12


_consoles = threading.local()


def _console() -> Console:
    """A console of this thread's own, to turn rich Text into segments in a worker."""
    console = getattr(_consoles, "console", None)
    if console is None:
        console = _consoles.console = Console(width=10_000, force_terminal=True, color_system="truecolor",
                                              file=io.StringIO(), legacy_windows=False, highlight=False)
    return console


def text_strip(text: Text, width: int | None = None) -> Strip:
    """One line of rich Text as a strip (centred in `width` when it says so)."""
    if width is not None and text.justify == "center" and text.cell_len < width:
        text = Text(" " * ((width - text.cell_len) // 2)) + text
    return Strip(list(text.render(_console(), end="")))


@lru_cache(maxsize=256)
def _color_style(color: str | None) -> Style | None:
    return Style(color=color) if color else None


def chart_strips(rows: ChartRows) -> list[Strip]:
    """A drawn chart's lines as strips, straight from its colored spans."""
    return [Strip([Segment(text, _color_style(color)) for text, color in row]) for row in rows.rows]


class ChoosableCard(Widget, can_focus=True):
    """A card of a list or grid (a chart, a plot): it says when it gets the
    focus (Focused), and enter or a double click chooses it (Chosen: maximise
    it, or restore it). Subclasses define the two messages."""

    Chosen: ClassVar[type[CardMessage[Any]]]
    Focused: ClassVar[type[CardMessage[Any]]]

    def set_title(self, title: str) -> None:
        """The border title: a metric/variant name, which is data. A str border
        title is parsed as markup (`a[/]b` raises MarkupError): a Content is not."""
        self.border_title = shown(title)

    def on_focus(self) -> None:
        self.post_message(self.Focused(self))

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self))

    def on_click(self, event: events.Click) -> None:
        if event.chain >= 2:
            self.action_choose()


class ChartCard(ChoosableCard, can_focus=True):
    """One chart of the Graph view: title in the border, plot, legend."""

    HELP_TITLE = "Chart"

    DEFAULT_CSS = """
    ChartCard {
        height: 1fr;
        border: round $border-blurred;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        padding: 0 0;
    }
    ChartCard:focus {
        border: round $border;
        border-title-style: bold;
    }
    """

    BINDINGS = [
        Binding("enter", "choose", "Maximise", tooltip="Show this chart alone, full size (again: back to the grid)",
                id="chart_card.maximise"),
    ]

    class Chosen(CardMessage["ChartCard"]):
        """enter on a card: maximise it (or restore it)."""

    class Focused(CardMessage["ChartCard"]):
        """The card got the focus."""

    def __init__(self, key: str, title: str, *, index: int = 0, legend_max_lines: int = GRID_LEGEND_LINES,
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.key = key
        self.index = index
        self.chart: ScalarChart | None = None
        self.legend_max_lines = legend_max_lines
        # True: the models are named once for all charts (the model bar's chips), so
        # the card lists only what differs from them: the models without this series
        self.legend_shared = False
        self.message_text = "loading…"
        self.set_title(title)
        self._cache: tuple[tuple[int, int, int], list[Strip]] | None = None  # lines for (w, h, chart)
        self._styled: list[Strip] | None = None  # _cache's lines as shown
        self._blank = Strip.blank(0)

    # -- data ---------------------------------------------------------------------------
    def plot_size(self, width: int, height: int, chart: ScalarChart | None = None) -> tuple[int, int, list[Text]]:
        """The plot's size inside a content area of width×height, and the legend lines."""
        chart = chart if chart is not None else self.chart
        items = () if chart is None else own_legend(chart, color=True) if self.legend_shared else chart.legend
        lines = legend_lines(items, width, min(self.legend_max_lines, max(1, height // 4))) if items else []
        return width, max(3, height - len(lines)), lines

    def prepare(self, chart: ScalarChart, width: int, height: int) -> tuple[tuple[int, int], list[Strip]]:
        """The card's lines for `chart` in a content area of width×height: plot and
        legend as strips. Thread-safe (no console, no DOM): the body's loader calls
        it in its worker, so that the UI thread only copies lines to the screen."""
        plot_w, plot_h, legend = self.plot_size(width, height, chart)
        return (width, height), [*chart_strips(scalar_chart_rows(chart, plot_w, plot_h)),
                                 *(text_strip(line) for line in legend)]

    def set_chart(self, chart: ScalarChart | None,
                  prepared: tuple[tuple[int, int], list[Strip]] | None = None) -> None:
        """Show `chart`; `prepared`: its lines already made (prepare) for a content size."""
        self.chart = chart
        self._cache = None
        self._styled = None
        if chart is not None and prepared is not None:
            (w, h), lines = prepared
            self._cache = ((w, h, id(chart)), lines)
        subtitle = self._subtitle()
        if subtitle != self.border_subtitle:
            self.border_subtitle = subtitle
        self.refresh()

    def set_legend_shared(self, shared: bool) -> None:
        """Name every model in the legend (False) or only those without this
        series (True: the others are named once for all charts)."""
        if shared != self.legend_shared:
            self.legend_shared = shared
            self._cache = None
            self._styled = None
            self.refresh()

    def set_message(self, text: str) -> None:
        self.chart = None
        self._cache = None
        self._styled = None
        self.message_text = text
        self.border_subtitle = ""
        self.refresh()

    def _subtitle(self) -> str:
        chart = self.chart
        if chart is None or not chart.total_points:
            return ""
        return f"{chart.total_points:,} points"

    # -- drawing ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        """The line API: prepared strips, cropped to the card (no rich rendering
        on the UI thread; a resize draws the chart again at the new size)."""
        width, height = self.content_size
        chart = self.chart
        key = (width, height, id(chart))
        if self._cache is None or self._cache[0] != key:
            if chart is None:
                lines = [text_strip(Text(display_text(self.message_text), style="dim", justify="center"), width)]
            else:
                lines = self.prepare(chart, width, height)[1]
            self._cache = (key, lines)
            self._styled = None
        if self._styled is None:
            # cropped and on the card's background once, not on every line's repaint
            # (rich_style walks the DOM: it alone cost more than the copying)
            base = self.rich_style
            self._styled = [line.crop_extend(0, width, None).apply_style(base) for line in self._cache[1]]
            self._blank = Strip.blank(width, base)
        return self._styled[y] if y < len(self._styled) else self._blank

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styled = None  # the theme or the focus changed the card's colors

    def on_resize(self, event: events.Resize) -> None:
        self.refresh()


class ChartGrid(VerticalScroll, can_focus=False):
    """The cards in a grid sized to the terminal; arrows move between them."""

    HELP_TITLE = "Chart grid"

    DEFAULT_CSS = """
    ChartGrid {
        layout: grid;
        grid-size: 2;
        grid-rows: 14;
        grid-gutter: 0 1;
        height: 1fr;
        scrollbar-gutter: stable;
    }
    ChartGrid > .chart-grid--empty { column-span: 4; height: 3; color: $text-muted; padding: 1 2; }
    """

    BINDINGS = [
        Binding("left", "step(-1, 0)", "Chart left", show=False, id="chart_grid.left"),
        Binding("right", "step(1, 0)", "Chart right", show=False, id="chart_grid.right"),
        Binding("up,k", "step(0, -1)", "Chart up", show=False, id="chart_grid.up"),
        Binding("down,j", "step(0, 1)", "Chart down", show=False, id="chart_grid.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="chart_grid.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="chart_grid.page_down"),
        Binding("home", "edge(0)", "First chart", show=False, id="chart_grid.first"),
        Binding("end", "edge(-1)", "Last chart", show=False, id="chart_grid.last"),
    ]

    class ViewChanged(ControlMessage["ChartGrid"]):
        """Scrolled or resized: other cards may be in view."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = 2
        self.row_height = 14
        self.shared_legend = False  # the cards show no legend of their own: shorter rows fit
        self._column_width = 0
        self._cards: list[ChartCard] = []
        self._mounted = 0
        self._follow: int | None = None  # the card the scroll follows (focus_index)

    @property
    def cards(self) -> list[ChartCard]:
        """The cards, in order (kept as a list: querying the DOM on every
        scroll step costs more than the rest of the step)."""
        return self._cards

    def set_cards(self, cards: list[ChartCard], empty: Widget | None = None) -> None:
        """Replace the cards (or show `empty` when there are none). Only the
        first few are mounted; the rest as the view scrolls towards them
        (ensure_mounted): mounting and laying out a hundred cards would cost
        the first screen more than drawing its charts."""
        self._cards = list(cards)
        self._mounted = 0
        self._follow = None
        self.remove_children()
        if not cards:
            if empty is not None:
                self.mount(empty)
            return
        self.ensure_mounted(INITIAL_CARDS)

    def ensure_mounted(self, count: int) -> None:
        """Mount the cards up to `count` (and a batch more, so that scrolling
        finds them there)."""
        if count <= self._mounted or self._mounted >= len(self._cards):
            return
        stop = min(len(self._cards), max(count, self._mounted) + MOUNT_BATCH)
        self.mount_all(self._cards[self._mounted : stop])
        self._mounted = stop

    def fit_to(self, width: int, height: int) -> bool:
        """Columns and row height for a viewport of width×height; True when they changed."""
        columns = max(1, min(MAX_GRID_COLUMNS, width // MIN_CARD_WIDTH))
        min_height = MIN_SHARED_LEGEND_CARD_HEIGHT if self.shared_legend else MIN_CARD_HEIGHT
        rows = max(1, height // min_height)
        row_height = max(min_height, height // rows)
        # every column exactly as wide (not 1fr, which gives some columns a cell
        # more): a chart drawn in the loader's thread at card_width() then fits
        # its card, and is not drawn again on the UI thread
        column_width = max(1, (width - (columns - 1)) // columns)
        if (columns, row_height, column_width) == (self.columns, self.row_height, self._column_width):
            return False
        self.columns, self.row_height, self._column_width = columns, row_height, column_width
        self.styles.grid_size_columns = columns
        self.styles.grid_columns = str(column_width)
        self.styles.grid_rows = str(row_height)
        return True

    def on_resize(self, event: events.Resize) -> None:
        self.fit_to(self.scrollable_content_region.width, self.scrollable_content_region.height)
        # laid out at last (a grid hidden until `v`, or a state opened with a chart
        # below the first screen), or at another size: the scroll the focused chart says
        self.call_after_refresh(self._follow_focus)
        self.post_message(self.ViewChanged(self))

    def _scroll_update(self, virtual_size: Size) -> None:
        super()._scroll_update(virtual_size)
        # the rows laid out again (fit_to's row height, cards mounted): a scroll made
        # before was clamped to the old height, and a resize event comes only when the
        # grid's own region changes
        self.call_after_refresh(self._follow_focus)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        # near the end of what is mounted: mount the next cards
        self.ensure_mounted(self.visible_range(ahead=1).stop)
        self.post_message(self.ViewChanged(self))

    def visible_range(self, ahead: int = 0, height: int | None = None) -> range:
        """Indexes of the cards in view (plus `ahead` screens below); `height`:
        of a viewport not laid out yet (the grid while hidden), scrolled to the top."""
        top = int(self.scroll_y) if height is None else 0
        height = max(1, self.scrollable_content_region.height if height is None else height)
        first_row = top // self.row_height
        # a row showing no more than its top border and a line is not in view yet
        last_row = max(first_row, (top + height * (1 + ahead) - 3) // self.row_height)
        return range(first_row * self.columns, (last_row + 1) * self.columns)

    def card_width(self, total: int | None = None) -> int:
        """Content width of one card (inside its border), in this viewport or
        one `total` cells wide."""
        total = self.scrollable_content_region.width if total is None else total
        return max(10, (total - (self.columns - 1)) // self.columns - 2)  # fit_to's column width, less the border

    def card_height(self) -> int:
        return max(3, self.row_height - 2)

    def _focused_index(self) -> int:
        focused = self.screen.focused if self.is_mounted else None
        cards = self.cards
        if isinstance(focused, ChartCard) and focused in cards:
            return cards.index(focused)
        return -1

    def top_row_for(self, index: int, height: int) -> int:
        """The first row in view when card `index` has the focus in a viewport
        `height` lines high: the screens are pages of whole rows from the top,
        and the card's page is shown (the last screen stays full). The state
        holds the focused chart, not the scroll: a function of the card alone,
        never of the way there, so that a state opened elsewhere shows the same."""
        rows_in_view = max(1, height // self.row_height)
        total_rows = -(-len(self._cards) // self.columns)
        page_top = index // self.columns // rows_in_view * rows_in_view
        return max(0, min(page_top, total_rows - rows_in_view))

    def focus_index(self, index: int, top: bool = False) -> None:
        """Focus card `index` and show its page (top_row_for, where the body's
        first-screen loader expects it). `top` is kept for the callers: every
        way to a card scrolls the same."""
        cards = self.cards
        if not cards:
            return
        index = max(0, min(index, len(cards) - 1))
        card = cards[index]
        height = self.scrollable_content_region.height
        row = self.top_row_for(index, height)
        needed = min(len(cards), max(index + 1, (row + height // self.row_height + 1) * self.columns))
        self._follow = index
        if needed > self._mounted:
            self.ensure_mounted(needed)
            self.call_after_refresh(self.focus_index, index, top)
            return
        card.focus(scroll_visible=False)
        self._follow_focus()

    def _follow_focus(self) -> None:
        """Scroll to the followed card's page (top_row_for)."""
        index = self._follow
        height = self.scrollable_content_region.height
        if index is None or not self.is_mounted or height <= 0 or index >= len(self._cards):
            return  # not laid out yet: on_resize comes back here
        row = self.top_row_for(index, height)
        self.scroll_to(y=row * self.row_height, animate=False, immediate=True, force=True)

    def action_step(self, dx: int, dy: int) -> None:
        index = self._focused_index()
        if index < 0:
            self.focus_index(0)
            return
        target = index + dx + dy * self.columns
        if 0 <= target < len(self.cards):
            self.focus_index(target)

    def action_page(self, direction: int) -> None:
        rows = max(1, self.scrollable_content_region.height // self.row_height)
        index = max(0, self._focused_index())
        # a whole screen: the card a screen away, its row brought to the top (a minimal
        # scroll would move the view by one row, the new card just inside its edge)
        self.focus_index(index + direction * rows * self.columns, top=True)

    def action_edge(self, where: int) -> None:
        self.focus_index(len(self.cards) - 1 if where < 0 else 0)

