"""The build on small catalogs with the real gazetteer: errors name the entry and write nothing."""

import json
import os

import pytest
import shapely
from shapely.geometry import Point, shape

from catalog_factory import entry, write_catalog
from geo import build as build_mod
from geo.build import BuildError, build_and_write
from geo.catalog import CatalogError
from geo.contract import check_feature_collection
from geo.export import LOCK
from geo.gazetteer import GazetteerError, default_gazetteer


def quiet(_message):
    pass


def run(catalog, out):
    return build_and_write(catalog, str(out), gazetteer=default_gazetteer(), progress=quiet)


def snapshot(folder):
    out = {}
    for base, _, files in os.walk(folder):
        for name in files:
            if name == LOCK:  # the build lock's file: empty, and not an output
                continue
            path = os.path.join(base, name)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, folder)] = fh.read()
    return out


ZHENGZHOU = {"area": {"members": [{"place": "郑州市", "province": "Henan"}], "basis": "Test."}}
KAIFENG = {"area": {"members": [{"place": "开封市", "province": "Henan"}], "basis": "Test."}}
GOOD = [
    entry("hub", {"point": {"place": "Zhengzhou", "province": "Henan"}}),
    entry("lab", {"site": {"host": {"place": "江岸区", "province": "Hubei"},
                           "basis": "Test basis."}}),
    entry("big", {"site": {"host": {"place": "浦东新区", "province": "Shanghai"},
                           "basis": "Test basis."}}),
    entry("zz", ZHENGZHOU, "areas"),
    entry("kf", KAIFENG, "areas"),
    entry("route", {"line": {"through": [{"place": "Zhengzhou", "province": "Henan"},
                                         {"place": "Luxembourg", "country": "LU"}],
                             "basis": "Test.", "great_circle": True}}, "points"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("build")
    catalog = write_catalog(root / "catalog", GOOD)
    result = run(catalog, root / "out")
    return root, catalog, result


def test_outputs_meet_the_contract(built):
    root, _, result = built
    with open(root / "out" / "locations.geojson", encoding="utf-8") as fh:
        fc = json.load(fh)
    assert check_feature_collection(fc) == []
    assert [f["id"] for f in fc["features"]] == ["hub", "lab", "big", "zz", "kf", "route"]
    index = json.loads((root / "out" / "layers" / "index.json").read_text())
    assert [l["id"] for l in index["layers"]] == ["points", "areas"]
    assert index["layers"][1]["count"] == 2
    assert set(index["layers"][1]["geometry_types"]) <= {"Polygon", "MultiPolygon"}
    assert index["themes"] == [{"id": "t1", "title": "Theme one", "colour": "#123456",
                                "layers": ["points", "areas"]}]
    areas = json.loads((root / "out" / "layers" / "areas.geojson").read_text())
    assert [f["id"] for f in areas["features"]] == ["zz", "kf"]
    base = json.loads((root / "out" / "base" / "provinces.geojson").read_text())
    assert len(base["features"]) == 34
    for f in base["features"]:
        geom = shape(f["geometry"])
        assert geom.is_valid and f["properties"]["name"] and f["properties"]["adcode"]


def test_feature_properties(built):
    _, _, result = built
    by_id = {f["id"]: f for f in result.features}
    hub = by_id["hub"]["properties"]
    assert hub["precision"] == 3 and hub["gazetteer"] == {"geonameid": 1784658, "adcode": "410100"}
    assert hub["sources"][0] == {"document": "000_test.txt", "title": "A test document",
                                 "publisher": "Test Press", "date": "2021-11-05",
                                 "mention": "mention of hub"}
    lab = by_id["lab"]["properties"]
    assert lab["precision"] == 2 and "江岸区" in lab["geometry_basis"]
    big = by_id["big"]["properties"]  # Pudong reaches far beyond 25 km from its seat
    assert big["precision"] == 3 and "beyond the 25 km" in big["geometry_basis"]
    route = by_id["route"]
    assert route["properties"]["schematic"] and route["properties"]["precision"] == 5
    assert len(route["geometry"]["coordinates"]) > 100  # densified great circle
    assert [m["name"] for m in route["properties"]["members"]] == ["Zhengzhou", "Luxembourg"]
    zz = by_id["zz"]["properties"]
    assert zz["members"][0]["adcode"] == "410100" and zz["precision"] == 3


def test_area_covers_its_seat_and_not_the_neighbours(built):
    _, _, result = built
    by_id = {f["id"]: shape(f["geometry"]) for f in result.features}
    zhengzhou, kaifeng = Point(113.64861, 34.75778), Point(114.30742, 34.79726)
    assert by_id["zz"].contains(zhengzhou) and not by_id["zz"].contains(kaifeng)
    assert by_id["kf"].contains(kaifeng) and not by_id["kf"].contains(zhengzhou)


def test_neighbouring_areas_share_their_border_exactly(built):
    _, _, result = built
    by_id = {f["id"]: shape(f["geometry"]) for f in result.features}
    zz, kf = by_id["zz"], by_id["kf"]
    assert zz.intersection(kf).area < 1e-9  # no overlap
    shared = zz.boundary.intersection(kf.boundary)
    assert shared.length > 0.5  # tens of km of common border, not a gap
    assert shapely.union(zz, kf).geom_type == "Polygon"  # no sliver between them


def test_second_build_is_byte_identical(built, tmp_path):
    root, catalog, _ = built
    run(catalog, tmp_path)
    assert snapshot(tmp_path) == snapshot(root / "out")


@pytest.mark.parametrize("bad, expected", [
    (entry("ghost", {"point": {"place": "Atlantis City", "province": "Henan"}}),
     "entry 'ghost': no place 'Atlantis City' in Henan"),
    (entry("twin", {"point": {"place": "Taiyuan", "province": "Henan"}}),
     "the name exists in: Jinyuan (Shanxi), Taiyuan (Anhui)"),
    (entry("village", {"area": {"members": [{"place": "Luoyang", "province": "Hubei"}],
                                "basis": "x"}}, "areas"),
     "is a populated place, not an administrative unit"),
])
def test_unresolvable_entry_stops_the_build_and_leaves_outputs(built, tmp_path, bad, expected):
    root, _, _ = built
    before = snapshot(root / "out")
    catalog = write_catalog(tmp_path / "catalog", GOOD + [bad])
    with pytest.raises(BuildError) as err:
        run(catalog, root / "out")
    assert expected in str(err.value) and "places/test.yaml" in str(err.value)
    assert snapshot(root / "out") == before


def test_ambiguous_reference_lists_candidates(tmp_path):
    # Nanjing and Xuzhou each have a 鼓楼区; GeoNames has two villages called Hekou in Jiangsu
    catalog = write_catalog(tmp_path / "c", [
        entry("amb", {"point": {"place": "鼓楼区", "province": "Jiangsu"}}),
        entry("amb2", {"point": {"place": "Hekou", "province": "Jiangsu"}})])
    with pytest.raises(BuildError) as err:
        run(catalog, tmp_path / "out")
    text = str(err.value)
    assert "entry 'amb': '鼓楼区' in Jiangsu is ambiguous: 2 candidates" in text
    assert "adcode 320106" in text and "adcode 320302" in text
    assert "entry 'amb2': 'Hekou' in Jiangsu is ambiguous" in text
    assert not (tmp_path / "out").exists()


POINT_ZZ = {"point": {"place": "Zhengzhou", "province": "Henan"}}


@pytest.mark.parametrize("places, expected", [
    ([entry("x", POINT_ZZ, layer="missing")], "entry 'x': unknown layer 'missing'"),
    ([entry("x", POINT_ZZ), entry("x", POINT_ZZ)], "entry 'x': duplicate id"),
    ([entry("x", POINT_ZZ, sources=[])], "entry 'x': missing sources"),
])
def test_catalog_errors_write_nothing(built, tmp_path, places, expected):
    root, _, _ = built
    before = snapshot(root / "out")
    with pytest.raises(CatalogError, match=expected):
        run(write_catalog(tmp_path / "bad-catalog", places), root / "out")
    assert snapshot(root / "out") == before


def test_unreadable_gazetteer_stops_the_build(built, monkeypatch):
    root, catalog, _ = built
    before = snapshot(root / "out")

    def broken():
        raise GazetteerError("cannot read GeoNames cities from /nowhere")

    monkeypatch.setattr(build_mod.Gazetteer, "from_packages", staticmethod(broken))
    with pytest.raises(BuildError, match="gazetteer: cannot read GeoNames"):
        build_and_write(catalog, str(root / "out"), progress=quiet)
    assert snapshot(root / "out") == before


def test_disk_error_while_writing_leaves_previous_outputs(built, monkeypatch):
    root, catalog, _ = built
    before = snapshot(root / "out")
    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space left"):
        run(catalog, root / "out")
    assert snapshot(root / "out") == before  # no temporary files left either


@pytest.mark.parametrize("after_s", [0.5, 3.0, 6.0])
def test_build_killed_at_any_moment_leaves_previous_or_complete_outputs(built, tmp_path, after_s):
    import signal
    import subprocess
    import sys
    import time

    from geo.export import recover

    root, catalog, _ = built
    out = tmp_path / "out"
    run(catalog, out)
    before = snapshot(out)
    changed = write_catalog(tmp_path / "changed", GOOD[:2])
    proc = subprocess.Popen([sys.executable, "-m", "geo", "build", "--catalog", changed,
                             "--out", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(after_s)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    recover(str(out))  # what the next build or the app's start-up does first
    after = snapshot(out)
    if after != before:  # it finished before the kill: then it must be the whole new set
        fc = json.loads(after["locations.geojson"])
        assert [f["id"] for f in fc["features"]] == ["hub", "lab"]
        assert "layers/areas.geojson" in after


def _build_cmd(catalog, out):
    import sys

    return [sys.executable, "-m", "geo", "build", "--catalog", str(catalog), "--out", str(out)]


def test_concurrent_builds_all_succeed_and_leave_one_whole_set(built, tmp_path):
    """Builds racing in one checkout: none fails (each waits for the lock), the outputs are whole."""
    import subprocess

    root, catalog, _ = built
    out = tmp_path / "out"
    procs = [subprocess.Popen(_build_cmd(catalog, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    for code, err in results:
        assert code == 0, err
        assert "Errno" not in err and "Traceback" not in err
    assert snapshot(out) == snapshot(root / "out")


def test_a_build_waits_for_one_holding_the_lock(built, tmp_path):
    import subprocess

    from geo.export import build_lock

    root, catalog, _ = built
    out = tmp_path / "out"
    with build_lock(str(out)):
        proc = subprocess.Popen(_build_cmd(catalog, out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        for line in proc.stderr:
            if "waiting" in line:
                assert f"another build is writing to {out}; waiting for it to finish" in line
                break
        else:
            raise AssertionError("the build never said it was waiting")
        assert proc.poll() is None and not (out / "locations.geojson").exists()
    assert proc.wait(timeout=120) == 0
    assert snapshot(out) == snapshot(root / "out")


def test_a_failed_swap_is_rolled_back_and_says_so(built, tmp_path, monkeypatch, capsys):
    """A rename that fails half-way through the swap: rolled back at once, and only then
    does the build say the previous outputs are untouched."""
    from geo import __main__ as cli
    from geo import export

    root, catalog, _ = built
    out = tmp_path / "out"
    run(catalog, out)
    before = snapshot(out)
    real_replace, count = os.replace, [0]

    def replace(src, dst):
        if export.TMP_MARK in src and export.JOURNAL not in dst:
            count[0] += 1
            if count[0] == 3:
                raise OSError(5, "Input/output error")
        real_replace(src, dst)

    changed = write_catalog(tmp_path / "changed", GOOD[:2])
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(build_mod, "Gazetteer", type("G", (), {"from_packages": staticmethod(default_gazetteer)}))
    assert cli.main(["build", "--catalog", changed, "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "Input/output error (rolled back); previous outputs left untouched" in err, err
    assert snapshot(out) == before
