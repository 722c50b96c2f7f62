"""Speed, size and memory of the embedded SQLite store against the issue's targets.

Run:  .venv/bin/python benchmarks/bench_store.py [--small] [--rebuild]

The big store (10,000 models; 20 of them with 100 series x 20,000 points = 40M
points, the rest with 4 short series each) is built once under bench-data/ and
reused; --rebuild builds it again. --small runs the same measurements on a store
of 1,000 models, 2 of them with 100 x 2,000 points (a quick check, not the
targets' scale). Every figure is printed beside its target; times are medians of
several runs (best and worst shown) on a warm page cache.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from modelcompare_tui.core.model import Config, MetadataItem, Model, ModelQuery, ModelRecord, ScalarSeries
from modelcompare_tui.sources.store import CACHE_KB, SCHEMA_VERSION, SQLiteStore

GENERATOR_VERSION = 2  # bump when the generated data changes: the stored benchmark store is rebuilt
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"


@dataclass(frozen=True)
class Scale:
    name: str
    models: int
    big_models: int
    series: int  # per big model
    points: int  # per series of a big model
    small_series: int  # per other model
    small_points: int

    @property
    def big_points(self) -> int:
        return self.big_models * self.series * self.points


FULL = Scale("big", 10_000, 20, 100, 20_000, 4, 50)
SMALL = Scale("small", 1_000, 2, 100, 2_000, 4, 50)

ARCHS = ["resnet50", "resnet18", "vit-b16", "vit-l14", "bert-base", "bert-large", "gpt2-small", "t5-base",
         "whisper-tiny", "efficientnet-b0", "convnext-t", "llama-7b-lora", "yolov8n", "unet", "wav2vec2"]
DATASETS = ["imagenet", "cifar10", "coco", "squad", "glue-mnli", "librispeech", "wikitext", "openwebtext"]
PROJECTS = [f"{a}/{b}" for a in ("vision", "nlp", "speech", "recsys", "research") for b in ("prod", "exp", "sweep")]
USERS = [f"{n}" for n in ("alice", "bob", "carol", "dmitri", "eve", "farah", "gustav", "hana", "ivan", "jun",
                          "kemal", "lena", "mateo", "nadia", "oskar", "priya", "quinn", "rosa", "sven", "tomoko")]
TAGS = ["baseline", "best", "fp16", "bf16", "distilled", "pruned", "quantized", "ema", "augment", "mixup",
        "cosine-lr", "warmup", "lora", "frozen-backbone", "long-run", "ablation", "seed-0", "seed-1", "seed-2",
        "candidate", "regression", "nightly", "tpu", "a100", "h100", "v2", "v3", "deprecated", "shared", "demo"]
METRICS = ["loss", "accuracy", "lr", "grad_norm", "f1", "precision", "recall", "top5", "perplexity", "bleu"]
VARIANTS = ["train", "val", "test", "ema", "head0", "head1", "head2", "head3", "head4", "head5"]


def network_config(rng: random.Random) -> Config:
    """A network configuration as a framework dumps it: 1-8 KB of YAML."""
    lines = ["model:", f"  backbone: {rng.choice(ARCHS)}", "  layers:"]
    width = 64
    for layer in range(rng.randint(10, 80)):
        width = min(2048, width * rng.choice((1, 1, 2)))
        lines.append(f"    - {{name: block{layer}, type: {rng.choice(['conv', 'attention', 'mlp', 'norm'])}, "
                     f"width: {width}, dropout: {rng.choice([0.0, 0.1, 0.2])}}}")
    lines += ["optimizer:", f"  name: {rng.choice(['adamw', 'sgd', 'lion'])}", f"  lr: {rng.choice([1e-3, 3e-4, 1e-4])}"]
    return Config("yaml", "\n".join(lines) + "\n")


def model_meta(i: int, rng: random.Random) -> Model:
    arch = rng.choice(ARCHS)
    n_labels = 1000 if rng.random() < 0.1 else rng.randint(2, 20)  # some ImageNet-sized label maps
    day = 1 + (i * 7919) % 700
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1_700_000_000 + day * 86400 + rng.randint(0, 86399)))
    return Model(
        id=f"{i:06d}{rng.getrandbits(96):024x}",
        name=f"{arch}-{rng.choice(DATASETS)}-run{i}",
        project=rng.choice(PROJECTS),
        framework=rng.choice(["pytorch", "pytorch", "jax", "tensorflow"]),
        status=rng.choice(["draft", "draft", "published"]),
        tags=rng.sample(TAGS, rng.randint(0, 4)),
        user=rng.choice(USERS),
        created=created,
        updated=created,
        comment=f"trained on {rng.choice(DATASETS)} for {rng.randint(1, 90)} epochs",
        uri=f"s3://models/{i:06d}/model.pt",
        task_id=f"task{i:06d}",
        task_name=f"train {arch}",
        labels={f"class_{k}": k for k in range(n_labels)},
        metadata=[MetadataItem(f"hp/{k}", "float", str(rng.random())) for k in range(rng.randint(3, 15))],
        config=network_config(rng),
    )


def big_series(rng: np.random.Generator, scale: Scale, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A training curve: a noisy decaying random walk, a timestamp per iteration
    with jitter; one series in ten logged at irregular iterations (evaluations)."""
    n = scale.points
    if k % 10 == 9:
        it = np.cumsum(rng.integers(1, 20, n)).astype(np.int64)
    else:
        it = np.arange(n, dtype=np.int64)
    v = np.exp(-it / (n * 0.3)) + np.cumsum(rng.standard_normal(n)) * 1e-3 + rng.standard_normal(n) * 1e-2
    ts = 1_750_000_000.0 + it * 0.35 + rng.random(n) * 0.01
    return it, v, ts


