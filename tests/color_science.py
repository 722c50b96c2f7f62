"""Colour science for the palette tests, in pure Python (no new dependency).

- WCAG 2.x relative luminance and contrast ratio;
- sRGB (D65) -> CIE XYZ -> CIELAB, and the CIEDE2000 colour difference
  (Sharma, Wu & Dalal 2005, whose test pairs `tests/test_palette.py` checks);
- colour-vision deficiency simulation with the Machado, Oliveira & Fernandes
  (2009) matrices at severity 1.0 (protanopia, deuteranopia, tritanopia),
  applied in linear RGB as the paper and colorspacious do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

RGB = tuple[float, float, float]
Lab = tuple[float, float, float]


def hex_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    if len(c) != 6:
        raise ValueError(f"not a #rrggbb colour: {color!r}")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def rgb_hex(rgb: Sequence[float]) -> str:
    """#rrggbb of 0..1 sRGB channels (clipped)."""
    return "#" + "".join(f"{round(min(1.0, max(0.0, v)) * 255):02x}" for v in rgb)


# -- sRGB transfer -----------------------------------------------------------------------


def to_linear(v: float) -> float:
    """One sRGB channel (0..1) to linear light."""
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def from_linear(v: float) -> float:
    v = min(1.0, max(0.0, v))
    return 12.92 * v if v <= 0.0031308 else 1.055 * v ** (1 / 2.4) - 0.055


def linear_rgb(color: str) -> RGB:
    r, g, b = hex_rgb(color)
    return to_linear(r / 255), to_linear(g / 255), to_linear(b / 255)


# -- WCAG ----------------------------------------------------------------------------------


def relative_luminance(color: str) -> float:
    r, g, b = linear_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def blend(top: str, alpha: float, bottom: str) -> str:
    """`top` at `alpha` over `bottom`, as Textual mixes colours (in sRGB)."""
    t, b = hex_rgb(top), hex_rgb(bottom)
    return rgb_hex([(b[i] + (t[i] - b[i]) * alpha) / 255 for i in range(3)])


# -- CIELAB -------------------------------------------------------------------------------

_WHITE = (0.95047, 1.0, 1.08883)  # D65


def _lab_f(t: float) -> float:
    return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29


def linear_to_lab(rgb: RGB) -> Lab:
    r, g, b = rgb
    x = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b
    fx, fy, fz = (_lab_f(v / w) for v, w in zip((x, y, z), _WHITE))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def lab(color: str) -> Lab:
    return linear_to_lab(linear_rgb(color))


def ciede2000(lab1: Lab, lab2: Lab, kl: float = 1.0, kc: float = 1.0, kh: float = 1.0) -> float:
    """CIEDE2000 colour difference of two CIELAB colours."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    c_bar = (c1 + c2) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dlp = l2 - l1
    dcp = c2p - c1p
    if c1p * c2p == 0:
        dhp = 0.0
    else:
        dhp = h2p - h1p
        if dhp > 180:
            dhp -= 360
        elif dhp < -180:
            dhp += 360
    dhp_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))
    lp_bar = (l1 + l2) / 2
    cp_bar = (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_bar = (h1p + h2p + 360) / 2
    else:
        hp_bar = (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(hp_bar - 30)) + 0.24 * math.cos(math.radians(2 * hp_bar))
         + 0.32 * math.cos(math.radians(3 * hp_bar + 6)) - 0.20 * math.cos(math.radians(4 * hp_bar - 63)))
    d_theta = 30 * math.exp(-(((hp_bar - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    sl = 1 + 0.015 * (lp_bar - 50) ** 2 / math.sqrt(20 + (lp_bar - 50) ** 2)
    sc = 1 + 0.045 * cp_bar
    sh = 1 + 0.015 * cp_bar * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt((dlp / (kl * sl)) ** 2 + (dcp / (kc * sc)) ** 2 + (dhp_big / (kh * sh)) ** 2
                     + rt * (dcp / (kc * sc)) * (dhp_big / (kh * sh)))


def delta_e(a: str, b: str) -> float:
    return ciede2000(lab(a), lab(b))


# -- colour-vision deficiency -----------------------------------------------------------

# Machado, Oliveira & Fernandes (2009), severity 1.0, linear RGB
MACHADO: dict[str, tuple[RGB, RGB, RGB]] = {
    "protanopia": ((0.152286, 1.052583, -0.204868),
                   (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968),
                     (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779),
                   (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def simulate(color: str, deficiency: str) -> str:
    """`color` as seen with `deficiency` (a key of MACHADO), as #rrggbb."""
    m = MACHADO[deficiency]
    lin = linear_rgb(color)
    out = [min(1.0, max(0.0, sum(m[i][j] * lin[j] for j in range(3)))) for i in range(3)]
    return rgb_hex([from_linear(v) for v in out])


def min_pairwise_delta_e(colors: Sequence[str], deficiency: str | None = None) -> tuple[float, str, str]:
    """The smallest CIEDE2000 between any two of `colors` (as seen with
    `deficiency`, when given) and the pair."""
    seen = [simulate(c, deficiency) if deficiency else c for c in colors]
    best = (math.inf, "", "")
    for i in range(len(seen)):
        for j in range(i + 1, len(seen)):
            d = delta_e(seen[i], seen[j])
            if d < best[0]:
                best = (d, colors[i], colors[j])
    return best
