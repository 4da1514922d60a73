/* Central China Atlas: the layer panel (also the legend), layers fetched from the API, popups that
 * cite their sources, place search and permalinks, on the Leaflet map folium composes.
 *
 * Feature text is data, never markup: every text goes into the page with textContent or
 * createTextNode, and popups and tooltips are given DOM nodes, never HTML strings.
 * No inline event handlers: listeners are attached here.
 */
(function () {
  "use strict";

  var atlas = (window.atlas = {});
  var SAFE_COLOUR = /^#[0-9a-fA-F]{3,8}$/;
  var KINDS = ["area", "line", "point"];
  var PANES = { base: 250, labels: 260, area: 410, line: 420, point: 430 };
  var NARROW = "(max-width: 640px)";
  var PANEL_WIDTH = 330; // .atlas-panel width in atlas.css

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

  function swatch(kind, colour, approx) {
    var node = h("span", {
      className: "atlas-swatch atlas-swatch-" + kind + (approx ? " atlas-swatch-approx" : ""),
      "aria-hidden": "true"
    });
    node.style.setProperty("--swatch", colourOf(colour));
    return node;
  }

  // ---- downloads: each file in every format the server writes (/download/<layer>.<ext>) -------
  var FORMATS = [
    ["geojson", "GeoJSON", "GeoJSON"],
    ["gpkg", "GPKG", "GeoPackage, styled for QGIS"],
    ["csv", "CSV", "CSV for Excel (WKT, lon/lat)"],
    ["kml", "KML", "KML for Google Earth"],
    ["fgb", "FGB", "FlatGeobuf"]
  ];

  function downloadLinks(geojsonUrl, title, geojsonClass, skipGeojson) {
    var links = [];
    FORMATS.forEach(function (f) {
      if (skipGeojson && f[0] === "geojson") return;
      if (links.length) links.push(" · ");
      links.push(h("a", {
        className: f[0] === "geojson" ? geojsonClass : "atlas-download-as", href: str(geojsonUrl).replace(/\.geojson$/, "." + f[0]),
        download: "", "data-format": f[0], title: f[2], "aria-label": "Download " + title + " as " + f[2], text: f[1]
      }));
    });
    return h("span", { className: "atlas-downloads" }, links);
  }

  // ---- styles -----------------------------------------------------------------------------------
  function styleFor(opts, feature) {
    var props = feature.properties || {};
    var kind = kindOf(feature);
    var colour = colourOf(opts.colour);
    var approx = isApprox(props);
    var style = {
      className: "atlas-f atlas-l-" + classSafe(opts.id) + " atlas-i-" + classSafe(feature.id) + (approx ? " atlas-approx" : ""),
      color: colour,
      opacity: 0.95,
      dashArray: null
    };
    if (kind === "point") {
      style.radius = approx ? 8 : 6;
      style.weight = 2;
      style.fillColor = colour;
      style.fillOpacity = approx ? 0.15 : 0.9;
      style.color = approx ? colour : "#ffffff";
      style.dashArray = approx ? "3 3" : null;
    } else if (kind === "line") {
      style.weight = 3;
      style.dashArray = approx ? "8 6" : null;
    } else {
      style.weight = 1.5;
      style.fillColor = colour;
      style.fillOpacity = approx ? 0.08 : 0.2;
      style.dashArray = approx ? "5 4" : null;
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

  function sourcesNode(sources) {
    var list = h("ol", { className: "atlas-sources" });
    sources.forEach(function (s) {
      if (!s || typeof s !== "object") return;
      var bits = [h("cite", { text: str(s.title || s.document) })];
      var meta = [str(s.publisher), str(s.date)].filter(Boolean).join(", ");
      if (meta) bits.push(" — " + meta);
      var item = h("li", {}, bits);
      if (s.mention) item.appendChild(h("q", { className: "atlas-mention", text: str(s.mention) }));
      list.appendChild(item);
    });
    return list;
  }

  function popupContent(opts, feature, layer) {
    var p = feature.properties || {};
    var box = h("article", { className: "atlas-popup" });
    // A point that shares its spot with other places links back to the list of them all.
    var here = layer ? pointsNear(layer.getLatLng()) : [];
    if (here.length > 1) {
      var back = h("button", { type: "button", className: "atlas-here", text: "‹ " + here.length + " places here" });
      back.addEventListener("click", function () { openChooser(layer.getLatLng(), String(feature.id)); });
      box.appendChild(back);
    }
    box.appendChild(h("h2", { className: "atlas-popup-name", text: str(p.name || feature.id) }));
    if (p.name_zh) box.appendChild(h("p", { className: "atlas-popup-zh", lang: "zh-Hans", text: str(p.name_zh) }));
    box.appendChild(h("p", { className: "atlas-popup-layer" }, [
      swatch(kindOf(feature), opts.colour, isApprox(p)), str(opts.title || p.layer)
    ]));
    if (p.description) box.appendChild(h("p", { className: "atlas-popup-desc", text: str(p.description) }));

    var dl = h("dl", { className: "atlas-facts" });
    var provinces = Array.isArray(p.provinces) ? p.provinces.map(str).join(", ") : "";
    dlRow(dl, "Province", provinces);
    var where = str(p.precision_label);
    if (p.precision !== undefined && p.precision !== null) where += (where ? " " : "") + "(precision " + str(p.precision) + ")";
    if (p.schematic === true) where += (where ? ". " : "") + "Drawn schematically";
    dlRow(dl, "Location", where);
    dlRow(dl, "Basis", str(p.geometry_basis));
    if (Array.isArray(p.members) && p.members.length) dlRow(dl, "Member units", membersNode(p.members));
    box.appendChild(dl);

    if (Array.isArray(p.sources) && p.sources.length) {
      box.appendChild(h("h3", { className: "atlas-popup-sources", text: p.sources.length > 1 ? "Sources" : "Source" }));
      box.appendChild(sourcesNode(p.sources));
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
        swatch("point", opts.colour, isApprox(p)),
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

  // ---- layers -----------------------------------------------------------------------------------
  function makeGroup(opts, geoOptions) {
    var group = L.featureGroup();
    var info = { opts: opts, sub: {}, byId: {}, state: "idle", promise: null, features: 0 };
    group.atlas = info;
    KINDS.forEach(function (kind) {
      info.sub[kind] = L.geoJSON(null, geoOptions(kind, info));
      group.addLayer(info.sub[kind]);
    });
    return group;
  }

  /** An overlay: empty until shown, then filled from opts.url. Called by the folium page. */
  atlas.overlay = function (opts) {
    return makeGroup(opts, function (kind, info) {
      return {
        pane: "atlas-" + kind,
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { pane: "atlas-point" });
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
          layer.bindTooltip(point ? function () { return tooltipContent(feature, layer); } : tooltipContent(feature), {
            sticky: !point, direction: "top", opacity: 0.95
          });
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
            permanent: true, direction: "center", className: "atlas-province-label", pane: "atlas-labels", interactive: false
          });
        }
      };
    });
    group.options.attribution = str(opts.attribution);
    return group;
  };

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

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        mark("atlas-response");
        return response.json();
      });
  }

  function wanted(group) {
    return group === outlines ? state.base === "outlines" : !!state.layers[group.atlas.opts.id];
  }

  /** Put a layer's features in it, then (if it is still wanted) on the map in one go. */
  function fill(group, features) {
    var info = group.atlas;
    if (info.state === "ready") return;
    features.forEach(function (feature) {
      info.sub[kindOf(feature)].addData(feature);
      info.features += 1;
    });
    info.state = "ready";
    mark("atlas-drawn:" + info.opts.id);
    if (wanted(group) && !map.hasLayer(group)) map.addLayer(group);
    changed();
  }

  function failed(group, error) {
    group.atlas.state = "error";
    group.atlas.promise = null;
    changed(group.atlas.opts.title + " could not be loaded (" + error.message + ")");
  }

  function load(group) {
    var info = group.atlas;
    if (info.promise) return info.promise;
    info.state = "loading";
    changed();
    info.promise = getJSON(info.opts.url)
      .then(function (collection) {
        fill(group, collection.features || []);
        return group;
      })
      .catch(function (error) {
        failed(group, error);
        throw error;
      });
    return info.promise;
  }

  /** Load several layers: one request for every feature when most layers are needed at once
   * (the default view), else one request per layer. */
  function loadMany(list) {
    var need = list.filter(function (g) { return !g.atlas.promise && g.atlas.state !== "ready"; });
    if (!config.urls.features || need.length < 4 || need.length * 2 < groups.length) {
      need.forEach(function (g) { load(g).catch(function () {}); });
      return;
    }
    var all = groups.filter(function (g) { return !g.atlas.promise && g.atlas.state !== "ready"; });
    var bulk = getJSON(config.urls.features).then(function (collection) {
      mark("atlas-data");
      var byId = {};
      (collection.features || []).forEach(function (feature) {
        var id = feature.properties && feature.properties.layer;
        (byId[id] = byId[id] || []).push(feature);
      });
      all.forEach(function (g) { fill(g, byId[g.atlas.opts.id] || []); });
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

  // ---- the app ----------------------------------------------------------------------------------
  var map, config, tiles, outlines, groups = [], byLayer = {}, ui = {}, state = {
    layers: {}, base: "osm", place: null, userBase: false
  };
  var drawn = { count: 0, first: null, scheduled: false };

  function visibleGroups() {
    return groups.filter(function (g) { return state.layers[g.atlas.opts.id]; });
  }

  function pending() {
    return visibleGroups().filter(function (g) { return g.atlas.state !== "ready" && g.atlas.state !== "error"; }).length;
  }

  function changed(message) {
    if (!map) return;
    var waiting = pending();
    document.documentElement.setAttribute("data-atlas-pending", String(waiting));
    groups.forEach(function (g) {
      var row = ui.rows && ui.rows[g.atlas.opts.id];
      if (row) row.setAttribute("data-state", g.atlas.state);
    });
    if (message) {
      setStatus(message);
    } else if (waiting) {
      setStatus("Loading " + waiting + (waiting === 1 ? " layer…" : " layers…"));
    } else {
      var shown = visibleGroups().length;
      setStatus(shown ? shown + (shown === 1 ? " layer shown." : " layers shown.") : "No layer shown.");
    }
    if (!waiting && !drawn.scheduled) {
      // Every visible layer is on the map; tell whoever waits (tests, the benchmark) after a frame.
      drawn.scheduled = true;
      requestAnimationFrame(function () {
        drawn.scheduled = false;
        if (pending()) return;
        drawn.count += 1;
        if (drawn.first === null) drawn.first = performance.now();
        document.documentElement.setAttribute("data-atlas-drawn", String(drawn.count));
        document.dispatchEvent(new CustomEvent("atlas:drawn", { detail: { at: performance.now() } }));
        openPlace();
      });
    }
  }

  function setStatus(text) {
    if (ui.status && ui.status.textContent !== text) ui.status.textContent = text;
  }

  function setLayer(id, on, deferLoad) {
    var group = byLayer[id];
    if (!group) return;
    state.layers[id] = !!on;
    var box = ui.boxes[id];
    if (box) box.checked = !!on;
    if (on) {
      // A loaded layer goes on the map now; a loading one when its data is in (see fill).
      if (group.atlas.state === "ready" && !map.hasLayer(group)) map.addLayer(group);
      else if (!deferLoad) load(group).catch(function () {});
    } else if (map.hasLayer(group)) {
      map.removeLayer(group);
    }
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
    if (state.base === "osm") {
      if (map.hasLayer(outlines)) map.removeLayer(outlines);
      if (!map.hasLayer(tiles)) map.addLayer(tiles);
    } else {
      if (map.hasLayer(tiles)) map.removeLayer(tiles);
      if (outlines.atlas.state === "ready") map.addLayer(outlines);
      else load(outlines).catch(function () {});
    }
    map.getContainer().classList.toggle("atlas-offline", state.base === "outlines");
    if (ui.baseRadios) ui.baseRadios[state.base].checked = true;
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
    if (state.place) parts.push("place=" + encodeURIComponent(state.place));
    var hash = "#" + parts.join("&");
    if (window.location.hash !== hash) history.replaceState(null, "", hash);
  }

  function applyHash(first) {
    var wanted = readHash();
    ui.applying = true;
    try {
      // Layers first, so their data is on its way while the view is laid out.
      var layers = wanted.layers;
      if (!layers && first) {
        // No layers in the address: those the index marks visible (broad regions start hidden).
        layers = {};
        groups.forEach(function (g) { layers[g.atlas.opts.id] = g.atlas.opts.visible !== false; });
      }
      if (layers) {
        groups.forEach(function (g) { setLayer(g.atlas.opts.id, !!layers[g.atlas.opts.id], true); });
        loadMany(groups.filter(function (g) { return layers[g.atlas.opts.id]; }));
      }
      if (wanted.center) {
        map.setView(wanted.center, wanted.zoom, { animate: false });
      } else if (first) {
        var b = config.bbox;
        // Keep the home view clear of the panel where it sits beside the map. Its width comes from
        // atlas.css, not from measuring it: a forced layout here would hold back the data request.
        var side = ui.panel.classList.contains("atlas-collapsed") ? 10 : PANEL_WIDTH + 30;
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
    writeHash();
    changed();
  }

  function findFeature(id) {
    for (var i = 0; i < groups.length; i++) {
      var layer = groups[i].atlas.byId[id];
      if (layer) return { group: groups[i], layer: layer };
    }
    return null;
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
      list.hidden = true;
      return;
    }
    if (!results.length) {
      list.appendChild(h("li", { className: "atlas-noresult", text: "No place matches “" + q + "”." }));
    }
    results.forEach(function (r, i) {
      var group = byLayer[r.layer];
      var colour = group ? group.atlas.opts.colour : null;
      var button = h("button", { type: "button", className: "atlas-result", "data-index": i }, [
        swatch(kindOf({ geometry: { type: r.geometry_type } }), colour, false),
        h("span", { className: "atlas-result-name", text: str(r.name) }),
        r.name_zh ? h("span", { className: "atlas-zh", lang: "zh-Hans", text: str(r.name_zh) }) : null,
        h("span", { className: "atlas-result-layer", text: str(r.layer_title) })
      ]);
      button.addEventListener("click", function () { goTo(r); });
      list.appendChild(h("li", {}, [button]));
    });
    list.hidden = false;
  }

  function goTo(result) {
    var group = byLayer[result.layer];
    if (!group) return Promise.resolve();
    if (!state.layers[result.layer]) {
      setLayer(result.layer, true);
    }
    return load(group).then(function () {
      var layer = group.atlas.byId[String(result.id)];
      if (!layer) return;
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
      if (results.length) return goTo(results[0]);
      setStatus("No place matches “" + q + "”.");
    }).catch(function (error) { setStatus("Search failed: " + error.message); });
  }

  function onSearchInput() {
    var q = ui.search.value.trim();
    clearTimeout(ui.searchTimer);
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
      buttons[Math.min(buttons.length - 1, index + 1)].focus();
    } else if (event.key === "ArrowUp" && index >= 0) {
      event.preventDefault();
      if (index === 0) ui.search.focus();
      else buttons[index - 1].focus();
    } else if (event.key === "Escape") {
      ui.search.value = "";
      showResults("", []);
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
    var items = [
      [swatch("point", "#475569", false), "Place at a city, county or district seat"],
      [swatch("point", "#475569", true), "Province-wide or estimated place"],
      [swatch("area", "#475569", false), "Area: union of its official member units"],
      [swatch("area", "#475569", true), "Area with estimated membership"],
      [swatch("line", "#475569", true), "Schematic route between its end points"]
    ];
    return h("details", { className: "atlas-key" }, [
      h("summary", { text: "How to read the symbols" }),
      h("ul", {}, items.map(function (item) { return h("li", {}, [item[0], item[1]]); }))
    ]);
  }

  function buildPanel() {
    ui.boxes = {};
    ui.themeBoxes = {};
    ui.rows = {};
    var body = h("div", { className: "atlas-body", id: "atlas-body" });

    // Search
    ui.search = h("input", {
      id: "atlas-search", type: "search", autocomplete: "off", spellcheck: "false",
      placeholder: "Zhengzhou, 武汉, Changsha…", "aria-describedby": "atlas-search-help"
    });
    ui.results = h("ul", { className: "atlas-results", id: "atlas-results", "aria-label": "Search results", hidden: true });
    var form = h("form", { className: "atlas-search", role: "search", "aria-label": "Find a place" }, [
      h("label", { for: "atlas-search", text: "Find a place" }),
      h("div", { className: "atlas-search-row" }, [ui.search, h("button", { type: "submit", text: "Go" })]),
      h("p", { id: "atlas-search-help", className: "atlas-help", text: "English, Chinese or pinyin. Enter opens the best match." }),
      ui.results
    ]);
    form.addEventListener("submit", onSearchSubmit);
    ui.search.addEventListener("input", onSearchInput);
    form.addEventListener("keydown", onSearchKeys);
    body.appendChild(form);

    // Themes and layers: the legend
    var layersBox = h("div", { className: "atlas-layers", role: "group", "aria-label": "Themes and layers" });
    config.themes.forEach(function (theme) {
      var ids = theme.layers.filter(function (id) { return byLayer[id]; });
      if (!ids.length) return;
      var themeBox = h("input", { type: "checkbox", id: "atlas-theme-" + classSafe(theme.id), "data-theme": theme.id, className: "atlas-theme-toggle" });
      ui.themeBoxes[theme.id] = themeBox;
      themeBox.addEventListener("change", function () {
        var on = themeBox.checked;
        ids.forEach(function (id) { setLayer(id, on, true); });
        if (on) loadMany(ids.map(function (id) { return byLayer[id]; }));
        writeHash();
      });
      var heading = h("legend", {}, [
        h("label", { for: themeBox.id, className: "atlas-theme-label" }, [themeBox, str(theme.title)])
      ]);
      var list = h("ul", { className: "atlas-layer-list" });
      ids.forEach(function (id) {
        var opts = byLayer[id].atlas.opts;
        var box = h("input", { type: "checkbox", id: "atlas-layer-" + classSafe(id), "data-layer": id });
        ui.boxes[id] = box;
        box.addEventListener("change", function () {
          setLayer(id, box.checked);
          writeHash();
        });
        var kinds = kindsOf(opts.geometry_types);
        var swatches = h("span", { className: "atlas-swatches", "aria-hidden": "true" },
          (kinds.length ? kinds : ["point"]).map(function (kind) { return swatch(kind, opts.colour, false); }));
        var label = h("label", { for: box.id, title: str(opts.description) }, [swatches, str(opts.title)]);
        var count = h("span", { className: "atlas-count", text: str(opts.count), title: str(opts.count) + " features" });
        var download = downloadLinks(opts.download, str(opts.title), "atlas-download");
        var row = h("li", { className: "atlas-layer", "data-layer": id }, [box, label, count, download]);
        ui.rows[id] = row;
        list.appendChild(row);
      });
      var fieldset = h("fieldset", { className: "atlas-theme", "data-theme": theme.id }, [heading, list]);
      fieldset.style.setProperty("--theme", colourOf(theme.colour));
      layersBox.appendChild(fieldset);
    });
    body.appendChild(layersBox);

    // Background
    ui.baseRadios = {};
    var baseSet = h("fieldset", { className: "atlas-basemap" }, [h("legend", { text: "Background" })]);
    [["osm", "OpenStreetMap tiles"], ["outlines", "Province outlines (offline)"]].forEach(function (pair) {
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

    body.appendChild(keyNode());
    body.appendChild(h("p", { className: "atlas-all" }, [
      h("a", { href: config.urls.download_all, download: "", className: "atlas-download-all", text: "Download every place (GeoJSON)" }),
      downloadLinks(config.urls.download_all, "every place", "atlas-download-all-as", true)
    ]));
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

    // No tile server (offline, blocked): fall back to the province outlines once, and say so.
    var tileErrors = 0, tileLoaded = false;
    tiles.on("tileload", function () { tileLoaded = true; });
    tiles.on("tileerror", function () {
      tileErrors += 1;
      if (!tileLoaded && tileErrors === 4 && state.base === "osm" && !state.userBase) {
        setBase("outlines", false);
        writeHash();
        setStatus("Map tiles are unreachable; showing the offline province outlines.");
      }
    });

    buildPanel();
    // Tab order: the controls (zoom, panel) before the features, which Leaflet makes focusable
    // (focus shows a feature's tooltip, Enter opens its popup). Layout is unchanged: both are positioned.
    var container = map.getContainer();
    if (map._controlContainer && map._controlContainer.parentNode === container) {
      container.insertBefore(map._controlContainer, container.firstChild);
    }
    applyHash(true);

    map.on("moveend", writeHash);
    // Province names only where there is room for them.
    var labelRoom = function () {
      container.classList.toggle("atlas-no-labels", map.getZoom() < 5);
      container.classList.toggle("atlas-short-labels", map.getZoom() < 6);
    };
    map.on("zoomend", labelRoom);
    labelRoom();
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
      layers[g.atlas.opts.id] = { state: g.atlas.state, visible: !!state.layers[g.atlas.opts.id], features: g.atlas.features };
    });
    var c = map.getCenter();
    return { view: { zoom: map.getZoom(), lat: c.lat, lng: c.lng }, pending: pending(), drawn: drawn.count, firstDrawnAt: drawn.first, base: state.base, place: state.place, layers: layers };
  };
})();
