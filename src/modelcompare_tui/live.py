"""Live updates: a background poller of the source's change token, and what
the "live" indicator shows (the widget: screens/live_indicator.py). No
Textual import: `render --watch` uses this too.

The poller is one daemon thread (not a Textual worker: tests and screens wait
for workers to finish, and this one never does). Each round it reads the
source's change token — for the embedded store one row of its meta table —
and only when the token moved does it ask which of the compared models
changed (`changed_models`, when the source can tell) and fetch their details.
It reports through callbacks, which the App turns into thread-safe messages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .core.model import Model
from .sources.base import Source

LOCAL_INTERVAL = 1.0  # seconds between polls of a local source (store, mlruns folder)
REMOTE_INTERVAL = 5.0  # an MLflow server: each poll is a few HTTP requests
MAX_BACKOFF = 30.0  # while the source fails, polls slow down to this


def poll_interval(source: Source) -> float:
    """How often to poll `source` for changes."""
    return REMOTE_INTERVAL if source.uri.startswith(("mlflow+http://", "mlflow+https://")) else LOCAL_INTERVAL


def changed_ids(source: Source, token: str, ids: Sequence[str]) -> list[str]:
    """Which of `ids` changed after `token`; all of them when the source cannot tell."""
    ask = getattr(source, "changed_models", None)
    if ask is None:
        return list(ids)
    return list(ask(token, ids))


@dataclass(frozen=True)
class SourceChange:
    """The source changed. `changed`: the watched ids that changed (all of them
    when the source cannot tell which); `models`: their fresh details (ids that
    no longer exist are left out); `at`: when the change was seen (epoch s)."""

    token: str
    changed: tuple[str, ...]
    models: tuple[Model, ...]
    at: float


class LivePoller:
    """Polls `source.change_token()` every `interval` seconds in a daemon thread.

    `watched()` returns the ids whose changes matter (the compared models); it
    is called from the poller's thread, so it must only read (a tuple attribute
    is fine). `on_change` gets a SourceChange; `on_error` the first exception of
    an outage, `on_recover` its end. Callbacks run in the poller's thread."""

    def __init__(
        self,
        source: Source,
        watched: Callable[[], Sequence[str]],
        on_change: Callable[[SourceChange], None],
        *,
        on_error: Callable[[BaseException], None] | None = None,
        on_recover: Callable[[], None] | None = None,
        interval: float = LOCAL_INTERVAL,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"interval must be positive, not {interval}")
        self.source = source
        self.interval = interval
        self._watched = watched
        self._on_change = on_change
        self._on_error = on_error
        self._on_recover = on_recover
        self._token: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.polls = 0  # rounds done (for tests and benchmarks)

    @property
    def token(self) -> str | None:
        """The last token seen (None before the first poll)."""
        return self._token

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="modelcompare-live", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ends the thread after its current round. Never waits for it: a callback
        may be waiting for the UI thread that calls this."""
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def poll_once(self) -> SourceChange | None:
        """One round: None when nothing changed (or on the first round, which
        only takes the starting token)."""
        token = self.source.change_token()
        self.polls += 1
        previous = self._token
        if previous is None:
            self._token = token
            return None
        if token == previous:
            return None
        ids = tuple(self._watched())
        changed = tuple(changed_ids(self.source, previous, ids)) if ids else ()
        models = tuple(self.source.get_models(list(changed))) if changed else ()
        self._token = token  # only once everything above succeeded: a failed round is retried
        return SourceChange(token, changed, models, time.time())

    def _run(self) -> None:
        failing = False
        wait = self.interval
        while not self._stop.is_set():
            try:
                change = self.poll_once()
            except Exception as exc:  # noqa: BLE001 - any failure of the source: report once, keep trying
                if not failing:
                    failing = True
                    if self._on_error is not None:
                        self._on_error(exc)
                wait = min(MAX_BACKOFF, max(wait * 2, self.interval))
            else:
                wait = self.interval
                if failing:
                    failing = False
                    if self._on_recover is not None:
                        self._on_recover()
                if change is not None and not self._stop.is_set():
                    self._on_change(change)
            self._stop.wait(wait)


# ----------------------------------------------------------------------------
# the indicator's status
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveStatus:
    """What the indicators show. `updated_at`: when the compared models (or the
    models table) last changed, epoch seconds; None before the first change."""

    enabled: bool = False
    interval: float = LOCAL_INTERVAL
    ok: bool = True
    updated_at: float | None = None
    error: str = ""
