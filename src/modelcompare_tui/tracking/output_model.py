"""OutputModel: a model in the store that training code reports to (see the
package's docstring). The scalars go through BufferedScalars; the fields,
single values and plots are written at once."""

from __future__ import annotations

import atexit
import json
import sys
import time
import uuid
import weakref
from collections.abc import Sequence
from typing import Any

from ..core.display import display_line
from ..core.model import STATUSES, Config, MetadataItem, Model, Plot
from ..sources.base import SourceError
from ..sources.store import SQLiteStore, default_store_path
from .buffer import FLUSH_POINTS, FLUSH_SECONDS, MAX_BUFFERED, BufferedScalars
from .errors import TrackingError

_live_models: weakref.WeakSet[OutputModel] = weakref.WeakSet()


def _flush_all_at_exit() -> None:
    for model in list(_live_models):
        try:
            model.close()
        except TrackingError as exc:
            # the process is ending: these points are lost, and the user must know
            print(f"modelcompare: {exc.unwritten} points were never written and are lost: {exc}", file=sys.stderr)
        except Exception:  # noqa: BLE001 - never fail interpreter exit
            pass


atexit.register(_flush_all_at_exit)


def _config_from(value: Any) -> Config | None:
    if value is None:
        return None
    if isinstance(value, Config):
        return value
    if isinstance(value, (dict, list)):
        return Config("json", json.dumps(value, indent=2, sort_keys=False, default=str))
    if isinstance(value, str):
        return Config("text", value)
    raise TypeError(f"config must be a dict, list, str or Config, not {type(value).__name__}")


class OutputModel(BufferedScalars):
    """Create (or reopen, with `id=`) a model in the store and report to it."""

    #: SQLite busy timeout of the store an OutputModel opens itself (seconds): how
    #: long one write waits for another process's write lock before it counts as failed
    BUSY_TIMEOUT = 5.0

    def __init__(
        self,
        name: str | None = None,
        *,
        id: str | None = None,
        project: str = "",
        framework: str = "",
        tags: Sequence[str] = (),
        config: Any = None,
        labels: dict[str, int] | None = None,
        metadata: dict[str, Any] | Sequence[MetadataItem] | None = None,
        comment: str = "",
        uri: str = "",
        task_id: str = "",
        task_name: str = "",
        parent: str = "",
        status: str = "draft",
        user: str = "",
        store: SQLiteStore | str | None = None,
        flush_points: int = FLUSH_POINTS,
        flush_seconds: float = FLUSH_SECONDS,
        max_buffered: int = MAX_BUFFERED,
    ) -> None:
        if isinstance(store, SQLiteStore):
            self.store = store
            self._owns_store = False
        else:
            self.store = SQLiteStore(store or default_store_path(), busy_timeout=self.BUSY_TIMEOUT)
            self._owns_store = True
        if self.store.read_only:
            raise TrackingError(f"{self.store.uri}: the store is read-only; cannot log to it")
        existing = self.store.get_models([id]) if id else []
        if existing:
            self.model = existing[0]
            self.model.children = []
        else:
            if not name:
                raise ValueError("OutputModel needs a name (or the id of an existing model)")
            if user == "":
                import getpass

                try:
                    user = getpass.getuser()
                except Exception:  # noqa: BLE001 - no user name in some containers
                    user = ""
            self.model = Model(id=id or uuid.uuid4().hex, name=name, user=user)
            self._apply(
                project=project, framework=framework, tags=tags, config=config, labels=labels,
                metadata=metadata, comment=comment, uri=uri, task_id=task_id, task_name=task_name,
                parent=parent, status=status,
            )
            self.store.save_model(self.model)
        super().__init__(flush_points=flush_points, flush_seconds=flush_seconds, max_buffered=max_buffered)
        _live_models.add(self)

    @property
    def id(self) -> str:
        return self.model.id

    # -- fields --------------------------------------------------------------------
    def _apply(self, **fields: Any) -> None:
        m = self.model
        for key, value in fields.items():
            if key == "config":
                m.config = _config_from(value)
            elif key == "tags":
                m.tags = list(value)
            elif key == "labels":
                m.labels = {str(k): int(v) for k, v in (value or {}).items()}
            elif key == "metadata":
                if isinstance(value, dict):
                    m.metadata = [
                        MetadataItem(str(k), type(v).__name__, str(v)) for k, v in value.items()
                    ]
                else:
                    m.metadata = list(value or [])
            elif key == "status":
                if value not in STATUSES:
                    raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {value!r}")
                m.status = value
            elif hasattr(m, key) and key not in ("id", "children"):
                setattr(m, key, value)
            else:
                raise TypeError(f"unknown model field {key!r}")

    def update(self, **fields: Any) -> None:
        """Change descriptive fields (name, project, tags, config, status, ...)."""
        self._check_open("update")
        self._apply(**fields)
        self.model.updated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self._direct_write("update", lambda: self.store.save_model(self.model))

    def publish(self) -> None:
        self.update(status="published")

    # -- single values and plots ------------------------------------------------------
    def _direct_write(self, what: str, write: Any) -> None:
        """A write that is not buffered (single values, plots, fields): it happens
        now or raises; then any pending failure of the buffered points is raised."""
        try:
            write()
        except SourceError as exc:
            raise TrackingError(
                f"model {display_line(self.model.name, 80)}: {what} was not recorded ({display_line(str(exc), 300)})",
                unwritten=self.unwritten, cause=exc,
            ) from None
        self._raise_pending()

    def report_single_value(self, name: str, value: float) -> None:
        self._check_open("report_single_value")
        value = float(value)
        self._direct_write(f"report_single_value {name}", lambda: self.store.set_single_values(self.id, {name: value}))

    def report_plot(self, metric: str, variant: str, iteration: int, kind: str, data: dict[str, Any]) -> None:
        from ..core.model import PLOT_KINDS
        from ..core.modelfile import check_plot_data

        self._check_open("report_plot")
        if kind not in PLOT_KINDS:
            raise ValueError(f"report_plot {metric}/{variant}: kind must be one of {', '.join(PLOT_KINDS)}")
        try:
            data = check_plot_data(kind, data)
        except ValueError as exc:
            raise ValueError(f"report_plot {metric}/{variant}: {exc}") from None
        plot = Plot(metric, variant, int(iteration), kind, data, time.time())
        self._direct_write(f"report_plot {metric}/{variant}", lambda: self.store.add_plots(self.id, [plot]))

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        """Write the buffer (see flush(): raises TrackingError if the points cannot
        be written; the model then stays open and close() may be called again)."""
        if self._closed:
            return
        self.flush()
        self._stop_writer()
        self._closed = True
        _live_models.discard(self)
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> OutputModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
