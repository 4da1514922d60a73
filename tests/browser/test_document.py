"""The "Map a document" page in Chromium, with the real geoparser behind POST /api/extract.

A passage is pasted (or a file chosen or dropped); every mention is highlighted in its kind's
colour and drawn on the map; a click or Enter on a mention flies there and opens a popup with the
basis, the confidence and the other candidates; a candidate can be chosen and a mention dropped,
and the downloads (made by the server's output functions) say so. Keyboard only, under the page's
Content-Security-Policy with no violation, and hostile text in the document, its title and its
file name stays text. Expected values are read from the API for the same text, never typed in.
"""

from __future__ import annotations

import json

import pytest
import yaml
from playwright.sync_api import expect

from browser_support import open_page
from hostile import PAYLOADS
from test_hostile import TRAPS, assert_clean

PASSAGE = (
    "In 2023 the Wuhan Metropolitan Circle and the Changsha-Zhuzhou-Xiangtan city cluster will deepen "
    "cooperation. Hefei in Anhui Province will build a national science centre, and Taizhou in Zhejiang "
    "will open a freight line to Zhengzhou.\n\nJingzhou in Hubei and Yichang will serve the Yangtze River "
    "economic belt."
)
# Records every phase and status text the page goes through, and any CSP violation.
RECORDER = """
window.__phases = []; window.__statuses = []; window.__csp = window.__csp || [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
}, true);
new MutationObserver(function () {
  var phase = document.documentElement.getAttribute("data-doc-state");
  if (phase && window.__phases[window.__phases.length - 1] !== phase) window.__phases.push(phase);
  var status = document.getElementById("doc-status");
  if (status && window.__statuses[window.__statuses.length - 1] !== status.textContent) window.__statuses.push(status.textContent);
}).observe(document, { attributes: true, childList: true, subtree: true, characterData: true });
"""
POPUP = ".leaflet-popup .doc-popup"


@pytest.fixture
def doc_page(browser, fixture_server):
    context, page, watch = open_page(browser, fixture_server, accept_downloads=True)
    page.add_init_script(RECORDER)
    try:
        yield page
    finally:
        context.close()
    assert watch.errors == [], watch.errors


def parse(server, text, **fields) -> dict:
    response = server.app.test_client().post("/api/extract", json={"text": text, **fields})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def open_document_page(page, server):
    response = page.goto(server.url + "/map-document")
    policy = response.headers["content-security-policy"]
    assert "unsafe" not in policy and "script-src 'self';" in policy
    page.wait_for_function("() => window.docmap && document.documentElement.dataset.docState === 'idle'")


def map_text(page, text, title=None):
    page.fill("#doc-text", text)
    if title is not None:
        page.locator(".doc-meta summary").click()
        page.fill("#doc-title", title)
    page.click("#doc-submit")
    wait_ready(page)


def wait_ready(page):
    page.wait_for_function("() => ['ready', 'error'].includes(document.documentElement.dataset.docState)",
                           timeout=60_000)
    assert page.evaluate("document.documentElement.dataset.docState") == "ready", page.locator("#doc-status").text_content()


def mark(page, i):
    return page.locator(f'.doc-mark[data-i="{i}"]')


def index_of(result, text) -> int:
    """The page draws mentions in text order, as the API returns them."""
    ordered = sorted(result["mentions"], key=lambda m: (m["start"], -m["end"]))
    return next(i for i, m in enumerate(ordered) if m["text"] == text)


def kinds(server) -> dict:
    html = server.app.test_client().get("/map-document").get_data(as_text=True)
    import html as html_lib
    import re

    config = json.loads(html_lib.unescape(re.search(r'data-config="([^"]*)"', html).group(1)))
    return {k["id"]: k for k in config["kinds"]}


def rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))


def download(page, button) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.click(button)
    d = info.value
    with open(d.path(), "rb") as fh:
        return d.suggested_filename, fh.read()


# --- paste, highlight, popup ---------------------------------------------------------------------

