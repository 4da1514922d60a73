"""GeoPackage, CSV, KML and FlatGeobuf files of a set of features, written by GDAL (pyogrio).

Each writer takes the features (GeoJSON dicts, in map order), the map layers they belong to and
a name and title for the file, and returns the file's bytes. The bytes depend on nothing but
those inputs (the GeoPackage's timestamps are the newest source document's date), so two
servers, or two runs, give the same file and the same ETag.
"""

from __future__ import annotations

import html
import os
import re
import tempfile
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..contract import PROPERTIES
from . import columns, styles

# GDAL configuration options are process-wide: writes take turns.
_GDAL_LOCK = threading.Lock()
GPKG_VERSION = "1.2"  # what every GDAL >= 2.2 and QGIS 3 read without a warning
KIND_NAMES = {"point": "points", "line": "lines", "polygon": "polygons"}


@dataclass(frozen=True)
class MapLayer:
    """What the writers need of a map layer (``data/layers/index.json``)."""

    id: str
    title: str
    symbol: dict            # geo.symbols: colour, outline, shape, dash (what the map draws)
    description: str = ""
    visible: bool = True    # shown when the map opens (QGIS's legend starts it ticked)

    @classmethod
    def of(cls, meta: dict, symbol: dict) -> "MapLayer":
        return cls(str(meta["id"]), str(meta.get("title") or meta["id"]), dict(symbol),
                   str(meta.get("description") or ""), meta.get("visible") is not False)

    @property
    def colour(self) -> str:
        return str(self.symbol["colour"])


def _geodataframe(features: list[dict], extra: dict | None = None):
    import geopandas as gpd
    from shapely.geometry import shape

    rows = [columns.row(f) for f in features]
    frame = pd.DataFrame(rows, columns=["id"] + [p.name for p in PROPERTIES]
                         + [p.name for p in columns.READABLE])
    for prop in PROPERTIES:
        if prop.type == "integer":
            frame[prop.name] = frame[prop.name].astype("int32")
        elif prop.type == "boolean":
            frame[prop.name] = frame[prop.name].astype(bool)
    for name, values in (extra or {}).items():
        frame[name] = values
    return gpd.GeoDataFrame(frame, geometry=[shape(f["geometry"]) for f in features], crs="EPSG:4326")


def data_date(features: list[dict]) -> str:
    """The newest source document's date as an ISO timestamp: the files' 'last change'."""
    dates = [str(s.get("date") or "") for f in features for s in (f.get("properties") or {}).get("sources") or ()]
    newest = max((d for d in dates if d[:4].isdigit()), default="2000")
    parts = (newest.split("-") + ["01", "01"])[:3]
    year, month, day = parts[0][:4], parts[1].zfill(2)[:2], parts[2].zfill(2)[:2]
    return f"{year}-{month}-{day}T00:00:00.000Z"


def _is_approx(props: dict) -> bool:
    return props.get("schematic") is True or int(props.get("precision") or 0) >= 4


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _with_config(options: dict, write):
    import pyogrio

    with _GDAL_LOCK:
        pyogrio.set_gdal_config_options(options)
        try:
            return write()
        finally:
            pyogrio.set_gdal_config_options({k: None for k in options})


# -- GeoPackage -------------------------------------------------------------------------------

def gpkg_tables(name: str, features: list[dict], split: bool = False) -> list[tuple[str, str, list[dict]]]:
    """(table, geometry kind, features) for a file: one table per geometry kind present.

    A single-kind file has one table named ``name``; otherwise (or with ``split``) the tables
    are ``<name>-points``, ``<name>-lines`` and ``<name>-polygons``.
    """
    by_kind: dict[str, list[dict]] = {}
    for f in features:
        by_kind.setdefault(styles.kind_of(f["geometry"]["type"]), []).append(f)
    kinds = [k for k in ("point", "line", "polygon") if k in by_kind]
    if len(kinds) == 1 and not split:
        return [(name, kinds[0], by_kind[kinds[0]])]
    return [(f"{name}-{KIND_NAMES[k]}", k, by_kind[k]) for k in kinds]


