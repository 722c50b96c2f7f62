"""Headless views: `modelcompare render` (the embed target) and `report`.

Every view is built from the same core code the app uses (core.diff for
Details/Network, core.scalars for the values table, core.plotmerge for plots),
so what `render` prints is what the app shows.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.colors import ModelColors, is_dark_theme
from ..core.display import display_text
from ..core.model import Model
from ..core.plural import counted
from ..core.state import ComparisonState
from ..core.tabs import TAB_TITLES, TABS
from ..sources.base import Source, SourceError
from .escaping import error_line, guard_output, html_text, json_dumps, md_text, redact_secrets

DEFAULT_WIDTH = 100


class RenderError(SourceError):
    """Bad render request (exit 2)."""


def load_models(source: Source, state: ComparisonState) -> tuple[list[Model], list[str]]:
    """The state's models that exist, in order, and the ids that are missing."""
    models = source.get_models(list(state.models))
    found = {m.id for m in models}
    return models, [i for i in state.models if i not in found]


def output_is_dark(theme: str | None, fmt: str) -> bool:
    """Whether a headless view uses the dark theme's colours: as `--theme`
    says; without it dark, except HTML (a page read in a browser, on white)."""
    if theme:
        return is_dark_theme(theme)
    return fmt != "html"


def _width(width: int) -> int:
    if width and width > 0:
        return max(40, min(width, 1000))
    return DEFAULT_WIDTH


# ----------------------------------------------------------------------------
# per-tab renderers: (source, state, models, fmt, width, plot, dark=) -> str | rich renderable
# ----------------------------------------------------------------------------


def _render_diff(source: Source, state: ComparisonState, models: list[Model], fmt: str, width: int,
                 plot: str | None, *, dark: bool = True) -> Any:
    from ..core import diff
    from . import diff_text

    view = state.details if state.tab == "details" else state.network
    build = diff.details_diff if state.tab == "details" else diff.network_diff
    table = build(models, mode=view.diff_mode)
    if fmt == "json":
        return json_dumps(diff_text.diff_to_json(table, state.tab, hide_identical=view.hide_identical,
                                            search=view.search)) + "\n"
    if fmt == "md":
        return diff_text.diff_to_markdown(table, hide_identical=view.hide_identical, search=view.search)
    if fmt == "csv":
        raise RenderError("render: --format csv is the scalar table: use --tab scalars")
    if fmt in ("ansi", "svg", "html"):
        return diff_text.diff_to_rich(table, width=width, hide_identical=view.hide_identical, search=view.search,
                                 colors=ModelColors(state.models, dark=dark))
    return diff_text.diff_to_text(table, width=width, hide_identical=view.hide_identical, search=view.search)


def _render_scalars(source: Source, state: ComparisonState, models: list[Model], fmt: str, width: int,
                    plot: str | None, *, dark: bool = True) -> Any:
    from ..core import scalars
    from . import value_text

    view = state.scalars
    if view.view == "graph" and fmt in ("text", "ansi", "svg", "html"):
        from .chart_series import render_scalar_charts

        return render_scalar_charts(source, state, models, width=width, plot=plot, ansi=fmt != "text", dark=dark)
    summaries = source.scalar_summaries([m.id for m in models])
    table = scalars.build_value_table(models, summaries, agg=view.agg, metric_filter=view.metric_filter)
    if plot:
        table = _only_row(table, plot)
    if fmt == "csv":
        return value_text.value_table_to_csv(table)
    if fmt == "json":
        return json_dumps(value_text.value_table_to_json(table)) + "\n"
    if fmt == "md":
        return value_text.value_table_to_markdown(table, extremes=view.extremes, deltas=view.delta)
    if fmt in ("ansi", "svg", "html"):
        return value_text.value_table_to_rich(table, extremes=view.extremes, delta=view.delta,
                                           colors=ModelColors(state.models, dark=dark), width=width)
    return value_text.value_table_to_text(table, width=width, extremes=view.extremes, deltas=view.delta)


def _only_row(table: Any, plot: str) -> Any:
    """The Values table cut to the one row `plot` names ("metric/variant", or a
    metric alone: its rows), for the formats that have no chart (csv, json, md)."""
    from dataclasses import replace

    metric, sep, variant = plot.partition("/")
    rows = tuple(r for r in table.rows if r.metric == metric and (not sep or r.variant == variant))
    if not rows:
        known = [f"{r.metric}/{r.variant}" for r in table.rows]
        listed = ", ".join(display_text(k) for k in known[:8]) + (", …" if len(known) > 8 else "")
        raise RenderError(f"render: no chart {display_text(plot)!r} in the scalars (charts: {listed or 'none'})")
    return replace(table, rows=rows)


