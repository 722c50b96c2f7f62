"""The embedded SQLite store: summaries, series reads, the models table against a
Python reference, plots, change tokens, corrupt files and schema migrations."""

from __future__ import annotations

import math
import random
import sqlite3
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelcompare_tui.core.downsample import downsample_indices, summarize
from modelcompare_tui.core.model import (
    MODEL_COLUMNS,
    Config,
    MetadataItem,
    Model,
    ModelQuery,
    ModelRecord,
    Plot,
    ScalarSeries,
)
from modelcompare_tui.sources import store as store_package
from modelcompare_tui.sources.base import SourceError
from modelcompare_tui.sources.store import SCHEMA_VERSION, SQLiteStore, codec, schema, writes

NAN = float("nan")
INF = float("inf")


def new_model(store: SQLiteStore, model_id: str = "m1", **fields) -> Model:  # noqa: ANN003
    return store.save_model(Model(id=model_id, name=fields.pop("name", model_id), **fields))


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or (math.isnan(a) and math.isnan(b))


def assert_summary_matches(store: SQLiteStore, model_id: str, metric: str, variant: str,
                           it: np.ndarray, v: np.ndarray, ts: np.ndarray) -> None:
    expected = summarize(metric, variant, it, v, ts)
    got = [s for s in store.scalar_summaries([model_id])[model_id] if (s.metric, s.variant) == (metric, variant)]
    if expected is None:
        assert got == []
        return
    (s,) = got
    for field in ("last", "last_iteration", "min", "min_iteration", "max", "max_iteration", "count",
                  "first_timestamp", "last_timestamp"):
        assert same(getattr(s, field), getattr(expected, field)), (field, getattr(s, field), getattr(expected, field))


# -- summaries ---------------------------------------------------------------------------


def test_summary_last_min_max_count(store: SQLiteStore) -> None:
    new_model(store)
    store.add_scalars("m1", "loss", "train", [0, 1, 2, 3], [4.0, 1.0, 3.0, 2.0], [10.0, 11.0, 12.0, 13.0])
    (s,) = store.scalar_summaries(["m1"])["m1"]
    assert (s.metric, s.variant, s.count) == ("loss", "train", 4)
    assert (s.last, s.last_iteration) == (2.0, 3)
    assert (s.min, s.min_iteration, s.max, s.max_iteration) == (1.0, 1, 4.0, 0)
    assert (s.first_timestamp, s.last_timestamp) == (10.0, 13.0)


def test_resume_supersedes_points_for_last_min_and_max(store: SQLiteStore) -> None:
    new_model(store)
    it = np.arange(100)
    v = np.linspace(1.0, 0.5, 100)
    v[55] = 1000.0  # a spike the resumed run does not reproduce
    v[60] = -1000.0
    store.add_scalars("m1", "loss", "train", it, v)
    # resumed from the checkpoint at 50: re-reports 50..79, never reaches 99 again yet
    store.add_scalars("m1", "loss", "train", np.arange(50, 80), np.full(30, 0.75))
    (s,) = store.scalar_summaries(["m1"])["m1"]
    assert s.count == 100
    assert (s.last, s.last_iteration) == (v[99], 99)
    assert (s.max, s.max_iteration) == (1.0, 0)
    assert s.min == pytest.approx(v[99]) and s.min_iteration == 99
    # the resumed run goes on past the old end: Last is the new value at the highest iteration
    store.add_scalars("m1", "loss", "train", np.arange(80, 120), np.full(40, 0.25))
    (s,) = store.scalar_summaries(["m1"])["m1"]
    assert (s.count, s.last, s.last_iteration, s.min, s.min_iteration) == (120, 0.25, 119, 0.25, 80)
    points = store.read_series("m1", "loss", "train")
    assert points.iterations.tolist() == list(range(120))
    assert 1000.0 not in points.values and -1000.0 not in points.values


def test_repeated_iterations_within_one_batch_last_reported_wins(store: SQLiteStore) -> None:
    new_model(store)
    store.add_scalars("m1", "acc", "val", [3, 1, 3, 2, 1], [0.3, 0.1, 0.33, 0.2, 0.11])
    (s,) = store.scalar_summaries(["m1"])["m1"]
    assert (s.count, s.last, s.last_iteration, s.min, s.min_iteration) == (3, 0.33, 3, 0.11, 1)
    assert store.read_series("m1", "acc", "val").values.tolist() == [0.11, 0.2, 0.33]


def test_nan_and_inf_are_stored_but_ignored_by_min_max(store: SQLiteStore) -> None:
    new_model(store)
    store.add_scalars("m1", "loss", "a", [0, 1, 2, 3, 4], [INF, 2.0, -INF, 1.0, NAN])
    store.add_scalars("m1", "loss", "b", [0, 1], [NAN, INF])
    a, b = store.scalar_summaries(["m1"])["m1"]
    assert (a.min, a.min_iteration, a.max, a.max_iteration) == (1.0, 3, 2.0, 1)
    assert math.isnan(a.last) and a.last_iteration == 4 and a.count == 5
    assert (b.min, b.max, b.last, b.count) == (None, None, INF, 2)
    values = store.read_series("m1", "loss", "a").values
    assert values[0] == INF and values[2] == -INF and math.isnan(values[4])


def test_empty_series_and_unknown_models(store: SQLiteStore) -> None:
    new_model(store)
    store.add_scalars("m1", "loss", "train", [], [])
    assert store.scalar_summaries(["m1", "nope"]) == {"m1": []}
    data = store.series("m1", "loss", "train")
    assert data.total_points == 0 and data.iterations.size == 0 and not data.downsampled
    with pytest.raises(SourceError, match="unknown model 'nope'"):
        store.add_scalars("nope", "loss", "train", [1], [1.0])


