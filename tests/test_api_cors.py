"""geo.api.cors: the preflight answer, framework-free."""

from geo.api import cors


def test_preflight_allows_reading_from_any_origin():
    answer = cors.preflight("GET", "If-None-Match, Accept-Language, X-Secret, Authorization")
    assert answer.status == 204 and answer.body == b""
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert answer.headers["Access-Control-Allow-Headers"] == "if-none-match, accept-language"
    assert "Access-Control-Allow-Credentials" not in answer.headers


def test_preflight_without_headers_names_none():
    assert "Access-Control-Allow-Headers" not in cors.preflight("GET", None).headers
