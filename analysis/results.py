"""The results of one run, as the map and the report read them.

Every frame is in WGS84 (EPSG:4326) lon/lat so the map can draw it directly; distances and areas
were computed in the local metric CRS before. Column names follow the output contract of
``results.gpkg`` (see the README): ``dist_m_<category>``, ``cov_<category>_<5/10/15>min``,
``area_per_100hh_m2`` and so on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from lifecircle.analysis.siting import SitingResult
from lifecircle.vocab import Lang


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
        The streets are the embedded demo county's synthetic data.
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
        ``community_size_result`` (passed / failed / not_provided) and further norm results.
    facilities
        Points: ``id``, ``name``, ``category``, ``category_name``, ``floor_area_m2``,
        ``community_id``, ``snap_dist_m``, ``served_households``, ``required_floor_area_m2``,
        ``tier``, ``station_min_area_m2``, ``station_min_area_result`` (passed / failed /
        not_provided).
    demand
        Points: ``id``, ``population``, ``households``, ``community_id``, ``dist_m_<category>``,
        ``reachable_area_per_100hh_m2``.
    isochrones
        Polygons: ``category``, ``level`` (``5min`` / ``10min`` / ``15min``), one union per pair.
    sites
        Points: ``rank``, ``candidate_id``, ``category``, ``newly_covered_population``,
        ``required_floor_area_m2``; may be empty.
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
    figures
        Every norm figure the run used: ``key``, ``label``, ``value``, ``unit``, ``source``,
        ``status``.
    issues
        The data problems (columns ``layer``, ``row_id``, ``problem``, ``action``).
    methods
        What the methods section states.
    population_total
        People counted (snapped to the walk network), the base of every coverage share.
    completeness
        Per level, the share (0–1) of people who reach every category the level requires.
    norm_counts
        Per norm check, how many communities (stations for ``station_min_area``) passed,
        failed or had no norm or data: ``{check: {"passed": n, "failed": n, "not_provided": n}}``.
    siting_solution
        The siting problem's solution (objective, bound, method), or None without siting.
    timings_s
        Seconds each analysis step took, by step name.
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

    def coverage_shares(self) -> dict[str, dict[str, float]]:
        """Network coverage share (0–1) per category and level, in the coverage table's order."""
        out: dict[str, dict[str, float]] = {}
        cov = self.coverage
        shares = cov["network_share"].to_numpy(dtype=float)
        for cat, level, share in zip(cov["category"], cov["level"], shares, strict=True):
            out.setdefault(str(cat), {})[str(level)] = float(share)
        return out
