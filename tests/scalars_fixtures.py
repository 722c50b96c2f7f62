"""A small deterministic store for the Scalars and Plots tests: three models
(two share a name, so labels must tell them apart), scalar series with a
missing series, a NaN and a row where all models agree, single values, and
plots of every kind (the last one of a model at another iteration).

Also `BodyApp`, a tiny App that mounts one tab body without the compare shell."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
from textual.app import App, ComposeResult
from modelcompare_tui.widgets.footer import AppFooter

import modelcompare_tui
from modelcompare_tui.core.colors import ModelColors
from modelcompare_tui.core.model import Config, Model, ModelRecord, Plot, ScalarSeries
from modelcompare_tui.core.state import ComparisonState, ScalarsView
from modelcompare_tui.session import Session
from modelcompare_tui.sources.base import Source
from modelcompare_tui.sources.store import SQLiteStore
from modelcompare_tui.widgets.app_input import KeysFollowFocus, SteadyCursor
from modelcompare_tui.widgets.tab_body import TabBody
from pilot_helpers import settle  # noqa: F401  # re-exported: the one settle

IDS = ("a1" * 16, "b2" * 16, "c3" * 16)
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def make_models() -> list[Model]:
    configs = (
        '{"optimizer": {"lr": 0.001, "name": "adam"}, "batch": 32}',
        '{"optimizer": {"lr": 0.003, "name": "adam"}, "batch": 32}',
        '{"optimizer": {"lr": 0.001, "name": "sgd"}, "batch": 64}',
    )
    names = ("resnet50", "resnet50", "vit-b16")
    return [
        Model(id=IDS[i], name=names[i], project="vision", framework="PyTorch",
              created=f"2026-01-0{i + 1}T10:00:00Z", updated=f"2026-01-0{i + 1}T12:00:00Z",
              config=Config("json", configs[i]))
        for i in range(3)
    ]


def _series(metric: str, variant: str, values: np.ndarray, model: int) -> ScalarSeries:
    n = values.size
    iterations = np.arange(n, dtype=np.int64) * 10
    timestamps = T0 + model * 3600 + np.arange(n, dtype=np.float64) * (2.0 + model)
    return ScalarSeries(metric, variant, iterations, values.astype(np.float64), timestamps)


def make_records() -> list[ModelRecord]:
    models = make_models()
    k = np.arange(101, dtype=np.float64)
    records = []
    for i, model in enumerate(models):
        wiggle = 0.01 * np.sin(k / 3 + i)
        loss = 2.0 * np.exp(-k / (25 + 8 * i)) + 0.1 + 0.05 * i + wiggle
        val_loss = loss + 0.08
        if i == 2:
            val_loss[40] = math.nan  # a NaN point: drawn as a gap, ignored by Min/Max
        acc = 0.95 - 0.8 * np.exp(-k / (20 + 5 * i)) - 0.02 * i + wiggle / 2
        lr = np.where(k < 50, 1e-3, 1e-4)  # the same schedule for all: a row where all agree
        series = [
            _series("loss", "train", loss, i),
            _series("loss", "val", val_loss, i),
            _series("accuracy", "val", acc, i),
            _series("lr", "lr", lr, i),
        ]
        if i != 1:
            series.append(_series("throughput", "samples_per_sec", 900 + 50 * i + 10 * np.cos(k / 5), i))
        if i == 1:
            series.append(_series("grad_norm", "total", 5 * np.exp(-k / 40) + 0.5, i))
        single = {
            "test/accuracy": (0.912, 0.934, 0.889)[i],
            "test/f1": (0.901, 0.925, 0.870)[i],
            "latency_ms": (12.5, 12.1, 20.3)[i],
            "params_m": (25.6, 25.6, 86.0)[i],
        }
        records.append(ModelRecord(model, scalars=series, single_values=single, plots=make_plots(i)))
    return records


def make_plots(i: int) -> list[Plot]:
    fpr = [0.0, 0.1, 0.2, 0.4, 0.7, 1.0]
    plots = []
    for it in (500, 1000):
        if i == 2 and it == 1000:
            continue  # vit's last plots are from iteration 500: "(iteration N)" in the merged names
        shift = 0.05 * i + (0.02 if it == 1000 else 0.0)
        tpr = [0.0, 0.45 + shift, 0.65 + shift, 0.82 + shift / 2, 0.93, 1.0]
        plots += [
            Plot("roc", "val", it, "line", {"series": [{"name": "roc", "x": fpr, "y": tpr}],
                                            "x_label": "fpr", "y_label": "tpr"}),
            Plot("class_counts", "val", it, "bar", {"categories": ["cat", "dog", "bird"],
                                                    "series": [{"name": "pred", "values": [50 + 5 * i, 40 - i, 10 + 3 * i]}]}),
            Plot("scores", "val", it, "box", {"series": [{"name": "score",
                                                          "values": [0.2 + 0.1 * i, 0.4, 0.5, 0.55, 0.6 + 0.05 * i, 0.7, 0.95]}]}),
            Plot("weights", "conv1", it, "histogram", {"series": [{"name": "w", "values": _samples(i, it)}],
                                                       "bins": 12}),
            Plot("eval", "per_class", it, "table", {"columns": ["class", "precision", "recall"],
                                                    "rows": [["cat", 0.9 + 0.01 * i, 0.88], ["dog", 0.85, 0.8 + 0.02 * i]]}),
            Plot("confusion", "val", it, "confusion_matrix", {"matrix": [[50 - i, 3 + i], [4, 43 + 2 * i]],
                                                              "x_labels": ["cat", "dog"], "y_labels": ["cat", "dog"]}),
            Plot("notes", "summary", it, "text", {"text": f"model {i}: converged at iteration {it}\nno warnings"}),
        ]
        if i != 1:
            plots.append(Plot("pr", "val", it, "scatter", {"series": [{"name": "pr", "x": [0.1, 0.5, 0.9],
                                                                       "y": [0.95 - 0.05 * i, 0.8, 0.5]}]}))
    return plots


def _samples(i: int, it: int) -> list[float]:
    rng = np.random.default_rng(100 * i + it)
    return [round(float(v), 4) for v in rng.normal(0.3 * i, 0.5 + 0.1 * i, 300)]


def build_scalars_store(path: Path | str) -> SQLiteStore:
    store = SQLiteStore(path)
    store.import_records(make_records())
    return store


def default_state(tab: str = "scalars", **scalars: object) -> ComparisonState:
    return ComparisonState(source="", models=IDS, tab=tab, scalars=ScalarsView(**scalars))  # type: ignore[arg-type]


class BodyApp(KeysFollowFocus, SteadyCursor, App[None]):
    """One tab body, mounted alone, with the App's side of the contract:
    request_state commits the state and calls set_state. The app's own
    stylesheet applies (dialogs look as they do in the app)."""

    CSS_PATH = str(Path(modelcompare_tui.__file__).parent / "app.tcss")

    def __init__(self, source: Source, state: ComparisonState, body_class: type[TabBody], *,
                 theme: str = "dark", footer: bool = True) -> None:
        super().__init__()
        self.source = source
        self.session = Session(state, apply=self._requested)
        self.body_class = body_class
        self.model_colors = ModelColors(state.models)
        self.models = source.get_models(list(state.models))
        self.show_footer = footer
        self.states: list[ComparisonState] = []
        self.theme = "textual-light" if theme == "light" else "textual-dark"
        self.model_colors.dark = theme != "light"

    def compose(self) -> ComposeResult:
        yield self.body_class(self.source, self.comparison, self.models, self.model_colors, id="body")
        if self.show_footer:
            yield AppFooter()

    @property
    def body(self) -> TabBody:
        return self.query_one("#body", TabBody)

    @property
    def comparison(self) -> ComparisonState:
        return self.session.state

    def _requested(self, state: ComparisonState) -> None:
        """The body's request_state: the session commits it and the body draws it."""
        self.session.commit(state)
        self.states.append(state)
        self.body.set_state(state, self.models)

    def set_view(self, **changes: object) -> None:
        state = replace(self.comparison, scalars=replace(self.comparison.scalars, **changes))
        self.session.commit(state)
        self.body.set_state(state, self.models)

    def set_plots_view(self, **changes: object) -> None:
        state = replace(self.comparison, plots=replace(self.comparison.plots, **changes))
        self.session.commit(state)
        self.body.set_state(state, self.models)


def screen_text(app: App) -> str:
    """The current screen as plain text, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


__all__ = ["BodyApp", "IDS", "build_scalars_store", "default_state", "make_models", "make_records", "screen_text", "settle"]
