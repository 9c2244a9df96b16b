"""Steps 4 to 8: reach, catchments, coverage, norms and isochrones on the snapped points.

Each step takes the typed results of the steps before it and returns its own; none changes a
frame it was given.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lifecircle.analysis.coverage import CoverageResult, compute_coverage, straight_line_distances
from lifecircle.analysis.norms import NormResult, assign_stations, evaluate_norms
from lifecircle.analysis.profiles import Profile
from lifecircle.analysis.supply import community_mean, served_households, two_step_fca
from lifecircle.dataissues import IssueLog
from lifecircle.geo.isochrone import isochrone
from lifecircle.geo.reach import catchments as facility_catchments, nearest_facility
from lifecircle.geo.snap import SnappedPoints
from lifecircle.geo.timeisochrone import time_isochrones as draw_time_isochrones
from lifecircle.geo.walktime import WalkCost
from lifecircle.run.inputs import Prepared
from lifecircle.run.network import Network, Snapped
from lifecircle.run.walking import Walking, category_minutes, time_coverage
from lifecircle.vocab import LEVELS, STATION, STATION_CATEGORIES, Level, dist_column, time_column


@dataclass(frozen=True)
class Reach:
    """Walking distance from every demand point to the nearest facility of every category.

    Attributes
    ----------
    demand_m
        The demand points with ``counted`` (snapped) and one ``dist_m_<category>`` column per
        category (m, inf where no facility is reachable), then, when the network has walking
        efforts, one ``time_min_<category>`` column per category (minutes at the pace of the
        group the category serves, inf where none is reachable).
    served_households
        Per facility (row of the facilities frame), the households whose nearest facility of
        its category it is, within the category's distance.
    """

    demand_m: gpd.GeoDataFrame
    served_households: np.ndarray


@dataclass(frozen=True)
class Catchments:
    """Facility × demand pairs within the largest level's distance (``facility`` = frame row)."""

    facility: np.ndarray
    demand: np.ndarray
    dist_m: np.ndarray


@dataclass(frozen=True)
class Norms:
    """Norm results, the stations with their communities, and the 2SFCA supply per point.

    Attributes
    ----------
    result
        The per-community and per-station norm results.
    stations
        Station and street-centre facilities with the ``community_id`` they are assigned to.
    reachable_per_point
        Station floor area reachable per 100 households (m²), per demand point (2SFCA).
    reachable_per_community
        The household-weighted mean of that per community id.
    """

    result: NormResult
    stations: gpd.GeoDataFrame
    reachable_per_point: np.ndarray
    reachable_per_community: pd.Series


def level_distances(profile: Profile) -> dict[Level, float]:
    """The walking distance (m) of each life-circle level in the profile."""
    return {lv: float(profile.levels[lv].value) for lv in LEVELS}


def _category_rows(prepared: Prepared, snapped: Snapped, category: str) -> np.ndarray:
    """Rows of the facilities frame of a category that are snapped to the network."""
    is_cat = (prepared.facilities_m["category"] == category).to_numpy()
    return np.flatnonzero(is_cat & snapped.facilities.ok)


def reach(
    prepared: Prepared,
    network: Network,
    snapped: Snapped,
    profile: Profile,
    *,
    issues: IssueLog,
    categories: Sequence[str] | None = None,
) -> Reach:
    """Nearest facility of every category from every demand point (one pass per category).

    ``categories`` limits the passes to those categories (a scenario's changed ones); the
    households served by facilities of other categories are then 0.
    """
    demand = prepared.demand_m.copy()
    demand["counted"] = snapped.demand.ok
    fac = prepared.facilities_m
    hh = demand["households"].to_numpy(dtype=float)
    served = np.zeros(len(fac))
    minutes: dict[str, np.ndarray] = {}
    for cat in profile.categories if categories is None else categories:
        idx = _category_rows(prepared, snapped, cat)
        minutes[time_column(cat)] = np.full(len(demand), np.inf)
        if len(idx) == 0:
            demand[dist_column(cat)] = np.inf
            if not (fac["category"] == cat).any():
                issues.add(
                    "facilities",
                    "",
                    "category_absent",
                    name_zh=profile.categories[cat].name_zh,
                    name_en=profile.categories[cat].name_en,
                )
            continue
        near = nearest_facility(network.graph, snapped.demand, snapped.facilities.subset(idx))
        demand[dist_column(cat)] = near.dist_m
        glob = np.where(near.facility >= 0, idx[np.maximum(near.facility, 0)], -1)
        within = (glob >= 0) & (near.dist_m <= profile.categories[cat].distance_m.value)
        served += served_households(np.where(within, glob, -1), hh, len(fac))
        if network.walking is not None:
            minutes[time_column(cat)] = category_minutes(
                network.graph,
                network.walking,
                profile,
                cat,
                snapped.demand,
                snapped.facilities.subset(idx),
            )
    if network.walking is not None:
        for col, values in minutes.items():
            demand[col] = values
    return Reach(demand, served)


