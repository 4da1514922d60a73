"""OGC API – Features (Part 1 Core, Part 3 queryables and CQL2 text filters) at the site root,
framework-free (see ``geo.api``; the model is pygeoapi's ``api/itemtypes.py``).

Every handler takes the :class:`geo.store.Store`, ``base`` — the absolute URL the atlas is served
at, without a trailing slash, which every link starts with — the query arguments as a plain
mapping and the request's Accept header, and returns an :class:`ApiResponse` (JSON, GeoJSON or
HTML from the same data) or raises :class:`ApiError`. Unfiltered pages are made once and kept
(``geo.api.memo``): serving them again is a lookup.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Mapping, Sequence
from urllib.parse import quote, urlencode

from .. import query
from ..ogc import (CONFORMANCE, CRS84, GREGORIAN, LOCATIONS, OPENAPI_TYPE, REL_QUERYABLES,
                   SCHEMA_TYPE, ParamError, html, params)
from ..ogc.collections import Collection, collections_of
from ..ogc.cql2 import compile_filter
from ..ogc.queryables import QUERYABLES, first_day, schema
from ..store import GEOJSON_TYPE, Blob, Store, dumps
from . import ApiError, ApiResponse
from .atlas import DOWNLOAD_FORMATS
from .memo import lru, memo

Args = Mapping[str, str]
TITLE = "Central China Atlas"
DESCRIPTION = ("Places named in China's regional-development policy documents — logistics hubs, "
               "metropolitan circles, pilot zones, clusters, corridors — as OGC API – Features "
               "collections, one per map layer, and one of every place.")
JSON = "application/json"
HTML = "text/html"
# Parameters every resource takes; items take more (ITEM_PARAMS and the queryables).
COMMON_PARAMS = ("f",)
ITEM_PARAMS = ("f", "limit", "offset", "bbox", "datetime", "filter", "filter-lang", "filter-crs")
PROPERTY_PARAMS = tuple(q for q in QUERYABLES if q != "geometry")
NEGOTIATED = {"Vary": "Accept"}


def _fail(exc: ParamError) -> ApiError:
    return ApiError(400, str(exc))


def link(href: str, rel: str, type_: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _format(args: Args, accept: str | None, allowed: Sequence[str] = COMMON_PARAMS) -> str:
    try:
        params.check_known(args, allowed)
        return params.parse_format(args.get("f"), accept)
    except ParamError as exc:
        raise _fail(exc) from None


def _collections(store: Store) -> dict[str, Collection]:
    return memo(store, "ogc-collections", lambda: collections_of(store))


def _collection(store: Store, collection_id: str, base: str) -> Collection:
    found = _collections(store).get(collection_id)
    if found is None:
        raise ApiError(404, f"unknown collection {collection_id[:60]!r}; GET {base}/collections lists them")
    return found


def _blob(make) -> Blob:
    return Blob.of(make())


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def map_url(base: str, layer_ids: Sequence[str], place: str | None = None) -> str:
    """The map with these layers on (and a place's popup open): the page's #permalink."""
    fragment = "layers=" + ",".join(quote(i, safe="") for i in layer_ids)
    if place:
        fragment += "&place=" + quote(place, safe="")
    return f"{base}/#{fragment}"


def _respond(fmt: str, json_body, html_body, media: str = JSON) -> ApiResponse:
    if fmt == "html":
        return ApiResponse(html_body(), media_type=HTML, headers=dict(NEGOTIATED))
    return ApiResponse(json_body(), media_type=media, headers=dict(NEGOTIATED))


# -- landing page and conformance ----------------------------------------------------------------
def landing(store: Store, base: str, args: Args, accept: str | None = None) -> ApiResponse:
    """GET / as JSON (the HTML landing page is the map, which app.py serves)."""
    try:
        params.check_known(args, COMMON_PARAMS)
    except ParamError as exc:
        raise _fail(exc) from None

    def make() -> bytes:
        return dumps({
            "title": TITLE,
            "description": DESCRIPTION,
            "links": [
                link(f"{base}/?f=json", "self", JSON, "This document"),
                link(f"{base}/", "alternate", HTML, "The map"),
                link(f"{base}/api/openapi.json", "service-desc", OPENAPI_TYPE, "The API definition (OpenAPI 3.0)"),
                link(f"{base}/api/docs", "service-doc", HTML, "The API documentation"),
                link(f"{base}/conformance", "conformance", JSON, "Conformance classes implemented"),
                link(f"{base}/collections", "data", JSON, "The collections: one per layer, and every place"),
            ],
        })
    return ApiResponse(memo(store, ("ogc-landing", base), lambda: _blob(make)), headers=dict(NEGOTIATED))


def conformance(store: Store, base: str, args: Args, accept: str | None = None) -> ApiResponse:
    """GET /conformance: the conformance classes implemented."""
    fmt = _format(args, accept)
    body = {"conformsTo": CONFORMANCE}
    return memo(store, ("ogc-conformance", base, fmt), lambda: _respond(
        fmt, lambda: _blob(lambda: dumps(body)),
        lambda: _blob(lambda: html.conformance(base, CONFORMANCE))))


# -- collections ---------------------------------------------------------------------------------
def collection_info(c: Collection, base: str) -> dict:
    """One collection's description, as in /collections and /collections/{id}."""
    url = f"{base}/collections/{quote(c.id, safe='')}"
    download_id = c.id if c.id != LOCATIONS else "locations"
    links = [
        link(url, "self", JSON, "This collection"),
        link(f"{url}?f=html", "alternate", HTML, "This collection as HTML"),
        link(f"{url}/items", "items", GEOJSON_TYPE, "The places, as GeoJSON"),
        link(f"{url}/items?f=html", "items", HTML, "The places, as a table"),
        link(f"{url}/queryables", REL_QUERYABLES, SCHEMA_TYPE, "The properties to filter on"),
    ]
    links += [link(f"{base}/download/{quote(download_id, safe='')}.{ext}", "enclosure", media,
                   f"Download as {name}") for ext, media, name in DOWNLOAD_FORMATS]
    links.append(link(map_url(base, c.layer_ids), "related", HTML, "On the map"))
    info = {
        "id": c.id,
        "title": c.title,
        "description": c.description,
        "itemType": "feature",
        "crs": [CRS84],
        "storageCrs": CRS84,
        "extent": {
            "spatial": {"bbox": [c.bbox()] if c.bbox() else [], "crs": CRS84},
            "temporal": {"interval": [c.temporal()], "trs": GREGORIAN},
        },
        "links": links,
    }
    if c.theme:
        info["theme"] = c.theme
    if c.colour:
        info["colour"] = c.colour
    info["geometryTypes"] = c.geometry_types
    info["numberOfFeatures"] = c.count
    return info


def collections(store: Store, base: str, args: Args, accept: str | None = None) -> ApiResponse:
    """GET /collections: every layer, then every place."""
    fmt = _format(args, accept)

    def data() -> dict:
        return {
            "links": [link(f"{base}/collections", "self", JSON, "The collections"),
                      link(f"{base}/collections?f=html", "alternate", HTML, "The collections as HTML")],
            "collections": [collection_info(c, base) for c in _collections(store).values()],
        }
    return memo(store, ("ogc-collections-page", base, fmt), lambda: _respond(
        fmt, lambda: _blob(lambda: dumps(data())), lambda: _blob(lambda: html.collections(base, data()))))


def collection(store: Store, collection_id: str, base: str, args: Args,
               accept: str | None = None) -> ApiResponse:
    """GET /collections/{collectionId}."""
    c = _collection(store, collection_id, base)
    fmt = _format(args, accept)
    return memo(store, ("ogc-collection", c.id, base, fmt), lambda: _respond(
        fmt, lambda: _blob(lambda: dumps(collection_info(c, base))),
        lambda: _blob(lambda: html.collection(base, collection_info(c, base)))))


def queryables(store: Store, collection_id: str, base: str, args: Args,
               accept: str | None = None) -> ApiResponse:
    """GET /collections/{collectionId}/queryables: JSON Schema of what can be filtered on."""
    c = _collection(store, collection_id, base)
    fmt = _format(args, accept)
    url = f"{base}/collections/{quote(c.id, safe='')}/queryables"

    def doc() -> dict:
        return schema(c.id, c.title, url, c.records, c.geometry_types)
    return memo(store, ("ogc-queryables", c.id, base, fmt), lambda: _respond(
        fmt, lambda: _blob(lambda: dumps(doc())), lambda: _blob(lambda: html.queryables(base, c, doc())),
        media=SCHEMA_TYPE))


# -- items ---------------------------------------------------------------------------------------
def _property_tests(store: Store, args: Args) -> list:
    """The queryables given as parameters (province=Hubei&precision=3), as record tests."""
    tests = []
    for name in PROPERTY_PARAMS:
        raw = params.given(args, name)
        if raw is None:
            continue
        q = QUERYABLES[name]
        value: object = raw.strip()
        if len(raw) > params.MAX_TEXT_LENGTH:
            raise ParamError(f"{name} is too long: at most {params.MAX_TEXT_LENGTH} characters")
        if q.kind == "integer":
            value = params.whole_number(raw, name, 1, 9, 0)
        elif q.kind == "boolean":
            if raw.strip().lower() not in ("true", "false"):
                raise ParamError(f"{name} must be true or false; got {raw.strip()[:40]!r}")
            value = raw.strip().lower() == "true"
        elif q.kind == "date":
            value = first_day(raw.strip()) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()) else None
            if value is None:
                raise ParamError(f"{name} must be a date such as 2021-11-05; got {raw.strip()[:40]!r}")
        elif name == "province":
            if len(raw) > query.MAX_QUERY_LENGTH:
                raise ParamError(f"province is too long: at most {query.MAX_QUERY_LENGTH} characters")
            try:  # English or Chinese names, any case; a name no place has simply matches nothing
                value = query.resolve_province(raw, store.province_table) or value
            except query.QueryError:
                pass
        if q.multi:
            tests.append(lambda r, n=name, v=value: v in r[n])
        else:
            tests.append(lambda r, n=name, v=value: r[n] == v)
    return tests


