"""The gazetteer: package data read correctly, and unreadable data reported clearly."""

import json

import pytest

from geo.gazetteer import (AdminUnit, GazetteerError, _read_geonames, _read_unit_index, ascii_key,
                           default_gazetteer, is_chinese, zh_short)


def test_keys_and_short_names():
    assert ascii_key("Ma'anshan") == ascii_key("Maanshan") == ascii_key("Ma-an-shan")
    assert ascii_key("Lu’an") == "luan" and ascii_key("Ürümqi") == "urumqi"
    assert zh_short("宜昌市") == "宜昌" and zh_short("江夏区") == "江夏"
    assert zh_short("恩施土家族苗族自治州") == "恩施土家族苗族" and zh_short("县") == "县"
    assert is_chinese("郑州") and not is_chinese("Zhengzhou")


def test_package_gazetteer_has_every_level_and_derives_admin1_codes():
    gz = default_gazetteer()
    levels = {u.level for u in gz.units}
    assert levels == {"province", "prefecture", "county"}
    assert sum(u.level == "province" for u in gz.units) == 34
    # The codes the planning notes list, derived here from the records themselves
    codes = {p: gz.admin1_of_province[z] for p, z in
             [("Anhui", "安徽省"), ("Jiangxi", "江西省"), ("Henan", "河南省"), ("Hunan", "湖南省"),
              ("Hubei", "湖北省"), ("Shanxi", "山西省"), ("Shaanxi", "陕西省")]}
    assert codes == {"Anhui": "01", "Jiangxi": "03", "Henan": "09", "Hunan": "11",
                     "Hubei": "12", "Shanxi": "24", "Shaanxi": "26"}


def test_counties_of_a_prefecture_tile_it():
    gz = default_gazetteer()
    zhengzhou = next(u for u in gz.units_by_name["郑州市"] if u.level == "prefecture")
    counties = gz.counties(zhengzhou)
    assert len(counties) == 12 and all(c.prefecture_zh == "郑州市" for c in counties)
    union = __import__("shapely").union_all(gz.boundaries([c.adcode for c in counties]))
    whole = gz.boundary(zhengzhou.adcode)
    assert union.symmetric_difference(whole).area < 0.001 * whole.area
    assert gz.counties(AdminUnit("x", "某县", "county", "河南省", "郑州市")) != []


def test_boundaries_are_converted_to_wgs84():
    gz = default_gazetteer()
    raw = gz.raw_boundaries(["410100"])[0]
    wgs = gz.boundary("410100")
    dx = raw.centroid.x - wgs.centroid.x
    assert 0.003 < dx < 0.008  # GCJ-02 lies 500-700 m east of WGS84 here


def test_corrupt_boundary_index_is_a_clear_error(tmp_path):
    bad = tmp_path / "administrative.db"
    bad.write_bytes(b"this is not sqlite")
    with pytest.raises(GazetteerError, match="cannot read boundary index"):
        _read_unit_index(str(bad))
    with pytest.raises(GazetteerError, match="boundary index not found"):
        _read_unit_index(str(tmp_path / "missing.db"))


def test_corrupt_geonames_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "cities500.json"
    bad.write_text('{"1": {"geonameid": 1, "name": ')
    with pytest.raises(GazetteerError, match="cannot read GeoNames cities"):
        _read_geonames(15000, str(bad))
    good = tmp_path / "ok.json"
    good.write_text(json.dumps({"1": {"geonameid": 1, "name": "A", "latitude": 1, "longitude": 2,
                                      "countrycode": "CN", "population": 0,
                                      "admin1code": "09", "alternatenames": ["甲", "A1"]}}))
    (place,) = _read_geonames(15000, str(good))
    assert place.names_zh == ("甲",) and place.names_ascii == ("A1",) and place.lon == 2


def test_missing_boundary_file_is_a_clear_error():
    gz = default_gazetteer()
    with pytest.raises(GazetteerError, match="no unit with adcode '999999'"):
        gz.raw_boundaries(["999999"])
