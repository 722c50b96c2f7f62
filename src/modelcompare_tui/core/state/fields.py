"""The fields a state string holds: each one's check, shared by encoding
and decoding (so a string decodes if and only if its state passes), its
encoding, and the schema that gives each field its tag.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from ..tabs import TABS
from .comparison import ComparisonState, DiffView, PlotsView, ScalarsView
from .encoding import StateError, _put_svarint, _put_uvarint, _Reader

MAX_MODELS = 100
MAX_ID_BYTES = 256
MAX_SOURCE_BYTES = 1024
MAX_TEXT_BYTES = 512  # search, metric filters, focused "metric/variant"
MAX_CURSOR_ROW = 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _show(value: object, limit: int = 60) -> str:
    """A value for a message: repr (so one line), cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- field codecs: one check shared by encoding and decoding -------------------

# C0/C1 controls, surrogates and bidi overrides: a pasted state must not smuggle
# terminal escape sequences or visually reordered text into the UI.
_FORBIDDEN_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_FLOAT_TEXT = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?")


def _check_text(value: object, where: str, max_bytes: int) -> str:
    if not isinstance(value, str):
        raise StateError(f"{where}: expected text, got {type(value).__name__}")
    bad = _FORBIDDEN_CHARS.search(value)
    if bad:
        raise StateError(f"{where}: control character {bad.group()!r} not allowed")
    if len(value) > max_bytes or len(value.encode("utf-8")) > max_bytes:
        raise StateError(f"{where}: longer than {max_bytes} bytes")
    return value


def _read_text(r: _Reader, where: str, max_bytes: int) -> str:
    n = r.uvarint(where)
    if n > max_bytes:
        raise StateError(f"{where}: longer than {max_bytes} bytes")
    try:
        return r.take(n, where).decode("utf-8")
    except UnicodeDecodeError:
        raise StateError(f"{where}: not valid UTF-8 text") from None


def _write_text(out: bytearray, value: str) -> None:
    raw = value.encode("utf-8")
    _put_uvarint(out, len(raw))
    out += raw


