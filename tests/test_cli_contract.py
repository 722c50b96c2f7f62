"""Issue 12 item 6: a CLI that takes what it prints. Global options before or
after the command, --demo everywhere, models by id prefix or unique name,
2–100 models per comparison, --plot picks the Graph view, one report
document, plural forms, "2 of 15 models", a help line for every option,
the "modelcompare:" prefix once, and where `d` saves its CSV."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from modelcompare_tui.cli import build_app_parser, build_parser, main
from modelcompare_tui.core.model import Model, ModelQuery, ModelRecord
from modelcompare_tui.core.plural import counted
from modelcompare_tui.core.state import MAX_MODELS, ComparisonState, decode_state, encode_state
from modelcompare_tui.sources.store import SQLiteStore

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import make_records  # noqa: E402

IDS = [f"{i:032x}" for i in range(3)]  # make_records' ids: they share 31 characters


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "modelcompare_tui", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as s:
        s.import_records(make_records())
    return path


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from modelcompare_tui.cli import ensure_demo_store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    ensure_demo_store(path).close()
    return path


@pytest.fixture
def demo_env(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """MODELCOMPARE_DEMO_STORE at a fresh copy of the demo store (so a test may add to it)."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    monkeypatch.setenv("MODELCOMPARE_DEMO_STORE", str(path))
    monkeypatch.setenv("MODELCOMPARE_STORE", str(tmp_path / "no-default.db"))
    return path


def tiny_store(path: Path, models: list[tuple[str, str]]) -> Path:
    with SQLiteStore(path) as s:
        s.import_records([ModelRecord(Model(id=i, name=n)) for i, n in models])
    return path


