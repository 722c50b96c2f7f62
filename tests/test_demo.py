"""The demo registry generator (the demo package): deterministic, realistic, valid."""

from __future__ import annotations

import json
import math
import pickle
import re
import time
from datetime import datetime

import numpy as np
import pytest
import yaml

from modelcompare_tui.core.model import CONFIG_FORMATS, PLOT_KINDS, STATUSES, ModelRecord
from modelcompare_tui.core.modelfile import check_plot_data, dumps_document, export_document, parse_model_document
from modelcompare_tui.demo import DEFAULT_NOW, DemoError, generate_demo, iter_demo


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


@pytest.fixture(scope="module")
def demo() -> list[ModelRecord]:
    """The default demo (40 models, seed 0), built once; prints size and time."""
    start = time.perf_counter()
    records = generate_demo()
    elapsed = time.perf_counter() - start
    points = sum(len(s) for r in records for s in r.scalars)
    print(f"\ngenerate_demo(): {len(records)} models, {points:,} scalar points in {elapsed:.2f} s")
    return records


@pytest.fixture(scope="module")
def by_id(demo: list[ModelRecord]) -> dict[str, ModelRecord]:
    return {r.model.id: r for r in demo}


# -- determinism ----------------------------------------------------------------------


def test_same_seed_gives_identical_records() -> None:
    first, second = generate_demo(8, seed=3), generate_demo(8, seed=3)
    assert first == second
    assert pickle.dumps(first) == pickle.dumps(second)  # byte for byte, ids included


def test_default_demo_is_reproducible(demo: list[ModelRecord]) -> None:
    again = generate_demo()
    assert again == demo
    assert [r.model.id for r in again] == [r.model.id for r in demo]


def test_different_seed_differs() -> None:
    a, b = generate_demo(8, seed=1), generate_demo(8, seed=2)
    assert {r.model.id for r in a}.isdisjoint(r.model.id for r in b)
    assert [r.scalars[0] for r in a] != [r.scalars[0] for r in b]


def test_now_moves_times_not_identity() -> None:
    a = generate_demo(5, seed=4)
    b = generate_demo(5, seed=4, now="2026-01-15T12:00:00Z")
    assert [r.model.id for r in a] == [r.model.id for r in b]
    assert [r.model.name for r in a] == [r.model.name for r in b]
    shift = _epoch("2026-01-15T12:00:00+00:00") - _epoch(DEFAULT_NOW.replace("Z", "+00:00"))
    for ra, rb in zip(a, b):
        assert _epoch(rb.model.created) - _epoch(ra.model.created) == shift
        np.testing.assert_allclose(rb.scalars[0].timestamps - ra.scalars[0].timestamps, shift, atol=0.002)
        np.testing.assert_array_equal(ra.scalars[0].values, rb.scalars[0].values)


def test_iter_demo_yields_the_same_records() -> None:
    assert list(iter_demo(6, seed=9)) == generate_demo(6, seed=9)


# -- counts and identity ------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 7])
def test_count_small(n: int) -> None:
    records = generate_demo(n, seed=5)
    assert len(records) == n


def test_default_count_ids_and_names(demo: list[ModelRecord]) -> None:
    assert len(demo) == 40
    ids = [r.model.id for r in demo]
    assert len(set(ids)) == 40
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len({r.model.name for r in demo}) == 40
    assert all(re.fullmatch(r"[0-9a-f]{32}", r.model.task_id) and r.model.task_name for r in demo)


def test_total_points_stay_reasonable(demo: list[ModelRecord]) -> None:
    points = sum(len(s) for r in demo for s in r.scalars)
    assert 100_000 <= points <= 2_000_000


# -- realism: catalogue, lineage, details ------------------------------------------------------


def test_projects_frameworks_users_tags_status(demo: list[ModelRecord]) -> None:
    models = [r.model for r in demo]
    assert len({m.project for m in models}) >= 5
    assert len({m.framework for m in models}) >= 4
    assert len({m.user for m in models}) >= 3
    tags = {t for m in models for t in m.tags}
    assert {"baseline", "sweep", "production"} <= tags
    assert {m.status for m in models} == set(STATUSES)
    for m in models:
        assert "production" not in m.tags or m.status == "published"
        assert m.uri and m.comment


def test_lineage_is_consistent(demo: list[ModelRecord], by_id: dict[str, ModelRecord]) -> None:
    position = {r.model.id: i for i, r in enumerate(demo)}
    children = [r for r in demo if r.model.parent]
    assert len(children) >= 10
    for record in children:
        model = record.model
        assert model.parent in by_id, f"{model.name}: parent {model.parent} missing"
        parent = by_id[model.parent].model
        assert position[parent.id] < position[model.id]  # parents first: a store can insert in order
        assert parent.project == model.project and parent.framework == model.framework
        assert _epoch(parent.created) < _epoch(model.created)
        # the fine-tune's run started after its parent existed
        assert min(float(s.timestamps.min()) for s in record.scalars) > _epoch(parent.created)
    # chains deeper than one link exist
    assert any(by_id[r.model.parent].model.parent for r in children)
    assert all(not r.model.children for r in demo)  # derived by the store, never generated


