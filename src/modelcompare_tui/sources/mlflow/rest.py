"""`mlflow+http(s)://host:port[/prefix]`: an MLflow tracking server, read over its
REST API with httpx (no mlflow package at run time).

Endpoints used (all read-only; `/api/2.0/mlflow/` unless written in full):

* listing: `experiments/search` (POST, paged), `registered-models/search` and
  `model-versions/search` (GET, paged), `logged-models/search` (POST, paged;
  MLflow 3, skipped when the server lacks it), `runs/search` (POST, the listed
  models' runs by `attributes.run_id IN (…)`, 100 ids a request);
* one model: `model-versions/get`, `registered-models/get`, `logged-models/{id}`,
  `runs/get`, `experiments/get`;
* histories: `/ajax-api/2.0/mlflow/metrics/get-history-bulk` (≤ 100 run ids and
  ≤ 25,000 points a request; runs are batched by their expected point counts)
  and, where the server lacks it or a batch overflows, paged `metrics/get-history`;
  single-value detection probes `/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval`
  with `max_results=2` (first and last point of each run, ≤ 100 runs a request);
* framework: the model's `MLmodel` via
  `/ajax-api/2.0/mlflow/logged-models/{id}/artifacts/files` or `/get-artifact`.

The server's filter language has no OR and the table merges versions with logged
models, so search/filter/sort/paging of the models table run on a light list
read in full (paged at the largest page size each endpoint allows) and kept for
30 s or until the change token moves. Requests run in parallel (at most
`max_parallel` at once). Credentials come only from the environment:
`MLFLOW_TRACKING_TOKEN` (bearer), or `MLFLOW_TRACKING_USERNAME` and
`MLFLOW_TRACKING_PASSWORD` (basic); `MLFLOW_TRACKING_INSECURE_TLS`,
`MLFLOW_TRACKING_SERVER_CERT_PATH` and `MLFLOW_TRACKING_CLIENT_CERT_PATH` are
honoured as by the mlflow client.
"""


from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from ..base import SourceError, shown_uri
from .backend import MlflowBackend
from .client import RestClient
from .mapping import parse_model_id
from .rest_json import (
    _history_from_points,
    _logged_from_json,
    _registered_from_json,
    _run_from_json,
    _version_from_json,
)
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

SCHEMES = ("mlflow+http", "mlflow+https")
BULK_MAX_RUNS = 100
BULK_MAX_POINTS = 25_000  # the server's cap on one get-history-bulk answer
BULK_BATCH_POINTS = 20_000  # expected points per request, leaving room for re-logged steps
HISTORY_PAGE = 25_000
RUN_SEARCH_IDS = 100


def parse_mlflow_uri(uri: str) -> tuple[str, str]:
    """`mlflow+http://host:port/prefix` -> (shareable URI, base URL of the server)."""
    text = uri.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise SourceError(f"{shown_uri(text)}: not an MLflow server URI (expected mlflow+http:// or mlflow+https://)")
    if parts.username is not None or parts.password is not None:
        raise SourceError(
            f"{shown_uri(scheme + '://' + (parts.hostname or ''))}: credentials do not belong in the source URI "
            "(it is stored and shared); set MLFLOW_TRACKING_TOKEN or "
            "MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD instead"
        )
    if not parts.hostname:
        raise SourceError(f"{shown_uri(text)}: the MLflow server URI has no host")
    if parts.query or parts.fragment:
        raise SourceError(
            f"{shown_uri(text)}: the MLflow server URI takes no query or fragment "
            "(credentials come from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD)"
        )
    try:
        port = parts.port
    except ValueError:
        raise SourceError(f"{shown_uri(text)}: bad port in the MLflow server URI") from None
    host = parts.hostname
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host + (f":{port}" if port is not None else "")
    path = parts.path.rstrip("/")
    http_scheme = scheme.split("+", 1)[1]
    return f"{scheme}://{netloc}{path}", f"{http_scheme}://{netloc}{path}"


