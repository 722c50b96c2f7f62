"""Writing model files: records -> the document -> text, written atomically.
`parse_model_document(export_document(records))` gives the records back equal.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..gc_pause import gc_paused
from ..model import ModelRecord, ScalarSeries, format_float
from .document import FORMAT


def _jsonable(value: Any) -> Any:
    """Plot data for writing: non-finite floats spelled as text."""
    if isinstance(value, float):
        return value if math.isfinite(value) else format_float(value)
    if isinstance(value, list):
        if set(map(type, value)) <= {int, str, bool, type(None)}:
            return list(value)
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _export_points(series: ScalarSeries) -> list[list[Any]]:
    iterations = series.iterations.astype(np.int64, copy=False).tolist()
    values = series.values.astype(np.float64, copy=False)
    timestamps = series.timestamps.astype(np.float64, copy=False)
    value_list = values.tolist()
    has_time = np.isfinite(timestamps)
    if bool(has_time.all()):
        points = list(map(list, zip(iterations, value_list, timestamps.tolist())))
    elif not bool(has_time.any()):
        points = list(map(list, zip(iterations, value_list)))
    else:
        points = [[i, v, t] if known else [i, v]
                  for i, v, t, known in zip(iterations, value_list, timestamps.tolist(), has_time.tolist())]
    for i in np.flatnonzero(~np.isfinite(values)).tolist():
        points[i][1] = format_float(values[i])
    return points


def _export_model(record: ModelRecord) -> dict[str, Any]:
    model = record.model
    out: dict[str, Any] = {
        "id": model.id,
        "name": model.name,
        "project": model.project,
        "framework": model.framework,
        "status": model.status,
        "tags": list(model.tags),
        "user": model.user,
        "created": model.created,
        "updated": model.updated,
        "comment": model.comment,
        "uri": model.uri,
    }
    if model.task_id or model.task_name:
        out["task"] = {"id": model.task_id, "name": model.task_name}
    out["parent"] = model.parent
    out["labels"] = dict(model.labels)
    out["metadata"] = [{"key": m.key, "type": m.type, "value": m.value} for m in model.metadata]
    if model.config is not None:
        out["config"] = {"format": model.config.format, "text": model.config.text}
    out["scalars"] = [
        {"metric": s.metric, "variant": s.variant, "points": _export_points(s)} for s in record.scalars
    ]
    out["single_values"] = {name: _jsonable(float(v)) for name, v in record.single_values.items()}
    plots = []
    for plot in record.plots:
        entry: dict[str, Any] = {"metric": plot.metric, "variant": plot.variant,
                                 "iteration": int(plot.iteration), "kind": plot.kind}
        if plot.timestamp is not None and math.isfinite(plot.timestamp):
            entry["timestamp"] = plot.timestamp
        entry["data"] = _jsonable(plot.data)
        plots.append(entry)
    out["plots"] = plots
    return out


def export_document(records: Iterable[ModelRecord]) -> dict[str, Any]:
    """Records -> the model-file document (JSON-ready: no NaN/inf floats)."""
    return {"format": FORMAT, "models": [_export_model(r) for r in records]}


def dumps_document(doc: dict[str, Any]) -> str:
    """The document as text: indented for people, but each series' points and
    each plot's data on one line (one number per line would make files huge)."""
    token = f"@@modelcompare-{uuid.uuid4().hex}-"
    compact: list[str] = []

    def placeholder(value: Any) -> str:
        compact.append(json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False))
        return f"{token}{len(compact) - 1}"

    shallow = dict(doc)
    shallow["models"] = []
    for model in doc.get("models", []):
        model = dict(model)
        model["scalars"] = [{**s, "points": placeholder(s["points"])} for s in model.get("scalars", [])]
        model["plots"] = [{**p, "data": placeholder(p["data"])} for p in model.get("plots", [])]
        shallow["models"].append(model)
    text = json.dumps(shallow, indent=2, ensure_ascii=False, allow_nan=False)
    return re.sub(f'"{re.escape(token)}(\\d+)"', lambda m: compact[int(m.group(1))], text) + "\n"


def write_model_file(records: Iterable[ModelRecord], path: str | os.PathLike[str]) -> None:
    """Write records as a model file, atomically: a temp file in the same
    directory renamed over the target, so a reader never sees half a file."""
    target = Path(path)
    with gc_paused():
        text = dumps_document(export_document(records))
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
