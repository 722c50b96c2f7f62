"""Issue #10, headless side: every CLI output shows untrusted text, never obeys
it, and output files are written safely.

A real SQLite store holds models whose every text field (names, tags, project,
user, metric and variant names, config, metadata, labels, single values, plot
titles, labels, series names, categories, table cells, heatmap labels, plot
text) carries the hostile strings of tests/hostile_strings.py. Every command,
tab and format runs on it: no raw control byte may come out (only the SGR
colour sequences `--format ansi` itself writes), the text stays recognisable,
and JSON keeps the original strings exactly.

A lone surrogate cannot be stored (SQLite's UTF-8 binding refuses it, and import
refuses it by design), so it is left out of the store and tested on the
formatters directly.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from modelcompare_tui.cli import main
from modelcompare_tui.core.display import display_text
from modelcompare_tui.core.model import (
    Config,
    MetadataItem,
    Model,
    ModelRecord,
    Plot,
    ScalarSeries,
)
from modelcompare_tui.core.state import ComparisonState, decode_state, encode_state
from modelcompare_tui.render.escaping import csv_text, json_dumps, md_code_block, md_text, redact_secrets
from modelcompare_tui.sources.store import SQLiteStore

sys.path.insert(0, str(Path(__file__).parent))
from hostile_strings import HOSTILE, unsafe_chars

STORED = {k: v for k, v in HOSTILE.items() if k != "lone_surrogate"}
H = STORED
SCRIPT = "<script>alert(1)</script>"
FORMULA = "=1+2"
IDS = [f"{i:032x}" for i in range(1, 6)]
NAMES = [H["osc52_clipboard"], H["markup_close"], H["bidi_override"], SCRIPT, FORMULA]
ALL_TEXT = "\n".join(STORED.values())
FORMATS = ("text", "ansi", "md", "svg", "html", "json")
TABS = ("details", "network", "scalars", "plots")


def _plots(i: int) -> list[Plot]:
    return [
        Plot(H["markup_close"], "line", 5, "line", {
            "series": [{"name": H["osc52_clipboard"], "x": [0, 1, 2], "y": [0.1 * i, 0.5, 0.9]}],
            "x_label": H["title_set"], "y_label": H["csi_cursor"]}),
        Plot("scatter", H["markup_link"], 5, "scatter", {
            "series": [{"name": H["markup_bold"], "x": [0, 1, 2], "y": [1, 2 + i, 3]}],
            "x_label": H["c1_csi"], "y_label": H["bidi_override"]}),
        Plot("bars", H["zero_width"], 5, "bar", {
            "categories": [H["osc8_link"], H["markup_realistic"], "=cat"],
            "series": [{"name": H["title_set"], "values": [1.0, 2.0 + i, 3.0]}]}),
        Plot("box", H["bell_backspace"], 5, "box", {
            "series": [{"name": H["newline_tab"], "values": [1.0, 2.0, 3.0 + i, 4.0, 10.0]}]}),
        Plot("hist", H["csi_cursor"], 5, "histogram", {
            "series": [{"name": H["c1_csi"], "values": [1.0, 2.0, 2.5, 3.0 + i]}], "bins": 4,
            "x_label": H["osc52_clipboard"]}),
        Plot("table", H["title_set"], 5, "table", {
            "columns": [H["markup_close"], H["osc52_clipboard"], "=col"],
            "rows": [[H["markup_link"], 1.5, FORMULA], [SCRIPT, H["bidi_override"], -0.5]]}),
        Plot("heat", H["osc8_link"], 5, "heatmap", {
            "matrix": [[1, 2], [3, 4 + i]], "x_labels": [H["markup_close"], H["title_set"]],
            "y_labels": [H["osc52_clipboard"], SCRIPT]}),
        Plot("confusion", "cm", 5, "confusion_matrix", {
            "matrix": [[5, 1], [2, 7]], "x_labels": [H["c1_csi"], H["markup_bold"]],
            "y_labels": [H["zero_width"], H["csi_cursor"]]}),
        Plot("text", H["markup_bold"], 5, "text", {"text": ALL_TEXT + "\n" + SCRIPT}),
    ]


def hostile_records() -> list[ModelRecord]:
    records = []
    values = list(STORED.values())
    for i, (model_id, name) in enumerate(zip(IDS, NAMES)):
        its = np.arange(20, dtype=np.int64)
        ts = 1_700_000_000.0 + its.astype(np.float64)
        config = {H["osc52_clipboard"]: H["title_set"], "markup": H["markup_close"], "lr": 0.1 * (i + 1),
                  "script": SCRIPT, "long": H["long_10kb"] if i == 0 else "short", H["markup_link"]: i}
        model = Model(
            id=model_id, name=name, project=values[(i + 2) % len(values)], framework=H["markup_link"],
            status="draft", tags=values, user=H["c1_csi"] if i % 2 else H["title_set"],
            created=f"2026-01-0{i + 1}T00:00:00Z", updated=f"2026-01-0{i + 1}T00:00:00Z",
            comment=H["newline_tab"] + SCRIPT, uri=H["osc8_link"], task_name=H["csi_cursor"],
            labels={H["markup_close"]: 0, H["osc52_clipboard"]: 1, SCRIPT: 2},
            metadata=[MetadataItem(k, "str", v) for k, v in STORED.items()] + [MetadataItem(SCRIPT, "str", FORMULA)],
            config=Config("json", json.dumps(config)),
        )
        records.append(ModelRecord(
            model,
            scalars=[
                ScalarSeries(H["csi_cursor"], H["markup_close"], its, np.exp(-its / 10.0) + i, ts),
                ScalarSeries("-loss", "=train", its, -0.5 - its / 100.0, ts),
                ScalarSeries(H["osc52_clipboard"], H["markup_realistic"], its, its * 0.1, ts),
                ScalarSeries(SCRIPT, H["bidi_override"], its, its * 0.2, ts),
            ],
            single_values={H["markup_bold"]: 0.5 + i, "=SUM(A1)": -0.5, H["title_set"]: 2.0},
            plots=_plots(i),
        ))
    return records


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    store = SQLiteStore(path)
    store.import_records(hostile_records())
    store.close()
    return path


def state_of(path: Path, tab: str, **scalars: object) -> str:
    from dataclasses import replace

    state = ComparisonState(source=str(path), models=tuple(IDS), tab=tab)
    if scalars:
        state = replace(state, scalars=replace(state.scalars, **scalars))
    return encode_state(state)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    # what reaches the terminal must be encodable (no lone surrogate)
    captured.out.encode("utf-8")
    captured.err.encode("utf-8")
    return code, captured.out, captured.err


def assert_safe(out: str, fmt: str = "text") -> None:
    bad = unsafe_chars(out, allow_sgr=fmt == "ansi")
    assert bad == [], f"{fmt}: raw unsafe characters {sorted(set(bad))[:10]!r}"


def unescaped_tag(md: str) -> bool:
    """Whether Markdown holds a `<script` an HTML renderer would read as a tag."""
    return re.search(r"(?<!\\)<\s*/?\s*script", strip_md_code(md), re.IGNORECASE) is not None


def strip_md_code(md: str) -> str:
    """Markdown without its fenced blocks and code spans (literal text there)."""
    md = re.sub(r"(?ms)^(`{3,})\n.*?\n\1$", "", md)
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", md)


# -- every command × tab × format --------------------------------------------------------


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_render_every_tab_and_format_shows_never_obeys(hostile_store: Path, tab: str, fmt: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "render", state_of(hostile_store, tab), "--format", fmt, "--width", "1000")
    assert code == 0, err
    assert_safe(out, fmt)
    assert_safe(err)
    if fmt == "json":
        doc = json.loads(out)
        assert [m["name"] for m in doc["models"]] == NAMES  # the originals, exactly
        return
    if fmt == "md":
        assert "SElKQUNL" in out and md_text(H["markup_close"]) in out
        assert not unescaped_tag(out)
        return
    assert "SElKQUNL" in out  # model 0's name, recognisable
    if fmt in ("html", "svg"):
        assert "<script" not in out
    if fmt in ("text", "ansi"):
        assert display_text(H["osc52_clipboard"]) in out  # ␛]52;c;SElKQUNL␇X
        assert H["markup_close"] in out  # never read as Rich markup


def test_render_json_round_trips_every_original_string(hostile_store: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "render", state_of(hostile_store, "details"), "--format", "json")
    rows = {(r["section"], r["field"]): r["values"] for r in json.loads(out)["rows"]}
    assert rows[("General", "user")][0] == H["title_set"]
    assert rows[("General", "comment")][0] == H["newline_tab"] + SCRIPT
    for key, value in STORED.items():
        assert rows[("Metadata", key)] == [value] * len(IDS)
    _, out, _ = run(capsys, "render", state_of(hostile_store, "scalars"), "--format", "json")
    assert {(r["metric"], r["variant"]) for r in json.loads(out)["rows"]} >= {
        (H["csi_cursor"], H["markup_close"]), (SCRIPT, H["bidi_override"])}
    _, out, _ = run(capsys, "render", state_of(hostile_store, "plots"), "--format", "json")
    groups = {(g["metric"], g["variant"]): g for g in json.loads(out)["groups"]}
    assert groups[("text", H["markup_bold"])]["panels"][0]["text"] == ALL_TEXT + "\n" + SCRIPT
    assert groups[(H["markup_close"], "line")]["chart"]["x_label"] == H["title_set"]
    assert groups[("table", H["title_set"])]["table"]["columns"][1:] == [H["markup_close"], H["osc52_clipboard"],
                                                                        "=col"]


@pytest.mark.parametrize("fmt", ("text", "ansi", "svg", "html"))
def test_render_scalars_graph(hostile_store: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "render", state_of(hostile_store, "scalars", view="graph", config_legend=True),
                         "--format", fmt, "--width", "160")
    assert code == 0, err
    assert_safe(out, fmt)
    assert "SElKQUNL" in out and "moved" in out  # a legend and a chart title
    if fmt in ("text", "ansi"):
        assert H["markup_close"] in out


@pytest.mark.parametrize("fmt", ("text", "ansi", "md"))
def test_render_one_plot_of_each_kind(hostile_store: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    for plot in (f"{H['markup_close']}/line", f"scatter/{H['markup_link']}", f"bars/{H['zero_width']}",
                 f"box/{H['bell_backspace']}", f"hist/{H['csi_cursor']}", f"table/{H['title_set']}",
                 f"heat/{H['osc8_link']}", "confusion/cm", f"text/{H['markup_bold']}"):
        code, out, err = run(capsys, "render", state_of(hostile_store, "plots"), "--format", fmt, "--plot", plot,
                             "--width", "200")
        assert code == 0, (plot, err)
        assert_safe(out, fmt)
        assert out.strip()


def test_plot_text_labels_and_cells_are_recognisable(hostile_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "render", state_of(hostile_store, "plots"), "--format", "text", "--width", "1000")
    for token in ("TAGTITLE", "moved", "dcba", "loud", "top1", "lines and tab", "click"):
        assert token in out, token
    assert "[bold red]loud[/bold red]" in out and "[link=file:///etc/passwd]x[/link]" in out
    assert "\u241b" in out  # ␛: an escape shown, not sent


def test_list_table_csv_json(hostile_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list", "--store", str(hostile_store))
    assert code == 0, err
    assert_safe(out)
    assert "SElKQUNL" in out and "a[/]b" in out and "5 models" in out
    code, out, err = run(capsys, "list", "--store", str(hostile_store), "--format", "csv")
    assert code == 0
    assert_safe(out)
    rows = list(csv.DictReader(io.StringIO(out)))
    names = {r["name"] for r in rows}
    assert "'" + FORMULA in names and display_text(H["osc52_clipboard"]) in names
    assert all(not r[c].startswith(("=", "+", "-", "@")) for r in rows for c in r)
    code, out, err = run(capsys, "list", "--store", str(hostile_store), "--format", "json")
    assert code == 0
    assert_safe(out)  # controls are JSON escapes, not raw bytes
    models = json.loads(out)["models"]
    assert sorted(m["name"] for m in models) == sorted(NAMES)
    assert all(m["tags"] == list(STORED.values()) for m in models)


def test_share_prints_a_state_and_refuses_hostile_ids_safely(hostile_store: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "share", "--store", str(hostile_store), *IDS[:2], "--tab", "plots")
    assert code == 0 and out.startswith("mc") and not unsafe_chars(out)
    # a model is also named by its exact name (IDS[0]'s is this one): printed as data, never obeyed
    code, out, _ = run(capsys, "share", "--store", str(hostile_store), H["osc52_clipboard"], IDS[1])
    assert code == 0 and decode_state(out.strip()).models == tuple(IDS[:2])
    code, out, err = run(capsys, "share", "--store", str(hostile_store), IDS[0], H["osc52_clipboard"] + "-gone")
    assert code == 2 and "unknown model" in err
    assert_safe(err)
    assert "SElKQUNL" in err


def test_error_messages_carrying_data_are_safe(hostile_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = state_of(hostile_store, "plots")
    code, _, err = run(capsys, "render", state, "--plot", H["title_set"] + "/x")
    assert code == 2 and "no plot" in err
    assert_safe(err)
    assert "\n" not in err.rstrip("\n")  # one line
    code, _, err = run(capsys, "render", state_of(hostile_store, "scalars", view="graph"), "--plot", "nope/x")
    assert code == 2 and "no chart" in err and "moved" in err  # candidates are listed, shown
    assert_safe(err)
    missing = encode_state(ComparisonState(source=str(hostile_store), models=(IDS[0], IDS[1], H["zero_width"])))
    code, _, err = run(capsys, "render", missing, "--format", "text")
    assert code == 0 and "missing" in err and "zero" in err
    assert_safe(err)


def test_a_refused_uri_never_repeats_its_token(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "list", "--source", "https://host/api?token=SECRET123&x=1")
    assert code == 2 and "unknown source" in err
    assert "SECRET123" not in err and "host/api" in err
    code, _, err = run(capsys, "list", "--source", "ftp://ana:hunter2@host/\x1b]52;c;QQ\x07")
    assert code == 2 and "hunter2" not in err
    assert_safe(err)


def test_report_md_and_html_escape_every_data_string(hostile_store: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    state = state_of(hostile_store, "details")
    md_path, html_path = tmp_path / "r.md", tmp_path / "r.html"
    assert run(capsys, "report", state, "-o", str(md_path))[0] == 0
    assert run(capsys, "report", state, "-o", str(html_path))[0] == 0
    md = md_path.read_text(encoding="utf-8")
    heading = md.splitlines()[0]
    assert heading.startswith("# Model comparison: ") and "\\<script\\>" in heading
    assert not unescaped_tag(md)
    assert_safe(md)
    assert "SElKQUNL" in md and "a\\[/\\]b" in md
    html = html_path.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert_safe(html)
    assert "SElKQUNL" in html


# -- CSV --------------------------------------------------------------------------------------


def test_scalars_csv_neutralises_formulas_and_keeps_numbers(hostile_store: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "render", state_of(hostile_store, "scalars"), "--format", "csv")
    assert code == 0
    assert_safe(out)
    rows = list(csv.reader(io.StringIO(out)))
    header = rows[0]
    assert header[:2] == ["metric", "variant"]
    assert header[2:] == [csv_text(n) for n in NAMES] and header[-1] == "'" + FORMULA
    by_key = {(r[0], r[1]): r[2:] for r in rows[1:]}
    loss = by_key[("'-loss", "'=train")]
    assert all(float(v) < 0 for v in loss) and loss[0] == "-0.69"  # numbers stay numbers, unprefixed
    assert (display_text(H["csi_cursor"]), display_text(H["markup_close"])) in by_key


@pytest.mark.parametrize(("raw", "cell"), [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "' x"), ("\rx", "'␍x"),
    ("a=b", "a=b"), ("", ""), ("\x1b]52;c;QQ\x07", "␛]52;c;QQ␇"),
])
def test_csv_text(raw: str, cell: str) -> None:
    assert csv_text(raw) == cell


def test_csv_download_writes_safely(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelcompare_tui.core.scalars import build_value_table
    from modelcompare_tui.render import csv as render_csv
    from modelcompare_tui.render.value_text import value_table_to_csv

    store = SQLiteStore(tmp_path / "s.db")
    store.import_records(hostile_records()[:2])
    models = store.get_models(IDS[:2])
    table = build_value_table(models, store.scalar_summaries(IDS[:2]))
    store.close()
    monkeypatch.setattr(render_csv.time, "strftime", lambda fmt, *a: "20260101-000000")
    victim = tmp_path / "victim.csv"
    planted = tmp_path / "modelcompare-scalars-last-20260101-000000.csv"
    planted.symlink_to(victim)  # dangling: a predictable name, planted
    path = render_csv.write_csv(table, tmp_path)
    assert not victim.exists()
    assert not path.is_symlink() and path.read_text(encoding="utf-8") == value_table_to_csv(table)
    assert "'-loss" in path.read_text(encoding="utf-8")


# -- safe output files -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x.md", "x.html"])
def test_report_replaces_a_planted_symlink_and_ignores_a_planted_tmp(hostile_store: Path, tmp_path: Path, name: str,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    state = state_of(hostile_store, "details")
    out = tmp_path / name
    victim = tmp_path / "victim"
    out.symlink_to(victim)
    assert run(capsys, "report", state, "-o", str(out))[0] == 0
    assert not victim.exists() and not out.is_symlink() and "Model comparison" in out.read_text()
    out.unlink()
    tmp_victim = tmp_path / "tmp-victim"
    (tmp_path / (name + ".tmp")).symlink_to(tmp_victim)
    assert run(capsys, "report", state, "-o", str(out))[0] == 0
    assert not tmp_victim.exists() and "Model comparison" in out.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, name + ".tmp"])  # no temp file left


def test_export_replaces_a_planted_symlink(hostile_store: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "e.json"
    victim = tmp_path / "victim"
    out.symlink_to(victim)
    code, stdout, err = run(capsys, "export", "--store", str(hostile_store), IDS[0], "-o", str(out))
    assert code == 0, err
    assert not victim.exists() and not out.is_symlink()
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["models"][0]["name"] == NAMES[0]  # the model file keeps the original
    assert_safe(stdout)


def test_report_into_a_missing_directory_is_a_clean_error(hostile_store: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "report", state_of(hostile_store, "details"), "-o", str(tmp_path / "no" / "r.md"))
    assert code == 2 and "cannot write" in err


# -- the formatters on what the store cannot hold: a lone surrogate -------------------------------


def test_lone_surrogate_in_every_formatter() -> None:
    from rich.console import Console

    from modelcompare_tui.core import diff, scalars
    from modelcompare_tui.core.model import ScalarSummary
    from modelcompare_tui.render import diff_text, value_text

    sur = HOSTILE["lone_surrogate"]
    models = [Model(id="a" * 32, name=sur, tags=[sur], metadata=[MetadataItem(sur, "str", sur)]),
              Model(id="b" * 32, name="b", project=sur)]
    table = diff.details_diff(models)
    summary = {m.id: [ScalarSummary(sur, sur, 1.0, 1, 1.0, 1, 1.0, 1, 1)] for m in models}
    values = scalars.build_value_table(models, summary)
    texts = [
        diff_text.diff_to_text(table, width=200), diff_text.diff_to_markdown(table),
        value_text.value_table_to_csv(values), value_text.value_table_to_markdown(values),
        value_text.value_table_to_text(values),
        json_dumps(diff_text.diff_to_json(table)), json_dumps(value_text.value_table_to_json(values)),
    ]
    console = Console(record=True, width=200, force_terminal=True, color_system="truecolor",
                      file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(diff_text.diff_to_rich(table, width=200))
    console.print(value_text.value_table_to_rich(values))
    texts.append(console.export_text(styles=True))
    for text in texts:
        text.encode("utf-8")  # writable
        assert unsafe_chars(text, allow_sgr=True) == []
        assert "sur" in text
    assert json.loads(texts[5])["models"][0]["name"] == sur  # JSON keeps it exactly


# -- the shared renderers the app draws with ------------------------------------------------------


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_app_renderers_take_hostile_text_as_text(key: str) -> None:
    from rich.console import Console

    from modelcompare_tui.core.colors import ModelColors
    from modelcompare_tui.core.plotmerge import MergedTable, PlotPanel
    from modelcompare_tui.render.chart_series import legend_lines
    from modelcompare_tui.render.plots import (
        Bar,
        BarCluster,
        BarClusters,
        merged_table_renderable,
        panel_renderable,
    )
    from modelcompare_tui.render.raster import LegendItem

    text = HOSTILE[key][:200]
    model = Model(id="a" * 32, name=text)
    colors = ModelColors([model.id])
    console = Console(record=True, width=120, force_terminal=True, color_system="truecolor",
                      file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(*legend_lines([LegendItem(text, "#4e9de0", "x", True, text)], 120))
    console.print(merged_table_renderable(MergedTable(("model", text), ((text, text),), (0,)), [model], colors))
    console.print(panel_renderable(PlotPanel(0, model.id, text, 3, "heatmap", None, np.ones((1, 1)), (text,),
                                             (text,), ""), colors))
    console.print(panel_renderable(PlotPanel(0, model.id, text, 3, "text", None, None, (), (), text), colors))
    console.print(BarClusters([BarCluster(text, (Bar(text, 1.0, "#4e9de0"),))]))
    out = console.export_text(styles=True)
    assert unsafe_chars(out, allow_sgr=True) == []
    shown = display_text(text)[:8]
    assert shown in out  # recognisable, and markup shown as written


# -- escaping helpers -------------------------------------------------------------------------------


def test_md_text_and_code_block() -> None:
    assert md_text("a|b *c* <x> [l](u) _e_ class_counts &amp;") == (
        "a\\|b \\*c\\* \\<x\\> \\[l\\](u) \\_e\\_ class_counts \\&amp;")
    assert md_text("# h") == "\\# h"
    block = md_code_block("x\n```\ny")
    assert block.startswith("````\n") and block.endswith("\n````\n")


def test_json_dumps_escapes_invisible_characters_and_round_trips() -> None:
    for value in HOSTILE.values():
        text = json_dumps({"v": value, "é": "модель"})
        assert unsafe_chars(text) == [] and "модель" in text
        assert json.loads(text) == {"v": value, "é": "модель"}
    assert json.loads(json_dumps("\U000e0001")) == "\U000e0001"  # beyond the BMP: a surrogate pair escape


def test_redact_secrets() -> None:
    assert redact_secrets("mlflow+https://h/x?token=abc&run=1: refused") == "mlflow+https://h/x?token=***&run=1: refused"
    assert redact_secrets("https://u:pw@h/x") == "https://u:***@h/x"
    assert redact_secrets("plain message") == "plain message"