API = "/api/2.0/mlflow"
AJAX = "/ajax-api/2.0/mlflow"


class MlflowRestBackend(MlflowBackend):
    def __init__(self, uri: str, **client_options: Any) -> None:
        self.uri, base_url = parse_mlflow_uri(uri)
        self.http = RestClient(base_url, self.uri, **client_options)
        # the server's caps (smaller values are honoured too: tests use them)
        self.bulk_max_points = BULK_MAX_POINTS
        self.bulk_batch_points = BULK_BATCH_POINTS
        self.history_page = HISTORY_PAGE
        self._bulk_ok: bool | None = None  # get-history-bulk, learnt on first use
        self._interval_ok: bool | None = None
        self._logged_ok: bool | None = None
        self._active_experiments: list[str] = []
        self._run_experiments: dict[str, str] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.http.close()

    def check(self) -> None:
        """One cheap authenticated request: an unreachable server, bad credentials or
        something that is not an MLflow server fail here, as a SourceError."""
        data = self.http.get(f"{API}/registered-models/search", {"max_results": 1})
        if not isinstance(data, dict):
            raise SourceError(f"{self.uri}: not an MLflow server answer from GET {API}/registered-models/search")

    # -- paging --------------------------------------------------------------

    def _paged(
        self, method: str, path: str, args: dict[str, Any], field: str, *, missing_ok: bool = False
    ) -> list[Any] | None:
        items: list[Any] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            page_args = dict(args, page_token=token) if token else dict(args)
            if method == "GET":
                data = self.http.get(path, page_args, missing_ok=missing_ok)
            else:
                data = self.http.post(path, page_args, missing_ok=missing_ok)
            if data is None:
                return None
            items.extend(data.get(field, []) or [])
            token = data.get("next_page_token") or None
            if not token or token in seen:
                return items
            seen.add(token)

    # -- listing -------------------------------------------------------------

    def _experiments(self) -> dict[str, ExperimentData]:
        found = self._paged(
            "POST", f"{API}/experiments/search", {"max_results": 1000, "view_type": "ALL"}, "experiments"
        ) or []
        out = {}
        for e in found:
            exp = ExperimentData(
                str(e.get("experiment_id")), str(e.get("name", "")), str(e.get("lifecycle_stage", "active"))
            )
            out[exp.experiment_id] = exp
        return out

    def _registered(self) -> dict[str, RegisteredModelData]:
        found = self._paged("GET", f"{API}/registered-models/search", {"max_results": 1000}, "registered_models") or []
        return {r.name: r for r in map(_registered_from_json, found)}

    def _versions(self) -> list[VersionData]:
        found = self._paged("GET", f"{API}/model-versions/search", {"max_results": 10_000}, "model_versions") or []
        return [_version_from_json(v) for v in found]

    def _logged(self, experiment_ids: list[str]) -> list[LoggedModelData]:
        if self._logged_ok is False or not experiment_ids:
            return []
        out: list[LoggedModelData] = []
        for i in range(0, len(experiment_ids), 100):
            found = self._paged(
                "POST",
                f"{API}/logged-models/search",
                {"experiment_ids": experiment_ids[i : i + 100], "max_results": 1000},
                "models",
                missing_ok=True,
            )
            if found is None:  # an MLflow 2 server: no logged models
                self._logged_ok = False
                return []
            out += [_logged_from_json(m) for m in found]
        self._logged_ok = True
        return out

    def _search_runs(self, run_ids: list[str], experiment_ids: list[str]) -> dict[str, RunData]:
        chunks = [run_ids[i : i + RUN_SEARCH_IDS] for i in range(0, len(run_ids), RUN_SEARCH_IDS)]

        def search(chunk: list[str]) -> list[Any]:
            ids = ", ".join("'" + r.replace("'", "") + "'" for r in chunk)
            return self._paged(
                "POST",
                f"{API}/runs/search",
                {
                    "experiment_ids": experiment_ids,
                    "filter": f"attributes.run_id IN ({ids})",
                    "run_view_type": "ALL",
                    "max_results": 1000,
                },
                "runs",
            ) or []

        out: dict[str, RunData] = {}
        for found in self.http.parallel(search, chunks):
            for r in found:
                run = _run_from_json(r)
                out[run.run_id] = run
        return out

    def catalog(self) -> Catalog:
        experiments, registered, versions = self.http.parallel(
            lambda fn: fn(), [self._experiments, self._registered, self._versions]
        )
        active = [e.experiment_id for e in experiments.values() if e.lifecycle_stage == "active"]
        all_ids = list(experiments)
        version_runs = sorted({v.run_id for v in versions if v.run_id})
        logged, runs = self.http.parallel(
            lambda fn: fn(),
            [lambda: self._logged(active), lambda: self._search_runs(version_runs, all_ids) if version_runs else {}],
        )
        more = sorted({m.source_run_id for m in logged if m.source_run_id} - set(runs))
        if more:
            runs.update(self._search_runs(more, all_ids))
        with self._lock:
            self._active_experiments = active
            for run in runs.values():
                self._run_experiments[run.run_id] = run.experiment_id
        return Catalog(experiments=experiments, registered=registered, versions=versions, logged=logged, runs=runs)

    # -- single entities -----------------------------------------------------

    def version(self, name: str, version: str) -> tuple[VersionData, RegisteredModelData] | None:
        got_version, got_model = self.http.parallel(
            lambda call: call(),
            [
                lambda: self.http.get(f"{API}/model-versions/get", {"name": name, "version": version}, missing_ok=True),
                lambda: self.http.get(f"{API}/registered-models/get", {"name": name}, missing_ok=True),
            ],
        )
        if not got_version or "model_version" not in got_version:
            return None
        if got_model and "registered_model" in got_model:
            reg = _registered_from_json(got_model["registered_model"])
        else:
            reg = RegisteredModelData(name)
        return _version_from_json(got_version["model_version"]), reg

    def model_run(self, model_id: str) -> tuple[str, str] | None:
        parsed = parse_model_id(model_id)
        if parsed is None or parsed[0] != "version":
            return super().model_run(model_id)
        got = self.http.get(
            f"{API}/model-versions/get", {"name": parsed[1], "version": parsed[2]}, missing_ok=True
        )
        if not got or "model_version" not in got:
            return None
        return str(got["model_version"].get("run_id", "") or ""), ""

    def logged_model(self, model_id: str) -> LoggedModelData | None:
        got = self.http.get(f"{API}/logged-models/{quote(model_id, safe='')}", missing_ok=True)
        if not got or "model" not in got:
            return None
        return _logged_from_json(got["model"])

    def runs(self, run_ids: Sequence[str], experiments: dict[str, str] | None = None) -> dict[str, RunData]:
        out: dict[str, RunData] = {}
        hinted = sorted({experiments[r] for r in run_ids if experiments and r in experiments})
        if len(run_ids) > 1 and hinted:
            # one search request for many runs beats one request per run
            out.update(self._search_runs([r for r in run_ids if experiments and r in experiments], hinted))
        rest = [r for r in run_ids if r not in out]
        got = self.http.parallel(
            lambda run_id: self.http.get(f"{API}/runs/get", {"run_id": run_id}, missing_ok=True), rest
        )
        for data in got:
            if data and "run" in data:
                run = _run_from_json(data["run"])
                out[run.run_id] = run
        with self._lock:
            for run in out.values():
                self._run_experiments[run.run_id] = run.experiment_id
        return out

    def experiment(self, experiment_id: str) -> ExperimentData | None:
        got = self.http.get(f"{API}/experiments/get", {"experiment_id": experiment_id}, missing_ok=True)
        if not got or "experiment" not in got:
            return None
        e = got["experiment"]
        return ExperimentData(
            str(e.get("experiment_id")), str(e.get("name", "")), str(e.get("lifecycle_stage", "active"))
        )

    # -- histories -----------------------------------------------------------

    def fingerprints(self, run: RunData) -> dict[str, str]:
        # any new point moves the latest one (step, time, value) of its key
        return {key: f"{m.step}|{m.timestamp}|{m.value!r}" for key, m in run.latest.items()}

    def _paged_history(self, run_id: str, key: str) -> RawHistory:
        points = self._paged(
            "GET",
            f"{API}/metrics/get-history",
            {"run_id": run_id, "metric_key": key, "max_results": self.history_page},
            "metrics",
            missing_ok=True,
        ) or []
        return _history_from_points(points)

    def _bulk(self, key: str, run_ids: list[str]) -> dict[tuple[str, str], RawHistory]:
        out: dict[tuple[str, str], RawHistory] = {}
        data = None
        if self._bulk_ok is not False and len(run_ids) > 0:
            data = self.http.get(
                f"{AJAX}/metrics/get-history-bulk",
                {"run_id": run_ids, "metric_key": key, "max_results": self.bulk_max_points},
                missing_ok=True,
            )
            if data is None:
                self._bulk_ok = False
            else:
                self._bulk_ok = True
        if data is not None:
            points = data.get("metrics", []) or []
            if len(points) < self.bulk_max_points:  # otherwise cut at the cap: read run by run
                grouped: dict[str, list[dict[str, Any]]] = {r: [] for r in run_ids}
                for p in points:
                    grouped.setdefault(str(p.get("run_id")), []).append(p)
                return {(r, key): _history_from_points(grouped.get(r, [])) for r in run_ids}
        for run_id in run_ids:
            out[(run_id, key)] = self._paged_history(run_id, key)
        return out

    def histories(self, wanted: dict[str, list[str]], runs: dict[str, RunData]) -> dict[tuple[str, str], RawHistory]:
        jobs: list[tuple[str, list[str]]] = []
        for key, run_ids in wanted.items():
            batch: list[str] = []
            budget = 0
            for run_id in run_ids:
                latest = runs[run_id].latest.get(key)
                expected = max(1, latest.step + 1) if latest else 1
                if expected > self.bulk_batch_points:
                    jobs.append((key, [run_id]))
                    continue
                if batch and (len(batch) >= BULK_MAX_RUNS or budget + expected > self.bulk_batch_points):
                    jobs.append((key, batch))
                    batch, budget = [], 0
                batch.append(run_id)
                budget += expected
            if batch:
                jobs.append((key, batch))
        out: dict[tuple[str, str], RawHistory] = {}
        for part in self.http.parallel(lambda job: self._bulk(*job), jobs):
            out.update(part)
        return out

    def single_step_keys(
        self, wanted: dict[str, list[str]], runs: dict[str, RunData]
    ) -> dict[tuple[str, str], float | None]:
        if self._interval_ok is False:
            return super().single_step_keys(wanted, runs)
        jobs = [
            (key, run_ids[i : i + BULK_MAX_RUNS])
            for key, run_ids in wanted.items()
            for i in range(0, len(run_ids), BULK_MAX_RUNS)
        ]

        def probe(job: tuple[str, list[str]]) -> dict[tuple[str, str], float | None] | None:
            key, run_ids = job
            # the first and the last point by step of each run: one step in all -> single value
            data = self.http.get(
                f"{AJAX}/metrics/get-history-bulk-interval",
                {"run_ids": run_ids, "metric_key": key, "max_results": 2},
                missing_ok=True,
            )
            if data is None:
                return None
            steps: dict[str, set[int]] = {r: set() for r in run_ids}
            for p in data.get("metrics", []) or []:
                steps.setdefault(str(p.get("run_id")), set()).add(int(p.get("step", 0) or 0))
            result: dict[tuple[str, str], float | None] = {}
            for run_id in run_ids:
                latest = runs[run_id].latest.get(key)
                single = len(steps.get(run_id, ())) == 1 and latest is not None
                result[(run_id, key)] = latest.value if single and latest else None
            return result

        results = self.http.parallel(probe, jobs)
        if any(r is None for r in results):
            self._interval_ok = False
            return super().single_step_keys(wanted, runs)
        self._interval_ok = True
        out: dict[tuple[str, str], float | None] = {}
        for part in results:
            out.update(part)
        return out

    # -- artifacts -----------------------------------------------------------

    def read_mlmodel(self, ref: ArtifactRef) -> str | None:
        if ref.kind == "logged":
            return self.http.get(
                f"{AJAX}/logged-models/{quote(ref.owner, safe='')}/artifacts/files",
                {"artifact_file_path": "MLmodel"},
                missing_ok=True,
                raw=True,
            )
        path = f"{ref.path}/MLmodel" if ref.path else "MLmodel"
        return self.http.get("/get-artifact", {"run_id": ref.owner, "path": path}, missing_ok=True, raw=True)

    # -- live ----------------------------------------------------------------

    def change_token(self, run_ids: Sequence[str]) -> str:
        with self._lock:
            experiment_ids = sorted({self._run_experiments[r] for r in run_ids if r in self._run_experiments})
            known_ids = [r for r in run_ids if r in self._run_experiments]
            active = list(self._active_experiments)

        def newest_model() -> Any:
            data = self.http.get(
                f"{API}/registered-models/search",
                {"max_results": 1, "order_by": "last_updated_timestamp DESC"},
            )
            return [(m.get("name"), m.get("last_updated_timestamp")) for m in data.get("registered_models", [])]

        def newest_version() -> Any:
            data = self.http.get(f"{API}/model-versions/search", {"max_results": 1})
            return [
                (v.get("name"), v.get("version"), v.get("last_updated_timestamp"))
                for v in data.get("model_versions", [])
            ]

        def newest_logged() -> Any:
            if not active or self._logged_ok is False:
                return None
            data = self.http.post(
                f"{API}/logged-models/search", {"experiment_ids": active[:100], "max_results": 1}, missing_ok=True
            )
            models = (data or {}).get("models", [])
            return [
                (m.get("info", {}).get("model_id"), m.get("info", {}).get("last_updated_timestamp_ms"))
                for m in models
            ]

        def run_states() -> Any:
            if not known_ids:
                return None
            runs = self._search_runs(known_ids, experiment_ids)
            return sorted(
                (
                    r.run_id,
                    r.status,
                    r.end_time,
                    sorted((k, m.step, m.timestamp, repr(m.value)) for k, m in r.latest.items()),
                )
                for r in runs.values()
            )

        parts = self.http.parallel(lambda fn: fn(), [newest_model, newest_version, newest_logged, run_states])
        return hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


class MlflowRestSource(MlflowSource):
    """A read-only source over an MLflow tracking server."""

    local = False  # every query is a request to the server: no reading ahead

    def __init__(self, uri: str, *, cache_dir: Path | bool | None = None, **client_options: Any) -> None:
        super().__init__(MlflowRestBackend(uri, **client_options), cache_dir=cache_dir)


def is_mlflow_uri(uri: str) -> bool:
    return uri.strip().lower().startswith(tuple(f"{s}://" for s in SCHEMES))


def open_mlflow_source(uri: str, *, check: bool = True, **options: Any) -> MlflowRestSource:
    """The source for `mlflow+http(s)://host:port[/prefix]`; with `check`, one request
    first so that an unreachable server or refused credentials fail right here."""
    source = MlflowRestSource(uri, **options)
    if check:
        try:
            source.backend.check()  # type: ignore[attr-defined]
        except BaseException:
            source.close()
            raise
    return source
