"""Deterministic demo registry (`modelcompare --demo`, `modelcompare demo`).

`generate_demo(n_models, seed)` returns ModelRecords that look like a team's
model registry: six projects (vision, NLP, speech, recommendation, tabular),
six frameworks, families of a baseline and its fine-tunes, sweeps, fp16 and
distilled variants (lineage through `parent`), configs in JSON, YAML and text
that differ the way sweeps do, training curves with schedules, plateaus,
spikes, the odd NaN and a resumed run that re-reports iterations, single
values, and plots of every kind.

Determinism: the same (n_models, seed, now) gives identical records, ids
included. Everything random comes from numpy Generators seeded from `seed`;
every time is an offset back from `now`, which defaults to a fixed instant
(DEFAULT_NOW), never the clock. Two layers of randomness:
- a planning Generator decides the registry model by model (families,
  lineage, names, ids, hyper-parameters, times, run lengths);
- each model's bulk data (curves, plots) comes from its own Generator seeded
  with (seed, index), so curves never shift when planning code changes.
(numpy does not promise identical streams across its major versions.)

Size: the default 40 models hold about 0.5 million scalar points; every curve
is built with vectorised numpy, so generation takes a fraction of a second.
Records come out parents first, so a store can insert them in order.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Union

import numpy as np
import yaml

from .model import CONFIG_FORMATS, Config, MetadataItem, Model, ModelRecord, Plot, ScalarSeries

DEFAULT_NOW = "2025-06-02T09:30:00Z"
MAX_DEMO_MODELS = 1000  # ~12k points each: 1000 models hold ~12M points (~300 MB of arrays)
DAY = 86400.0


class DemoError(ValueError):
    """A bad argument to the demo generator (one line, naming the argument)."""


# -- the catalogue: projects, architectures, people -----------------------------


@dataclass(frozen=True)
class _Arch:
    name: str
    framework: str
    kind: str  # cnn | transformer | detector | asr | mlp | trees
    params_m: float  # at the default depth
    depth: int  # blocks / layers (trees: max depth)
    width: int  # channels / hidden size (trees: unused)
    root: str  # class name of the printed module / estimator


@dataclass(frozen=True)
class _Project:
    name: str
    task: str  # classification | detection | sentiment | asr | ranking | tabular
    short: str  # for model names
    dataset: str
    labels: tuple[str, ...]
    extra_labels: tuple[str, ...]  # a fine-tune may add one of these
    finetune_sets: tuple[tuple[str, str], ...]  # (dataset, name suffix)
    input_desc: str
    archs: tuple[_Arch, ...]


_ASR_LABELS = ("<blank>", "<space>", "'") + tuple("abcdefghijklmnopqrstuvwxyz")

PROJECTS: tuple[_Project, ...] = (
    _Project(
        "vision/detection", "detection", "coco", "coco-2017",
        ("background", "person", "bicycle", "car", "motorcycle", "bus", "truck", "traffic light", "stop sign"),
        ("scooter", "wheelchair"),
        (("city-streets-v2", "streets"), ("warehouse-cams-v1", "warehouse"), ("coco-2017+night", "night")),
        "3x800x1333",
        (
            _Arch("fasterrcnn-r50-fpn", "PyTorch", "detector", 41.8, 16, 256, "FasterRCNN"),
            _Arch("retinanet-r50", "PyTorch", "detector", 34.0, 16, 256, "RetinaNet"),
            _Arch("efficientdet-d1", "TensorFlow", "detector", 6.6, 8, 88, "EfficientDet"),
            _Arch("detr-r50", "JAX", "detector", 41.3, 6, 256, "DETR"),
        ),
    ),
    _Project(
        "vision/classification", "classification", "cifar10", "cifar-10",
        ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
        ("bus", "motorcycle"),
        (("cifar-10-clean", "clean"), ("cifar-10+web-crawl", "web"), ("cifar-10-augmix", "augmix")),
        "3x224x224",
        (
            _Arch("resnet50", "PyTorch", "cnn", 25.6, 16, 256, "ResNet"),
            _Arch("convnext-tiny", "PyTorch", "cnn", 28.6, 18, 192, "ConvNeXt"),
            _Arch("efficientnet-b0", "TensorFlow", "cnn", 5.3, 16, 112, "EfficientNet"),
            _Arch("vit-b16", "JAX", "transformer", 86.6, 12, 768, "VisionTransformer"),
        ),
    ),
    _Project(
        "nlp/sentiment", "sentiment", "reviews", "product-reviews-en",
        ("negative", "neutral", "positive"),
        ("mixed",),
        (("product-reviews-en-2025q1", "2025q1"), ("support-tickets-en", "tickets"), ("app-store-reviews", "appstore")),
        "seq_len=256",
        (
            _Arch("bert-base-uncased", "PyTorch", "transformer", 109.5, 12, 768, "BertForSequenceClassification"),
            _Arch("distilbert-base", "PyTorch", "transformer", 66.4, 6, 768, "DistilBertForSequenceClassification"),
            _Arch("roberta-base", "TensorFlow", "transformer", 124.6, 12, 768, "TFRobertaForSequenceClassification"),
            _Arch("t5-small-encoder", "JAX", "transformer", 35.3, 6, 512, "FlaxT5EncoderClassifier"),
        ),
    ),
    _Project(
        "speech/asr", "asr", "librispeech", "librispeech-960h",
        _ASR_LABELS,
        ("<unk>",),
        (("commonvoice-en-17", "cv17"), ("callcenter-8khz", "callcenter"), ("librispeech+noise", "noisy")),
        "80x3000 (log-mel)",
        (
            _Arch("conformer-ctc-small", "PyTorch", "asr", 13.2, 16, 176, "ConformerCTC"),
            _Arch("quartznet-15x5", "PyTorch", "asr", 18.9, 15, 256, "QuartzNet"),
            _Arch("deepspeech2", "TensorFlow", "asr", 38.0, 5, 800, "DeepSpeech2"),
            _Arch("wav2vec2-base", "JAX", "asr", 94.4, 12, 768, "FlaxWav2Vec2ForCTC"),
        ),
    ),
    _Project(
        "recsys/ranking", "ranking", "clicks", "clickstream-2025q1",
        ("no_click", "click", "add_to_cart", "purchase"),
        ("wishlist",),
        (("clickstream-2025q2", "q2"), ("clickstream-mobile", "mobile"), ("clickstream-dedup", "dedup")),
        "13 dense + 26 sparse features",
        (
            _Arch("dlrm", "PyTorch", "mlp", 540.0, 3, 512, "DLRM"),
            _Arch("dcn-v2", "TensorFlow", "mlp", 120.0, 3, 768, "DCNv2"),
            _Arch("two-tower", "JAX", "mlp", 60.0, 4, 256, "TwoTowerModel"),
            _Arch("lambdamart", "XGBoost", "trees", 0.0, 8, 0, "XGBRanker"),
        ),
    ),
    _Project(
        "tabular/churn", "tabular", "churn", "crm-snapshot-2025-04",
        ("stayed", "churned"),
        (),
        (("crm-snapshot-2025-05", "may"), ("crm-snapshot-eu", "eu"), ("crm-snapshot-balanced", "balanced")),
        "42 features",
        (
            _Arch("xgb-classifier", "XGBoost", "trees", 0.0, 6, 0, "XGBClassifier"),
            _Arch("hist-gbdt", "scikit-learn", "trees", 0.0, 5, 0, "HistGradientBoostingClassifier"),
            _Arch("lgbm-classifier", "LightGBM", "trees", 0.0, 7, 0, "LGBMClassifier"),
            _Arch("tabnet", "PyTorch", "mlp", 0.6, 3, 64, "TabNetClassifier"),
        ),
    ),
)

USERS = ("alice.martin", "bob.kowalski", "chen.wei", "dmitri.ivanov", "emma.schulz", "farid.haddad",
         "grace.ho", "hiroshi.sato")
GPUS = (("NVIDIA A100-SXM4-80GB", 81920), ("NVIDIA V100-SXM2-32GB", 32768), ("NVIDIA H100 80GB HBM3", 81559),
        ("NVIDIA RTX A6000", 49140), ("NVIDIA L4", 23034))
EXTRA_TAGS = ("candidate", "needs-review", "onnx", "augmented", "ablation", "long-run")
TREE_FEATURES = ("tenure_months", "monthly_charges", "total_charges", "contract_type", "support_calls_90d",
                 "payment_method", "num_products", "last_login_days", "discount_pct", "region", "age",
                 "avg_session_min")
RANK_FEATURES = ("ctr_7d", "price", "item_age_days", "user_ctr_30d", "category_match", "position", "brand_affinity",
                 "dwell_time_avg", "in_stock", "discount_pct", "review_score", "query_len")

# Quality ranges per task: value at skill -inf .. +inf (a fine-tune's skill is
# its parent's plus a step, so fine-tunes usually, not always, improve).
_QUALITY: dict[str, dict[str, tuple[float, float]]] = {
    "classification": {"acc": (0.78, 0.965)},
    "detection": {"map": (0.27, 0.51), "acc": (0.70, 0.93)},
    "sentiment": {"acc": (0.80, 0.945)},
    "asr": {"wer": (0.26, 0.045), "acc": (0.90, 0.985)},
    "ranking": {"ndcg": (0.33, 0.55), "auc": (0.71, 0.87), "acc": (0.52, 0.76)},
    "tabular": {"auc": (0.77, 0.93), "acc": (0.81, 0.92)},
}


# -- the plan of one model --------------------------------------------------------


@dataclass
class _Family:
    index: int
    project: _Project
    arch: _Arch
    owner: str
    config_format: str
    base_name: str
    difficulty: dict[str, float]  # per label name: logit offset of its accuracy
    support: dict[str, int]  # per label name: validation samples
    affinity: np.ndarray  # which classes get confused with which
    features: tuple[str, ...]


@dataclass
class _Plan:
    index: int
    id: str
    name: str
    family: _Family
    parent: _Plan | None
    role: str  # base | finetune | sweep | fp16 | distill
    skill: float
    dataset: str
    labels: dict[str, int]
    hp: dict[str, Any]
    tags: list[str]
    status: str
    user: str
    created: float
    updated: float
    task_id: str
    task_name: str
    comment: str
    git_commit: str
    gpu: str
    gpu_mb: int
    num_gpus: int
    sec_per_iter: float
    val_seconds: float
    upload_delay: float
    nan: bool = False
    resumed: bool = False
    crash_at: int = 0
    resume_from: int = 0
    restart_gap: float = 0.0
    sweep_param: str = ""

    @property
    def project(self) -> _Project:
        return self.family.project

    @property
    def arch(self) -> _Arch:
        return self.family.arch

    @property
    def iterations(self) -> int:
        return int(self.hp["max_steps"])

    @property
    def is_trees(self) -> bool:
        return self.arch.kind == "trees"


# -- small helpers -------------------------------------------------------------------


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _hex_id(rng: np.random.Generator) -> str:
    return uuid.UUID(bytes=rng.bytes(16), version=4).hex


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pick(rng: np.random.Generator, options: tuple[Any, ...] | list[Any]) -> Any:
    return options[int(rng.integers(len(options)))]


def _nice(value: float, step: int) -> int:
    """Round to a positive multiple of `step` (checkpoint / eval intervals)."""
    return max(step, int(round(value / step)) * step)


def _lr_text(lr: float) -> str:
    return f"{lr:.0e}".replace("e-0", "e-").replace("e+0", "e")


def _quality(task: str, skill: float) -> dict[str, float]:
    """The headline numbers of a model of `task` at `skill` (see _QUALITY)."""
    s = _sigmoid(skill)
    return {name: lo + (hi - lo) * s for name, (lo, hi) in _QUALITY[task].items()}


def _parse_now(now: str | None) -> float:
    text = DEFAULT_NOW if now is None else now
    if not isinstance(text, str):
        raise DemoError(f"now must be an ISO-8601 date-time string, not {type(text).__name__}")
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise DemoError(f"now is not an ISO-8601 date-time ({text!r})") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    epoch = float(int(moment.timestamp()))
    if not 400 * DAY <= epoch < 1e11:  # the demo reaches ~250 days back
        raise DemoError(f"now must be between 1971 and year 5000 ({text!r})")
    return epoch


# -- planning: families, lineage, hyper-parameters, times --------------------------------


def _base_hp(arch: _Arch, project: _Project, rng: np.random.Generator, steps: int) -> dict[str, Any]:
    if arch.kind == "trees":
        return {
            "max_steps": steps,
            "lr": float(_pick(rng, (0.03, 0.05, 0.1))),
            "max_depth": arch.depth,
            "subsample": float(_pick(rng, (0.7, 0.8, 0.9, 1.0))),
            "colsample": float(_pick(rng, (0.6, 0.8, 1.0))),
            "weight_decay": float(_pick(rng, (0.5, 1.0, 2.0))),
            "min_child_weight": int(_pick(rng, (1, 3, 5))),
            "log_every": int(_pick(rng, (1, 1, 10))),
            "extra_layer": "",
            "seed": int(rng.integers(10_000)),
        }
    optimizer = {"transformer": "adamw", "cnn": "sgd", "detector": "sgd"}.get(arch.kind, "adam")
    lrs = {"adamw": (2e-5, 3e-5, 5e-5, 1e-4), "sgd": (0.01, 0.02, 0.05, 0.1), "adam": (1e-4, 3e-4, 1e-3)}[optimizer]
    decays = {"adamw": (0.01, 0.05), "sgd": (1e-4, 5e-4), "adam": (0.0, 1e-5, 1e-4)}[optimizer]
    schedule = _pick(rng, ("step", "cosine", "cosine", "linear", "constant"))
    log_every = int(_pick(rng, (1, 1, 1, 2, 5)))
    hp: dict[str, Any] = {
        "max_steps": steps,
        "optimizer": optimizer,
        "lr": float(_pick(rng, lrs)),
        "weight_decay": float(_pick(rng, decays)),
        "batch_size": int(_pick(rng, (16, 32, 64) if arch.kind in ("transformer", "detector") else (64, 128, 256))),
        "dropout": 0.1 if arch.kind == "transformer" else float(_pick(rng, (0.0, 0.1, 0.2))),
        "num_layers": arch.depth,
        "hidden_size": arch.width,
        "schedule": schedule,
        "milestones": [0.5, 0.75] if schedule == "step" else [],
        "warmup_steps": int(_pick(rng, (0, 200, 500))) if steps >= 2000 else 0,
        "precision": str(_pick(rng, ("fp32", "fp32", "bf16"))),
        "label_smoothing": float(_pick(rng, (0.0, 0.1))) if project.task == "classification" else 0.0,
        "log_every": log_every,
        "extra_layer": "",
        "seed": int(rng.integers(10_000)),
    }
    return hp


def _cadence(hp: dict[str, Any], rng: np.random.Generator, trees: bool) -> None:
    """Eval / checkpoint / system-metric intervals, derived from the run length."""
    steps = hp["max_steps"]
    if trees:
        hp["val_every"] = hp["log_every"]
        hp["checkpoint_every"] = _nice(steps / rng.uniform(5, 10), 50)
        return
    hp["val_every"] = _nice(steps / rng.uniform(20, 60), 50)
    hp["checkpoint_every"] = _nice(steps / rng.uniform(5, 12), 100)
    hp["sys_every"] = int(_pick(rng, (20, 50, 100)))


def _extra_layer_name(kind: str) -> str:
    return {"cnn": "attn_pool", "transformer": "pre_classifier", "detector": "box_dropout",
            "asr": "lm_adapter", "mlp": "cross_net", "trees": "select"}[kind]


def _mutate(hp: dict[str, Any], kind: str, rng: np.random.Generator) -> list[str]:
    """A fine-tune's changes to its parent's hyper-parameters (1-3 of them)."""
    trees = kind == "trees"
    choices = ["lr", "weight_decay", "extra_layer"] + (["max_depth", "subsample"] if trees else
                                                       ["batch_size", "dropout", "num_layers"])
    changed = []
    for name in rng.permutation(choices)[: int(rng.integers(1, 4))].tolist():
        if name == "lr":
            hp["lr"] = float(f'{hp["lr"] * _pick(rng, (0.1, 0.3, 0.5) if not trees else (0.5, 2.0)):.2g}')
        elif name == "weight_decay":
            hp["weight_decay"] = float(_pick(rng, (0.0, 1e-4, 5e-4, 0.01, 0.05) if not trees else (0.1, 1.0, 5.0)))
        elif name == "batch_size":
            hp["batch_size"] = int(hp["batch_size"] * _pick(rng, (0.5, 2)))
        elif name == "dropout":
            hp["dropout"] = float(_pick(rng, (0.1, 0.2, 0.3)))
        elif name == "num_layers":
            hp["num_layers"] = int(hp["num_layers"] + _pick(rng, (-2, 2)))
        elif name == "max_depth":
            hp["max_depth"] = int(hp["max_depth"] + _pick(rng, (-1, 1, 2)))
        elif name == "subsample":
            hp["subsample"] = float(_pick(rng, (0.6, 0.75, 0.9)))
        elif name == "extra_layer":
            if hp["extra_layer"]:
                continue
            hp["extra_layer"] = _extra_layer_name(kind)
        changed.append(name)
    return changed


def _steps(rng: np.random.Generator, low: int, high: int) -> int:
    """Run length, log-uniform in [low, high], a multiple of 100."""
    return _nice(math.exp(rng.uniform(math.log(low), math.log(high))), 100)


def _new_family(index: int, project: _Project, rng: np.random.Generator, formats: tuple[str, ...],
                names: set[str], framework_use: dict[str, int]) -> _Family:
    # the least used framework among the project's architectures, so a demo shows them all
    fewest = min(framework_use.get(a.framework, 0) for a in project.archs)
    arch = _pick(rng, [a for a in project.archs if framework_use.get(a.framework, 0) == fewest])
    framework_use[arch.framework] = framework_use.get(arch.framework, 0) + 1
    all_labels = project.labels + project.extra_labels
    n = len(all_labels)
    difficulty = rng.normal(0.0, 0.6, n)
    difficulty -= difficulty.mean()
    support = rng.integers(40, 400, n)
    if all_labels[0] in ("background", "no_click", "stayed"):  # the common class dominates
        support[0] *= 4
    affinity = rng.gamma(0.6, 1.0, (n, n))
    np.fill_diagonal(affinity, 0.0)
    base_name = _unique(f"{arch.name}-{project.short}", names)
    features = TREE_FEATURES if project.task == "tabular" else RANK_FEATURES
    return _Family(
        index=index, project=project, arch=arch, owner=_pick(rng, USERS),
        config_format=formats[index % len(formats)], base_name=base_name,
        difficulty={name: float(d) for name, d in zip(all_labels, difficulty)},
        support={name: int(s) for name, s in zip(all_labels, support)},
        affinity=affinity, features=features,
    )


def _unique(name: str, names: set[str]) -> str:
    candidate, k = name, 2
    while candidate in names:
        candidate, k = f"{name}-v{k}", k + 1
    names.add(candidate)
    return candidate


def _plan_registry(n_models: int, seed: int, now: float) -> list[_Plan]:
    rng = np.random.default_rng([seed, 0])
    formats = tuple(rng.permutation(list(CONFIG_FORMATS)).tolist())
    project_order: list[_Project] = []
    plans: list[_Plan] = []
    names: set[str] = set()
    framework_use: dict[str, int] = {}
    family_index = 0
    while len(plans) < n_models:
        if not project_order:  # every project before any repeats
            project_order = [PROJECTS[i] for i in rng.permutation(len(PROJECTS)).tolist()]
        family = _new_family(family_index, project_order.pop(), rng, formats, names, framework_use)
        family_index += 1
        size = min(n_models - len(plans), int(rng.choice([1, 2, 3, 4, 5, 6, 7],
                                                         p=[.08, .14, .2, .2, .16, .12, .1])))
        plans.extend(_plan_family(family, size, len(plans), rng, now, names))
    finish = np.random.default_rng([seed, 2])
    for plan in plans:
        _finish_plan(plan, finish, now)
    _ensure_quirks(plans, finish)
    return plans


def _plan_common(family: _Family, rng: np.random.Generator, trees: bool) -> dict[str, Any]:
    gpu, gpu_mb = _pick(rng, GPUS)
    return {
        "task_id": _hex_id(rng),
        "git_commit": rng.bytes(20).hex(),
        "gpu": "" if trees else gpu,
        "gpu_mb": 0 if trees else gpu_mb,
        "num_gpus": 0 if trees else int(_pick(rng, (1, 1, 2, 4, 8))),
        "sec_per_iter": float(rng.uniform(0.01, 0.15) if trees else rng.uniform(0.08, 0.8)),
        "val_seconds": float(rng.uniform(0.0, 0.5) if trees else rng.uniform(20, 120)),
        "upload_delay": float(rng.uniform(30, 900)),
    }


def _plan_family(family: _Family, size: int, first_index: int, rng: np.random.Generator, now: float,
                 names: set[str]) -> list[_Plan]:
    project, arch = family.project, family.arch
    trees = arch.kind == "trees"
    start = now - rng.uniform(60, 240) * DAY
    base_hp = _base_hp(arch, project, rng, _steps(rng, 1000, 5000) if trees else _steps(rng, 3000, 20000))
    _cadence(base_hp, rng, trees)
    base_name = family.base_name
    dataset = project.dataset
    base = _Plan(
        index=first_index, id=_hex_id(rng), name=base_name, family=family, parent=None, role="base",
        skill=float(rng.normal(0.0, 0.6)), dataset=dataset,
        labels={name: i for i, name in enumerate(project.labels)}, hp=base_hp,
        tags=["baseline"], status=_pick(rng, ("published", "draft")), user=family.owner,
        created=start, updated=start, task_name=f"train {base_name}",
        comment=(f"Baseline {arch.name} on {dataset}: {base_hp.get('schedule', 'boosting')} schedule, "
                 f"lr {base_hp['lr']:g}" + (f", batch {base_hp['batch_size']}." if not trees else ".")),
        **_plan_common(family, rng, trees),
    )
    plans = [base]
    while len(plans) < size:
        room = size - len(plans)
        role = str(rng.choice(["finetune", "sweep", "fp16", "distill"], p=[.45, .25, .15, .15]))
        if role == "sweep" and room < 2:
            role = "finetune"
        if role == "fp16" and trees:
            role = "finetune"
        if role == "distill" and (trees or arch.kind == "mlp"):
            role = "finetune"
        finetunes = [p for p in plans if p.role == "finetune"]
        parent = _pick(rng, finetunes) if finetunes and rng.random() < 0.45 else base
        if role == "sweep":
            plans.extend(_plan_sweep(parent, min(room, int(rng.integers(2, 5))), len(plans) + first_index,
                                     rng, now, names))
        else:
            plans.append(_plan_child(parent, role, first_index + len(plans), rng, now, names))
    _mark_production(plans)
    return plans


def _child_time(parent: _Plan, rng: np.random.Generator, now: float) -> float:
    """A child is registered 1-6 days after its parent (its run takes < 12 h),
    never after `now` (families start >= 60 days back, chains are <= 6 deep)."""
    return min(parent.created + rng.uniform(1.0, 6.0) * DAY, now - 3600.0)


def _plan_child(parent: _Plan, role: str, index: int, rng: np.random.Generator, now: float,
                names: set[str]) -> _Plan:
    family = parent.family
    project, arch = family.project, family.arch
    trees = arch.kind == "trees"
    hp = dict(parent.hp, milestones=list(parent.hp.get("milestones", [])))
    labels = dict(parent.labels)
    dataset = parent.dataset
    tags: list[str] = []
    skill = parent.skill
    if role == "finetune":
        dataset, suffix = _pick(rng, project.finetune_sets)
        hp["max_steps"] = _steps(rng, 1000, 4000) if trees else _steps(rng, 1500, 10000)
        changed = _mutate(hp, arch.kind, rng)
        labels, label_note = _relabel(labels, project, rng)
        skill += float(rng.normal(0.3, 0.45))
        # a fine-tune of a fine-tune extends its parent's name
        name = _unique(f"{family.base_name}-ft-{suffix}" if parent.role == "base" else f"{parent.name}-{suffix}",
                       names)
        tuned = [name for name in changed if name != "extra_layer"]
        notes = [f"changed {', '.join(tuned)}"] if tuned else []
        if hp["extra_layer"] and not parent.hp["extra_layer"]:
            notes.append(f"inserted a {hp['extra_layer']} layer")
        if label_note:
            notes.append(label_note)
        comment = f"Fine-tuned from {parent.name} on {dataset}" + (f"; {'; '.join(notes)}." if notes else ".")
        task_name = f"finetune {parent.name} on {dataset}"
        if rng.random() < 0.3:
            tags.append("augmented")
    elif role == "fp16":
        hp["precision"] = "fp16"
        hp["max_steps"] = _steps(rng, 2000, 12000)
        skill += float(rng.normal(-0.05, 0.15))
        name = _unique(f"{parent.name}-fp16", names)
        tags.append("fp16")
        comment = f"Mixed-precision (fp16) retrain of {parent.name}; loss scaling on, watch for overflow."
        task_name = f"train {name} (amp)"
    else:  # distill
        hp["num_layers"] = max(2, hp["num_layers"] // 2)
        hp["max_steps"] = _steps(rng, 2000, 10000)
        skill += float(rng.normal(-0.3, 0.2))
        name = _unique(f"{parent.name}-distilled", names)
        tags.append("distilled")
        comment = f"Distilled from {parent.name} into {hp['num_layers']} layers (teacher logits, T=2)."
        task_name = f"distill {parent.name}"
    if hp.get("warmup_steps") and hp["max_steps"] < 2000:
        hp["warmup_steps"] = 0
    _cadence(hp, rng, trees)
    extra_tag = _pick(rng, EXTRA_TAGS)
    if rng.random() < 0.2 and extra_tag not in tags:
        tags.append(extra_tag)
    created = _child_time(parent, rng, now)
    return _Plan(
        index=index, id=_hex_id(rng), name=name, family=family, parent=parent, role=role, skill=skill,
        dataset=dataset, labels=labels, hp=hp, tags=tags, status="draft",
        user=family.owner if rng.random() < 0.7 else _pick(rng, USERS), created=created, updated=created,
        task_name=task_name, comment=comment, **_plan_common(family, rng, trees),
    )


def _relabel(labels: dict[str, int], project: _Project, rng: np.random.Generator) -> tuple[dict[str, int], str]:
    """Sometimes a fine-tune adds a class or drops one (ids renumbered, as a new head does)."""
    roll = rng.random()
    extras = [name for name in project.extra_labels if name not in labels]
    if roll < 0.2 and extras:
        name = _pick(rng, extras)
        return {**labels, name: max(labels.values()) + 1}, f"adds class {name!r}"
    droppable = list(labels)[1:]  # never the background / blank / majority class
    if roll > 0.85 and len(droppable) > 2:
        dropped = _pick(rng, droppable)
        kept = [name for name in labels if name != dropped]
        return {name: i for i, name in enumerate(kept)}, f"drops class {dropped!r}"
    return labels, ""


def _plan_sweep(parent: _Plan, count: int, first_index: int, rng: np.random.Generator, now: float,
                names: set[str]) -> list[_Plan]:
    """Siblings that differ from their parent in one hyper-parameter, over a grid."""
    family = parent.family
    trees = family.arch.kind == "trees"
    param = _pick(rng, ("lr", "lr", "weight_decay", "max_depth") if trees else
                  ("lr", "lr", "batch_size", "weight_decay", "dropout"))
    base_value = parent.hp[param]
    grid: list[Any]
    if param == "lr":
        grid = [float(f"{base_value * f:.1g}") for f in (0.1, 0.3, 3.0, 0.03)]
    elif param == "batch_size":
        grid = [base_value // 2, base_value * 2, base_value * 4, max(8, base_value // 4)]
    elif param == "weight_decay":
        grid = [0.0, 1e-4, 1e-3, 0.01, 0.1]
        grid = [g for g in grid if g != base_value]
    elif param == "max_depth":
        grid = [base_value - 2, base_value + 2, base_value + 4, base_value - 1]
    else:
        grid = [0.0, 0.2, 0.3, 0.5]
        grid = [g for g in grid if g != base_value]
    steps = _steps(rng, 1000, 4000) if trees else _steps(rng, 1500, 8000)
    created = _child_time(parent, rng, now)
    plans = []
    for k, value in enumerate(grid[:count]):
        hp = dict(parent.hp, milestones=list(parent.hp.get("milestones", [])), max_steps=steps)
        hp[param] = value
        if hp.get("warmup_steps") and steps < 2000:
            hp["warmup_steps"] = 0
        _cadence(hp, rng, trees)
        # far from the parent's setting is usually worse
        ratio = abs(math.log((value + 1e-6) / (base_value + 1e-6)))
        skill = parent.skill + float(rng.normal(0.15, 0.25)) - 0.12 * min(ratio, 4.0)
        label = _lr_text(value) if 0 < value < 0.01 else f"{value:g}"
        short = {"lr": "lr", "batch_size": "bs", "weight_decay": "wd", "dropout": "do", "max_depth": "depth"}[param]
        name = _unique(f"{parent.name}-{short}{label}", names)
        plans.append(_Plan(
            index=first_index + k, id=_hex_id(rng), name=name, family=family, parent=parent, role="sweep",
            skill=skill, dataset=parent.dataset, labels=dict(parent.labels), hp=hp, tags=["sweep"],
            status="draft", user=parent.user, created=created + k * 900.0, updated=created + k * 900.0,
            task_name=f"sweep {parent.name} {param}={label}",
            comment=f"Sweep over {param} from {parent.name}: {param}={label}.", sweep_param=param,
            **_plan_common(family, rng, trees),
        ))
    return plans


def _mark_production(plans: list[_Plan]) -> None:
    """The best fine-tune of a family of 3+ is in production (published)."""
    candidates = [p for p in plans if p.role in ("finetune", "fp16")]
    if len(plans) >= 3 and candidates:
        best = max(candidates, key=lambda p: p.skill)
        best.tags.insert(0, "production")
        best.status = "published"


def _finish_plan(plan: _Plan, rng: np.random.Generator, now: float) -> None:
    """Last touches that need the whole plan: update times, NaN and resume quirks."""
    published = plan.status == "published"
    later = rng.uniform(0.5, 20.0) * DAY if published else rng.uniform(0.0, 2.0) * 3600.0
    plan.created = float(int(plan.created))
    plan.updated = float(int(min(plan.created + later, now)))
    half = plan.hp.get("precision") in ("fp16",)
    plan.nan = bool(rng.random() < (0.6 if half else 0.06))
    if rng.random() < 0.18:
        _set_resume(plan, rng)


def _set_resume(plan: _Plan, rng: np.random.Generator) -> None:
    """The run crashed at `crash_at` and restarted from the checkpoint before it,
    re-reporting the iterations in between."""
    every = plan.hp["checkpoint_every"]
    checkpoints = plan.iterations // every
    k = int(rng.integers(1, max(2, checkpoints)))
    plan.resumed = True
    plan.resume_from = k * every
    plan.crash_at = min(plan.iterations - 1, plan.resume_from + int(every * rng.uniform(0.25, 0.95)))
    plan.restart_gap = float(rng.uniform(300, 3600))


def _ensure_quirks(plans: list[_Plan], rng: np.random.Generator) -> None:
    """Every demo shows at least one NaN, and every demo of 2+ models a resumed run."""
    if plans and not any(p.nan for p in plans):
        half = [p for p in plans if p.hp.get("precision") == "fp16"]
        (half or [p for p in plans if not p.is_trees] or plans)[0].nan = True
    if len(plans) >= 2 and not any(p.resumed for p in plans):
        longest = max(plans[1:], key=lambda p: p.iterations)
        _set_resume(longest, rng)


# -- curves ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Metric:
    metric: str
    variant: str
    shape: str  # down | up | lr | memory | utilization
    cadence: str  # train | val | sys
    start: float
    final: float
    noise: float


def _metrics(plan: _Plan, q: dict[str, float]) -> list[_Metric]:
    task = plan.project.task
    c = len(plan.labels)
    acc = q["acc"]
    out: list[_Metric] = []
    if plan.is_trees:
        loss_final = 0.69 - (q["auc"] - 0.5) * 0.85
        out += [
            _Metric("logloss", "train", "down", "train", 0.693, loss_final * 0.82, 0.004),
            _Metric("logloss", "val", "down", "val", 0.693, loss_final, 0.006),
            _Metric("auc", "train", "up", "train", 0.5, min(0.995, q["auc"] + 0.05), 0.002),
            _Metric("auc", "val", "up", "val", 0.5, q["auc"], 0.003),
        ]
        if task == "ranking":
            out += [_Metric("ndcg", "@10", "up", "val", 0.12, q["ndcg"], 0.004),
                    _Metric("ndcg", "@50", "up", "val", 0.2, min(0.97, q["ndcg"] + 0.09), 0.004)]
        else:
            out += [_Metric("error", "val", "down", "val", 0.27, 1 - acc, 0.02)]
        return out
    loss_start, loss_final = {
        "classification": (math.log(c) + 0.25, -math.log(acc) * 1.25 + 0.04),
        "sentiment": (math.log(c) + 0.1, -math.log(acc) * 1.3 + 0.05),
        "detection": (2.4, 0.35 + (1 - q.get("map", 0.4)) * 0.65),
        "asr": (9.0, 0.18 + q.get("wer", 0.1) * 3.0),
        "ranking": (0.693, 0.69 - (q.get("auc", 0.75) - 0.5) * 0.75),
        "tabular": (0.693, 0.69 - (q.get("auc", 0.8) - 0.5) * 0.85),
    }[task]
    out += [
        _Metric("loss", "train", "down", "train", loss_start, loss_final * 0.85, 0.07),
        _Metric("loss", "val", "down", "val", loss_start * 0.95, loss_final, 0.015),
        _Metric("lr", "lr", "lr", "train", 0.0, 0.0, 0.0),
        _Metric("gpu", "memory", "memory", "sys", 0.0, 0.0, 0.0),
        _Metric("gpu", "utilization", "utilization", "sys", 0.0, 0.0, 0.0),
    ]
    if task == "classification":
        out += [_Metric("accuracy", "train", "up", "train", 1.0 / c, min(0.999, acc + 0.03), 0.02),
                _Metric("accuracy", "val", "up", "val", 1.0 / c, acc, 0.004),
                _Metric("accuracy", "top5", "up", "val", 5.0 / c, 1 - (1 - acc) * 0.12, 0.002)]
    elif task == "detection":
        out += [_Metric("loss", "box_reg", "down", "train", 0.9, 0.12 + (1 - q["map"]) * 0.2, 0.09),
                _Metric("loss", "classifier", "down", "train", 1.1, 0.08 + (1 - q["map"]) * 0.25, 0.09),
                _Metric("mAP", "val", "up", "val", 0.0, q["map"], 0.004),
                _Metric("mAP", "mAP50", "up", "val", 0.0, min(0.9, q["map"] * 1.55), 0.005)]
    elif task == "sentiment":
        out += [_Metric("accuracy", "val", "up", "val", 1.0 / c, acc, 0.004),
                _Metric("f1", "macro", "up", "val", 0.2, acc - 0.025, 0.005),
                _Metric("f1", "weighted", "up", "val", 0.25, acc - 0.008, 0.004)]
    elif task == "asr":
        out += [_Metric("wer", "val", "down", "val", 1.0, q["wer"], 0.01),
                _Metric("cer", "val", "down", "val", 0.85, q["wer"] * 0.33, 0.012),
                _Metric("accuracy", "val", "up", "val", 0.1, acc, 0.003)]
    elif task == "ranking":
        out += [_Metric("ndcg", "@10", "up", "val", 0.1, q["ndcg"], 0.004),
                _Metric("ndcg", "@50", "up", "val", 0.18, min(0.97, q["ndcg"] + 0.09), 0.004),
                _Metric("auc", "val", "up", "val", 0.5, q["auc"], 0.003)]
    else:  # tabular with a neural net
        out += [_Metric("accuracy", "val", "up", "val", 0.7, acc, 0.004),
                _Metric("auc", "val", "up", "val", 0.5, q["auc"], 0.003)]
    return out


def _progress(plan: _Plan, rng: np.random.Generator) -> Callable[[np.ndarray], np.ndarray]:
    """g(x): 1 at the start of the run, 0 at its end (x = iteration / run length):
    exponential decay, maybe a plateau, and a drop at each lr milestone."""
    tau = float(rng.uniform(0.04, 0.12) if plan.is_trees else rng.uniform(0.06, 0.25))
    plateau = (float(rng.uniform(0.15, 0.45)), float(rng.uniform(0.05, 0.15))) if rng.random() < 0.6 else None
    milestones = list(plan.hp.get("milestones", []))

    def raw(x: np.ndarray) -> np.ndarray:
        xe = x
        if plateau is not None:
            a, length = plateau
            xe = x - 0.85 * np.clip(x - a, 0.0, length)
        g = np.exp(-xe / tau)
        if milestones:
            drop = 0.45 / len(milestones)
            g = 0.55 * g + sum(drop / (1.0 + np.exp((x - m) / 0.004)) for m in milestones)
        return g

    g0, g1 = raw(np.array([0.0, 1.0])).tolist()
    return lambda x: np.clip((raw(x) - g1) / (g0 - g1), 0.0, 1.0)


def _lr_schedule(iterations: np.ndarray, hp: dict[str, Any]) -> np.ndarray:
    steps, lr0, warmup = hp["max_steps"], hp["lr"], hp["warmup_steps"]
    t = iterations.astype(np.float64)
    frac = np.clip((t - warmup) / max(1, steps - warmup), 0.0, 1.0)
    schedule = hp["schedule"]
    if schedule == "step":
        lr = lr0 * 0.1 ** sum((t >= m * steps).astype(np.float64) for m in hp["milestones"])
    elif schedule == "cosine":
        lr = 0.5 * lr0 * (1.0 + np.cos(np.pi * frac))
    elif schedule == "linear":
        lr = lr0 * (1.0 - frac)
    else:
        lr = np.full(t.shape, lr0)
    if warmup:
        lr = np.where(t < warmup, lr0 * (t + 1.0) / warmup, lr)
    return lr


class _Run:
    """The clock and the report order of one training run."""

    def __init__(self, plan: _Plan, rng: np.random.Generator) -> None:
        steps = plan.iterations
        self.plan = plan
        self.steps = steps
        dt = plan.sec_per_iter * np.exp(rng.normal(0.0, 0.12, steps + 1))
        dt[0] = 0.0
        evals = np.arange(steps + 1) // plan.hp["val_every"]
        self.wall = np.cumsum(dt) + evals * plan.val_seconds
        self.shift = 0.0
        if plan.resumed:
            self.shift = float(self.wall[plan.crash_at] - self.wall[plan.resume_from] + plan.restart_gap)
        duration = float(self.wall[steps]) + self.shift
        self.start = plan.created - duration - plan.upload_delay

    def grid(self, cadence: str) -> np.ndarray:
        hp = self.plan.hp
        every = {"train": hp["log_every"], "val": hp["val_every"], "sys": hp.get("sys_every", 50)}[cadence]
        its = np.arange(every, self.steps + 1, every, dtype=np.int64)
        if cadence == "train":
            its = np.concatenate([np.zeros(1, np.int64), its])
        if its.size == 0 or its[-1] != self.steps:
            its = np.append(its, np.int64(self.steps))
        return its

    def report(self, its: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Iterations in report order (a resumed run re-reports from its checkpoint)
        and their timestamps (epoch seconds, to the millisecond)."""
        plan = self.plan
        if plan.resumed:
            first = its[its < plan.crash_at]
            second = its[its >= plan.resume_from]
            reported = np.concatenate([first, second])
            seconds = np.concatenate([self.wall[first], self.wall[second] + self.shift])
        else:
            reported, seconds = its, self.wall[its]
        return reported, np.round(self.start + seconds, 3)

    def timestamp(self, iteration: int) -> float:
        resumed_part = self.plan.resumed and iteration >= self.plan.resume_from
        return float(round(self.start + self.wall[iteration] + (self.shift if resumed_part else 0.0)))


