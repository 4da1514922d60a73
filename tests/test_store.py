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


# --- corrupt data: one DataError naming the file and the problem, whatever the file holds ---------

def _edit(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _set(*keys, value):
    """A change that sets data[k1][k2]... = value."""
    def change(data):
        for key in keys[:-1]:
            data = data[key]
        data[keys[-1]] = value
    return change


HUBS, INDEX, BASE = "layers/logistics-hubs.geojson", "layers/index.json", "base/provinces.geojson"
GEOM = ("features", 0, "geometry")
CORRUPT = [
    (HUBS, _set(*GEOM, "coordinates", value=["113", "30"]), "a position is not a [lon, lat] pair of numbers"),
    (HUBS, _set(*GEOM, "coordinates", value={"lon": 113}), "a position is not a [lon, lat] pair"),
    (HUBS, _set(*GEOM, "coordinates", value=[[113, 30]]), "a position is not a [lon, lat] pair"),
    (HUBS, _set(*GEOM, "coordinates", value=[113, True]), "a position is not a [lon, lat] pair"),
    (HUBS, _set(*GEOM, "coordinates", value=[float("nan"), 30]), "not [lon, lat] within range"),
    (HUBS, _set(*GEOM, "coordinates", value=[1e400, 30]), "not [lon, lat] within range"),
    (HUBS, _set(*GEOM, value={"type": "Polygon", "coordinates": "[[0,0]]"}), "not nested lists as a Polygon needs"),
    (HUBS, _set(*GEOM, "type", value=["Point"]), "geometry missing or of an unknown type"),
    (HUBS, _set("features", 0, "id", value=["x"]), "id must be a non-empty string"),
    (HUBS, _set("features", 0, "properties", value=[]), "no properties"),
    (HUBS, _set("features", 1, value=None), "feature #1: not a Feature"),
    (HUBS, _set("features", value={"0": {}}), "not a GeoJSON FeatureCollection"),
    (INDEX, _set("layers", 0, value="logistics-hubs"), "layer #0 is str 'logistics-hubs', not an object"),
    (INDEX, _set("layers", 0, value=None), "layer #0 is NoneType None, not an object"),
    (INDEX, _set("themes", 0, value=7), "theme #0 is int 7, not an object"),
    (INDEX, _set("themes", 0, "layers", value="logistics-hubs"), "theme 'logistics' has 'layers' 'logistics-hubs'"),
    (INDEX, _set("themes", 0, "layers", value=[1, 2]), "theme 'logistics' has 'layers' that are not all strings"),
    (INDEX, _set("layers", 0, "title", value=5), "layer 'logistics-hubs' has 'title' 5, of the wrong type"),
    (INDEX, _set("layers", 0, "colour", value="red;}"), "colour 'red;}', not #rrggbb"),
    (INDEX, _set("layers", 0, "visible", value="yes"), "'visible' 'yes', of the wrong type"),
    (INDEX, _set("layers", 0, "bbox", value=["a", 1, 2, 3]), "bbox ['a', 1, 2, 3], not four numbers"),
    (INDEX, _set("layers", 0, "id", value="../../etc/hostname"), "id '../../etc/hostname', not lower-case"),
    (INDEX, _set("layers", 0, "id", value="/etc/hostname"), "not lower-case letters"),
    (INDEX, _set("layers", 0, "id", value=7), "'id' 7, of the wrong type"),
    (INDEX, _set("layers", 0, value={"title": "no id"}), "layer #0 has no 'id'"),
    (BASE, _set("features", 0, value=7), "province feature #0 is 7, not a Feature"),
    (BASE, _set("features", 0, "properties", value=None), "province feature #0 has no name"),
    (BASE, _set("features", 0, "geometry", "coordinates", value=[[["113", "30"]]]), "a position is not a [lon, lat]"),
    (BASE, _set("features", 0, "geometry", value={"type": "Point", "coordinates": [1, 2]}), "is not a Polygon"),
]


@pytest.mark.parametrize("rel, change, message", CORRUPT, ids=[f"{i}-{c[0].split('/')[-1]}" for i, c in enumerate(CORRUPT)])
def test_corrupt_data_is_one_line_naming_file_and_problem(data_dir, rel, change, message):
    _edit(data_dir / rel, change)
    assert_one_line_naming(data_dir, rel, message)


def assert_one_line_naming(data_dir, rel, message):
    """Loading ``data_dir`` fails with one short line that names the file ``rel`` and the problem."""
    with pytest.raises(DataError) as info:
        Store.load(data_dir)
    text = str(info.value)
    assert message in text and "\n" not in text and len(text) < 600, text
    assert str(data_dir / rel) in text


@pytest.mark.parametrize("rel", [HUBS, INDEX, BASE, "locations.geojson"])
def test_deeply_nested_json_is_one_line(data_dir, rel):
    (data_dir / rel).write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(DataError, match="unreadable: .*: JSON nested too deeply"):
        Store.load(data_dir)


def test_a_file_that_links_out_of_the_data_is_not_read(data_dir, tmp_path):
    outside = tmp_path / "outside.geojson"
    outside.write_bytes((data_dir / HUBS).read_bytes())
    (data_dir / HUBS).unlink()
    (data_dir / HUBS).symlink_to(outside)
    with pytest.raises(DataError, match="resolves outside the data directory"):
        Store.load(data_dir)


def test_a_directory_where_a_file_belongs(data_dir):
    (data_dir / "locations.geojson").unlink()
    (data_dir / "locations.geojson").mkdir()
    with pytest.raises(DataError, match="locations.geojson is unreadable"):
        Store.load(data_dir)


def _mutations(rng, node, depth=0):
    """Every path into a JSON value, to pick one to spoil."""
    paths = [()]
    if depth < 8:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            paths += [(key,) + p for p in _mutations(rng, value, depth + 1)]
    return paths


SPOILERS = [None, 7, -1.5, True, "", "x" * 70, [], {}, ["113", "30"], [[[]]], {"type": "Feature"},
            "../../etc/hostname", float("nan"), [1e308, -1e308], "\u0000", {"id": []}]


def test_randomly_spoiled_files_load_or_fail_in_one_line(tmp_path, fixture_data_dir):
    """250 random spoilings of the data files: each loads, or fails with one DataError line."""
    import random
    import shutil

    # A fresh copy of the fixture data each time (not ``from conftest import``: in a full run that
    # name may be another directory's conftest).
    def write_fixture_data(root):
        return Path(shutil.copytree(fixture_data_dir, root, dirs_exist_ok=True))

    rng = random.Random(20261201)
    outcomes = {"loaded": 0, "refused": 0}
    for n in range(250):
        data_dir = write_fixture_data(tmp_path / f"d{n % 4}")
        rel = rng.choice([HUBS, INDEX, BASE, "locations.geojson", "layers/metropolitan-circles.geojson"])
        doc = json.loads((data_dir / rel).read_text(encoding="utf-8"))
        path = rng.choice(_mutations(rng, doc)[1:])
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = rng.choice(SPOILERS)
        (data_dir / rel).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        try:
            Store.load(data_dir)
            outcomes["loaded"] += 1
        except DataError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 600, (rel, path, str(exc))
            outcomes["refused"] += 1
    assert outcomes["refused"] > 120, outcomes


def test_a_window_around_the_whole_layer_needs_no_geometry(store):
    circles = store.layers["metropolitan-circles"]
    assert circles.select(bbox=(-180, -90, 180, 90)) == [0, 1]
    assert circles._shapes is None  # every extent inside the window: shapes never built
    assert circles.select(bbox=(113.45, 28.7, 113.5, 28.8)) == []  # a partial window still uses them


# --- one copy of the bytes: files as the build writes them are kept as they are ------------------

def _as_built(data_dir: Path) -> Path:
    """The data's layers and locations written as ``python -m geo build`` writes them (compact
    JSON, one line, a newline at the end): what the store keeps as it is."""
    from geo import export

    for path in [*(data_dir / "layers").glob("*.geojson"), data_dir / "locations.geojson"]:
        path.write_bytes(export.dumps(json.loads(path.read_text(encoding="utf-8"))))
    return data_dir


@pytest.fixture
def synthetic(tmp_path):
    """The real data with a synthetic 3,000-point layer, as scripts/synthetic_data.py makes it."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import synthetic_data

    return synthetic_data.make(tmp_path / "synthetic", 3000)


def test_a_layer_as_built_is_served_as_its_file_bytes(data_dir):
    from geo.store import FeatureSlices, LazyFeatures, LocationOrder

    store = Store.load(_as_built(data_dir))
    for layer_id, layer in store.layers.items():
        on_disk = (data_dir / "layers" / f"{layer_id}.geojson").read_bytes()
        assert layer.blob.body == on_disk.rstrip(b"\n")
        assert isinstance(layer.feature_bytes, FeatureSlices) and layer.feature_bytes._body is layer.blob.body
        assert isinstance(layer.features, LazyFeatures)  # parsed when asked, not held
        assert list(layer.features) == json.loads(on_disk)["features"]
    assert isinstance(store.locations_are_layers, LocationOrder)
    assert store.locations.body == (data_dir / "locations.geojson").read_bytes().rstrip(b"\n")


def test_the_lean_store_answers_as_the_careful_path(data_dir, tmp_path):
    """Files in another form (indented) take the careful path, the app's old way: parsed whole,
    serialized again. The same data as built gives the same answers, byte for byte."""
    import shutil

    careful = Store.load(data_dir)
    built = Store.load(_as_built(Path(shutil.copytree(data_dir, tmp_path / "built"))))
    assert careful.locations_are_layers is False and built.locations_are_layers is not False
    assert list(careful.layers) == list(built.layers)
    for layer_id in careful.layers:
        a, b = careful.layers[layer_id], built.layers[layer_id]
        assert a.blob.body == b.blob.body and a.blob.etag == b.blob.etag
        assert list(a.feature_bytes) == list(b.feature_bytes) and list(a.bboxes) == list(b.bboxes)
        assert a.meta == b.meta and a.provinces == b.provinces
        assert a.select(bbox=(112, 29, 115, 31)) == b.select(bbox=(112, 29, 115, 31))
        assert a.select(province="Hubei", q="wuhan") == b.select(province="Hubei", q="wuhan")
    assert careful.features.body == built.features.body and careful.features.etag == built.features.etag
    assert careful.locations.body == built.locations.body
    assert careful.documents() == built.documents()
    assert careful.places_by_document() == built.places_by_document()
    assert careful.index() == built.index() and careful.province_names() == built.province_names()
    for q in ("wuhan", "郑州", "zhengzhou hub", "circle", "Henan"):
        assert careful.places(q) == built.places(q), q
    assert careful.feature("hub-wuhan")[1] == built.feature("hub-wuhan")[1]
    assert list(careful.location_features()) == list(built.location_features())


def test_the_search_index_is_built_on_first_search(data_dir):
    store = Store.load(_as_built(data_dir))
    assert store._search_entries is None and all(l._search is None for l in store.layers.values())
    assert "hub-zhengzhou" in [r["id"] for r in store.places("Zhengzhou")]
    assert store._search_entries is not None
    assert [e.order for e in store.search_entries] == list(range(len(store.search_entries)))


def test_a_big_layer_as_built_loads_lean_and_answers_the_same(synthetic):
    from geo.store import LocationOrder

    store = Store.load(synthetic)
    layer = store.layers["synthetic-points"]
    on_disk = (synthetic / "layers" / "synthetic-points.geojson").read_bytes()
    assert layer.count == 3000 and layer.blob.body == on_disk.rstrip(b"\n")
    assert isinstance(store.locations_are_layers, LocationOrder)
    assert store.locations.body == (synthetic / "locations.geojson").read_bytes().rstrip(b"\n")
    features = json.loads(on_disk)["features"]
    assert layer.features[1234] == features[1234]
    assert list(layer.bboxes)[:3] == [tuple(f["geometry"]["coordinates"] * 2) for f in features[:3]]
    hits = store.places("Synthetic place 2999")
    assert hits[0]["id"] == "synthetic-002999" and hits[0]["center"] == features[2999]["geometry"]["coordinates"]


def _rewrite(path: Path, change) -> None:
    """Edit a data file and write it back as the build writes it (so the lean path reads it)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


SYNTHETIC = "layers/synthetic-points.geojson"
BIG_CORRUPT = [
    (SYNTHETIC, _set("features", 2000, "geometry", "coordinates", value=[200.0, 30.0]),
     "layer synthetic-points breaks the data contract: feature 'synthetic-002000': coordinates are not [lon, lat] within range"),
    (SYNTHETIC, _set("features", 2000, "geometry", "coordinates", value=[float("nan"), 30.0]),
     "feature 'synthetic-002000': coordinates are not [lon, lat] within range"),
    (SYNTHETIC, _set("features", 2000, "geometry", "coordinates", value=[113.1234567, 30.0]),
     "feature 'synthetic-002000': coordinates have more than 6 decimals"),
    (SYNTHETIC, _set("features", 2000, "geometry", "coordinates", value=[113, True]),
     "feature 'synthetic-002000': a position is not a [lon, lat] pair of numbers"),
    (SYNTHETIC, _set("features", 2000, "id", value="synthetic-000001"), "feature 'synthetic-000001': duplicate id"),
    (SYNTHETIC, _set("features", 2000, "properties", "sources", value=[]), "feature 'synthetic-002000': no sources"),
    (SYNTHETIC, _set("features", 2000, "properties", "layer", value="gateways"),
     "layer synthetic-points holds feature 'synthetic-002000' of another layer"),
    (SYNTHETIC, _set("features", 2000, value=[1, 2]), "feature #2000: not a Feature"),
    ("locations.geojson", lambda doc: doc["features"].append(doc["features"][0]),
     "locations.geojson repeats a feature id"),
]


@pytest.mark.parametrize("rel, change, message", BIG_CORRUPT, ids=[m[:40] for _, _, m in BIG_CORRUPT])
def test_a_corrupt_big_file_is_one_line_naming_file_and_problem(synthetic, rel, change, message):
    _rewrite(synthetic / rel, change)
    assert_one_line_naming(synthetic, rel, message)


def test_a_truncated_big_file_says_it_is_unreadable(synthetic):
    path = synthetic / SYNTHETIC
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"layer synthetic-points is unreadable: .*synthetic-points\.geojson: "):
        Store.load(synthetic)


