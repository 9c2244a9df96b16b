"""Tests for lifecircle.geo.netcache: the on-disk cache of parsed walk networks."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from lifecircle.dataissues import IssueLog
from lifecircle.geo import netcache
from lifecircle.geo.network import NetworkSource, WalkGraph


def square() -> WalkGraph:
    """A 100 m square: 4 nodes, 4 edges."""
    return WalkGraph.from_edges(
        [0.0, 100.0, 100.0, 0.0],
        [0.0, 0.0, 100.0, 100.0],
        [0, 1, 2, 3],
        [1, 2, 3, 0],
        crs="EPSG:32648",
        node_id=[11, 12, 13, 14],
        label="square.osm (OSM XML)",
    )


def test_file_digest_changes_with_bytes_and_covers_every_file(tmp_path: Path) -> None:
    a = tmp_path / "a.shp"
    b = tmp_path / "a.dbf"
    a.write_bytes(b"geometry")
    b.write_bytes(b"attributes")
    first = netcache.file_digest([a, b])
    assert first == netcache.file_digest([a, b])
    assert first != netcache.file_digest([a])
    b.write_bytes(b"attributes changed")
    assert netcache.file_digest([a, b]) != first


def test_cache_key_depends_on_loader_and_options() -> None:
    key = netcache.cache_key("d", loader_version="1", options={"crs": None, "keep_private": False})
    assert key == netcache.cache_key(
        "d", loader_version="1", options={"keep_private": False, "crs": None}
    )
    assert key != netcache.cache_key(
        "d", loader_version="2", options={"crs": None, "keep_private": False}
    )
    assert key != netcache.cache_key(
        "d", loader_version="1", options={"crs": "EPSG:32648", "keep_private": False}
    )
    assert key != netcache.cache_key(
        "e", loader_version="1", options={"crs": None, "keep_private": False}
    )


def test_round_trip_keeps_arrays_and_issues(tmp_path: Path) -> None:
    graph = square()
    log = IssueLog()
    log.add("network", "7", "osm_nodes_missing", missing=1)
    log.add("network", "", "road_foot_unknown", file="路网.shp", field="步行", values="也许")
    issues = log.items
    path = netcache.write_cached(tmp_path / "c", "k1", graph, issues)
    assert path == tmp_path / "c" / "k1.npz"
    assert [p.name for p in (tmp_path / "c").iterdir()] == ["k1.npz"]  # no temp file left
    hit = netcache.read_cached(tmp_path / "c", "k1")
    assert hit is not None
    back, back_issues = hit
    for name in ("x", "y", "edge_u", "edge_v", "edge_length_m", "node_id", "indptr", "indices"):
        np.testing.assert_array_equal(getattr(back, name), getattr(graph, name))
    assert (back.crs, back.source) == (graph.crs, graph.source)
    assert back_issues == issues
    # stored as code and parameters: rendered in either language after the round trip
    assert back_issues[0].texts("zh") == (
        "道路引用了文件中缺少的 1 个节点（在数据范围边缘被截断？）",
        "连到缺少节点的路段未使用",
    )
    assert back_issues[1].problem == (
        "路网.shp: column '步行' has values that are neither yes nor no: 也许"
    )
    assert back.edge_length_m.sum() == pytest.approx(400.0)


def test_round_trip_keeps_the_network_source(tmp_path: Path) -> None:
    source = NetworkSource("square.osm", "osm_xml", "2024-05-01", osm=True, synthetic=False)
    graph = square().with_source(source)
    netcache.write_cached(tmp_path, "k", graph)
    hit = netcache.read_cached(tmp_path, "k")
    assert hit is not None
    assert hit[0].source == source
    netcache.write_cached(tmp_path, "none", graph.with_source(None))
    none = netcache.read_cached(tmp_path, "none")
    assert none is not None
    assert none[0].source is None


def test_absent_entry_is_a_miss(tmp_path: Path) -> None:
    assert netcache.read_cached(tmp_path, "nothing") is None


@pytest.mark.parametrize("damage", ["truncate", "garbage", "missing_array"])
def test_unreadable_entry_is_ignored_and_removed(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = netcache.write_cached(tmp_path, "k", square())
    assert path is not None
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "garbage":
        path.write_bytes(b"not a zip file at all")
    else:
        np.savez(path, x=np.zeros(3))
    caplog.set_level(logging.WARNING, logger="lifecircle.geo.netcache")
    assert netcache.read_cached(tmp_path, "k") is None
    assert not path.exists()
    assert any("unreadable network cache" in r.getMessage() for r in caplog.records)


def test_unwritable_folder_is_not_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="lifecircle.geo.netcache")
    assert netcache.write_cached(blocker / "networks", "k", square()) is None
    assert any("could not write network cache" in r.getMessage() for r in caplog.records)


def test_default_cache_dir_is_under_the_user_cache() -> None:
    folder = netcache.default_cache_dir()
    assert folder.name == "networks"
    assert folder.parent.name == "lifecircle"
