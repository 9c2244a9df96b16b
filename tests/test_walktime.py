"""Tests for lifecircle.geo.walktime, geo.dem and the walking-time pass of geo.reach.

Expected times are derived by hand from Tobler's hiking function: on a grade ``g`` a walker
moves at ``exp(−3.5 (|g + 0.05| − 0.05))`` times their flat-ground pace, so ``L`` metres take
``L / (speed · ratio)`` seconds. A brute-force check builds its own directed graph in networkx,
with every edge cut at the same 25 m pieces and every point inserted as a node, and elevations
interpolated by scipy's ``RegularGridInterpolator`` (an independent bilinear interpolation).
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from grids import CRS, grid_edges
from pyproj import Transformer
from scipy.interpolate import RegularGridInterpolator

from lifecircle.errors import LayerError
from lifecircle.geo.dem import Dem, read_dem, sample_dem
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import nearest_facility, nearest_facility_time
from lifecircle.geo.snap import SnappedPoints, snap_points
from lifecircle.geo.walktime import tobler_ratio, walk_cost


def ratio(grade: float) -> float:
    """Tobler's speed on ``grade`` over its speed on flat ground, written out by hand."""
    return (6 * math.exp(-3.5 * abs(grade + 0.05))) / (6 * math.exp(-3.5 * 0.05))


def plane_dem(
    fn, x0: float = -100.0, y0: float = -100.0, size: int = 60, cell: float = 25.0
) -> Dem:
    """A DEM in the graph's CRS with cell centres on a 25 m lattice, values ``fn(x, y)``."""
    xc = x0 + cell * (np.arange(size) + 0.5)
    yc = y0 + cell * size - cell * (np.arange(size) + 0.5)
    gx, gy = np.meshgrid(xc, yc)
    return Dem(fn(gx, gy).astype(float), (cell, 0.0, x0, 0.0, -cell, y0 + cell * size), CRS, "t")


def snap(g: WalkGraph, pts: list[tuple[float, float]]) -> SnappedPoints:
    a = np.asarray(pts, dtype=float)
    return snap_points(g, a[:, 0], a[:, 1], max_snap_m=50)


def minutes(g: WalkGraph, cost, home, fac, speed_mps: float = 1.2) -> float:
    got = nearest_facility_time(g, cost, snap(g, [home]), snap(g, [fac]), speed_mps=speed_mps)
    return float(got.time_min[0])


# --------------------------------------------------------------------------- Tobler


def test_tobler_ratio_matches_the_hiking_function() -> None:
    for g in (-0.3, -0.1, -0.05, 0.0, 0.05, 0.12, 0.4):
        assert float(tobler_ratio(g)) == pytest.approx(ratio(g), rel=1e-12)
    assert float(tobler_ratio(0.0)) == 1.0
    # fastest on a gentle downhill (−5 %): 6 km/h against 5.04 km/h on flat ground
    assert float(tobler_ratio(-0.05)) == pytest.approx(6 / 5.0369, rel=1e-4)


# --------------------------------------------------------------------------- one edge


def test_single_uphill_edge_both_ways() -> None:
    # 100 m east, the ground rising 10 m: uphill grade 0.1 one way, downhill −0.1 the other
    g = WalkGraph.from_edges([0, 100], [0, 0], [0], [1], crs=CRS)
    cost = walk_cost(g, dem=plane_dem(lambda x, y: 300 + 0.1 * x))
    up_s = 100 / (1.2 * ratio(0.1))  # 118.26 s
    down_s = 100 / (1.2 * ratio(-0.1))  # |−0.1 + 0.05| = 0.05: as fast as flat, 83.33 s
    assert minutes(g, cost, (0, 0), (100, 0)) == pytest.approx(up_s / 60, rel=1e-9)
    assert minutes(g, cost, (100, 0), (0, 0)) == pytest.approx(down_s / 60, rel=1e-9)
    assert up_s == pytest.approx(118.26, abs=0.01) and down_s == pytest.approx(83.33, abs=0.01)