def gpkg(name: str, title: str, features: list[dict], layers: list[MapLayer], *,
         description: str = "", split: bool = False) -> bytes:
    """A GeoPackage: a table per geometry kind, each with its map style as the QGIS default."""
    import pyogrio

    stamp = data_date(features)
    style_rows = []
    with tempfile.TemporaryDirectory(prefix="atlas-gpkg-") as tmp:
        path = os.path.join(tmp, "out.gpkg")

        def write():
            first = True
            for table, kind, feats in gpkg_tables(name, features, split):
                frame = _geodataframe(feats)
                mixed = len({f["geometry"]["type"] for f in feats}) > 1
                pyogrio.write_dataframe(
                    frame, path, driver="GPKG", layer=table, promote_to_multi=mixed or None,
                    dataset_options={"VERSION": GPKG_VERSION} if first else None,
                    layer_options={"IDENTIFIER": f"{title} ({KIND_NAMES[kind]})" if table != name else title,
                                   "DESCRIPTION": description, "FID": "fid", "GEOMETRY_NAME": "geom"})
                first = False
                table_layers = [(l.id, l.title, l.symbol, l.visible) for l in layers if l.id in {f["properties"]["layer"] for f in feats}]
                style_rows.append({
                    "f_table_catalog": "", "f_table_schema": "", "f_table_name": table,
                    "f_geometry_column": "geom", "styleName": table,
                    "styleQML": styles.qml(kind, table_layers),
                    "styleSLD": styles.sld(table, kind, table_layers),
                    "useAsDefault": True, "description": "the Central China Atlas map's symbols",
                    "owner": "", "ui": None,
                    "update_time": pd.Timestamp(stamp.replace(".000Z", ""), tz="UTC"),
                })
            # The table QGIS itself keeps styles in (same columns), so QGIS opens each table
            # coloured as on the map.
            frame = pd.DataFrame(style_rows)
            frame["update_time"] = frame["update_time"].astype("datetime64[ms, UTC]")
            pyogrio.write_dataframe(frame, path, driver="GPKG", layer="layer_styles",
                                    layer_options={"FID": "id", "DESCRIPTION": "QGIS layer styles"})
            return _read(path)

        return _with_config({"OGR_CURRENT_DATE": stamp}, write)


# -- CSV --------------------------------------------------------------------------------------

