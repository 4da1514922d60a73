#!/usr/bin/env python3
"""Benchmark the atlas app on loopback and print a markdown table.

    python scripts/bench_app.py [--data DIR] [--requests N] [--seconds S] [--clients C] [--runs R]

Measures, in one run:

1. the size of the map page (bytes, and gzipped);
2. all display layers together, gzipped as served (and the offline base layer);
3. requests per second of ``/api/layers/<id>`` (the largest layer) under waitress, the production
   server (``python app.py``), against a static file of exactly the same bytes served by waitress
   in a second process, with the same client, in the same run;
4. time until every layer is drawn in headless Chromium (``performance.mark('atlas-layers-drawn')``)
   and until the page is usable, against two baselines in the same run: the *floor*, a bare page
   on the same origin that fetches and parses the same data (``/api/features``) and nothing else,
   and a plain folium page that inlines the same layers; cold loads, the pages alternated run by
   run, reported as medians and as the median of the paired ratios. Each page tells its times on
   the console (WATCH): the harness runs nothing in a page until they are in;
5. at scale (``--scale``), with a synthetic point layer added to a copy of the data
   (``scripts/synthetic_data.py``): 10,000 points drawn (time to the mark) and the longest frame
   while panning; 100,000 points: the longest main-thread task from navigation through drawing,
   a pan and a zoom; and the server's start (until ``/api/layers`` answers) and peak memory.

Everything stays on 127.0.0.1: servers are child processes on free ports, Chromium resolves no
host but 127.0.0.1, and map tiles are answered with a blank PNG by a local HTTPS server that
Chromium reaches for tile.openstreetmap.org (a throwaway self-signed certificate, made with
``openssl``). No request passes through the test driver: Playwright's routing pauses *every*
request of a page once any route is set (a round trip through the driver each), which delayed the
atlas's five parallel requests more than the floor's one, by 6 ms a load. So the floor and bare
Leaflet pages are served by the app's own server too (``--serve-atlas``: ``app.py``'s ``main``
with ``/__bench/<name>`` answered from the bench's directory). Request counts and durations are
bounded (``--requests``, ``--seconds``, ``--runs``).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

CHROMIUM = os.environ.get("ATLAS_CHROMIUM", "/usr/bin/chromium")
HOST_RULES = "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 # Nothing but loopback resolves: blocked without routing every request through Python,
                 # which would add latency to each of the atlas's requests and skew the comparison.
                 "--host-resolver-rules=" + HOST_RULES]
TILE_HOST = "tile.openstreetmap.org"
BENCH_PREFIX = "/__bench/"
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")
PAGE_LIMIT = 50_000
LAYERS_GZ_LIMIT = 400_000


# --- servers ---------------------------------------------------------------------------------------

from bench_start import free_port  # noqa: E402


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


def start(args: list[str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for_port(port, proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve_static(directory: str, port: int, threads: int) -> None:
    """Child-process mode: waitress serving a directory of files (the static-file baseline)."""
    from waitress import serve
    from werkzeug.middleware.shared_data import SharedDataMiddleware
    from werkzeug.wrappers import Response

    app = SharedDataMiddleware(Response("not found", status=404), {"/": directory}, cache=True)
    serve(app, host="127.0.0.1", port=port, threads=threads, _quiet=True)


def serve_atlas(pages: str, argv: list[str]) -> int:
    """Child-process mode: the app exactly as ``python app.py`` serves it, and the bench's own pages
    (the floor, the bare Leaflet page) at ``/__bench/<name>`` from the directory ``pages``, on the
    same origin and server, so none of them is answered through the test driver."""
    import app as atlas_app

    made = atlas_app.create_app
    directory = Path(pages)

    def create_app(config=None):
        app = made(config)
        inner = app.wsgi_app

        def wsgi(environ, start_response):
            path = environ.get("PATH_INFO", "")
            name = path[len(BENCH_PREFIX):]
            if path.startswith(BENCH_PREFIX) and re.fullmatch(r"[a-z-]+", name) and (directory / f"{name}.html").is_file():
                body = (directory / f"{name}.html").read_bytes()
                start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                          ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
                return [body]
            return inner(environ, start_response)

        app.wsgi_app = wsgi
        return app

    atlas_app.create_app = create_app
    return atlas_app.main(argv)


def serve_tiles(directory: str, port: int) -> None:
    """Child-process mode: a blank PNG for every GET, over HTTPS with the certificate and key in
    ``directory`` (cert.pem, key.pem): the tile server, which Chromium reaches for TILE_HOST."""
    import ssl
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Tile(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(BLANK_PNG)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(BLANK_PNG)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Tile)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(Path(directory) / "cert.pem", Path(directory) / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


@contextmanager
def tile_server():
    """A local HTTPS tile server (see serve_tiles) with a throwaway certificate; yields the
    Chromium arguments that send TILE_HOST to it (every other host but 127.0.0.1 still fails)."""
    if not shutil.which("openssl"):
        raise SystemExit("bench: openssl is needed to make the local tile server's certificate")
    tmp = Path(tempfile.mkdtemp(prefix="atlas-tiles-"))
    proc = None
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", f"/CN={TILE_HOST}", "-addext", f"subjectAltName=DNS:{TILE_HOST}",
                        "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        proc = start([__file__, "--serve-tiles", str(tmp), "--port", str(port)], port)
        rules = f"--host-resolver-rules=MAP {TILE_HOST} 127.0.0.1:{port} , {HOST_RULES}"
        yield [a for a in CHROMIUM_ARGS if not a.startswith("--host-resolver-rules=")] + [rules]
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


# --- load client -----------------------------------------------------------------------------------

def hammer(port: int, path: str, *, clients: int, total: int, seconds: float, expect_len: int,
           headers: dict | None = None) -> dict:
    """``clients`` keep-alive connections issue GETs until ``total`` requests or ``seconds`` pass."""
    lock = threading.Lock()
    done = [0]
    errors = [0]
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.monotonic() < deadline:
            with lock:
                if done[0] >= total:
                    break
                done[0] += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                body = response.read()
                if response.status != 200 or len(body) != expect_len:
                    with lock:
                        errors[0] += 1
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)

    # Warm up (connections, caches), then measure.
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for _ in range(20):
        warm.request("GET", path, headers=headers or {})
        warm.getresponse().read()
    warm.close()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors[0],
        "seconds": elapsed,
        "rps": n / elapsed if elapsed else 0.0,
        "p50_ms": latencies[n // 2] * 1000 if n else 0.0,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0,
    }


# --- the plain folium page -------------------------------------------------------------------------

def plain_folium_page(store, leaflet_js: str, leaflet_css: str, jquery_js: str, layer_ids=None) -> str:
    """folium's usual way: the layers (``layer_ids``, default all) inlined with folium.GeoJson,
    styled by colour, no fetching."""
    import folium
    from branca.element import Element

    m = folium.Map(location=[31.5, 113.5], zoom_start=5, tiles="OpenStreetMap")
    m.default_js = [("leaflet", leaflet_js), ("jquery", jquery_js)]
    m.default_css = [("leaflet_css", leaflet_css)]
    for layer in store.layers.values():
        if layer_ids is not None and layer.id not in layer_ids:
            continue
        colour = layer.meta.get("colour") or "#64748b"
        folium.GeoJson(
            json.loads(layer.blob.body),
            name=layer.meta.get("title"),
            style_function=lambda f, c=colour: {"color": c, "weight": 2, "fillColor": c, "fillOpacity": 0.2},
            marker=folium.CircleMarker(radius=6, fill=True),
        ).add_to(m)
    m.get_root().script.add_child(Element(
        "requestAnimationFrame(function () { window.__drawnAt = performance.now(); });"))
    return m.get_root().render()


FLOOR_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>floor</title><script>
Promise.all(%s.map(function (u) {
  return fetch(u, {headers: {Accept: "application/geo+json"}, credentials: "same-origin"})
    .then(function (r) { return r.json(); });
})).then(function (all) { window.__n = all.reduce(function (n, d) { return n + d.features.length; }, 0);
    requestAnimationFrame(function () { window.__drawnAt = performance.now(); }); });
</script></head><body></body></html>"""
# What any Leaflet page costs: the floor's fetches, plus the Leaflet script and stylesheet the
# atlas page loads (the same URLs) and a map made as the plain page makes it; it draws nothing.
LEAFLET_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>bare Leaflet</title><script>
window.__data = Promise.all(%s.map(function (u) {
  return fetch(u, {headers: {Accept: "application/geo+json"}, credentials: "same-origin"})
    .then(function (r) { return r.json(); });
}));
</script><link rel="stylesheet" href="%s"><script src="%s"></script>
<style>html, body, #map { width: 100%%; height: 100%%; margin: 0; }</style></head>
<body><div id="map"></div><script>
var map = L.map("map", {center: [31.5, 113.5], zoom: 5});
window.__data.then(function () { requestAnimationFrame(function () { window.__drawnAt = performance.now(); }); });
</script></body></html>"""
ATLAS_DRAWN = ("(performance.getEntriesByName('atlas-layers-drawn')[0] || {}).startTime")


@contextmanager
def cold_page(browser):
    """A page in a fresh browser context (a cold load). Its map tiles come from the local tile
    server (see tile_server), whose certificate is self-signed; nothing is routed."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, ignore_https_errors=True)
    try:
        yield context.new_page()
    finally:
        context.close()


