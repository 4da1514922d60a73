"""The atlas as files for GIS clients: GeoJSON, GeoPackage, CSV, KML and FlatGeobuf.

:data:`FORMATS` lists each format (file extension, media type, what it is for). :func:`render`
writes one layer's, or every place's, file with GDAL (``geo.downloads.writers``); the columns
follow the feature contract (``geo.downloads.columns``) and the styles the map's symbols
(``geo.downloads.styles``).

:class:`Downloads` makes each file once, on first request, from the data the app has loaded, and
keeps it as a :class:`geo.store.Blob` (bytes, gzip, strong ETag). The files are a pure function of
the data (see ``writers``), so every process serving the same data gives byte-identical files.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Callable

from . import writers
from .writers import MapLayer

ALL = "locations"  # the file name of every place, as in /download/locations.geojson


@dataclass(frozen=True)
class Format:
    ext: str
    media_type: str
    name: str
    title: str
    write: Callable[..., bytes] | None  # None: GeoJSON, served from the data as it is


FORMATS = {f.ext: f for f in (
    Format("geojson", "application/geo+json", "GeoJSON", "GeoJSON", None),
    Format("gpkg", "application/geopackage+sqlite3", "GeoPackage",
           "GeoPackage (QGIS, styled as on the map)", writers.gpkg),
    Format("csv", "text/csv; charset=utf-8", "CSV", "CSV (Excel, pandas; WKT and lon/lat)",
           writers.csv),
    Format("kml", "application/vnd.google-earth.kml+xml", "KML", "KML (Google Earth)", writers.kml),
    Format("fgb", "application/flatgeobuf", "FlatGeobuf", "FlatGeobuf (spatially indexed)",
           writers.fgb),
)}
GIS_FORMATS = tuple(ext for ext, f in FORMATS.items() if f.write)


def render(ext: str, name: str, title: str, features: list[dict], layers: list[MapLayer],
           description: str = "") -> bytes:
    """One file in format ``ext`` (a GIS format) of ``features``, which belong to ``layers``."""
    fmt = FORMATS[ext]
    if fmt.write is None:
        raise ValueError(f"{ext} is served as it is, not rendered")
    return fmt.write(name, title, features, layers, description=description,
                     split=(name == ALL))


def filename(name: str, ext: str) -> str:
    return f"central-china-atlas-{name}.{ext}"


class Downloads:
    """Every layer's and every place's file in each GIS format, made once on first request."""

    def __init__(self, store):
        self.store = store
        self._blobs: dict[tuple[str, str], object] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def _layers(self) -> list[MapLayer]:
        from .. import symbols

        # The map's symbols, worked out as the page does (geo.mapview).
        metas = [layer.meta for layer in self.store.layers.values()]
        assigned = symbols.assign(self.store.themes, metas)
        return [MapLayer.of(meta, assigned[str(meta["id"])]) for meta in metas]

    def _make(self, name: str, ext: str) -> bytes:
        layers = self._layers()
        if name == ALL:
            features = json.loads(self.store.locations.body)["features"]
            return render(ext, ALL, "Central China Atlas: every place", features, layers,
                          "Places named in China's regional-development policy documents.")
        meta = next(l for l in layers if l.id == name)
        return render(ext, name, meta.title, self.store.layer(name).features, [meta], meta.description)

    def blob(self, name: str, ext: str):
        """The file as a Blob; ``name`` is a layer id or ``locations`` (checked by the caller)."""
        from ..store import Blob

        key = (name, ext)
        if key in self._blobs:
            return self._blobs[key]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one maker per file; others wait for its result
            if key not in self._blobs:
                self._blobs[key] = Blob.of(self._make(name, ext))
        return self._blobs[key]

    def make_all(self) -> None:
        """Make every file now (``python app.py`` does, in the background, at start-up)."""
        for name in [ALL, *self.store.layers]:
            for ext in GIS_FORMATS:
                self.blob(name, ext)
