"""Output files written safely: never through a planted symlink, never half-written.

Every output (the CSV download, `export`, `report`, caches) is written to a new
temporary file created exclusively (O_CREAT | O_EXCL | O_NOFOLLOW) in the target's
own directory, flushed, then renamed over the target. A rename replaces a
symlink at the target rather than following it, and an interrupted write leaves
the old file (or nothing) in place, never a truncated one.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["SafeWriteError", "atomic_write_bytes", "atomic_write_text"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class SafeWriteError(OSError):
    """The output file could not be written (its message names the path)."""


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o644,
                       fsync: bool = True) -> Path:
    """Write `data` to `path` through an exclusive temporary file and a rename."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise SafeWriteError(f"{target}: is a directory")
    for _attempt in range(16):
        temp = directory / f".{target.name[:200]}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(temp, _FLAGS, mode)
        except FileExistsError:
            continue  # a name someone planted (or a rare clash): pick another
        except OSError as exc:
            raise SafeWriteError(f"{target}: cannot write ({exc.strerror or exc})") from None
        break
    else:
        raise SafeWriteError(f"{target}: cannot create a temporary file in {directory}")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise SafeWriteError(f"{target}: cannot write ({exc.strerror or exc})") from None
    return target


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8",
                      newline: str | None = None, mode: int = 0o644, fsync: bool = True) -> Path:
    """`atomic_write_bytes` for text. `newline`: translate "\\n" to it (as `open` does)."""
    if newline is not None and newline != "\n":
        text = text.replace("\n", newline)
    return atomic_write_bytes(path, text.encode(encoding, errors="strict"), mode=mode, fsync=fsync)
