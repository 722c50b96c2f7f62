"""The logging API: buffered single points, batch arrays, flush on size/time/close/exit."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest

from modelcompare_tui.sources.store import SQLiteStore
from modelcompare_tui.tracking import OutputModel


def test_report_scalar_is_buffered_until_flush(store: SQLiteStore) -> None:
    model = OutputModel("run-a", project="p", store=store, flush_points=1000, flush_seconds=60)
    for i in range(10):
        model.report_scalar("loss", "train", 1.0 / (i + 1), i)
    assert store.scalar_summaries([model.id])[model.id] == []  # still in the buffer
    model.flush()
    (summary,) = store.scalar_summaries([model.id])[model.id]
    assert summary.count == 10 and summary.last_iteration == 9 and summary.last == pytest.approx(0.1)
    model.close()


def test_flush_on_size(store: SQLiteStore) -> None:
    model = OutputModel("run-b", store=store, flush_points=100, flush_seconds=60)
    for i in range(250):
        model.report_scalar("acc", "val", i / 250, i)
    (summary,) = store.scalar_summaries([model.id])[model.id]
    assert summary.count == 200  # two full buffers written, 50 points still buffered
    model.close()
    (summary,) = store.scalar_summaries([model.id])[model.id]
    assert summary.count == 250


def test_flush_on_time(store: SQLiteStore) -> None:
    model = OutputModel("run-c", store=store, flush_points=10_000, flush_seconds=0.2)
    model.report_scalar("loss", "train", 0.5, 0)
    deadline = time.time() + 5
    while time.time() < deadline and not store.scalar_summaries([model.id])[model.id]:
        time.sleep(0.05)
    assert store.scalar_summaries([model.id])[model.id][0].count == 1
    model.close()


def test_batch_single_values_fields_and_resume(store: SQLiteStore) -> None:
    model = OutputModel(
        "run-d", store=store, project="vision", framework="PyTorch", tags=["sweep"],
        config={"lr": 0.001, "layers": [64, 32]}, labels={"cat": 0, "dog": 1},
        metadata={"dataset": "imagenet"}, parent="", status="draft",
    )
    model.report_scalars("loss", "train", np.arange(1000), np.linspace(1, 0, 1000))
    # a resumed run re-reports iterations 900..999 with other values
    model.report_scalars("loss", "train", np.arange(900, 1000), np.full(100, 5.0))
    model.report_single_value("test_acc", 0.9)
    model.update(status="published", comment="best so far")
    model.close()
    (m,) = store.get_models([model.id])
    assert m.status == "published" and m.comment == "best so far" and m.labels == {"cat": 0, "dog": 1}
    assert m.config is not None and m.config.format == "json" and '"lr": 0.001' in m.config.text
    (summary,) = store.scalar_summaries([model.id])[model.id]
    assert summary.count == 1000 and summary.last == 5.0 and summary.max == 5.0
    assert summary.min == pytest.approx(linspace_min := float(np.linspace(1, 0, 1000)[899]))
    assert linspace_min > 0
    assert store.single_values([model.id])[model.id] == {"test_acc": 0.9}


def test_flush_at_interpreter_exit(tmp_path) -> None:
    path = tmp_path / "exit.db"
    code = (
        "from modelcompare_tui.tracking import OutputModel\n"
        f"m = OutputModel('exit-run', store={str(path)!r}, flush_points=10**6, flush_seconds=3600)\n"
        "for i in range(500): m.report_scalar('loss', 'train', float(i), i)\n"
        "print(m.id)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    model_id = out.stdout.strip()
    store = SQLiteStore(path)
    (summary,) = store.scalar_summaries([model_id])[model_id]
    assert summary.count == 500 and summary.last == 499.0
    store.close()


def test_unknown_field_and_bad_status(store: SQLiteStore) -> None:
    model = OutputModel("run-e", store=store)
    with pytest.raises(TypeError):
        model.update(colour="red")
    with pytest.raises(ValueError):
        model.update(status="archived")
    model.close()
