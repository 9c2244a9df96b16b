"""The main job: project file → layers → walk network → reach → analyses → output folder.

:func:`run_project` runs every step and writes the output folder of the README (map.html,
report.html, report.xlsx, results.gpkg, summary.json, issues.csv). Files are first written to a
temporary folder inside the output folder and moved into place only when every one of them is
complete, so a failed run leaves the previous outputs untouched and no half-written file.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lifecircle import __version__
from lifecircle.analysis.config import Basemap, Project, SitingSpec
from lifecircle.analysis.coverage import compute_coverage, straight_line_distances
from lifecircle.analysis.norms import assign_stations, evaluate_norms
from lifecircle.analysis.profiles import LEVELS, Profile, load_profile
from lifecircle.analysis.results import Methods, RunResults
from lifecircle.analysis.siting import SitingResult, generate_candidates, lscp, mclp, p_median
from lifecircle.analysis.supply import community_mean, served_households, two_step_fca
from lifecircle.dataissues import ISSUE_COLUMNS, IssueLog
from lifecircle.errors import InputError, LayerError, ProfileError
from lifecircle.geo.compounds import apply_compounds, compound_of_points
from lifecircle.geo.crs import local_metric_crs
from lifecircle.geo.isochrone import isochrone, isochrones_per_source
from lifecircle.geo.layers import read_layer
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.osm import load_network, network_lines, osm_date
from lifecircle.geo.population import read_population, spread_population
from lifecircle.geo.reach import catchments, nearest_facility
from lifecircle.geo.snap import SnappedPoints, report_snapping, snap_points

logger = logging.getLogger(__name__)

STATION = "community_service_station"
STREET_CENTER = "street_service_center"
WGS84 = "EPSG:4326"

Progress = Callable[[str, str], None]


@dataclass(frozen=True)
class Inputs:
    """The validated layers of a project, in WGS84, and its norm profile."""

    communities: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    population: gpd.GeoDataFrame | None
    candidates: gpd.GeoDataFrame | None
    compounds: gpd.GeoDataFrame | None
    gates: gpd.GeoDataFrame | None
    profile: Profile


@dataclass(frozen=True)
class RunOutput:
    """What :func:`run_project` wrote: the folder, its files and the results behind them."""

    out_dir: Path
    files: Mapping[str, Path]
    results: RunResults


class _Steps:
    """Times each step and reports its start and end to an optional progress callback."""

    def __init__(self, progress: Progress | None) -> None:
        self.timings: dict[str, float] = {}
        self._progress = progress

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self._progress:
            self._progress(name, "start")
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0
            if self._progress:
                self._progress(name, "done")


# --------------------------------------------------------------------------- inputs


def load_inputs(project: Project, *, issues: IssueLog) -> Inputs:
    """Read and validate every layer and the profile, collecting all problems before raising.

    Raises
    ------
    InputError
        Listing the problems of every layer and of the profile at once.
    """
    problems: list[str] = []
    frames: dict[str, gpd.GeoDataFrame | None] = {}
    for name in ("communities", "facilities", "candidates", "compounds", "gates"):
        spec = project.layers.get(name)
        if spec is None:
            frames[name] = None
            continue
        try:
            frames[name] = read_layer(spec, kind=name, issues=issues)
        except LayerError as exc:
            problems.extend(exc.problems)
            frames[name] = None
    population = None
    if "population" in project.layers:
        try:
            population = read_population(
                project.layers["population"],
                issues=issues,
                persons_per_household=project.persons_per_household,
            )
        except LayerError as exc:
            problems.extend(exc.problems)
    profile: Profile | None = None
    try:
        profile = load_profile(project.profile)
    except ProfileError as exc:
        problems.extend(exc.problems)
    if problems or profile is None:
        raise InputError(
            f"{len(problems)} problem(s) in the input layers:\n"
            + "\n".join(f"  - {p}" for p in problems),
            problems=problems,
        )
    comm, fac = frames["communities"], frames["facilities"]
    assert comm is not None and fac is not None
    return Inputs(
        communities=comm,
        facilities=fac,
        population=population,
        candidates=frames["candidates"],
        compounds=frames["compounds"],
        gates=frames["gates"],
        profile=profile,
    )


def _categorise(
    fac: gpd.GeoDataFrame, profile: Profile, lang: str, issues: IssueLog
) -> gpd.GeoDataFrame:
    """Map each facility's category (id, Chinese name or alias) to our id; report the unknown."""
    ids = [profile.category_id(str(raw)) for raw in fac["category"]]
    fac = fac.assign(category_raw=fac["category"].astype(str), category=ids)
    unknown = fac["category"].isna()
    valid = ", ".join(f"{c.id} ({c.name_zh})" for c in profile.categories.values())
    for _, row in fac[unknown].iterrows():
        issues.add(
            "facilities",
            row["id"],
            f"category '{row['category_raw']}' is not a category of profile {profile.id}"
            f" (valid: {valid})",
            "excluded from the analysis; fix the value or add it as an alias in a profile",
        )
    fac = fac[~unknown].copy()
    fac["category_name"] = [_category_name(profile, c, lang) for c in fac["category"]]
    return fac.reset_index(drop=True)


