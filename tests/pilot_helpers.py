"""The one `settle` of the Pilot tests: wait until the workers are done and
their messages handled (never a sleep to outwait a timer: debounce delays are
class attributes that a test shortens)."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerState

MAX_QUIET_ROUNDS = 200  # pauses spent waiting for queued messages and callbacks (each one event-loop turn)


def _busy(app: App) -> bool:
    """Messages queued, callbacks or a repaint due anywhere in the app (the
    footer recomposes on a callback after the focus moved, for instance)."""
    if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        return True
    # every screen of the stack: the one under a dialog still lays out and scrolls
    if any(screen._callbacks or screen._dirty_widgets for screen in app.screen_stack):  # noqa: SLF001
        return True
    return any(not node._message_queue.empty() or node._next_callbacks  # noqa: SLF001
               for node in [app, *app._registry])  # noqa: SLF001


async def settle(pilot: Pilot, rounds: int = 4) -> None:
    for _ in range(rounds):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one
            pass
        # a scroll to a focused card or row may be animated: the screen is not at rest
        # (nor a snapshot of it the same on a slow machine) until it ends
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
    # then until nothing is queued: on a loaded machine a footer or a scroll still
    # waiting for its callback would otherwise make a snapshot depend on the load
    for _ in range(MAX_QUIET_ROUNDS):
        if not _busy(pilot.app):
            break
        await pilot.pause()
