/* Central China Atlas: the layer panel (also the legend), filters, the table of places, sharing and
 * printing, layers fetched from the API, popups that cite their sources, place search and
 * permalinks, and the offline base (provinces, cities, rivers, lakes), on the Leaflet map folium
 * composes.
 *
 * Feature text is data, never markup: every text goes into the page with textContent or
 * createTextNode, and popups and tooltips are given DOM nodes, never HTML strings.
 * No inline event handlers: listeners are attached here.
 *
 * Speed: the data for the layers shown at load is requested from <head> (window.atlasPrefetch,
 * see geo/mapview.py) and taken from there, with lines and areas generalised for the zoom
 * (maxAllowableOffset, geo.generalise) and refined in place once the map is zoomed in past it
 * (refine). Big point layers (geo.mapview gives those of
 * STREAM_MIN features or more a stream URL) are read as a GeoJSON text sequence (RFC 8142) a
 * slice of lines per task, and drawn by a PointField:
 * one canvas per map tile, drawn a few tiles per task from typed arrays and a grid index, so no
 * task holds the page for long however many points there are, and panning moves drawn tiles.
 * At load every shown layer is first painted in one piece and built into Leaflet layers a task
 * later (see paint). performance.mark("atlas-layers-drawn") is set once, in the frame that first
 * shows every layer shown at load; "atlas-layers-ready" once they all take clicks and focus.
 */
