"""The Details tab: the compared models' general information, labels, metadata
and lineage side by side, one column per model (core.diff decides, screens/diff.py
shows and edits)."""

from __future__ import annotations

from ..core.diff import DiffTable, details_diff
from ..core.model import Model
from .base import CompareScreen
from .diff import DiffBody

__all__ = ["DetailsBody", "DetailsScreen"]


class DetailsBody(DiffBody):
    """The Details tab: general information, labels, metadata, lineage."""

    TAB = "details"
    HELP_TITLE = "Details"

    def build_table(self, models: list[Model], mode: str) -> DiffTable:
        return details_diff(models, mode)


class DetailsScreen(CompareScreen):
    TAB = "details"
    BODY = DetailsBody
