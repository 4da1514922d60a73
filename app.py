"""Central China Atlas: the web app.

    python app.py [--host 127.0.0.1] [--port 8000] [--data DIR]

serves the map page, the GeoJSON API and the downloads with waitress, hardened against hostile clients (``geo.server``). Routes are thin: data is
loaded once by ``geo.store``; each route reads the request into plain values, calls a framework-free
handler in ``geo.api`` and adapts its ``ApiResponse`` (or ``ApiError``) with ``respond``; the page is
made by ``geo.mapview``.

Headers. Every response carries ``X-Content-Type-Options: nosniff`` and
``Referrer-Policy: strict-origin-when-cross-origin`` (tile requests still name the site, as the
OpenStreetMap tile policy asks, but never the page's address with its #permalink). The page has a
Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval' (folium's inline parts are allowed
by hash, see ``geo.mapview.page_policy``); everything else gets ``default-src 'none'`` and may not be
framed. JSON and GeoJSON responses (the API, the downloads, their errors) carry
``Access-Control-Allow-Origin: *``: the data is public and carries no cookies; the page does not.

Embedding. The page may be framed by the origins in the ``FRAME_ANCESTORS`` setting
(``--frame-ancestors`` on the command line), a CSP frame-ancestors source list; the default
``'self'`` allows only pages of the atlas's own origin, e.g.::

    python app.py --frame-ancestors "'self' https://news.example.org"

``X-Frame-Options`` says the same for old browsers: SAMEORIGIN for ``'self'``, DENY for ``'none'``,
and nothing for a list it cannot express (browsers that know CSP ignore it there anyway).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import sys
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import click
from flask import Flask, Response, abort, jsonify, request, send_from_directory, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.security import safe_join
from werkzeug.wsgi import wrap_file

from geo import docview, mapview
from geo.api import ApiError, ApiResponse, atlas, cors, features, single_values
from geo.api import downloads as downloads_api
from geo.api import extract as extract_api
from geo.ogc import ParamError
from geo.ogc import html as ogc_html
from geo.ogc import params as ogc_params
from geo.export import LockTimeout, recover
from geo.server import Limits, make_server
from geo.store import GEOJSON_SEQ_TYPE, GEOJSON_TYPE, Blob, DataError, JoinedBlob, LazyBlob, Store

ROOT = Path(__file__).resolve().parent
API_MAX_AGE = 300      # seconds; ETags make revalidation after that cheap
PAGE_MAX_AGE = 0       # the page names its assets with version stamps; always revalidate it
# Prepared bodies: sent with gzip, ETags and 304s (a layer; every layer; a big body with lazy gzip).
PREPARED = (Blob, JoinedBlob, LazyBlob)
# ResponseCache keeps whole responses up to this size only (a copy of the bytes each).
CACHED_BODY_MAX = 2 << 20

# Vendored scripts a page load runs most of, served with V8's explicit compile hint (Chrome 136+;
# to other browsers a comment): compiled whole on a background thread as they stream in, not
# function by function on the main thread as each is first called. For Leaflet, the map as it
# opens was drawn 156 -> 149 and 164 -> 157 ms (two A/B runs); every layer, no clear change. Not
# atlas.js: most of it (panel, table, search, popups) runs later, and hinting it too gained nothing.
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"
EAGER_SCRIPTS = {("leaflet", "leaflet.js")}
# Text assets (the app's own and the vendored ones) are sent as prepared bodies: gzip, ETags and
# 304s, made once per version of the file. atlas.js went out as 120 KB of identity bytes; gzipped
# (35 KB) the map as it opens was drawn 1-2% sooner on loopback (paired A/B, 60 loads a side).
TEXT_ASSETS = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}

DEFAULT_FRAME_ANCESTORS = "'self'"
# Anything but the page: nothing in it may run, load or be framed.
RESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
REFERRER_POLICY = "strict-origin-when-cross-origin"
# Answered with Access-Control-Allow-Origin: * (the paths for their 304s, which have no media type).
PUBLIC_TYPES = {"application/json", GEOJSON_TYPE, GEOJSON_SEQ_TYPE, "application/schema+json"}
PUBLIC_PATHS = ("/api/", "/download/")
# One source of a CSP frame-ancestors list: a keyword, *, a scheme, or [scheme://]host[:port][/path]
# (host and port may start with or be a * wildcard). Nothing that could end the directive or header.
_FRAME_SOURCE = re.compile(
    r"'self'|'none'|\*|[a-z][a-z0-9+.-]*:"
    r"|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:[0-9]{1,5}|\*))?(?:/[^\s;,'\"]*)?",
    re.I,
)


class ConfigError(ValueError):
    """A setting the app cannot use; the message says which and why."""


def frame_ancestors(value) -> str:
    """The FRAME_ANCESTORS setting (a string of sources or a list) as a checked source list."""
    if value is None:
        return DEFAULT_FRAME_ANCESTORS
    sources = value.split() if isinstance(value, str) else [str(v) for v in value]
    if not sources:
        raise ConfigError("FRAME_ANCESTORS is empty: give 'self', 'none' or the origins that may embed the map")
    for source in sources:
        if not _FRAME_SOURCE.fullmatch(source):
            raise ConfigError(f"FRAME_ANCESTORS: {source[:80]!r} is not a CSP source such as 'self' or https://example.org")
    if "'none'" in sources and len(sources) > 1:
        raise ConfigError("FRAME_ANCESTORS: 'none' cannot be combined with other sources")
    return " ".join(sources)


def frame_options(ancestors: str) -> str | None:
    """X-Frame-Options that agrees with the frame-ancestors list, or None where it cannot."""
    return {"'self'": "SAMEORIGIN", "'none'": "DENY"}.get(ancestors)


def _vendor_dirs() -> dict[str, Path]:
    """Browser libraries from XStatic packages, by the short name used in /vendor/<name>/."""
    import xstatic.pkg.leaflet as leaflet

    return {"leaflet": Path(leaflet.BASE_DIR)}


def open_store(data_dir: str | Path, logger=None) -> Store:
    """Roll back a build that was killed while writing, then load and check the data.

    Raises DataError (one line: what is wrong, and the file) for a missing directory, a missing or
    unreadable file, JSON that does not parse, or features that break the data contract.
    """
    data_dir = Path(data_dir)
    if data_dir.is_dir():
        try:
            rolled_back = recover(str(data_dir))
        except (OSError, ValueError, KeyError, TypeError, LockTimeout) as exc:
            raise DataError(f"an interrupted build in {data_dir} could not be rolled back: "
                            f"{type(exc).__name__}: {exc}") from None
        if rolled_back and logger is not None:
            logger.warning("rolled back an interrupted build in %s to the previous data", data_dir)
    return Store.load(data_dir)


class ResponseCache:
    """WSGI middleware: whole responses to repeated GETs of prepared bodies, replayed as bytes.

    A route that serves a body made once (a ``Blob``: a layer, an unfiltered OGC page, the page)
    marks its 200 response; the status, headers and bytes are kept under everything of the request
    they depend on (path, query, host, scheme, mount point, Accept, Accept-Encoding), and the same
    request is answered from them without running Flask. Requests with validators
    (If-None-Match...) or a Range go through, as do HEAD and other methods. The ``size`` most
    recently used entries are kept; the bodies are the store's own bytes, shared, not copies.
    """

    MARK = "atlas.cacheable"
    BYPASS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
              "HTTP_IF_RANGE", "HTTP_RANGE", "HTTP_AUTHORIZATION", "HTTP_COOKIE")

    def __init__(self, wsgi_app, size: int = 2048):
        self.wsgi_app = wsgi_app
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or any(k in environ for k in self.BYPASS):
            return self.wsgi_app(environ, start_response)
        key = (environ.get("PATH_INFO"), environ.get("QUERY_STRING"), environ.get("SCRIPT_NAME"),
               environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"), environ.get("HTTP_X_FORWARDED_HOST"),
               environ.get("HTTP_X_FORWARDED_PROTO"), environ.get("HTTP_X_FORWARDED_PREFIX"),
               environ.get("HTTP_X_FORWARDED_PORT"), environ.get("HTTP_FORWARDED"),
               environ.get("HTTP_ACCEPT"), environ.get("HTTP_ACCEPT_ENCODING"))
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, list(headers))
            return self.send(environ, body)
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        if not environ.get(self.MARK) or not seen.get("status", "").startswith("200"):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        with self.lock:
            self.entries[key] = (seen["status"], tuple(seen["headers"]), body)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return self.send(environ, body)

    @staticmethod
    def send(environ, body: bytes):
        """The bytes as the server sends them best: by reference through its file wrapper (as
        ``blob_response`` does, so a slow reader holds no thread), else as one chunk."""
        wrapper = environ.get("wsgi.file_wrapper")
        return wrapper(io.BytesIO(body)) if wrapper else [body]


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    app.config.from_mapping(DATA_DIR=str(ROOT / "data"), FRAME_ANCESTORS=DEFAULT_FRAME_ANCESTORS)
    if test_config:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # A path is matched as sent: "//etc/passwd" is a 404, not a redirect to a rewritten path.
    app.url_map.merge_slashes = False
    ancestors = frame_ancestors(app.config["FRAME_ANCESTORS"])
    page_frame_options = frame_options(ancestors)

    store = open_store(app.config["DATA_DIR"], app.logger)
    app.extensions["atlas_store"] = store
    # Werkzeug reads no more of a body than this; one byte past the limit tells the handler a
    # streamed (chunked) body was too long (the handler refuses a declared length before reading).
    app.config.setdefault("MAX_CONTENT_LENGTH", extract_api.MAX_REQUEST_BYTES + 1)
    # The geoparser (its lexicon, jieba and pypinyin take ~400 MB): loaded once, in the
    # background, on first need — the "Map a document" page or POST /api/extract — or from start
    # with PRELOAD_PARSER (``--preload-parser``). Tests may pass one in.
    parser = app.config.get("PARSER") or default_parser()

    def parser_needed() -> None:
        start = getattr(parser, "start", None)
        if start is not None:
            start()

    if app.config.get("PRELOAD_PARSER"):
        parser_needed()
    vendor_dirs = _vendor_dirs()

    def send_file_max_age(filename):
        # Asset URLs in the page carry a content stamp (?v=...): such a URL never changes meaning.
        return 365 * 86400 if request.args.get("v") else None

    app.get_send_file_max_age = send_file_max_age
    page_cache: dict[str, tuple[Blob, str]] = {}
    prepared_assets: dict[Path, tuple[tuple[int, int], Blob]] = {}  # by file: (mtime, size), body
    prepared_lock = threading.Lock()

    # -- helpers ---------------------------------------------------------------------------------
    def asset_url(endpoint: str, filename: str, base: Path, **values) -> str:
        """URL with a content stamp, so a changed file is fetched again."""
        stamp = _stamp(base / filename)
        return url_for(endpoint, filename=filename, v=stamp, **values)

    def blob_response(blob: Blob, mimetype: str, *, max_age: int = API_MAX_AGE,
                      filename: str | None = None) -> Response:
        use_gzip = request.accept_encodings["gzip"] > 0
        etag = blob.gzip_etag if use_gzip else blob.etag
        inm = request.if_none_match
        if inm and (inm.star_tag or inm.contains_weak(blob.etag) or inm.contains_weak(blob.gzip_etag)):
            response = Response(status=304)
        else:
            if not use_gzip and isinstance(blob, JoinedBlob):
                # A joined body (every layer at once) goes out part by part, never copied whole.
                response = Response(blob.chunks(), mimetype=mimetype, direct_passthrough=True)
                response.content_length = blob.length
            else:
                payload = blob.gzipped if use_gzip else blob.body
                if "wsgi.file_wrapper" in request.environ and request.method != "HEAD":
                    # Under the server, the prepared bytes go out by reference (waitress sends a
                    # file wrapper from its own loop as the client reads): no copy per response, no
                    # thread kept for a slow reader, nothing buffered but a pointer into the blob.
                    response = Response(wrap_file(request.environ, io.BytesIO(payload)), mimetype=mimetype,
                                        direct_passthrough=True)
                    response.content_length = len(payload)
                else:
                    response = Response(payload, mimetype=mimetype)
            if use_gzip:
                response.headers["Content-Encoding"] = "gzip"
        response.set_etag(etag)
        if response.status_code == 200 and not atlas.is_filtered(blob) and blob.length <= CACHED_BODY_MAX:
            # a prepared body: the same request gets the same bytes (filtered answers have their
            # own bounded cache, geo.api.atlas; by URL, endless windows would fill this one). A
            # big body is not kept: the cache would hold a copy of it, and Flask's cost is nothing
            # beside sending it.
            request.environ[ResponseCache.MARK] = True
        response.headers["Vary"] = "Accept-Encoding"
        response.cache_control.public = True
        response.cache_control.max_age = max_age
        if max_age == 0:
            response.cache_control.no_cache = True
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def asset_response(base: Path, filename: str, prefix: bytes = b"") -> Response:
        """A file under ``base``: a text asset as a prepared body (remade when the file changes),
        anything else as Flask sends files. Never a path outside ``base``."""
        mimetype = TEXT_ASSETS.get(Path(filename).suffix.lower())
        path = safe_join(str(base), filename)
        if mimetype is None or path is None or not Path(path).is_file():
            # send_from_directory refuses any path that leaves the directory, and 404s a missing file.
            return send_from_directory(base, filename)
        path = Path(path)
        info = path.stat()
        version = (info.st_mtime_ns, info.st_size)
        with prepared_lock:
            hit = prepared_assets.get(path)
        if hit is None or hit[0] != version:
            hit = (version, Blob.of(prefix + path.read_bytes()))
            with prepared_lock:
                prepared_assets[path] = hit
        return blob_response(hit[1], mimetype, max_age=send_file_max_age(filename) or 0)

    def static_asset(filename: str):
        return asset_response(Path(app.static_folder), filename)

    app.view_functions["static"] = static_asset

    def respond(result: ApiResponse) -> Response:
        """A handler's ApiResponse as a Flask response: prepared blobs get gzip, ETags and 304s."""
        max_age = API_MAX_AGE if result.max_age is None else result.max_age
        if isinstance(result.body, PREPARED):
            response = blob_response(result.body, result.media_type, max_age=max_age, filename=result.filename)
        else:  # made for this request (a filtered page): gzipped here when the client takes it
            body = result.body
            if len(body) > 1024 and request.accept_encodings["gzip"] > 0:
                body = gzip.compress(body, compresslevel=5)
            response = Response(body, mimetype=result.media_type)
            if body is not result.body:
                response.headers["Content-Encoding"] = "gzip"
            response.headers["Vary"] = "Accept-Encoding"
            response.cache_control.public = True
            response.cache_control.max_age = max_age
            if result.filename:
                response.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        if response.status_code == 200:
            response.status_code = result.status
        response.headers.update(result.headers)
        if "Vary" in result.headers and "Accept-Encoding" not in result.headers["Vary"]:
            response.headers["Vary"] = result.headers["Vary"] + ", Accept-Encoding"
        if result.media_type == "text/html":  # the OGC API's tables: the page's rules, nothing inline
            response.headers["Content-Security-Policy"] = ogc_html.page_policy(ancestors)
            if page_frame_options:
                response.headers["X-Frame-Options"] = page_frame_options
        return response

    def base() -> str:
        """The path prefix every link of the API starts with."""
        return request.script_root

    def site() -> str:
        """The absolute address of the atlas, without a trailing slash (OGC API links are absolute)."""
        return f"{request.scheme}://{request.host}{request.script_root}"

    def args() -> dict[str, str]:
        """The query arguments as a plain dict (the first value of a repeated one)."""
        return request.args.to_dict()

    def html_page(name: str, make_html, *, framed: bool = True) -> Response:
        """An HTML page made once per script root, with its hash-based CSP; ``framed`` pages may be
        embedded where FRAME_ANCESTORS allows."""
        key = name + request.script_root
        if key not in page_cache:
            html = make_html()
            page_cache[key] = Blob.of(html.encode("utf-8")), mapview.page_policy(html, ancestors)
        blob, policy = page_cache[key]
        response = blob_response(blob, "text/html", max_age=PAGE_MAX_AGE)
        response.headers["Content-Security-Policy"] = policy
        if framed and page_frame_options:
            response.headers["X-Frame-Options"] = page_frame_options
        return response

    # -- the page --------------------------------------------------------------------------------
    @app.get("/")
    def index():
        # OGC API – Features landing page for clients that ask for JSON; the map for browsers.
        # Browsers name text/html; a client that sends any Accept header without it (OWSLib's */*,
        # QGIS's application/json) gets JSON, as from pygeoapi; no header at all gets the map.
        accept = request.headers.get("Accept")
        try:
            fmt = ogc_params.parse_format(request.args.get("f"), accept,
                                          default="json" if accept and accept.strip() else "html")
        except ParamError as exc:
            raise ApiError(400, str(exc)) from None
        if fmt == "json":
            return respond(features.landing(store, site(), args()))

        def make():
            static = Path(app.static_folder)
            assets = mapview.PageAssets(
                js=[("leaflet", asset_url("vendor", "leaflet.js", vendor_dirs["leaflet"], package="leaflet")),
                    ("atlas", asset_url("static", "atlas.js", static))],
                css=[("leaflet_css", asset_url("vendor", "leaflet.css", vendor_dirs["leaflet"], package="leaflet")),
                     ("atlas_css", asset_url("static", "atlas.css", static))],
                icon=asset_url("static", "favicon.svg", static),
            )
            urls = mapview.PageUrls(
                places=url_for("api_places"),
                features=url_for("api_features"),
                provinces=url_for("api_base_provinces"),
                download_all=url_for("download_all"),
                index=url_for("api_layers"),
                base={name: url_for("api_base_layer", name=name) for name in store.base},
                documents=url_for("documents_page"),
                extra={"map_document": url_for("map_document_page")},
            )
            return mapview.render_page(store.index(atlas.layer_links(base())), assets, urls, store.home_bbox(),
                                       store.documents(), store.province_names())
        response = html_page("", make)
        response.headers["Vary"] = "Accept, Accept-Encoding"  # JSON clients get the landing page
        return response

    @app.get("/documents")
    def documents_page():
        """The citations a popup links to: each source document and the places it names."""
        return html_page("documents", lambda: mapview.render_documents(
            store.documents(), store.places_by_document(),
            asset_url("static", "atlas.css", Path(app.static_folder)), url_for("index")), framed=False)

    @app.get("/map-document")
    def map_document_page():
        """Map a document: paste or drop one, see its places (geo.docview, static/document.js)."""
        parser_needed()  # the reader will ask it soon: start loading now
        def make():
            static, leaflet = Path(app.static_folder), vendor_dirs["leaflet"]
            assets = mapview.PageAssets(
                js=[("leaflet", asset_url("vendor", "leaflet.js", leaflet, package="leaflet")),
                    ("document", asset_url("static", "document.js", static))],
                css=[("leaflet_css", asset_url("vendor", "leaflet.css", leaflet, package="leaflet")),
                     ("document_css", asset_url("static", "document.css", static))],
                icon=asset_url("static", "favicon.svg", static))
            urls = {"extract": url_for("api_extract"), "provinces": url_for("api_base_provinces"),
                    "atlas": url_for("index")}
            return docview.render_page(assets, urls, store.home_bbox())
        return html_page("map-document", make)

    @app.get("/vendor/<package>/<path:filename>")
    def vendor(package: str, filename: str):
        base = vendor_dirs.get(package)
        if base is None:
            abort(404, description=f"unknown vendor package {package[:40]!r}")
        return asset_response(base, filename, COMPILE_HINT if (package, filename) in EAGER_SCRIPTS else b"")

    # -- the API ---------------------------------------------------------------------------------
    @app.get("/favicon.ico")
    def favicon():
        return send_from_directory(app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)

    @app.get("/api/layers")
    def api_layers():
        return respond(atlas.layers_index(store, base()))

    @app.get("/api/features")
    def api_features():
        """Every display feature of every layer (same filters as one layer)."""
        return respond(atlas.features(store, request.args, base()))

    @app.get("/api/layers/<layer_id>")
    def api_layer(layer_id: str):
        return respond(atlas.layer(store, layer_id, request.args, base(), request.headers.get("Accept")))

    @app.get("/api/base/provinces")
    def api_base_provinces():
        return respond(atlas.provinces(store))

    @app.get("/api/base/<name>")
    def api_base_layer(name: str):
        return respond(atlas.base_layer(store, name))

    @app.get("/api/places")
    def api_places():
        return respond(atlas.places(store, request.args))

    @app.get("/api/openapi.json")
    def api_openapi():
        return respond(atlas.openapi(store))

    @app.get("/api/docs")
    def api_docs():
        return respond(features.api_docs(store, site(), json.loads(atlas.openapi(store).body.body)))

    # -- OGC API – Features ----------------------------------------------------------------------
    @app.get("/conformance")
    def ogc_conformance():
        return respond(features.conformance(store, site(), args(), request.headers.get("Accept")))

    @app.get("/collections")
    def ogc_collections():
        return respond(features.collections(store, site(), args(), request.headers.get("Accept")))

    @app.get("/collections/<collectionId>")
    def ogc_collection(collectionId: str):
        return respond(features.collection(store, collectionId, site(), args(),
                                           request.headers.get("Accept")))

    @app.get("/collections/<collectionId>/queryables")
    def ogc_queryables(collectionId: str):
        return respond(features.queryables(store, collectionId, site(), args(),
                                           request.headers.get("Accept")))

    @app.get("/collections/<collectionId>/items")
    def ogc_items(collectionId: str):
        return respond(features.items(store, collectionId, site(), args(), request.headers.get("Accept")))

    @app.get("/collections/<collectionId>/items/<featureId>")
    def ogc_item(collectionId: str, featureId: str):
        return respond(features.item(store, collectionId, featureId, site(), args(),
                                     request.headers.get("Accept")))

    @app.post("/api/extract")
    def api_extract():
        extract_api.check_length(request.content_length)  # before a byte is read
        parser_needed()
        return respond(extract_api.extract(parser, request.get_data(cache=False),
                                           content_type=request.content_type,
                                           content_length=request.content_length, args=args()))

    # -- downloads -------------------------------------------------------------------------------
    @app.get("/download/locations.geojson")
    def download_all():
        return respond(atlas.download_all(store))

    @app.get("/download/<layer_id>.geojson")
    def download_layer(layer_id: str):
        return respond(atlas.download_layer(store, layer_id, base()))

    # /download/locations.<ext> too: "locations" is no layer id, the handler knows it.
    @app.get("/download/<layer_id>.<ext>")
    def download_as(layer_id: str, ext: str):
        """GeoPackage, CSV, KML and FlatGeobuf (geo.api.downloads)."""
        result = downloads_api.download(store, layer_id, ext)
        result.media_type = result.media_type.split(";")[0]  # Flask adds the charset of text types
        return respond(result)

    @app.before_request
    def one_value_per_parameter():
        single_values(request.args.lists())

    # -- CORS preflight: every route served with GET answers OPTIONS the same way ----------------
    @app.before_request
    def cors_preflight():
        if request.method != "OPTIONS":
            return None
        methods = app.url_map.bind_to_environ(request.environ).allowed_methods()
        if not methods:
            return None  # no such route: the usual JSON 404
        response = respond(cors.preflight(request.headers.get("Access-Control-Request-Method"),
                                          request.headers.get("Access-Control-Request-Headers"), methods))
        response.cache_control.public = False
        return response

    # -- headers on every response ---------------------------------------------------------------
    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault("Referrer-Policy", REFERRER_POLICY)
        if "Content-Security-Policy" not in headers:  # set by the page alone
            headers["Content-Security-Policy"] = RESOURCE_POLICY
            headers["X-Frame-Options"] = "DENY"
        if response.mimetype in PUBLIC_TYPES or request.path.startswith(PUBLIC_PATHS):
            headers["Access-Control-Allow-Origin"] = "*"
            headers["Access-Control-Expose-Headers"] = "ETag, Content-Disposition"
        return response

    # -- errors: always JSON, never an HTML traceback --------------------------------------------
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        response = jsonify(error=HTTP_STATUS_CODES.get(exc.status, "Error"), status=exc.status, message=exc.message)
        response.status_code = exc.status
        response.headers.update(exc.headers)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        response = jsonify(error=exc.name, status=exc.code, message=exc.description)
        response.status_code = exc.code or 500
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unhandled error on %s", request.path)
        response = jsonify(error="Internal Server Error", status=500,
                           message="the server failed to answer this request; it has been logged")
        response.status_code = 500
        return response

    app.wsgi_app = ResponseCache(app.wsgi_app)

    # -- command line ----------------------------------------------------------------------------
    @app.cli.command("data-summary")
    def data_summary():
        """Print the loaded themes and layers with their feature counts."""
        for theme in store.themes:
            click.echo(f"{theme['id']}: {theme.get('title')}")
            for layer_id in theme["layers"]:
                layer = store.layers[layer_id]
                click.echo(f"  {layer_id}: {layer.count} feature(s)")
        click.echo(f"{sum(l.count for l in store.layers.values())} feature(s) in {len(store.layers)} layer(s)")

    return app


