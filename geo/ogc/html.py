"""The OGC API's HTML pages: collections, one collection, a page of places as a sortable table,
one place, the queryables, the conformance classes and the API documentation.

Rendered with Jinja2 (autoescaped: every text from the data is escaped) from templates in
``templates/``; the pages load only ``/static/ogc.css`` and ``/static/ogc.js`` (column sorting),
nothing inline, so the policy of :func:`page_policy` holds them without 'unsafe-inline'.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .collections import Collection

_ENV = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   trim_blocks=True, lstrip_blocks=True)


def page_policy(frame_ancestors: str = "'self'") -> str:
    """CSP of these pages: as the map page's, with nothing inline and nothing from elsewhere."""
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
        "base-uri 'none'", "form-action 'self'", f"frame-ancestors {frame_ancestors}",
    ])


def _render(name: str, base: str, **context) -> bytes:
    return _ENV.get_template(name).render(base=base, **context).encode("utf-8")


def _href(links: Sequence[dict], rel: str, type_: str | None = None) -> str | None:
    for l in links:
        if l["rel"] == rel and (type_ is None or l["type"] == type_):
            return l["href"]
    return None


def _row(c: Collection, i: int) -> dict:
    f = c.features[i]
    props = f.get("properties") or {}
    sources = [s for s in props.get("sources") or () if isinstance(s, dict)]
    return {
        "id": f.get("id"),
        "name": props.get("name") or "",
        "name_zh": props.get("name_zh") or "",
        "layer": props.get("layer") or "",
        "provinces": ", ".join(props.get("provinces") or ()),
        "precision": props.get("precision"),
        "precision_label": props.get("precision_label") or "",
        "geometry": (f.get("geometry") or {}).get("type") or "",
        "dates": ", ".join(sorted({str(s.get("date")) for s in sources if s.get("date")})),
        "sources": sources,
        "props": props,
    }


def conformance(base: str, classes: Sequence[str]) -> bytes:
    return _render("conformance.html", base, title="Conformance", classes=classes)


def collections(base: str, data: dict) -> bytes:
    return _render("collections.html", base, title="Collections", collections=data["collections"], href=_href)


def collection(base: str, info: dict) -> bytes:
    return _render("collection.html", base, title=info["title"], c=info, href=_href)


def items(base: str, c: Collection, page: Sequence[int], matched: int, offset: int,
          links: Sequence[dict]) -> bytes:
    return _render("items.html", base, title=f"{c.title}: places", c=c, rows=[_row(c, i) for i in page],
                   matched=matched, first=offset + 1, last=offset + len(page),
                   next=_href(links, "next"), prev=_href(links, "prev"),
                   json=_href(links, "alternate", "application/geo+json"), map_url=_map_url)


def item(base: str, c: Collection, i: int, links: Sequence[dict]) -> bytes:
    row = _row(c, i)
    return _render("item.html", base, title=row["name"] or row["id"], c=c, row=row,
                   map=_href(links, "related"), json=_href(links, "alternate", "application/geo+json"))


def queryables(base: str, c: Collection, doc: dict) -> bytes:
    return _render("queryables.html", base, title=f"{c.title}: queryables", c=c, doc=doc)


def api_docs(base: str, document: dict) -> bytes:
    operations = []
    for path, item in document.get("paths", {}).items():
        for method, op in item.items():
            operations.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                               "parameters": op.get("parameters", []),
                               "responses": sorted(op.get("responses", {}).items())})
    return _render("api.html", base, title="API documentation", info=document.get("info", {}),
                   operations=operations)


def _map_url(base: str, layer: str, place: str) -> str:
    from urllib.parse import quote

    return f"{base}/#layers={quote(layer, safe='')}&place={quote(place, safe='')}"
