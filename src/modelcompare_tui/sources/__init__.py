"""Where models come from. `open_source(uri)` picks the implementation."""

from __future__ import annotations

import os

from .base import ReadOnlySourceError, Source, SourceError, shown_uri

__all__ = ["Source", "SourceError", "ReadOnlySourceError", "open_source", "resolve_source_uri"]


def resolve_source_uri(source: str | None = None, store: str | None = None) -> str:
    """--store beats --source beats MODELCOMPARE_SOURCE beats the default store."""
    if store:
        from .store import store_path

        return str(store_path(store))
    if source:
        return source
    env = os.environ.get("MODELCOMPARE_SOURCE")
    if env:
        return env
    from .store import default_store_path

    return str(default_store_path())


def open_source(uri: str, *, create: bool = True) -> Source:
    """Open a source from its URI (PRODUCT.md §3). `create`: an embedded store
    that does not exist is created (import, demo, the app's default store);
    otherwise a missing store is `no store at PATH`."""
    if uri.startswith(("mlflow+http://", "mlflow+https://")):
        from .mlflow.rest import open_mlflow_source

        return open_mlflow_source(uri)
    if uri.startswith("mlruns://"):
        from .mlflow.mlruns import open_mlruns_source

        return open_mlruns_source(uri)
    if uri.startswith("sqlite:///"):
        path = uri[len("sqlite://") :]
    elif "://" in uri:
        raise SourceError(
            f"{shown_uri(uri)}: unknown source (use a store path, sqlite:///, mlflow+http(s)://, mlruns:///)"
        )
    else:
        path = uri
    from .store import SQLiteStore

    return SQLiteStore(path, create=create)
