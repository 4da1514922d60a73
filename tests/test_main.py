"""The command line: exit codes and messages (python -m geo ...)."""

import subprocess
import sys

from catalog_factory import entry, write_catalog
from geo.__main__ import main


def test_validate_ok_and_failing(tmp_path, capsys):
    good = write_catalog(tmp_path / "good", [entry("a", {"point": {"place": "Zhengzhou",
                                                                   "province": "Henan"}})])
    assert main(["validate", "--catalog", good]) == 0
    assert "catalog OK: 1 entries" in capsys.readouterr().out
    bad = write_catalog(tmp_path / "bad", [entry("a", {"point": {"place": "Zhengzhou"}})])
    assert main(["validate", "--catalog", bad]) == 1
    assert "entry 'a': point: 'Zhengzhou' needs a province" in capsys.readouterr().err


def test_geocode_lists_candidates_and_fails_on_unknown(capsys):
    assert main(["geocode", "Yichang", "--province", "Hubei"]) == 0
    out = capsys.readouterr().out
    assert "宜昌市" in out and "adcode 420500" in out and "precision 3" in out
    assert main(["geocode", "Yichang", "--province", "Henan"]) == 1
    assert "no place 'Yichang' in Henan" in capsys.readouterr().err


def test_build_stops_on_a_bad_catalog_and_writes_nothing(tmp_path):
    bad = write_catalog(tmp_path / "cat", [entry("ghost", {"point": {"place": "Nowhere",
                                                                     "province": "Henan"}})])
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "geo", "build", "--catalog", bad, "--out",
                          str(out)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "entry 'ghost': no place 'Nowhere' in Henan" in run.stderr
    assert "previous outputs left untouched" in run.stderr and "Traceback" not in run.stderr
    assert not out.exists()


def _extract(*args):
    return subprocess.run([sys.executable, "-m", "geo", "extract", *args], capture_output=True,
                          text=True, timeout=600, cwd=str(__import__("pathlib").Path(__file__).parents[1]))


def test_extract_jsonl_in_input_order_with_html_text(tmp_path):
    import json
    a = tmp_path / "a.txt"
    a.write_text("Jingzhou in Hubei", encoding="utf-8")
    b = tmp_path / "b.html"
    b.write_text("<p>湖北省<script>x</script>宜昌市</p>", encoding="utf-8")
    run = _extract(str(b), str(a))
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["path"] for r in rows] == [str(b), str(a)]
    assert rows[0]["language"] == "zh" and rows[0]["text"] == "湖北省宜昌市\n"
    assert [m["text"] for m in rows[0]["mentions"]] == ["湖北省", "宜昌市"]
    assert "text" not in rows[1] and rows[1]["mentions"][0]["province"] == "Hubei"


def test_extract_bad_files_one_line_each_exit_2_no_traceback(tmp_path):
    good = tmp_path / "ok.md"
    good.write_text("Hefei", encoding="utf-8")
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("合肥".encode("gbk"))
    run = _extract(str(bad), str(good), str(tmp_path / "missing.pdf"))
    assert run.returncode == 2
    err = run.stderr.strip().splitlines()
    assert len(err) == 2 and "gbk.txt" in err[0] and "missing.pdf" in err[1]
    assert "Traceback" not in run.stderr
    assert len(run.stdout.splitlines()) == 1  # the good file is still mapped


def test_extract_geojson_and_catalog_formats(tmp_path):
    import json

    import yaml
    doc = tmp_path / "d.txt"
    doc.write_text("The Yichang High-tech Zone and Xiangyang in Hubei.", encoding="utf-8")
    run = _extract("--format", "geojson", str(doc))
    assert run.returncode == 0, run.stderr
    fc = json.loads(run.stdout)
    assert fc["type"] == "FeatureCollection" and fc["features"]
    run = _extract("--format", "catalog", "--lang", "en", str(doc))
    assert run.returncode == 0, run.stderr
    assert all(e["id"].startswith("draft-") for e in yaml.safe_load(run.stdout))
