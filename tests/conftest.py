"""Fixtures for the app: flaskr-style ``app``, ``client`` and ``runner``, on a small data set that
follows the build's data contract (written by :func:`write_fixture_data`), and, where
``python -m geo build`` has written it, on the real data too (``any_app`` / ``dataset``)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # app.py lives at the top, next to geo/
    sys.path.insert(0, str(REPO))
from geo.export import bounds  # noqa: E402  (after the path is set)
# The built data: data/ by default; ATLAS_BUILT_DATA points elsewhere (e.g. `python -m geo build --out DIR`).
BUILT_DATA = Path(os.environ.get("ATLAS_BUILT_DATA") or REPO / "data")

GUIDELINE = {
    "document": "guideline-2021",
    "title": "Opinions on promoting high-quality development of central China in the new era",
    "publisher": "CPC Central Committee and State Council",
    "date": "2021-04-23",
}
REPORT = {
    "document": "report-2025",
    "title": "Central provinces' 2025 government work reports",
    "publisher": "Provincial governments",
    "date": "2025-01",
}

THEMES = [
    {"id": "logistics", "title": "Logistics and opening-up", "colour": "#1f6fb2",
     "layers": ["logistics-hubs", "corridors"]},
    {"id": "cities", "title": "Cities and metropolitan circles", "colour": "#c2410c",
     "layers": ["central-cities", "metropolitan-circles"]},
    {"id": "reform", "title": "Reform and pilot zones", "colour": "#b91c1c", "layers": ["pilot-zones"]},
]
LAYERS = [
    ("logistics-hubs", "logistics", "National logistics hubs", "#1f6fb2",
     "Cities the 2021 guideline names for national logistics hub construction."),
    ("corridors", "logistics", "International corridors", "#1e3a8a",
     "Freight routes that start in central China; drawn schematically between their end points."),
    ("central-cities", "cities", "National central and regional cities", "#c2410c",
     "National central cities to be built up and regional cities whose influence is to grow."),
    ("metropolitan-circles", "cities", "Metropolitan circles", "#ea580c",
     "Metropolitan circles, drawn as the union of their member units.", False),
    ("pilot-zones", "reform", "Reform and pilot zones", "#ef4444",
     "Comprehensive reform zones and pilots."),
]
PRECISION = {
    2: "near: within 25 km of the location",
    3: "in a prefecture-level unit",
    4: "in a province",
    5: "estimated or schematic",
}
# Rough rectangles are enough for a base layer in tests.
PROVINCES = [
    ("410000", "河南省", "Henan", (110.35, 31.38, 116.65, 36.37)),
    ("420000", "湖北省", "Hubei", (108.36, 29.03, 116.13, 33.27)),
    ("430000", "湖南省", "Hunan", (108.79, 24.64, 114.26, 30.13)),
    ("340000", "安徽省", "Anhui", (114.88, 29.39, 119.65, 34.65)),
    ("360000", "江西省", "Jiangxi", (113.57, 24.49, 118.48, 30.08)),
    ("140000", "山西省", "Shanxi", (110.23, 34.58, 114.56, 40.74)),
]


def _rect(minx, miny, maxx, maxy):
    return [[[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]]


def _feature(fid, layer, theme, geometry, name, name_zh, *, aliases=(), provinces=(), precision=3,
             description="", basis="", members=(), schematic=False, sources=None, gazetteer=None):
    return {
        "type": "Feature",
        "id": fid,
        "geometry": geometry,
        "properties": {
            "name": name,
            "name_zh": name_zh,
            "aliases": list(aliases),
            "layer": layer,
            "theme": theme,
            "provinces": list(provinces),
            "description": description,
            "precision": precision,
            "precision_label": PRECISION[precision],
            "geometry_basis": basis,
            "gazetteer": gazetteer or {},
            "members": list(members),
            "schematic": schematic,
            "sources": sources or [dict(GUIDELINE, mention=f"{name}")],
        },
    }


def _point(x, y):
    return {"type": "Point", "coordinates": [x, y]}


def fixture_features() -> list[dict]:
    """Eleven features over five layers: points, lines, areas; exact and approximate."""
    return [
        _feature("hub-zhengzhou", "logistics-hubs", "logistics", _point(113.6253, 34.7466),
                 "Zhengzhou national logistics hub", "郑州国家物流枢纽",
                 aliases=["Zhengzhou logistics hub", "Zhengzhou", "郑州", "Zhèngzhōu"], provinces=["Henan"],
                 description="Freight and distribution hub at the crossing of China's north-south and east-west rail lines.",
                 basis="GeoNames seat of Zhengzhou", gazetteer={"geonameid": 1784658, "adcode": "410100"},
                 sources=[dict(GUIDELINE, mention="national logistics hubs in Zhengzhou"),
                          dict(REPORT, mention="Zhengzhou hub")]),
        _feature("hub-wuhan", "logistics-hubs", "logistics", _point(114.2667, 30.5833),
                 "Wuhan national logistics hub", "武汉国家物流枢纽", aliases=["Wuhan", "武汉"], provinces=["Hubei"],
                 description="River, rail and air freight hub on the Yangtze.", basis="GeoNames seat of Wuhan",
                 gazetteer={"geonameid": 1791247, "adcode": "420100"}),
        _feature("hub-changsha", "logistics-hubs", "logistics", _point(112.9389, 28.2278),
                 "Changsha national logistics hub", "长沙国家物流枢纽", aliases=["Changsha", "长沙"], provinces=["Hunan"],
                 description="Hub for the Changsha-Zhuzhou-Xiangtan region.", basis="GeoNames seat of Changsha",
                 gazetteer={"geonameid": 1815577, "adcode": "430100"}),
        _feature("corridor-zhengzhou-luxembourg", "corridors", "logistics",
                 {"type": "LineString", "coordinates": [[113.6253, 34.7466], [60.0, 48.0], [6.1296, 49.6116]]},
                 "Zhengzhou–Luxembourg air cargo route", "郑州—卢森堡空中丝绸之路",
                 aliases=["Air Silk Road", "空中丝绸之路"], provinces=["Henan"], precision=5, schematic=True,
                 description="Dual-hub cargo air route between Zhengzhou and Luxembourg.",
                 basis="Great circle between the two airports' cities"),
        _feature("corridor-wuhan-river", "corridors", "logistics",
                 {"type": "MultiLineString", "coordinates": [[[114.2667, 30.5833], [112.2, 30.3], [111.29, 30.7]],
                                                             [[111.29, 30.7], [109.5, 30.9]]]},
                 "Yangtze shipping route Wuhan–Yichang", "长江航运武汉至宜昌段", aliases=["Changjiang hangyun"],
                 provinces=["Hubei"], precision=5, schematic=True,
                 description="River freight along the middle Yangtze.", basis="Schematic line through river ports"),
        _feature("city-zhengzhou", "central-cities", "cities", _point(113.6253, 34.7466),
                 "Zhengzhou", "郑州市", aliases=["Zhengzhou city", "Zhèngzhōu"], provinces=["Henan"],
                 description="National central city to be built up.", basis="GeoNames seat",
                 gazetteer={"geonameid": 1784658, "adcode": "410100"}),
        _feature("city-taiyuan", "central-cities", "cities", _point(112.5603, 37.8694),
                 "Taiyuan", "太原市", aliases=["Taiyuan city"], provinces=["Shanxi"],
                 description="Regional city whose influence is to grow.", basis="GeoNames seat",
                 gazetteer={"geonameid": 1793511, "adcode": "140100"}),
        _feature("city-hefei", "central-cities", "cities", _point(117.2808, 31.8639),
                 "Hefei", "合肥市", aliases=["Luzhou"], provinces=["Anhui"],
                 description="Regional city; <b>not bold</b> & not markup.", basis="GeoNames seat",
                 gazetteer={"geonameid": 1808722, "adcode": "340100"}),
        _feature("circle-wuhan", "metropolitan-circles", "cities",
                 {"type": "Polygon", "coordinates": _rect(113.7, 29.9, 115.6, 31.3)},
                 "Wuhan metropolitan circle", "武汉都市圈", aliases=["Wuhan circle"], provinces=["Hubei"],
                 description="Wuhan and neighbouring cities.", basis="Union of the official member cities",
                 members=[{"name": "Wuhan", "name_zh": "武汉市", "adcode": "420100", "level": "prefecture", "province": "Hubei"},
                          {"name": "Ezhou", "name_zh": "鄂州市", "adcode": "420700", "level": "prefecture", "province": "Hubei"},
                          {"name": "Huangshi", "name_zh": "黄石市", "adcode": "420200", "level": "prefecture", "province": "Hubei"}]),
        _feature("circle-changzhutan", "metropolitan-circles", "cities",
                 # Two disjoint parts (parts that share an edge would make an invalid MultiPolygon).
                 {"type": "MultiPolygon", "coordinates": [_rect(112.6, 27.6, 113.4, 28.6), _rect(113.0, 27.0, 113.6, 27.58)]},
                 "Changsha-Zhuzhou-Xiangtan metropolitan circle", "长株潭都市圈", aliases=["Changzhutan", "Chang-Zhu-Tan"],
                 provinces=["Hunan"], precision=5,
                 description="Three neighbouring cities on the Xiang river.", basis="Our reading of the membership",
                 members=[{"name": "Changsha", "name_zh": "长沙市", "adcode": "430100", "level": "prefecture", "province": "Hunan"},
                          {"name": "Zhuzhou", "name_zh": "株洲市", "adcode": "430200", "level": "prefecture", "province": "Hunan"},
                          {"name": "Xiangtan", "name_zh": "湘潭市", "adcode": "430300", "level": "prefecture", "province": "Hunan"}]),
        _feature("pilot-shanxi-energy", "pilot-zones", "reform", _point(112.5603, 37.8694),
                 "Shanxi energy revolution pilot", "山西能源革命综合改革试点", aliases=["Nengyuan geming"],
                 provinces=["Shanxi"], precision=4,
                 description="Province-wide pilot for energy reform.", basis="Province seat, the pilot covers the province",
                 sources=[dict(REPORT, mention="energy revolution comprehensive reform pilot")]),
    ]


def write_fixture_data(root: Path) -> Path:
    """Write locations.geojson, layers/index.json, layers/<id>.geojson and base/provinces.geojson."""
    root = Path(root)
    (root / "layers").mkdir(parents=True, exist_ok=True)
    (root / "base").mkdir(parents=True, exist_ok=True)
    features = fixture_features()

    def dump(path: Path, obj) -> None:
        path.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")

    dump(root / "locations.geojson", {"type": "FeatureCollection", "features": features})
    layers = []
    for layer_id, theme, title, colour, description, *shown in LAYERS:
        members = [f for f in features if f["properties"]["layer"] == layer_id]
        layers.append({
            "id": layer_id, "title": title, "theme": theme, "description": description, "colour": colour,
            "visible": shown[0] if shown else True,  # shown when the map opens (metropolitan circles are not)
            "geometry_types": sorted({f["geometry"]["type"] for f in members}), "count": len(members),
            "bbox": bounds(members), "file": f"layers/{layer_id}.geojson",
        })
        dump(root / "layers" / f"{layer_id}.geojson", {"type": "FeatureCollection", "features": members})
    dump(root / "layers" / "index.json", {"themes": THEMES, "layers": layers})
    dump(root / "base" / "provinces.geojson", {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": code, "name_zh": zh, "name": en},
         "geometry": {"type": "Polygon", "coordinates": _rect(*box)}}
        for code, zh, en, box in PROVINCES
    ]})
    return root


def built_data_exists() -> bool:
    return (BUILT_DATA / "layers" / "index.json").is_file() and (BUILT_DATA / "locations.geojson").is_file()


def datasets() -> list[str]:
    """The data sets tests run on: the fixture always, the built data once the build has written it."""
    return ["fixture"] + (["built"] if built_data_exists() else [])


# --- flaskr-style fixtures on the fixture data ---------------------------------------------------

@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_fixture_data(tmp_path / "data")


@pytest.fixture
def app(data_dir: Path):
    from app import create_app

    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir)})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- the same on every available data set --------------------------------------------------------

@pytest.fixture(scope="session")
def fixture_data_dir(tmp_path_factory) -> Path:
    return write_fixture_data(tmp_path_factory.mktemp("atlas") / "data")


@pytest.fixture(scope="session", params=datasets())
def dataset(request, fixture_data_dir) -> Path:
    """A data directory: the fixture, then (if built) the real data."""
    return fixture_data_dir if request.param == "fixture" else BUILT_DATA


@pytest.fixture(scope="session")
def any_app(dataset):
    from app import create_app

    return create_app({"TESTING": True, "DATA_DIR": str(dataset)})


@pytest.fixture
def any_client(any_app):
    return any_app.test_client()
