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
