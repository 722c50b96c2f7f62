"""Speed of the model file format (PRODUCT.md §5).

Target: load_model_file (read + json + validation + numpy arrays) >= 500,000
points/s on a 2,000,000-point file. Two files are measured:
  - "numbers": every point [iteration, value, epoch-seconds timestamp], as a
    training script writes them;
  - "written": the same records written by write_model_file after some runs
    diverged (values "nan"/"inf" as text), so the non-number path is timed too.
Writing is measured as well (no target). Run:
    .venv/bin/python benchmarks/bench_modelfile.py [--points N]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from modelcompare_tui.core.modelfile import load_model_file, write_model_file

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


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        numbers_file = Path(tmp) / "numbers.json"
        doc = make_document(args.points)
        numbers_file.write_text(json.dumps(doc))
        del doc
        size_mb = os.path.getsize(numbers_file) / 1e6

        records, seconds = timed(lambda: load_model_file(numbers_file))
        points = sum(len(s) for r in records for s in r.scalars)
        rate = points / seconds
        print(f"load numbers file  {points:>9,} points  {size_mb:6.1f} MB  {seconds:6.2f} s  "
              f"{rate:>10,.0f} points/s  (target >= {TARGET_POINTS_PER_S:,}: {'ok' if rate >= TARGET_POINTS_PER_S else 'MISSED'})")

        # a diverged run in every other series: its last 10% of values are NaN/inf
        for r in records:
            for k, series in enumerate(r.scalars):
                if k % 2 == 0:
                    tail = len(series) // 10
                    series.values[-tail:] = np.nan
                    series.values[-tail] = np.inf
        written_file = Path(tmp) / "written.json"
        _, write_seconds = timed(lambda: write_model_file(records, written_file))
        print(f"write_model_file   {points:>9,} points  {os.path.getsize(written_file) / 1e6:6.1f} MB  "
              f"{write_seconds:6.2f} s  {points / write_seconds:>10,.0f} points/s  (no target)")
        del records

        again, seconds = timed(lambda: load_model_file(written_file))
        points = sum(len(s) for r in again for s in r.scalars)
        rate = points / seconds
        print(f"load written file  {points:>9,} points  {os.path.getsize(written_file) / 1e6:6.1f} MB  "
              f"{seconds:6.2f} s  {rate:>10,.0f} points/s  (target >= {TARGET_POINTS_PER_S:,}: "
              f"{'ok' if rate >= TARGET_POINTS_PER_S else 'MISSED'})")


if __name__ == "__main__":
    main()
