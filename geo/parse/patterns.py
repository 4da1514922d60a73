"""The patterns of China's policy designations, in English and Chinese.

A designation is a head that names a place or a proper name ("Wuhan", "China (Hubei)",
"Chang-Zhu-Tan", 武汉, 湖北荆州) followed by a tail that says what kind of place it is ("Pilot
Free Trade Zone", "Metropolitan Circle", 都市圈, 高新技术产业开发区). The tail decides the
mention's kind; the head, resolved through the gazetteer, decides where it is.
"""

from __future__ import annotations

import re

# English tails, most specific first; matched case-insensitively, the head must be capitalised.
_EN_TAILS = [
    ("development_zone", r"Area of (?:the )?China \([A-Z][a-z]+(?: [A-Z][a-z]+)?\) Pilot Free Trade Zone"),
    ("development_zone", r"(?:Pilot )?Free[- ]Trade (?:Zone|Port)(?: [A-Z][a-z]+)+ (?:Area|Subzone|Sub-zone)"),
    ("development_zone", r"(?:Pilot )?Free[- ]Trade (?:Pilot |Experimental )?(?:Zones?|Port|Area)"),
    ("development_zone", r"[Ss]ub-?zone|(?:Comprehensive )?Bonded Logistics (?:Cent(?:er|re)|Park)"),
    ("development_zone", r"FTZ"),
    ("development_zone", r"(?:Comprehensive )?Bonded (?:Zone|Area|Port Area|Logistics Park)"),
    ("development_zone", r"(?:National )?(?:High|Hi|New)[- ](?:and New )?Tech(?:nology)? (?:Industrial |Industry )?"
                         r"(?:Development )?(?:Zones?|Parks?|Area)"),
    ("development_zone", r"(?:National )?Economic(?:[- ]and[- ]|[- ])Technolog(?:ical|y|ic) Development (?:Zones?|Area)"),
    ("development_zone", r"(?:National )?Economic(?:[- ]and[- ]|[- ])Technical Development (?:Zones?|Area)"),
    ("development_zone", r"(?:National )?Economic Development (?:Zones?|Area)"),
    ("region_or_belt", r"(?:Eco(?:logical)?[- ])?Economic Zone"),
    ("development_zone", r"(?:Special Economic|Industrial Development|Industrial|Development|Demonstration|"
                         r"Pilot|Experimental|Cooperation|Innovation|Comprehensive Experimental|"
                         r"Comprehensive Pilot|Comprehensive Reform Pilot|Economic|Processing|"
                         r"Airport Economy|Airport Economic|Port Economic|Innovative Development|"
                         r"Reform Pilot|Green Development|Ecological Civilization|Opening-up|Open|"
                         r"Integration Demonstration|Industrial Transfer Demonstration|"
                         r"National Innovation Demonstration|Independent Innovation Demonstration|"
                         r"National Independent Innovation Demonstration|Transformation|"
                         r"Agricultural Hi-tech Industries Demonstration|Agricultural High-tech Demonstration)"
                         r" (?:Zones?|Area)"),
    ("development_zone", r"(?:Industrial|Science(?: and Technology)?|Technology|Software|Logistics|Innovation|"
                         r"Eco(?:logical)?|Economic|Tech) (?:Park|City|Town|Valley|Harbor|Harbour|Base)"),
    ("new_area", r"New (?:Area|District|Zone)"),
    ("lab_or_facility", r"(?:Comprehensive )?National Science Cent(?:er|re)"),
    ("lab_or_facility", r"(?:National )?(?:Key )?Laborator(?:y|ies)|Lab"),
    ("lab_or_facility", r"(?:Science|Scientific|Supercomputing|Super-computing|Innovation|Research|Data|Computing)"
                        r" Cent(?:er|re)"),
    ("lab_or_facility", r"Science City|Optics Valley|Dam|Nuclear Power Plant|Power Plant|Power Station"),
    ("region_or_belt", r"(?:Metropolitan|City|Economic|Urban|Capital) (?:Circle|Area|Region|Ring)"),
    ("region_or_belt", r"(?:City|Urban|Town) (?:Cluster|Agglomeration|Group|Belt)s?"),
    ("region_or_belt", r"(?:Eco(?:logical)?[- ])?Economic (?:Belt|Corridor|Zone|Rim|Region)"),
    ("region_or_belt", r"(?:Development |Transport |Industrial |Economic |Green )?(?:Belt|Corridor)"),
    ("region_or_belt", r"(?:Old )?Revolutionary (?:Base )?(?:Area|Region|Base)s?|Revolutionary Old Area|Soviet Area"),
    ("region_or_belt", r"(?:River )?Delta|(?:Greater )?Bay Area|Basin|Plains?|Plateau|Golden Triangle|"
                       r"Peninsula|[Bb]order(?: [Aa]rea| [Rr]egion)?"),
    ("river", r"Rivers?|Canal"),
    ("mountain", r"Mountains?(?: Range| Area| Region)?|Mount|Range"),
    ("other", r"Lakes?|Reservoir|Gorges|Bay|Sea|Gulf|Strait|Islands?|(?:National |Forest |Wetland )*Park|"
              r"Road|Avenue|Bridge"),
    ("town", r"Town|Township|Village|Jiedao|Subdistrict|Sub-district|Street"),
    ("lab_or_facility", r"(?:International )?Airport|(?:Border )?Port|Harbou?r|Railway Station|Train Station|"
                        r"Station|Terminal|Inland Port|Dry Port|[Bb]order (?:[Gg]ate|[Pp]ort|[Cc]rossing)|Pass"),
]
EN_TAIL = re.compile(r"\b(?:" + "|".join(f"(?P<t{i}>{p})" for i, (_, p) in enumerate(_EN_TAILS))
                     + r")(?![\w-])", re.IGNORECASE)
