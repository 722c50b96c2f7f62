"""Writes: models (save, delete, whole-record imports), and points appended to
series. Appends write only new points: a batch becomes a new chunk and merges
with the trailing partial chunks no more than twice its size (a binary counter),
so a training loop's small flushes rewrite each point O(log) times, and the
series summary is updated from the new points alone."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ...core.display import display_line
from ...core.model import Model, ModelRecord, Plot
from ..base import SourceError
from .codec import NO_TS, _encode_chunk, _finite_extremes, _prepare_points, _ts_to_ms
from .connection import StoreConnection
from .schema import _DETAIL_FIELDS, TAG_SEP
from .series import read_points

if TYPE_CHECKING:
    import numpy as np

CHUNK_POINTS = 4096
TAIL_SCAN = 32  # trailing chunks looked at when an append merges partial chunks


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _none_if_nan(x: float | None) -> float | None:
    return None if x is None or x != x else x


class StoreWrites(StoreConnection):
    """What imports, the logging API and the app's edits write."""

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _model_params(m: Model) -> dict[str, Any]:
        for tag in m.tags:
            if not isinstance(tag, str):
                raise SourceError(f"model {m.id}: a tag must be text, not {type(tag).__name__}")
            if TAG_SEP in tag:
                # the tags column joins tags with it: such a tag would come back as two
                raise SourceError(
                    f"model {m.id}: tag {display_line(tag, 80)!r} holds the unit separator \\x1f, "
                    "which the store keeps between tags"
                )
        tags = [t for t in dict.fromkeys(m.tags) if t]
        return {
            "id": m.id,
            "name": m.name,
            "project": m.project,
            "framework": m.framework,
            "status": m.status,
            "tags": TAG_SEP.join(tags),
            "user": m.user,
            "created": m.created,
            "updated": m.updated,
            "comment": m.comment,
            "uri": m.uri,
            "task_id": m.task_id,
            "task_name": m.task_name,
            "parent": m.parent,
            "labels": json.dumps(m.labels, sort_keys=True),
            "metadata": json.dumps([{"key": i.key, "type": i.type, "value": i.value} for i in m.metadata]),
            "config_format": m.config.format if m.config else "",
            "config_text": m.config.text if m.config else None,
            "search_text": "\n".join([m.name, m.project, *tags]).lower(),
        }

    def _upsert_model(self, conn: sqlite3.Connection, m: Model, gen: int) -> int:
        if not m.created:
            m.created = _now_iso()
        if not m.updated:
            m.updated = m.created
        p = self._model_params(m)
        details = [p.pop(c) for c in _DETAIL_FIELDS]
        p["gen"] = gen
        cols = list(p)
        old = conn.execute("SELECT rowid, search_text FROM models WHERE id=?", (m.id,)).fetchone()
        conn.execute(
            f"INSERT INTO models ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)}) "
            f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c}=excluded.{c}' for c in cols if c != 'id')}",
            p,
        )
        if old is None:
            rowid = conn.execute("SELECT rowid FROM models WHERE id=?", (m.id,)).fetchone()[0]
            self._index_search_text(conn, rowid, None, p["search_text"])
        else:
            rowid, old_text = old
            self._index_search_text(conn, rowid, old_text, p["search_text"])
        conn.execute("INSERT OR REPLACE INTO model_details VALUES (?, ?, ?, ?, ?, ?, ?)", (rowid, *details))
        conn.execute("DELETE FROM model_tags WHERE model=?", (rowid,))
        conn.executemany(
            "INSERT OR IGNORE INTO model_tags VALUES (?, ?)", [(rowid, t) for t in m.tags if t]
        )
        return rowid

    def save_model(self, model: Model) -> Model:
        """Create or update a model's descriptive fields (not its scalars/plots)."""
        if not model.id:
            model.id = uuid.uuid4().hex
        with self._write() as conn:
            self._upsert_model(conn, model, self._generation(conn))
        return model

    def delete_models(self, ids: Sequence[str]) -> int:
        with self._write() as conn:
            rowids = self._model_rowids(conn, ids)
            for rowid in rowids.values():
                if self._search_table:
                    (text,) = conn.execute("SELECT search_text FROM models WHERE rowid=?", (rowid,)).fetchone()
                    self._index_search_text(conn, rowid, text, None)
                conn.execute("DELETE FROM models WHERE rowid=?", (rowid,))
        return len(rowids)

    def _index_search_text(self, conn: sqlite3.Connection, rowid: int, old: str | None, new: str | None) -> None:
        """Keep the search index in step with a model's search text (None: the
        model is new / is going). FTS5 needs the exact old text to remove it.
        Applied in order at the end of the write transaction: FTS5 writes its
        pending terms out at every later statement that may need undoing, which
        made an import of light models 2x slower when done model by model."""
        if self._search_table and old != new:
            self._local.search_updates.append((rowid, old, new))

    def _touch(self, conn: sqlite3.Connection, rowid: int, gen: int) -> None:
        conn.execute("UPDATE models SET gen=? WHERE rowid=?", (gen, rowid))

    def _require_rowid(self, conn: sqlite3.Connection, model_id: str) -> int:
        row = conn.execute("SELECT rowid FROM models WHERE id=?", (model_id,)).fetchone()
        if row is None:
            raise SourceError(f"unknown model {model_id!r}")
        return row[0]

    def add_scalars(
        self,
        model_id: str,
        metric: str,
        variant: str,
        iterations: Iterable[int] | np.ndarray,
        values: Iterable[float] | np.ndarray,
        timestamps: Iterable[float] | np.ndarray | None = None,
    ) -> None:
        """Append points to one series (the batch API). Iterations already stored
        are superseded by the new points. Timestamps are epoch seconds, kept to the
        millisecond; None stamps every point with the current time."""
        self.add_many(model_id, [(metric, variant, iterations, values, timestamps)])

    def add_many(self, model_id: str, batches: Sequence[tuple]) -> None:
        """Several series' points in one transaction: [(metric, variant, iters, values, ts|None)]."""
        prepared = [
            (metric, variant, _prepare_points(f"{metric}/{variant}", iterations, values, timestamps))
            for metric, variant, iterations, values, timestamps in batches
        ]
        with self._write() as conn:
            rowid = self._require_rowid(conn, model_id)
            gen = self._generation(conn)
            for metric, variant, points in prepared:
                self._append_points(conn, rowid, metric, variant, *points)
            self._touch(conn, rowid, gen)

    def _append_points(
        self, conn: sqlite3.Connection, rowid: int, metric: str, variant: str,
        it: np.ndarray, v: np.ndarray, ms: np.ndarray,
    ) -> None:
        """Write prepared points (sorted, deduped, ms timestamps) to one series."""
        import numpy as np

        if it.size == 0:
            return
        row = conn.execute(
            """SELECT sid, count, last_iter, min_value, min_iter, max_value, max_iter, first_ts, last_ts, nchunks
               FROM series WHERE model=? AND metric=? AND variant=?""",
            (rowid, metric, variant),
        ).fetchone()
        if row is None:
            sid = conn.execute(
                "INSERT INTO series (model, metric, variant) VALUES (?, ?, ?)", (rowid, metric, variant)
            ).lastrowid
            assert sid is not None  # sqlite3 sets lastrowid after every INSERT
            nchunks = self._write_chunks(conn, sid, 0, it, v, ms)
            self._store_summary(conn, sid, (0, None, None, None, None, None, None, None), it, v, ms, nchunks)
            return
        sid, count, last_iter, *old_summary, nchunks = row
        if last_iter is not None and int(it[0]) <= last_iter:
            self._merge_points(conn, sid, it, v, ms)
            return
        # A pure append. Merge the new points with the trailing partial chunks no more
        # than twice the size of what is being written (a binary counter): a series
        # fed by small flushes keeps O(log) partial chunks and rewrites each point
        # O(log) times, instead of rewriting a 4096-point tail on every flush.
        first_no = nchunks
        size = int(it.shape[0])
        for no, n in conn.execute(
            "SELECT no, n FROM chunks WHERE sid=? ORDER BY no DESC LIMIT ?", (sid, TAIL_SCAN)
        ):
            if n >= CHUNK_POINTS or n > 2 * size:
                break
            size += n
            first_no = no
        new_it, new_v, new_ms = it, v, ms
        if first_no < nchunks:
            t_it, t_v, t_ts = read_points(conn, sid, "no >= ?", (first_no,))
            it = np.concatenate((t_it, it))
            v = np.concatenate((t_v, v))
            ms = np.concatenate((_ts_to_ms(t_ts), ms))
            conn.execute("DELETE FROM chunks WHERE sid=? AND no >= ?", (sid, first_no))
        nchunks = first_no + self._write_chunks(conn, sid, first_no, it, v, ms)
        self._store_summary(conn, sid, (count, last_iter, *old_summary), new_it, new_v, new_ms, nchunks)

    def _merge_points(self, conn: sqlite3.Connection, sid: int, it: np.ndarray, v: np.ndarray, ms: np.ndarray) -> None:
        """A resume re-reports iterations: merge with the stored chunks from the first
        one the new points reach (and the trailing partial chunks), new points
        winning, rewrite them, and recompute the summary (superseded points may
        have been its Min or Max)."""
        import numpy as np

        from ...core.downsample import dedupe_last_wins

        first_no = conn.execute(
            "SELECT min(no) FROM chunks WHERE sid=? AND last_iter >= ?", (sid, int(it[0]))
        ).fetchone()[0]
        tail_start = first_no
        for no, n in conn.execute(
            "SELECT no, n FROM chunks WHERE sid=? ORDER BY no DESC LIMIT ?", (sid, TAIL_SCAN)
        ):
            if n >= CHUNK_POINTS:
                break
            tail_start = min(tail_start, no)
        first_no = tail_start
        old_it, old_v, old_ts = read_points(conn, sid, "no >= ?", (first_no,))
        all_it = np.concatenate((old_it, it))
        all_v = np.concatenate((old_v, v))
        all_ms = np.concatenate((_ts_to_ms(old_ts), ms))
        order = np.argsort(all_it, kind="stable")
        all_it, all_v, all_ms = dedupe_last_wins(all_it[order], all_v[order], all_ms[order])
        conn.execute("DELETE FROM chunks WHERE sid=? AND no >= ?", (sid, first_no))
        self._write_chunks(conn, sid, first_no, all_it, all_v, all_ms)
        self._refresh_series_summary(conn, sid)

    def _write_chunks(self, conn: sqlite3.Connection, sid: int, start_no: int, it, v, ms) -> int:
        """Chunks of CHUNK_POINTS points (the last may be partial); returns how many."""
        rows = []
        no = start_no
        for s in range(0, int(it.shape[0]), CHUNK_POINTS):
            e = s + CHUNK_POINTS
            rows.append((sid, no, *_encode_chunk(it[s:e], v[s:e], ms[s:e])))
            no += 1
        conn.executemany(
            """INSERT INTO chunks (sid, no, n, first_iter, last_iter, first_value, last_value,
                   min_value, min_iter, max_value, max_iter, min_ts, max_ts, iter_step, iters, vals, ts, extremes)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            rows,
        )
        return len(rows)

    @staticmethod
    def _store_summary(conn: sqlite3.Connection, sid: int, old: tuple, it, v, ms, nchunks: int) -> None:
        """Fold appended points (all after the stored ones) into the series summary:
        O(new points). On ties Min/Max keep the earliest iteration."""
        count, _last_iter, mn, mn_it, mx, mx_it, first_ts, last_ts = old
        minmax = _finite_extremes(v)
        if minmax is not None:
            imin, imax = minmax
            if mn is None or float(v[imin]) < mn:
                mn, mn_it = float(v[imin]), int(it[imin])
            if mx is None or float(v[imax]) > mx:
                mx, mx_it = float(v[imax]), int(it[imax])
        known = ms[ms != NO_TS]
        if known.size:
            lo, hi = float(known.min()) / 1000.0, float(known.max()) / 1000.0
            first_ts = lo if first_ts is None else min(first_ts, lo)
            last_ts = hi if last_ts is None else max(last_ts, hi)
        conn.execute(
            """UPDATE series SET count=?, last_iter=?, last_value=?, min_value=?, min_iter=?,
                   max_value=?, max_iter=?, first_ts=?, last_ts=?, nchunks=? WHERE sid=?""",
            (count + int(it.shape[0]), int(it[-1]), _none_if_nan(float(v[-1])), mn, mn_it, mx, mx_it,
             first_ts, last_ts, nchunks, sid),
        )

    def _refresh_series_summary(self, conn: sqlite3.Connection, sid: int) -> None:
        """Recompute a series' summary from its chunk statistics: O(chunks), not O(points)."""
        conn.execute(
            """UPDATE series SET
                 count = (SELECT coalesce(sum(n), 0) FROM chunks WHERE sid=:s),
                 nchunks = (SELECT coalesce(max(no) + 1, 0) FROM chunks WHERE sid=:s),
                 last_iter = (SELECT last_iter FROM chunks WHERE sid=:s ORDER BY no DESC LIMIT 1),
                 last_value = (SELECT last_value FROM chunks WHERE sid=:s ORDER BY no DESC LIMIT 1),
                 last_ts = (SELECT max(max_ts) FROM chunks WHERE sid=:s),
                 first_ts = (SELECT min(min_ts) FROM chunks WHERE sid=:s),
                 min_value = (SELECT min_value FROM chunks WHERE sid=:s AND min_value IS NOT NULL
                              ORDER BY min_value, no LIMIT 1),
                 min_iter = (SELECT min_iter FROM chunks WHERE sid=:s AND min_value IS NOT NULL
                             ORDER BY min_value, no LIMIT 1),
                 max_value = (SELECT max_value FROM chunks WHERE sid=:s AND max_value IS NOT NULL
                              ORDER BY max_value DESC, no LIMIT 1),
                 max_iter = (SELECT max_iter FROM chunks WHERE sid=:s AND max_value IS NOT NULL
                             ORDER BY max_value DESC, no LIMIT 1)
               WHERE sid=:s""",
            {"s": sid},
        )

    def set_single_values(self, model_id: str, values: dict[str, float]) -> None:
        rows = []
        for name, value in values.items():
            try:
                rows.append((name, float(value)))
            except (TypeError, ValueError):
                raise SourceError(f"single value {name!r}: not a number ({value!r})") from None
        with self._write() as conn:
            rowid = self._require_rowid(conn, model_id)
            conn.executemany("INSERT OR REPLACE INTO single_values VALUES (?, ?, ?)", [(rowid, *r) for r in rows])
            self._touch(conn, rowid, self._generation(conn))

    def add_plots(self, model_id: str, plots: Sequence[Plot]) -> None:
        with self._write() as conn:
            rowid = self._require_rowid(conn, model_id)
            self._insert_plots(conn, rowid, plots)
            self._touch(conn, rowid, self._generation(conn))

    @staticmethod
    def _insert_plots(conn: sqlite3.Connection, rowid: int, plots: Sequence[Plot]) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO plots VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (rowid, p.metric, p.variant, int(p.iteration), p.kind,
                 json.dumps(p.data, separators=(",", ":"), allow_nan=True),
                 p.timestamp if p.timestamp is not None else time.time())
                for p in plots
            ],
        )

    def import_records(self, records: Sequence[ModelRecord]) -> list[str]:
        """Write whole models in one transaction: all or nothing. A model whose id
        exists is replaced (its old scalars and plots are dropped)."""
        ids: list[str] = []
        with self._write() as conn:
            gen = self._generation(conn)
            for rec in records:
                m = rec.model
                if not m.id:
                    m.id = uuid.uuid4().hex
                existing = conn.execute("SELECT rowid FROM models WHERE id=?", (m.id,)).fetchone()
                if existing:
                    conn.execute("DELETE FROM series WHERE model=?", (existing[0],))
                    conn.execute("DELETE FROM plots WHERE model=?", (existing[0],))
                    conn.execute("DELETE FROM single_values WHERE model=?", (existing[0],))
                rowid = self._upsert_model(conn, m, gen)
                for s in rec.scalars:
                    points = _prepare_points(f"{m.id}: {s.metric}/{s.variant}", s.iterations, s.values, s.timestamps)
                    self._append_points(conn, rowid, s.metric, s.variant, *points)
                if rec.single_values:
                    conn.executemany(
                        "INSERT OR REPLACE INTO single_values VALUES (?, ?, ?)",
                        [(rowid, k, float(v)) for k, v in rec.single_values.items()],
                    )
                if rec.plots:
                    self._insert_plots(conn, rowid, rec.plots)
                ids.append(m.id)
        return ids
