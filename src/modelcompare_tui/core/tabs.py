"""The comparison tabs, in order: the one list the CLI, the state codec,
`render`, the App's modes and the tab bar all read."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TABS", "TAB_INFO", "TAB_TITLES", "TabInfo"]


@dataclass(frozen=True)
class TabInfo:
    id: str  # in the state string, `--tab`, and the App's mode name
    title: str  # the tab bar's label; the screen class is `<title>Screen` in screens/<id>.py
    key: str  # the key that shows it


TAB_INFO: tuple[TabInfo, ...] = (
    TabInfo("details", "Details", "1"),
    TabInfo("network", "Network", "2"),
    TabInfo("scalars", "Scalars", "3"),
    TabInfo("plots", "Plots", "4"),
)
TABS: tuple[str, ...] = tuple(t.id for t in TAB_INFO)
TAB_TITLES: dict[str, str] = {t.id: t.title for t in TAB_INFO}
