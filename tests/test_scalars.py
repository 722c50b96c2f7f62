"""The Values table: values against an independent reference computed from raw
points, row flags, deltas and directions, filters, labels and exports."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

from modelcompare_tui.core.labels import model_labels
from modelcompare_tui.core.model import Model, ScalarSummary
from modelcompare_tui.core.scalars import (
    build_row,
    build_value_table,
    format_delta,
    format_number,
    graph_groups,
    matches_metric_filter,
    metric_direction,
)
from modelcompare_tui.render.value_text import (
    value_table_to_csv,
    value_table_to_json,
    value_table_to_markdown,
    value_table_to_text,
)

# -- an independent reference: raw points -> summary ----------------------------------

RawPoints = list[tuple[int, float]]  # (iteration, value) in reporting order


def reference_summary(metric: str, variant: str, points: RawPoints) -> ScalarSummary:
    """What PRODUCT §2 says, written the plain way: the last report of an
    iteration wins; Last = value at the highest iteration; Min/Max over finite
    values only."""
    latest: dict[int, float] = {}
    for iteration, value in points:
        latest[iteration] = value  # later reports overwrite earlier ones
    iterations = np.array(sorted(latest), dtype=np.int64)
    values = np.array([latest[int(i)] for i in iterations], dtype=np.float64)
    finite = np.isfinite(values)
    mn = float(np.min(values[finite])) if finite.any() else None
    mx = float(np.max(values[finite])) if finite.any() else None
    return ScalarSummary(
        metric=metric,
        variant=variant,
        last=float(values[-1]),
        last_iteration=int(iterations[-1]),
        min=mn,
        min_iteration=None if mn is None else int(iterations[finite][np.argmin(values[finite])]),
        max=mx,
        max_iteration=None if mx is None else int(iterations[finite][np.argmax(values[finite])]),
        count=len(latest),
    )


def expected_value(points: RawPoints, agg: str) -> float | None:
    """The table's cell straight from raw points, without building a summary."""
    arr = np.array(points, dtype=np.float64)
    its, vals = arr[:, 0], arr[:, 1]
    # last reported per iteration: scan from the end, keep first sighting
    seen: dict[float, float] = {}
    for it, v in zip(its[::-1], vals[::-1]):
        seen.setdefault(it, v)
    deduped = np.array([seen[k] for k in sorted(seen)])
    if agg == "last":
        return float(deduped[-1])
    finite = deduped[np.isfinite(deduped)]
    if finite.size == 0:
        return None
    return float(finite.min() if agg == "min" else finite.max())


RAW: dict[str, dict[tuple[str, str], RawPoints]] = {
    "a" * 32: {
        # iteration 2 re-reported after a resume: 0.5 supersedes 0.9
        ("loss", "train"): [(0, 2.0), (1, 1.5), (2, 0.9), (3, 0.8), (2, 0.5), (3, 0.45)],
        ("accuracy", "val"): [(0, 0.5), (10, float("nan")), (20, 0.8)],
        ("lr", "train"): [(0, 0.1), (1, 0.1)],
    },
    "b" * 32: {
        ("loss", "train"): [(0, 2.5), (1, float("inf")), (2, 0.7)],
        ("accuracy", "val"): [(0, 0.4), (10, 0.9), (20, float("nan"))],  # Last is nan
        ("lr", "train"): [(0, 0.1), (1, 0.1)],
        ("only_b", "x"): [(5, float("nan"))],  # no finite value: Min/Max empty
    },
    "c" * 32: {
        # lacks loss/train entirely
        ("accuracy", "val"): [(3, 0.6), (1, 0.95)],  # reported out of order: Last is iteration 3
        ("lr", "train"): [(0, 0.1), (1, 0.1)],
    },
}

MODELS = [Model(id="a" * 32, name="base"), Model(id="b" * 32, name="ft"), Model(id="c" * 32, name="ft2")]


