"""Walkable way segments from OSM XML files (``.osm``, ``.osm.bz2``, ``.xml``).

A streaming expat parse (0.51 s for a 16 MB file against 0.59 s for ``ElementTree.iterparse``
with element clearing, which builds elements we do not need); only nodes referenced by walkable
ways (:func:`lifecircle.geo.walkrules.is_walkable`) are kept. ``.bz2`` is decompressed while
streaming.
"""

from __future__ import annotations

import bz2
from pathlib import Path
from typing import IO
from xml.parsers import expat

import numpy as np
from numpy.typing import NDArray

from lifecircle.dataissues import IssueLog
from lifecircle.errors import NetworkError
from lifecircle.geo.network import LonLatSegments
from lifecircle.geo.walkrules import (
    is_steps,
    node_closed,
    report_missing_nodes,
    report_unknown_highway,
    tags_walkable,
)


def open_xml(path: Path) -> IO[bytes]:
    """Open an XML file for binary reading, decompressing it if its name ends in ``.bz2``.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    IO[bytes]
        A binary stream of the (decompressed) XML.
    """
    if path.name.lower().endswith(".bz2"):
        return bz2.open(path, "rb")
    return open(path, "rb")


def _segments_from_ways(
    node_ids: NDArray[np.int64],
    refs: NDArray[np.int64],
    way_len: NDArray[np.int64],
    way_ids: list[int],
    *,
    issues: IssueLog | None,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Turn ways (concatenated node refs + lengths) into segments (u, v) between known nodes;
    also return the way (index into ``way_len``) of each segment."""
    order = np.argsort(node_ids, kind="stable")
    sorted_ids = node_ids[order]
    pos = np.searchsorted(sorted_ids, refs)
    pos_c = np.minimum(pos, max(len(sorted_ids) - 1, 0))
    found = (sorted_ids[pos_c] == refs) if len(sorted_ids) else np.zeros(len(refs), dtype=bool)
    idx = np.where(found, order[pos_c] if len(order) else -1, -1)
    way_end = np.cumsum(way_len)
    last = np.zeros(len(refs), dtype=bool)
    last[way_end[way_len > 0] - 1] = True
    start = np.flatnonzero(~last[:-1]) if len(refs) > 1 else np.zeros(0, dtype=np.int64)
    u, v = idx[start], idx[start + 1]
    ok = (u >= 0) & (v >= 0)
    way_of_ref = np.repeat(np.arange(len(way_len)), way_len)
    if issues is not None and not found.all():
        missing = np.bincount(way_of_ref[~found], minlength=len(way_len))
        for w in np.flatnonzero(missing):
            report_missing_nodes(way_ids[w], int(missing[w]), issues)
    return u[ok], v[ok], way_of_ref[start[ok]].astype(np.int64)


def parse_osm_xml(
    path: Path, *, keep_private: bool = False, issues: IssueLog | None = None
) -> LonLatSegments:
    """Parse an OSM XML file (optionally ``.bz2``) into walkable way segments (lon/lat).

    Streams the file through expat: nodes are collected as they come (with a flag for barriers
    closed to walkers, :func:`lifecircle.geo.walkrules.node_closed`), walkable ways keep their
    node refs and whether they are steps, and everything else is dropped. Ways with
    ``action="delete"`` (JOSM files) are skipped.

    Parameters
    ----------
    path
        The ``.osm``, ``.osm.bz2`` or ``.xml`` file.
    keep_private
        Keep private minor ways (see :func:`lifecircle.geo.walkrules.is_walkable`).
    issues
        Receives unknown ``highway`` values and ways referencing nodes the file lacks.

    Returns
    -------
    LonLatSegments
        Node ids, lon/lat (degrees), closed barrier nodes and the segments of the walkable ways
        (``steps`` on ``highway=steps``).

    Raises
    ------
    NetworkError
        If the file is not well-formed XML or cannot be read.
    """
    ids: list[str] = []
    lats: list[str] = []
    lons: list[str] = []
    refs: list[str] = []
    way_len: list[int] = []
    way_ids: list[int] = []
    way_steps: list[bool] = []
    closed: list[int] = []  # positions in ``ids`` of barrier nodes closed to walkers
    cur_refs: list[str] = []
    cur_tags: dict[str, str] = {}
    in_way = [False]  # one-element lists: state shared with the handlers below
    in_node = [False]
    way_id = ["0"]
    ids_append, lats_append, lons_append = ids.append, lats.append, lons.append

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "nd":
            if in_way[0]:
                cur_refs.append(attrs["ref"])
        elif name == "node":
            ids_append(attrs["id"])
            lats_append(attrs["lat"])
            lons_append(attrs["lon"])
            in_node[0] = True
            cur_tags.clear()
        elif name == "tag":
            if in_way[0] or in_node[0]:
                cur_tags[attrs["k"]] = attrs["v"]
        elif name == "way" and attrs.get("action") != "delete":
            in_way[0] = True
            way_id[0] = attrs["id"]
            cur_refs.clear()
            cur_tags.clear()

    def end(name: str) -> None:
        if name == "node":
            in_node[0] = False
            if cur_tags and node_closed(cur_tags):
                closed.append(len(ids) - 1)
        elif name == "way" and in_way[0]:
            in_way[0] = False
            if tags_walkable(cur_tags, keep_private):
                refs.extend(cur_refs)
                way_len.append(len(cur_refs))
                way_ids.append(int(way_id[0]))
                way_steps.append(is_steps(cur_tags.get("highway")))
            elif issues is not None:
                report_unknown_highway(cur_tags.get("highway"), way_id[0], issues)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        with open_xml(path) as f:
            parser.ParseFile(f)
    except expat.ExpatError as exc:
        raise NetworkError(
            f"{path}: not a readable OSM XML file ({exc}); export it again from JOSM, "
            "Overpass or osmium"
        ) from exc
    except (OSError, EOFError) as exc:
        raise NetworkError(f"{path}: cannot be read ({exc})") from exc
    node_ids = np.array(ids, dtype=np.int64)
    u, v, way = _segments_from_ways(
        node_ids,
        np.array(refs, dtype=np.int64),
        np.array(way_len, dtype=np.int64),
        way_ids,
        issues=issues,
    )
    barrier = np.zeros(len(node_ids), dtype=bool)
    barrier[np.asarray(closed, dtype=np.int64)] = True
    steps = np.asarray(way_steps, dtype=bool)[way] if len(way) else np.zeros(0, dtype=bool)
    return LonLatSegments.from_lists(node_ids, lons, lats, u, v, steps=steps, barrier=barrier)


__all__ = ["open_xml", "parse_osm_xml"]
