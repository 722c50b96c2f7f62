"""Series helpers shared by every source: dedupe (last reported wins),
summaries, and min/max-preserving downsampling to what a chart can show."""

from __future__ import annotations

import math

import numpy as np

from .model import ScalarSummary


def dedupe_last_wins(
    iterations: np.ndarray, values: np.ndarray, timestamps: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort by iteration; where an iteration repeats keep the point reported last
    (the later position in the input). A run resumed from a checkpoint re-reports
    iterations, and the new value supersedes the old one everywhere."""
    n = iterations.shape[0]
    if n <= 1 or bool(np.all(iterations[1:] > iterations[:-1])):
        return iterations, values, timestamps
    # unique on the reversed arrays returns the first occurrence = the last reported
    rev_iters = iterations[::-1]
    _, first_in_rev = np.unique(rev_iters, return_index=True)
    keep = (n - 1) - first_in_rev  # positions in the original order, sorted by iteration
    return iterations[keep], values[keep], timestamps[keep]


def summarize(
    metric: str,
    variant: str,
    iterations: np.ndarray,
    values: np.ndarray,
    timestamps: np.ndarray,
) -> ScalarSummary | None:
    """Summary of an already deduped, iteration-sorted series (None when empty).
    Min/Max skip NaN and ±inf; on ties they report the earliest iteration."""
    n = int(iterations.shape[0])
    if n == 0:
        return None
    finite = np.isfinite(values)
    mn = mx = None
    mn_it = mx_it = None
    if finite.any():
        idx = np.flatnonzero(finite)
        fv = values[idx]
        i_min = int(idx[int(np.argmin(fv))])
        i_max = int(idx[int(np.argmax(fv))])
        mn, mn_it = float(values[i_min]), int(iterations[i_min])
        mx, mx_it = float(values[i_max]), int(iterations[i_max])
    ts_finite = timestamps[np.isfinite(timestamps)]
    return ScalarSummary(
        metric=metric,
        variant=variant,
        last=float(values[-1]),
        last_iteration=int(iterations[-1]),
        min=mn,
        min_iteration=mn_it,
        max=mx,
        max_iteration=mx_it,
        count=n,
        first_timestamp=float(ts_finite.min()) if ts_finite.size else None,
        last_timestamp=float(ts_finite.max()) if ts_finite.size else None,
    )


def bucket_of(x: np.ndarray, x0: float, x1: float, buckets: int) -> np.ndarray:
    """Bucket number (0..buckets-1) of each x for `buckets` equal-width buckets
    spanning [x0, x1]. Monotone in x, so a source can tell that a whole block of
    points falls in one bucket from the block's first and last x."""
    x = np.asarray(x, dtype=np.float64)
    if x1 <= x0:
        return np.zeros(x.shape, dtype=np.int64)
    if math.isfinite(x1 - x0):
        bucket = ((x - x0) * (buckets / (x1 - x0))).astype(np.int64)
    else:  # a span beyond float range (-1e308..1e308): the same on halves, which cannot overflow
        bucket = ((x * 0.5 - x0 * 0.5) * (buckets / (x1 * 0.5 - x0 * 0.5))).astype(np.int64)
    np.clip(bucket, 0, buckets - 1, out=bucket)
    return bucket


def bucket_extremes_indices(x: np.ndarray, values: np.ndarray, buckets: int) -> np.ndarray:
    """Sorted indices of each bucket's first, last, min and max point (buckets of
    equal width between x[0] and x[-1]; `x` sorted). Min/Max consider finite values
    only and take the earliest on ties; a bucket without any finite value keeps just
    its first and last point. O(n): no sort."""
    n = int(x.shape[0])
    if n == 0:
        return np.empty(0, dtype=np.int64)
    buckets = max(1, int(buckets))
    bucket = bucket_of(x, float(x[0]), float(x[-1]), buckets)
    starts_mask = np.empty(n, dtype=bool)
    starts_mask[0] = True
    np.not_equal(bucket[1:], bucket[:-1], out=starts_mask[1:])
    starts = np.flatnonzero(starts_mask)
    group = np.cumsum(starts_mask) - 1  # 0-based index of each point's (non-empty) bucket
    finite = np.isfinite(values)
    if finite.all():  # the usual case: no masked copies
        for_min = for_max = values
    else:
        for_min = np.where(finite, values, np.inf)
        for_max = np.where(finite, values, -np.inf)
    keep = np.zeros(n, dtype=bool)
    keep[starts] = True
    keep[np.r_[starts[1:] - 1, n - 1]] = True
    for reduced, ufunc in ((for_min, np.minimum), (for_max, np.maximum)):
        best = ufunc.reduceat(reduced, starts)
        hits = np.flatnonzero(reduced == best[group])
        hit_groups = group[hits]
        first_hit = np.empty(hits.shape[0], dtype=bool)
        first_hit[0] = True
        np.not_equal(hit_groups[1:], hit_groups[:-1], out=first_hit[1:])
        keep[hits[first_hit]] = True
    return np.flatnonzero(keep)


def downsample_indices(x: np.ndarray, values: np.ndarray, buckets: int) -> np.ndarray:
    """Indices of the points to keep so that a chart of `buckets` columns looks the
    same as the full series: per bucket (equal width in x) its first, min, max and
    last point; the series' first and last point always. NaN/inf never win min or
    max but stay visible as a bucket's first/last. Series of at most 2*buckets
    points are kept whole. `x` must be sorted."""
    n = int(x.shape[0])
    if n <= 2 * max(1, int(buckets)):
        return np.arange(n)
    return bucket_extremes_indices(x, values, buckets)
