"""The comparison screens by tab id, imported on first use: the start screen
must not pay for the charts (core.tabs lists the tabs)."""

from __future__ import annotations

import importlib

from ..core.tabs import TAB_TITLES
from .base import CompareScreen

__all__ = ["screen_class"]


def screen_class(tab: str) -> type[CompareScreen]:
    """The Screen class of `tab` (`DetailsScreen` in screens/details.py, …)."""
    module = importlib.import_module(f".{tab}", __package__)
    cls: type[CompareScreen] = getattr(module, f"{TAB_TITLES[tab]}Screen")
    return cls
