"""The comparison state: one immutable object, and its string form (PRODUCT.md §7).

The App holds one ComparisonState; screens read it and replace it
(dataclasses.replace) when the user changes something. The state string is
this object serialised, nothing more.

State string format ``mc1``::

    mc1.<base62 of: flags byte | payload | CRC-32>

* ``mc1.`` is the format version. Only ``[0-9A-Za-z]`` follows it: no
  character that a shell, a URL or chat markdown (``_``/``~`` emphasis) treats
  specially, so the string survives being pasted unquoted anywhere.
* base62 works on 32-byte blocks (43 characters each, within 0.1% of the
  ideal 8/log2(62) characters per byte; a short last block uses the fewest
  characters that can hold it), so cost is linear in the length and every
  block has exactly one spelling.
* The CRC-32 covers the version prefix, the flags and the payload, and is
  checked before anything else is read: a mistyped or truncated string is
  refused, never misread.
* flags bit 0: the payload is raw DEFLATE (used only when that is shorter).
  Other bits must be 0.
* payload: records ``tag (varint) value`` in ascending tag order, one per
  option that differs from its default (a true/false option, always false by
  default, is its tag alone). Absent means default, so a newer
  modelcompare that adds options still writes strings older ones read, as long
  as the new options keep their defaults.
* Unknown tags, flags and enum values (written by a newer modelcompare) are
  **refused** with a message saying so, never ignored: opening a state must
  show exactly the view its author saw.
* Model ids: 32 lowercase hex digits (optionally after a text prefix, e.g.
  ``m-<hex>``) and lowercase dashed UUIDs are packed as 16 raw bytes; other
  ids travel as UTF-8 text. A list of nothing but plain 32-hex ids (the
  embedded store's and ClearML's) is the count and the raw bytes alone.

Decoding never evaluates anything, bounds every length and count it reads
(string length, payload size after inflating, text lengths, at most
MAX_MODELS models) and validates every field's type and allowed values with
the same checks `encode_state` applies, so every string `encode_state`
produces decodes, and nothing else does. Those checks are one validator,
`validate_state`: what it accepts is exactly what a string can hold, and
every view renders whatever it accepts.
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .tabs import TABS


@dataclass(frozen=True)
class DiffView:
    """View options of the Details tab and (separately) of the Network tab."""

    hide_identical: bool = False
    diff_mode: str = "base"  # base | all (a cell differs from any other column)
    search: str = ""  # filter over field names
    cursor_row: int = 0  # scroll position that travels


@dataclass(frozen=True)
class ScalarsView:
    view: str = "values"  # values | graph
    agg: str = "last"  # last | min | max
    extremes: bool = False  # show row extremes
    delta: bool = False  # Δ vs base
    metric_filter: str = ""  # glob or substring over "metric/variant"
    group_by: str = "variant"  # variant (metric+variant, default) | metric
    x_axis: str = "iteration"  # iteration | relative | wall
    smoothing: str = "none"  # none | ema | running | gaussian
    smoothing_weight: float = 0.0  # in [0, 1); ema: the decay; running/gaussian: window as a fraction
    log_y: bool = False
    focused: str = ""  # "metric/variant" of the focused chart or row
    maximized: bool = False
    zoom: tuple[int, int] | None = None  # iteration range of the maximised chart
    config_legend: bool = False  # legends also show the config values that differ


@dataclass(frozen=True)
class PlotsView:
    iteration: int | None = None  # None = last reported
    metric_filter: str = ""
    focused: str = ""  # "metric/variant"
    maximized: bool = False


@dataclass(frozen=True)
class ComparisonState:
    source: str = ""  # source URI without credentials ("" = the current source)
    models: tuple[str, ...] = ()  # comparison order, base first
    tab: str = "details"
    details: DiffView = field(default_factory=DiffView)
    network: DiffView = field(default_factory=DiffView)
    scalars: ScalarsView = field(default_factory=ScalarsView)
    plots: PlotsView = field(default_factory=PlotsView)

    @property
    def base(self) -> str | None:
        return self.models[0] if self.models else None


# ---------------------------------------------------------------------------
# The state string
# ---------------------------------------------------------------------------

FORMAT_VERSION = 1
STATE_PREFIX = f"mc{FORMAT_VERSION}."

MAX_MODELS = 100
MAX_ID_BYTES = 256
MAX_SOURCE_BYTES = 1024
MAX_TEXT_BYTES = 512  # search, metric filters, focused "metric/variant"
MAX_CURSOR_ROW = 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# The largest valid state (100 ids of MAX_ID_BYTES plus every text at its
# limit) is ~30 KB of payload; nothing beyond this is ever inflated or parsed.
MAX_PAYLOAD_BYTES = 48 * 1024
_MAX_BLOB_BYTES = 1 + MAX_PAYLOAD_BYTES + 4
_BLOCK_BYTES = 32
_FULL_BLOCK_CHARS = 43  # the fewest c with 62**c >= 256**32
MAX_STATE_CHARS = len(STATE_PREFIX) + -(-_MAX_BLOB_BYTES // _BLOCK_BYTES) * _FULL_BLOCK_CHARS

_FLAG_DEFLATE = 0x01
_CRC = struct.Struct(">I")


class StateError(ValueError):
    """A state string (or a state to encode) is invalid: one line, exit code 2."""

    def __init__(self, why: str) -> None:
        super().__init__(f"state string: {why}")


def _show(value: object, limit: int = 60) -> str:
    """A value for a message: repr (so one line), cut short."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- pasting ------------------------------------------------------------------

