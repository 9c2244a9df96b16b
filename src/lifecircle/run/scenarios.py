"""Scenarios: the run's analyses again with facilities added, closed, resized or adopted.

A scenario shares the run's network, demand points and their snapping. Only the categories it
changes are searched again (nearest facility, isochrones); the facility catchments of unchanged
facilities are reused; coverage, norms and 2SFCA, which cost little, are evaluated whole on the
changed facilities, so a scenario's figures are those of a run on inputs edited by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from lifecircle.analysis.profiles import Profile
from lifecircle.analysis.results import RunResults
from lifecircle.dataissues import IssueLog
from lifecircle.errors import InputError
from lifecircle.geo.layers import read_layer
from lifecircle.geo.reach import catchments as facility_catchments
from lifecircle.geo.snap import SnappedPoints
from lifecircle.maps.labels import label
from lifecircle.project import ScenarioSpec
from lifecircle.run import analyses
from lifecircle.run.assemble import assemble
from lifecircle.run.inputs import Prepared, categorise
from lifecircle.run.network import Snapped, snap_layer
from lifecircle.run.siting import no_siting
from lifecircle.run.state import Evaluation, RunState
from lifecircle.vocab import LEVELS, dist_column, time_column

#: Prefix of the ids the proposed sites get when a scenario adopts them (``site-1`` …).
ADOPTED_ID_PREFIX = "site-"


@dataclass(frozen=True)
class Changes:
    """What a scenario changes, as its evaluation needs it.

    Attributes
    ----------
    new_ids
        Ids of the facilities it brings in: added from the ``add`` file, adopted sites.
    categories
        The categories of every facility it adds, closes or resizes, in the profile's order.
    """

    new_ids: tuple[str, ...]
    categories: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioRun:
    """A scenario's results beside the run's (the comparison derives what changed from both)."""

    spec: ScenarioSpec
    results: RunResults


def check_scenarios(
    scenarios: Sequence[ScenarioSpec], facilities: gpd.GeoDataFrame, *, siting: bool
) -> None:
    """Check every scenario's ids and options against the facilities layer, before the run.

    Parameters
    ----------
    scenarios
        The project's scenarios.
    facilities
        The facilities layer as read (every row, whatever its category).
    siting
        Whether the run proposes sites (``adopt_sites`` needs them).

    Raises
    ------
    InputError
        Listing every unknown id (with valid ones) and every ``adopt_sites`` without siting.
    """
    known = set(facilities["id"].astype(str))
    problems = []
    for spec in scenarios:
        where = f"scenario '{spec.name}'"
        problems += _unknown_ids(where, "close", spec.close, known)
        problems += _unknown_ids(where, "floor_area", list(spec.floor_area), known)
        if spec.adopt_sites and not siting:
            problems.append(
                f"{where}: adopt_sites = true needs proposed sites: add a [siting] section to "
                "the project file"
            )
    if problems:
        raise InputError(
            f"{len(problems)} problem(s) in [[scenarios]]:\n"
            + "\n".join(f"  - {p}" for p in problems),
            problems=problems,
        )


def _unknown_ids(where: str, key: str, given: Sequence[str], known: set[str]) -> list[str]:
    unknown = [fid for fid in given if fid not in known]
    if not unknown:
        return []
    sample = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
    return [
        f"{where}: {key} names facility id(s) {', '.join(unknown)} that the facilities layer "
        f"does not have; valid ids: {sample}"
    ]


def run_scenario(
    spec: ScenarioSpec, state: RunState, *, baseline: RunResults | None = None
) -> ScenarioRun:
    """Evaluate one scenario on the run's network and demand points.

    Raises
    ------
    InputError
        When the scenario names a facility id that does not exist, adds a facility whose id is
        taken, or adopts sites of a run without siting.
    """
    issues = IssueLog(list(state.issues.items))
    base = state.evaluation
    fac_m, fac_snap, changes = _facilities(spec, state, issues)
    prepared = replace(base.prepared, facilities_m=fac_m)
    snapped = Snapped(base.snapped.demand, fac_snap)
    profile = state.inputs.profile
    touched = list(changes.categories)
    reached = _reach(state, prepared, snapped, touched, issues)
    catch = _catchments(state, fac_m, snapped, changes)
    cov = analyses.coverage(prepared, reached, profile, walking=state.network.walking)
    # the run reported its own stations already: keep only what is said of new ones
    station_issues = IssueLog()
    norms = analyses.norms(prepared, snapped, catch, profile, issues=station_issues)
    new_ids = set(changes.new_ids)
    issues.items.extend(i for i in station_issues.items if i.row_id in new_ids)
    fresh_iso, fresh_time = analyses.all_isochrones(
        prepared, state.network, snapped, profile, categories=touched
    )
    iso = _merge_isochrones(profile, state.evaluation.isochrones_m, fresh_iso, touched)
    iso_time = _merge_time_isochrones(profile, base.isochrones_time_m, fresh_time, touched)
    evaluation = Evaluation(prepared, snapped, reached, catch, cov, norms, iso, iso_time)
    scenario_state = replace(
        state, evaluation=evaluation, siting=no_siting(prepared.crs), issues=issues
    )
    if baseline is None:
        return ScenarioRun(spec, assemble(scenario_state))
    # the baseline's streets and unchanged isochrones, already in WGS84
    iso_wgs84 = _merge_isochrones(
        profile, baseline.isochrones, fresh_iso.to_crs(baseline.isochrones.crs), touched
    )
    time_wgs84 = (
        None
        if fresh_time is None or baseline.isochrones_time is None
        else _merge_time_isochrones(
            profile,
            baseline.isochrones_time,
            fresh_time.to_crs(baseline.isochrones_time.crs),
            touched,
        )
    )
    results = assemble(
        scenario_state, baseline=baseline, isochrones=iso_wgs84, isochrones_time=time_wgs84
    )
    return ScenarioRun(spec, results)


def _facilities(
    spec: ScenarioSpec, state: RunState, issues: IssueLog
) -> tuple[gpd.GeoDataFrame, SnappedPoints, Changes]:
    """The scenario's facilities (metric CRS) with their snapping, and what changed."""
    base = state.evaluation
    fac = base.prepared.facilities_m
    ids = fac["id"].astype(str)
    known = set(state.inputs.facilities["id"].astype(str))
    check_scenarios([spec], state.inputs.facilities, siting=state.siting.solution is not None)
    keep = ~ids.isin(set(spec.close)).to_numpy()
    kept = fac[keep].copy()
    for fid, area in spec.floor_area.items():
        kept.loc[kept["id"].astype(str) == fid, "floor_area_m2"] = area
    new_parts = []
    if spec.add is not None:
        new_parts.append(_added(spec, state, issues, taken=known))
    if spec.adopt_sites:
        new_parts.append(_adopted(spec, state))
    new_rows = (
        pd.concat(new_parts, ignore_index=True)
        if new_parts
        else gpd.GeoDataFrame(geometry=[], crs=fac.crs)
    )
    snaps = [base.snapped.facilities.subset(np.flatnonzero(keep))]
    if len(new_rows):
        snaps.append(
            snap_layer(state.project, state.network, new_rows, "facilities", issues=issues)
        )
    out = gpd.GeoDataFrame(
        pd.concat([kept, new_rows], ignore_index=True), geometry="geometry", crs=fac.crs
    )
    new_ids = tuple(new_rows["id"].astype(str)) if len(new_rows) else ()
    changed = set(spec.close) | set(spec.floor_area)
    cats = set(fac.loc[ids.isin(changed).to_numpy(), "category"])
    cats |= set(new_rows.get("category", []))
    order = tuple(c for c in state.inputs.profile.categories if c in cats)
    return out, SnappedPoints.concat(snaps), Changes(new_ids, order)


