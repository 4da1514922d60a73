"""What POST /api/extract costs on top of the parser it wraps.

    python scripts/bench_extract.py [--repeat N] [--kb K]

One text (the seed documents in ../shared/seeds when present, else the catalog's own mentions and
descriptions, repeated up to K kilobytes) is mapped N times three ways, in turn in each of N rounds:

* baseline: ``Parser.extract(text)`` called directly;
* ``POST /api/extract`` with JSON, through the app in-process (Flask's test client: request
  reading, limits, JSON in and out, no network);
* ``POST /api/extract`` with a multipart .txt upload (the MIME split and the document reader too).

It prints the median seconds and characters per second of each, and each route's time as a ratio
of the baseline's.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)


def corpus(kb: int) -> tuple[str, str]:
    seeds = sorted(glob.glob(os.path.join(REPO, "..", "shared", "seeds", "*.txt")))
    if seeds:
        text, what = "\n\n".join(open(p, encoding="utf-8").read() for p in seeds), "the five seed documents"
    else:
        with open(os.path.join(REPO, "data", "locations.geojson"), encoding="utf-8") as fh:
            features = json.load(fh)["features"]
        text = "\n".join(f"{f['properties']['description']} {s['mention']}."
                         for f in features for s in f["properties"]["sources"])
        what = "the catalog's descriptions and mentions"
    while len(text.encode("utf-8")) < kb * 1024:
        text += "\n\n" + text
    data = text.encode("utf-8")[: kb * 1024]
    return data.decode("utf-8", "ignore"), what


def interleaved(fns, repeat: int) -> list[float]:
    """Median seconds of each function, run in turn in every round so that a shared machine's
    changing load falls on all of them alike."""
    times = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main(argv=None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--repeat", type=int, default=5)
    args.add_argument("--kb", type=int, default=256, help="text size in kB (at most 2048, the route's limit)")
    opts = args.parse_args(argv)
    from urllib3 import encode_multipart_formdata

    from app import create_app
    from geo.parse import load_parser

    text, what = corpus(min(opts.kb, 2048))
    parser = load_parser()
    client = create_app({"PARSER": parser}).test_client()
    body, content_type = encode_multipart_formdata({"file": ("doc.txt", text.encode("utf-8"), "text/plain")})
    count = len(parser.extract(text)["mentions"])

    def via_json():
        response = client.post("/api/extract", json={"text": text})
        assert response.status_code == 200 and len(response.get_json()["mentions"]) == count

    def via_upload():
        response = client.post("/api/extract", data=body, content_type=content_type)
        assert response.status_code == 200, response.get_json()

    base, json_route, upload_route = interleaved([lambda: parser.extract(text), via_json, via_upload], opts.repeat)
    print(f"text: {what}, {len(text):,} characters, {len(text.encode('utf-8')):,} bytes, {count:,} mentions; "
          f"median of {opts.repeat}")
    for name, seconds in (("Parser.extract (baseline)", base), ("POST /api/extract, JSON", json_route),
                          ("POST /api/extract, .txt upload", upload_route)):
        print(f"{name:32} {seconds:7.3f} s  {len(text) / seconds:12,.0f} chars/s  {seconds / base:5.2f}x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
