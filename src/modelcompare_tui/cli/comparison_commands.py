"""The commands on a comparison: share prints its state string, render
draws a view of it, report writes every tab into one document.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..core.plural import counted
from ..core.state import MAX_MODELS
from .errors import UsageError, _shown, _write_error
from .model_names import resolve_model, resolve_models
from .source_options import _open, _state_source
from .view_options import _view_overrides, apply_view_overrides

MIN_MODELS = 2  # a comparison holds MIN_MODELS to MAX_MODELS models (PRODUCT §4)


def _check_count(n: int, where: str, what: str) -> None:
    """`what`: how the n models came, e.g. "given" ("1 model given")."""
    if not MIN_MODELS <= n <= MAX_MODELS:
        raise UsageError(f"{where}: a comparison holds {MIN_MODELS} to {MAX_MODELS} models, "
                         f"not {counted(n, 'model')} {what}")


def cmd_share(args: argparse.Namespace) -> int:
    from ..core.state import ComparisonState, encode_state

    _view_overrides(args)  # bad view options are named before any source is opened
    source = _open(args, create=False)
    ids = resolve_models(source, args.ids, "share")
    if args.base:
        base = resolve_model(source, args.base, "share: --base")
        ids = [base, *(i for i in ids if i != base)]
    _check_count(len(ids), "share", "given" if len(ids) == len(args.ids) else "once duplicates are dropped")
    state = ComparisonState(source=source.uri, models=tuple(ids), tab=args.tab)
    state = apply_view_overrides(state, args)
    print(encode_state(state))
    return 0


def _check_present(source: Any, state: Any, where: str) -> None:
    """render/report: the state's models, at least MIN_MODELS of them in the
    source (the missing ones are named on stderr by the renderer)."""
    from ..render.views import load_models

    _check_count(len(state.models), where, "in the state")
    found, missing = load_models(source, state)
    if len(found) < MIN_MODELS:
        raise UsageError(f"{where}: {len(missing)} of the state's {counted(len(state.models), 'model')} "
                         f"{'is' if len(missing) == 1 else 'are'} missing from {_shown(source.uri)} "
                         f"({_shown(', '.join(missing))}): a comparison needs at least {MIN_MODELS}")


def _plot_view(state: Any, args: argparse.Namespace) -> Any:
    """render --plot on the scalars tab: its chart, so the Graph view."""
    if not args.plot or state.tab != "scalars" or state.scalars.view == "graph":
        return state
    if args.view == "values":
        raise UsageError("render: --plot draws one chart of the Graph view: drop --view values")
    from dataclasses import replace

    return replace(state, scalars=replace(state.scalars, view="graph"))


def cmd_render(args: argparse.Namespace) -> int:
    from ..core.state import decode_state
    from ..render.views import render_view, watch_render

    state = _plot_view(apply_view_overrides(decode_state(args.state), args, args.tab), args)
    source = _state_source(args, state)
    _check_present(source, state, "render")
    theme = getattr(args, "theme", None)  # the light theme's output uses the light shades
    if args.watch:
        return watch_render(source, state, fmt=args.format, width=args.width, plot=args.plot, theme=theme)
    sys.stdout.write(render_view(source, state, fmt=args.format, width=args.width, plot=args.plot, theme=theme))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from ..core.state import decode_state
    from ..render.views import report_format, write_report

    report_format(args.output)  # a bad suffix is refused before any source is opened
    if Path(args.output).is_dir():
        raise UsageError(f"report: {_shown(args.output)}: is a directory (give a file name)")
    state = decode_state(args.state)
    source = _state_source(args, state)
    _check_present(source, state, "report")
    try:
        path = write_report(source, state, args.output, width=args.width, theme=getattr(args, "theme", None))
    except OSError as exc:
        raise _write_error(exc, "report", args.output) from None
    print(f"wrote {_shown(path)}")
    return 0
