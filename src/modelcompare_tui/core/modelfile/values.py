"""Checks of single JSON values in a model file (names, text, numbers,
times), and the errors a failed check raises.

A check that fails calls `_fail(where, why)`: the `_Invalid` it raises climbs
out of the whole validation and becomes one ModelFileError naming the file
(document.py), or one ValueError (check_plot_data).
"""

from __future__ import annotations

import difflib
import json
import math
import re
from datetime import UTC, datetime
from typing import Any, NoReturn

from ..model import format_float

# Epoch seconds at or above this are year 5138+: almost surely milliseconds.
MAX_EPOCH_SECONDS = 1e11
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

_NUMBER_TYPES = frozenset((int, float))
_NON_FINITE = {
    "nan": math.nan, "inf": math.inf, "+inf": math.inf, "-inf": -math.inf,
    "infinity": math.inf, "+infinity": math.inf, "-infinity": -math.inf,
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WHITESPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class ModelFileError(ValueError):
    """An invalid model file: `FILE: JSON.PATH: why` (one line)."""

    def __init__(self, filename: str, where: str, why: str) -> None:
        self.filename = filename
        self.where = where
        self.why = why
        super().__init__(f"{filename}: {where}: {why}" if where else f"{filename}: {why}")


class _Invalid(Exception):
    """Raised deep inside validation; turned into ModelFileError with the filename."""

    def __init__(self, where: str, why: str) -> None:
        super().__init__(where, why)
        self.where = where
        self.why = why


def _fail(where: str, why: str) -> NoReturn:
    raise _Invalid(where, why)


# -- small helpers ----------------------------------------------------------


def _key(where: str, key: str) -> str:
    """JSON path of an object member: `a.b`, or `a["odd key"]`."""
    if _IDENTIFIER.match(key):
        return f"{where}.{key}" if where else key
    # a key with a lone surrogate is spelled escaped: the message must stay printable
    return f"{where}[{json.dumps(key, ensure_ascii=not key.isascii() and bool(_SURROGATE.search(key)))}]"


def _text(value: str, where: str) -> str:
    """`value` when it is valid Unicode. A lone surrogate (JSON's `\\ud800`
    escape) is not: no encoder writes it, so the store, the terminal and every
    export would fail on it later."""
    if not value.isascii():
        bad = _SURROGATE.search(value)
        if bad is not None:
            _fail(where, f"invalid Unicode: a lone surrogate \\u{ord(bad.group()):04x} at character {bad.start() + 1}")
    return value


def _text_key(key: str, where: str) -> str:
    """An object key that becomes data (label, metadata or single-value name)."""
    return _text(key, _key(where, key))


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: Any) -> str:
    """A short excerpt of a bad value for a message."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, float):
        text = format_float(value)
    elif isinstance(value, (list, dict)):
        return _kind_of(value)
    else:
        text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _not(expected: str, value: Any) -> str:
    if value is None or isinstance(value, (list, dict)):
        return f"must be {expected}, not {_kind_of(value)}"
    return f"must be {expected}, not {_kind_of(value)} ({_show(value)})"


def _object(value: Any, where: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(where, _not("an object", value))
    duplicates = getattr(value, "duplicate_keys", None)
    if duplicates:
        _fail(_key(where, duplicates[0]), "field given twice")
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            _fail(where, f"unknown field {key!r}{hint}")
    for key in required:
        if key not in value:
            _fail(where, f"missing field {key!r}")
    return value


def _string(obj: dict[str, Any], key: str, where: str, default: str = "", non_empty: bool = False) -> str:
    value = obj.get(key)
    if value is None:
        if non_empty and key in obj:
            _fail(_key(where, key), "must be a non-empty string, not null")
        return default
    if not isinstance(value, str):
        _fail(_key(where, key), _not("a string", value))
    if non_empty and not value.strip():
        _fail(_key(where, key), "must not be empty")
    return _text(value, _key(where, key))


def _identifier(value: Any, where: str) -> str:
    if not isinstance(value, str):
        _fail(where, _not("a string", value))
    if not value:
        _fail(where, "must not be empty")
    if _WHITESPACE_OR_CONTROL.search(value):
        _fail(where, f"must not contain spaces or control characters ({_show(value)})")
    return _text(value, where)


def _integer(value: Any, where: str, what: str = "") -> int:
    """An integer (3.0 accepted as 3); `what` prefixes the reason."""
    prefix = f"{what} " if what else ""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        _fail(where, f"{prefix}must be an integer, not {_show(value)}")
    _fail(where, f"{prefix}{_not('an integer', value)}")


def _number(value: Any, where: str, what: str = "") -> float:
    """A number as float: JSON numbers, bare NaN/Infinity, or "nan"/"inf"/"-inf"."""
    kind = type(value)
    if kind is float:
        return math.nan if value != value else value
    if kind is int:
        try:
            return float(value)
        except OverflowError:
            _fail(where, f"{what or 'number'} is out of range ({_show(value)})")
    if kind is str:
        special = _NON_FINITE.get(value.strip().lower())
        if special is not None:
            return special
    shown = _show(value) if value is not None else "null"
    _fail(where, f"{what} is not a number ({shown})" if what else f"not a number ({shown})")


def _parse_time(value: Any, where: str, what: str) -> datetime:
    """ISO-8601 text (naive = UTC) or epoch seconds -> aware UTC datetime."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            _fail(where, f"{what} is not an ISO-8601 date-time ({_show(value)})")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        try:
            return moment.astimezone(UTC)
        except (OverflowError, ValueError):
            _fail(where, f"{what} is out of range ({_show(value)})")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(_epoch(value, where, what), UTC)
    _fail(where, f"{what} {_not('an ISO-8601 date-time', value)}")


def _epoch(value: Any, where: str, what: str) -> float:
    """Epoch seconds: a number kept exactly as given, or ISO-8601 text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not (isinstance(value, int) or math.isfinite(value)) or not 0 <= value < MAX_EPOCH_SECONDS:
            _fail(where, f"{what} must be epoch seconds between 0 and 1e11 ({_show(value)})")
        return float(value)
    return _parse_time(value, where, what).timestamp()


def _iso_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _nan_canonical(values: list[Any]) -> list[Any]:
    """Same list with every NaN replaced by the `math.nan` object (see the package doc)."""
    if any(v != v for v in values):
        return [math.nan if v != v else v for v in values]
    return values
