"""The comparison state: one immutable object (PRODUCT.md §7).

The App holds one ComparisonState; screens read it and replace it
(dataclasses.replace) when the user changes something. The state string
(state_string.py) is this object serialised, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DiffView:
    """View options of the Details tab and (separately) of the Network tab."""

    hide_identical: bool = False
    diff_mode: str = "base"  # base | all (a cell differs from any other column)
    search: str = ""  # filter over field names
    cursor_row: int = 0  # the cursor's row (index among all the table's rows); the scroll follows it
    cursor_column: int = 0  # the cursor's column (the model's position in the comparison)


@dataclass(frozen=True)
class ScalarsView:
    view: str = "values"  # values | graph
    agg: str = "last"  # last | min | max
    extremes: bool = False  # show row extremes
    delta: bool = False  # Δ vs base
    metric_filter: str = ""  # glob or substring over "metric/variant"
    group_by: str = "variant"  # variant (metric+variant, default) | metric
    x_axis: str = "iteration"  # iteration | relative | wall
    smoothing: str = "none"  # none | ema | running | gaussian
    smoothing_weight: float = 0.0  # in [0, 1); ema: the decay; running/gaussian: window as a fraction
    log_y: bool = False
    focused: str = ""  # "metric/variant" of the focused chart or row
    maximized: bool = False
    zoom: tuple[int, int] | None = None  # iteration range of the maximised chart
    config_legend: bool = False  # legends also show the config values that differ
    cursor_column: int = 0  # the Values table's cursor column (the model's position in the comparison)


@dataclass(frozen=True)
class PlotsView:
    iteration: int | None = None  # None = last reported
    metric_filter: str = ""
    focused: str = ""  # "metric/variant"
    maximized: bool = False


@dataclass(frozen=True)
class ComparisonState:
    source: str = ""  # source URI without credentials ("" = the current source)
    models: tuple[str, ...] = ()  # comparison order, base first
    tab: str = "details"
    details: DiffView = field(default_factory=DiffView)
    network: DiffView = field(default_factory=DiffView)
    scalars: ScalarsView = field(default_factory=ScalarsView)
    plots: PlotsView = field(default_factory=PlotsView)

    @property
    def base(self) -> str | None:
        return self.models[0] if self.models else None
