"""The embedded model store: one SQLite file in WAL mode.

Layout choices, each for a speed target of the foundation issue:
- scalar points live in chunks of up to CHUNK_POINTS points per series, as
  numpy arrays in BLOBs (iterations as a progression or int32/int64 deltas,
  values float64, timestamps as int32/int64 millisecond offsets): ~12 bytes
  a point, and a chart reads only the chunks of its range;
- the models table holds what the models table shows (the bulky details are in
  model_details): a search or filter over 10,000 models scans a few MB;
- since schema v4 an FTS5 trigram index over each model's search text (name,
  project, tags; lowered) answers searches of 3+ characters without a scan;
  the two writes that change the text (_upsert_model, delete_models) update it;
- each chunk row carries its first/last/min/max (and, since schema v2, those
  points plus its earliest and latest one in a small `extremes` blob), and each
  series row its Last/Min/Max/count, kept up to date on write: summaries cost
  O(series), and a chart over a long range takes the extremes of every chunk
  that falls inside one of its buckets instead of decoding the chunk;
- appends write only new points: a batch becomes a new chunk and merges with
  the trailing partial chunks no more than twice its size (a binary counter),
  so a training loop's small flushes rewrite each point O(log) times, and the
  series summary is updated from the new points alone;
- a write generation counter (meta table, and per model) is the change token.
Each thread gets its own connection (Textual workers read from threads while
a training process may write from another process); every read runs in one
read transaction, so it sees one consistent state while a writer commits.
numpy (and the downsampling built on it) is imported by the functions that
handle points, never at module import: the app's first screen (models table,
filters, details) needs none of it, and it costs ~100 ms of start-up.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from ..core.display import display_line
from ..core.model import (
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
from .base import (
    BusySourceError,
    DamagedSourceError,
    ReadOnlySourceError,
    Source,
    SourceError,
)

if TYPE_CHECKING:
    import numpy as np

CHUNK_POINTS = 4096
BUSY_TIMEOUT = 30.0  # seconds a write waits for another process's write lock
SCHEMA_VERSION = 4
APPLICATION_ID = 0x4D435354  # "MCST" in the SQLite header: marks a modelcompare store
PAGE_SIZE = 8192  # set when a store is created; 4-16 KB measured within noise of each other
CACHE_KB = 8192  # page cache per connection: reads stream chunks, which need no caching
TAIL_SCAN = 32  # trailing chunks looked at when an append merges partial chunks
TAG_SEP = "\x1f"
_NON_ASCII_GLOB = "*[^\x01-\x7f]*"
NO_TS = -(2**63)  # "no timestamp" in the int64 ms form (the smallest int64)

# One point of a chunk's `extremes` blob (after a one-byte flags header): a numpy dtype spec.
_EXTREME = [("it", "<i8"), ("v", "<f8"), ("ts", "<f8")]
_ALL_TS_KNOWN = 1  # flags bit: every point of the chunk has a timestamp

_MODEL_FIELDS = (
    "id", "name", "project", "framework", "status", "tags", "user", "created", "updated",
    "comment", "uri", "task_id", "task_name", "parent", "labels", "metadata",
    "config_format", "config_text",
)
# Since v3 the bulky fields live in model_details: the models table stays narrow,
# so a search or filter scanning all models reads a few MB, not every config.
_DETAIL_FIELDS = ("comment", "uri", "labels", "metadata", "config_format", "config_text")

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


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would commit the migration's transaction: run statement by statement
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _migrate_to_v1(conn: sqlite3.Connection) -> None:
    _run_script(conn, _SCHEMA_V1)
    conn.execute("INSERT OR IGNORE INTO meta VALUES ('generation', 0)")


_SCHEMA_V3 = """
CREATE TABLE model_details (
    model INTEGER PRIMARY KEY REFERENCES models(rowid) ON DELETE CASCADE,
    comment TEXT NOT NULL DEFAULT '',
    uri TEXT NOT NULL DEFAULT '',
    labels TEXT NOT NULL DEFAULT '{}',
    metadata TEXT NOT NULL DEFAULT '[]',
    config_format TEXT NOT NULL DEFAULT '',
    config_text TEXT
);
INSERT INTO model_details SELECT rowid, comment, uri, labels, metadata, config_format, config_text FROM models;
ALTER TABLE models DROP COLUMN comment;
ALTER TABLE models DROP COLUMN uri;
ALTER TABLE models DROP COLUMN labels;
ALTER TABLE models DROP COLUMN metadata;
ALTER TABLE models DROP COLUMN config_format;
ALTER TABLE models DROP COLUMN config_text
"""


def _migrate_to_v2(conn: sqlite3.Connection) -> None:
    """Chunks get their extreme points (for charts over long ranges); the store
    gets an id (a change token never matches another store's)."""
    conn.execute("ALTER TABLE chunks ADD COLUMN extremes BLOB")
    keys = conn.execute("SELECT sid, no FROM chunks").fetchall()
    for sid, no in keys:
        n, first_iter, step, ib, vb, tb = conn.execute(
            "SELECT n, first_iter, iter_step, iters, vals, ts FROM chunks WHERE sid=? AND no=?", (sid, no)
        ).fetchone()
        it, v, ts = _decode_chunk(n, first_iter, step, ib, vb, tb)
        conn.execute(
            "UPDATE chunks SET extremes=? WHERE sid=? AND no=?",
            (_extremes_blob(it, v, _ts_to_ms(ts)), sid, no),
        )
    conn.execute("INSERT OR IGNORE INTO meta VALUES ('store_id', ?)", (uuid.uuid4().hex,))


def _migrate_to_v3(conn: sqlite3.Connection) -> None:
    """Model details move out of the models table: a search or filter scans only
    what the table shows."""
    _run_script(conn, _SCHEMA_V3)


# The search index: FTS5 trigrams of models.search_text (already lowered by
# Python, so case_sensitive=1 leaves it as is: a match is exactly a substring, the
# way instr() sees it, non-ASCII included). External content: the index holds no
# copy of the text. The store's writes update it, not triggers: a trigger makes
# FTS5 flush its pending terms at every statement, 4x the cost of an import.
_SEARCH_INDEX = (
    """CREATE VIRTUAL TABLE models_search USING fts5(
           search_text, content='models', content_rowid='rowid', tokenize='trigram case_sensitive 1')""",
    "INSERT INTO models_search(models_search) VALUES ('rebuild')",
)
TRIGRAM = 3  # the shortest search the index answers; shorter ones scan
COUNTS_KEPT = 16  # list_models totals remembered (until the next write)


def fts_trigram_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34+; Python's
    own builds have FTS5)."""
    if sqlite3.sqlite_version_info < (3, 34, 0):
        return False
    return bool(conn.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0])


def _fts_phrase(needle: str) -> str:
    """An FTS5 query matching `needle` verbatim (a quoted phrase of its trigrams)."""
    return '"' + needle.replace('"', '""') + '"'


def _search_clause(needle: str, from_index: bool) -> tuple[str, list[Any]]:
    """A WHERE clause (on `models m`) for a lowered search, and its parameters: the
    index's set of matches, or an instr() check of each model."""
    if from_index:
        return "m.rowid IN (SELECT rowid FROM models_search WHERE models_search MATCH ?)", [_fts_phrase(needle)]
    return "instr(m.search_text, ?) > 0", [needle]


