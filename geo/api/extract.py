"""``POST /api/extract``: find and place the named places of one document (the geoparser's route).

The request is either JSON ``{"text", "title", "date", "url", "lang", "choices"}`` or a
``multipart/form-data`` upload with a ``file`` part (.txt, .md, .html, .pdf) or a ``text`` field, and
the optional ``title``, ``date``, ``url`` and ``lang`` fields. Query parameters: ``format``
(``json``, the default: the same object as a line of ``python -m geo extract --format jsonl``;
``geojson``; ``catalog``, the YAML draft) and ``lang`` (``auto``, ``en``, ``zh``).

``choices`` carries a reader's corrections from the "Map a document" page, so its downloads come
from the same output functions as the command line's: ``[{"start", "end", "candidate": i}]`` puts
the mention at that span on its i-th candidate, ``[{"start", "end", "drop": true}]`` leaves it out.
The text is parsed again (the parser is deterministic), so no coordinate is ever taken from the
client: a chosen place is always one the parser itself proposed.

Limits: a request body of at most :data:`MAX_REQUEST_BYTES` (checked on the declared
Content-Length *and* on the bytes read) and a document — the text as UTF-8, or the uploaded file —
of at most :data:`MAX_DOCUMENT_BYTES`: 413. A media type or file type we cannot read: 415.
Malformed JSON or multipart, a missing text, text that is not UTF-8: 400. Everything happens in
memory: nothing is stored and no file is written (the multipart body is split by the standard
library's MIME parser, never spooled to a temporary file).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..parse import ParserNotReady
from . import ApiError, ApiResponse

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
# Room for the multipart envelope and JSON's escapes around a document of the largest size.
MAX_REQUEST_BYTES = MAX_DOCUMENT_BYTES + 256 * 1024
MAX_FIELD_LENGTH = 2000          # title, date, url
MAX_CHOICES = 20_000
FORMATS = ("json", "geojson", "catalog")
LANGS = ("auto", "en", "zh")
MEDIA_TYPES = {"json": "application/json", "geojson": "application/geo+json",
               "catalog": "application/yaml; charset=utf-8"}
DOWNLOAD_SUFFIX = {"geojson": ".geojson", "catalog": ".yaml"}
# File types read, by extension, and the media types that say the same when a name has none.
FILE_TYPES = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
              ".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf"}
FILE_MEDIA_TYPES = {"text/plain": ".txt", "text/markdown": ".md", "text/html": ".html",
                    "application/xhtml+xml": ".html", "application/pdf": ".pdf"}
JSON_FIELDS = ("text", "title", "date", "url", "lang", "choices")
FORM_FIELDS = ("file", "text", "title", "date", "url", "lang")
MAX_PARTS = 12


@dataclass
class Document:
    """One document as the request gave it: the text the offsets index and what describes it."""

    text: str
    format: str                       # "text" (sent as text), or the upload's txt, md, html, pdf
    title: str | None = None
    date: str | None = None
    url: str | None = None
    filename: str | None = None
    lang: str | None = None
    choices: list[dict] = field(default_factory=list)

    @property
    def uploaded(self) -> bool:
        return self.filename is not None

    def meta(self) -> dict:
        """What the output functions cite as the source (``path`` as the command line has it)."""
        return {"path": self.filename or self.title or "document", "title": self.title or self.filename,
                "date": self.date, "url": self.url}


# --- the request -----------------------------------------------------------------------------

def check_length(content_length: int | None) -> None:
    """413 for a declared Content-Length over the limit: refused before a byte is read."""
    if content_length is not None and content_length > MAX_REQUEST_BYTES:
        raise too_large(f"the request declares {content_length:,} bytes")


def too_large(what: str) -> ApiError:
    return ApiError(413, f"{what}; the limit is {MAX_DOCUMENT_BYTES:,} bytes (2 MiB) for the document "
                         f"and {MAX_REQUEST_BYTES:,} bytes for the whole request")


def _media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    """The media type in lower case and its parameters, read with the MIME header parser."""
    if not content_type or not content_type.strip():
        return "", {}
    header = email.policy.HTTP.header_factory("content-type", content_type)
    return header.content_type.lower(), {k.lower(): str(v) for k, v in header.params.items()}


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"{what} is not UTF-8: byte {exc.start} (0x{data[exc.start]:02x}) "
                            f"does not decode; send UTF-8 text") from None


def _check_text(text: str, what: str) -> str:
    if re.fullmatch(r"[\s\ufeff]*", text):
        raise ApiError(400, f"{what} is empty: send the document's text")
    # JSON can spell a lone surrogate (\\ud800); it is no character and no UTF-8 can carry it.
    lone = re.search(r"[\ud800-\udfff]", text)
    if lone:
        raise ApiError(400, f"{what} holds a lone surrogate (U+{ord(lone.group()):04X}) at offset "
                            f"{lone.start()}: not a character, so not UTF-8 text")
    size = len(text.encode("utf-8"))
    if size > MAX_DOCUMENT_BYTES:
        raise too_large(f"{what} is {size:,} bytes of UTF-8")
    return text


def _optional_string(value: Any, name: str) -> str | None:
    """An optional text field as given (checked before any trimming, as the OpenAPI schema is)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"{name} must be a string, not {type(value).__name__}")
    if len(value) > MAX_FIELD_LENGTH:
        raise ApiError(400, f"{name} is {len(value):,} characters long; at most {MAX_FIELD_LENGTH:,}")
    if "\x00" in value:
        raise ApiError(400, f"{name} holds a NUL character")
    return value.strip() or None


