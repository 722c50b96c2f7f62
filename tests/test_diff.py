"""The Details / Network diff engine (core/diff.py, config_flatten.py, textdiff.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from modelcompare_tui.core.config_flatten import compare_key, flatten, flatten_config, format_leaf
from modelcompare_tui.core.diff import CellStatus, DiffRow, DiffTable, details_diff, network_diff
from modelcompare_tui.core.model import Config, MetadataItem, Model
from modelcompare_tui.core.textdiff import align_many, changed_spans, matching_blocks
from modelcompare_tui.render.diff_text import diff_to_json, diff_to_markdown, diff_to_text, fit

S = CellStatus


def model(mid: str, **fields: object) -> Model:
    fields.setdefault("name", f"model-{mid}")
    return Model(id=mid, **fields)


def rows_by(table: DiffTable, section: str) -> dict[str, DiffRow]:
    return {row.field: row for row in table.rows if row.section == section}


def statuses(row: DiffRow) -> list[CellStatus]:
    return [cell.status for cell in row.cells]


def text_config(lines: list[str]) -> Config:
    return Config("text", "\n".join(lines) + "\n")


# -- statuses ------------------------------------------------------------------


def test_each_status_against_the_base() -> None:
    base = model("a", labels={"cat": 1, "dog": 2})
    other = model("b", labels={"cat": 1, "dog": 5, "bird": 3})
    third = model("c", labels={"cat": 1})
    labels = rows_by(details_diff([base, other, third]), "Labels")
    assert statuses(labels["cat"]) == [S.SAME, S.SAME, S.SAME]
    assert labels["cat"].identical
    assert statuses(labels["dog"]) == [S.SAME, S.CHANGED, S.MISSING]
    assert labels["dog"].values == ["2", "5", None]
    assert statuses(labels["bird"]) == [S.ABSENT, S.ONLY_HERE, S.ABSENT]
    assert labels["bird"].values == [None, "3", None]
    assert not labels["dog"].identical and not labels["bird"].identical
    assert all(not s.marked for s in (S.SAME, S.ABSENT))
    assert all(s.marked for s in (S.CHANGED, S.ONLY_HERE, S.MISSING))


def test_mode_all_marks_a_cell_that_differs_from_any_column() -> None:
    # b equals the base, c differs: against the base only c is marked;
    # across all models every present cell is (each differs from some column)
    models = [
        model("a", metadata=[MetadataItem("opt", "str", "adam"), MetadataItem("x", "str", "1")]),
        model("b", metadata=[MetadataItem("opt", "str", "adam"), MetadataItem("x", "str", "1")]),
        model("c", metadata=[MetadataItem("opt", "str", "sgd")]),
    ]
    against_base = rows_by(details_diff(models, "base"), "Metadata")
    assert statuses(against_base["opt"]) == [S.SAME, S.SAME, S.CHANGED]
    across = rows_by(details_diff(models, "all"), "Metadata")
    assert statuses(across["opt"]) == [S.CHANGED, S.CHANGED, S.CHANGED]
    # present and equal wherever present, absent in one column
    assert statuses(across["x"]) == [S.ONLY_HERE, S.ONLY_HERE, S.MISSING]
    assert statuses(against_base["x"]) == [S.SAME, S.SAME, S.MISSING]
    # the value a changed cell is compared with: the base when it differs from it
    assert across["opt"].cells[2].compared_with == "adam"
    assert across["opt"].cells[0].compared_with == "sgd"
    assert against_base["x"].identical is False and across["x"].identical is False


def test_mode_all_base_absent() -> None:
    models = [model("a"), model("b", labels={"l": 1}), model("c", labels={"l": 2})]
    row = rows_by(details_diff(models, "all"), "Labels")["l"]
    assert statuses(row) == [S.MISSING, S.CHANGED, S.CHANGED]
    row = rows_by(details_diff(models, "base"), "Labels")["l"]
    assert statuses(row) == [S.ABSENT, S.ONLY_HERE, S.ONLY_HERE]


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="diff mode 'left'"):
        details_diff([model("a")], "left")
    with pytest.raises(ValueError, match="network layout"):
        network_diff([model("a")], "base", layout="tree")


# -- Details sections ----------------------------------------------------------


def test_general_section_fields_in_order() -> None:
    a = model("a", project="vision", tags=["x", "y"], status="published", comment="first")
    b = model("b", project="vision", tags=["x"], status="draft", comment="first")
    table = details_diff([a, b])
    general = [row for row in table.rows if row.section == "General"]
    assert [row.field for row in general] == [
        "id", "name", "project", "framework", "status", "tags", "user",
        "created", "updated", "uri", "comment",
    ]
    by = {row.field: row for row in general}
    assert by["id"].values == ["a", "b"] and not by["id"].identical
    assert by["project"].identical and by["comment"].identical
    assert by["tags"].values == ["x, y", "x"]
    assert statuses(by["status"]) == [S.SAME, S.CHANGED]
    assert by["framework"].values == ["", ""] and by["framework"].identical


def test_missing_sections() -> None:
    bare = details_diff([model("a"), model("b")])
    assert {row.section for row in bare.rows} == {"General"}
    # only the second model has labels / metadata / lineage
    full = model(
        "b",
        labels={"cat": 0},
        metadata=[MetadataItem("lr", "float", "0.1")],
        task_id="t1",
        task_name="train",
        parent="a",
        children=["c"],
    )
    table = details_diff([model("a", name="root"), full])
    assert [row.section for row in table.rows].count("Labels") == 1
    assert statuses(rows_by(table, "Labels")["cat"]) == [S.ABSENT, S.ONLY_HERE]
    lineage = rows_by(table, "Lineage")
    assert lineage["task"].values == [None, "train (t1)"]
    # a parent that is one of the compared models is shown with its name
    assert lineage["parent"].values == [None, "root (a)"]
    assert lineage["children"].values == [None, "c"]
    # and the other way round: the base has them, the other lacks them
    table = details_diff([full, model("a")])
    assert statuses(rows_by(table, "Metadata")["lr"]) == [S.SAME, S.MISSING]


def test_lineage_rows_only_when_some_model_has_them() -> None:
    table = details_diff([model("a", parent="p"), model("b")])
    assert list(rows_by(table, "Lineage")) == ["parent"]


def test_key_only_in_later_model_sits_beside_its_neighbours() -> None:
    a = model("a", labels={"cat": 0, "dog": 1, "fox": 2})
    b = model("b", labels={"cat": 0, "cow": 7, "dog": 1})
    assert list(rows_by(details_diff([a, b]), "Labels")) == ["cat", "cow", "dog", "fox"]


def test_metadata_types_shown_when_they_differ() -> None:
    a = model("a", metadata=[MetadataItem("seed", "int", "1"), MetadataItem("p", "str", "x")])
    b = model("b", metadata=[MetadataItem("seed", "str", "1"), MetadataItem("p", "str", "x")])
    meta = rows_by(details_diff([a, b]), "Metadata")
    assert meta["seed"].values == ["1 (int)", "1 (str)"]
    assert statuses(meta["seed"]) == [S.SAME, S.CHANGED]
    assert meta["p"].values == ["x", "x"] and meta["p"].identical


def test_repeated_metadata_key_gets_numbered_rows() -> None:
    a = model("a", metadata=[MetadataItem("aug", "str", "flip"), MetadataItem("aug", "str", "crop")])
    b = model("b", metadata=[MetadataItem("aug", "str", "flip")])
    meta = rows_by(details_diff([a, b]), "Metadata")
    assert meta["aug"].identical
    assert meta["aug #2"].values == ["crop", None]


# -- numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        ("1e-3", "0.001", True),
        ("1", "1.0", True),
        ("1E3", "1000", True),
        ("-0.5", "-.5", True),
        ("0.1", "0.10000001", False),
        ("nan", "NaN", True),
        ("inf", "Infinity", True),
        ("12345678901234567891", "12345678901234567890", False),
        ("1_000", "1000", False),  # not a number as text: compared as text
        (" 1", "1", False),
        ("adam", "Adam", False),
    ],
)
def test_numbers_compare_as_numbers(left: str, right: str, equal: bool) -> None:
    assert (compare_key(left) == compare_key(right)) is equal
    a = model("a", metadata=[MetadataItem("v", "float", left)])
    b = model("b", metadata=[MetadataItem("v", "float", right)])
    row = rows_by(details_diff([a, b]), "Metadata")["v"]
    assert row.identical is equal
    assert row.values == [left, right]  # shown as written


def test_number_keys_of_parsed_values() -> None:
    assert compare_key(1) == compare_key(1.0) == compare_key("1")
    assert compare_key(True) != compare_key(1)  # booleans are not numbers
    assert compare_key(None) != compare_key("null")
    assert compare_key(float("nan")) == compare_key(float("nan"))
    assert compare_key(2**63 + 1) != compare_key(float(2**63 + 1))


def test_config_numbers_compare_as_numbers_across_formats() -> None:
    a = model("a", config=Config("json", '{"lr": 0.001, "epochs": 10, "wd": 1e-4}'))
    b = model("b", config=Config("yaml", "lr: 1e-3\nepochs: 10.0\nwd: 0.0001\n"))
    table = network_diff([a, b])
    assert table.kind == "fields"
    assert all(row.identical for row in table.rows), [r.values for r in table.rows]
    assert rows_by(table, "Configuration")["lr"].values == ["0.001", "0.001"]


# -- flattening ----------------------------------------------------------------


def test_flatten_json() -> None:
    flat = flatten_config(Config("json", '{"optimizer": {"lr": 0.1, "betas": [0.9, 0.99]}, "layers": [{"units": 3}, {"units": 4, "act": null}], "e": {}, "f": []}'))
    assert flat == {
        "optimizer.lr": 0.1,
        "optimizer.betas[0]": 0.9,
        "optimizer.betas[1]": 0.99,
        "layers[0].units": 3,
        "layers[1].units": 4,
        "layers[1].act": None,
        "e": {},
        "f": [],
    }


def test_flatten_yaml_toml_and_plain_text() -> None:
    yaml_text = "model:\n  name: resnet\n  lr: 1e-3\n  flags: [true, false]\n"
    assert flatten_config(Config("yaml", yaml_text)) == {
        "model.name": "resnet", "model.lr": 0.001, "model.flags[0]": True, "model.flags[1]": False,
    }
    toml_text = '[optimizer]\nname = "adam"\nlr = 3e-4\n\n[[layers]]\nunits = 8\n'
    assert flatten_config(Config("text", toml_text)) == {
        "optimizer.name": "adam", "optimizer.lr": 0.0003, "layers[0].units": 8,
    }
    prototxt = 'name: "LeNet"\nlayer {\n  name: "mnist"\n  type: "Data"\n}\n'
    assert flatten_config(Config("text", prototxt)) is None
    module = "Net(\n  (conv1): Conv2d(1, 32, kernel_size=(3, 3))\n  (fc): Linear(9216, 128)\n)"
    assert flatten_config(Config("text", module)) is None
    hocon = "trainer { max_epochs = 10 }\ndata.batch = 32"  # YAML reads it as one string
    assert flatten_config(Config("text", hocon)) is None
    assert flatten_config(Config("yaml", "just a sentence")) is None
    assert flatten_config("[1, 2]") == {"[0]": 1, "[1]": 2}
    assert flatten_config(None) is None
    assert flatten_config(Config("json", "   ")) is None


def test_flatten_quotes_awkward_keys() -> None:
    flat = flatten({"a.b": {"c": 1}, "x": {"[y]": 2, "with space": 3, "": 4}, "ü": 5})
    assert flat == {'["a.b"].c': 1, 'x["[y]"]': 2, "x.with space": 3, 'x[""]': 4, "ü": 5}


def test_self_referencing_yaml_is_text_not_a_hang() -> None:
    table = network_diff([model("a", config=Config("yaml", "&a [*a]\n"))])
    assert table.kind == "lines"
    assert any("contains itself" in note for note in table.notes)


def test_format_leaf_quotes_ambiguous_strings() -> None:
    assert format_leaf("adam") == "adam"
    assert format_leaf("0.001") == '"0.001"'
    assert format_leaf(0.001) == "0.001"
    assert format_leaf("true") == '"true"' and format_leaf(True) == "true"
    assert format_leaf(None) == "null" and format_leaf("") == '""'
    assert format_leaf("a\nb") == '"a\\nb"'
    assert format_leaf(1.0) == "1.0" and format_leaf(float("-inf")) == "-inf"


# -- Network: key paths --------------------------------------------------------


def test_key_order_does_not_matter_list_order_does() -> None:
    a = model("a", config=Config("json", '{"a": 1, "b": {"c": 2, "d": 3}, "l": [1, 2]}'))
    b = model("b", config=Config("json", '{"l": [2, 1], "b": {"d": 3, "c": 2}, "a": 1}'))
    rows = rows_by(network_diff([a, b]), "Configuration")
    assert list(rows) == ["a", "b.c", "b.d", "l[0]", "l[1]"]  # base order
    assert rows["a"].identical and rows["b.c"].identical and rows["b.d"].identical
    assert statuses(rows["l[0]"]) == [S.SAME, S.CHANGED]
    assert statuses(rows["l[1]"]) == [S.SAME, S.CHANGED]


def test_sweep_differences_are_one_row_each() -> None:
    configs = [
        {"optimizer": {"name": "adam", "lr": lr}, "layers": [{"units": 64}, {"units": u}]}
        for lr, u in ((0.1, 32), (0.01, 32), (0.1, 64))
    ]
    models = [model(str(k), config=Config("json", json.dumps(c))) for k, c in enumerate(configs)]
    table = network_diff(models)
    differing = {row.field: statuses(row) for row in table.rows if not row.identical}
    assert differing == {
        "optimizer.lr": [S.SAME, S.CHANGED, S.SAME],
        "layers[1].units": [S.SAME, S.SAME, S.CHANGED],
    }
    assert table.difference_count == 2


def test_a_model_without_config() -> None:
    a = model("a", config=Config("json", '{"x": 1}'))
    table = network_diff([a, model("b")])
    assert table.kind == "fields"
    assert statuses(table.rows[0]) == [S.SAME, S.MISSING]
    table = network_diff([model("b"), a])
    assert statuses(table.rows[0]) == [S.ABSENT, S.ONLY_HERE]
    empty = network_diff([model("a"), model("b")])
    assert empty.rows == [] and empty.notes == ["no compared model has a network configuration"]


def test_mixed_structured_and_text_configs_diff_as_lines() -> None:
    a = model("a", config=Config("json", '{"x": 1}'))
    b = model("b", name="proto", config=Config("text", 'layer {\n  name: "x"\n}'))
    table = network_diff([a, b], layout="keys")
    assert table.kind == "lines"
    assert table.notes == ["compared as text: not JSON, TOML or YAML in proto"]
    assert network_diff([a, b]).notes == table.notes  # auto says why too
    assert network_diff([b, b]).notes == []  # all text: nothing to explain


def test_malformed_json_is_diffed_as_text_with_a_note() -> None:
    a = model("a", name="broken", config=Config("json", '{"x": 1,\n "y": }'))
    b = model("b", config=Config("json", '{"x": 1,\n "y": 2}'))
    table = network_diff([a, b])
    assert table.kind == "lines"
    assert len(table.notes) == 1 and table.notes[0].startswith("broken: configuration does not parse as json")
    assert [row.identical for row in table.rows] == [True, False]


def test_layout_text_forces_a_line_diff() -> None:
    a = model("a", config=Config("json", '{\n  "x": 1\n}'))
    b = model("b", config=Config("json", '{\n  "x": 2\n}'))
    table = network_diff([a, b], layout="text")
    assert table.kind == "lines"
    assert [row.values for row in table.rows] == [["{", "{"], ['  "x": 1', '  "x": 2'], ["}", "}"]]


# -- Network: text lines -------------------------------------------------------


def prototxt(layers: int) -> list[str]:
    lines = ['name: "Net"']
    for k in range(layers):
        lines += ["layer {", f'  name: "conv{k}"', "  convolution_param {", "    kernel_size: 3", "  }", "}"]
    return lines


def test_one_inserted_line_marks_exactly_one_row() -> None:
    base_lines = prototxt(20)
    inserted = base_lines[:40] + ["    bias_term: false"] + base_lines[40:]
    table = network_diff([model("a", config=text_config(base_lines)), model("b", config=text_config(inserted))])
    assert table.kind == "lines"
    assert len(table.rows) == len(base_lines) + 1
    changed = [k for k, row in enumerate(table.rows) if not row.identical]
    assert changed == [40]
    row = table.rows[40]
    assert row.values == [None, "    bias_term: false"]
    assert statuses(row) == [S.ABSENT, S.ONLY_HERE]
    assert row.field == "40+1" and row.kind == "text-line"
    assert [cell.line for cell in row.cells] == [None, 41]
    after = table.rows[41]
    assert after.field == "41" and [cell.line for cell in after.cells] == [41, 42]


def test_deleted_and_changed_lines() -> None:
    base_lines = prototxt(10)
    edited = list(base_lines)
    assert edited[22] == "    kernel_size: 3"
    edited[22] = "    kernel_size: 5"
    del edited[10]
    table = network_diff([model("a", config=text_config(base_lines)), model("b", config=text_config(edited))])
    differing = [(row.field, statuses(row)) for row in table.rows if not row.identical]
    assert differing == [("11", [S.SAME, S.MISSING]), ("23", [S.SAME, S.CHANGED])]
    changed = table.rows[22].cells[1]
    assert changed.value == "    kernel_size: 5" and changed.line == 22
    assert changed.spans == [(17, 18)]
    assert table.rows[22].cells[0].spans == []  # the base is the reference


def test_a_changed_line_beside_an_insertion_pairs_with_its_likeness() -> None:
    base_lines = ["a: 1", "lr: 0.1", "z: 9"]
    other = ["a: 1", "momentum: 0.9", "lr: 0.01", "z: 9"]
    models = [model("a", config=text_config(base_lines)), model("b", config=text_config(other))]
    assert network_diff(models).kind == "fields"  # it is YAML
    table = network_diff(models, layout="text")
    assert [row.values for row in table.rows] == [
        ["a: 1", "a: 1"], [None, "momentum: 0.9"], ["lr: 0.1", "lr: 0.01"], ["z: 9", "z: 9"],
    ]


def test_several_models_insert_at_the_same_place_share_rows() -> None:
    base_lines = ["a", "b", "c"]
    texts = [base_lines, ["a", "x1", "x2", "b", "c"], ["a", "y1", "b", "c"], ["a", "b"]]
    models = [model(str(k), config=text_config(t)) for k, t in enumerate(texts)]
    table = network_diff(models)
    assert [row.values for row in table.rows] == [
        ["a", "a", "a", "a"],
        [None, "x1", "y1", None],
        [None, "x2", None, None],
        ["b", "b", "b", "b"],
        ["c", "c", "c", None],
    ]
    assert statuses(table.rows[4]) == [S.SAME, S.SAME, S.SAME, S.MISSING]
    all_mode = network_diff(models, "all")
    assert statuses(all_mode.rows[1]) == [S.MISSING, S.CHANGED, S.CHANGED, S.MISSING]


def test_base_without_config_aligns_on_the_first_that_has_one() -> None:
    models = [model("a"), model("b", config=text_config(["x", "y"])), model("c", config=text_config(["x", "z", "y"]))]
    table = network_diff(models)
    assert [row.values for row in table.rows] == [[None, "x", "x"], [None, None, "z"], [None, "y", "y"]]
    assert statuses(table.rows[1]) == [S.ABSENT, S.ABSENT, S.ONLY_HERE]


lines_strategy = st.lists(st.sampled_from(["{", "}", "a: 1", "b: 2", "c: 3", "", "  x"]), max_size=30)


@settings(max_examples=100, deadline=None)
@given(st.lists(lines_strategy, min_size=1, max_size=4))
def test_alignment_keeps_every_line_once_in_order(texts: list[list[str]]) -> None:
    rows = align_many(texts)
    for k, text in enumerate(texts):
        assert [row[k] for row in rows if row[k] is not None] == list(range(len(text)))
    for row in rows:
        assert any(index is not None for index in row)
    table = network_diff([model(str(k), config=text_config(t)) for k, t in enumerate(texts)], layout="text")
    if any(texts):
        for row in table.rows:
            present = [v for v in row.values if v is not None]
            assert row.identical == (len(present) == len(texts) and len(set(present)) == 1)


@settings(max_examples=100, deadline=None)
@given(lines_strategy, lines_strategy, st.booleans())
def test_matching_blocks_is_a_common_subsequence(
    a: list[str], b: list[str], anchored: bool
) -> None:
    import difflib

    from modelcompare_tui.core import textdiff

    small = textdiff._SMALL_RANGE_CELLS
    textdiff._SMALL_RANGE_CELLS = 0 if anchored else small  # exercise the anchor path too
    try:
        blocks = matching_blocks(a, b)
    finally:
        textdiff._SMALL_RANGE_CELLS = small
    previous_i = previous_j = -1
    for i, j, size in blocks:
        assert i > previous_i and j > previous_j and size > 0
        assert a[i : i + size] == b[j : j + size]
        previous_i, previous_j = i + size - 1, j + size - 1
    if not anchored:
        ours = sum(size for _, _, size in blocks)
        theirs = sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
        assert ours >= theirs  # difflib is not always the longest; never beat it


def test_large_text_alignment_is_as_good_as_difflib() -> None:
    import difflib
    import random

    rng = random.Random(5)
    a = prototxt(170)  # ~1,000 lines: the anchored path
    b = list(a)
    for _ in range(30):
        pos = rng.randrange(len(b))
        kind = rng.choice(["edit", "insert", "delete"])
        if kind == "edit":
            b[pos] += " # tuned"
        elif kind == "insert":
            b.insert(pos, rng.choice(["}", "  }", "    bias: 1", "layer {"]))
        else:
            del b[pos]
    ours = sum(size for _, _, size in matching_blocks(a, b))
    theirs = sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    assert ours >= theirs - 3, (ours, theirs)


def test_changed_spans() -> None:
    # a changed number is marked whole: a reader compares 0.005 with 0.001, not a
    # digit; in 4100 against 15800 the characters that differ are "4" alone
    assert changed_spans("lr: 0.001", "lr: 0.005") == [(4, 9)]
    assert changed_spans("15800", "4100") == [(0, 4)]
    assert changed_spans("steps 1000 x", "steps 100 x") == [(6, 9)]  # digits deleted: another number
    assert changed_spans("-0.5", "0.5") == [(0, 3)]  # the sign went
    assert changed_spans("v1.2.3", "v1.2.4") == [(5, 6)]  # a version's part is not a number of its own
    assert changed_spans("name-x", "namex") == []  # no number near the deletion
    assert changed_spans("a b c", "a X c") == [(2, 3)]
    assert changed_spans("same", "same") == []
    assert changed_spans("abc", "ab") == []  # a pure deletion marks nothing of the new text
    assert changed_spans(None, "new") == [(0, 3)]
    assert changed_spans("name: 猫", "name: 犬") == [(6, 7)]
    long_old, long_new = "x" * 5000, "x" * 2000 + "y" * 10 + "x" * 3000
    assert changed_spans(long_old, long_new) == [(2000, 2010)]


# -- table helpers -------------------------------------------------------------


def test_visible_rows_hidden_count_and_search() -> None:
    a = model("a", labels={"cat": 1, "dog": 2}, comment="Trained on ImageNet")
    b = model("b", labels={"cat": 1, "dog": 3}, comment="Trained on ImageNet")
    table = details_diff([a, b])
    visible = table.visible_rows(hide_identical=True)
    assert [row.field for row in visible] == ["id", "name", "dog"]
    assert table.hidden_count(hide_identical=True) == len(table.rows) - 3
    assert [row.field for row in table.visible_rows(search="DOG")] == ["dog"]
    assert [row.field for row in table.visible_rows(search="imagenet")] == ["comment"]  # values too
    assert [row.field for row in table.visible_rows(search="labels")] == ["cat", "dog"]  # sections too
    assert table.visible_rows(hide_identical=True, search="cat") == []


def test_context_rows_around_line_differences() -> None:
    base_lines = [f"line {k}" for k in range(20)]
    edited = list(base_lines)
    edited[10] = "changed"
    table = network_diff([model("a", config=text_config(base_lines)), model("b", config=text_config(edited))])
    assert [row.field for row in table.visible_rows(hide_identical=True, context=2)] == ["9", "10", "11", "12", "13"]


def test_next_difference_by_row_and_by_block() -> None:
    base_lines = [f"line {k}" for k in range(20)]
    edited = list(base_lines)
    edited[3] = edited[4] = "changed"  # one block of two rows
    edited[12] = "changed too"
    table = network_diff([model("a", config=text_config(base_lines)), model("b", config=text_config(edited))])
    assert table.difference_count == 2
    assert table.next_difference(0) == 3
    assert table.next_difference(3) == 12  # skips the rest of its block
    assert table.next_difference(12) is None
    assert table.next_difference(12, wrap=True) == 3
    assert table.next_difference(15, -1) == 12
    assert table.next_difference(4, -1) == 3  # inside a block: back to its start
    assert table.next_difference(3, -1) is None
    # on the rows left after hiding identical ones, the blocks still count
    visible = table.visible_rows(hide_identical=True)
    assert table.next_difference(0, rows=visible) == 2
    # field rows: each differing row is its own stop
    details = details_diff([model("a", labels={"x": 1}), model("b", labels={"x": 2})])
    stops = []
    index = -1
    while (index := details.next_difference(index)) is not None:
        stops.append(details.rows[index].field)
    assert stops == ["id", "name", "x"]
    assert details_diff([model("a"), model("a")]).next_difference(0, wrap=True) is None


# -- scale and awkward values --------------------------------------------------


def test_hundred_models() -> None:
    models = [
        model(f"m{k:03d}", labels={"cat": 0, "dog": k % 2}, config=Config("json", json.dumps({"lr": 0.1, "seed": k % 3})))
        for k in range(100)
    ]
    details = details_diff(models)
    assert all(len(row.cells) == 100 for row in details.rows)
    dog = rows_by(details, "Labels")["dog"]
    assert statuses(dog).count(S.CHANGED) == 50
    network = rows_by(network_diff(models, "all"), "Configuration")
    assert network["lr"].identical
    assert statuses(network["seed"]) == [S.CHANGED] * 100
    text = diff_to_text(details, width=100)
    assert all(cell_len(line) <= 100 for line in text.splitlines())
    assert re.search(r"\d+ more models not shown \(widen with --width\)", text)


def test_fit_pads_or_cuts_to_exact_cells() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    assert fit("x", 0) == ""
    assert fit("日本語", 6) == "日本語"
    assert fit("日本語", 5) == "日本…"
    # a wide character that does not fit before the ellipsis leaves a space:
    # the … stays in the last cell, as in the Details/Network grid
    assert fit("日本語", 4) == "日 …"
    assert all(cell_len(fit("模型-基线 🚀 x", w)) == w for w in range(12))


def test_unicode_values_keep_the_columns_aligned() -> None:
    a = model("a", name="模型-基线", comment="学习率 ✓ 🚀", labels={"猫": 1})
    b = model("b", name="modèle-β", comment="学习率 ✗ 🚀", labels={"猫": 2})
    table = details_diff([a, b])
    assert rows_by(table, "Labels")["猫"].values == ["1", "2"]
    comment = rows_by(table, "General")["comment"]
    assert comment.cells[1].spans == [(4, 5)]
    text = diff_to_text(table, width=60)
    lines = text.splitlines()
    assert all(cell_len(line) <= 60 for line in lines)
    # the second column starts at the same terminal column on every row
    header = next(line for line in lines if "(base)" in line)
    column = cell_len(header[: header.index("modèle-β")]) - 2  # a glyph sits 2 cells left of a value
    for line in lines:
        if line.startswith("  ") and "≠" in line:
            assert cell_len(line[: line.index("≠")]) == column


def test_very_long_values() -> None:
    long_comment = "word " * 20_000
    a = model("a", comment=long_comment)
    b = model("b", comment=long_comment + "end")
    table = details_diff([a, b])
    row = rows_by(table, "General")["comment"]
    assert row.values == [long_comment, long_comment + "end"]
    assert row.cells[1].spans == [(100_000, 100_003)]
    text = diff_to_text(table, width=80)
    assert all(cell_len(line) <= 80 for line in text.splitlines())
    assert "…" in text
    assert diff_to_json(table)["rows"][10]["values"][1].endswith("end")


def test_control_characters_never_reach_the_terminal() -> None:
    table = details_diff([model("a", comment="red\x1b[31m\nnext"), model("b")])
    text = diff_to_text(table, width=100)
    assert "\x1b" not in text and "red␛[31m⏎next" in text


# -- headless output -----------------------------------------------------------


def small_table(mode: str = "base") -> DiffTable:
    a = model("a1", name="base-model", labels={"cat": 1, "dog": 2})
    b = model("b2", name="tuned", labels={"cat": 1, "bird": 3})
    return details_diff([a, b], mode)


def test_diff_to_json_shape() -> None:
    data = diff_to_json(small_table(), "details")
    assert list(data) == ["tab", "base", "models", "rows"]
    assert data["tab"] == "details" and data["base"] == "a1"
    assert data["models"] == [{"id": "a1", "name": "base-model"}, {"id": "b2", "name": "tuned"}]
    first = data["rows"][0]
    assert first == {"section": "General", "field": "id", "values": ["a1", "b2"], "identical": False}
    labels = [r for r in data["rows"] if r["section"] == "Labels"]
    assert labels == [
        {"section": "Labels", "field": "cat", "values": ["1", "1"], "identical": True},
        {"section": "Labels", "field": "bird", "values": [None, "3"], "identical": False},
        {"section": "Labels", "field": "dog", "values": ["2", None], "identical": False},
    ]
    assert json.loads(json.dumps(data)) == data
    hidden = diff_to_json(small_table(), hide_identical=True)
    assert [r["field"] for r in hidden["rows"]] == ["id", "name", "bird", "dog"]
    assert diff_to_json(details_diff([]))["base"] is None


def md_rows(markdown: str) -> list[list[str]]:
    rows = []
    for line in markdown.splitlines():
        if line.startswith("|") and not line.startswith("| ---") and not line.startswith("|---"):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            rows.append([cell.strip() for cell in cells])
    return rows


def test_diff_to_markdown() -> None:
    md = diff_to_markdown(small_table())
    assert "### General" in md and "### Labels" in md
    rows = md_rows(md)
    assert rows[0] == ["Field", "base-model (base)", "tuned"]
    by_field = {row[0]: row[1:] for row in rows}
    assert by_field["id"] == ["a1", "**b2**"]
    assert by_field["cat"] == ["1", "1"]
    assert by_field["bird"] == ["—", "**3**"]
    assert by_field["dog"] == ["2", "**—**"]
    assert by_field["framework"] == ["*(empty)*", "*(empty)*"]
    hidden = diff_to_markdown(small_table(), hide_identical=True)
    assert "cat" not in {row[0] for row in md_rows(hidden)}
    assert "identical rows hidden" in hidden


def test_markdown_escapes_pipes_and_marks_up_nothing_by_accident() -> None:
    a = model("a", comment="a | b *c* <x>\nline2")
    b = model("b", comment="plain")
    md = diff_to_markdown(details_diff([a, b]))
    row = next(r for r in md_rows(md) if r[0] == "comment")
    assert row == ["comment", r"a \| b \*c\* \<x\><br>line2", "**plain**"]


def test_markdown_of_a_line_diff_uses_code_spans() -> None:
    a = model("a", config=text_config(["x {", "  a: `q` | 1", "}"]))
    b = model("b", config=text_config(["x {", "  a: `q` | 2", "}"]))
    rows = md_rows(diff_to_markdown(network_diff([a, b])))
    assert rows[0][0] == "Line"
    assert rows[2] == ["2", "``   a: `q` \\| 1 ``", "**``   a: `q` \\| 2 ``**"]


def test_diff_to_text_glyphs_and_legend() -> None:
    text = diff_to_text(small_table(), width=80)
    lines = text.splitlines()
    assert lines[1] == "≠ differs from the base · + only in this model · − missing here"
    by_field = {line.split()[0]: line for line in lines if line.startswith("  ")}
    assert re.search(r"a1\s+≠ b2$", by_field["id"])
    assert re.search(r"1\s+1$", by_field["cat"]) and "≠" not in by_field["cat"]
    assert re.search(r"\s+\+ 3$", by_field["bird"])
    assert re.search(r"2\s+−$", by_field["dog"])
    all_text = diff_to_text(small_table("all"), width=80)
    assert "≠ differs from another column" in all_text
    hidden = diff_to_text(small_table(), width=80, hide_identical=True)
    assert "cat" not in hidden and re.search(r"\d+ rows hidden", hidden)
    assert diff_to_text(details_diff([])) == "Details: no models to compare.\n"


def test_repeated_names_are_told_apart_in_headers() -> None:
    table = details_diff([model("aaaaaaaa1", name="run"), model("bbbbbbbb2", name="run")])
    assert md_rows(diff_to_markdown(table))[0] == ["Field", "run (aaaaaaaa) (base)", "run (bbbbbbbb)"]


def test_core_diff_does_not_import_textual() -> None:
    code = (
        "import sys, modelcompare_tui.core.diff, modelcompare_tui.core.textdiff, "
        "modelcompare_tui.core.config_flatten; print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_diff_to_rich_matches_the_text_layout_in_color() -> None:
    import io

    from rich.console import Console

    from modelcompare_tui.core.colors import PALETTE, ModelColors, hex_to_rgb
    from modelcompare_tui.render.diff_text import diff_to_rich

    a = model("a", config=text_config(["layer {", "  num_output: 20", "}"]))
    b = model("b", config=text_config(["layer {", "  num_output: 50", "  bias: false", "}"]))
    table = network_diff([a, b], layout="text")
    console = Console(width=60, record=True, file=io.StringIO(), color_system="truecolor", force_terminal=True)
    console.print(diff_to_rich(table, 60, colors=ModelColors(["a", "b"])))
    plain = [line.rstrip() for line in console.export_text(styles=False, clear=False).splitlines()]
    text = [line for line in diff_to_text(table, 60).splitlines() if line and not line.startswith("─")]
    assert [line for line in plain if line] == text
    ansi = console.export_text(styles=True)
    assert "\x1b[1;30;43m5" in ansi  # the changed character, highlighted
    r, g, b = hex_to_rgb(PALETTE[0])
    assert f"38;2;{r};{g};{b}" in ansi  # the base's name in its model color


def test_text_headers_keep_what_tells_a_sweep_apart() -> None:
    names = [f"wav2vec2-base-librispeech-lr{lr}" for lr in ("1e-5", "3e-5", "1e-4", "3e-4")]
    table = details_diff([model(letter * 9, name=name) for letter, name in zip("abcd", names)])
    text = diff_to_text(table, width=100)
    header = next(line for line in text.splitlines() if "lr3e-5" in line)
    assert all(lr in header for lr in ("lr1e-5", "lr3e-5", "lr1e-4", "lr3e-4")), text
