"""POST /api/extract (geo.api.extract): the handler with a parser passed in, and the route in the app.

Every error the route promises (413 on the declared length and on the bytes read, 415, 400 for
malformed JSON or multipart, missing text, text that is not UTF-8, 405) and the happy paths (JSON,
multipart .txt/.md/.html/.pdf, the GeoJSON and catalog formats, the reader's choices), first with
a small fake parser (tests/fake_parser.py), then end to end with the real one.
"""

from __future__ import annotations

import json
import os
import tempfile

import pytest
from urllib3 import encode_multipart_formdata

from app import create_app
from fake_parser import FakeParser
from geo.api import ApiError
from geo.api import extract as api

PASSAGE = "The Wuhan hub and Changsha lead; Taizhou in Jiangsu follows. Hubei Province agrees."


def call(body: bytes, content_type="application/json", **kw):
    parser = kw.pop("parser", None) or FakeParser()
    return api.extract(parser, body, content_type=content_type, **kw)


def jbody(**fields) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


def error_of(body: bytes, content_type="application/json", **kw) -> ApiError:
    with pytest.raises(ApiError) as info:
        call(body, content_type, **kw)
    return info.value


def multipart(fields: dict) -> tuple[bytes, str]:
    return encode_multipart_formdata(fields)


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF whose content stream shows ``text`` in Helvetica (cross-reference offsets right)."""
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# --- the handler: happy paths ------------------------------------------------------------------

def test_json_text_gives_the_command_lines_object():
    response = call(jbody(text=PASSAGE, title="A plan", date="2024-03-05", url="https://example.org/plan"))
    assert response.status == 200 and response.media_type == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.body)
    assert body["title"] == "A plan" and body["date"] == "2024-03-05" and body["url"] == "https://example.org/plan"
    assert body["language"] == "en" and body["format"] == "text"
    assert "text" not in body  # the caller sent it
    texts = [m["text"] for m in body["mentions"]]
    assert texts == ["Wuhan", "Changsha", "Taizhou", "Hubei Province"]
    for m in body["mentions"]:
        assert PASSAGE[m["start"]:m["end"]] == m["text"]


def test_lang_goes_to_the_parser_from_the_query_or_the_body():
    parser = FakeParser()
    call(jbody(text="Wuhan", lang="zh"), parser=parser)
    call(jbody(text="Wuhan", lang="zh"), parser=parser, args={"lang": "en"})
    call(jbody(text="Wuhan"), parser=parser)
    assert [lang for _, lang in parser.calls] == ["zh", "en", "auto"]


def test_chinese_text_and_a_charset_parameter():
    response = call(jbody(text="武汉是湖北的省会。"), "application/json; charset=UTF-8")
    body = json.loads(response.body)
    assert body["language"] == "zh" and body["mentions"][0]["text"] == "武汉"


def test_choices_move_a_mention_to_its_candidate_and_drop_another():
    parser = FakeParser()
    plain = json.loads(call(jbody(text=PASSAGE), parser=parser).body)["mentions"]
    taizhou = next(m for m in plain if m["text"] == "Taizhou")
    wuhan = next(m for m in plain if m["text"] == "Wuhan")
    choices = [{"start": taizhou["start"], "end": taizhou["end"], "candidate": 0},
               {"start": wuhan["start"], "end": wuhan["end"], "drop": True}]
    body = json.loads(call(jbody(text=PASSAGE, choices=choices), parser=parser).body)
    texts = [m["text"] for m in body["mentions"]]
    assert "Wuhan" not in texts and len(texts) == len(plain) - 1
    moved = next(m for m in body["mentions"] if m["text"] == "Taizhou")
    assert (moved["province"], moved["adcode"], moved["lon"], moved["lat"]) == ("Zhejiang", "331000", 121.4208, 28.6561)
    assert moved["chosen_by_reader"] is True and moved["confidence"] == 1.0
    assert "chosen by the reader" in moved["basis"] and taizhou["basis"] in moved["basis"]
    # The parser's answer is now a candidate, with the reason; the chosen one is not.
    assert moved["candidates"][0]["province"] == "Jiangsu"
    assert moved["candidates"][0]["why_not"] == "the reader chose another candidate"
    assert [c["province"] for c in moved["candidates"]] == ["Jiangsu", "Hubei"]


@pytest.mark.parametrize("choices, fragment", [
    ("no", "choices must be a list"),
    ([1], "choices[0] must be an object"),
    ([{"start": 0, "end": 5}], "either candidate"),
    ([{"start": 0, "end": 5, "candidate": 0, "drop": True}], "either candidate"),
    ([{"start": -1, "end": 5, "drop": True}], "choices[0].start"),
    ([{"start": 0, "end": "5", "drop": True}], "choices[0].end"),
    ([{"start": 0, "end": 5, "candidate": True}], "choices[0].candidate"),
    ([{"start": 0, "end": 5, "drop": "yes"}], "choices[0].drop"),
    ([{"start": 0, "end": 5, "drop": False, "candidate": 0}], "choices[0].drop must be true"),
    ([{"start": 0, "end": 5, "drop": True, "x": 1}], "unknown field 'x'"),
    ([{"start": 0, "end": 3, "drop": True}], "no mention spans 0-3"),
    ([{"start": 4, "end": 9, "candidate": 0}], "has 0 candidate(s); there is no candidate 0"),
])
def test_bad_choices_are_400(choices, fragment):
    err = error_of(jbody(text=PASSAGE, choices=choices))
    assert err.status == 400 and fragment in err.message, err.message


def test_geojson_and_catalog_formats_use_the_output_functions():
    seen = {}

    class Outputs:
        @staticmethod
        def to_geojson(results, meta):
            seen["geojson"] = (results, meta)
            return {"type": "FeatureCollection", "features": []}

        @staticmethod
        def to_catalog(results, meta):
            seen["catalog"] = (results, meta)
            return "entries: []\n"

    meta = dict(text=PASSAGE, title="A plan: <b>", date="2024")
    geo = call(jbody(**meta), args={"format": "geojson"}, outputs=Outputs)
    assert geo.media_type == "application/geo+json" and json.loads(geo.body)["type"] == "FeatureCollection"
    assert geo.filename == "A-plan-b-places.geojson"
    yaml_ = call(jbody(**meta), args={"format": "catalog"}, outputs=Outputs)
    assert yaml_.media_type.startswith("application/yaml") and yaml_.body == b"entries: []\n"
    assert yaml_.filename.endswith(".yaml")
    results, passed = seen["geojson"]
    assert passed["title"] == "A plan: <b>" and passed["date"] == "2024"
    assert results[0]["text"] == PASSAGE and [m["text"] for m in results[0]["mentions"]][0] == "Wuhan"


# --- the handler: errors -----------------------------------------------------------------------

@pytest.mark.parametrize("body, content_type, status, fragment", [
    (b"{", "application/json", 400, "not valid JSON"),
    (b"[1, 2]", "application/json", 400, "must be a JSON object"),
    (b"", "application/json", 400, "no body"),
    (jbody(title="no text"), "application/json", 400, "text is missing"),
    (jbody(text=5), "application/json", 400, "text must be a string"),
    (jbody(text="   \n"), "application/json", 400, "text is empty"),
    (jbody(text="Wuhan", title=["x"]), "application/json", 400, "title must be a string"),
    (jbody(text="Wuhan", url="javascript:alert(1)"), "application/json", 400, "not an http:// or https://"),
    (jbody(text="Wuhan", lang="fr"), "application/json", 400, "lang must be one of auto, en, zh"),
    (jbody(text="Wuhan", colour="red"), "application/json", 400, "unknown field 'colour'"),
    (jbody(text="Wuhan", title="x" * 3000), "application/json", 400, "at most 2,000"),
    (b'{"text": "Wuhan \\ud800"}', "application/json", 400, "lone surrogate (U+D800) at offset 6"),
    ('{"text": "Wuhan caf\u00e9"}'.encode("latin-1"), "application/json", 400, "not UTF-8: byte 19 (0xe9)"),
    (b"[" * 100000 + b"]" * 100000, "application/json", 400, "not valid JSON"),
    (jbody(text="Wuhan"), "application/json; charset=latin-1", 415, "UTF-8"),
    (b"Wuhan", "text/plain", 415, "text/plain is not accepted"),
    (b"Wuhan", None, 415, "no Content-Type is not accepted"),
    (b"Wuhan", "application/x-www-form-urlencoded", 415, "application/json"),
    (b"--x\r\n", "multipart/form-data", 400, "without a boundary"),
])
def test_request_errors(body, content_type, status, fragment):
    err = error_of(body, content_type)
    assert err.status == status and fragment in err.message, err.message


def test_bad_format_and_lang_parameters():
    assert "format must be one of json, geojson, catalog" in error_of(jbody(text="Wuhan"), args={"format": "kml"}).message
    assert "the lang parameter must be one of" in error_of(jbody(text="Wuhan"), args={"lang": "de"}).message
    assert call(jbody(text="Wuhan"), args={"format": "", "lang": ""}).status == 200


def test_413_on_the_declared_length_before_reading():
    err = error_of(b"", content_length=api.MAX_REQUEST_BYTES + 1)
    assert err.status == 413 and "declares" in err.message and "2 MiB" in err.message


def test_413_on_the_bytes_read_whatever_the_declared_length():
    body = jbody(text="a" * (api.MAX_REQUEST_BYTES + 10))
    err = error_of(body, content_length=10)
    assert err.status == 413 and "the request body is more than" in err.message


def test_413_on_a_document_over_two_mib_in_a_body_under_the_request_limit():
    text = "Wuhan " * (api.MAX_DOCUMENT_BYTES // 6 + 10)
    assert api.MAX_DOCUMENT_BYTES < len(text.encode()) < api.MAX_REQUEST_BYTES
    err = error_of(jbody(text=text))
    assert err.status == 413 and "text is" in err.message


def test_a_document_at_the_limit_is_read():
    text = ("Wuhan " * (api.MAX_DOCUMENT_BYTES // 6))[: api.MAX_DOCUMENT_BYTES]
    body = json.loads(call(jbody(text=text)).body)
    assert len(body["mentions"]) == text.count("Wuhan")


# --- multipart -----------------------------------------------------------------------------------

class Reader:
    """Records what the handler passes to text_from_bytes; decodes UTF-8 like a .txt reader."""

    class Error(ValueError):
        pass

    def __init__(self):
        self.calls = []

    def __call__(self, data, filename, content_type):
        self.calls.append((filename, content_type, len(data)))
        try:
            return data.decode("utf-8"), filename.rsplit(".", 1)[-1]
        except UnicodeDecodeError as exc:
            raise self.Error(f"not UTF-8 at byte {exc.start}") from None


def upload(fields, **kw):
    reader = kw.pop("reader", None) or Reader()
    body, content_type = multipart(fields)
    return api.extract(kw.pop("parser", None) or FakeParser(), body, content_type=content_type,
                       text_from_bytes=reader, document_error=Reader.Error, **kw)


def upload_error(fields, **kw) -> ApiError:
    with pytest.raises(ApiError) as info:
        upload(fields, **kw)
    return info.value


def test_multipart_file_with_fields():
    reader = Reader()
    response = upload({"file": ("plan.txt", PASSAGE.encode(), "text/plain"), "title": "标题", "date": "2024",
                       "lang": "en"}, reader=reader)
    body = json.loads(response.body)
    assert reader.calls == [("plan.txt", "text/plain", len(PASSAGE.encode()))]
    assert body["filename"] == "plan.txt" and body["title"] == "标题" and body["format"] == "txt"
    assert body["text"] == PASSAGE and len(body["mentions"]) == 4


def test_multipart_text_field_and_a_file_without_extension():
    body = json.loads(upload({"text": "Wuhan 武汉"}).body)
    assert [m["text"] for m in body["mentions"]] == ["Wuhan", "武汉"] and "text" not in body
    reader = Reader()
    upload({"file": ("notes", b"Wuhan", "text/markdown")}, reader=reader)
    assert reader.calls[0][0] == "notes.md"


@pytest.mark.parametrize("fields, status, fragment", [
    ({"file": ("plan.docx", b"PK", "application/octet-stream")}, 415, ".docx is not a type we read"),
    ({"file": ("plan", b"x", "image/png")}, 415, "image/png is not a type we read"),
    ({"file": ("plan.txt", b"", "text/plain")}, 400, "is empty"),
    ({"file": ("plan.txt", b"Wuhan \xff", "text/plain")}, 400, "not UTF-8 at byte 6"),
    ({"file": ("plan.txt", b"   ", "text/plain")}, 400, "holds no text"),
    ({"text": b"Wuhan \xe9t\xe9"}, 400, "form field 'text' is not UTF-8"),
    ({"title": "only a title"}, 400, "exactly one document"),
    ({"text": "Wuhan", "file": ("a.txt", b"Wuhan", "text/plain")}, 400, "exactly one document"),
    ({"text": "Wuhan", "colour": "red"}, 400, "unknown form field 'colour'"),
    ({"text": "Wuhan", "url": "ftp://x"}, 400, "not an http:// or https://"),
    ({"file": ("big.txt", b"a" * (api.MAX_DOCUMENT_BYTES + 1), "text/plain")}, 413, "is 2,097,153 bytes"),
])
def test_multipart_errors(fields, status, fragment):
    err = upload_error(fields)
    assert err.status == status and fragment in err.message, err.message


def test_malformed_multipart_is_400():
    for body in (b"no boundary anywhere", b"--other\r\nContent-Disposition: form-data; name=text\r\n\r\nx\r\n--other--"):
        err = error_of(body, "multipart/form-data; boundary=abc", text_from_bytes=Reader(), document_error=Reader.Error)
        assert err.status == 400 and "malformed" in err.message, err.message
    body = b"--abc\r\nContent-Type: text/plain\r\n\r\nWuhan\r\n--abc--\r\n"
    err = error_of(body, "multipart/form-data; boundary=abc", text_from_bytes=Reader(), document_error=Reader.Error)
    assert err.status == 400 and "Content-Disposition" in err.message


def test_nothing_is_written_anywhere(tmp_path, monkeypatch):
    """The handler parses from memory: no temporary file is made, even for a large upload."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: made.append(path) or real_open(path, *a, **k))
    upload({"file": ("plan.txt", ("Wuhan " * 300_000).encode(), "text/plain"), "title": "big"})
    assert made == [] and list(tmp_path.iterdir()) == []


