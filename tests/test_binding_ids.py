"""Every key Binding of the package has an id, so keys can be remapped later
(Textual applies a keymap by binding id; a binding without one cannot be remapped)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

import modelcompare_tui


def _package_classes_with_bindings() -> list[type[DOMNode]]:
    classes: dict[str, type[DOMNode]] = {}
    for info in pkgutil.walk_packages(modelcompare_tui.__path__, modelcompare_tui.__name__ + "."):
        if info.name.endswith(".__main__"):
            continue  # runs the CLI when imported
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, DOMNode) and cls.__module__.startswith(modelcompare_tui.__name__)
                    and "BINDINGS" in cls.__dict__):
                classes[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [classes[name] for name in sorted(classes)]


CLASSES = _package_classes_with_bindings()


def _own_bindings(cls: type[DOMNode]) -> list[Binding | tuple[str, ...]]:
    return list(cls.__dict__["BINDINGS"])


def test_the_walk_finds_the_app_screens_and_widgets() -> None:
    names = {cls.__name__ for cls in CLASSES}
    # one of each kind, so the checks below cannot pass on an empty list
    assert {"ModelCompareApp", "CompareScreen", "ModelsScreen", "ScalarsBody", "ModelTable", "DiffGrid"} <= names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__qualname__)
def test_every_binding_has_an_id_unique_in_its_class(cls: type[DOMNode]) -> None:
    bindings = _own_bindings(cls)
    missing = [b for b in bindings if not isinstance(b, Binding) or not b.id]
    assert not missing, f"{cls.__qualname__}: bindings without an id: {missing}"
    # along the package's part of the MRO too: Textual merges the BINDINGS of the base classes
    chain = [b for base in cls.__mro__
             if base.__module__.startswith(modelcompare_tui.__name__) and "BINDINGS" in base.__dict__
             for b in base.__dict__["BINDINGS"]]
    ids = [b.id for b in chain if isinstance(b, Binding) and b.id]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"{cls.__qualname__}: duplicate binding ids {duplicates}"


def test_binding_ids_are_unique_across_the_package() -> None:
    """The same id on two different Binding objects would remap both at once.
    One object listed in several classes (a shared CURSOR_BINDINGS list) is one binding."""
    owners: dict[str, tuple[Binding, str]] = {}
    clashes: list[str] = []
    for cls in CLASSES:
        for binding in _own_bindings(cls):
            assert isinstance(binding, Binding) and binding.id
            seen = owners.setdefault(binding.id, (binding, cls.__qualname__))
            if seen[0] is not binding:
                clashes.append(f"{binding.id!r} in {seen[1]} and {cls.__qualname__}")
    assert not clashes, clashes


def test_a_keymap_remaps_a_binding_by_its_id() -> None:
    from modelcompare_tui.screens.scalars import ScalarsBody

    bindings = BindingsMap(ScalarsBody.BINDINGS)
    bindings.apply_keymap({"scalars.cycle_agg": "A"})
    assert [b.action for b in bindings.key_to_bindings["A"]] == ["cycle_agg"]
    assert "a" not in bindings.key_to_bindings
