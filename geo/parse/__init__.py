"""The geoparser: document text -> place mentions -> places resolved by context.

Pipeline, one module per stage:

* :mod:`geo.parse.text` — the text of a .txt / .md / .html / .pdf document;
* :mod:`geo.parse.lexicon` — every name the parser knows (the atlas's gazetteer, GeoNames
  countries and cities, pinyin forms, short names, the catalog), with the places each may name;
* :mod:`geo.parse.patterns` — the patterns of China's policy designations;
* :mod:`geo.parse.mentions` — the spans of text that name places;
* :mod:`geo.parse.resolve` — which place each span names, decided by the text's own context;
* :mod:`geo.parse.output` — JSON lines, GeoJSON and a catalog draft.

``load_parser()`` does the expensive loading once; ``Parser.extract(text)`` is then fast.
"""

from __future__ import annotations

import os
import re
import threading
import time

KINDS = ("country", "province", "prefecture", "county", "district", "town", "new_area",
         "development_zone", "lab_or_facility", "company_site", "region_or_belt", "river",
         "mountain", "foreign_city", "other")
MENTION_FIELDS = ("start", "end", "text", "kind", "province", "adcode", "geonameid", "lon", "lat",
                  "precision", "confidence", "basis", "candidates", "catalog_id")
LANGUAGES = ("auto", "en", "zh")

_DEFAULT_DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "data")


class Parser:
    """A loaded geoparser. Thread-safe: ``extract`` keeps no state between calls."""

    def __init__(self, lexicon, finder, resolver, load_seconds: float = 0.0):
        self.lexicon = lexicon
        self.finder = finder
        self.resolver = resolver
        self.load_seconds = load_seconds

    def extract(self, text: str, *, lang: str = "auto") -> dict:
        """Every place mention in ``text`` with its resolved place.

        Returns ``{"language": "en" | "zh", "mentions": [...]}``; offsets are Python string
        offsets into ``text`` exactly as given.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
        language = detect_language(text) if lang == "auto" else lang
        spans = self.finder.find(text)
        mentions = self.resolver.resolve(text, spans)
        return {"language": language,
                "mentions": [{k: m[k] for k in MENTION_FIELDS} for m in mentions]}



class ParserNotReady(RuntimeError):
    """The parser is still loading, or its load failed; the message says which."""


class BackgroundParser:
    """A parser that loads in a daemon thread once started (at once, unless ``start=False``).

    A server makes one at start-up with ``start=False`` and starts it on first need (the "Map a
    document" page, POST /api/extract) or at once when asked to preload: the gazetteer is still
    loaded once per process, and a server that never maps a document never holds it. ``extract`` waits
    for the load (up to ``wait`` seconds) and then behaves as :meth:`Parser.extract`; past that, or
    if the load failed, it raises :class:`ParserNotReady`.
    """

    def __init__(self, loader=None, *, wait: float = 120.0, start: bool = True):
        self._loader = loader or load_parser
        self._wait = wait
        self._parser = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._started = False
        self._start_lock = threading.Lock()
        if start:
            self.start()

    @property
    def started(self) -> bool:
        return self._started

    def start(self) -> None:
        """Start loading (in a daemon thread), once; later calls do nothing."""
        with self._start_lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._load, name="geoparser-load", daemon=True).start()

    def _load(self) -> None:
        try:
            self._parser = self._loader()
        except BaseException as exc:  # noqa: BLE001 - reported to every caller, never lost
            self._error = exc
        finally:
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set() and self._parser is not None

    def parser(self, wait: float | None = None) -> "Parser":
        """The loaded parser, waiting for it up to ``wait`` seconds (default: the instance's);
        a parser made with ``start=False`` starts loading now."""
        self.start()
        if not self._done.wait(self._wait if wait is None else wait):
            raise ParserNotReady("the geoparser is still loading its gazetteer; try again in a few seconds")
        if self._parser is None:
            raise ParserNotReady(f"the geoparser could not be loaded: {type(self._error).__name__}: {self._error}")
        return self._parser

    def extract(self, text: str, *, lang: str = "auto") -> dict:
        return self.parser().extract(text, lang=lang)


def detect_language(text: str) -> str:
    """``zh`` when Chinese characters outnumber Latin letters, else ``en``."""
    head = text[:20000]
    cjk = len(_CJK.findall(head))
    latin = len(_LATIN.findall(head))
    return "zh" if cjk * 2 > latin else "en"


_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


_lock = threading.Lock()
_cache: dict[str, Parser] = {}


def load_parser(data_dir: str | None = None) -> Parser:
    """Load the gazetteer, the lexicon and the matcher once (a few seconds); cached per process."""
    from ..gazetteer import default_gazetteer
    from ..geocoder import Geocoder
    from .lexicon import build_lexicon
    from .mentions import MentionFinder
    from .resolve import Resolver

    data_dir = os.path.abspath(data_dir or _DEFAULT_DATA)
    with _lock:
        if data_dir in _cache:
            return _cache[data_dir]
        t0 = time.perf_counter()
        gazetteer = default_gazetteer()
        lexicon = build_lexicon(gazetteer, os.path.join(data_dir, "locations.geojson"))
        finder = MentionFinder(lexicon)
        resolver = Resolver(lexicon, Geocoder(gazetteer))
        parser = Parser(lexicon, finder, resolver, time.perf_counter() - t0)
        _cache[data_dir] = parser
        return parser


__all__ = ["KINDS", "MENTION_FIELDS", "Parser", "detect_language", "load_parser"]