# --- the route in the app ------------------------------------------------------------------------

@pytest.fixture
def fake_client(data_dir):
    return create_app({"TESTING": True, "DATA_DIR": str(data_dir), "PARSER": FakeParser()}).test_client()


def assert_json_error(response, status, fragment):
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["status"] == status and body["error"] and fragment in body["message"], body
    assert b"Traceback" not in response.data


def test_route_json(fake_client):
    response = fake_client.post("/api/extract", json={"text": PASSAGE, "title": "T"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert [m["text"] for m in response.get_json()["mentions"]][:2] == ["Wuhan", "Changsha"]


def test_route_get_is_405_with_allow(fake_client):
    response = fake_client.get("/api/extract")
    assert_json_error(response, 405, "not allowed")
    assert "POST" in response.headers["Allow"]


def test_route_errors_are_json(fake_client):
    assert_json_error(fake_client.post("/api/extract", data=b"{", content_type="application/json"), 400, "not valid JSON")
    assert_json_error(fake_client.post("/api/extract", data=b"x", content_type="text/csv"), 415, "text/csv")
    assert_json_error(fake_client.post("/api/extract", json={"title": "x"}), 400, "text is missing")


def test_route_413_on_content_length_and_on_a_streamed_body(fake_client):
    big = b"x" * (api.MAX_REQUEST_BYTES + 1)
    assert_json_error(fake_client.post("/api/extract", data=big, content_type="application/json"), 413, "declares")
    # A chunked body declares no length: Werkzeug stops reading at MAX_CONTENT_LENGTH.
    response = fake_client.post("/api/extract", input_stream=__import__("io").BytesIO(big),
                                content_type="application/json",
                                environ_overrides={"wsgi.input_terminated": True},
                                headers={"Transfer-Encoding": "chunked"})
    assert_json_error(response, 413, "the request body is more than 2,359,296 bytes")


def test_route_multipart_upload_writes_no_file(fake_client, monkeypatch, tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    body, content_type = multipart({"file": ("plan.txt", ("Wuhan and Changsha. " * 40_000).encode(), "text/plain")})
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda path, *a, **k: opened.append(path) or real_open(path, *a, **k))
    response = fake_client.post("/api/extract", data=body, content_type=content_type)
    assert response.status_code == 200, response.data[:300]
    assert response.get_json()["filename"] == "plan.txt"
    # Werkzeug's form parser would have opened a temporary file (O_TMPFILE: no name) for 800 kB.
    assert opened == [] and list(spool.iterdir()) == []


def test_the_page_links_to_the_document_page(fake_client):
    html = fake_client.get("/").get_data(as_text=True)
    assert '"map_document":"/map-document"' in html or '"map_document": "/map-document"' in html


# --- end to end with the real parser (loaded once, as the app does at start-up) -----------------

REAL_PASSAGE = ("Support the Wuhan Metropolitan Circle and Changsha in Hunan Province; "
                "Taizhou in Zhejiang will open a new freight line.")


@pytest.fixture(scope="module")
def real_client(fixture_data_dir):
    # The fixture data from conftest's fixture, never ``from conftest import``: in a full run that
    # name may be another directory's conftest (tests/parse, tests/browser).
    return create_app({"TESTING": True, "DATA_DIR": str(fixture_data_dir)}).test_client()


def by_text(body) -> dict:
    return {m["text"]: m for m in body["mentions"]}


def test_real_json_english(real_client):
    body = real_client.post("/api/extract", json={"text": REAL_PASSAGE, "title": "A notice"}).get_json()
    assert body["language"] == "en"
    mentions = by_text(body)
    assert mentions["Hunan Province"]["adcode"] == "430000" and mentions["Hunan Province"]["kind"] == "province"
    assert mentions["Changsha"]["province"] == "Hunan"
    assert mentions["Taizhou"]["province"] == "Zhejiang"
    assert any(c["province"] == "Jiangsu" for c in mentions["Taizhou"]["candidates"])
    for m in body["mentions"]:
        assert REAL_PASSAGE[m["start"]:m["end"]] == m["text"]
        assert set(m) >= {"kind", "province", "adcode", "geonameid", "lon", "lat", "precision",
                          "confidence", "basis", "candidates", "catalog_id"}


def test_real_json_chinese(real_client):
    text = "支持武汉都市圈建设，推动湖南省长沙市发展。"
    body = real_client.post("/api/extract", json={"text": text}).get_json()
    assert body["language"] == "zh"
    found = {m["text"]: m for m in body["mentions"]}
    assert "湖南省" in found and found["湖南省"]["adcode"] == "430000"
    assert any(t.startswith("武汉") for t in found)


def test_real_uploads_txt_html_pdf(real_client):
    cases = {
        "notice.txt": ("\ufeff" + REAL_PASSAGE).encode("utf-8"),
        "notice.html": ("<html><head><title>Notice</title><script>var Wuhan = 1;</script></head><body>"
                        f"<p>{REAL_PASSAGE}</p><p>Hefei &amp; Anhui Province</p></body></html>").encode("utf-8"),
        "notice.pdf": minimal_pdf("Changsha in Hunan Province and Hefei in Anhui Province"),
    }
    for name, data in cases.items():
        body, content_type = multipart({"file": (name, data, "application/octet-stream"), "date": "2024-01-02"})
        response = real_client.post("/api/extract", data=body, content_type=content_type)
        assert response.status_code == 200, (name, response.get_json())
        result = response.get_json()
        assert result["filename"] == name and result["format"] == name.rsplit(".", 1)[1]
        text = result["text"]
        assert "var Wuhan" not in text and not text.startswith("\ufeff")
        assert "Hunan Province" in by_text(result), (name, list(by_text(result)))
        for m in result["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"], name


@pytest.mark.parametrize("name, data, status, fragment", [
    ("broken.pdf", b"%PDF-1.4 not really", 400, "broken.pdf"),
    ("latin.txt", "Hunan caf\u00e9".encode("latin-1"), 400, "latin.txt"),
    ("slides.pptx", b"PK\x03\x04", 415, ".pptx"),
])
def test_real_upload_errors(real_client, name, data, status, fragment):
    body, content_type = multipart({"file": (name, data, "application/octet-stream")})
    assert_json_error(real_client.post("/api/extract", data=body, content_type=content_type), status, fragment)


def test_real_geojson_and_catalog_with_the_readers_choices(real_client):
    import yaml

    plain = by_text(real_client.post("/api/extract", json={"text": REAL_PASSAGE}).get_json())
    taizhou, changsha = plain["Taizhou"], plain["Changsha"]
    k = next(i for i, c in enumerate(taizhou["candidates"]) if c["province"] == "Jiangsu")
    choices = [{"start": taizhou["start"], "end": taizhou["end"], "candidate": k},
               {"start": changsha["start"], "end": changsha["end"], "drop": True}]
    request = {"text": REAL_PASSAGE, "title": "A notice", "date": "2024-05-06", "url": "https://example.org/n",
               "choices": choices}
    response = real_client.post("/api/extract?format=geojson", json=request)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="A-notice-places.geojson"'
    collection = response.get_json()
    features = {f["properties"]["sources"][0]["mention"]: f for f in collection["features"]}
    assert "Changsha" not in features
    chosen = taizhou["candidates"][k]
    assert features["Taizhou"]["geometry"]["coordinates"] == [chosen["lon"], chosen["lat"]]
    assert features["Taizhou"]["properties"]["province"] == "Jiangsu"
    source = features["Taizhou"]["properties"]["sources"][0]
    assert (source["title"], source["date"], source["url"]) == ("A notice", "2024-05-06", "https://example.org/n")

    response = real_client.post("/api/extract?format=catalog", json=request)
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    draft = yaml.safe_load(response.get_data(as_text=True))
    assert isinstance(draft, list)
    by_mention = {e["sources"][0]["mention"]: e for e in draft}
    assert by_mention["Taizhou"]["provinces"] == ["Jiangsu"] and "Changsha" not in by_mention


def test_a_parser_still_loading_is_a_503_with_retry_after():
    import threading

    from geo.api import ApiError
    from geo.api.extract import extract
    from geo.parse import BackgroundParser

    release = threading.Event()
    loading = BackgroundParser(lambda: release.wait(5), wait=0.01)
    try:
        with pytest.raises(ApiError) as err:
            extract(loading, b'{"text": "Wuhan"}', content_type="application/json")
        assert err.value.status == 503 and err.value.headers.get("Retry-After")
        assert "still loading" in err.value.message
    finally:
        release.set()
