"""The build: catalog -> geocoded, themed GeoJSON layers, written all at once.

Outputs (under the output directory, normally ``data/``):

* ``locations.geojson`` — every feature, the contract documented in the README;
* ``layers/<layer>.geojson`` — one FeatureCollection per layer, and ``layers/index.json``;
* ``base/provinces.geojson`` — province outlines, the offline base layer;
* ``base/cities.geojson``, ``base/rivers.geojson``, ``base/lakes.geojson`` — the offline base's
  prefecture-level cities, major rivers and lakes (``geo.basemap``).

Nothing is written until every entry has resolved and every geometry is built, so a failing
build leaves the previous outputs exactly as they were.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import shapely

from . import areas, basemap, export, features, sources
from .catalog import Catalog, load_catalog
from .gazetteer import Gazetteer, GazetteerError
from .geocoder import GeocodeError, Geocoder, Match
from .provinces import province_en

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(os.path.dirname(HERE), "data")
CATALOG_DIR = os.path.join(DATA_DIR, "catalog")


class BuildError(RuntimeError):
    """The build stopped; ``problems`` names each catalog entry at fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = (f"build stopped: {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
                "previous outputs left untouched")
        super().__init__("\n".join([head] + [f"  - {p}" for p in problems]))


@dataclass
class BuildResult:
    features: list[dict]
    outputs: dict[str, bytes]
    stats: dict = field(default_factory=dict)


def _stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def resolve(catalog: Catalog, geocoder: Geocoder) -> dict[str, list[Match]]:
    """Resolve every place reference of every entry; collect all failures, then raise."""
    resolved, problems = {}, []
    for entry in catalog.entries:
        matches = []
        for ref in entry.recipe.refs:
            try:
                matches.append(geocoder.geocode(ref))
            except GeocodeError as exc:
                problems.append(f"{entry.file}: entry {entry.id!r}: {exc}")
        if entry.recipe.kind == "area":
            for m in matches:
                if m.unit is None:
                    problems.append(f"{entry.file}: entry {entry.id!r}: area member "
                                    f"{m.ref.describe()} is a populated place, not an "
                                    "administrative unit with a boundary")
        resolved[entry.id] = matches
    if problems:
        raise BuildError(problems)
    return resolved


def check_sources(catalog: Catalog, documents_dir: str | None,
                  progress: Callable[[str], None]) -> None:
    """Check digests and mention offsets where the source documents are present."""
    if not documents_dir or not os.path.isdir(documents_dir):
        progress(f"source documents not found at {documents_dir}: mentions and digests are "
                 "checked only for form (the verbatim checks need the documents)")
        return
    problems, notes = sources.check_documents(catalog, documents_dir)
    for note in notes:
        progress(note)
    if problems:
        raise BuildError(problems)


