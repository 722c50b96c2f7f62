"""Smoothing and x axes of the Scalars tab's Graph view (pure numpy).

Smoothing kinds and what `weight` means for each:

- ``ema``: TensorBoard's (and ClearML's) debiased exponential moving average,
  `weight` in [0, 1) the decay (0 = raw values; the UI offers up to 0.999).
  ``last = last * w + (1 - w) * v`` over the finite points, each output divided
  by ``1 - w ** k`` (k = finite points so far) so the start is not pulled
  towards 0. Non-finite points are passed through unchanged and skipped, so one
  NaN never poisons the rest of the line.
- ``running``: trailing mean over the last `window` points (a running average
  does not look ahead, like EMA).
- ``gaussian``: centred Gaussian-weighted mean, sigma = window / 4, kernel cut
  at +-2 sigma (so it spans about `window` points).

For ``running`` and ``gaussian``, `weight` is the window as a fraction of the
series' points: ``window = max(1, round(weight * n))`` — the same setting then
looks the same on a downsampled series as on the full one. Non-finite points
are left out of every mean (the weights are renormalised over the finite points
in the window, also at the edges) and passed through unchanged.

A series whose finite values are all equal comes back unchanged whatever the
kind: float rounding must not turn a flat line into a wobbly one.

Values over the full float range smooth without overflow: a series whose
magnitudes exceed 2**600 (~4e180) is scaled by an exact power of two first
(sums of many such values, and the EMA's block factors, would overflow).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, tzinfo

import numpy as np

from .model import SeriesData

__all__ = [
    "SMOOTHING_KINDS",
    "X_AXIS_MODES",
    "axis_ticks",
    "ema",
    "format_duration",
    "format_iteration",
    "format_wall_time",
    "log_safe",
    "smooth",
    "smoothing_window",
    "x_values",
]

SMOOTHING_KINDS = ("none", "ema", "running", "gaussian")
X_AXIS_MODES = ("iteration", "relative", "wall")

# A block of the vectorised EMA may scale values by up to w**-L; keep that
# factor below 1e100 so nothing overflows for values up to ~1e200.
_EMA_BLOCK_LOG = 100 * math.log(10)
# Above this many multiply-adds the Gaussian convolution goes through an FFT.
_DIRECT_CONVOLUTION_LIMIT = 2_000_000
# Above this magnitude values are scaled down (exactly, by a power of two) before smoothing.
_MAX_SMOOTHED_EXPONENT = 600


def smoothing_window(n: int, weight: float) -> int:
    """Window, in points, of running/gaussian smoothing of an `n`-point series."""
    return max(1, int(round(weight * n)))


def smooth(values: np.ndarray, kind: str = "none", weight: float = 0.0) -> np.ndarray:
    """A smoothed copy of `values` (float64, same length); see the module doc."""
    if kind not in SMOOTHING_KINDS:
        raise ValueError(f"smoothing {kind!r} is not one of {', '.join(SMOOTHING_KINDS)}")
    weight = float(weight)
    if not (0.0 <= weight < 1.0):
        raise ValueError(f"smoothing weight must be in [0, 1), not {weight}")
    out = np.array(values, dtype=np.float64, copy=True)
    if kind == "none" or weight == 0.0 or out.size < 2:
        return out
    finite = np.isfinite(out)
    fv = out[finite]
    if fv.size < 2 or bool(np.all(fv == fv[0])):
        return out
    top = float(np.max(np.abs(fv)))
    if top > 2.0**_MAX_SMOOTHED_EXPONENT:
        shift = _MAX_SMOOTHED_EXPONENT - math.frexp(top)[1]
        return np.ldexp(smooth(np.ldexp(out, shift), kind, weight), -shift)
    if kind == "ema":
        out[finite] = ema(fv, weight)
        return out
    window = smoothing_window(out.size, weight)
    if window <= 1:
        return out
    if kind == "running":
        out[finite] = _running_mean(out, finite, window)[finite]
    else:
        out[finite] = _gaussian_mean(out, finite, window)[finite]
    return out


def ema(values: np.ndarray, weight: float) -> np.ndarray:
    """Debiased EMA of finite `values`, vectorised.

    The recurrence ``s_k = w s_{k-1} + (1-w) v_k`` unrolls within a block that
    starts from state `s` to ``s_{b+i} = w^(i+1) s + (1-w) w^i cumsum(v_{b+m} w^-m)``;
    blocks are short enough that ``w^-m`` cannot overflow."""
    v = np.asarray(values, dtype=np.float64)
    n = v.size
    w = float(weight)
    if n == 0 or w == 0.0:
        return v.copy()
    block = max(1, int(_EMA_BLOCK_LOG / -math.log(w)))
    raw = np.empty(n)
    state = 0.0
    for start in range(0, n, block):
        chunk = v[start : start + block]
        m = np.arange(chunk.size, dtype=np.float64)
        grow = w ** -m  # w^-m
        decay = w**m  # w^i
        s = decay * w * state + (1.0 - w) * decay * np.cumsum(chunk * grow)
        raw[start : start + chunk.size] = s
        state = float(s[-1])
    debias = 1.0 - w ** np.arange(1, n + 1, dtype=np.float64)
    return raw / debias


def _running_mean(values: np.ndarray, finite: np.ndarray, window: int) -> np.ndarray:
    filled = np.where(finite, values, 0.0)
    csum = np.concatenate(([0.0], np.cumsum(filled)))
    ccount = np.concatenate(([0], np.cumsum(finite.astype(np.int64))))
    idx = np.arange(values.size)
    lo = np.maximum(0, idx + 1 - window)
    total = csum[idx + 1] - csum[lo]
    count = ccount[idx + 1] - ccount[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count  # count >= 1 at every finite position


def _gaussian_mean(values: np.ndarray, finite: np.ndarray, window: int) -> np.ndarray:
    sigma = window / 4.0
    half = max(1, int(math.ceil(2 * sigma)))
    offsets = np.arange(-half, half + 1, dtype=np.float64)
    kernel = np.exp(-0.5 * (offsets / sigma) ** 2)
    filled = np.where(finite, values, 0.0)
    mask = finite.astype(np.float64)
    total = _convolve_same(filled, kernel)
    weights = _convolve_same(mask, kernel)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / weights


def _convolve_same(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """`np.convolve(x, kernel, "same")` for an odd, symmetric kernel; through an
    FFT when the direct sum would be slow."""
    if x.size * kernel.size <= _DIRECT_CONVOLUTION_LIMIT:
        full = np.convolve(x, kernel, mode="full")
    else:
        size = x.size + kernel.size - 1
        nfft = 1 << (size - 1).bit_length()
        full = np.fft.irfft(np.fft.rfft(x, nfft) * np.fft.rfft(kernel, nfft), nfft)[:size]
    half = kernel.size // 2
    return full[half : half + x.size]


def log_safe(values: np.ndarray) -> np.ndarray:
    """Values for a log-scale axis: non-positive values become NaN (not drawn)
    instead of breaking the scale."""
    out = np.array(values, dtype=np.float64, copy=True)
    with np.errstate(invalid="ignore"):
        out[~(out > 0)] = np.nan
    return out


# -- x axis ------------------------------------------------------------------------------


def x_values(series: SeriesData, mode: str = "iteration", t0: float | None = None) -> np.ndarray:
    """The x coordinates of a series' points (float64; NaN where a time is unknown).

    iteration: the iteration numbers. wall: epoch seconds. relative: seconds
    since `t0`, the model's first timestamp — pass the minimum `first_timestamp`
    of the model's summaries so all its series share one origin; when None, the
    series' own first known timestamp is used."""
    if mode == "iteration":
        return np.asarray(series.iterations, dtype=np.float64).copy()
    if mode not in X_AXIS_MODES:
        raise ValueError(f"x axis {mode!r} is not one of {', '.join(X_AXIS_MODES)}")
    ts = np.asarray(series.timestamps, dtype=np.float64).copy()
    if mode == "wall":
        return ts
    if t0 is None:
        known = ts[np.isfinite(ts)]
        if known.size == 0:
            return ts
        t0 = float(known.min())
    return ts - float(t0)


