"""scripts/bench_parser.py end to end, with a stand-in parser (the real one is benchmarked by
running the script; here what is checked is the report, the options and the messages)."""

from __future__ import annotations

import importlib.util
import json
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PASSAGE = {
    "id": "e1", "language": "en", "source": {"url": "https://example.org", "title": "t", "publisher": "p"},
    "text": "Jingzhou in Hubei is not Jinzhou in Liaoning.",
    "mentions": [
        {"start": 0, "end": 8, "text": "Jingzhou", "kind": "prefecture", "gold": {"adcode": "421000"}},
        {"start": 12, "end": 17, "text": "Hubei", "kind": "province", "gold": {"adcode": "420000"}},
        {"start": 25, "end": 32, "text": "Jinzhou", "kind": "prefecture", "gold": {"adcode": "210700"}},
        {"start": 36, "end": 44, "text": "Liaoning", "kind": "province", "gold": {"adcode": "210000"}},
    ],
}


class _StandIn:
    """Finds every gold span; puts Jinzhou in the wrong province, confidently."""

    def extract(self, text, lang="auto"):
        out = []
        for m in PASSAGE["mentions"]:
            pred = {"start": m["start"], "end": m["end"], "text": m["text"], "kind": m["kind"],
                    "adcode": m["gold"]["adcode"], "confidence": 0.9}
            if m["text"] == "Jinzhou":
                pred.update(adcode="130183", province="Hebei")
            out.append(pred)
        return {"language": "en", "mentions": out}


@pytest.fixture
def bench(monkeypatch):
    fake = types.ModuleType("geo.parse")
    fake.load_parser = lambda: _StandIn()
    monkeypatch.setitem(sys.modules, "geo.parse", fake)
    spec = importlib.util.spec_from_file_location("bench_parser", REPO / "scripts" / "bench_parser.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def devset_dir(tmp_path):
    (tmp_path / "en.jsonl").write_text(json.dumps(PASSAGE) + "\n", "utf-8")
    return tmp_path


def test_json_report(bench, devset_dir, capsys):
    assert bench.main(["--devset", str(devset_dir), "--no-seeds", "--json", "--repeat", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["spans"]["overall"]["f1"] == 1.0
    res = report["resolution"]
    assert (res["scored"], res["correct"], res["wrong_province"]) == (4, 3, 1)
    assert res["wrong_province_answers"][0]["text"] == "Jinzhou"
    speed = report["speed"]
    assert speed["characters"] == len(PASSAGE["text"]) and speed["chars_per_second"] > 0
    assert speed["ratio_to_baseline"] > 0 and "regex word split" in speed["baseline"]
    assert "errors" not in report
    assert report["by_group"]["en"]["spans"]["f1"] == 1.0
    assert report["by_group"]["en"]["resolution"]["wrong_province"] == 1


def test_tables_and_error_list(bench, devset_dir, capsys):
    assert bench.main(["--devset", str(devset_dir), "--no-seeds", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "| all | 4 | 4 | 4 | 100.0% | 100.0% | 100.0% |" in out
    assert "Wrong-province answers: 1" in out and "gold Liaoning, parser Hebei" in out
    assert bench.main(["--devset", str(devset_dir), "--no-seeds", "--repeat", "1",
                       "--list-errors", "wrong_place"]) == 0
    out = capsys.readouterr().out
    assert "## wrong_place (1)" in out and "'Jinzhou'" in out and "adcode=130183" in out


def test_absent_seeds_are_named_and_the_rest_scored(bench, devset_dir, tmp_path, capsys):
    seeds = {"id": "seed-x", "language": "en", "file": "000_x.txt", "sha256": "0" * 64,
             "source": {}, "mentions": []}
    (devset_dir / "seeds.jsonl").write_text(json.dumps(seeds) + "\n", "utf-8")
    missing = tmp_path / "no-seeds-here"
    assert bench.main(["--devset", str(devset_dir), "--seeds", str(missing), "--json",
                       "--repeat", "1"]) == 0
    captured = capsys.readouterr()
    assert "seed documents are not available" in captured.err and str(missing) in captured.err
    assert json.loads(captured.out)["passages_by_group"] == {"en": 1}


def test_a_broken_devset_is_an_error_not_a_traceback(bench, tmp_path, capsys):
    (tmp_path / "en.jsonl").write_text("{not json\n", "utf-8")
    assert bench.main(["--devset", str(tmp_path), "--no-seeds"]) == 2
    assert "en.jsonl:1: not JSON" in capsys.readouterr().err
