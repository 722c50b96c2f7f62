"""Layering: screens and dialogs -> widgets -> render -> sources -> core, no
cycles; core/ is pure, and the headless modules never load Textual (so `list`,
`render` and the logging API stay light)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "modelcompare_tui"

# layer -> the top-level parts of the package it may import (every import counts,
# function-level ones too: a lazy import is still a dependency)
ALLOWED = {
    "core": {"core"},
    "sources": {"core", "sources"},
    "tracking": {"core", "sources", "tracking"},
    "demo": {"core", "demo"},
    "render": {"core", "sources", "render", "live"},
    # a widget never opens a dialog or knows a screen: it posts a message
    "session": {"core"},
    "clipboard": {"render", "clipboard"},  # tmux's paste buffer, saving a copied text
    "widgets": {"core", "sources", "render", "live", "widgets", "session"},
    "dialogs": {"core", "sources", "render", "live", "widgets", "dialogs", "keys", "session", "clipboard"},
    "screens": {"core", "sources", "render", "live", "widgets", "dialogs", "screens", "keys", "session"},
}
# names for type hints only (under `if TYPE_CHECKING:`), never imported at run time
TYPE_ONLY = {"screens": {"app"}, "dialogs": {"app"}}


def _modules(layer: str) -> list[Path]:
    path = PACKAGE / layer
    return sorted(path.rglob("*.py")) if path.is_dir() else [PACKAGE / f"{layer}.py"]


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the nodes under an `if TYPE_CHECKING:` block."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return inside


def _imported_parts(path: Path, *, type_only: bool = False) -> set[str]:
    """The top-level package parts (`core`, `widgets`, …) that `path` imports at
    run time (with `type_only`: under `if TYPE_CHECKING:` only)."""
    relative = path.relative_to(PACKAGE).with_suffix("").parts
    package = list(relative[:-1])  # a module's and a package __init__'s `.` are both its folder
    parts: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_nodes = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if (id(node) in typing_nodes) != type_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
                if target:
                    parts.add(target[0])
                else:  # `from . import x` at the package root
                    parts.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("modelcompare_tui."):
                parts.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("modelcompare_tui."):
                    parts.add(alias.name.split(".")[1])
    return parts


def test_layers_import_only_what_they_may() -> None:
    wrong = []
    for layer, allowed in ALLOWED.items():
        for path in _modules(layer):
            extra = _imported_parts(path) - allowed - {"__init__"}
            if extra:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {sorted(extra)}")
            extra = _imported_parts(path, type_only=True) - allowed - TYPE_ONLY.get(layer, set()) - {"__init__"}
            if extra:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {sorted(extra)} for types")
    assert wrong == []


def test_headless_modules_never_load_textual() -> None:
    code = """
import importlib, pkgutil, sys
import modelcompare_tui.core as core, modelcompare_tui.sources as sources
import modelcompare_tui.render as render
packages = (core, sources, render)
names = [m.name for p in packages for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")]
names += ["modelcompare_tui.render", "modelcompare_tui.live", "modelcompare_tui.session",
          "modelcompare_tui.tracking", "modelcompare_tui.cli"]
for name in names:
    importlib.import_module(name)
    if "textual" in sys.modules:
        print(name)
        break
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"{done.stdout.strip()} loaded Textual"
