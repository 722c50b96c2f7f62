"""Aligned line diffs of plain-text configurations, for any number of models.

Every model's lines are aligned against one reference (the base) with a
longest-common-subsequence match, and the alignments are merged into shared
rows with blank padding, so one inserted line is one row (clearml#646: a
line-by-line comparison marks every line after an insertion as changed).

The match is patience-style: common prefix and suffix are taken first, then
lines unique in both sides anchor the alignment (the longest run of them in
order), and the stretches between anchors are matched recursively; small
stretches go to difflib's exact matcher. difflib alone needs ~0.6 s on two 5,000-line
prototxts with `autojunk=False`, and with autojunk it stops anchoring on
popular lines such as `}`; this takes ~10-20 ms.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections.abc import Hashable, Sequence

__all__ = ["align_many", "align_pair", "changed_spans", "intern_lines", "matching_blocks"]

# Stretches up to this many line pairs are matched by difflib alone.
_SMALL_RANGE_CELLS = 40_000
# Anchor-less stretches up to this many line pairs get difflib's exact
# (autojunk=False) matcher; larger ones the fast heuristic one.
_EXACT_LEAF_CELLS = 250_000
# Replace blocks up to this many line pairs are paired by similarity.
_PAIRING_CELLS = 2_500
_PAIR_SIMILARITY = 0.5
# Intra-line diffs of longer texts mark the differing middle as one span.
_SPAN_DETAIL_CHARS = 2_000


def intern_lines(*texts: Sequence[str]) -> list[list[int]]:
    """Lines to small ints (equal lines, equal ints) shared by all texts:
    integer comparison and hashing are cheaper than string ones."""
    table: dict[str, int] = {}
    out = []
    for lines in texts:
        ids = []
        for line in lines:
            ident = table.get(line)
            if ident is None:
                ident = table[line] = len(table)
            ids.append(ident)
        out.append(ids)
    return out


def _unique_anchors(
    a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines that occur once in a[alo:ahi] and once in
    b[blo:bhi], reduced to their longest run increasing in both (patience)."""
    count_a: dict[Hashable, int] = {}
    first_a: dict[Hashable, int] = {}
    for i in range(alo, ahi):
        item = a[i]
        if item in count_a:
            count_a[item] += 1
        else:
            count_a[item] = 1
            first_a[item] = i
    count_b: dict[Hashable, int] = {}
    first_b: dict[Hashable, int] = {}
    for j in range(blo, bhi):
        item = b[j]
        if item in count_b:
            count_b[item] += 1
        else:
            count_b[item] = 1
            first_b[item] = j
    candidates = [
        (first_a[item], first_b[item])
        for item, n in count_a.items()
        if n == 1 and count_b.get(item) == 1
    ]
    if not candidates:
        return []
    candidates.sort()
    # longest increasing subsequence in j (patience sorting with back links)
    tails: list[int] = []  # j of the last pair of the best run of each length
    tail_index: list[int] = []
    back: list[int] = [-1] * len(candidates)
    for index, (_, j) in enumerate(candidates):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[pos] = j
            tail_index[pos] = index
        back[index] = tail_index[pos - 1] if pos else -1
    run = []
    index = tail_index[-1]
    while index >= 0:
        run.append(candidates[index])
        index = back[index]
    run.reverse()
    return run


def _common_prefix(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int) -> int:
    """Length of the common run at the start of a[alo:ahi] and b[blo:bhi].
    Compares slices in growing steps (in C) before walking the last step."""
    limit = min(ahi - alo, bhi - blo)
    size = 0
    step = 16
    while size + step <= limit and a[alo + size : alo + size + step] == b[blo + size : blo + size + step]:
        size += step
        step *= 2
    while step > 1:
        step //= 2
        if size + step <= limit and a[alo + size : alo + size + step] == b[blo + size : blo + size + step]:
            size += step
    while size < limit and a[alo + size] == b[blo + size]:
        size += 1
    return size


