"""Bars and box plots drawn as rich text: horizontal bars with their values
written next to them read better in a terminal than vertical ones. The Plots
tab's bar and box panels and the Summary use them. Never Textual."""


from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any


from ..core.labels import fit_labels
from ..core.display import display_text
from ..core.scalars import format_number

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult


from .raster import (
    MISSING_STYLE,
    clip_cells,
)
from .ticks import axis_fraction, tick_text, widen_range


# -- bars and boxes (rich) --------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    color: str
    marker: str = "█"


@dataclass(frozen=True)
class BarCluster:
    name: str
    bars: tuple[Bar, ...]


_EIGHTHS = " ▏▎▍▌▋▊▉"
MIN_TABLE_BAR = 6  # cells a bar needs in the table form of clustered bars
MAX_TABLE_COLUMN = 40  # and a column at most: a bar's value stays near its bar


def _bar_cells(fraction: float, width: int) -> str:
    """A bar of `fraction` (0..1) of `width` cells, to an eighth of a cell."""
    eighths = int(round(max(0.0, min(1.0, fraction)) * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def _fitted(labels: dict[Any, str], width: int) -> dict[Any, str]:
    """Labels (models' names: each distinct one once) cut together to `width` cells."""
    distinct = list(dict.fromkeys(labels.values()))
    cut = dict(zip(distinct, fit_labels(distinct, width)))
    return {key: cut[label] for key, label in labels.items()}


class BarClusters:
    """Horizontal clustered bars: a cluster per name, a bar per model, each
    value written after its bar. Bars of a cluster share a scale from 0 to
    the cluster's largest magnitude (clusters hold different metrics, whose
    ranges have nothing in common); a negative value's bar is drawn in the
    dimmed style and its value keeps its sign."""

    def __init__(self, clusters: Sequence[BarCluster], *, color: bool = True, shared_scale: bool = False,
                 as_table: bool = False) -> None:
        self.clusters = list(clusters)
        self.color = color
        self.shared_scale = shared_scale
        # a row per cluster and a column per bar (a short bar and its value) where the
        # width allows: 29 classes of 4 models in 30 rows rather than 145
        self.as_table = as_table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)

    def lines(self, width: int) -> list[Any]:
        from rich.text import Text

        out: list[Any] = []
        if not self.clusters:
            return out
        if self.as_table and (table := self._table_lines(width)) is not None:
            return table
        names = [display_text(c.name) for c in self.clusters]
        bar_labels = {id(b): display_text(b.label) for c in self.clusters for b in c.bars}
        name_w = min(max(8, width // 4), max(len(name) for name in names))
        label_w = min(max(12, width // 3), max((len(label) for label in bar_labels.values()), default=0))
        bar_labels = _fitted(bar_labels, label_w)
        values = {id(b): format_number(b.value, 4, "–") for c in self.clusters for b in c.bars}
        value_w = max((len(v) for v in values.values()), default=1)
        bar_w = max(4, width - name_w - label_w - value_w - 5)
        shared = max((abs(b.value) for c in self.clusters for b in c.bars
                      if b.value is not None and math.isfinite(b.value)), default=0.0)
        for ci, cluster in enumerate(self.clusters):
            if ci and len(cluster.bars) > 1:
                out.append(Text(""))
            top = shared if self.shared_scale else max(
                (abs(b.value) for b in cluster.bars if b.value is not None and math.isfinite(b.value)), default=0.0)
            for bi, bar in enumerate(cluster.bars):
                line = Text(no_wrap=True, overflow="ellipsis")
                name = clip_cells(names[ci], name_w) if bi == 0 else ""
                line.append(name.ljust(name_w) + " ", style="bold" if self.color and bi == 0 else "")
                line.append(bar_labels[id(bar)].ljust(label_w) + " ",
                            style=bar.color if self.color else "")
                v = bar.value
                if v is None or not math.isfinite(v) or top == 0:
                    cells = ""
                else:
                    cells = _bar_cells(abs(v) / top, bar_w)
                    if not self.color and bar.marker != "█":
                        cells = bar.marker * len(cells)
                style = (bar.color if v is None or v >= 0 else f"{bar.color} dim") if self.color else ""
                line.append(cells, style=style)
                line.append(" " + values[id(bar)], style="" if v is not None else MISSING_STYLE)
                out.append(line)
        return out


    def _table_lines(self, width: int) -> list[Any] | None:
        """The clusters as a table (a column per bar), or None when the columns'
        bars would be shorter than MIN_TABLE_BAR cells or clusters differ in bars."""
        from rich.text import Text

        first = self.clusters[0].bars
        if any(len(c.bars) != len(first) for c in self.clusters) or len(first) < 2:
            return None
        names = [display_text(c.name) for c in self.clusters]
        values = [[format_number(b.value, 4, "–") for b in c.bars] for c in self.clusters]
        n = len(first)
        value_w = [max(len(row[k]) for row in values) for k in range(n)]
        name_w = min(max(8, width // 5), max(len(name) for name in names))
        column_w = min(MAX_TABLE_COLUMN, (width - name_w) // n - 2)
        bar_w = column_w - max(value_w) - 1
        if bar_w < MIN_TABLE_BAR:
            return None
        labels = fit_labels([display_text(b.label) for b in first], column_w)
        top = max((abs(b.value) for c in self.clusters for b in c.bars
                   if b.value is not None and math.isfinite(b.value)), default=0.0)
        header = Text(" " * name_w, no_wrap=True, overflow="ellipsis")
        for bar, label in zip(first, labels):
            header.append("  " + label.rjust(column_w), style=f"bold {bar.color}" if self.color else "bold")
        out: list[Any] = [header]
        for name, cluster, texts in zip(names, self.clusters, values):
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(clip_cells(name, name_w).ljust(name_w), style="bold" if self.color else "")
            for k, bar in enumerate(cluster.bars):
                v = bar.value
                cells = "" if v is None or not math.isfinite(v) or top == 0 else _bar_cells(abs(v) / top, bar_w)
                if not self.color and bar.marker != "█":
                    cells = bar.marker * len(cells)
                line.append("  ")
                line.append(cells.ljust(bar_w), style=(bar.color if v is None or v >= 0 else f"{bar.color} dim")
                            if self.color else "")
                line.append(" " + texts[k].rjust(column_w - bar_w - 1),
                            style="" if v is not None else MISSING_STYLE)
            out.append(line)
        return out


class BoxPlot:
    """Horizontal box plots on one shared axis: a row per series
    `├────[███│███]────┤ ∘ ∘` (whiskers, box from Q1 to Q3, median │,
    outliers ∘), then the axis' range."""

    def __init__(self, rows: Sequence[tuple[str, str, Any]], *, color: bool = True,
                 parts: Sequence[str] | None = None) -> None:
        self.rows = list(rows)  # (label, color, BoxStats | None): label, the model's
        # `parts`: each row's series within its model ("batch 8"); the model's label is
        # then written once, on its first row, and the parts beside it
        self.parts = list(parts) if parts is not None else None
        self.color = color

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.lines(options.max_width)

    def lines(self, width: int) -> list[Any]:
        from rich.text import Text

        stats = [s for _, _, s in self.rows if s is not None]
        if not stats:
            return [Text("(no finite samples)", style=MISSING_STYLE)]
        lo = min(min(s.whisker_low, *s.outliers) if s.outliers else s.whisker_low for s in stats)
        hi = max(max(s.whisker_high, *s.outliers) if s.outliers else s.whisker_high for s in stats)
        lo, hi = widen_range(lo, hi, 0.5)
        label_w = min(max(12, width // 3), max(len(display_text(label)) for label, _, _ in self.rows))
        parts = [display_text(part) for part in self.parts] if self.parts is not None else None
        part_w = min(max(8, width // 5), max(len(part) for part in parts)) if parts and any(parts) else 0
        if part_w:
            label_w = min(max(8, width // 5), max(len(display_text(label)) for label, _, _ in self.rows))
        fitted = _fitted({i: display_text(label) for i, (label, _, _) in enumerate(self.rows)}, label_w)
        if parts is not None and part_w:
            # the model's label once, on its first row: its series read as a group
            fitted = {i: (text if i == 0 or self.rows[i - 1][0] != self.rows[i][0] else "").ljust(label_w) + " "
                      + clip_cells(parts[i], part_w).ljust(part_w) for i, text in fitted.items()}
            label_w += 1 + part_w
        plot_w = max(10, width - label_w - 2)

        def col(v: float) -> int:
            return min(plot_w - 1, max(0, int(round(axis_fraction(v, lo, hi) * (plot_w - 1)))))

        out: list[Any] = []
        for i, (_label, color, s) in enumerate(self.rows):
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append(fitted[i].ljust(label_w) + "  ",
                        style=color if self.color else "")
            cells = [" "] * plot_w
            if s is None:
                line.append("(no finite samples)", style=MISSING_STYLE)
                out.append(line)
                continue
            a, q1, med, q3, b = col(s.whisker_low), col(s.q1), col(s.median), col(s.q3), col(s.whisker_high)
            for c in range(a, b + 1):
                cells[c] = "─"
            for c in range(q1, q3 + 1):
                cells[c] = "█" if self.color else "="
            cells[a] = "├"
            cells[b] = "┤"
            cells[med] = "│" if q1 < med < q3 or q1 == q3 else cells[med]
            if self.color and q1 < med < q3:
                cells[med] = "┃"
            for o in s.outliers:
                cells[col(o)] = "∘"
            line.append("".join(cells).rstrip(), style=color if self.color else "")
            out.append(line)
        axis = Text(" " * (label_w + 2), no_wrap=True)
        left, right = tick_text(lo), tick_text(hi)
        middle = tick_text(lo / 2 + hi / 2)
        gap = plot_w - len(left) - len(right)
        if gap > len(middle) + 2:
            pad = (gap - len(middle)) // 2
            axis.append(left + " " * pad + middle + " " * (gap - pad - len(middle)) + right, style=MISSING_STYLE)
        else:
            axis.append(left + " " * max(1, gap) + right, style=MISSING_STYLE)
        out.append(axis)
        return out
