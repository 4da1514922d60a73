"""The map's symbols, for GIS clients: QGIS layer styles (QML and SLD) and OGR style strings (KML).

The symbols are those ``static/atlas.js`` (``styleFor``) draws: each layer's colour, outline,
point shape and dash from ``geo.symbols`` (as the page gets them); points filled, lines 3 px
wide, areas with a 20 % fill and a 1.5 px outline. Approximate places (``schematic``, or precision 4 and
coarser) are drawn lighter and dashed, as on the map. Sizes are the map's pixels at 96 dpi in
millimetres, QGIS's default unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

PX_MM = 25.4 / 96  # one CSS pixel at 96 dpi, in millimetres

# Approximate, in the attribute language of QGIS and of OGR SQL alike.
APPROX_EXPRESSION = '"schematic" OR "precision" >= 4'


@dataclass(frozen=True)
class Symbol:
    """One drawn symbol: the map's style for a geometry kind, exact or approximate.

    ``colour``, ``outline``, ``shape`` and ``dash`` are the layer's symbol (``geo.symbols``);
    the rest is ``styleFor`` in ``static/atlas.js``.
    """

    kind: str                 # point, line or polygon
    approx: bool
    colour: str               # #rrggbb fill (points, areas)
    outline: str = ""         # #rrggbb edge (points, areas) and line colour
    shape: str = "circle"     # points: circle, square, triangle, diamond, triangle-down, ...
    dash: str = ""            # lines and areas: the layer's dash ("8 4"), "" for solid

    @property
    def edge(self) -> str:
        return self.outline or self.colour

    @property
    def fill_opacity(self) -> float:
        return {"point": 0.25 if self.approx else 0.9, "polygon": 0.08 if self.approx else 0.2,
                "line": 0.0}[self.kind]

    @property
    def stroke_opacity(self) -> float:
        return 0.95

    @property
    def stroke_px(self) -> float:
        return {"point": 1.5, "line": 3.0, "polygon": 1.5}[self.kind]

    @property
    def dash_px(self) -> tuple[float, ...] | None:
        if self.approx:
            return {"point": (3, 3), "line": (8, 6), "polygon": (5, 4)}[self.kind]
        if self.kind == "point" or not self.dash.strip():
            return None
        return tuple(float(v) for v in self.dash.split())

    @property
    def diameter_px(self) -> float:
        return 14.0 if self.approx else 11.0  # circle radius 7 / 5.5


def symbol_of(kind: str, approx: bool, sym: dict) -> Symbol:
    """The drawn symbol of a layer's symbol (``geo.symbols``: colour, outline, shape, dash)."""
    return Symbol(kind, approx, str(sym["colour"]), str(sym.get("outline") or ""),
                  str(sym.get("shape") or "circle"), str(sym.get("dash") or ""))


def kind_of(geometry_type: str) -> str:
    if geometry_type.endswith("Point"):
        return "point"
    if geometry_type.endswith("LineString"):
        return "line"
    return "polygon"


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"colour {colour!r} is not #rrggbb")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _qcolour(colour: str, opacity: float) -> str:
    r, g, b = _rgb(colour)
    return f"{r},{g},{b},{round(opacity * 255)}"


def _mm(px: float) -> str:
    return f"{px * PX_MM:.3f}"


def _props(pairs: dict) -> str:
    return "".join(f'<prop k="{k}" v={quoteattr(str(v))}/>' for k, v in pairs.items())


# The map's point shapes as QGIS simple markers (name, rotation).
QGIS_SHAPES = {"circle": ("circle", 0), "square": ("square", 0), "triangle": ("triangle", 0),
               "diamond": ("diamond", 0), "triangle-down": ("triangle", 180),
               "pentagon": ("pentagon", 0), "hexagon": ("hexagon", 0), "star": ("star", 0)}