def test_bad_points_are_refused_with_the_series_named(store: SQLiteStore) -> None:
    new_model(store)
    with pytest.raises(SourceError, match="loss/train: iterations, values and timestamps differ"):
        store.add_scalars("m1", "loss", "train", [1, 2], [1.0])
    with pytest.raises(SourceError, match="loss/train: points are not numbers"):
        store.add_scalars("m1", "loss", "train", [1], ["x"])
    assert store.scalar_summaries(["m1"]) == {"m1": []}


def test_summaries_for_many_models_sorted_by_metric_variant(store: SQLiteStore) -> None:
    for i in range(3):
        new_model(store, f"m{i}")
        store.add_many(f"m{i}", [("z", "b", [0, 1], [i, i + 1], None), ("a", "c", [5], [i * 10], None)])
    out = store.scalar_summaries(["m2", "m0"])
    assert list(out) == ["m2", "m0"]
    assert [(s.metric, s.variant, s.last) for s in out["m2"]] == [("a", "c", 20.0), ("z", "b", 3.0)]


@st.composite
def batches(draw: st.DrawFn) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    out = []
    next_it = 0
    for _ in range(draw(st.integers(1, 15))):
        kind = draw(st.sampled_from(["append", "append", "append", "resume", "shuffled"]))
        n = draw(st.integers(1, 90))
        step = draw(st.integers(1, 3))
        if kind == "append":
            it = next_it + step * np.arange(n)
        elif kind == "resume":
            start = draw(st.integers(0, max(0, next_it)))
            it = start + step * np.arange(n)
        else:
            it = np.asarray(draw(st.lists(st.integers(0, next_it + 40), min_size=n, max_size=n)))
        next_it = max(next_it, int(it.max()) + 1)
        values = np.asarray(
            draw(st.lists(st.one_of(st.integers(-50, 50).map(float), st.sampled_from([NAN, INF, -INF])),
                          min_size=n, max_size=n)),
            dtype=np.float64,
        )
        ts = np.asarray(draw(st.lists(st.integers(1_700_000_000_000, 1_700_000_100_000), min_size=n, max_size=n)))
        out.append((it.astype(np.int64), values, ts / 1000.0))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_any_sequence_of_appends_and_resumes_matches_a_reference(batches) -> None:  # noqa: ANN001
    """Small chunks, so that appends fill, merge and rewrite chunks; the stored
    points and the summary equal a dict where each report overwrites its iteration."""
    reference: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(writes, "CHUNK_POINTS", 32)
        store = SQLiteStore(Path(tmp) / "s.db")
        new_model(store)
        for it, v, ts in batches:
            store.add_scalars("m1", "loss", "train", it, v, ts)
            for i, x, t in zip(it.tolist(), v.tolist(), ts.tolist()):
                reference[i] = (x, t)
        keys = sorted(reference)
        r_it = np.asarray(keys, dtype=np.int64)
        r_v = np.asarray([reference[k][0] for k in keys])
        r_ts = np.asarray([reference[k][1] for k in keys])
        got = store.read_series("m1", "loss", "train")
        assert got == ScalarSeries("loss", "train", r_it, r_v, r_ts)
        assert_summary_matches(store, "m1", "loss", "train", r_it, r_v, r_ts)
        whole = store.series("m1", "loss", "train", buckets=10_000)
        assert whole.total_points == len(keys) and whole.iterations.tolist() == keys
        store.close()


