"""The OGC API's HTML tables in Chromium: sorting by column works under the page's CSP (our own
static script, nothing inline), and a place's map link opens the map on it."""

from __future__ import annotations

from browser_support import open_page


def column(page, index: int) -> list[str]:
    return page.eval_on_selector_all(f"table.sortable tbody tr td:nth-child({index})",
                                     "cells => cells.map(c => c.textContent.trim())")


def test_items_table_sorts_under_the_csp(browser, fixture_server):
    context, page, watch = open_page(browser, fixture_server)
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(f"{fixture_server.url}/collections/locations/items?f=html")
        page.wait_for_selector("th[data-sort][role=button]")  # ogc.js ran
        headings = page.eval_on_selector_all("table.sortable thead th", "ths => ths.map(t => t.textContent.trim())")
        precision = headings.index("Precision") + 1
        name = headings.index("Name") + 1
        page.click(f"table.sortable thead th:nth-child({precision})")
        values = [int(v) for v in column(page, precision)]
        assert values == sorted(values) and len(values) == 11
        assert page.get_attribute(f"table.sortable thead th:nth-child({precision})", "aria-sort") == "ascending"
        page.click(f"table.sortable thead th:nth-child({precision})")
        assert [int(v) for v in column(page, precision)] == sorted(values, reverse=True)
        page.focus(f"table.sortable thead th:nth-child({name})")
        page.keyboard.press("Enter")
        names = column(page, name)
        assert names == sorted(names, key=str.lower)
        # Back to the map, on the place.
        row = page.locator("table.sortable tbody tr", has_text="Hefei")
        row.locator("a", has_text="map").click()
        page.wait_for_url("**/#layers=central-cities&place=city-hefei")
        page.wait_for_selector(".leaflet-popup-content", timeout=15_000)
        assert "Hefei" in page.inner_text(".leaflet-popup-content")
    finally:
        context.close()
    assert violations == [] and watch.errors == [], (violations, watch.errors)
