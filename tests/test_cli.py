"""The CLI end to end: in-process for speed, and as a subprocess where the exit
code and the absence of a traceback are what is tested."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from modelcompare_tui.cli import main
from modelcompare_tui.core.model import Model, ModelRecord, Plot, ScalarSeries
from modelcompare_tui.core.modelfile import export_document, write_model_file
from modelcompare_tui.core.state import decode_state
from modelcompare_tui.sources.store import SQLiteStore


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "modelcompare_tui", *args], capture_output=True, text=True)


def make_records(n: int = 3) -> list[ModelRecord]:
    records = []
    for i in range(n):
        its = np.arange(0, 500, dtype=np.int64)
        vals = np.exp(-its / (100.0 + i)) + 0.01 * i
        vals[7] = np.nan
        ts = 1_700_000_000.0 + its.astype(np.float64)
        records.append(
            ModelRecord(
                Model(id=f"{i:032x}", name=f"model-{i}", project="vision" if i % 2 else "nlp",
                      framework="PyTorch", tags=["sweep", f"t{i}"], user="ana",
                      created=f"2026-01-0{i + 1}T00:00:00Z", updated=f"2026-01-0{i + 1}T00:00:00Z",
                      labels={"cat": 0, "dog": 1}),
                scalars=[ScalarSeries("loss", "train", its, vals, ts)],
                single_values={"test_acc": 0.9 + i / 100},
                plots=[Plot("roc", "val", 10, "line", {"series": [{"name": "roc", "x": [0, 0.5, 1], "y": [0, 0.8, 1]}],
                                                         "x_label": "fpr", "y_label": "tpr"})],
            )
        )
    return records


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    path = tmp_path / "models.json"
    write_model_file(make_records(), path)
    return path


def test_import_list_export_roundtrip(tmp_path: Path, model_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "a.db"
    assert main(["import", "--store", str(store), str(model_file)]) == 0
    assert "imported 3 models (1500 points)" in capsys.readouterr().out

    assert main(["list", "--store", str(store), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["total"] == 3 and {m["name"] for m in listed["models"]} == {"model-0", "model-1", "model-2"}

    assert main(["list", "--store", str(store), "--format", "csv", "--search", "VISION"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["name"] for r in rows] == ["model-1"]

    assert main(["list", "--store", str(store), "--sort", "name:desc", "--format", "csv"]) == 0
    assert [r["name"] for r in csv.DictReader(io.StringIO(capsys.readouterr().out))] == ["model-2", "model-1", "model-0"]

    out = tmp_path / "out.json"
    ids = [f"{i:032x}" for i in range(3)]
    assert main(["export", "--store", str(store), *ids, "-o", str(out)]) == 0
    # import the export into an empty store: equal models
    store2 = tmp_path / "b.db"
    assert main(["import", "--store", str(store2), str(out)]) == 0
    a, b = SQLiteStore(store).export_records(ids), SQLiteStore(store2).export_records(ids)
    assert export_document(a) == export_document(b)
    assert a[0].scalars[0] == b[0].scalars[0]


def test_import_bad_file_writes_nothing(tmp_path: Path, model_file: Path) -> None:
    doc = json.loads(model_file.read_text())
    doc["models"][2]["scalars"][0]["points"][7][1] = "abc"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    store = tmp_path / "s.db"
    result = run_cli("import", "--store", str(store), str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert "models[2].scalars[0].points[7]" in result.stderr and "bad.json" in result.stderr
    assert SQLiteStore(store).count_models() == 0


@pytest.mark.parametrize(
    "content",
    [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\x00" * 200],
)
def test_corrupt_store_exits_2(tmp_path: Path, content: bytes) -> None:
    store = tmp_path / "broken.db"
    store.write_bytes(content)
    result = run_cli("list", "--store", str(store))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(store) in result.stderr and result.stderr.startswith("modelcompare: ")


def test_foreign_sqlite_db_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    result = run_cli("list", "--store", str(path))
    assert result.returncode == 2 and "not a modelcompare store" in result.stderr


def test_share_and_render_models(tmp_path: Path, model_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "a.db"
    assert main(["import", "--store", str(store), str(model_file)]) == 0
    capsys.readouterr()
    ids = [f"{i:032x}" for i in range(3)]
    assert main(["share", "--store", str(store), *ids, "--tab", "scalars", "--base", ids[2], "--agg", "max"]) == 0
    text = capsys.readouterr().out.strip()
    state = decode_state(text)
    assert state.models == (ids[2], ids[0], ids[1]) and state.tab == "scalars" and state.scalars.agg == "max"
    assert state.source == str(store.resolve())
    assert len(text) < 400

    assert main(["render", text, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["metric", "variant", "model-2", "model-0", "model-1"]
    assert rows[1][:2] == ["loss", "train"]
    # Max of exp(-i/k)+c over i>=0 is at i=0: 1 + c
    assert [float(x) for x in rows[1][2:]] == [1.02, 1.0, 1.01]


@pytest.mark.parametrize(
    "args, needle",
    [
        (["render", "mc1.garbage"], "state string"),
        (["share", "nope", "--store", "{store}"], "no store at"),
        (["list", "--sort", "colour"], "unknown column"),
        (["list", "--format", "xml"], "invalid choice"),
        (["import", "{missing}"], "missing.json"),
        (["--source", "ftp://x"], "unknown source"),
        (["demo", "--models", "0"], "--models"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    args = [a.format(store=tmp_path / "s.db", missing=tmp_path / "missing.json") for a in args]
    result = run_cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert needle in result.stderr


def test_global_options_work_before_or_after_the_command(tmp_path) -> None:  # noqa: ANN001
    """PRODUCT §4: --store, --source, --demo, --theme before or after the command."""
    from modelcompare_tui.cli import main

    store = tmp_path / "s.db"
    assert main(["--store", str(store), "demo", "--models", "2"]) == 0
    assert main(["demo", "--models", "1", "--seed", "1", "--store", str(store)]) == 0
    for argv in (["--store", str(store), "list", "--format", "json"],
                 ["list", "--format", "json", "--store", str(store)],
                 ["--theme", "light", "list", "--store", str(store), "--format", "json"]):
        import contextlib
        import io
        import json

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(argv) == 0, argv
        assert json.loads(out.getvalue())["total"] == 3, argv
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--demo", "list", "--format", "json", "--limit", "3"]) == 0
    assert len(json.loads(out.getvalue())["models"]) == 3
