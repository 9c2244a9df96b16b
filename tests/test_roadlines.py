"""Tests for lifecircle.geo.roadlines: noding road-line layers into a walk graph."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from lifecircle.dataissues import IssueLog
from lifecircle.errors import NetworkError
from lifecircle.geo.netload import load_network
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.roadlines import node_lines


def test_road_lines_noded_at_crossings_and_near_touches(tmp_path: Path) -> None:
    lines = [
        shapely.LineString([(0, 0), (200, 0)]),  # crosses the next line at (100, 0)
        shapely.LineString([(100, -100), (100, 100)]),
        shapely.LineString([(200, 50), (200, 149.4)]),  # ends 0.6 m short of the next line
        shapely.LineString([(150, 150), (250, 150)]),
        shapely.LineString([(0, 300), (100, 300)]),  # a separate fragment
    ]
    path = tmp_path / "roads.geojson"
    gpd.GeoDataFrame({"name": list("abcde")}, geometry=lines, crs="EPSG:32649").to_file(path)
    g = load_network(path, cache=False, crs="EPSG:32649")
    xy = {(round(float(a), 3), round(float(b), 3)) for a, b in zip(g.x, g.y, strict=True)}
    assert (100.0, 0.0) in xy  # the crossing
    assert (200.0, 149.4) in xy  # the T-end keeps its coordinates and joins the cross street
    assert (200.0, 150.0) not in xy
    # cross: 4 ends + crossing, 4 edges; T: 4 nodes, 3 edges; fragment: 2 nodes, 1 edge
    assert (g.n_nodes, g.n_edges) == (11, 8)
    assert sorted(np.bincount(g.components()).tolist()) == [2, 4, 5]
    assert g.edge_length_m.sum() == pytest.approx(
        400.0 + 99.4 + 2 * np.hypot(50.0, 0.6) + 100.0, abs=1e-6
    )


def test_road_lines_tolerance_zero_leaves_gap(tmp_path: Path) -> None:
    lines = np.array(
        [
            shapely.LineString([(200, 50), (200, 149.4)]),
            shapely.LineString([(150, 150), (250, 150)]),
        ]
    )
    # the end is 0.6 m from the other line: joined (splitting it) only when the tolerance allows
    for tolerance_m, n_components, n_edges in ((0.0, 2, 2), (0.5, 2, 2), (1.0, 1, 3)):
        x, y, u, v = node_lines(lines, snap_tolerance_m=tolerance_m)
        g = WalkGraph.from_edges(x, y, u, v, crs="EPSG:32649")
        assert g.n_nodes == 4
        assert g.n_edges == n_edges
        assert g.components().max() + 1 == n_components


def test_road_lines_respect_layer_column(tmp_path: Path) -> None:
    path = tmp_path / "bridge.gpkg"
    gpd.GeoDataFrame(
        {"layer": [None, "1"]},
        geometry=[
            shapely.LineString([(0, 0), (200, 0)]),
            shapely.LineString([(100, -100), (100, 100)]),
        ],
        crs="EPSG:32649",
    ).to_file(path)
    g = load_network(path, cache=False)
    assert (g.n_nodes, g.n_edges) == (4, 2)


def test_road_lines_shapefile_zip_and_sidecar_cache(tmp_path: Path) -> None:
    roads = gpd.GeoDataFrame(
        {"highway": ["residential", "motorway"]},
        geometry=[shapely.LineString([(0, 0), (100, 0)]), shapely.LineString([(0, 10), (100, 10)])],
        crs="EPSG:32649",
    )
    shp = tmp_path / "roads.shp"
    roads.to_file(shp)
    packed = tmp_path / "roads.zip"
    with zipfile.ZipFile(packed, "w") as z:
        for part in tmp_path.glob("roads.*"):
            if part != packed:
                z.write(part, part.name)
    cache_dir = tmp_path / "cache"
    for path in (shp, packed):
        g = load_network(path, cache_dir=cache_dir, crs="EPSG:32649")
        assert (g.n_nodes, g.n_edges) == (2, 1)  # the motorway is not walkable
        assert g.edge_length_m.sum() == pytest.approx(100.0)
    # a change in the .dbf alone (the motorway becomes a footway) must miss the cache
    roads.assign(highway=["residential", "footway"]).to_file(shp)
    g = load_network(shp, cache_dir=cache_dir, crs="EPSG:32649")
    assert (g.n_nodes, g.n_edges) == (4, 2)


def test_road_lines_without_crs_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.shp"
    gpd.GeoDataFrame(geometry=[shapely.LineString([(0, 0), (1, 1)])], crs="EPSG:32649").to_file(
        path
    )
    path.with_suffix(".prj").unlink()
    with pytest.raises(NetworkError, match="no CRS"):
        load_network(path, cache=False)


def test_road_lines_tags_multilines_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "roads.gpkg"
    gpd.GeoDataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "Highway": ["residential", "primary", "service", "footway", "residential"],
            "foot": [None, "no", None, None, None],
            "access": [None, None, "private", None, None],
        },
        geometry=[
            # two parts: an L of 100 m + 100 m and a separate 50 m piece
            shapely.MultiLineString([[(0, 0), (100, 0), (100, 100)], [(300, 0), (350, 0)]]),
            shapely.LineString([(0, 0), (0, 100)]),  # foot=no
            shapely.LineString([(100, 100), (200, 100)]),  # private
            shapely.Point(5, 5),  # not a line
            shapely.LineString(),  # empty
        ],
        crs="EPSG:32649",
    ).to_file(path)
    issues = IssueLog()
    g = load_network(path, cache=False, issues=issues, crs="EPSG:32649")
    assert (g.n_nodes, g.n_edges) == (5, 3)
    assert g.edge_length_m.sum() == pytest.approx(250.0)
    assert issues.to_frame()["row_id"].tolist() == ["3", "4"]  # the point and the empty row
    private = load_network(path, cache=False, keep_private=True, crs="EPSG:32649")
    assert (private.n_nodes, private.n_edges) == (6, 4)


def test_closed_ring_joins_at_its_start() -> None:
    ring = shapely.LineString([(0, 0), (100, 0), (100, 100), (0, 100), (0, 0)])
    x, y, u, v = node_lines(np.array([ring]), snap_tolerance_m=1.0)
    g = WalkGraph.from_edges(x, y, u, v, crs="EPSG:32649")
    assert (g.n_nodes, g.n_edges) == (4, 4)
    assert g.edge_length_m.sum() == pytest.approx(400.0)


def test_dense_vertices_of_one_line_are_not_merged() -> None:
    # vertices 0.5 m apart along one line stay separate even with a 1 m tolerance
    line = shapely.LineString([(0.5 * i, 0.0) for i in range(11)])
    x, y, u, v = node_lines(np.array([line]), snap_tolerance_m=1.0)
    g = WalkGraph.from_edges(x, y, u, v, crs="EPSG:32649")
    assert (g.n_nodes, g.n_edges) == (11, 10)
    assert g.edge_length_m.sum() == pytest.approx(5.0)
