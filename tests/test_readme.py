"""README counts come from the data: the numbers of places, layers, themes, documents and mentions
the README states for the atlas must be what the build and the catalog hold, so the text cannot
drift again (it once said 109 places when there were 116)."""

import json
import os
import re

from geo.build import CATALOG_DIR, DATA_DIR
from geo.catalog import load_catalog

ROOT = os.path.dirname(DATA_DIR)
NUMBER = r"(\d[\d,]*)"
# Where the README states the atlas's own counts, and the fact each number must equal. Other
# sections count other things (a parser's test mentions, features per page) and are not matched.
ATLAS = (rf"The atlas holds {NUMBER} places in {NUMBER} layers under {NUMBER} themes, from "
         rf"{NUMBER} documents quoted in {NUMBER} mentions")
PATTERNS = [
    (ATLAS, ("places", "layers", "themes", "documents", "mentions")),
    (rf"features / layers \| {NUMBER} / {NUMBER} \|", ("places", "layers")),
    (rf"\ball {NUMBER} layer files\b", ("layers",)),
]


def facts():
    with open(os.path.join(DATA_DIR, "layers", "index.json"), encoding="utf-8") as fh:
        index = json.load(fh)
    with open(os.path.join(DATA_DIR, "locations.geojson"), encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    catalog = load_catalog(CATALOG_DIR)
    return {"places": len(features), "layers": len(index["layers"]),
            "themes": len(index["themes"]), "documents": len(catalog.documents),
            "mentions": sum(len(e.sources) for e in catalog.entries)}


def stated(text):
    """Every (what, number, line) the text states about the atlas."""
    found = []
    flat = " ".join(text.split())  # the atlas sentence may wrap
    for pattern, whats in PATTERNS:
        for m in re.finditer(pattern, flat):
            line = text.count("\n", 0, _position(text, flat, m.start())) + 1
            found += [(what, int(m.group(i + 1).replace(",", "")), line)
                      for i, what in enumerate(whats)]
    return found


def _position(text, flat, index):
    """Index in ``text`` of the character at ``index`` of its whitespace-collapsed form."""
    words_before = len(flat[:index].split())
    pos = 0
    for _ in range(words_before):
        pos = re.compile(r"\S+").search(text, pos).end()
    return pos


def test_readme_counts_are_the_data():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    truth = facts()
    claims = stated(text)
    assert {what for what, _, _ in claims} == set(truth), (
        "README should state the atlas's counts: 'The atlas holds N places in N layers under N "
        "themes, from N documents quoted in N mentions'")
    wrong = [f"README.md line {n}: {v} {what}, the data has {truth[what]}"
             for what, v, n in claims if v != truth[what]]
    assert wrong == [], "\n".join(wrong)


def test_a_drifted_count_is_caught():
    truth = facts()
    text = (f"The atlas holds {truth['places'] - 7} places in {truth['layers']} layers\nunder "
            f"{truth['themes']} themes, from {truth['documents']} documents quoted in "
            f"{truth['mentions']} mentions.\nA page holds 7 features; 964 mentions in a test set.\n"
            f"| features / layers | {truth['places']} / {truth['layers'] + 1} |")
    claims = stated(text)
    wrong = [(what, v, n) for what, v, n in claims if v != truth[what]]
    assert wrong == [("places", truth["places"] - 7, 1), ("layers", truth["layers"] + 1, 4)]
    assert len(claims) == 7