def test_flat_ground_time_is_distance_over_pace() -> None:
    g = WalkGraph.from_edges([0, 100, 200], [0, 0, 50], [0, 1], [1, 2], crs=CRS)
    for cost in (walk_cost(g), walk_cost(g, dem=plane_dem(lambda x, y: 0 * x + 412.0))):
        d = nearest_facility(g, snap(g, [(10, 5)]), snap(g, [(150, 25)])).dist_m[0]
        assert minutes(g, cost, (10, 5), (150, 25)) == pytest.approx(d / 1.2 / 60, rel=1e-12)


def test_steps_multiply_the_time_after_the_slope() -> None:
    # a 60 m flight of steps: twice the time on flat ground, with or without a slope model
    g = WalkGraph.from_edges([0, 60], [0, 0], [0], [1], crs=CRS, steps=[True])
    flat_s = 2.0 * 60 / 1.2  # 100 s
    assert minutes(g, walk_cost(g, slope="none"), (0, 0), (60, 0)) == pytest.approx(flat_s / 60)
    assert minutes(g, walk_cost(g), (0, 0), (60, 0)) == pytest.approx(flat_s / 60)
    three = walk_cost(g, slope="none", steps_factor=3.0)
    assert minutes(g, three, (0, 0), (60, 0)) == pytest.approx(3 * 60 / 1.2 / 60)
    # up a 20 % flight: the slope first, then the steps factor
    sloped = walk_cost(g, dem=plane_dem(lambda x, y: 0.2 * x))
    up_s = 2.0 * 60 / (1.2 * ratio(0.2))
    down_s = 2.0 * 60 / (1.2 * ratio(-0.2))
    assert minutes(g, sloped, (0, 0), (60, 0)) == pytest.approx(up_s / 60, rel=1e-9)
    assert minutes(g, sloped, (60, 0), (0, 0)) == pytest.approx(down_s / 60, rel=1e-9)


def test_partial_edge_takes_the_time_of_its_own_part() -> None:
    # flat for 50 m, then 20 % up: cut at 25 m, the elevations at the cell centres 0, 25 … 100
    g = WalkGraph.from_edges([0, 100], [0, 0], [0], [1], crs=CRS)
    dem = plane_dem(lambda x, y: np.where(x > 50, 0.2 * (x - 50), 0.0), x0=-12.5, y0=-12.5)
    cost = walk_cost(g, dem=dem)
    steep = 1 / ratio(0.2)
    assert float(cost.fwd_m[0]) == pytest.approx(50 + 50 * steep, rel=1e-12)
    # the midpoint is reached from the west end over flat ground only: 50 m, not half the edge
    to_mid, back = cost.along(g, [0, 0], [50.0, 62.5])
    assert to_mid.tolist() == pytest.approx([50.0, 50 + 12.5 * steep], rel=1e-12)
    assert back.tolist() == pytest.approx([50.0, 50 + 12.5 / ratio(-0.2)], rel=1e-12)
    # a home at 62.5 m walking west to a facility at 0 m, and one at 0 m walking east to 75 m
    assert minutes(g, cost, (62.5, 0), (0, 0)) == pytest.approx(
        (50 + 12.5 / ratio(-0.2)) / 1.2 / 60, rel=1e-12
    )
    assert minutes(g, cost, (0, 0), (75, 0)) == pytest.approx(
        (50 + 25 * steep) / 1.2 / 60, rel=1e-12
    )


# --------------------------------------------------------------------------- inclined plane


