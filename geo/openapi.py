"""The OpenAPI 3 description of the atlas API, served at ``/api/openapi.json``.

Built as plain data so the web layer only serialises it; ``tests/test_openapi.py`` keeps it
true to the app's routes and responses, and the fuzzing tests generate requests from it.
"""

from __future__ import annotations

from .contract import properties_schema
from .downloads import FORMATS, GIS_FORMATS
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
            "/download/{layer_id}.{ext}": {"get": {
                "operationId": "downloadAs",
                "summary": "One layer, or every place (layer_id locations), as a GIS file",
                "description": "GeoPackage (a table per geometry kind, QGIS styles in layer_styles), "
                               "CSV (WKT and lon/lat, UTF-8 with BOM), KML or FlatGeobuf. Lists "
                               "and objects are JSON text. Made once, then served with an ETag.",
                "parameters": [dict(layer_param, description="a layer id from GET /api/layers, "
                                    "or locations for every place"),
                               {"name": "ext", "in": "path", "required": True,
                                "description": "the file format",
                                "schema": {"type": "string", "enum": list(GIS_FORMATS)}}],
                "responses": {"200": {"description": "the file, as an attachment", "content": {
                                  FORMATS[ext].media_type.split(";")[0]: {
                                      "schema": {"type": "string", "format": "binary"}}
                                  for ext in GIS_FORMATS}},
                              "404": _error("no such layer or format")}}},
            "/api/openapi.json": {"get": {
                "operationId": "getOpenApi", "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3 document",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": {
            "Error": _ERROR,
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
