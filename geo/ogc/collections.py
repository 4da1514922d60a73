"""The atlas as OGC API collections: one per layer (in panel order) and ``locations``, every place.

Each :class:`Collection` holds its features with their prepared JSON bytes (the ones the layer
API serves), bounding boxes, the queryable values of each (``queryables.record``) and the
spatial and temporal extents, made once per loaded store by :func:`collections_of`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Sequence

from .. import query
from ..store import LazyFeatures, Store, dumps
from . import LOCATIONS
from .queryables import record


@dataclass
class Collection:
    id: str
    title: str
    description: str
    features: Sequence[dict]              # parsed when asked (geo.store.LazyFeatures)
    feature_bytes: Sequence[bytes]
    bboxes: Sequence[tuple | None]
    layer_ids: list[str]                  # the layers its features come from
    theme: str | None = None
    colour: str | None = None
    records: list[dict] | None = None     # made from the features unless given
    types: list[str] | None = None        # the geometry types, when known without the features
    _shapes: list | None = field(default=None, repr=False)
    _spans: list | None = field(default=None, repr=False)
    _temporal: list | None = field(default=None, repr=False)

    def __post_init__(self):
        if self.records is None:
            self.records = [record(f) for f in self.features]
        self.index = {r["id"]: i for i, r in enumerate(self.records)}

    @property
    def count(self) -> int:
        return len(self.feature_bytes)

    def shapes(self) -> list:
        if self._shapes is None:
            from shapely.geometry import shape

            self._shapes = [shape(f["geometry"]) if f.get("geometry") else None for f in self.features]
        return self._shapes

    @property
    def geometry_types(self) -> list[str]:
        if self.types is None:
            self.types = sorted({(f.get("geometry") or {}).get("type") for f in self.features} - {None})
        return self.types

    def bbox(self) -> list[float] | None:
        array = getattr(self.bboxes, "array", None)  # a layer's boxes (geo.store.Boxes): at once
        if array is not None:
            present = array[self.bboxes.present]
            if not len(present):
                return None
            return [float(present[:, 0].min()), float(present[:, 1].min()),
                    float(present[:, 2].max()), float(present[:, 3].max())]
        boxes = [b for b in self.bboxes if b]
        if not boxes:
            return None
        return [min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes)]

    def intervals(self, i: int) -> list[tuple[date, date]]:
        """The days each source of feature i covers, as [first, last] (a year: all of it); read
        from the features once, on first use (a date filter, the temporal extent)."""
        if self._spans is None:
            known: dict = {}
            spans = []
            for f in self.features:
                out = []
                for source in (f.get("properties") or {}).get("sources") or ():
                    text = str((source or {}).get("date") or "") if isinstance(source, dict) else ""
                    if text not in known:
                        known[text] = date_span(text)
                    if known[text]:
                        out.append(known[text])
                spans.append(tuple(out))
            self._spans = spans
        return list(self._spans[i])

    def temporal(self) -> list[str | None]:
        if self._temporal is None:
            spans = [s for i in range(self.count) for s in self.intervals(i)]
            if not spans:
                self._temporal = [None, None]
            else:
                self._temporal = [min(s[0] for s in spans).isoformat() + "T00:00:00Z",
                                  max(s[1] for s in spans).isoformat() + "T23:59:59Z"]
        return list(self._temporal)


def date_span(text: str) -> tuple[date, date] | None:
    """'2021-11-05' -> that day; '2025-01' -> January 2025; '2024' -> the year. None if unreadable."""
    parts = text.strip().split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            return date(numbers[0], 1, 1), date(numbers[0], 12, 31)
        if len(numbers) == 2:
            first = date(numbers[0], numbers[1], 1)
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        if len(numbers) == 3:
            day = date(*numbers)
            return day, day
    except (ValueError, TypeError):
        return None
    return None


def collections_of(store: Store) -> dict[str, Collection]:
    """Every collection of a store, by id: the layers in panel order, then ``locations``.
    Each feature is parsed once here, for its queryable record; the features themselves stay
    as bytes (``Layer.features`` parses one when a page shows it)."""
    out: dict[str, Collection] = {}
    for layer in store.layers.values():
        meta = layer.meta
        out[layer.id] = Collection(
            id=layer.id, title=str(meta.get("title") or layer.id),
            description=str(meta.get("description") or ""),
            features=layer.features, feature_bytes=layer.feature_bytes, bboxes=layer.bboxes,
            layer_ids=[layer.id], theme=meta.get("theme"), colour=meta.get("colour"),
        )
    if LOCATIONS not in out:  # a layer of that name would keep its own
        slots = store.location_slots()
        if slots is not None:
            # locations.geojson is the layers' features: their records and boxes, reordered.
            own = {layer.id: out[layer.id] for layer in store.layers.values()}
            records = [own[layer.id].records[i] for layer, i in slots]
            bboxes = [layer.bboxes[i] for layer, i in slots]
            feature_bytes = store.location_bytes()
            types = sorted({t for layer in store.layers.values() if layer.count
                            for t in own[layer.id].geometry_types})
        else:
            features = store.location_features()
            feature_bytes = [dumps(f) for f in features]
            records, types = None, None
            bboxes = [query.bbox_of(f.get("geometry")) for f in features]
        by_layer = {str(r["layer"]) for r in (records or [record(json.loads(b)) for b in feature_bytes])}
        out[LOCATIONS] = Collection(
            id=LOCATIONS, title="Every place",
            description="Every place of the atlas, of every layer and theme, as in the download "
                        "of all locations.",
            features=LazyFeatures(feature_bytes), feature_bytes=feature_bytes,
            bboxes=bboxes, layer_ids=[lid for lid in store.layers if lid in by_layer],
            records=records, types=types,
        )
    return out
