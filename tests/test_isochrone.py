"""Tests for lifecircle.geo.isochrone: exact reachable street length and edge-based polygons."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from grids import CRS, grid3

from lifecircle.geo.isochrone import isochrone, isochrones_per_source, reachable_parts
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import nearest_facility
from lifecircle.geo.snap import SnappedPoints, snap_points


def snap(g: WalkGraph, pts: list[tuple[float, float]]) -> SnappedPoints:
    a = np.asarray(pts, dtype=float)
    return snap_points(g, a[:, 0], a[:, 1], max_snap_m=300)


def reach_length(g: WalkGraph, src: SnappedPoints, cutoff_m: float) -> float:
    _, lo, hi = reachable_parts(g, src, cutoff_m=cutoff_m)
    return float((hi - lo).sum())


def test_reachable_length_from_a_node_is_exact() -> None:
    g = grid3()
    # Two full edges from node 0, then 50 m onward from nodes 1 and 3 in two directions each.
    assert reach_length(g, snap(g, [(0.0, 0.0)]), 150.0) == pytest.approx(400.0)
    # Cutoff 250: six full edges plus four 50 m stubs.
    assert reach_length(g, snap(g, [(0.0, 0.0)]), 250.0) == pytest.approx(800.0)


def test_reachable_length_from_a_mid_edge_source() -> None:
    g = grid3()
    # 10 m access leg, 140 m left: its edge in full, then 90 m on three edges.
    assert reach_length(g, snap(g, [(50.0, -10.0)]), 150.0) == pytest.approx(370.0)
    # 30 m left: 30 m each way along its own edge only.
    assert reach_length(g, snap(g, [(50.0, -10.0)]), 40.0) == pytest.approx(60.0)


def test_both_ends_cover_parts_of_one_edge() -> None:
    g = WalkGraph.from_edges([0.0, 100.0], [0.0, 0.0], [0], [1], crs=CRS)
    src = snap(g, [(0.0, 0.0), (100.0, 0.0)])
    _, lo, hi = reachable_parts(g, src, cutoff_m=30.0)
    assert sorted(zip(lo.round(9), hi.round(9), strict=True)) == [(0.0, 30.0), (70.0, 100.0)]
    poly = isochrone(g, src, cutoff_m=30.0, walk_width_m=10.0)
    assert poly.contains(shapely.Point(20.0, 0.0))
    assert poly.contains(shapely.Point(80.0, 0.0))
    assert not poly.contains(shapely.Point(50.0, 0.0))


def test_polygon_contains_reachable_points_only() -> None:
    g = grid3()
    poly = isochrone(g, snap(g, [(0.0, 0.0)]), cutoff_m=150.0, walk_width_m=10.0)
    for p in [(100.0, 40.0), (40.0, 100.0), (0.0, 0.0), (149.0, 0.0), (50.0, 3.0)]:
        assert poly.contains(shapely.Point(p)), p
    for p in [(100.0, 80.0), (200.0, 0.0), (150.0, 150.0), (50.0, 50.0), (0.0, 200.0)]:
        assert not poly.contains(shapely.Point(p)), p
    assert poly.geom_type == "Polygon"


def test_ring_network_gives_a_polygon_with_a_hole() -> None:
    x = [0.0, 400.0, 400.0, 0.0]
    y = [0.0, 0.0, 400.0, 400.0]
    g = WalkGraph.from_edges(x, y, [0, 1, 2, 3], [1, 2, 3, 0], crs=CRS)
    poly = isochrone(g, snap(g, [(0.0, 0.0)]), cutoff_m=2000.0)
    assert poly.geom_type == "Polygon"
    assert len(poly.interiors) == 1
    assert not poly.contains(shapely.Point(200.0, 200.0))
    assert poly.contains(shapely.Point(200.0, 5.0))


def test_empty_when_nothing_is_reachable() -> None:
    g = grid3()
    far = snap_points(g, [100.0], [900.0], max_snap_m=300)
    assert isochrone(g, far, cutoff_m=1000.0).is_empty
    assert isochrone(g, snap(g, [(50.0, -10.0)]), cutoff_m=5.0).is_empty
    assert isochrones_per_source(g, far, cutoff_m=1000.0)[0].is_empty
    with pytest.raises(ValueError, match="cutoff_m"):
        isochrone(g, far, cutoff_m=np.inf)
    with pytest.raises(ValueError, match="walk_width_m"):
        isochrone(g, far, cutoff_m=10.0, walk_width_m=0.0)


def test_parts_agree_with_point_distances_on_a_random_graph() -> None:
    """Points sampled along every edge are inside the parts iff their distance is ≤ the cutoff."""
    rng = np.random.default_rng(1)
    n = 400
    xy = rng.uniform(0, 2000, size=(n, 2))
    # Connect each node to its 3 nearest neighbours.
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    nbr = np.argsort(d, axis=1)[:, 1:4]
    g = WalkGraph.from_edges(xy[:, 0], xy[:, 1], np.repeat(np.arange(n), 3), nbr.ravel(), crs=CRS)
    src = snap_points(g, rng.uniform(0, 2000, 3), rng.uniform(0, 2000, 3), max_snap_m=500)
    cutoff = 600.0
    edge, lo, hi = reachable_parts(g, src, cutoff_m=cutoff)
    # 20 points per edge, placed on it exactly (zero access leg).
    e = np.repeat(np.arange(g.n_edges), 20)
    t = rng.uniform(0, 1, len(e)) * g.edge_length_m[e]
    zero = np.zeros(len(e))
    pts = SnappedPoints(e, t, zero, zero, zero, np.ones(len(e), dtype=bool), zero.astype(np.int64))
    inside = np.zeros(len(e), dtype=bool)
    for k in range(g.n_edges):
        sel = np.flatnonzero(e == k)
        m = edge == k
        inside[sel] = ((t[sel, None] >= lo[m][None, :]) & (t[sel, None] <= hi[m][None, :])).any(1)
    dist = nearest_facility(g, pts, src).dist_m
    clear = np.abs(dist - cutoff) > 1e-6
    np.testing.assert_array_equal(inside[clear], (dist <= cutoff)[clear])
    # Intervals never overlap, so their summed length is the reachable length.
    order = np.lexsort((lo, edge))
    same = edge[order][1:] == edge[order][:-1]
    assert (lo[order][1:][same] >= hi[order][:-1][same]).all()


def test_per_source_isochrones_match_single_ones() -> None:
    g = grid3()
    src = snap(g, [(0.0, 0.0), (200.0, 200.0), (100.0, 900.0), (150.0, 102.0)])
    per = isochrones_per_source(g, src, cutoff_m=180.0)
    assert len(per) == 4
    assert per[2].is_empty
    for i in (0, 1, 3):
        single = isochrone(g, src.subset(np.array([i])), cutoff_m=180.0)
        assert per[i].symmetric_difference(single).area == pytest.approx(0.0, abs=1e-6)
    union = isochrone(g, src, cutoff_m=180.0)
    merged = shapely.union_all([p for p in per if not p.is_empty])
    assert union.symmetric_difference(merged).area < 1e-3 * union.area
