"""The queryable properties of the atlas's features: what ``/collections/{id}/queryables``
publishes, what the items parameters of the same names and CQL2 filters can test.

A feature's values are read once (:func:`record`) into a flat dict. Some are lists — a place can
lie in several provinces and be named by several documents — and a test on them holds when it
holds for any one value (``province = 'Hubei'`` matches a place in Hubei and Henan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping, Sequence

from . import CRS84


@dataclass(frozen=True)
class Queryable:
    name: str
    kind: str            # string | integer | boolean | date | geometry
    title: str
    description: str
    multi: bool = False  # a list of values: a test holds if it holds for one of them


QUERYABLES: dict[str, Queryable] = {q.name: q for q in (
    Queryable("id", "string", "Feature id", "the place's id, as in /items/{featureId}"),
    Queryable("name", "string", "Name", "English name"),
    Queryable("name_zh", "string", "Chinese name", "name in Chinese characters"),
    Queryable("layer", "string", "Layer", "the atlas layer (a collection id)"),
    Queryable("theme", "string", "Theme", "the theme the layer belongs to"),
    Queryable("province", "string", "Province", "English name of a province the place lies in "
              "(the items parameter also takes Chinese names: 湖北, 湖北省)", multi=True),
    Queryable("precision", "integer", "Precision", "IATI GeographicalPrecision: 1 exact … 9 unknown"),
    Queryable("document", "string", "Source document", "file name of a document that names the place",
              multi=True),
    Queryable("date", "date", "Document date", "date of a document that names the place (a year or "
              "month where the document gives no day: its first day)", multi=True),
    Queryable("schematic", "boolean", "Schematic", "true where the geometry is drawn schematically"),
    Queryable("geometry", "geometry", "Geometry", "the place's point, line or area (CRS84)"),
)}


def first_day(text: str) -> date | None:
    """The first day of a source date: '2021-11-05', '2025-01' (month) or '2024' (year)."""
    parts = str(text or "").split("-")
    try:
        numbers = [int(p) for p in parts]
        year, month, day = (numbers + [1, 1])[:3]
        return date(year, month, day)
    except (ValueError, TypeError):
        return None


def record(feature: Mapping) -> dict[str, Any]:
    """The queryable values of one feature (geometry aside: shapes are kept by the collection)."""
    props = feature.get("properties") or {}
    sources = [s for s in props.get("sources") or () if isinstance(s, Mapping)]
    dates = tuple(d for d in (first_day(s.get("date")) for s in sources) if d)
    return {
        "id": str(feature.get("id")),
        "name": props.get("name"),
        "name_zh": props.get("name_zh"),
        "layer": props.get("layer"),
        "theme": props.get("theme"),
        "province": tuple(str(p) for p in props.get("provinces") or ()),
        "precision": props.get("precision"),
        "document": tuple(dict.fromkeys(str(s.get("document")) for s in sources if s.get("document"))),
        "date": tuple(dict.fromkeys(dates)),
        "schematic": bool(props.get("schematic")),
    }


def schema(collection_id: str, title: str, url: str, records: Sequence[Mapping],
           geometry_types: Sequence[str]) -> dict:
    """The JSON Schema (2020-12) of the queryables of one collection; enums from its data."""
    properties = {}
    for q in QUERYABLES.values():
        if q.kind == "geometry":
            kinds = sorted(set(geometry_types))
            fmt = f"geometry-{kinds[0].lower()}" if len(kinds) == 1 else "geometry-any"
            properties[q.name] = {"title": q.title, "description": q.description, "format": fmt,
                                  "x-ogc-role": "primary-geometry", "x-ogc-crs": CRS84}
            continue
        item: dict[str, Any] = {"type": {"date": "string"}.get(q.kind, q.kind)}
        if q.kind == "date":
            item["format"] = "date"
        if q.kind == "integer":
            item.update(minimum=1, maximum=9)
        if q.name in ("layer", "theme", "province", "document"):
            seen = sorted({v for r in records for v in (r[q.name] if q.multi else (r[q.name],)) if v})
            item["enum"] = seen
        entry: dict[str, Any] = {"title": q.title, "description": q.description}
        if q.multi:
            entry.update(type="array", items=item)
        else:
            entry.update(item)
        if q.name == "id":
            entry["x-ogc-role"] = "id"
        properties[q.name] = entry
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": f"Queryables of {title}",
        "description": f"Properties of the {collection_id} collection usable in the items "
                       "parameters of the same name and in CQL2 filters (filter-lang=cql2-text)",
        "properties": properties,
        "additionalProperties": False,
    }
