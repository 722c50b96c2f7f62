"""A snapshot's screen as lines of text and styles, for a failure's report: CI
shows a run's output, not the HTML report, so a mismatch must say in text which
cells differ."""

from __future__ import annotations

import html
import re

CELL_WIDTH = 12.2  # Rich's SVG export: 20px Fira Code
LINE_HEIGHT = 24.4
TOP = 1.5  # the first row's top; a text's y is its baseline, lower in the same row

# the stored snapshot's class names are terminal-rN, a fresh shot's terminal-<hash>-rN
_STYLE = re.compile(r"\.(terminal-[\w-]*?r\d+) \{ ([^}]*) \}")
_TEXT = re.compile(r'<text class="(terminal-[\w-]*?r\d+)" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>')
_RECT = re.compile(r'<rect fill="(#[0-9a-fA-F]+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"')


def screen_lines(svg: str) -> list[str]:
    """One line per terminal row: its text, then its foreground and background
    runs (column:style), so two shots that differ only in a color say where."""
    styles = {name: body.strip() for name, body in _STYLE.findall(svg)}
    rows: dict[int, dict[str, list]] = {}
    for name, x, y, text in _TEXT.findall(svg):
        row = rows.setdefault(int((float(y) - TOP) / LINE_HEIGHT), {"text": [], "fg": [], "bg": []})
        column = round(float(x) / CELL_WIDTH)
        text = html.unescape(text).replace("\xa0", " ")
        row["text"].append((column, text))
        row["fg"].append(f"{column}:{styles.get(name, name).replace('fill: ', '')}")
    for fill, x, y, width in _RECT.findall(svg):
        row = rows.setdefault(int((float(y) - TOP) / LINE_HEIGHT), {"text": [], "fg": [], "bg": []})
        row["bg"].append(f"{round(float(x) / CELL_WIDTH)}+{round(float(width) / CELL_WIDTH)}:{fill}")
    lines = []
    for number in sorted(rows):
        row = rows[number]
        text = "".join(t for _, t in sorted(row["text"]))
        lines.append(f"{number:3} {text.rstrip()} | fg {' '.join(row['fg'])} | bg {' '.join(row['bg'])}")
    return lines


def screen_diff(expected: str, actual: str, limit: int = 40) -> str:
    """The rows that differ between two snapshots, expected (-) above actual (+)."""
    old, new = screen_lines(expected), screen_lines(actual)
    out: list[str] = []
    for index in range(max(len(old), len(new))):
        a = old[index] if index < len(old) else "(none)"
        b = new[index] if index < len(new) else "(none)"
        if a != b:
            out += [f"- {a}", f"+ {b}"]
    if len(out) > limit:
        out = [*out[:limit], f"... {len(out) - limit} more lines"]
    return "\n".join(out) or "(the rows' text and styles are the same; the difference is elsewhere in the SVG)"
