"""The shared source logic, part two: the Source interface over an MLflow backend."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...core.downsample import downsample_indices, summarize
from ...core.model import (
    MetadataItem,
    Model,
    ModelPage,
    ModelQuery,
    ModelRecord,
    Plot,
    ScalarSeries,
    ScalarSummary,
    SeriesData,
)
from ..base import Source, SourceError
from .catalog import MlflowCatalog
from .mapping import HIDDEN_RUN_TAGS, iso_ms, params_config, series_keys
from .shapes import EMPTY_HISTORY, Catalog, History, RunData
from .table import Entry, distinct_counts, query_rows


class MlflowSource(MlflowCatalog, Source):
    """The Source interface over an MLflow backend (read-only).

    `cache_dir`: where histories, flavors and model->run links are kept (a
    folder per source URI below `<cache_dir>/mlflow/`); None = MODELCOMPARE_CACHE
    or the user cache dir (platformdirs), False = memory only."""

    read_only = True

    # -- Source: models table ----------------------------------------------------

    def list_models(self, query: ModelQuery) -> ModelPage:
        entries = self._load_catalog()
        rows = [e.row for e in entries.values() if e.listed]
        pinned_extra = [entries[i].row for i in query.pinned if i in entries and not entries[i].listed]
        return query_rows(rows + pinned_extra, query)

    def distinct_values(self, column: str, limit: int = 500) -> list[tuple[str, int]]:
        entries = self._load_catalog()
        return distinct_counts([e.row for e in entries.values() if e.listed], column, limit)

    # -- Source: details -----------------------------------------------------

    def get_models(self, ids: Sequence[str]) -> list[Model]:
        entries = self._resolve(ids)
        runs = self._get_runs(e.run_id for e in entries.values() if e.run_id)
        with self._lock:
            catalog = self._catalog or Catalog()
            all_entries = dict(self._entries)
        for loaded_run in runs.values():
            self._ensure_experiment(loaded_run, catalog)
        children: dict[str, list[str]] = {}
        for known_entry in all_entries.values():
            if known_entry.parent and known_entry.listed:
                children.setdefault(known_entry.parent, []).append(known_entry.id)
        out = []
        for model_id in ids:
            entry = entries.get(model_id)
            if entry is None:
                continue
            run = runs.get(entry.run_id)
            out.append(self._model(entry, run, catalog, sorted(children.get(entry.id, []))))
        return out

    def _model(self, entry: Entry, run: RunData | None, catalog: Catalog, children: list[str]) -> Model:
        row = entry.row
        meta: list[MetadataItem] = []
        params: dict[str, str] = dict(run.params) if run else {}
        uri = ""
        comment = ""
        if entry.version is not None:
            ver = entry.version
            reg = catalog.registered.get(ver.name)
            meta.append(MetadataItem("registered_model", "mlflow", ver.name))
            meta.append(MetadataItem("version", "mlflow", ver.version))
            if ver.stage and ver.stage != "None":
                meta.append(MetadataItem("stage", "mlflow", ver.stage))
            if ver.aliases:
                meta.append(MetadataItem("aliases", "mlflow", ", ".join(ver.aliases)))
            if ver.status:
                meta.append(MetadataItem("mlflow_status", "mlflow", ver.status))
            if ver.model_id:
                meta.append(MetadataItem("logged_model", "mlflow", ver.model_id))
            if reg is not None and reg.description:
                meta.append(MetadataItem("registered_model_description", "mlflow", reg.description))
            meta += [MetadataItem(f"tag:{k}", "version tag", ver.tags[k]) for k in sorted(ver.tags)]
            uri = ver.source
            comment = ver.description
        if entry.logged is not None:
            lm = entry.logged
            meta.append(MetadataItem("logged_model", "mlflow", lm.model_id))
            meta.append(MetadataItem("logged_model_name", "mlflow", lm.name))
            if lm.status:
                meta.append(MetadataItem("mlflow_status", "mlflow", lm.status))
            if lm.model_type:
                meta.append(MetadataItem("model_type", "mlflow", lm.model_type))
            meta += [MetadataItem(f"tag:{k}", "model tag", lm.tags[k]) for k in sorted(lm.tags)]
            params.update(lm.params)
            uri = lm.artifact_uri
            comment = lm.tags.get("mlflow.note.content", "")
        if run is not None:
            experiment = catalog.experiments.get(run.experiment_id)
            meta.append(MetadataItem("experiment", "lineage", experiment.name if experiment else ""))
            meta.append(MetadataItem("experiment_id", "lineage", run.experiment_id))
            meta.append(MetadataItem("run_status", "lineage", run.status))
            if run.start_time:
                meta.append(MetadataItem("run_start", "lineage", iso_ms(run.start_time)))
            if run.end_time:
                meta.append(MetadataItem("run_end", "lineage", iso_ms(run.end_time)))
            meta += [
                MetadataItem(f"run_tag:{k}", "run tag", run.tags[k])
                for k in sorted(run.tags)
                if k not in HIDDEN_RUN_TAGS
            ]
        return Model(
            id=entry.id,
            name=row.name,
            project=row.project,
            framework=row.framework,
            status=row.status,
            tags=list(row.tags),
            user=row.user,
            created=row.created,
            updated=row.updated,
            comment=comment,
            uri=uri,
            task_id=entry.run_id,
            task_name=run.name if run else "",
            parent=entry.parent,
            children=children,
            labels={},
            metadata=meta,
            config=params_config(params),
        )

    # -- Source: scalars -----------------------------------------------------

    def _run_histories(
        self, ids: Sequence[str]
    ) -> tuple[dict[str, str], dict[str, RunData], dict[tuple[str, str], History]]:
        run_of, runs = self._model_runs(ids)
        pairs = {run_id: list(run.metric_keys) for run_id, run in runs.items()}
        return run_of, runs, self._histories(pairs, runs)

    def scalar_summaries(self, ids: Sequence[str]) -> dict[str, list[ScalarSummary]]:
        run_of, runs, hists = self._run_histories(ids)
        out: dict[str, list[ScalarSummary]] = {}
        for model_id in ids:
            if model_id not in run_of or model_id in out:
                continue
            run = runs.get(run_of[model_id])
            summaries: list[ScalarSummary] = []
            if run is not None:
                for (metric, variant), key in series_keys(run.metric_keys).items():
                    hist = hists.get((run.run_id, key), EMPTY_HISTORY)
                    if len(hist) < 2:
                        continue  # logged at one step: a single value
                    summary = summarize(metric, variant, hist.steps, hist.values, hist.times)
                    if summary is not None:
                        summaries.append(summary)
            summaries.sort(key=lambda s: (s.metric, s.variant))
            out[model_id] = summaries
        return out

    def series(
        self,
        model_id: str,
        metric: str,
        variant: str,
        *,
        start: float | None = None,
        end: float | None = None,
        by: str = "iteration",
        buckets: int = 400,
    ) -> SeriesData:
        if by not in ("iteration", "time"):
            raise SourceError(f"unknown series axis {by!r} (expected iteration or time)")
        empty = SeriesData(metric, variant, EMPTY_HISTORY.steps, EMPTY_HISTORY.values, EMPTY_HISTORY.times, 0, False)
        run_of, runs = self._model_runs([model_id])
        run = runs.get(run_of.get(model_id, ""))
        if run is None:
            return empty
        key = series_keys(run.metric_keys).get((metric, variant))
        if key is None:
            return empty
        hist = self._histories({run.run_id: [key]}, {run.run_id: run}).get((run.run_id, key), EMPTY_HISTORY)
        steps, values, times = hist.steps, hist.values, hist.times
        if by == "time" and steps.shape[0] > 1 and not bool(np.all(times[1:] >= times[:-1])):
            order = np.argsort(times, kind="stable")
            steps, values, times = steps[order], values[order], times[order]
        x = steps if by == "iteration" else times
        mask = np.ones(x.shape[0], dtype=bool)
        if start is not None:
            mask &= x >= start
        if end is not None:
            mask &= x <= end
        if not mask.all():
            steps, values, times, x = steps[mask], values[mask], times[mask], x[mask]
        total = int(steps.shape[0])
        keep = downsample_indices(x, values, buckets)
        downsampled = int(keep.shape[0]) < total
        if downsampled:
            steps, values, times = steps[keep], values[keep], times[keep]
        return SeriesData(metric, variant, steps, values, times, total, downsampled)

    def single_values(self, ids: Sequence[str]) -> dict[str, dict[str, float]]:
        run_of, runs = self._model_runs(ids)
        known: dict[tuple[str, str], float | None] = {}
        unknown: dict[str, list[str]] = {}
        for run_id, run in runs.items():
            fps = self.backend.fingerprints(run)
            if self.backend.persistent(run):
                self.histories.load_run(run_id, self._run_key(run))
            for key in run.metric_keys:
                fp = fps.get(key)
                hist = self.histories.lookup(run_id, key, fp) if fp is not None else None
                if hist is not None:
                    known[(run_id, key)] = float(hist.values[0]) if len(hist) == 1 else None
                else:
                    unknown.setdefault(key, []).append(run_id)
        if unknown:
            known.update(self.backend.single_step_keys(unknown, runs))
        out: dict[str, dict[str, float]] = {}
        for model_id in ids:
            if model_id not in run_of:
                continue
            model_run = runs.get(run_of[model_id])
            values: dict[str, float] = {}
            if model_run is not None:
                for key in sorted(model_run.metric_keys):
                    value = known.get((model_run.run_id, key))
                    if value is not None:
                        values[key] = value
            out[model_id] = values
        return out

    # -- Source: plots (MLflow has none that map to modelcompare's plot kinds) --

    def plots(self, ids: Sequence[str], iteration: int | None = None) -> dict[str, list[Plot]]:
        run_of, _ = self._model_run_ids(ids)
        return {model_id: [] for model_id in ids if model_id in run_of}

    def plot_iterations(self, ids: Sequence[str]) -> list[int]:
        return []

    # -- Source: live --------------------------------------------------------

    def change_token(self) -> str:
        with self._lock:
            touched = list(self._touched_runs)[-100:]
        token = self.backend.change_token(touched)
        with self._lock:
            if self._token is not None and token != self._token:
                self._catalog = None
                self._runs.clear()
            self._token = token
        return token

    # -- Source: whole records -----------------------------------------------

    def export_records(self, ids: Sequence[str]) -> list[ModelRecord]:
        models = self.get_models(ids)
        _, runs, hists = self._run_histories([m.id for m in models])
        singles = self.single_values([m.id for m in models])
        records = []
        for model in models:
            run = runs.get(model.task_id)
            scalars = []
            if run is not None:
                for (metric, variant), key in series_keys(run.metric_keys).items():
                    hist = hists.get((run.run_id, key), EMPTY_HISTORY)
                    if len(hist) >= 2:
                        scalars.append(ScalarSeries(metric, variant, hist.steps, hist.values, hist.times))
            scalars.sort(key=lambda s: (s.metric, s.variant))
            records.append(ModelRecord(model=model, scalars=scalars, single_values=singles.get(model.id, {})))
        return records

    def close(self) -> None:
        self.backend.close()