def _select(store: Store, c: Collection, args: Args) -> list[int] | None:
    """Indices of the features the filters keep, in collection order; None when nothing filters."""
    try:
        boxes = params.parse_bbox(args.get("bbox"))
        span = params.parse_datetime(args.get("datetime"))
        tests = _property_tests(store, args)
        predicate = None
        text = params.given(args, "filter")
        lang = params.given(args, "filter-lang")
        if lang is not None and lang.strip() != "cql2-text":
            raise ParamError(f"filter-lang {lang.strip()[:40]!r} is not supported; use cql2-text")
        crs = params.given(args, "filter-crs")
        if crs is not None and crs.strip() != CRS84:
            raise ParamError(f"filter-crs must be {CRS84} (longitude, latitude)")
        if text is not None:
            if len(text) > params.MAX_FILTER_LENGTH:
                raise ParamError(f"filter is too long: at most {params.MAX_FILTER_LENGTH} characters")
            predicate = compile_filter(text)
    except ParamError as exc:
        raise _fail(exc) from None
    if not (boxes or span or tests or predicate):
        return None
    indices = list(range(c.count))
    if tests:
        indices = [i for i in indices if all(t(c.records[i]) for t in tests)]
    if span:
        first, last = span
        indices = [i for i in indices if any((last is None or a <= last) and (first is None or b >= first)
                                             for a, b in c.intervals(i))]
    if boxes:
        from shapely.geometry import box as make_box

        windows = [make_box(*b) for b in boxes]
        shapes = c.shapes()
        indices = [i for i in indices if c.bboxes[i] and any(query.boxes_intersect(c.bboxes[i], b) for b in boxes)
                   and any(shapes[i].intersects(w) for w in windows)]
    if predicate:
        shapes = c.shapes()
        try:
            indices = [i for i in indices if predicate(c.records[i], shapes[i])]
        except TypeError as exc:
            raise ApiError(400, f"filter cannot be evaluated: {str(exc)[:120]}") from None
    return indices


