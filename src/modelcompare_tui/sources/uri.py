"""Source URIs compared: two spellings of one source (a relative path and its
absolute form, `sqlite:///x.db` and `x.db`, an MLflow URI with a trailing
slash) name the same source. Used by the state string's "another source?"
question and by `p`/paste."""

from __future__ import annotations

from pathlib import Path

from .base import SourceError

__all__ = ["absent_local_store", "canonical_source_uri", "same_source"]


def canonical_source_uri(uri: str) -> str:
    """A source URI in the form the source itself reports (`Source.uri`), so
    that two spellings of one source compare equal: store paths resolved,
    `sqlite:///` dropped, MLflow URIs normalised."""
    text = uri.strip()
    if text.startswith("sqlite:///"):
        text = text[len("sqlite://") :]
    if "://" not in text:
        try:
            return str(Path(text).expanduser().resolve())
        except (OSError, RuntimeError):
            return text
    try:
        if text.lower().startswith(("mlflow+http://", "mlflow+https://")):
            from .mlflow.rest import parse_mlflow_uri

            return parse_mlflow_uri(text)[0]
        if text.lower().startswith("mlruns:"):
            from .mlflow.mlruns import parse_mlruns_uri

            return parse_mlruns_uri(text)[0]
    except SourceError:
        pass
    return text.rstrip("/")


def same_source(a: str, b: str) -> bool:
    """Whether two source URIs name the same source ("" names the current one)."""
    if not a or not b:
        return True
    return a == b or canonical_source_uri(a) == canonical_source_uri(b)


def absent_local_store(uri: str) -> bool:
    """`uri` names an embedded store (a path) that does not exist on this machine."""
    text = uri.strip()
    if text.startswith("sqlite:///"):
        text = text[len("sqlite://") :]
    elif "://" in text:
        return False
    try:
        return not Path(text).expanduser().exists()
    except OSError:
        return True
