"""A training process writes while the app reads (WAL): the writer never fails,
and every read sees one committed state, never a half-written one."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from modelcompare_tui.core.model import Model
from modelcompare_tui.sources.store import SQLiteStore

K = 300  # points per write
ROUNDS = 80

# Each round appends K points to two series in one transaction (values: a = iteration,
# b = -iteration); every fifth round is a resume that re-reports the previous round's
# points too, which rewrites stored chunks.
WRITER = """
import sys, time
import numpy as np
from modelcompare_tui.sources.store import SQLiteStore
path, model_id, k, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
store = SQLiteStore(path)
n = 0
for r in range(rounds):
    first = max(0, n - k) if r % 5 == 4 else n
    it = np.arange(first, n + k)
    store.add_many(model_id, [("loss", "a", it, it.astype(float), None), ("loss", "b", it, -it.astype(float), None)])
    n += k
    time.sleep(0.003)
store.close()
print(n)
"""


def start_writer(path: Path, model_id: str, rounds: int = ROUNDS) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), model_id, str(K), str(rounds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def check_consistent(store: SQLiteStore, seen: list[int], errors: list[str]) -> None:
    """One pass of reads; appends the count it saw, records any inconsistency."""
    try:
        summaries = store.scalar_summaries(["m"])["m"]
        if not summaries:
            seen.append(0)
            return
        a, b = summaries
        count = a.count
        if not (b.count == count and count % K == 0):
            errors.append(f"counts a={a.count} b={b.count}")
        if not (a.last_iteration == count - 1 and a.max == count - 1 and a.min == 0 and a.last == count - 1):
            errors.append(f"summary a {a}")
        if not (b.min == -(count - 1) and b.max == 0 and b.min_iteration == count - 1):
            errors.append(f"summary b {b}")
        if seen and count < seen[-1]:
            errors.append(f"count went back from {seen[-1]} to {count}")
        full = store.series("m", "loss", "a", buckets=10**6)
        n = full.total_points
        if n < count or n % K or full.iterations.tolist() != list(range(n)) or not np.array_equal(full.values, full.iterations):
            errors.append(f"series a: {n} points after a summary of {count}")
        few = store.series("m", "loss", "b", buckets=8)
        if few.total_points % K or few.iterations[0] != 0 or few.iterations[-1] != few.total_points - 1:
            errors.append(f"downsampled b: {few.total_points} points ending at {few.iterations[-1]}")
        seen.append(count)
    except Exception as exc:  # noqa: BLE001 - any error of a reader is the failure being tested
        errors.append(f"{type(exc).__name__}: {exc}")


def test_reader_sees_consistent_growing_state_while_a_process_writes(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    store = SQLiteStore(path)
    store.save_model(Model(id="m", name="live run"))
    writer = start_writer(path, "m")
    errors: list[str] = []
    seen: list[int] = []
    tokens: list[int] = []
    thread_seen: list[int] = []

    def read_in_thread() -> None:  # a Textual worker: its own connection, same store object
        while writer.poll() is None:
            check_consistent(store, thread_seen, errors)

    worker = threading.Thread(target=read_in_thread)
    worker.start()
    while writer.poll() is None:
        check_consistent(store, seen, errors)
        tokens.append(int(store.change_token().rsplit(":", 1)[1]))
    worker.join()
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    assert err == ""
    assert errors == []
    final = K * ROUNDS
    assert int(out) == final
    check_consistent(store, seen, errors)
    assert errors == [] and seen[-1] == final
    # the reads really interleaved with the writes
    assert len({c for c in seen if 0 < c < final}) >= 3, seen
    assert len(thread_seen) >= 3
    assert tokens == sorted(tokens)
    store.close()


def test_two_writer_processes_wait_for_each_other(tmp_path: Path) -> None:
    path = tmp_path / "two.db"
    store = SQLiteStore(path)
    for model_id in ("w1", "w2"):
        store.save_model(Model(id=model_id, name=model_id))
    writers = [start_writer(path, model_id, rounds=30) for model_id in ("w1", "w2")]
    for w in writers:
        _out, err = w.communicate(timeout=120)
        assert w.returncode == 0 and err == "", err
    for model_id in ("w1", "w2"):
        a, b = store.scalar_summaries([model_id])[model_id]
        assert a.count == b.count == K * 30 and a.last_iteration == K * 30 - 1
    store.close()


def test_close_leaves_another_threads_running_query_alone(tmp_path: Path) -> None:
    """close() on one thread while another is writing: the writer finishes its
    transaction (closing a connection under a running statement crashed CI)."""
    store = SQLiteStore(tmp_path / "s.db", create=True)
    model = Model(id="m1", name="m1")
    store.save_model(model)
    started, done = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with store._write() as conn:  # holds the write transaction open across close()
                started.set()
                done.wait(5)
                conn.execute("SELECT count(*) FROM models").fetchone()
            it = np.arange(1000)
            store.add_many("m1", [("loss", "a", it, it.astype(float), None)])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(5)
    store.close()  # from the main thread, mid-transaction on the other
    done.set()
    thread.join(10)
    assert not errors, errors
    # the store is usable again after close (this thread reconnects)
    assert [s.count for s in store.scalar_summaries(["m1"])["m1"]] == [1000]
    store.close()


def test_a_new_thread_adopts_the_connection_of_an_ended_one(tmp_path: Path) -> None:
    """Textual runs each worker on a new thread: the store hands it the warm
    connection of a thread that has ended instead of opening one more."""
    store = SQLiteStore(tmp_path / "s.db", create=True)
    store.save_model(Model(id="m1", name="m1"))
    used: list[int] = []

    def query() -> None:
        store.get_models(["m1"])
        used.append(id(store.conn))

    for _ in range(5):
        t = threading.Thread(target=query)
        t.start()
        t.join()
    assert len(set(used)) == 1  # one connection, adopted by each thread in turn
    assert id(store.conn) not in used  # the main thread kept its own
    assert len(store._connections) == 2  # the main thread's and the one the workers share
    # two threads alive at once never share one
    gate, inside = threading.Barrier(2), []

    def hold() -> None:
        inside.append(id(store.conn))
        gate.wait(5)

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(inside)) == 2 and id(store.conn) not in inside
    store.close()
