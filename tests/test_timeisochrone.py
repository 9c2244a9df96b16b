"""Tests for lifecircle.geo.timeisochrone: isochrones drawn in minutes of walking.

Expected reaches are derived by hand: on a grade ``g`` a walker moves at ``ratio(g) =
exp(−3.5 (|g + 0.05| − 0.05))`` times their flat-ground pace (Tobler's hiking function scaled to
flat ground), so a budget of ``t`` minutes at pace ``s`` covers ``t · 60 · s · ratio(g)`` metres
of that grade; steps take ``steps_factor`` times as long. Times run from home to the facility:
a walker below a facility on a hill walks uphill to it. The brute-force check times every
sampled home with the networkx model of tests/test_walktime.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from grids import CRS, grid_edges
from test_walktime import _brute_force_minutes, plane_dem, ratio

from lifecircle.geo.isochrone import isochrone, reachable_parts
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.snap import SnappedPoints, snap_points
from lifecircle.geo.timeisochrone import time_isochrones, time_reachable_parts
from lifecircle.geo.walktime import walk_cost


def snap(g: WalkGraph, pts: list[tuple[float, float]]) -> SnappedPoints:
    a = np.asarray(pts, dtype=float)
    return snap_points(g, a[:, 0], a[:, 1], max_snap_m=50)


def parts(g, cost, src, *, minutes: float, speed_mps: float) -> list[tuple[int, float, float]]:
    """The reachable intervals, sorted, rounded to the micrometre."""
    budget = minutes * 60.0 * speed_mps
    edge, lo, hi = time_reachable_parts(g, cost, src, budget_m=budget)
    return sorted(
        (int(e), round(float(a), 6), round(float(b), 6))
        for e, a, b in zip(edge, lo, hi, strict=True)
    )


# --------------------------------------------------------------------------- one hillside street


@pytest.mark.parametrize("west_to_east", [True, False])
def test_uphill_reach_from_a_facility_at_the_top_is_the_tobler_distance(
    west_to_east: bool,
) -> None:
    # a 200 m street rising 10 % to the east; the edge runs from node 0, west or east end
    xs = [0.0, 200.0] if west_to_east else [200.0, 0.0]
    g = WalkGraph.from_edges(xs, [0.0, 0.0], [0], [1], crs=CRS)
    cost = walk_cost(g, dem=plane_dem(lambda x, y: 300 + 0.1 * x))
    # one minute at 1.2 m/s = 72 m of flat ground; the homes below walk up a 10 % grade
    up_m = 72.0 * math.exp(-3.5 * 0.1)  # 50.737 m
    assert up_m == pytest.approx(72.0 * ratio(0.1))
    top = snap(g, [(200.0, 0.0)])
    got = parts(g, cost, top, minutes=1.0, speed_mps=1.2)
    east = (200.0 - up_m, 200.0) if west_to_east else (0.0, up_m)
    assert got == [(0, round(east[0], 6), round(east[1], 6))]
    # the facility at the bottom: the homes above walk down 10 %, as fast as on flat ground
    bottom = snap(g, [(0.0, 0.0)])
    down = parts(g, cost, bottom, minutes=1.0, speed_mps=1.2)
    west = (0.0, 72.0) if west_to_east else (128.0, 200.0)
    assert down == [(0, *west)]
    assert ratio(-0.1) == pytest.approx(1.0)
    # drawn: the band of 25 m reaches 12.5 m beyond the reachable part
    [iso] = time_isochrones(g, cost, top, minutes=[1.0], speed_mps=1.2)
    assert iso.bounds[0] == pytest.approx(200.0 - up_m - 12.5, abs=1e-6)


def test_reach_through_a_node_climbs_on_with_the_effort_left() -> None:
    # two 100 m edges up a 10 % grade, each running down from its first node (edge_u) to the
    # west; the facility at the top node
    g = WalkGraph.from_edges([200.0, 100.0, 0.0], [0.0, 0.0, 0.0], [0, 1], [1, 2], crs=CRS)
    cost = walk_cost(g, dem=plane_dem(lambda x, y: 300 + 0.1 * x))
    # 2 minutes at 1.2 m/s = 144 m of flat ground: the upper edge takes 100 / ratio(0.1)
    upper = 100.0 / ratio(0.1)  # 141.907 m
    left_m = (144.0 - upper) * ratio(0.1)  # 1.475 m of the lower edge
    got = parts(g, cost, snap(g, [(200.0, 0.0)]), minutes=2.0, speed_mps=1.2)
    assert got == [(0, 0.0, 100.0), (1, 0.0, round(left_m, 6))]


def test_a_part_of_an_edge_takes_the_efforts_of_its_own_pieces() -> None:
    # flat for 100 m, then 20 % up to 200 m: the DEM's cells centred on the 25 m cuts
    g = WalkGraph.from_edges([0.0, 200.0], [0.0, 0.0], [0], [1], crs=CRS)
    dem = plane_dem(lambda x, y: np.where(x > 100, 0.2 * (x - 100), 0.0), x0=-12.5, y0=-12.5)
    cost = walk_cost(g, dem=dem)
    # facility at the foot, a budget of 130 m: 100 m of flat, then 30 m of effort down 20 %
    speed = 1.3
    minutes = 130.0 / 60.0 / speed
    reach = 100.0 + 30.0 * ratio(-0.2)  # 121.14 m, not the linear share 200 · 130 / 241.9
    assert parts(g, cost, snap(g, [(0.0, 0.0)]), minutes=minutes, speed_mps=speed) == [
        (0, 0.0, round(reach, 6))
    ]
    # facility at the top: 130 m of effort up 20 % reach 130 · ratio(0.2) = 64.6 m down
    below = 200.0 - 130.0 * ratio(0.2)
    assert parts(g, cost, snap(g, [(200.0, 0.0)]), minutes=minutes, speed_mps=speed) == [
        (0, round(below, 6), 200.0)
    ]


def test_a_facility_inside_a_sloped_edge_reaches_both_ways() -> None:
    # a 200 m street rising 10 % to the east, a facility 20 m off it at x = 120
    g = WalkGraph.from_edges([0.0, 200.0], [0.0, 0.0], [0], [1], crs=CRS)
    cost = walk_cost(g, dem=plane_dem(lambda x, y: 300 + 0.1 * x))
    fac = snap(g, [(120.0, 20.0)])
    # 1.5 min at 1.0 m/s = 90 m; 20 m of access leg (flat): 70 m of effort left on the street
    got = parts(g, cost, fac, minutes=1.5, speed_mps=1.0)
    west = 120.0 - 70.0 * ratio(0.1)  # homes to the west walk uphill
    east = 120.0 + 70.0 * ratio(-0.1)  # homes to the east walk downhill
    assert got == [(0, round(west, 6), round(east, 6))]


# --------------------------------------------------------------------------- flat ground


def test_on_flat_ground_the_time_isochrone_is_the_distance_isochrone() -> None:
    x, y, u, v = grid_edges(5)
    g = WalkGraph.from_edges(x, y, u, v, crs=CRS)
    cost = walk_cost(g)
    for pts in (
        [(150.0, 210.0), (300.0, 100.0), (35.0, 0.0)],  # a few: the local distance search
        [(150.0, 210.0), (300.0, 100.0), (35.0, 0.0), (400.0, 330.0), (60.0, 390.0)],
    ):
        src = snap(g, pts)
        speed, minutes = 1.1, 4.0  # 264 m
        edge, lo, hi = reachable_parts(g, src, cutoff_m=264.0)
        want = sorted(
            (int(e), round(float(a), 6), round(float(b), 6))
            for e, a, b in zip(edge, lo, hi, strict=True)
        )
        assert parts(g, cost, src, minutes=minutes, speed_mps=speed) == want
        [timed] = time_isochrones(g, cost, src, minutes=[minutes], speed_mps=speed)
        by_distance = isochrone(g, src, cutoff_m=264.0)
        assert timed.area == pytest.approx(by_distance.area, rel=1e-9)
        assert shapely.symmetric_difference(timed, by_distance).area < 1e-6 * by_distance.area


def test_steps_halve_the_reach() -> None:
    # a 200 m flight of steps, flat: steps take twice the time
    g = WalkGraph.from_edges([0.0, 200.0], [0.0, 0.0], [0], [1], crs=CRS, steps=[True])
    fac = snap(g, [(0.0, 0.0)])
    # one minute at 1.0 m/s: 60 m on flat ground, 30 m up or down the steps
    assert parts(g, walk_cost(g, slope="none"), fac, minutes=1.0, speed_mps=1.0) == [(0, 0.0, 30.0)]
    plain = WalkGraph.from_edges([0.0, 200.0], [0.0, 0.0], [0], [1], crs=CRS)
    assert parts(plain, walk_cost(plain), fac, minutes=1.0, speed_mps=1.0) == [(0, 0.0, 60.0)]


def test_group_pace_elderly_five_minutes_is_240_m() -> None:
    g = WalkGraph.from_edges([0.0, 1000.0], [0.0, 0.0], [0], [1], crs=CRS)
    cost = walk_cost(g)
    fac = snap(g, [(0.0, 0.0)])
    assert parts(g, cost, fac, minutes=5.0, speed_mps=0.8) == [(0, 0.0, 240.0)]  # 0.8 · 300 s
    assert parts(g, cost, fac, minutes=5.0, speed_mps=1.2) == [(0, 0.0, 360.0)]
    five, ten = time_isochrones(g, cost, fac, minutes=[5, 10], speed_mps=0.8)
    assert five.bounds[2] == pytest.approx(252.5) and ten.bounds[2] == pytest.approx(492.5)


def test_nothing_reached_and_bad_arguments() -> None:
    g = WalkGraph.from_edges([0.0, 100.0], [0.0, 0.0], [0], [1], crs=CRS)
    cost = walk_cost(g)
    far = snap_points(g, [50.0], [500.0], max_snap_m=10)
    assert time_isochrones(g, cost, far, minutes=[15], speed_mps=1.2)[0].is_empty
    # a facility whose access leg alone takes longer than the budget reaches nothing
    off = snap_points(g, [50.0], [40.0], max_snap_m=50)
    assert time_isochrones(g, cost, off, minutes=[0.5], speed_mps=1.2)[0].is_empty  # 36 m
    assert time_isochrones(g, cost, off, minutes=[], speed_mps=1.2) == []
    with pytest.raises(ValueError, match="speed_mps"):
        time_isochrones(g, cost, off, minutes=[5], speed_mps=0.0)
    with pytest.raises(ValueError, match="minutes"):
        time_isochrones(g, cost, off, minutes=[-1], speed_mps=1.0)


# --------------------------------------------------------------------------- brute force


def test_random_hillside_parts_hold_exactly_the_homes_within_the_minutes() -> None:
    from scipy.spatial import Delaunay

    rng = np.random.default_rng(11)
    n = 50
    x = rng.uniform(0, 700, n)
    y = rng.uniform(0, 700, n)
    tri = Delaunay(np.column_stack([x, y]))
    pairs = {
        tuple(sorted((int(s[i]), int(s[(i + 1) % 3])))) for s in tri.simplices for i in range(3)
    }
    u, v = np.array(sorted(pairs)).T
    keep = rng.random(len(u)) > 0.2
    steps = rng.random(int(keep.sum())) < 0.15
    g = WalkGraph.from_edges(x, y, u[keep], v[keep], crs=CRS, steps=steps)
    dem = plane_dem(lambda x, y: 200 + 40 * np.sin(x / 170) * np.cos(y / 230) + 0.03 * y, size=50)
    cost = walk_cost(g, dem=dem)
    facilities = snap(g, list(zip(rng.uniform(0, 700, 3), rng.uniform(0, 700, 3), strict=True)))
    # homes right on the streets, 9 along every edge
    frac = np.arange(1, 10) / 10.0
    edge = np.repeat(np.arange(g.n_edges), len(frac))
    offset = np.tile(frac, g.n_edges) * g.edge_length_m[edge]
    t = offset / g.edge_length_m[edge]
    ux, uy = g.x[g.edge_u[edge]], g.y[g.edge_u[edge]]
    vx, vy = g.x[g.edge_v[edge]], g.y[g.edge_v[edge]]
    homes = SnappedPoints(
        edge=edge,
        offset_m=offset,
        access_m=np.zeros(len(edge)),
        px=ux + t * (vx - ux),
        py=uy + t * (vy - uy),
        ok=np.ones(len(edge), dtype=bool),
        component=np.zeros(len(edge), dtype=np.int64),
    )
    speed = 0.9
    ref = _brute_force_minutes(g, dem, homes, facilities, speed_mps=speed)
    for minutes in (2.0, 4.0, 7.0):
        e, lo, hi = time_reachable_parts(g, cost, facilities, budget_m=minutes * 60 * speed)
        inside = np.zeros(len(edge), dtype=bool)
        for ei, a, b in zip(e, lo, hi, strict=True):
            inside |= (edge == ei) & (offset >= a - 1e-9) & (offset <= b + 1e-9)
        clear = np.abs(ref - minutes) > 1e-9
        np.testing.assert_array_equal(inside[clear], (ref <= minutes)[clear])
        assert 0 < inside.sum() < len(edge)
