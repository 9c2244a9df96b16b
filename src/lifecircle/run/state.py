"""What the steps of a run hand on: the analyses of one set of facilities, and the whole run.

A scenario shares the run's network, demand points and snapping, and re-evaluates only what its
changed facilities touch; both are an :class:`Evaluation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd

from lifecircle.analysis.coverage import CoverageResult
from lifecircle.dataissues import IssueLog
from lifecircle.project import Project
from lifecircle.run.analyses import Catchments, Norms, Reach
from lifecircle.run.inputs import Inputs, Prepared
from lifecircle.run.network import Network, Snapped
from lifecircle.run.siting import Siting


@dataclass(frozen=True)
class Evaluation:
    """The analyses of one set of facilities on the run's network and demand points.

    Attributes
    ----------
    prepared
        The layers, with the facilities evaluated (metric CRS).
    snapped
        Demand points and those facilities on the network.
    reached, catch, cov, norms
        Nearest facility per category, facility catchments, coverage, and norm results.
    isochrones_m
        The isochrone union of every category × level (metric CRS).
    isochrones_time_m
        The walking-time isochrone union of every category × ``[walking]`` time level
        (``category``, ``minutes``, ``group``; metric CRS); None without ``[walking]``.
    """

    prepared: Prepared
    snapped: Snapped
    reached: Reach
    catch: Catchments
    cov: CoverageResult
    norms: Norms
    isochrones_m: gpd.GeoDataFrame
    isochrones_time_m: gpd.GeoDataFrame | None = None


@dataclass(frozen=True)
class RunState:
    """Everything a run computed before its results are assembled.

    Attributes
    ----------
    project, inputs, network
        The project, its validated layers and profile, and the walk network.
    evaluation
        The analyses of the project's facilities.
    siting
        The proposed sites (empty without siting).
    issues
        The data problems found.
    timings_s
        Seconds per step.
    """

    project: Project
    inputs: Inputs
    network: Network
    evaluation: Evaluation
    siting: Siting
    issues: IssueLog
    timings_s: Mapping[str, float]
