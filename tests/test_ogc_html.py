"""The OGC API's HTML pages: escaped text, links back to the map, nothing inline."""

import json
import re

import pytest

from geo.ogc import html
from geo.ogc.collections import collections_of
from geo.store import Store


@pytest.fixture
def hostile(data_dir):
    # Hostile text in the data files themselves (the store parses a feature when a page shows it).
    for rel in ("layers/central-cities.geojson", "locations.geojson"):
        path = data_dir / rel
        doc = json.loads(path.read_text(encoding="utf-8"))
        for f in doc["features"]:
            if f["properties"]["layer"] == "central-cities":
                f["properties"]["name"] = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
                f["properties"]["sources"][0]["mention"] = "</td><td onclick=alert(3)>"
                break
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    store = Store.load(data_dir)
    return collections_of(store)["central-cities"]


def test_items_page_escapes_every_text(hostile):
    page = html.items("http://x", hostile, range(hostile.count), hostile.count, 0, []).decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    item = html.item("http://x", hostile, 0, [{"rel": "related", "type": "text/html", "href": "http://x/#a"}]).decode()
    assert "<td onclick" not in item and "&lt;/td&gt;&lt;td onclick=alert(3)&gt;" in item


def test_pages_load_only_their_own_assets(hostile):
    page = html.items("http://x", hostile, [0, 1], 3, 0, []).decode()
    assert re.findall(r'<script[^>]*>', page) == ['<script src="http://x/static/ogc.js" defer>']
    assert re.findall(r'rel="stylesheet" href="([^"]+)"', page) == ["http://x/static/ogc.css"]
    assert "Places 1–2 of 3" in page


def test_policy_allows_nothing_inline():
    policy = html.page_policy("'self' https://news.example.org")
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "'unsafe-inline'" not in policy and policy.endswith("frame-ancestors 'self' https://news.example.org")
