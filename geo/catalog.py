"""Read and check the place catalog (``data/catalog``): documents, themes, layers and places.

Every problem is reported with its file and entry id, all at once, so a curator can fix a
catalog in one pass. Nothing here touches the gazetteer: ``python -m geo validate`` runs these
checks alone, and the build resolves the references afterwards.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field

import yaml

from .geocoder import PlaceRef
from .provinces import PROVINCES_ZH, UnknownProvince, province_en

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
RECIPES = ("point", "site", "area", "line")
ENTRY_FIELDS = {"id", "name", "name_zh", "aliases", "layer", "provinces", "description",
                "geometry", "sources"}
REF_FIELDS = {"place", "province", "level", "country", "within"}


class CatalogError(ValueError):
    """One or more problems in the catalog; ``problems`` lists them, each with its place."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = f"the catalog has {len(problems)} problem{'s' if len(problems) != 1 else ''}:"
        super().__init__("\n".join([head] + [f"  - {p}" for p in problems]))


@dataclass(frozen=True)
class Document:
    key: str
    file: str
    title: str
    publisher: str
    date: str
    date_basis: str = ""
    sha256: str = ""  # digest of the file, so a copy can be checked without the repo holding it


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    colour: str


@dataclass(frozen=True)
class Layer:
    id: str
    theme: str
    title: str
    colour: str
    description: str
    visible: bool = True  # shown when the map opens


@dataclass(frozen=True)
class Recipe:
    kind: str  # point | site | area | line
    refs: tuple[PlaceRef, ...]
    basis: str = ""
    estimated: bool = False
    great_circle: bool = False


@dataclass(frozen=True)
class Source:
    document: str
    mention: str
    offset: int | None = None  # where the mention starts in the document (geo.sources)


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    name_zh: str
    aliases: tuple[str, ...]
    layer: str
    provinces: tuple[str, ...]
    description: str
    recipe: Recipe
    sources: tuple[Source, ...]
    file: str = ""


@dataclass
class Catalog:
    documents: dict[str, Document]
    themes: list[Theme]
    layers: list[Layer]
    entries: list[Entry] = field(default_factory=list)

    def layer(self, layer_id: str) -> Layer:
        return next(layer for layer in self.layers if layer.id == layer_id)

    def theme(self, theme_id: str) -> Theme:
        return next(theme for theme in self.themes if theme.id == theme_id)


def load_catalog(directory: str) -> Catalog:
    """Read ``documents.yaml``, ``layers.yaml`` and ``places/*.yaml`` and check them.

    Raises
    ------
    CatalogError
        Listing every problem found, each with its file and entry id.
    """
    problems: list[str] = []
    docs_raw = _read_yaml(os.path.join(directory, "documents.yaml"), problems)
    layers_raw = _read_yaml(os.path.join(directory, "layers.yaml"), problems)
    documents = _documents(docs_raw, "documents.yaml", problems)
    themes, layers = _layers(layers_raw, "layers.yaml", problems)
    layer_ids = {layer.id for layer in layers}

    entries: list[Entry] = []
    seen: dict[str, str] = {}
    place_files = sorted(glob.glob(os.path.join(directory, "places", "*.yaml")))
    if not place_files:
        problems.append(f"{os.path.join(directory, 'places')}: no *.yaml files of places")
    for path in place_files:
        name = os.path.relpath(path, directory)
        raw = _read_yaml(path, problems)
        if raw is None:
            continue
        if not isinstance(raw, list):
            problems.append(f"{name}: expected a list of entries, found {type(raw).__name__}")
            continue
        for i, item in enumerate(raw):
            entry = _entry(item, name, i, documents, layer_ids, problems)
            if entry is None:
                continue
            if entry.id in seen:
                problems.append(f"{name}: entry {entry.id!r}: duplicate id "
                                f"(also in {seen[entry.id]})")
                continue
            seen[entry.id] = name
            entries.append(entry)
    if problems:
        raise CatalogError(problems)
    return Catalog(documents, themes, layers, entries)


# -- pieces ---------------------------------------------------------------------------------


