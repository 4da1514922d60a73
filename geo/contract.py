"""The feature contract of ``locations.geojson``: stated once, checked, described and written.

Outside users (QGIS, pandas, other web maps) and the app rely on it. This module is the one
statement of it: :data:`PROPERTIES` (every property a feature carries, its JSON type, the type of
a list's items, what it means, whether the OGC API may filter on it), :data:`SOURCE_FIELDS` and
:data:`MEMBER_FIELDS` (the objects inside ``sources`` and ``members``) and :data:`PRECISION_LABELS`
(the precision codes). From it come

* :func:`check_feature_collection`, which the tests and the app's start-up run;
* :func:`properties_schema` / :func:`property_schema`, the JSON Schema the OpenAPI document
  (``geo.openapi``) and the OGC API's queryables use;
* the columns of the GIS downloads (``geo.downloads``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape


@dataclass(frozen=True)
class Property:
    """One property of a feature (or one field of a nested object).

    ``type`` is a JSON Schema type: string, integer, boolean, array or object; ``item_type`` is
    the type of an array's items. ``required``: every feature has it. ``queryable``: the OGC API
    may filter on it. ``fields``: the known fields of an object, or of an array's object items.
    """

    name: str
    type: str
    description: str
    item_type: str | None = None
    required: bool = True
    queryable: bool = False
    minimum: int | None = None
    maximum: int | None = None
    min_items: int | None = None
    nullable: bool = False
    fields: tuple["Property", ...] = ()

    @property
    def is_list(self) -> bool:
        return self.type == "array"

    @property
    def is_nested(self) -> bool:
        """A list or an object: a JSON value that flat formats (CSV, GPKG columns) hold as text."""
        return self.type in ("array", "object")


# The IATI GeographicalPrecision codes (as used by AidData) and what each means on this map.
PRECISION_LABELS = {
    1: "exact location",
    2: "near, or within 25 km of, the point shown",
    3: "somewhere in the prefecture-level unit shown",
    4: "somewhere in the province shown",
    5: "estimated (schematic, or between places)",
    6: "somewhere in the country",
    7: "unclear - capital used",
    8: "local or national capital",
    9: "unclear - country",
}

SOURCE_FIELDS = (
    Property("document", "string", "file name of the source document", queryable=True),
    Property("title", "string", "the document's title"),
    Property("publisher", "string", "who published it"),
    Property("date", "string", "its date (YYYY, YYYY-MM or YYYY-MM-DD)"),
    Property("mention", "string", "the words that name the place, as written"),
)

MEMBER_FIELDS = (
    Property("name", "string", "English name"),
    Property("name_zh", "string", "Chinese name (empty where no source confirms it)"),
    Property("level", "string", "province, prefecture, county or place"),
    Property("province", "string", "English name of its province (null abroad)", required=False,
             nullable=True),
    Property("adcode", "string", "administrative code", required=False),
    Property("geonameid", "integer", "GeoNames id", required=False),
    Property("country", "string", "ISO country code, for places outside China", required=False),
)

PROPERTIES = (
    Property("name", "string", "English name as the documents write it", queryable=True),
    Property("name_zh", "string", "Chinese name (empty where no source confirms it)", queryable=True),
    Property("aliases", "array", "other forms of the name (pinyin, short Chinese names)",
             item_type="string"),
    Property("layer", "string", "the layer id (data/layers/index.json)", queryable=True),
    Property("theme", "string", "the theme id (data/layers/index.json)", queryable=True),
    Property("provinces", "array", "English names of the provinces the place lies in",
             item_type="string", queryable=True),
    Property("description", "string", "what the place is, in our own words"),
    Property("precision", "integer", "IATI GeographicalPrecision code (1 exact ... 5 estimated)",
             queryable=True, minimum=1, maximum=9),
    Property("precision_label", "string", "what the precision code means", required=False),
    Property("geometry_basis", "string", "how the geometry was obtained, in words"),
    Property("gazetteer", "object", "gazetteer ids: geonameid and adcode (points), adcodes "
             "(areas), geonameids and adcodes (lines)"),
    Property("members", "array", "for areas and lines: each member unit or place",
             item_type="object", fields=MEMBER_FIELDS),
    Property("schematic", "boolean", "true for lines drawn through their places rather than "
             "along the real route", required=False, queryable=True),
    Property("sources", "array", "the documents that name the place, with the words they use",
             item_type="object", fields=SOURCE_FIELDS, min_items=1),
)

BY_NAME = {p.name: p for p in PROPERTIES}
SOURCE_KEYS = tuple(f.name for f in SOURCE_FIELDS)
GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                  "MultiPolygon"}
_PYTHON_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}


def queryables() -> tuple[Property, ...]:
    return tuple(p for p in PROPERTIES if p.queryable)


def property_schema(prop: Property) -> dict:
    """JSON Schema of one property (OpenAPI 3.0 compatible: no type lists)."""
    schema: dict = {"type": prop.type, "description": prop.description}
    if prop.minimum is not None:
        schema["minimum"] = prop.minimum
    if prop.maximum is not None:
        schema["maximum"] = prop.maximum
    if prop.fields:
        inner = {"type": "object", "properties": {f.name: property_schema(f) for f in prop.fields}}
        required = [f.name for f in prop.fields if f.required]
        if required:
            inner["required"] = required
        if prop.type == "array":
            schema["items"] = inner
        else:
            schema.update({k: v for k, v in inner.items() if k != "type"})
    elif prop.item_type:
        schema["items"] = {"type": prop.item_type}
    if prop.nullable:
        schema["nullable"] = True  # OpenAPI 3.0's way; JSON Schema users read type [.., "null"]
    if prop.min_items is not None:
        schema["minItems"] = prop.min_items
    return schema


def properties_schema() -> dict:
    """JSON Schema of a feature's ``properties`` object."""
    return {"type": "object",
            "required": [p.name for p in PROPERTIES if p.required],
            "properties": {p.name: property_schema(p) for p in PROPERTIES}}


