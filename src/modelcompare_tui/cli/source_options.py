"""The source the global options name (--store, --source, --demo, else
MODELCOMPARE_SOURCE or the default store), and the demo store.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from .errors import UsageError


def _open(args: argparse.Namespace, *, create: bool | None = False):
    """The source of --store/--source/MODELCOMPARE_SOURCE/the default store.
    `create`: make an embedded store that does not exist (True: import, demo;
    None: only the default store, for the app; False: `no store at PATH`)."""
    from ..sources import open_source, resolve_source_uri

    if getattr(args, "demo", False):
        if args.store or args.source:
            raise UsageError("--demo names the demo store: give it without --store/--source")
        return ensure_demo_store()
    if create is None:
        create = not (args.store or args.source or os.environ.get("MODELCOMPARE_SOURCE"))
    return open_source(resolve_source_uri(args.source, args.store), create=create)


def _writable(source: Any):
    from ..sources.base import ReadOnlySourceError

    if source.read_only:
        from ..sources.store import SQLiteStore

        if isinstance(source, SQLiteStore):
            raise ReadOnlySourceError(
                f"{source.uri}: the store is read-only (its file, folder or file system is not writable)"
            )
        raise ReadOnlySourceError(f"{source.uri}: this source is read-only")
    return source


def demo_store_path() -> Path:
    env = os.environ.get("MODELCOMPARE_DEMO_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("modelcompare", appauthor=False)) / "demo.db"


def ensure_demo_store(path: Path | None = None, n_models: int = 40, seed: int = 0):
    """The demo store, created (deterministically) on first use."""
    from ..sources.store import SQLiteStore

    path = path or demo_store_path()
    store = SQLiteStore(path)
    if store.count_models() == 0:
        from ..demo import generate_demo

        store.import_records(generate_demo(n_models, seed))
    return store


def _state_source(args: argparse.Namespace, state: Any):
    """render/report: --store/--source beat the state's own source."""
    from ..sources import open_source

    if args.store or args.source or getattr(args, "demo", False):
        return _open(args, create=False)
    if state.source:
        return open_source(state.source, create=False)
    return _open(args, create=False)
