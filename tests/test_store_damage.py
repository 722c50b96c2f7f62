"""Stores fail clean: damaged content, bad paths and read-only stores give one
line and exit 2 (never a traceback, never exit 1); reading commands never create
a store."""

from __future__ import annotations

import errno
import os
import random
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from modelcompare_tui.cli import main
from modelcompare_tui.core.model import (
    Config,
    MetadataItem,
    Model,
    ModelRecord,
    Plot,
    ScalarSeries,
)
from modelcompare_tui.core.modelfile import write_model_file
from modelcompare_tui.core.state import ComparisonState, encode_state
from modelcompare_tui.sources import SourceError
from modelcompare_tui.sources.base import DamagedSourceError
from modelcompare_tui.sources.store import SQLiteStore

IDS = [f"{i:032x}" for i in range(2)]


def records() -> list[ModelRecord]:
    out = []
    for i, model_id in enumerate(IDS):
        its = np.arange(0, 3000, 3, dtype=np.int64)
        its[500:] += 7  # not a progression: an iterations blob
        vals = np.cos(its / 50.0) + i
        ts = 1_700_000_000.0 + its.astype(np.float64) * 0.5
        out.append(ModelRecord(
            Model(id=model_id, name=f"model-{i}", project="vision", framework="PyTorch", tags=["a", f"t{i}"],
                  user="ana", created="2026-01-01T00:00:00Z", updated="2026-01-01T00:00:00Z",
                  labels={"cat": 0, "dog": 1}, metadata=[MetadataItem("dataset", "str", "imagenet")],
                  config=Config("json", '{"lr": 0.001, "layers": [64, 32]}')),
            scalars=[ScalarSeries("loss", "train", its, vals, ts),
                     ScalarSeries("acc", "val", np.arange(50), np.linspace(0, 1, 50), np.full(50, np.nan))],
            single_values={"test_acc": 0.9 + i / 100},
            plots=[
                Plot("roc", "val", 10, "line", {"series": [{"name": "roc", "x": [0, 0.5, 1], "y": [0, 0.8, 1]}]}),
                Plot("cm", "val", 10, "confusion_matrix",
                     {"matrix": [[5, 1], [2, 7]], "x_labels": ["cat", "dog"], "y_labels": ["cat", "dog"]}),
                Plot("hist", "val", 20, "histogram", {"series": [{"name": "w", "values": [0.1, 0.2, 0.2, 0.9]}]}),
                Plot("notes", "val", 20, "text", {"text": "fine"}),
            ],
        ))
    return out


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pristine") / "store.db"
    store = SQLiteStore(path)
    store.import_records(records())
    store.close()
    assert not path.with_name("store.db-wal").exists()  # all in the main file
    return path


