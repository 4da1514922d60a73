"""The "Map a document" page (geo.docview) and its route: no inline script or style, the map
page's policy, assets from the app, settings in one attribute, the kinds stated once."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from app import create_app
from fake_parser import FakeParser
from geo import docview
from geo.mapview import PageAssets, page_policy

ASSETS = PageAssets(js=[("leaflet", "/vendor/leaflet/leaflet.js"), ("document", "/static/document.js")],
                    css=[("leaflet_css", "/vendor/leaflet/leaflet.css"), ("document_css", "/static/document.css")],
                    icon="/static/favicon.svg")
URLS = {"extract": "/api/extract", "provinces": "/api/base/provinces", "atlas": "/"}


def config_of(html: str) -> dict:
    match = re.search(r'data-config="([^"]*)"', html)
    return json.loads(html_lib.unescape(match.group(1)))


def test_page_has_no_inline_script_or_style():
    html = docview.render_page(ASSETS, URLS, (110, 28, 116, 32))
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<[^>]+\son[a-z]+=", html)
    policy = page_policy(html)
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "sha256" not in policy


def test_settings_ride_in_one_attribute():
    config = config_of(docview.render_page(ASSETS, URLS, (110, 28, 116, 32)))
    assert config["urls"] == URLS and config["bbox"] == [110, 28, 116, 32]
    assert config["max_bytes"] == 2 * 1024 * 1024
    assert [k["id"] for k in config["kinds"]] == [k for k, _, _ in docview.KINDS]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", k["colour"]) for k in config["kinds"])


def test_kinds_are_the_issues_fifteen():
    assert {k for k, _, _ in docview.KINDS} == {
        "country", "province", "prefecture", "county", "district", "town", "new_area", "development_zone",
        "lab_or_facility", "company_site", "region_or_belt", "river", "mountain", "foreign_city", "other"}


def test_hostile_urls_are_escaped():
    html = docview.render_page(ASSETS, dict(URLS, atlas='/"><script>x</script>'))
    assert "<script>x" not in html
    assert config_of(html)["urls"]["atlas"] == '/"><script>x</script>'


@pytest.fixture
def client(data_dir):
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), "PARSER": FakeParser()}).test_client()


def test_route(client):
    response = client.get("/map-document")
    assert response.status_code == 200 and response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe" not in policy and "script-src 'self';" in policy and "frame-ancestors 'self'" in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    html = response.get_data(as_text=True)
    config = config_of(html)
    assert config["urls"]["extract"] == "/api/extract"
    for src in re.findall(r'(?:src|href)="(/(?:static|vendor)/[^"]+)"', html):
        assert client.get(html_lib.unescape(src)).status_code == 200, src
    # No CDN: every script and stylesheet comes from the app.
    assert all(u.startswith("/") for u in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html))


def test_route_is_conditional(client):
    first = client.get("/map-document")
    assert client.get("/map-document", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
