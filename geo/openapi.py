"""The OpenAPI 3 description of the atlas API, served at ``/api/openapi.json``.

Built as plain data so the web layer only serialises it; ``tests/test_openapi.py`` keeps it
true to the app's routes and responses, and the fuzzing tests generate requests from it.
"""

from __future__ import annotations

from .api.extract import FORMATS, LANGS, MAX_DOCUMENT_BYTES, MAX_REQUEST_BYTES
from .api.extract import MAX_FIELD_LENGTH as EXTRACT_FIELD_LENGTH
from .contract import properties_schema
from .downloads import FORMATS as DOWNLOAD_FORMATS
from .downloads import BIG as BIG_DOWNLOAD
from .downloads import GIS_FORMATS
from . import generalise
from .ogc import CONFORMANCE, CRS84
from .ogc import params as ogc_params
from .ogc.queryables import QUERYABLES
from .query import MAX_LIMIT, MAX_QUERY_LENGTH, NUMBER

# ASCII digits and [ \t] padding only, exactly what geo.query.parse_number takes (a JSON Schema
# \s would also allow no-break and other Unicode spaces). An empty value means no filter.
_SP = "[ \t]*"
BBOX_PATTERN = rf"^{_SP}({NUMBER}{_SP}(,{_SP}{NUMBER}{_SP}){{3}})?$"
# A number of degrees, 0 or more (no sign but +), as geo.generalise.parse_offset takes it.
_UNSIGNED = NUMBER.replace("[+-]?", r"\+?", 1)
OFFSET_PATTERN = rf"^{_SP}({_UNSIGNED}{_SP})?$"
GEOJSON = "application/geo+json"

_ERROR = {
    "type": "object",
    "required": ["error", "status", "message"],
    "properties": {
        "error": {"type": "string", "description": "HTTP reason phrase"},
        "status": {"type": "integer"},
        "message": {"type": "string", "description": "what is wrong and how to fix it"},
    },
}

_FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        generalise.PARAM: {"type": "number", "description": "present when the geometries were "
                           "generalised: the offset, in degrees, they were made with"},
        "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
    },
}

_FEATURE = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": {"type": "object", "required": ["type", "coordinates"]},
        "properties": properties_schema(),
    },
}

_LAYER = {
    "type": "object",
    "required": ["id", "title", "theme", "description", "colour", "count", "bbox"],
    "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "theme": {"type": "string"},
        "description": {"type": "string"},
        "colour": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "count": {"type": "integer", "minimum": 0},
        "visible": {"type": "boolean", "description": "shown when the map opens"},
        "bbox": {"type": ["array", "null"], "items": {"type": "number"}},
        "links": {"type": "object"},
    },
}

