"""The model file format (PRODUCT.md §5): parsing, validation messages, plotly
conversion, export and the parse(export(records)) == records round trip."""

from __future__ import annotations

import base64
import calendar
import json
import math
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from modelcompare_tui.core import modelfile
from modelcompare_tui.core.model import Config, MetadataItem, Model, ModelRecord, Plot, ScalarSeries
from modelcompare_tui.core.modelfile import (
    FORMAT,
    ModelFileError,
    check_plot_data,
    decode_model_json,
    dumps_document,
    export_document,
    load_model_file,
    parse_model_document,
    write_model_file,
)
from modelcompare_tui.core.plotly_convert import PlotlyConversionError, plotly_to_plot_data


def document(*models: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "models": list(models)}


def one(**fields: Any) -> dict[str, Any]:
    """A document with one model named "m" plus `fields`."""
    return document({"name": "m", **fields})


def parse_one(**fields: Any) -> ModelRecord:
    (record,) = parse_model_document(one(**fields), "f.json")
    return record


def series(points: list[Any], **fields: Any) -> list[dict[str, Any]]:
    return [{"metric": "loss", "variant": "train", "points": points, **fields}]


def plot(kind: str | None, data: Any, **fields: Any) -> list[dict[str, Any]]:
    entry = {"metric": "p", "variant": "v", "iteration": 3, "data": data, **fields}
    if kind is not None:
        entry["kind"] = kind
    return [entry]


# -- parsing valid documents ---------------------------------------------------


def test_full_model_is_read_field_by_field() -> None:
    record = parse_one(
        id="abc123",
        project="vision",
        framework="PyTorch",
        status="published",
        tags=["best", "v2"],
        user="ana",
        created="2024-03-01T10:00:00+02:00",
        updated="2024-03-02T09:30:15Z",
        comment="fine-tuned",
        uri="s3://bucket/m.pt",
        task={"id": "t1", "name": "train resnet"},
        parent="base0",
        labels={"cat": 1, "dog": 2},
        metadata=[{"key": "epochs", "type": "int", "value": "90"}],
        config={"format": "yaml", "text": "lr: 0.1\nlayers: [1, 2]\n"},
        single_values={"accuracy": 0.93, "params": 11_000_000},
    )
    assert record.model == Model(
        id="abc123", name="m", project="vision", framework="PyTorch", status="published",
        tags=["best", "v2"], user="ana", created="2024-03-01T08:00:00Z", updated="2024-03-02T09:30:15Z",
        comment="fine-tuned", uri="s3://bucket/m.pt", task_id="t1", task_name="train resnet",
        parent="base0", labels={"cat": 1, "dog": 2},
        metadata=[MetadataItem("epochs", "int", "90")], config=Config("yaml", "lr: 0.1\nlayers: [1, 2]\n"),
    )
    assert record.single_values == {"accuracy": 0.93, "params": 11_000_000.0}


def test_defaults_of_a_minimal_model() -> None:
    before = time.time()
    record = parse_one()
    model = record.model
    assert len(model.id) == 32 and int(model.id, 16) >= 0  # a fresh uuid4 hex
    assert (model.status, model.tags, model.labels, model.metadata, model.config) == ("draft", [], {}, [], None)
    assert model.created == model.updated
    stamp = calendar.timegm(time.strptime(model.created, "%Y-%m-%dT%H:%M:%SZ"))
    assert before - 2 <= stamp <= time.time() + 2
    assert (record.scalars, record.single_values, record.plots) == ([], {}, [])


def test_two_models_without_ids_get_different_ids() -> None:
    records = parse_model_document(document({"name": "a"}, {"name": "b"}), "f")
    assert records[0].model.id != records[1].model.id


@pytest.mark.parametrize(
    ("created", "updated", "expected"),
    [
        ("2024-03-01T10:00:00", None, ("2024-03-01T10:00:00Z", "2024-03-01T10:00:00Z")),  # naive = UTC
        ("2024-03-01", None, ("2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z")),
        ("2024-03-01T10:00:00.987654-05:30", None, ("2024-03-01T15:30:00Z", "2024-03-01T15:30:00Z")),
        (None, "2024-03-05T00:00:00Z", ("2024-03-05T00:00:00Z", "2024-03-05T00:00:00Z")),
        (1_700_000_000, "2023-11-15 00:00:00+00:00", ("2023-11-14T22:13:20Z", "2023-11-15T00:00:00Z")),
    ],
)
def test_dates_are_normalised_to_utc(created: Any, updated: Any, expected: tuple[str, str]) -> None:
    fields = {k: v for k, v in (("created", created), ("updated", updated)) if v is not None}
    model = parse_one(**fields).model
    assert (model.created, model.updated) == expected


def test_task_fields_and_shorthands() -> None:
    assert parse_one(task_id="t9", task_name="run").model.task_id == "t9"
    assert parse_one(task_id="t9", task_name="run").model.task_name == "run"
    assert (parse_one(task="t7").model.task_id, parse_one(task="t7").model.task_name) == ("t7", "")


def test_config_shapes() -> None:
    assert parse_one(config={"lr": 0.1, "layers": [64, 64]}).model.config == Config(
        "json", '{\n  "lr": 0.1,\n  "layers": [\n    64,\n    64\n  ]\n}'
    )
    assert parse_one(config="free text").model.config == Config("text", "free text")
    assert parse_one(config={"format": "json", "text": "[1, 2]"}).model.config == Config("json", "[1, 2]")
    # YAML with tags we do not know is still YAML
    assert parse_one(config={"format": "yaml", "text": "a: !Ref b\n"}).model.config == Config("yaml", "a: !Ref b\n")


