"""Path traversal: a corpus of hostile paths against the download, static and vendor routes.

Every path is sent twice: through Flask's test client and, byte for byte as written here, over a
socket to waitress (the production server), which does its own percent-decoding. Nothing outside the
intended files may come back: a 200 must be one of the files those routes exist to serve, a redirect
must point at such a path, anything else must be a 4xx with a JSON error body; never a 5xx.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from pathlib import Path

import pytest

from app import ROOT, _vendor_dirs, create_app

VENDOR = _vendor_dirs()["leaflet"]
ABS_APP = str(ROOT / "app.py")

# Files outside the routes' directories that a traversal would reach for (path relative to ROOT).
SECRETS = ["app.py", "Makefile", "requirements.txt", "geo/store.py", "data/catalog/layers.yaml",
           "data/catalog/documents.yaml", "data/layers/index.json"]

CORPUS = [
    # --- static/ (the directory is ROOT/static, so app.py is one level up) -----------------------
    "/static/../app.py",
    "/static/./../app.py",
    "/static/..%2fapp.py",
    "/static/..%2Fapp.py",
    "/static/%2e%2e/app.py",
    "/static/%2e%2e%2fapp.py",
    "/static/%2E%2E%2Fapp.py",
    "/static/.%2e/app.py",
    "/static/..%252fapp.py",
    "/static/%252e%252e%252fapp.py",
    "/static/%25%32%65%25%32%65%25%32%66app.py",
    "/static/..%5capp.py",
    "/static/..\\app.py",
    "/static/%5c..%5capp.py",
    "/static/%00",
    "/static/atlas.js%00",
    "/static/atlas.js%00.png",
    "/static/..%00/app.py",
    "/static/%c0%ae%c0%ae/app.py",
    "/static/%c0%ae%c0%ae%c0%afapp.py",
    "/static/%e0%80%ae%e0%80%ae/app.py",
    "/static/..%c0%afapp.py",
    "/static/..%ef%bc%8fapp.py",
    "/static/%ef%bc%8e%ef%bc%8e/app.py",
    "/static/%u002e%u002e/app.py",
    "/static/....//app.py",
    "/static/..;/app.py",
    "/static/.../app.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/%2F%2Fetc%2Fpasswd",
    "/static/" + ABS_APP,
    "/static/%2f" + ABS_APP.lstrip("/").replace("/", "%2f"),
    "/static/../data/catalog/layers.yaml",
    "/static/..%2fdata%2fcatalog%2flayers.yaml",
    "/static/../../../../../../etc/passwd",
    "/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/../.git/config",
    "/static/file:///etc/passwd",
    "/static/C:%5cWindows%5cwin.ini",
    "/static/C:/Windows/win.ini",
    "/static/%5c%5cserver%5cshare%5capp.py",
    "/static/~/.bashrc",
    "/static/atlas.js/../../app.py",
    "/static/atlas.js%2f..%2f..%2fapp.py",
    # --- vendor/<package>/ (an XStatic package's data directory) -------------------------------
    "/vendor/leaflet/../../../../../../../../etc/passwd",
    "/vendor/leaflet/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/vendor/leaflet/%2fetc%2fpasswd",
    "/vendor/leaflet//etc/passwd",
    "/vendor/leaflet/%2F%2Fetc%2Fpasswd",
    "/vendor/leaflet/" + ABS_APP,
    "/vendor/leaflet/%2f" + ABS_APP.lstrip("/").replace("/", "%2f"),
    "/vendor/leaflet/../__init__.py",
    "/vendor/leaflet/..%2f__init__.py",
    "/vendor/leaflet/images/../../__init__.py",
    "/vendor/leaflet/images/..%5c..%5c__init__.py",
    "/vendor/leaflet/leaflet.js%00.png",
    "/vendor/leaflet/%252e%252e%252f__init__.py",
    "/vendor/leaflet/%c0%ae%c0%ae/__init__.py",
    "/vendor/../app.py",
    "/vendor/..%2f..%2fapp.py",
    "/vendor/%2e%2e/leaflet/leaflet.js",
    "/vendor/..%2fstatic/atlas.js",
    "/vendor/..%2f..%2f/app.py",
    "/vendor/leaflet%2f..%2f..%2f..%2fapp.py/x",
    "/vendor/%00/leaflet.js",
    "/vendor/.%2e/static/atlas.js",
    # --- download/<layer id>.geojson (looked up by id, never a path) ----------------------------
    "/download/../app.py",
    "/download/..%2fapp.py",
    "/download/..%2f..%2fapp.py.geojson",
    "/download/%2e%2e%2flocations.geojson",
    "/download/..%2flocations.geojson",
    "/download/../locations.geojson",
    "/download/layers%2fcorridors.geojson",
    "/download/layers/corridors.geojson",
    "/download/..%2fdata%2flayers%2fcorridors.geojson",
    "/download/..%2fdata%2fcatalog%2flayers.yaml",
    "/download/index.json",
    "/download/index.geojson",
    "/download/%2e%2e%2fapp.py%00.geojson",
    "/download/corridors.geojson%00",
    "/download/corridors%00.geojson",
    "/download/..%252fapp.py.geojson",
    "/download/%2fetc%2fpasswd.geojson",
    "/download//etc/passwd",
    "/download/" + ABS_APP,
    "/download/C:%5c..%5capp.py.geojson",
    "/download/corridors.geojson/..%2f..%2fapp.py",
    "/download/..\\..\\app.py.geojson",
    "/download/%c0%ae%c0%ae%c0%afapp.py.geojson",
    "/download/.geojson",
    "/download/..geojson",
    "/download/...geojson",
    "/download/%2e%2e.geojson",
    "/download/..%2f..%2f..%2fetc%2fpasswd%00.geojson",
    # --- the API's layer route and the root --------------------------------------------------------
    "/api/layers/..%2f..%2fapp.py",
    "/api/layers/%2e%2e",
    "/api/layers/..%2flayers%2findex.json",
    "//etc/passwd",
    "/..%2fapp.py",
    "/%2e%2e/%2e%2e/etc/passwd",
]


def intended_bodies(app) -> set[bytes]:
    """Every body these routes exist to serve: static files, vendor files, layers, locations."""
    bodies = {p.read_bytes() for p in (ROOT / "static").rglob("*") if p.is_file()}
    bodies |= {p.read_bytes() for p in VENDOR.rglob("*") if p.is_file()}
    store = app.extensions["atlas_store"]
    bodies |= {layer.blob.body for layer in store.layers.values()}
    bodies |= {store.locations.body, store.features.body}
    return bodies


def forbidden_markers() -> list[bytes]:
    markers = [b"root:x:0:0", b"[core]", b"def create_app", b"__version__"]
    for rel in SECRETS:
        text = (ROOT / rel).read_bytes()
        markers.append(text[:200])
    init = VENDOR.parent / "__init__.py"
    if init.is_file():
        markers.append(init.read_bytes()[:200])
    return [m for m in markers if m]


@pytest.fixture(scope="module")
def atlas(fixture_data_dir):
    return create_app({"TESTING": True, "DATA_DIR": str(fixture_data_dir)})


@pytest.fixture(scope="module")
def waitress_port(atlas):
    """The app under waitress on a free loopback port, for as long as the module runs."""
    from waitress.server import create_server

    server = create_server(atlas, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        server.close()
        thread.join(timeout=5)


def raw_get(port: int, path: str) -> tuple[int, dict, bytes]:
    """GET with the request target exactly as written (no client-side normalising or quoting)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET " + path.encode("latin-1") + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def check_answer(path: str, status: int, headers: dict, body: bytes, intended: set[bytes],
                 markers: list[bytes]) -> str:
    """'served' for an intended file, 'redirect' or 'refused'; an AssertionError otherwise."""
    assert status < 500, f"{path}: {status}"
    for marker in markers:
        assert marker not in body, f"{path}: answered with a file it must not serve"
    if status == 200:
        assert body in intended, f"{path}: 200 with a body that is not an intended file"
        return "served"
    if 300 <= status < 400:
        location = headers.get("location", "")
        assert location.split("//", 1)[-1].split("/", 1)[-1].startswith(("static/", "vendor/leaflet/")), (path, location)
        assert ".." not in location, (path, location)
        return "redirect"
    assert 400 <= status < 500, f"{path}: {status}"
    assert headers.get("content-type", "").startswith("application/json"), (path, status, body[:80])
    error = json.loads(body)
    assert error["status"] == status and error["message"], (path, error)
    return "refused"


