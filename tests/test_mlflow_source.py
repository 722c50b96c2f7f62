"""The read-only MLflow sources: `mlflow+http://` (REST) and `mlruns:///` (file store).

Unit tests build small file stores by hand and talk to a local failure-injecting
proxy; tests marked `mlflow` start a real MLflow server and log data with the
mlflow client, then check modelcompare's answers against what the client reports."""

from __future__ import annotations

import math
import shutil
import sys
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import yaml

from modelcompare_tui.core.config_flatten import flatten_config
from modelcompare_tui.core.model import ModelQuery, ModelRow
from modelcompare_tui.sources.base import SourceError
from modelcompare_tui.sources.mlflow.mapping import (
    nest_dotted,
    params_config,
    parse_model_id,
    series_keys,
    split_metric_key,
    version_model_id,
)
from modelcompare_tui.sources.mlflow.mlruns import (
    MlrunsSource,
    open_mlruns_source,
    parse_metric_lines,
    parse_mlruns_uri,
)
from modelcompare_tui.sources.mlflow.rest import MlflowRestSource, open_mlflow_source, parse_mlflow_uri
from modelcompare_tui.sources.mlflow.table import query_rows

try:  # tests/ as a package or as a plain folder on sys.path
    from .mlflow_fixtures import (  # noqa: F401  (fixtures are used by name)
        Dataset,
        FaultProxy,
        MlflowServer,
        expected_summary,
        free_port,
        mlflow_dataset,
        mlflow_server,
        mlruns_dataset,
        start_mlflow_server,
    )
except ImportError:
    from mlflow_fixtures import (  # type: ignore[no-redef]  # noqa: F401
        Dataset,
        FaultProxy,
        MlflowServer,
        expected_summary,
        free_port,
        mlflow_dataset,
        mlflow_server,
        mlruns_dataset,
        start_mlflow_server,
    )


# -- pure mapping helpers ------------------------------------------------------------


@pytest.mark.parametrize(
    "key, expected",
    [
        ("loss/train", ("loss", "train")),
        ("eval/loss/val", ("eval/loss", "val")),
        ("val.accuracy", ("val", "accuracy")),
        ("accuracy", ("accuracy", "accuracy")),
        ("acc@0.5", ("acc@0.5", "acc@0.5")),  # a number's dot is not a separator
        ("loss/", ("loss/", "loss/")),
        ("/loss", ("/loss", "/loss")),
        ("a.b/c", ("a.b", "c")),  # `/` wins over `.`
    ],
)
def test_split_metric_key(key: str, expected: tuple[str, str]) -> None:
    assert split_metric_key(key) == expected


def test_series_keys_keeps_colliding_keys_apart() -> None:
    mapping = series_keys(["loss/train", "loss.train", "acc"])
    assert mapping[("loss", "train")] == "loss.train"  # first in sorted order
    assert mapping[("loss/train", "loss/train")] == "loss/train"
    assert mapping[("acc", "acc")] == "acc"


def test_model_ids_round_trip() -> None:
    assert version_model_id("my model/x", "3") == "my%20model%2Fx/3"
    assert parse_model_id("my%20model%2Fx/3") == ("version", "my model/x", "3")
    assert parse_model_id("m-abc123") == ("logged", "m-abc123", "")
    assert parse_model_id("churn/latest") is None
    assert parse_model_id("nonsense") is None


def test_params_config_is_flat_sorted_yaml_that_keeps_the_text() -> None:
    config = params_config({"lr": "0.001", "layers": "[64, 32]", "epochs": "10", "flag": "True", "tiny": "1e-05"})
    assert config is not None and config.format == "yaml"
    assert list(yaml.safe_load(config.text)) == ["epochs", "flag", "layers", "lr", "tiny"]
    loaded = yaml.safe_load(config.text)
    assert loaded["lr"] == 0.001 and loaded["epochs"] == 10
    assert loaded["layers"] == "[64, 32]" and loaded["flag"] == "True" and loaded["tiny"] == "1e-05"
    assert params_config({}) is None