def catchments(network: Network, snapped: Snapped, profile: Profile) -> Catchments:
    """Every facility × demand pair within the largest level's walking distance."""
    ok_idx = np.flatnonzero(snapped.facilities.ok)
    cutoff_m = max(level_distances(profile).values())
    pairs = facility_catchments(
        network.graph, snapped.demand, snapped.facilities.subset(ok_idx), cutoff_m=cutoff_m
    )
    return Catchments(ok_idx[pairs.facility], pairs.demand, pairs.dist_m)


def coverage(
    prepared: Prepared,
    reached: Reach,
    profile: Profile,
    *,
    walking: Walking | None = None,
    issues: IssueLog | None = None,
) -> CoverageResult:
    """Coverage shares per category and level, per community, per street and overall; with
    ``walking``, coverage by walking time too (assumed group shares reported in ``issues``)."""
    fac = prepared.facilities_m
    categories = list(profile.categories)
    fac_xy = {
        cat: shapely.get_coordinates(fac.geometry[(fac["category"] == cat).to_numpy()])
        for cat in categories
    }
    demand = reached.demand_m
    straight = straight_line_distances(shapely.get_coordinates(demand.geometry), fac_xy)
    group_street = demand["community_id"].map(prepared.communities.set_index("id")["street"])
    result = compute_coverage(
        demand,
        profile=profile,
        categories=categories,
        straight_dist=straight,
        group_street=group_street,
    )
    if walking is None:
        return result
    timed = time_coverage(prepared, demand, profile, walking, result.overall, issues=issues)
    return replace(result, time=timed)


def norms(
    prepared: Prepared,
    snapped: Snapped,
    catch: Catchments,
    profile: Profile,
    *,
    issues: IssueLog,
) -> Norms:
    """Floor area per 100 households, station sizes, community sizes, and the 2SFCA supply."""
    fac = prepared.facilities_m
    stations = fac[fac["category"].isin(STATION_CATEGORIES)].copy()
    stations["community_id"] = assign_stations(stations, prepared.communities_m, issues=issues)
    result = evaluate_norms(
        pd.DataFrame(prepared.communities.drop(columns="geometry")),
        pd.DataFrame(stations.drop(columns="geometry")),
        profile=profile,
    )
    cutoff_m = profile.categories[STATION].distance_m.value
    is_station = (fac["category"] == STATION).to_numpy()
    sel = is_station[catch.facility] & (catch.dist_m <= cutoff_m)
    hh = prepared.demand_m["households"].to_numpy(dtype=float)
    tsfca = two_step_fca(
        supply_m2=np.nan_to_num(fac["floor_area_m2"].to_numpy(dtype=float)),
        demand_households=np.where(snapped.demand.ok, hh, 0.0),
        pair_facility=catch.facility[sel],
        pair_demand=catch.demand[sel],
        pair_dist_m=catch.dist_m[sel],
        cutoff_m=cutoff_m,
    )
    per_point = tsfca.demand_ratio_per_100hh_m2
    per_community = community_mean(per_point, hh, prepared.demand_m["community_id"])
    return Norms(result, stations, per_point, per_community)