@pytest.fixture
def store_copy(pristine: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    shutil.copyfile(pristine, path)
    return path


def state_of(path: Path, tab: str = "details") -> str:
    return encode_state(ComparisonState(source=str(path), models=tuple(IDS), tab=tab))


def commands(path: Path, out: Path) -> list[list[str]]:
    """Every reading command over the store, and one import."""
    s = str(path)
    return [
        ["list", "--store", s],
        ["list", "--store", s, "--format", "json", "--search", "model"],
        ["share", "--store", s, *IDS, "--tab", "scalars"],
        ["render", state_of(path, "details")],
        ["render", state_of(path, "scalars"), "--view", "graph", "--width", "80"],
        ["render", state_of(path, "plots")],
        ["export", "--store", s, *IDS, "-o", str(out / "export.json")],
        ["report", state_of(path), "-o", str(out / "report.md")],
    ]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The CLI in process: an exception escaping main() is exactly a traceback."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse --help and the like
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    return code, err


def assert_clean_failure(code: int, err: str, needle: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("modelcompare: "), err
    assert "Traceback" not in err and needle in err, err


# -- damaged content ---------------------------------------------------------------------


def damage(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for sql in statements:
        conn.execute(sql)
    conn.close()


def test_every_command_succeeds_on_the_undamaged_store(
    store_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in commands(store_copy, tmp_path):
        code, err = run(argv, capsys)
        assert code == 0, (argv, err)


@pytest.mark.parametrize(
    "what, statements, argv_index",
    [
        ("plot JSON", ["UPDATE plots SET data='{\"series\": [' WHERE metric='roc'"], 5),
        ("plot data", ["UPDATE plots SET data='{\"series\": 5}' WHERE metric='roc'"], 5),
        ("labels JSON", ["UPDATE model_details SET labels='{not json'"], 3),
        ("metadata JSON", ["UPDATE model_details SET metadata='[{\"key\": 1}]'"], 3),
        ("metadata JSON in export", ["UPDATE model_details SET metadata='garbage'"], 6),
        ("truncated values blob", ["UPDATE chunks SET vals=substr(vals, 1, 100)"], 4),
        ("mismatched iterations blob", ["UPDATE chunks SET iters=substr(iters, 1, 13) WHERE iters IS NOT NULL"], 6),
        ("a flipped n", ["UPDATE chunks SET n = n * 1000000"], 4),
        ("a text where a number belongs", ["UPDATE series SET last_value='x'"], 4),
        ("a blob where text belongs", ["UPDATE models SET name=x'00ff'"], 0),
    ],
)
def test_damaged_content_is_one_line_exit_2(
    store_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    what: str, statements: list[str], argv_index: int,
) -> None:
    damage(store_copy, *statements)
    code, err = run(commands(store_copy, tmp_path)[argv_index], capsys)
    assert_clean_failure(code, err, "the store is damaged")
    assert str(store_copy) in err


def test_a_damaged_extremes_blob(tmp_path: Path) -> None:
    """A chart over many chunks per bucket reads the chunks' extremes blobs."""
    store = SQLiteStore(tmp_path / "s.db")
    store.save_model(Model(id="m", name="m"))
    store.add_scalars("m", "loss", "train", np.arange(20_000), np.random.default_rng(1).random(20_000))
    assert store.series("m", "loss", "train", buckets=1).total_points == 20_000
    damage(store.path, "UPDATE chunks SET extremes=x'01'")
    with pytest.raises(DamagedSourceError, match="extremes"):
        store.series("m", "loss", "train", buckets=1)
    store.close()


def test_a_missing_generation_row_is_damage_for_reads_and_writes(
    store_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage(store_copy, "DELETE FROM meta WHERE key='generation'")
    store = SQLiteStore(store_copy)
    with pytest.raises(DamagedSourceError, match="generation"):
        store.change_token()
    with pytest.raises(DamagedSourceError, match="generation"):
        store.set_single_values(IDS[0], {"x": 1.0})
    store.close()
    model_file = tmp_path / "m.json"
    write_model_file(records()[:1], model_file)
    code, err = run(["import", "--store", str(store_copy), str(model_file)], capsys)
    assert_clean_failure(code, err, "the store is damaged (the meta table has no generation counter)")


def test_random_bit_flips_never_crash_a_command(
    pristine: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fixed seeds: 24 stores, each with 50 random bit flips, every command on each."""
    data = pristine.read_bytes()
    outcomes = {0: 0, 2: 0}
    for seed in range(24):
        rng = random.Random(seed)
        flipped = bytearray(data)
        for _ in range(50):
            pos = rng.randrange(len(flipped))
            flipped[pos] ^= 1 << rng.randrange(8)
        path = tmp_path / f"flip{seed}.db"
        path.write_bytes(bytes(flipped))
        for argv in commands(path, tmp_path):
            code, err = run(argv, capsys)
            assert code in (0, 2), (seed, argv, err)
            assert "Traceback" not in err
            if code == 2:
                assert len(err.strip().splitlines()) == 1, (seed, argv, err)
            outcomes[code] += 1
    assert outcomes[2] > 0  # the flips did damage something


# -- paths ---------------------------------------------------------------------------------

ALL_COMMANDS = ("demo", "import", "export", "list", "share", "render", "report", "app")


def argv_for(command: str, store: str, tmp_path: Path) -> list[str]:
    model_file = tmp_path / "m.json"
    if not model_file.exists():
        write_model_file(records()[:1], model_file)
    state = encode_state(ComparisonState(source="", models=tuple(IDS), tab="details"))
    return {
        "demo": ["demo", "--store", store, "--models", "2"],
        "import": ["import", "--store", store, str(model_file)],
        "export": ["export", "--store", store, IDS[0], "-o", str(tmp_path / "e.json")],
        "list": ["list", "--store", store],
        "share": ["share", "--store", store, IDS[0]],
        "render": ["render", state, "--store", store],
        "report": ["report", state, "--store", store, "-o", str(tmp_path / "r.md")],
        "app": ["--store", store],
    }[command]


@pytest.fixture
def no_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app must fail before it starts; if it ever got that far, fail the test."""
    import modelcompare_tui.app as app_module

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("the app started on a bad store path")

    monkeypatch.setattr(app_module, "create_app", refuse)


@pytest.mark.parametrize("command", ["export", "list", "share", "render", "report", "app"])
def test_reading_commands_never_create_a_store(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_app: None
) -> None:
    missing = tmp_path / "typo" / "path" / "store.db"
    code, err = run(argv_for(command, str(missing), tmp_path), capsys)
    assert_clean_failure(code, err, f"no store at {missing}")
    assert not (tmp_path / "typo").exists()


def test_import_and_demo_create_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("import", "demo"):
        path = tmp_path / command / "new.db"
        code, err = run(argv_for(command, str(path), tmp_path), capsys)
        assert code == 0, err
        assert path.is_file()


def test_the_app_creates_its_default_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import modelcompare_tui.app as app_module

    default = tmp_path / "data" / "models.db"
    monkeypatch.setenv("MODELCOMPARE_STORE", str(default))
    opened: list[object] = []

    class Stop(Exception):
        pass

    def fake_create_app(source: object, **_k: object) -> None:
        opened.append(source)
        raise Stop

    monkeypatch.setattr(app_module, "create_app", fake_create_app)
    with pytest.raises(Stop):
        main([])
    assert default.is_file() and len(opened) == 1


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_an_overlong_path_component_is_one_line_exit_2(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_app: None
) -> None:
    store = str(tmp_path / ("x" * 300) / "store.db")
    code, err = run(argv_for(command, store, tmp_path), capsys)
    assert_clean_failure(code, err, "longer than the file system allows")


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_a_symlink_loop_is_one_line_exit_2(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_app: None
) -> None:
    (tmp_path / "loop_a").symlink_to(tmp_path / "loop_b")
    (tmp_path / "loop_b").symlink_to(tmp_path / "loop_a")
    code, err = run(argv_for(command, str(tmp_path / "loop_a" / "store.db"), tmp_path), capsys)
    assert_clean_failure(code, err, "symlink loop")


def test_overlong_and_looping_paths_in_a_state_string(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "loop_a").symlink_to(tmp_path / "loop_b")
    (tmp_path / "loop_b").symlink_to(tmp_path / "loop_a")
    for source, needle in ((str(tmp_path / ("y" * 300) / "s.db"), "longer than"),
                           (str(tmp_path / "loop_a" / "s.db"), "")):
        state = encode_state(ComparisonState(source=source, models=tuple(IDS), tab="details"))
        code, err = run(["render", state], capsys)
        assert_clean_failure(code, err, needle)


def test_a_path_naming_a_directory_or_holding_nul(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is a directory"):
        SQLiteStore(tmp_path, create=False)
    with pytest.raises(SourceError, match="null"):
        SQLiteStore(str(tmp_path / "a\x00b.db"))
    with pytest.raises(OSError) as info:  # what the store turns into one line
        os.stat(tmp_path / ("z" * 300))
    assert info.value.errno == errno.ENAMETOOLONG


# -- read-only stores ----------------------------------------------------------------------


@pytest.fixture
def read_only_dir(pristine: Path, tmp_path: Path) -> Iterator[Path]:
    """A folder holding a copy of the store that this process cannot write: by
    permission bits for a normal user, by a read-only bind mount for root (root
    ignores permission bits)."""
    src = tmp_path / "rw"
    src.mkdir()
    shutil.copyfile(pristine, src / "store.db")
    if os.geteuid() != 0:
        (src / "store.db").chmod(0o444)
        src.chmod(0o555)
        yield src
        src.chmod(0o755)
        return
    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "--bind", str(src), str(ro)], capture_output=True, check=False).returncode != 0:
        pytest.skip("root, and no bind mount here: cannot make a read-only store")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], capture_output=True, check=False).returncode != 0:
            pytest.skip("cannot remount read-only here")
        yield ro
    finally:
        subprocess.run(["umount", "-l", str(ro)], capture_output=True, check=False)


def test_a_read_only_store_opens_read_only_for_reading(
    read_only_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = read_only_dir / "store.db"
    store = SQLiteStore(path)
    assert store.read_only and not store.sees_changes  # nobody can write it: opened immutable
    assert store.count_models() == 2 and store.change_token()
    assert store.series(IDS[0], "loss", "train").total_points == 1000
    from modelcompare_tui.sources.base import ReadOnlySourceError

    with pytest.raises(ReadOnlySourceError, match="read-only"):
        store.set_single_values(IDS[0], {"x": 1.0})
    store.close()
    out = tmp_path / "out"
    out.mkdir()
    for argv in commands(path, out):
        code, err = run(argv, capsys)
        assert code == 0, (argv, err)
    code, err = run(argv_for("import", str(path), tmp_path), capsys)
    assert_clean_failure(code, err, "read-only")
    assert sorted(os.listdir(read_only_dir)) == ["store.db"]


def test_a_read_only_file_in_a_writable_folder(pristine: Path, tmp_path: Path) -> None:
    """A store file without write permission (a normal user; root ignores the bits)."""
    if os.geteuid() == 0:
        pytest.skip("root ignores permission bits (the bind-mount test covers root)")
    path = tmp_path / "store.db"
    shutil.copyfile(pristine, path)
    path.chmod(0o444)
    store = SQLiteStore(path)
    assert store.read_only and store.count_models() == 2
    store.close()


def test_asking_for_read_only(store_copy: Path) -> None:
    store = SQLiteStore(store_copy, read_only=True)
    assert store.read_only and store.count_models() == 2
    store.close()


# -- tags ----------------------------------------------------------------------------------


def test_a_tag_holding_the_unit_separator_is_refused_not_split(store_copy: Path) -> None:
    store = SQLiteStore(store_copy)
    with pytest.raises(SourceError, match="unit separator"):
        store.save_model(Model(id="m", name="m", tags=["a\x1fb"]))
    assert store.get_models(["m"]) == []
    store.save_model(Model(id="n", name="n", tags=["x y", "ü", "[/]", "\x1b]2;t\x07"]))
    (model,) = store.get_models(["n"])
    assert model.tags == ["x y", "ü", "[/]", "\x1b]2;t\x07"]  # stored exactly
    store.close()
