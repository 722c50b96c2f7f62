"""The logging API for training code, in the spirit of ClearML's OutputModel.

    from modelcompare_tui.tracking import OutputModel

    model = OutputModel(name="resnet50-ft", project="vision", framework="PyTorch",
                        config={"lr": 1e-3}, tags=["sweep"])
    for it in range(10_000):
        model.report_scalar("loss", "train", loss, it)      # buffered
    model.report_scalars("loss", "val", iterations, values)  # batch: arrays
    model.report_single_value("test_accuracy", 0.913)
    model.report_plot("roc", "val", it, "line", {"series": [...]})
    model.close()                                            # or `with OutputModel(...)`

Single points are buffered and flushed when the buffer holds FLUSH_POINTS points,
every FLUSH_SECONDS (a background writer thread), on flush()/close(), and at
interpreter exit, so a training loop pays a few array appends per point, not a
database write.

Nothing reported is dropped silently. A write that fails (another process holds
the store's write lock, a full disk, an I/O error) keeps the unwritten points in
the buffer, prints one line to stderr at once, and is retried in the background
with backoff. The training code gets a TrackingError at its next report_*,
flush() or close() when the failure is not a busy store, or when the store has
stayed busy for RETRY_DEADLINE seconds; the points stay buffered and land when
the store can be written again. The buffer holds at most MAX_BUFFERED points
(24 bytes each: 24 MB): past that, report_* raises BufferFullError and the
point of that call is not recorded (a training loop that blocked instead would
hang with no word; an exception lets it checkpoint, wait or stop).

What a kill -9 loses: the points still in the buffer, never more (committed
writes survive, the store is in WAL mode). Normally that is under FLUSH_POINTS
points or FLUSH_SECONDS of reports; while the store cannot be written, every
point reported since the failure began (at most MAX_BUFFERED).
"""

from __future__ import annotations

import atexit
import json
import sys
import threading
import time
import uuid
import weakref
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .core.display import display_line
from .core.model import STATUSES, Config, MetadataItem, Model, Plot
from .sources.base import BusySourceError, SourceError
from .sources.store import SQLiteStore, default_store_path

__all__ = ["OutputModel", "TrackingError", "BufferFullError", "FLUSH_POINTS", "FLUSH_SECONDS", "MAX_BUFFERED"]

FLUSH_POINTS = 10_000
FLUSH_SECONDS = 2.0
MAX_BUFFERED = 1_000_000

_live_models: weakref.WeakSet[OutputModel] = weakref.WeakSet()


