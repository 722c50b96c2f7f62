"""Untrusted text written into each headless output format.

`display_text` (core/display.py) makes a string safe to *show*; this module adds
what each format needs on top, so that data is never read as part of the
format itself: Markdown and HTML syntax is escaped, a CSV text cell cannot
start a spreadsheet formula, JSON keeps the original string exactly but writes
every invisible or control character as a \\u escape, and error messages never
repeat a credential held in a URI.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..core.display import display_line, display_text

__all__ = [
    "csv_text",
    "error_line",
    "guard_output",
    "html_text",
    "json_dumps",
    "md_code_block",
    "md_code_span",
    "md_text",
    "redact_secrets",
]


# -- Markdown -------------------------------------------------------------------------

# ASCII punctuation that starts Markdown syntax anywhere in a line; a backslash
# before any ASCII punctuation reads back as the character itself (CommonMark).
_MD_ALWAYS = frozenset("\\`*[]<>|~&")


def md_text(text: object, *, breaks: bool = False) -> str:
    """`text` as literal Markdown inline text: display text, every character that
    could start emphasis, a link, an HTML tag, an entity or a table cell
    boundary backslash-escaped. `breaks`: line breaks become `<br>` (table
    cells), else ⏎."""
    shown = display_text(text, multiline=breaks)
    out: list[str] = []
    last = len(shown) - 1
    for i, ch in enumerate(shown):
        if ch in _MD_ALWAYS:
            out.append("\\" + ch)
        elif ch == "_":
            # an underscore between two letters or digits never marks emphasis:
            # leave `class_counts` readable
            inside = 0 < i < last and shown[i - 1].isalnum() and shown[i + 1].isalnum()
            out.append("_" if inside else "\\_")
        elif ch == "#" and i == 0:
            out.append("\\#")
        elif ch == "\n":
            out.append("<br>")
        else:
            out.append(ch)
    return "".join(out)


def _longest_run(text: str, mark: str) -> int:
    longest = run = 0
    for c in text:
        run = run + 1 if c == mark else 0
        longest = max(longest, run)
    return longest


def md_code_span(text: object, *, table: bool = True) -> str:
    """`text` as an inline code span (one line), fenced by more backticks than
    it holds; in a table cell `|` is escaped (GFM reads it before the span)."""
    body = display_text(text)
    fence = "`" * (_longest_run(body, "`") + 1)
    if table:
        body = body.replace("|", "\\|")
    if body.startswith((" ", "`")) or body.endswith((" ", "`")):
        body = f" {body} "  # one space each side is stripped when read back
    return f"{fence}{body}{fence}"


def md_code_block(text: object) -> str:
    """`text` (multi-line) as a fenced code block whose fence no line of the
    text can close: more backticks than any run in it."""
    body = display_text(text, multiline=True).rstrip("\n")
    fence = "`" * max(3, _longest_run(body, "`") + 1)
    return f"{fence}\n{body}\n{fence}\n"


# -- HTML -----------------------------------------------------------------------------


def html_text(text: object) -> str:
    """`text` as HTML text content or a quoted attribute value."""
    return html.escape(display_text(text), quote=True)


# -- CSV ------------------------------------------------------------------------------

# a spreadsheet reads a cell starting with one of these as a formula (or, for
# tab and CR, strips them and then does)
_FORMULA_START = frozenset("=+-@\t\r")


def csv_text(text: object) -> str:
    """A CSV text cell: display text (no control character reaches the file),
    prefixed with `'` when a spreadsheet would run it as a formula. Only for
    text: numbers are written as numbers (a negative one is not a formula)."""
    raw = "" if text is None else str(text)
    shown = display_text(raw)
    if raw[:1] in _FORMULA_START or shown[:1] in _FORMULA_START:
        return "'" + shown
    return shown


# -- JSON -----------------------------------------------------------------------------

_NON_ASCII_OR_CONTROL = re.compile("[^\x20-\x7e\n]")


def _json_escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code > 0xFFFF:  # a surrogate pair, as JSON writes characters beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_dumps(data: Any, *, indent: int | None = 2, allow_nan: bool = True) -> str:
    """JSON text that keeps every string exactly (it reads back equal, lone
    surrogates included) yet holds no raw control, bidi, zero-width or
    unencodable character: those are written as \\u escapes. Other non-ASCII
    text stays readable."""
    text = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=allow_nan)
    if text.isascii() and text.replace("\n", "").isprintable():
        return text
    # outside strings JSON text is ASCII punctuation, digits, spaces and line
    # breaks: every character replaced here is inside a string
    return _NON_ASCII_OR_CONTROL.sub(_json_escape, text)


# -- whole outputs ----------------------------------------------------------------------

_SGR = re.compile("(\x1b\\[[0-9;]*m)")


def guard_output(text: str, *, allow_sgr: bool = False) -> str:
    """A last check on a whole rendered output (every field in it was already
    made display text): nothing but line breaks, and with `allow_sgr` the
    colour sequences the renderer itself wrote, may be a control character."""
    if not allow_sgr:
        return display_text(text, multiline=True)
    parts = _SGR.split(text)
    # odd indexes are the SGR sequences kept by the split
    return "".join(part if k % 2 else display_text(part, multiline=True) for k, part in enumerate(parts))


# -- error messages ---------------------------------------------------------------------

_SECRET_QUERY = re.compile(
    r"(?i)([?&;](?:[a-z0-9_.-]*token|password|passwd|pwd|secret|api[_-]?key|apikey|key|auth|signature|sig)=)[^&#\s'\"]*"
)
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/@\s:'\"]*:)[^/@\s'\"]*@")


def redact_secrets(text: str) -> str:
    """`text` with the credentials a URI may carry (`?token=…`, `user:password@`)
    replaced by `***`."""
    text = _SECRET_QUERY.sub(r"\1***", text)
    return _USERINFO.sub(r"\1***@", text)


def error_line(message: object, limit: int = 500) -> str:
    """An error message safe to print: its first line, credentials redacted,
    display text, at most `limit` characters."""
    text = "" if message is None else str(message)
    first = text.split("\n", 1)[0] if "\n" in text.strip("\n") else text.strip("\n")
    return display_line(redact_secrets(first), limit)
