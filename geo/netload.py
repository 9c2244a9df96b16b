"""Loading walk networks from OSM XML, OSM PBF, osmnx GraphML and road-line layers.

:func:`load_network` is the one entry point: it picks the reader from the file suffix
(:func:`lifecircle.geo.netsource.source_format`), keeps the walkable ways
(:func:`lifecircle.geo.walkrules.is_walkable`, shared by every OSM format), splits every way into
straight segments at each vertex, projects to a local metric CRS and returns a
:class:`~lifecircle.geo.network.WalkGraph` whose ``source`` says where the network came from.
Parsed graphs are cached on disk keyed by the file's content hash
(:mod:`lifecircle.geo.netcache`).

Readers build arrays directly; no networkx object is created except for the ``place=`` download.

* OSM XML (``.osm``, ``.osm.bz2``, ``.xml``): :mod:`lifecircle.geo.osmxml`.
* OSM PBF (``.osm.pbf``, ``.pbf``): :mod:`lifecircle.geo.osmpbf`.
* GraphML (``.graphml``, as osmnx writes it): :mod:`lifecircle.geo.graphml`.
* Road lines (``.gpkg``, ``.shp``, ``.zip``, ``.geojson``, ``.json``, ``.parquet``):
  :mod:`lifecircle.geo.roadlines`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

import numpy as np
from pyproj import CRS, Transformer

from lifecircle.dataissues import IssueLog
from lifecircle.errors import NetworkError
from lifecircle.geo import netcache
from lifecircle.geo.crs import crs_string, resolve_crs
from lifecircle.geo.graphml import parse_graphml
from lifecircle.geo.netsource import FileFormat, download_source, file_source, source_format
from lifecircle.geo.network import LonLatSegments, WalkGraph
from lifecircle.geo.osmpbf import parse_osm_pbf
from lifecircle.geo.osmxml import parse_osm_xml
from lifecircle.geo.roadlines import load_road_lines
from lifecircle.geo.roadrules import RoadRules
from lifecircle.geo.walkrules import is_steps, is_walkable, node_closed

logger = logging.getLogger(__name__)

#: Bumped whenever a loader's output for the same input changes; part of the cache key.
LOADER_VERSION = "5"


class _Reader(Protocol):
    def __call__(
        self, path: Path, *, keep_private: bool = ..., issues: IssueLog | None = ...
    ) -> LonLatSegments: ...


#: The OSM readers and the label messages give their format.
_READERS: dict[str, tuple[_Reader, str]] = {
    "osm_xml": (parse_osm_xml, "OSM XML"),
    "osm_pbf": (parse_osm_pbf, "OSM PBF"),
    "graphml": (parse_graphml, "GraphML"),
}


def graph_from_segments(
    seg: LonLatSegments, *, crs: str | None, label: str, path: Path
) -> WalkGraph:
    """Project a reader's segments to a metric CRS and build the walk graph.

    Parameters
    ----------
    seg
        Nodes and segments in ``seg.crs`` (lon/lat degrees for OSM data).
    crs
        The metric CRS to project to; default the UTM zone of the used nodes' centre.
    label
        The input's name and format for messages, e.g. ``"streets.osm (OSM XML)"``.
    path
        The input file (or place), named when no walkable way was found.

    Returns
    -------
    WalkGraph
        Node coordinates in metres in the metric CRS; nodes no segment uses are dropped; the
        segments' ``steps`` and the nodes' ``barrier`` flags carried over.

    Raises
    ------
    NetworkError
        If there is no segment, or ``crs`` is unreadable or not metric.
    """
    if len(seg.u) == 0:
        raise NetworkError(
            f"{path}: no walkable highway ways found; is this an OSM extract of the area "
            "(with highway=* ways, not only buildings or land use)?"
        )
    used = np.unique(np.concatenate([seg.u, seg.v]))
    src = CRS.from_user_input(seg.crs)
    if src.is_geographic:
        lon, lat = seg.x[used], seg.y[used]
    else:
        to_ll = Transformer.from_crs(src, "EPSG:4326", always_xy=True)
        lon, lat = to_ll.transform(seg.x[used], seg.y[used])
    target = resolve_crs(crs, np.asarray(lon), np.asarray(lat))
    if target == src:
        x, y = seg.x, seg.y
    else:
        transformer = Transformer.from_crs(src, target, always_xy=True)
        x = np.full(len(seg.x), np.nan)
        y = np.full(len(seg.y), np.nan)
        x[used], y[used] = transformer.transform(seg.x[used], seg.y[used])
    graph = WalkGraph.from_edges(
        x,
        y,
        seg.u,
        seg.v,
        crs=crs_string(target),
        node_id=seg.node_id,
        label=label,
        steps=seg.steps,
        barrier=seg.barrier,
    )
    logger.info(
        "%s: walk graph with %d nodes and %d edges (%s)",
        label,
        graph.n_nodes,
        graph.n_edges,
        graph.crs,
    )
    return graph


def _hashed_files(path: Path) -> list[Path]:
    """The files whose bytes key the cache: a shapefile's sidecars with the ``.shp``."""
    if path.suffix.lower() != ".shp":
        return [path]
    sidecars = sorted(p for p in path.parent.glob(path.stem + ".*") if p != path)
    return [path, *sidecars]


