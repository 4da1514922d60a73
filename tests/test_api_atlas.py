"""The atlas handlers without Flask: plain parameters in, ApiResponse out, ApiError for bad input."""

from __future__ import annotations

import json

import pytest

from geo.api import ApiError, ApiResponse, atlas
from geo.store import Blob, Store


@pytest.fixture
def store(data_dir) -> Store:
    return Store.load(data_dir)


def body_of(result: ApiResponse) -> dict:
    raw = getattr(result.body, "body", result.body)  # a Blob or JoinedBlob prepared once, or bytes
    return json.loads(raw)


def test_layers_index_links_start_with_the_base(store):
    result = atlas.layers_index(store, "/atlas")
    body = body_of(result)
    assert result.status == 200 and result.media_type == "application/json"
    assert body["layers"][0]["links"]["self"] == "/atlas/api/layers/logistics-hubs"
    assert body["links"]["download_all"] == "/atlas/download/locations.geojson"
    # Made once per store and base.
    assert atlas.layers_index(store, "/atlas").body is result.body
    assert atlas.layers_index(store, "").body is not result.body


def test_unfiltered_layer_is_the_prepared_blob(store):
    assert atlas.layer(store, "corridors", {}).body is store.layers["corridors"].blob
    filtered = atlas.layer(store, "logistics-hubs", {"province": "河南"})
    assert [f["id"] for f in body_of(filtered)["features"]] == ["hub-zhengzhou"]


@pytest.mark.parametrize("call, status, fragment", [
    (lambda s: atlas.layer(s, "nope", {}, "/x"), 404, "GET /x/api/layers lists"),
    (lambda s: atlas.layer(s, "corridors", {"bbox": "1,2,3"}), 400, "bbox"),
    (lambda s: atlas.features(s, {"province": "Atlantis"}), 400, "unknown province"),
    (lambda s: atlas.places(s, {}), 400, "q is required"),
    (lambda s: atlas.features(s, {"layers": "corridors,atlantis"}, "/x"), 400, "unknown layer 'atlantis' in layers; GET /x/api/layers"),
    (lambda s: atlas.features(s, {"layers": "corridors,,gateways"}), 400, "none empty"),
    (lambda s: atlas.places(s, {"q": "wuhan", "limit": "0"}), 400, "limit"),
    (lambda s: atlas.download_layer(s, ".."), 404, "unknown layer"),
])
def test_errors_name_what_is_wrong(store, call, status, fragment):
    with pytest.raises(ApiError) as info:
        call(store)
    assert info.value.status == status and fragment in info.value.message


def test_features_of_the_layers_asked_for_in_panel_order(store):
    order = list(store.layers)
    asked = [order[-1], order[0], order[-1]]  # any order, repeats: the answer is in panel order
    result = atlas.features(store, {"layers": ",".join(asked)})
    ids = [f["id"] for f in body_of(result)["features"]]
    want = [f["id"] for layer in store.layers.values() if layer.id in asked
            for f in json.loads(layer.blob.body)["features"]]
    assert ids == want and ids and len(ids) == store.layers[order[0]].count + store.layers[order[-1]].count
    # With a filter too: those layers' features that pass it.
    hubs = body_of(atlas.features(store, {"layers": "logistics-hubs,corridors", "province": "河南"}))
    assert {f["properties"]["layer"] for f in hubs["features"]} <= {"logistics-hubs", "corridors"}
    assert "hub-zhengzhou" in [f["id"] for f in hubs["features"]]
    # Empty, or every layer, is the prepared body of all of them.
    assert atlas.features(store, {"layers": ""}).body is store.features
    assert atlas.features(store, {"layers": ",".join(reversed(list(store.layers)))}).body is store.features


def test_places_and_downloads(store):
    found = body_of(atlas.places(store, {"q": "wuhan"}))
    assert found["results"][0]["id"] == "hub-wuhan"
    download = atlas.download_layer(store, "corridors")
    assert download.filename == "central-china-atlas-corridors.geojson"
    assert download.body is store.layers["corridors"].blob
    assert atlas.download_all(store).body is store.locations
    assert body_of(atlas.openapi(store))["openapi"].startswith("3.")


