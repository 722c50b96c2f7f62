"""Pilot tests of the compare shell: tabs, the models bar and its colors, the
MODELS list, the selection dialog, the guards, the body contract, state strings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from modelcompare_tui.app import create_app
from modelcompare_tui.core.model import ModelQuery
from modelcompare_tui.core.state import ComparisonState, decode_state, encode_state
from modelcompare_tui.dialogs.models_list import ModelsListDialog
from modelcompare_tui.dialogs.paste_state import PasteStateDialog
from modelcompare_tui.dialogs.select_models import SelectModelsDialog
from modelcompare_tui.dialogs.text import TextDialog
from modelcompare_tui.screens.base import CompareScreen
from modelcompare_tui.screens.models import ModelsScreen
from modelcompare_tui.widgets.model_bar import ModelBar, TabBar
from modelcompare_tui.widgets.model_table import ModelTable
from snapshot_apps.apps import RecordingBody, make_app, real_bodies, recording_bodies, settle, use_bodies
from snapshot_apps.fixtures import build_big_store

SIZE = (120, 32)


@pytest.fixture(autouse=True)
def _stub_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    use_bodies(monkeypatch, recording_bodies())


def ids_of(app, n: int) -> tuple[str, ...]:  # noqa: ANN001
    return tuple(r.id for r in app.source.list_models(ModelQuery(limit=n)).rows)


async def open_compare(pilot, n: int = 3) -> tuple[str, ...]:  # noqa: ANN001
    """Select the first n rows with the keyboard and press c."""
    await settle(pilot)
    for _ in range(n):
        await pilot.press("space", "down")
    await pilot.press("c")
    await settle(pilot)
    return pilot.app.comparison.models


def body_of(app) -> RecordingBody:  # noqa: ANN001
    return app.screen.query_one(RecordingBody)


async def test_tabs_switch_screens_and_state(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        ids = await open_compare(pilot)
        assert ids == ids_of(app, 3)
        details = app.screen
        assert isinstance(details, CompareScreen) and details.tab == "details"
        for key, tab in (("2", "network"), ("3", "scalars"), ("4", "plots"), ("1", "details")):
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == tab
            assert app.screen.tab == tab
            assert app.comparison.tab == tab
            assert body_of(app).models and [m.id for m in body_of(app).models] == list(ids)
        assert app.screen is details  # one screen per tab, kept
        await pilot.press("escape")
        assert isinstance(app.screen, ModelsScreen)
        # 1-4 on the models table go back to the open comparison
        await pilot.press("3")
        await settle(pilot)
        assert app.current_mode == "scalars"


async def test_clicking_a_tab(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_compare(pilot)
        bar = app.screen.query_one(TabBar)
        x = str(bar.render()).index("4 Plots")
        await pilot.click(TabBar, offset=(x + 1, 0))
        await settle(pilot)
        assert app.current_mode == "plots"


async def test_model_chips_keep_their_colors_everywhere(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        ids = await open_compare(pilot)
        colors = {i: app.colors[i] for i in ids}
        assert len(set(colors.values())) == 3
        bar = app.screen.query_one(ModelBar)
        text = bar.render()
        names = [m.name for m in app.compared_models]
        assert str(text).index("◆ " + names[0]) < str(text).index(names[1]) < str(text).index(names[2])
        for model_id, name in zip(ids, names):
            start = str(text).index(name)
            spans = [s for s in text.spans if s.start <= start < s.end]
            assert any(colors[model_id] in str(s.style) for s in spans), name
        # reordering keeps each model's color
        await pilot.press("m", "down", "b", "escape")
        await settle(pilot)
        assert app.comparison.models == (ids[1], ids[0], ids[2])
        assert {i: app.colors[i] for i in ids} == colors
        body = body_of(app)
        assert body.colors[ids[1]] == colors[ids[1]]


async def test_models_list_remove_reorder_and_guard(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        ids = await open_compare(pilot)
        await pilot.press("m")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ModelsListDialog)
        options = dialog.query_one("#models-list")
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == list(ids)
        # ] moves the highlighted model down; [ moves it back up
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.comparison.models == (ids[1], ids[0], ids[2])
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.comparison.models == ids
        # x removes; the body sees the new state
        await pilot.press("down", "down", "x")
        await settle(pilot)
        assert app.comparison.models == ids[:2]
        assert options.option_count == 2
        # removing down to one is refused, with a message
        await pilot.press("delete")
        await settle(pilot)
        assert app.comparison.models == ids[:2]
        assert "At least 2 models are needed" in str(dialog.query_one("#models-message").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        body = body_of(app)
        assert body.calls[-1][1] == list(ids[:2])
        assert [m.id for m in body.models] == list(ids[:2])


async def test_selection_dialog_pins_and_preselects(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # compare three models that are not at the top of the table
        await pilot.press("down", "down", "down", "down", "space", "down", "space", "down", "space", "c")
        await settle(pilot)
        ids = app.comparison.models
        await pilot.press("plus")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SelectModelsDialog)
        table = dialog.query_one(ModelTable)
        rows = table.visible_rows()
        assert tuple(r.id for r in rows[:3]) == ids  # pinned on top, in comparison order
        assert tuple(table.selected) == ids  # and already selected
        assert table.total == 30
        # sort and search keep the pinned rows on top
        await pilot.press("s")
        await settle(pilot)
        assert tuple(r.id for r in table.visible_rows()[:3]) == ids
        names = [r.name for r in table.visible_rows()[3:]]
        assert names == sorted(names, key=str.lower)
        # add the first unpinned row, drop the second compared one, APPLY with enter
        added = table.visible_rows()[3].id
        await pilot.press("down", "down", "down", "space", "up", "up", "space", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert app.comparison.models == (ids[0], ids[2], added)
        assert [m.id for m in body_of(app).models] == [ids[0], ids[2], added]


async def test_selection_dialog_cancel_and_ctrl_s(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        ids = await open_compare(pilot, 2)
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press("down", "down", "space", "escape")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert app.comparison.models == ids  # cancelled
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press("slash", *"bert")
        await settle(pilot)
        dialog = app.screen
        table = dialog.query_one(ModelTable)
        bert = next(r for r in table.visible_rows() if r.id not in ids)
        await pilot.press("escape")  # leaves the search bar, not the dialog
        assert isinstance(app.screen, SelectModelsDialog)
        await pilot.press(*["down"] * (table.visible_rows().index(bert)), "space", "ctrl+s")
        await settle(pilot)
        assert app.comparison.models == (*ids, bert.id)


async def test_selection_dialog_guards(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        ids = await open_compare(pilot, 2)
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press("space", "enter")  # deselect one: a single model left
        await settle(pilot)
        assert isinstance(app.screen, SelectModelsDialog)
        assert "Select at least 2 models" in str(app.screen.query_one("#select-count").render())
        assert app.comparison.models == ids
        assert any("at least 2" in n.message for n in app._notifications)


async def test_selection_dialog_refuses_more_than_100(tmp_path: Path) -> None:
    app = create_app(build_big_store(tmp_path / "big.db", 110))
    async with app.run_test(size=SIZE) as pilot:
        ids = await open_compare(pilot, 2)
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press("ctrl+a")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SelectModelsDialog)
        assert app.comparison.models == ids
        assert any("At most 100 models can be compared (110 selected)" in n.message for n in app._notifications)


async def test_state_with_missing_models_opens_the_rest(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = ids_of(app, 2)
        gone = "m-ffffffffffffffffffffffffffffffff"
        app.set_comparison(ComparisonState(models=(ids[0], gone, ids[1]), tab="network"), show=True)
        await settle(pilot)
        assert app.comparison.models == ids
        assert app.current_mode == "network"
        assert any(n.message == f"1 model missing: {gone}" for n in app._notifications)


async def test_app_opens_a_state_directly(tmp_path: Path) -> None:
    from snapshot_apps.fixtures import build_store

    store = build_store(tmp_path / "s.db", 10)
    ids = tuple(r.id for r in store.list_models(ModelQuery(limit=3)).rows)
    app = create_app(store, ComparisonState(models=ids, tab="scalars"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "scalars"
        assert [m.id for m in body_of(app).models] == list(ids)
        await pilot.press("escape")
        assert isinstance(app.screen, ModelsScreen)


async def test_body_state_changes_reach_every_tab(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        ids = await open_compare(pilot)
        await pilot.press("2")
        await settle(pilot)
        network_body = body_of(app)
        await pilot.press("1")
        await settle(pilot)
        details_body = body_of(app)
        wanted = replace(app.comparison, details=replace(app.comparison.details, hide_identical=True))
        details_body.request_state(wanted)
        await settle(pilot)
        assert app.comparison == wanted
        assert details_body.calls[-1][0] == wanted
        assert network_body.calls[-1][0] == wanted  # screens of other tabs follow too
        assert network_body.calls[-1][1] == list(ids)


async def test_copy_state_copies_and_shows_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_compare(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        text = app.clipboard
        assert text == encode_state(app.comparison)
        assert app.screen.query_one("#text-body").text == text
        assert decode_state(text).models == app.comparison.models
        await pilot.press("escape")
        assert isinstance(app.screen, CompareScreen)


async def test_paste_state_opens_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = ids_of(app, 4)[2:]
        text = encode_state(ComparisonState(source=app.source.uri, models=ids, tab="plots"))
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PasteStateDialog)
        await pilot.press(*"mc1.zz", "enter")
        await pilot.pause()
        assert "state string" in str(app.screen.query_one("#paste-error").render())
        app.screen.query_one("#state-input").value = f"  '{text[:20]}\n{text[20:]}' "
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "plots"
        assert app.comparison.models == ids


async def test_help_on_compare_screen_lists_shell_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 50)) as pilot:
        await open_compare(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.screen.plain_text()
        for expected in ("Details", "Network", "Scalars", "Plots", "Models", "Add", "Copy state",
                         "Paste state", "Embed", "Table", "Quit", "Dark/light"):
            assert expected in text, expected


async def test_compare_of_many_models_fits_the_bar(tmp_path: Path) -> None:
    app = make_app(tmp_path, 40)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+a", "c")
        await settle(pilot)
        assert len(app.comparison.models) == 40
        text = str(app.screen.query_one(ModelBar).render())
        assert "more" in text and len(text) <= 78


REAL_BODIES = real_bodies()  # saved before the autouse fixture stubs them


async def test_real_tab_bodies_mount_in_the_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell with the bodies this build ships: each tab mounts its body (or
    says it is not available) and survives a change of the compared models."""
    from modelcompare_tui.demo import generate_demo
    from modelcompare_tui.sources.store import SQLiteStore

    use_bodies(monkeypatch, REAL_BODIES)
    store = SQLiteStore(tmp_path / "demo.db")
    store.import_records(generate_demo(6, 0))
    app = create_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        ids = await open_compare(pilot, 3)
        for key, tab in (("1", "details"), ("2", "network"), ("3", "scalars"), ("4", "plots")):
            await pilot.press(key)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, CompareScreen) and screen.tab == tab
            assert screen.body is not None and screen.body.is_mounted
            assert [m.id for m in screen.body.models] == list(ids)
        # a new selection reaches every body
        app.set_comparison(replace(app.comparison, models=ids[:2]))
        await settle(pilot)
        for tab in ("details", "network", "scalars", "plots"):
            await pilot.press(str(("details", "network", "scalars", "plots").index(tab) + 1))
            await settle(pilot)
            assert [m.id for m in app.screen.body.models] == list(ids[:2])
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_body_state_change_while_new_models_load_keeps_both(tmp_path: Path) -> None:
    import time as _time

    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        ids = await open_compare(pilot, 2)
        extra = ids_of(app, 5)[4]
        slow_get = app.source.get_models

        def get_models(wanted):  # noqa: ANN001, ANN202
            _time.sleep(0.4)
            return slow_get(wanted)

        app.source.get_models = get_models
        app.set_comparison(replace(app.comparison, models=(*ids, extra)))  # APPLY: a model to load
        await pilot.pause(0.05)
        body = body_of(app)
        old_view = body.state  # the body still has the old models
        body.request_state(replace(old_view, details=replace(old_view.details, hide_identical=True)))
        await settle(pilot)
        assert app.comparison.models == (*ids, extra)  # the new selection survived
        assert app.comparison.details.hide_identical  # and so did the body's change
        assert [m.id for m in body_of(app).models] == [*ids, extra]


async def test_enter_closes_the_models_list(tmp_path: Path) -> None:
    """enter is the list's own key (select): it closed nothing, the dialog stayed open."""
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_compare(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ModelsListDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
