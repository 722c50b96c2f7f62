"""The model file format (PRODUCT.md §5): parse + validate, export, write.

    {"format": "modelcompare/v1", "models": [ {<model fields of §2>}, ... ]}

Parsing is all or nothing: the first problem raises ModelFileError naming the
file, the JSON path and the reason (`FILE: models[3].scalars[0].points[7]:
value is not a number ('abc')`). Unknown fields are refused too, so a typo
("scalar") never drops data silently.

Speed: JSON is parsed by orjson when it is installed (about 4x faster than
json), but only where the result is certainly the one `json.loads` gives:
anything orjson refuses (bad JSON, bare NaN/Infinity, lone surrogates, numbers
beyond double range) and anything where the two could differ (duplicate keys,
which orjson keeps silently; integers of 19+ digits, which orjson turns into
floats) goes to `json.loads`, so results and error messages are the same with
or without it. Duplicate keys are found without a hook: the members orjson
returned must add up to the `:` in the text outside strings.

Scalar points are validated per column, not per point (points.py). The
cyclic GC is paused while a file loads: json builds millions of acyclic lists,
and each GC pass would walk all of them again.

Decisions (see also the README):
- `variant` defaults to the metric (ClearML's convention for a single series).
- `created`/`updated` are normalised to UTC `YYYY-MM-DDTHH:MM:SSZ` (seconds);
  naive times are taken as UTC; an epoch number is accepted. A missing one
  defaults to the other, and both to the time of parsing.
- Point timestamps are epoch seconds (or ISO-8601 text); null or "nan" means
  unknown. A number >= 1e11 is refused as probably milliseconds.
- Iterations are integers (3.0 is accepted as 3); repeated iterations are kept
  in file order (the last reported wins later, in the store and the charts).
- NaN inside lists and dicts is always the `math.nan` object, so records
  holding NaN compare equal (containers compare items by identity first).
- `children` is derived, never stored: accepted in a file and ignored.

What imports, renders: the limits below are refused with the place named,
because the store or a view cannot hold such a value.
- Text anywhere (names, tags, metrics, keys, metadata, config, plot text) must
  be valid Unicode: a lone surrogate (JSON's `"\\ud800"` escape) is refused.
- Tags must not hold control characters (U+0000-U+001F, U+007F): the store
  keeps tags in one column separated by U+001F.
- Numbers must be within float range (|x| <= 1.7976931348623157e308); an
  integer beyond it (10**400) is refused, not turned into infinity. (The
  spellings "inf"/"-inf"/"nan" and bare Infinity/NaN stay accepted.)
- Iterations (scalar points and plots) must fit int64 (-2**63 .. 2**63-1).
- A histogram asks for at most MAX_HISTOGRAM_BINS (10,000) bins (plotly's
  nbinsx/nbinsy too): a chart is at most a few hundred cells wide, and each bin
  costs memory.

This package reads JSON (below); its modules check single values (values.py),
scalar points (points.py), plot data (plot_data.py), the document and its
models (document.py), and write files (writing.py).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

try:
    import orjson
except ImportError:  # optional speed-up: json.loads gives the same results, slower
    orjson = None  # type: ignore[assignment]

from ..gc_pause import gc_paused
from ..model import ModelRecord
from .document import FORMAT, parse_model_document
from .plot_data import check_plot_data
from .values import MAX_EPOCH_SECONDS, ModelFileError
from .writing import dumps_document, export_document, write_model_file

__all__ = [
    "FORMAT",
    "MAX_EPOCH_SECONDS",
    "ModelFileError",
    "check_plot_data",
    "decode_model_json",
    "dumps_document",
    "export_document",
    "load_model_file",
    "parse_model_document",
    "write_model_file",
]

# Reading JSON is here, in the package itself rather than a module of it:
# `modelfile.orjson = None` (the tests, benchmarks/bench_modelfile.py) must
# switch the fast path off for every reader.


class _DuplicateKeysDict(dict):
    """A JSON object that named a key twice (json keeps the last silently)."""

    duplicate_keys: list[str]


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    marked = _DuplicateKeysDict(pairs)
    marked.duplicate_keys = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    return marked


_UTF8_BOM = b"\xef\xbb\xbf"
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# Finds integer literals of 19+ digits outside strings: digits -> "0", the
# bytes before a fraction's or an exponent's digits ('.', 'e', 'E', '+') -> "x",
# all else -> " ". Such an integer is then " " + "0" * 19 ("-" is " " too, so
# an exponent "e-" + 19 digits looks like one: only a needless fallback).
_DIGIT_RUNS = bytes(
    ord("0") if 0x30 <= b <= 0x39 else ord("x") if b in b".eE+" else ord(" ") for b in range(256)
)
_LONG_INTEGER = b" " + b"0" * 19  # 19 digits can pass int64, and orjson gives such an integer as a float
_NOT_FAST = object()
_CONTAINERS = (dict, list)


def _members(doc: Any) -> int:
    """The keys of the dicts in a decoded document, in all. Lists that start
    with a list (points, matrices, table rows) are not looked into: millions of
    small lists that hold no object in a valid file. An object there is missed,
    and the sum then falls short of the text's, as it does for a duplicate key."""
    members = 0
    pending = [doc]
    while pending:
        value = pending.pop()
        if type(value) is dict:
            members += len(value)
            pending.extend(v for v in value.values() if type(v) in _CONTAINERS)
        elif type(value) is list and value and type(value[0]) is not list:
            pending.extend(v for v in value if type(v) in _CONTAINERS)
    return members


def _decode_fast(raw: bytes) -> Any:
    """orjson's parse of `raw` when it is certainly what json.loads gives
    (see the module doc), else _NOT_FAST."""
    if orjson is None:
        return _NOT_FAST
    body = memoryview(raw)[len(_UTF8_BOM):] if raw.startswith(_UTF8_BOM) else raw  # json.loads skips a BOM
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _NOT_FAST  # json.loads decides: it accepts NaN, and words the errors
    outside_strings = _JSON_STRING.sub(b'""', body)  # valid JSON: every '"' outside a string opens one
    # Outside strings each ':' ends a key. The keys found can only fall short
    # of them: by a key given twice (orjson kept the last) or one not looked at.
    if _members(doc) != outside_strings.count(b":"):
        return _NOT_FAST
    digit_runs = outside_strings.translate(_DIGIT_RUNS)
    del outside_strings
    if _LONG_INTEGER in digit_runs or digit_runs.startswith(_LONG_INTEGER[1:]):
        return _NOT_FAST
    return doc


def decode_model_json(text: str | bytes, filename: str) -> Any:
    """JSON text -> Python data, with duplicate keys marked for the validator.
    Bytes are decoded by orjson when that is safe (see the module doc)."""
    if isinstance(text, bytes):
        doc = _decode_fast(text)
        if doc is not _NOT_FAST:
            return doc
    try:
        return json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as exc:
        raise ModelFileError(filename, "", f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise ModelFileError(filename, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:  # an integer past Python's digit limit (4,300 by default)
        raise ModelFileError(filename, "", f"invalid JSON: {str(exc).split(';')[0]}") from None
    except RecursionError:
        raise ModelFileError(filename, "", "nested too deeply") from None


def load_model_file(path: str | os.PathLike[str]) -> list[ModelRecord]:
    """Read, decode and validate a model file (all or nothing)."""
    filename = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ModelFileError(filename, "", f"cannot read: {exc.strerror or exc}") from None
    with gc_paused():
        return parse_model_document(decode_model_json(raw, filename), filename)