_FILTERS = [
    {"name": "bbox", "in": "query", "required": False,
     "description": "minx,miny,maxx,maxy in WGS84 degrees (lon -180..180, lat -90..90, "
                    "min <= max); features that intersect it; empty means no filter",
     "schema": {"type": "string", "pattern": BBOX_PATTERN}, "example": "110,28,116,32"},
    {"name": "province", "in": "query", "required": False,
     "description": "English or Chinese province name (Hubei, 湖北, 湖北省)",
     "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH}},
    {"name": "q", "in": "query", "required": False,
     "description": "English, Chinese or pinyin text matched against names and aliases",
     "schema": {"type": "string", "maxLength": MAX_QUERY_LENGTH}},
]


_DETAIL = {
    "name": generalise.PARAM, "in": "query", "required": False,
    "description": "lines and areas generalised for drawing: vertices that move the outline by less "
                   "than this many degrees are left out (and islets and holes smaller than a square of that "
                   "side), for a map at the matching zoom. Rounded down "
                   "to a step of half a pixel at some zoom level (the answer's maxAllowableOffset says "
                   "which); points are unchanged; empty or 0 means full detail",
    "schema": {"type": "string", "pattern": OFFSET_PATTERN}, "example": "0.015538"}

_CANDIDATE = {
    "type": "object",
    "properties": {
        "name": {"type": ["string", "null"]}, "province": {"type": ["string", "null"]},
        "adcode": {"type": ["string", "null"]}, "geonameid": {"type": ["integer", "null"]},
        "lon": {"type": ["number", "null"]}, "lat": {"type": ["number", "null"]},
        "why_not": {"type": ["string", "null"], "description": "why the parser did not choose it"},
    },
}

_MENTION = {
    "type": "object",
    "required": ["start", "end", "text", "kind"],
    "properties": {
        "start": {"type": "integer", "minimum": 0, "description": "Python string offset into the text"},
        "end": {"type": "integer", "minimum": 0},
        "text": {"type": "string", "description": "the span as written"},
        "kind": {"type": "string"},
        "province": {"type": ["string", "null"]},
        "adcode": {"type": ["string", "null"]},
        "geonameid": {"type": ["integer", "null"]},
        "lon": {"type": ["number", "null"]}, "lat": {"type": ["number", "null"]},
        "precision": {"type": ["integer", "null"], "description": "IATI GeographicalPrecision"},
        "confidence": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "basis": {"type": ["string", "null"], "description": "what in the text decided it"},
        "candidates": {"type": "array", "items": {"$ref": "#/components/schemas/Candidate"}},
        "catalog_id": {"type": ["string", "null"]},
    },
}

_EXTRACT_RESULT = {
    "type": "object",
    "required": ["language", "mentions"],
    "properties": {
        "title": {"type": ["string", "null"]}, "date": {"type": ["string", "null"]},
        "url": {"type": ["string", "null"]}, "filename": {"type": "string"},
        "format": {"type": "string", "enum": ["text", "txt", "md", "html", "pdf"]},
        "language": {"type": "string", "enum": ["en", "zh"]},
        "mentions": {"type": "array", "items": {"$ref": "#/components/schemas/Mention"}},
        "text": {"type": "string", "description": "an upload's text, which the offsets index"},
    },
}

_META_FIELD = {"type": "string", "maxLength": EXTRACT_FIELD_LENGTH}
_EXTRACT_JSON = {
    "type": "object",
    "required": ["text"],
    "additionalProperties": False,
    "properties": {
        "text": {"type": "string", "minLength": 1, "pattern": r"\S",
                 "description": f"the document, at most {MAX_DOCUMENT_BYTES:,} bytes as UTF-8"},
        "title": _META_FIELD, "date": _META_FIELD,
        "url": {"type": "string", "maxLength": EXTRACT_FIELD_LENGTH, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#]+"},
        "lang": {"type": "string", "enum": list(LANGS)},
        "choices": {"type": "array", "description": "a reader's corrections, by span", "items": {
            "type": "object", "required": ["start", "end"], "additionalProperties": False,
            "properties": {"start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0},
                           "candidate": {"type": "integer", "minimum": 0},
                           "drop": {"type": "boolean", "enum": [True]}}}},
    },
}
_EXTRACT_FORM = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "file": {"type": "string", "format": "binary", "description": ".txt, .md, .html or .pdf"},
        "text": {"type": "string"},
        "title": _META_FIELD, "date": _META_FIELD, "url": _META_FIELD,
        "lang": {"type": "string", "enum": list(LANGS)},
    },
}


# OGC API – Features ------------------------------------------------------------------------------
BBOX6_PATTERN = rf"^{_SP}({NUMBER}{_SP}(,{_SP}{NUMBER}{_SP}){{3}}|{NUMBER}{_SP}(,{_SP}{NUMBER}{_SP}){{5}})?$"
MAX_TEXT = ogc_params.MAX_TEXT_LENGTH
HTML = "text/html"

_LINK = {"type": "object", "required": ["href", "rel", "type"], "properties": {
    "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
    "title": {"type": "string"}}}