def test_corpus_is_large_and_distinct():
    assert len(CORPUS) >= 50
    assert len(set(CORPUS)) == len(CORPUS)
    for prefix in ("/download/", "/static/", "/vendor/"):
        assert sum(p.startswith(prefix) for p in CORPUS) >= 15, prefix


@pytest.mark.parametrize("path", CORPUS)
def test_traversal_with_the_test_client(atlas, path):
    response = atlas.test_client().get(path)
    check_answer(path, response.status_code, {k.lower(): v for k, v in response.headers.items()},
                 response.get_data(), intended_bodies(atlas), forbidden_markers())


def test_traversal_over_waitress(atlas, waitress_port):
    intended, markers = intended_bodies(atlas), forbidden_markers()
    outcomes = {}
    for path in CORPUS:
        status, headers, body = raw_get(waitress_port, path)
        outcomes[path] = check_answer(path, status, headers, body, intended, markers)
    served = [p for p, outcome in outcomes.items() if outcome == "served"]
    # A file may come back only where the path, once resolved, stays inside its own directory.
    assert all(p.startswith(("/static/", "/vendor/leaflet/")) for p in served), served


def test_the_intended_files_are_still_served(atlas, waitress_port):
    """The corpus answers are refusals, not a broken route: the real files come back."""
    for path in ("/static/atlas.js", "/vendor/leaflet/leaflet.js", "/vendor/leaflet/images/layers.png",
                 "/download/corridors.geojson", "/download/locations.geojson"):
        status, _, body = raw_get(waitress_port, path)
        assert status == 200 and body, path


def test_download_names_come_from_the_layer_index(atlas):
    """A download is found by layer id in memory: no file is opened for a request."""
    import builtins

    opened = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    client = atlas.test_client()
    builtins.open = spy
    try:
        for path in ("/download/corridors.geojson", "/download/locations.geojson", "/download/..%2fapp.py.geojson",
                     "/download/index.geojson"):
            client.get(path)
    finally:
        builtins.open = real_open
    assert opened == []
