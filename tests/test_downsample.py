"""core.downsample: last-reported-wins dedupe, summaries, and min/max-preserving
downsampling, checked against a brute-force per-bucket reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from modelcompare_tui.core.downsample import (
    bucket_extremes_indices,
    bucket_of,
    dedupe_last_wins,
    downsample_indices,
    summarize,
)

NAN = float("nan")
INF = float("inf")


def arrays(its, vals, ts=None):  # noqa: ANN001, ANN201
    it = np.asarray(its, dtype=np.int64)
    v = np.asarray(vals, dtype=np.float64)
    t = np.asarray(ts if ts is not None else [NAN] * len(its), dtype=np.float64)
    return it, v, t


# -- dedupe ------------------------------------------------------------------------


def test_dedupe_keeps_the_point_reported_last_and_sorts() -> None:
    it, v, ts = arrays([0, 1, 2, 1, 3, 2, 1], [10, 11, 12, 21, 13, 22, 31], [0, 1, 2, 3, 4, 5, 6])
    it, v, ts = dedupe_last_wins(it, v, ts)
    assert it.tolist() == [0, 1, 2, 3]
    assert v.tolist() == [10, 31, 22, 13]
    assert ts.tolist() == [0, 6, 5, 4]


def test_dedupe_of_strictly_increasing_input_is_the_input() -> None:
    it, v, ts = arrays([1, 5, 9], [1.0, NAN, 3.0])
    out = dedupe_last_wins(it, v, ts)
    assert out[0] is it and out[1] is v and out[2] is ts


# -- summarize -----------------------------------------------------------------------


def test_summary_last_is_the_value_at_the_highest_iteration_after_resume() -> None:
    # a run resumed from iteration 2 re-reports 2 and 3 with new values
    it, v, ts = arrays([0, 1, 2, 3, 2, 3], [5.0, 4.0, 100.0, -50.0, 3.0, 2.5], [0, 1, 2, 3, 4, 5])
    s = summarize("loss", "train", *dedupe_last_wins(it, v, ts))
    assert s is not None
    assert (s.last, s.last_iteration, s.count) == (2.5, 3, 4)
    # the superseded 100.0 and -50.0 no longer count
    assert (s.max, s.max_iteration) == (5.0, 0)
    assert (s.min, s.min_iteration) == (2.5, 3)
    assert (s.first_timestamp, s.last_timestamp) == (0.0, 5.0)


def test_summary_ignores_nan_and_inf_for_min_max_but_last_may_be_nan() -> None:
    s = summarize("m", "v", *arrays([0, 1, 2, 3, 4], [INF, 2.0, -INF, 1.0, NAN]))
    assert s is not None
    assert (s.min, s.min_iteration, s.max, s.max_iteration) == (1.0, 3, 2.0, 1)
    assert math.isnan(s.last) and s.last_iteration == 4 and s.count == 5
    assert s.first_timestamp is None and s.last_timestamp is None


def test_summary_without_finite_values_has_no_min_max() -> None:
    s = summarize("m", "v", *arrays([3, 7], [NAN, INF]))
    assert s is not None
    assert (s.min, s.min_iteration, s.max, s.max_iteration) == (None, None, None, None)
    assert s.last == INF and s.count == 2


def test_summary_ties_report_the_earliest_iteration() -> None:
    s = summarize("m", "v", *arrays([0, 1, 2, 3], [1.0, 0.0, 1.0, 0.0]))
    assert s is not None
    assert (s.min_iteration, s.max_iteration) == (1, 0)


def test_summary_of_an_empty_series_is_none() -> None:
    assert summarize("m", "v", *arrays([], [])) is None


# -- downsampling ----------------------------------------------------------------------


def reference_keep(x: np.ndarray, v: np.ndarray, buckets: int) -> set[int]:
    """Brute force: per bucket its first, last, first finite min and first finite max."""
    n = len(x)
    if n <= 2 * buckets:
        return set(range(n))
    x0, x1 = float(x[0]), float(x[-1])
    groups: dict[int, list[int]] = {}
    for i in range(n):
        b = 0 if x1 <= x0 else min(buckets - 1, max(0, int((float(x[i]) - x0) * (buckets / (x1 - x0)))))
        groups.setdefault(b, []).append(i)
    keep: set[int] = set()
    for members in groups.values():
        keep.update((members[0], members[-1]))
        finite = [i for i in members if math.isfinite(v[i])]
        if finite:
            keep.add(min(finite, key=lambda i: (v[i], i)))
            keep.add(min(finite, key=lambda i: (-v[i], i)))
    return keep


def test_small_series_are_kept_whole() -> None:
    x = np.arange(10)
    assert downsample_indices(x, np.ones(10), 5).tolist() == list(range(10))
    assert downsample_indices(x[:0], np.ones(0), 5).tolist() == []


def test_first_last_and_extremes_are_kept() -> None:
    n = 10_000
    x = np.arange(n)
    v = np.sin(np.arange(n) / 50.0)
    v[1234] = 50.0  # a spike
    v[8765] = -50.0  # a dip
    v[4000] = NAN
    v[4001] = INF
    keep = downsample_indices(x, v, 100)
    assert keep[0] == 0 and keep[-1] == n - 1
    assert 1234 in keep and 8765 in keep
    assert np.all(np.diff(keep) > 0)
    assert len(keep) <= 4 * 100
    assert set(keep.tolist()) == reference_keep(x, v, 100)


def test_non_finite_values_never_win_min_or_max() -> None:
    x = np.arange(100)
    v = np.zeros(100)
    v[10], v[11], v[12] = NAN, INF, -INF
    v[13], v[14] = 5.0, -5.0
    keep = set(downsample_indices(x, v, 1).tolist())
    assert keep == {0, 99, 13, 14}


def test_identical_x_fall_in_one_bucket() -> None:
    x = np.full(50, 7)
    v = np.arange(50.0)[::-1]
    assert downsample_indices(x, v, 10).tolist() == [0, 49]


def test_bucket_of_is_monotone_and_spans_all_buckets() -> None:
    x = np.linspace(-3.0, 11.0, 1001)
    b = bucket_of(x, -3.0, 11.0, 7)
    assert b[0] == 0 and b[-1] == 6 and np.all(np.diff(b) >= 0)
    assert set(b.tolist()) == set(range(7))


finite_floats = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
any_value = st.one_of(finite_floats, finite_floats, finite_floats, st.sampled_from([NAN, INF, -INF]))


@st.composite
def series_and_buckets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    n = draw(st.integers(min_value=1, max_value=200))
    gaps = draw(hnp.arrays(np.int64, n, elements=st.integers(min_value=0, max_value=50)))
    x = np.cumsum(gaps) + draw(st.integers(-1000, 1000))
    v = draw(hnp.arrays(np.float64, n, elements=any_value))
    return x, v, draw(st.integers(min_value=1, max_value=40))


@settings(max_examples=200, deadline=None)
@given(series_and_buckets(), st.data())
def test_downsampled_range_keeps_true_extremes_and_ends(case, data) -> None:  # noqa: ANN001
    x, v, buckets = case
    n = len(x)
    # a sub-range of the series, as a chart zoomed on [lo, hi] would ask for
    a = data.draw(st.integers(0, n - 1))
    b = data.draw(st.integers(a, n - 1))
    x, v = x[a : b + 1], v[a : b + 1]
    keep = downsample_indices(x, v, buckets)
    assert keep[0] == 0 and keep[-1] == len(x) - 1
    assert np.all(np.diff(keep) > 0)
    assert len(keep) <= max(2 * buckets, 4 * buckets)
    finite = v[np.isfinite(v)]
    kept = v[keep]
    kept_finite = kept[np.isfinite(kept)]
    if finite.size:
        assert kept_finite.min() == finite.min()
        assert kept_finite.max() == finite.max()
    else:
        assert kept_finite.size == 0
    assert set(keep.tolist()) == reference_keep(x, v, buckets)


@settings(max_examples=100, deadline=None)
@given(series_and_buckets())
def test_extremes_of_a_superset_of_candidates_match(case) -> None:  # noqa: ANN001
    """What a source relies on: choosing among any subset that holds every bucket's
    first/min/max/last point gives the same points as choosing among all."""
    x, v, buckets = case
    full = bucket_extremes_indices(x, v, buckets)
    rng = np.random.default_rng(len(x))
    extra = rng.random(len(x)) < 0.3
    subset = np.flatnonzero(extra | np.isin(np.arange(len(x)), full))
    again = subset[bucket_extremes_indices(x[subset], v[subset], buckets)]
    assert again.tolist() == full.tolist()


@pytest.mark.parametrize("buckets", [0, -3])
def test_non_positive_buckets_mean_one(buckets: int) -> None:
    x = np.arange(20)
    v = np.arange(20.0)
    assert downsample_indices(x, v, buckets).tolist() == [0, 19]
