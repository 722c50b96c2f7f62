"""Speed and size of the state string (PRODUCT.md §7).

Targets: encode and decode each <= 1 ms; 10 models with 32-hex ids and typical
options <= 400 characters. Run: .venv/bin/python benchmarks/bench_state.py
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import replace

from modelcompare_tui.core.state import (
    ComparisonState,
    DiffView,
    PlotsView,
    ScalarsView,
    decode_state,
    encode_state,
)

TARGET_US = 1000.0
TARGET_CHARS_10_MODELS = 400


def typical_state(n_models: int, text_ids: bool = False) -> ComparisonState:
    ids = [uuid.UUID(int=(i + 1) * 0x9E3779B97F4A7C15F39CC0605CEDC834 % 2**128).hex for i in range(n_models)]
    if text_ids:
        ids = [f"experiments/resnet50-finetune-lr{i}e-4/checkpoint-final" for i in range(n_models)]
    return ComparisonState(
        source="mlflow+https://mlflow.internal.example.com:5000",
        models=tuple(ids),
        tab="scalars",
        details=DiffView(hide_identical=True),
        scalars=ScalarsView(
            view="graph",
            agg="max",
            extremes=True,
            metric_filter="val/*",
            x_axis="relative",
            smoothing="ema",
            smoothing_weight=0.6,
            log_y=True,
            focused="loss/total",
            maximized=True,
            zoom=(1000, 25000),
        ),
        plots=PlotsView(iteration=24000, focused="confusion/val"),
    )


def every_option_state(n_models: int) -> ComparisonState:
    """Every view option of every tab away from its default (the worst case of
    `y` in the app; the 400-character target is for typical options)."""
    state = typical_state(n_models)
    return replace(
        state,
        details=DiffView(hide_identical=True, diff_mode="all", search="optimizer", cursor_row=42),
        network=DiffView(hide_identical=True, diff_mode="all", search="lr", cursor_row=17),
        scalars=replace(state.scalars, delta=True, group_by="metric"),
        plots=PlotsView(iteration=24000, metric_filter="confusion*", focused="confusion/val", maximized=True),
    )


def mean_us(fn: Callable[[], object], min_seconds: float = 0.3) -> float:
    """Mean wall time per call over at least `min_seconds` (after a warm-up)."""
    for _ in range(50):
        fn()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        for _ in range(100):
            fn()
        calls += 100
    return elapsed / calls * 1e6


def main() -> None:
    cases = [
        ("10 models, 32-hex ids, typical options", typical_state(10)),
        ("10 models, every option of every tab set", every_option_state(10)),
        ("10 models, long text ids (deflated)", typical_state(10, text_ids=True)),
        ("100 models, 32-hex ids", typical_state(100)),
        ("default state (no models)", ComparisonState()),
    ]
    print(f"{'case':<42} {'chars':>6} {'encode µs':>10} {'decode µs':>10}   target ≤ {TARGET_US:.0f} µs each")
    ok = True
    for name, state in cases:
        text = encode_state(state)
        assert decode_state(text) == state
        enc = mean_us(lambda: encode_state(state))
        dec = mean_us(lambda: decode_state(text))
        verdict = "ok" if max(enc, dec) <= TARGET_US else "SLOW"
        ok &= verdict == "ok"
        print(f"{name:<42} {len(text):>6} {enc:>10.1f} {dec:>10.1f}   {verdict}")
    length = len(encode_state(typical_state(10)))
    size_ok = length <= TARGET_CHARS_10_MODELS
    print(
        f"\nlength, 10 models x 32-hex ids + typical options: {length} chars "
        f"(target ≤ {TARGET_CHARS_10_MODELS}) {'ok' if size_ok else 'TOO LONG'}"
    )
    if not (ok and size_ok):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