def test_metadata_values_and_mapping_shorthand() -> None:
    items = parse_one(metadata={"epochs": 90, "lr": 0.5, "ok": True, "arch": "resnet", "ids": [1, 2]}).model.metadata
    assert items == [
        MetadataItem("epochs", "int", "90"), MetadataItem("lr", "float", "0.5"), MetadataItem("ok", "bool", "true"),
        MetadataItem("arch", "str", "resnet"), MetadataItem("ids", "json", "[1, 2]"),
    ]
    assert parse_one(metadata=[{"key": "k", "value": 3}]).model.metadata == [MetadataItem("k", "int", "3")]


def test_points_every_spelling() -> None:
    points = [
        [0, 1.5, 1_700_000_000],
        [1.0, "nan", "2023-11-14T22:13:21Z"],  # integral float iteration, ISO timestamp
        [2, "-inf", None],
        [2, "inf"],  # a repeated iteration and no timestamp: both kept, in file order
        [3, float("nan"), "nan"],  # Python's bare NaN
        [4, 7, 1_700_000_004.25],
    ]
    (s,) = parse_one(scalars=series(points)).scalars
    assert s.iterations.dtype == np.int64 and s.values.dtype == np.float64 and s.timestamps.dtype == np.float64
    assert s.iterations.tolist() == [0, 1, 2, 2, 3, 4]
    np.testing.assert_array_equal(s.values, [1.5, np.nan, -np.inf, np.inf, np.nan, 7.0])
    np.testing.assert_array_equal(s.timestamps, [1.7e9, 1.7e9 + 1, np.nan, np.nan, np.nan, 1_700_000_004.25])


def test_fast_path_keeps_large_integer_iterations_exact() -> None:
    big = 2**62 + 1  # not representable as float64
    (s,) = parse_one(scalars=series([[big, 1.0], [big + 2, 2.0]])).scalars
    assert s.iterations.tolist() == [big, big + 2]


def test_variant_defaults_to_metric_and_empty_series_is_allowed() -> None:
    (s,) = parse_one(scalars=[{"metric": "acc", "points": []}]).scalars
    assert (s.metric, s.variant, len(s)) == ("acc", "acc", 0)


# -- validation errors: every message names the exact place ---------------------

