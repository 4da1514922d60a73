"""Route tests: every endpoint, its caching and each of its errors."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys

import pytest

from app import ROOT, TEXT_ASSETS, create_app, main
from geo.store import DataError

GEOJSON = "application/geo+json"


def feature_ids(response) -> list[str]:
    return [f["id"] for f in response.get_json()["features"]]


def assert_json_error(response, status: int, *fragments: str) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == status and body["error"] and body["message"]
    for fragment in fragments:
        assert fragment in body["message"], body["message"]
    assert b"<html" not in response.data.lower() and b"traceback" not in response.data.lower()
    return body


# --- the factory -------------------------------------------------------------------------------

def test_config(data_dir):
    assert not create_app({"DATA_DIR": str(data_dir)}).testing
    assert create_app({"TESTING": True, "DATA_DIR": str(data_dir)}).testing


def test_missing_data_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="layer index is missing.*python -m geo build"):
        create_app({"DATA_DIR": str(tmp_path)})


def test_main_refuses_to_start_without_data(tmp_path, capsys):
    assert main(["--data", str(tmp_path), "--port", "1"]) == 2
    assert "cannot start" in capsys.readouterr().err


# --- start-up on missing or corrupt data: one clear message, never a traceback -------------------

def _rewrite(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _truncate(path):
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def _drop_name(fc):
    del fc["features"][0]["properties"]["name"]


def _clockwise(fc):
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    ring.reverse()


def _move_feature(fc):
    fc["features"][0]["properties"]["layer"] = "corridors"


def _string_coordinates(fc):
    fc["features"][0]["geometry"]["coordinates"] = ["113", "30"]


def _layer_as_string(index):
    index["layers"][0] = "logistics-hubs"


def _theme_as_number(index):
    index["themes"][0] = 7


def _province_seven(fc):
    fc["features"][0] = 7


def _traversing_id(index):
    index["layers"][0]["id"] = "../../etc/hostname"


def _name_missing_layer(index):
    index["layers"].append(dict(index["layers"][0], id="ghost-layer"))


# (case id, how to break a good data directory, what the one-line message must say)
BAD_DATA = [
    ("missing-dir", lambda d: shutil.rmtree(d), "data directory does not exist"),
    ("not-a-dir", lambda d: (shutil.rmtree(d), d.write_text("x")), "data directory is not a directory"),
    ("missing-locations", lambda d: (d / "locations.geojson").unlink(), "locations.geojson is missing"),
    ("missing-index", lambda d: (d / "layers" / "index.json").unlink(), "layer index is missing"),
    ("truncated-layer", lambda d: _truncate(d / "layers" / "corridors.geojson"), "layer corridors is unreadable"),
    ("truncated-locations", lambda d: _truncate(d / "locations.geojson"), "locations.geojson is unreadable"),
    ("invalid-index", lambda d: (d / "layers" / "index.json").write_text("{'themes': [}"), "layer index is unreadable"),
    ("empty-layer-file", lambda d: (d / "layers" / "corridors.geojson").write_bytes(b""), "layer corridors is unreadable"),
    ("binary-locations", lambda d: (d / "locations.geojson").write_bytes(b"\xff\xfe\x00garbage"), "locations.geojson is unreadable"),
    ("layer-not-geojson", lambda d: (d / "layers" / "corridors.geojson").write_text('{"type": "Feature"}'),
     "not a GeoJSON FeatureCollection"),
    ("layer-breaks-contract", lambda d: _rewrite(d / "layers" / "logistics-hubs.geojson", _drop_name),
     "layer logistics-hubs breaks the data contract: feature 'hub-zhengzhou': missing property 'name'"),
    ("clockwise-polygon", lambda d: _rewrite(d / "layers" / "metropolitan-circles.geojson", _clockwise),
     "layer metropolitan-circles breaks the data contract: feature 'circle-wuhan': an exterior ring is clockwise"),
    ("feature-in-wrong-layer", lambda d: _rewrite(d / "layers" / "logistics-hubs.geojson", _move_feature),
     "layer logistics-hubs holds feature 'hub-zhengzhou' of another layer"),
    ("locations-break-contract", lambda d: _rewrite(d / "locations.geojson", _drop_name),
     "locations.geojson breaks the data contract: feature 'hub-zhengzhou': missing property 'name'"),
    ("index-names-missing-layer", lambda d: _rewrite(d / "layers" / "index.json", _name_missing_layer),
     "layer ghost-layer is missing"),
    ("corrupt-build-journal", lambda d: (d / ".build-journal.json").write_text("{not json"),
     "interrupted build in"),
    # issue 11: each of these crashed start-up with a traceback
    ("coordinates-as-strings", lambda d: _rewrite(d / "layers" / "logistics-hubs.geojson", _string_coordinates),
     "feature 'hub-zhengzhou': a position is not a [lon, lat] pair of numbers: ['113', '30']"),
    ("json-nested-200000-deep", lambda d: (d / "layers" / "index.json").write_text("[" * 200_000 + "]" * 200_000),
     "layer index is unreadable"),
    ("layer-entry-a-string", lambda d: _rewrite(d / "layers" / "index.json", _layer_as_string),
     "the layer index's layer #0 is str 'logistics-hubs', not an object"),
    ("theme-a-number", lambda d: _rewrite(d / "layers" / "index.json", _theme_as_number),
     "the layer index's theme #0 is int 7, not an object"),
    ("province-feature-7", lambda d: _rewrite(d / "base" / "provinces.geojson", _province_seven),
     "the province base layer's province feature #0 is 7, not a Feature"),
    ("journal-lists-for-objects", lambda d: (d / ".build-journal.json").write_text('{"backups": [], "created": {}}'),
     "cannot be trusted: 'backups' and 'removed' must be objects"),
    ("layer-id-leaves-the-data", lambda d: _rewrite(d / "layers" / "index.json", _traversing_id),
     "has id '../../etc/hostname', not lower-case letters, digits and '-'"),
    ("journal-deletes-outside", lambda d: (d / ".build-journal.json").write_text('{"backups": {}, "created": ["../SENTINEL"]}'),
     "'../SENTINEL' leaves or escapes the data directory"),
    ("journal-moves-index-out", lambda d: (d / ".build-journal.json").write_text(
        '{"backups": {"../X": "layers/index.json"}, "created": []}'), "'../X' leaves or escapes the data directory"),
]


@pytest.mark.parametrize("case, breakage, message", BAD_DATA, ids=[c[0] for c in BAD_DATA])
def test_create_app_refuses_bad_data(data_dir, case, breakage, message):
    sentinel = data_dir.parent / "SENTINEL"
    sentinel.write_text("outside the data")
    breakage(data_dir)
    with pytest.raises(DataError) as info:
        create_app({"TESTING": True, "DATA_DIR": str(data_dir)})
    text = str(info.value)
    assert message in text, text
    assert "\n" not in text
    assert sentinel.read_text() == "outside the data" and not (data_dir.parent / "X").exists()


@pytest.mark.parametrize("case, breakage, message", BAD_DATA, ids=[c[0] for c in BAD_DATA])
def test_command_line_refuses_bad_data_in_one_line(data_dir, case, breakage, message):
    breakage(data_dir)
    result = subprocess.run([sys.executable, str(ROOT / "app.py"), "--data", str(data_dir), "--port", "1"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("atlas: cannot start: ") and message in lines[0], lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_start_up_rolls_back_a_build_killed_mid_swap(data_dir):
    """A journal left by a killed build: start-up puts the previous files back before loading."""
    target = data_dir / "layers" / "corridors.geojson"
    previous = target.read_bytes()
    (data_dir / "layers" / "corridors.geojson.bak-4242").write_bytes(previous)
    target.write_bytes(previous[:100])  # the half-swapped new file: it would not even parse
    (data_dir / "layers" / "new-layer.geojson").write_text("{}")
    (data_dir / "locations.geojson.tmp-4242").write_text("partial")
    (data_dir / ".build-journal.json").write_text(json.dumps({
        "backups": {"layers/corridors.geojson": "layers/corridors.geojson.bak-4242"},
        "created": ["layers/new-layer.geojson"]}))
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir)})
    assert target.read_bytes() == previous
    assert not (data_dir / ".build-journal.json").exists()
    assert not (data_dir / "layers" / "new-layer.geojson").exists()
    assert not list(data_dir.rglob("*.tmp-*")) and not list(data_dir.rglob("*.bak-*"))
    assert app.test_client().get("/api/layers/corridors").status_code == 200


def test_good_data_starts_on_the_command_line(data_dir, monkeypatch):
    served = {}
    class Server:  # the hardened waitress server, not started
        effective_port = 8123

        def __init__(self, app, host, port, limits):
            served.update(app=app, host=host, port=port, limits=limits)

        def run(self):
            pass

        def close(self):
            pass

    monkeypatch.setattr("app.make_server", Server)
    assert main(["--data", str(data_dir), "--port", "8123"]) == 0
    assert served["port"] == 8123 and served["app"].test_client().get("/api/layers").status_code == 200


def test_data_summary_command(runner):
    result = runner.invoke(args=["data-summary"])
    assert result.exit_code == 0
    assert "logistics-hubs: 3 feature(s)" in result.output
    assert "11 feature(s) in 5 layer(s)" in result.output


# --- the page ----------------------------------------------------------------------------------

def test_map_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert len(response.data) <= 50_000
    assert '<html lang="en">' in html and "<title>Central China Atlas</title>" in html
    # Assets from the app only; no CDN anywhere in the page.
    assert "cdn" not in html.lower() and "jsdelivr" not in html and "code.jquery.com" not in html
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert src.startswith("/"), src
    # Layers are fetched, not inlined: no feature text in the page.
    assert "Zhengzhou national logistics hub" not in html and '"FeatureCollection"' not in html
    assert "/api/layers/logistics-hubs" in html
    assert response.headers["ETag"] and "no-cache" in response.headers["Cache-Control"]


def test_map_page_assets_are_served(client):
    html = client.get("/").get_data(as_text=True)
    for src in re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', html):
        response = client.get(src)
        assert response.status_code == 200, src
        assert len(response.data) > 200, src


def test_stamped_assets_are_cached_for_long(client):
    html = client.get("/").get_data(as_text=True)
    stamped = set(re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+\?v=[0-9a-f]+)"', html))
    assert len(stamped) == 5  # two scripts, two stylesheets (also preloaded), the icon
    for url in stamped:
        assert "max-age=31536000" in client.get(url).headers["Cache-Control"], url
    assert "max-age=31536000" not in client.get("/static/atlas.js").headers.get("Cache-Control", "")


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"


def test_page_is_conditional(client):
    first = client.get("/")
    again = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_leaflet_is_served_with_the_compile_hint(client):
    """The vendored file, byte for byte, after V8's compile hint (a comment to anything else)."""
    from pathlib import Path

    from app import COMPILE_HINT, _vendor_dirs

    page = client.get("/").get_data(as_text=True)
    url = re.search(r'src="(/vendor/leaflet/leaflet\.js\?v=[^"]+)"', page).group(1)
    response = client.get(url)
    original = (Path(_vendor_dirs()["leaflet"]) / "leaflet.js").read_bytes()
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.data == COMPILE_HINT + original
    assert "max-age=31536000" in response.headers["Cache-Control"]
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == response.data
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    # Without a stamp it is revalidated, as every unstamped asset.
    assert "max-age=31536000" not in client.get("/vendor/leaflet/leaflet.js").headers["Cache-Control"]