def _parse(
    path: Path,
    fmt: FileFormat,
    *,
    crs: str | None,
    keep_private: bool,
    issues: IssueLog | None,
    road_rules: RoadRules | None = None,
) -> WalkGraph:
    logger.info("parsing network %s", path)
    if fmt == "road_lines":
        return load_road_lines(
            path, crs=crs, keep_private=keep_private, issues=issues, rules=road_rules
        )
    if road_rules:
        raise NetworkError(
            f"{path.name}: [network] fields and walkable are for road-line layers (.gpkg, .shp, "
            ".zip, .geojson, .parquet); an OpenStreetMap file has its own tags: remove them"
        )
    reader, name = _READERS[fmt]
    seg = reader(path, keep_private=keep_private, issues=issues)
    return graph_from_segments(seg, crs=crs, label=f"{path.name} ({name})", path=path)


def load_network(
    path: str | Path | None = None,
    *,
    place: str | None = None,
    crs: str | None = None,
    keep_private: bool = False,
    cache: bool = True,
    cache_dir: Path | None = None,
    issues: IssueLog | None = None,
    road_rules: RoadRules | None = None,
) -> WalkGraph:
    """Load the walk network of a file (or of a place name, online) as a :class:`WalkGraph`.

    Parameters
    ----------
    path
        ``.osm``, ``.osm.bz2``, ``.xml`` (OSM XML); ``.osm.pbf``, ``.pbf``; ``.graphml`` (osmnx);
        ``.gpkg``, ``.shp``, ``.zip``, ``.geojson``, ``.json``, ``.parquet`` (road lines, noded
        where they cross or come within 1 m).
    place
        Instead of ``path``: a place name osmnx geocodes (needs internet; not cached).
    crs
        The metric CRS to project to; default: the UTM zone of the network's centre.
    keep_private
        Keep ``access=private`` minor ways (paths inside gated compounds).
    cache, cache_dir
        Reuse (and store) the parsed graph in ``cache_dir`` (default
        ``<user cache>/lifecircle/networks``), keyed by the SHA-256 of the file's bytes,
        the loader version, ``crs``, ``keep_private`` and ``road_rules``.
    issues
        Where worked-around problems (ways referencing missing nodes) are recorded.
    road_rules
        A road-line layer's own columns and the classes not walked on
        (:class:`~lifecircle.geo.roadrules.RoadRules`); only for road lines.

    Returns
    -------
    WalkGraph
        Nodes in metres in the metric CRS; ``node_id`` = OSM node ids for OSM formats;
        ``edge_steps`` on flights of steps; ``node_barrier`` on barriers closed to walkers, not
        yet applied (:func:`lifecircle.geo.barriers.close_barriers` applies them);
        ``source`` (:class:`~lifecircle.geo.network.NetworkSource`) the file or place, its
        format, data date and whether it is OpenStreetMap data, decided afresh on every load
        (a cache hit included).

    Raises
    ------
    NetworkError
        Missing file, unknown suffix, unreadable file, no walkable way, a non-metric ``crs``,
        or a failed download.

    Examples
    --------
    >>> g = load_network("streets.osm.pbf")  # doctest: +SKIP
    >>> g.n_nodes, g.crs, g.source.describe()  # doctest: +SKIP
    (41230, 'EPSG:32648', 'streets.osm.pbf (OSM PBF)')
    """
    if (path is None) == (place is None):
        raise NetworkError("give the network as exactly one of a file path or place=")
    if place is not None:
        graph = _download_place(place, crs=crs, keep_private=keep_private)
        return graph.with_source(download_source(place))
    assert path is not None
    p = Path(path)
    fmt = source_format(p)
    if not p.is_file():
        raise NetworkError(f"{p}: network file not found; check [network] path in the project file")
    options: dict[str, object] = {"kind": fmt, "crs": crs, "keep_private": keep_private}
    if road_rules:
        options["road_rules"] = road_rules.cache_options()
    if not cache:
        graph = _parse(
            p, fmt, crs=crs, keep_private=keep_private, issues=issues, road_rules=road_rules
        )
        return graph.with_source(file_source(p, fmt))
    folder = cache_dir if cache_dir is not None else netcache.default_cache_dir()
    key = netcache.cache_key(
        netcache.file_digest(_hashed_files(p)),
        loader_version=LOADER_VERSION,
        options=options,
    )
    source = file_source(p, fmt)
    hit = netcache.read_cached(folder, key)
    if hit is not None:
        graph, found = hit
        # the bytes are the same, but the file's date may not be: the source is decided afresh
        graph = graph.with_source(source)
    else:
        log = IssueLog()
        graph = _parse(
            p, fmt, crs=crs, keep_private=keep_private, issues=log, road_rules=road_rules
        ).with_source(source)
        found = log.items
        netcache.write_cached(folder, key, graph, found)
    if issues is not None:
        issues.items.extend(found)
    return graph


