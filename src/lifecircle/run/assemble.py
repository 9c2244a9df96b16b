"""The results of a run: the steps' typed results joined into the frames the outputs show."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lifecircle.analysis.accounting import PopulationAccount, account_population
from lifecircle.analysis.coverage import CoverageResult
from lifecircle.analysis.profiles import Profile
from lifecircle.analysis.results import Methods, RunResults
from lifecircle.geo.network import WalkGraph, network_lines
from lifecircle.project import Project
from lifecircle.run.analyses import Norms, Reach, level_distances
from lifecircle.run.inputs import Prepared
from lifecircle.run.network import Snapped
from lifecircle.run.siting import Siting, no_siting
from lifecircle.run.state import Evaluation, RunState
from lifecircle.run.walking import Walking, hill_callouts, walking_methods
from lifecircle.vocab import STATION, STATION_CATEGORIES, TIME_PREFIX, WGS84, Lang, dist_column


def facilities_frame(
    prepared: Prepared, snapped: Snapped, reached: Reach, norms: Norms, profile: Profile
) -> gpd.GeoDataFrame:
    """Facilities with snapping distance, served households, required area and norm results."""
    fac = prepared.facilities_m.copy()
    fac["snap_dist_m"] = snapped.facilities.access_m
    served = reached.served_households
    fac["served_households"] = served
    area_norm = profile.area_per_100hh.value if profile.area_per_100hh else np.nan
    fac["required_floor_area_m2"] = np.where(
        fac["category"] == STATION, served * area_norm / 100.0, np.nan
    )
    st = norms.result.stations.reindex(fac["id"].astype(str))
    for col in st.columns:
        fac[col] = st[col].to_numpy()
    if "community_id" not in fac:
        fac["community_id"] = None
    fac.loc[fac["category"].isin(STATION_CATEGORIES), "community_id"] = (
        norms.stations["community_id"].reindex(fac.index).dropna()
    )
    tier_src = {t: f"{f.source} ({f.status})" for t, f in profile.station_min_area.items()}
    if "tier" in fac:
        fac["station_min_area_source"] = fac["tier"].map(tier_src)
    return fac


def communities_frame(
    prepared: Prepared, cov: CoverageResult, norms: Norms, profile: Profile
) -> gpd.GeoDataFrame:
    """Communities with their norm results, coverage shares (distance, then time) and 2SFCA
    supply."""
    comm = prepared.communities.copy()
    ids = comm["id"].astype(str)
    for frame in (norms.result.communities, cov.by_community):
        aligned = frame.reindex(ids)
        for col in aligned.columns:
            comm[col] = aligned[col].to_numpy()
    comm["reachable_area_per_100hh_m2"] = norms.reachable_per_community.reindex(ids).to_numpy()
    if profile.area_per_100hh is not None:
        fig = profile.area_per_100hh
        comm["area_per_100hh_source"] = f"{fig.source} ({fig.status})"
    if cov.time is None:
        return comm
    timed = cov.time.by_community.reindex(ids).set_axis(comm.index)  # the tcov_ columns, last
    joined = pd.concat([pd.DataFrame(comm), timed], axis=1)
    return gpd.GeoDataFrame(joined, geometry=comm.geometry.name, crs=comm.crs)


def with_population_account(
    comm: gpd.GeoDataFrame, reached: Reach, snapped: Snapped, siting: Siting, stated: np.ndarray
) -> tuple[gpd.GeoDataFrame, PopulationAccount]:
    """Communities with the people supplied, counted and left out (and, with siting, the people
    of the siting category beyond its distance before and after the proposed sites).

    ``stated`` is each community's population as its layer gives it (NaN where it gives none).
    """
    demand = reached.demand_m
    ids = pd.Index(comm["id"].astype(str))
    account, table = account_population(
        demand["population"].to_numpy(dtype=float),
        snapped.demand.ok,
        demand["community_id"],
        ids,
        stated=stated,
    )
    out = comm.copy()
    for col in table.columns:
        out[col] = table[col].to_numpy()
    if siting.uncovered_after is not None and siting.uncovered_before is not None:
        for col, values in (
            ("uncovered_before_sites_population", siting.uncovered_before),
            ("uncovered_after_sites_population", siting.uncovered_after),
        ):
            sums = _sum_by(values, demand["community_id"]).reindex(ids, fill_value=0.0)
            out[col] = sums.to_numpy(dtype=float)
    return out, account


def _sum_by(values: np.ndarray, keys: pd.Series) -> pd.Series:
    """``values`` summed per non-missing key (as text)."""
    inside = keys.notna().to_numpy()
    return (
        pd.Series(np.asarray(values, dtype=float)[inside])
        .groupby(keys[inside].astype(str).to_numpy())
        .sum()
    )


def uncovered_frame(reached: Reach, snapped: Snapped, profile: Profile) -> gpd.GeoDataFrame:
    """Counted demand points beyond each category's distance, one row per point and category."""
    demand = reached.demand_m
    pop = demand["population"].to_numpy(dtype=float)
    parts = []
    for cat, norm in profile.categories.items():
        miss = demand[dist_column(cat)].to_numpy() > norm.distance_m.value
        miss &= snapped.demand.ok & (pop > 0)
        if miss.any():
            part = demand.loc[miss, ["population", "geometry"]].copy()
            part["category"] = cat
            part["level"] = norm.level
            parts.append(part)
    if not parts:
        empty: dict[str, list[object]] = {"population": [], "category": [], "level": []}
        return gpd.GeoDataFrame(empty, geometry=[], crs=demand.crs)
    return gpd.GeoDataFrame(
        pd.concat(parts, ignore_index=True), geometry="geometry", crs=demand.crs
    )