def _qml_symbol(symbol: Symbol, name: str) -> str:
    dash = symbol.dash_px
    dash_props = ({"use_custom_dash": 1, "customdash": ";".join(_mm(d) for d in dash),
                   "customdash_unit": "MM"} if dash else {"use_custom_dash": 0})
    if symbol.kind == "point":
        marker, angle = QGIS_SHAPES.get(symbol.shape, ("circle", 0))
        layer = _props({
            "name": marker, "angle": angle, "color": _qcolour(symbol.colour, symbol.fill_opacity),
            "outline_color": _qcolour(symbol.edge, symbol.stroke_opacity),
            "outline_style": "dash" if dash else "solid", "outline_width": _mm(symbol.stroke_px),
            "outline_width_unit": "MM", "size": _mm(symbol.diameter_px), "size_unit": "MM"})
        cls, stype = "SimpleMarker", "marker"
    elif symbol.kind == "line":
        layer = _props({
            "line_color": _qcolour(symbol.edge, symbol.stroke_opacity), "line_style": "solid",
            "line_width": _mm(symbol.stroke_px), "line_width_unit": "MM", "capstyle": "round",
            "joinstyle": "round", **dash_props})
        cls, stype = "SimpleLine", "line"
    else:
        # A fill and, over it, the outline as a line (a simple fill's border cannot be custom-dashed).
        fill = _props({"color": _qcolour(symbol.colour, symbol.fill_opacity), "style": "solid",
                       "outline_style": "no"})
        border = _props({
            "line_color": _qcolour(symbol.edge, symbol.stroke_opacity), "line_style": "solid",
            "line_width": _mm(symbol.stroke_px), "line_width_unit": "MM", "joinstyle": "round",
            **dash_props})
        return (f'<symbol type="fill" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
                f'<layer class="SimpleFill" enabled="1" locked="0" pass="0">{fill}</layer>'
                f'<layer class="SimpleLine" enabled="1" locked="0" pass="0">{border}</layer></symbol>')
    return (f'<symbol type="{stype}" name="{name}" alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="{cls}" enabled="1" locked="0" pass="0">{layer}</layer></symbol>')


def qml(kind: str, layers: list[tuple[str, str, dict, bool]]) -> str:
    """A QGIS style (QML) for a table of one geometry ``kind`` holding the given map layers.

    ``layers``: (layer id, title, symbol, visible) in panel order, the symbol as ``geo.symbols``
    gives it; a layer the map opens hidden starts unticked in QGIS's legend too. A rule-based renderer: one rule per map
    layer (its title is the legend entry), each split into exact and approximate places.
    """
    rules, symbols = [], []
    n = 0
    for layer_id, title, sym, visible in layers:
        children = []
        for approx in (False, True):
            expr = APPROX_EXPRESSION if approx else "ELSE"  # ELSE: whatever is not approximate
            label = "approximate" if approx else "exact"
            children.append(f'<rule key="r{n}" symbol="{n}" label="{label}" filter={quoteattr(expr)}/>')
            symbols.append(_qml_symbol(symbol_of(kind, approx, sym), str(n)))
            n += 1
        layer_filter = f"\"layer\" = '{layer_id}'"
        rules.append(f'<rule key="l-{escape(layer_id)}" label={quoteattr(title)} checkstate="{int(visible)}" '
                     f'filter={quoteattr(layer_filter)}>{"".join(children)}</rule>')
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            '<qgis version="3.22.0" styleCategories="Symbology|MapTips|Fields">'
            '<renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">'
            f'<rules key="root">{"".join(rules)}</rules><symbols>{"".join(symbols)}</symbols>'
            '</renderer-v2>'
            '<mapTip>[% "name" %] [% "name_zh" %]&lt;br&gt;[% "description" %]</mapTip>'
            '<previewExpression>"name"</previewExpression>'
            '<layerGeometryType>' + {"point": "0", "line": "1", "polygon": "2"}[kind] +
            '</layerGeometryType></qgis>\n')