def test_small_appends_keep_few_partial_chunks(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A training loop flushing a few points at a time must not rewrite the whole
    tail chunk each time, nor leave a long run of tiny chunks."""
    monkeypatch.setattr(writes, "CHUNK_POINTS", 256)
    rewritten = [0]
    original = SQLiteStore._write_chunks

    def counting(self, conn, sid, start_no, it, v, ms):  # noqa: ANN001, ANN202
        rewritten[0] += len(it)
        return original(self, conn, sid, start_no, it, v, ms)

    monkeypatch.setattr(SQLiteStore, "_write_chunks", counting)
    new_model(store)
    written = 0
    rng = random.Random(7)
    for _ in range(400):
        n = rng.randint(1, 12)
        store.add_scalars("m1", "loss", "train", np.arange(written, written + n), np.ones(n))
        written += n
        sizes = [r[0] for r in store.conn.execute("SELECT n FROM chunks ORDER BY no")]
        partial = [s for s in sizes if s < 256]
        assert sizes[: len(sizes) - len(partial)] == [256] * (len(sizes) - len(partial))  # partial ones trail
        assert len(partial) <= 10
    # each point is rewritten O(log) times, not once per flush until its chunk is full
    assert rewritten[0] <= 10 * written
    assert store.read_series("m1", "loss", "train").iterations.tolist() == list(range(written))
    (s,) = store.scalar_summaries(["m1"])["m1"]
    assert s.count == written and s.last_iteration == written - 1


# -- series reads ---------------------------------------------------------------------------


def reference_series(it, v, ts, start, end, by, buckets):  # noqa: ANN001, ANN201
    x = it if by == "iteration" else ts
    lo = -np.inf if start is None else start
    hi = np.inf if end is None else end
    mask = (x >= lo) & (x <= hi)
    it, v, ts = it[mask], v[mask], ts[mask]
    if by == "time":
        order = np.argsort(ts, kind="stable")
        it, v, ts = it[order], v[order], ts[order]
    keep = downsample_indices(it if by == "iteration" else ts, v, buckets)
    return it[keep], v[keep], ts[keep], int(it.shape[0])


@pytest.mark.parametrize("clock", ["monotone", "jittered", "per_batch", "gaps"])
def test_series_equals_downsampling_every_point_and_decodes_few_chunks(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, clock: str
) -> None:
    monkeypatch.setattr(writes, "CHUNK_POINTS", 16)
    rng = np.random.default_rng(3)
    n = 6000
    it = np.cumsum(rng.integers(1, 4, n)).astype(np.int64)
    v = np.cumsum(rng.standard_normal(n))
    v[rng.choice(n, 30, replace=False)] = NAN
    v[rng.choice(n, 10, replace=False)] = INF
    ts_ms = 1_700_000_000_000 + np.cumsum(rng.integers(0, 2000, n))
    if clock == "jittered":  # clocks of several workers: not sorted by iteration
        ts_ms = (ts_ms + rng.integers(-5000, 5000, n)) // 3000 * 3000  # and coarse: many ties
    elif clock == "per_batch":  # a logger stamping each flush of 50 points with one time
        ts_ms = 1_700_000_000_000 + (np.arange(n) // 50) * 1000
    ts = ts_ms / 1000.0
    if clock == "gaps":  # some points without a timestamp: left out on the time axis only
        ts[rng.choice(n, 200, replace=False)] = NAN
    new_model(store)
    for s in range(0, n, 700):  # several writes, so chunks come from appends
        store.add_scalars("m1", "loss", "train", it[s : s + 700], v[s : s + 700], ts[s : s + 700])
    decoded: list[int] = []
    original = SQLiteStore._decode_chunks

    def counting(self, conn, sid, nos):  # noqa: ANN001, ANN202
        decoded.extend(nos)
        return original(self, conn, sid, nos)

    monkeypatch.setattr(SQLiteStore, "_decode_chunks", counting)
    n_chunks = store.conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    cases = [
        (None, None, "iteration", 20),
        (None, None, "iteration", 400),
        (int(it[100]) + 1, int(it[5000]), "iteration", 7),
        (int(it[3000]), int(it[3300]), "iteration", 50),
        (None, None, "time", 25),
        (None, None, "time", 60),
        (None, None, "time", 300),
        (float(ts[200]), float(ts[4000]), "time", 9),
        (None, None, "iteration", 10_000),
    ]
    for start, end, by, buckets in cases:
        decoded.clear()
        got = store.series("m1", "loss", "train", start=start, end=end, by=by, buckets=buckets)
        e_it, e_v, e_ts, total = reference_series(it, v, ts, start, end, by, buckets)
        assert got.total_points == total, (start, end, by, buckets)
        assert got.iterations.tolist() == e_it.tolist(), (start, end, by, buckets)
        assert np.array_equal(got.values, e_v, equal_nan=True)
        assert np.array_equal(got.timestamps, e_ts, equal_nan=True)
        assert got.downsampled == (len(e_it) < total)
        if buckets <= 25 and start is None and not (clock == "gaps" and by == "time"):
            # a long range in few buckets: most chunks are represented by their extremes
            assert len(decoded) < n_chunks / 4, (by, buckets, len(decoded), n_chunks)


def test_series_range_and_superseded_points(store: SQLiteStore) -> None:
    new_model(store)
    store.add_scalars("m1", "loss", "train", np.arange(10), np.arange(10.0), 100.0 + np.arange(10))
    store.add_scalars("m1", "loss", "train", [4, 5], [-4.0, -5.0], [200.0, 201.0])
    d = store.series("m1", "loss", "train", start=3, end=6)
    assert d.iterations.tolist() == [3, 4, 5, 6] and d.values.tolist() == [3.0, -4.0, -5.0, 6.0]
    assert d.timestamps.tolist() == [103.0, 200.0, 201.0, 106.0]
    d = store.series("m1", "loss", "train", start=150, end=250, by="time")
    assert d.iterations.tolist() == [4, 5] and d.total_points == 2
    assert store.series("m1", "loss", "train", start=7, end=3).total_points == 0
    assert store.series("m1", "nope", "train").total_points == 0
    with pytest.raises(SourceError, match="by must be iteration or time"):
        store.series("m1", "loss", "train", by="step")


def test_series_without_timestamps_on_the_time_axis_is_empty(store: SQLiteStore) -> None:
    new_model(store)
    store.add_scalars("m1", "loss", "train", [1, 2, 3], [1.0, 2.0, 3.0], [NAN, NAN, NAN])
    assert store.series("m1", "loss", "train", by="time").total_points == 0
    assert store.series("m1", "loss", "train").total_points == 3


def test_single_values(store: SQLiteStore) -> None:
    new_model(store)
    new_model(store, "m2")
    store.set_single_values("m1", {"acc": 0.9, "nan": NAN, "inf": INF})
    store.set_single_values("m1", {"acc": 0.95})
    out = store.single_values(["m2", "m1", "zz"])
    assert list(out) == ["m2", "m1"] and out["m2"] == {}
    assert out["m1"]["acc"] == 0.95 and out["m1"]["inf"] == INF and math.isnan(out["m1"]["nan"])


def test_deleting_a_model_removes_everything_it_owns(store: SQLiteStore) -> None:
    for model_id in ("gone", "kept"):
        store.save_model(Model(id=model_id, name=model_id, tags=["t"], config=Config("text", "c")))
        store.add_scalars(model_id, "loss", "train", np.arange(10_000), np.zeros(10_000))
        store.set_single_values(model_id, {"acc": 1.0})
        store.add_plots(model_id, [Plot("p", "v", 1, "text", {"text": "x"})])
    assert store.delete_models(["gone", "never"]) == 1
    conn = store.conn
    for table in ("models", "model_details", "model_tags", "series", "single_values", "plots"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 1, table
    assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 3  # kept's 10,000 points
    assert store.get_models(["gone", "kept"])[0].id == "kept"


def test_bad_single_values_are_refused(store: SQLiteStore) -> None:
    new_model(store)
    with pytest.raises(SourceError, match="single value 'acc': not a number"):
        store.set_single_values("m1", {"ok": 1.0, "acc": "high"})
    assert store.single_values(["m1"]) == {"m1": {}}


# -- plots --------------------------------------------------------------------------------------


def test_plots_are_the_last_reported_at_or_before_an_iteration(store: SQLiteStore) -> None:
    new_model(store)
    new_model(store, "m2")
    line = lambda y: {"series": [{"name": "a", "x": [0, 1], "y": y}]}  # noqa: E731
    store.add_plots("m1", [Plot("roc", "val", it, "line", line([it, it])) for it in (10, 20, 30)])
    store.add_plots("m1", [Plot("cm", "val", 5, "text", {"text": "five"})])
    store.add_plots("m2", [Plot("roc", "val", 25, "line", line([1, 2]))])
    store.add_plots("m1", [Plot("roc", "val", 20, "line", line([99, 99]))])  # re-reported: replaces
    at = lambda i: {k: [(p.metric, p.iteration, p.data) for p in v] for k, v in store.plots(["m1", "m2"], i).items()}  # noqa: E731
    assert at(25) == {
        "m1": [("cm", 5, {"text": "five"}), ("roc", 20, line([99, 99]))],
        "m2": [("roc", 25, line([1, 2]))],
    }
    assert at(None)["m1"][1][:2] == ("roc", 30)
    assert at(19)["m1"] == [("cm", 5, {"text": "five"}), ("roc", 10, line([10, 10]))]
    assert at(4) == {"m1": [], "m2": []}
    assert store.plot_iterations(["m1", "m2"]) == [5, 10, 20, 25, 30]
    assert store.plot_iterations(["zz"]) == []


# -- change token -------------------------------------------------------------------------------


def test_change_token_moves_on_every_write_and_names_changed_models(store: SQLiteStore, tmp_path: Path) -> None:
    new_model(store, "a")
    new_model(store, "b")
    writes = [
        ("a", lambda: store.add_scalars("a", "loss", "train", [1], [1.0])),
        ("b", lambda: store.add_many("b", [("loss", "train", [1], [1.0], None)])),
        ("a", lambda: store.set_single_values("a", {"x": 1.0})),
        ("b", lambda: store.add_plots("b", [Plot("p", "v", 1, "text", {"text": "t"})])),
        ("a", lambda: store.save_model(Model(id="a", name="renamed"))),
        ("b", lambda: store.import_records([ModelRecord(Model(id="b", name="b2"))])),
    ]
    seen = {store.change_token()}
    for model_id, write in writes:
        token = store.change_token()
        store.list_models(ModelQuery())
        store.scalar_summaries(["a", "b"])
        assert store.change_token() == token  # reads never move it
        assert store.changed_models(token, ["a", "b"]) == []
        write()
        assert store.change_token() not in seen
        seen.add(store.change_token())
        assert store.changed_models(token, ["a", "b", "a"]) == [i for i in ("a", "b", "a") if i == model_id]
        assert store.changed_since(token)
    token = store.change_token()
    store.delete_models(["a"])
    assert store.change_token() != token
    assert store.changed_models(token, ["b", "a"]) == ["a"]  # gone counts as changed
    # a token of another store, or garbage, never matches
    other = SQLiteStore(tmp_path / "other.db")
    assert other.change_token() != store.change_token()
    other_id = other.change_token().split(":")[0]
    assert store.changed_models(f"{other_id}:{10**6}", ["b"]) == ["b"]
    assert store.changed_models(store.change_token(), ["b"]) == []
    assert store.changed_models("garbage", ["b"]) == ["b"]
    other.close()


def test_failed_write_changes_nothing(store: SQLiteStore) -> None:
    new_model(store)
    token = store.change_token()
    with pytest.raises(SourceError):
        store.add_many("m1", [("loss", "train", [1, 2], [1.0, 2.0], None), ("loss", "bad", [1], [1.0, 2.0], None)])
    assert store.change_token() == token
    assert store.scalar_summaries(["m1"]) == {"m1": []}


# -- models table against a Python reference ----------------------------------------------------

NAMES = ["ResNet-50", "resnet-18", "BERT base", "bert-large", "Ärger-net", "ärger-net", "élan", "Zeta",
         "zeta", "ViT-B/16", "vit-b/32", "GPT-2", "gpt-neo", "whisper", "Whisper-Large", "_underscore"]
PROJECTS = ["vision", "nlp", "speech", "Ünicode"]
TAGS = ["cv", "nlp", "prod", "Äpfel", "baseline", "sweep"]


def random_models(rng: random.Random, n: int) -> list[Model]:
    out = []
    for i in range(n):
        day = rng.randint(1, 28)
        out.append(Model(
            id=f"id{i:03d}{rng.choice('abc')}",
            name=rng.choice(NAMES) + ("" if rng.random() < 0.5 else f" v{rng.randint(1, 3)}"),
            project=rng.choice(PROJECTS),
            framework=rng.choice(["pytorch", "jax", "tensorflow", ""]),
            status=rng.choice(["draft", "published"]),
            tags=rng.sample(TAGS, rng.randint(0, 3)),
            user=rng.choice(["alice", "bob", "Åsa", ""]),
            created=f"2026-02-{day:02d}T{rng.randint(0, 23):02d}:00:00Z",
            updated=f"2026-03-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
        ))
    return out


def cell(m: Model, column: str) -> str:
    return "\x1f".join(m.tags) if column == "tags" else getattr(m, column)


def ascii_lower(text: str) -> str:
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in text)


def reference_page(models: list[Model], q: ModelQuery) -> tuple[list[str], int]:
    def matches(m: Model) -> bool:
        if q.search and not any(q.search.lower() in f.lower() for f in (m.name, m.project, *m.tags)):
            return False
        for column, values in q.filters:
            if values and not (set(m.tags) & set(values) if column == "tags" else cell(m, column) in values):
                return False
        for column, low, high in q.ranges:
            if (low and cell(m, column) < low) or (high and cell(m, column) > high + "\U0010ffff"):
                return False
        return all(not text or text.lower() in cell(m, column).lower() for column, text in q.text_filters)

    pinned = [i for i in dict.fromkeys(q.pinned) if any(m.id == i for m in models)]
    rest = [(row, m) for row, m in enumerate(models) if m.id not in pinned and matches(m)]
    if q.sort is None:
        rest.sort(key=lambda rm: (rm[1].updated, rm[0]), reverse=True)
    else:
        column, desc = q.sort
        key = (lambda m: ascii_lower(m.name)) if column == "name" else (lambda m: cell(m, column))
        rest.sort(key=lambda rm: (key(rm[1]), rm[0]), reverse=desc)
    ids = pinned + [m.id for _, m in rest]
    return ids[q.offset : q.offset + q.limit], len(ids)


def random_query(rng: random.Random, ids: list[str]) -> ModelQuery:
    q = ModelQuery(offset=rng.choice([0, 0, 3, 10, 45]), limit=rng.choice([5, 10, 100]))
    if rng.random() < 0.4:
        q = replace(q, search=rng.choice(["net", "NET", "ärger", "ÄRGER", "vit", "nlp", "äpfel", "ü", "zzz", "-"]))
    filters = []
    if rng.random() < 0.4:
        filters.append(("project", tuple(rng.sample(PROJECTS, rng.randint(1, 2)))))
    if rng.random() < 0.3:
        filters.append(("tags", tuple(rng.sample(TAGS, rng.randint(1, 2)))))
    if rng.random() < 0.2:
        filters.append(("status", ("published",)))
    if rng.random() < 0.2:
        filters.append(("user", ("Åsa", "")))
    ranges = []
    if rng.random() < 0.3:
        ranges.append(("created", rng.choice(["", "2026-02-10"]), rng.choice(["", "2026-02-20"])))
    text_filters = []
    if rng.random() < 0.3:
        text_filters.append((rng.choice(["name", "user", "framework", "tags"]), rng.choice(["ÄR", "a", "TORCH", "Åsa", "pf"])))
    sort = None if rng.random() < 0.2 else (rng.choice(MODEL_COLUMNS), rng.random() < 0.5)
    pinned = tuple(rng.sample(ids, rng.randint(0, 3))) + (("missing",) if rng.random() < 0.2 else ())
    return replace(q, filters=tuple(filters), ranges=tuple(ranges), text_filters=tuple(text_filters),
                   sort=sort, pinned=pinned if rng.random() < 0.3 else ())


@pytest.mark.parametrize("plan", ["chosen", "walk_sort_index", "sort_matches"])
def test_list_models_matches_a_python_reference(store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, plan: str) -> None:
    if plan != "chosen":  # both ways of paging must give the same pages
        monkeypatch.setattr(SQLiteStore, "_walk_sort_index", staticmethod(lambda *_: plan == "walk_sort_index"))
    rng = random.Random(11)
    models = random_models(rng, 80)
    for m in models:
        store.save_model(replace(m, tags=list(m.tags)))
    ids = [m.id for m in models]
    for _ in range(400):
        q = random_query(rng, ids)
        page = store.list_models(q)
        expected_ids, expected_total = reference_page(models, q)
        assert [r.id for r in page.rows] == expected_ids, q
        assert page.total == expected_total, q
        assert page.offset == q.offset
    row = store.list_models(ModelQuery(pinned=(models[5].id,), limit=1)).rows[0]
    m = models[5]
    assert (row.name, row.project, row.tags, row.user, row.created) == (m.name, m.project, tuple(m.tags), m.user, m.created)


def test_distinct_values_count_models(store: SQLiteStore) -> None:
    models = random_models(random.Random(5), 40)
    for m in models:
        store.save_model(m)
    for column in ("project", "user", "status"):
        counts: dict[str, int] = {}
        for m in models:
            counts[getattr(m, column)] = counts.get(getattr(m, column), 0) + 1
        assert store.distinct_values(column) == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    tag_counts: dict[str, int] = {}
    for m in models:
        for t in m.tags:
            tag_counts[t] = tag_counts.get(t, 0) + 1
    assert store.distinct_values("tags", limit=2) == sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
    with pytest.raises(SourceError, match="unknown column 'colour'"):
        store.distinct_values("colour")
    with pytest.raises(SourceError, match="unknown column"):
        store.list_models(ModelQuery(sort=("name; DROP TABLE models", False)))


def test_details_children_and_export_import_round_trip(store: SQLiteStore, tmp_path: Path) -> None:
    parent = Model(id="p", name="parent", tags=["a", "b"], labels={"cat": 1}, comment="c",
                   metadata=[MetadataItem("lr", "float", "0.1")], config=Config("yaml", "lr: 0.1\n"),
                   created="2026-01-01T00:00:00Z")
    store.save_model(parent)
    store.save_model(Model(id="c2", name="child2", parent="p", created="2026-01-03T00:00:00Z"))
    store.save_model(Model(id="c1", name="child1", parent="p", created="2026-01-02T00:00:00Z"))
    store.add_scalars("p", "loss", "train", np.arange(5000), np.linspace(1, 0, 5000), 1e9 + np.arange(5000))
    store.set_single_values("p", {"acc": 0.5})
    store.add_plots("p", [Plot("cm", "val", 3, "text", {"text": "x"}, 5.0)])
    (got,) = store.get_models(["p"])
    assert got.children == ["c1", "c2"] and got.labels == {"cat": 1} and got.config == Config("yaml", "lr: 0.1\n")
    assert [m.id for m in store.get_models(["c1", "zz", "p"])] == ["c1", "p"]
    records = store.export_records(["p"])
    copy = SQLiteStore(tmp_path / "copy.db")
    assert copy.import_records(records) == ["p"]
    again = copy.export_records(["p"])
    assert again[0].model == records[0].model
    assert again[0].scalars == records[0].scalars and again[0].single_values == {"acc": 0.5}
    assert again[0].plots == records[0].plots
    with pytest.raises(SourceError, match="unknown model 'zz'"):
        store.export_records(["zz"])
    copy.close()


# -- corrupt stores ---------------------------------------------------------------------------


def assert_one_line_naming(exc: pytest.ExceptionInfo[SourceError], path: Path) -> str:
    text = str(exc.value)
    assert "\n" not in text and str(path.resolve()) in text
    return text


@pytest.mark.parametrize("header", [b"", b"SQLite format 3\x00"])
def test_random_bytes_are_not_a_store(tmp_path: Path, header: bytes) -> None:
    path = tmp_path / "random.db"
    path.write_bytes(header + random.Random(1).randbytes(8192))
    with pytest.raises(SourceError) as exc:
        SQLiteStore(path)
    text = assert_one_line_naming(exc, path)
    assert "not a modelcompare store" in text or "damaged" in text


def test_another_sqlite_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    with pytest.raises(SourceError) as exc:
        SQLiteStore(path)
    assert "not a modelcompare store (tables: users)" in assert_one_line_naming(exc, path)
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["users"]


def test_a_foreign_meta_table_or_application_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "meta.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
        conn.execute("CREATE TABLE things (x)")
    with pytest.raises(SourceError) as exc:
        SQLiteStore(path)
    assert "not a modelcompare store (tables: things)" in assert_one_line_naming(exc, path)
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id=1234")
    with pytest.raises(SourceError) as exc:
        SQLiteStore(path)
    assert "another application" in assert_one_line_naming(exc, path)


def test_a_directory_and_a_missing_store(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as exc:
        SQLiteStore(tmp_path)
    assert "is a directory" in assert_one_line_naming(exc, tmp_path)
    missing = tmp_path / "nope.db"
    with pytest.raises(SourceError) as exc:
        SQLiteStore(missing, create=False)
    assert "no store at" in assert_one_line_naming(exc, missing)
    assert not missing.exists()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (SCHEMA_VERSION + 1,))
    with pytest.raises(SourceError) as exc:
        SQLiteStore(path)
    assert f"schema v{SCHEMA_VERSION + 1} is newer" in assert_one_line_naming(exc, path)


def test_a_damaged_store_fails_reads_with_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    store = SQLiteStore(path)
    for i in range(200):
        store.save_model(Model(id=f"m{i}", name="x" * 500))
    store.add_scalars("m1", "loss", "train", np.arange(50_000), np.zeros(50_000))
    store.close()  # the last connection checkpoints the WAL into the file
    data = bytearray(path.read_bytes())
    rng = random.Random(3)
    for page in range(3, len(data) // 8192):
        if rng.random() < 0.5:
            data[page * 8192 : page * 8192 + 64] = rng.randbytes(64)
    path.write_bytes(bytes(data))
    with pytest.raises(SourceError) as exc:
        damaged = SQLiteStore(path)
        damaged.list_models(ModelQuery(search="x", sort=("name", False)))
        damaged.scalar_summaries([f"m{i}" for i in range(200)])
        damaged.read_series("m1", "loss", "train")
    assert_one_line_naming(exc, path)


# -- migrations ----------------------------------------------------------------------------------


def test_new_store_is_current_marked_and_in_wal_mode(store: SQLiteStore, store_path: Path) -> None:
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA application_id").fetchone()[0] == store_package.APPLICATION_ID
    assert conn.execute("PRAGMA page_size").fetchone()[0] == store_package.PAGE_SIZE
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == SCHEMA_VERSION


@pytest.mark.parametrize("meta_rows", [[], [("schema_version", 0)], [("schema_version", 0), ("generation", 7)]])
def test_v0_or_empty_meta_migrates_to_current(tmp_path: Path, meta_rows: list) -> None:
    path = tmp_path / "v0.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
        conn.executemany("INSERT INTO meta VALUES (?, ?)", meta_rows)
    store = SQLiteStore(path)
    version = store.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert version == SCHEMA_VERSION
    token = store.change_token()
    new_model(store)
    store.add_scalars("m1", "loss", "train", [1, 2], [3.0, 4.0])
    assert store.change_token() != token
    assert store.scalar_summaries(["m1"])["m1"][0].last == 4.0
    store.close()


def make_v1_store(path: Path, it: np.ndarray, v: np.ndarray, ts: np.ndarray, chunk: int) -> None:
    """A store as schema v1 wrote it: details in the models table, chunks without
    extremes, no store id, no application id."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', 1), ('generation', 5)")
    schema._run_script(conn, schema._SCHEMA_V1)
    conn.execute(
        """INSERT INTO models (id, name, project, tags, created, updated, comment, uri, labels, metadata,
                               config_format, config_text, search_text, gen)
           VALUES ('old', 'Old Model', 'legacy', 'a\x1fb', '2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z',
                   'kept', 's3://w', '{"cat": 3}', '[{"key": "lr", "type": "float", "value": "0.1"}]',
                   'json', '{"layers": 3}', 'old model\nlegacy\na\nb', 5)"""
    )
    conn.executemany("INSERT INTO model_tags VALUES (1, ?)", [("a",), ("b",)])
    summary = summarize("loss", "train", it, v, ts)
    assert summary is not None
    n_chunks = -(-len(it) // chunk)
    conn.execute(
        "INSERT INTO series VALUES (1, 1, 'loss', 'train', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (summary.count, summary.last_iteration, summary.last, summary.last_timestamp, summary.min,
         summary.min_iteration, summary.max, summary.max_iteration, summary.first_timestamp, n_chunks),
    )
    ms = np.round(ts * 1000).astype(np.int64)
    for no in range(n_chunks):
        part = slice(no * chunk, (no + 1) * chunk)
        v1_row = codec._encode_chunk(it[part], v[part], ms[part])[:-1]  # v1 had no extremes
        conn.execute(f"INSERT INTO chunks VALUES (1, {no}, {', '.join('?' * len(v1_row))})", v1_row)
    conn.execute("INSERT INTO single_values VALUES (1, 'acc', 0.5)")
    conn.execute("INSERT INTO plots VALUES (1, 'cm', 'val', 7, 'text', '{\"text\": \"t\"}', 1.0)")
    conn.execute("COMMIT")
    conn.close()


