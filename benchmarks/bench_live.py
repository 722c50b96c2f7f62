"""Live updates (issue 6 targets), printed next to the targets.

    python benchmarks/bench_live.py [--idle 20] [--write 20] [--rate 1000]

The real app runs in a real terminal (tmux, 160×48) on a store of 5 demo
models, on the Scalars tab's values table, from a state string
(`modelcompare --store PATH STATE`).

- idle CPU: the app process's CPU time (utime + stime of every thread, read
  from /proc/PID/stat) over --idle seconds while it only polls for changes,
  as a share of one core. Also the same app with live updates off, to show
  what the poller itself costs, and one poll's cost measured in-process.
- latency: a writer process appends --rate points/s to each of the 5 compared
  models (a `progress/step` series whose value is its iteration; one commit
  per model every 0.1 s) and logs each round's commit time. The benchmark
  reads the screen every 50 ms (tmux capture-pane) and notes when the values
  table first shows each round's iteration for all five models: latency =
  that moment − the commit. Target: new points on screen within 2 s.
- CPU while the writer writes (no target; for reference), on the values
  table, the Scalars graph, the Plots tab and the Details tab.

Needs tmux; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

TARGET_IDLE_CPU = 10.0  # % of one core
TARGET_LATENCY = 2.0  # seconds
TICK = 0.1  # the writer commits every TICK seconds
COLUMNS, LINES = 160, 48

TMUX = shutil.which("tmux")
PYTHON = sys.executable


def build_store(path: Path) -> tuple[str, ...]:
    import numpy as np

    from modelcompare_tui.demo import generate_demo
    from modelcompare_tui.sources.store import SQLiteStore

    store = SQLiteStore(path)
    ids = tuple(store.import_records(generate_demo(5, 0)))
    for model_id in ids:
        store.add_scalars(model_id, "progress", "step", np.arange(0, 10), np.arange(0, 10, dtype=float))
    store.close()
    return ids


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)
    return ticks / os.sysconf("SC_CLK_TCK")


class Terminal:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.session = f"mc-bench-live-{uuid.uuid4().hex[:8]}"
        line = "exec env " + " ".join(f"{k}={v}" for k, v in env.items()) + " " + " ".join(command)
        subprocess.run([TMUX, "new-session", "-d", "-s", self.session, "-x", str(COLUMNS), "-y", str(LINES), line],
                       check=True)
        out = subprocess.run([TMUX, "display", "-p", "-t", self.session, "#{pane_pid}"],
                             capture_output=True, text=True, check=True)
        self.pid = int(out.stdout.strip())

    def screen(self) -> str:
        return subprocess.run([TMUX, "capture-pane", "-p", "-t", self.session], capture_output=True,
                              text=True).stdout

    def wait_for(self, predicate, timeout: float = 60.0) -> str:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.1)
        raise SystemExit(f"timed out waiting for the app; the screen was:\n{text}")

    def close(self) -> None:
        subprocess.run([TMUX, "kill-session", "-t", self.session], capture_output=True)


def app_command(store: Path, state: str, live: bool) -> list[str]:
    if live:
        return [PYTHON, "-m", "modelcompare_tui", "--store", str(store), state]
    code = ("import sys; from modelcompare_tui.app import create_app; "
            "from modelcompare_tui.core.state import decode_state; "
            "from modelcompare_tui.sources.store import SQLiteStore; "
            "create_app(SQLiteStore(sys.argv[1]), decode_state(sys.argv[2]), live=0).run()")
    return [PYTHON, "-c", f'"{code}"', str(store), state]


def shown_step(screen: str, n_models: int) -> int | None:
    """The smallest `progress/step` value on screen across the models (None: not shown)."""
    for line in screen.splitlines():
        parts = line.split()
        if "progress" not in parts[:2]:  # (the cursor row starts with a marker)
            continue
        at = parts.index("progress")
        if parts[at + 1 : at + 2] == ["step"]:
            values = [p for p in parts[at + 2 :] if re.fullmatch(r"[0-9]+", p)]
            if len(values) == n_models:
                return min(int(v) for v in values)
    return None


WRITER = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from modelcompare_tui.sources.store import SQLiteStore

    path, seconds, rate, tick = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    ids = sys.argv[5:]
    store = SQLiteStore(path)
    per_tick = max(1, int(rate * tick))
    iteration = 10
    start = time.monotonic()
    next_tick = start
    while time.monotonic() - start < seconds:
        its = np.arange(iteration, iteration + per_tick)
        values = its.astype(float)
        stamps = np.full(per_tick, time.time())
        for model_id in ids:  # one commit per model, as one training process per model would
            store.add_many(model_id, [("progress", "step", its, values, stamps)])
        iteration += per_tick
        print(f"{time.monotonic():.4f} {iteration - 1}", flush=True)
        next_tick += tick
        time.sleep(max(0.0, next_tick - time.monotonic()))
    store.close()
    """
)


def idle_cpu(store: Path, state: str, seconds: float, live: bool) -> float:
    term = Terminal(app_command(store, state, live), {"TERM": "xterm-256color"})
    try:
        term.wait_for(lambda s: shown_step(s, 5) is not None)
        time.sleep(3.0)  # let start-up work (chart warm-up, prefetch) finish
        cpu0, t0 = cpu_seconds(term.pid), time.monotonic()
        time.sleep(seconds)
        cpu1, t1 = cpu_seconds(term.pid), time.monotonic()
        return (cpu1 - cpu0) / (t1 - t0) * 100
    finally:
        term.close()


def poll_cost_us(store_path: Path, ids: tuple[str, ...]) -> float:
    from modelcompare_tui.live import LivePoller
    from modelcompare_tui.sources.store import SQLiteStore

    store = SQLiteStore(store_path)
    poller = LivePoller(store, lambda: ids, lambda change: None)
    poller.poll_once()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        poller.poll_once()
        n += 1
    store.close()
    return (time.perf_counter() - start) / n * 1e6