def _check_url(url: Any) -> str | None:
    # The address is cited in downloads and shown on the page: only a web address makes sense there.
    value = _optional_string(url, "url")
    if value is not None and not re.match(r"(?i)https?://[^\s\ufeff/?#]+", url):
        raise ApiError(400, f"url {url[:80]!r} is not an http:// or https:// address")
    return value


def parse_lang(value: Any, where: str = "lang") -> str | None:
    """auto, en or zh exactly; empty is absent (as for every optional parameter)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if value not in LANGS:
        raise ApiError(400, f"{where} must be one of {', '.join(LANGS)}, not {str(value)[:40]!r}")
    return value


def parse_format(value: str | None) -> str:
    if value is None or not value.strip():
        return "json"
    if value not in FORMATS:
        raise ApiError(400, f"format must be one of {', '.join(FORMATS)}, not {value[:40]!r}")
    return value


def parse_choices(value: Any) -> list[dict]:
    """The reader's corrections: a list of ``{start, end, candidate}`` or ``{start, end, drop: true}``."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, f"choices must be a list, not {type(value).__name__}")
    if len(value) > MAX_CHOICES:
        raise ApiError(400, f"choices has {len(value):,} items; at most {MAX_CHOICES:,}")
    out = []
    for i, item in enumerate(value):
        where = f"choices[{i}]"
        if not isinstance(item, dict):
            raise ApiError(400, f"{where} must be an object with start, end and candidate or drop")
        extra = set(item) - {"start", "end", "candidate", "drop"}
        if extra:
            raise ApiError(400, f"{where} has unknown field {sorted(extra)[0][:40]!r}; "
                                "expected start, end and candidate or drop")
        for key in ("start", "end"):
            if type(item.get(key)) is not int or item[key] < 0:
                raise ApiError(400, f"{where}.{key} must be a whole number of at least 0")
        drop = item.get("drop", False)
        if "drop" in item and drop is not True:
            raise ApiError(400, f"{where}.drop must be true when given (leave it out to keep the mention)")
        candidate = item.get("candidate")
        if candidate is not None and (type(candidate) is not int or candidate < 0):
            raise ApiError(400, f"{where}.candidate must be a whole number of at least 0")
        if drop == (candidate is not None):
            raise ApiError(400, f"{where} must give either candidate (an index into the mention's "
                                "candidates) or drop: true")
        out.append({"start": item["start"], "end": item["end"], "candidate": candidate, "drop": drop})
    return out


def read_json(body: bytes) -> Document:
    raw = _decode(body, "the JSON body")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"the body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise ApiError(400, "the body is not valid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ApiError(400, f"the body must be a JSON object with a text field, not a JSON {type(data).__name__}")
    unknown = [k for k in data if k not in JSON_FIELDS]
    if unknown:
        raise ApiError(400, f"unknown field {unknown[0][:40]!r}; expected {', '.join(JSON_FIELDS)}")
    text = data.get("text")
    if text is None:
        raise ApiError(400, "text is missing: send {\"text\": \"...\"} or upload a file")
    if not isinstance(text, str):
        raise ApiError(400, f"text must be a string, not {type(text).__name__}")
    return Document(
        text=_check_text(text, "text"), format="text",
        title=_optional_string(data.get("title"), "title"),
        date=_optional_string(data.get("date"), "date"),
        url=_check_url(data.get("url")),
        lang=parse_lang(data.get("lang")),
        choices=parse_choices(data.get("choices")),
    )