@pytest.mark.parametrize("name", ["atlas.js", "atlas.css", "document.js", "favicon.svg"])
def test_text_assets_go_out_gzipped_with_etags(client, name):
    from pathlib import Path

    url = f"/static/{name}"
    original = (Path(__file__).resolve().parents[1] / "static" / name).read_bytes()
    plain = client.get(url)
    assert plain.status_code == 200 and plain.data == original and "Content-Encoding" not in plain.headers
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped.data) == original
    assert len(zipped.data) < len(original) and zipped.headers["Vary"] == "Accept-Encoding"
    assert zipped.mimetype == plain.mimetype == TEXT_ASSETS[Path(name).suffix]
    for response in (plain, zipped):
        assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_static_paths_stay_in_the_static_folder(client):
    for url in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/nothing-here.js", "/static/../README.md"):
        assert client.get(url).status_code == 404, url
    # Other files are sent as they are.
    assert client.get("/vendor/leaflet/images/marker-icon.png").mimetype == "image/png"


def test_unknown_vendor_package_and_missing_file(client):
    assert_json_error(client.get("/vendor/bootstrap/bootstrap.js"), 404, "unknown vendor package")
    assert_json_error(client.get("/vendor/leaflet/nothing-here.js"), 404)
    assert_json_error(client.get("/vendor/leaflet/../../../../etc/passwd"), 404)


