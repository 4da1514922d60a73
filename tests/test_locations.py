"""The committed atlas data: contract, freshness, traceability and shapes on the real catalog."""

import json
import os
import re

import pytest
from shapely.geometry import Point, shape

from geo.build import CATALOG_DIR, DATA_DIR, build
from geo.catalog import load_catalog
from geo.contract import check_feature_collection
from geo.gazetteer import default_gazetteer
from geo.geocoder import Geocoder
from geo.provinces import PROVINCES_EN
from geo.sources import DOCUMENTS_DIR, check_documents, normal_text

SEEDS = DOCUMENTS_DIR
HAVE_DOCUMENTS = os.path.isdir(SEEDS)
# The documents are cited, not copied: a clean clone has none, CI has them beside the checkout.
# In CI (CI=true) their absence is a failure, not a skip.
needs_documents = pytest.mark.skipif(
    not HAVE_DOCUMENTS and not os.environ.get("CI"),
    reason=f"the verbatim checks need the source documents in {SEEDS} (CI has them); without "
           "them only the catalog's record of offsets and digests is checked")


def load(rel):
    with open(os.path.join(DATA_DIR, rel), encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def fc():
    return load("locations.geojson")


@pytest.fixture(scope="module")
def gz():
    return default_gazetteer()


def test_contract_holds(fc):
    assert check_feature_collection(fc) == []


def test_committed_outputs_are_what_the_catalog_builds(gz):
    result = build(CATALOG_DIR, gazetteer=gz, progress=lambda m: None)
    for rel, data in result.outputs.items():
        with open(os.path.join(DATA_DIR, rel), "rb") as fh:
            assert fh.read() == data, f"data/{rel} is stale: run 'make build' and commit"
    listed = {f"layers/{n}" for n in os.listdir(os.path.join(DATA_DIR, "layers"))}
    assert listed == {r for r in result.outputs if r.startswith("layers/")}


def test_layer_files_and_index_agree_with_locations(fc):
    index = load("layers/index.json")
    catalog = load_catalog(CATALOG_DIR)
    assert [l["id"] for l in index["layers"]] == [l.id for l in catalog.layers]
    total = 0
    for layer in index["layers"]:
        features = load(layer["file"])["features"]
        expected = [f for f in fc["features"] if f["properties"]["layer"] == layer["id"]]
        assert features == expected and layer["count"] == len(features) > 0
        total += len(features)
        minx, miny, maxx, maxy = layer["bbox"]
        for f in features:
            x0, y0, x1, y1 = shape(f["geometry"]).bounds
            assert minx <= x0 and miny <= y0 and x1 <= maxx and y1 <= maxy
    assert total == len(fc["features"])


def unit_province(adcode, gz):
    return PROVINCES_EN[gz.units_by_adcode[adcode][0].province_zh]


def test_every_place_lies_in_a_province_it_names(fc, gz):
    for f in fc["features"]:
        p = f["properties"]
        codes = ([p["gazetteer"]["adcode"]] if "adcode" in p["gazetteer"]
                 else [m["adcode"] for m in p["members"] if "adcode" in m])
        for code in codes:
            assert unit_province(code, gz) in p["provinces"], (
                f"{f['id']}: {code} lies in {unit_province(code, gz)}, not in {p['provinces']}")


def test_areas_cover_their_members_seats(fc, gz):
    geocoder = Geocoder(gz)
    for f in fc["features"]:
        if f["geometry"]["type"] not in ("Polygon", "MultiPolygon"):
            continue
        area = shape(f["geometry"]).buffer(0.01)  # simplification moves borders ~500 m
        for m in f["properties"]["members"]:
            unit = gz.units_by_adcode[m["adcode"]][0]
            seat = geocoder.seat_place(unit) if unit.level != "province" else None
            if seat is not None:
                assert area.contains(Point(seat.lon, seat.lat)), f"{f['id']}: {m['name_zh']}"


def test_areas_hold_no_seat_of_a_non_member_prefecture(fc, gz):
    geocoder = Geocoder(gz)
    seats = []
    for unit in gz.units:
        if unit.level == "prefecture" and (seat := geocoder.seat_place(unit)) is not None:
            seats.append((unit, Point(seat.lon, seat.lat)))
    for f in fc["features"]:
        if f["geometry"]["type"] not in ("Polygon", "MultiPolygon"):
            continue
        inner = shape(f["geometry"]).buffer(-0.02)
        members = [gz.units_by_adcode[m["adcode"]][0] for m in f["properties"]["members"]]
        prefectures = {u.name_zh for u in members if u.level == "prefecture"}
        prefectures |= {u.prefecture_zh for u in members if u.level == "county"}
        provinces = {u.province_zh for u in members if u.level == "province"}
        for unit, point in seats:
            if inner.contains(point):
                assert unit.name_zh in prefectures or unit.province_zh in provinces, (
                    f"{f['id']}: holds the seat of non-member {unit.name_zh}")


def read_seed(name):
    path = os.path.join(SEEDS, name)
    assert os.path.exists(path), f"source document {path} not found (shared/seeds beside the repo)"
    with open(path, encoding="utf-8") as fh:
        return fh.read()


normal = normal_text


def test_catalog_records_where_each_mention_stands():
    """Checkable without the documents: each one has a digest, each mention an offset."""
    catalog = load_catalog(CATALOG_DIR)
    for key, doc in catalog.documents.items():
        assert re.fullmatch(r"[0-9a-f]{64}", doc.sha256), f"document {key!r} has no sha256"
    at: dict = {}
    for e in catalog.entries:
        for s in e.sources:
            assert s.mention.strip() and s.offset is not None, f"{e.id}: mention has no offset"
            # the same words in the same document are found at one place
            assert at.setdefault((s.document, normal(s.mention)), s.offset) == s.offset, e.id


@needs_documents
def test_every_mention_is_quoted_from_its_document(fc):
    assert HAVE_DOCUMENTS, f"the source documents are not at {SEEDS} (CI needs ../shared/seeds)"
    catalog = load_catalog(CATALOG_DIR)
    problems, notes = check_documents(catalog, SEEDS)
    assert notes == [] and problems == []  # every document there, with its digest and mentions
    for f in fc["features"]:
        for s in f["properties"]["sources"]:
            assert normal(s["mention"]) in normal(read_seed(s["document"])), (
                f"{f['id']}: mention {s['mention']!r} is not in {s['document']}")


@needs_documents
def test_descriptions_are_our_own_words(fc):
    """No description repeats ten words running from a source document."""
    assert HAVE_DOCUMENTS, f"the source documents are not at {SEEDS} (CI needs ../shared/seeds)"
    corpus = " ".join(normal(read_seed(n)) for n in sorted(os.listdir(SEEDS)))
    for f in fc["features"]:
        words = normal(f["properties"]["description"]).split()
        for i in range(len(words) - 9):
            run = " ".join(words[i:i + 10])
            assert run not in corpus, f"{f['id']}: description copies {run!r}"


def test_files_open_in_gis_tools():
    """GDAL (through geopandas/pyogrio) reads every output as WGS84 with all its rows."""
    import geopandas as gpd

    places = gpd.read_file(os.path.join(DATA_DIR, "locations.geojson"))
    assert places.crs.to_epsg() == 4326
    assert len(places) == len(load("locations.geojson")["features"])
    assert {"name", "name_zh", "layer", "precision", "sources"} <= set(places.columns)
    assert places.geometry.is_valid.all()
    assert set(places.geom_type) <= {"Point", "LineString", "Polygon", "MultiPolygon"}
    for layer in load("layers/index.json")["layers"]:
        assert len(gpd.read_file(os.path.join(DATA_DIR, layer["file"]))) == layer["count"]
    provinces = gpd.read_file(os.path.join(DATA_DIR, "base", "provinces.geojson"))
    assert len(provinces) == 34 and provinces.crs.to_epsg() == 4326
