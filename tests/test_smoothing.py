"""Smoothing against plain reference loops, NaN handling, and the x axis."""

from __future__ import annotations

import math
from datetime import UTC

import numpy as np
import pytest

from modelcompare_tui.core.model import SeriesData
from modelcompare_tui.core.smoothing import (
    axis_ticks,
    ema,
    format_duration,
    format_iteration,
    format_wall_time,
    log_safe,
    smooth,
    smoothing_window,
    x_values,
)


def reference_ema(values: list[float], weight: float) -> list[float]:
    """TensorBoard's smoothing loop (tf-tensorboard's `resmoothDataset`), as written there."""
    out = []
    last = 0.0
    num_accum = 0
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        num_accum += 1
        out.append(last / (1 - weight**num_accum))
    return out


def reference_running(values: list[float], window: int) -> list[float]:
    out = []
    for i, v in enumerate(values):
        if not math.isfinite(v):
            out.append(v)
            continue
        chunk = [x for x in values[max(0, i - window + 1) : i + 1] if math.isfinite(x)]
        out.append(sum(chunk) / len(chunk))
    return out


def reference_gaussian(values: list[float], window: int) -> list[float]:
    sigma = window / 4
    half = max(1, math.ceil(2 * sigma))
    out = []
    for i, v in enumerate(values):
        if not math.isfinite(v):
            out.append(v)
            continue
        num = den = 0.0
        for j in range(max(0, i - half), min(len(values), i + half + 1)):
            if math.isfinite(values[j]):
                w = math.exp(-0.5 * ((j - i) / sigma) ** 2)
                num += w * values[j]
                den += w
        out.append(num / den)
    return out


def noisy(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.exp(-np.arange(n) / 300) + rng.normal(0, 0.1, n)


@pytest.mark.parametrize("weight", [0.0, 0.1, 0.6, 0.9, 0.99, 0.999])
def test_ema_matches_reference_loop(weight: float) -> None:
    values = noisy(5000)
    got = smooth(values, "ema", weight)
    np.testing.assert_allclose(got, reference_ema(values.tolist(), weight), rtol=1e-9, atol=1e-12)


def test_ema_long_series_with_small_weight_does_not_overflow() -> None:
    # w = 0.01 makes w**-m overflow after ~150 points without blocking
    values = noisy(2000)
    got = ema(values, 0.01)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, reference_ema(values.tolist(), 0.01), rtol=1e-9)


def test_ema_nan_and_inf_pass_through_without_poisoning() -> None:
    values = noisy(200)
    values[[0, 5, 6, 100]] = np.nan
    values[50] = np.inf
    values[51] = -np.inf
    got = smooth(values, "ema", 0.8)
    assert np.isnan(got[[0, 5, 6, 100]]).all()
    assert got[50] == np.inf and got[51] == -np.inf
    rest = np.setdiff1d(np.arange(200), [0, 5, 6, 50, 51, 100])
    assert np.isfinite(got[rest]).all()
    np.testing.assert_allclose(got, reference_ema(values.tolist(), 0.8), rtol=1e-9)


def test_ema_first_point_is_the_raw_value() -> None:
    # debiasing: the first smoothed value is the first value, not (1-w) * it
    assert smooth(np.array([10.0, 0.0, 0.0]), "ema", 0.9)[0] == pytest.approx(10.0)


@pytest.mark.parametrize("kind", ["ema", "running", "gaussian"])
@pytest.mark.parametrize("weight", [0.3, 0.95])
def test_constant_series_stays_constant(kind: str, weight: float) -> None:
    values = np.full(1000, 0.1)
    values[[3, 400]] = np.nan
    got = smooth(values, kind, weight)
    assert np.isnan(got[[3, 400]]).all()
    mask = np.isfinite(values)
    assert np.array_equal(got[mask], values[mask])  # exactly, not approximately


@pytest.mark.parametrize("weight", [0.01, 0.05, 0.3])
def test_running_average_matches_reference(weight: float) -> None:
    values = noisy(400, seed=1)
    values[[10, 11, 12, 200]] = np.nan
    window = smoothing_window(values.size, weight)
    got = smooth(values, "running", weight)
    np.testing.assert_allclose(got, reference_running(values.tolist(), window), rtol=1e-9)


@pytest.mark.parametrize("weight", [0.01, 0.05, 0.3])
def test_gaussian_matches_reference(weight: float) -> None:
    values = noisy(400, seed=2)
    values[[0, 1, 399, 150]] = np.nan
    window = smoothing_window(values.size, weight)
    got = smooth(values, "gaussian", weight)
    np.testing.assert_allclose(got, reference_gaussian(values.tolist(), window), rtol=1e-9)


def test_gaussian_fft_path_agrees_with_reference() -> None:
    # 3000 points with a ~1500-point window go through the FFT convolution
    values = noisy(3000, seed=3)
    values[7] = np.nan
    got = smooth(values, "gaussian", 0.5)
    window = smoothing_window(values.size, 0.5)
    ref = reference_gaussian(values.tolist(), window)
    np.testing.assert_allclose(got, ref, rtol=1e-7)


