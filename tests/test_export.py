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
