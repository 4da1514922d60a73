"""Name tables the parser needs beyond the gazetteer: words, not places or coordinates.

Everything located is located through the gazetteer; these tables only say how names are
written (ethnic groups in autonomous units' names, province short names, well-known groupings
of cities) so that the lexicon can generate the forms a text uses.
"""

from __future__ import annotations

# Ethnic groups as they appear in the names of autonomous prefectures, counties and banners.
ETHNIC_EN = {
    "土家族": "Tujia", "苗族": "Miao", "藏族": "Tibetan", "彝族": "Yi", "回族": "Hui",
    "壮族": "Zhuang", "蒙古族": "Mongol", "蒙古": "Mongol", "哈萨克族": "Kazak", "哈萨克": "Kazak",
    "柯尔克孜族": "Kirgiz", "柯尔克孜": "Kirgiz", "傣族": "Dai", "景颇族": "Jingpo", "白族": "Bai",
    "哈尼族": "Hani", "傈僳族": "Lisu", "布依族": "Bouyei", "侗族": "Dong", "朝鲜族": "Korean",
    "羌族": "Qiang", "黎族": "Li", "瑶族": "Yao", "畲族": "She", "土族": "Tu", "撒拉族": "Salar",
    "纳西族": "Naxi", "仫佬族": "Mulao", "毛南族": "Maonan", "仡佬族": "Gelao", "水族": "Shui",
    "达斡尔族": "Daur", "鄂温克族": "Ewenki", "鄂伦春": "Oroqen", "鄂伦春族": "Oroqen",
    "满族": "Manchu", "锡伯族": "Xibe", "保安族": "Bonan", "东乡族": "Dongxiang",
    "裕固族": "Yugur", "塔吉克": "Tajik", "塔吉克族": "Tajik", "拉祜族": "Lahu", "佤族": "Va",
    "普米族": "Pumi", "怒族": "Nu", "独龙族": "Derung", "各族": "", "维吾尔": "Uygur",
    "维吾尔族": "Uygur", "布朗族": "Blang", "阿昌族": "Achang", "基诺族": "Jino",
}

# English words for the Chinese administrative suffixes (the level comes from the index).
SUFFIX_EN = {
    "省": ["Province"], "自治区": ["Autonomous Region"], "特别行政区": ["Special Administrative Region", "SAR"],
    "市": ["City", "Municipality"], "县": ["County"], "区": ["District"],
    "自治州": ["Autonomous Prefecture", "Prefecture"], "地区": ["Prefecture"], "盟": ["League"],
    "自治县": ["Autonomous County", "County"], "旗": ["Banner"], "自治旗": ["Autonomous Banner", "Banner"],
    "林区": ["Forestry District", "Forest District"], "特区": ["Special District"],
}

# Forms of province names besides "X" and "X Province".
PROVINCE_FORMS_EN = {
    "Inner Mongolia": ["Nei Mongol", "Inner Mongolia Autonomous Region"],
    "Guangxi": ["Guangxi Zhuang Autonomous Region", "Guangxi Autonomous Region"],
    "Ningxia": ["Ningxia Hui Autonomous Region"],
    "Xinjiang": ["Xinjiang Uygur Autonomous Region", "Xinjiang Uyghur Autonomous Region"],
    "Tibet": ["Xizang", "Xizang Autonomous Region", "Tibet Autonomous Region"],
    "Hong Kong": ["Hong Kong SAR", "Hong Kong Special Administrative Region", "HKSAR"],
    "Macao": ["Macau", "Macao SAR", "Macau SAR", "Macao Special Administrative Region"],
    "Beijing": ["Beijing Municipality"], "Shanghai": ["Shanghai Municipality"],
    "Tianjin": ["Tianjin Municipality"], "Chongqing": ["Chongqing Municipality"],
    "Shaanxi": ["Shaanxi Province"], "Shanxi": ["Shanxi Province"],
}

