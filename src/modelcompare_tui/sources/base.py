"""The one source interface every screen and `render` use.

A source answers the questions the screens ask, pushed down to where the data
lives (SQL for the embedded store, REST calls for MLflow): a page of the models
table, full details of a few models, scalar summaries, one downsampled series,
single values, plots, and a cheap change token for live updates.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from ..core.model import (
    Model,
    ModelPage,
    ModelQuery,
    ModelRecord,
    Plot,
    ScalarSummary,
    SeriesData,
)


def shown_uri(uri: str, limit: int = 200) -> str:
    """A source URI fit for an error message: one safe line without what may be a
    secret (a `user:password@` or `token@` before the host, a query, a fragment),
    so a refused URI's error never repeats a credential."""
    from ..core.display import display_line

    text = str(uri).strip()
    scheme, sep, rest = text.partition("://")
    if sep:
        cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
        tail = "?…" if cut < len(rest) else ""
        rest = rest[:cut]
        authority, slash, path = rest.partition("/")
        if "@" in authority:
            authority = "…@" + authority.rpartition("@")[2]
        text = f"{scheme}://{authority}{slash}{path}{tail}"
    return display_line(text, limit)


class SourceError(Exception):
    """Bad input or an unreachable/invalid source: shown as one line, exit code 2."""


class ReadOnlySourceError(SourceError):
    pass


class BusySourceError(SourceError):
    """Another process holds the source's write lock (a retry may succeed)."""


class DamagedSourceError(SourceError):
    """The source's content is damaged: `<source>: the store is damaged (<what>)`."""


class Source(ABC):
    #: the URI that may be stored and shared (never holds credentials)
    uri: str = ""
    #: no writes through this source (a remote source, or a store opened read-only
    #: because its file or filesystem is not writable: the app's live writes are off)
    read_only: bool = True
    #: queries are cheap local reads: the app may read ahead of what is shown
    local: bool = True

    # -- models table -------------------------------------------------------
    @abstractmethod
    def list_models(self, query: ModelQuery) -> ModelPage:
        """One page of the models table, filtered, searched and sorted by the source."""

    @abstractmethod
    def distinct_values(self, column: str, limit: int = 500) -> list[tuple[str, int]]:
        """Values of a categorical column with their model counts (for filter checklists)."""

    # -- details ------------------------------------------------------------
    @abstractmethod
    def get_models(self, ids: Sequence[str]) -> list[Model]:
        """Full details (labels, metadata, config, children) of the given models,
        in the order asked; ids that do not exist are left out."""

    # -- scalars ------------------------------------------------------------
    @abstractmethod
    def scalar_summaries(self, ids: Sequence[str]) -> dict[str, list[ScalarSummary]]:
        """model id -> its series' summaries, sorted by (metric, variant)."""

    @abstractmethod
    def series(
        self,
        model_id: str,
        metric: str,
        variant: str,
        *,
        start: float | None = None,
        end: float | None = None,
        by: str = "iteration",
        buckets: int = 400,
    ) -> SeriesData:
        """Points of one series with `by` (iteration | time) in [start, end],
        downsampled to at most `buckets` buckets: each bucket keeps its first,
        min, max and last point; the range's first and last point are always
        kept. Superseded points (same iteration re-reported) never appear."""

    @abstractmethod
    def single_values(self, ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """model id -> {name: value}."""

    # -- plots --------------------------------------------------------------
    @abstractmethod
    def plots(self, ids: Sequence[str], iteration: int | None = None) -> dict[str, list[Plot]]:
        """model id -> for each (metric, variant) the last plot reported at or before
        `iteration` (None = the last one)."""

    @abstractmethod
    def plot_iterations(self, ids: Sequence[str]) -> list[int]:
        """Sorted iterations at which any of the models reported a plot."""

    # -- live ---------------------------------------------------------------
    @abstractmethod
    def change_token(self) -> str:
        """A cheap token that changes whenever anything in the source changes."""

    def changed_since(self, token: str) -> bool:
        return self.change_token() != token

    # -- whole records (export, render) --------------------------------------
    def export_records(self, ids: Sequence[str]) -> list[ModelRecord]:
        raise ReadOnlySourceError(f"{self.uri}: export is not supported by this source")

    def close(self) -> None:  # noqa: B027 - optional hook: most sources hold nothing to release
        pass

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
