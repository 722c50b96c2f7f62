"""Training curves: the metrics of a plan, schedules, progress, noise, resumes."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.model import ScalarSeries
from .plan import _Plan


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
