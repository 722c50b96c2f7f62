"""Plot merging rules per kind, legends, tables, panels and the Summary."""

from __future__ import annotations

import math

import numpy as np

from modelcompare_tui.core.model import MERGEABLE_PLOT_KINDS, PLOT_KINDS, Model, Plot
from modelcompare_tui.core.plotmerge import (
    box_stats,
    histogram_edges,
    kind_family,
    merge_plots,
    summary_chart,
)
from modelcompare_tui.render.value_text import value_table_to_csv

A, B, C = (Model(id=c * 16, name=n) for c, n in (("a", "base"), ("b", "ft"), ("c", "ft2")))
MODELS = [A, B, C]


def line(metric: str, variant: str, iteration: int, *series, kind: str = "line", **extra) -> Plot:
    return Plot(metric, variant, iteration, kind,
                {"series": [{"name": n, "x": x, "y": y} for n, x, y in series], **extra})  # fmt: skip


def only(groups, key):
    found = [g for g in groups if g.key == key]
    assert len(found) == 1, [g.key for g in groups]
    return found[0]


def test_kind_families_cover_every_kind() -> None:
    merged = {k for k in PLOT_KINDS if kind_family(k) not in ("table", "panels")}
    assert merged == set(MERGEABLE_PLOT_KINDS)
    assert kind_family("line") == kind_family("scatter") == "xy"
    assert kind_family("heatmap") == kind_family("confusion_matrix") == kind_family("text") == "panels"


def test_line_plots_merge_into_one_chart_with_model_tags() -> None:
    plots = {
        A.id: [line("roc", "val", 100, ("roc", [0, 0.5, 1], [0, 0.8, 1]))],
        B.id: [line("roc", "val", 100, ("roc", [0, 1], [0, 1]), ("chance", [0, 1], [0, 1]))],
    }
    groups = merge_plots(MODELS, plots)
    assert len(groups) == 1
    g = groups[0]
    assert g.family == "xy" and g.kinds == ("line",)
    assert [s.name for s in g.chart.series] == ["base · roc", "ft · roc", "ft · chance"]
    assert [s.model_index for s in g.chart.series] == [0, 1, 1]
    assert g.chart.series[0].x.tolist() == [0, 0.5, 1] and g.chart.series[0].y.tolist() == [0, 0.8, 1]
    assert g.present == (0, 1) and g.missing == (2,)
    assert not g.iterations_differ
    legend = g.legend()
    assert [(e.text, e.model_index, e.present) for e in legend][-1] == ("ft2: no plot", 2, False)
    assert sum(e.present for e in legend) == 3


def test_iteration_suffix_when_iterations_differ() -> None:
    plots = {
        A.id: [line("roc", "val", 100, ("roc", [0, 1], [0, 1]))],
        B.id: [line("roc", "val", 200, ("roc", [0, 1], [0, 1]))],
    }
    g = merge_plots(MODELS[:2], plots)[0]
    assert g.iterations_differ
    assert [s.name for s in g.chart.series] == ["base · roc (iteration 100)", "ft · roc (iteration 200)"]


def test_line_and_scatter_share_a_chart_and_keep_their_kind() -> None:
    plots = {
        A.id: [line("emb", "pca", 1, ("pts", [1, 2], [3, 4]), kind="scatter")],
        B.id: [line("emb", "pca", 1, ("fit", [1, 2], [3, 5]))],
    }
    g = merge_plots(MODELS[:2], plots)[0]
    assert g.family == "xy" and g.kinds == ("scatter", "line")
    assert [s.kind for s in g.chart.series] == ["scatter", "line"]


def test_unnamed_series_is_named_by_the_model_only_and_text_x_becomes_categories() -> None:
    plots = {
        A.id: [line("m", "v", 1, ("", ["a", "b"], [1, 2]))],
        B.id: [line("m", "v", 1, ("", ["b", "c"], [3, "nan"]))],
    }
    chart = merge_plots(MODELS[:2], plots)[0].chart
    assert [s.name for s in chart.series] == ["base", "ft"]
    assert chart.x_categories == ("a", "b", "c")
    assert chart.series[1].x.tolist() == [1.0, 2.0]
    assert chart.series[1].y[0] == 3 and math.isnan(chart.series[1].y[1])


