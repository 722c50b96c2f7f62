"""The state string: a ComparisonState serialised (PRODUCT.md §7).

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

import re
import struct
import zlib
from typing import Any

from .comparison import ComparisonState
from .encoding import _BLOCK_BYTES, _FULL_BLOCK_CHARS, StateError, _b62_decode, _b62_encode, _put_uvarint, _Reader
from .fields import _FIELD_BY_TAG, _FIELDS, _SECTIONS, _Field

FORMAT_VERSION = 1
STATE_PREFIX = f"mc{FORMAT_VERSION}."

# The largest valid state (100 ids of MAX_ID_BYTES plus every text at its
# limit) is ~30 KB of payload; nothing beyond this is ever inflated or parsed.
MAX_PAYLOAD_BYTES = 48 * 1024
_MAX_BLOB_BYTES = 1 + MAX_PAYLOAD_BYTES + 4
MAX_STATE_CHARS = len(STATE_PREFIX) + -(-_MAX_BLOB_BYTES // _BLOCK_BYTES) * _FULL_BLOCK_CHARS

_FLAG_DEFLATE = 0x01
_CRC = struct.Struct(">I")


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