def test_paste_highlights_every_mention_in_its_kinds_colour(doc_page, fixture_server):
    page, server = doc_page, fixture_server
    result = parse(server, PASSAGE)
    open_document_page(page, server)
    map_text(page, PASSAGE)
    ordered = sorted(result["mentions"], key=lambda m: m["start"])
    marks = page.locator(".doc-mark")
    expect(marks).to_have_count(len(ordered))
    shown = marks.evaluate_all("els => els.map(e => [e.textContent, e.dataset.kind, getComputedStyle(e).backgroundColor])")
    colours = kinds(server)
    assert [(t, k) for t, k, _ in shown] == [(m["text"], m["kind"]) for m in ordered]
    for (_, kind, background), m in zip(shown, ordered):
        if m["lon"] is not None:
            assert background == rgb(colours[kind]["colour"]), (m["text"], background)
    # The text is shown whole, as written; the legend lists each kind found, with its count.
    assert page.locator("#doc-view").evaluate("el => el.textContent") == PASSAGE
    legend = page.locator(".doc-legend-item").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert sorted(legend) == sorted({m["kind"] for m in ordered})
    placed = [m for m in ordered if m["lon"] is not None]
    assert page.evaluate("docmap.status().markers") == len(placed)
    assert f"{len(ordered)} places found" in page.locator("#doc-summary").text_content()
    phases = page.evaluate("window.__phases")
    assert phases[0] == "idle" and "sending" in phases and "parsing" in phases and phases[-1] == "ready"


def test_click_flies_to_the_place_and_shows_basis_and_candidates(doc_page, fixture_server):
    page, server = doc_page, fixture_server
    result = parse(server, PASSAGE)
    taizhou = next(m for m in result["mentions"] if m["text"] == "Taizhou")
    assert taizhou["candidates"], "the passage needs a mention with candidates"
    open_document_page(page, server)
    map_text(page, PASSAGE)
    i = index_of(result, "Taizhou")
    mark(page, i).click()
    popup = page.locator(POPUP)
    expect(popup).to_be_visible()
    page.wait_for_function("i => docmap.mention(i).inView && docmap.status().view.zoom >= 8", arg=i)
    assert popup.locator(".doc-popup-mention").text_content() == "Taizhou"
    facts = dict(zip(popup.locator(".doc-facts dt").all_text_contents(), popup.locator(".doc-facts dd").all_text_contents()))
    assert facts["Basis"] == taizhou["basis"]
    assert facts["Province"] == taizhou["province"]
    assert facts["Confidence"] == f"{round(taizhou['confidence'] * 100)}%"
    names = popup.locator(".doc-candidate-province").all_text_contents()
    assert names == [c["province"] for c in taizhou["candidates"] if c.get("province")]
    why = popup.locator(".doc-why-not").all_text_contents()
    assert why == [c["why_not"] for c in taizhou["candidates"]]
    assert mark(page, i).get_attribute("class").split().count("doc-active") == 1


# --- the reader's choices and the downloads ------------------------------------------------------

def test_choose_a_candidate_drop_a_mention_and_download(doc_page, fixture_server):
    page, server = doc_page, fixture_server
    result = parse(server, PASSAGE)
    open_document_page(page, server)
    map_text(page, PASSAGE, title="Cooperation notice")
    ti, zi = index_of(result, "Taizhou"), index_of(result, "Zhengzhou")
    taizhou = next(m for m in result["mentions"] if m["text"] == "Taizhou")
    k = 0
    chosen = taizhou["candidates"][k]

    mark(page, ti).click()
    page.locator(f"{POPUP} .doc-choose[data-candidate='{k}']").click()
    expect(page.locator(f"{POPUP} .doc-popup-note")).to_have_text("You chose this place.")
    moved = page.evaluate("i => docmap.mention(i)", ti)
    assert moved["chosen"] and moved["province"] == chosen["province"]
    assert moved["marker"] == pytest.approx([chosen["lat"], chosen["lon"]])
    # The parser's answer is now a candidate to go back to.
    expect(page.locator(f"{POPUP} .doc-choose[data-candidate='original']")).to_have_count(1)

    mark(page, zi).click()
    expect(page.locator(f"{POPUP} .doc-popup-mention")).to_have_text("Zhengzhou")
    placed = page.evaluate("docmap.status().markers")
    page.locator(f"{POPUP} .doc-drop-mention").click()
    expect(page.locator(f"{POPUP} .doc-drop-mention")).to_have_text("Restore this mention")
    assert "doc-dropped" in mark(page, zi).get_attribute("class")
    assert page.evaluate("docmap.status().markers") == placed - 1
    assert page.evaluate("docmap.status().choices") == [
        {"start": taizhou["start"], "end": taizhou["end"], "candidate": k},
        {"start": PASSAGE.index("Zhengzhou"), "end": PASSAGE.index("Zhengzhou") + 9, "drop": True}]
    page.keyboard.press("Escape")

    name, body = download(page, "#doc-download-geojson")
    assert name == "Cooperation-notice-places.geojson"
    collection = json.loads(body)
    features = {s["mention"]: f for f in collection["features"] for s in f["properties"]["sources"]}
    assert "Zhengzhou" not in features
    assert features["Taizhou"]["geometry"]["coordinates"] == [chosen["lon"], chosen["lat"]]
    assert features["Taizhou"]["properties"]["province"] == chosen["province"]
    assert features["Taizhou"]["properties"]["sources"][0]["title"] == "Cooperation notice"
    assert "Hefei" in features

    name, body = download(page, "#doc-download-catalog")
    assert name.endswith(".yaml")
    text = body.decode("utf-8")
    assert text.startswith("# Catalog draft")
    entries = {e["sources"][0]["mention"]: e for e in yaml.safe_load(text)}
    assert entries["Taizhou"]["provinces"] == [chosen["province"]] and "Zhengzhou" not in entries


