"""The shared source logic, part one: the catalog of listed models, resolving
ids to entries and runs, and reading histories through the cache."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ...core.model import ModelRow
from ..base import SourceError
from .backend import MlflowBackend, parallel_map
from .caches import FlavorCache, HistoryCache, RunMap, default_cache_dir
from .mapping import (
    FRAMEWORK_TAG,
    PARENT_TAG,
    PROMPT_TAG,
    _artifact_ref,
    flavor_from_log_model_history,
    flavor_from_mlmodel,
    iso_ms,
    model_id_from_reference,
    parse_model_id,
    user_tags,
    version_model_id,
)
from .shapes import (
    EMPTY_HISTORY,
    ArtifactRef,
    Catalog,
    History,
    LoggedModelData,
    RunData,
    VersionData,
    normalize_history,
)
from .table import Entry

# How long listed entities and run facts are trusted before they are read again.
CATALOG_TTL_S = 30.0
RUN_TTL_S = 2.0  # runs still in progress change all the time
FINISHED_RUN_TTL_S = 30.0


class MlflowCatalog:
    """What MlflowSource's answers are built on: the listed entries, runs and histories."""

    def __init__(
        self,
        backend: MlflowBackend,
        *,
        cache_dir: Path | bool | None = None,
        flavor_fetch_limit: int = 100,
    ) -> None:
        self.backend = backend
        self.uri = backend.uri
        if cache_dir is False:
            base = None
        else:
            base = (default_cache_dir() if cache_dir is None or cache_dir is True else Path(cache_dir)) / "mlflow"
            base = base / backend.cache_namespace()
        self.histories = HistoryCache(base)
        self.flavors = FlavorCache(base)
        self.run_map = RunMap(base)
        self.flavor_fetch_limit = flavor_fetch_limit
        self._lock = threading.RLock()
        self._catalog: Catalog | None = None
        self._entries: dict[str, Entry] = {}
        self._catalog_at = 0.0
        self._runs: dict[str, tuple[float, RunData]] = {}
        self._touched_runs: dict[str, None] = {}
        self._token: str | None = None

    # -- catalog -------------------------------------------------------------

    def _load_catalog(self) -> dict[str, Entry]:
        with self._lock:
            if self._catalog is not None and time.monotonic() - self._catalog_at < CATALOG_TTL_S:
                return self._entries
        catalog = self.backend.catalog()
        entries = self._build_entries(catalog)
        now = time.monotonic()
        with self._lock:
            self._catalog = catalog
            self._entries = entries
            self._catalog_at = now
            for run in catalog.runs.values():
                self._runs[run.run_id] = (now, run)
        self.run_map.update(
            {
                e.id: (e.run_id, catalog.runs[e.run_id].experiment_id if e.run_id in catalog.runs else "")
                for e in entries.values()
            }
        )
        return entries

    def invalidate(self) -> None:
        """Forget listed entities and run facts (histories stay: they are fingerprinted)."""
        with self._lock:
            self._catalog = None
            self._runs.clear()

    def _framework(
        self,
        version: VersionData | None,
        logged: LoggedModelData | None,
        run: RunData | None,
        fetch: dict[str, ArtifactRef],
    ) -> str:
        for tags in (
            version.tags if version else {},
            logged.tags if logged else {},
            run.tags if run else {},
        ):
            if tags.get(FRAMEWORK_TAG):
                return tags[FRAMEWORK_TAG]
        ref = _artifact_ref(version, logged)
        if ref is not None:
            known = self.flavors.get(ref.key())
            if known is not None:
                if known:
                    return known
            else:
                fetch[ref.key()] = ref
        return flavor_from_log_model_history(run.tags) if run else ""

    def _fetch_flavors(self, refs: dict[str, ArtifactRef], final: set[str]) -> dict[str, str]:
        """Read the MLmodel of up to `flavor_fetch_limit` artifacts (first listed first)."""
        todo = list(refs.items())[: self.flavor_fetch_limit]

        def read(ref: ArtifactRef) -> tuple[bool, str | None]:
            try:
                return True, self.backend.read_mlmodel(ref)
            except SourceError:
                return False, None  # the framework is optional: the list still opens

        found: dict[str, str] = {}
        answered: set[str] = set()
        for (key, _), (ok, text) in zip(todo, parallel_map(lambda item: read(item[1]), todo, 8)):
            found[key] = flavor_from_mlmodel(text) if text else ""
            if ok:
                answered.add(key)
        # only finished models are immutable: pending ones (and failed reads) are asked again
        self.flavors.update({k: v for k, v in found.items() if k in final and k in answered})
        return found

    def _build_entries(self, catalog: Catalog) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        registered_models: set[str] = set()
        pending_flavors: dict[str, ArtifactRef] = {}
        final_refs: set[str] = set()
        drafts: list[tuple[Entry, VersionData | None, LoggedModelData | None, RunData | None]] = []

        for version in catalog.versions:
            reg = catalog.registered.get(version.name)
            if version.tags.get(PROMPT_TAG) == "true" or (reg and reg.tags.get(PROMPT_TAG) == "true"):
                continue
            if reg is not None and not version.aliases:
                version.aliases = sorted(a for a, v in reg.aliases.items() if v == version.version)
            run = catalog.runs.get(version.run_id)
            entry = self._entry_for_version(version, run, catalog)
            entries[entry.id] = entry
            drafts.append((entry, version, None, run))
            ref = _artifact_ref(version, None)
            if ref is not None:
                if version.status in ("READY", ""):
                    final_refs.add(ref.key())
                if ref.kind == "logged":
                    registered_models.add(ref.owner)
        for logged in catalog.logged:
            run = catalog.runs.get(logged.source_run_id)
            registered = logged.model_id in registered_models or bool(
                logged.tags.get("mlflow.modelVersions", "").strip("[] ")
            )
            entry = self._entry_for_logged(logged, run, catalog, registered)
            entries[entry.id] = entry
            drafts.append((entry, None, logged, run))
            if logged.status in ("READY", "FAILED"):
                final_refs.add(ArtifactRef("logged", logged.model_id).key())

        # frameworks: tags first, then MLmodel flavors (cached; newest models fetched first)
        drafts.sort(key=lambda d: d[0].row.updated, reverse=True)
        frameworks = {
            entry.id: self._framework(version, logged, run, pending_flavors)
            for entry, version, logged, run in drafts
        }
        fetched = self._fetch_flavors(pending_flavors, final_refs) if pending_flavors else {}
        for entry, draft_version, draft_logged, _run in drafts:
            framework = frameworks[entry.id]
            if not framework:
                ref = _artifact_ref(draft_version, draft_logged)
                if ref is not None and fetched.get(ref.key()):
                    framework = fetched[ref.key()]
            if framework != entry.row.framework:
                entry.row = replace(entry.row, framework=framework)
        return entries

    def _entry_for_version(self, version: VersionData, run: RunData | None, catalog: Catalog) -> Entry:
        model_id = version_model_id(version.name, version.version)
        experiment = catalog.experiments.get(run.experiment_id) if run else None
        tags = [f"@{alias}" for alias in version.aliases]
        if version.stage and version.stage != "None":
            tags.append(f"stage:{version.stage}")
        tags += user_tags(version.tags)
        parent = version.tags.get(PARENT_TAG) or (run.tags.get(PARENT_TAG, "") if run else "")
        row = ModelRow(
            id=model_id,
            name=f"{version.name} v{version.version}",
            project=experiment.name if experiment else (run.experiment_id if run else ""),
            framework="",
            status="published",
            tags=tuple(tags),
            user=version.user_id or (run.user if run else ""),
            created=iso_ms(version.created),
            updated=iso_ms(version.updated or version.created),
        )
        return Entry(
            id=model_id,
            kind="version",
            row=row,
            run_id=version.run_id,
            parent=model_id_from_reference(parent, catalog.registered) if parent else "",
            version=version,
        )

    def _entry_for_logged(
        self, logged: LoggedModelData, run: RunData | None, catalog: Catalog, registered: bool
    ) -> Entry:
        experiment = catalog.experiments.get(logged.experiment_id)
        parent = logged.tags.get(PARENT_TAG) or (run.tags.get(PARENT_TAG, "") if run else "")
        row = ModelRow(
            id=logged.model_id,
            name=logged.name or logged.model_id,
            project=experiment.name if experiment else logged.experiment_id,
            framework="",
            status="published" if registered else "draft",
            tags=tuple(user_tags(logged.tags)),
            user=logged.tags.get("mlflow.user", "") or (run.user if run else ""),
            created=iso_ms(logged.created),
            updated=iso_ms(logged.updated or logged.created),
        )
        return Entry(
            id=logged.model_id,
            kind="logged",
            row=row,
            run_id=logged.source_run_id,
            parent=model_id_from_reference(parent, catalog.registered) if parent else "",
            logged=logged,
            listed=not registered,
        )

    def _resolve(self, ids: Sequence[str]) -> dict[str, Entry]:
        """Entries for ids, from the catalog, else read directly (a model listed
        after the catalog was read, or one reached only by its id)."""
        entries = self._load_catalog()
        found = {i: entries[i] for i in ids if i in entries}
        missing = [i for i in dict.fromkeys(ids) if i not in found and parse_model_id(i)]
        if not missing:
            return found
        with self._lock:
            catalog = self._catalog or Catalog()

        def fetch(model_id: str) -> Entry | None:
            parsed = parse_model_id(model_id)
            assert parsed is not None
            kind, name, version = parsed
            if kind == "version":
                got = self.backend.version(name, version)
                if got is None:
                    return None
                ver, reg = got
                if not ver.aliases:
                    ver.aliases = sorted(a for a, v in reg.aliases.items() if v == ver.version)
                run = self._get_runs([ver.run_id]).get(ver.run_id) if ver.run_id else None
                local = replace(catalog, registered={**catalog.registered, reg.name: reg})
                self._ensure_experiment(run, catalog)
                entry = self._entry_for_version(ver, run, local)
                entry.row = replace(entry.row, framework=self._framework(ver, None, run, {}))
                return entry
            logged = self.backend.logged_model(name)
            if logged is None:
                return None
            run = self._get_runs([logged.source_run_id]).get(logged.source_run_id) if logged.source_run_id else None
            if logged.experiment_id not in catalog.experiments:
                exp = self.backend.experiment(logged.experiment_id)
                if exp is not None:
                    catalog.experiments[exp.experiment_id] = exp
            registered = bool(logged.tags.get("mlflow.modelVersions", "").strip("[] "))
            entry = self._entry_for_logged(logged, run, catalog, registered)
            entry.row = replace(entry.row, framework=self._framework(None, logged, run, {}))
            return entry

        for model_id, entry in zip(missing, parallel_map(fetch, missing, 8)):
            if entry is not None:
                found[model_id] = entry
        return found

    def _ensure_experiment(self, run: RunData | None, catalog: Catalog) -> None:
        if run is not None and run.experiment_id not in catalog.experiments:
            exp = self.backend.experiment(run.experiment_id)
            if exp is not None:
                catalog.experiments[exp.experiment_id] = exp

    # -- runs ----------------------------------------------------------------

    def _get_runs(self, run_ids: Iterable[str], experiments: dict[str, str] | None = None) -> dict[str, RunData]:
        wanted = [r for r in dict.fromkeys(run_ids) if r]
        now = time.monotonic()
        out: dict[str, RunData] = {}
        stale: list[str] = []
        with self._lock:
            for run_id in wanted:
                self._touched_runs[run_id] = None
                hit = self._runs.get(run_id)
                ttl = FINISHED_RUN_TTL_S if hit and hit[1].terminated else RUN_TTL_S
                if hit is not None and now - hit[0] < ttl:
                    out[run_id] = hit[1]
                else:
                    stale.append(run_id)
        if stale:
            fresh = self.backend.runs(stale, experiments)
            now = time.monotonic()
            with self._lock:
                for run_id, run in fresh.items():
                    self._runs[run_id] = (now, run)
            out.update(fresh)
        return out

    # -- histories -----------------------------------------------------------

    @staticmethod
    def _run_key(run: RunData) -> str:
        return f"{run.status}|{run.end_time}"

    def _histories(self, pairs: dict[str, list[str]], runs: dict[str, RunData]) -> dict[tuple[str, str], History]:
        """{run id: [keys]} -> deduped histories, read through the cache."""
        out: dict[tuple[str, str], History] = {}
        missing: dict[str, list[str]] = {}
        fingerprints: dict[str, dict[str, str]] = {}
        for run_id, keys in pairs.items():
            run = runs[run_id]
            fps = self.backend.fingerprints(run)
            fingerprints[run_id] = fps
            if self.backend.persistent(run):
                self.histories.load_run(run_id, self._run_key(run))
            for key in keys:
                fp = fps.get(key)
                hist = self.histories.lookup(run_id, key, fp) if fp is not None else None
                if hist is not None:
                    out[(run_id, key)] = hist
                else:
                    missing.setdefault(key, []).append(run_id)
        if missing:
            raw = self.backend.histories(missing, runs)
            touched: set[str] = set()
            for key, run_ids in missing.items():
                for run_id in run_ids:
                    got = raw.get((run_id, key))
                    hist = normalize_history(got) if got is not None else EMPTY_HISTORY
                    out[(run_id, key)] = hist
                    fp = fingerprints[run_id].get(key)
                    if fp is not None:
                        self.histories.store(run_id, key, fp, hist)
                        touched.add(run_id)
            for run_id in touched:
                run = runs[run_id]
                if self.backend.persistent(run):
                    self.histories.save_run(run_id, self._run_key(run), fingerprints[run_id])
        return out

    def _model_run_ids(self, ids: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
        """model id -> run id ("" for a model without a run) and run id -> experiment
        id where known; unknown models are left out. The models list is read only
        for ids neither it nor the run map knows."""
        with self._lock:
            entries = self._entries  # any age: the run of a model never changes
        run_of: dict[str, str] = {}
        experiments: dict[str, str] = {}
        unknown: list[str] = []
        for model_id in dict.fromkeys(ids):
            entry = entries.get(model_id)
            hit = self.run_map.get(model_id)
            if entry is not None:
                hit = (entry.run_id, hit[1] if hit and hit[0] == entry.run_id else "")
            if hit is None:
                unknown.append(model_id)
                continue
            run_of[model_id] = hit[0]
            if hit[0] and hit[1]:
                experiments[hit[0]] = hit[1]
        unknown = [i for i in unknown if parse_model_id(i)]
        if unknown:
            # one light request per model: cheaper than reading the whole models list
            found: dict[str, tuple[str, str]] = {}
            for model_id, hit in zip(unknown, parallel_map(self.backend.model_run, unknown, 8)):
                if hit is not None:
                    found[model_id] = hit
                    run_of[model_id] = hit[0]
                    if hit[0] and hit[1]:
                        experiments[hit[0]] = hit[1]
            runs = self._get_runs((r for r, _ in found.values() if r), experiments)
            self.run_map.update(
                {i: (r, runs[r].experiment_id if r in runs else e) for i, (r, e) in found.items()}
            )
        return run_of, experiments

    def _model_runs(self, ids: Sequence[str]) -> tuple[dict[str, str], dict[str, RunData]]:
        run_of, experiments = self._model_run_ids(ids)
        runs = self._get_runs((r for r in run_of.values() if r), experiments)
        return run_of, runs
