"""Where the store lives, and its connections: one per thread (Textual workers
read from threads while a training process may write from another process);
every read runs in one read transaction, so it sees one consistent state while
a writer commits; every write bumps the generation (the change token)."""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ...core.display import display_line
from ..base import BusySourceError, ReadOnlySourceError, SourceError
from .errors import _DAMAGE, _Damage, _damaged, _os_reason
from .schema import apply_search_updates, migrate, search_index_state

BUSY_TIMEOUT = 30.0  # seconds a write waits for another process's write lock
PAGE_SIZE = 8192  # set when a store is created; 4-16 KB measured within noise of each other
CACHE_KB = 8192  # page cache per connection: reads stream chunks, which need no caching


def _py_lower(text: str | None) -> str | None:
    # SQLite's lower() folds ASCII only; filters must match the way Python lowers the query
    return None if text is None else str(text).lower()


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


def default_store_path() -> Path:
    env = os.environ.get("MODELCOMPARE_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("modelcompare", appauthor=False)) / "models.db"


class StoreConnection:
    """The store's file, its per-thread connections and transactions, and the
    change token: what every part of SQLiteStore builds on."""

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
            self._search_table, self._search_index = search_index_state(self.conn)
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
            why = str(exc) if isinstance(exc, _Damage) else f"{type(exc).__name__}: {exc}"
            raise _damaged(self.path, why) from None

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
                updates, self._local.search_updates = self._local.search_updates, []
                apply_search_updates(conn, updates)
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

    def _migrate(self) -> None:
        """Bring the store to SCHEMA_VERSION (schema.migrate); on failure no connection stays open."""
        try:
            migrate(self.conn, self.path, self.read_only)
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
                    r[0]
                    for r in conn.execute(f"SELECT id FROM models WHERE gen <= ? AND id IN ({marks})", (since, *part))
                )
        return [i for i in ids if i not in fresh]

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