# --- files: chosen and dropped, with progress ----------------------------------------------------

def test_choose_an_html_file_and_drop_a_text_file(doc_page, fixture_server):
    page, server = doc_page, fixture_server
    open_document_page(page, server)
    html = ("<html><head><title>T</title><script>var Wuhan = 1;</script></head><body>"
            "<h1>Notice</h1><p>Hefei in Anhui Province &amp; Changsha.</p></body></html>")
    page.set_input_files("#doc-file", files=[{"name": "notice.html", "mimeType": "text/html", "buffer": html.encode()}])
    expect(page.locator("#doc-file-name")).to_contain_text("notice.html")
    page.click("#doc-submit")
    wait_ready(page)
    view = page.locator("#doc-view").evaluate("el => el.textContent")
    assert "Hefei in Anhui Province & Changsha." in view and "var Wuhan" not in view
    assert page.locator("#doc-result-title").text_content() == "notice.html"
    assert page.locator(".doc-mark").all_text_contents() == ["Hefei", "Anhui Province", "Changsha"]

    page.click("#doc-new")
    page.locator("#doc-file-name button").click()  # forget the chosen file
    page.evaluate("""() => {
        const dt = new DataTransfer();
        dt.items.add(new File(["Yichang and Jingzhou in Hubei."], "plan.txt", {type: "text/plain"}));
        document.getElementById("doc-drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""")
    expect(page.locator("#doc-file-name")).to_contain_text("plan.txt")
    page.click("#doc-submit")
    wait_ready(page)
    assert page.locator(".doc-mark").all_text_contents() == ["Yichang", "Jingzhou", "Hubei"]


def test_a_long_document_shows_progress_and_renders_in_chunks(doc_page, fixture_server):
    page, server = doc_page, fixture_server
    text = "\n".join(f"Paragraph {n}. " + PASSAGE for n in range(120))  # ~ 35 kB, over 1,300 mentions
    open_document_page(page, server)
    map_text(page, text)
    count = page.evaluate("docmap.status().mentions")
    assert count > 1000
    expect(page.locator(".doc-mark")).to_have_count(count)
    statuses = page.evaluate("window.__statuses")
    drawing = [s for s in statuses if s.startswith("Drawing the places:")]
    assert len(drawing) >= 3, statuses  # one status per chunk of 250
    assert "rendering" in page.evaluate("window.__phases")
    assert any(s.startswith("Sending the document") or s == "Finding the places…" for s in statuses)
    assert page.locator("#doc-view").evaluate("el => el.textContent") == text


def test_errors_are_shown_as_text(browser, fixture_server):
    server = fixture_server
    context, page, watch = open_page(browser, server)
    open_document_page(page, server)
    page.click("#doc-submit")
    expect(page.locator("#doc-status")).to_have_text("Could not map the document: paste a text or choose a file first.")
    page.set_input_files("#doc-file", files=[{"name": "bad.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 junk"}])
    page.click("#doc-submit")
    expect(page.locator("#doc-status.doc-error")).to_contain_text("bad.pdf", timeout=30_000)
    assert page.evaluate("document.documentElement.dataset.docState") == "error"
    context.close()
    # The refused upload is the only thing the console reports.
    assert len(watch.errors) == 1 and "400 (BAD REQUEST)" in watch.errors[0] and "/api/extract" in watch.errors[0]


# --- keyboard only -------------------------------------------------------------------------------

def focused(page) -> dict:
    return page.evaluate("() => ({id: document.activeElement.id, cls: document.activeElement.className,"
                         " i: document.activeElement.dataset.i, text: document.activeElement.textContent})")


def tab_until(page, predicate, limit=40) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if predicate(now):
            return now
    raise AssertionError(f"never reached; last focus {focused(page)}")


