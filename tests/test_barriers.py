"""Where people may walk: China's cycleway rule, barrier nodes closed to walkers
(lifecircle.geo.barriers), and steps, as every reader records them and the cache keeps them."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pytest
import shapely
from grids import CRS
from pyproj import Transformer

from lifecircle.geo import netcache
from lifecircle.geo.barriers import close_barriers
from lifecircle.geo.compounds import apply_compounds
from lifecircle.geo.netload import load_network
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import nearest_facility
from lifecircle.geo.snap import snap_points
from lifecircle.geo.walkrules import node_closed

# a 100 m square in UTM 49N around (500000, 3300000), a spur east and a cycleway north
NODES_M = {1: (0, 0), 2: (100, 0), 3: (100, 100), 4: (0, 100), 5: (200, 0), 6: (0, 200)}
NODE_TAGS = {2: {"barrier": "gate", "access": "private"}, 3: {"barrier": "bollard"}}
WAYS = [
    (11, [1, 2, 3, 4, 1], {"highway": "residential"}),
    (12, [2, 5], {"highway": "steps"}),
    (13, [4, 6], {"highway": "cycleway"}),
]


def write_osm(path: Path, ways=WAYS, node_tags=NODE_TAGS) -> Path:
    to_ll = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", '<osm version="0.6">']
    for nid, (dx, dy) in NODES_M.items():
        lon, lat = to_ll.transform(500000.0 + dx, 3300000.0 + dy)
        tags = node_tags.get(nid, {})
        attrs = f'id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"'
        if tags:
            lines.append(f"  <node {attrs}>")
            lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
            lines.append("  </node>")
        else:
            lines.append(f"  <node {attrs}/>")
    for wid, refs, tags in ways:
        lines.append(f'  <way id="{wid}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _at(g: WalkGraph, dx: float, dy: float) -> int:
    d = np.hypot(g.x - (500000.0 + dx), g.y - (3300000.0 + dy))
    return int(np.argmin(d))


def _edge_between(g: WalkGraph, a: int, b: int) -> int:
    hit = np.flatnonzero(((g.edge_u == a) & (g.edge_v == b)) | ((g.edge_u == b) & (g.edge_v == a)))
    assert len(hit) == 1
    return int(hit[0])


@pytest.mark.parametrize(
    ("tags", "closed"),
    [
        ({"barrier": "gate", "access": "private"}, True),
        ({"barrier": "gate", "access": "no"}, True),
        ({"barrier": "bollard", "foot": "no"}, True),
        ({"barrier": "fence", "access": "private"}, True),
        ({"barrier": "lift_gate", "access": "private", "foot": "yes"}, False),
        ({"barrier": "gate", "access": "private", "foot": "designated"}, False),
        ({"barrier": "gate"}, False),
        ({"barrier": "no", "access": "private"}, False),
        ({"access": "private"}, False),
    ],
)
def test_node_closed(tags: dict[str, str], closed: bool) -> None:
    assert node_closed(tags) is closed


@pytest.mark.parametrize("fmt", ["xml", "pbf"])
def test_readers_flag_barriers_steps_and_drop_cycleways(tmp_path: Path, fmt: str) -> None:
    xml = write_osm(tmp_path / "s.osm")
    path = xml
    if fmt == "pbf":
        path = tmp_path / "s.osm.pbf"
        with osmium.SimpleWriter(str(path)) as writer:
            for obj in osmium.FileProcessor(str(xml)):
                writer.add(obj)
    g = load_network(path, cache=False)
    # the cycleway 4–6 is not walked (China), so node 6 is gone: 5 nodes, 5 edges
    assert (g.n_nodes, g.n_edges) == (5, 5)
    gate, bollard = _at(g, 100, 0), _at(g, 100, 100)
    assert g.node_barrier[gate] and not g.node_barrier[bollard]
    assert int(g.node_barrier.sum()) == 1
    steps = _edge_between(g, gate, _at(g, 200, 0))
    assert g.edge_steps.tolist() == [e == steps for e in range(g.n_edges)]


def test_a_cycleway_with_foot_yes_is_walked(tmp_path: Path) -> None:
    ways = [*WAYS[:2], (13, [4, 6], {"highway": "cycleway", "foot": "yes"})]
    g = load_network(write_osm(tmp_path / "s.osm", ways), cache=False)
    assert (g.n_nodes, g.n_edges) == (6, 6)


def test_closed_barrier_stops_walkers_and_a_gate_opens_it(tmp_path: Path) -> None:
    g = load_network(write_osm(tmp_path / "s.osm"), cache=False)
    e0, n0 = 500000.0, 3300000.0
    home = snap_points(g, [e0 + 50], [n0 - 5], max_snap_m=50)
    fac = snap_points(g, [e0 + 105], [n0 + 50], max_snap_m=50)
    spur = snap_points(g, [e0 + 150], [n0 + 2], max_snap_m=50)
    # through the gate: 50 + 50 (+ 5 + 5 access); it opens when no barrier is applied
    assert nearest_facility(g, home, fac).dist_m[0] == pytest.approx(110.0, abs=0.01)
    closed = close_barriers(g)
    assert (closed.closed, closed.opened) == (1, 0)
    assert closed.graph.n_nodes == g.n_nodes + 2  # the gate joins three streets
    assert closed.graph.n_edges == g.n_edges
    assert closed.graph.edge_length_m.sum() == pytest.approx(g.edge_length_m.sum())
    assert not closed.graph.node_barrier.any()
    assert int(closed.graph.edge_steps.sum()) == 1
    cg = closed.graph
    home_c = snap_points(cg, [e0 + 50], [n0 - 5], max_snap_m=50)
    fac_c = snap_points(cg, [e0 + 105], [n0 + 50], max_snap_m=50)
    # around the square the other way: 50 + 100 + 100 + 50 (+ 10 access)
    assert nearest_facility(cg, home_c, fac_c).dist_m[0] == pytest.approx(310.0, abs=0.01)
    # the spur beyond the gate is cut off from the square
    spur_c = snap_points(cg, [e0 + 150], [n0 + 2], max_snap_m=50)
    assert np.isinf(nearest_facility(cg, spur_c, fac_c).dist_m[0])
    assert np.isfinite(nearest_facility(g, spur, fac).dist_m[0])
    # a gate point 4 m from the barrier opens it; one 40 m away does not
    opened = close_barriers(g, open_xy=[[e0 + 103, n0 + 2.5]])
    assert (opened.closed, opened.opened) == (0, 1)
    assert opened.graph.n_nodes == g.n_nodes
    far = close_barriers(g, open_xy=[[e0 + 140, n0 + 20]])
    assert (far.closed, far.opened) == (1, 0)


def test_barriers_and_steps_survive_the_cache(tmp_path: Path) -> None:
    g = load_network(write_osm(tmp_path / "s.osm"), cache=False)
    netcache.write_cached(tmp_path / "c", "k", g)
    hit = netcache.read_cached(tmp_path / "c", "k")
    assert hit is not None
    back = hit[0]
    np.testing.assert_array_equal(back.edge_steps, g.edge_steps)
    np.testing.assert_array_equal(back.node_barrier, g.node_barrier)
    assert back.edge_steps.any() and back.node_barrier.any()


def test_from_edges_merges_a_duplicate_segment_as_steps_only_when_both_are() -> None:
    x, y = [0, 100, 200], [0, 0, 0]
    one = WalkGraph.from_edges(x, y, [0, 1, 1], [1, 2, 2], crs=CRS, steps=[True, True, False])
    assert one.edge_steps.tolist() == [True, False]
    both = WalkGraph.from_edges(x, y, [0, 1, 2], [1, 2, 1], crs=CRS, steps=[False, True, True])
    assert both.edge_steps.tolist() == [False, True]


def test_compound_rebuild_keeps_steps_on_split_pieces() -> None:
    # a street of steps along y = 0 with a compound north of it; its gate splits the street
    g = WalkGraph.from_edges(
        [0, 200, 100, 100], [0, 0, 30, 60], [0, 2], [1, 3], crs=CRS, steps=[True, False]
    )
    compound = shapely.box(50, 20, 150, 100)
    net = apply_compounds(g, [compound], [[100.0, 20.0]], [0])
    lengths = net.graph.edge_length_m
    on_street = np.isclose(net.graph.y[net.graph.edge_u], 0) & np.isclose(
        net.graph.y[net.graph.edge_v], 0
    )
    assert on_street.sum() == 2 and lengths[on_street].sum() == pytest.approx(200.0)
    assert net.graph.edge_steps[on_street].all()
    assert not net.graph.edge_steps[~on_street].any()


def test_road_lines_steps_from_highway_or_a_steps_column(tmp_path: Path) -> None:
    e0, n0 = 500000.0, 3400000.0
    lines = [
        shapely.LineString([(e0, n0), (e0 + 100, n0)]),
        shapely.LineString([(e0 + 100, n0), (e0 + 100, n0 + 80)]),
        shapely.LineString([(e0 + 100, n0 + 80), (e0, n0 + 80)]),
    ]
    gdf = gpd.GeoDataFrame({"steps": ["否", "台阶", None]}, geometry=lines, crs="EPSG:32648")
    gdf.to_file(tmp_path / "roads.gpkg", driver="GPKG")
    g = load_network(tmp_path / "roads.gpkg", cache=False, crs="EPSG:32648")
    vertical = np.isclose(g.x[g.edge_u], g.x[g.edge_v])
    assert g.edge_steps.tolist() == vertical.tolist()
    gdf.assign(highway=["residential", "residential", "steps"]).drop(columns="steps").to_file(
        tmp_path / "osm_roads.gpkg", driver="GPKG"
    )
    g2 = load_network(tmp_path / "osm_roads.gpkg", cache=False, crs="EPSG:32648")
    top = np.isclose(g2.y[g2.edge_u], n0 + 80) & np.isclose(g2.y[g2.edge_v], n0 + 80)
    assert g2.edge_steps.tolist() == top.tolist()