def _households_per_point(
    demand: pd.DataFrame, communities: pd.DataFrame, default_pph: float
) -> np.ndarray:
    """Households of each demand point from its community's persons per household."""
    comm = communities.set_index("id")
    pph = (comm["population"] / comm["households"]).where(
        (comm["households"] > 0) & (comm["population"] > 0)
    )
    point_pph = demand["community_id"].map(pph).fillna(default_pph).to_numpy(dtype=float)
    hh = demand["households"].to_numpy(dtype=float) if "households" in demand else None
    derived = demand["population"].to_numpy(dtype=float) / point_pph
    if hh is None:
        return derived
    return np.where(np.isfinite(hh), hh, derived)


def _complete_communities(comm: gpd.GeoDataFrame, pph: float, issues: IssueLog) -> gpd.GeoDataFrame:
    comm = comm.copy()
    if "population" not in comm:
        comm["population"] = np.nan
    missing = comm["population"].isna() & comm["households"].notna()
    for cid in comm.loc[missing, "id"]:
        issues.add(
            "communities",
            cid,
            "population not given",
            f"estimated as households × {pph} persons per household",
        )
    comm.loc[missing, "population"] = (comm.loc[missing, "households"] * pph).round()
    for col in ("kind", "street", "name"):
        if col not in comm:
            comm[col] = None
    return comm


