"""The contract check catches each kind of breach."""

import copy

import pytest

from geo.contract import check_feature_collection

GOOD = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "id": "a",
    "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
    "properties": {
        "name": "A", "name_zh": "甲", "aliases": [], "layer": "l", "theme": "t",
        "provinces": ["Henan"], "description": "d", "precision": 3, "geometry_basis": "b",
        "gazetteer": {}, "members": [], "sources": [{"document": "f.txt", "title": "T",
                                                     "publisher": "P", "date": "2021",
                                                     "mention": "m"}]}}]}


def broken(change):
    fc = copy.deepcopy(GOOD)
    change(fc, fc["features"][0])
    return check_feature_collection(fc)


def test_good_collection_passes():
    assert check_feature_collection(GOOD) == []


@pytest.mark.parametrize("change, expected", [
    (lambda fc, f: fc.__setitem__("crs", {}), "has a 'crs' member"),
    (lambda fc, f: fc["features"].append(copy.deepcopy(f)), "duplicate id"),
    (lambda fc, f: f.__setitem__("id", 7), "id must be a non-empty string"),
    (lambda fc, f: f["geometry"].__setitem__(
        "coordinates", [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]), "exterior ring is clockwise"),
    (lambda fc, f: f["geometry"].__setitem__(
        "coordinates", [[[0, 0], [1.1234567, 0], [1, 1], [0, 0]]]), "more than 6 decimals"),
    (lambda fc, f: f["geometry"].__setitem__(
        "coordinates", [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]), "invalid geometry"),
    (lambda fc, f: f["geometry"].__setitem__(
        "coordinates", [[[0, 0], [200, 0], [1, 1], [0, 0]]]), "not [lon, lat] within range"),
    (lambda fc, f: f["properties"].pop("sources"), "missing property 'sources'"),
    (lambda fc, f: f["properties"].__setitem__("sources", []), "no sources"),
    (lambda fc, f: f["properties"]["sources"][0].pop("mention"), "a source lacks one of"),
    (lambda fc, f: f["properties"].__setitem__("precision", 12), "precision outside 1-9"),
    (lambda fc, f: f["properties"].__setitem__("precision", "3"), "'precision' should be int"),
    (lambda fc, f: f["properties"].__setitem__("aliases", "x"), "'aliases' should be list"),
])
def test_each_breach_is_named(change, expected):
    problems = broken(change)
    assert any(expected in p for p in problems), problems


def test_not_a_collection():
    assert check_feature_collection([]) == ["not a GeoJSON FeatureCollection"]


def test_one_statement_feeds_the_schema_and_the_check():
    from geo.contract import PROPERTIES, properties_schema, queryables

    schema = properties_schema()
    assert list(schema["properties"]) == [p.name for p in PROPERTIES]
    assert set(schema["required"]) == set(REQUIRED_IN_GOOD) - {"precision_label", "schematic"}
    assert schema["properties"]["aliases"] == {"type": "array", "description": schema["properties"]["aliases"]["description"],
                                               "items": {"type": "string"}}
    sources = schema["properties"]["sources"]
    assert sources["minItems"] == 1 and sources["items"]["required"] == ["document", "title", "publisher", "date", "mention"]
    assert schema["properties"]["precision"]["minimum"] == 1 and schema["properties"]["precision"]["maximum"] == 9
    assert {"layer", "theme", "provinces", "precision"} <= {p.name for p in queryables()}
    # Every required property, dropped, is named by the check.
    for name in schema["required"]:
        assert any(f"missing property {name!r}" in p for p in broken(lambda fc, f: f["properties"].pop(name)))


REQUIRED_IN_GOOD = ("name", "name_zh", "aliases", "layer", "theme", "provinces", "description", "precision",
                    "geometry_basis", "gazetteer", "members", "sources", "precision_label", "schematic")


POINTS = [[113.5, 30.25], [113, 30], [-180, -90], [180, 90], [180.000001, 0], [0, -90.5],
          [float("nan"), 30], [113, float("inf")], [1e400, 0], [113.1234567, 30], [113.123456, 30.1234565],
          [True, 30], [113, False], ["113", "30"], [113], [113, 30, 5], [], [[113, 30]], {"lon": 113},
          None, "113,30", 113]


