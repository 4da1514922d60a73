"""Reading documents: UTF-8 text as-is, HTML through a parser, PDF through pypdf."""

import pytest
from pypdf import PdfWriter
from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, NameObject,
                           NumberObject)

from geo.parse.text import DocumentError, html_text, read_document, text_from_bytes


def make_pdf(path, lines):
    """A real one-page PDF whose text is ``lines`` (Helvetica), written with pypdf."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    ops = ["BT", "/F1 12 Tf", "72 770 Td", "14 TL"]
    for line in lines:
        ops.append("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*")
    ops.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    page[NameObject("/MediaBox")] = ArrayObject([NumberObject(0), NumberObject(0),
                                                 NumberObject(595), NumberObject(842)])
    with open(path, "wb") as fh:
        writer.write(fh)


def test_txt_and_md_are_returned_exactly_as_decoded(tmp_path):
    raw = "Jingzhou  in Hubei\r\n\t湖北省荆州市 — “quoted”\n"
    for name in ("a.txt", "b.md"):
        p = tmp_path / name
        p.write_bytes(raw.encode("utf-8"))
        text, fmt = read_document(str(p))
        assert text == raw
        assert fmt == name.split(".")[1]


def test_bom_is_dropped_and_bad_utf8_is_named(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes(b"\xef\xbb\xbfHubei")
    assert read_document(str(p))[0] == "Hubei"
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("湖北省".encode("gbk"))
    with pytest.raises(DocumentError) as err:
        read_document(str(bad))
    assert "gbk.txt" in str(err.value) and "UTF-8" in str(err.value)


def test_unsupported_missing_and_directory(tmp_path):
    (tmp_path / "x.docx").write_bytes(b"PK")
    for path, words in ((tmp_path / "x.docx", "unsupported"), (tmp_path / "none.txt", "not found"),
                        (tmp_path, "unsupported")):
        with pytest.raises(DocumentError) as err:
            read_document(str(path))
        assert words in str(err.value)


def test_html_text_drops_scripts_and_keeps_blocks(tmp_path):
    page = ("<!doctype html><html><head><title>Plan</title><style>p{x:1}</style>"
            "<script>var Wuhan = 1;</script></head><body><h1>Hefei &amp; Wuhu</h1>"
            "<p>Jingzhou in <b>Hubei</b></p><!-- Changsha --><ul><li>长沙</li><li>株洲</li></ul>"
            "<noscript>Taiyuan</noscript></body></html>")
    p = tmp_path / "plan.html"
    p.write_text(page, encoding="utf-8")
    text, fmt = read_document(str(p))
    assert fmt == "html"
    assert text.splitlines() == ["Plan", "Hefei & Wuhu", "Jingzhou in Hubei", "长沙", "株洲"]
    assert "Wuhan" not in text and "Changsha" not in text and "Taiyuan" not in text


def test_html_from_bytes_by_content_type_and_nul_bytes():
    text, fmt = text_from_bytes(b"<p>Yichang</p>", None, "text/html; charset=utf-8")
    assert (text, fmt) == ("Yichang\n", "html")
    with pytest.raises(DocumentError):
        html_text("<p>a\x00b</p>")


def test_pdf_text(tmp_path):
    p = tmp_path / "doc.pdf"
    make_pdf(p, ["The Wuhan Metropolitan Circle", "and Jingzhou in Hubei Province."])
    text, fmt = read_document(str(p))
    assert fmt == "pdf"
    assert "Wuhan Metropolitan Circle" in text and "Jingzhou in Hubei Province." in text


def test_broken_and_fake_pdfs_are_named(tmp_path):
    good = tmp_path / "good.pdf"
    make_pdf(good, ["Hefei"])
    truncated = tmp_path / "cut.pdf"
    truncated.write_bytes(good.read_bytes()[:60])
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"hello, not a pdf")
    for path in (truncated, fake):
        with pytest.raises(DocumentError) as err:
            read_document(str(path))
        assert path.name in str(err.value)


def test_upload_type_errors():
    with pytest.raises(DocumentError) as err:
        text_from_bytes(b"x", "a.exe", None)
    assert "a.exe" in str(err.value)
    assert text_from_bytes("郑州".encode(), None, None) == ("郑州", "txt")
    with pytest.raises(DocumentError):
        text_from_bytes(b"\xff\xfe", "a.txt", None)