def test_times_are_ordered_and_before_now(demo: list[ModelRecord]) -> None:
    now = _epoch(DEFAULT_NOW.replace("Z", "+00:00"))
    for record in demo:
        model = record.model
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", model.created)
        assert _epoch(model.created) <= _epoch(model.updated) <= now
        for series in record.scalars:
            assert float(series.timestamps.max()) < _epoch(model.created)
            assert bool(np.all(np.diff(series.timestamps) > 0)), f"{model.name} {series.metric}/{series.variant}"


def test_labels_change_in_some_fine_tunes(demo: list[ModelRecord], by_id: dict[str, ModelRecord]) -> None:
    changed = [r for r in demo if r.model.parent and r.model.labels != by_id[r.model.parent].model.labels]
    assert changed
    for record in demo:
        labels = record.model.labels
        assert sorted(labels.values()) == list(range(len(labels)))


def test_metadata_items(demo: list[ModelRecord]) -> None:
    for record in demo:
        keys = [m.key for m in record.model.metadata]
        assert len(keys) == len(set(keys))
        assert {"dataset", "git_commit", "params"} <= set(keys)
        for item in record.model.metadata:
            if item.type == "int":
                int(item.value)
            elif item.type == "float":
                float(item.value)
    assert any(m.key == "gpu" for r in demo for m in r.model.metadata)


# -- configs ---------------------------------------------------------------------------------


def test_configs_in_all_three_formats_and_valid(demo: list[ModelRecord]) -> None:
    formats = {r.model.config.format for r in demo if r.model.config}
    assert formats == set(CONFIG_FORMATS)
    for record in demo:
        config = record.model.config
        assert config is not None and config.text.strip()
        if config.format == "json":
            assert isinstance(json.loads(config.text), dict)
        elif config.format == "yaml":
            assert isinstance(yaml.safe_load(config.text), dict)


def test_sweep_siblings_differ_in_config(demo: list[ModelRecord], by_id: dict[str, ModelRecord]) -> None:
    sweeps = [r for r in demo if "sweep" in r.model.tags]
    assert len(sweeps) >= 2
    for record in sweeps:
        parent = by_id[record.model.parent].model
        assert record.model.config.format == parent.config.format
        assert record.model.config.text != parent.config.text
    groups: dict[str, list[str]] = {}
    for record in sweeps:
        groups.setdefault(record.model.parent, []).append(record.model.config.text)
    for texts in groups.values():
        assert len(set(texts)) == len(texts)


def test_an_inserted_layer_shows_in_the_config(demo: list[ModelRecord], by_id: dict[str, ModelRecord]) -> None:
    inserted = [(r, re.search(r"inserted a (\w+) layer", r.model.comment)) for r in demo]
    inserted = [(r, m.group(1)) for r, m in inserted if m]
    assert inserted
    for record, layer in inserted:
        parent = by_id[record.model.parent].model
        assert layer in record.model.config.text
        assert layer not in parent.config.text


# -- scalars ------------------------------------------------------------------------------------


def test_series_types_and_lengths(demo: list[ModelRecord]) -> None:
    for record in demo:
        assert record.scalars
        keys = [(s.metric, s.variant) for s in record.scalars]
        assert len(keys) == len(set(keys))
        last_iteration = max(int(s.iterations.max()) for s in record.scalars)
        assert 1000 <= last_iteration <= 20000
        for s in record.scalars:
            assert s.iterations.dtype == np.int64
            assert s.values.dtype == np.float64 and s.timestamps.dtype == np.float64
            assert len(s.iterations) == len(s.values) == len(s.timestamps) > 0
            assert bool(np.isfinite(s.timestamps).all())


def test_metric_variants(demo: list[ModelRecord]) -> None:
    keys = {(s.metric, s.variant) for r in demo for s in r.scalars}
    assert {("loss", "train"), ("loss", "val"), ("accuracy", "val"), ("lr", "lr"), ("gpu", "memory")} <= keys
    assert all(sum(1 for m, _ in keys if m == metric) >= 2 for metric in ("loss", "accuracy", "gpu"))


def _finite_mean(values: np.ndarray) -> float:
    return float(np.mean(values[np.isfinite(values)]))


