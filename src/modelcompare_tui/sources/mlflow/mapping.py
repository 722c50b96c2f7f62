"""From MLflow entities to modelcompare's: ids, metric keys to (metric, variant),
params to a config, tags, flavors, artifact references."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

import yaml

from ...core.model import Config
from .shapes import ArtifactRef, LoggedModelData, RegisteredModelData, VersionData

PARENT_TAG = "modelcompare.parent"
FRAMEWORK_TAG = "framework"
PROMPT_TAG = "mlflow.prompt.is_prompt"
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Run tags that are noise in a side-by-side view (huge JSON, or shown elsewhere).
HIDDEN_RUN_TAGS = frozenset({"mlflow.log-model.history", "mlflow.runName"})


def split_metric_key(key: str) -> tuple[str, str]:
    """`loss/train` -> (loss, train); `val.acc` -> (val, acc); `acc` -> (acc, acc).

    The variant is the suffix after the last `/`, else after the last `.` unless
    that suffix starts with a digit (`acc@0.5` stays whole)."""
    slash = key.rfind("/")
    if 0 < slash < len(key) - 1:
        return key[:slash], key[slash + 1 :]
    dot = key.rfind(".")
    if 0 < dot < len(key) - 1 and not key[dot + 1].isdigit() and slash == -1:
        return key[:dot], key[dot + 1 :]
    return key, key


def series_keys(metric_keys: Iterable[str]) -> dict[tuple[str, str], str]:
    """(metric, variant) -> metric key, for one run. Two keys that split the same
    way (`loss/train`, `loss.train`): the first in sorted order keeps the split,
    the other is shown whole."""
    out: dict[tuple[str, str], str] = {}
    for key in sorted(metric_keys):
        pair = split_metric_key(key)
        if pair in out:
            pair = (key, key)
        out[pair] = key
    return out


def iso_ms(ms: int | float | None) -> str:
    if ms is None or ms == 0:
        return ""
    try:
        return datetime.fromtimestamp(float(ms) / 1000.0, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return ""


def version_model_id(name: str, version: str) -> str:
    return f"{quote(name, safe='')}/{version}"


def parse_model_id(model_id: str) -> tuple[str, str, str] | None:
    """-> ("version", name, version) or ("logged", model_id, "") or None."""
    if "/" in model_id:
        name, _, version = model_id.rpartition("/")
        if name and version.isdigit():
            return "version", unquote(name), version
        return None
    if model_id.startswith("m-") and len(model_id) > 2:
        return "logged", model_id, ""
    return None


def model_id_from_reference(ref: str, registered: dict[str, RegisteredModelData]) -> str:
    """A parent given as a model id, or as an MLflow model URI (`models:/name/3`,
    `models:/name@alias`, `models:/m-…`) -> model id ("" when it names nothing)."""
    ref = ref.strip()
    if ref.startswith("models:/"):
        body = ref[len("models:/") :].strip("/")
        if body.startswith("m-") and "/" not in body:
            return body
        if "@" in body:
            name, _, alias = body.rpartition("@")
            version = registered.get(name, RegisteredModelData(name)).aliases.get(alias)
            return version_model_id(name, version) if version else ""
        name, _, version = body.rpartition("/")
        return version_model_id(name, version) if name and version.isdigit() else ""
    return ref if parse_model_id(ref) else ""


def user_tags(tags: dict[str, str]) -> list[str]:
    """Tags for the models table: a key/value tag as `key=value` (`key` when the
    value is empty), MLflow's own `mlflow.*` tags left to the metadata."""
    out = []
    for key in sorted(tags):
        if key.startswith("mlflow.") or key in (PARENT_TAG, FRAMEWORK_TAG):
            continue
        value = tags[key]
        out.append(key if value == "" else f"{key}={value}")
    return out


def flavor_from_mlmodel(text: str) -> str:
    """The framework named by an MLmodel file: its first flavor that is not the
    generic python_function ("pyfunc" when that is all there is)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return ""
    flavors = doc.get("flavors") if isinstance(doc, dict) else None
    if not isinstance(flavors, dict):
        return ""
    for name in flavors:
        if name != "python_function":
            return str(name)
    return "pyfunc" if "python_function" in flavors else ""


def flavor_from_log_model_history(tags: dict[str, str]) -> str:
    """MLflow 2 runs record their logged models' flavors in a run tag."""
    text = tags.get("mlflow.log-model.history")
    if not text:
        return ""
    try:
        entries = json.loads(text)
    except ValueError:
        return ""
    for entry in entries if isinstance(entries, list) else []:
        flavors = entry.get("flavors") if isinstance(entry, dict) else None
        if isinstance(flavors, dict):
            for name in flavors:
                if name != "python_function":
                    return str(name)
    return ""


def _typed_param(value: str) -> Any:
    """A param as YAML would best show it: a number stays a number when YAML writes
    it back as the very same text; everything else stays the exact string."""
    try:
        loaded = yaml.load(value, Loader=_YAML_LOADER)
    except yaml.YAMLError:
        return value
    if (
        isinstance(loaded, (int, float))
        and not isinstance(loaded, bool)
        and yaml.safe_dump(loaded, default_flow_style=True).split("\n", 1)[0] == value
    ):
        return loaded
    return value


def _nestable(parts: list[str]) -> bool:
    return len(parts) > 1 and all(
        part and part == part.strip() and not any(c in part for c in '[]"') for part in parts
    )


def nest_dotted(flat: dict[str, Any]) -> dict[str, Any]:
    """`{"optimizer.name": "adam"}` -> `{"optimizer": {"name": "adam"}}`, so that a
    flattened view shows the key as it was logged. A key that would collide (`a`
    next to `a.b`, or an odd segment) stays whole at the top."""
    paths = {key: key.split(".") for key in flat}
    nested_keys = {key for key, parts in paths.items() if _nestable(parts)}
    leaves = {tuple(paths[k]) if k in nested_keys else (k,) for k in flat}
    for key in list(nested_keys):
        parts = paths[key]
        if any(tuple(parts[:i]) in leaves for i in range(1, len(parts))):
            nested_keys.discard(key)
    out: dict[str, Any] = {}
    for key in sorted(flat):
        if key not in nested_keys:
            out[key] = flat[key]
            continue
        node = out
        *branches, leaf = paths[key]
        for part in branches:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a whole key equal to this branch: keep flat
                out[key] = flat[key]
                break
            node = child
        else:
            node[leaf] = flat[key]
    return out


def params_config(params: dict[str, str]) -> Config | None:
    """Params as YAML; dotted keys (`optimizer.lr`) become nested mappings, so the
    Network tab lines them up under their logged names."""
    if not params:
        return None
    typed = {key: _typed_param(params[key]) for key in params}
    text = yaml.safe_dump(
        nest_dotted(typed), sort_keys=True, allow_unicode=True, default_flow_style=False, width=1_000_000
    )
    return Config(format="yaml", text=text)


def _artifact_ref(version: VersionData | None, logged: LoggedModelData | None) -> ArtifactRef | None:
    if logged is not None:
        return ArtifactRef("logged", logged.model_id)
    if version is None:
        return None
    if version.model_id:
        return ArtifactRef("logged", version.model_id)
    source = version.source
    if source.startswith("models:/m-"):
        return ArtifactRef("logged", source[len("models:/") :].strip("/"))
    if source.startswith("runs:/"):
        body = source[len("runs:/") :].strip("/")
        run_id, _, path = body.partition("/")
        if run_id:
            return ArtifactRef("run", run_id, path)
    return None
