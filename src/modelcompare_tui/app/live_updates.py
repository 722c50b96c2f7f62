"""The App's live updates: a LivePoller (live.py) watches the source's change
token in a thread; a change reloads the models table; compared models whose
descriptive fields changed reach the bodies as new Model objects (`set_state`),
and the Scalars and Plots bodies reload their data (`TabBody.refresh_data`),
the visible one at once and the others when shown. `live_changed` publishes
the indicator's status."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.message import Message
from textual.signal import Signal

from ..core.display import display_line
from ..live import LivePoller, LiveStatus, SourceChange, poll_interval
from ..sources.base import Source
from .comparison import ComparisonApp


@dataclass(frozen=True)
class LiveUpdate:
    """What `source_changed` publishes: the poller's SourceChange, and which
    compared models changed their descriptive fields (name, config, …), as
    opposed to only their scalars or plots."""

    change: SourceChange
    details_changed: frozenset[str] = frozenset()


class LiveUpdatesApp(ComparisonApp):
    """The App's part that polls the source and tells the screens what changed."""

    class LiveChanged(Message):
        """The poller saw the source change (posted from its thread)."""

        def __init__(self, change: SourceChange, source: Source) -> None:
            super().__init__()
            self.change = change
            self.source = source

    class LiveFailed(Message):
        def __init__(self, error: BaseException, source: Source) -> None:
            super().__init__()
            self.error = error
            self.source = source

    class LiveRecovered(Message):
        def __init__(self, source: Source) -> None:
            super().__init__()
            self.source = source

    def __init__(self, source: Source, *, live: float | None = None) -> None:
        super().__init__(source)
        # the source changed (live): screens refresh what shows the changed models
        self.source_changed: Signal[LiveUpdate] = Signal(self, "source_changed")
        self.live_changed: Signal[LiveStatus] = Signal(self, "live_changed")
        self._live_interval = live  # None: by source; 0: off
        self.live_status = LiveStatus()
        self._poller: LivePoller | None = None

    def _start_live(self) -> None:
        if self._poller is not None:
            self._poller.stop()
            self._poller = None
        interval = poll_interval(self.source) if self._live_interval is None else self._live_interval
        if not getattr(self.source, "sees_changes", True):
            interval = 0  # opened immutable: nobody can be writing it, there is nothing to poll for
        if interval <= 0:
            self._set_live(LiveStatus())
            return
        source = self.source

        # called from the poller's thread: post_message is thread-safe
        def on_change(change: SourceChange) -> None:
            self.post_message(self.LiveChanged(change, source))

        def on_error(error: BaseException) -> None:
            self.post_message(self.LiveFailed(error, source))

        def on_recover() -> None:
            self.post_message(self.LiveRecovered(source))

        poller = LivePoller(
            source,
            lambda: self.comparison.models,  # read from the poller's thread: a tuple, replaced whole
            on_change,
            on_error=on_error,
            on_recover=on_recover,
            interval=interval,
        )
        self._poller = poller
        self._set_live(LiveStatus(enabled=True, interval=interval))
        poller.start()

    def _set_live(self, status: LiveStatus) -> None:
        self.live_status = status
        self.live_changed.publish(status)

    def on_live_updates_app_live_changed(self, message: LiveChanged) -> None:
        if message.source is not self.source:
            return  # from the poller of a source the app left
        change = message.change
        self._set_live(replace(self.live_status, ok=True, error="", updated_at=change.at))
        fresh = {m.id: m for m in change.models}
        details_changed = frozenset(i for i in self.comparison.models
                                    if i in fresh and i in self.model_cache and fresh[i] != self.model_cache[i])
        if details_changed:
            # names, configs, …: new Model objects reach every body through set_state
            # (the Details and Network tabs recompute from them), and the models bar
            self.model_cache.update({i: fresh[i] for i in details_changed})
            self.session.models = [self.model_cache[i] for i in self.comparison.models if i in self.model_cache]
            if not self.session.loading:  # else the load in flight publishes them
                self.comparison_changed.publish(self.current_update())
        self.source_changed.publish(LiveUpdate(change, details_changed))

    def on_live_updates_app_live_failed(self, message: LiveFailed) -> None:
        if message.source is not self.source:
            return
        error = message.error
        error_text = str(error)
        # one line of display text: it shows in the indicator's tooltip too
        text = display_line(error_text.splitlines()[0]) if error_text.strip() else type(error).__name__
        self._set_live(replace(self.live_status, ok=False, error=text))
        self.notify(f"Live updates paused: {text}", title="Source error", severity="warning", timeout=8)

    def on_live_updates_app_live_recovered(self, message: LiveRecovered) -> None:
        if message.source is self.source:
            self._set_live(replace(self.live_status, ok=True, error=""))