def format_iteration(value: float) -> str:
    """Compact iteration tick text: 950, 1.5k, 20k, 1.2M."""
    if not math.isfinite(value):
        return ""
    a = abs(value)
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= scale:
            text = f"{value / scale:.1f}".rstrip("0").rstrip(".")
            return text + suffix
    if value == int(value):
        return str(int(value))
    return f"{value:.3g}"


def format_duration(seconds: float) -> str:
    """Relative-time tick text: 0s, 45s, 2m30s, 1h05m, 3d04h. Negative values get
    a minus sign."""
    if not math.isfinite(seconds):
        return ""
    sign = "-" if seconds < 0 else ""
    s = abs(seconds)
    if s < 60:
        text = f"{s:.1f}".rstrip("0").rstrip(".") if s < 10 and s != int(s) else f"{int(round(s))}"
        return f"{sign}{text}s"
    total = int(round(s))
    days, rem = divmod(total, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    if days:
        return f"{sign}{days}d{hours:02d}h" if hours else f"{sign}{days}d"
    if hours:
        return f"{sign}{hours}h{minutes:02d}m" if minutes else f"{sign}{hours}h"
    return f"{sign}{minutes}m{secs:02d}s" if secs else f"{sign}{minutes}m"


def format_wall_time(epoch: float, span: float, tz: tzinfo | None = None) -> str:
    """Wall-time tick text, as detailed as the visible `span` (seconds) needs:
    HH:MM:SS under 10 minutes, HH:MM under a day, MM-DD HH:MM under a week,
    YYYY-MM-DD beyond. `tz` None = the machine's local time zone."""
    if not math.isfinite(epoch):
        return ""
    moment = datetime.fromtimestamp(epoch, tz or UTC)
    if tz is None:
        moment = moment.astimezone()
    if span < 600:
        return moment.strftime("%H:%M:%S")
    if span < 86400:
        return moment.strftime("%H:%M")
    if span < 7 * 86400:
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime("%Y-%m-%d")


_TIME_STEPS = (
    1, 2, 5, 10, 15, 30,
    60, 120, 300, 600, 900, 1800,
    3600, 7200, 10800, 21600, 43200,
    86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 91 * 86400, 365 * 86400,
)  # fmt: skip


def _nice_number_step(span: float, count: int) -> float:
    raw = span / max(1, count)
    mag = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * mag:
            return mult * mag
    return 10 * mag


def axis_ticks(
    lo: float, hi: float, mode: str = "iteration", count: int = 5, tz: tzinfo | None = None
) -> list[tuple[float, str]]:
    """About `count` evenly spaced, round tick positions in [lo, hi] with their
    labels for an x axis in `mode`: round numbers for iterations, round
    durations (1s … 1y) for relative time, and for wall time round durations
    aligned to the time zone's midnight."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        label = {"iteration": format_iteration, "relative": format_duration}.get(mode)
        text = label(lo) if label else format_wall_time(lo, 0.0, tz)
        return [(lo, text)]
    span = hi - lo
    offset = 0.0
    if mode == "iteration":
        step = _nice_number_step(span, count)
        step = max(step, 1.0)  # iterations are integers
    else:
        raw = span / max(1, count)
        step = next((s for s in _TIME_STEPS if s >= raw), None) or _nice_number_step(span, count)
        if mode == "wall":
            zone = tz or datetime.fromtimestamp(lo).astimezone().tzinfo
            delta = datetime.fromtimestamp(lo, UTC).astimezone(zone).utcoffset()
            offset = delta.total_seconds() if delta else 0.0
    first = math.ceil((lo + offset) / step) * step - offset
    ticks = []
    k = 0
    while True:
        pos = first + k * step
        if pos > hi + step * 1e-9:
            break
        if mode == "iteration":
            text = format_iteration(pos)
        elif mode == "relative":
            text = format_duration(pos)
        else:
            text = format_wall_time(pos, span, tz)
        ticks.append((float(pos), text))
        k += 1
    return ticks
