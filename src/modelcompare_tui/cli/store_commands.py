"""The commands on a store's models: demo, import, export and list."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.plural import counted
from .errors import UsageError, _bad_input_types, _shown, _write_error
from .model_names import resolve_models, short_ids
from .source_options import _open, _writable


def cmd_demo(args: argparse.Namespace) -> int:
    if args.models < 1 or args.models > 1000:
        raise UsageError(f"demo: --models must be between 1 and 1000, not {args.models}")
    from ..demo import generate_demo

    store = _writable(_open(args, create=True))
    ids = store.import_records(generate_demo(args.models, args.seed))
    print(f"added {counted(len(ids), 'demo model')} to {_shown(store.uri)}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..core.modelfile import load_model_file

    store = _writable(_open(args, create=True))
    failed = 0
    for filename in args.files:
        try:
            records = load_model_file(filename)
        except _bad_input_types() as exc:
            from ..render.escaping import error_line

            print(f"modelcompare: {error_line(exc)}", file=sys.stderr)
            failed += 1
            continue
        ids = store.import_records(records)
        points = sum(len(s) for r in records for s in r.scalars)
        print(f"{_shown(filename)}: imported {counted(len(ids), 'model')} ({counted(points, 'point')})")
    return 2 if failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    from ..core.modelfile import write_model_file

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
    from ..core.model import MODEL_COLUMNS, ModelQuery

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

    from ..render.escaping import csv_text, json_dumps

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

    from ..core.cells import shorten
    from ..core.display import display_text

    if not rows:
        return
    cells = [[display_text(ids.get(r.id, r.id) if c == "id" else r.cell(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(cell_len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    widths = [w if c == "id" else min(40, w) for c, w in zip(columns, widths)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)).rstrip())
    for row in cells:
        print("  ".join(set_cell_size(shorten(v, w), w) for v, w in zip(row, widths)).rstrip())
