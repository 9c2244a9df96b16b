"""End-to-end: ``lifecircle demo`` writes every output of the contract, and they parse."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pyogrio
import pytest

from lifecircle.vocab import CATEGORIES, LEVELS

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"


def test_every_output_exists(demo_out: Path) -> None:
    names = ["map.html", "report.html", "report.xlsx", "results.gpkg", "summary.json", "issues.csv"]
    for name in names:
        assert (demo_out / name).stat().st_size > 0, name
    leftovers = [p.name for p in demo_out.iterdir() if p.name.startswith(".lifecircle-tmp")]
    assert leftovers == []


def test_results_gpkg_layers_and_columns(demo_out: Path) -> None:
    gpkg = demo_out / "results.gpkg"
    layers = {name for name, _ in pyogrio.list_layers(gpkg)}
    assert {"demand", "communities", "facilities", "isochrones", "sites"} <= layers
    demand = gpd.read_file(gpkg, layer="demand")
    expected = {"id", "population", "households", "community_id", "reachable_area_per_100hh_m2"}
    expected |= {f"dist_m_{c}" for c in CATEGORIES}
    assert expected <= set(demand.columns)
    # written in the CRS the demo's communities file declares (no [output] crs in the project)
    demo_crs = pyogrio.read_info(DEMO / "communities.gpkg")["crs"]
    assert demo_crs == "EPSG:4545"
    assert demand.crs is not None and demand.crs.to_epsg() == 4545
    assert demand.geom_type.eq("Point").all()
    comm = gpd.read_file(gpkg, layer="communities")
    expected = {
        "id",
        "households",
        "population",
        "service_floor_area_m2",
        "area_per_100hh_m2",
        "area_per_100hh_required_m2",
        "area_per_100hh_pass",
        "area_per_100hh_shortfall_m2",
        "reachable_area_per_100hh_m2",
    } | {f"cov_{c}_{lv}" for c in CATEGORIES for lv in LEVELS}
    assert expected <= set(comm.columns)
    fac = gpd.read_file(gpkg, layer="facilities")
    assert {"id", "category", "floor_area_m2", "snap_dist_m", "served_households"} <= set(
        fac.columns
    )
    iso = gpd.read_file(gpkg, layer="isochrones")
    assert {"category", "level"} <= set(iso.columns)
    assert set(iso["level"]) == set(LEVELS)
    sites = gpd.read_file(gpkg, layer="sites")
    assert {
        "rank",
        "candidate_id",
        "category",
        "newly_covered_population",
        "required_floor_area_m2",
    } <= set(sites.columns)
    assert list(sites["rank"]) == list(range(1, len(sites) + 1))
    assert len(sites) == 5


def test_summary_json_keys(demo_out: Path) -> None:
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    for key in (
        "population_total",
        "coverage",
        "completeness",
        "norms",
        "siting",
        "data_issues",
        "timings_s",
    ):
        assert key in summary, key
    assert set(summary["coverage"]) == set(CATEGORIES)
    for cat in CATEGORIES:
        shares = summary["coverage"][cat]
        assert set(shares) == set(LEVELS)
        assert 0.0 <= shares["5min"] <= shares["10min"] <= shares["15min"] <= 1.0
    assert set(summary["completeness"]) == set(LEVELS)
    for check in ("area_per_100hh", "station_min_area", "community_size"):
        assert set(summary["norms"][check]) == {"passed", "failed", "not_provided"}
    for step in (
        "load_layers",
        "build_network",
        "snap",
        "reach",
        "catchments",
        "coverage",
        "norms",
        "siting",
        "isochrones",
        "scenarios",
        "map",
        "report",
        "total",
    ):
        assert summary["timings_s"][step] >= 0.0, step
    assert 150_000 <= summary["population_total"] <= 200_000


def test_report_xlsx_sheets(demo_out: Path) -> None:
    book = openpyxl.load_workbook(demo_out / "report.xlsx")
    assert book.sheetnames == [
        "summary",
        "communities",
        "facilities",
        "coverage",
        "siting",
        "issues",
        "scenarios",  # the demo project has [[scenarios]]
    ]


def test_issues_csv_header(demo_out: Path) -> None:
    with (demo_out / "issues.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["图层", "要素编号", "问题", "处理"]  # the demo is lang = "zh"
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    assert summary["data_issues"] == len(rows) - 1


def test_distances_match_coverage(demo_out: Path) -> None:
    """The community coverage columns follow from the demand distances (same 300/500/1000 m)."""
    gpkg = demo_out / "results.gpkg"
    demand = gpd.read_file(gpkg, layer="demand")
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    counted = demand[demand["counted"].astype(bool)]
    pop = counted["population"].to_numpy()
    for cat in ("kindergarten", "primary_school", "middle_school"):
        dist = counted[f"dist_m_{cat}"].to_numpy(dtype=float)
        for lv, d in zip(LEVELS, (300.0, 500.0, 1000.0), strict=True):
            share = pop[np.nan_to_num(dist, nan=np.inf) <= d].sum() / pop.sum()
            assert summary["coverage"][cat][lv] == pytest.approx(share, abs=1e-6)


def test_designed_gaps_and_failures_appear(demo_out: Path) -> None:
    """The demo's designed problems (data/demo/README.md) show in results.gpkg."""
    gpkg = demo_out / "results.gpkg"
    comm = gpd.read_file(gpkg, layer="communities").set_index("id")
    # 新城街道 (C21–C26): no elderly day care within 1 km walking
    xincheng = [f"C{i}" for i in range(21, 27)]
    assert (comm.loc[xincheng, "cov_elderly_day_care_15min"] == 0).all()
    # 滨河街道 (C13–C20), the south bank: no kindergarten within 300 m
    binhe = [f"C{i}" for i in range(13, 21)]
    assert (comm.loc[binhe, "cov_kindergarten_5min"] == 0).all()
    # 柳湾社区 C16: 520 m² for 2,600 households = 20 m² per 100 households, 260 m² short of 30
    assert comm.loc["C16", "area_per_100hh_m2"] == pytest.approx(20.0)
    assert not bool(comm.loc["C16", "area_per_100hh_pass"])
    assert comm.loc["C16", "area_per_100hh_shortfall_m2"] == pytest.approx(260.0)
    # 阳光社区 C23 has no station at all
    assert comm.loc["C23", "service_floor_area_m2"] == 0
    assert not bool(comm.loc["C23", "area_per_100hh_pass"])
    # community size: 书院社区 C05 (5,000 households) above, 观音村 C38 (250) below the range
    assert comm.loc["C05", "community_size_result"] == "failed"
    assert comm.loc["C38", "community_size_result"] == "failed"
    fac = gpd.read_file(gpkg, layer="facilities")
    stations = fac[fac["station_min_area_result"] == "failed"]
    failed = dict(zip(stations["community_id"], stations["floor_area_m2"], strict=True))
    assert failed.get("C03") == 650.0  # urban station below 800 m²
    assert failed.get("C35") == 150.0  # village station below 200 m²
    assert 900.0 in set(stations["floor_area_m2"])  # street centre below 1,000 m²
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    assert summary["norms"]["station_min_area"]["failed"] >= 3
    assert summary["norms"]["community_size"]["failed"] >= 2
    # the summary's counts are the results of the layers, counted (per community, per station)
    for check, frame in (("community_size", comm), ("station_min_area", fac)):
        results = frame[f"{check}_result"].dropna().tolist()
        assert summary["norms"][check] == {
            k: results.count(k) for k in ("passed", "failed", "not_provided")
        }, check