# --- /api/layers -------------------------------------------------------------------------------

def test_layer_index(client):
    response = client.get("/api/layers")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert [t["id"] for t in body["themes"]] == ["logistics", "cities", "reform"]
    assert [layer["id"] for layer in body["layers"]] == [
        "logistics-hubs", "corridors", "central-cities", "metropolitan-circles", "pilot-zones"]
    hubs = body["layers"][0]
    assert hubs["count"] == 3 and hubs["colour"] == "#1f6fb2" and hubs["theme"] == "logistics"
    assert hubs["geometry_types"] == ["Point"] and len(hubs["bbox"]) == 4
    assert hubs["links"] == {"self": "/api/layers/logistics-hubs", "stream": "/api/layers/logistics-hubs?f=geojsonseq",
                             "download": "/download/logistics-hubs.geojson",
                             "formats": {ext: f"/download/logistics-hubs.{ext}" for ext in ("geojson", "gpkg", "csv", "kml", "fgb")}}
    assert [layer["visible"] for layer in body["layers"]] == [True, True, True, False, True]
    assert body["links"]["download_all"] == "/download/locations.geojson"
    assert body["links"]["places"] == "/api/places"
    assert body["links"]["features"] == "/api/features"


def test_index_links_resolve(client):
    body = client.get("/api/layers").get_json()
    for layer in body["layers"]:
        links = dict(layer["links"])
        formats = links.pop("formats")  # the layer's file in each download format
        for url in list(links.values()) + list(formats.values()):
            assert client.get(url).status_code == 200, url
    assert client.get(body["links"]["download_all"]).status_code == 200