# Quotes a shell, a chat app or Markdown may leave around the string
# (including the typographic ones chat apps substitute for ' and ").
_QUOTES = "'\"`\u2018\u2019\u201c\u201d"
# Invisible characters some chat apps and web pages insert at wrap points
# (zero-width spaces and joiners, word joiner, BOM, soft hyphen).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def normalize_pasted(text: str) -> str:
    """The state string inside a paste: whitespace (and invisible characters)
    removed everywhere, since terminals and chats wrap long lines; surrounding
    quotes and backticks stripped. Used by `decode_state` and the paste dialog."""
    return "".join(text.translate(_INVISIBLE).split()).strip(_QUOTES)


# -- base62 over 32-byte blocks -----------------------------------------------

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B62_TEXT = re.compile("[0-9A-Za-z]*")
_B62_DIGITS = bytes.maketrans(_B62.encode(), bytes(range(62)))  # character -> digit value
_B62_PAIRS = [a + b for a in _B62 for b in _B62]  # two digits per divmod halves the work
# characters needed for a block of k bytes: the fewest c with 62**c >= 256**k
_BLOCK_CHARS = [0] + [
    next(c for c in range(1, _FULL_BLOCK_CHARS + 1) if 62**c >= 256**k) for k in range(1, _BLOCK_BYTES + 1)
]
_BYTES_OF_CHARS = {c: k for k, c in enumerate(_BLOCK_CHARS) if k}
assert _BLOCK_CHARS[-1] == _FULL_BLOCK_CHARS and len(_BYTES_OF_CHARS) == _BLOCK_BYTES


def _b62_encode(data: bytes) -> str:
    out: list[str] = []
    for start in range(0, len(data), _BLOCK_BYTES):
        block = data[start : start + _BLOCK_BYTES]
        chars = _BLOCK_CHARS[len(block)]
        n = int.from_bytes(block, "big")
        pairs = []
        for _ in range((chars + 1) // 2):
            n, d = divmod(n, 62 * 62)
            pairs.append(_B62_PAIRS[d])
        text = "".join(reversed(pairs))
        out.append(text[len(text) - chars :])  # an odd count drops a leading "0"
    return "".join(out)


def _b62_decode(text: str, offset: int) -> bytes:
    """`offset` is where `text` starts in the pasted string (for messages)."""
    if not _B62_TEXT.fullmatch(text):
        bad = next(i for i, c in enumerate(text) if c not in _B62)
        raise StateError(f"invalid character {text[bad]!r} at position {offset + bad + 1}")
    digits = text.encode("ascii").translate(_B62_DIGITS)
    out = bytearray()
    for start in range(0, len(digits), _FULL_BLOCK_CHARS):
        chunk = digits[start : start + _FULL_BLOCK_CHARS]
        size = _BYTES_OF_CHARS.get(len(chunk))
        if size is None:
            raise StateError("wrong length (truncated or characters missing?)")
        n = 0
        for d in chunk:
            n = n * 62 + d
        if n >> (8 * size):  # a spelling no encoder writes: mistyped
            raise StateError("checksum mismatch (mistyped or truncated?)")
        out += n.to_bytes(size, "big")
    return bytes(out)


# -- varints and a bounded reader ---------------------------------------------


def _put_uvarint(out: bytearray, n: int) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _put_svarint(out: bytearray, n: int) -> None:
    _put_uvarint(out, (n << 1) if n >= 0 else ((-n << 1) - 1))


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, where: str) -> bytes:
        if n > len(self.data) - self.pos:
            raise StateError(f"{where}: data ends early")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def uvarint(self, where: str, max_bytes: int = 10) -> int:
        if self.pos < len(self.data) and self.data[self.pos] < 0x80:  # one byte: most tags and lengths
            self.pos += 1
            return self.data[self.pos - 1]
        n = shift = 0
        for _ in range(max_bytes):
            if self.pos >= len(self.data):
                raise StateError(f"{where}: data ends early")
            b = self.data[self.pos]
            self.pos += 1
            n |= (b & 0x7F) << shift
            if not b & 0x80:
                return n
            shift += 7
        raise StateError(f"{where}: number too long")

    def svarint(self, where: str) -> int:
        z = self.uvarint(where)
        return (z >> 1) if not z & 1 else -((z + 1) >> 1)


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


# -- encode / decode -------------------------------------------------------------


def _crc(flags: int, payload: bytes) -> bytes:
    return _CRC.pack(zlib.crc32(payload, zlib.crc32(bytes((flags,)), zlib.crc32(STATE_PREFIX.encode()))))


