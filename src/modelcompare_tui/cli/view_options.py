"""The view options of share and render (--agg, --focus, --zoom, ...):
checked, then applied to a state through the one validator.
"""

from __future__ import annotations

import argparse
from typing import Any

from .errors import UsageError


def _view_overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """Per-tab dataclass fields set on the command line."""
    out: dict[str, dict[str, Any]] = {"details": {}, "network": {}, "scalars": {}, "plots": {}}
    for tab in ("details", "network"):
        if getattr(args, "hide_identical", None):
            out[tab]["hide_identical"] = True
        if getattr(args, "diff_mode", None):
            out[tab]["diff_mode"] = args.diff_mode
    mapping = {
        "agg": "agg", "view": "view", "extremes": "extremes", "delta": "delta",
        "metric_filter": "metric_filter", "group_by": "group_by", "x_axis": "x_axis",
        "smoothing": "smoothing", "smoothing_weight": "smoothing_weight", "log_y": "log_y",
        "config_legend": "config_legend",
    }
    for arg, field_name in mapping.items():
        value = getattr(args, arg, None)
        if value is not None:
            out["scalars"][field_name] = value
    if getattr(args, "metric_filter", None) is not None:
        out["plots"]["metric_filter"] = args.metric_filter
    if getattr(args, "iteration", None) is not None:
        out["plots"]["iteration"] = args.iteration
    if getattr(args, "field_search", None) is not None:
        for tab in ("details", "network"):
            out[tab]["search"] = args.field_search
    focus = getattr(args, "focus", None)
    if focus is not None:
        if focus and "/" not in focus:
            raise UsageError(f"--focus must be METRIC/VARIANT, not {focus!r}")
        out["scalars"]["focused"] = out["plots"]["focused"] = focus
    if getattr(args, "maximize", None):
        if not focus:
            raise UsageError("--maximize needs --focus METRIC/VARIANT (the chart to maximise)")
        out["scalars"]["maximized"] = out["plots"]["maximized"] = True
    zoom = getattr(args, "zoom", None)
    if zoom is not None:
        first, sep, last = zoom.partition(":")
        try:
            if not sep:
                raise ValueError
            span = (int(first), int(last))
        except ValueError:
            raise UsageError(f"--zoom must be FIRST:LAST iterations, not {zoom!r}") from None
        if span[0] > span[1]:
            raise UsageError(f"--zoom: FIRST must not exceed LAST, not {zoom!r}")
        if not (focus and getattr(args, "maximize", None)):
            raise UsageError("--zoom needs --focus METRIC/VARIANT and --maximize (it zooms the maximised chart)")
        out["scalars"]["zoom"] = span
    if getattr(args, "smoothing_weight", None) is not None and not 0 <= args.smoothing_weight < 1:
        raise UsageError(f"--smoothing-weight must be in [0, 1), not {args.smoothing_weight}")
    return out


def apply_view_overrides(state: Any, args: argparse.Namespace, tab: str | None = None) -> Any:
    from dataclasses import replace

    changes: dict[str, Any] = {}
    for part, fields in _view_overrides(args).items():
        if fields:
            changes[part] = replace(getattr(state, part), **fields)
    if tab:
        changes["tab"] = tab
    if not changes:
        return state
    from ..core.state import validate_state

    # the one validator: what render opens is exactly what share could have written
    return validate_state(replace(state, **changes))