def out_of(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ----------------------------------------------------------------------------
# global options, before or after the command
# ----------------------------------------------------------------------------


@pytest.mark.parametrize("form", [
    ["--store", "{db}", "demo", "--models", "1"],
    ["--store={db}", "demo", "--models", "1"],
    ["--sto", "{db}", "demo", "--models", "1"],  # abbreviated, as argparse allows
    ["--theme", "light", "--store", "{db}", "demo", "--models", "1"],
    ["demo", "--models", "1", "--store", "{db}"],
    ["demo", "--store", "{db}", "--models", "1", "--theme", "dark"],
])
def test_global_options_before_or_after_the_command(tmp_path: Path, form: list[str],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "g.db"
    code, out, err = out_of(capsys, *(a.format(db=db) for a in form))
    assert (code, err) == (0, "")
    assert out == f"added 1 demo model to {db}\n"
    assert SQLiteStore(db).count_models() == 1


def test_the_readme_flow_runs_in_a_shell(tmp_path: Path) -> None:
    """The README's `modelcompare --store PATH demo`, then list with the option after."""
    db = tmp_path / "flow.db"
    result = run_cli("--store", str(db), "demo", "--models", "3")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    result = run_cli("list", "--store", str(db), "--format", "json")
    assert json.loads(result.stdout)["total"] == 3


# ----------------------------------------------------------------------------
# --demo for every command
# ----------------------------------------------------------------------------


def test_demo_option_works_for_every_command(demo_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    demo = SQLiteStore(demo_env)
    total = demo.count_models()
    for argv in (["--demo", "list", "--format", "json"], ["list", "--format", "json", "--demo"]):
        code, out, _ = out_of(capsys, *argv)
        assert code == 0 and json.loads(out)["total"] == total

    code, out, _ = out_of(capsys, "list", "--demo", "--limit", "2")
    assert code == 0 and out.splitlines()[-1] == f"2 of {total} models"
    ids = [line.split()[0] for line in out.splitlines()[1:3]]  # the short ids, as printed

    code, out, err = out_of(capsys, "share", "--demo", *ids, "--tab", "scalars")
    assert code == 0, err
    state = decode_state(out.strip())
    assert state.source == demo.uri and [i[:8] for i in state.models] == ids

    code, out, err = out_of(capsys, "--demo", "render", out.strip(), "--format", "csv")
    assert code == 0 and out.startswith("metric,variant,"), err

    report = tmp_path / "r.md"
    assert out_of(capsys, "report", encode_state(state), "--demo", "-o", str(report))[0] == 0
    assert report.read_text().startswith("# Model comparison")

    exported = tmp_path / "two.json"
    code, out, _ = out_of(capsys, "export", "--demo", *ids, "-o", str(exported))
    assert (code, out) == (0, f"exported 2 models to {exported}\n")

    other = tmp_path / "other-demo.db"
    monkeypatch.setenv("MODELCOMPARE_DEMO_STORE", str(other))
    code, out, _ = out_of(capsys, "import", str(exported), "--demo")
    # the demo store is created (40 models) on first use, then the two are imported into it
    assert code == 0 and "imported 2 models" in out and SQLiteStore(other).count_models() == 40
    code, out, _ = out_of(capsys, "--demo", "demo", "--models", "1", "--seed", "7")
    assert code == 0 and out == f"added 1 demo model to {other}\n"


def test_demo_with_a_store_is_refused(demo_env: Path, tmp_path: Path) -> None:
    result = run_cli("list", "--demo", "--store", str(tmp_path / "x.db"))
    assert result.returncode == 2 and "--demo" in result.stderr and result.stdout == ""


# ----------------------------------------------------------------------------
# models by id, unique id prefix or unique exact name
# ----------------------------------------------------------------------------


def printed_ids(out: str) -> dict[str, str]:
    """name -> the id `list` printed for it (table rows: ID NAME …)."""
    return {line.split()[1]: line.split()[0] for line in out.splitlines()[1:-1]}


def test_list_prints_ids_that_every_command_takes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # ids that share 8, 10 and 31 characters, and ordinary ones
    db = tiny_store(tmp_path / "p.db", [
        ("abcdef01" + "0" * 24, "alpha"), ("abcdef01" + "1" * 24, "beta"),
        ("12345678ab" + "0" * 22, "gamma"), ("12345678ac" + "0" * 22, "delta"),
        ("f" * 31 + "0", "eps"), ("f" * 31 + "1", "zeta"), ("0123abcd" + "9" * 24, "eta"),
    ])
    code, out, _ = out_of(capsys, "list", "--store", str(db))
    assert code == 0
    shown = printed_ids(out)
    assert shown == {"alpha": "abcdef010", "beta": "abcdef011", "gamma": "12345678ab", "delta": "12345678ac",
                     "eps": "f" * 31 + "0", "zeta": "f" * 31 + "1", "eta": "0123abcd"}
    full = {r.name: r.id for r in SQLiteStore(db).list_models(ModelQuery()).rows}
    code, out, err = out_of(capsys, "share", "--store", str(db), *shown.values())
    assert code == 0, err
    assert decode_state(out.strip()).models == tuple(full[n] for n in shown)
    # the same with more rows than the per-row lookup handles (one pass over every id)
    many = tiny_store(tmp_path / "many.db", [(f"{k:02d}" + "7" * 30, f"m{k}") for k in range(60)]
                      + [("aaaaaaaa" + "0" * 24, "a0"), ("aaaaaaaa" + "1" * 24, "a1")])
    code, out, _ = out_of(capsys, "list", "--store", str(many))
    shown = printed_ids(out)
    assert shown["m5"] == "05777777" and shown["a0"] == "aaaaaaaa0" and shown["a1"] == "aaaaaaaa1"
    # a prefix of many: the first few candidates, and how many more
    code, _, err = out_of(capsys, "share", "--store", str(many), "0", "a0")
    assert code == 2 and err.count("\n") == 1
    assert "'0' is ambiguous: 10 models match: " in err and err.rstrip().endswith(", and 4 more")


def test_models_by_prefix_or_exact_name(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tiny_store(tmp_path / "n.db", [("9a" + "0" * 30, "resnet"), ("9b" + "0" * 30, "resnet"),
                                        ("c0ffee00" + "0" * 24, "vit"), ("c0ffee11" + "0" * 24, "bert")])
    code, out, err = out_of(capsys, "share", "--store", str(db), "vit", "bert", "--base", "bert")
    assert code == 0, err
    assert decode_state(out.strip()).models == ("c0ffee11" + "0" * 24, "c0ffee00" + "0" * 24)
    # a prefix and a name of the same model: one model, so not a comparison
    assert out_of(capsys, "share", "--store", str(db), "c0ffee0", "vit")[0] == 2
    # a name two models carry: exit 2, one line naming both candidates
    code, out, err = out_of(capsys, "share", "--store", str(db), "resnet", "vit")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "'resnet' is ambiguous: 2 models match" in err
    assert "9a000000 (resnet)" in err and "9b000000 (resnet)" in err
    # an ambiguous prefix likewise; an exact id is never ambiguous
    code, _, err = out_of(capsys, "export", "--store", str(db), "c0ffee", "-o", str(tmp_path / "x.json"))
    assert code == 2 and "ambiguous" in err and "c0ffee00 (vit)" in err and "c0ffee11 (bert)" in err
    code, _, err = out_of(capsys, "share", "--store", str(store), IDS[0][:31], IDS[1])
    assert code == 2 and "ambiguous: 3 models match" in err
    code, out, err = out_of(capsys, "share", "--store", str(store), *IDS[:2])
    assert code == 0, err
    code, _, err = out_of(capsys, "share", "--store", str(store), "model-9", "model-1")
    assert code == 2 and "unknown model 'model-9'" in err and err.count("\n") == 1
    # names work in export too
    out_file = tmp_path / "byname.json"
    code, out, _ = out_of(capsys, "export", "--store", str(store), "model-1", "-o", str(out_file))
    assert (code, out) == (0, f"exported 1 model to {out_file}\n")
    assert [m["id"] for m in json.loads(out_file.read_text())["models"]] == [IDS[1]]


# ----------------------------------------------------------------------------
# 2–100 models
# ----------------------------------------------------------------------------


def test_share_needs_2_to_100_models(tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([IDS[0]], [IDS[0], IDS[0]], [IDS[0], "model-0"]):
        code, out, err = out_of(capsys, "share", "--store", str(store), *argv)
        assert (code, out) == (2, "") and "a comparison holds 2 to 100 models, not 1 model" in err
        assert ("given" if len(argv) == 1 else "once duplicates are dropped") in err
    ids = [f"{k:032x}" for k in range(MAX_MODELS + 1)]
    big = tiny_store(tmp_path / "big.db", [(i, f"m{k}") for k, i in enumerate(ids)])
    code, _, err = out_of(capsys, "share", "--store", str(big), *ids)
    assert code == 2 and "not 101 models given" in err
    code, out, _ = out_of(capsys, "share", "--store", str(big), *ids[:MAX_MODELS])
    assert code == 0 and len(decode_state(out.strip()).models) == MAX_MODELS


def test_render_names_missing_models_and_needs_two(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gone = ["e" * 32, "f" * 32]
    four = encode_state(ComparisonState(source=str(store), models=(IDS[0], gone[0], IDS[1], gone[1]), tab="scalars"))
    code, out, err = out_of(capsys, "render", four, "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "metric,variant,model-0,model-1"
    assert err == f"modelcompare: 2 models missing from {store}: {gone[0]}, {gone[1]}\n"
    # report: the same rule, and the line once (not once per tab)
    code, _, report_err = out_of(capsys, "report", four, "-o", str(store.parent / "four.html"))
    assert code == 0 and report_err == err

    three_gone = encode_state(ComparisonState(source=str(store), models=(IDS[0], *gone, "d" * 32)))
    code, out, err = out_of(capsys, "render", three_gone)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "3 of the state's 4 models are missing" in err and all(g in err for g in gone)
    assert "needs at least 2" in err

    one = encode_state(ComparisonState(source=str(store), models=(IDS[0],)))
    code, out, err = out_of(capsys, "render", one)
    assert (code, out) == (2, "") and "a comparison holds 2 to 100 models, not 1 model in the state" in err
    assert out_of(capsys, "report", one, "-o", str(store.parent / "r.md"))[0] == 2
    assert not (store.parent / "r.md").exists()


# ----------------------------------------------------------------------------
# render --plot picks the Graph view
# ----------------------------------------------------------------------------


def test_render_plot_on_the_values_view_draws_the_chart(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = encode_state(ComparisonState(source=str(store), models=tuple(IDS), tab="scalars"))
    code, values, _ = out_of(capsys, "render", state, "--width", "80")
    assert code == 0 and values.split()[:2] == ["metric", "variant"]
    code, chart, err = out_of(capsys, "render", state, "--width", "80", "--plot", "loss/train")
    assert code == 0, err
    assert "Graph" in chart.splitlines()[0] and "\nloss/train\n" in chart and "┌" in chart
    assert "metric" not in chart.split()[:3]
    # the same from another tab's state with --tab scalars
    details = encode_state(ComparisonState(source=str(store), models=tuple(IDS), tab="details"))
    assert out_of(capsys, "render", details, "--tab", "scalars", "--width", "80", "--plot", "loss/train")[1] == chart
    # contradicting it is refused; the table formats keep only that row
    code, _, err = out_of(capsys, "render", state, "--plot", "loss/train", "--view", "values")
    assert code == 2 and "--plot" in err and err.count("\n") == 1
    code, out, _ = out_of(capsys, "render", state, "--plot", "loss/train", "--format", "csv")
    assert code == 0 and [line.split(",")[:2] for line in out.splitlines()] == [["metric", "variant"],
                                                                                 ["loss", "train"]]
    code, _, err = out_of(capsys, "render", state, "--plot", "acc/val", "--format", "json")
    assert code == 2 and "no chart 'acc/val'" in err and "loss/train" in err


# ----------------------------------------------------------------------------
# report -o: its suffix, one document
# ----------------------------------------------------------------------------


def test_report_checks_its_suffix_before_anything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = encode_state(ComparisonState(source=str(tmp_path / "none.db"), models=tuple(IDS)))
    for name in ("x.txt", "x", "x.svg", "x.md.bak"):
        code, out, err = out_of(capsys, "report", state, "-o", str(tmp_path / name))
        assert (code, out) == (2, "") and ".md" in err and ".html" in err and "no store" not in err
        assert not (tmp_path / name).exists()


def test_report_html_is_one_document(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = encode_state(ComparisonState(source=str(store), models=tuple(IDS)))
    for name in ("report.html", "REPORT.HTM"):
        path = tmp_path / name
        code, out, _ = out_of(capsys, "report", state, "-o", str(path))
        assert (code, out) == (0, f"wrote {path}\n")
        html = path.read_text()
        lowered = html.lower()
        assert lowered.startswith("<!doctype html>") and lowered.count("<!doctype") == 1
        assert lowered.count("<html") == lowered.count("</html>") == 1
        assert lowered.count("<body") == 1 and lowered.count("<head") == 1
        assert re.findall(r'<section id="(\w+)">', html) == ["details", "network", "scalars", "plots"]
        assert html.count("<pre") == 4 and "model-1" in html
    md = tmp_path / "report.markdown"
    assert out_of(capsys, "report", state, "-o", str(md))[0] == 0
    assert md.read_text().count("# Model comparison") == 1


# ----------------------------------------------------------------------------
# counts: plural forms, "2 of 15 models"
# ----------------------------------------------------------------------------


def test_counted() -> None:
    assert [counted(n, "model") for n in (0, 1, 2)] == ["0 models", "1 model", "2 models"]
    assert counted(1, "series", "series") == "1 series" and counted(3, "series", "series") == "3 series"


def test_counts_read_as_english(tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = tmp_path / "one.json"
    code, out, _ = out_of(capsys, "export", "--store", str(store), IDS[0], "-o", str(one))
    assert out == f"exported 1 model to {one}\n"
    code, out, _ = out_of(capsys, "import", "--store", str(tmp_path / "i.db"), str(one))
    assert out == f"{one}: imported 1 model (500 points)\n"
    code, out, _ = out_of(capsys, "list", "--store", str(tmp_path / "i.db"))
    assert out.splitlines()[-1] == "1 model"
    code, out, _ = out_of(capsys, "demo", "--store", str(tmp_path / "d.db"), "--models", "1")
    assert out == f"added 1 demo model to {tmp_path / 'd.db'}\n"
    state = encode_state(ComparisonState(source=str(store), models=(*IDS, "f" * 32)))
    code, _, err = out_of(capsys, "render", state)
    assert code == 0 and err == f"modelcompare: 1 model missing from {store}: {'f' * 32}\n"


def test_list_limit_says_how_many_of_how_many(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert out_of(capsys, "list", "--store", str(store), "--limit", "2")[1].splitlines()[-1] == "2 of 3 models"
    assert out_of(capsys, "list", "--store", str(store), "--limit", "3")[1].splitlines()[-1] == "3 models"
    assert out_of(capsys, "list", "--store", str(store))[1].splitlines()[-1] == "3 models"
    out = out_of(capsys, "list", "--store", str(store), "--search", "vision", "--limit", "5")[1]
    assert out.splitlines()[-1] == "1 model matching 'vision'"
    out = out_of(capsys, "list", "--store", str(store), "--search", "model", "--limit", "1")[1]
    assert out.splitlines()[-1] == "1 of 3 models matching 'model'"
    code, _, err = out_of(capsys, "list", "--store", str(store), "--limit", "-1")
    assert code == 2 and "--limit" in err


# ----------------------------------------------------------------------------
# --help for everything; errors: one line, the prefix once, exit 2
# ----------------------------------------------------------------------------


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_command_and_option_has_a_help_line() -> None:
    commands = _subparsers(build_parser())
    assert set(commands) == {"demo", "import", "export", "list", "share", "render", "report"}
    for name, parser in [("modelcompare", build_app_parser()), *commands.items()]:
        assert parser.description, name
        for action in parser._actions:
            assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)
    app_help = build_app_parser().format_help()
    for name in commands:
        assert re.search(rf"^  {name} +\S", app_help, re.M), name


def test_demo_help_describes_its_options() -> None:
    result = run_cli("demo", "--help")
    assert result.returncode == 0
    assert re.search(r"--models N +how many", result.stdout) and re.search(r"--seed S +the random seed",
                                                                          result.stdout)


@pytest.mark.parametrize("args", [
    ["list", "--format", "xml"],
    ["list", "--limit", "x"],
    ["bogus-state"],
    ["render"],
    ["share", "--store", "{store}"],
    ["--store", "{store}", "list", "--unknown"],
    ["--store", "{store}", "share", "zzz", "model-1"],
    ["--store", "{store}", "share", "model-1"],
    ["--store", "{store}", "export", "model-1", "-o", "/nonexistent-dir/x.json"],
    ["--store", "{store}", "export", "model-1", "-o", "{tmp}"],
    ["report", "{state}", "-o", "/nonexistent-dir/r.html"],
    ["report", "{state}", "-o", "{tmp}/r.pdf"],
])
def test_bad_input_one_line_prefix_once(tmp_path: Path, store: Path, args: list[str]) -> None:
    state = encode_state(ComparisonState(source=str(store), models=tuple(IDS)))
    result = run_cli(*(a.format(store=store, tmp=tmp_path, state=state) for a in args))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("modelcompare: ") and result.stderr.count("modelcompare:") == 1, result.stderr
    assert not result.stderr.startswith("modelcompare: modelcompare"), result.stderr  # the prefix once


# ----------------------------------------------------------------------------
# where `d` saves the CSV
# ----------------------------------------------------------------------------


def test_download_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    from modelcompare_tui.render.csv import download_dir

    downloads, work, chosen = tmp_path / "Downloads", tmp_path / "work", tmp_path / "chosen"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(platformdirs, "user_downloads_dir", lambda: str(downloads))
    monkeypatch.setenv("MODELCOMPARE_DOWNLOAD_DIR", str(chosen))
    assert download_dir() == chosen
    monkeypatch.delenv("MODELCOMPARE_DOWNLOAD_DIR")
    assert download_dir() == work  # no downloads folder: the working directory
    downloads.mkdir()
    assert download_dir() == downloads
    # the real lookup: XDG_DOWNLOAD_DIR names it on Linux
    monkeypatch.undo()
    monkeypatch.delenv("MODELCOMPARE_DOWNLOAD_DIR", raising=False)
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(downloads))
        assert download_dir() == downloads
