"""Headless Scalars and Plots: `render` output in every format, and the pure
drawing functions of render/chart_series.py and core.scalars."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from modelcompare_tui.cli import main as cli_main
from modelcompare_tui.core.colors import PALETTE, PALETTE_LIGHT, ModelColors, hex_to_rgb
from modelcompare_tui.core.model import Config, Model
from modelcompare_tui.core.plotmerge import box_stats
from modelcompare_tui.core.scalars import build_value_table, config_differences, config_notes
from modelcompare_tui.core.state import encode_state
from modelcompare_tui.render.chart_series import effective_ema_weight, parse_iteration_range
from modelcompare_tui.render.plots import Bar, BarCluster, BarClusters, BoxPlot
from modelcompare_tui.render.raster import ChartLine, chart_rows, draw_xy, shade
from modelcompare_tui.render.ticks import nice_ticks
from modelcompare_tui.render.value_text import value_table_to_csv, value_table_to_rich
from modelcompare_tui.render.views import RenderError, render_view
from scalars_fixtures import IDS, build_scalars_store, default_state

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def store(tmp_path: Path):
    s = build_scalars_store(tmp_path / "store.db")
    yield s
    s.close()


def scalars_state(**view):  # noqa: ANN003, ANN201
    return default_state(**view)


def plots_state(**view):  # noqa: ANN003, ANN201
    state = default_state(tab="plots")
    return replace(state, plots=replace(state.plots, **view))


def plain(renderable: object, width: int = 100) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"), color_system=None)  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


# -- Scalars: table formats ----------------------------------------------------------------


def test_csv_follows_product_section_6(store) -> None:  # noqa: ANN001
    out = render_view(store, scalars_state(agg="min"), fmt="csv")
    lines = out.splitlines()
    assert lines[0] == "metric,variant,resnet50 (a1a1a1a1),resnet50 (b2b2b2b2),vit-b16"
    assert lines[2].startswith("grad_norm,total,,") and lines[2].endswith(",")  # missing: empty cells
    summaries = store.scalar_summaries(list(IDS))
    loss_min = next(s.min for s in summaries[IDS[2]] if (s.metric, s.variant) == ("loss", "val"))
    assert f"loss,val,{loss_min!r}" not in out  # the base column comes first
    assert lines[4].split(",")[4] == repr(loss_min)  # vit's NaN point is ignored by Min
    assert float(lines[4].split(",")[4]) == loss_min
    assert out.endswith("\n") and "\r" not in out


def test_csv_via_the_cli_is_the_same_bytes(store, tmp_path: Path, capsysbinary) -> None:  # noqa: ANN001
    state = scalars_state(agg="max", metric_filter="loss")
    expected = render_view(store, state, fmt="csv").encode()
    state = replace(state, source=str(store.path))
    assert cli_main(["render", encode_state(state), "--tab", "scalars", "--format", "csv"]) == 0
    assert capsysbinary.readouterr().out == expected
    table = build_value_table(store.get_models(list(IDS)), store.scalar_summaries(list(IDS)), agg="max",
                              metric_filter="loss")
    assert expected == value_table_to_csv(table).encode()


def test_json_text_and_markdown(store) -> None:  # noqa: ANN001
    data = json.loads(render_view(store, scalars_state(), fmt="json"))
    assert data["agg"] == "last" and [m["id"] for m in data["models"]] == list(IDS)
    assert data["rows"][0]["metric"] == "accuracy" and len(data["rows"][0]["values"]) == 3
    text = render_view(store, scalars_state(extremes=True, delta=True), fmt="text", width=120)
    assert "▲" in text and "(+70.4%)" in text and text.splitlines()[5].startswith("=")
    md = render_view(store, scalars_state(), fmt="md")
    assert md.startswith("| = | metric | variant | resnet50 (a1a1a1a1) |")  # lr agrees: its own = column
    assert "| = | lr | lr | 0.0001 |" in md and md.endswith("\n= all models agree\n")


def test_rich_table_marks_extremes_deltas_and_model_colors(store) -> None:  # noqa: ANN001
    models = store.get_models(list(IDS))
    table = build_value_table(models, store.scalar_summaries(list(IDS)))
    colors = ModelColors(IDS)
    rich = value_table_to_rich(table, extremes=True, delta=True, colors=colors)
    console = Console(width=140, record=True, file=open("/dev/null", "w"), color_system="truecolor")  # noqa: SIM115
    console.print(rich)
    ansi = console.export_text(styles=True)
    text = ANSI.sub("", ansi)
    assert text.startswith("Values · Last")
    assert "▲ row max" in text and "Δ vs base resnet50 (a1a1a1a1)" in text and "= all models agree" in text
    assert "0.949312 ▲" in text and "(+70.4%)" in text
    r, g, b = hex_to_rgb(PALETTE[0])
    assert f"38;2;{r};{g};{b}" in ansi  # the base model's colour in its header
    assert "38;2;217;83;79" in ansi  # a worse delta in red
    colors.dark = False  # the light theme: its shades, its red
    console.print(value_table_to_rich(table, extremes=True, delta=True, colors=colors))
    light = console.export_text(styles=True)
    r, g, b = hex_to_rgb(PALETTE_LIGHT[0])
    assert f"38;2;{r};{g};{b}" in light and "38;2;188;71;68" in light and "38;2;217;83;79" not in light
    svg = render_view(store, scalars_state(extremes=True), fmt="svg", width=120)
    assert svg.startswith("<svg") and "resnet50" in svg


# -- Scalars: Graph view --------------------------------------------------------------------


def test_graph_text_all_charts_and_one(store) -> None:  # noqa: ANN001
    state = scalars_state(view="graph")
    out = render_view(store, state, fmt="text", width=80)
    titles = [line for line in out.splitlines() if re.fullmatch(r"[a-z_]+/[a-z_]+", line)]
    assert titles == ["accuracy/val", "grad_norm/total", "loss/train", "loss/val", "lr/lr",
                      "throughput/samples_per_sec"]
    assert "• resnet50 (a1a1a1a1)  x resnet50 (b2b2b2b2)  + vit-b16" in out
    assert "- resnet50 (a1a1a1a1): no data" in out  # grad_norm: only one model reports it
    assert all(len(line) <= 80 for line in out.splitlines())
    one = render_view(store, state, fmt="text", width=80, plot="loss/train")
    assert [line for line in one.splitlines() if line == "loss/train"] == ["loss/train"]
    assert "accuracy/val" not in one
    with pytest.raises(RenderError, match="no chart 'nope/nope'"):
        render_view(store, state, fmt="text", plot="nope/nope")


def test_graph_grouped_by_metric_and_options(store) -> None:  # noqa: ANN001
    state = scalars_state(view="graph", group_by="metric", x_axis="relative", smoothing="ema", smoothing_weight=0.9,
                          log_y=True)
    out = render_view(store, state, fmt="text", width=100, plot="loss")
    assert "x: relative time · smoothing: EMA 0.9 · log y" in out
    assert "resnet50 (a1a1a1a1) · train" in out and "vit-b16 · val" in out
    assert re.search(r"\b\d+m\d*s?\b|\b\d+s\b", out)  # durations on the x axis
    ansi = render_view(store, state, fmt="ansi", width=100, plot="loss")
    assert "\x1b[38;2;" in ansi and max(ansi) >= "⠀" and any("\u2800" <= ch <= "\u28ff" for ch in ansi)


def test_graph_zoom_of_the_maximised_chart(store) -> None:  # noqa: ANN001
    state = scalars_state(view="graph", focused="loss/train", maximized=True, zoom=(200, 400))
    out = render_view(store, state, fmt="text", width=80, plot="loss/train")
    axis = next(line for line in out.splitlines() if line.strip().startswith("200"))
    assert axis.split()[0] == "200" and axis.split()[-1] == "400"


# -- Plots -------------------------------------------------------------------------------------


def test_plots_text_summary_first_then_groups(store) -> None:  # noqa: ANN001
    out = render_view(store, plots_state(), fmt="text", width=100)
    assert out.index("Summary · single values") < out.index("class_counts/val")
    for key in ("confusion/val", "eval/per_class", "notes/summary", "pr/val", "roc/val", "scores/val",
                "weights/conv1"):
        assert key in out
    assert "resnet50 (b2b2b2b2): no plot" in out  # pr/val: the second model has none
    assert "vit-b16 · roc (iteration 500)" in out
    assert "model 2: converged at iteration 500" in out
    assert "0.82" in out and "0.8200000000000001" not in out  # readable table cells


def test_plots_json_is_the_merged_data(store) -> None:  # noqa: ANN001
    data = json.loads(render_view(store, plots_state(), fmt="json"))
    assert data["summary"]["names"] == ["latency_ms", "params_m", "test/accuracy", "test/f1"]
    groups = {f"{g['metric']}/{g['variant']}": g for g in data["groups"]}
    roc = groups["roc/val"]
    assert roc["family"] == "xy" and roc["iterations"][IDS[2]] == 500
    assert roc["chart"]["series"][0]["x"][:2] == [0.0, 0.1]
    assert groups["pr/val"]["missing"] == [IDS[1]]
    assert groups["eval/per_class"]["table"]["columns"] == ["model", "class", "precision", "recall"]
    assert groups["confusion/val"]["panels"][0]["matrix"] == [[50.0, 3.0], [4.0, 43.0]]
    assert groups["scores/val"]["chart"]["series"][0]["box"]["median"] == pytest.approx(0.55)
    assert len(groups["weights/conv1"]["chart"]["bin_edges"]) == 13


def test_plots_one_plot_iteration_and_errors(store) -> None:  # noqa: ANN001
    out = render_view(store, plots_state(iteration=500), fmt="text", width=100, plot="roc/val")
    assert "Summary" not in out and "roc/val · line · iteration 500" in out
    assert "(iteration" not in out  # all from one iteration now
    with pytest.raises(RenderError, match="no plot 'x/y'"):
        render_view(store, plots_state(), fmt="text", plot="x/y")
    with pytest.raises(RenderError, match="csv is the scalar table"):
        render_view(store, plots_state(), fmt="csv")


@pytest.mark.parametrize("fmt", ["svg", "html", "md", "ansi"])
def test_plots_other_formats(store, fmt: str) -> None:  # noqa: ANN001
    out = render_view(store, plots_state(), fmt=fmt, width=100)
    assert "class_counts/val" in out
    if fmt == "svg":
        assert out.startswith("<svg")
    if fmt == "md":
        assert "### Summary" in out and "| model | class | precision | recall |" in out


# -- drawing -------------------------------------------------------------------------------------


def test_chart_rows_size_gaps_and_colors() -> None:
    x = np.arange(50, dtype=float)
    y = np.sin(x / 5)
    y[20:23] = np.nan
    lines = [ChartLine("a", x, y, "#4e9de0"), ChartLine("b", x, y + 0.5, "#e8833a")]
    rows = chart_rows(lines, 60, 15)
    assert len(rows.rows) == 15
    assert all(len("".join(t for t, _ in row).rstrip()) <= 60 for row in rows.rows)
    colors = {c for row in rows.rows for _, c in row if c}
    assert colors == {"#4e9de0", "#e8833a"}
    plain = draw_xy(lines, 60, 15, color=False)
    assert "•" in plain and "x" in plain and "\x1b" not in plain
    assert draw_xy([], 40, 8).count("no data") == 1


def test_log_scale_drops_non_positive_values_and_labels_decades() -> None:
    x = np.arange(5.0)
    rows = chart_rows([ChartLine("a", x, np.array([1e-3, 1e-2, 0.0, 1.0, 10.0]), "#4e9de0")], 60, 15, log_y=True)
    text = rows.plain()
    for label in ("0.001", "0.01", "0.1", "1", "10"):
        assert re.search(rf"^\s*{re.escape(label)}┤", text, re.M), label
    empty = chart_rows([ChartLine("a", x, -np.ones(5), "#4e9de0")], 40, 10, log_y=True, empty_text="none > 0")
    assert "none > 0" in empty.plain()


def test_zoomed_line_runs_to_the_frame() -> None:
    x = np.array([0.0, 100.0])
    rows = chart_rows([ChartLine("a", x, np.array([0.0, 1.0]), "#4e9de0")], 40, 10, x_range=(40.0, 60.0))
    canvas = [row for row in rows.rows if any(c for _, c in row)]
    assert canvas, "the segment crossing the zoomed range is drawn"


def test_scatter_points_are_whole_cells() -> None:
    rows = chart_rows([ChartLine("p", np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0, 1.0]), "#4e9de0",
                                 kind="scatter")], 40, 10)
    assert rows.plain().count("•") == 3


def test_bars_and_boxes() -> None:
    bars = BarClusters([BarCluster("acc", (Bar("m1", 0.5, "#111111"), Bar("m2", 1.0, "#222222"),
                                          Bar("m3", None, "#333333")))])
    text = plain(bars, 60).splitlines()
    assert text[0].startswith("acc m1") and text[0].rstrip().endswith("0.5")
    assert text[0].count("█") < text[1].count("█")  # one scale per cluster: m2 the longest bar
    assert text[2].rstrip().endswith("–")
    box = BoxPlot([("a", "#111111", box_stats(np.array([1.0, 2, 3, 4, 100]))),
                   ("b", "#222222", None)], color=False)
    lines = plain(box, 60).splitlines()
    assert "├" in lines[0] and "∘" in lines[0] and "(no finite samples)" in lines[1]
    assert lines[2].split()[0] == "1" and lines[2].split()[-1] == "100"


def test_helpers() -> None:
    assert parse_iteration_range("1.5k-20k") == (1500, 20000)
    assert parse_iteration_range(" ") is None
    with pytest.raises(ValueError, match="end must be after"):
        parse_iteration_range("5-5")
    assert nice_ticks(0, 1, 5) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(-0.013, 0.021, 4) == [-0.01, 0.0, 0.01, 0.02]
    assert nice_ticks(1200, 98000, 5) == [20000, 40000, 60000, 80000]
    assert effective_ema_weight(0.9, 1000, 100) == pytest.approx(0.9**10)
    assert effective_ema_weight(0.9, 100, 100) == 0.9
    assert shade("#808080", 0) == "#808080" and shade("#808080", 1) != shade("#808080", 2)


def test_config_differences() -> None:
    models = [
        Model("a", "a", config=Config("json", '{"opt": {"lr": 0.001}, "batch": 32, "seed": 1}')),
        Model("b", "b", config=Config("json", '{"opt": {"lr": 1e-3}, "batch": 64, "seed": 2}')),
        Model("c", "c", config=Config("yaml", "opt:\n  lr: 0.01\nbatch: 32\n")),
    ]
    diffs = config_differences(models)
    assert diffs == [("opt.lr", ("0.001", "0.001", "0.01")), ("batch", ("32", "64", "32")),
                     ("seed", ("1", "2", "–"))]
    assert config_notes(models, max_keys=2) == ["lr=0.001 batch=32", "lr=0.001 batch=64", "lr=0.01 batch=32"]
    assert config_differences([Model("a", "a"), Model("b", "b")]) == []


def test_log_axis_ticks_at_the_top_of_the_float_range() -> None:
    # log10(max float) rounds up, so 10**that overflowed: a loss of 1.8e308 on a log
    # axis crashed every render (found by the import->render property test in CI)
    from modelcompare_tui.render.ticks import MAX_LOG10, log_ticks

    for lo, hi in ((MAX_LOG10 - 0.1, MAX_LOG10), (308.0, MAX_LOG10), (MAX_LOG10, MAX_LOG10)):
        ticks = log_ticks(lo, hi, 5)
        assert ticks and all(lo - 1e-9 <= t <= hi + 1e-9 for t, _ in ticks)


def sweep_models() -> list[Model]:
    """The demo's four wav2vec2 sweep members: long names that differ at the end."""
    names = ["wav2vec2-base-librispeech-lr1e-5", "wav2vec2-base-librispeech-lr3e-5",
             "wav2vec2-base-librispeech-lr3e-4", "wav2vec2-base-librispeech"]
    return [Model(id=f"{i}" * 32, name=name) for i, name in enumerate(names)]


