"""Step 1, the inputs: read and validate the layers and the profile, then prepare them for a run.

:func:`load_inputs` reads every layer through the one validation gate of
:mod:`lifecircle.geo.layers` and collects every problem before raising; :func:`prepare`
completes the communities, maps each facility's category to a profile id and builds the demand
points in the local metric CRS.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from lifecircle.analysis.profiles import Profile, load_profile
from lifecircle.dataissues import IssueLog
from lifecircle.errors import InputError, LayerError, ProfileError
from lifecircle.geo.crs import local_metric_crs
from lifecircle.geo.layers import SOURCE_CRS, read_layer
from lifecircle.geo.population import read_population, spread_population
from lifecircle.project import Project
from lifecircle.run.inputchecks import check_communities, check_facilities
from lifecircle.vocab import Lang

#: The CRS of results written from communities read in GCJ-02 or BD-09 lon/lat (corrected to
#: WGS84 on reading): CGCS2000 lon/lat, China's national system, the same as WGS84 to within
#: centimetres.
CGCS2000 = CRS.from_epsg(4490)


@dataclass(frozen=True)
class Inputs:
    """The validated layers of a project, in WGS84, and its norm profile.

    ``communities_crs`` is the CRS of the communities layer as read (its file's or the declared
    one), the default CRS of ``results.gpkg``: :data:`CGCS2000` where it was GCJ-02 or BD-09.
    """

    communities: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    population: gpd.GeoDataFrame | None
    candidates: gpd.GeoDataFrame | None
    compounds: gpd.GeoDataFrame | None
    gates: gpd.GeoDataFrame | None
    profile: Profile
    communities_crs: CRS = CGCS2000


@dataclass(frozen=True)
class Prepared:
    """The layers a run computes on.

    Attributes
    ----------
    communities
        Communities in WGS84 with ``population`` completed from households where missing and the
        optional columns ``kind``, ``street``, ``name`` present.
    crs
        The local metric CRS of the run (UTM zone of the communities' centroid).
    communities_m, facilities_m
        Communities and (categorised) facilities in that CRS.
    demand_m
        Demand points in that CRS: ``population``, ``households``, ``community_id``.
    """

    communities: gpd.GeoDataFrame
    crs: CRS
    communities_m: gpd.GeoDataFrame
    facilities_m: gpd.GeoDataFrame
    demand_m: gpd.GeoDataFrame


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
        communities_crs=source_crs(comm),
    )


def source_crs(frame: gpd.GeoDataFrame) -> CRS:
    """The CRS a layer read by :func:`~lifecircle.geo.layers.read_layer` was in, as results are
    written in: :data:`CGCS2000` for GCJ-02 or BD-09 lon/lat, which no GIS file declares; the
    frame's own CRS for a frame made otherwise."""
    read = frame.attrs.get(SOURCE_CRS)
    if read is None:
        return CRS.from_user_input(frame.crs)
    if read in ("gcj02", "bd09"):
        return CGCS2000
    return CRS.from_user_input(read)


def metric_crs(communities: gpd.GeoDataFrame) -> CRS:
    """The local metric CRS of a run: the UTM zone of the communities' centroid."""
    centre = shapely.get_coordinates(communities.union_all().centroid)[0]
    return local_metric_crs(float(centre[0]), float(centre[1]))


def prepare(project: Project, inputs: Inputs, *, issues: IssueLog) -> Prepared:
    """Complete the communities, categorise the facilities and build the demand points."""
    pph = project.persons_per_household
    comm = _complete_communities(inputs.communities, pph, issues)
    fac = categorise(inputs.facilities, inputs.profile, project.lang, issues)
    crs = metric_crs(comm)
    comm_m = comm.to_crs(crs)
    check_communities(comm_m, issues=issues)
    population = project.layers.get("population")
    return Prepared(
        communities=comm,
        crs=crs,
        communities_m=comm_m,
        facilities_m=check_facilities(fac.to_crs(crs), comm_m, issues=issues),
        demand_m=_demand_points(
            inputs,
            comm_m,
            crs,
            pph,
            issues,
            population_file=None if population is None else population.path.name,
        ),
    )


def categorise(
    fac: gpd.GeoDataFrame, profile: Profile, lang: Lang, issues: IssueLog
) -> gpd.GeoDataFrame:
    """Map each facility's category (id, Chinese name or alias) to our id; report the unknown."""
    ids = [profile.category_id(str(raw)) for raw in fac["category"]]
    fac = fac.assign(category_raw=fac["category"].astype(str), category=ids)
    unknown = fac["category"].isna()
    valid_zh = "、".join(c.name_zh for c in profile.categories.values())
    valid_en = ", ".join(f"{c.id} ({c.name_en})" for c in profile.categories.values())
    for _, row in fac[unknown].iterrows():
        issues.add(
            "facilities",
            row["id"],
            "category_unknown",
            raw=row["category_raw"],
            row=int(row["row"]) if "row" in row.index else None,
            profile_zh=profile.name,
            profile_en=profile.id,
            valid_zh=valid_zh,
            valid_en=valid_en,
        )
    fac = fac[~unknown].copy()
    fac["category_name"] = [profile.category_name(c, lang) for c in fac["category"]]
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
        issues.add("communities", cid, "population_estimated", pph=pph)
    comm.loc[missing, "population"] = (comm.loc[missing, "households"] * pph).round()
    for col in ("kind", "street", "name"):
        if col not in comm:
            comm[col] = None
    return comm


def _demand_points(
    inputs: Inputs,
    comm_m: gpd.GeoDataFrame,
    crs: CRS,
    pph: float,
    issues: IssueLog,
    *,
    population_file: str | None = None,
) -> gpd.GeoDataFrame:
    """Demand points in the metric CRS with population, households and community_id.

    Without a population layer, or with one where nobody lives (a raster of nodata), each
    community's population is spread over its area.
    """
    if inputs.population is not None and (inputs.population["population"] > 0).any():
        pop = inputs.population.to_crs(crs)
    else:
        if inputs.population is None:
            issues.add("population", "", "population_layer_missing")
        else:
            issues.add("population", "", "population_layer_empty", file=population_file)
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
            "population_outside",
            points=int(outside.sum()),
            people=float(pop.loc[outside, "population"].sum()),
        )
    pop["households"] = _households_per_point(pop, comm_m, pph)
    _report_population_mismatch(pop, comm_m, issues)
    return pop


def _report_population_mismatch(
    pop: gpd.GeoDataFrame, comm_m: gpd.GeoDataFrame, issues: IssueLog
) -> None:
    """Report communities where the population layer and the communities layer differ by > 10 %."""
    totals = pop.groupby("community_id")["population"].sum()
    for _, row in comm_m.iterrows():
        layer_total = float(totals.get(row["id"], 0.0))
        stated = float(row["population"]) if pd.notna(row["population"]) else np.nan
        if np.isfinite(stated) and stated > 0 and abs(layer_total - stated) > 0.1 * stated:
            issues.add(
                "population",
                row["id"],
                "population_mismatch",
                id=row["id"],
                layer_total=float(layer_total),
                stated=stated,
            )