def streets_frame(graph: WalkGraph) -> gpd.GeoDataFrame:
    """The walk network as merged lines, for the map's background layer."""
    lines = network_lines(graph)
    merged = shapely.line_merge(shapely.multilinestrings(lines.geometry.to_numpy()))
    return gpd.GeoDataFrame(geometry=list(shapely.get_parts(merged)), crs=lines.crs)


def methods(
    project: Project,
    graph: WalkGraph,
    prepared: Prepared,
    profile: Profile,
    walking: Walking | None = None,
) -> Methods:
    """What the methods section states about the run."""
    source = graph.source
    assert source is not None, "the loader records every network's source"
    return Methods(
        network_source=source.describe(),
        network_date=source.date,
        n_nodes=graph.n_nodes,
        n_edges=graph.n_edges,
        metric_crs=prepared.crs.to_string(),
        max_snap_m=project.network.max_snap_m,
        level_distances_m={str(k): v for k, v in level_distances(profile).items()},
        walk_speed_m_per_min=float(profile.walk_speed_m_per_min.value),
        profile_id=profile.id,
        profile_name=profile.name,
        osm_credit=source.osm,
        synthetic=project.synthetic,
        walking=None if walking is None else walking_methods(walking, profile, graph),
    )


def time_coverage_frame(cov: CoverageResult, profile: Profile, lang: Lang) -> pd.DataFrame:
    """The time coverage table with the categories' names (empty without walking times)."""
    if cov.time is None:
        return pd.DataFrame()
    table = cov.time.overall
    names = [profile.category_name(c, lang) for c in table["category"]]
    return table.assign(category_name=names)


def assemble(
    state: RunState,
    *,
    evaluation: Evaluation | None = None,
    baseline: RunResults | None = None,
    isochrones: gpd.GeoDataFrame | None = None,
    isochrones_time: gpd.GeoDataFrame | None = None,
) -> RunResults:
    """Join the steps' results into the run's results, every frame in WGS84.

    ``evaluation`` replaces the run's own (a scenario's facilities on the run's network); a
    scenario proposes no sites. With ``baseline`` (the run's own results, whose demand points
    and communities a scenario shares) its streets and those geometries are reused instead of
    being drawn and converted again; ``isochrones`` and ``isochrones_time`` (WGS84), where
    given, are used as they are.
    """
    project, profile = state.project, state.inputs.profile
    ev = evaluation or state.evaluation
    siting = state.siting if evaluation is None else no_siting(ev.prepared.crs)
    prepared, snapped, reached, cov, norms = ev.prepared, ev.snapped, ev.reached, ev.cov, ev.norms
    graph = state.network.graph
    demand = reached.demand_m.copy()
    demand["reachable_area_per_100hh_m2"] = norms.reachable_per_point
    demand["id"] = demand["id"].astype(str)
    times = [c for c in demand.columns if str(c).startswith(TIME_PREFIX)]
    demand = demand[[c for c in demand.columns if c not in times] + times]  # time last
    communities, account = with_population_account(
        communities_frame(prepared, cov, norms, profile),
        reached,
        snapped,
        siting,
        prepared.communities["population"].to_numpy(dtype=float),
    )
    coverage = cov.overall.assign(
        category_name=[profile.category_name(c, project.lang) for c in cov.overall["category"]]
    )
    return RunResults(
        project_name=project.name,
        organization=project.organization,
        lang=project.lang,
        communities=_wgs84(communities, baseline, "communities"),
        facilities=facilities_frame(prepared, snapped, reached, norms, profile).to_crs(WGS84),
        demand=_wgs84(demand, baseline, "demand"),
        isochrones=ev.isochrones_m.to_crs(WGS84) if isochrones is None else isochrones,
        sites=siting.sites.to_crs(WGS84),
        site_catchments=siting.catchments.to_crs(WGS84),
        streets=streets_frame(graph).to_crs(WGS84) if baseline is None else baseline.streets,
        uncovered=uncovered_frame(reached, snapped, profile).to_crs(WGS84),
        compliance=norms.result.compliance,
        coverage=coverage,
        figures=profile.figures(),
        issues=state.issues.to_frame(project.lang),
        methods=methods(project, graph, prepared, profile, state.network.walking),
        population_total=account.counted,
        population_account=account,
        completeness=dict(cov.completeness),
        norm_counts={k: dict(v) for k, v in norms.result.counts.items()},
        siting_solution=siting.solution,
        timings_s=dict(state.timings_s),
        time_coverage=time_coverage_frame(cov, profile, project.lang),
        time_callouts=(
            pd.DataFrame()
            if cov.time is None
            else hill_callouts(cov.time, prepared.communities, profile, project.lang)
        ),
        isochrones_time=(
            isochrones_time
            if isochrones_time is not None or ev.isochrones_time_m is None
            else ev.isochrones_time_m.to_crs(WGS84)
        ),
        compounds=state.inputs.compounds,
        gates=state.inputs.gates,
        communities_crs=state.inputs.communities_crs,
    )


def _wgs84(frame: gpd.GeoDataFrame, baseline: RunResults | None, name: str) -> gpd.GeoDataFrame:
    """``frame`` in WGS84: the baseline's geometries of its rows where given, else converted."""
    if baseline is None:
        return frame.to_crs(WGS84)
    like = getattr(baseline, name)
    assert len(like) == len(frame), f"{name}: a scenario shares the run's rows"
    plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return gpd.GeoDataFrame(plain, geometry=like.geometry.to_numpy(), crs=like.crs)
