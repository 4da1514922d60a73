"""Document text: what the parser reads, with offsets that index exactly what it returns.

* ``.txt`` and ``.md`` are decoded as UTF-8 and returned as they are (a leading byte-order mark
  is the only thing dropped), so a mention's offsets index the file's content as decoded.
* ``.html`` / ``.htm`` go through a real HTML parser (selectolax's Lexbor engine): scripts, styles
  and other non-text elements are removed, block elements become line breaks.
* ``.pdf`` goes through pypdf, page by page; pages are separated by a blank line.

Every failure is a :class:`DocumentError` whose message names the file and what is wrong.
"""

from __future__ import annotations

import io
import os

TEXT_TYPES = {".txt": "txt", ".md": "md", ".markdown": "md", ".text": "txt"}
HTML_TYPES = {".html": "html", ".htm": "html", ".xhtml": "html"}
PDF_TYPES = {".pdf": "pdf"}
CONTENT_TYPES = {
    "text/plain": "txt", "text/markdown": "md", "text/x-markdown": "md",
    "text/html": "html", "application/xhtml+xml": "html", "application/pdf": "pdf",
}
SUPPORTED = "plain text (.txt), Markdown (.md), HTML (.html, .htm) or PDF (.pdf)"

# Elements whose content is never document text.
_DROP = ("script", "style", "noscript", "template", "svg", "math", "iframe", "object", "head")
# Elements that end a line of text.
_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
           "section", "article", "header", "footer", "blockquote", "pre", "dd", "dt", "dl",
           "figure", "figcaption", "nav", "aside", "main", "hr", "title", "caption", "address"}
_CELLS = {"td", "th"}


class DocumentError(ValueError):
    """A document that cannot be read: the message names the file and the problem."""


def read_document(path: str) -> tuple[str, str]:
    """Text of the document at ``path`` and its format (``txt``, ``md``, ``html``, ``pdf``)."""
    name = os.fspath(path)
    fmt = _format_of(name, None)
    if fmt is None:
        raise DocumentError(f"{name}: unsupported file type; expected {SUPPORTED}")
    try:
        with open(name, "rb") as fh:
            data = fh.read()
    except IsADirectoryError:
        raise DocumentError(f"{name}: is a directory, not a document") from None
    except FileNotFoundError:
        raise DocumentError(f"{name}: file not found") from None
    except OSError as exc:
        raise DocumentError(f"{name}: cannot read: {exc.strerror or exc}") from None
    return _decode(data, fmt, name), fmt


def text_from_bytes(data: bytes, filename: str | None = None,
                    content_type: str | None = None) -> tuple[str, str]:
    """Text of an uploaded document, its type taken from the file name or the content type.

    With neither, the bytes are read as UTF-8 text.
    """
    label = filename or "the upload"
    fmt = _format_of(filename, content_type)
    if fmt is None:
        if filename is None and not content_type:
            fmt = "txt"
        else:
            what = filename or content_type
            raise DocumentError(f"{label}: unsupported type {what!r}; expected {SUPPORTED}")
    return _decode(data, fmt, label), fmt


def _format_of(filename: str | None, content_type: str | None) -> str | None:
    if filename:
        ext = os.path.splitext(filename)[1].lower()
        for table in (TEXT_TYPES, HTML_TYPES, PDF_TYPES):
            if ext in table:
                return table[ext]
    if content_type:
        base = content_type.split(";", 1)[0].strip().lower()
        return CONTENT_TYPES.get(base)
    return None


def _decode(data: bytes, fmt: str, label: str) -> str:
    if fmt == "pdf":
        return _pdf_text(data, label)
    text = _utf8(data, label)
    if fmt == "html":
        return html_text(text, label)
    return text


def _utf8(data: bytes, label: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{label}: not valid UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and try again") from None
    return text[1:] if text.startswith("\ufeff") else text


def html_text(markup: str, label: str = "the HTML") -> str:
    """Visible text of an HTML document, one line per block element."""
    from selectolax.lexbor import LexborHTMLParser

    if "\x00" in markup:
        raise DocumentError(f"{label}: not an HTML document (it contains NUL bytes)")
    try:
        tree = LexborHTMLParser(markup)
    except Exception as exc:  # selectolax raises plain exceptions for unparsable input
        raise DocumentError(f"{label}: cannot parse the HTML: {exc}") from None
    body = tree.body
    root = body if body is not None else tree.root
    if root is None:
        return ""
    title = tree.css_first("title")
    for tag in _DROP:
        for node in root.css(tag):
            node.decompose()
    parts: list[str] = []
    if title is not None and body is not None:
        heading = title.text(deep=True).strip()
        if heading:
            parts.append(heading + "\n")
    _walk(root, parts)
    lines = [" ".join(line.split()) for line in "".join(parts).split("\n")]
    out = [line for line in lines if line]
    return "\n".join(out) + ("\n" if out else "")


def _walk(node, parts: list[str]) -> None:
    child = node.child
    while child is not None:
        tag = child.tag
        if tag == "-text":
            parts.append(child.text_content or "")
        elif tag in ("-comment", "!doctype") or tag in _DROP:
            pass
        else:
            block = tag in _BLOCKS
            if block:
                parts.append("\n")
            _walk(child, parts)
            if block:
                parts.append("\n")
            elif tag in _CELLS:
                parts.append(" ")
        child = child.next


def _pdf_text(data: bytes, label: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise DocumentError(f"{label}: not a PDF file (it does not start with %PDF)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise DocumentError(f"{label}: the PDF is encrypted") from None
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise DocumentError(f"{label}: broken PDF: {exc}") from None
    text = "\n\n".join(p.strip("\n") for p in pages).strip()
    if not text:
        raise DocumentError(f"{label}: the PDF has no extractable text (a scan without OCR?)")
    return text + "\n"