def _demand_points(
    inputs: Inputs, comm_m: gpd.GeoDataFrame, crs: CRS, pph: float, issues: IssueLog
) -> gpd.GeoDataFrame:
    """Demand points in the metric CRS with population, households and community_id."""
    if inputs.population is not None:
        pop = inputs.population.to_crs(crs)
    else:
        issues.add(
            "population",
            "",
            "no population layer given",
            "each community's population spread evenly over its area on a 100 m grid",
        )
        pop = spread_population(
            inputs.communities, cell_m=100.0, metric_crs=crs, persons_per_household=pph
        ).to_crs(crs)
    pop = pop[pop["population"] > 0].reset_index(drop=True)
    joined = gpd.sjoin(
        pop[["geometry"]], comm_m[["id", "geometry"]], how="left", predicate="within"
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    pop["community_id"] = joined["id"].reindex(pop.index).astype(object)
    outside = pop["community_id"].isna()
    if outside.any():
        issues.add(
            "population",
            "",
            f"{int(outside.sum())} populated points ({pop.loc[outside, 'population'].sum():.0f}"
            " people) lie outside every community polygon",
            "kept in overall coverage; not counted in any community",
        )
    pop["households"] = _households_per_point(pop, comm_m, pph)
    # population layer against community totals
    totals = pop.groupby("community_id")["population"].sum()
    for _, row in comm_m.iterrows():
        layer_total = float(totals.get(row["id"], 0.0))
        stated = float(row["population"]) if pd.notna(row["population"]) else np.nan
        if np.isfinite(stated) and stated > 0 and abs(layer_total - stated) > 0.1 * stated:
            issues.add(
                "population",
                row["id"],
                f"population layer puts {layer_total:.0f} people in community {row['id']}, "
                f"the communities layer says {stated:.0f}",
                "coverage uses the population layer; check which is current",
            )
    return pop


def _snap_layer(
    graph: WalkGraph,
    gdf_m: gpd.GeoDataFrame,
    *,
    max_snap_m: float,
    compound_idx: np.ndarray | None,
    edge_compound: np.ndarray | None,
) -> SnappedPoints:
    """Snap points; inside a compound only to its inner edges, outside only to outside edges."""
    pts = gdf_m.geometry
    x = pts.x.to_numpy()
    y = pts.y.to_numpy()
    if compound_idx is None or edge_compound is None:
        return snap_points(graph, x, y, max_snap_m=max_snap_m)
    parts: list[tuple[np.ndarray, SnappedPoints]] = []
    for k in np.unique(compound_idx):
        sel = np.flatnonzero(compound_idx == k)
        allowed = edge_compound == k
        if k >= 0 and not allowed.any():
            allowed = edge_compound == -1
        parts.append(
            (sel, snap_points(graph, x[sel], y[sel], max_snap_m=max_snap_m, allowed_edges=allowed))
        )
    return _merge_snaps(parts, len(x))


def _merge_snaps(parts: list[tuple[np.ndarray, SnappedPoints]], n: int) -> SnappedPoints:
    fields = ("edge", "offset_m", "access_m", "px", "py", "ok", "component")
    out: dict[str, np.ndarray] = {}
    for name in fields:
        first = getattr(parts[0][1], name)
        arr = np.empty(n, dtype=first.dtype)
        for sel, snap in parts:
            arr[sel] = getattr(snap, name)
        out[name] = arr
    return SnappedPoints(**out)


# --------------------------------------------------------------------------- run


def analyse(
    project: Project,
    *,
    progress: Progress | None = None,
    siting: SitingSpec | None = None,
) -> RunResults:
    """Run every analysis step of a project and return the results (writes nothing).

    Parameters
    ----------
    project
        A validated project.
    progress
        Called with ``(step, "start" | "done")`` around each step.
    siting
        Overrides the project's ``[siting]`` section.

    Raises
    ------
    InputError
        When a layer, the profile or an option is wrong (every problem listed).
    """
    steps = _Steps(progress)
    issues = IssueLog()
    t_start = time.perf_counter()
    with steps.step("load_layers"):
        inputs = load_inputs(project, issues=issues)
        profile = inputs.profile
        comm = _complete_communities(inputs.communities, project.persons_per_household, issues)
        fac = _categorise(inputs.facilities, profile, project.lang, issues)
        crs = _metric_crs(comm)
        comm_m = comm.to_crs(crs)
        fac_m = fac.to_crs(crs)
        demand_m = _demand_points(inputs, comm_m, crs, project.persons_per_household, issues)
    siting_spec = siting or project.siting
    if siting_spec is not None and siting_spec.category not in profile.categories:
        valid = ", ".join(profile.categories)
        raise InputError(
            f"siting category '{siting_spec.category}' is not a category of profile "
            f"{profile.id}; use one of: {valid}"
        )

    with steps.step("build_network"):
        graph = load_network(
            project.network.path,
            place=project.network.place,
            crs=crs.to_string(),
            keep_private="compounds" in project.layers,
            cache=project.network.cache,
            issues=issues,
        )
        edge_compound = None
        comp_polys: list[Any] = []
        if inputs.compounds is not None and inputs.gates is not None:
            compounds_m = inputs.compounds.to_crs(crs)
            gates_m = inputs.gates.to_crs(crs)
            comp_polys = list(compounds_m.geometry)
            index_of = {cid: i for i, cid in enumerate(compounds_m["id"])}
            gate_comp = np.array([index_of.get(c, -1) for c in gates_m["compound_id"]])
            for gid in gates_m.loc[gate_comp < 0, "id"]:
                issues.add("gates", gid, "compound_id names no compound", "gate ignored")
            keep = gate_comp >= 0
            cn = apply_compounds(
                graph,
                comp_polys,
                shapely.get_coordinates(gates_m.geometry[keep]),
                gate_comp[keep],
                issues=issues,
            )
            graph, edge_compound = cn.graph, cn.edge_compound

    with steps.step("snap"):
        max_snap = project.network.max_snap_m

        def snap(g: gpd.GeoDataFrame, layer: str) -> SnappedPoints:
            """Snap a layer's points (honouring compounds) and report what could not be."""
            compound_idx = (
                compound_of_points(g.geometry.x.to_numpy(), g.geometry.y.to_numpy(), comp_polys)
                if comp_polys
                else None
            )
            snapped = _snap_layer(
                graph,
                g,
                max_snap_m=max_snap,
                compound_idx=compound_idx,
                edge_compound=edge_compound,
            )
            report_snapping(
                snapped,
                list(g["id"]),
                layer=layer,
                max_snap_m=max_snap,
                graph=graph,
                issues=issues,
            )
            return snapped

        dem_snap = snap(demand_m, "population")
        fac_snap = snap(fac_m, "facilities")
        demand_m["counted"] = dem_snap.ok
        demand_m["snap_dist_m"] = dem_snap.access_m
        fac_m["snap_dist_m"] = fac_snap.access_m

    levels: dict[str, float] = {lv: float(profile.levels[lv].value) for lv in LEVELS}
    max_level_m = max(levels.values())
    categories = list(profile.categories)
    pop = demand_m["population"].to_numpy(dtype=float)
    hh = demand_m["households"].to_numpy(dtype=float)
    served = np.zeros(len(fac_m))

    with steps.step("reach"):
        for cat in categories:
            idx = np.flatnonzero((fac_m["category"] == cat).to_numpy() & fac_snap.ok)
            if len(idx) == 0:
                demand_m[f"dist_m_{cat}"] = np.inf
                if not (fac_m["category"] == cat).any():
                    issues.add(
                        "facilities",
                        "",
                        f"no facility of category {cat} ({profile.categories[cat].name_zh})",
                        "coverage of this category is 0",
                    )
                continue
            near = nearest_facility(graph, dem_snap, fac_snap.subset(idx))
            demand_m[f"dist_m_{cat}"] = near.dist_m
            glob = np.where(near.facility >= 0, idx[np.maximum(near.facility, 0)], -1)
            within = glob >= 0
            within &= near.dist_m <= profile.categories[cat].distance_m.value
            served += served_households(np.where(within, glob, -1), hh, len(fac_m))

    with steps.step("catchments"):
        ok_idx = np.flatnonzero(fac_snap.ok)
        catch = catchments(graph, dem_snap, fac_snap.subset(ok_idx), cutoff_m=max_level_m)
        pair_fac = ok_idx[catch.facility]

    with steps.step("coverage"):
        fac_xy = {
            cat: shapely.get_coordinates(fac_m.geometry[(fac_m["category"] == cat).to_numpy()])
            for cat in categories
        }
        dem_xy = shapely.get_coordinates(demand_m.geometry)
        straight = straight_line_distances(dem_xy, fac_xy)
        group_street = demand_m["community_id"].map(comm.set_index("id")["street"])
        cov = compute_coverage(
            demand_m,
            profile=profile,
            categories=categories,
            straight_dist=straight,
            group_street=group_street,
        )

    with steps.step("norms"):
        stations = fac_m[fac_m["category"].isin([STATION, STREET_CENTER])].copy()
        stations["community_id"] = assign_stations(stations, comm_m, issues=issues)
        norm = evaluate_norms(
            pd.DataFrame(comm.drop(columns="geometry")),
            pd.DataFrame(stations.drop(columns="geometry")),
            profile=profile,
        )
        st_cut = profile.categories[STATION].distance_m.value
        st_mask = (fac_m["category"] == STATION).to_numpy()
        sel = st_mask[pair_fac] & (catch.dist_m <= st_cut)
        supply = np.nan_to_num(fac_m["floor_area_m2"].to_numpy(dtype=float))
        tsfca = two_step_fca(
            supply_m2=supply,
            demand_households=np.where(dem_snap.ok, hh, 0.0),
            pair_facility=pair_fac[sel],
            pair_demand=catch.demand[sel],
            pair_dist_m=catch.dist_m[sel],
            cutoff_m=st_cut,
        )
        demand_m["reachable_area_per_100hh_m2"] = tsfca.demand_ratio_per_100hh_m2
        reach_comm = community_mean(tsfca.demand_ratio_per_100hh_m2, hh, demand_m["community_id"])

    sites_m, site_catch, siting_res = _empty_sites(crs), _empty_polys(crs), None
    with steps.step("siting"):
        if siting_spec is not None:
            sites_m, site_catch, siting_res = _run_siting(
                siting_spec, project, profile, inputs, graph, demand_m, dem_snap, crs, issues
            )

    with steps.step("isochrones"):
        jobs = []
        for cat in categories:
            idx = np.flatnonzero((fac_m["category"] == cat).to_numpy() & fac_snap.ok)
            if len(idx) > 0:
                jobs += [(cat, lv, fac_snap.subset(idx), dist) for lv, dist in levels.items()]
        # GEOS buffering releases the GIL: the category × level unions run on every core
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            geoms = list(pool.map(lambda job: isochrone(graph, job[2], cutoff_m=job[3]), jobs))
        iso_rows = [
            {"category": cat, "level": lv, "geometry": geom}
            for (cat, lv, _, _), geom in zip(jobs, geoms, strict=True)
            if not geom.is_empty
        ]
        iso_m = gpd.GeoDataFrame(
            iso_rows, columns=["category", "level", "geometry"], geometry="geometry", crs=crs
        )

    # ------------------------------------------------------------ assemble frames
    area_norm = profile.area_per_100hh.value if profile.area_per_100hh else np.nan
    fac_out = fac_m.copy()
    fac_out["served_households"] = served
    fac_out["required_floor_area_m2"] = np.where(
        fac_out["category"] == STATION, served * area_norm / 100.0, np.nan
    )
    st = norm.stations.reindex(fac_out["id"].astype(str))
    for col in st.columns:
        fac_out[col] = st[col].to_numpy()
    if "community_id" not in fac_out:
        fac_out["community_id"] = None
    fac_out.loc[fac_out["category"].isin([STATION, STREET_CENTER]), "community_id"] = (
        stations["community_id"].reindex(fac_out.index).dropna()
    )

    comm_out = comm.copy()
    comm_idx = comm_out["id"].astype(str)
    for frame in (norm.communities, cov.by_community):
        aligned = frame.reindex(comm_idx)
        for col in aligned.columns:
            comm_out[col] = aligned[col].to_numpy()
    comm_out["reachable_area_per_100hh_m2"] = reach_comm.reindex(comm_idx).to_numpy()
    if profile.area_per_100hh is not None:
        fig = profile.area_per_100hh
        comm_out["area_per_100hh_source"] = f"{fig.source} ({fig.status})"
    tier_src = {t: f"{f.source} ({f.status})" for t, f in profile.station_min_area.items()}
    if "tier" in fac_out:
        fac_out["station_min_area_source"] = fac_out["tier"].map(tier_src)

    demand_out = demand_m.drop(columns=["snap_dist_m"]).copy()
    demand_out["id"] = demand_out["id"].astype(str)

    uncovered_rows = []
    for cat in categories:
        d = profile.categories[cat].distance_m.value
        miss = (demand_m[f"dist_m_{cat}"].to_numpy() > d) & dem_snap.ok & (pop > 0)
        if miss.any():
            part = demand_m.loc[miss, ["population", "geometry"]].copy()
            part["category"] = cat
            part["level"] = profile.categories[cat].level
            uncovered_rows.append(part)
    uncovered = (
        gpd.GeoDataFrame(pd.concat(uncovered_rows, ignore_index=True), geometry="geometry", crs=crs)
        if uncovered_rows
        else gpd.GeoDataFrame({"population": [], "category": [], "level": []}, geometry=[], crs=crs)
    )

    lines = network_lines(graph)
    merged = shapely.line_merge(shapely.multilinestrings(lines.geometry.to_numpy()))
    streets = gpd.GeoDataFrame(geometry=list(shapely.get_parts(merged)), crs=lines.crs)
    total_pop = float(pop[dem_snap.ok].sum())
    summary = _summary(
        profile=profile,
        cov=cov,
        norm_counts=norm.counts,
        siting=siting_res,
        sites=sites_m,
        total_pop=total_pop,
        n_issues=len(issues),
        timings=steps.timings,
        total_s=time.perf_counter() - t_start,
        project=project,
    )
    net_path = project.network.path
    methods = Methods(
        network_source=_network_source(project),
        network_date=(osm_date(net_path) if net_path else None)
        or (
            datetime.fromtimestamp(net_path.stat().st_mtime, tz=UTC).date().isoformat()
            if net_path
            else datetime.now(tz=UTC).date().isoformat()
        ),
        n_nodes=graph.n_nodes,
        n_edges=graph.n_edges,
        metric_crs=crs.to_string(),
        max_snap_m=project.network.max_snap_m,
        level_distances_m=levels,
        walk_speed_m_per_min=float(profile.walk_speed_m_per_min.value),
        profile_id=profile.id,
        profile_name=profile.name,
        osm_credit=_is_osm_data(project),
    )
    results = RunResults(
        project_name=project.name,
        lang=project.lang,
        communities=comm_out.to_crs(WGS84),
        facilities=fac_out.to_crs(WGS84),
        demand=demand_out.to_crs(WGS84),
        isochrones=iso_m.to_crs(WGS84),
        sites=sites_m.to_crs(WGS84),
        site_catchments=site_catch.to_crs(WGS84),
        streets=streets.to_crs(WGS84),
        uncovered=uncovered.to_crs(WGS84),
        compliance=norm.compliance,
        coverage=cov.overall.assign(
            category_name=[
                _category_name(profile, c, project.lang) for c in cov.overall["category"]
            ]
        ),
        figures=profile.figures(),
        summary=summary,
        issues=issues.to_frame(),
        methods=methods,
        extra={"timings": steps.timings, "by_street": cov.by_street, "t_start": t_start},
    )
    return results


def _category_name(profile: Profile, category: str, lang: str) -> str:
    """A category's name in the run's language."""
    norm = profile.categories[category]
    return norm.name_en if lang == "en" else norm.name_zh


def _network_source(project: Project) -> str:
    net = project.network
    if net.path is None:
        return f"OpenStreetMap: {net.place} (OSM download)"
    name = net.path.name.lower()
    kinds = {
        ".osm.pbf": "OSM PBF",
        ".pbf": "OSM PBF",
        ".osm.bz2": "OSM XML",
        ".osm": "OSM XML",
        ".graphml": "osmnx GraphML",
    }
    for suffix, kind in kinds.items():
        if name.endswith(suffix):
            return f"{net.path.name} ({kind})"
    return f"{net.path.name} (road lines)"


#: The generator name the embedded demo county's synthetic streets carry in their OSM XML header.
SYNTHETIC_GENERATOR = "lifecircle demo generator"


def _is_osm_data(project: Project) -> bool:
    """Whether the streets are OpenStreetMap data (to credit), not a road layer or synthetic."""
    path = project.network.path
    if path is None:
        return True
    name = path.name.lower()
    if name.endswith((".osm.pbf", ".pbf", ".osm.bz2")):
        return True
    if name.endswith((".osm", ".xml")):
        with path.open("rb") as fh:
            head = fh.read(1024).decode("utf-8", errors="replace")
        return SYNTHETIC_GENERATOR not in head
    return name.endswith(".graphml")


def _empty_sites(crs: CRS) -> gpd.GeoDataFrame:
    cols = [
        "rank",
        "candidate_id",
        "category",
        "newly_covered_population",
        "required_floor_area_m2",
        "served_households",
    ]
    return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs=crs)


