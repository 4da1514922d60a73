"""Writing outputs: all or nothing, deterministic JSON, stale layer files pruned."""

import os

import pytest
from shapely.geometry import Polygon

from geo import export


def test_geometry_json_rounds_to_six_decimals():
    g = export.geometry_json(Polygon([(0.12345678, 0), (1, 0), (1, 1.000000049)]))
    assert g["coordinates"][0][0] == [0.123457, 0.0] and g["coordinates"][0][2] == [1.0, 1.0]


def test_dumps_is_compact_utf8_and_stable():
    data = export.dumps({"name_zh": "郑州", "b": [1.5]})
    assert data == '{"name_zh":"郑州","b":[1.5]}\n'.encode("utf-8")


def test_bounds():
    feats = [{"geometry": {"type": "Point", "coordinates": [3, 4]}},
             {"geometry": {"type": "LineString", "coordinates": [[1, 5], [2, 2]]}}]
    assert export.bounds(feats) == [1, 2, 3, 5] and export.bounds([]) is None


def test_write_outputs_replaces_and_prunes(tmp_path):
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "gone.geojson").write_text("old")
    (tmp_path / "layers" / "keep.txt").write_text("not ours")
    export.write_outputs(str(tmp_path), {"a.geojson": b"A", "layers/x.geojson": b"X"},
                         prune={"layers": ".geojson"})
    assert (tmp_path / "a.geojson").read_bytes() == b"A"
    assert sorted(os.listdir(tmp_path / "layers")) == ["keep.txt", "x.geojson"]


def test_failed_write_keeps_previous_files_and_leaves_no_temporaries(tmp_path):
    (tmp_path / "a.geojson").write_bytes(b"previous")
    (tmp_path / "blocked").write_text("a file where a folder is needed")
    with pytest.raises(OSError):
        export.write_outputs(str(tmp_path), {"a.geojson": b"new", "blocked/b.geojson": b"B"})
    assert (tmp_path / "a.geojson").read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["a.geojson", "blocked"]


KILL_SCRIPT = """
import os, sys
from geo import export
real_replace, count = os.replace, [0]
def replace(src, dst):
    if export.TMP_MARK in src and export.JOURNAL not in dst:
        if count[0] == int(sys.argv[2]):
            os._exit(137)  # as abrupt as SIGKILL: no cleanup, no finally
        count[0] += 1
    real_replace(src, dst)
os.replace = replace
export.write_outputs(sys.argv[1], {"a.geojson": b"new a", "layers/b.geojson": b"new b",
                                   "layers/c.geojson": b"new c", "d.json": b"new d"})
"""


def snapshot(folder):
    out = {}
    for base, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(base, name)
            out[os.path.relpath(path, folder)] = open(path, "rb").read()
    return out


@pytest.mark.parametrize("killed_after", [0, 1, 3])
def test_kill_while_renaming_is_rolled_back_to_the_previous_outputs(tmp_path, killed_after):
    import subprocess
    import sys

    (tmp_path / "layers").mkdir()
    (tmp_path / "a.geojson").write_bytes(b"old a")
    (tmp_path / "layers" / "b.geojson").write_bytes(b"old b")
    before = snapshot(tmp_path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    run = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(tmp_path), str(killed_after)],
                         cwd=root, capture_output=True, text=True)
    assert run.returncode == 137, run.stderr
    assert (tmp_path / export.JOURNAL).exists()  # the swap was under way
    assert export.recover(str(tmp_path)) is True
    assert snapshot(tmp_path) == before
    # and the next write goes through on a clean slate
    export.write_outputs(str(tmp_path), {"a.geojson": b"next"})
    assert (tmp_path / "a.geojson").read_bytes() == b"next"
    assert not any(export.TMP_MARK in n or export.BAK_MARK in n for n in snapshot(tmp_path))


def test_recover_without_journal_only_removes_strays(tmp_path):
    (tmp_path / "a.geojson").write_bytes(b"A")
    (tmp_path / "a.geojson.tmp-123").write_bytes(b"half")
    (tmp_path / "a.geojson.bak-123").write_bytes(b"A")
    assert export.recover(str(tmp_path)) is False
    assert snapshot(tmp_path) == {"a.geojson": b"A"}
