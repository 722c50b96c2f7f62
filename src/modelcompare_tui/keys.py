"""Every binding of the current screen, for the `?` help and the command palette.

Textual's own `active_bindings` lists only the focused widget's chain; help and
the palette should list every action of the screen (the table's keys while the
search bar has focus, a tab body's keys while the models bar has focus), so we
walk the screen's widgets too. Only this package's widgets count: a stock Input
brings two dozen editing keys nobody looks for in a help screen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

PACKAGE = __name__.rsplit(".", 1)[0]


@dataclass(frozen=True)
class KeyAction:
    key: str  # as displayed, e.g. "ctrl+t", "?"
    description: str
    tooltip: str
    action: str
    node: DOMNode
    enabled: bool


@dataclass(frozen=True)
class KeySection:
    title: str
    keys: list[KeyAction]


def _title(node: DOMNode) -> str:
    if isinstance(node, App):
        return "Everywhere"
    # every class with bindings names itself (tests/test_help_titles.py): never a class name
    return str(getattr(node, "HELP_TITLE", ""))


def _own_bindings(node: DOMNode) -> list[Binding]:
    """The bindings this package's classes declare on `node` (not the ones a
    stock base class brings: ScrollView's ctrl+pgup, Input's editing keys)."""
    seen: set[str] = set()
    out: list[Binding] = []
    for cls in type(node).__mro__:
        if not cls.__module__.startswith(PACKAGE) or "BINDINGS" not in cls.__dict__:
            continue
        for binding in Binding.make_bindings(cls.__dict__["BINDINGS"]):
            if binding.description and binding.key not in seen:
                seen.add(binding.key)
                out.append(binding)
    return out


def _is_ours(node: DOMNode) -> bool:
    return type(node).__module__.startswith(PACKAGE)


def screen_key_sections(app: App, screen: Screen) -> list[KeySection]:
    """The screen's bindings by the widget that owns them: the focused widget's
    chain first (those keys work right now), then the screen's other widgets,
    then the app's global keys. A key bound nearer the focus hides the same key
    further out, as it does when pressed."""
    focused = screen.focused
    chain: list[DOMNode] = []
    node: DOMNode | None = focused
    while node is not None and node is not screen:
        chain.append(node)
        node = node.parent
    others = [
        widget
        for widget in screen.walk_children(with_self=False)
        if widget not in chain and _is_ours(widget) and widget.display and _own_bindings(widget)
    ]
    nodes: list[DOMNode] = [*[n for n in chain if _is_ours(n)], screen, *others, app]
    taken: set[str] = set()
    sections: list[KeySection] = []
    seen_types: set[type] = set()
    for node in nodes:
        if type(node) in seen_types:  # e.g. two tables: list their keys once
            continue
        seen_types.add(type(node))
        keys: list[KeyAction] = []
        for binding in _own_bindings(node):
            in_chain = node in chain or node is screen or node is app
            if in_chain and binding.key in taken:
                continue
            state = app._check_action_state(binding.action, node)
            if state is False:
                continue
            if in_chain:
                taken.add(binding.key)
            keys.append(
                KeyAction(
                    key=app.get_key_display(binding),
                    description=binding.description,
                    tooltip=binding.tooltip,
                    action=binding.action,
                    node=node,
                    enabled=bool(state),
                )
            )
        if keys:
            sections.append(KeySection(_title(node), _merged(keys)))
    return sections


def _merged(keys: list[KeyAction]) -> list[KeyAction]:
    """One line per action: a binding of several keys ("down,j") lists them together (`↓ j`)."""
    out: list[KeyAction] = []
    for key in keys:
        same = next((k for k in out if (k.action, k.description) == (key.action, key.description)), None)
        if same is None:
            out.append(key)
        else:
            out[out.index(same)] = replace(same, key=f"{same.key} {key.key}")
    return out