# -- the check --------------------------------------------------------------------------------

# How deep each geometry type nests its positions: a Point is one, a MultiPolygon a list of
# polygons of rings of positions.
DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
         "MultiPolygon": 3}


_NUMBER_TYPES = (int, float)  # exactly these (bool is an int, and no number here)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _plain_positions(value) -> bool:
    """A list of [number, number] lists, nothing else (what the walk would accept one by one)."""
    return type(value) is list and all(
        type(p) is list and len(p) == 2 and type(p[0]) in _NUMBER_TYPES and type(p[1]) in _NUMBER_TYPES
        for p in value)


def positions(geom_type: str, coords) -> tuple[list[list], str | None]:
    """The positions of a geometry's coordinates, walked exactly as deep as its type says.

    Returns (positions, problem): a problem names the first thing that is not a list where the
    type needs one, or not a [lon, lat] pair of numbers where it needs a position. Strings,
    objects and over-deep nesting are problems, never a recursion.
    """
    out: list[list] = []
    stack = [(coords, DEPTH[geom_type])]
    while stack:
        value, depth = stack.pop()
        if depth == 1 and _plain_positions(value):
            out.extend(value)  # a ring or line of plain positions, at once; else one by one below
            continue
        if depth == 0:
            if not isinstance(value, list) or len(value) != 2 or not all(_is_number(c) for c in value):
                return out, f"a position is not a [lon, lat] pair of numbers: {_short(value)}"
            out.append(value)
        elif not isinstance(value, list):
            return out, f"coordinates are not nested lists as a {geom_type} needs: {_short(value)}"
        else:
            stack.extend((v, depth - 1) for v in reversed(value))
    return out, None


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_feature_collection(fc) -> list[str]:
    """Every way ``fc`` breaks the contract; an empty list when it holds."""
    if not isinstance(fc, dict) or fc.get("type") != "FeatureCollection":
        return ["not a GeoJSON FeatureCollection"]
    problems = []
    if "crs" in fc:
        problems.append("has a 'crs' member (RFC 7946 coordinates are WGS84 and carry none)")
    features = fc.get("features")
    if not isinstance(features, list):
        return problems + ["'features' is not a list"]
    checker = FeatureChecker()
    for i, f in enumerate(features):
        problems += checker.check(f, i)
    return problems


class FeatureChecker:
    """The contract checked one feature at a time, in order (a store streams a big layer through
    it without holding the features); it remembers the ids seen, for duplicates."""

    def __init__(self):
        self.seen: set = set()

    def check(self, f, i: int) -> list[str]:
        """The problems of feature ``f``, the ``i``-th of its collection (empty when it holds)."""
        fid = f.get("id") if isinstance(f, dict) else None
        label = f"feature {_short(fid)}" if isinstance(fid, str) else f"feature #{i}"
        if not isinstance(f, dict) or f.get("type") != "Feature":
            return [f"{label}: not a Feature"]
        problems = []
        if not isinstance(fid, str) or not fid:
            problems.append(f"{label}: id must be a non-empty string")
        elif fid in self.seen:
            problems.append(f"{label}: duplicate id")
        else:
            self.seen.add(fid)
        geometry = _check_geometry(f.get("geometry"))
        properties = _check_properties(f.get("properties"))
        if geometry or properties:
            problems += [f"{label}: {p}" for p in geometry + properties]
        return problems


