"""The data model (PRODUCT.md §2): plain typed objects, no Textual import.

Scalar points travel as numpy arrays: a series of 20,000 points as Python
tuples costs ~50x the memory and time of three arrays. numpy itself is imported
only where points are handled (~100 ms of start-up the models table never needs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # annotations only (they stay strings): see the module docstring
    import numpy as np

STATUSES = ("draft", "published")
CONFIG_FORMATS = ("json", "yaml", "text")
MERGEABLE_PLOT_KINDS = ("line", "scatter", "bar", "box", "histogram")
PLOT_KINDS = MERGEABLE_PLOT_KINDS + ("table", "heatmap", "confusion_matrix", "text")

# Columns of the models table, in display order. `id` is hidden by default.
MODEL_COLUMNS = ("name", "project", "framework", "status", "tags", "user", "created", "updated", "id")
# Columns whose filter is a checklist of values (the rest filter by text / range).
CATEGORICAL_COLUMNS = ("project", "framework", "status", "tags", "user")

Tab = Literal["details", "network", "scalars", "plots"]  # core.tabs.TABS, as a type


@dataclass(frozen=True)
class MetadataItem:
    key: str
    type: str
    value: str


@dataclass(frozen=True)
class Config:
    format: str  # json | yaml | text
    text: str


@dataclass
class Model:
    """A model's descriptive fields: everything but its scalars and plots."""

    id: str
    name: str
    project: str = ""
    framework: str = ""
    status: str = "draft"
    tags: list[str] = field(default_factory=list)
    user: str = ""
    created: str = ""  # ISO-8601 UTC
    updated: str = ""
    comment: str = ""
    uri: str = ""
    task_id: str = ""
    task_name: str = ""
    parent: str = ""  # id of the model it was fine-tuned from
    children: list[str] = field(default_factory=list)  # derived, never stored
    labels: dict[str, int] = field(default_factory=dict)
    metadata: list[MetadataItem] = field(default_factory=list)
    config: Config | None = None

    def short_id(self) -> str:
        return self.id[:8]


@dataclass
class ScalarSeries:
    """One (metric, variant) series. Arrays are parallel; timestamps are epoch
    seconds (NaN where unknown)."""

    metric: str
    variant: str
    iterations: np.ndarray  # int64
    values: np.ndarray  # float64
    timestamps: np.ndarray  # float64

    def __len__(self) -> int:
        return int(self.iterations.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ScalarSeries):
            return NotImplemented
        import numpy as np

        return (
            self.metric == other.metric
            and self.variant == other.variant
            and np.array_equal(self.iterations, other.iterations)
            and np.array_equal(self.values, other.values, equal_nan=True)
            and np.array_equal(self.timestamps, other.timestamps, equal_nan=True)
        )


@dataclass(frozen=True)
class ScalarSummary:
    """Per (metric, variant): Last (value at the highest iteration), Min and Max
    (finite values only; None when the series has no finite value)."""

    metric: str
    variant: str
    last: float
    last_iteration: int
    min: float | None
    min_iteration: int | None
    max: float | None
    max_iteration: int | None
    count: int
    first_timestamp: float | None = None
    last_timestamp: float | None = None

    def value(self, agg: str) -> float | None:
        if agg == "last":
            return self.last
        if agg == "min":
            return self.min
        if agg == "max":
            return self.max
        raise ValueError(f"unknown aggregation {agg!r}")


@dataclass(frozen=True)
class Plot:
    metric: str
    variant: str
    iteration: int
    kind: str
    data: dict[str, Any]
    timestamp: float | None = None


@dataclass
class ModelRecord:
    """A whole model: what a model file holds and `export` writes."""

    model: Model
    scalars: list[ScalarSeries] = field(default_factory=list)
    single_values: dict[str, float] = field(default_factory=dict)
    plots: list[Plot] = field(default_factory=list)


@dataclass(frozen=True)
class ModelRow:
    """One row of the models table (cheap: no labels/metadata/config)."""

    id: str
    name: str
    project: str
    framework: str
    status: str
    tags: tuple[str, ...]
    user: str
    created: str
    updated: str

    def cell(self, column: str) -> str:
        value = getattr(self, column)
        if column == "tags":
            return ", ".join(value)
        return str(value)


@dataclass(frozen=True)
class ModelQuery:
    """A page of the models table. Pushed down to the source.

    `filters`: column -> accepted values (OR within a column, AND across).
    For `tags` a row matches when it has any of the values.
    `ranges`: column -> (low, high) inclusive text range, either end may be ""
    (dates are ISO-8601, so text order is time order).
    `text_filters`: column -> substring (case-insensitive).
    `search`: case-insensitive substring of name, project or any tag.
    `sort`: (column, descending); empty = by updated, newest first.
    `pinned`: ids listed first, in that order, whatever the other settings.
    """

    search: str = ""
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ranges: tuple[tuple[str, str, str], ...] = ()
    text_filters: tuple[tuple[str, str], ...] = ()
    sort: tuple[str, bool] | None = None
    offset: int = 0
    limit: int = 100
    pinned: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelPage:
    rows: list[ModelRow]
    total: int  # rows matching the query, whatever offset/limit
    offset: int


@dataclass
class SeriesData:
    """Points of one series as read for a chart (possibly downsampled)."""

    metric: str
    variant: str
    iterations: np.ndarray
    values: np.ndarray
    timestamps: np.ndarray
    total_points: int  # points in the requested range before downsampling
    downsampled: bool


def is_finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def format_float(value: float) -> str:
    """Shortest text that reads back as the same float (repr), with nan/inf spelled."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text
