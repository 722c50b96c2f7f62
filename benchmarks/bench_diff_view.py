"""Speed of the Details and Network tabs with up to 100 compared models.

Run: .venv/bin/python benchmarks/bench_diff_view.py [--size 200x50] [--dir DIR]

The store holds the demo registry's first 100 models (`generate_demo(100)`:
configurations in JSON, YAML and text, so the Network tab is a line diff) and
100 sweep models whose configurations are 400-key JSON documents (a key-path
diff of 40,000 cells); built once into DIR (default: the temp dir). The app
runs headless (Textual's run_test) at --size; figures are wall time on this
machine, printed beside the issue's targets.

- first paint: from the body's mount to the screen refresh that shows the
  table (the diff is computed in a thread worker: source models are already
  loaded, as the App hands them over).
- keys: from the key event to the refresh that shows its effect (median of
  several): `b` (a new base: recompute), `h` (re-filter), `n`, pagedown,
  right, ctrl+right (scroll to the last of 100 columns), ctrl+left.
- a full screen: render_line for every line of the screen, as Textual does
  after a scroll; drawn anew, and with the rows' lines cached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from modelcompare_tui.core.colors import ModelColors
from modelcompare_tui.core.config_flatten import _parse_cached
from modelcompare_tui.core.model import Config, Model, ModelRecord
from modelcompare_tui.core.state import ComparisonState
from modelcompare_tui.sources.store import SQLiteStore

N_MODELS = 100
SWEEP_KEYS = 400


def sweep_config(m: int) -> str:
    layers = {f"layer{i:03d}": {"width": 64 * (1 + i % 4), "dropout": 0.1 if i % 7 else 0.1 + 0.01 * (m % 3),
                                "act": "gelu"} for i in range(SWEEP_KEYS // 4)}
    return json.dumps({"optimizer": {"lr": 0.001 * (1 + m % 5), "betas": [0.9, 0.999]}, "seed": m, "model": layers})


def build_bench_store(path: Path) -> tuple[SQLiteStore, list[str], list[str]]:
    from modelcompare_tui.demo import generate_demo

    done = path.with_name(path.name + ".done")
    if not done.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            p.unlink(missing_ok=True)
        store = SQLiteStore(path)
        demo = generate_demo(N_MODELS, 0)
        store.import_records([ModelRecord(r.model) for r in demo])  # details only: scalars do not matter here
        store.import_records([
            ModelRecord(Model(id=f"5eed{m:028x}", name=f"sweep-{m:03d}", project="sweep",
                              config=Config("json", sweep_config(m))))
            for m in range(N_MODELS)
        ])
        ids = [r.model.id for r in demo]
        done.write_text("\n".join(ids))
        store.close()
    demo_ids = done.read_text().split("\n")
    sweep_ids = [f"5eed{m:028x}" for m in range(N_MODELS)]
    return SQLiteStore(path), demo_ids, sweep_ids


def row(name: str, measured_ms: float, target_ms: float | None, note: str = "") -> None:
    if target_ms is None:
        print(f"  {name:<52} {measured_ms:8.1f} ms   {'':>16}      {note}")
        return
    mark = "ok" if measured_ms <= target_ms else "OVER"
    print(f"  {name:<52} {measured_ms:8.1f} ms   target ≤ {target_ms:5.0f} ms   {mark} {note}")


async def bench_body(store: SQLiteStore, tab: str, ids: list[str], size: tuple[int, int],
                     keys: bool) -> dict[str, float]:
    from textual.app import App, ComposeResult

    from modelcompare_tui.widgets.diff_grid import DiffGrid
    from modelcompare_tui.screens.details import DetailsBody
    from modelcompare_tui.screens.network import NetworkBody
    from modelcompare_tui.session import Session

    marks: dict[str, float] = {}
    # waits are events, not polling: a polling loop wakes the main thread and
    # takes the GIL from the worker that computes the diff, slowing what is measured
    paint_event = asyncio.Event()

    def painted_now() -> None:
        marks.setdefault("paint", time.perf_counter())
        paint_event.set()
    base_class = DetailsBody if tab == "details" else NetworkBody

    class TimedBody(base_class):  # type: ignore[misc, valid-type]
        def on_mount(self) -> None:
            marks["mount"] = time.perf_counter()
            super().on_mount()

        def _table_ready(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            super()._table_ready(*args, **kwargs)
            self.call_after_refresh(painted_now)

    state = ComparisonState(models=tuple(ids), tab=tab)
    models = store.get_models(ids)
    results: dict[str, float] = {}

    class BenchApp(App[None]):
        """The App's side of the contract: it owns the session; a body's request commits and is drawn."""

        def __init__(self) -> None:
            super().__init__()
            self.session = Session(state, apply=self._requested)

        def compose(self) -> ComposeResult:
            yield TimedBody(store, state, models, ModelColors(ids), id="body")

        def _requested(self, new: ComparisonState) -> None:
            nonlocal models
            by_id = {m.id: m for m in models}
            models = [by_id[i] for i in new.models]
            self.session.commit(new)
            self.query_one(TimedBody).set_state(new, models)

    app = BenchApp()
    async with app.run_test(size=size) as pilot:
        await paint_event.wait()
        results["first_paint"] = (marks["paint"] - marks["mount"]) * 1000
        body = app.query_one(TimedBody)
        grid = body.query_one(DiffGrid)
        assert grid.table is not None and len(grid.table.models) == len(ids)
        results["rows"] = len(grid.table.rows)
        results["kind_lines"] = float(grid.table.kind == "lines")

        async def painted() -> None:
            event = asyncio.Event()
            app.call_after_refresh(event.set)
            await event.wait()

        async def timed(key: str, changed: Callable[[], object] | None = None) -> float:
            """From the key to the refresh showing its effect: `changed()`
            returns something else once the key is handled; None: wait for a
            recomputed table's paint."""
            marks.pop("paint", None)
            paint_event.clear()
            before = changed() if changed is not None else None
            start = time.perf_counter()
            app.simulate_key(key)
            if changed is None:
                await paint_event.wait()
                return (marks["paint"] - start) * 1000
            while changed() == before:
                if time.perf_counter() - start > 5:
                    raise RuntimeError(f"{key!r} changed nothing")
                await asyncio.sleep(0.0005)
            await painted()
            return (time.perf_counter() - start) * 1000

        # a full screen of lines, drawn anew (after a sideways scroll, a new
        # table) and from the line cache (after a vertical scroll, most lines)
        height = grid.scrollable_content_region.height
        cold, warm = [], []
        for _ in range(7):
            grid._line_cache.clear()
            start = time.perf_counter()
            for y in range(height):
                grid.render_line(y)
            cold.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            for y in range(height):
                grid.render_line(y)
            warm.append((time.perf_counter() - start) * 1000)
        results["screen"] = statistics.median(cold)
        results["screen_warm"] = statistics.median(warm)
        if not keys:
            return results

        def shown() -> tuple[bool, int]:
            return body.view.hide_identical, len(grid.rows)

        def line() -> int:
            return grid.cursor_line

        def column() -> int:
            return grid.cursor_column

        results["h"] = statistics.median([await timed("h", shown) for _ in range(6)])
        results["down"] = statistics.median([await timed("down", line) for _ in range(6)])
        if grid.table.difference_count > 1:  # one block of differences: n stays put
            results["n"] = statistics.median([await timed("n", line) for _ in range(6)])
        pages = []
        for _ in range(4):
            grid.action_move_to(0)
            await pilot.pause()
            pages.append(await timed("pagedown", line))
        results["pagedown"] = statistics.median(pages)
        results["right"] = statistics.median([await timed("right", column) for _ in range(6)])
        results["scroll_end"] = await timed("ctrl+right", column)
        results["scroll_home"] = await timed("ctrl+left", column)
        b_samples = []
        for k in range(4):
            grid.action_column_to(10 + k * 20)
            await pilot.pause()
            b_samples.append(await timed("b"))
        results["b"] = statistics.median(b_samples)
    return results


