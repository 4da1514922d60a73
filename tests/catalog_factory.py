"""Write small catalogs into a temporary directory for the catalog and build tests."""

import os

import yaml

DOCUMENTS = {"documents": {"doc-a": {
    "file": "000_test.txt", "title": "A test document", "publisher": "Test Press",
    "date": "2021-11-05"}}}

LAYERS = {
    "themes": [{"id": "t1", "title": "Theme one", "colour": "#123456"}],
    "layers": [
        {"id": "points", "theme": "t1", "title": "Points", "colour": "#123456",
         "description": "Test points."},
        {"id": "areas", "theme": "t1", "title": "Areas", "colour": "#654321",
         "description": "Test areas."},
    ],
}


def entry(eid, geometry, layer="points", **extra):
    base = {
        "id": eid, "name": f"Place {eid}", "name_zh": "测试", "aliases": [],
        "layer": layer, "provinces": ["Henan"], "description": "A place used in tests.",
        "geometry": geometry,
        "sources": [{"document": "doc-a", "mention": f"mention of {eid}"}],
    }
    base.update(extra)
    return base


def write_catalog(root, places, documents=DOCUMENTS, layers=LAYERS, files=None):
    """Write a catalog; ``places`` go to places/test.yaml unless ``files`` maps names to lists."""
    os.makedirs(os.path.join(root, "places"), exist_ok=True)
    with open(os.path.join(root, "documents.yaml"), "w", encoding="utf-8") as fh:
        yaml.safe_dump(documents, fh, allow_unicode=True)
    with open(os.path.join(root, "layers.yaml"), "w", encoding="utf-8") as fh:
        yaml.safe_dump(layers, fh, allow_unicode=True)
    for name, items in (files or {"test.yaml": places}).items():
        with open(os.path.join(root, "places", name), "w", encoding="utf-8") as fh:
            yaml.safe_dump(items, fh, allow_unicode=True)
    return str(root)
