"""The built atlas data, loaded once: the bytes held once, per-feature summaries for filtering and
search, each feature parsed only when a consumer needs it whole.

``Store.load(data_dir)`` reads what ``python -m geo build`` writes:

- ``layers/index.json`` (themes and layers in panel order),
- ``layers/<id>.geojson`` (one FeatureCollection per layer),
- ``locations.geojson`` (every feature),
- ``base/provinces.geojson`` (province outlines for the offline base map),
- ``base/cities.geojson``, ``base/rivers.geojson``, ``base/lakes.geojson`` (the offline base's
  cities, rivers and lakes; optional, so data built before them still loads, with an empty base).

The cities also name the host of each place for search: a laboratory placed by its city's adcode
is found as "Wuhan lab".

One copy of the bytes. A layer file as the build writes it (compact JSON, one feature after
another) is kept as it is: its bytes are the layer's body, each feature a slice of them, found in
one pass that parses each feature once, checks it against the data contract and keeps only a
compact summary (id, bbox, provinces, search entry, host adcode, cited documents). A file in any
other form takes the careful path: parsed whole and serialized again, feature by feature, as the
app always did. ``Layer.features`` parses a feature from its slice when asked (OGC pages, one
feature, downloads). ``locations.geojson`` is compared byte for byte with the layers' slices (no
parse) and served from them; a file that differs is parsed and checked as before.

Every response body the API serves unfiltered is prepared here (compact JSON bytes, their gzip and
a strong ETag): a :class:`Blob`, or for a big body a :class:`LazyBlob` whose gzip and ETag are
made on first request; bodies made of other bodies' bytes (every layer, every place, a layer as a
GeoJSON Text Sequence) are :class:`JoinedBlob` and :class:`SeqBlob`, never copied.

Loading checks what it reads: a missing directory or file, JSON that does not parse, a layer whose
features break the data contract (``geo.contract``) or sit in another layer, all stop the load with
one :class:`DataError` that names the file and the first problem.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
import sys
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np
import orjson

from . import query
from .catalog import COLOUR_PATTERN, ID_PATTERN
from .contract import FeatureChecker, check_feature_collection, positions
from .paths import PathError, confined

GEOJSON_TYPE = "application/geo+json"
GEOJSON_SEQ_TYPE = "application/geo+json-seq"  # RFC 8142: RS + a feature's JSON + LF, per feature
# The six provinces of central China: the map opens on them.
CENTRAL_PROVINCES = ("Shanxi", "Henan", "Hubei", "Hunan", "Anhui", "Jiangxi")


class DataError(RuntimeError):
    """The data directory is missing something or holds something unreadable."""


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON, the one serialization every response uses."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# Bodies up to this size are gzipped at level 9; bigger ones at 6, nearly as small and several
# times faster (a 100 MB layer would hold start-up for many seconds at 9).
GZIP_BEST_MAX = 1 << 20
# Bodies above this size get their gzip and ETag on first request, not at start-up (the same
# bytes either way: a layer of 200 KB costs its first request ~20 ms; a 100 MB one ~1 s).
LAZY_MIN = 64 << 10
FC_HEAD = b'{"type":"FeatureCollection","features":['
FC_TAIL = b"]}"
RS, LF = b"\x1e", b"\n"
# Between two features as the build writes them. A JSON string cannot hold `{"` unescaped, so
# this is always the end of one object and the start of a Feature; a split that were still
# wrong (a Feature nested in properties) leaves pieces that do not parse, and the careful path runs.
_FEATURE_GAP = re.compile(rb'\},\{"type":"Feature"')
_JSON_SPACE = b" \t\r\n"
_CHUNK = 1 << 22


def _gzip_level(size: int) -> int:
    return 9 if size <= GZIP_BEST_MAX else 6


@dataclass(frozen=True)
class Blob:
    """A response body prepared once: identity bytes, gzip bytes, strong ETag (unquoted)."""

    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes, compresslevel: int = 9) -> "Blob":
        """``compresslevel`` 9 for bodies made once; a lower one for bodies made per request."""
        digest = hashlib.sha256(body).hexdigest()[:32]
        level = min(compresslevel, _gzip_level(len(body)))
        return cls(body, gzip.compress(body, compresslevel=level, mtime=0), digest)

    @property
    def gzip_etag(self) -> str:
        # A different representation gets a different strong validator.
        return self.etag + "-gz"

    @property
    def length(self) -> int:
        return len(self.body)

    def chunks(self) -> Iterable[bytes]:
        """The identity body as the server sends it."""
        return (self.body,)


class _Lazy:
    """ETag and gzip of a body made from ``chunks()``, each computed once, on first use, under a
    lock (two first requests at once compute them once)."""

    length: int

    def _init_lazy(self) -> None:
        self._lock = threading.Lock()
        self._etag: str | None = None
        self._gzipped: bytes | None = None

    def chunks(self) -> Iterable:
        raise NotImplementedError

    @property
    def etag(self) -> str:
        if self._etag is None:
            with self._lock:
                if self._etag is None:
                    digest = hashlib.sha256()
                    for part in self.chunks():
                        digest.update(part)
                    self._etag = digest.hexdigest()[:32]
        return self._etag

    @property
    def gzipped(self) -> bytes:
        if self._gzipped is None:
            with self._lock:
                if self._gzipped is None:
                    # The same bytes as gzip.compress(body, level, mtime=0), part by part.
                    packer = zlib.compressobj(_gzip_level(self.length), zlib.DEFLATED, 31)
                    out = [packer.compress(part) for part in self.chunks()]
                    out.append(packer.flush())
                    self._gzipped = b"".join(out)
        return self._gzipped

    @property
    def gzip_etag(self) -> str:
        return self.etag + "-gz"


class LazyBlob(_Lazy):
    """A big body held as it is (a layer file's bytes); gzip and ETag made on first request."""

    def __init__(self, body: bytes):
        self.body = body
        self.length = len(body)
        self._init_lazy()

    def chunks(self) -> Iterable[bytes]:
        return (self.body,)


def blob_of(body: bytes) -> "Blob | LazyBlob":
    """A prepared body: gzipped and hashed now, or on first request when it is big."""
    return LazyBlob(body) if len(body) > LAZY_MIN else Blob.of(body)


class JoinedBlob(_Lazy):
    """A body made of parts of other bodies (memoryviews), served part by part: every layer
    together (``/api/features``) without a second copy of the layers' bytes. Its gzip and ETag
    are computed once, part by part (on first request); ``body`` joins the parts only when asked
    (tests)."""

    def __init__(self, parts: Sequence):
        self.parts = list(parts)
        self.length = sum(len(p) for p in self.parts)
        self._init_lazy()

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks())

    def chunks(self) -> Iterable:
        return iter(self.parts)


