"""Fixtures for the MLflow sources: a real `mlflow server`, a deterministic data set
logged with the mlflow client (to that server, or to an mlruns folder), and a small
local HTTP proxy that injects failures (401, 5xx, 404, stalls).

Also used by benchmarks/bench_mlflow.py (start_mlflow_server, log_dataset)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

T0_MS = 1_700_000_000_000  # every timestamp is fixed, so two stores hold the same data


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- a real MLflow server ----------------------------------------------------------


@dataclass
class MlflowServer:
    url: str  # http://127.0.0.1:port
    port: int
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def source_uri(self) -> str:
        return "mlflow+" + self.url

    def stop(self) -> None:
        """Stop the server and the workers it started (its own process group)."""
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _mlflow_command() -> list[str]:
    return [sys.executable, "-m", "mlflow"]


def start_mlflow_server(workdir: Path, port: int | None = None, timeout: float = 90.0) -> MlflowServer:
    """`mlflow server` on a fresh SQLite store, one worker, job execution off."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log_path = workdir / "server.log"
    env = dict(os.environ)
    env.update(
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false",
        MLFLOW_DISABLE_TELEMETRY="true",
        DO_NOT_TRACK="1",
    )
    cmd = _mlflow_command() + [
        "server",
        "--backend-store-uri",
        f"sqlite:///{workdir / 'mlflow.db'}",
        "--default-artifact-root",
        str(workdir / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, cwd=workdir)
    server = MlflowServer(f"http://127.0.0.1:{port}", port, workdir, proc, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mlflow server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1.0).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"mlflow server did not start in {timeout:g} s: {log_path.read_text(errors='replace')[-2000:]}")


# -- the data set ------------------------------------------------------------------


@dataclass
class Dataset:
    """What log_dataset wrote: run ids by name and the unregistered logged model."""

    tracking_uri: str
    runs: dict[str, str] = field(default_factory=dict)  # run name -> run id
    versions: dict[str, str] = field(default_factory=dict)  # model id -> run name
    logged_model_id: str = ""
    steps: int = 0


def _curve(rng: np.random.Generator, steps: int, start: float, rate: float, noise: float) -> np.ndarray:
    x = np.arange(steps, dtype=np.float64)
    return start * np.exp(-x / rate) + noise * rng.standard_normal(steps)


def log_dataset(tracking_uri: str, *, steps: int = 2000) -> Dataset:
    """Three runs (params, tags, metric histories of `steps` points with a resumed
    stretch, NaN/inf points, single-value metrics), two registered models with three
    versions (aliases, a stage, version tags, a description, a parent link) and one
    unregistered MLflow 3 logged model. Every timestamp is fixed."""
    from mlflow import MlflowClient

    with default_store(tracking_uri):
        return _log_dataset(MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri), tracking_uri, steps)


def default_store(tracking_uri: str) -> contextlib.AbstractContextManager[None]:
    """mlflow falls back on its default store (./mlflow.db) in places (the file store's
    registry looks runs up there): point that default at `tracking_uri` too."""
    return _env(MLFLOW_TRACKING_URI=tracking_uri, MLFLOW_REGISTRY_URI=tracking_uri)


@contextlib.contextmanager
def _env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _log_dataset(client: Any, tracking_uri: str, steps: int) -> Dataset:
    from mlflow.entities import LoggedModelStatus, Metric, Param

    data = Dataset(tracking_uri=tracking_uri, steps=steps)
    exp_churn = client.create_experiment("churn-exp")
    exp_forecast = client.create_experiment("forecast-exp")
    specs = [
        ("baseline", exp_churn, {"lr": "0.001", "batch_size": "32", "optimizer.name": "adam", "layers": "[64, 32]"},
         {"team": "ml", "framework": "pytorch"}, ("loss/train", "loss/val", "accuracy")),
        ("finetune", exp_churn, {"lr": "0.0005", "batch_size": "64", "optimizer.name": "adamw", "layers": "[64, 32]"},
         {"team": "ml"}, ("loss/train", "loss/val", "accuracy")),
        ("prophet", exp_forecast, {"seasonality": "weekly", "horizon": "28"},
         {"team": "forecast"}, ("loss/train", "mae")),
    ]
    for index, (name, exp_id, params, tags, keys) in enumerate(specs):
        start = T0_MS + index * 10_000_000
        run = client.create_run(exp_id, start_time=start, run_name=name, tags=tags)
        run_id = run.info.run_id
        data.runs[name] = run_id
        rng = np.random.default_rng(1234 + index)
        metrics: list[Metric] = []
        for k, key in enumerate(keys):
            values = _curve(rng, steps, 1.0 + k, steps / 4, 0.02)
            if key == "accuracy":
                values = 1.0 - values / (2.0 + k)
            if index == 1 and key == "loss/val":
                values[10] = float("nan")
                values[11] = float("inf")
            metrics += [
                Metric(key, float(values[s]), start + s * 1000, s) for s in range(steps)
            ]
            if index == 0 and key in ("loss/train", "accuracy"):
                # resumed from a checkpoint: a stretch reported again, later
                lo, hi = steps * 3 // 4, steps * 3 // 4 + 100
                redo = values[lo:hi] * 0.5 - 0.1
                metrics += [
                    Metric(key, float(redo[s - lo]), start + (steps + s) * 1000, s) for s in range(lo, hi)
                ]
        single_at = start + (2 * steps + 10) * 1000
        if "mae" not in keys:
            metrics.append(Metric("test/f1", 0.80 + index / 100, single_at, 0))
        # reported three times at one step: the last one counts
        metrics += [Metric("test_accuracy", 0.7 + r / 10 + index / 100, single_at + r, 0) for r in range(3)]
        for i in range(0, len(metrics), 1000):
            client.log_batch(run_id, metrics=metrics[i : i + 1000])
        client.log_batch(run_id, params=[Param(k, v) for k, v in params.items()])
        client.set_terminated(run_id, end_time=single_at + 5000)

    client.create_registered_model("churn", description="predicts churn")
    v1 = client.create_model_version(
        "churn", source=f"runs:/{data.runs['baseline']}/model", run_id=data.runs["baseline"],
        description="baseline model", tags={"validated": "true"},
    )
    v2 = client.create_model_version(
        "churn", source=f"runs:/{data.runs['finetune']}/model", run_id=data.runs["finetune"],
        tags={"modelcompare.parent": "models:/churn/1", "dataset": "2024-q1"},
    )
    client.set_registered_model_alias("churn", "champion", v2.version)
    with _quiet_warnings():
        client.transition_model_version_stage("churn", v1.version, "Staging")
    client.create_registered_model("forecaster")
    client.create_model_version(
        "forecaster", source=f"runs:/{data.runs['prophet']}/model", run_id=data.runs["prophet"]
    )
    data.versions = {"churn/1": "baseline", "churn/2": "finetune", "forecaster/1": "prophet"}
    logged = client.create_logged_model(
        experiment_id=exp_forecast,
        name="prophet-candidate",
        source_run_id=data.runs["prophet"],
        tags={"candidate": ""},
        params={"changepoint_prior": "0.05"},
    )
    client.finalize_logged_model(logged.model_id, LoggedModelStatus.READY)
    data.logged_model_id = logged.model_id
    return data


