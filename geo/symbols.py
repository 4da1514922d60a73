"""How the map draws each layer: a colour per theme and a shape (points) or dash (lines, areas) per
layer within its theme, so that every layer has its own symbol and none depends on colour alone.

Colours are Okabe and Ito's palette ("Color Universal Design", 2008), chosen to stay apart for
readers with protanopia, deuteranopia and tritanopia; the yellow is left out (it vanishes on the
light base). Within a theme layers differ by shape or dash, which needs no colour vision at all.
Outlines (point edges, lines, area borders) are darkened until they reach WCAG's 3:1 contrast for
graphics against the offline base's land colour, so light fills stay visible.
"""

from __future__ import annotations

from typing import Iterable, Mapping

OKABE_ITO = ("#0072B2", "#D55E00", "#CC79A7", "#009E73", "#E69F00", "#56B4E9", "#000000")
POINT_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "pentagon", "hexagon", "star")
DASHES = ("", "8 4", "2 4", "12 4 2 4", "4 4")
LAND = "#f6f3ea"           # the offline base's land fill (atlas.js)
MIN_GRAPHIC_CONTRAST = 3.0  # WCAG 2.1 SC 1.4.11, non-text contrast


def _channel(c: float) -> float:
    c = c / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def darken(colour: str, factor: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


def outline_for(colour: str, background: str = LAND) -> str:
    """``colour``, darkened in steps until it stands 3:1 against ``background``."""
    out, factor = colour.lower(), 1.0
    while contrast(out, background) < MIN_GRAPHIC_CONTRAST and factor > 0.05:
        factor -= 0.05
        out = darken(colour, factor)
    return out


def assign(themes: Iterable[Mapping], layers: Iterable[Mapping]) -> dict[str, dict]:
    """``{layer id: {colour, outline, shape, dash}}``: the theme's palette colour (by theme order)
    and the layer's shape and dash by its place in the theme. Themes beyond the palette reuse its
    colours with shapes offset, so every (colour, shape) pair stays unique."""
    layer_theme = {str(l.get("id")): str(l.get("theme")) for l in layers}
    out: dict[str, dict] = {}
    for t, theme in enumerate(themes):
        colour = OKABE_ITO[t % len(OKABE_ITO)]
        offset = (t // len(OKABE_ITO)) * 3
        members = [lid for lid in theme.get("layers") or () if lid in layer_theme]
        for i, lid in enumerate(members):
            out[lid] = {
                "colour": colour,
                "outline": outline_for(colour),
                "shape": POINT_SHAPES[(i + offset) % len(POINT_SHAPES)],
                "dash": DASHES[(i + offset) % len(DASHES)],
            }
    # A layer in no theme still gets a symbol of its own.
    for i, lid in enumerate(l for l in layer_theme if l not in out):
        colour = OKABE_ITO[-1]
        out[lid] = {"colour": colour, "outline": outline_for(colour),
                    "shape": POINT_SHAPES[(i + 4) % len(POINT_SHAPES)], "dash": DASHES[i % len(DASHES)]}
    return out
