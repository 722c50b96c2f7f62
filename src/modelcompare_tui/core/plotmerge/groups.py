"""What the Plots tab shows, as plain data: a PlotGroup per metric/variant
and kind family, holding a merged chart, a merged table or panels side by
side; and the kind families themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Plot
from .sample_stats import BoxStats

_FAMILIES = {
    "line": "xy",
    "scatter": "xy",
    "bar": "bar",
    "box": "box",
    "histogram": "histogram",
    "table": "table",
    "heatmap": "panels",
    "confusion_matrix": "panels",
    "text": "panels",
}


def kind_family(kind: str) -> str:
    """The group a plot kind merges into (see the module doc); unknown kinds are
    shown as panels."""
    return _FAMILIES.get(kind, "panels")


@dataclass(frozen=True)
class ChartSeries:
    """One series of a merged chart. What x and y hold depends on the chart:

    - xy: x and y coordinates (x as category positions when the chart has
      `x_categories`); `kind` is line or scatter.
    - bar: y = one value per chart category (NaN where this series lacks it).
    - box: y = the finite samples; `box` their statistics.
    - histogram: y = counts per bin of the chart's `bin_edges`; `samples` the
      finite samples (NaN samples are not counted)."""

    name: str  # "model · series" (+ " (iteration N)")
    model_index: int  # comparison order: the model's color and legend position
    model_id: str
    series_name: str  # the series' own name in the plot
    iteration: int
    kind: str
    x: np.ndarray
    y: np.ndarray
    box: BoxStats | None = None
    samples: np.ndarray | None = None


@dataclass(frozen=True)
class MergedChart:
    family: str  # xy | bar | box | histogram
    series: tuple[ChartSeries, ...]
    x_label: str = ""
    y_label: str = ""
    categories: tuple[str, ...] = ()  # bar: category order (union, first seen)
    x_categories: tuple[str, ...] = ()  # xy with text x values: the positions' labels
    bin_edges: np.ndarray | None = None  # histogram


@dataclass(frozen=True)
class MergedTable:
    columns: tuple[str, ...]  # "model" first, then the union of columns in first-seen order
    rows: tuple[tuple[str, ...], ...]  # cells as text; "" where a model's table lacks the column
    row_models: tuple[int, ...]  # model index of each row (its color)


@dataclass(frozen=True)
class PlotPanel:
    """One model's plot shown as it is (heatmap, confusion_matrix, text)."""

    model_index: int
    model_id: str
    label: str
    iteration: int
    kind: str
    plot: Plot
    matrix: np.ndarray | None = None  # heatmap / confusion_matrix, rows x columns
    x_labels: tuple[str, ...] = ()
    y_labels: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class LegendEntry:
    text: str
    model_index: int
    present: bool  # False: the model has no such plot (or has it in another group)


@dataclass(frozen=True)
class PlotGroup:
    """Everything shown for one metric/variant (and kind family)."""

    metric: str
    variant: str
    family: str  # xy | bar | box | histogram | table | panels
    kinds: tuple[str, ...]  # the plot kinds present, in first-seen order
    present: tuple[int, ...]  # model indexes with a plot in this group
    iterations: tuple[tuple[int, int], ...]  # (model index, iteration) per present model
    missing: tuple[int, ...]  # models with no plot under this metric/variant
    other_kinds: tuple[tuple[int, str], ...]  # (model index, kind) shown in another group
    labels: tuple[str, ...]  # model_labels of all compared models
    chart: MergedChart | None = None
    table: MergedTable | None = None
    panels: tuple[PlotPanel, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.metric}/{self.variant}"

    @property
    def iterations_differ(self) -> bool:
        return len({it for _, it in self.iterations}) > 1

    def legend(self) -> list[LegendEntry]:
        """One entry per chart series, then one per model lacking this plot."""
        entries: list[LegendEntry] = []
        if self.chart is not None:
            entries.extend(LegendEntry(s.name, s.model_index, True) for s in self.chart.series)
        else:
            entries.extend(LegendEntry(self.labels[i], i, True) for i in self.present)
        other = dict(self.other_kinds)
        for i in sorted(set(self.missing) | set(other)):
            why = f"shown as {other[i]}" if i in other else "no plot"
            entries.append(LegendEntry(f"{self.labels[i]}: {why}", i, False))
        return entries
