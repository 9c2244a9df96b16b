"""A small, hand-made RunResults near 107.9°E 31.1°N for the map and report tests.

Four communities in a row (one named ``<script>alert(1)</script>``), a few facilities, isochrones
as buffers, uncovered demand points, two proposed sites and a street grid. Values are chosen so
they can be checked by hand: 2,400 households with 700 m² is 29.2 m² per 100 households.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point, box

from lifecircle.analysis.results import Methods, RunResults
from lifecircle.vocab import Lang

X0, Y0 = 107.9, 31.1
STEP = 0.005  # about 480 m east-west
EVIL = "<script>alert(1)</script>"
CATEGORY_NAMES = {
    "community_service_station": "社区综合服务站",
    "kindergarten": "幼儿园",
    "primary_school": "小学",
}


def _counts(results: Iterable[str]) -> dict[str, int]:
    """How many of ``results`` are passed, failed and not_provided."""
    values = list(results)
    return {k: values.count(k) for k in ("passed", "failed", "not_provided")}


def make_results(lang: Lang = "zh", *, with_sites: bool = True) -> RunResults:
    """Return the sample run (deterministic)."""
    households = np.array([2400, 1000, 3000, 500])
    floor_area = np.array([700.0, 400.0, 1200.0, 0.0])
    per100 = floor_area * 100 / households
    required = 30.0
    passed = per100 >= required
    shortfall = np.maximum(0.0, required * households / 100 - floor_area)
    communities = gpd.GeoDataFrame(
        {
            "id": ["C1", "C2", "C3", "C4"],
            "name": ["东城社区", EVIL, "西湖社区", "新村"],
            "kind": ["urban", "urban", "urban", "rural"],
            "street": ["城关镇", "城关镇", "城关镇", "城关镇"],
            "households": households,
            "population": households * 2.62,
            "service_floor_area_m2": floor_area,
            "area_per_100hh_m2": per100,
            "area_per_100hh_required_m2": required,
            "area_per_100hh_pass": passed,
            "area_per_100hh_shortfall_m2": shortfall,
            "reachable_area_per_100hh_m2": per100 * 0.9,
            "cov_kindergarten_5min": [0.8, 0.5, 0.9, 0.1],
            "cov_primary_school_10min": [1.0, 0.7, 0.95, 0.0],
            "community_size_result": ["passed", "failed", "passed", "passed"],
        },
        geometry=[
            box(X0 + i * STEP, Y0, X0 + (i + 1) * STEP - 0.0002, Y0 + 0.004) for i in range(4)
        ],
        crs="EPSG:4326",
    )
    fac_xy = [(0.002, 0.002), (0.007, 0.001), (0.012, 0.003), (0.003, 0.0035), (0.011, 0.001)]
    facilities = gpd.GeoDataFrame(
        {
            "id": ["F1", "F2", "F3", "F4", "F5"],
            "name": ["东城服务站", "二号站<b>", "西湖服务站", "阳光幼儿园", "第一小学"],
            "category": [
                "community_service_station",
                "community_service_station",
                "community_service_station",
                "kindergarten",
                "primary_school",
            ],
            "category_name": [
                "社区综合服务站",
                "社区综合服务站",
                "社区综合服务站",
                "幼儿园",
                "小学",
            ],
            "floor_area_m2": [700.0, 400.0, 1200.0, 900.0, 5000.0],
            "community_id": ["C1", "C2", "C3", "C1", "C3"],
            "snap_dist_m": [12.0, 30.5, 8.0, 20.0, 15.0],
            "served_households": [2400, 1000, 3000, 2000, 4000],
            "required_floor_area_m2": [720.0, 300.0, 900.0, np.nan, np.nan],
            "tier": ["community", "community", "community", None, None],
            "station_min_area_m2": [800.0, 800.0, 800.0, np.nan, np.nan],
            "station_min_area_result": ["failed", "failed", "passed", None, None],
        },
        geometry=[Point(X0 + dx, Y0 + dy) for dx, dy in fac_xy],
        crs="EPSG:4326",
    )
    iso_rows = []
    for cat, (dx, dy) in [("kindergarten", fac_xy[3]), ("primary_school", fac_xy[4])]:
        for level, r in [("5min", 0.003), ("10min", 0.005), ("15min", 0.009)]:
            iso_rows.append((cat, level, Point(X0 + dx, Y0 + dy).buffer(r, 16)))
    isochrones = gpd.GeoDataFrame(
        {"category": [r[0] for r in iso_rows], "level": [r[1] for r in iso_rows]},
        geometry=[r[2] for r in iso_rows],
        crs="EPSG:4326",
    )
    rng = np.random.default_rng(6)
    pts = [Point(X0 + 0.015 + rng.uniform(0, 0.004), Y0 + rng.uniform(0, 0.004)) for _ in range(6)]
    uncovered = gpd.GeoDataFrame(
        {
            "population": [120.0, 80.0, 40.0, 200.0, 60.0, 90.0] * 2,
            "category": ["kindergarten"] * 6 + ["primary_school"] * 6,
            "level": ["5min"] * 6 + ["10min"] * 6,
        },
        geometry=pts + pts,
        crs="EPSG:4326",
    )
    site_pts = [Point(X0 + 0.017, Y0 + 0.002), Point(X0 + 0.008, Y0 + 0.0035)]
    sites = gpd.GeoDataFrame(
        {
            "rank": [1, 2],
            "candidate_id": ["S7", "S2"],
            "category": ["kindergarten", "kindergarten"],
            "newly_covered_population": [590.0, 210.0],
            "required_floor_area_m2": [850.0, 300.0],
        },
        geometry=site_pts,
        crs="EPSG:4326",
    )
    catchments = gpd.GeoDataFrame(
        {"rank": [1, 2], "category": ["kindergarten", "kindergarten"]},
        geometry=[p.buffer(0.003, 12) for p in site_pts],
        crs="EPSG:4326",
    )
    if not with_sites:
        sites, catchments = sites.iloc[0:0], catchments.iloc[0:0]
    lines = [LineString([(X0, Y0 + j * 0.001), (X0 + 0.02, Y0 + j * 0.001)]) for j in range(5)]
    lines += [LineString([(X0 + i * 0.0025, Y0), (X0 + i * 0.0025, Y0 + 0.004)]) for i in range(9)]
    streets = gpd.GeoDataFrame({"highway": ["residential"] * len(lines)}, geometry=lines, crs=4326)
    demand = gpd.GeoDataFrame(
        {
            "id": ["D1", "D2"],
            "population": [100.0, 50.0],
            "households": [38, 19],
            "community_id": ["C1", "C2"],
            "dist_m_kindergarten": [120.0, np.nan],
            "reachable_area_per_100hh_m2": [27.0, 36.0],
        },
        geometry=[Point(X0 + 0.001, Y0 + 0.001), Point(X0 + 0.006, Y0 + 0.001)],
        crs="EPSG:4326",
    )
    compliance_rows = []
    for i in range(4):
        compliance_rows.append(
            (
                "community",
                communities["id"][i],
                communities["name"][i],
                "area_per_100hh",
                float(per100[i]),
                required,
                "m2_per_100hh",
                "passed" if passed[i] else "failed",
                float(shortfall[i]),
                "GB 50180-2018 附录B",
                "P",
            )
        )
    for i in range(3):
        compliance_rows.append(
            (
                "station",
                facilities["id"][i],
                facilities["name"][i],
                "station_min_area",
                float(facilities["floor_area_m2"][i]),
                800.0,
                "m2",
                facilities["station_min_area_result"][i],
                max(0.0, 800.0 - float(facilities["floor_area_m2"][i])),
                "瓮安县城乡社区综合服务设施建设标准 (2023)",
                "U",
            )
        )
    compliance = pd.DataFrame(
        compliance_rows,
        columns=[
            "subject",
            "id",
            "name",
            "check",
            "value",
            "threshold",
            "unit",
            "result",
            "shortfall",
            "source",
            "status",
        ],
    )
    coverage = pd.DataFrame(
        {
            "category": ["kindergarten"] * 3 + ["primary_school"] * 3,
            "category_name": ["幼儿园"] * 3 + ["小学"] * 3,
            "level": ["5min", "10min", "15min"] * 2,
            "distance_m": [300.0, 500.0, 1000.0] * 2,
            "network_share": [0.62, 0.81, 0.97, 0.35, 0.74, 0.93],
            "straight_line_share": [0.75, 0.9, 1.0, 0.5, 0.85, 1.0],
            "population_covered": [11000.0, 14300.0, 17100.0, 6200.0, 13000.0, 16400.0],
            "required": [True, False, False, False, True, False],
        }
    )
    figures = pd.DataFrame(
        {
            "key": ["area_per_100hh", "station_min_area.community", "level.5min"],
            "label": ["每百户建筑面积", "城市社区服务站最小面积", "5分钟生活圈步行距离"],
            "value": [30.0, 800.0, 300.0],
            "unit": ["m2_per_100hh", "m2", "m"],
            "source": ["GB 50180-2018 附录B", "瓮安 2023 第十二条", "GB 50180-2018 表3.0.4"],
            "status": ["P", "U", "P"],
        }
    )
    issues = pd.DataFrame(
        {
            "layer": ["facilities", "communities"],
            "row_id": ["F9", "C2"],
            "problem": ["坐标距路网 450 m <img src=x onerror=alert(2)>", "户数为空"],
            "action": ["未参与计算", "按面积估算"],
        }
    )
    methods = Methods(
        network_source="streets.osm (OSM XML)",
        network_date="2024-05-01",
        n_nodes=1234,
        n_edges=1800,
        metric_crs="EPSG:32648",
        max_snap_m=300.0,
        level_distances_m={"5min": 300.0, "10min": 500.0, "15min": 1000.0},
        walk_speed_m_per_min=70.0,
        profile_id="cn-national",
        profile_name="国家标准 GB 50180-2018",
    )
    return RunResults(
        project_name="示例县城",
        lang=lang,
        communities=communities,
        facilities=facilities,
        demand=demand,
        isochrones=isochrones,
        sites=sites,
        site_catchments=catchments,
        streets=streets,
        uncovered=uncovered,
        compliance=compliance,
        coverage=coverage,
        figures=figures,
        issues=issues,
        methods=methods,
        population_total=float(communities["population"].sum()),
        completeness={"5min": 0.3, "10min": 0.6, "15min": 0.9},
        norm_counts={  # counted from the frames above, so that they agree with them
            "area_per_100hh": _counts(np.where(passed, "passed", "failed")),
            "station_min_area": _counts(facilities["station_min_area_result"].dropna()),
            "community_size": _counts(communities["community_size_result"]),
        },
        timings_s={"total": 1.5},
    )


def build_sample_map(results: RunResults, **options: object) -> object:
    """Call build_map with the frames of ``results`` (options override the defaults)."""
    from lifecircle.maps.webmap import build_map

    kwargs: dict[str, object] = {
        "communities": results.communities,
        "facilities": results.facilities,
        "isochrones": results.isochrones,
        "uncovered": results.uncovered,
        "sites": results.sites,
        "site_catchments": results.site_catchments,
        "streets": results.streets,
        "title": results.project_name,
        "subtitle": results.methods.profile_name,
        "lang": results.lang,
        "threshold_m2_per_100hh": 30.0,
        "category_names": CATEGORY_NAMES,
        "attribution": "© OpenStreetMap contributors (ODbL)",
    }
    kwargs.update(options)
    return build_map(**kwargs)  # type: ignore[arg-type]