def csv(name: str, title: str, features: list[dict], layers: list[MapLayer], **_) -> bytes:
    """CSV for spreadsheets: WKT geometry first, lon/lat for points, UTF-8 with a BOM."""
    import pyogrio

    lon = [f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Point" else None for f in features]
    lat = [f["geometry"]["coordinates"][1] if f["geometry"]["type"] == "Point" else None for f in features]
    frame = _geodataframe(features, {"lon": np.array(lon, dtype=float), "lat": np.array(lat, dtype=float)})
    with tempfile.TemporaryDirectory(prefix="atlas-csv-") as tmp:
        path = os.path.join(tmp, "out.csv")

        def write():
            pyogrio.write_dataframe(frame, path, driver="CSV", layer=name, layer_options={
                "GEOMETRY": "AS_WKT", "WRITE_BOM": "YES", "LINEFORMAT": "CRLF"})
            return _read(path)

        return _with_config({}, write)


# -- KML --------------------------------------------------------------------------------------

def balloon(props: dict, layer_title: str) -> str:
    """A placemark's readable description (HTML, every value escaped)."""
    e = html.escape
    where = ", ".join(props.get("provinces") or ())
    parts = [f"<p>{e(str(props.get('description') or ''))}</p>",
             f"<p><b>Layer:</b> {e(layer_title)}" + (f"<br><b>Province:</b> {e(where)}" if where else "")
             + f"<br><b>Precision:</b> {e(str(props.get('precision_label') or ''))} "
               f"({e(str(props.get('precision')))})</p>",
             f"<p><b>How it is placed:</b> {e(str(props.get('geometry_basis') or ''))}</p>",
             "<p><b>Sources</b></p><ul>"]
    for s in props.get("sources") or ():
        parts.append(f"<li><i>{e(str(s.get('title', '')))}</i> ({e(str(s.get('publisher', '')))}, "
                     f"{e(str(s.get('date', '')))}): “{e(str(s.get('mention', '')))}”</li>")
    parts.append("</ul>")
    return "".join(parts)


def kml_folder(title: str) -> str:
    """A layer title as a KML folder name (LIBKML refuses characters a file name cannot hold)."""
    return re.sub(r"\s*[<>:\"/\\|?*]+\s*", " - ", title).strip(" -") or "places"


def kml(name: str, title: str, features: list[dict], layers: list[MapLayer], **_) -> bytes:
    """KML for Google Earth: a folder per map layer, names, readable descriptions, map colours.

    ``<description>`` is the readable summary (:func:`balloon`); every other property is in
    the placemark's ExtendedData, lists and objects as JSON text, ``schematic`` as 0/1, and the
    feature id both as the placemark's id and as ``feature_id``.
    """
    import pyogrio

    by_layer = {l.id: l for l in layers}
    with tempfile.TemporaryDirectory(prefix="atlas-kml-") as tmp:

        def write():
            parts = []
            for n, layer in enumerate(layers):
                feats = [f for f in features if f["properties"]["layer"] == layer.id]
                if not feats:
                    continue
                frame = _geodataframe(feats).drop(columns=["description"])
                frame["schematic"] = frame["schematic"].astype("int32")  # GDAL 3.6 misreads KML bools
                # The id is the placemark's id; older GDAL (3.6) reads no such field, so it is
                # in the ExtendedData too.
                frame["feature_id"] = frame["id"]
                frame["balloon"] = [balloon(f["properties"], by_layer[layer.id].title) for f in feats]
                frame["OGR_STYLE"] = [styles.ogr_style(f["geometry"]["type"], layer.symbol,
                                                       _is_approx(f["properties"])) for f in feats]
                frame = frame[["id", "name", "balloon"] + [c for c in frame.columns
                                                           if c not in ("id", "name", "balloon")]]
                path = os.path.join(tmp, f"{n}.kml")
                pyogrio.write_dataframe(frame, path, driver="LIBKML", layer=kml_folder(layer.title))
                parts.append(path)
            return _join_kml(parts, title)

        return _with_config({"LIBKML_NAME_FIELD": "name", "LIBKML_DESCRIPTION_FIELD": "balloon"}, write)


KML_NS = "http://www.opengis.net/kml/2.2"


def _join_kml(paths: list[str], title: str) -> bytes:
    """One KML document of GDAL's one-layer files: every schema, then every layer's folder.

    (Appending layer after layer to one file makes LIBKML re-read the growing file each time:
    15 s for every place instead of a few.) Each part is GDAL's ``kml > Document#root_doc >
    Schema, Document``; the parts are spliced as GDAL wrote them.
    """
    schemas, folders = [], []
    for path in paths:
        data = _read(path)
        root = data.index(b'<Document id="root_doc">')
        inner = data.index(b"<Document", root + 1)
        root_end = data.rindex(b"</Document>")
        schemas += re.findall(rb"<Schema\b.*?</Schema>", data[root:inner], re.S)
        folders.append(data[inner:data.rindex(b"</Document>", 0, root_end) + len(b"</Document>")])
    name = html.escape(title).encode("utf-8")
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="%s">\n'
            b'  <Document id="root_doc">\n    <name>%s</name>\n    ' % (KML_NS.encode(), name)
            + b"\n    ".join(schemas + folders) + b"\n  </Document>\n</kml>\n")


# -- FlatGeobuf -------------------------------------------------------------------------------

def fgb(name: str, title: str, features: list[dict], layers: list[MapLayer], *,
        description: str = "", **_) -> bytes:
    """FlatGeobuf with its packed R-tree spatial index (features come in index order)."""
    import pyogrio

    frame = _geodataframe(features)
    with tempfile.TemporaryDirectory(prefix="atlas-fgb-") as tmp:
        path = os.path.join(tmp, "out.fgb")

        def write():
            pyogrio.write_dataframe(frame, path, driver="FlatGeobuf", layer=name, layer_options={
                "SPATIAL_INDEX": "YES", "TITLE": title, "DESCRIPTION": description})
            return _read(path)

        return _with_config({}, write)
