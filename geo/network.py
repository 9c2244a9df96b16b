"""The walk network as arrays: node coordinates in metres and an undirected CSR adjacency.

Every edge is a straight segment between two nodes, so its length is the Euclidean distance in
the metric CRS and a point snapped onto it splits it exactly. Loaders (:mod:`lifecircle.geo.osm`)
split curved ways into segments at every vertex.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lifecircle.errors import NetworkError

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class WalkGraph:
    """An undirected walk network in a metric CRS.

    Build one with :meth:`from_edges`; the CSR arrays are derived from the edge list.

    Attributes
    ----------
    x, y
        Node coordinates in metres, shape ``(n_nodes,)``.
    edge_u, edge_v
        End nodes of each undirected edge, shape ``(n_edges,)``, ``edge_u < edge_v``.
    edge_length_m
        Length of each edge in metres (the straight segment between its nodes).
    crs
        The metric CRS of ``x`` and ``y`` as a string pyproj reads (e.g. ``"EPSG:32648"``).
    node_id
        The source's id of each node (OSM node id, or the row in a road layer), for reports.
    source
        A short description of where the graph came from (file name and format).
    indptr, indices, arc_length_m, arc_edge
        Symmetric CSR adjacency: the arcs leaving node ``i`` are ``indptr[i]:indptr[i+1]``;
        ``arc_edge`` gives the undirected edge of each arc.
    """

    x: FloatArray
    y: FloatArray
    edge_u: IntArray
    edge_v: IntArray
    edge_length_m: FloatArray
    crs: str
    node_id: IntArray
    source: str = ""
    indptr: IntArray = field(init=False, repr=False)
    indices: IntArray = field(init=False, repr=False)
    arc_length_m: FloatArray = field(init=False, repr=False)
    arc_edge: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.x)
        u = np.concatenate([self.edge_u, self.edge_v])
        v = np.concatenate([self.edge_v, self.edge_u])
        e = np.concatenate([np.arange(len(self.edge_u)), np.arange(len(self.edge_u))])
        order = np.lexsort((v, u))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
        object.__setattr__(self, "indptr", indptr)
        object.__setattr__(self, "indices", v[order].astype(np.int64))
        object.__setattr__(self, "arc_edge", e[order].astype(np.int64))
        object.__setattr__(self, "arc_length_m", self.edge_length_m[e[order]])

    @classmethod
    def from_edges(
        cls,
        x: ArrayLike,
        y: ArrayLike,
        u: ArrayLike,
        v: ArrayLike,
        *,
        crs: str,
        node_id: ArrayLike | None = None,
        source: str = "",
    ) -> WalkGraph:
        """Build a graph from node coordinates (m) and segment end-node indices.

        Self-loops and repeated segments are dropped; nodes no edge touches are removed; edge
        lengths are the Euclidean segment lengths in metres.

        Raises
        ------
        NetworkError
            If no edge remains.
        """
        xa = np.asarray(x, dtype=np.float64)
        ya = np.asarray(y, dtype=np.float64)
        ua = np.asarray(u, dtype=np.int64)
        va = np.asarray(v, dtype=np.int64)
        ids = np.arange(len(xa), dtype=np.int64) if node_id is None else np.asarray(node_id)
        lo = np.minimum(ua, va)
        hi = np.maximum(ua, va)
        keep = lo != hi
        lo, hi = lo[keep], hi[keep]
        if len(lo) == 0:
            raise NetworkError(f"{source or 'network'}: no walkable street segment was found")
        pairs = np.unique(np.stack([lo, hi], axis=1), axis=0)
        used = np.unique(pairs)
        remap = np.full(len(xa), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        eu = remap[pairs[:, 0]]
        ev = remap[pairs[:, 1]]
        nx_, ny_ = xa[used], ya[used]
        length = np.hypot(nx_[eu] - nx_[ev], ny_[eu] - ny_[ev])
        return cls(nx_, ny_, eu, ev, length, crs, np.asarray(ids)[used].astype(np.int64), source)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.x)

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return len(self.edge_u)

    def csr(self) -> sp.csr_array:
        """Return the symmetric adjacency as a SciPy CSR array of lengths in metres."""
        return sp.csr_array(
            (self.arc_length_m, self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes)
        )

    def components(self) -> IntArray:
        """Return the connected-component label of every node; label 0 is the largest."""
        from scipy.sparse.csgraph import connected_components

        _, labels = connected_components(self.csr(), directed=False)
        sizes = np.bincount(labels)
        rank = np.empty_like(sizes)
        rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
        return rank[labels].astype(np.int64)
