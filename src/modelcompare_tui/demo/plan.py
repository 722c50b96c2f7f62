"""Planning the registry: families, lineage, names, ids, hyper-parameters, times."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.model import CONFIG_FORMATS
from .helpers import DAY, _hex_id, _lr_text, _nice, _pick
from .tables import EXTRA_TAGS, GPUS, PROJECTS, RANK_FEATURES, TREE_FEATURES, USERS, _Arch, _Project


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
