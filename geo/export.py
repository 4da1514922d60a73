"""GeoJSON serialisation and all-or-nothing writing of the build outputs."""

from __future__ import annotations

import json
import os

from shapely.geometry import mapping

DECIMALS = 6


def _round(value, decimals: int = DECIMALS):
    if isinstance(value, float):
        return round(value, decimals)
    if isinstance(value, (list, tuple)):
        return [_round(v, decimals) for v in value]
    return value


def geometry_json(geometry) -> dict:
    """GeoJSON geometry object with coordinates rounded to 6 decimals (about 0.1 m)."""
    geo = mapping(geometry)
    return {"type": geo["type"], "coordinates": _round(geo["coordinates"])}


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def dumps(obj) -> bytes:
    """Compact, deterministic UTF-8 JSON (Chinese names stay readable, no escapes)."""
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def bounds(features: list[dict]) -> list[float] | None:
    """[minx, miny, maxx, maxy] of GeoJSON features, or None for none."""
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for f in features:
        walk(f["geometry"]["coordinates"])
    if not xs:
        return None
    return [min(xs), min(ys), max(xs), max(ys)]


def write_outputs(root: str, outputs: dict[str, bytes], prune: dict[str, str] | None = None):
    """Write every output or none.

    All files are first written beside their targets as temporary files and synced; only
    when every one is on disk are they renamed into place (each rename is atomic). If any
    write fails, the temporary files are removed and the previous outputs stay as they were.

    Parameters
    ----------
    root : str
        Directory the relative paths of ``outputs`` are under.
    outputs : dict
        Relative path -> bytes.
    prune : dict, optional
        Directory (relative) -> file suffix: files there with that suffix that are not among
        the outputs are stale (a layer removed from the catalog) and are deleted afterwards.
    """
    temps: list[tuple[str, str]] = []
    try:
        for rel, data in outputs.items():
            target = os.path.join(root, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            tmp = f"{target}.tmp-{os.getpid()}"
            temps.append((tmp, target))
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException:
        for tmp, _ in temps:
            try:
                os.remove(tmp)
            except FileNotFoundError:
                pass
        raise
    for tmp, target in temps:
        os.replace(tmp, target)
    for rel_dir, suffix in (prune or {}).items():
        keep = {os.path.normpath(os.path.join(root, r)) for r in outputs}
        folder = os.path.join(root, rel_dir)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            path = os.path.normpath(os.path.join(folder, name))
            if name.endswith(suffix) and path not in keep:
                os.remove(path)
