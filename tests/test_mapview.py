"""geo.mapview: the folium page, its per-instance assets, and what it leaves out."""

from __future__ import annotations

import json
import re

import folium
import pytest

from geo import mapview
from geo.store import Store

ASSETS = mapview.PageAssets(
    js=[("leaflet", "/vendor/leaflet/leaflet.js"), ("atlas", "/static/atlas.js")],
    css=[("leaflet_css", "/vendor/leaflet/leaflet.css"), ("atlas_css", "/static/atlas.css")],
)
URLS = mapview.PageUrls(places="/api/places", features="/api/features", provinces="/api/base/provinces",
                        download_all="/download/locations.geojson", index="/api/layers")


@pytest.fixture
def index(data_dir):
    store = Store.load(data_dir)
    return store.index(lambda lid: {"self": f"/api/layers/{lid}", "download": f"/download/{lid}.geojson"})


def test_page(index):
    html = mapview.render_page(index, ASSETS, URLS, (108, 24, 119, 37))
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert len(html.encode()) < 50_000
    assert re.findall(r'<script src="([^"]+)"', html) == ["/vendor/leaflet/leaflet.js", "/static/atlas.js"]
    # The stylesheets come from a script in <head> (render-blocking, not script-blocking), and
    # from <noscript> links without scripts; nowhere else.
    sheets = ["/vendor/leaflet/leaflet.css", "/static/atlas.css"]
    head = html.split("</head>")[0]
    noscript = re.search(r"<noscript>(.*?)</noscript>", head, re.S).group(1)
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', noscript) == sheets
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html.replace(noscript, "")) == []
    script = head.index("var sheets = " + json.dumps(sheets))
    assert script < head.index("<script src="), "asked for before the scripts"
    assert "https://cdn" not in html and "bootstrap" not in html and "jquery" not in html.lower()
    assert html.count("atlas.overlay(") == len(index["layers"])
    assert "atlas.base(" in html and "atlas.start(" in html
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    # The tile layer is added by atlas.js (it may start on the offline base), not by folium.
    assert ".addTo(map_" not in html.split("L.tileLayer")[1].split(";")[0]
    # The script runs inside the body, after the map div.
    assert html.index('class="folium-map"') < html.index("atlas.start(") < html.index("</body>")


def test_assets_are_per_instance(index):
    before_js, before_css = list(folium.Map.default_js), list(folium.Map.default_css)
    mapview.build_map(index, ASSETS, URLS)
    assert folium.Map.default_js == before_js and folium.Map.default_css == before_css
    plain = folium.Map().get_root().render()
    assert "cdn.jsdelivr.net" in plain  # another map in the process keeps folium's defaults


def test_text_is_escaped_for_a_script(index):
    index["layers"][0]["title"] = "</script><script>alert(1)</script>"
    index["themes"][0]["title"] = "Tom's <b>theme</b> & co"
    html = mapview.render_page(index, ASSETS, URLS)
    assert "</script><script>alert(1)" not in html
    assert "<b>theme</b>" not in html
    assert "\\u003c/script\\u003e" in html


def test_view_defaults(index):
    m = mapview.build_map(index, ASSETS, URLS, None)
    lat, lon = m.location
    assert 24 < lat < 37 and 108 < lon < 119
    assert mapview._view((100, 20, 130, 45))[1] == 5
    assert mapview._view((112, 30, 115, 32))[1] == 7


def overlay_options(html: str) -> list[dict]:
    """The options each atlas.overlay({...}) call of the page is given."""
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(html, m.end())[0] for m in re.finditer(r"atlas\.overlay\(", html)]


def test_overlays_carry_the_visible_flag(index):
    html = mapview.render_page(index, ASSETS, URLS)
    flags = [(o["id"], "true" if o["visible"] else "false") for o in overlay_options(html)]
    assert flags == [(layer["id"], "true" if layer["visible"] else "false") for layer in index["layers"]]
    assert ("metropolitan-circles", "false") in flags


def test_page_policy(index):
    html = mapview.render_page(index, ASSETS, URLS)
    policy = mapview.page_policy(html, "'self' https://news.example.org")
    assert "unsafe" not in policy
    assert "frame-ancestors 'self' https://news.example.org" in policy
    assert f"img-src 'self' data: {mapview.TILE_ORIGIN}" in policy and mapview.TILE_ORIGIN == "https://tile.openstreetmap.org"
    hashes = mapview.inline_hashes(html)
    # What folium writes inline, and the head's stylesheets and prefetch of the layers shown at load.
    assert len(hashes["script"]) == 4 and len(hashes["style"]) == 3
    for source in hashes["script"] + hashes["style"]:
        assert source in policy


