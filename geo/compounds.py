"""Gated compounds (小区): people inside reach the street network only through the gates.

:func:`apply_compounds` rewrites the walk graph:

1. every edge that crosses a compound's boundary farther than ``gate_tolerance_m`` from one of
   that compound's gates is removed (walls and fences);
2. each gate becomes a node, joined by a straight connector to the nearest point of the nearest
   street outside every compound, and, when the compound has inner paths, to the nearest point of
   its nearest inner path (the edges hit are split there);
3. every edge is labelled with the compound its midpoint lies in (-1 outside all).

The pipeline then snaps people inside compound ``k`` only to edges with ``edge_compound == k``
(``snap_points(..., allowed_edges=net.edge_compound == k)``) and everyone else to edges with
``edge_compound == -1``. A compound without inner paths has its gate connectors labelled ``k``
instead of -1, so its residents snap to the connector of the nearest gate and walk out through
it; the same rule then works for every compound.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely import Polygon

from lifecircle.dataissues import IssueLog
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.snap import project_onto_edges

logger = logging.getLogger(__name__)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class CompoundNetwork:
    """The walk graph with compound walls and gates applied.

    Attributes
    ----------
    graph
        The rewritten graph: edges crossing a compound boundary away from a gate removed, gate
        nodes and connectors added; the pieces of a split flight of steps stay steps.
    edge_compound
        Compound index of each edge of ``graph`` (-1 outside every compound).
    gate_node
        Node index of each gate in ``graph`` (-1 for a gate that could not be connected).
    """

    graph: WalkGraph
    edge_compound: IntArray
    gate_node: IntArray


def compound_of_points(x: ArrayLike, y: ArrayLike, compounds: Sequence[Polygon]) -> IntArray:
    """Return the index of the compound containing each point (m), -1 outside all.

    A point on a boundary counts as inside; where compounds overlap the lowest index wins.
    """
    xa = np.asarray(x, dtype=np.float64).ravel()
    ya = np.asarray(y, dtype=np.float64).ravel()
    out = np.full(len(xa), -1, dtype=np.int64)
    if len(compounds) == 0 or len(xa) == 0:
        return out
    tree = shapely.STRtree(np.asarray(compounds, dtype=object))
    pt, poly = tree.query(np.asarray(shapely.points(xa, ya)), predicate="intersects")
    order = np.lexsort((poly, pt))[::-1]  # the lowest compound index of each point written last
    out[pt[order]] = poly[order]
    return out


def apply_compounds(
    graph: WalkGraph,
    compounds: Sequence[Polygon],
    gates: ArrayLike,
    gate_compound: ArrayLike,
    *,
    gate_tolerance_m: float = 30.0,
    issues: IssueLog | None = None,
) -> CompoundNetwork:
    """Apply compound walls and gates to a walk graph.

    Parameters
    ----------
    graph
        The walk network (metric CRS).
    compounds
        Compound polygons in the graph's CRS.
    gates
        Gate coordinates, shape ``(n_gates, 2)``, metres in the graph's CRS.
    gate_compound
        Index into ``compounds`` of each gate's compound.
    gate_tolerance_m
        A street crossing a boundary within this distance of one of the compound's gates is
        kept (it is the gate's own street); gates farther than this from their compound's
        boundary are reported. The default allows for a wall drawn 20–30 m from the street
        centreline where the gate point was taken.
    issues
        Where to report gates that are far from their boundary, point to no compound, or cannot
        be connected, and compounds without gates.

    Returns
    -------
    CompoundNetwork
        The rewritten graph and the compound label of each of its edges.

    Raises
    ------
    ValueError
        If ``gates`` is not ``(n, 2)`` or ``gate_compound`` has another length.
    """
    g_xy = np.asarray(gates, dtype=np.float64).reshape(-1, 2)
    g_comp = np.asarray(gate_compound, dtype=np.int64).ravel()
    if len(g_comp) != len(g_xy):
        raise ValueError(f"{len(g_xy)} gates but {len(g_comp)} gate_compound values")
    n_comp = len(compounds)
    polys = np.asarray(compounds, dtype=object)
    log = issues if issues is not None else IssueLog()
    bad_gate = (g_comp < 0) | (g_comp >= n_comp)
    for i in np.flatnonzero(bad_gate):
        log.add("gates", i, "gate_compound_index", index=int(g_comp[i]), count=n_comp)
    for k in sorted(set(range(n_comp)) - set(g_comp[~bad_gate].tolist())):
        log.add("compounds", k, "compound_without_gate")

    # 1. Walls: remove edges crossing a boundary away from that compound's gates.
    seg = np.empty((graph.n_edges, 2, 2))
    seg[:, 0, 0], seg[:, 0, 1] = graph.x[graph.edge_u], graph.y[graph.edge_u]
    seg[:, 1, 0], seg[:, 1, 1] = graph.x[graph.edge_v], graph.y[graph.edge_v]
    lines = np.asarray(shapely.linestrings(seg))
    keep = np.ones(graph.n_edges, dtype=bool)
    if n_comp:
        bounds = np.asarray(shapely.boundary(polys))
        e_idx, c_idx = shapely.STRtree(bounds).query(lines, predicate="intersects")
        cross = np.asarray(shapely.intersection(lines[e_idx], bounds[c_idx]))
        coords, which = shapely.get_coordinates(cross, return_index=True)
        pt_comp = c_idx[which]
        near_gate = np.zeros(len(coords), dtype=bool)
        for k in np.unique(pt_comp):
            mine = g_xy[(g_comp == k) & ~bad_gate]
            sel = np.flatnonzero(pt_comp == k)
            if len(mine):
                d = np.hypot(
                    coords[sel, None, 0] - mine[None, :, 0], coords[sel, None, 1] - mine[None, :, 1]
                )
                near_gate[sel] = d.min(axis=1) <= gate_tolerance_m
        keep[e_idx[which[~near_gate]]] = False
    mid_x = (seg[:, 0, 0] + seg[:, 1, 0]) / 2.0
    mid_y = (seg[:, 0, 1] + seg[:, 1, 1]) / 2.0
    label = compound_of_points(mid_x, mid_y, compounds)
    logger.debug("compound walls removed %d edges", int((~keep).sum()))

    # 2. Gates: a node per gate, connectors to the nearest outside street and inner path.
    nx_ = list(graph.x)
    ny_ = list(graph.y)
    n0 = graph.n_nodes
    splits: dict[int, list[tuple[float, int]]] = {}
    new_u: list[int] = []
    new_v: list[int] = []
    new_label: list[int] = []
    gate_node = np.full(len(g_xy), -1, dtype=np.int64)
    outside = np.flatnonzero(keep & (label == -1))
    tree_out = shapely.STRtree(lines[outside]) if len(outside) else None
    inner_trees: dict[int, tuple[IntArray, shapely.STRtree]] = {}
    for k in range(n_comp):
        inner = np.flatnonzero(keep & (label == k))
        if len(inner):
            inner_trees[k] = (inner, shapely.STRtree(lines[inner]))

    def attach(edges: IntArray, tree: shapely.STRtree, gx: float, gy: float) -> int:
        j = int(tree.query_nearest(shapely.Point(gx, gy))[0])
        e = edges[j]
        t, px, py, _ = project_onto_edges(graph, np.array([e]), np.array([gx]), np.array([gy]))
        nx_.append(float(px[0]))
        ny_.append(float(py[0]))
        node = len(nx_) - 1
        splits.setdefault(int(e), []).append((float(t[0]), node))
        return node

    for i in np.flatnonzero(~bad_gate):
        k = int(g_comp[i])
        gx, gy = float(g_xy[i, 0]), float(g_xy[i, 1])
        off = float(shapely.distance(shapely.Point(gx, gy), polys[k].boundary))
        if off > gate_tolerance_m:
            log.add("gates", i, "gate_off_boundary", distance_m=off, tolerance_m=gate_tolerance_m)
        if tree_out is None:
            log.add("gates", i, "gate_no_street")
            continue
        nx_.append(gx)
        ny_.append(gy)
        gnode = len(nx_) - 1
        gate_node[i] = gnode
        p_out = attach(outside, tree_out, gx, gy)
        new_u.append(gnode)
        new_v.append(p_out)
        new_label.append(-1 if k in inner_trees else k)
        if k in inner_trees:
            p_in = attach(*inner_trees[k], gx, gy)
            new_u.append(gnode)
            new_v.append(p_in)
            new_label.append(k)

    # 3. Rebuild the edge list with split edges, keeping labels aligned with from_edges' order.
    eu: list[int] = []
    ev: list[int] = []
    el: list[int] = []
    es: list[bool] = []  # split pieces stay steps where their edge was
    kept = np.flatnonzero(keep)
    plain = np.setdiff1d(kept, np.fromiter(splits.keys(), dtype=np.int64, count=len(splits)))
    for e, pts in splits.items():
        chain = [int(graph.edge_u[e]), *(node for _, node in sorted(pts)), int(graph.edge_v[e])]
        eu += chain[:-1]
        ev += chain[1:]
        el += [int(label[e])] * (len(chain) - 1)
        es += [bool(graph.edge_steps[e])] * (len(chain) - 1)
    u_all = np.concatenate([graph.edge_u[plain], np.asarray(eu + new_u, dtype=np.int64)])
    v_all = np.concatenate([graph.edge_v[plain], np.asarray(ev + new_v, dtype=np.int64)])
    l_all = np.concatenate([label[plain], np.asarray(el + new_label, dtype=np.int64)])
    s_all = np.concatenate(
        [graph.edge_steps[plain], np.asarray(es + [False] * len(new_u), dtype=bool)]
    )
    lo, hi = np.minimum(u_all, v_all), np.maximum(u_all, v_all)
    loop = lo == hi
    lo, hi, l_all, s_all = lo[~loop], hi[~loop], l_all[~loop], s_all[~loop]
    _, first = np.unique(np.stack([lo, hi], axis=1), axis=0, return_index=True)
    node_id = np.concatenate([graph.node_id, np.full(len(nx_) - n0, -1, dtype=np.int64)])
    barrier = np.concatenate([graph.node_barrier, np.zeros(len(nx_) - n0, dtype=bool)])
    new_graph = WalkGraph.from_edges(
        nx_,
        ny_,
        lo,
        hi,
        crs=graph.crs,
        node_id=node_id,
        source=graph.source,
        steps=s_all,
        barrier=barrier,
    )
    # from_edges drops nodes no edge touches; map gate nodes to their new index.
    used = np.unique(np.stack([lo, hi]))
    remap = np.full(len(nx_), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    gate_node[gate_node >= 0] = remap[gate_node[gate_node >= 0]]
    return CompoundNetwork(new_graph, l_all[first].astype(np.int64), gate_node)