def series_name(k: int) -> tuple[str, str]:
    return METRICS[k // len(VARIANTS) % len(METRICS)], VARIANTS[k % len(VARIANTS)]


def big_batches(scale: Scale, seed: int) -> list[tuple]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(scale.series):
        metric, variant = series_name(k)
        out.append((metric, variant, *big_series(rng, scale, k)))
    return out


def remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def build(scale: Scale, path: Path) -> dict[str, float]:
    """The benchmark store; returns what building it measured."""
    remove_store(path)
    store = SQLiteStore(path)
    rng = random.Random(42)
    metas = [model_meta(i, rng) for i in range(scale.models)]
    big_every = scale.models // scale.big_models
    big_ids = [metas[i * big_every].id for i in range(scale.big_models)]
    t0 = time.perf_counter()
    small_rng = np.random.default_rng(1)
    batch: list[ModelRecord] = []
    for m in metas:
        if m.id in big_ids:
            store.save_model(m)
            continue
        scalars = []
        for k in range(scale.small_series):
            metric, variant = series_name(k)
            it = np.arange(scale.small_points, dtype=np.int64) * 100
            v = np.exp(-it / 3000.0) + small_rng.standard_normal(scale.small_points) * 0.01
            scalars.append(ScalarSeries(metric, variant, it, v, 1_750_000_000.0 + it * 0.35))
        batch.append(ModelRecord(m, scalars, {"test/accuracy": float(small_rng.random())}))
        if len(batch) == 500:
            store.import_records(batch)
            batch = []
    if batch:
        store.import_records(batch)
    t_models = time.perf_counter() - t0
    ingest_time = 0.0
    for n, model_id in enumerate(big_ids):
        batches = big_batches(scale, 1000 + n)
        t = time.perf_counter()
        store.add_many(model_id, batches)
        ingest_time += time.perf_counter() - t
    store.close()  # checkpoints the WAL into the file
    info = {
        "schema": SCHEMA_VERSION,
        "generator": GENERATOR_VERSION,
        "scale": scale.__dict__,
        "big_ids": big_ids,
        "other_models_seconds": t_models,
        "big_ingest_points_per_s": scale.big_points / ingest_time,
        "built": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    return info


def timed(fn: Callable[[], object], runs: int = 15, warmup: int = 2) -> tuple[float, float, float]:
    """(best, median, worst) wall time in ms."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples), statistics.median(samples), max(samples)


class Report:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def header(self, title: str) -> None:
        print(f"\n{title}")

    def time(self, name: str, result: tuple[float, float, float], target_ms: float | None) -> None:
        best, median, worst = result
        verdict = ""
        if target_ms is not None:
            ok = median <= target_ms
            verdict = f"target <= {target_ms:g} ms  {'ok' if ok else 'MISSED'}"
            if not ok:
                self.failed.append(name)
        print(f"  {name:<58} {median:8.2f} ms  (best {best:.2f}, worst {worst:.2f})  {verdict}")

    def figure(self, name: str, value: float, unit: str, target: str = "", ok: bool | None = None) -> None:
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        if ok is False:
            self.failed.append(name)
        print(f"  {name:<58} {value:12,.1f} {unit:<10} {target}  {verdict}")


def measure_ingest(report: Report, scale: Scale, scratch: Path) -> None:
    report.header("ingest (into a new store; the benchmark store's own build figure is above)")
    ingest_path = scratch / "ingest.db"
    store = SQLiteStore(ingest_path)
    batches = big_batches(scale, 7)
    points = scale.series * scale.points
    rates = []
    for attempt in range(3):
        model_id = f"bench-ingest-{attempt}"
        store.save_model(Model(id=model_id, name=model_id))
        t = time.perf_counter()
        store.add_many(model_id, batches)
        rates.append(points / (time.perf_counter() - t))
    report.figure(f"add_many, 1 call of {scale.series} series x {scale.points:,} points", statistics.median(rates),
                  "points/s", "target >= 2,000,000", statistics.median(rates) >= 2e6)
    store.save_model(Model(id="bench-ingest-s", name="s"))
    t = time.perf_counter()
    for metric, variant, it, v, ts in batches:
        store.add_scalars("bench-ingest-s", metric, variant, it, v, ts)
    rate = points / (time.perf_counter() - t)
    report.figure(f"add_scalars, {scale.series} calls of {scale.points:,} points", rate, "points/s",
                  "target >= 2,000,000", rate >= 2e6)
    # a training loop's flushes: every series gets a few points per transaction
    store.save_model(Model(id="bench-ingest-loop", name="loop"))
    flush, steps = 50, min(scale.points, 5_000)
    t = time.perf_counter()
    for s in range(0, steps, flush):
        store.add_many("bench-ingest-loop", [(m, var, it[s : s + flush], v[s : s + flush], ts[s : s + flush])
                                             for m, var, it, v, ts in batches])
    rate = scale.series * steps / (time.perf_counter() - t)
    store.close()
    remove_store(ingest_path)
    report.figure(f"add_many, flushes of {scale.series} series x {flush} points", rate, "points/s", "(no target)")

    # import of a model file: load_model_file + import_records
    try:
        from modelcompare_tui.core.modelfile import load_model_file, write_model_file
    except ImportError:
        print("  import of a JSON file: core/modelfile (load_model_file) is not there yet; not measured")
        return
    n_series = 50
    file_path = scratch / f"import-{n_series}x{scale.points}.json"
    rng = np.random.default_rng(3)
    scalars = [ScalarSeries(*series_name(k), *big_series(rng, scale, k)) for k in range(n_series)]
    record = ModelRecord(Model(id="bench-import", name="bench import", project="bench"), scalars)
    if not file_path.exists():
        write_model_file([record], file_path)
    file_points = n_series * scale.points
    scratch_store = scratch / "import.db"
    loads, stores_, totals = [], [], []
    for _ in range(3):
        remove_store(scratch_store)
        target = SQLiteStore(scratch_store)
        t = time.perf_counter()
        records = load_model_file(file_path)
        t_load = time.perf_counter() - t
        t2 = time.perf_counter()
        target.import_records(records)
        t_store = time.perf_counter() - t2
        target.close()
        loads.append(t_load)
        stores_.append(t_store)
        totals.append(t_load + t_store)
    remove_store(scratch_store)
    mb = file_path.stat().st_size / 1e6
    rate = file_points / statistics.median(totals)
    report.figure(f"import of a {mb:.0f} MB JSON file ({file_points:,} points)", rate, "points/s",
                  "target >= 500,000", rate >= 5e5)
    print(f"  {'':<58} (load_model_file {statistics.median(loads) * 1000:.0f} ms, "
          f"import_records {statistics.median(stores_) * 1000:.0f} ms)")


def measure_reads(report: Report, scale: Scale, store_path: Path, big_ids: list[str]) -> None:
    store = SQLiteStore(store_path)
    st = store.stats()
    print(f"\nstore: {st['models']:,} models, {st['series']:,} series, {st['points']:,} points, "
          f"{st['bytes'] / 1e6:,.0f} MB ({store_path})")
    report.header("models table: one page of 100 rows with the total count")
    some_ids = [r.id for r in store.list_models(ModelQuery(limit=10, offset=500)).rows]
    queries = {
        "first page (newest first)": ModelQuery(),
        "sort by name, page at offset 5,000": ModelQuery(sort=("name", False), offset=scale.models // 2),
        "sort by tags descending": ModelQuery(sort=("tags", True)),
        "search 'resnet' (name/project/tags)": ModelQuery(search="resnet"),
        "search 'ImageNet-RUN1' sorted by created": ModelQuery(search="ImageNet-RUN1", sort=("created", False)),
        "filter project (2 values) + status, sort by user": ModelQuery(
            filters=(("project", ("vision/prod", "nlp/exp")), ("status", ("published",))), sort=("user", False)),
        "filter tags (2 values) + search 'vit'": ModelQuery(filters=(("tags", ("best", "lora")),), search="vit"),
        "text filter on user + created range": ModelQuery(
            text_filters=(("user", "A"),), ranges=(("created", "2024-06-01", "2024-12-31"),)),
        "10 pinned + filter framework, sort by id": ModelQuery(
            pinned=tuple(some_ids), filters=(("framework", ("jax",)),), sort=("id", True)),
        "last page of a sort by updated": ModelQuery(sort=("updated", False), offset=scale.models - 50),
    }
    for name, query in queries.items():
        report.time(name, timed(lambda q=query: store.list_models(q)), 30)
    report.time("distinct values of tags (filter checklist)", timed(lambda: store.distinct_values("tags")), 30)

    report.header("scalars")
    ten = (big_ids * 10)[:10]
    report.time(f"scalar summaries, 10 models x {scale.series} series", timed(lambda: store.scalar_summaries(ten)), 50)
    fresh = lambda: SQLiteStore(store_path).scalar_summaries(ten)  # noqa: E731
    report.time("  the same on a newly opened store", timed(fresh, runs=7), None)
    names = [series_name(k) for k in range(scale.series)]
    rotation = [(big_ids[i % len(big_ids)], *names[(i * 7) % len(names)]) for i in range(40)]
    state = {"i": 0}

    def one_series() -> None:
        model_id, metric, variant = rotation[state["i"] % len(rotation)]
        state["i"] += 1
        store.series(model_id, metric, variant, buckets=400)

    report.time(f"one series ({scale.points:,} points) to 400 buckets", timed(one_series, runs=40), 5)
    report.time("  zoomed: a tenth of its iterations",
                timed(lambda: store.series(big_ids[0], "loss", "train", start=scale.points * 0.4,
                                           end=scale.points * 0.5, buckets=400)), 5)
    report.time("  by time, whole range",
                timed(lambda: store.series(big_ids[0], "loss", "val", by="time", buckets=400)), 5)
    ten_models = (big_ids * 10)[:10]
    report.time("merged chart: 10 models' loss/train, 400 buckets",
                timed(lambda: [store.series(m, "loss", "train", buckets=400) for m in ten_models]), 30)
    store.close()


READER = """
import sys
from modelcompare_tui.sources.store import SQLiteStore
from modelcompare_tui.core.model import ModelQuery
import numpy
def status_mb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
rss_mb = lambda: status_mb("VmRSS")
store = SQLiteStore(sys.argv[1])
big = sys.argv[2].split(",")
before = rss_mb()
for _ in range(3):
    store.scalar_summaries(big[:10])
    for m in big[:10]:
        for k in ("train", "val", "test", "ema"):
            store.series(m, "loss", k, buckets=400)
            store.series(m, "accuracy", k, buckets=400, by="time")
    store.list_models(ModelQuery(search="resnet"))
after = rss_mb()
peak = status_mb("VmHWM")  # ru_maxrss would include the parent's peak (kept across exec)
print(f"{before:.1f} {after:.1f} {peak:.1f}")
"""


def reader_memory(path: Path, big_ids: list[str]) -> tuple[float, float, float]:
    out = subprocess.run([sys.executable, "-c", READER, str(path), ",".join(big_ids)],
                         capture_output=True, text=True, check=True)
    before, after, peak = map(float, out.stdout.split())
    return before, after, peak


def measure_memory(report: Report, scale: Scale, store_path: Path, big_ids: list[str], scratch: Path) -> None:
    report.header("memory of a reading process (summaries of 10 models, 80 series reads, a search)")
    tiny = Scale("tiny", 50, 10, scale.series, 200, 1, 10)
    tiny_path = scratch / "tiny.db"
    tiny_info = build(tiny, tiny_path)
    small_b, small_a, small_peak = reader_memory(tiny_path, tiny_info["big_ids"])
    big_b, big_a, big_peak = reader_memory(store_path, big_ids)
    remove_store(tiny_path)
    print(f"  {'store of ' + format(tiny.big_points + 40 * 10, ',') + ' points':<40} RSS {small_b:6.1f} -> {small_a:6.1f} MB, peak {small_peak:6.1f} MB")
    print(f"  {'store of ' + format(scale.big_points, ',') + '+ points':<40} RSS {big_b:6.1f} -> {big_a:6.1f} MB, peak {big_peak:6.1f} MB")
    growth = (big_a - big_b) - (small_a - small_b)
    cache_mb = CACHE_KB / 1024
    report.figure("extra RSS growth on the big store", growth, "MB",
                  f"target: independent of the points (bounded by the {cache_mb:.0f} MB page cache)",
                  growth <= cache_mb + 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="1,000 models, 400k big-model points: a quick run")
    parser.add_argument("--rebuild", action="store_true", help="build the benchmark store again")
    args = parser.parse_args()
    scale = SMALL if args.small else FULL
    DATA.mkdir(exist_ok=True)
    scratch = DATA / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    store_path = DATA / f"store-{scale.name}.db"
    info_path = DATA / f"store-{scale.name}.json"
    info = json.loads(info_path.read_text()) if info_path.exists() and store_path.exists() else None
    if (args.rebuild or info is None or info.get("scale") != scale.__dict__ or info.get("schema") != SCHEMA_VERSION
            or info.get("generator") != GENERATOR_VERSION):
        print(f"building {store_path} ({scale.models:,} models, {scale.big_points:,} points in the big ones) ...")
        t = time.perf_counter()
        info = build(scale, store_path)
        info["build_seconds"] = time.perf_counter() - t
        info_path.write_text(json.dumps(info, indent=2))
        print(f"built in {info['build_seconds']:.0f} s")
    print(f"benchmark store built {info['built']} in {info.get('build_seconds', 0):.0f} s; "
          f"its big models were ingested at {info['big_ingest_points_per_s']:,.0f} points/s")
    report = Report()
    measure_ingest(report, scale, scratch)
    measure_reads(report, scale, store_path, info["big_ids"])
    sized = SQLiteStore(store_path)
    st = sized.stats()
    report.header("size")
    per_point = st["bytes"] / st["points"]
    report.figure(f"store file per point ({st['bytes'] / 1e6:,.0f} MB / {st['points']:,} points)", per_point,
                  "bytes", "target <= 20" + (" (full size only)" if args.small else ""),
                  None if args.small else per_point <= 20)
    try:  # the points alone (without the models' configs and labels), where SQLite can tell
        chunk_bytes = sized.conn.execute("SELECT sum(pgsize) FROM dbstat WHERE name='chunks'").fetchone()[0]
        print(f"  {'  of which the points (chunks table)':<58} {chunk_bytes / st['points']:12,.1f} bytes")
    except Exception:  # noqa: BLE001 - dbstat is an optional SQLite feature
        pass
    sized.close()
    measure_memory(report, scale, store_path, info["big_ids"], scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    if args.small:
        print("\n(--small: the targets are for the full-size store; run without --small for the real figures)")
    print("\nall targets met" if not report.failed else f"\nMISSED: {', '.join(report.failed)}")


if __name__ == "__main__":
    main()
