"""Tests for lifecircle.analysis.norms: hand-checkable floor-area, station and size checks."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from lifecircle.analysis.norms import (
    area_per_100hh_m2,
    assign_stations,
    evaluate_norms,
    shortfall_m2,
    station_tier,
)
from lifecircle.analysis.profiles import load_profile
from lifecircle.dataissues import IssueLog

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "profile.toml"


def one_community(floor_area_m2: float, households: float = 2400) -> tuple[pd.DataFrame, ...]:
    com = pd.DataFrame(
        {
            "id": ["c1"],
            "name": ["和平社区"],
            "kind": ["urban"],
            "households": [households],
            "population": [households * 2.62],
        }
    )
    st = pd.DataFrame(
        {
            "id": ["s1"],
            "name": ["和平社区综合服务站"],
            "category": ["community_service_station"],
            "floor_area_m2": [floor_area_m2],
            "community_id": ["c1"],
        }
    )
    return com, st


def test_area_per_100hh_and_shortfall_by_hand() -> None:
    np.testing.assert_allclose(area_per_100hh_m2([700.0, 5.0], [2400, 0]), [29.1667, np.nan], 1e-4)
    np.testing.assert_allclose(shortfall_m2([700.0, 800.0], [2400, 2400], 30.0), [20.0, 0.0])
    np.testing.assert_allclose(shortfall_m2([700.0], [2400], 31.2), [48.8])


def test_2400_households_with_700_m2_fail_30_by_20() -> None:
    com, st = one_community(700.0)
    result = evaluate_norms(com, st, profile=load_profile("cn-national"))
    row = result.communities.loc["c1"]
    assert row["service_floor_area_m2"] == 700.0
    assert row["area_per_100hh_m2"] == pytest.approx(29.1667, abs=1e-4)
    assert row["area_per_100hh_required_m2"] == 30.0
    assert row["area_per_100hh_result"] == "failed"
    assert not row["area_per_100hh_pass"]
    assert row["area_per_100hh_shortfall_m2"] == pytest.approx(20.0)
    line = result.compliance.query("check == 'area_per_100hh'").iloc[0]
    assert (line["result"], line["threshold"], line["status"]) == ("failed", 30.0, "S")
    assert line["shortfall"] == pytest.approx(20.0)
    assert "十四五" in line["source"]
    assert result.counts["area_per_100hh"] == {"passed": 0, "failed": 1, "not_provided": 0}


def test_profile_override_changes_the_verdict() -> None:
    # 740 m² for 2,400 households = 30.83 m² per 100: passes 30, fails 瓮安's 31.2
    com, st = one_community(740.0)
    national = evaluate_norms(com, st, profile=load_profile("cn-national"))
    wengan = evaluate_norms(com, st, profile=load_profile("gz-wengan-2023"))
    assert national.communities.loc["c1", "area_per_100hh_result"] == "passed"
    assert national.communities.loc["c1", "area_per_100hh_shortfall_m2"] == 0.0
    assert wengan.communities.loc["c1", "area_per_100hh_result"] == "failed"
    assert wengan.communities.loc["c1", "area_per_100hh_shortfall_m2"] == pytest.approx(8.8)
    line = wengan.compliance.query("check == 'area_per_100hh'").iloc[0]
    assert (line["threshold"], line["status"]) == (31.2, "B")


def test_exact_threshold_passes() -> None:
    com, st = one_community(720.0)
    result = evaluate_norms(com, st, profile=load_profile("cn-national"))
    assert result.communities.loc["c1", "area_per_100hh_result"] == "passed"


def test_station_tiers() -> None:
    assert station_tier("street_service_center", None) == "street_center"
    assert station_tier("community_service_station", "urban") == "urban_station"
    assert station_tier("community_service_station", "town") == "village_station"
    assert station_tier("community_service_station", "rural") == "village_station"
    assert station_tier("community_service_station", None) is None
    assert station_tier("kindergarten", "urban") is None


def county() -> tuple[pd.DataFrame, pd.DataFrame]:
    com = pd.DataFrame(
        {
            "id": ["u1", "u2", "r1", "t1", "x1"],
            "name": ["城一", "城二", "村一", "镇一", "无类"],
            "kind": ["urban", "urban", "rural", "town", None],
            "households": [3000, 4600, 1000, 650, 800],
            "population": [8000, 12000, 2600, 1700, 2000],
            "social_orgs": [12, 7, 5, np.nan, 3],
            "volunteers": [1100, 1000, 100, 400, np.nan],
        }
    )
    st = pd.DataFrame(
        {
            "id": ["su1", "su2", "sr1", "st1", "sc", "kg", "lost"],
            "name": ["城一站", "城二站", "村一站", "镇一站", "街道中心", "幼儿园", "无主站"],
            "category": [
                "community_service_station",
                "community_service_station",
                "community_service_station",
                "community_service_station",
                "street_service_center",
                "kindergarten",
                "community_service_station",
            ],
            "floor_area_m2": [950.0, 600.0, 250.0, np.nan, 1500.0, 1800.0, 400.0],
            "community_id": ["u1", "u2", "r1", "t1", "u1", "u2", None],
        }
    )
    return com, st


def test_station_minimums_by_tier() -> None:
    com, st = county()
    result = evaluate_norms(com, st, profile=load_profile("gz-wengan-2023"))
    stations = result.stations
    assert stations.loc["su1", "tier"] == "urban_station"
    assert stations.loc["su1", "station_min_area_result"] == "passed"
    assert stations.loc["su2", "station_min_area_result"] == "failed"
    assert stations.loc["sr1", "tier"] == "village_station"
    assert stations.loc["sr1", "station_min_area_m2"] == 200.0
    assert stations.loc["sr1", "station_min_area_result"] == "passed"
    assert stations.loc["st1", "station_min_area_result"] == "not_provided"  # no floor area
    assert stations.loc["sc", "tier"] == "street_center"
    assert stations.loc["sc", "station_min_area_result"] == "passed"
    assert stations.loc["lost", "station_min_area_result"] == "not_provided"  # no community
    assert stations.loc["kg", "station_min_area_result"] == "not_provided"
    assert stations.loc["kg", "facility_min_area_result"] == "failed"  # 1800 < 2200
    line = result.compliance.query("check == 'station_min_area' and id == 'su2'").iloc[0]
    assert (line["value"], line["threshold"], line["shortfall"]) == (600.0, 800.0, 200.0)
    assert result.counts["station_min_area"] == {"passed": 3, "failed": 1, "not_provided": 2}
    # the national profile has no tiers: every station is not_provided
    national = evaluate_norms(com, st, profile=load_profile("cn-national"))
    assert national.counts["station_min_area"]["not_provided"] == 6


def test_street_centres_are_not_counted_in_area_per_100hh() -> None:
    com, st = county()
    result = evaluate_norms(com, st, profile=load_profile("cn-national"))
    assert result.communities.loc["u1", "service_floor_area_m2"] == 950.0
    # a station of unknown floor area makes the community's figure unknown
    assert result.communities.loc["t1", "area_per_100hh_result"] == "not_provided"
    assert result.communities["area_per_100hh_pass"].isna().tolist() == [
        False,
        False,
        False,
        True,
        False,
    ]
    # no station at all: 0 m², failed by the whole requirement
    assert result.communities.loc["x1", "area_per_100hh_shortfall_m2"] == pytest.approx(240.0)


def test_community_size_ranges_by_kind() -> None:
    com, st = county()
    result = evaluate_norms(com, st, profile=load_profile(DEMO))
    res = result.communities["community_size_result"]
    assert res.to_dict() == {
        "u1": "passed",
        "u2": "failed",  # 4,600 households: above the urban 2000–4000
        "r1": "passed",
        "t1": "failed",  # 650 households: below the town 700–2000
        "x1": "not_provided",  # no kind
    }
    assert result.communities.loc["u2", "community_size_min"] == 2000.0
    assert result.communities.loc["u2", "community_size_max"] == 4000.0
    line = result.compliance.query("check == 'community_size' and id == 'u2'").iloc[0]
    assert (line["threshold"], line["shortfall"], line["status"]) == ("2000–4000", 600.0, "B")
    assert result.counts["community_size"] == {"passed": 2, "failed": 2, "not_provided": 1}
    national = evaluate_norms(com, st, profile=load_profile("cn-national"))
    assert national.counts["community_size"]["not_provided"] == 5


def test_organisation_and_staffing_checks() -> None:
    com, st = county()
    result = evaluate_norms(com, st, profile=load_profile("sc-renshou-2018"))
    table = result.communities
    assert table["social_orgs_result"].tolist() == [
        "passed",
        "failed",
        "passed",
        "not_provided",  # town: no figure in 仁寿, and no count
        "not_provided",  # no kind
    ]
    # volunteers ≥ 13 % of residents: 1100/8000 passes, 1000/12000 fails
    assert table.loc["u1", "volunteers_result"] == "passed"
    assert table.loc["u2", "volunteers_result"] == "failed"
    line = result.compliance.query("check == 'volunteers' and id == 'u2'").iloc[0]
    assert line["shortfall"] == pytest.approx(0.13 * 12000 - 1000)
    # the layer has no workers column: not provided everywhere
    assert set(table["workers_result"]) == {"not_provided"}
    assert set(table["activity_share_result"]) == {"not_provided"}


def test_activity_share_and_workers_when_present() -> None:
    com, st = one_community(1000.0)
    com["activity_floor_area_m2"] = [550.0]
    com["workers"] = [12]
    result = evaluate_norms(com, st, profile=load_profile("gz-wengan-2023"))
    row = result.communities.loc["c1"]
    assert row["activity_share_result"] == "failed"  # 0.55 < 0.6
    assert row["workers_result"] == "passed"  # 12 / 6288 × 10,000 = 19.1 ≥ 18


def stations_and_polygons() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    communities = gpd.GeoDataFrame(
        {"id": [1, 2]}, geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs="EPSG:32648"
    )
    stations = gpd.GeoDataFrame(
        {"id": ["a", "b", "c", "d"], "community_id": ["2", "99", None, None]},
        geometry=[Point(50, 50), Point(150, 50), Point(20, 20), Point(500, 500)],
        crs="EPSG:32648",
    )
    return stations, communities


def test_assign_stations_by_id_then_location() -> None:
    stations, communities = stations_and_polygons()
    issues = IssueLog()
    assigned = assign_stations(stations, communities, issues=issues)
    # "a" keeps its own id even though it lies in community 1; "b" has an unknown id
    assert assigned.tolist()[:3] == [2, 2, 1]
    assert pd.isna(assigned.iloc[3])
    frame = issues.to_frame()
    assert frame["row_id"].tolist() == ["b", "d"]
    assert "'99' is not in the communities layer" in frame["problem"].iloc[0]
    assert "outside every community" in frame["problem"].iloc[1]


def test_assign_stations_reprojects_communities() -> None:
    stations, communities = stations_and_polygons()
    lonlat = communities.to_crs("EPSG:4326")
    assigned = assign_stations(stations.drop(columns="community_id"), lonlat, issues=IssueLog())
    assert assigned.tolist()[:3] == [1, 2, 1]
