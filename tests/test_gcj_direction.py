"""The 高德 (Amap, GCJ-02) overlay shift goes the right way: from WGS84 to GCJ-02, never back.

The expectation comes from the published GCJ-02 algorithm written out again here, scalar, in
plain ``math`` (checked first against published WGS84/GCJ-02 pairs), not from the package.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from sample_results import build_sample_map, make_results

from lifecircle.maps.packed import shift_gcj02

# googollee/eviltransform's test table (WGS84 lon, lat → GCJ-02 lon, lat): Shanghai, Beijing
PUBLISHED = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
]


def reference_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 → GCJ-02 by the published formula (Krasovsky ellipsoid), one point at a time."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    d_lat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
        + (160.0 * math.sin(y / 12.0 * pi) + 320.0 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    )
    d_lon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
        + (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
        + (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    )
    rad = math.radians(lat)
    magic = 1.0 - ee * math.sin(rad) ** 2
    d_lat = d_lat * 180.0 / ((a * (1.0 - ee)) / (magic * math.sqrt(magic)) * pi)
    d_lon = d_lon * 180.0 / (a / math.sqrt(magic) * math.cos(rad) * pi)
    return lon + d_lon, lat + d_lat


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), PUBLISHED)
def test_the_reference_formula_matches_published_pairs(wlon, wlat, glon, glat) -> None:
    lon, lat = reference_gcj02(wlon, wlat)
    assert (lon, lat) == pytest.approx((glon, glat), abs=1e-6)


def test_reference_offset_near_tiananmen_is_east_and_north() -> None:
    lon, lat = reference_gcj02(116.397428, 39.90923)
    assert 0.0055 < lon - 116.397428 < 0.0070
    assert 0.0008 < lat - 39.90923 < 0.0020


def test_overlay_geometries_move_from_wgs84_to_gcj02() -> None:
    wlon, wlat, glon, glat = PUBLISHED[1]
    line = shapely.LineString([(wlon, wlat), (121.5272106, 31.1774276)])
    (moved,) = shift_gcj02([line])
    got = shapely.get_coordinates(moved)
    want = [reference_gcj02(wlon, wlat), reference_gcj02(121.5272106, 31.1774276)]
    np.testing.assert_allclose(got, want, atol=1e-7)
    np.testing.assert_allclose(got[0], [glon, glat], atol=1e-6)  # the published pair
    assert got[0, 0] > wlon and got[0, 1] > wlat  # east and north of the WGS84 point


def test_amap_map_bounds_move_by_the_gcj02_offset_in_its_direction() -> None:
    plain = build_sample_map(make_results(), basemap="none", offline=True)
    shifted = build_sample_map(make_results(), basemap="amap", offline=True)
    (s0, w0), (n0, e0) = plain.get_bounds()  # type: ignore[attr-defined]
    (s1, w1), (n1, e1) = shifted.get_bounds()  # type: ignore[attr-defined]
    for lat, lon, lat1, lon1 in [(s0, w0, s1, w1), (n0, e0, n1, e1)]:
        ref_lon, ref_lat = reference_gcj02(lon, lat)
        # the offset varies by < 1e-5° across a county: the corner moves as the reference says
        assert lon1 - lon == pytest.approx(ref_lon - lon, abs=2e-5)
        assert lat1 - lat == pytest.approx(ref_lat - lat, abs=2e-5)