# The same tails without group names, for look-behind style checks.
EN_TAIL_ANY = "|".join(p for _, p in _EN_TAILS)
# A tail ending exactly where a search window ends (the window ends at a tail's last word).
EN_TAIL_AT_END = re.compile(r"\b(?:" + "|".join(f"(?P<t{i}>{p})" for i, (_, p) in enumerate(_EN_TAILS))
                            + r")$", re.IGNORECASE)
# Last words of the tails: where the matcher looks for a tail at all (found with an automaton).
EN_TAIL_LAST_WORDS = sorted({
    "zone", "zones", "port", "area", "areas", "park", "city", "town", "valley", "harbor", "harbour",
    "base", "bases", "district", "center", "centre", "laboratory", "laboratories", "lab", "dam",
    "plant", "station", "circle", "region", "regions", "ring", "cluster", "clusters",
    "agglomeration", "agglomerations", "group", "groups", "belt", "belts", "corridor", "rim",
    "delta", "basin", "plain", "plains", "plateau", "triangle", "river", "rivers", "canal",
    "mountain", "mountains", "mount", "range", "lake", "lakes", "reservoir", "gorges", "airport",
    "terminal", "ftz", "subzone", "sub-zone", "bay", "sea", "gulf", "strait", "island", "islands",
    "road", "avenue", "bridge", "village", "township", "jiedao", "subdistrict", "sub-district",
    "street", "peninsula", "border", "gate", "crossing", "pass", "parks"})
EN_TAIL_KINDS = [k for k, _ in _EN_TAILS]

