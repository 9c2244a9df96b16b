"""Tests of maps/packing.py: the packed integer streams and the display scale of the map."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
import shapely.affinity
from pyproj import Transformer

from lifecircle.maps.packing import (
    DisplayScale,
    chain_lines,
    decode,
    encode,
    pack_ints,
    unpack_ints,
    varints,
)

UTM = "EPSG:32648"
TO_LL = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
TO_M = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
#: A county-sized box near 107.9°E 31.1°N (about 19 km × 22 km).
BOUNDS = (107.8, 31.0, 108.0, 31.2)


def test_varints_by_hand() -> None:
    # zig-zag: 0 → 0, -1 → 1, 1 → 2, 64 → 128 = 0b1000_0000 → 0x80 0x01, 300 → 600 → 0xD8 0x04
    assert varints(np.array([0, -1, 1, 64, 300])).hex() == "0001028001d804"
    assert varints(np.array([], dtype=np.int64)) == b""


def test_varints_round_trip_and_bounds() -> None:
    rng = np.random.default_rng(0)
    values = np.concatenate(
        [rng.integers(-(2**29), 2**29, 2000), np.array([2**30 - 1, -(2**30) + 1, 0, -64, 63])]
    )
    np.testing.assert_array_equal(unpack_ints(pack_ints(values)), values)
    with pytest.raises(ValueError, match="2\\^30"):
        varints(np.array([2**30]))


def test_display_scale_by_hand() -> None:
    s = DisplayScale.for_bounds(BOUNDS)
    # diagonal: 0.2° of longitude at 31.1°N and 0.2° of latitude, in metres
    dx = 0.2 * 111_320.0 * math.cos(math.radians(31.1))
    dy = 0.2 * 111_320.0
    assert s.tolerance_m == pytest.approx(math.hypot(dx, dy) / 8000.0)
    assert 3.5 < s.tolerance_m < 3.7
    # the grid: a round number of degrees, at most a quarter of the tolerance
    assert s.quantum_deg == pytest.approx(5e-6)
    assert s.quantum_deg * 111_320.0 <= s.tolerance_m / 4.0
    assert s.x0 <= BOUNDS[0] and s.y0 <= BOUNDS[1]
    assert round(s.x0 / s.quantum_deg) * s.quantum_deg == pytest.approx(s.x0, abs=1e-12)


def _metric(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda c: np.column_stack(TO_M.transform(c[:, 0], c[:, 1])))


def _lonlat(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda c: np.column_stack(TO_LL.transform(c[:, 0], c[:, 1])))


def test_polygon_with_a_hole_keeps_its_rings() -> None:
    s = DisplayScale.for_bounds(BOUNDS)
    x0, y0 = TO_M.transform(107.9, 31.1)
    outer = shapely.box(x0, y0, x0 + 500, y0 + 400)
    block = shapely.box(x0 + 100, y0 + 100, x0 + 200, y0 + 180)  # a hole of 100 m × 80 m
    speck = shapely.box(x0 + 300, y0 + 300, x0 + 301, y0 + 301)  # 1.4 m across: below 3.6 m
    poly = _lonlat(shapely.Polygon(outer.exterior, [block.exterior, speck.exterior]))
    packed = encode(np.array([poly, shapely.Polygon()], dtype=object), "polygons", s)
    # the structure, by hand: feature 1 = 1 part of 2 rings (outer, block) of 4 points each
    # (the closing point left out, the speck dropped), feature 2 = no part
    np.testing.assert_array_equal(unpack_ints(packed["s"]), [1, 2, 4, 4, 0])
    drawn = decode(packed, "polygons", 2, s)
    assert drawn[1].is_empty
    got = _metric(drawn[0])
    assert shapely.get_num_interior_rings(got.geoms[0]) == 1
    assert got.area == pytest.approx(500 * 400 - 100 * 80, rel=1e-3)


def test_lines_and_points_round_trip_on_the_grid() -> None:
    s = DisplayScale.for_bounds(BOUNDS)
    line = shapely.LineString([(107.91, 31.11), (107.912, 31.111), (107.93, 31.12)])
    multi = shapely.MultiLineString(
        [[(107.95, 31.15), (107.96, 31.15)], [(107.96, 31.16), (107.97, 31.17)]]
    )
    drawn = decode(encode(np.array([line, multi], dtype=object), "lines", s), "lines", 2, s)
    assert len(drawn[1].geoms) == 2
    pts = np.array([shapely.Point(107.9, 31.1), shapely.Point(107.95, 31.05)], dtype=object)
    back = decode(encode(pts, "points", s), "points", 2, s)
    for a, b in zip(pts, back, strict=True):
        assert a.distance(b) <= s.quantum_deg / 2 * math.sqrt(2) + 1e-12


def _streets_isochrone() -> tuple[shapely.Geometry, shapely.Geometry]:
    """A band of 25 m along a jittered street grid, with its block holes (metric, lon/lat)."""
    rng = np.random.default_rng(4)
    x0, y0 = TO_M.transform(107.9, 31.1)
    lines = []
    for k in range(12):
        across = np.arange(12)
        lines.append(  # a street running east, then one running north
            shapely.LineString(
                np.column_stack([x0 + across * 80.0, y0 + k * 90.0 + rng.uniform(-8, 8, 12)])
            )
        )
        lines.append(
            shapely.LineString(
                np.column_stack([x0 + k * 80.0 + rng.uniform(-8, 8, 12), y0 + across * 90.0])
            )
        )
    band = shapely.buffer(shapely.MultiLineString(lines), 12.5, quad_segs=3)
    return band, _lonlat(band)


def test_outlines_stay_within_the_tolerance_of_the_exact_ones() -> None:
    exact_m, exact_ll = _streets_isochrone()
    assert shapely.get_num_interior_rings(exact_m) > 50
    s = DisplayScale.for_bounds(BOUNDS)
    drawn_m = _metric(decode(encode(np.array([exact_ll]), "polygons", s), "polygons", 1, s)[0])
    tol = s.tolerance_m
    # every drawn point lies within the tolerance of the exact area, and the other way round
    assert shapely.buffer(exact_m, tol * 1.001).covers(drawn_m)
    assert shapely.buffer(drawn_m, tol * 1.001).covers(exact_m)
    # and the simplification does its job: fewer vertices than the exact outline
    assert shapely.get_num_coordinates(drawn_m) < shapely.get_num_coordinates(exact_m)


def test_a_line_drawn_at_twice_the_tolerance_would_fail_the_check() -> None:
    """The containment check above can fail: a line moved by 2 × tolerance is caught."""
    exact_m, _ = _streets_isochrone()
    s = DisplayScale.for_bounds(BOUNDS)
    moved = shapely.affinity.translate(exact_m, xoff=2.0 * s.tolerance_m)
    assert not shapely.buffer(exact_m, s.tolerance_m).covers(moved)


def test_chained_lines_draw_every_street_once() -> None:
    s = DisplayScale.for_bounds(BOUNDS)
    # a 4 × 4 grid of 100 m blocks: 40 street segments, crossings of degree 2, 3 and 4
    x0, y0 = 107.9, 31.1
    step = 0.001
    segs = []
    for i in range(5):
        for j in range(4):
            segs.append(
                shapely.LineString(
                    [(x0 + j * step, y0 + i * step), (x0 + (j + 1) * step, y0 + i * step)]
                )
            )
            segs.append(
                shapely.LineString(
                    [(x0 + i * step, y0 + j * step), (x0 + i * step, y0 + (j + 1) * step)]
                )
            )
    chained = chain_lines(np.array(segs, dtype=object), s)
    assert len(chained) < len(segs)
    # the same streets: equal total length, and every segment covered by the chains
    assert sum(c.length for c in chained) == pytest.approx(sum(g.length for g in segs))
    union = shapely.union_all(chained)
    assert all(union.covers(g) for g in segs)
    # straight across every crossing and T junction: each of the 3 inner rows and 3 inner
    # columns is one polyline; the outer streets meet at the corners (degree 2), so the
    # perimeter is one loop: 3 + 3 + 1 polylines
    assert len(chained) == 7
