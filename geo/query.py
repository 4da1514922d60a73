"""Pure query helpers for the atlas API: bbox parsing, province and text filters, place search.

Nothing here knows about HTTP: bad input raises :class:`QueryError` with a message meant for the
person who typed the request, and the web layer turns it into a 400.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

MAX_QUERY_LENGTH = 100
MAX_LIMIT = 50
DEFAULT_LIMIT = 10

# Suffixes of Chinese administrative names, longest first, so 郑州市 and 河南省 also match 郑州 and 河南.
_ZH_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区",
    "省", "市", "区", "县", "盟",
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class QueryError(ValueError):
    """A request parameter is malformed; the message says what is wrong and what is expected."""


# --- numbers, as the OpenAPI document spells them ---------------------------------------------
# ASCII digits only: Python's int() and float() also take "1_10", full-width "１１０" and
# Arabic-Indic "٥", which no schema that says integer or number allows. The OpenAPI patterns
# are made from these same expressions (geo.openapi).
NUMBER = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
INTEGER = r"(0|[1-9][0-9]*)"
SPACE = " \t"           # the only padding a value may carry (the documents' patterns say [ \t]*)
_NUMBER_RE = re.compile(NUMBER)
_INTEGER_RE = re.compile(INTEGER)


def parse_number(text: str, name: str) -> float:
    """A finite decimal number in ASCII (sign, point and exponent allowed); QueryError otherwise."""
    value = text.strip(SPACE)
    if not _NUMBER_RE.fullmatch(value):
        raise QueryError(f"{name} is not a number: {value[:40]!r} (a finite number in ASCII digits, "
                         "optional sign, point and exponent)")
    number = float(value)
    if not math.isfinite(number):
        raise QueryError(f"{name} must be a finite number")
    return number


def parse_integer(text: str | None, name: str, lo: int, hi: int, default: int) -> int:
    """A whole number from lo to hi in plain ASCII digits (no sign, no leading zeros, no '_');
    ``default`` when absent or empty, as the document says of every optional parameter."""
    if text is None or text.strip(SPACE) == "":
        return default
    value = text.strip(SPACE)
    if not _INTEGER_RE.fullmatch(value) or not lo <= int(value) <= hi:
        raise QueryError(f"{name} must be a whole number from {lo} to {hi} in ASCII digits; got {value[:40]!r}")
    return int(value)


# --- bbox -------------------------------------------------------------------------------------

def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """Parse ``minx,miny,maxx,maxy`` (WGS84 degrees). ``None`` or empty means no bbox.

    Raises QueryError for anything else than four finite numbers in range with min <= max.
    """
    if text is None or text.strip(SPACE) == "":
        return None
    parts = text.split(",")
    if len(parts) != 4:
        raise QueryError(
            f"bbox must be four comma-separated numbers minx,miny,maxx,maxy; got {len(parts)} value(s)"
        )
    values = [parse_number(part, f"bbox {name}") for name, part in zip(("minx", "miny", "maxx", "maxy"), parts)]
    minx, miny, maxx, maxy = values
    for name, value in (("minx", minx), ("maxx", maxx)):
        if not -180.0 <= value <= 180.0:
            raise QueryError(f"bbox {name} {value:g} is outside the longitude range -180..180")
    for name, value in (("miny", miny), ("maxy", maxy)):
        if not -90.0 <= value <= 90.0:
            raise QueryError(f"bbox {name} {value:g} is outside the latitude range -90..90")
    if minx > maxx:
        raise QueryError(f"bbox is reversed: minx {minx:g} is greater than maxx {maxx:g}")
    if miny > maxy:
        raise QueryError(f"bbox is reversed: miny {miny:g} is greater than maxy {maxy:g}")
    return minx, miny, maxx, maxy


def bbox_of(geometry: Mapping) -> tuple[float, float, float, float] | None:
    """Bounding box of a GeoJSON geometry (any type), or None when it has no coordinates."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords or ():
                walk(c)

    if geometry is None:
        return None
    if geometry.get("type") == "GeometryCollection":
        boxes = [b for g in geometry.get("geometries", ()) if (b := bbox_of(g))]
        if not boxes:
            return None
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))
    walk(geometry.get("coordinates"))
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def boxes_intersect(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def box_contains(outer: Sequence[float], inner: Sequence[float]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


# --- text -------------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Zhèngzhōu' -> 'zhengzhou', 'Lü' -> 'lu'. CJK unchanged."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


_NOT_ASCII_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=1 << 16)  # start-up squashes the same aliases and members many times
def squash(text: str) -> str:
    """Folded text without spaces or punctuation: 'Xi'an' and 'Xi an' -> 'xian'."""
    if text.isascii():  # the same, faster: ASCII folds to its lower case, its alnums are [0-9a-z]
        return _NOT_ASCII_ALNUM.sub("", text.lower())
    return "".join(c for c in fold(text) if c.isalnum())


@lru_cache(maxsize=1 << 16)  # hosts and members recur across many features
def _forms(text: str) -> tuple[str, ...]:
    """The squashed forms search matches ``text`` by: itself, and a Chinese name without its
    administrative suffix (郑州市 -> 郑州)."""
    forms = [squash(text)]
    if _CJK.search(text):
        short = strip_zh_suffix(text)
        if short != text:
            forms.append(squash(short))
    return tuple(forms)


def words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", fold(text)) if w]


def strip_zh_suffix(text: str) -> str:
    for suffix in _ZH_SUFFIXES:
        if len(text) > len(suffix) + 1 and text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def clean_query(q: str | None, *, required: bool) -> str:
    """Trim a q parameter; QueryError when required and empty, or when too long."""
    # The length limit applies to what was sent, as the OpenAPI document says (maxLength).
    if q is not None and len(q) > MAX_QUERY_LENGTH:
        raise QueryError(f"q is too long: at most {MAX_QUERY_LENGTH} characters")
    q = (q or "").strip()
    if required and not q:
        raise QueryError("q is required: give an English, Chinese or pinyin name to search for")
    return q


def parse_limit(text: str | None) -> int:
    return parse_integer(text, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)


# Weights: where the query matched, and how well.
# "host": the city that hosts a place (a laboratory in Wuhan), below the place's own names.
_FIELD_WEIGHT = {"name": 1.0, "name_zh": 1.0, "alias": 0.9, "member": 0.5, "host": 0.45}
# Every word of the query found across the place's own names and its host ("Wuhan lab").
_ACROSS = 22
_HOW = {"exact": 100, "prefix": 70, "word": 55, "contains": 35, "words": 25}


@dataclass
class SearchEntry:
    """One feature as the search sees it."""

    id: str
    layer: str
    order: int
    name: str
    name_zh: str
    precision: int
    texts: list[tuple[str, str, str]] = field(default_factory=list)  # (field, original, squashed)

    @classmethod
    def from_feature(cls, feature: Mapping, order: int) -> "SearchEntry":
        props = feature.get("properties") or {}
        name = str(props.get("name") or "")
        name_zh = str(props.get("name_zh") or "")
        entry = cls(
            id=str(feature.get("id")),
            layer=str(props.get("layer") or ""),
            order=order,
            name=name,
            name_zh=name_zh,
            precision=int(props.get("precision") or 9),
        )
        entry._add("name", name)
        entry._add("name_zh", name_zh)
        for alias in props.get("aliases") or ():
            entry._add("alias", str(alias))
        for member in props.get("members") or ():
            if isinstance(member, Mapping):
                entry._add("member", str(member.get("name") or ""))
                entry._add("member", str(member.get("name_zh") or ""))
        return entry

    def add_host(self, text: str) -> None:
        """Name of the city or county that hosts the place."""
        self._add("host", text)

    def _add(self, field_name: str, text: str) -> None:
        if not text:
            return
        for form in _forms(text):
            self.texts.append((field_name, text, form))

    def match(self, q: str) -> tuple[float, str, str] | None:
        """Best (score, field, matched text) for query q, or None."""
        sq = squash(q)
        if not sq:
            return None
        qwords = words(q)
        best: tuple[float, str, str] | None = None
        for field_name, original, squashed in self.texts:
            how = None
            if squashed == sq:
                how = "exact"
            elif squashed.startswith(sq):
                how = "prefix"
            elif any(w.startswith(sq) for w in words(original)):
                how = "word"
            elif len(sq) >= 2 and sq in squashed:
                how = "contains"
            elif len(qwords) > 1 and all(any(w.startswith(qw) for w in words(original)) for qw in qwords):
                how = "words"
            if how is None:
                continue
            score = _HOW[how] * _FIELD_WEIGHT[field_name]
            if best is None or score > best[0]:
                best = (score, field_name, original)
        if best is None and len(qwords) > 1:
            # "Wuhan lab": each word in a different field, one of them the place's own name.
            own = [w for f, o, _ in self.texts if f != "host" for w in words(o)]
            every = own + [w for f, o, _ in self.texts if f == "host" for w in words(o)]
            def hit(qw, w):  # Chinese is not split into words: a part of one counts
                return w.startswith(qw) or (bool(_CJK.search(qw)) and qw in w)

            if (all(any(hit(qw, w) for w in every) for qw in qwords)
                    and any(hit(qw, w) for qw in qwords for w in own)):
                hosts = [o for f, o, _ in self.texts if f == "host"
                         and any(hit(qw, w) for qw in qwords for w in words(o))]
                best = (float(_ACROSS), "host", hosts[0]) if hosts else (float(_ACROSS), "name", self.name)
        return best


def build_search_index(features: Iterable[Mapping]) -> list[SearchEntry]:
    return [SearchEntry.from_feature(f, i) for i, f in enumerate(features)]


def search(entries: Sequence[SearchEntry], q: str, limit: int = DEFAULT_LIMIT,
           layers: set[str] | None = None) -> list[tuple[SearchEntry, float, str, str]]:
    """Entries matching q, best first: exact names before prefixes before substrings;
    ties go to the more precisely located, then the shorter name, then catalog order."""
    hits = []
    queries = [q]
    if _CJK.search(q):
        short = strip_zh_suffix(q)
        if short != q:
            queries.append(short)
    for entry in entries:
        if layers is not None and entry.layer not in layers:
            continue
        best = None
        for i, query in enumerate(queries):
            m = entry.match(query)
            if m and i:
                m = (m[0] * 0.95, m[1], m[2])
            if m and (best is None or m[0] > best[0]):
                best = m
        if best:
            hits.append((entry, *best))
    hits.sort(key=lambda h: (-h[1], h[0].precision, len(h[0].name), h[0].order))
    return hits[:limit]


def matches_text(entry: SearchEntry, q: str) -> bool:
    return bool(search([entry], q, limit=1))


# --- provinces --------------------------------------------------------------------------------

def province_aliases(provinces: Iterable[Mapping]) -> dict[str, str]:
    """Map folded English, Chinese and short Chinese province names to the English name.

    ``provinces`` are property dicts with ``name`` (English) and optionally ``name_zh``.
    """
    table: dict[str, str] = {}
    for props in provinces:
        name = str(props.get("name") or "").strip()
        if not name:
            continue
        table[squash(name)] = name
        zh = str(props.get("name_zh") or "").strip()
        if zh:
            table[squash(zh)] = name
            table[squash(strip_zh_suffix(zh))] = name
    return table


def resolve_province(value: str | None, table: Mapping[str, str]) -> str | None:
    """English province name for a province= parameter (English or Chinese, any case); None if empty."""
    if value is not None and len(value) > MAX_QUERY_LENGTH:
        raise QueryError(f"province is too long: at most {MAX_QUERY_LENGTH} characters")
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    key = squash(value)
    if key in table:
        return table[key]
    short = squash(strip_zh_suffix(value))
    if short in table:
        return table[short]
    raise QueryError(
        f"unknown province {value[:40]!r}; use an English or Chinese province name such as Henan or 河南"
    )
