"""Property-based fuzzing of every endpoint and parameter from the OpenAPI document.

Schemathesis generates requests from ``/api/openapi.json`` — schema-valid ones (positive) and
ones that break a parameter's or a request body's schema (negative) — and sends them to the app
in-process. The properties: never a 5xx; every error is JSON with a message; every request that
breaks a parameter's or its body's documented schema is refused with a 4xx; every answer matches
the document. POST /api/extract runs the real geoparser the app loads at start-up.
"""

import email.parser
import email.policy
import json
import os
from urllib.parse import parse_qs, urlsplit

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

from app import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
APP = create_app()
SCHEMA = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)
DOCUMENT = APP.test_client().get("/api/openapi.json").get_json()
IDENTITY = {"Accept-Encoding": "identity"}  # schemathesis reads bodies undecoded
COUNTS = {"positive": 0, "negative": 0, "refused": 0}
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


def parameter_schemas(case):
    item = DOCUMENT["paths"][case.operation.path][case.method.lower()]
    return {(p["in"], p["name"]): p for p in item.get("parameters", [])}


def body_schema(case, media_type: str):
    item = DOCUMENT["paths"][case.operation.path][case.method.lower()]
    content = (item.get("requestBody") or {}).get("content") or {}
    if media_type not in content:
        return None
    ref = content[media_type]["schema"]["$ref"].rsplit("/", 1)[-1]
    return DOCUMENT["components"]["schemas"][ref]


def sent_form(body: bytes, content_type: str):
    """The fields of a multipart body as sent (a file as text), or None if it is no form at all."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart() or message.defects:
        return None
    fields = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name is None or name in fields:
            return None
        try:
            fields[name] = (part.get_payload(decode=True) or b"").decode("utf-8")
        except UnicodeDecodeError:
            return None
    return fields


def body_breaks_the_document(case, response) -> bool:
    """True if the request body, as it went over the wire, violates its documented schema."""
    request = response.request
    content_type = request.headers.get("Content-Type") or ""
    media = content_type.split(";")[0].strip().lower()
    item = DOCUMENT["paths"][case.operation.path][case.method.lower()]
    if "requestBody" not in item:
        return False
    schema = body_schema(case, media)
    if schema is None:
        return True  # a media type the operation does not take
    raw = request.body or b""
    raw = raw.encode("utf-8") if isinstance(raw, str) else raw
    try:
        value = json.loads(raw.decode("utf-8")) if media == "application/json" else sent_form(raw, content_type)
    except (UnicodeDecodeError, ValueError):
        return True
    if value is None:
        return True
    try:
        return not jsonschema_rs.validator_for(schema).is_valid(value)
    except ValueError:  # a lone surrogate: no string a schema can hold, so no valid body
        return True


def breaks_the_document(case, response) -> bool:
    """True if some parameter, as it went over the wire, violates its documented schema.

    Judged on the URL actually sent: a generated value that serialises to nothing (an empty
    object) is an absent parameter, as the server sees it.
    """
    url = urlsplit(response.request.url)
    query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    sent = {"query": query, "path": case.path_parameters or {}}
    for (where, name), param in parameter_schemas(case).items():
        values = sent.get(where, {})
        if name not in values:
            if param.get("required"):
                return True
            continue
        value = values[name]
        if str(value).strip() == "" and not param.get("required"):
            continue  # documented: an empty optional parameter is an absent one
        schema = dict(param["schema"])
        if schema.get("type") == "integer":
            try:
                value = int(str(value))
            except ValueError:
                return True
            if str(value) != str(values[name]).strip():
                return True
        elif not isinstance(value, str):
            value = str(value)
        if not jsonschema_rs.validator_for(schema).is_valid(value):
            return True
    return False


def check_common(response):
    assert response.status_code < 500, response.text[:300]
    if response.status_code >= 400:
        body = response.json()
        assert body["status"] == response.status_code and body["message"]


@SETTINGS
@given(case=SCHEMA.as_strategy(GenerationMode.POSITIVE))
def test_schema_valid_requests(case):
    COUNTS["positive"] += 1
    response = case.call(headers=IDENTITY)
    check_common(response)
    case.validate_response(response, checks=[status_code_conformance, content_type_conformance,
                                             response_schema_conformance])


@SETTINGS
@given(case=SCHEMA.as_strategy(GenerationMode.NEGATIVE))
def test_malformed_requests_are_refused_with_json(case):
    COUNTS["negative"] += 1
    response = case.call(headers=IDENTITY)
    check_common(response)
    if breaks_the_document(case, response) or body_breaks_the_document(case, response):
        COUNTS["refused"] += 1
        assert 400 <= response.status_code < 500, (case.path, case.query, response.status_code)


def test_fuzzing_ran_cases():
    # Runs after the two above (file order): the fuzzing must really have sent requests.
    print(f"fuzz cases: {COUNTS}")
    assert COUNTS["positive"] >= EXAMPLES and COUNTS["negative"] >= EXAMPLES
    assert COUNTS["refused"] > EXAMPLES // 4
