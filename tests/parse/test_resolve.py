"""Resolution by context: same-name places right from context, or ambiguous and unsure."""

import pytest


def find(ms, text):
    return next(m for m in ms if m["text"] == text)


@pytest.mark.parametrize("text, name, province", [
    ("Pingxiang, a city in Jiangxi, makes porcelain.", "Pingxiang", "Jiangxi"),
    ("Pingxiang in Guangxi is a border crossing to Vietnam.", "Pingxiang", "Guangxi"),
    ("Jiangsu's Taizhou builds ships.", "Taizhou", "Jiangsu"),
    ("Taizhou, Zhejiang, is famous for private firms.", "Taizhou", "Zhejiang"),
    ("In Heilongjiang, Yichun is a forest city.", "Yichun", "Heilongjiang"),
    ("Jiangxi's lithium: Yichun leads.", "Yichun", "Jiangxi"),
    ("北京市朝阳区发展现代服务业。", "朝阳区", "Beijing"),
    ("吉林省长春市朝阳区", "朝阳区", "Jilin"),
    ("福建省福州市鼓楼区", "鼓楼区", "Fujian"),
])
def test_same_name_places_from_context(extract, text, name, province):
    m = find(extract(text), name)
    assert m["province"] == province
    assert m["lon"] is not None and m["adcode"]
    assert m["confidence"] >= 0.6
    assert m["candidates"], "the other places of that name are listed"
    assert all(c["why_not"] for c in m["candidates"])


@pytest.mark.parametrize("text, name", [("Taizhou grew fast.", "Taizhou"),
                                        ("Yichun grew fast.", "Yichun"),
                                        ("鼓楼区发展迅速。", "鼓楼区")])
def test_without_context_the_answer_is_ambiguous(extract, text, name):
    m = find(extract(text), name)
    assert m["province"] is None and m["lon"] is None
    assert m["confidence"] < 0.5
    assert len(m["candidates"]) >= 2
    assert len({c["province"] for c in m["candidates"]}) >= 2


def test_province_named_in_the_passage_decides(extract):
    text = ("Jiangxi has set out its plan.\nThe province will build a lithium base in Yichun "
            "and expand Pingxiang's industrial ceramics.")
    ms = extract(text)
    assert find(ms, "Yichun")["province"] == "Jiangxi"
    assert find(ms, "Pingxiang")["province"] == "Jiangxi"


def test_prefecture_context_decides_the_district(extract):
    ms = extract("南京市鼓楼区和玄武区")
    assert find(ms, "鼓楼区")["province"] == "Jiangsu"
    assert find(ms, "鼓楼区")["adcode"].startswith("3201")


def test_unique_names_are_placed_with_gazetteer_ids(extract):
    m = find(extract("Yichang and Xiangyang"), "Yichang")
    assert m["province"] == "Hubei" and m["adcode"] == "420500"
    assert m["geonameid"] and 110 < m["lon"] < 112 and 30 < m["lat"] < 31.5
    assert m["precision"] == 3 and m["confidence"] >= 0.9


def test_province_outranks_a_county_of_the_same_name(extract):
    m = find(extract("Henan will grow."), "Henan")
    assert m["kind"] == "province" and m["adcode"] == "410000"


def test_catalog_places_carry_their_id(extract):
    ms = extract("The Wuhan metropolitan circle and the Yangtze River Economic Belt.")
    assert find(ms, "Wuhan metropolitan circle")["catalog_id"] == "mc-wuhan"
    assert find(ms, "Yangtze River Economic Belt")["catalog_id"]


def test_designation_is_placed_at_the_place_in_its_name(extract):
    m = find(extract("the Yichang High-tech Zone"), "Yichang High-tech Zone")
    assert m["kind"] == "development_zone" and m["province"] == "Hubei"
    assert m["adcode"] == "420500"


def test_countries_and_foreign_cities(extract):
    ms = extract("Trains run from Zhengzhou to Hamburg in Germany.")
    assert find(ms, "Germany")["kind"] == "country" and find(ms, "Germany")["lon"] is not None
    assert find(ms, "Hamburg")["kind"] == "foreign_city"
    assert find(ms, "Hamburg")["province"] is None


def test_a_designation_is_placed_under_the_province_its_name_gives(extract):
    # 滨海 alone is a county of Jiangsu; 安新 a county of Hebei; Huahu a town in Guangdong.
    ms = {m["text"]: m for m in extract("天津滨海新区、贵州贵安新区和Ezhou Huahu Airport")}
    assert ms["天津滨海新区"]["province"] == "Tianjin"
    assert ms["贵州贵安新区"]["province"] == "Guizhou"
    assert ms["Ezhou Huahu Airport"]["province"] == "Hubei"


def test_bare_county_names_need_their_province_or_city_in_the_text(extract):
    # 平原 (plain), 古城 (old town) and 通海 are county names too; nothing here names their provinces.
    assert [m["text"] for m in extract("淮北平原的古城通海连江。")] == ["淮北"]
    ms = extract("云南省玉溪市通海县和通海")
    assert [m["text"] for m in ms][-1] == "通海" and ms[-1]["province"] == "Yunnan"


def test_municipality_city_is_the_province_level_unit(extract):
    m = find(extract("Shanghai City and Chongqing Municipality"), "Shanghai City")
    assert m["kind"] == "province" and m["adcode"] == "310000"


def test_polyphonic_names_have_every_reading(extract):
    # pypinyin reads 朝阳 as 'zhaoyang'; Beijing's district is Chaoyang, and so is Shantou's 潮阳区.
    m = find(extract("Chaoyang District in Beijing hosts embassies."), "Chaoyang District")
    assert m["province"] == "Beijing" and m["adcode"] == "110105"
    assert any(c["province"] == "Guangdong" for c in m["candidates"])