def _migrate_to_v4(conn: sqlite3.Connection) -> None:
    """A trigram index for searches (~1 s per 100,000 models to build). Without
    FTS5 trigram in this SQLite the store does without: searches scan, as before."""
    if fts_trigram_available(conn):
        for statement in _SEARCH_INDEX:
            conn.execute(statement)


# Entry i migrates a store from schema version i to i+1 (0: an empty file or an
# empty meta table). Each runs inside the one transaction that opens the store.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_to_v1, _migrate_to_v2, _migrate_to_v3, _migrate_to_v4,
]


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _py_lower(text: str | None) -> str | None:
    # SQLite's lower() folds ASCII only; filters must match the way Python lowers the query
    return None if text is None else str(text).lower()


# --------------------------------------------------------------------------
# chunk encoding
# --------------------------------------------------------------------------


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


class _Damage(Exception):
    """Stored content that cannot be what the store wrote (a damaged store); the
    store's read and write transactions turn it into DamagedSourceError."""


# What damaged content raises in the code that reads it (a wrong type where a
# number or text was written, bad JSON, a short blob): the safety net of reads.
_DAMAGE = (_Damage, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
           ZeroDivisionError)
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

    from ..core.downsample import dedupe_last_wins

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


def _plot_from_row(metric: Any, variant: Any, iteration: Any, kind: Any, data: Any, ts: Any) -> Plot:
    """A stored plot, checked as an import checks one: a view must be able to draw
    whatever the store hands out."""
    from ..core.model import PLOT_KINDS
    from ..core.modelfile import check_plot_data

    where = f"plot {metric!r}/{variant!r}"
    if type(metric) is not str or type(variant) is not str or type(iteration) is not int or kind not in PLOT_KINDS:
        raise _Damage(f"{where}: its row is not a plot")
    if not (ts is None or type(ts) in (int, float)) or type(data) is not str:
        raise _Damage(f"{where}: its row is not a plot")
    try:
        parsed = json.loads(data)
    except ValueError:
        raise _Damage(f"{where} at iteration {iteration}: its data is not valid JSON") from None
    try:
        check_plot_data(kind, parsed)  # the data is handed out as stored
    except ValueError as exc:
        raise _Damage(f"{where} at iteration {iteration}: {exc}") from None
    return Plot(metric, variant, iteration, kind, parsed, ts)


def _none_if_nan(x: float | None) -> float | None:
    return None if x is None or x != x else x


# --------------------------------------------------------------------------
# the store
# --------------------------------------------------------------------------


def store_path(path: str | os.PathLike[str]) -> Path:
    """`path` made absolute (user expanded, symlinks resolved), or a one-line
    SourceError: an overlong name, a symlink loop or a NUL byte is bad input,
    not a crash."""
    shown = display_line(os.fspath(path), 300)
    try:
        resolved = Path(path).expanduser().resolve()
        resolved.exists()  # ENAMETOOLONG shows here, not in resolve()
    except RuntimeError:  # Python 3.11's resolve() on a loop
        raise SourceError(f"{shown}: cannot open the store (a symlink loop)") from None
    except ValueError as exc:  # an embedded NUL byte
        raise SourceError(f"{shown}: cannot open the store ({exc})") from None
    except OSError as exc:
        raise SourceError(f"{shown}: cannot open the store ({_os_reason(exc)})") from None
    return resolved


