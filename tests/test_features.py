"""Feature geometry helpers: precision rules, schematic lines, clean polygons."""

import shapely
from shapely.geometry import Point, Polygon, box

from geo import features
from geo.catalog import Entry, Recipe
from geo.gazetteer import AdminUnit, Place
from geo.geocoder import Match, PlaceRef


def entry(kind="point", great_circle=False, estimated=False):
    return Entry("e", "E", "", (), "l", ("Henan",), "d",
                 Recipe(kind, (), "Basis.", estimated, great_circle), ())


def match(level, lon=113.0, lat=34.0, name="X", country="CN"):
    unit = AdminUnit("410100", "某", level, "河南省") if level != "place" else None
    place = Place(1, name, lon, lat, country, "09")
    return Match(PlaceRef(name, "Henan"), name, "某", level, "Henan", lon, lat,
                 {"place": 1, "county": 2, "prefecture": 3, "province": 4}[level], "seat.",
                 unit=unit, place=place)


def test_county_precision_depends_on_its_reach():
    small = box(112.95, 33.95, 113.05, 34.05)   # ~8 km from centre to corner
    large = box(112.5, 33.5, 113.5, 34.5)       # ~70 km
    assert features.county_precision(match("county"), small)[0] == 2
    precision, note = features.county_precision(match("county"), large)
    assert precision == 3 and "beyond the 25 km" in note


def test_site_is_never_finer_than_near():
    point, precision, basis = features.site_geometry(entry("site"), match("place"), None)
    assert precision == 2 and basis.startswith("Basis. Placed by its host")


def test_great_circle_line_is_densified_and_schematic():
    e = entry("line", great_circle=True)
    line, precision, basis = features.line_geometry(
        e, [match("prefecture", 113.6, 34.7, "Zhengzhou"), match("place", 6.1, 49.6, "Luxembourg")])
    assert precision == 5 and "great-circle" in basis and "Zhengzhou - Luxembourg" in basis
    assert len(line.coords) > 150  # ~8,000 km in 50 km steps
    mid = line.coords[len(line.coords) // 2]
    assert mid[1] > 50  # a great circle bows north of both ends


def test_area_precision():
    members = [match("prefecture"), match("county")]
    assert features.area_precision(entry("area"), members) == 3
    assert features.area_precision(entry("area"), [match("province")]) == 4
    assert features.area_precision(entry("area", estimated=True), members) == 5


def test_clean_geometry_orients_and_rounds():
    cw = Polygon([(0, 0), (0, 1.000049), (1.123456789, 1), (1, 0)])
    assert not cw.exterior.is_ccw
    clean = features.clean_geometry(cw)
    assert clean.exterior.is_ccw and clean.is_valid
    assert all(round(x, 4) == x for x in shapely.get_coordinates(clean).ravel())
    pt = features.clean_geometry(Point(113.123456789, 34.1))
    assert (pt.x, pt.y) == (113.123457, 34.1)
