"""The model-file document `{"format", "models"}` and its models (PRODUCT.md
§2 and §5): every field of one model checked, the whole document parsed all
or nothing.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import yaml

from ..gc_pause import gc_paused
from ..model import (
    CONFIG_FORMATS,
    PLOT_KINDS,
    STATUSES,
    Config,
    MetadataItem,
    Model,
    ModelRecord,
    Plot,
    ScalarSeries,
    format_float,
)
from ..plotly_convert import PlotlyConversionError, plotly_to_plot_data
from .plot_data import _plot_data, _string_list
from .points import _points
from .values import (
    _INT64_MAX,
    _INT64_MIN,
    ModelFileError,
    _epoch,
    _fail,
    _identifier,
    _integer,
    _Invalid,
    _iso_utc,
    _key,
    _kind_of,
    _not,
    _number,
    _object,
    _parse_time,
    _show,
    _string,
    _text,
    _text_key,
)

FORMAT = "modelcompare/v1"

_LIST_ITEM_CONTROL = re.compile("[\x00-\x1f\x7f]")
_TOP_FIELDS = ("format", "models")
_MODEL_FIELDS = (
    "id", "name", "project", "framework", "status", "tags", "user", "created", "updated",
    "comment", "uri", "task", "task_id", "task_name", "parent", "children", "labels",
    "metadata", "config", "scalars", "single_values", "plots",
)
_SERIES_FIELDS = ("metric", "variant", "points")
_PLOT_FIELDS = ("metric", "variant", "iteration", "kind", "data", "timestamp")
# Plot kinds that share a data shape: a plotly figure converted to one may be
# declared as the other (a confusion matrix is a heatmap to plotly).
_KIND_GROUPS = ({"line", "scatter"}, {"heatmap", "confusion_matrix"})


def _tags(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    tags = _string_list(value, where, "a list of tags")
    for i, tag in enumerate(tags):
        bad = _LIST_ITEM_CONTROL.search(tag)
        if bad is not None:
            # the store keeps tags in one column, separated by \x1f: such a tag would come back split
            _fail(f"{where}[{i}]", f"a tag must not contain control characters ({_show(tag)} has "
                  f"{bad.group()!r} at character {bad.start() + 1})")
    return tags


def _labels(value: Any, where: str) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(where, _not("an object mapping label names to integer ids", value))
    labels = {}
    for name, label_id in value.items():
        if not name:
            _fail(where, "label names must not be empty")
        _text_key(name, where)
        labels[name] = _integer(label_id, _key(where, name), "label id")
    return labels


def _metadata_item(key: str, type_name: Any, value: Any, where: str) -> MetadataItem:
    """Values are text in the data model; a JSON value gives its type when none is named."""
    if type_name is not None and not isinstance(type_name, str):
        _fail(_key(where, "type"), _not("a string", type_name))
    if type_name is not None:
        _text(type_name, _key(where, "type"))
    if isinstance(value, str):
        inferred, text = "str", value
    elif isinstance(value, bool):
        inferred, text = "bool", "true" if value else "false"
    elif isinstance(value, int):
        inferred, text = "int", str(value)
    elif isinstance(value, float):
        inferred, text = "float", format_float(value)
    elif value is None:
        inferred, text = "str", ""
    else:
        inferred, text = "json", json.dumps(value, ensure_ascii=False, sort_keys=True)
    _text(text, _key(where, "value"))
    return MetadataItem(key=key, type=type_name if type_name is not None else inferred, value=text)


def _metadata(value: Any, where: str) -> list[MetadataItem]:
    if value is None:
        return []
    items: list[MetadataItem] = []
    if isinstance(value, dict):  # the {key: value} shorthand
        for key, item_value in _object(value, where, tuple(value)).items():
            if not key:
                _fail(where, "metadata keys must not be empty")
            _text_key(key, where)
            items.append(_metadata_item(key, None, item_value, _key(where, key)))
        return items
    if not isinstance(value, list):
        _fail(where, _not("a list of {key, type, value}", value))
    first_at: dict[str, int] = {}
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        item = _object(item, w, ("key", "type", "value"), ("key",))
        key = _string(item, "key", w, non_empty=True)
        if key in first_at:
            _fail(_key(w, "key"), f"duplicate metadata key {key!r} (also {where}[{first_at[key]}])")
        first_at[key] = i
        items.append(_metadata_item(key, item.get("type"), item.get("value"), w))
    return items


class _AnyTagLoader(yaml.SafeLoader):
    """Safe YAML that reads unknown tags (`!!python/object`, `!Ref`) as plain data:
    we check that the text is YAML, we never build objects from it."""


def _construct_any(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_AnyTagLoader.add_multi_constructor("", _construct_any)


def _config(value: Any, where: str) -> Config | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Config(format="text", text=_text(value, where))
    if not isinstance(value, dict):
        _fail(where, _not("an object {format, text}, a configuration object or text", value))
    if "text" not in value or not set(value) <= {"format", "text"}:
        # a configuration given as JSON data: keep it as JSON text
        text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=True)
        return Config(format="json", text=_text(text, where))
    _object(value, where, ("format", "text"))
    fmt = _string(value, "format", where, default="text")
    if fmt not in CONFIG_FORMATS:
        _fail(_key(where, "format"), f"format must be one of {', '.join(CONFIG_FORMATS)} (got {fmt!r})")
    text = _string(value, "text", where)
    if fmt == "json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            _fail(_key(where, "text"), f"text is not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})")
    elif fmt == "yaml":
        try:
            yaml.load(text, Loader=_AnyTagLoader)  # noqa: S506 - the loader is a SafeLoader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" (line {mark.line + 1} column {mark.column + 1})" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            _fail(_key(where, "text"), f"text is not valid YAML: {problem}{at}")
    return Config(format=fmt, text=text)


def _task(obj: dict[str, Any], where: str) -> tuple[str, str]:
    task = obj.get("task")
    if task is not None and ("task_id" in obj or "task_name" in obj):
        _fail(where, "give either 'task' or 'task_id'/'task_name', not both")
    if task is None:
        return _string(obj, "task_id", where), _string(obj, "task_name", where)
    if isinstance(task, str):
        return task, ""
    task = _object(task, _key(where, "task"), ("id", "name"))
    return _string(task, "id", _key(where, "task")), _string(task, "name", _key(where, "task"))


def _scalars(value: Any, where: str) -> list[ScalarSeries]:
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(where, _not("a list of {metric, variant, points}", value))
    first_at: dict[tuple[str, str], int] = {}
    out = []
    for i, item in enumerate(value):
        w = f"{where}[{i}]"
        item = _object(item, w, _SERIES_FIELDS, ("metric", "points"))
        metric = _string(item, "metric", w, non_empty=True)
        variant = _string(item, "variant", w, default=metric)
        if (metric, variant) in first_at:
            _fail(w, f"duplicate series {metric}/{variant} (also {where}[{first_at[metric, variant]}])")
        first_at[metric, variant] = i
        iterations, values, timestamps = _points(item["points"], _key(w, "points"))
        out.append(ScalarSeries(metric, variant, iterations, values, timestamps))
    return out


def _single_values(value: Any, where: str) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(where, _not("an object mapping names to numbers", value))
    out = {}
    for name, number in value.items():
        if not name:
            _fail(where, "single value names must not be empty")
        _text_key(name, where)
        out[name] = _number(number, _key(where, name), "value")
    return out


def _plot(item: Any, where: str) -> Plot:
    item = _object(item, where, _PLOT_FIELDS, ("metric", "data"))
    metric = _string(item, "metric", where, non_empty=True)
    variant = _string(item, "variant", where, default=metric)
    iteration = _integer(item["iteration"], _key(where, "iteration")) if item.get("iteration") is not None else 0
    if not _INT64_MIN <= iteration <= _INT64_MAX:
        _fail(_key(where, "iteration"), f"iteration is out of range ({_show(iteration)}): it must fit int64")
    timestamp = (_epoch(item["timestamp"], _key(where, "timestamp"), "timestamp")
                 if item.get("timestamp") is not None else None)
    kind = _string(item, "kind", where) or None
    if kind is not None and kind not in PLOT_KINDS:
        _fail(_key(where, "kind"), f"kind must be one of {', '.join(PLOT_KINDS)} (got {kind!r})")
    data = item["data"]
    data_where = _key(where, "data")
    if isinstance(data, dict) and "plotly" in data:
        _object(data, data_where, ("plotly",))
        try:
            converted_kind, data = plotly_to_plot_data(data["plotly"])
        except PlotlyConversionError as exc:
            base = _key(data_where, "plotly")
            _fail(f"{base}.{exc.where}" if exc.where else base, exc.why)
        if kind is None:
            kind = converted_kind
        elif kind != converted_kind and not any({kind, converted_kind} <= g for g in _KIND_GROUPS):
            _fail(_key(where, "kind"), f"kind {kind!r} does not fit the plotly figure (a {converted_kind} plot)")
        data_where = _key(data_where, "plotly")
    elif kind is None:
        _fail(where, "missing field 'kind'")
    return Plot(metric, variant, iteration, kind, _plot_data(kind, data, data_where), timestamp)


def _plots(value: Any, where: str) -> list[Plot]:
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(where, _not("a list of {metric, variant, iteration, kind, data}", value))
    first_at: dict[tuple[str, str, int], int] = {}
    out = []
    for i, item in enumerate(value):
        plot = _plot(item, f"{where}[{i}]")
        key = (plot.metric, plot.variant, plot.iteration)
        if key in first_at:
            _fail(f"{where}[{i}]", f"duplicate plot {plot.metric}/{plot.variant} at iteration "
                  f"{plot.iteration} (also {where}[{first_at[key]}])")
        first_at[key] = i
        out.append(plot)
    return out


def _model_record(obj: Any, where: str, now: datetime) -> ModelRecord:
    obj = _object(obj, where, _MODEL_FIELDS, ("name",))
    model_id = _identifier(obj["id"], _key(where, "id")) if obj.get("id") is not None else uuid.uuid4().hex
    status = _string(obj, "status", where, default="draft")
    if status not in STATUSES:
        _fail(_key(where, "status"), f"status must be draft or published (got {_show(status)})")
    created_raw, updated_raw = obj.get("created"), obj.get("updated")
    created = _parse_time(created_raw, _key(where, "created"), "created") if created_raw not in (None, "") else None
    updated = _parse_time(updated_raw, _key(where, "updated"), "updated") if updated_raw not in (None, "") else None
    created = created or updated or now
    updated = updated or created
    parent = _identifier(obj["parent"], _key(where, "parent")) if obj.get("parent") not in (None, "") else ""
    if parent and parent == model_id:
        _fail(_key(where, "parent"), "a model cannot be its own parent")
    task_id, task_name = _task(obj, where)
    model = Model(
        id=model_id,
        name=_string(obj, "name", where, non_empty=True),
        project=_string(obj, "project", where),
        framework=_string(obj, "framework", where),
        status=status,
        tags=_tags(obj.get("tags"), _key(where, "tags")),
        user=_string(obj, "user", where),
        created=_iso_utc(created),
        updated=_iso_utc(updated),
        comment=_string(obj, "comment", where),
        uri=_string(obj, "uri", where),
        task_id=task_id,
        task_name=task_name,
        parent=parent,
        labels=_labels(obj.get("labels"), _key(where, "labels")),
        metadata=_metadata(obj.get("metadata"), _key(where, "metadata")),
        config=_config(obj.get("config"), _key(where, "config")),
    )
    return ModelRecord(
        model=model,
        scalars=_scalars(obj.get("scalars"), _key(where, "scalars")),
        single_values=_single_values(obj.get("single_values"), _key(where, "single_values")),
        plots=_plots(obj.get("plots"), _key(where, "plots")),
    )


# -- the document ------------------------------------------------------------


def parse_model_document(doc: Any, filename: str) -> list[ModelRecord]:
    """Validate a decoded model file; raises ModelFileError naming the first problem."""
    with gc_paused():
        return _parse_document(doc, filename)


def _parse_document(doc: Any, filename: str) -> list[ModelRecord]:
    try:
        if not isinstance(doc, dict):
            _fail("", f"the document must be an object {{format, models}}, not {_kind_of(doc)}")
        top = _object(doc, "", _TOP_FIELDS, _TOP_FIELDS)
        if top["format"] != FORMAT:
            _fail("format", f"must be {FORMAT!r} (got {_show(top['format'])})")
        models = top["models"]
        if not isinstance(models, list):
            _fail("models", _not("a list of models", models))
        now = datetime.now(UTC).replace(microsecond=0)
        records: list[ModelRecord] = []
        first_at: dict[str, int] = {}
        for i, obj in enumerate(models):
            record = _model_record(obj, f"models[{i}]", now)
            model_id = record.model.id
            if model_id in first_at:
                _fail(f"models[{i}].id", f"duplicate id {model_id!r} (also models[{first_at[model_id]}])")
            first_at[model_id] = i
            records.append(record)
        return records
    except _Invalid as exc:
        raise ModelFileError(filename, exc.where, exc.why) from None
    except RecursionError:
        raise ModelFileError(filename, "", "nested too deeply") from None
