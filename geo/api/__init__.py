"""Framework-free request handling (the model is pygeoapi's ``api/itemtypes.py``).

Each handler is a plain function in a module of this package, named for what it serves
(``geo.api.atlas`` for the atlas's own JSON API, ``geo.api.features`` for OGC API – Features,
``geo.api.extract`` for the geoparser, ...). A handler takes the loaded data (``geo.store.Store``)
and plain parameters — a dict of query arguments, the request body as bytes, the base URL — never a
framework request object, and returns an :class:`ApiResponse`, or raises :class:`ApiError` with the
status and a message for the person who sent the request. ``app.py`` only adapts these to Flask:
it reads the request into plain values, calls the handler, and turns the result into a response
(gzip and ETag handling for prepared bodies included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


class ApiError(Exception):
    """A request the API refuses: HTTP ``status`` and a one-line message saying what is wrong."""

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


@dataclass
class ApiResponse:
    """What a handler answers. ``body`` is bytes, or a ``geo.store.Blob`` prepared once (identity
    and gzip bytes with strong ETags) that the adapter serves with conditional-request support."""

    body: object
    status: int = 200
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    max_age: int | None = None          # Cache-Control max-age; None: the adapter's default
    filename: str | None = None         # set: served as an attachment with this name


def single_values(lists) -> None:
    """Refuse a query parameter given more than once (``lists``: (name, values) pairs): which one
    would count is a guess, and the API declares none of its parameters a list."""
    for name, values in lists:
        if len(values) > 1:
            raise ApiError(400, f"query parameter {name[:40]!r} is given {len(values)} times; give it once")