def test_grid_on_an_inclined_plane_has_the_closed_form_time() -> None:
    # 5 × 5 grid of 100 m streets on a plane rising 8 % to the north. A step east or west is
    # flat; north is uphill (100 / ratio(0.08) m of flat ground), south downhill (100 / ratio(−
    # 0.08)); every monotone path is shortest, so the effort from (c, r) to the facility at
    # (2, 2) is 100·|c − 2| plus the vertical steps' efforts.
    x, y, u, v = grid_edges(5)
    g = WalkGraph.from_edges(x, y, u, v, crs=CRS)
    cost = walk_cost(g, dem=plane_dem(lambda x, y: 500 + 0.08 * y))
    north, south = 100 / ratio(0.08), 100 / ratio(-0.08)
    homes = [(c * 100.0, r * 100.0) for r in range(5) for c in range(5)]
    got = nearest_facility_time(g, cost, snap(g, homes), snap(g, [(200.0, 200.0)]), speed_mps=0.8)
    expected = [
        100 * abs(c - 2) + (north * (2 - r) if r < 2 else south * (r - 2))
        for r in range(5)
        for c in range(5)
    ]
    np.testing.assert_allclose(got.time_min, np.array(expected) / 0.8 / 60, rtol=1e-12)
    # homes halfway along vertical streets: half a step up (or down) more
    mids = nearest_facility_time(
        g, cost, snap(g, [(0.0, 50.0), (400.0, 350.0)]), snap(g, [(200.0, 200.0)]), speed_mps=1.2
    )
    np.testing.assert_allclose(
        mids.time_min,
        np.array([200 + north * 1.5, 200 + south * 1.5]) / 1.2 / 60,
        rtol=1e-12,
    )


def test_group_speeds_scale_the_same_efforts() -> None:
    x, y, u, v = grid_edges(3)
    g = WalkGraph.from_edges(x, y, u, v, crs=CRS)
    cost = walk_cost(g, dem=plane_dem(lambda x, y: 0.05 * x + 0.02 * y))
    home, fac = (200.0, 200.0), (0.0, 0.0)
    adult = minutes(g, cost, home, fac, speed_mps=1.2)
    elderly = minutes(g, cost, home, fac, speed_mps=0.8)
    assert elderly == pytest.approx(adult * 1.2 / 0.8, rel=1e-12)
    # on flat ground, 100 m at the elderly pace of 0.8 m/s takes 125 s
    flat = WalkGraph.from_edges([0, 100], [0, 0], [0], [1], crs=CRS)
    assert minutes(flat, walk_cost(flat), (0, 0), (100, 0), 0.8) == pytest.approx(125 / 60)


def test_cutoff_and_unreachable() -> None:
    g = WalkGraph.from_edges([0, 100, 500, 600], [0, 0, 0, 0], [0, 2], [1, 3], crs=CRS)
    cost = walk_cost(g)
    got = nearest_facility_time(
        g,
        cost,
        snap(g, [(550, 0), (90, 0), (0, 0)]),
        snap(g, [(0, 0)]),
        speed_mps=1.0,
        cutoff_min=1,
    )
    assert np.isinf(got.time_min[0]) and got.facility[0] == -1  # on another fragment
    assert np.isinf(got.time_min[1])  # 90 s > 1 min
    assert got.time_min[2] == 0.0 and got.facility[2] == 0
    with pytest.raises(ValueError, match="speed_mps"):
        nearest_facility_time(g, cost, snap(g, [(0, 0)]), snap(g, [(0, 0)]), speed_mps=0)


# --------------------------------------------------------------------------- brute force


