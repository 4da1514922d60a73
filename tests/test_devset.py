"""The development set (data/devset) and its scorer (geo.devset).

The scorer is checked on tiny hand-made passages whose right answers can be worked out by
hand; the real annotation files are checked against the installed gazetteer, and the seed
documents' digests and offsets where the seeds are present (CI has them; a clean clone not).
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from geo import devset
from geo.devset import (DEFAULT_SEEDS_DIR, DEVSET_DIR, DevsetError, GoldMention, Passage,
                        SeedsMissing, attach_seed_texts, check_gold, check_offsets,
                        derive_locations, haversine_km, load_devset, read_group, run_parser,
                        score)
from geo.gazetteer import AdminUnit, Gazetteer, Place, default_gazetteer

# -- a tiny world ----------------------------------------------------------------------------

TEXT = "Jingzhou in Hubei and Pingxiang near Vietnam; the Hefei Metropolitan Circle; Yangtze River."


def _gold(text, start_word, kind, gold, province=None, lon=None, lat=None, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(start_word, start + 1)
    return GoldMention(start, start + len(start_word), start_word, kind, gold,
                       province=province, lon=lon, lat=lat)


def _passage(mentions, text=TEXT, pid="p1", language="en"):
    return Passage(pid, "en", language, text, mentions)


GOLD = [
    _gold(TEXT, "Jingzhou", "prefecture", {"adcode": "421000"}, "Hubei", 112.2, 30.3),
    _gold(TEXT, "Hubei", "province", {"adcode": "420000"}, "Hubei", 112.3, 31.0),
    _gold(TEXT, "Pingxiang", "county", {"adcode": "451481"}, "Guangxi", 106.75, 22.1),
    _gold(TEXT, "Vietnam", "country", {"province": None, "geonameid": 1562822}),
    _gold(TEXT, "Hefei Metropolitan Circle", "region_or_belt",
          {"province": "Anhui", "geonameid": 1808722}, "Anhui", 117.28, 31.86),
    _gold(TEXT, "Yangtze River", "river", {"province": None}),
]


def _pred(g, **over):
    out = {"start": g.start, "end": g.end, "text": g.text, "kind": g.kind,
           "province": g.province, "adcode": g.gold.get("adcode"),
           "geonameid": g.gold.get("geonameid"), "lon": g.lon, "lat": g.lat}
    out.update(over)
    return out


def test_perfect_answers_score_one():
    p = _passage(GOLD)
    report = score([p], {"p1": [_pred(g) for g in GOLD]})
    assert report["spans"]["overall"]["f1"] == 1.0
    res = report["resolution"]
    # The river has no province and no point: matched, but not scored for resolution.
    assert (res["matched"], res["scored"], res["correct"]) == (6, 5, 5)
    assert res["wrong_province"] == 0
    assert report["errors"] == []


def test_span_precision_recall_are_exact_match_only():
    p = _passage(GOLD)
    jingzhou, hubei = GOLD[0], GOLD[1]
    preds = [_pred(jingzhou),
             _pred(hubei, start=hubei.start - 3),   # "in Hubei": a different span
             {"start": 0, "end": 3, "text": "Jin", "kind": "other"}]
    spans = score([p], {"p1": preds})["spans"]["overall"]
    assert (spans["tp"], spans["predicted"], spans["gold"]) == (1, 3, 6)
    assert spans["precision"] == pytest.approx(1 / 3)
    assert spans["recall"] == pytest.approx(1 / 6)
    assert spans["f1"] == pytest.approx(2 * (1 / 3) * (1 / 6) / (1 / 3 + 1 / 6))


def test_per_kind_scores_need_the_right_kind():
    p = _passage(GOLD)
    preds = [_pred(GOLD[0], kind="county")]     # right span, wrong kind
    report = score([p], {"p1": preds})
    assert report["spans"]["overall"]["tp"] == 1
    by_kind = report["spans"]["by_kind"]
    assert by_kind["prefecture"]["recall"] == 0.0
    assert by_kind["county"]["precision"] == 0.0
    assert report["kind_accuracy"]["correct"] == 0
    assert [e["error"] for e in report["errors"] if e["start"] == GOLD[0].start] == ["wrong_kind"]


def test_administrative_units_need_the_same_adcode():
    p = _passage(GOLD)
    # Right point, but the adcode of another Jingzhou-like unit: wrong.
    preds = [_pred(GOLD[0], adcode="421003")]
    res = score([p], {"p1": preds})["resolution"]
    assert (res["scored"], res["correct"]) == (1, 0)


def test_other_places_need_the_province_and_30_km():
    circle = GOLD[4]
    p = _passage([circle])
    # About 25 km east of the gold point: still right.
    near = _pred(circle, lon=circle.lon + 0.264)
    assert 20 < haversine_km(circle.lon, circle.lat, near["lon"], near["lat"]) < 30
    assert score([p], {"p1": [near]})["resolution"]["correct"] == 1
    # About 50 km away: wrong, but within 161 km.
    far = _pred(circle, lon=circle.lon + 0.53)
    res = score([p], {"p1": [far]})["resolution"]
    assert res["correct"] == 0
    assert res["acc_at_161km"] == {"with_points": 1, "within": 1, "accuracy": 1.0}
    # Right point, wrong province: wrong, and counted as a wrong-province answer.
    res = score([p], {"p1": [_pred(circle, province="Jiangsu")]})["resolution"]
    assert res["correct"] == 0 and res["wrong_province"] == 1
    assert res["wrong_province_answers"][0]["text"] == "Hefei Metropolitan Circle"


def test_no_province_given_is_not_a_wrong_province_answer():
    pingxiang = GOLD[2]
    p = _passage([pingxiang])
    res = score([p], {"p1": [_pred(pingxiang, province=None, adcode=None, lon=None, lat=None)]})
    res = res["resolution"]
    assert res["correct"] == 0 and res["wrong_province"] == 0


def test_countries_need_their_geonameid_and_no_province():
    vietnam = GOLD[3]
    p = _passage([vietnam])
    assert score([p], {"p1": [_pred(vietnam)]})["resolution"]["correct"] == 1
    res = score([p], {"p1": [_pred(vietnam, geonameid=1566083)]})["resolution"]
    assert res["correct"] == 0


def test_province_only_gold_is_scored_on_the_province():
    zone = GoldMention(0, 8, "Jingzhou", "development_zone", {"province": "Hubei"}, province="Hubei")
    p = _passage([zone])
    assert score([p], {"p1": [{"start": 0, "end": 8, "kind": "development_zone",
                               "province": "Hubei", "lon": 1.0, "lat": 1.0}]}
                 )["resolution"]["correct"] == 1
    assert score([p], {"p1": [{"start": 0, "end": 8, "kind": "development_zone",
                               "province": "Hunan"}]})["resolution"]["correct"] == 0


def test_scores_are_kept_per_language():
    en = _passage(GOLD[:2], pid="e")
    zh_text = "湖北省荆州市"
    zh = Passage("z", "zh", "zh", zh_text, [
        GoldMention(0, 3, "湖北省", "province", {"adcode": "420000"}, province="Hubei"),
        GoldMention(3, 6, "荆州市", "prefecture", {"adcode": "421000"}, province="Hubei")])
    preds = {"e": [_pred(g) for g in GOLD[:2]],
             "z": [{"start": 0, "end": 6, "kind": "prefecture"}]}   # one span for the chain
    by_lang = score([en, zh], preds)["spans"]["by_language"]
    assert by_lang["en"]["f1"] == 1.0
    assert (by_lang["zh"]["tp"], by_lang["zh"]["predicted"], by_lang["zh"]["gold"]) == (0, 1, 2)


def test_errors_list_misses_and_spurious_spans_with_context():
    p = _passage(GOLD[:1])
    report = score([p], {"p1": [{"start": 0, "end": 3, "kind": "other"}]})
    kinds = sorted(e["error"] for e in report["errors"])
    assert kinds == ["missed", "spurious"]
    missed = next(e for e in report["errors"] if e["error"] == "missed")
    assert missed["context"].startswith("[Jingzhou]")


# -- running a parser --------------------------------------------------------------------------

class _EchoParser:
    """Answers with the gold mentions of the passage it is given; raises on one text."""

    def __init__(self, passages):
        self.by_text = {p.text: p for p in passages}

    def extract(self, text, lang="auto"):
        if text == "boom":
            raise RuntimeError("parser bug")
        p = self.by_text[text]
        return {"language": p.language, "mentions": [_pred(g) for g in p.mentions]}


def test_run_parser_collects_predictions_time_and_failures():
    good = _passage(GOLD)
    bad = Passage("p2", "en", "en", "boom", [])
    run = run_parser(_EchoParser([good]), [good, bad], repeat=2)
    assert run.failures == {"p2": "RuntimeError: parser bug"}
    assert run.predictions["p2"] == []
    assert run.characters == len(TEXT) + 4
    assert run.seconds > 0
    assert score([good, bad], run.predictions)["spans"]["overall"]["f1"] == 1.0


# -- reading and checking files ----------------------------------------------------------------

def _write(tmp_path, name, objs):
    path = tmp_path / name
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs), "utf-8")
    return path


def test_malformed_lines_are_reported_with_their_line_number(tmp_path):
    path = tmp_path / "en.jsonl"
    path.write_text('{"id": "a", "language": "en", "text": "x", "mentions": []}\nnot json\n'
                    '{"id": "b", "language": "fr", "text": "x", "mentions": []}\n', "utf-8")
    with pytest.raises(DevsetError) as err:
        read_group(str(path))
    problems = err.value.problems
    assert problems[0].startswith("en.jsonl:2: not JSON")
    assert problems[1].startswith("en.jsonl:3: language 'fr'")


def test_offsets_must_match_the_text():
    p = Passage("x", "en", "en", "Wuhan and Hubei", [
        GoldMention(0, 5, "Wuhan", "prefecture", {"adcode": "420100"}),
        GoldMention(10, 15, "Hubey", "province", {"adcode": "420000"}),
        GoldMention(3, 8, "an an", "mountain", {"province": None}),
        GoldMention(10, 15, "Hubei", "planet", {"province": None})])
    problems = "\n".join(check_offsets([p]))
    assert "the text there is 'Hubei'" in problems
    assert "overlaps the previous mention" in problems
    assert "kind 'planet' is not one of" in problems


def _seed_file(tmp_path, content="Hubei\n"):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "000_test.txt").write_text(content, "utf-8")
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    obj = {"id": "seed-test", "language": "en", "file": "000_test.txt", "sha256": digest,
           "source": {}, "mentions": [{"start": 0, "end": 5, "text": "Hubei", "kind": "province",
                                       "gold": {"adcode": "420000"}}]}
    return seeds, obj


def test_seed_text_is_read_and_its_digest_checked(tmp_path):
    seeds, obj = _seed_file(tmp_path)
    _write(tmp_path, "seeds.jsonl", [obj])
    passages, absent = load_devset(str(tmp_path), str(seeds))
    assert absent is None
    assert passages[0].text == "Hubei\n"
    assert check_offsets(passages) == []

    (seeds / "000_test.txt").write_text("Hunan\n", "utf-8")
    with pytest.raises(DevsetError, match="has SHA-256 .* the annotations are for"):
        load_devset(str(tmp_path), str(seeds))


def test_absent_seeds_are_left_out_with_a_clear_message(tmp_path):
    _, obj = _seed_file(tmp_path)
    _write(tmp_path, "seeds.jsonl", [obj])
    _write(tmp_path, "en.jsonl", [{"id": "e", "language": "en", "text": "Hubei", "mentions": []}])
    passages, absent = load_devset(str(tmp_path), str(tmp_path / "nowhere"))
    assert [p.id for p in passages] == ["e"]
    assert "seed documents are not available" in absent and "--seeds DIR" in absent
    with pytest.raises(SeedsMissing):
        attach_seed_texts(read_group(str(tmp_path / "seeds.jsonl")), str(tmp_path / "nowhere"))


def test_a_seed_file_name_cannot_leave_the_seeds_directory(tmp_path):
    seeds, obj = _seed_file(tmp_path)
    (tmp_path / "secret.txt").write_text("Hubei\n", "utf-8")
    obj["file"] = "../secret.txt"
    _write(tmp_path, "seeds.jsonl", [obj])
    with pytest.raises(SeedsMissing, match="not found"):
        attach_seed_texts(read_group(str(tmp_path / "seeds.jsonl")), str(seeds))


def test_check_gold_names_unknown_and_contradictory_ids():
    gz = Gazetteer(
        units=[AdminUnit("420000", "湖北省", "province", "湖北省"),
               AdminUnit("421000", "荆州市", "prefecture", "湖北省")],
        places=[Place(1, "Jingzhou", 112.2, 30.3, "CN", "12", names_zh=("荆州市",)),
                Place(2, "Hanoi", 105.8, 21.0, "VN", "44")])
    p = Passage("x", "en", "en", "Jingzhou Jingzhou Hanoi Hanoi Wuhan", [
        GoldMention(0, 8, "Jingzhou", "county", {"adcode": "421000"}),
        GoldMention(9, 17, "Jingzhou", "lab_or_facility", {"province": "Hunan", "adcode": "421000"}),
        GoldMention(18, 23, "Hanoi", "foreign_city", {"province": "Hubei", "geonameid": 2}),
        GoldMention(24, 29, "Hanoi", "foreign_city", {"province": None, "geonameid": 99}),
        GoldMention(30, 35, "Wuhan", "prefecture", {"province": "Hubei"})])
    problems = "\n".join(check_gold([p], gz))
    assert "kind county but adcode 421000 (荆州市) is a prefecture" in problems
    assert "province Hunan but adcode 421000 (荆州市) is in Hubei" in problems
    assert "Hanoi is in VN, not in Hubei" in problems
    assert "geonameid 99 not in the installed GeoNames" in problems
    assert "an administrative unit needs its adcode" in problems


# -- the real development set --------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_passages():
    """Every passage of data/devset; the seeds without text when ../shared is absent."""
    passages = []
    for name in devset.GROUP_FILES:
        passages += read_group(os.path.join(DEVSET_DIR, name))
    return passages


def test_the_devset_has_the_passages_the_issue_asks_for(real_passages):
    groups = {}
    for p in real_passages:
        groups.setdefault(p.group, []).append(p)
    assert len(groups["seeds"]) == 5
    assert len(groups["en"]) >= 20 and all(p.language == "en" for p in groups["en"])
    assert len(groups["zh"]) >= 10 and all(p.language == "zh" for p in groups["zh"])
    for p in groups["en"] + groups["zh"]:
        assert p.source.get("url") and p.source.get("title") and p.source.get("publisher"), p.id
        assert 150 <= len(p.text) <= 2500, (p.id, len(p.text))
    ids = [p.id for p in real_passages]
    assert len(ids) == len(set(ids))
    kinds = {m.kind for p in real_passages for m in p.mentions}
    assert kinds == set(devset.KINDS)


def test_passage_offsets_are_right(real_passages):
    with_text = [p for p in real_passages if p.text is not None]
    assert check_offsets(with_text) == []


def test_every_gold_id_is_in_the_installed_gazetteer(real_passages):
    gazetteer = default_gazetteer()
    assert check_gold(real_passages, gazetteer) == []
    derive_locations(real_passages, gazetteer)
    for p in real_passages:
        for m in p.mentions:
            g = m.gold
            if ("adcode" in g or "geonameid" in g) and m.kind != "country":
                assert m.lon is not None, (p.id, m.text)
            if m.province is not None and m.lon is not None:
                assert 73 < m.lon < 135 and 18 < m.lat < 54, (p.id, m.text)


def test_a_municipality_is_one_territory_under_two_codes():
    text = "Shanghai City and Hunan"
    p = Passage("m", "en", "en", text, [
        GoldMention(0, 13, "Shanghai City", "province", {"adcode": "310000"}),
        GoldMention(18, 23, "Hunan", "province", {"adcode": "430000"})])
    derive_locations([p], default_gazetteer())
    preds = [{"start": 0, "end": 13, "kind": "prefecture", "adcode": "310100", "province": "Shanghai"},
             {"start": 18, "end": 23, "kind": "province", "adcode": "430100", "province": "Hunan"}]
    res = score([p], {"m": preds})["resolution"]
    # Shanghai's 310000 and 310100 are the same territory; Hunan and Changsha are not.
    assert (res["scored"], res["correct"]) == (2, 1)


def test_the_seed_texts_are_not_in_the_repository(real_passages):
    for p in real_passages:
        if p.group == "seeds":
            assert p.text is None and p.file and len(p.sha256) == 64
    with open(os.path.join(DEVSET_DIR, "seeds.jsonl"), encoding="utf-8") as fh:
        objs = [json.loads(line) for line in fh if line.strip()]
    # Only the short spans as written are stored, never the documents' text.
    assert all("text" not in obj for obj in objs)
    assert max(len(m["text"]) for obj in objs for m in obj["mentions"]) < 90


@pytest.mark.skipif(not os.path.isdir(DEFAULT_SEEDS_DIR),
                    reason="the seed documents live in ../shared/seeds, absent from a clean clone")
def test_the_seed_annotations_fit_the_seed_documents():
    passages, absent = load_devset(DEVSET_DIR, DEFAULT_SEEDS_DIR, groups=("seeds.jsonl",))
    assert absent is None and len(passages) == 5
    assert check_offsets(passages) == []


# -- locating new annotations --------------------------------------------------------------------

def test_locate_mentions_fills_offsets_by_occurrence_and_longest_first():
    obj = {"id": "n", "text": "Hubei Province borders Hunan; Hubei and Hubeiland; 湖北省荆州市",
           "mentions": [{"text": "Hubei", "kind": "province"},
                        {"text": "Hubei Province", "kind": "province"},
                        {"text": "荆州市", "kind": "prefecture"},
                        {"text": "Hunan", "kind": "province", "start": 23, "end": 28}]}
    assert devset.locate_mentions(obj) == []
    got = [(m["text"], m["start"], m["end"]) for m in obj["mentions"]]
    # "Hubei Province" took the first "Hubei"; "Hubei" is the next free whole word, not "Hubeiland".
    assert got == [("Hubei Province", 0, 14), ("Hunan", 23, 28), ("Hubei", 30, 35), ("荆州市", 54, 57)]
    assert all(obj["text"][s:e] == t for t, s, e in got)


def test_locate_mentions_reports_what_it_cannot_find():
    obj = {"id": "n", "text": "Wuhan and Wuhan",
           "mentions": [{"text": "Wuhan", "occurrence": 3}, {"text": "Hankou"}]}
    problems = devset.locate_mentions(obj)
    assert "'Wuhan' occurrence 3 not found (2 free occurrence(s))" in problems[1] + problems[0]
    assert any("'Hankou'" in p for p in problems)
    assert all("start" not in m for m in obj["mentions"])


def test_devset_locate_script_writes_only_when_every_span_is_found(tmp_path):
    import subprocess
    import sys as _sys
    script = os.path.join(os.path.dirname(DEVSET_DIR), "..", "scripts", "devset_locate.py")
    path = tmp_path / "en.jsonl"
    good = {"id": "a", "language": "en", "text": "Jingzhou in Hubei", "mentions": [
        {"text": "Hubei", "kind": "province", "gold": {"adcode": "420000"}}]}
    path.write_text(json.dumps(good) + "\n", "utf-8")
    run = subprocess.run([_sys.executable, script, str(path), "--write"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(path.read_text("utf-8"))["mentions"][0]["start"] == 12
    bad = dict(good, mentions=[{"text": "Hunan", "kind": "province", "gold": {}}])
    path.write_text(json.dumps(bad) + "\n", "utf-8")
    run = subprocess.run([_sys.executable, script, str(path), "--write"], capture_output=True, text=True)
    assert run.returncode == 1 and "'Hunan' occurrence 1 not found" in run.stderr
    assert json.loads(path.read_text("utf-8")) == bad