# Province short names (简称) -> the province's name in the boundary index.
PROVINCE_ABBR = {
    "京": "北京市", "津": "天津市", "冀": "河北省", "晋": "山西省", "蒙": "内蒙古自治区",
    "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省", "沪": "上海市", "苏": "江苏省",
    "浙": "浙江省", "皖": "安徽省", "闽": "福建省", "赣": "江西省", "鲁": "山东省",
    "豫": "河南省", "鄂": "湖北省", "湘": "湖南省", "粤": "广东省", "桂": "广西壮族自治区",
    "琼": "海南省", "渝": "重庆市", "川": "四川省", "蜀": "四川省", "黔": "贵州省",
    "贵": "贵州省", "滇": "云南省", "云": "云南省", "藏": "西藏自治区", "陕": "陕西省",
    "秦": "陕西省", "甘": "甘肃省", "陇": "甘肃省", "青": "青海省", "宁": "宁夏回族自治区",
    "新": "新疆维吾尔自治区", "港": "香港特别行政区", "澳": "澳门特别行政区", "台": "台湾省",
}
# Abbreviations too common as ordinary characters to combine freely (贵 新 云 宁 台 港 青 甘
# 吉 黑 秦 蜀 are words in their own right): only the unambiguous ones build combinations.
COMBINABLE_ABBR = "京津冀晋辽沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇陕陇蒙藏"

# Well-known groupings of cities written as one name: members as the boundary index names them.
CITY_GROUPS = {
    "长株潭": ("湖南省", ["长沙市", "株洲市", "湘潭市"], ["Chang-Zhu-Tan", "Changzhutan", "CZT"]),
    "郑洛新": ("河南省", ["郑州市", "洛阳市", "新乡市"], ["Zheng-Luo-Xin", "Zhengluoxin"]),
    "郑汴": ("河南省", ["郑州市", "开封市"], ["Zheng-Bian", "Zhengbian"]),
    "郑开": ("河南省", ["郑州市", "开封市"], ["Zheng-Kai"]),
    "武鄂黄黄": ("湖北省", ["武汉市", "鄂州市", "黄冈市", "黄石市"], []),
    "襄十随神": ("湖北省", ["襄阳市", "十堰市", "随州市", "神农架林区"], []),
    "宜荆荆恩": ("湖北省", ["宜昌市", "荆州市", "荆门市", "恩施土家族苗族自治州"], []),
    "宜荆荆": ("湖北省", ["宜昌市", "荆州市", "荆门市"], []),
    "昌九": ("江西省", ["南昌市", "九江市"], ["Chang-Jiu"]),
    "昌抚": ("江西省", ["南昌市", "抚州市"], []),
    "合芜蚌": ("安徽省", ["合肥市", "芜湖市", "蚌埠市"], ["He-Wu-Bang"]),
    "太忻": ("山西省", ["太原市", "忻州市"], []),
    "宁镇扬": ("江苏省", ["南京市", "镇江市", "扬州市"], []),
    "苏锡常": ("江苏省", ["苏州市", "无锡市", "常州市"], []),
    "厦漳泉": ("福建省", ["厦门市", "漳州市", "泉州市"], []),
    "福莆宁": ("福建省", ["福州市", "莆田市", "宁德市"], []),
    "广佛": ("广东省", ["广州市", "佛山市"], ["Guangzhou-Foshan"]),
    "深莞惠": ("广东省", ["深圳市", "东莞市", "惠州市"], []),
    "珠中江": ("广东省", ["珠海市", "中山市", "江门市"], []),
    "呼包鄂": ("内蒙古自治区", ["呼和浩特市", "包头市", "鄂尔多斯市"], []),
    "长吉": ("吉林省", ["长春市", "吉林市"], []),
    "哈大齐": ("黑龙江省", ["哈尔滨市", "大庆市", "齐齐哈尔市"], []),
    "成德眉资": ("四川省", ["成都市", "德阳市", "眉山市", "资阳市"], []),
    "西咸": ("陕西省", ["西安市", "咸阳市"], ["Xi-Xian", "Xixian"]),
    "乌昌": ("新疆维吾尔自治区", ["乌鲁木齐市", "昌吉回族自治州"], []),
    "兰白": ("甘肃省", ["兰州市", "白银市"], []),
}