def _read_yaml(path: str, problems: list[str]):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        problems.append(f"{path}: file not found")
    except OSError as exc:
        problems.append(f"{path}: cannot read: {exc.strerror or exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.append(f"{path}:{where} not valid YAML: {getattr(exc, 'problem', exc)}")
    return None


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _documents(raw, where: str, problems: list[str]) -> dict[str, Document]:
    if raw is None:
        return {}
    docs = raw.get("documents") if isinstance(raw, dict) else None
    if not isinstance(docs, dict) or not docs:
        problems.append(f"{where}: expected a mapping 'documents' of key -> document")
        return {}
    out = {}
    for key, d in docs.items():
        if not isinstance(d, dict):
            problems.append(f"{where}: document {key!r}: expected a mapping")
            continue
        missing = [f for f in ("file", "title", "publisher", "date") if not _text(str(d.get(f, "")))]
        if missing:
            problems.append(f"{where}: document {key!r}: missing {', '.join(missing)}")
            continue
        digest = d.get("sha256", "")
        if digest and not (isinstance(digest, str) and SHA256_PATTERN.match(digest)):
            problems.append(f"{where}: document {key!r}: sha256 must be 64 lower-case hex "
                            f"digits, found {digest!r}")
            continue
        out[key] = Document(key, str(d["file"]), str(d["title"]), str(d["publisher"]),
                            str(d["date"]), str(d.get("date_basis", "")), digest or "")
    return out


def _layers(raw, where: str, problems: list[str]) -> tuple[list[Theme], list[Layer]]:
    if raw is None:
        return [], []
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected 'themes' and 'layers'")
        return [], []
    themes, layers = [], []
    for t in raw.get("themes") or []:
        if not (isinstance(t, dict) and all(_text(t.get(k)) for k in ("id", "title", "colour"))):
            problems.append(f"{where}: theme {t!r}: needs id, title and colour")
            continue
        if not COLOUR_PATTERN.match(t["colour"]):
            problems.append(f"{where}: theme {t['id']!r}: colour {t['colour']!r} is not #rrggbb")
        themes.append(Theme(t["id"], t["title"], t["colour"]))
    theme_ids = {t.id for t in themes}
    seen = set()
    for item in raw.get("layers") or []:
        keys = ("id", "theme", "title", "colour", "description")
        if not (isinstance(item, dict) and all(_text(item.get(k)) for k in keys)):
            problems.append(f"{where}: layer {item!r}: needs {', '.join(keys)}")
            continue
        lid = item["id"]
        if not ID_PATTERN.match(lid):
            problems.append(f"{where}: layer {lid!r}: id must be lower-case words joined by '-'")
        if lid in seen:
            problems.append(f"{where}: layer {lid!r}: duplicate layer id")
        seen.add(lid)
        if item["theme"] not in theme_ids:
            problems.append(f"{where}: layer {lid!r}: unknown theme {item['theme']!r}")
        if not COLOUR_PATTERN.match(item["colour"]):
            problems.append(f"{where}: layer {lid!r}: colour {item['colour']!r} is not #rrggbb")
        visible = item.get("visible", True)
        if not isinstance(visible, bool):
            problems.append(f"{where}: layer {lid!r}: visible must be true or false")
        layers.append(Layer(lid, item["theme"], item["title"], item["colour"],
                            item["description"], bool(visible)))
    if not layers:
        problems.append(f"{where}: no layers defined")
    return themes, layers


def _entry(item, where: str, index: int, documents: dict, layer_ids: set,
           problems: list[str]) -> Entry | None:
    if not isinstance(item, dict):
        problems.append(f"{where}: entry #{index + 1}: expected a mapping, found {item!r}")
        return None
    eid = item.get("id")
    label = f"{where}: entry {eid!r}" if _text(eid) else f"{where}: entry #{index + 1}"
    before = len(problems)
    if not _text(eid):
        problems.append(f"{label}: missing id")
    elif not ID_PATTERN.match(eid):
        problems.append(f"{label}: id must be lower-case letters, digits and '-'")
    unknown = set(item) - ENTRY_FIELDS
    if unknown:
        problems.append(f"{label}: unknown field(s) {', '.join(sorted(unknown))}")
    for key in ("name", "description"):
        if not _text(item.get(key)):
            problems.append(f"{label}: missing {key}")
    # The Chinese name is required as a field but may be empty where no source confirms it.
    if not isinstance(item.get("name_zh"), str):
        problems.append(f"{label}: missing name_zh (write \"\" where no source gives it)")
    aliases = item.get("aliases", [])
    if not (isinstance(aliases, list) and all(_text(a) for a in aliases)):
        problems.append(f"{label}: aliases must be a list of names")
        aliases = []
    layer = item.get("layer")
    if layer not in layer_ids:
        problems.append(f"{label}: unknown layer {layer!r} (layers.yaml has: "
                        f"{', '.join(sorted(layer_ids))})")
    provinces = item.get("provinces")
    if not (isinstance(provinces, list) and provinces):
        problems.append(f"{label}: provinces must be a non-empty list")
        provinces = []
    checked = []
    for p in provinces:
        try:
            checked.append(province_en(str(p)))
        except UnknownProvince:
            problems.append(f"{label}: unknown province {p!r}")
    sources = _sources(item.get("sources"), label, documents, problems)
    recipe = _recipe(item.get("geometry"), label, problems)
    if len(problems) > before:
        return None
    return Entry(eid, item["name"].strip(), item["name_zh"].strip(),
                 tuple(a.strip() for a in aliases), layer, tuple(checked),
                 " ".join(item["description"].split()), recipe, sources, where)


def _sources(raw, label: str, documents: dict, problems: list[str]) -> tuple[Source, ...]:
    if not (isinstance(raw, list) and raw):
        problems.append(f"{label}: missing sources (at least one document and mention)")
        return ()
    out = []
    for s in raw:
        if not isinstance(s, dict):
            problems.append(f"{label}: source {s!r}: expected document and mention")
            continue
        doc, mention = s.get("document"), s.get("mention")
        if doc not in documents:
            problems.append(f"{label}: source names unknown document {doc!r} "
                            f"(documents.yaml has: {', '.join(sorted(documents))})")
        if not _text(mention):
            problems.append(f"{label}: source {doc!r} has no mention (the name as written)")
        offset = s.get("offset")
        if offset is not None and (isinstance(offset, bool) or not isinstance(offset, int)
                                   or offset < 0):
            problems.append(f"{label}: source {doc!r}: offset must be a whole number of "
                            f"characters from the start of the document, found {offset!r}")
            offset = None
        out.append(Source(str(doc), " ".join(str(mention).split()), offset))
    return tuple(out)


def _recipe(raw, label: str, problems: list[str]) -> Recipe | None:
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in RECIPES:
        problems.append(f"{label}: geometry must be exactly one of {', '.join(RECIPES)}")
        return None
    kind, body = next(iter(raw.items()))
    if kind == "point":
        ref = _ref(body, f"{label}: point", problems)
        return Recipe(kind, (ref,)) if ref else None
    if not isinstance(body, dict):
        problems.append(f"{label}: {kind} must be a mapping")
        return None
    basis = body.get("basis")
    if not _text(basis):
        problems.append(f"{label}: {kind} needs a basis (the public source for it, in words)")
    if kind == "site":
        ref = _ref(body.get("host"), f"{label}: site host", problems)
        refs = (ref,) if ref else ()
    else:
        key, least = ("members", 1) if kind == "area" else ("through", 2)
        items = body.get(key)
        if not (isinstance(items, list) and len(items) >= least):
            problems.append(f"{label}: {kind} needs '{key}': a list of at least {least} places")
            return None
        refs = tuple(ref for i, item in enumerate(items)
                     if (ref := _ref(item, f"{label}: {key}[{i}]", problems)))
        if len(refs) != len(items):
            return None
    return Recipe(kind, refs, " ".join(str(basis or "").split()),
                  bool(body.get("estimated", False)), bool(body.get("great_circle", False)))


def _ref(raw, label: str, problems: list[str]) -> PlaceRef | None:
    if not isinstance(raw, dict):
        problems.append(f"{label}: expected {{place, province}}, found {raw!r}")
        return None
    unknown = set(raw) - REF_FIELDS
    if unknown:
        problems.append(f"{label}: unknown field(s) {', '.join(sorted(unknown))}")
        return None
    place, province = raw.get("place"), raw.get("province")
    level, country = raw.get("level"), str(raw.get("country", "CN")).upper()
    if level is not None and level not in ("province", "prefecture", "county"):
        problems.append(f"{label}: level {level!r} is not province, prefecture or county")
        return None
    if country != "CN":
        if (not re.fullmatch(r"[A-Z]{2}", country) or not _text(place) or province
                or raw.get("within") is not None):
            problems.append(f"{label}: a place outside China needs 'place' and a two-letter "
                            "'country', and no province or 'within'")
            return None
        return PlaceRef(str(place), None, None, country)
    if not _text(province):
        problems.append(f"{label}: {place!r} needs a province")
        return None
    if province not in PROVINCES_ZH and province not in PROVINCES_ZH.values():
        problems.append(f"{label}: unknown province {province!r}")
        return None
    if place is not None and not _text(place):
        problems.append(f"{label}: empty place name")
        return None
    within = raw.get("within")
    if within is not None and not (_text(within) and _text(place)):
        problems.append(f"{label}: 'within' needs a place and the name of the unit holding it")
        return None
    return PlaceRef(place.strip() if place else None, province, level, "CN",
                    within.strip() if within else None)
