"""Downloads in GIS formats: ``/download/<layer>.<ext>`` and ``/download/locations.<ext>``.

GeoPackage, CSV, KML and FlatGeobuf (``geo.downloads.FORMATS``) are made once per process, on
first request, from the data the app has loaded, and then served from memory with strong ETags,
like the GeoJSON.
"""

from __future__ import annotations

from ..downloads import ALL, FORMATS, GIS_FORMATS, Downloads, MakeFailed, NotReady, filename
from . import ApiError, ApiResponse
from .memo import memo

MAX_AGE = 300


def downloads_of(store) -> Downloads:
    """The store's files (one set per loaded store: an app holds one, tests make many)."""
    return memo(store, "downloads", lambda: Downloads(store))


def download(store, name: str, ext: str) -> ApiResponse:
    """The file of layer ``name`` (or of every place, ``locations``) in format ``ext``."""
    if ext not in GIS_FORMATS:
        raise ApiError(404, f"unknown download format {ext[:20]!r}; the formats are "
                            f"{', '.join(FORMATS)}")
    if name != ALL and store.layer(name) is None:
        raise ApiError(404, f"unknown layer {name[:60]!r}; GET /api/layers lists the layers")
    try:
        blob = downloads_of(store).blob(name, ext)
    except NotReady as exc:  # a big file, made in the background on first request
        raise ApiError(503, str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
    except MakeFailed as exc:  # its making failed: said, not a traceback
        raise ApiError(500, str(exc)) from None
    return ApiResponse(blob, media_type=FORMATS[ext].media_type, max_age=MAX_AGE,
                       filename=filename(name, ext))
