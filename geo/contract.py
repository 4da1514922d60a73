"""The feature contract of ``locations.geojson``, as a check that lists every breach.

Outside users (QGIS, pandas, other web maps) and the app rely on it; the tests and the app's
start-up both run this check.
"""

from __future__ import annotations

import shapely
from shapely.geometry import shape

REQUIRED = {
    "name": str, "name_zh": str, "aliases": list, "layer": str, "theme": str,
    "provinces": list, "description": str, "precision": int, "geometry_basis": str,
    "gazetteer": dict, "members": list, "sources": list,
}
SOURCE_KEYS = ("document", "title", "publisher", "date", "mention")
GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                  "MultiPolygon"}


def _decimals_ok(coords, places: int = 6) -> bool:
    if coords and isinstance(coords[0], (int, float)):
        return all(round(c, places) == c for c in coords)
    return all(_decimals_ok(c, places) for c in coords)


def _lonlat_ok(coords) -> bool:
    if coords and isinstance(coords[0], (int, float)):
        return len(coords) == 2 and -180 <= coords[0] <= 180 and -90 <= coords[1] <= 90
    return all(_lonlat_ok(c) for c in coords)


def check_feature_collection(fc) -> list[str]:
    """Every way ``fc`` breaks the contract; an empty list when it holds."""
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection":
        return ["not a GeoJSON FeatureCollection"]
    problems = []
    if "crs" in fc:
        problems.append("has a 'crs' member (RFC 7946 coordinates are WGS84 and carry none)")
    features = fc.get("features")
    if not isinstance(features, list):
        return problems + ["'features' is not a list"]
    seen = set()
    for i, f in enumerate(features):
        fid = f.get("id") if isinstance(f, dict) else None
        label = f"feature {fid!r}" if isinstance(fid, str) else f"feature #{i}"
        if not isinstance(f, dict) or f.get("type") != "Feature":
            problems.append(f"{label}: not a Feature")
            continue
        if not isinstance(fid, str) or not fid:
            problems.append(f"{label}: id must be a non-empty string")
        elif fid in seen:
            problems.append(f"{label}: duplicate id")
        seen.add(fid)
        problems += [f"{label}: {p}" for p in _check_geometry(f.get("geometry"))]
        problems += [f"{label}: {p}" for p in _check_properties(f.get("properties"))]
    return problems


def _check_geometry(geom) -> list[str]:
    if not isinstance(geom, dict) or geom.get("type") not in GEOMETRY_TYPES:
        return ["geometry missing or of an unknown type"]
    coords = geom.get("coordinates")
    out = []
    if not _lonlat_ok(coords):
        out.append("coordinates are not [lon, lat] within range")
        return out
    if not _decimals_ok(coords):
        out.append("coordinates have more than 6 decimals")
    try:
        g = shape(geom)
    except Exception as exc:  # shapely raises several kinds for malformed input
        return out + [f"geometry cannot be read: {exc}"]
    if g.is_empty:
        out.append("empty geometry")
    elif not g.is_valid:
        out.append(f"invalid geometry: {shapely.is_valid_reason(g)}")
    if geom["type"] in ("Polygon", "MultiPolygon"):
        polygons = g.geoms if geom["type"] == "MultiPolygon" else [g]
        for p in polygons:
            if not p.exterior.is_ccw:
                out.append("an exterior ring is clockwise (RFC 7946 wants counter-clockwise)")
                break
            if any(ring.is_ccw for ring in p.interiors):
                out.append("a hole is counter-clockwise (RFC 7946 wants clockwise)")
                break
    return out


def _check_properties(props) -> list[str]:
    if not isinstance(props, dict):
        return ["no properties"]
    out = []
    for key, kind in REQUIRED.items():
        if key not in props:
            out.append(f"missing property {key!r}")
        elif not isinstance(props[key], kind) or (kind is int and isinstance(props[key], bool)):
            out.append(f"property {key!r} should be {kind.__name__}")
    if isinstance(props.get("precision"), int) and not 1 <= props["precision"] <= 9:
        out.append("precision outside 1-9")
    if isinstance(props.get("aliases"), list) and not all(isinstance(a, str) for a in props["aliases"]):
        out.append("aliases must be strings")
    sources = props.get("sources")
    if isinstance(sources, list):
        if not sources:
            out.append("no sources")
        for s in sources:
            if not isinstance(s, dict) or any(not isinstance(s.get(k), str) or not s.get(k)
                                              for k in SOURCE_KEYS):
                out.append(f"a source lacks one of {', '.join(SOURCE_KEYS)}")
                break
    return out
