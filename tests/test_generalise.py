import json
import math

import pytest
import shapely
from shapely.geometry import Point, mapping, shape

from geo import generalise
from geo.query import QueryError


def wiggly_ring(n=2000, radius=1.0, wiggle=0.0005, centre=(113.0, 30.0)):
    """A circle of ``n`` vertices with a tiny saw-tooth on it: detail far finer than a pixel at
    low zoom, the kind of outline a boundary file gives."""
    cx, cy = centre
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        r = radius + (wiggle if i % 2 else -wiggle)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    pts.append(pts[0])
    return pts


def test_an_offset_is_rounded_down_to_a_step():
    for zoom in range(0, 12):
        offset = generalise.offset_at(zoom)
        assert generalise.parse_offset(repr(offset)) == zoom
        # A little more is still that step; a little less is the next, finer one.
        assert generalise.parse_offset(repr(offset * 1.5)) == zoom
        assert generalise.parse_offset(repr(offset * 0.999)) == zoom + 1
    # Each step halves the offset: half a pixel of a tile at the next zoom.
    assert generalise.offset_at(6) == pytest.approx(generalise.offset_at(5) / 2)
    # Coarser than zoom 0 asks for zoom 0; nothing coarser is ever made.
    assert generalise.parse_offset("45") == 0


@pytest.mark.parametrize("text", [None, "", "  ", "0", "0.0", "+0", "1e-12"])
def test_no_offset_zero_or_a_tiny_one_is_full_detail(text):
    assert generalise.parse_offset(text) is None


@pytest.mark.parametrize("text, words", [
    ("abc", "is not a number"), ("-0.1", "0 or more"), ("-0", "0 or more"), ("nan", "is not a number"),
    ("1e999", "finite"), ("0x10", "is not a number"), ("٠.٥", "is not a number"),
])
def test_a_bad_offset_is_named_in_the_error(text, words):
    with pytest.raises(QueryError) as info:
        generalise.parse_offset(text)
    assert generalise.PARAM in str(info.value) and words in str(info.value)


def test_an_area_loses_the_vertices_the_zoom_cannot_show_and_keeps_its_shape():
    polygon = {"type": "Polygon", "coordinates": [wiggly_ring()]}
    original = shape(polygon)
    for zoom in (4, 5, 6, 7):
        tolerance = generalise.offset_at(zoom)
        out = generalise.generalise_geometry(polygon, tolerance)
        simpler = shape(out)
        assert out["type"] == "Polygon"
        assert simpler.is_valid
        assert shapely.get_num_coordinates(simpler) < shapely.get_num_coordinates(original) / 5
        # Nowhere further from the original than the offset (and the grid it is rounded to).
        assert simpler.hausdorff_distance(original) <= tolerance * 1.2
        # The area changes by no more than a band of that width around the outline.
        assert abs(simpler.area - original.area) <= original.length * tolerance
    # Finer steps keep more.
    counts = [shapely.get_num_coordinates(shape(generalise.generalise_geometry(polygon, generalise.offset_at(z))))
              for z in (4, 6, 8, 10)]
    assert counts == sorted(counts) and counts[0] < counts[-1]


def test_coordinates_are_written_short_on_a_grid_finer_than_the_offset():
    line = {"type": "LineString", "coordinates": [[113.123456789, 30.987654321], [113.5, 30.5], [114.000001, 31.0]]}
    out = generalise.generalise_geometry(line, generalise.offset_at(5))  # ~0.0155°: 3 decimals
    text = json.dumps(out)
    assert "113.123" in text and "113.1234" not in text
    assert all(len(repr(c).split(".")[-1]) <= 3 for pt in out["coordinates"] for c in pt)


def test_points_and_empty_geometries_are_left_as_they_are():
    point = mapping(Point(113.1234567, 30.7654321))
    assert generalise.generalise_geometry(point, 0.1) is point
    multi = {"type": "MultiPoint", "coordinates": [[1.0, 2.0], [3.0, 4.0]]}
    assert generalise.generalise_geometry(multi, 0.1) is multi
    assert generalise.generalise_geometry(None, 0.1) is None
    empty = {"type": "Polygon", "coordinates": []}
    assert generalise.generalise_geometry(empty, 0.1) == empty


def test_a_multipolygon_keeps_its_parts_and_a_tiny_island_never_empties_the_shape():
    big = wiggly_ring(radius=1.0)
    islet = [(120.0, 20.0), (120.0001, 20.0), (120.0001, 20.0001), (120.0, 20.0)]
    multi = {"type": "MultiPolygon", "coordinates": [[big], [islet]]}
    out = generalise.generalise_geometry(multi, generalise.offset_at(3))
    assert out["type"] in ("MultiPolygon", "Polygon")
    assert not shape(out).is_empty and shape(out).is_valid
    tiny = {"type": "Polygon", "coordinates": [islet]}
    kept = shape(generalise.generalise_geometry(tiny, generalise.offset_at(0)))
    assert not kept.is_empty


def test_features_are_generalised_one_by_one_and_points_keep_their_bytes():
    area = {"type": "Feature", "id": "a", "geometry": {"type": "Polygon", "coordinates": [wiggly_ring()]},
            "properties": {"name": "Area", "name_zh": "区域"}}
    point = {"type": "Feature", "id": "p", "geometry": {"type": "Point", "coordinates": [113.0, 30.0]},
             "properties": {"name": "Point"}}
    raw = [json.dumps(f, ensure_ascii=False).encode() for f in (area, point)]
    out = generalise.generalise_features(raw, [area, point], 5)
    assert out[1] is raw[1]
    first = json.loads(out[0])
    assert first["id"] == "a" and first["properties"] == area["properties"]
    assert len(out[0]) < len(raw[0]) / 5
    assert "区域".encode() in out[0]  # UTF-8, as every body is


def test_a_generalised_collection_says_its_offset():
    head = generalise.collection_head(5)
    body = json.loads(head + b"]}")
    assert body == {"type": "FeatureCollection", generalise.PARAM: generalise.offset_at(5), "features": []}


def test_islets_and_holes_under_the_offset_are_dropped_and_bigger_ones_kept():
    tolerance = generalise.offset_at(5)
    big = wiggly_ring(radius=1.0)
    def square(x, y, side):
        return [(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)]
    islets = [[square(115.5 + i * 0.05, 30.0, tolerance / 3)] for i in range(40)]
    island = [square(116.0, 32.0, tolerance * 4)]
    multi = {"type": "MultiPolygon", "coordinates": [[big]] + islets + [island]}
    out = shape(generalise.generalise_geometry(multi, tolerance))
    assert out.geom_type == "MultiPolygon" and len(out.geoms) == 2  # the mainland and the island
    # What went is the islets' area, and no more than the outline's band besides.
    original = shape(multi)
    assert original.area - out.area <= 40 * (tolerance / 3) ** 2 + original.length * tolerance
    holed = {"type": "Polygon", "coordinates": [big, square(112.9, 29.9, tolerance / 4), square(113.2, 30.2, 0.1)]}
    kept = shape(generalise.generalise_geometry(holed, tolerance))
    assert kept.geom_type == "Polygon" and len(kept.interiors) == 1  # the tiny hole went, the big one stayed
