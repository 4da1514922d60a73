"""README counts come from the data: a number of places, layers, themes or documents that the
README states must be what the build and the catalog hold, so the text cannot drift again."""

import json
import os
import re

from geo.build import CATALOG_DIR, DATA_DIR
from geo.catalog import load_catalog

ROOT = os.path.dirname(DATA_DIR)
NUMBER = r"(\d[\d,]*)"
# Each phrase a count can take in the README, and the fact it must equal.
PATTERNS = {
    "places": [rf"\b{NUMBER} (?:places|features)\b", rf"features / layers \| {NUMBER} /"],
    "layers": [rf"\b{NUMBER} layers\b", rf"\ball {NUMBER} layer files\b",
               rf"features / layers \| [\d,]+ / {NUMBER} \|"],
    "themes": [rf"\b{NUMBER} themes\b"],
    "documents": [rf"\b{NUMBER} documents\b"],
    "mentions": [rf"\b{NUMBER} mentions\b"],
}
LIMIT = re.compile(r"(at most|up to|limit|default|first|per page|max(imum)?)\W*$", re.I)


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
    """Every (what, number, line) the text states."""
    found = []
    for lineno, line in enumerate(text.splitlines(), 1):
        for what, patterns in PATTERNS.items():
            for pattern in patterns:
                for m in re.finditer(pattern, line):
                    if LIMIT.search(line[max(0, m.start() - 24):m.start()]):
                        continue  # "at most 1000 features" is a limit, not a count
                    found.append((what, int(m.group(1).replace(",", "")), lineno))
    return found


def test_readme_counts_are_the_data():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    truth = facts()
    claims = stated(text)
    assert {what for what, _, _ in claims} == set(truth), "README should state every count"
    wrong = [f"README.md line {n}: {v} {what}, the data has {truth[what]}"
             for what, v, n in claims if v != truth[what]]
    assert wrong == [], "\n".join(wrong)


def test_a_drifted_count_is_caught():
    truth = facts()
    text = (f"The atlas holds {truth['places'] - 7} places in {truth['layers']} layers.\n"
            "A page holds at most 1000 features.\n"
            f"| features / layers | {truth['places']} / {truth['layers'] + 1} |")
    wrong = [(what, v) for what, v, _ in stated(text) if v != truth[what]]
    assert wrong == [("places", truth["places"] - 7), ("layers", truth["layers"] + 1)]