BAD_DOCUMENTS = [
    ("not an object", [1], "f.json: the document must be an object {format, models}, not a list"),
    ("no format", {"models": []}, "f.json: missing field 'format'"),
    ("wrong format", {"format": "modelcompare/v2", "models": []},
     "f.json: format: must be 'modelcompare/v1' (got 'modelcompare/v2')"),
    ("unknown top field", {**document(), "extra": 1}, "f.json: unknown field 'extra'"),
    ("models not a list", {"format": FORMAT, "models": {}}, "f.json: models: must be a list of models, not an object"),
    ("model not an object", document("m"), "f.json: models[0]: must be an object, not a string ('m')"),
    ("missing name", document({"name": "a"}, {"id": "x"}), "f.json: models[1]: missing field 'name'"),
    ("empty name", one(name="  "), "f.json: models[0].name: must not be empty"),
    ("name not text", one(name=3), "f.json: models[0].name: must be a string, not a number (3)"),
    ("typo field", one(scalar=[]), "f.json: models[0]: unknown field 'scalar' (did you mean 'scalars'?)"),
    ("bad status", one(status="ready"), "f.json: models[0].status: status must be draft or published (got 'ready')"),
    ("id with space", one(id="a b"), "f.json: models[0].id: must not contain spaces or control characters ('a b')"),
    ("id number", one(id=7), "f.json: models[0].id: must be a string, not a number (7)"),
    ("duplicate ids", document({"name": "a", "id": "x"}, {"name": "b"}, {"name": "c", "id": "x"}),
     "f.json: models[2].id: duplicate id 'x' (also models[0])"),
    ("own parent", one(id="x", parent="x"), "f.json: models[0].parent: a model cannot be its own parent"),
    ("tags not list", one(tags="a"), "f.json: models[0].tags: must be a list of tags, not a string ('a')"),
    ("tag not text", one(tags=["a", 2]), "f.json: models[0].tags[1]: must be a string, not a number (2)"),
    ("bad created", one(created="yesterday"),
     "f.json: models[0].created: created is not an ISO-8601 date-time ('yesterday')"),
    ("created in ms", one(created=1_700_000_000_000),
     "f.json: models[0].created: created must be epoch seconds between 0 and 1e11 (1700000000000)"),
    ("task twice", one(task={"id": "a"}, task_id="b"),
     "f.json: models[0]: give either 'task' or 'task_id'/'task_name', not both"),
    ("task unknown field", one(task={"id": "a", "title": "x"}), "f.json: models[0].task: unknown field 'title'"),
    ("label not int", one(labels={"cat": 1, "dog": "2"}),
     "f.json: models[0].labels.dog: label id must be an integer, not a string ('2')"),
    ("label odd key", one(labels={"big cat": 1.5}),
     "f.json: models[0].labels[\"big cat\"]: label id must be an integer, not 1.5"),
    ("metadata no key", one(metadata=[{"key": "a"}, {"value": "x"}]), "f.json: models[0].metadata[1]: missing field 'key'"),
    ("metadata dup key", one(metadata=[{"key": "a"}, {"key": "a"}]),
     "f.json: models[0].metadata[1].key: duplicate metadata key 'a' (also models[0].metadata[0])"),
    ("config format", one(config={"format": "toml", "text": "a = 1"}),
     "f.json: models[0].config.format: format must be one of json, yaml, text (got 'toml')"),
    ("config bad json", one(config={"format": "json", "text": "{\"a\": }"}),
     "f.json: models[0].config.text: text is not valid JSON: Expecting value (line 1 column 7)"),
    ("config bad yaml", one(config={"format": "yaml", "text": "a: [1, 2\nb: 3\n"}),
     "f.json: models[0].config.text: text is not valid YAML: expected ',' or ']', but got ':' (line 2 column 2)"),
    ("scalars not list", one(scalars={}),
     "f.json: models[0].scalars: must be a list of {metric, variant, points}, not an object"),
    ("series no metric", one(scalars=[{"points": []}]), "f.json: models[0].scalars[0]: missing field 'metric'"),
    ("series dup", one(scalars=series([]) + series([])),
     "f.json: models[0].scalars[1]: duplicate series loss/train (also models[0].scalars[0])"),
    ("points not list", one(scalars=series("1,2")),
     "f.json: models[0].scalars[0].points: must be a list of [iteration, value, timestamp?] points, not a string ('1,2')"),
    ("point not list", one(scalars=series([[0, 1], 5])),
     "f.json: models[0].scalars[0].points[1]: must be a list [iteration, value] or [iteration, value, timestamp], "
     "not a number (5)"),
    ("point too long", one(scalars=series([[0, 1], [1, 2], [2, 3, 4, 5]])),
     "f.json: models[0].scalars[0].points[2]: a point has 2 or 3 items (iteration, value, timestamp?), not 4"),
    ("value text", one(scalars=series([[i, 0.5] for i in range(7)] + [[7, "abc"]])),
     "f.json: models[0].scalars[0].points[7]: value is not a number ('abc')"),
    ("value numeric text", one(scalars=series([[0, 0.5], [1, "1.5"]])),
     "f.json: models[0].scalars[0].points[1]: value is not a number ('1.5')"),
    ("value bool", one(scalars=series([[0, 0.5], [1, True]])),
     "f.json: models[0].scalars[0].points[1]: value is not a number (true)"),
    ("value null", one(scalars=series([[0, None]])), "f.json: models[0].scalars[0].points[0]: value is not a number (null)"),
    ("value too big", one(scalars=series([[0, 1], [1, 10**400]])),
     f"f.json: models[0].scalars[0].points[1]: value is out of range ({'1' + '0' * 36}...)"),
    ("iteration fraction", one(scalars=series([[0, 1], [1.5, 2]])),
     "f.json: models[0].scalars[0].points[1]: iteration must be an integer, not 1.5"),
    ("iteration text", one(scalars=series([[0, 1], ["1", 2]])),
     "f.json: models[0].scalars[0].points[1]: iteration must be an integer, not a string ('1')"),
    ("iteration bool", one(scalars=series([[False, 1]])),
     "f.json: models[0].scalars[0].points[0]: iteration must be an integer, not a boolean (false)"),
    ("iteration huge", one(scalars=series([[0, 1], [2**64, 2]])),
     "f.json: models[0].scalars[0].points[1]: iteration is out of range (18446744073709551616)"),
    ("iteration huge mixed", one(scalars=series([[0.0, 1], [2**64, 2]])),
     "f.json: models[0].scalars[0].points[1]: iteration is out of range (18446744073709551616)"),
    ("timestamp ms", one(scalars=series([[0, 1, 1.7e9], [1, 1, 1.7e12]])),
     "f.json: models[0].scalars[0].points[1]: timestamp 1700000000000 is too large for epoch seconds (milliseconds?)"),
    ("timestamp negative", one(scalars=series([[0, 1, -5]])),
     "f.json: models[0].scalars[0].points[0]: timestamp must be epoch seconds between 0 and 1e11 (-5)"),
    ("timestamp inf", one(scalars=series([[0, 1, "inf"]])),
     "f.json: models[0].scalars[0].points[0]: timestamp must be epoch seconds between 0 and 1e11 ('inf')"),
    ("timestamp text", one(scalars=series([[0, 1], [1, 1, "noon"]])),
     "f.json: models[0].scalars[0].points[1]: timestamp is not an ISO-8601 date-time ('noon')"),
    ("timestamp bool", one(scalars=series([[0, 1, True]])),
     "f.json: models[0].scalars[0].points[0]: timestamp is not a number (true)"),
    ("single value text", one(single_values={"val/acc": "high"}),
     "f.json: models[0].single_values[\"val/acc\"]: value is not a number ('high')"),
    ("plots not list", one(plots={}),
     "f.json: models[0].plots: must be a list of {metric, variant, iteration, kind, data}, not an object"),
    ("plot no kind", one(plots=plot(None, {"text": "x"})), "f.json: models[0].plots[0]: missing field 'kind'"),
    ("plot bad kind", one(plots=plot("pie", {})),
     "f.json: models[0].plots[0].kind: kind must be one of line, scatter, bar, box, histogram, table, heatmap, "
     "confusion_matrix, text (got 'pie')"),
    ("plot dup", one(plots=plot("text", {"text": "a"}) + plot("text", {"text": "b"})),
     "f.json: models[0].plots[1]: duplicate plot p/v at iteration 3 (also models[0].plots[0])"),
    ("plot iteration", one(plots=plot("text", {"text": "a"}, iteration="last")),
     "f.json: models[0].plots[0].iteration: must be an integer, not a string ('last')"),
    ("line y text", one(plots=plot("line", {"series": [{"name": "a", "x": [0, 1], "y": [1, "x"]}]})),
     "f.json: models[0].plots[0].data.series[0].y[1]: not a number ('x')"),
    ("line lengths", one(plots=plot("line", {"series": [{"name": "a", "x": [0, 1], "y": [1]}]})),
     "f.json: models[0].plots[0].data.series[0]: x has 2 values but y has 1"),
    ("line no series", one(plots=plot("scatter", {"series": []})),
     "f.json: models[0].plots[0].data.series: must hold at least one series"),
    ("series no name", one(plots=plot("box", {"series": [{"values": [1]}]})),
     "f.json: models[0].plots[0].data.series[0]: missing field 'name'"),
    ("bar lengths", one(plots=plot("bar", {"categories": ["a", "b"], "series": [{"name": "s", "values": [1]}]})),
     "f.json: models[0].plots[0].data.series[0].values: has 1 values for 2 categories"),
    ("bar category", one(plots=plot("bar", {"categories": ["a", 2], "series": [{"name": "s", "values": [1, 2]}]})),
     "f.json: models[0].plots[0].data.categories[1]: must be a string, not a number (2)"),
    ("histogram bins", one(plots=plot("histogram", {"series": [{"name": "s", "values": [1]}], "bins": 0})),
     "f.json: models[0].plots[0].data.bins: must be a positive integer, not 0"),
    ("heatmap ragged", one(plots=plot("heatmap", {"matrix": [[1, 2], [3]]})),
     "f.json: models[0].plots[0].data.matrix[1]: row has 1 values but row 0 has 2"),
    ("heatmap labels", one(plots=plot("confusion_matrix", {"matrix": [[1, 2]], "x_labels": ["a"]})),
     "f.json: models[0].plots[0].data.x_labels: has 1 labels for 2 columns"),
    ("table row", one(plots=plot("table", {"columns": ["a", "b"], "rows": [["x", 1], ["y"]]})),
     "f.json: models[0].plots[0].data.rows[1]: row has 1 cells for 2 columns"),
    ("table cell", one(plots=plot("table", {"columns": ["a"], "rows": [[{"b": 1}]]})),
     "f.json: models[0].plots[0].data.rows[0][0]: must be text, a number, a boolean or null, not an object"),
    ("text unknown", one(plots=plot("text", {"text": "a", "html": "b"})),
     "f.json: models[0].plots[0].data: unknown field 'html'"),
    ("plotly unsupported", one(plots=plot(None, {"plotly": {"data": [{"type": "pie", "values": [1]}]}})),
     "f.json: models[0].plots[0].data.plotly.data[0].type: plotly trace type 'pie' is not supported "
     "(supported: scatter, scattergl, bar, box, histogram, heatmap, table)"),
    ("plotly bad y", one(plots=plot(None, {"plotly": {"data": [{"type": "scatter", "y": [1, "a"]}]}})),
     "f.json: models[0].plots[0].data.plotly.data[0].y[1]: not a number ('a')"),
    ("plotly kind clash", one(plots=plot("bar", {"plotly": {"data": [{"y": [1, 2]}]}})),
     "f.json: models[0].plots[0].kind: kind 'bar' does not fit the plotly figure (a line plot)"),
    ("plotly extra field", one(plots=plot(None, {"plotly": {"data": []}, "kind": "x"})),
     "f.json: models[0].plots[0].data: unknown field 'kind'"),
]


