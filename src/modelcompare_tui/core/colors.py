"""Model colors: one model keeps one color on every screen.

Colors are assigned in order of first appearance and never reassigned while
the mapping lives (the App keeps one), so moving a model or changing the base
does not repaint it. Hex colors readable on both dark and light backgrounds.
"""

from __future__ import annotations

from collections.abc import Iterable

PALETTE: tuple[str, ...] = (
    "#4e9de0",  # blue
    "#e8833a",  # orange
    "#3fb26b",  # green
    "#d9534f",  # red
    "#9b6fd0",  # purple
    "#c49a2c",  # ochre
    "#e06bb5",  # pink
    "#2fb5b0",  # teal
    "#8c8c3a",  # olive
    "#b5734a",  # brown
    "#6f86ff",  # indigo
    "#7aa33c",  # moss
)

# plotext accepts RGB tuples; keep the same colors for charts
def hex_to_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


class ModelColors:
    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._colors: dict[str, str] = {}
        self.assign(ids)

    def assign(self, ids: Iterable[str]) -> None:
        for model_id in ids:
            if model_id not in self._colors:
                self._colors[model_id] = PALETTE[len(self._colors) % len(PALETTE)]

    def __getitem__(self, model_id: str) -> str:
        if model_id not in self._colors:
            self.assign([model_id])
        return self._colors[model_id]

    def rgb(self, model_id: str) -> tuple[int, int, int]:
        return hex_to_rgb(self[model_id])
