"""Coverage: the share of people within walking reach of each facility category, per level.

The core takes a distance matrix (demand points × categories, metres) and returns population
shares; :func:`compute_coverage` adapts a demand table (``population``, ``community_id``,
``dist_m_<category>`` columns) and adds the per-community and per-street tables, completeness
and the straight-line-buffer figures planners often quote, so the two can be compared.

Distances: ``inf`` or ``NaN`` mean unreachable and count as not covered. A point is within reach
when its distance is ≤ the threshold.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from lifecircle.analysis.profiles import Profile
from lifecircle.vocab import (
    EVERYONE,
    LEVELS,
    Level,
    minutes_level,
    time_column,
    time_coverage_column,
)

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def _within(dist_m: FloatArray, thresholds_m: FloatArray) -> BoolArray:
    """``within[i, c, l]``: point i reaches category c within threshold l (NaN → False)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(dist_m[:, :, None] <= thresholds_m[None, :, :], dtype=bool)


def _as_inputs(
    dist_m: ArrayLike, population: ArrayLike, thresholds_m: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    dist = np.asarray(dist_m, dtype=float)
    if dist.ndim == 1:
        dist = dist[:, None]
    pop = np.asarray(population, dtype=float)
    if pop.shape != (dist.shape[0],):
        raise ValueError(
            f"population has shape {pop.shape}; expected ({dist.shape[0]},), one value per row "
            "of dist_m"
        )
    if np.any(~np.isfinite(pop)) or np.any(pop < 0):
        raise ValueError("population must be finite and ≥ 0")
    thr = np.asarray(thresholds_m, dtype=float)
    return dist, pop, thr


def coverage_shares(
    dist_m: ArrayLike, population: ArrayLike, thresholds_m: ArrayLike
) -> FloatArray:
    """Return the population share within each threshold of each category.

    Parameters
    ----------
    dist_m
        Walking distance (m) from each demand point to the nearest facility of each category,
        shape ``(n_demand, n_cat)``; ``inf`` or ``NaN`` = unreachable (not covered).
    population
        People at each demand point, shape ``(n_demand,)``, finite and ≥ 0.
    thresholds_m
        Distance of each level (m), shape ``(n_levels,)``.

    Returns
    -------
    ndarray, shape ``(n_cat, n_levels)``
        Share 0–1 of the population within reach; NaN when the total population is 0.

    Examples
    --------
    >>> coverage_shares([[100.0], [400.0]], [30, 10], [300, 500])
    array([[0.75, 1.  ]])
    """
    dist, pop, thr = _as_inputs(dist_m, population, thresholds_m)
    total = pop.sum()
    within = _within(dist, np.broadcast_to(thr, (dist.shape[1], thr.shape[-1])))
    covered = np.einsum("i,icl->cl", pop, within.astype(float))
    if total <= 0:
        return np.full(covered.shape, np.nan)
    return np.asarray(covered / total, dtype=float)


def complete_mask(dist_m: ArrayLike, required: ArrayLike, thresholds_m: ArrayLike) -> BoolArray:
    """Return ``(n_demand, n_levels)``: the point reaches every required category of the level.

    ``thresholds_m`` is ``(n_levels,)`` (one distance per level) or ``(n_levels, n_cat)`` (a
    distance per level and category). A level with no required category is complete everywhere.
    """
    dist = np.asarray(dist_m, dtype=float)
    req = np.asarray(required, dtype=bool)
    thr = np.asarray(thresholds_m, dtype=float)
    if thr.ndim == 1:
        thr = np.broadcast_to(thr[:, None], req.shape)
    if req.shape != thr.shape or req.shape[1] != dist.shape[1]:
        raise ValueError(
            f"required has shape {req.shape}, thresholds_m {thr.shape} and dist_m {dist.shape}; "
            "expected (n_levels, n_cat) with n_cat = dist_m.shape[1]"
        )
    within = _within(dist, thr.T)  # (n, n_cat, n_levels)
    ok = within | ~req.T[None, :, :]
    return np.asarray(ok.all(axis=1), dtype=bool)


def completeness_shares(
    dist_m: ArrayLike, population: ArrayLike, required: ArrayLike, thresholds_m: ArrayLike
) -> FloatArray:
    """Return, per level, the population share that reaches every required category.

    Parameters
    ----------
    dist_m
        ``(n_demand, n_cat)`` walking distances (m); ``inf``/``NaN`` = unreachable.
    population
        ``(n_demand,)`` people per point.
    required
        ``(n_levels, n_cat)`` bool: the level requires the category.
    thresholds_m
        ``(n_levels,)`` level distances, or ``(n_levels, n_cat)`` per-category distances.

    Returns
    -------
    ndarray, shape ``(n_levels,)``
        Shares 0–1; NaN when the total population is 0.

    Examples
    --------
    >>> completeness_shares([[100.0, 400.0], [100.0, 100.0]], [1, 3], [[True, True]], [300])
    array([0.75])
    """
    dist, pop, _ = _as_inputs(dist_m, population, thresholds_m)
    ok = complete_mask(dist, required, thresholds_m)
    total = pop.sum()
    if total <= 0:
        return np.full(ok.shape[1], np.nan)
    return np.asarray(pop @ ok.astype(float) / total, dtype=float)


def straight_line_distances(
    demand_xy: ArrayLike, facility_xy_by_category: Mapping[str, ArrayLike]
) -> pd.DataFrame:
    """Return the straight-line distance (m) from each demand point to the nearest facility.

    Parameters
    ----------
    demand_xy
        ``(n, 2)`` metric coordinates of the demand points.
    facility_xy_by_category
        Category id → ``(m, 2)`` metric coordinates of its facilities (may be empty).

    Returns
    -------
    DataFrame
        Columns ``dist_m_<category>``, one row per demand point; ``inf`` where a category has
        no facility.
    """
    xy = np.asarray(demand_xy, dtype=float).reshape(-1, 2)
    out: dict[str, FloatArray] = {}
    for cat, fxy in facility_xy_by_category.items():
        pts = np.asarray(fxy, dtype=float).reshape(-1, 2)
        if len(pts) == 0:
            out[f"dist_m_{cat}"] = np.full(len(xy), np.inf)
            continue
        dist, _ = cKDTree(pts).query(xy, k=1)
        out[f"dist_m_{cat}"] = np.asarray(dist, dtype=float)
    return pd.DataFrame(out)


@dataclass(frozen=True)
class CoverageResult:
    """Coverage tables of one run.

    Attributes
    ----------
    overall
        One row per category and level: ``category``, ``category_name``, ``level``,
        ``distance_m``, ``network_share``, ``straight_line_share`` (NaN without straight-line
        distances), ``population_covered``, ``required`` (the level requires the category).
    by_community
        Index ``community_id``: ``population``, ``cov_<category>_<level>`` shares,
        ``completeness_<level>`` and ``uncovered_population_<level>`` (people who miss at
        least one required category of the level).
    by_street
        The same, grouped by street / town (empty without a street grouping).
    completeness
        Level → share of people who reach every required category of that level.
    covered
        One row per demand point (the demand's index): bool ``cov_<category>_<level>`` and
        ``complete_<level>``; False for points that are not counted.
    time
        Coverage by walking time (:class:`TimeCoverage`), when walking times were computed.
    """

    overall: pd.DataFrame
    by_community: pd.DataFrame
    by_street: pd.DataFrame
    completeness: dict[str, float]
    covered: pd.DataFrame
    time: TimeCoverage | None = None


def _group_table(
    pop: FloatArray,
    covered: pd.DataFrame,
    keys: pd.Series,
    name: str,
) -> pd.DataFrame:
    """Population-weighted shares per group of the bool columns of ``covered``."""
    valid = keys.notna().to_numpy()
    if not valid.any():
        return pd.DataFrame(index=pd.Index([], name=name))
    weighted = covered.loc[valid].astype(float).mul(pop[valid], axis=0)
    group_keys = keys[valid].to_numpy()
    sums = weighted.groupby(group_keys).sum()
    totals = pd.Series(pop[valid]).groupby(group_keys).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = sums.div(totals.replace(0.0, np.nan), axis=0)
    table = pd.DataFrame({"population": totals})
    for col in covered.columns:
        if col.startswith("cov_"):
            table[col] = shares[col]
    for level in LEVELS:
        col = f"complete_{level}"
        table[f"completeness_{level}"] = shares[col]
        table[f"uncovered_population_{level}"] = totals - sums[col]
    table.index.name = name
    return table


def compute_coverage(
    demand: pd.DataFrame,
    *,
    profile: Profile,
    categories: Sequence[str],
    straight_dist: pd.DataFrame | None = None,
    group_street: pd.Series | None = None,
) -> CoverageResult:
    """Coverage per category and level, overall, per community and per street / town.

    Parameters
    ----------
    demand
        One row per demand point: ``population``, ``community_id``, ``dist_m_<category>`` for
        each category (walking distance in metres, empty/inf where unreachable) and optionally
        a bool ``counted``: points with ``counted`` False (not snapped to the network) are left
        out of every share and total; the pipeline reports them.
    profile
        Gives the level distances (``levels``), category names and required categories.
    categories
        The category ids to report (those the facility layer has, or all of the profile's).
        A required category of a level that is missing from ``demand`` counts as unreachable.
    straight_dist
        Same index and ``dist_m_<category>`` columns as ``demand`` with straight-line distances
        (see :func:`straight_line_distances`); gives ``straight_line_share`` (NaN for a
        category it has no column for).
    group_street
        Street / town of each demand point (aligned to ``demand``); default the ``street``
        column of ``demand`` when it has one.

    Returns
    -------
    CoverageResult

    Raises
    ------
    ValueError
        When a category is unknown to the profile or ``population`` is missing or negative.
    """
    unknown = [c for c in categories if c not in profile.categories]
    if unknown:
        raise ValueError(
            f"unknown categories {unknown}; valid categories: {', '.join(profile.categories)}"
        )
    if "population" not in demand.columns:
        raise ValueError("demand has no 'population' column")
    cats = list(dict.fromkeys(categories))
    n = len(demand)
    counted = (
        demand["counted"].fillna(False).to_numpy(dtype=bool)
        if "counted" in demand.columns
        else np.ones(n, dtype=bool)
    )
    pop_all = demand["population"].to_numpy(dtype=float)
    pop = np.where(counted, pop_all, 0.0)
    levels: list[Level] = list(LEVELS)
    thresholds = np.array([profile.levels[lv].value for lv in levels])

    def dist_matrix(frame: pd.DataFrame, cat_ids: list[str]) -> FloatArray:
        cols = []
        for cat in cat_ids:
            col = f"dist_m_{cat}"
            if col in frame.columns:
                cols.append(pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float))
            else:
                cols.append(np.full(len(frame), np.inf))
        return np.column_stack(cols) if cols else np.empty((len(frame), 0))

    dist = dist_matrix(demand, cats)
    shares = coverage_shares(dist, pop, thresholds)
    within = _within(dist, np.broadcast_to(thresholds, (len(cats), len(levels))))
    within &= counted[:, None, None]

    # completeness over every required category of each level (present or not)
    req_cats = sorted({c for lv in levels for c in profile.required_categories(lv)})
    req = np.array([[c in profile.required_categories(lv) for c in req_cats] for lv in levels])
    req_thr = np.array(
        [[profile.categories[c].distance_m.value for c in req_cats] for _ in levels]
    ).reshape(len(levels), len(req_cats))
    complete = complete_mask(dist_matrix(demand, req_cats), req, req_thr) & counted[:, None]
    total = pop.sum()
    completeness = {
        str(lv): float(pop @ complete[:, k] / total) if total > 0 else float("nan")
        for k, lv in enumerate(levels)
    }

    covered = pd.DataFrame(index=demand.index)
    for j, cat in enumerate(cats):
        for k, lv in enumerate(levels):
            covered[f"cov_{cat}_{lv}"] = within[:, j, k]
    for k, lv in enumerate(levels):
        covered[f"complete_{lv}"] = complete[:, k]

    sl_shares = np.full((len(cats), len(levels)), np.nan)
    if straight_dist is not None:
        sl_shares = coverage_shares(dist_matrix(straight_dist, cats), pop, thresholds)
        absent = [f"dist_m_{c}" not in straight_dist.columns for c in cats]
        sl_shares[np.asarray(absent, dtype=bool)] = np.nan

    rows = []
    for j, cat in enumerate(cats):
        norm = profile.categories[cat]
        for k, lv in enumerate(levels):
            rows.append(
                {
                    "category": cat,
                    "category_name": norm.name_zh,
                    "level": lv,
                    "distance_m": float(thresholds[k]),
                    "network_share": float(shares[j, k]),
                    "straight_line_share": float(sl_shares[j, k]),
                    "population_covered": float(pop @ within[:, j, k]),
                    "required": bool(norm.required and norm.level == lv),
                }
            )
    overall = pd.DataFrame(rows)

    if "community_id" in demand.columns:
        community = demand["community_id"].where(counted)
    else:
        community = pd.Series(np.nan, index=demand.index)
    by_community = _group_table(pop, covered, community, "community_id")
    street = group_street
    if street is None and "street" in demand.columns:
        street = demand["street"]
    if street is not None:
        by_street = _group_table(pop, covered, street.where(counted), "street")
    else:
        by_street = pd.DataFrame(index=pd.Index([], name="street"))
    logger.info(
        "coverage: %d demand points (%d counted), %d categories; completeness %s",
        n,
        int(counted.sum()),
        len(cats),
        {k: round(v, 3) for k, v in completeness.items()},
    )
    return CoverageResult(
        overall=overall,
        by_community=by_community,
        by_street=by_street,
        completeness=completeness,
        covered=covered,
    )


