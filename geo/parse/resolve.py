"""Resolving mentions to places by the context the text gives — never by population alone.

GeoNorm-style, in passes over the whole document:

1. names with a single possible province (Hubei, Wuhan, 荆州市) fix provinces and prefectures;
2. every other name is scored against that context — the province or prefecture named in the
   same sentence, "X in Y" / "X, Y" / "Y's X", the same paragraph, the document as a whole (and
   its dateline) — and the best candidate wins only when it clearly beats the next;
3. what was decided in pass 2 becomes context in turn, and the rest are scored again.

A name that stays undecided between places in different provinces is returned unplaced, with
its candidates and a low confidence: a confident answer in the wrong province is the worst
outcome. Locations come from the atlas's geocoder (:class:`geo.geocoder.Geocoder`): the seat of
a unit, or an interior point of its boundary where GeoNames has no seat.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..gazetteer import AdminUnit
from ..geocoder import PRECISION_BY_LEVEL, Geocoder, GeocodeError, PlaceRef
from ..provinces import PROVINCES_EN, PROVINCES_ZH
from .lexicon import Lexicon, Sense, pinyin_forms, split_name
from .mentions import Span, is_cjk

_SENTENCE_END = re.compile(r"[.!?。！？;；]\s|[。！？；]|\n")
_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2, "town": 3}
# Confidence bands.
UNIQUE, EXPLICIT, DECIDED, GUESS, AMBIGUOUS = 0.9, 0.95, 0.8, 0.5, 0.25


@dataclass
class Candidate:
    sense: Sense
    province_zh: str | None
    prefecture_zh: str | None = None
    score: float = 0.0
    why: list[str] = field(default_factory=list)

    @property
    def level(self) -> str:
        if self.sense.unit is not None and self.sense.source == "unit":
            return self.sense.unit.level
        return "town" if self.sense.source == "place" else "other"

    @property
    def key(self):
        s = self.sense
        if s.unit is not None:
            return ("unit", s.unit.adcode)
        if s.place is not None:
            return ("place", s.place.geonameid)
        return (s.source, s.name, s.name_zh)


class Resolver:
    def __init__(self, lexicon: Lexicon, geocoder: Geocoder):
        self.lexicon = lexicon
        self.geocoder = geocoder
        self._unit_points: dict[str, dict] = {}
        self._catalog_by_form: dict[str, list[dict]] = {}
        for entry in lexicon.catalog.values():
            for form in entry.get("forms", []):
                self._catalog_by_form.setdefault(_form_key(form), []).append(entry)

    # -- the passes ---------------------------------------------------------------------------

    def resolve(self, text: str, spans: list[Span]) -> list[dict]:
        sentences = _boundaries(text, _SENTENCE_END)
        paragraphs = _boundaries(text, re.compile(r"\n\s*\n|\n"))
        cands = [self._candidates(s) for s in spans]
        self._cache = {id(s): c for s, c in zip(spans, cands)}
        where = [(_index(sentences, s.start), _index(paragraphs, s.start)) for s in spans]
        decided: list[Candidate | None] = [None] * len(spans)
        for i, cs in enumerate(cands):
            if cs and len({c.key for c in cs}) == 1:
                decided[i] = cs[0]
            elif cs and all(c.sense.source == "catalog" for c in cs):
                decided[i] = cs[0]  # two catalog entries of one name: the first (same place)
            elif cs and not spans[i].explicit:
                top = [c for c in cs if c.level == "province"]
                if len(top) == 1:
                    # "Henan" is the province, not Qinghai's Henan county, unless the text says
                    # "Henan County": provinces are named far above their namesakes.
                    decided[i] = top[0]
                    top[0].why = ["a province outranks a city or county namesake written "
                                  "without its suffix"]
                    top[0].score = 2.5
        dateline = self._dateline(text, spans, decided)
        for _ in range(2):
            context = self._context(spans, decided, where)
            for i, cs in enumerate(cands):
                if decided[i] is not None or not cs:
                    continue
                choice = self._choose(i, spans, cs, context, where, text, dateline)
                if choice is not None:
                    decided[i] = choice
        # Names inside designations are scored on the same context (no neighbours: the
        # designation itself is what surrounds them).
        context = self._context(spans, decided, where)
        self._part_choice = {}
        for s in spans:
            for p in s.parts:
                cs = self._candidates(p)
                if len({c.key for c in cs}) > 1:
                    w = (_index(sentences, p.start), _index(paragraphs, p.start))
                    self._part_choice[id(p)] = self._score_alone(cs, context, w)
        out = []
        doc_provs = {c.province_zh for c in decided if c is not None and c.level != "county"}
        doc_prefs = {p for c in decided if c is not None for p in _prefectures_of(c)
                     if c.level == "prefecture"}
        for i, s in enumerate(spans):
            if decided[i] is None and cands[i] and not s.explicit \
                    and all(c.level == "town" for c in cands[i]):
                continue  # a bare village name nothing in the text supports: a word, not a place
            if s.source == "name" and not s.explicit and cands[i] and all(
                    c.level == "county" for c in cands[i]) and not any(
                    c.province_zh in doc_provs or c.prefecture_zh in doc_prefs for c in cands[i]):
                # A bare county name whose province and city the text never names is far more
                # often a word (平原 'plain', 古城 'old town') or another thing (Binhai Road).
                continue
            if (decided[i] is not None and decided[i].level == "town" and not s.explicit
                    and not decided[i].why):
                continue
            out.append(self._mention(text, s, cands[i], decided[i], spans, decided))
        return out

    def _candidates(self, span: Span) -> list[Candidate]:
        senses = list(span.senses)
        if span.source != "name":
            return []
        if span.explicit:
            senses = [s for s in senses if s.explicit] or senses
        units = [s for s in senses if s.source in ("unit", "newarea", "catalog", "region",
                                                   "feature", "group", "country")]
        if units:
            # A town of the same romanised name never competes with a province, city or county.
            senses = [s for s in senses if s.source != "place"]
        cn = [s for s in senses if s.source != "foreign"]
        if cn and any(s.source in ("unit", "place") for s in cn):
            senses = cn
        out = []
        for s in senses:
            prov = s.province_zh
            pref = s.unit.prefecture_zh if s.unit is not None and s.source == "unit" else None
            out.append(Candidate(s, prov, pref))
        out = _one_per_place(out)
        return _city_over_its_districts(out)

    def _context(self, spans, decided, where) -> dict:
        """Provinces and prefectures the decided names establish, by sentence and paragraph."""
        ctx = {"sent": {}, "para": {}, "doc": Counter(), "pref_sent": {}, "pref_doc": Counter()}
        for i, c in enumerate(decided):
            if c is None:
                continue
            provs = _provinces_of(c)
            prefs = _prefectures_of(c)
            si, pi = where[i]
            for p in provs:
                ctx["sent"].setdefault(si, Counter())[p] += 1
                ctx["para"].setdefault(pi, Counter())[p] += 1
                ctx["doc"][p] += 1
            for p in prefs:
                ctx["pref_sent"].setdefault(si, Counter())[p] += 1
                ctx["pref_doc"][p] += 1
        return ctx

    def _choose(self, i, spans, cands, ctx, where, text, dateline) -> Candidate | None:
        si, pi = where[i]
        total = sum(ctx["doc"].values()) or 1
        neighbours = self._neighbours(i, spans, text)
        for c in cands:
            c.score, c.why = 0.0, []
            p = c.province_zh
            if p is None:
                continue
            pen = PROVINCES_EN.get(p, p)
            if p in neighbours:
                c.score += 4
                c.why.append(f"written with {pen} (\"{neighbours[p]}\")")
            if ctx["sent"].get(si, {}).get(p):
                c.score += 3
                c.why.append(f"{pen} is named in the same sentence")
            elif ctx["para"].get(pi, {}).get(p):
                c.score += 2
                c.why.append(f"{pen} is named in the same paragraph")
            if ctx["doc"].get(p):
                share = ctx["doc"][p] / total
                c.score += share
                c.why.append(f"{ctx['doc'][p]} of the document's {total} placed names are in {pen}")
            if dateline == p:
                c.score += 1.5
                c.why.append(f"the dateline is in {pen}")
            if c.prefecture_zh and ctx["pref_sent"].get(si, {}).get(c.prefecture_zh):
                c.score += 3
                c.why.append(f"its city {c.prefecture_zh} is named in the same sentence")
            elif c.prefecture_zh and ctx["pref_doc"].get(c.prefecture_zh):
                c.score += 0.5
                c.why.append(f"its city {c.prefecture_zh} is named in the document")
        ranked = sorted(cands, key=lambda c: (-c.score, _LEVEL_RANK.get(c.level, 4)))
        best = ranked[0]
        if best.level == "county":
            higher = [c for c in ranked[1:] if c.province_zh == best.province_zh
                      and c.level == "prefecture" and c.score >= best.score - 1.0]
            if higher:
                best = higher[0]  # Jinzhou in Liaoning is the city 锦州, not Dalian's district 金州
        if best.level == "county" and not spans[i].explicit and not best.why:
            return None
        rivals = [c for c in ranked[1:] if c.province_zh != best.province_zh]
        same = [c for c in ranked[1:] if c.province_zh == best.province_zh]
        if best.score <= 0:
            return None
        if rivals and best.score < rivals[0].score + 0.75:
            return None
        if same and _LEVEL_RANK.get(best.level, 4) == _LEVEL_RANK.get(same[0].level, 4) \
                and best.score < same[0].score + 0.75:
            return None  # two units of one province that fit equally (朝阳区 and 朝阳县)
        return best

    def _score_alone(self, cands, ctx, where) -> Candidate | None:
        """The best candidate on sentence / paragraph / document context alone, or None."""
        fake = Span(-1, -1, "")
        return self._choose(0, [fake], cands, ctx, [where], "", None)

    def _neighbours(self, i, spans, text) -> dict:
        """Provinces written right next to span i: "X in Y", "X, Y", "Y's X", 湖北荆州."""
        out = {}
        s = spans[i]
        for j in (i - 1, i + 1):
            if not 0 <= j < len(spans):
                continue
            o = spans[j]
            provs = {c.sense.unit.province_zh for c in self._cache.get(id(o)) or self._candidates(o)
                     if c.sense.unit is not None and c.sense.source == "unit"
                     and c.sense.unit.level == "province"}
            if len(provs) != 1:
                continue
            gap = text[s.end:o.start] if j > i else text[o.end:s.start]
            g = gap.strip().lower()
            ok = (j > i and g in ("in", ",", "in the province of", "province of", "of", "(", "、")
                  or j < i and (g in ("'s", "’s", "") or gap == ""))
            if ok or (gap == "" and is_cjk(s.text[0])):
                out[next(iter(provs))] = (text[min(s.start, o.start):max(s.end, o.end)])
        return out

    def _dateline(self, text, spans, decided) -> str | None:
        """Province of a dateline ("WUHAN, March 3 (Xinhua) --") at the head of the text."""
        head = text[:300]
        m = re.search(r"(?m)^([A-Z][A-Za-z' -]{2,30}),\s+(?:[A-Z][a-z]+\.? \d{1,2}|\d{1,2} [A-Z][a-z]+)"
                      r"(?:,? \d{4})?\s*(?:\(|--|—|–)", head)
        if not m:
            m = re.search(r"新华社([\u4e00-\u9fff]{2,4})\d{1,2}月\d{1,2}日电", head)
        if not m:
            return None
        name = m.group(1).strip()
        senses = self.lexicon.lookup(name.title() if name.isupper() else name)
        provs = {s.province_zh for s in senses if s.source == "unit" and s.province_zh
                 and s.unit.level in ("province", "prefecture")}
        return next(iter(provs)) if len(provs) == 1 else None

    # -- building the output ------------------------------------------------------------------

    def _mention(self, text, span, cands, choice, spans, decided) -> dict:
        m = {"start": span.start, "end": span.end, "text": span.text, "kind": span.kind,
             "province": None, "adcode": None, "geonameid": None, "lon": None, "lat": None,
             "precision": None, "confidence": 0.0, "basis": "", "candidates": [],
             "catalog_id": None}
        if span.source in ("designation", "chain"):
            self._designation(m, span, spans, decided)
        elif choice is not None:
            self._place(m, choice)
            unique = len({c.key for c in cands}) == 1
            if unique:
                m["confidence"] = EXPLICIT if span.explicit else UNIQUE
                m["basis"] = (f"The only place of this name{' at this level' if span.explicit else ''}"
                              f" in the gazetteer. " + m["basis"])
            else:
                m["confidence"] = DECIDED if choice.score >= 2.5 else 0.65
                m["basis"] = ("Chosen by context: " + "; ".join(choice.why) + ". " + m["basis"])
            m["candidates"] = [self._candidate(c, choice) for c in cands if c.key != choice.key]
        elif cands:
            m["kind"] = m["kind"] or _kind_of(cands[0].sense)
            m["confidence"] = AMBIGUOUS
            provs = sorted({PROVINCES_EN.get(c.province_zh, c.province_zh or "abroad")
                            for c in cands})
            m["basis"] = (f"Ambiguous: {len(cands)} places of this name ({', '.join(provs)}) and "
                          "nothing in the text decides between them; see candidates.")
            m["candidates"] = [self._candidate(c, None) for c in cands]
        m["kind"] = m["kind"] or "other"
        if choice is not None and choice.level == "province" and span.source == "name":
            m["kind"] = "province"  # the municipalities are listed as province and city
        self._attach_catalog(m, span)
        return m

    def _place(self, m: dict, c: Candidate) -> None:
        s = c.sense
        m["kind"] = m["kind"] or _kind_of(s)
        if s.source in ("unit", "newarea") and s.unit is not None:
            p = self._unit_point(s.unit)
            m.update({k: p[k] for k in ("province", "adcode", "geonameid", "lon", "lat",
                                        "precision")})
            m["basis"] = p["basis"]
            if s.source == "newarea":
                m["basis"] = (f"{s.name_zh}, a national-level new area, located at its host "
                              f"unit. " + p["basis"])
        elif s.source in ("place", "foreign"):
            pl = s.place
            m.update(province=PROVINCES_EN.get(c.province_zh) if c.province_zh else None,
                     geonameid=pl.geonameid, lon=pl.lon, lat=pl.lat, precision=PRECISION_BY_LEVEL["place"],
                     basis=f"GeoNames {pl.geonameid} '{pl.name}' ({pl.country}"
                           f"{', ' + PROVINCES_EN.get(c.province_zh, '') if c.province_zh else ''}).")
        elif s.source == "country":
            cap = s.ref.get("capital")
            m.update(geonameid=s.ref["geonameid"], precision=6,
                     basis=f"Country {s.name} (GeoNames {s.ref['geonameid']})"
                           + (f", shown at its capital {cap.name}." if cap else "."))
            if cap is not None:
                m.update(lon=cap.lon, lat=cap.lat)
        elif s.source == "continent":
            m.update(geonameid=s.ref["geonameid"], lon=s.ref["lon"], lat=s.ref["lat"], precision=5,
                     basis=f"Continent {s.name} (GeoNames {s.ref['geonameid']}), its GeoNames point.")
        elif s.source == "group":
            units = list(s.ref)
            pts = [self._unit_point(u) for u in units]
            provs = {u.province_zh for u in units}
            m.update(province=PROVINCES_EN.get(next(iter(provs))) if len(provs) == 1 else None,
                     lon=round(sum(p["lon"] for p in pts) / len(pts), 6),
                     lat=round(sum(p["lat"] for p in pts) / len(pts), 6), precision=5,
                     basis=f"{s.name_zh}: the grouping of {', '.join(u.name_zh for u in units)}; "
                           "shown at the mean of their seats (schematic).")
            if len(units) == 1:
                m["adcode"] = units[0].adcode
        elif s.source in ("region", "feature"):
            provs = list(s.ref)
            m.update(province=provs[0] if len(provs) == 1 else None,
                     basis=f"{s.name} ({s.name_zh}), a {'region' if s.source == 'region' else 'natural feature'}"
                           + (f" in {', '.join(provs)}" if provs else "") + "; no gazetteer point.")
        elif s.source == "catalog":
            self._from_catalog(m, s.ref)

    def _from_catalog(self, m: dict, entry: dict) -> None:
        provs = entry.get("provinces") or []
        gz = entry.get("gazetteer") or {}
        m.update(province=provs[0] if len(provs) == 1 else None, adcode=gz.get("adcode"),
                 geonameid=gz.get("geonameid"), lon=entry.get("lon"), lat=entry.get("lat"),
                 precision=entry.get("precision"), catalog_id=entry["id"],
                 basis=f"In the atlas's catalog as '{entry['name']}' ({entry['id']}): "
                       + (entry.get("basis") or ""))

    def _designation(self, m, span, spans, decided) -> None:
        """A designation is where the place its name holds is, read as a hierarchy.

        The parts are resolved under the province the designation itself names ("China (Hubei)
        ... Yichang", "天津滨海新区", "Ezhou Huahu Airport"): a part that only fits another province
        is not where the designation is. A part naming the whole designation (a new area, a
        catalog entry) wins; otherwise the most specific consistent part.
        """
        index = {id(s): k for k, s in enumerate(spans)}
        parts = [p for p in span.parts
                 if not any(q is not p and q.start <= p.start and p.end <= q.end
                            and (q.end - q.start) > (p.end - p.start) for q in span.parts)]
        resolved: list[tuple[Span, list[Candidate]]] = []
        for p in parts:
            k = index.get(id(p))
            c = decided[k] if k is not None else None
            resolved.append((p, [c] if c is not None else self._candidates(p)))
        anchors = set()
        for p, cs in resolved:
            provs = {c.province_zh for c in cs}
            if len(provs) == 1 and None not in provs and any(
                    c.level in ("province", "prefecture") or c.sense.source in ("newarea", "catalog")
                    for c in cs):
                anchors |= provs
        if len(anchors) > 1:
            anchors = set()
        doc_provs = {c.province_zh for c in decided if c is not None and c.province_zh
                     and c.level != "county"}
        doc_prefs = {x for c in decided if c is not None and c.level == "prefecture"
                     for x in _prefectures_of(c)}
        best = None
        for p, cs in resolved:
            if anchors:
                cs = [c for c in cs if c.province_zh in anchors or c.province_zh is None
                      and c.sense.source not in ("unit", "place")]
            elif len({c.key for c in cs}) > 1:
                # No province in the designation's own name: the part as the text's context
                # decides it, or it stays unplaced.
                chosen = getattr(self, "_part_choice", {}).get(id(p))
                if chosen is None:
                    continue
                cs = [chosen]
            cs = [c for c in cs if c.level != "town" or anchors]
            if not anchors:
                # A county named inside a designation ("Binhai Road", "Wenchang Street") counts
                # only where the text names its province or city, as for a bare county name.
                cs = [c for c in cs if c.level != "county" or c.province_zh in doc_provs
                      or c.prefecture_zh in doc_prefs or p.explicit]
            if len({c.key for c in cs}) != 1:
                if not cs:
                    continue
                cs = sorted(cs, key=lambda x: _LEVEL_RANK.get(x.level, 4))
                if len({c.province_zh for c in cs}) > 1:
                    continue
            c = cs[0]
            whole = c.sense.source in ("newarea", "catalog")
            if best is None or whole and best.sense.source not in ("newarea", "catalog") or (
                    best.sense.source not in ("newarea", "catalog")
                    and _LEVEL_RANK.get(c.level, 4) > _LEVEL_RANK.get(best.level, 4)
                    and c.level != "other") or (best.level == "other" and c.level != "other"
                                                and best.sense.source not in ("newarea", "catalog")):
                best = c
        if best is None:
            m["confidence"] = 0.3
            if anchors:
                prov = next(iter(anchors))
                m["province"] = PROVINCES_EN.get(prov, prov)
            m["basis"] = "A designation whose name holds no place the gazetteer can place; unplaced."
            return
        kind = m["kind"]
        self._place(m, best)
        m["kind"] = kind
        if span.source == "chain":
            provs = {c.province_zh for _, cs in resolved for c in cs[:1]}
            m["province"] = PROVINCES_EN.get(next(iter(provs))) if len(provs) == 1 else None
            if m["province"] is None:
                m.update(adcode=None, geonameid=None, lon=None, lat=None, precision=None)
        if m["precision"] is not None and m["precision"] < 2:
            m["precision"] = 2
        m["confidence"] = 0.75
        m["basis"] = (f"A {kind.replace('_', ' ')} named after {best.sense.name_zh or best.sense.name}: "
                      "located there. " + m["basis"])

    def _candidate(self, c: Candidate, chosen: Candidate | None) -> dict:
        tmp = {"province": None, "adcode": None, "geonameid": None, "lon": None, "lat": None,
               "precision": None, "kind": None, "basis": "", "catalog_id": None}
        self._place(tmp, c)
        name = c.sense.name
        if c.sense.unit is not None and c.sense.source == "unit":
            u = c.sense.unit
            forms = pinyin_forms(split_name(u.name_zh)[0])
            en = PROVINCES_EN.get(u.name_zh) if u.level == "province" else (forms[-1] if forms else "")
            name = f"{en} ({u.name_zh})" if en else u.name_zh
        if chosen is None:
            why = "undecided: the text gives no province or city that fits one candidate better"
        else:
            why = (f"{PROVINCES_EN.get(c.province_zh, c.province_zh or 'elsewhere')}: "
                   + ("; ".join(c.why) if c.why else "nothing in the text points there")
                   + f" (score {c.score:.1f} against {chosen.score:.1f})")
        out = {"name": name, "province": tmp["province"], "lon": tmp["lon"], "lat": tmp["lat"],
               "why_not": why}
        if tmp["adcode"]:
            out["adcode"] = tmp["adcode"]
        if tmp["geonameid"]:
            out["geonameid"] = tmp["geonameid"]
        return out

    def _unit_point(self, unit: AdminUnit) -> dict:
        if unit.adcode not in self._unit_points:
            prov_en = PROVINCES_EN.get(unit.province_zh, unit.province_zh)
            ref = PlaceRef(unit.name_zh if unit.level != "province" else None, prov_en,
                           unit.level if unit.level != "province" else None)
            try:
                matches = self.geocoder.candidates(ref)
            except GeocodeError:
                matches = []
            match = next((x for x in matches if x.unit is not None and x.unit.adcode == unit.adcode),
                         None)
            if match is None:
                match = self.geocoder._unit_match(ref, unit)
            self._unit_points[unit.adcode] = {
                "province": prov_en, "adcode": unit.adcode,
                "geonameid": match.place.geonameid if match.place is not None else None,
                "lon": match.lon, "lat": match.lat, "precision": match.precision,
                "basis": match.basis}
        return self._unit_points[unit.adcode]

    def _attach_catalog(self, m: dict, span: Span) -> None:
        if m.get("catalog_id"):
            return
        for entry in self._catalog_by_form.get(_form_key(span.text), []):
            gz = entry.get("gazetteer") or {}
            if m["adcode"] and gz.get("adcode") and gz["adcode"] != m["adcode"]:
                continue
            if m["adcode"] is None and m["lon"] is None:
                self._from_catalog(m, entry)
            m["catalog_id"] = entry["id"]
            return


def _form_key(form: str) -> str:
    form = " ".join(form.split())
    return form.lower() if form.isascii() else form


def _kind_of(s: Sense) -> str:
    return s.kind


def _prov(c: Candidate) -> str | None:
    return c.province_zh


def _provinces_of(c: Candidate) -> list[str]:
    s = c.sense
    if s.source == "group":
        return sorted({u.province_zh for u in s.ref})
    if s.source in ("region", "feature"):
        return [PROVINCES_ZH[p] for p in s.ref if p in PROVINCES_ZH] if len(s.ref) == 1 else []
    if s.source == "catalog":
        provs = s.ref.get("provinces") or []
        return [PROVINCES_ZH[p] for p in provs if p in PROVINCES_ZH] if len(provs) == 1 else []
    return [c.province_zh] if c.province_zh else []


def _prefectures_of(c: Candidate) -> list[str]:
    s = c.sense
    if s.source == "unit" and s.unit.level == "prefecture":
        return [s.unit.name_zh]
    if s.source == "unit" and s.unit.level == "county" and s.unit.prefecture_zh:
        return [s.unit.prefecture_zh]
    return []


def _one_per_place(cands: list[Candidate]) -> list[Candidate]:
    seen, out = set(), []
    for c in cands:
        if c.key in seen:
            continue
        seen.add(c.key)
        out.append(c)
    return out


def _city_over_its_districts(cands: list[Candidate]) -> list[Candidate]:
    """荆州 is the city, not also its own district 荆州区 (nor 济源's double listing)."""
    cities = {(c.province_zh, c.sense.unit.name_zh) for c in cands
              if c.sense.unit is not None and c.sense.source == "unit"
              and c.sense.unit.level == "prefecture"}
    provinces = {c.province_zh for c in cands if c.level == "province"}
    out = []
    for c in cands:
        u = c.sense.unit
        if u is not None and c.sense.source == "unit" and u.level == "county" \
                and (c.province_zh, u.prefecture_zh) in cities:
            continue
        if u is not None and c.sense.source == "unit" and u.level == "prefecture" \
                and c.province_zh in provinces and u.name_zh == c.province_zh:
            continue  # the municipality listed twice: keep the province-level unit
        out.append(c)
    return out


def _boundaries(text: str, pattern: re.Pattern) -> list[int]:
    return [0] + [m.end() for m in pattern.finditer(text)]


def _index(bounds: list[int], pos: int) -> int:
    import bisect
    return bisect.bisect_right(bounds, pos) - 1