def _series(plan: _Plan, run: _Run, metric: _Metric, progress: Callable[[np.ndarray], np.ndarray],
            rng: np.random.Generator) -> ScalarSeries:
    its, stamps = run.report(run.grid(metric.cadence))
    n = its.shape[0]
    x = its / run.steps
    if metric.shape == "lr":
        values = _lr_schedule(its, plan.hp)
    elif metric.shape == "memory":
        batch = plan.hp["batch_size"]
        half = 0.6 if plan.hp["precision"] != "fp32" else 1.0
        base = 1200.0 + plan.arch.params_m * 16.0 * half * batch / 32.0 + batch * 35.0 * half
        base = min(base, plan.gpu_mb * 0.93)
        bump = np.where(x > rng.uniform(0.05, 0.6), rng.choice([0.0, 512.0, 1024.0]), 0.0)
        values = np.round(np.where(its < 20, base * 0.72, base) + bump + rng.normal(0.0, 24.0, n))
    elif metric.shape == "utilization":
        # an interval that held an evaluation averages in the idle-ish eval time
        sys_seconds = plan.hp["sys_every"] * plan.sec_per_iter
        eval_share = plan.val_seconds / (sys_seconds + plan.val_seconds)
        had_eval = (its % plan.hp["val_every"]) < plan.hp["sys_every"]
        dip = had_eval * eval_share * rng.uniform(40, 70, n)
        values = np.clip(rng.uniform(82, 97) + rng.normal(0.0, 3.0, n) - dip, 0, 100)
        values = np.round(values, 1)
    else:
        gamma = float(rng.uniform(0.8, 1.25))
        g = progress(x) ** gamma
        span = metric.final - metric.start
        if metric.shape == "down":
            values = metric.start + span * (1.0 - g)
            if metric.cadence == "val" and metric.metric in ("loss", "logloss") and rng.random() < 0.4:
                values = values + metric.final * rng.uniform(0.05, 0.3) * np.clip(x - 0.6, 0, None) ** 2 / 0.16
            values = values * np.exp(rng.normal(0.0, metric.noise, n))
            if metric.cadence == "train":  # the odd spike
                spikes = rng.random(n) < 0.002
                values = np.where(spikes, values * rng.uniform(1.5, 3.5, n), values)
        else:
            values = metric.start + span * (1.0 - g) + rng.normal(0.0, metric.noise, n)
            values = np.clip(values, 0.0, 1.0)
        values = np.round(values, 6)
        if plan.nan and metric.metric in ("loss", "logloss") and metric.variant == "train":
            values = _inject_nan(values, rng)
    return ScalarSeries(metric.metric, metric.variant, its, values.astype(np.float64), stamps)