# Words of a head that do not make it a proper name on their own ("the National High-tech Zone").
GENERIC_HEAD_WORDS = {
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "our", "national", "state",
    "provincial", "municipal", "comprehensive", "international", "pilot", "free", "trade",
    "new", "high-tech", "hi-tech", "economic", "development", "demonstration", "major", "key",
    "modern", "advanced", "first", "second", "third", "in", "on", "at", "for", "with", "by",
    "and", "of", "to", "from", "as", "such", "other", "all", "each", "every", "some", "both",
    "several", "various", "main", "core", "important", "leading", "regional", "local", "level",
    "industrial", "innovation", "green", "smart", "digital", "science", "technology", "city",
    "cities", "urban", "rural", "central", "western", "eastern", "northern", "southern", "great",
    "greater", "big", "old", "revolutionary", "base", "belt", "river", "lake", "mountain",
    "ecological", "eco", "experimental", "special", "open", "opening-up", "cross-border", "border",
    "e-commerce", "comprehensive", "zone", "zones", "area", "areas", "park", "parks", "when",
    "while", "after", "before", "under", "if", "we", "it", "he", "she", "they", "there", "here",
    "also", "but", "or", "so", "then", "last", "next", "this", "is", "was", "will", "would",
    "such", "more", "most", "many", "china's", "chinese", "country's", "nation's", "world's",
    "province's", "city's", "region's", "mr", "ms", "dr", "president", "premier", "minister",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "road",
    "belt", "silk", "maritime", "land", "sea", "air", "western", "northwest", "northeast",
    "southwest", "southeast", "north", "south", "east", "west", "middle", "lower", "upper",
}
# Words that open a sentence or a clause and are capitalised only for that reason.
LEADING_STOP = {"the", "a", "an", "in", "on", "at", "for", "with", "by", "and", "of", "to",
                "from", "as", "this", "that", "these", "those", "its", "their", "our", "his",
                "her", "when", "while", "after", "before", "under", "since", "during", "both",
                "all", "each", "some", "such", "there", "here", "also", "but", "or", "so",
                "meanwhile", "besides", "moreover", "furthermore", "however", "currently",
                "now", "today", "yesterday", "last", "next", "national", "state", "provincial",
                "major", "key", "new", "china's"}
# Organisation words: a capitalised run holding one after a place name makes it the name of an
# organisation or a company ("Henan Civil Aviation Development and Investment Company").
ORG_WORDS = {
    "company", "co", "co.", "corp", "corp.", "corporation", "group", "inc", "inc.", "ltd",
    "ltd.", "limited", "plc", "bank", "university", "college", "school", "academy", "institute",
    "hospital", "association", "federation", "society", "committee", "commission", "bureau",
    "department", "ministry", "administration", "agency", "office", "council", "government",
    "daily", "news", "times", "post", "television", "tv", "radio", "press", "evening",
    "airlines", "airline", "holdings", "investment", "securities", "exchange", "fund",
    "foundation", "club", "fc", "court", "procuratorate", "congress", "motors", "pharmaceutical",
    "pharmaceuticals", "enterprises", "enterprise", "firm", "brewery", "observer", "gazette",
}

# Directions that make a region of the place after them ("western Jiangxi", "Southeast Asia").
DIRECTIONS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest",
              "northern", "southern", "eastern", "western", "northeastern", "northwestern",
              "southeastern", "southwestern", "central", "ne", "nw", "se", "sw", "middle"}

