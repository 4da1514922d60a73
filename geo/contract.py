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


# How deep each geometry type nests its positions: a Point is one, a MultiPolygon a list of
# polygons of rings of positions.
DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
         "MultiPolygon": 3}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def positions(geom_type: str, coords) -> tuple[list[list], str | None]:
    """The positions of a geometry's coordinates, walked exactly as deep as its type says.

    Returns (positions, problem): a problem names the first thing that is not a list where the
    type needs one, or not a [lon, lat] pair of numbers where it needs a position. Strings,
    objects and over-deep nesting are problems, never a recursion.
    """
    out: list[list] = []
    stack = [(coords, DEPTH[geom_type])]
    while stack:
        value, depth = stack.pop()
        if depth == 0:
            if not isinstance(value, list) or len(value) != 2 or not all(_is_number(c) for c in value):
                return out, f"a position is not a [lon, lat] pair of numbers: {_short(value)}"
            out.append(value)
        elif not isinstance(value, list):
            return out, f"coordinates are not nested lists as a {geom_type} needs: {_short(value)}"
        else:
            stack.extend((v, depth - 1) for v in reversed(value))
    return out, None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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
        label = f"feature {_short(fid)}" if isinstance(fid, str) else f"feature #{i}"
        if not isinstance(f, dict) or f.get("type") != "Feature":
            problems.append(f"{label}: not a Feature")
            continue
        if not isinstance(fid, str) or not fid:
            problems.append(f"{label}: id must be a non-empty string")
        elif fid in seen:
            problems.append(f"{label}: duplicate id")
        else:
            seen.add(fid)
        problems += [f"{label}: {p}" for p in _check_geometry(f.get("geometry"))]
        problems += [f"{label}: {p}" for p in _check_properties(f.get("properties"))]
    return problems


def _check_geometry(geom) -> list[str]:
    if not isinstance(geom, dict) or not isinstance(geom.get("type"), str) or geom["type"] not in GEOMETRY_TYPES:
        return ["geometry missing or of an unknown type"]
    coords = geom.get("coordinates")
    out = []
    points, problem = positions(geom["type"], coords)
    if problem:
        return [problem]
    if not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
        return ["coordinates are not [lon, lat] within range"]
    if not all(round(c, 6) == c for p in points for c in p):
        out.append("coordinates have more than 6 decimals")
    try:
        g = shape(geom)
    except Exception as exc:  # shapely raises several kinds for malformed input
        return out + [f"geometry cannot be read: {' '.join(str(exc).split())[:120]}"]
    if g.is_empty:
        return out + ["empty geometry"]
    if not g.is_valid:
        return out + [f"invalid geometry: {shapely.is_valid_reason(g)}"]
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
