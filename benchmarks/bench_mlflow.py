"""Speed of the MLflow sources against a real MLflow server (and an mlruns folder).

Data: 5 registered model versions, each from its own run with 10 metrics x 2,000
steps (100,000 points). Prints each measured figure (median of --repeat runs)
next to its target, and compares with the mlflow client fetching the same
histories (get_metric_history per run and metric).

    .venv/bin/python benchmarks/bench_mlflow.py [--steps 2000] [--repeat 3] [--no-mlruns]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from mlflow_fixtures import default_store, file_store_allowed, start_mlflow_server  # noqa: E402

from modelcompare_tui.core.model import ModelQuery  # noqa: E402
from modelcompare_tui.sources.mlflow.rest import open_mlflow_source  # noqa: E402
from modelcompare_tui.sources.mlflow.mlruns import open_mlruns_source  # noqa: E402

MODELS = 5
METRICS = 10
T0_MS = 1_700_000_000_000


def log_bench_data(tracking_uri: str, steps: int) -> tuple[list[str], list[str], list[str]]:
    """-> (model ids, run ids, metric keys)"""
    from mlflow import MlflowClient

    with default_store(tracking_uri):
        return _log_bench_data(MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri), steps)


def _log_bench_data(client: Any, steps: int) -> tuple[list[str], list[str], list[str]]:
    import numpy as np
    from mlflow.entities import Metric, Param

    exp = client.create_experiment("bench")
    client.create_registered_model("bench-model")
    keys = [f"metric{k}/train" for k in range(METRICS)]
    run_ids = []
    for i in range(MODELS):
        start = T0_MS + i * 10_000_000
        run = client.create_run(exp, start_time=start, run_name=f"run{i}")
        rng = np.random.default_rng(i)
        metrics = [
            Metric(key, float(v), start + s * 1000, s)
            for k, key in enumerate(keys)
            for s, v in enumerate(np.exp(-np.arange(steps) / 500.0) * (k + 1) + 0.01 * rng.standard_normal(steps))
        ]
        for j in range(0, len(metrics), 1000):
            client.log_batch(run.info.run_id, metrics=metrics[j : j + 1000])
        client.log_batch(run.info.run_id, params=[Param("lr", str(0.001 * (i + 1))), Param("seed", str(i))])
        client.set_terminated(run.info.run_id, end_time=start + steps * 1000 + 1)
        client.create_model_version("bench-model", source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
        run_ids.append(run.info.run_id)
    return [f"bench-model/{v}" for v in range(1, MODELS + 1)], run_ids, keys


def median_time(fn: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None) -> float:
    times = []
    for _ in range(repeat):
        state = setup() if setup else None
        t0 = time.perf_counter()
        fn() if state is None else fn(state)  # type: ignore[call-arg]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def report(rows: list[tuple[str, float, float | None]]) -> None:
    print(f"\n{'measure':58} {'target':>8} {'measured':>9}")
    for name, measured, target in rows:
        verdict = "" if target is None else ("  ok" if measured <= target else "  MISS")
        target_text = "-" if target is None else f"{target:.2f} s"
        print(f"{name:58} {target_text:>8} {measured:8.3f} s{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-mlruns", action="store_true", help="skip the mlruns folder")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-mlflow-"))
    caches = workdir / "caches"
    counter = iter(range(1_000_000))

    def fresh_cache() -> Path:
        return caches / str(next(counter))

    server = start_mlflow_server(workdir / "server")
    try:
        t0 = time.perf_counter()
        ids, run_ids, keys = log_bench_data(server.url, args.steps)
        print(f"logged {MODELS} x {METRICS} x {args.steps} points to {server.url} in {time.perf_counter() - t0:.1f} s")
        uri = server.source_uri
        open_source = lambda cache: open_mlflow_source(uri, cache_dir=cache)  # noqa: E731
        open_source(fresh_cache()).list_models(ModelQuery())  # warm the server's own caches once

        rows: list[tuple[str, float, float | None]] = []

        def open_and_list() -> None:
            open_source(fresh_cache()).list_models(ModelQuery())

        rows.append(("REST list (open + first page, nothing cached)", median_time(open_and_list, args.repeat), 0.3))
        rows.append(
            (
                "REST list (first page, source already open)",
                median_time(lambda s: s.list_models(ModelQuery()), args.repeat, lambda: open_source(fresh_cache())),
                0.3,
            )
        )
        rows.append(
            (
                "REST Values: scalar_summaries, cold (fresh source + cache)",
                median_time(lambda s: s.scalar_summaries(ids), args.repeat, lambda: open_source(fresh_cache())),
                1.0,
            )
        )
        cold_values = rows[-1][1]
        warm = open_source(fresh_cache())
        warm.scalar_summaries(ids)
        rows.append(("REST Values: same source again (in memory)", median_time(lambda: warm.scalar_summaries(ids), args.repeat), 0.1))
        shared = fresh_cache()
        open_source(shared).scalar_summaries(ids)
        rows.append(
            (
                "REST Values: second open (disk cache)",
                median_time(lambda s: s.scalar_summaries(ids), args.repeat, lambda: open_source(shared)),
                0.1,
            )
        )

        def chart(source: object) -> None:
            for model_id in ids:
                source.series(model_id, "metric3", "train")  # type: ignore[attr-defined]

        def listed_source() -> object:
            source = open_source(fresh_cache())
            source.list_models(ModelQuery())
            return source

        rows.append(("REST merged chart, 5 series cold (after the list)", median_time(chart, args.repeat, listed_source), 0.5))
        rows.append(
            ("REST merged chart, 5 series cold (fresh source)", median_time(chart, args.repeat, lambda: open_source(fresh_cache())), 0.5)
        )

        # the floor: the server's own time to answer the same history requests
        with httpx.Client(timeout=120) as http:

            def raw_bulk() -> None:
                for key in keys:
                    http.get(
                        f"{server.url}/ajax-api/2.0/mlflow/metrics/get-history-bulk",
                        params={"run_id": run_ids, "metric_key": key, "max_results": 25000},
                    ).raise_for_status()

            rows.append(("server floor: 10 get-history-bulk answers, unparsed", median_time(raw_bulk, args.repeat), None))

        from mlflow import MlflowClient

        client = MlflowClient(tracking_uri=server.url)

        def mlflow_client_histories() -> None:
            for run_id in run_ids:
                for key in keys:
                    client.get_metric_history(run_id, key)

        client_time = median_time(mlflow_client_histories, args.repeat)
        rows.append(("mlflow client: get_metric_history x 50", client_time, None))

        if not args.no_mlruns:
            folder = workdir / "mlruns"
            with file_store_allowed():
                t0 = time.perf_counter()
                log_bench_data(folder.as_uri(), args.steps)
                print(f"wrote the same data to {folder} in {time.perf_counter() - t0:.1f} s")
            muri = f"mlruns://{folder}"
            rows.append(
                (
                    "mlruns list (open + first page)",
                    median_time(lambda: open_mlruns_source(muri, cache_dir=fresh_cache()).list_models(ModelQuery()), args.repeat),
                    0.3,
                )
            )
            rows.append(
                (
                    "mlruns Values: scalar_summaries, cold",
                    median_time(lambda s: s.scalar_summaries(ids), args.repeat, lambda: open_mlruns_source(muri, cache_dir=fresh_cache())),
                    1.0,
                )
            )
            shared = fresh_cache()
            open_mlruns_source(muri, cache_dir=shared).scalar_summaries(ids)
            rows.append(
                (
                    "mlruns Values: second open (disk cache)",
                    median_time(lambda s: s.scalar_summaries(ids), args.repeat, lambda: open_mlruns_source(muri, cache_dir=shared)),
                    0.1,
                )
            )
            rows.append(
                (
                    "mlruns merged chart, 5 series cold",
                    median_time(chart, args.repeat, lambda: open_mlruns_source(muri, cache_dir=fresh_cache())),
                    0.5,
                )
            )

        report(rows)
        print(f"\nmlflow client / modelcompare (cold Values, same 100,000 points): {client_time / cold_values:.2f}x")
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