def _empty_polys(crs: CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"rank": [], "category": []}, geometry=[], crs=crs)


def _run_siting(
    spec: SitingSpec,
    project: Project,
    profile: Profile,
    inputs: Inputs,
    graph: WalkGraph,
    demand_m: gpd.GeoDataFrame,
    dem_snap: SnappedPoints,
    crs: CRS,
    issues: IssueLog,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, SitingResult]:
    cat = spec.category
    cut = float(profile.categories[cat].distance_m.value)
    dist = demand_m[f"dist_m_{cat}"].to_numpy()
    pop = np.where(dem_snap.ok, demand_m["population"].to_numpy(dtype=float), 0.0)
    hh = np.where(dem_snap.ok, demand_m["households"].to_numpy(dtype=float), 0.0)
    covered = dist <= cut
    if inputs.candidates is not None:
        cand = inputs.candidates.to_crs(crs).reset_index(drop=True)
        pts = cand.geometry.representative_point()
        cand_snap = snap_points(
            graph, pts.x.to_numpy(), pts.y.to_numpy(), max_snap_m=project.network.max_snap_m
        )
        report_snapping(
            cand_snap,
            list(cand["id"]),
            layer="candidates",
            max_snap_m=project.network.max_snap_m,
            graph=graph,
            issues=issues,
        )
        cand_ids = cand["id"].astype(str).to_numpy()
        cand_xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
        capacity = (
            cand["max_floor_area_m2"].to_numpy(dtype=float)
            if "max_floor_area_m2" in cand
            else np.full(len(cand), np.nan)
        )
    else:
        unc = (~covered) & dem_snap.ok & (pop > 0)
        pick = generate_candidates(
            dem_snap.px, dem_snap.py, uncovered=unc, spacing_m=spec.candidate_spacing_m
        )
        cand_xy = np.column_stack([dem_snap.px[pick], dem_snap.py[pick]])
        cand_snap = snap_points(
            graph, cand_xy[:, 0], cand_xy[:, 1], max_snap_m=project.network.max_snap_m
        )
        cand_ids = np.array([f"G{i + 1:04d}" for i in range(len(pick))])
        capacity = np.full(len(pick), np.nan)
        issues.add(
            "candidates",
            "",
            f"no candidates layer: {len(pick)} candidate points generated on the "
            f"network in uncovered areas, {spec.candidate_spacing_m:.0f} m apart",
            "used as siting candidates",
        )
    ok = np.flatnonzero(cand_snap.ok)
    if len(ok) == 0:
        raise InputError("siting: no candidate site could be snapped to the walk network")
    area = _siting_area_norm(profile, cat)
    min_fig = profile.facility_min_area.get(cat)
    min_area = float(min_fig.value) if min_fig is not None else np.nan
    if area is None:
        # no per-household norm: a candidate must at least hold the category's minimum size
        too_small = capacity[ok] < min_area
        for cid in cand_ids[ok][too_small]:
            issues.add(
                "candidates",
                cid,
                f"maximum floor area is below the {min_area:.0f} m² a {cat} needs "
                f"({min_fig.source if min_fig else ''})",
                "not considered for siting",
            )
        ok = ok[~too_small]
        if len(ok) == 0:
            raise InputError(
                f"siting: no candidate site can hold the {min_area:.0f} m² a {cat} needs"
            )
    pairs = catchments(graph, dem_snap, cand_snap.subset(ok), cutoff_m=cut)
    common: dict[str, Any] = {
        "pair_candidate": pairs.facility,
        "pair_demand": pairs.demand,
        "weight": pop,
        "n_candidates": len(ok),
        "time_limit_s": spec.time_limit_s,
    }
    if spec.problem == "mclp":
        res = mclp(
            **common,
            n_sites=spec.new_sites,
            already_covered=covered,
            households=hh,
            capacity_m2=capacity[ok] if area is not None else None,
            area_per_100hh_m2=area,
        )
    elif spec.problem == "lscp":
        res = lscp(
            **common,
            target_share=spec.target_share,
            already_covered=covered,
            households=hh,
            capacity_m2=capacity[ok] if area is not None else None,
            area_per_100hh_m2=area,
        )
    else:
        res = p_median(
            **common,
            pair_dist_m=pairs.dist_m,
            n_sites=spec.new_sites,
            existing_dist_m=np.where(np.isfinite(dist), dist, np.inf),
        )
    chosen = ok[res.selected]
    sites = gpd.GeoDataFrame(
        {
            "rank": np.arange(1, len(chosen) + 1),
            "candidate_id": cand_ids[chosen],
            "category": cat,
            "newly_covered_population": res.marginal_gain,
            "required_floor_area_m2": np.fmax(
                np.where(area is None, np.nan, res.required_floor_area_m2), min_area
            ),
            "served_households": res.served_households,
        },
        geometry=gpd.points_from_xy(cand_xy[chosen, 0], cand_xy[chosen, 1]),
        crs=crs,
    )
    polys = isochrones_per_source(graph, cand_snap.subset(chosen), cutoff_m=cut)
    site_catch = gpd.GeoDataFrame(
        {"rank": sites["rank"].to_numpy(), "category": cat}, geometry=polys, crs=crs
    )
    return sites, site_catch, res


