"""The page under its own security headers, in Chromium: it works with the Content-Security-Policy
(no violation reported, no console error), the policy is really enforced, and the embed works in a
frame on the atlas's own origin, is refused on another origin, and works there once FRAME_ANCESTORS
names it. Data and assets are never framed.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_support import goto_drawn, open_page, serve, serve_html, wait_drawn

# Collects every CSP violation the page reports, from the first script on.
VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(" "));
}, true);
"""


def article(src: str) -> str:
    """An article that embeds the map, as the README shows."""
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>An article</title></head><body>"
        "<h1>An article with a map</h1>"
        f'<iframe id="atlas" src="{src}" title="Central China Atlas" width="900" height="600" '
        'style="border:0"></iframe></body></html>'
    )


def atlas_frame(page):
    return page.wait_for_selector("iframe#atlas").content_frame()


def test_page_works_under_its_csp(browser, live_server):
    context, page, watch = open_page(browser, live_server)
    try:
        page.add_init_script(VIOLATIONS)
        response = page.goto(live_server.url + "/#base=outlines")
        policy = response.headers["content-security-policy"]
        assert "unsafe" not in policy and "script-src 'self' 'sha256-" in policy
        wait_drawn(page)
        # Use the page: a layer off and on, search, a popup, the other base, the key, the panel.
        first = live_server.index["layers"][0]["id"]
        page.locator(f'.atlas-layer[data-layer="{first}"] input').uncheck()
        page.locator(f'.atlas-layer[data-layer="{first}"] input').check()
        wait_drawn(page)
        page.fill("#atlas-search", "a")
        expect(page.locator(".atlas-result").first).to_be_visible()
        page.press("#atlas-search", "Enter")
        expect(page.locator(".leaflet-popup .atlas-popup")).to_be_visible()
        page.keyboard.press("Escape")
        page.locator("#atlas-base-osm").check()
        page.locator("#atlas-base-outlines").check()
        page.locator(".atlas-key summary").click()
        page.locator(".atlas-toggle").click()
        page.locator(".atlas-toggle").click()
        page.wait_for_timeout(300)  # let late reports arrive
        assert page.evaluate("window.__csp") == []
    finally:
        context.close()
    assert watch.errors == []  # a CSP violation is also a console error


def test_the_policy_is_enforced(browser, live_server):
    """Not decorative: inline script, inline handlers, javascript: URLs, string timers, outside images."""
    context, page, watch = open_page(browser, live_server)
    try:
        page.add_init_script(VIOLATIONS)
        goto_drawn(page, live_server.url + "/#base=outlines")
        page.evaluate("""() => {
            const s = document.createElement("script");
            s.textContent = "window.__ran = (window.__ran || 0) + 1";
            document.body.appendChild(s);
            setTimeout("window.__ran = (window.__ran || 0) + 1", 0);
            const a = document.createElement("a");
            a.href = "javascript:window.__ran = (window.__ran || 0) + 1";
            document.body.appendChild(a);
            a.click();
            const box = document.createElement("div");
            box.innerHTML = '<img src="/no-such.png" onerror="window.__ran = (window.__ran || 0) + 1">';
            document.body.appendChild(box);
            const img = document.createElement("img");
            img.src = "https://example.org/pixel.png";
            document.body.appendChild(img);
        }""")
        page.wait_for_function("() => window.__csp.length >= 5")
        assert page.evaluate("window.__ran") is None
        reported = " ".join(page.evaluate("window.__csp"))
        for directive in ("script-src", "script-src-elem", "script-src-attr", "img-src"):
            assert directive in reported, reported
    finally:
        context.close()


def test_the_embed_works_on_the_same_origin(browser, live_server):
    context, page, watch = open_page(browser, live_server)
    try:
        # The article is on the atlas's own origin: answered in the browser, as if the app served it.
        url = live_server.url + "/article.html"
        page.route(url, lambda route: route.fulfill(status=200, content_type="text/html",
                                                    body=article("/#base=outlines")))
        page.goto(url)
        frame = atlas_frame(page)
        wait_drawn(frame)
        assert frame.locator("path.atlas-f").count() > 0
        # The embedded map is usable: search opens a popup inside the frame.
        frame.fill("#atlas-search", "a")
        frame.press("#atlas-search", "Enter")
        expect(frame.locator(".leaflet-popup .atlas-popup")).to_be_visible()
    finally:
        context.close()
    assert watch.errors == []


def test_the_embed_is_refused_on_another_origin(browser, live_server):
    context, page, watch = open_page(browser, live_server)
    try:
        with serve_html(article(live_server.url + "/#base=outlines")) as elsewhere:
            with page.expect_event("requestfailed") as failed:
                page.goto(elsewhere + "/article.html")
            assert (failed.value.url, failed.value.failure) == (live_server.url + "/", "net::ERR_BLOCKED_BY_RESPONSE")
            assert atlas_frame(page).url.startswith("chrome-error:")
    finally:
        context.close()
    assert any("frame-ancestors 'self'" in e for e in watch.errors), watch.errors


def test_the_embed_works_where_the_setting_allows_it(browser, fixture_data_dir):
    from app import create_app

    with serve(create_app({"TESTING": True, "DATA_DIR": str(fixture_data_dir),
                           "FRAME_ANCESTORS": "'self' http://127.0.0.1:*"})) as server:
        context, page, watch = open_page(browser, server)
        try:
            with serve_html(article(server.url + "/#base=outlines")) as elsewhere:
                page.goto(elsewhere + "/article.html")
                frame = atlas_frame(page)
                wait_drawn(frame)
                assert frame.locator("path.atlas-f").count() > 0
        finally:
            context.close()
        assert watch.errors == []


@pytest.mark.parametrize("path", ["/api/layers", "/api/layers/corridors", "/static/favicon.svg"])
def test_data_and_assets_are_never_framed(browser, live_server, path):
    context, page, watch = open_page(browser, live_server)
    try:
        url = live_server.url + "/article.html"
        page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=article(path)))
        with page.expect_event("requestfailed") as failed:
            page.goto(url)
        assert (failed.value.url, failed.value.failure) == (live_server.url + path, "net::ERR_BLOCKED_BY_RESPONSE")
        assert atlas_frame(page).url.startswith("chrome-error:")
    finally:
        context.close()
