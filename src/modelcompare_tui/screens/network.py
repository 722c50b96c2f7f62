"""The Network tab: the compared models' configurations side by side, by key
path when every one parses, else line by line (core.diff decides, screens/diff.py
shows and edits)."""

from __future__ import annotations

from ..core.diff import DiffTable, network_diff
from ..core.model import Model
from .base import CompareScreen
from .diff import DiffBody

__all__ = ["NetworkBody", "NetworkScreen"]


class NetworkBody(DiffBody):
    """The Network tab: the configurations, by key path or line by line."""

    TAB = "network"
    HELP_TITLE = "Network"

    def build_table(self, models: list[Model], mode: str) -> DiffTable:
        return network_diff(models, mode)


class NetworkScreen(CompareScreen):
    TAB = "network"
    BODY = NetworkBody