def _page_links(base: str, c: Collection, args: Args, fmt: str, offset: int, limit: int,
                matched: int) -> list[dict]:
    url = f"{base}/collections/{quote(c.id, safe='')}/items"
    kept = [(k, v) for k, v in args.items() if k not in ("offset", "limit", "f") and v.strip() != ""]

    def at(start: int, f: str | None = None) -> str:
        pairs = kept + [("limit", str(limit))] + ([("offset", str(start))] if start else [])
        if f:
            pairs.append(("f", f))
        return f"{url}?{urlencode(pairs)}"

    links = [link(at(offset, "json"), "self" if fmt == "json" else "alternate", GEOJSON_TYPE, "This page as GeoJSON"),
             link(at(offset, "html"), "self" if fmt == "html" else "alternate", HTML, "This page as a table")]
    if offset + limit < matched:
        links.append(link(at(offset + limit, fmt), "next", GEOJSON_TYPE if fmt == "json" else HTML, "Next page"))
    if offset > 0:
        links.append(link(at(max(0, offset - limit), fmt), "prev", GEOJSON_TYPE if fmt == "json" else HTML,
                          "Previous page"))
    links.append(link(f"{base}/collections/{quote(c.id, safe='')}", "collection", JSON, "The collection"))
    return links


def items(store: Store, collection_id: str, base: str, args: Args, accept: str | None = None) -> ApiResponse:
    """GET /collections/{collectionId}/items: a page of features, filtered and counted."""
    c = _collection(store, collection_id, base)
    fmt = _format(args, accept, ITEM_PARAMS + PROPERTY_PARAMS)
    try:
        limit = params.parse_limit(args.get("limit"))
        offset = params.parse_offset(args.get("offset"))
    except ParamError as exc:
        raise _fail(exc) from None
    # Paging alone (what clients send most) needs no parsing of filters.
    indices = None if set(args) <= {"f", "limit", "offset"} else _select(store, c, args)

    def make() -> bytes:
        chosen = range(c.count) if indices is None else indices
        page = list(chosen[offset:offset + limit])
        matched = len(chosen)
        links = _page_links(base, c, args, fmt, offset, limit, matched)
        if fmt == "html":
            return html.items(base, c, page, matched, offset, links)
        meta = dumps({"numberMatched": matched, "numberReturned": len(page), "timeStamp": _now(),
                      "links": links})
        return (b'{"type":"FeatureCollection","features":[' + b",".join(c.feature_bytes[i] for i in page)
                + b"]," + meta[1:])
    if indices is None:  # unfiltered: made once per page, with its gzip and ETag
        blob = lru(store, ("ogc-items", c.id, base, fmt, offset, limit), lambda: Blob.of(make()))
    else:  # filtered: bytes for this request (its own timeStamp), gzipped by the adapter if wanted
        blob = make()
    return ApiResponse(blob, media_type=GEOJSON_TYPE if fmt == "json" else HTML, headers=dict(NEGOTIATED))