def test_v1_store_migrates_with_its_data(tmp_path: Path) -> None:
    """Details move to their own table, chunks gain extremes, the store an id and
    the application id; every model, point, value and plot reads back the same."""
    path = tmp_path / "v1.db"
    rng = np.random.default_rng(0)
    it = np.arange(20_000)
    v = np.cumsum(rng.standard_normal(20_000))
    ts = 1e9 + it * 0.25
    make_v1_store(path, it, v, ts, chunk=64)
    store = SQLiteStore(path)
    conn = store.conn
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT value FROM meta WHERE key='store_id'").fetchone()[0]
    assert conn.execute("PRAGMA application_id").fetchone()[0] == store_package.APPLICATION_ID
    columns = {r[1] for r in conn.execute("PRAGMA table_info(models)")}
    assert "config_text" not in columns and "name" in columns
    assert conn.execute("SELECT count(*) FROM chunks WHERE extremes IS NULL").fetchone()[0] == 0
    (m,) = store.get_models(["old"])
    assert (m.name, m.project, m.tags, m.comment, m.uri) == ("Old Model", "legacy", ["a", "b"], "kept", "s3://w")
    assert m.labels == {"cat": 3} and m.metadata == [MetadataItem("lr", "float", "0.1")]
    assert m.config == Config("json", '{"layers": 3}')
    assert [r.id for r in store.list_models(ModelQuery(search="LEGACY", filters=(("tags", ("b",)),))).rows] == ["old"]
    assert store.read_series("old", "loss", "train") == ScalarSeries("loss", "train", it, v, ts)
    assert_summary_matches(store, "old", "loss", "train", it, v, ts)
    d = store.series("old", "loss", "train", buckets=50)
    e_it, _e_v, e_ts, total = reference_series(it, v, ts, None, None, "iteration", 50)
    assert d.iterations.tolist() == e_it.tolist() and d.timestamps.tolist() == e_ts.tolist()
    assert d.total_points == total == 20_000
    assert store.single_values(["old"]) == {"old": {"acc": 0.5}}
    assert store.plots(["old"])["old"][0].data == {"text": "t"}
    token = store.change_token()
    assert token.endswith(":5")
    store.save_model(replace(m, name="renamed"))
    assert store.changed_models(token, ["old"]) == ["old"]
    assert store.get_models(["old"])[0].config == Config("json", '{"layers": 3}')
    store.close()


