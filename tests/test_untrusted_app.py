"""The app shows untrusted text, never obeys it (issue #10).

A real store whose models carry every hostile string (tests/hostile_strings.py)
in their names, tags, projects, users, comments, config, metadata, labels,
scalar metric/variant names, single values and plots (series names, axis
labels, categories, table cells, matrix labels, text). The app opens it at
80×24 and 160×48; after each step (models table, compare, every tab, the
dialogs) every segment the screen would write is scanned: no raw control,
C1, bidi or zero-width character, and the recognisable text is there.
Markup in data (`a[/]b`, `[link=…]`) must neither crash a view nor vanish
(`acc[top1]` is shown as such).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from hostile_strings import HOSTILE, unsafe_chars
from modelcompare_tui.app import create_app
from modelcompare_tui.core.model import (
    Config,
    MetadataItem,
    Model,
    ModelRecord,
    Plot,
    ScalarSeries,
)
from modelcompare_tui.core.state import ComparisonState
from modelcompare_tui.sources.store import SQLiteStore
from snapshot_apps.apps import settle

KEYS = list(HOSTILE)
OSC52 = HOSTILE["osc52_clipboard"]
TITLE = HOSTILE["title_set"]
VISIBLE = ("SElKQUNL", "TAGTITLE")  # what must still be readable of the escapes
SIZES = ((80, 24), (160, 48))


def _id(i: int) -> str:
    return f"{i:02d}" * 16


def _series(metric: str, variant: str, model: int) -> ScalarSeries:
    k = np.arange(30, dtype=np.int64)
    values = np.exp(-k / (10 + model)) + 0.01 * model
    return ScalarSeries(metric, variant, k * 10, values.astype(np.float64), 1_767_225_600.0 + k.astype(np.float64))


def _plots(i: int, texts: list[str]) -> list[Plot]:
    a, b, c = texts[i % len(texts)], texts[(i + 1) % len(texts)], texts[(i + 2) % len(texts)]
    return [
        Plot(a, b, 100, "line", {"series": [{"name": c, "x": [0, 1, 2], "y": [0.1, 0.5 + i / 10, 0.9]}],
                                 "x_label": a, "y_label": b}),
        Plot("bars", a, 100, "bar", {"categories": [a, b, c], "series": [{"name": b, "values": [1, 2 + i, 3]}]}),
        Plot("box", b, 100, "box", {"series": [{"name": a, "values": [0.1, 0.2, 0.3 + i / 10, 0.5]}]}),
        Plot("hist", c, 100, "histogram", {"series": [{"name": c, "values": [0.1, 0.2, 0.2, 0.4 + i / 10]}],
                                            "bins": 4}),
        Plot("table", a, 100, "table", {"columns": [a, b], "rows": [[c, 0.5], [b, a]]}),
        Plot("confusion", b, 100, "confusion_matrix", {"matrix": [[3, 1], [0, 4]], "x_labels": [a, b],
                                                         "y_labels": [c, a]}),
        Plot("heat", c, 100, "heatmap", {"matrix": [[0.1, 0.9], [0.5, 0.3]], "x_labels": [b, c], "y_labels": [a, b]}),
        Plot("notes", "text", 100, "text", {"text": "\n".join(texts)}),
    ]


def hostile_records(texts: list[str]) -> list[ModelRecord]:
    """One model per hostile string, named with it; every other field carries them all."""
    records = []
    for i, name in enumerate(texts):
        other = texts[(i + 1) % len(texts)]
        config = json.dumps({t[:40]: t for t in texts} | {"lr": 0.001 * (i + 1)})
        model = Model(
            id=_id(i),
            name=name,
            project=other,
            framework=texts[(i + 2) % len(texts)],
            tags=sorted({name, other, TITLE}),
            user=texts[(i + 3) % len(texts)],
            created=f"2026-01-{i + 1:02d}T10:00:00Z",
            updated=f"2026-01-{i + 1:02d}T12:00:00Z",
            comment="\n".join(texts),
            labels={t[:60]: k for k, t in enumerate(texts)},
            metadata=[MetadataItem(t[:60], "str", texts[(k + i) % len(texts)]) for k, t in enumerate(texts)],
            config=Config("json", config),
        )
        scalars = [_series(t, texts[(k + 1) % len(texts)], i) for k, t in enumerate(texts)]
        single = {t: 0.5 + 0.01 * k + 0.001 * i for k, t in enumerate(texts)}
        records.append(ModelRecord(model, scalars=scalars, single_values=single, plots=_plots(i, texts)))
    return records


def build_hostile_store(path: Path) -> tuple[SQLiteStore, list[str]]:
    """The store, and the hostile strings it holds (in model order). A store or
    an import may refuse a lone surrogate (it cannot be stored as text): then
    the models carry the others, which the views must all show."""
    texts = [HOSTILE[k] for k in KEYS]
    store = SQLiteStore(path)
    try:
        store.import_records(hostile_records(texts))
    except Exception:  # noqa: BLE001 - refused at import, as issue #10 asks: not a view's concern
        store.close()
        path.unlink()
        for extra in path.parent.glob(path.name + "-*"):
            extra.unlink()
        texts = [HOSTILE[k] for k in KEYS if k != "lone_surrogate"]
        store = SQLiteStore(path)
        store.import_records(hostile_records(texts))
    return store, texts


@pytest.fixture
def hostile_store(tmp_path: Path):
    store, texts = build_hostile_store(tmp_path / "hostile.db")
    store.uri = "/data/hostile.db"
    yield store, texts
    store.close()


def screen_segments(app: App) -> list[str]:
    """The text of every segment the screen (with its notifications) would write."""
    strips = app.screen._compositor.render_strips()
    return [segment.text for strip in strips for segment in strip]


def screen_text(app: App) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def assert_safe(app: App, step: str) -> str:
    text = "".join(screen_segments(app))
    bad = unsafe_chars(text)
    assert bad == [], f"{step}: raw {sorted(set(bad))!r} reached the screen:\n{screen_text(app)}"
    return screen_text(app)


def assert_no_crash(app: App) -> None:
    assert app.is_running, f"the app exited: {app._exception!r}"
    assert app._exception is None, repr(app._exception)


async def step(pilot: Pilot, name: str, *keys: str) -> str:
    if keys:
        await pilot.press(*keys)
    await settle(pilot)
    assert_no_crash(pilot.app)
    return assert_safe(pilot.app, name)


def comparisons(texts: list[str]) -> list[tuple[str, ...]]:
    """The models compared in turn: the escapes and markup first, then the others."""
    order = [texts.index(HOSTILE[k]) for k in ("osc52_clipboard", "title_set", "markup_close",
                                                "markup_realistic", "markup_link", "markup_bold")]
    rest = [i for i in range(len(texts)) if i not in order]
    ids = [_id(i) for i in order + rest]
    return [tuple(ids[k : k + 5]) for k in range(0, len(ids), 5)]


async def visit_tabs(pilot: Pilot, label: str, *, dialogs: bool) -> dict[str, str]:
    """Every tab (and with `dialogs` each tab's dialogs); returns each step's screen text."""
    seen: dict[str, str] = {}
    seen["details"] = await step(pilot, f"{label} details", "1")
    if dialogs:
        seen["details-cell"] = await step(pilot, f"{label} details cell", "down", "down", "enter")
        await step(pilot, f"{label} details closed", "escape")
        seen["models-list"] = await step(pilot, f"{label} MODELS list", "m")
        await step(pilot, f"{label} MODELS closed", "escape")
    seen["network"] = await step(pilot, f"{label} network", "2")
    seen["scalars-values"] = await step(pilot, f"{label} scalars values", "3")
    if dialogs:
        seen["scalars-exact"] = await step(pilot, f"{label} scalars exact value", "enter")
        await step(pilot, f"{label} exact closed", "escape")
    seen["scalars-graph"] = await step(pilot, f"{label} scalars graph", "v")
    if dialogs:
        seen["scalars-max"] = await step(pilot, f"{label} scalars maximised", "enter")
        seen["scalars-zoom"] = await step(pilot, f"{label} zoom dialog", "z")
        await step(pilot, f"{label} zoom closed", "escape")
        await step(pilot, f"{label} graph grid", "escape")
    await step(pilot, f"{label} back to values", "v")
    seen["plots"] = await step(pilot, f"{label} plots", "4")
    for n in range(4 if dialogs else 3):  # down through the plot cards: each one drawn on screen
        seen[f"plots-{n}"] = await step(pilot, f"{label} plot {n}", "down", "down")
    if dialogs:
        seen["plots-max"] = await step(pilot, f"{label} plot maximised", "enter")
        await step(pilot, f"{label} plot restored", "escape")
        seen["iteration"] = await step(pilot, f"{label} iteration dialog", "i")
        await step(pilot, f"{label} iteration closed", "escape")
        seen["embed"] = await step(pilot, f"{label} embed dialog", "E")
        await step(pilot, f"{label} embed closed", "escape")
        seen["state"] = await step(pilot, f"{label} state dialog", "y")
        await step(pilot, f"{label} state closed", "escape")
        seen["help"] = await step(pilot, f"{label} help", "question_mark")
        await step(pilot, f"{label} help closed", "escape")
    return seen


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_models_table_and_every_tab_show_hostile_text_safely(hostile_store, size) -> None:  # noqa: ANN001
    store, texts = hostile_store
    app = create_app(store, live=0)
    async with app.run_test(size=size, notifications=True) as pilot:
        table_text = await step(pilot, "models table")
        assert "SElKQUNL" in table_text and "TAGTITLE" in table_text
        assert "␛]52" in table_text  # shown as symbols, one for one
        await step(pilot, "search", "slash", "a", "c", "c", "[", "t", "o", "p")
        seen = await step(pilot, "search results", "enter")
        assert "acc[top1]" in seen  # the search box and the table show the brackets
        await step(pilot, "search cleared", "slash", *["backspace"] * 8, "enter")
        await step(pilot, "filter dialog", "right", "f")
        await step(pilot, "filter dialog values", "space")
        await step(pilot, "filter applied", "ctrl+s")
        await step(pilot, "filters cleared", "X")
        chunks = comparisons(texts)
        for n, ids in enumerate(chunks if size == SIZES[0] else chunks[:1]):
            label = f"{size} comparison {n}"
            app.set_comparison(ComparisonState(source=store.uri, models=ids, tab="details"), show=True)
            chips = await step(pilot, f"{label} opened")
            seen = await visit_tabs(pilot, label, dialogs=n == 0)
            everywhere = "\n".join(seen.values())
            if n == 0:
                # the OSC 52 and OSC 2 models and the markup ones are compared first: readable everywhere
                assert "SElKQUNL" in chips and "TAGTITLE" in chips, chips
                assert "SElKQUNL" in seen["details"] and "SElKQUNL" in seen["models-list"]
                assert "␛]52" in seen["details"] and "␛]52" in seen["models-list"]
                assert "acc[top1]" in seen["models-list"] and "a[/]b" in seen["models-list"]
                assert "acc[top1]" in seen["scalars-values"] and "a[/]b" in seen["scalars-values"]
                assert "acc[top1]" in everywhere and "[bold red]loud" in everywhere
                assert any("SElKQUNL" in v for k, v in seen.items() if k.startswith("plots"))
            await step(pilot, f"{label} back to the table", "escape")
        select = await step(pilot, "selection dialog", "plus")
        assert "SElKQUNL" in select or "acc[top1]" in select
        await step(pilot, "selection closed", "escape")


async def test_markup_in_a_variant_does_not_crash_the_scalars_tab(tmp_path: Path) -> None:
    """Regression: a variant named `a[/]b` exited the app ~2 s after the Scalars
    tab opened (MarkupError in a chart card's title), then the error notification
    crashed again; `[link=…]` likewise; `acc[top1]` showed as `acc`."""
    store = SQLiteStore(tmp_path / "s.db")
    names = ("a[/]b", "[link=file:///etc/passwd]x[/link]", "acc[top1]")
    records = [
        ModelRecord(Model(id=_id(i), name=f"model{i}", updated=f"2026-01-0{i + 1}T00:00:00Z"),
                    scalars=[_series(metric, variant, i) for metric in names for variant in names])
        for i in range(3)
    ]
    store.import_records(records)
    state = ComparisonState(source=store.uri, models=tuple(_id(i) for i in range(3)), tab="scalars")
    app = create_app(store, state, live=0)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        values = await step(pilot, "values")
        assert "acc[top1]" in values and "a[/]b" in values and "[link=file:///etc/passw" in values
        graph = await step(pilot, "graph", "v")
        assert "acc[top1]/a[/]b" in graph or "acc[top1]" in graph
        await step(pilot, "maximised", "enter")
        # the ~2 s the crash took: charts load and draw in timers and workers, which settle waits for
        for _ in range(3):
            await step(pilot, "charts drawn")
        app.notify("failed on a[/]b and [link=x]y[/link] \x1b]2;T\x07", title="[bold]t[/]")
        shown = await step(pilot, "notification")
        assert "failed on a[/]b and [link=x]y[/link] ␛]2;T" in shown
    store.close()


async def test_hostile_metric_filter_and_search_are_shown_not_obeyed(hostile_store) -> None:  # noqa: ANN001
    """A state string carries a metric filter (and the app shows it in the bar,
    the filter box and the empty message): shown as display text, never as markup."""
    store, texts = hostile_store
    ids = comparisons(texts)[0]
    state = ComparisonState(source=store.uri, models=ids, tab="scalars")
    for tab in ("scalars", "plots"):
        st = replace(state, tab=tab)
        view = getattr(st, tab)
        st = replace(st, **{tab: replace(view, metric_filter="[/]\x1b]52;c;SElKQUNL\x07")})
        app = create_app(store, st, live=0)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            text = await step(pilot, f"{tab} with a hostile filter")
            assert "SElKQUNL" in text
            await step(pilot, f"{tab} filter box", "slash")
            assert isinstance(app.focused, Input)
            assert app.focused.value == "[/]\x1b]52;c;SElKQUNL\x07"  # the value itself is kept exactly
            assert "[/]␛]52;c;SElKQUNL␇" in screen_text(app)  # and drawn as display text
            await step(pilot, f"{tab} filter closed", "enter")


def test_widget_text_helpers_show_lone_surrogates_and_controls() -> None:
    """What a store refuses may still come from another source (a server): the
    widgets' text helpers show every hostile string, one character for one."""
    from modelcompare_tui.core.model import ModelRow
    from modelcompare_tui.widgets.model_table.columns import cell_text
    from modelcompare_tui.widgets.safe_text import SAFE_INPUT, shown

    for key, text in HOSTILE.items():
        row = ModelRow(_id(0), text, text, text, "draft", (text, TITLE), text, "2026-01-01T00:00:00Z", "")
        for column in ("name", "project", "tags", "user"):
            assert unsafe_chars(cell_text(row, column)) == [], (key, column)
        content = shown(text)
        assert unsafe_chars(content.plain) == [] and len(content.plain) == len(text), key
        drawn = SAFE_INPUT(text)
        assert unsafe_chars(drawn.plain) == [] and len(drawn.plain) == len(text), key
    assert shown("acc[top1]").plain == "acc[top1]"  # a Content: never parsed as markup
