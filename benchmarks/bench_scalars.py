"""Speed of the Scalars / Plots pure logic against interactive targets.

Run: .venv/bin/python benchmarks/bench_scalars.py
Prints the median and best of several runs (ms) beside each target. The targets are
ours (PRODUCT.md names none): switching Last/Min/Max, typing in the metric
filter or redrawing a chart must feel instant (well under a 60 ms frame
budget, leaving room for drawing). Data is generated here, deterministically.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import numpy as np

from modelcompare_tui.core.model import Model, Plot, ScalarSummary
from modelcompare_tui.core.plotmerge import merge_plots, summary_chart
from modelcompare_tui.core.scalars import build_value_table
from modelcompare_tui.render.value_text import value_table_to_csv, value_table_to_text
from modelcompare_tui.core.smoothing import smooth


def timed(fn: Callable[[], object], runs: int = 9) -> tuple[float, float]:
    """(median, best) wall time in ms. The best run is the steadier figure on a
    shared machine; the median is what a user sees."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples)


def make_summaries(models: list[Model], series: int, rng: random.Random) -> dict[str, list[ScalarSummary]]:
    out = {}
    for m in models:
        rows = []
        for s in range(series):
            if rng.random() < 0.05:
                continue  # some models lack some series
            v = rng.random()
            rows.append(ScalarSummary(f"metric_{s // 10:03d}", f"variant_{s % 10}", v, 1000, v / 2, 10, v * 2, 900, 1000))
        out[m.id] = rows
    return out


def make_plots(models: list[Model], per_model: int, rng: random.Random) -> dict[str, list[Plot]]:
    kinds = ("line", "bar", "histogram", "table", "confusion_matrix")
    out = {}
    for m in models:
        plots = []
        for p in range(per_model):
            kind = kinds[p % len(kinds)]
            if kind == "line":
                x = list(range(200))
                data = {"series": [{"name": "s", "x": x, "y": [rng.random() for _ in x]}]}
            elif kind == "bar":
                data = {"categories": [f"c{i}" for i in range(20)], "series": [{"name": "s", "values": [rng.random() for _ in range(20)]}]}
            elif kind == "histogram":
                data = {"series": [{"name": "s", "values": [rng.gauss(0, 1) for _ in range(1000)]}]}
            elif kind == "table":
                data = {"columns": ["class", "f1"], "rows": [[f"c{i}", rng.random()] for i in range(20)]}
            else:
                data = {"matrix": [[rng.randint(0, 50) for _ in range(10)] for _ in range(10)], "x_labels": [], "y_labels": []}
            plots.append(Plot(f"plot_{p:03d}", "val", 100, kind, data))
        out[m.id] = plots
    return out


def main() -> None:
    rng = random.Random(1)
    models = [Model(id=f"{k:032x}", name=f"run-{k}") for k in range(10)]
    summaries = make_summaries(models, 2000, rng)
    table = build_value_table(models, summaries, "last")
    results = [
        ("value table, 10 models x 2,000 series", timed(lambda: build_value_table(models, summaries, "min")), 50),
        ("value table with a glob filter", timed(lambda: build_value_table(models, summaries, "max", "metric_1*/*")), 50),
        ("CSV of that table", timed(lambda: value_table_to_csv(table)), 50),
        ("text of that table, width 160", timed(lambda: value_table_to_text(table, 160)), 100),
    ]
    values = np.cumsum(np.random.default_rng(0).normal(size=20_000))
    values[::997] = np.nan
    chart_points = values[:1600]  # what a 400-bucket downsampled series can hold
    results += [
        ("EMA, 20,000 points", timed(lambda: smooth(values, "ema", 0.99)), 5),
        ("running average, 20,000 points, 5% window", timed(lambda: smooth(values, "running", 0.05)), 5),
        ("gaussian, 1,600 points, 10% window", timed(lambda: smooth(chart_points, "gaussian", 0.1)), 5),
        ("gaussian, 20,000 points, 10% window (FFT)", timed(lambda: smooth(values, "gaussian", 0.1)), 20),
    ]
    plots = make_plots(models, 50, rng)
    singles = {m.id: {f"final_{i}": rng.random() for i in range(30)} for m in models}
    results += [
        ("merge plots, 10 models x 50 plots", timed(lambda: merge_plots(models, plots)), 100),
        ("summary, 10 models x 30 values", timed(lambda: summary_chart(models, singles)), 10),
    ]
    width = max(len(name) for name, _, _ in results)
    print(f"{'what':<{width}}  {'median ms':>9}  {'best ms':>8}  {'target ms':>9}")
    for name, (median, best), target in results:
        flag = "" if median <= target else "  OVER"
        print(f"{name:<{width}}  {median:9.2f}  {best:8.2f}  {target:9.0f}{flag}")


if __name__ == "__main__":
    main()
