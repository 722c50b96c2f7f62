"""The `/` metric-filter box of the Scalars and Plots bodies.

`/` opens a one-line box under the body's bar; what is typed travels in the
comparison state once typing rests (self.FILTER_POST_DELAY), enter keeps it and
closes the box, escape puts back the filter in force when the box opened.
While closed the box holds the filter in force, to edit when `/` opens it.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from textual import events, on
from textual.timer import Timer
from textual.widgets import Input

from .safe_text import SAFE_INPUT
from .tab_body import TabBody

FILTER_BOX_CLASS = "metric-filter"


class MetricFilterBody(TabBody):
    """A tab body with a metric-filter box. Subclasses set FILTER_ID, compose
    `filter_box(...)`, bind `/` to `action_filter` and say where the filter
    in the state is (`wanted_filter`, `request_view`) and where the focus
    goes when the box closes (`_filter_closed`)."""

    # debounce delays (s): class attributes, so tests shorten them (Textual timers need a delay > 0)
    FILTER_POST_DELAY: ClassVar[float] = 0.3


    DEFAULT_CSS = """
    MetricFilterBody > Input.metric-filter { height: 1; border: none; padding: 0 1; display: none; }
    MetricFilterBody > Input.metric-filter.-shown { display: block; }
    """

    FILTER_ID: ClassVar[str]  # the box's id

    _filter_timer: Timer | None = None
    _filter_before: str | None = None  # the filter in force when the box opened

    def filter_box(self, things: str) -> Input:
        """The (closed) box, for compose; `things`: what it filters, for its placeholder."""
        return Input(placeholder=f"filter {things}: substring, or glob (loss*, */val) · enter keep · esc undo",
                     id=self.FILTER_ID, classes=FILTER_BOX_CLASS, disabled=True, highlighter=SAFE_INPUT)

    # -- what subclasses say ----------------------------------------------------------------
    def wanted_filter(self) -> str:
        """The metric filter of the state asked for last."""
        raise NotImplementedError

    def request_view(self, **changes: Any) -> None:
        """Ask for the state with these options of the body's view changed."""
        raise NotImplementedError

    def _filter_closed(self) -> None:
        """The box closed: move the focus back to the body's content."""
        raise NotImplementedError

    def _filter_typed(self, text: str) -> None:
        """The box's text changed (before the state follows it)."""

    def _filter_reverted(self) -> None:
        """escape put back the filter, which the state still had."""

    # -- the box ------------------------------------------------------------------------------
    def _sync_filter_box(self, metric_filter: str) -> None:
        """The closed box holds the filter in force (the state changed)."""
        box = self.query_one(f"#{self.FILTER_ID}", Input)
        if not box.has_focus and box.value != metric_filter:
            with box.prevent(Input.Changed):
                box.value = metric_filter

    def action_filter(self) -> None:
        box = self.query_one(f"#{self.FILTER_ID}", Input)
        self._filter_before = self.wanted_filter()
        self._sync_filter_box(self._filter_before)  # a state opened with a filter: the box holds it too
        box.disabled = False
        box.add_class("-shown")
        # at once, not after a refresh (Widget.focus): the keys of a burst (a paste, a fast
        # typist over SSH) already queued behind this one must land in the box
        self.screen.set_focus(box)

    @on(Input.Changed, f".{FILTER_BOX_CLASS}")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._filter_typed(event.value)
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(self.FILTER_POST_DELAY, partial(self._post_filter, event.value))

    def commit_pending(self) -> None:
        """The text typed in the box goes into the state now (`y`, `E`)."""
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
            self._post_filter(self.query_one(f"#{self.FILTER_ID}", Input).value)

    def _post_filter(self, text: str) -> None:
        self._filter_timer = None
        if text != self.wanted_filter():
            self.request_view(metric_filter=text)

    @on(Input.Blurred, f".{FILTER_BOX_CLASS}")
    def _filter_left(self, event: Input.Blurred) -> None:
        """The focus left the box (a click elsewhere, a dialog): what it shows is
        the filter in force from now on, not 0.3 s later."""
        event.stop()
        self.commit_pending()

    @on(Input.Submitted, f".{FILTER_BOX_CLASS}")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._post_filter(event.value)
        self._close_filter()

    def _close_filter(self) -> None:
        box = self.query_one(f"#{self.FILTER_ID}", Input)
        box.remove_class("-shown")
        box.disabled = True
        self._filter_before = None
        self._filter_closed()

    def _cancel_filter(self) -> None:
        box = self.query_one(f"#{self.FILTER_ID}", Input)
        before = self._filter_before or ""
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        with box.prevent(Input.Changed):
            box.value = before
        if before != self.wanted_filter():
            self.request_view(metric_filter=before)
        else:
            self._filter_reverted()
        self._close_filter()

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.query_one(f"#{self.FILTER_ID}", Input).has_focus:
            event.stop()
            event.prevent_default()
            self._cancel_filter()


__all__ = ["MetricFilterBody"]
