"""The one boundary between untrusted text and a terminal, a widget or an output file.

Everything a model carries (names, tags, metric names, config values, plot text,
a server's error body) was written by someone else. `display_text` turns it into
text that can only be *shown*: no control character, escape sequence, bidi
override or invalid code point survives to reach a terminal. Data is never
parsed as Rich markup either: widgets take `rich.text.Text` objects built from
display text, and where a markup string cannot be avoided `display_markup`
escapes it.

The stored data and JSON exports keep the original string exactly; only what is
shown goes through here.

Every character maps to exactly one character (the one exception: a CRLF pair
in multi-line text becomes one line break), so offsets computed on the original
(diff highlight spans) stay valid on the display text.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "REPLACEMENT",
    "display_text",
    "display_markup",
    "display_line",
    "is_display_safe",
]

REPLACEMENT = "\ufffd"  # shown for an invisible format character, a C1 control, a lone surrogate
LINE_BREAK_SYMBOL = "⏎"

# C0 controls become the Unicode "control pictures" (ESC -> ␛), DEL -> ␡;
# a tab is one space (one character for one keeps offsets valid).
_C0 = {c: 0x2400 + c for c in range(32)} | {0x7F: 0x2421, 0x09: 0x20}
_SINGLE_LINE = _C0 | {0x0A: LINE_BREAK_SYMBOL}
_MULTI_LINE = _C0 | {0x0A: 0x0A}
_EXTRA = {0x00AD: "-", 0x2028: LINE_BREAK_SYMBOL, 0x2029: LINE_BREAK_SYMBOL}


def _slow_char(ch: str) -> str:
    """A character that `str.isprintable` refused and the C0 table did not cover."""
    code = ord(ch)
    mapped = _EXTRA.get(code)
    if mapped is not None:
        return mapped
    if 0x80 <= code <= 0x9F:  # C1 controls: 0x9B is a one-byte CSI on some terminals
        return REPLACEMENT
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Cs"):
        # format characters: bidi overrides and isolates, zero-width spaces and
        # joiners, BOM; surrogates: cannot be encoded at all
        return REPLACEMENT
    # other "non-printable" characters are harmless to show: non-ASCII spaces
    # (Zs), private-use glyphs (Co), code points newer than this Python (Cn)
    return ch


def display_text(text: object, *, multiline: bool = False) -> str:
    """`text` (any value; non-strings are `str()`-ed) made safe to show.

    `multiline`: keep line breaks (config text, plot text); otherwise a line
    break is shown as ⏎ so the value stays on its row."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if text.isprintable():
        return text
    if multiline and "\r" in text:
        text = text.replace("\r\n", "\n")
    text = text.translate(_MULTI_LINE if multiline else _SINGLE_LINE)
    if text.isprintable() or (multiline and text.replace("\n", "").isprintable()):
        return text
    return "".join(
        ch if ch.isprintable() or (multiline and ch == "\n") else _slow_char(ch) for ch in text
    )


def display_markup(text: object, *, multiline: bool = False) -> str:
    """Display text for a place that parses Rich markup (notifications, markup
    labels): square brackets are escaped, so data never becomes a tag."""
    from rich.markup import escape

    return escape(display_text(text, multiline=multiline))


_SPACES = re.compile(r"\s+")


def display_line(text: object, limit: int = 300) -> str:
    """One line of at most `limit` characters: for a server's error body or any
    other untrusted text shown inside a message."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    line = display_text(_SPACES.sub(" ", text).strip())
    if len(line) > limit:
        line = line[: max(0, limit - 1)] + "…"
    return line


def is_display_safe(text: str, *, multiline: bool = False) -> bool:
    """True when `text` holds nothing `display_text` would replace (tests use it
    to scan output)."""
    return display_text(text, multiline=multiline) == text
