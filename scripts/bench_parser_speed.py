"""Speed of the geoparser: load time and characters per second, against named baselines.

    python scripts/bench_parser_speed.py [--repeat N]

Text: the five seed documents in ../shared/seeds when present, else text assembled from the
catalog (names, descriptions and mentions of data/locations.geojson). Baselines, measured in the
same run on the same text:

* ``str.find scan``: a plain ``str.find`` of every lexicon name (the naive matcher);
* ``raw pyahocorasick``: one bare iteration of the parser's automaton (the floor for matching).

Load is compared with loading the atlas's gazetteer alone (``Gazetteer.from_packages``).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)


def corpus() -> tuple[str, str]:
    seeds = sorted(glob.glob(os.path.join(REPO, "..", "shared", "seeds", "*.txt")))
    if not seeds:
        seeds = sorted(glob.glob("/work/shared/seeds/*.txt"))
    if seeds:
        parts = [open(p, encoding="utf-8").read() for p in seeds]
        return "\n\n".join(parts), f"{len(seeds)} seed documents"
    with open(os.path.join(REPO, "data", "locations.geojson"), encoding="utf-8") as fh:
        fc = json.load(fh)
    parts = []
    for f in fc["features"]:
        p = f["properties"]
        parts.append(f"{p['name']} ({p.get('name_zh', '')}): {p.get('description', '')} "
                     + " ".join(s["mention"] for s in p.get("sources", [])))
    return "\n".join(parts), "text assembled from the catalog"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from geo.gazetteer import Gazetteer
    Gazetteer.from_packages()
    gaz_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    from geo.parse import load_parser
    parser = load_parser()
    load_s = time.perf_counter() - t0

    text, label = corpus()
    # Warm the per-unit point cache once, as a running app has.
    parser.extract(text)
    big = "\n\n".join([text] * 5)
    n = len(big)

    def best(fn):
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    parse_s = best(lambda: parser.extract(big))
    low = big.lower()
    auto = parser.finder.automaton
    raw_s = best(lambda: sum(1 for _ in auto.iter(low)))
    keys = list(parser.lexicon.senses)
    # The str.find baseline over all names takes long: time it on a slice and scale.
    piece = low[: max(2000, n // 50)]
    t = time.perf_counter()
    for k in keys:
        i = piece.find(k)
        while i >= 0:
            i = piece.find(k, i + 1)
    find_s = (time.perf_counter() - t) * (n / len(piece))

    mentions = len(parser.extract(big)["mentions"])
    rows = [
        ("text", f"{label}, x5: {n:,} characters, {mentions} mentions"),
        ("names in the lexicon", f"{len(keys):,}"),
        ("parser (find + resolve)", f"{n / parse_s:,.0f} chars/s"),
        ("baseline: raw pyahocorasick iteration", f"{n / raw_s:,.0f} chars/s "
         f"(parser takes {parse_s / raw_s:.1f}x its time)"),
        ("baseline: str.find of every name", f"{n / find_s:,.0f} chars/s "
         f"(parser is {find_s / parse_s:.0f}x faster)"),
        ("load_parser()", f"{load_s:.2f} s"),
        ("baseline: Gazetteer.from_packages() alone", f"{gaz_s:.2f} s "
         f"(the parser's load is {load_s / gaz_s:.2f}x it, gazetteer shared)"),
    ]
    width = max(len(r[0]) for r in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
