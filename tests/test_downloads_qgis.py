"""QGIS (Debian's python3-qgis, headless) opens every GeoPackage table valid, with every feature,
styled as on the map by the default style in layer_styles."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from geo.downloads import ALL, Downloads, writers
from geo.store import Store

QGIS_PYTHON = "/usr/bin/python3"
CHECK = Path(__file__).with_name("qgis_check.py")


def qgis_available() -> bool:
    try:
        return subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True,
                              timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False




def qgis_tables(path: Path) -> list[dict]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(path.parent))
    out = subprocess.run([QGIS_PYTHON, str(CHECK), str(path)], capture_output=True, text=True,
                         timeout=300, env=env)
    lines = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
    assert lines, out.stderr[-2000:]
    return lines


@pytest.mark.parametrize("which", ["all", "mixed layer"])
def test_qgis_opens_every_table_styled_as_on_the_map(dataset, tmp_path, which):
    # QGIS is a real client this test needs: a missing one is a failure, not a skip.
    assert qgis_available(), "python3-qgis is not installed (.ci/run installs it with apt)"
    store = Store.load(dataset)
    if which == "all":
        name, features = ALL, json.loads(store.locations.body)["features"]
    else:
        # The layer with the most geometry kinds (points and areas in one layer: two tables).
        name = max(store.layers, key=lambda lid: len({writers.styles.kind_of(t) for t in
                                                      store.layers[lid].meta["geometry_types"]}))
        features = store.layer(name).features
    path = tmp_path / f"{name}.gpkg"
    path.write_bytes(Downloads(store).blob(name, "gpkg").body)
    made = {table: feats for table, _, feats in writers.gpkg_tables(name, features, name == ALL)}
    expected = {table: len(feats) for table, feats in made.items()}
    tables = qgis_tables(path)
    assert {t["table"]: t["count"] for t in tables} == expected
    from geo import symbols

    # The colours the map page draws (geo.mapview assigns them the same way).
    assigned = symbols.assign(store.themes, [layer.meta for layer in store.layers.values()])
    colours = {layer.meta["title"]: assigned[lid]["colour"].lower() for lid, layer in store.layers.items()}
    edges = {layer.meta["title"]: assigned[lid]["outline"].lower() for lid, layer in store.layers.items()}
    for table in tables:
        assert table["valid"] and table["renderer"] == "RuleRenderer", table
        in_table = {f["properties"]["layer"] for f in made[table["table"]]}
        labels = {r["label"] for r in table["rules"]}
        assert labels == {store.layers[lid].meta["title"] for lid in in_table}
        shown = {layer.meta["title"]: layer.meta.get("visible") is not False for layer in store.layers.values()}
        for rule in table["rules"]:
            assert rule["active"] == shown[rule["label"]], rule  # ticked in the legend as on the map
            # Points and areas are filled with the layer colour; lines drawn in its outline colour.
            want = edges if table["table"].endswith("lines") or table["kind"] == "line" else colours
            assert rule["colour"] == want[rule["label"]], rule
        # The layer rules share out every feature of the table.
        assert sum(r["count"] for r in table["rules"] if r["else"]) == table["count"]
