"""Naming models on the command line: an id, a unique prefix of it, or an
exact name when unique; and the shortest prefixes `list` prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import UsageError, _shown

SHORT_ID = 8  # the fewest characters of an id `list` prints
_CANDIDATES_SHOWN = 6


def _id_query(**fields: Any):
    from ..core.model import ModelQuery

    return ModelQuery(**fields)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _unique_prefix(model_id: str, others: Sequence[str]) -> str:
    """The shortest prefix of `model_id`, at least SHORT_ID characters, that no
    other id begins with (the whole id when another id begins with all of it)."""
    need = max([SHORT_ID, *(_common_prefix(model_id, o) + 1 for o in others if o != model_id)])
    return model_id[:need]


def short_ids(source: Any, ids: Sequence[str]) -> dict[str, str]:
    """id -> the shortest prefix (≥ 8 characters) that names it alone in the
    source: what `list` prints, and what the commands that take models accept."""
    ids = list(dict.fromkeys(ids))
    if len(ids) > 50:
        # one pass over every id beats a query per row
        every = sorted(r.id for r in source.list_models(_id_query(limit=1_000_000_000)).rows)
        out: dict[str, str] = {}
        import bisect

        for model_id in ids:
            i = bisect.bisect_left(every, model_id)
            neighbours = every[max(0, i - 1): i + 2]
            out[model_id] = _unique_prefix(model_id, neighbours)
        return out
    out = {}
    for model_id in ids:
        head = model_id[:SHORT_ID]
        page = source.list_models(_id_query(ranges=(("id", head, head),), limit=200))
        if page.total > len(page.rows):
            out[model_id] = model_id
        else:
            out[model_id] = _unique_prefix(model_id, [r.id for r in page.rows])
    return out


def resolve_model(source: Any, name: str, where: str) -> str:
    """The id of the one model `name` names in `source`: its id, a unique
    prefix of its id, or its exact name when no other model has it. Unknown or
    ambiguous: UsageError (one line; an ambiguous name lists the candidates)."""
    if not name:
        raise UsageError(f"{where}: an empty model name")
    # get_models, not the table: a source may hold models it does not list (MLflow: a
    # registered logged model is listed as its version, yet found by its own id)
    if any(m.id == name for m in source.get_models([name])):
        return name
    by_prefix = source.list_models(_id_query(ranges=(("id", name, name),), limit=_CANDIDATES_SHOWN + 1))
    by_name = source.list_models(_id_query(filters=(("name", (name,)),), limit=_CANDIDATES_SHOWN + 1))
    candidates = list({r.id: r for r in [*by_prefix.rows, *by_name.rows]}.values())
    if len(candidates) == 1:
        return str(candidates[0].id)
    if not candidates:
        raise UsageError(f"{where}: unknown model {_shown(name)!r} in {_shown(source.uri)} "
                         "(give an id, a unique id prefix or an exact name: modelcompare list shows them)")
    # the models past the pages' limits are counted, not seen (a model both found by
    # prefix and by name among them would count twice: an id that begins with its own name)
    count = len(candidates) + (by_prefix.total - len(by_prefix.rows)) + (by_name.total - len(by_name.rows))
    first = candidates[:_CANDIDATES_SHOWN]
    shown = short_ids(source, [r.id for r in first])
    listed = ", ".join(f"{shown[r.id]} ({_shown(r.name)})" for r in first)
    if count > len(first):
        listed += f", and {count - len(first)} more"
    raise UsageError(f"{where}: {_shown(name)!r} is ambiguous: {count} models match: {listed}")


def resolve_models(source: Any, names: Sequence[str], where: str) -> list[str]:
    """The ids of `names` (resolve_model each), in order, each once."""
    return list(dict.fromkeys(resolve_model(source, n, where) for n in names))