# -- the search index (schema v4) ------------------------------------------------------------------

# Case pairs whose lowering is not ASCII (İ lowers to two code points, Σ to σ or ς),
# FTS5 query syntax characters, and characters outside the BMP.
SEARCH_CHARS = "abAB-_ .Ääé Éİıiσς Σ\"'*%()😀"


def random_text(rng: random.Random, longest: int) -> str:
    return "".join(rng.choice(SEARCH_CHARS) for _ in range(rng.randint(0, longest)))


def search_models(rng: random.Random, n: int, prefix: str = "s") -> list[Model]:
    return [
        Model(id=f"{prefix}{i:03d}", name=random_text(rng, 10), project=random_text(rng, 6),
              tags=[random_text(rng, 5) for _ in range(rng.randint(0, 3))],
              status=rng.choice(["draft", "published"]),
              created="2026-01-01T00:00:00Z", updated=f"2026-01-{rng.randint(1, 28):02d}T00:00:00Z")
        for i in range(n)
    ]


def search_queries(rng: random.Random, models: list[Model], n: int) -> list[ModelQuery]:
    """Pieces of the models' texts (so most match something) in random case, and
    random text; some with a filter or pinned models."""
    queries = []
    while len(queries) < n:
        m = rng.choice(models)
        text = rng.choice([m.name, m.project, *m.tags])
        if text and rng.random() < 0.75:
            start = rng.randrange(len(text))
            needle = text[start : start + rng.randint(1, 6)]
        else:
            needle = random_text(rng, 5)
        needle = "".join(c.upper() if rng.random() < 0.3 else c for c in needle)
        if not needle:
            continue
        q = ModelQuery(search=needle, limit=rng.choice([5, 1000]), offset=rng.choice([0, 0, 2]))
        if rng.random() < 0.25:
            q = replace(q, filters=(("status", ("published",)),))
        if rng.random() < 0.25:
            q = replace(q, pinned=tuple(x.id for x in rng.sample(models, 2)))
        queries.append(q)
    return queries


