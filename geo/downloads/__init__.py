"""The atlas as files for GIS clients: GeoJSON, GeoPackage, CSV, KML and FlatGeobuf.

:data:`FORMATS` lists each format (file extension, media type, what it is for). :func:`render`
writes one layer's, or every place's, file with GDAL (``geo.downloads.writers``); the columns
follow the feature contract (``geo.downloads.columns``) and the styles the map's symbols
(``geo.downloads.styles``).

:class:`Downloads` makes each file once, on first request, from the data the app has loaded, and
keeps it as a :class:`geo.store.Blob` (bytes, gzip, strong ETag). The files are a pure function of
the data (see ``writers``), so every process serving the same data gives byte-identical files.

A file of more than :data:`BIG` features (a synthetic 100,000-point layer; every place with it) is
never made at start-up, and never in a request: the first request starts it in one background
worker, which makes such files one at a time (GDAL holds a file's features in memory while it
writes), and until it is ready :meth:`Downloads.blob` raises :class:`NotReady` (the API answers
503 with Retry-After).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Callable

from . import writers
from .writers import MapLayer

ALL = "locations"  # the file name of every place, as in /download/locations.geojson
# Files of more features than this are made in the background, on first request, one at a time.
BIG = 20_000


class NotReady(RuntimeError):
    """A big file is being made in the background; ``retry_after`` seconds is a fair wait."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class MakeFailed(RuntimeError):
    """A big file's making failed in the background; the message says how."""


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
        self._queue: list[tuple[str, str]] = []       # big files asked for, not yet made
        self._failed: dict[tuple[str, str], str] = {}
        self._worker: threading.Thread | None = None

    def _layers(self) -> list[MapLayer]:
        from .. import symbols

        # The map's symbols, worked out as the page does (geo.mapview).
        metas = [layer.meta for layer in self.store.layers.values()]
        assigned = symbols.assign(self.store.themes, metas)
        return [MapLayer.of(meta, assigned[str(meta["id"])]) for meta in metas]

    def count(self, name: str) -> int:
        """How many features the file of ``name`` holds."""
        if name == ALL:
            if self.store.locations_are_layers is not False:
                return len(self.store.locations_are_layers)
            return sum(layer.count for layer in self.store.layers.values())
        return self.store.layer(name).count

    def is_big(self, name: str) -> bool:
        return self.count(name) > BIG

    def _make(self, name: str, ext: str) -> bytes:
        layers = self._layers()
        if name == ALL:
            # Parsed once here (the writers read the features more than once).
            features = list(self.store.location_features())
            return render(ext, ALL, "Central China Atlas: every place", features, layers,
                          "Places named in China's regional-development policy documents.")
        meta = next(l for l in layers if l.id == name)
        return render(ext, name, meta.title, list(self.store.layer(name).features), [meta], meta.description)

    def blob(self, name: str, ext: str):
        """The file as a Blob; ``name`` is a layer id or ``locations`` (checked by the caller).
        A big file not made yet: :class:`NotReady`, and it is queued for the background worker."""
        from ..store import Blob

        key = (name, ext)
        if key in self._blobs:
            return self._blobs[key]
        if self.is_big(name):
            return self._queued(key)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one maker per file; others wait for its result
            if key not in self._blobs:
                self._blobs[key] = Blob.of(self._make(name, ext))
        return self._blobs[key]

    def _queued(self, key: tuple[str, str]):
        with self._guard:
            if key in self._blobs:
                return self._blobs[key]
            if key in self._failed:
                raise MakeFailed(self._failed[key])
            if key not in self._queue:
                self._queue.append(key)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="atlas-big-downloads", daemon=True)
                self._worker.start()
            ahead = self._queue.index(key)
        # About a minute per 100,000 features per file on a small machine.
        wait = max(5, min(120, int(self.count(key[0]) / 2000) * (ahead + 1)))
        raise NotReady(f"the {FORMATS[key[1]].name} file of {key[0]!r} ({self.count(key[0]):,} features) "
                       f"is being made; try again in {wait} s", wait)

    def _work(self) -> None:
        """Make the queued big files one at a time, so at most one is in memory being written."""
        from ..store import Blob

        while True:
            with self._guard:
                if not self._queue:
                    self._worker = None
                    return
                key = self._queue[0]
            try:
                blob = Blob.of(self._make(*key), compresslevel=6)
                with self._guard:
                    self._blobs[key] = blob
            except Exception as exc:  # noqa: BLE001 - reported to the requests that ask for it
                with self._guard:
                    self._failed[key] = f"the {key[1]} file of {key[0]!r} could not be made: {type(exc).__name__}: {exc}"
            finally:
                with self._guard:
                    self._queue.remove(key)

    def make_all(self) -> None:
        """Make every small file now (``python app.py`` does, in the background, at start-up);
        big files wait for a request."""
        for name in [ALL, *self.store.layers]:
            if self.is_big(name):
                continue
            for ext in GIS_FORMATS:
                self.blob(name, ext)