# Chinese designation suffixes, longest first.
ZH_TAILS = [
    ("development_zone", "自由贸易试验区"), ("development_zone", "自贸试验区"),
    ("development_zone", "自由贸易港"), ("development_zone", "自贸区"), ("development_zone", "自贸港"),
    ("development_zone", "综合保税区"), ("development_zone", "保税区"), ("development_zone", "保税港区"),
    ("development_zone", "高新技术产业开发区"), ("development_zone", "高新技术开发区"),
    ("development_zone", "新技术开发区"), ("development_zone", "高新区"),
    ("development_zone", "经济技术开发区"), ("development_zone", "经济开发区"),
    ("development_zone", "经开区"), ("development_zone", "开发区"), ("development_zone", "工业园区"),
    ("development_zone", "产业园区"), ("development_zone", "产业园"), ("development_zone", "科技园"),
    ("development_zone", "国家自主创新示范区"), ("development_zone", "自主创新示范区"),
    ("development_zone", "承接产业转移示范区"), ("development_zone", "示范区"),
    ("development_zone", "试验区"), ("development_zone", "先行区"), ("development_zone", "实验区"),
    ("development_zone", "合作区"), ("development_zone", "片区"), ("development_zone", "航空港区"),
    ("development_zone", "集聚区"), ("development_zone", "功能区"), ("development_zone", "港区"),
    ("new_area", "新区"),
    ("lab_or_facility", "综合性国家科学中心"), ("lab_or_facility", "国家科学中心"),
    ("lab_or_facility", "实验室"), ("lab_or_facility", "科学城"), ("lab_or_facility", "科学中心"),
    ("lab_or_facility", "创新中心"), ("lab_or_facility", "超算中心"), ("lab_or_facility", "光谷"),
    ("region_or_belt", "都市圈"), ("region_or_belt", "城市圈"), ("region_or_belt", "经济圈"),
    ("region_or_belt", "城市群"), ("region_or_belt", "城市带"), ("region_or_belt", "经济带"),
    ("region_or_belt", "生态经济带"), ("region_or_belt", "经济走廊"), ("region_or_belt", "走廊"),
    ("region_or_belt", "革命老区"), ("region_or_belt", "老区"), ("region_or_belt", "苏区"),
    ("region_or_belt", "片区"), ("region_or_belt", "流域"), ("region_or_belt", "三角洲"),
    ("region_or_belt", "地区"), ("region_or_belt", "边界"), ("region_or_belt", "边境"),
    ("region_or_belt", "边界地区"), ("region_or_belt", "边境地区"), ("region_or_belt", "经济区"),
    ("region_or_belt", "沿线"), ("region_or_belt", "沿岸"),
    ("region_or_belt", "金三角"), ("region_or_belt", "城市带"),
    ("lab_or_facility", "国际机场"), ("lab_or_facility", "机场"), ("lab_or_facility", "港"),
    ("lab_or_facility", "空港"), ("lab_or_facility", "火车站"), ("lab_or_facility", "高铁站"),
    ("lab_or_facility", "站"), ("lab_or_facility", "码头"), ("lab_or_facility", "口岸"),
    ("lab_or_facility", "物流枢纽"), ("lab_or_facility", "枢纽"), ("lab_or_facility", "国家物流枢纽"),
]
ZH_TAILS.sort(key=lambda t: -len(t[1]))
# Characters a Chinese designation never runs across between its head and its tail.
ZH_STOP = set("，。、；：！？（）()《》“”‘’\"',.;:!? \n\t的和与及同在是将对把为等并或而也都已于向从到")
ZH_MAX_GAP = 8  # characters between the head's end and the tail

# Chinese organisation endings: a place name followed by one of these (within a few
# characters, no punctuation) is part of an organisation's name.
ZH_ORG_TAILS = ("有限公司", "股份", "公司", "集团", "银行", "大学", "学院", "日报", "晚报", "电视台",
                "广播", "医院", "出版社", "研究院", "研究所", "委员会", "人民政府", "政府", "商会",
                "协会", "报社", "中学", "小学", "法院", "检察院", "公安", "海关", "发改委", "人大",
                "政协", "工商联", "联合会", "办公室", "日报社", "新闻", "卫视", "厅", "局")
ZH_ORG_MAX_GAP = 6

# Chinese surnames as romanised: a pinyin place name right after one is a person's given name.
SURNAMES = set("""Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo
Gao Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu
Du Ye Cheng Wei Su Lu Ding Ren Shen Yao Jin Fu Zhong Xue Lyu Lv Cui Tan Lai Kong Qiu Qin Bai Shi
Xiong Meng Hao Gu Yin Duan Lei Fan Hou Long Tao Qian Dai Xia Zou Wan Mao Chang Kang Xi Jia Yan
Qi Niu Ge Fang Mo Yi Shao Hong Ou Geng Pei Ni Bi""".split())

# Latin forms better known as something other than a place (news agencies, brands).
NOT_PLACES_EN = {"xinhua": ("News Agency", "/", ")", " reported", " said", " news"),
                 "zhongguancun": ()}
