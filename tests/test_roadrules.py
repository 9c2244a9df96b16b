"""A road bureau's own columns: ``[network] fields`` and ``walkable`` (geo/roadrules.py)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from lifecircle.dataissues import IssueLog
from lifecircle.errors import NetworkError
from lifecircle.geo.roadlines import load_road_lines
from lifecircle.geo.roadrules import RoadRules

UTM48 = "EPSG:32648"
X0, Y0 = 776600.0, 3444300.0


def _roads(path: Path, rows: list[tuple[str, str, str, list[tuple[float, float]]]]) -> Path:
    """Lines in local metres with 道路等级 (class), 人行 (foot), 桥梁 (bridge)."""
    gpd.GeoDataFrame(
        {
            "道路等级": [r[0] for r in rows],
            "人行": [r[1] for r in rows],
            "桥梁": [r[2] for r in rows],
        },
        geometry=[shapely.LineString([(X0 + x, Y0 + y) for x, y in r[3]]) for r in rows],
        crs=UTM48,
    ).to_file(path, encoding="gbk")
    (path.with_suffix(".cpg")).unlink()  # as Chinese GIS software writes it: no .cpg
    return path


def _length_m(path: Path, rules: RoadRules, issues: IssueLog | None = None) -> float:
    graph = load_road_lines(path, crs=UTM48, rules=rules, issues=issues)
    return float(graph.edge_length_m.sum())


def test_excluded_classes_are_left_out_unless_foot_says_yes(tmp_path: Path) -> None:
    path = _roads(
        tmp_path / "道路.shp",
        [
            ("支路", "", "否", [(0, 0), (100, 0)]),  # 100 m
            ("快速路", "", "否", [(0, 50), (300, 50)]),  # 300 m, excluded
            ("高速公路", "是", "否", [(0, 80), (200, 80)]),  # 200 m, excluded but foot = yes
            ("支路", "否", "否", [(0, 120), (400, 120)]),  # 400 m, foot = no
        ],
    )
    rules = RoadRules({"class": "道路等级", "foot": "人行"}, ("高速公路", "快速路"))
    assert _length_m(path, rules) == pytest.approx(100 + 200)
    assert _length_m(path, RoadRules()) == pytest.approx(100 + 300 + 200 + 400)


def test_a_bridge_is_not_joined_to_the_road_it_crosses(tmp_path: Path) -> None:
    rows = [
        ("主干路", "", "是", [(0, 0), (200, 0)]),
        ("支路", "", "否", [(100, -100), (100, 100)]),
    ]
    path = _roads(tmp_path / "桥.shp", rows)
    crossing = load_road_lines(path, crs=UTM48)
    bridged = load_road_lines(path, crs=UTM48, rules=RoadRules({"bridge": "桥梁"}))
    assert crossing.n_nodes == 5  # the two lines meet at the crossing
    assert bridged.n_nodes == 4  # the bridge passes over
    assert len(np.unique(bridged.components())) == 2


def test_a_mapped_column_the_layer_lacks_lists_its_columns(tmp_path: Path) -> None:
    path = _roads(tmp_path / "道路.shp", [("支路", "", "否", [(0, 0), (100, 0)])])
    with pytest.raises(NetworkError, match=r"class = '等级'.*道路等级, 人行, 桥梁"):
        load_road_lines(path, crs=UTM48, rules=RoadRules({"class": "等级"}))


def test_a_misspelt_class_is_reported_with_the_one_it_looks_like(tmp_path: Path) -> None:
    path = _roads(tmp_path / "道路.shp", [("快速路", "", "否", [(0, 0), (100, 0)])])
    issues = IssueLog()
    rules = RoadRules({"class": "道路等级"}, ("快速",))
    assert _length_m(path, rules, issues) == pytest.approx(100)
    assert [i.problem for i in issues.items] == [
        "no line of 道路.shp has 道路等级 = '快速' (walkable.exclude_class); did you mean '快速路'?"
    ]
