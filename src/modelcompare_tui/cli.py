"""The `modelcompare` command (PRODUCT.md §4).

Imports are lazy: `modelcompare list` must not pay for Textual, and the app
must not pay for pandas or plotext before its first screen.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from . import __version__
from .core.plural import counted
from .core.state import MAX_MODELS
from .core.tabs import TABS

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
MIN_MODELS = 2  # a comparison holds MIN_MODELS to MAX_MODELS models (PRODUCT §4)
MODEL_HELP = "a model: its id, a unique prefix of it (as list prints), or its exact name when unique"
RENDER_FORMATS = ("text", "ansi", "json", "csv", "md", "svg", "html")


class UsageError(Exception):
    """Bad input found by the CLI itself (exit 2)."""


def _bad_input_types() -> tuple[type[BaseException], ...]:
    from .core.state import StateError
    from .sources.base import SourceError

    types: list[type[BaseException]] = [UsageError, SourceError, StateError]
    from .core.modelfile import ModelFileError
    from .core.safe_files import SafeWriteError
    from .demo import DemoError

    types += [ModelFileError, DemoError, SafeWriteError]
    return tuple(types)


def _shown(text: object) -> str:
    """Data (a name, a path, a URI) inside a message: display text, credentials redacted."""
    from .core.display import display_text
    from .render.escaping import redact_secrets

    return display_text(redact_secrets(str(text)))


# ----------------------------------------------------------------------------
# argument parsing
# ----------------------------------------------------------------------------


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
    (--theme only matters to the app; a headless command accepts and ignores it)."""
    _add_source_options(p, top_level=top_level)
    p.add_argument("--demo", action="store_true", default=False if top_level else argparse.SUPPRESS,
                   help="the demo store (created on first use)")
    p.add_argument("--theme", choices=("dark", "light"), default=None if top_level else argparse.SUPPRESS,
                   help="the app's theme (ignored by headless commands)")


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


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------


def _open(args: argparse.Namespace, *, create: bool | None = False):
    """The source of --store/--source/MODELCOMPARE_SOURCE/the default store.
    `create`: make an embedded store that does not exist (True: import, demo;
    None: only the default store, for the app; False: `no store at PATH`)."""
    from .sources import open_source, resolve_source_uri

    if getattr(args, "demo", False):
        if args.store or args.source:
            raise UsageError("--demo names the demo store: give it without --store/--source")
        return ensure_demo_store()
    if create is None:
        create = not (args.store or args.source or os.environ.get("MODELCOMPARE_SOURCE"))
    return open_source(resolve_source_uri(args.source, args.store), create=create)


def _writable(source: Any):
    from .sources.base import ReadOnlySourceError

    if source.read_only:
        from .sources.store import SQLiteStore

        if isinstance(source, SQLiteStore):
            raise ReadOnlySourceError(
                f"{source.uri}: the store is read-only (its file, folder or file system is not writable)"
            )
        raise ReadOnlySourceError(f"{source.uri}: this source is read-only")
    return source


