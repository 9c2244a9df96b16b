"""Tests of geo/crs.py (declared CRSs, conversion to WGS84) and the GCJ-02 / BD-09 vectors."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer

from lifecircle.errors import LayerError, ProjectError
from lifecircle.geo.chinacrs import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from lifecircle.geo.crs import (
    crs_label,
    geometry_to_wgs84,
    is_geographic,
    local_metric_crs,
    lonlat_to_wgs84,
    parse_crs,
)

# Published pairs: the test table of googollee/eviltransform (javascript/test.js):
# (wgs lon, wgs lat, gcj lon, gcj lat)
EVILTRANSFORM_PAIRS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]
# wandergis/coordtransform README, input (116.404, 39.915):
COORDTRANSFORM_WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
COORDTRANSFORM_BD_TO_GCJ = (116.39762729119315, 39.90865673957631)  # its closed-form inverse


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM_PAIRS)
def test_wgs84_to_gcj02_matches_published_pairs(wlon, wlat, glon, glat):
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert float(lon) == pytest.approx(glon, abs=1e-6)
    assert float(lat) == pytest.approx(glat, abs=1e-6)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), EVILTRANSFORM_PAIRS)
def test_gcj02_to_wgs84_inverts_published_pairs(wlon, wlat, glon, glat):
    lon, lat = gcj02_to_wgs84(glon, glat)
    assert float(lon) == pytest.approx(wlon, abs=1e-6)
    assert float(lat) == pytest.approx(wlat, abs=1e-6)


def test_coordtransform_readme_pairs():
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx(COORDTRANSFORM_WGS_TO_GCJ, abs=1e-9)
    lon, lat = gcj02_to_bd09(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx(COORDTRANSFORM_GCJ_TO_BD, abs=1e-9)
    # their BD-09 → GCJ-02 is the one-step closed form (≈ 4e-7° off); ours iterates to exact
    lon, lat = bd09_to_gcj02(116.404, 39.915)
    assert (float(lon), float(lat)) == pytest.approx(COORDTRANSFORM_BD_TO_GCJ, abs=1e-6)
    back = gcj02_to_bd09(lon, lat)
    assert (float(back[0]), float(back[1])) == pytest.approx((116.404, 39.915), abs=1e-9)


def test_round_trips_to_1e9_degrees():
    rng = np.random.default_rng(42)
    lon = rng.uniform(75.0, 134.0, 500)
    lat = rng.uniform(18.0, 53.0, 500)
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    np.testing.assert_allclose(back[0], lon, atol=1e-9, rtol=0)
    np.testing.assert_allclose(back[1], lat, atol=1e-9, rtol=0)
    back = bd09_to_wgs84(*wgs84_to_bd09(lon, lat))
    np.testing.assert_allclose(back[0], lon, atol=1e-9, rtol=0)
    np.testing.assert_allclose(back[1], lat, atol=1e-9, rtol=0)


def test_points_outside_china_are_not_shifted():
    lon, lat = wgs84_to_gcj02([2.35, 139.7], [48.85, 35.7])  # Paris, Tokyo
    np.testing.assert_array_equal(lon, [2.35, 139.7])
    np.testing.assert_array_equal(lat, [48.85, 35.7])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gcj02", "gcj02"),
        ("GCJ-02", "gcj02"),
        (" gcj_02 ", "gcj02"),
        ("火星坐标", "gcj02"),
        ("bd09", "bd09"),
        ("BD-09", "bd09"),
        ("bd09ll", "bd09"),
    ],
)
def test_parse_crs_china_aliases(text, expected):
    assert parse_crs(text) == expected


@pytest.mark.parametrize(
    ("text", "epsg"),
    [("EPSG:4490", 4490), ("epsg:4326", 4326), ("CGCS2000", 4490), ("32648", 32648)],
)
def test_parse_crs_reads_what_pyproj_reads(text, epsg):
    decl = parse_crs(text)
    assert isinstance(decl, CRS)
    assert decl.to_epsg() == epsg


def test_parse_crs_unknown_lists_examples():
    with pytest.raises(ProjectError) as info:
        parse_crs("GCJ2000", where="[layers.facilities] crs")
    message = str(info.value)
    assert message.startswith("[layers.facilities] crs: unknown CRS 'GCJ2000'")
    assert '"EPSG:4490"' in message
    assert '"gcj02"' in message
    assert '"bd09"' in message


def test_parse_crs_error_class_and_empty():
    with pytest.raises(LayerError, match="unknown CRS ''"):
        parse_crs("", error=LayerError)


def test_crs_label_and_geographic():
    assert crs_label("gcj02") == "gcj02"
    assert crs_label(CRS.from_epsg(4547)) == "EPSG:4547"
    assert is_geographic("bd09")
    assert is_geographic(CRS.from_epsg(4490))
    assert not is_geographic(CRS.from_epsg(32648))


def test_lonlat_to_wgs84_projected_matches_pyproj():
    x = np.array([500000.0, 400000.0])
    y = np.array([3441000.0, 3400000.0])
    lon, lat = lonlat_to_wgs84(x, y, CRS.from_epsg(32648))
    ref = Transformer.from_crs(32648, 4326, always_xy=True).transform(x, y)
    np.testing.assert_allclose(lon, ref[0], atol=1e-12)
    np.testing.assert_allclose(lat, ref[1], atol=1e-12)
    # the central meridian of zone 48 is 105°E
    assert lon[0] == pytest.approx(105.0, abs=1e-9)


def test_lonlat_to_wgs84_china_systems_and_identity():
    glon, glat = 121.531541859215, 31.17530398364597
    lon, lat = lonlat_to_wgs84([glon], [glat], "gcj02")
    assert (lon[0], lat[0]) == pytest.approx((121.5272106, 31.1774276), abs=1e-6)
    blon, blat = gcj02_to_bd09(glon, glat)
    lon, lat = lonlat_to_wgs84([blon], [blat], "bd09")
    assert (lon[0], lat[0]) == pytest.approx((121.5272106, 31.1774276), abs=1e-6)
    lon, lat = lonlat_to_wgs84([107.9], [31.1], CRS.from_epsg(4326))
    assert (lon[0], lat[0]) == (107.9, 31.1)


def test_geometry_to_wgs84_converts_every_vertex():
    square = shapely.box(107.90, 31.10, 107.91, 31.11)
    series = gpd.GeoSeries([square, shapely.Point(107.9, 31.1), None])
    out = geometry_to_wgs84(series, "gcj02")
    assert out.crs.to_epsg() == 4326
    coords = shapely.get_coordinates(out.iloc[0])
    expected = np.column_stack(gcj02_to_wgs84(*shapely.get_coordinates(square).T))
    np.testing.assert_allclose(coords, expected, atol=1e-12)
    # the GCJ-02 shift near 107.9°E 31.1°N is a few hundred metres, not zero
    assert abs(out.iloc[1].x - 107.9) > 1e-3
    assert out.iloc[2] is None


def test_local_metric_crs_kept():
    assert local_metric_crs(107.9, 31.1).to_epsg() == 32648
    assert local_metric_crs(-70.0, -33.0).to_epsg() == 32719
    with pytest.raises(ValueError, match="outside the range UTM covers"):
        local_metric_crs(10.0, 89.0)
