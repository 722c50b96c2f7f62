"""The chunk codec: a run of up to CHUNK_POINTS points of one series as numpy
arrays in BLOBs (iterations as a progression or int32/int64 deltas, values
float64, timestamps as int32/int64 millisecond offsets), plus the chunk's
extreme points, and the validation of points before they are written.
numpy is imported by the functions, never at module import (see the package
docstring)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..base import SourceError
from .errors import _Damage

if TYPE_CHECKING:
    import numpy as np

NO_TS = -(2**63)  # "no timestamp" in the int64 ms form (the smallest int64)

# One point of a chunk's `extremes` blob (after a one-byte flags header): a numpy dtype spec.
_EXTREME = [("it", "<i8"), ("v", "<f8"), ("ts", "<f8")]
_ALL_TS_KNOWN = 1  # flags bit: every point of the chunk has a timestamp


def _ts_to_ms(timestamps: np.ndarray) -> np.ndarray:
    import numpy as np

    ms = np.full(timestamps.shape, NO_TS, dtype=np.int64)
    ok = np.isfinite(timestamps)
    ms[ok] = np.round(timestamps[ok] * 1000.0).astype(np.int64)
    return ms


def _ms_to_ts(ms: np.ndarray) -> np.ndarray:
    import numpy as np

    out = ms.astype(np.float64) / 1000.0
    out[ms == NO_TS] = np.nan
    return out


def _encode_ints(a: np.ndarray, base: int) -> bytes:
    """Deltas from `base` as int32 when they fit (the usual case), else int64;
    the dtype is told by the blob's length per point at decode."""
    d = a - base
    if d.size == 0 or (d.min() >= -(2**31) and d.max() < 2**31):
        return d.astype("<i4").tobytes()
    return d.astype("<i8").tobytes()


def _decode_ints(blob: bytes, n: int, base: int) -> np.ndarray:
    import numpy as np

    if len(blob) == 4 * n:
        dtype = "<i4"
    elif len(blob) == 8 * n:
        dtype = "<i8"
    else:
        raise _Damage(f"a chunk's blob of {len(blob)} bytes does not hold {n} points")
    return np.frombuffer(blob, dtype=dtype).astype(np.int64) + base


_INT64 = 2**63


def _finite_extremes(v: np.ndarray) -> tuple[int, int] | None:
    """Positions of the first finite minimum and maximum (None: no finite value)."""
    import numpy as np

    finite = np.isfinite(v)
    if finite.all():
        return int(np.argmin(v)), int(np.argmax(v))
    if not finite.any():
        return None
    fi = np.flatnonzero(finite)
    return int(fi[int(np.argmin(v[fi]))]), int(fi[int(np.argmax(v[fi]))])


def _extremes_blob(it: np.ndarray, v: np.ndarray, ms: np.ndarray, minmax: tuple[int, int] | None = None) -> bytes:
    """The chunk's first, last, finite-min, finite-max, earliest and latest points
    (deduplicated, in iteration order): within one chart bucket they stand in for
    the whole chunk on either axis."""
    import numpy as np

    n = int(it.shape[0])
    picks = [0, n - 1]
    if minmax is None:
        minmax = _finite_extremes(v)
    if minmax is not None:
        picks.extend(minmax)
    # earliest = first point with the smallest timestamp, latest = last point with the
    # largest (a batch often shares one timestamp): what a stable sort by time puts
    # first and last
    known = ms != NO_TS
    all_known = bool(known.all())
    ki = np.arange(n) if all_known else np.flatnonzero(known)
    if ki.size:
        kms = ms[ki]
        picks.extend((int(ki[int(np.argmin(kms))]), int(ki[ki.size - 1 - int(np.argmax(kms[::-1]))])))
    sel = np.unique(np.asarray(picks, dtype=np.int64))
    rec = np.empty(sel.shape[0], dtype=_EXTREME)
    rec["it"] = it[sel]
    rec["v"] = v[sel]
    rec["ts"] = _ms_to_ts(ms[sel])
    return bytes((_ALL_TS_KNOWN if all_known else 0,)) + rec.tobytes()


