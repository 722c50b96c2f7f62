"""The palette made for telling lines apart (issue #12): contrast against the
real theme surfaces, CIEDE2000 distance, colour-vision deficiency, series
markers, the theme switch in the app and `render --theme light`."""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.theme import BUILTIN_THEMES
from textual.widgets import OptionList

from color_science import (
    MACHADO,
    ciede2000,
    contrast_ratio,
    delta_e,
    hex_rgb,
    lab,
    min_pairwise_delta_e,
    simulate,
)
from modelcompare_tui.cli import main
from modelcompare_tui.core.colors import (
    DELTA_COLORS,
    EXTREME_COLORS,
    PALETTE,
    PALETTE_LIGHT,
    SWATCHES,
    THEME_SURFACES,
    ModelColors,
)
from modelcompare_tui.core.model import ModelQuery
from modelcompare_tui.dialogs.models_list import ModelsListDialog
from modelcompare_tui.render.raster import PLAIN_MARKERS, plain_marker
from modelcompare_tui.widgets.model_bar import ModelBar
from pilot_helpers import settle
from snapshot_apps.apps import make_app
from snapshot_apps.fixtures import build_store

THEMES = {"dark": "textual-dark", "light": "textual-light"}
SHADES = {"dark": PALETTE, "light": PALETTE_LIGHT}
MIN_CONTRAST = 3.0
# floors measured on this palette (printed by the tests), a little below the
# measured values so that a change that makes the palette worse fails
FIRST8_FLOOR = {"dark": 16.5, "light": 16.0}  # measured 17.1 / 16.7
CVD6_FLOOR = {"dark": 13.5, "light": 8.5}  # measured 14.2 / 9.0


# -- the colour science itself ---------------------------------------------------------


def test_color_science_against_published_values() -> None:
    # WCAG: black on white is 21:1, a colour on itself 1:1
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    # sRGB white is L* 100; CIEDE2000 pairs from Sharma, Wu & Dalal (2005), table 1
    assert lab("#ffffff")[0] == pytest.approx(100.0, abs=0.01)
    pairs = [((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
             ((50.0, -1.3802, -84.2814), (50.0, 0.0, -82.7485), 1.0000),
             ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
             ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
             ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373)]
    for a, b, expected in pairs:
        assert ciede2000(a, b) == pytest.approx(expected, abs=1e-4)
    # Machado 2009: a deficiency keeps neutrals neutral and confuses red with green
    for deficiency in MACHADO:
        r, g, b = hex_rgb(simulate("#808080", deficiency))
        assert max(r, g, b) - min(r, g, b) <= 2
    assert delta_e(simulate("#d62728", "deuteranopia"), simulate("#2ca02c", "deuteranopia")) < \
        delta_e("#d62728", "#2ca02c") / 2


# -- contrast ----------------------------------------------------------------------------


def test_theme_surfaces_are_textuals() -> None:
    """The backgrounds tested below are those Textual's themes give the
    surfaces that model colours are drawn on."""
    for key, name in THEMES.items():
        colors = BUILTIN_THEMES[name].to_color_system().generate()
        for var in ("background", "surface", "panel"):
            assert colors[var].lower()[:7] in THEME_SURFACES[key], (name, var, colors[var])


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_shade_has_3_to_1_against_every_surface(theme: str) -> None:
    worst = min((contrast_ratio(c, bg), c, bg) for c in SHADES[theme] for bg in THEME_SURFACES[theme])
    print(f"{theme}: min contrast {worst[0]:.2f} ({worst[1]} on {worst[2]})")
    assert worst[0] >= MIN_CONTRAST, worst


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_delta_and_extreme_colors_have_3_to_1(theme: str) -> None:
    for color in [*DELTA_COLORS[theme].values(), *EXTREME_COLORS[theme].values()]:
        for bg in THEME_SURFACES[theme]:
            assert contrast_ratio(color, bg) >= MIN_CONTRAST, (theme, color, bg)


def test_the_old_palette_would_fail() -> None:
    """The test above can fail: the 12 colours before this palette did on light."""
    old = ("#4e9de0", "#e8833a", "#3fb26b", "#d9534f", "#9b6fd0", "#c49a2c")
    assert min(contrast_ratio(c, bg) for c in old for bg in THEME_SURFACES["light"]) < MIN_CONTRAST


# -- distinguishability --------------------------------------------------------------------


def test_palette_shape() -> None:
    assert len(SWATCHES) >= 12
    assert len(set(PALETTE)) == len(PALETTE) and len(set(PALETTE_LIGHT)) == len(PALETTE_LIGHT)
    for s in SWATCHES:  # one hue family: the two shades' hue angles close
        _, a1, b1 = lab(s.dark)
        _, a2, b2 = lab(s.light)
        h1, h2 = math.degrees(math.atan2(b1, a1)), math.degrees(math.atan2(b2, a2))
        assert abs((h1 - h2 + 180) % 360 - 180) < 25, (s.name, h1, h2)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_first_8_far_apart(theme: str) -> None:
    d, a, b = min_pairwise_delta_e(SHADES[theme][:8])
    print(f"{theme}: min CIEDE2000 of the first 8: {d:.2f} ({a} / {b})")
    assert d >= FIRST8_FLOOR[theme]


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_first_6_apart_under_colour_vision_deficiency(theme: str) -> None:
    worst = min((*min_pairwise_delta_e(SHADES[theme][:6], deficiency), deficiency) for deficiency in MACHADO)
    print(f"{theme}: min CIEDE2000 of the first 6 under CVD: {worst[0]:.2f} ({worst[1]} / {worst[2]}, {worst[3]})")
    assert worst[0] >= CVD6_FLOOR[theme]


def test_salmon_and_red_of_the_issue_stay_apart() -> None:
    """The issue's complaint: two reds. No two of the first 12 shades are
    closer than a just-legible difference in either theme."""
    for shades in SHADES.values():
        for a, b in itertools.combinations(shades, 2):
            assert delta_e(a, b) >= 8, (a, b)


# -- markers -------------------------------------------------------------------------------


def test_markers_unique_for_24_series() -> None:
    markers = [plain_marker(i) for i in range(24)]
    assert len(set(markers)) == 24 == len(PLAIN_MARKERS)
    assert all(cell_len(m) == 1 and not m.isspace() for m in markers)
    # none is a character the chart frame or braille lines draw with
    assert not set(markers) & set("│─┌┐└┘├┤┬┴┼|-. ")
    assert all(not 0x2800 <= ord(m) <= 0x28FF for m in markers)


# -- ModelColors and the theme switch ---------------------------------------------------


def test_model_colors_keep_slots_across_themes() -> None:
    colors = ModelColors(["a", "b", "c"])
    dark = [colors[i] for i in "abc"]
    colors.dark = False
    assert [colors[i] for i in "abc"] == [s.light for s in SWATCHES[:3]]
    assert [colors.slot(i) for i in "abc"] == [0, 1, 2]
    colors.dark = True
    assert [colors[i] for i in "abc"] == dark == list(PALETTE[:3])
    assert colors.shade("b", dark=False) == SWATCHES[1].light
    assert ModelColors(["x"], dark=False)["x"] == PALETTE_LIGHT[0]


def _styles_of(content: object) -> str:
    return " ".join(str(span.style) for span in getattr(content, "spans", ()))


async def test_ctrl_t_recolours_screen_and_open_dialog_keeping_slots(tmp_path: Path) -> None:
    app = make_app(tmp_path, n=8)
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        ids = tuple(r.id for r in app.source.list_models(ModelQuery(limit=4)).rows)
        app.open_comparison(ids)
        await settle(pilot)
        slots = {i: app.colors.slot(i) for i in ids}
        assert [app.colors[i] for i in ids] == [SWATCHES[slots[i]].dark for i in ids]
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ModelsListDialog)

        def shown_colors() -> tuple[str, str]:
            options = app.screen.query_one(OptionList)
            listed = " ".join(_styles_of(options.get_option_at_index(k).prompt) for k in range(options.option_count))
            bar = app.screen_stack[-2].query_one(ModelBar)
            return listed.lower(), _styles_of(bar.render()).lower()

        listed, bar = shown_colors()
        for i in ids:
            assert SWATCHES[slots[i]].dark in listed and SWATCHES[slots[i]].dark in bar
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert not app.current_theme.dark and not app.colors.dark
        assert isinstance(app.screen, ModelsListDialog)
        assert {i: app.colors.slot(i) for i in ids} == slots
        listed, bar = shown_colors()
        for i in ids:
            shade = SWATCHES[slots[i]]
            assert app.colors[i] == shade.light
            assert shade.light in listed and shade.dark not in listed
            assert shade.light in bar and shade.dark not in bar
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.current_theme.dark and [app.colors[i] for i in ids] == [SWATCHES[slots[i]].dark for i in ids]


