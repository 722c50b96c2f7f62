"""MODELS (m): the compared models; remove, reorder, make base."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import (
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from ..core.display import display_text
from ..core.table_query import (
    MIN_COMPARED,
)

if TYPE_CHECKING:
    from ..app import ComparisonUpdate, ModelCompareApp


class ModelsListDialog(ModalScreen[None]):
    """`m`: the compared models in order (base first). Each change applies at
    once; escape or enter closes."""

    HELP_TITLE = "Compared models"
    BINDINGS = [
        Binding("x", "remove", "Remove", id="models_list.remove"),
        Binding("delete", "remove", "Remove", show=False, id="models_list.remove_alt"),
        Binding("b", "make_base", "Make base", id="models_list.make_base"),
        Binding("left_square_bracket", "move(-1)", "Move up", id="models_list.move_up"),
        Binding("right_square_bracket", "move(1)", "Move down", id="models_list.move_down"),
        Binding("shift+up", "move(-1)", "Move up", show=False, id="models_list.move_up_alt"),
        Binding("shift+down", "move(1)", "Move down", show=False, id="models_list.move_down_alt"),
        Binding("plus", "add", "Add models", id="models_list.add_models"),
        Binding("escape", "close", "Close", id="models_list.close"),
        Binding("enter", "close", "Close", show=False, id="models_list.close_alt"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")
        self._follow: str | None = None  # the model the highlight stays on across changes

    @property
    def mc_app(self) -> ModelCompareApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="models-dialog", classes="dialog"):
            yield Static("", id="models-title", classes="dialog-title")
            yield OptionList(id="models-list")
            yield Static("", id="models-message", classes="dialog-error")
            yield Static(
                "x remove · b make base · [ ] move · + add · esc close", classes="dialog-hint", markup=False
            )

    def on_mount(self) -> None:
        self._show_ids(self.mc_app.comparison.models)
        self.mc_app.comparison_changed.subscribe(self, self._changed)
        self.query_one(OptionList).focus()

    def _changed(self, update: ComparisonUpdate) -> None:
        self._show_ids(update.state.models)

    def recolor_models(self) -> None:
        """The model colours changed shade (the theme): list the models again."""
        self._show_ids(self.mc_app.comparison.models)

    def _show_ids(self, ids: tuple[str, ...]) -> None:
        app = self.mc_app
        widget = self.query_one(OptionList)
        follow = self._follow if self._follow in ids else None
        widget.clear_options()
        options = []
        for position, model_id in enumerate(ids):
            model = app.model_cache.get(model_id)
            name = display_text(model.name if model else model_id)
            parts: list[str | tuple[str, str]] = [("● ", app.colors[model_id]), name]
            if model is not None and model.project:
                parts.append((f"  {display_text(model.project)}", "dim"))
            if position == 0:
                parts.append(("  base", "bold"))
            options.append(Option(Content.assemble(*parts), id=model_id))
        widget.add_options(options)
        if ids:
            widget.highlighted = ids.index(follow) if follow else 0
        self.query_one("#models-title", Static).update(f"Compared models ({len(ids)})")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """enter closes (the list takes enter before the dialog's binding sees it)."""
        event.stop()
        self.action_close()

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._follow = event.option.id

    def _selected_id(self) -> str | None:
        widget = self.query_one(OptionList)
        if widget.highlighted is None:
            return None
        return widget.get_option_at_index(widget.highlighted).id

    def _apply(self, ids: list[str]) -> None:
        app = self.mc_app
        app.set_comparison(replace(app.comparison, models=tuple(ids)))

    def action_remove(self) -> None:
        model_id = self._selected_id()
        ids = list(self.mc_app.comparison.models)
        if model_id is None or model_id not in ids:
            return
        if len(ids) - 1 < MIN_COMPARED:
            message = f"At least {MIN_COMPARED} models are needed to compare: add one (+) before removing this one"
            self.query_one("#models-message", Static).update(message)
            self.notify(message, severity="warning")
            return
        self.query_one("#models-message", Static).update("")
        i = ids.index(model_id)
        ids.remove(model_id)
        self._follow = ids[min(i, len(ids) - 1)]
        self._apply(ids)

    def action_make_base(self) -> None:
        model_id = self._selected_id()
        ids = list(self.mc_app.comparison.models)
        if model_id is None or model_id not in ids:
            return
        ids.remove(model_id)
        self._apply([model_id, *ids])

    def action_move(self, delta: int) -> None:
        model_id = self._selected_id()
        ids = list(self.mc_app.comparison.models)
        if model_id is None or model_id not in ids:
            return
        i = ids.index(model_id)
        j = max(0, min(len(ids) - 1, i + delta))
        if i == j:
            return
        ids[i], ids[j] = ids[j], ids[i]
        self._apply(ids)

    def action_add(self) -> None:
        self.dismiss(None)
        self.mc_app.action_add_models()

    def action_close(self) -> None:
        self.dismiss(None)
