"""Speed of the app (issue 3 targets), printed next to the targets.

    python benchmarks/bench_app.py [--dir DIR] [--models 100000] [--rounds 3]

- start: process start to the first painted models table, on the demo store
  and on a 100,000-model store, measured in a real terminal (tmux; a headless
  run when tmux is missing): the child process notes the time right after the
  first refresh that shows the table's rows. Also checks that pandas and
  plotext were not imported for the start screen.
- search keystroke, sort, scrolling a page: on the 100,000-model store, from
  the key press to a rendered frame that shows the new rows (headless run, so
  terminal I/O is not counted; it is in `start`). Keys come PACE seconds
  apart, as a fast typist's do (the table reads the pages around the view in
  those pauses).
- memory: the peak RSS of that interactive run.

Stores are cached in --dir (default: a `modelcompare-bench` temp folder).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

PACE = 0.1  # seconds between timed key presses

TARGETS = {
    "start_demo": 0.8,
    "start_100k": 1.0,
    "search_keystroke": 0.100,
    "sort": 0.200,
    "scroll_page": 0.050,
    "memory_mb": 200,
}

PROJECTS = ("vision", "nlp", "speech", "recsys", "tabular")
FRAMEWORKS = ("PyTorch", "TensorFlow", "JAX", "scikit-learn", "XGBoost")
USERS = ("alice", "bob", "chen", "dana", "eve", "farid")
ARCHS = ("resnet50", "vit-b16", "bert-base", "whisper-small", "dlrm", "efficientnet-b0", "t5-small", "conformer")
TAGS = ("baseline", "sweep", "fp16", "distilled", "prod", "ablation", "lr-search", "ema")


def build_demo_store(path: Path) -> None:
    from modelcompare_tui.sources.store import SQLiteStore

    store = SQLiteStore(path)
    try:
        from modelcompare_tui.demo import generate_demo

        store.import_records(generate_demo(40, 0))
    except ImportError:  # an older tree without the demo generator
        from modelcompare_tui.core.model import Model, ModelRecord

        store.import_records([ModelRecord(Model(id=f"d{i:031x}", name=f"demo-{i}")) for i in range(40)])
    store.close()


def build_big_store(path: Path, n: int) -> None:
    """`n` light models (the table's columns only), written in batches."""
    from modelcompare_tui.core.model import Model, ModelRecord
    from modelcompare_tui.sources.store import SQLiteStore

    tmp = path.with_suffix(".partial")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    store = SQLiteStore(tmp)
    batch = 10_000
    for start in range(0, n, batch):
        records = []
        for i in range(start, min(n, start + batch)):
            records.append(
                ModelRecord(
                    Model(
                        id=f"{i:032x}",
                        name=f"{ARCHS[i % len(ARCHS)]}-{PROJECTS[(i // 8) % len(PROJECTS)]}-run{i:06d}",
                        project=f"{PROJECTS[i % len(PROJECTS)]}/{i % 37}",
                        framework=FRAMEWORKS[(i // 3) % len(FRAMEWORKS)],
                        status="published" if i % 7 == 0 else "draft",
                        tags=[TAGS[i % len(TAGS)], TAGS[(i // 11) % len(TAGS)]],
                        user=USERS[(i // 5) % len(USERS)],
                        created=f"20{24 + i % 3}-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                        updated=f"2026-{1 + (i // 28) % 12:02d}-{1 + i % 28:02d}T{(i * 7) % 24:02d}:{i % 60:02d}:00Z",
                    )
                )
            )
        store.import_records(records)
    store.close()
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)


# -- start: process start to first painted table --------------------------------------

CHILD_START = textwrap.dedent(
    """
    import os, sys, time
    from modelcompare_tui.app import ModelCompareApp
    from modelcompare_tui.sources.store import SQLiteStore

    out = sys.argv[2]

    class BenchApp(ModelCompareApp):
        def on_model_table_loaded(self, event):
            # the table holds its first page: note the time once that frame is out
            self.call_after_refresh(self._painted)

        def _painted(self):
            if not self.is_running:
                return
            with open(out, "w") as f:
                f.write(repr((time.time(), "pandas" in sys.modules, "plotext" in sys.modules)))
            self.exit()

    BenchApp(SQLiteStore(sys.argv[1])).run(headless=os.environ.get("BENCH_HEADLESS") == "1")
    """
)


# The floor under `start` on this machine, now: a bare Textual app (a line of
# text and a footer), measured the same way. Other processes on a shared
# machine move both figures; the difference is what modelcompare adds.
CHILD_BARE = textwrap.dedent(
    """
    import os, sys, time
    from textual.app import App
    from textual.widgets import Footer, Static

    out = sys.argv[2]

    class Bare(App):
        BINDINGS = [("q", "quit", "Quit")]

        def compose(self):
            yield Static("hello")
            yield Footer()

        def on_mount(self):
            self.call_after_refresh(self._painted)

        def _painted(self):
            with open(out, "w") as f:
                f.write(repr((time.time(), False, False)))
            self.exit()

    Bare().run(headless=os.environ.get("BENCH_HEADLESS") == "1")
    """
)


def measure_start(store: Path, workdir: Path, use_tmux: bool, child: str = CHILD_START) -> tuple[float, bool, bool]:
    out = workdir / "start.out"
    out.unlink(missing_ok=True)
    script = workdir / "child_start.py"
    script.write_text(child)
    cmd = [sys.executable, str(script), str(store), str(out)]
    if use_tmux:
        session = f"mcbench{os.getpid()}-{time.monotonic_ns()}"
        shell_cmd = " ".join(f"'{c}'" for c in cmd)
        t0 = time.time()
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", shell_cmd], check=True)
    else:
        t0 = time.time()
        subprocess.Popen(cmd, env={**os.environ, "BENCH_HEADLESS": "1"}, stdout=subprocess.DEVNULL)
    deadline = t0 + 30
    try:
        while not out.exists() or not out.read_text():
            if time.time() > deadline:
                raise RuntimeError("the app did not paint its table within 30 s")
            time.sleep(0.005)
        painted, has_pandas, has_plotext = eval(out.read_text())  # noqa: S307 - our own child's repr
    finally:
        if use_tmux:
            subprocess.run(["tmux", "kill-session", "-t", session], stderr=subprocess.DEVNULL)
    return painted - t0, has_pandas, has_plotext


# -- interactive: search, sort, scroll, memory -------------------------------------------

CHILD_INTERACTIVE = textwrap.dedent(
    """
    import asyncio, json, resource, sys, time
    from textual import events
    from modelcompare_tui.app import create_app
    from modelcompare_tui.sources.store import SQLiteStore
    from modelcompare_tui.widgets.model_table import ModelTable

    PACE = float(sys.argv[2])
    CHARS = {"slash": "/", "backspace": None, "pagedown": None, "pageup": None, "end": None, "escape": None}

    def send(app, key):
        # what the terminal driver does with a key; Pilot.press would also wait
        # for an idle CPU, which is not the app's latency
        char = CHARS.get(key, key if len(key) == 1 else None)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)

    def shown(table, check):
        visible = min(table.total, table.scrollable_content_region.height - 1)
        return check() and table.is_loaded and len(table.visible_rows()) == visible

    async def timed(app, table, key, check=lambda: True):
        # key press → the new rows are in the table and a frame with them was rendered
        await asyncio.sleep(PACE)
        t = time.perf_counter()
        send(app, key)
        await asyncio.sleep(0)
        while not shown(table, check):
            await asyncio.sleep(0.0005)
        painted = asyncio.Event()
        app.screen.call_after_refresh(painted.set)
        app.screen.refresh()
        await painted.wait()
        return time.perf_counter() - t

    async def main():
        app = create_app(SQLiteStore(sys.argv[1]))
        results = {}
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.screen.query_one(ModelTable)
            while not shown(table, lambda: True):
                await pilot.pause()
            await pilot.pause(0.2)
            results["total"] = table.total
            # search: type a name one key at a time, then erase part of it
            await pilot.press("slash")
            times = []
            typed = ""
            for ch in "resnet50-nlp-run00":
                typed += ch
                times.append(await timed(app, table, ch, lambda t=typed: table.model_query.search == t))
            for _ in range(6):
                typed = typed[:-1]
                times.append(await timed(app, table, "backspace", lambda t=typed: table.model_query.search == t))
            results["search"] = times
            await pilot.press("escape")
            table.set_search("")
            while not shown(table, lambda: table.model_query.search == ""):
                await pilot.pause()
            # sort: each column ascending, descending, off
            times = []
            for col in ("name", "framework", "updated", "user"):
                while table.cursor_column_key != col:
                    await pilot.press("right" if table.columns.index(col) > table.cursor_column else "left")
                for expected in ((col, False), (col, True), None):
                    times.append(await timed(app, table, "s", lambda e=expected: table.model_query.sort == e))
            results["sort"] = times
            # scroll: page down through pages never read, jump to the end, page up
            times = []
            for _ in range(30):
                row = table.cursor_row
                times.append(await timed(app, table, "pagedown", lambda r=row: table.cursor_row > r))
            results["jump_end"] = await timed(app, table, "end", lambda: table.cursor_row == table.total - 1)
            for _ in range(10):
                row = table.cursor_row
                times.append(await timed(app, table, "pageup", lambda r=row: table.cursor_row < r))
            results["scroll"] = times
        results["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(results))

    asyncio.run(main())
    """
)


def measure_interactive(store: Path, workdir: Path) -> dict:
    script = workdir / "child_interactive.py"
    script.write_text(CHILD_INTERACTIVE)
    proc = subprocess.run([sys.executable, str(script), str(store), str(PACE)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def line(name: str, value: float, target: float, unit: str = "s") -> str:
    ok = "ok " if value <= target else "SLOW"
    if unit == "s":
        return f"  {ok} {name:<34} {value * 1000:8.1f} ms   (target ≤ {target * 1000:.0f} ms)"
    return f"  {ok} {name:<34} {value:8.1f} {unit}   (target ≤ {target:.0f} {unit})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "modelcompare-bench")
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="start-up runs per store (the median is shown)")
    parser.add_argument("--headless", action="store_true", help="measure start-up without tmux")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    demo = args.dir / "demo.db"
    big = args.dir / f"big-{args.models}.db"
    if not demo.exists():
        build_demo_store(demo)
    if not big.exists():
        t = time.perf_counter()
        print(f"building a {args.models:,}-model store in {big} …", flush=True)
        build_big_store(big, args.models)
        print(f"  built in {time.perf_counter() - t:.1f} s", flush=True)
    use_tmux = shutil.which("tmux") is not None and not args.headless
    where = "tmux" if use_tmux else "headless"

    print(f"modelcompare app benchmark ({where}; {os.cpu_count()} cpus)")
    starts = {}
    for label, store in (("start_demo", demo), ("start_100k", big)):
        runs = [measure_start(store, args.dir, use_tmux) for _ in range(args.rounds)]
        starts[label] = statistics.median(r[0] for r in runs)
        heavy = [m for m, present in (("pandas", any(r[1] for r in runs)), ("plotext", any(r[2] for r in runs))) if present]
        if heavy:
            print(f"  NOTE the start screen imported {', '.join(heavy)}")
    bare = statistics.median(measure_start(demo, args.dir, use_tmux, CHILD_BARE)[0] for _ in range(args.rounds))
    print(f"       {'(a bare Textual app, for scale)':<34} {bare * 1000:8.1f} ms   load average {os.getloadavg()[0]:.1f}")
    print(line("start → first painted table (demo)", starts["start_demo"], TARGETS["start_demo"]))
    print(line(f"start → first painted table ({args.models:,})", starts["start_100k"], TARGETS["start_100k"]))

    r = measure_interactive(big, args.dir)
    search, sort, scroll = r["search"], r["sort"], r["scroll"]
    print(f"  on {r['total']:,} models (median / max):")
    print(line("search keystroke → table (median)", statistics.median(search), TARGETS["search_keystroke"]))
    print(line("search keystroke → table (max)", max(search), TARGETS["search_keystroke"]))
    print(line("sort → table (median)", statistics.median(sort), TARGETS["sort"]))
    print(line("sort → table (max)", max(sort), TARGETS["sort"]))
    print(line("scroll a page → table (median)", statistics.median(scroll), TARGETS["scroll_page"]))
    print(line("scroll a page → table (max)", max(scroll), TARGETS["scroll_page"]))
    print(f"       {'jump to the last row (end)':<34} {r['jump_end'] * 1000:8.1f} ms")
    print(line("peak memory (interactive run)", r["maxrss_mb"], TARGETS["memory_mb"], "MB"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
