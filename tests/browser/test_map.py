"""The map page in headless Chromium, with every non-loopback request blocked.

Runs on the fixture data and, once ``python -m geo build`` has written it, on the real data.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from browser_support import LiveServer, goto_drawn, is_loopback, open_page, wait_drawn


# --- helpers -------------------------------------------------------------------------------------

def css_id(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)


def features_of(server: LiveServer, layer_id: str) -> list[dict]:
    body = server.app.test_client().get(f"/api/layers/{layer_id}").get_json()
    return [f for f in body["features"] if f.get("geometry")]


def all_layer_ids(server: LiveServer) -> list[str]:
    return [layer["id"] for layer in server.index["layers"]]


def drawn_count(page, layer_id: str) -> int:
    return page.locator(f"path.atlas-l-{css_id(layer_id)}").count()


def search_target(server: LiveServer, field: str) -> dict:
    """A feature that the search API ranks first for its own ``field`` (name or name_zh)."""
    client = server.app.test_client()
    for layer_id in all_layer_ids(server):
        for feature in features_of(server, layer_id):
            text = feature["properties"].get(field)
            if not text:
                continue
            results = client.get("/api/places", query_string={"q": text}).get_json()["results"]
            if results and results[0]["id"] == feature["id"]:
                return feature
    raise AssertionError(f"no feature is the best match for its own {field}")


def lone_point(server: LiveServer) -> dict:
    """A point feature that no other feature of its layer sits on (so a click hits it)."""
    for layer_id in all_layer_ids(server):
        features = features_of(server, layer_id)
        positions = [tuple(f["geometry"]["coordinates"]) for f in features if f["geometry"]["type"] == "Point"]
        for f in features:
            if f["geometry"]["type"] == "Point" and positions.count(tuple(f["geometry"]["coordinates"])) == 1:
                return f
    raise AssertionError("the data has no point feature")


# The open popup is the pane's last one: a popup that was just closed fades out for 200 ms first.
OPEN_POPUP = ".leaflet-popup-pane > .leaflet-popup:last-child"


def popup(page):
    return page.locator(f"{OPEN_POPUP} .atlas-popup")


def expect_popup_for(page, feature: dict) -> None:
    props = feature["properties"]
    box = popup(page)
    expect(box.locator(".atlas-popup-name")).to_have_text(props["name"])
    text = box.inner_text()
    if props.get("name_zh"):
        assert props["name_zh"] in text
    # Precision in plain words, not a code.
    assert box.get_attribute("data-precision") == str(props.get("precision"))
    assert "precision" not in text.lower()
    assert box.locator(".atlas-facts dt", has_text="Where").count() == 1
    for source in props.get("sources") or ():
        if source.get("title"):
            assert source["title"] in text
        if source.get("mention"):
            assert source["mention"] in text


# --- tests ---------------------------------------------------------------------------------------

def test_page_loads_everything_from_the_app_without_console_errors(page_watch, live_server):
    page, watch = page_watch
    data_requests = []
    page.on("request", lambda r: data_requests.append(urlsplit(r.url).path) if "/api/" in r.url else None)
    goto_drawn(page, live_server.url + "/")
    # Most layers are shown at first, so the page asks for their features at once, not layer by
    # layer; a layer hidden at first is fetched when it is shown.
    assert data_requests.count("/api/features") == 1
    assert not [p for p in data_requests if p.startswith("/api/layers")], data_requests
    status = page.evaluate("atlas.status()")
    for layer in live_server.index["layers"]:
        want = {"state": "ready", "visible": True, "features": layer["count"]} if layer["visible"] else \
            {"state": "idle", "visible": False, "features": 0}
        got = status["layers"][layer["id"]]
        assert {k: got[k] for k in want} == want
    # Scripts and stylesheets all come from the app; the only outside requests are map tiles.
    sources = page.eval_on_selector_all("script[src], link[href]", "els => els.map(e => e.src || e.href)")
    assert sources and all(is_loopback(url) for url in sources), sources
    assert all(urlsplit(url).hostname == "tile.openstreetmap.org" for url in watch.blocked), watch.blocked
    # With tiles unreachable the map falls back to the offline province outlines.
    page.wait_for_function("() => atlas.status().base === 'outlines'")
    page.wait_for_function("() => document.querySelectorAll('path.atlas-province').length > 0")
    assert watch.errors == []


def every_layer_url(server: LiveServer) -> str:
    """The page with every layer on, whatever the index says about the opening view."""
    return f"{server.url}/#layers={','.join(all_layer_ids(server))}&base=outlines"


def test_layers_marked_hidden_start_off(page, live_server):
    layers = live_server.index["layers"]
    hidden = [layer["id"] for layer in layers if not layer["visible"]]
    assert hidden, "the data marks no layer hidden"
    goto_drawn(page, live_server.url + "/#base=outlines")
    for layer in layers:
        box = page.locator(f"#atlas-layer-{css_id(layer['id'])}")
        (expect(box).to_be_checked if layer["visible"] else expect(box).not_to_be_checked)()
        assert (drawn_count(page, layer["id"]) > 0) == (layer["visible"] and layer["count"] > 0), layer["id"]
    # location.hash, not page.url: Playwright learns of history.replaceState a moment later.
    shown = page.evaluate("location.hash").split("layers=")[1].split("&")[0].split(",")
    assert shown == [layer["id"] for layer in layers if layer["visible"]]
    # A theme with a hidden layer shows "some".
    for theme in live_server.index["themes"]:
        flags = [next(l["visible"] for l in layers if l["id"] == lid) for lid in theme["layers"]]
        toggle = page.locator(f"#atlas-theme-{css_id(theme['id'])}")
        assert toggle.evaluate("b => [b.checked, b.indeterminate]") == [all(flags), any(flags) and not all(flags)]


def test_an_address_naming_a_hidden_layer_shows_it(page, live_server):
    hidden = [layer["id"] for layer in live_server.index["layers"] if not layer["visible"]]
    goto_drawn(page, f"{live_server.url}/#layers={hidden[0]}&base=outlines")
    expect(page.locator(f"#atlas-layer-{css_id(hidden[0])}")).to_be_checked()
    assert drawn_count(page, hidden[0]) == len(features_of(live_server, hidden[0]))
    for lid in all_layer_ids(live_server):
        if lid != hidden[0]:
            assert drawn_count(page, lid) == 0, lid


def test_each_layer_checkbox_adds_and_removes_its_features(page, live_server):
    goto_drawn(page, every_layer_url(live_server))
    for layer_id in all_layer_ids(live_server):
        expected = len(features_of(live_server, layer_id))
        box = page.locator(f"#atlas-layer-{css_id(layer_id)}")
        expect(box).to_be_checked()
        assert drawn_count(page, layer_id) == expected, layer_id
        box.uncheck()
        assert drawn_count(page, layer_id) == 0, layer_id
        fragment = page.evaluate("location.hash")
        assert "layers=" in fragment and layer_id not in fragment.split("layers=")[1].split("&")[0].split(",")
        box.check()
        wait_drawn(page)
        assert drawn_count(page, layer_id) == expected, layer_id


def test_theme_toggle_switches_its_layers(page, live_server):
    goto_drawn(page, every_layer_url(live_server))
    themes = live_server.index["themes"]
    counts = {lid: len(features_of(live_server, lid)) for lid in all_layer_ids(live_server)}
    for theme in themes:
        toggle = page.locator(f"#atlas-theme-{css_id(theme['id'])}")
        expect(toggle).to_be_checked()
        toggle.uncheck()
        for lid in counts:
            inside = lid in theme["layers"]
            box = page.locator(f"#atlas-layer-{css_id(lid)}")
            if inside:
                expect(box).not_to_be_checked()
                assert drawn_count(page, lid) == 0, lid
            else:
                expect(box).to_be_checked()
                assert drawn_count(page, lid) == counts[lid], lid
        # One layer back on: the theme box shows "some".
        first = page.locator(f"#atlas-layer-{css_id(theme['layers'][0])}")
        first.check()
        wait_drawn(page)
        if len(theme["layers"]) > 1:
            assert toggle.evaluate("b => b.indeterminate && !b.checked")
        toggle.check()
        wait_drawn(page)
        for lid in theme["layers"]:
            expect(page.locator(f"#atlas-layer-{css_id(lid)}")).to_be_checked()
            assert drawn_count(page, lid) == counts[lid], lid
        assert toggle.evaluate("b => b.checked && !b.indeterminate")


@pytest.mark.parametrize("field", ["name_zh", "name"])
def test_search_finds_a_place_and_opens_it(page, live_server, field):
    target = search_target(live_server, field)
    layer_id = target["properties"]["layer"]
    goto_drawn(page, live_server.url + "/#layers=&base=outlines")  # every layer off
    page.fill("#atlas-search", target["properties"][field])
    first = page.locator(".atlas-result").first
    expect(first).to_contain_text(target["properties"]["name"])
    page.press("#atlas-search", "Enter")
    expect_popup_for(page, target)
    # Search turned the place's layer on, and the URL names the place.
    expect(page.locator(f"#atlas-layer-{css_id(layer_id)}")).to_be_checked()
    page.wait_for_function("id => location.hash.includes('place=' + encodeURIComponent(id))", arg=target["id"])


def test_search_by_alias_lists_results_and_a_click_opens_one(page, live_server):
    feature = None
    client = live_server.app.test_client()
    for lid in all_layer_ids(live_server):
        for f in features_of(live_server, lid):
            for alias in f["properties"].get("aliases") or ():
                results = client.get("/api/places", query_string={"q": alias}).get_json()["results"]
                if alias != f["properties"]["name"] and any(r["id"] == f["id"] for r in results):
                    feature = f, alias, [r["id"] for r in results].index(f["id"])
                    break
            if feature:
                break
        if feature:
            break
    assert feature, "no alias finds its own feature"
    target, alias, position = feature
    goto_drawn(page, live_server.url + "/#base=outlines")
    page.fill("#atlas-search", alias)
    button = page.locator(".atlas-result").nth(position)
    expect(button).to_contain_text(target["properties"]["name"])
    button.click()
    expect_popup_for(page, target)


def test_clicking_a_feature_opens_its_cited_popup(page, live_server):
    target = lone_point(live_server)
    lon, lat = target["geometry"]["coordinates"]
    layer_id = target["properties"]["layer"]
    goto_drawn(page, f"{live_server.url}/#map=9/{lat}/{lon}&layers={layer_id}&base=outlines")
    page.locator(f"path.atlas-i-{css_id(target['id'])}").click()
    expect_popup_for(page, target)
    page.keyboard.press("Escape")
    expect(popup(page)).to_have_count(0)


def test_features_are_reachable_by_keyboard(page, live_server):
    target = lone_point(live_server)
    lon, lat = target["geometry"]["coordinates"]
    layer_id = target["properties"]["layer"]
    goto_drawn(page, f"{live_server.url}/#map=9/{lat}/{lon}&layers={layer_id}&base=outlines")
    feature = page.locator(f"path.atlas-i-{css_id(target['id'])}")
    feature.focus()
    expect(page.locator(".leaflet-tooltip .atlas-tip")).to_contain_text(target["properties"]["name"])
    page.keyboard.press("Enter")
    expect_popup_for(page, target)


def test_permalink_restores_view_and_layers(browser, live_server):
    ids = all_layer_ids(live_server)
    chosen = ids[::2]
    url = f"{live_server.url}/#map=7/31.2000/113.4000&layers={','.join(chosen)}&base=outlines"
    context, page, watch = open_page(browser, live_server)
    try:
        goto_drawn(page, url)
        status = page.evaluate("atlas.status()")
        assert status["view"]["zoom"] == 7
        assert status["view"]["lat"] == pytest.approx(31.2, abs=1e-3)
        assert status["view"]["lng"] == pytest.approx(113.4, abs=1e-3)
        assert status["base"] == "outlines"
        for lid in ids:
            box = page.locator(f"#atlas-layer-{css_id(lid)}")
            (expect(box).to_be_checked if lid in chosen else expect(box).not_to_be_checked)()
            assert (drawn_count(page, lid) > 0) == (lid in chosen and len(features_of(live_server, lid)) > 0)

        # Change the view and the layers with the controls; the address follows.
        page.locator(f"#atlas-layer-{css_id(ids[1])}").check()
        page.locator(f"#atlas-layer-{css_id(chosen[0])}").uncheck()
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_function("() => location.hash.includes('map=8/')")
        wait_drawn(page)
        shared = page.evaluate("location.href")
        expected = [lid for lid in ids if (lid in chosen or lid == ids[1]) and lid != chosen[0]]
        assert urlsplit(shared).fragment.split("layers=")[1].split("&")[0] == ",".join(expected)
    finally:
        context.close()
    assert watch.errors == []

    # A fresh browser context opening the shared address sees the same map.
    context, page, watch = open_page(browser, live_server)
    try:
        goto_drawn(page, shared)
        status = page.evaluate("atlas.status()")
        assert status["view"]["zoom"] == 8
        for lid in ids:
            assert status["layers"][lid]["visible"] == (lid in expected), lid
            box = page.locator(f"#atlas-layer-{css_id(lid)}")
            (expect(box).to_be_checked if lid in expected else expect(box).not_to_be_checked)()
    finally:
        context.close()
    assert watch.errors == []


def preloaded_data(page) -> str | None:
    """The data request the page preloads for the view it opens with (geo.mapview.opening_request)."""
    return page.evaluate("(document.querySelector('link[rel=preload][as=fetch]') || {}).href || null")


def test_a_few_layers_are_fetched_one_by_one(page, live_server):
    # Layers the map does not open with: the preloaded opening request holds none of them.
    ids = [layer["id"] for layer in live_server.index["layers"] if layer.get("visible") is False][:2]
    assert ids
    data_requests = []
    page.on("request", lambda r: data_requests.append(r.url) if "/api/" in r.url else None)
    goto_drawn(page, f"{live_server.url}/#layers={','.join(ids)}&base=osm")
    own = [urlsplit(u).path for u in data_requests if u != preloaded_data(page)]
    assert sorted(p for p in own if not p.startswith("/api/base/")) == sorted(f"/api/layers/{i}" for i in ids)
    for lid in ids:
        assert drawn_count(page, lid) == len(features_of(live_server, lid))


def test_layers_the_preloaded_opening_request_holds_come_from_it(page, live_server):
    layers = live_server.index["layers"]
    held = [layer["id"] for layer in layers if layer.get("visible") is not False][:2]
    other = [layer["id"] for layer in layers if layer.get("visible") is False][:1]
    data_requests = []
    page.on("request", lambda r: data_requests.append(r.url) if "/api/" in r.url else None)
    goto_drawn(page, f"{live_server.url}/#layers={','.join(held + other)}&base=osm")
    preloaded = preloaded_data(page)
    assert preloaded and data_requests.count(preloaded) == 1  # asked for once: the fetch took the preload's answer
    # The one layer it does not hold came in one more request, and nothing else was asked for.
    own = [u for u in data_requests if u != preloaded and "/api/base/" not in urlsplit(u).path]
    assert [(urlsplit(u).path, parse_qs(urlsplit(u).query).get("layers")) for u in own] == [("/api/features", other)]
    for lid in held + other:
        assert drawn_count(page, lid) == len(features_of(live_server, lid))


def test_permalink_with_a_place_opens_its_popup(page, live_server):
    target = lone_point(live_server)
    lon, lat = target["geometry"]["coordinates"]
    goto_drawn(page, f"{live_server.url}/#map=8/{lat}/{lon}&base=outlines&place={target['id']}")
    expect_popup_for(page, target)


def test_downloads_parse_as_the_right_geojson(page, live_server):
    goto_drawn(page, live_server.url + "/#base=outlines")
    for layer_id in all_layer_ids(live_server)[:3] + all_layer_ids(live_server)[-1:]:
        with page.expect_download() as info:
            page.locator(f'.atlas-layer[data-layer="{layer_id}"] a.atlas-download').click()
        download = info.value
        assert download.suggested_filename == f"central-china-atlas-{layer_id}.geojson"
        data = json.loads(open(download.path(), encoding="utf-8").read())
        assert data["type"] == "FeatureCollection"
        assert [f["id"] for f in data["features"]] == [f["id"] for f in features_of(live_server, layer_id)]
        assert {f["properties"]["layer"] for f in data["features"]} <= {layer_id}

    with page.expect_download() as info:
        page.locator("a.atlas-download-all").click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["type"] == "FeatureCollection"
    every = {f["id"] for lid in all_layer_ids(live_server) for f in features_of(live_server, lid)}
    assert {f["id"] for f in data["features"]} >= every


BLANK_TILE = '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"/>'


@pytest.mark.parametrize("base", ["osm", "outlines"])
def test_the_panel_ends_above_the_attribution(browser, live_server, base):
    """Leaflet draws the attribution over the top corner's controls, so the panel stops short of it:
    its last row, scrolled into view, is what a click there reaches. With tiles (answered here with
    a blank image) the attribution is at its widest."""
    for viewport in ({"width": 1280, "height": 800}, {"width": 1024, "height": 600}):
        context, page, watch = open_page(browser, live_server, viewport=viewport)
        try:
            page.route("https://tile.openstreetmap.org/**",
                       lambda r: r.fulfill(status=200, content_type="image/svg+xml", body=BLANK_TILE))
            goto_drawn(page, live_server.url + f"/#base={base}")
            if base == "osm":
                expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
            panel = page.locator(".atlas-panel").bounding_box()
            credit = page.locator(".leaflet-control-attribution").bounding_box()
            across = min(panel["x"] + panel["width"], credit["x"] + credit["width"]) - max(panel["x"], credit["x"])
            assert across > 0  # they share columns: the panel must end above it
            assert panel["y"] + panel["height"] <= credit["y"], (viewport, panel, credit)
            last = page.locator(".atlas-panel input:visible").last
            last.scroll_into_view_if_needed()
            assert last.evaluate("""e => { const r = e.getBoundingClientRect();
                return document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === e; }""")
        finally:
            context.close()


def test_phone_layout_and_keyboard(browser, live_server):
    target = search_target(live_server, "name")
    context, page, watch = open_page(browser, live_server, viewport={"width": 390, "height": 844})
    try:
        goto_drawn(page, live_server.url + "/#base=outlines")
        toggle = page.locator(".atlas-toggle")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#atlas-search")).to_be_hidden()
        # Everything is reachable with the keyboard: tab to the panel button, open it, tab to search.
        for _ in range(30):
            if page.evaluate("document.activeElement && document.activeElement.classList.contains('atlas-toggle')"):
                break
            page.keyboard.press("Tab")
        else:
            raise AssertionError("the panel button is not reachable with Tab")
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "atlas-search"
        # The panel fits the screen.
        box = page.locator(".atlas-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        # Every control has a label.
        unlabelled = page.eval_on_selector_all(
            ".atlas-panel input, .atlas-panel button, .atlas-panel a",
            "els => els.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')"
            " && !e.textContent.trim()).map(e => e.outerHTML)",
        )
        assert unlabelled == []
        page.keyboard.type(target["properties"]["name"])
        page.keyboard.press("Enter")
        expect_popup_for(page, target)
        # The panel gets out of the way of the popup on a phone.
        expect(toggle).to_have_attribute("aria-expanded", "false")
    finally:
        context.close()
    assert watch.errors == []


# --- fixture-only: feature text stays text -------------------------------------------------------

def test_feature_text_is_shown_as_text_not_markup(browser, fixture_server):
    context, page, watch = open_page(browser, fixture_server)
    try:
        goto_drawn(page, fixture_server.url + "/#base=outlines")
        page.fill("#atlas-search", "合肥")
        page.press("#atlas-search", "Enter")
        desc = popup(page).locator(".atlas-popup-desc")
        expect(desc).to_have_text("Regional city; <b>not bold</b> & not markup.")
        assert desc.locator("b").count() == 0
    finally:
        context.close()
    assert watch.errors == []


def test_area_popup_lists_its_member_units(browser, fixture_server):
    context, page, watch = open_page(browser, fixture_server)
    try:
        goto_drawn(page, fixture_server.url + "/#base=outlines")
        page.fill("#atlas-search", "武汉都市圈")
        page.press("#atlas-search", "Enter")
        members = popup(page).locator(".atlas-members li")
        expect(members).to_have_text(["Wuhan 武汉市", "Ezhou 鄂州市", "Huangshi 黄石市"])
        expect(popup(page)).to_contain_text("The area of its official member units.")
    finally:
        context.close()
    assert watch.errors == []


# --- places that share a spot ----------------------------------------------------------------------

def shared_spot(server: LiveServer) -> tuple[tuple[float, float], list[dict]]:
    """The spot most point features share (across layers), and those features in panel order."""
    spots: dict[tuple, list[dict]] = {}
    for layer_id in all_layer_ids(server):
        for f in features_of(server, layer_id):
            if f["geometry"]["type"] == "Point":
                spots.setdefault(tuple(f["geometry"]["coordinates"]), []).append(f)
    spot, features = max(spots.items(), key=lambda kv: len(kv[1]))
    assert len(features) >= 2, "no two points share a spot"
    return spot, features


def click_spot(page, feature_id: str) -> None:
    """Click where the feature's marker is drawn (whichever marker is on top there)."""
    box = page.locator(f"path.atlas-i-{css_id(feature_id)}").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def chooser(page):
    return page.locator(f"{OPEN_POPUP} .atlas-chooser")


