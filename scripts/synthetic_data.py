#!/usr/bin/env python3
"""A copy of a data directory with one synthetic point layer added, for measuring the map at scale.

    python scripts/synthetic_data.py OUT_DIR --points 100000 [--data data/]

The synthetic layer ("synthetic-points", theme of the first theme) holds N points spread over the
data's extent with a fixed seed; each copies the properties of a real point feature (so features
are as heavy as real ones and pass the data contract) under its own id and name. The other files
are copied unchanged, and the layer index and locations.geojson gain the new layer.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYER_ID = "synthetic-points"


def _dump(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def make(out: Path, points: int, data: Path = ROOT / "data", seed: int = 10) -> Path:
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(data, out, ignore=shutil.ignore_patterns("catalog", ".build-journal*", "*.tmp-*", "*.bak-*"))
    index = json.loads((out / "layers" / "index.json").read_text(encoding="utf-8"))
    locations = json.loads((out / "locations.geojson").read_text(encoding="utf-8"))
    template = next(f for f in locations["features"] if f["geometry"]["type"] == "Point")
    minx, miny, maxx, maxy = [b for b in index["layers"][0]["bbox"]] if index["layers"][0].get("bbox") else (108, 24, 119, 37)
    minx, miny, maxx, maxy = min(minx, 108.0), min(miny, 24.5), max(maxx, 119.0), max(maxy, 36.5)
    rng = random.Random(seed)
    theme = index["themes"][0]
    feats = []
    for i in range(points):
        f = copy.deepcopy(template)
        f["id"] = f"synthetic-{i:06d}"
        f["geometry"] = {"type": "Point", "coordinates": [round(rng.uniform(minx, maxx), 6), round(rng.uniform(miny, maxy), 6)]}
        props = f["properties"]
        props["name"] = f"Synthetic place {i}"
        props["name_zh"] = ""
        props["aliases"] = []
        props["layer"] = LAYER_ID
        props["theme"] = theme["id"]
        feats.append(f)
    _dump(out / "layers" / f"{LAYER_ID}.geojson", {"type": "FeatureCollection", "features": feats})
    index["layers"].append({"id": LAYER_ID, "title": f"Synthetic points ({points:,})", "theme": theme["id"],
                            "description": "Synthetic points for the benchmark.", "colour": "#475569",
                            "visible": True, "geometry_types": ["Point"], "count": points,
                            "bbox": [minx, miny, maxx, maxy], "file": f"layers/{LAYER_ID}.geojson"})
    theme["layers"].append(LAYER_ID)
    _dump(out / "layers" / "index.json", index)
    locations["features"].extend(feats)
    _dump(out / "locations.geojson", locations)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--data", default=str(ROOT / "data"))
    args = parser.parse_args(argv)
    make(Path(args.out), args.points, Path(args.data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
