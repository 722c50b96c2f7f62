"""The `modelcompare` command (PRODUCT.md §4).

entry.py holds `main` (the console script) and the app's start; parser.py the
argument parsing; store_commands.py and comparison_commands.py the commands;
model_names.py how a model is named; source_options.py and view_options.py
the options most commands share; errors.py what is bad input.

Imports are lazy: `modelcompare list` must not pay for Textual, and the app
must not pay for pandas or plotext before its first screen.
"""

from __future__ import annotations

from .comparison_commands import MIN_MODELS, cmd_render, cmd_report, cmd_share
from .entry import main, run_app
from .errors import UsageError
from .model_names import SHORT_ID, resolve_model, resolve_models, short_ids
from .parser import COMMAND_HELP, COMMANDS, MODEL_HELP, RENDER_FORMATS, build_app_parser, build_parser
from .source_options import demo_store_path, ensure_demo_store
from .store_commands import cmd_demo, cmd_export, cmd_import, cmd_list
from .view_options import apply_view_overrides

__all__ = [
    "COMMANDS",
    "COMMAND_HELP",
    "MIN_MODELS",
    "MODEL_HELP",
    "RENDER_FORMATS",
    "SHORT_ID",
    "UsageError",
    "apply_view_overrides",
    "build_app_parser",
    "build_parser",
    "cmd_demo",
    "cmd_export",
    "cmd_import",
    "cmd_list",
    "cmd_render",
    "cmd_report",
    "cmd_share",
    "demo_store_path",
    "ensure_demo_store",
    "main",
    "resolve_model",
    "resolve_models",
    "run_app",
    "short_ids",
]