@pytest.mark.parametrize(("doc", "message"), [pytest.param(d, m, id=i) for i, d, m in BAD_DOCUMENTS])
def test_invalid_documents_name_the_exact_place(doc: Any, message: str) -> None:
    with pytest.raises(ModelFileError) as caught:
        parse_model_document(doc, "f.json")
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)
    assert "\n" not in message


def test_error_carries_its_parts() -> None:
    with pytest.raises(ModelFileError) as caught:
        parse_model_document(one(status="x"), "/data/m.json")
    error = caught.value
    assert (error.filename, error.where) == ("/data/m.json", "models[0].status")
    assert error.why == "status must be draft or published (got 'x')"


def test_file_level_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(ModelFileError, match=r"nope\.json: cannot read: No such file or directory$"):
        load_model_file(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "modelcompare/v1",\n "models": [}\n')
    with pytest.raises(ModelFileError) as caught:
        load_model_file(broken)
    assert str(caught.value) == f"{broken}: invalid JSON at line 2 column 13: Expecting value"
    twice = tmp_path / "twice.json"
    twice.write_text('{"format": "modelcompare/v1", "models": [{"name": "a", "tags": [], "name": "b"}]}')
    with pytest.raises(ModelFileError) as caught:
        load_model_file(twice)
    assert str(caught.value) == f"{twice}: models[0].name: field given twice"
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"format": "modelcompare/v1", "models": [{"name": "caf\xe9"}]}')
    with pytest.raises(ModelFileError, match="not UTF-8 text"):
        load_model_file(latin)


def test_load_reads_bare_nan_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_bytes(
        b'\xef\xbb\xbf{"format": "modelcompare/v1", "models": [{"name": "a", '
        b'"scalars": [{"metric": "l", "points": [[0, NaN], [1, Infinity], [2, -Infinity]]}]}]}'
    )
    (record,) = load_model_file(path)
    np.testing.assert_array_equal(record.scalars[0].values, [np.nan, np.inf, -np.inf])


# -- plot data and plotly conversion ---------------------------------------------


def test_plot_data_is_canonical() -> None:
    (p,) = parse_one(plots=plot("line", {"series": [{"name": "a", "x": [0, 1, 2], "y": [1, "nan", NAN_FROM_JSON]}]},
                                timestamp="2024-01-01T00:00:00Z")).plots
    assert p == Plot("p", "v", 3, "line", {"series": [{"name": "a", "x": [0, 1, 2], "y": [1, math.nan, math.nan]}],
                                           "x_label": "", "y_label": ""}, 1_704_067_200.0)
    assert p.data["series"][0]["y"][1] is math.nan  # one NaN object: records compare equal
    assert check_plot_data("histogram", {"series": [{"name": "h", "values": [1, 2]}]}) == {
        "series": [{"name": "h", "values": [1, 2]}], "bins": None, "x_label": "", "y_label": ""}
    assert check_plot_data("heatmap", {"matrix": [[1, 2]]})["x_labels"] == ["0", "1"]
    assert check_plot_data("table", {"columns": ["a"], "rows": [[float("inf")], [None]]})["rows"] == [["inf"], [None]]
    with pytest.raises(ValueError, match=r"^data\.series\[0\]\.values\[0\]: not a number \('x'\)$"):
        check_plot_data("box", {"series": [{"name": "b", "values": ["x"]}]})


NAN_FROM_JSON = json.loads("NaN")


