"""The logging API never loses reported points silently: a store locked by another
process, a full disk. Real second processes and a real full file system."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from modelcompare_tui.sources.store import SQLiteStore
from modelcompare_tui.tracking import BufferFullError, OutputModel, TrackingError

# Holds the store's write lock (BEGIN EXCLUSIVE) until a line arrives on stdin or
# `seconds` pass, whichever is first; says "locked" once it holds it.
_LOCKER = """
import select, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))
conn.execute("COMMIT")
print("released", flush=True)
"""


class Locker:
    def __init__(self, path: Path, seconds: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _LOCKER, str(path), str(seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "locked"

    def holding(self) -> bool:
        return self.proc.poll() is None

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("go\n")
            self.proc.stdin.flush()
        self.proc.wait(timeout=30)


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(OutputModel, "BUSY_TIMEOUT", 0.1)
    monkeypatch.setattr(OutputModel, "RETRY_FIRST", 0.05)
    monkeypatch.setattr(OutputModel, "RETRY_MAX", 0.2)


def stored_count(path: Path, model_id: str) -> int:
    store = SQLiteStore(path)
    try:
        return sum(s.count for s in store.scalar_summaries([model_id]).get(model_id, []))
    finally:
        store.close()


def test_points_reported_while_another_process_holds_the_lock_all_land(
    tmp_path: Path, fast_retries: None, capfd: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    model = OutputModel("locked-run", store=str(path), flush_points=200, flush_seconds=0.05)
    locker = Locker(path, seconds=1.5)
    reported = 0
    while locker.holding():  # the training loop goes on while the store is locked
        for _ in range(50):
            model.report_scalar("loss", "train", 1.0 / (reported + 1), reported)
            reported += 1
        time.sleep(0.005)
    locker.release()
    assert reported > 200  # some flushes were due while the lock was held
    model.close()  # no exception: the lock went before the deadline
    assert stored_count(path, model.id) == reported
    err = capfd.readouterr().err
    assert "cannot write" in err and "kept in memory and retried" in err
    assert len([line for line in err.splitlines() if "cannot write" in line]) == 1  # one line, at once
    store = SQLiteStore(path)
    series = store.read_series(model.id, "loss", "train")
    assert series.iterations.tolist() == list(range(reported))  # no gap
    store.close()


def test_a_lock_held_past_the_deadline_raises_at_the_next_call_and_keeps_the_points(
    tmp_path: Path, fast_retries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OutputModel, "RETRY_DEADLINE", 0.4)
    path = tmp_path / "s.db"
    model = OutputModel("stuck-run", store=str(path), flush_points=100, flush_seconds=0.05)
    locker = Locker(path, seconds=60)
    reported = 0
    error: TrackingError | None = None
    give_up = time.monotonic() + 20
    while error is None and time.monotonic() < give_up:
        try:
            model.report_scalar("acc", "val", reported * 0.001, reported)
        except TrackingError as exc:
            error = exc
        reported += 1  # the point of the call that raised is buffered all the same
        time.sleep(0.001)
    assert error is not None and not isinstance(error, BufferFullError)
    assert "busy" in str(error) and "kept in memory" in str(error) and "\n" not in str(error)
    assert model.unwritten == reported and error.unwritten > 0
    assert stored_count(path, model.id) == 0
    locker.release()
    model.flush()  # the lock is gone: everything lands
    assert model.unwritten == 0 and stored_count(path, model.id) == reported
    model.close()


def test_flush_waits_out_a_short_lock(tmp_path: Path, fast_retries: None) -> None:
    path = tmp_path / "s.db"
    model = OutputModel("flush-run", store=str(path), flush_points=10_000, flush_seconds=3600)
    model.report_scalars("loss", "train", np.arange(1000), np.linspace(1, 0, 1000))
    locker = Locker(path, seconds=0.8)
    for i in range(1000, 1500):
        model.report_scalar("loss", "train", 0.0, i)
    started = time.monotonic()
    model.flush()  # retries with backoff until the lock goes
    assert time.monotonic() - started >= 0.3
    # the locker let go (not a flush that gave up): it says so right after its COMMIT
    # (whether its process has exited yet by now depends on the machine's load)
    assert locker.proc.stdout is not None and locker.proc.stdout.readline().strip() == "released"
    locker.release()
    assert stored_count(path, model.id) == 1500
    model.close()


def test_past_the_buffer_bound_report_raises_and_that_point_is_not_recorded(
    tmp_path: Path, fast_retries: None
) -> None:
    path = tmp_path / "s.db"
    model = OutputModel("bounded-run", store=str(path), flush_points=100, flush_seconds=3600, max_buffered=500)
    locker = Locker(path, seconds=60)
    accepted = 0
    refused = None
    for i in range(600):
        try:
            model.report_scalar("loss", "train", float(i), i)
        except BufferFullError as exc:
            refused = (i, exc)
            break
        except TrackingError:
            pass  # not a full buffer: the point is kept
        accepted += 1
    assert refused is not None and refused[0] == 500 and "not recorded" in str(refused[1])
    with pytest.raises(BufferFullError):
        model.report_scalars("loss", "train", [1000, 1001], [0.0, 0.0])
    assert model.unwritten == 500
    locker.release()
    model.close()
    assert stored_count(path, model.id) == accepted == 500


def test_a_model_cannot_log_to_a_store_a_killed_process_left_locked_forever(tmp_path: Path) -> None:
    # a killed writer leaves no lock behind in SQLite: the next writer just proceeds
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    locker = Locker(path, seconds=60)
    locker.proc.kill()
    locker.proc.wait()
    model = OutputModel("after-kill", store=str(path), flush_points=10, flush_seconds=3600)
    for i in range(25):
        model.report_scalar("loss", "train", 0.5, i)
    model.close()
    assert stored_count(path, model.id) == 25


# -- a full disk -------------------------------------------------------------------------


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (needs root and mount; skipped otherwise)."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        pytest.skip("making a small file system needs root and mount(8)")
    where = tmp_path / "small"
    where.mkdir()
    made = subprocess.run([mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def test_points_that_do_not_fit_on_a_full_disk_raise_and_land_once_there_is_room(
    small_filesystem: Path, fast_retries: None, capfd: pytest.CaptureFixture[str]
) -> None:
    path = small_filesystem / "s.db"
    model = OutputModel("full-disk-run", store=str(path), flush_points=2000, flush_seconds=3600)
    rng = np.random.default_rng(7)
    values = rng.random(400_000)  # incompressible: ~12 bytes a point in the store
    reported = 0
    error: TrackingError | None = None
    for value in values:
        try:
            model.report_scalar("loss", "train", float(value), reported)
        except TrackingError as exc:
            error = exc
        reported += 1
        if error is not None:
            break
    assert error is not None, "the 1 MB file system never filled"
    assert "cannot be written" in str(error) and "kept in memory" in str(error)
    assert "cannot write" in capfd.readouterr().err
    unwritten = model.unwritten
    assert unwritten > 0
    stored = stored_count(path, model.id)
    assert stored + unwritten == reported  # nothing vanished
    with pytest.raises(TrackingError):
        model.flush()  # still full: told again, points still kept
    assert model.unwritten == unwritten
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_filesystem)], check=True)
    model.close()
    assert stored_count(path, model.id) == reported
