"""Speed of the model file format (PRODUCT.md §5).

Targets: load_model_file (read + JSON + validation + numpy arrays) and the
import path (load_model_file + SQLiteStore.import_records, what `modelcompare
import` does) >= 500,000 points/s on a 2,000,000-point file. Two files are
measured:
  - "numbers": every point [iteration, value, epoch-seconds timestamp], as a
    training script writes them;
  - "written": the same records written by write_model_file after some runs
    diverged (values "nan"/"inf" as text), so the non-number path is timed too.
Each load is timed twice: as installed (orjson when present) and with the
stdlib json parser only (the fallback; no target). Times are medians of
--runs. Writing is measured as well (no target). Run:
    .venv/bin/python benchmarks/bench_modelfile.py [--points N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from modelcompare_tui.core import modelfile
from modelcompare_tui.core.modelfile import load_model_file, write_model_file
from modelcompare_tui.sources.store import SQLiteStore

TARGET_POINTS_PER_S = 500_000
SERIES_PER_MODEL = 10
POINTS_PER_SERIES = 10_000


def make_document(total_points: int, seed: int = 7) -> dict:
    """Loss-like curves: noisy decay, iterations 0..n-1, a point every ~0.4 s."""
    rng = np.random.default_rng(seed)
    n_series = max(1, total_points // POINTS_PER_SERIES)
    models = []
    for m in range(0, n_series, SERIES_PER_MODEL):
        scalars = []
        start = 1_700_000_000.0 + m * 86_400
        for s in range(min(SERIES_PER_MODEL, n_series - m)):
            it = np.arange(POINTS_PER_SERIES)
            values = 2.5 * np.exp(-it / 3000) + rng.normal(0, 0.02, POINTS_PER_SERIES)
            stamps = np.round(start + np.cumsum(rng.uniform(0.3, 0.5, POINTS_PER_SERIES)), 3)
            points = [[i, v, t] for i, v, t in zip(it.tolist(), values.tolist(), stamps.tolist())]
            scalars.append({"metric": f"metric{s // 2}", "variant": ("train", "val")[s % 2], "points": points})
        models.append({"id": f"model{m:04d}", "name": f"resnet-{m}", "project": "bench", "scalars": scalars})
    return {"format": "modelcompare/v1", "models": models}


def timed(fn, runs: int = 1):  # type: ignore[no-untyped-def]
    """(last result, median wall seconds, median CPU seconds) of `runs` calls.
    CPU time shows what the wall time would be on an idle machine (2 shared cores)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if len(wall) < runs:
            del result
    return result, statistics.median(wall), statistics.median(cpu)


def json_only(fn):  # type: ignore[no-untyped-def]
    """`fn` run with orjson hidden from the model file reader."""
    def run():  # type: ignore[no-untyped-def]
        saved, modelfile.orjson = modelfile.orjson, None
        try:
            return fn()
        finally:
            modelfile.orjson = saved
    return run


def import_into_new_store(path: Path, store_path: Path) -> int:
    """What `modelcompare import` does: load the file, write it in one transaction."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    store = SQLiteStore(store_path)
    try:
        records = load_model_file(path)
        store.import_records(records)
        return sum(len(s) for r in records for s in r.scalars)
    finally:
        store.close()


def report(what: str, points: int, size_mb: float, seconds: float, cpu: float, target: bool) -> None:
    rate = points / seconds
    verdict = (f"(target >= {TARGET_POINTS_PER_S:,}: {'ok' if rate >= TARGET_POINTS_PER_S else 'MISSED'})"
               if target else "(no target)")
    print(f"{what:<28} {points:>9,} points  {size_mb:6.1f} MB  {seconds:6.2f} s (cpu {cpu:5.2f} s)  "
          f"{rate:>10,.0f} points/s  {verdict}")


def measure_loads(name: str, path: Path, store_path: Path, runs: int) -> list:  # type: ignore[type-arg]
    size_mb = os.path.getsize(path) / 1e6
    records, seconds, cpu = timed(lambda: load_model_file(path), runs)
    points = sum(len(s) for r in records for s in r.scalars)
    report(f"load {name} file", points, size_mb, seconds, cpu, target=True)
    _, seconds, cpu = timed(json_only(lambda: load_model_file(path)), runs)
    report(f"load {name} file, json only", points, size_mb, seconds, cpu, target=False)
    _, seconds, cpu = timed(lambda: import_into_new_store(path, store_path), runs)
    report(f"import {name} file", points, size_mb, seconds, cpu, target=True)
    return records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    parser_name = f"orjson {modelfile.orjson.__version__}" if modelfile.orjson else "json (orjson not installed)"
    print(f"JSON parser: {parser_name}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        store_path = Path(tmp) / "import.db"
        numbers_file = Path(tmp) / "numbers.json"
        doc = make_document(args.points)
        numbers_file.write_text(json.dumps(doc))
        del doc
        records = measure_loads("numbers", numbers_file, store_path, args.runs)

        # a diverged run in every other series: its last 10% of values are NaN/inf
        for r in records:
            for k, series in enumerate(r.scalars):
                if k % 2 == 0:
                    tail = len(series) // 10
                    series.values[-tail:] = np.nan
                    series.values[-tail] = np.inf
        points = sum(len(s) for r in records for s in r.scalars)
        written_file = Path(tmp) / "written.json"
        _, write_seconds, write_cpu = timed(lambda: write_model_file(records, written_file))
        report("write_model_file", points, os.path.getsize(written_file) / 1e6, write_seconds, write_cpu, target=False)
        del records
        measure_loads("written", written_file, store_path, args.runs)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