# Natural features often named in policy text, with the provinces they lie in ([] when they
# cross many). Located through the catalog where the atlas has them, else left unplaced.
NATURAL_FEATURES = [
    # (Chinese, English forms, kind, provinces)
    ("长江", ["Yangtze River", "Yangtze", "Changjiang River"], "river", []),
    ("黄河", ["Yellow River", "Huanghe River"], "river", []),
    ("淮河", ["Huaihe River", "Huai River", "Huaihe"], "river", []),
    ("汉江", ["Hanjiang River", "Han River", "Hanjiang"], "river", ["Shaanxi", "Hubei"]),
    ("珠江", ["Pearl River"], "river", []),
    ("湘江", ["Xiangjiang River", "Xiang River"], "river", ["Hunan"]),
    ("赣江", ["Ganjiang River", "Gan River"], "river", ["Jiangxi"]),
    ("汾河", ["Fenhe River", "Fen River"], "river", ["Shanxi"]),
    ("沅江", ["Yuanjiang River", "Yuan River"], "river", ["Hunan"]),
    ("资江", ["Zijiang River", "Zi River"], "river", ["Hunan"]),
    ("澧水", ["Lishui River", "Li River"], "river", ["Hunan"]),
    ("嘉陵江", ["Jialing River"], "river", []),
    ("闽江", ["Minjiang River", "Min River"], "river", ["Fujian"]),
    ("钱塘江", ["Qiantang River"], "river", ["Zhejiang"]),
    ("大运河", ["Grand Canal"], "river", []),
    ("京杭大运河", ["Beijing-Hangzhou Grand Canal"], "river", []),
    ("鄱阳湖", ["Poyang Lake", "Lake Poyang"], "other", ["Jiangxi"]),
    ("洞庭湖", ["Dongting Lake", "Lake Dongting"], "other", ["Hunan"]),
    ("巢湖", ["Chaohu Lake", "Lake Chaohu"], "other", ["Anhui"]),
    ("太湖", ["Taihu Lake", "Lake Tai", "Lake Taihu"], "other", ["Jiangsu", "Zhejiang"]),
    ("洪泽湖", ["Hongze Lake"], "other", ["Jiangsu"]),
    ("丹江口水库", ["Danjiangkou Reservoir"], "other", ["Hubei", "Henan"]),
    ("三峡", ["Three Gorges"], "other", ["Hubei", "Chongqing"]),
    ("三峡大坝", ["Three Gorges Dam"], "lab_or_facility", ["Hubei"]),
    ("大别山", ["Dabie Mountains", "Dabie Mountain", "Dabieshan"], "mountain", ["Hubei", "Henan", "Anhui"]),
    ("武陵山", ["Wuling Mountains", "Wuling Mountain", "Wulingshan"], "mountain", []),
    ("太行山", ["Taihang Mountains", "Taihang Mountain", "Taihangshan"], "mountain", []),
    ("秦岭", ["Qinling Mountains", "Qinling"], "mountain", ["Shaanxi"]),
    ("罗霄山", ["Luoxiao Mountains"], "mountain", ["Jiangxi", "Hunan"]),
    ("伏牛山", ["Funiu Mountains", "Funiu Mountain"], "mountain", ["Henan"]),
    ("吕梁山", ["Lüliang Mountains", "Lvliang Mountains", "Luliang Mountains"], "mountain", ["Shanxi"]),
    ("燕山", ["Yanshan Mountains"], "mountain", []),
    ("大兴安岭", ["Greater Khingan Mountains", "Da Hinggan Mountains"], "mountain", []),
    ("乌蒙山", ["Wumeng Mountains"], "mountain", []),
    ("六盘山", ["Liupan Mountains"], "mountain", []),
    ("青藏高原", ["Qinghai-Tibet Plateau", "Tibetan Plateau"], "region_or_belt", []),
    ("黄土高原", ["Loess Plateau"], "region_or_belt", []),
    ("华北平原", ["North China Plain"], "region_or_belt", []),
    ("江汉平原", ["Jianghan Plain"], "region_or_belt", ["Hubei"]),
    ("东北平原", ["Northeast China Plain"], "region_or_belt", []),
]