def test_curves_train(demo: list[ModelRecord]) -> None:
    """Loss goes down, accuracy up, the learning rate follows a schedule."""
    for record in demo:
        for s in record.scalars:
            tenth = max(1, len(s) // 10)
            head, tail = s.values[:tenth], s.values[-tenth:]
            if s.metric in ("loss", "logloss"):
                assert _finite_mean(tail) < _finite_mean(head), f"{record.model.name} {s.metric}/{s.variant}"
            if s.metric == "accuracy" or (s.metric == "auc" and s.variant == "val"):
                assert _finite_mean(tail) > _finite_mean(head), f"{record.model.name} {s.metric}/{s.variant}"
            if s.metric == "lr":
                assert bool(np.isfinite(s.values).all()) and bool((s.values >= 0).all())
    lrs = [s for r in demo for s in r.scalars if s.metric == "lr"]
    assert lrs and any(len(np.unique(s.values)) > 2 for s in lrs)  # schedules, not constants only


def test_nan_present_only_in_training_losses(demo: list[ModelRecord]) -> None:
    with_nan = [(r.model.name, s) for r in demo for s in r.scalars if not np.isfinite(s.values).all()]
    assert with_nan
    for name, s in with_nan:
        assert s.variant == "train" and s.metric in ("loss", "logloss"), name


def test_resumed_runs_re_report_iterations(demo: list[ModelRecord]) -> None:
    resumed = [r for r in demo if any(len(np.unique(s.iterations)) < len(s) for s in r.scalars)]
    assert resumed
    for record in resumed:
        meta = {m.key: m.value for m in record.model.metadata}
        resume_from = int(meta["resumed_from_iteration"])
        for s in record.scalars:
            # report order: iterations fall back once, to the checkpoint, and time keeps going
            drops = np.flatnonzero(np.diff(s.iterations) < 0)
            assert len(drops) <= 1
            if len(drops):
                assert int(s.iterations[drops[0] + 1]) >= resume_from
                assert s.timestamps[drops[0] + 1] > s.timestamps[drops[0]]


def test_single_values(demo: list[ModelRecord]) -> None:
    for record in demo:
        values = record.single_values
        assert {"test_accuracy", "f1", "params_m", "latency_ms"} <= set(values)
        assert all(isinstance(v, float) and math.isfinite(v) for v in values.values())
        assert 0 < values["test_accuracy"] < 1 and values["latency_ms"] > 0


# -- plots -----------------------------------------------------------------------------------------


def test_every_model_has_every_plot_kind(demo: list[ModelRecord]) -> None:
    for record in demo:
        assert {p.kind for p in record.plots} == set(PLOT_KINDS), record.model.name


def test_plots_are_valid_and_canonical(demo: list[ModelRecord]) -> None:
    for record in demo:
        keys = [(p.metric, p.variant, p.iteration) for p in record.plots]
        assert len(keys) == len(set(keys))
        for plot in record.plots:
            assert check_plot_data(plot.kind, plot.data) == plot.data, f"{plot.metric}/{plot.variant}"
            assert plot.timestamp is not None and plot.timestamp < _epoch(record.model.created)


def test_some_plots_reported_at_several_iterations(demo: list[ModelRecord]) -> None:
    for record in demo:
        iterations: dict[tuple[str, str], set[int]] = {}
        for plot in record.plots:
            iterations.setdefault((plot.metric, plot.variant), set()).add(plot.iteration)
        assert sum(1 for its in iterations.values() if len(its) >= 2) >= 2, record.model.name


def test_confusion_matrix_matches_labels(demo: list[ModelRecord]) -> None:
    for record in demo:
        names = sorted(record.model.labels, key=record.model.labels.__getitem__)
        for plot in record.plots:
            if plot.kind == "confusion_matrix":
                assert plot.data["x_labels"] == names == plot.data["y_labels"]
                assert all(isinstance(v, int) and v >= 0 for row in plot.data["matrix"] for v in row)


# -- the model file round trip -----------------------------------------------------------------------


def test_records_survive_export_and_import() -> None:
    records = generate_demo(6, seed=11)
    text = dumps_document(export_document(records))
    assert parse_model_document(json.loads(text), "demo.json") == records


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_models": 0}, "models must be between 1"),
        ({"n_models": -3}, "models must be between 1"),
        ({"n_models": 10**6}, "models must be between 1"),
        ({"n_models": "40"}, "models must be a whole number"),
        ({"n_models": True}, "models must be a whole number"),
        ({"seed": -1}, "seed must be between 0"),
        ({"seed": 1.5}, "seed must be a whole number"),
        ({"now": "yesterday"}, "now is not an ISO-8601 date-time ('yesterday')"),
        ({"now": "1970-01-02T00:00:00Z"}, "now must be between"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(DemoError, match=re.escape(message)) as info:
        generate_demo(**kwargs)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)
