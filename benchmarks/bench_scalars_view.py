"""Speed and memory of the Scalars tab on 10 models × 100 series × 20,000
points each (20 million points).

Run: .venv/bin/python benchmarks/bench_scalars_view.py [--size 160x50]... [--runs 3] [--dir DIR]
The store is generated once (deterministic) into DIR (default: the temp dir)
and reused. Figures are wall time on this machine, printed beside the
issue's targets; the app runs headless (Textual's run_test) at each --size.

- Values first paint: from the body's mount to the screen refresh that shows
  the table (summaries query, table build, drawing).
- Last/Min/Max switch: from the `a` key to the refresh that shows the new values.
- Graph first screen: from the `v` key to the refresh after every chart in
  view has its data (source queries, downsampled, plotext drawing). Cold:
  with the read-ahead off (as on an MLflow source, or `v` pressed before the
  app has been idle), everything is loaded after `v`; and `v` pressed after
  2 s on the Values view, by when the body has read the Graph view's first
  screen ahead (local sources).
- One merged chart: load_scalar_chart (10 source queries) + drawing at
  100×20, series cache cleared each run; its CPU time is printed too (the
  wall time of a shared machine varies with its load, the CPU time less).
- Memory: the process's peak resident size after all of the above.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from modelcompare_tui.core.colors import ModelColors
from modelcompare_tui.core.model import Config, Model, ModelRecord
from modelcompare_tui.core.scalars import graph_groups
from modelcompare_tui.core.state import ComparisonState, ScalarsView
from modelcompare_tui.sources.base import SourceError
from modelcompare_tui.sources.store import SQLiteStore

N_MODELS = 10
N_SERIES = 100
N_POINTS = 20_000
VARIANTS = ("loss", "accuracy", "lr", "val_loss", "val_accuracy", "grad_norm", "throughput", "f1", "recall",
            "precision")


def model_id(m: int) -> str:
    return f"{m:032x}"


def build_bench_store(path: str | Path) -> SQLiteStore:
    """The benchmark store (built once: a `.done` file marks it complete)."""
    path = Path(path)
    done = path.with_name(path.name + ".done")
    if done.exists():
        try:
            store = SQLiteStore(path)
            store.scalar_summaries([model_id(0)])
            return store
        except SourceError:  # written by an older schema: build it again
            done.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)
    store = SQLiteStore(path)
    rng = np.random.default_rng(7)
    iterations = np.arange(N_POINTS, dtype=np.int64) * 10
    for m in range(N_MODELS):
        model = Model(id=model_id(m), name=f"run-{m:02d}", project="bench",
                      config=Config("json", f'{{"lr": {0.001 * (1 + m % 4)}, "batch": {32 * (1 + m % 3)}}}'))
        store.import_records([ModelRecord(model)])
        timestamps = 1.7e9 + m * 86400 + np.cumsum(rng.uniform(0.5, 1.5, N_POINTS))
        batches = []
        for s in range(N_SERIES):
            variant = VARIANTS[s % 10]
            decay = np.exp(-iterations / (40_000 + 5_000 * m + 300 * s))
            noise = rng.normal(0, 0.02, N_POINTS)
            values = (0.1 + decay + noise) if "loss" in variant else (0.95 - 0.8 * decay + noise)
            batches.append((f"group_{s // 10:02d}", variant, iterations, values, timestamps))
        store.add_many(model.id, batches)
    done.write_text("ok")
    return store


def row(name: str, measured_ms: float, target_ms: float, note: str = "") -> None:
    mark = "ok" if measured_ms <= target_ms else "OVER"
    print(f"  {name:<44} {measured_ms:8.1f} ms   target ≤ {target_ms:5.0f} ms   {mark} {note}")


async def bench_app(store: SQLiteStore, size: tuple[int, int], rest: float = 0.0) -> dict[str, float]:
    from textual.app import App, ComposeResult

    from modelcompare_tui.widgets.charts import ChartGrid
    from modelcompare_tui.screens.scalars import ScalarsBody
    from modelcompare_tui.session import Session
    from modelcompare_tui.widgets.value_table import ValueTableView

    marks: dict[str, float] = {}

    class TimedBody(ScalarsBody):
        def on_mount(self) -> None:
            marks["mount"] = time.perf_counter()
            super().on_mount()

        def _summaries_loaded(self, summaries) -> None:  # noqa: ANN001
            super()._summaries_loaded(summaries)
            self.call_after_refresh(lambda: marks.setdefault("values_paint", time.perf_counter()))

        def _rebuild_table(self) -> None:
            super()._rebuild_table()
            self.call_after_refresh(lambda: marks.__setitem__("table_paint", time.perf_counter()))

    ids = tuple(model_id(m) for m in range(N_MODELS))
    state = ComparisonState(models=ids, tab="scalars", scalars=ScalarsView())
    models = store.get_models(list(ids))

    class BenchApp(App[None]):
        """The App's side of the contract: it owns the session; a body's request commits and is drawn."""

        def __init__(self) -> None:
            super().__init__()
            self.session = Session(state, apply=self._requested)

        def compose(self) -> ComposeResult:
            yield TimedBody(store, state, models, ModelColors(ids), id="body")

        def _requested(self, new: ComparisonState) -> None:
            self.session.commit(new)
            self.query_one(TimedBody).set_state(new, models)

    results: dict[str, float] = {}
    app = BenchApp()
    async with app.run_test(size=size) as pilot:
        body = app.query_one(TimedBody)
        while "values_paint" not in marks:
            await asyncio.sleep(0.001)
        results["values"] = (marks["values_paint"] - marks["mount"]) * 1000
        assert body.query_one(ValueTableView).table is not None
        switches = []
        for _ in range(6):
            marks.pop("table_paint", None)
            start = time.perf_counter()
            await pilot.press("a")
            while "table_paint" not in marks:
                await asyncio.sleep(0.001)
            switches.append((marks["table_paint"] - start) * 1000)
        results["switch"] = statistics.median(switches)
        if rest:
            await asyncio.sleep(rest)  # a user reading the table: the Graph view's first screen is read ahead
        start = time.perf_counter()
        await pilot.press("v")
        grid = body.query_one(ChartGrid)
        while True:
            await asyncio.sleep(0.01)
            cards = grid.cards
            if not cards or grid.scrollable_content_region.height <= 0:
                continue
            visible = [cards[i] for i in grid.visible_range() if i < len(cards)]
            if visible and all(c.chart is not None for c in visible):
                break
        painted = asyncio.Event()
        app.call_after_refresh(painted.set)
        await painted.wait()
        results["graph"] = (time.perf_counter() - start) * 1000
        results["graph_charts"] = len(visible)
        results["grid_columns"] = grid.columns
    return results


def bench_one_chart(store: SQLiteStore) -> tuple[float, float]:
    from modelcompare_tui.render.chart_series import (
        SeriesCache,
        chart_buckets,
        draw_scalar_chart,
        load_scalar_chart,
    )

    ids = [model_id(m) for m in range(N_MODELS)]
    models = store.get_models(ids)
    summaries = store.scalar_summaries(ids)
    groups = graph_groups(models, summaries)
    colors = ModelColors(ids)
    samples, cpu = [], []
    for k in range(9):
        group = groups[k * 7 % len(groups)]
        cache = SeriesCache()
        start, start_cpu = time.perf_counter(), time.process_time()
        chart = load_scalar_chart(store, group, models, colors, ScalarsView(), buckets=chart_buckets(100), cache=cache)
        draw_scalar_chart(chart, 100, 20)
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(samples), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="append", help="terminal size WxH (repeatable; default 80x24 and 160x50)")
    parser.add_argument("--runs", type=int, default=3, help="app runs per size; medians are printed (default 3)")
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "modelcompare-bench-scalars"))
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in size.lower().split("x")) for size in (args.size or ["80x24", "160x50"])]
    path = Path(args.dir) / "store.db"
    start = time.perf_counter()
    store = build_bench_store(path)
    built = time.perf_counter() - start
    print(f"store: {N_MODELS} models × {N_SERIES} series × {N_POINTS:,} points at {path} "
          f"({'built' if built > 1 else 'reused'} in {built:.1f} s)")
    gc.collect()
    one, one_cpu = bench_one_chart(store)
    row("one merged 10-model chart incl. source query", one, 100, f"(median of 9, 100×20; CPU {one_cpu:.0f} ms)")
    baseline_threads = threading.active_count()

    def run_app(size: tuple[int, int], rest: float = 0.0, read_ahead: bool = True) -> dict[str, float]:
        # the previous run's loader threads finish the chart in hand after their
        # app has gone: let them, rather than measure the next run beside them
        deadline = time.monotonic() + 5
        while threading.active_count() > baseline_threads and time.monotonic() < deadline:
            time.sleep(0.02)
        store.local = read_ahead  # as for an MLflow server: no reading ahead
        try:
            return asyncio.run(bench_app(store, size, rest))
        finally:
            del store.local

    for width, height in sizes:
        runs = [run_app((width, height), read_ahead=False) for _ in range(max(1, args.runs))]
        app = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        print(f"app at {width}×{height} (headless, median of {len(runs)} runs):")
        row("Values view: mount → first paint", app["values"], 150)
        row("switch Last/Min/Max (median of 6 per run)", app["switch"], 50)
        row(f"Graph view: first screen ({app['graph_charts']:.0f} charts, {app['grid_columns']:.0f} per row)",
            app["graph"], 600, "(cold: nothing read ahead)")
        rested = [run_app((width, height), rest=2.0) for _ in range(max(1, args.runs))]
        row("  the same after 2 s on the Values view", statistics.median(r["graph"] for r in rested), 600,
            "(first screen read ahead)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mark = "ok" if peak_mb <= 300 else "OVER"
    print(f"  {'peak memory (resident)':<44} {peak_mb:8.1f} MB   target ≤   300 MB   {mark}")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
