"""OGC API – Features for the atlas: the pieces the handlers in ``geo.api.features`` are made of.

- ``collections``: the collections (one per layer, plus ``locations``, every place) with the
  per-feature values the filters read, built once per loaded store;
- ``params``: small pure parsers for the items parameters (limit, offset, bbox, datetime, f,
  the queryables' own parameters), each raising :class:`ParamError` with a message for the caller;
- ``queryables``: the queryable properties, as JSON Schema and as values read from a feature;
- ``cql2``: CQL2 text parsed by pygeofilter, evaluated here against those values and shapely shapes;
- ``html``: the HTML pages (sortable tables of places) from the same data as the JSON.

Conformance is claimed only for what is implemented and tested (``tests/test_ogc_*.py``,
``tests/test_ogc_clients.py`` with GDAL, OWSLib and QGIS).
"""

from __future__ import annotations

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
OPENAPI_TYPE = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA_TYPE = "application/schema+json"
REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"

_F1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
_F3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
CONFORMANCE = [
    _F1 + "core", _F1 + "geojson", _F1 + "html", _F1 + "oas30",
    _F3 + "queryables", _F3 + "queryables-query-parameters", _F3 + "filter", _F3 + "features-filter",
    _CQL2 + "cql2-text", _CQL2 + "basic-cql2", _CQL2 + "advanced-comparison-operators",
    _CQL2 + "case-insensitive-comparison", _CQL2 + "accent-insensitive-comparison",
    _CQL2 + "basic-spatial-functions", _CQL2 + "basic-spatial-functions-plus",
    _CQL2 + "spatial-functions", _CQL2 + "property-property",
]

LOCATIONS = "locations"   # the collection of every place, beside one per layer


class ParamError(ValueError):
    """A request parameter the API cannot use; the message names it and says what is expected."""