def test_dotted_params_nest_unless_they_collide() -> None:
    nested = nest_dotted({"opt.name": "adam", "opt.lr": 0.1, "a": 1, "a.b": 2, "x..y": 3, "m.k.v": 4, "m.k": 5})
    assert nested == {"opt": {"lr": 0.1, "name": "adam"}, "a": 1, "a.b": 2, "x..y": 3, "m": {"k": 5}, "m.k.v": 4}
    config = params_config({"optimizer.name": "adam", "optimizer.lr": "0.1", "layers": "[64, 32]"})
    assert flatten_config(config) == {"optimizer.name": "adam", "optimizer.lr": 0.1, "layers": "[64, 32]"}


def _row(i: int, **kw: object) -> ModelRow:
    base: dict[str, object] = {
        "id": f"m{i}", "name": f"model {i}", "project": "p", "framework": "torch", "status": "draft",
        "tags": (), "user": "u", "created": f"2024-01-{i + 1:02d}T00:00:00Z", "updated": f"2024-02-{i + 1:02d}T00:00:00Z",
    }
    base.update(kw)
    return ModelRow(**base)  # type: ignore[arg-type]


def test_query_rows_search_filter_sort_page_pin() -> None:
    rows = [_row(0, tags=("@champion",)), _row(1, project="churn"), _row(2, framework="sklearn"), _row(3)]
    assert [r.id for r in query_rows(rows, ModelQuery()).rows] == ["m3", "m2", "m1", "m0"]  # newest first
    assert [r.id for r in query_rows(rows, ModelQuery(search="CHURN")).rows] == ["m1"]
    assert [r.id for r in query_rows(rows, ModelQuery(search="champ")).rows] == ["m0"]
    page = query_rows(rows, ModelQuery(filters=(("framework", ("torch",)),), sort=("name", False), offset=1, limit=1))
    assert [r.id for r in page.rows] == ["m1"] and page.total == 3
    ranged = query_rows(rows, ModelQuery(ranges=(("created", "2024-01-02", "2024-01-03"),)))
    assert sorted(r.id for r in ranged.rows) == ["m1", "m2"]  # the high date covers its whole day
    pinned = query_rows(rows, ModelQuery(search="churn", pinned=("m3",)))
    assert [r.id for r in pinned.rows] == ["m3", "m1"] and pinned.total == 2
    with pytest.raises(SourceError):
        query_rows(rows, ModelQuery(sort=("nope", False)))


# -- URIs ------------------------------------------------------------------------------


def test_parse_mlflow_uri() -> None:
    assert parse_mlflow_uri("mlflow+http://Host:5000/") == ("mlflow+http://host:5000", "http://host:5000")
    assert parse_mlflow_uri("mlflow+https://h/mlflow/") == ("mlflow+https://h/mlflow", "https://h/mlflow")
    with pytest.raises(SourceError, match="credentials"):
        parse_mlflow_uri("mlflow+https://alice:secret@h:5000")
    with pytest.raises(SourceError, match="not an MLflow server URI"):
        parse_mlflow_uri("http://h:5000")
    with pytest.raises(SourceError, match="bad port"):
        parse_mlflow_uri("mlflow+http://h:99999")


def test_credential_error_never_echoes_the_secret() -> None:
    with pytest.raises(SourceError) as info:
        parse_mlflow_uri("mlflow+https://alice:s3cr3t@h:5000")
    assert "s3cr3t" not in str(info.value) and "alice" not in str(info.value)


def test_parse_mlruns_uri(tmp_path: Path) -> None:
    uri, folder = parse_mlruns_uri(f"mlruns://{tmp_path}/a%20b/")
    assert folder == tmp_path / "a b" and uri == f"mlruns://{tmp_path}/a%20b"
    with pytest.raises(SourceError, match="absolute"):
        parse_mlruns_uri("mlruns:relative/path")
    with pytest.raises(SourceError, match="no such folder"):
        open_mlruns_source(f"mlruns://{tmp_path}/missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="not an MLflow file store"):
        open_mlruns_source(f"mlruns://{tmp_path}/empty")


# -- a file store written by hand -------------------------------------------------------


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)


def _experiment(root: Path, exp_id: str, name: str) -> None:
    _write(root / exp_id / "meta.yaml", yaml.safe_dump({"experiment_id": exp_id, "name": name, "lifecycle_stage": "active"}))