class SeqBlob(JoinedBlob):
    """Features as a GeoJSON Text Sequence (RFC 8142): RS, the feature's bytes, LF, for each, made
    from the feature slices as it is sent, a run of features at a time (no copy of the body)."""

    RUN = 256  # features per chunk sent

    def __init__(self, slices: Sequence[bytes]):
        self.slices = slices
        self.parts = []
        self.length = (slices.total() if isinstance(slices, FeatureSlices)
                       else sum(len(s) for s in slices)) + 2 * len(slices)
        self._init_lazy()

    def chunks(self) -> Iterator[bytes]:
        views = _views(self.slices)
        for start in range(0, len(views), self.RUN):
            yield b"".join(b for v in views[start:start + self.RUN] for b in (RS, v, LF))


def seq_bytes(feature_bytes: Iterable[bytes]) -> bytes:
    """A GeoJSON Text Sequence of these features (a filtered answer)."""
    return b"".join(b for f in feature_bytes for b in (RS, f, LF))


def _views(slices: Sequence[bytes]) -> Sequence:
    return slices.views() if isinstance(slices, FeatureSlices) else slices


class FeatureSlices(Sequence):
    """Each feature's bytes as a slice of its layer's body: the one copy of the bytes.
    ``offsets`` is an (n, 2) array of [start, end) byte offsets into ``body``."""

    def __init__(self, body: bytes, offsets):
        self._body = body
        self._offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)

    def __len__(self) -> int:
        return len(self._offsets)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        a, b = self._offsets[i]
        return self._body[a:b]

    def span(self, i: int) -> tuple[int, int]:
        a, b = self._offsets[i]
        return int(a), int(b)

    def total(self) -> int:
        """The bytes of every feature together (the commas between them aside)."""
        return int((self._offsets[:, 1] - self._offsets[:, 0]).sum())

    def views(self) -> list[memoryview]:
        view = memoryview(self._body)
        return [view[a:b] for a, b in self._offsets.tolist()]


class LazyFeatures(Sequence):
    """A layer's features as dicts, each parsed from its bytes when asked (a fresh dict each
    time: a consumer may change it freely)."""

    def __init__(self, feature_bytes: Sequence[bytes]):
        self._bytes = feature_bytes

    def __len__(self) -> int:
        return len(self._bytes)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        data = self._bytes[i]
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:  # NaN or a huge integer, which only json reads
            return json.loads(data)

    def __iter__(self) -> Iterator[dict]:
        for i in range(len(self)):
            yield self[i]


class Boxes(Sequence):
    """Bounding boxes as an (n, 4) float array (NaN where a feature has none), read as tuples."""

    def __init__(self, array):
        self.array = np.asarray(array, dtype=np.float64).reshape(-1, 4)
        self.present = ~np.isnan(self.array[:, 0])

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not self.present[i]:
            return None
        return tuple(float(v) for v in self.array[i])


def feature_collection_bytes(feature_bytes: Iterable[bytes]) -> bytes:
    return FC_HEAD + b",".join(feature_bytes) + FC_TAIL


def joined_collection(features: Sequence[bytes]) -> tuple[bytes, list[tuple[int, int]]]:
    """A FeatureCollection of ``features`` and where each feature's bytes sit in it."""
    offsets, at = [], len(FC_HEAD)
    for f in features:
        offsets.append((at, at + len(f)))
        at += len(f) + 1
    return feature_collection_bytes(features), offsets