@pytest.mark.parametrize("width", [60, 80, 120])
def test_rich_values_keep_metric_variant_and_tell_sweep_members_apart(width: int) -> None:
    """`render --format ansi|svg|html` at a narrow width: the metric and variant
    columns stay, the labels keep what tells the models apart (…lr1e-5), and a
    model that does not fit goes into a block below; no line is wider."""
    from test_scalars import reference_summary

    models = sweep_models()
    summaries = {m.id: [reference_summary("accuracy", "validation", [(0, 0.9 + i / 100)]),
                        reference_summary("gpu", "utilization", [(0, 30.5 + i)])] for i, m in enumerate(models)}
    table = build_value_table(models, summaries)
    console = Console(width=width, record=True, force_terminal=True, color_system="truecolor", file=io.StringIO())
    console.print(value_table_to_rich(table, extremes=True, colors=ModelColors(m.id for m in models), width=width))
    text = console.export_text(styles=False)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines)
    headers = [line for line in lines if "metric" in line]
    assert headers and all("variant" in h for h in headers)
    assert sum("accuracy" in line for line in lines) == len(headers)  # every block repeats the metric
    for tail in ("…lr1e-5", "…lr3e-5", "…lr3e-4"):  # cut before what tells them apart
        assert re.search(f"…[a-z-]*{tail[1:]}", text)
    assert "0.9" in text and "0.93" in text  # every model's value is shown


def test_values_cut_labels_before_metric_names() -> None:
    """At 80 columns four sweep members fit side by side as …lr1e-5 beside a
    whole metric name ("test_accuracy"): labels are cut before names are."""
    from test_scalars import reference_summary

    models = sweep_models()
    summaries = {m.id: [reference_summary("test_accuracy_top1", "validation", [(0, 0.9 + i / 100)]),
                        reference_summary("latency_ms", "batch_32", [(0, 5.5 + i)])] for i, m in enumerate(models)}
    table = build_value_table(models, summaries)
    text = plain(value_table_to_rich(table, colors=ModelColors(m.id for m in models), width=80), 80)
    headers = [line for line in text.splitlines() if "metric" in line]
    assert len(headers) == 1  # one block: all four side by side
    assert "test_accuracy_top1" in text and "validation" in text  # names whole
    assert all(label in headers[0] for label in ("…lr1e-5", "…lr3e-5", "…lr3e-4", "…librispeech"))
