"""Headless views: render formats, report, and render --watch with a live writer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from modelcompare_tui.cli import main
from modelcompare_tui.core.state import ComparisonState, encode_state
from modelcompare_tui.sources.store import SQLiteStore

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import make_records  # noqa: E402

IDS = [f"{i:032x}" for i in range(3)]


@pytest.fixture
def filled_store(tmp_path: Path) -> Path:
    path = tmp_path / "r.db"
    store = SQLiteStore(path)
    store.import_records(make_records())
    store.close()
    return path


def state_for(path: Path, tab: str = "details") -> str:
    return encode_state(ComparisonState(source=str(path), models=tuple(IDS), tab=tab))


@pytest.mark.parametrize("tab", ["details", "network", "scalars"])
@pytest.mark.parametrize("fmt", ["text", "md", "json", "svg", "html", "ansi"])
def test_render_formats(filled_store: Path, tab: str, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", state_for(filled_store, tab), "--format", fmt, "--width", "120"]) == 0
    out = capsys.readouterr().out
    assert out
    if fmt == "json":
        doc = json.loads(out)
        if tab == "scalars":
            assert [m["name"] for m in doc["models"]] == ["model-0", "model-1", "model-2"]
        else:
            assert doc["tab"] == tab and doc["base"] == IDS[0]
    elif fmt == "svg":
        assert out.lstrip().startswith("<svg")
    elif fmt == "html":
        assert "<html" in out.lower() or "<pre" in out.lower()
    if fmt in ("text", "md") and tab != "network":
        assert "model-1" in out


def test_render_details_json_fields(filled_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", state_for(filled_store), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = {(r["section"], r["field"]): r for r in doc["rows"]}
    assert rows[("General", "project")]["values"] == ["nlp", "vision", "nlp"]
    assert rows[("General", "project")]["identical"] is False
    assert rows[("General", "framework")]["identical"] is True
    assert [m["id"] for m in doc["models"]] == IDS


def test_render_missing_model_is_named(filled_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = encode_state(ComparisonState(source=str(filled_store), models=(IDS[0], "f" * 32, IDS[1])))
    assert main(["render", state, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "f" * 32 in captured.err and "missing" in captured.err
    assert [m["id"] for m in json.loads(captured.out)["models"]] == [IDS[0], IDS[1]]


def test_report_markdown_and_html(filled_store: Path, tmp_path: Path) -> None:
    for name in ("report.md", "report.html"):
        out = tmp_path / name
        assert main(["report", state_for(filled_store), "-o", str(out)]) == 0
        text = out.read_text()
        for title in ("Details", "Network", "Scalars", "Plots"):
            assert title in text
        assert "model-2" in text


def test_render_watch_follows_a_writer(filled_store: Path) -> None:
    state = state_for(filled_store, "scalars")
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-m", "modelcompare_tui", "render", state, "--format", "csv", "--watch"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        time.sleep(1.5)
        store = SQLiteStore(filled_store)
        store.add_scalars(IDS[1], "loss", "train", np.array([10_000]), np.array([123.5]))
        store.add_scalars(IDS[1], "acc", "val", np.array([1, 2]), np.array([0.5, 0.75]))
        store.close()
        deadline = time.time() + 10
        while time.time() < deadline:
            if "123.5" in "".join(lines) and "acc,val" in "".join(lines):
                break
            time.sleep(0.2)
        seen = "".join(lines)
        assert seen.count("\f") >= 2, seen
        assert "123.5" in seen and "acc,val" in seen
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize("fmt", ["text", "md", "json", "svg", "html"])
def test_render_plots_formats(filled_store: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", state_for(filled_store, "plots"), "--format", fmt, "--width", "100"]) == 0
    out = capsys.readouterr().out
    assert "roc" in out
    if fmt == "json":
        json.loads(out)
    elif fmt == "svg":
        assert out.lstrip().startswith("<svg")


def test_render_csv_is_the_scalar_table(filled_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", state_for(filled_store, "scalars"), "--format", "csv", "--agg", "min"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "metric,variant,model-0,model-1,model-2"
    assert lines[1].startswith("loss,train,") and len(lines) == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--tab", "details", "--format", "csv"], "csv is the scalar table"),
        (["--tab", "plots", "--format", "csv"], "csv is the scalar table"),
        (["--tab", "details", "--plot", "loss/train"], "--plot picks a chart or plot of the scalars or plots tab"),
        (["--tab", "plots", "--plot", "nope/none"], "no plot 'nope/none'"),
        (["--tab", "scalars", "--view", "graph", "--plot", "nope/none"], "no chart 'nope/none'"),
    ],
)
def test_render_bad_requests_are_one_line(filled_store: Path, args: list[str], needle: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", state_for(filled_store), *args]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_render_plot_picks_one_chart_and_width_is_kept(filled_store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = state_for(filled_store, "scalars")
    assert main(["render", state, "--view", "graph", "--plot", "loss/train", "--width", "72"]) == 0
    out = capsys.readouterr().out
    assert "loss" in out and max(len(line) for line in out.splitlines()) <= 72
    assert main(["render", state, "--width", "60"]) == 0
    narrow = capsys.readouterr().out
    assert max(len(line) for line in narrow.splitlines()) <= 60
    assert main(["render", state_for(filled_store, "plots"), "--plot", "roc/val"]) == 0
    out = capsys.readouterr().out
    assert "roc" in out and "Summary" not in out


def test_report_opens_with_its_state_string(filled_store: Path, tmp_path: Path) -> None:
    from modelcompare_tui.core.state import decode_state

    out = tmp_path / "r.md"
    state = state_for(filled_store, "scalars")
    assert main(["report", state, "-o", str(out)]) == 0
    line = next(x for x in out.read_text().splitlines() if x.startswith("Open it:"))
    assert decode_state(line.split("'")[1]) == decode_state(state)
