"""Tests of geo/localreach.py: catchments searched on the streets near each batch of sources.

Checked against one whole-network search per facility (:func:`nearest_facility`, which never
uses the local batches) on an irregular random network, and on a network where an edge is
shorter than the straight line between its nodes, where only the whole-network search is exact.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from grids import CRS, grid3
from scipy.spatial import Delaunay

from lifecircle.geo.localreach import is_metric, spatial_batches
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import catchments, nearest_facility
from lifecircle.geo.snap import SnappedPoints, snap_points


def _irregular(seed: int) -> WalkGraph:
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 4000, size=(2500, 2))
    s = Delaunay(pts).simplices
    edges = np.unique(
        np.sort(np.concatenate([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]]), axis=1), axis=0
    )
    length = np.hypot(*(pts[edges[:, 0]] - pts[edges[:, 1]]).T)
    edges = edges[(length < 200) & (rng.random(len(edges)) > 0.25)]
    return WalkGraph.from_edges(pts[:, 0], pts[:, 1], edges[:, 0], edges[:, 1], crs=CRS)


def _one_by_one(
    g: WalkGraph, demand: SnappedPoints, facilities: SnappedPoints, cutoff_m: float
) -> dict[tuple[int, int], float]:
    pairs = {}
    for f in range(len(facilities)):
        near = nearest_facility(g, demand, facilities.subset(np.array([f])), cutoff_m=cutoff_m)
        for d in np.flatnonzero(np.isfinite(near.dist_m)):
            pairs[(f, int(d))] = float(near.dist_m[d])
    return pairs


def _pairs(g: WalkGraph, demand: SnappedPoints, fac: SnappedPoints, cutoff_m: float) -> dict:
    cat = catchments(g, demand, fac, cutoff_m=cutoff_m, batch_size=7)
    return {
        (int(f), int(d)): float(x)
        for f, d, x in zip(cat.facility, cat.demand, cat.dist_m, strict=True)
    }


@pytest.mark.parametrize("cutoff_m", [150.0, 600.0])
def test_local_batches_give_every_pair_of_the_whole_network_search(cutoff_m: float) -> None:
    g = _irregular(3)
    assert is_metric(g)
    rng = np.random.default_rng(8)
    demand = snap_points(g, *rng.uniform(0, 4000, (2, 1500)), max_snap_m=80)
    fac = snap_points(g, *rng.uniform(0, 4000, (2, 60)), max_snap_m=80)
    # some facilities on the same street as demand points: the direct along-edge path counts
    fac = SnappedPoints.concat([fac, demand.subset(np.arange(0, 40, 4))])
    got = _pairs(g, demand, fac, cutoff_m)
    expected = _one_by_one(g, demand, fac, cutoff_m)
    assert len(expected) > 100
    assert got.keys() == expected.keys()
    for key, val in expected.items():
        assert got[key] == pytest.approx(val, abs=1e-9)


def test_a_network_with_a_short_cut_is_searched_whole() -> None:
    """An edge shorter than the straight line (a tunnel, a drawn shortcut): local boxes would
    miss paths through it, so the whole network is searched, as before."""
    g = grid3()
    short = g.edge_length_m.copy()
    # the edge between nodes 0 and 1 (100 m apart) counts as 10 m
    short[(g.edge_u == 0) & (g.edge_v == 1)] = 10.0
    tunnel = dataclasses.replace(g, edge_length_m=short)
    assert is_metric(g) and not is_metric(tunnel)
    demand = snap_points(tunnel, np.array([100.0, 200.0]), np.array([0.0, 0.0]), max_snap_m=5)
    fac = snap_points(tunnel, np.array([0.0]), np.array([0.0]), max_snap_m=5)
    cat = catchments(tunnel, demand, fac, cutoff_m=120.0)
    # 10 m through the short edge, then 100 m along the street: 110 m ≤ 120 m
    assert cat.dist_m.tolist() == pytest.approx([10.0, 110.0])


def test_batches_group_nearby_points_and_cover_each_once() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 10_000, (2, 3000))
    batches = spatial_batches(x, y, 300.0, 50)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(3000))
    assert max(len(b) for b in batches) <= 50
    # a batch spans at most one cell: cells are sqrt(64 / 3000) × 10 km ≈ 1.46 km wide
    span = max(max(np.ptp(x[b]), np.ptp(y[b])) for b in batches)
    assert span < 1461.0
