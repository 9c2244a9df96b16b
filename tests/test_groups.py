"""Tests for lifecircle.analysis.groups and the group-weighted time coverage of
lifecircle.analysis.coverage, on a three-community example checked by hand, and for the groups of
the norm profiles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifecircle.analysis.coverage import compute_time_coverage
from lifecircle.analysis.groups import group_population
from lifecircle.analysis.profiles import load_profile
from lifecircle.errors import ProfileError

# Three communities: A gives 300 elderly of 1,000 people, B gives no count (the assumed 20 %
# applies: 100 of 500), C gives 200 of 2,000.
COMMUNITIES = pd.DataFrame(
    {"id": ["A", "B", "C"], "population": [1000.0, 500.0, 2000.0], "elderly": [300, None, 200]}
)
# Five demand points (people, community, minutes to the nearest day-care centre), and a sixth
# that is not counted (not snapped).
POINTS = pd.DataFrame(
    {
        "population": [600.0, 400.0, 500.0, 1500.0, 500.0, 800.0],
        "community_id": ["A", "A", "B", "C", "C", "A"],
        "time_min_dc": [4.0, 12.0, 8.0, 3.0, np.inf, 1.0],
        "time_min_shop": [4.0, 12.0, 8.0, 3.0, np.inf, 1.0],
        "counted": [True, True, True, True, True, False],
    }
)


def _people() -> pd.DataFrame:
    got = group_population(
        POINTS["population"],
        POINTS["community_id"],
        COMMUNITIES,
        groups=["elderly"],
        assumed_share={"elderly": 0.2},
    )
    assert got.assumed == {"elderly": ["B"]}
    assert got.capped == {"elderly": []}
    return got.people


def test_group_population_by_hand() -> None:
    people = _people()
    # A: 30 % of 600 and 400; B: the assumed 20 % of 500; C: 10 % of 1,500 and 500
    assert people["elderly"].tolist() == pytest.approx([180, 120, 100, 150, 50, 240])
    assert people["everyone"].tolist() == POINTS["population"].tolist()


def test_three_communities_time_coverage_by_hand() -> None:
    tc = compute_time_coverage(
        POINTS,
        categories=["dc", "shop"],
        group_of={"dc": "elderly"},
        group_people=_people(),
        levels_min=[5, 10, 15],
    )
    dc = tc.overall[tc.overall["category"] == "dc"]
    # elderly within 5 min: 180 (A) + 150 (C) of 600; within 10: + 100 (B); within 15: + 120 (A)
    assert dc["time_share"].tolist() == pytest.approx([330 / 600, 430 / 600, 550 / 600])
    assert dc["group_population"].tolist() == pytest.approx([600, 600, 600])
    assert dc["group"].tolist() == ["elderly"] * 3
    assert dc["level"].tolist() == ["5min", "10min", "15min"]
    by = tc.by_community
    assert by.loc["A", ["tcov_dc_5min", "tcov_dc_10min", "tcov_dc_15min"]].tolist() == (
        pytest.approx([0.6, 0.6, 1.0])
    )
    assert by.loc["B", ["tcov_dc_5min", "tcov_dc_10min", "tcov_dc_15min"]].tolist() == (
        pytest.approx([0.0, 1.0, 1.0])
    )
    assert by.loc["C", ["tcov_dc_5min", "tcov_dc_10min", "tcov_dc_15min"]].tolist() == (
        pytest.approx([0.75, 0.75, 0.75])
    )
    # the same times weighted by every resident: 2,100 of 3,500 within 5 minutes
    shop = tc.overall[tc.overall["category"] == "shop"]
    assert shop["time_share"].tolist() == pytest.approx([2100 / 3500, 2600 / 3500, 3000 / 3500])
    assert by.loc["C", "tcov_shop_5min"] == pytest.approx(0.75)
    assert by.loc["A", "tcov_shop_5min"] == pytest.approx(0.6)


def test_a_points_own_count_wins_over_its_communitys_share() -> None:
    # A: 300 of 1,000 are elderly (30 %); B gives no count (assumed 20 %).
    # Points: A 600 (own count 90), A 400 (none: 30 % → 120), B 500 (own 50), B 100 (none: 20 %).
    got = group_population(
        [600.0, 400.0, 500.0, 100.0],
        pd.Series(["A", "A", "B", "B"]),
        COMMUNITIES,
        groups=["elderly"],
        assumed_share={"elderly": 0.2},
        point_counts={"elderly": [90.0, np.nan, 50.0, np.nan]},
    )
    assert got.people["elderly"].tolist() == pytest.approx([90.0, 120.0, 50.0, 20.0])
    assert got.assumed["elderly"] == ["B"]
    # every point of B with its own count: B is not assumed
    own = group_population(
        [500.0],
        pd.Series(["B"]),
        COMMUNITIES,
        groups=["elderly"],
        assumed_share={"elderly": 0.2},
        point_counts={"elderly": [700.0]},
    )
    assert own.people["elderly"].tolist() == [500.0]  # capped at the point's people
    assert own.assumed["elderly"] == []


def test_a_count_above_the_population_is_capped() -> None:
    comm = COMMUNITIES.assign(elderly=[1200, None, 200])
    got = group_population(
        POINTS["population"],
        POINTS["community_id"],
        comm,
        groups=["elderly"],
        assumed_share={"elderly": 0.2},
    )
    assert got.capped == {"elderly": ["A"]}
    assert got.people["elderly"].iloc[0] == pytest.approx(600.0)


def test_profiles_map_categories_to_groups() -> None:
    p = load_profile("cn-national")
    groups = {c: p.categories[c].group for c in p.categories}
    assert groups["elderly_day_care"] == groups["nursing_home"] == "elderly"
    assert groups["kindergarten"] == groups["nursery"] == "children"
    assert {
        g
        for c, g in groups.items()
        if c not in ("elderly_day_care", "nursing_home", "kindergarten", "nursery")
    } == {"everyone"}
    assert 0 < p.groups["elderly"].share < 1 and p.groups["elderly"].source
    keys = set(p.figures()["key"])
    assert {"groups.elderly.share", "groups.children.share"} <= keys
    assert load_profile("gz-wengan-2023").categories["nursery"].group == "children"


def test_profile_group_problems(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        'id = "p"\nextends = "cn-national"\n'
        '[categories.supermarket]\ngroup = "shoppers"\nsource = "x"\nstatus = "U"\n'
        '[groups.elderly]\nshare = 1.5\nsource = "x"\nstatus = "Q"\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    text = "\n".join(err.value.problems)
    assert "groups.elderly.share" in text and "groups.elderly.status" in text
    path.write_text(
        'id = "p"\nextends = "cn-national"\n'
        '[categories.supermarket]\ngroup = "shoppers"\nsource = "x"\nstatus = "U"\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError, match="unknown group 'shoppers'; valid groups: everyone"):
        load_profile(path)
