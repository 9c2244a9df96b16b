"""Step 9: choose sites for new facilities of one category among candidates.

Candidates come from the candidates layer, else are generated on the network in uncovered areas;
each chosen site gets the floor area its catchment needs under the profile's norm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import CRS

from lifecircle.analysis.profiles import Profile
from lifecircle.analysis.siting import (
    SitingResult,
    generate_candidates,
    lscp,
    mclp,
    newly_covered,
    p_median,
)
from lifecircle.dataissues import IssueLog
from lifecircle.errors import InputError
from lifecircle.geo.isochrone import isochrones_per_source
from lifecircle.geo.reach import catchments
from lifecircle.geo.snap import SnappedPoints, report_snapping, snap_points
from lifecircle.issuetexts import source_title
from lifecircle.project import Project, SitingSpec
from lifecircle.run.inputs import Inputs
from lifecircle.run.network import Network
from lifecircle.vocab import STATION, dist_column

#: The columns of the sites layer, in order.
SITE_COLUMNS = (
    "rank",
    "candidate_id",
    "candidate_name",
    "max_floor_area_m2",
    "category",
    "newly_covered_population",
    "required_floor_area_m2",
    "served_households",
    "walking_saved_km_person",
)


@dataclass(frozen=True)
class Siting:
    """Proposed sites (metric CRS), their walking catchments and the solver's result.

    ``sites`` has :data:`SITE_COLUMNS`: ``newly_covered_population`` is, for every problem, the
    people newly within the category's distance thanks to the site, given the existing
    facilities and the sites ranked before it; ``walking_saved_km_person`` (p-median only, NaN
    otherwise) is the reduction of the population-weighted walking distance (person·km) by the
    site given the existing facilities and the ones before it, people with no facility of the
    category to walk to counted at the category's distance. ``uncovered_before`` and
    ``uncovered_after`` give, per demand point, the counted people of the category beyond its
    distance before and after the sites are built (existing facilities and chosen sites).

    ``solution`` is None, both frames are empty and the arrays None when the run sites nothing.
    """

    sites: gpd.GeoDataFrame
    catchments: gpd.GeoDataFrame
    solution: SitingResult | None
    uncovered_before: np.ndarray | None = None
    uncovered_after: np.ndarray | None = None


@dataclass(frozen=True)
class _Candidates:
    ids: np.ndarray
    xy: np.ndarray
    snapped: SnappedPoints
    capacity_m2: np.ndarray
    names: np.ndarray


def no_siting(crs: CRS) -> Siting:
    """The empty siting result of a run without siting."""
    return Siting(
        gpd.GeoDataFrame({c: [] for c in SITE_COLUMNS}, geometry=[], crs=crs),
        gpd.GeoDataFrame({"rank": [], "category": []}, geometry=[], crs=crs),
        None,
    )


def check_category(spec: SitingSpec | None, profile: Profile) -> None:
    """Raise when the siting category is not a category of the profile."""
    if spec is not None and spec.category not in profile.categories:
        valid = ", ".join(profile.categories)
        raise InputError(
            f"siting category '{spec.category}' is not a category of profile "
            f"{profile.id}; use one of: {valid}"
        )


def siting_area_norm(profile: Profile, category: str) -> float | None:
    """The m² per 100 households a new site of ``category`` must offer, if the profile has one."""
    if category == STATION and profile.area_per_100hh is not None:
        return float(profile.area_per_100hh.value)
    norm = getattr(profile.categories[category], "area_per_100hh", None)
    return float(norm.value) if norm is not None else None


def site(
    spec: SitingSpec,
    project: Project,
    inputs: Inputs,
    network: Network,
    demand_m: gpd.GeoDataFrame,
    demand_snap: SnappedPoints,
    crs: CRS,
    *,
    issues: IssueLog,
) -> Siting:
    """Solve the project's siting problem for one category.

    Raises
    ------
    InputError
        When no candidate can be snapped to the network or hold the category's minimum size.
    """
    profile = inputs.profile
    cat = spec.category
    cut = float(profile.categories[cat].distance_m.value)
    dist = demand_m[dist_column(cat)].to_numpy()
    pop = np.where(demand_snap.ok, demand_m["population"].to_numpy(dtype=float), 0.0)
    hh = np.where(demand_snap.ok, demand_m["households"].to_numpy(dtype=float), 0.0)
    covered = dist <= cut
    cand, ok = usable_candidates(
        spec, project, inputs, network, demand_m, demand_snap, crs, issues=issues
    )
    area = siting_area_norm(profile, cat)
    min_area = min_area_m2(profile, cat)
    pairs = catchments(network.graph, demand_snap, cand.snapped.subset(ok), cutoff_m=cut)
    common: dict[str, Any] = {
        "pair_candidate": pairs.facility,
        "pair_demand": pairs.demand,
        "weight": pop,
        "n_candidates": len(ok),
        "time_limit_s": spec.time_limit_s,
    }
    cover: dict[str, Any] = {
        "already_covered": covered,
        "households": hh,
        "capacity_m2": cand.capacity_m2[ok] if area is not None else None,
        "area_per_100hh_m2": area,
    }
    if spec.problem == "mclp":
        res = mclp(**common, **cover, n_sites=spec.new_sites)
    elif spec.problem == "lscp":
        res = lscp(**common, **cover, target_share=spec.target_share)
    else:
        res = p_median(
            **common,
            pair_dist_m=pairs.dist_m,
            n_sites=spec.new_sites,
            existing_dist_m=np.where(np.isfinite(dist), dist, np.inf),
            households=hh,
            area_per_100hh_m2=area,
        )
    chosen = ok[res.selected]
    gains, covered_after = newly_covered(
        pairs.facility, pairs.demand, res.selected, pop, covered & (pop > 0)
    )
    saved_km = res.marginal_gain / 1000.0 if spec.problem == "p_median" else np.nan
    sites = gpd.GeoDataFrame(
        {
            "rank": np.arange(1, len(chosen) + 1),
            "candidate_id": cand.ids[chosen],
            "candidate_name": cand.names[chosen],
            "max_floor_area_m2": cand.capacity_m2[chosen],
            "category": cat,
            "newly_covered_population": gains,
            "required_floor_area_m2": np.fmax(
                np.where(area is None, np.nan, res.required_floor_area_m2), min_area
            ),
            "served_households": res.served_households,
            "walking_saved_km_person": saved_km,
        },
        geometry=gpd.points_from_xy(cand.xy[chosen, 0], cand.xy[chosen, 1]),
        crs=crs,
    )
    polys = isochrones_per_source(network.graph, cand.snapped.subset(chosen), cutoff_m=cut)
    site_catch = gpd.GeoDataFrame(
        {"rank": sites["rank"].to_numpy(), "category": cat}, geometry=polys, crs=crs
    )
    return Siting(
        sites,
        site_catch,
        res,
        uncovered_before=np.where(covered, 0.0, pop),
        uncovered_after=np.where(covered_after, 0.0, pop),
    )


def min_area_m2(profile: Profile, category: str) -> float:
    """The profile's minimum floor area (m²) of a facility of ``category``; NaN without one."""
    fig = profile.facility_min_area.get(category)
    return float(fig.value) if fig is not None else np.nan


