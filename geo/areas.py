"""Area geometry: unions of administrative units, simplified so neighbours keep shared borders.

Simplifying each area on its own would move a border shared by two areas differently in each,
opening gaps and overlaps. Instead the *units* are simplified once, together, as a coverage
(shapely ``coverage_simplify``: each shared edge is simplified once), and every area is then the
union of its simplified units. Two areas that meet along a unit border therefore meet exactly.

Two coverages are used: all county-level units of the provinces that sub-provincial members lie
in, and the 34 province-level units (which also make the offline base layer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

from .gazetteer import AdminUnit, Gazetteer

COUNTY_TOLERANCE = 0.005  # degrees, about 500 m: below what the map shows at province zoom
PROVINCE_TOLERANCE = 0.02  # provinces are seen at country zoom: about 2 km


@dataclass
class Coverage:
    """Simplified unit geometries (WGS84) keyed by adcode, and vertex counts for the record."""

    geometries: dict[str, object] = field(default_factory=dict)
    vertices_before: int = 0
    vertices_after: int = 0

    def union(self, adcodes) -> object:
        parts = [self.geometries[code] for code in dict.fromkeys(adcodes)]
        return shapely.coverage_union_all(np.array(parts, dtype=object))


def build_coverage(gazetteer: Gazetteer, units: list[AdminUnit], tolerance: float) -> Coverage:
    """Load, convert to WGS84 and coverage-simplify ``units`` together."""
    units = list({u.adcode: u for u in units}.values())
    codes = [u.adcode for u in units]
    raw = np.array(gazetteer.boundaries(codes), dtype=object)
    raw = shapely.make_valid(raw)
    simplified = shapely.coverage_simplify(raw, tolerance)
    return Coverage(dict(zip(codes, simplified)),
                    int(shapely.get_num_coordinates(raw).sum()),
                    int(shapely.get_num_coordinates(simplified).sum()))


def province_coverage(gazetteer: Gazetteer, tolerance: float = PROVINCE_TOLERANCE) -> Coverage:
    provinces = [u for u in gazetteer.units if u.level == "province"]
    return build_coverage(gazetteer, provinces, tolerance)


def county_coverage(gazetteer: Gazetteer, provinces_zh: set[str],
                    tolerance: float = COUNTY_TOLERANCE) -> Coverage:
    units = [u for p in sorted(provinces_zh) for u in gazetteer.counties(gazetteer.province_unit(p))]
    return build_coverage(gazetteer, units, tolerance)


def plan_areas(gazetteer: Gazetteer, members_by_area: dict[str, list[AdminUnit]]):
    """Split areas into province-made ones and the rest, and list what each needs.

    Returns
    -------
    province_areas : dict
        area id -> province adcodes, for areas made only of whole provinces.
    county_areas : dict
        area id -> county adcodes, for all other areas (members expanded to their counties).
    county_provinces : set
        Chinese names of the provinces whose counties must be loaded.
    """
    province_areas, county_areas, county_provinces = {}, {}, set()
    for area_id, members in members_by_area.items():
        if all(m.level == "province" for m in members):
            province_areas[area_id] = [m.adcode for m in members]
            continue
        codes = []
        for member in members:
            county_provinces.add(member.province_zh)
            codes += [c.adcode for c in gazetteer.counties(member)]
        county_areas[area_id] = codes
    return province_areas, county_areas, county_provinces