def _download_place(place: str, *, crs: str | None, keep_private: bool) -> WalkGraph:
    import osmnx as ox

    try:
        g = ox.graph_from_place(place, network_type="walk", simplify=False, retain_all=True)
    except Exception as exc:
        raise NetworkError(
            f"could not download the street network of {place!r} from OpenStreetMap ({exc}); "
            "check the internet connection and the place name, or give [network] path to an "
            ".osm/.osm.pbf file"
        ) from exc
    ids = np.array(list(g.nodes), dtype=np.int64)
    index = {n: i for i, n in enumerate(g.nodes)}
    xs = np.array([g.nodes[n]["x"] for n in g.nodes], dtype=np.float64)
    ys = np.array([g.nodes[n]["y"] for n in g.nodes], dtype=np.float64)
    us: list[int] = []
    vs: list[int] = []
    steps: list[bool] = []
    for a, b, data in g.edges(data=True):
        hw = data.get("highway")
        hws = hw if isinstance(hw, list) else [hw]
        foot = data.get("foot")
        foot = foot if isinstance(foot, str) else None
        if any(is_walkable(h, foot=foot, keep_private=keep_private) or h is None for h in hws):
            us.append(index[a])
            vs.append(index[b])
            steps.append(all(is_steps(h) for h in hws))
    barrier = [node_closed(g.nodes[n]) for n in g.nodes]
    seg = LonLatSegments.from_lists(
        ids,
        xs,
        ys,
        us,
        vs,
        crs=str(g.graph.get("crs", "EPSG:4326")),
        steps=steps,
        barrier=barrier,
    )
    return graph_from_segments(
        seg, crs=crs, label=f"{place} (OpenStreetMap download)", path=Path(place)
    )


__all__ = ["LOADER_VERSION", "graph_from_segments", "load_network"]
