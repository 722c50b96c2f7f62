"""The backend interface (what each MLflow reader provides), and a bounded
parallel map for its requests."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from .mapping import parse_model_id
from .shapes import (
    ArtifactRef,
    Catalog,
    ExperimentData,
    LoggedModelData,
    RawHistory,
    RegisteredModelData,
    RunData,
    VersionData,
    normalize_history,
)


class MlflowBackend(ABC):
    """Reads MLflow entities; `MlflowSource` maps them. All methods may raise SourceError."""

    #: shareable URI (no credentials)
    uri: str = ""

    @abstractmethod
    def catalog(self) -> Catalog:
        """Experiments, registered models, versions, logged models, and the runs
        the versions and logged models come from."""

    @abstractmethod
    def version(self, name: str, version: str) -> tuple[VersionData, RegisteredModelData] | None: ...

    @abstractmethod
    def logged_model(self, model_id: str) -> LoggedModelData | None: ...

    def model_run(self, model_id: str) -> tuple[str, str] | None:
        """(run id, experiment id or "") of a model, None when it does not exist."""
        parsed = parse_model_id(model_id)
        if parsed is None:
            return None
        kind, name, version = parsed
        if kind == "version":
            got = self.version(name, version)
            return (got[0].run_id, "") if got is not None else None
        logged = self.logged_model(name)
        return (logged.source_run_id, logged.experiment_id if logged.source_run_id else "") if logged else None

    @abstractmethod
    def runs(self, run_ids: Sequence[str], experiments: dict[str, str] | None = None) -> dict[str, RunData]:
        """Full runs (params, tags, metric keys); unknown ids are left out.
        `experiments` (run id -> experiment id) may let a backend read them in fewer requests."""

    @abstractmethod
    def experiment(self, experiment_id: str) -> ExperimentData | None: ...

    @abstractmethod
    def fingerprints(self, run: RunData) -> dict[str, str]:
        """metric key -> a text that changes whenever that history changes."""

    def persistent(self, run: RunData) -> bool:
        """May this run's histories be kept on disk?"""
        return run.terminated

    @abstractmethod
    def histories(self, wanted: dict[str, list[str]], runs: dict[str, RunData]) -> dict[tuple[str, str], RawHistory]:
        """Full histories for `{metric key: [run ids]}`."""

    def single_step_keys(
        self, wanted: dict[str, list[str]], runs: dict[str, RunData]
    ) -> dict[tuple[str, str], float | None]:
        """(run, key) -> the value when that metric was logged at one step only,
        else None. The default reads whole histories; a backend may probe cheaper."""
        out: dict[tuple[str, str], float | None] = {}
        for pair, raw in self.histories(wanted, runs).items():
            hist = normalize_history(raw)
            out[pair] = float(hist.values[0]) if len(hist) == 1 else None
        return out

    @abstractmethod
    def read_mlmodel(self, ref: ArtifactRef) -> str | None:
        """The MLmodel file's text, None when there is none."""

    @abstractmethod
    def change_token(self, run_ids: Sequence[str]) -> str: ...

    def cache_namespace(self) -> str:
        return hashlib.sha1(self.uri.encode("utf-8")).hexdigest()[:16]

    def close(self) -> None:  # noqa: B027 - optional hook: most backends hold nothing to release
        pass


def parallel_map(fn: Callable[[Any], Any], items: Sequence[Any], bound: int) -> list[Any]:
    """fn over items with at most `bound` running at once; results in order.
    The first exception (a SourceError) propagates once all calls are done."""
    if len(items) <= 1 or bound <= 1:
        return [fn(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(bound, len(items))) as pool:
        futures = [pool.submit(fn, item) for item in items]
        results = []
        error: BaseException | None = None
        for future in futures:
            try:
                results.append(future.result())
            except BaseException as exc:  # collected so every request finishes first
                error = error or exc
                results.append(None)
    if error is not None:
        raise error
    return results
