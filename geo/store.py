"""The built atlas data, loaded once: parsed for filtering and search, serialized and gzipped once.

``Store.load(data_dir)`` reads what ``python -m geo build`` writes:

- ``layers/index.json`` (themes and layers in panel order),
- ``layers/<id>.geojson`` (one FeatureCollection per layer),
- ``locations.geojson`` (every feature),
- ``base/provinces.geojson`` (province outlines for the offline base map),
- ``base/cities.geojson``, ``base/rivers.geojson``, ``base/lakes.geojson`` (the offline base's
  cities, rivers and lakes; optional, so data built before them still loads, with an empty base).

The cities also name the host of each place for search: a laboratory placed by its city's adcode
is found as "Wuhan lab".

Every response body the API serves unfiltered is prepared here as a :class:`Blob` (compact JSON
bytes, their gzip and a strong ETag), so serving a layer is a dictionary lookup.

Loading checks what it reads: a missing directory or file, JSON that does not parse, a layer whose
features break the data contract (``geo.contract``) or sit in another layer, all stop the load with
one :class:`DataError` that names the file and the first problem.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from . import query
from .catalog import COLOUR_PATTERN, ID_PATTERN
from .contract import check_feature_collection, positions
from .paths import PathError, confined

GEOJSON_TYPE = "application/geo+json"
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
FC_HEAD = b'{"type":"FeatureCollection","features":['
FC_TAIL = b"]}"


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


class JoinedBlob:
    """A body made of parts of other bodies (memoryviews), served part by part: every layer
    together (``/api/features``) without a second copy of the layers' bytes. Its gzip and ETag
    are computed once, part by part; ``body`` joins the parts only when asked (tests)."""

    def __init__(self, parts: Sequence):
        self.parts = list(parts)
        digest = hashlib.sha256()
        size = sum(len(p) for p in self.parts)
        packer = zlib.compressobj(_gzip_level(size), zlib.DEFLATED, 31)  # 31: a gzip stream
        out = []
        for part in self.parts:
            digest.update(part)
            out.append(packer.compress(part))
        out.append(packer.flush())
        self.gzipped = b"".join(out)
        self.etag = digest.hexdigest()[:32]
        self.length = size

    @property
    def gzip_etag(self) -> str:
        return self.etag + "-gz"

    @property
    def body(self) -> bytes:
        return b"".join(self.parts)

    def chunks(self) -> Iterable:
        return iter(self.parts)


class FeatureSlices(Sequence):
    """Each feature's bytes as a slice of its layer's body: the one copy of the bytes."""

    def __init__(self, body: bytes, offsets: list[tuple[int, int]]):
        self._body = body
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        a, b = self._offsets[i]
        return self._body[a:b]

    def views(self) -> list[memoryview]:
        view = memoryview(self._body)
        return [view[a:b] for a, b in self._offsets]


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
    features: list[dict]
    feature_bytes: Sequence[bytes]
    bboxes: list[tuple[float, float, float, float] | None]
    provinces: list[frozenset[str]]
    search: list[query.SearchEntry]
    blob: Blob
    _shapes: list | None = field(default=None, repr=False)

    @property
    def count(self) -> int:
        return len(self.features)

    def shapes(self):
        """Shapely geometries, built on first use (only bbox filtering needs them)."""
        if self._shapes is None:
            from shapely.geometry import shape

            self._shapes = [shape(f["geometry"]) if f.get("geometry") else None for f in self.features]
        return self._shapes

    def select(self, bbox: Sequence[float] | None = None, province: str | None = None,
               q: str | None = None) -> list[int]:
        """Indices of the features that pass every given filter, in layer order."""
        indices = range(len(self.features))
        if province:
            indices = [i for i in indices if province in self.provinces[i]]
        if q:
            indices = [i for i in indices if query.matches_text(self.search[i], q)]
        if bbox:
            candidates = [i for i in indices if self.bboxes[i] and query.boxes_intersect(self.bboxes[i], bbox)]
            # A feature whose extent lies inside the window intersects it: no geometry needed
            # (a full-extent query never builds the shapes).
            inside = {i for i in candidates if query.box_contains(bbox, self.bboxes[i])}
            if len(inside) < len(candidates):
                from shapely.geometry import box

                window = box(*bbox)
                shapes = self.shapes()
                candidates = [i for i in candidates
                              if i in inside or (shapes[i] is not None and shapes[i].intersects(window))]
            indices = candidates
        return list(indices)

    def subset_bytes(self, indices: Sequence[int]) -> bytes:
        return feature_collection_bytes(self.feature_bytes[i] for i in indices)


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


class Store:
    """Everything the app serves, held in memory."""

    def __init__(self, data_dir: Path, themes: list[dict], layers: dict[str, Layer],
                 locations: Blob, provinces: Blob, province_table: dict[str, str],
                 province_boxes: dict[str, tuple[float, float, float, float]] | None = None,
                 base: dict[str, Blob] | None = None, cities: list[dict] | None = None):
        self.data_dir = data_dir
        self.themes = themes
        self.layers = layers
        self.locations = locations
        self.provinces = provinces
        self.province_table = province_table
        self.province_boxes = province_boxes or {}
        self.base = {name: (base or {}).get(name) or Blob.of(EMPTY_COLLECTION) for name in BASE_LAYERS}
        self._add_hosts(cities or [])
        # Every display feature in panel order: what the page fetches when it shows most layers at once.
        self.features = _all_features(layers.values())
        self.search_entries = [e for layer in layers.values() for e in layer.search]
        for order, entry in enumerate(self.search_entries):
            entry.order = order
        self._features_by_id = {
            str(f.get("id")): (layer, i) for layer in layers.values() for i, f in enumerate(layer.features)
        }

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
        for meta in index["layers"]:
            layer_id = meta["id"]
            if layer_id in layers:
                raise DataError(f"the layer index has a missing or repeated layer id: {layer_id!r}")
            # The file is found by its id (checked above: letters, digits and '-'), never by a path
            # the index (or a request) could steer, and never through a link out of the data.
            path = _data_file(data_dir, f"layers/{layer_id}.geojson", f"layer {layer_id}")
            features = _feature_collection(path, f"layer {layer_id}")
            if check:
                _check_contract(features, path, f"layer {layer_id}")
                strays = [f["id"] for f in features if (f.get("properties") or {}).get("layer") != layer_id]
                if strays:
                    raise DataError(f"layer {layer_id} holds feature {strays[0]!r} of another layer: {path}")
            layers[layer_id] = cls._prepare_layer(layer_id, dict(meta), features)

        known = set(layers)
        themes = []
        for theme in index["themes"]:
            theme = dict(theme)
            theme["layers"] = [lid for lid in theme.get("layers") or () if lid in known]
            themes.append(theme)

        location_path = _data_file(data_dir, "locations.geojson", "locations.geojson")
        locations = _load_locations(location_path, layers, check)

        province_path = _data_file(data_dir, "base/provinces.geojson", "the province base layer")
        province_features = _feature_collection(province_path, "the province base layer")
        _check_provinces(province_features, province_path)
        provinces = Blob.of(feature_collection_bytes(dumps(f) for f in province_features))
        table = query.province_aliases((f.get("properties") or {}) for f in province_features)
        for layer in layers.values():  # names used by features count even if the base lacks them
            for names in layer.provinces:
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
            base[name] = Blob.of(feature_collection_bytes(dumps(f) for f in base_features))
        return cls(data_dir, themes, layers, locations, provinces, table, boxes, base, cities)

    def _add_hosts(self, cities: list[dict]) -> None:
        """Let search find a place by the city that hosts it (its adcode's prefecture-level unit)."""
        names: dict[str, list[str]] = {}
        for city in cities:
            props = city.get("properties") or {}
            code = str(props.get("adcode") or city.get("id") or "")
            names[code] = [str(props.get(k)) for k in ("name", "name_zh") if props.get(k)]
        if not names:
            return
        for layer in self.layers.values():
            for feature, entry in zip(layer.features, layer.search):
                # A point's one adcode (areas and lines are found by their members already).
                code = ((feature.get("properties") or {}).get("gazetteer") or {}).get("adcode")
                if not isinstance(code, str):
                    continue
                host = next((names[c] for c in host_codes(code) if c in names), [])
                for name in host:
                    entry.add_host(name)

    @staticmethod
    def _prepare_layer(layer_id: str, meta: dict, features: list[dict]) -> Layer:
        # One copy of the bytes: the layer's body; each feature is a slice of it.
        body, offsets = joined_collection([dumps(f) for f in features])
        feature_bytes = FeatureSlices(body, offsets)
        bboxes = [query.bbox_of(f.get("geometry")) for f in features]
        provinces = [frozenset(str(p) for p in (f.get("properties") or {}).get("provinces") or ()) for f in features]
        meta["count"] = len(features)
        boxes = [b for b in bboxes if b]
        if boxes and not meta.get("bbox"):
            meta["bbox"] = [min(b[0] for b in boxes), min(b[1] for b in boxes),
                            max(b[2] for b in boxes), max(b[3] for b in boxes)]
        if not meta.get("geometry_types"):
            meta["geometry_types"] = sorted({(f.get("geometry") or {}).get("type") for f in features} - {None})
        return Layer(
            id=layer_id,
            meta=meta,
            features=features,
            feature_bytes=feature_bytes,
            bboxes=bboxes,
            provinces=provinces,
            search=query.build_search_index(features),
            blob=Blob.of(body),
        )

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
            for feature in layer.features:
                for source in (feature.get("properties") or {}).get("sources") or ():
                    if isinstance(source, dict) and source.get("document") and source["document"] not in docs:
                        docs[str(source["document"])] = {
                            k: str(source[k]) for k in ("document", "title", "publisher", "date", "url")
                            if source.get(k)}
        return sorted(docs.values(), key=lambda d: (d.get("date", ""), d.get("title", ""), d["document"]))

    def places_by_document(self) -> dict[str, list[dict]]:
        """For each document key, the places that cite it (id, names, the mention), in layer order:
        what the citations page lists under each document."""
        places: dict[str, list[dict]] = {}
        for layer in self.layers.values():
            for feature in layer.features:
                props = feature.get("properties") or {}
                for source in props.get("sources") or ():
                    if isinstance(source, dict) and source.get("document"):
                        places.setdefault(str(source["document"]), []).append({
                            "id": feature.get("id"), "name": props.get("name"),
                            "name_zh": props.get("name_zh"), "mention": source.get("mention")})
        return places

    def province_names(self) -> list[str]:
        """The provinces the places lie in, by name."""
        return sorted({p for layer in self.layers.values() for names in layer.provinces for p in names})

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
                "bbox": list(layer.bboxes[i]) if layer.bboxes[i] else None,
                "center": _center(layer, i),
                "matched": {"field": field_name, "text": matched},
                "score": round(score, 1),
            })
        return results


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


