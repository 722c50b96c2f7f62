"""Plots of every kind: curves, bars, confusion matrices, heatmaps, tables, text samples."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.model import Plot
from .configs import _layers, _Leaf
from .curves import _Run
from .helpers import _logit, _nice, _pick, _sigmoid
from .plan import _Plan
from .tables import _QUERIES, _REVIEWS, _SENTENCE, _UTTERANCES


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
        energy = (np.exp(-((f - 4 - 2 * np.sin(t / 3)) ** 2) / 6) * (1 + (t % 8 < 5))
                  + rng.normal(0, 0.08, (mels, frames)))
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
        for _ in range(6):
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