def _checked_values(state: object) -> list[tuple[_Field, Any]]:
    """Every field of `state` through its codec's check (normalised), in tag order."""
    if not isinstance(state, ComparisonState):
        raise StateError(f"expected a ComparisonState, got {type(state).__name__}")
    for section, cls in _SECTIONS.items():
        if not isinstance(getattr(state, section), cls):
            raise StateError(f"{section}: expected a {cls.__name__}")
    out = []
    for f in _FIELDS:
        holder = getattr(state, f.section) if f.section else state
        out.append((f, f.codec.check(getattr(holder, f.name), f.where)))
    return out


def validate_state(state: ComparisonState) -> ComparisonState:
    """`state` when a state string can hold it, else StateError naming the
    field (`scalars.smoothing_weight: 1.0 is outside 0..1 …`). The one
    validator: `encode_state` (so `share`) and `decode_state` apply exactly
    these checks, so a string decodes if and only if its state passes here,
    and every state that passes renders. Call it on a state built or changed
    from outside input (command-line options) before using it."""
    values = _checked_values(state)
    top: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
    for f, value in values:
        (sections[f.section] if f.section else top)[f.name] = value
    for name, cls in _SECTIONS.items():
        top[name] = cls(**sections[name])
    checked = ComparisonState(**top)
    return state if checked == state else checked


def encode_state(state: ComparisonState) -> str:
    """The state string of `state` (PRODUCT.md §7). Raises StateError when a
    field holds a value the decoder would refuse (validate_state: so every
    string produced here reads back), including a source URI that holds
    credentials."""
    payload = bytearray()
    for f, value in _checked_values(state):
        if value != f.default:
            _put_uvarint(payload, f.tag)
            f.codec.write(payload, value)
    if len(payload) > MAX_PAYLOAD_BYTES:  # unreachable with the field limits above
        raise StateError("state too large")
    flags = 0
    body = bytes(payload)
    if len(body) > 24:  # below this, DEFLATE's framing outweighs any saving
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = packer.compress(body) + packer.flush()
        if len(packed) < len(body):
            flags, body = _FLAG_DEFLATE, packed
    return STATE_PREFIX + _b62_encode(bytes((flags,)) + body + _crc(flags, body))


_VERSION = re.compile(r"mc([0-9]{1,6})\.")


def decode_state(text: str) -> ComparisonState:
    """The ComparisonState a state string describes. Whitespace anywhere and
    surrounding quotes are ignored; anything else that is wrong raises
    StateError (one line) — never another exception, never a different state."""
    if not isinstance(text, str):
        raise StateError(f"expected text, got {type(text).__name__}")
    if len(text) > 4 * MAX_STATE_CHARS:  # before any work on it
        raise StateError(f"too long ({len(text)} characters)")
    s = normalize_pasted(text)
    if not s:
        raise StateError("empty")
    version = _VERSION.match(s)
    if not version:
        raise StateError(
            f"does not begin with a format version like {STATE_PREFIX!r} (not a modelcompare state string?)"
        )
    if version.group() != STATE_PREFIX:
        number = version.group(1)
        if int(number) > FORMAT_VERSION:
            raise StateError(
                f"format mc{number} is newer than this modelcompare reads (mc{FORMAT_VERSION}); upgrade modelcompare"
            )
        raise StateError(f"unknown format version {version.group()!r} (this modelcompare reads {STATE_PREFIX!r})")
    if len(s) > MAX_STATE_CHARS:
        raise StateError(f"too long ({len(s)} characters, at most {MAX_STATE_CHARS})")
    blob = _b62_decode(s[len(STATE_PREFIX) :], len(STATE_PREFIX))
    if len(blob) < 5:
        raise StateError("too short (truncated?)")
    flags, body, crc = blob[0], blob[1:-4], blob[-4:]
    if _crc(flags, body) != crc:
        raise StateError("checksum mismatch (mistyped or truncated?)")
    if flags & ~_FLAG_DEFLATE:
        raise StateError(f"unknown format flags {flags:#04x} (written by a newer modelcompare?)")
    if flags & _FLAG_DEFLATE:
        body = _inflate(body)
    return _parse_payload(body)


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, MAX_PAYLOAD_BYTES + 1)
    except zlib.error:
        raise StateError("corrupt compressed data") from None
    if len(out) > MAX_PAYLOAD_BYTES or inflater.unconsumed_tail:
        raise StateError(f"payload larger than {MAX_PAYLOAD_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise StateError("corrupt compressed data")
    return out


def _parse_payload(payload: bytes) -> ComparisonState:
    r = _Reader(payload)
    top: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
    last_tag = 0
    while r.pos < len(payload):
        tag = r.uvarint("field tag")
        f = _FIELD_BY_TAG.get(tag)
        if f is None:
            raise StateError(f"unknown field #{tag} (written by a newer modelcompare? upgrade to open it)")
        if tag <= last_tag:
            raise StateError(f"{f.where}: field repeated or out of order")
        last_tag = tag
        value = f.codec.check(f.codec.read(r, f.where), f.where)
        (sections[f.section] if f.section else top)[f.name] = value
    for name, cls in _SECTIONS.items():
        top[name] = cls(**sections[name])
    return ComparisonState(**top)