def test_a_click_on_a_shared_spot_lists_every_place_there(page, live_server):
    (lon, lat), features = shared_spot(live_server)
    names = [f["properties"]["name"] for f in features]
    goto_drawn(page, f"{live_server.url}/#map=12/{lat}/{lon}&layers={','.join(all_layer_ids(live_server))}&base=outlines")
    click_spot(page, features[0]["id"])
    expect(chooser(page).locator(".atlas-chooser-title")).to_have_text(f"{len(features)} places here")
    items = chooser(page).locator(".atlas-chooser-item")
    expect(items.locator(".atlas-chooser-name")).to_have_text(names)
    assert items.evaluate_all("els => els.map(e => e.dataset.id)") == [f["id"] for f in features]
    # Each one opens its own cited popup, and the popup leads back to the list.
    for i, feature in enumerate(features):
        items.nth(i).click()
        expect_popup_for(page, feature)
        page.wait_for_function("id => location.hash.includes('place=' + encodeURIComponent(id))", arg=feature["id"])
        back = popup(page).locator(".atlas-here")
        expect(back).to_have_text(f"‹ {len(features)} places here")
        back.click()
        expect(chooser(page)).to_be_visible()
        # The reader comes back to the place they left.
        assert page.evaluate("document.activeElement.dataset.id") == feature["id"]
    page.keyboard.press("Escape")
    expect(chooser(page)).to_have_count(0)