def test_smoothing_reduces_noise() -> None:
    values = noisy(2000, seed=4)
    trend = np.exp(-np.arange(2000) / 300)
    for kind, weight in (("ema", 0.9), ("running", 0.01), ("gaussian", 0.01)):
        err_raw = np.abs(values - trend)[100:].mean()
        err_smooth = np.abs(smooth(values, kind, weight) - trend)[100:].mean()
        assert err_smooth < err_raw / 2, kind


def test_none_and_zero_weight_return_a_copy() -> None:
    values = noisy(10)
    for kind, weight in (("none", 0.9), ("ema", 0.0), ("gaussian", 0.0)):
        got = smooth(values, kind, weight)
        assert np.array_equal(got, values) and got is not values


def test_short_and_empty_series() -> None:
    assert smooth(np.array([]), "ema", 0.5).size == 0
    assert smooth(np.array([3.0]), "gaussian", 0.5).tolist() == [3.0]
    assert np.isnan(smooth(np.array([np.nan, np.nan]), "running", 0.5)).all()


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="median"):
        smooth(np.zeros(3), "median", 0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        smooth(np.zeros(3), "ema", 1.0)
    with pytest.raises(ValueError):
        smooth(np.zeros(3), "ema", -0.1)


def test_log_safe() -> None:
    got = log_safe(np.array([1.0, 0.0, -2.0, np.nan, 3.0]))
    assert got[0] == 1.0 and got[4] == 3.0
    assert np.isnan(got[1:4]).all()


# -- x axis -------------------------------------------------------------------------------


def make_series(its, ts) -> SeriesData:
    return SeriesData(
        "loss", "train", np.asarray(its, dtype=np.int64), np.zeros(len(its)), np.asarray(ts, dtype=np.float64),
        len(its), False,
    )


def test_x_values_modes() -> None:
    s = make_series([0, 10, 20], [1000.0, 1060.0, np.nan])
    assert x_values(s, "iteration").tolist() == [0.0, 10.0, 20.0]
    wall = x_values(s, "wall")
    assert wall[:2].tolist() == [1000.0, 1060.0] and np.isnan(wall[2])
    rel = x_values(s, "relative")
    assert rel[:2].tolist() == [0.0, 60.0] and np.isnan(rel[2])
    # the model's own origin (its earliest point over all series) wins when given
    assert x_values(s, "relative", t0=940.0)[:2].tolist() == [60.0, 120.0]
    assert np.isnan(x_values(make_series([1], [np.nan]), "relative")).all()
    with pytest.raises(ValueError, match="epoch"):
        x_values(s, "epoch")


@pytest.mark.parametrize(
    ("seconds", "want"),
    [(0, "0s"), (2.5, "2.5s"), (45, "45s"), (60, "1m"), (150, "2m30s"), (3600, "1h"), (3900, "1h05m"),
     (86400, "1d"), (90000, "1d01h"), (-30, "-30s")],
)  # fmt: skip
def test_format_duration(seconds: float, want: str) -> None:
    assert format_duration(seconds) == want


@pytest.mark.parametrize(
    ("value", "want"), [(0, "0"), (950, "950"), (1500, "1.5k"), (20000, "20k"), (1_200_000, "1.2M"), (2.5, "2.5")]
)
def test_format_iteration(value: float, want: str) -> None:
    assert format_iteration(value) == want


def test_format_wall_time_depends_on_span() -> None:
    t = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
    assert format_wall_time(t, 60, UTC) == "22:13:20"
    assert format_wall_time(t, 3600, UTC) == "22:13"
    assert format_wall_time(t, 2 * 86400, UTC) == "11-14 22:13"
    assert format_wall_time(t, 30 * 86400, UTC) == "2023-11-14"


def test_axis_ticks_relative_are_round_durations() -> None:
    ticks = axis_ticks(0, 7200, "relative", count=4)
    assert [p for p, _ in ticks] == [0, 1800, 3600, 5400, 7200]
    assert [t for _, t in ticks] == ["0s", "30m", "1h", "1h30m", "2h"]


def test_axis_ticks_wall_align_to_the_zone() -> None:
    lo = 1_700_000_000.0
    ticks = axis_ticks(lo, lo + 6 * 3600, "wall", count=6, tz=UTC)
    assert all(p % 3600 == 0 for p, _ in ticks)
    assert ticks[0][1] == "23:00"
    assert all(lo <= p <= lo + 6 * 3600 for p, _ in ticks)


def test_axis_ticks_iterations() -> None:
    ticks = axis_ticks(0, 10_000, "iteration", count=5)
    assert [t for _, t in ticks] == ["0", "2k", "4k", "6k", "8k", "10k"]
    assert axis_ticks(5, 5, "iteration") == [(5, "5")]
    assert axis_ticks(0, 3, "iteration", count=10)[1][0] == 1  # never a fractional iteration step
