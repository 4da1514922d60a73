"""The atlas's own JSON API and downloads, framework-free (see ``geo.api``).

Every handler takes the loaded :class:`geo.store.Store`, the query arguments as a plain mapping
and ``base`` — the path prefix the app is mounted under ("" at the site root), which every link
starts with — and returns an :class:`ApiResponse` or raises :class:`ApiError`. Unfiltered bodies are
the store's prepared blobs (or made once per store with :func:`geo.api.memo.memo`), so serving them
is a lookup.
"""

from __future__ import annotations

import weakref
from typing import Mapping

from .. import generalise
from .. import openapi as openapi_doc
from .. import query
from ..downloads import FORMATS
from ..store import FC_TAIL, GEOJSON_SEQ_TYPE, GEOJSON_TYPE, Blob, Store, dumps, feature_collection_bytes, seq_bytes
from ..ogc.params import media_ranges
from . import ApiError, ApiResponse
from .memo import lru, memo

# Filtered answers are made per request: gzip level 1 costs a fifth of level 9's CPU for ~10%
# more bytes, and the most recent answers are kept (a map pans back and forth over the same
# views; many clients ask for the same full extent), at most this many (~1.3 MB each at most).
FAST_GZIP = 1
FILTERED_ANSWERS = 32


_filtered: "weakref.WeakSet[Blob]" = weakref.WeakSet()


def filtered_answer(store: Store, key: tuple, make) -> Blob:
    """The Blob of a filtered body, from the cache of recent answers or made with fast gzip."""
    def fresh() -> Blob:
        blob = Blob.of(make(), compresslevel=FAST_GZIP)
        _filtered.add(blob)
        return blob
    return lru(store, ("filtered",) + key, fresh, size=FILTERED_ANSWERS)


def is_filtered(blob: Blob) -> bool:
    """A body made for a request's filters: bounded by this module's cache, so no other cache
    (app.py's ResponseCache, keyed by URL) should keep it — windows are endless."""
    return blob in _filtered

Args = Mapping[str, str]

# The download formats, as (extension, media type, name): linked from the OGC API collections.
DOWNLOAD_FORMATS = [(f.ext, f.media_type, f.name) for f in FORMATS.values()]


# -- paths ---------------------------------------------------------------------------------------
def layer_path(base: str, layer_id: str) -> str:
    return f"{base}/api/layers/{layer_id}"


def download_path(base: str, layer_id: str, ext: str = "geojson") -> str:
    return f"{base}/download/{layer_id}.{ext}"


def paths(base: str) -> dict[str, str]:
    """The API's fixed addresses under ``base``."""
    return {
        "index": f"{base}/api/layers",
        "features": f"{base}/api/features",
        "places": f"{base}/api/places",
        "provinces": f"{base}/api/base/provinces",
        "download_all": f"{base}/download/locations.geojson",
        "openapi": f"{base}/api/openapi.json",
    }


def layer_links(base: str):
    """The links object of one layer in the index, as a function of its id."""
    def links(layer_id: str) -> dict:
        return {"self": layer_path(base, layer_id),
                # The same features as a GeoJSON Text Sequence: the map streams big layers from it.
                "stream": layer_path(base, layer_id) + "?f=geojsonseq",
                "download": download_path(base, layer_id),
                "formats": {ext: download_path(base, layer_id, ext) for ext in FORMATS}}
    return links


def get_layer(store: Store, layer_id: str, base: str = ""):
    layer = store.layer(layer_id)
    if layer is None:
        raise ApiError(404, f"unknown layer {layer_id[:60]!r}; GET {paths(base)['index']} lists the layers")
    return layer


# -- parameters ----------------------------------------------------------------------------------
def feature_filters(store: Store, args: Args):
    """bbox, province and q from the query arguments; a 400 that says what is wrong."""
    try:
        return (query.parse_bbox(args.get("bbox")),
                query.resolve_province(args.get("province"), store.province_table),
                query.clean_query(args.get("q"), required=False))
    except query.QueryError as exc:
        raise ApiError(400, str(exc)) from None


def detail_step(args: Args) -> int | None:
    """``maxAllowableOffset`` as a step of geo.generalise (None: full detail); a 400 that says what is wrong."""
    try:
        return generalise.parse_offset(args.get(generalise.PARAM))
    except query.QueryError as exc:
        raise ApiError(400, str(exc)) from None