# Directional and named regions of China ("central China", 中部地区) -> provinces they cover.
REGIONS = [
    ("中部地区", ["central China", "Central China", "central region", "Central Region",
              "central regions", "central Chinese provinces"],
     ["Shanxi", "Anhui", "Jiangxi", "Henan", "Hubei", "Hunan"]),
    ("中部六省", ["six central provinces", "six provinces in central China"],
     ["Shanxi", "Anhui", "Jiangxi", "Henan", "Hubei", "Hunan"]),
    ("西部地区", ["western China", "Western China", "western region", "Western Region", "western regions"], []),
    ("东部地区", ["eastern China", "Eastern China", "east China", "East China", "eastern region",
              "Eastern Region", "eastern regions", "eastern coastal region"], []),
    ("东北地区", ["northeast China", "Northeast China", "northeastern China", "Northeastern China",
              "NE China", "northeastern region", "northeast region"],
     ["Liaoning", "Jilin", "Heilongjiang"]),
    ("中西部地区", ["central and western China", "central and western regions"], []),
    ("华北", ["north China", "North China", "northern China"], []),
    ("华南", ["south China", "South China", "southern China"], []),
    ("西南地区", ["southwest China", "Southwest China", "southwestern China", "Southwestern China"], []),
    ("西北地区", ["northwest China", "Northwest China", "northwestern China", "Northwestern China"], []),
    ("东南沿海", ["southeast China", "Southeast China", "southeastern China"], []),
    ("沿海地区", ["coastal China", "coastal areas of China", "coastal regions"], []),
    ("中原", ["Central Plains", "Zhongyuan region"], ["Henan"]),
    ("华中", ["Central China region"], []),
    ("京津冀", ["Beijing-Tianjin-Hebei", "Jing-Jin-Ji"], ["Beijing", "Tianjin", "Hebei"]),
    ("粤港澳大湾区", ["Guangdong-Hong Kong-Macao Greater Bay Area", "Greater Bay Area",
                 "Guangdong-Hong Kong-Macau Greater Bay Area"], ["Guangdong", "Hong Kong", "Macao"]),
    ("长江中游", ["middle reaches of the Yangtze River"], []),
    ("北部湾", ["Beibu Gulf"], ["Guangxi", "Guangdong", "Hainan"]),
    ("关中平原", ["Guanzhong Plain"], ["Shaanxi"]),
]

# The national-level new areas (国家级新区) and the unit that hosts each (for its location).
NEW_AREAS = [
    ("浦东新区", ["Pudong New Area", "Pudong"], "上海市", "浦东新区"),
    ("滨海新区", ["Binhai New Area", "Tianjin Binhai New Area"], "天津市", "滨海新区"),
    ("两江新区", ["Liangjiang New Area", "Chongqing Liangjiang New Area"], "重庆市", "渝北区"),
    ("舟山群岛新区", ["Zhoushan Archipelago New Area"], "浙江省", "舟山市"),
    ("兰州新区", ["Lanzhou New Area"], "甘肃省", "兰州市"),
    ("南沙新区", ["Nansha New Area", "Guangzhou Nansha New Area"], "广东省", "南沙区"),
    ("西咸新区", ["Xixian New Area", "Xi'an-Xianyang New Area"], "陕西省", "咸阳市"),
    ("贵安新区", ["Gui'an New Area", "Guian New Area"], "贵州省", "贵阳市"),
    ("西海岸新区", ["West Coast New Area", "Qingdao West Coast New Area"], "山东省", "黄岛区"),
    ("金普新区", ["Jinpu New Area", "Dalian Jinpu New Area"], "辽宁省", "金州区"),
    ("天府新区", ["Tianfu New Area", "Sichuan Tianfu New Area"], "四川省", "成都市"),
    ("湘江新区", ["Xiangjiang New Area", "Hunan Xiangjiang New Area"], "湖南省", "岳麓区"),
    ("江北新区", ["Jiangbei New Area", "Nanjing Jiangbei New Area"], "江苏省", "浦口区"),
    ("福州新区", ["Fuzhou New Area"], "福建省", "福州市"),
    ("滇中新区", ["Dianzhong New Area", "Central Yunnan New Area"], "云南省", "昆明市"),
    ("哈尔滨新区", ["Harbin New Area"], "黑龙江省", "哈尔滨市"),
    ("长春新区", ["Changchun New Area"], "吉林省", "长春市"),
    ("赣江新区", ["Ganjiang New Area", "Jiangxi Ganjiang New Area"], "江西省", "新建区"),
    ("雄安新区", ["Xiong'an New Area", "Xiongan New Area", "Xiong'an", "Xiongan"], "河北省", "保定市"),
]

