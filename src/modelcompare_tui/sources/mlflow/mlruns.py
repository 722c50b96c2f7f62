"""`mlruns:///abs/path/mlruns`: an MLflow file store read straight from disk
(read-only; mapped exactly like a tracking server, see mapping.py).

Layout read: `<experiment>/meta.yaml`; runs as `<experiment>/<run>/meta.yaml`
with `params/`, `tags/` and `metrics/` (one file per key, nested folders for keys
with `/`, lines `timestamp value [step [dataset digest]]`); MLflow 3 logged
models as `<experiment>/models/<m-id>/` (meta.yaml, params/, tags/); the model
registry as `models/<name>/` (meta.yaml, tags/, aliases/, `version-<n>/`);
deleted experiments under `.trash/`.

A run still in progress may be caught mid-write: a metric file's last line
without its newline is ignored (it may be cut short), unreadable lines are
skipped, and a meta.yaml that does not parse leaves that run, model or version
out until it does.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import numpy as np
import yaml

from ...core.display import display_line
from ..base import SourceError, shown_uri
from .backend import MlflowBackend
from .shapes import (
    ArtifactRef,
    Catalog,
    ExperimentData,
    LoggedModelData,
    RawHistory,
    RegisteredModelData,
    RunData,
    VersionData,
)
from .source import MlflowSource

SCHEME = "mlruns"
RUN_STATUS = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
LOGGED_MODEL_STATUS = {0: "UNSPECIFIED", 1: "PENDING", 2: "READY", 3: "FAILED"}
# Folders of an experiment that are not runs.
NOT_RUNS = frozenset({"models", "tags", "datasets", "traces", "outputs", "inputs"})
DELETED_STAGE = "Deleted_Internal"

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader


def parse_mlruns_uri(uri: str) -> tuple[str, Path]:
    """`mlruns:///abs/path` -> (shareable URI, folder)."""
    text = uri.strip()
    parts = urlsplit(text)
    if parts.scheme.lower() != SCHEME:
        raise SourceError(f"{shown_uri(text)}: not an mlruns URI (expected mlruns:///absolute/path)")
    if parts.netloc not in ("", "localhost"):
        raise SourceError(f"{shown_uri(text)}: an mlruns URI names a local folder (mlruns:///absolute/path)")
    path = unquote(parts.path)
    if not path.startswith("/"):
        raise SourceError(f"{shown_uri(text)}: the mlruns path must be absolute (mlruns:///absolute/path)")
    folder = Path(os.path.normpath(path))
    return f"{SCHEME}://{quote(str(folder), safe='/-_.~')}", folder


def _read_yaml(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text("utf-8")
        data = yaml.load(text, Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _files_under(folder: Path) -> dict[str, Path]:
    """key -> file for a params/tags/metrics folder (keys with `/` are nested folders)."""
    out: dict[str, Path] = {}
    if not folder.is_dir():
        return out
    for dirpath, _dirnames, filenames in os.walk(folder):
        rel = os.path.relpath(dirpath, folder)
        for name in filenames:
            if name.startswith(".") or name.endswith(".tmp"):
                continue
            key = name if rel == "." else f"{rel.replace(os.sep, '/')}/{name}"
            out[key] = Path(dirpath, name)
    return out


def _read_values(folder: Path) -> dict[str, str]:
    out = {}
    for key, path in _files_under(folder).items():
        text = _read_text(path)
        if text is not None:
            out[key] = text
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def parse_metric_lines(data: bytes) -> RawHistory:
    """Points of a metric file in log order. The last line counts only when it
    ends with a newline: a line without one may be a write still in progress."""
    end = data.rfind(b"\n")
    steps: list[int] = []
    values: list[float] = []
    times: list[int] = []
    for line in data[: end + 1].split(b"\n"):
        parts = line.split()
        if len(parts) < 2:
            continue
        try:
            ts = int(parts[0])
            value = float(parts[1])
            step = int(parts[2]) if len(parts) >= 3 else 0
        except ValueError:
            continue
        times.append(ts)
        values.append(value)
        steps.append(step)
    return RawHistory(
        np.asarray(steps, dtype=np.int64), np.asarray(values, dtype=np.float64), np.asarray(times, dtype=np.int64)
    )


class MlrunsBackend(MlflowBackend):
    def __init__(self, uri: str) -> None:
        self.uri, self.root = parse_mlruns_uri(uri)
        shown = display_line(self.uri, 300)
        try:
            if not self.root.is_dir():
                raise SourceError(f"{shown}: no such folder")
            if not self._looks_like_store():
                raise SourceError(f"{shown}: not an MLflow file store (no experiment folder with a meta.yaml)")
        except OSError as exc:  # a name too long for the file system, a symlink loop
            raise SourceError(f"{shown}: cannot open the folder ({exc.strerror or exc})") from None
        self._run_dirs: dict[str, Path] = {}
        self._logged_dirs: dict[str, Path] = {}

    def _looks_like_store(self) -> bool:
        if (self.root / "models").is_dir() and not (self.root / "models" / "meta.yaml").exists():
            return True
        return any((path / "meta.yaml").is_file() for _, path, _ in self._experiment_dirs())

    def _experiment_dirs(self) -> list[tuple[str, Path, bool]]:
        out: list[tuple[str, Path, bool]] = []
        for base, deleted in ((self.root, False), (self.root / ".trash", True)):
            try:
                entries = sorted(os.scandir(base), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or (not deleted and entry.name == "models"):
                    continue
                if entry.is_dir():
                    out.append((entry.name, Path(entry.path), deleted))
        return out

    # -- runs ----------------------------------------------------------------

    def _index_runs(self) -> None:
        found: dict[str, Path] = {}
        for _, exp_dir, _ in self._experiment_dirs():
            try:
                entries = list(os.scandir(exp_dir))
            except OSError:
                continue
            for entry in entries:
                if entry.name not in NOT_RUNS and entry.is_dir():
                    found[entry.name] = Path(entry.path)
        self._run_dirs = found

    def _run_dir(self, run_id: str) -> Path | None:
        path = self._run_dirs.get(run_id)
        if path is None or not path.is_dir():
            self._index_runs()
            path = self._run_dirs.get(run_id)
        return path

    def _read_run(self, run_dir: Path) -> RunData | None:
        meta = _read_yaml(run_dir / "meta.yaml")
        if meta is None or not meta.get("run_id", meta.get("run_uuid")):
            return None
        status = meta.get("status")
        tags = _read_values(run_dir / "tags")
        metric_files = _files_under(run_dir / "metrics")
        return RunData(
            run_id=_text(meta.get("run_id") or meta.get("run_uuid")),
            experiment_id=_text(meta.get("experiment_id")),
            name=_text(meta.get("run_name")) or tags.get("mlflow.runName", ""),
            user=_text(meta.get("user_id")) or tags.get("mlflow.user", ""),
            status=RUN_STATUS.get(status, _text(status)) if isinstance(status, int) else _text(status),
            start_time=_int(meta.get("start_time")),
            end_time=_int(meta.get("end_time")),
            artifact_uri=_text(meta.get("artifact_uri")),
            lifecycle_stage=_text(meta.get("lifecycle_stage")) or "active",
            params=_read_values(run_dir / "params"),
            tags=tags,
            metric_keys=sorted(metric_files),
        )

    def runs(self, run_ids: Sequence[str], experiments: dict[str, str] | None = None) -> dict[str, RunData]:
        out = {}
        for run_id in run_ids:
            run_dir = self._run_dir(run_id)
            run = self._read_run(run_dir) if run_dir is not None else None
            if run is not None:
                out[run_id] = run
        return out

    # -- experiments, registry, logged models --------------------------------

    def _experiments(self) -> dict[str, ExperimentData]:
        out = {}
        for name, path, deleted in self._experiment_dirs():
            meta = _read_yaml(path / "meta.yaml")
            if meta is None:
                continue
            exp_id = _text(meta.get("experiment_id", name))
            stage = "deleted" if deleted else _text(meta.get("lifecycle_stage")) or "active"
            out[exp_id] = ExperimentData(exp_id, _text(meta.get("name")) or exp_id, stage)
        return out

    def experiment(self, experiment_id: str) -> ExperimentData | None:
        return self._experiments().get(experiment_id)

    def _registered_model(self, model_dir: Path) -> RegisteredModelData | None:
        meta = _read_yaml(model_dir / "meta.yaml")
        if meta is None:
            return None
        aliases = {str(k): str(v) for k, v in (meta.get("aliases") or {}).items()}
        for alias, text in _read_values(model_dir / "aliases").items():
            aliases.setdefault(alias, text.strip())
        return RegisteredModelData(
            name=_text(meta.get("name")) or model_dir.name,
            description=_text(meta.get("description")),
            tags=_read_values(model_dir / "tags"),
            aliases=aliases,
        )

    def _version(self, version_dir: Path, aliases: dict[str, str]) -> VersionData | None:
        meta = _read_yaml(version_dir / "meta.yaml")
        if meta is None or meta.get("version") is None:
            return None
        stage = _text(meta.get("current_stage"))
        if stage == DELETED_STAGE:
            return None
        version = _text(meta.get("version"))
        source = _text(meta.get("source"))
        model_id = _text(meta.get("model_id"))
        if not model_id and source.startswith("models:/m-"):
            model_id = source[len("models:/") :].strip("/")
        return VersionData(
            name=_text(meta.get("name")),
            version=version,
            created=_int(meta.get("creation_timestamp")),
            updated=_int(meta.get("last_updated_timestamp")),
            stage="" if stage == "None" else stage,
            description=_text(meta.get("description")),
            source=source,
            run_id=_text(meta.get("run_id")),
            status=_text(meta.get("status")),
            tags=_read_values(version_dir / "tags"),
            user_id=_text(meta.get("user_id")),
            model_id=model_id,
            aliases=sorted(a for a, v in aliases.items() if v == version),
        )

    def _registry(self) -> tuple[dict[str, RegisteredModelData], list[VersionData]]:
        registered: dict[str, RegisteredModelData] = {}
        versions: list[VersionData] = []
        models_dir = self.root / "models"
        try:
            model_dirs = sorted((Path(e.path) for e in os.scandir(models_dir) if e.is_dir()), key=lambda p: p.name)
        except OSError:
            return registered, versions
        for model_dir in model_dirs:
            reg = self._registered_model(model_dir)
            if reg is None:
                continue
            registered[reg.name] = reg
            try:
                version_dirs = [
                    Path(e.path) for e in os.scandir(model_dir) if e.is_dir() and e.name.startswith("version-")
                ]
            except OSError:
                continue
            for version_dir in sorted(version_dirs, key=lambda p: _int(p.name[len("version-") :]) or 0):
                ver = self._version(version_dir, reg.aliases)
                if ver is not None:
                    versions.append(ver)
        return registered, versions

    def version(self, name: str, version: str) -> tuple[VersionData, RegisteredModelData] | None:
        model_dir = self.root / "models" / name
        if "/" in name or name in ("", ".", "..") or not model_dir.is_dir():
            return None
        reg = self._registered_model(model_dir)
        if reg is None:
            return None
        ver = self._version(model_dir / f"version-{version}", reg.aliases)
        return (ver, reg) if ver is not None else None

    def _read_logged(self, model_dir: Path, experiment_id: str) -> LoggedModelData | None:
        meta = _read_yaml(model_dir / "meta.yaml")
        if meta is None or not meta.get("model_id"):
            return None
        status = meta.get("status")
        return LoggedModelData(
            model_id=_text(meta.get("model_id")),
            experiment_id=_text(meta.get("experiment_id")) or experiment_id,
            name=_text(meta.get("name")),
            created=_int(meta.get("creation_timestamp")),
            updated=_int(meta.get("last_updated_timestamp")),
            artifact_uri=_text(meta.get("artifact_location")),
            status=LOGGED_MODEL_STATUS.get(status, _text(status)) if isinstance(status, int) else _text(status),
            model_type=_text(meta.get("model_type")),
            source_run_id=_text(meta.get("source_run_id")),
            tags=_read_values(model_dir / "tags"),
            params=_read_values(model_dir / "params"),
        )

    def _logged_models(self, experiments: dict[str, ExperimentData]) -> list[LoggedModelData]:
        out = []
        found: dict[str, Path] = {}
        for name, exp_dir, deleted in self._experiment_dirs():
            if deleted:
                continue
            try:
                model_dirs = sorted(os.scandir(exp_dir / "models"), key=lambda e: e.name)
            except OSError:
                continue
            for entry in model_dirs:
                if entry.is_dir():
                    found[entry.name] = Path(entry.path)
                    logged = self._read_logged(Path(entry.path), name)
                    if logged is not None:
                        out.append(logged)
        self._logged_dirs = found
        return out

    def logged_model(self, model_id: str) -> LoggedModelData | None:
        path = self._logged_dirs.get(model_id)
        if path is None or not path.is_dir():
            self._logged_models({})
            path = self._logged_dirs.get(model_id)
        return self._read_logged(path, path.parent.parent.name) if path is not None else None

    def catalog(self) -> Catalog:
        experiments = self._experiments()
        registered, versions = self._registry()
        logged = self._logged_models(experiments)
        self._index_runs()
        run_ids = sorted(
            {v.run_id for v in versions if v.run_id} | {m.source_run_id for m in logged if m.source_run_id}
        )
        return Catalog(
            experiments=experiments,
            registered=registered,
            versions=versions,
            logged=logged,
            runs=self.runs(run_ids),
        )

    # -- histories -----------------------------------------------------------

    def _metric_files(self, run_id: str) -> dict[str, Path]:
        run_dir = self._run_dir(run_id)
        return _files_under(run_dir / "metrics") if run_dir is not None else {}

    def fingerprints(self, run: RunData) -> dict[str, str]:
        out = {}
        for key, path in self._metric_files(run.run_id).items():
            try:
                st = path.stat()
            except OSError:
                continue
            out[key] = f"{st.st_mtime_ns}|{st.st_size}"
        return out

    def persistent(self, run: RunData) -> bool:
        return True  # a history is keyed on its file's size and mtime

    def histories(self, wanted: dict[str, list[str]], runs: dict[str, RunData]) -> dict[tuple[str, str], RawHistory]:
        out: dict[tuple[str, str], RawHistory] = {}
        files: dict[str, dict[str, Path]] = {}
        for key, run_ids in wanted.items():
            for run_id in run_ids:
                if run_id not in files:
                    files[run_id] = self._metric_files(run_id)
                path = files[run_id].get(key)
                if path is None:
                    continue
                try:
                    out[(run_id, key)] = parse_metric_lines(path.read_bytes())
                except OSError:
                    continue
        return out

    # -- artifacts -----------------------------------------------------------

    def read_mlmodel(self, ref: ArtifactRef) -> str | None:
        candidates: list[Path] = []
        if ref.kind == "logged":
            logged = self.logged_model(ref.owner)
            model_dir = self._logged_dirs.get(ref.owner)
            if model_dir is not None:
                candidates.append(model_dir / "artifacts" / "MLmodel")
            if logged is not None and logged.artifact_uri.startswith("file://"):
                candidates.append(Path(unquote(urlsplit(logged.artifact_uri).path)) / "MLmodel")
        else:
            run_dir = self._run_dir(ref.owner)
            if run_dir is not None:
                candidates.append(run_dir / "artifacts" / ref.path / "MLmodel")
        for path in candidates:
            text = _read_text(path)
            if text is not None:
                return text
        return None

    # -- live ----------------------------------------------------------------

    def change_token(self, run_ids: Sequence[str]) -> str:
        stamps: list[Any] = []

        def stamp(path: Path) -> None:
            try:
                st = path.stat()
                stamps.append((str(path), st.st_mtime_ns, st.st_size))
            except OSError:
                stamps.append((str(path), None, None))

        stamp(self.root)
        for _, exp_dir, _ in self._experiment_dirs():
            stamp(exp_dir)
            stamp(exp_dir / "models")
        models_dir = self.root / "models"
        stamp(models_dir)
        try:
            for entry in sorted(os.scandir(models_dir), key=lambda e: e.name):
                if entry.is_dir():
                    model_dir = Path(entry.path)
                    stamp(model_dir / "meta.yaml")
                    stamp(model_dir / "aliases")
                    for version in sorted(model_dir.glob("version-*")):
                        stamp(version / "meta.yaml")
                        stamp(version / "tags")
        except OSError:
            pass
        for run_id in run_ids:
            run_dir = self._run_dir(run_id)
            if run_dir is None:
                continue
            stamp(run_dir / "meta.yaml")
            for _key, path in sorted(_files_under(run_dir / "metrics").items()):
                stamp(path)
        return hashlib.sha1(json.dumps(stamps).encode("utf-8")).hexdigest()


class MlrunsSource(MlflowSource):
    """A read-only source over an MLflow file store folder."""

    def __init__(self, uri: str, *, cache_dir: Path | bool | None = None) -> None:
        super().__init__(MlrunsBackend(uri), cache_dir=cache_dir)


def is_mlruns_uri(uri: str) -> bool:
    return uri.strip().lower().startswith(f"{SCHEME}:")


def open_mlruns_source(uri: str, **options: Any) -> MlrunsSource:
    """The source for `mlruns:///abs/path/mlruns`."""
    return MlrunsSource(uri, **options)