def test_plotly_scatter_modes() -> None:
    lines = {"data": [{"type": "scatter", "mode": "lines+markers", "x": [1, 2], "y": [3, None], "name": "a"},
                      {"type": "scattergl", "mode": "markers", "y": [5, 6]}],
             "layout": {"xaxis": {"title": {"text": "epoch"}}, "yaxis": {"title": "loss"}}}
    kind, data = plotly_to_plot_data(lines)
    assert kind == "line"
    assert data["x_label"] == "epoch" and data["y_label"] == "loss"
    assert data["series"][0]["name"] == "a" and data["series"][0]["x"] == [1, 2]
    assert math.isnan(data["series"][0]["y"][1])
    assert data["series"][1] == {"name": "trace 1", "x": [0, 1], "y": [5, 6]}  # plotly's default x and name
    assert plotly_to_plot_data({"data": [{"type": "scatter", "mode": "markers", "x": [1], "y": [2]}]})[0] == "scatter"
    assert plotly_to_plot_data({"data": [{"y": [2]}]})[0] == "line"  # default type scatter, default mode has lines


def test_plotly_bar_categories_are_merged() -> None:
    fig = {"data": [{"type": "bar", "x": ["a", "b"], "y": [1, 2], "name": "s1"},
                    {"type": "bar", "orientation": "h", "y": ["b", 2020], "x": [3, 4], "name": "s2"}]}
    kind, data = plotly_to_plot_data(fig)
    assert kind == "bar"
    assert data["categories"] == ["a", "b", "2020"]
    assert data["series"][0]["values"][:2] == [1, 2] and math.isnan(data["series"][0]["values"][2])
    assert math.isnan(data["series"][1]["values"][0]) and data["series"][1]["values"][1:] == [3, 4]


def test_plotly_box_histogram_heatmap_table() -> None:
    kind, data = plotly_to_plot_data({"data": [{"type": "box", "y": [1, 2, 3], "name": "b"},
                                               {"type": "box", "x": ["u", "v", "u"], "y": [4, 5, 6]}]})
    assert kind == "box"
    assert data["series"] == [{"name": "b", "values": [1, 2, 3]}, {"name": "u", "values": [4, 6]},
                              {"name": "v", "values": [5]}]
    kind, data = plotly_to_plot_data({"data": [{"type": "histogram", "x": [1, 1, 2], "nbinsx": 10}]})
    assert (kind, data["bins"], data["series"]) == ("histogram", 10, [{"name": "trace 0", "values": [1, 1, 2]}])
    kind, data = plotly_to_plot_data({"data": [{"type": "heatmap", "z": [[1, 2], [3, 4]], "x": ["p", "q"], "y": [0, 1]}]})
    assert (kind, data["matrix"], data["x_labels"], data["y_labels"]) == ("heatmap", [[1, 2], [3, 4]], ["p", "q"], ["0", "1"])
    kind, data = plotly_to_plot_data({"data": [{"type": "table", "header": {"values": ["<b>name</b>", "score"]},
                                                "cells": {"values": [["a", "b"], [0.5]]}}]})
    assert (kind, data) == ("table", {"columns": ["name", "score"], "rows": [["a", 0.5], ["b", None]]})


def test_plotly_typed_arrays_and_json_text() -> None:
    ys = np.array([0.5, 1.5, 2.5])
    fig = {"data": [{"type": "scatter", "mode": "lines",
                     "y": {"dtype": "f8", "bdata": base64.b64encode(ys.astype("<f8").tobytes()).decode()},
                     "x": {"dtype": "i1", "bdata": base64.b64encode(bytes([0, 1, 2])).decode()}}]}
    assert plotly_to_plot_data(json.dumps(fig))[1]["series"][0] == {"name": "trace 0", "x": [0, 1, 2], "y": [0.5, 1.5, 2.5]}
    z = np.arange(6, dtype="<i4")
    heat = {"data": [{"type": "heatmap", "z": {"dtype": "i4", "bdata": base64.b64encode(z.tobytes()).decode(),
                                                 "shape": "2, 3"}}]}
    assert plotly_to_plot_data(heat)[1]["matrix"] == [[0, 1, 2], [3, 4, 5]]


@pytest.mark.parametrize(
    ("figure", "where", "why"),
    [
        ({"data": []}, "data", "the plotly figure has no traces"),
        ({"data": [{"type": "bar", "y": [1]}, {"type": "scatter", "y": [1]}]}, "data[1]",
         "a line trace in a bar figure: one plot holds one kind of trace"),
        ({"data": [{"type": "scatter", "x": [1, 2], "y": [1]}]}, "data[0].x", "has 2 values but y has 1"),
        ({"data": [{"type": "box", "q1": [1], "median": [2]}]}, "data[0].q1",
         "precomputed box statistics are not supported: give the samples"),
        ({"data": [{"type": "histogram", "x": [1], "y": [2]}]}, "data[0]",
         "a histogram with both x and y (an aggregated histogram) is not supported"),
        ({"data": [{"type": "heatmap", "z": [[1, 2], [3]]}]}, "data[0].z[1]", "row has 1 values but row 0 has 2"),
        ({"data": [{"type": "heatmap", "z": [[1]]}, {"type": "heatmap", "z": [[1]]}]}, "data[1]",
         "a heatmap figure must have exactly one trace, not 2"),
        ({"data": [{"type": "bar", "x": ["a", "a"], "y": [1, 2]}]}, "data[0].x[1]",
         "category 'a' appears twice in one trace"),
        ({"data": [{"y": {"dtype": "c16", "bdata": ""}}]}, "data[0].y", "unknown typed-array dtype 'c16'"),
        ("{nope", "", "plotly figure text is not valid JSON: Expecting property name enclosed in double quotes "
                     "(line 1 column 2)"),
    ],
)
def test_plotly_refusals(figure: Any, where: str, why: str) -> None:
    with pytest.raises(PlotlyConversionError) as caught:
        plotly_to_plot_data(figure)
    assert (caught.value.where, caught.value.why) == (where, why)


