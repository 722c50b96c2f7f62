"""The comparison state: one immutable object, and its string form (PRODUCT.md §7).

comparison.py holds the object (ComparisonState and the views of its tabs);
state_string.py the state string, whose format it describes, on top of
encoding.py (base62, varints) and fields.py (each field's check and codec).
"""

from __future__ import annotations

from ..tabs import TABS
from .comparison import ComparisonState, DiffView, PlotsView, ScalarsView
from .encoding import StateError
from .fields import (
    INT64_MAX,
    INT64_MIN,
    MAX_CURSOR_ROW,
    MAX_ID_BYTES,
    MAX_MODELS,
    MAX_SOURCE_BYTES,
    MAX_TEXT_BYTES,
)
from .state_string import (
    FORMAT_VERSION,
    MAX_PAYLOAD_BYTES,
    MAX_STATE_CHARS,
    STATE_PREFIX,
    decode_state,
    encode_state,
    normalize_pasted,
    validate_state,
)

# The codec's internals the tests use to build strings by hand (a wrong
# checksum, a payload no encoder writes), importable here as before the split
from .encoding import _B62 as _B62, _b62_decode as _b62_decode, _b62_encode as _b62_encode
from .state_string import _crc as _crc, _inflate as _inflate

__all__ = [
    "FORMAT_VERSION",
    "INT64_MAX",
    "INT64_MIN",
    "MAX_CURSOR_ROW",
    "MAX_ID_BYTES",
    "MAX_MODELS",
    "MAX_PAYLOAD_BYTES",
    "MAX_SOURCE_BYTES",
    "MAX_STATE_CHARS",
    "MAX_TEXT_BYTES",
    "STATE_PREFIX",
    "TABS",
    "ComparisonState",
    "DiffView",
    "PlotsView",
    "ScalarsView",
    "StateError",
    "decode_state",
    "encode_state",
    "normalize_pasted",
    "validate_state",
]
