"""A map people enjoy reading (issue 10), in headless Chromium on the built data: filters in the
address, the table and its CSV, share, embed and print, the offline base, symbols, popups, search
by host city, keyboard and screen-reader access, and the load-time mark.

Expected values come from the API's own data (the features the server holds), never from numbers
typed here.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from browser_support import goto_drawn, open_page, serve, wait_drawn

REPO = Path(__file__).resolve().parents[2]
OPEN_POPUP = ".leaflet-popup-pane > .leaflet-popup:last-child"


@pytest.fixture(scope="module")
def built():
    from app import create_app

    with serve(create_app({"TESTING": True, "DATA_DIR": str(REPO / "data")})) as server:
        yield server


@pytest.fixture
def page(browser, built):
    context, page, watch = open_page(browser, built, accept_downloads=True,
                                     permissions=["clipboard-read", "clipboard-write"])
    try:
        yield page
    finally:
        context.close()
    assert watch.errors == [], watch.errors


def css_id(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)


def layer_features(server) -> dict[str, list[dict]]:
    client = server.app.test_client()
    return {l["id"]: client.get(f"/api/layers/{l['id']}").get_json()["features"] for l in server.index["layers"]}


def every_layer(server) -> str:
    return ",".join(l["id"] for l in server.index["layers"])


def hash_params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(page.evaluate("location.hash").lstrip("#")).items()}


def year(date: str) -> int:
    return int(str(date)[:4])


def expected_counts(server, *, doc=None, asof=None, province=None, precision=None) -> dict[str, int]:
    out = {}
    for lid, feats in layer_features(server).items():
        n = 0
        for f in feats:
            p = f["properties"]
            if province and province not in p["provinces"]:
                continue
            if precision and p["precision"] > precision:
                continue
            if (doc or asof) and not any((not doc or s["document"] == doc) and (not asof or year(s["date"]) <= asof)
                                         for s in p["sources"]):
                continue
            n += 1
        out[lid] = n
    return out


def panel_counts(page) -> dict[str, int]:
    return page.eval_on_selector_all(
        ".atlas-layer", "rows => Object.fromEntries(rows.map(r => [r.dataset.layer, Number(r.querySelector('.atlas-count').textContent)]))")


# --- 1. filters -------------------------------------------------------------------------------------

def test_filters_by_province_document_year_and_precision_follow_the_address(page, built):
    docs = built.app.extensions["atlas_store"].documents()
    goto_drawn(page, f"{built.url}/#layers={every_layer(built)}&base=outlines&province=Hubei")
    expect(page.locator("#atlas-f-province")).to_have_value("Hubei")
    assert page.evaluate("atlas.shownCounts()") == expected_counts(built, province="Hubei")
    assert panel_counts(page) == expected_counts(built, province="Hubei")

    # The controls change what is drawn, and the address says so.
    page.select_option("#atlas-f-province", "")
    page.select_option("#atlas-f-doc", docs[-1]["document"])
    page.wait_for_function("d => location.hash.includes('doc=' + encodeURIComponent(d))", arg=docs[-1]["document"])
    wait_drawn(page)
    want = expected_counts(built, doc=docs[-1]["document"])
    assert page.evaluate("atlas.shownCounts()") == want and panel_counts(page) == want
    assert "province" not in hash_params(page)
    # Every point drawn is one the filter lets through.
    assert page.locator("path.atlas-f").count() == sum(want.values())

    page.select_option("#atlas-f-doc", "")
    page.eval_on_selector("#atlas-f-asof", "el => { el.value = '2021'; el.dispatchEvent(new Event('input')); el.dispatchEvent(new Event('change')); }")
    page.wait_for_function("() => location.hash.includes('asof=2021')")
    wait_drawn(page)
    expect(page.locator("#atlas-f-asof-out")).to_have_text("documents of 2021 and before")
    assert page.evaluate("atlas.shownCounts()") == expected_counts(built, asof=2021)
    assert 0 < sum(expected_counts(built, asof=2021).values()) < sum(expected_counts(built).values())

    page.select_option("#atlas-f-precision", "3")
    page.wait_for_function("() => location.hash.includes('precision=3')")
    assert page.evaluate("atlas.shownCounts()") == expected_counts(built, asof=2021, precision=3)
    total = sum(expected_counts(built, asof=2021, precision=3).values())
    expect(page.locator(".atlas-filter-summary")).to_have_text(f"{total} places shown (filtered).")

    # The address alone restores the filters in a fresh page.
    shared = page.evaluate("location.href")
    page.goto("about:blank")
    goto_drawn(page, shared)
    assert page.evaluate("atlas.status().filter") == {"doc": None, "asof": 2021, "province": None, "precision": 3}
    expect(page.locator("#atlas-f-precision")).to_have_value("3")
    page.locator(".atlas-f-clear").click()
    wait_drawn(page)
    assert page.evaluate("atlas.shownCounts()") == expected_counts(built)
    assert not {"asof", "precision", "doc", "province"} & set(hash_params(page))


def test_nonsense_filters_in_the_address_are_ignored(page, built):
    goto_drawn(page, f"{built.url}/#base=outlines&province=Atlantis&asof=1800&precision=99&doc=%3Cscript%3E")
    assert page.evaluate("atlas.status().filter") == {"doc": None, "asof": None, "province": None, "precision": None}


# --- 2. the table -----------------------------------------------------------------------------------

def test_the_table_lists_what_is_shown_sorts_opens_and_saves_csv(page, built):
    goto_drawn(page, f"{built.url}/#layers={every_layer(built)}&base=outlines&province=Henan")
    want = expected_counts(built, province="Henan")
    page.locator(".atlas-table-open").click()
    table = page.locator("#atlas-table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(sum(want.values()))
    expect(table.locator("caption")).to_contain_text(f"{sum(want.values())} places shown")

    names = rows.locator(".atlas-row-open").all_text_contents()
    assert names == sorted(names, key=str.casefold) or names == sorted(names)
    table.locator("th[data-key='name'] button").click()
    expect(table.locator("th[data-key='name']")).to_have_attribute("aria-sort", "descending")
    assert rows.locator(".atlas-row-open").all_text_contents() == names[::-1]
    table.locator("th[data-key='year'] button").click()
    years = [int(t) for t in rows.locator("td:nth-child(5)").all_text_contents() if t]
    assert years == sorted(years)

    # A click on a row opens that place on the map.
    first = rows.nth(0)
    fid = first.get_attribute("data-id")
    first.locator("td").nth(0).click()
    page.wait_for_function("id => location.hash.includes('place=' + encodeURIComponent(id))", arg=fid)
    expect(page.locator(f"{OPEN_POPUP} .atlas-popup-name")).to_have_text(first.locator(".atlas-row-open").text_content())

    # The CSV has the same places, and a spreadsheet would not run a formula from it.
    with page.expect_download() as info:
        table.locator(".atlas-table-csv").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    shown = {f["id"] for lid, feats in layer_features(built).items() for f in feats if "Henan" in f["properties"]["provinces"]}
    assert {r["id"] for r in records} == shown
    assert all("Henan" in r["provinces"] for r in records)
    assert info.value.suggested_filename == "central-china-atlas-places.csv"
    table.locator(".atlas-table-close").click()
    expect(table).to_be_hidden()


# --- 3. share, embed, print -------------------------------------------------------------------------

def test_share_copies_the_address_and_the_embed_code_frames_it(page, built):
    goto_drawn(page, f"{built.url}/#base=outlines&map=7/31.0/113.0&province=Hunan")
    page.locator(".atlas-share").click()
    expect(page.locator(".atlas-status")).to_have_text("Link to this view copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.evaluate("location.href") and "province=Hunan" in copied
    page.locator(".atlas-embed summary").click()
    code = page.locator("#atlas-embed-code").input_value()
    assert code.startswith('<iframe src="' + copied + '"') and 'title="Central China Atlas"' in code
    page.locator(".atlas-embed-copy").click()
    expect(page.locator(".atlas-status")).to_have_text("Embed code copied.")
    assert page.evaluate("navigator.clipboard.readText()") == code


def test_print_shows_title_legend_scale_sources_and_credits(page, built):
    goto_drawn(page, f"{built.url}/#base=outlines&province=Anhui")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    sheet = page.locator(".atlas-print")
    expect(sheet.locator(".atlas-print-head h1")).to_have_text("Central China Atlas")
    expect(sheet.locator(".atlas-print-head")).to_contain_text("in Anhui")
    shown_layers = [l for l, n in page.evaluate("atlas.shownCounts()").items()
                    if page.evaluate("id => atlas.status().layers[id].visible", l)]
    expect(sheet.locator(".atlas-print-legend li")).to_have_count(len(shown_layers))
    titles = {l["id"]: l["title"] for l in built.index["layers"]}
    for lid in shown_layers:
        expect(sheet.locator(".atlas-print-legend")).to_contain_text(titles[lid])
    docs = {s["title"] for feats in layer_features(built).values() for f in feats
            if "Anhui" in f["properties"]["provinces"] for s in f["properties"]["sources"]}
    expect(sheet.locator(".atlas-print-sources li")).to_have_count(len(docs))
    expect(sheet.locator(".atlas-print-credits")).to_contain_text("GeoNames")
    expect(sheet.locator(".atlas-print-credits")).to_contain_text("OpenStreetMap")
    expect(page.locator(".leaflet-control-scale")).to_be_visible()
    expect(page.locator(".atlas-panel")).to_be_hidden()
    pdf = page.pdf(format="A4", landscape=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000


# --- 4. the offline base ----------------------------------------------------------------------------

def visible_label_boxes(page):
    return page.eval_on_selector_all(
        ".leaflet-tooltip.atlas-label",
        "els => els.filter(e => getComputedStyle(e).visibility !== 'hidden')"
        ".map(e => { const r = e.getBoundingClientRect(); return [e.textContent, r.left, r.top, r.right, r.bottom]; })"
        ".filter(b => b[3] > b[1])")


def overlaps(boxes):
    return [(a[0], b[0]) for a, b in itertools.combinations(boxes, 2)
            if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]]


def luminance(rgb):
    def ch(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(a, b):
    x, y = sorted((luminance(a), luminance(b)), reverse=True)
    return (x + 0.05) / (y + 0.05)


@pytest.mark.parametrize("view", ["5/31.5/113.0", "7/30.7/111.3", "9/30.7/111.3"])
def test_the_offline_base_has_cities_rivers_lakes_and_labels_that_never_overprint(page, built, view):
    goto_drawn(page, f"{built.url}/#base=outlines&layers=&map={view}")
    page.wait_for_function("() => document.querySelectorAll('path.atlas-river').length > 0"
                           " && document.querySelectorAll('.atlas-city-label').length > 300")
    page.wait_for_timeout(200)  # a frame for the label pass
    boxes = visible_label_boxes(page)
    assert boxes, "some labels are shown"
    assert overlaps(boxes) == []
    if view.startswith("9/"):
        # Yichang is a named city among rivers, not a dot in nothing.
        assert any(b[0] == "Yichang" for b in boxes)
        assert page.locator("path.atlas-river").count() > 0
    # Labels meet WCAG AA against the land colour.
    land = (0xF6, 0xF3, 0xEA)
    colours = page.eval_on_selector_all(".atlas-label", "els => [...new Set(els.map(e => getComputedStyle(e).color))]")
    for colour in colours:
        rgb = tuple(int(v) for v in re.findall(r"\d+", colour)[:3])
        assert contrast(rgb, land) >= 4.5, colour


def test_lakes_are_drawn_where_they_help(page, built):
    goto_drawn(page, f"{built.url}/#base=outlines&layers=&map=8/29.3/112.9")
    page.wait_for_function("() => document.querySelectorAll('path.atlas-lake').length > 0")


def test_the_tiles_notice_stays_on_screen_until_dismissed(page, built):
    goto_drawn(page, built.url + "/")
    notice = page.locator(".atlas-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Map tiles are unreachable")
    box = notice.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 800
    # Other messages do not replace it.
    first = built.index["layers"][0]["id"]
    page.locator(f"#atlas-layer-{css_id(first)}").uncheck()
    page.wait_for_timeout(500)
    expect(notice).to_be_visible()
    notice.locator("button").click()
    expect(notice).to_have_count(0)


# --- 5. symbols, shared spots, popups --------------------------------------------------------------

def test_every_layer_has_a_symbol_of_its_own_in_the_legend_and_on_the_map(page, built):
    goto_drawn(page, f"{built.url}/#layers={every_layer(built)}&base=outlines")
    symbols = page.eval_on_selector_all(
        ".atlas-layer", "rows => rows.map(r => [r.dataset.layer, [...r.querySelectorAll('.atlas-swatch')].map(s => s.innerHTML).join('|')])")
    drawings = [s for _, s in symbols]
    assert len(set(drawings)) == len(drawings), symbols
    # Within a theme, the points have different shapes on the map too (not only shades).
    for theme in built.index["themes"]:
        shapes = {}
        for lid in theme["layers"]:
            d = page.evaluate("id => { const p = document.querySelector('path.atlas-l-' + id); return p && p.getAttribute('d'); }", css_id(lid))
            if d and "a" not in d:  # a polygon path: its corner count is its shape
                shapes[lid] = d.count("L")
            elif d:
                shapes[lid] = "circle" if d.count("a") == 2 else d.count("L")
        kinds = {lid: next(l for l in built.index["layers"] if l["id"] == lid)["geometry_types"] for lid in shapes}
        point_layers = [lid for lid in shapes if kinds[lid] == ["Point"]]
        assert len({shapes[l] for l in point_layers}) == len(point_layers), (theme["id"], shapes)


def test_a_shared_spot_shows_how_many_places_are_there(page, built):
    spots = {}
    for feats in layer_features(built).values():
        for f in feats:
            if f["geometry"]["type"] == "Point":
                spots.setdefault(tuple(f["geometry"]["coordinates"]), []).append(f)
    (lon, lat), here = max(spots.items(), key=lambda kv: len(kv[1]))
    goto_drawn(page, f"{built.url}/#layers={every_layer(built)}&base=outlines&map=9/{lat}/{lon}")
    badge_texts = page.locator(".atlas-badge-count").all_text_contents()
    assert str(len(here)) in badge_texts
    shared = sum(1 for v in spots.values() if len(v) > 1)
    assert len(badge_texts) == shared


def test_popups_quote_first_link_the_document_and_say_precision_in_words(page, built):
    target = next(f for feats in layer_features(built).values() for f in feats
                  if f["geometry"]["type"] == "Point" and f["properties"]["sources"][0].get("mention"))
    goto_drawn(page, f"{built.url}/#base=outlines&layers={target['properties']['layer']}&place={target['id']}")
    pop = page.locator(f"{OPEN_POPUP} .atlas-popup")
    quote = pop.locator(".atlas-mention").first
    expect(quote).to_have_text(target["properties"]["sources"][0]["mention"])
    # The quote is within the popup's visible area without scrolling.
    wrapper = page.locator(f"{OPEN_POPUP} .leaflet-popup-content").bounding_box()
    q = quote.bounding_box()
    assert q["y"] + q["height"] <= wrapper["y"] + wrapper["height"] + 1
    assert page.eval_on_selector(f"{OPEN_POPUP} .leaflet-popup-content", "e => e.scrollTop") == 0
    # The citation links to the document's entry, which names the document.
    link = pop.locator("a.atlas-doc-link").first
    href = link.get_attribute("href")
    response = page.request.get(built.url + href.split("#")[0] if href.startswith("/") else href)
    assert response.ok
    anchor = href.split("#")[1]
    page.goto(built.url + href)
    expect(page.locator(f"#{anchor} cite")).to_have_text(target["properties"]["sources"][0]["title"])
    expect(page.locator(f"#{anchor}")).to_contain_text(target["properties"]["name"])


# --- 6. search --------------------------------------------------------------------------------------

def test_search_by_host_city_closes_the_list_and_escape_keeps_the_query(page, built):
    goto_drawn(page, f"{built.url}/#base=outlines")
    page.fill("#atlas-search", "Wuhan lab")
    first = page.locator(".atlas-result").first
    expect(first).to_contain_text("Jiufengshan Laboratory")
    expect(first).to_contain_text("in Wuhan")
    first.click()
    expect(page.locator(f"{OPEN_POPUP} .atlas-popup-name")).to_contain_text("Jiufengshan Laboratory")
    expect(page.locator("#atlas-results")).to_be_hidden()
    expect(page.locator("#atlas-search")).to_have_value("Wuhan lab")
    # Escape closes the list and leaves the query as typed.
    page.fill("#atlas-search", "Zhengzhou")
    expect(page.locator(".atlas-result").first).to_be_visible()
    page.press("#atlas-search", "Escape")
    expect(page.locator("#atlas-results")).to_be_hidden()
    expect(page.locator("#atlas-search")).to_have_value("Zhengzhou")
    page.press("#atlas-search", "Enter")
    expect(page.locator("#atlas-results")).to_be_hidden()
    expect(page.locator(f"{OPEN_POPUP} .atlas-popup-name")).to_contain_text("Zhengzhou")


# --- 7. keyboard and screen readers -----------------------------------------------------------------

def test_features_take_focus_with_tab_open_with_enter_and_focus_returns(page, built):
    goto_drawn(page, f"{built.url}/#base=outlines&layers=science-centres&map=6/31.5/113.0")
    container = page.locator(".folium-map")
    expect(container).to_have_attribute("role", "region")
    assert container.get_attribute("aria-label")
    assert "user-scalable=no" not in page.locator("meta[name=viewport]").get_attribute("content")
    # The skip link is the first stop and leads past the panel to the places.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "atlas-skip"
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.tagName.toLowerCase() + '|' + document.activeElement.getAttribute('role')")
    assert focused == "path|button"
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert "Science" in label or "—" in label
    # Tab moves from place to place.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('role')") == "button"
    here = page.evaluate("document.activeElement.getAttribute('aria-label')")
    page.keyboard.press("Enter")
    pop = page.locator(f"{OPEN_POPUP}")
    expect(pop).to_be_visible()
    # Focus is in the popup (the place, or the list of places at that spot) ...
    assert page.evaluate(f"document.querySelector('{OPEN_POPUP}').contains(document.activeElement)")
    # ... and back on the place when it closes.
    page.keyboard.press("Escape")
    expect(page.locator(f"{OPEN_POPUP} .atlas-popup, {OPEN_POPUP} .atlas-chooser")).to_have_count(0)
    page.wait_for_function("l => document.activeElement && document.activeElement.getAttribute('aria-label') === l", arg=here)


# --- 8. speed: the mark -----------------------------------------------------------------------------

# What the map shows, as a reader sees it: each feature path's place on screen by the feature's
# class (and whether it lies wholly within the map: Leaflet clips what reaches past its view, a
# painted path is not clipped), and the count badges.
PICTURE = """() => {
  const box = document.querySelector('.leaflet-container').getBoundingClientRect();
  const paths = [...document.querySelectorAll('.leaflet-pane path.atlas-f')].map(p => {
    const r = p.getBoundingClientRect();
    const id = [...p.classList].filter(c => c.startsWith('atlas-i-') || c.startsWith('atlas-l-')).sort().join(' ');
    const inside = r.left >= box.left && r.top >= box.top && r.right <= box.right && r.bottom <= box.bottom;
    const cs = getComputedStyle(p);
    const look = ['fill', 'fill-opacity', 'stroke', 'stroke-opacity', 'stroke-width', 'stroke-dasharray', 'stroke-linecap', 'stroke-linejoin', 'fill-rule']
      .map(k => cs.getPropertyValue(k)).join(';');
    return [id, inside, r.left, r.top, r.right, r.bottom, look];
  }).sort();
  const badges = [...document.querySelectorAll('.atlas-badge')].map(b => [b.textContent, b.className, b.getAttribute('aria-hidden'),
    b.style.cssText, b.parentNode.className, b.innerHTML].join(' | ')).sort();
  return {paths, badges, sketched: document.querySelectorAll('.atlas-sketch path').length,
          interactive: document.querySelectorAll('.leaflet-pane path.leaflet-interactive').length};
}"""
# Take the picture when the page marks every layer drawn (in the frame the mark is made in).
AT_MARK = """(() => {
  const mark = performance.mark.bind(performance);
  performance.mark = function (name) {
    const out = mark.apply(null, arguments);
    if (name === 'atlas-layers-drawn') {
      window.__atMark = (%s)();
      if (window.__actAtMark) {
        document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Shift', bubbles: true}));
        window.__afterAct = (%s)();
      }
    }
    return out;
  };
})();""" % (PICTURE, PICTURE)


def same_picture(a, b):
    """The same paths (by feature) drawn alike, those wholly on the map within a pixel of the same
    place, and the same badges."""
    assert [(p[0], p[6]) for p in a["paths"]] == [(p[0], p[6]) for p in b["paths"]]
    inside = [(pa, pb) for pa, pb in zip(a["paths"], b["paths"]) if pa[1] and pb[1]]
    assert len(inside) >= 0.8 * len(a["paths"])  # the comparison covers most of the picture
    for pa, pb in inside:
        assert all(abs(x - y) <= 1.5 for x, y in zip(pa[2:6], pb[2:6])), (pa, pb)
    assert a["badges"] == b["badges"]


def test_the_page_marks_when_every_layer_shown_at_load_is_drawn(page, built):
    requests = []
    page.on("request", lambda r: requests.append(urlsplit(r.url).path) if "/api/" in r.url else None)
    page.add_init_script(AT_MARK)
    goto_drawn(page, built.url + "/")
    marks = page.evaluate("performance.getEntriesByName('atlas-layers-drawn').map(m => m.startTime)")
    assert len(marks) == 1
    ready = page.evaluate("performance.getEntriesByName('atlas-layers-ready').map(m => m.startTime)")
    assert len(ready) == 1 and ready[0] >= marks[0]
    # The data came from the request <head> started: one request for every feature.
    assert requests.count("/api/features") == 1
    assert page.evaluate("Object.keys(window.atlasPrefetch || {}).length") == 0
    status = page.evaluate("atlas.status()")
    for layer in built.index["layers"]:
        if layer["visible"]:
            assert status["layers"][layer["id"]]["state"] == "ready"
    # Drawn means drawn: at the mark every feature of every visible layer is on the map (painted
    # in one piece), where its Leaflet layer then draws it, with the same count badges ...
    at_mark, now = page.evaluate("window.__atMark"), page.evaluate(PICTURE)
    shown = sum(layer["count"] for layer in built.index["layers"] if layer["visible"])
    assert at_mark["sketched"] == len(at_mark["paths"]) >= shown > 0
    assert at_mark["interactive"] == 0 and at_mark["badges"]
    same_picture(at_mark, now)
    # ... and then the painted paths are gone, for the Leaflet layers' own.
    assert now["sketched"] == 0 and now["interactive"] == len(now["paths"])


def test_a_reader_who_acts_at_once_gets_the_layers_built_at_once(page, built):
    page.add_init_script("window.__actAtMark = true;")
    page.add_init_script(AT_MARK)
    goto_drawn(page, built.url + "/")
    at_mark, after = page.evaluate("window.__atMark"), page.evaluate("window.__afterAct")
    assert at_mark["sketched"] > 0
    # The key pressed in the frame of the mark built every layer before its handlers ran on.
    assert after["sketched"] == 0 and after["interactive"] == len(after["paths"])
    same_picture(at_mark, after)
    # The page goes on as usual: one mark, the address written, features in the tab order.
    wait_drawn(page)
    assert page.evaluate("performance.getEntriesByName('atlas-layers-ready').length") == 1
    assert "layers=" in page.evaluate("location.hash")
    assert page.locator(".leaflet-pane path[tabindex='0']").count() == len(after["paths"])



# Hold the task the page schedules in the frame of the mark (the build of the painted layers), as
# on a machine too busy to run it before the reader's click comes in.
HOLD_BUILD = """(() => {
  const mark = performance.mark.bind(performance), later = window.setTimeout.bind(window);
  let hold = false;
  window.__held = [];
  performance.mark = function (name) {
    if (name === 'atlas-layers-drawn') hold = true;
    return mark.apply(null, arguments);
  };
  window.setTimeout = function (fn, delay) {
    if (hold && !delay) { hold = false; window.__held.push(fn); return 0; }
    return later.apply(null, arguments);
  };
})();"""


def test_a_click_on_the_painted_picture_opens_the_place_it_lands_on(page, built):
    page.add_init_script(HOLD_BUILD)
    page.goto(built.url + "/")
    page.wait_for_function("() => window.__held.length > 0")
    # The centre of a painted point with nothing but the map over it (painted paths take no
    # pointer events: the press lands on the map).
    spot = page.evaluate("""() => {
      for (const p of document.querySelectorAll('.atlas-sketch path')) {
        const r = p.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
        const e = document.elementFromPoint(x, y);
        if (r.width > 4 && e && e.closest('.leaflet-container') && !e.closest('.leaflet-control, .leaflet-marker-pane, .atlas-badge')) return {x, y};
      }
      return null;
    }""")
    assert spot, "no painted point to click"
    page.mouse.click(spot["x"], spot["y"])
    # The press built the layers at once, and the click reached the feature built under it.
    assert page.evaluate("document.querySelectorAll('.atlas-sketch path').length") == 0
    expect(page.locator(OPEN_POPUP)).to_be_visible()
    under = page.evaluate("([x, y]) => [...document.elementFromPoint(x, y).classList].find(c => c.startsWith('atlas-i-'))",
                          [spot["x"], spot["y"]])
    # The popup is that feature's (its name, from the API's data), or where places share the spot
    # the list of them, with that feature in it.
    features = page.evaluate("""() => fetch('/api/features', {headers: {Accept: 'application/geo+json'}})
      .then(r => r.json()).then(c => Object.fromEntries(c.features.map(f => [
        'atlas-i-' + String(f.id).replace(/[^A-Za-z0-9_-]/g, '_'), [String(f.id), f.properties.name]])))""")
    assert under in features
    fid, name = features[under]
    popup = page.locator(OPEN_POPUP)
    if popup.locator(".atlas-chooser").count():
        assert fid in popup.locator(".atlas-chooser-item").evaluate_all("bs => bs.map(b => b.dataset.id)")
    else:
        expect(popup.locator(".atlas-popup-name")).to_have_text(name)
    page.evaluate("window.__held.forEach(fn => fn())")

# --- 8. speed at scale: a big layer goes on a canvas, in chunks -------------------------------------

@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    import sys

    sys.path.insert(0, str(REPO / "scripts"))
    import synthetic_data
    from app import create_app

    data = synthetic_data.make(tmp_path_factory.mktemp("big") / "data", 6000, REPO / "data")
    with serve(create_app({"TESTING": True, "DATA_DIR": str(data)})) as server:
        yield server


def test_a_big_layer_is_drawn_on_a_canvas_and_reached_through_the_table(browser, big_server):
    context, page, watch = open_page(browser, big_server)
    streamed = []
    page.on("response", lambda r: streamed.append(r.url) if "geo+json-seq" in (r.headers.get("content-type") or "") else None)
    try:
        page.goto(f"{big_server.url}/#layers=synthetic-points&base=outlines")
        page.wait_for_function("() => window.atlas && atlas.status().pending === 0"
                               " && performance.getEntriesByName('atlas-layers-drawn').length === 1", timeout=60_000)
        status = page.evaluate("atlas.status()")
        assert status["layers"]["synthetic-points"] == {"state": "ready", "visible": True, "features": 6000, "outlines": "full"}
        assert page.evaluate("atlas.shownCounts()['synthetic-points']") == 6000
        # Read as a GeoJSON Text Sequence, a slice of lines per task, and drawn on canvas tiles:
        # no SVG node per feature.
        assert [urlsplit(u).query for u in streamed] == ["f=geojsonseq"], streamed
        assert page.locator("path.atlas-l-synthetic-points").count() == 0
        assert page.locator(".leaflet-atlas-point-pane canvas.leaflet-tile-loaded").count() >= 1
        page.locator(".atlas-table-open").click()
        expect(page.locator("#atlas-table tbody tr")).to_have_count(500)
        expect(page.locator("#atlas-table caption")).to_contain_text("6000 places shown; the first 500 are listed")
        first = page.locator("#atlas-table tbody tr").nth(0)
        name = first.locator(".atlas-row-open").text_content()
        first.locator(".atlas-row-open").click()
        expect(page.locator(f"{OPEN_POPUP} .atlas-popup-name")).to_have_text(name)
        # The filters apply to the canvas layer too.
        page.select_option("#atlas-f-province", big_server.app.extensions["atlas_store"].province_names()[0])
        wait_drawn(page)
    finally:
        context.close()
    assert watch.errors == [], watch.errors


def test_a_point_of_a_big_layer_opens_its_popup_where_it_is_drawn(browser, big_server):
    """The canvas has no element per point: a click on the pixel of a point finds it (grid
    lookup), and its popup cites it; a click beside it opens nothing."""
    layer = big_server.app.extensions["atlas_store"].layers["synthetic-points"]
    feature = layer.features[123]
    lon, lat = feature["geometry"]["coordinates"]
    context, page, watch = open_page(browser, big_server)
    try:
        goto_drawn(page, f"{big_server.url}/#map=13/{lat}/{lon}&layers=synthetic-points&base=outlines")
        box = page.locator(".leaflet-container").bounding_box()
        # The view is centred on the point: it is drawn at the middle of the map.
        page.mouse.click(box["x"] + box["width"] / 2 + 30, box["y"] + box["height"] / 2)
        expect(page.locator(f"{OPEN_POPUP} .atlas-popup")).to_have_count(0)
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(page.locator(".leaflet-container.atlas-over-point")).to_have_count(1)
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(page.locator(f"{OPEN_POPUP} .atlas-popup-name")).to_have_text(feature["properties"]["name"])
        expect(page.locator(f"{OPEN_POPUP} .atlas-mention")).to_have_text(feature["properties"]["sources"][0]["mention"])
        page.wait_for_function("id => location.hash.includes('place=' + id)", arg=feature["id"])
        page.keyboard.press("Escape")
        expect(page.locator(f"{OPEN_POPUP} .atlas-popup")).to_have_count(0)
    finally:
        context.close()
    assert watch.errors == [], watch.errors


# --- 8. speed: outlines as the zoom shows them -------------------------------------------------------

def path_vertices(page, layer_id: str) -> list[int]:
    """The vertex count of each SVG path the layer draws, sorted."""
    return page.evaluate("""id => Array.from(document.querySelectorAll('path.atlas-l-' + id))
        .map(p => (p.getAttribute('d').match(/[ML]/g) || []).length).sort((a, b) => a - b)""", layer_id)


def test_outlines_come_generalised_for_the_opening_zoom_then_in_full_once_zoomed_in(browser, built):
    outlined = [layer["id"] for layer in built.index["layers"] if layer["visible"]
                and set(layer["geometry_types"]) - {"Point", "MultiPoint"}]
    assert "transfer-areas" in outlined
    view = "#map=9/30.60/114.30&layers=" + ",".join(outlined) + "&base=outlines"

    context, page, watch = open_page(browser, built)
    try:
        asked = []
        page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
        goto_drawn(page, built.url + "/")
        opening = page.evaluate("atlas.status()")
        home = opening["view"]["zoom"]
        # The layers shown at load came in one request, generalised for the opening zoom.
        [bulk] = [u for u in asked if urlsplit(u).path == "/api/features"]
        offset = float(parse_qs(urlsplit(bulk).query)["maxAllowableOffset"][0])
        assert offset == pytest.approx(360 / 256 * 0.5 * 0.7071 / 2 ** 5, rel=1e-3)
        for layer_id in outlined:
            assert opening["layers"][layer_id]["outlines"] in (5, "full")  # full if the view opened past 5
        if home == 5:
            assert all(opening["layers"][i]["outlines"] == 5 for i in outlined)
        # Zoomed in, each shown layer's outlines are replaced by the full ones, in place.
        page.evaluate("h => { location.hash = h; }", view)
        page.wait_for_function("() => document.documentElement.dataset.atlasGeneralised === '0'"
                               " && atlas.status().view.zoom === 9")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        refined = {i: path_vertices(page, i) for i in outlined}
        assert all(page.evaluate("atlas.status()")["layers"][i]["outlines"] == "full" for i in outlined)
        full_requests = [u for u in asked if "maxAllowableOffset" not in u and "/api/layers/" in u]
        assert {urlsplit(u).path.rsplit("/", 1)[1] for u in full_requests} == set(outlined)
        # The refined outlines still open their popups (the same Leaflet layers).
        page.locator("path.atlas-l-transfer-areas").first.focus()
        page.keyboard.press("Enter")
        expect(page.locator(".leaflet-popup .atlas-popup-name")).to_be_visible()
    finally:
        context.close()
    assert watch.errors == [], watch.errors

    # The same view opened directly asks for full detail at once, and draws the same paths.
    context, page, watch = open_page(browser, built)
    try:
        asked = []
        page.on("request", lambda r: asked.append(r.url) if "/api/" in r.url else None)
        goto_drawn(page, built.url + "/" + view)
        # The page preloads the opening view's data before any script has read the address; at
        # this zoom it goes unused (the paths below are the full ones), and all else is in full.
        preloaded = page.evaluate("document.querySelector('link[rel=preload][as=fetch]').href")
        assert preloaded in asked and "maxAllowableOffset" in preloaded
        own = [u for u in asked if u != preloaded]
        assert own and not [u for u in own if "maxAllowableOffset" in u]
        direct = {i: path_vertices(page, i) for i in outlined}
    finally:
        context.close()
    assert watch.errors == [], watch.errors
    assert refined == direct
    assert sum(map(sum, refined.values())) > 0


# --- 8. speed: stylesheets hold back the first paint, not the map's scripts ----------------------------

def test_slow_stylesheets_hold_back_the_paint_but_not_the_scripts(browser, built):
    context, page, watch = open_page(browser, built)
    try:
        def slow(route):
            # Waited out in Playwright's loop, not with time.sleep: that would hold every other
            # routed request (the scripts too) until it ends.
            page.wait_for_timeout(600)
            route.continue_()
        page.route("**/*.css?v=*", slow)
        goto_drawn(page, built.url + "/")
        timing = page.evaluate("""() => ({
          css: performance.getEntriesByType('resource').filter(e => /\\.css\\?/.test(e.name)).map(e => e.responseEnd),
          start: performance.getEntriesByName('atlas-start')[0].startTime,
          paint: (performance.getEntriesByName('first-paint')[0] || {}).startTime,
          drawn: performance.getEntriesByName('atlas-layers-drawn')[0].startTime})""")
        assert len(timing["css"]) == 2
        last_css = max(timing["css"])
        # The map's script ran while the stylesheets were still on their way ...
        assert timing["start"] < last_css
        # ... but nothing was painted, and the layers were not marked drawn, before they were in.
        assert timing["paint"] >= last_css and timing["drawn"] >= last_css
        assert page.evaluate("getComputedStyle(document.querySelector('.leaflet-container')).overflow") == "hidden"
    finally:
        context.close()
    assert watch.errors == [], watch.errors


def test_a_browser_without_render_blocking_links_gets_the_stylesheets_from_the_parser(browser, built):
    context, page, watch = open_page(browser, built)
    try:
        # As in a browser without the blocking attribute (the script falls back to document.write).
        page.add_init_script("delete HTMLLinkElement.prototype.blocking")
        goto_drawn(page, built.url + "/")
        links = page.eval_on_selector_all("head link[rel=stylesheet]", "ls => ls.map(l => [l.getAttribute('href'), l.hasAttribute('blocking')])")
        assert [urlsplit(h).path for h, _ in links] == ["/vendor/leaflet/leaflet.css", "/static/atlas.css"]
        assert not any(blocking for _, blocking in links)
        assert page.evaluate("getComputedStyle(document.querySelector('.leaflet-container')).overflow") == "hidden"
        assert page.evaluate("getComputedStyle(document.querySelector('.atlas-panel')).position") != "static"
    finally:
        context.close()
    assert watch.errors == [], watch.errors
