"""End-to-end: ``lifecircle demo`` writes every output of the contract, and they parse."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pyogrio
import pytest

CATEGORIES = [
    "community_service_station",
    "kindergarten",
    "nursery",
    "elderly_day_care",
    "community_health_station",
    "cultural_activity_station",
    "outdoor_fitness",
    "supermarket",
    "primary_school",
    "fresh_market",
    "sports_ground",
    "middle_school",
    "community_health_center",
    "nursing_home",
    "cultural_center",
    "street_service_center",
]
LEVELS = ("5min", "10min", "15min")


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
    assert demand.crs is not None and demand.crs.to_epsg() == 4326
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
    ]


def test_issues_csv_header(demo_out: Path) -> None:
    with (demo_out / "issues.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["layer", "row_id", "problem", "action"]
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