def test_plotly_in_a_model_file_may_name_a_compatible_kind() -> None:
    heat = {"plotly": {"data": [{"type": "heatmap", "z": [[5, 1], [0, 7]], "x": ["cat", "dog"], "y": ["cat", "dog"]}]}}
    (p,) = parse_one(plots=plot("confusion_matrix", heat)).plots
    assert (p.kind, p.data["matrix"], p.data["y_labels"]) == ("confusion_matrix", [[5, 1], [0, 7]], ["cat", "dog"])
    (p,) = parse_one(plots=plot(None, heat)).plots
    assert p.kind == "heatmap"


# -- export ------------------------------------------------------------------------


def sample_record() -> ModelRecord:
    return ModelRecord(
        model=Model(id="m1", name="resnet", created="2024-01-01T00:00:00Z", updated="2024-01-02T00:00:00Z",
                    task_id="t", labels={"cat": 3}, config=Config("text", "x")),
        scalars=[ScalarSeries("loss", "train", np.array([0, 5, 5], dtype=np.int64),
                              np.array([1.0, np.nan, -np.inf]), np.array([1.7e9, np.nan, 1.7e9 + 1]))],
        single_values={"acc": math.inf, "n": 3.0},
        plots=[Plot("p", "v", 2, "table", {"columns": ["a"], "rows": [["nan"], [1]]}, 1.7e9)],
    )


def test_export_spells_non_finite_values_and_keeps_integers() -> None:
    doc = export_document([sample_record()])
    text = json.dumps(doc, allow_nan=False)  # raises if a bare NaN/inf slipped through
    model = json.loads(text)["models"][0]
    assert model["scalars"][0]["points"] == [[0, 1.0, 1.7e9], [5, "nan"], [5, "-inf", 1.7e9 + 1]]
    assert isinstance(model["scalars"][0]["points"][1][0], int)
    assert model["single_values"] == {"acc": "inf", "n": 3.0}
    assert model["labels"] == {"cat": 3} and model["task"] == {"id": "t", "name": ""}
    assert parse_model_document(json.loads(dumps_document(doc)), "x") == [sample_record()]


def test_write_model_file_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "models.json"
    write_model_file([sample_record()], path)
    assert load_model_file(path) == [sample_record()]
    assert os.listdir(tmp_path) == ["models.json"]
    assert path.stat().st_mode & 0o777 == 0o644
    text = path.read_text()
    assert '"points": [[0,1.0,1700000000.0],[5,"nan"],[5,"-inf",1700000001.0]]' in text  # one line per series

    def failing_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    other = ModelRecord(model=Model(id="m2", name="other", created="2024-01-01T00:00:00Z",
                                    updated="2024-01-01T00:00:00Z"))
    with pytest.raises(OSError, match="disk full"):
        write_model_file([other], path)
    assert path.read_text() == text  # the old file is untouched
    assert os.listdir(tmp_path) == ["models.json"]  # and the temp file is gone


# -- round trip (property) -----------------------------------------------------------

_text = st.text(max_size=8)
_tag = _text.filter(lambda t: not any(c < " " or c == "\x7f" for c in t))  # tags refuse control characters
_name = st.text(min_size=1, max_size=8).filter(lambda s: s.strip() != "")
_ident = st.text("abcdef0123456789-_./:", min_size=1, max_size=12)
_stamp = st.floats(0, 1e11, exclude_max=True)
_iso = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ"))
_float = st.floats().map(lambda v: math.nan if v != v else v)
_number = st.one_of(st.integers(-(2**63), 2**63 - 1), _float)
_numbers = st.lists(_number, max_size=5)


def _config() -> st.SearchStrategy[Config | None]:
    data = st.dictionaries(st.text(min_size=1, max_size=5), st.integers(-5, 5), max_size=3)
    return st.one_of(
        st.none(),
        st.builds(Config, st.just("text"), st.text(max_size=20)),
        data.map(lambda d: Config("json", json.dumps(d))),
        data.map(lambda d: Config("yaml", yaml.safe_dump(d))),
    )


@st.composite
def _plot_data(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    labels = {"x_label": draw(_text), "y_label": draw(_text)}
    if kind in ("line", "scatter"):
        def xy(n: int) -> dict[str, Any]:
            return {"name": draw(_text), "x": draw(st.lists(_number, min_size=n, max_size=n)),
                    "y": draw(st.lists(_number, min_size=n, max_size=n))}
        return {"series": [xy(draw(st.integers(0, 4))) for _ in range(draw(st.integers(1, 3)))], **labels}
    if kind == "bar":
        categories = draw(st.lists(_text, max_size=4))
        n = len(categories)
        series = [{"name": draw(_text), "values": draw(st.lists(_number, min_size=n, max_size=n))}
                  for _ in range(draw(st.integers(1, 3)))]
        return {"categories": categories, "series": series, **labels}
    if kind in ("box", "histogram"):
        series = [{"name": draw(_text), "values": draw(_numbers)} for _ in range(draw(st.integers(1, 3)))]
        extra = {"bins": draw(st.one_of(st.none(), st.integers(1, 100)))} if kind == "histogram" else {}
        return {"series": series, **extra, **labels}
    if kind in ("heatmap", "confusion_matrix"):
        rows, cols = draw(st.integers(0, 3)), draw(st.integers(0, 3))
        matrix = [draw(st.lists(_number, min_size=cols, max_size=cols)) for _ in range(rows)]
        if rows == 0:
            cols = 0
        return {"matrix": matrix, "x_labels": draw(st.lists(_text, min_size=cols, max_size=cols)),
                "y_labels": draw(st.lists(_text, min_size=rows, max_size=rows)), **labels}
    if kind == "table":
        columns = draw(st.lists(_text, max_size=3))
        cell = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                         _text)
        rows = draw(st.lists(st.lists(cell, min_size=len(columns), max_size=len(columns)), max_size=3))
        return {"columns": columns, "rows": rows}
    return {"text": draw(_text)}