def demo_store_path() -> Path:
    env = os.environ.get("MODELCOMPARE_DEMO_STORE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("modelcompare", appauthor=False)) / "demo.db"


def ensure_demo_store(path: Path | None = None, n_models: int = 40, seed: int = 0):
    """The demo store, created (deterministically) on first use."""
    from .sources.store import SQLiteStore

    path = path or demo_store_path()
    store = SQLiteStore(path)
    if store.count_models() == 0:
        from .demo import generate_demo

        store.import_records(generate_demo(n_models, seed))
    return store


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
    from .core.state import validate_state

    # the one validator: what render opens is exactly what share could have written
    return validate_state(replace(state, **changes))


# ----------------------------------------------------------------------------
# commands
# ----------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    if args.models < 1 or args.models > 1000:
        raise UsageError(f"demo: --models must be between 1 and 1000, not {args.models}")
    from .demo import generate_demo

    store = _writable(_open(args, create=True))
    ids = store.import_records(generate_demo(args.models, args.seed))
    print(f"added {counted(len(ids), 'demo model')} to {_shown(store.uri)}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .core.modelfile import load_model_file

    store = _writable(_open(args, create=True))
    failed = 0
    for filename in args.files:
        try:
            records = load_model_file(filename)
        except _bad_input_types() as exc:
            from .render.escaping import error_line

            print(f"modelcompare: {error_line(exc)}", file=sys.stderr)
            failed += 1
            continue
        ids = store.import_records(records)
        points = sum(len(s) for r in records for s in r.scalars)
        print(f"{_shown(filename)}: imported {counted(len(ids), 'model')} ({counted(points, 'point')})")
    return 2 if failed else 0


# ----------------------------------------------------------------------------
# naming models: an id, a unique prefix of it, or an exact name when unique
# ----------------------------------------------------------------------------

SHORT_ID = 8  # the fewest characters of an id `list` prints
_CANDIDATES_SHOWN = 6


def _id_query(**fields: Any):
    from .core.model import ModelQuery

    return ModelQuery(**fields)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _unique_prefix(model_id: str, others: Sequence[str]) -> str:
    """The shortest prefix of `model_id`, at least SHORT_ID characters, that no
    other id begins with (the whole id when another id begins with all of it)."""
    need = max([SHORT_ID, *(_common_prefix(model_id, o) + 1 for o in others if o != model_id)])
    return model_id[:need]


def short_ids(source: Any, ids: Sequence[str]) -> dict[str, str]:
    """id -> the shortest prefix (≥ 8 characters) that names it alone in the
    source: what `list` prints, and what the commands that take models accept."""
    ids = list(dict.fromkeys(ids))
    if len(ids) > 50:
        # one pass over every id beats a query per row
        every = sorted(r.id for r in source.list_models(_id_query(limit=1_000_000_000)).rows)
        out: dict[str, str] = {}
        import bisect

        for model_id in ids:
            i = bisect.bisect_left(every, model_id)
            neighbours = every[max(0, i - 1): i + 2]
            out[model_id] = _unique_prefix(model_id, neighbours)
        return out
    out = {}
    for model_id in ids:
        head = model_id[:SHORT_ID]
        page = source.list_models(_id_query(ranges=(("id", head, head),), limit=200))
        if page.total > len(page.rows):
            out[model_id] = model_id
        else:
            out[model_id] = _unique_prefix(model_id, [r.id for r in page.rows])
    return out


def resolve_model(source: Any, name: str, where: str) -> str:
    """The id of the one model `name` names in `source`: its id, a unique
    prefix of its id, or its exact name when no other model has it. Unknown or
    ambiguous: UsageError (one line; an ambiguous name lists the candidates)."""
    if not name:
        raise UsageError(f"{where}: an empty model name")
    # get_models, not the table: a source may hold models it does not list (MLflow: a
    # registered logged model is listed as its version, yet found by its own id)
    if any(m.id == name for m in source.get_models([name])):
        return name
    by_prefix = source.list_models(_id_query(ranges=(("id", name, name),), limit=_CANDIDATES_SHOWN + 1))
    by_name = source.list_models(_id_query(filters=(("name", (name,)),), limit=_CANDIDATES_SHOWN + 1))
    candidates = list({r.id: r for r in [*by_prefix.rows, *by_name.rows]}.values())
    if len(candidates) == 1:
        return str(candidates[0].id)
    if not candidates:
        raise UsageError(f"{where}: unknown model {_shown(name)!r} in {_shown(source.uri)} "
                         "(give an id, a unique id prefix or an exact name: modelcompare list shows them)")
    # the models past the pages' limits are counted, not seen (a model both found by
    # prefix and by name among them would count twice: an id that begins with its own name)
    count = len(candidates) + (by_prefix.total - len(by_prefix.rows)) + (by_name.total - len(by_name.rows))
    first = candidates[:_CANDIDATES_SHOWN]
    shown = short_ids(source, [r.id for r in first])
    listed = ", ".join(f"{shown[r.id]} ({_shown(r.name)})" for r in first)
    if count > len(first):
        listed += f", and {count - len(first)} more"
    raise UsageError(f"{where}: {_shown(name)!r} is ambiguous: {count} models match: {listed}")


def resolve_models(source: Any, names: Sequence[str], where: str) -> list[str]:
    """The ids of `names` (resolve_model each), in order, each once."""
    return list(dict.fromkeys(resolve_model(source, n, where) for n in names))


def _check_count(n: int, where: str, what: str) -> None:
    """`what`: how the n models came, e.g. "given" ("1 model given")."""
    if not MIN_MODELS <= n <= MAX_MODELS:
        raise UsageError(f"{where}: a comparison holds {MIN_MODELS} to {MAX_MODELS} models, "
                         f"not {counted(n, 'model')} {what}")


def _write_error(exc: OSError, where: str, output: str) -> UsageError:
    """An output that cannot be written is bad input (exit 2, one line), not a bug."""
    from .core.safe_files import SafeWriteError

    if isinstance(exc, SafeWriteError):  # its message names the path already
        return UsageError(f"{where}: {exc}")
    return UsageError(f"{where}: {_shown(output)}: cannot write ({exc.strerror or exc})")


def cmd_export(args: argparse.Namespace) -> int:
    from .core.modelfile import write_model_file

    output = Path(args.output)
    if output.is_dir():
        raise UsageError(f"export: {_shown(args.output)}: is a directory (give a file name)")
    source = _open(args, create=False)
    ids = resolve_models(source, args.ids, "export")
    records = source.export_records(ids)
    try:
        write_model_file(records, output)
    except OSError as exc:
        raise _write_error(exc, "export", args.output) from None
    print(f"exported {counted(len(records), 'model')} to {_shown(args.output)}")
    return 0


def _list_query(args: argparse.Namespace):
    """The models-table query of `list` (checked before any store is opened:
    a bad option is named whatever the store)."""
    from .core.model import MODEL_COLUMNS, ModelQuery

    if args.limit < 0:
        raise UsageError(f"list: --limit must be 0 (all) or more, not {args.limit}")
    sort = None
    if args.sort:
        column, _, direction = args.sort.partition(":")
        if column not in MODEL_COLUMNS:
            raise UsageError(f"list: --sort: unknown column {column!r} (one of {', '.join(MODEL_COLUMNS)})")
        if direction not in ("", "asc", "desc"):
            raise UsageError(f"list: --sort: direction must be asc or desc, not {direction!r}")
        sort = (column, direction == "desc")
    filters: dict[str, list[str]] = {}
    for item in args.filter:
        column, eq, value = item.partition("=")
        if not eq or column not in MODEL_COLUMNS:
            raise UsageError(f"list: --filter {_shown(item)!r}: expected COLUMN=VALUE with COLUMN one of "
                             f"{', '.join(MODEL_COLUMNS)}")
        filters.setdefault(column, []).append(value)
    query = ModelQuery(
        search=args.search, sort=sort, filters=tuple((c, tuple(v)) for c, v in filters.items()),
        offset=0, limit=args.limit if args.limit > 0 else 1_000_000_000,
    )
    return query


def cmd_list(args: argparse.Namespace) -> int:
    import csv

    from .render.escaping import csv_text, json_dumps

    query = _list_query(args)
    source = _open(args)
    page = source.list_models(query)
    columns = ("id", "name", "project", "framework", "status", "tags", "user", "created", "updated")
    if args.format == "json":
        # the original strings, exactly; controls and invisibles as JSON escapes
        sys.stdout.write(json_dumps(
            {"total": page.total, "models": [
                {c: (list(r.tags) if c == "tags" else getattr(r, c)) for c in columns} for r in page.rows
            ]},
        ) + "\n")
    elif args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for r in page.rows:
            writer.writerow([csv_text(r.cell(c)) for c in columns])
    else:
        _print_table(page.rows, columns, short_ids(source, [r.id for r in page.rows]))
        shown = len(page.rows)
        count = counted(page.total, "model") if shown >= page.total else f"{shown} of {counted(page.total, 'model')}"
        print(count + (f" matching {_shown(args.search)!r}" if args.search else ""))
    return 0


def _print_table(rows: Sequence[Any], columns: Sequence[str], ids: dict[str, str]) -> None:
    """Aligned columns in terminal cells; every value display text, cut with "…"
    (but an id: `ids` gives the prefix to print, never cut, since it is typed back)."""
    from rich.cells import cell_len, set_cell_size

    from .core.cells import shorten
    from .core.display import display_text

    if not rows:
        return
    cells = [[display_text(ids.get(r.id, r.id) if c == "id" else r.cell(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(cell_len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    widths = [w if c == "id" else min(40, w) for c, w in zip(columns, widths)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
    for row in cells:
        print("  ".join(set_cell_size(shorten(v, w), w) for v, w in zip(row, widths)).rstrip())


def cmd_share(args: argparse.Namespace) -> int:
    from .core.state import ComparisonState, encode_state

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


def _state_source(args: argparse.Namespace, state: Any):
    """render/report: --store/--source beat the state's own source."""
    from .sources import open_source

    if args.store or args.source or getattr(args, "demo", False):
        return _open(args, create=False)
    if state.source:
        return open_source(state.source, create=False)
    return _open(args, create=False)


def _check_present(source: Any, state: Any, where: str) -> None:
    """render/report: the state's models, at least MIN_MODELS of them in the
    source (the missing ones are named on stderr by the renderer)."""
    from .render.views import load_models

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
    from .core.state import decode_state
    from .render.views import render_view, watch_render

    state = _plot_view(apply_view_overrides(decode_state(args.state), args, args.tab), args)
    source = _state_source(args, state)
    _check_present(source, state, "render")
    if args.watch:
        return watch_render(source, state, fmt=args.format, width=args.width, plot=args.plot)
    sys.stdout.write(render_view(source, state, fmt=args.format, width=args.width, plot=args.plot))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .core.state import decode_state
    from .render.views import report_format, write_report

    report_format(args.output)  # a bad suffix is refused before any source is opened
    if Path(args.output).is_dir():
        raise UsageError(f"report: {_shown(args.output)}: is a directory (give a file name)")
    state = decode_state(args.state)
    source = _state_source(args, state)
    _check_present(source, state, "report")
    try:
        path = write_report(source, state, args.output, width=args.width)
    except OSError as exc:
        raise _write_error(exc, "report", args.output) from None
    print(f"wrote {_shown(path)}")
    return 0


def run_app(argv: Sequence[str]) -> int:
    """The app on the current source (--demo, --store, --source, MODELCOMPARE_SOURCE,
    the default store). A STATE from another source opens after a question:
    connect to its source, or look its models up in the current one."""
    args = build_app_parser().parse_args(argv)
    from .core.state import ComparisonState, decode_state

    state: ComparisonState | None = decode_state(args.state) if args.state else None
    source = ensure_demo_store() if args.demo else _open(args, create=None)
    from .app import create_app

    app = create_app(source, state=state, theme=args.theme)
    app.run()
    return int(app.return_code or 0)


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


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    bad_input = _bad_input_types()
    try:
        first = _first_positional(argv)
        if first in COMMANDS:
            args = build_parser().parse_args(argv)
            handler = {
                "demo": cmd_demo, "import": cmd_import, "export": cmd_export, "list": cmd_list,
                "share": cmd_share, "render": cmd_render, "report": cmd_report,
            }[args.command]
            return handler(args)
        return run_app(argv)
    except bad_input as exc:
        from .render.escaping import error_line

        # messages carry data (names, ids, paths, URIs): shown, never obeyed;
        # a URI's credentials are never repeated
        message = error_line(exc) if str(exc) else type(exc).__name__
        print(f"modelcompare: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `modelcompare list | head`: not an error
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 0


if __name__ == "__main__":
    sys.exit(main())