class TrackingError(SourceError):
    """Reported points could not be written to the store. Unless the error is a
    BufferFullError they are kept in the buffer (`unwritten`) and retried."""

    def __init__(self, message: str, *, unwritten: int = 0, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.unwritten = unwritten
        self.cause = cause


class BufferFullError(TrackingError):
    """The buffer holds MAX_BUFFERED unwritten points: the point of this call was
    not recorded (the buffered ones still are kept and retried)."""


def _flush_all_at_exit() -> None:
    for model in list(_live_models):
        try:
            model.close()
        except TrackingError as exc:
            # the process is ending: these points are lost, and the user must know
            print(f"modelcompare: {exc.unwritten} points were never written and are lost: {exc}", file=sys.stderr)
        except Exception:  # noqa: BLE001 - never fail interpreter exit
            pass


atexit.register(_flush_all_at_exit)


def _config_from(value: Any) -> Config | None:
    if value is None:
        return None
    if isinstance(value, Config):
        return value
    if isinstance(value, (dict, list)):
        return Config("json", json.dumps(value, indent=2, sort_keys=False, default=str))
    if isinstance(value, str):
        return Config("text", value)
    raise TypeError(f"config must be a dict, list, str or Config, not {type(value).__name__}")


# One series' buffered points: iterations, values, timestamps (8 bytes each).
_Points = tuple["array[int]", "array[float]", "array[float]"]


def _new_points() -> _Points:
    return array("q"), array("d"), array("d")


@dataclass
class _Failure:
    """A run of failed writes, from the first failure to the next success."""

    since: float  # time.monotonic() of the first failure
    cause: str  # one line: the last failure
    busy: bool  # the last failure was a busy store (worth waiting for)
    retry_in: float  # the next background attempt's delay (doubles up to RETRY_MAX)


class OutputModel:
    """Create (or reopen, with `id=`) a model in the store and report to it."""

    #: SQLite busy timeout of the store an OutputModel opens itself (seconds): how
    #: long one write waits for another process's write lock before it counts as failed
    BUSY_TIMEOUT = 5.0
    #: first and longest delay between background retries of a failed write
    RETRY_FIRST = 0.25
    RETRY_MAX = 5.0
    #: how long a busy store is waited for before the training code is told
    RETRY_DEADLINE = 60.0

    def __init__(
        self,
        name: str | None = None,
        *,
        id: str | None = None,
        project: str = "",
        framework: str = "",
        tags: Sequence[str] = (),
        config: Any = None,
        labels: dict[str, int] | None = None,
        metadata: dict[str, Any] | Sequence[MetadataItem] | None = None,
        comment: str = "",
        uri: str = "",
        task_id: str = "",
        task_name: str = "",
        parent: str = "",
        status: str = "draft",
        user: str = "",
        store: SQLiteStore | str | None = None,
        flush_points: int = FLUSH_POINTS,
        flush_seconds: float = FLUSH_SECONDS,
        max_buffered: int = MAX_BUFFERED,
    ) -> None:
        if isinstance(store, SQLiteStore):
            self.store = store
            self._owns_store = False
        else:
            self.store = SQLiteStore(store or default_store_path(), busy_timeout=self.BUSY_TIMEOUT)
            self._owns_store = True
        if self.store.read_only:
            raise TrackingError(f"{self.store.uri}: the store is read-only; cannot log to it")
        existing = self.store.get_models([id]) if id else []
        if existing:
            self.model = existing[0]
            self.model.children = []
        else:
            if not name:
                raise ValueError("OutputModel needs a name (or the id of an existing model)")
            if user == "":
                import getpass

                try:
                    user = getpass.getuser()
                except Exception:  # noqa: BLE001 - no user name in some containers
                    user = ""
            self.model = Model(id=id or uuid.uuid4().hex, name=name, user=user)
            self._apply(
                project=project, framework=framework, tags=tags, config=config, labels=labels,
                metadata=metadata, comment=comment, uri=uri, task_id=task_id, task_name=task_name,
                parent=parent, status=status,
            )
            self.store.save_model(self.model)
        self._flush_points = max(1, int(flush_points))
        self._flush_seconds = flush_seconds
        self._max_buffered = max(self._flush_points, int(max_buffered))
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._write_lock = threading.Lock()  # one write at a time, in report order
        self._buffer: dict[tuple[str, str], _Points] = {}
        self._unwritten = 0  # buffered + being written
        self._in_buffer = 0  # of which in self._buffer
        self._write_at: float | None = None  # monotonic time of the next background write
        self._failure: _Failure | None = None
        self._pending_error: TrackingError | None = None  # raised at the next call
        self._closed = False
        self._stop = False
        self._writer: threading.Thread | None = None
        _live_models.add(self)

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def unwritten(self) -> int:
        """Points reported but not yet in the store."""
        with self._lock:
            return self._unwritten

    # -- fields --------------------------------------------------------------------
    def _apply(self, **fields: Any) -> None:
        m = self.model
        for key, value in fields.items():
            if key == "config":
                m.config = _config_from(value)
            elif key == "tags":
                m.tags = list(value)
            elif key == "labels":
                m.labels = {str(k): int(v) for k, v in (value or {}).items()}
            elif key == "metadata":
                if isinstance(value, dict):
                    m.metadata = [
                        MetadataItem(str(k), type(v).__name__, str(v)) for k, v in value.items()
                    ]
                else:
                    m.metadata = list(value or [])
            elif key == "status":
                if value not in STATUSES:
                    raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {value!r}")
                m.status = value
            elif hasattr(m, key) and key not in ("id", "children"):
                setattr(m, key, value)
            else:
                raise TypeError(f"unknown model field {key!r}")

    def update(self, **fields: Any) -> None:
        """Change descriptive fields (name, project, tags, config, status, ...)."""
        self._check_open("update")
        self._apply(**fields)
        self.model.updated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._direct_write("update", lambda: self.store.save_model(self.model))

    def publish(self) -> None:
        self.update(status="published")

    # -- scalars ---------------------------------------------------------------------
    def report_scalar(self, metric: str, variant: str, value: float, iteration: int) -> None:
        """Buffered: a few array appends per call. Raises TrackingError when earlier
        points could not be written (this one is buffered all the same), and
        BufferFullError when the buffer is full (this one is not recorded)."""
        self._check_open("report_scalar")
        iteration, value = int(iteration), float(value)
        now = time.time()
        with self._lock:
            if self._unwritten >= self._max_buffered:
                full = True
            else:
                full = False
                buf = self._buffer.get((metric, variant))
                if buf is None:
                    buf = self._buffer[(metric, variant)] = _new_points()
                buf[0].append(iteration)
                buf[1].append(value)
                buf[2].append(now)
                self._unwritten += 1
                self._in_buffer += 1
                due = self._in_buffer >= self._flush_points and self._failure is None
                self._schedule()
        if full:
            self._make_room("report_scalar", 1)
            self.report_scalar(metric, variant, value, iteration)
            return
        if due:
            self._write_buffer()
        self._raise_pending()

    def report_scalars(
        self,
        metric: str,
        variant: str,
        iterations: Sequence[int] | np.ndarray,
        values: Sequence[float] | np.ndarray,
        timestamps: Sequence[float] | np.ndarray | None = None,
    ) -> None:
        """Batch form: arrays written at once, after the points buffered before them.
        If the write fails they stay buffered with the rest (see report_scalar)."""
        self._check_open("report_scalars")
        where = f"report_scalars {metric}/{variant}"
        try:
            it = np.asarray(iterations, dtype=np.int64).ravel()
            v = np.asarray(values, dtype=np.float64).ravel()
            ts = (np.full(it.shape, time.time()) if timestamps is None
                  else np.asarray(timestamps, dtype=np.float64).ravel())
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"{where}: points are not numbers ({exc})") from None
        if not (it.shape == v.shape == ts.shape):
            raise ValueError(
                f"{where}: iterations, values and timestamps differ in length ({it.size}, {v.size}, {ts.size})"
            )
        n = int(it.size)
        if n > self._max_buffered:
            raise BufferFullError(
                f"{where}: {n} points are more than the buffer holds ({self._max_buffered}); "
                "nothing of this call was recorded: report them in smaller batches",
                unwritten=self.unwritten,
            )
        while True:
            with self._lock:
                if self._unwritten + n <= self._max_buffered:
                    buf = self._buffer.get((metric, variant))
                    if buf is None:
                        buf = self._buffer[(metric, variant)] = _new_points()
                    buf[0].frombytes(it.astype("=i8").tobytes())
                    buf[1].frombytes(v.astype("=f8").tobytes())
                    buf[2].frombytes(ts.astype("=f8").tobytes())
                    self._unwritten += n
                    self._in_buffer += n
                    break
            self._make_room(where, n)
        self.flush()

    def flush(self) -> None:
        """Write every buffered point now. While the store is busy this retries with
        backoff for up to RETRY_DEADLINE seconds; then (or at once, for any other
        failure) it raises TrackingError, and the points stay buffered."""
        if not self._write_buffer():
            self._wait_out_busy_store()
        self._raise_pending()

    def _wait_out_busy_store(self) -> None:
        while True:
            with self._lock:
                failure = self._failure
                if failure is None:
                    return
                waited = time.monotonic() - failure.since
                if not failure.busy or waited >= self.RETRY_DEADLINE:
                    self._pending_error = self._error_now(failure)
                    return
                delay = min(failure.retry_in, self.RETRY_DEADLINE - waited)
            time.sleep(max(0.0, delay))
            if self._write_buffer():
                return

    # -- the writer --------------------------------------------------------------------
    def _schedule(self) -> None:
        """(under the lock) Make sure the background writer will write the buffer."""
        if self._write_at is None:
            self._write_at = time.monotonic() + self._flush_seconds
            self._wake.notify()
        if self._writer is None and not self._stop:
            self._writer = threading.Thread(target=self._background, name=f"modelcompare-writer-{self.id[:8]}",
                                            daemon=True)
            self._writer.start()

    def _background(self) -> None:
        while True:
            with self._lock:
                while not self._stop:
                    now = time.monotonic()
                    if self._write_at is not None and now >= self._write_at:
                        break
                    self._wake.wait(None if self._write_at is None else self._write_at - now)
                if self._stop:
                    return
                self._write_at = None
            try:
                self._write_buffer()
            except Exception as exc:  # noqa: BLE001 - never kill the writer, never stay silent
                print(f"modelcompare: the background writer of model {display_line(self.model.name, 80)} "
                      f"failed: {display_line(repr(exc), 200)}", file=sys.stderr)

    def _write_buffer(self) -> bool:
        """Try to write the buffered points; False (points kept) when that failed."""
        with self._write_lock:
            with self._lock:
                if not self._in_buffer:
                    return self._failure is None or self._unwritten == 0
                taken, self._buffer = self._buffer, {}
                count, self._in_buffer = self._in_buffer, 0
            try:
                # copies (np.array), not views: a view exports the array's buffer, and an
                # exported array cannot grow when a failed write's points are kept
                self.store.add_many(
                    self.id,
                    [
                        (metric, variant, np.array(its, np.int64), np.array(vals, np.float64),
                         np.array(ts, np.float64))
                        for (metric, variant), (its, vals, ts) in taken.items()
                    ],
                )
            except Exception as exc:  # noqa: BLE001 - any failure keeps the points
                self._keep(taken, count, exc)
                return False
            with self._lock:
                self._unwritten -= count
                recovered = self._failure
                self._failure = None
                self._pending_error = None
                if self._in_buffer:
                    self._write_at = time.monotonic() + self._flush_seconds
            if recovered is not None:
                waited = time.monotonic() - recovered.since
                print(f"modelcompare: model {display_line(self.model.name, 80)}: the buffered points are in "
                      f"the store now (after {waited:.1f} s)", file=sys.stderr)
            return True

    def _keep(self, taken: dict[tuple[str, str], _Points], count: int, exc: BaseException) -> None:
        """Put the points of a failed write back in front of those reported since."""
        busy = isinstance(exc, BusySourceError)
        cause = display_line(str(exc) or type(exc).__name__, 300)
        with self._lock:
            for key, points in self._buffer.items():
                old = taken.get(key)
                if old is None:
                    taken[key] = points
                else:
                    old[0].extend(points[0])
                    old[1].extend(points[1])
                    old[2].extend(points[2])
            self._buffer = taken
            self._in_buffer += count
            failure = self._failure
            first = failure is None
            if failure is None:
                failure = self._failure = _Failure(time.monotonic(), cause, busy, self.RETRY_FIRST)
            else:
                failure.cause, failure.busy = cause, busy
                failure.retry_in = min(self.RETRY_MAX, failure.retry_in * 2)
            if not busy or time.monotonic() - failure.since >= self.RETRY_DEADLINE:
                self._pending_error = self._error_now(failure)
            if not self._stop:
                self._write_at = time.monotonic() + failure.retry_in
                self._wake.notify()
            unwritten = self._unwritten
        if first:
            print(f"modelcompare: model {display_line(self.model.name, 80)}: cannot write {unwritten} points "
                  f"({cause}); they are kept in memory and retried", file=sys.stderr)

    def _error_now(self, failure: _Failure) -> TrackingError:
        """(under the lock) The exception that tells the training code."""
        waited = time.monotonic() - failure.since
        why = f"the store has been busy for {waited:.0f} s" if failure.busy else "the store cannot be written"
        return TrackingError(
            f"model {display_line(self.model.name, 80)}: {self._unwritten} reported points are not in the "
            f"store ({why}: {failure.cause}); they are kept in memory and retried",
            unwritten=self._unwritten,
        )

    def _make_room(self, where: str, n: int) -> None:
        """The buffer is full: one write attempt now, then BufferFullError."""
        self._write_buffer()
        with self._lock:
            if self._unwritten + n <= self._max_buffered:
                return
            failure = self._failure
            cause = failure.cause if failure else "the store is not keeping up"
            unwritten = self._unwritten
            self._pending_error = None  # told now
        raise BufferFullError(
            f"{where}: the buffer is full ({unwritten} unwritten points, the most it holds); "
            f"this call was not recorded ({cause})",
            unwritten=unwritten,
        )

    def _raise_pending(self) -> None:
        with self._lock:
            error, self._pending_error = self._pending_error, None
        if error is not None:
            raise error

    def _check_open(self, what: str) -> None:
        if self._closed:
            raise RuntimeError(f"{what} on a closed OutputModel")

    def _direct_write(self, what: str, write: Any) -> None:
        """A write that is not buffered (single values, plots, fields): it happens
        now or raises; then any pending failure of the buffered points is raised."""
        try:
            write()
        except SourceError as exc:
            raise TrackingError(
                f"model {display_line(self.model.name, 80)}: {what} was not recorded ({display_line(str(exc), 300)})",
                unwritten=self.unwritten, cause=exc,
            ) from None
        self._raise_pending()

    # -- single values and plots ------------------------------------------------------
    def report_single_value(self, name: str, value: float) -> None:
        self._check_open("report_single_value")
        value = float(value)
        self._direct_write(f"report_single_value {name}", lambda: self.store.set_single_values(self.id, {name: value}))

    def report_plot(self, metric: str, variant: str, iteration: int, kind: str, data: dict[str, Any]) -> None:
        from .core.model import PLOT_KINDS
        from .core.modelfile import check_plot_data

        self._check_open("report_plot")
        if kind not in PLOT_KINDS:
            raise ValueError(f"report_plot {metric}/{variant}: kind must be one of {', '.join(PLOT_KINDS)}")
        try:
            data = check_plot_data(kind, data)
        except ValueError as exc:
            raise ValueError(f"report_plot {metric}/{variant}: {exc}") from None
        plot = Plot(metric, variant, int(iteration), kind, data, time.time())
        self._direct_write(f"report_plot {metric}/{variant}", lambda: self.store.add_plots(self.id, [plot]))

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        """Write the buffer (see flush(): raises TrackingError if the points cannot
        be written; the model then stays open and close() may be called again)."""
        if self._closed:
            return
        self.flush()
        with self._lock:
            self._stop = True
            self._wake.notify_all()
            writer, self._writer = self._writer, None
        if writer is not None and writer is not threading.current_thread():
            writer.join()
        self._closed = True
        _live_models.discard(self)
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> OutputModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