@st.composite
def _series(draw: st.DrawFn, metric: str, variant: str) -> ScalarSeries:
    n = draw(st.integers(0, 12))
    iterations = draw(hnp.arrays(np.int64, n))
    values = draw(hnp.arrays(np.float64, n))
    timestamps = draw(hnp.arrays(np.float64, n, elements=st.one_of(st.just(math.nan), _stamp)))
    return ScalarSeries(metric, variant, iterations, values, timestamps)


@st.composite
def _record(draw: st.DrawFn) -> ModelRecord:
    model_id = draw(_ident)
    created = draw(_iso)
    model = Model(
        id=model_id, name=draw(_name), project=draw(_text), framework=draw(_text),
        status=draw(st.sampled_from(["draft", "published"])), tags=draw(st.lists(_tag, max_size=3)),
        user=draw(_text), created=created, updated=draw(st.one_of(st.just(created), _iso)), comment=draw(_text),
        uri=draw(_text), task_id=draw(_text), task_name=draw(_text),
        parent=draw(st.one_of(st.just(""), _ident.filter(lambda p: p != model_id))),
        labels=draw(st.dictionaries(_name, st.integers(-(2**63), 2**63 - 1), max_size=3)),
        metadata=[MetadataItem(k, t, v) for k, t, v in draw(
            st.lists(st.tuples(_name, _text, _text), max_size=3, unique_by=lambda item: item[0]))],
        config=draw(_config()),
    )
    keys = draw(st.lists(st.tuples(_name, _text), max_size=3, unique=True))
    scalars = [draw(_series(metric, variant)) for metric, variant in keys]
    single_values = draw(st.dictionaries(_name, _float, max_size=3))
    plot_keys = draw(st.lists(st.tuples(_name, _text, st.integers(0, 10**12)), max_size=3, unique=True))
    plots = []
    for metric, variant, iteration in plot_keys:
        kind = draw(st.sampled_from(["line", "scatter", "bar", "box", "histogram", "table", "heatmap",
                                     "confusion_matrix", "text"]))
        plots.append(Plot(metric, variant, iteration, kind, draw(_plot_data(kind)), draw(st.one_of(st.none(), _stamp))))
    return ModelRecord(model=model, scalars=scalars, single_values=single_values, plots=plots)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_record(), max_size=3, unique_by=lambda r: r.model.id))
def test_round_trip_export_then_parse_gives_equal_records(records: list[ModelRecord]) -> None:
    text = dumps_document(export_document(records))
    assert parse_model_document(json.loads(text), "roundtrip.json") == records


# -- the orjson fast path gives exactly what json.loads gives ------------------------