# Each page tells the harness its times on the console, from a script run before its own. Waiting
# with page.wait_for_function instead would evaluate Playwright's injected script (about 35 ms of
# main-thread work on this machine) in the page once its load event fired: inside the timed window
# of any page still drawing then. That was the floor, whose load event comes first, and sometimes
# the plain page: it made the floor look about 30 ms slower than it is.
WATCH = """(function () {
  function tell(name, at) { console.debug("atlas-bench " + name + " " + at); }
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) {
      if (e.name === "atlas-layers-drawn" || e.name === "atlas-layers-ready") tell(e.name, e.startTime);
    });
  }).observe({ type: "mark" });
  // The floor and the plain page set window.__drawnAt in the frame after they have drawn.
  var drawnAt;
  Object.defineProperty(window, "__drawnAt", { configurable: true,
    get: function () { return drawnAt; }, set: function (t) { drawnAt = t; tell("drawn", t); } });
  // An atlas without the ready mark (before the painted first picture) is ready when built.
  document.addEventListener("atlas:drawn", function (e) { tell("built", e.detail.at); });
})();"""


def hear(told: dict, message) -> None:
    """A time the page told (see WATCH), kept in ``told``; the first of each name counts."""
    parts = message.text.split(" ")
    if len(parts) == 3 and parts[0] == "atlas-bench":
        told.setdefault(parts[1], float(parts[2]))


