"""Resolve place references against a gazetteer, always within a province.

Romanised names recur across China (there are Luoyangs in six provinces and Taiyuans in three), so
a reference inside China must carry its province, and only places in that province are candidates.
Population never decides between places. Within the province an administrative unit's seat
outranks a village of the same romanised name; two different units that both fit are an error that
lists them.

A unit's seat is the GeoNames record carrying its full Chinese name (宜昌市). Many county seats are
only in GeoNames' 500-level records and carry the short name alone (新郑, 原阳) or only the
romanised name as an alternate (Changleng, listed as 'Xinjian'); such a record is taken as the seat
only when it lies inside the unit's boundary, is no other unit's full-name seat, and is the single
best candidate (see :meth:`Geocoder.seat`).

The gazetteer is passed in (a provider, as in geopandas' geocoding tools), so tests run on small
in-memory gazetteers with no network and no package data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache

import shapely

from .contract import PRECISION_LABELS  # noqa: F401  (the codes are part of the contract)
from .gazetteer import AdminUnit, Gazetteer, Place, ascii_key, is_chinese, zh_short
from .provinces import UnknownProvince, province_en, province_zh

# IATI GeographicalPrecision for each kind of match (see README, "Precision").
PRECISION_BY_LEVEL = {"place": 1, "county": 2, "prefecture": 3, "province": 4}
# How far outside a unit's (simplified) boundary a seat record may lie, in degrees (~1 km).
SEAT_TOLERANCE_DEG = 0.01
LEVEL_WORDS = {"province": "province", "prefecture": "prefecture-level unit",
               "county": "county-level unit", "place": "populated place"}


@dataclass(frozen=True)
class PlaceRef:
    """A reference to a place as a catalog writes it.

    Parameters
    ----------
    place : str or None
        English (GeoNames) or Chinese (administrative) name; None with a province alone means
        the province itself.
    province : str or None
        English or Chinese province name; required inside China.
    level : {"province", "prefecture", "county"} or None
        Restricts the match where a name exists at two levels.
    country : str
        ISO 3166 alpha-2 code; places outside China are looked up by name in that country.
    within : str or None
        An administrative unit of the same province (Chinese or English name) that the place
        lies in: it picks one town among same-named ones (新港 of 繁昌区, not of 柴桑区).
    """

    place: str | None = None
    province: str | None = None
    level: str | None = None
    country: str = "CN"
    within: str | None = None

    def describe(self) -> str:
        parts = [repr(self.place) if self.place else "(whole province)"]
        if self.country != "CN":
            parts.append(f"in {self.country}")
        elif self.province:
            parts.append(f"in {self.province}")
        if self.within:
            parts.append(f"within {self.within!r}")
        if self.level:
            parts.append(f"at {self.level} level")
        return " ".join(parts)


@dataclass(frozen=True)
class Match:
    """One resolved place: a point, its precision, its gazetteer ids and the basis in words."""

    ref: PlaceRef
    name: str
    name_zh: str
    level: str  # province | prefecture | county | place
    province: str | None  # English
    lon: float
    lat: float
    precision: int
    basis: str
    unit: AdminUnit | None = None
    place: Place | None = None

    @property
    def gazetteer(self) -> dict:
        ids = {}
        if self.place is not None:
            ids["geonameid"] = self.place.geonameid
        if self.unit is not None:
            ids["adcode"] = self.unit.adcode
        return ids

    def summary(self) -> str:
        ids = ", ".join(f"{k} {v}" for k, v in self.gazetteer.items())
        where = self.province or (self.place.country if self.place else "")
        label = " / ".join(n for n in (self.name, self.name_zh) if n)
        return (f"{label} ({LEVEL_WORDS[self.level]}, {where}; {ids}) at "
                f"{self.lon:.5f}, {self.lat:.5f}, precision {self.precision}")


class GeocodeError(LookupError):
    """A reference that does not resolve to exactly one place."""

    def __init__(self, ref: PlaceRef, message: str, candidates: list[Match] | None = None):
        self.ref = ref
        self.candidates = candidates or []
        lines = [message]
        lines += [f"  - {c.summary()}" for c in self.candidates]
        super().__init__("\n".join(lines))


class UnknownPlace(GeocodeError):
    pass


class AmbiguousPlace(GeocodeError):
    pass


@dataclass
class Geocoder:
    """Province-aware geocoder over a :class:`~geo.gazetteer.Gazetteer`."""

    gazetteer: Gazetteer
    _points: dict = field(default_factory=dict, repr=False)
    _seats: dict = field(default_factory=dict, repr=False)
    _claimed: set | None = field(default=None, repr=False)
    _by_romanised: dict | None = field(default=None, repr=False)

    # -- public API ------------------------------------------------------------------------

    def geocode(self, ref: PlaceRef) -> Match:
        """The single place ``ref`` names; :class:`GeocodeError` otherwise."""
        found = self.candidates(ref)
        if not found:
            raise UnknownPlace(ref, f"no place {ref.describe()} in the gazetteer"
                               + self._hint(ref))
        if len(found) > 1:
            raise AmbiguousPlace(
                ref, f"{ref.describe()} is ambiguous: {len(found)} candidates "
                     "(add 'level' or use the Chinese name)", found)
        return found[0]

    def candidates(self, ref: PlaceRef) -> list[Match]:
        """Every place that fits ``ref``, at most one per administrative unit."""
        if ref.level is not None and ref.level not in PRECISION_BY_LEVEL:
            raise GeocodeError(ref, f"unknown level {ref.level!r}: use province, prefecture "
                                    "or county")
        if ref.country != "CN":
            return self._foreign(ref)
        if not ref.province:
            raise GeocodeError(ref, f"{ref.describe()}: a place in China needs its province")
        try:
            prov = province_zh(ref.province)
        except UnknownProvince as exc:
            raise GeocodeError(ref, str(exc)) from None
        if not ref.place or (ref.level == "province" and ref.place in (ref.province, prov)):
            return [self._unit_match(ref, self.gazetteer.province_unit(prov))]
        found = self._chinese(ref, prov) if is_chinese(ref.place) else self._english(ref, prov)
        return self._within(ref, found) if ref.within else found

    def _within(self, ref: PlaceRef, found: list[Match]) -> list[Match]:
        """The candidates that lie inside the unit ``ref.within`` names."""
        container = self.geocode(PlaceRef(ref.within, ref.province))
        if container.unit is None or container.level == "province":
            raise GeocodeError(ref, f"{ref.describe()}: 'within' must name a prefecture or "
                                    f"county of the province; {ref.within!r} is "
                                    f"{LEVEL_WORDS[container.level]}")
        boundary = self.gazetteer.boundary(container.unit.adcode)
        where = (f" It lies in {container.unit.name_zh} ({LEVEL_WORDS[container.level]}, "
                 f"adcode {container.unit.adcode}).")
        return [replace(m, basis=m.basis + where) for m in found
                if shapely.dwithin(boundary, shapely.Point(m.lon, m.lat), SEAT_TOLERANCE_DEG)]

    # -- lookups ---------------------------------------------------------------------------

    def _chinese(self, ref: PlaceRef, prov: str) -> list[Match]:
        gz = self.gazetteer

        def in_scope(units):
            return [u for u in units if u.province_zh == prov
                    and (ref.level is None or u.level == ref.level)]

        units = in_scope(gz.units_by_name.get(ref.place, ()))
        if not units:  # 荆州 -> 荆州市 and 荆州区: the short form may well be ambiguous
            units = in_scope(gz.units_by_short.get(zh_short(ref.place), ()))
        if units:
            units = _prefer_city_over_its_districts(
                _prefer_city_of_municipality(_one_per_adcode(units), ref))
            return [self._unit_match(ref, u) for u in units]
        if ref.level is not None:
            return []
        admin1 = gz.admin1_of_province.get(prov)
        found: dict[int, Place] = {}
        for name in _town_forms(ref.place):
            for p in gz.places_by_zh.get(name, ()):
                if p.country == "CN" and p.admin1 == admin1:
                    found.setdefault(p.geonameid, p)
        return [self._place_match(ref, p, prov) for p in found.values()]

    def _english(self, ref: PlaceRef, prov: str) -> list[Match]:
        gz = self.gazetteer
        admin1 = gz.admin1_of_province.get(prov)
        key = ascii_key(ref.place)
        places = [p for p in gz.places_by_key.get(key, ())
                  if p.country == "CN" and p.admin1 == admin1]
        # A record whose own name is the one asked for outranks records that merely list it
        # among alternate names (GeoNames files the old Taiyuan county seat, now 晋源区, as
        # 'Jinyuan' with 'Taiyuan' as an alternate).
        primary = [p for p in places if ascii_key(p.name) == key]
        linked = self._link(primary, prov, ref.level)
        if not linked and len(primary) < len(places):
            # No record named so is a unit's seat: an alternate-named record may be (GeoNames
            # files Xinjian District's seat as 'Changleng'), and a seat outranks a village.
            linked = self._link(places, prov, ref.level)
        if linked:
            units = _prefer_city_over_its_districts(
                _prefer_city_of_municipality([u for u, _ in linked.values()], ref))
            return [self._unit_match(ref, u, p) for u, p in linked.values() if u in units]
        if ref.level is not None:
            return []
        return [self._place_match(ref, p, prov) for p in (primary or places)]

    def _link(self, places: list[Place], prov: str, level: str | None
              ) -> dict[str, tuple[AdminUnit, Place]]:
        """The units in ``prov`` whose seat is one of ``places``, keyed by adcode."""
        gz = self.gazetteer
        linked: dict[str, tuple[AdminUnit, Place]] = {}
        for place in places:
            units = [u for name in place.names_zh for u in gz.units_by_name.get(name, ())
                     if u.province_zh == prov and (level is None or u.level == level)]
            if not units:
                # A 500-level record that is the seat of a unit by its short or romanised name
                units = [u for u in self._named_like(place, prov)
                         if (level is None or u.level == level) and self.seat_place(u) is place]
            for unit in _one_per_adcode(units):
                # Several GeoNames records for one unit: the seat is the most populous of them.
                best = linked.get(unit.adcode)
                if best is None or place.population > best[1].population:
                    linked[unit.adcode] = (unit, place)
        return linked

    def _named_like(self, place: Place, prov: str) -> list[AdminUnit]:
        """Units of ``prov`` whose short Chinese name or romanised name the record carries."""
        gz = self.gazetteer
        if self._by_romanised is None:
            index: dict[tuple[str, str], list[AdminUnit]] = {}
            for unit in gz.units:
                if unit.level != "province":
                    key = (unit.province_zh, ascii_key(pinyin_name(zh_short(unit.name_zh))))
                    index.setdefault(key, []).append(unit)
            self._by_romanised = index
        units = [u for name in place.names_zh for u in gz.units_by_short.get(name, ())
                 if u.province_zh == prov and u.level != "province"]
        keys = {ascii_key(place.name)} | {ascii_key(n) for n in place.names_ascii}
        units += [u for k in keys for u in self._by_romanised.get((prov, k), ())]
        return _one_per_adcode(units)

    def _foreign(self, ref: PlaceRef) -> list[Match]:
        places = [p for p in self.gazetteer.places_by_key.get(ascii_key(ref.place or ""), ())
                  if p.country == ref.country.upper()]
        return [Match(ref, p.name, "", "place", None, p.lon, p.lat, PRECISION_BY_LEVEL["place"],
                      f"GeoNames {p.geonameid} '{p.name}' ({p.country}), matched by name",
                      place=p) for p in places]

    # -- building matches ------------------------------------------------------------------

    def seat_place(self, unit: AdminUnit) -> Place | None:
        """The GeoNames record for a unit's seat (None where GeoNames has none)."""
        return self.seat(unit)[0]

    def seat(self, unit: AdminUnit) -> tuple[Place | None, str]:
        """The GeoNames record for a unit's seat, and how it was recognised.

        ``how`` is ``"full"`` (the record carries the unit's full Chinese name, 宜昌市),
        ``"short"`` (its short name, 新郑, and it lies in the unit), ``"romanised"`` (the unit's
        name in pinyin among its alternate names, and it lies in the unit) or ``""`` (none).

        The short and romanised forms are common village names, so such a record counts only
        when it lies inside the unit's boundary, is not already another unit's full-name seat
        (新乡市's record also lists 'Hsin-hsiang-hsien', the county of the same name), and is the
        single best candidate: a Chinese-name match before a romanised one, then the more
        populous; a tie is no seat at all.
        """
        if unit.adcode in self._seats:
            return self._seats[unit.adcode]
        gz = self.gazetteer
        admin1 = gz.admin1_of_province.get(unit.province_zh)
        seats = [p for p in gz.places_by_zh.get(unit.name_zh, ())
                 if p.country == "CN" and p.admin1 == admin1]
        if seats:
            found = (max(seats, key=lambda p: p.population), "full")
        elif unit.level == "province" or admin1 is None or gz.boundary_loader is None:
            found = (None, "")
        else:
            found = self._seat_in_boundary(unit, admin1)
        self._seats[unit.adcode] = found
        return found

    def _seat_in_boundary(self, unit: AdminUnit, admin1: str) -> tuple[Place | None, str]:
        gz = self.gazetteer
        short = zh_short(unit.name_zh)
        claimed = self._full_name_seats()
        tiers: dict[int, tuple[int, Place]] = {}
        for p in gz.places_by_zh.get(short, ()):
            tiers.setdefault(p.geonameid, (0, p))
        for p in gz.places_by_key.get(ascii_key(pinyin_name(short)), ()):
            tiers.setdefault(p.geonameid, (1, p))
        candidates = [(tier, p) for tier, p in tiers.values()
                      if p.country == "CN" and p.admin1 == admin1 and p.geonameid not in claimed]
        if not candidates:
            return None, ""
        boundary = gz.boundary(unit.adcode)
        inside = [(tier, p) for tier, p in candidates
                  if shapely.dwithin(boundary, shapely.Point(p.lon, p.lat), SEAT_TOLERANCE_DEG)]
        if not inside:
            return None, ""
        inside.sort(key=lambda c: (c[0], -c[1].population, c[1].geonameid))
        (tier, best), rest = inside[0], inside[1:]
        if rest and (rest[0][0], rest[0][1].population) == (tier, best.population):
            return None, ""  # two equally good records: no ground to choose
        return best, ("short", "romanised")[tier]

    def _full_name_seats(self) -> set[int]:
        """GeoNames ids of every record that carries some unit's full Chinese name."""
        if self._claimed is None:
            gz = self.gazetteer
            claimed = set()
            for name, units in gz.units_by_name.items():
                codes = {gz.admin1_of_province.get(u.province_zh) for u in units}
                claimed |= {p.geonameid for p in gz.places_by_zh.get(name, ())
                            if p.country == "CN" and p.admin1 in codes}
            self._claimed = claimed
        return self._claimed

    def _unit_match(self, ref: PlaceRef, unit: AdminUnit, place: Place | None = None) -> Match:
        prov_en = province_en(unit.province_zh)
        level_words = LEVEL_WORDS[unit.level]
        how = ""
        if unit.level != "province":
            seat, how = self.seat(unit)
            if place is None or place is seat:
                place = seat
            else:
                how = "full"  # linked by one of its Chinese names, which is the unit's
        # A seat recognised by its short or romanised name may be filed under its own town's
        # name (天门市's seat is 'Jingling'): only a full-name seat lends the unit its name.
        name = unit_name_en(unit, place, own_name=how == "full")
        if place is not None:
            why = {"full": f"which carries the Chinese name {unit.name_zh}",
                   "short": f"which carries the short name {zh_short(unit.name_zh)} and lies "
                            "in the unit",
                   "romanised": f"which lies in the unit and lists its romanised name "
                                f"'{pinyin_name(zh_short(unit.name_zh))}' among its alternate "
                                "names"}[how]
            basis = (f"Seat of {unit.name_zh} ({level_words}, {prov_en}, adcode {unit.adcode}): "
                     f"GeoNames {place.geonameid} '{place.name}', {why}.")
            lon, lat = place.lon, place.lat
        else:
            lon, lat = self._interior_point(unit.adcode)
            basis = (f"Interior point of the boundary of {unit.name_zh} ({level_words}, "
                     f"{prov_en}, adcode {unit.adcode}); GeoNames has no record for its seat.")
        precision = PRECISION_BY_LEVEL[unit.level]
        if place is None and unit.level == "county":
            # An interior point of a large county can be far more than 25 km from its seat:
            # all that is certain is that the place lies in the county, hence in a prefecture.
            precision = PRECISION_BY_LEVEL["prefecture"]
        return Match(ref, name, unit.name_zh, unit.level, prov_en, lon, lat,
                     precision, basis, unit=unit, place=place)

    def _place_match(self, ref: PlaceRef, place: Place, prov: str) -> Match:
        zh = place.names_zh[0] if place.names_zh else ""
        basis = (f"GeoNames {place.geonameid} '{place.name}', a populated place in "
                 f"{province_en(prov)} that is not the seat of an administrative unit.")
        return Match(ref, place.name, zh, "place", province_en(prov), place.lon, place.lat,
                     PRECISION_BY_LEVEL["place"], basis, place=place)

    def _interior_point(self, adcode: str) -> tuple[float, float]:
        """Centre of the largest circle inside the unit: always inside, unlike a centroid."""
        if adcode not in self._points:
            geom = self.gazetteer.boundary(adcode)
            parts = getattr(geom, "geoms", [geom])
            largest = max(parts, key=lambda g: g.area)
            centre = shapely.get_point(shapely.maximum_inscribed_circle(largest, 1e-4), 0)
            self._points[adcode] = (round(centre.x, 6), round(centre.y, 6))
        return self._points[adcode]

    def _hint(self, ref: PlaceRef) -> str:
        """Where else the name exists, to help a curator who gave the wrong province."""
        gz = self.gazetteer
        if not ref.place:
            return ""
        if is_chinese(ref.place):
            units = gz.units_by_name.get(ref.place) or gz.units_by_short.get(
                zh_short(ref.place), [])
            where = sorted({f"{u.name_zh} ({province_en(u.province_zh)}, {u.level})"
                            for u in units})
        else:
            codes = {v: k for k, v in gz.admin1_of_province.items()}
            where = sorted({f"{p.name} ({province_en(codes[p.admin1])})"
                            for p in gz.places_by_key.get(ascii_key(ref.place), ())
                            if p.country == "CN" and p.admin1 in codes})
        if not where:
            return ""
        more = f" and {len(where) - 8} more" if len(where) > 8 else ""
        return "; the name exists in: " + ", ".join(where[:8]) + more