def _common_suffix(a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int) -> int:
    limit = min(ahi - alo, bhi - blo)
    size = 0
    step = 16
    while size + step <= limit and a[ahi - size - step : ahi - size] == b[bhi - size - step : bhi - size]:
        size += step
        step *= 2
    while step > 1:
        step //= 2
        if size + step <= limit and a[ahi - size - step : ahi - size] == b[bhi - size - step : bhi - size]:
            size += step
    while size < limit and a[ahi - size - 1] == b[bhi - size - 1]:
        size += 1
    return size


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    """Matched runs (i, j, size): a[i:i+size] == b[j:j+size], increasing in
    both, adjacent runs merged. A common subsequence that is the longest one
    in practice (exact on small anchor-less stretches)."""
    found: list[tuple[int, int, int]] = []
    # LIFO work list: a 4-tuple is a range to match, a 3-tuple a run to emit
    work: list[tuple[int, ...]] = [(0, len(a), 0, len(b))]
    while work:
        item = work.pop()
        if len(item) == 3:
            found.append((item[0], item[1], item[2]))
            continue
        alo, ahi, blo, bhi = item
        size = _common_prefix(a, b, alo, ahi, blo, bhi)
        if size:
            found.append((alo, blo, size))
            alo += size
            blo += size
        size = _common_suffix(a, b, alo, ahi, blo, bhi)
        if size:
            ahi -= size
            bhi -= size
            work.append((ahi, bhi, size))  # below the middle's work: emitted after it
        if alo >= ahi or blo >= bhi:
            continue
        cells = (ahi - alo) * (bhi - blo)
        # small stretches: difflib's exact matcher (unique-line anchors can
        # mislead where few lines are unique: one moved `}` among `{`s)
        anchors = _unique_anchors(a, b, alo, ahi, blo, bhi) if cells > _SMALL_RANGE_CELLS else []
        if anchors:
            pieces: list[tuple[int, ...]] = []
            pa, pb = alo, blo
            for i, j in anchors:
                if i > pa or j > pb:
                    pieces.append((pa, i, pb, j))
                pieces.append((i, j, 1))
                pa, pb = i + 1, j + 1
            if ahi > pa or bhi > pb:
                pieces.append((pa, ahi, pb, bhi))
            work.extend(reversed(pieces))
            continue
        matcher = difflib.SequenceMatcher(
            None, a[alo:ahi], b[blo:bhi], autojunk=cells > _EXACT_LEAF_CELLS
        )
        for i, j, size in matcher.get_matching_blocks():
            if size:
                found.append((alo + i, blo + j, size))
    merged: list[tuple[int, int, int]] = []
    for i, j, size in found:
        if merged and merged[-1][0] + merged[-1][2] == i and merged[-1][1] + merged[-1][2] == j:
            merged[-1] = (merged[-1][0], merged[-1][1], merged[-1][2] + size)
        else:
            merged.append((i, j, size))
    return merged


