"""Deterministic models and a tiny App for the Details/Network tab tests.

Four models with every kind of difference: values that differ, fields only
some models have (labels, metadata, config keys), two models sharing a name,
lineage (a fine-tune and its parent), a long multi-line comment, a metadata
value of another type. `TEXT_IDS`: three models whose configurations are
plain text (a line diff with an inserted line). `many_models(n)`: n light
models for the scrolling tests.

`DiffApp` mounts one tab body without the compare shell, with the App's side
of the contract: request_state commits the state and calls set_state.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.app import App, ComposeResult
from modelcompare_tui.widgets.footer import AppFooter

import modelcompare_tui
from modelcompare_tui.core.colors import ModelColors
from modelcompare_tui.core.model import Config, MetadataItem, Model, ModelRecord
from modelcompare_tui.core.state import ComparisonState, DiffView
from modelcompare_tui.session import Session
from modelcompare_tui.sources.base import Source
from modelcompare_tui.sources.store import SQLiteStore
from modelcompare_tui.widgets.app_input import KeysFollowFocus, SteadyCursor
from modelcompare_tui.widgets.tab_body import TabBody
from pilot_helpers import settle  # noqa: F401  # re-exported: the one settle

IDS = ("a0" * 16, "b1" * 16, "c2" * 16, "d3" * 16)
TEXT_IDS = ("e4" * 16, "f5" * 16, "a6" * 16)

_CONFIGS = (
    '{"optimizer": {"name": "sgd", "lr": 0.1, "momentum": 0.9}, "batch_size": 256, "epochs": 90,'
    ' "augment": {"mixup": false, "crop": 224}}',
    '{"optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.9}, "batch_size": 64, "epochs": 20,'
    ' "augment": {"mixup": false, "crop": 224}, "freeze": ["stem"]}',
    '{"optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.9}, "batch_size": 64, "epochs": 20,'
    ' "augment": {"mixup": true, "crop": 224}, "freeze": ["stem"], "precision": "fp16"}',
    'optimizer:\n  name: adamw\n  lr: 0.0003\n  weight_decay: 0.05\nbatch_size: 1024\nepochs: 300\n'
    'augment:\n  mixup: true\n  crop: 224\n',
)


def make_models() -> list[Model]:
    return [
        Model(
            id=IDS[0], name="resnet50-imagenet", project="vision", framework="PyTorch", status="published",
            tags=["baseline", "prod"], user="alice", created="2026-01-02T10:00:00Z", updated="2026-01-03T08:00:00Z",
            comment="The baseline.", uri="s3://models/vision/resnet50-imagenet/weights.pt",
            task_id="t-100", task_name="train resnet50",
            labels={"cat": 0, "dog": 1, "bird": 2},
            metadata=[MetadataItem("epochs", "int", "90"), MetadataItem("dataset", "str", "imagenet-1k"),
                      MetadataItem("top1", "float", "0.761")],
            config=Config("json", _CONFIGS[0]),
        ),
        Model(
            id=IDS[1], name="resnet50-pets", project="vision", framework="PyTorch", status="draft",
            tags=["finetune"], user="bob", created="2026-01-05T10:00:00Z", updated="2026-01-05T16:30:00Z",
            comment="Fine-tuned on Oxford-IIIT Pets with a cosine schedule; the stem stays frozen for the whole run."
                    "\nSecond try: the first diverged.",
            uri="s3://models/vision/resnet50-pets/weights.pt", parent=IDS[0],
            task_id="t-101", task_name="finetune pets",
            labels={"cat": 0, "dog": 1},
            metadata=[MetadataItem("epochs", "int", "20"), MetadataItem("dataset", "str", "oxford-pets"),
                      MetadataItem("top1", "float", "0.912")],
            config=Config("json", _CONFIGS[1]),
        ),
        Model(
            id=IDS[2], name="resnet50-pets", project="vision", framework="PyTorch", status="draft",
            tags=["finetune", "fp16"], user="bob", created="2026-01-06T09:00:00Z", updated="2026-01-06T11:00:00Z",
            comment="fp16 variant", uri="s3://models/vision/resnet50-pets-fp16/weights.pt", parent=IDS[0],
            task_id="t-102", task_name="finetune pets fp16",
            labels={"cat": 0, "dog": 1, "hamster": 3},
            metadata=[MetadataItem("epochs", "int", "20"), MetadataItem("dataset", "str", "oxford-pets"),
                      MetadataItem("top1", "float", "0.915"), MetadataItem("amp", "bool", "true")],
            config=Config("json", _CONFIGS[2]),
        ),
        Model(
            id=IDS[3], name="vit-b16", project="vision", framework="JAX", status="published",
            tags=["baseline"], user="chen", created="2026-01-08T10:00:00Z", updated="2026-01-09T10:00:00Z",
            comment="", uri="gs://vision/vit-b16/checkpoint",
            labels={"cat": 0, "dog": 1, "bird": 2},
            metadata=[MetadataItem("epochs", "str", "300"), MetadataItem("dataset", "str", "imagenet-21k"),
                      MetadataItem("top1", "float", "0.811")],
            config=Config("yaml", _CONFIGS[3]),
        ),
    ]


def _prototxt(lr: str, extra: bool, kernel: int) -> str:
    lines = ['name: "ResNet"', f"base_lr: {lr}", 'lr_policy: "step"', "momentum: 0.9", ""]
    for i, name in enumerate(("conv1", "conv2", "conv3")):
        lines += ["layer {", f'  name: "{name}"', '  type: "Convolution"',
                  f"  convolution_param {{ num_output: {64 * (i + 1)} kernel_size: {kernel if i == 1 else 3} }}",
                  "}"]
        if extra and name == "conv1":
            lines += ["layer {", '  name: "bn1"', '  type: "BatchNorm"', "}"]
    return "\n".join(lines) + "\n"


def make_text_models() -> list[Model]:
    texts = (_prototxt("0.01", False, 3), _prototxt("0.02", True, 3), _prototxt("0.01", False, 5))
    return [
        Model(id=TEXT_IDS[i], name=f"caffe-net-{i}", project="legacy", framework="Caffe",
              created=f"2025-12-0{i + 1}T00:00:00Z", updated=f"2025-12-0{i + 1}T00:00:00Z",
              config=Config("text", texts[i]))
        for i in range(3)
    ]


def many_models(n: int) -> list[Model]:
    return [
        Model(id=f"{i + 1:032x}", name=f"sweep-{i:03d}", project="sweep", framework="PyTorch",
              user=("alice", "bob")[i % 2], created="2026-02-01T00:00:00Z", updated="2026-02-01T00:00:00Z",
              labels={"cat": 0, "dog": 1},
              metadata=[MetadataItem("seed", "int", str(i)), MetadataItem("lr", "float", str(0.001 * (1 + i % 3)))],
              config=Config("json", f'{{"lr": {0.001 * (1 + i % 3)}, "seed": {i}, "batch": 32}}'))
        for i in range(n)
    ]


def build_diff_store(path: Path | str, extra: list[Model] | None = None) -> SQLiteStore:
    store = SQLiteStore(path)
    models = make_models() + make_text_models() + (extra or [])
    store.import_records([ModelRecord(m) for m in models])
    return store


def diff_state(ids: tuple[str, ...] = IDS, tab: str = "details", **view: object) -> ComparisonState:
    state = ComparisonState(source="", models=ids, tab=tab)
    return replace(state, **{tab: DiffView(**view)})  # type: ignore[arg-type]


class DiffApp(KeysFollowFocus, SteadyCursor, App[None]):
    """One tab body, mounted alone (the app's stylesheet applies)."""

    CSS_PATH = str(Path(modelcompare_tui.__file__).parent / "app.tcss")

    def __init__(self, source: Source, state: ComparisonState, body_class: type[TabBody], *,
                 theme: str = "dark", footer: bool = True) -> None:
        super().__init__()
        self.source = source
        self.session = Session(state, apply=self._requested)
        self.body_class = body_class
        self.model_colors = ModelColors(state.models)
        self.by_id = {m.id: m for m in source.get_models(list(state.models))}
        self.show_footer = footer
        self.states: list[ComparisonState] = []
        self.theme = "textual-light" if theme == "light" else "textual-dark"
        self.model_colors.dark = theme != "light"

    def models_of(self, state: ComparisonState) -> list[Model]:
        missing = [i for i in state.models if i not in self.by_id]
        if missing:
            self.by_id.update({m.id: m for m in self.source.get_models(missing)})
        return [self.by_id[i] for i in state.models]

    def compose(self) -> ComposeResult:
        yield self.body_class(self.source, self.comparison, self.models_of(self.comparison), self.model_colors,
                              id="body")
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
        self.set_state(state)
        self.states.append(state)

    def set_state(self, state: ComparisonState) -> None:
        self.session.commit(state)
        self.body.set_state(state, self.models_of(state))