def test_bar_charts_merge_over_the_union_of_categories() -> None:
    plots = {
        A.id: [Plot("cls", "val", 5, "bar", {"categories": ["cat", "dog"], "series": [{"name": "f1", "values": [0.9, 0.8]}]})],
        C.id: [Plot("cls", "val", 5, "bar", {"categories": ["dog", "bird"], "series": [{"name": "f1", "values": [0.7, "inf"]}]})],
    }  # fmt: skip
    g = merge_plots(MODELS, plots)[0]
    assert g.family == "bar"
    assert g.chart.categories == ("cat", "dog", "bird")
    a, c = g.chart.series
    assert a.y[:2].tolist() == [0.9, 0.8] and math.isnan(a.y[2])
    assert math.isnan(c.y[0]) and c.y[1] == 0.7 and c.y[2] == math.inf
    assert (a.model_index, c.model_index) == (0, 2) and g.missing == (1,)


def test_box_plots_merge_with_statistics() -> None:
    samples = [1, 2, 3, 4, 5, 6, 7, 8, 100, "nan"]
    plots = {A.id: [Plot("err", "dist", 1, "box", {"series": [{"name": "abs", "values": samples}]})],
             B.id: [Plot("err", "dist", 1, "box", {"series": [{"name": "abs", "values": [2, 2, 2]}]})]}  # fmt: skip
    g = merge_plots(MODELS[:2], plots)[0]
    assert g.family == "box"
    a = g.chart.series[0]
    finite = np.array([1, 2, 3, 4, 5, 6, 7, 8, 100], dtype=float)
    q1, med, q3 = np.percentile(finite, [25, 50, 75])
    assert (a.box.q1, a.box.median, a.box.q3) == (q1, med, q3)
    assert a.box.outliers == (100.0,) and a.box.whisker_high == 8.0 and a.box.whisker_low == 1.0
    assert a.box.count == 9
    assert g.chart.series[1].box.median == 2.0


def test_box_stats_of_nothing() -> None:
    assert box_stats(np.array([np.nan])) is None


def test_histograms_share_bin_edges() -> None:
    plots = {
        A.id: [Plot("w", "hist", 1, "histogram", {"series": [{"name": "w", "values": [0, 1, 2, 3]}], "bins": 4})],
        B.id: [Plot("w", "hist", 1, "histogram", {"series": [{"name": "w", "values": [2, 4, 6, 8, "nan"]}], "bins": 8})],
    }  # fmt: skip
    g = merge_plots(MODELS[:2], plots)[0]
    chart = g.chart
    assert chart.family == "histogram"
    np.testing.assert_allclose(chart.bin_edges, np.linspace(0, 8, 9))  # the finer request wins
    a, b = chart.series
    assert a.y.tolist() == np.histogram([0, 1, 2, 3], bins=chart.bin_edges)[0].tolist()
    assert b.y.sum() == 4  # nan not counted
    assert a.x.tolist() == [0.5 + k for k in range(8)]


def test_histogram_edges() -> None:
    np.testing.assert_allclose(histogram_edges([np.array([5.0, 5.0])], None), np.linspace(4.5, 5.5, 21))
    assert histogram_edges([np.array([1.0])], [0, 1, 3]).tolist() == [0, 1, 3]
    assert histogram_edges([np.array([np.nan])], 3).tolist() == [0.0, 1.0]


def test_tables_merge_with_a_model_column() -> None:
    plots = {
        A.id: [Plot("report", "val", 3, "table", {"columns": ["class", "f1"], "rows": [["cat", 0.5], ["dog", None]]})],
        B.id: [Plot("report", "val", 3, "table", {"columns": ["class", "support", "f1"], "rows": [["cat", 10, float("nan")]]})],
    }  # fmt: skip
    g = merge_plots(MODELS, plots)[0]
    assert g.family == "table" and g.chart is None
    t = g.table
    assert t.columns == ("model", "class", "f1", "support")
    assert t.rows == (("base", "cat", "0.5", ""), ("base", "dog", "", ""), ("ft", "cat", "nan", "10"))
    assert t.row_models == (0, 0, 1)


