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
              and r.methods & {"GET", "POST"}}
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


# --- the document and the behaviour agree (issue 11) ---------------------------------------------

HOSTILE_VALUES = ["", " ", "\t", "0" * 150, "0000", "1_10", "１１０", "٥", "+5", "-1", "05", "abc", "1e5", "nan",
                  "\u0000", "\u00a05", "110,28,116,32", "1_10,25,115,35", "１１０,25,115,35", "'", "%", "a" * 5000]
HOSTILE_IDS = ["nope", "0" * 300, "..", "%2e%2e", "\u0000", "郑州", "a b"]


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def _url(path, ids):
    return re.sub(r"\{([^}]+)\}", lambda m: ids.get(m.group(1), "corridors"), path)


def test_every_status_the_api_gives_is_declared(client):
    """Hostile values in every parameter and path segment of every operation: each status the
    app answers with is among the operation's declared responses."""
    document = client.get("/api/openapi.json").get_json()
    undeclared = set()
    for path, method, operation in _operations(document):
        if method != "get":
            continue  # bodies (POST /api/extract) are fuzzed by their own tests
        declared = set(operation["responses"])
        query_params = [p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"]
        path_params = [p["name"] for p in operation.get("parameters", ()) if p["in"] == "path"]
        requests = [(_url(path, {}), {name: value}) for name in query_params + ["unknown"] for value in HOSTILE_VALUES]
        requests += [(_url(path, {name: value}), {}) for name in path_params for value in HOSTILE_IDS]
        for url, args in requests:
            if "q" in query_params and "q" not in args and path == "/api/places":
                args = dict(args, q="wuhan")
            status = client.open(url, method=method.upper(), query_string=args).status_code
            if str(status) not in declared:
                undeclared.add((path, status, tuple(args.items())[:1]))
    assert not undeclared, sorted(undeclared)[:10]


def test_optional_query_parameters_say_empty_is_absent(client):
    document = client.get("/api/openapi.json").get_json()
    for path, _, operation in _operations(document):
        for param in operation.get("parameters", ()):
            if param["in"] == "query" and not param.get("required"):
                assert param.get("allowEmptyValue") is True, (path, param["name"])


def test_empty_limit_is_the_default_and_a_signed_one_is_refused(client):
    assert client.get("/api/places?q=wuhan&limit=").get_json()["count"] == client.get("/api/places?q=wuhan").get_json()["count"]
    for limit in ("%2B5", "05", "%EF%BC%95", "%D9%A5", "1_0"):  # +5, 05, full-width 5, Arabic-Indic 5, 1_0
        response = client.get(f"/api/places?q=wuhan&limit={limit}")
        assert response.status_code == 400, limit
        assert "ASCII digits" in response.get_json()["message"]


@pytest.mark.parametrize("bbox", ["1_10,25,115,35", "１１０,25,115,35", "١١٠,25,115,35", "110\u00a0,25,115,35"])
def test_bbox_takes_ascii_numbers_only(client, bbox):
    assert not re.fullmatch(BBOX_PATTERN.strip("^$"), bbox)  # the document refuses it...
    for url in ("/api/features", "/api/layers/corridors", "/collections/corridors/items"):
        assert client.get(url, query_string={"bbox": bbox}).status_code == 400, url  # ...and so does the app