def _added(
    spec: ScenarioSpec, state: RunState, issues: IssueLog, *, taken: set[str]
) -> gpd.GeoDataFrame:
    """The facilities of the ``add`` file, categorised, in the metric CRS."""
    assert spec.add is not None
    raw = read_layer(spec.add, kind="facilities", issues=issues)
    clash = sorted(set(raw["id"].astype(str)) & taken)
    if clash:
        raise InputError(
            f"scenario '{spec.name}': {spec.add.path.name} adds facility id(s) "
            f"{', '.join(clash[:12])} that the facilities layer already has; give new ids"
        )
    new = categorise(raw, state.inputs.profile, state.project.lang, issues)
    return new.to_crs(state.evaluation.prepared.crs)


def _adopted(spec: ScenarioSpec, state: RunState) -> gpd.GeoDataFrame:
    """The run's proposed sites as facilities with their required floor area."""
    sites = state.siting.sites
    profile, lang = state.inputs.profile, state.project.lang
    ranks = sites["rank"].astype(int).to_numpy()
    return gpd.GeoDataFrame(
        {
            "id": [f"{ADOPTED_ID_PREFIX}{r}" for r in ranks],
            "name": [f"{label('sites', lang)} {r}" for r in ranks],
            "category": sites["category"].to_numpy(),
            "floor_area_m2": sites["required_floor_area_m2"].to_numpy(dtype=float),
            "category_raw": sites["category"].to_numpy(),
            "category_name": [profile.category_name(c, lang) for c in sites["category"]],
        },
        geometry=sites.geometry.to_numpy(),
        crs=sites.crs,
    )