def test_filtered_answers_are_kept_and_bounded(store, monkeypatch):
    """Recent filtered answers come from the cache (the same Blob), keyed by what was selected;
    old ones are dropped."""
    import gzip

    first = atlas.features(store, {"bbox": "-180,-90,180,90"}).body
    assert atlas.features(store, {"bbox": "-180,-90,180,90"}).body is first
    assert atlas.features(store, {"bbox": "-179.5,-89,180,89.99"}).body is first  # another window, same places
    assert atlas.is_filtered(first) and not atlas.is_filtered(store.features)
    assert gzip.decompress(first.gzipped) == first.body and len(body_of(atlas.features(store, {}))["features"]) == 11
    layer = atlas.layer(store, "corridors", {"province": "Hubei"}).body
    assert atlas.layer(store, "corridors", {"province": "hubei"}).body is layer
    monkeypatch.setattr(atlas, "FILTERED_ANSWERS", 2)
    hubei = atlas.features(store, {"province": "Hubei"}).body
    atlas.features(store, {"province": "Henan"})
    atlas.features(store, {"province": "Hunan"})
    assert atlas.features(store, {"province": "Hubei"}).body is not hubei  # pushed out, made again


# --- a layer as a GeoJSON Text Sequence (RFC 8142) ----------------------------------------------

def parse_seq(body: bytes) -> list[dict]:
    """Read a GeoJSON Text Sequence as RFC 8142 says: records start with RS and end with LF."""
    assert body.startswith(b"\x1e") and body.endswith(b"\n")
    records = body.split(b"\x1e")[1:]
    assert all(r.endswith(b"\n") for r in records)
    return [json.loads(r) for r in records]


def test_a_layer_as_a_text_sequence_is_its_features(store):
    import gzip

    for layer_id, layer in store.layers.items():
        result = atlas.layer(store, layer_id, {"f": "geojsonseq"})
        assert result.media_type == "application/geo+json-seq" and result.headers["Vary"] == "Accept"
        blob = result.body
        assert parse_seq(blob.body) == json.loads(layer.blob.body)["features"]
        assert blob.length == len(blob.body) and gzip.decompress(blob.gzipped) == blob.body
        assert blob.etag != layer.blob.etag and len(blob.etag) == 32
        assert atlas.layer(store, layer_id, {"f": "geojsonseq"}).body is blob  # made once


def test_a_filtered_text_sequence_holds_the_filtered_features(store):
    seq = atlas.layer(store, "logistics-hubs", {"f": "geojsonseq", "province": "Hubei"}).body
    collection = body_of(atlas.layer(store, "logistics-hubs", {"province": "Hubei"}))
    assert parse_seq(seq.body) == collection["features"] and len(collection["features"]) == 1


@pytest.mark.parametrize("accept, expected", [
    ("application/geo+json-seq", "application/geo+json-seq"),
    ("application/geo+json-seq, */*;q=0.1", "application/geo+json-seq"),
    ("application/geo+json;q=0.5, application/geo+json-seq", "application/geo+json-seq"),
    ("application/geo+json, application/geo+json-seq;q=0.5", "application/geo+json"),
    ("application/geo+json-seq;q=0", "application/geo+json"),
    ("*/*", "application/geo+json"),
    (None, "application/geo+json"),
])
def test_the_accept_header_chooses_the_representation(store, accept, expected):
    assert atlas.layer(store, "corridors", {}, accept=accept).media_type == expected
    # f, when given, wins over the header.
    assert atlas.layer(store, "corridors", {"f": "geojson"}, accept=accept).media_type == "application/geo+json"


@pytest.mark.parametrize("value", ["xml", "GEOJSONSEQ", " geojsonseq", "seq"])
def test_an_unknown_layer_format_is_a_400(store, value):
    with pytest.raises(ApiError) as info:
        atlas.layer(store, "corridors", {"f": value})
    assert info.value.status == 400 and "f must be one of geojson, geojsonseq" in info.value.message


