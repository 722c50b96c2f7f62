"""The neutral shapes MLflow entities are handed over in, by either backend."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...core.downsample import dedupe_last_wins

TERMINAL_RUN_STATUSES = frozenset({"FINISHED", "FAILED", "KILLED"})


@dataclass(frozen=True)
class LatestMetric:
    step: int
    timestamp: int  # epoch ms
    value: float


@dataclass
class ExperimentData:
    experiment_id: str
    name: str
    lifecycle_stage: str = "active"


@dataclass
class RunData:
    run_id: str
    experiment_id: str
    name: str = ""
    user: str = ""
    status: str = ""
    start_time: int | None = None  # epoch ms
    end_time: int | None = None
    artifact_uri: str = ""
    lifecycle_stage: str = "active"
    params: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    metric_keys: list[str] = field(default_factory=list)
    # key -> latest point, when the backend knows it without reading histories (REST)
    latest: dict[str, LatestMetric] = field(default_factory=dict)

    @property
    def terminated(self) -> bool:
        return self.status in TERMINAL_RUN_STATUSES and self.end_time is not None


@dataclass
class RegisteredModelData:
    name: str
    description: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # alias -> version


@dataclass
class VersionData:
    name: str
    version: str
    created: int | None = None  # epoch ms
    updated: int | None = None
    stage: str = ""
    description: str = ""
    source: str = ""
    run_id: str = ""
    status: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    user_id: str = ""
    model_id: str = ""  # the MLflow 3 logged model behind it
    aliases: list[str] = field(default_factory=list)


@dataclass
class LoggedModelData:
    model_id: str
    experiment_id: str
    name: str = ""
    created: int | None = None
    updated: int | None = None
    artifact_uri: str = ""
    status: str = ""
    model_type: str = ""
    source_run_id: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


@dataclass
class Catalog:
    """Everything the models table needs, read in one go."""

    experiments: dict[str, ExperimentData] = field(default_factory=dict)
    registered: dict[str, RegisteredModelData] = field(default_factory=dict)
    versions: list[VersionData] = field(default_factory=list)
    logged: list[LoggedModelData] = field(default_factory=list)
    runs: dict[str, RunData] = field(default_factory=dict)


@dataclass
class RawHistory:
    """A metric history as read: in log order where the backend knows it."""

    steps: np.ndarray  # int64
    values: np.ndarray  # float64
    timestamps_ms: np.ndarray  # int64 / float64


@dataclass(frozen=True)
class History:
    """A deduped history sorted by step (the last point reported at a step wins)."""

    steps: np.ndarray
    values: np.ndarray
    times: np.ndarray  # epoch seconds

    def __len__(self) -> int:
        return int(self.steps.shape[0])


EMPTY_HISTORY = History(
    np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.float64)
)


def normalize_history(raw: RawHistory) -> History:
    """Sort by (step, timestamp), stable, so at a re-reported step the point logged
    last (by timestamp, then by log order) wins; then drop the superseded points."""
    steps = np.asarray(raw.steps, dtype=np.int64)
    values = np.asarray(raw.values, dtype=np.float64)
    times = np.asarray(raw.timestamps_ms, dtype=np.float64) / 1000.0
    if steps.shape[0] > 1:
        order = np.lexsort((times, steps))  # lexsort is stable: ties keep log order
        if not bool(np.all(order[1:] > order[:-1])):
            steps, values, times = steps[order], values[order], times[order]
    steps, values, times = dedupe_last_wins(steps, values, times)
    return History(
        np.ascontiguousarray(steps), np.ascontiguousarray(values), np.ascontiguousarray(times)
    )


@dataclass(frozen=True)
class ArtifactRef:
    """Where a model's MLmodel file lives: a logged model's artifacts, or a path
    inside a run's artifacts (MLflow 2 `runs:/<run>/<path>` sources)."""

    kind: str  # logged | run
    owner: str  # model id or run id
    path: str = ""  # inside the run's artifacts

    def key(self) -> str:
        return f"{self.kind}:{self.owner}:{self.path}"