def engine_alone(store: SQLiteStore, tab: str, ids: list[str]) -> float:
    """details_diff / network_diff and prepare_table, on this thread, nothing else running."""
    from modelcompare_tui.core.diff import details_diff, network_diff
    from modelcompare_tui.widgets.diff_grid import prepare_table

    models = store.get_models(ids)
    samples = []
    for _ in range(3):
        _parse_cached.cache_clear()
        start = time.perf_counter()
        prepare_table(details_diff(models) if tab == "details" else network_diff(models))
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="200x50", help="terminal size WxH (default 200x50)")
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "modelcompare-bench-diff-view"))
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    start = time.perf_counter()
    store, demo_ids, sweep_ids = build_bench_store(Path(args.dir) / "store.db")
    print(f"store: {N_MODELS} demo models + {N_MODELS} sweep models ({SWEEP_KEYS}-key JSON) at {args.dir} "
          f"(ready in {time.perf_counter() - start:.1f} s)")
    print(f"app at {width}×{height} (headless):")
    size = (width, height)
    for label, tab, ids, keys in (
        ("Details, 10 demo models", "details", demo_ids[:10], False),
        ("Details, 100 demo models", "details", demo_ids, True),
        ("Network, 100 demo models", "network", demo_ids, True),
        ("Network, 100 sweep models", "network", sweep_ids, False),
    ):
        engine = engine_alone(store, tab, ids)
        _parse_cached.cache_clear()  # the app's first paint parses the configurations anew
        r = asyncio.run(bench_body(store, tab, ids, size, keys))
        kind = "line diff" if r["kind_lines"] else "key paths"
        print(f" {label} ({r['rows']:.0f} rows, {kind})")
        row("the diff engine alone (no app, configs parsed anew)", engine, None, "(median of 3)")
        row("mount → first paint", r["first_paint"], 300)
        row("render a full screen, every line drawn", r["screen"], 16, "(median of 7)")
        row("render a full screen, lines from the cache", r["screen_warm"], 16, "(median of 7)")
        if keys:
            row("b: new base, recompute → paint", r["b"], 300, "(median of 4)")
            row("h: hide identical → paint", r["h"], 50, "(median of 6)")
            row("down → paint", r["down"], 50, "(median of 6)")
            if "n" in r:
                row("n: next difference → paint", r["n"], 50, "(median of 6)")
            row("pagedown → paint", r["pagedown"], 50, "(median of 4)")
            row("right: next column → paint", r["right"], 50, "(median of 6)")
            row("ctrl+right: to the last column → paint", r["scroll_end"], 50)
            row("ctrl+left: to the first column → paint", r["scroll_home"], 50)
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