def test_keyboard_only(doc_page, fixture_server):
    page, server = doc_page, fixture_server
    result = parse(server, PASSAGE)
    open_document_page(page, server)
    tab_until(page, lambda f: f["id"] == "doc-text")
    page.keyboard.insert_text(PASSAGE)
    tab_until(page, lambda f: f["id"] == "doc-submit")
    page.keyboard.press("Enter")
    wait_ready(page)
    ti = index_of(result, "Taizhou")
    now = tab_until(page, lambda f: f["text"] == "Taizhou" and "doc-mark" in f["cls"])
    assert int(now["i"]) == ti
    page.keyboard.press("Enter")
    expect(page.locator(POPUP)).to_be_visible()
    expect(page.locator(f"{POPUP} .doc-popup-mention")).to_be_focused()
    tab_until(page, lambda f: "doc-choose" in f["cls"], limit=5)
    page.keyboard.press("Enter")
    expect(page.locator(f"{POPUP} .doc-popup-note")).to_have_text("You chose this place.")
    assert page.evaluate("i => docmap.mention(i).chosen", ti)
    page.keyboard.press("Escape")
    expect(page.locator(POPUP)).to_have_count(0)
    assert focused(page)["i"] == str(ti)  # back on the mention
    # Space opens it too; the drop button is reachable.
    page.keyboard.press(" ")
    expect(page.locator(POPUP)).to_be_visible()
    tab_until(page, lambda f: "doc-drop-mention" in f["cls"], limit=8)
    page.keyboard.press("Enter")
    assert page.evaluate("i => docmap.mention(i).dropped", ti)
    # The downloads are buttons in the tab order.
    page.keyboard.press("Escape")
    with page.expect_download() as info:
        page.locator("#doc-download-geojson").focus()
        page.keyboard.press("Enter")
    assert info.value.suggested_filename.endswith(".geojson")


# --- the policy and hostile text -----------------------------------------------------------------

def test_no_csp_violation_through_a_whole_session(doc_page, fixture_server):
    page, server = doc_page, fixture_server
    open_document_page(page, server)
    map_text(page, PASSAGE)
    mark(page, 0).click()
    expect(page.locator(POPUP)).to_be_visible()
    page.locator(f"{POPUP} .doc-drop-mention").click()
    page.locator(".leaflet-control-layers").hover()
    download(page, "#doc-download-geojson")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__csp") == []


HOSTILE_TEXT = "\n".join(f"{p} Hefei in Anhui Province {p} Taizhou." for p in PAYLOADS)


@pytest.mark.parametrize("bypass", [False, True], ids=["under-csp", "csp-bypassed"])
def test_hostile_text_stays_text(browser, fixture_server, bypass):
    server = fixture_server
    context, page, watch = open_page(browser, server, bypass_csp=bypass, accept_downloads=True)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(TRAPS)
    page.add_init_script(RECORDER)
    try:
        open_document_page(page, server)
        title = f"Title {PAYLOADS[0]} {PAYLOADS[4]}"
        map_text(page, HOSTILE_TEXT, title=title)
        assert page.locator("#doc-view").evaluate("el => el.textContent") == HOSTILE_TEXT
        assert page.locator("#doc-result-title").text_content() == title
        count = page.evaluate("docmap.status().mentions")
        assert count >= 2 * len(PAYLOADS)
        for i in range(0, count, 7):
            mark(page, i).click()
            expect(page.locator(f'{POPUP}[data-i="{i}"]')).to_be_visible()
            assert page.locator(f"{POPUP} .doc-popup-mention").text_content() == page.evaluate(
                "i => docmap.mention(i).text", i)
        page.keyboard.press("Escape")
        assert_clean(page, requests)

        # A file whose name and content are payloads.
        page.click("#doc-new")
        page.fill("#doc-title", "")  # the file's name is the title then
        name = f'{PAYLOADS[1]}.txt'.replace("/", "_")
        page.set_input_files("#doc-file", files=[{"name": name, "mimeType": "text/plain",
                                                  "buffer": HOSTILE_TEXT.encode()}])
        expect(page.locator("#doc-file-name")).to_contain_text(name)
        page.click("#doc-submit")
        wait_ready(page)
        assert page.locator("#doc-result-title").text_content() == name
        assert page.locator("#doc-view").evaluate("el => el.textContent") == HOSTILE_TEXT
        _, body = download(page, "#doc-download-catalog")
        assert isinstance(yaml.safe_load(body.decode("utf-8")), list)
        assert_clean(page, requests)
        assert page.evaluate("document.querySelectorAll('script:not([src]), style').length") == 0
        assert page.evaluate("getComputedStyle(document.body).display") != "none"
    finally:
        context.close()
    assert watch.errors == [], watch.errors


def test_the_maps_panel_links_to_the_page(doc_page, fixture_server):
    page, server = doc_page, fixture_server
    page.goto(server.url + "/")
    link = page.locator("a.atlas-document-link")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url("**/map-document")
    page.wait_for_function("() => document.documentElement.dataset.docState === 'idle'")