def _similarity(x: str, y: str) -> float:
    """Cheap likeness of two lines: shared prefix + suffix over the longer
    length (config lines that differ mostly keep their key and indentation)."""
    longest = max(len(x), len(y))
    if longest == 0:
        return 1.0
    limit = min(len(x), len(y))
    prefix = 0
    while prefix < limit and x[prefix] == y[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and x[-1 - suffix] == y[-1 - suffix]:
        suffix += 1
    return (prefix + suffix) / longest


def _pair_block(a_lines: Sequence[str], b_lines: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs (i, j) within a replace block: which changed line became which.
    Equal sizes pair by position; otherwise the pairing of greatest total
    likeness (pairs below _PAIR_SIMILARITY are not paired) when the block is
    small, else by position."""
    n, m = len(a_lines), len(b_lines)
    if n == m or n * m > _PAIRING_CELLS:
        return [(k, k) for k in range(min(n, m))]
    sim = [[_similarity(x, y) for y in b_lines] for x in a_lines]
    # best[i][j]: best total over a[i:], b[j:]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(m - 1, -1, -1):
            score = max(below[j], row[j + 1])
            s = sim[i][j]
            if s >= _PAIR_SIMILARITY and s + below[j + 1] > score:
                score = s + below[j + 1]
            row[j] = score
    pairs = []
    i = j = 0
    while i < n and j < m:
        s = sim[i][j]
        if s >= _PAIR_SIMILARITY and best[i][j] == s + best[i + 1][j + 1]:
            pairs.append((i, j))
            i += 1
            j += 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    if not pairs:
        # nothing alike: still show the block side by side rather than as a
        # deletion followed by an insertion
        return [(k, k) for k in range(min(n, m))]
    return pairs


def align_pair(
    a_lines: Sequence[str],
    b_lines: Sequence[str],
    a_ids: Sequence[int] | None = None,
    b_ids: Sequence[int] | None = None,
) -> tuple[list[int | None], dict[int, list[int]]]:
    """Align b against a. Returns (paired, inserted): paired[i] is the index in
    b of the line shown beside a[i] (equal or changed) or None (deleted);
    inserted[i] lists b's lines shown alone before a[i] (i == len(a): after
    the last line)."""
    if a_ids is None or b_ids is None:
        a_ids, b_ids = intern_lines(a_lines, b_lines)
    n, m = len(a_ids), len(b_ids)
    paired: list[int | None] = [None] * n
    inserted: dict[int, list[int]] = {}
    if a_ids == b_ids:
        return list(range(n)), inserted
    blocks = matching_blocks(a_ids, b_ids)
    blocks.append((n, m, 0))  # sentinel: the end of both
    pa = pb = 0
    for i, j, size in blocks:
        if i > pa or j > pb:
            # a[pa:i] replaced by b[pb:j] (either side may be empty)
            block = _pair_block(a_lines[pa:i], b_lines[pb:j]) if i > pa and j > pb else []
            next_b = pb
            for bi, bj in block:
                if pb + bj > next_b:
                    inserted.setdefault(pa + bi, []).extend(range(next_b, pb + bj))
                paired[pa + bi] = pb + bj
                next_b = pb + bj + 1
            if j > next_b:
                inserted.setdefault(i, []).extend(range(next_b, j))
        paired[i : i + size] = range(j, j + size)
        pa, pb = i + size, j + size
    return paired, inserted


def align_many(
    texts: Sequence[Sequence[str] | None], reference: int = 0
) -> list[list[int | None]]:
    """Rows of a multi-column line diff. Each row holds, per text, the index
    of its line shown on that row or None (padding, or no text at all).
    Every text is aligned against texts[reference]; lines inserted at the
    same place by several texts share rows, top-aligned."""
    ref = texts[reference]
    if ref is None:
        raise ValueError("the reference text is missing")
    present_texts = {k: t for k, t in enumerate(texts) if t is not None}
    present = list(present_texts)
    ids = intern_lines(*present_texts.values())
    ids_of = dict(zip(present, ids))
    alignments: dict[int, tuple[list[int | None], dict[int, list[int]]]] = {}
    for k in present:
        if k != reference:
            alignments[k] = align_pair(ref, present_texts[k], ids_of[reference], ids_of[k])
    columns = len(texts)
    rows: list[list[int | None]] = []
    n = len(ref)
    others = [k for k in present if k != reference]
    gaps: dict[int, int] = {}  # reference line -> rows of insertions before it
    for k in others:
        for i, extra in alignments[k][1].items():
            gaps[i] = max(gaps.get(i, 0), len(extra))
    for i in range(n + 1):
        for g in range(gaps.get(i, 0)):
            row: list[int | None] = [None] * columns
            for k in others:
                inserted = alignments[k][1].get(i)
                if inserted is not None and g < len(inserted):
                    row[k] = inserted[g]
            rows.append(row)
        if i < n:
            row = [None] * columns
            row[reference] = i
            for k in others:
                row[k] = alignments[k][0][i]
            rows.append(row)
    return rows


def changed_spans(old: str | None, new: str | None) -> list[tuple[int, int]]:
    """Character ranges [start, end) of `new` that differ from `old`.

    Common prefix and suffix are trimmed first; a long differing middle is
    one span (a character diff of long texts is slow and unreadable)."""
    if new is None or not new:
        return []
    if old is None or old == new:
        return [] if old == new else [(0, len(new))]
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    old_mid = old[prefix : len(old) - suffix]
    new_mid = new[prefix : len(new) - suffix]
    if not new_mid:
        # only deletions: nothing of `new` to mark, unless digits went out of a number
        # (0.0010 -> 0.001 is another number: mark it whole)
        if any(c in _NUMERIC for c in old_mid):
            return _whole_numbers(new, [(prefix, prefix)])
        return []
    if not old_mid or len(old_mid) + len(new_mid) > _SPAN_DETAIL_CHARS:
        return _whole_numbers(new, [(prefix, prefix + len(new_mid))])
    matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False)
    spans: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "delete" and any(c in _NUMERIC for c in old_mid[i1:i2]):
            spans.append((prefix + j1, prefix + j1))  # digits deleted here: the number around is new
        if tag in ("replace", "insert") and j2 > j1:
            start, end = prefix + j1, prefix + j2
            if spans and start - spans[-1][1] <= 1:
                # a single unchanged character between two changes reads as noise
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((start, end))
    return _whole_numbers(new, spans)


_NUMERIC = frozenset("0123456789.-+eE")  # a deletion of these may change the number it was part of
# a sign only where a number can start (not the hyphens of 2026-01-05); the digits not
# a piece of a longer dotted run (the "4" of v1.2.4 is not a number of its own)
_NUMBER = re.compile(r"(?:(?<![^\s=:(\[{,])[-+])?(?<![\d.])(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def _whole_numbers(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` widened to the whole numbers they touch: in 4100 against 15800 the
    differing characters are "4" and "1", but a reader compares numbers, not
    digits. An empty span (a deletion point) inside or at the edge of a number
    marks that number; elsewhere it marks nothing."""
    if not spans:
        return spans
    numbers = [(m.start(), m.end()) for m in _NUMBER.finditer(text)] if any(c.isdigit() for c in text) else []
    widened: list[tuple[int, int]] = []
    for start, end in spans:
        for a, b in numbers:
            touches = a < end and start < b if end > start else a <= start <= b
            if touches:
                start, end = min(start, a), max(end, b)
        if end > start:
            if widened and start <= widened[-1][1]:
                widened[-1] = (widened[-1][0], max(end, widened[-1][1]))
            else:
                widened.append((start, end))
    return widened