# --- maxAllowableOffset: outlines generalised for a zoom -------------------------------------------

def vertices(geometry) -> int:
    import shapely
    from shapely.geometry import shape
    return int(shapely.get_num_coordinates(shape(geometry))) if geometry else 0


def outline_layer(store) -> str:
    """The layer with the most line or area vertices."""
    def count(layer):
        return sum(vertices(f["geometry"]) for f in layer.features
                   if f.get("geometry") and "Point" not in f["geometry"]["type"])
    return max(store.layers.values(), key=count).id


def test_generalised_features_are_the_same_places_with_fewer_vertices(store):
    from geo import generalise

    full = body_of(atlas.features(store, {}))
    coarse = body_of(atlas.features(store, {"maxAllowableOffset": "0.5"}))
    assert coarse["maxAllowableOffset"] == generalise.offset_at(0)  # rounded down to a step
    assert "maxAllowableOffset" not in full
    assert [f["id"] for f in coarse["features"]] == [f["id"] for f in full["features"]]
    for a, b in zip(full["features"], coarse["features"]):
        assert a["properties"] == b["properties"]
        if "Point" in a["geometry"]["type"]:
            assert a["geometry"] == b["geometry"]  # points are never moved
        else:
            assert vertices(b["geometry"]) <= vertices(a["geometry"])
    assert sum(map(vertices, (f["geometry"] for f in coarse["features"]))) < \
        sum(map(vertices, (f["geometry"] for f in full["features"])))


def test_a_generalised_layer_filters_and_streams_like_the_full_one(store):
    layer_id = outline_layer(store)
    full = body_of(atlas.layer(store, layer_id, {}))
    coarse = atlas.layer(store, layer_id, {"maxAllowableOffset": "0.05"})
    body = body_of(coarse)
    assert [f["id"] for f in body["features"]] == [f["id"] for f in full["features"]]
    # Made once per layer and step: a second request is the same body.
    assert atlas.layer(store, layer_id, {"maxAllowableOffset": "0.05"}).body is coarse.body
    seq = atlas.layer(store, layer_id, {"maxAllowableOffset": "0.05", "f": "geojsonseq"})
    lines = [json.loads(line.lstrip("\x1e")) for line in seq.body.body.decode().split("\n") if line]
    assert lines == body["features"]
    # The same filters as at full detail select the same places.
    province = next(iter(sorted(set().union(*store.layers[layer_id].provinces))))
    chosen = body_of(atlas.layer(store, layer_id, {"province": province, "maxAllowableOffset": "0.05"}))
    assert [f["id"] for f in chosen["features"]] == \
        [f["id"] for f in body_of(atlas.layer(store, layer_id, {"province": province}))["features"]]


def test_a_point_layer_is_the_same_at_every_offset(store):
    assert atlas.layer(store, "logistics-hubs", {"maxAllowableOffset": "0.5"}).body is store.layers["logistics-hubs"].blob


@pytest.mark.parametrize("value", ["", "0"])
def test_an_empty_or_zero_offset_is_full_detail(store, value):
    assert atlas.features(store, {"maxAllowableOffset": value}).body is store.features
    layer_id = outline_layer(store)
    assert atlas.layer(store, layer_id, {"maxAllowableOffset": value}).body is store.layers[layer_id].blob


@pytest.mark.parametrize("value, words", [("abc", "is not a number"), ("-1", "0 or more"), ("inf", "is not a number")])
def test_a_bad_offset_is_a_400_that_names_it(store, value, words):
    for call in (lambda: atlas.features(store, {"maxAllowableOffset": value}),
                 lambda: atlas.layer(store, "corridors", {"maxAllowableOffset": value})):
        with pytest.raises(ApiError) as info:
            call()
        assert info.value.status == 400 and "maxAllowableOffset" in info.value.message and words in info.value.message
