"""Features as flat rows for GIS formats, column by column from the feature contract.

Every property of :data:`geo.contract.PROPERTIES` becomes a column of the same name. Lists and
objects (``aliases``, ``provinces``, ``gazetteer``, ``members``, ``sources``) are JSON text — a
JSON array or object, never GDAL's ``(2:a,b)`` form — so any client reads them back exactly
(:func:`decode`). Two readable columns sit beside them:

* ``sources_text``: each source as ``title (date): “mention”``, joined by :data:`SEPARATOR`;
* ``members_text``: each member as ``name name_zh (level)``, joined by :data:`SEPARATOR`.
"""

from __future__ import annotations

import json

from ..contract import PROPERTIES, Property

SEPARATOR = " | "

READABLE = (
    Property("sources_text", "string",
             f'the sources, each as: title (date): “mention”, joined by "{SEPARATOR}"'),
    Property("members_text", "string",
             f'the members, each as: name name_zh (level), joined by "{SEPARATOR}"'),
)


def json_text(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def encode(prop: Property, value):
    """A property's value as a column holds it."""
    if value is None:
        return False if prop.type == "boolean" else None
    return json_text(value) if prop.is_nested else value


def decode(prop: Property, value):
    """A column's value (as a GIS client reads it, maybe as text) back as the GeoJSON value."""
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        # KML keeps no empty text: a required text property it lost was empty.
        return "" if prop.type == "string" and prop.required else None
    if prop.is_nested:
        # Clients that know the column holds JSON (GDAL reads GeoPackage JSON columns so) give it parsed.
        return value if isinstance(value, (list, dict)) else json.loads(value)
    if prop.type == "integer":
        return int(value)
    if prop.type == "boolean":
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes")
        return bool(value)
    return str(value)


def sources_text(sources) -> str:
    return SEPARATOR.join(f"{s.get('title', '')} ({s.get('date', '')}): “{s.get('mention', '')}”"
                          for s in sources or ())


def members_text(members) -> str:
    out = []
    for m in members or ():
        words = " ".join(w for w in (m.get("name"), m.get("name_zh")) if w)
        out.append(f"{words} ({m['level']})" if m.get("level") else words)
    return SEPARATOR.join(out)


def row(feature: dict) -> dict:
    """One feature as a flat record: id, every contract property, then the readable columns."""
    props = feature.get("properties") or {}
    record = {"id": feature.get("id")}
    for prop in PROPERTIES:
        record[prop.name] = encode(prop, props.get(prop.name))
    record["sources_text"] = sources_text(props.get("sources"))
    record["members_text"] = members_text(props.get("members"))
    return record
