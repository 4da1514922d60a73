"""Geocoder: province decides; unknown and ambiguous names are errors that list candidates."""

import time

import pytest
from shapely.geometry import box

from geo.gazetteer import AdminUnit, Gazetteer, Place, default_gazetteer
from geo.geocoder import (AmbiguousPlace, GeocodeError, Geocoder, PlaceRef, UnknownPlace,
                          unit_name_en)


@pytest.fixture(scope="module")
def real():
    return Geocoder(default_gazetteer())


def small_gazetteer():
    """Two provinces that both have a 'Xinzhou': a prefecture in one, a village in the other."""
    units = [
        AdminUnit("140000", "山西省", "province", "山西省"),
        AdminUnit("140900", "忻州市", "prefecture", "山西省"),
        AdminUnit("140902", "忻府区", "county", "山西省", "忻州市"),
        AdminUnit("420000", "湖北省", "province", "湖北省"),
        AdminUnit("420100", "武汉市", "prefecture", "湖北省"),
        AdminUnit("420116", "黄陂区", "county", "湖北省", "武汉市"),
        AdminUnit("420117", "新洲区", "county", "湖北省", "武汉市"),
    ]
    places = [
        Place(1, "Xinzhou", 112.7, 38.4, "CN", "24", 500000, ("忻州", "忻州市")),
        Place(2, "Xinzhou", 114.8, 30.8, "CN", "12", 0, ("新洲",)),
        Place(3, "Wuhan", 114.3, 30.6, "CN", "12", 9000000, ("武汉", "武汉市")),
        Place(4, "Wuhan Old Town", 114.2, 30.5, "CN", "12", 100, ("武汉市",)),
        Place(5, "Taiyuan", 112.5, 37.9, "CN", "24", 100, ("太原市",), ("Taiyuan",)),
        # more records so each province's admin1 code can be derived by vote
        Place(6, "Xinfu", 112.7, 38.4, "CN", "24", 0, ("忻府区",)),
        Place(7, "Huangpi", 114.4, 30.9, "CN", "12", 0, ("黄陂区",)),
        Place(8, "Xinzhou District", 114.8, 30.8, "CN", "12", 0, ("新洲区",)),
    ]
    boxes = {"140000": box(110, 34, 114, 40), "140900": box(111, 38, 114, 39.5),
             "140902": box(112.5, 38.2, 113, 38.6), "420000": box(108, 29, 116, 33),
             "420100": box(113.7, 29.9, 115.1, 31.4), "420116": box(114, 30.7, 114.6, 31.3),
             "420117": box(114.6, 30.4, 115.1, 31.2)}
    return Gazetteer(units, places, boundary_loader=boxes.__getitem__, boundary_datum="wgs84")


# -- real gazetteer: same-name places in different provinces ----------------------------------

@pytest.mark.parametrize("name, province, adcode", [
    ("Taiyuan", "Shanxi", "140100"), ("Luoyang", "Henan", "410300"),
    ("Jingzhou", "Hubei", "421000"), ("Yichun", "Jiangxi", "360900"),
    ("Yichun", "Heilongjiang", "230700"), ("Fuzhou", "Jiangxi", "361000"),
    ("Fuzhou", "Fujian", "350100"), ("Taizhou", "Zhejiang", "331000"),
    ("Taizhou", "Jiangsu", "321200")])
def test_same_name_resolves_by_province(real, name, province, adcode):
    match = real.geocode(PlaceRef(name, province))
    assert match.gazetteer["adcode"] == adcode
    assert match.province == province
    assert real.gazetteer.boundary(adcode).buffer(0.05).contains(
        __import__("shapely").Point(match.lon, match.lat))


def test_same_name_in_other_provinces_are_other_places(real):
    henan = real.geocode(PlaceRef("Luoyang", "Henan"))
    hubei = real.geocode(PlaceRef("Luoyang", "Hubei"))  # a township, 400 km away
    assert henan.place.geonameid != hubei.place.geonameid
    assert hubei.level == "place" and henan.level == "prefecture"
    assert abs(henan.lat - hubei.lat) > 2