def summaries_from_raw(raw=RAW) -> dict[str, list[ScalarSummary]]:
    return {
        model_id: sorted(
            (reference_summary(m, v, pts) for (m, v), pts in series.items()), key=lambda s: (s.metric, s.variant)
        )
        for model_id, series in raw.items()
    }


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("agg", ["last", "min", "max"])
def test_values_match_raw_points(agg: str) -> None:
    table = build_value_table(MODELS, summaries_from_raw(), agg=agg)
    keys = sorted({k for series in RAW.values() for k in series})
    assert [(r.metric, r.variant) for r in table.rows] == keys
    for row in table.rows:
        for model, value in zip(MODELS, row.values):
            points = RAW[model.id].get((row.metric, row.variant))
            want = None if points is None else expected_value(points, agg)
            assert same(value, want), (row.key, model.name, agg, value, want)


def test_specific_cells() -> None:
    last = build_value_table(MODELS, summaries_from_raw(), agg="last")
    assert last.row("loss", "train").values == (0.45, 0.7, None)
    acc = last.row("accuracy", "val")
    assert acc.values[0] == 0.8 and math.isnan(acc.values[1]) and acc.values[2] == 0.6
    mn = build_value_table(MODELS, summaries_from_raw(), agg="min")
    assert mn.row("loss", "train").values == (0.45, 0.7, None)  # inf ignored, superseded 0.9 gone
    assert mn.row("only_b", "x").values == (None, None, None)
    mx = build_value_table(MODELS, summaries_from_raw(), agg="max")
    assert mx.row("loss", "train").values == (2.0, 2.5, None)


def test_store_summaries_give_the_same_table(store) -> None:
    """End to end through the embedded store: its summaries agree with the reference."""
    for model in MODELS:
        store.save_model(Model(id=model.id, name=model.name))
        for (metric, variant), points in RAW[model.id].items():
            for it, v in points:  # one report at a time, as a training loop would
                store.add_scalars(model.id, metric, variant, [it], [v], [1_700_000_000.0 + it])
    from_store = store.scalar_summaries([m.id for m in MODELS])
    for agg in ("last", "min", "max"):
        got = build_value_table(MODELS, from_store, agg=agg)
        want = build_value_table(MODELS, summaries_from_raw(), agg=agg)
        assert value_table_to_csv(got) == value_table_to_csv(want)


def test_model_missing_from_summaries_gives_empty_column() -> None:
    extra = Model(id="d" * 32, name="nothing")
    table = build_value_table([*MODELS, extra], summaries_from_raw(), agg="last")
    assert all(r.values[3] is None for r in table.rows)


def test_unknown_aggregation_is_refused() -> None:
    with pytest.raises(ValueError, match="median"):
        build_value_table(MODELS, summaries_from_raw(), agg="median")


# -- row flags ----------------------------------------------------------------------------


def test_all_equal_and_no_extremes() -> None:
    table = build_value_table(MODELS, summaries_from_raw(), agg="last")
    lr = table.row("lr", "train")
    assert lr.all_equal
    assert lr.max_indices == () and lr.min_indices == ()
    assert not table.row("loss", "train").all_equal


def test_all_equal_needs_every_model() -> None:
    assert not build_row("m", "v", [1.0, None, 1.0]).all_equal
    assert build_row("m", "v", [float("nan"), float("nan")]).all_equal
    assert not build_row("m", "v", [1.0]).all_equal  # one model: nothing to compare


def test_extremes_ignore_non_finite_and_missing() -> None:
    row = build_row("score", "", [3.0, float("inf"), None, -1.0, float("nan"), 7.0])
    assert row.max_indices == (5,) and row.min_indices == (3,)
    assert row.max_index == 5 and row.min_index == 3


def test_extremes_ties_mark_every_column() -> None:
    row = build_row("score", "", [2.0, 1.0, 2.0, 1.0])
    assert row.max_indices == (0, 2) and row.min_indices == (1, 3)


def test_extremes_none_when_finite_values_agree() -> None:
    row = build_row("score", "", [4.0, None, 4.0, float("nan")])
    assert row.max_indices == () and row.min_indices == ()
    assert not row.all_equal


# -- deltas and directions ----------------------------------------------------------------


def test_deltas_against_base() -> None:
    row = build_row("val", "loss", [2.0, 1.5, 2.0, 3.0, None, float("nan")])
    assert row.direction == "lower"
    assert row.deltas[0] is None  # the base itself
    d = row.deltas[1]
    assert d.absolute == -0.5 and d.percent == -25.0 and d.verdict == "better"
    assert row.deltas[2].verdict == "same" and row.deltas[2].percent == 0.0
    assert row.deltas[3].verdict == "worse" and row.deltas[3].percent == 50.0
    assert row.deltas[4] is None and row.deltas[5] is None


