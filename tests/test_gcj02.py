"""GCJ-02 conversion: checked against the public-domain prcoords package and known offsets."""

import math

import numpy as np
import prcoords
import pytest
from shapely.geometry import Polygon

from geo import gcj02
from geo.gazetteer import default_gazetteer
from geo.geocoder import Geocoder, PlaceRef


def metres(lon1, lat1, lon2, lat2):
    """Equirectangular distance, fine for offsets of a few hundred metres."""
    k = math.pi / 180 * 6371008.8
    return k * math.hypot((lon2 - lon1) * math.cos(math.radians(lat1)), lat2 - lat1)


def test_forward_matches_prcoords_on_random_points_across_china():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(75, 134, 500), rng.uniform(18, 53, 500)
    glon, glat = gcj02.wgs_to_gcj(lon, lat)
    for x, y, gx, gy in zip(lon, lat, glon, glat):
        ref = prcoords.wgs_gcj((y, x))
        assert gx == pytest.approx(ref.lon, abs=1e-12)
        assert gy == pytest.approx(ref.lat, abs=1e-12)


def test_inverse_round_trips_to_a_millimetre_and_agrees_with_prcoords():
    rng = np.random.default_rng(8)
    lon, lat = rng.uniform(100, 122, 300), rng.uniform(22, 42, 300)
    back_lon, back_lat = gcj02.gcj_to_wgs(*gcj02.wgs_to_gcj(lon, lat))
    assert np.abs(back_lon - lon).max() < 1e-8 and np.abs(back_lat - lat).max() < 1e-8
    glon, glat = gcj02.wgs_to_gcj(lon, lat)
    for gx, gy, wx, wy in zip(glon, glat, back_lon, back_lat):
        ref = prcoords.gcj_wgs_bored((gy, gx))
        assert metres(wx, wy, ref.lon, ref.lat) < 0.05  # prcoords stops at about 1 cm


@pytest.mark.parametrize("city, province, expected_m", [
    ("Zhengzhou", "Henan", 568), ("Wuhan", "Hubei", 586),
    ("Changsha", "Hunan", 661), ("Taiyuan", "Shanxi", 556)])
def test_offset_size_at_control_cities(city, province, expected_m):
    # The offsets measured when planning (shared/notes/data-sources.md), at the GeoNames points.
    match = Geocoder(default_gazetteer()).geocode(PlaceRef(city, province))
    glon, glat = gcj02.wgs_to_gcj(match.lon, match.lat)
    assert metres(match.lon, match.lat, float(glon), float(glat)) == pytest.approx(expected_m, abs=15)


def test_points_outside_china_are_unchanged():
    lon, lat = np.array([6.13, -74.0]), np.array([49.61, 40.7])
    glon, glat = gcj02.wgs_to_gcj(lon, lat)
    assert np.array_equal(glon, lon) and np.array_equal(glat, lat)
    wlon, wlat = gcj02.gcj_to_wgs(lon, lat)
    assert np.array_equal(wlon, lon) and np.array_equal(wlat, lat)


def test_geometry_conversion_moves_every_vertex_the_same_way():
    square = Polygon([(113.6, 34.7), (113.7, 34.7), (113.7, 34.8), (113.6, 34.8)])
    moved = gcj02.geometry_gcj_to_wgs(square)
    assert moved.is_valid and len(moved.exterior.coords) == 5
    for (x, y), (wx, wy) in zip(square.exterior.coords, moved.exterior.coords):
        ex, ey = gcj02.gcj_to_wgs(x, y)
        assert (wx, wy) == pytest.approx((float(ex), float(ey)), abs=1e-12)
        # WGS84 lies south-west of GCJ-02 in central China, by hundreds of metres
        assert 400 < metres(x, y, wx, wy) < 800 and wx < x
