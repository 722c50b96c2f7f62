"""The bytes and characters under a state string: base62 over 32-byte
blocks, varints and a bounded reader; and StateError, which every part of
the state string's code raises.
"""

from __future__ import annotations

import re

_BLOCK_BYTES = 32
_FULL_BLOCK_CHARS = 43  # the fewest c with 62**c >= 256**32


class StateError(ValueError):
    """A state string (or a state to encode) is invalid: one line, exit code 2."""

    def __init__(self, why: str) -> None:
        super().__init__(f"state string: {why}")


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
