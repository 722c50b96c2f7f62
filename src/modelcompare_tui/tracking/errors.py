"""What the logging API raises when reported points cannot be recorded."""

from __future__ import annotations

from ..sources.base import SourceError


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