def test_unknown_name_in_province_lists_where_it_exists(real):
    with pytest.raises(UnknownPlace) as err:
        real.geocode(PlaceRef("Taiyuan", "Henan"))
    assert "Taiyuan (Shanxi)" in str(err.value) and "in Henan" in str(err.value)


def test_city_outranks_its_own_seat_district(real):
    # 荆州 is both 荆州市 and its seat district 荆州区; Fuzhou is 福州市 and 鼓楼区 in GeoNames
    assert real.geocode(PlaceRef("荆州", "Hubei")).unit.adcode == "421000"
    assert real.geocode(PlaceRef("Fuzhou", "Fujian")).unit.adcode == "350100"
    assert real.geocode(PlaceRef("荆州", "Hubei", level="county")).unit.adcode == "421003"


def test_two_units_sharing_a_name_are_ambiguous_and_listed():
    gz = small_gazetteer()
    gz.admin1_of_province.update({"山西省": "24", "湖北省": "12"})
    for place in (Place(10, "Twin", 114.4, 30.9, "CN", "12", 0, ("黄陂区",)),
                  Place(11, "Twin", 114.8, 30.8, "CN", "12", 0, ("新洲区",))):
        gz.places_by_key["twin"].append(place)
    with pytest.raises(AmbiguousPlace) as err:
        Geocoder(gz).geocode(PlaceRef("Twin", "Hubei"))
    text = str(err.value)
    assert "黄陂区" in text and "新洲区" in text and "Hubei" in text and "adcode 420116" in text
    assert len(err.value.candidates) == 2


def test_chinese_names_and_levels(real):
    assert real.geocode(PlaceRef("江夏区", "Hubei")).precision == 2
    whole = real.geocode(PlaceRef(None, "Shanxi"))
    assert whole.level == "province" and whole.precision == 4
    assert real.gazetteer.boundary("140000").contains(__import__("shapely").Point(whole.lon, whole.lat))


def test_municipality_name_means_the_city(real):
    match = real.geocode(PlaceRef("Shanghai", "Shanghai"))
    assert match.level == "prefecture" and match.gazetteer["geonameid"] == 1796236


def test_foreign_place_by_country(real):
    lux = real.geocode(PlaceRef("Luxembourg", country="LU"))
    assert 5.7 < lux.lon < 6.6 and 49.4 < lux.lat < 50.2
    with pytest.raises(GeocodeError):
        real.geocode(PlaceRef("Zhengzhou"))  # no province


def test_thousands_of_lookups_per_second(real):
    refs = [PlaceRef(n, p) for n, p in [("Zhengzhou", "Henan"), ("Wuhan", "Hubei"),
                                        ("宜昌市", "Hubei"), ("Ganzhou", "Jiangxi")]] * 250
    start = time.perf_counter()
    for ref in refs:
        real.geocode(ref)
    # A loose floor that only a broken index would miss; the real figure is in the README.
    assert len(refs) / (time.perf_counter() - start) > 1000


# -- small in-memory gazetteer: the rules themselves ----------------------------------------

def test_admin1_codes_are_derived_from_the_records():
    gz = small_gazetteer()
    assert gz.admin1_of_province == {} or set(gz.admin1_of_province) <= {"山西省", "湖北省"}


def test_province_decides_between_same_named_places():
    gz = small_gazetteer()
    gz.admin1_of_province.update({"山西省": "24", "湖北省": "12"})
    geo = Geocoder(gz)
    shanxi = geo.geocode(PlaceRef("Xinzhou", "Shanxi"))
    hubei = geo.geocode(PlaceRef("Xinzhou", "Hubei"))
    assert shanxi.unit.adcode == "140900" and shanxi.precision == 3
    assert hubei.unit is None and hubei.place.geonameid == 2 and hubei.precision == 1


def test_seat_is_the_record_carrying_the_full_name():
    gz = small_gazetteer()
    gz.admin1_of_province.update({"山西省": "24", "湖北省": "12"})
    match = Geocoder(gz).geocode(PlaceRef("武汉市", "Hubei"))
    assert match.place.geonameid == 3 and "Seat of 武汉市" in match.basis


