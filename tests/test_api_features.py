"""OGC API – Features routes on the fixture data: landing page, conformance, collections, items
(paging, bbox, datetime, queryable parameters, CQL2), one item, queryables, HTML and errors."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from geo.api import ApiError, features
from geo.ogc import CONFORMANCE, OPENAPI_TYPE
from geo.store import Store

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
LAYERS = ["logistics-hubs", "corridors", "central-cities", "metropolitan-circles", "pilot-zones"]
ALL_IDS = ["hub-zhengzhou", "hub-wuhan", "hub-changsha", "corridor-zhengzhou-luxembourg", "corridor-wuhan-river",
           "city-zhengzhou", "city-taiyuan", "city-hefei", "circle-wuhan", "circle-changzhutan",
           "pilot-shanxi-energy"]


def ids(response) -> list[str]:
    return [f["id"] for f in response.get_json()["features"]]


def error(response, status: int, *fragments: str) -> dict:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == status and body["message"]
    for fragment in fragments:
        assert fragment in body["message"], body["message"]
    return body


def rels(body) -> dict[str, dict]:
    return {(l["rel"], l["type"]): l for l in body["links"]}


# --- landing page --------------------------------------------------------------------------------

@pytest.mark.parametrize("url, headers", [("/", JSON), ("/?f=json", {}), ("/", {"Accept": "*/*"}),
                                          ("/?f=json", BROWSER)])
def test_landing_page_is_json_for_clients(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    links = {l["rel"]: l for l in body["links"]}
    assert links["service-desc"]["type"] == OPENAPI_TYPE
    assert links["service-desc"]["href"] == "http://localhost/api/openapi.json"
    assert links["data"]["type"] == "application/json" and links["data"]["href"].endswith("/collections")
    assert links["conformance"]["href"].endswith("/conformance")
    assert links["service-doc"]["type"] == "text/html" and links["self"]["type"] == "application/json"
    assert all(l["href"].startswith("http://localhost/") for l in body["links"])
    assert "Accept" in response.headers["Vary"]
    for link in body["links"]:
        assert client.get(link["href"]).status_code == 200, link


@pytest.mark.parametrize("url, headers", [("/", BROWSER), ("/", {}), ("/?f=html", JSON)])
def test_browsers_still_get_the_map(client, url, headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert b"<title>Central China Atlas</title>" in response.data
    assert "Accept" in response.headers["Vary"]


def test_landing_errors(client):
    error(client.get("/?f=xml"), 400, "f must be one of json, html")
    error(client.get("/?f=json&nonsense=1"), 400, "unknown parameter 'nonsense'")
    assert client.get("/?utm_source=x", headers=BROWSER).status_code == 200  # the map ignores them


# --- conformance and collections -----------------------------------------------------------------

def test_conformance(client):
    body = client.get("/conformance").get_json()
    assert body["conformsTo"] == CONFORMANCE
    for cls in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{cls}" in body["conformsTo"]
    for cls in ("filter", "features-filter", "queryables"):
        assert f"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/{cls}" in body["conformsTo"]
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text" in body["conformsTo"]


def test_collections_are_the_layers_and_every_place(client):
    body = client.get("/collections").get_json()
    assert [c["id"] for c in body["collections"]] == LAYERS + ["locations"]
    hubs = body["collections"][0]
    assert hubs["title"] == "National logistics hubs" and hubs["itemType"] == "feature"
    assert hubs["extent"]["spatial"]["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    west, south, east, north = hubs["extent"]["spatial"]["bbox"][0]
    assert (west, south, east, north) == (112.9389, 28.2278, 114.2667, 34.7466)
    # The guideline (2021-04-23) and the report (2025-01, a month) name the hubs.
    assert hubs["extent"]["temporal"]["interval"] == [["2021-04-23T00:00:00Z", "2025-01-31T23:59:59Z"]]
    links = rels(hubs)
    assert links[("items", "application/geo+json")]["href"] == "http://localhost/collections/logistics-hubs/items"
    assert links[("enclosure", "application/geo+json")]["href"] == "http://localhost/download/logistics-hubs.geojson"
    assert links[("related", "text/html")]["href"] == "http://localhost/#layers=logistics-hubs"
    assert ("http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json") in links
    every = body["collections"][-1]
    assert every["numberOfFeatures"] == 11
    assert rels(every)[("enclosure", "application/geo+json")]["href"] == "http://localhost/download/locations.geojson"
    for c in body["collections"]:
        for link in c["links"]:
            assert link["rel"] and link["type"] and link["href"]
            if "#" not in link["href"]:
                assert client.get(link["href"]).status_code == 200, link


def test_one_collection(client):
    one = client.get("/collections/corridors").get_json()
    listed = [c for c in client.get("/collections").get_json()["collections"] if c["id"] == "corridors"][0]
    assert one == listed
    error(client.get("/collections/nope"), 404, "unknown collection 'nope'", "/collections")


# --- items ---------------------------------------------------------------------------------------

def test_items_unfiltered(client):
    response = client.get("/collections/locations/items")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_json()
    assert ids(response) == ALL_IDS
    assert body["numberMatched"] == body["numberReturned"] == 11
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["timeStamp"])
    assert "next" not in {l["rel"] for l in body["links"]}
    assert response.headers["ETag"]
    assert client.get("/collections/locations/items",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("query", ["", "&province=Hubei", "&filter=precision%20%3C%3D%203", "&bbox=100,20,125,45"])
@pytest.mark.parametrize("limit", [1, 2, 3, 4, 11, 50])
def test_next_links_walk_every_feature_once(client, limit, query):
    url = f"/collections/locations/items?limit={limit}{query}"
    seen, pages, prev_back = [], 0, []
    first = client.get(url).get_json()
    while url:
        body = client.get(url).get_json()
        assert body["numberReturned"] == len(body["features"]) <= limit
        assert body["numberMatched"] == first["numberMatched"]
        seen += [f["id"] for f in body["features"]]
        pages += 1
        links = {l["rel"]: l["href"] for l in body["links"]}
        if "prev" in links:
            prev_back.append(links["prev"])
        url = links.get("next")
        assert pages <= 20
    assert len(seen) == len(set(seen)) == first["numberMatched"]
    assert seen == ids(client.get(f"/collections/locations/items?limit=1000{query}"))
    for href in prev_back:  # prev goes back exactly one page
        body = client.get(href).get_json()
        assert 0 < body["numberReturned"] <= limit


def test_limit_and_offset(client):
    body = client.get("/collections/locations/items?limit=3&offset=9").get_json()
    assert [f["id"] for f in body["features"]] == ALL_IDS[9:]
    assert body["numberMatched"] == 11 and body["numberReturned"] == 2
    prev = [l["href"] for l in body["links"] if l["rel"] == "prev"][0]
    assert parse_qs(urlsplit(prev).query) == {"limit": ["3"], "offset": ["6"], "f": ["json"]}
    empty = client.get("/collections/locations/items?offset=50").get_json()
    assert empty["features"] == [] and empty["numberMatched"] == 11 and empty["numberReturned"] == 0


@pytest.mark.parametrize("url, fragment", [
    ("/collections/locations/items?limit=0", "limit must be a whole number from 1 to 1000"),
    ("/collections/locations/items?limit=1001", "limit"),
    ("/collections/locations/items?limit=ten", "limit"),
    ("/collections/locations/items?offset=-1", "offset"),
    ("/collections/locations/items?bbox=1,2,3", "bbox must be 4"),
    ("/collections/locations/items?bbox=1,95,3,96", "latitude"),
    ("/collections/locations/items?datetime=yesterday", "RFC 3339"),
    ("/collections/locations/items?datetime=2022-01-01/2021-01-01", "reversed"),
    ("/collections/locations/items?precision=high", "precision must be a whole number from 1 to 9"),
    ("/collections/locations/items?schematic=maybe", "schematic must be true or false"),
    ("/collections/locations/items?date=2021", "date must be a date"),
    ("/collections/locations/items?filter=name%20%3D", "not valid CQL2 text"),
    ("/collections/locations/items?filter=colour%20%3D%20%27red%27", "unknown property 'colour'"),
    ("/collections/locations/items?filter=precision%20%3D%20%27x%27", "compare like with like"),
    ("/collections/locations/items?filter=x&filter-lang=cql2-json", "filter-lang"),
    ("/collections/locations/items?filter-crs=EPSG:3857", "filter-crs"),
    ("/collections/locations/items?bbox-crs=EPSG:4326", "unknown parameter 'bbox-crs'"),
    ("/collections/locations/items?q=wuhan", "unknown parameter 'q'"),
    ("/collections/locations/items?f=csv", "f must be one of"),
    ("/collections/nope/items", "unknown collection"),
])
def test_items_errors(client, url, fragment):
    error(client.get(url), 404 if "nope" in url else 400, fragment)


@pytest.mark.parametrize("query, expected", [
    ("bbox=110,33,116,36", ["hub-zhengzhou", "corridor-zhengzhou-luxembourg", "city-zhengzhou"]),
    ("bbox=0,40,10,55", ["corridor-zhengzhou-luxembourg"]),               # the route's far end
    ("bbox=112,27.5,113,27.55", ["circle-changzhutan"]),                   # inside one part
    ("bbox=113.45,28.0,113.5,28.5", []),                                   # between the parts' boxes
    ("bbox=170,0,-170,10", []),                                            # across the antimeridian
    ("bbox=100,20,0,125,45,0", None),                                      # six numbers: heights ignored
    ("province=Henan", ["hub-zhengzhou", "corridor-zhengzhou-luxembourg", "city-zhengzhou"]),
    ("province=湖北省", ["hub-wuhan", "corridor-wuhan-river", "circle-wuhan"]),
    ("province=Atlantis", []),
    ("theme=reform", ["pilot-shanxi-energy"]),
    ("precision=5", ["corridor-zhengzhou-luxembourg", "corridor-wuhan-river", "circle-changzhutan"]),
    ("document=report-2025", ["hub-zhengzhou", "pilot-shanxi-energy"]),
    ("layer=corridors&schematic=true", ["corridor-zhengzhou-luxembourg", "corridor-wuhan-river"]),
    ("name_zh=太原市", ["city-taiyuan"]),
    ("id=city-hefei", ["city-hefei"]),
    ("date=2021-04-23&precision=4", []),
    ("datetime=2025-01-15", ["hub-zhengzhou", "pilot-shanxi-energy"]),     # inside the report's month
    ("datetime=2025-02-01T00:00:00Z/..", []),
    ("datetime=../2021-04-23", [i for i in ALL_IDS if i != "pilot-shanxi-energy"]),
    ("datetime=2021-04-24T08:00:00%2B09:00", [i for i in ALL_IDS if i != "pilot-shanxi-energy"]),  # UTC day 04-23
    ("province=Henan&theme=cities", ["city-zhengzhou"]),
])
def test_items_filters(client, query, expected):
    response = client.get(f"/collections/locations/items?{query}")
    assert response.status_code == 200, response.data[:300]
    if expected is None:
        expected = ids(client.get("/collections/locations/items?bbox=100,20,125,45"))
    assert ids(response) == expected
    assert response.get_json()["numberMatched"] == len(expected)


@pytest.mark.parametrize("cql, expected", [
    ("province = 'Hubei'", ["hub-wuhan", "corridor-wuhan-river", "circle-wuhan"]),
    ("province = 'Hubei' AND precision < 5", ["hub-wuhan", "circle-wuhan"]),
    ("theme = 'reform' OR name = 'Hefei'", ["city-hefei", "pilot-shanxi-energy"]),
    ("NOT (precision <= 4)", ["corridor-zhengzhou-luxembourg", "corridor-wuhan-river", "circle-changzhutan"]),
    ("name LIKE 'Zhengzhou%'", ["hub-zhengzhou", "corridor-zhengzhou-luxembourg", "city-zhengzhou"]),
    ("name LIKE '_efei'", ["city-hefei"]),
    ("CASEI(name) LIKE CASEI('%METROPOLITAN%')", ["circle-wuhan", "circle-changzhutan"]),
    ("name_zh LIKE '%都市圈'", ["circle-wuhan", "circle-changzhutan"]),
    ("layer IN ('pilot-zones', 'corridors')", ["corridor-zhengzhou-luxembourg", "corridor-wuhan-river",
                                               "pilot-shanxi-energy"]),
    ("precision NOT IN (3)", ["corridor-zhengzhou-luxembourg", "corridor-wuhan-river", "circle-changzhutan",
                              "pilot-shanxi-energy"]),
    ("precision BETWEEN 4 AND 4", ["pilot-shanxi-energy"]),
    ("name_zh IS NULL", []),
    ("province IS NOT NULL", ALL_IDS),
    ("schematic = true", ["corridor-zhengzhou-luxembourg", "corridor-wuhan-river"]),
    ("document = 'report-2025' AND date >= DATE('2025-01-01')", ["hub-zhengzhou", "pilot-shanxi-energy"]),
    ("S_INTERSECTS(geometry, POINT(114.2667 30.5833))", ["hub-wuhan", "corridor-wuhan-river", "circle-wuhan"]),
    ("S_INTERSECTS(geometry, BBOX(0, 40, 10, 55))", ["corridor-zhengzhou-luxembourg"]),
    ("S_INTERSECTS(geometry, POLYGON((112 37, 113 37, 113 38, 112 38, 112 37))) AND theme = 'cities'",
     ["city-taiyuan"]),
    ("S_WITHIN(geometry, BBOX(113, 29, 116, 32))", ["hub-wuhan", "circle-wuhan"]),
    ("S_INTERSECTS(geometry, LINESTRING(113.5 27.3, 113.5 27.4))", ["circle-changzhutan"]),
])
def test_cql2_filter(client, cql, expected):
    from urllib.parse import quote

    response = client.get(f"/collections/locations/items?filter-lang=cql2-text&filter={quote(cql)}")
    assert response.status_code == 200, response.data[:300]
    assert ids(response) == expected
    layer = client.get(f"/collections/metropolitan-circles/items?filter={quote(cql)}")
    assert ids(layer) == [i for i in expected if i.startswith("circle-")]


def test_filtered_next_link_keeps_the_filter(client):
    body = client.get("/collections/locations/items?limit=1&filter=province%3D%27Hubei%27&province=Hubei").get_json()
    nxt = [l["href"] for l in body["links"] if l["rel"] == "next"][0]
    query = parse_qs(urlsplit(nxt).query)
    assert query["filter"] == ["province='Hubei'"] and query["province"] == ["Hubei"] and query["offset"] == ["1"]


def test_unfiltered_pages_are_made_once(data_dir):
    store = Store.load(data_dir)
    first = features.items(store, "corridors", "http://x", {})
    again = features.items(store, "corridors", "http://x", {})
    assert first.body is again.body
    filtered = features.items(store, "corridors", "http://x", {"province": "Henan"})
    assert filtered.body is not features.items(store, "corridors", "http://x", {"province": "Henan"}).body


def test_handlers_raise_api_errors(data_dir):
    store = Store.load(data_dir)
    with pytest.raises(ApiError) as info:
        features.items(store, "corridors", "http://x", {"limit": "0"})
    assert info.value.status == 400
    with pytest.raises(ApiError) as info:
        features.item(store, "corridors", "hub-wuhan", "http://x", {})
    assert info.value.status == 404 and "no feature 'hub-wuhan' in collection 'corridors'" in info.value.message


# --- one item, queryables ------------------------------------------------------------------------

def test_one_item(client):
    response = client.get("/collections/logistics-hubs/items/hub-wuhan")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    body = response.get_json()
    layer = client.get("/api/layers/logistics-hubs").get_json()["features"][1]
    assert {k: v for k, v in body.items() if k != "links"} == layer
    links = rels(body)
    assert links[("self", "application/geo+json")]["href"] == "http://localhost/collections/logistics-hubs/items/hub-wuhan"
    assert links[("collection", "application/json")]["href"] == "http://localhost/collections/logistics-hubs"
    assert links[("related", "text/html")]["href"] == "http://localhost/#layers=logistics-hubs&place=hub-wuhan"
    assert client.get("/collections/locations/items/hub-wuhan").get_json()["id"] == "hub-wuhan"
    error(client.get("/collections/logistics-hubs/items/nope"), 404, "no feature 'nope'")
    error(client.get("/collections/logistics-hubs/items/hub-wuhan?limit=1"), 400, "unknown parameter 'limit'")


def test_queryables(client):
    response = client.get("/collections/logistics-hubs/queryables")
    assert response.status_code == 200 and response.mimetype == "application/schema+json"
    body = response.get_json()
    assert body["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert body["$id"] == "http://localhost/collections/logistics-hubs/queryables"
    props = body["properties"]
    assert {"province", "theme", "precision", "document", "date", "geometry"} <= set(props)
    assert props["province"]["items"]["enum"] == ["Henan", "Hubei", "Hunan"]
    assert props["theme"]["enum"] == ["logistics"]
    assert props["precision"] == {"title": "Precision", "description": props["precision"]["description"],
                                  "type": "integer", "minimum": 1, "maximum": 9}
    assert props["geometry"]["format"] == "geometry-point" and props["geometry"]["x-ogc-role"] == "primary-geometry"
    assert client.get("/collections/locations/queryables").get_json()["properties"]["geometry"]["format"] == "geometry-any"
    error(client.get("/collections/nope/queryables"), 404)


# --- HTML ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/collections", "/collections/corridors", "/collections/locations/items",
                                 "/collections/locations/items/city-hefei", "/collections/corridors/queryables",
                                 "/conformance", "/api/docs"])
def test_html_pages(client, url):
    for response in (client.get(url, headers=BROWSER), client.get(url + ("&" if "?" in url else "?") + "f=html")):
        assert response.status_code == 200 and response.mimetype == "text/html", url
        html = response.get_data(as_text=True)
        assert html.startswith("<!doctype html>") and 'href="http://localhost/static/ogc.css"' in html
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'none'" in policy
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        # Nothing inline: no <script> body, no style attribute, no event handler.
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert "<style" not in html and " style=" not in html and not re.search(r"\son[a-z]+=", html)
        if not url.startswith("/api/"):  # the tables, like the map, are not shared cross-origin
            assert "Access-Control-Allow-Origin" not in response.headers


def test_items_table_escapes_and_links_back_to_the_map(client):
    html = client.get("/collections/locations/items?f=html").get_data(as_text=True)
    assert html.count("<tr>") == 12  # header + 11 places
    assert 'href="http://localhost/#layers=central-cities&amp;place=city-hefei"' in html
    assert 'href="http://localhost/collections/locations/items/city-hefei?f=html"' in html
    assert '<table class="sortable">' in html and 'data-sort="number"' in html
    paged = client.get("/collections/locations/items?f=html&limit=4&offset=4").get_data(as_text=True)
    assert "Places 5–8 of 11" in paged and 'rel="next"' in paged and 'rel="prev"' in paged
    item = client.get("/collections/locations/items/city-hefei?f=html").get_data(as_text=True)
    assert "not bold" in item and "<b>not bold</b>" not in item


def test_static_sorting_script_is_served(client):
    for asset in ("/static/ogc.js", "/static/ogc.css"):
        assert client.get(asset).status_code == 200
