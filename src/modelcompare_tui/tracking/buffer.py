"""The scalar points an OutputModel buffers in memory, and the background
thread that writes them, retrying with backoff while the store cannot be
written (the package's docstring tells what is kept and what is raised)."""

from __future__ import annotations

import sys
import threading
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core.display import display_line
from ..core.model import Model
from ..sources.base import BusySourceError
from ..sources.store import SQLiteStore
from .errors import BufferFullError, TrackingError

FLUSH_POINTS = 10_000
FLUSH_SECONDS = 2.0
MAX_BUFFERED = 1_000_000

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


class BufferedScalars:
    """The scalar reports of OutputModel: report_scalar(s) and flush(), their
    buffer, and the writer thread."""

    #: first and longest delay between background retries of a failed write
    RETRY_FIRST = 0.25
    RETRY_MAX = 5.0
    #: how long a busy store is waited for before the training code is told
    RETRY_DEADLINE = 60.0

    # set by OutputModel before it starts the buffer
    store: SQLiteStore
    model: Model

    def __init__(self, *, flush_points: int, flush_seconds: float, max_buffered: int) -> None:
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

    @property
    def unwritten(self) -> int:
        """Points reported but not yet in the store."""
        with self._lock:
            return self._unwritten

    def _check_open(self, what: str) -> None:
        if self._closed:
            raise RuntimeError(f"{what} on a closed OutputModel")

    # -- reporting ---------------------------------------------------------------------
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
            self._writer = threading.Thread(target=self._background,
                                            name=f"modelcompare-writer-{self.model.id[:8]}", daemon=True)
            self._writer.start()

    def _stop_writer(self) -> None:
        """End the writer thread (after the last flush)."""
        with self._lock:
            self._stop = True
            self._wake.notify_all()
            writer, self._writer = self._writer, None
        if writer is not None and writer is not threading.current_thread():
            writer.join()

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
                    self.model.id,
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
