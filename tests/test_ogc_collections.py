"""Collections from a store, their extents, and the queryable values read from each feature."""

from datetime import date

import jsonschema_rs
import pytest

from geo.ogc.collections import collections_of, date_span
from geo.ogc.queryables import QUERYABLES, first_day, record, schema
from geo.store import Store


@pytest.fixture
def collections(data_dir):
    return collections_of(Store.load(data_dir))


def test_one_collection_per_layer_then_every_place(collections):
    assert list(collections) == ["logistics-hubs", "corridors", "central-cities", "metropolitan-circles",
                                 "pilot-zones", "locations"]
    every = collections["locations"]
    assert every.count == 11 and every.layer_ids == list(collections)[:-1]
    assert collections["corridors"].geometry_types == ["LineString", "MultiLineString"]
    assert collections["metropolitan-circles"].bbox() == [112.6, 27.0, 115.6, 31.3]


@pytest.mark.parametrize("text, span", [
    ("2021-04-23", (date(2021, 4, 23), date(2021, 4, 23))),
    ("2025-01", (date(2025, 1, 1), date(2025, 1, 31))),
    ("2024-12", (date(2024, 12, 1), date(2024, 12, 31))),
    ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
    ("2019", (date(2019, 1, 1), date(2019, 12, 31))),
    ("soon", None), ("2021-02-30", None), ("", None),
])
def test_date_span(text, span):
    assert date_span(text) == span


def test_temporal_extent(collections):
    assert collections["pilot-zones"].temporal() == ["2025-01-01T00:00:00Z", "2025-01-31T23:59:59Z"]
    assert collections["locations"].temporal() == ["2021-04-23T00:00:00Z", "2025-01-31T23:59:59Z"]


def test_record(collections):
    hub = collections["logistics-hubs"].features[0]
    r = record(hub)
    assert r["province"] == ("Henan",) and r["precision"] == 3 and r["schematic"] is False
    assert r["document"] == ("guideline-2021", "report-2025")
    assert r["date"] == (date(2021, 4, 23), date(2025, 1, 1))
    assert set(r) == set(QUERYABLES) - {"geometry"}
    assert first_day("2024") == date(2024, 1, 1) and first_day("x") is None


def test_queryables_schema_is_valid_json_schema(collections):
    c = collections["corridors"]
    doc = schema(c.id, c.title, "http://x/collections/corridors/queryables", c.records, c.geometry_types)
    jsonschema_rs.validator_for(doc)  # refuses an invalid schema
    assert doc["properties"]["geometry"]["format"] == "geometry-any"
    assert doc["properties"]["layer"]["enum"] == ["corridors"]
    assert doc["properties"]["document"]["type"] == "array"
    # The records of the collection are valid against their own queryables (geometry aside).
    validator = jsonschema_rs.validator_for(dict(doc, properties={
        k: v for k, v in doc["properties"].items() if k != "geometry"}))
    for r in c.records:
        as_json = {k: (list(v) if isinstance(v, tuple) else v) for k, v in r.items()}
        as_json["date"] = [d.isoformat() for d in r["date"]]
        assert validator.is_valid(as_json), r