@dataclass
class Layer:
    id: str
    meta: dict
    feature_bytes: Sequence[bytes]
    bboxes: Boxes
    provinces: list[frozenset[str]]
    blob: Any                                   # Blob or LazyBlob
    adcodes: list[str | None] = field(default_factory=list, repr=False)
    documents: dict = field(default_factory=dict, repr=False)   # first source of each document
    ids: list[str] = field(default_factory=list, repr=False)
    _shapes: list | None = field(default=None, repr=False)
    _seq: Any = field(default=None, repr=False)
    _search: list | None = field(default=None, repr=False)
    _store: Any = field(default=None, repr=False)   # builds every layer's search entries at once

    @property
    def search(self) -> list[query.SearchEntry]:
        """Each feature as the search sees it, built on first use (by the store: with the hosts)."""
        if self._search is None:
            if self._store is not None:
                self._store.search_entries  # noqa: B018 - builds them, this layer's among them
            else:
                self._search = query.build_search_index(self.features)
        return self._search

    @property
    def features(self) -> LazyFeatures:
        return LazyFeatures(self.feature_bytes)

    @property
    def count(self) -> int:
        return len(self.feature_bytes)

    @property
    def seq_blob(self) -> SeqBlob:
        """The layer as a GeoJSON Text Sequence (made once, from the same slices)."""
        if self._seq is None:
            self._seq = SeqBlob(self.feature_bytes)
        return self._seq

    def shapes(self):
        """Shapely geometries, built on first use (only bbox filtering needs them)."""
        if self._shapes is None:
            from shapely.geometry import shape

            self._shapes = [shape(f["geometry"]) if f.get("geometry") else None for f in self.features]
        return self._shapes

    def select(self, bbox: Sequence[float] | None = None, province: str | None = None,
               q: str | None = None) -> list[int]:
        """Indices of the features that pass every given filter, in layer order."""
        indices = range(self.count)
        if province:
            indices = [i for i in indices if province in self.provinces[i]]
        if q:
            indices = [i for i in indices if query.matches_text(self.search[i], q)]
        if bbox:
            boxes = self.bboxes.array
            hits = self.bboxes.present & (boxes[:, 0] <= bbox[2]) & (bbox[0] <= boxes[:, 2]) \
                & (boxes[:, 1] <= bbox[3]) & (bbox[1] <= boxes[:, 3])
            # A feature whose extent lies inside the window intersects it: no geometry needed
            # (a full-extent query never builds the shapes; a point's extent is the point).
            inside = hits & (bbox[0] <= boxes[:, 0]) & (bbox[1] <= boxes[:, 1]) \
                & (boxes[:, 2] <= bbox[2]) & (boxes[:, 3] <= bbox[3])
            if isinstance(indices, range):
                candidates = np.flatnonzero(hits).tolist()
            else:
                candidates = [i for i in indices if hits[i]]
            if not inside[candidates].all():
                from shapely.geometry import box

                window = box(*bbox)
                shapes = self.shapes()
                candidates = [i for i in candidates
                              if inside[i] or (shapes[i] is not None and shapes[i].intersects(window))]
            indices = candidates
        return list(indices)

    def subset_bytes(self, indices: Sequence[int]) -> bytes:
        return feature_collection_bytes(self.feature_bytes[i] for i in indices)

    def subset_seq(self, indices: Sequence[int]) -> bytes:
        return seq_bytes(self.feature_bytes[i] for i in indices)


def _data_file(data_dir: Path, rel: str, what: str) -> Path:
    """The path of ``rel`` in the data directory, refused if it would lead out of it."""
    try:
        return Path(confined(str(data_dir), rel))
    except PathError as exc:
        raise DataError(f"{what}: {exc}: {data_dir}") from None


def _read_json(path: Path, what: str) -> Any:
    try:
        with path.open("rb") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise DataError(f"{what} is missing: {path} (run `python -m geo build`)") from None
    except RecursionError:
        raise DataError(f"{what} is unreadable: {path}: JSON nested too deeply") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{what} is unreadable: {path}: {' '.join(str(exc).split())[:200]}") from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# What index.json may hold per layer and per theme: key -> (type(s), required).
_LAYER_KEYS = {"id": (str, True), "title": (str, True), "theme": (str, True),
               "description": (str, False), "colour": (str, False), "visible": (bool, False),
               "geometry_types": (list, False), "count": (int, False), "bbox": ((list, type(None)), False),
               "file": (str, False)}
_THEME_KEYS = {"id": (str, True), "title": (str, True), "colour": (str, False), "layers": (list, True)}


def _check_entry(entry: Any, keys: dict, where: str, path: Path) -> None:
    if not isinstance(entry, dict):
        raise DataError(f"the layer index's {where} is {type(entry).__name__} {_short(entry)}, "
                        f"not an object: {path}")
    for key, (kind, required) in keys.items():
        if key not in entry:
            if required:
                raise DataError(f"the layer index's {where} has no {key!r}: {path}")
            continue
        value = entry[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise DataError(f"the layer index's {where} has {key!r} {_short(value)}, of the wrong type: {path}")
    if "id" in entry and not ID_PATTERN.fullmatch(entry["id"]):
        raise DataError(f"the layer index's {where} has id {_short(entry['id'])}, not lower-case "
                        f"letters, digits and '-': {path}")
    if entry.get("colour") is not None and not COLOUR_PATTERN.fullmatch(entry["colour"]):
        raise DataError(f"the layer index's {where} has colour {_short(entry['colour'])}, not #rrggbb: {path}")
    for key in ("layers", "geometry_types"):
        if key in entry and not all(isinstance(v, str) for v in entry[key]):
            raise DataError(f"the layer index's {where} has {key!r} that are not all strings: {path}")
    bbox = entry.get("bbox")
    if bbox is not None and (len(bbox) != 4 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in bbox)):
        raise DataError(f"the layer index's {where} has bbox {_short(bbox)}, not four numbers: {path}")


def _check_index(index: Any, path: Path) -> None:
    """DataError naming the first thing in index.json that is not what the app reads there."""
    if not isinstance(index, dict) or not isinstance(index.get("layers"), list) or not isinstance(
        index.get("themes"), list
    ):
        raise DataError(f"the layer index has no 'themes' and 'layers' lists: {path}")
    for i, meta in enumerate(index["layers"]):
        where = f"layer {_short(meta['id'])}" if isinstance(meta, dict) and isinstance(meta.get("id"), str) \
            else f"layer #{i}"
        _check_entry(meta, _LAYER_KEYS, where, path)
    for i, theme in enumerate(index["themes"]):
        where = f"theme {_short(theme['id'])}" if isinstance(theme, dict) and isinstance(theme.get("id"), str) \
            else f"theme #{i}"
        _check_entry(theme, _THEME_KEYS, where, path)


