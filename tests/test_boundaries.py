"""Thresholds at their exact value: a facility exactly at the catchment distance counts, a
community with exactly the upper bound of households passes, a point exactly at the snapping
distance is snapped; completeness needs every required category. Each expectation by hand."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from grids import grid3

from lifecircle.analysis.coverage import completeness_shares, coverage_shares
from lifecircle.analysis.norms import evaluate_norms
from lifecircle.analysis.profiles import load_profile
from lifecircle.analysis.supply import two_step_fca
from lifecircle.geo.reach import catchments
from lifecircle.geo.snap import snap_points

NORMS = Path(__file__).resolve().parents[1] / "data" / "norms"


def test_two_step_fca_counts_a_pair_exactly_at_the_cutoff() -> None:
    # One 800 m² station; demand 0 (100 households) exactly 300 m away, demand 1 (300
    # households) 100 m away, demand 2 (500 households) 300.5 m away. Within the 300 m cutoff:
    # 400 households, R = 800 / 400 = 2 m² per household, 200 m² per 100 households each.
    result = two_step_fca(
        supply_m2=[800.0],
        demand_households=[100.0, 300.0, 500.0],
        pair_facility=[0, 0, 0],
        pair_demand=[0, 1, 2],
        pair_dist_m=[300.0, 100.0, 300.5],
        cutoff_m=300.0,
    )
    np.testing.assert_allclose(result.facility_households, [400.0])
    np.testing.assert_allclose(result.demand_ratio_per_100hh_m2, [200.0, 200.0, 0.0])


def test_catchment_and_2sfca_on_a_graph_keep_a_demand_point_exactly_at_the_cutoff() -> None:
    # 3×3 grid of 100 m streets; the station on the junction (0, 0). Demand on junctions:
    # (200, 100) walks 300 m, exactly the cutoff; (100, 0) 100 m; (200, 200) 400 m.
    g = grid3()
    station = snap_points(g, [0.0], [0.0], max_snap_m=10)
    demand = snap_points(g, [200.0, 100.0, 200.0], [100.0, 0.0, 200.0], max_snap_m=10)
    pairs = catchments(g, demand, station, cutoff_m=300.0)
    assert pairs.demand.tolist() == [0, 1]
    np.testing.assert_allclose(pairs.dist_m, [300.0, 100.0])
    result = two_step_fca(
        supply_m2=[800.0],
        demand_households=[100.0, 300.0, 500.0],
        pair_facility=pairs.facility,
        pair_demand=pairs.demand,
        pair_dist_m=pairs.dist_m,
        cutoff_m=300.0,
    )
    # 800 m² over the 400 households within 300 m: 200 m² per 100 households
    np.testing.assert_allclose(result.demand_ratio_per_100hh_m2, [200.0, 200.0, 0.0])


def test_coverage_counts_people_exactly_at_the_threshold() -> None:
    # 30 people at 300 m, 10 at 300.5 m, 60 at 500 m: within 300 m 30 %, within 500 m 100 %
    shares = coverage_shares([[300.0], [300.5], [500.0]], [30.0, 10.0, 60.0], [300.0, 500.0])
    np.testing.assert_allclose(shares, [[0.3, 1.0]])


def test_completeness_needs_every_required_category() -> None:
    # two categories required at 300 m: point 0 (20 people) reaches both, point 1 (30) only
    # the first, point 2 (50) only the second; a third category is not required
    dist = [[100.0, 200.0, 900.0], [100.0, 900.0, 100.0], [900.0, 300.0, 100.0]]
    shares = completeness_shares(dist, [20.0, 30.0, 50.0], [[True, True, False]], [300.0])
    np.testing.assert_allclose(shares, [0.2])


def test_snapping_keeps_a_point_exactly_at_the_largest_snapping_distance() -> None:
    # the grid's south street is y = 0: points 50 m, 50.5 m and 120 m south of it
    g = grid3()
    snapped = snap_points(g, [50.0, 150.0, 100.0], [-50.0, -50.5, -120.0], max_snap_m=50.0)
    assert snapped.ok.tolist() == [True, False, False]
    np.testing.assert_allclose(snapped.access_m, [50.0, 50.5, 120.0])


def _size_case(households: list[float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(households)
    com = pd.DataFrame(
        {
            "id": [f"c{k}" for k in range(n)],
            "name": [f"社区{k}" for k in range(n)],
            "kind": ["urban"] * n,
            "households": households,
            "population": [h * 2.6 for h in households],
        }
    )
    st = pd.DataFrame(
        {
            "id": pd.Series([], dtype=object),
            "name": pd.Series([], dtype=object),
            "category": pd.Series([], dtype=object),
            "floor_area_m2": pd.Series([], dtype=float),
            "community_id": pd.Series([], dtype=object),
        }
    )
    return com, st


def test_community_size_bounds_are_inclusive() -> None:
    # the range as the norm file states it (仁寿 2018: urban communities of min–max households)
    with (NORMS / "sc-renshou-2018.toml").open("rb") as fh:
        urban = tomllib.load(fh)["checks"]["community_size"]["urban"]
    lo, hi = float(urban["min"]), float(urban["max"])
    com, st = _size_case([lo - 1, lo, (lo + hi) / 2, hi, hi + 1])
    result = evaluate_norms(com, st, profile=load_profile("sc-renshou-2018"))
    res = result.communities["community_size_result"]
    assert res.tolist() == ["failed", "passed", "passed", "passed", "failed"]
    lines = result.compliance.query("check == 'community_size'").set_index("id")
    assert lines.loc[com["id"], "shortfall"].tolist() == pytest.approx([1.0, 0, 0, 0, 1.0])
