"""Benchmark the data side: build time, geocoder throughput, output sizes, vertex counts.

Run with ``make bench`` (or ``.venv/bin/python scripts/bench_build.py``). Prints a Markdown
table for the README. Figures vary with the machine; the README records those of the 2-core
development machine.
"""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from geo.build import CATALOG_DIR, DATA_DIR, build  # noqa: E402
from geo.catalog import load_catalog  # noqa: E402
from geo.gazetteer import Gazetteer  # noqa: E402
from geo.geocoder import Geocoder  # noqa: E402


def timed_cli_builds(runs: int) -> list[float]:
    """Wall time of the whole `python -m geo build`, a fresh process each run."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "geo", "build", "--out", out], cwd=ROOT,
                           check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return times


def geocoder_throughput(gazetteer: Gazetteer, seconds: float = 2.0) -> tuple[float, int]:
    """Lookups per second over every reference in the catalog, cycled for ``seconds``."""
    refs = [ref for e in load_catalog(CATALOG_DIR).entries for ref in e.recipe.refs]
    geocoder = Geocoder(gazetteer)
    for ref in refs:  # warm the interior-point cache: steady state is what is measured
        geocoder.geocode(ref)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for ref in refs:
            geocoder.geocode(ref)
        n += len(refs)
    return n / (time.perf_counter() - start), len(refs)


def size_row(label: str, paths: list[str]) -> tuple[str, int, int]:
    raw = gz = 0
    for path in paths:
        with open(path, "rb") as fh:
            data = fh.read()
        raw += len(data)
        gz += len(gzip.compress(data, 6))
    return label, raw, gz


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    times = timed_cli_builds(runs)
    start = time.perf_counter()
    gazetteer = Gazetteer.from_packages()
    load_s = time.perf_counter() - start
    rate, nrefs = geocoder_throughput(gazetteer)
    stats = build(CATALOG_DIR, gazetteer=gazetteer, progress=lambda m: None).stats

    layers = os.path.join(DATA_DIR, "layers")
    layer_files = sorted(os.path.join(layers, f) for f in os.listdir(layers)
                         if f.endswith(".geojson"))
    sizes = [size_row("data/locations.geojson", [os.path.join(DATA_DIR, "locations.geojson")]),
             size_row(f"all {len(layer_files)} layer files", layer_files),
             size_row("data/base/provinces.geojson",
                      [os.path.join(DATA_DIR, "base", "provinces.geojson")])]

    print("| measure | value |")
    print("| --- | --- |")
    print(f"| full build, `python -m geo build` (median of {runs}, fresh process) | "
          f"{statistics.median(times):.1f} s (min {min(times):.1f}, max {max(times):.1f}) |")
    print(f"| gazetteer load | {load_s:.1f} s |")
    print(f"| geocoder lookups once loaded ({nrefs} catalog references, cycled) | "
          f"{rate:,.0f} /s |")
    print(f"| features / layers | {stats['features']} / {stats['layers']} |")
    cb, ca = stats["county_vertices"]
    pb, pa = stats["province_vertices"]
    print(f"| county-level units: vertices before -> after coverage simplification | "
          f"{cb:,} -> {ca:,} |")
    print(f"| provinces: vertices before -> after | {pb:,} -> {pa:,} |")
    for label, raw, gz in sizes:
        print(f"| {label}: raw / gzip | {raw / 1024:,.0f} KiB / {gz / 1024:,.0f} KiB |")


if __name__ == "__main__":
    main()