def item(store: Store, collection_id: str, feature_id: str, base: str, args: Args,
         accept: str | None = None) -> ApiResponse:
    """GET /collections/{collectionId}/items/{featureId}: one feature, with its links."""
    c = _collection(store, collection_id, base)
    fmt = _format(args, accept)
    i = c.index.get(feature_id)
    if i is None:
        raise ApiError(404, f"no feature {feature_id[:60]!r} in collection {c.id!r}; "
                            f"GET {base}/collections/{c.id}/items lists them")

    def make() -> Blob:
        url = f"{base}/collections/{quote(c.id, safe='')}/items/{quote(feature_id, safe='')}"
        layer_id = c.records[i]["layer"] or c.id
        links = [
            link(url, "self" if fmt == "json" else "alternate", GEOJSON_TYPE, "This place as GeoJSON"),
            link(f"{url}?f=html", "self" if fmt == "html" else "alternate", HTML, "This place as HTML"),
            link(f"{base}/collections/{quote(c.id, safe='')}", "collection", JSON, "The collection"),
            link(map_url(base, [layer_id], feature_id), "related", HTML, "On the map"),
        ]
        if fmt == "html":
            return Blob.of(html.item(base, c, i, links))
        return Blob.of(c.feature_bytes[i][:-1] + b',"links":' + dumps(links) + b"}")
    blob = lru(store, ("ogc-item", c.id, feature_id, base, fmt), make)
    return ApiResponse(blob, media_type=GEOJSON_TYPE if fmt == "json" else HTML, headers=dict(NEGOTIATED))


# -- the API's documentation ---------------------------------------------------------------------
def api_docs(store: Store, base: str, document: dict) -> ApiResponse:
    """GET /api/docs: the OpenAPI document as a readable page (the landing page's service-doc)."""
    return ApiResponse(memo(store, ("ogc-api-docs", base), lambda: Blob.of(html.api_docs(base, document))),
                       media_type=HTML)
