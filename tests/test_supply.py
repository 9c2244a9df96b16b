"""Tests for lifecircle.analysis.supply: 2SFCA by hand and against PySAL ``access``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from access import Access, weights

from lifecircle.analysis.supply import (
    community_mean,
    required_floor_area_m2,
    served_households,
    two_step_fca,
)


def test_two_step_fca_by_hand_neighbour_is_seen() -> None:
    # Station 0 (100 m²) reaches demand 0 only; station 1 (1,000 m²) reaches demands 0 and 1.
    # Demand 0 has 1,000 households, demand 1 has 1,000 households.
    result = two_step_fca(
        supply_m2=[100.0, 1000.0],
        demand_households=[1000.0, 1000.0],
        pair_facility=[0, 1, 1, 0],
        pair_demand=[0, 0, 1, 1],
        pair_dist_m=[100.0, 250.0, 200.0, 400.0],  # the last pair is beyond the cutoff
        cutoff_m=300.0,
    )
    # R0 = 100 / 1000 = 0.1 m²/hh; R1 = 1000 / 2000 = 0.5 m²/hh
    np.testing.assert_allclose(result.facility_ratio_m2_per_hh, [0.1, 0.5])
    np.testing.assert_allclose(result.facility_households, [1000.0, 2000.0])
    # demand 0 reaches both: (0.1 + 0.5) × 100 = 60 m² per 100 households; demand 1: 50
    np.testing.assert_allclose(result.demand_ratio_per_100hh_m2, [60.0, 50.0])


def test_two_step_fca_unreached_and_empty() -> None:
    result = two_step_fca(
        supply_m2=[500.0, 300.0],
        demand_households=[100.0, 50.0],
        pair_facility=[0],
        pair_demand=[0],
        pair_dist_m=[np.inf],
        cutoff_m=300.0,
    )
    np.testing.assert_array_equal(result.demand_ratio_per_100hh_m2, [0.0, 0.0])
    assert np.isnan(result.facility_ratio_m2_per_hh).all()


def test_two_step_fca_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="same length"):
        two_step_fca(
            supply_m2=[1.0],
            demand_households=[1.0],
            pair_facility=[0, 0],
            pair_demand=[0],
            pair_dist_m=[1.0],
            cutoff_m=1.0,
        )
    with pytest.raises(ValueError, match="pair_demand has indices outside"):
        two_step_fca(
            supply_m2=[1.0],
            demand_households=[1.0],
            pair_facility=[0],
            pair_demand=[3],
            pair_dist_m=[1.0],
            cutoff_m=1.0,
        )
    with pytest.raises(ValueError, match="supply_m2 must be finite"):
        two_step_fca(
            supply_m2=[-1.0],
            demand_households=[1.0],
            pair_facility=[0],
            pair_demand=[0],
            pair_dist_m=[1.0],
            cutoff_m=1.0,
        )


def access_2sfca(
    supply: np.ndarray,
    households: np.ndarray,
    pf: np.ndarray,
    pdm: np.ndarray,
    dist: np.ndarray,
    cutoff_m: float,
) -> np.ndarray:
    """PySAL access: two_stage_fca with a step weight at the cutoff, per demand point."""
    demand = pd.DataFrame({"did": np.arange(len(households)), "hh": households})
    supply_df = pd.DataFrame({"sid": np.arange(len(supply)), "area": supply})
    cost = pd.DataFrame({"origin": pdm, "dest": pf, "cost": dist})
    model = Access(
        demand_df=demand,
        demand_index="did",
        demand_value="hh",
        supply_df=supply_df,
        supply_index="sid",
        supply_value="area",
        cost_df=cost,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    out = model.two_stage_fca(
        name="fca", max_cost=cutoff_m, weight_fn=weights.step_fn({cutoff_m: 1})
    )
    values = out["fca_area"].reindex(np.arange(len(households))).fillna(0.0)
    return np.asarray(values, dtype=float)


@pytest.mark.parametrize(("seed", "cutoff_m"), [(0, 300.0), (1, 500.0), (2, 1000.0)])
def test_two_step_fca_equals_pysal_access(seed: int, cutoff_m: float) -> None:
    rng = np.random.default_rng(seed)
    n_demand, n_fac = 400, 25
    households = rng.integers(1, 800, n_demand).astype(float)
    supply = rng.uniform(50.0, 1500.0, n_fac)
    xy_d = rng.uniform(0, 3000, (n_demand, 2))
    xy_f = rng.uniform(0, 3000, (n_fac, 2))
    dist_all = np.hypot(*(xy_f[:, None, :] - xy_d[None, :, :]).transpose(2, 0, 1)) * 1.3
    pf, pdm = np.nonzero(dist_all <= 1.5 * cutoff_m)  # sparse pairs, some beyond the cutoff
    dist = dist_all[pf, pdm]
    ours = two_step_fca(
        supply_m2=supply,
        demand_households=households,
        pair_facility=pf,
        pair_demand=pdm,
        pair_dist_m=dist,
        cutoff_m=cutoff_m,
    )
    theirs = access_2sfca(supply, households, pf, pdm, dist, cutoff_m)
    assert (theirs > 0).sum() > n_demand // 4  # the comparison covers many reached points
    np.testing.assert_allclose(ours.demand_ratio_per_100hh_m2 / 100.0, theirs, rtol=0, atol=1e-9)


def test_served_households_and_required_area() -> None:
    served = served_households([0, 0, -1, 1, 1], [1200.0, 1200.0, 300.0, 500.0, 100.0], 3)
    np.testing.assert_allclose(served, [2400.0, 600.0, 0.0])
    np.testing.assert_allclose(required_floor_area_m2(served, 30.0), [720.0, 180.0, 0.0])
    with pytest.raises(ValueError, match="n_facilities"):
        served_households([3], [1.0], 3)


def test_community_mean_is_household_weighted() -> None:
    out = community_mean(
        [60.0, 20.0, 10.0, 5.0, np.nan],
        [100.0, 300.0, 0.0, 50.0, 10.0],
        ["a", "a", "b", None, "a"],
    )
    assert out["a"] == pytest.approx((60 * 100 + 20 * 300) / 400)
    assert np.isnan(out["b"])  # weights sum to 0
    assert list(out.index) == ["a", "b"]
