"""What the parser's results become: JSON lines, GeoJSON like the atlas's, a catalog draft.

``results`` is a list of per-document results as :meth:`geo.parse.Parser.extract` returns them
(optionally with ``path`` / ``text``); ``meta`` describes the document(s): ``path`` or
``title``, ``date``, ``url``. A list of metas, one per result, is accepted too.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata

import yaml

# Catalog layer for each mention kind in a draft (a reviewer moves entries where they belong).
DRAFT_LAYERS = {
    "new_area": "new-districts", "development_zone": "pilot-zones",
    "lab_or_facility": "science-centres", "region_or_belt": "economic-regions",
    "company_site": "reported-sites", "river": "river-belts", "mountain": "revolutionary-base-areas",
}
_ADMIN_LEVELS = {"province": "province", "prefecture": "prefecture", "county": "county",
                 "district": "county"}


def _pairs(results, meta):
    if isinstance(results, dict):
        results = [results]
    metas = meta if isinstance(meta, list) else [meta or {}] * len(results)
    if len(metas) != len(results):
        raise ValueError(f"{len(results)} results but {len(metas)} metas")
    return list(zip(results, metas))


def _doc_name(result: dict, meta: dict) -> str:
    return meta.get("title") or meta.get("path") or result.get("path") or "document"


def _source(result: dict, meta: dict, mention: dict) -> dict:
    src = {"document": meta.get("path") or result.get("path") or meta.get("title") or "document"}
    if meta.get("title"):
        src["title"] = meta["title"]
    if meta.get("date"):
        src["date"] = str(meta["date"])
    if meta.get("url"):
        src["url"] = meta["url"]
    src["mention"] = mention["text"]
    src["start"], src["end"] = mention["start"], mention["end"]
    return src


def to_jsonl(results, paths=None) -> str:
    """One JSON object per document: {"path", "language", "mentions"} (+ "text" when given)."""
    if isinstance(results, dict):
        results = [results]
    lines = []
    for i, r in enumerate(results):
        obj = {"path": r.get("path") if paths is None else paths[i], "language": r["language"],
               "mentions": r["mentions"]}
        if r.get("text") is not None:
            obj["text"] = r["text"]
        lines.append(json.dumps(obj, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def to_geojson(results, meta=None) -> dict:
    """A FeatureCollection of the placed mentions, one feature per place per document.

    Mentions of one place (same gazetteer ids, or same catalog id) are merged, each kept in
    ``sources``; unplaced mentions are left out and counted in ``unplaced``.
    """
    features, unplaced = [], 0
    for result, m in _pairs(results, meta):
        by_place: dict[tuple, dict] = {}
        for mention in result["mentions"]:
            if mention.get("lon") is None or mention.get("lat") is None:
                unplaced += 1
                continue
            key = (mention.get("catalog_id") or "", mention.get("adcode") or "",
                   mention.get("geonameid") or "", mention["kind"],
                   None if (mention.get("adcode") or mention.get("geonameid")
                            or mention.get("catalog_id")) else mention["text"])
            feature = by_place.get(key)
            if feature is None:
                feature = {"type": "Feature",
                           "geometry": {"type": "Point",
                                        "coordinates": [mention["lon"], mention["lat"]]},
                           "properties": {
                               "name": mention["text"], "kind": mention["kind"],
                               "province": mention.get("province"),
                               "precision": mention.get("precision"),
                               "confidence": mention.get("confidence"),
                               "geometry_basis": mention.get("basis", ""),
                               "gazetteer": {k: mention[k] for k in ("adcode", "geonameid")
                                             if mention.get(k)},
                               "catalog_id": mention.get("catalog_id"),
                               "sources": []}}
                by_place[key] = feature
                features.append(feature)
            feature["properties"]["sources"].append(_source(result, m, mention))
            feature["properties"]["confidence"] = max(feature["properties"]["confidence"] or 0,
                                                      mention.get("confidence") or 0)
    return {"type": "FeatureCollection", "features": features, "unplaced": unplaced}


def to_catalog(results, meta=None) -> str:
    """A YAML draft of catalog entries (``data/catalog/places/*.yaml`` format) for review.

    Places the catalog already has are listed as comments by id; entries are points at the
    resolved gazetteer unit, or ``site`` entries hosted by it for designations.
    """
    entries, known, seen = [], [], set()
    for result, m in _pairs(results, meta):
        doc = m.get("path") or result.get("path") or m.get("title") or "document"
        doc_key = _slug(os.path.splitext(os.path.basename(str(doc)))[0]) or "document"
        for mention in result["mentions"]:
            if mention.get("catalog_id"):
                if mention["catalog_id"] not in known:
                    known.append(mention["catalog_id"])
                continue
            if mention.get("lon") is None or not mention.get("province"):
                continue
            entry_id = f"draft-{_slug(mention['text']) or 'place'}"
            if entry_id in seen:
                continue
            seen.add(entry_id)
            entries.append(_draft_entry(entry_id, mention, doc_key))
    head = ["# Catalog draft from the geoparser: review every entry before adding it to",
            "# data/catalog/places/. Descriptions are placeholders; write them in your own words.",
            "# The document key must exist in data/catalog/documents.yaml."]
    if known:
        head.append("# Already in the catalog: " + ", ".join(known))
    body = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100) if entries else "[]\n"
    return "\n".join(head) + "\n" + body


def _draft_entry(entry_id: str, mention: dict, doc_key: str) -> dict:
    kind = mention["kind"]
    text = mention["text"]
    zh = text if not text.isascii() else ""
    ref = _ref(mention)
    if kind in _ADMIN_LEVELS or kind in ("town", "other", "country", "foreign_city"):
        geometry = {"point": ref}
    else:
        geometry = {"site": {"host": ref, "basis": "TODO: name the public source that puts it "
                             f"there (parser: {mention.get('basis', '')[:160]})"}}
    return {"id": entry_id, "name": text if text.isascii() else text, "name_zh": zh,
            "aliases": [], "layer": DRAFT_LAYERS.get(kind, "reported-sites"),
            "provinces": [mention["province"]],
            "description": f"TODO: describe in our own words ({kind.replace('_', ' ')}).",
            "geometry": geometry,
            "sources": [{"document": doc_key, "mention": text}]}


def _ref(mention: dict) -> dict:
    ref = {"place": None, "province": mention["province"]}
    basis = mention.get("basis", "")
    zh = re.search(r"(?:Seat of|boundary of) ([\u4e00-\u9fff]+)", basis)
    level = re.search(r"\((province|prefecture-level unit|county-level unit)", basis)
    if zh and not zh.group(1) == mention["province"]:
        ref["place"] = zh.group(1)
    if level:
        ref["level"] = {"province": "province", "prefecture-level unit": "prefecture",
                        "county-level unit": "county"}[level.group(1)]
    if ref.get("level") == "province" or ref["place"] is None:
        ref.pop("place")
        ref.pop("level", None)
    return ref


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():
        from pypinyin import lazy_pinyin
        text = " ".join(lazy_pinyin(text))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
