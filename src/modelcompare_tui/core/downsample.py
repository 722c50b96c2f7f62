"""Series helpers shared by every source: dedupe (last reported wins),
summaries, and min/max-preserving downsampling to what a chart can show."""

from __future__ import annotations

import numpy as np

from .model import ScalarSummary


def dedupe_last_wins(
    iterations: np.ndarray, values: np.ndarray, timestamps: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort by iteration; where an iteration repeats keep the point reported last
    (the later position in the input). A run resumed from a checkpoint re-reports
    iterations, and the new value supersedes the old one everywhere."""
    n = iterations.shape[0]
    if n == 0:
        return iterations, values, timestamps
    if n == 1 or bool(np.all(iterations[1:] > iterations[:-1])):
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
    """Summary of an already deduped, iteration-sorted series (None when empty)."""
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


def downsample_indices(x: np.ndarray, values: np.ndarray, buckets: int) -> np.ndarray:
    """Indices of the points to keep so that a chart of `buckets` columns looks the
    same as the full series: per bucket (equal width in x) its first, min, max and
    last point; the series' first and last point always. NaN values never win min
    or max but stay visible as a bucket's first/last. `x` must be sorted."""
    n = int(x.shape[0])
    buckets = max(1, int(buckets))
    if n <= 2 * buckets:
        return np.arange(n)
    x0 = float(x[0])
    x1 = float(x[-1])
    if x1 <= x0:
        bucket = np.zeros(n, dtype=np.int64)
    else:
        bucket = ((x.astype(np.float64) - x0) * (buckets / (x1 - x0))).astype(np.int64)
        np.clip(bucket, 0, buckets - 1, out=bucket)
    # bucket is non-decreasing because x is sorted: group starts are where it changes
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    ends = np.r_[starts[1:], n] - 1
    for_min = np.where(np.isnan(values), np.inf, values)
    for_max = np.where(np.isnan(values), -np.inf, values)
    # argmin within each group: lexsort by (value, group) and take each group's first
    order_min = np.lexsort((for_min, bucket))
    order_max = np.lexsort((-for_max, bucket))
    group_of_sorted = bucket[order_min]
    firsts_sorted = np.flatnonzero(np.r_[True, group_of_sorted[1:] != group_of_sorted[:-1]])
    arg_min = order_min[firsts_sorted]
    group_of_sorted = bucket[order_max]
    firsts_sorted = np.flatnonzero(np.r_[True, group_of_sorted[1:] != group_of_sorted[:-1]])
    arg_max = order_max[firsts_sorted]
    keep = np.unique(np.concatenate((starts, ends, arg_min, arg_max)))
    return keep