def _check_point(coords) -> list[str] | None:
    """A Point's problems without shapely, or None where the general walk must name them: two
    finite numbers in range always make a valid, non-empty Point (NaN and inf fail the range)."""
    if type(coords) is not list or len(coords) != 2:
        return None
    x, y = coords
    if type(x) not in _NUMBER_TYPES or type(y) not in _NUMBER_TYPES:  # bool is not a number here
        return None
    if not (-180 <= x <= 180 and -90 <= y <= 90):
        return ["coordinates are not [lon, lat] within range"]
    if round(x, 6) != x or round(y, 6) != y:
        return ["coordinates have more than 6 decimals"]
    return []


def _range_and_decimals(points: list[list], vector_min: int = 256) -> tuple[bool, bool]:
    """Whether every position is [lon, lat] within range, and whether every coordinate has at
    most 6 decimals (round(c, 6) == c); with numpy for long lists (the same answers: a double
    is its own 6-decimal rounding exactly when it is the double nearest some d / 10**6)."""
    if len(points) >= vector_min:
        try:
            array = np.array(points, dtype=np.float64)
        except (OverflowError, TypeError, ValueError):
            array = None
        if array is not None and array.shape == (len(points), 2):
            x, y = array[:, 0], array[:, 1]
            if not ((-180 <= x) & (x <= 180) & (-90 <= y) & (y <= 90)).all():
                return False, True
            return True, bool((np.round(array, 6) == array).all())
    if not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
        return False, True
    return True, all(round(c, 6) == c for p in points for c in p)


def _check_geometry(geom) -> list[str]:
    if not isinstance(geom, dict) or not isinstance(geom.get("type"), str) or geom["type"] not in GEOMETRY_TYPES:
        return ["geometry missing or of an unknown type"]
    coords = geom.get("coordinates")
    if geom["type"] == "Point":
        fast = _check_point(coords)
        if fast is not None:
            return fast
    out = []
    points, problem = positions(geom["type"], coords)
    if problem:
        return [problem]
    in_range, six_decimals = _range_and_decimals(points)
    if not in_range:
        return ["coordinates are not [lon, lat] within range"]
    if not six_decimals:
        out.append("coordinates have more than 6 decimals")
    try:
        g = shape(geom)
    except Exception as exc:  # shapely raises several kinds for malformed input
        return out + [f"geometry cannot be read: {' '.join(str(exc).split())[:120]}"]
    if g.is_empty:
        return out + ["empty geometry"]
    if not g.is_valid:
        return out + [f"invalid geometry: {shapely.is_valid_reason(g)}"]
    if geom["type"] in ("Polygon", "MultiPolygon"):
        polygons = g.geoms if geom["type"] == "MultiPolygon" else [g]
        for p in polygons:
            if not p.exterior.is_ccw:
                out.append("an exterior ring is clockwise (RFC 7946 wants counter-clockwise)")
                break
            if any(ring.is_ccw for ring in p.interiors):
                out.append("a hole is counter-clockwise (RFC 7946 wants clockwise)")
                break
    return out


def _is(value, json_type: str) -> bool:
    kind = _PYTHON_TYPES[json_type]
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


# PROPERTIES as the check walks them, worked out once (the check runs on every feature of a
# layer at start-up): name, Python type, required, [min, max] or None, item type or None.
_PLAN = tuple(
    (p.name, _PYTHON_TYPES[p.type], p.required,
     (p.minimum, p.maximum) if p.minimum is not None and p.maximum is not None else None,
     p.item_type if p.item_type and p.item_type != "object" else None)
    for p in PROPERTIES)
_MISSING = object()


def _check_properties(props) -> list[str]:
    if not isinstance(props, dict):
        return ["no properties"]
    out = []
    for name, kind, required, bounds, item_type in _PLAN:
        value = props.get(name, _MISSING)
        if value is _MISSING:
            if required:
                out.append(f"missing property {name!r}")
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            if required:
                out.append(f"property {name!r} should be {kind.__name__}")
            continue
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            out.append(f"{name} outside {bounds[0]}-{bounds[1]}")
        if item_type is not None and value and not all(_is(v, item_type) for v in value):
            out.append(f"{name} must be {item_type}s")
    sources = props.get("sources")
    if isinstance(sources, list):
        if len(sources) < BY_NAME["sources"].min_items:
            out.append("no sources")
        for s in sources:
            if not isinstance(s, dict) or not all(isinstance(v := s.get(k), str) and v for k in SOURCE_KEYS):
                out.append(f"a source lacks one of {', '.join(SOURCE_KEYS)}")
                break
    return out
