"""Labels that tell the compared models apart, at any width.

`model_labels` gives each model its full label (its name; the short id when
another compared model has the same name; the id when it has none).
`fit_labels` cuts a comparison's labels to the cells a view has for them, so
that they still differ: the words every label shares at its start and its end
go behind an ellipsis first (`wav2vec2-base-librispeech-lr3e-5` beside
`…-lr1e-5` becomes `…lr3e-5` / `…lr1e-5`), then what is still too long is cut
in the middle, and two labels a cut would make equal keep their ends instead.
Every header, chip, legend and bar label of the app and of `render` uses these
two; the full name stays in tooltips, legends with room, JSON and CSV.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Sequence

from rich.cells import cell_len

from .cells import shorten
from .model import Model

ELLIPSIS = "…"
UNCUT_SEARCH_WIDTH = 40  # uncut_widths looks for forms up to this many cells
MIN_DROPPED = 4  # cells a shared start or end must have to be dropped behind an ellipsis
# where a name may be cut between words: after one of these
_BREAK = re.compile(r"[-_./: ()=,]")


def _breaks_after(text: str, k: int) -> bool:
    """A word ends at text[k]: a separator, but not the point of a number
    ("lr0.01" is one word: its labels read `…lr0.01`, not `…01`)."""
    if not _BREAK.match(text[k]):
        return False
    return not (text[k] == "." and 0 < k < len(text) - 1 and text[k - 1].isdigit() and text[k + 1].isdigit())


def model_labels(models: Sequence[Model]) -> list[str]:
    """One label per model: its name; a name another compared model also has
    gets the short id appended ("resnet (1a2b3c4d)"), or the full id when even
    the short ids collide. A nameless model is labelled by its id."""
    names = [m.name for m in models]
    shorts = [m.short_id() for m in models]
    labels = []
    for m, name, short in zip(models, names, shorts):
        if not name:
            labels.append(m.id)
        elif names.count(name) > 1:
            labels.append(f"{name} ({short if shorts.count(short) == 1 else m.id})")
        else:
            labels.append(name)
    return labels


def _common_prefix(labels: Sequence[str]) -> int:
    """Length of the start all labels share, ending after a word break."""
    first = min(labels, key=len)
    n = 0
    while n < len(first) and all(label[n] == first[n] for label in labels):
        n += 1
    while n > 0 and not _breaks_after(first, n - 1):
        n -= 1  # back to the end of a word: cut "lr3e-5"/"lr1e-5" before "lr", not after it
    return n


def _common_suffix(labels: Sequence[str], prefix: int) -> int:
    """Length of the end all labels share (not overlapping `prefix`), starting at a word break."""
    rest = [label[prefix:] for label in labels]
    first = min(rest, key=len)
    n = 0
    while n < len(first) and all(label[len(label) - 1 - n] == first[len(first) - 1 - n] for label in rest):
        n += 1
    while n > 0 and not _breaks_after(first, len(first) - n):
        n -= 1
    return n


def _drop_common(labels: Sequence[str]) -> list[str]:
    """The labels without the words they all share at the start and the end."""
    if len(labels) < 2 or len(set(labels)) < len(labels):
        return list(labels)
    prefix = _common_prefix(labels)
    suffix = _common_suffix(labels, prefix)
    # an ellipsis for a word or more, not for a shared ")" or "-"
    prefix = prefix if prefix >= MIN_DROPPED else 0
    suffix = suffix if suffix >= MIN_DROPPED else 0
    out = []
    for label in labels:
        core = label[prefix:len(label) - suffix]
        if not core:
            return list(labels)  # one label is the shared part itself: keep them whole
        out.append((ELLIPSIS if prefix else "") + core + (ELLIPSIS if suffix else ""))
    return out


def label_cores(labels: Sequence[str]) -> list[str]:
    """What each label keeps once the words all share at the start and the end
    are dropped behind an ellipsis (`…lr3e-5`): the widest a cut label needs."""
    return _drop_common(labels)


def _word_tail(text: str, width: int) -> str | None:
    """The longest run of whole last words of `text` that fits `width` cells behind
    an ellipsis (`…lr3e-5`), or None when not even the last word fits."""
    best = None
    for k in range(len(text) - 1, 0, -1):
        if _breaks_after(text, k - 1):
            tail = ELLIPSIS + text[k:]
            if cell_len(tail) > width:
                break
            best = tail if text[k:] else best
    return best


def _tail(text: str, width: int) -> str:
    """The end of `text` behind an ellipsis, in `width` cells."""
    if cell_len(text) <= width:
        return text
    out = ""
    for ch in reversed(text):
        if cell_len(ch + out) > width - 1:
            break
        out = ch + out
    return ELLIPSIS + out


def fit_labels(labels: Sequence[str], widths: int | Sequence[int]) -> list[str]:
    """`labels` cut to `widths` cells (one width for all, or one each), told apart
    as long as the room allows. Labels that fit are returned as they are."""
    room = [widths] * len(labels) if isinstance(widths, int) else list(widths)
    if all(cell_len(label) <= w for label, w in zip(labels, room)):
        return list(labels)
    cores = _drop_common(labels)
    out = [label if cell_len(label) <= w else core if cell_len(core) <= w else None
           for label, core, w in zip(labels, cores, room)]
    # still too long: the last words, where sweep members differ (`…lr3e-5`), when
    # they tell the labels apart; else a middle cut keeps both ends
    cut = [i for i, done in enumerate(out) if done is None]
    tails = {i: tail for i in cut if (tail := _word_tail(labels[i], room[i])) is not None}
    shown = list(tails.values())
    # what the tails leave out must be the same for all (a sweep's shared start): else a
    # tail would hide a difference (conformer-run047 / whisper-run051) that a middle cut keeps
    heads = {labels[i][:len(labels[i]) - len(tail) + len(ELLIPSIS)] for i, tail in tails.items()}
    distinct = len(set(shown)) == len(shown) and not set(shown) & set(out) and len(heads) <= 1
    for i in cut:
        w = room[i]
        out[i] = tails[i] if distinct and i in tails else (
            shorten(cores[i], w, middle=True) if w >= 8 else _tail(cores[i], w))
    fitted = [label or "" for label in out]
    # a middle cut can make two different labels equal: keep their ends (where sweeps differ)
    for i, label in enumerate(fitted):
        if any(j != i and other == label and labels[j] != labels[i] for j, other in enumerate(fitted)):
            fitted[i] = _tail(cores[i], room[i])
    return fitted


def _whole_words(text: str, label: str, core: str) -> bool:
    """`text` (a fitted label) keeps whole words: the label, its core, or its last
    words behind an ellipsis (`…lr1e-5`), not a cut inside a word (`…1e-5`)."""
    if text in (label, core):
        return True
    tail = text[len(ELLIPSIS):] if text.startswith(ELLIPSIS) else None
    if not tail or not label.endswith(tail):
        return False
    start = len(label) - len(tail)
    return start > 0 and _breaks_after(label, start - 1)


def uncut_widths(labels: Sequence[str]) -> list[int]:
    """Per label, the cells of the shortest form fit_labels gives it without a
    cut inside it (see _uncut_widths); cached: tables ask on every layout, and
    for 100 models the search costs tens of milliseconds."""
    return list(_uncut_widths(tuple(labels)))


@lru_cache(maxsize=32)
def _uncut_widths(labels: tuple[str, ...]) -> tuple[int, ...]:
    """Per label, the cells of the shortest form fit_labels gives it without a
    cut inside it: `…lr1e-5` (7) for a sweep member, `…librispeech` (12) for the
    sweep's baseline, the whole label when nothing shorter tells it apart. A
    table narrows its columns towards these, not below."""
    # tables never give a label more than a few dozen cells: look no further (a
    # 10,000-character name would otherwise cost 10,000 fits)
    widest = min(UNCUT_SEARCH_WIDTH, max((cell_len(label) for label in labels), default=0))
    cores = _drop_common(labels)
    out = [cell_len(label) for label in labels]
    found = [False] * len(labels)
    for width in range(1, widest + 1):
        fitted = fit_labels(labels, width)
        if len(set(fitted)) < len(set(labels)):
            continue  # too narrow to tell them apart
        for i, text in enumerate(fitted):
            if not found[i] and _whole_words(text, labels[i], cores[i]):
                out[i], found[i] = cell_len(text), True
        if all(found):
            break
    return tuple(out)
