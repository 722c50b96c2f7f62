"""Help headings name what a key acts on ("Chart", "Plot list"), never a class
name ("ChartCard"): every class of the package that declares bindings has a
HELP_TITLE, and the help of the screens reads them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.app import App
from textual.dom import DOMNode

import modelcompare_tui


def _classes_with_bindings() -> list[type[DOMNode]]:
    found = []
    for info in pkgutil.walk_packages(modelcompare_tui.__path__, "modelcompare_tui."):
        if info.name.endswith("__main__"):
            continue  # running it starts the app
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, DOMNode) and obj.__module__ == module.__name__
                    and vars(obj).get("BINDINGS")):
                found.append(obj)
    return found


def test_every_class_with_bindings_has_a_help_title() -> None:
    classes = _classes_with_bindings()
    assert len(classes) > 20  # the walk found the package's screens, dialogs and widgets
    missing = [f"{cls.__module__}.{cls.__qualname__}" for cls in classes
               if not issubclass(cls, App) and not str(vars(cls).get("HELP_TITLE", "")).strip()]
    assert not missing, f"no HELP_TITLE: {missing}"


def test_help_titles_are_words_not_class_names() -> None:
    for cls in _classes_with_bindings():
        title = str(getattr(cls, "HELP_TITLE", "") or "")
        assert title != cls.__name__ and not (title[:1].isupper() and any(c.isupper() for c in title[1:])
                                              and " " not in title), (cls, title)
