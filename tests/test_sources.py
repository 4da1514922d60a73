"""Source documents: digests and mention offsets checked where the documents are present."""

import hashlib

import pytest

from catalog_factory import DOCUMENTS, entry, write_catalog
from geo.build import BuildError, check_sources
from geo.catalog import CatalogError, load_catalog
from geo.sources import check_documents, locate, normal_text

TEXT = "Intro.\nThe  national logistics hub in\n Zhengzhou’s east.\n"
POINT = {"point": {"place": "Zhengzhou", "province": "Henan"}}


def catalog_with(tmp_path, mention, offset, digest=None):
    docs = {"documents": {"doc-a": dict(DOCUMENTS["documents"]["doc-a"])}}
    docs["documents"]["doc-a"]["sha256"] = digest or hashlib.sha256(TEXT.encode()).hexdigest()
    root = write_catalog(tmp_path / "cat", [entry("a", POINT, sources=[
        {"document": "doc-a", "mention": mention, "offset": offset}])], documents=docs)
    return load_catalog(root)


@pytest.fixture
def documents(tmp_path):
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "000_test.txt").write_text(TEXT, encoding="utf-8")
    return str(folder)


def test_normal_text_and_locate():
    assert normal_text("A\n  B’s") == "a b's"
    assert locate(TEXT, "logistics hub in Zhengzhou's") == normal_text(TEXT).find("logistics")
    assert locate(TEXT, "Wuhan") == -1


def test_a_mention_at_its_offset_passes(tmp_path, documents):
    offset = locate(TEXT, "national logistics hub")
    catalog = catalog_with(tmp_path, "national logistics hub", offset)
    assert check_documents(catalog, documents) == ([], [])


def test_wrong_offset_missing_mention_and_changed_file_are_named(tmp_path, documents):
    moved = catalog_with(tmp_path / "1", "national logistics hub", 0)
    (problem,) = check_documents(moved, documents)[0]
    assert "entry 'a': mention 'national logistics hub' is not at offset 0" in problem
    absent = catalog_with(tmp_path / "2", "a hub in Wuhan", 0)
    assert "is not in 000_test.txt" in check_documents(absent, documents)[0][0]
    changed = catalog_with(tmp_path / "3", "national logistics hub", 0, digest="0" * 64)
    (problem,) = check_documents(changed, documents)[0]
    assert "document 'doc-a'" in problem and "the catalog records 0000" in problem


def test_absent_documents_are_a_note_not_a_failure(tmp_path):
    catalog = catalog_with(tmp_path, "national logistics hub", 7)
    problems, notes = check_documents(catalog, str(tmp_path / "nowhere"))
    assert problems == [] and "were not checked" in notes[0]
    said = []
    check_sources(catalog, str(tmp_path / "nowhere"), said.append)
    assert "the verbatim checks need the documents" in said[0]


def test_build_stops_on_a_misplaced_mention(tmp_path, documents):
    with pytest.raises(BuildError, match="is not at offset 0"):
        check_sources(catalog_with(tmp_path, "national logistics hub", 0), documents,
                      lambda m: None)


def test_malformed_record_is_a_catalog_error(tmp_path):
    with pytest.raises(CatalogError) as err:
        catalog_with(tmp_path / "1", "national logistics hub", -3)
    assert "offset must be a whole number" in str(err.value)
    with pytest.raises(CatalogError) as err:
        catalog_with(tmp_path / "2", "national logistics hub", 1, digest="abc")
    assert "sha256 must be 64 lower-case hex digits" in str(err.value)