def _file_extension(filename: str, content_type: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    dot = name.rfind(".")
    ext = name[dot:].lower() if dot > 0 else ""
    if ext in FILE_TYPES:
        return ext
    if not ext and content_type in FILE_MEDIA_TYPES:
        return FILE_MEDIA_TYPES[content_type]
    shown = ext or (content_type or "a file without an extension")
    raise ApiError(415, f"file {name[:80]!r}: {shown[:40]} is not a type we read; "
                        "upload .txt, .md, .html or .pdf")


def read_multipart(body: bytes, content_type: str, text_from_bytes=None, document_error=None) -> Document:
    media, params = _media_type(content_type)
    if not params.get("boundary"):
        raise ApiError(400, "multipart/form-data without a boundary parameter")
    # The standard library's MIME parser splits the parts in memory (no temporary files).
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\nMIME-Version: 1.0\r\n\r\n"
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart() or any(
            type(d).__name__ in ("StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect",
                                 "MultipartInvariantViolationDefect") for d in message.defects):
        raise ApiError(400, "the multipart body is malformed: its parts are not delimited by the boundary "
                            "the Content-Type names")
    fields: dict[str, str] = {}
    upload = None
    for n, part in enumerate(message.iter_parts()):
        if n >= MAX_PARTS:
            raise ApiError(400, f"the form has more than {MAX_PARTS} parts")
        if part.get_content_disposition() != "form-data":
            raise ApiError(400, f"part {n + 1} of the form has no Content-Disposition: form-data")
        name = part.get_param("name", header="content-disposition")
        if name not in FORM_FIELDS:
            raise ApiError(400, f"unknown form field {str(name)[:40]!r}; expected {', '.join(FORM_FIELDS)}")
        if name in fields or (name == "file" and upload is not None):
            raise ApiError(400, f"form field {name!r} is given twice")
        data = part.get_payload(decode=True) or b""
        if name == "file":
            filename = part.get_filename()
            if filename is None:
                raise ApiError(400, "the file part has no filename")
            upload = (str(filename), part.get_content_type(), data)
            continue
        if len(data) > (MAX_DOCUMENT_BYTES if name == "text" else MAX_FIELD_LENGTH * 4):
            if name == "text":
                raise too_large(f"the text field is {len(data):,} bytes")
            raise ApiError(400, f"form field {name!r} is too long")
        fields[name] = _decode(data, f"form field {name!r}")
    if (upload is None) == ("text" not in fields):
        raise ApiError(400, "send exactly one document: a file part named 'file' or a text field named 'text'")
    meta = dict(title=_optional_string(fields.get("title"), "title"),
                date=_optional_string(fields.get("date"), "date"),
                url=_check_url(fields.get("url")),
                lang=parse_lang(fields.get("lang")))
    if upload is None:
        return Document(text=_check_text(fields["text"], "text"), format="text", **meta)
    filename, file_type, data = upload
    ext = _file_extension(filename, file_type)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise too_large(f"file {filename[:80]!r} is {len(data):,} bytes")
    if not data:
        raise ApiError(400, f"file {filename[:80]!r} is empty")
    # The parser's reader decides the format by extension; a name without one gets the media type's.
    name = filename if filename.lower().endswith(ext) else filename + ext
    if text_from_bytes is None:  # the parser's reader of .txt, .md, .html and .pdf
        from geo.parse.text import DocumentError as document_error, text_from_bytes
    try:
        text, fmt = text_from_bytes(data, name, file_type)
    except document_error as exc:
        raise ApiError(400, str(exc)) from None
    if not text.strip():
        raise ApiError(400, f"file {filename[:80]!r} holds no text (a scanned PDF needs OCR first)")
    return Document(text=text, format=fmt, filename=filename, **meta)


def read_request(body: bytes, content_type: str | None, content_length: int | None = None,
                 *, text_from_bytes=None, document_error=None) -> Document:
    """The document a request sends, or an ApiError saying what is wrong with it."""
    check_length(content_length)
    if len(body) > MAX_REQUEST_BYTES:
        raise too_large(f"the request body is more than {MAX_REQUEST_BYTES:,} bytes")
    media, params = _media_type(content_type)
    if media == "application/json" or media.endswith("+json"):
        charset = params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise ApiError(415, f"JSON must be sent as UTF-8, not charset={charset[:20]}")
        if not body:
            raise ApiError(400, "the request has no body: send {\"text\": \"...\"}")
        return read_json(body)
    if media == "multipart/form-data":
        if not params.get("boundary"):
            raise ApiError(400, "multipart/form-data without a boundary parameter")
        if not body:
            raise ApiError(400, "the request has no body: upload a file part named 'file'")
        return read_multipart(body, content_type or "", text_from_bytes, document_error)
    shown = media or "no Content-Type"
    raise ApiError(415, f"{shown[:60]} is not accepted: send application/json "
                        "({\"text\": \"...\"}) or multipart/form-data with a file")


# --- the reader's choices --------------------------------------------------------------------

PLACE_FIELDS = ("province", "adcode", "geonameid", "lon", "lat")


def apply_choices(mentions: list[dict], choices: list[dict]) -> list[dict]:
    """The mentions with the reader's choices applied: a candidate put in the parser's place (which
    joins the candidates with the reason), a dropped mention left out. A choice naming no mention,
    or a candidate the mention does not have, is a 400: the text or the parse has changed."""
    if not choices:
        return mentions
    by_span = {(m["start"], m["end"]): i for i, m in enumerate(mentions)}
    out: list[dict | None] = list(mentions)
    for n, choice in enumerate(choices):
        span = (choice["start"], choice["end"])
        if span not in by_span:
            raise ApiError(400, f"choices[{n}]: no mention spans {span[0]}-{span[1]} in this text")
        i = by_span[span]
        mention = mentions[i]
        if choice["drop"]:
            out[i] = None
            continue
        candidates = mention.get("candidates") or []
        k = choice["candidate"]
        if k >= len(candidates):
            raise ApiError(400, f"choices[{n}]: the mention {mention['text'][:40]!r} has "
                                f"{len(candidates)} candidate(s); there is no candidate {k}")
        out[i] = choose(mention, k)
    return [m for m in out if m is not None]


def choose(mention: dict, k: int) -> dict:
    """The mention placed on its k-th candidate instead of the parser's answer."""
    candidates = list(mention.get("candidates") or [])
    chosen = candidates.pop(k)
    previous = {"name": mention.get("name") or mention.get("text"), "province": mention.get("province"),
                **{key: mention.get(key) for key in ("adcode", "geonameid", "lon", "lat") if mention.get(key) is not None},
                "why_not": "the reader chose another candidate"}
    placed = dict(mention)
    for key in PLACE_FIELDS:
        placed[key] = chosen.get(key)
    for key in ("name", "kind", "precision"):
        if chosen.get(key) is not None:
            placed[key] = chosen[key]
    placed["catalog_id"] = chosen.get("catalog_id")
    placed["confidence"] = 1.0
    placed["basis"] = (f"chosen by the reader from the parser's candidates "
                       f"(the parser had: {mention.get('basis') or 'no basis'})")
    placed["chosen_by_reader"] = True
    placed["candidates"] = ([previous] if previous.get("lon") is not None or previous.get("adcode")
                            or previous.get("geonameid") else []) + candidates
    return placed


# --- the handler -----------------------------------------------------------------------------

def result_object(document: Document, result: Mapping) -> dict:
    """What ``format=json`` answers: the command line's jsonl object, with the document's meta.
    An upload's answer carries the text the offsets index (the client did not decode it)."""
    out = {"title": document.title, "date": document.date, "url": document.url}
    if document.uploaded:
        out["filename"] = document.filename
    out["format"] = document.format
    out["language"] = result.get("language")
    out["mentions"] = list(result.get("mentions") or [])
    if document.uploaded:
        out["text"] = document.text
    return out


def _download_name(document: Document, fmt: str) -> str:
    stem = document.filename.rsplit(".", 1)[0] if document.filename else (document.title or "document")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:60] or "document"
    return f"{stem}-places{DOWNLOAD_SUFFIX[fmt]}"


