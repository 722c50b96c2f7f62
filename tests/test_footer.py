"""The footer at 80 columns: compact, only whole keys, `? Help` always shown;
at 120 and more Textual's footer as it is, with the command palette's key."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from modelcompare_tui.widgets.footer import AppFooter
from pilot_helpers import settle


class FooterApp(App[None]):
    BINDINGS = [
        *(Binding(key, f"noop('{key}')", f"Action number {key}") for key in "abcdefghij"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield AppFooter()

    def action_noop(self, key: str) -> None:
        pass

    def action_help(self) -> None:
        pass


def _shown(app: App[None]) -> list[FooterKey]:
    return [key for key in app.query(FooterKey) if key.display and not key.has_class("-command-palette")]


@pytest.mark.parametrize("width", [60, 80, 100])
async def test_narrow_footer_shows_whole_keys_and_help(width: int) -> None:
    app = FooterApp()
    async with app.run_test(size=(width, 10)) as pilot:
        await settle(pilot)
        footer = app.query_one(AppFooter)
        assert footer.compact and not footer.show_command_palette
        shown = _shown(app)
        assert shown and shown[-1].action == "help"  # kept, at the end of what fits
        assert len(shown) < 11  # not everything fits: some keys were left out whole
        assert max(key.region.right for key in shown) <= width  # none cut at the edge


async def test_wide_footer_is_textuals() -> None:
    app = FooterApp()
    async with app.run_test(size=(200, 10)) as pilot:
        await settle(pilot)
        footer = app.query_one(AppFooter)
        assert not footer.compact and footer.show_command_palette
        assert len(_shown(app)) == 11
        assert any(key.has_class("-command-palette") for key in app.query(FooterKey))
        # narrowing the terminal makes it compact
        await pilot.resize_terminal(80, 10)
        await settle(pilot)
        assert footer.compact and _shown(app)[-1].action == "help"