_LINKS = {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}
_COLLECTION = {
    "type": "object", "required": ["id", "title", "links", "extent", "itemType"],
    "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "itemType": {"type": "string", "enum": ["feature"]},
        "crs": {"type": "array", "items": {"type": "string"}},
        "extent": {"type": "object", "properties": {
            "spatial": {"type": "object", "properties": {
                "bbox": {"type": "array", "items": {"type": "array", "items": {"type": "number"},
                                                    "minItems": 4, "maxItems": 6}},
                "crs": {"type": "string", "enum": [CRS84]}}},
            "temporal": {"type": "object", "properties": {
                "interval": {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                                        "items": {"type": ["string", "null"]}}},
                "trs": {"type": "string"}}}}},
        "numberOfFeatures": {"type": "integer", "minimum": 0},
        "links": _LINKS,
    },
}
_OGC_FEATURE_COLLECTION = {
    "type": "object", "required": ["type", "features", "links", "numberMatched", "numberReturned", "timeStamp"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
        "links": _LINKS,
        "numberMatched": {"type": "integer", "minimum": 0},
        "numberReturned": {"type": "integer", "minimum": 0},
        "timeStamp": {"type": "string", "format": "date-time"},
    },
}


def _ogc_param(name: str, description: str, schema: dict, where: str = "query", **extra) -> dict:
    param = {"name": name, "in": where, "required": where == "path", "description": description,
             "schema": schema}
    if where == "query":
        param.update(style="form", explode=False)
    param.update(extra)
    return param


_F = _ogc_param("f", "the format: json (GeoJSON for features) or html; without it, the Accept header decides",
                {"type": "string", "enum": list(ogc_params.FORMATS)})


def _queryable_params() -> list[dict]:
    out = []
    for q in QUERYABLES.values():
        if q.kind == "geometry":
            continue
        if q.kind == "integer":
            schema = {"type": "integer", "minimum": 1, "maximum": 9}
        elif q.kind == "boolean":
            schema = {"type": "string", "enum": ["true", "false"]}
        elif q.kind == "date":
            schema = {"type": "string", "pattern": r"^\s*\d{4}-\d{2}-\d{2}\s*$"}
        else:
            schema = {"type": "string", "maxLength": MAX_QUERY_LENGTH if q.name == "province" else MAX_TEXT}
        out.append(_ogc_param(q.name, f"only places whose {q.name} is this value"
                                      + (" (one of them)" if q.multi else "") + f": {q.description}", schema))
    return out


def _ogc_ok(description: str, schema_ref: str, media: str = "application/json") -> dict:
    return {"description": description, "content": {
        media: {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}},
        HTML: {"schema": {"type": "string"}}}}


def _ogc_paths(collection_param: dict, feature_param: dict) -> dict:
    items_params = [collection_param, _F,
                    _ogc_param("limit", "most features in one page (default, maximum declared)",
                               {"type": "integer", "minimum": 1, "maximum": ogc_params.MAX_LIMIT,
                                "default": ogc_params.DEFAULT_LIMIT}),
                    _ogc_param("offset", "features to skip: the next and prev links set it",
                               {"type": "integer", "minimum": 0, "maximum": ogc_params.MAX_OFFSET, "default": 0}),
                    _ogc_param("bbox", "minx,miny,maxx,maxy (or six numbers, with heights) in CRS84; "
                                       "features that intersect it; minx > maxx crosses the antimeridian",
                               {"type": "string", "pattern": BBOX6_PATTERN}, example="110,28,116,32"),
                    _ogc_param("datetime", "an RFC 3339 date or date-time, or an interval start/end with .. "
                                           "for an open end: places named by a document dated then",
                               {"type": "string", "maxLength": ogc_params.MAX_DATETIME_LENGTH},
                               example="2021-01-01/2021-12-31"),
                    _ogc_param("filter", "a CQL2 text filter over the queryables, e.g. "
                                         "province = 'Hubei' AND precision <= 3",
                               {"type": "string", "maxLength": ogc_params.MAX_FILTER_LENGTH},
                               example="province = 'Hubei' AND precision <= 3"),
                    _ogc_param("filter-lang", "the filter's language", {"type": "string", "enum": ["cql2-text"]}),
                    _ogc_param("filter-crs", "the CRS of the filter's geometries",
                               {"type": "string", "enum": [CRS84]})] + _queryable_params()
    bad = _error("a parameter the API does not declare, or a malformed one")
    missing = _error("no such collection or feature")
    return {
        "/": {"get": {
            "operationId": "getLandingPage", "summary": "Landing page (JSON) or the map (HTML)",
            "parameters": [_F],
            "responses": {"200": _ogc_ok("the landing page, or the map for browsers", "LandingPage"),
                          "400": bad}}},
        "/conformance": {"get": {
            "operationId": "getConformance", "summary": "The conformance classes implemented",
            "parameters": [_F],
            "responses": {"200": _ogc_ok("conformance declaration", "Conformance"), "400": bad}}},
        "/collections": {"get": {
            "operationId": "getCollections", "summary": "The collections: one per layer, and every place",
            "parameters": [_F],
            "responses": {"200": _ogc_ok("the collections", "Collections"), "400": bad}}},
        "/collections/{collectionId}": {"get": {
            "operationId": "describeCollection", "summary": "One collection",
            "parameters": [collection_param, _F],
            "responses": {"200": _ogc_ok("the collection", "Collection"), "400": bad, "404": missing}}},
        "/collections/{collectionId}/queryables": {"get": {
            "operationId": "getQueryables", "summary": "The properties to filter on (JSON Schema)",
            "parameters": [collection_param, _F],
            "responses": {"200": _ogc_ok("the queryables", "Queryables", "application/schema+json"),
                          "400": bad, "404": missing}}},
        "/collections/{collectionId}/items": {"get": {
            "operationId": "getFeatures_ogc", "summary": "A page of the collection's features",
            "parameters": items_params,
            "responses": {"200": _ogc_ok("the features", "OgcFeatureCollection", GEOJSON),
                          "400": bad, "404": missing}}},
        "/collections/{collectionId}/items/{featureId}": {"get": {
            "operationId": "getFeature", "summary": "One feature",
            "parameters": [collection_param, feature_param, _F],
            "responses": {"200": _ogc_ok("the feature", "Feature", GEOJSON), "400": bad, "404": missing}}},
        "/api/docs": {"get": {
            "operationId": "getApiDocs", "summary": "This document, as a page to read",
            "responses": {"200": {"description": "the API documentation",
                                  "content": {HTML: {"schema": {"type": "string"}}}}}}},
    }