def unit_name_en(unit: AdminUnit, seat: Place | None = None, own_name: bool = True) -> str:
    """English name of a unit: its GeoNames seat's name where that is the unit's own name.

    A county's GeoNames seat is often the seat town under another name (江夏区's seat is
    'Zhifang'); then the unit's name is romanised with pypinyin instead. A prefecture's seat
    record carrying its full Chinese name is the city itself (``own_name``), so its spelling
    (E'zhou, Lu'an) is kept.
    """
    if unit.level == "province":
        return province_en(unit.province_zh)
    romanised = pinyin_name(zh_short(unit.name_zh))
    if seat is not None and ((unit.level == "prefecture" and own_name)
                             or ascii_key(seat.name) == ascii_key(romanised)):
        return seat.name
    return romanised


@lru_cache(maxsize=8192)
def pinyin_name(text: str) -> str:
    """Capitalised toneless pinyin of a Chinese name (长沙 -> Changsha)."""
    # Imported here: its phrase dictionary costs half a second and tens of MB, which the served
    # app (geo.store imports geo.catalog, which imports this module) needs only for the parser.
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(text, v_to_u=True)
    return "".join(syllables).capitalize()


_TOWN_SUFFIXES = ("镇", "乡", "街道")


def _town_forms(name: str) -> list[str]:
    """A township's name with and without its suffix: GeoNames files 周坊镇 as 周坊镇 only,
    and 樵舍 as both, so a document's 周坊 and a catalog's 周坊镇 both find it."""
    for suffix in _TOWN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return [name, name[: -len(suffix)]]
    return [name] + [name + suffix for suffix in _TOWN_SUFFIXES]


