"""A small stand-in for ``geo.parse.Parser`` with the same ``extract`` contract, for handler and
page tests that must not depend on the gazetteer: it knows a handful of names and answers each the
way the real parser would shape it (offsets, kind, province, codes, WGS84 point, precision,
confidence, basis, candidates with why not). The real parser is tested end to end beside it."""

from __future__ import annotations

import re

# name -> (kind, province, adcode, geonameid, lon, lat, precision, confidence, basis, candidates)
PLACES = {
    "Hubei Province": ("province", "Hubei", "420000", None, 112.27, 30.98, 4, 0.99, "province name with its suffix", []),
    "Wuhan": ("prefecture", "Hubei", "420100", 1791247, 114.2667, 30.5833, 3, 0.97, "prefecture-level city, unique name", []),
    "Changsha": ("prefecture", "Hunan", "430100", 1815577, 112.9389, 28.2278, 3, 0.97, "prefecture-level city, unique name", []),
    "Taizhou": ("prefecture", "Jiangsu", "321200", 1793424, 119.9083, 32.4906, 3, 0.55,
                "two prefecture-level cities share the name; Jiangsu is named in the passage",
                [{"name": "Taizhou", "province": "Zhejiang", "adcode": "331000", "lon": 121.4208, "lat": 28.6561,
                  "why_not": "Zhejiang is not named in the passage"},
                 {"name": "Taizhou", "province": "Hubei", "geonameid": 999, "lon": 113.0, "lat": 31.0,
                  "why_not": "a village, below the level the text implies"}]),
    "武汉": ("prefecture", "Hubei", "420100", 1791247, 114.2667, 30.5833, 3, 0.97, "地级市", []),
    "Atlantis": ("other", None, None, None, None, None, None, 0.2, "no gazetteer knows it",
                 [{"name": "Atlantis", "province": None, "geonameid": 4180386, "lon": -84.1, "lat": 33.7,
                   "why_not": "a town abroad; the text is about China"}]),
}
PATTERN = re.compile("|".join(re.escape(n) for n in sorted(PLACES, key=len, reverse=True)))


class FakeParser:
    def __init__(self):
        self.calls = []

    def extract(self, text, *, lang="auto"):
        self.calls.append((len(text), lang))
        language = lang if lang in ("en", "zh") else ("zh" if re.search(r"[\u4e00-\u9fff]", text) else "en")
        mentions = []
        for match in PATTERN.finditer(text):
            kind, province, adcode, geonameid, lon, lat, precision, confidence, basis, candidates = PLACES[match.group()]
            mentions.append({
                "start": match.start(), "end": match.end(), "text": match.group(), "kind": kind,
                "province": province, "adcode": adcode, "geonameid": geonameid, "lon": lon, "lat": lat,
                "precision": precision, "confidence": confidence, "basis": basis,
                "candidates": [dict(c) for c in candidates],
                "catalog_id": "city-wuhan" if match.group() in ("Wuhan", "武汉") else None,
            })
        return {"language": language, "mentions": mentions}