def watch(page) -> dict[str, float]:
    """The times the page tells (see WATCH), filled in as it tells them."""
    told: dict[str, float] = {}
    page.add_init_script(WATCH)
    page.on("console", lambda message: hear(told, message))
    return told


def wait_told(page, told: dict, *alternatives: tuple[str, ...], timeout_s: float = 60.0) -> None:
    """Until the page has told every name of one of ``alternatives``. The driver waits for the
    console events itself: no script runs in the page, and no polling competes for the CPU."""
    def enough(message=None) -> bool:
        if message is not None:
            hear(told, message)
        return any(all(name in told for name in names) for names in alternatives)

    if not enough():
        page.wait_for_event("console", predicate=enough, timeout=timeout_s * 1000)


def load_once(browser, url: str, expression: str) -> tuple[float, float, int, float]:
    """One cold page load (fresh context): ms from navigation start until every layer is drawn
    (the atlas's drawn mark, or ``window.__drawnAt`` of a baseline page), ms until DOMContentLoaded
    ended (the page is usable), paths drawn, and ms until the layers are interactive (the atlas's
    ready mark, else the drawn time)."""
    with cold_page(browser) as page:
        told = watch(page)
        page.goto(url, wait_until="commit")
        if expression == ATLAS_DRAWN:
            wait_told(page, told, ("atlas-layers-drawn", "atlas-layers-ready"), ("atlas-layers-drawn", "built"))
            drawn = told["atlas-layers-drawn"]
            interactive = told.get("atlas-layers-ready", told.get("built", drawn))
        else:
            wait_told(page, told, ("drawn",))
            drawn = interactive = told["drawn"]
        # Read once the times are in: nothing the harness runs in the page falls inside them.
        page.wait_for_load_state("load")
        paths = page.evaluate("document.querySelectorAll('.leaflet-pane path').length")
        return (drawn, page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"),
                paths, interactive)


def page_assets(page: bytes, name: str) -> str:
    """The stamped URL the map page loads Leaflet's ``name`` (leaflet.js, leaflet.css) from."""
    found = re.search(rb"/vendor/leaflet/" + re.escape(name.encode()) + rb"\?v=[0-9a-f]+", page)
    if not found:
        raise SystemExit(f"bench: the map page does not load {name} from /vendor/leaflet/")
    return found.group().decode()


