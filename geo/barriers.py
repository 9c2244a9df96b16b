"""Barrier nodes closed to walkers: a locked gate, a private bollard or fence across a way.

The readers flag the nodes whose tags close them to walkers (``WalkGraph.node_barrier``, see
:func:`lifecircle.geo.walkrules.node_closed`). :func:`close_barriers` applies them: each closed
node is split into one node per street it joins, so a walker reaches the barrier from either side
but does not pass it, the way a gated compound's wall stops them. A point of the gates layer
within ``tolerance_m`` of a barrier opens it (the nearest one): the gate residents use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lifecircle.geo.network import WalkGraph

logger = logging.getLogger(__name__)

IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class ClosedBarriers:
    """The walk graph with its closed barriers applied.

    Attributes
    ----------
    graph
        The graph with every closed barrier node split (``node_barrier`` all False).
    closed
        How many barrier nodes stop walkers (count).
    opened
        How many flagged barrier nodes a gate point opened (count).
    """

    graph: WalkGraph
    closed: int
    opened: int


def close_barriers(
    graph: WalkGraph, *, open_xy: ArrayLike | None = None, tolerance_m: float = 30.0
) -> ClosedBarriers:
    """Split every barrier node closed to walkers so that no path passes through it.

    Parameters
    ----------
    graph
        The walk network with ``node_barrier`` flags (metric CRS).
    open_xy
        Gate points, shape ``(n, 2)``, metres in the graph's CRS: each opens the nearest flagged
        barrier within ``tolerance_m``.
    tolerance_m
        How far (m) a gate point may lie from the barrier node it opens.

    Returns
    -------
    ClosedBarriers
        The rewritten graph (edges and their lengths unchanged, a closed node of degree ``d``
        becoming ``d`` nodes at the same place) and the counts.

    Examples
    --------
    >>> g = WalkGraph.from_edges(
    ...     [0, 100, 200], [0, 0, 0], [0, 1], [1, 2], crs="EPSG:32648", barrier=[False, True, False]
    ... )
    >>> closed = close_barriers(g)
    >>> closed.closed, closed.graph.n_nodes, closed.graph.n_edges
    (1, 4, 2)
    """
    flagged = np.flatnonzero(graph.node_barrier)
    open_mask = np.zeros(graph.n_nodes, dtype=bool)
    pts = np.zeros((0, 2)) if open_xy is None else np.asarray(open_xy, dtype=float).reshape(-1, 2)
    if len(flagged) and len(pts):
        from scipy.spatial import cKDTree

        tree = cKDTree(np.stack([graph.x[flagged], graph.y[flagged]], axis=1))
        dist, which = tree.query(pts, k=1, distance_upper_bound=tolerance_m)
        open_mask[flagged[which[np.isfinite(dist)]]] = True
    closing = graph.node_barrier & ~open_mask
    n_open = int((graph.node_barrier & open_mask).sum())
    if not closing.any():
        return ClosedBarriers(_without_flags(graph), 0, n_open)
    n = graph.n_nodes
    degree = np.diff(graph.indptr)
    row = np.repeat(np.arange(n, dtype=np.int64), degree)
    rank = np.arange(len(row), dtype=np.int64) - graph.indptr[row]
    moved = closing[row] & (rank > 0)  # the first street keeps the node, the others get copies
    node = row[moved]
    edge = graph.arc_edge[moved]
    copy = n + np.arange(len(node), dtype=np.int64)
    u = graph.edge_u.copy()
    v = graph.edge_v.copy()
    at_u = graph.edge_u[edge] == node
    u[edge[at_u]] = copy[at_u]
    v[edge[~at_u]] = copy[~at_u]
    rebuilt = WalkGraph.from_edges(
        np.concatenate([graph.x, graph.x[node]]),
        np.concatenate([graph.y, graph.y[node]]),
        u,
        v,
        crs=graph.crs,
        node_id=np.concatenate([graph.node_id, graph.node_id[node]]),
        source=graph.source,
        steps=graph.edge_steps,
    )
    n_closed = int(closing.sum())
    logger.info("%d barrier nodes closed to walkers, %d opened by gates", n_closed, n_open)
    return ClosedBarriers(rebuilt, n_closed, n_open)


def _without_flags(graph: WalkGraph) -> WalkGraph:
    """The graph with every barrier flag cleared (nothing left to apply)."""
    if not graph.node_barrier.any():
        return graph
    return WalkGraph(
        graph.x,
        graph.y,
        graph.edge_u,
        graph.edge_v,
        graph.edge_length_m,
        graph.crs,
        graph.node_id,
        graph.source,
        graph.edge_steps,
    )


__all__ = ["ClosedBarriers", "close_barriers"]