def _run(
    root: Path, exp_id: str, run_id: str, *, name: str, status: int = 3, end: int | None = 1_700_000_900_000,
    params: dict[str, str] | None = None, tags: dict[str, str] | None = None, metrics: dict[str, bytes] | None = None,
) -> Path:
    run_dir = root / exp_id / run_id
    meta = {
        "run_id": run_id, "run_uuid": run_id, "experiment_id": exp_id, "run_name": name, "user_id": "alice",
        "status": status, "start_time": 1_700_000_000_000, "end_time": end, "lifecycle_stage": "active",
        "artifact_uri": f"file://{run_dir}/artifacts",
    }
    _write(run_dir / "meta.yaml", yaml.safe_dump(meta))
    for key, value in (params or {}).items():
        _write(run_dir / "params" / key, value)
    for key, value in (tags or {}).items():
        _write(run_dir / "tags" / key, value)
    for key, data in (metrics or {}).items():
        _write(run_dir / "metrics" / key, data)
    return run_dir


def _version(root: Path, name: str, version: int, run_id: str, **extra: object) -> None:
    model_dir = root / "models" / name
    if not (model_dir / "meta.yaml").exists():
        _write(model_dir / "meta.yaml", yaml.safe_dump({"name": name, "creation_timestamp": 1, "last_updated_timestamp": 2, "description": None}))
    meta = {
        "name": name, "version": version, "run_id": run_id, "source": f"runs:/{run_id}/model", "status": "READY",
        "current_stage": "None", "creation_timestamp": 1_700_000_000_000 + version, "last_updated_timestamp": 1_700_000_000_000 + version,
        "description": None, "user_id": None,
    }
    meta.update(extra)
    _write(model_dir / f"version-{version}" / "meta.yaml", yaml.safe_dump(meta))


def _lines(points: list[tuple[int, float, int]]) -> bytes:
    return "".join(f"{ts} {value!r} {step}\n" for ts, value, step in points).encode()


@pytest.fixture()
def hand_store(tmp_path: Path) -> Path:
    root = tmp_path / "mlruns"
    _experiment(root, "1", "exp one")
    t = 1_700_000_000_000
    loss = [(t + s, 1.0 / (s + 1), s) for s in range(50)]
    loss += [(t + 1000 + s, 5.0, s) for s in range(40, 45)]  # resumed: steps 40..44 again, later
    acc = [(t + s, s / 100, s) for s in range(30)] + [(t + 99, float("nan"), 30), (t + 100, float("inf"), 31)]
    _run(
        root, "1", "a" * 32, name="first", params={"lr": "0.1", "opt/name": "sgd"}, tags={"team": "x"},
        metrics={
            "loss/train": _lines(loss),
            "acc": _lines(acc) + b"1700000000200 0.9",  # last line still being written
            "test_f1": _lines([(t, 0.5, 0), (t + 5, 0.75, 0)]),  # one step: a single value
        },
    )
    _run(root, "1", "b" * 32, name="second", status=1, end=None, metrics={"loss/train": _lines(loss[:10])})
    _run(root, "1", "c" * 32, name="broken")
    _write(root / "1" / ("c" * 32) / "meta.yaml", "run_id: ccc\nstatus: [unclosed")  # half-written meta
    _version(root, "clf", 1, "a" * 32, tags=None)
    _write(root / "models" / "clf" / "version-1" / "tags" / "validated", "yes")
    _version(root, "clf", 2, "b" * 32, current_stage="Production")
    _version(root, "clf", 3, "c" * 32)
    _version(root, "clf", 4, "a" * 32, current_stage="Deleted_Internal")
    _write(root / "models" / "clf" / "aliases" / "champion", "1")
    return root


def test_metric_lines_skip_a_line_still_being_written() -> None:
    raw = parse_metric_lines(b"1 0.5 0\n2 nan 1\ngarbage\n3 0.25\n4 0.125 7 ds digest\n5 0.1")
    assert raw.steps.tolist() == [0, 1, 0, 7]
    assert raw.timestamps_ms.tolist() == [1, 2, 3, 4]
    assert math.isnan(raw.values[1]) and raw.values[3] == 0.125


