"""Security headers: the page's Content-Security-Policy, framing, nosniff, Referrer-Policy and CORS.

The browser suite (tests/browser/test_security_browser.py) proves the page works under these headers;
here each header is checked on every kind of response.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from app import ConfigError, create_app, frame_ancestors, frame_options, main
from geo import mapview

# One URL of each kind of response the app gives.
PAGE = "/"
JSON_URLS = ["/api/layers", "/api/places?q=wuhan", "/api/openapi.json"]
GEOJSON_URLS = ["/api/layers/corridors", "/api/features", "/api/features?province=Hubei",
                "/api/base/provinces", "/download/corridors.geojson", "/download/locations.geojson"]
ERROR_URLS = ["/api/layers/nope", "/api/places", "/download/nope.geojson", "/no/such/page",
              "/static/nothing.js", "/vendor/nope/x.js"]
ASSET_URLS = ["/static/atlas.js", "/static/atlas.css", "/static/favicon.svg", "/favicon.ico",
              "/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css"]
EVERY_URL = [PAGE] + JSON_URLS + GEOJSON_URLS + ERROR_URLS + ASSET_URLS


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            assert words[0] not in out, f"directive {words[0]} given twice"
            out[words[0]] = words[1:]
    return out


def inline_bodies(html: str) -> dict[str, list[str]]:
    found = {"script": [], "style": []}
    for tag, attrs, body in re.findall(r"<(script|style)\b([^>]*)>(.*?)</\1>", html, re.S):
        if "src=" not in attrs:
            found[tag].append(body)
    return found


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# --- on every response -------------------------------------------------------------------------

@pytest.mark.parametrize("url", EVERY_URL)
def test_nosniff_and_referrer_policy_everywhere(client, url):
    response = client.get(url)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Content-Security-Policy" in response.headers


def test_headers_on_not_modified_and_head(client):
    for url in (PAGE, "/api/layers/corridors"):
        etag = client.get(url).headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.headers["X-Content-Type-Options"] == "nosniff"
        assert again.headers["Content-Security-Policy"] == client.get(url).headers["Content-Security-Policy"]
        assert client.head(url).headers["Content-Security-Policy"] == again.headers["Content-Security-Policy"]


def test_headers_on_a_server_error(app, client, monkeypatch):
    monkeypatch.setattr(app.extensions["atlas_store"], "places", lambda *a, **k: 1 / 0)
    app.testing = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/api/places?q=wuhan")
    assert response.status_code == 500
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


# --- the page's Content-Security-Policy --------------------------------------------------------

def test_page_policy_has_no_unsafe_sources(client):
    policy = client.get(PAGE).headers["Content-Security-Policy"]
    assert "unsafe" not in policy  # no 'unsafe-inline', 'unsafe-eval' or 'unsafe-hashes' anywhere
    d = directives(policy)
    assert d["default-src"] == ["'none'"]
    assert d["script-src"][0] == "'self'" and all(s.startswith("'sha256-") for s in d["script-src"][1:])
    assert d["style-src"][0] == "'self'" and all(s.startswith("'sha256-") for s in d["style-src"][1:])
    assert d["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert d["connect-src"] == ["'self'"]
    assert d["base-uri"] == ["'none'"]
    assert d["frame-ancestors"] == ["'self'"]
    assert "*" not in policy.replace("'", " ").split()


def test_page_policy_hashes_exactly_the_inline_parts(client):
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    d = directives(response.headers["Content-Security-Policy"])
    bodies = inline_bodies(html)
    assert bodies["script"] and bodies["style"]  # folium inlines both
    assert sorted(d["script-src"][1:]) == sorted({sha256_source(b) for b in bodies["script"]})
    assert sorted(d["style-src"][1:]) == sorted({sha256_source(b) for b in bodies["style"]})
    # No inline event handlers, javascript: URLs or style attributes a hash could not cover.
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert "javascript:" not in html.lower()
    assert not re.search(r"\sstyle\s*=", html, re.I)


def test_page_policy_is_cached_with_the_page(client):
    first, second = client.get(PAGE), client.get(PAGE)
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Content-Security-Policy"] == second.headers["Content-Security-Policy"]


def test_page_policy_follows_hostile_layer_text(data_dir):
    """Layer text goes into the inline script escaped, and the hash still matches the script."""
    import json

    plain = create_app({"TESTING": True, "DATA_DIR": str(data_dir)}).test_client().get(PAGE)
    plain_scripts = len(inline_bodies(plain.get_data(as_text=True))["script"])
    index_path = data_dir / "layers" / "index.json"
    index = json.loads(index_path.read_text())
    index["layers"][0]["title"] = "</script><script>alert(1)</script>"
    index["layers"][0]["description"] = "`${alert(2)}` \" ' <img src=x onerror=alert(3)>"
    index_path.write_text(json.dumps(index))
    client = create_app({"TESTING": True, "DATA_DIR": str(data_dir)}).test_client()
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    bodies = inline_bodies(html)
    d = directives(response.headers["Content-Security-Policy"])
    assert sorted(d["script-src"][1:]) == sorted({sha256_source(b) for b in bodies["script"]})
    # The escaped title opened no script of its own: as many inline scripts as the plain page has.
    assert len(bodies["script"]) == plain_scripts


def test_inline_hashes():
    html = ('<script src="/a.js"></script><script>var a = 1;</script><style>p{}</style>'
            '<script>var a = 1;</script><SCRIPT type="text/javascript">b()</SCRIPT>')
    hashes = mapview.inline_hashes(html)
    assert hashes == {"script": [sha256_source("var a = 1;"), sha256_source("b()")], "style": [sha256_source("p{}")]}


# --- everything else: no script, no framing ----------------------------------------------------

@pytest.mark.parametrize("url", [u for u in EVERY_URL if u != PAGE])
def test_resources_run_nothing_and_are_not_framed(client, url):
    response = client.get(url)
    d = directives(response.headers["Content-Security-Policy"])
    assert d["default-src"] == ["'none'"] and d["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


# --- framing of the page ------------------------------------------------------------------------

def test_page_framing_default_is_same_origin(client):
    response = client.get(PAGE)
    assert directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("setting, ancestors, xfo", [
    ("'self'", ["'self'"], "SAMEORIGIN"),
    ("'none'", ["'none'"], "DENY"),
    ("'self' https://news.example.org", ["'self'", "https://news.example.org"], None),
    (["https://news.example.org", "https://*.example.com:443"], ["https://news.example.org", "https://*.example.com:443"], None),
    ("*", ["*"], None),
])
def test_page_framing_is_configurable(data_dir, setting, ancestors, xfo):
    client = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "FRAME_ANCESTORS": setting}).test_client()
    response = client.get(PAGE)
    assert directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == ancestors
    assert response.headers.get("X-Frame-Options") == xfo
    # The setting is about the page only: the data is never framed.
    assert client.get("/api/layers").headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("setting", [
    "", [], "'self'; script-src *", "https://a.example,https://b.example", "'none' 'self'",
    "https://a.example\r\nSet-Cookie: x=1", "'unsafe-inline'", "https://exa mple.org;",
])
def test_bad_framing_setting_is_refused(data_dir, setting):
    with pytest.raises(ConfigError, match="FRAME_ANCESTORS"):
        create_app({"TESTING": True, "DATA_DIR": str(data_dir), "FRAME_ANCESTORS": setting})


def test_frame_helpers():
    assert frame_ancestors(None) == "'self'"
    assert frame_ancestors("  'self'   http://localhost:*  ") == "'self' http://localhost:*"
    assert frame_options("'self'") == "SAMEORIGIN" and frame_options("'none'") == "DENY"
    assert frame_options("'self' https://a.example") is None


def test_command_line_framing_setting(data_dir, capsys, monkeypatch):
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
    assert main(["--data", str(data_dir), "--frame-ancestors", "'self' https://news.example.org"]) == 0
    policy = served["app"].test_client().get("/").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://news.example.org" in policy
    assert main(["--data", str(data_dir), "--frame-ancestors", "x; y"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("atlas: cannot start: FRAME_ANCESTORS")


# --- CORS: the data is public, the page is not shared ------------------------------------------

@pytest.mark.parametrize("url", JSON_URLS + GEOJSON_URLS + ERROR_URLS[:4])
def test_data_and_its_errors_are_shared_with_any_origin(client, url):
    response = client.get(url, headers={"Origin": "https://elsewhere.example"})
    assert response.mimetype in ("application/json", "application/geo+json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("url", [PAGE] + ASSET_URLS)
def test_page_and_assets_are_not_shared(client, url):
    response = client.get(url, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_downloads_keep_cors_on_revalidation(client):
    first = client.get("/download/locations.geojson")
    again = client.get("/download/locations.geojson", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers["Access-Control-Allow-Origin"] == again.headers["Access-Control-Allow-Origin"] == "*"


# --- CORS preflight: every route the document lists answers OPTIONS (issue 11) -------------------

def _document_urls(client):
    document = client.get("/api/openapi.json").get_json()
    return [re.sub(r"\{[^}]+\}", "corridors", path) for path in document["paths"]]


def test_preflight_is_answered_for_every_api_route(client):
    for url in _document_urls(client):
        response = client.open(url, method="OPTIONS", headers={
            "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match, X-Not-Allowed"})
        assert response.status_code == 204, url
        assert response.data == b"" and response.mimetype != "text/html"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.headers["Access-Control-Allow-Methods"] in ("GET, HEAD, OPTIONS", "POST, OPTIONS",
                                                                    "GET, HEAD, POST, OPTIONS")
        assert response.headers["Access-Control-Allow-Headers"] == "if-none-match"
        assert int(response.headers["Access-Control-Max-Age"]) > 0
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_options_on_an_unknown_route_is_the_json_404(client):
    response = client.open("/no/such/route", method="OPTIONS", headers={"Origin": "https://x.example"})
    assert response.status_code == 404 and response.mimetype == "application/json"