def _check_provinces(features: list, path: Path) -> None:
    """The base layer: each feature an object with a name and a polygon of numbers in range."""
    for i, f in enumerate(features):
        label = f"province feature #{i}"
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise DataError(f"the province base layer's {label} is {_short(f)}, not a Feature: {path}")
        props = f.get("properties")
        if not isinstance(props, dict) or not isinstance(props.get("name"), str) or (
                "name_zh" in props and not isinstance(props["name_zh"], str)):
            raise DataError(f"the province base layer's {label} has no name (a string) in its properties: {path}")
        geom = f.get("geometry")
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise DataError(f"the province base layer's {label} ({_short(props['name'])}) is not a "
                            f"Polygon or MultiPolygon: {path}")
        points, problem = positions(geom["type"], geom.get("coordinates"))
        if problem is None and not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
            problem = "coordinates are not [lon, lat] within range"
        if problem:
            raise DataError(f"the province base layer's {label} ({_short(props['name'])}): {problem}: {path}")


def _feature_collection(path: Path, what: str) -> list[dict]:
    data = _read_json(path, what)
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
        data.get("features"), list
    ):
        raise DataError(f"{what} is not a GeoJSON FeatureCollection: {path}")
    return data["features"]


def _check_contract(features: list[dict], path: Path, what: str) -> None:
    """DataError naming the first way ``features`` break the data contract, and how many more."""
    problems = check_feature_collection({"type": "FeatureCollection", "features": features})
    if problems:
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        raise DataError(f"{what} breaks the data contract: {problems[0]}{more}: {path}")


# The offline base's reference layers besides the provinces (geo.basemap writes them).
BASE_LAYERS = ("cities", "rivers", "lakes")
EMPTY_COLLECTION = b'{"type":"FeatureCollection","features":[]}'


def host_codes(adcode: str) -> list[str]:
    """Adcodes of the prefecture-level unit (then the province-level one) that contain ``adcode``:
    420115 -> 420100, 420000; a municipality's districts 500101 -> 500100, 500000."""
    if len(adcode) != 6 or not adcode.isdigit():
        return []
    return [c for c in dict.fromkeys([adcode, adcode[:4] + "00", adcode[:2] + "0000"])]




def _read_bytes(path: Path, what: str) -> bytes:
    """The file's bytes without the white space that ends it (the build ends files with a
    newline), read once: the end is found first, so the body is never copied to drop it."""
    try:
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            fh.seek(max(0, size - 256))
            tail = fh.read()
            keep = len(tail.rstrip(_JSON_SPACE))
            fh.seek(0)
            if keep == 0:  # more white space than that, or an empty file: read it all
                return fh.read().rstrip(_JSON_SPACE)
            data = fh.read(size - (len(tail) - keep))
            if fh.read().strip(_JSON_SPACE):  # it grew as we read: read it again, whole
                fh.seek(0)
                return fh.read().rstrip(_JSON_SPACE)
            return data
    except FileNotFoundError:
        raise DataError(f"{what} is missing: {path} (run `python -m geo build`)") from None
    except OSError as exc:
        raise DataError(f"{what} is unreadable: {path}: {' '.join(str(exc).split())[:200]}") from None


def _split_layer(data: bytes) -> list[tuple[int, int]] | None:
    """Where each feature sits in a FeatureCollection file written as the build writes it
    (the head, features separated by commas, the tail, then only white space); None otherwise."""
    end = len(data)
    while end and data[end - 1] in _JSON_SPACE:
        end -= 1
    if not data.startswith(FC_HEAD) or data[end - len(FC_TAIL):end] != FC_TAIL or end < len(FC_HEAD) + len(FC_TAIL):
        return None
    start, stop = len(FC_HEAD), end - len(FC_TAIL)
    if start == stop:
        return []
    offsets, at = [], start
    for m in _FEATURE_GAP.finditer(data, start, stop):
        offsets.append((at, m.start() + 1))
        at = m.start() + 2
    offsets.append((at, stop))
    return offsets


class _Interned(dict):
    """One object per distinct value (provinces sets, adcodes, sources): many features share them."""

    def get_or_add(self, key, make):
        value = self.get(key)
        if value is None:
            value = self[key] = make()
        return value


class _LayerSummary:
    """What a layer keeps of its features, built one feature at a time (the one pass over them),
    with the contract checked on the way."""

    def __init__(self, layer_id: str, check: bool, interned: _Interned):
        self.layer_id = layer_id
        self.check = check
        self.checker = FeatureChecker()
        self.problems = 0
        self.first_problem: str | None = None
        self.stray: str | None = None
        self.interned = interned
        self.ids: list[str] = []
        self.boxes: list[tuple] = []
        self.provinces: list[frozenset] = []
        self.adcodes: list[str | None] = []
        self.documents: dict[str, dict] = {}
        self.types: set = set()

    def add(self, f: Any) -> None:
        i = len(self.ids)
        if self.check:
            problems = self.checker.check(f, i)
            if problems:
                self.problems += len(problems)
                self.first_problem = self.first_problem or problems[0]
                self.ids.append("")  # the load fails: nothing more of this feature is read
                return
            if self.stray is None and f["properties"].get("layer") != self.layer_id:
                self.stray = f["id"]
        if not isinstance(f, dict):  # only without the check (it refuses such a file)
            f = {}
        props = f.get("properties")
        props = props if isinstance(props, dict) else {}
        self.ids.append(str(f.get("id")))
        geom = f.get("geometry")
        box = None
        if isinstance(geom, dict):
            coords = geom.get("coordinates")
            if geom.get("type") == "Point" and type(coords) is list and len(coords) == 2:
                box = (float(coords[0]), float(coords[1]), float(coords[0]), float(coords[1]))
            else:
                box = query.bbox_of(geom)
            kind = geom.get("type")
            if kind is not None:
                self.types.add(kind)
        self.boxes.append(box or (math.nan,) * 4)
        names = tuple(str(p) for p in props.get("provinces") or ())
        self.provinces.append(self.interned.get_or_add(("provinces", names), lambda: frozenset(names)))
        code = (props.get("gazetteer") or {}).get("adcode") if isinstance(props.get("gazetteer"), dict) else None
        self.adcodes.append(sys.intern(code) if isinstance(code, str) else None)
        for source in props.get("sources") or ():
            if isinstance(source, dict) and source.get("document") and str(source["document"]) not in self.documents:
                self.documents[str(source["document"])] = {
                    k: str(source[k]) for k in ("document", "title", "publisher", "date", "url") if source.get(k)}

    def raise_problems(self, path: Path, what: str) -> None:
        if self.first_problem is not None:
            n = self.problems
            more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
            raise DataError(f"{what} breaks the data contract: {self.first_problem}{more}: {path}")
        if self.stray is not None:
            raise DataError(f"{what} holds feature {self.stray!r} of another layer: {path}")

    def layer(self, meta: dict, feature_bytes: FeatureSlices, blob) -> Layer:
        bboxes = Boxes(self.boxes)
        meta["count"] = len(self.ids)
        if bboxes.present.any() and not meta.get("bbox"):
            a = bboxes.array[bboxes.present]
            meta["bbox"] = [float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()), float(a[:, 3].max())]
        if not meta.get("geometry_types"):
            meta["geometry_types"] = sorted(self.types)
        return Layer(id=self.layer_id, meta=meta, feature_bytes=feature_bytes, bboxes=bboxes,
                     provinces=self.provinces, blob=blob, adcodes=self.adcodes,
                     documents=self.documents, ids=self.ids)


