"""Damaged content and OS errors, as the store reports them: one line naming the store."""

from __future__ import annotations

from pathlib import Path

from ...core.display import display_line
from ..base import DamagedSourceError


class _Damage(Exception):
    """Stored content that cannot be what the store wrote (a damaged store); the
    store's read and write transactions turn it into DamagedSourceError."""


# What damaged content raises in the code that reads it (a wrong type where a
# number or text was written, bad JSON, a short blob): the safety net of reads.
_DAMAGE = (_Damage, ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
           ZeroDivisionError)


def _os_reason(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ENAMETOOLONG:
        return "a name in the path is longer than the file system allows"
    if exc.errno == errno.ELOOP:
        return "a symlink loop"
    return exc.strerror or str(exc)


def _damaged(path: Path, what: str) -> DamagedSourceError:
    return DamagedSourceError(f"{path}: the store is damaged ({display_line(what, 200)})")