def _encode_chunk(it: np.ndarray, v: np.ndarray, ms: np.ndarray) -> tuple:
    import numpy as np

    n = int(it.shape[0])
    first_iter = int(it[0])
    step = 0
    if n == 1:
        step = 1
    else:
        d = int(it[1]) - int(it[0])  # Python ints: a span of the whole int64 range must not overflow
        if 0 < d < 2**63 and bool(np.all(np.diff(it) == d)):
            step = d
    iters_blob = None if step > 0 else _encode_ints(it, first_iter)
    has_ts = ms != NO_TS
    min_ts: float | None
    max_ts: float | None
    if has_ts.all():
        # header b"\x01" + base ms (8 bytes), then int32/int64 deltas from the base
        ts_base = int(ms[0])
        ts_blob = b"\x01" + ts_base.to_bytes(8, "little", signed=True) + _encode_ints(ms, ts_base)
        min_ts, max_ts = float(ms.min()) / 1000.0, float(ms.max()) / 1000.0
    elif has_ts.any():
        # some timestamps missing: b"\x00" + absolute int64 ms with NO_TS for the missing
        ts_blob = b"\x00" + ms.astype("<i8").tobytes()
        min_ts, max_ts = float(ms[has_ts].min()) / 1000.0, float(ms[has_ts].max()) / 1000.0
    else:
        ts_blob = None
        min_ts = max_ts = None
    minmax = _finite_extremes(v)
    mn: float | None
    mn_it: int | None
    mx: float | None
    mx_it: int | None
    if minmax is not None:
        imin, imax = minmax
        mn, mn_it, mx, mx_it = float(v[imin]), int(it[imin]), float(v[imax]), int(it[imax])
    else:
        mn = mn_it = mx = mx_it = None
    return (
        n, first_iter, int(it[-1]), float(v[0]), float(v[-1]), mn, mn_it, mx, mx_it,
        min_ts, max_ts, step, iters_blob, v.astype("<f8").tobytes(), ts_blob,
        _extremes_blob(it, v, ms, minmax),
    )


def _decode_chunk(
    n: int, first_iter: int, step: int, iters_blob: bytes | None, vals_blob: bytes, ts_blob: bytes | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A chunk's points; _Damage when its row is not what _encode_chunk wrote
    (checked before any allocation: a flipped `n` must not allocate gigabytes)."""
    import numpy as np

    if type(n) is not int or type(first_iter) is not int or type(step) is not int or n < 1:
        raise _Damage(f"a chunk row has n={n!r}, first_iter={first_iter!r}, step={step!r}")
    if not isinstance(vals_blob, bytes) or len(vals_blob) != 8 * n:
        raise _Damage(f"a chunk's values blob does not hold its {n} points")
    if iters_blob is not None and not isinstance(iters_blob, bytes):
        raise _Damage("a chunk's iterations are not a blob")
    if ts_blob is not None and not isinstance(ts_blob, bytes):
        raise _Damage("a chunk's timestamps are not a blob")
    if step > 0:
        if not -_INT64 <= first_iter + step * (n - 1) < _INT64:
            raise _Damage("a chunk's iterations overflow")
        it = first_iter + step * np.arange(n, dtype=np.int64)
    else:
        it = _decode_ints(iters_blob or b"", n, first_iter)
        if n > 1 and not bool(np.all(it[1:] > it[:-1])):
            raise _Damage("a chunk's iterations are out of order")
    v = np.frombuffer(vals_blob, dtype="<f8").astype(np.float64)
    if ts_blob is None:
        ts = np.full(n, np.nan)
    elif ts_blob[:1] == b"\x00" and len(ts_blob) == 1 + 8 * n:
        ts = _ms_to_ts(np.frombuffer(ts_blob[1:], dtype="<i8").astype(np.int64))
    elif ts_blob[:1] == b"\x01" and len(ts_blob) >= 9:
        base = int.from_bytes(ts_blob[1:9], "little", signed=True)
        ts = _ms_to_ts(_decode_ints(ts_blob[9:], n, base))
    else:
        raise _Damage(f"a chunk's timestamps blob does not hold its {n} points")
    return it, v, ts


def _extremes_points(blob: Any) -> np.ndarray:
    """The records of a chunk's `extremes` blob (see _extremes_blob)."""
    import numpy as np

    if not isinstance(blob, bytes) or len(blob) < 1 + 24 or (len(blob) - 1) % 24:
        raise _Damage("a chunk's extremes blob is malformed")
    return np.frombuffer(blob, dtype=_EXTREME, offset=1)


def _prepare_points(
    where: str,
    iterations: Iterable[int] | np.ndarray,
    values: Iterable[float] | np.ndarray,
    timestamps: Iterable[float] | np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated arrays sorted by iteration, deduped (last reported wins), with
    timestamps as int64 ms (NO_TS where unknown; now when none are given)."""
    import numpy as np

    from ...core.downsample import dedupe_last_wins

    try:
        it = np.asarray(iterations, dtype=np.int64).ravel()
        v = np.asarray(values, dtype=np.float64).ravel()
        if timestamps is None:
            ts = np.full(it.shape, time.time())
        else:
            ts = np.asarray(timestamps, dtype=np.float64).ravel()
    except (TypeError, ValueError, OverflowError) as exc:
        raise SourceError(f"{where}: points are not numbers ({exc})") from None
    if not (it.shape == v.shape == ts.shape):
        raise SourceError(
            f"{where}: iterations, values and timestamps differ in length "
            f"({it.shape[0]}, {v.shape[0]}, {ts.shape[0]})"
        )
    if it.size > 1 and not bool(np.all(it[1:] >= it[:-1])):
        order = np.argsort(it, kind="stable")
        it, v, ts = it[order], v[order], ts[order]
    it, v, ts = dedupe_last_wins(it, v, ts)
    return it, v, _ts_to_ms(ts)
