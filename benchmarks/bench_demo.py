"""Speed and size of the demo registry (the demo package).

Targets: the default 40-model demo generates in <= 1.0 s and holds <= 2,000,000
scalar points (so `modelcompare --demo` creates its store in a couple of
seconds). Run: .venv/bin/python benchmarks/bench_demo.py
"""

from __future__ import annotations

import time

from modelcompare_tui.demo import generate_demo

TARGET_SECONDS_40 = 1.0
TARGET_POINTS_40 = 2_000_000


def main() -> None:
    generate_demo(2)  # warm-up: imports, numpy
    for n_models in (40, 200):
        times = []
        for seed in range(3):
            start = time.perf_counter()
            records = generate_demo(n_models, seed=seed)
            times.append(time.perf_counter() - start)
        points = sum(len(s) for r in records for s in r.scalars)
        plots = sum(len(r.plots) for r in records)
        best = min(times)
        line = f"generate_demo({n_models:>3}): best {best:.3f} s, {points:>9,} points, {plots:>5,} plots (seed 2)"
        if n_models == 40:
            line += f"   target <= {TARGET_SECONDS_40} s, <= {TARGET_POINTS_40:,} points"
        print(line)


if __name__ == "__main__":
    main()
