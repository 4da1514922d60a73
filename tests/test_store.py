"""geo.store: the data is read once, serialized once, gzipped once, and checked on the way in."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from geo.store import Blob, DataError, Store, dumps


@pytest.fixture
def store(data_dir):
    return Store.load(data_dir)


def test_blob():
    blob = Blob.of(b'{"a":1}')
    assert gzip.decompress(blob.gzipped) == blob.body
    assert len(blob.etag) == 32 and blob.gzip_etag == blob.etag + "-gz"
    assert Blob.of(b'{"a":1}') == blob  # deterministic: same bytes, same gzip (mtime 0), same ETag
    assert Blob.of(b'{"a":2}').etag != blob.etag


def test_dumps_is_compact_utf8():
    assert dumps({"name_zh": "郑州", "x": [1, 2]}) == '{"name_zh":"郑州","x":[1,2]}'.encode()


def test_load(store):
    assert list(store.layers) == ["logistics-hubs", "corridors", "central-cities", "metropolitan-circles", "pilot-zones"]
    assert [t["id"] for t in store.themes] == ["logistics", "cities", "reform"]
    hubs = store.layers["logistics-hubs"]
    assert hubs.count == 3
    body = json.loads(hubs.blob.body)
    assert body["type"] == "FeatureCollection" and [f["id"] for f in body["features"]] == [
        "hub-zhengzhou", "hub-wuhan", "hub-changsha"]
    assert len(json.loads(store.locations.body)["features"]) == 11
    assert len(json.loads(store.provinces.body)["features"]) == 6


def test_layer_blob_is_the_file_content_compacted(store, data_dir):
    on_disk = json.loads((data_dir / "layers" / "corridors.geojson").read_text(encoding="utf-8"))
    assert json.loads(store.layers["corridors"].blob.body)["features"] == on_disk["features"]
    assert len(store.layers["corridors"].blob.body) < len((data_dir / "layers" / "corridors.geojson").read_bytes())


def test_counts_come_from_the_features(data_dir):
    index_path = data_dir / "layers" / "index.json"
    index = json.loads(index_path.read_text())
    index["layers"][0]["count"] = 99
    index_path.write_text(json.dumps(index))
    assert Store.load(data_dir).layers["logistics-hubs"].meta["count"] == 3


def test_index(store):
    index = store.index(lambda lid: {"self": f"/x/{lid}"})
    first = index["layers"][0]
    assert set(first) == {"id", "title", "theme", "description", "colour", "geometry_types", "count", "bbox",
                          "visible", "links"}
    assert [layer["visible"] for layer in index["layers"]] == [True, True, True, False, True]
    assert first["links"] == {"self": "/x/logistics-hubs"}
    assert "links" not in store.index()["layers"][0]


def test_select(store):
    circles = store.layers["metropolitan-circles"]
    assert circles.select() == [0, 1]
    assert circles.select(province="Hunan") == [1]
    assert circles.select(q="武汉") == [0]
    assert circles.select(bbox=(113.5, 27.5, 113.55, 27.55)) == [1]  # inside the second part
    assert circles.select(bbox=(113.45, 28.7, 113.5, 28.8)) == []  # inside the extent, outside both parts
    assert json.loads(circles.subset_bytes([1]))["features"][0]["id"] == "circle-changzhutan"
    assert json.loads(circles.subset_bytes([])) == {"type": "FeatureCollection", "features": []}


def test_places(store):
    results = store.places("Taiyuan", limit=5)
    assert results[0]["id"] == "city-taiyuan" and results[0]["center"] == [112.5603, 37.8694]
    assert store.places("taiyuan", limit=1)[0]["layer_title"] == "National central and regional cities"


def test_home_view_is_central_china(store):
    assert store.home_bbox() == [108.36, 24.49, 119.65, 40.74]
    assert store.bbox()[0] < 10  # the data reaches Luxembourg; the map still opens on central China


def test_feature_lookup(store):
    layer, feature = store.feature("circle-wuhan")
    assert layer.id == "metropolitan-circles" and feature["properties"]["name_zh"] == "武汉都市圈"
    assert store.feature("nope") is None


@pytest.mark.parametrize("breakage, message", [
    (lambda d: (d / "layers" / "index.json").unlink(), "layer index is missing"),
    (lambda d: (d / "layers" / "index.json").write_text("{not json"), "layer index is unreadable"),
    (lambda d: (d / "layers" / "index.json").write_text("[]"), "no 'themes' and 'layers' lists"),
    (lambda d: (d / "layers" / "corridors.geojson").unlink(), "layer corridors is missing"),
    (lambda d: (d / "layers" / "corridors.geojson").write_text('{"type": "Feature"}'), "not a GeoJSON FeatureCollection"),
    (lambda d: (d / "locations.geojson").unlink(), "locations.geojson is missing"),
    (lambda d: (d / "base" / "provinces.geojson").unlink(), "province base layer is missing"),
])
def test_bad_data_is_a_clear_error(data_dir, breakage, message):
    breakage(data_dir)
    with pytest.raises(DataError, match=message):
        Store.load(data_dir)


def test_repeated_layer_id(data_dir):
    index_path = data_dir / "layers" / "index.json"
    index = json.loads(index_path.read_text())
    index["layers"].append(index["layers"][0])
    index_path.write_text(json.dumps(index))
    with pytest.raises(DataError, match="repeated layer id"):
        Store.load(data_dir)


def test_layer_files_are_found_by_id_only(data_dir):
    index_path = data_dir / "layers" / "index.json"
    index = json.loads(index_path.read_text())
    index["layers"][0]["file"] = "../../../etc/passwd"
    index_path.write_text(json.dumps(index))
    assert Store.load(data_dir).layers["logistics-hubs"].count == 3


def test_contract_breaches_are_counted_in_one_message(data_dir):
    path = data_dir / "layers" / "central-cities.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    for f in fc["features"]:
        f["properties"]["precision"] = "3"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DataError, match=r"feature 'city-zhengzhou': property 'precision' should be int "
                                        r"\(and 2 more problems\)"):
        Store.load(data_dir)
    # Loading without the check (benchmarks, tools) still reads the files.
    assert Store.load(data_dir, check=False).layers["central-cities"].count == 3


def test_the_real_data_passes_the_start_up_checks():
    """The committed data/ (what the app serves by default) passes every start-up check."""
    data = Path(__file__).resolve().parents[1] / "data"
    assert Store.load(data).layers


def test_a_layer_without_a_visible_flag_is_shown(data_dir):
    index_path = data_dir / "layers" / "index.json"
    index = json.loads(index_path.read_text())
    for layer in index["layers"]:
        layer.pop("visible", None)
    index["layers"][1]["visible"] = False
    index_path.write_text(json.dumps(index))
    assert [layer["visible"] for layer in Store.load(data_dir).index()["layers"]] == [True, False, True, True, True]


def test_host_codes():
    from geo.store import host_codes

    assert host_codes("420115") == ["420115", "420100", "420000"]
    assert host_codes("420100") == ["420100", "420000"]
    assert host_codes("x") == []


def test_the_real_data_finds_a_laboratory_by_its_host_city():
    from geo.store import Store

    store = Store.load(Path(__file__).resolve().parents[1] / "data")
    assert json.loads(store.base["cities"].body)["features"], "the build writes the cities"
    names = [r["name"] for r in store.places("Wuhan lab")]
    assert any("Jiufengshan" in n for n in names), names
