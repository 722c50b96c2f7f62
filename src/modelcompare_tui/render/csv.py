"""The Values table as a CSV download file (the Scalars tab's `d`), headless."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from ..core.scalars import ValueTable
from .value_text import value_table_to_csv

__all__ = ["DOWNLOAD_DIR_ENV", "download_dir", "write_csv"]

DOWNLOAD_DIR_ENV = "MODELCOMPARE_DOWNLOAD_DIR"


def download_dir() -> Path:
    """Where CSV downloads go: $MODELCOMPARE_DOWNLOAD_DIR, else the platform's
    downloads folder (platformdirs' user_downloads_dir: XDG_DOWNLOAD_DIR or
    ~/Downloads) when it exists and is writable, else the working directory,
    else the temp dir."""
    env = os.environ.get(DOWNLOAD_DIR_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    downloads = Path(platformdirs.user_downloads_dir())
    if downloads.is_dir() and os.access(downloads, os.W_OK):
        return downloads
    cwd = Path.cwd()
    return cwd if os.access(cwd, os.W_OK) else Path(tempfile.gettempdir())


def write_csv(table: ValueTable, directory: Path | None = None) -> Path:
    """Write the table as PRODUCT §6 CSV (value_table_to_csv, byte for byte
    what `render --format csv` prints) to a new file; returns its path."""
    directory = directory or download_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = directory / f"modelcompare-scalars-{table.agg}-{stamp}.csv"
    k = 2
    # lexists: a dangling symlink planted at the name counts as taken
    while os.path.lexists(path):
        path = directory / f"modelcompare-scalars-{table.agg}-{stamp}-{k}.csv"
        k += 1
    # an exclusive temp file renamed into place: never written through a symlink
    from ..core.safe_files import atomic_write_text

    return atomic_write_text(path, value_table_to_csv(table))
