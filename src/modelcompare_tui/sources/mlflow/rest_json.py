"""The tracking server's JSON answers read into the neutral shapes (runs,
versions, registered and logged models, metric histories)."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from .shapes import LatestMetric, LoggedModelData, RawHistory, RegisteredModelData, RunData, VersionData

# The SQL store keeps +-inf as +-DBL_MAX; they are read back as the infinities logged.
_DBL_MAX = sys.float_info.max


def _float(value: Any) -> float:
    number = float(value)  # also reads "NaN", "Infinity", "-Infinity"
    if number == _DBL_MAX:
        return math.inf
    if number == -_DBL_MAX:
        return -math.inf
    return number


def _tags(items: Any) -> dict[str, str]:
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    return {str(t.get("key")): str(t.get("value", "")) for t in items or [] if isinstance(t, dict)}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _run_from_json(data: dict[str, Any]) -> RunData:
    info = data.get("info", {})
    payload = data.get("data", {})
    latest: dict[str, LatestMetric] = {}
    for m in payload.get("metrics", []) or []:
        try:
            latest[str(m["key"])] = LatestMetric(
                int(m.get("step", 0) or 0), int(m.get("timestamp", 0) or 0), _float(m.get("value", "NaN"))
            )
        except (KeyError, TypeError, ValueError):
            continue
    tags = _tags(payload.get("tags"))
    return RunData(
        run_id=str(info.get("run_id") or info.get("run_uuid")),
        experiment_id=str(info.get("experiment_id", "")),
        name=str(info.get("run_name") or tags.get("mlflow.runName", "")),
        user=str(info.get("user_id") or tags.get("mlflow.user", "")),
        status=str(info.get("status", "")),
        start_time=_int_or_none(info.get("start_time")),
        end_time=_int_or_none(info.get("end_time")),
        artifact_uri=str(info.get("artifact_uri", "")),
        lifecycle_stage=str(info.get("lifecycle_stage", "active")),
        params={str(p["key"]): str(p.get("value", "")) for p in payload.get("params", []) or [] if "key" in p},
        tags=tags,
        metric_keys=sorted(latest),
        latest=latest,
    )


def _version_from_json(data: dict[str, Any]) -> VersionData:
    source = str(data.get("source", ""))
    model_id = str(data.get("model_id", ""))
    if not model_id and source.startswith("models:/m-"):
        model_id = source[len("models:/") :].strip("/")
    stage = str(data.get("current_stage", "") or "")
    return VersionData(
        name=str(data.get("name", "")),
        version=str(data.get("version", "")),
        created=_int_or_none(data.get("creation_timestamp")),
        updated=_int_or_none(data.get("last_updated_timestamp")),
        stage="" if stage == "None" else stage,
        description=str(data.get("description", "") or ""),
        source=source,
        run_id=str(data.get("run_id", "") or ""),
        status=str(data.get("status", "") or ""),
        tags=_tags(data.get("tags")),
        user_id=str(data.get("user_id", "") or ""),
        model_id=model_id,
        aliases=sorted(str(a) for a in data.get("aliases", []) or []),
    )


def _registered_from_json(data: dict[str, Any]) -> RegisteredModelData:
    aliases = {str(a.get("alias")): str(a.get("version")) for a in data.get("aliases", []) or []}
    return RegisteredModelData(
        name=str(data.get("name", "")),
        description=str(data.get("description", "") or ""),
        tags=_tags(data.get("tags")),
        aliases=aliases,
    )


def _logged_status(value: Any) -> str:
    text = str(value or "")
    for prefix in ("LOGGED_MODEL_",):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return "FAILED" if text == "UPLOAD_FAILED" else text


def _logged_from_json(data: dict[str, Any]) -> LoggedModelData:
    info = data.get("info", data)
    payload = data.get("data", {}) or {}
    return LoggedModelData(
        model_id=str(info.get("model_id", "")),
        experiment_id=str(info.get("experiment_id", "")),
        name=str(info.get("name", "") or ""),
        created=_int_or_none(info.get("creation_timestamp_ms")),
        updated=_int_or_none(info.get("last_updated_timestamp_ms")),
        artifact_uri=str(info.get("artifact_uri", "") or ""),
        status=_logged_status(info.get("status")),
        model_type=str(info.get("model_type", "") or ""),
        source_run_id=str(info.get("source_run_id", "") or ""),
        tags=_tags(info.get("tags")),
        params={str(p["key"]): str(p.get("value", "")) for p in payload.get("params", []) or [] if "key" in p},
    )


def _history_from_points(points: list[dict[str, Any]]) -> RawHistory:
    n = len(points)
    steps = np.fromiter((int(p.get("step", 0) or 0) for p in points), dtype=np.int64, count=n)
    times = np.fromiter((int(p.get("timestamp", 0) or 0) for p in points), dtype=np.int64, count=n)
    values = np.fromiter((_float(p.get("value", "NaN")) for p in points), dtype=np.float64, count=n)
    return RawHistory(steps, values, times)
