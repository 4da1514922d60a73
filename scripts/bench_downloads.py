"""Sizes and making times of the GIS downloads, against the GeoJSON of the same places.

    .venv/bin/python scripts/bench_downloads.py [--data DIR]

For every place (``/download/locations.<ext>``): bytes, gzip bytes and the ratio to
locations.geojson; and the seconds GDAL takes to make the file, beside the seconds to serialise
the same features as GeoJSON (json.dumps), measured in the same run.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.downloads import ALL, GIS_FORMATS, Downloads  # noqa: E402
from geo.store import Store  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[1] / "data"))
    args = parser.parse_args()
    store = Store.load(args.data)
    base = store.locations
    features = json.loads(base.body)
    started = time.perf_counter()
    json.dumps(features, ensure_ascii=False, separators=(",", ":"))
    base_seconds = time.perf_counter() - started
    print(f"{'format':8} {'bytes':>10} {'gzip':>9} {'x geojson':>9} {'seconds':>8} {'x dumps':>8}")
    print(f"{'geojson':8} {len(base.body):>10,} {len(base.gzipped):>9,} {1:>9.2f} {base_seconds:>8.3f} {1:>8.0f}")
    made = Downloads(store)
    for ext in GIS_FORMATS:
        started = time.perf_counter()
        blob = made.blob(ALL, ext)
        seconds = time.perf_counter() - started
        print(f"{ext:8} {len(blob.body):>10,} {len(blob.gzipped):>9,} {len(blob.body) / len(base.body):>9.2f} "
              f"{seconds:>8.3f} {seconds / base_seconds:>8.0f}")


if __name__ == "__main__":
    main()
