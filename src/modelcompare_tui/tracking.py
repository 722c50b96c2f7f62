"""The logging API for training code, in the spirit of ClearML's OutputModel.

    from modelcompare_tui.tracking import OutputModel

    model = OutputModel(name="resnet50-ft", project="vision", framework="PyTorch",
                        config={"lr": 1e-3}, tags=["sweep"])
    for it in range(10_000):
        model.report_scalar("loss", "train", loss, it)      # buffered
    model.report_scalars("loss", "val", iterations, values)  # batch: arrays
    model.report_single_value("test_accuracy", 0.913)
    model.report_plot("roc", "val", it, "line", {"series": [...]})
    model.close()                                            # or `with OutputModel(...)`

Single points are buffered and flushed when the buffer holds FLUSH_POINTS points,
every FLUSH_SECONDS (a background timer), on flush()/close(), and at interpreter
exit, so a training loop pays a list append per point, not a database write.
"""

from __future__ import annotations

import atexit
import json
import threading
import time
import uuid
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from .core.model import STATUSES, Config, MetadataItem, Model, Plot
from .sources.sqlite_store import SQLiteStore, default_store_path

FLUSH_POINTS = 10_000
FLUSH_SECONDS = 2.0

_live_models: "weakref.WeakSet[OutputModel]" = weakref.WeakSet()


def _flush_all_at_exit() -> None:
    for model in list(_live_models):
        try:
            model.close()
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


class OutputModel:
    """Create (or reopen, with `id=`) a model in the store and report to it."""

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
    ) -> None:
        if isinstance(store, SQLiteStore):
            self.store = store
            self._owns_store = False
        else:
            self.store = SQLiteStore(store or default_store_path())
            self._owns_store = True
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
        self._flush_points = flush_points
        self._flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._buffer: dict[tuple[str, str], tuple[list[int], list[float], list[float]]] = {}
        self._buffered = 0
        self._closed = False
        self._timer: threading.Timer | None = None
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
        self._apply(**fields)
        self.model.updated = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.store.save_model(self.model)

    def publish(self) -> None:
        self.update(status="published")

    # -- scalars ---------------------------------------------------------------------
    def report_scalar(self, metric: str, variant: str, value: float, iteration: int) -> None:
        """Buffered: one list append per call."""
        if self._closed:
            raise RuntimeError("report_scalar on a closed OutputModel")
        now = time.time()
        with self._lock:
            buf = self._buffer.get((metric, variant))
            if buf is None:
                buf = self._buffer[(metric, variant)] = ([], [], [])
            buf[0].append(int(iteration))
            buf[1].append(float(value))
            buf[2].append(now)
            self._buffered += 1
            full = self._buffered >= self._flush_points
            if self._timer is None and not full:
                self._timer = threading.Timer(self._flush_seconds, self._timed_flush)
                self._timer.daemon = True
                self._timer.start()
        if full:
            self.flush()

    def _timed_flush(self) -> None:
        with self._lock:
            self._timer = None
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - a background flush must not kill the timer thread silently
            pass

    def report_scalars(
        self,
        metric: str,
        variant: str,
        iterations: Sequence[int] | np.ndarray,
        values: Sequence[float] | np.ndarray,
        timestamps: Sequence[float] | np.ndarray | None = None,
    ) -> None:
        """Batch form: arrays written at once (buffered points of other calls first)."""
        self.flush()
        self.store.add_scalars(self.id, metric, variant, iterations, values, timestamps)

    def flush(self) -> None:
        with self._lock:
            if not self._buffered:
                return
            buffer, self._buffer, self._buffered = self._buffer, {}, 0
        self.store.add_many(
            self.id,
            [
                (metric, variant, np.asarray(its, np.int64), np.asarray(vals, np.float64), np.asarray(ts))
                for (metric, variant), (its, vals, ts) in buffer.items()
            ],
        )

    # -- single values and plots ------------------------------------------------------
    def report_single_value(self, name: str, value: float) -> None:
        self.store.set_single_values(self.id, {name: float(value)})

    def report_plot(self, metric: str, variant: str, iteration: int, kind: str, data: dict[str, Any]) -> None:
        from .core.model import PLOT_KINDS
        from .core.modelfile import check_plot_data

        if kind not in PLOT_KINDS:
            raise ValueError(f"report_plot {metric}/{variant}: kind must be one of {', '.join(PLOT_KINDS)}")
        try:
            data = check_plot_data(kind, data)
        except ValueError as exc:
            raise ValueError(f"report_plot {metric}/{variant}: {exc}") from None
        self.store.add_plots(self.id, [Plot(metric, variant, int(iteration), kind, data, time.time())])

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        with self._lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        self.flush()
        self._closed = True
        _live_models.discard(self)
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> OutputModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
