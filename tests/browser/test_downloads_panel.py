"""The layer panel offers each layer's file in every format, and the browser saves each as named."""

from __future__ import annotations

import pyogrio

from browser_support import goto_drawn

EXTS = ["geojson", "gpkg", "csv", "kml", "fgb"]


def test_every_layer_row_links_every_format(page, live_server):
    goto_drawn(page, live_server.url + "/#base=outlines")
    for layer in live_server.index["layers"]:
        row = page.locator(f'.atlas-layer[data-layer="{layer["id"]}"]')
        links = row.locator(".atlas-downloads a")
        assert [links.nth(i).get_attribute("data-format") for i in range(links.count())] == EXTS
        for i, ext in enumerate(EXTS):
            assert links.nth(i).get_attribute("href").endswith(f"/download/{layer['id']}.{ext}")
            assert links.nth(i).get_attribute("aria-label").startswith(f"Download {layer['title']} as ")
    every = page.locator(".atlas-all .atlas-downloads a")
    assert [every.nth(i).get_attribute("href").rsplit("/", 1)[1] for i in range(every.count())] == [
        f"locations.{ext}" for ext in EXTS[1:]]


def test_a_clicked_download_is_the_file(page, live_server, tmp_path):
    goto_drawn(page, live_server.url + "/#base=outlines")
    layer = live_server.index["layers"][0]
    for ext in ("gpkg", "fgb"):
        with page.expect_download() as info:
            page.locator(f'.atlas-layer[data-layer="{layer["id"]}"] a[data-format="{ext}"]').click()
        download = info.value
        assert download.suggested_filename == f"central-china-atlas-{layer['id']}.{ext}"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        tables = [name for name, _ in pyogrio.list_layers(path) if name != "layer_styles"]
        # (a layer that mixes points and areas has a GeoPackage table for each)
        assert sum(len(pyogrio.read_dataframe(path, layer=t)) for t in tables) == layer["count"]