def build(catalog_dir: str = CATALOG_DIR, gazetteer: Gazetteer | None = None,
          progress: Callable[[str], None] = _stderr_progress,
          documents_dir: str | None = sources.DOCUMENTS_DIR) -> BuildResult:
    """Build every output in memory (nothing is written here).

    Where the source documents are present (``documents_dir``), every mention must stand at its
    recorded offset and every document must have its recorded digest, or the build stops.
    """
    started = time.perf_counter()

    def step(message: str):
        progress(f"[{time.perf_counter() - started:6.1f}s] {message}")

    step(f"reading catalog {catalog_dir}")
    catalog = load_catalog(catalog_dir)
    check_sources(catalog, documents_dir, step)
    step(f"catalog: {len(catalog.entries)} entries in {len(catalog.layers)} layers; "
         "loading gazetteer")
    try:
        gazetteer = gazetteer or Gazetteer.from_packages()
    except GazetteerError as exc:
        raise BuildError([f"gazetteer: {exc}"]) from exc
    geocoder = Geocoder(gazetteer)
    step(f"gazetteer: {len(gazetteer.units)} units, {len(gazetteer.places)} places; geocoding")
    resolved = resolve(catalog, geocoder)

    members_by_area = {e.id: [m.unit for m in resolved[e.id]]
                       for e in catalog.entries if e.recipe.kind == "area"}
    province_areas, county_areas, county_provinces = areas.plan_areas(gazetteer, members_by_area)
    step("boundaries: province coverage (base layer and province-made areas)")
    try:
        pcov = areas.province_coverage(gazetteer)
        county_codes = [c for codes in county_areas.values() for c in codes]
        step(f"boundaries: {len(set(county_codes))} county-level units in "
             f"{len(county_provinces)} provinces")
        ccov = (areas.county_coverage(gazetteer, county_codes) if county_areas
                else areas.Coverage())
    except GazetteerError as exc:
        raise BuildError([f"gazetteer: {exc}"]) from exc

    step("building features")
    feats = []
    problems = []
    for entry in catalog.entries:
        matches = resolved[entry.id]
        kind = entry.recipe.kind
        members: list[dict] = []
        if kind in ("point", "site"):
            match = matches[0]
            unit_area = (gazetteer.boundary(match.unit.adcode) if match.level == "county"
                         else None)
            recipe = features.point_geometry if kind == "point" else features.site_geometry
            geom, precision, basis = recipe(entry, match, unit_area)
            ids = match.gazetteer
        elif kind == "line":
            geom, precision, basis = features.line_geometry(entry, matches)
            members = [features.member_record(m) for m in matches]
            ids = {"geonameids": [m.place.geonameid for m in matches if m.place],
                   "adcodes": [m.unit.adcode for m in matches if m.unit]}
        else:
            geom = (pcov.union(province_areas[entry.id]) if entry.id in province_areas
                    else ccov.union(county_areas[entry.id]))
            precision = features.area_precision(entry, matches)
            basis = features.area_basis(entry, matches)
            members = [features.member_record(m) for m in matches]
            ids = {"adcodes": [m.unit.adcode for m in matches]}
        geom = features.clean_geometry(geom)
        if geom.is_empty or not geom.is_valid:
            problems.append(f"{entry.file}: entry {entry.id!r}: built geometry is "
                            f"{'empty' if geom.is_empty else 'invalid'}")
            continue
        feats.append(features.feature(catalog, entry, export.geometry_json(geom), precision,
                                      basis, ids, members))
    if problems:
        raise BuildError(problems)

    step("serialising layers")
    outputs: dict[str, bytes] = {"locations.geojson": export.dumps(export.feature_collection(feats))}
    index = {"themes": [], "layers": []}
    for theme in catalog.themes:
        index["themes"].append({"id": theme.id, "title": theme.title, "colour": theme.colour,
                                "layers": [l.id for l in catalog.layers if l.theme == theme.id]})
    for layer in catalog.layers:
        layer_feats = [f for f in feats if f["properties"]["layer"] == layer.id]
        rel = f"layers/{layer.id}.geojson"
        outputs[rel] = export.dumps(export.feature_collection(layer_feats))
        index["layers"].append({
            "id": layer.id, "title": layer.title, "theme": layer.theme,
            "description": layer.description, "colour": layer.colour,
            "visible": layer.visible,
            "geometry_types": sorted({f["geometry"]["type"] for f in layer_feats}),
            "count": len(layer_feats), "bbox": export.bounds(layer_feats), "file": rel})
    outputs["layers/index.json"] = export.dumps(index)
    province_base = _province_base(gazetteer, pcov)
    outputs["base/provinces.geojson"] = export.dumps(province_base)
    step("offline base: cities, rivers, lakes")
    # Rivers and lakes within the provinces' extent (none without provinces).
    window = export.bounds(province_base["features"])
    try:
        outputs["base/cities.geojson"] = export.dumps(export.feature_collection(
            basemap.city_features(gazetteer, geocoder)))
        outputs["base/rivers.geojson"] = export.dumps(export.feature_collection(
            basemap.river_features(window) if window else []))
        outputs["base/lakes.geojson"] = export.dumps(export.feature_collection(
            basemap.lake_features(window) if window else []))
    except GazetteerError as exc:
        raise BuildError([f"offline base: {exc}"]) from exc

    stats = {
        "entries": len(catalog.entries), "features": len(feats), "layers": len(catalog.layers),
        "province_vertices": [pcov.vertices_before, pcov.vertices_after],
        "county_vertices": [ccov.vertices_before, ccov.vertices_after],
        "county_provinces": len(county_provinces),
        "seconds": round(time.perf_counter() - started, 2),
    }
    step(f"built {len(feats)} features in {stats['seconds']} s")
    return BuildResult(feats, outputs, stats)


def _province_base(gazetteer: Gazetteer, pcov: areas.Coverage) -> dict:
    feats = []
    for unit in sorted((u for u in gazetteer.units if u.level == "province"),
                       key=lambda u: u.adcode):
        # A backdrop simplified to ~2 km needs no more than 3 decimals (~100 m).
        geom = features.clean_geometry(pcov.geometries[unit.adcode], decimals=3)
        if geom.is_empty:
            continue
        feats.append({"type": "Feature", "id": unit.adcode,
                      "geometry": export.geometry_json(geom),
                      "properties": {"adcode": unit.adcode, "name_zh": unit.name_zh,
                                     "name": province_en(unit.province_zh)}})
    return export.feature_collection(feats)


def build_and_write(catalog_dir: str = CATALOG_DIR, out_dir: str = DATA_DIR,
                    gazetteer: Gazetteer | None = None,
                    progress: Callable[[str], None] = _stderr_progress) -> BuildResult:
    """Build, then write every output at once (see :func:`geo.export.write_outputs`)."""
    result = build(catalog_dir, gazetteer, progress)
    export.write_outputs(out_dir, result.outputs, prune={"layers": ".geojson"}, on_wait=progress)
    sizes = {rel: len(data) for rel, data in result.outputs.items()}
    result.stats["bytes"] = sizes
    progress(f"wrote {len(sizes)} files to {out_dir} "
             f"(locations.geojson {sizes['locations.geojson']:,} bytes)")
    return result


def shapely_versions() -> str:
    return f"shapely {shapely.__version__}, GEOS {'.'.join(map(str, shapely.geos_version))}"
