"""Catalog checks: each problem is named with its file and entry."""

import os

import pytest

from catalog_factory import entry, write_catalog
from geo.build import CATALOG_DIR
from geo.catalog import CatalogError, load_catalog

POINT = {"point": {"place": "Zhengzhou", "province": "Henan"}}


def problems_of(root):
    with pytest.raises(CatalogError) as err:
        load_catalog(root)
    return err.value.problems


def test_a_good_catalog_loads(tmp_path):
    area = {"area": {"members": [{"place": "郑州市", "province": "Henan"}], "basis": "A plan."}}
    cat = load_catalog(write_catalog(tmp_path, [entry("a", POINT), entry("b", area, "areas")]))
    assert [e.id for e in cat.entries] == ["a", "b"]
    assert cat.entries[1].recipe.kind == "area" and cat.entries[1].recipe.refs[0].place == "郑州市"


def test_unknown_layer_is_named_with_file_and_entry(tmp_path):
    (problem,) = problems_of(write_catalog(tmp_path, [entry("a", POINT, layer="nowhere")]))
    assert problem.startswith("places/test.yaml: entry 'a': unknown layer 'nowhere'")
    assert "points" in problem  # lists the layers there are


def test_duplicate_id_across_files(tmp_path):
    root = write_catalog(tmp_path, None, files={"one.yaml": [entry("a", POINT)],
                                                "two.yaml": [entry("a", POINT)]})
    (problem,) = problems_of(root)
    assert "places/two.yaml: entry 'a': duplicate id (also in places/one.yaml)" == problem


def test_missing_and_unknown_sources(tmp_path):
    root = write_catalog(tmp_path, [
        entry("a", POINT, sources=[]),
        entry("b", POINT, sources=[{"document": "doc-x", "mention": "m"}]),
        entry("c", POINT, sources=[{"document": "doc-a", "mention": " "}]),
    ])
    found = problems_of(root)
    assert any("entry 'a': missing sources" in p for p in found)
    assert any("entry 'b': source names unknown document 'doc-x'" in p for p in found)
    assert any("entry 'c': source 'doc-a' has no mention" in p for p in found)


def test_recipe_problems(tmp_path):
    root = write_catalog(tmp_path, [
        entry("a", {"point": {"place": "Zhengzhou"}}),
        entry("b", {"line": {"through": [{"place": "Zhengzhou", "province": "Henan"}],
                             "basis": "x"}}),
        entry("c", {"area": {"members": [{"place": "郑州市", "province": "Henan"}]}}),
        entry("d", {"polygon": {}}),
        entry("e", {"point": {"place": "Zhengzhou", "province": "Narnia"}}),
        entry("f", {"point": {"place": "Paris", "country": "FRA"}}),
    ])
    found = "\n".join(problems_of(root))
    assert "entry 'a': point: 'Zhengzhou' needs a province" in found
    assert "entry 'b': line needs 'through': a list of at least 2 places" in found
    assert "entry 'c': area needs a basis" in found
    assert "entry 'd': geometry must be exactly one of point, site, area, line" in found
    assert "entry 'e': point: unknown province 'Narnia'" in found
    assert "entry 'f': point: a place outside China needs" in found


def test_bad_ids_fields_and_yaml(tmp_path):
    root = write_catalog(tmp_path, [entry("Bad Id", POINT), entry("g", POINT, colour="red")])
    with open(os.path.join(root, "places", "broken.yaml"), "w") as fh:
        fh.write("- id: x\n  name: [unclosed\n")
    found = "\n".join(problems_of(root))
    assert "entry 'Bad Id': id must be lower-case" in found
    assert "entry 'g': unknown field(s) colour" in found
    assert "broken.yaml: line" in found and "not valid YAML" in found


def test_all_problems_are_reported_at_once(tmp_path):
    root = write_catalog(tmp_path, [entry("a", POINT, layer="x"), entry("b", POINT, layer="y")])
    assert len(problems_of(root)) == 2


def test_the_project_catalog_is_valid():
    cat = load_catalog(CATALOG_DIR)
    assert len(cat.entries) >= 60
    used = {e.layer for e in cat.entries}
    assert used == {layer.id for layer in cat.layers}, "every layer has places"


def test_within_is_read_and_checked(tmp_path):
    site = {"site": {"host": {"place": "乐化", "province": "Jiangxi", "within": "新建区"},
                     "basis": "A report."}}
    cat = load_catalog(write_catalog(tmp_path / "ok", [entry("a", site)]))
    assert cat.entries[0].recipe.refs[0].within == "新建区"
    bad = {"site": {"host": {"province": "Jiangxi", "within": "新建区"}, "basis": "A report."}}
    abroad = {"point": {"place": "Hamburg", "country": "DE", "within": "Altona"}}
    found = problems_of(write_catalog(tmp_path / "bad", [entry("b", bad), entry("c", abroad)]))
    assert any("entry 'b'" in p and "'within' needs a place" in p for p in found)
    assert any("entry 'c'" in p and "no province or 'within'" in p for p in found)