def _load_layer(path: Path, layer_id: str, meta: dict, check: bool, interned: _Interned) -> Layer:
    """One layer: its file's bytes kept as they are where the build wrote them (one pass parses
    each feature once for its summary and the check); else the careful path, parsed whole."""
    what = f"layer {layer_id}"
    data = _read_bytes(path, what)
    offsets = _split_layer(data)
    view = memoryview(data)
    if offsets is not None:
        summary = _LayerSummary(layer_id, check, interned)
        try:
            for a, b in offsets:
                # orjson reads the slice in place; what it refuses (NaN, huge integers, bad
                # UTF-8, JSON that does not parse as split) goes down the careful path.
                summary.add(orjson.loads(view[a:b]))
        except (ValueError, RecursionError):
            offsets = None  # not JSON as split: the careful path names the problem as it always did
    if offsets is None:
        del data, view
        return _load_layer_carefully(path, layer_id, meta, check, interned)
    del view
    summary.raise_problems(path, what)
    return summary.layer(meta, FeatureSlices(data, offsets), blob_of(data))


def _load_layer_carefully(path: Path, layer_id: str, meta: dict, check: bool, interned: _Interned) -> Layer:
    what = f"layer {layer_id}"
    features = _feature_collection(path, what)
    summary = _LayerSummary(layer_id, check, interned)
    for f in features:
        summary.add(f)
    summary.raise_problems(path, what)
    body, offsets = joined_collection([dumps(f) for f in features])
    del features
    return summary.layer(meta, FeatureSlices(body, offsets), blob_of(body))


def _host_names(cities: list[dict]) -> dict[str, list[str]]:
    """The names of each city of the offline base, by adcode: the hosts search knows."""
    names: dict[str, list[str]] = {}
    for city in cities:
        props = city.get("properties") or {}
        code = str(props.get("adcode") or city.get("id") or "")
        names[code] = [str(props.get(k)) for k in ("name", "name_zh") if props.get(k)]
    return names