def assert_searches_match_the_reference(store: SQLiteStore, models: list[Model], rng: random.Random) -> None:
    for q in search_queries(rng, models, 150):
        page = store.list_models(q)
        expected_ids, expected_total = reference_page(models, q)
        assert ([r.id for r in page.rows], page.total) == (expected_ids, expected_total), q


def assert_index_in_sync(store: SQLiteStore) -> None:
    # rank 1: also compare the index with the models table's texts (SQLITE_CORRUPT when they differ)
    store.conn.execute("INSERT INTO models_search(models_search, rank) VALUES ('integrity-check', 1)")
    indexed = store.conn.execute("SELECT count(*) FROM models_search_docsize").fetchone()[0]
    assert indexed == store.count_models()


def rewrite_some(store: SQLiteStore, models: list[Model], rng: random.Random) -> list[Model]:
    """Every write path that changes what a search sees: renames and retags
    (save_model), replacements and additions (import_records, a model twice in
    one), deletions. Returns the models in table order (a replaced model keeps
    its place)."""
    by_id = {m.id: m for m in models}
    for m in rng.sample(models, 10):
        by_id[m.id] = store.save_model(replace(m, name=random_text(rng, 10), tags=[random_text(rng, 4)]))
    unchanged = rng.choice([m for m in models if by_id[m.id] is m])
    by_id[unchanged.id] = store.save_model(replace(unchanged, comment="only a detail changed"))
    replaced = [replace(m, project=random_text(rng, 6)) for m in rng.sample(models, 5)]
    added = search_models(rng, 5, prefix="new")
    twice = replace(rng.choice(models), name="first of two")  # one transaction changes it twice
    store.import_records([ModelRecord(m) for m in [twice, *replaced, *added, replace(twice, name="second")]])
    by_id.update((m.id, m) for m in [*replaced, replace(twice, name="second")])
    gone = [m.id for m in rng.sample(models, 8)]
    assert store.delete_models(gone) == 8
    return [by_id[m.id] for m in models if m.id not in gone] + added