def latency(store: Path, state: str, ids: tuple[str, ...], seconds: float, rate: int) -> dict[str, float]:
    term = Terminal(app_command(store, state, True), {"TERM": "xterm-256color"})
    writer = None
    try:
        term.wait_for(lambda s: shown_step(s, len(ids)) is not None)
        time.sleep(3.0)
        writer = subprocess.Popen([PYTHON, "-c", WRITER, str(store), str(seconds), str(rate), str(TICK), *ids],
                                  stdout=subprocess.PIPE, text=True)
        cpu0, t0 = cpu_seconds(term.pid), time.monotonic()
        seen: list[tuple[float, int]] = []  # (when, smallest step shown)
        while writer.poll() is None:
            step = shown_step(term.screen(), len(ids))
            if step is not None:
                seen.append((time.monotonic(), step))
            time.sleep(0.05)
        cpu1, t1 = cpu_seconds(term.pid), time.monotonic()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the last rounds
            step = shown_step(term.screen(), len(ids))
            if step is not None:
                seen.append((time.monotonic(), step))
            time.sleep(0.05)
        commits = [(float(t), int(i)) for t, i in (line.split() for line in writer.stdout.read().splitlines())]
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        term.close()
    delays = []
    for when, iteration in commits:
        shown_at = next((t for t, step in seen if step >= iteration), None)
        if shown_at is not None:
            delays.append(max(0.0, shown_at - when))
    missed = len(commits) - len(delays)
    delays.sort()
    return {
        "rounds": len(commits),
        "missed": missed,
        "median": statistics.median(delays) if delays else float("nan"),
        "p95": delays[int(0.95 * (len(delays) - 1))] if delays else float("nan"),
        "max": delays[-1] if delays else float("nan"),
        "cpu_writing": (cpu1 - cpu0) / (t1 - t0) * 100,
    }


def cpu_while_writing(store: Path, state: str, ids: tuple[str, ...], seconds: float, rate: int,
                      ready: str) -> float:
    """% of one core the app uses while the writer writes, on the view `state` opens."""
    term = Terminal(app_command(store, state, True), {"TERM": "xterm-256color"})
    writer = None
    try:
        term.wait_for(lambda text: ready in text)
        time.sleep(3.0)
        writer = subprocess.Popen([PYTHON, "-c", WRITER, str(store), str(seconds), str(rate), str(TICK), *ids],
                                  stdout=subprocess.DEVNULL)
        cpu0, t0 = cpu_seconds(term.pid), time.monotonic()
        writer.wait(timeout=seconds + 30)
        return (cpu_seconds(term.pid) - cpu0) / (time.monotonic() - t0) * 100
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
        term.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=float, default=20.0, metavar="S", help="seconds of idle measurement")
    parser.add_argument("--write", type=float, default=20.0, metavar="S", help="seconds the writer writes")
    parser.add_argument("--rate", type=int, default=1000, metavar="N", help="points/s per model")
    args = parser.parse_args()
    if TMUX is None:
        raise SystemExit("bench_live needs tmux")

    from modelcompare_tui.core.state import ComparisonState, ScalarsView, encode_state

    with tempfile.TemporaryDirectory(prefix="mc-bench-live-") as tmp:
        store = Path(tmp) / "live.db"
        ids = build_store(store)
        state = encode_state(ComparisonState(source=str(store.resolve()), models=ids, tab="scalars"))

        idle_live = idle_cpu(store, state, args.idle, live=True)
        idle_off = idle_cpu(store, state, args.idle, live=False)
        poll_us = poll_cost_us(store, ids)
        result = latency(store, state, ids, args.write, args.rate)
        others = {}
        for name, tab, view, ready in (("Scalars graph", "scalars", "graph", " points "),
                                       ("Plots", "plots", "values", "Summary"),
                                       ("Details", "details", "values", "differences")):
            other = encode_state(ComparisonState(source=str(store.resolve()), models=ids, tab=tab,
                                                 scalars=ScalarsView(view=view)))
            others[name] = cpu_while_writing(store, other, ids, args.write / 2, args.rate, ready)

    ok_idle = idle_live <= TARGET_IDLE_CPU
    ok_latency = result["missed"] == 0 and result["max"] <= TARGET_LATENCY
    print(f"{'measure':<58} {'value':>10}   target")
    print(f"{'idle CPU, live updates on (1 poll/s), % of one core':<58} {idle_live:>9.2f}%   ≤ {TARGET_IDLE_CPU:.0f}%"
          f"  {'ok' if ok_idle else 'TOO MUCH'}")
    print(f"{'idle CPU, live updates off, % of one core':<58} {idle_off:>9.2f}%   (reference)")
    print(f"{'one poll (change token + compare), µs':<58} {poll_us:>10.0f}   (reference)")
    print(f"writer: {args.rate:,} points/s to each of 5 models, {result['rounds']} rounds of {TICK:g} s "
          f"({result['missed']} never seen)")
    for name in ("median", "p95", "max"):
        label = f"commit → on screen, {name}, s"
        target = f"≤ {TARGET_LATENCY:g} s" if name == "max" else ""
        print(f"{label:<58} {result[name]:>10.2f}   {target}")
    print(f"{'CPU while the writer writes, values table, % of one core':<58} {result['cpu_writing']:>9.1f}%   (reference)")
    for name, cpu in others.items():
        label = f"CPU while the writer writes, {name}, % of one core"
        print(f"{label:<58} {cpu:>9.1f}%   (reference)")
    print(f"latency {'ok' if ok_latency else 'TOO SLOW'}")
    if not (ok_idle and ok_latency):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
