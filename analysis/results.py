"""The results of one run, as the map and the report read them.

Every frame is in WGS84 (EPSG:4326) lon/lat so the map can draw it directly; distances and areas
were computed in the local metric CRS before. Column names follow the output contract of
``results.gpkg`` (see the README): ``dist_m_<category>``, ``cov_<category>_<5/10/15>min``,
``area_per_100hh_m2`` and so on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from lifecircle.analysis.accounting import PopulationAccount
from lifecircle.analysis.siting import SitingResult
from lifecircle.vocab import Lang


@dataclass(frozen=True)
class WalkingMethods:
    """How walking time was measured, as the methods section states it.

    Attributes
    ----------
    speed_mps
        Flat-ground pace (m/s) per population group (``everyone`` = an adult).
    group_names
        Display names ``(Chinese, English)`` of the groups, by id.
    slope
        ``tobler`` or ``none``.
    dem
        The elevation model's file name, or None (flat ground).
    steps_factor
        Multiplier of the time on a flight of steps.
    levels_min
        The life-circle levels of the time measure (minutes).
    steps_edges, flat_edges
        Street segments that are steps, and that lie off the DEM (walked flat), counts.
    barriers_closed, barriers_opened
        Barrier nodes closed to walkers, and those the gates layer opened, counts.
    assumed_shares
        Per group, the share (0–1) of the population assumed where no count was given.
    """

    speed_mps: Mapping[str, float]
    group_names: Mapping[str, tuple[str, str]]
    slope: str
    dem: str | None
    steps_factor: float
    levels_min: tuple[float, ...]
    steps_edges: int
    flat_edges: int
    barriers_closed: int
    barriers_opened: int
    assumed_shares: Mapping[str, float]


@dataclass(frozen=True)
class Methods:
    """What the methods section of the report states about a run.

    Attributes
    ----------
    network_source
        The network file (or place) and its format, e.g. ``streets.osm (OSM XML)``.
    network_date
        The date of the network data (file modification date, ISO ``YYYY-MM-DD``).
    n_nodes, n_edges
        Size of the walk graph.
    metric_crs
        The CRS the analysis ran in, e.g. ``EPSG:32648``.
    max_snap_m
        Points farther than this from every street were not snapped.
    level_distances_m
        The walking distance of each life-circle level, ``{"5min": 300.0, ...}``.
    walk_speed_m_per_min
        Walking speed used to express distances as minutes.
    profile_id, profile_name
        The norm profile used.
    osm_credit
        The streets are OpenStreetMap data, to be credited (ODbL).
    synthetic
        The project's data are synthetic (``[project] synthetic = true``, the embedded demo
        county): the map and the report say so.
    walking
        How walking time was measured (paces, DEM, slope, steps), or None.
    """

    network_source: str
    network_date: str
    n_nodes: int
    n_edges: int
    metric_crs: str
    max_snap_m: float
    level_distances_m: dict[str, float]
    walk_speed_m_per_min: float
    profile_id: str
    profile_name: str
    osm_credit: bool = True
    synthetic: bool = False
    walking: WalkingMethods | None = None


@dataclass(frozen=True)
class Comparison:
    """How one run differs from another over the same demand points.

    Attributes
    ----------
    name
        The scenario's (or the second project's) name.
    coverage
        One row per category and level: ``category``, ``category_name``, ``level``,
        ``distance_m``, ``share_before``, ``share_after``, ``share_delta`` (shares 0–1 of the
        counted population), ``newly_covered_population``, ``no_longer_covered_population``
        (people).
    norm_counts
        After the change: check → ``{"passed": n, "failed": n, "not_provided": n}``.
    norm_counts_before
        The same before the change.
    communities
        Communities whose floor-area results change: ``id``, ``name`` and, for each of
        :data:`COMMUNITY_CHECK_COLUMNS`, ``<column>_before`` and ``<column>_after``.
    facilities
        Facilities added, closed or resized (points, WGS84): ``id``, ``name``, ``category``,
        ``category_name``, ``change``, ``floor_area_before_m2``, ``floor_area_after_m2``.
    gained, lost
        Demand points (WGS84) that come within, or fall out of, reach of a category at that
        category's own level: ``population``, ``category``, ``level``.
    """

    name: str
    coverage: pd.DataFrame
    norm_counts: Mapping[str, Mapping[str, int]]
    norm_counts_before: Mapping[str, Mapping[str, int]]
    communities: pd.DataFrame
    facilities: gpd.GeoDataFrame
    gained: gpd.GeoDataFrame
    lost: gpd.GeoDataFrame

    def changed_coverage(self) -> pd.DataFrame:
        """The rows of :attr:`coverage` where anyone gains or loses reach."""
        cov = self.coverage
        moved = (cov["newly_covered_population"] > 0) | (cov["no_longer_covered_population"] > 0)
        return cov[moved.to_numpy()]


@dataclass(frozen=True)
class InputFile:
    """One file a run read, identified by its content.

    Attributes
    ----------
    role
        What the run read it as: ``project``, ``profile``, ``network``, a layer name
        (``communities``, ``facilities`` …), or a sidecar of one (``communities (.dbf)``).
    path
        Relative to the project file's folder, with forward slashes (absolute outside it).
    sha256
        SHA-256 of the file's bytes, hex.
    size_bytes
        The file's size.
    """

    role: str
    path: str
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class Provenance:
    """Where a run's figures come from, so that a reviewer can tell a filed figure from its files.

    Attributes
    ----------
    tool_version
        The lifecircle version that ran.
    profile_id
        The norm profile's id.
    profile_sha256
        SHA-256 of the resolved profile (every figure with its source and status, every
        category; parents applied), as canonical JSON: equal hashes mean equal norms.
    inputs
        Every file read, with its SHA-256, in the order the run read them.
    parameters
        The project's settings that shape the results (fields, CRS declarations, encodings,
        distances, siting …), paths written as in :attr:`InputFile.path`.
    """

    tool_version: str
    profile_id: str
    profile_sha256: str
    inputs: tuple[InputFile, ...]
    parameters: Mapping[str, Any]


@dataclass(frozen=True)
class RunResults:
    """Everything one run produced, in the shape the map and report writers take.

    Attributes
    ----------
    project_name
        The ``[project] name`` of the project file.
    lang
        Language of the map and report.
    communities
        Polygons, one row per community: ``id``, ``name``, ``kind``, ``street``, ``households``,
        ``population``, ``service_floor_area_m2``, ``area_per_100hh_m2``,
        ``area_per_100hh_required_m2``, ``area_per_100hh_pass``, ``area_per_100hh_shortfall_m2``,
        ``reachable_area_per_100hh_m2``, ``cov_<category>_<level>`` (shares 0–1),
        ``tcov_<category>_<minutes>min`` (time coverage shares 0–1 of the group served),
        ``community_size_result`` (passed / failed / not_provided) and further norm results;
        ``population_supplied``, ``population_counted``, ``population_left_out``,
        ``left_out_far_from_network`` (people); with siting, ``uncovered_before_sites_population``
        and ``uncovered_after_sites_population``: the counted people beyond the siting
        category's distance before, and after, the proposed sites (existing facilities and
        chosen sites).
    facilities
        Points: ``id``, ``name``, ``category``, ``category_name``, ``floor_area_m2``,
        ``community_id``, ``snap_dist_m``, ``served_households``, ``required_floor_area_m2``,
        ``tier``, ``station_min_area_m2``, ``station_min_area_result`` (passed / failed /
        not_provided).
    demand
        Points: ``id``, ``population``, ``households``, ``community_id``, ``dist_m_<category>``,
        ``time_min_<category>`` (walking minutes at the served group's pace),
        ``reachable_area_per_100hh_m2``.
    isochrones
        Polygons: ``category``, ``level`` (``5min`` / ``10min`` / ``15min``), one union per pair.
    isochrones_time
        Polygons: ``category``, ``minutes``, ``group``: per category and ``[walking]`` time
        level, the area from which one of its facilities is reached within the minutes at the
        pace of the group it serves, slope and steps included; None without walking times.
    sites
        Points: ``rank``, ``candidate_id``, ``category``, ``newly_covered_population`` (people
        newly within the category's distance thanks to the site, given the existing facilities
        and the sites ranked before it, for every problem), ``required_floor_area_m2``,
        ``served_households``, ``walking_saved_km_person`` (p-median: person·km of walking the
        site saves given the ones before it; NaN for the other problems); may be empty.
    site_catchments
        Polygons: ``rank``, ``category``: the walking catchment of each proposed site; may be empty.
    streets
        Lines of the walk network (for a faint background layer).
    uncovered
        Points or grid cells: ``population``, ``category``, ``level`` for people outside reach.
    compliance
        One row per community (or station) and check: ``subject`` (community / station),
        ``id``, ``name``, ``check``, ``value``, ``threshold``, ``unit``, ``result`` (passed / failed
        / not_provided), ``shortfall``, ``source``, ``status`` (P / S / B / U).
    coverage
        One row per category and level: ``category``, ``category_name``, ``level``,
        ``distance_m``, ``network_share``, ``straight_line_share``, ``population_covered``,
        ``required`` (bool: the profile requires this category at this level).
    time_coverage
        One row per category and time level: ``category``, ``category_name``, ``group``,
        ``level`` (``5min`` …), ``minutes``, ``time_share`` (share 0–1 of the group's people
        who walk there within the minutes, slope and steps included), ``flat_time_share`` (the
        same on flat ground without steps, at the group's pace), ``distance_share`` (the
        distance measure's share of everyone at the same level, NaN where the level has no
        distance), ``group_population``, ``population_covered``; empty without walking times.
    time_callouts
        Communities where slope and steps lower the time coverage by 10 points or more:
        ``community_id``, ``community_name``, ``category``, ``category_name``, ``group``,
        ``level``, ``flat_time_share``, ``time_share``, ``drop`` (0–1); largest drop first.
    figures
        Every norm figure the run used: ``key``, ``label``, ``value``, ``unit``, ``source``,
        ``status``.
    issues
        The data problems (columns ``layer``, ``row_id``, ``problem``, ``action``).
    methods
        What the methods section states.
    population_total
        People counted (snapped to the walk network), the base of every coverage share.
    population_account
        The people supplied, counted and left out with the reason; None for results not made by
        a run. The communities frame has the same per community: ``population_supplied``,
        ``population_counted`` (= ``population``), ``population_left_out``,
        ``left_out_far_from_network``.
    completeness
        Per level, the share (0–1) of people who reach every category the level requires.
    norm_counts
        Per norm check, how many communities (stations for ``station_min_area``) passed,
        failed or had no norm or data: ``{check: {"passed": n, "failed": n, "not_provided": n}}``.
    siting_solution
        The siting problem's solution (objective, bound, method), or None without siting.
    timings_s
        Seconds each analysis step took, by step name.
    scenarios
        How each ``[[scenarios]]`` table changes these results, in file order.
    provenance
        The tool version, profile, input files with their SHA-256 and the parameters of the run;
        None for results not made by a run (built by hand, in tests).
    compounds, gates
        The project's gated compounds (polygons, ``id``) and their gates (points, ``id``,
        ``compound_id``) in WGS84, drawn on the map; None when the project gives none.
    communities_crs
        The CRS the communities layer was read in, the default CRS of ``results.gpkg``
        (CGCS2000, EPSG:4490, where they were GCJ-02 or BD-09 lon/lat); None: EPSG:4326.
    organization
        The ``[project] organization`` (编制单位) shown on the report's cover; empty when not
        given.
    """

    project_name: str
    lang: Lang
    communities: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    isochrones: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    site_catchments: gpd.GeoDataFrame
    streets: gpd.GeoDataFrame
    uncovered: gpd.GeoDataFrame
    compliance: pd.DataFrame
    coverage: pd.DataFrame
    figures: pd.DataFrame
    issues: pd.DataFrame
    methods: Methods
    population_total: float
    completeness: Mapping[str, float]
    norm_counts: Mapping[str, Mapping[str, int]]
    siting_solution: SitingResult | None = None
    timings_s: Mapping[str, float] = field(default_factory=dict)
    scenarios: tuple[Comparison, ...] = ()
    provenance: Provenance | None = None
    time_coverage: pd.DataFrame = field(default_factory=pd.DataFrame)
    time_callouts: pd.DataFrame = field(default_factory=pd.DataFrame)
    isochrones_time: gpd.GeoDataFrame | None = None
    compounds: gpd.GeoDataFrame | None = None
    gates: gpd.GeoDataFrame | None = None
    communities_crs: CRS | None = None
    population_account: PopulationAccount | None = None
    organization: str = ""

    @cached_property
    def category_names(self) -> dict[str, str]:
        """Category id → name as the profile gives it: the coverage table's, else the
        facilities'. Read once per run (the workbook asks for a name per cell)."""
        names: dict[str, str] = {}
        for frame in (self.facilities, self.coverage):  # the coverage table's name wins
            if len(frame) and "category_name" in frame:
                for cat, name in zip(frame["category"], frame["category_name"], strict=True):
                    if isinstance(name, str) and name:
                        names[str(cat)] = name
        return names

    def coverage_shares(self) -> dict[str, dict[str, float]]:
        """Network coverage share (0–1) per category and level, in the coverage table's order."""
        out: dict[str, dict[str, float]] = {}
        cov = self.coverage
        shares = cov["network_share"].to_numpy(dtype=float)
        for cat, level, share in zip(cov["category"], cov["level"], shares, strict=True):
            out.setdefault(str(cat), {})[str(level)] = float(share)
        return out
