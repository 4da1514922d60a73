"""The OGC API's parameter parsers: each refuses bad input with a message that names it."""

from datetime import date

import pytest

from geo.ogc import ParamError, params


def test_check_known():
    params.check_known({"limit": "1", "f": "json"}, ["limit", "f", "bbox"])
    with pytest.raises(ParamError, match="unknown parameter 'crs'; this resource takes bbox, f, limit"):
        params.check_known({"crs": "x"}, ["limit", "f", "bbox"])


@pytest.mark.parametrize("text, value", [(None, 100), ("", 100), (" ", 100), ("1", 1), ("1000", 1000), (" 7 ", 7)])
def test_limit(text, value):
    assert params.parse_limit(text) == value


@pytest.mark.parametrize("text", ["0", "1001", "-1", "+5", "007", "1.5", "ten", "1e2"])
def test_bad_limit(text):
    with pytest.raises(ParamError, match="limit must be a whole number from 1 to 1000"):
        params.parse_limit(text)


def test_offset():
    assert params.parse_offset(None) == 0 and params.parse_offset("25") == 25
    with pytest.raises(ParamError, match="offset"):
        params.parse_offset("-3")


def test_bbox():
    assert params.parse_bbox(None) is None and params.parse_bbox(" ") is None
    assert params.parse_bbox("110,28,116,32") == [(110, 28, 116, 32)]
    assert params.parse_bbox("110,28,-10,116,32,500") == [(110, 28, 116, 32)]
    assert params.parse_bbox("170,-10,-170,10") == [(170, -10, 180, 10), (-180, -10, -170, 10)]


@pytest.mark.parametrize("text, message", [
    ("1,2,3", "4 \\(or 6"), ("1,2,3,4,5", "got 5"), ("a,2,3,4", "not a number: 'a'"),
    ("nan,1,2,3", "not a number: 'nan'"), ("1e999,1,2,3", "finite"), ("１１０,1,2,3", "ASCII digits"), ("1,2,181,3", "longitude"), ("1,-91,2,3", "latitude"), ("1,5,2,3", "reversed"),
])
def test_bad_bbox(text, message):
    with pytest.raises(ParamError, match=message):
        params.parse_bbox(text)


@pytest.mark.parametrize("text, span", [
    ("2021-11-05", (date(2021, 11, 5), date(2021, 11, 5))),
    ("2021-11-05T23:30:00Z", (date(2021, 11, 5), date(2021, 11, 5))),
    ("2021-11-06T01:00:00+08:00", (date(2021, 11, 5), date(2021, 11, 5))),
    ("2021-01-01/2021-12-31", (date(2021, 1, 1), date(2021, 12, 31))),
    ("../2021-12-31", (None, date(2021, 12, 31))),
    ("2021-01-01/..", (date(2021, 1, 1), None)),
    ("2021-01-01/", (date(2021, 1, 1), None)),
])
def test_datetime(text, span):
    assert params.parse_datetime(text) == span


@pytest.mark.parametrize("text, message", [
    ("2021", "RFC 3339"), ("2021-13-01", "not a real date"), ("2021-02-30", "not a real date"),
    ("../..", "open at both ends"), ("2022-01-01/2021-01-01", "reversed"), ("a/b/c", "start/end"),
    ("2021-01-01T10:00:00", "RFC 3339"), ("x" * 101, "too long"),
])
def test_bad_datetime(text, message):
    with pytest.raises(ParamError, match=message):
        params.parse_datetime(text)


@pytest.mark.parametrize("f, accept, default, fmt", [
    ("json", "text/html", "json", "json"), ("HTML", None, "json", "html"),
    (None, None, "json", "json"), (None, None, "html", "html"),
    (None, "text/html,application/xhtml+xml,*/*;q=0.8", "json", "html"),
    (None, "application/geo+json, application/json;q=0.9", "html", "json"),
    (None, "application/json, text/html;q=0.5", "html", "json"),
    (None, "*/*", "json", "json"),
    (None, "application/schema+json", "html", "json"),
])
def test_format(f, accept, default, fmt):
    assert params.parse_format(f, accept, default) == fmt


def test_bad_format():
    with pytest.raises(ParamError, match="f must be one of json, html; got 'xml'"):
        params.parse_format("xml", None)


def test_media_ranges_read_q_values_as_written():
    from geo.ogc.params import media_ranges

    assert media_ranges("Application/GEO+JSON-seq;q=0.9, text/html ; Q=0.5, */*;q=oops, ,") == [
        ("application/geo+json-seq", 0.9), ("text/html", 0.5), ("*/*", 0.0)]
    assert media_ranges(None) == [] and media_ranges("") == []