@dataclass(frozen=True)
class TimeCoverage:
    """Coverage by walking time, each category weighted by the population group it serves.

    Attributes
    ----------
    overall
        One row per category and level: ``category``, ``group``, ``level`` (``5min`` …),
        ``minutes``, ``time_share`` (share 0–1 of the group's counted people within the
        minutes), ``group_population`` (the group's counted people) and ``population_covered``
        (those within reach).
    by_community
        Index ``community_id``: ``tcov_<category>_<minutes>min`` shares of the community's
        people of the group the category serves (NaN where the community has none).
    flat_by_community
        The same shares with other times (the run layer's: the group's pace on flat ground
        without steps), to tell what slope and steps change; None when not computed.
    """

    overall: pd.DataFrame
    by_community: pd.DataFrame
    flat_by_community: pd.DataFrame | None = None


def compute_time_coverage(
    demand: pd.DataFrame,
    *,
    categories: Sequence[str],
    group_of: Mapping[str, str],
    group_people: pd.DataFrame,
    levels_min: Sequence[float],
) -> TimeCoverage:
    """Group-weighted coverage by walking time, overall and per community.

    Parameters
    ----------
    demand
        One row per demand point: ``time_min_<category>`` (minutes; inf or NaN = unreachable),
        ``community_id`` and optionally a bool ``counted`` (points not counted are left out).
    categories
        The category ids to report; a category without a time column counts as unreachable.
    group_of
        The group each category serves (default ``everyone``).
    group_people
        People of each group at each point (same index as ``demand``), one column per group,
        ``everyone`` included.
    levels_min
        The life-circle levels in minutes, e.g. ``[5, 10, 15]``.

    Returns
    -------
    TimeCoverage

    Examples
    --------
    Two points of 10 and 30 elderly, 4 and 12 minutes from a day-care centre:

    >>> d = pd.DataFrame({"time_min_dc": [4.0, 12.0], "community_id": ["A", "A"]})
    >>> people = pd.DataFrame({"everyone": [50.0, 50.0], "elderly": [10.0, 30.0]})
    >>> tc = compute_time_coverage(d, categories=["dc"], group_of={"dc": "elderly"},
    ...                            group_people=people, levels_min=[5, 15])
    >>> tc.overall["time_share"].tolist()
    [0.25, 1.0]
    """
    n = len(demand)
    counted = (
        demand["counted"].fillna(False).to_numpy(dtype=bool)
        if "counted" in demand.columns
        else np.ones(n, dtype=bool)
    )
    levels = np.asarray(levels_min, dtype=float)
    community = (
        demand["community_id"].where(counted)
        if "community_id" in demand.columns
        else pd.Series(np.nan, index=demand.index)
    )
    valid = community.notna().to_numpy()
    # communities as sorted codes, as a groupby would order them; sums by bincount
    codes, uniques = pd.factorize(community[valid], sort=True)
    index = pd.Index(uniques)
    rows = []
    table: dict[str, pd.Series] = {}
    for cat in dict.fromkeys(categories):
        group = group_of.get(cat, EVERYONE)
        weight = np.where(counted, group_people[group].to_numpy(dtype=float), 0.0)
        col = time_column(cat)
        if col in demand.columns:
            t = pd.to_numeric(demand[col], errors="coerce").to_numpy(dtype=float)
        else:
            t = np.full(n, np.inf)
        total = weight.sum()
        for minutes in levels:
            with np.errstate(invalid="ignore"):
                within = t <= minutes
            covered = float(weight @ within)
            rows.append(
                {
                    "category": cat,
                    "group": group,
                    "level": minutes_level(minutes),
                    "minutes": float(minutes),
                    "time_share": covered / total if total > 0 else float("nan"),
                    "group_population": float(total),
                    "population_covered": covered,
                }
            )
            if valid.any():
                w = weight[valid]
                sums = np.bincount(codes, weights=w * within[valid], minlength=len(index))
                totals = np.bincount(codes, weights=w, minlength=len(index))
                with np.errstate(invalid="ignore", divide="ignore"):
                    share = np.where(totals > 0, sums / totals, np.nan)
                table[time_coverage_column(cat, minutes)] = pd.Series(share, index=index)
    by_community = pd.DataFrame(table)
    by_community.index.name = "community_id"
    overall = pd.DataFrame(
        rows,
        columns=[
            "category",
            "group",
            "level",
            "minutes",
            "time_share",
            "group_population",
            "population_covered",
        ],
    )
    return TimeCoverage(overall=overall, by_community=by_community)
