"""The store's tables, their migrations from older schema versions, and the
FTS5 trigram search index (created by a migration, kept in step by the writes)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

from ..base import SourceError
from .codec import _decode_chunk, _extremes_blob, _ts_to_ms

SCHEMA_VERSION = 4
APPLICATION_ID = 0x4D435354  # "MCST" in the SQLite header: marks a modelcompare store
TAG_SEP = "\x1f"

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


def fts_trigram_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34+; Python's
    own builds have FTS5)."""
    if sqlite3.sqlite_version_info < (3, 34, 0):
        return False
    return bool(conn.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0])


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


def search_index_state(conn: sqlite3.Connection) -> tuple[bool, bool]:
    """(the store has a search index, this SQLite can read it). A store with an
    index keeps it in sync (writes fail where this SQLite cannot: better than an
    index that misses models); reads use it when this SQLite can, and scan otherwise."""
    table = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name='models_search'").fetchone())
    return table, table and fts_trigram_available(conn)


SearchUpdate = tuple[int, "str | None", "str | None"]  # (rowid, old search text, new search text)


def apply_search_updates(conn: sqlite3.Connection, updates: list[SearchUpdate]) -> None:
    """The search index's updates of one write transaction, at its end (see
    StoreWrites._index_search_text): FTS5 needs the exact old text to remove it."""
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


def schema_version(conn: sqlite3.Connection, path: Path) -> int | None:
    """The store's schema version; None for an empty file. Refuses any other
    SQLite database rather than adding tables to it."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    if app_id not in (0, APPLICATION_ID):
        raise SourceError(f"{path}: an SQLite database of another application, not a modelcompare store")
    tables = {
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    }
    if "meta" not in tables:
        if tables:
            shown = ", ".join(sorted(tables)[:5])
            raise SourceError(f"{path}: an SQLite database, but not a modelcompare store (tables: {shown})")
        return None
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    try:
        version = int(row[0]) if row else 0
    except (TypeError, ValueError):
        raise SourceError(f"{path}: not a modelcompare store (schema_version is {row[0]!r})") from None
    if version == 0 and tables - {"meta"}:
        shown = ", ".join(sorted(tables - {"meta"})[:5])
        raise SourceError(f"{path}: an SQLite database, but not a modelcompare store (tables: {shown})")
    if version > SCHEMA_VERSION:
        raise SourceError(
            f"{path}: store schema v{version} is newer than this modelcompare "
            f"(v{SCHEMA_VERSION}); upgrade modelcompare"
        )
    return version


def migrate(conn: sqlite3.Connection, path: Path, read_only: bool) -> None:
    """Bring the store to SCHEMA_VERSION. An up-to-date store is only read, so
    opening it neither waits for a busy writer nor needs write access."""
    version = schema_version(conn, path)
    if version == SCHEMA_VERSION:
        return
    if read_only:
        raise SourceError(
            f"{path}: the store is read-only and "
            + ("empty" if version is None else f"needs an upgrade from schema v{version} to v{SCHEMA_VERSION}")
        )
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = schema_version(conn, path)  # again, under the write lock
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