def test_unit_without_seat_record_gets_an_interior_point():
    gz = small_gazetteer()
    gz.admin1_of_province.update({"山西省": "24", "湖北省": "12"})
    gz.places_by_zh.pop("新洲区")
    gz.places_by_zh.pop("新洲")  # nor one by its short name
    gz.places_by_key.pop("xinzhou")  # nor by its romanised name
    match = Geocoder(gz).geocode(PlaceRef("新洲区", "Hubei"))
    assert match.place is None and "Interior point" in match.basis
    assert match.precision == 3  # in the county, not necessarily near its seat
    assert box(114.6, 30.4, 115.1, 31.2).contains(__import__("shapely").Point(match.lon, match.lat))


def test_unknown_province_and_level_are_clear_errors():
    geo = Geocoder(small_gazetteer())
    with pytest.raises(GeocodeError, match="unknown province 'Atlantis'"):
        geo.geocode(PlaceRef("Xinzhou", "Atlantis"))
    with pytest.raises(GeocodeError, match="unknown level"):
        geo.geocode(PlaceRef("Xinzhou", "Shanxi", level="village"))


def test_english_name_of_a_county_is_romanised_when_its_seat_has_another_name():
    unit = AdminUnit("420115", "江夏区", "county", "湖北省", "武汉市")
    seat = Place(9, "Zhifang", 114.3, 30.3, "CN", "12", 0, ("江夏区",))
    assert unit_name_en(unit, seat) == "Jiangxia"
    assert unit_name_en(AdminUnit("420100", "武汉市", "prefecture", "湖北省"),
                        Place(3, "Wuhan", 0, 0, "CN", "12")) == "Wuhan"


# -- seats known only by a short or romanised name (GeoNames 500-level records) ---------------

def seat_gazetteer(*extra):
    """A county, 新建区, with no record carrying its full name, and records named like it."""
    units = [AdminUnit("360000", "江西省", "province", "江西省"),
             AdminUnit("360100", "南昌市", "prefecture", "江西省"),
             AdminUnit("360112", "新建区", "county", "江西省", "南昌市"),
             AdminUnit("361100", "上饶市", "prefecture", "江西省")]
    places = [Place(1, "Nanchang", 115.85, 28.68, "CN", "03", 2000000, ("南昌市",)),
              Place(2, "Shangrao", 117.9, 28.4, "CN", "03", 100000, ("上饶市",)),
              Place(3, "Xinjian", 117.93, 29.12, "CN", "03", 0, ("新建", "新建乡")),  # a village
              *extra]
    boxes = {"360000": box(113, 24, 119, 30.2), "360100": box(115.4, 28.1, 116.6, 29.2),
             "360112": box(115.4, 28.5, 116.2, 29.2), "361100": box(116.8, 28.0, 118.5, 29.3)}
    gz = Gazetteer(units, places, boundary_loader=boxes.__getitem__, boundary_datum="wgs84")
    gz.admin1_of_province["江西省"] = "03"
    return gz


CHANGLENG = Place(4, "Changleng", 115.82, 28.7, "CN", "03", 56429, (), ("Xinjian", "Hsin-chien"))


def test_seat_by_romanised_name_inside_the_unit_outranks_a_village_named_so():
    geo = Geocoder(seat_gazetteer(CHANGLENG))
    by_zh = geo.geocode(PlaceRef("新建区", "Jiangxi"))
    assert by_zh.place.geonameid == 4 and (by_zh.lon, by_zh.lat) == (115.82, 28.7)
    assert "lists its romanised name 'Xinjian'" in by_zh.basis
    assert by_zh.name == "Xinjian"  # the unit's name, not its seat town's
    # 'Xinjian' is the village's own name, but the district's seat is what the name means
    by_en = geo.geocode(PlaceRef("Xinjian", "Jiangxi"))
    assert by_en.unit.adcode == "360112" and by_en.place.geonameid == 4


