"""The "Map a document" page: paste or drop a document, see its places beside it on a map.

A small Jinja template, not a folium map: the page is driven by ``static/document.js``, which asks
``POST /api/extract`` for the mentions and draws them itself. The page has no inline script or
style at all (its settings ride in a ``data-config`` attribute as JSON), so
``geo.mapview.page_policy`` gives it the map page's Content-Security-Policy with no hash in it.

The mention kinds and their colours are stated here once: the legend, the highlights and the
markers all take them from the page's settings.
"""

from __future__ import annotations

import json
from typing import Mapping, Sequence

from jinja2 import Environment

from .mapview import FALLBACK_BBOX, OSM_ATTRIBUTION, OSM_TILES, PageAssets
from .api.extract import MAX_DOCUMENT_BYTES

TITLE = "Map a document — Central China Atlas"
DESCRIPTION = ("Paste a policy document or drop a file: every place it names, highlighted in the "
               "text and placed on the map, with the words that name it.")

# The parser's mention kinds, in legend order, with a colour and a label for each (colours picked
# to stay apart for the common colour-vision deficiencies and to hold 4.5:1 behind dark text).
KINDS: tuple[tuple[str, str, str], ...] = (
    ("country", "#c4b5fd", "Country"),
    ("province", "#93c5fd", "Province"),
    ("prefecture", "#67e8f9", "Prefecture-level city"),
    ("county", "#86efac", "County-level unit"),
    ("district", "#bef264", "District"),
    ("town", "#fde047", "Town"),
    ("new_area", "#fdba74", "New area"),
    ("development_zone", "#fca5a5", "Development or pilot zone"),
    ("lab_or_facility", "#f9a8d4", "Laboratory or facility"),
    ("company_site", "#d8b4fe", "Company site"),
    ("region_or_belt", "#a5b4fc", "Region, circle or belt"),
    ("river", "#7dd3fc", "River"),
    ("mountain", "#d6d3d1", "Mountain"),
    ("foreign_city", "#f0abfc", "City abroad"),
    ("other", "#e2e8f0", "Other place"),
)

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<meta name="description" content="{{ description }}">
{% if assets.icon %}<link rel="icon" type="image/svg+xml" href="{{ assets.icon }}">{% endif %}
{% for _, href in assets.css %}<link rel="stylesheet" href="{{ href }}">
{% endfor %}</head>
<body class="doc-page">
<header class="doc-header">
  <h1>Map a document</h1>
  <a class="doc-back" href="{{ urls.atlas }}">Back to the atlas</a>
</header>
<main id="doc-app" class="doc-main" data-config="{{ config }}">
  <section class="doc-side" aria-label="The document">
    <form id="doc-form" class="doc-form" novalidate>
      <noscript><p class="doc-noscript">This page needs JavaScript; the same service is
        <code>POST {{ urls.extract }}</code>.</p></noscript>
      <label for="doc-text">Paste the text of a document (English or Chinese)</label>
      <textarea id="doc-text" name="text" rows="12" spellcheck="false"
        placeholder="The Wuhan Metropolitan Circle and Changsha in Hunan Province…"></textarea>
      <div id="doc-drop" class="doc-drop">
        <p>…or drop a file here: .txt, .md, .html or .pdf, up to {{ limit }}.</p>
        <label class="doc-file-label" for="doc-file">Choose a file</label>
        <input id="doc-file" class="doc-file" type="file" name="file"
          accept=".txt,.md,.markdown,.html,.htm,.pdf,text/plain,text/markdown,text/html,application/pdf">
        <p id="doc-file-name" class="doc-file-name" hidden></p>
      </div>
      <details class="doc-meta">
        <summary>Title, date and source (cited in the downloads)</summary>
        <label for="doc-title">Title</label>
        <input id="doc-title" name="title" type="text" maxlength="2000" autocomplete="off">
        <label for="doc-date">Date</label>
        <input id="doc-date" name="date" type="text" maxlength="40" placeholder="2024-03-05" autocomplete="off">
        <label for="doc-url">Source address</label>
        <input id="doc-url" name="url" type="url" maxlength="2000" placeholder="https://…" autocomplete="off">
      </details>
      <div class="doc-actions">
        <label for="doc-lang">Language</label>
        <select id="doc-lang" name="lang">
          <option value="auto">Detect</option><option value="en">English</option><option value="zh">Chinese</option>
        </select>
        <button id="doc-submit" type="submit">Find the places</button>
      </div>
    </form>
    <div id="doc-progress-box" class="doc-progress" hidden>
      <progress id="doc-progress" max="100"></progress>
    </div>
    <p id="doc-status" class="doc-status" role="status" aria-live="polite"></p>
    <section id="doc-result" class="doc-result" aria-label="Places in the document" hidden>
      <div class="doc-toolbar">
        <h2 id="doc-result-title" class="doc-result-title"></h2>
        <p id="doc-summary" class="doc-summary"></p>
        <div class="doc-downloads">
          <button id="doc-download-geojson" type="button">Download GeoJSON</button>
          <button id="doc-download-catalog" type="button">Download catalog draft (YAML)</button>
          <button id="doc-new" type="button" class="doc-secondary">Another document</button>
        </div>
        <ul id="doc-legend" class="doc-legend" aria-label="Kinds of place"></ul>
        <p class="doc-help">Click a highlighted place, or Tab to it and press Enter, to see it on the map.</p>
      </div>
      <div id="doc-view" class="doc-view" tabindex="-1"></div>
    </section>
  </section>
  <div id="doc-map" class="doc-map" role="region" aria-label="Map of the places in the document"></div>
</main>
{% for _, src in assets.js %}<script src="{{ src }}"></script>
{% endfor %}</body>
</html>
"""

_ENV = Environment(autoescape=True, keep_trailing_newline=True)


def page_config(urls: Mapping[str, str], bbox: Sequence[float] | None = None) -> dict:
    """What document.js needs: the routes, the kinds and colours, the limits and the home view."""
    return {
        "urls": dict(urls),
        "kinds": [{"id": k, "colour": c, "label": label} for k, c, label in KINDS],
        "max_bytes": MAX_DOCUMENT_BYTES,
        "bbox": list(bbox or FALLBACK_BBOX),
        "tiles": {"url": OSM_TILES, "attribution": OSM_ATTRIBUTION},
    }


def render_page(assets: PageAssets, urls: Mapping[str, str], bbox: Sequence[float] | None = None) -> str:
    """The page's HTML; ``urls`` has ``extract``, ``provinces`` and ``atlas``."""
    config = json.dumps(page_config(urls, bbox), ensure_ascii=False, separators=(",", ":"))
    return _ENV.from_string(_TEMPLATE).render(
        title=TITLE, description=DESCRIPTION, assets=assets, urls=urls, config=config,
        limit=f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