def test_mlruns_hand_store(hand_store: Path, tmp_path: Path) -> None:
    source = open_mlruns_source(f"mlruns://{hand_store}", cache_dir=tmp_path / "cache")
    page = source.list_models(ModelQuery(sort=("name", False)))
    # version 3's run meta is half-written (still listed: the version itself is fine),
    # version 4 is deleted
    assert [r.id for r in page.rows] == ["clf/1", "clf/2", "clf/3"]
    first = page.rows[0]
    assert first.tags == ("@champion", "validated=yes") and first.status == "published" and first.project == "exp one"
    assert page.rows[1].tags == ("stage:Production",)

    [model] = source.get_models(["clf/1"])
    assert model.task_name == "first" and model.user == "alice" and model.uri == f"runs:/{'a' * 32}/model"
    assert model.config is not None and yaml.safe_load(model.config.text) == {"lr": 0.1, "opt/name": "sgd"}
    meta = {m.key: m.value for m in model.metadata}
    assert meta["tag:validated"] == "yes" and meta["run_tag:team"] == "x" and meta["run_status"] == "FINISHED"
    assert source.get_models(["clf/9", "m-nope", "bad"]) == []

    summaries = {(s.metric, s.variant): s for s in source.scalar_summaries(["clf/1"])["clf/1"]}
    assert set(summaries) == {("loss", "train"), ("acc", "acc")}  # test_f1 is a single value
    loss = summaries[("loss", "train")]
    assert loss.count == 50 and loss.last == 1.0 / 50 and loss.last_iteration == 49
    assert loss.max == 5.0 and loss.max_iteration == 40  # the re-reported steps replaced the old ones
    assert loss.min == 1.0 / 50
    acc = summaries[("acc", "acc")]
    assert acc.count == 32 and acc.last == math.inf and acc.max == 0.29 and acc.min == 0.0
    assert source.single_values(["clf/1", "clf/2"]) == {"clf/1": {"test_f1": 0.75}, "clf/2": {}}

    series = source.series("clf/1", "loss", "train")
    assert series.iterations.tolist() == list(range(50)) and series.values[42] == 5.0
    assert not series.downsampled and series.total_points == 50
    part = source.series("clf/1", "loss", "train", start=10, end=19)
    assert part.iterations.tolist() == list(range(10, 20)) and part.total_points == 10
    assert source.series("clf/1", "nope", "nope").total_points == 0
    with pytest.raises(SourceError):
        source.series("clf/1", "loss", "train", by="epoch")


def test_mlruns_series_downsampling_keeps_extremes(tmp_path: Path) -> None:
    root = tmp_path / "mlruns"
    _experiment(root, "0", "Default")
    rng = np.random.default_rng(7)
    values = rng.standard_normal(20_000)
    values[12_345] = 99.0
    values[777] = -99.0
    t = 1_700_000_000_000
    _run(root, "0", "d" * 32, name="long", metrics={"loss": _lines([(t + s, float(values[s]), s) for s in range(20_000)])})
    _version(root, "big", 1, "d" * 32)
    source = open_mlruns_source(f"mlruns://{root}", cache_dir=False)
    series = source.series("big/1", "loss", "loss", buckets=100)
    assert series.downsampled and series.total_points == 20_000 and len(series.iterations) <= 400
    kept = set(series.iterations.tolist())
    assert {0, 19_999, 12_345, 777} <= kept
    # every bucket's min and max survive
    edges = np.linspace(0, 19_999, 101)
    for lo, hi in pairwise(edges):
        inside = np.flatnonzero((np.arange(20_000) >= lo) & (np.arange(20_000) < hi))
        if inside.size:
            assert int(inside[np.argmax(values[inside])]) in kept
            assert int(inside[np.argmin(values[inside])]) in kept
    by_time = source.series("big/1", "loss", "loss", by="time", start=(t + 100) / 1000, end=(t + 199) / 1000)
    assert by_time.iterations.tolist() == list(range(100, 200))


