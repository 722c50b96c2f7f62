"""The Summary of the Plots tab: the single-value scalars of the compared
models, as a bar chart and as a Values-style table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..labels import model_labels
from ..model import Model
from ..scalars import ValueTable, build_row, matches_text


@dataclass(frozen=True)
class SummaryChart:
    """All single-value scalars: a cluster per name (sorted), a bar per model
    (comparison order; None where a model lacks the name). `table` is the same
    as a Values-style table (metric = the name, variant = "", agg "value"), so
    the table renderers and CSV export of core.scalars apply."""

    names: tuple[str, ...]
    labels: tuple[str, ...]
    model_ids: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]  # per name, one per model
    table: ValueTable


def summary_chart(
    models: Sequence[Model],
    single_values: Mapping[str, Mapping[str, float]],
    metric_filter: str = "",
) -> SummaryChart:
    """The Summary from Source.single_values; the metric filter applies to the
    names."""
    names = sorted({n for m in models for n in single_values.get(m.id, {}) if matches_text(n, metric_filter)})
    labels = tuple(model_labels(models))
    values: list[tuple[float | None, ...]] = []
    rows = []
    for name in names:
        row_values = []
        for m in models:
            mv = single_values.get(m.id, {})
            row_values.append(float(mv[name]) if name in mv and mv[name] is not None else None)
        values.append(tuple(row_values))
        rows.append(build_row(name, "", row_values))
    table = ValueTable(
        agg="value",
        models=tuple(models),
        labels=labels,
        rows=tuple(rows),
        metric_filter=metric_filter,
        total_rows=len(names),
    )
    return SummaryChart(tuple(names), labels, tuple(m.id for m in models), tuple(values), table)