def _brute_force_minutes(
    g: WalkGraph,
    dem: Dem,
    demand: SnappedPoints,
    facilities: SnappedPoints,
    *,
    speed_mps: float,
    steps_factor: float = 2.0,
) -> np.ndarray:
    """Home → nearest facility minutes on a networkx DiGraph of 25 m pieces with the points
    inserted as nodes; elevations by scipy's linear grid interpolation."""
    a, _, c, _, e, f = dem.transform
    n_rows, n_cols = dem.elevation_m.shape
    xc = c + a * (np.arange(n_cols) + 0.5)
    yc = f + e * (np.arange(n_rows) + 0.5)
    interp = RegularGridInterpolator((yc[::-1], xc), dem.elevation_m[::-1], method="linear")
    G = nx.DiGraph()
    cuts: dict[int, list[tuple[float, object]]] = {}
    for e_ in range(g.n_edges):
        length = g.edge_length_m[e_]
        k = max(math.ceil(length / 25.0), 1)
        cuts[e_] = [(length * j / k, ("cut", e_, j)) for j in range(1, k)]
    for name, pts in (("d", demand), ("f", facilities)):
        for i in np.flatnonzero(pts.ok):
            cuts[int(pts.edge[i])].append((float(pts.offset_m[i]), (name, int(i))))
            G.add_edge((name, int(i)), (name, "leg", int(i)), w=float(pts.access_m[i]))
            G.add_edge((name, "leg", int(i)), (name, int(i)), w=float(pts.access_m[i]))
    for e_, items in cuts.items():
        u, v = int(g.edge_u[e_]), int(g.edge_v[e_])
        length = g.edge_length_m[e_]
        k = max(math.ceil(length / 25.0), 1)
        hx = [g.x[u] + (g.x[v] - g.x[u]) * j / k for j in range(k + 1)]
        hy = [g.y[u] + (g.y[v] - g.y[u]) * j / k for j in range(k + 1)]
        h = interp(np.column_stack([hy, hx]))
        items.sort(key=lambda t: (t[0], 0 if t[1][0] == "cut" else 1))
        nodes = [("node", u)] + [n for _, n in items] + [("node", v)]
        pos = [0.0] + [t for t, _ in items] + [float(length)]
        factor = steps_factor if g.edge_steps[e_] else 1.0
        for p0, p1, n0, n1 in zip(pos[:-1], pos[1:], nodes[:-1], nodes[1:], strict=True):
            piece = min(int((p0 + p1) / 2 / (length / k)), k - 1)
            grade = (h[piece + 1] - h[piece]) / (length / k)
            seg = p1 - p0
            G.add_edge(n0, n1, w=factor * seg / ratio(grade))
            G.add_edge(n1, n0, w=factor * seg / ratio(-grade))
    targets = [("f", "leg", int(i)) for i in np.flatnonzero(facilities.ok)]
    dist = nx.multi_source_dijkstra_path_length(G.reverse(copy=True), targets, weight="w")
    out = np.full(len(demand), np.inf)
    for i in np.flatnonzero(demand.ok):
        out[i] = dist.get(("d", "leg", int(i)), np.inf)
    return out / speed_mps / 60


def test_random_graph_on_a_hillside_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    n = 60
    x = rng.uniform(0, 800, n)
    y = rng.uniform(0, 800, n)
    from scipy.spatial import Delaunay

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
    demand = snap(g, list(zip(rng.uniform(0, 800, 150), rng.uniform(0, 800, 150), strict=True)))
    facilities = snap(g, list(zip(rng.uniform(0, 800, 4), rng.uniform(0, 800, 4), strict=True)))
    got = nearest_facility_time(g, cost, demand, facilities, speed_mps=0.9)
    ref = _brute_force_minutes(g, dem, demand, facilities, speed_mps=0.9)
    np.testing.assert_allclose(got.time_min, ref, rtol=1e-9)
    assert np.isfinite(ref).sum() > 100


# --------------------------------------------------------------------------- the DEM


def test_edges_off_the_dem_are_walked_flat_and_flagged() -> None:
    # the DEM covers x ∈ [−100, 150]; the edge 100 → 300 leaves it, 300 → 400 is outside
    g = WalkGraph.from_edges([0, 100, 300, 400], [0, 0, 0, 0], [0, 1, 2], [1, 2, 3], crs=CRS)
    dem = plane_dem(lambda x, y: 0.1 * x, size=10)
    cost = walk_cost(g, dem=dem)
    assert cost.flat.tolist() == [False, True, True]
    assert float(cost.fwd_m[1]) == float(cost.bwd_m[1]) == 200.0
    assert float(cost.fwd_m[0]) == pytest.approx(100 / ratio(0.1))
    expected = (100 / ratio(0.1) + 300) / 1.2 / 60
    assert minutes(g, cost, (0, 0), (400, 0)) == pytest.approx(expected, rel=1e-12)