@pytest.mark.parametrize("plan", ["index_drives", "index_counts_only", "no_index"])
@pytest.mark.parametrize("walk", [True, False])
def test_search_by_index_or_scan_matches_a_python_reference(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, plan: str, walk: bool
) -> None:
    """Whatever answers a search (trigram index or instr scan, either page plan),
    the rows are the case-insensitive substring matches, before and after writes."""
    if plan == "no_index":  # an SQLite without FTS5 trigram: the store does without
        monkeypatch.setattr(schema, "fts_trigram_available", lambda conn: False)
    else:
        monkeypatch.setattr(SQLiteStore, "_index_drives_search", staticmethod(lambda *_: plan == "index_drives"))
    monkeypatch.setattr(SQLiteStore, "_walk_sort_index", staticmethod(lambda *_: walk))
    store = SQLiteStore(store_path)
    has_index = store.conn.execute("SELECT 1 FROM sqlite_master WHERE name='models_search'").fetchone() is not None
    assert has_index == (plan != "no_index")
    rng = random.Random(23)
    models = search_models(rng, 60)
    for m in models:
        store.save_model(m)
    assert_searches_match_the_reference(store, models, rng)
    models = rewrite_some(store, models, rng)
    if has_index:
        assert_index_in_sync(store)
    assert_searches_match_the_reference(store, models, rng)
    store.close()


