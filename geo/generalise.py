"""Outlines generalised for drawing: a layer's lines and areas with the vertices a map at some zoom
level cannot show taken out, asked for with ``maxAllowableOffset`` (in degrees; the name ArcGIS
feature services give the same query parameter).

A map draws a layer at one zoom; detail finer than half a pixel there never reaches the screen,
yet every vertex costs the browser bytes to parse, a LatLng object and a projection. The map asks
for the outlines its opening zoom can show and for full detail once it is zoomed in (atlas.js).

Offsets come in steps, one per zoom level: half a 256-pixel tile's pixel at that zoom, at 45°
latitude (a pixel spans fewer degrees of latitude than of longitude there), so the map's outlines
at that zoom or below are not changed by a visible amount. An offset is rounded *down* to a step,
so what is answered is never coarser than what was asked, and a server keeps at most one
generalised copy per layer and step. Points are never changed.

Shapes are simplified one by one (shapely, topology kept: a ring stays a valid ring), without the
islets and holes smaller than a square of the offset's side, and their coordinates rounded to a
grid a tenth of the offset or finer. Neighbouring areas that share a
border may then differ along it by up to the offset: never a visible gap at the zoom asked for,
and the reason the full-detail answer stays the default.
"""

from __future__ import annotations

import math
from typing import Sequence

import shapely
from shapely.geometry import mapping, shape

from .query import QueryError, parse_number
from .store import dumps

PARAM = "maxAllowableOffset"

# Half a pixel at 45° latitude, in degrees, at zoom 0: a tile is 256 pixels across 360°.
_ZOOM0 = 360.0 / 256 * 0.5 * math.cos(math.radians(45))
# Steps stop here (about 13 m, finer than the catalog's own outlines): below it a layer is
# answered in full. Few steps also bound what a server keeps: one copy per layer and step.
MAX_ZOOM = 12
UNCHANGED = ("Point", "MultiPoint")


def has_outlines(geometry_types) -> bool:
    """Does a layer of these geometry types have lines or areas, which generalising changes?
    Unknown types (none listed) count as yes."""
    types = list(geometry_types or ())
    return not types or any(t not in UNCHANGED for t in types)


def offset_at(zoom: int) -> float:
    """The offset in degrees of the step for ``zoom``."""
    return _ZOOM0 / 2 ** zoom


def parse_offset(text: str | None) -> int | None:
    """The step (a zoom level) for a ``maxAllowableOffset`` in degrees: the coarsest one whose
    offset does not exceed it. None (full detail) when absent, empty, zero or finer than the
    finest step; a QueryError that names the parameter when it is not a number >= 0."""
    if text is None or not text.strip(" \t"):
        return None
    if text.strip(" \t").startswith("-"):  # "-0" too: the documented pattern has no minus sign
        raise QueryError(f"{PARAM} must be a distance in degrees, 0 or more; got {text.strip()[:40]!r}")
    value = parse_number(text, PARAM)
    if value == 0:
        return None
    zoom = max(0, math.ceil(math.log2(_ZOOM0 / value) - 1e-9))
    return None if zoom > MAX_ZOOM else zoom


def _decimals(tolerance: float) -> int:
    """Decimal places of a grid at most a tenth of ``tolerance``."""
    return max(0, math.ceil(-math.log10(tolerance / 10)))


def generalise_geometry(geometry: dict, tolerance: float) -> dict:
    """A GeoJSON line or area geometry with detail under ``tolerance`` degrees taken out; points,
    empty and absent geometries as they are."""
    if not geometry or geometry.get("type") in UNCHANGED:
        return geometry
    geom = shape(geometry)
    if geom.is_empty:
        return geometry
    simpler = shapely.simplify(_without_specks(geom, tolerance), tolerance, preserve_topology=True)
    grid = 10.0 ** -_decimals(tolerance)
    # Snapped to the grid with validity kept; a part smaller than a grid cell may vanish, a whole
    # shape never does (it keeps its simplified form).
    snapped = shapely.set_precision(simpler, grid)
    if snapped.is_empty or snapped.geom_type.removeprefix("Multi") != geom.geom_type.removeprefix("Multi"):
        snapped = simpler
    out = mapping(snapped)
    # The grid's values written shortest (113.123, not 113.12300000000002).
    digits = _decimals(tolerance)
    return {"type": out["type"], "coordinates": _rounded(out["coordinates"], digits)}


def _without_specks(geom, tolerance: float):
    """An area without the parts and holes smaller than a square of the offset's side: islets
    the zoom shows as a speck at most, yet each costing the browser a ring of its own (a coastal
    province has hundreds). The largest part always stays."""
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom
    least = tolerance * tolerance
    parts = list(getattr(geom, "geoms", [geom]))
    kept = [shapely.Polygon(p.exterior, [r for r in p.interiors if shapely.Polygon(r).area >= least])
            for p in parts if p.area >= least]
    if not kept:
        kept = [max(parts, key=lambda p: p.area)]
    if len(kept) == 1 and geom.geom_type == "Polygon":
        return kept[0]
    return shapely.MultiPolygon(kept)


def _rounded(coords, digits: int):
    if coords and isinstance(coords[0], (int, float)):
        return [round(c, digits) for c in coords]
    return [_rounded(c, digits) for c in coords]


def generalise_features(raw: Sequence[bytes], parsed: Sequence[dict], zoom: int) -> list[bytes]:
    """Each feature's bytes (``raw``, parsed as ``parsed``) with its geometry generalised for the
    step ``zoom``; a point's bytes are the same object."""
    tolerance = offset_at(zoom)
    out = []
    for feature, data in zip(raw, parsed):
        geometry = data.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") in UNCHANGED:
            out.append(feature)
        else:
            out.append(dumps(dict(data, geometry=generalise_geometry(geometry, tolerance))))
    return out


def collection_head(zoom: int) -> bytes:
    """The opening of a FeatureCollection that says which offset its geometries were made with
    (a foreign member, RFC 7946 §6.1)."""
    return b'{"type":"FeatureCollection","' + PARAM.encode() + b'":' \
        + dumps(offset_at(zoom)) + b',"features":['
