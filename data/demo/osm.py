"""The demo's OpenStreetMap data: built in memory in local metres, written as OSM XML.

:class:`Osm` collects nodes and ways (junctions shared by their rounded position, shape nodes every
few metres) and the walkable edges the generator itself walks on; :func:`write_osm` writes them as
``streets.osm`` with 7-decimal coordinates and sorted tags, so the file is byte-stable.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lifecircle.data.demo.layout import Point, to_lonlat


@dataclass
class Osm:
    """OSM nodes and ways in local metres; junction nodes are shared by their rounded position."""

    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    shared: dict[tuple[int, int], int] = field(default_factory=dict)
    ways: list[tuple[list[int], dict[str, str]]] = field(default_factory=list)
    walk_edges: list[tuple[int, int]] = field(default_factory=list)

    def _new(self, x: float, y: float) -> int:
        self.xs.append(x)
        self.ys.append(y)
        return len(self.xs)  # OSM ids start at 1

    def node(self, x: float, y: float) -> int:
        key = (round(x * 10.0), round(y * 10.0))
        found = self.shared.get(key)
        if found is None:
            found = self._new(x, y)
            self.shared[key] = found
        return found

    def way(
        self,
        pts: Sequence[Point],
        tags: dict[str, str],
        *,
        step_m: float = 10.0,
        walk: bool = True,
        share: bool = True,
    ) -> list[int]:
        """Add a way through ``pts`` with shape nodes every ``step_m`` metres; return its ids."""
        ids: list[int] = []
        for k, (x, y) in enumerate(pts):
            if k > 0:
                px, py = pts[k - 1]
                n = max(1, math.ceil(math.hypot(x - px, y - py) / step_m))
                for s in range(1, n):
                    t = s / n
                    ids.append(self._new(px + t * (x - px), py + t * (y - py)))
            ids.append(self.node(x, y) if share else self._new(x, y))
        self.ways.append((ids, tags))
        if walk:
            self.walk_edges.extend(itertools.pairwise(ids))
        return ids

    def closed(self, pts: Sequence[Point], tags: dict[str, str]) -> None:
        """Add a closed, non-walkable way (a building outline) with its own nodes."""
        ids = [self._new(x, y) for x, y in pts]
        self.ways.append(([*ids, ids[0]], tags))


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_osm(path: Path, osm: Osm, e0: float, n0: float) -> None:
    """Write ``osm`` as OSM XML (UTF-8) at ``path``, the frame's origin at (``e0``, ``n0``)."""
    lon, lat = to_lonlat(np.asarray(osm.xs), np.asarray(osm.ys), e0, n0)
    buf = io.StringIO()
    buf.write("<?xml version='1.0' encoding='UTF-8'?>\n")
    buf.write('<osm version="0.6" generator="lifecircle demo generator">\n')
    buf.write(
        f'  <bounds minlat="{lat.min():.7f}" minlon="{lon.min():.7f}" '
        f'maxlat="{lat.max():.7f}" maxlon="{lon.max():.7f}"/>\n'
    )
    for k in range(len(osm.xs)):
        buf.write(f'  <node id="{k + 1}" lat="{lat[k]:.7f}" lon="{lon[k]:.7f}"/>\n')
    for w, (ids, tags) in enumerate(osm.ways, start=1):
        buf.write(f'  <way id="{w}">\n')
        for i in ids:
            buf.write(f'    <nd ref="{i}"/>\n')
        for key in sorted(tags):
            buf.write(f'    <tag k="{key}" v="{_xml_escape(tags[key])}"/>\n')
        buf.write("  </way>\n")
    buf.write("</osm>\n")
    path.write_bytes(buf.getvalue().encode("utf-8"))