def test_delta_percent_uses_magnitude_of_base_and_none_for_zero() -> None:
    row = build_row("val", "accuracy", [-2.0, -1.0])
    assert row.deltas[1].percent == 50.0 and row.deltas[1].verdict == "better"
    zero = build_row("val", "accuracy", [0.0, 0.25])
    assert zero.deltas[1].absolute == 0.25 and zero.deltas[1].percent is None
    assert zero.deltas[1].verdict == "better"


def test_missing_base_means_no_deltas() -> None:
    row = build_row("loss", "", [None, 1.0, 2.0])
    assert row.deltas == (None, None, None)


def test_unknown_direction_has_no_verdict() -> None:
    row = build_row("learning_rate", "", [0.1, 0.2])
    assert row.direction is None
    assert row.deltas[1].absolute == pytest.approx(0.1) and row.deltas[1].verdict is None


@pytest.mark.parametrize(
    ("metric", "variant", "want"),
    [
        ("loss", "train", "lower"),
        ("train", "loss", "lower"),
        ("val_loss", "", "lower"),
        ("valLoss", "", "lower"),
        ("eval", "perplexity", "lower"),
        ("WER", "test", "lower"),
        ("inference", "latency_ms", "lower"),
        ("epoch_time", "", "lower"),
        ("top1_acc", "", "higher"),
        ("val", "Accuracy", "higher"),
        ("mAP", "coco", "higher"),
        ("f1", "macro", "higher"),
        ("rouge1", "", "higher"),
        ("R2", "", "higher"),
        ("AUC-ROC", "", "higher"),
        ("iou_0.5", "", "higher"),
        # word boundaries: no direction hidden inside other words
        ("runtime_config", "", None),
        ("accumulate_steps", "", None),
        ("timestamp", "", None),
        ("learning_rate", "", None),
        ("mapping", "size", None),
        # the variant is the more specific part
        ("accuracy", "error", "lower"),
        ("loss", "accuracy", "higher"),
    ],
)
def test_metric_direction_from_words(metric: str, variant: str, want: str | None) -> None:
    assert metric_direction(metric, variant) == want


def test_metric_direction_overrides() -> None:
    overrides = {"loss/train": "higher", "reward": "higher", "*/steps": "lower", "val/*": None}
    assert metric_direction("loss", "train", overrides) == "higher"  # exact metric/variant
    assert metric_direction("loss", "val", overrides) == "lower"  # not overridden: words
    assert metric_direction("reward", "episode", overrides) == "higher"  # exact metric
    assert metric_direction("env", "steps", overrides) == "lower"  # glob
    assert metric_direction("VAL", "accuracy", overrides) is None  # glob, case-insensitive, None
    with pytest.raises(ValueError, match="'up'"):
        metric_direction("x", "", {"x": "up"})


def test_row_uses_overrides() -> None:
    table = build_value_table(MODELS, summaries_from_raw(), overrides={"lr": "lower"})
    assert table.row("lr", "train").direction == "lower"


# -- filter and labels --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "metric", "variant", "want"),
    [
        ("", "loss", "train", True),
        ("LOSS", "loss", "train", True),  # substring, case-insensitive
        ("s/tr", "loss", "train", True),
        ("val", "loss", "train", False),
        ("loss/*", "loss", "train", True),  # glob over the whole key
        ("loss*", "val_loss", "x", False),
        ("*loss*", "val_loss", "x", True),
        ("acc?racy/*", "Accuracy", "val", True),
        ("[lv]*", "val", "x", True),
        ("[lv]*", "train", "x", False),
    ],
)
def test_metric_filter(pattern: str, metric: str, variant: str, want: bool) -> None:
    assert matches_metric_filter(metric, variant, pattern) is want


def test_filter_applies_to_table_and_keeps_total() -> None:
    table = build_value_table(MODELS, summaries_from_raw(), metric_filter="*/train")
    assert [r.key for r in table.rows] == ["loss/train", "lr/train"]
    assert table.total_rows == 4


