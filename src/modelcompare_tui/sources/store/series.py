"""Scalar reads: series summaries, one series downsampled to chart buckets
(decoding only the chunks it must), whole series, single values."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ...core.model import ScalarSeries, ScalarSummary, SeriesData
from ..base import SourceError
from .codec import _ALL_TS_KNOWN, _decode_chunk, _extremes_points
from .connection import StoreConnection
from .errors import _Damage

if TYPE_CHECKING:
    import numpy as np


class ChunkRow(NamedTuple):
    """A chunk's statistics as series() reads them; with its points when it reads
    them in the same query (few chunks per bucket)."""

    no: int
    n: int
    first_iter: int
    last_iter: int
    min_ts: Any  # float; NULL for a chunk without timestamps (never read on the time axis)
    max_ts: Any
    extremes: Any  # bytes as written (checked where decoded)
    iter_step: Any = None
    iters: Any = None
    vals: Any = None
    ts: Any = None


def read_points(
    conn: sqlite3.Connection, sid: int, where: str = "1", params: Sequence[Any] = ()
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import numpy as np

    its, vs, tss = [], [], []
    for n, first_iter, step, ib, vb, tb in conn.execute(
        f"SELECT n, first_iter, iter_step, iters, vals, ts FROM chunks WHERE sid=? AND {where} ORDER BY no",
        (sid, *params),
    ):
        it, v, ts = _decode_chunk(n, first_iter, step, ib, vb, tb)
        its.append(it)
        vs.append(v)
        tss.append(ts)
    if not its:
        return np.empty(0, np.int64), np.empty(0, np.float64), np.empty(0, np.float64)
    if len(its) == 1:
        return its[0], vs[0], tss[0]
    return np.concatenate(its), np.concatenate(vs), np.concatenate(tss)


class SeriesReads(StoreConnection):
    """What the scalars tab and the charts ask of the store."""

    # -- scalars -------------------------------------------------------------------------
    def scalar_summaries(self, ids: Sequence[str]) -> dict[str, list[ScalarSummary]]:
        """From the series rows alone: O(series), whatever the number of points."""
        with self._reading() as conn:
            by_rowid, marks = self._models_in(conn, ids)
            out: dict[str, list[ScalarSummary]] = {i: [] for i in ids if i in by_rowid.values()}
            if not by_rowid:
                return out
            rows = conn.execute(
                f"""SELECT model, metric, variant, last_value, last_iter, min_value, min_iter,
                           max_value, max_iter, count, first_ts, last_ts
                    FROM series WHERE model IN ({marks}) AND count > 0 ORDER BY metric, variant""",
                list(by_rowid),
            ).fetchall()
            nan = float("nan")
            for model, metric, variant, last, *rest in rows:
                if type(metric) is not str or type(variant) is not str or not all(
                    x is None or type(x) in (int, float) for x in (last, *rest)
                ) or type(rest[5]) is not int:
                    raise _Damage(f"the summary of a series {metric!r}/{variant!r} is not numbers")
                # positional: ScalarSummary(metric, variant, last, last_iteration, min, min_iteration,
                # max, max_iteration, count, first_timestamp, last_timestamp)
                out[by_rowid[model]].append(ScalarSummary(metric, variant, nan if last is None else last, *rest))
        return out

    def _sid(self, conn: sqlite3.Connection, model_id: str, metric: str, variant: str) -> int | None:
        row = conn.execute(
            "SELECT s.sid FROM series s JOIN models m ON m.rowid = s.model WHERE m.id=? AND s.metric=? AND s.variant=?",
            (model_id, metric, variant),
        ).fetchone()
        return row[0] if row else None

    def _decode_chunks(self, conn: sqlite3.Connection, sid: int, nos: list[int]) -> dict[int, tuple]:
        out: dict[int, tuple] = {}
        for start in range(0, len(nos), 500):
            part = nos[start : start + 500]
            marks = ",".join("?" * len(part))
            for no, n, first_iter, step, ib, vb, tb in conn.execute(
                f"SELECT no, n, first_iter, iter_step, iters, vals, ts FROM chunks WHERE sid=? AND no IN ({marks})",
                (sid, *part),
            ):
                out[no] = _decode_chunk(n, first_iter, step, ib, vb, tb)
        return out

    def series(
        self,
        model_id: str,
        metric: str,
        variant: str,
        *,
        start: float | None = None,
        end: float | None = None,
        by: str = "iteration",
        buckets: int = 400,
    ) -> SeriesData:
        """See Source.series. On the time axis only points with a timestamp count.
        Reads the chunk statistics of the range, then decodes only the chunks that
        cross a bucket boundary or the range's ends; a chunk inside one bucket is
        represented by its extreme points, which is exactly what downsampling all of
        its points would keep. Memory is bounded by the buckets, not the points."""
        import numpy as np

        if by not in ("iteration", "time"):
            raise SourceError(f"series: by must be iteration or time, not {by!r}")
        buckets = max(1, int(buckets))
        empty = SeriesData(metric, variant, np.empty(0, np.int64), np.empty(0), np.empty(0), 0, False)
        lo = -np.inf if start is None else float(start)
        hi = np.inf if end is None else float(end)
        if lo > hi:
            return empty
        with self._reading() as conn:
            found = conn.execute(
                """SELECT s.sid, s.nchunks FROM series s JOIN models m ON m.rowid = s.model
                   WHERE m.id=? AND s.metric=? AND s.variant=?""",
                (model_id, metric, variant),
            ).fetchone()
            if found is None:
                return empty
            sid, nchunks = found
            # Few chunks per bucket (a chart of a series up to ~a million points): nearly
            # every chunk crosses a bucket boundary and is decoded anyway, so its points
            # come with the chunk statistics, in one query.
            eager = nchunks <= buckets
            sql_lo: float
            sql_hi: float
            if by == "iteration":
                sql_lo, sql_hi = int(max(lo, -(2**62))), int(min(hi, 2**62))
                where = "last_iter >= ? AND first_iter <= ?"
            else:
                sql_lo, sql_hi = float(max(lo, -1e300)), float(min(hi, 1e300))
                where = "max_ts >= ? AND min_ts <= ?"  # chunks without timestamps have NULLs: left out
            points = ", iter_step, iters, vals, ts" if eager else ""
            chunk_rows = [
                ChunkRow(*r)
                for r in conn.execute(
                    f"""SELECT no, n, first_iter, last_iter, min_ts, max_ts, extremes{points} FROM chunks
                        WHERE sid=? AND {where} ORDER BY no""",
                    (sid, sql_lo, sql_hi),
                )
            ]
            if not chunk_rows:
                return empty
            return self._series_from_chunks(conn, sid, metric, variant, chunk_rows, eager, by, lo, hi, buckets)

    def _series_from_chunks(
        self,
        conn: sqlite3.Connection,
        sid: int,
        metric: str,
        variant: str,
        chunk_rows: list[ChunkRow],
        eager: bool,
        by: str,
        lo: float,
        hi: float,
        buckets: int,
    ) -> SeriesData:
        import numpy as np

        from ...core.downsample import bucket_extremes_indices, downsample_indices

        time_axis = by == "time"

        def span(row: ChunkRow) -> tuple[float, float]:
            return (row.min_ts, row.max_ts) if time_axis else (row.first_iter, row.last_iter)

        def inside(row: ChunkRow) -> bool:
            # wholly in range, and (time axis) every point has a timestamp: its n points all count
            x_lo, x_hi = span(row)
            if time_axis and (row.extremes is None or not row.extremes[0] & _ALL_TS_KNOWN):
                return False
            return lo <= x_lo and x_hi <= hi

        whole = [inside(r) for r in chunk_rows]
        if eager:  # the rows carry their points (see series())
            raw = {r.no: _decode_chunk(r.n, r.first_iter, r.iter_step, r.iters, r.vals, r.ts) for r in chunk_rows}
        else:  # many chunks per bucket: decode only those that must be
            raw = self._decode_chunks(conn, sid, [r.no for r, w in zip(chunk_rows, whole) if not w])
        decoded: dict[int, tuple] = {}
        whole_nos = {r.no for r, w in zip(chunk_rows, whole) if w}
        for no, (it, v, ts) in raw.items():
            if no in whole_nos:
                decoded[no] = (it, v, ts)
                continue
            x = ts if time_axis else it
            mask = (x >= lo) & (x <= hi)
            decoded[no] = (it[mask], v[mask], ts[mask]) if not mask.all() else (it, v, ts)
        total = sum(r.n for r, w in zip(chunk_rows, whole) if w and r.no not in decoded)
        total += sum(d[0].shape[0] for d in decoded.values())
        if total == 0:
            return SeriesData(metric, variant, np.empty(0, np.int64), np.empty(0), np.empty(0), 0, False)
        # The range's first and last x: from the whole chunks' bounds and the decoded points.
        x_bounds = [span(r) for r, w in zip(chunk_rows, whole) if w and r.no not in decoded]
        for it, _v, ts in decoded.values():
            if it.shape[0]:
                if time_axis:
                    x_bounds.append((float(ts.min()), float(ts.max())))
                else:  # iterations are sorted within a chunk
                    x_bounds.append((float(it[0]), float(it[-1])))
        x0 = min(b[0] for b in x_bounds)
        x1 = max(b[1] for b in x_bounds)
        summarized = set()
        if total > 2 * buckets and x1 > x0:
            scale = buckets / (x1 - x0)
            for r, w in zip(chunk_rows, whole):
                if w and r.extremes is not None and r.no not in decoded:
                    # core.downsample.bucket_of's arithmetic, on two numbers
                    first, last = span(r)
                    if min(max(int((first - x0) * scale), 0), buckets - 1) == min(
                        max(int((last - x0) * scale), 0), buckets - 1
                    ):
                        summarized.add(r.no)
        rest = [r.no for r in chunk_rows if r.no not in summarized and r.no not in decoded]
        if rest:
            decoded.update(self._decode_chunks(conn, sid, rest))
        its: list[np.ndarray] = []
        vs: list[np.ndarray] = []
        tss: list[np.ndarray] = []
        for r in chunk_rows:
            if r.no in summarized:
                rec = _extremes_points(r.extremes)
                its.append(rec["it"])
                vs.append(rec["v"])
                tss.append(rec["ts"])
            else:
                it, v, ts = decoded[r.no]
                its.append(it)
                vs.append(v)
                tss.append(ts)
        it = np.concatenate(its).astype(np.int64, copy=False)
        v = np.concatenate(vs).astype(np.float64, copy=False)
        ts = np.concatenate(tss).astype(np.float64, copy=False)
        if time_axis:
            order = np.argsort(ts, kind="stable")
            it, v, ts = it[order], v[order], ts[order]
        x = ts if time_axis else it
        if summarized:
            # the candidates hold every bucket's first/min/max/last point: choose among them
            keep = bucket_extremes_indices(x, v, buckets)
        else:
            keep = downsample_indices(x, v, buckets)
        return SeriesData(metric, variant, it[keep], v[keep], ts[keep], total, keep.shape[0] < total)

    def read_series(self, model_id: str, metric: str, variant: str) -> ScalarSeries:
        """All points of one series (export; tests)."""
        with self._reading() as conn:
            sid = self._sid(conn, model_id, metric, variant)
            if sid is None:
                raise SourceError(f"model {model_id}: no series {metric}/{variant}")
            it, v, ts = read_points(conn, sid)
        return ScalarSeries(metric, variant, it, v, ts)

    def single_values(self, ids: Sequence[str]) -> dict[str, dict[str, float]]:
        with self._reading() as conn:
            by_rowid, marks = self._models_in(conn, ids)
            out: dict[str, dict[str, float]] = {i: {} for i in ids if i in by_rowid.values()}
            if not by_rowid:
                return out
            for model, name, value in conn.execute(
                f"SELECT model, name, value FROM single_values WHERE model IN ({marks}) ORDER BY name",
                list(by_rowid),
            ):
                if type(name) is not str or not (value is None or type(value) in (int, float)):
                    raise _Damage(f"a single value {name!r} is not a number")
                out[by_rowid[model]][name] = float("nan") if value is None else float(value)
        return out
