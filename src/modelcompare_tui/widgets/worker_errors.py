"""Worker errors → notifications, in one place.

Textual posts Worker.StateChanged to the node that started the worker and does
not bubble it, so each node that runs workers mixes this in; the App's
`report_error` is the one place that turns the error into a notification
(SourceError: its one-line message; anything else: the exception's type too).
"""

from __future__ import annotations

from textual.worker import Worker, WorkerState

from ..core.display import display_text


class ReportWorkerErrors:
    """Mixin for widgets and screens that run workers with exit_on_error=False."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            report_error(self.app, event.worker.error)  # type: ignore[attr-defined]


def report_error(app: object, error: BaseException | None) -> None:
    reporter = getattr(app, "report_error", None)
    if reporter is not None:
        reporter(error)
    elif error is not None:  # an App without report_error (a test harness)
        # never parsed as markup: an exception's text may quote data (`a[/]b`)
        app.notify(display_text(str(error), multiline=True), severity="error", markup=False)  # type: ignore[attr-defined]