def _sld_symbolizer(symbol: Symbol) -> str:
    def css(name, value):
        return f'<se:SvgParameter name="{name}">{value}</se:SvgParameter>'

    dash = symbol.dash_px
    stroke = (f'<se:Stroke>{css("stroke", symbol.edge)}{css("stroke-opacity", symbol.stroke_opacity)}'
              f'{css("stroke-width", symbol.stroke_px)}'
              f'{css("stroke-dasharray", " ".join(f"{d:g}" for d in dash)) if dash else ""}</se:Stroke>')
    fill = f'<se:Fill>{css("fill", symbol.colour)}{css("fill-opacity", symbol.fill_opacity)}</se:Fill>'
    if symbol.kind == "point":
        # SLD's well-known marks: circle, square, triangle, star, cross, x.
        mark = symbol.shape if symbol.shape in ("circle", "square", "triangle", "star") else (
            "square" if symbol.shape == "diamond" else "triangle" if symbol.shape == "triangle-down" else "circle")
        rotation = {"diamond": 45, "triangle-down": 180}.get(symbol.shape, 0)
        return (f'<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>{mark}</se:WellKnownName>'
                f'{fill}{stroke}</se:Mark><se:Size>{symbol.diameter_px}</se:Size>'
                f'<se:Rotation>{rotation}</se:Rotation></se:Graphic></se:PointSymbolizer>')
    if symbol.kind == "line":
        return f"<se:LineSymbolizer>{stroke}</se:LineSymbolizer>"
    return f"<se:PolygonSymbolizer>{fill}{stroke}</se:PolygonSymbolizer>"


def _ogc_filter(layer_id: str, approx: bool) -> str:
    layer = (f"<ogc:PropertyIsEqualTo><ogc:PropertyName>layer</ogc:PropertyName>"
             f"<ogc:Literal>{escape(layer_id)}</ogc:Literal></ogc:PropertyIsEqualTo>")
    coarse = ("<ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>schematic</ogc:PropertyName>"
              "<ogc:Literal>1</ogc:Literal></ogc:PropertyIsEqualTo>"
              "<ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>precision</ogc:PropertyName>"
              "<ogc:Literal>4</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo></ogc:Or>")
    if not approx:
        coarse = f"<ogc:Not>{coarse}</ogc:Not>"
    return f"<ogc:Filter><ogc:And>{layer}{coarse}</ogc:And></ogc:Filter>"


def sld(table: str, kind: str, layers: list[tuple[str, str, dict, bool]]) -> str:
    """The same symbols as an OGC Symbology Encoding (SLD 1.1) document."""
    rules = []
    for layer_id, title, sym, _visible in layers:
        for approx in (False, True):
            name = f"{title} ({'approximate' if approx else 'exact'})"
            rules.append(f"<se:Rule><se:Name>{escape(name)}</se:Name>{_ogc_filter(layer_id, approx)}"
                         f"{_sld_symbolizer(symbol_of(kind, approx, sym))}</se:Rule>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld" '
            'xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc" '
            'xmlns:xlink="http://www.w3.org/1999/xlink" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.opengis.net/sld '
            'http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd">'
            f"<NamedLayer><se:Name>{escape(table)}</se:Name><UserStyle><se:Name>{escape(table)}</se:Name>"
            f"<se:FeatureTypeStyle>{''.join(rules)}</se:FeatureTypeStyle></UserStyle></NamedLayer>"
            "</StyledLayerDescriptor>\n")


def _ogr_colour(colour: str, opacity: float) -> str:
    r, g, b = _rgb(colour)
    return f"#{r:02X}{g:02X}{b:02X}{round(opacity * 255):02X}"


# Google Earth's own round icon, tinted with the layer colour (fetched by Google Earth, not by us).
KML_ICON = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"


def ogr_style(geometry_type: str, sym: dict, approx: bool) -> str:
    """An OGR feature style string (what GDAL's KML writers turn into a <Style>)."""
    symbol = symbol_of(kind_of(geometry_type), approx, sym)
    colour = symbol.colour
    if symbol.kind == "point":
        # LIBKML writes an IconStyle scale of size/2.83 px: 3 px is Google Earth's usual size.
        return (f'SYMBOL(id:"{KML_ICON}",c:{_ogr_colour(colour, 1.0 if not approx else 0.6)},s:3px)')
    pen = f"PEN(c:{_ogr_colour(symbol.edge, symbol.stroke_opacity)},w:{symbol.stroke_px:g}px)"
    if symbol.kind == "line":
        return pen
    return f"{pen};BRUSH(fc:{_ogr_colour(symbol.colour, max(symbol.fill_opacity, 0.25))})"