def _os_reason(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENAMETOOLONG:
        return "a name in the path is longer than the file system allows"
    if exc.errno == errno.ELOOP:
        return "a symlink loop"
    return exc.strerror or str(exc)


def _writable_here(path: Path) -> bool:
    """Whether this process may write the store at `path` (an existing file): the
    file itself, and its folder for the -wal/-shm files unless they exist and are
    writable. access() also says no on a read-only file system, even to root."""
    if not os.access(path, os.W_OK):
        return False
    if os.access(path.parent, os.W_OK):
        return True
    sidecars = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    return all(os.access(p, os.W_OK) for p in sidecars)


def _damaged(path: Path, what: str) -> DamagedSourceError:
    return DamagedSourceError(f"{path}: the store is damaged ({display_line(what, 200)})")


def default_store_path() -> Path:
    env = os.environ.get("MODELCOMPARE_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("modelcompare", appauthor=False)) / "models.db"


class SQLiteStore(Source):
    """`create`: make the store (and its folders) when `path` does not exist;
    otherwise a missing path is `no store at PATH`. A store whose file, folder or
    file system is not writable opens read-only (`read_only` is then True: reads
    work, every write raises ReadOnlySourceError); `read_only=True` asks for that."""

    read_only = False

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        busy_timeout: float | None = None,
        read_only: bool = False,
    ) -> None:
        self.path = store_path(path)
        self.uri = str(self.path)
        self.busy_timeout = BUSY_TIMEOUT if busy_timeout is None else float(busy_timeout)
        self._immutable = False
        try:
            exists = self.path.exists()
            if not exists:
                if not create:
                    raise SourceError(f"no store at {display_line(self.path, 300)}")
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise SourceError(f"{self.path}: cannot create the store ({_os_reason(exc)})") from None
            elif self.path.is_dir():
                raise SourceError(f"{self.path}: is a directory, not a store file")
            elif not os.access(self.path, os.R_OK):
                raise SourceError(f"{self.path}: cannot open the store (permission denied)")
            self.read_only = bool(read_only) or (exists and not _writable_here(self.path))
        except OSError as exc:
            raise SourceError(f"{self.path}: cannot open the store ({_os_reason(exc)})") from None
        self._local = threading.local()
        self._lock = threading.RLock()
        # every connection with the thread that owns it (see close())
        self._connections: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._epoch = 0  # bumped by close(): a thread's connection from before is not used again
        self._sort_indexes: dict[str, str] | None = None
        self._counts: dict[tuple, tuple[int, int]] = {}  # list_models: query -> (total, index matches)
        self._migrate()
        try:
            conn = self.conn
            # a store with a search index keeps it in sync (writes fail where this
            # SQLite cannot: better than an index that misses models); reads use it
            # when this SQLite can, and scan otherwise
            self._search_table = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name='models_search'").fetchone())
            self._search_index = self._search_table and fts_trigram_available(conn)
        except sqlite3.Error as exc:
            self.close()
            raise self._error(exc) from None
        except _DAMAGE as exc:
            self.close()
            raise _damaged(self.path, f"{type(exc).__name__}: {exc}") from None

    @property
    def sees_changes(self) -> bool:
        """False when the store could only be opened `immutable` (a read-only folder
        or file system without -wal/-shm files): then nobody can be writing it, and
        reads do not look for changes (live updates have nothing to show)."""
        return not self._immutable

    # -- connections and transactions ----------------------------------------------
    def _error(self, exc: sqlite3.Error) -> SourceError:
        """One line naming the store and what is wrong with it."""
        text = display_line(str(exc), 200)
        if "not a database" in text:
            return SourceError(f"{self.path}: not a modelcompare store ({text})")
        if "malformed" in text or "corrupt" in text:
            return _damaged(self.path, text)
        if "unable to open" in text:
            return SourceError(f"{self.path}: cannot open the store ({text})")
        if "locked" in text or "busy" in text:
            return BusySourceError(f"{self.path}: the store is busy, another process holds it ({text})")
        if "readonly" in text or "read-only" in text:
            return ReadOnlySourceError(f"{self.path}: the store is read-only ({text})")
        if "disk is full" in text or "disk I/O" in text:
            return SourceError(f"{self.path}: cannot write the store ({text})")
        if "no such module: fts5" in text or "no such tokenizer" in text:
            return SourceError(
                f"{self.path}: the store's search index needs SQLite 3.34+ with FTS5; "
                f"this Python's SQLite is {sqlite3.sqlite_version} ({text})"
            )
        return SourceError(f"{self.path}: store error ({text})")

    def _connect(self) -> sqlite3.Connection:
        try:
            if self.read_only:
                conn = self._connect_read_only()
            else:
                new_file = not self.path.exists() or self.path.stat().st_size == 0
                conn = sqlite3.connect(
                    self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
                )
            try:
                if not self.read_only:
                    if new_file:
                        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # only effective before the first write
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute(f"PRAGMA cache_size=-{CACHE_KB}")
                # a big import grows the WAL; give the space back after the checkpoint
                conn.execute("PRAGMA journal_size_limit=67108864")
                conn.create_function("py_lower", 1, _py_lower, deterministic=True)
            except BaseException:
                conn.close()
                raise
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        except UnicodeDecodeError as exc:  # SQLite handed back text that is not UTF-8
            raise _damaged(self.path, f"text that is not UTF-8 ({exc.reason})") from None
        except OSError as exc:
            raise SourceError(f"{self.path}: cannot open the store ({_os_reason(exc)})") from None
        return conn

    def _connect_read_only(self) -> sqlite3.Connection:
        """`mode=ro` reads a WAL store whose -wal/-shm files exist (a writer may be
        at work); with none of them and no way to create them (a read-only folder
        or file system) SQLite needs `immutable=1`, which is exact then: without a
        -wal file every committed write is in the main file."""
        from urllib.parse import quote

        base = "file:" + quote(str(self.path))
        if not self._immutable:
            conn = sqlite3.connect(
                base + "?mode=ro", uri=True, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError as exc:
                conn.close()
                wal = self.path.with_name(self.path.name + "-wal")
                if "unable to open" not in str(exc) or wal.exists():
                    raise
                self._immutable = True
        return sqlite3.connect(
            base + "?immutable=1", uri=True, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
        )

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is None or local.epoch != self._epoch:
            with self._lock:
                conn = self._adopt_idle()
            if conn is None:
                conn = self._connect()
                with self._lock:
                    self._connections.append((weakref.ref(threading.current_thread()), conn))
            local.conn, local.epoch = conn, self._epoch
        return conn

    def _adopt_idle(self) -> sqlite3.Connection | None:
        """A connection of a thread that has ended, for the calling thread: it is
        idle for sure, and warm (schema read, page cache filled), where a new one
        costs ~40 ms before its first answer. Textual runs each worker on a new
        thread. The other ended threads' connections are closed."""
        me = threading.current_thread()
        adopted = None
        kept = []
        for owner_ref, conn in self._connections:
            owner = owner_ref()
            if owner is not None and owner.is_alive():
                kept.append((owner_ref, conn))
            elif adopted is None and not conn.in_transaction:
                adopted = conn
                kept.append((weakref.ref(me), conn))
            else:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
        self._connections = kept
        return adopted

    def close(self) -> None:
        """Close the connections no thread can be using: the calling thread's and
        those of threads that ended. Another live thread's connection is only
        forgotten: it may be inside a query at this moment, and closing a connection
        under a running statement crashes the interpreter (a timed flush of an
        OutputModel did, in CI). Its thread reconnects on next use and the old
        connection closes when its last reference goes."""
        with self._lock:
            self._epoch += 1
            me = threading.current_thread()
            for owner_ref, conn in self._connections:
                owner = owner_ref()
                if owner is None or not owner.is_alive() or owner is me:
                    try:
                        conn.close()
                    except sqlite3.Error:
                        pass
            self._connections = []

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same committed state,
        whatever a writer commits meanwhile (WAL)."""
        conn = self.conn
        if conn.in_transaction:  # nested in another read or a write
            yield conn
            return
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        except _DAMAGE as exc:
            # a read of what the store wrote raised: its content is damaged
            raise _damaged(self.path, str(exc) if isinstance(exc, _Damage) else f"{type(exc).__name__}: {exc}") from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; bumps the generation (the change token)."""
        if self.read_only:
            raise ReadOnlySourceError(
                f"{self.path}: the store is read-only (its file, folder or file system is not writable)"
            )
        conn = self.conn
        self._local.search_updates = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                self._apply_search_updates(conn)
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        except _Damage as exc:
            raise _damaged(self.path, str(exc)) from None
        except UnicodeDecodeError as exc:
            raise _damaged(self.path, f"text that is not UTF-8 ({exc.reason})") from None

    def _generation(self, conn: sqlite3.Connection) -> int:
        """The generation this write transaction will commit."""
        row = conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        if row is None or type(row[0]) is not int:
            raise _Damage("the meta table has no generation counter")
        return row[0] + 1

    def _schema_version(self, conn: sqlite3.Connection) -> int | None:
        """The store's schema version; None for an empty file. Refuses any other
        SQLite database rather than adding tables to it."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise SourceError(f"{self.path}: an SQLite database of another application, not a modelcompare store")
        tables = {
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
        }
        if "meta" not in tables:
            if tables:
                shown = ", ".join(sorted(tables)[:5])
                raise SourceError(f"{self.path}: an SQLite database, but not a modelcompare store (tables: {shown})")
            return None
        row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        try:
            version = int(row[0]) if row else 0
        except (TypeError, ValueError):
            raise SourceError(f"{self.path}: not a modelcompare store (schema_version is {row[0]!r})") from None
        if version == 0 and tables - {"meta"}:
            shown = ", ".join(sorted(tables - {"meta"})[:5])
            raise SourceError(f"{self.path}: an SQLite database, but not a modelcompare store (tables: {shown})")
        if version > SCHEMA_VERSION:
            raise SourceError(
                f"{self.path}: store schema v{version} is newer than this modelcompare "
                f"(v{SCHEMA_VERSION}); upgrade modelcompare"
            )
        return version

    def _migrate(self) -> None:
        """Bring the store to SCHEMA_VERSION. An up-to-date store is only read, so
        opening it neither waits for a busy writer nor needs write access."""
        try:
            conn = self.conn
            version = self._schema_version(conn)
            if version == SCHEMA_VERSION:
                return
            if self.read_only:
                raise SourceError(
                    f"{self.path}: the store is read-only and "
                    + ("empty" if version is None else f"needs an upgrade from schema v{version} to v{SCHEMA_VERSION}")
                )
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = self._schema_version(conn)  # again, under the write lock
                if version is None:
                    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
                    version = 0
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                for step in range(version, SCHEMA_VERSION):
                    MIGRATIONS[step](conn)
                    conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (step + 1,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self.close()
            raise self._error(exc) from None
        except _DAMAGE as exc:
            self.close()
            raise _damaged(self.path, f"{type(exc).__name__}: {exc}") from None
        except BaseException:
            self.close()
            raise

    # -- change token -----------------------------------------------------------
    def change_token(self) -> str:
        """`<store id>:<generation>`: changes with every committed write, and never
        matches a token of another (or a re-created) store."""
        with self._reading() as conn:
            rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('generation', 'store_id')"))
            if type(rows.get("generation")) is not int:
                raise _Damage("the meta table has no generation counter")
        return f"{rows.get('store_id', '')}:{rows['generation']}"

    def changed_models(self, token: str, ids: Sequence[str]) -> list[str]:
        """Which of `ids` changed after `token` was taken (in the order given). A model
        that no longer exists counts as changed; a token of another store, or not a
        token, makes every id changed."""
        store_id, _, gen = token.rpartition(":")
        with self._reading() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key='store_id'").fetchone()
            if (row[0] if row else "") != store_id or not gen.isdigit():
                return list(ids)
            since = int(gen)
            fresh: set[str] = set()
            for start in range(0, len(ids), 500):
                part = list(ids[start : start + 500])
                marks = ",".join("?" * len(part))
                fresh.update(
                    r[0] for r in conn.execute(f"SELECT id FROM models WHERE gen <= ? AND id IN ({marks})", (since, *part))
                )
        return [i for i in ids if i not in fresh]

    # -- models table -------------------------------------------------------------
    @staticmethod
    def _check_column(column: str) -> None:
        if column not in MODEL_COLUMNS:
            raise SourceError(f"unknown column {column!r} (columns: {', '.join(MODEL_COLUMNS)})")

    def _where(self, query: ModelQuery) -> tuple[str, list[Any]]:
        """The filters, ranges and text filters (not the search: see list_models)."""
        clauses: list[str] = []
        params: list[Any] = []
        for column, values in query.filters:
            self._check_column(column)
            if not values:
                continue
            marks = ",".join("?" * len(values))
            if column == "tags":
                # driven by the (tag, model) index: only the tagged models are visited
                clauses.append(f"m.rowid IN (SELECT model FROM model_tags WHERE tag IN ({marks}))")
            else:
                clauses.append(f"m.{column} IN ({marks})")
            params.extend(values)
        for column, low, high in query.ranges:
            self._check_column(column)
            if low:
                clauses.append(f"m.{column} >= ?")
                params.append(low)
            if high:
                # an inclusive upper bound: "2026-01-31" includes that whole day
                clauses.append(f"m.{column} <= ?")
                params.append(high + "\U0010ffff")
        for column, text in query.text_filters:
            self._check_column(column)
            if text:
                # SQLite's lower() folds ASCII only: values with other characters are
                # lowered by Python (as the query is), the rest by the faster built-in
                clauses.append(
                    f"(CASE WHEN m.{column} GLOB ? THEN instr(py_lower(m.{column}), ?) "
                    f"ELSE instr(lower(m.{column}), ?) END) > 0"
                )
                params.extend((_NON_ASCII_GLOB, text.lower(), text.lower()))
        return (" AND ".join(clauses) if clauses else "1"), params

    _ROW_COLUMNS = "m.id, m.name, m.project, m.framework, m.status, m.tags, m.user, m.created, m.updated"

    @staticmethod
    def _row(r: Sequence[Any]) -> ModelRow:
        for value in r:
            if type(value) is not str:
                raise _Damage(f"a models row holds {type(value).__name__} where text belongs")
        tags = tuple(t for t in r[5].split(TAG_SEP) if t) if r[5] else ()
        return ModelRow(r[0], r[1], r[2], r[3], r[4], tags, r[6], r[7], r[8])

    def list_models(self, query: ModelQuery) -> ModelPage:
        """Filters AND together; `name` sorts case-insensitively (ASCII), other columns
        by code point; ties in the order rows were created (reversed when descending).
        Pinned ids come first whatever the filters, and count in `total`.

        The search is a substring of the lowered search text, checked by instr() or
        looked up in the trigram index (3+ characters): the same rows either way."""
        where, params = self._where(query)
        filtered = where != "1"
        needle = query.search.lower()
        indexed = bool(needle) and self._search_index and len(needle) >= TRIGRAM and "\x00" not in needle
        if query.sort is not None:
            column, desc = query.sort
            self._check_column(column)
        else:
            column, desc = "updated", True
        direction = "DESC" if desc else "ASC"
        collate = " COLLATE NOCASE" if column == "name" else ""
        # ids are unique: no tie to break, and the id index gives the order
        tie = "" if column == "id" else f", m.rowid {direction}"
        offset = max(0, query.offset)
        limit = max(0, query.limit)
        pinned = tuple(dict.fromkeys(query.pinned))
        with self._reading() as conn:
            pinned_rows: list[ModelRow] = []
            if pinned:
                marks = ",".join("?" * len(pinned))
                found = {
                    r[0]: self._row(r)
                    for r in conn.execute(f"SELECT {self._ROW_COLUMNS} FROM models m WHERE m.id IN ({marks})", pinned)
                }
                pinned_rows = [found[i] for i in pinned if i in found]
                where = f"({where}) AND m.id NOT IN ({marks})"
                params = [*params, *pinned]
            n_all = conn.execute("SELECT coalesce(max(rowid), 0) FROM models").fetchone()[0]
            # The count of a query is kept until the next write: the table asks for the
            # pages around the view with the same query, and counting is most of a page's cost.
            version = tuple(conn.execute("SELECT key, value FROM meta WHERE key IN ('generation', 'store_id')"))
            count_key = (version, query.search, query.filters, query.ranges, query.text_filters, pinned)
            counted = self._counts.get(count_key)
            if counted is None:
                counted = self._count(conn, where, params, filtered, needle, indexed, pinned, n_all)
                with self._lock:
                    self._counts[count_key] = counted
                    while len(self._counts) > COUNTS_KEPT:
                        del self._counts[next(iter(self._counts))]  # the oldest
            total, index_matches = counted
            # a selective search is found through the index's set of matches; a broad one
            # is cheaper checked model by model (the sort index's walk visits few)
            from_index = indexed and self._index_drives_search(index_matches, n_all)
            rows: list[ModelRow] = pinned_rows[offset : offset + limit]
            rest_offset = max(0, offset - len(pinned_rows))
            rest_limit = limit - len(rows)
            if rest_limit > 0 and rest_offset < total:

                def page_sql(walk: bool) -> tuple[str, list[Any]]:
                    source = f"models m INDEXED BY {index}" if walk else "models m"
                    order = f"{'' if walk else '+'}m.{column}{collate} {direction}{tie}"
                    page_where, page_params = where, params
                    if needle:
                        clause, clause_params = _search_clause(needle, from_index and not walk)
                        page_where, page_params = f"{where} AND {clause}", [*params, *clause_params]
                    sql = f"SELECT {self._ROW_COLUMNS} FROM {source} WHERE {page_where} ORDER BY {order}"
                    return f"{sql} LIMIT ? OFFSET ?", [*page_params, rest_limit, rest_offset]

                index = self._sort_index(conn, column)
                wanted = rest_offset + rest_limit
                page = None
                if index is not None and self._walk_sort_index(wanted, total, n_all, from_index):
                    page = self._walk(conn, *page_sql(True), self._walk_budget(wanted, total, n_all))
                if page is None:
                    page = conn.execute(*page_sql(False)).fetchall()
                rows.extend(self._row(r) for r in page)
        return ModelPage(rows=rows, total=total + len(pinned_rows), offset=offset)

    def _count(
        self, conn: sqlite3.Connection, where: str, params: list[Any], filtered: bool,
        needle: str, indexed: bool, pinned: tuple[str, ...], n_all: int,
    ) -> tuple[int, int]:
        """Models matching `where` (pinned ones excluded) and the search, and how many
        the search index matched (0 when it was not asked)."""
        if not needle:
            return conn.execute(f"SELECT count(*) FROM models m WHERE {where}", params).fetchone()[0], 0
        if not indexed:
            clause, clause_params = _search_clause(needle, False)
            return conn.execute(
                f"SELECT count(*) FROM models m WHERE {where} AND {clause}", (*params, *clause_params)
            ).fetchone()[0], 0
        # the index counts its matches without reading a model
        matches = conn.execute(
            "SELECT count(*) FROM models_search WHERE models_search MATCH ?", (_fts_phrase(needle),)
        ).fetchone()[0]
        if filtered:
            clause, clause_params = _search_clause(needle, self._index_drives_search(matches, n_all))
            total = conn.execute(
                f"SELECT count(*) FROM models m WHERE {where} AND {clause}", (*params, *clause_params)
            ).fetchone()[0]
            return total, matches
        total = matches
        if pinned:  # counted by the index, shown apart
            clause, clause_params = _search_clause(needle, False)
            marks = ",".join("?" * len(pinned))
            total -= conn.execute(
                f"SELECT count(*) FROM models m WHERE m.id IN ({marks}) AND {clause}", (*pinned, *clause_params)
            ).fetchone()[0]
        return total, matches

    @staticmethod
    def _walk(conn: sqlite3.Connection, sql: str, params: Sequence[Any], budget: int) -> list[Any] | None:
        """The rows of a query that walks a sort index, or None when the walk takes
        more than `budget` steps of SQLite's VM (counted in thousands). The read
        transaction stays open: the caller falls back to another plan in it."""
        steps = 0

        def tick() -> bool:
            nonlocal steps
            steps += 1
            return steps > budget  # true interrupts the query

        conn.set_progress_handler(tick, 1000)
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                return None
            raise
        finally:
            conn.set_progress_handler(None, 0)

    @staticmethod
    def _walk_budget(rows: int, total: int, n_all: int) -> int:
        """VM steps (thousands) a walk of the sort index may take before the matches
        are sorted instead. _walk_sort_index assumes the matches are spread evenly in
        sort order; they may cluster late in it (a name search in a table sorted by
        name: 60,000 models walked, 200 ms, for a page that sorting the 12,500
        matches gives in 20 ms). A walk takes ~8 steps and ~3 us a model it visits,
        sorting the matches ~1.7 us a match: stop after twice the expected visits,
        or total/4 visits if more (then the detour costs at most half the sort),
        or 1,000 (too few to matter)."""
        expected = rows * n_all / max(1, total)
        return int(8 * max(2 * expected, total / 4, 1000)) // 1000 + 1

    @staticmethod
    def _index_drives_search(matches: int, n_all: int) -> bool:
        """Whether a page's search clause takes the index's matching rowids (a set
        built once, ~4x the cost per model of an instr() check, measured) rather
        than checking instr() on each model the query visits (up to all of them)."""
        return matches * 4 <= n_all

    @staticmethod
    def _walk_sort_index(rows: int, total: int, n_all: int, matches_from_index: bool = False) -> bool:
        """Whether to page by walking the sort column's index (visiting about
        rows * n_all/total models) rather than collecting the `total` matches and
        sorting them (about 3x the cost per model). SQLite keeps no statistics to
        make this choice, and it chose badly (sorting thousands); we know `total`.
        When the search index hands over the matches (no scan to find them),
        sorting them costs about half a walked model each: then walk only when
        that is expected to cost under a quarter of sorting."""
        if matches_from_index:
            return 8 * rows * n_all < total * total
        return rows * n_all < 3 * total * total

    def _sort_index(self, conn: sqlite3.Connection, column: str) -> str | None:
        """The index that yields the models in `column` order (name: NOCASE)."""
        if self._sort_indexes is None:
            found: dict[str, str] = {}
            for _seq, index, *_rest in conn.execute("PRAGMA index_list(models)").fetchall():
                info = conn.execute(f"PRAGMA index_xinfo({index})").fetchall()
                first = info[0]  # (seqno, cid, name, desc, collation, key)
                wanted = "NOCASE" if first[2] == "name" else "BINARY"
                if first[2] in MODEL_COLUMNS and first[4] == wanted and first[3] == 0:
                    found.setdefault(first[2], index)
            self._sort_indexes = found
        return self._sort_indexes.get(column)

    def distinct_values(self, column: str, limit: int = 500) -> list[tuple[str, int]]:
        """Most frequent first, then by value."""
        if column == "tags":
            sql = "SELECT tag, count(*) FROM model_tags GROUP BY tag ORDER BY count(*) DESC, tag LIMIT ?"
        else:
            self._check_column(column)
            sql = f"SELECT {column}, count(*) FROM models GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT ?"
        with self._reading() as conn:
            out = [(r[0], r[1]) for r in conn.execute(sql, (limit,))]
            if any(type(value) is not str for value, _n in out):
                raise _Damage(f"a {column} value is not text")
        return out

    def count_models(self) -> int:
        with self._reading() as conn:
            return conn.execute("SELECT count(*) FROM models").fetchone()[0]

    # -- details ---------------------------------------------------------------------
    def get_models(self, ids: Sequence[str]) -> list[Model]:
        if not ids:
            return []
        found: dict[str, Model] = {}
        with self._reading() as conn:
            for chunk_start in range(0, len(ids), 500):
                part = list(ids[chunk_start : chunk_start + 500])
                marks = ",".join("?" * len(part))
                for r in conn.execute(
                    f"SELECT {', '.join(_MODEL_FIELDS)} FROM models JOIN model_details ON model = models.rowid "
                    f"WHERE id IN ({marks})",
                    part,
                ):
                    found[r[0]] = self._model_from_row(r)
                for parent, child in conn.execute(
                    f"SELECT parent, id FROM models WHERE parent IN ({marks}) ORDER BY created, id", part
                ):
                    if parent in found and child not in found[parent].children:
                        found[parent].children.append(child)
        return [found[i] for i in ids if i in found]

    @staticmethod
    def _model_from_row(r: Sequence[Any]) -> Model:
        d = dict(zip(_MODEL_FIELDS, r))
        model_id = d["id"]
        for key, value in d.items():
            if type(value) is not str and not (key == "config_text" and value is None):
                raise _Damage(f"model {model_id!r}: its {key} is not text")
        try:
            labels = json.loads(d["labels"])
            items = json.loads(d["metadata"])
        except ValueError:
            raise _Damage(f"model {model_id!r}: its labels or metadata are not valid JSON") from None
        if not isinstance(labels, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in labels.items()
        ):
            raise _Damage(f"model {model_id!r}: its labels are not names with integer ids")
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and set(i) == {"key", "type", "value"} and all(isinstance(x, str) for x in i.values())
            for i in items
        ):
            raise _Damage(f"model {model_id!r}: its metadata is not a list of key/type/value items")
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
            labels=labels,
            metadata=[MetadataItem(**m) for m in items],
            config=config,
        )

    def _model_rowids(self, conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            marks = ",".join("?" * len(part))
            out.update(conn.execute(f"SELECT id, rowid FROM models WHERE id IN ({marks})", part).fetchall())
        return out

    def _models_in(self, conn: sqlite3.Connection, ids: Sequence[str]) -> tuple[dict[int, str], str]:
        """The models of `ids` that exist, as rowid -> id, and the `?,?,…` for an
        `IN (…)` over their rowids (the per-model queries of a comparison)."""
        by_rowid = {rowid: model_id for model_id, rowid in self._model_rowids(conn, ids).items()}
        return by_rowid, ",".join("?" * len(by_rowid))

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

    def _read_points(
        self, conn: sqlite3.Connection, sid: int, where: str = "1", params: Sequence[Any] = ()
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
            if by == "iteration":
                sql_lo, sql_hi = int(max(lo, -(2**62))), int(min(hi, 2**62))
                where = "last_iter >= ? AND first_iter <= ?"
            else:
                sql_lo, sql_hi = float(max(lo, -1e300)), float(min(hi, 1e300))
                where = "max_ts >= ? AND min_ts <= ?"  # chunks without timestamps have NULLs: left out
            points = ", iter_step, iters, vals, ts" if eager else ""
            chunk_rows = conn.execute(
                f"""SELECT no, n, first_iter, last_iter, min_ts, max_ts, extremes{points} FROM chunks
                    WHERE sid=? AND {where} ORDER BY no""",
                (sid, sql_lo, sql_hi),
            ).fetchall()
            if not chunk_rows:
                return empty
            return self._series_from_chunks(conn, sid, metric, variant, chunk_rows, by, lo, hi, buckets)

    def _series_from_chunks(
        self,
        conn: sqlite3.Connection,
        sid: int,
        metric: str,
        variant: str,
        chunk_rows: list[tuple],
        by: str,
        lo: float,
        hi: float,
        buckets: int,
    ) -> SeriesData:
        import numpy as np

        from ..core.downsample import bucket_extremes_indices, downsample_indices

        time_axis = by == "time"

        def span(row: tuple) -> tuple[float, float]:
            return (row[4], row[5]) if time_axis else (row[2], row[3])

        def inside(row: tuple) -> bool:
            # wholly in range, and (time axis) every point has a timestamp: its n points all count
            x_lo, x_hi = span(row)
            if time_axis and (row[6] is None or not row[6][0] & _ALL_TS_KNOWN):
                return False
            return lo <= x_lo and x_hi <= hi

        whole = [inside(r) for r in chunk_rows]
        if len(chunk_rows[0]) > 7:  # the rows carry their points (see series())
            raw = {r[0]: _decode_chunk(r[1], r[2], r[7], r[8], r[9], r[10]) for r in chunk_rows}
        else:  # many chunks per bucket: decode only those that must be
            raw = self._decode_chunks(conn, sid, [r[0] for r, w in zip(chunk_rows, whole) if not w])
        decoded: dict[int, tuple] = {}
        whole_nos = {r[0] for r, w in zip(chunk_rows, whole) if w}
        for no, (it, v, ts) in raw.items():
            if no in whole_nos:
                decoded[no] = (it, v, ts)
                continue
            x = ts if time_axis else it
            mask = (x >= lo) & (x <= hi)
            decoded[no] = (it[mask], v[mask], ts[mask]) if not mask.all() else (it, v, ts)
        total = sum(r[1] for r, w in zip(chunk_rows, whole) if w and r[0] not in decoded)
        total += sum(d[0].shape[0] for d in decoded.values())
        if total == 0:
            return SeriesData(metric, variant, np.empty(0, np.int64), np.empty(0), np.empty(0), 0, False)
        # The range's first and last x: from the whole chunks' bounds and the decoded points.
        x_bounds = [span(r) for r, w in zip(chunk_rows, whole) if w and r[0] not in decoded]
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
                if w and r[6] is not None and r[0] not in decoded:
                    # core.downsample.bucket_of's arithmetic, on two numbers
                    first, last = span(r)
                    if min(max(int((first - x0) * scale), 0), buckets - 1) == min(
                        max(int((last - x0) * scale), 0), buckets - 1
                    ):
                        summarized.add(r[0])
        rest = [r[0] for r in chunk_rows if r[0] not in summarized and r[0] not in decoded]
        if rest:
            decoded.update(self._decode_chunks(conn, sid, rest))
        its: list[np.ndarray] = []
        vs: list[np.ndarray] = []
        tss: list[np.ndarray] = []
        for r in chunk_rows:
            if r[0] in summarized:
                rec = _extremes_points(r[6])
                its.append(rec["it"])
                vs.append(rec["v"])
                tss.append(rec["ts"])
            else:
                it, v, ts = decoded[r[0]]
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
            it, v, ts = self._read_points(conn, sid)
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

    # -- plots ---------------------------------------------------------------------------
    def plots(self, ids: Sequence[str], iteration: int | None = None) -> dict[str, list[Plot]]:
        with self._reading() as conn:
            by_rowid, marks = self._models_in(conn, ids)
            out: dict[str, list[Plot]] = {i: [] for i in ids if i in by_rowid.values()}
            if not by_rowid:
                return out
            limit_it = 2**63 - 1 if iteration is None else int(iteration)
            # SQLite's bare-column rule: with max(), the other columns come from the max row
            rows = conn.execute(
                f"""SELECT model, metric, variant, max(iteration), kind, data, ts FROM plots
                    WHERE model IN ({marks}) AND iteration <= ?
                    GROUP BY model, metric, variant ORDER BY metric, variant""",
                (*by_rowid, limit_it),
            ).fetchall()
            for model, *row in rows:
                out[by_rowid[model]].append(_plot_from_row(*row))
        return out

    def plot_iterations(self, ids: Sequence[str]) -> list[int]:
        with self._reading() as conn:
            rowids = self._model_rowids(conn, ids)
            if not rowids:
                return []
            marks = ",".join("?" * len(rowids))
            out = [
                r[0]
                for r in conn.execute(
                    f"SELECT DISTINCT iteration FROM plots WHERE model IN ({marks}) ORDER BY iteration",
                    list(rowids.values()),
                )
            ]
            if any(type(i) is not int for i in out):
                raise _Damage("a plot's iteration is not an integer")
        return out

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
            rowid = old[0]
            self._index_search_text(conn, rowid, old[1], p["search_text"])
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

    def _apply_search_updates(self, conn: sqlite3.Connection) -> None:
        updates = self._local.search_updates
        self._local.search_updates = []
        removed = [(rowid, old) for rowid, old, _new in updates if old is not None]
        added = [(rowid, new) for rowid, _old, new in updates if new is not None]
        if not removed or not added:  # one kind (or none): a statement each
            if removed:
                conn.executemany(
                    "INSERT INTO models_search(models_search, rowid, search_text) VALUES ('delete', ?, ?)", removed
                )
            if added:
                conn.executemany("INSERT INTO models_search(rowid, search_text) VALUES (?, ?)", added)
            return
        for rowid, old, new in updates:  # both: in order (a model may change twice)
            if old is not None:
                conn.execute(
                    "INSERT INTO models_search(models_search, rowid, search_text) VALUES ('delete', ?, ?)", (rowid, old)
                )
            if new is not None:
                conn.execute("INSERT INTO models_search(rowid, search_text) VALUES (?, ?)", (rowid, new))

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
            t_it, t_v, t_ts = self._read_points(conn, sid, "no >= ?", (first_no,))
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

        from ..core.downsample import dedupe_last_wins

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
        old_it, old_v, old_ts = self._read_points(conn, sid, "no >= ?", (first_no,))
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

    def export_records(self, ids: Sequence[str]) -> list[ModelRecord]:
        records = []
        with self._reading() as conn:
            models = self.get_models(ids)
            known = {m.id for m in models}
            missing = [i for i in ids if i not in known]
            if missing:
                raise SourceError(f"unknown model {missing[0]!r}")
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
                    _plot_from_row(*r)
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
        with self._reading() as conn:
            out = {
                "models": conn.execute("SELECT count(*) FROM models").fetchone()[0],
                "series": conn.execute("SELECT count(*) FROM series").fetchone()[0],
                "points": conn.execute("SELECT coalesce(sum(count), 0) FROM series").fetchone()[0],
            }
        wal = self.path.with_name(self.path.name + "-wal")
        out["bytes"] = self.path.stat().st_size if self.path.exists() else 0
        out["wal_bytes"] = wal.stat().st_size if wal.exists() else 0
        return out