def get_body(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept": "application/geo+json"})
        return connection.getresponse().read()
    finally:
        connection.close()


def data_requests(browser, url: str) -> list[str]:
    """The API requests the atlas at ``url`` makes until every layer it shows is drawn: what its
    floor fetches, so both get the same data (the generalised outlines the map asks for)."""
    with cold_page(browser) as page:
        page.goto(url)
        page.wait_for_function(f"() => ({ATLAS_DRAWN}) !== undefined", timeout=60_000)
        return page.evaluate("""() => {
          const drawn = performance.getEntriesByName('atlas-layers-drawn')[0].startTime;
          return performance.getEntriesByType('resource').filter(e => e.startTime < drawn)
            .map(e => e.name.replace(location.origin, '')).filter(n => n.startsWith('/api/'));
        }""")


def time_pages(browser, pages: dict[str, tuple[str, str]], runs: int) -> dict[str, dict]:
    """Alternate the pages run by run, so a change in machine load hits each alike."""
    out = {name: {"drawn": [], "ready": [], "paths": 0, "interactive": []} for name in pages}
    for name, (url, expression) in pages.items():  # one warm-up load each (server, disk caches)
        load_once(browser, url, expression)
    for _ in range(runs):
        for name, (url, expression) in pages.items():
            drawn, ready, paths, interactive = load_once(browser, url, expression)
            out[name]["drawn"].append(drawn)
            out[name]["interactive"].append(interactive)
            out[name]["ready"].append(ready)
            out[name]["paths"] = paths
    return out


# --- main ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT / "data"), help="data directory (default data/)")
    parser.add_argument("--requests", type=int, default=3000, help="requests per throughput round (bound)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per throughput round (bound)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent keep-alive clients")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads in both servers")
    parser.add_argument("--runs", type=int, default=5, help="page loads per page in the browser")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds per target (median)")
    parser.add_argument("--scale-runs", type=int, default=3, help="page loads per synthetic size, after a warm-up (median)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--scale", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure synthetic 10k and 100k point layers (default on)")
    parser.add_argument("--serve-static", help=argparse.SUPPRESS)
    parser.add_argument("--serve-tiles", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    # Child-process mode, before parsing: what follows the directory is app.py's own arguments.
    if argv is None and len(sys.argv) > 2 and sys.argv[1] == "--serve-atlas":
        return serve_atlas(sys.argv[2], sys.argv[3:])
    args = parser.parse_args(argv)
    if args.serve_tiles:
        serve_tiles(args.serve_tiles, args.port)
        return 0
    if args.serve_static:
        serve_static(args.serve_static, args.port, args.threads)
        return 0

    from app import create_app
    from geo.store import DataError

    try:
        app = create_app({"DATA_DIR": args.data})
    except DataError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    store = app.extensions["atlas_store"]
    client = app.test_client()
    figures: dict = {"data": args.data, "features": sum(l.count for l in store.layers.values()),
                     "layers": len(store.layers)}

    # 1-2. sizes
    page = client.get("/").data
    figures["page_bytes"] = len(page)
    figures["page_gzip_bytes"] = len(gzip.compress(page, 9))
    figures["layers_bytes"] = sum(len(l.blob.body) for l in store.layers.values())
    figures["layers_gzip_bytes"] = sum(len(l.blob.gzipped) for l in store.layers.values())
    figures["base_gzip_bytes"] = len(store.provinces.gzipped)
    biggest = max(store.layers.values(), key=lambda l: len(l.blob.body))
    figures["bench_layer"] = biggest.id
    figures["bench_layer_bytes"] = len(biggest.blob.body)

    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    procs = []
    try:
        # The static twin: the same bytes as the API body, and the assets of the plain folium page.
        (tmp / "layer.geojson").write_bytes(biggest.blob.body)
        import xstatic.pkg.jquery as xjquery
        import xstatic.pkg.leaflet as xleaflet

        shutil.copy(Path(xleaflet.BASE_DIR) / "leaflet.js", tmp / "leaflet.js")
        shutil.copy(Path(xleaflet.BASE_DIR) / "leaflet.css", tmp / "leaflet.css")
        shutil.copy(Path(xjquery.BASE_DIR) / "jquery.min.js", tmp / "jquery.min.js")
        plain = plain_folium_page(store, "/leaflet.js", "/leaflet.css", "/jquery.min.js")
        (tmp / "plain.html").write_text(plain, encoding="utf-8")
        figures["plain_page_bytes"] = len(plain.encode())
        # The layers the map shows when it opens (no address): the atlas fetches just those, the
        # floor fetches that same URL, and the plain page inlines the same layers.
        shown = [layer.id for layer in store.layers.values() if layer.meta.get("visible") is not False]
        plain_shown = plain_folium_page(store, "/leaflet.js", "/leaflet.css", "/jquery.min.js", set(shown))
        (tmp / "plain-shown.html").write_text(plain_shown, encoding="utf-8")
        figures["shown_layers"] = len(shown)
        figures["shown_features"] = sum(store.layers[i].count for i in shown)
        figures["shown_bytes"] = sum(len(store.layers[i].blob.body) for i in shown)

        app_port, static_port = free_port(), free_port()
        pages_dir = tmp / "pages"
        pages_dir.mkdir()
        procs.append(start([__file__, "--serve-atlas", str(pages_dir), "--port", str(app_port), "--data", args.data,
                            "--threads", str(args.threads)], app_port))
        procs.append(start([__file__, "--serve-static", str(tmp), "--port", str(static_port),
                            "--threads", str(args.threads)], static_port))

        # 3. throughput, alternating targets so drift hits both alike
        targets = {
            "api": (app_port, f"/api/layers/{biggest.id}", len(biggest.blob.body), None),
            "api_gzip": (app_port, f"/api/layers/{biggest.id}", len(biggest.blob.gzipped), {"Accept-Encoding": "gzip"}),
            "static": (static_port, "/layer.geojson", len(biggest.blob.body), None),
        }
        rounds: dict[str, list[dict]] = {k: [] for k in targets}
        for _ in range(args.rounds):
            for name, (port, path, length, headers) in targets.items():
                rounds[name].append(hammer(port, path, clients=args.clients, total=args.requests,
                                           seconds=args.seconds, expect_len=length, headers=headers))
        for name, results in rounds.items():
            best = sorted(results, key=lambda r: r["rps"])[len(results) // 2]
            figures[f"{name}_rps"] = best["rps"]
            figures[f"{name}_p50_ms"] = best["p50_ms"]
            figures[f"{name}_p99_ms"] = best["p99_ms"]
            figures[f"{name}_requests"] = sum(r["requests"] for r in results)
            figures[f"{name}_errors"] = sum(r["errors"] for r in results)

        # 4. time to draw
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p, tile_server() as chromium_args:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=chromium_args)
            try:
                # Every layer (the plain page inlines them all; some start hidden by default), on
                # the OpenStreetMap base; and the map as a first visit opens it (the layers shown
                # by default). Each floor fetches what that atlas page fetched.
                every_url = f"http://127.0.0.1:{app_port}/#layers={','.join(store.layers)}&base=osm"
                shown_page = f"http://127.0.0.1:{app_port}/#base=osm"
                floor_data = {"every": data_requests(browser, every_url), "shown": data_requests(browser, shown_page)}
                figures["every_requests"], figures["shown_requests"] = floor_data["every"], floor_data["shown"]
                leaflet_js, leaflet_css = page_assets(page, "leaflet.js"), page_assets(page, "leaflet.css")
                for name, urls in floor_data.items():
                    figures[f"{name}_fetched_bytes"] = sum(len(get_body(app_port, u)) for u in urls)
                    (pages_dir / f"floor-{name}.html").write_text(FLOOR_PAGE % json.dumps(urls), encoding="utf-8")
                    (pages_dir / f"leaflet-{name}.html").write_text(
                        LEAFLET_PAGE % (json.dumps(urls), leaflet_css, leaflet_js), encoding="utf-8")
                bench_page = f"http://127.0.0.1:{app_port}{BENCH_PREFIX}"
                floor_every, floor_shown = bench_page + "floor-every", bench_page + "floor-shown"
                leaflet_every, leaflet_shown = bench_page + "leaflet-every", bench_page + "leaflet-shown"
                timed = time_pages(browser, {
                    "atlas": (every_url, ATLAS_DRAWN),
                    "floor": (floor_every, "window.__drawnAt"),
                    "plain": (f"http://127.0.0.1:{static_port}/plain.html", "window.__drawnAt"),
                    "atlas_shown": (shown_page, ATLAS_DRAWN),
                    "floor_shown": (floor_shown, "window.__drawnAt"),
                    "leaflet": (leaflet_every, "window.__drawnAt"),
                    "leaflet_shown": (leaflet_shown, "window.__drawnAt"),
                    "plain_shown": (f"http://127.0.0.1:{static_port}/plain-shown.html", "window.__drawnAt"),
                }, args.runs)
            finally:
                browser.close()
        figures["floor_ratio"] = statistics.median(
            a / b for a, b in zip(timed["atlas"]["drawn"], timed["floor"]["drawn"]))
        for name in ("atlas_shown", "floor_shown", "plain_shown"):
            figures[f"{name}_drawn_ms"] = statistics.median(timed[name]["drawn"])
        figures["shown_floor_ratio"] = statistics.median(
            a / b for a, b in zip(timed["atlas_shown"]["drawn"], timed["floor_shown"]["drawn"]))
        figures["shown_sooner_than_plain"] = statistics.median(
            b / a for a, b in zip(timed["atlas_shown"]["drawn"], timed["plain_shown"]["drawn"]))
        figures["sooner_than_plain"] = statistics.median(
            b / a for a, b in zip(timed["atlas"]["drawn"], timed["plain"]["drawn"]))
        figures["floor_drawn_ms"] = statistics.median(timed["floor"]["drawn"])
        def paired(a: list[float], b: list[float]) -> float:
            """The median of the paired ratios a / b (the pages were alternated run by run)."""
            return statistics.median(x / y for x, y in zip(a, b))

        views = (("every", ""), ("shown", "_shown"))
        for key, suffix in views:
            atlas, floor = timed["atlas" + suffix], timed["floor" + suffix]
            leaflet, plain = timed["leaflet" + suffix], timed["plain" + suffix]
            # What Leaflet itself costs: the bare Leaflet page against the floor, the atlas against it.
            figures[f"{key}_leaflet_ms"] = statistics.median(leaflet["drawn"])
            figures[f"{key}_leaflet_floor_ratio"] = paired(leaflet["drawn"], floor["drawn"])
            figures[f"{key}_atlas_leaflet_ratio"] = paired(atlas["drawn"], leaflet["drawn"])
            # The same ratios for the time the layers take clicks and focus (built, not only painted).
            figures[f"{key}_interactive_ms"] = statistics.median(atlas["interactive"])
            figures[f"{key}_interactive_floor_ratio"] = paired(atlas["interactive"], floor["drawn"])
            figures[f"{key}_interactive_sooner_than_plain"] = paired(plain["drawn"], atlas["interactive"])
        for name in ("atlas", "plain"):
            figures[f"{name}_drawn_ms"] = statistics.median(timed[name]["drawn"])
            figures[f"{name}_ready_ms"] = statistics.median(timed[name]["ready"])
            figures[f"{name}_drawn_all_ms"] = timed[name]["drawn"]
            figures[f"{name}_ready_all_ms"] = timed[name]["ready"]
            figures[f"{name}_paths"] = timed[name]["paths"]
            figures[f"{name}_drawn_best_ms"] = min(timed[name]["drawn"])
        # Runs were alternated: compare each atlas load with the plain load right after it.
        figures["drawn_ratio"] = statistics.median(
            a / b for a, b in zip(timed["atlas"]["drawn"], timed["plain"]["drawn"]))
        figures["ready_ratio"] = statistics.median(
            a / b for a, b in zip(timed["atlas"]["ready"], timed["plain"]["ready"]))
    finally:
        for proc in procs:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)

    if args.scale:
        figures.update(measure_scale(args))
    print_table(figures, args)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


# --- at scale ---------------------------------------------------------------------------------------

LONG_TASKS = """window.__long = [];
try { new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.__long.push(e.duration); });
}).observe({ type: "longtask", buffered: true }); } catch (e) {}"""
FRAMES_START = """() => { window.__frames = []; window.__framing = true; let last = performance.now();
  const tick = (t) => { window.__frames.push(t - last); last = t; if (window.__framing) requestAnimationFrame(tick); };
  requestAnimationFrame(tick); }"""


def start_timed(data_dir: str, threads: int) -> tuple[subprocess.Popen, int, float]:
    """The app on a free port; seconds until /api/layers answers 200 (as scripts/bench_start.py times it)."""
    from bench_start import start as start_app

    return start_app(ROOT, Path(data_dir), ["--threads", str(threads)])


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, timeout: float = 180.0) -> float:
    """Seconds until the server's background work (downloads, the search index) is done: its CPU
    time grows by under 5% of a core over two half-second steps running; at most ``timeout``."""
    t0, quiet, last = time.monotonic(), 0, cpu_seconds(pid)
    while time.monotonic() - t0 < timeout and quiet < 2:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - last < 0.025 else 0
        last = now
    return time.monotonic() - t0


from bench_start import peak_rss_mb  # noqa: E402  (VmHWM, read as bench_start reads it)


def pan(page, steps: int = 30) -> None:
    page.mouse.move(640, 400)
    page.mouse.down()
    for i in range(steps):
        page.mouse.move(640 - 12 * i, 400 - 6 * i)
        page.wait_for_timeout(16)
    page.mouse.up()


def scale_load(browser, port: int) -> dict:
    """One cold load of the synthetic layer alone: ms until drawn, the longest frame while
    panning, the longest main-thread task from navigation through a pan and a zoom."""
    with cold_page(browser) as page:
        told = watch(page)
        page.add_init_script(LONG_TASKS)
        seq = []
        page.on("response", lambda r: seq.append("geo+json-seq" in (r.headers.get("content-type") or "")))
        page.goto(f"http://127.0.0.1:{port}/#layers={synthetic_layer()}&base=osm", wait_until="commit")
        wait_told(page, told, ("atlas-layers-drawn",), timeout_s=300.0)
        out = {"drawn": told["atlas-layers-drawn"]}
        page.wait_for_timeout(500)
        page.evaluate(FRAMES_START)
        pan(page)
        page.wait_for_timeout(300)
        frames = page.evaluate("() => { window.__framing = false; return window.__frames; }")
        # The first delta spans the call that started the count: not a frame.
        out["pan_max_frame"] = max(frames[1:] or [0])
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(800)
        out["longest_task"] = max(page.evaluate("window.__long") or [0])
        out["streamed"] = any(seq)
        return out


def synthetic_layer() -> str:
    import synthetic_data
    return synthetic_data.LAYER_ID


def measure_scale(args) -> dict:
    sys.path.insert(0, str(ROOT / "scripts"))
    import synthetic_data
    from playwright.sync_api import sync_playwright

    out: dict = {}
    tmp = Path(tempfile.mkdtemp(prefix="atlas-scale-"))
    try:
        with sync_playwright() as p, tile_server() as chromium_args:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=chromium_args)
            try:
                for n in (10_000, 100_000):
                    data = synthetic_data.make(tmp / f"data-{n}", n, Path(args.data))
                    proc, port, started = start_timed(str(data), args.threads)
                    try:
                        out[f"start_{n}_s"] = started
                        out[f"start_{n}_peak_mb"] = peak_rss_mb(proc.pid)
                        # The page is timed once the server's background work is done (its start is above).
                        out[f"idle_{n}_s"] = wait_idle(proc.pid)
                        loads = [scale_load(browser, port) for _ in range(args.scale_runs + 1)][1:]  # first: warm-up
                        for key in ("drawn", "pan_max_frame", "longest_task"):
                            out[f"{key}_{n}_ms"] = statistics.median(load[key] for load in loads)
                            out[f"{key}_{n}_all_ms"] = [round(load[key]) for load in loads]
                        out[f"streamed_{n}"] = all(load["streamed"] for load in loads)
                        out[f"settled_{n}_peak_mb"] = peak_rss_mb(proc.pid)
                    finally:
                        stop(proc)
            finally:
                browser.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def kb(n: int) -> str:
    return f"{n / 1000:.1f} KB"


