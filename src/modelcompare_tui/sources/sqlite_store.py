"""The embedded model store: one SQLite file in WAL mode.

Layout choices, each for a speed target of the foundation issue:
- scalar points live in chunks of up to CHUNK_POINTS points per series, as
  numpy arrays in BLOBs (iterations as a progression or int32/int64 deltas,
  values float64, timestamps as int32/int64 millisecond offsets): ~12–16 bytes
  a point, and a chart reads only the chunks of its range;
- each chunk row carries its first/last/min/max, and each series row its
  Last/Min/Max/count, kept up to date on write: summaries cost O(series),
  and downsampling a long range reads chunk statistics instead of points;
- a write generation counter (meta table, and per model) is the change token.
Each thread gets its own connection (Textual workers read from threads while
a training process may write from another process).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..core.downsample import dedupe_last_wins, downsample_indices
from ..core.model import (
    CATEGORICAL_COLUMNS,
    MODEL_COLUMNS,
    Config,
    MetadataItem,
    Model,
    ModelPage,
    ModelQuery,
    ModelRecord,
    ModelRow,
    Plot,
    ScalarSeries,
    ScalarSummary,
    SeriesData,
)
from .base import Source, SourceError

CHUNK_POINTS = 4096
SCHEMA_VERSION = 1
TAG_SEP = "\x1f"
NO_TS = np.iinfo(np.int64).min  # "no timestamp" in the int64 ms form

_MODEL_FIELDS = (
    "id", "name", "project", "framework", "status", "tags", "user", "created", "updated",
    "comment", "uri", "task_id", "task_name", "parent", "labels", "metadata",
    "config_format", "config_text",
)

_SCHEMA_V1 = """
CREATE TABLE models (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    project TEXT NOT NULL DEFAULT '',
    framework TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft',
    tags TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    uri TEXT NOT NULL DEFAULT '',
    task_id TEXT NOT NULL DEFAULT '',
    task_name TEXT NOT NULL DEFAULT '',
    parent TEXT NOT NULL DEFAULT '',
    labels TEXT NOT NULL DEFAULT '{}',
    metadata TEXT NOT NULL DEFAULT '[]',
    config_format TEXT NOT NULL DEFAULT '',
    config_text TEXT,
    search_text TEXT NOT NULL DEFAULT '',
    gen INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX models_name ON models(name COLLATE NOCASE, rowid);
CREATE INDEX models_project ON models(project, rowid);
CREATE INDEX models_framework ON models(framework, rowid);
CREATE INDEX models_status ON models(status, rowid);
CREATE INDEX models_tags ON models(tags, rowid);
CREATE INDEX models_user ON models(user, rowid);
CREATE INDEX models_created ON models(created, rowid);
CREATE INDEX models_updated ON models(updated, rowid);
CREATE INDEX models_parent ON models(parent);
CREATE INDEX models_gen ON models(gen);
CREATE TABLE model_tags (
    model INTEGER NOT NULL REFERENCES models(rowid) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (model, tag)
) WITHOUT ROWID;
CREATE INDEX model_tags_tag ON model_tags(tag, model);
CREATE TABLE series (
    sid INTEGER PRIMARY KEY,
    model INTEGER NOT NULL REFERENCES models(rowid) ON DELETE CASCADE,
    metric TEXT NOT NULL,
    variant TEXT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    last_iter INTEGER, last_value REAL, last_ts REAL,
    min_value REAL, min_iter INTEGER,
    max_value REAL, max_iter INTEGER,
    first_ts REAL,
    nchunks INTEGER NOT NULL DEFAULT 0,
    UNIQUE (model, metric, variant)
);
CREATE TABLE chunks (
    sid INTEGER NOT NULL REFERENCES series(sid) ON DELETE CASCADE,
    no INTEGER NOT NULL,
    n INTEGER NOT NULL,
    first_iter INTEGER NOT NULL, last_iter INTEGER NOT NULL,
    first_value REAL, last_value REAL,
    min_value REAL, min_iter INTEGER, max_value REAL, max_iter INTEGER,
    min_ts REAL, max_ts REAL,
    iter_step INTEGER NOT NULL,  -- >0: iterations are first_iter + k*step (no blob)
    iters BLOB, vals BLOB NOT NULL, ts BLOB,
    PRIMARY KEY (sid, no)
) WITHOUT ROWID;
CREATE TABLE single_values (
    model INTEGER NOT NULL REFERENCES models(rowid) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (model, name)
) WITHOUT ROWID;
CREATE TABLE plots (
    model INTEGER NOT NULL REFERENCES models(rowid) ON DELETE CASCADE,
    metric TEXT NOT NULL,
    variant TEXT NOT NULL,
    iteration INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    ts REAL,
    PRIMARY KEY (model, metric, variant, iteration)
) WITHOUT ROWID;
"""

# Each entry migrates from version i to i+1 (index 0: empty file -> v1).
MIGRATIONS: list[str] = [_SCHEMA_V1]


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# --------------------------------------------------------------------------
# chunk encoding
# --------------------------------------------------------------------------


def _ts_to_ms(timestamps: np.ndarray) -> np.ndarray:
    ms = np.full(timestamps.shape, NO_TS, dtype=np.int64)
    ok = np.isfinite(timestamps)
    ms[ok] = np.round(timestamps[ok] * 1000.0).astype(np.int64)
    return ms


def _ms_to_ts(ms: np.ndarray) -> np.ndarray:
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
    dtype = "<i4" if len(blob) == 4 * n else "<i8"
    return np.frombuffer(blob, dtype=dtype).astype(np.int64) + base


def _encode_chunk(it: np.ndarray, v: np.ndarray, ms: np.ndarray) -> tuple:
    n = int(it.shape[0])
    first_iter = int(it[0])
    step = 0
    if n == 1:
        step = 1
    else:
        d = int(it[1] - it[0])
        if d > 0 and bool(np.all(np.diff(it) == d)):
            step = d
    iters_blob = None if step > 0 else _encode_ints(it, first_iter)
    has_ts = ms != NO_TS
    if has_ts.any():
        ts_base = int(ms[has_ts][0])
        # keep NO_TS as a sentinel relative value: encode absent as int64 min - base would overflow,
        # so absent timestamps are stored as an explicit mask-free int64 path
        if has_ts.all():
            ts_blob = _encode_ints(ms, ts_base)
        else:
            ts_blob = b"\x00" + ms.astype("<i8").tobytes()
            ts_base = None
        min_ts = float(ms[has_ts].min()) / 1000.0
        max_ts = float(ms[has_ts].max()) / 1000.0
    else:
        ts_blob = None
        ts_base = None
        min_ts = max_ts = None
    finite = np.isfinite(v)
    if finite.any():
        fi = np.flatnonzero(finite)
        imin = int(fi[int(np.argmin(v[fi]))])
        imax = int(fi[int(np.argmax(v[fi]))])
        mn, mn_it, mx, mx_it = float(v[imin]), int(it[imin]), float(v[imax]), int(it[imax])
    else:
        mn = mn_it = mx = mx_it = None
    # ts blob header: base ms (8 bytes) so that decode needs no extra column
    if ts_blob is not None and ts_base is not None:
        ts_blob = b"\x01" + int(ts_base).to_bytes(8, "little", signed=True) + ts_blob
    return (
        n, first_iter, int(it[-1]), float(v[0]), float(v[-1]), mn, mn_it, mx, mx_it,
        min_ts, max_ts, step, iters_blob, v.astype("<f8").tobytes(), ts_blob,
    )


def _decode_chunk(
    n: int, first_iter: int, step: int, iters_blob: bytes | None, vals_blob: bytes, ts_blob: bytes | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if step > 0:
        it = first_iter + step * np.arange(n, dtype=np.int64)
    else:
        it = _decode_ints(iters_blob or b"", n, first_iter)
    v = np.frombuffer(vals_blob, dtype="<f8").astype(np.float64)
    if ts_blob is None:
        ts = np.full(n, np.nan)
    elif ts_blob[:1] == b"\x00":
        ts = _ms_to_ts(np.frombuffer(ts_blob[1:], dtype="<i8").astype(np.int64))
    else:
        base = int.from_bytes(ts_blob[1:9], "little", signed=True)
        ts = _ms_to_ts(_decode_ints(ts_blob[9:], n, base))
    return it, v, ts


def _none_if_nan(x: float | None) -> float | None:
    return None if x is None or x != x else x


# --------------------------------------------------------------------------
# the store
# --------------------------------------------------------------------------


def default_store_path() -> Path:
    env = os.environ.get("MODELCOMPARE_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("modelcompare", appauthor=False)) / "models.db"


class SQLiteStore(Source):
    read_only = False

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        self.path = Path(path).expanduser().resolve()
        self.uri = str(self.path)
        if not self.path.exists():
            if not create:
                raise SourceError(f"{self.path}: no such store")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SourceError(f"{self.path}: cannot create store ({exc.strerror})") from None
        elif self.path.is_dir():
            raise SourceError(f"{self.path}: is a directory, not a store file")
        self._local = threading.local()
        self._lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._migrate()

    # -- connections ----------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA cache_size=-32000")
        except sqlite3.DatabaseError as exc:
            raise SourceError(f"{self.path}: not a modelcompare store ({exc})") from None
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()
        self._local = threading.local()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; bumps the generation (the change token)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _generation(self, conn: sqlite3.Connection) -> int:
        return int(conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()[0]) + 1

    def _migrate(self) -> None:
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                has_meta = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
                ).fetchone()
                if has_meta is None:
                    others = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                    if others:
                        raise SourceError(f"{self.path}: an SQLite file, but not a modelcompare store")
                    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
                    conn.execute("INSERT INTO meta VALUES ('schema_version', 0), ('generation', 0)")
                    version = 0
                else:
                    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
                    version = int(row[0]) if row else 0
                if version > SCHEMA_VERSION:
                    raise SourceError(
                        f"{self.path}: store schema v{version} is newer than this modelcompare (v{SCHEMA_VERSION}); upgrade modelcompare"
                    )
                for step in range(version, SCHEMA_VERSION):
                    for statement in MIGRATIONS[step].split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    conn.execute("UPDATE meta SET value=? WHERE key='schema_version'", (step + 1,))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            self.close()
            raise SourceError(f"{self.path}: not a modelcompare store ({exc})") from None
        except SourceError:
            self.close()
            raise

    # -- change token -----------------------------------------------------------
    def change_token(self) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return str(row[0])

    def changed_models(self, token: str, ids: Sequence[str]) -> list[str]:
        """Which of `ids` changed after `token` was taken."""
        try:
            since = int(token)
        except ValueError:
            return list(ids)
        q = ",".join("?" * len(ids))
        rows = self.conn.execute(f"SELECT id FROM models WHERE gen > ? AND id IN ({q})", (since, *ids))
        return [r[0] for r in rows]

    # -- models table -------------------------------------------------------------
    def _where(self, query: ModelQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if query.search:
            clauses.append("instr(m.search_text, ?) > 0")
            params.append(query.search.lower())
        for column, values in query.filters:
            if column not in CATEGORICAL_COLUMNS and column not in MODEL_COLUMNS:
                raise SourceError(f"unknown column {column!r}")
            if not values:
                continue
            marks = ",".join("?" * len(values))
            if column == "tags":
                clauses.append(
                    f"EXISTS (SELECT 1 FROM model_tags t WHERE t.model = m.rowid AND t.tag IN ({marks}))"
                )
            else:
                clauses.append(f"m.{column} IN ({marks})")
            params.extend(values)
        for column, low, high in query.ranges:
            if column not in MODEL_COLUMNS:
                raise SourceError(f"unknown column {column!r}")
            if low:
                clauses.append(f"m.{column} >= ?")
                params.append(low)
            if high:
                # an inclusive upper bound: "2026-01-31" includes that whole day
                clauses.append(f"m.{column} <= ?")
                params.append(high + "\U0010ffff")
        for column, text in query.text_filters:
            if column not in MODEL_COLUMNS:
                raise SourceError(f"unknown column {column!r}")
            if text:
                clauses.append(f"instr(lower(m.{column}), ?) > 0")
                params.append(text.lower())
        return (" AND ".join(clauses) if clauses else "1"), params

    _ROW_COLUMNS = "m.id, m.name, m.project, m.framework, m.status, m.tags, m.user, m.created, m.updated"

    @staticmethod
    def _row(r: Sequence[Any]) -> ModelRow:
        tags = tuple(t for t in r[5].split(TAG_SEP) if t) if r[5] else ()
        return ModelRow(r[0], r[1], r[2], r[3], r[4], tags, r[6], r[7], r[8])

    def list_models(self, query: ModelQuery) -> ModelPage:
        where, params = self._where(query)
        if query.sort is not None:
            column, desc = query.sort
            if column not in MODEL_COLUMNS:
                raise SourceError(f"unknown column {column!r}")
            direction = "DESC" if desc else "ASC"
            collate = " COLLATE NOCASE" if column == "name" else ""
            order = f"m.{column}{collate} {direction}, m.rowid {direction}"
        else:
            order = "m.updated DESC, m.rowid DESC"
        conn = self.conn
        pinned_rows: list[ModelRow] = []
        if query.pinned:
            marks = ",".join("?" * len(query.pinned))
            found = {
                r[0]: self._row(r)
                for r in conn.execute(
                    f"SELECT {self._ROW_COLUMNS} FROM models m WHERE m.id IN ({marks})", query.pinned
                )
            }
            pinned_rows = [found[i] for i in query.pinned if i in found]
            where = f"({where}) AND m.id NOT IN ({marks})"
            params = [*params, *query.pinned]
        total = conn.execute(f"SELECT count(*) FROM models m WHERE {where}", params).fetchone()[0]
        offset = max(0, query.offset)
        limit = max(0, query.limit)
        rows: list[ModelRow] = []
        if offset < len(pinned_rows):
            rows.extend(pinned_rows[offset : offset + limit])
        rest_offset = max(0, offset - len(pinned_rows))
        rest_limit = limit - len(rows)
        if rest_limit > 0:
            rows.extend(
                self._row(r)
                for r in conn.execute(
                    f"SELECT {self._ROW_COLUMNS} FROM models m WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                    (*params, rest_limit, rest_offset),
                )
            )
        return ModelPage(rows=rows, total=total + len(pinned_rows), offset=offset)

    def distinct_values(self, column: str, limit: int = 500) -> list[tuple[str, int]]:
        if column == "tags":
            sql = "SELECT tag, count(*) FROM model_tags GROUP BY tag ORDER BY count(*) DESC, tag LIMIT ?"
        elif column in MODEL_COLUMNS:
            sql = f"SELECT {column}, count(*) FROM models GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT ?"
        else:
            raise SourceError(f"unknown column {column!r}")
        return [(r[0], r[1]) for r in self.conn.execute(sql, (limit,))]

    def count_models(self) -> int:
        return self.conn.execute("SELECT count(*) FROM models").fetchone()[0]

    # -- details ---------------------------------------------------------------------
    def get_models(self, ids: Sequence[str]) -> list[Model]:
        if not ids:
            return []
        conn = self.conn
        found: dict[str, Model] = {}
        for chunk_start in range(0, len(ids), 500):
            part = list(ids[chunk_start : chunk_start + 500])
            marks = ",".join("?" * len(part))
            for r in conn.execute(
                f"SELECT {', '.join(_MODEL_FIELDS)} FROM models WHERE id IN ({marks})", part
            ):
                found[r[0]] = self._model_from_row(r)
            for parent, child in conn.execute(
                f"SELECT parent, id FROM models WHERE parent IN ({marks}) ORDER BY created, id", part
            ):
                if parent in found:
                    found[parent].children.append(child)
        return [found[i] for i in ids if i in found]

    @staticmethod
    def _model_from_row(r: Sequence[Any]) -> Model:
        d = dict(zip(_MODEL_FIELDS, r))
        config = Config(d["config_format"], d["config_text"]) if d["config_text"] is not None else None
        return Model(
            id=d["id"],
            name=d["name"],
            project=d["project"],
            framework=d["framework"],
            status=d["status"],
            tags=[t for t in d["tags"].split(TAG_SEP) if t],
            user=d["user"],
            created=d["created"],
            updated=d["updated"],
            comment=d["comment"],
            uri=d["uri"],
            task_id=d["task_id"],
            task_name=d["task_name"],
            parent=d["parent"],
            labels=json.loads(d["labels"]),
            metadata=[MetadataItem(**m) for m in json.loads(d["metadata"])],
            config=config,
        )

    def _model_rowids(self, conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            marks = ",".join("?" * len(part))
            out.update(conn.execute(f"SELECT id, rowid FROM models WHERE id IN ({marks})", part).fetchall())
        return out

    # -- scalars -------------------------------------------------------------------------
    def scalar_summaries(self, ids: Sequence[str]) -> dict[str, list[ScalarSummary]]:
        conn = self.conn
        rowids = self._model_rowids(conn, ids)
        out: dict[str, list[ScalarSummary]] = {i: [] for i in ids if i in rowids}
        if not rowids:
            return out
        by_rowid = {v: k for k, v in rowids.items()}
        marks = ",".join("?" * len(by_rowid))
        for r in conn.execute(
            f"""SELECT model, metric, variant, last_value, last_iter, min_value, min_iter,
                       max_value, max_iter, count, first_ts, last_ts
                FROM series WHERE model IN ({marks}) AND count > 0 ORDER BY metric, variant""",
            list(by_rowid),
        ):
            out[by_rowid[r[0]]].append(
                ScalarSummary(
                    metric=r[1], variant=r[2],
                    last=float("nan") if r[3] is None else r[3], last_iteration=r[4],
                    min=r[5], min_iteration=r[6], max=r[7], max_iteration=r[8], count=r[9],
                    first_timestamp=r[10], last_timestamp=r[11],
                )
            )
        return out

    def _sid(self, conn: sqlite3.Connection, model_id: str, metric: str, variant: str) -> int | None:
        row = conn.execute(
            "SELECT s.sid FROM series s JOIN models m ON m.rowid = s.model WHERE m.id=? AND s.metric=? AND s.variant=?",
            (model_id, metric, variant),
        ).fetchone()
        return row[0] if row else None

    def _read_points(
        self, conn: sqlite3.Connection, sid: int, where: str = "1", params: Sequence[Any] = ()
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
        return np.concatenate(its), np.concatenate(vs), np.concatenate(tss)

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
        if by not in ("iteration", "time"):
            raise SourceError(f"series: by must be iteration or time, not {by!r}")
        conn = self.conn
        empty = SeriesData(metric, variant, np.empty(0, np.int64), np.empty(0), np.empty(0), 0, False)
        sid = self._sid(conn, model_id, metric, variant)
        if sid is None:
            return empty
        lo = -np.inf if start is None else start
        hi = np.inf if end is None else end
        if by == "iteration":
            where, params = "last_iter >= ? AND first_iter <= ?", (
                int(max(lo, -(2**62))), int(min(hi, 2**62)))
        else:
            where, params = "(max_ts IS NULL OR max_ts >= ?) AND (min_ts IS NULL OR min_ts <= ?)", (
                float(max(lo, -1e300)), float(min(hi, 1e300)))
        chunk_rows = conn.execute(
            f"""SELECT no, n, first_iter, last_iter, first_value, last_value, min_value, min_iter,
                       max_value, max_iter, min_ts, max_ts FROM chunks WHERE sid=? AND {where} ORDER BY no""",
            (sid, *params),
        ).fetchall()
        if not chunk_rows:
            return empty
        total_estimate = sum(r[1] for r in chunk_rows)
        if by == "iteration" and len(chunk_rows) > 4 * max(1, buckets):
            # Long range: chunk statistics stand in for the chunks fully inside it
            # (each as its first, min, max and last point); only the two edge chunks
            # are decoded. The picture is the same at this bucket count.
            return self._series_from_chunk_stats(conn, sid, metric, variant, chunk_rows, lo, hi, buckets)
        it, v, ts = self._read_points(conn, sid, where, params)
        x = it if by == "iteration" else ts
        mask = (x >= lo) & (x <= hi)
        if not mask.all():
            it, v, ts = it[mask], v[mask], ts[mask]
        total = int(it.shape[0])
        if by == "time":
            order = np.argsort(ts, kind="stable")
            it, v, ts = it[order], v[order], ts[order]
            x = ts
        else:
            x = it
        keep = downsample_indices(x, v, buckets)
        downsampled = keep.shape[0] < total
        del total_estimate
        return SeriesData(metric, variant, it[keep], v[keep], ts[keep], total, downsampled)

    def _series_from_chunk_stats(self, conn, sid, metric, variant, chunk_rows, lo, hi, buckets) -> SeriesData:
        its: list[np.ndarray] = []
        vs: list[np.ndarray] = []
        total = 0
        edge_nos = {chunk_rows[0][0], chunk_rows[-1][0]}
        for row in chunk_rows:
            no, n, fi, li, fv, lv, mnv, mni, mxv, mxi, _mnt, _mxt = row
            if no in edge_nos and (fi < lo or li > hi):
                it, v, _ts = self._read_points(conn, sid, "no = ?", (no,))
                mask = (it >= lo) & (it <= hi)
                it, v = it[mask], v[mask]
                total += int(it.shape[0])
                if it.size:
                    keep = downsample_indices(it, v, 2)
                    its.append(it[keep])
                    vs.append(v[keep])
                continue
            total += n
            pts = {fi: fv, li: lv}
            if mni is not None:
                pts[mni] = mnv
                pts[mxi] = mxv
            order = sorted(pts)
            its.append(np.array(order, dtype=np.int64))
            vs.append(np.array([pts[k] if pts[k] is not None else np.nan for k in order], dtype=np.float64))
        it = np.concatenate(its)
        v = np.concatenate(vs)
        keep = downsample_indices(it, v, buckets)
        # timestamps are not kept in chunk statistics; interpolate from chunk time bounds is not
        # worth it: a time-axis chart asks with by="time".
        ts = np.full(keep.shape[0], np.nan)
        return SeriesData(metric, variant, it[keep], v[keep], ts, total, True)

    def read_series(self, model_id: str, metric: str, variant: str) -> ScalarSeries:
        """All points of one series (export; tests)."""
        conn = self.conn
        sid = self._sid(conn, model_id, metric, variant)
        if sid is None:
            raise SourceError(f"model {model_id}: no series {metric}/{variant}")
        it, v, ts = self._read_points(conn, sid)
        return ScalarSeries(metric, variant, it, v, ts)

    def single_values(self, ids: Sequence[str]) -> dict[str, dict[str, float]]:
        conn = self.conn
        rowids = self._model_rowids(conn, ids)
        out: dict[str, dict[str, float]] = {i: {} for i in ids if i in rowids}
        if not rowids:
            return out
        by_rowid = {v: k for k, v in rowids.items()}
        marks = ",".join("?" * len(by_rowid))
        for model, name, value in conn.execute(
            f"SELECT model, name, value FROM single_values WHERE model IN ({marks}) ORDER BY name", list(by_rowid)
        ):
            out[by_rowid[model]][name] = float("nan") if value is None else value
        return out

    # -- plots ---------------------------------------------------------------------------
    def plots(self, ids: Sequence[str], iteration: int | None = None) -> dict[str, list[Plot]]:
        conn = self.conn
        rowids = self._model_rowids(conn, ids)
        out: dict[str, list[Plot]] = {i: [] for i in ids if i in rowids}
        if not rowids:
            return out
        by_rowid = {v: k for k, v in rowids.items()}
        marks = ",".join("?" * len(by_rowid))
        limit_it = 2**62 if iteration is None else int(iteration)
        # SQLite's bare-column rule: with max(), the other columns come from the max row
        for model, metric, variant, it, kind, data, ts in conn.execute(
            f"""SELECT model, metric, variant, max(iteration), kind, data, ts FROM plots
                WHERE model IN ({marks}) AND iteration <= ?
                GROUP BY model, metric, variant ORDER BY metric, variant""",
            (*by_rowid, limit_it),
        ):
            out[by_rowid[model]].append(Plot(metric, variant, it, kind, json.loads(data), ts))
        return out

    def plot_iterations(self, ids: Sequence[str]) -> list[int]:
        conn = self.conn
        rowids = self._model_rowids(conn, ids)
        if not rowids:
            return []
        marks = ",".join("?" * len(rowids))
        return [
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT iteration FROM plots WHERE model IN ({marks}) ORDER BY iteration",
                list(rowids.values()),
            )
        ]

    # -- writing ---------------------------------------------------------------------------
    @staticmethod
    def _model_params(m: Model) -> dict[str, Any]:
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
        p["gen"] = gen
        cols = list(p)
        conn.execute(
            f"INSERT INTO models ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)}) "
            f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c}=excluded.{c}' for c in cols if c != 'id')}",
            p,
        )
        rowid = conn.execute("SELECT rowid FROM models WHERE id=?", (m.id,)).fetchone()[0]
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
                conn.execute("DELETE FROM models WHERE rowid=?", (rowid,))
        return len(rowids)

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
        are superseded by the new points."""
        self.add_many(model_id, [(metric, variant, iterations, values, timestamps)])

    def add_many(self, model_id: str, batches: Sequence[tuple]) -> None:
        """Several series' points in one transaction: [(metric, variant, iters, values, ts|None)]."""
        with self._write() as conn:
            rowid = self._require_rowid(conn, model_id)
            gen = self._generation(conn)
            for metric, variant, iterations, values, timestamps in batches:
                self._append_points(conn, rowid, metric, variant, iterations, values, timestamps)
            self._touch(conn, rowid, gen)

    def _append_points(self, conn, rowid, metric, variant, iterations, values, timestamps) -> None:
        it = np.asarray(iterations, dtype=np.int64).ravel()
        v = np.asarray(values, dtype=np.float64).ravel()
        if timestamps is None:
            ts = np.full(it.shape, time.time())
        else:
            ts = np.asarray(timestamps, dtype=np.float64).ravel()
        if not (it.shape == v.shape == ts.shape):
            raise SourceError(
                f"{metric}/{variant}: iterations, values and timestamps differ in length "
                f"({it.shape[0]}, {v.shape[0]}, {ts.shape[0]})"
            )
        if it.size == 0:
            return
        # stable sort by iteration, then last reported wins per iteration
        if not bool(np.all(it[1:] >= it[:-1])):
            order = np.argsort(it, kind="stable")
            it, v, ts = it[order], v[order], ts[order]
        it, v, ts = dedupe_last_wins(it, v, ts)
        ms = _ts_to_ms(ts)
        row = conn.execute(
            "SELECT sid, last_iter, nchunks FROM series WHERE model=? AND metric=? AND variant=?",
            (rowid, metric, variant),
        ).fetchone()
        if row is None:
            sid = conn.execute(
                "INSERT INTO series (model, metric, variant) VALUES (?, ?, ?)", (rowid, metric, variant)
            ).lastrowid
            last_iter, nchunks = None, 0
        else:
            sid, last_iter, nchunks = row
        if last_iter is not None and int(it[0]) <= last_iter:
            # A resume re-reports iterations: merge with the stored chunks that overlap,
            # new points winning, and rewrite them.
            first_no = conn.execute(
                "SELECT min(no) FROM chunks WHERE sid=? AND last_iter >= ?", (sid, int(it[0]))
            ).fetchone()[0]
            old_it, old_v, old_ts = self._read_points(conn, sid, "no >= ?", (first_no,))
            old_ms = _ts_to_ms(old_ts)
            all_it = np.concatenate((old_it, it))
            all_v = np.concatenate((old_v, v))
            all_ms = np.concatenate((old_ms, ms))
            order = np.argsort(all_it, kind="stable")
            all_it, all_v, all_ms = dedupe_last_wins(all_it[order], all_v[order], all_ms[order])
            conn.execute("DELETE FROM chunks WHERE sid=? AND no >= ?", (sid, first_no))
            self._write_chunks(conn, sid, first_no, all_it, all_v, all_ms)
        else:
            start_no = nchunks
            if nchunks:
                tail = conn.execute(
                    "SELECT no, n FROM chunks WHERE sid=? AND no=?", (sid, nchunks - 1)
                ).fetchone()
                if tail is not None and tail[1] < CHUNK_POINTS:
                    # fill the tail chunk first, so that small appends do not make tiny chunks
                    t_it, t_v, t_ts = self._read_points(conn, sid, "no = ?", (tail[0],))
                    it = np.concatenate((t_it, it))
                    v = np.concatenate((t_v, v))
                    ms = np.concatenate((_ts_to_ms(t_ts), ms))
                    conn.execute("DELETE FROM chunks WHERE sid=? AND no=?", (sid, tail[0]))
                    start_no = tail[0]
            self._write_chunks(conn, sid, start_no, it, v, ms)
        self._refresh_series_summary(conn, sid)

    def _write_chunks(self, conn, sid: int, start_no: int, it, v, ms) -> None:
        rows = []
        no = start_no
        for s in range(0, int(it.shape[0]), CHUNK_POINTS):
            e = s + CHUNK_POINTS
            rows.append((sid, no, *_encode_chunk(it[s:e], v[s:e], ms[s:e])))
            no += 1
        conn.executemany(
            """INSERT INTO chunks (sid, no, n, first_iter, last_iter, first_value, last_value,
                   min_value, min_iter, max_value, max_iter, min_ts, max_ts, iter_step, iters, vals, ts)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            rows,
        )

    def _refresh_series_summary(self, conn, sid: int) -> None:
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
        with self._write() as conn:
            rowid = self._require_rowid(conn, model_id)
            conn.executemany(
                "INSERT OR REPLACE INTO single_values VALUES (?, ?, ?)",
                [(rowid, k, float(v)) for k, v in values.items()],
            )
            self._touch(conn, rowid, self._generation(conn))

    def add_plots(self, model_id: str, plots: Sequence[Plot]) -> None:
        with self._write() as conn:
            rowid = self._require_rowid(conn, model_id)
            self._insert_plots(conn, rowid, plots)
            self._touch(conn, rowid, self._generation(conn))

    @staticmethod
    def _insert_plots(conn, rowid: int, plots: Sequence[Plot]) -> None:
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
                    self._append_points(conn, rowid, s.metric, s.variant, s.iterations, s.values, s.timestamps)
                if rec.single_values:
                    conn.executemany(
                        "INSERT OR REPLACE INTO single_values VALUES (?, ?, ?)",
                        [(rowid, k, float(v)) for k, v in rec.single_values.items()],
                    )
                if rec.plots:
                    self._insert_plots(conn, rowid, rec.plots)
                ids.append(m.id)
        return ids

    def export_records(self, ids: Sequence[str]) -> list[ModelRecord]:
        models = self.get_models(ids)
        missing = [i for i in ids if i not in {m.id for m in models}]
        if missing:
            raise SourceError(f"unknown model {missing[0]!r}")
        conn = self.conn
        records = []
        for m in models:
            m.children = []  # derived, never exported
            rowid = conn.execute("SELECT rowid FROM models WHERE id=?", (m.id,)).fetchone()[0]
            scalars = []
            for sid, metric, variant in conn.execute(
                "SELECT sid, metric, variant FROM series WHERE model=? ORDER BY metric, variant", (rowid,)
            ).fetchall():
                it, v, ts = self._read_points(conn, sid)
                scalars.append(ScalarSeries(metric, variant, it, v, ts))
            singles = {
                k: (float("nan") if v is None else v)
                for k, v in conn.execute(
                    "SELECT name, value FROM single_values WHERE model=? ORDER BY name", (rowid,)
                )
            }
            plots = [
                Plot(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5])
                for r in conn.execute(
                    "SELECT metric, variant, iteration, kind, data, ts FROM plots WHERE model=? "
                    "ORDER BY metric, variant, iteration",
                    (rowid,),
                )
            ]
            records.append(ModelRecord(m, scalars, singles, plots))
        return records

    # -- maintenance -------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        conn = self.conn
        return {
            "models": conn.execute("SELECT count(*) FROM models").fetchone()[0],
            "series": conn.execute("SELECT count(*) FROM series").fetchone()[0],
            "points": conn.execute("SELECT coalesce(sum(count), 0) FROM series").fetchone()[0],
            "bytes": self.path.stat().st_size if self.path.exists() else 0,
        }
