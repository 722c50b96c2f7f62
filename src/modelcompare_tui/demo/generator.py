"""One record from its plan, and the public API."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..core.model import MetadataItem, Model, ModelRecord
from .configs import _config
from .curves import _metrics, _progress, _Run, _series
from .helpers import MAX_DEMO_MODELS, DemoError, _iso, _parse_now, _quality
from .plan import _Plan, _plan_registry
from .plots import _plots


def _params_count(plan: _Plan) -> int:
    hp, arch = plan.hp, plan.arch
    if plan.is_trees:
        leaves = 2 ** min(hp["max_depth"], 10)
        return int(hp["max_steps"] * leaves * 2)
    scale = hp["num_layers"] / arch.depth
    params = arch.params_m * 1e6 * (0.3 + 0.7 * scale) + (len(plan.labels) + 1) * arch.width * 4
    if hp["extra_layer"]:
        params += arch.width * arch.width
    return int(params)


def _uri(plan: _Plan) -> str:
    framework = plan.arch.framework
    filename = {"PyTorch": "model.pt", "TensorFlow": "saved_model/", "JAX": f"checkpoint_{plan.iterations}.msgpack",
                "XGBoost": "model.ubj", "scikit-learn": "model.joblib", "LightGBM": "model.txt"}[framework]
    bucket = "s3://ml-models" if plan.family.index % 3 else "gs://acme-ml-registry"
    return f"{bucket}/{plan.project.name}/{plan.name}/{plan.id[:8]}/{filename}"


def _metadata(plan: _Plan, run: _Run, params: int) -> list[MetadataItem]:
    hp = plan.hp
    hours = (plan.created - plan.upload_delay - run.start) / 3600.0
    items = [
        MetadataItem("dataset", "str", plan.dataset),
        MetadataItem("dataset_version", "str", f"v{2 + plan.family.index % 3}.{plan.family.index % 5}"
                     if plan.dataset == plan.project.dataset else f"v1.{plan.index % 4}"),
        MetadataItem("git_commit", "str", plan.git_commit),
        MetadataItem("params", "int", str(params)),
        MetadataItem("train_time_h", "float", f"{hours:.2f}"),
        MetadataItem("seed", "int", str(hp["seed"])),
    ]
    if plan.is_trees:
        items += [MetadataItem("cpu", "str", "AMD EPYC 7763 64-Core Processor"),
                  MetadataItem("n_jobs", "int", str(16 if plan.index % 2 else 32)),
                  MetadataItem("features", "int", str(len(plan.family.features) * 3 + 6))]
    else:
        items += [MetadataItem("gpu", "str", plan.gpu), MetadataItem("num_gpus", "int", str(plan.num_gpus)),
                  MetadataItem("precision", "str", hp["precision"]),
                  MetadataItem("input_shape", "str", plan.project.input_desc)]
        image = {"PyTorch": "nvcr.io/nvidia/pytorch:24.03-py3", "TensorFlow": "tensorflow/tensorflow:2.16.1-gpu",
                 "JAX": "ghcr.io/nvidia/jax:jax-2024-04-01"}[plan.arch.framework]
        items.append(MetadataItem("docker_image", "str", image))
    if plan.parent is not None:
        items.append(MetadataItem("init_checkpoint", "str", _uri(plan.parent)))
    if plan.resumed:
        items.append(MetadataItem("resumed_from_iteration", "int", str(plan.resume_from)))
    return items


def _build_record(plan: _Plan, seed: int) -> ModelRecord:
    rng = np.random.default_rng([seed, 1, plan.index])
    q = _quality(plan.project.task, plan.skill)
    run = _Run(plan, rng)
    progress = _progress(plan, rng)
    scalars = [_series(plan, run, metric, progress, rng) for metric in _metrics(plan, q)]
    params = _params_count(plan)
    params_m = params / 1e6
    if plan.is_trees:
        latency = 0.05 + 0.02 * plan.iterations / 100 * (plan.hp["max_depth"] / 6)
    else:
        latency = 0.4 + 0.09 * params_m ** 0.85 * (0.6 if plan.hp["precision"] != "fp32" else 1.0)
    latency *= float(rng.uniform(0.9, 1.1))
    plots, final = _plots(plan, run, q, progress, rng, latency)
    single_values = {
        "test_accuracy": round(final.accuracy + float(rng.normal(0, 0.004)), 4),
        "f1": round(float(final.f1.mean()), 4),
        "params_m": round(params_m, 3),
        "latency_ms": round(latency, 3),
    }
    extra = {"detection": ("mAP", "map"), "asr": ("wer", "wer"), "ranking": ("ndcg@10", "ndcg"),
             "tabular": ("auc", "auc")}.get(plan.project.task)
    if extra is not None:
        single_values[extra[0]] = round(q[extra[1]] + float(rng.normal(0, 0.003)), 4)
    model = Model(
        id=plan.id, name=plan.name, project=plan.project.name, framework=plan.arch.framework, status=plan.status,
        tags=list(plan.tags), user=plan.user, created=_iso(plan.created), updated=_iso(plan.updated),
        comment=plan.comment, uri=_uri(plan), task_id=plan.task_id, task_name=plan.task_name,
        parent=plan.parent.id if plan.parent is not None else "", labels=dict(plan.labels),
        metadata=_metadata(plan, run, params), config=_config(plan),
    )
    return ModelRecord(model=model, scalars=scalars, single_values=single_values, plots=plots)


# -- public API -------------------------------------------------------------------------------------


def _check_args(n_models: int, seed: int) -> None:
    if isinstance(n_models, bool) or not isinstance(n_models, int):
        raise DemoError(f"models must be a whole number, not {n_models!r}")
    if not 1 <= n_models <= MAX_DEMO_MODELS:
        raise DemoError(f"models must be between 1 and {MAX_DEMO_MODELS} (got {n_models})")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise DemoError(f"seed must be a whole number, not {seed!r}")
    if not 0 <= seed < 2**63:
        raise DemoError(f"seed must be between 0 and 2**63-1 (got {seed})")


def iter_demo(n_models: int = 40, seed: int = 0, *, now: str | None = None) -> Iterator[ModelRecord]:
    """The demo records one at a time, parents before children (a store can
    insert them as they come without holding all the points)."""
    _check_args(n_models, seed)
    plans = _plan_registry(n_models, seed, _parse_now(now))
    return (_build_record(plan, seed) for plan in plans)


def generate_demo(n_models: int = 40, seed: int = 0, *, now: str | None = None) -> list[ModelRecord]:
    """`n_models` realistic models, identical for the same (n_models, seed, now).
    `now` (ISO-8601, default DEFAULT_NOW) is the instant the registry ends at.
    Raises DemoError for a bad argument."""
    return list(iter_demo(n_models, seed, now=now))
