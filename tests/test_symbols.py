"""Layer symbols: unique per layer, colour-blind-safe palette, outlines that stand out on the base."""

from __future__ import annotations

import json
from pathlib import Path

from geo import symbols

DATA = Path(__file__).resolve().parents[1] / "data" / "layers" / "index.json"


def test_contrast_matches_wcag_examples():
    assert round(symbols.contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(symbols.contrast("#777777", "#ffffff"), 2) == 4.48


def test_every_layer_has_its_own_symbol_and_outlines_reach_3_to_1():
    index = json.loads(DATA.read_text(encoding="utf-8"))
    assigned = symbols.assign(index["themes"], index["layers"])
    assert set(assigned) == {l["id"] for l in index["layers"]}
    pairs = [(s["colour"], s["shape"], s["dash"]) for s in assigned.values()]
    assert len(set(pairs)) == len(pairs)
    for s in assigned.values():
        assert s["colour"] in symbols.OKABE_ITO
        assert symbols.contrast(s["outline"], symbols.LAND) >= symbols.MIN_GRAPHIC_CONTRAST
    # Within a theme the layers differ by shape: no reader needs colour to tell them apart.
    for theme in index["themes"]:
        shapes = [assigned[l]["shape"] for l in theme["layers"]]
        assert len(set(shapes)) == len(shapes), theme["id"]


def test_more_themes_than_colours_still_give_unique_symbols():
    themes = [{"id": f"t{i}", "layers": [f"t{i}-a", f"t{i}-b"]} for i in range(10)]
    layers = [{"id": lid, "theme": t["id"]} for t in themes for lid in t["layers"]] + [{"id": "loose", "theme": None}]
    assigned = symbols.assign(themes, layers)
    pairs = [(s["colour"], s["shape"]) for s in assigned.values()]
    assert len(assigned) == 21 and len(set(pairs)) == len(pairs)
