"""The small live-updates indicator of the models table and the compare shell:
`● live · 12:03:04` (the time of the last update), or `○ offline` while the
source fails."""

from __future__ import annotations

import time

from textual.content import Content
from textual.widgets import Static

from ..live import LiveStatus
from ..widgets.safe_text import shown


def _clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


def status_content(status: LiveStatus) -> Content:
    if not status.enabled:
        return Content("")
    if not status.ok:
        return Content.assemble(("○ ", "bold $warning"), ("offline", "$warning"))
    parts: list[tuple[str, str]] = [("● ", "bold $success"), ("live", "bold")]
    if status.updated_at is not None:
        parts.append((f" · {_clock(status.updated_at)}", "$text-muted"))
    return Content.assemble(*parts)


class LiveIndicator(Static):
    DEFAULT_CSS = """
    LiveIndicator { width: auto; height: 1; padding: 0 1; }
    LiveIndicator.-off { display: none; }
    """

    def show_status(self, status: LiveStatus, source_uri: str) -> None:
        self.set_class(not status.enabled, "-off")
        self.update(status_content(status))
        if not status.enabled:
            self.tooltip = None
        elif not status.ok:
            self.tooltip = shown(f"Live updates paused: {status.error}")  # a server's message: data
        else:
            last = _clock(status.updated_at) if status.updated_at is not None else "no change yet"
            self.tooltip = shown(f"Watching {source_uri} for changes every {status.interval:g} s · last update: {last}")