def test_nodata_cells_make_an_edge_flat() -> None:
    dem = plane_dem(lambda x, y: 0.1 * x, size=20)
    z = dem.elevation_m.copy()
    z[:, 8] = np.nan  # the column of cells x ∈ [100, 125]
    holed = Dem(z, dem.transform, dem.crs, "holed")
    g = WalkGraph.from_edges([0, 50, 150, 250], [0, 0, 0, 0], [0, 1, 2], [1, 2, 3], crs=CRS)
    cost = walk_cost(g, dem=holed)
    assert cost.flat.tolist() == [False, True, False]
    assert float(cost.fwd_m[1]) == 100.0


def test_dem_in_lon_lat_serves_a_utm_network(tmp_path: Path) -> None:
    # an SRTM-like GeoTIFF in EPSG:4326 (0.0001° cells) whose elevation rises 10 % eastwards
    # in UTM 48N metres; the network is in UTM 48N
    import rasterio
    from rasterio.transform import Affine

    to_utm = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
    lon0, lat0, step = 107.895, 31.105, 0.0001
    lons = lon0 + step * (np.arange(120) + 0.5)
    lats = lat0 - step * (np.arange(120) + 0.5)
    glon, glat = np.meshgrid(lons, lats)
    e, _ = to_utm.transform(glon, glat)
    e0, n0 = to_utm.transform(107.9, 31.1)
    z = (300 + 0.1 * (e - e0)).astype("float32")
    z[0, 0] = -9999  # a nodata cell far from the streets
    path = tmp_path / "dem.tif"
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=120,
        height=120,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=Affine(step, 0.0, lon0, 0.0, -step, lat0),
        nodata=-9999,
    ) as dst:
        dst.write(z, 1)
    g = WalkGraph.from_edges([e0, e0 + 100, e0 + 100], [n0, n0, n0 + 80], [0, 1], [1, 2], crs=CRS)
    dem = read_dem(path, bounds=(e0 - 10, n0 - 10, e0 + 110, n0 + 90), bounds_crs=CRS)
    assert dem.elevation_m.shape[0] < 120  # only the window around the streets is read
    assert np.isnan(read_dem(path).elevation_m[0, 0])
    h = sample_dem(dem, [e0, e0 + 100], [n0, n0], crs=CRS)
    np.testing.assert_allclose(h, [300.0, 310.0], atol=0.02)
    cost = walk_cost(g, dem=dem)
    assert not cost.flat.any()
    # east 100 m up 10 %, then north 80 m on the level
    expected = (100 / ratio(0.1) + 80) / 1.2 / 60
    got = minutes(g, cost, (e0, n0), (e0 + 100, n0 + 80))
    assert got == pytest.approx(expected, rel=2e-3)
    back = minutes(g, cost, (e0 + 100, n0 + 80), (e0, n0))
    assert back == pytest.approx((100 / ratio(-0.1) + 80) / 1.2 / 60, rel=2e-3)


def test_read_dem_problems(tmp_path: Path) -> None:
    with pytest.raises(LayerError, match="DEM file not found"):
        read_dem(tmp_path / "none.tif")
    bad = tmp_path / "bad.tif"
    bad.write_text("not a raster", encoding="utf-8")
    with pytest.raises(LayerError, match="cannot read it"):
        read_dem(bad)


def test_sample_dem_by_hand() -> None:
    # four cells of 1 m: centres (0.5, 1.5) = 10, (1.5, 1.5) = 20, (0.5, 0.5) = 30, (1.5, 0.5) = 40
    dem = Dem(np.array([[10.0, 20.0], [30.0, 40.0]]), (1, 0, 0, 0, -1, 2), CRS, "t")
    got = sample_dem(dem, [1.0, 0.5, 1.25, 0.1, 2.5], [1.0, 1.5, 0.75, 1.9, 1.0], crs=CRS)
    np.testing.assert_allclose(got[:4], [25.0, 10.0, 32.5, 10.0])
    assert np.isnan(got[4])  # outside the raster
