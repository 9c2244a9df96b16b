"""Tests for lifecircle.analysis.coverage on tables small enough to check by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifecircle.analysis.coverage import (
    completeness_shares,
    compute_coverage,
    coverage_shares,
    straight_line_distances,
)
from lifecircle.analysis.profiles import load_profile

INF = np.inf


def test_coverage_shares_by_hand() -> None:
    # populations 10, 20, 30, 40; distances to one category
    dist = np.array([[100.0], [400.0], [INF], [np.nan]])
    shares = coverage_shares(dist, [10, 20, 30, 40], [300, 500, 1000])
    assert shares.shape == (1, 3)
    np.testing.assert_allclose(shares, [[0.1, 0.3, 0.3]])


def test_coverage_boundary_is_inclusive_and_zero_population_is_nan() -> None:
    assert coverage_shares([[300.0]], [5], [300])[0, 0] == 1.0
    assert np.isnan(coverage_shares([[1.0]], [0], [300])[0, 0])
    with pytest.raises(ValueError, match="population"):
        coverage_shares([[1.0], [2.0]], [1.0], [300])


def test_completeness_needs_every_required_category() -> None:
    dist = np.array([[100.0, 200.0, 900.0], [100.0, 400.0, 100.0], [350.0, 100.0, 100.0]])
    pop = [1.0, 2.0, 3.0]
    required = [[True, True, False], [False, False, True]]
    # level 1 (300 m): only point 0 reaches categories 0 and 1; level 2 (1000 m): all reach cat 2
    np.testing.assert_allclose(completeness_shares(dist, pop, required, [300, 1000]), [1 / 6, 1.0])
    # per-category distances: category 1 allowed 400 m at level 1 → points 0 and 1
    thr = [[300, 400, 300], [1000, 1000, 1000]]
    np.testing.assert_allclose(completeness_shares(dist, pop, required, thr), [0.5, 1.0])


def test_straight_line_distances() -> None:
    demand = np.array([[0.0, 0.0], [300.0, 400.0]])
    out = straight_line_distances(demand, {"kindergarten": [[0.0, 0.0]], "nursery": []})
    np.testing.assert_allclose(out["dist_m_kindergarten"], [0.0, 500.0])
    assert np.isinf(out["dist_m_nursery"]).all()


def demand_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "population": [100.0, 200.0, 300.0, 400.0, 1000.0],
            "community_id": ["a", "a", "b", "b", "b"],
            "street": ["s1", "s1", "s1", "s2", "s2"],
            "dist_m_kindergarten": [250.0, 450.0, 900.0, INF, 100.0],
            "dist_m_primary_school": [100.0, 100.0, 600.0, 100.0, 100.0],
            "counted": [True, True, True, True, False],
        },
        index=[10, 11, 12, 13, 14],
    )


def test_compute_coverage_overall_community_street() -> None:
    profile = load_profile("cn-national")
    cats = ["kindergarten", "primary_school"]
    straight = pd.DataFrame(
        {"dist_m_kindergarten": [200.0, 280.0, 450.0, 900.0, 50.0]}, index=demand_table().index
    )
    result = compute_coverage(
        demand_table(), profile=profile, categories=cats, straight_dist=straight
    )
    overall = result.overall.set_index(["category", "level"])
    # counted population 1000 (the last point is not counted)
    assert overall.loc[("kindergarten", "5min"), "network_share"] == pytest.approx(0.1)
    assert overall.loc[("kindergarten", "10min"), "network_share"] == pytest.approx(0.3)
    assert overall.loc[("kindergarten", "15min"), "network_share"] == pytest.approx(0.6)
    assert overall.loc[("kindergarten", "5min"), "population_covered"] == 100.0
    # straight line overstates: 300 people within 300 m as the crow flies
    assert overall.loc[("kindergarten", "5min"), "straight_line_share"] == pytest.approx(0.3)
    assert overall.loc[("kindergarten", "15min"), "straight_line_share"] == pytest.approx(1.0)
    assert overall["straight_line_share"].isna().sum() == 3  # no straight-line primary_school
    assert overall.loc[("primary_school", "10min"), "network_share"] == pytest.approx(0.7)
    assert overall.loc[("kindergarten", "5min"), "required"]
    assert not overall.loc[("kindergarten", "10min"), "required"]
    assert overall.loc[("primary_school", "10min"), "distance_m"] == 500.0
    assert overall.loc[("kindergarten", "5min"), "category_name"] == "幼儿园"

    com = result.by_community
    assert com.loc["a", "population"] == 300.0
    assert com.loc["b", "population"] == 700.0  # the uncounted point is left out
    assert com.loc["a", "cov_kindergarten_10min"] == pytest.approx(1.0)
    assert com.loc["b", "cov_kindergarten_15min"] == pytest.approx(300 / 700)
    street = result.by_street
    assert street.loc["s1", "cov_primary_school_5min"] == pytest.approx(0.5)
    assert street.loc["s2", "population"] == 400.0

    covered = result.covered
    assert list(covered.index) == [10, 11, 12, 13, 14]
    assert covered["cov_kindergarten_5min"].tolist() == [True, False, False, False, False]


def test_completeness_counts_missing_required_categories_as_unreachable() -> None:
    profile = load_profile("cn-national")
    result = compute_coverage(
        demand_table(), profile=profile, categories=["kindergarten", "primary_school"]
    )
    # the 10-minute level also requires fresh_market and sports_ground, absent here
    assert result.completeness["10min"] == 0.0
    assert result.by_community.loc["a", "uncovered_population_10min"] == 300.0


def test_completeness_when_every_required_category_is_present() -> None:
    profile = load_profile("cn-national")
    ten = profile.required_categories("10min")
    demand = pd.DataFrame(
        {
            "population": [10.0, 30.0],
            "community_id": ["a", "a"],
            **{f"dist_m_{c}": [100.0, 100.0] for c in ten},
        }
    )
    demand.loc[1, "dist_m_fresh_market"] = 700.0
    result = compute_coverage(demand, profile=profile, categories=ten)
    assert result.completeness["10min"] == pytest.approx(0.25)
    assert result.by_community.loc["a", "completeness_10min"] == pytest.approx(0.25)
    assert result.by_community.loc["a", "uncovered_population_10min"] == pytest.approx(30.0)
    assert result.covered["complete_10min"].tolist() == [True, False]


def test_level_distances_come_from_the_profile(tmp_path: Path) -> None:
    path = tmp_path / "wide.toml"
    path.write_text(
        'id = "wide"\nextends = "cn-national"\n[levels.5min]\ndistance_m = 500\n'
        'source = "local"\nstatus = "P"\n',
        encoding="utf-8",
    )
    wide = load_profile(path)
    result = compute_coverage(demand_table(), profile=wide, categories=["kindergarten"])
    five = result.overall.set_index("level").loc["5min"]
    assert five["distance_m"] == 500.0
    assert five["network_share"] == pytest.approx(0.3)


def test_unknown_category_is_rejected() -> None:
    with pytest.raises(ValueError, match="valid categories: community_service_station"):
        compute_coverage(demand_table(), profile=load_profile("cn-national"), categories=["spa"])
