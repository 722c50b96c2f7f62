"""Sharing (issue 6): `y` copies the state string, `p` opens a pasted one, a
state from another source asks before connecting, missing models are named,
`E` gives an embed code that reproduces the view, and every view option of
every tab survives the round trip into a fresh app."""

from __future__ import annotations

import io
import shlex
import sys
from contextlib import redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot

from modelcompare_tui.app import ModelCompareApp, create_app, embed_command
from modelcompare_tui.cli import main
from modelcompare_tui.core.model import ModelQuery
from modelcompare_tui.core.state import ComparisonState, DiffView, PlotsView, ScalarsView, decode_state, encode_state
from modelcompare_tui.demo import generate_demo
from modelcompare_tui.dialogs.paste_state import PasteStateDialog, StateInput
from modelcompare_tui.dialogs.text import ConfirmDialog, TextDialog
from modelcompare_tui.render.views import render_view
from modelcompare_tui.screens.base import CompareScreen
from modelcompare_tui.screens.models import ModelsScreen
from modelcompare_tui.widgets.plot_cards import PlotCard
from modelcompare_tui.widgets.value_table import ValueTableView
from modelcompare_tui.sources.store import SQLiteStore
from modelcompare_tui.sources.uri import canonical_source_uri, same_source
from modelcompare_tui.widgets.tab_body import EmbedTarget

sys.path.insert(0, str(Path(__file__).parent))
from scalars_fixtures import screen_text  # noqa: E402
from snapshot_apps.apps import make_app, real_bodies, recording_bodies, settle, use_bodies  # noqa: E402

SIZE = (120, 36)
REAL_BODIES = real_bodies()


def demo_store(path: Path, n: int = 4) -> SQLiteStore:
    store = SQLiteStore(path)
    store.import_records(generate_demo(n, 0))
    return store


def first_ids(store: SQLiteStore, n: int) -> tuple[str, ...]:
    return tuple(r.id for r in store.list_models(ModelQuery(limit=n)).rows)