def _json(schema_ref: str, media: str = "application/json") -> dict:
    return {"content": {media: {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def _error(description: str) -> dict:
    return {"description": description, **_json("Error")}


def openapi_document(layer_ids: list[str] | None = None) -> dict:
    """The OpenAPI 3.0 document; ``layer_ids`` become the examples of the layer parameter."""
    layer_param = {"name": "layer_id", "in": "path", "required": True,
                   "description": "a layer id from GET /api/layers", "schema": {"type": "string"}}
    if layer_ids:
        layer_param["example"] = layer_ids[0]
    collection_param = _ogc_param("collectionId", "a layer id, or locations for every place",
                                  {"type": "string"}, "path", example=(layer_ids or ["locations"])[0])
    feature_param = _ogc_param("featureId", "a feature id", {"type": "string"}, "path")
    geojson_ok = {"description": "a GeoJSON FeatureCollection (RFC 7946)",
                  **_json("FeatureCollection", GEOJSON)}
    return _declare_common_behaviour({
        "openapi": "3.0.3",
        "info": {
            "title": "Central China Atlas API",
            "version": "1.0.0",
            "description": "Places named in China's regional-development policy documents, as "
                           "GeoJSON. Public data: every response may be used cross-origin. An optional "
                           "parameter given empty is the same as one not given.",
        },
        "paths": {
            "/api/layers": {"get": {
                "operationId": "listLayers", "summary": "The themes and layers, with counts",
                "responses": {"200": {"description": "the layer index", **_json("LayerIndex")}}}},
            "/api/layers/{layer_id}": {"get": {
                "operationId": "getLayer", "summary": "One layer's features",
                "description": "A FeatureCollection, or with f=geojsonseq (or Accept: "
                               "application/geo+json-seq) a GeoJSON Text Sequence (RFC 8142): each "
                               "feature as RS (0x1E), its JSON and LF, to read a big layer as a "
                               "stream, a feature at a time.",
                "parameters": [layer_param] + _FILTERS + [_DETAIL,
                    {"name": "f", "in": "query", "required": False,
                     "description": "the representation: geojson (a FeatureCollection, the "
                                    "default) or geojsonseq (a GeoJSON Text Sequence); without "
                                    "it, the Accept header decides",
                     "schema": {"type": "string", "enum": ["geojson", "geojsonseq"]}}],
                "responses": {"200": {"description": "a GeoJSON FeatureCollection (RFC 7946), or "
                                                     "a GeoJSON Text Sequence (RFC 8142)",
                                      "content": {
                                          GEOJSON: {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
                                          "application/geo+json-seq": {"schema": {"type": "string"}}}},
                              "400": _error("a malformed filter or format"),
                              "404": _error("no such layer")}}},
            "/api/features": {"get": {
                "operationId": "getFeatures", "summary": "Every layer's features",
                "parameters": _FILTERS + [_DETAIL,
                    {"name": "layers", "in": "query", "required": False,
                     "description": "only these layers: ids separated by commas (GET /api/layers "
                                    "lists them); features come in panel order; empty means all",
                     "schema": {"type": "string", "maxLength": 4000},
                     "example": "logistics-hubs,central-cities"}],
                "responses": {"200": geojson_ok, "400": _error("a malformed filter")}}},
            "/api/places": {"get": {
                "operationId": "searchPlaces", "summary": "Search places by name",
                "parameters": [
                    {"name": "q", "in": "query", "required": True,
                     "description": "English, Chinese or pinyin name",
                     "schema": {"type": "string", "minLength": 1,
                                "maxLength": MAX_QUERY_LENGTH}},
                    {"name": "limit", "in": "query", "required": False,
                     "description": "most results to return",
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}}],
                "responses": {"200": {"description": "matches, best first",
                                      **_json("SearchResults")},
                              "400": _error("q missing or too long, or a bad limit")}}},
            "/api/base/provinces": {"get": {
                "operationId": "getProvinces", "summary": "Province outlines (offline base)",
                "responses": {"200": {"description": "province outlines",
                                      "content": {GEOJSON: {"schema": {"type": "object"}}}}}}},
            "/api/base/{name}": {"get": {
                "operationId": "getBaseLayer",
                "summary": "Cities, major rivers or lakes of the offline base",
                "parameters": [{"name": "name", "in": "path", "required": True,
                                "description": "which base layer",
                                "schema": {"type": "string", "enum": ["cities", "rivers", "lakes"]}}],
                "responses": {"200": {"description": "a FeatureCollection",
                                      "content": {GEOJSON: {"schema": {"type": "object"}}}},
                              "404": _error("no such base layer")}}},
            "/download/locations.geojson": {"get": {
                "operationId": "downloadAll", "summary": "Every place, as a file",
                "responses": {"200": geojson_ok}}},
            "/download/{layer_id}.geojson": {"get": {
                "operationId": "downloadLayer", "summary": "One layer, as a file",
                "parameters": [layer_param],
                "responses": {"200": geojson_ok, "404": _error("no such layer")}}},
            "/download/{layer_id}.{ext}": {"get": {
                "operationId": "downloadAs",
                "summary": "One layer, or every place (layer_id locations), as a GIS file",
                "description": "GeoPackage (a table per geometry kind, QGIS styles in layer_styles), "
                               "CSV (WKT and lon/lat, UTF-8 with BOM), KML or FlatGeobuf. Lists "
                               "and objects are JSON text. Made once, then served with an ETag; a file of more "
                               f"than {BIG_DOWNLOAD:,} features is made in the background on first "
                               "request (503 with Retry-After until it is ready).",
                "parameters": [dict(layer_param, description="a layer id from GET /api/layers, "
                                    "or locations for every place"),
                               {"name": "ext", "in": "path", "required": True,
                                "description": "the file format",
                                "schema": {"type": "string", "enum": list(GIS_FORMATS)}}],
                "responses": {"200": {"description": "the file, as an attachment", "content": {
                                  DOWNLOAD_FORMATS[ext].media_type.split(";")[0]: {
                                      "schema": {"type": "string", "format": "binary"}}
                                  for ext in GIS_FORMATS}},
                              "404": _error("no such layer or format"),
                              "500": _error("a big layer's file could not be made"),
                              "503": _error("a big layer's file is being made in the background "
                                            "(Retry-After says when to try again)")}}},
            "/api/extract": {"post": {
                "operationId": "extractPlaces",
                "summary": "Find and place the named places of a document",
                "description": "JSON with the text, or a multipart upload (.txt, .md, .html, .pdf). "
                               f"The document may be {MAX_DOCUMENT_BYTES:,} bytes, the request "
                               f"{MAX_REQUEST_BYTES:,}. Nothing is stored.",
                "parameters": [
                    {"name": "format", "in": "query", "required": False,
                     "description": "json (the default), geojson, or catalog (a YAML draft)",
                     "schema": {"type": "string", "enum": list(FORMATS)}},
                    {"name": "lang", "in": "query", "required": False,
                     "description": "the text's language; auto detects it",
                     "schema": {"type": "string", "enum": list(LANGS)}}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ExtractRequest"}},
                    "multipart/form-data": {"schema": {"$ref": "#/components/schemas/ExtractForm"}}}},
                "responses": {
                    "200": {"description": "the mentions (format=json), a FeatureCollection "
                                           "(geojson) or a catalog draft (catalog)",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ExtractResult"}},
                                        GEOJSON: {"schema": {"type": "object"}},
                                        "application/yaml": {"schema": {  # YAML text: a list of draft catalog entries
                                            "type": "array", "items": {"type": "object"}}}}},
                    "400": _error("malformed JSON or form, no text, text that is not UTF-8, bad choices"),
                    "413": _error("a document or request over the limit"),
                    "415": _error("a media type or file type that is not read"),
                    "503": _error("the geoparser is still loading (on first need, or at start-up with --preload-parser; Retry-After says when to try again)")}}},
            "/api/openapi.json": {"get": {
                "operationId": "getOpenApi", "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3 document",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}}}},
            **_ogc_paths(collection_param, feature_param),
        },
        "components": {"schemas": {
            "Error": _ERROR,
            "Candidate": _CANDIDATE,
            "Mention": _MENTION,
            "ExtractResult": _EXTRACT_RESULT,
            "ExtractRequest": _EXTRACT_JSON,
            "ExtractForm": _EXTRACT_FORM,
            "Feature": _FEATURE,
            "FeatureCollection": _FEATURE_COLLECTION,
            "Layer": _LAYER,
            "LayerIndex": {"type": "object", "required": ["themes", "layers"], "properties": {
                "themes": {"type": "array", "items": {"type": "object"}},
                "layers": {"type": "array", "items": {"$ref": "#/components/schemas/Layer"}},
                "links": {"type": "object"}}},
            "Link": _LINK,
            "LandingPage": {"type": "object", "required": ["links"], "properties": {
                "title": {"type": "string"}, "description": {"type": "string"}, "links": _LINKS}},
            "Conformance": {"type": "object", "required": ["conformsTo"], "properties": {
                "conformsTo": {"type": "array", "items": {"type": "string", "enum": CONFORMANCE}}}},
            "Collections": {"type": "object", "required": ["links", "collections"], "properties": {
                "links": _LINKS, "collections": {"type": "array", "items": {"$ref": "#/components/schemas/Collection"}}}},
            "Collection": _COLLECTION,
            "OgcFeatureCollection": _OGC_FEATURE_COLLECTION,
            "Queryables": {"type": "object", "required": ["$schema", "type", "properties"], "properties": {
                "$schema": {"type": "string"}, "$id": {"type": "string"}, "type": {"type": "string"},
                "properties": {"type": "object"}}},
            "SearchResults": {"type": "object", "required": ["query", "count", "results"],
                              "properties": {"query": {"type": "string"},
                                             "count": {"type": "integer"},
                                             "results": {"type": "array",
                                                         "items": {"type": "object"}}}},
        }},
    })


def _declare_common_behaviour(doc: dict) -> dict:
    """What holds for every route, stated on each (new routes get it too): an optional query
    parameter given empty is one not given (allowEmptyValue), as the app's parsers treat it."""
    for item in doc["paths"].values():
        for operation in item.values():
            for param in operation.get("parameters", ()):
                if param.get("in") == "query" and not param.get("required"):
                    param["allowEmptyValue"] = True
    return doc
