"""The OpenAPI 3 description of the atlas API, served at ``/api/openapi.json``.

Built as plain data so the web layer only serialises it; ``tests/test_openapi.py`` keeps it
true to the app's routes and responses, and the fuzzing tests generate requests from it.
"""

from __future__ import annotations

from .api.extract import FORMATS, LANGS, MAX_DOCUMENT_BYTES, MAX_REQUEST_BYTES
from .api.extract import MAX_FIELD_LENGTH as EXTRACT_FIELD_LENGTH
from .query import MAX_LIMIT, MAX_QUERY_LENGTH

NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
# An empty value means no filter, as for every optional filter.
BBOX_PATTERN = rf"^\s*({NUMBER}\s*(,\s*{NUMBER}\s*){{3}})?$"
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
        "properties": {
            "type": "object",
            "required": ["name", "name_zh", "aliases", "layer", "theme", "provinces",
                         "description", "precision", "geometry_basis", "gazetteer",
                         "members", "sources"],
            "properties": {
                "name": {"type": "string"},
                "name_zh": {"type": "string"},
                "aliases": {"type": "array", "items": {"type": "string"}},
                "layer": {"type": "string"},
                "theme": {"type": "string"},
                "provinces": {"type": "array", "items": {"type": "string"}},
                "description": {"type": "string"},
                "precision": {"type": "integer", "minimum": 1, "maximum": 9,
                              "description": "IATI GeographicalPrecision"},
                "precision_label": {"type": "string"},
                "geometry_basis": {"type": "string"},
                "gazetteer": {"type": "object"},
                "members": {"type": "array", "items": {"type": "object"}},
                "schematic": {"type": "boolean"},
                "sources": {"type": "array", "minItems": 1, "items": {
                    "type": "object",
                    "required": ["document", "title", "publisher", "date", "mention"],
                    "properties": {k: {"type": "string"} for k in
                                   ("document", "title", "publisher", "date", "mention")}}},
            },
        },
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
    geojson_ok = {"description": "a GeoJSON FeatureCollection (RFC 7946)",
                  **_json("FeatureCollection", GEOJSON)}
    return {
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
                "parameters": [layer_param] + _FILTERS,
                "responses": {"200": geojson_ok, "400": _error("a malformed filter"),
                              "404": _error("no such layer")}}},
            "/api/features": {"get": {
                "operationId": "getFeatures", "summary": "Every layer's features",
                "parameters": _FILTERS,
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
            "/download/locations.geojson": {"get": {
                "operationId": "downloadAll", "summary": "Every place, as a file",
                "responses": {"200": geojson_ok}}},
            "/download/{layer_id}.geojson": {"get": {
                "operationId": "downloadLayer", "summary": "One layer, as a file",
                "parameters": [layer_param],
                "responses": {"200": geojson_ok, "404": _error("no such layer")}}},
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
                                        "application/yaml": {"schema": {"type": "string"}}}},
                    "400": _error("malformed JSON or form, no text, text that is not UTF-8, bad choices"),
                    "413": _error("a document or request over the limit"),
                    "415": _error("a media type or file type that is not read")}}},
            "/api/openapi.json": {"get": {
                "operationId": "getOpenApi", "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3 document",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}}}},
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
            "SearchResults": {"type": "object", "required": ["query", "count", "results"],
                              "properties": {"query": {"type": "string"},
                                             "count": {"type": "integer"},
                                             "results": {"type": "array",
                                                         "items": {"type": "object"}}}},
        }},
    }
