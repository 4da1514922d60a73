"""Pure parsers for the OGC API parameters. Each raises :class:`ParamError` naming the parameter,
what was wrong with it and what it takes; an optional parameter given empty is one not given."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Iterable, Mapping

from ..query import QueryError
from ..query import parse_integer as _parse_integer
from ..query import parse_number as _parse_number
from . import ParamError

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_OFFSET = 10**9
MAX_FILTER_LENGTH = 4000
MAX_DATETIME_LENGTH = 100
MAX_TEXT_LENGTH = 200     # a text queryable's value in its own parameter
FORMATS = ("json", "html")

_DATE = r"\d{4}-\d{2}-\d{2}"
_DATETIME = re.compile(rf"({_DATE})(?:[Tt ](\d{{2}}):(\d{{2}}):(\d{{2}})(\.\d+)?([Zz]|[+-]\d{{2}}:\d{{2}}))?",
                       re.ASCII)  # \d: ASCII digits only


def given(args: Mapping[str, str], name: str) -> str | None:
    """The parameter's value, or None when absent or empty."""
    value = args.get(name)
    if value is None or value.strip() == "":
        return None
    return value


def check_known(args: Iterable[str], allowed: Iterable[str]) -> None:
    """400 for a parameter the API does not declare (OGC API – Features /req/core/query-param-unknown)."""
    allowed = set(allowed)
    unknown = sorted(name for name in args if name not in allowed)
    if unknown:
        raise ParamError(f"unknown parameter {unknown[0][:60]!r}; this resource takes "
                         + ", ".join(sorted(allowed)))


def whole_number(text: str | None, name: str, lo: int, hi: int, default: int) -> int:
    try:  # ASCII digits only, as the document's integer says (geo.query)
        return _parse_integer(text, name, lo, hi, default)
    except QueryError as exc:
        raise ParamError(str(exc)) from None


def parse_limit(text: str | None) -> int:
    return whole_number(text, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)


def parse_offset(text: str | None) -> int:
    return whole_number(text, "offset", 0, MAX_OFFSET, 0)


def parse_bbox(text: str | None) -> list[tuple[float, float, float, float]] | None:
    """``minx,miny,maxx,maxy`` (or with minz and maxz: six numbers) in CRS84 as one or two boxes.

    A box whose minx is greater than its maxx crosses the antimeridian (Part 1, /req/core/fc-bbox
    and its note) and becomes two. None when not given.
    """
    if text is None or text.strip() == "":
        return None
    parts = text.split(",")
    if len(parts) not in (4, 6):
        raise ParamError(f"bbox must be 4 (or 6, with heights) comma-separated numbers "
                         f"minx,miny,maxx,maxy; got {len(parts)} value(s)")
    values = []
    for part in parts:
        try:  # ASCII digits only (geo.query): not "1_10", full-width or Arabic-Indic digits
            values.append(_parse_number(part, "bbox value"))
        except QueryError as exc:
            raise ParamError(str(exc)) from None
    if len(values) == 6:
        minx, miny, _, maxx, maxy, _ = values
    else:
        minx, miny, maxx, maxy = values
    for name, value in (("minx", minx), ("maxx", maxx)):
        if not -180.0 <= value <= 180.0:
            raise ParamError(f"bbox {name} {value:g} is outside the longitude range -180..180")
    for name, value in (("miny", miny), ("maxy", maxy)):
        if not -90.0 <= value <= 90.0:
            raise ParamError(f"bbox {name} {value:g} is outside the latitude range -90..90")
    if miny > maxy:
        raise ParamError(f"bbox is reversed: miny {miny:g} is greater than maxy {maxy:g}")
    if minx > maxx:  # across the antimeridian
        return [(minx, miny, 180.0, maxy), (-180.0, miny, maxx, maxy)]
    return [(minx, miny, maxx, maxy)]


def _instant(text: str, end: bool) -> date:
    """An RFC 3339 date-time or a full date, as the UTC day it falls on."""
    m = _DATETIME.fullmatch(text.strip())
    if not m:
        raise ParamError(f"datetime {text.strip()[:40]!r} is not an RFC 3339 date or date-time "
                         "such as 2021-11-05 or 2021-11-05T00:00:00Z")
    try:
        if m.group(2) is None:
            return date.fromisoformat(m.group(1))
        stamp = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        raise ParamError(f"datetime {text.strip()[:40]!r} is not a real date") from None
    return stamp.astimezone(timezone.utc).date()


def parse_datetime(text: str | None) -> tuple[date | None, date | None] | None:
    """``datetime``: an instant, or an interval ``start/end`` with ``..`` or nothing for an open end.

    The documents are dated by day (some only by month or year), so instants count by their UTC
    day. Returns the first and last day asked for (None: open), or None when not given.
    """
    if text is None or text.strip() == "":
        return None
    if len(text) > MAX_DATETIME_LENGTH:
        raise ParamError(f"datetime is too long: at most {MAX_DATETIME_LENGTH} characters")
    if "/" not in text:
        day = _instant(text, False)
        return day, day
    parts = text.split("/")
    if len(parts) != 2:
        raise ParamError("datetime interval must be start/end, with '..' for an open end")
    start_text, end_text = (p.strip() for p in parts)
    start = None if start_text in ("", "..") else _instant(start_text, False)
    end = None if end_text in ("", "..") else _instant(end_text, True)
    if start is None and end is None:
        raise ParamError("datetime interval '../..' is open at both ends: give a start or an end")
    if start and end and start > end:
        raise ParamError(f"datetime interval is reversed: {start} is after {end}")
    return start, end


def parse_format(text: str | None, accept: str | None, default: str = "json") -> str:
    """``f`` (json or html) or, without it, what the Accept header prefers."""
    if text is not None and text.strip() != "":
        value = text.strip().lower()
        if value not in FORMATS:
            raise ParamError(f"f must be one of {', '.join(FORMATS)}; got {text.strip()[:40]!r}")
        return value
    return prefers(accept, default)


def media_ranges(accept: str | None) -> list[tuple[str, float]]:
    """The media ranges an Accept header names, lower-cased, each with its q value (1 when
    unsaid, 0 when unreadable), in the header's order."""
    ranges = []
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if fields[0]:
            ranges.append((fields[0].lower(), q))
    return ranges


def prefers(accept: str | None, default: str = "json") -> str:
    """'html' when the Accept header ranks text/html above every JSON type, 'json' when the
    reverse, else ``default`` (no header, or */* alone)."""
    if not accept:
        return default
    html = json_q = 0.0
    for media, q in media_ranges(accept):
        if media in ("text/html", "application/xhtml+xml"):
            html = max(html, q)
        elif media in ("application/json", "application/geo+json", "application/schema+json") or (
                media.startswith("application/") and media.endswith("+json")):
            json_q = max(json_q, q)
    if html > json_q:
        return "html"
    if json_q > html:
        return "json"
    return default