def test_seat_by_short_chinese_name_must_lie_in_the_unit():
    inside = Place(5, "Xinjian", 115.9, 28.8, "CN", "03", 0, ("新建",))
    match = Geocoder(seat_gazetteer(inside, CHANGLENG)).geocode(PlaceRef("新建区", "Jiangxi"))
    assert match.place.geonameid == 5  # a Chinese name is better evidence than pinyin
    assert "carries the short name 新建 and lies in the unit" in match.basis
    alone = Geocoder(seat_gazetteer()).geocode(PlaceRef("新建区", "Jiangxi"))
    assert alone.place is None and "Interior point" in alone.basis  # the village is elsewhere


def test_equally_good_seat_records_are_no_seat():
    twins = [Place(6, "Xinjian", 115.9, 28.8, "CN", "03", 0, ("新建",)),
             Place(7, "Xinjian", 115.7, 28.9, "CN", "03", 0, ("新建",))]
    match = Geocoder(seat_gazetteer(*twins)).geocode(PlaceRef("新建区", "Jiangxi"))
    assert match.place is None and match.precision == 3


def test_another_units_full_name_seat_is_not_borrowed():
    # GeoNames' Nanchang record also lists the romanised name of the district around it
    city = Place(8, "Nanchang", 115.85, 28.68, "CN", "03", 2000000, ("南昌市",), ("Xinjian",))
    gz = seat_gazetteer()
    gz = Gazetteer([*gz.units], [city, *gz.places[1:]], boundary_loader=gz.boundary_loader)
    gz.admin1_of_province["江西省"] = "03"
    assert Geocoder(gz).geocode(PlaceRef("新建区", "Jiangxi")).place is None


@pytest.mark.parametrize("name, geonameid", [("新郑市", 1788466), ("原阳县", 1787279),
                                             ("新建区", 1815667), ("荥阳市", 1788911)])
def test_real_seats_from_500_level_records(real, name, geonameid):
    province = {"新建区": "Jiangxi"}.get(name, "Henan")
    match = real.geocode(PlaceRef(name, province))
    assert match.place.geonameid == geonameid and match.unit.level == "county"
    assert real.gazetteer.boundary(match.unit.adcode).contains(
        __import__("shapely").Point(match.lon, match.lat))


def test_real_county_named_like_its_prefecture_keeps_its_own_seat(real):
    # 新乡县's seat is not the city of Xinxiang, whose record lists 'Hsin-hsiang-hsien'
    county = real.geocode(PlaceRef("新乡县", "Henan"))
    city = real.geocode(PlaceRef("新乡市", "Henan"))
    assert county.place is None or county.place.geonameid != city.place.geonameid
    assert real.geocode(PlaceRef("Xinjian", "Jiangxi")).unit.adcode == "360112"


def test_within_picks_the_town_inside_the_named_unit():
    towns = [Place(9, "Xingang", 115.9, 28.8, "CN", "03", 0, ("新港",)),      # in 新建区
             Place(10, "Xingang", 117.5, 28.9, "CN", "03", 0, ("新港",))]     # in 上饶市
    geo = Geocoder(seat_gazetteer(*towns))
    with pytest.raises(AmbiguousPlace):
        geo.geocode(PlaceRef("新港", "Jiangxi"))
    match = geo.geocode(PlaceRef("新港", "Jiangxi", within="新建区"))
    assert match.place.geonameid == 9 and "It lies in 新建区" in match.basis
    assert geo.geocode(PlaceRef("Xingang", "Jiangxi", within="上饶市")).place.geonameid == 10
    with pytest.raises(UnknownPlace):
        geo.geocode(PlaceRef("Nowhere", "Jiangxi", within="南昌市"))
    with pytest.raises(GeocodeError, match="'within' must name a prefecture or county"):
        geo.geocode(PlaceRef("新港", "Jiangxi", within="江西省"))


def test_a_town_is_found_with_or_without_its_suffix():
    town = Place(11, "Zhoufang", 115.9, 28.8, "CN", "03", 0, ("周坊镇",))
    geo = Geocoder(seat_gazetteer(town))
    for name in ("周坊", "周坊镇"):
        assert geo.geocode(PlaceRef(name, "Jiangxi", within="新建区")).place.geonameid == 11
    with pytest.raises(UnknownPlace):
        geo.geocode(PlaceRef("周坊乡乡", "Jiangxi"))