def test_matrices_and_text_are_side_by_side_panels() -> None:
    cm = {"matrix": [[5, 1], [2, 7]], "x_labels": ["cat", "dog"], "y_labels": ["cat", "dog"]}
    plots = {
        A.id: [Plot("cm", "val", 9, "confusion_matrix", cm), Plot("notes", "run", 9, "text", {"text": "hello"})],
        B.id: [Plot("cm", "val", 4, "confusion_matrix", {"matrix": [[1, 2, 3]], "x_labels": ["a"]})],
    }
    groups = merge_plots(MODELS[:2], plots)
    assert [g.key for g in groups] == ["cm/val", "notes/run"]
    cm_group = groups[0]
    assert cm_group.family == "panels" and cm_group.chart is None and cm_group.table is None
    a, b = cm_group.panels
    assert (a.model_index, a.iteration, b.iteration) == (0, 9, 4)
    assert a.matrix.tolist() == [[5, 1], [2, 7]] and a.x_labels == ("cat", "dog")
    assert b.x_labels == ("a", "1", "2") and b.y_labels == ("0",)  # short labels completed
    assert groups[1].panels[0].text == "hello" and groups[1].missing == (1,)


def test_mixed_kinds_split_by_family() -> None:
    plots = {
        A.id: [line("m", "v", 1, ("s", [0, 1], [0, 1]))],
        B.id: [Plot("m", "v", 1, "bar", {"categories": ["x"], "series": [{"name": "s", "values": [1]}]})],
        C.id: [line("m", "v", 1, ("s", [0, 1], [1, 0]))],
    }
    groups = merge_plots(MODELS, plots)
    assert [g.family for g in groups] == ["xy", "bar"]
    xy, bar = groups
    assert xy.present == (0, 2) and xy.other_kinds == ((1, "bar"),) and xy.missing == ()
    assert bar.present == (1,) and bar.other_kinds == ((0, "line"), (2, "line"))
    assert ("ft: shown as bar", 1, False) in [(e.text, e.model_index, e.present) for e in xy.legend()]


def test_metric_filter_and_order() -> None:
    plots = {
        A.id: [line("z", "v", 1, ("s", [0], [0])), line("a", "v", 1, ("s", [0], [0])), line("a", "u", 1, ("s", [0], [0]))],
    }  # fmt: skip
    assert [g.key for g in merge_plots(MODELS, plots)] == ["a/u", "a/v", "z/v"]
    assert [g.key for g in merge_plots(MODELS, plots, metric_filter="a/*")] == ["a/u", "a/v"]


def test_duplicate_model_names_label_series_with_short_ids() -> None:
    twins = [Model(id="1" * 16, name="m"), Model(id="2" * 16, name="m")]
    plots = {m.id: [line("x", "y", 1, ("s", [0], [0]))] for m in twins}
    chart = merge_plots(twins, plots)[0].chart
    assert [s.name for s in chart.series] == ["m (11111111) · s", "m (22222222) · s"]


def test_summary_chart() -> None:
    values = {A.id: {"test_acc": 0.9, "params": 1e6}, B.id: {"test_acc": 0.92}, C.id: {"params": 2e6}}
    summary = summary_chart(MODELS, values)
    assert summary.names == ("params", "test_acc")
    assert summary.values == ((1e6, None, 2e6), (0.9, 0.92, None))
    assert summary.labels == ("base", "ft", "ft2")
    row = summary.table.row("test_acc", "")
    assert row.max_indices == (1,) and row.deltas[1].verdict == "better"
    assert value_table_to_csv(summary.table) == (
        "metric,variant,base,ft,ft2\nparams,,1000000,,2000000\ntest_acc,,0.9,0.92,\n"
    )
    assert summary_chart(MODELS, values, metric_filter="*acc").names == ("test_acc",)
    assert summary_chart(MODELS, {}).names == ()


def test_store_plots_merge(store) -> None:
    """Through the embedded store: the last plot per metric/variant is what merges."""
    for m in MODELS[:2]:
        store.save_model(Model(id=m.id, name=m.name))
    store.add_plots(A.id, [line("roc", "val", 1, ("old", [0], [0])), line("roc", "val", 5, ("new", [0, 1], [0, 1]))])
    store.add_plots(B.id, [line("roc", "val", 3, ("new", [0, 1], [0, 0.5]))])
    groups = merge_plots(MODELS[:2], store.plots([A.id, B.id]))
    assert [s.name for s in groups[0].chart.series] == ["base · new (iteration 5)", "ft · new (iteration 3)"]