def _inject_nan(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """fp16 overflow: a few NaN losses (and sometimes an inf) after the start."""
    n = values.shape[0]
    if n < 20:
        return values
    at = rng.choice(np.arange(n // 20, n), size=int(rng.integers(1, 5)), replace=False)
    values = values.copy()
    values[at] = np.nan
    if rng.random() < 0.3:
        values[at[0]] = np.inf
    return values


# -- configs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Leaf:
    name: str
    torch: str  # as PyTorch prints it
    proto_type: str  # as a Caffe prototxt layer
    proto_params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class _Block:
    name: str
    count: int
    cls: str
    leaves: tuple[_Leaf, ...]


_Item = Union[_Leaf, _Block]


def _linear(name: str, n_in: int, n_out: int) -> _Leaf:
    return _Leaf(name, f"Linear(in_features={n_in}, out_features={n_out}, bias=True)", "InnerProduct",
                 (("num_output", n_out),))


def _conv(name: str, n_in: int, n_out: int, k: int, stride: int = 1, groups: int = 1) -> _Leaf:
    pad = k // 2
    extra = f", groups={groups}" if groups > 1 else ""
    return _Leaf(name, f"Conv2d({n_in}, {n_out}, kernel_size=({k}, {k}), stride=({stride}, {stride}), "
                 f"padding=({pad}, {pad}){extra}, bias=False)", "Convolution",
                 (("num_output", n_out), ("kernel_size", k), ("stride", stride), ("pad", pad)))


def _norm(name: str, width: int, kind: str = "batch") -> _Leaf:
    if kind == "batch":
        return _Leaf(name, f"BatchNorm2d({width}, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
                     "BatchNorm")
    return _Leaf(name, f"LayerNorm(({width},), eps=1e-12, elementwise_affine=True)", "LayerNorm")


def _dropout(name: str, p: float) -> _Leaf:
    return _Leaf(name, f"Dropout(p={p:g}, inplace=False)", "Dropout", (("dropout_ratio", p),))


def _act(name: str, kind: str = "ReLU") -> _Leaf:
    torch = {"ReLU": "ReLU(inplace=True)", "GELU": "GELU(approximate='none')", "SiLU": "SiLU(inplace=True)"}[kind]
    return _Leaf(name, torch, kind)


def _layers(plan: _Plan) -> list[_Item]:
    hp, arch = plan.hp, plan.arch
    depth, width, p, classes = hp["num_layers"], hp["hidden_size"], hp["dropout"], len(plan.labels)
    kind = arch.kind
    items: list[_Item] = []
    head_in = width
    if kind == "cnn":
        items += [_conv("conv1", 3, 64, 7, 2), _norm("bn1", 64), _act("relu"),
                  _Leaf("maxpool", "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)",
                        "Pooling", (("pool", "MAX"), ("kernel_size", 3), ("stride", 2)))]
        items.append(_Block("layers", depth, "Bottleneck", (
            _conv("conv1", width * 4, width, 1), _norm("bn1", width), _conv("conv2", width, width, 3),
            _norm("bn2", width), _conv("conv3", width, width * 4, 1), _norm("bn3", width * 4), _act("relu"))))
        items.append(_Leaf("avgpool", "AdaptiveAvgPool2d(output_size=(1, 1))", "Pooling",
                           (("pool", "AVE"), ("global_pooling", True))))
        head_in = width * 4
    elif kind == "transformer":
        if plan.project.task == "classification":
            items.append(_conv("patch_embed", 3, width, 16, 16))
        else:
            items.append(_Leaf("word_embeddings", f"Embedding(30522, {width}, padding_idx=0)", "Embed",
                               (("input_dim", 30522), ("num_output", width))))
        items += [_Leaf("position_embeddings", f"Embedding(512, {width})", "Embed",
                        (("input_dim", 512), ("num_output", width))),
                  _norm("embed_norm", width, "layer"), _dropout("embed_dropout", p)]
        items.append(_Block("encoder", depth, "TransformerLayer", (
            _Leaf("attention", f"MultiheadAttention(embed_dim={width}, num_heads={max(1, width // 64)}, "
                  f"dropout={p:g})", "MultiHeadAttention", (("num_heads", max(1, width // 64)), ("dropout", p))),
            _norm("attention_norm", width, "layer"), _linear("intermediate", width, width * 4), _act("act", "GELU"),
            _linear("output", width * 4, width), _norm("output_norm", width, "layer"))))
        items += [_linear("pooler", width, width), _Leaf("pooler_act", "Tanh()", "TanH")]
    elif kind == "detector":
        items += [_conv("stem", 3, 64, 7, 2), _norm("stem_bn", 64), _act("relu")]
        items.append(_Block("backbone", depth, "Bottleneck", (
            _conv("conv1", width, width // 4, 1), _norm("bn1", width // 4), _conv("conv2", width // 4, width // 4, 3),
            _norm("bn2", width // 4), _conv("conv3", width // 4, width, 1), _act("relu"))))
        items += [_Leaf("fpn", f"FeaturePyramidNetwork(in_channels_list=[{width}, {width * 2}, {width * 4}], "
                        f"out_channels={width})", "FPN", (("num_output", width),)),
                  _conv("rpn_conv", width, width, 3), _conv("rpn_cls_logits", width, 9, 1),
                  _conv("rpn_bbox_pred", width, 36, 1),
                  _Leaf("roi_align", "MultiScaleRoIAlign(featmap_names=['0', '1', '2', '3'], output_size=(7, 7), "
                        "sampling_ratio=2)", "ROIAlign", (("pooled_h", 7), ("pooled_w", 7))),
                  _linear("fc6", width * 49, 1024), _linear("fc7", 1024, 1024)]
        head_in = 1024
    elif kind == "asr":
        items += [_conv("subsample_conv1", 1, width, 3, 2), _act("subsample_act1"),
                  _conv("subsample_conv2", width, width, 3, 2), _act("subsample_act2"),
                  _linear("subsample_out", width * 19, width)]
        items.append(_Block("blocks", depth, "ConformerBlock", (
            _linear("ff1", width, width * 4), _act("ff1_act", "SiLU"),
            _Leaf("self_attn", f"MultiheadAttention(embed_dim={width}, num_heads=4, dropout={p:g})",
                  "MultiHeadAttention", (("num_heads", 4), ("dropout", p))),
            _conv("depthwise_conv", width, width, 31, 1, width), _norm("conv_norm", width),
            _linear("ff2", width * 4, width), _norm("final_norm", width, "layer"))))
    else:  # mlp
        items += [_Leaf("sparse_embeddings", "EmbeddingBagCollection(tables=26, embedding_dim=64, mode='sum')",
                        "Embed", (("input_dim", 1000000), ("num_output", 64))),
                  _linear("bottom_mlp", 13, width), _act("bottom_act")]
        items.append(_Block("top_mlp", depth, "MLPBlock", (
            _linear("linear", width, width), _act("act"), _dropout("dropout", p))))
    if hp["extra_layer"]:
        items.append({
            "cnn": _Leaf("attn_pool", f"AttentionPool2d(embed_dim={head_in}, num_heads=8)", "Attention",
                         (("num_heads", 8),)),
            "transformer": _linear("pre_classifier", width, width),
            "detector": _dropout("box_dropout", 0.2),
            "asr": _linear("lm_adapter", width, width),
            "mlp": _Leaf("cross_net", f"CrossNet(in_features={width}, num_layers=3)", "Cross",
                         (("num_layers", 3),)),
        }[kind])
    if p > 0:
        items.append(_dropout("dropout", p))
    items.append(_linear("classifier" if kind != "asr" else "ctc_head", head_in, classes))
    if kind == "detector":
        items.append(_linear("bbox_pred", head_in, classes * 4))
    return items


def _torch_text(plan: _Plan) -> str:
    hp = plan.hp
    lines = [f"# {plan.name}: batch_size={hp['batch_size']} max_steps={hp['max_steps']} "
             f"precision={hp['precision']} schedule={hp['schedule']} warmup_steps={hp['warmup_steps']}",
             f"{plan.arch.root}("]
    for item in _layers(plan):
        if isinstance(item, _Leaf):
            lines.append(f"  ({item.name}): {item.torch}")
            continue
        head = f"(0-{item.count - 1}): {item.count} x {item.cls}(" if item.count > 1 else f"(0): {item.cls}("
        lines += [f"  ({item.name}): ModuleList(", f"    {head}"]
        lines += [f"      ({leaf.name}): {leaf.torch}" for leaf in item.leaves]
        lines += ["    )", "  )"]
    lines.append(")")
    name = {"adamw": "AdamW", "adam": "Adam", "sgd": "SGD"}[hp["optimizer"]]
    lines += ["", f"{name} (", "Parameter Group 0"]
    group = {"lr": hp["lr"], "weight_decay": hp["weight_decay"]}
    if hp["optimizer"] == "sgd":
        group.update(momentum=0.9, nesterov=True, dampening=0)
    else:
        group.update(betas=(0.9, 0.999), eps=1e-08, amsgrad=False)
    lines += [f"    {key}: {value}" for key, value in sorted(group.items())]
    lines.append(")")
    return "\n".join(lines) + "\n"


def _proto_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value.isupper() else f'"{value}"'
    return f"{value:g}" if isinstance(value, float) else str(value)


def _input_dims(plan: _Plan) -> list[int]:
    """Batch first, then the sample's shape when it is one (3x224x224)."""
    shape = plan.project.input_desc.split("x")
    return [plan.hp["batch_size"]] + ([int(d) for d in shape] if all(d.isdigit() for d in shape) else [])


def _prototxt(plan: _Plan) -> str:
    hp = plan.hp
    policy = {"step": "multistep", "cosine": "cosine", "linear": "poly", "constant": "fixed"}[hp["schedule"]]
    lines = ["# solver", f"base_lr: {hp['lr']:g}", f'lr_policy: "{policy}"']
    lines += [f"stepvalue: {int(m * hp['max_steps'])}" for m in hp["milestones"]]
    if hp["schedule"] == "step":
        lines.append("gamma: 0.1")
    lines += [f"momentum: {0.9 if hp['optimizer'] == 'sgd' else 0.0:g}", f"weight_decay: {hp['weight_decay']:g}",
              f"max_iter: {hp['max_steps']}", f"snapshot: {hp['checkpoint_every']}", f'type: "{hp["optimizer"].upper()}"',
              "", "# net", f'name: "{plan.arch.root}"', 'input: "data"',
              f"input_shape {{ {' '.join(f'dim: {d}' for d in _input_dims(plan))} }}"]
    bottom = "data"

    def layer(name: str, leaf: _Leaf) -> None:
        nonlocal bottom
        lines.extend(["layer {", f'  name: "{name}"', f'  type: "{leaf.proto_type}"', f'  bottom: "{bottom}"',
                      f'  top: "{name}"'])
        if leaf.proto_params:
            params = " ".join(f"{k}: {_proto_value(v)}" for k, v in leaf.proto_params)
            lines.append(f"  {leaf.proto_type.lower()}_param {{ {params} }}")
        lines.append("}")
        bottom = name

    for item in _layers(plan):
        if isinstance(item, _Leaf):
            layer(item.name, item)
        else:
            for i in range(item.count):
                for leaf in item.leaves:
                    layer(f"{item.name}{i}_{leaf.name}", leaf)
    return "\n".join(lines) + "\n"


def _estimator_params(plan: _Plan) -> tuple[str, dict[str, Any]]:
    hp, framework = plan.hp, plan.arch.framework
    if framework == "scikit-learn":
        return "HistGradientBoostingClassifier", {
            "max_iter": hp["max_steps"], "learning_rate": hp["lr"], "max_depth": hp["max_depth"],
            "l2_regularization": hp["weight_decay"], "min_samples_leaf": hp["min_child_weight"] * 10,
            "early_stopping": False, "random_state": hp["seed"]}
    params: dict[str, Any] = {
        "n_estimators": hp["max_steps"], "learning_rate": hp["lr"],
        ("num_leaves" if framework == "LightGBM" else "max_depth"):
            2 ** hp["max_depth"] - 1 if framework == "LightGBM" else hp["max_depth"],
        "subsample": hp["subsample"], "colsample_bytree": hp["colsample"], "reg_lambda": hp["weight_decay"],
        ("min_child_samples" if framework == "LightGBM" else "min_child_weight"): hp["min_child_weight"],
        "random_state": hp["seed"]}
    if plan.arch.root == "XGBRanker":
        params = {"objective": "rank:ndcg", **params, "tree_method": "hist"}
    elif framework == "XGBoost":
        params = {"objective": "binary:logistic", **params, "tree_method": "hist", "eval_metric": ["logloss", "auc"]}
    return plan.arch.root, params


def _estimator_text(plan: _Plan) -> str:
    cls, params = _estimator_params(plan)
    steps = ["    ('impute', SimpleImputer(strategy='median')),",
             "    ('encode', OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1)),"]
    if plan.hp["extra_layer"]:
        steps.append(f"    ('select', SelectKBest(k={len(plan.family.features) * 3})),")
    lines = ["Pipeline(steps=[", *steps, f"    ('model', {cls}("]
    lines += [f"        {key}={value!r}," for key, value in params.items()]
    lines += ["    )),", "])"]
    return "\n".join(lines) + "\n"


def _config_data(plan: _Plan) -> dict[str, Any]:
    hp = plan.hp
    data = {"dataset": plan.dataset, "input": plan.project.input_desc, "num_workers": 8}
    if plan.is_trees:
        cls, params = _estimator_params(plan)
        out: dict[str, Any] = {"model": {"estimator": cls, **params}, "data": data}
        if hp["extra_layer"]:
            out["preprocess"] = {"select_k_best": len(plan.family.features) * 3}
        out["eval"] = {"every": hp["val_every"], "checkpoint_every": hp["checkpoint_every"]}
        return out
    model: dict[str, Any] = {"arch": plan.arch.name, "num_layers": hp["num_layers"], "hidden_size": hp["hidden_size"],
                             "dropout": hp["dropout"], "num_classes": len(plan.labels)}
    if hp["extra_layer"]:
        model["extra_layer"] = hp["extra_layer"]
    optimizer: dict[str, Any] = {"name": hp["optimizer"], "lr": hp["lr"], "weight_decay": hp["weight_decay"]}
    if hp["optimizer"] == "sgd":
        optimizer.update(momentum=0.9, nesterov=True)
    else:
        optimizer["betas"] = [0.9, 0.999]
    scheduler: dict[str, Any] = {"name": hp["schedule"], "warmup_steps": hp["warmup_steps"]}
    if hp["milestones"]:
        scheduler.update(milestones=[int(m * hp["max_steps"]) for m in hp["milestones"]], gamma=0.1)
    if hp["label_smoothing"]:
        model["label_smoothing"] = hp["label_smoothing"]
    return {
        "model": model,
        "data": {**data, "batch_size": hp["batch_size"]},
        "optimizer": optimizer,
        "scheduler": scheduler,
        "trainer": {"max_steps": hp["max_steps"], "precision": hp["precision"], "log_every": hp["log_every"],
                    "val_every": hp["val_every"], "checkpoint_every": hp["checkpoint_every"], "seed": hp["seed"]},
    }


def _config(plan: _Plan) -> Config:
    fmt = plan.family.config_format
    if fmt == "json":
        return Config("json", json.dumps(_config_data(plan), indent=2) + "\n")
    if fmt == "yaml":
        return Config("yaml", yaml.safe_dump(_config_data(plan), sort_keys=False, default_flow_style=False))
    if plan.is_trees:
        return Config("text", _estimator_text(plan))
    if plan.arch.framework == "PyTorch":
        return Config("text", _torch_text(plan))
    return Config("text", _prototxt(plan))


# -- details ---------------------------------------------------------------------------------


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


# -- plots -------------------------------------------------------------------------------------


def _r(values: np.ndarray, decimals: int = 4) -> list[float]:
    return np.round(np.asarray(values, dtype=np.float64), decimals).tolist()


class _Evaluation:
    """Per-class results of one model at one iteration, kept consistent:
    the confusion matrix gives the per-class accuracy, report and PR curves."""

    def __init__(self, plan: _Plan, acc: float, rng: np.random.Generator) -> None:
        family = plan.family
        names = sorted(plan.labels, key=plan.labels.__getitem__)
        self.names = names
        all_labels = list(family.project.labels + family.project.extra_labels)
        index = [all_labels.index(name) for name in names]
        chance = 1.0 / len(names)
        base = _logit(max(acc, chance + 0.01))
        self.class_acc = np.array([_sigmoid(base + family.difficulty[name] + float(rng.normal(0, 0.08)))
                                   for name in names])
        support = np.array([family.support[name] for name in names])
        affinity = family.affinity[np.ix_(index, index)] + 0.02
        np.fill_diagonal(affinity, 0.0)
        matrix = np.zeros((len(names), len(names)), dtype=np.int64)
        for i, (count, a) in enumerate(zip(support.tolist(), self.class_acc.tolist())):
            correct = int(round(count * a))
            matrix[i] = rng.multinomial(count - correct, affinity[i] / affinity[i].sum())
            matrix[i, i] = correct
        self.matrix = matrix
        self.support = support
        predicted = matrix.sum(axis=0)
        self.recall = np.diag(matrix) / np.maximum(support, 1)
        self.precision = np.diag(matrix) / np.maximum(predicted, 1)
        self.f1 = 2 * self.precision * self.recall / np.maximum(self.precision + self.recall, 1e-9)
        self.accuracy = float(np.trace(matrix) / matrix.sum())


def _checkpoints(plan: _Plan, count: int) -> list[int]:
    steps, every = plan.iterations, plan.hp["val_every"]
    marks = {min(steps, _nice(steps * k / count, every)) for k in range(1, count)} | {steps}
    return sorted(marks)


def _plots(plan: _Plan, run: _Run, q: dict[str, float], progress: Callable[[np.ndarray], np.ndarray],
           rng: np.random.Generator, latency_ms: float) -> tuple[list[Plot], _Evaluation]:
    steps = plan.iterations
    plots: list[Plot] = []

    def add(metric: str, variant: str, iteration: int, kind: str, data: dict[str, Any]) -> None:
        plots.append(Plot(metric, variant, iteration, kind, data, run.timestamp(iteration)))

    def evaluation_at(iteration: int) -> _Evaluation:
        chance = 1.0 / len(plan.labels)
        done = 1.0 - float(progress(np.array([iteration / steps]))[0])
        return _Evaluation(plan, chance + (q["acc"] - chance) * done, rng)

    final = evaluation_at(steps)
    names = final.names
    shown = [n for n in names if n not in ("background", "<blank>", "no_click", "stayed")][:4] or names[:1]

    # line: PR and ROC curves, one series per class
    recall = np.linspace(0.0, 1.0, 41)
    fpr = np.linspace(0.0, 1.0, 41)
    pr, roc = [], []
    for name in shown:
        k = names.index(name)
        ap = float(np.clip(final.f1[k] + 0.04, 0.2, 0.99))
        p_min = 0.08
        alpha = max(0.05, (1 - p_min) / (1 - ap) - 1)
        precision = 1 - (1 - p_min) * recall ** alpha + rng.normal(0, 0.006, recall.size)
        pr.append({"name": name, "x": _r(recall), "y": _r(np.clip(precision, 0, 1))})
        auc = float(np.clip(0.5 + final.recall[k] * 0.49, 0.55, 0.995))
        tpr = fpr ** ((1 - auc) / auc)
        roc.append({"name": name, "x": _r(fpr), "y": _r(np.clip(tpr, 0, 1))})
    add("PR curve", "val", steps, "line", {"series": pr, "x_label": "recall", "y_label": "precision"})
    add("ROC curve", "val", steps, "line", {"series": roc, "x_label": "false positive rate",
                                            "y_label": "true positive rate"})

    # scatter: embeddings of a few classes, or calibration for probability models
    if plan.project.task in ("ranking", "tabular"):
        predicted = (np.arange(20) + 0.5) / 20
        observed = np.clip(predicted + rng.normal(0, 0.06 * (1.2 - q["acc"]), 20) + 0.04 * np.sin(6 * predicted), 0, 1)
        add("calibration", "val", steps, "scatter", {"series": [{"name": "bins", "x": _r(predicted),
                                                                  "y": _r(observed)}],
                                                     "x_label": "mean predicted probability",
                                                     "y_label": "fraction of positives"})
    else:
        series = []
        spread = 2.5 * (1.1 - q["acc"]) + 0.6
        for k, name in enumerate(shown):
            center = np.array([math.cos(2 * math.pi * k / len(shown)), math.sin(2 * math.pi * k / len(shown))]) * 6
            points = center + rng.normal(0, spread, (30, 2))
            series.append({"name": name, "x": _r(points[:, 0], 3), "y": _r(points[:, 1], 3)})
        add("embeddings", "t-SNE", steps, "scatter", {"series": series, "x_label": "t-SNE 1", "y_label": "t-SNE 2"})

    # bar: per-class accuracy at several iterations; confusion matrix at two
    marks = _checkpoints(plan, 4)
    for iteration in marks:
        ev = final if iteration == steps else evaluation_at(iteration)
        add("per-class accuracy", "val", iteration, "bar",
            {"categories": list(names), "series": [{"name": "accuracy", "values": _r(ev.recall)}],
             "x_label": "class", "y_label": "accuracy"})
        if iteration == steps or iteration == marks[len(marks) // 2 - 1]:
            add("confusion matrix", "val", iteration, "confusion_matrix",
                {"matrix": ev.matrix.tolist(), "x_labels": list(names), "y_labels": list(names),
                 "x_label": "predicted", "y_label": "actual"})

    # box: inference latency per batch size
    box = [{"name": f"batch {b}", "values": _r(latency_ms * b ** 0.72 * np.exp(rng.normal(0, 0.08, 60))
                                               + rng.exponential(0.05 * latency_ms, 60), 3)}
           for b in (1, 8, 32)]
    add("latency", "inference", steps, "box", {"series": box, "x_label": "", "y_label": "ms"})

    # histogram: weights (trees: predicted probabilities), several iterations
    hist_marks = _checkpoints(plan, 3)
    if plan.is_trees:
        for iteration in hist_marks:
            sharp = 1.0 + 6.0 * (1.0 - float(progress(np.array([iteration / steps]))[0]))
            values = np.concatenate([rng.beta(1, 1 + sharp, 300), rng.beta(1 + sharp, 1, 100)])
            add("predictions", "p(positive)", iteration, "histogram",
                {"series": [{"name": "p(positive)", "values": _r(values)}], "bins": 30, "x_label": "probability",
                 "y_label": "count"})
        importance = rng.gamma(1.2, 1.0, len(plan.family.features))
        order = np.argsort(-importance)[:10]
        add("feature importance", "gain", steps, "bar",
            {"categories": [plan.family.features[i] for i in order.tolist()],
             "series": [{"name": "gain", "values": _r(importance[order] / importance.sum())}],
             "x_label": "feature", "y_label": "gain share"})
    else:
        layers = [item for item in _layers(plan) if isinstance(item, _Leaf)]
        for layer in (layers[0], layers[-1]):
            fan_in = 64 if layer is layers[0] else plan.hp["hidden_size"]
            for iteration in hist_marks:
                std = (1.0 / math.sqrt(fan_in)) * (1.0 + 0.6 * (iteration / steps)) * (1.0 - plan.hp["weight_decay"])
                values = rng.standard_t(5, 400) * std
                add("weights", f"{layer.name}.weight", iteration, "histogram",
                    {"series": [{"name": f"{layer.name}.weight", "values": _r(values, 5)}], "bins": 40,
                     "x_label": "value", "y_label": "count"})

    # table: the classification report (sklearn's layout, blanks included)
    rows: list[list[Any]] = []
    for k, name in enumerate(names):
        rows.append([name, round(float(final.precision[k]), 4), round(float(final.recall[k]), 4),
                     round(float(final.f1[k]), 4), int(final.support[k])])
    total = int(final.support.sum())
    weights = final.support / total
    rows.append(["accuracy", None, None, round(final.accuracy, 4), total])
    rows.append(["macro avg", round(float(final.precision.mean()), 4), round(float(final.recall.mean()), 4),
                 round(float(final.f1.mean()), 4), total])
    rows.append(["weighted avg", round(float((final.precision * weights).sum()), 4),
                 round(float((final.recall * weights).sum()), 4), round(float((final.f1 * weights).sum()), 4), total])
    add("classification report", "val", steps, "table",
        {"columns": ["class", "precision", "recall", "f1-score", "support"], "rows": rows})

    metric, variant, heat = _heatmap(plan, rng, q)
    add(metric, variant, steps, "heatmap", heat)
    add("samples", "predictions", steps, "text", {"text": _samples(plan, rng, q["acc"])})
    return plots, final


_SENTENCE = ("the", "battery", "died", "after", "two", "days", "but", "support", "was", "great")


def _heatmap(plan: _Plan, rng: np.random.Generator, q: dict[str, float]) -> tuple[str, str, dict[str, Any]]:
    task = plan.project.task
    if task == "sentiment":
        n = len(_SENTENCE)
        logits = rng.normal(0, 1, (n, n)) + 3.0 * q["acc"] * np.eye(n) + 1.5 * np.eye(n, k=-1)
        weights = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        layer = plan.hp["num_layers"]
        return "attention", f"layer {layer} head 3", {
            "matrix": _rows(weights), "x_labels": list(_SENTENCE), "y_labels": list(_SENTENCE),
            "x_label": "key", "y_label": "query"}
    if task == "asr":
        frames, mels = 24, 16
        t = np.arange(frames)[None, :]
        f = np.arange(mels)[:, None]
        energy = np.exp(-((f - 4 - 2 * np.sin(t / 3)) ** 2) / 6) * (1 + (t % 8 < 5)) + rng.normal(0, 0.08, (mels, frames))
        return "spectrogram", "sample 0", {
            "matrix": _rows(np.log1p(np.clip(energy, 0, None) * 10)), "x_labels": [str(i) for i in range(frames)],
            "y_labels": [f"mel {i}" for i in range(mels)], "x_label": "frame", "y_label": "mel bin"}
    if task in ("ranking", "tabular"):
        features = list(plan.family.features[:8])
        mix = rng.normal(0, 1, (8, 3))
        cov = mix @ mix.T + np.eye(8) * 1.5
        d = np.sqrt(np.diag(cov))
        return "correlation", "features", {
            "matrix": _rows(cov / d[:, None] / d[None, :]), "x_labels": features, "y_labels": features,
            "x_label": "", "y_label": ""}
    size = 7
    y, x = np.mgrid[0:size, 0:size]
    cy, cx = rng.uniform(2, 4, 2)
    blob = np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 + 4 * (1 - q["acc"]))) + rng.normal(0, 0.05, (size, size))
    return "activations", "last conv (mean)", {
        "matrix": _rows(np.clip(blob, 0, None)), "x_labels": [str(i) for i in range(size)],
        "y_labels": [str(i) for i in range(size)], "x_label": "x", "y_label": "y"}


def _rows(matrix: np.ndarray) -> list[list[float]]:
    return np.round(matrix, 4).tolist()


_REVIEWS = (
    ("The battery died after two days.", "negative"), ("Does what it says, nothing more.", "neutral"),
    ("Absolutely love it, buying another!", "positive"), ("Arrived late and the box was crushed.", "negative"),
    ("Decent value for the price.", "neutral"), ("Support fixed my issue in minutes.", "positive"),
    ("Stopped working after the update.", "negative"), ("Great screen, terrible speakers.", "neutral"),
)
_UTTERANCES = (
    "turn the lights off in the kitchen", "what is the weather in lisbon tomorrow", "call my sister on speaker",
    "add oat milk to the shopping list", "play the next episode", "set a timer for twelve minutes",
)
_QUERIES = ("running shoes", "usb-c charger", "espresso machine", "kids raincoat", "noise cancelling headphones")


def _samples(plan: _Plan, rng: np.random.Generator, acc: float) -> str:
    """Sample predictions as a model's evaluation script would print them."""
    task = plan.project.task
    labels = sorted(plan.labels, key=plan.labels.__getitem__)
    lines: list[str] = []
    if task == "sentiment":
        for text, truth in _REVIEWS[:6]:
            pred = truth if rng.random() < acc or truth not in labels else _pick(rng, labels)
            mark = "ok " if pred == truth else "ERR"
            lines.append(f"{mark} {pred:<8} {rng.uniform(0.5, 0.99):.2f}  \"{text}\"")
    elif task == "asr":
        for text in _UTTERANCES[:4]:
            words = text.split()
            hyp = [w if rng.random() < acc else w[:-1] or w for w in words]
            lines += [f"REF: {text}", f"HYP: {' '.join(hyp)}", ""]
    elif task == "ranking":
        for query in _QUERIES[:3]:
            items = ", ".join(f"sku-{int(rng.integers(1000, 99999))} ({s:.2f})"
                              for s in sorted(rng.uniform(0.2, 0.99, 3).tolist(), reverse=True))
            lines.append(f"query '{query}': {items}")
    elif task == "tabular":
        for _ in range(6):
            p = float(rng.beta(1.2, 3.0))
            truth = "churned" if rng.random() < p * acc + (1 - acc) * 0.5 else "stayed"
            lines.append(f"customer {int(rng.integers(10000, 99999))}: p(churn)={p:.2f} label={truth}")
    else:
        classes = [n for n in labels if n != "background"]
        for i in range(6):
            truth = _pick(rng, classes)
            pred = truth if rng.random() < acc else _pick(rng, classes)
            mark = "ok " if pred == truth else "ERR"
            if task == "detection":
                box = rng.integers(0, 800, 4).tolist()
                lines.append(f"{mark} frame_{int(rng.integers(10000)):05d}.jpg  {pred} {rng.uniform(0.4, 0.99):.2f} "
                             f"[{box[0]},{box[1]},{box[0] + box[2] // 4},{box[1] + box[3] // 4}]  true={truth}")
            else:
                lines.append(f"{mark} img_{int(rng.integers(10000)):05d}.png  pred={pred:<10} "
                             f"({rng.uniform(0.4, 0.99):.2f})  true={truth}")
    return "\n".join(lines).rstrip("\n") + "\n"


# -- one record ----------------------------------------------------------------------------------


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
