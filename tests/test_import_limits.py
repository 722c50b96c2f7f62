"""What imports, renders (issue #10): the model file refuses, naming the place,
what a store or a view cannot hold; the views draw the full float range.
Each test here is a reproduction that crashed before."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from modelcompare_tui.core.modelfile import (
    FORMAT,
    ModelFileError,
    load_model_file,
    parse_model_document,
    write_model_file,
)
from modelcompare_tui.core.plotly_convert import MAX_HISTOGRAM_BINS
from modelcompare_tui.core.plotmerge import box_stats, histogram_edges
from modelcompare_tui.core.smoothing import smooth
from modelcompare_tui.core.state import ComparisonState, PlotsView, ScalarsView
from modelcompare_tui.render.raster import ChartLine, chart_rows
from modelcompare_tui.render.ticks import nice_ticks
from modelcompare_tui.render.views import render_view

FORMATS = ("text", "ansi", "json", "md", "svg", "html")


def doc(**fields: Any) -> dict[str, Any]:
    return {"format": FORMAT, "models": [{"id": "a" * 32, "name": "m", **fields}]}


def refused(document: dict[str, Any] | str, tmp_path: Path) -> str:
    """The one-line error of importing `document` (a dict, or raw JSON text)."""
    path = tmp_path / "f.json"
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelFileError) as info:
        load_model_file(path)
    message = str(info.value)
    message.encode("utf-8")  # printable: no lone surrogate in the message itself
    return message


def plot(kind: str, data: Any, **fields: Any) -> list[dict[str, Any]]:
    return [{"metric": "p", "variant": "v", "iteration": 1, "kind": kind, "data": data, **fields}]


# -- invalid Unicode ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw_model", "where"),
    [
        ('"name": "a\\ud800b"', "models[0].name"),
        ('"name": "m", "tags": ["ok", "x\\udc00"]', "models[0].tags[1]"),
        ('"name": "m", "project": "\\ud800"', "models[0].project"),
        ('"name": "m", "scalars": [{"metric": "l\\ud800", "points": [[0, 1]]}]', "models[0].scalars[0].metric"),
        ('"name": "m", "scalars": [{"metric": "l", "variant": "\\udfff", "points": []}]',
         "models[0].scalars[0].variant"),
        ('"name": "m", "metadata": [{"key": "k", "value": "v\\ud800"}]', "models[0].metadata[0].value"),
        ('"name": "m", "metadata": [{"key": "k\\ud800", "value": "v"}]', "models[0].metadata[0].key"),
        ('"name": "m", "metadata": {"k": {"deep": ["\\ud800"]}}', 'models[0].metadata.k.value'),
        ('"name": "m", "config": "a: \\ud800"', "models[0].config"),
        ('"name": "m", "config": {"format": "yaml", "text": "a: \\ud800"}', "models[0].config.text"),
        ('"name": "m", "config": {"lr": "\\ud800"}', "models[0].config"),
        ('"name": "m", "labels": {"c\\ud800": 1}', 'models[0].labels["c\\ud800"]'),
        ('"name": "m", "single_values": {"\\ud800": 1}', 'models[0].single_values["\\ud800"]'),
        ('"name": "m", "plots": [{"metric": "p", "kind": "text", "data": {"text": "h\\ud800"}}]',
         "models[0].plots[0].data.text"),
        ('"name": "m", "plots": [{"metric": "p", "kind": "table", "data": {"columns": ["a"], '
         '"rows": [["\\ud800"]]}}]', "models[0].plots[0].data.rows[0][0]"),
        ('"name": "m", "plots": [{"metric": "p", "kind": "bar", "data": {"categories": ["\\ud800"], '
         '"series": [{"name": "s", "values": [1]}]}}]', "models[0].plots[0].data.categories[0]"),
        ('"name": "m", "plots": [{"metric": "p", "kind": "line", "data": {"x_label": "\\ud800", '
         '"series": [{"name": "s", "x": [1], "y": [1]}]}}]', "models[0].plots[0].data.x_label"),
    ],
)
def test_lone_surrogates_are_refused_where_they_are(raw_model: str, where: str, tmp_path: Path) -> None:
    message = refused(f'{{"format": "{FORMAT}", "models": [{{{raw_model}}}]}}', tmp_path)
    assert f": {where}: invalid Unicode: a lone surrogate" in message, message


def test_a_surrogate_pair_is_valid_unicode(tmp_path: Path) -> None:
    path = tmp_path / "f.json"
    path.write_text(f'{{"format": "{FORMAT}", "models": [{{"name": "\\ud83d\\ude00"}}]}}', encoding="utf-8")
    (record,) = load_model_file(path)
    assert record.model.name == "😀"


# -- numbers and iterations -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"plots": plot("line", {"series": [{"name": "s", "x": [0, 1], "y": [1, 10**400]}]})},
         "models[0].plots[0].data.series[0].y[1]"),
        ({"plots": plot("box", {"series": [{"name": "s", "values": [-(10**309)]}]})},
         "models[0].plots[0].data.series[0].values[0]"),
        ({"plots": plot("heatmap", {"matrix": [[1, 2], [3, 10**400]]})}, "models[0].plots[0].data.matrix[1][1]"),
        ({"scalars": [{"metric": "l", "points": [[0, 10**400]]}]}, "models[0].scalars[0].points[0]"),
        ({"single_values": {"x": 10**400}}, "models[0].single_values.x"),
    ],
)
def test_numbers_beyond_float_range_are_refused(fields: dict[str, Any], where: str, tmp_path: Path) -> None:
    message = refused(doc(**fields), tmp_path)
    assert f": {where}: " in message and "out of range" in message, message


@pytest.mark.parametrize("iteration", [2**63, -(2**63) - 1, 10**30])
def test_plot_iterations_outside_int64_are_refused(iteration: int, tmp_path: Path) -> None:
    message = refused(doc(plots=plot("text", {"text": "x"}, iteration=iteration)), tmp_path)
    assert ": models[0].plots[0].iteration: iteration is out of range" in message


@pytest.mark.parametrize("iteration", [2**63, -(2**63) - 1, 2.0**63])
def test_scalar_iterations_outside_int64_are_refused(iteration: float, tmp_path: Path) -> None:
    message = refused(doc(scalars=[{"metric": "l", "points": [[0, 1], [iteration, 2]]}]), tmp_path)
    assert ": models[0].scalars[0].points[1]: iteration is out of range" in message


def test_int64_edges_import_and_render(store) -> None:  # noqa: ANN001
    lo, hi = -(2**63), 2**63 - 1
    records = parse_model_document(doc(scalars=[{"metric": "l", "points": [[lo, 1.0], [hi, 2.0]]}],
                                       plots=plot("text", {"text": "x"}, iteration=lo)), "f")
    store.import_records(records)
    for view in ("values", "graph"):
        state = ComparisonState(models=("a" * 32,), tab="scalars", scalars=ScalarsView(view=view))
        assert render_view(store, state, fmt="text")
    assert "-9223372036854775808" in render_view(store, ComparisonState(models=("a" * 32,), tab="plots"),
                                                 fmt="text")


def test_a_plot_at_the_largest_iteration_is_the_last_reported(store) -> None:  # noqa: ANN001
    hi = 2**63 - 1
    store.import_records(parse_model_document(doc(plots=plot("text", {"text": "x"}, iteration=hi)), "f"))
    assert str(hi) in render_view(store, ComparisonState(models=("a" * 32,), tab="plots"), fmt="text")


# -- histogram bins -------------------------------------------------------------------------


@pytest.mark.parametrize("bins", [MAX_HISTOGRAM_BINS + 1, 10**9, 2**63 - 1, 10**400])
def test_histogram_bins_above_the_cap_are_refused(bins: int, tmp_path: Path) -> None:
    data = {"series": [{"name": "s", "values": [1, 2]}], "bins": bins}
    message = refused(doc(plots=plot("histogram", data)), tmp_path)
    assert f": models[0].plots[0].data.bins: at most {MAX_HISTOGRAM_BINS:,} bins, not " in message


@pytest.mark.parametrize("nbins", [MAX_HISTOGRAM_BINS + 1, 10**9, 10**400])
def test_plotly_nbins_above_the_cap_are_refused(nbins: int, tmp_path: Path) -> None:
    figure = {"data": [{"type": "histogram", "x": [1, 2, 3], "nbinsx": nbins}]}
    message = refused(doc(plots=[{"metric": "p", "data": {"plotly": figure}}]), tmp_path)
    assert ": models[0].plots[0].data.plotly.data[0].nbinsx: at most 10,000 bins" in message


def test_the_bins_cap_itself_imports_and_renders(store) -> None:  # noqa: ANN001
    data = {"series": [{"name": "s", "values": [0, 1, 2, 3]}], "bins": MAX_HISTOGRAM_BINS}
    store.import_records(parse_model_document(doc(plots=plot("histogram", data)), "f"))
    assert "p/v" in render_view(store, ComparisonState(models=("a" * 32,), tab="plots"), fmt="text")


def test_histogram_edges_cap_bins_from_any_source() -> None:
    assert histogram_edges([np.array([0.0, 1.0])], 2**63 - 1).size == MAX_HISTOGRAM_BINS + 1


# -- controls inside list items -------------------------------------------------------------


@pytest.mark.parametrize("control", ["\x1f", "\x1e", "\x1d", "\x1c", "\x00", "\n", "\t", "\x7f"])
def test_tags_with_control_characters_are_refused(control: str, tmp_path: Path) -> None:
    message = refused(doc(tags=["fine", f"a{control}b"]), tmp_path)
    assert ": models[0].tags[1]: a tag must not contain control characters" in message
    assert repr(control) in message


# -- plotly typed arrays ------------------------------------------------------------------


@pytest.mark.parametrize("shape", [[None], ["2"], [-1], [2.5], [2**70], "x", "1,,2"])
def test_plotly_typed_array_with_a_bad_shape_is_refused(shape: Any, tmp_path: Path) -> None:
    bdata = base64.b64encode(np.array([1.0, 2.0], dtype="<f8").tobytes()).decode()
    figure = {"data": [{"type": "histogram", "x": {"dtype": "f8", "bdata": bdata, "shape": shape}}]}
    message = refused(doc(plots=[{"metric": "p", "data": {"plotly": figure}}]), tmp_path)
    assert ": models[0].plots[0].data.plotly.data[0].x: typed array of 2 items does not fit shape" in message


# -- the full float range in every view ---------------------------------------------------

EXTREME = [1e308, -1e308, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 0.0, "inf", "-inf", "nan"]


def extreme_model() -> dict[str, Any]:
    points = [[i, v] for i, v in enumerate(EXTREME)]
    return {
        "id": "a" * 32, "name": "extreme",
        "scalars": [
            {"metric": "all", "points": points},
            {"metric": "one", "points": [[0, 1e308]]},
            {"metric": "huge", "points": [[0, 1e308], [1, 1.7e308], [2, 1.5e308], [2, 1.6e308]]},
            {"metric": "tiny", "points": [[0, 5e-324], [1, -5e-324], [2, 1e-320]]},
            {"metric": "flat", "points": [[0, -1.7976931348623157e308], [5, -1.7976931348623157e308]]},
        ],
        "single_values": {"big": 1e308, "inf": "inf", "nan": "nan"},
        "plots": [
            {"metric": "line", "kind": "line", "data": {"series": [{"name": "s", "x": EXTREME, "y": EXTREME[::-1]}]}},
            {"metric": "scatter", "kind": "scatter", "data": {"series": [{"name": "s", "x": EXTREME, "y": EXTREME}]}},
            {"metric": "bar", "kind": "bar", "data": {"categories": [str(i) for i in range(len(EXTREME))],
                                                     "series": [{"name": "s", "values": EXTREME}]}},
            {"metric": "box", "kind": "box", "data": {"series": [{"name": "s", "values": EXTREME},
                                                                 {"name": "t", "values": [1e308]}]}},
            {"metric": "histogram", "kind": "histogram", "data": {"series": [{"name": "s", "values": EXTREME}]}},
            {"metric": "histogram1", "kind": "histogram",
             "data": {"series": [{"name": "s", "values": [1.7976931348623157e308]}], "bins": 3}},
            {"metric": "histogram_tiny", "kind": "histogram",
             "data": {"series": [{"name": "s", "values": [0, 5e-324, 1e-323]}], "bins": 100}},
            {"metric": "heatmap", "kind": "heatmap", "data": {"matrix": [EXTREME[:3], EXTREME[3:6], EXTREME[6:]]}},
            {"metric": "cm", "kind": "confusion_matrix", "data": {"matrix": [[1e308, -1e308], ["inf", "nan"]]}},
            {"metric": "table", "kind": "table", "data": {"columns": ["v"], "rows": [[v] for v in EXTREME]}},
        ],
    }


@pytest.fixture
def extreme_store(store):  # noqa: ANN001, ANN201
    other = {"id": "b" * 32, "name": "other", "scalars": [{"metric": "all", "points": [[0, 1.0], [1, 2.0]]}]}
    store.import_records(parse_model_document({"format": FORMAT, "models": [extreme_model(), other]}, "f"))
    return store


IDS = ("a" * 32, "b" * 32)

GRAPH_VIEWS = [
    ScalarsView(view="graph"),
    ScalarsView(view="graph", log_y=True),
    ScalarsView(view="graph", smoothing="ema", smoothing_weight=0.9),
    ScalarsView(view="graph", smoothing="running", smoothing_weight=0.5),
    ScalarsView(view="graph", smoothing="gaussian", smoothing_weight=0.5),
    ScalarsView(view="graph", x_axis="relative", group_by="metric"),
    ScalarsView(view="graph", focused="one/one", maximized=True, zoom=(-(2**63), 2**63 - 1)),
]


@pytest.mark.parametrize("view", GRAPH_VIEWS, ids=lambda v: f"{v.smoothing}-{v.log_y}-{v.group_by}-{v.maximized}")
def test_graph_view_draws_the_full_float_range(extreme_store, view: ScalarsView) -> None:  # noqa: ANN001
    state = ComparisonState(models=IDS, tab="scalars", scalars=view)
    text = render_view(extreme_store, state, fmt="text", width=100)
    assert "one" in text
    render_view(extreme_store, state, fmt="ansi", width=60)


def test_one_point_of_1e308_draws_with_labelled_ticks(extreme_store) -> None:  # noqa: ANN001
    state = ComparisonState(models=IDS, tab="scalars", scalars=ScalarsView(view="graph"))
    text = render_view(extreme_store, state, fmt="text", width=100, plot="one/one")
    assert "1e+308" in text  # the y axis is labelled in data units


@pytest.mark.parametrize("fmt", FORMATS + ("csv",))
def test_values_table_and_plots_in_every_format(extreme_store, fmt: str) -> None:  # noqa: ANN001
    for state in (
        ComparisonState(models=IDS, tab="scalars"),
        ComparisonState(models=IDS, tab="scalars", scalars=ScalarsView(extremes=True, delta=True, agg="max")),
        ComparisonState(models=IDS, tab="plots"),
        ComparisonState(models=IDS, tab="details"),
    ):
        if fmt == "csv" and state.tab != "scalars":
            continue
        assert render_view(extreme_store, state, fmt=fmt, width=90)


@pytest.mark.parametrize("key", ["line/line", "scatter/scatter", "bar/bar", "box/box", "histogram/histogram",
                                 "histogram1/histogram1", "histogram_tiny/histogram_tiny", "heatmap/heatmap"])
def test_each_plot_alone_and_maximised(extreme_store, key: str) -> None:  # noqa: ANN001
    state = ComparisonState(models=IDS, tab="plots", plots=PlotsView(focused=key, maximized=True))
    assert render_view(extreme_store, state, fmt="text", width=80)
    assert render_view(extreme_store, ComparisonState(models=IDS, tab="plots"), fmt="ansi", width=80, plot=key)


def test_extreme_model_exports_and_reimports(extreme_store, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "out.json"
    write_model_file(extreme_store.export_records(list(IDS)), out)
    assert [r.model.id for r in load_model_file(out)] == list(IDS)


# -- the numeric cores ------------------------------------------------------------------------


def test_box_stats_of_extremes_are_finite() -> None:
    stats = box_stats(np.array([1e308, -1e308, 0.0, 1.7976931348623157e308]))
    assert stats is not None
    for value in (stats.q1, stats.median, stats.q3, stats.whisker_low, stats.whisker_high, stats.mean):
        assert math.isfinite(value)
    assert stats.q1 <= stats.median <= stats.q3
    # same as numpy where numpy does not overflow
    ordinary = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    ours = box_stats(ordinary)
    assert ours is not None
    assert (ours.q1, ours.median, ours.q3) == pytest.approx(tuple(np.percentile(ordinary, [25, 50, 75])))


@pytest.mark.parametrize("values", [[-1e308, 1e308], [1.7976931348623157e308], [-1.7976931348623157e308],
                                    [0.0, 5e-324], [5e-324], [1e300, 1e300 * (1 + 2**-52)]])
def test_histogram_edges_increase_and_stay_finite(values: list[float]) -> None:
    edges = histogram_edges([np.array(values)], 50)
    assert edges.size >= 2 and bool(np.all(np.isfinite(edges))) and bool(np.all(np.diff(edges) > 0))
    counts, _ = np.histogram(np.array(values), bins=edges)
    assert counts.sum() == len(values)


@pytest.mark.parametrize("kind", ["ema", "running", "gaussian"])
def test_smoothing_extremes_does_not_overflow(kind: str) -> None:
    values = np.array([1e308, -1e308, 1.7e308, np.nan, 1.5e308, -np.inf, 1e308] * 20)
    with np.errstate(all="raise"):
        out = smooth(values, kind, 0.5)
    finite = np.isfinite(values)
    assert bool(np.all(np.isfinite(out[finite])))
    assert np.array_equal(np.isnan(out), np.isnan(values)) and bool(np.all(out[np.isinf(values)] == -np.inf))
    assert float(np.max(np.abs(out[finite]))) <= 1.7976931348623157e308


@pytest.mark.parametrize(("lo", "hi"), [(-1e308, 1e308), (0.0, 5e-324), (-1.7976931348623157e308, 0.0),
                                        (1.0, 1.0 + 2**-52), (1e308, 1.7976931348623157e308)])
def test_nice_ticks_over_the_float_range(lo: float, hi: float) -> None:
    ticks = nice_ticks(lo, hi, 5)
    assert len(ticks) >= 2 and all(lo <= t <= hi for t in ticks) and all(math.isfinite(t) for t in ticks)


@pytest.mark.parametrize("log_y", [False, True])
def test_chart_rows_over_the_float_range(log_y: bool) -> None:
    lines = [ChartLine("a", np.array([-1e308, 0.0, 1e308]), np.array([1.7976931348623157e308, 5e-324, -1e308]),
                       "#ff0000"),
             ChartLine("b", np.array([0.0]), np.array([1e308]), "#00ff00", kind="scatter")]
    rows = chart_rows(lines, 60, 14, log_y=log_y)
    assert len(rows.rows) == 14
    drawn = rows.plain()
    assert any(0x2800 < ord(c) <= 0x28FF for c in drawn) or "•" in drawn