def test_a_split_that_is_not_one_falls_back_to_the_careful_path(synthetic):
    """A Feature nested in a property, right after another object: the bytes look like a gap
    between features, the pieces do not parse, and the careful path reads the file right."""
    nested = [{"a": 1}, {"type": "Feature", "note": "not a place"}]
    _rewrite(synthetic / SYNTHETIC, _set("features", 7, "properties", "extra", value=nested))
    (synthetic / "locations.geojson").write_bytes((synthetic / "locations.geojson").read_bytes())
    store = Store.load(synthetic)
    layer = store.layers["synthetic-points"]
    assert layer.count == 3000 and layer.features[7]["properties"]["extra"] == nested
    assert store.locations_are_layers is False  # locations.geojson holds the feature without it
    assert json.loads(store.locations.body)["features"][-2993]["id"] == "synthetic-000007"


def test_locations_that_differ_from_the_layers_are_checked_and_kept(synthetic):
    def rename(doc):
        doc["features"][-1]["properties"]["name"] = "Renamed in locations only"
    _rewrite(synthetic / "locations.geojson", rename)
    store = Store.load(synthetic)
    assert store.locations_are_layers is False
    features = json.loads(store.locations.body)["features"]
    on_disk = json.loads((synthetic / "locations.geojson").read_text(encoding="utf-8"))["features"]
    assert features == on_disk and features[-1]["properties"]["name"] == "Renamed in locations only"
    assert store.layers["synthetic-points"].features[2999]["properties"]["name"] == "Synthetic place 2999"


@pytest.mark.parametrize("chunk", [97, 4096])
def test_locations_read_in_small_chunks_are_the_same(synthetic, monkeypatch, chunk):
    """Features and gaps that straddle the reads of locations.geojson are found all the same."""
    from geo import store as store_module

    whole = Store.load(synthetic)
    monkeypatch.setattr(store_module, "_CHUNK", chunk)
    chunked = Store.load(synthetic)
    assert chunked.locations_are_layers is not False
    assert chunked.locations.body == whole.locations.body
    assert list(chunked.location_bytes()) == list(whole.location_bytes())


def test_a_location_written_differently_is_compared_parsed(synthetic):
    """The same feature with its keys in another order: not the layer's bytes, the same feature."""
    def reorder(doc):
        f = doc["features"][-1500]
        doc["features"][-1500] = {"type": "Feature", "properties": f["properties"], "geometry": f["geometry"],
                                  "id": f["id"]}
    _rewrite(synthetic / "locations.geojson", reorder)
    store = Store.load(synthetic)
    assert store.locations_are_layers is False
    assert json.loads(store.locations.body) == json.loads((synthetic / "locations.geojson").read_bytes())
