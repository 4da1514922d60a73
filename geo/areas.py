"""Area geometry: unions of administrative units, simplified so neighbours keep shared borders.

Simplifying each area on its own would move a border shared by two areas differently in each,
opening gaps and overlaps. Instead the *units* are simplified once, together, as a coverage
(shapely ``coverage_simplify``: each shared edge is simplified once), and every area is then the
union of its simplified units. Two areas that meet along a unit border therefore meet exactly.

Two coverages are used: the county-level units that make up the sub-provincial areas, and the
34 province-level units (which also make the offline base layer). Units are simplified in the
source datum and only the simplified vertices are converted from GCJ-02 to WGS84: the offset
varies by metres over kilometres, so the order makes no visible difference, and converting
30 times fewer vertices keeps the build fast. Shared vertices convert identically, so the
coverage stays a coverage.
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
    """Load, coverage-simplify ``units`` together, then convert them to WGS84."""
    units = list({u.adcode: u for u in units}.values())
    codes = [u.adcode for u in units]
    raw = shapely.make_valid(np.array(gazetteer.raw_boundaries(codes), dtype=object))
    simplified = np.array(gazetteer.to_wgs84(shapely.coverage_simplify(raw, tolerance)),
                          dtype=object)
    return Coverage(dict(zip(codes, simplified)),
                    int(shapely.get_num_coordinates(raw).sum()),
                    int(shapely.get_num_coordinates(simplified).sum()))


def province_coverage(gazetteer: Gazetteer, tolerance: float = PROVINCE_TOLERANCE) -> Coverage:
    provinces = [u for u in gazetteer.units if u.level == "province"]
    return build_coverage(gazetteer, provinces, tolerance)


def county_coverage(gazetteer: Gazetteer, adcodes, tolerance: float = COUNTY_TOLERANCE) -> Coverage:
    """The county-level units of every sub-provincial area, simplified together.

    Only the units some area uses are needed: two areas that meet both bring the units on
    their common border, so that border is simplified once for both.
    """
    units = [u for code in sorted(set(adcodes)) for u in gazetteer.units_by_adcode[code][:1]]
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
        Chinese names of the provinces the county-level units lie in (for the record).
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