def isochrones(
    prepared: Prepared,
    network: Network,
    snapped: Snapped,
    profile: Profile,
    *,
    categories: Sequence[str] | None = None,
    count: Callable[[int, int], None] | None = None,
) -> gpd.GeoDataFrame:
    """The walking isochrone union of every category × level (metric CRS).

    ``categories`` limits the unions to those categories; ``count(done, total)`` is told as
    the unions are made.
    """
    return all_isochrones(
        prepared, network, snapped, profile, categories=categories, count=count, time=False
    )[0]


#: The columns of the walking-time isochrones (``isochrones_time`` in results.gpkg).
TIME_ISOCHRONE_COLUMNS = ["category", "minutes", "group", "geometry"]


def all_isochrones(
    prepared: Prepared,
    network: Network,
    snapped: Snapped,
    profile: Profile,
    *,
    categories: Sequence[str] | None = None,
    count: Callable[[int, int], None] | None = None,
    time: bool = True,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """The isochrone unions of every category × level, by distance and by walking time.

    Parameters
    ----------
    prepared, network, snapped, profile
        The run's layers, walk network, snapped points and profile.
    categories
        Limits the unions to those categories (all of the profile's when None).
    count
        Told ``(done, total)`` as the unions are made, both kinds together.
    time
        Draw the walking-time isochrones too (when the project file has a ``[walking]`` table).

    Returns
    -------
    by_distance, by_time
        ``category``, ``level``, geometry: the areas within each level's distance (m) of the
        category's facilities. ``category``, ``minutes``, ``group``, geometry: the areas from
        which one of them is reached within each of ``[walking] levels_min`` minutes at the
        pace of the group the category serves, slope and steps included; None when the project
        file has no ``[walking]`` table (or with ``time=False``). Both in the metric CRS, empty
        areas left out.
    """
    levels: Mapping[Level, float] = level_distances(profile)
    walking = network.walking if time else None
    if walking is not None and not walking.spec.given:
        walking = None  # the project file has no [walking] table
    graph = network.graph
    minutes = [] if walking is None else [float(t) for t in walking.spec.levels_min]
    jobs: list[tuple[str, Level, SnappedPoints, float]] = []
    time_jobs: list[tuple[str, str, SnappedPoints, WalkCost, float]] = []
    for cat in profile.categories if categories is None else categories:
        idx = _category_rows(prepared, snapped, cat)
        if len(idx) == 0:
            continue
        sources = snapped.facilities.subset(idx)
        jobs += [(cat, lv, sources, dist) for lv, dist in levels.items()]
        if walking is not None:
            group = profile.categories[cat].group
            time_jobs.append((cat, group, sources, walking.cost, walking.speed_mps[group]))
    # GEOS buffering releases the GIL: the unions run on every core; a walking-time job draws
    # every time level of a category from one search, and counts as that many unions
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        dist_futures = [
            pool.submit(isochrone, graph, sources, cutoff_m=dist) for _, _, sources, dist in jobs
        ]
        time_futures = [
            pool.submit(
                draw_time_isochrones, graph, cost, sources, minutes=minutes, speed_mps=speed
            )
            for _, _, sources, cost, speed in time_jobs
        ]
        weight: dict[Future[Any], int] = dict.fromkeys(dist_futures, 1)
        weight |= dict.fromkeys(time_futures, len(minutes))
        done = 0
        for future in as_completed(weight):
            done += weight[future]
            if count is not None:
                count(done, sum(weight.values()))
    rows = [
        {"category": cat, "level": lv, "geometry": f.result()}
        for (cat, lv, _, _), f in zip(jobs, dist_futures, strict=True)
        if not f.result().is_empty
    ]
    by_distance = gpd.GeoDataFrame(
        rows, columns=["category", "level", "geometry"], geometry="geometry", crs=prepared.crs
    )
    if walking is None:
        return by_distance, None
    time_rows = [
        {"category": cat, "minutes": t, "group": group, "geometry": geom}
        for (cat, group, _, _, _), f in zip(time_jobs, time_futures, strict=True)
        for t, geom in zip(minutes, f.result(), strict=True)
        if not geom.is_empty
    ]
    by_time = gpd.GeoDataFrame(
        time_rows, columns=TIME_ISOCHRONE_COLUMNS, geometry="geometry", crs=prepared.crs
    )
    return by_distance, by_time
