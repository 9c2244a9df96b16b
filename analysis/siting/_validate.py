"""Checks of the siting input: sparse pairs, capacities and site counts.

Each check appends what is wrong, in words a planner can act on, to a list of problems; the
:class:`~lifecircle.errors.InputError` names them all at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifecircle.analysis.siting._arrays import FloatArray, IntArray
from lifecircle.errors import InputError


def raise_problems(problems: list[str]) -> None:
    """Raise an :class:`InputError` naming every problem found, if any."""
    if problems:
        raise InputError("invalid siting input:\n" + "\n".join(problems), problems)


@dataclass(frozen=True)
class Pairs:
    """Checked pairs without duplicates, and the weight per demand point."""

    candidate: IntArray
    demand: IntArray
    dist_m: FloatArray | None
    weight: FloatArray
    n_candidates: int


def _as_1d(name: str, value: ArrayLike, problems: list[str], dtype: type) -> NDArray:
    arr = np.asarray(value)
    if arr.ndim != 1:
        problems.append(f"{name} must be one-dimensional, got shape {arr.shape}")
        return np.zeros(0, dtype=dtype)
    try:
        return arr.astype(dtype, casting="safe" if dtype is np.int64 else "unsafe")
    except TypeError:
        problems.append(f"{name} must hold integers, got dtype {arr.dtype}")
        return np.zeros(0, dtype=dtype)


def per_demand(
    name: str, value: ArrayLike | None, n_demand: int, problems: list[str]
) -> FloatArray | None:
    """A per-demand-point array as floats (``None`` when not given or of the wrong length)."""
    if value is None:
        return None
    arr = _as_1d(name, value, problems, np.float64)
    if arr.size != n_demand:
        problems.append(f"{name} has {arr.size} values; weight has {n_demand}")
        return None
    return arr


def bad_rows(mask: NDArray[np.bool_]) -> str:
    """``"3 (rows 0, 4, 9)"``: how many rows ``mask`` flags, and the first five."""
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(r) for r in rows[:5])
    return f"{rows.size} (rows {shown}{', …' if rows.size > 5 else ''})"


def _increasing(key: IntArray) -> bool:
    return bool((key[1:] > key[:-1]).all())


def validate_pairs(
    pair_candidate: ArrayLike,
    pair_demand: ArrayLike,
    pair_dist_m: ArrayLike | None,
    weight: ArrayLike,
    n_candidates: int,
    problems: list[str],
    *,
    any_order: bool = False,
) -> Pairs:
    """Check the sparse pairs and weights; drop duplicate pairs (keeping the shortest).

    ``pair_dist_m`` is in metres. Raises :class:`InputError` with every problem found (those
    already in ``problems`` included).
    """
    cand = _as_1d("pair_candidate", pair_candidate, problems, np.int64)
    dem = _as_1d("pair_demand", pair_demand, problems, np.int64)
    w = _as_1d("weight", weight, problems, np.float64)
    dist = None if pair_dist_m is None else _as_1d("pair_dist_m", pair_dist_m, problems, np.float64)
    if not isinstance(n_candidates, int | np.integer) or n_candidates < 1:
        problems.append(f"n_candidates must be a positive integer, got {n_candidates!r}")
        n_candidates = 0
    if cand.size != dem.size:
        problems.append(
            f"pair_candidate has {cand.size} values and pair_demand {dem.size}; they must match"
        )
    if dist is not None and dist.size != dem.size:
        problems.append(f"pair_dist_m has {dist.size} values; pair_demand has {dem.size}")
    raise_problems(problems)
    if (~np.isfinite(w)).any() or (w < 0).any():
        problems.append(
            f"weight has {bad_rows(~(np.isfinite(w) & (w >= 0)))} negative or missing values;"
            " weights (population) must be finite and ≥ 0"
        )
    if cand.size and (cand.min() < 0 or cand.max() >= n_candidates):
        problems.append(
            f"pair_candidate has {bad_rows((cand < 0) | (cand >= n_candidates))} values "
            f"outside 0..{n_candidates - 1} (n_candidates = {n_candidates})"
        )
    if dem.size and (dem.min() < 0 or dem.max() >= w.size):
        problems.append(
            f"pair_demand has {bad_rows((dem < 0) | (dem >= w.size))} values outside "
            f"0..{w.size - 1} (weight has {w.size} demand points)"
        )
    if dist is not None and ((~np.isfinite(dist)).any() or (dist < 0).any()):
        problems.append(
            f"pair_dist_m has {bad_rows(~(np.isfinite(dist) & (dist >= 0)))} negative or "
            "missing distances; pairs must carry finite distances in metres"
        )
    raise_problems(problems)
    # Duplicate pairs: keep one (the shortest when distances are given). Pairs already in
    # strictly increasing (candidate, demand) order, or (demand, candidate) order when the
    # caller takes any order, have none and need no sort.
    key = cand * max(w.size, 1) + dem
    if _increasing(key) or (any_order and _increasing(dem * max(n_candidates, 1) + cand)):
        return Pairs(
            candidate=cand, demand=dem, dist_m=dist, weight=w, n_candidates=int(n_candidates)
        )
    order = np.lexsort((dist, key)) if dist is not None else np.argsort(key, kind="stable")
    keep = np.ones(order.size, dtype=bool)
    keep[1:] = key[order][1:] != key[order][:-1]
    sel = order[keep]
    return Pairs(
        candidate=cand[sel],
        demand=dem[sel],
        dist_m=None if dist is None else dist[sel],
        weight=w,
        n_candidates=int(n_candidates),
    )


@dataclass(frozen=True)
class Capacity:
    """Households per demand point, household capacity per candidate and the area norm."""

    households: FloatArray | None
    capacity_hh: FloatArray | None  # per candidate, inf = unlimited; None = uncapacitated
    area_per_100hh_m2: float | None


def validate_capacity(
    households: ArrayLike | None,
    capacity_m2: ArrayLike | None,
    area_per_100hh_m2: float | None,
    n_demand: int,
    n_candidates: int,
    problems: list[str],
) -> Capacity:
    """Check households, floor-area limits (m²) and the norm (m² per 100 households).

    A limit ``capacity_m2`` becomes ``capacity_m2 × 100 / area_per_100hh_m2`` households
    (``inf``: unlimited). Raises :class:`InputError` with every problem in ``problems``.
    """
    hh = per_demand("households", households, n_demand, problems)
    if hh is not None and ((~np.isfinite(hh)).any() or (hh < 0).any()):
        problems.append(
            f"households has {bad_rows(~(np.isfinite(hh) & (hh >= 0)))} negative or missing "
            "values; households must be finite and ≥ 0"
        )
    if area_per_100hh_m2 is not None and not (
        math.isfinite(area_per_100hh_m2) and area_per_100hh_m2 > 0
    ):
        problems.append(f"area_per_100hh_m2 must be > 0 m², got {area_per_100hh_m2}")
    if area_per_100hh_m2 is not None and hh is None:
        problems.append(
            "area_per_100hh_m2 needs households: pass households per demand point to size sites"
        )
    cap_hh = None
    if capacity_m2 is not None:
        cap = _as_1d("capacity_m2", capacity_m2, problems, np.float64)
        if cap.size != n_candidates:
            problems.append(f"capacity_m2 has {cap.size} values; n_candidates is {n_candidates}")
        elif (cap < 0).any():
            problems.append(
                f"capacity_m2 has {bad_rows(cap < 0)} negative values; use nan for unlimited"
            )
        elif area_per_100hh_m2 is None or hh is None:
            problems.append(
                "capacity_m2 needs area_per_100hh_m2 and households: a site's limit is in m² of "
                "floor area, served households × area_per_100hh_m2 / 100 must fit it"
            )
        elif np.isfinite(cap).any():
            cap_hh = np.where(np.isnan(cap) | np.isinf(cap), np.inf, cap * 100.0)
            cap_hh = cap_hh / float(area_per_100hh_m2)
    raise_problems(problems)
    return Capacity(households=hh, capacity_hh=cap_hh, area_per_100hh_m2=area_per_100hh_m2)


def validate_sites(name: str, n_sites: int, n_candidates: int, problems: list[str]) -> None:
    """Append a problem unless ``n_sites`` is a whole number in ``1..n_candidates``."""
    if not isinstance(n_sites, int | np.integer) or n_sites < 1:
        problems.append(f"{name} must be a positive integer, got {n_sites!r}")
    elif n_sites > n_candidates:
        problems.append(
            f"{name} = {n_sites} is more than the {n_candidates} candidates; add candidates "
            "or ask for fewer sites"
        )
