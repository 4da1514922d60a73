"""The OpenAPI document stays true to the app: same routes, valid document, real examples."""

import re

import pytest

from geo.openapi import BBOX_PATTERN, openapi_document


def flask_rule_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_served_document_is_the_module_document(client, app):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    layer_ids = sorted(app.extensions["atlas_store"].layers)
    assert response.get_json() == openapi_document(layer_ids)


OGC_ROUTES = ("/", "/conformance", "/collections")


def test_every_api_and_download_route_is_documented_and_nothing_else(app):
    routes = {flask_rule_to_openapi(r.rule) for r in app.url_map.iter_rules()
              if (r.rule.startswith(("/api/", "/download/", "/collections")) or r.rule in OGC_ROUTES)
              and "GET" in r.methods}
    assert routes == set(openapi_document()["paths"])


def test_document_is_valid_openapi_3():
    import schemathesis

    doc = openapi_document(["logistics-hubs"])
    schema = schemathesis.openapi.from_dict(doc)  # refuses an invalid document
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) == len(doc["paths"])


@pytest.mark.parametrize("path", ["/api/layers", "/api/features", "/api/places?q=wuhan",
                                  "/api/layers/{first}", "/download/{first}.geojson",
                                  "/download/locations.geojson", "/api/base/provinces"])
def test_responses_match_the_documented_schemas(client, app, path):
    import schemathesis

    first = sorted(app.extensions["atlas_store"].layers)[0]
    doc = openapi_document([first])
    schema = schemathesis.openapi.from_dict(doc)
    url = path.format(first=first)
    template = path.split("?")[0].replace("{first}", "{layer_id}")
    operation = schema[template]["GET"]
    response = client.get(url)
    assert response.status_code == 200
    case = operation.Case(path_parameters={"layer_id": first} if "{first}" in path else {},
                          query={"q": "wuhan"} if "?q=" in path else {})
    case.validate_response(response)


@pytest.mark.parametrize("bbox, ok", [("110,28,116,32", True), ("-1.5e1, 2 ,3,.4", True),
                                      ("1,2,3", False), ("a,b,c,d", False), ("", True), (" ", True),
                                      ("1,2,3,4,5", False), ("nan,1,2,3", False)])
def test_bbox_pattern(bbox, ok):
    assert bool(re.match(BBOX_PATTERN, bbox)) is ok
