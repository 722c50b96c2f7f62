"""Statistics of a merged chart's samples over the full float range: box
statistics and the histogram's shared bin edges, interpolated so that values
near +-1.8e308 never overflow into inf or NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..plotly_convert import MAX_HISTOGRAM_BINS
from .reading import _to_float

DEFAULT_HISTOGRAM_BINS = 20


@dataclass(frozen=True)
class BoxStats:
    """Tukey box of one series' finite samples: whiskers reach the furthest
    samples within 1.5 IQR of the box; samples beyond are outliers."""

    count: int
    q1: float
    median: float
    q3: float
    whisker_low: float
    whisker_high: float
    outliers: tuple[float, ...]
    mean: float


def box_stats(samples: np.ndarray) -> BoxStats | None:
    """Box statistics of the finite samples (None when there are none)."""
    v = np.asarray(samples, dtype=np.float64)
    v = np.sort(v[np.isfinite(v)])
    if v.size == 0:
        return None
    q1, median, q3 = (_quantile(v, q) for q in (0.25, 0.5, 0.75))
    with np.errstate(over="ignore"):
        # an IQR beyond float range makes the fences infinite: then no sample is an outlier
        iqr = q3 - q1
        lo_fence, hi_fence = q1 - 1.5 * iqr, q3 + 1.5 * iqr
        mean = float(v.mean())
    if not math.isfinite(mean):  # the sum overflowed: the mean of values / n cannot
        mean = float(np.sum(v / v.size))
    inside = v[(v >= lo_fence) & (v <= hi_fence)]
    outliers = v[(v < lo_fence) | (v > hi_fence)]
    return BoxStats(
        count=int(v.size),
        q1=q1,
        median=median,
        q3=q3,
        whisker_low=float(inside[0]),
        whisker_high=float(inside[-1]),
        outliers=tuple(float(o) for o in outliers),
        mean=mean,
    )


def _quantile(ordered: np.ndarray, q: float) -> float:
    """numpy's default (linear) quantile of sorted finite values, interpolated
    as a*(1-t) + b*t: numpy's a + (b-a)*t overflows for a = -1e308, b = 1e308."""
    position = q * (ordered.size - 1)
    below = int(math.floor(position))
    t = position - below
    a = float(ordered[below])
    if t == 0.0:
        return a
    b = float(ordered[min(below + 1, ordered.size - 1)])
    return a * (1.0 - t) + b * t


def _spread(lo: float, hi: float, count: int) -> np.ndarray:
    """`count` + 1 edges from lo to hi, interpolated without overflow (np.linspace
    computes hi - lo, infinite for lo = -1e308, hi = 1e308)."""
    t = np.linspace(0.0, 1.0, count + 1)
    edges = lo * (1.0 - t) + hi * t
    edges[0], edges[-1] = lo, hi
    return edges


def histogram_edges(samples: Sequence[np.ndarray], bins: int | Sequence[float] | None) -> np.ndarray:
    """Bin edges shared by every series of a merged histogram, so that bars of
    different models line up: explicit edges when given, else `bins` (default
    20) equal bins over the range of all finite samples."""
    if isinstance(bins, (list, tuple, np.ndarray)) and len(bins) >= 2:
        edges = np.asarray([_to_float(b) for b in bins], dtype=np.float64)
        edges = edges[np.isfinite(edges)]
        if edges.size >= 2 and bool(np.all(np.diff(edges) > 0)):
            return edges
    count = bins if isinstance(bins, int) and not isinstance(bins, bool) and bins > 0 else DEFAULT_HISTOGRAM_BINS
    count = min(count, MAX_HISTOGRAM_BINS)  # imports refuse more; a store written otherwise may hold more
    finite = [s[np.isfinite(s)] for s in samples]
    finite = [s for s in finite if s.size]
    if not finite:
        return np.array([0.0, 1.0])
    lo = min(float(s.min()) for s in finite)
    hi = max(float(s.max()) for s in finite)
    if lo == hi:
        # one value: a bin around it (relative near the float limits, where +-0.5 is lost)
        pad = max(0.5, abs(lo) * 2.0**-20)
        lo, hi = (lo - pad, hi + pad) if math.isfinite(hi + pad) and math.isfinite(lo - pad) else (
            (lo - 2 * pad, hi) if lo > 0 else (lo, hi + 2 * pad))
    edges = _spread(lo, hi, count)
    if not bool(np.all(np.diff(edges) > 0)):
        # a range only a few floats wide (subnormal values): fewer, distinct edges
        edges = np.unique(edges)
        if edges.size < 2:
            edges = np.array([lo, hi])
    return edges
