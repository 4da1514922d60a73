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
