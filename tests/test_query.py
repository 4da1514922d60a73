"""geo.query: bbox parsing, text folding, search ranking, province names."""

from __future__ import annotations

import pytest

from geo import query
from geo.query import QueryError


def test_parse_bbox():
    assert query.parse_bbox("108,24.5,119,36.5") == (108.0, 24.5, 119.0, 36.5)
    assert query.parse_bbox(" -180 , -90 , 180 , 90 ") == (-180.0, -90.0, 180.0, 90.0)
    assert query.parse_bbox("1e2,1,1e2,1") == (100.0, 1.0, 100.0, 1.0)
    assert query.parse_bbox(None) is None
    assert query.parse_bbox("  ") is None


@pytest.mark.parametrize("text, message", [
    ("1,2,3", "four comma-separated numbers minx,miny,maxx,maxy; got 3"),
    ("1;2;3;4", "got 1"),
    ("x,2,3,4", "bbox minx is not a number: 'x'"),
    ("1,2,3,0x10", "bbox maxy is not a number"),
    ("1,2,3,nan", "bbox maxy is not a number: 'nan'"),
    ("-inf,2,3,4", "bbox minx is not a number: '-inf'"),
    ("200,0,210,1", "bbox minx 200 is outside the longitude range -180..180"),
    ("0,-95,1,1", "bbox miny -95 is outside the latitude range -90..90"),
    ("10,0,5,1", "bbox is reversed: minx 10 is greater than maxx 5"),
    ("0,10,5,1", "bbox is reversed: miny 10 is greater than maxy 1"),
])
def test_parse_bbox_errors(text, message):
    with pytest.raises(QueryError) as info:
        query.parse_bbox(text)
    assert message in str(info.value)


def test_query_error_is_a_value_error():
    assert issubclass(QueryError, ValueError)


