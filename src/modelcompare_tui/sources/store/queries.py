"""Model queries: the models table (filters, search, sort, paging, counts),
distinct values, full details, and plots."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from ...core.model import MODEL_COLUMNS, Config, MetadataItem, Model, ModelPage, ModelQuery, ModelRow, Plot
from ..base import SourceError
from .connection import StoreConnection
from .errors import _Damage
from .schema import _MODEL_FIELDS, TAG_SEP

_NON_ASCII_GLOB = "*[^\x01-\x7f]*"
TRIGRAM = 3  # the shortest search the index answers; shorter ones scan
COUNTS_KEPT = 16  # list_models totals remembered (until the next write)


def _fts_phrase(needle: str) -> str:
    """An FTS5 query matching `needle` verbatim (a quoted phrase of its trigrams)."""
    return '"' + needle.replace('"', '""') + '"'


def _search_clause(needle: str, from_index: bool) -> tuple[str, list[Any]]:
    """A WHERE clause (on `models m`) for a lowered search, and its parameters: the
    index's set of matches, or an instr() check of each model."""
    if from_index:
        return "m.rowid IN (SELECT rowid FROM models_search WHERE models_search MATCH ?)", [_fts_phrase(needle)]
    return "instr(m.search_text, ?) > 0", [needle]


def _plot_from_row(metric: Any, variant: Any, iteration: Any, kind: Any, data: Any, ts: Any) -> Plot:
    """A stored plot, checked as an import checks one: a view must be able to draw
    whatever the store hands out."""
    from ...core.model import PLOT_KINDS
    from ...core.modelfile import check_plot_data

    where = f"plot {metric!r}/{variant!r}"
    if type(metric) is not str or type(variant) is not str or type(iteration) is not int or kind not in PLOT_KINDS:
        raise _Damage(f"{where}: its row is not a plot")
    if not (ts is None or type(ts) in (int, float)) or type(data) is not str:
        raise _Damage(f"{where}: its row is not a plot")
    try:
        parsed = json.loads(data)
    except ValueError:
        raise _Damage(f"{where} at iteration {iteration}: its data is not valid JSON") from None
    try:
        check_plot_data(kind, parsed)  # the data is handed out as stored
    except ValueError as exc:
        raise _Damage(f"{where} at iteration {iteration}: {exc}") from None
    return Plot(metric, variant, iteration, kind, parsed, ts)


