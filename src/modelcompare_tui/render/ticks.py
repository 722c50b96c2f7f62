"""Axis ticks for the headless charts: round linear ticks, log10 ticks labelled
with the original numbers, short tick labels, and range helpers. Pure math,
held inside the float range (an axis may reach ±1.8e308)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

from ..core.scalars import format_number

SAFE_EXPONENT = 500  # plotext and the rasteriser compute in data units: keep them far from overflow

__all__ = ["MAX_LOG10", "SAFE_EXPONENT", "axis_exponent", "axis_fraction", "log_ticks", "nice_ticks", "tick_text",
           "widen_range", "with_end_ticks"]


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About `count` round numbers (steps of 1, 2, 2.5 or 5 × 10^k) in
    [lo, hi]; at least two whenever the range is not a single value."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        return [lo]
    raw = hi / max(1, count) - lo / max(1, count)  # (hi - lo) / count overflows for -1e308..1e308
    mag = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 0.0
    if not (mag > 0 and math.isfinite(raw)):  # a range a few subnormals wide: its ends
        return [lo, hi]
    steps = [m * mag for m in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10)]
    k = next((i for i, step in enumerate(steps) if step >= raw * (1 - 1e-9)), len(steps) - 1)

    def ticks_with(step: float) -> list[float]:
        first = math.ceil(lo / step - 1e-9) * step
        digits = max(0, 2 - math.floor(math.log10(step)))  # 0.6000000000000001 -> 0.6
        out = []
        j = 0
        while first + j * step <= hi + step * 1e-9 and j < 100:
            value = round(first + j * step, digits)
            out.append(0.0 if abs(value) < step * 1e-9 else value)
            j += 1
        return out

    try:
        ticks = ticks_with(steps[k])
        while len(ticks) < 2 and k > 0:
            k -= 1
            ticks = ticks_with(steps[k])
    except (OverflowError, ValueError):  # lo / step beyond float range: a range tiny next to its values
        return [lo, hi]
    # a range a few floats wide rounds ticks onto each other and past its ends
    slack = (hi * 0.5 - lo * 0.5) * 2e-9
    ticks = [t for t in dict.fromkeys(ticks) if math.isfinite(t) and lo - slack <= t <= hi + slack]
    return ticks if len(ticks) >= 2 else [lo, hi]


def axis_fraction(value: float, lo: float, hi: float) -> float:
    """(value - lo) / (hi - lo), computed on halves: no difference of two
    finite floats overflows then (1e308 - -1e308 would be inf)."""
    span = hi * 0.5 - lo * 0.5
    if not span > 0:
        return 0.0
    return (value * 0.5 - lo * 0.5) / span


def widen_range(lo: float, hi: float, pad: float) -> tuple[float, float]:
    """A range of one value made `pad` wide either side; relative to the value
    where +-pad would be lost in rounding (1e308 + 0.5 == 1e308), and kept
    within float range."""
    if hi > lo:
        return lo, hi
    pad = max(pad, abs(lo) * 2.0**-40)
    if not math.isfinite(hi + pad):
        return lo - 2 * pad, hi
    if not math.isfinite(lo - pad):
        return lo, hi + 2 * pad
    return lo - pad, hi + pad


def axis_exponent(lo: float, hi: float) -> int:
    """k such that the range times 2**k lies within 2**-500..2**500 in
    magnitude (0 when it does already). Scaling by a power of two is exact, so
    positions keep their order and ratios; ticks are labelled in data units."""
    magnitude = max(abs(lo), abs(hi))
    if magnitude == 0 or 2.0**-SAFE_EXPONENT <= magnitude <= 2.0**SAFE_EXPONENT:
        return 0
    return -math.frexp(magnitude)[1]


def tick_text(value: float) -> str:
    """Short tick label: 0.25, 950, 1200, 12.5k, 3M, 1e-05."""
    if value == 0 or not math.isfinite(value):
        return format_number(value, 3)
    magnitude = abs(value)
    if magnitude >= 1e15:  # past T: "1e+308", not "1e+296T"
        return format_number(value, 3)
    if magnitude >= 1e4:
        for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
            if magnitude >= scale:
                return f"{value / scale:.3g}{suffix}"
    if magnitude >= 1e-3:
        return f"{value:.4g}"
    return format_number(value, 2)


def log_ticks(lo: float, hi: float, count: int) -> list[tuple[float, str]]:
    """Ticks of a log10 axis given in log units, labelled with the original
    numbers: whole decades when the range spans several, else the 1-2-5
    values inside it, else round values."""
    top = min(hi, MAX_LOG10)  # 10**309 is beyond float range: no tick there
    if hi - lo >= 2:
        step = max(1, math.ceil((hi - lo) / max(1, count)))
        first = math.ceil(lo)
        return [(float(d), tick_text(10.0**d)) for d in range(first, math.floor(top) + 1, step)]
    ticks = [
        (math.log10(m * 10.0**d), tick_text(m * 10.0**d))
        for d in range(math.floor(lo) - 1, min(math.ceil(hi) + 1, 309))
        for m in (1, 2, 5)
        if m * 10.0**d > 0 and math.isfinite(m * 10.0**d) and lo - 1e-12 <= math.log10(m * 10.0**d) <= hi + 1e-12
    ]
    if 2 <= len(ticks) <= count + 2:
        return ticks
    values = nice_ticks(_pow10(lo), _pow10(top), count)
    return [(math.log10(v), tick_text(v)) for v in values if v > 0]


MAX_LOG10 = math.log10(1.7976931348623157e308)


def _pow10(exponent: float) -> float:
    """10**exponent, held at the largest float: log10(max float) rounds up, so
    10**MAX_LOG10 itself overflows."""
    try:
        return 10.0**exponent
    except OverflowError:
        return sys.float_info.max



def with_end_ticks(
    ticks: list[tuple[float, str]],
    lo: float,
    hi: float,
    label: Callable[[float], str],
    cells: int,
    gap: float,
    *,
    centred: bool,
) -> list[tuple[float, str]]:
    """`ticks` with both ends of the axis [lo, hi] labelled (`label` of each
    end), less the round ticks that would crowd them: a reader wants the range
    a chart covers, not only the round numbers inside it. `cells`: the axis
    length in cells (columns of an x axis, rows of a y axis); `gap`: the cells
    kept between an end's label and a round tick's; `centred`: labels centred
    on their position along the axis (x), so half of both widths count too."""
    if not (hi > lo and math.isfinite(lo) and math.isfinite(hi)) or cells < 2:
        return ticks
    ends = [(lo, label(lo)), (hi, label(hi))]
    if ends[0][1] == ends[1][1]:  # a range too narrow for its labels to differ
        return ticks

    def crowds(tick: tuple[float, str], end: tuple[float, str]) -> bool:
        room = gap + (len(tick[1]) + len(end[1])) / 2 if centred else gap
        return abs(axis_fraction(tick[0], lo, hi) - axis_fraction(end[0], lo, hi)) * (cells - 1) < room

    inner = [t for t in ticks if lo < t[0] < hi and not any(crowds(t, end) for end in ends)]
    return [ends[0], *inner, ends[1]]