def _load_locations(path: Path, layers: Mapping[str, Layer], check: bool) -> "JoinedBlob":
    """locations.geojson, checked, as a body made of the layers' own bytes where a feature is the
    same as its layer's copy (the build writes the same features to both), so the bytes are held
    once; a feature that differs is checked against the contract and kept as its own bytes."""
    by_id = {str(f.get("id")): (layer, i) for layer in layers.values() for i, f in enumerate(layer.features)}
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
        if hit is not None and hit[0].features[hit[1]] == feature and isinstance(hit[0].feature_bytes, FeatureSlices):
            layer, i = hit
            start, end = layer.feature_bytes._offsets[i]
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
    return JoinedBlob(out)


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
            start, end = fb._offsets[0][0], fb._offsets[-1][1]
            parts.append(memoryview(fb._body)[start:end])
        else:
            parts.append(b",".join(fb))
    parts.append(FC_TAIL)
    return JoinedBlob(parts)


def _center(layer: Layer, i: int) -> list[float] | None:
    """A point on the feature (inside areas), rounded like the data, for opening its popup."""
    shapes = layer.shapes()
    shape = shapes[i]
    if shape is None or shape.is_empty:
        return None
    point = shape if shape.geom_type == "Point" else shape.representative_point()
    return [round(point.x, 6), round(point.y, 6)]