@contextlib.contextmanager
def _quiet_warnings() -> Iterator[None]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def file_store_allowed() -> Iterator[None]:
    """MLflow 3 refuses a file store unless MLFLOW_ALLOW_FILE_STORE=true."""
    with _env(MLFLOW_ALLOW_FILE_STORE="true"):
        yield


def expected_summary(history: list[tuple[int, int, float]]) -> tuple[float, int, float | None, float | None, int]:
    """(last, last step, min, max, count) from an mlflow client history of (step,
    timestamp, value) — the rule written independently of modelcompare's code: at
    each step the point with the latest timestamp wins (the later one in the
    client's order on a tie); Last is the value at the highest step; Min/Max skip
    non-finite values."""
    import math

    best: dict[int, tuple[int, int, float]] = {}
    for order, (step, ts, value) in enumerate(history):
        if step not in best or (ts, order) >= best[step][:2]:
            best[step] = (ts, order, value)
    steps = sorted(best)
    values = [best[s][2] for s in steps]
    finite = [v for v in values if math.isfinite(v)]
    return values[-1], steps[-1], (min(finite) if finite else None), (max(finite) if finite else None), len(steps)


# -- a failure-injecting proxy -----------------------------------------------------


class FaultProxy:
    """A local HTTP server that forwards to `upstream` (or answers `{}` when there is
    none), unless told to fail: every answer `status_all`, the first `fail_first`
    answers `fail_status`, paths starting with one of `not_found` a 404, every
    answer after a `delay`, or an HTML page instead of JSON."""

    def __init__(
        self,
        upstream: str | None = None,
        *,
        status_all: int | None = None,
        fail_first: int = 0,
        fail_status: int = 503,
        not_found: tuple[str, ...] = (),
        delay: float = 0.0,
        html: bool = False,
    ) -> None:
        self.upstream = upstream
        self.status_all = status_all
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.not_found = not_found
        self.delay = delay
        self.html = html
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._client = httpx.Client(timeout=60.0)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy._lock:
                    proxy.requests.append(f"{self.command} {self.path}")
                    count = len(proxy.requests)
                if proxy.delay:
                    time.sleep(proxy.delay)
                if proxy.status_all is not None:
                    self._answer(proxy.status_all, b'{"error_code": "UNAUTHENTICATED", "message": "no"}')
                    return
                if count <= proxy.fail_first:
                    self._answer(proxy.fail_status, b'{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}')
                    return
                if any(self.path.startswith(p) for p in proxy.not_found):
                    self._answer(404, b"<html>not here</html>", "text/html")
                    return
                if proxy.html:
                    self._answer(200, b"<html>login</html>", "text/html")
                    return
                if proxy.upstream is None:
                    self._answer(200, b"{}")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization")}
                upstream = proxy._client.request(
                    self.command, proxy.upstream + self.path, content=body, headers=headers
                )
                self._answer(upstream.status_code, upstream.content, upstream.headers.get("content-type", "application/json"))

            do_GET = _handle
            do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def source_uri(self) -> str:
        return "mlflow+" + self.url

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._client.close()


# -- pytest fixtures ---------------------------------------------------------------


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    pytest.importorskip("mlflow")
    server = start_mlflow_server(tmp_path_factory.mktemp("mlflow-server"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def mlflow_dataset(mlflow_server: MlflowServer) -> Dataset:
    return log_dataset(mlflow_server.url)


@pytest.fixture(scope="session")
def mlruns_dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Dataset]:
    pytest.importorskip("mlflow")
    root = tmp_path_factory.mktemp("mlruns-store") / "mlruns"
    with file_store_allowed():
        data = log_dataset(root.as_uri())
    return root, data