class Store:
    """Everything the app serves, held in memory."""

    def __init__(self, data_dir: Path, themes: list[dict], layers: dict[str, Layer],
                 locations, provinces: Blob, province_table: dict[str, str],
                 province_boxes: dict[str, tuple[float, float, float, float]] | None = None,
                 base: dict[str, Blob] | None = None, cities: list[dict] | None = None,
                 locations_are_layers: "LocationOrder | bool" = False):
        self.data_dir = data_dir
        self.themes = themes
        self.layers = layers
        self.locations = locations
        # A LocationOrder when locations.geojson holds exactly the layers' features (their very
        # bytes): its features are then read from the layers (the OGC API's "locations"
        # collection, the downloads); False when it was checked and kept as its own bytes.
        self.locations_are_layers = locations_are_layers
        self.provinces = provinces
        self.province_table = province_table
        self.province_boxes = province_boxes or {}
        self.base = {name: (base or {}).get(name) or Blob.of(EMPTY_COLLECTION) for name in BASE_LAYERS}
        self._hosts = _host_names(cities or [])
        self._search_entries: list | None = None
        self._search_lock = threading.Lock()
        for layer in layers.values():
            layer._store = self
        # Every display feature in panel order: what the page fetches when it shows most layers at once.
        self.features = _all_features(layers.values())
        self._features_by_id = {fid: (layer, i) for layer in layers.values() for i, fid in enumerate(layer.ids)}
        self._places_by_document: dict | None = None

    # -- loading --------------------------------------------------------------------------------
    @classmethod
    def load(cls, data_dir: str | Path, *, check: bool = True) -> "Store":
        """Read a data directory. ``check`` runs the data contract on every feature (start-up does)."""
        data_dir = Path(data_dir)
        if not data_dir.is_dir():
            what = "is not a directory" if data_dir.exists() else "does not exist"
            raise DataError(f"the data directory {what}: {data_dir} (run `python -m geo build` or give --data DIR)")
        index_path = _data_file(data_dir, "layers/index.json", "the layer index")
        index = _read_json(index_path, "the layer index")
        _check_index(index, index_path)

        layers: dict[str, Layer] = {}
        interned = _Interned()
        for meta in index["layers"]:
            layer_id = meta["id"]
            if layer_id in layers:
                raise DataError(f"the layer index has a missing or repeated layer id: {layer_id!r}")
            # The file is found by its id (checked above: letters, digits and '-'), never by a path
            # the index (or a request) could steer, and never through a link out of the data.
            path = _data_file(data_dir, f"layers/{layer_id}.geojson", f"layer {layer_id}")
            layers[layer_id] = _load_layer(path, layer_id, dict(meta), check, interned)
        del interned

        known = set(layers)
        themes = []
        for theme in index["themes"]:
            theme = dict(theme)
            theme["layers"] = [lid for lid in theme.get("layers") or () if lid in known]
            themes.append(theme)

        location_path = _data_file(data_dir, "locations.geojson", "locations.geojson")
        locations, same = _load_locations(location_path, layers, check)

        province_path = _data_file(data_dir, "base/provinces.geojson", "the province base layer")
        province_features = _feature_collection(province_path, "the province base layer")
        _check_provinces(province_features, province_path)
        provinces = blob_of(feature_collection_bytes(dumps(f) for f in province_features))
        table = query.province_aliases((f.get("properties") or {}) for f in province_features)
        for layer in layers.values():  # names used by features count even if the base lacks them
            for names in set(layer.provinces):
                for name in names:
                    table.setdefault(query.squash(name), name)
        boxes = {}
        for f in province_features:
            name = str((f.get("properties") or {}).get("name") or "")
            box = query.bbox_of(f.get("geometry"))
            if name and box:
                boxes[name] = box
        base, cities = {}, []
        for name in BASE_LAYERS:
            path = data_dir / "base" / f"{name}.geojson"
            if not path.exists():
                continue
            base_features = _feature_collection(path, f"the {name} base layer")
            if name == "cities":
                cities = base_features
            base[name] = blob_of(feature_collection_bytes(dumps(f) for f in base_features))
        return cls(data_dir, themes, layers, locations, provinces, table, boxes, base, cities, same)

    @property
    def search_entries(self) -> list[query.SearchEntry]:
        """Every feature as the search sees it, in panel order: built on first search (a served
        app builds them in the background after start, ``warm_up``), from the features parsed
        once more, with the city that hosts each place."""
        if self._search_entries is None:
            with self._search_lock:
                if self._search_entries is None:
                    entries = []
                    for layer in self.layers.values():
                        if layer._search is None:
                            layer_entries = query.build_search_index(layer.features)
                            self._add_hosts(layer, layer_entries)
                            layer._search = layer_entries
                        entries += layer._search
                    for order, entry in enumerate(entries):
                        entry.order = order
                    self._search_entries = entries
        return self._search_entries

    def warm_up(self) -> None:
        """Build what the first search would (``python app.py`` calls it in the background)."""
        self.search_entries  # noqa: B018

    def _add_hosts(self, layer: Layer, entries: list[query.SearchEntry]) -> None:
        """Let search find a place by the city that hosts it (its adcode's prefecture-level unit)."""
        names = self._hosts
        if not names:
            return
        for code, entry in zip(layer.adcodes, entries):
            # A point's one adcode (areas and lines are found by their members already).
            if code is None:
                continue
            host = next((names[c] for c in host_codes(code) if c in names), [])
            for name in host:
                entry.add_host(name)

    # -- queries --------------------------------------------------------------------------------
    def select_all(self, bbox=None, province=None, q=None) -> bytes:
        """Every layer's features that pass the filters, as one FeatureCollection."""
        return feature_collection_bytes(
            layer.feature_bytes[i] for layer in self.layers.values()
            for i in layer.select(bbox=bbox, province=province, q=q))

    def documents(self) -> list[dict]:
        """Every document the places cite, once, by date then title: what the map's filters and
        citations offer (``document`` is the key sources use; ``url`` where the catalog has one)."""
        docs: dict[str, dict] = {}
        for layer in self.layers.values():
            for key, doc in layer.documents.items():
                docs.setdefault(key, dict(doc))
        return sorted(docs.values(), key=lambda d: (d.get("date", ""), d.get("title", ""), d["document"]))

    def places_by_document(self) -> dict[str, list[dict]]:
        """For each document key, the places that cite it (id, names, the mention), in layer order:
        what the citations page lists under each document (read from the features once)."""
        if self._places_by_document is not None:
            return self._places_by_document
        places: dict[str, list[dict]] = {}
        for layer in self.layers.values():
            for feature in layer.features:
                props = feature.get("properties") or {}
                for source in props.get("sources") or ():
                    if isinstance(source, dict) and source.get("document"):
                        places.setdefault(str(source["document"]), []).append({
                            "id": feature.get("id"), "name": props.get("name"),
                            "name_zh": props.get("name_zh"), "mention": source.get("mention")})
        self._places_by_document = places
        return places

    def location_features(self) -> Sequence[dict]:
        """Every feature of locations.geojson, in its order (parsed when asked)."""
        if self.locations_are_layers is not False:
            return LazyFeatures(self.location_bytes())
        return json.loads(self.locations.body)["features"]

    def location_bytes(self) -> Sequence[bytes]:
        """Each feature of locations.geojson as bytes, in its order: slices of the layers' bodies
        where the file holds just their features; else the file's features serialized."""
        if self.locations_are_layers is not False:
            return self.locations_are_layers
        return [dumps(f) for f in json.loads(self.locations.body)["features"]]

    def location_slots(self) -> list[tuple[Layer, int]] | None:
        """Where each feature of locations.geojson comes from (layer, index), in its order, when
        the file holds just the layers' features; None otherwise."""
        if self.locations_are_layers is False:
            return None
        order = self.locations_are_layers
        layers = list(self.layers.values())
        return [(layers[k], int(i)) for k, i in zip(order.layer_of.tolist(), order.index_of.tolist())]

    def province_names(self) -> list[str]:
        """The provinces the places lie in, by name."""
        return sorted({p for layer in self.layers.values() for names in set(layer.provinces) for p in names})

    def layer(self, layer_id: str) -> Layer | None:
        return self.layers.get(layer_id)

    def feature(self, feature_id: str) -> tuple[Layer, dict] | None:
        hit = self._features_by_id.get(feature_id)
        if hit is None:
            return None
        layer, i = hit
        return layer, layer.features[i]

    def bbox(self) -> list[float] | None:
        boxes = [layer.meta["bbox"] for layer in self.layers.values() if layer.meta.get("bbox")]
        if not boxes:
            return None
        return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]

    def home_bbox(self) -> list[float] | None:
        """Where the map opens: central China's six provinces, or the data's extent without them."""
        boxes = [self.province_boxes[name] for name in CENTRAL_PROVINCES if name in self.province_boxes]
        if not boxes:
            return self.bbox()
        return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]

    def index(self, links=None) -> dict:
        """The layer index as the API gives it; ``links(layer_id)`` adds a links object per layer."""
        layers = []
        for layer in self.layers.values():
            meta = {k: layer.meta.get(k) for k in
                    ("id", "title", "theme", "description", "colour", "geometry_types", "count", "bbox")}
            # Whether the map shows the layer when it opens; a layer that does not say is shown.
            meta["visible"] = layer.meta.get("visible") is not False
            if links:
                meta["links"] = links(layer.id)
            layers.append(meta)
        return {"themes": self.themes, "layers": layers}

    def places(self, q: str, limit: int = query.DEFAULT_LIMIT) -> list[dict]:
        """Search results: enough to list a place and to zoom to it before its layer is loaded."""
        results = []
        for entry, score, field_name, matched in query.search(self.search_entries, q, limit):
            layer, feature = self.feature(entry.id)
            props = feature.get("properties") or {}
            i = self._features_by_id[entry.id][1]
            box = layer.bboxes[i]
            results.append({
                "id": entry.id,
                "name": entry.name,
                "name_zh": entry.name_zh,
                "layer": layer.id,
                "layer_title": layer.meta.get("title"),
                "theme": layer.meta.get("theme"),
                "provinces": list(props.get("provinces") or ()),
                "precision": props.get("precision"),
                "precision_label": props.get("precision_label"),
                "geometry_type": (feature.get("geometry") or {}).get("type"),
                "bbox": list(box) if box else None,
                "center": _center(feature),
                "matched": {"field": field_name, "text": matched},
                "score": round(score, 1),
            })
        return results


