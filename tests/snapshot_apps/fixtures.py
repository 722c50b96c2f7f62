"""Deterministic model stores for the app tests (independent of the demo
generator, so that its changes do not move these snapshots)."""

from __future__ import annotations

import random
from pathlib import Path

from modelcompare_tui.core.model import Config, MetadataItem, Model, ModelRecord
from modelcompare_tui.sources.store import SQLiteStore

PROJECTS = ("vision", "nlp", "speech", "recsys")
FRAMEWORKS = ("PyTorch", "TensorFlow", "JAX", "scikit-learn")
USERS = ("alice", "bob", "chen", "dana")
ARCHS = ("resnet50", "vit-b16", "bert-base", "whisper-s", "dlrm", "efficientnet", "t5-small", "conformer")
TAGS = ("baseline", "sweep", "fp16", "distilled", "prod", "ablation")


def make_models(n: int, seed: int = 0) -> list[Model]:
    """`n` models with fixed ids, names, dates (2026-01/02) and varied columns."""
    rng = random.Random(seed)
    models = []
    for i in range(n):
        arch = ARCHS[i % len(ARCHS)]
        day = 1 + (i * 7) % 28
        month = 1 + (i // 28) % 2
        hour = (i * 5) % 24
        created = f"2026-{month:02d}-{day:02d}T{hour:02d}:{(i * 13) % 60:02d}:00Z"
        updated = f"2026-{month:02d}-{day:02d}T{(hour + 3) % 24:02d}:{(i * 17) % 60:02d}:00Z"
        models.append(
            Model(
                id=f"m-{i:032x}",
                name=f"{arch}-run{i:03d}",
                project=PROJECTS[i % len(PROJECTS)],
                framework=FRAMEWORKS[(i // 2) % len(FRAMEWORKS)],
                status="published" if i % 3 == 0 else "draft",
                tags=sorted(rng.sample(TAGS, k=1 + i % 3)),
                user=USERS[(i // 3) % len(USERS)],
                created=created,
                updated=updated,
                comment=f"run {i}",
                labels={"cat": 0, "dog": 1},
                metadata=[MetadataItem("epochs", "int", str(10 + i))],
                config=Config("json", f'{{"lr": {0.001 * (1 + i % 5)}, "batch": {32 * (1 + i % 4)}}}'),
            )
        )
    return models


def build_store(path: Path | str, n: int = 30, seed: int = 0) -> SQLiteStore:
    store = SQLiteStore(path)
    store.import_records([ModelRecord(m) for m in make_models(n, seed)])
    return store


def build_big_store(path: Path | str, n: int, batch: int = 5000) -> SQLiteStore:
    """A store of `n` light models (for the benchmarks), written in batches."""
    store = SQLiteStore(path)
    for start in range(0, n, batch):
        chunk = []
        for i in range(start, min(n, start + batch)):
            arch = ARCHS[i % len(ARCHS)]
            chunk.append(
                ModelRecord(
                    Model(
                        id=f"b-{i:032x}",
                        name=f"{arch}-sweep{i:06d}",
                        project=PROJECTS[i % len(PROJECTS)],
                        framework=FRAMEWORKS[(i // 2) % len(FRAMEWORKS)],
                        status="published" if i % 3 == 0 else "draft",
                        tags=[TAGS[i % len(TAGS)], TAGS[(i // 7) % len(TAGS)]],
                        user=USERS[(i // 3) % len(USERS)],
                        created=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
                        updated=f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
                    )
                )
            )
        store.import_records(chunk)
    return store
