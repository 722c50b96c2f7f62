"""The entry point: `main` runs a command, or the app when no command is named."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .comparison_commands import cmd_render, cmd_report, cmd_share
from .errors import _bad_input_types
from .parser import COMMANDS, _first_positional, build_app_parser, build_parser
from .source_options import _open, ensure_demo_store
from .store_commands import cmd_demo, cmd_export, cmd_import, cmd_list


def run_app(argv: Sequence[str]) -> int:
    """The app on the current source (--demo, --store, --source, MODELCOMPARE_SOURCE,
    the default store). A STATE from another source opens after a question:
    connect to its source, or look its models up in the current one."""
    args = build_app_parser().parse_args(argv)
    from ..core.state import ComparisonState, decode_state

    state: ComparisonState | None = decode_state(args.state) if args.state else None
    source = ensure_demo_store() if args.demo else _open(args, create=None)
    from ..app import create_app

    app = create_app(source, state=state, theme=args.theme)
    app.run()
    return int(app.return_code or 0)


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
        from ..render.escaping import error_line

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