def test_mlruns_cache_is_reused_and_refreshed(hand_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = MlrunsSource(f"mlruns://{hand_store}", cache_dir=cache)
    expected = first.scalar_summaries(["clf/1", "clf/2"])
    assert list((cache / "mlflow").glob("*/*.npz"))

    second = MlrunsSource(f"mlruns://{hand_store}", cache_dir=cache)
    reads: list[object] = []
    original = second.backend.histories
    monkeypatch.setattr(second.backend, "histories", lambda *a: reads.append(a) or original(*a))
    assert second.scalar_summaries(["clf/1", "clf/2"]) == expected
    assert reads == []  # a second open reads no history

    # the run in progress logs more: only that history is read again
    time.sleep(0.01)
    with open(hand_store / "1" / ("b" * 32) / "metrics" / "loss/train", "ab") as fh:
        fh.write(b"1700000009999 0.001 60\n")
    second.invalidate()
    loss = {(s.metric, s.variant): s for s in second.scalar_summaries(["clf/2"])["clf/2"]}[("loss", "train")]
    assert loss.last == 0.001 and loss.last_iteration == 60 and loss.count == 11
    assert len(reads) == 1 and list(reads[0][0]) == ["loss/train"]  # type: ignore[index]


def test_mlruns_change_token_moves_when_a_run_logs(hand_store: Path) -> None:
    source = open_mlruns_source(f"mlruns://{hand_store}", cache_dir=False)
    source.scalar_summaries(["clf/2"])
    token = source.change_token()
    assert not source.changed_since(token)
    time.sleep(0.01)
    with open(hand_store / "1" / ("b" * 32) / "metrics" / "loss/train", "ab") as fh:
        fh.write(b"1700000009999 0.001 60\n")
    assert source.changed_since(token)


def test_cache_dir_from_environment(hand_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODELCOMPARE_CACHE", str(tmp_path / "envcache"))
    source = open_mlruns_source(f"mlruns://{hand_store}")
    source.scalar_summaries(["clf/1"])
    assert list((tmp_path / "envcache" / "mlflow").glob("*/*.npz"))


def test_cli_list_share_render_on_an_mlruns_folder(
    hand_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from modelcompare_tui import cli
    from modelcompare_tui.sources import open_source

    monkeypatch.setenv("MODELCOMPARE_CACHE", str(tmp_path / "cache"))
    uri = f"mlruns://{hand_store}"
    assert isinstance(open_source(uri), MlrunsSource)
    assert cli.main(["list", "--source", uri, "--format", "csv"]) == 0
    assert "clf v1" in capsys.readouterr().out
    assert cli.main(["share", "clf/1", "clf/2", "--tab", "scalars", "--source", uri]) == 0
    state = capsys.readouterr().out.strip()
    # the ids `list` prints, and exact names, name the same models
    assert cli.main(["list", "--source", uri]) == 0
    printed = [line.split()[0] for line in capsys.readouterr().out.splitlines()[1:-1]]
    assert {"clf/1", "clf/2"} <= set(printed)
    assert cli.main(["share", "clf v1", "clf/2", "--tab", "scalars", "--source", uri]) == 0
    assert capsys.readouterr().out.strip() == state
    assert cli.main(["render", state, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "metric,variant,clf v1,clf v2"
    assert "loss,train,0.02,0.1" in lines  # Last of each: 1/50 and 1/10
    port = free_port()
    assert cli.main(["list", "--source", f"mlflow+http://127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot reach the MLflow server" in err and len(err.splitlines()) == 1


# -- REST failures against a local proxy ------------------------------------------------


def test_unreachable_server_is_one_clear_line() -> None:
    port = free_port()
    with pytest.raises(SourceError) as info:
        open_mlflow_source(f"mlflow+http://127.0.0.1:{port}", retries=1, backoff=0.01, cache_dir=False)
    message = str(info.value)
    assert "\n" not in message and f"127.0.0.1:{port}" in message and "cannot reach" in message


def test_transient_errors_are_retried_with_backoff() -> None:
    proxy = FaultProxy(fail_first=2, fail_status=503)
    try:
        source = open_mlflow_source(proxy.source_uri, retries=2, backoff=0.01, cache_dir=False)
        assert len(proxy.requests) == 3
        source.close()
    finally:
        proxy.close()
    proxy = FaultProxy(fail_first=100, fail_status=500)
    try:
        with pytest.raises(SourceError, match=r"server error \(HTTP 500\).*busy"):
            open_mlflow_source(proxy.source_uri, retries=2, backoff=0.01, cache_dir=False)
        assert len(proxy.requests) == 3
    finally:
        proxy.close()


def test_401_is_not_retried_and_names_the_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "tok-123")
    proxy = FaultProxy(status_all=401)
    try:
        with pytest.raises(SourceError) as info:
            open_mlflow_source(proxy.source_uri, retries=3, backoff=0.01, cache_dir=False)
        assert "HTTP 401" in str(info.value) and "MLFLOW_TRACKING_TOKEN" in str(info.value)
        assert "tok-123" not in str(info.value)
        assert len(proxy.requests) == 1
    finally:
        proxy.close()


def test_timeout_and_non_mlflow_answers() -> None:
    proxy = FaultProxy(delay=1.0)
    try:
        with pytest.raises(SourceError, match=r"did not answer within 0\.2 s"):
            open_mlflow_source(proxy.source_uri, timeout=0.2, retries=0, cache_dir=False)
    finally:
        proxy.close()
    proxy = FaultProxy(html=True)
    try:
        with pytest.raises(SourceError, match="not an MLflow server answer"):
            open_mlflow_source(proxy.source_uri, retries=0, cache_dir=False)
    finally:
        proxy.close()


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(200, json={})

    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "alice")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "pw")
    source = open_mlflow_source("mlflow+http://h:1", transport=httpx.MockTransport(handler), cache_dir=False)
    assert seen[-1].startswith("Basic ") and "pw" not in source.uri
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "tok")
    open_mlflow_source("mlflow+http://h:1", transport=httpx.MockTransport(handler), cache_dir=False)
    assert seen[-1] == "Bearer tok"


# -- against a real MLflow server ----------------------------------------------------------


def _client(uri: str):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _unclamp(value: float) -> float:
    return math.copysign(math.inf, value) if abs(value) == sys.float_info.max else value


def _rest(server: MlflowServer, tmp_path: Path, **kw: object) -> MlflowRestSource:
    return open_mlflow_source(server.source_uri, cache_dir=tmp_path / "cache", **kw)  # type: ignore[arg-type]


@pytest.mark.mlflow
def test_list_and_details_match_the_mlflow_client(mlflow_server: MlflowServer, mlflow_dataset: Dataset, tmp_path: Path) -> None:
    client = _client(mlflow_server.url)
    source = _rest(mlflow_server, tmp_path)
    page = source.list_models(ModelQuery(sort=("name", False)))
    logged_id = mlflow_dataset.logged_model_id
    assert [r.id for r in page.rows] == ["churn/1", "churn/2", "forecaster/1", logged_id]
    rows = {r.id: r for r in page.rows}
    assert rows["churn/2"].tags == ("@champion", "dataset=2024-q1")
    assert rows["churn/1"].tags == ("stage:Staging", "validated=true")
    assert rows["churn/1"].framework == "pytorch"  # from the run's `framework` tag
    assert rows[logged_id].status == "draft" and rows["churn/1"].status == "published"
    assert rows[logged_id].name == "prophet-candidate" and rows[logged_id].project == "forecast-exp"
    assert source.list_models(ModelQuery(search="forecast")).total == 2
    assert source.list_models(ModelQuery(filters=(("tags", ("@champion",)),))).rows[0].id == "churn/2"
    assert dict(source.distinct_values("project")) == {"churn-exp": 2, "forecast-exp": 2}

    models = {m.id: m for m in source.get_models(["churn/2", "churn/1", "forecaster/1", logged_id, "churn/99"])}
    assert list(models) == ["churn/2", "churn/1", "forecaster/1", logged_id]
    for model_id, run_name in mlflow_dataset.versions.items():
        name, version = model_id.split("/")
        mv = client.get_model_version(name, version)
        run = client.get_run(mv.run_id)
        model = models[model_id]
        assert model.task_id == mv.run_id and model.task_name == run.info.run_name == run_name
        assert model.comment == (mv.description or "")
        assert model.uri == mv.source
        assert model.created == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mv.creation_timestamp / 1000))
        assert model.config is not None
        assert {k: str(v) for k, v in flatten_config(model.config).items()} == run.data.params
        meta = {m.key: m.value for m in model.metadata}
        assert {k[len("run_tag:"):]: v for k, v in meta.items() if k.startswith("run_tag:")} == {
            k: v for k, v in run.data.tags.items() if k not in ("mlflow.runName", "mlflow.log-model.history")
        }
        assert {k[len("tag:"):]: v for k, v in meta.items() if k.startswith("tag:")} == mv.tags
        assert meta["experiment"] == client.get_experiment(run.info.experiment_id).name
    assert models["churn/2"].parent == "churn/1" and models["churn/1"].children == ["churn/2"]
    assert {m.key: m.value for m in models["churn/2"].metadata}["aliases"] == "champion"
    assert flatten_config(models[logged_id].config)["changepoint_prior"] == 0.05  # type: ignore[index]


@pytest.mark.mlflow
def test_scalar_summaries_match_the_mlflow_client(mlflow_server: MlflowServer, mlflow_dataset: Dataset, tmp_path: Path) -> None:
    client = _client(mlflow_server.url)
    source = _rest(mlflow_server, tmp_path)
    ids = list(mlflow_dataset.versions)
    summaries = source.scalar_summaries(ids)
    singles = source.single_values(ids)
    for model_id, run_name in mlflow_dataset.versions.items():
        run_id = mlflow_dataset.runs[run_name]
        run = client.get_run(run_id)
        got = {(s.metric, s.variant): s for s in summaries[model_id]}
        expected_series = {}
        expected_singles = {}
        for key, latest in run.data.metrics.items():
            # the SQL store keeps inf as DBL_MAX; modelcompare reads it back as inf
            history = [(m.step, m.timestamp, _unclamp(m.value)) for m in client.get_metric_history(run_id, key)]
            last, last_step, mn, mx, count = expected_summary(history)
            if count == 1:
                expected_singles[key] = last
            else:
                expected_series[split_metric_key(key)] = (last, last_step, mn, mx, count)
            assert last == _unclamp(latest) or (math.isnan(last) and math.isnan(latest))
        assert set(got) == set(expected_series)
        for pair, (last, last_step, mn, mx, count) in expected_series.items():
            s = got[pair]
            assert (s.last_iteration, s.count, s.min, s.max) == (last_step, count, mn, mx), pair
            assert s.last == last or (math.isnan(last) and math.isnan(s.last))
        assert singles[model_id] == expected_singles
    # the resumed stretch of baseline replaced the first report of those steps
    baseline = {(s.metric, s.variant): s for s in summaries["churn/1"]}
    assert baseline[("loss", "train")].count == mlflow_dataset.steps
    # inf in finetune's loss/val: shown as inf (the SQL store's DBL_MAX), ignored by min/max
    series = source.series("churn/2", "loss", "val", start=9, end=12)
    assert series.iterations.tolist() == [9, 10, 11, 12]
    assert math.isnan(series.values[1]) and series.values[2] == math.inf


@pytest.mark.mlflow
def test_mlruns_gives_the_same_answers(mlflow_server: MlflowServer, mlflow_dataset: Dataset, mlruns_dataset: tuple[Path, Dataset], tmp_path: Path) -> None:
    root, file_data = mlruns_dataset
    rest = _rest(mlflow_server, tmp_path)
    files = open_mlruns_source(f"mlruns://{root}", cache_dir=tmp_path / "cache2")

    def rows(source: object, logged_id: str) -> list[tuple[object, ...]]:
        page = source.list_models(ModelQuery(sort=("name", False)))  # type: ignore[attr-defined]
        return [
            ("LOGGED" if r.id == logged_id else r.id, r.name, r.project, r.framework, r.status, r.tags, r.user)
            for r in page.rows
        ]

    assert rows(rest, mlflow_dataset.logged_model_id) == rows(files, file_data.logged_model_id)
    ids = list(mlflow_dataset.versions)
    assert rest.scalar_summaries(ids) == files.scalar_summaries(ids)
    assert rest.single_values(ids) == files.single_values(ids)
    for a, b in zip(rest.get_models(ids), files.get_models(ids)):
        assert (a.name, a.project, a.framework, a.status, a.tags, a.comment, a.task_name, a.parent, a.children) == (
            b.name, b.project, b.framework, b.status, b.tags, b.comment, b.task_name, b.parent, b.children
        )
        assert a.config == b.config
        skip = ("experiment_id", "run_tag:mlflow.source.name", "run_tag:mlflow.source.type")
        assert [(m.key, m.value) for m in a.metadata if m.key not in skip] == [
            (m.key, m.value) for m in b.metadata if m.key not in skip
        ]
    for args in (("churn/1", "loss", "train"), ("churn/2", "loss", "val"), ("forecaster/1", "mae", "mae")):
        x, y = rest.series(*args, buckets=50), files.series(*args, buckets=50)
        assert x.downsampled and x.total_points == y.total_points
        np.testing.assert_array_equal(x.iterations, y.iterations)
        np.testing.assert_array_equal(x.values, y.values)


@pytest.mark.mlflow
def test_second_open_reads_histories_from_the_cache(mlflow_server: MlflowServer, mlflow_dataset: Dataset, tmp_path: Path) -> None:
    ids = list(mlflow_dataset.versions)
    first = _rest(mlflow_server, tmp_path)
    expected = first.scalar_summaries(ids), first.single_values(ids)
    second = _rest(mlflow_server, tmp_path)
    paths: list[str] = []
    request = second.backend.http.request

    def recording(method: str, path: str, **kw: object) -> object:
        paths.append(path)
        return request(method, path, **kw)  # type: ignore[arg-type]

    second.backend.http.request = recording  # type: ignore[method-assign]
    assert (second.scalar_summaries(ids), second.single_values(ids)) == expected
    assert paths and not [p for p in paths if "/metrics/" in p]  # run facts only, no history


@pytest.mark.mlflow
def test_history_fallbacks_give_the_same_answers(mlflow_server: MlflowServer, mlflow_dataset: Dataset, tmp_path: Path) -> None:
    ids = list(mlflow_dataset.versions)
    expected = _rest(mlflow_server, tmp_path).scalar_summaries(ids)
    expected_singles = _rest(mlflow_server, tmp_path / "b").single_values(ids)
    # a bulk answer cut at its cap: those runs are read page by page
    capped = open_mlflow_source(mlflow_server.source_uri, cache_dir=False)
    capped.backend.bulk_max_points = 1500  # type: ignore[attr-defined]
    capped.backend.history_page = 700  # type: ignore[attr-defined]
    assert capped.scalar_summaries(ids) == expected
    # a server (or a proxy) without the ajax bulk endpoints
    proxy = FaultProxy(mlflow_server.url, not_found=("/ajax-api/",))
    try:
        plain = open_mlflow_source(proxy.source_uri, cache_dir=False)
        assert plain.scalar_summaries(ids) == expected
        assert plain.single_values(ids) == expected_singles
        assert any("/metrics/get-history?" in r for r in proxy.requests)
    finally:
        proxy.close()


@pytest.mark.mlflow
def test_401_from_a_proxy_in_front_of_the_server(mlflow_server: MlflowServer) -> None:
    proxy = FaultProxy(mlflow_server.url)
    try:
        source = open_mlflow_source(proxy.source_uri, cache_dir=False)
        assert source.list_models(ModelQuery()).total >= 1
        proxy.status_all = 401
        source.invalidate()
        with pytest.raises(SourceError, match="authentication failed"):
            source.list_models(ModelQuery())
    finally:
        proxy.close()


@pytest.mark.mlflow
def test_change_token_moves_when_a_run_logs(mlflow_server: MlflowServer, mlflow_dataset: Dataset, tmp_path: Path) -> None:
    from mlflow.entities import Metric

    source = _rest(mlflow_server, tmp_path)
    source.scalar_summaries(["forecaster/1"])
    token = source.change_token()
    assert not source.changed_since(token)
    client = _client(mlflow_server.url)
    client.log_batch(mlflow_dataset.runs["prophet"], metrics=[Metric("extra", 1.0, int(time.time() * 1000), 0)])
    assert source.changed_since(token)


@pytest.mark.mlflow
def test_server_stopped_mid_session(mlflow_server: MlflowServer, mlflow_dataset: Dataset, tmp_path: Path) -> None:
    # a second server on a copy of the session's (already migrated, filled) store
    (tmp_path / "server").mkdir()
    shutil.copy(mlflow_server.workdir / "mlflow.db", tmp_path / "server" / "mlflow.db")
    server = start_mlflow_server(tmp_path / "server")
    try:
        source = open_mlflow_source(server.source_uri, retries=1, backoff=0.01, cache_dir=False)
        assert source.list_models(ModelQuery()).total == 4
        assert source.get_models(["churn/1"])[0].task_name == "baseline"
    finally:
        server.stop()
    source.invalidate()
    calls = (
        lambda: source.scalar_summaries(["churn/1"]),
        lambda: source.series("churn/2", "loss", "train"),
        lambda: source.list_models(ModelQuery()),
        source.change_token,
    )
    for call in calls:
        with pytest.raises(SourceError) as info:
            call()
        assert "cannot reach the MLflow server" in str(info.value) and "\n" not in str(info.value)