def _reach(
    state: RunState, prepared: Prepared, snapped: Snapped, touched: list[str], issues: IssueLog
) -> analyses.Reach:
    """The run's distances, with the changed categories searched again."""
    base = state.evaluation
    profile = state.inputs.profile
    fresh = analyses.reach(
        prepared, state.network, snapped, profile, issues=issues, categories=touched
    )
    demand = base.reached.demand_m.copy()
    for cat in touched:
        for col in (dist_column(cat), time_column(cat)):
            if col in fresh.demand_m:
                demand[col] = fresh.demand_m[col].to_numpy()
    fac = prepared.facilities_m
    in_touched = fac["category"].isin(touched).to_numpy()
    before = pd.Series(base.reached.served_households, index=base.prepared.facilities_m["id"])
    carried = fac["id"].map(before).fillna(0.0).to_numpy(dtype=float)
    return analyses.Reach(demand, np.where(in_touched, fresh.served_households, carried))


def _catchments(
    state: RunState, fac_m: gpd.GeoDataFrame, snapped: Snapped, changes: Changes
) -> analyses.Catchments:
    """The run's facility × demand pairs of kept facilities, plus those of new ones."""
    base = state.evaluation
    old_ids = base.prepared.facilities_m["id"].astype(str).to_numpy()
    row_of = {fid: i for i, fid in enumerate(fac_m["id"].astype(str))}
    new_row = np.array([row_of.get(fid, -1) for fid in old_ids], dtype=np.int64)
    kept = new_row[base.catch.facility] >= 0
    facility = [new_row[base.catch.facility[kept]]]
    demand = [base.catch.demand[kept]]
    dist = [base.catch.dist_m[kept]]
    fresh = [row_of[fid] for fid in changes.new_ids]
    fresh_ok = np.array([r for r in fresh if snapped.facilities.ok[r]], dtype=np.int64)
    if len(fresh_ok):
        cutoff_m = max(analyses.level_distances(state.inputs.profile).values())
        pairs = facility_catchments(
            state.network.graph,
            snapped.demand,
            snapped.facilities.subset(fresh_ok),
            cutoff_m=cutoff_m,
        )
        facility.append(fresh_ok[pairs.facility])
        demand.append(pairs.demand)
        dist.append(pairs.dist_m)
    return analyses.Catchments(
        np.concatenate(facility), np.concatenate(demand), np.concatenate(dist)
    )


def _merge_isochrones(
    profile: Profile, base: gpd.GeoDataFrame, fresh: gpd.GeoDataFrame, touched: list[str]
) -> gpd.GeoDataFrame:
    """The base's isochrone unions, those of the changed categories replaced by ``fresh``, in
    the order a run draws them (category, then level)."""
    kept = base[~base["category"].isin(touched)]
    both = pd.concat([kept, fresh], ignore_index=True)
    cat_rank = {c: i for i, c in enumerate(profile.categories)}
    level_rank = {lv: i for i, lv in enumerate(LEVELS)}
    key = both["category"].map(cat_rank) * len(LEVELS) + both["level"].map(level_rank)
    ordered = both.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)
    return gpd.GeoDataFrame(ordered, geometry="geometry", crs=base.crs)


def _merge_time_isochrones(
    profile: Profile,
    base: gpd.GeoDataFrame | None,
    fresh: gpd.GeoDataFrame | None,
    touched: list[str],
) -> gpd.GeoDataFrame | None:
    """The base's walking-time isochrones, those of the changed categories replaced by
    ``fresh``, by category then minutes (None without walking times)."""
    if base is None or fresh is None:
        return None
    kept = base[~base["category"].isin(touched)]
    both = pd.concat([kept, fresh], ignore_index=True)
    cat_rank = both["category"].map({c: i for i, c in enumerate(profile.categories)})
    order = np.lexsort((both["minutes"].to_numpy(dtype=float), cat_rank.to_numpy()))
    return gpd.GeoDataFrame(
        both.iloc[order].reset_index(drop=True), geometry="geometry", crs=base.crs
    )
