"""The Scalars tab's Values table as plain data (its text formats are in
render/value_text.py).

One row per (metric, variant) over the union of the compared models' series,
one value per model in comparison order (base first), None where a model lacks
the series. Each row knows whether all models agree, its extremes, each
model's delta against the base and whether that delta is an improvement
(which needs the metric's direction: loss goes down, accuracy goes up).

Everything here is pure: the Scalars widget, `render` and `report` build the
same table.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from .labels import model_labels
from .model import Model, ScalarSummary, format_float

__all__ = [
    "AGGREGATIONS",
    "DIRECTIONS",
    "build_row",
    "build_value_table",
    "config_differences",
    "config_notes",
    "Delta",
    "format_delta",
    "format_number",
    "graph_groups",
    "GraphGroup",
    "GraphMember",
    "is_glob",
    "json_number",
    "matches_metric_filter",
    "matches_text",
    "metric_direction",
    "ValueRow",
    "ValueTable",
]

AGGREGATIONS = ("last", "min", "max")
DIRECTIONS = ("lower", "higher")

MAX_GLYPH = "▲"
MIN_GLYPH = "▼"
EQUAL_MARK = "="
MISSING_TEXT = "–"  # a model lacks the series (plain text and Markdown)

# Words that say which way a metric improves. Matched against whole words of
# "metric/variant" (see _name_words), never inside other words: "time" must not
# match "runtime_config", "acc" must not match "accumulate".
_LOWER_WORDS = frozenset([
    "loss", "error", "err", "mse", "mae", "rmse", "mape", "nll", "perplexity", "ppl", "wer", "cer",
    "latency", "time", "duration",
])
_HIGHER_WORDS = frozenset([
    "acc", "accuracy", "f1", "precision", "recall", "auc", "map", "iou", "miou", "bleu", "rouge", "r2", "dice",
    "throughput",
])


# -- metric names: filter and direction -------------------------------------------------

_GLOB_CHARS = frozenset("*?[")


def is_glob(pattern: str) -> bool:
    return any(ch in _GLOB_CHARS for ch in pattern)


def matches_text(text: str, pattern: str) -> bool:
    """A case-insensitive glob over the whole text when the pattern has `*`,
    `?` or `[`, else a case-insensitive substring. An empty pattern matches
    everything."""
    pattern = pattern.strip()
    if not pattern:
        return True
    if is_glob(pattern):
        return fnmatch.fnmatchcase(text.casefold(), pattern.casefold())
    return pattern.casefold() in text.casefold()


def matches_metric_filter(metric: str, variant: str, pattern: str) -> bool:
    """The metric filter of the Scalars and Plots tabs: matches_text over
    "metric/variant"."""
    return matches_text(f"{metric}/{variant}", pattern)


_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_TRAILING_DIGITS = re.compile(r"^(.*?[a-z])[0-9]+$")


def _name_words(name: str) -> list[str]:
    """Whole words of a metric name, lower-cased, in order. A token counts as
    itself ("f1", "r2", "map" from "mAP"), as its camelCase parts ("valLoss" ->
    "val", "loss") and without trailing digits ("rouge1" -> "rouge", "acc5" ->
    "acc")."""
    words: list[str] = []
    for token in _NON_ALNUM.split(name):
        if not token:
            continue
        candidates = [token.lower()]
        parts = _CAMEL.findall(token)
        if len(parts) > 1:
            candidates.extend(p.lower() for p in parts)
        for cand in list(candidates):
            m = _TRAILING_DIGITS.match(cand)
            if m:
                candidates.append(m.group(1))
        words.extend(candidates)
    return words


@lru_cache(maxsize=8192)
def _name_direction(name: str) -> str | None:
    return _direction_of_words(_name_words(name))


def _direction_of_words(words: list[str]) -> str | None:
    # the last matching word decides: the head of an English compound comes last
    # ("accuracy_error" is an error, "error_free_accuracy" an accuracy)
    for word in reversed(words):
        if word in _LOWER_WORDS:
            return "lower"
        if word in _HIGHER_WORDS:
            return "higher"
    return None


def metric_direction(
    metric: str, variant: str = "", overrides: Mapping[str, str | None] | None = None
) -> str | None:
    """'lower' when smaller values are better, 'higher' when larger are, None when
    the name does not say.

    `overrides` maps a key to 'lower', 'higher' or None (= unknown); a key is an
    exact "metric/variant", an exact "metric", or a glob over "metric/variant"
    (case-insensitive), tried in that order (globs in the mapping's order).
    Otherwise the variant's words decide, then the metric's: in ClearML-style
    naming the variant is the more specific part ("train/loss")."""
    if overrides:
        key = f"{metric}/{variant}"
        for candidate in (key, metric):
            if candidate in overrides:
                return _checked_direction(candidate, overrides[candidate])
        folded = key.casefold()
        for pattern, direction in overrides.items():
            if is_glob(pattern) and fnmatch.fnmatchcase(folded, pattern.casefold()):
                return _checked_direction(pattern, direction)
    return _name_direction(variant) or _name_direction(metric)


def _checked_direction(key: str, direction: str | None) -> str | None:
    if direction is None or direction in DIRECTIONS:
        return direction
    raise ValueError(f"metric direction override {key!r}: {direction!r} is not 'lower', 'higher' or null")


# -- numbers ----------------------------------------------------------------------------


def format_number(value: float | None, sig: int = 6, missing: str = "") -> str:
    """Readable text of a value: `sig` significant digits, trailing zeros
    dropped, exponent form only for very large/small magnitudes ("0.912346",
    "1.5e-07", "1.23457e+06"); nan/inf/-inf spelled out; `missing` for None.
    The exact value is core.model.format_float."""
    if value is None:
        return missing
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"  # also -0.0: a sign on zero only confuses
    return format(value, f".{max(1, sig)}g")


def json_number(value: float | None) -> float | str | None:
    """A value for JSON output: finite floats as numbers, None as null, non-finite
    as the strings "nan", "inf", "-inf" (JSON has no such numbers; the model file
    format of PRODUCT §5 writes them the same way)."""
    if value is None:
        return None
    value = float(value)
    if math.isfinite(value):
        return value
    return format_float(value)


# -- the table ---------------------------------------------------------------------------


class Delta(NamedTuple):
    """A model's value against the base's on one row. Only defined when both are
    finite (a difference with nan or inf says nothing). A NamedTuple: a table
    makes one per cell."""

    absolute: float  # value - base
    percent: float | None  # 100 * (value - base) / |base|; None when base == 0
    verdict: str | None  # better | worse | same; None when the direction is unknown


@dataclass(frozen=True)
class ValueRow:
    metric: str
    variant: str
    values: tuple[float | None, ...]  # one per model, comparison order; None = lacks the series
    all_equal: bool  # >= 2 models, every one has the series, all values equal (nan == nan)
    max_indices: tuple[int, ...]  # columns holding the row's largest finite value (ties: all)
    min_indices: tuple[int, ...]  # () when the finite values are fewer than two distinct ones
    direction: str | None  # lower | higher | None

    @property
    def key(self) -> str:
        return f"{self.metric}/{self.variant}"

    @property
    def max_index(self) -> int | None:
        return self.max_indices[0] if self.max_indices else None

    @property
    def min_index(self) -> int | None:
        return self.min_indices[0] if self.min_indices else None

    @cached_property
    def deltas(self) -> tuple[Delta | None, ...]:
        """One per model: the change against the base (column 0); None for the
        base itself and where either value is missing or non-finite. Computed on
        first use: most views never show deltas."""
        vals = self.values
        base = vals[0] if vals else None
        if base is None or not math.isfinite(base):
            return (None,) * len(vals)
        scale = 100.0 / abs(base) if base != 0 else None
        direction = self.direction
        out: list[Delta | None] = [None]
        for v in vals[1:]:
            if v is None or not math.isfinite(v):
                out.append(None)
                continue
            diff = v - base
            if direction is None:
                verdict = None
            elif diff == 0:
                verdict = "same"
            elif (diff < 0) == (direction == "lower"):
                verdict = "better"
            else:
                verdict = "worse"
            out.append(Delta(diff, None if scale is None else diff * scale, verdict))
        return tuple(out)


@dataclass(frozen=True)
class ValueTable:
    agg: str  # last | min | max (summary tables: "value")
    models: tuple[Model, ...]  # comparison order, base first
    labels: tuple[str, ...]  # model_labels(models)
    rows: tuple[ValueRow, ...]  # sorted by (metric, variant)
    metric_filter: str = ""
    total_rows: int = 0  # rows before the metric filter

    def row(self, metric: str, variant: str) -> ValueRow | None:
        return self._by_key.get((metric, variant))

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], ValueRow]:
        return {(r.metric, r.variant): r for r in self.rows}


def build_row(
    metric: str,
    variant: str,
    values: Sequence[float | None],
    overrides: Mapping[str, str | None] | None = None,
    direction: str | None = None,
) -> ValueRow:
    """Flags of one row from its values (one per model, base first). `direction`
    given wins over the name-derived one. Written as plain loops: it runs once
    per row on every Last/Min/Max switch and filter keystroke."""
    vals = tuple(None if v is None else float(v) for v in values)
    isfinite = math.isfinite
    hi = lo = None
    missing = nan_count = 0
    for v in vals:
        if v is None:
            missing += 1
        elif isfinite(v):
            if hi is None or lo is None:  # always both or neither; testing lo too narrows it for mypy
                hi = lo = v
            else:
                if v > hi:
                    hi = v
                elif v < lo:
                    lo = v
        elif v != v:
            nan_count += 1
    if missing or len(vals) < 2:
        all_same = False
    elif nan_count:
        all_same = nan_count == len(vals)  # nan == nan: the same stored value
    else:
        first = vals[0]
        all_same = all(v == first for v in vals)
    max_idx: tuple[int, ...] = ()
    min_idx: tuple[int, ...] = ()
    if hi is not None and hi != lo:
        max_idx = tuple(i for i, v in enumerate(vals) if v == hi)
        min_idx = tuple(i for i, v in enumerate(vals) if v == lo)
    if direction is None:
        direction = metric_direction(metric, variant, overrides)
    return ValueRow(metric, variant, vals, all_same, max_idx, min_idx, direction)


def build_value_table(
    models: Sequence[Model],
    summaries: Mapping[str, Sequence[ScalarSummary]],
    agg: str = "last",
    metric_filter: str = "",
    overrides: Mapping[str, str | None] | None = None,
) -> ValueTable:
    """The Values table: rows over the union of the models' series, sorted by
    (metric, variant); `summaries` is Source.scalar_summaries (a model missing
    from it has no series). Last is the summary's value at the highest
    iteration (nan stays nan); Min/Max ignore non-finite points, so a series
    with none gives None (an empty cell, as for a missing series)."""
    if agg not in AGGREGATIONS:
        raise ValueError(f"aggregation {agg!r} is not one of {', '.join(AGGREGATIONS)}")
    per_model: list[dict[tuple[str, str], ScalarSummary]] = []
    keys: set[tuple[str, str]] = set()
    for m in models:
        by_key = {(s.metric, s.variant): s for s in summaries.get(m.id, ())}
        per_model.append(by_key)
        keys.update(by_key)
    ordered = sorted(keys)
    rows = []
    for metric, variant in ordered:
        if not matches_metric_filter(metric, variant, metric_filter):
            continue
        values = []
        for by_key in per_model:
            s = by_key.get((metric, variant))
            values.append(None if s is None else s.value(agg))
        rows.append(build_row(metric, variant, values, overrides))
    return ValueTable(
        agg=agg,
        models=tuple(models),
        labels=tuple(model_labels(models)),
        rows=tuple(rows),
        metric_filter=metric_filter,
        total_rows=len(ordered),
    )


# -- exports -----------------------------------------------------------------------------


def format_delta(delta: Delta | None, sig: int = 3) -> str:
    """Short text of a delta: the percent change when the base is non-zero
    ("+2.5%"), else the absolute one ("+0.013")."""
    if delta is None:
        return ""
    if delta.percent is not None:
        if delta.percent == 0:
            return "±0%"
        return f"{'+' if delta.percent > 0 else ''}{format_number(delta.percent, sig)}%"
    if delta.absolute == 0:
        return "±0"
    return f"{'+' if delta.absolute > 0 else ''}{format_number(delta.absolute, sig)}"


# -- Graph view: which series go into which chart -------------------------------------


@dataclass(frozen=True)
class GraphMember:
    """One line of a Graph-view chart: a model's series."""

    model_index: int  # comparison order: its color and legend position
    model_id: str
    metric: str
    variant: str
    name: str  # legend text


@dataclass(frozen=True)
class GraphGroup:
    """One chart of the Graph view. `key` is what ScalarsView.focused and
    `render --plot` name: "metric/variant", or "metric" when grouped by metric."""

    key: str
    title: str
    metric: str
    variant: str | None  # None when grouped by metric
    members: tuple[GraphMember, ...]
    missing: tuple[int, ...]  # models with no series in this chart


def graph_groups(
    models: Sequence[Model],
    summaries: Mapping[str, Sequence[ScalarSummary]],
    group_by: str = "variant",
    metric_filter: str = "",
) -> list[GraphGroup]:
    """The charts of the Graph view in (metric, variant) order.

    group_by "variant": one chart per metric/variant, a line per model named by
    the model's label. group_by "metric": one chart per metric holding every
    variant of every model, lines named "model · variant". The metric filter
    applies to each series' "metric/variant"."""
    if group_by not in ("variant", "metric"):
        raise ValueError(f"group_by {group_by!r} is not 'variant' or 'metric'")
    labels = model_labels(models)
    charts: dict[tuple[str, str | None], list[GraphMember]] = {}
    for index, m in enumerate(models):
        for s in summaries.get(m.id, ()):
            if not matches_metric_filter(s.metric, s.variant, metric_filter):
                continue
            if group_by == "variant":
                key: tuple[str, str | None] = (s.metric, s.variant)
                name = labels[index]
            else:
                key = (s.metric, None)
                name = f"{labels[index]} · {s.variant}" if s.variant else labels[index]
            charts.setdefault(key, []).append(GraphMember(index, m.id, s.metric, s.variant, name))
    groups = []
    for (metric, variant), members in sorted(charts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        members.sort(key=lambda g: (g.model_index, g.variant))
        present = {g.model_index for g in members}
        group_key = metric if variant is None else f"{metric}/{variant}"
        groups.append(
            GraphGroup(
                key=group_key,
                title=group_key,
                metric=metric,
                variant=variant,
                members=tuple(members),
                missing=tuple(i for i in range(len(models)) if i not in present),
            )
        )
    return groups


# -- rich rendering (render --format ansi|svg|html) -------------------------------------


# -- config values in chart legends ------------------------------------------------------


def config_differences(models: Sequence[Model], max_keys: int = 4) -> list[tuple[str, tuple[str, ...]]]:
    """The configuration keys whose values differ between the models (clearml
    #993: a chart legend that says what tells the runs apart), in the first
    model's key order, at most `max_keys`: (key path, value text per model,
    "–" where a model lacks the key). Models whose config is absent or plain
    text have no keys. Numbers compare by value (1e-3 == 0.001)."""
    from .config_flatten import compare_key, flatten_config, format_leaf

    flats = [flatten_config(m.config) if m.config is not None else None for m in models]
    if sum(f is not None for f in flats) < 2 and len(models) > 1:
        return []
    order: dict[str, None] = {}
    for flat in flats:
        for key in flat or {}:
            order.setdefault(key, None)
    absent = object()
    out: list[tuple[str, tuple[str, ...]]] = []
    for key in order:
        values = [absent if flat is None else flat.get(key, absent) for flat in flats]
        distinct = {("absent",) if v is absent else compare_key(v) for v in values}
        if len(distinct) > 1:
            out.append((key, tuple(MISSING_TEXT if v is absent else format_leaf(v) for v in values)))
            if len(out) >= max_keys:
                break
    return out


def config_notes(models: Sequence[Model], max_keys: int = 3) -> list[str]:
    """Per model the legend note "lr=0.001 batch=32" of the differing config keys
    (the last part of each key path, for brevity)."""
    diffs = config_differences(models, max_keys)
    notes = []
    for i in range(len(models)):
        parts = [f"{key.rsplit('.', 1)[-1]}={values[i]}" for key, values in diffs]
        notes.append(" ".join(parts))
    return notes
