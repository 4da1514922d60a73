"""Hostile data in the browser: a catalog whose every text is a script payload (tests/browser/hostile.py)
is built with the real build, served, and every popup, tooltip, search result, list of places at a
spot and panel entry is opened. No payload may run (``window.__pwned`` stays unset), load anything
(no request for /pwned-img) or add an element or attribute; every text must appear literally.

Run twice: under the page's Content-Security-Policy, and with the policy bypassed, which proves the
page's own DOM code keeps text as text (the policy is a second wall, not the only one).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from browser_support import goto_drawn, open_page, wait_drawn
from geo import mapview
from hostile import PAYLOADS, RUN, token
from test_map import OPEN_POPUP, all_layer_ids, click_spot, css_id, features_of

# Counts what a payload would do if it ever became markup or script.
TRAPS = """
window.__inserted = [];
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.sample);
}, true);
(function () {
  function suspicious(el) {
    var tag = el.tagName.toLowerCase();
    if (["iframe", "math", "object", "embed", "frame"].indexOf(tag) >= 0) return true;
    // The page's own scripts and styles are parsed while it loads; counted again at the end.
    if ((tag === "script" || tag === "style") && document.readyState !== "loading") return true;
    for (var i = 0; i < el.attributes.length; i++) {
      var a = el.attributes[i];
      if (a.name.indexOf("on") === 0 || a.name === "srcdoc") return true;
      // Text in title or aria-label is harmless; a payload in a URL attribute is not.
      var url = ["href", "src", "action", "formaction", "xlink:href", "data", "poster"].indexOf(a.name) >= 0;
      if (url && (/^\\s*javascript:/i.test(a.value) || a.value.indexOf("pwned") >= 0)) return true;
    }
    return false;
  }
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType !== 1) return;
        [node].concat(Array.prototype.slice.call(node.querySelectorAll("*"))).forEach(function (el) {
          if (suspicious(el)) window.__inserted.push(el.outerHTML.slice(0, 200));
        });
      });
      if (record.type === "attributes" && suspicious(record.target)) {
        window.__inserted.push(record.target.outerHTML.slice(0, 200));
      }
    });
  }).observe(document, { childList: true, subtree: true, attributes: true });
})();
"""


def text_of(locator) -> str:
    return locator.evaluate("el => el.textContent")


def trapped(page) -> dict:
    return page.evaluate("() => ({pwned: window.__pwned, inserted: window.__inserted, csp: window.__csp})")


def assert_clean(page, requests) -> None:
    state = trapped(page)
    assert state["pwned"] is None, f"a payload ran {state['pwned']} time(s)"
    assert state["inserted"] == [], state["inserted"]
    assert state["csp"] == [], state["csp"]  # nothing even tried to run
    assert not [u for u in requests if urlsplit(u).path.endswith("/pwned-img")], requests


POPUP_TEXTS = """box => {
    const text = sel => { const el = box.querySelector(sel); return el ? el.textContent : null; };
    return {
        name: text(".atlas-popup-name"), zh: text(".atlas-popup-zh"), layer: text(".atlas-popup-layer"),
        description: text(".atlas-popup-desc"), basis: text(".atlas-basis p"),
        facts: Array.from(box.querySelectorAll(".atlas-facts dd")).map(dd => dd.textContent),
        sources: Array.from(box.querySelectorAll(".atlas-sources > li")).map(li => ({
            item: li.textContent, title: li.querySelector("cite").textContent,
            mention: li.querySelector(".atlas-mention").textContent})),
    };
}"""


def expect_literal_popup(page, feature, layer_title) -> None:
    """The open popup shows every text of the feature exactly as the data has it (one round trip)."""
    p = feature["properties"]
    box = page.locator(f"{OPEN_POPUP} .atlas-popup")
    expect(box.locator(".atlas-popup-name")).to_have_text(p["name"], use_inner_text=False)
    got = box.evaluate(POPUP_TEXTS)
    assert (got["name"], got["zh"], got["layer"], got["description"]) == (
        p["name"], p["name_zh"], layer_title, p["description"])
    assert got["basis"] == p["geometry_basis"]
    assert len(got["sources"]) == len(p["sources"])
    for shown, source in zip(got["sources"], p["sources"]):
        assert (shown["title"], shown["mention"]) == (source["title"], source["mention"])
        assert f"{source['publisher']}, {source['date']}" in shown["item"]


@pytest.fixture(params=["under-csp", "csp-bypassed"])
def hostile_page(request, browser, hostile_server):
    context, page, watch = open_page(browser, hostile_server, bypass_csp=request.param == "csp-bypassed")
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(TRAPS)
    try:
        yield page, requests
    finally:
        context.close()
    assert watch.errors == [], watch.errors


def test_the_hostile_catalog_really_is_hostile(hostile_server):
    """The build kept every payload as written, so the browser test below is not vacuous."""
    client = hostile_server.app.test_client()
    names = {f["properties"]["name"] for f in client.get("/download/locations.geojson").get_json()["features"]}
    for i, payload in enumerate(PAYLOADS):
        assert f"Place {i} {payload}" in names
    assert all(RUN in layer["title"] or "“" in layer["title"] for layer in hostile_server.index["layers"])
    # The layer titles are in the page, escaped inside its script; no payload is markup there.
    html = client.get("/").get_data(as_text=True)
    assert "pwned" in html
    assert "<script>window" not in html and "<img src" not in html and "<svg" not in html


def test_no_payload_runs_anywhere(hostile_page, hostile_server):
    page, requests = hostile_page
    server = hostile_server
    ids = all_layer_ids(server)
    goto_drawn(page, f"{server.url}/#layers={','.join(ids)}&base=outlines")
    layers = {layer["id"]: layer for layer in server.index["layers"]}
    opened = {"panel": 0, "results": 0, "popups": 0, "tooltips": 0, "chooser": 0}

    # The panel: theme and layer titles, descriptions (as the label's title), download labels.
    for theme in server.index["themes"]:
        label = page.locator(f"#atlas-theme-{css_id(theme['id'])}").locator("xpath=..")
        assert text_of(label) == theme["title"]
        opened["panel"] += 1
    for layer_id, layer in layers.items():
        row = page.locator(f'.atlas-layer[data-layer="{layer_id}"]')
        label = row.locator("label")
        assert text_of(label) == layer["title"]
        assert label.get_attribute("title") == layer["description"]
        assert row.locator("a.atlas-download").get_attribute("aria-label") == f"Download {layer['title']} as GeoJSON"
        label.hover()
        opened["panel"] += 1
    assert_clean(page, requests)

    # Every feature: find it by its own word, check the result, open its popup from the result.
    features = [f for lid in ids for f in features_of(server, lid)]
    assert len(features) == len(PAYLOADS) + 2
    for feature in features:
        p = feature["properties"]
        word = next(a for a in p["aliases"] if a.startswith("hx"))
        page.fill("#atlas-search", word)
        result = page.locator(".atlas-result")
        expect(result).to_have_count(1)
        shown = result.evaluate("b => ['.atlas-result-name', '.atlas-zh', '.atlas-result-layer']"
                                ".map(s => b.querySelector(s).textContent)")
        assert shown == [p["name"], p["name_zh"], layers[p["layer"]]["title"]]
        opened["results"] += 1
        result.click()
        expect(page.locator(f"{OPEN_POPUP} .atlas-popup")).to_be_visible()
        expect_literal_popup(page, feature, layers[p["layer"]]["title"])
        assert text_of(page.locator(".atlas-status")) == f"Showing {p['name']}."
        opened["popups"] += 1
        page.keyboard.press("Escape")
    assert_clean(page, requests)

    # Every tooltip: focus each feature (as the keyboard does).
    goto_drawn(page, f"{server.url}/#map=6/32/113&layers={','.join(ids)}&base=outlines")
    for feature in features:
        path = page.locator(f"path.atlas-i-{css_id(feature['id'])}")
        path.focus()
        tip = page.locator(".leaflet-tooltip .atlas-tip")
        expect(tip).to_have_count(1)
        assert text_of(tip).startswith(feature["properties"]["name"] + " " + feature["properties"]["name_zh"])
        opened["tooltips"] += 1
        path.blur()
    assert_clean(page, requests)

    # Every spot several places share: the list of them, and each popup opened from it.
    spots: dict[tuple, list[dict]] = {}
    for f in features:
        if f["geometry"]["type"] == "Point":
            spots.setdefault(tuple(f["geometry"]["coordinates"]), []).append(f)
    shared = [group for group in spots.values() if len(group) > 1]
    assert shared
    for group in shared:
        lon, lat = group[0]["geometry"]["coordinates"]
        page.evaluate("h => { location.hash = h; }", f"map=12/{lat}/{lon}&layers={','.join(ids)}&base=outlines")
        wait_drawn(page)
        page.wait_for_function("() => atlas.status().view.zoom === 12")
        click_spot(page, group[0]["id"])
        items = page.locator(f"{OPEN_POPUP} .atlas-chooser-item")
        expect(items).to_have_count(len(group))
        names = items.evaluate_all("els => els.map(e => e.querySelector('.atlas-chooser-name').textContent)")
        assert sorted(names) == sorted(f["properties"]["name"] for f in group)
        for i in range(len(group)):
            # Enter, not a click at the button's place: a popup may still be panning into view, and
            # a click where a button was lands on the map (which closes popups).
            items.nth(i).press("Enter")
            expect(page.locator(f"{OPEN_POPUP} .atlas-popup")).to_be_visible()
            # The address names the open place a moment later; going back before that lets the
            # permalink handler reopen the place over the list (as the map tests wait too).
            page.wait_for_function("() => location.hash.includes('place=')")
            page.locator(f"{OPEN_POPUP} .atlas-here").press("Enter")
            expect(items).to_have_count(len(group))
            page.wait_for_function("() => !location.hash.includes('place=')")
            opened["chooser"] += 1
        page.keyboard.press("Escape")
    assert_clean(page, requests)

    # Typed text is text too: a payload as a query, with and without matches.
    for query in (PAYLOADS[0], "<img src=/pwned-img onerror=alert(1)> nothing matches this"):
        page.fill("#atlas-search", query[:100])
        page.press("#atlas-search", "Enter")
        page.wait_for_timeout(300)
    expect(page.locator(".atlas-status")).to_have_text("No place matches “<img src=/pwned-img onerror=alert(1)> nothing matches this”.")
    assert_clean(page, requests)

    # The page is unaltered: still visible, its own inline parts only.
    assert page.evaluate("getComputedStyle(document.body).display") != "none"
    # As many inline styles and scripts as the page was served with (mapview.inline_hashes reads them).
    served = mapview.inline_hashes(server.app.test_client().get("/").get_data(as_text=True))
    assert page.evaluate("document.querySelectorAll('style').length") == len(served["style"])
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == len(served["script"])
    assert opened["popups"] == opened["results"] == len(features)
    assert opened["tooltips"] == len(features) and opened["chooser"] >= 3 and opened["panel"] == 6