def test_v3_store_migrates_to_a_search_index_that_writes_keep_in_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "v3.db"
    rng = random.Random(5)
    models = search_models(rng, 40)
    with monkeypatch.context() as v3:
        v3.setattr(schema, "SCHEMA_VERSION", 3)
        old = SQLiteStore(path)
        for m in models:
            old.save_model(m)
        assert old.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == 3
        assert old.conn.execute("SELECT 1 FROM sqlite_master WHERE name='models_search'").fetchone() is None
        old.close()
    store = SQLiteStore(path)
    conn = store.conn
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == SCHEMA_VERSION
    assert_index_in_sync(store)  # built from the models already there
    # the index, not a scan, answers searches of 3+ characters: emptied, it finds nothing
    name = next(m.name for m in models if len(m.name) >= 3)
    conn.execute("INSERT INTO models_search(models_search) VALUES ('delete-all')")
    assert store.list_models(ModelQuery(search=name)).total == 0
    assert store.list_models(ModelQuery(search=name[:2])).total > 0  # shorter: scanned
    conn.execute("INSERT INTO models_search(models_search) VALUES ('rebuild')")
    store.close()
    store = SQLiteStore(path)  # forgets the counts it took from the emptied index
    assert store.list_models(ModelQuery(search=name)).total > 0
    assert_searches_match_the_reference(store, models, rng)
    models = rewrite_some(store, models, rng)
    assert_index_in_sync(store)
    assert_searches_match_the_reference(store, models, rng)
    store.close()


def test_a_store_whose_sqlite_cannot_read_its_index_scans(
    store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SQLiteStore(store_path)
    models = search_models(random.Random(9), 30)
    for m in models:
        store.save_model(m)
    store.close()
    monkeypatch.setattr(schema, "fts_trigram_available", lambda conn: False)
    store = SQLiteStore(store_path)
    assert_searches_match_the_reference(store, models, random.Random(10))
    message = str(store._error(sqlite3.OperationalError("no such module: fts5")))
    assert str(store.path) in message and "SQLite 3.34+ with FTS5" in message and "\n" not in message
    store.close()


def test_a_walk_that_visits_too_many_models_gives_way_to_sorting(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The matches of a filter cluster at the end of the name order: walking the
    name index would visit nearly every model, so the walk is stopped and the
    matches sorted; the page is the same."""
    models = [Model(id=f"a{i:04d}", name=f"a-{i:04d}", user="early", updated="2026-01-01") for i in range(4000)]
    models += [Model(id=f"z{i:04d}", name=f"z-{i:04d}", user="late", updated="2026-01-01") for i in range(300)]
    store.import_records([ModelRecord(m) for m in models])
    walks: list[bool] = []
    real_walk = SQLiteStore._walk

    def spy(*args):  # noqa: ANN002, ANN202
        rows = real_walk(*args)
        walks.append(rows is not None)
        return rows

    monkeypatch.setattr(SQLiteStore, "_walk", staticmethod(spy))
    q = ModelQuery(filters=(("user", ("late",)),), sort=("name", False), offset=3, limit=10)
    page = store.list_models(q)
    assert walks == [False]  # tried, stopped
    assert ([r.id for r in page.rows], page.total) == reference_page(models, q)
    # spread evenly, the same walk finishes
    q = ModelQuery(filters=(("user", ("early",)),), sort=("name", True), limit=10)
    page = store.list_models(q)
    assert walks == [False, True]
    assert ([r.id for r in page.rows], page.total) == reference_page(models, q)


def test_a_count_is_taken_again_after_any_write_to_the_store(store_path: Path) -> None:
    """list_models keeps a query's total until the next write, by this store object
    or by another connection (another process)."""
    reader = SQLiteStore(store_path)
    writer = SQLiteStore(store_path)
    writer.import_records([ModelRecord(Model(id=f"m{i}", name=f"resnet-{i}")) for i in range(5)])
    for search in ("resnet", "re", ""):
        q = ModelQuery(search=search, limit=2)
        assert reader.list_models(q).total == 5
        assert reader.list_models(replace(q, offset=2)).total == 5
        writer.save_model(Model(id=f"new-{search}", name="ResNet-new"))
        assert reader.list_models(replace(q, offset=2)).total == 6
        writer.delete_models([f"new-{search}"])
        assert reader.list_models(q).total == 5
    reader.save_model(Model(id="own", name="resnet-own"))
    assert reader.list_models(ModelQuery(search="resnet")).total == 6
    reader.close()
    writer.close()