def _render_plots(source: Source, state: ComparisonState, models: list[Model], fmt: str, width: int,
                  plot: str | None, *, dark: bool = True) -> Any:
    from .plot_export import render_plots

    return render_plots(source, state, models, fmt=fmt, width=width, plot=plot, dark=dark)


RENDERERS: dict[str, Callable[..., Any]] = {
    "details": _render_diff,
    "network": _render_diff,
    "scalars": _render_scalars,
    "plots": _render_plots,
}


def _to_output(result: Any, fmt: str, width: int, title: str, *, dark: bool = True) -> str:
    """Strings pass through; Rich renderables become plain/ANSI text, SVG or HTML.
    Every data string in them is display text already (the renderers make it
    so); a last guard keeps any control character that slipped through from
    reaching the terminal or file raw (JSON escapes its own)."""
    if fmt == "json":
        return result if isinstance(result, str) else json_dumps(result) + "\n"
    return guard_output(_export(result, fmt, width, title, dark=dark), allow_sgr=fmt == "ansi")


# one view as an HTML fragment (a report's section); Rich's own template wraps it
# in a whole document, which a report holding four views cannot repeat
_HTML_FRAGMENT = ('<pre style="font-family:Menlo,\'DejaVu Sans Mono\',consolas,\'Courier New\',monospace">'
                  '<code style="font-family:inherit">{code}</code></pre>')


def export_theme(dark: bool) -> Any:
    """The terminal theme of an SVG/HTML page: Rich's dark SVG one, or its
    white default for the light theme (the light shades are ≥ 3:1 on both)."""
    from rich.terminal_theme import DEFAULT_TERMINAL_THEME, SVG_EXPORT_THEME

    return SVG_EXPORT_THEME if dark else DEFAULT_TERMINAL_THEME


def _export(result: Any, fmt: str, width: int, title: str, *, fragment: bool = False, dark: bool = True) -> str:
    if isinstance(result, str):
        if fmt in ("svg", "html"):
            from rich.text import Text

            result = Text(result)
        else:
            return result
    from rich.console import Console

    console = Console(record=True, width=width, force_terminal=fmt != "text", color_system="truecolor",
                      file=open("/dev/null", "w"), legacy_windows=False)  # noqa: SIM115
    console.print(result)
    theme = export_theme(dark)
    if fmt == "svg":
        return console.export_svg(title=title, theme=theme)
    if fmt == "html":
        if fragment:
            return console.export_html(theme=theme, inline_styles=True, code_format=_HTML_FRAGMENT)
        return console.export_html(theme=theme, inline_styles=True)
    return console.export_text(styles=fmt == "ansi")


def missing_line(source: Source, missing: list[str]) -> str:
    """The stderr line naming the state's models the source does not hold."""
    return (f"modelcompare: {counted(len(missing), 'model')} missing from "
            f"{display_text(redact_secrets(source.uri))}: {display_text(', '.join(missing))}")


def _render(source: Source, state: ComparisonState, fmt: str, width: int, plot: str | None,
            warn_missing: bool, dark: bool = True) -> Any:
    """The tab's renderer's result (a string or a Rich renderable)."""
    if not state.models:
        raise RenderError("render: the state holds no models")
    if plot and state.tab not in ("scalars", "plots"):
        raise RenderError(f"render: --plot picks a chart or plot of the scalars or plots tab, not of {state.tab}")
    models, missing = load_models(source, state)
    if not models:
        raise RenderError(f"render: none of the state's models exist in {source.uri}")
    if missing and warn_missing:
        print(missing_line(source, missing), file=sys.stderr)
    return RENDERERS[state.tab](source, state, models, fmt, width, plot, dark=dark)


def render_view(source: Source, state: ComparisonState, *, fmt: str = "text", width: int = 0,
                plot: str | None = None, warn_missing: bool = True, theme: str | None = None) -> str:
    """The state's tab as `fmt` (text, ansi, json, csv, md, svg, html); with
    `plot` ("metric/variant", Scalars and Plots tabs) only that chart or plot
    (the Values table's formats, csv/json/md, only that row). `warn_missing`:
    name the state's models the source lacks on stderr. `theme` (`--theme`:
    dark, light, None) picks the model colours' shades (output_is_dark)."""
    width = _width(width)
    dark = output_is_dark(theme, fmt)
    result = _render(source, state, fmt, width, plot, warn_missing, dark)
    return _to_output(result, fmt, width, title=f"modelcompare · {state.tab}", dark=dark)