def _prefer_city_of_municipality(units: list[AdminUnit], ref: PlaceRef) -> list[AdminUnit]:
    """Shanghai the province and Shanghai the city are one place: keep the city.

    The four municipalities appear in the boundary index both as a province and as a
    prefecture-level unit of the same name; asked for by name, the city is meant.
    """
    if ref.level == "province":
        return units
    cities = {u.name_zh for u in units if u.level == "prefecture"}
    return [u for u in units if not (u.level == "province" and u.name_zh in cities)]


def _prefer_city_over_its_districts(units: list[AdminUnit]) -> list[AdminUnit]:
    """Fuzhou the city and 鼓楼区, the district that seats it, are both 'Fuzhou' in GeoNames.

    A county-level candidate inside a prefecture that is itself a candidate is that city's
    own seat district, not another place: the city is meant.
    """
    cities = {(u.province_zh, u.name_zh) for u in units if u.level == "prefecture"}
    return [u for u in units
            if not (u.level == "county" and (u.province_zh, u.prefecture_zh) in cities)]


def _one_per_adcode(units: list[AdminUnit]) -> list[AdminUnit]:
    """One unit per adcode, the higher level kept (济源市 is listed as prefecture and county)."""
    rank = {"province": 0, "prefecture": 1, "county": 2}
    best: dict[str, AdminUnit] = {}
    for unit in units:
        if unit.adcode not in best or rank[unit.level] < rank[best[unit.adcode].level]:
            best[unit.adcode] = unit
    return list(best.values())