def layer_features(store: Store, layer, step: int | None):
    """A layer's feature bytes at full detail (``step`` None) or generalised for ``step``, made
    once per layer and step and kept while the store lives: there are MAX_ZOOM + 1 steps, so a
    client cycling through offsets finds each made (no work to repeat), and the copies are at
    most that many times the layers' lines and areas (coarse steps are far smaller). A layer of
    points only is the same at every step, and is never copied."""
    if step is None or not generalise.has_outlines(layer.meta.get("geometry_types")):
        return layer.feature_bytes
    return memo(store, ("generalised", layer.id, step),
                lambda: generalise.generalise_features(layer.feature_bytes, layer.features, step))


def collection_bytes(parts, step: int | None) -> bytes:
    """A FeatureCollection of feature bytes; a generalised one says its offset."""
    if step is None:
        return feature_collection_bytes(parts)
    return generalise.collection_head(step) + b",".join(parts) + FC_TAIL


# -- handlers ------------------------------------------------------------------------------------
def layers_index(store: Store, base: str = "") -> ApiResponse:
    """GET /api/layers: the themes and layers with counts and links."""
    def make() -> Blob:
        body = store.index(layer_links(base))
        p = paths(base)
        body["links"] = {"self": p["index"], "features": p["features"], "places": p["places"],
                         "provinces": p["provinces"], "download_all": p["download_all"]}
        return Blob.of(dumps(body))
    return ApiResponse(memo(store, ("layers-index", base), make))


def parse_layer_ids(store: Store, value: str | None, base: str = "") -> tuple[str, ...] | None:
    """``layers=a,b``: those layers' ids in panel order; None when not given (or empty)."""
    if value is None or not value.strip():
        return None
    asked = [part.strip() for part in value.split(",")]
    if any(not part for part in asked):
        raise ApiError(400, "layers must be layer ids separated by commas, with none empty")
    unknown = [part for part in asked if part not in store.layers]
    if unknown:
        raise ApiError(400, f"unknown layer {unknown[0][:60]!r} in layers; GET {paths(base)['index']} lists the layers")
    wanted = set(asked)
    return tuple(layer_id for layer_id in store.layers if layer_id in wanted)


def features(store: Store, args: Args, base: str = "") -> ApiResponse:
    """GET /api/features: every display feature of every layer, or of the ``layers`` asked for
    (the map asks for the layers it shows at load), with the same filters as one layer, at full
    detail or generalised (``maxAllowableOffset``)."""
    bbox, province, q = feature_filters(store, args)
    step = detail_step(args)
    chosen_layers = parse_layer_ids(store, args.get("layers"), base)
    if chosen_layers is not None and len(chosen_layers) == len(store.layers):
        chosen_layers = None
    if not (bbox or province or q or chosen_layers) and step is None:
        return ApiResponse(store.features, media_type=GEOJSON_TYPE)
    layers = [store.layers[i] for i in chosen_layers] if chosen_layers else list(store.layers.values())
    if not (bbox or province or q):
        blob = filtered_answer(store, ("layers", chosen_layers, step), lambda: collection_bytes(
            [f for layer in layers for f in layer_features(store, layer, step)], step))
        return ApiResponse(blob, media_type=GEOJSON_TYPE)
    # Keyed by what the filters selected (cheap to find), not by how they were spelt: every
    # window around the same places shares one answer, so a client varying the bbox costs a select.
    selection = tuple(tuple(layer.select(bbox=bbox, province=province, q=q)) for layer in layers)

    def make() -> bytes:
        parts = []
        for layer, chosen in zip(layers, selection):
            each = layer_features(store, layer, step)
            parts.extend(each[i] for i in chosen)
        return collection_bytes(parts, step)
    return ApiResponse(filtered_answer(store, ("*", chosen_layers, selection, step), make), media_type=GEOJSON_TYPE)


# The representations of one layer: a FeatureCollection, or a GeoJSON Text Sequence (RFC 8142),
# which a map reads as a stream and parses a feature at a time.
LAYER_FORMATS = ("geojson", "geojsonseq")


