"""The Plots tab as plain data: each model's last plot per metric/variant,
merged across models where the kind allows (PRODUCT §2).

- line and scatter -> one x/y chart; bar -> one bar chart over the union of
  categories; box -> one chart of per-series box statistics; histogram -> one
  chart of counts over shared bin edges. Series are named "model · series"
  (plus " (iteration N)" when the models' plots come from different
  iterations) and carry their model's index in comparison order, for its color.
- table -> one table with a leading model column over the union of columns.
- heatmap, confusion_matrix, text -> panels side by side, one per model.

Mixed kinds under one metric/variant (one model reports a bar chart where
another reports a line chart) are grouped by kind family, one PlotGroup per
family in order of first appearance: line and scatter share the "xy" family
(each series keeps its own kind, so a scatter model's points stay points);
bar, box, histogram and table are families of their own; heatmap,
confusion_matrix and text share the "panels" family. A model whose plot went
into another group is listed in `other_kinds`, one that has no plot under the
metric/variant at all in `missing`; the legend says which.

Plot data is read tolerantly (it was validated on import): numbers may be
numbers or the strings "nan"/"inf"/"-inf"; anything else becomes NaN, and an
integer beyond float range becomes +-inf. Every statistic here works over the
full float range: box quartiles and histogram edges are interpolated so that
values near +-1.8e308 never overflow into inf or NaN.

groups.py holds what the tab shows (PlotGroup and its charts, tables and
panels), merge.py how the models' plots become it, sample_stats.py the box
and histogram statistics, reading.py the tolerant readers of plot data, and
summary.py the Summary of single values.
"""

from __future__ import annotations

from .groups import (
    ChartSeries,
    LegendEntry,
    MergedChart,
    MergedTable,
    PlotGroup,
    PlotPanel,
    kind_family,
)
from .merge import merge_plots
from .sample_stats import BoxStats, box_stats, histogram_edges
from .summary import SummaryChart, summary_chart

# public names outside __all__, importable here as before the split
from .merge import MODEL_COLUMN as MODEL_COLUMN, SERIES_SEPARATOR as SERIES_SEPARATOR
from .sample_stats import DEFAULT_HISTOGRAM_BINS as DEFAULT_HISTOGRAM_BINS

__all__ = [
    "BoxStats",
    "ChartSeries",
    "LegendEntry",
    "MergedChart",
    "MergedTable",
    "PlotGroup",
    "PlotPanel",
    "SummaryChart",
    "box_stats",
    "histogram_edges",
    "kind_family",
    "merge_plots",
    "summary_chart",
]