def extract(parser, body: bytes, *, content_type: str | None, content_length: int | None = None,
            args: Mapping[str, str] | None = None, text_from_bytes=None, document_error=None,
            outputs=None) -> ApiResponse:
    """Handle ``POST /api/extract``. ``parser`` has ``extract(text, lang=...)`` (``geo.parse.Parser``
    or any object like it: the provider is passed in); ``outputs`` has ``to_geojson`` and
    ``to_catalog`` (``geo.parse.output`` unless given)."""
    args = args or {}
    fmt = parse_format(args.get("format"))
    query_lang = parse_lang(args.get("lang"), "the lang parameter")
    document = read_request(body, content_type, content_length,
                            text_from_bytes=text_from_bytes, document_error=document_error)
    lang = query_lang or document.lang or "auto"
    try:
        result = dict(parser.extract(document.text, lang=lang))
    except ParserNotReady as exc:  # still loading at start-up, or its load failed
        raise ApiError(503, str(exc), headers={"Retry-After": "10"}) from None
    result["mentions"] = apply_choices(list(result.get("mentions") or []), document.choices)
    answer = result_object(document, result)
    headers = {"Cache-Control": "no-store"}
    if fmt == "json":
        return ApiResponse(json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
                           headers=headers)
    if outputs is None:
        from geo.parse import output as outputs
    results = [dict(answer, path=document.meta()["path"], text=document.text)]
    if fmt == "geojson":
        collection = outputs.to_geojson(results, document.meta())
        body_out = json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8")
    else:
        body_out = outputs.to_catalog(results, document.meta()).encode("utf-8")
    return ApiResponse(body_out, media_type=MEDIA_TYPES[fmt], headers=headers,
                       filename=_download_name(document, fmt))