def messages(app: ModelCompareApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def stub_bodies(monkeypatch: pytest.MonkeyPatch) -> None:
    use_bodies(monkeypatch, recording_bodies())


# ----------------------------------------------------------------------------
# helpers without the app
# ----------------------------------------------------------------------------


def test_same_source_spellings(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert same_source(str(db), f"sqlite://{db}")
    assert same_source(str(db), str(tmp_path / "x" / ".." / "a.db"))
    assert same_source("", str(db))  # "" is the current source
    assert not same_source(str(db), str(tmp_path / "b.db"))
    assert same_source("mlflow+http://host:5000/", "mlflow+http://host:5000")
    assert not same_source("mlflow+http://host:5000", "mlflow+http://other:5000")
    assert canonical_source_uri(f"sqlite://{db}") == str(db.resolve())


def test_embed_command_is_one_shell_safe_line() -> None:
    state = ComparisonState(source="/data/models.db", models=("a" * 32, "b" * 32), tab="details")
    command = embed_command(state, EmbedTarget("scalars", "loss/it's val"), width=120)
    assert "\n" not in command
    argv = shlex.split(command)
    assert argv[:2] == ["modelcompare", "render"]
    assert decode_state(argv[2]) == replace(state, tab="scalars")
    assert argv[3:] == ["--tab", "scalars", "--plot", "loss/it's val", "--width", "120"]
    plain = embed_command(state, EmbedTarget("details"))
    assert shlex.split(plain)[3:] == ["--tab", "details"]


# ----------------------------------------------------------------------------
# y and p
# ----------------------------------------------------------------------------


async def open_selection(pilot: Pilot, n: int = 3) -> tuple[str, ...]:
    await settle(pilot)
    for _ in range(n):
        await pilot.press("space", "down")
    await pilot.press("c")
    await settle(pilot)
    return pilot.app.comparison.models


async def test_y_puts_the_state_string_on_the_clipboard_and_shows_it(tmp_path: Path, stub_bodies: None) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        ids = await open_selection(pilot)
        await pilot.press("3", "y")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        text = app.clipboard
        assert text.startswith("mc1.") and " " not in text
        assert app.screen.query_one("#text-body").text == text
        assert decode_state(text) == app.comparison
        assert decode_state(text).models == ids and decode_state(text).tab == "scalars"
        await pilot.press("escape")
        assert isinstance(app.screen, CompareScreen)


async def test_the_state_dialog_shows_one_line_and_s_saves_it(tmp_path: Path, stub_bodies: None,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setenv("MODELCOMPARE_DOWNLOAD_DIR", str(tmp_path / "downloads"))
    (tmp_path / "downloads").mkdir()
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_selection(pilot)
        await pilot.press("y")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        assert "sent to the clipboard)" in dialog.title_text  # not in tmux: OSC 52 only
        area = dialog.query_one("#text-body")
        assert area.soft_wrap is False and area.cursor_location == (0, 0)  # one line, its start in view
        await pilot.press("s")
        await settle(pilot)
        saved = list((tmp_path / "downloads").glob("modelcompare-state-*.txt"))
        assert len(saved) == 1 and saved[0].read_text() == app.clipboard + "\n"
        await pilot.press("s")  # again: a second file, the first one untouched
        await settle(pilot)
        assert len(list((tmp_path / "downloads").glob("modelcompare-state-*.txt"))) == 2


def test_tmux_load_buffer_outside_tmux_does_nothing() -> None:
    from modelcompare_tui.clipboard import tmux_load_buffer

    assert tmux_load_buffer("mc1.x", env={}) is False


@pytest.mark.parametrize(
    "wrap",
    [
        lambda s: s,
        lambda s: f"'{s}'",
        lambda s: f'  "{s}"\n',
        lambda s: f"`{s}`",
        lambda s: "\n".join(s[i : i + 30] for i in range(0, len(s), 30)),  # wrapped by a terminal
        lambda s: "  " + "\r\n   ".join(s[i : i + 17] for i in range(0, len(s), 17)) + "  ",
        lambda s: f"\u2018{s[:25]}\u200b{s[25:]}\u2019",  # chat quotes and a zero-width space
    ],
    ids=["plain", "single-quoted", "double-quoted-padded", "backticks", "wrapped", "crlf-indented", "chat"],
)
async def test_paste_dialog_opens_wrapped_quoted_and_padded_pastes(tmp_path: Path, stub_bodies: None, wrap) -> None:  # noqa: ANN001
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = first_ids(app.source, 4)[1:]
        wanted = ComparisonState(source=app.source.uri, models=ids, tab="plots",
                                 scalars=ScalarsView(agg="max", extremes=True))
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PasteStateDialog)
        field = dialog.query_one(StateInput)
        # a real paste (bracketed paste arrives as one event with every line)
        field.post_message(events.Paste(wrap(encode_state(wanted))))
        await pilot.pause()
        assert field.value == encode_state(wanted)
        assert "3 models · Plots tab" in str(dialog.query_one("#paste-preview").render())
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "plots"
        assert app.comparison == wanted


async def test_paste_dialog_typed_text_with_quotes_and_errors(tmp_path: Path, stub_bodies: None) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = first_ids(app.source, 2)
        text = encode_state(ComparisonState(models=ids, tab="network"))
        await pilot.press("p")
        await pilot.pause()
        field = app.screen.query_one(StateInput)
        # a truncated string: refused with the decoder's one-line reason, the dialog stays
        field.value = text[:-3]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PasteStateDialog)
        error = str(app.screen.query_one("#paste-error").render())
        assert error.startswith("state string:") and "\n" not in error.strip()
        assert str(app.screen.query_one("#paste-preview").render()) == ""
        # not a state string at all
        field.value = "hello"
        await pilot.press("enter")
        await pilot.pause()
        assert "format version" in str(app.screen.query_one("#paste-error").render())
        # typed (or pasted without bracketed paste) with quotes and spaces around it
        field.value = f"  '{text}'  "
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "network" and app.comparison.models == ids
        # escape cancels and changes nothing
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen) and app.comparison.models == ids


async def test_missing_models_open_the_rest_and_are_named(tmp_path: Path, stub_bodies: None) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = first_ids(app.source, 3)
        gone = ("f" * 32, "e" * 32)
        state = ComparisonState(source=app.source.uri, models=(ids[0], gone[0], ids[1], gone[1], ids[2]), tab="scalars")
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one(StateInput).value = encode_state(state)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "scalars"
        assert app.comparison.models == ids  # the rest, in their order
        assert f"2 models missing: {gone[0]}, {gone[1]}" in messages(app)


# ----------------------------------------------------------------------------
# another source
# ----------------------------------------------------------------------------


