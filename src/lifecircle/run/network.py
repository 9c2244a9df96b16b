"""Steps 2 and 3: the walk network (with barriers, gated compounds and walking efforts) and the
points snapped onto it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely import Polygon

from lifecircle.dataissues import IssueLog
from lifecircle.geo.barriers import close_barriers
from lifecircle.geo.compounds import apply_compounds, compound_of_points
from lifecircle.geo.netload import load_network
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.snap import SnappedPoints, report_snapping, snap_points
from lifecircle.project import Project
from lifecircle.run.inputs import Inputs, Prepared
from lifecircle.run.walking import Walking, walking_network


@dataclass(frozen=True)
class Network:
    """The walk graph of a run and the compounds it honours.

    Attributes
    ----------
    graph
        The walk graph in the run's metric CRS (gates applied where compounds are given).
    edge_compound
        Per edge, the index of the compound it lies in (-1 outside every compound), or None.
    compounds
        The compound polygons in the metric CRS (empty without compounds and gates).
    walking
        The walking efforts of ``graph`` (DEM, slope, steps) and the groups' paces.
    """

    graph: WalkGraph
    edge_compound: np.ndarray | None
    compounds: Sequence[Polygon]
    walking: Walking | None = None


@dataclass(frozen=True)
class Snapped:
    """Demand points and facilities snapped onto the walk network (row order of their frames)."""

    demand: SnappedPoints
    facilities: SnappedPoints


def open_network(project: Project, *, crs: str | None, issues: IssueLog) -> WalkGraph:
    """Load the project's network with the options every run uses (so one cache serves all)."""
    return load_network(
        project.network.path,
        place=project.network.place,
        crs=crs,
        keep_private="compounds" in project.layers,
        cache=project.network.cache,
        issues=issues,
        road_rules=project.network.rules,
    )


def build_network(project: Project, inputs: Inputs, crs: CRS, *, issues: IssueLog) -> Network:
    """Load the walk network, close its barriers (but those at the gates) and the gated compounds
    (but at their gates), and measure its walking efforts."""
    graph = open_network(project, crs=crs.to_string(), issues=issues)
    gates_xy = None if inputs.gates is None else inputs.gates.to_crs(crs).get_coordinates()
    barred = close_barriers(graph, open_xy=None if gates_xy is None else gates_xy.to_numpy())
    graph = barred.graph
    counts = (barred.closed, barred.opened)
    if inputs.compounds is None or inputs.gates is None:
        return _with_walking(project, inputs, Network(graph, None, []), counts, issues)
    compounds_m = inputs.compounds.to_crs(crs)
    gates_m = inputs.gates.to_crs(crs)
    polygons = list(compounds_m.geometry)
    index_of = {cid: i for i, cid in enumerate(compounds_m["id"])}
    gate_comp = np.array([index_of.get(c, -1) for c in gates_m["compound_id"]])
    for gid in gates_m.loc[gate_comp < 0, "id"]:
        issues.add("gates", gid, "gate_compound_unknown")
    keep = gate_comp >= 0
    closed = apply_compounds(
        graph,
        polygons,
        shapely.get_coordinates(gates_m.geometry[keep]),
        gate_comp[keep],
        issues=issues,
    )
    network = Network(closed.graph, closed.edge_compound, polygons)
    return _with_walking(project, inputs, network, counts, issues)


def _with_walking(
    project: Project, inputs: Inputs, network: Network, barriers: tuple[int, int], issues: IssueLog
) -> Network:
    walking = walking_network(
        project.walking, network.graph, inputs.profile, barriers=barriers, issues=issues
    )
    return replace(network, walking=walking)


def snap(project: Project, network: Network, prepared: Prepared, *, issues: IssueLog) -> Snapped:
    """Snap the demand points and the facilities, reporting every point that could not be."""
    return Snapped(
        demand=snap_layer(project, network, prepared.demand_m, "population", issues=issues),
        facilities=snap_layer(project, network, prepared.facilities_m, "facilities", issues=issues),
    )


def snap_layer(
    project: Project, network: Network, gdf_m: gpd.GeoDataFrame, layer: str, *, issues: IssueLog
) -> SnappedPoints:
    """Snap a layer's points (honouring compounds) and report those that could not be."""
    max_snap = project.network.max_snap_m
    x = gdf_m.geometry.x.to_numpy()
    y = gdf_m.geometry.y.to_numpy()
    if network.compounds and network.edge_compound is not None:
        snapped = _snap_in_compounds(network, x, y, max_snap_m=max_snap)
    else:
        snapped = snap_points(network.graph, x, y, max_snap_m=max_snap)
    report_snapping(
        snapped,
        list(gdf_m["id"]),
        layer=layer,
        max_snap_m=max_snap,
        graph=network.graph,
        issues=issues,
    )
    return snapped


def _snap_in_compounds(
    network: Network, x: np.ndarray, y: np.ndarray, *, max_snap_m: float
) -> SnappedPoints:
    """Inside a compound snap only to its inner edges, outside only to outside edges."""
    assert network.edge_compound is not None
    compound_idx = compound_of_points(x, y, network.compounds)
    sel_parts: list[np.ndarray] = []
    parts: list[SnappedPoints] = []
    for k in np.unique(compound_idx):
        sel = np.flatnonzero(compound_idx == k)
        allowed = network.edge_compound == k
        if k >= 0 and not allowed.any():
            allowed = network.edge_compound == -1
        sel_parts.append(sel)
        parts.append(
            snap_points(network.graph, x[sel], y[sel], max_snap_m=max_snap_m, allowed_edges=allowed)
        )
    order = np.argsort(np.concatenate(sel_parts), kind="stable")
    return SnappedPoints.concat(parts).subset(order)