class LocationOrder(Sequence):
    """locations.geojson as slices of the layers' bodies: for its k-th feature, the layer (by
    position in panel order) and the feature's index there."""

    def __init__(self, layers: Sequence[Layer], layer_of, index_of):
        self._slices = [layer.feature_bytes for layer in layers]
        self.layer_of = np.asarray(layer_of, dtype=np.int32)
        self.index_of = np.asarray(index_of, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.layer_of)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[j] for j in range(*k.indices(len(self)))]
        return self._slices[self.layer_of[k]][int(self.index_of[k])]


def _iter_features(path: Path, what: str) -> Iterable[Any]:
    """The features of a FeatureCollection file one at a time, so no more than one is parsed at
    once, where the file starts as the build writes it; else the whole file parsed (same errors)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{what} is missing: {path} (run `python -m geo build`)") from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{what} is unreadable: {path}: {' '.join(str(exc).split())[:200]}") from None
    head = FC_HEAD.decode()
    if not text.startswith(head):
        yield from _feature_collection(path, what)
        return
    decoder = json.JSONDecoder()
    i, n = len(head), len(text)
    try:
        while True:
            while i < n and text[i] in " \t\r\n":
                i += 1
            if text.startswith("]", i):
                if text[i + 1:].strip() != "}":
                    raise ValueError("text after the features")
                return
            feature, i = decoder.raw_decode(text, i)
            yield feature
            while i < n and text[i] in " \t\r\n":
                i += 1
            if text.startswith(",", i):
                i += 1
            elif not text.startswith("]", i):
                raise ValueError(f"expected ',' or ']' at character {i}")
    except RecursionError:
        raise DataError(f"{what} is unreadable: {path}: JSON nested too deeply") from None
    except ValueError as exc:
        raise DataError(f"{what} is unreadable: {path}: {' '.join(str(exc).split())[:200]}") from None




class _NotAsBuilt(Exception):
    """locations.geojson is not just the layers' features, byte for byte."""


_ID_AT_START = re.compile(rb'\{"type":"Feature","id":"([^"\\]*)"')