@pytest.mark.parametrize("coords", POINTS, ids=[repr(c)[:30] for c in POINTS])
def test_a_point_is_checked_without_shapely_as_with_it(coords, monkeypatch):
    """The fast path for Points names the same problems as the general one (shapely's)."""
    from geo import contract

    geom = {"type": "Point", "coordinates": coords}
    fast = contract._check_geometry(geom)
    monkeypatch.setattr(contract, "_check_point", lambda c: None)
    assert fast == contract._check_geometry(geom)


def test_the_feature_checker_streams_what_the_collection_check_finds():
    from geo.contract import FeatureChecker

    good = {"type": "Feature", "id": "a", "geometry": {"type": "Point", "coordinates": [113, 30]},
            "properties": {}}
    features = [good, dict(good), None, {**good, "id": ""}]
    checker = FeatureChecker()
    streamed = [p for i, f in enumerate(features) for p in checker.check(f, i)]
    assert streamed == check_feature_collection({"type": "FeatureCollection", "features": features})
    assert any("duplicate id" in p for p in streamed) and any("feature #2: not a Feature" in p for p in streamed)


def _ring(n, x0=113.0, y0=30.0):
    """A closed counter-clockwise ring of n points round (x0, y0), 6 decimals."""
    import math

    pts = [[round(x0 + math.cos(2 * math.pi * k / n), 6), round(y0 + math.sin(2 * math.pi * k / n), 6)]
           for k in range(n)]
    return pts + [pts[0]]


def _with(ring, k, value):
    ring = [list(p) for p in ring]
    ring[k] = value
    return ring


BIG = _ring(400)
GEOMETRIES = [
    {"type": "Polygon", "coordinates": [BIG]},
    {"type": "Polygon", "coordinates": [_ring(8)]},
    {"type": "Polygon", "coordinates": [_with(BIG, 200, [190.0, 30.0])]},
    {"type": "Polygon", "coordinates": [_with(BIG, 200, [113.1234567, 30.0])]},
    {"type": "Polygon", "coordinates": [_with(BIG, 200, [113, True])]},
    {"type": "Polygon", "coordinates": [_with(BIG, 200, ["113", "30"])]},
    {"type": "Polygon", "coordinates": [_with(BIG, 200, [113.0, 30.0, 5.0])]},
    {"type": "Polygon", "coordinates": [_with(BIG, 200, [10 ** 400, 30])]},
    {"type": "Polygon", "coordinates": [_with(BIG, 200, [float("nan"), 30.0])]},
    {"type": "Polygon", "coordinates": [_with(BIG, 200, [[113.0, 30.0]])]},
    {"type": "Polygon", "coordinates": [BIG, "not a ring"]},
    {"type": "MultiPolygon", "coordinates": [[BIG], [_ring(300, 117.0, 33.0)]]},
    {"type": "MultiPolygon", "coordinates": [[BIG], [_with(_ring(300, 117.0, 33.0), 3, {"x": 1})]]},
    {"type": "LineString", "coordinates": BIG[:-1]},
    {"type": "LineString", "coordinates": _with(BIG[:-1], 399, [113.00000001, 30.0])},
    {"type": "MultiPoint", "coordinates": [[113, 30], [114, 31]]},
]


@pytest.mark.parametrize("geom", GEOMETRIES, ids=[f"{g['type']}-{i}" for i, g in enumerate(GEOMETRIES)])
def test_long_rings_are_checked_at_once_as_point_by_point(geom, monkeypatch):
    """A ring of plain positions taken whole, and numpy's range and decimals, say what the
    position-by-position walk says."""
    import copy

    from geo import contract

    fast = contract._check_geometry(copy.deepcopy(geom))
    monkeypatch.setattr(contract, "_plain_positions", lambda value: False)
    original = contract._range_and_decimals
    monkeypatch.setattr(contract, "_range_and_decimals", lambda points: original(points, vector_min=10 ** 9))
    assert fast == contract._check_geometry(copy.deepcopy(geom))
