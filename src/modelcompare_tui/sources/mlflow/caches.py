"""What an MLflow source keeps on disk between runs of the app: metric
histories of finished runs, model flavors, model -> run links."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import numpy as np

from ...core.safe_files import atomic_write_bytes, atomic_write_text
from .shapes import History


def default_cache_dir() -> Path:
    env = os.environ.get("MODELCOMPARE_CACHE")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("modelcompare"))


class HistoryCache:
    """Deduped metric histories per (run, key), in memory and on disk.

    A history is valid while its fingerprint (from the backend: the run's latest
    point for the key over REST, the metric file's size and mtime in a file store)
    is unchanged. On disk one file per run holds all its histories and is kept only
    for runs the backend calls persistent (a finished run: its end time is part of
    the file's key), so a second open of finished runs reads no history at all."""

    FORMAT = 1

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._memory: dict[tuple[str, str], tuple[str, History]] = {}
        self._disk_loaded: set[str] = set()
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()

    def _path(self, run_id: str) -> Path | None:
        if self.directory is None:
            return None
        safe = "".join(c for c in run_id if c.isalnum() or c in "-_")[:80] or "run"
        return self.directory / f"{safe}.npz"

    def lookup(self, run_id: str, key: str, fingerprint: str) -> History | None:
        with self._lock:
            hit = self._memory.get((run_id, key))
        if hit is not None and hit[0] == fingerprint:
            return hit[1]
        return None

    def load_run(self, run_id: str, run_key: str) -> None:
        """Bring a run's disk file into memory (once per session)."""
        with self._load_lock:  # a second caller waits for the first one's load
            with self._lock:
                if run_id in self._disk_loaded:
                    return
            self._load_file(run_id, run_key)
            with self._lock:
                self._disk_loaded.add(run_id)

    def _load_file(self, run_id: str, run_key: str) -> None:
        path = self._path(run_id)
        if path is None or not path.is_file():
            return
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                if meta.get("format") != self.FORMAT or meta.get("run_key") != run_key:
                    return
                steps, values, times = data["steps"], data["values"], data["times"]
                offsets = data["offsets"]
        except (OSError, ValueError, KeyError, EOFError):
            return  # a damaged cache file is simply ignored and rewritten later
        with self._lock:
            for i, (key, fingerprint) in enumerate(zip(meta["keys"], meta["fingerprints"])):
                lo, hi = int(offsets[i]), int(offsets[i + 1])
                if (run_id, key) not in self._memory:
                    hist = History(steps[lo:hi], values[lo:hi], times[lo:hi])
                    self._memory[(run_id, key)] = (fingerprint, hist)

    def store(self, run_id: str, key: str, fingerprint: str, history: History) -> None:
        with self._lock:
            self._memory[(run_id, key)] = (fingerprint, history)

    def save_run(self, run_id: str, run_key: str, fingerprints: dict[str, str]) -> None:
        """Write the run's histories whose fingerprints are current to its disk file."""
        path = self._path(run_id)
        if path is None:
            return
        with self._lock:
            items = [
                (key, fp, self._memory[(run_id, key)][1])
                for key, fp in sorted(fingerprints.items())
                if (run_id, key) in self._memory and self._memory[(run_id, key)][0] == fp
            ]
        if not items:
            return
        sizes = [len(h) for _, _, h in items]
        offsets = np.zeros(len(items) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(sizes)
        meta = {
            "format": self.FORMAT,
            "run_key": run_key,
            "keys": [k for k, _, _ in items],
            "fingerprints": [fp for _, fp, _ in items],
        }
        buffer = io.BytesIO()
        np.savez(
            buffer,
            meta=np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
            steps=np.concatenate([h.steps for _, _, h in items]).astype(np.int64),
            values=np.concatenate([h.values for _, _, h in items]).astype(np.float64),
            times=np.concatenate([h.times for _, _, h in items]).astype(np.float64),
            offsets=offsets,
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # an exclusive temp file and a rename: never through a planted symlink
            atomic_write_bytes(path, buffer.getvalue(), fsync=False)
        except OSError:
            pass  # the cache only saves time: an unwritable cache dir must not fail a view


class FlavorCache:
    """Framework (MLmodel flavor) per immutable model artifact, kept on disk."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / "flavors.json" if directory is not None else None
        self._data: dict[str, str] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        if self._data is None:
            self._data = {}
            if self.path is not None:
                try:
                    loaded = json.loads(self.path.read_text("utf-8"))
                    if isinstance(loaded, dict):
                        self._data = {str(k): str(v) for k, v in loaded.items()}
                except (OSError, ValueError):
                    pass
        return self._data

    def get(self, ref: str) -> str | None:
        with self._lock:
            return self._load().get(ref)

    def update(self, found: dict[str, str]) -> None:
        if not found:
            return
        with self._lock:
            data = self._load()
            data.update(found)
            if self.path is None:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(self.path, json.dumps(data, sort_keys=True), fsync=False)
            except OSError:
                pass


class RunMap:
    """model id -> (run id, experiment id), kept on disk. The run a version or a
    logged model comes from never changes, so a second open finds the runs of the
    compared models without reading the models list."""

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / "models.json" if directory is not None else None
        self._data: dict[str, tuple[str, str]] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, tuple[str, str]]:
        if self._data is None:
            self._data = {}
            if self.path is not None:
                try:
                    loaded = json.loads(self.path.read_text("utf-8"))
                    self._data = {str(k): (str(v[0]), str(v[1])) for k, v in loaded.items()}
                except (OSError, ValueError, TypeError, IndexError, AttributeError):
                    pass
        return self._data

    def get(self, model_id: str) -> tuple[str, str] | None:
        with self._lock:
            return self._load().get(model_id)

    def update(self, found: dict[str, tuple[str, str]]) -> None:
        with self._lock:
            data = self._load()
            changed = {k: v for k, v in found.items() if data.get(k) != v}
            if not changed:
                return
            data.update(changed)
            if self.path is None:
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(self.path, json.dumps({k: list(v) for k, v in data.items()}, sort_keys=True),
                                  fsync=False)
            except OSError:
                pass
