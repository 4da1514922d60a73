"""The OGC API read by the real clients analysts use: GDAL's OAPIF driver (ogrinfo), OWSLib and
QGIS's OAPIF provider (Debian's python3-qgis, headless under /usr/bin/python3).

The app runs under waitress on a free loopback port, on the built data (every layer and the
``locations`` collection); each client must list every collection and read every feature.
.ci/run installs gdal-bin and python3-qgis; a missing client is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from app import create_app  # noqa: E402

DATA = Path(os.environ.get("ATLAS_BUILT_DATA") or REPO / "data")
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def atlas():
    return create_app({"TESTING": True, "DATA_DIR": str(DATA)})


@pytest.fixture(scope="module")
def expected(atlas) -> dict[str, int]:
    """Feature count of every collection, from the data the app loaded."""
    store = atlas.extensions["atlas_store"]
    counts = {layer_id: layer.count for layer_id, layer in store.layers.items()}
    counts["locations"] = len(json.loads(store.locations.body)["features"])
    return counts


@pytest.fixture(scope="module")
def url(atlas):
    """The atlas under waitress on a free loopback port, for as long as the module runs."""
    from waitress.server import create_server

    server = create_server(atlas, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/"
    finally:
        server.close()
        thread.join(timeout=5)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)


# --- GDAL ----------------------------------------------------------------------------------------

def test_ogrinfo_lists_every_collection(url, expected):
    assert shutil.which("ogrinfo"), "ogrinfo missing: .ci/run installs gdal-bin"
    result = run(["ogrinfo", "-ro", "-so", f"OAPIF:{url}"])
    assert result.returncode == 0, result.stderr
    listed = re.findall(r"^\d+: (\S+) \(title: ", result.stdout, re.M)
    assert sorted(listed) == sorted(expected)


def test_ogrinfo_counts_every_feature_of_every_collection(url, expected):
    # -al reads every feature of every layer: GDAL walks our next links to the end.
    result = run(["ogrinfo", "-ro", "-al", "-oo", "PAGE_SIZE=7", f"OAPIF:{url}"])
    assert result.returncode == 0, result.stderr
    assert "ERROR" not in result.stderr, result.stderr
    seen: dict[str, list[str]] = {}
    layer = None
    for line in result.stdout.splitlines():
        m = re.match(r"Layer name: (\S+)", line)
        if m:
            layer = m.group(1)
            seen[layer] = []
        m = re.match(r"\s+id \(String\) = (.+)", line)
        if m and layer:
            seen[layer].append(m.group(1))
    assert {k: len(v) for k, v in seen.items()} == expected
    for layer, ids in seen.items():  # each feature once
        assert len(set(ids)) == len(ids), layer


def test_ogrinfo_summary_count_and_filter(url, expected):
    result = run(["ogrinfo", "-ro", "-so", f"OAPIF:{url}", "strategy-regions"])
    assert f"Feature Count: {expected['strategy-regions']}" in result.stdout, result.stdout + result.stderr
    # An attribute filter GDAL hands to the server as a property parameter or CQL2 text.
    result = run(["ogrinfo", "-ro", "-al", "-q", "-where", "precision = 3", f"OAPIF:{url}", "locations"])
    assert result.returncode == 0, result.stderr
    with (DATA / "locations.geojson").open(encoding="utf-8") as fh:
        want = sum(1 for f in json.load(fh)["features"] if f["properties"]["precision"] == 3)
    assert len(re.findall(r"^OGRFeature\(locations\):", result.stdout, re.M)) == want


# --- OWSLib --------------------------------------------------------------------------------------

def test_owslib_reads_every_collection(url, expected):
    from owslib.ogcapi.features import Features

    api = Features(url)
    assert {c["id"] for c in api.collections()["collections"]} == set(expected)
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in api.conformance()["conformsTo"]
    for collection_id, count in expected.items():
        got, offset = [], 0
        while True:  # page as a script would, with limit and offset from the next links
            page = api.collection_items(collection_id, limit=10, offset=offset)
            got += [f["id"] for f in page["features"]]
            assert page["numberMatched"] == count
            nxt = [l for l in page["links"] if l["rel"] == "next"]
            if not nxt:
                break
            offset = int(re.search(r"[?&]offset=(\d+)", nxt[0]["href"]).group(1))
        assert len(got) == count and len(set(got)) == count, collection_id
        one = api.collection_item(collection_id, got[0])
        assert one["id"] == got[0]
        queryables = api.collection_queryables(collection_id)
        assert {"province", "theme", "precision", "document", "geometry"} <= set(queryables["properties"])


def test_owslib_filters(url):
    from owslib.ogcapi.features import Features

    api = Features(url)
    hubei = api.collection_items("locations", province="Hubei", limit=1000)
    assert hubei["numberMatched"] == len(hubei["features"]) > 0
    assert all("Hubei" in f["properties"]["provinces"] for f in hubei["features"])
    cql = api.collection_items("locations", filter="province = 'Hubei'", limit=1000)
    assert [f["id"] for f in cql["features"]] == [f["id"] for f in hubei["features"]]


# --- QGIS ----------------------------------------------------------------------------------------

QGIS_SCRIPT = textwrap.dedent("""
    import json, os, sys
    from qgis.core import QgsApplication, QgsVectorLayer
    url, names = sys.argv[1], json.loads(sys.argv[2])
    app = QgsApplication([], False)
    app.initQgis()
    out = {}
    for name in names:
        layer = QgsVectorLayer(f"url='{url}' typename='{name}'", name, "OAPIF")
        # A failed layer's dataProvider().error() can crash QGIS 3.22: isValid() says enough.
        if not layer.isValid():
            out[name] = None
            continue
        ids = [f["id"] for f in layer.getFeatures()]
        out[name] = {"count": layer.featureCount(), "read": len(ids), "distinct": len(set(ids)),
                     "fields": [f.name() for f in layer.fields()]}
    print("RESULT " + json.dumps(out), flush=True)
    # exitQgis() can crash 3.22 on the way out (SIGSEGV after the work is done): leave at once.
    os._exit(0)
""")


def qgis(url: str, names: list[str], runtime: Path) -> dict:
    assert Path(SYSTEM_PYTHON).exists(), "/usr/bin/python3 missing"
    runtime.mkdir(mode=0o700, exist_ok=True)  # Qt wants a private runtime directory
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime), HOME=str(runtime))
    result = run([SYSTEM_PYTHON, "-c", QGIS_SCRIPT, url, json.dumps(names)], env=env)
    assert "No module named 'qgis'" not in result.stderr, ".ci/run installs python3-qgis"
    lines = [l for l in result.stdout.splitlines() if l.startswith("RESULT ")]
    assert result.returncode == 0 and lines, result.stderr[-2000:]
    return json.loads(lines[-1][len("RESULT "):])


def test_qgis_loads_every_layer_with_its_count(url, expected, tmp_path):
    got = qgis(url, sorted(expected), tmp_path / "runtime")
    for name, count in expected.items():
        assert got[name] is not None, f"QGIS could not load {name}"
        assert got[name]["count"] == got[name]["read"] == got[name]["distinct"] == count, (name, got[name])
        assert {"name", "name_zh", "provinces", "precision"} <= set(got[name]["fields"])