def usable_candidates(
    spec: SitingSpec,
    project: Project,
    inputs: Inputs,
    network: Network,
    demand_m: gpd.GeoDataFrame,
    demand_snap: SnappedPoints,
    crs: CRS,
    *,
    issues: IssueLog,
) -> tuple[_Candidates, np.ndarray]:
    """The candidates and the indices of those a site may be chosen from (snapped, big enough).

    ``lifecircle check`` calls it too, so it reports what siting would.

    Raises
    ------
    InputError
        When no candidate can be snapped to the network or hold the category's minimum size.
    """
    profile = inputs.profile
    cat = spec.category
    cut = float(profile.categories[cat].distance_m.value)
    pop = np.where(demand_snap.ok, demand_m["population"].to_numpy(dtype=float), 0.0)
    unc = ~(demand_m[dist_column(cat)].to_numpy() <= cut) & demand_snap.ok & (pop > 0)
    cand = _candidates(spec, project, inputs, network, demand_snap, unc, crs, issues)
    ok = np.flatnonzero(cand.snapped.ok)
    if len(ok) == 0:
        raise InputError("siting: no candidate site could be snapped to the walk network")
    min_fig = profile.facility_min_area.get(cat)
    min_area = min_area_m2(profile, cat)
    if siting_area_norm(profile, cat) is None:
        # no per-household norm: a candidate must at least hold the category's minimum size
        too_small = cand.capacity_m2[ok] < min_area
        for cid in cand.ids[ok][too_small]:
            issues.add(
                "candidates",
                cid,
                "candidate_too_small",
                min_area_m2=min_area,
                name_zh=profile.categories[cat].name_zh,
                name_en=profile.categories[cat].name_en,
                source=source_title(min_fig.source) if min_fig else "",
            )
        ok = ok[~too_small]
        if len(ok) == 0:
            raise InputError(
                f"siting: no candidate site can hold the {min_area:.0f} m² a {cat} needs"
            )
    return cand, ok


def _candidates(
    spec: SitingSpec,
    project: Project,
    inputs: Inputs,
    network: Network,
    demand_snap: SnappedPoints,
    uncovered: np.ndarray,
    crs: CRS,
    issues: IssueLog,
) -> _Candidates:
    """The candidates layer snapped to the network, else points generated where people miss out."""
    max_snap = project.network.max_snap_m
    if inputs.candidates is not None:
        cand = inputs.candidates.to_crs(crs).reset_index(drop=True)
        pts = cand.geometry.representative_point()
        snapped = snap_points(
            network.graph, pts.x.to_numpy(), pts.y.to_numpy(), max_snap_m=max_snap
        )
        report_snapping(
            snapped,
            list(cand["id"]),
            layer="candidates",
            max_snap_m=max_snap,
            graph=network.graph,
            issues=issues,
        )
        capacity = (
            cand["max_floor_area_m2"].to_numpy(dtype=float)
            if "max_floor_area_m2" in cand
            else np.full(len(cand), np.nan)
        )
        xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
        names = (
            cand["name"].fillna("").astype(str).to_numpy()
            if "name" in cand
            else np.full(len(cand), "", dtype=object)
        )
        return _Candidates(cand["id"].astype(str).to_numpy(), xy, snapped, capacity, names)
    pick = generate_candidates(
        demand_snap.px, demand_snap.py, uncovered=uncovered, spacing_m=spec.candidate_spacing_m
    )
    xy = np.column_stack([demand_snap.px[pick], demand_snap.py[pick]])
    snapped = snap_points(network.graph, xy[:, 0], xy[:, 1], max_snap_m=max_snap)
    issues.add(
        "candidates",
        "",
        "candidates_generated",
        count=len(pick),
        spacing_m=spec.candidate_spacing_m,
    )
    ids = np.array([f"G{i + 1:04d}" for i in range(len(pick))])
    return _Candidates(ids, xy, snapped, np.full(len(pick), np.nan), np.full(len(pick), ""))
