"""Supply and demand in space: a two-step floating catchment (2SFCA) on floor area.

Step 1: each facility j divides its floor area S_j by the households within the cutoff,
R_j = S_j / Σ_{i: d_ij ≤ cutoff} h_i. Step 2: each demand point i sums the ratios of the
facilities it reaches, A_i = Σ_{j: d_ij ≤ cutoff} R_j, reported per 100 households (m² per 100
households, comparable with the ``area_per_100hh`` norm). A community whose own station is tiny
but whose neighbour's is large is seen as such. This is Luo & Wang's 2SFCA with a step weight,
the same as PySAL ``access`` ``two_stage_fca`` with ``weights.step_fn({cutoff: 1})``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class TwoStepFCA:
    """The 2SFCA result.

    Attributes
    ----------
    demand_ratio_per_100hh_m2
        Per demand point: floor area (m²) reachable within the cutoff per 100 households; 0
        where no facility is within reach.
    facility_ratio_m2_per_hh
        Per facility: floor area (m²) per household within the cutoff; NaN where no household
        is within reach.
    facility_households
        Per facility: households within the cutoff (the 2SFCA denominator).
    """

    demand_ratio_per_100hh_m2: FloatArray
    facility_ratio_m2_per_hh: FloatArray
    facility_households: FloatArray


def two_step_fca(
    *,
    supply_m2: ArrayLike,
    demand_households: ArrayLike,
    pair_facility: ArrayLike,
    pair_demand: ArrayLike,
    pair_dist_m: ArrayLike,
    cutoff_m: float,
) -> TwoStepFCA:
    """Two-step floating catchment of floor area over sparse facility–demand pairs.

    Parameters
    ----------
    supply_m2
        Floor area of each facility (m²), shape ``(n_facilities,)``.
    demand_households
        Households at each demand point, shape ``(n_demand,)``.
    pair_facility, pair_demand, pair_dist_m
        One entry per (facility, demand point) pair: facility index, demand index and walking
        distance (m). Pairs farther than ``cutoff_m`` and non-finite distances are ignored;
        each pair should appear once.
    cutoff_m
        The catchment: a pair counts when its distance is ≤ ``cutoff_m``.

    Returns
    -------
    TwoStepFCA

    Raises
    ------
    ValueError
        When the pair arrays differ in length, an index is out of range, or a supply or
        household value is negative or not finite.

    Examples
    --------
    One 600 m² station reached by 1,000 and 1,000 households: 30 m² per 100 households each.

    >>> r = two_step_fca(supply_m2=[600.0], demand_households=[1000.0, 1000.0],
    ...                  pair_facility=[0, 0], pair_demand=[0, 1], pair_dist_m=[100.0, 250.0],
    ...                  cutoff_m=300.0)
    >>> r.demand_ratio_per_100hh_m2
    array([30., 30.])
    """
    supply = np.asarray(supply_m2, dtype=float)
    hh = np.asarray(demand_households, dtype=float)
    pf = np.asarray(pair_facility, dtype=np.int64)
    pd_ = np.asarray(pair_demand, dtype=np.int64)
    dist = np.asarray(pair_dist_m, dtype=float)
    if not (pf.shape == pd_.shape == dist.shape) or pf.ndim != 1:
        raise ValueError(
            "pair_facility, pair_demand and pair_dist_m must be 1-D arrays of the same length; "
            f"got shapes {pf.shape}, {pd_.shape}, {dist.shape}"
        )
    for name, values in (("supply_m2", supply), ("demand_households", hh)):
        if np.any(~np.isfinite(values)) or np.any(values < 0):
            raise ValueError(f"{name} must be finite and ≥ 0")
    if len(pf) and (pf.min() < 0 or pf.max() >= len(supply)):
        raise ValueError(f"pair_facility has indices outside 0..{len(supply) - 1}")
    if len(pd_) and (pd_.min() < 0 or pd_.max() >= len(hh)):
        raise ValueError(f"pair_demand has indices outside 0..{len(hh) - 1}")
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(dist) & (dist <= cutoff_m)
    pf, pd_ = pf[keep], pd_[keep]
    fac_hh = np.bincount(pf, weights=hh[pd_], minlength=len(supply)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(fac_hh > 0, supply / fac_hh, np.nan)
    # a facility with supply reached only by empty demand points gives nothing to anyone
    contrib = np.nan_to_num(ratio[pf], nan=0.0, posinf=0.0)
    demand_ratio = np.bincount(pd_, weights=contrib, minlength=len(hh)).astype(float) * 100.0
    logger.debug("2SFCA: %d of %d pairs within %.0f m", int(keep.sum()), len(keep), cutoff_m)
    return TwoStepFCA(
        demand_ratio_per_100hh_m2=demand_ratio,
        facility_ratio_m2_per_hh=ratio,
        facility_households=fac_hh,
    )


def served_households(
    nearest_facility: ArrayLike, households: ArrayLike, n_facilities: int
) -> FloatArray:
    """Return the households whose nearest facility (within the cutoff) is each facility.

    Parameters
    ----------
    nearest_facility
        Per demand point: index of its nearest facility within the cutoff, or -1 for none.
    households
        Households per demand point.
    n_facilities
        Number of facilities (length of the result).

    Returns
    -------
    ndarray, shape ``(n_facilities,)``

    Examples
    --------
    >>> served_households([0, 0, -1, 1], [10.0, 20.0, 5.0, 7.0], 3)
    array([30.,  7.,  0.])
    """
    near = np.asarray(nearest_facility, dtype=np.int64)
    hh = np.asarray(households, dtype=float)
    if near.shape != hh.shape:
        raise ValueError(f"nearest_facility {near.shape} and households {hh.shape} differ")
    if np.any(near >= n_facilities):
        raise ValueError(f"nearest_facility has indices ≥ n_facilities ({n_facilities})")
    ok = near >= 0
    return np.bincount(near[ok], weights=hh[ok], minlength=n_facilities).astype(float)


def required_floor_area_m2(households: ArrayLike, threshold_m2_per_100hh: float) -> FloatArray:
    """Return the floor area (m²) the norm asks for ``households``: threshold × households / 100.

    Examples
    --------
    >>> required_floor_area_m2([2400.0], 30.0)
    array([720.])
    """
    return np.asarray(households, dtype=float) * float(threshold_m2_per_100hh) / 100.0


def community_mean(
    values: ArrayLike, weights: ArrayLike, community_id: ArrayLike | Sequence[object]
) -> pd.Series:
    """Return the weighted mean of ``values`` per community (e.g. household-weighted 2SFCA).

    Points with a missing community id or a NaN value are left out; a community whose weights
    sum to 0 gets NaN.

    Examples
    --------
    >>> community_mean([10.0, 40.0, 5.0], [3.0, 1.0, 2.0], ["a", "a", "b"]).to_dict()
    {'a': 17.5, 'b': 5.0}
    """
    frame = pd.DataFrame(
        {
            "v": np.asarray(values, dtype=float),
            "w": np.asarray(weights, dtype=float),
            "c": np.asarray(community_id, dtype=object),
        }
    )
    frame = frame[frame["c"].notna() & frame["v"].notna()]
    frame["vw"] = frame["v"] * frame["w"]
    sums = frame.groupby("c")[["vw", "w"]].sum()
    out = sums["vw"] / sums["w"].where(sums["w"] > 0)
    out.index.name = "community_id"
    out.name = "weighted_mean"
    return out