(function () {
  "use strict";

  var atlas = (window.atlas = {});
  var SAFE_COLOUR = /^#[0-9a-fA-F]{3,8}$/;
  var KINDS = ["area", "line", "point"];
  var PANES = { base: 250, water: 255, labels: 260, area: 410, line: 420, point: 430, badges: 440 };
  var NARROW = "(max-width: 640px)";
  var PANEL_WIDTH = 330; // .atlas-panel width in atlas.css
  var CANVAS_MIN = 2000; // a layer this big is drawn on a canvas, not as SVG nodes
  var CHUNK = 4000;      // features added per task when drawing a big layer as Leaflet layers
  var SLICE_MS = 12;     // a task that parses or draws for a big layer yields after this long
  var TABLE_ROWS = 500;  // rows the table draws (the CSV has every row)
  var FIRST_YEAR = 2019; // the "as of" slider starts here (the oldest document is of 2019)
  var SVG_NS = "http://www.w3.org/2000/svg";
  var INK = "#1f2937";

  // ---- small DOM helpers ------------------------------------------------------------------------
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    var key;
    attrs = attrs || {};
    for (key in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key)) continue;
      var value = attrs[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === "") return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, String(attrs[k]));
    });
    return node;
  }

  function str(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function colourOf(value) {
    return SAFE_COLOUR.test(str(value)) ? value : "#64748b";
  }

  function classSafe(value) {
    return str(value).replace(/[^A-Za-z0-9_-]/g, "_");
  }

  function kindOf(feature) {
    var type = (feature && feature.geometry && feature.geometry.type) || "";
    if (type.indexOf("Point") >= 0) return "point";
    if (type.indexOf("LineString") >= 0) return "line";
    return "area";
  }

  function kindsOf(types) {
    var kinds = {};
    (types || []).forEach(function (t) {
      kinds[kindOf({ geometry: { type: t } })] = true;
    });
    return KINDS.filter(function (k) { return kinds[k]; });
  }

  function isApprox(props) {
    return props.schematic === true || Number(props.precision) >= 4;
  }

  function yearOf(date) {
    var m = /^(\d{4})/.exec(str(date));
    return m ? Number(m[1]) : null;
  }

  // ---- symbols: a shape per layer (points), a dash per layer (lines, areas) ----------------------
  var SHAPES = ["circle", "square", "triangle", "diamond", "triangle-down", "pentagon", "hexagon", "star"];

  // symbolOf's answers, by layer options: a layer's features share one (made for each feature it
  // was 2 ms of painting the first picture, profiled). Kept while the options' symbol is the same.
  var SYMBOLS = new WeakMap();
  function symbolOf(opts) {
    if (!opts || typeof opts !== "object") return makeSymbol(opts);
    var hit = SYMBOLS.get(opts);
    if (hit && hit.of === opts.symbol) return hit.symbol;
    var symbol = makeSymbol(opts);
    SYMBOLS.set(opts, { of: opts.symbol, symbol: symbol });
    return symbol;
  }

  function makeSymbol(opts) {
    var s = (opts && opts.symbol) || {};
    return {
      colour: colourOf(s.colour || (opts && opts.colour)),
      outline: colourOf(s.outline || s.colour || (opts && opts.colour)),
      shape: SHAPES.indexOf(s.shape) >= 0 ? s.shape : "circle",
      dash: /^[0-9 ]*$/.test(str(s.dash)) ? str(s.dash) : ""
    };
  }

  /** Corners of a shape of about the same area as a circle of radius r, centred on (x, y). */
  function shapePoints(shape, x, y, r) {
    var pts = [], i, n, a, k;
    function ring(count, radius, turn) {
      for (i = 0; i < count; i++) {
        a = turn + (2 * Math.PI * i) / count;
        pts.push([x + radius * Math.cos(a), y + radius * Math.sin(a)]);
      }
    }
    if (shape === "square") ring(4, r * 1.25, Math.PI / 4);
    else if (shape === "diamond") ring(4, r * 1.3, 0);
    else if (shape === "triangle") ring(3, r * 1.5, -Math.PI / 2);
    else if (shape === "triangle-down") ring(3, r * 1.5, Math.PI / 2);
    else if (shape === "pentagon") ring(5, r * 1.15, -Math.PI / 2);
    else if (shape === "hexagon") ring(6, r * 1.1, 0);
    else if (shape === "star") {
      n = 5;
      for (k = 0; k < n * 2; k++) {
        a = -Math.PI / 2 + (Math.PI * k) / n;
        var rr = k % 2 ? r * 0.7 : r * 1.55;
        pts.push([x + rr * Math.cos(a), y + rr * Math.sin(a)]);
      }
    }
    return pts;
  }

  function pathOf(pts) {
    return "M" + pts.map(function (p) { return p[0].toFixed(1) + "," + p[1].toFixed(1); }).join("L") + "z";
  }

  // A circle marker drawn as the layer's shape, by the SVG and the canvas renderer alike (hit
  // testing stays the circle's: a click within the radius counts).
  L.SVG.include({
    _updateAtlasShape: function (layer) {
      var p = layer._point;
      this._setPath(layer, pathOf(shapePoints(layer.options.shape, p.x, p.y, layer._radius)));
    }
  });
  L.Canvas.include({
    _updateAtlasShape: function (layer) {
      if (!this._drawing || layer._empty()) return;
      var p = layer._point, ctx = this._ctx;
      var pts = shapePoints(layer.options.shape, p.x, p.y, layer._radius);
      ctx.beginPath();
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (var i = 1; i < pts.length; i++) ctx.lineTo(pts[i][0], pts[i][1]);
      ctx.closePath();
      this._fillStroke(ctx, layer);
    }
  });
  var ShapeMarker = L.CircleMarker.extend({
    _updatePath: function () {
      var shape = this.options.shape;
      if (!shape || shape === "circle") this._renderer._updateCircle(this);
      else this._renderer._updateAtlasShape(this);
    }
  });

  /** The legend's picture of a symbol: an inline SVG of the point's shape, the line's dash or the area. */
  function swatch(kind, opts, approx) {
    var sym = symbolOf(opts);
    var box = svg("svg", { width: 18, height: 16, viewBox: "0 0 18 16", "aria-hidden": "true", focusable: "false",
      "class": "atlas-swatch atlas-swatch-" + kind + (approx ? " atlas-swatch-approx" : "") });
    if (kind === "point") {
      var attrs = { fill: sym.colour, "fill-opacity": approx ? 0.25 : 0.9, stroke: sym.outline, "stroke-width": 1.5,
        "stroke-dasharray": approx ? "2 2" : null };
      var pts = shapePoints(sym.shape, 9, 8, 5);
      box.appendChild(pts.length ? svg("path", Object.assign({ d: pathOf(pts) }, attrs))
        : svg("circle", Object.assign({ cx: 9, cy: 8, r: 5 }, attrs)));
    } else if (kind === "line") {
      box.appendChild(svg("line", { x1: 1, y1: 8, x2: 17, y2: 8, stroke: sym.outline, "stroke-width": 3,
        "stroke-dasharray": approx ? "4 3" : (sym.dash || null) }));
    } else {
      box.appendChild(svg("rect", { x: 2, y: 3, width: 14, height: 10, fill: sym.colour, "fill-opacity": approx ? 0.1 : 0.3,
        stroke: sym.outline, "stroke-width": 1.5, "stroke-dasharray": approx ? "3 2" : (sym.dash || null) }));
    }
    return box;
  }

  // ---- styles -----------------------------------------------------------------------------------
  function styleFor(opts, feature) {
    var props = feature.properties || {};
    var kind = kindOf(feature);
    var sym = symbolOf(opts);
    var approx = isApprox(props);
    var style = {
      className: "atlas-f atlas-l-" + classSafe(opts.id) + " atlas-i-" + classSafe(feature.id) + (approx ? " atlas-approx" : ""),
      color: sym.outline,
      opacity: 0.95,
      dashArray: null
    };
    if (kind === "point") {
      style.radius = approx ? 7 : 5.5;
      style.weight = 1.5;
      style.fillColor = sym.colour;
      style.fillOpacity = approx ? 0.25 : 0.9;
      style.dashArray = approx ? "3 3" : null;
      style.shape = sym.shape;
    } else if (kind === "line") {
      style.weight = 3;
      style.dashArray = approx ? "8 6" : (sym.dash || null);
    } else {
      style.weight = 1.5;
      style.fillColor = sym.colour;
      style.fillOpacity = approx ? 0.08 : 0.2;
      style.dashArray = approx ? "5 4" : (sym.dash || null);
    }
    return style;
  }

  // ---- popups and tooltips ----------------------------------------------------------------------
  function dlRow(dl, term, content) {
    if (!content) return;
    dl.appendChild(h("dt", { text: term }));
    dl.appendChild(typeof content === "string" ? h("dd", { text: content }) : h("dd", {}, [content]));
  }

  function membersNode(members) {
    var list = h("ul", { className: "atlas-members" });
    members.forEach(function (m) {
      if (!m || typeof m !== "object") return;
      var item = h("li", {}, [str(m.name)]);
      if (m.name_zh) item.appendChild(h("span", { lang: "zh-Hans", className: "atlas-zh", text: " " + str(m.name_zh) }));
      list.appendChild(item);
    });
    if (members.length <= 8) return list;
    return h("details", {}, [h("summary", { text: members.length + " member units" }), list]);
  }

  /** Where a source document's citation lives: its own address (http/https only), else the
   * atlas's sources page (the anchor is geo.mapview.document_anchor's). */
  function documentHref(source) {
    var url = str(source.url);
    if (/^https?:\/\//i.test(url)) return url;
    if (!config.urls.documents) return null;
    return config.urls.documents + "#doc-" + str(source.document).replace(/[^A-Za-z0-9_-]/g, "-");
  }

  function citationNode(s) {
    var title = str(s.title || s.document);
    var href = documentHref(s);
    var cite = h("cite", {}, [href ? h("a", { href: href, className: "atlas-doc-link", text: title }) : title]);
    var meta = [str(s.publisher), str(s.date)].filter(Boolean).join(", ");
    return h("span", { className: "atlas-citation" }, ["— ", cite, meta ? ", " + meta : ""]);
  }

  function sourcesNode(sources) {
    var list = h("ol", { className: "atlas-sources" });
    sources.forEach(function (s) {
      if (!s || typeof s !== "object") return;
      var item = h("li", {});
      // The words as written first: they are what the reader came for.
      if (s.mention) item.appendChild(h("q", { className: "atlas-mention", text: str(s.mention) }));
      item.appendChild(citationNode(s));
      list.appendChild(item);
    });
    return list;
  }

  /** The precision code in plain words, for this kind of feature. */
  function precisionWords(p, kind) {
    var code = Number(p.precision);
    if (p.schematic === true || (kind === "line" && code >= 5)) return "Drawn schematically through its places, not along the real route.";
    if (kind === "area") {
      if (code <= 3) return "The area of its official member units.";
      if (code === 4) return "Made of whole provinces.";
      return "Estimated: its members are our reading of the plan.";
    }
    return {
      1: "At this named town or site.",
      2: "Within about 25 km of the point shown.",
      3: "Somewhere in the city shown; the point marks the city's seat.",
      4: "Somewhere in the province; the point only marks the province.",
      5: "Estimated: the point is our best reading of the plan."
    }[code] || str(p.precision_label);
  }

  function popupContent(opts, feature, layer) {
    var p = feature.properties || {};
    var kind = kindOf(feature);
    var box = h("article", { className: "atlas-popup", "data-precision": str(p.precision) });
    // A point that shares its spot with other places links back to the list of them all.
    var here = layer ? pointsNear(layer.getLatLng()) : [];
    if (here.length > 1) {
      var back = h("button", { type: "button", className: "atlas-here", text: "‹ " + here.length + " places here" });
      back.addEventListener("click", function () { openChooser(layer.getLatLng(), String(feature.id)); });
      box.appendChild(back);
    }
    box.appendChild(h("h2", { className: "atlas-popup-name", tabindex: "-1", text: str(p.name || feature.id) }));
    if (p.name_zh) box.appendChild(h("p", { className: "atlas-popup-zh", lang: "zh-Hans", text: str(p.name_zh) }));
    box.appendChild(h("p", { className: "atlas-popup-layer" }, [swatch(kind, opts, isApprox(p)), str(opts.title || p.layer)]));

    if (Array.isArray(p.sources) && p.sources.length) {
      box.appendChild(h("h3", { className: "atlas-popup-sources", text: p.sources.length > 1 ? "Named in" : "Named in" }));
      box.appendChild(sourcesNode(p.sources));
    }
    var dl = h("dl", { className: "atlas-facts" });
    dlRow(dl, "Where", precisionWords(p, kind));
    dlRow(dl, "Province", Array.isArray(p.provinces) ? p.provinces.map(str).join(", ") : "");
    if (Array.isArray(p.members) && p.members.length) dlRow(dl, "Member units", membersNode(p.members));
    box.appendChild(dl);
    if (p.description) box.appendChild(h("p", { className: "atlas-popup-desc", text: str(p.description) }));
    if (p.geometry_basis) {
      box.appendChild(h("details", { className: "atlas-basis" }, [
        h("summary", { text: "How it was located" }), h("p", { text: str(p.geometry_basis) })
      ]));
    }
    return box;
  }

  function tooltipContent(feature, layer) {
    var p = feature.properties || {};
    var node = h("span", { className: "atlas-tip" }, [str(p.name || feature.id)]);
    if (p.name_zh) node.appendChild(h("span", { lang: "zh-Hans", className: "atlas-zh", text: " " + str(p.name_zh) }));
    var others = layer ? pointsNear(layer.getLatLng()).length - 1 : 0;
    if (others > 0) node.appendChild(h("span", { className: "atlas-tip-more", text: " +" + others + " more here" }));
    return node;
  }

  // ---- places that share a spot -------------------------------------------------------------------
  var NEAR_PX = 3; // how far beyond a marker's edge a click still counts as on it

  /** Every point of a layer on the map whose marker covers ``latlng`` (give or take NEAR_PX),
   * in panel order: the places a click there could mean. */
  function pointsNear(latlng) {
    var hits = [];
    if (!map || !latlng) return hits;
    var at = map.latLngToLayerPoint(latlng);
    groups.forEach(function (g) {
      if (!map.hasLayer(g)) return;
      if (g.atlas.field) {
        g.atlas.field.near(latlng, NEAR_PX).forEach(function (i) { hits.push({ group: g, layer: g.atlas.field.proxy(i) }); });
        return;
      }
      if (!g.atlas.sub.point) return;
      g.atlas.sub.point.eachLayer(function (marker) {
        if (!marker.getLatLng || !marker.feature) return;
        var radius = marker.getRadius ? marker.getRadius() : 6;
        if (map.latLngToLayerPoint(marker.getLatLng()).distanceTo(at) <= radius + NEAR_PX) {
          hits.push({ group: g, layer: marker });
        }
      });
    });
    return hits;
  }

  /** A click (or Enter) on a point: its popup, or a list of every place there to choose from. */
  function pointChosen(layer, latlng) {
    if (pointsNear(latlng).length > 1) openChooser(latlng);
    else layer.openPopup();
  }

  /** A popup listing the places at ``latlng``; each button opens that place's own popup.
   * ``focusId``: the place whose button gets the focus (the one the reader came back from). */
  function openChooser(latlng, focusId) {
    var hits = pointsNear(latlng);
    if (!hits.length) return;
    var buttons = [];
    var list = h("ul", { className: "atlas-chooser-list" });
    hits.forEach(function (hit) {
      var feature = hit.layer.feature;
      var p = feature.properties || {};
      var opts = hit.group.atlas.opts;
      var button = h("button", { type: "button", className: "atlas-chooser-item", "data-id": str(feature.id) }, [
        swatch("point", opts, isApprox(p)),
        h("span", { className: "atlas-chooser-text" }, [
          h("span", { className: "atlas-chooser-name", text: str(p.name || feature.id) }),
          p.name_zh ? h("span", { className: "atlas-zh", lang: "zh-Hans", text: " " + str(p.name_zh) }) : null,
          h("span", { className: "atlas-chooser-layer", text: str(opts.title) })
        ])
      ]);
      button.addEventListener("click", function () {
        hit.layer.openPopup();
        var back = document.querySelector(".leaflet-popup .atlas-here");
        if (back) back.focus({ preventScroll: true });
      });
      buttons.push(button);
      list.appendChild(h("li", {}, [button]));
    });
    var title = h("h2", { className: "atlas-chooser-title", id: "atlas-chooser-title", text: hits.length + " places here" });
    var box = h("div", { className: "atlas-chooser", role: "group", "aria-labelledby": title.id }, [title, list]);
    box.addEventListener("keydown", function (event) {
      var i = buttons.indexOf(document.activeElement);
      if (i < 0) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var next = (i + (event.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length;
        buttons[next].focus({ preventScroll: true });
      }
    });
    var popup = L.popup({
      className: "atlas-chooser-popup", maxWidth: 320, minWidth: 220, maxHeight: 320, autoPanPadding: [20, 20]
    });
    fitPopupPadding(popup);
    popup.setLatLng(latlng).setContent(box).openOn(map);
    var target = buttons.filter(function (b) { return b.getAttribute("data-id") === focusId; })[0] || buttons[0];
    target.focus({ preventScroll: true });
  }


  // ---- big point layers: a PointField ---------------------------------------------------------------
  // Yield to the browser (input, frames) and go on in a new task: a MessageChannel message, which,
  // unlike a chain of setTimeout(0), is not clamped to 4 ms.
  var yieldQueue = [], yieldChannel = null;
  function nextTask(fn) {
    if (!window.MessageChannel) return setTimeout(fn, 0);
    if (!yieldChannel) {
      yieldChannel = new MessageChannel();
      yieldChannel.port1.onmessage = function () { var f = yieldQueue.shift(); if (f) f(); };
    }
    yieldQueue.push(fn);
    yieldChannel.port2.postMessage(0);
  }

  /** A symbol drawn once on a small canvas, stamped at every point of a tile. */
  function glyph(opts, approx) {
    var sym = symbolOf(opts);
    var dpr = window.devicePixelRatio || 1;
    var r = approx ? 7 : 5.5, pad = 3, size = Math.ceil((r * 1.6 + pad) * 2);
    var c = document.createElement("canvas");
    c.width = c.height = Math.ceil(size * dpr);
    var ctx = c.getContext("2d");
    ctx.scale(dpr, dpr);
    var mid = size / 2;
    var pts = shapePoints(sym.shape, mid, mid, r);
    ctx.beginPath();
    if (pts.length) {
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (var i = 1; i < pts.length; i++) ctx.lineTo(pts[i][0], pts[i][1]);
      ctx.closePath();
    } else {
      ctx.arc(mid, mid, r, 0, 2 * Math.PI);
    }
    ctx.globalAlpha = approx ? 0.25 : 0.9;
    ctx.fillStyle = sym.colour;
    ctx.fill();
    ctx.globalAlpha = 0.95;
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = sym.outline;
    if (approx) ctx.setLineDash([3, 3]);
    ctx.stroke();
    return { canvas: c, size: size, half: size / 2, radius: r };
  }

  /** Many points of one layer on canvas tiles: the features' positions (at zoom 0, in pixels) in
   * typed arrays, a grid over them to find those of a tile or near a click, and the features
   * themselves for popups, the table and the CSV. Tiles are drawn a few per task (see pump). */
  var PointField = L.GridLayer.extend({
    initialize: function (opts, options) {
      L.GridLayer.prototype.initialize.call(this, L.extend({ pane: "atlas-point", tileSize: 256, keepBuffer: 1,
        updateWhenZooming: false, className: "atlas-field" }, options));
      this._opts = opts;
      this._jobs = [];
      this._pumping = false;
      this._waiters = [];
      this._glyphs = null;
      this.setFeatures([]);
    },

    /** The features to draw (those that pass the filters): Points, or MultiPoints (one symbol per point). */
    setFeatures: function (features) {
      var n = 0, i, j, c;
      for (i = 0; i < features.length; i++) {
        c = features[i].geometry && features[i].geometry.coordinates;
        n += features[i].geometry && features[i].geometry.type === "MultiPoint" && Array.isArray(c) ? c.length : 1;
      }
      var xs = new Float64Array(n), ys = new Float64Array(n), owner = new Int32Array(n), approx = new Uint8Array(n);
      var crs = (this._map && this._map.options.crs) || L.CRS.EPSG3857;
      var k = 0, minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      var add = function (pos, f, ap) {
        if (!Array.isArray(pos) || typeof pos[0] !== "number" || typeof pos[1] !== "number") return;
        var p = crs.latLngToPoint(L.latLng(pos[1], pos[0]), 0);
        xs[k] = p.x; ys[k] = p.y; owner[k] = f; approx[k] = ap;
        if (p.x < minX) minX = p.x; if (p.x > maxX) maxX = p.x;
        if (p.y < minY) minY = p.y; if (p.y > maxY) maxY = p.y;
        k++;
      };
      this._ids = {};
      for (i = 0; i < features.length; i++) {
        var f = features[i], g = f.geometry || {}, ap = isApprox(f.properties || {}) ? 1 : 0;
        if (f.id !== undefined) this._ids[String(f.id)] = i;
        if (g.type === "MultiPoint" && Array.isArray(g.coordinates)) {
          for (j = 0; j < g.coordinates.length; j++) add(g.coordinates[j], i, ap);
        } else {
          add(g.coordinates, i, ap);
        }
      }
      this._features = features;
      this._proxies = {};
      this._n = k;
      this._xs = xs; this._ys = ys; this._owner = owner; this._approx = approx;
      // A grid of about 16 symbols per cell over their extent (zoom-0 pixels).
      var side = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(k / 16))));
      var w = Math.max(maxX - minX, 1e-9), hgt = Math.max(maxY - minY, 1e-9);
      var cellOf = new Int32Array(k), start = new Int32Array(side * side + 1);
      for (i = 0; i < k; i++) {
        var cx = Math.min(side - 1, Math.floor((xs[i] - minX) / w * side));
        var cy = Math.min(side - 1, Math.floor((ys[i] - minY) / hgt * side));
        cellOf[i] = cy * side + cx;
        start[cellOf[i] + 1] += 1;
      }
      for (i = 0; i < side * side; i++) start[i + 1] += start[i];
      var fillAt = start.slice(0, side * side), items = new Int32Array(k);
      for (i = 0; i < k; i++) items[fillAt[cellOf[i]]++] = i;
      this._grid = { side: side, minX: minX, minY: minY, w: w, h: hgt, start: start, items: items };
      this._jobs = [];
      if (this._map) this.redraw();
      return this;
    },

    count: function () { return this._features.length; },
    features: function () { return this._features; },

    /** Each symbol index within a box of zoom-0 pixels, to ``fn``. */
    _within: function (x0, y0, x1, y1, fn) {
      var g = this._grid;
      if (!this._n) return;
      var c0 = Math.max(0, Math.floor((x0 - g.minX) / g.w * g.side)), c1 = Math.min(g.side - 1, Math.floor((x1 - g.minX) / g.w * g.side));
      var r0 = Math.max(0, Math.floor((y0 - g.minY) / g.h * g.side)), r1 = Math.min(g.side - 1, Math.floor((y1 - g.minY) / g.h * g.side));
      for (var r = r0; r <= r1; r++) {
        for (var c = c0; c <= c1; c++) {
          var cell = r * g.side + c;
          for (var k = g.start[cell]; k < g.start[cell + 1]; k++) {
            var i = g.items[k];
            if (this._xs[i] >= x0 && this._xs[i] <= x1 && this._ys[i] >= y0 && this._ys[i] <= y1) fn(i);
          }
        }
      }
    },

    createTile: function (coords, done) {
      var size = this.getTileSize(), dpr = window.devicePixelRatio || 1;
      var tile = document.createElement("canvas");
      tile.width = Math.ceil(size.x * dpr);
      tile.height = Math.ceil(size.y * dpr);
      this._jobs.push({ tile: tile, coords: coords, done: done, items: null });
      this._pump();
      return tile;
    },

    /** Draw queued tiles until SLICE_MS has passed, then go on in the next task. A tile at a low
     * zoom can hold most of the layer: its symbols are drawn a run at a time too. */
    _pump: function () {
      if (this._pumping) return;
      this._pumping = true;
      var self = this;
      nextTask(function run() {
        var t0 = performance.now();
        while (self._jobs.length && performance.now() - t0 < SLICE_MS) {
          var job = self._jobs[0];
          // A tile taken off the map (panned away, or the features changed) is dropped: its
          // done() would mark a newer tile at the same place as drawn.
          if (!job.tile.parentNode) {
            self._jobs.shift();
            continue;
          }
          if (!job.items) self._startTile(job);
          var end = job.items.length, ctx = job.ctx, glyphs = self._glyphs;
          var xs = self._xs, ys = self._ys, approx = self._approx, scale = job.scale;
          while (job.at < end) {
            var stop = Math.min(end, job.at + 256);
            for (; job.at < stop; job.at++) {
              var i = job.items[job.at], gl = glyphs[approx[i]];
              ctx.drawImage(gl.canvas, xs[i] * scale - job.ox - gl.half, ys[i] * scale - job.oy - gl.half, gl.size, gl.size);
            }
            if (performance.now() - t0 >= SLICE_MS) break;
          }
          if (job.at < end) break;
          self._jobs.shift();
          job.done(null, job.tile);
        }
        if (self._jobs.length) nextTask(run);
        else self._pumping = false;
      });
    },

    /** The symbols a tile shows (with a margin for their size) and where the tile sits. */
    _startTile: function (job) {
      if (!this._glyphs) this._glyphs = [glyph(this._opts, false), glyph(this._opts, true)];
      var dpr = window.devicePixelRatio || 1, size = this.getTileSize();
      job.ctx = job.tile.getContext("2d");
      job.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      job.scale = Math.pow(2, job.coords.z);
      job.ox = job.coords.x * size.x;
      job.oy = job.coords.y * size.y;
      var margin = this._glyphs[1].half, items = [];
      this._within((job.ox - margin) / job.scale, (job.oy - margin) / job.scale,
        (job.ox + size.x + margin) / job.scale, (job.oy + size.y + margin) / job.scale, function (i) { items.push(i); });
      job.items = items;
      job.at = 0;
    },

    /** Feature indices whose symbol covers ``latlng`` (give or take ``slack`` pixels), nearest first. */
    near: function (latlng, slack) {
      if (!this._map || !this._n) return [];
      var z = this._map.getZoom(), scale = Math.pow(2, z);
      var p = this._map.options.crs.latLngToPoint(latlng, 0);
      var reach = (7 + slack) / scale, found = [], seen = {};
      var xs = this._xs, ys = this._ys, approx = this._approx, owner = this._owner;
      this._within(p.x - reach, p.y - reach, p.x + reach, p.y + reach, function (i) {
        var d = Math.sqrt(Math.pow((xs[i] - p.x) * scale, 2) + Math.pow((ys[i] - p.y) * scale, 2));
        if (d <= (approx[i] ? 7 : 5.5) + slack && !seen[owner[i]]) {
          seen[owner[i]] = true;
          found.push({ i: owner[i], d: d });
        }
      });
      found.sort(function (a, b) { return a.d - b.d || a.i - b.i; });
      return found.map(function (x) { return x.i; });
    },

    /** A stand-in for a feature's Leaflet marker (what popups, the table and search use). */
    proxy: function (i) {
      if (this._proxies[i]) return this._proxies[i];
      var field = this, feature = this._features[i], g = feature.geometry || {};
      var pos = g.type === "MultiPoint" ? (g.coordinates || [])[0] : g.coordinates;
      var proxy = new L.Evented();
      proxy.feature = feature;
      proxy.getLatLng = function () { return L.latLng(pos[1], pos[0]); };
      proxy.getRadius = function () { return isApprox(feature.properties || {}) ? 7 : 5.5; };
      proxy.openPopup = function (at) {
        var popup = L.popup({ maxWidth: 340, minWidth: 220, maxHeight: 380, autoPanPadding: [20, 20] });
        popup._source = proxy;
        fitPopupPadding(popup);
        popup.setLatLng(at || proxy.getLatLng()).setContent(popupContent(field._opts, feature, proxy)).openOn(field._map);
        return proxy;
      };
      this._proxies[i] = proxy;
      return proxy;
    },

    proxyById: function (id) {
      var i = this._ids[String(id)];
      return i === undefined ? null : this.proxy(i);
    },

    /** A promise that is kept once the tiles of the current view are drawn. */
    whenDrawn: function () {
      var self = this;
      if (!this._map || !this._loading) return Promise.resolve();
      return new Promise(function (resolve) { self.once("load", function () { resolve(); }); });
    }
  });

  /** A layer's features read as a GeoJSON text sequence (RFC 8142: RS, JSON, LF per feature), a
   * slice of lines per task; a server that answers with a FeatureCollection is read as one. */
  function streamFeatures(url, onProgress) {
    return request(url, "application/geo+json-seq")
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("geo+json-seq") < 0) {
          return response.json().then(function (c) { return (c && c.features) || []; });
        }
        if (!response.body || !window.TextDecoder) {
          // No streams in this browser: the whole sequence as text, a feature per line.
          return response.text().then(function (text) {
            return text.split("\n").map(function (line) { return line.replace(/^\x1e/, ""); })
              .filter(function (line) { return line.trim(); }).map(function (line) { return JSON.parse(line); });
          });
        }
        var reader = response.body.getReader(), decoder = new TextDecoder("utf-8");
        var features = [], batches = [], rest = "", ended = false, parsing = false, line = 0;
        return new Promise(function (resolve, reject) {
          function parse() {
            var t0 = performance.now();
            try {
              while (batches.length) {
                var batch = batches[0];
                while (batch.at < batch.lines.length) {
                  var text = batch.lines[batch.at++];
                  line += 1;
                  if (text.charCodeAt(0) === 0x1e) text = text.slice(1);
                  if (text.trim()) features.push(JSON.parse(text));
                  if ((line & 63) === 0 && performance.now() - t0 > SLICE_MS) {
                    if (onProgress) onProgress(features);
                    return nextTask(parse);
                  }
                }
                batches.shift();
              }
            } catch (error) {
              reader.cancel().catch(function () {});
              return reject(new Error("feature " + line + " of the sequence is not JSON"));
            }
            parsing = false;
            if (ended) resolve(features);
          }
          function take(text, last) {
            var lines = (rest + text).split("\n");
            rest = last ? "" : lines.pop();
            if (lines.length) batches.push({ lines: lines, at: 0 });
            if (!parsing) { parsing = true; nextTask(parse); }
          }
          function read() {
            reader.read().then(function (chunk) {
              if (chunk.done) {
                ended = true;
                take(decoder.decode(), true);
                return;
              }
              take(decoder.decode(chunk.value, { stream: true }), false);
              read();
            }, reject);
          }
          read();
        });
      });
  }

  // ---- layers -----------------------------------------------------------------------------------
  function makeGroup(opts, geoOptions) {
    var group = L.featureGroup();
    var info = { opts: opts, sub: {}, byId: {}, state: "idle", promise: null, features: 0, shown: 0, all: null, seq: 0 };
    info.big = Number(opts.count) >= CANVAS_MIN;
    group.atlas = info;
    var types = opts.geometry_types || [];
    if (opts.stream && types.length && types.every(function (t) { return t === "Point" || t === "MultiPoint"; })) {
      // Thousands of points: canvas tiles, fed by a stream (see PointField).
      info.field = new PointField(opts);
      info.stream = opts.stream;
      info.sub = {};
      group.addLayer(info.field);
      return group;
    }
    // One canvas for a big layer: thousands of SVG nodes would make every view change slow.
    if (info.big) info.renderer = L.canvas({ pane: "atlas-point", padding: 0.3 });
    KINDS.forEach(function (kind) {
      info.sub[kind] = L.geoJSON(null, geoOptions(kind, info));
      group.addLayer(info.sub[kind]);
    });
    return group;
  }

  function featureLabel(opts, feature) {
    var p = feature.properties || {};
    return [str(p.name || feature.id), str(opts.title)].filter(Boolean).join(" — ");
  }

  /** An overlay: empty until shown, then filled from opts.url. Called by the folium page. */
  atlas.overlay = function (opts) {
    return makeGroup(opts, function (kind, info) {
      return {
        pane: "atlas-" + kind,
        renderer: info.renderer,
        pointToLayer: function (feature, latlng) {
          return new ShapeMarker(latlng, { pane: "atlas-point", renderer: info.renderer, shape: symbolOf(opts).shape });
        },
        style: function (feature) { return styleFor(opts, feature); },
        onEachFeature: function (feature, layer) {
          if (feature.id !== undefined) info.byId[String(feature.id)] = layer;
          var point = kindOf(feature) === "point" && !!layer.getLatLng;
          layer.bindPopup(function () {
            fitPopupPadding(layer.getPopup());
            return popupContent(opts, feature, point ? layer : null);
          }, {
            maxWidth: 340, minWidth: 220, maxHeight: 380, autoPanPadding: [20, 20]
          });
          if (!info.big) {
            layer.bindTooltip(point ? function () { return tooltipContent(feature, layer); } : tooltipContent(feature), {
              sticky: !point, direction: "top", opacity: 0.95
            });
            // Keyboard and screen readers: each feature is a button in the tab order with its name
            // (focus shows its tooltip, Enter opens it). A big layer's canvas has no nodes: its
            // places are reached through the table.
            layer.on("add", function () {
              var el = layer.getElement && layer.getElement();
              if (!el) return;
              el.setAttribute("tabindex", "0");
              el.setAttribute("role", "button");
              el.setAttribute("aria-label", featureLabel(opts, feature));
            });
          }
          if (point) {
            // Several places often share a city's seat. A click or Enter on a point goes through
            // pointChosen instead of the handlers bindPopup adds (Leaflet 1.9: _openPopup, _onKeyPress);
            // layer.openPopup() still opens this place alone (search, permalinks, the chooser).
            layer.off("click", layer._openPopup, layer);
            layer.off("keypress", layer._onKeyPress, layer);
            layer.on("click", function (e) {
              L.DomEvent.stop(e);
              pointChosen(layer, layer.getLatLng());
            });
            layer.on("keypress", function (e) {
              if (e.originalEvent && (e.originalEvent.key === "Enter" || e.originalEvent.keyCode === 13)) {
                pointChosen(layer, layer.getLatLng());
              }
            });
          }
        }
      };
    });
  };

  /** The offline base: province outlines with their names, drawn under everything, not interactive. */
  atlas.base = function (opts) {
    var group = makeGroup(opts, function () {
      return {
        pane: "atlas-base",
        interactive: false,
        style: function () {
          return { color: "#8a8f98", weight: 1, opacity: 0.9, fillColor: "#f6f3ea", fillOpacity: 1, className: "atlas-province" };
        },
        onEachFeature: function (feature, layer) {
          var p = feature.properties || {};
          if (!p.name && !p.name_zh) return;
          var label = h("span", {}, [str(p.name)]);
          var zh = str(p.name_zh).replace(/(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|省|市)$/, "");
          if (zh) label.appendChild(h("span", { lang: "zh-Hans", className: "atlas-zh", text: " " + zh }));
          layer.bindTooltip(label, {
            permanent: true, direction: "center", className: "atlas-label atlas-province-label", pane: "atlas-labels", interactive: false
          });
          var b = layer.getBounds();
          // Bigger provinces win a contested spot; a province shows its name from zoom 5.
          labels.push({ layer: layer, kind: "province", minZoom: 5, priority: 10 - Math.log(1 + Math.abs((b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()))) });
        }
      };
    });
    group.atlas.base = true;
    group.options.attribution = str(opts.attribution);
    return group;
  };

  // The base's cities, rivers and lakes (config.base): loaded with the province outlines.
  var CITY_ZOOM = { 1: 5, 2: 6, 3: 7 };

  function baseExtra(name, url) {
    var opts = { id: "base-" + name, title: name, url: url };
    var group = makeGroup(opts, function () {
      if (name === "cities") {
        return {
          pane: "atlas-labels",
          interactive: false,
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { pane: "atlas-water", radius: 2.5, weight: 1, color: "#ffffff", fillColor: "#374151", fillOpacity: 1, interactive: false, className: "atlas-city" });
          },
          onEachFeature: function (feature, layer) {
            var p = feature.properties || {};
            var rank = Number(p.rank) || 3;
            var label = h("span", {}, [str(p.name)]);
            layer.bindTooltip(label, {
              permanent: true, direction: "right", offset: [3, 0], className: "atlas-label atlas-city-label atlas-city-rank-" + rank,
              pane: "atlas-labels", interactive: false
            });
            labels.push({ layer: layer, kind: "city", minZoom: CITY_ZOOM[rank] || 7,
              priority: (rank === 1 ? 0 : rank === 2 ? 20 : 30) - Math.log(1 + (Number(p.population) || 0)) / 20 });
          }
        };
      }
      return {
        pane: "atlas-water",
        interactive: false,
        style: function () {
          return name === "lakes"
            ? { color: "#5b8db8", weight: 0.8, fillColor: "#b7d0e3", fillOpacity: 1, className: "atlas-lake" }
            : { color: "#5b8db8", weight: 1.2, opacity: 0.9, className: "atlas-river" };
        }
      };
    });
    group.atlas.base = true;
    return group;
  }

  // ---- labels that do not overprint one another ---------------------------------------------------
  var labels = [];
  var labelsSorted = false;

  /** Show each label that fits: in priority order, a label whose box meets a shown one is hidden.
   * Boxes are read in one pass after the zoom-based visibility is set, so the page lays out once. */
  function placeLabels() {
    if (!map || !labels.length) return;
    if (!labelsSorted) {
      labels.sort(function (a, b) { return a.priority - b.priority; });
      labelsSorted = true;
    }
    var z = map.getZoom();
    var live = [];
    labels.forEach(function (l) {
      var tip = l.layer.getTooltip && l.layer.getTooltip();
      var el = tip && tip.getElement && tip.getElement();
      if (!el || !map.hasLayer(l.layer)) return;
      var on = z >= l.minZoom;
      el.classList.toggle("atlas-label-off", !on);
      if (l.kind === "city" && l.layer.setStyle) l.layer.setStyle({ opacity: on ? 1 : 0, fillOpacity: on ? 1 : 0 });
      if (on) live.push({ el: el });
    });
    live.forEach(function (l) { l.box = l.el.getBoundingClientRect(); });
    var placed = [];
    live.forEach(function (l) {
      var b = l.box;
      var clash = b.width === 0 || placed.some(function (p) {
        return b.left < p.right + 2 && b.right + 2 > p.left && b.top < p.bottom + 1 && b.bottom + 1 > p.top;
      });
      l.el.classList.toggle("atlas-label-hidden", clash);
      if (!clash) placed.push(b);
    });
  }

  var labelTimer = null;
  function scheduleLabels() {
    if (labelTimer) return;
    labelTimer = requestAnimationFrame(function () {
      labelTimer = null;
      placeLabels();
    });
  }

  /** Keep an opening popup clear of the panel and the zoom buttons (Leaflet pans before "popupopen"). */
  function fitPopupPadding(popup) {
    if (!popup || !ui.panel) return;
    var narrow = window.matchMedia(NARROW).matches;
    var open = !ui.panel.classList.contains("atlas-collapsed");
    popup.options.autoPanPaddingTopLeft = L.point(narrow ? 10 : 56, narrow || !open ? ui.panel.offsetHeight + 16 : 14);
    popup.options.autoPanPaddingBottomRight = L.point(!narrow && open ? ui.panel.offsetWidth + 24 : 10, 30);
  }

  function mark(name) {
    if (window.performance && performance.mark) performance.mark(name);
  }

  /** The request <head> started for this URL, if any (taken once: a later load fetches anew), else a new one. */
  function request(url, accept) {
    var early = window.atlasPrefetch && window.atlasPrefetch[url];
    if (early) delete window.atlasPrefetch[url];
    return Promise.resolve(early || fetch(url, { headers: { Accept: accept }, credentials: "same-origin" }));
  }

  function getJSON(url) {
    return request(url, "application/geo+json")
      .then(function (answer) {
        // From <head>: the response with its body already being parsed (see geo.mapview.PREFETCH).
        var response = answer.response || answer;
        if (!response.ok) throw new Error("HTTP " + response.status);
        return answer.parsed || response.json();
      });
  }

  function wanted(group) {
    return group.atlas.base ? state.base === "outlines" : !!state.layers[group.atlas.opts.id];
  }

  // ---- filters ----------------------------------------------------------------------------------
  function filtersActive() {
    var f = state.filter;
    return !!(f.doc || f.asof || f.province || f.precision);
  }

  /** Does a feature pass the filters? A document and a year must hold for the same source. */
  function passes(feature) {
    var f = state.filter;
    var p = feature.properties || {};
    if (f.province && !(Array.isArray(p.provinces) && p.provinces.indexOf(f.province) >= 0)) return false;
    if (f.precision && !(Number(p.precision) <= f.precision)) return false;
    if (f.doc || f.asof) {
      var ok = (Array.isArray(p.sources) ? p.sources : []).some(function (s) {
        if (!s || typeof s !== "object") return false;
        if (f.doc && str(s.document) !== f.doc) return false;
        var y = yearOf(s.date);
        return !f.asof || (y !== null && y <= f.asof);
      });
      if (!ok) return false;
    }
    return true;
  }

  /** A loaded group's features that pass the filters. */
  function shownList(info) {
    return info.base || !filtersActive() ? info.all : info.all.filter(passes);
  }

  /** (Re)draw a loaded group's features that pass the filters, a chunk per task; with ``now``
   * all at once, and a bad feature throws here (build counts on both). */
  function draw(group, now) {
    var info = group.atlas;
    var seq = ++info.seq;
    var list = shownList(info);
    info.shown = list.length;
    if (info.field) {
      info.field.setFeatures(list);
      return info.field.whenDrawn().then(function () { return seq === info.seq; });
    }
    KINDS.forEach(function (k) { info.sub[k].clearLayers(); });
    info.byId = {};
    var i = 0;
    function add(end) {
      for (; i < end; i++) info.sub[kindOf(list[i])].addData(list[i]);
    }
    if (now) {
      add(list.length);
      return Promise.resolve(true);
    }
    return new Promise(function (resolve) {
      function step() {
        if (seq !== info.seq) return resolve(false);
        add(Math.min(list.length, i + CHUNK));
        if (i < list.length) setTimeout(step, 0);
        else resolve(true);
      }
      step();
    });
  }

  /** Put a layer's features in it, then (if it is still wanted) on the map. Before the first
   * picture a shown layer is painted instead, and built a moment later (see paint). */
  function fill(group, features, batch) {  // batch: one of many; the caller calls changed() after
    var info = group.atlas;
    if (info.state === "ready" || info.all) return Promise.resolve();
    info.all = features;
    info.features = features.length;
    if (drawn.first === null && wanted(group) && paint(group)) {
      info.state = "painted";
      info.shown = info.sketch.shown;
      if (!batch) changed();
      return Promise.resolve();
    }
    info.state = "drawing";
    // A big layer goes on the map first, so its chunks appear as they are added.
    if (info.big && wanted(group) && !map.hasLayer(group)) map.addLayer(group);
    return draw(group).then(function () {
      placed(group);
    });
  }

  /** A group's Leaflet layers are made: on the map with it (if it is still wanted). */
  function placed(group) {
    var info = group.atlas;
    info.state = "ready";
    if (wanted(group) && !map.hasLayer(group)) map.addLayer(group);
    if (info.base) scheduleLabels();
    changed();
    // Layers drawn at load wait for the first drawing to be done (see changed) to be refined.
    if (drawn.ready) refine();
  }

  // ---- the first picture: painted in one piece, built into Leaflet layers a moment later --------
  // A Leaflet layer per feature (its options, events, tooltip, popup and SVG node) costs about
  // 0.4 ms: most of the time before the first picture. So at load each shown layer is first
  // painted: its features' SVG paths, in the pixels Leaflet projects them to and with the
  // attributes its path and style code gives them (each a clone of a path styled by that code),
  // in one group per kind in the renderer its Leaflet layers will use. The frame after that shows
  // every layer.
  // The Leaflet layers, which take clicks, focus, tooltips and popups, are built in the next task
  // (build), or at once if the reader acts first (a key, a pointer, a change of view or address),
  // and the painted paths are dropped in that same task, so no frame shows neither.
  var sketched = [];  // groups painted and not yet built
  var DEPTH = { LineString: 0, MultiLineString: 1, Polygon: 1, MultiPolygon: 2 };
  var DEFAULTS = {};
  var recorder = { _setPath: function (layer, d) { this.d = d; } };  // an SVG renderer's path, kept

  /** [lon, lat] to layer pixels, as map.latLngToLayerPoint (projected, rounded, less the pixel
   * origin), written into ``p`` (returned). On the map's Web Mercator, the same sums without a
   * LatLng and two Points made and dropped for each vertex: painting every layer's features took
   * 13 ms instead of 22. */
  function layerPointer() {
    var crs = map.options.crs, merc = L.Projection.SphericalMercator, t = crs.transformation;
    if (crs !== L.CRS.EPSG3857 || crs.projection !== merc || !t || t._a === undefined) {
      return function (c, p) {
        var q = map.latLngToLayerPoint(L.GeoJSON.coordsToLatLng(c));
        p.x = q.x;
        p.y = q.y;
        return p;
      };
    }
    var scale = crs.scale(map.getZoom()), origin = map.getPixelOrigin(), max = merc.MAX_LATITUDE, R = merc.R, d = Math.PI / 180;
    return function (c, p) {
      // In Leaflet's order of operations (SphericalMercator.project, Transformation._transform).
      var sin = Math.sin(Math.max(Math.min(max, c[1]), -max) * d);
      var x = R * c[0] * d, y = R * Math.log((1 + sin) / (1 - sin)) / 2;
      p.x = Math.round(scale * (t._a * x + t._b)) - origin.x;
      p.y = Math.round(scale * (t._c * y + t._d)) - origin.y;
      return p;
    };
  }

  /** A path element with the attributes Leaflet's SVG renderer gives a path with these options
   * (L.SVG._updateStyle), but its class and d: each painted path is a shallow clone of it. */
  function styleTemplate(options) {
    var node = document.createElementNS(SVG_NS, "path");
    L.SVG.prototype._updateStyle({ options: options, _path: node });
    return node;
  }

  /** A feature's style made into Leaflet path options and a path styled with them, once for each
   * distinct style (its class aside): a layer's features share a few, and flattening options and
   * writing attributes for every feature was half the time of painting its points. */
  var STYLES = {};  // paintStyle's, by kind and style
  function paintStyle(kind, style) {
    var key = kind;
    for (var k in style) if (k !== "className") key += "|" + style[k];
    var hit = STYLES[key];
    if (!hit) {
      // A path's default options, flattened (L.extend walks the prototype chain), then the style.
      var base = DEFAULTS[kind] || (DEFAULTS[kind] = L.extend({}, (kind === "point" ? ShapeMarker : kind === "line" ? L.Polyline : L.Polygon).prototype.options));
      var options = L.extend({}, base, style);
      delete options.className;
      hit = STYLES[key] = { options: options, template: styleTemplate(options) };
    }
    return hit;
  }

  function pathNode(style, template, d) {
    var node = template.cloneNode(false);
    node.setAttribute("class", style.className || "");
    node.setAttribute("d", d);
    return node;
  }

  /** A path's d as Leaflet draws its rings (Polyline._projectLatlngs, then L.SVG.pointsToPath): layer
   * pixels, "M x y L x y ...", each ring of a polygon closed with "z" and its closing repeat left
   * out. Not simplified by the smoothFactor as Leaflet's are: that took a third of the time, and
   * the outlines come generalised to half a pixel (see detailUrl), so what it would leave out
   * moves the line by less than a pixel. Positions that fall on the pixel before them are left
   * out (Leaflet's simplify would). */
  function ringsPath(coords, depth, closed, at, p) {
    var i, d = "";
    if (depth > 0) {
      for (i = 0; i < coords.length; i++) d += ringsPath(coords[i], depth - 1, closed, at, p);
      return d;
    }
    var n = coords.length, x = null, y = null;
    if (closed && n >= 2 && coords[0][0] === coords[n - 1][0] && coords[0][1] === coords[n - 1][1]) n -= 1;
    for (i = 0; i < n; i++) {
      at(coords[i], p);
      if (p.x === x && p.y === y) continue;
      d += (x === null ? "M" : "L") + p.x + " " + p.y;
      x = p.x;
      y = p.y;
    }
    return closed ? d + "z" : d;
  }

  /** A feature's paths, as its Leaflet layer would draw them (the options GeoJSON.resetStyle gives). */
  function sketchOf(opts, feature, at, out) {
    var g = feature.geometry, kind = kindOf(feature), style = styleFor(opts, feature);
    var paint = paintStyle(kind, style), options = paint.options, p = { x: 0, y: 0 };
    if (kind !== "point") {
      if (DEPTH[g.type] === undefined) throw new Error("cannot paint a " + g.type);
      out[kind].push(pathNode(style, paint.template, ringsPath(g.coordinates, DEPTH[g.type], kind === "area", at, p) || "M0 0"));
      return;
    }
    var list = g.type === "MultiPoint" ? g.coordinates : [g.coordinates];
    for (var i = 0; i < list.length; i++) {
      var marker = { _point: at(list[i], { x: 0, y: 0 }), _radius: options.radius, options: options, _empty: function () { return false; } };
      if (options.shape && options.shape !== "circle") L.SVG.prototype._updateAtlasShape.call(recorder, marker);
      else L.SVG.prototype._updateCircle.call(recorder, marker);
      out.point.push(pathNode(style, paint.template, recorder.d));
      if (g.type === "Point") out.at.push(L.GeoJSON.coordsToLatLng(list[i]));  // as drawBadges counts markers (a MultiPoint is a group)
    }
  }

  /** Paint a group's shown features (see above); false if it is drawn the usual way instead. */
  function paint(group) {
    var info = group.atlas;
    if (info.base || info.big || info.field || !L.Browser.svg || map.options.preferCanvas || map.options.renderer) return false;
    var list = shownList(info), out = { area: [], line: [], point: [], at: [] }, at = layerPointer();
    try {
      list.forEach(function (feature) { sketchOf(info.opts, feature, at, out); });
    } catch (error) {
      return false;  // Leaflet, drawing it, says what is wrong
    }
    var nodes = [];
    KINDS.forEach(function (kind) {
      if (!out[kind].length) return;
      var renderer = map.getRenderer({ options: { pane: "atlas-" + kind } });
      var node = document.createElementNS(SVG_NS, "g");
      node.setAttribute("class", "atlas-sketch");
      out[kind].forEach(function (path) { node.appendChild(path); });
      renderer._rootGroup.appendChild(node);
      nodes.push(node);
    });
    info.sketch = { nodes: nodes, at: out.at, shown: list.length };
    sketched.push(group);
    return true;
  }

  /** A press on the painted picture, just built (see atlas.start): the feature path now under the
   * pointer, if it is not what was pressed. */
  var pressed = null;
  function pressedOnPicture(e) {
    var under = document.elementFromPoint(e.clientX, e.clientY);
    var feature = under && under.closest && under.closest("path.leaflet-interactive");
    pressed = feature && !feature.contains(e.target) ? { feature: feature, x: e.clientX, y: e.clientY, at: e.timeStamp } : null;
  }

  /** The painted groups' Leaflet layers, in place of their paths. */
  function build() {
    var list = sketched;
    sketched = [];
    list.forEach(function (group) {
      var info = group.atlas, error = null;
      info.state = "drawing";
      try {
        draw(group, true);
      } catch (e) {
        error = e;
      }
      info.sketch.nodes.forEach(function (node) { if (node.parentNode) node.parentNode.removeChild(node); });
      info.sketch = null;
      if (error) failed(group, error);
      else placed(group);
    });
    // The painted badges go in this task too, for markers: no frame shows a painted badge on a
    // map that has moved or zoomed since (a marker follows the zoom animation; they would not).
    if (badges && badges.painted) drawBadges();
    // Every shown layer now takes clicks and focus: the next input finds its paths.
    if (!pending()) markReady();
  }

  /** Once: every layer shown at load is built into Leaflet layers (clicks, focus, popups). */
  function markReady() {
    if (drawn.readyMarked) return;
    drawn.readyMarked = true;
    mark("atlas-layers-ready");
  }

  function redrawAll() {
    groups.forEach(function (g) {
      if (!g.atlas.all) return;
      g.atlas.state = "drawing";
      draw(g).then(function (done) {
        if (!done) return;
        g.atlas.state = "ready";
        changed();
      });
    });
    changed();
  }

  function failed(group, error) {
    group.atlas.state = "error";
    group.atlas.promise = null;
    changed(group.atlas.opts.title + " could not be loaded (" + error.message + ")");
  }

  /** A streamed layer while it is read: the count in the status line, and (past a second, then
   * each second) the places read so far on the map, so a long read shows as it goes. */
  function progress(group, sofar) {
    var info = group.atlas;
    setStatus("Reading " + info.opts.title + ": " + sofar.length.toLocaleString("en") + " places…");
    var now = performance.now();
    if (!info.field || !wanted(group)) return;
    if (!info.readFrom) info.readFrom = now;
    if (now - info.readFrom < 1000 || now - (info.shownAt || 0) < 1000) return;
    info.shownAt = now;
    if (!map.hasLayer(group)) map.addLayer(group);
    info.field.setFeatures(filtersActive() ? sofar.filter(passes) : sofar.slice());
  }

  // ---- outlines generalised for the zoom (geo.generalise) ----------------------------------------
  /** The step (a zoom) of the outlines asked for at ``zoom``, or null for full detail. */
  function detailStep(zoom) {
    var d = config && config.detail;
    return d && d.offsets && d.offsets[String(zoom)] ? zoom : null;
  }

  /** ``url`` asking for the outlines as ``step`` shows them (as <head> asks: geo.mapview.PREFETCH). */
  function detailUrl(url, step) {
    if (step === null) return url;
    var d = config.detail;
    return url + (url.indexOf("?") < 0 ? "?" : "&") + d.param + "=" + d.offsets[String(step)];
  }

  function latLngsOf(geometry) {
    var deep = { LineString: 0, MultiLineString: 1, Polygon: 1, MultiPolygon: 2 }[geometry && geometry.type];
    return deep === undefined ? null : L.GeoJSON.coordsToLatLngs(geometry.coordinates, deep);
  }

  /** Once the map is zoomed in past what a layer's outlines were made for, its outlines in full
   * detail replace them in place: the same Leaflet layers (popups, focus, tooltips), new vertices. */
  function refine() {
    if (!map) return;
    var zoom = map.getZoom();
    groups.forEach(function (g) {
      var info = g.atlas;
      if (info.step === null || info.step === undefined || info.refining || info.state !== "ready") return;
      if (zoom <= info.step || !wanted(g)) return;
      info.refining = true;
      getJSON(info.opts.url).then(function (collection) {
        var full = {};
        (collection.features || []).forEach(function (f) { if (f && f.id !== undefined) full[String(f.id)] = f; });
        (info.all || []).forEach(function (f) {
          var better = f && full[String(f.id)];
          if (!better || !better.geometry || kindOf(better) === "point") return;
          f.geometry = better.geometry;
          var layer = info.byId[String(f.id)], latlngs = layer && layer.setLatLngs && latLngsOf(better.geometry);
          if (latlngs) layer.setLatLngs(latlngs);
        });
        info.step = null;
        info.refining = false;
        countGeneralised();  // not changed(): the status line keeps what it says
      }, function () {
        info.refining = false;  // tried again at the next zoom
      });
    });
  }

  /** Shown layers whose outlines are still generalised, on the page (tests wait for 0 after a zoom). */
  function countGeneralised() {
    document.documentElement.setAttribute("data-atlas-generalised", String(visibleGroups().filter(function (g) {
      return g.atlas.step !== null && g.atlas.step !== undefined;
    }).length));
  }

  function load(group, zoom) {
    var info = group.atlas;
    if (info.promise) return info.promise;
    info.state = "loading";
    changed();
    info.step = info.stream || !info.opts.outlines ? null : detailStep(zoom === undefined ? map.getZoom() : zoom);
    var read = info.stream
      ? streamFeatures(info.stream, function (sofar) { progress(group, sofar); })
      : getJSON(detailUrl(info.opts.url, info.step)).then(function (collection) { return collection.features || []; });
    info.promise = read
      .then(function (features) {
        return fill(group, features);
      })
      .then(function () { return group; })
      .catch(function (error) {
        failed(group, error);
        throw error;
      });
    return info.promise;
  }

  /** Load several layers: one request for every feature when most layers are needed at once
   * (the default view), else one request per layer. At load, the layers the opening request
   * holds (geo.mapview.opening_request, preloaded) come from it, whatever the address says. */
  function loadMany(list, zoom) {
    var need = list.filter(function (g) { return !g.atlas.promise && g.atlas.state !== "ready"; });
    var opening = config.opening, rest = false, at = zoom === undefined ? map.getZoom() : zoom;
    // As <head> takes it (geo.mapview.PREFETCH): not for a view closer in than its outlines.
    if (opening && window.atlasPrefetch && window.atlasPrefetch[opening.url] && (opening.step === null || at <= opening.step)) {
      var held = need.filter(function (g) { return opening.layers.indexOf(g.atlas.opts.id) >= 0; });
      if (held.length) {
        loadBulk(held, opening.url, opening.step);
        need = need.filter(function (g) { return held.indexOf(g) < 0; });
        if (!need.length) return;
        rest = true;  // the others in one more request, as <head> asked for them
      }
    }
    // /api/features holds every layer: with a streamed (big) layer among them it would hold that
    // one too, parsed in one piece; each layer then comes on its own.
    var streamed = groups.some(function (g) { return g.atlas.stream; });
    if (!config.urls.features || streamed || !rest && (need.length < 4 || need.length * 2 < groups.length)) {
      need.forEach(function (g) { load(g, zoom).catch(function () {}); });
      return;
    }
    // The layers needed now, in one request (in panel order, as <head> asked for them: see
    // geo.mapview.PREFETCH); the others load when they are shown.
    var all = groups.filter(function (g) { return need.indexOf(g) >= 0; });
    var ids = all.map(function (g) { return g.atlas.opts.id; });
    var step = detailStep(zoom === undefined ? map.getZoom() : zoom);
    var outlined = all.some(function (g) { return g.atlas.opts.outlines; });
    var url = config.urls.features + (ids.length < groups.length ? "?layers=" + encodeURIComponent(ids.join(",")) : "");
    loadBulk(all, outlined ? detailUrl(url, step) : url, step);
  }

  /** The layers of ``all`` from one /api/features request (its outlines generalised for ``step``). */
  function loadBulk(all, url, step) {
    all.forEach(function (g) { g.atlas.step = g.atlas.opts.outlines ? step : null; });
    var bulk = getJSON(url).then(function (collection) {
      var byId = {};
      (collection.features || []).forEach(function (feature) {
        var id = feature.properties && feature.properties.layer;
        (byId[id] = byId[id] || []).push(feature);
      });
      var filled = Promise.all(all.map(function (g) { return fill(g, byId[g.atlas.opts.id] || [], true); }));
      changed();  // once for the painted layers (each walks every layer's row in the panel)
      return filled;
    });
    all.forEach(function (g) {
      g.atlas.state = "loading";
      g.atlas.promise = bulk.then(function () { return g; }, function (error) {
        failed(g, error);
        throw error;
      });
      g.atlas.promise.catch(function () {});
    });
    changed();
  }

  // ---- places that share a spot: a count badge on the spot ----------------------------------------
  var badges = null;
  var badgeTimer = null;

  function scheduleBadges() {
    if (badgeTimer || !map) return;
    badgeTimer = requestAnimationFrame(function () {
      badgeTimer = null;
      drawBadges();
    });
  }

  var BADGE_SIZE = [18, 18], BADGE_ANCHOR = [-3, 21];  // the badges' divIcon: beside the spot, above it

  /** The painted picture's badges (see paint): the markup Leaflet's markers make for these divIcons
   * (L.Marker._initIcon, _setPos; L.DivIcon.createIcon), in their pane, at their spot. Making 19
   * markers took 4 ms before the first picture; they are made when the layers are built (build).
   * False where Leaflet would place them otherwise (without 3D transforms: left and top). */
  function paintBadges(list) {
    var pane = map.getPane("atlas-badges");
    if (!pane || !L.Browser.any3d) return false;
    var className = "leaflet-marker-icon atlas-badge" + (map._zoomAnimated ? " leaflet-zoom-animated" : "");
    var box = "margin-left: " + -BADGE_ANCHOR[0] + "px; margin-top: " + -BADGE_ANCHOR[1] + "px; width: " +
      BADGE_SIZE[0] + "px; height: " + BADGE_SIZE[1] + "px; ";
    badges.painted = list.map(function (spot) {
      var at = map.latLngToLayerPoint(spot.at).round();
      var node = h("div", { className: className, "aria-hidden": "true" }, [
        h("span", { className: "atlas-badge-count", text: String(spot.n) })]);
      // Through the CSSOM: the page's CSP refuses style attributes in markup.
      node.style.cssText = box + "transform: translate3d(" + at.x + "px, " + at.y + "px, 0px); z-index: " + at.y + ";";
      pane.appendChild(node);
      return node;
    });
    return true;
  }

  function dropPaintedBadges() {
    (badges.painted || []).forEach(function (node) { if (node.parentNode) node.parentNode.removeChild(node); });
    badges.painted = null;
  }

  /** A badge with the number of places at each spot that holds more than one shown point. */
  function drawBadges() {
    if (!badges) return;
    var spots = {};
    function count(ll) {
      if (!ll) return;
      var key = ll.lat.toFixed(5) + "," + ll.lng.toFixed(5);
      (spots[key] = spots[key] || { at: ll, n: 0 }).n += 1;
    }
    groups.forEach(function (g) {
      if (g.atlas.big) return;
      if (g.atlas.sketch) return g.atlas.sketch.at.forEach(count);  // painted, not yet built
      if (!map.hasLayer(g)) return;
      g.atlas.sub.point.eachLayer(function (marker) { count(marker.getLatLng && marker.getLatLng()); });
    });
    var shared = Object.keys(spots).filter(function (key) { return spots[key].n > 1; });
    // The same badges as before (the layers were built, the panel was made): nothing to redo.
    // Painted ones are made into markers once the layers are built.
    var painting = sketched.length > 0;
    var signature = (painting ? "painted " : "") + shared.map(function (key) { return key + "=" + spots[key].n; }).join(";");
    if (signature === badges.signature) return;
    badges.signature = signature;
    dropPaintedBadges();
    badges.clearLayers();
    if (painting && paintBadges(shared.map(function (key) { return spots[key]; }))) return;
    shared.forEach(function (key) {
      var spot = spots[key];
      var el = h("span", { className: "atlas-badge-count", text: String(spot.n) });
      badges.addLayer(L.marker(spot.at, {
        icon: L.divIcon({ className: "atlas-badge", html: el, iconSize: BADGE_SIZE, iconAnchor: BADGE_ANCHOR }),
        interactive: false, keyboard: false, pane: "atlas-badges"
      }));
    });
    if (badges.getPane()) badges.eachLayer(function (m) { var e = m.getElement(); if (e) e.setAttribute("aria-hidden", "true"); });
  }

  // ---- the app ----------------------------------------------------------------------------------
  var map, config, tiles, outlines, baseGroups = [], groups = [], byLayer = {}, ui = {}, state = {
    layers: {}, base: "osm", place: null, userBase: false, filter: { doc: null, asof: null, province: null, precision: null }
  };
  // first: when every layer shown at load was first on the map (painted); ready: when they had
  // all been built into Leaflet layers, which take clicks, focus, tooltips and popups.
  var drawn = { count: 0, first: null, ready: false, readyMarked: false, scheduled: false };
  var tilesLater = false;

  function visibleGroups() {
    return groups.filter(function (g) { return state.layers[g.atlas.opts.id]; });
  }

  /** Shown layers not yet ready (a painted layer is not: it takes no clicks yet). */
  function pending() {
    return visibleGroups().filter(function (g) { return g.atlas.state !== "ready" && g.atlas.state !== "error"; }).length;
  }

  /** Shown layers not yet on the map, painted or built. */
  function unpainted() {
    return visibleGroups().filter(function (g) {
      return g.atlas.state !== "ready" && g.atlas.state !== "error" && g.atlas.state !== "painted";
    }).length;
  }

  function shownTotal() {
    return visibleGroups().reduce(function (n, g) { return n + (g.atlas.state === "ready" ? g.atlas.shown : 0); }, 0);
  }

  function changed(message) {
    if (!map) return;
    var waiting = pending();
    document.documentElement.setAttribute("data-atlas-pending", String(waiting));
    countGeneralised();
    groups.forEach(function (g) {
      var id = g.atlas.opts.id;
      var row = ui.rows && ui.rows[id];
      if (row) row.setAttribute("data-state", g.atlas.state);
      var count = ui.counts && ui.counts[id];
      if (count) {
        var total = g.atlas.all ? g.atlas.features : Number(g.atlas.opts.count) || 0;
        var shown = g.atlas.state === "ready" ? g.atlas.shown : total;
        count.textContent = String(shown);
        count.title = shown === total ? total + " places" : shown + " of " + total + " places match the filters";
        count.classList.toggle("atlas-count-filtered", shown !== total);
      }
    });
    if (ui.filterSummary) {
      var n = shownTotal();
      ui.filterSummary.textContent = waiting ? "" : n + (n === 1 ? " place shown" : " places shown") + (filtersActive() ? " (filtered)." : ".");
    }
    if (message) {
      setStatus(message);
    } else if (waiting) {
      setStatus("Loading " + waiting + (waiting === 1 ? " layer…" : " layers…"));
    } else {
      var shown = visibleGroups().length;
      setStatus(shown ? shown + (shown === 1 ? " layer shown." : " layers shown.") : "No layer shown.");
    }
    scheduleBadges();
    if (ui.table && !ui.table.hidden) scheduleTable();
    if (!unpainted() && !drawn.scheduled) {
      // Every visible layer is on the map; tell whoever waits (tests, the benchmark) after a frame.
      drawn.scheduled = true;
      requestAnimationFrame(function () {
        drawn.scheduled = false;
        if (unpainted()) return;
        if (drawn.first === null) {
          drawn.first = performance.now();
          mark("atlas-layers-drawn");
        }
        if (sketched.length) {
          // The first picture is painted (this frame shows it): the Leaflet layers next task.
          setTimeout(build, 0);
          return;
        }
        if (pending()) return;
        drawn.count += 1;
        if (!drawn.ready) {
          drawn.ready = true;
          markReady();
          writeHash();
          if (tilesLater && state.base === "osm" && !map.hasLayer(tiles)) map.addLayer(tiles);
          buildUi();
          refine();
        }
        document.documentElement.setAttribute("data-atlas-drawn", String(drawn.count));
        document.dispatchEvent(new CustomEvent("atlas:drawn", { detail: { at: performance.now() } }));
        openPlace();
      });
    }
  }

  function setStatus(text) {
    if (ui.status && ui.status.textContent !== text) ui.status.textContent = text;
  }

  /** Show or hide a layer. ``deferLoad``: its data is asked for by the caller (loadMany). ``batch``:
   * one of many switched together, the caller updating the theme boxes and the panel once after
   * (each update walks every layer: at load, 22 of them took 3 ms before the first picture). */
  function setLayer(id, on, deferLoad, batch) {
    var group = byLayer[id];
    if (!group) return;
    state.layers[id] = !!on;
    var box = ui.boxes[id];
    if (box) box.checked = !!on;
    if (on) {
      // A loaded layer goes on the map now; a loading one when its data is in (see fill).
      if (group.atlas.state === "ready" && !map.hasLayer(group)) {
        map.addLayer(group);
        if (drawn.ready) refine();
      } else if (!deferLoad) load(group).catch(function () {});
    } else if (map.hasLayer(group)) {
      map.removeLayer(group);
    }
    if (batch) return;
    updateThemes();
    changed();
  }

  function updateThemes() {
    config.themes.forEach(function (theme) {
      var box = ui.themeBoxes[theme.id];
      if (!box) return;
      var ids = theme.layers.filter(function (id) { return byLayer[id]; });
      var on = ids.filter(function (id) { return state.layers[id]; }).length;
      box.checked = ids.length > 0 && on === ids.length;
      box.indeterminate = on > 0 && on < ids.length;
    });
  }

  function setBase(name, byUser) {
    state.base = name === "outlines" ? "outlines" : "osm";
    if (byUser) state.userBase = true;
    var offline = [outlines].concat(baseGroups);
    if (state.base === "osm") {
      offline.forEach(function (g) { if (map.hasLayer(g)) map.removeLayer(g); });
      // At load the tiles wait until the layers are drawn: their two dozen requests, decodes and
      // fade-ins would share the main thread (and the network) with the data the reader came for.
      if (!drawn.ready) tilesLater = true;
      else if (!map.hasLayer(tiles)) map.addLayer(tiles);
    } else {
      if (map.hasLayer(tiles)) map.removeLayer(tiles);
      offline.forEach(function (g) {
        if (g.atlas.state === "ready") map.addLayer(g);
        else load(g).catch(function () {});
      });
      scheduleLabels();
    }
    map.getContainer().classList.toggle("atlas-offline", state.base === "outlines");
    if (ui.baseRadios) ui.baseRadios[state.base].checked = true;
  }

  /** Tiles could not be had: the offline base, and a notice that stays until it is dismissed. */
  function showTilesNotice() {
    if (ui.notice) return;
    var close = h("button", { type: "button", className: "atlas-notice-close", text: "Dismiss" });
    ui.notice = h("div", { className: "atlas-notice", role: "status" }, [
      h("p", { text: "Map tiles are unreachable, so the map shows its offline base: provinces, cities, rivers and lakes." }),
      close
    ]);
    close.addEventListener("click", function () {
      if (ui.notice && ui.notice.parentNode) ui.notice.parentNode.removeChild(ui.notice);
      map.getContainer().focus({ preventScroll: true });
    });
    L.DomEvent.disableClickPropagation(ui.notice);
    map.getContainer().appendChild(ui.notice);
  }

  // ---- permalink ----------------------------------------------------------------------------------
  function readHash() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    var out = {};
    var view = (params.get("map") || "").split("/").map(Number);
    if (view.length === 3 && view.every(isFinite) && Math.abs(view[1]) <= 90 && Math.abs(view[2]) <= 360) {
      out.zoom = Math.max(map.getMinZoom(), Math.min(map.getMaxZoom(), Math.round(view[0])));
      out.center = L.latLng(view[1], view[2]);
    }
    if (params.has("layers")) {
      out.layers = {};
      params.get("layers").split(",").forEach(function (id) {
        if (byLayer[id]) out.layers[id] = true;
      });
    }
    var base = params.get("base");
    if (base === "osm" || base === "outlines") out.base = base;
    var place = params.get("place");
    if (place) out.place = place.slice(0, 200);
    // Filters: only values the page offers count; anything else is no filter.
    var doc = params.get("doc");
    var asof = Number(params.get("asof"));
    var province = params.get("province");
    var precision = Number(params.get("precision"));
    out.filter = {
      doc: doc && (config.documents || []).some(function (d) { return d.document === doc; }) ? doc : null,
      asof: asof >= FIRST_YEAR && asof < lastYear() ? Math.round(asof) : null,
      province: province && (config.provinces || []).indexOf(province) >= 0 ? province : null,
      precision: precision >= 1 && precision <= 4 ? Math.round(precision) : null
    };
    return out;
  }

  function writeHash() {
    if (!map || ui.applying) return;
    var c = map.getCenter();
    var z = map.getZoom();
    var digits = Math.max(2, Math.min(6, Math.ceil(Math.log(Math.pow(2, z)) / Math.LN10) + 1));
    var ids = groups.map(function (g) { return g.atlas.opts.id; }).filter(function (id) { return state.layers[id]; });
    var parts = [
      "map=" + z + "/" + c.lat.toFixed(digits) + "/" + c.lng.toFixed(digits),
      "layers=" + ids.map(encodeURIComponent).join(","),
      "base=" + state.base
    ];
    var f = state.filter;
    if (f.doc) parts.push("doc=" + encodeURIComponent(f.doc));
    if (f.asof) parts.push("asof=" + f.asof);
    if (f.province) parts.push("province=" + encodeURIComponent(f.province));
    if (f.precision) parts.push("precision=" + f.precision);
    if (state.place) parts.push("place=" + encodeURIComponent(state.place));
    var hash = "#" + parts.join("&");
    if (window.location.hash !== hash) history.replaceState(null, "", hash);
    if (ui.embedCode) ui.embedCode.value = embedCode();
  }

  function setFilter(filter, redraw) {
    var before = JSON.stringify(state.filter);
    state.filter = filter;
    syncFilterControls();
    if (redraw !== false && JSON.stringify(filter) !== before) {
      redrawAll();
      writeHash();
    }
  }

  function applyHash(first) {
    if (sketched.length) build();
    var wanted = readHash();
    ui.applying = true;
    try {
      // Filters before the layers are drawn, so each is drawn once.
      setFilter(wanted.filter, !first);
      // Layers first, so their data is on its way while the view is laid out.
      var layers = wanted.layers;
      if (!layers && first) {
        // No layers in the address: those the index marks visible (broad regions start hidden).
        layers = {};
        groups.forEach(function (g) { layers[g.atlas.opts.id] = g.atlas.opts.visible !== false; });
      }
      if (layers) {
        groups.forEach(function (g) { setLayer(g.atlas.opts.id, !!layers[g.atlas.opts.id], true, true); });
        updateThemes();  // changed() follows, below
        // At the zoom the view is about to get (the address's, else the page's opening zoom).
        loadMany(groups.filter(function (g) { return layers[g.atlas.opts.id]; }),
          wanted.center ? wanted.zoom : (first ? config.detail && config.detail.home : undefined));
      }
      if (wanted.center) {
        map.setView(wanted.center, wanted.zoom, { animate: false });
      } else if (first) {
        var b = config.bbox;
        // Keep the home view clear of the panel where it sits beside the map. Its width comes from
        // atlas.css, not from measuring it: a forced layout here would hold back the data request.
        var side = window.matchMedia(NARROW).matches ? 10 : PANEL_WIDTH + 30;
        map.fitBounds([[b[1], b[0]], [b[3], b[2]]], {
          paddingTopLeft: [10, 10], paddingBottomRight: [side, 10], animate: false
        });
      }
      // The base after the view, so tiles are asked for the view that is shown. On the first
      // run one task later: adding a tile layer forces a layout, and Chrome sends the data
      // request only when this task ends. A base named in the address is a preference, not a
      // fact: the page still falls back to the outlines if tiles fail.
      var base = wanted.base || (first ? "osm" : null);
      if (base && first) {
        state.base = base;
        setTimeout(function () { setBase(state.base, false); }, 0);
      } else if (base) {
        setBase(base, false);
      }
      state.place = wanted.place || null;
      state.placePending = !!wanted.place;
    } finally {
      ui.applying = false;
    }
    // The address says what is shown, but at load not before the layers are drawn:
    // history.replaceState took 7 ms, more than a third of painting every layer.
    if (!first) writeHash();
    changed();
  }

  function findFeature(id) {
    for (var i = 0; i < groups.length; i++) {
      var layer = layerOf(groups[i], id);
      if (layer) return { group: groups[i], layer: layer };
    }
    return null;
  }

  /** The Leaflet layer that draws feature ``id`` in ``group`` (a PointField's stand-in for it). */
  function layerOf(group, id) {
    var info = group.atlas;
    return (info.field ? info.field.proxyById(id) : info.byId[String(id)]) || null;
  }

  function openPlace() {
    if (!state.placePending || !state.place) return;
    var hit = findFeature(state.place);
    if (hit && map.hasLayer(hit.group)) {
      state.placePending = false;
      hit.layer.openPopup();
    } else if (!pending()) {
      state.placePending = false;
    }
  }

  // ---- search ---------------------------------------------------------------------------------
  var searchSeq = 0;

  function searchPlaces(q) {
    var seq = ++searchSeq;
    var url = config.urls.places + "?limit=8&q=" + encodeURIComponent(q);
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body && body.message ? body.message : "HTTP " + response.status);
          return body;
        });
      })
      .then(function (body) {
        if (seq === searchSeq) showResults(q, body.results || []);
        return body.results || [];
      });
  }

  function showResults(q, results) {
    var list = ui.results;
    while (list.firstChild) list.removeChild(list.firstChild);
    ui.lastResults = results;
    ui.lastQuery = q;
    if (!q) {
      closeResults();
      return;
    }
    if (!results.length) {
      list.appendChild(h("li", { className: "atlas-noresult", text: "No place matches “" + q + "”." }));
    }
    results.forEach(function (r, i) {
      var group = byLayer[r.layer];
      var button = h("button", { type: "button", className: "atlas-result", "data-index": i }, [
        swatch(kindOf({ geometry: { type: r.geometry_type } }), group ? group.atlas.opts : null, false),
        h("span", { className: "atlas-result-name", text: str(r.name) }),
        r.name_zh ? h("span", { className: "atlas-zh", lang: "zh-Hans", text: str(r.name_zh) }) : null,
        h("span", { className: "atlas-result-layer", text: str(r.layer_title) +
          (r.matched && r.matched.field === "host" ? " · in " + str(r.matched.text) : "") })
      ]);
      button.addEventListener("click", function () { choose(r); });
      list.appendChild(h("li", {}, [button]));
    });
    list.hidden = false;
    ui.search.setAttribute("aria-expanded", "true");
  }

  function closeResults() {
    ui.results.hidden = true;
    ui.search.setAttribute("aria-expanded", "false");
  }

  /** A result was chosen: the list closes (the query stays), and the place opens. */
  function choose(result) {
    closeResults();
    return goTo(result);
  }

  function goTo(result) {
    var group = byLayer[result.layer];
    if (!group) return Promise.resolve();
    if (!state.layers[result.layer]) {
      setLayer(result.layer, true);
      writeHash();
    }
    return load(group).then(function () {
      var layer = layerOf(group, result.id);
      if (!layer) {
        setStatus(str(result.name) + " is hidden by the filters.");
        return;
      }
      if (layer.getLatLng) {
        map.setView(layer.getLatLng(), Math.max(map.getZoom(), 8), { animate: false });
      } else if (layer.getBounds && layer.getBounds().isValid()) {
        map.fitBounds(layer.getBounds(), { maxZoom: 9, padding: [30, 30], animate: false });
      }
      if (window.matchMedia(NARROW).matches) setPanelOpen(false);
      var at = result.center && !layer.getLatLng ? L.latLng(result.center[1], result.center[0]) : undefined;
      layer.openPopup(at);
      setStatus("Showing " + str(result.name) + ".");
    });
  }

  function onSearchSubmit(event) {
    event.preventDefault();
    var q = ui.search.value.trim();
    if (!q) return;
    var ready = q === ui.lastQuery && ui.lastResults ? Promise.resolve(ui.lastResults) : searchPlaces(q);
    ready.then(function (results) {
      if (results.length) return choose(results[0]);
      setStatus("No place matches “" + q + "”.");
    }).catch(function (error) { setStatus("Search failed: " + error.message); });
  }

  function onSearchInput() {
    var q = ui.search.value.trim();
    clearTimeout(ui.searchTimer);
    // Results of another query never stand for this one.
    if (q !== ui.lastQuery && !ui.results.hidden) showResults("", []);
    if (!q) {
      searchSeq += 1;
      showResults("", []);
      return;
    }
    ui.searchTimer = setTimeout(function () {
      searchPlaces(q).catch(function (error) { setStatus("Search failed: " + error.message); });
    }, 150);
  }

  function onSearchKeys(event) {
    var buttons = Array.prototype.slice.call(ui.results.querySelectorAll("button"));
    var index = buttons.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && buttons.length) {
      event.preventDefault();
      if (ui.results.hidden && ui.lastQuery) showResults(ui.lastQuery, ui.lastResults || []);
      buttons[Math.min(buttons.length - 1, index + 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) ui.search.focus();
      else buttons[index - 1].focus();
    } else if (event.key === "Escape") {
      // Escape closes the list and leaves the query as typed (a search box would clear it by
      // default; its own x button still does).
      event.preventDefault();
      if (!ui.results.hidden) {
        event.stopPropagation();
        closeResults();
      }
      ui.search.focus();
    }
  }

  // ---- the panel ------------------------------------------------------------------------------
  function setPanelOpen(open) {
    ui.panel.classList.toggle("atlas-collapsed", !open);
    ui.toggle.setAttribute("aria-expanded", open ? "true" : "false");
    ui.toggle.textContent = open ? "Hide panel" : "Layers & search";
  }

  function keyNode() {
    var grey = { symbol: { colour: "#64748b", outline: "#475569", shape: "circle" } };
    var items = [
      [swatch("point", grey, false), "Place at a city, county or district seat"],
      [swatch("point", grey, true), "Province-wide or estimated place"],
      [swatch("area", grey, false), "Area: union of its official member units"],
      [swatch("area", grey, true), "Area with estimated membership"],
      [swatch("line", grey, true), "Schematic route between its end points"],
      [h("span", { className: "atlas-badge-key", "aria-hidden": "true", text: "3" }), "Number of places that share a spot"]
    ];
    return h("details", { className: "atlas-key" }, [
      h("summary", { text: "How to read the symbols" }),
      h("p", { className: "atlas-help", text: "Each layer has its own colour and shape; layers of a theme share the colour." }),
      h("ul", {}, items.map(function (item) { return h("li", {}, [item[0], item[1]]); }))
    ]);
  }

  function lastYear() {
    var years = (config.documents || []).map(function (d) { return yearOf(d.date); }).filter(Boolean);
    return Math.max.apply(null, [FIRST_YEAR].concat(years));
  }

  function syncFilterControls() {
    if (!ui.filters) return;
    var f = state.filter;
    ui.filters.doc.value = f.doc || "";
    ui.filters.province.value = f.province || "";
    ui.filters.precision.value = f.precision ? String(f.precision) : "";
    ui.filters.asof.value = String(f.asof || lastYear());
    ui.filters.asofOut.textContent = f.asof ? "documents of " + f.asof + " and before" : "every document";
    ui.filters.asof.setAttribute("aria-valuetext", f.asof ? "as of " + f.asof : "every year");
    ui.filters.clear.disabled = !filtersActive();
  }

  function filterNode() {
    var docs = h("select", { id: "atlas-f-doc" }, [h("option", { value: "", text: "Every document" })].concat(
      (config.documents || []).map(function (d) {
        var year = yearOf(d.date);
        return h("option", { value: str(d.document), text: (year ? year + " · " : "") + str(d.title || d.document) });
      })));
    var provinces = h("select", { id: "atlas-f-province" }, [h("option", { value: "", text: "Every province" })].concat(
      (config.provinces || []).map(function (p) { return h("option", { value: p, text: p }); })));
    var precision = h("select", { id: "atlas-f-precision" }, [
      h("option", { value: "", text: "Any, estimated too" }),
      h("option", { value: "2", text: "A town or county" }),
      h("option", { value: "3", text: "A city or better" }),
      h("option", { value: "4", text: "A province or better" })
    ]);
    var asof = h("input", { id: "atlas-f-asof", type: "range", min: FIRST_YEAR, max: lastYear(), step: 1, value: lastYear() });
    var asofOut = h("output", { id: "atlas-f-asof-out", for: "atlas-f-asof" });
    var clear = h("button", { type: "button", className: "atlas-f-clear", text: "Clear filters" });
    ui.filterSummary = h("p", { className: "atlas-filter-summary", role: "status", "aria-live": "polite" });
    ui.filters = { doc: docs, province: provinces, precision: precision, asof: asof, asofOut: asofOut, clear: clear };

    function read() {
      var year = Number(asof.value);
      setFilter({
        doc: docs.value || null,
        asof: year < lastYear() ? year : null,
        province: provinces.value || null,
        precision: precision.value ? Number(precision.value) : null
      });
    }
    [docs, provinces, precision].forEach(function (s) { s.addEventListener("change", read); });
    asof.addEventListener("input", function () {
      var year = Number(asof.value);
      asofOut.textContent = year < lastYear() ? "documents of " + year + " and before" : "every document";
    });
    asof.addEventListener("change", read);
    clear.addEventListener("click", function () {
      setFilter({ doc: null, asof: null, province: null, precision: null });
    });
    return h("fieldset", { className: "atlas-filters" }, [
      h("legend", { text: "Filter places" }),
      h("label", { for: docs.id, text: "Named in" }), docs,
      h("label", { for: asof.id }, ["As of ", asofOut]), asof,
      h("label", { for: provinces.id, text: "Province" }), provinces,
      h("label", { for: precision.id, text: "Located to" }), precision,
      h("div", { className: "atlas-filter-foot" }, [ui.filterSummary, clear])
    ]);
  }

  /** The download links of a layer: one per format the index lists (links.formats), GeoJSON else. */
  function downloadLinks(opts) {
    var formats = opts.formats && typeof opts.formats === "object" ? opts.formats : {};
    var names = Object.keys(formats);
    if (!names.length && opts.download) { formats = { geojson: opts.download }; names = ["geojson"]; }
    var order = Object.keys(FORMAT_TITLES);
    names.sort(function (a, b) {
      var i = order.indexOf(a), j = order.indexOf(b);
      return (i < 0 ? order.length : i) - (j < 0 ? order.length : j) || (a < b ? -1 : a > b ? 1 : 0);
    });
    var box = h("span", { className: "atlas-downloads" });
    names.forEach(function (name) {
      var label = name === "geojson" ? "GeoJSON" : name.toUpperCase();
      box.appendChild(h("a", {
        // a.atlas-download is the GeoJSON link alone; the other formats have their own classes.
        className: name === "geojson" ? "atlas-download" : "atlas-download-as atlas-download-" + classSafe(name),
        href: formats[name], download: "", "data-format": name, title: FORMAT_TITLES[name] || label,
        "aria-label": "Download " + str(opts.title) + " as " + label, text: label
      }));
    });
    return box;
  }

  var FORMAT_TITLES = {
    geojson: "GeoJSON", gpkg: "GeoPackage, styled for QGIS", csv: "CSV for Excel (WKT, lon/lat)",
    kml: "KML for Google Earth", fgb: "FlatGeobuf, spatially indexed"
  };

  // Every place's file in the formats the layers offer (/download/locations.<ext>).
  function allDownloads() {
    var formats = {};
    var ids = Object.keys(byLayer);
    var first = ids.length ? byLayer[ids[0]].atlas.opts : {};
    Object.keys((first && first.formats) || {}).forEach(function (name) {
      if (name !== "geojson") formats[name] = str(config.urls.download_all).replace(/\.geojson$/, "." + name);
    });
    return Object.keys(formats).length ? downloadLinks({ title: "every place", formats: formats }) : null;
  }

  function shareNode() {
    var copy = h("button", { type: "button", className: "atlas-share", text: "Copy link" });
    var table = h("button", { type: "button", className: "atlas-table-open", "aria-controls": "atlas-table", text: "Table of places" });
    var print = h("button", { type: "button", className: "atlas-print-button", text: "Print or PDF" });
    ui.embedCode = h("textarea", { id: "atlas-embed-code", readonly: true, rows: 3, spellcheck: "false" });
    var copyEmbed = h("button", { type: "button", className: "atlas-embed-copy", text: "Copy embed code" });
    copy.addEventListener("click", function () {
      writeHash();
      copyText(window.location.href, "Link to this view copied.");
    });
    copyEmbed.addEventListener("click", function () {
      ui.embedCode.value = embedCode();
      copyText(ui.embedCode.value, "Embed code copied.", ui.embedCode);
    });
    table.addEventListener("click", function () { openTable(); });
    print.addEventListener("click", function () { printView(); });
    return h("div", { className: "atlas-share-box" }, [
      h("div", { className: "atlas-share-row" }, [copy, table, print]),
      h("details", { className: "atlas-embed" }, [
        h("summary", { text: "Embed this map on a site" }),
        h("label", { for: ui.embedCode.id, text: "HTML to paste into a page" }),
        ui.embedCode, copyEmbed
      ])
    ]);
  }

  function embedCode() {
    return '<iframe src="' + window.location.href.replace(/"/g, "%22") + '" title="' + str(config.title).replace(/"/g, "&quot;") +
      '" width="900" height="600" style="border:0" loading="lazy"></iframe>';
  }

  /** Copy to the clipboard; where the browser refuses, select the text for Ctrl+C and say so. */
  function copyText(text, done, field) {
    var fallback = function () {
      var box = field || ui.copyField;
      if (!box) {
        box = ui.copyField = h("input", { className: "atlas-copy-field", readonly: true, "aria-label": "Text to copy" });
        ui.status.parentNode.insertBefore(box, ui.status);
      }
      box.hidden = false;
      box.value = text;
      box.focus();
      box.select();
      setStatus("Press Ctrl+C (⌘C) to copy.");
    };
    ui.lastCopied = text;
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { setStatus(done); }, fallback);
    } else {
      fallback();
    }
  }

  function buildPanel() {
    ui.rows = {};
    ui.counts = {};
    var body = h("div", { className: "atlas-body", id: "atlas-body" });

    // Search
    ui.search = h("input", {
      id: "atlas-search", type: "search", autocomplete: "off", spellcheck: "false",
      placeholder: "Zhengzhou, 武汉, Wuhan lab…", "aria-describedby": "atlas-search-help",
      "aria-controls": "atlas-results", "aria-expanded": "false"
    });
    ui.results = h("ul", { className: "atlas-results", id: "atlas-results", "aria-label": "Search results", hidden: true });
    var form = h("form", { className: "atlas-search", role: "search", "aria-label": "Find a place" }, [
      h("label", { for: "atlas-search", text: "Find a place" }),
      h("div", { className: "atlas-search-row" }, [ui.search, h("button", { type: "submit", text: "Go" })]),
      h("p", { id: "atlas-search-help", className: "atlas-help", text: "A name in English, Chinese or pinyin, or a city and a word (“Wuhan lab”). Enter opens the best match." }),
      ui.results
    ]);
    form.addEventListener("submit", onSearchSubmit);
    ui.search.addEventListener("input", onSearchInput);
    ui.search.addEventListener("focus", function () {
      if (ui.search.value.trim() && ui.search.value.trim() === ui.lastQuery && ui.results.hidden && ui.lastResults) {
        showResults(ui.lastQuery, ui.lastResults);
      }
    });
    form.addEventListener("keydown", onSearchKeys);
    body.appendChild(form);

    body.appendChild(filterNode());

    // Themes and layers: the legend
    var layersBox = h("div", { className: "atlas-layers", role: "group", "aria-label": "Themes and layers" });
    config.themes.forEach(function (theme) {
      var ids = theme.layers.filter(function (id) { return byLayer[id]; });
      if (!ids.length) return;
      var themeBox = h("input", { type: "checkbox", id: "atlas-theme-" + classSafe(theme.id), "data-theme": theme.id, className: "atlas-theme-toggle" });
      ui.themeBoxes[theme.id] = themeBox;
      themeBox.addEventListener("change", function () {
        var on = themeBox.checked;
        ids.forEach(function (id) { setLayer(id, on, true, true); });
        updateThemes();
        changed();
        if (on) loadMany(ids.map(function (id) { return byLayer[id]; }));
        writeHash();
      });
      var heading = h("legend", {}, [
        h("label", { for: themeBox.id, className: "atlas-theme-label" }, [themeBox, str(theme.title)])
      ]);
      var list = h("ul", { className: "atlas-layer-list" });
      var themeColour = null;
      ids.forEach(function (id) {
        var opts = byLayer[id].atlas.opts;
        themeColour = themeColour || symbolOf(opts).colour;
        var box = h("input", { type: "checkbox", id: "atlas-layer-" + classSafe(id), "data-layer": id });
        ui.boxes[id] = box;
        box.addEventListener("change", function () {
          setLayer(id, box.checked);
          writeHash();
        });
        var kinds = kindsOf(opts.geometry_types);
        var swatches = h("span", { className: "atlas-swatches", "aria-hidden": "true" },
          (kinds.length ? kinds : ["point"]).map(function (kind) { return swatch(kind, opts, false); }));
        var label = h("label", { for: box.id, title: str(opts.description) }, [swatches, str(opts.title)]);
        var count = h("span", { className: "atlas-count", text: str(opts.count), title: str(opts.count) + " places" });
        ui.counts[id] = count;
        var row = h("li", { className: "atlas-layer", "data-layer": id }, [box, label, count, downloadLinks(opts)]);
        ui.rows[id] = row;
        list.appendChild(row);
      });
      var fieldset = h("fieldset", { className: "atlas-theme", "data-theme": theme.id }, [heading, list]);
      fieldset.style.setProperty("--theme", colourOf(themeColour || theme.colour));
      layersBox.appendChild(fieldset);
    });
    body.appendChild(layersBox);

    // Background
    ui.baseRadios = {};
    var baseSet = h("fieldset", { className: "atlas-basemap" }, [h("legend", { text: "Background" })]);
    [["osm", "OpenStreetMap tiles"], ["outlines", "Offline base: provinces, cities, rivers"]].forEach(function (pair) {
      var radio = h("input", { type: "radio", name: "atlas-base", id: "atlas-base-" + pair[0], value: pair[0] });
      radio.addEventListener("change", function () {
        if (radio.checked) {
          setBase(pair[0], true);
          writeHash();
        }
      });
      ui.baseRadios[pair[0]] = radio;
      baseSet.appendChild(h("label", { for: radio.id }, [radio, pair[1]]));
    });
    body.appendChild(baseSet);

    body.appendChild(shareNode());
    body.appendChild(keyNode());
    body.appendChild(h("p", { className: "atlas-all" }, [
      h("a", { href: config.urls.download_all, download: "", className: "atlas-download-all", text: "Download every place (GeoJSON)" }),
      allDownloads(),
      config.urls.documents ? " · " : null,
      config.urls.documents ? h("a", { href: config.urls.documents, className: "atlas-sources-link", text: "The documents cited" }) : null
    ]));
    if (config.urls.map_document) {
      body.appendChild(h("p", { className: "atlas-all" }, [
        h("a", { href: config.urls.map_document, className: "atlas-document-link", text: "Map a document: find the places in any text" })
      ]));
    }
    ui.status = h("p", { className: "atlas-status", role: "status", "aria-live": "polite" });
    body.appendChild(ui.status);

    ui.toggle = h("button", { type: "button", className: "atlas-toggle", "aria-controls": "atlas-body", "aria-expanded": "true" });
    ui.toggle.addEventListener("click", function () {
      setPanelOpen(ui.panel.classList.contains("atlas-collapsed"));
    });
    ui.panel = h("section", { className: "atlas-panel", id: "atlas-panel", "aria-label": "Layers, legend and search" }, [
      h("div", { className: "atlas-head" }, [h("h1", { text: str(config.title) }), ui.toggle]),
      body
    ]);

    var Panel = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        L.DomEvent.disableClickPropagation(ui.panel);
        L.DomEvent.disableScrollPropagation(ui.panel);
        return ui.panel;
      }
    });
    new Panel().addTo(map);
    setPanelOpen(!window.matchMedia(NARROW).matches);
    syncFilterControls();
  }

  // ---- the table of places shown ----------------------------------------------------------------
  var COLUMNS = [
    { key: "name", title: "Place" },
    { key: "layer", title: "Layer" },
    { key: "province", title: "Province" },
    { key: "precision", title: "Located to", numeric: true },
    { key: "year", title: "First named", numeric: true }
  ];
  var PRECISION_SHORT = { 1: "a site", 2: "a county", 3: "a city", 4: "a province", 5: "estimated" };

  /** The places shown (visible layers, after the filters), as table rows in panel order. */
  function shownRows() {
    var rows = [];
    visibleGroups().forEach(function (g) {
      if (g.atlas.state !== "ready") return;
      var opts = g.atlas.opts;
      var each = function (kind, fn) {
        if (g.atlas.field) {
          if (kind === "point") g.atlas.field.features().forEach(function (f, i) { fn(g.atlas.field.proxy(i)); });
        } else {
          g.atlas.sub[kind].eachLayer(fn);
        }
      };
      KINDS.forEach(function (kind) {
        each(kind, function (layer) {
          var f = layer.feature;
          if (!f) return;
          var p = f.properties || {};
          var sources = Array.isArray(p.sources) ? p.sources.filter(function (s) { return s && typeof s === "object"; }) : [];
          var years = sources.map(function (s) { return yearOf(s.date); }).filter(Boolean);
          var ll = layer.getLatLng ? layer.getLatLng() : null;
          rows.push({
            id: str(f.id), name: str(p.name || f.id), name_zh: str(p.name_zh), layer: str(opts.title), layer_id: str(opts.id),
            province: Array.isArray(p.provinces) ? p.provinces.map(str).join(", ") : "",
            precision: Number(p.precision) || 9, precision_label: str(p.precision_label), kind: kind,
            year: years.length ? Math.min.apply(null, years) : 9999, sources: sources,
            lon: ll ? ll.lng : null, lat: ll ? ll.lat : null, opts: opts, leaflet: layer
          });
        });
      });
    });
    return rows;
  }

  function sortRows(rows) {
    var key = ui.sort.key, dir = ui.sort.dir;
    var col = COLUMNS.filter(function (c) { return c.key === key; })[0] || COLUMNS[0];
    return rows.slice().sort(function (a, b) {
      var x = a[key], y = b[key], c;
      c = col.numeric ? x - y : String(x).localeCompare(String(y));
      return (c || a.name.localeCompare(b.name)) * dir;
    });
  }

  var tableTimer = null;
  function scheduleTable() {
    if (tableTimer) return;
    tableTimer = setTimeout(function () {
      tableTimer = null;
      renderTable();
    }, 30);
  }

  function renderTable() {
    if (!ui.table || ui.table.hidden) return;
    var rows = sortRows(shownRows());
    ui.tableRows = rows;
    var body = ui.tbody;
    while (body.firstChild) body.removeChild(body.firstChild);
    rows.slice(0, TABLE_ROWS).forEach(function (r) {
      var open = h("button", { type: "button", className: "atlas-row-open", text: r.name });
      var tr = h("tr", { "data-id": r.id }, [
        h("th", { scope: "row" }, [open, r.name_zh ? h("span", { className: "atlas-zh", lang: "zh-Hans", text: " " + r.name_zh }) : null]),
        h("td", {}, [swatch(r.kind, r.opts, false), " " + r.layer]),
        h("td", { text: r.province }),
        h("td", { text: PRECISION_SHORT[r.precision] || "" }),
        h("td", { text: r.year === 9999 ? "" : String(r.year) })
      ]);
      var go = function () { openRow(r); };
      open.addEventListener("click", function (e) { e.stopPropagation(); go(); });
      tr.addEventListener("click", go);
      body.appendChild(tr);
    });
    ui.tableCaption.textContent = rows.length + (rows.length === 1 ? " place shown" : " places shown") +
      (rows.length > TABLE_ROWS ? "; the first " + TABLE_ROWS + " are listed, the CSV has them all" : "") +
      (filtersActive() ? " (filtered)" : "");
    COLUMNS.forEach(function (c) {
      var th = ui.tableHeads[c.key];
      th.setAttribute("aria-sort", ui.sort.key === c.key ? (ui.sort.dir > 0 ? "ascending" : "descending") : "none");
    });
  }

  function openRow(r) {
    var layer = r.leaflet;
    if (layer.getLatLng) map.setView(layer.getLatLng(), Math.max(map.getZoom(), 8), { animate: false });
    else if (layer.getBounds && layer.getBounds().isValid()) map.fitBounds(layer.getBounds(), { maxZoom: 9, padding: [30, 30], animate: false });
    layer.openPopup();
  }

  function csvCell(value) {
    var s = str(value);
    // A leading =, +, - or @ would run as a formula in a spreadsheet: quote it as text.
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function tableCsv(rows) {
    var head = ["id", "name", "name_zh", "layer", "provinces", "precision", "precision_label", "lon", "lat",
      "first_named", "documents", "mentions"];
    var lines = [head.join(",")];
    rows.forEach(function (r) {
      lines.push([r.id, r.name, r.name_zh, r.layer_id, r.province, r.precision === 9 ? "" : r.precision, r.precision_label,
        r.lon === null ? "" : r.lon, r.lat === null ? "" : r.lat, r.year === 9999 ? "" : r.year,
        r.sources.map(function (s) { return str(s.title || s.document); }).join(" | "),
        r.sources.map(function (s) { return str(s.mention); }).join(" | ")].map(csvCell).join(","));
    });
    return "\ufeff" + lines.join("\r\n") + "\r\n";
  }

  function downloadCsv() {
    var rows = sortRows(shownRows());
    var blob = new Blob([tableCsv(rows)], { type: "text/csv;charset=utf-8" });
    var a = h("a", { href: URL.createObjectURL(blob), download: "central-china-atlas-places.csv", hidden: true });
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.parentNode.removeChild(a); }, 1000);
    setStatus(rows.length + " places saved as CSV.");
  }

  function buildTable() {
    ui.sort = { key: "name", dir: 1 };
    ui.tableHeads = {};
    var headRow = h("tr", {});
    COLUMNS.forEach(function (c) {
      var button = h("button", { type: "button", className: "atlas-sort", text: c.title });
      button.addEventListener("click", function () {
        ui.sort = { key: c.key, dir: ui.sort.key === c.key ? -ui.sort.dir : 1 };
        renderTable();
      });
      var th = h("th", { scope: "col", "aria-sort": "none", "data-key": c.key }, [button]);
      ui.tableHeads[c.key] = th;
      headRow.appendChild(th);
    });
    ui.tbody = h("tbody", {});
    ui.tableCaption = h("caption", {});
    var close = h("button", { type: "button", className: "atlas-table-close", text: "Close table" });
    var csv = h("button", { type: "button", className: "atlas-table-csv", text: "Download CSV" });
    close.addEventListener("click", closeTable);
    csv.addEventListener("click", downloadCsv);
    ui.table = h("section", { className: "atlas-table", id: "atlas-table", "aria-label": "Table of the places shown", hidden: true }, [
      h("div", { className: "atlas-table-head" }, [h("h2", { text: "Places shown" }), csv, close]),
      h("div", { className: "atlas-table-scroll" }, [h("table", {}, [ui.tableCaption, h("thead", {}, [headRow]), ui.tbody])])
    ]);
    ui.table.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.stopPropagation(); closeTable(); }
    });
    document.body.appendChild(ui.table);
  }

  function openTable() {
    ui.table.hidden = false;
    document.body.classList.add("atlas-table-shown");
    renderTable();
    ui.table.querySelector(".atlas-table-head h2").setAttribute("tabindex", "-1");
    ui.table.querySelector(".atlas-table-head h2").focus({ preventScroll: true });
  }

  function closeTable() {
    ui.table.hidden = true;
    document.body.classList.remove("atlas-table-shown");
    var opener = ui.panel.querySelector(".atlas-table-open");
    if (opener) opener.focus({ preventScroll: true });
  }

  // ---- print: the view with its title, legend, scale, sources and credits ------------------------
  function describeFilters() {
    var f = state.filter, bits = [];
    if (f.doc) {
      var d = (config.documents || []).filter(function (x) { return x.document === f.doc; })[0];
      bits.push("named in “" + str(d ? d.title : f.doc) + "”");
    }
    if (f.asof) bits.push("as of " + f.asof);
    if (f.province) bits.push("in " + f.province);
    if (f.precision) bits.push("located to " + PRECISION_SHORT[f.precision] + " or better");
    return bits.join("; ");
  }

  function fillPrint() {
    var sheet = ui.print;
    while (sheet.firstChild) sheet.removeChild(sheet.firstChild);
    var filters = describeFilters();
    var rows = shownRows();
    var head = h("header", { className: "atlas-print-head" }, [
      h("h1", { text: str(config.title) }),
      h("p", { text: rows.length + " places" + (filters ? ", " + filters : "") + " · printed " + new Date().toISOString().slice(0, 10) })
    ]);
    var legend = h("ul", { className: "atlas-print-legend" });
    visibleGroups().forEach(function (g) {
      if (g.atlas.state !== "ready") return;
      var opts = g.atlas.opts;
      var kinds = kindsOf(opts.geometry_types);
      legend.appendChild(h("li", {}, (kinds.length ? kinds : ["point"]).map(function (k) { return swatch(k, opts, false); })
        .concat([" " + str(opts.title) + " (" + g.atlas.shown + ")"])));
    });
    var docs = {};
    rows.forEach(function (r) { r.sources.forEach(function (s) { docs[str(s.document)] = s; }); });
    var sources = h("ol", { className: "atlas-print-sources" }, Object.keys(docs).map(function (k) {
      var s = docs[k];
      return h("li", { text: [str(s.title || s.document), str(s.publisher), str(s.date)].filter(Boolean).join(", ") });
    }));
    var credits = h("p", { className: "atlas-print-credits", text: (config.credits || []).join(" · ") });
    sheet.appendChild(head);
    sheet.appendChild(h("section", { className: "atlas-print-key" }, [h("h2", { text: "Legend" }), legend]));
    sheet.appendChild(h("section", { className: "atlas-print-foot" }, [h("h2", { text: "Sources" }), sources, credits]));
  }

  function printView() {
    fillPrint();
    window.print();
  }

  /** Focus goes into a place's popup when it opens, and back to where it was when it closes. */
  function popupFocus() {
    var returnTo = null;
    map.on("popupopen", function (e) {
      var el = e.popup.getElement();
      var active = document.activeElement;
      if (!returnTo || !document.body.contains(returnTo)) {
        returnTo = active && active !== document.body && !(el && el.contains(active)) ? active : null;
      }
      if (!el || el.querySelector(".atlas-chooser")) return; // the chooser focuses its own button
      var target = el.querySelector(".atlas-here") || el.querySelector(".atlas-popup-name");
      if (target && !el.contains(document.activeElement)) target.focus({ preventScroll: true });
    });
    map.on("popupclose", function (e) {
      var el = e.popup.getElement();
      var active = document.activeElement;
      var inside = !active || active === document.body || (el && el.contains(active));
      var back = returnTo;
      // Another popup opening right after this one keeps the same way back.
      setTimeout(function () {
        if (map._popup && map.hasLayer(map._popup)) return;
        returnTo = null;
        if (inside && back && document.body.contains(back)) back.focus({ preventScroll: true });
      }, 0);
    });
  }

  var panelTimer = null;

  /** The panel, the table and the print sheet, with the state the address set. */
  function buildUi() {
    clearTimeout(panelTimer);
    if (ui.panel) return;
    buildPanel();
    buildTable();
    ui.print = h("div", { className: "atlas-print", "aria-hidden": "true" });
    document.body.appendChild(ui.print);
    window.addEventListener("beforeprint", fillPrint);
    groups.forEach(function (g) {
      var box = ui.boxes[g.atlas.opts.id];
      if (box) box.checked = !!state.layers[g.atlas.opts.id];
    });
    updateThemes();
    syncFilterControls();
    if (ui.baseRadios[state.base]) ui.baseRadios[state.base].checked = true;
    if (ui.notice) setStatus("Map tiles are unreachable.");
    changed();
  }

  /** Wire everything up. Called once by the folium page after the map and layers exist. */
  atlas.start = function (theMap, theConfig, parts) {
    mark("atlas-start");
    map = theMap;
    config = theConfig;
    tiles = parts.tiles;
    outlines = parts.outlines;
    groups = parts.overlays;
    groups.forEach(function (g) { byLayer[g.atlas.opts.id] = g; });
    Object.keys(PANES).forEach(function (name) {
      var pane = map.createPane("atlas-" + name);
      pane.style.zIndex = String(PANES[name]);
    });
    ["rivers", "lakes", "cities"].forEach(function (name) {
      if (config.base && config.base[name]) baseGroups.push(baseExtra(name, config.base[name]));
    });
    badges = L.layerGroup().addTo(map);
    // A reader who acts before the painted layers are built (see paint) gets them built at once.
    ["keydown", "pointerdown", "touchstart", "wheel"].forEach(function (type) {
      document.addEventListener(type, function (e) {
        if (!sketched.length) return;
        build();
        if (type === "pointerdown") pressedOnPicture(e);
      }, { capture: true, passive: true });
    });
    // Painted paths take no pointer events, so a press on one lands on the map, and the feature
    // built under the pointer gets only the release: the browser sends the click to the map.
    // That click goes to the feature instead, as it would have had the layers been built.
    document.addEventListener("click", function (e) {
      var p = pressed;
      pressed = null;
      if (!p || !p.feature.isConnected || p.feature.contains(e.target) || e.timeStamp - p.at > 2000) return;
      if (Math.abs(e.clientX - p.x) > 4 || Math.abs(e.clientY - p.y) > 4) return;  // a drag, not a click
      e.stopPropagation();
      p.feature.dispatchEvent(new MouseEvent("click", {
        bubbles: true, cancelable: true, view: window, detail: e.detail, screenX: e.screenX, screenY: e.screenY,
        clientX: e.clientX, clientY: e.clientY, ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, altKey: e.altKey,
        metaKey: e.metaKey, button: e.button, buttons: e.buttons
      }));
    }, { capture: true });
    map.on("movestart zoomstart", function () { if (sketched.length) build(); });
    // A PointField's points are pixels of its tiles, not elements: a click (and the pointer) on
    // the map is looked up in them. Points drawn as elements handle their own clicks first.
    var fieldAt = function (latlng) {
      return groups.some(function (g) { return g.atlas.field && map.hasLayer(g) && g.atlas.field.near(latlng, NEAR_PX).length; });
    };
    map.on("click", function (e) {
      if (!fieldAt(e.latlng)) return;
      var hits = pointsNear(e.latlng);
      if (hits.length > 1) openChooser(e.latlng);
      else if (hits.length) hits[0].layer.openPopup();
    });
    var hoverAt = null, hoverFrame = null;
    map.on("mousemove", function (e) {
      hoverAt = e.latlng;
      if (hoverFrame) return;
      hoverFrame = requestAnimationFrame(function () {
        hoverFrame = null;
        map.getContainer().classList.toggle("atlas-over-point", !!hoverAt && fieldAt(hoverAt));
      });
    });
    map.on("mouseout", function () { hoverAt = null; map.getContainer().classList.remove("atlas-over-point"); });

    var container = map.getContainer();
    // The map has a name for screen readers, and a skip link leads past the panel to it.
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", "Map of the places named in the plans for central China");
    container.setAttribute("aria-roledescription", "map");
    var skip = h("a", { href: "#" + container.id, className: "atlas-skip", text: "Skip to the map's places" });
    skip.addEventListener("click", function (e) {
      e.preventDefault();
      var first = container.querySelector(".leaflet-pane path[tabindex='0']");
      (first || container).focus({ preventScroll: true });
    });
    document.body.insertBefore(skip, document.body.firstChild);

    // No tile server (offline, blocked): fall back to the offline base once, and say so.
    var tileErrors = 0, tileLoaded = false;
    tiles.on("tileload", function () { tileLoaded = true; });
    tiles.on("tileerror", function () {
      tileErrors += 1;
      if (!tileLoaded && tileErrors === 4 && state.base === "osm" && !state.userBase) {
        setBase("outlines", false);
        writeHash();
        showTilesNotice();
      }
    });

    // Tab order: the controls (zoom, panel) before the features (focus shows a feature's
    // tooltip, Enter opens its popup). Layout is unchanged: both are positioned.
    if (map._controlContainer && map._controlContainer.parentNode === container) {
      container.insertBefore(map._controlContainer, container.firstChild);
    }
    ui.boxes = {};
    ui.themeBoxes = {};
    applyHash(true);
    // The panel does not draw the layers: it is built once they are drawn (or after a moment,
    // if they take long), so the first paint of the data waits for nothing else.
    panelTimer = setTimeout(buildUi, 1500);

    map.on("moveend", writeHash);
    map.on("zoomend moveend", scheduleLabels);
    // Province names in short form where room is short.
    var labelRoom = function () {
      container.classList.toggle("atlas-short-labels", map.getZoom() < 6);
    };
    map.on("zoomend", labelRoom);
    map.on("zoomend", refine);
    labelRoom();
    popupFocus();
    map.on("popupopen", function (e) {
      var source = e.popup && e.popup._source;
      if (source && source.feature && source.feature.id !== undefined) {
        state.place = String(source.feature.id);
        state.placePending = false;
        writeHash();
      }
    });
    map.on("popupclose", function (e) {
      var source = e.popup && e.popup._source;
      if (source && source.feature && String(source.feature.id) === state.place) {
        state.place = null;
        writeHash();
      }
    });
    window.addEventListener("hashchange", function () { applyHash(false); });
    mark("atlas-started");
    // Escape closes an open popup wherever the focus is (Leaflet only listens on the map itself).
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && map._popup && map.hasLayer(map._popup)) map.closePopup();
    });
  };

  /** For tests and the benchmark: what is loaded and drawn. */
  atlas.status = function () {
    if (!map) return null;
    var layers = {};
    groups.forEach(function (g) {
      layers[g.atlas.opts.id] = { state: g.atlas.state, visible: !!state.layers[g.atlas.opts.id], features: g.atlas.features,
        outlines: g.atlas.step === null || g.atlas.step === undefined ? "full" : g.atlas.step };
    });
    var c = map.getCenter();
    return { view: { zoom: map.getZoom(), lat: c.lat, lng: c.lng }, pending: pending(), drawn: drawn.count, firstDrawnAt: drawn.first, base: state.base, place: state.place, layers: layers,
      filter: state.filter, shown: shownTotal() };
  };

  /** For tests: the count of features of each layer that pass the filters. */
  atlas.shownCounts = function () {
    var out = {};
    groups.forEach(function (g) { if (g.atlas.state === "ready") out[g.atlas.opts.id] = g.atlas.shown; });
    return out;
  };

  /** For tests: the CSV the table would download. */
  atlas.tableCsv = function () { return tableCsv(sortRows(shownRows())); };
})();
