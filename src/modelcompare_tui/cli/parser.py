"""The command line: the parsers of the commands and of the app, and the
first look at argv that tells which of the two it is for.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import NoReturn

from .. import __version__
from ..core.state import MAX_MODELS
from ..core.tabs import TABS
from .errors import UsageError

COMMAND_HELP = {
    "demo": "fill the current store with realistic demo models",
    "import": "import model files into the store (all or nothing per file)",
    "export": "write models to a model file (import gives them back equal)",
    "list": "the models table, headless",
    "share": "print the state string of a comparison",
    "render": "print a comparison view headlessly (the embed target)",
    "report": "write every tab of a comparison into one document",
}
COMMANDS = tuple(COMMAND_HELP)
MODEL_HELP = "a model: its id, a unique prefix of it (as list prints), or its exact name when unique"
RENDER_FORMATS = ("text", "ansi", "json", "csv", "md", "svg", "html")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # one line, exit 2, like every other bad input; main() adds the
        # "modelcompare:" prefix, so only the command is named here
        command = self.prog.removeprefix("modelcompare").strip()
        raise UsageError(f"{command}: {message}" if command else message)


def _add_source_options(p: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    # global options work before or after the command: a subcommand's copy
    # leaves the value alone when not given (SUPPRESS), so one given before wins
    default = None if top_level else argparse.SUPPRESS
    p.add_argument("--store", metavar="PATH", default=default, help="the embedded store at PATH")
    p.add_argument("--source", metavar="URI", default=default,
                   help="a store path, sqlite:///…, mlflow+http(s)://…, mlruns:///…")


def _add_global_options(p: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """--store, --source, --demo and --theme: accepted before or after a command
    (--theme: the app's theme, and the colours of render's and report's output)."""
    _add_source_options(p, top_level=top_level)
    p.add_argument("--demo", action="store_true", default=False if top_level else argparse.SUPPRESS,
                   help="the demo store (created on first use)")
    p.add_argument("--theme", choices=("dark", "light"), default=None if top_level else argparse.SUPPRESS,
                   help="the app's theme; render and report: the colours' shades")


def _add_view_options(p: argparse.ArgumentParser) -> None:
    """View options that travel in the state string (share, and overrides for render)."""
    p.add_argument("--hide-identical", action="store_true", default=None, help="details/network: hide identical fields")
    p.add_argument("--diff-mode", choices=("base", "all"), help="details/network: compare to the base or across all")
    p.add_argument("--agg", choices=("last", "min", "max"), help="scalars: Last / Min / Max")
    p.add_argument("--view", choices=("values", "graph"), help="scalars: values table or graph")
    p.add_argument("--extremes", action="store_true", default=None, help="scalars: show row extremes")
    p.add_argument("--delta", action="store_true", default=None, help="scalars: Δ vs base")
    p.add_argument("--metric-filter", metavar="GLOB", help="scalars/plots: metric filter")
    p.add_argument("--group-by", choices=("variant", "metric"), help="scalars graph: group charts")
    p.add_argument("--x-axis", choices=("iteration", "relative", "wall"), help="scalars graph: x axis")
    p.add_argument("--smoothing", choices=("none", "ema", "running", "gaussian"), help="scalars graph: smoothing")
    p.add_argument("--smoothing-weight", type=float, metavar="W", help="scalars graph: smoothing weight (0–0.999)")
    p.add_argument("--log-y", action="store_true", default=None, help="scalars graph: log-scale y")
    p.add_argument("--config-legend", action="store_true", default=None,
                   help="scalars graph: legends also show the config values that differ")
    p.add_argument("--iteration", type=int, metavar="N", help="plots: compare the reports at or before N")
    p.add_argument("--field-search", metavar="TEXT", help="details/network: show the fields whose name has TEXT")
    p.add_argument("--focus", metavar="METRIC/VARIANT", help="scalars/plots: the selected chart (or values row)")
    p.add_argument("--maximize", action="store_true", default=None,
                   help="scalars graph/plots: the selected chart alone, full size (with --focus)")
    p.add_argument("--zoom", metavar="FIRST:LAST", help="scalars graph: the maximised chart's iteration range")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="modelcompare",
        description="Compare machine-learning models side by side in the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"modelcompare {__version__}")
    _add_global_options(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def command(name: str) -> argparse.ArgumentParser:
        line = COMMAND_HELP[name]
        p = sub.add_parser(name, help=line, description=line[0].upper() + line[1:] + ".")
        _add_global_options(p)
        return p

    p = command("demo")
    p.add_argument("--models", type=int, default=40, metavar="N", help="how many models to add, 1–1000 (default 40)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help="the random seed (default 0; the same seed gives the same models)")

    p = command("import")
    p.add_argument("files", nargs="+", metavar="FILE", help="a model file (modelcompare/v1 JSON); several may be given")

    p = command("export")
    p.add_argument("ids", nargs="+", metavar="MODEL", help=MODEL_HELP)
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the model file to write")

    p = command("list")
    p.add_argument("--search", default="", metavar="TEXT",
                   help="keep models whose name, project or a tag holds TEXT (any case)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table",
                   help="table (default; short ids), json or csv (full ids)")
    p.add_argument("--sort", metavar="COLUMN[:desc]", help="sort by a column, e.g. name or updated:desc")
    p.add_argument("--filter", action="append", default=[], metavar="COLUMN=VALUE",
                   help="keep models whose COLUMN is VALUE (repeatable; OR within a column)")
    p.add_argument("--limit", type=int, default=0, metavar="N", help="at most N rows (0: all)")

    p = command("share")
    p.add_argument("ids", nargs="+", metavar="MODEL", help=MODEL_HELP + f" (2 to {MAX_MODELS} models)")
    p.add_argument("--tab", choices=TABS, default="details", help="the tab it opens on (default details)")
    p.add_argument("--base", metavar="MODEL", help="the model the others are compared to (default the first)")
    _add_view_options(p)

    p = command("render")
    p.add_argument("state", metavar="STATE", help="a state string (modelcompare share, or y in the app)")
    p.add_argument("--tab", choices=TABS, help="this tab instead of the state's")
    p.add_argument("--format", choices=RENDER_FORMATS, default="text",
                   help="text (default), ansi, json, csv (the scalar table), md, svg or html")
    p.add_argument("--plot", metavar="METRIC/VARIANT",
                   help="scalars/plots: only this chart (the scalars tab shows its Graph view)")
    p.add_argument("--width", type=int, default=0, metavar="W", help="width in columns (default 100)")
    p.add_argument("--watch", action="store_true", help="re-render whenever the models change")
    _add_view_options(p)

    p = command("report")
    p.add_argument("state", metavar="STATE", help="a state string (modelcompare share, or y in the app)")
    p.add_argument("-o", "--output", required=True, metavar="FILE.md|FILE.html",
                   help="the document to write: Markdown (.md) or HTML (.html), chosen by the suffix")
    p.add_argument("--width", type=int, default=100, metavar="W", help="width of the text views (default 100)")
    return parser


def build_app_parser() -> argparse.ArgumentParser:
    width = max(len(c) for c in COMMANDS)
    parser = _Parser(
        prog="modelcompare",
        description="Compare machine-learning models side by side in the terminal.",
        epilog="commands (modelcompare COMMAND --help for each one's options):\n"
        + "\n".join(f"  {c.ljust(width)}  {h}" for c, h in COMMAND_HELP.items())
        + "\n\nThe global options --store, --source, --demo and --theme also work after a command.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"modelcompare {__version__}")
    _add_source_options(parser, top_level=True)
    parser.add_argument("--demo", action="store_true", help="the app on the demo store (created on first use)")
    parser.add_argument("--theme", choices=("dark", "light"), help="start in this theme")
    parser.add_argument("state", nargs="?", metavar="STATE", help="open this comparison directly")
    return parser


_TOP_OPTIONS = ("--help", "--version", "--store", "--source", "--demo", "--theme")
_TAKES_VALUE = frozenset({"--store", "--source", "--theme"})


def _first_positional(argv: Sequence[str]) -> str | None:
    """The first argument that is no option nor an option's value: a command
    or a state string. Global options may come first, abbreviated as argparse
    allows (`--sto PATH`), and with their value attached (`--store=PATH`)."""
    skip = False
    for k, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--":
            return argv[k + 1] if k + 1 < len(argv) else None
        if arg.startswith("--") and "=" not in arg:
            matches = [o for o in _TOP_OPTIONS if o == arg] or [o for o in _TOP_OPTIONS if o.startswith(arg)]
            skip = len(matches) == 1 and matches[0] in _TAKES_VALUE
            continue
        if not arg.startswith("-") or arg == "-":
            return arg
    return None