def layer_format(value: str | None, accept: str | None) -> str:
    """``f`` (geojson or geojsonseq) or, without it, geojsonseq when the Accept header names
    application/geo+json-seq at least as high as any GeoJSON or JSON type it names."""
    if value is not None and value != "":
        if value not in LAYER_FORMATS:
            raise ApiError(400, f"f must be one of {', '.join(LAYER_FORMATS)}; got {value[:40]!r}")
        return value
    seq = other = 0.0
    for media, q in media_ranges(accept):
        if media == GEOJSON_SEQ_TYPE:
            seq = max(seq, q)
        elif media in (GEOJSON_TYPE, "application/json"):
            other = max(other, q)
    return "geojsonseq" if seq > 0 and seq >= other else "geojson"


def layer(store: Store, layer_id: str, args: Args, base: str = "", accept: str | None = None) -> ApiResponse:
    """GET /api/layers/<id>: one layer's features, optionally filtered and generalised
    (``maxAllowableOffset``); ``f=geojsonseq`` (or Accept: application/geo+json-seq) as a GeoJSON
    Text Sequence of the same features' bytes."""
    found = get_layer(store, layer_id, base)
    bbox, province, q = feature_filters(store, args)
    step = detail_step(args)
    fmt = layer_format(args.get("f"), accept)
    vary = {"Vary": "Accept"}  # the Accept header may choose the representation
    each = layer_features(store, found, step)
    if each is found.feature_bytes:
        step = None  # nothing to generalise: the layer's own bodies
    filtered = bool(bbox or province or q)
    if not filtered and step is None:
        return ApiResponse(found.seq_blob if fmt == "geojsonseq" else found.blob,
                           media_type=GEOJSON_SEQ_TYPE if fmt == "geojsonseq" else GEOJSON_TYPE, headers=vary)
    chosen = tuple(found.select(bbox=bbox, province=province, q=q)) if filtered else range(found.count)
    key = chosen if filtered else "all"
    if fmt == "geojsonseq":
        blob = filtered_answer(store, (found.id, "seq", key, step), lambda: seq_bytes(each[i] for i in chosen))
        return ApiResponse(blob, media_type=GEOJSON_SEQ_TYPE, headers=vary)
    blob = filtered_answer(store, (found.id, key, step), lambda: collection_bytes([each[i] for i in chosen], step))
    return ApiResponse(blob, media_type=GEOJSON_TYPE, headers=vary)


def provinces(store: Store) -> ApiResponse:
    """GET /api/base/provinces: province outlines for the offline base map."""
    return ApiResponse(store.provinces, media_type=GEOJSON_TYPE)


def base_layer(store: Store, name: str) -> ApiResponse:
    """GET /api/base/<name>: the offline base's cities, rivers or lakes (geo.basemap)."""
    blob = store.base.get(name)
    if blob is None:
        raise ApiError(404, f"unknown base layer {name[:40]!r}; the base has provinces, " + ", ".join(store.base))
    return ApiResponse(blob, media_type=GEOJSON_TYPE)


def places(store: Store, args: Args) -> ApiResponse:
    """GET /api/places?q=&limit=: search by English, Chinese or pinyin name, best first."""
    try:
        q = query.clean_query(args.get("q"), required=True)
        limit = query.parse_limit(args.get("limit"))
    except query.QueryError as exc:
        raise ApiError(400, str(exc)) from None
    results = store.places(q, limit)
    return ApiResponse(Blob.of(dumps({"query": q, "count": len(results), "results": results})), max_age=60)


def openapi(store: Store) -> ApiResponse:
    """GET /api/openapi.json: the OpenAPI 3 document of every route."""
    def make() -> Blob:
        return Blob.of(dumps(openapi_doc.openapi_document(sorted(store.layers))))
    return ApiResponse(memo(store, "openapi", make), media_type="application/json")


def download_all(store: Store) -> ApiResponse:
    """GET /download/locations.geojson: every place, as a file."""
    return ApiResponse(store.locations, media_type=GEOJSON_TYPE,
                       filename="central-china-atlas-locations.geojson")


def download_layer(store: Store, layer_id: str, base: str = "") -> ApiResponse:
    """GET /download/<id>.geojson: one layer, as a file."""
    found = get_layer(store, layer_id, base)
    return ApiResponse(found.blob, media_type=GEOJSON_TYPE, filename=f"central-china-atlas-{found.id}.geojson")