# Chinese names of countries (ISO 3166 alpha-2): names only, located through GeoNames.
COUNTRIES_ZH = {
    "中国": "CN", "中华人民共和国": "CN", "越南": "VN", "老挝": "LA", "缅甸": "MM", "朝鲜": "KP",
    "韩国": "KR", "日本": "JP", "俄罗斯": "RU", "蒙古国": "MN", "哈萨克斯坦": "KZ",
    "吉尔吉斯斯坦": "KG", "塔吉克斯坦": "TJ", "乌兹别克斯坦": "UZ", "土库曼斯坦": "TM",
    "巴基斯坦": "PK", "阿富汗": "AF", "印度": "IN", "尼泊尔": "NP", "不丹": "BT", "孟加拉国": "BD",
    "美国": "US", "英国": "GB", "法国": "FR", "德国": "DE", "意大利": "IT", "西班牙": "ES",
    "荷兰": "NL", "比利时": "BE", "卢森堡": "LU", "波兰": "PL", "匈牙利": "HU", "捷克": "CZ",
    "瑞士": "CH", "瑞典": "SE", "挪威": "NO", "芬兰": "FI", "丹麦": "DK", "奥地利": "AT",
    "希腊": "GR", "葡萄牙": "PT", "土耳其": "TR", "伊朗": "IR", "沙特阿拉伯": "SA", "沙特": "SA",
    "阿联酋": "AE", "以色列": "IL", "埃及": "EG", "南非": "ZA", "尼日利亚": "NG", "肯尼亚": "KE",
    "埃塞俄比亚": "ET", "巴西": "BR", "阿根廷": "AR", "智利": "CL", "秘鲁": "PE", "墨西哥": "MX",
    "加拿大": "CA", "澳大利亚": "AU", "新西兰": "NZ", "新加坡": "SG", "马来西亚": "MY",
    "印度尼西亚": "ID", "印尼": "ID", "泰国": "TH", "柬埔寨": "KH", "菲律宾": "PH", "文莱": "BN",
    "白俄罗斯": "BY", "乌克兰": "UA", "塞尔维亚": "RS", "格鲁吉亚": "GE", "阿塞拜疆": "AZ",
}
# Chinese names of world regions (continents and parts of them), keyed to their English forms.
WORLD_REGIONS_ZH = {
    "亚洲": "Asia", "欧洲": "Europe", "非洲": "Africa", "北美洲": "North America",
    "南美洲": "South America", "大洋洲": "Oceania", "东南亚": "Southeast Asia", "中亚": "Central Asia",
    "东北亚": "Northeast Asia", "南亚": "South Asia", "西亚": "West Asia", "东亚": "East Asia",
    "拉美": "Latin America", "拉丁美洲": "Latin America", "欧亚": "Eurasia",
}
# One-character names of neighbouring countries in 中越边境-style compounds.
COUNTRY_ABBR_ZH = {"越": "VN", "朝": "KP", "俄": "RU", "蒙": "MN", "哈": "KZ", "吉": "KG",
                   "塔": "TJ", "巴": "PK", "阿": "AF", "印": "IN", "尼": "NP", "缅": "MM",
                   "老": "LA", "韩": "KR", "日": "JP", "欧": "EU", "美": "US"}
MOUNTAINS_ZH_EXTRA = [
    ("大巴山", ["Daba Mountains"], []), ("阿尔泰山", ["Altai Mountains"], []),
    ("帕米尔高原", ["Pamir Plateau", "Pamirs"], []), ("喜马拉雅山", ["Himalayas", "Himalaya Mountains"], []),
    ("高黎贡山", ["Gaoligong Mountains"], ["Yunnan"]), ("天山", ["Tianshan Mountains", "Tian Shan"], []),
    ("昆仑山", ["Kunlun Mountains"], []), ("祁连山", ["Qilian Mountains"], []),
    ("长白山", ["Changbai Mountain", "Changbai Mountains"], ["Jilin"]), ("雪峰山", ["Xuefeng Mountains"], ["Hunan"]),
    ("幕阜山", ["Mufu Mountains"], []), ("桐柏山", ["Tongbai Mountains"], []),
    ("中条山", ["Zhongtiao Mountains"], ["Shanxi"]), ("五台山", ["Mount Wutai", "Wutai Mountain"], ["Shanxi"]),
    ("庐山", ["Mount Lushan", "Lushan Mountain"], ["Jiangxi"]), ("衡山", ["Mount Heng"], ["Hunan"]),
    ("嵩山", ["Mount Song", "Songshan Mountain"], ["Henan"]), ("南岭", ["Nanling Mountains"], []),
    ("大别山区", ["Dabie mountainous area"], []), ("武夷山脉", ["Wuyi Mountains"], []),
]
