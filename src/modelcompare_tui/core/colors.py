"""Model colors: one model keeps one color on every screen, in both themes.

A model gets a *slot* of the palette in order of first appearance, never
reassigned while the mapping lives (the App keeps one), so moving a model or
changing the base does not repaint it. Each slot has two shades of one hue
family: one for the dark theme and one for the light theme; switching the
theme (`ModelColors.dark`) swaps the shade, never the slot.

The palette is Okabe–Ito based (Okabe & Ito, "Color Universal Design", 2008),
with Tableau-10 hues after its seven colours:

- every shade has a WCAG contrast of at least 3:1 against every surface model
  colours are drawn on (THEME_SURFACES: Textual's textual-dark / textual-light
  background, surface and panel);
- the first 6 slots stay apart under simulated protanopia, deuteranopia and
  tritanopia (Machado 2009), the first 8 are as far apart as the contrast
  floor allows (CIEDE2000); tests/test_palette.py measures both;
- Okabe–Ito's blue (#0072B2) is too dark for the dark theme and too close to
  sky blue in the light one: the blue-violet "indigo" takes its place.

The light shades are the dark ones' hue with less light (linear RGB scaled
down), the dark shades Okabe–Ito's own or mixed towards white where a shade
was too dark for 3:1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DELTA_COLORS",
    "EXTREME_COLORS",
    "PALETTE",
    "PALETTE_LIGHT",
    "SWATCHES",
    "THEME_SURFACES",
    "ModelColors",
    "Swatch",
    "hex_to_rgb",
    "is_dark_theme",
]


@dataclass(frozen=True)
class Swatch:
    """One slot of the palette: a hue family's shade for each theme."""

    name: str
    dark: str  # on textual-dark's surfaces
    light: str  # on textual-light's surfaces

    def shade(self, dark: bool) -> str:
        return self.dark if dark else self.light


SWATCHES: tuple[Swatch, ...] = (
    Swatch("sky blue", "#71c0ed", "#357498"),  # Okabe–Ito #56B4E9
    Swatch("vermillion", "#d55e00", "#813600"),  # Okabe–Ito #D55E00
    Swatch("bluish green", "#009e73", "#006246"),  # Okabe–Ito #009E73
    Swatch("reddish purple", "#cf81ac", "#8f5375"),  # Okabe–Ito #CC79A7
    Swatch("yellow", "#f0e442", "#77701c"),  # Okabe–Ito #F0E442
    Swatch("indigo", "#7d6fd3", "#6a5acd"),  # for Okabe–Ito's blue
    Swatch("red", "#e15759", "#bb4749"),  # Tableau-10
    Swatch("brown", "#9c755f", "#896653"),  # Tableau-10
    Swatch("orange", "#e69f00", "#946500"),  # Okabe–Ito #E69F00
    Swatch("green", "#59a14f", "#427a3a"),  # Tableau-10
    Swatch("pink", "#ff9da7", "#9a5d63"),  # Tableau-10
    Swatch("purple", "#b55da6", "#aa4499"),  # Tol's purple
)

PALETTE: tuple[str, ...] = tuple(s.dark for s in SWATCHES)
PALETTE_LIGHT: tuple[str, ...] = tuple(s.light for s in SWATCHES)

# The surfaces model colours are drawn on (Textual 8's textual-dark and
# textual-light: $background, $surface, $panel; $boost over $surface in dark),
# for the contrast test; headless SVG/HTML pages use the first as their page.
THEME_SURFACES: dict[str, tuple[str, ...]] = {
    "dark": ("#121212", "#1e1e1e", "#242f38", "#272727"),
    "light": ("#e0e0e0", "#d8d8d8", "#d0d0d0"),
}
THEME_FOREGROUND: dict[str, str] = {"dark": "#e0e0e0", "light": "#1f1f1f"}

# Headless output's colours of data other than models (the app takes them from
# its theme): Δ better/worse, and the row extremes (neither the better/worse
# ones, since the row maximum is not always the better value). Each ≥ 3:1 on
# its theme's surfaces.
DELTA_COLORS: dict[str, dict[str, str]] = {
    "dark": {"better": "#3fb26b", "worse": "#d9534f"},
    "light": {"better": "#2a7c49", "worse": "#bc4744"},
}
EXTREME_COLORS: dict[str, dict[str, str]] = {
    "dark": {"max": "#3d8fd6", "min": "#c9871a"},
    "light": {"max": "#2f72ac", "min": "#966310"},
}


def is_dark_theme(theme: str | None) -> bool:
    """`--theme` (dark, light, None) or a Textual theme name: dark unless it says light."""
    return not (theme and "light" in theme)


def theme_key(dark: bool) -> str:
    return "dark" if dark else "light"


# plotext accepts RGB tuples; keep the same colors for charts
def hex_to_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


class ModelColors:
    """Model id → palette slot, assigned in order of first appearance; `[id]`
    is the slot's shade for the current theme (`dark`), which the App sets
    when the theme changes."""

    def __init__(self, ids: Iterable[str] = (), *, dark: bool = True) -> None:
        self._slots: dict[str, int] = {}
        self.dark = dark
        self.assign(ids)

    def assign(self, ids: Iterable[str]) -> None:
        for model_id in ids:
            if model_id not in self._slots:
                self._slots[model_id] = len(self._slots)

    def slot(self, model_id: str) -> int:
        """The model's slot (its order of first appearance; the palette repeats
        after len(SWATCHES))."""
        if model_id not in self._slots:
            self.assign([model_id])
        return self._slots[model_id]

    def swatch(self, model_id: str) -> Swatch:
        return SWATCHES[self.slot(model_id) % len(SWATCHES)]

    def shade(self, model_id: str, dark: bool | None = None) -> str:
        """The model's colour in the dark or light theme (default: the current one)."""
        return self.swatch(model_id).shade(self.dark if dark is None else dark)

    def __getitem__(self, model_id: str) -> str:
        return self.shade(model_id)

    def rgb(self, model_id: str) -> tuple[int, int, int]:
        return hex_to_rgb(self[model_id])

    @property
    def theme(self) -> str:
        """"dark" or "light": the key of THEME_SURFACES, DELTA_COLORS, EXTREME_COLORS."""
        return theme_key(self.dark)