def _same(a: Any, b: Any) -> bool:
    """Equal including types (1 is not 1.0 or True), NaN, the sign of zero,
    key order and the duplicate-key marks."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (getattr(a, "duplicate_keys", None) == getattr(b, "duplicate_keys", None) and list(a) == list(b)
                and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float):
        return (a != a and b != b) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return bool(a == b)


def _outcome(read: Callable[[], Any], fast: bool) -> tuple[str, Any]:
    """("ok", result) or ("error", message) of `read`, with orjson (fast) or with json only."""
    saved = modelfile.orjson
    if not fast:
        modelfile.orjson = None
    try:
        return "ok", read()
    except ModelFileError as exc:
        return "error", str(exc)
    finally:
        modelfile.orjson = saved


def _decoded(raw: bytes, fast: bool) -> tuple[str, Any]:
    return _outcome(lambda: decode_model_json(raw, "f.json"), fast)


def _loaded(path: Path, fast: bool) -> tuple[str, Any]:
    return _outcome(lambda: load_model_file(path), fast)


def _assert_same_decoding(raw: bytes) -> None:
    fast, slow = _decoded(raw, fast=True), _decoded(raw, fast=False)
    assert fast[0] == slow[0], (raw, fast, slow)
    assert _same(fast[1], slow[1]), (raw, fast, slow)


def test_orjson_is_installed_and_takes_plain_files() -> None:
    assert modelfile.orjson is not None, "orjson is a dependency (pyproject.toml): the fast path is off"
    raw = json.dumps(one(scalars=series([[0, 0.5, 1.7e9], [1, -2, 1.7e9 + 1]]), tags=['a:{"b"}', "c\\"],
                         labels={"x:y": 3}, metadata={"k": "{\"quoted\": 1}"})).encode()
    assert modelfile._decode_fast(raw) is not modelfile._NOT_FAST
    _assert_same_decoding(raw)


@pytest.mark.parametrize("raw", [
    pytest.param(b'{"a": 1, "a": 2}', id="duplicate key"),
    pytest.param(b'{"m": [{"k": [1, {"x": 0, "x": 0}]}]}', id="duplicate key deep"),
    pytest.param(b'{"m": [[{"a": 1, "a": 2}]]}', id="duplicate key in a list of lists"),
    pytest.param(b'{"s": "x:{\\"", "a": 1, "a": 2}', id="duplicate key after an escaped quote"),
    pytest.param(b'{"s": "\\\\", "a": 1, "a": 2}', id="duplicate key after an escaped backslash"),
    pytest.param(b'[0, 18446744073709551616]', id="integer past uint64"),
    pytest.param(b'{"i": -9223372036854775809}', id="integer below int64"),
    pytest.param(b'123456789012345678901234567890', id="long integer alone"),
    pytest.param(b'[NaN, Infinity, -Infinity]', id="bare non-finite"),
    pytest.param(b'[1e400, -1e999]', id="beyond double range"),
    pytest.param(b'["\\ud800"]', id="escaped lone surrogate"),
    pytest.param(b'["\xed\xa0\x80"]', id="raw lone surrogate"),
])
def test_fast_path_declines_what_json_loads_reads_differently(raw: bytes) -> None:
    assert modelfile._decode_fast(raw) is modelfile._NOT_FAST
    _assert_same_decoding(raw)


@pytest.mark.parametrize("raw", [
    pytest.param(b'\xef\xbb\xbf{"a": [1, 2.5, -0.0, "x"]}', id="BOM"),
    pytest.param('{"a": "\u00e9\U0001F600"}'.encode(), id="non-ASCII"),
    pytest.param(b'{"a": "\\ud83d\\ude00 \\u00e9 \\/ \\n"}', id="escapes"),
    pytest.param(b'[9223372036854775807, -9223372036854775808, 18446744073709551615, 5e-324, 1e-400, 0.1e1]',
                 id="number limits"),
    pytest.param(b'[0.00012345678901234567, 1234567890123456.5]', id="long digit runs in floats"),
    pytest.param(b'{"format": "modelcompare/v1",\n "models": [}\n', id="bad JSON"),
    pytest.param(b'{"a": [1,]}', id="trailing comma"),
    pytest.param(b'[1] x', id="extra data"),
    pytest.param(b'{"a": "caf\xe9"}', id="Latin-1"),
    pytest.param(b'\xff\xfe' + '{"a": 1}'.encode("utf-16-le"), id="UTF-16"),
    pytest.param('{"a": 1}'.encode("utf-32"), id="UTF-32"),
    pytest.param(b'[' * 5000 + b']' * 5000, id="nested deeply"),
    pytest.param(b'[' + b'1' * 5000 + b']', id="integer of 5000 digits"),
    pytest.param(b'', id="empty"),
    pytest.param(b'  ', id="blank"),
])
def test_fast_path_and_json_only_decode_alike(raw: bytes) -> None:
    _assert_same_decoding(raw)


_json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(2**64), 2**65), st.floats(),
    st.text(st.sampled_from(['"', "\\", ":", "{", "}", "[", ",", "a", "0", "\u00e9", "\U0001F600", "\ud800", "\n"]),
            max_size=6),
)
_json_value = st.recursive(
    _json_scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(":{\\\"ab", max_size=3), inner, max_size=4),
    max_leaves=16,
)
_fragment = st.sampled_from(['"', ":", "{", "}", "[", "]", ",", "\\", "-", "0", "9", ".", "e", "+", " ", "NaN",
                             "12345678901234567890", '"a": 0, "a": 1, ', "\ufeff", "\x00"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_json_value, st.booleans(), st.booleans(),
       st.lists(st.tuples(st.floats(0, 1), st.integers(0, 2), _fragment), max_size=3))
def test_fast_path_and_json_only_decode_alike_property(
        value: Any, ascii_only: bool, bom: bool, edits: list[tuple[float, int, str]]) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    for where, how, fragment in edits:  # damage it: insert, replace or delete
        at = int(where * len(text))
        text = text[:at] + (fragment if how < 2 else "") + text[at + (how > 0):]
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass")
    _assert_same_decoding(raw)


def test_fast_path_and_json_only_give_identical_records_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    written = [sample_record(), ModelRecord(model=Model(id="m2", name="n", created="2024-01-01T00:00:00Z",
                                                        updated="2024-01-01T00:00:00Z"),
                                            scalars=[ScalarSeries("loss", "train", np.arange(3),
                                                                  np.array([0.5, np.nan, -np.inf]),
                                                                  np.array([1.7e9, np.nan, 1.7e9 + 2]))])]
    write_model_file(written, path)
    assert modelfile._decode_fast(path.read_bytes()) is not modelfile._NOT_FAST
    fast, slow = _loaded(path, fast=True), _loaded(path, fast=False)
    assert fast == slow == ("ok", written)
    fixed = {"id": "m", "created": "2024-01-01T00:00:00Z"}  # else each parse makes its own
    documents = [doc for _, doc, _ in BAD_DOCUMENTS] + [
        one(labels={"a": 2**64}, **fixed), one(metadata={"big": -(2**70), "x": 1.5}, **fixed),
        one(plots=plot("line", {"series": [{"name": "a", "x": [0, 2**64], "y": [1, 2]}]}), **fixed),
        one(plots=plot("table", {"columns": ["a"], "rows": [[10**20], [1]]}), **fixed),
        one(config={"n": 10**30}, **fixed),
    ]
    for doc in documents:
        path.write_text(json.dumps(doc))
        fast, slow = _loaded(path, fast=True), _loaded(path, fast=False)
        assert fast == slow, doc
    path.write_text('{"format": "modelcompare/v1", "models": [{"name": "a", "labels": {"x": 1, "x": 2}, '
                    '"tags": [], "tags": []}]}')
    assert _loaded(path, fast=True) == _loaded(path, fast=False) == (
        "error", f"{path}: models[0].tags: field given twice")


# -- speed (printed, not asserted: see benchmarks/bench_modelfile.py) ----------------


def test_a_200k_point_document_parses_fast(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    n_series, n_points = 20, 10_000
    models = [{"name": f"m{m}", "scalars": [
        {"metric": "loss", "variant": f"v{s}",
         "points": [[i, v, t] for i, v, t in zip(range(n_points), rng.random(n_points).tolist(),
                                                 (1.7e9 + np.arange(n_points) * 0.5).tolist())]}
        for s in range(n_series // 2)]} for m in range(2)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(document(*models)))
    start = time.perf_counter()
    records = load_model_file(path)
    seconds = time.perf_counter() - start
    total = sum(len(s) for r in records for s in r.scalars)
    assert total == n_series * n_points
    assert records[1].scalars[9].iterations[-1] == n_points - 1
    print(f"\nparsed {total:,} points in {seconds:.3f} s: {total / seconds:,.0f} points/s (target >= 500,000)")