def test_the_shared_spot_list_works_by_keyboard(page, live_server):
    (lon, lat), features = shared_spot(live_server)
    goto_drawn(page, f"{live_server.url}/#map=12/{lat}/{lon}&layers={','.join(all_layer_ids(live_server))}&base=outlines")
    page.locator(f"path.atlas-i-{css_id(features[-1]['id'])}").focus()
    tip = page.locator(".leaflet-tooltip .atlas-tip")
    expect(tip).to_contain_text(features[-1]["properties"]["name"])
    expect(tip.locator(".atlas-tip-more")).to_have_text(f" +{len(features) - 1} more here")
    page.keyboard.press("Enter")
    expect(chooser(page)).to_be_visible()
    assert page.evaluate("document.activeElement.dataset.id") == features[0]["id"]
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.id") == features[1]["id"]
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # wraps round to the last
    assert page.evaluate("document.activeElement.dataset.id") == features[-1]["id"]
    page.keyboard.press("Enter")
    expect_popup_for(page, features[-1])
    assert page.evaluate("document.activeElement.className") == "atlas-here"
    page.keyboard.press("Enter")
    expect(chooser(page)).to_be_visible()
    assert page.evaluate("document.activeElement.dataset.id") == features[-1]["id"]
    page.keyboard.press("Escape")
    expect(popup(page)).to_have_count(0)
    expect(chooser(page)).to_have_count(0)