class ModelQueries(StoreConnection):
    """What the models table, the details and the plots ask of the store."""

    # -- models table -------------------------------------------------------------
    @staticmethod
    def _check_column(column: str) -> None:
        if column not in MODEL_COLUMNS:
            raise SourceError(f"unknown column {column!r} (columns: {', '.join(MODEL_COLUMNS)})")

    def _where(self, query: ModelQuery) -> tuple[str, list[Any]]:
        """The filters, ranges and text filters (not the search: see list_models)."""
        clauses: list[str] = []
        params: list[Any] = []
        for column, values in query.filters:
            self._check_column(column)
            if not values:
                continue
            marks = ",".join("?" * len(values))
            if column == "tags":
                # driven by the (tag, model) index: only the tagged models are visited
                clauses.append(f"m.rowid IN (SELECT model FROM model_tags WHERE tag IN ({marks}))")
            else:
                clauses.append(f"m.{column} IN ({marks})")
            params.extend(values)
        for column, low, high in query.ranges:
            self._check_column(column)
            if low:
                clauses.append(f"m.{column} >= ?")
                params.append(low)
            if high:
                # an inclusive upper bound: "2026-01-31" includes that whole day
                clauses.append(f"m.{column} <= ?")
                params.append(high + "\U0010ffff")
        for column, text in query.text_filters:
            self._check_column(column)
            if text:
                # SQLite's lower() folds ASCII only: values with other characters are
                # lowered by Python (as the query is), the rest by the faster built-in
                clauses.append(
                    f"(CASE WHEN m.{column} GLOB ? THEN instr(py_lower(m.{column}), ?) "
                    f"ELSE instr(lower(m.{column}), ?) END) > 0"
                )
                params.extend((_NON_ASCII_GLOB, text.lower(), text.lower()))
        return (" AND ".join(clauses) if clauses else "1"), params

    _ROW_COLUMNS = "m.id, m.name, m.project, m.framework, m.status, m.tags, m.user, m.created, m.updated"

    @staticmethod
    def _row(r: Sequence[Any]) -> ModelRow:
        for value in r:
            if type(value) is not str:
                raise _Damage(f"a models row holds {type(value).__name__} where text belongs")
        model_id, name, project, framework, status, tag_text, user, created, updated = r
        tags = tuple(t for t in tag_text.split(TAG_SEP) if t) if tag_text else ()
        return ModelRow(model_id, name, project, framework, status, tags, user, created, updated)

    def list_models(self, query: ModelQuery) -> ModelPage:
        """Filters AND together; `name` sorts case-insensitively (ASCII), other columns
        by code point; ties in the order rows were created (reversed when descending).
        Pinned ids come first whatever the filters, and count in `total`.

        The search is a substring of the lowered search text, checked by instr() or
        looked up in the trigram index (3+ characters): the same rows either way."""
        where, params = self._where(query)
        filtered = where != "1"
        needle = query.search.lower()
        indexed = bool(needle) and self._search_index and len(needle) >= TRIGRAM and "\x00" not in needle
        if query.sort is not None:
            column, desc = query.sort
            self._check_column(column)
        else:
            column, desc = "updated", True
        direction = "DESC" if desc else "ASC"
        collate = " COLLATE NOCASE" if column == "name" else ""
        # ids are unique: no tie to break, and the id index gives the order
        tie = "" if column == "id" else f", m.rowid {direction}"
        offset = max(0, query.offset)
        limit = max(0, query.limit)
        pinned = tuple(dict.fromkeys(query.pinned))
        with self._reading() as conn:
            pinned_rows: list[ModelRow] = []
            if pinned:
                marks = ",".join("?" * len(pinned))
                found = {
                    r[0]: self._row(r)
                    for r in conn.execute(f"SELECT {self._ROW_COLUMNS} FROM models m WHERE m.id IN ({marks})", pinned)
                }
                pinned_rows = [found[i] for i in pinned if i in found]
                where = f"({where}) AND m.id NOT IN ({marks})"
                params = [*params, *pinned]
            n_all = conn.execute("SELECT coalesce(max(rowid), 0) FROM models").fetchone()[0]
            # The count of a query is kept until the next write: the table asks for the
            # pages around the view with the same query, and counting is most of a page's cost.
            version = tuple(conn.execute("SELECT key, value FROM meta WHERE key IN ('generation', 'store_id')"))
            count_key = (version, query.search, query.filters, query.ranges, query.text_filters, pinned)
            counted = self._counts.get(count_key)
            if counted is None:
                counted = self._count(conn, where, params, filtered, needle, indexed, pinned, n_all)
                with self._lock:
                    self._counts[count_key] = counted
                    while len(self._counts) > COUNTS_KEPT:
                        del self._counts[next(iter(self._counts))]  # the oldest
            total, index_matches = counted
            # a selective search is found through the index's set of matches; a broad one
            # is cheaper checked model by model (the sort index's walk visits few)
            from_index = indexed and self._index_drives_search(index_matches, n_all)
            rows: list[ModelRow] = pinned_rows[offset : offset + limit]
            rest_offset = max(0, offset - len(pinned_rows))
            rest_limit = limit - len(rows)
            if rest_limit > 0 and rest_offset < total:

                def page_sql(walk: bool) -> tuple[str, list[Any]]:
                    source = f"models m INDEXED BY {index}" if walk else "models m"
                    order = f"{'' if walk else '+'}m.{column}{collate} {direction}{tie}"
                    page_where, page_params = where, params
                    if needle:
                        clause, clause_params = _search_clause(needle, from_index and not walk)
                        page_where, page_params = f"{where} AND {clause}", [*params, *clause_params]
                    sql = f"SELECT {self._ROW_COLUMNS} FROM {source} WHERE {page_where} ORDER BY {order}"
                    return f"{sql} LIMIT ? OFFSET ?", [*page_params, rest_limit, rest_offset]

                index = self._sort_index(conn, column)
                wanted = rest_offset + rest_limit
                page = None
                if index is not None and self._walk_sort_index(wanted, total, n_all, from_index):
                    page = self._walk(conn, *page_sql(True), self._walk_budget(wanted, total, n_all))
                if page is None:
                    page = conn.execute(*page_sql(False)).fetchall()
                rows.extend(self._row(r) for r in page)
        return ModelPage(rows=rows, total=total + len(pinned_rows), offset=offset)

    def _count(
        self, conn: sqlite3.Connection, where: str, params: list[Any], filtered: bool,
        needle: str, indexed: bool, pinned: tuple[str, ...], n_all: int,
    ) -> tuple[int, int]:
        """Models matching `where` (pinned ones excluded) and the search, and how many
        the search index matched (0 when it was not asked)."""
        if not needle:
            return conn.execute(f"SELECT count(*) FROM models m WHERE {where}", params).fetchone()[0], 0
        if not indexed:
            clause, clause_params = _search_clause(needle, False)
            return conn.execute(
                f"SELECT count(*) FROM models m WHERE {where} AND {clause}", (*params, *clause_params)
            ).fetchone()[0], 0
        # the index counts its matches without reading a model
        matches = conn.execute(
            "SELECT count(*) FROM models_search WHERE models_search MATCH ?", (_fts_phrase(needle),)
        ).fetchone()[0]
        if filtered:
            clause, clause_params = _search_clause(needle, self._index_drives_search(matches, n_all))
            total = conn.execute(
                f"SELECT count(*) FROM models m WHERE {where} AND {clause}", (*params, *clause_params)
            ).fetchone()[0]
            return total, matches
        total = matches
        if pinned:  # counted by the index, shown apart
            clause, clause_params = _search_clause(needle, False)
            marks = ",".join("?" * len(pinned))
            total -= conn.execute(
                f"SELECT count(*) FROM models m WHERE m.id IN ({marks}) AND {clause}", (*pinned, *clause_params)
            ).fetchone()[0]
        return total, matches

    @staticmethod
    def _walk(conn: sqlite3.Connection, sql: str, params: Sequence[Any], budget: int) -> list[Any] | None:
        """The rows of a query that walks a sort index, or None when the walk takes
        more than `budget` steps of SQLite's VM (counted in thousands). The read
        transaction stays open: the caller falls back to another plan in it."""
        steps = 0

        def tick() -> bool:
            nonlocal steps
            steps += 1
            return steps > budget  # true interrupts the query

        conn.set_progress_handler(tick, 1000)
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                return None
            raise
        finally:
            conn.set_progress_handler(None, 0)

    @staticmethod
    def _walk_budget(rows: int, total: int, n_all: int) -> int:
        """VM steps (thousands) a walk of the sort index may take before the matches
        are sorted instead. _walk_sort_index assumes the matches are spread evenly in
        sort order; they may cluster late in it (a name search in a table sorted by
        name: 60,000 models walked, 200 ms, for a page that sorting the 12,500
        matches gives in 20 ms). A walk takes ~8 steps and ~3 us a model it visits,
        sorting the matches ~1.7 us a match: stop after twice the expected visits,
        or total/4 visits if more (then the detour costs at most half the sort),
        or 1,000 (too few to matter)."""
        expected = rows * n_all / max(1, total)
        return int(8 * max(2 * expected, total / 4, 1000)) // 1000 + 1

    @staticmethod
    def _index_drives_search(matches: int, n_all: int) -> bool:
        """Whether a page's search clause takes the index's matching rowids (a set
        built once, ~4x the cost per model of an instr() check, measured) rather
        than checking instr() on each model the query visits (up to all of them)."""
        return matches * 4 <= n_all

    @staticmethod
    def _walk_sort_index(rows: int, total: int, n_all: int, matches_from_index: bool = False) -> bool:
        """Whether to page by walking the sort column's index (visiting about
        rows * n_all/total models) rather than collecting the `total` matches and
        sorting them (about 3x the cost per model). SQLite keeps no statistics to
        make this choice, and it chose badly (sorting thousands); we know `total`.
        When the search index hands over the matches (no scan to find them),
        sorting them costs about half a walked model each: then walk only when
        that is expected to cost under a quarter of sorting."""
        if matches_from_index:
            return 8 * rows * n_all < total * total
        return rows * n_all < 3 * total * total

    def _sort_index(self, conn: sqlite3.Connection, column: str) -> str | None:
        """The index that yields the models in `column` order (name: NOCASE)."""
        if self._sort_indexes is None:
            found: dict[str, str] = {}
            for _seq, index, *_rest in conn.execute("PRAGMA index_list(models)").fetchall():
                info = conn.execute(f"PRAGMA index_xinfo({index})").fetchall()
                _seqno, _cid, first_column, desc, collation, *_key = info[0]
                wanted = "NOCASE" if first_column == "name" else "BINARY"
                if first_column in MODEL_COLUMNS and collation == wanted and desc == 0:
                    found.setdefault(first_column, index)
            self._sort_indexes = found
        return self._sort_indexes.get(column)

    def distinct_values(self, column: str, limit: int = 500) -> list[tuple[str, int]]:
        """Most frequent first, then by value."""
        if column == "tags":
            sql = "SELECT tag, count(*) FROM model_tags GROUP BY tag ORDER BY count(*) DESC, tag LIMIT ?"
        else:
            self._check_column(column)
            sql = f"SELECT {column}, count(*) FROM models GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT ?"
        with self._reading() as conn:
            out = [(r[0], r[1]) for r in conn.execute(sql, (limit,))]
            if any(type(value) is not str for value, _n in out):
                raise _Damage(f"a {column} value is not text")
        return out

    def count_models(self) -> int:
        with self._reading() as conn:
            return conn.execute("SELECT count(*) FROM models").fetchone()[0]

    # -- details ---------------------------------------------------------------------
    def get_models(self, ids: Sequence[str]) -> list[Model]:
        if not ids:
            return []
        found: dict[str, Model] = {}
        with self._reading() as conn:
            for chunk_start in range(0, len(ids), 500):
                part = list(ids[chunk_start : chunk_start + 500])
                marks = ",".join("?" * len(part))
                for r in conn.execute(
                    f"SELECT {', '.join(_MODEL_FIELDS)} FROM models JOIN model_details ON model = models.rowid "
                    f"WHERE id IN ({marks})",
                    part,
                ):
                    found[r[0]] = self._model_from_row(r)
                for parent, child in conn.execute(
                    f"SELECT parent, id FROM models WHERE parent IN ({marks}) ORDER BY created, id", part
                ):
                    if parent in found and child not in found[parent].children:
                        found[parent].children.append(child)
        return [found[i] for i in ids if i in found]

    @staticmethod
    def _model_from_row(r: Sequence[Any]) -> Model:
        d = dict(zip(_MODEL_FIELDS, r))
        model_id = d["id"]
        for key, value in d.items():
            if type(value) is not str and not (key == "config_text" and value is None):
                raise _Damage(f"model {model_id!r}: its {key} is not text")
        try:
            labels = json.loads(d["labels"])
            items = json.loads(d["metadata"])
        except ValueError:
            raise _Damage(f"model {model_id!r}: its labels or metadata are not valid JSON") from None
        if not isinstance(labels, dict) or not all(
            isinstance(k, str) and type(v) is int for k, v in labels.items()
        ):
            raise _Damage(f"model {model_id!r}: its labels are not names with integer ids")
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and set(i) == {"key", "type", "value"} and all(isinstance(x, str) for x in i.values())
            for i in items
        ):
            raise _Damage(f"model {model_id!r}: its metadata is not a list of key/type/value items")
        config = Config(d["config_format"], d["config_text"]) if d["config_text"] is not None else None
        return Model(
            id=d["id"],
            name=d["name"],
            project=d["project"],
            framework=d["framework"],
            status=d["status"],
            tags=[t for t in d["tags"].split(TAG_SEP) if t],
            user=d["user"],
            created=d["created"],
            updated=d["updated"],
            comment=d["comment"],
            uri=d["uri"],
            task_id=d["task_id"],
            task_name=d["task_name"],
            parent=d["parent"],
            labels=labels,
            metadata=[MetadataItem(**m) for m in items],
            config=config,
        )

    # -- plots ---------------------------------------------------------------------------
    def plots(self, ids: Sequence[str], iteration: int | None = None) -> dict[str, list[Plot]]:
        with self._reading() as conn:
            by_rowid, marks = self._models_in(conn, ids)
            out: dict[str, list[Plot]] = {i: [] for i in ids if i in by_rowid.values()}
            if not by_rowid:
                return out
            limit_it = 2**63 - 1 if iteration is None else int(iteration)
            # SQLite's bare-column rule: with max(), the other columns come from the max row
            rows = conn.execute(
                f"""SELECT model, metric, variant, max(iteration), kind, data, ts FROM plots
                    WHERE model IN ({marks}) AND iteration <= ?
                    GROUP BY model, metric, variant ORDER BY metric, variant""",
                (*by_rowid, limit_it),
            ).fetchall()
            for model, *row in rows:
                out[by_rowid[model]].append(_plot_from_row(*row))
        return out

    def plot_iterations(self, ids: Sequence[str]) -> list[int]:
        with self._reading() as conn:
            rowids = self._model_rowids(conn, ids)
            if not rowids:
                return []
            marks = ",".join("?" * len(rowids))
            out = [
                r[0]
                for r in conn.execute(
                    f"SELECT DISTINCT iteration FROM plots WHERE model IN ({marks}) ORDER BY iteration",
                    list(rowids.values()),
                )
            ]
            if any(type(i) is not int for i in out):
                raise _Damage("a plot's iteration is not an integer")
        return out