def test_pinch_zoom_is_allowed(index):
    html = mapview.render_page(index, ASSETS, URLS)
    viewports = re.findall(r'<meta name="viewport"[^>]*>', html)
    assert viewports == [mapview.VIEWPORT]
    assert "user-scalable=no" not in html and "maximum-scale" not in html


def test_the_head_prefetches_the_layers_shown_at_load(index):
    html = mapview.render_page(index, ASSETS, URLS)
    head = html.split("</head>")[0]
    prefetch = head.index("window.atlasPrefetch")
    assert prefetch < head.index("<script src="), "before the scripts it would otherwise wait for"
    assert json.dumps(URLS.features) in head


def test_the_opening_request_is_preloaded_before_any_script(index):
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    html = mapview.render_page(index, ASSETS, URLS)
    head = html.split("</head>")[0]
    config = json.loads(re.search(r"var c = (\{.*?\});\n", html).group(1))
    opening = config["opening"]
    shown = [layer["id"] for layer in index["layers"] if layer.get("visible") is not False]
    assert opening["layers"] == shown and opening["step"] == config["detail"]["home"]
    query = parse_qs(urlsplit(opening["url"]).query)
    assert urlsplit(opening["url"]).path == URLS.features
    assert query["layers"] == [",".join(shown)]
    assert query["maxAllowableOffset"] == [config["detail"]["offsets"][str(opening["step"])]]
    # Preloaded by the first links in <head>, with the stylesheets, before any script.
    preloads = re.findall(r'<link rel="preload" as="(\w+)"( crossorigin)? href="([^"]+)">', head)
    assert [(kind, unescape(href)) for kind, _, href in preloads] == [("fetch", opening["url"])] + [
        ("style", url) for _, url in ASSETS.css]
    assert preloads[0][1], "crossorigin, as fetch() asks for it: else the preload is not used"
    assert head.index('rel="preload"') < head.index("<script")
    # atlas.js is given the same request.
    body = html.split("</head>")[1]
    given = json.JSONDecoder().raw_decode(body[body.index('"opening": ') + len('"opening": '):])[0]
    assert given == opening


def test_no_opening_request_where_the_map_opens_layer_by_layer():
    detail = mapview.detail_config(5, mapview.MIN_ZOOM)
    def prefetch(visible, stream=None):
        return {"url": "/api/features", "layers": [f"l{i}" for i in range(len(visible))], "visible": visible,
                "each": [{"url": f"/api/layers/l{i}", "stream": stream if i == 0 else None, "outlines": i == 1}
                         for i in range(len(visible))], "detail": detail}
    assert mapview.opening_request(prefetch([True] * 4 + [False] * 4))["url"].startswith("/api/features?layers=l0%2Cl1%2Cl2%2Cl3&")
    assert mapview.opening_request(prefetch([True] * 4))["url"] == "/api/features?maxAllowableOffset=" + detail["offsets"]["5"]
    assert mapview.opening_request(prefetch([True] * 3 + [False]))  is None  # fewer than four
    assert mapview.opening_request(prefetch([True] * 4 + [False] * 5)) is None  # fewer than half
    assert mapview.opening_request(prefetch([True] * 4, stream="/api/layers/l0/stream")) is None
    points_only = prefetch([True] * 4)
    for e in points_only["each"]:
        e["outlines"] = False
    assert mapview.opening_request(points_only) == {"url": "/api/features", "layers": ["l0", "l1", "l2", "l3"], "step": None}


def test_the_offsets_the_page_sends_are_each_zooms_step(index):
    from geo import generalise

    detail = mapview.detail_config(5, mapview.MIN_ZOOM)
    assert detail["param"] == generalise.PARAM and detail["home"] == 5
    # Rounded up when written, so the server (which rounds down) makes exactly that zoom's step.
    for zoom, offset in detail["offsets"].items():
        assert generalise.parse_offset(offset) == int(zoom)
    assert set(detail["offsets"]) == {str(z) for z in range(mapview.FULL_DETAIL_ZOOM)}
    # The page says which layers have outlines to generalise: not the point layers.
    html = mapview.render_page(index, ASSETS, URLS)
    each = json.loads(re.search(r"var c = (\{.*?\});\n", html).group(1))["each"]
    options = overlay_options(html)
    for layer, entry, opts in zip(index["layers"], each, options):
        points = set(layer["geometry_types"]) <= {"Point", "MultiPoint"}
        assert entry["outlines"] is not points and opts["outlines"] is not points


def test_each_layer_gets_its_own_symbol(index):
    html = mapview.render_page(index, ASSETS, URLS)
    symbols = [o["symbol"] for o in overlay_options(html)]
    assert len(symbols) == len(index["layers"])
    pairs = [(s["colour"], s["shape"], s["dash"]) for s in symbols]
    assert len(set(pairs)) == len(pairs)