def test_column_labels_disambiguate_shared_names() -> None:
    models = [
        Model(id="1234567890", name="resnet"),
        Model(id="abcdefabcdef", name="resnet"),
        Model(id="ffff", name="vit"),
        Model(id="eeee", name=""),
    ]
    assert model_labels(models) == ["resnet (12345678)", "resnet (abcdefab)", "vit", "eeee"]
    same_prefix = [Model(id="deadbeef-1", name="m"), Model(id="deadbeef-2", name="m")]
    assert model_labels(same_prefix) == ["m (deadbeef-1)", "m (deadbeef-2)"]


# -- number formatting --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "want"),
    [
        (0.9123456789, "0.912346"),
        (1234567.0, "1.23457e+06"),
        (123456.0, "123456"),
        (1.5e-7, "1.5e-07"),
        (0.0, "0"),
        (-0.0, "0"),
        (42.0, "42"),
        (-3.25, "-3.25"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        (None, ""),
    ],
)
def test_format_number(value: float | None, want: str) -> None:
    assert format_number(value) == want


def test_format_number_significant_digits() -> None:
    assert format_number(3.14159265, sig=3) == "3.14"


def test_format_delta() -> None:
    row = build_row("loss", "", [2.0, 1.5, 2.0])
    assert format_delta(row.deltas[1]) == "-25%"
    assert format_delta(row.deltas[2]) == "±0%"
    assert format_delta(build_row("x", "", [0.0, 0.5]).deltas[1]) == "+0.5"
    assert format_delta(None) == ""


# -- exports ------------------------------------------------------------------------------


def test_csv_exact() -> None:
    models = [Model(id="a" * 32, name="base, v1"), Model(id="b" * 32, name='the "ft"')]
    summaries = {
        "a" * 32: [
            reference_summary("loss", "train", [(0, 0.1), (1, 1 / 3)]),
            reference_summary("acc", "val,top1", [(0, float("nan"))]),
        ],
        "b" * 32: [reference_summary("loss", "train", [(0, 1e-300), (5, float("-inf"))])],
    }
    text = value_table_to_csv(build_value_table(models, summaries, agg="last"))
    assert text == (
        'metric,variant,"base, v1","the ""ft"""\n'
        'acc,"val,top1",nan,\n'
        "loss,train,0.3333333333333333,-inf\n"
    )
    # reads back with the csv module to the same floats
    rows = list(csv.reader(io.StringIO(text)))
    assert float(rows[2][2]) == 1 / 3
    assert rows[1][3] == ""


def test_csv_round_trips_floats() -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(size=50) * 10.0 ** rng.integers(-300, 300, size=50), [5e-324, 1e308, 3.0]])
    models = [Model(id=f"m{i}", name=f"m{i}") for i in range(len(values))]
    summaries = {m.id: [reference_summary("x", "y", [(0, float(v))])] for m, v in zip(models, values)}
    text = value_table_to_csv(build_value_table(models, summaries))
    cells = list(csv.reader(io.StringIO(text)))[1][2:]
    assert [float(c) for c in cells] == [float(v) for v in values]
    assert cells[-1] == "3"  # integral floats without ".0"


def test_csv_empty_table_is_just_the_header() -> None:
    assert value_table_to_csv(build_value_table(MODELS, {})) == "metric,variant,base,ft,ft2\n"


def test_json_is_valid_and_spells_non_finite() -> None:
    table = build_value_table(MODELS, summaries_from_raw(), agg="last")
    doc = value_table_to_json(table)
    text = json.dumps(doc, allow_nan=False)  # raises on a bare NaN
    back = json.loads(text)
    assert back["agg"] == "last"
    assert back["models"] == [{"id": m.id, "name": m.name} for m in MODELS]
    rows = {(r["metric"], r["variant"]): r["values"] for r in back["rows"]}
    assert rows[("loss", "train")] == [0.45, 0.7, None]
    assert rows[("accuracy", "val")] == [0.8, "nan", 0.6]
    assert set(back["rows"][0]) == {"metric", "variant", "values"}


