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

The parts: output_model.py (OutputModel: the model's fields, single values,
plots, its lifetime), buffer.py (the buffered scalars and their background
writer), errors.py.
"""

from .buffer import FLUSH_POINTS, FLUSH_SECONDS, MAX_BUFFERED
from .errors import BufferFullError, TrackingError
from .output_model import OutputModel

__all__ = ["OutputModel", "TrackingError", "BufferFullError", "FLUSH_POINTS", "FLUSH_SECONDS", "MAX_BUFFERED"]