def _locations_as_built(path: Path, layers: Mapping[str, Layer]) -> tuple[JoinedBlob, LocationOrder]:
    """locations.geojson when it holds every layer's features, each once, byte for byte as in its
    layer: never parsed (the layers' features were checked). The file is read a few MB at a time;
    each feature is found by the gap before it and its id, and each run of consecutive features
    of one layer is compared with that run of the layer's body in one comparison (equal bytes
    split into equal features). _NotAsBuilt when anything differs."""
    ordered = list(layers.values())
    by_id = {fid: (k, i) for k, layer in enumerate(ordered) for i, fid in enumerate(layer.ids)}
    total = sum(layer.count for layer in ordered)
    if len(by_id) != total:
        raise _NotAsBuilt  # an id in two layers: the careful path says so
    layer_of: list[int] = []
    index_of: list[int] = []
    taken: set = set()
    match_id, lookup, gap = _ID_AT_START.match, by_id.get, _FEATURE_GAP.search
    run: list = []  # [layer position, first index, last index, start in buf, end in buf]

    def close(buf: bytes) -> None:
        if run:
            k, first, last, start, end = run
            fb = ordered[k].feature_bytes
            a, b = fb.span(first)[0], fb.span(last)[1]
            if b - a != end - start or memoryview(buf)[start:end] != memoryview(fb._body)[a:b]:
                raise _NotAsBuilt
            run.clear()

    def piece(buf: bytes, start: int, end: int) -> None:
        m = match_id(buf, start, end)
        hit = lookup(m.group(1).decode("utf-8")) if m else None
        if hit is None or hit in taken:
            raise _NotAsBuilt
        taken.add(hit)
        k, i = hit
        layer_of.append(k)
        index_of.append(i)
        if run and run[0] == k and run[2] + 1 == i:
            run[2], run[4] = i, end
        else:
            close(buf)
            run[:] = [k, i, i, start, end]

    try:
        with path.open("rb") as fh:
            buf = fh.read(_CHUNK)
            if not buf.startswith(FC_HEAD):
                raise _NotAsBuilt
            pos = len(FC_HEAD)
            while True:
                m = gap(buf, pos)
                if m:
                    piece(buf, pos, m.start() + 1)
                    pos = m.start() + 2
                    continue
                close(buf)  # before the buffer moves on
                more = fh.read(_CHUNK)
                if not more:
                    break
                buf = buf[pos:] + more
                pos = 0
            rest = len(buf)
            while rest and buf[rest - 1] in _JSON_SPACE:
                rest -= 1
            if buf[max(pos, rest - len(FC_TAIL)):rest] != FC_TAIL:
                raise _NotAsBuilt
            if rest - len(FC_TAIL) > pos:
                piece(buf, pos, rest - len(FC_TAIL))
                close(buf)
            elif pos != len(FC_HEAD) or layer_of:  # "...,]}": a comma with no feature after it
                raise _NotAsBuilt
    except (OSError, UnicodeDecodeError):
        raise _NotAsBuilt from None
    if len(layer_of) != total:
        raise _NotAsBuilt
    del taken
    order = LocationOrder(ordered, layer_of, index_of)
    # Runs of consecutive features of one layer go out as one view of its body.
    parts: list = [FC_HEAD]
    span = None  # [layer position, first index, last index]
    for k, i in zip(layer_of, index_of):
        if span and span[0] == k and span[2] + 1 == i:
            span[2] = i
            continue
        if span:
            parts.append(_run_view(ordered[span[0]], span[1], span[2]))
            parts.append(b",")
        span = [k, i, i]
    if span:
        parts.append(_run_view(ordered[span[0]], span[1], span[2]))
    parts.append(FC_TAIL)
    return JoinedBlob(parts), order


def _run_view(layer: Layer, first: int, last: int) -> memoryview:
    fb = layer.feature_bytes
    return memoryview(fb._body)[fb.span(first)[0]:fb.span(last)[1]]


def _load_locations(path: Path, layers: Mapping[str, Layer], check: bool):
    """locations.geojson, checked, as a body made of the layers' own bytes, and its order (a
    LocationOrder) where it holds just their features; else (False) the careful path: each feature
    the same as its layer's copy (compared parsed) is served from it, one that differs is checked
    against the contract and kept as its own bytes."""
    try:
        return _locations_as_built(path, layers)
    except _NotAsBuilt:
        pass
    by_id = {fid: (layer, i) for layer in layers.values() for i, fid in enumerate(layer.ids)}
    parts: list = []
    unchecked: list = []
    seen: set = set()
    repeated = False
    for feature in _iter_features(path, "locations.geojson"):
        hit = by_id.get(str(feature.get("id"))) if isinstance(feature, dict) else None
        if isinstance(feature, dict):
            fid = feature.get("id")
            key = (type(fid).__name__, str(fid))
            repeated = repeated or key in seen
            seen.add(key)
        if hit is not None and isinstance(hit[0].feature_bytes, FeatureSlices) and hit[0].features[hit[1]] == feature:
            layer, i = hit
            start, end = layer.feature_bytes.span(i)
            body = layer.feature_bytes._body
            prev = parts[-1] if parts else None
            # The next feature of the same layer's body, after one comma: extend the run.
            if isinstance(prev, list) and prev[0] is body and prev[2] + 1 == start:
                prev[2] = end
            else:
                parts.append([body, start, end])
        else:
            unchecked.append(feature)
            parts.append(dumps(feature))
    if check:
        _check_contract(unchecked, path, "locations.geojson")
        if repeated:
            raise DataError(f"locations.geojson repeats a feature id: {path}")
    out: list = [FC_HEAD]
    for k, part in enumerate(parts):
        if k:
            out.append(b",")
        out.append(memoryview(part[0])[part[1]:part[2]] if isinstance(part, list) else part)
    out.append(FC_TAIL)
    return JoinedBlob(out), False


def _all_features(layers: Iterable[Layer]) -> JoinedBlob:
    """Every layer's features as one FeatureCollection, made of views of the layers' bodies: a
    layer's features and the commas between them are one run of its body."""
    parts: list = [FC_HEAD]
    for layer in layers:
        fb = layer.feature_bytes
        if not len(fb):
            continue
        if len(parts) > 1:
            parts.append(b",")
        if isinstance(fb, FeatureSlices):
            parts.append(_run_view(layer, 0, len(fb) - 1))
        else:
            parts.append(b",".join(fb))
    parts.append(FC_TAIL)
    return JoinedBlob(parts)


def _center(feature: Mapping) -> list[float] | None:
    """A point on the feature (inside areas), rounded like the data, for opening its popup."""
    geom = feature.get("geometry")
    if not geom:
        return None
    coords = geom.get("coordinates")
    if geom.get("type") == "Point" and isinstance(coords, list) and len(coords) == 2:
        return [round(float(coords[0]), 6), round(float(coords[1]), 6)]
    from shapely.geometry import shape

    found = shape(geom)
    if found.is_empty:
        return None
    point = found if found.geom_type == "Point" else found.representative_point()
    return [round(point.x, 6), round(point.y, 6)]