def test_bbox_of_every_geometry_type():
    assert query.bbox_of({"type": "Point", "coordinates": [1, 2]}) == (1, 2, 1, 2)
    assert query.bbox_of({"type": "LineString", "coordinates": [[1, 2], [3, -4]]}) == (1, -4, 3, 2)
    assert query.bbox_of({"type": "MultiPolygon", "coordinates": [[[[0, 0], [2, 0], [2, 2], [0, 0]]],
                                                                 [[[5, 5], [6, 5], [6, 7], [5, 5]]]]}) == (0, 0, 6, 7)
    assert query.bbox_of({"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [1, 1]}, {"type": "Point", "coordinates": [3, 4]}]}) == (1, 1, 3, 4)
    assert query.bbox_of(None) is None
    assert query.bbox_of({"type": "Point", "coordinates": []}) is None


def test_boxes_intersect():
    assert query.boxes_intersect((0, 0, 2, 2), (1, 1, 3, 3))
    assert query.boxes_intersect((0, 0, 2, 2), (2, 2, 3, 3))  # touching counts
    assert not query.boxes_intersect((0, 0, 2, 2), (2.1, 0, 3, 2))


def test_fold_and_squash():
    assert query.fold("Zhèngzhōu") == "zhengzhou"
    assert query.fold("Lǚliang") == "luliang"
    assert query.squash("Xi'an") == query.squash("Xi an") == "xian"
    assert query.squash("Chang-Zhu-Tan") == "changzhutan"
    assert query.squash("武汉 都市圈") == "武汉都市圈"


def test_strip_zh_suffix():
    assert query.strip_zh_suffix("郑州市") == "郑州"
    assert query.strip_zh_suffix("河南省") == "河南"
    assert query.strip_zh_suffix("广西壮族自治区") == "广西"
    assert query.strip_zh_suffix("市") == "市"  # never to nothing
    assert query.strip_zh_suffix("Wuhan") == "Wuhan"


def test_clean_query_and_limit():
    assert query.clean_query("  wuhan ", required=True) == "wuhan"
    assert query.clean_query(None, required=False) == ""
    with pytest.raises(QueryError, match="q is required"):
        query.clean_query(" ", required=True)
    with pytest.raises(QueryError, match="too long"):
        query.clean_query("x" * 101, required=False)
    assert query.parse_limit(None) == query.DEFAULT_LIMIT
    assert query.parse_limit("50") == 50
    for bad in ("0", "51", "-1", "1.5", "many"):
        with pytest.raises(QueryError, match="limit"):
            query.parse_limit(bad)


def _feature(fid, name, name_zh="", aliases=(), members=(), precision=3, layer="l"):
    return {"id": fid, "properties": {"name": name, "name_zh": name_zh, "aliases": list(aliases),
                                      "members": list(members), "precision": precision, "layer": layer}}


ENTRIES = query.build_search_index([
    _feature("hub", "Zhengzhou national logistics hub", "郑州国家物流枢纽", ["Zhengzhou"]),
    _feature("city", "Zhengzhou", "郑州市"),
    _feature("airport", "Zhengzhou Xinzheng International Airport", "郑州新郑国际机场", ["CGO"]),
    _feature("circle", "Zhengzhou metropolitan circle", "郑州都市圈",
             members=[{"name": "Kaifeng", "name_zh": "开封市"}], precision=5),
    _feature("xian", "Xi'an", "西安市", ["Xian"]),
    _feature("province", "Henan", "河南省", precision=4),
])


def ids(q, **kwargs):
    return [hit[0].id for hit in query.search(ENTRIES, q, **kwargs)]


def test_exact_name_first_then_alias_then_prefix():
    assert ids("Zhengzhou")[:2] == ["city", "hub"]
    assert set(ids("Zhengzhou")) == {"city", "hub", "airport", "circle"}


def test_chinese_with_and_without_suffix():
    assert ids("郑州市")[0] == "city"
    assert ids("郑州")[0] == "city"
    assert ids("河南")[0] == "province"
    assert "airport" in ids("新郑")


def test_pinyin_without_tones_spaces_or_apostrophes():
    assert ids("zhèngzhōu")[0] == "city"
    assert ids("xi an")[0] == "xian"
    assert ids("XIAN")[0] == "xian"
    assert ids("cgo") == ["airport"]


def test_members_match_below_names():
    assert ids("Kaifeng") == ["circle"]
    assert ids("开封") == ["circle"]


def test_words_in_any_order():
    assert ids("airport zhengzhou") == ["airport"]
    assert ids("metropolitan zheng") == ["circle"]


def test_limit_layers_and_nothing():
    assert len(ids("zhengzhou", limit=2)) == 2
    assert ids("zhengzhou", layers={"other"}) == []
    assert ids("Atlantis") == []
    assert ids("'-") == []


def test_match_reports_field_and_text():
    hit = query.search(ENTRIES, "cgo")[0]
    assert hit[2:] == ("alias", "CGO")


def test_province_aliases_and_resolve():
    table = query.province_aliases([{"name": "Henan", "name_zh": "河南省"},
                                    {"name": "Inner Mongolia", "name_zh": "内蒙古自治区"}, {"name": ""}])
    for value in ("Henan", "henan", " HENAN ", "河南", "河南省"):
        assert query.resolve_province(value, table) == "Henan"
    assert query.resolve_province("inner mongolia", table) == "Inner Mongolia"
    assert query.resolve_province("内蒙古", table) == "Inner Mongolia"
    assert query.resolve_province("", table) is None
    assert query.resolve_province(None, table) is None
    with pytest.raises(QueryError, match="unknown province 'Atlantis'"):
        query.resolve_province("Atlantis", table)
    with pytest.raises(QueryError, match="too long"):
        query.resolve_province("x" * 200, table)


def test_a_place_is_found_by_its_host_city_and_a_word_of_its_name():
    from geo.query import SearchEntry, search

    lab = SearchEntry.from_feature({"id": "lab", "properties": {
        "name": "Hubei Jiufengshan Laboratory", "name_zh": "湖北九峰山实验室", "layer": "science"}}, 0)
    lab.add_host("Wuhan")
    lab.add_host("武汉市")
    city = SearchEntry.from_feature({"id": "city", "properties": {
        "name": "Wuhan national central city", "aliases": ["Wuhan"], "layer": "cities"}}, 1)
    other = SearchEntry.from_feature({"id": "other", "properties": {
        "name": "Longmen Laboratory", "layer": "science"}}, 2)
    other.add_host("Luoyang")
    ids = lambda q: [h[0].id for h in search([lab, city, other], q)]  # noqa: E731
    assert ids("Wuhan lab") == ["lab"]
    assert ids("武汉 实验室") == ["lab"]
    assert ids("Luoyang lab") == ["other"]
    # The host alone ranks below a place named for the city.
    assert ids("Wuhan") == ["city", "lab"]
    # The host is not enough on its own for a two-word query: one word must name the place.
    assert ids("Wuhan Luoyang") == []

# --- numbers as the OpenAPI document spells them: ASCII digits only (issue 11) -------------------

@pytest.mark.parametrize("text", ["1_10", "１１０", "١١٠", "٥", "110\u00a0", "0x10", "1e5_0", "+", ".", "1..2",
                                  "inf", "nan", "1e999", "𝟏𝟏𝟎", "110 5"])
def test_numbers_take_ascii_digits_only(text):
    with pytest.raises(QueryError):
        query.parse_number(text, "bbox minx")
    with pytest.raises(QueryError):
        query.parse_bbox(f"{text},25,115,35")


@pytest.mark.parametrize("text, value", [("110", 110.0), ("-1.5", -1.5), ("+5", 5.0), (".5", 0.5), ("5.", 5.0),
                                         ("1e2", 100.0), (" 7\t", 7.0)])
def test_numbers_the_document_allows(text, value):
    assert query.parse_number(text, "x") == value


@pytest.mark.parametrize("text", ["+5", "-1", "05", "1_0", "５", "٥", "5.0", "1e1", "0", "51", " 5 5"])
def test_limit_takes_plain_ascii_whole_numbers(text):
    with pytest.raises(QueryError, match="limit must be a whole number from 1 to 50"):
        query.parse_limit(text)


@pytest.mark.parametrize("text, value", [(None, query.DEFAULT_LIMIT), ("", query.DEFAULT_LIMIT),
                                         (" ", query.DEFAULT_LIMIT), ("5", 5), (" 50 ", 50)])
def test_limit_absent_or_empty_is_the_default(text, value):
    assert query.parse_limit(text) == value


def test_box_contains():
    assert query.box_contains((0, 0, 10, 10), (1, 1, 2, 2)) and query.box_contains((0, 0, 10, 10), (0, 0, 10, 10))
    assert not query.box_contains((0, 0, 10, 10), (5, 5, 11, 6)) and not query.box_contains((1, 1, 2, 2), (0, 0, 10, 10))
