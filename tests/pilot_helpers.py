"""The one `settle` of the Pilot tests: wait until the workers are done and
their messages handled (never a sleep to outwait a timer: debounce delays are
class attributes that a test shortens)."""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerState

MAX_QUIET_ROUNDS = 200  # pauses spent waiting for queued messages and callbacks (each one event-loop turn)


_WIDGET_FLAGS = ("_layout_required", "_repaint_required", "_recompose_required", "_scroll_required",
                 "_refresh_styles_required")
_SCREEN_FLAGS = ("_layout_required", "_repaint_required", "_recompose_required", "_scroll_required")


def _busy(app: App) -> bool:
    """Messages queued, callbacks, a layout or a repaint due anywhere in the app.
    A recomposed footer's new keys, for instance, are mounted at once but laid
    out only on the screen's next update tick: a shot before it showed the old
    footer (CI saw "space Select s Sort f Filter" missing at 160×48)."""
    if any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
        return True
    if app._batch_count:  # noqa: SLF001
        return True
    # every screen of the stack: the one under a dialog still lays out and scrolls
    if any(screen._callbacks for screen in app.screen_stack):  # noqa: SLF001
        return True
    # the screen on top refreshes on its update timer (those below wait until they are on top)
    screen = app.screen
    if screen._dirty_widgets or any(getattr(screen, flag, False) for flag in _SCREEN_FLAGS):  # noqa: SLF001
        return True
    nodes = [app, *app._registry]  # noqa: SLF001
    if any(not node._message_queue.empty() or node._next_callbacks for node in nodes):  # noqa: SLF001
        return True
    # screens are not widgets here: one under a dialog keeps its flags until it is on top again;
    # nor are the widgets of another mode's screen (a tab not on show): they keep theirs until shown
    stack = set(app.screen_stack)
    return any(node.is_mounted and any(getattr(node, flag, False) for flag in _WIDGET_FLAGS)
               and _screen_of(node) in stack
               for node in nodes if node is not app and not isinstance(node, Screen))


def _screen_of(node: object) -> Screen | None:
    while node is not None and not isinstance(node, Screen):
        node = getattr(node, "_parent", None)
    return node


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
