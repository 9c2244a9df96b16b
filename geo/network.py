"""The walk network as arrays: node coordinates in metres and an undirected CSR adjacency.

Every edge is a straight segment between two nodes, so its length is the Euclidean distance in
the metric CRS and a point snapped onto it splits it exactly. Loaders
(:func:`lifecircle.geo.netload.load_network`) split curved ways into segments at every vertex and
record where the network came from as a :class:`NetworkSource` on the graph.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lifecircle.errors import NetworkError

if TYPE_CHECKING:
    import geopandas as gpd

logger = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def _no_flags() -> BoolArray:
    """An empty flag array: "none set" (filled to the right length on construction)."""
    return np.zeros(0, dtype=bool)


def _flags(values: ArrayLike | None, n: int, name: str) -> BoolArray:
    """``values`` as a bool array of length ``n``; None or empty means all False."""
    if values is None:
        return np.zeros(n, dtype=bool)
    arr = np.asarray(values, dtype=bool).ravel()
    if len(arr) == 0:
        return np.zeros(n, dtype=bool)
    if len(arr) != n:
        raise ValueError(f"{name} has {len(arr)} values; expected {n}")
    return arr


#: The formats a network is read from.
NetworkFormat = Literal["osm_xml", "osm_pbf", "graphml", "road_lines", "osm_download"]

_FORMAT_LABEL: dict[str, str] = {
    "osm_xml": "OSM XML",
    "osm_pbf": "OSM PBF",
    "graphml": "osmnx GraphML",
    "road_lines": "road lines",
}


@dataclass(frozen=True)
class NetworkSource:
    """Where a walk network came from, as the loader decided it.

    Attributes
    ----------
    name
        The file name, or the place name for a download.
    format
        ``"osm_xml"``, ``"osm_pbf"``, ``"graphml"``, ``"road_lines"`` or ``"osm_download"``.
    date
        ISO date ``YYYY-MM-DD`` of the data: the date an OSM file declares in its header, else
        the file's modification date (UTC), else (download) the day of the download (UTC).
    osm
        Whether the data is OpenStreetMap data, to be credited "© OpenStreetMap contributors":
        OSM XML, PBF and GraphML files and downloads, but not road lines and not the demo
        county's synthetic streets.
    synthetic
        Whether these are the embedded demo county's synthetic streets (their OSM XML header
        names the generator ``lifecircle demo generator``).
    """

    name: str
    format: NetworkFormat
    date: str
    osm: bool
    synthetic: bool

    def describe(self) -> str:
        """Return the source as reports write it.

        Returns
        -------
        str
            E.g. ``"streets.osm (OSM XML)"``, ``"x.osm.pbf (OSM PBF)"``,
            ``"g.graphml (osmnx GraphML)"``, ``"roads.gpkg (road lines)"`` or
            ``"OpenStreetMap: <place> (OSM download)"``.
        """
        if self.format == "osm_download":
            return f"OpenStreetMap: {self.name} (OSM download)"
        return f"{self.name} ({_FORMAT_LABEL[self.format]})"


@dataclass(frozen=True)
class LonLatSegments:
    """Nodes and way segments before projection (the common output of the OSM readers).

    Attributes
    ----------
    node_id
        Source node ids, shape ``(n,)``.
    x, y
        Node coordinates: lon/lat degrees unless ``crs`` says otherwise.
    u, v
        Segment end nodes as indices into the node arrays.
    crs
        The CRS of ``x``/``y`` (``"EPSG:4326"`` for OSM data).
    steps
        Per segment: True where the way is a flight of steps (``highway=steps``); empty when
        the reader found none.
    barrier
        Per node: True where a barrier closes the way to walkers (``barrier=gate`` with
        ``access=private`` …, see :func:`lifecircle.geo.walkrules.node_closed`); empty when
        none.
    """

    node_id: NDArray[np.int64]
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    crs: str = "EPSG:4326"
    steps: BoolArray = field(default_factory=_no_flags)
    barrier: BoolArray = field(default_factory=_no_flags)

    @classmethod
    def from_lists(
        cls,
        node_id: ArrayLike,
        x: ArrayLike,
        y: ArrayLike,
        u: ArrayLike,
        v: ArrayLike,
        *,
        crs: str = "EPSG:4326",
        steps: ArrayLike | None = None,
        barrier: ArrayLike | None = None,
    ) -> LonLatSegments:
        """Build from lists (or arrays): ids and indices as int64, coordinates as float64.

        Parameters
        ----------
        node_id, x, y, u, v
            As the attributes; ``x``/``y`` in the units of ``crs`` (degrees for lon/lat).
        crs
            The CRS of ``x``/``y``.
        steps, barrier
            Per segment / per node flags (see the attributes); None for none.

        Returns
        -------
        LonLatSegments
            The arrays, converted.
        """
        ua = np.asarray(u, dtype=np.int64)
        ids = np.asarray(node_id, dtype=np.int64)
        return cls(
            ids,
            np.asarray(x, dtype=np.float64),
            np.asarray(y, dtype=np.float64),
            ua,
            np.asarray(v, dtype=np.int64),
            crs,
            _flags(steps, len(ua), "steps"),
            _flags(barrier, len(ids), "barrier"),
        )


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
        Where the graph came from (:class:`NetworkSource`); set by
        :func:`lifecircle.geo.netload.load_network`, None for graphs built otherwise.
    edge_steps
        Per edge: True on a flight of steps (``highway=steps``), whose walking time
        :func:`lifecircle.geo.walktime.walk_cost` multiplies; all False by default.
    node_barrier
        Per node: True on a barrier closed to walkers that is still to be applied
        (:func:`lifecircle.geo.barriers.close_barriers`); all False by default.
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
    source: NetworkSource | None = None
    edge_steps: BoolArray = field(default_factory=_no_flags, repr=False)
    node_barrier: BoolArray = field(default_factory=_no_flags, repr=False)
    indptr: IntArray = field(init=False, repr=False)
    indices: IntArray = field(init=False, repr=False)
    arc_length_m: FloatArray = field(init=False, repr=False)
    arc_edge: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.x)
        object.__setattr__(self, "edge_steps", _flags(self.edge_steps, len(self.edge_u), "steps"))
        object.__setattr__(self, "node_barrier", _flags(self.node_barrier, n, "node_barrier"))
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
        source: NetworkSource | None = None,
        label: str = "",
        steps: ArrayLike | None = None,
        barrier: ArrayLike | None = None,
    ) -> WalkGraph:
        """Build a graph from node coordinates (m) and segment end-node indices.

        Self-loops and repeated segments are dropped; nodes no edge touches are removed; edge
        lengths are the Euclidean segment lengths in metres. Two segments between the same nodes
        make one edge, a flight of steps only when both are steps (the walker takes the other).

        Parameters
        ----------
        x, y
            Node coordinates in metres in ``crs``.
        u, v
            Segment end nodes as indices into ``x``/``y``.
        crs
            The metric CRS of ``x``/``y`` as a string pyproj reads.
        node_id
            The source's id of each node; default the node's index.
        source
            Where the network came from, kept on the graph.
        label
            A short name of the input for messages (file name and format); default the
            ``source``'s description, else ``"network"``.
        steps
            Per segment: a flight of steps; default none.
        barrier
            Per node: a barrier closed to walkers; default none.

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
        seg_steps = _flags(steps, len(ua), "steps")
        node_barrier = _flags(barrier, len(xa), "barrier")
        lo = np.minimum(ua, va)
        hi = np.maximum(ua, va)
        keep = lo != hi
        lo, hi, seg_steps = lo[keep], hi[keep], seg_steps[keep]
        if len(lo) == 0:
            name = label or (source.describe() if isinstance(source, NetworkSource) else "network")
            raise NetworkError(f"{name}: no walkable street segment was found")
        pairs, inverse = np.unique(np.stack([lo, hi], axis=1), axis=0, return_inverse=True)
        flat = np.zeros(len(pairs), dtype=bool)
        np.logical_or.at(flat, inverse.ravel(), ~seg_steps)
        used = np.unique(pairs)
        remap = np.full(len(xa), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        eu = remap[pairs[:, 0]]
        ev = remap[pairs[:, 1]]
        nx_, ny_ = xa[used], ya[used]
        length = np.hypot(nx_[eu] - nx_[ev], ny_[eu] - ny_[ev])
        return cls(
            nx_,
            ny_,
            eu,
            ev,
            length,
            crs,
            np.asarray(ids)[used].astype(np.int64),
            source,
            ~flat,
            node_barrier[used],
        )

    def with_source(self, source: NetworkSource | None) -> WalkGraph:
        """Return this graph with ``source`` set; the arrays are shared, not copied or rebuilt.

        Parameters
        ----------
        source
            Where the network came from.

        Returns
        -------
        WalkGraph
            A new graph object with the same arrays.
        """
        out = copy.copy(self)
        object.__setattr__(out, "source", source)
        return out

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


def network_lines(graph: WalkGraph) -> gpd.GeoDataFrame:
    """Return the graph's edges as LineStrings in the graph's CRS.

    Parameters
    ----------
    graph
        The walk network.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per edge: ``u``, ``v`` (node indices), ``length_m`` (metres) and the straight
        segment as ``geometry``, in ``graph.crs``.
    """
    import geopandas as gpd
    import shapely

    coords = np.stack(
        [
            np.stack([graph.x[graph.edge_u], graph.y[graph.edge_u]], axis=1),
            np.stack([graph.x[graph.edge_v], graph.y[graph.edge_v]], axis=1),
        ],
        axis=1,
    )
    lines = shapely.linestrings(coords)
    return gpd.GeoDataFrame(
        {"u": graph.edge_u, "v": graph.edge_v, "length_m": graph.edge_length_m},
        geometry=lines,
        crs=graph.crs,
    )