async def test_app_started_light_uses_light_shades(tmp_path: Path) -> None:
    app = make_app(tmp_path, n=4, theme="light")
    async with app.run_test(size=(120, 32)) as pilot:
        await settle(pilot)
        assert not app.colors.dark
        assert app.colors["some-model"] in PALETTE_LIGHT


# -- headless ------------------------------------------------------------------------------


def _ansi_colors(text: str) -> set[str]:
    return {f"#{int(r):02x}{int(g):02x}{int(b):02x}" for r, g, b in re.findall(r"38;2;(\d+);(\d+);(\d+)", text)}


@pytest.mark.parametrize("tab", ["details", "scalars"])
def test_render_theme_light_uses_light_shades(tmp_path: Path, capsys: pytest.CaptureFixture[str], tab: str) -> None:
    store = tmp_path / "s.db"
    ids = [r.id for r in build_store(store, 3).list_models(ModelQuery(limit=3)).rows]
    assert main(["share", "--store", str(store), *ids, "--tab", tab]) == 0
    state = capsys.readouterr().out.strip()
    shown = {}
    for theme in ("dark", "light"):
        assert main(["render", state, "--format", "ansi", "--theme", theme, "--width", "120"]) == 0
        shown[theme] = _ansi_colors(capsys.readouterr().out)
    assert set(PALETTE_LIGHT[:3]) <= shown["light"] and not set(PALETTE) & shown["light"]
    assert set(PALETTE[:3]) <= shown["dark"] and not set(PALETTE_LIGHT) & shown["dark"]
    # the SVG of the light theme: light shades on a light page
    assert main(["render", state, "--format", "svg", "--theme", "light", "--width", "120"]) == 0
    svg = capsys.readouterr().out.lower()
    assert all(c in svg for c in PALETTE_LIGHT[:3]) and not any(c in svg for c in PALETTE[:3])