def _siting_area_norm(profile: Profile, category: str) -> float | None:
    """The m² per 100 households a new site of ``category`` must offer, if the profile has one."""
    if category == STATION and profile.area_per_100hh is not None:
        return float(profile.area_per_100hh.value)
    norm = getattr(profile.categories[category], "area_per_100hh", None)
    return float(norm.value) if norm is not None else None


def _summary(
    *,
    profile: Profile,
    cov: Any,
    norm_counts: Mapping[str, Mapping[str, int]],
    siting: SitingResult | None,
    sites: gpd.GeoDataFrame,
    total_pop: float,
    n_issues: int,
    timings: Mapping[str, float],
    total_s: float,
    project: Project,
) -> dict[str, Any]:
    coverage: dict[str, dict[str, float]] = {}
    for row in cov.overall.itertuples():
        coverage.setdefault(str(row.category), {})[str(row.level)] = round(
            float(row.network_share), 6
        )
    site_rows = [
        {
            "rank": int(r.rank),
            "category": str(r.category),
            "candidate_id": str(r.candidate_id),
            "newly_covered_population": round(float(r.newly_covered_population), 1),
            "required_floor_area_m2": round(float(r.required_floor_area_m2), 1),
        }
        for r in sites.itertuples()
    ]
    return {
        "project": project.name,
        "profile": profile.id,
        "lifecircle_version": __version__,
        "population_total": round(total_pop, 1),
        "coverage": coverage,
        "completeness": {k: round(float(v), 6) for k, v in cov.completeness.items()},
        "norms": {k: {kk: int(vv) for kk, vv in v.items()} for k, v in norm_counts.items()},
        "siting": site_rows,
        "siting_solution": None
        if siting is None
        else {
            "problem": siting.problem,
            "objective": float(siting.objective),
            "bound": float(siting.bound),
            "gap": float(siting.gap),
            "exact": bool(siting.exact),
            "method": siting.method,
        },
        "data_issues": n_issues,
        "timings_s": {k: round(float(v), 4) for k, v in timings.items()}
        | {"total": round(total_s, 4)},
    }


