"""A catalog whose every text is hostile, built with the real build and gazetteer.

Names, Chinese names, aliases, descriptions, mentions, geometry bases, document titles,
publishers and dates, theme and layer titles and layer descriptions all carry script payloads.
A payload that ever runs as script increments ``window.__pwned``; one that is ever parsed as
markup loads ``/pwned-img`` or adds an element the page does not have.
"""

from __future__ import annotations

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if os.path.join(REPO, "tests") not in sys.path:
    sys.path.insert(0, os.path.join(REPO, "tests"))

from catalog_factory import write_catalog  # noqa: E402

RUN = "window.__pwned=(window.__pwned||0)+1"
# Each a different way out of text and into markup, attributes, URLs, templates or script.
PAYLOADS = [
    f'<img src="/pwned-img" onerror="{RUN}">',
    f"<script>{RUN}</script>",
    f"</script><script>{RUN}</script>",
    f"<svg onload={RUN}>",
    f'"><img src=/pwned-img onerror={RUN}>',
    f"'><svg/onload={RUN}>",
    f"`${{{RUN}}}`",
    f"${{{RUN}}}",
    f"javascript:{RUN}",
    f'<a href="javascript:{RUN}">link</a>',
    f"{{{{constructor.constructor('{RUN}')()}}}}",
    f'<iframe srcdoc="<script>parent.{RUN.replace("window.", "")}</script>"></iframe>',
    f"<details open ontoggle={RUN}>",
    "<style>body{display:none}</style>",
    f"<!--<img src=/pwned-img onerror={RUN}>-->",
    f"]]><![CDATA[<img src=/pwned-img onerror={RUN}>",
    f"<math><mtext><table><mglyph><style><img src=/pwned-img onerror={RUN}>",
    f'\\"; {RUN}; //',
    f"';{RUN};'",
    f'";{RUN};"',
    "&lt;b&gt;entity&lt;/b&gt; &amp; &#x3C;img src=/pwned-img&#x3E;",
    "“smart” ‘quotes’ «guillemets» „low“ ″prime″ ＂fullwidth＂ ＇ \" ' `",
    "<b>bold</b> <i>italic</i> <u>under</u>",
]
# Where points go: several on one seat, so the list of places at a spot is hostile too.
SEATS = [
    ("郑州市", "Henan"), ("郑州市", "Henan"), ("郑州市", "Henan"), ("武汉市", "Hubei"),
    ("长沙市", "Hunan"), ("合肥市", "Anhui"), ("南昌市", "Jiangxi"), ("太原市", "Shanxi"),
]
LAYER_IDS = ("hostile-points", "hostile-sites", "hostile-areas", "hostile-lines")


def token(i: int) -> str:
    """A word found only in entry i (an alias), for searching it alone."""
    return f"hx{i:02d}"


def payload(i: int) -> str:
    return PAYLOADS[i % len(PAYLOADS)]


def _ref(i: int) -> dict:
    place, province = SEATS[i % len(SEATS)]
    return {"place": place, "province": province, "level": "prefecture"}


def entries() -> list[dict]:
    out = []
    for i, text in enumerate(PAYLOADS):
        province = SEATS[i % len(SEATS)][1]
        entry = {
            "id": f"hostile-{i:02d}",
            "name": f"Place {i} {text}",
            "name_zh": payload(i + 3) if i % 2 else f"地方{i}{payload(i + 5)}",
            "aliases": [token(i), payload(i + 1)],
            "layer": LAYER_IDS[0] if i % 3 else LAYER_IDS[1],
            "provinces": [province],
            "description": f"Description {i}: {text} and {payload(i + 7)}",
            "geometry": ({"point": _ref(i)} if i % 3 else
                         {"site": {"host": _ref(i), "basis": f"Basis {i}: {payload(i + 2)}"}}),
            "sources": [{"document": "doc-hostile", "mention": f"mention {i} {payload(i + 4)}"},
                        {"document": "doc-plain", "mention": f"plain mention {i}"}],
        }
        out.append(entry)
    n = len(PAYLOADS)
    out.append({
        "id": "hostile-area", "name": f"Area {payload(0)}", "name_zh": payload(1),
        "aliases": [token(n), payload(2)], "layer": LAYER_IDS[2], "provinces": ["Henan"],
        "description": f"An area: {payload(3)}",
        "geometry": {"area": {"members": [{"place": "郑州市", "province": "Henan", "level": "prefecture"},
                                          {"place": "开封市", "province": "Henan", "level": "prefecture"}],
                              "basis": f"Area basis {payload(4)}"}},
        "sources": [{"document": "doc-hostile", "mention": f"area mention {payload(5)}"}],
    })
    out.append({
        "id": "hostile-line", "name": f"Line {payload(6)}", "name_zh": payload(7),
        "aliases": [token(n + 1), payload(8)], "layer": LAYER_IDS[3], "provinces": ["Hubei"],
        "description": f"A line: {payload(9)}",
        "geometry": {"line": {"through": [{"place": "武汉市", "province": "Hubei", "level": "prefecture"},
                                          {"place": "宜昌市", "province": "Hubei", "level": "prefecture"}],
                              "basis": f"Line basis {payload(10)}"}},
        "sources": [{"document": "doc-hostile", "mention": f"line mention {payload(11)}"}],
    })
    return out


DOCUMENTS = {"documents": {
    "doc-hostile": {"file": "000_hostile.txt", "title": f"Title {payload(12)}",
                    "publisher": f"Publisher {payload(13)}", "date": f"2021 {payload(14)}"},
    "doc-plain": {"file": "001_plain.txt", "title": "A plain document", "publisher": "Plain Press",
                  "date": "2021-04-23"},
}}

LAYERS = {
    "themes": [
        {"id": "hostile-theme", "title": f"Theme {payload(15)}", "colour": "#b91c1c"},
        {"id": "quoted-theme", "title": f"Quotes {payload(21)}", "colour": "#1f6fb2"},
    ],
    "layers": [
        {"id": LAYER_IDS[0], "theme": "hostile-theme", "title": f"Points {payload(16)}", "colour": "#b91c1c",
         "description": f"Layer description {payload(17)}"},
        {"id": LAYER_IDS[1], "theme": "hostile-theme", "title": f"Sites {payload(1)}", "colour": "#7c3aed",
         "description": f"Layer description {payload(0)}"},
        {"id": LAYER_IDS[2], "theme": "quoted-theme", "title": f"Areas {payload(18)}", "colour": "#047857",
         "description": f"Layer description {payload(19)}"},
        {"id": LAYER_IDS[3], "theme": "quoted-theme", "title": f"Lines {payload(3)}", "colour": "#0e7490",
         "description": f"Layer description {payload(20)} {payload(2)}", "visible": False},
    ],
}


def build_hostile_data(root) -> str:
    """Write the hostile catalog under ``root/catalog`` and build it into ``root/data``."""
    from geo.build import build_and_write
    from geo.gazetteer import default_gazetteer

    catalog = os.path.join(str(root), "catalog")
    out = os.path.join(str(root), "data")
    write_catalog(catalog, entries(), documents=DOCUMENTS, layers=LAYERS)
    build_and_write(catalog, out, gazetteer=default_gazetteer(), progress=lambda message: None)
    return out
