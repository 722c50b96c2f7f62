"""SQLiteStore: the embedded store's parts (see the package docstring) as one Source."""

from __future__ import annotations

from collections.abc import Sequence

from ...core.model import ModelRecord, ScalarSeries
from ..base import Source, SourceError
from .queries import ModelQueries, _plot_from_row
from .series import SeriesReads, read_points
from .writes import StoreWrites


class SQLiteStore(ModelQueries, SeriesReads, StoreWrites, Source):
    """`create`: make the store (and its folders) when `path` does not exist;
    otherwise a missing path is `no store at PATH`. A store whose file, folder or
    file system is not writable opens read-only (`read_only` is then True: reads
    work, every write raises ReadOnlySourceError); `read_only=True` asks for that."""

    read_only = False

    # -- whole records ----------------------------------------------------------------
    def export_records(self, ids: Sequence[str]) -> list[ModelRecord]:
        records = []
        with self._reading() as conn:
            models = self.get_models(ids)
            known = {m.id for m in models}
            missing = [i for i in ids if i not in known]
            if missing:
                raise SourceError(f"unknown model {missing[0]!r}")
            for m in models:
                m.children = []  # derived, never exported
                rowid = conn.execute("SELECT rowid FROM models WHERE id=?", (m.id,)).fetchone()[0]
                scalars = []
                for sid, metric, variant in conn.execute(
                    "SELECT sid, metric, variant FROM series WHERE model=? ORDER BY metric, variant", (rowid,)
                ).fetchall():
                    it, v, ts = read_points(conn, sid)
                    scalars.append(ScalarSeries(metric, variant, it, v, ts))
                singles = {
                    k: (float("nan") if v is None else v)
                    for k, v in conn.execute(
                        "SELECT name, value FROM single_values WHERE model=? ORDER BY name", (rowid,)
                    )
                }
                plots = [
                    _plot_from_row(*r)
                    for r in conn.execute(
                        "SELECT metric, variant, iteration, kind, data, ts FROM plots WHERE model=? "
                        "ORDER BY metric, variant, iteration",
                        (rowid,),
                    )
                ]
                records.append(ModelRecord(m, scalars, singles, plots))
        return records

    # -- maintenance -------------------------------------------------------------------
    def stats(self) -> dict[str, int]:
        with self._reading() as conn:
            out = {
                "models": conn.execute("SELECT count(*) FROM models").fetchone()[0],
                "series": conn.execute("SELECT count(*) FROM series").fetchone()[0],
                "points": conn.execute("SELECT coalesce(sum(count), 0) FROM series").fetchone()[0],
            }
        wal = self.path.with_name(self.path.name + "-wal")
        out["bytes"] = self.path.stat().st_size if self.path.exists() else 0
        out["wal_bytes"] = wal.stat().st_size if wal.exists() else 0
        return out