@lru_cache(maxsize=None)
def default_parser():
    """The geoparser with its gazetteer, loaded once per process (apps made in tests share it).

    It loads in a background thread (``geo.parse.BackgroundParser``) once started: on first need
    (create_app starts it), so a server that never maps a document never holds it; POST
    /api/extract waits for the load."""
    from geo.parse import BackgroundParser

    return BackgroundParser(start=False)


_stamps: dict[tuple[str, float], str] = {}


def _stamp(path: Path) -> str:
    """Short content hash of a file, remembered per modification time."""
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        return "0"
    if key not in _stamps:
        _stamps[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return _stamps[key]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Central China Atlas (waitress, hardened: geo.server).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--data", default=None, help="data directory (default: data/ next to app.py)")
    limits = Limits()
    parser.add_argument("--threads", type=int, default=limits.threads, help=f"worker threads (default {limits.threads})")
    parser.add_argument("--idle-timeout", type=float, default=limits.idle_timeout, metavar="S",
                        help=f"close a keep-alive connection idle this long (default {limits.idle_timeout:g} s)")
    parser.add_argument("--header-timeout", type=float, default=limits.header_timeout, metavar="S",
                        help=f"a request must arrive whole within this (default {limits.header_timeout:g} s)")
    parser.add_argument("--send-timeout", type=float, default=limits.send_timeout, metavar="S",
                        help=f"drop a client that reads nothing this long (default {limits.send_timeout:g} s)")
    parser.add_argument("--frame-ancestors", default=None, metavar="SOURCES",
                        help="who may embed the map in a frame, as a CSP source list "
                             "(default \"'self'\"; e.g. \"'self' https://news.example.org\")")
    parser.add_argument("--preload-parser", action="store_true",
                        help="load the geoparser at start (~400 MB) rather than on the first "
                             "\"Map a document\" page or POST /api/extract")
    args = parser.parse_args(argv)
    config = {}
    if args.preload_parser:
        config["PRELOAD_PARSER"] = True
    if args.data:
        config["DATA_DIR"] = args.data
    if args.frame_ancestors is not None:
        config["FRAME_ANCESTORS"] = args.frame_ancestors
    try:
        app = create_app(config or None)
    except (DataError, ConfigError) as exc:
        print("atlas: cannot start: " + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    # The GIS downloads are made on first request; a served app makes the small ones now, in the
    # background, so no visitor waits for GDAL (big layers' files: on first request, geo.downloads).
    store = app.extensions["atlas_store"]

    def background() -> None:
        store.warm_up()  # the search index, so the first search does not build it
        downloads_api.downloads_of(store).make_all()

    threading.Thread(target=background, name="atlas-background", daemon=True).start()

    limits = Limits(threads=args.threads, idle_timeout=args.idle_timeout,
                    header_timeout=args.header_timeout, send_timeout=args.send_timeout)
    try:
        server = make_server(app, args.host, args.port, limits)
    except OSError as exc:
        print(f"atlas: cannot start: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    # The real port (--port 0 asks the system for a free one), for whoever started us.
    print(f"Central China Atlas on http://{args.host}:{server.effective_port}/", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
