"""JSON lines, GeoJSON and the catalog draft from real extraction results."""

import json

import yaml

from geo.parse.output import to_catalog, to_geojson, to_jsonl

TEXT = ("Jingzhou in Hubei and Yichang, Hubei, sit on the Yangtze. Jingzhou grows; "
        "Taizhou is unclear. The Yichang High-tech Zone too.")


def test_geojson_merges_mentions_of_one_place_and_keeps_each_source(parser):
    result = parser.extract(TEXT)
    fc = to_geojson(result, {"path": "notes/plan.txt", "title": "A plan", "date": "2024-03-01",
                             "url": "https://example.org/plan"})
    assert fc["type"] == "FeatureCollection"
    jingzhou = [f for f in fc["features"] if f["properties"]["gazetteer"].get("adcode") == "421000"]
    assert len(jingzhou) == 1
    sources = jingzhou[0]["properties"]["sources"]
    assert [s["mention"] for s in sources] == ["Jingzhou", "Jingzhou"]
    assert sources[0]["document"] == "notes/plan.txt" and sources[0]["date"] == "2024-03-01"
    assert sources[0]["title"] == "A plan" and sources[0]["url"] == "https://example.org/plan"
    for f in fc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 73 < lon < 136 and 18 < lat < 54
    # Taizhou is ambiguous here: not placed, counted.
    assert fc["unplaced"] >= 1
    assert not any(s["mention"] == "Taizhou" for f in fc["features"]
                   for s in f["properties"]["sources"])
    json.dumps(fc)


def test_catalog_draft_is_yaml_in_the_catalogs_shape(parser):
    result = parser.extract(TEXT + " 湖北省宜昌市")
    draft = to_catalog(result, {"path": "plan.txt"})
    assert draft.startswith("#")
    entries = yaml.safe_load(draft)
    assert entries, draft
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    for e in entries:
        assert set(e) >= {"id", "name", "layer", "provinces", "description", "geometry", "sources"}
        assert e["sources"][0]["document"] == "plan"
        (recipe, ref), = e["geometry"].items()
        host = ref["host"] if recipe == "site" else ref
        assert host["province"] in e["provinces"]
    zone = next(e for e in entries if e["name"] == "Yichang High-tech Zone")
    assert zone["geometry"]["site"]["host"] == {"place": "宜昌市", "province": "Hubei",
                                                "level": "prefecture"}


def test_jsonl_one_line_per_document_in_order(parser):
    a = {"path": "a.txt", **parser.extract("Hefei")}
    b = {"path": "b.html", "text": "Wuhu\n", **parser.extract("Wuhu\n")}
    lines = to_jsonl([a, b]).splitlines()
    assert [json.loads(line)["path"] for line in lines] == ["a.txt", "b.html"]
    assert "text" not in json.loads(lines[0]) and json.loads(lines[1])["text"] == "Wuhu\n"