def watch_render(source: Source, state: ComparisonState, *, fmt: str = "text", width: int = 0,
                 plot: str | None = None, interval: float = 1.0, max_renders: int | None = None,
                 theme: str | None = None) -> int:
    """Re-render whenever the state's models change in the source (the embedded
    view that "updates live"). Each render is preceded by a form feed and a
    timestamp line. Changes to other models of the source do not re-render
    (when the source can tell which models changed). A failing source is
    reported on stderr once per outage; watching goes on."""
    from ..live import changed_ids

    token: str | None = None
    renders = 0
    failing = False
    try:
        while max_renders is None or renders < max_renders:
            try:
                current = source.change_token()
                due = current != token and (token is None or bool(changed_ids(source, token, state.models)))
                out = render_view(source, state, fmt=fmt, width=width, plot=plot, theme=theme) if due else None
            except SourceError as exc:
                if token is None:
                    raise  # nothing rendered yet: a bad request, not an outage
                if not failing:
                    print(f"modelcompare: {error_line(exc)} (still watching)", file=sys.stderr, flush=True)
                    failing = True
                time.sleep(interval)
                continue
            failing = False
            token = current
            if out is not None:
                stamp = time.strftime("%H:%M:%S")
                sys.stdout.write(f"\f-- modelcompare render · updated {stamp}\n{out}")
                sys.stdout.flush()
                renders += 1
                continue
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    return 0


REPORT_FORMATS: dict[str, str] = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}


def report_format(output: str | Path) -> str:
    """The report's format from its file name: "md" or "html"; RenderError for any other suffix."""
    suffix = Path(output).suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise RenderError(f"report: -o {display_text(str(output))!r}: the file name must end in "
                          f"{', '.join(REPORT_FORMATS)} (Markdown or HTML)")
    return REPORT_FORMATS[suffix]


def write_report(source: Source, state: ComparisonState, output: str | Path, *, width: int = 100,
                 theme: str | None = None) -> Path:
    """Every tab of the comparison in one Markdown or HTML document (one
    section per tab; the format from the file name, see report_format); an
    HTML page in `theme`'s colours (output_is_dark)."""
    from dataclasses import replace

    path = Path(output)
    fmt = report_format(path)
    width = _width(width)
    dark = output_is_dark(theme, fmt)
    models, missing = load_models(source, state)
    if not models:
        raise RenderError(f"report: none of the state's models exist in {source.uri}")
    if missing:
        print(missing_line(source, missing), file=sys.stderr)
    parts: list[str] = []
    for tab in TABS:
        tab_state = replace(state, tab=tab)
        if fmt == "md":
            body_fmt = "md" if tab != "plots" else "text"
            body = render_view(source, tab_state, fmt=body_fmt, width=width, warn_missing=False, theme=theme)
            if body_fmt == "text":
                body = "```\n" + body.rstrip("\n") + "\n```\n"
            parts.append(f"## {TAB_TITLES[tab]}\n\n{body}\n")
        else:
            result = _render(source, tab_state, "html", width, None, warn_missing=False, dark=dark)
            section = _export(result, "html", width, "", fragment=True, dark=dark)
            parts.append(f'<section id="{tab}">\n<h2>{TAB_TITLES[tab]}</h2>\n{section}\n</section>\n')
    names = ", ".join(m.name for m in models)
    if fmt == "md":
        from ..core.state import encode_state

        head = (f"# Model comparison: {md_text(names)}\n\n"
                f"Open it: `modelcompare '{encode_state(state)}'`\n\n")
        if missing:
            head += f"Missing models: {md_text(', '.join(missing))}\n\n"
        text = head + "\n".join(parts)
    else:
        page = export_theme(dark)
        head = ("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Model comparison</title>\n"
                f"<style>\nbody {{ color: {page.foreground_color.hex}; "
                f"background-color: {page.background_color.hex}; }}\n</style>\n</head>\n<body>\n"
                f"<h1>Model comparison: {html_text(names)}</h1>\n")
        if missing:
            head += f"<p>Missing models: {html_text(', '.join(missing))}</p>\n"
        text = head + "\n".join(parts) + "</body>\n</html>\n"
    # never through a symlink planted at the output's name or a temp name
    from ..core.safe_files import atomic_write_text

    atomic_write_text(path, guard_output(text))
    return path
