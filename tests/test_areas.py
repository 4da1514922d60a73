"""Coverage simplification keeps shared borders; areas are planned at the right level."""

import numpy as np
import shapely
from shapely.geometry import Polygon

from geo import areas
from geo.gazetteer import AdminUnit, Gazetteer


def zigzag_pair():
    """Two counties sharing a wandering border, in one prefecture of one province."""
    rng = np.random.default_rng(3)
    ys = np.linspace(0, 1, 201)
    xs = 1 + np.cumsum(rng.normal(0, 0.004, 201))
    xs -= (xs[-1] - 1) * ys
    edge = [(1.0, 0.0)] + list(zip(xs[1:-1], ys[1:-1])) + [(1.0, 1.0)]
    west = Polygon([(0, 0)] + edge + [(0, 1)])
    east = Polygon([(2, 0), (2, 1)] + edge[::-1])
    units = [AdminUnit("990000", "测试省", "province", "测试省"),
             AdminUnit("990100", "甲市", "prefecture", "测试省"),
             AdminUnit("990101", "西县", "county", "测试省", "甲市"),
             AdminUnit("990102", "东县", "county", "测试省", "甲市")]
    shapes = {"990101": west, "990102": east, "990100": shapely.union(west, east),
              "990000": shapely.union(west, east)}
    return Gazetteer(units, [], boundary_loader=shapes.__getitem__, boundary_datum="wgs84")


def test_coverage_simplification_keeps_one_shared_border():
    gz = zigzag_pair()
    cov = areas.build_coverage(gz, [u for u in gz.units if u.level == "county"], 0.01)
    west, east = cov.geometries["990101"], cov.geometries["990102"]
    assert cov.vertices_after < cov.vertices_before / 4
    assert west.intersection(east).area == 0
    assert west.boundary.intersection(east.boundary).length > 1.0  # the whole border, shared
    assert shapely.union(west, east).geom_type == "Polygon"  # no gap


def test_simplifying_each_alone_would_open_gaps():
    """Why coverage simplification: the naive way breaks the border (guards the test above)."""
    gz = zigzag_pair()
    west, east = (shapely.simplify(gz.boundary(c), 0.01) for c in ("990101", "990102"))
    overlap = west.intersection(east).area
    gap = 2 - shapely.union(west, east).area
    assert overlap > 1e-5 and gap > 1e-4


def test_plan_areas_expands_sub_provincial_members_to_counties():
    gz = zigzag_pair()
    prefecture = gz.units_by_adcode["990100"][0]
    province = gz.units_by_adcode["990000"][0]
    p_areas, c_areas, provinces = areas.plan_areas(gz, {"a": [prefecture], "b": [province],
                                                        "c": [province, prefecture]})
    assert p_areas == {"b": ["990000"]}
    assert sorted(c_areas["a"]) == ["990101", "990102"]
    assert sorted(set(c_areas["c"])) == ["990101", "990102"] and provinces == {"测试省"}


def test_union_of_coverage():
    gz = zigzag_pair()
    cov = areas.county_coverage(gz, ["990101", "990102"], tolerance=0.01)
    whole = cov.union(["990101", "990102", "990101"])
    assert whole.geom_type == "Polygon" and abs(whole.area - 2.0) < 0.01
    assert len(whole.interiors) == 0
    assert np.isclose(whole.bounds, (0, 0, 2, 1)).all()