def test_a_shared_spot_counts_only_the_layers_shown(page, live_server):
    (lon, lat), features = shared_spot(live_server)
    first, second = features[0], features[1]
    layers = [first["properties"]["layer"]]
    goto_drawn(page, f"{live_server.url}/#map=12/{lat}/{lon}&layers={','.join(layers)}&base=outlines")
    shown = [f for f in features if f["properties"]["layer"] in layers]
    click_spot(page, first["id"])
    if len(shown) == 1:
        expect_popup_for(page, first)
        expect(popup(page).locator(".atlas-here")).to_have_count(0)
    else:
        expect(chooser(page).locator(".atlas-chooser-item")).to_have_count(len(shown))
    # Turning the other place's layer on adds it to the list.
    page.keyboard.press("Escape")
    page.locator(f"#atlas-layer-{css_id(second['properties']['layer'])}").check()
    wait_drawn(page)
    click_spot(page, first["id"])
    shown = [f for f in features if f["properties"]["layer"] in layers + [second["properties"]["layer"]]]
    expect(chooser(page).locator(".atlas-chooser-item")).to_have_count(len(shown))


def test_search_opens_a_place_on_a_shared_spot_directly(page, live_server):
    (lon, lat), features = shared_spot(live_server)
    target = features[-1]
    goto_drawn(page, f"{live_server.url}/#map=8/{lat}/{lon}&base=outlines&place={target['id']}"
                     f"&layers={','.join(all_layer_ids(live_server))}")
    expect_popup_for(page, target)
    expect(popup(page).locator(".atlas-here")).to_have_text(f"‹ {len(features)} places here")
