"""What the two read-only MLflow sources share: the mapping of MLflow entities to
modelcompare's models, the in-memory models table, and the metric-history cache.

`mlflow_rest.py` (a tracking server, over REST) and `mlruns.py` (a file store
folder) are *backends*: they read MLflow entities and hand them over in the
neutral shapes below. `MlflowSource` turns those into the one Source interface,
so both sources answer every question the same way.

Mapping (the README's "MLflow sources" section describes it for users):

* a model is a registered model version (id `name/version`, the name
  percent-encoded) or an MLflow 3 logged model (id `m-…`); a logged model that
  is registered is listed once, as its version, but stays reachable by its id;
* status: registered versions are `published`, unregistered logged models `draft`;
* project: the experiment of the source run; task: the source run;
* config: the run's params (plus the logged model's own params) as YAML, dotted
  keys nested so the Network tab shows each param under its logged name;
* metadata: registry facts, version/model tags (`tag:…`) and run tags (`run_tag:…`);
* scalars: metric histories with at least two distinct steps; a metric key's
  variant is the part after its last `/` (else after its last `.`, when that
  part does not start with a digit); keys without one have a single series
  whose variant is the key itself (ClearML's convention for one-series metrics);
* single values: metrics logged at a single step.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import numpy as np
import yaml

from ..core.downsample import dedupe_last_wins, downsample_indices, summarize
from ..core.model import (
    Config,
    MetadataItem,
    Model,
    ModelPage,
    ModelQuery,
    ModelRecord,
    ModelRow,
    Plot,
    ScalarSeries,
    ScalarSummary,
    SeriesData,
)
from ..core.safe_files import atomic_write_bytes, atomic_write_text
from .base import Source, SourceError

TERMINAL_RUN_STATUSES = frozenset({"FINISHED", "FAILED", "KILLED"})
PARENT_TAG = "modelcompare.parent"
FRAMEWORK_TAG = "framework"
PROMPT_TAG = "mlflow.prompt.is_prompt"
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Run tags that are noise in a side-by-side view (huge JSON, or shown elsewhere).
HIDDEN_RUN_TAGS = frozenset({"mlflow.log-model.history", "mlflow.runName"})
# How long listed entities and run facts are trusted before they are read again.
CATALOG_TTL_S = 30.0
RUN_TTL_S = 2.0  # runs still in progress change all the time
FINISHED_RUN_TTL_S = 30.0


# -- neutral entity shapes -------------------------------------------------------


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


# -- small mapping helpers -------------------------------------------------------


def split_metric_key(key: str) -> tuple[str, str]:
    """`loss/train` -> (loss, train); `val.acc` -> (val, acc); `acc` -> (acc, acc).

    The variant is the suffix after the last `/`, else after the last `.` unless
    that suffix starts with a digit (`acc@0.5` stays whole)."""
    slash = key.rfind("/")
    if 0 < slash < len(key) - 1:
        return key[:slash], key[slash + 1 :]
    dot = key.rfind(".")
    if 0 < dot < len(key) - 1 and not key[dot + 1].isdigit() and slash == -1:
        return key[:dot], key[dot + 1 :]
    return key, key


def series_keys(metric_keys: Iterable[str]) -> dict[tuple[str, str], str]:
    """(metric, variant) -> metric key, for one run. Two keys that split the same
    way (`loss/train`, `loss.train`): the first in sorted order keeps the split,
    the other is shown whole."""
    out: dict[tuple[str, str], str] = {}
    for key in sorted(metric_keys):
        pair = split_metric_key(key)
        if pair in out:
            pair = (key, key)
        out[pair] = key
    return out


def iso_ms(ms: int | float | None) -> str:
    if ms is None or ms == 0:
        return ""
    try:
        return datetime.fromtimestamp(float(ms) / 1000.0, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return ""


def version_model_id(name: str, version: str) -> str:
    return f"{quote(name, safe='')}/{version}"


def parse_model_id(model_id: str) -> tuple[str, str, str] | None:
    """-> ("version", name, version) or ("logged", model_id, "") or None."""
    if "/" in model_id:
        name, _, version = model_id.rpartition("/")
        if name and version.isdigit():
            return "version", unquote(name), version
        return None
    if model_id.startswith("m-") and len(model_id) > 2:
        return "logged", model_id, ""
    return None


def model_id_from_reference(ref: str, registered: dict[str, RegisteredModelData]) -> str:
    """A parent given as a model id, or as an MLflow model URI (`models:/name/3`,
    `models:/name@alias`, `models:/m-…`) -> model id ("" when it names nothing)."""
    ref = ref.strip()
    if ref.startswith("models:/"):
        body = ref[len("models:/") :].strip("/")
        if body.startswith("m-") and "/" not in body:
            return body
        if "@" in body:
            name, _, alias = body.rpartition("@")
            version = registered.get(name, RegisteredModelData(name)).aliases.get(alias)
            return version_model_id(name, version) if version else ""
        name, _, version = body.rpartition("/")
        return version_model_id(name, version) if name and version.isdigit() else ""
    return ref if parse_model_id(ref) else ""


def user_tags(tags: dict[str, str]) -> list[str]:
    """Tags for the models table: a key/value tag as `key=value` (`key` when the
    value is empty), MLflow's own `mlflow.*` tags left to the metadata."""
    out = []
    for key in sorted(tags):
        if key.startswith("mlflow.") or key in (PARENT_TAG, FRAMEWORK_TAG):
            continue
        value = tags[key]
        out.append(key if value == "" else f"{key}={value}")
    return out