# --------------------------------------------------------------------------- outputs


def _frame_for_gpkg(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Plain column types GeoPackage takes: bools as 0/1, text as str, non-finite floats as NULL."""
    out = gdf.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        series = out[col]
        if pd.api.types.is_bool_dtype(series):
            out[col] = series.astype("float64").where(series.notna()).astype("Int8")
        elif pd.api.types.is_float_dtype(series):
            out[col] = series.where(np.isfinite(series.to_numpy(dtype=float)))
        elif not pd.api.types.is_numeric_dtype(series):
            out[col] = series.map(
                lambda v: (
                    None
                    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                    else str(v)
                )
            ).astype(object)
    return out


def write_outputs(
    results: RunResults,
    out_dir: Path,
    *,
    basemap: Basemap = "none",
    offline: bool = False,
    tile_url: str | None = None,
    tile_attribution: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Path]:
    """Write the output folder atomically: every file goes to a temporary folder first.

    Returns
    -------
    dict
        Output name → final path.
    """
    from lifecircle.analysis.report import render_report_html, write_report_xlsx
    from lifecircle.maps.webmap import build_map, save_map

    steps = _Steps(progress)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".lifecircle-tmp-", dir=out_dir))
    try:
        with steps.step("map"):
            title = (
                f"{results.project_name} · 15分钟生活圈"
                if results.lang == "zh"
                else f"{results.project_name} · 15-minute life circle"
            )
            attribution = (
                "© OpenStreetMap contributors (ODbL)"
                if results.methods.osm_credit
                else ("合成数据，仅供演示" if results.lang == "zh" else "synthetic data")
            )
            area = results.communities["area_per_100hh_required_m2"].dropna()
            m = build_map(
                communities=results.communities,
                facilities=results.facilities,
                isochrones=results.isochrones,
                uncovered=results.uncovered,
                sites=results.sites,
                site_catchments=results.site_catchments,
                streets=results.streets,
                title=title,
                subtitle=f"{results.methods.profile_name} ({results.methods.profile_id})",
                lang=results.lang,
                basemap=basemap,
                offline=offline,
                tile_url=tile_url,
                tile_attribution=tile_attribution,
                threshold_m2_per_100hh=float(area.iloc[0]) if len(area) else None,
                category_names=dict(
                    zip(
                        results.coverage["category"],
                        results.coverage["category_name"],
                        strict=False,
                    )
                ),
                attribution=attribution,
            )
            save_map(m, tmp / "map.html")
        with steps.step("report"):
            timings = dict(results.summary["timings_s"])
            (tmp / "report.html").write_text(render_report_html(results), encoding="utf-8")
            write_report_xlsx(results, tmp / "report.xlsx")
            gpkg = tmp / "results.gpkg"
            layers = {
                "demand": results.demand,
                "communities": results.communities,
                "facilities": results.facilities,
                "isochrones": results.isochrones,
                "sites": results.sites,
            }
            for name, gdf in layers.items():
                _frame_for_gpkg(gdf).to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
            results.issues.reindex(columns=list(ISSUE_COLUMNS)).to_csv(
                tmp / "issues.csv", index=False, encoding="utf-8-sig"
            )
        timings.update({k: round(v, 4) for k, v in steps.timings.items()})
        t_start = results.extra.get("t_start")
        if t_start is not None:
            timings["total"] = round(time.perf_counter() - float(t_start), 4)
        summary = dict(results.summary) | {"timings_s": timings}
        (tmp / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        names = [
            "map.html",
            "report.html",
            "report.xlsx",
            "results.gpkg",
            "summary.json",
            "issues.csv",
        ]
        for name in names:
            os.replace(tmp / name, out_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {n.split(".")[0] if n != "report.xlsx" else "report_xlsx": out_dir / n for n in names}


def run_project(
    project: Project,
    *,
    progress: Progress | None = None,
    siting: SitingSpec | None = None,
) -> RunOutput:
    """Run a project end to end and write its output folder.

    Raises
    ------
    InputError
        Bad input (every problem listed); nothing is written in that case.
    """
    results = analyse(project, progress=progress, siting=siting)
    files = write_outputs(
        results,
        project.output,
        basemap=project.map.basemap,
        offline=project.map.offline,
        tile_url=project.map.tile_url,
        tile_attribution=project.map.tile_attribution,
        progress=progress,
    )
    return RunOutput(project.output, files, results)


def _metric_crs(communities: gpd.GeoDataFrame) -> CRS:
    """The local metric CRS of a run: the UTM zone of the communities' centroid."""
    centre = shapely.get_coordinates(communities.union_all().centroid)[0]
    return local_metric_crs(float(centre[0]), float(centre[1]))


def check_project(project: Project) -> list[str]:
    """Validate every input of a project without writing anything; return the problems found.

    The network is loaded with the options a run uses, so its cache serves the run after it.
    """
    issues = IssueLog()
    problems: list[str] = []
    crs: str | None = None
    try:
        crs = _metric_crs(load_inputs(project, issues=issues).communities).to_string()
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        load_network(
            project.network.path,
            place=project.network.place,
            crs=crs,
            keep_private="compounds" in project.layers,
            cache=project.network.cache,
            issues=issues,
        )
    except InputError as exc:
        problems.extend(exc.problems)
    return problems


def with_siting(
    project: Project, *, category: str | None, new_sites: int | None
) -> SitingSpec | None:
    """The project's siting section with CLI overrides applied."""
    base = project.siting
    if category is None and new_sites is None:
        return base
    if base is None:
        if category is None:
            raise InputError(
                "--new-sites needs --category (no [siting] section in the project file)"
            )
        base = SitingSpec(category=category)
    return replace(
        base,
        category=category or base.category,
        new_sites=new_sites if new_sites is not None else base.new_sites,
    )
