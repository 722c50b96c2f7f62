"""The one `settle` of the Pilot tests: wait until the workers are done and
their messages handled (never a sleep to outwait a timer: debounce delays are
class attributes that a test shortens)."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.worker import WorkerCancelled


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