def flavor_from_mlmodel(text: str) -> str:
    """The framework named by an MLmodel file: its first flavor that is not the
    generic python_function ("pyfunc" when that is all there is)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return ""
    flavors = doc.get("flavors") if isinstance(doc, dict) else None
    if not isinstance(flavors, dict):
        return ""
    for name in flavors:
        if name != "python_function":
            return str(name)
    return "pyfunc" if "python_function" in flavors else ""


def flavor_from_log_model_history(tags: dict[str, str]) -> str:
    """MLflow 2 runs record their logged models' flavors in a run tag."""
    text = tags.get("mlflow.log-model.history")
    if not text:
        return ""
    try:
        entries = json.loads(text)
    except ValueError:
        return ""
    for entry in entries if isinstance(entries, list) else []:
        flavors = entry.get("flavors") if isinstance(entry, dict) else None
        if isinstance(flavors, dict):
            for name in flavors:
                if name != "python_function":
                    return str(name)
    return ""


def _typed_param(value: str) -> Any:
    """A param as YAML would best show it: a number stays a number when YAML writes
    it back as the very same text; everything else stays the exact string."""
    try:
        loaded = yaml.load(value, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return value
    if isinstance(loaded, (int, float)) and not isinstance(loaded, bool):
        if yaml.safe_dump(loaded, default_flow_style=True).split("\n", 1)[0] == value:
            return loaded
    return value


def _nestable(parts: list[str]) -> bool:
    return len(parts) > 1 and all(
        part and part == part.strip() and not any(c in part for c in '[]"') for part in parts
    )


def nest_dotted(flat: dict[str, Any]) -> dict[str, Any]:
    """`{"optimizer.name": "adam"}` -> `{"optimizer": {"name": "adam"}}`, so that a
    flattened view shows the key as it was logged. A key that would collide (`a`
    next to `a.b`, or an odd segment) stays whole at the top."""
    paths = {key: key.split(".") for key in flat}
    nested_keys = {key for key, parts in paths.items() if _nestable(parts)}
    leaves = {tuple(paths[k]) if k in nested_keys else (k,) for k in flat}
    for key in list(nested_keys):
        parts = paths[key]
        if any(tuple(parts[:i]) in leaves for i in range(1, len(parts))):
            nested_keys.discard(key)
    out: dict[str, Any] = {}
    for key in sorted(flat):
        if key not in nested_keys:
            out[key] = flat[key]
            continue
        node = out
        *branches, leaf = paths[key]
        for part in branches:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a whole key equal to this branch: keep flat
                out[key] = flat[key]
                break
            node = child
        else:
            node[leaf] = flat[key]
    return out


def params_config(params: dict[str, str]) -> Config | None:
    """Params as YAML; dotted keys (`optimizer.lr`) become nested mappings, so the
    Network tab lines them up under their logged names."""
    if not params:
        return None
    typed = {key: _typed_param(params[key]) for key in params}
    text = yaml.safe_dump(
        nest_dotted(typed), sort_keys=True, allow_unicode=True, default_flow_style=False, width=1_000_000
    )
    return Config(format="yaml", text=text)


# -- the models table in memory --------------------------------------------------


@dataclass
class Entry:
    """One model of the list, with what it takes to find its data."""

    id: str
    kind: str  # version | logged
    row: ModelRow
    run_id: str
    parent: str
    version: VersionData | None = None
    logged: LoggedModelData | None = None
    listed: bool = True  # False: a registered logged model, shown as its version


def _cell_text(row: ModelRow, column: str) -> str:
    if column not in ModelRow.__dataclass_fields__:
        raise SourceError(f"unknown models table column {column!r}")
    return row.cell(column)


def _row_matches(row: ModelRow, query: ModelQuery) -> bool:
    if query.search:
        needle = query.search.lower()
        if not (
            needle in row.name.lower()
            or needle in row.project.lower()
            or any(needle in tag.lower() for tag in row.tags)
        ):
            return False
    for column, accepted in query.filters:
        if not accepted:
            continue
        if column == "tags":
            if not set(row.tags) & set(accepted):
                return False
        elif _cell_text(row, column) not in accepted:
            return False
    for column, low, high in query.ranges:
        text = _cell_text(row, column)
        if low and text < low:
            return False
        # a high bound is inclusive of everything it is a prefix of (a date covers its day)
        if high and text[: len(high)] > high:
            return False
    for column, needle in query.text_filters:
        if needle and needle.lower() not in _cell_text(row, column).lower():
            return False
    return True


def query_rows(rows: Sequence[ModelRow], query: ModelQuery) -> ModelPage:
    """Search, filter, sort and page a list of rows, the way every source does."""
    by_id = {row.id: row for row in rows}
    pinned = [by_id[i] for i in dict.fromkeys(query.pinned) if i in by_id]
    pinned_ids = {row.id for row in pinned}
    matching = [row for row in rows if row.id not in pinned_ids and _row_matches(row, query)]
    column, descending = query.sort if query.sort else ("updated", True)
    _cell_text(matching[0], column) if matching else None  # validates the column
    matching.sort(key=lambda row: row.id)
    matching.sort(key=lambda row: row.cell(column).lower(), reverse=descending)
    ordered = pinned + matching
    offset = max(0, query.offset)
    limit = max(0, query.limit)
    return ModelPage(rows=ordered[offset : offset + limit], total=len(ordered), offset=offset)


def distinct_counts(rows: Sequence[ModelRow], column: str, limit: int) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for row in rows:
        values = row.tags if column == "tags" else (_cell_text(row, column),)
        for value in dict.fromkeys(values):
            counts[value] = counts.get(value, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[: max(0, limit)]


# -- the metric-history cache ----------------------------------------------------


def default_cache_dir() -> Path:
    env = os.environ.get("MODELCOMPARE_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("modelcompare"))


class HistoryCache:
    """Deduped metric histories per (run, key), in memory and on disk.

    A history is valid while its fingerprint (from the backend: the run's latest
    point for the key over REST, the metric file's size and mtime in a file store)
    is unchanged. On disk one file per run holds all its histories and is kept only
    for runs the backend calls persistent (a finished run: its end time is part of
    the file's key), so a second open of finished runs reads no history at all."""

    FORMAT = 1

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._memory: dict[tuple[str, str], tuple[str, History]] = {}
        self._disk_loaded: set[str] = set()
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()

    def _path(self, run_id: str) -> Path | None:
        if self.directory is None:
            return None
        safe = "".join(c for c in run_id if c.isalnum() or c in "-_")[:80] or "run"
        return self.directory / f"{safe}.npz"

    def lookup(self, run_id: str, key: str, fingerprint: str) -> History | None:
        with self._lock:
            hit = self._memory.get((run_id, key))
        if hit is not None and hit[0] == fingerprint:
            return hit[1]
        return None

    def load_run(self, run_id: str, run_key: str) -> None:
        """Bring a run's disk file into memory (once per session)."""
        with self._load_lock:  # a second caller waits for the first one's load
            with self._lock:
                if run_id in self._disk_loaded:
                    return
            self._load_file(run_id, run_key)
            with self._lock:
                self._disk_loaded.add(run_id)

    def _load_file(self, run_id: str, run_key: str) -> None:
        path = self._path(run_id)
        if path is None or not path.is_file():
            return
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                if meta.get("format") != self.FORMAT or meta.get("run_key") != run_key:
                    return
                steps, values, times = data["steps"], data["values"], data["times"]
                offsets = data["offsets"]
        except (OSError, ValueError, KeyError, EOFError):
            return  # a damaged cache file is simply ignored and rewritten later
        with self._lock:
            for i, (key, fingerprint) in enumerate(zip(meta["keys"], meta["fingerprints"])):
                lo, hi = int(offsets[i]), int(offsets[i + 1])
                if (run_id, key) not in self._memory:
                    hist = History(steps[lo:hi], values[lo:hi], times[lo:hi])
                    self._memory[(run_id, key)] = (fingerprint, hist)

    def store(self, run_id: str, key: str, fingerprint: str, history: History) -> None:
        with self._lock:
            self._memory[(run_id, key)] = (fingerprint, history)

    def save_run(self, run_id: str, run_key: str, fingerprints: dict[str, str]) -> None:
        """Write the run's histories whose fingerprints are current to its disk file."""
        path = self._path(run_id)
        if path is None:
            return
        with self._lock:
            items = [
                (key, fp, self._memory[(run_id, key)][1])
                for key, fp in sorted(fingerprints.items())
                if (run_id, key) in self._memory and self._memory[(run_id, key)][0] == fp
            ]
        if not items:
            return
        sizes = [len(h) for _, _, h in items]
        offsets = np.zeros(len(items) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(sizes)
        meta = {
            "format": self.FORMAT,
            "run_key": run_key,
            "keys": [k for k, _, _ in items],
            "fingerprints": [fp for _, fp, _ in items],
        }
        buffer = io.BytesIO()
        np.savez(
            buffer,
            meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
            steps=np.concatenate([h.steps for _, _, h in items]).astype(np.int64),
            values=np.concatenate([h.values for _, _, h in items]).astype(np.float64),
            times=np.concatenate([h.times for _, _, h in items]).astype(np.float64),
            offsets=offsets,
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # an exclusive temp file and a rename: never through a planted symlink
            atomic_write_bytes(path, buffer.getvalue(), fsync=False)
        except OSError:
            pass  # the cache only saves time: an unwritable cache dir must not fail a view


class FlavorCache:
    """Framework (MLmodel flavor) per immutable model artifact, kept on disk."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / "flavors.json" if directory is not None else None
        self._data: dict[str, str] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        if self._data is None:
            self._data = {}
            if self.path is not None:
                try:
                    loaded = json.loads(self.path.read_text("utf-8"))
                    if isinstance(loaded, dict):
                        self._data = {str(k): str(v) for k, v in loaded.items()}
                except (OSError, ValueError):
                    pass
        return self._data

    def get(self, ref: str) -> str | None:
        with self._lock:
            return self._load().get(ref)

    def update(self, found: dict[str, str]) -> None:
        if not found:
            return
        with self._lock:
            data = self._load()
            data.update(found)
            if self.path is None:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(self.path, json.dumps(data, sort_keys=True), fsync=False)
            except OSError:
                pass


class RunMap:
    """model id -> (run id, experiment id), kept on disk. The run a version or a
    logged model comes from never changes, so a second open finds the runs of the
    compared models without reading the models list."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / "models.json" if directory is not None else None
        self._data: dict[str, tuple[str, str]] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, tuple[str, str]]:
        if self._data is None:
            self._data = {}
            if self.path is not None:
                try:
                    loaded = json.loads(self.path.read_text("utf-8"))
                    self._data = {str(k): (str(v[0]), str(v[1])) for k, v in loaded.items()}
                except (OSError, ValueError, TypeError, IndexError, AttributeError):
                    pass
        return self._data

    def get(self, model_id: str) -> tuple[str, str] | None:
        with self._lock:
            return self._load().get(model_id)

    def update(self, found: dict[str, tuple[str, str]]) -> None:
        with self._lock:
            data = self._load()
            changed = {k: v for k, v in found.items() if data.get(k) != v}
            if not changed:
                return
            data.update(changed)
            if self.path is None:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(self.path, json.dumps({k: list(v) for k, v in data.items()}, sort_keys=True),
                                  fsync=False)
            except OSError:
                pass


# -- the backend interface -------------------------------------------------------


@dataclass(frozen=True)
class ArtifactRef:
    """Where a model's MLmodel file lives: a logged model's artifacts, or a path
    inside a run's artifacts (MLflow 2 `runs:/<run>/<path>` sources)."""

    kind: str  # logged | run
    owner: str  # model id or run id
    path: str = ""  # inside the run's artifacts

    def key(self) -> str:
        return f"{self.kind}:{self.owner}:{self.path}"


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

    def close(self) -> None:
        pass


# -- the source ------------------------------------------------------------------


def _artifact_ref(version: VersionData | None, logged: LoggedModelData | None) -> ArtifactRef | None:
    if logged is not None:
        return ArtifactRef("logged", logged.model_id)
    if version is None:
        return None
    if version.model_id:
        return ArtifactRef("logged", version.model_id)
    source = version.source
    if source.startswith("models:/m-"):
        return ArtifactRef("logged", source[len("models:/") :].strip("/"))
    if source.startswith("runs:/"):
        body = source[len("runs:/") :].strip("/")
        run_id, _, path = body.partition("/")
        if run_id:
            return ArtifactRef("run", run_id, path)
    return None


class MlflowSource(Source):
    """The Source interface over an MLflow backend (read-only).

    `cache_dir`: where histories, flavors and model->run links are kept (a
    folder per source URI below `<cache_dir>/mlflow/`); None = MODELCOMPARE_CACHE
    or the user cache dir (platformdirs), False = memory only."""

    read_only = True

    def __init__(
        self,
        backend: MlflowBackend,
        *,
        cache_dir: Path | None | bool = None,
        flavor_fetch_limit: int = 100,
    ) -> None:
        self.backend = backend
        self.uri = backend.uri
        if cache_dir is False:
            base = None
        else:
            base = (Path(cache_dir) if cache_dir not in (None, True) else default_cache_dir()) / "mlflow"
            base = base / backend.cache_namespace()
        self.histories = HistoryCache(base)
        self.flavors = FlavorCache(base)
        self.run_map = RunMap(base)
        self.flavor_fetch_limit = flavor_fetch_limit
        self._lock = threading.RLock()
        self._catalog: Catalog | None = None
        self._entries: dict[str, Entry] = {}
        self._catalog_at = 0.0
        self._runs: dict[str, tuple[float, RunData]] = {}
        self._touched_runs: dict[str, None] = {}
        self._token: str | None = None

    # -- catalog -------------------------------------------------------------

    def _load_catalog(self) -> dict[str, Entry]:
        with self._lock:
            if self._catalog is not None and time.monotonic() - self._catalog_at < CATALOG_TTL_S:
                return self._entries
        catalog = self.backend.catalog()
        entries = self._build_entries(catalog)
        now = time.monotonic()
        with self._lock:
            self._catalog = catalog
            self._entries = entries
            self._catalog_at = now
            for run in catalog.runs.values():
                self._runs[run.run_id] = (now, run)
        self.run_map.update(
            {
                e.id: (e.run_id, catalog.runs[e.run_id].experiment_id if e.run_id in catalog.runs else "")
                for e in entries.values()
            }
        )
        return entries

    def invalidate(self) -> None:
        """Forget listed entities and run facts (histories stay: they are fingerprinted)."""
        with self._lock:
            self._catalog = None
            self._runs.clear()

    def _framework(
        self,
        version: VersionData | None,
        logged: LoggedModelData | None,
        run: RunData | None,
        fetch: dict[str, ArtifactRef],
    ) -> str:
        for tags in (
            version.tags if version else {},
            logged.tags if logged else {},
            run.tags if run else {},
        ):
            if tags.get(FRAMEWORK_TAG):
                return tags[FRAMEWORK_TAG]
        ref = _artifact_ref(version, logged)
        if ref is not None:
            known = self.flavors.get(ref.key())
            if known is not None:
                if known:
                    return known
            else:
                fetch[ref.key()] = ref
        return flavor_from_log_model_history(run.tags) if run else ""

    def _fetch_flavors(self, refs: dict[str, ArtifactRef], final: set[str]) -> dict[str, str]:
        """Read the MLmodel of up to `flavor_fetch_limit` artifacts (first listed first)."""
        todo = list(refs.items())[: self.flavor_fetch_limit]

        def read(ref: ArtifactRef) -> tuple[bool, str | None]:
            try:
                return True, self.backend.read_mlmodel(ref)
            except SourceError:
                return False, None  # the framework is optional: the list still opens

        found: dict[str, str] = {}
        answered: set[str] = set()
        for (key, _), (ok, text) in zip(todo, parallel_map(lambda item: read(item[1]), todo, 8)):
            found[key] = flavor_from_mlmodel(text) if text else ""
            if ok:
                answered.add(key)
        # only finished models are immutable: pending ones (and failed reads) are asked again
        self.flavors.update({k: v for k, v in found.items() if k in final and k in answered})
        return found

    def _build_entries(self, catalog: Catalog) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        registered_models: set[str] = set()
        pending_flavors: dict[str, ArtifactRef] = {}
        final_refs: set[str] = set()
        drafts: list[tuple[Entry, VersionData | None, LoggedModelData | None, RunData | None]] = []

        for version in catalog.versions:
            reg = catalog.registered.get(version.name)
            if version.tags.get(PROMPT_TAG) == "true" or (reg and reg.tags.get(PROMPT_TAG) == "true"):
                continue
            if reg is not None and not version.aliases:
                version.aliases = sorted(a for a, v in reg.aliases.items() if v == version.version)
            run = catalog.runs.get(version.run_id)
            entry = self._entry_for_version(version, run, catalog)
            entries[entry.id] = entry
            drafts.append((entry, version, None, run))
            ref = _artifact_ref(version, None)
            if ref is not None:
                if version.status in ("READY", ""):
                    final_refs.add(ref.key())
                if ref.kind == "logged":
                    registered_models.add(ref.owner)
        for logged in catalog.logged:
            run = catalog.runs.get(logged.source_run_id)
            registered = logged.model_id in registered_models or bool(
                logged.tags.get("mlflow.modelVersions", "").strip("[] ")
            )
            entry = self._entry_for_logged(logged, run, catalog, registered)
            entries[entry.id] = entry
            drafts.append((entry, None, logged, run))
            if logged.status in ("READY", "FAILED"):
                final_refs.add(ArtifactRef("logged", logged.model_id).key())

        # frameworks: tags first, then MLmodel flavors (cached; newest models fetched first)
        drafts.sort(key=lambda d: d[0].row.updated, reverse=True)
        frameworks = {
            entry.id: self._framework(version, logged, run, pending_flavors)
            for entry, version, logged, run in drafts
        }
        fetched = self._fetch_flavors(pending_flavors, final_refs) if pending_flavors else {}
        for entry, version, logged, run in drafts:
            framework = frameworks[entry.id]
            if not framework:
                ref = _artifact_ref(version, logged)
                if ref is not None and fetched.get(ref.key()):
                    framework = fetched[ref.key()]
            if framework != entry.row.framework:
                entry.row = replace(entry.row, framework=framework)
        return entries

    def _entry_for_version(self, version: VersionData, run: RunData | None, catalog: Catalog) -> Entry:
        model_id = version_model_id(version.name, version.version)
        experiment = catalog.experiments.get(run.experiment_id) if run else None
        tags = [f"@{alias}" for alias in version.aliases]
        if version.stage and version.stage != "None":
            tags.append(f"stage:{version.stage}")
        tags += user_tags(version.tags)
        parent = version.tags.get(PARENT_TAG) or (run.tags.get(PARENT_TAG, "") if run else "")
        row = ModelRow(
            id=model_id,
            name=f"{version.name} v{version.version}",
            project=experiment.name if experiment else (run.experiment_id if run else ""),
            framework="",
            status="published",
            tags=tuple(tags),
            user=version.user_id or (run.user if run else ""),
            created=iso_ms(version.created),
            updated=iso_ms(version.updated or version.created),
        )
        return Entry(
            id=model_id,
            kind="version",
            row=row,
            run_id=version.run_id,
            parent=model_id_from_reference(parent, catalog.registered) if parent else "",
            version=version,
        )

    def _entry_for_logged(
        self, logged: LoggedModelData, run: RunData | None, catalog: Catalog, registered: bool
    ) -> Entry:
        experiment = catalog.experiments.get(logged.experiment_id)
        parent = logged.tags.get(PARENT_TAG) or (run.tags.get(PARENT_TAG, "") if run else "")
        row = ModelRow(
            id=logged.model_id,
            name=logged.name or logged.model_id,
            project=experiment.name if experiment else logged.experiment_id,
            framework="",
            status="published" if registered else "draft",
            tags=tuple(user_tags(logged.tags)),
            user=logged.tags.get("mlflow.user", "") or (run.user if run else ""),
            created=iso_ms(logged.created),
            updated=iso_ms(logged.updated or logged.created),
        )
        return Entry(
            id=logged.model_id,
            kind="logged",
            row=row,
            run_id=logged.source_run_id,
            parent=model_id_from_reference(parent, catalog.registered) if parent else "",
            logged=logged,
            listed=not registered,
        )

    def _resolve(self, ids: Sequence[str]) -> dict[str, Entry]:
        """Entries for ids, from the catalog, else read directly (a model listed
        after the catalog was read, or one reached only by its id)."""
        entries = self._load_catalog()
        found = {i: entries[i] for i in ids if i in entries}
        missing = [i for i in dict.fromkeys(ids) if i not in found and parse_model_id(i)]
        if not missing:
            return found
        with self._lock:
            catalog = self._catalog or Catalog()

        def fetch(model_id: str) -> Entry | None:
            parsed = parse_model_id(model_id)
            assert parsed is not None
            kind, name, version = parsed
            if kind == "version":
                got = self.backend.version(name, version)
                if got is None:
                    return None
                ver, reg = got
                if not ver.aliases:
                    ver.aliases = sorted(a for a, v in reg.aliases.items() if v == ver.version)
                run = self._get_runs([ver.run_id]).get(ver.run_id) if ver.run_id else None
                local = replace(catalog, registered={**catalog.registered, reg.name: reg})
                self._ensure_experiment(run, catalog)
                entry = self._entry_for_version(ver, run, local)
                entry.row = replace(entry.row, framework=self._framework(ver, None, run, {}))
                return entry
            logged = self.backend.logged_model(name)
            if logged is None:
                return None
            run = self._get_runs([logged.source_run_id]).get(logged.source_run_id) if logged.source_run_id else None
            if logged.experiment_id not in catalog.experiments:
                exp = self.backend.experiment(logged.experiment_id)
                if exp is not None:
                    catalog.experiments[exp.experiment_id] = exp
            registered = bool(logged.tags.get("mlflow.modelVersions", "").strip("[] "))
            entry = self._entry_for_logged(logged, run, catalog, registered)
            entry.row = replace(entry.row, framework=self._framework(None, logged, run, {}))
            return entry

        for model_id, entry in zip(missing, parallel_map(fetch, missing, 8)):
            if entry is not None:
                found[model_id] = entry
        return found

    def _ensure_experiment(self, run: RunData | None, catalog: Catalog) -> None:
        if run is not None and run.experiment_id not in catalog.experiments:
            exp = self.backend.experiment(run.experiment_id)
            if exp is not None:
                catalog.experiments[exp.experiment_id] = exp

    # -- runs ----------------------------------------------------------------

    def _get_runs(self, run_ids: Iterable[str], experiments: dict[str, str] | None = None) -> dict[str, RunData]:
        wanted = [r for r in dict.fromkeys(run_ids) if r]
        now = time.monotonic()
        out: dict[str, RunData] = {}
        stale: list[str] = []
        with self._lock:
            for run_id in wanted:
                self._touched_runs[run_id] = None
                hit = self._runs.get(run_id)
                ttl = FINISHED_RUN_TTL_S if hit and hit[1].terminated else RUN_TTL_S
                if hit is not None and now - hit[0] < ttl:
                    out[run_id] = hit[1]
                else:
                    stale.append(run_id)
        if stale:
            fresh = self.backend.runs(stale, experiments)
            now = time.monotonic()
            with self._lock:
                for run_id, run in fresh.items():
                    self._runs[run_id] = (now, run)
            out.update(fresh)
        return out

    # -- histories -----------------------------------------------------------

    @staticmethod
    def _run_key(run: RunData) -> str:
        return f"{run.status}|{run.end_time}"

    def _histories(self, pairs: dict[str, list[str]], runs: dict[str, RunData]) -> dict[tuple[str, str], History]:
        """{run id: [keys]} -> deduped histories, read through the cache."""
        out: dict[tuple[str, str], History] = {}
        missing: dict[str, list[str]] = {}
        fingerprints: dict[str, dict[str, str]] = {}
        for run_id, keys in pairs.items():
            run = runs[run_id]
            fps = self.backend.fingerprints(run)
            fingerprints[run_id] = fps
            if self.backend.persistent(run):
                self.histories.load_run(run_id, self._run_key(run))
            for key in keys:
                fp = fps.get(key)
                hist = self.histories.lookup(run_id, key, fp) if fp is not None else None
                if hist is not None:
                    out[(run_id, key)] = hist
                else:
                    missing.setdefault(key, []).append(run_id)
        if missing:
            raw = self.backend.histories(missing, runs)
            touched: set[str] = set()
            for key, run_ids in missing.items():
                for run_id in run_ids:
                    got = raw.get((run_id, key))
                    hist = normalize_history(got) if got is not None else EMPTY_HISTORY
                    out[(run_id, key)] = hist
                    fp = fingerprints[run_id].get(key)
                    if fp is not None:
                        self.histories.store(run_id, key, fp, hist)
                        touched.add(run_id)
            for run_id in touched:
                run = runs[run_id]
                if self.backend.persistent(run):
                    self.histories.save_run(run_id, self._run_key(run), fingerprints[run_id])
        return out

    def _model_run_ids(self, ids: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
        """model id -> run id ("" for a model without a run) and run id -> experiment
        id where known; unknown models are left out. The models list is read only
        for ids neither it nor the run map knows."""
        with self._lock:
            entries = self._entries  # any age: the run of a model never changes
        run_of: dict[str, str] = {}
        experiments: dict[str, str] = {}
        unknown: list[str] = []
        for model_id in dict.fromkeys(ids):
            entry = entries.get(model_id)
            hit = self.run_map.get(model_id)
            if entry is not None:
                hit = (entry.run_id, hit[1] if hit and hit[0] == entry.run_id else "")
            if hit is None:
                unknown.append(model_id)
                continue
            run_of[model_id] = hit[0]
            if hit[0] and hit[1]:
                experiments[hit[0]] = hit[1]
        unknown = [i for i in unknown if parse_model_id(i)]
        if unknown:
            # one light request per model: cheaper than reading the whole models list
            found: dict[str, tuple[str, str]] = {}
            for model_id, hit in zip(unknown, parallel_map(self.backend.model_run, unknown, 8)):
                if hit is not None:
                    found[model_id] = hit
                    run_of[model_id] = hit[0]
                    if hit[0] and hit[1]:
                        experiments[hit[0]] = hit[1]
            runs = self._get_runs((r for r, _ in found.values() if r), experiments)
            self.run_map.update(
                {i: (r, runs[r].experiment_id if r in runs else e) for i, (r, e) in found.items()}
            )
        return run_of, experiments

    def _model_runs(self, ids: Sequence[str]) -> tuple[dict[str, str], dict[str, RunData]]:
        run_of, experiments = self._model_run_ids(ids)
        runs = self._get_runs((r for r in run_of.values() if r), experiments)
        return run_of, runs

    # -- Source: models table ----------------------------------------------------

    def list_models(self, query: ModelQuery) -> ModelPage:
        entries = self._load_catalog()
        rows = [e.row for e in entries.values() if e.listed]
        pinned_extra = [entries[i].row for i in query.pinned if i in entries and not entries[i].listed]
        return query_rows(rows + pinned_extra, query)

    def distinct_values(self, column: str, limit: int = 500) -> list[tuple[str, int]]:
        entries = self._load_catalog()
        return distinct_counts([e.row for e in entries.values() if e.listed], column, limit)

    # -- Source: details -----------------------------------------------------

    def get_models(self, ids: Sequence[str]) -> list[Model]:
        entries = self._resolve(ids)
        runs = self._get_runs(e.run_id for e in entries.values() if e.run_id)
        with self._lock:
            catalog = self._catalog or Catalog()
            all_entries = dict(self._entries)
        for run in runs.values():
            self._ensure_experiment(run, catalog)
        children: dict[str, list[str]] = {}
        for entry in all_entries.values():
            if entry.parent and entry.listed:
                children.setdefault(entry.parent, []).append(entry.id)
        out = []
        for model_id in ids:
            entry = entries.get(model_id)
            if entry is None:
                continue
            run = runs.get(entry.run_id)
            out.append(self._model(entry, run, catalog, sorted(children.get(entry.id, []))))
        return out

    def _model(self, entry: Entry, run: RunData | None, catalog: Catalog, children: list[str]) -> Model:
        row = entry.row
        meta: list[MetadataItem] = []
        params: dict[str, str] = dict(run.params) if run else {}
        uri = ""
        comment = ""
        if entry.version is not None:
            ver = entry.version
            reg = catalog.registered.get(ver.name)
            meta.append(MetadataItem("registered_model", "mlflow", ver.name))
            meta.append(MetadataItem("version", "mlflow", ver.version))
            if ver.stage and ver.stage != "None":
                meta.append(MetadataItem("stage", "mlflow", ver.stage))
            if ver.aliases:
                meta.append(MetadataItem("aliases", "mlflow", ", ".join(ver.aliases)))
            if ver.status:
                meta.append(MetadataItem("mlflow_status", "mlflow", ver.status))
            if ver.model_id:
                meta.append(MetadataItem("logged_model", "mlflow", ver.model_id))
            if reg is not None and reg.description:
                meta.append(MetadataItem("registered_model_description", "mlflow", reg.description))
            meta += [MetadataItem(f"tag:{k}", "version tag", ver.tags[k]) for k in sorted(ver.tags)]
            uri = ver.source
            comment = ver.description
        if entry.logged is not None:
            lm = entry.logged
            meta.append(MetadataItem("logged_model", "mlflow", lm.model_id))
            meta.append(MetadataItem("logged_model_name", "mlflow", lm.name))
            if lm.status:
                meta.append(MetadataItem("mlflow_status", "mlflow", lm.status))
            if lm.model_type:
                meta.append(MetadataItem("model_type", "mlflow", lm.model_type))
            meta += [MetadataItem(f"tag:{k}", "model tag", lm.tags[k]) for k in sorted(lm.tags)]
            params.update(lm.params)
            uri = lm.artifact_uri
            comment = lm.tags.get("mlflow.note.content", "")
        if run is not None:
            experiment = catalog.experiments.get(run.experiment_id)
            meta.append(MetadataItem("experiment", "lineage", experiment.name if experiment else ""))
            meta.append(MetadataItem("experiment_id", "lineage", run.experiment_id))
            meta.append(MetadataItem("run_status", "lineage", run.status))
            if run.start_time:
                meta.append(MetadataItem("run_start", "lineage", iso_ms(run.start_time)))
            if run.end_time:
                meta.append(MetadataItem("run_end", "lineage", iso_ms(run.end_time)))
            meta += [
                MetadataItem(f"run_tag:{k}", "run tag", run.tags[k])
                for k in sorted(run.tags)
                if k not in HIDDEN_RUN_TAGS
            ]
        return Model(
            id=entry.id,
            name=row.name,
            project=row.project,
            framework=row.framework,
            status=row.status,
            tags=list(row.tags),
            user=row.user,
            created=row.created,
            updated=row.updated,
            comment=comment,
            uri=uri,
            task_id=entry.run_id,
            task_name=run.name if run else "",
            parent=entry.parent,
            children=children,
            labels={},
            metadata=meta,
            config=params_config(params),
        )

    # -- Source: scalars -----------------------------------------------------

    def _run_histories(
        self, ids: Sequence[str]
    ) -> tuple[dict[str, str], dict[str, RunData], dict[tuple[str, str], History]]:
        run_of, runs = self._model_runs(ids)
        pairs = {run_id: list(run.metric_keys) for run_id, run in runs.items()}
        return run_of, runs, self._histories(pairs, runs)

    def scalar_summaries(self, ids: Sequence[str]) -> dict[str, list[ScalarSummary]]:
        run_of, runs, hists = self._run_histories(ids)
        out: dict[str, list[ScalarSummary]] = {}
        for model_id in ids:
            if model_id not in run_of or model_id in out:
                continue
            run = runs.get(run_of[model_id])
            summaries: list[ScalarSummary] = []
            if run is not None:
                for (metric, variant), key in series_keys(run.metric_keys).items():
                    hist = hists.get((run.run_id, key), EMPTY_HISTORY)
                    if len(hist) < 2:
                        continue  # logged at one step: a single value
                    summary = summarize(metric, variant, hist.steps, hist.values, hist.times)
                    if summary is not None:
                        summaries.append(summary)
            summaries.sort(key=lambda s: (s.metric, s.variant))
            out[model_id] = summaries
        return out

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
        if by not in ("iteration", "time"):
            raise SourceError(f"unknown series axis {by!r} (expected iteration or time)")
        empty = SeriesData(metric, variant, EMPTY_HISTORY.steps, EMPTY_HISTORY.values, EMPTY_HISTORY.times, 0, False)
        run_of, runs = self._model_runs([model_id])
        run = runs.get(run_of.get(model_id, ""))
        if run is None:
            return empty
        key = series_keys(run.metric_keys).get((metric, variant))
        if key is None:
            return empty
        hist = self._histories({run.run_id: [key]}, {run.run_id: run}).get((run.run_id, key), EMPTY_HISTORY)
        steps, values, times = hist.steps, hist.values, hist.times
        if by == "time" and steps.shape[0] > 1 and not bool(np.all(times[1:] >= times[:-1])):
            order = np.argsort(times, kind="stable")
            steps, values, times = steps[order], values[order], times[order]
        x = steps if by == "iteration" else times
        mask = np.ones(x.shape[0], dtype=bool)
        if start is not None:
            mask &= x >= start
        if end is not None:
            mask &= x <= end
        if not mask.all():
            steps, values, times, x = steps[mask], values[mask], times[mask], x[mask]
        total = int(steps.shape[0])
        keep = downsample_indices(x, values, buckets)
        downsampled = int(keep.shape[0]) < total
        if downsampled:
            steps, values, times = steps[keep], values[keep], times[keep]
        return SeriesData(metric, variant, steps, values, times, total, downsampled)

    def single_values(self, ids: Sequence[str]) -> dict[str, dict[str, float]]:
        run_of, runs = self._model_runs(ids)
        known: dict[tuple[str, str], float | None] = {}
        unknown: dict[str, list[str]] = {}
        for run_id, run in runs.items():
            fps = self.backend.fingerprints(run)
            if self.backend.persistent(run):
                self.histories.load_run(run_id, self._run_key(run))
            for key in run.metric_keys:
                fp = fps.get(key)
                hist = self.histories.lookup(run_id, key, fp) if fp is not None else None
                if hist is not None:
                    known[(run_id, key)] = float(hist.values[0]) if len(hist) == 1 else None
                else:
                    unknown.setdefault(key, []).append(run_id)
        if unknown:
            known.update(self.backend.single_step_keys(unknown, runs))
        out: dict[str, dict[str, float]] = {}
        for model_id in ids:
            if model_id not in run_of:
                continue
            run = runs.get(run_of[model_id])
            values: dict[str, float] = {}
            if run is not None:
                for key in sorted(run.metric_keys):
                    value = known.get((run.run_id, key))
                    if value is not None:
                        values[key] = value
            out[model_id] = values
        return out

    # -- Source: plots (MLflow has none that map to modelcompare's plot kinds) --

    def plots(self, ids: Sequence[str], iteration: int | None = None) -> dict[str, list[Plot]]:
        run_of, _ = self._model_run_ids(ids)
        return {model_id: [] for model_id in ids if model_id in run_of}

    def plot_iterations(self, ids: Sequence[str]) -> list[int]:
        return []

    # -- Source: live --------------------------------------------------------

    def change_token(self) -> str:
        with self._lock:
            touched = list(self._touched_runs)[-100:]
        token = self.backend.change_token(touched)
        with self._lock:
            if self._token is not None and token != self._token:
                self._catalog = None
                self._runs.clear()
            self._token = token
        return token

    # -- Source: whole records -----------------------------------------------

    def export_records(self, ids: Sequence[str]) -> list[ModelRecord]:
        models = self.get_models(ids)
        _, runs, hists = self._run_histories([m.id for m in models])
        singles = self.single_values([m.id for m in models])
        records = []
        for model in models:
            run = runs.get(model.task_id)
            scalars = []
            if run is not None:
                for (metric, variant), key in series_keys(run.metric_keys).items():
                    hist = hists.get((run.run_id, key), EMPTY_HISTORY)
                    if len(hist) >= 2:
                        scalars.append(ScalarSeries(metric, variant, hist.steps, hist.values, hist.times))
            scalars.sort(key=lambda s: (s.metric, s.variant))
            records.append(ModelRecord(model=model, scalars=scalars, single_values=singles.get(model.id, {})))
        return records

    def close(self) -> None:
        self.backend.close()


# -- concurrency ---------------------------------------------------------------


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
