"""Plots tab export: JSON and Markdown of the merged plots, and `render_plots`
(the headless Plots view). Never Textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.colors import ModelColors
from ..core.display import display_text
from ..core.model import Model
from ..core.plotmerge import (
    PlotGroup,
    SummaryChart,
    merge_plots,
    summary_chart,
)
from ..core.scalars import format_number, json_number
from ..core.state import ComparisonState
from .escaping import json_dumps, md_code_block, md_text
from .value_text import value_table_to_markdown

if TYPE_CHECKING:

    from ..sources.base import Source

from .chart_series import to_plain
from .plots import (
    group_title,
    plot_group_renderable,
    summary_bars,
    summary_renderable,
)
from .raster import DEFAULT_CHART_HEIGHT, SINGLE_CHART_HEIGHT

__all__ = [
    "plots_to_json",
    "render_plots",
]

# -- Plots headless ---------------------------------------------------------------------


def _array(values: np.ndarray | None) -> list[Any]:
    if values is None:
        return []
    return [json_number(float(v)) for v in np.asarray(values, dtype=np.float64).ravel()]


def plots_to_json(groups: Sequence[PlotGroup], summary: SummaryChart, models: Sequence[Model],
                  iteration: int | None) -> dict[str, Any]:
    """The Plots tab's data: the Summary and each merged group (valid JSON:
    non-finite numbers as the strings "nan", "inf", "-inf")."""
    out_groups = []
    for g in groups:
        entry: dict[str, Any] = {
            "metric": g.metric,
            "variant": g.variant,
            "family": g.family,
            "kinds": list(g.kinds),
            "iterations": {models[i].id: it for i, it in g.iterations},
            "missing": [models[i].id for i in g.missing],
            "other_kinds": {models[i].id: k for i, k in g.other_kinds},
            "legend": [{"text": e.text, "model": models[e.model_index].id, "present": e.present} for e in g.legend()],
        }
        if g.chart is not None:
            c = g.chart
            chart: dict[str, Any] = {"family": c.family, "x_label": c.x_label, "y_label": c.y_label, "series": []}
            if c.categories:
                chart["categories"] = list(c.categories)
            if c.x_categories:
                chart["x_categories"] = list(c.x_categories)
            if c.bin_edges is not None:
                chart["bin_edges"] = _array(c.bin_edges)
            for s in c.series:
                item: dict[str, Any] = {"name": s.name, "model": s.model_id, "series": s.series_name,
                                        "iteration": s.iteration, "kind": s.kind}
                if c.family == "box":
                    b = s.box
                    item["box"] = None if b is None else {
                        "count": b.count, "q1": b.q1, "median": b.median, "q3": b.q3,
                        "whisker_low": b.whisker_low, "whisker_high": b.whisker_high,
                        "outliers": list(b.outliers), "mean": b.mean}
                elif c.family == "histogram":
                    item["counts"] = _array(s.y)
                else:
                    item["x"] = _array(s.x)
                    item["y"] = _array(s.y)
                chart["series"].append(item)
            entry["chart"] = chart
        if g.table is not None:
            entry["table"] = {"columns": list(g.table.columns), "rows": [list(r) for r in g.table.rows],
                              "models": [models[i].id for i in g.table.row_models]}
        if g.panels:
            entry["panels"] = [
                {"model": p.model_id, "label": p.label, "iteration": p.iteration, "kind": p.kind,
                 **({"matrix": [_array(r) for r in p.matrix], "x_labels": list(p.x_labels),
                     "y_labels": list(p.y_labels)} if p.matrix is not None else {"text": p.text})}
                for p in g.panels
            ]
        out_groups.append(entry)
    return {
        "tab": "plots",
        "iteration": iteration,
        "models": [{"id": m.id, "name": m.name} for m in models],
        "summary": {
            "names": list(summary.names),
            "values": [[json_number(v) for v in row] for row in summary.values],
        },
        "groups": out_groups,
    }


def _md_block(text: str) -> str:
    return md_code_block(text)


def _md_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    esc = md_text
    lines = ["| " + " | ".join(esc(c) for c in columns) + " |", "|" + "|".join(" --- " for _ in columns) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _plots_markdown(groups: Sequence[PlotGroup], summary: SummaryChart | None, models: Sequence[Model],
                    colors: ModelColors, width: int) -> str:
    parts: list[str] = []
    if summary is not None:
        parts.append("### Summary\n")
        if summary.names:
            parts.append(_md_block(to_plain(summary_bars(summary, models, colors, color=False), width)))
            parts.append(value_table_to_markdown(summary.table, extremes=True))
        else:
            parts.append("(no single values)\n")
    for g in groups:
        parts.append(f"\n### {md_text(group_title(g))}\n")
        if g.table is not None:
            parts.append(_md_table(g.table.columns, g.table.rows))
        elif g.panels:
            for p in g.panels:
                parts.append(f"\n**{md_text(p.label)}** · iteration {p.iteration}\n\n")
                if p.matrix is not None:
                    rows = [[p.y_labels[r], *(format_number(float(v), 4) for v in p.matrix[r])]
                            for r in range(p.matrix.shape[0])]
                    parts.append(_md_table(["", *p.x_labels], rows))
                else:
                    parts.append(_md_block(p.text))
        else:
            parts.append(_md_block(to_plain(plot_group_renderable(g, models, colors, color=False), width)))
        missing = [e.text for e in g.legend() if not e.present]
        if missing and g.chart is None:
            parts.append("\n" + "; ".join(md_text(m) for m in missing) + "\n")
    return "".join(parts) if parts else "(no plots)\n"


def render_plots(
    source: Source,
    state: ComparisonState,
    models: list[Model],
    *,
    fmt: str,
    width: int,
    plot: str | None,
    dark: bool = True,
) -> Any:
    """The Plots tab headless (`dark`: the theme whose model colours to use). fmt: text (plain), ansi/svg/html (a rich
    renderable for render.py to export), json (the merged data), md. With
    `plot` ("metric/variant") only that metric/variant, without the Summary."""
    from rich.console import Group
    from rich.text import Text

    from .views import RenderError

    if fmt == "csv":
        raise RenderError("render: --format csv is the scalar table: use --tab scalars")
    view = state.plots
    ids = [m.id for m in models]
    plots = source.plots(ids, view.iteration)
    groups = merge_plots(models, plots, metric_filter=view.metric_filter)
    summary: SummaryChart | None = None
    if plot:
        groups = [g for g in groups if g.key == plot]
        if not groups:
            known = sorted({f"{g.metric}/{g.variant}" for g in merge_plots(models, plots)})
            listed = ", ".join(display_text(k) for k in known[:8]) + (", …" if len(known) > 8 else "")
            raise RenderError(f"render: no plot {plot!r} (plots: {listed or 'none'})")
    else:
        summary = summary_chart(models, source.single_values(ids), metric_filter=view.metric_filter)
    if fmt == "json":
        data = plots_to_json(groups, summary if summary is not None else summary_chart(models, {}), models,
                             view.iteration)
        if summary is None:
            data.pop("summary")
        return json_dumps(data, allow_nan=False) + "\n"
    colors = ModelColors(ids, dark=dark)
    if fmt == "md":
        return _plots_markdown(groups, summary, models, colors, width)
    color = fmt != "text"
    where = "last reported" if view.iteration is None else f"at iteration ≤ {view.iteration}"
    parts: list[Any] = [Text(f"Plots · {where}" + (f" · filter {view.metric_filter!r}" if view.metric_filter else ""),
                             style="dim" if color else "")]
    if summary is not None:
        parts += [Text(""), summary_renderable(summary, models, colors, color=color)]
    for g in groups:
        parts += [Text(""), plot_group_renderable(g, models, colors, color=color,
                                                  height=SINGLE_CHART_HEIGHT if plot else DEFAULT_CHART_HEIGHT)]
    if not groups and not plot:
        parts += [Text(""), Text("(no plots" + (f" matching {view.metric_filter!r})" if view.metric_filter else ")"))]
    result = Group(*parts)
    return result if color else to_plain(result, width)
