"""The Details and Network tabs: the grid's helpers, then Pilot tests of each
body mounted alone (base switching, reordering, hide identical, search,
n/N, diff mode, the cell dialog, live refresh, many columns), then one
test through the real compare shell."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from diff_fixtures import IDS, TEXT_IDS, DiffApp, build_diff_store, diff_state, make_models, many_models, settle
from modelcompare_tui.core.diff import CellStatus, details_diff, network_diff
from modelcompare_tui.core.model import Model
from modelcompare_tui.core.state import ComparisonState, DiffView
from modelcompare_tui.dialogs.cell_value import CellValueDialog
from modelcompare_tui.render.diff_text import diff_to_text, fit, plain, share_widths
from modelcompare_tui.screens.details import DetailsBody
from modelcompare_tui.screens.diff import DiffBody
from modelcompare_tui.screens.network import NetworkBody
from modelcompare_tui.widgets.diff_bar import BarPart, DiffBar, SearchBox
from modelcompare_tui.core.labels import model_labels
from modelcompare_tui.widgets.diff_grid import (
    GLYPHS,
    DiffGrid,
    prepare_table,
    shown_spans,
    window,
)
from modelcompare_tui.widgets.tab_body import EmbedTarget

SIZE = (120, 30)


# -- helpers of the grid ---------------------------------------------------------------


def test_glyphs_are_those_of_the_text_rendering() -> None:
    table = details_diff(make_models())
    text = diff_to_text(table, width=400)
    for status, glyph in GLYPHS.items():
        assert any(cell.status is status for row in table.rows for cell in row.cells)
        assert f"{glyph} " in text
    assert set(GLYPHS) == {status for status in CellStatus if status.marked}


def test_fit_pads_and_cuts() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    assert cell_len(fit("日本語", 4)) == 4 and fit("日本語", 4).endswith("…")
    # core.display.display_text: one character for one (a tab is one space), so spans stay valid
    assert plain("a\x1b[2J\nb\tc") == "a␛[2J⏎b c"
    assert fit("x", 0) == ""


def test_window_keeps_the_first_change_in_view() -> None:
    text = '  convolution_param { num_output: 128 kernel_size: 5 }'
    at = text.index("5 }")
    shown, spans = window(text, [(at, at + 1)], 20)
    assert len(shown) == 20 and shown.startswith("…")
    assert [shown[a:b] for a, b in spans] == ["5"]
    # a change already in view: cut at the end only
    shown, spans = window("abcdefghijklmnop", [(1, 2)], 8)
    assert shown == "abcdefg…" and spans == [(1, 2)]
    # spans past the cut are dropped, not drawn over the ellipsis
    shown, spans = window("abcdefghijklmnop", [(1, 2), (12, 14)], 8)
    assert spans == [(1, 2)]
    # short texts are padded
    assert window("ab", [(0, 1)], 4) == ("ab  ", [(0, 1)])


def test_shown_spans_only_when_most_of_the_value_is_shared() -> None:
    table = details_diff(make_models())
    rows = {row.field: row for row in table.rows}
    created = rows["created"].cells[1]
    assert created.status is CellStatus.CHANGED
    assert [created.value[a:b] for a, b in shown_spans(created)] == ["05"]  # the day, a whole number
    status = rows["status"].cells[1]  # "draft" vs "published": nothing worth pointing at
    assert status.status is CellStatus.CHANGED and shown_spans(status) == []
    task = rows["task"].cells[1]  # "finetune pets (t-101)" vs "train resnet50 (t-100)": scattered
    assert task.spans and shown_spans(task) == []
    network = {row.field: row for row in network_diff(make_models()).rows}
    assert shown_spans(network["batch_size"].cells[1]) == []  # "64" vs "256"
    lr = network["optimizer.lr"].cells[1]  # "0.01" vs "0.1"
    # the number differs as a whole: the changed cell says it, no highlight of one "0"
    assert lr.spans == [(0, len(lr.value))] and shown_spans(lr) == []


def test_share_widths() -> None:
    assert share_widths([5, 50, 50], 60) == [5, 28, 27]
    assert share_widths([5, 6], 60) == [5, 6]
    assert sum(share_widths([30] * 7, 100)) == 100


def test_column_titles_tell_same_names_apart() -> None:
    titles = model_labels(make_models())  # the grid's titles, as every view's
    assert titles[0] == "resnet50-imagenet"
    assert titles[1] == f"resnet50-pets ({IDS[1][:8]})"
    assert titles[2] == f"resnet50-pets ({IDS[2][:8]})"
    assert titles[3] == "vit-b16"


def test_prepare_table_measures_columns() -> None:
    models = make_models()
    prepared = prepare_table(details_diff(models))
    widest_comment = len("Fine-tuned on Oxford-IIIT Pets with a cosine schedule; the stem stays frozen for the whole run."
                         "⏎Second try: the first diverged.")
    assert prepared.natural[1] == widest_comment
    assert prepared.line_digits == [0, 0, 0, 0]
    assert prepared.sections["General"].rows == 11
    assert prepared.sections["Labels"].differing == 2
    table = prepared.table
    assert all(prepared.row_index[id(row)] == i for i, row in enumerate(table.rows))


def test_bar_shortens_then_drops_the_least_important() -> None:
    bar = DiffBar()
    bar.parts = [
        BarPart(Text("◆ a-very-long-base-model-name"), 9, Text("◆ a-very…name")),
        BarPart(Text("3 diffs"), 8),
        BarPart(Text("12 identical hidden"), 7, Text("12 hidden")),
        BarPart(Text("≠ vs base  + only here  − missing"), 6),
    ]
    wide = bar.fitted(200).plain
    assert wide == "◆ a-very-long-base-model-name · 3 diffs · 12 identical hidden · ≠ vs base  + only here  − missing"
    # short forms first, least important first (the base name is in the grid's header too)
    assert bar.fitted(75).plain == "◆ a-very…name · 3 diffs · 12 hidden · ≠ vs base  + only here  − missing"
    narrow = bar.fitted(40).plain
    assert "missing" not in narrow and "3 diffs" in narrow and "hidden" in narrow


# -- Pilot tests ---------------------------------------------------------------------------


def as_text(renderable: object, width: int = 120) -> str:
    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(renderable)
    return console.export_text()


def grid_lines(app: DiffApp) -> list[str]:
    grid = app.query_one(DiffGrid)
    return [grid.render_line(y).text for y in range(grid.scrollable_content_region.height)]


def row_text(app: DiffApp, field: str) -> str:
    return next(line for line in grid_lines(app) if line.startswith(f"  {field} "))


def bar_text(app: DiffApp) -> str:
    bar = app.query_one(DiffBar)
    return bar.fitted(bar.content_region.width).plain


def field_row(grid: DiffGrid, field: str):  # noqa: ANN201
    return next(row for row in grid.rows if row.field == field)


async def goto(pilot, grid: DiffGrid, field: str, column: int) -> None:  # noqa: ANN001
    position = next(i for i, row in enumerate(grid.rows) if row.field == field)
    grid.move_to_position(position)
    grid.action_column_to(column)
    await pilot.pause()


@pytest.fixture
def store(tmp_path: Path):  # noqa: ANN201
    s = build_diff_store(tmp_path / "store.db", many_models(40))
    yield s
    s.close()


async def test_details_lines_up_fields_across_columns(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        assert grid.table is not None and [m.id for m in grid.table.models] == list(IDS)
        lines = grid_lines(app)
        header = lines[0]
        assert header.startswith("field")
        assert "◆ resnet50-imagenet" in header and "vit-b16" in header
        assert lines[1].startswith("General") and "11 fields · 10 differ" in lines[1]
        assert [line.split()[0] for line in lines[1:4]] == ["General", "id", "name"]
        framework = row_text(app, "framework")
        assert "PyTorch" in framework and "≠ JAX" in framework
        assert "+ 3" in row_text(app, "hamster")  # a label only one model has
        assert row_text(app, "bird").count("−") == 2  # two fine-tunes lack it
        # the columns line up: every row's values start where the header's titles do
        start = header.index("vit-b16") - 1  # a chip: a space, then the name
        assert row_text(app, "framework")[start:].startswith("≠ JAX")
        assert row_text(app, "project")[start:].startswith("  vision")
        assert "19 differences" in bar_text(app) and "≠ vs base" in bar_text(app)
        assert app.body.embed_target() == EmbedTarget("details")


async def test_b_makes_the_focused_column_the_base(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        await goto(pilot, grid, "framework", 3)
        await pilot.press("b")
        await settle(pilot)
        assert app.states[-1].models == (IDS[3], IDS[0], IDS[1], IDS[2])
        assert [m.id for m in grid.table.models] == [IDS[3], IDS[0], IDS[1], IDS[2]]
        assert grid.cursor_column == 0  # the cursor follows the model
        assert grid.current_row is not None and grid.current_row.field == "framework"
        statuses = [cell.status for cell in field_row(grid, "framework").cells]
        assert statuses == [CellStatus.SAME] + [CellStatus.CHANGED] * 3  # everything against JAX now
        assert "◆ vit-b16" in grid_lines(app)[0]
        # already the base: no new order asked (the cursor row, which travels in
        # the state too, may still be posted by its timer on a slow machine)
        count = len(app.states)
        await pilot.press("b")
        await settle(pilot)
        assert all(state.models == app.states[count - 1].models for state in app.states[count:])
        assert [replace(state, details=DiffView()) for state in app.states[count:]] in (
            [], [replace(app.states[count - 1], details=DiffView())])


async def test_brackets_move_the_focused_column(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        await goto(pilot, grid, "status", 1)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.states[-1].models == (IDS[0], IDS[2], IDS[1], IDS[3])
        assert grid.cursor_column == 2 and grid.current_model.id == IDS[1]
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        # all the way left: the base
        assert app.states[-1].models == (IDS[1], IDS[0], IDS[2], IDS[3])
        assert grid.cursor_column == 0 and grid.table.base.id == IDS[1]
        assert [cell.status for cell in field_row(grid, "status").cells][:2] == [CellStatus.SAME, CellStatus.CHANGED]
        app.body.commit_pending()  # the cursor's new column travels in the state too
        await settle(pilot)
        assert app.states[-1].details.cursor_column == 0
        count = len(app.states)
        await pilot.press("left_square_bracket")  # already first
        await settle(pilot)
        assert len(app.states) == count
        assert app.body.check_action("move_column", (-1,)) is None  # shown disabled
        assert app.body.check_action("make_base", ()) is None
        assert app.body.check_action("move_column", (1,)) is True


async def test_h_hides_identical_rows_and_counts_them(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        table = grid.table
        identical = sum(row.identical for row in table.rows)
        assert identical > 0
        prepared = app.body.prepared
        await pilot.press("h")
        await settle(pilot)
        assert app.states[-1].details.hide_identical is True
        assert all(not row.identical for row in grid.rows)
        assert len(grid.rows) == len(table.rows) - identical
        assert f"{identical} identical hidden" in bar_text(app)
        assert app.body.prepared is prepared  # re-filtered, not recomputed
        assert not any(line.startswith("  project ") for line in grid_lines(app))
        await pilot.press("h")
        await settle(pilot)
        assert len(grid.rows) == len(table.rows)
        assert "hidden" not in bar_text(app)


async def test_search_filters_live_then_travels_in_the_state(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        await pilot.press("slash")
        assert app.query_one(SearchBox).has_focus
        await pilot.press("t", "o", "p")
        await pilot.pause()
        assert [row.field for row in grid.rows] == ["top1"]  # before the state hears of it
        await pilot.press("enter")
        await settle(pilot)
        assert app.states[-1].details.search == "top"
        assert grid.has_focus and not app.query_one(SearchBox).display  # closed: the bar says it
        assert "/top: 1 of" in bar_text(app)
        # escape gives back the search in force
        await pilot.press("slash", "z", "z", "z")
        await pilot.pause()
        assert grid.rows == [] and "No row matches 'zzz'" in grid_lines(app)[2]
        await pilot.press("escape")
        await settle(pilot)
        assert app.states[-1].details.search == "top"
        assert [row.field for row in grid.rows] == ["top1"]
        # search and hide together
        await pilot.press("slash", "ctrl+u", "a")
        await pilot.press("enter")
        await settle(pilot)
        shown = {row.field for row in grid.rows}
        assert {"name", "task", "parent", "amp"} <= shown


async def test_n_and_N_jump_between_differences(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        table = grid.table
        differing = [row.field for row in grid.rows if not row.identical]
        seen = []
        for _ in range(len(differing)):
            await pilot.press("n")
            seen.append(grid.current_row.field)
        assert seen == differing[1:] + differing[:1]  # starts on "id" (a difference), wraps at the end
        await pilot.press("N")
        assert grid.current_row.field == differing[-1]
        await pilot.press("N")
        assert grid.current_row.field == differing[-2]
        assert table.difference_count == len(differing)


async def test_n_treats_a_run_of_changed_lines_as_one_difference(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(TEXT_IDS, "network"), NetworkBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        assert grid.table.kind == "lines"
        stops = []
        for _ in range(4):
            await pilot.press("n")
            stops.append(grid.current_row.field)
        assert stops == ["2", "9+1", "14", "2"]
        # each model's own line numbers, in its column
        inserted = next(line for line in grid_lines(app) if line.startswith("  9+1"))
        assert "+ 10 }" in inserted
        assert row_text(app, "14").count("14") == 3  # reference, base and the third model
        assert "18" in row_text(app, "14")  # the second model's line 18


async def test_t_switches_the_diff_mode(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        assert field_row(grid, "framework").cells[0].status is CellStatus.SAME
        await pilot.press("t")
        await settle(pilot)
        assert app.states[-1].details.diff_mode == "all"
        assert grid.table.mode == "all"
        # across all models the base's own value is marked too
        assert field_row(grid, "framework").cells[0].status is CellStatus.CHANGED
        assert "≠ vs others" in bar_text(app)
        assert row_text(app, "framework").split()[1] == "≠"
        await pilot.press("t")
        await settle(pilot)
        assert grid.table.mode == "base"


async def test_enter_shows_the_whole_value(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        await goto(pilot, grid, "comment", 1)
        assert "Second try" not in row_text(app, "comment") and "…" in row_text(app, "comment")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CellValueDialog)
        full = dialog.query_one("#cell-full", Static).content
        assert "Second try: the first diverged." in str(full)
        assert full.spans == []  # little in common with the base: no characters singled out
        ref = dialog.query_one("#cell-ref", Static).content
        assert str(ref) == "The baseline."
        across = as_text(dialog.query_one("#cell-across", Static).content)
        assert "4 distinct values" in across
        assert "1× The baseline. " in across and "◆ resnet50-imagenet" in across
        await pilot.press("c")
        assert app.clipboard == make_models()[1].comment
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CellValueDialog)


async def test_the_cursor_row_travels_in_the_state(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        await pilot.press("down", "down", "down")
        assert not app.states  # not while the cursor moves...
        for _ in range(30):  # ...but once it rests (0.3 s)
            await pilot.pause(0.1)
            if app.states:
                break
        assert len(app.states) == 1  # one post for the three moves
        assert app.states[-1].details.cursor_row == 3 == grid.cursor_row_index
        # a state from elsewhere (a pasted string) moves the cursor
        app.set_state(replace(app.comparison, details=replace(app.comparison.details, cursor_row=15)))
        await settle(pilot)
        assert grid.cursor_row_index == 15 and grid.current_row.field == "epochs"


async def test_opening_a_state_puts_the_cursor_on_its_row(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(hide_identical=True, cursor_row=12), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        # row 12 (label "cat") is identical, hence hidden: the cursor goes to the next shown row
        assert grid.table.rows[12].field == "cat" and grid.table.rows[12].identical
        assert grid.cursor_row_index == 14 and grid.current_row.field == "hamster"


async def test_external_state_changes_recompute_only_when_needed(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        body = app.body
        assert isinstance(body, DiffBody)
        prepared = body.prepared
        app.set_state(replace(app.comparison, details=replace(app.comparison.details, search="user")))
        await settle(pilot)
        assert body.prepared is prepared
        assert [row.field for row in body.grid.rows] == ["user"]
        assert app.query_one(SearchBox).value == "user"  # ready to edit with /
        assert "/user: 1 of" in bar_text(app)
        app.set_state(replace(app.comparison, network=replace(app.comparison.network, hide_identical=True)))
        await settle(pilot)
        assert body.prepared is prepared  # the other tab's options
        app.set_state(replace(app.comparison, models=IDS[:2]))
        await settle(pilot)
        assert body.prepared is not prepared
        assert len(body.grid.table.models) == 2


async def test_refresh_data_reloads_and_keeps_the_cursor(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        await goto(pilot, grid, "user", 2)
        scroll = grid.scroll_y
        model = app.models_of(app.comparison)[2]
        store.save_model(replace(model, user="dana"))
        app.body.refresh_data()
        await settle(pilot)
        assert field_row(grid, "user").cells[2].value == "dana"
        assert grid.current_row.field == "user" and grid.cursor_column == 2
        assert grid.scroll_y == scroll
        # a later reorder keeps the re-fetched details
        app.set_state(replace(app.comparison, models=(IDS[2], IDS[0], IDS[1], IDS[3])))
        await settle(pilot)
        assert field_row(grid, "user").cells[0].value == "dana"
        # ...until the App hands over other details of that model (it reloaded it)
        app.by_id[IDS[2]] = replace(model, user="erin")
        app.set_state(app.comparison)
        await settle(pilot)
        assert field_row(grid, "user").cells[0].value == "erin"


async def test_many_models_scroll_with_the_field_column_pinned(store) -> None:  # noqa: ANN001
    ids = tuple(m.id for m in many_models(40))
    app = DiffApp(store, diff_state(ids, "network"), NetworkBody)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        assert len(grid.visible_columns()) < 40
        assert "model 1/40" in bar_text(app)
        await pilot.press("ctrl+right")
        await pilot.pause()
        assert grid.cursor_column == 39 and grid.scroll_x > 0
        assert grid.scroll_x in grid._layout.starts  # whole columns: no sliver at the pinned column
        lines = grid_lines(app)
        assert lines[0].rstrip().endswith("sweep-039")
        assert lines[2].startswith("  lr ")  # pinned
        assert "model 40/40" in bar_text(app)
        await pilot.press("b")
        await settle(pilot)
        assert app.states[-1].models[0] == ids[39]
        assert grid.cursor_column == 0 and grid.scroll_x == 0


async def test_narrow_screens_fit_every_column_before_whole_titles(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(tab="network"), NetworkBody)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        assert grid.visible_columns() == range(4) and grid.scroll_x == 0
        header = grid_lines(app)[0]
        # names cut in the middle: the short ids that tell the two resnet50-pets apart stay
        assert "b1b1" in header and "c2c2" in header and "…" in header
        assert "≠ 0.0003" in row_text(app, "optimizer.lr")  # values whole


async def test_network_without_configurations_says_so(tmp_path: Path) -> None:
    s = build_diff_store(tmp_path / "s.db", [Model(id="9" * 32, name="bare"), Model(id="8" * 32, name="bare2")])
    app = DiffApp(s, diff_state(("9" * 32, "8" * 32), "network"), NetworkBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "no compared model has a network configuration" in grid_lines(app)[2]
    s.close()


async def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    hostile = [Model(id="7" * 32, name="evil\x1b[2J", comment="red\x1b[31m\nline"),
               Model(id="6" * 32, name="fine", comment="ok")]
    s = build_diff_store(tmp_path / "s.db", hostile)
    app = DiffApp(s, diff_state(("7" * 32, "6" * 32)), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = "\n".join(grid_lines(app)) + bar_text(app)
        assert "\x1b" not in text
        assert "◆ evil␛[2J" in grid_lines(app)[0]
        assert "red␛[31m⏎line" in row_text(app, "comment")
    s.close()


def test_gc_paused_restores_the_collector() -> None:
    import gc

    from modelcompare_tui.core.gc_pause import gc_paused

    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested (or a second worker): the outer one turns it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        with gc_paused():
            1 / 0  # noqa: B018
    assert gc.isenabled()


def test_every_binding_has_a_description() -> None:
    for cls in (DiffBody, DiffGrid, SearchBox, CellValueDialog):
        for binding in Binding.make_bindings(cls.BINDINGS):
            assert binding.description, f"{cls.__name__}: {binding.key}"
    keys = {b.key for b in Binding.make_bindings(DiffBody.BINDINGS)}
    assert {"h", "b", "left_square_bracket", "right_square_bracket", "n", "N", "t", "slash"} <= keys


# -- through the compare shell ---------------------------------------------------------------


async def test_through_the_compare_shell(tmp_path: Path) -> None:
    from modelcompare_tui.app import create_app
    from modelcompare_tui.screens.details import DetailsBody as Details

    s = build_diff_store(tmp_path / "s.db")
    app = create_app(s, ComparisonState(source=s.uri, models=IDS, tab="details"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == "details"
        body = app.screen.query_one(Details)
        grid = body.query_one(DiffGrid)
        assert grid.table is not None and len(grid.table.models) == 4
        grid.focus()
        await pilot.press("right", "right", "b")
        await settle(pilot)
        assert app.comparison.models == (IDS[2], IDS[0], IDS[1], IDS[3])
        assert grid.table.base.id == IDS[2] and grid.cursor_column == 0
        await pilot.press("h")
        await settle(pilot)
        assert app.comparison.details.hide_identical
        await pilot.press("2")
        await settle(pilot)
        network = app.screen.query_one(NetworkBody)
        assert network.query_one(DiffGrid).table.base.id == IDS[2]  # one order for every tab
        assert not app.comparison.network.hide_identical  # each tab its own toggles
        # help and the palette list the tab's keys with their descriptions
        from modelcompare_tui.keys import screen_key_sections

        sections = {section.title: section for section in screen_key_sections(app, app.screen)}
        keys = {key.description for key in sections["Network"].keys}
        assert {"Hide identical", "Make base", "Move left", "Move right", "Next diff", "Prev diff", "Diff mode",
                "Search"} <= keys
        assert "Full value" in {key.description for key in sections["Diff grid"].keys}
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Hide identical", "Diff mode", "Full value"} <= titles
        assert "Make base" not in titles  # the focused column is the base already
        await pilot.press("right")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert "Make base" in titles
    s.close()


async def test_the_cursor_column_travels_in_the_state_and_opens_there(store) -> None:  # noqa: ANN001
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        await goto(pilot, grid, "status", 2)
        app.body.commit_pending()
        await settle(pilot)
        view = app.states[-1].details
        assert (view.cursor_column, view.cursor_row) == (2, grid.cursor_row_index)
    opened = DiffApp(store, diff_state(cursor_row=view.cursor_row, cursor_column=2), DetailsBody)
    async with opened.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = opened.query_one(DiffGrid)
        assert grid.cursor_column == 2 and grid.current_row.field == "status"


async def test_a_search_that_hides_the_cursor_row_keeps_it(store) -> None:  # noqa: ANN001
    """set_rows reset the cursor to the first row when a search showed no row
    (the state still said the old row: an opened state showed another one)."""
    app = DiffApp(store, diff_state(), DetailsBody)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        grid = app.query_one(DiffGrid)
        await goto(pilot, grid, "epochs", 1)
        index = grid.cursor_row_index
        await pilot.press("slash", *"zzzz")  # no row matches
        await settle(pilot)
        assert not grid.rows and grid.row_anchor == index
        await pilot.press("escape")
        await settle(pilot)
        assert grid.cursor_row_index == index and grid.current_row.field == "epochs"


async def test_the_scroll_follows_the_cursor_alone(store) -> None:  # noqa: ANN001
    """The same cursor gives the same scroll, whichever way it got there (the
    state holds the cursor, not the scroll)."""
    offsets = []
    for keys in (("end",), ("pagedown", "pagedown", "end"), ("end", "up", "down")):
        app = DiffApp(store, diff_state(), DetailsBody)
        async with app.run_test(size=(80, 12)) as pilot:
            await settle(pilot)
            await pilot.press(*keys)
            await settle(pilot)
            grid = app.query_one(DiffGrid)
            offsets.append((grid.cursor_row_index, grid.scroll_offset))
    assert offsets[0] == offsets[1] == offsets[2]
    assert offsets[0][1].y > 0