def _check_int(value: object, where: str, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise StateError(f"{where}: expected an integer, got {type(value).__name__}")
    if not lo <= value <= hi:
        raise StateError(f"{where}: {value} is outside {lo}..{hi}")
    return value


# _Codec and _Field are plain slotted classes, not dataclasses: building a
# dataclass costs ~1.5 ms at import, and start-up imports this module.
class _Codec:
    __slots__ = ("check", "write", "read", "is_flag")

    def __init__(
        self,
        check: Callable[[object, str], Any],  # validate (and normalise) a value, or raise
        write: Callable[[bytearray, Any], None],
        read: Callable[[_Reader, str], Any],  # result still goes through `check`
        is_flag: bool = False,  # the tag alone means true
    ) -> None:
        self.check = check
        self.write = write
        self.read = read
        self.is_flag = is_flag


def _flag_codec() -> _Codec:
    """A true/false option whose default is false: its tag alone means true."""

    def check(v: object, where: str) -> bool:
        if not isinstance(v, bool):
            raise StateError(f"{where}: expected true/false, got {_show(v)}")
        return v

    return _Codec(check, lambda out, v: None, lambda r, where: True, is_flag=True)


def _enum_codec(choices: tuple[str, ...]) -> _Codec:
    def check(v: object, where: str) -> str:
        if v not in choices or not isinstance(v, str):
            raise StateError(f"{where}: {_show(v)} is not one of {', '.join(choices)}")
        return v

    def read(r: _Reader, where: str) -> str:
        i = r.take(1, where)[0]
        if i >= len(choices):
            raise StateError(f"{where}: unknown value #{i} (written by a newer modelcompare?)")
        return choices[i]

    return _Codec(check, lambda out, v: out.append(choices.index(v)), read)


def _text_codec(max_bytes: int, extra: Callable[[str, str], None] | None = None) -> _Codec:
    def check(v: object, where: str) -> str:
        text = _check_text(v, where, max_bytes)
        if extra is not None:
            extra(text, where)
        return text

    return _Codec(check, _write_text, lambda r, where: _read_text(r, where, max_bytes))


def _int_codec(lo: int, hi: int, optional: bool = False) -> _Codec:
    def check(v: object, where: str) -> int | None:
        if v is None and optional:
            return None
        return _check_int(v, where, lo, hi)

    return _Codec(check, _put_svarint, lambda r, where: r.svarint(where))


def _fraction_codec() -> _Codec:
    """A float in [0, 1) (1 excluded: an EMA of weight 1 never moves, and a
    window of all the points is no smoothing the app offers), written as its
    shortest round-tripping decimal text ("0.6" is 4 bytes against 8 for a
    double)."""

    def check(v: object, where: str) -> float:
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise StateError(f"{where}: expected a number, got {type(v).__name__}")
        f = float(v)
        if not (math.isfinite(f) and 0.0 <= f < 1.0):
            raise StateError(f"{where}: {_show(v)} is outside 0..1 (0 <= weight < 1)")
        return f

    def read(r: _Reader, where: str) -> float:
        text = _read_text(r, where, 32)
        if not _FLOAT_TEXT.fullmatch(text):
            raise StateError(f"{where}: {_show(text)} is not a number")
        return float(text)

    return _Codec(check, lambda out, v: _write_text(out, repr(float(v))), read)


def _zoom_codec() -> _Codec:
    def check(v: object, where: str) -> tuple[int, int] | None:
        if v is None:
            return None
        if not isinstance(v, (tuple, list)) or len(v) != 2:
            raise StateError(f"{where}: expected an iteration range (first, last), got {_show(v)}")
        lo = _check_int(v[0], where, INT64_MIN, INT64_MAX)
        hi = _check_int(v[1], where, INT64_MIN, INT64_MAX)
        if lo > hi:
            raise StateError(f"{where}: range {lo}..{hi} is reversed")
        return (lo, hi)

    def write(out: bytearray, v: tuple[int, int]) -> None:
        _put_svarint(out, v[0])
        _put_svarint(out, v[1] - v[0])  # a width is shorter than a second large number

    def read(r: _Reader, where: str) -> tuple[int, int]:
        lo = r.svarint(where)
        return (lo, lo + r.svarint(where))

    return _Codec(check, write, read)


_SECRET_QUERY_KEYS = ("pass", "pwd", "token", "secret", "apikey", "api_key", "credential", "auth")


def _refuse_credentials(uri: str, where: str) -> None:
    """Credentials come from the environment (PRODUCT.md §3), never from a
    shared string. The message never repeats the secret."""
    if "://" not in uri:
        return  # a plain path
    rest = uri.split("://", 1)[1]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        raise StateError(
            f"{where}: the URI holds credentials (user:password@ or token@ before the host);"
            " remove them, they come from the environment"
        )
    query = rest.split("#", 1)[0].partition("?")[2]
    for pair in query.split("&"):
        key = pair.split("=", 1)[0].lower()
        if key and any(s in key for s in _SECRET_QUERY_KEYS):
            raise StateError(
                f"{where}: the URI holds a credential in its query ({key}=…);"
                " remove it, credentials come from the environment"
            )


def _check_models(v: object, where: str) -> tuple[str, ...]:
    if not isinstance(v, (tuple, list)):
        raise StateError(f"{where}: expected a list of model ids, got {type(v).__name__}")
    if len(v) > MAX_MODELS:
        raise StateError(f"{where}: {len(v)} models, at most {MAX_MODELS}")
    seen: set[str] = set()
    for i, model_id in enumerate(v):
        _check_text(model_id, f"{where}[{i}]", MAX_ID_BYTES)
        if not model_id:
            raise StateError(f"{where}[{i}]: empty model id")
        if model_id in seen:
            raise StateError(f"{where}[{i}]: model {_show(model_id)} appears twice")
        seen.add(model_id)
    return tuple(v)


# A varint `2 * count + all_hex`. When all_hex is 1, 16 raw bytes per model
# follow. Otherwise per model a varint `kind`: 0 = dashed UUID (16 bytes);
# 2n+1 = n bytes of text then 32 hex digits (16 bytes); 2n+2 = n bytes of text.
def _write_models(out: bytearray, models: tuple[str, ...]) -> None:
    if all(len(m) == 32 and _HEX32.fullmatch(m) for m in models):
        _put_uvarint(out, 2 * len(models) + 1)
        out += bytes.fromhex("".join(models))
        return
    _put_uvarint(out, 2 * len(models))
    for model_id in models:
        if _UUID.fullmatch(model_id):
            out.append(0)
            out += bytes.fromhex(model_id.replace("-", ""))
        elif len(model_id) >= 32 and _HEX32.fullmatch(model_id, len(model_id) - 32):
            prefix = model_id[:-32].encode("utf-8")
            _put_uvarint(out, 2 * len(prefix) + 1)
            out += prefix + bytes.fromhex(model_id[-32:])
        else:
            raw = model_id.encode("utf-8")
            _put_uvarint(out, 2 * len(raw) + 2)
            out += raw


def _read_models(r: _Reader, where: str) -> tuple[str, ...]:
    head = r.uvarint(where)
    count = head >> 1
    if count > MAX_MODELS:
        raise StateError(f"{where}: {count} models, at most {MAX_MODELS}")
    if head & 1:
        raw = r.take(16 * count, where).hex()
        return tuple(raw[i : i + 32] for i in range(0, len(raw), 32))
    models = []
    for i in range(count):
        at = f"{where}[{i}]"
        kind = r.uvarint(at)
        if kind == 0:
            h = r.take(16, at).hex()
            models.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
            continue
        size = (kind - 1) // 2
        if size > MAX_ID_BYTES:
            raise StateError(f"{at}: longer than {MAX_ID_BYTES} bytes")
        try:
            text = r.take(size, at).decode("utf-8")
        except UnicodeDecodeError:
            raise StateError(f"{at}: not valid UTF-8 text") from None
        models.append(text + r.take(16, at).hex() if kind % 2 else text)
    return tuple(models)


# -- the schema ----------------------------------------------------------------

_DEFAULT = ComparisonState()


class _Field:
    __slots__ = ("tag", "section", "name", "codec", "where", "default")

    def __init__(self, tag: int, section: str, name: str, codec: _Codec) -> None:
        self.tag = tag
        self.section = section  # "" = a field of ComparisonState itself
        self.name = name
        self.codec = codec
        self.where = f"{section}.{name}" if section else name  # "scalars.agg": how messages name it
        holder = getattr(_DEFAULT, section) if section else _DEFAULT
        self.default: Any = getattr(holder, name)


def _diff_fields(section: str, first_tag: int) -> list[_Field]:
    return [
        _Field(first_tag, section, "hide_identical", _flag_codec()),
        _Field(first_tag + 1, section, "diff_mode", _enum_codec(("base", "all"))),
        _Field(first_tag + 2, section, "search", _text_codec(MAX_TEXT_BYTES)),
        _Field(first_tag + 3, section, "cursor_row", _int_codec(0, MAX_CURSOR_ROW)),
        _Field(first_tag + 4, section, "cursor_column", _int_codec(0, MAX_MODELS - 1)),
    ]


# Tags are forever: never renumber or reuse one; append new fields with new tags
# and new enum values at the end of their tuple.
_FIELDS: tuple[_Field, ...] = (
    _Field(1, "", "source", _text_codec(MAX_SOURCE_BYTES, _refuse_credentials)),
    _Field(2, "", "models", _Codec(_check_models, _write_models, _read_models)),
    _Field(3, "", "tab", _enum_codec(TABS)),
    *_diff_fields("details", 8),
    *_diff_fields("network", 16),
    _Field(24, "scalars", "view", _enum_codec(("values", "graph"))),
    _Field(25, "scalars", "agg", _enum_codec(("last", "min", "max"))),
    _Field(26, "scalars", "extremes", _flag_codec()),
    _Field(27, "scalars", "delta", _flag_codec()),
    _Field(28, "scalars", "metric_filter", _text_codec(MAX_TEXT_BYTES)),
    _Field(29, "scalars", "group_by", _enum_codec(("variant", "metric"))),
    _Field(30, "scalars", "x_axis", _enum_codec(("iteration", "relative", "wall"))),
    _Field(31, "scalars", "smoothing", _enum_codec(("none", "ema", "running", "gaussian"))),
    _Field(32, "scalars", "smoothing_weight", _fraction_codec()),
    _Field(33, "scalars", "log_y", _flag_codec()),
    _Field(34, "scalars", "focused", _text_codec(MAX_TEXT_BYTES)),
    _Field(35, "scalars", "maximized", _flag_codec()),
    _Field(36, "scalars", "zoom", _zoom_codec()),
    _Field(37, "scalars", "config_legend", _flag_codec()),
    _Field(38, "scalars", "cursor_column", _int_codec(0, MAX_MODELS - 1)),
    _Field(48, "plots", "iteration", _int_codec(INT64_MIN, INT64_MAX, optional=True)),
    _Field(49, "plots", "metric_filter", _text_codec(MAX_TEXT_BYTES)),
    _Field(50, "plots", "focused", _text_codec(MAX_TEXT_BYTES)),
    _Field(51, "plots", "maximized", _flag_codec()),
)
_FIELD_BY_TAG = {f.tag: f for f in _FIELDS}
_SECTIONS: dict[str, type] = {
    "details": DiffView,
    "network": DiffView,
    "scalars": ScalarsView,
    "plots": PlotsView,
}

# A flag's tag means "true": that only works while its default is false.
assert all(f.default is False for f in _FIELDS if f.codec.is_flag)
