import pytest

from geo.provinces import PROVINCES_ZH, UnknownProvince, province_en, province_zh


def test_names_both_ways():
    assert len(PROVINCES_ZH) == 34
    assert province_zh("henan") == "河南省" and province_zh("河南省") == "河南省"
    assert province_en("湖北省") == "Hubei" and province_en(" Inner Mongolia ") == "Inner Mongolia"


def test_shanxi_and_shaanxi_are_different_provinces():
    assert province_zh("Shanxi") == "山西省" and province_zh("Shaanxi") == "陕西省"


def test_unknown_province_lists_the_known_ones():
    with pytest.raises(UnknownProvince, match="unknown province 'Narnia'.*Henan"):
        province_zh("Narnia")
