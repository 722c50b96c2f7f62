"""Hostile strings that data may carry (issue #10): every surface must show them,
never obey them. Shared by the untrusted-text tests of every tier."""

from __future__ import annotations

import re

HOSTILE: dict[str, str] = {
    "osc52_clipboard": "\x1b]52;c;SElKQUNL\x07X",
    "osc8_link": "\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\",
    "title_set": "\x1b]2;TAGTITLE\x07t",
    "csi_cursor": "up\x1b[2A\x1b[10Cmoved\x1b[0m",
    "c1_csi": "c1\x9b31mred\x9d0;T\x9c",
    "bidi_override": "abc\u202edcba\u202c\u2066iso\u2069",
    "zero_width": "zero\u200bwidth\u200d\ufeff",
    "markup_close": "a[/]b",
    "markup_link": "[link=file:///etc/passwd]x[/link]",
    "markup_realistic": "acc[top1]",
    "markup_bold": "[bold red]loud[/bold red]",
    "bell_backspace": "bell\x07back\x08\x08space\rcr",
    "newline_tab": "two\nlines\tand tab",
    "lone_surrogate": "sur\ud800rogate",
    "long_10kb": "L" * 10_000,
}

# a raw control byte, a C1 control, a bidi control or a zero-width format char
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
# the SGR colour sequences that `--format ansi` itself writes
SGR = re.compile("\x1b\\[[0-9;]*m")


def unsafe_chars(output: str, *, allow_sgr: bool = False) -> list[str]:
    """The unsafe characters in `output` (empty when it is safe to show)."""
    if allow_sgr:
        output = SGR.sub("", output)
    return UNSAFE.findall(output)
