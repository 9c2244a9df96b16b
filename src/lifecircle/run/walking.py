"""Walking time in a run: the network's walking efforts, each category's minutes at the pace of
the group it serves, and coverage by time weighted by that group.

The distance measure (``dist_m_<category>``, ``cov_<category>_<level>``) is untouched; walking
time is a second measure beside it (``time_min_<category>``, ``tcov_<category>_<minutes>min``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lifecircle.analysis.coverage import TimeCoverage, compute_time_coverage
from lifecircle.analysis.groups import group_population
from lifecircle.analysis.profiles import Profile
from lifecircle.analysis.results import WalkingMethods
from lifecircle.dataissues import IssueLog
from lifecircle.errors import LayerError
from lifecircle.geo.dem import read_dem
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import nearest_facility_time
from lifecircle.geo.snap import SnappedPoints
from lifecircle.geo.walktime import WalkCost, walk_cost
from lifecircle.issuetexts import source_title
from lifecircle.run.inputs import Prepared
from lifecircle.vocab import (
    EVERYONE,
    Lang,
    dist_column,
    minutes_level,
    time_column,
    time_coverage_column,
)
from lifecircle.walkingspec import WalkingSpec

#: Margin (m) around the network's extent read from the DEM.
_DEM_MARGIN_M = 200.0


@dataclass(frozen=True)
class Walking:
    """The walk network's walking efforts and the paces of the groups.

    Attributes
    ----------
    cost
        Forward and backward efforts of every edge (flat-equivalent metres).
    spec
        The project's ``[walking]`` table.
    speed_mps
        Flat-ground pace (m/s) of every group of the profile, ``everyone`` included.
    dem_name
        The DEM's file name, or None (flat ground).
    barriers_closed, barriers_opened
        Barrier nodes closed to walkers, and opened by the gates layer (counts).
    """

    cost: WalkCost
    spec: WalkingSpec
    speed_mps: Mapping[str, float]
    dem_name: str | None
    barriers_closed: int = 0
    barriers_opened: int = 0


def walking_network(
    spec: WalkingSpec,
    graph: WalkGraph,
    profile: Profile,
    *,
    barriers: tuple[int, int] = (0, 0),
    issues: IssueLog,
) -> Walking:
    """Walking efforts of the network (DEM, slope, steps) and each group's pace.

    Edges off the DEM (or on its nodata cells) are walked flat and reported once; a group of the
    profile without a pace in ``[walking.groups]`` walks at the adult pace, reported.

    Raises
    ------
    LayerError
        If the DEM cannot be read or covers none of the network.
    """
    dem = None
    if spec.dem is not None and spec.slope != "none":
        m = _DEM_MARGIN_M
        bounds = (graph.x.min() - m, graph.y.min() - m, graph.x.max() + m, graph.y.max() + m)
        dem = read_dem(spec.dem, bounds=bounds, bounds_crs=graph.crs)
    cost = walk_cost(graph, dem=dem, slope=spec.slope, steps_factor=spec.steps_factor)
    if dem is not None and graph.n_edges and cost.flat.all():
        raise LayerError(
            f"{dem.name}: the DEM covers none of the street network (is it the tile of this "
            "area, and is its CRS right?); give the right file or remove walking.dem"
        )
    if dem is not None and cost.flat.any():
        km = float(graph.edge_length_m[cost.flat].sum()) / 1000.0
        issues.add("network", "", "dem_flat", segments=int(cost.flat.sum()), km=km, dem=dem.name)
    speeds = {EVERYONE: spec.speed_mps}
    for gid, group in profile.groups.items():
        pace = spec.speed_of(gid)
        if pace is None:
            issues.add(
                "walking",
                gid,
                "group_pace_missing",
                group=gid,
                name_zh=group.name_zh,
                speed_mps=spec.speed_mps,
            )
            pace = spec.speed_mps
        speeds[gid] = pace
    return Walking(cost, spec, speeds, None if dem is None else dem.name, *barriers)


def category_minutes(
    graph: WalkGraph,
    walking: Walking,
    profile: Profile,
    category: str,
    demand: SnappedPoints,
    facilities: SnappedPoints,
) -> np.ndarray:
    """Walking minutes from every demand point to the nearest facility of a category, at the
    pace of the group the category serves (inf where none is reachable)."""
    pace = walking.speed_mps[profile.categories[category].group]
    near = nearest_facility_time(graph, walking.cost, demand, facilities, speed_mps=pace)
    return near.time_min


def time_coverage(
    prepared: Prepared,
    demand: pd.DataFrame,
    profile: Profile,
    walking: Walking,
    distance_overall: pd.DataFrame,
    *,
    issues: IssueLog | None = None,
) -> TimeCoverage:
    """Coverage by walking time, each category weighted by the people of the group it serves.

    Parameters
    ----------
    prepared
        The run's layers: the communities give the groups' counts (columns named after the
        groups), else the project's or the profile's shares are assumed.
    demand
        The demand points with ``counted``, ``population``, ``community_id``,
        ``dist_m_<category>`` and ``time_min_<category>``.
    profile
        The categories' groups and the groups' assumed shares.
    walking
        The paces and the time levels.
    distance_overall
        The distance coverage table (``category``, ``level``, ``network_share``), quoted
        beside the time shares.
    issues
        Where assumed shares are reported (None: not reported, as for a scenario).

    Returns
    -------
    TimeCoverage
        ``overall`` with ``flat_time_share`` (the same pace on flat ground without steps) and
        ``distance_share`` added; ``by_community`` with the ``tcov_`` columns and
        ``flat_by_community`` with the flat-ground ones.
    """
    cats = list(profile.categories)
    group_of = {c: profile.categories[c].group for c in cats}
    shares = {
        g: walking.spec.groups[g].share
        if g in walking.spec.groups and walking.spec.groups[g].share is not None
        else profile.groups[g].share
        for g in profile.groups
    }
    people = group_population(
        demand["population"].to_numpy(dtype=float),
        demand["community_id"],
        pd.DataFrame(prepared.communities.drop(columns="geometry")),
        groups=sorted(set(group_of.values()) - {EVERYONE}),
        assumed_share={g: float(v or 0.0) for g, v in shares.items()},
        point_counts={g: demand[g].to_numpy(dtype=float) for g in shares if g in demand},
    )
    levels = walking.spec.levels_min
    result = compute_time_coverage(
        demand, categories=cats, group_of=group_of, group_people=people.people, levels_min=levels
    )
    flat = demand[["counted", "community_id"]].copy()
    for c in cats:
        dist = pd.to_numeric(demand[dist_column(c)], errors="coerce").to_numpy(dtype=float)
        flat[time_column(c)] = dist / walking.speed_mps[group_of[c]] / 60.0
    flat_result = compute_time_coverage(
        flat, categories=cats, group_of=group_of, group_people=people.people, levels_min=levels
    )
    overall = result.overall.copy()
    overall["flat_time_share"] = flat_result.overall["time_share"].to_numpy()
    dist_share = distance_overall.set_index(["category", "level"])["network_share"]
    keys = list(zip(overall["category"], overall["level"], strict=True))
    overall["distance_share"] = [float(dist_share.get(k, np.nan)) for k in keys]
    if issues is not None:
        _report_groups(people.assumed, people.capped, shares, profile, walking, issues)
    return TimeCoverage(overall, result.by_community, flat_result.by_community)


#: Slope and steps are called out where they lower a community's time coverage by this much.
CALLOUT_DROP = 0.10


def hill_callouts(
    timed: TimeCoverage,
    communities: pd.DataFrame,
    profile: Profile,
    lang: Lang,
    *,
    min_drop: float = CALLOUT_DROP,
) -> pd.DataFrame:
    """Where slope and steps lower a community's time coverage by ``min_drop`` or more.

    Returns
    -------
    DataFrame
        ``community_id``, ``community_name``, ``category``, ``category_name``, ``group``,
        ``level``, ``flat_time_share``, ``time_share`` and ``drop`` (flat − sloped, 0–1),
        largest drop first.
    """
    columns = [
        "community_id",
        "community_name",
        "category",
        "category_name",
        "group",
        "level",
        "flat_time_share",
        "time_share",
        "drop",
    ]
    flat = timed.flat_by_community
    if flat is None or timed.by_community.empty:
        return pd.DataFrame(columns=columns)
    names = communities.set_index(communities["id"].astype(str))["name"]
    rows = []
    for cat in profile.categories:
        for level in timed.overall.loc[timed.overall["category"] == cat, "minutes"]:
            col = time_coverage_column(cat, float(level))
            ids = [str(c) for c in flat.index]
            flat_share = flat[col].to_numpy(dtype=float)
            time_share = timed.by_community[col].reindex(flat.index).to_numpy(dtype=float)
            drop = flat_share - time_share
            for k in np.flatnonzero(drop >= min_drop - 1e-12):
                rows.append(
                    (
                        ids[k],
                        names.get(ids[k], ""),
                        cat,
                        profile.category_name(cat, lang),
                        profile.categories[cat].group,
                        minutes_level(float(level)),
                        float(flat_share[k]),
                        float(time_share[k]),
                        float(drop[k]),
                    )
                )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("drop", ascending=False, kind="stable").reset_index(drop=True)


def _report_groups(
    assumed: Mapping[str, list[str]],
    capped: Mapping[str, list[str]],
    shares: Mapping[str, float | None],
    profile: Profile,
    walking: Walking,
    issues: IssueLog,
) -> None:
    for g, ids in assumed.items():
        if not ids:
            continue
        given = walking.spec.groups.get(g)
        by_project = given is not None and given.share is not None
        source = source_title(profile.groups[g].source)
        sample = ", ".join(ids[:8]) + (" …" if len(ids) > 8 else "")
        issues.add(
            "communities",
            "",
            "group_count_missing",
            group=g,
            name_zh=profile.groups[g].name_zh,
            count=len(ids),
            sample=sample,
            share=float(shares[g] or 0.0),
            whence_zh="项目的步行人群设置" if by_project else f"配置“{profile.name}”：{source}",
            whence_en="[walking.groups]" if by_project else f"profile {profile.id}",
        )
    for g, ids in capped.items():
        for cid in ids:
            issues.add(
                "communities",
                cid,
                "group_count_too_large",
                group=g,
                name_zh=profile.groups[g].name_zh,
            )


def walking_methods(walking: Walking, profile: Profile, graph: WalkGraph) -> WalkingMethods:
    """What the methods section states about walking time."""
    names = {EVERYONE: ("全体居民", "all residents")} | {
        g: (p.name_zh, p.name_en) for g, p in profile.groups.items()
    }
    spec = walking.spec
    assumed = {
        g: spec.groups[g].share
        if g in spec.groups and spec.groups[g].share is not None
        else p.share
        for g, p in profile.groups.items()
    }
    return WalkingMethods(
        speed_mps=dict(walking.speed_mps),
        group_names=names,
        slope=spec.slope,
        dem=walking.dem_name,
        steps_factor=spec.steps_factor,
        levels_min=spec.levels_min,
        steps_edges=int(graph.edge_steps.sum()),
        flat_edges=int(walking.cost.flat.sum()),
        barriers_closed=walking.barriers_closed,
        barriers_opened=walking.barriers_opened,
        assumed_shares={g: float(v or 0.0) for g, v in assumed.items()},
    )


__all__ = [
    "Walking",
    "category_minutes",
    "hill_callouts",
    "time_coverage",
    "walking_methods",
    "walking_network",
]