async def test_state_from_another_source_asks_and_no_stays(tmp_path: Path, stub_bodies: None) -> None:
    here = demo_store(tmp_path / "here.db")
    other = demo_store(tmp_path / "other.db")
    ids = tuple(other.import_records(generate_demo(2, 7)))  # models only the other store has
    shared = first_ids(here, 2)
    state = ComparisonState(source=other.uri, models=(*shared, *ids), tab="details")
    app = create_app(here, state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert f"This comparison is from {other.uri}. Connect?" in str(dialog.query_one("#confirm-question").render())
        await pilot.press("n")
        await settle(pilot)
        assert app.source is here
        assert app.comparison.models == shared  # looked up here; the others are missing
        assert app.comparison.source == here.uri
        assert any("2 models missing" in m for m in messages(app))


async def test_state_from_another_source_connects_on_yes(tmp_path: Path, stub_bodies: None) -> None:
    here = demo_store(tmp_path / "here.db", 2)
    other = demo_store(tmp_path / "other.db", 6)
    ids = first_ids(other, 6)[3:]
    state = ComparisonState(source=other.uri, models=ids, tab="scalars")
    app = create_app(here, live=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one(StateInput).value = encode_state(state)
        await pilot.pause()
        assert "another source" in str(app.screen.query_one("#paste-preview").render())
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert app.source.uri == other.uri
        assert app.comparison == state
        assert app.current_mode == "scalars"
        await pilot.press("escape")  # the models table shows the new source
        await settle(pilot)
        assert isinstance(app.screen, ModelsScreen)
        assert other.uri in str(app.screen.query_one("#title-bar").render())
        assert "6 models" in str(app.screen.query_one("#title-bar").render())
        # the poller follows: a change in the new source shows as an update
        other.save_model(replace(other.get_models([ids[0]])[0], comment="changed"))
        for _ in range(40):
            await pilot.pause(0.1)
            if app.live_status.updated_at is not None:
                break
        assert app.live_status.updated_at is not None and app.live_status.ok


async def test_connecting_to_an_unreachable_source_reports_it(tmp_path: Path, stub_bodies: None) -> None:
    here = demo_store(tmp_path / "here.db", 2)
    state = ComparisonState(source="mlflow+http://127.0.0.1:9", models=first_ids(here, 2))
    app = create_app(here, state)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        for _ in range(100):  # the worker fails (settle() would re-raise its error)
            await pilot.pause(0.1)
            if any("cannot reach" in m for m in messages(app)):
                break
        assert app.source is here and not app.comparison.models
        assert any("127.0.0.1:9" in m and "cannot reach" in m for m in messages(app))


async def test_a_store_that_is_not_on_this_machine_is_not_offered(tmp_path: Path, stub_bodies: None) -> None:
    """Another user's default store path: no question, its models are looked up here."""
    here = demo_store(tmp_path / "here.db", 3)
    ids = first_ids(here, 2)
    gone = str(tmp_path / "home" / "alice" / "models.db")
    app = create_app(here, ComparisonState(source=gone, models=ids, tab="network"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert app.current_mode == "network" and app.comparison.models == ids
        assert any(gone in m and "not on this machine" in m for m in messages(app))


def test_modelcompare_state_from_another_source_opens_on_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = demo_store(tmp_path / "here.db", 2)
    other = demo_store(tmp_path / "other.db", 3)
    state = ComparisonState(source=other.uri, models=first_ids(other, 2), tab="scalars")
    started: list[ModelCompareApp] = []
    monkeypatch.setattr(ModelCompareApp, "run", lambda self, *a, **k: started.append(self))
    assert main(["--store", here.uri, encode_state(state)]) == 0
    app = started[-1]
    assert app.source.uri == here.uri  # not connected behind the user's back
    assert app._initial_state == state  # the app asks on start (tested above)
    # the same source: no question, opened directly
    same = replace(state, source=here.uri)
    assert main(["--store", here.uri, encode_state(same)]) == 0
    assert started[-1].source.uri == here.uri and started[-1]._initial_state == same
    # a bad string: exit 2, one line
    assert main(["--store", here.uri, encode_state(state)[:-2]]) == 2


# ----------------------------------------------------------------------------
# share from a script
# ----------------------------------------------------------------------------


def test_share_prints_a_state_the_app_opens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = demo_store(tmp_path / "s.db", 3)
    ids = first_ids(store, 3)
    args = ["share", *ids, "--store", store.uri, "--tab", "scalars", "--base", ids[2], "--agg", "max",
            "--extremes", "--view", "graph", "--x-axis", "wall", "--smoothing", "ema", "--smoothing-weight", "0.6",
            "--log-y", "--metric-filter", "loss*", "--hide-identical", "--iteration", "1000"]
    assert main(args) == 0
    text = capsys.readouterr().out.strip()
    state = decode_state(text)
    assert state.models == (ids[2], ids[0], ids[1]) and state.tab == "scalars" and state.source == store.uri
    assert state.scalars == ScalarsView(view="graph", agg="max", extremes=True, metric_filter="loss*",
                                        x_axis="wall", smoothing="ema", smoothing_weight=0.6, log_y=True)
    assert state.details == DiffView(hide_identical=True) == state.network
    assert state.plots == PlotsView(iteration=1000, metric_filter="loss*")
    assert main(["share", ids[0], "f" * 32, "--store", store.uri]) == 2


def test_share_selected_chart_zoom_and_field_search(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = demo_store(tmp_path / "s.db", 3)
    ids = first_ids(store, 2)
    args = ["share", *ids, "--store", store.uri, "--tab", "scalars", "--view", "graph", "--focus", "loss/train",
            "--maximize", "--zoom", "100:900", "--field-search", "lr"]
    assert main(args) == 0
    state = decode_state(capsys.readouterr().out.strip())
    assert (state.scalars.focused, state.scalars.maximized, state.scalars.zoom) == ("loss/train", True, (100, 900))
    assert (state.plots.focused, state.plots.maximized) == ("loss/train", True)
    assert state.details.search == state.network.search == "lr"
    # the shared page shows the maximised chart alone, zoomed, as the app does
    text = render_view(store, state, fmt="text", width=80)
    assert "zoom: iterations 100–900" in text
    everything = render_view(store, replace(state, scalars=replace(state.scalars, maximized=False)), fmt="text",
                             width=80)
    assert everything.count("\n\n") > text.count("\n\n") >= 1 and "\nloss/train\n" in text
    # bad combinations: one line, exit 2
    for bad in (["--zoom", "9"], ["--zoom", "9:1", "--focus", "a/b", "--maximize"], ["--zoom", "1:9"],
                ["--maximize"], ["--focus", "loss"]):
        assert main(["share", *ids, "--store", store.uri, *bad]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and ("--zoom" in err or "--focus" in err or "--maximize" in err)


# ----------------------------------------------------------------------------
# E: embed codes
# ----------------------------------------------------------------------------


def run_command(command: str) -> str:
    argv = shlex.split(command)
    assert argv[0] == "modelcompare"
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(argv[1:]) == 0
    return out.getvalue()


async def test_embed_codes_reproduce_the_views(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_bodies(monkeypatch, REAL_BODIES)
    store = demo_store(tmp_path / "demo.db")
    ids = first_ids(store, 3)
    app = create_app(store, ComparisonState(source=store.uri, models=ids, tab="scalars",
                                            scalars=ScalarsView(agg="max", extremes=True)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # the values table
        await pilot.press("E")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog) and app.screen.id == "embed-dialog"
        command = app.clipboard
        assert app.screen.query_one("#text-body").text == command
        argv = shlex.split(command)
        assert argv[3:5] == ["--tab", "scalars"] and "--plot" not in argv
        assert decode_state(argv[2]) == app.comparison
        out = run_command(command)
        assert out == render_view(store, app.comparison, width=int(argv[argv.index("--width") + 1]))
        for model in app.compared_models:
            assert model.name[:16] in out
        assert "▲" in out  # the extremes travel
        await pilot.press("escape")
        # a focused chart of the Graph view
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("down")
        await pilot.pause(0.5)  # the focused chart travels once the cursor rests
        await settle(pilot)
        focused = app.comparison.scalars.focused
        assert focused
        await pilot.press("E")
        await pilot.pause()
        argv = shlex.split(app.clipboard)
        assert argv[argv.index("--plot") + 1] == focused
        out = run_command(app.clipboard)
        assert focused in out
        await pilot.press("escape")
        # a plot of the Plots tab
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("down")
        await pilot.pause(0.5)
        await settle(pilot)
        plot = app.comparison.plots.focused
        assert plot and plot != "summary"
        await pilot.press("E")
        await pilot.pause()
        argv = shlex.split(app.clipboard)
        assert argv[3:7] == ["--tab", "plots", "--plot", plot]
        out = run_command(app.clipboard)
        assert plot.split("/")[0] in out
        await pilot.press("escape")
        # a diff table
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("E")
        await pilot.pause()
        argv = shlex.split(app.clipboard)
        assert argv[3:5] == ["--tab", "details"]
        assert ids[0][:8] in run_command(app.clipboard) or app.compared_models[0].name in run_command(app.clipboard)


async def test_embed_and_copy_need_a_comparison(tmp_path: Path, stub_bodies: None) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.check_action("embed", ()) is False
        assert app.check_action("copy_state", ()) is False
        await open_selection(pilot)
        assert app.check_action("embed", ()) is True
        await pilot.press("E")  # the stand-in body has no embed target
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert any("Nothing to embed here" in m for m in messages(app))


# ----------------------------------------------------------------------------
# every view option of every tab survives the round trip
# ----------------------------------------------------------------------------

TAB_KEYS = {"details": "1", "network": "2", "scalars": "3", "plots": "4"}


async def rest(pilot: Pilot) -> None:
    """Let posted cursors (0.3 s) and the workers they start finish."""
    await pilot.pause(0.45)
    await settle(pilot)


async def tab_texts(pilot: Pilot, order: list[str]) -> dict[str, str]:
    texts = {}
    for tab in order:
        await pilot.press(TAB_KEYS[tab])
        await rest(pilot)
        await pilot.pause(0.2)
        texts[tab] = screen_text(pilot.app)
    return texts


async def set_values_scenario(pilot: Pilot) -> None:
    """Values view, diff toggles, searches, cursors, plots iteration and filter."""
    await pilot.press("1", "h", "t", "slash", *"e", "enter")
    await rest(pilot)
    await pilot.press("down", "down")
    await rest(pilot)
    await pilot.press("2", "h")
    await rest(pilot)
    await pilot.press("down")
    await rest(pilot)
    await pilot.press("3", "a", "a", "e", "D", "slash", *"loss", "enter")
    await rest(pilot)
    await pilot.press("down", "down")
    await rest(pilot)
    await pilot.press("4", "i")
    await rest(pilot)
    await pilot.press("down", "down", "enter")
    await rest(pilot)
    await pilot.press("slash", *"curve", "enter")
    await rest(pilot)
    await pilot.press("down")
    await rest(pilot)
    await pilot.press("3")
    await rest(pilot)


async def set_graph_scenario(pilot: Pilot) -> None:
    """Graph view with every chart control, a maximised zoomed chart, a maximised plot."""
    await pilot.press("2", "t", "slash", *"optim", "enter")
    await rest(pilot)
    await pilot.press("4", "down", "down")
    await rest(pilot)
    await pilot.press("enter")
    await rest(pilot)
    await pilot.press("3", "v")
    await rest(pilot)
    await pilot.press("g", "x", "S", "greater_than_sign", "greater_than_sign", "l", "C")
    await rest(pilot)
    await pilot.press("right")
    await rest(pilot)
    await pilot.press("enter")
    await rest(pilot)
    await pilot.press("i")
    await rest(pilot)


@pytest.mark.parametrize("scenario", [set_values_scenario, set_graph_scenario], ids=["values", "graph"])
async def test_every_view_option_survives_the_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        scenario) -> None:  # noqa: ANN001
    use_bodies(monkeypatch, REAL_BODIES)
    store = demo_store(tmp_path / "demo.db")
    ids = first_ids(store, 3)
    author = create_app(store, ComparisonState(source=store.uri, models=ids), live=0)
    async with author.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await scenario(pilot)
        default = ComparisonState(source=store.uri, models=ids, tab=author.comparison.tab)
        changed = {name for name in ("details", "network", "scalars", "plots")
                   if getattr(author.comparison, name) != getattr(default, name)}
        assert changed == ({"details", "network", "scalars", "plots"} if scenario is set_values_scenario
                           else {"network", "scalars", "plots"})
        state = author.comparison
        if scenario is set_values_scenario:  # the keys did what they should
            assert state.details == DiffView(hide_identical=True, diff_mode="all", search="e", cursor_row=2)
            assert state.network.hide_identical and state.network.cursor_row == 1
            assert (state.scalars.view, state.scalars.agg, state.scalars.extremes, state.scalars.delta,
                    state.scalars.metric_filter) == ("values", "max", True, True, "loss")
            assert state.scalars.focused.startswith("loss/")
            assert state.plots.iteration is not None and state.plots.metric_filter == "curve"
            assert state.plots.focused.endswith("curve/val")
        else:
            s = state.scalars
            assert (s.view, s.group_by, s.x_axis, s.smoothing, s.log_y, s.maximized) == (
                "graph", "metric", "relative", "ema", True, True)
            assert s.smoothing_weight > 0 and s.focused and s.zoom is not None
            assert state.network.diff_mode == "all" and state.network.search == "optim"
            assert state.plots.maximized and state.plots.focused
        await pilot.press("y")
        await pilot.pause()
        text = author.clipboard
        await pilot.press("escape")
        await rest(pilot)
        shared = author.comparison
        tab = shared.tab
        order = [tab] + [t for t in TAB_KEYS if t != tab]
        before = await tab_texts(pilot, order)

    assert decode_state(text) == shared
    teammate_store = SQLiteStore(store.path)  # another process would open its own
    teammate = create_app(teammate_store, decode_state(text), live=0)
    async with teammate.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await rest(pilot)
        assert teammate.comparison == shared  # the same state object
        assert teammate.current_mode == tab
        after = await tab_texts(pilot, order)
    differ = [name for name in order if after[name] != before[name]]
    assert not differ, f"tabs that differ after the round trip: {differ}"


async def test_y_and_e_include_what_the_body_has_not_posted_yet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A body may still hold a change (a cursor resting for 0.3 s before it is
    requested): `y` and `E` have it commit the change first (`commit_pending`)."""
    from snapshot_apps.apps import RecordingBody

    class PendingBody(RecordingBody):
        def commit_pending(self) -> None:
            self.request_state(replace(self.wanted, details=replace(self.wanted.details, cursor_row=7)))

        def embed_target(self) -> EmbedTarget:
            return EmbedTarget("details")

    use_bodies(monkeypatch, dict.fromkeys(TAB_KEYS, PendingBody))
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_selection(pilot)
        await pilot.press("y")
        await pilot.pause()
        assert decode_state(app.clipboard).details.cursor_row == 7
        await pilot.press("escape", "E")
        await pilot.pause()
        assert decode_state(shlex.split(app.clipboard)[2]).details.cursor_row == 7


@pytest.mark.parametrize("tab", ["details", "scalars", "plots"])
async def test_y_right_after_a_move_shares_what_is_on_screen(tab: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The real bodies: `y` pressed before a moved cursor's 0.3 s rest copies the
    row or plot the cursor is on, not the one it left (the issue's `flush_pending`
    that no body defined)."""
    use_bodies(monkeypatch, REAL_BODIES)
    store = demo_store(tmp_path / "demo.db")
    ids = first_ids(store, 3)
    app = create_app(store, ComparisonState(source=store.uri, models=ids, tab=tab))  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.comparison
        await pilot.press("down", "down", "y")  # no pause: the rest timer has not fired
        await pilot.pause()
        shared = decode_state(app.clipboard)
        await pilot.press("escape")  # the state dialog
        await pilot.pause()
        if tab == "details":
            assert shared.details.cursor_row == 2 != before.details.cursor_row
        elif tab == "scalars":
            row = app.screen.query_one(ValueTableView).current_row
            assert row is not None and shared.scalars.focused == row.key != before.scalars.focused
        else:
            focused = app.screen.focused
            assert isinstance(focused, PlotCard) and shared.plots.focused == focused.key != before.plots.focused
        assert shared == app.comparison  # what was shared is the state in force


async def test_leaving_the_filter_box_commits_what_it_shows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Typed text, then the focus leaves the box (to a plot) long before
    the typing's rest timer: the state has the text the box shows."""
    from modelcompare_tui.widgets.filter_box import MetricFilterBody

    monkeypatch.setattr(MetricFilterBody, "FILTER_POST_DELAY", 600.0)  # the timer never fires here
    use_bodies(monkeypatch, REAL_BODIES)
    store = demo_store(tmp_path / "demo.db")
    ids = first_ids(store, 3)
    app = create_app(store, ComparisonState(source=store.uri, models=ids, tab="plots"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"per")
        assert app.comparison.plots.metric_filter == ""
        app.screen.set_focus(app.screen.query(PlotCard).first())  # as a click on it does
        await pilot.pause()
        assert isinstance(app.focused, PlotCard)
        assert app.comparison.plots.metric_filter == "per"
        await pilot.press("y")
        await pilot.pause()
        assert decode_state(app.clipboard).plots.metric_filter == "per"