def test_sites_fill_the_designed_gap(demo_out: Path) -> None:
    """Siting elderly day care picks sites that newly cover people, best first."""
    sites = gpd.read_file(demo_out / "results.gpkg", layer="sites")
    gains = sites["newly_covered_population"].to_numpy()
    assert (gains > 0).all()
    assert (np.diff(gains) <= 1e-9).all()
    assert (sites["category"] == "elderly_day_care").all()
    assert (sites["required_floor_area_m2"] >= 350.0).all()


def test_demo_map_is_offline_and_small(demo_out: Path) -> None:
    html = (demo_out / "map.html").read_text(encoding="utf-8")
    assert (demo_out / "map.html").stat().st_size < 10 * 1024 * 1024
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html  # the demo inlines Leaflet


def test_english_demo_names_categories_in_english(english_demo: Path) -> None:
    from lifecircle.cli import demo_project_path

    out = english_demo
    sheet = openpyxl.load_workbook(out / "report.xlsx")["coverage"]
    rows = list(sheet.iter_rows(values_only=True))
    names = {r[0] for r in rows[1:]}  # the category's name stands in for its id
    assert "Kindergarten" in names or "kindergarten" in {str(n).lower() for n in names}
    assert not any(n == "幼儿园" for n in names)
    report = (out / "report.html").read_text(encoding="utf-8")
    methods = re.search(r'<section id="methods">(.*?)</section>', report, flags=re.S)
    assert methods is not None
    with demo_project_path().open("rb") as fh:
        demo = tomllib.load(fh)
    # the section states the network file and the largest snapping distance of the project
    assert Path(demo["network"]["path"]).name in methods.group(1)
    assert f"<td>{demo['network']['max_snap_m']:g} m</td>" in methods.group(1)  # a cell of its own


def test_demo_map_subtitle_names_the_profile_without_its_id(demo_out: Path) -> None:
    # the profile's id (an English word) stays in the report's methods section
    page = (demo_out / "map.html").read_text(encoding="utf-8")
    sub = re.search(r'<div class="lc-sub">([^<]*)</div>', page)
    assert sub is not None
    assert "演示规范" in sub.group(1) and "demo" not in sub.group(1)