# --- /api/layers/<id> --------------------------------------------------------------------------

def test_layer(client):
    response = client.get("/api/layers/metropolitan-circles")
    assert response.status_code == 200
    assert response.mimetype == GEOJSON
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    assert feature_ids(response) == ["circle-wuhan", "circle-changzhutan"]
    props = body["features"][0]["properties"]
    assert props["name_zh"] == "武汉都市圈" and props["members"][1]["name"] == "Ezhou"
    assert "武汉都市圈".encode() in response.data  # UTF-8, not \\u escapes
    assert b": " not in response.data[:200]  # compact


def test_layer_caching_headers(client):
    response = client.get("/api/layers/corridors")
    etag = response.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong
    assert "max-age" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    assert "Accept-Encoding" in response.headers["Vary"]
    again = client.get("/api/layers/corridors", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    other = client.get("/api/layers/corridors", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_layer_gzip(client):
    plain = client.get("/api/layers/corridors")
    zipped = client.get("/api/layers/corridors", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    # Either validator revalidates the resource.
    for etag in (plain.headers["ETag"], zipped.headers["ETag"]):
        assert client.get("/api/layers/corridors", headers={"Accept-Encoding": "gzip",
                                                            "If-None-Match": etag}).status_code == 304
    assert "Content-Encoding" not in client.get("/api/layers/corridors",
                                                headers={"Accept-Encoding": "gzip;q=0"}).headers


def test_layer_is_served_from_bytes_made_once(app, client):
    store = app.extensions["atlas_store"]
    assert client.get("/api/layers/corridors").data is not None
    assert client.get("/api/layers/corridors").data == store.layers["corridors"].blob.body


def test_unknown_layer(client):
    assert_json_error(client.get("/api/layers/no-such-layer"), 404, "unknown layer", "/api/layers")
    assert_json_error(client.get("/api/layers/..%2F..%2Fetc%2Fpasswd"), 404)


@pytest.mark.parametrize("bbox, ids", [
    ("110,33,116,36", ["hub-zhengzhou"]),
    ("100,20,125,45", ["hub-zhengzhou", "hub-wuhan", "hub-changsha"]),
    ("0,0,1,1", []),
    (" 112.9389 , 28.2278 , 112.9389 , 28.2278 ", ["hub-changsha"]),  # a point box touches
])
def test_layer_bbox(client, bbox, ids):
    response = client.get("/api/layers/logistics-hubs", query_string={"bbox": bbox})
    assert response.status_code == 200 and response.mimetype == GEOJSON
    assert feature_ids(response) == ids


def test_bbox_uses_geometry_not_just_extent(client):
    # The Luxembourg route's extent covers the Caspian; its line passes (60, 48), not (60, 40).
    assert feature_ids(client.get("/api/layers/corridors", query_string={"bbox": "59,47,61,49"})) == [
        "corridor-zhengzhou-luxembourg"]
    assert feature_ids(client.get("/api/layers/corridors", query_string={"bbox": "59,39,61,41"})) == []


@pytest.mark.parametrize("bbox, fragment", [
    ("1,2,3", "four comma-separated numbers"),
    ("1,2,3,4,5", "four comma-separated numbers"),
    ("a,2,3,4", "minx is not a number"),
    ("1,2,,4", "maxx is not a number"),
    ("nan,2,3,4", "not a number"),
    ("1,2,inf,4", "not a number"),
    ("120,20,100,40", "reversed: minx"),
    ("100,40,120,20", "reversed: miny"),
    ("-181,0,10,10", "longitude range"),
    ("0,0,181,10", "longitude range"),
    ("0,-91,10,10", "latitude range"),
    ("0,0,10,90.5", "latitude range"),
])
def test_bad_bbox(client, bbox, fragment):
    assert_json_error(client.get("/api/layers/logistics-hubs", query_string={"bbox": bbox}), 400, "bbox", fragment)


def test_empty_bbox_means_no_filter(client):
    assert len(feature_ids(client.get("/api/layers/logistics-hubs?bbox="))) == 3


@pytest.mark.parametrize("province", ["Hubei", "hubei", "HUBEI", "湖北", "湖北省"])
def test_layer_province(client, province):
    response = client.get("/api/layers/logistics-hubs", query_string={"province": province})
    assert feature_ids(response) == ["hub-wuhan"]


def test_unknown_province(client):
    assert_json_error(client.get("/api/layers/logistics-hubs?province=Atlantis"), 400, "unknown province")


def test_layer_q(client):
    assert feature_ids(client.get("/api/layers/central-cities", query_string={"q": "太原"})) == ["city-taiyuan"]
    assert feature_ids(client.get("/api/layers/central-cities", query_string={"q": "zhengzhou"})) == ["city-zhengzhou"]
    assert feature_ids(client.get("/api/layers/central-cities", query_string={"q": "nowhere"})) == []


def test_filters_combine(client):
    query = {"province": "Henan", "q": "zhengzhou", "bbox": "100,20,125,45"}
    assert feature_ids(client.get("/api/layers/logistics-hubs", query_string=query)) == ["hub-zhengzhou"]
    query["province"] = "Hunan"
    assert feature_ids(client.get("/api/layers/logistics-hubs", query_string=query)) == []


def test_filtered_response_is_conditional_and_gzipped(client):
    url = "/api/layers/logistics-hubs?province=Henan"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_too_long_q(client):
    assert_json_error(client.get("/api/layers/central-cities", query_string={"q": "x" * 101}), 400, "too long")


# --- /api/features ------------------------------------------------------------------------------

def test_features_is_every_layer_in_panel_order(client):
    response = client.get("/api/features", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.mimetype == GEOJSON
    assert response.headers["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(response.data))
    expected = []
    for layer in client.get("/api/layers").get_json()["layers"]:
        expected += feature_ids(client.get(layer["links"]["self"]))
    assert [f["id"] for f in body["features"]] == expected
    assert client.get("/api/features", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_features_filters(client):
    assert feature_ids(client.get("/api/features?province=Shanxi")) == ["city-taiyuan", "pilot-shanxi-energy"]
    assert feature_ids(client.get("/api/features?q=changsha&bbox=112,27,114,29")) == [
        "hub-changsha", "circle-changzhutan"]
    assert_json_error(client.get("/api/features?bbox=1,2,3"), 400, "bbox")
    assert_json_error(client.get("/api/features?province=Narnia"), 400, "unknown province")


def test_generalised_features_through_the_app(client):
    url = "/api/features?maxAllowableOffset=0.5"
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.mimetype == GEOJSON
    body = json.loads(gzip.decompress(response.data))
    assert body["maxAllowableOffset"] == pytest.approx(0.4972, abs=1e-4)
    assert [f["id"] for f in body["features"]] == [f["id"] for f in client.get("/api/features").get_json()["features"]]
    assert client.get(url, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    layer = client.get("/api/layers/corridors?maxAllowableOffset=0.5&province=Hubei")
    assert layer.status_code == 200 and layer.get_json()["maxAllowableOffset"] == body["maxAllowableOffset"]
    assert_json_error(client.get("/api/features?maxAllowableOffset=far"), 400, "maxAllowableOffset is not a number")
    assert_json_error(client.get("/api/layers/corridors?maxAllowableOffset=-2"), 400, "maxAllowableOffset must be")
    assert_json_error(client.get("/api/features?maxAllowableOffset=1&maxAllowableOffset=2"), 400, "maxAllowableOffset")


# --- /api/places -------------------------------------------------------------------------------

@pytest.mark.parametrize("q, first", [
    ("Zhengzhou", "city-zhengzhou"),
    ("zhengzhou", "city-zhengzhou"),
    ("郑州", "city-zhengzhou"),
    ("郑州市", "city-zhengzhou"),
    ("Zhèngzhōu", "city-zhengzhou"),
    ("武汉都市圈", "circle-wuhan"),
    ("Changzhutan", "circle-changzhutan"),
    ("chang zhu tan", "circle-changzhutan"),
    ("Air Silk Road", "corridor-zhengzhou-luxembourg"),
    ("luxembourg", "corridor-zhengzhou-luxembourg"),
    ("Nengyuan geming", "pilot-shanxi-energy"),
    ("鄂州", "circle-wuhan"),  # a member unit
    ("tai", "city-taiyuan"),
])
def test_places(client, q, first):
    response = client.get("/api/places", query_string={"q": q})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["query"] == q
    assert body["count"] == len(body["results"]) >= 1
    assert body["results"][0]["id"] == first


def test_place_result_fields(client):
    result = client.get("/api/places?q=武汉都市圈").get_json()["results"][0]
    assert result["name"] == "Wuhan metropolitan circle" and result["name_zh"] == "武汉都市圈"
    assert result["layer"] == "metropolitan-circles" and result["layer_title"] == "Metropolitan circles"
    assert result["theme"] == "cities" and result["provinces"] == ["Hubei"]
    assert result["precision"] == 3 and result["precision_label"] == "in a prefecture-level unit"
    assert result["geometry_type"] == "Polygon"
    assert result["bbox"] == [113.7, 29.9, 115.6, 31.3]
    lon, lat = result["center"]
    assert 113.7 < lon < 115.6 and 29.9 < lat < 31.3
    assert result["matched"] == {"field": "name_zh", "text": "武汉都市圈"}


def test_places_ranking_and_limit(client):
    ids = [r["id"] for r in client.get("/api/places?q=zhengzhou").get_json()["results"]]
    assert ids[:2] == ["city-zhengzhou", "hub-zhengzhou"]  # exact name before alias
    assert len(client.get("/api/places?q=a&limit=2").get_json()["results"]) <= 2


def test_places_no_match(client):
    body = client.get("/api/places?q=Atlantis").get_json()
    assert body == {"query": "Atlantis", "count": 0, "results": []}


@pytest.mark.parametrize("url, fragment", [
    ("/api/places", "q is required"),
    ("/api/places?q=", "q is required"),
    ("/api/places?q=%20%20", "q is required"),
    ("/api/places?q=" + "x" * 101, "too long"),
    ("/api/places?q=wuhan&limit=0", "limit"),
    ("/api/places?q=wuhan&limit=51", "limit"),
    ("/api/places?q=wuhan&limit=ten", "limit"),
])
def test_places_errors(client, url, fragment):
    assert_json_error(client.get(url), 400, fragment)


# --- base layer --------------------------------------------------------------------------------

def test_base_provinces(client):
    response = client.get("/api/base/provinces")
    assert response.status_code == 200 and response.mimetype == GEOJSON
    body = response.get_json()
    assert {f["properties"]["name"] for f in body["features"]} >= {"Henan", "Hubei", "Hunan"}


# --- downloads ---------------------------------------------------------------------------------

def test_download_layer(client):
    response = client.get("/download/corridors.geojson")
    assert response.status_code == 200
    assert response.mimetype == GEOJSON
    assert response.headers["Content-Disposition"] == 'attachment; filename="central-china-atlas-corridors.geojson"'
    body = json.loads(response.data)
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == ["corridor-zhengzhou-luxembourg", "corridor-wuhan-river"]
    assert response.data == client.get("/api/layers/corridors").data


def test_download_all(client):
    response = client.get("/download/locations.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.mimetype == GEOJSON
    assert response.headers["Content-Disposition"] == 'attachment; filename="central-china-atlas-locations.geojson"'
    body = json.loads(gzip.decompress(response.data))
    assert len(body["features"]) == 11
    assert client.get("/download/locations.geojson", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("url", [
    "/download/no-such-layer.geojson",
    "/download/..%2Flocations.geojson",
    "/download/index.geojson",
])
def test_download_unknown(client, url):
    assert_json_error(client.get(url), 404)


def test_download_needs_the_extension(client):
    assert_json_error(client.get("/download/corridors"), 404)
    assert_json_error(client.get("/download/corridors.json"), 404)


# --- errors in general -------------------------------------------------------------------------

def test_unknown_route_is_json(client):
    assert_json_error(client.get("/no/such/page"), 404)


def test_wrong_method_is_json(client):
    body = assert_json_error(client.post("/api/layers"), 405)
    assert body["error"] == "Method Not Allowed"


def test_unexpected_error_is_json_not_a_traceback(app, client, monkeypatch):
    store = app.extensions["atlas_store"]

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(store, "places", broken)
    app.testing = False  # let the handler answer instead of re-raising
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/places?q=wuhan")
    body = assert_json_error(response, 500)
    assert "secret detail" not in response.get_data(as_text=True)
    assert body["error"] == "Internal Server Error"


def test_head_requests(client):
    response = client.head("/api/layers/corridors")
    assert response.status_code == 200 and response.data == b""


# --- on every data set (fixture, and the built data when present) ------------------------------

def test_every_layer_serves_its_features(any_client):
    index = any_client.get("/api/layers").get_json()
    assert index["layers"], "no layers"
    seen = set()
    for layer in index["layers"]:
        response = any_client.get(layer["links"]["self"])
        assert response.status_code == 200 and response.mimetype == GEOJSON
        features = response.get_json()["features"]
        assert len(features) == layer["count"]
        assert {f["properties"]["layer"] for f in features} <= {layer["id"]}
        seen.update(f["id"] for f in features)
    everything = any_client.get("/download/locations.geojson").get_json()["features"]
    assert {f["id"] for f in everything} >= seen


def test_every_theme_lists_known_layers(any_client):
    index = any_client.get("/api/layers").get_json()
    ids = {layer["id"] for layer in index["layers"]}
    listed = [lid for theme in index["themes"] for lid in theme["layers"]]
    assert set(listed) == ids and len(listed) == len(ids)


def test_every_name_finds_its_place(any_client, any_app):
    store = any_app.extensions["atlas_store"]
    missed = []
    for entry in store.search_entries:
        for text in (entry.name, entry.name_zh):
            if not text:
                continue
            ids = [r["id"] for r in any_client.get("/api/places", query_string={"q": text, "limit": 50}).get_json()["results"]]
            if entry.id not in ids:
                missed.append((entry.id, text))
    assert missed == []


def test_page_size_on_every_data_set(any_client):
    assert len(any_client.get("/").data) <= 50_000


# --- the parser loads on first need, not at start ------------------------------------------------

def _lazy_parser():
    import threading

    from geo.parse import BackgroundParser
    from fake_parser import FakeParser

    calls = []
    release = threading.Event()

    def loader():
        calls.append(1)
        release.wait(5)
        return FakeParser()
    return BackgroundParser(loader, start=False, wait=5), calls, release


def test_the_parser_is_not_loaded_until_a_document_is_mapped(data_dir):
    parser, calls, release = _lazy_parser()
    client = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "PARSER": parser}).test_client()
    for path in ("/", "/api/layers", "/api/layers/corridors", "/api/places?q=wuhan", "/documents"):
        assert client.get(path).status_code == 200, path
    assert not parser.started and not calls
    assert client.get("/map-document").status_code == 200
    assert parser.started  # loading in the background; the page answered at once
    release.set()
    response = client.post("/api/extract", json={"text": "Zhengzhou and Wuhan"})
    assert response.status_code == 200 and calls == [1]


def test_a_post_to_extract_starts_the_parser(data_dir):
    parser, calls, release = _lazy_parser()
    client = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "PARSER": parser}).test_client()
    release.set()
    assert client.post("/api/extract", json={"text": "Wuhan"}).status_code == 200 and parser.started


def test_preload_parser_loads_it_at_start(data_dir):
    parser, calls, release = _lazy_parser()
    release.set()
    create_app({"TESTING": True, "DATA_DIR": str(data_dir), "PARSER": parser, "PRELOAD_PARSER": True})
    assert parser.started


def test_the_default_parser_waits_for_a_need():
    import app as app_module

    assert app_module.default_parser.__wrapped__().started is False


def test_main_has_a_preload_flag(data_dir, monkeypatch):
    import app as app_module

    seen = {}

    def fake_create_app(config=None):
        seen.update(config or {})
        raise DataError("stop here")
    monkeypatch.setattr(app_module, "create_app", fake_create_app)
    assert main(["--data", str(data_dir), "--preload-parser"]) == 2
    assert seen.get("PRELOAD_PARSER") is True


# --- a big layer: the lean store answers as the careful path did -------------------------------

@pytest.fixture
def synthetic_pair(tmp_path):
    """The real data with a 3,000-point synthetic layer as built, and the same data indented
    (which the store reads the careful way, as it always did)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import synthetic_data

    built = synthetic_data.make(tmp_path / "built", 3000)
    careful = tmp_path / "careful"
    shutil.copytree(built, careful)
    for path in [*(careful / "layers").glob("*.geojson"), careful / "locations.geojson"]:
        path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False, indent=1),
                        encoding="utf-8")
    return built, careful


def test_a_big_layer_gets_the_same_answers_lean_as_careful(synthetic_pair, monkeypatch):
    from fake_parser import FakeParser

    # An OGC items page says when it was made: one clock for both stores, so a second that
    # ticks between the two requests is not a difference between them.
    monkeypatch.setattr("geo.api.features._now", lambda: "2026-12-02T00:00:00Z")
    built, careful = synthetic_pair
    clients = [create_app({"TESTING": True, "DATA_DIR": str(d), "PARSER": FakeParser()}).test_client()
               for d in (built, careful)]
    assert clients[0].application.extensions["atlas_store"].locations_are_layers is not False
    assert clients[1].application.extensions["atlas_store"].locations_are_layers is False
    paths = ["/api/layers", "/api/layers/synthetic-points", "/api/layers/synthetic-points?f=geojsonseq",
             "/api/layers/synthetic-points?bbox=110,28,113,31", "/api/layers/synthetic-points?q=place%2012",
             "/api/features", "/api/features?province=Hubei", "/download/locations.geojson",
             "/download/synthetic-points.geojson", "/api/places?q=Synthetic%20place%20123",
             "/api/places?q=Wuhan%20lab", "/documents",
             "/collections", "/collections/synthetic-points", "/collections/locations",
             "/collections/synthetic-points/items?limit=50&offset=2000",
             "/collections/locations/items?limit=20&offset=3000",
             "/collections/locations/items?limit=20&offset=10&f=html",
             "/collections/synthetic-points/items?bbox=110,28,111,29&limit=5",
             "/collections/synthetic-points/items?filter=name%20%3D%20%27Synthetic%20place%207%27",
             "/collections/synthetic-points/items?datetime=2021-01-01T00:00:00Z/2021-12-31T00:00:00Z&limit=3",
             "/collections/synthetic-points/items/synthetic-000042",
             "/collections/locations/items/synthetic-002999?f=html",
             "/collections/synthetic-points/queryables"]
    for path in paths:
        for encoding in ("identity", "gzip"):
            lean, old = (c.get(path, headers={"Accept-Encoding": encoding}) for c in clients)
            assert lean.status_code == old.status_code == 200, (path, lean.status_code, old.status_code)
            assert lean.data == old.data, path
            assert lean.headers.get("ETag") == old.headers.get("ETag"), path


def test_a_layer_as_a_text_sequence_over_http(client):
    response = client.get("/api/layers/corridors?f=geojsonseq")
    assert response.status_code == 200 and response.mimetype == "application/geo+json-seq"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.headers["Vary"] and "Accept-Encoding" in response.headers["Vary"]
    records = response.data.split(b"\x1e")[1:]
    assert [json.loads(r)["id"] for r in records] == feature_ids(client.get("/api/layers/corridors"))
    gz = client.get("/api/layers/corridors", headers={"Accept": "application/geo+json-seq",
                                                       "Accept-Encoding": "gzip"})
    assert gz.headers["Content-Encoding"] == "gzip" and gzip.decompress(gz.data) == response.data
    again = client.get("/api/layers/corridors?f=geojsonseq", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert_json_error(client.get("/api/layers/corridors?f=kml"), 400, "f must be one of geojson, geojsonseq")
    assert_json_error(client.get("/api/layers/nowhere?f=geojsonseq"), 404, "unknown layer")


def test_a_parameter_given_twice_is_refused(client):
    response = client.get("/api/places?limit=&limit=false&q=wuhan")
    assert response.status_code == 400
    assert response.get_json()["message"] == "query parameter 'limit' is given 2 times; give it once"
    assert client.get("/collections/logistics-hubs/items?limit=2&limit=3").status_code == 400
    assert client.get("/api/places?limit=2&q=wuhan").status_code == 200