def test_markdown() -> None:
    models = [Model(id="a", name="a|b"), Model(id="b", name="c")]
    summaries = {
        "a": [reference_summary("loss", "train", [(0, 1.0)]), reference_summary("k", "v", [(0, 2.0)])],
        "b": [reference_summary("loss", "train", [(0, 0.5)]), reference_summary("k", "v", [(0, 2.0)])],
    }
    md = value_table_to_markdown(build_value_table(models, summaries), extremes=True)
    assert md.splitlines() == [
        "| = | metric | variant | a\\|b | c |",
        "| :-: | --- | --- | ---: | ---: |",
        "| = | k | v | 2 | 2 |",
        "|  | loss | train | 1 ▲ | 0.5 ▼ |",
        "",
        "= all models agree",
    ]
    # no row agrees: no column for it
    summaries["b"][1] = reference_summary("k", "v", [(0, 3.0)])
    assert value_table_to_markdown(build_value_table(models, summaries)).splitlines()[0] == "| metric | variant | a\\|b | c |"


def test_text_marks_and_alignment() -> None:
    table = build_value_table(MODELS, summaries_from_raw(), agg="last")
    lines = value_table_to_text(table, width=120, extremes=True).splitlines()
    assert lines[0].split() == ["metric", "variant", "base", "ft", "ft2"]
    by_metric = {line[3:].split()[0]: line for line in lines[1:]}
    assert by_metric["lr"].startswith("=")
    assert not by_metric["loss"].startswith("=")
    assert "0.45 ▼" in by_metric["loss"] and "0.7 ▲" in by_metric["loss"]
    assert by_metric["loss"].rstrip().endswith("–")  # ft2 lacks loss/train


def test_text_right_aligns_values_under_their_labels() -> None:
    table = build_value_table(MODELS, summaries_from_raw(), agg="last")
    lines = value_table_to_text(table, width=120, extremes=False).splitlines()
    assert len({len(line) for line in lines}) == 1  # every cell ends at its column's right edge
    header = lines[0]
    for label in ("base", "ft", "ft2"):
        end = header.index(f" {label}") + 1 + len(label)
        assert all(line[end - 1] != " " for line in lines[1:]), label


def test_text_with_deltas() -> None:
    table = build_value_table(MODELS, summaries_from_raw(), agg="last")
    text = value_table_to_text(table, width=120, deltas=True)
    loss = next(line for line in text.splitlines() if " loss " in line)
    assert "0.7 (+55.6%)" in loss


def test_text_splits_model_columns_to_fit_width() -> None:
    models = [Model(id=f"id{i}", name=f"model-number-{i}") for i in range(8)]
    summaries = {m.id: [reference_summary("loss", "train", [(0, 1.0 + i / 7)])] for i, m in enumerate(models)}
    text = value_table_to_text(build_value_table(models, summaries), width=60)
    lines = text.splitlines()
    assert all(len(line) <= 60 for line in lines)
    headers = [line for line in lines if line.strip().startswith("metric")]
    assert len(headers) > 1  # several blocks
    # every model appears in some block, by what tells it apart (the shared
    # "model-number-" cut, so that 2 blocks hold what whole names needed 4 for)
    labels = [label for header in headers for label in header.split()[2:]]
    assert labels == [f"…{i}" for i in range(8)]
    assert len(headers) == 2
    wide = value_table_to_text(build_value_table(models, summaries), width=300)
    assert all(m.name in wide for m in models)  # with room, whole names


def test_text_empty_table_says_so() -> None:
    text = value_table_to_text(build_value_table(MODELS, summaries_from_raw(), metric_filter="nope"))
    assert "no scalars matching 'nope'" in text


# -- graph groups -------------------------------------------------------------------------


def test_graph_groups_by_variant_and_by_metric() -> None:
    summaries = summaries_from_raw()
    by_variant = graph_groups(MODELS, summaries)
    loss = next(g for g in by_variant if g.key == "loss/train")
    assert [m.model_index for m in loss.members] == [0, 1]
    assert [m.name for m in loss.members] == ["base", "ft"]
    assert loss.missing == (2,)

    extra = dict(summaries)
    extra["a" * 32] = [*summaries["a" * 32], reference_summary("loss", "val", [(0, 1.0)])]
    by_metric = graph_groups(MODELS, extra, group_by="metric", metric_filter="loss")
    assert [g.key for g in by_metric] == ["loss"]
    assert [m.name for m in by_metric[0].members] == ["base · train", "base · val", "ft · train"]
    with pytest.raises(ValueError):
        graph_groups(MODELS, summaries, group_by="model")