def print_table(f: dict, args) -> None:
    ok = lambda cond: "yes" if cond else "**NO**"  # noqa: E731
    print(f"Data: {f['features']} features in {f['layers']} layers ({f['data']}). "
          f"Throughput: {args.clients} keep-alive clients, waitress with {args.threads} threads, "
          f"median of {args.rounds} rounds of at most {args.requests} requests / {args.seconds:g} s. "
          f"Drawing: median of {args.runs} cold page loads of each page, alternated, in headless Chromium {CHROMIUM}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs at the end.")
    print()
    print("| measure | value | target / comparison |")
    print("| --- | --- | --- |")
    print(f"| map page HTML | {kb(f['page_bytes'])} ({kb(f['page_gzip_bytes'])} gzipped) | ≤ 50 KB: {ok(f['page_bytes'] <= PAGE_LIMIT)} |")
    print(f"| all display layers, gzipped | {kb(f['layers_gzip_bytes'])} ({kb(f['layers_bytes'])} raw) | ≤ 400 KB: {ok(f['layers_gzip_bytes'] <= LAYERS_GZ_LIMIT)} |")
    print(f"| offline province base, gzipped | {kb(f['base_gzip_bytes'])} | loaded only when that base is shown |")
    layer = f"`/api/layers/{f['bench_layer']}` ({kb(f['bench_layer_bytes'])})"
    print(f"| {layer}, waitress, identity | {f['api_rps']:.0f} req/s (p50 {f['api_p50_ms']:.1f} ms, p99 {f['api_p99_ms']:.1f} ms) | "
          f"{f['api_rps'] / f['static_rps']:.2f}× the static file |")
    print(f"| same, `Accept-Encoding: gzip` | {f['api_gzip_rps']:.0f} req/s (p50 {f['api_gzip_p50_ms']:.1f} ms, p99 {f['api_gzip_p99_ms']:.1f} ms) | "
          f"{f['api_gzip_rps'] / f['static_rps']:.2f}× the static file |")
    print(f"| static file, same bytes, waitress | {f['static_rps']:.0f} req/s (p50 {f['static_p50_ms']:.1f} ms, p99 {f['static_p99_ms']:.1f} ms) | baseline |")
    errors = f["api_errors"] + f["api_gzip_errors"] + f["static_errors"]
    print(f"| requests made / failed | {f['api_requests'] + f['api_gzip_requests'] + f['static_requests']} / {errors} | 0 failed: {ok(errors == 0)} |")
    print(f"| every layer drawn, atlas (fetch) | median {f['atlas_drawn_ms']:.0f} ms, best {f['atlas_drawn_best_ms']:.0f} ms ({f['atlas_paths']} paths) | "
          f"{f['drawn_ratio']:.2f}× the plain page (median of paired runs) |")
    print(f"| every layer drawn, plain folium (inlined) | median {f['plain_drawn_ms']:.0f} ms, best {f['plain_drawn_best_ms']:.0f} ms ({f['plain_paths']} paths, page {kb(f['plain_page_bytes'])}) | baseline |")
    print(f"| page usable (DOMContentLoaded), atlas | median {f['atlas_ready_ms']:.0f} ms | "
          f"{f['ready_ratio']:.2f}× the plain page (median of paired runs) |")
    print(f"| page usable (DOMContentLoaded), plain folium | median {f['plain_ready_ms']:.0f} ms | baseline |")
    print(f"| floor: bare page on the same origin fetching and parsing what the atlas fetched (`{' '.join(f['every_requests'])[:60]}…`, {kb(f['every_fetched_bytes'])}) | median {f['floor_drawn_ms']:.0f} ms | baseline |")
    print(f"| **the map as it opens** ({f['shown_layers']} layers shown by default, {f['shown_features']} features, {kb(f['shown_bytes'])} in full, {kb(f['shown_fetched_bytes'])} as fetched): atlas drawn | median {f['atlas_shown_drawn_ms']:.0f} ms | floor (same URL) {f['floor_shown_drawn_ms']:.0f} ms, plain folium (same layers inlined) {f['plain_shown_drawn_ms']:.0f} ms |")
    print(f"| as it opens: atlas drawn ÷ floor (paired median) | {f['shown_floor_ratio']:.2f}× | ≤ 2×: {ok(f['shown_floor_ratio'] <= 2)} |")
    print(f"| as it opens: plain folium ÷ atlas drawn (paired median) | {f['shown_sooner_than_plain']:.2f}× sooner | ≥ 1.5×: {ok(f['shown_sooner_than_plain'] >= 1.5)} |")
    print(f"| every layer: atlas drawn ÷ floor (paired median) | {f['floor_ratio']:.2f}× | ≤ 2×: {ok(f['floor_ratio'] <= 2)} |")
    print(f"| every layer: plain folium ÷ atlas drawn (paired median) | {f['sooner_than_plain']:.2f}× sooner | ≥ 1.5×: {ok(f['sooner_than_plain'] >= 1.5)} |")
    for key, what in (("shown", "as it opens"), ("every", "every layer")):
        print(f"| {what}: bare Leaflet page (the floor's fetches, Leaflet's script and stylesheet as the atlas loads them, a map; draws nothing) | "
              f"median {f[key + '_leaflet_ms']:.0f} ms | {f[key + '_leaflet_floor_ratio']:.2f}× the floor; atlas ÷ it {f[key + '_atlas_leaflet_ratio']:.2f}× |")
    for key, what in (("shown", "as it opens"), ("every", "every layer")):
        print(f"| {what}: layers interactive (built into Leaflet layers: clicks, focus, popups) | median {f[key + '_interactive_ms']:.0f} ms | "
              f"{f[key + '_interactive_floor_ratio']:.2f}× the floor; plain folium ÷ atlas {f[key + '_interactive_sooner_than_plain']:.2f}× |")
    if "drawn_10000_ms" in f:
        print(f"| 10,000 synthetic points drawn (median of {args.scale_runs} loads; {'streamed' if f.get('streamed_10000') else 'one JSON body'}) | {f['drawn_10000_ms']:.0f} ms | ≤ 1000 ms: {ok(f['drawn_10000_ms'] <= 1000)} |")
        print(f"| longest frame panning 10,000 points | {f['pan_max_frame_10000_ms']:.0f} ms | ≤ 50 ms: {ok(f['pan_max_frame_10000_ms'] <= 50)} |")
        print(f"| longest main-thread task, 10,000 points (load, pan, zoom) | {f['longest_task_10000_ms']:.0f} ms | — |")
        print(f"| longest main-thread task, 100,000 points (load, pan, zoom) | {f['longest_task_100000_ms']:.0f} ms | ≤ 500 ms: {ok(f['longest_task_100000_ms'] <= 500)} |")
        print(f"| 100,000 points drawn | {f['drawn_100000_ms']:.0f} ms | — |")
        print(f"| server start with 100,000 more points | {f['start_100000_s']:.1f} s, peak {f['start_100000_peak_mb']:.0f} MB (after the page loads: {f['settled_100000_peak_mb']:.0f} MB) | ≤ 5 s: {ok(f['start_100000_s'] <= 5)}; ≤ 600 MB: {ok(max(f['start_100000_peak_mb'], f['settled_100000_peak_mb']) <= 600)} |")


if __name__ == "__main__":
    sys.exit(main())
