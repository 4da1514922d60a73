"""Span conventions (issue 9, item 2) on the real lexicon."""


def spans(mentions):
    return [m["text"] for m in mentions]


def test_offsets_index_the_text_as_given(extract):
    text = "Ｘ\r\n  In 2024, Jingzhou City\tand 湖北省 grew. İstanbul-free text, Ma'anshan too."
    for m in extract(text):
        assert text[m["start"]:m["end"]] == m["text"]
    assert {"Jingzhou City", "湖北省", "Ma'anshan"} <= set(spans(extract(text)))


def test_longest_span_and_suffix_belong_to_the_mention(extract):
    text = ("The Hefei Metropolitan Circle, the China (Xinjiang) Pilot Free Trade Zone and "
            "Xiangxi Tujia and Miao Autonomous Prefecture joined Hubei Province and 武汉都市圈.")
    got = spans(extract(text))
    for want in ("Hefei Metropolitan Circle", "China (Xinjiang) Pilot Free Trade Zone",
                 "Xiangxi Tujia and Miao Autonomous Prefecture", "Hubei Province", "武汉都市圈"):
        assert want in got
    assert "Hefei" not in got and "Xinjiang" not in got and "Xiangxi" not in got


def test_x_in_y_is_two_mentions(extract):
    got = extract("Jingzhou in Hubei")
    assert spans(got) == ["Jingzhou", "Hubei"]


def test_names_inside_organisations_are_not_mentions(extract):
    got = spans(extract("Henan Civil Aviation Development and Investment Company signed with "
                        "Wuhan University and the Bank of China. 湖北省人民政府发布。"))
    assert got == [] or all(n not in got for n in ("Henan", "Wuhan", "China", "湖北省"))


def test_people_and_news_agencies_are_not_places(extract):
    got = spans(extract("Xi Jinping spoke, Xinhua reported. (Xinhua) Wang Guosheng visited Luoyang."))
    assert got == ["Luoyang"]


def test_directional_regions_and_natural_features(extract):
    ms = extract("Northeast China, central China and 中部地区 lie along the Yangtze River, "
                 "by Poyang Lake and the Dabie Mountains.")
    kinds = {m["text"]: m["kind"] for m in ms}
    assert kinds["Northeast China"] == kinds["central China"] == kinds["中部地区"] == "region_or_belt"
    assert kinds["Yangtze River"] == "river"
    assert kinds["Dabie Mountains"] == "mountain"
    assert "Poyang Lake" in kinds


def test_two_designations_joined_by_and_are_two(extract):
    got = spans(extract("the Dabie Mountain and Wuling Mountain old revolutionary base areas"))
    assert "Dabie Mountain" in got[0] and not any("and Wuling" in g for g in got)


def test_chinese_designations_and_short_names(extract):
    ms = extract("湖北荆州承接产业转移示范区、长株潭和郑洛新国家自主创新示范区，以及武汉东湖新技术开发区。")
    got = spans(ms)
    assert "湖北荆州承接产业转移示范区" in got
    assert "长株潭" in got
    assert "郑洛新国家自主创新示范区" in got
    assert "武汉东湖新技术开发区" in got
    assert all(m["kind"] != "province" for m in ms)


def test_common_words_are_not_county_names(extract):
    # 和平 (peace), 通道 (channel) and 城区 (urban area) are also county-level unit names.
    assert extract("和平发展，开辟通道，城区更新。") == []


def test_hyphenated_places_are_one_mention(extract):
    ms = extract("the Changsha-Zhuzhou-Xiangtan area")
    assert [m["text"] for m in ms][0].startswith("Changsha-Zhuzhou-Xiangtan")


def test_directional_regions_of_a_place(extract):
    ms = {m["text"]: m for m in extract("It lies in western Jiangxi, near central Anhui Province, "
                                        "and trades with Southeast Asia.")}
    assert ms["western Jiangxi"]["kind"] == "region_or_belt"
    assert ms["western Jiangxi"]["province"] == "Jiangxi"
    assert ms["central Anhui Province"]["province"] == "Anhui"
    assert ms["Southeast Asia"]["kind"] == "region_or_belt"


def test_tail_before_the_name_and_chains_of_countries(extract):
    ms = {m["text"]: m for m in extract("The Port of Jinzhou in Liaoning ships goods across the "
                                        "China-Vietnam border and China-Europe routes.")}
    assert ms["Port of Jinzhou"]["kind"] == "lab_or_facility"
    assert ms["Port of Jinzhou"]["province"] == "Liaoning"
    assert "China-Vietnam border" in ms and ms["China-Vietnam border"]["province"] is None
    assert "China-Europe" in ms


def test_free_trade_zone_areas_are_one_span(extract):
    got = [m["text"] for m in extract("the China (Hubei) Pilot Free Trade Zone Yichang Area and "
                                      "湖北自贸试验区武汉片区")]
    assert got == ["China (Hubei) Pilot Free Trade Zone Yichang Area", "湖北自贸试验区武汉片区"]


def test_chinese_countries_borders_and_mountain_ranges(extract):
    ms = {m["text"]: m["kind"] for m in extract("中国与越南接壤，中越边境口岸众多；宜昌地处武陵山脉东缘。")}
    assert ms["中国"] == ms["越南"] == "country"
    assert ms["中越边境"] == "region_or_belt"
    assert ms["武陵山脉"] == "mountain"


def test_words_inside_latin_names_are_not_names(extract):
    # 'Hai'an' (海安) inside "Xihai'an", 'Li' and 'An' inside words, "us" the pronoun.
    ms = extract("Qingdao Xihai’an (West Coast) New Area told us about Lian and Anhui.")
    texts = [m["text"] for m in ms]
    assert "Qingdao Xihai’an (West Coast) New Area" in texts
    assert not any(t.lower() in ("hai’an", "us", "li", "an") for t in texts)


def test_sentence_words_are_trimmed_from_a_designation(extract):
    assert [m["text"] for m in extract("Establish Jiangbei New Area in Nanjing")][0] == \
        "Jiangbei New Area"
