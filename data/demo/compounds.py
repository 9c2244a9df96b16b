"""The new district 新城街道: gated superblocks whose inner roads reach the street only at gates.

Its arterials bound 4 × 3 superblocks; each holds a gated compound (``compounds.gpkg``) with 1–3
gates on its sides, a private ring road inside, footways to the centre and four buildings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from lifecircle.data.demo.layout import (
    BANK_ROAD_M,
    COMPOUND_INSET_M,
    ND_XS,
    ND_YS,
    RING_INSET_M,
    Point,
    box,
    river_y_at,
)
from lifecircle.data.demo.osm import Osm

ND_STREETS_V = ("迎宾大道", "新城一路", "新城二路", "新城三路", "东环大道")
ND_STREETS_H = ("锦绣路", "学府路", "翠屏路", "凤凰路")

#: A superblock: compound id, west, south, east and north edges (m), and its gates.
Superblock = tuple[str, float, float, float, float, list[Point]]


@dataclass(frozen=True)
class NewDistrict:
    """The compounds, their gates (gate id, compound id, position) and the superblocks."""

    compounds: list[tuple[str, shapely.Polygon]]
    gates: list[tuple[str, str, Point]]
    superblocks: list[Superblock]


def _ring_pos(p: Point, rx0: float, ry0: float, rx1: float, ry1: float) -> float:
    """Position (m) of a point on a rectangle's outline, counter-clockwise from its SW corner."""
    px, py = p
    w, h = rx1 - rx0, ry1 - ry0
    if py == ry0:
        return px - rx0
    if px == rx1:
        return w + py - ry0
    if py == ry1:
        return w + h + rx1 - px
    return 2 * w + h + ry1 - py


def new_district(osm: Osm, rng: np.random.Generator) -> NewDistrict:
    """Draw the arterials, gates, private rings, footways and buildings of the new district."""
    col_gates: list[list[float]] = [[] for _ in ND_XS]  # gate northings on each column
    row_gates: list[list[float]] = [[] for _ in ND_YS]  # gate eastings on each row
    compounds: list[tuple[str, shapely.Polygon]] = []
    gates: list[tuple[str, str, Point]] = []
    inner: list[tuple[str, float, float, float, float, list[Point]]] = []
    used: set[tuple[int, int]] = set()
    k = 0
    for j in range(len(ND_YS) - 1):
        for i in range(len(ND_XS) - 1):
            k += 1
            gid = f"G{k:02d}"
            x0, x1, y0, y1 = ND_XS[i], ND_XS[i + 1], ND_YS[j], ND_YS[j + 1]
            ins = COMPOUND_INSET_M
            compounds.append((gid, box(x0 + ins, y0 + ins, x1 - ins, y1 - ins)))
            n_gates = int(rng.integers(1, 4))
            sides = sorted(int(s) for s in rng.permutation(4)[:n_gates])
            gate_pts: list[Point] = []
            for side in sides:
                off = float(rng.integers(-10, 11)) * 10.0
                if off == 0.0:
                    off = 40.0
                while True:
                    if side in (0, 2):  # south / north: a gate on a row
                        gp = ((x0 + x1) / 2 + off, y0 if side == 0 else y1)
                    else:  # east / west: a gate on a column
                        gp = (x1 if side == 1 else x0, (y0 + y1) / 2 + off)
                    key = (round(gp[0]), round(gp[1]))
                    if key not in used:
                        break
                    off += 20.0
                used.add(key)
                if side in (0, 2):
                    row_gates[j if side == 0 else j + 1].append(gp[0])
                else:
                    col_gates[i + 1 if side == 1 else i].append(gp[1])
                gates.append((f"{gid}-{len(gate_pts) + 1}", gid, gp))
                gate_pts.append(gp)
            inner.append((gid, x0, y0, x1, y1, gate_pts))
    for i, x in enumerate(ND_XS):
        ys = sorted({river_y_at(x) + BANK_ROAD_M, *ND_YS, *col_gates[i]})
        tags = {"highway": "primary" if i == 0 else "secondary", "name": ND_STREETS_V[i]}
        osm.way([(x, y) for y in ys], tags)
    for j, y in enumerate(ND_YS):
        xs = sorted({*ND_XS, *row_gates[j]})
        osm.way([(x, y) for x in xs], {"highway": "secondary", "name": ND_STREETS_H[j]})
    private = {"highway": "service", "access": "private"}
    for gid, x0, y0, x1, y1, gate_pts in inner:
        r = RING_INSET_M
        rx0, rx1, ry0, ry1 = x0 + r, x1 - r, y0 + r, y1 - r
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        joins: list[Point] = [(xm, ry0), (rx1, ym), (xm, ry1), (rx0, ym)]
        for gx, gy in gate_pts:
            ring_pt = (
                gx if gy in (y0, y1) else (rx0 if gx == x0 else rx1),
                gy if gx in (x0, x1) else (ry0 if gy == y0 else ry1),
            )
            osm.way([(gx, gy), ring_pt], {**private, "name": f"{gid}号门"}, step_m=35.0)
            joins.append(ring_pt)

        corners: list[Point] = [(rx0, ry0), (rx1, ry0), (rx1, ry1), (rx0, ry1)]
        ring = sorted(set(corners + joins), key=lambda p: _ring_pos(p, rx0, ry0, rx1, ry1))
        osm.way([*ring, ring[0]], dict(private))
        for p in joins[:4]:
            osm.way([p, (xm, ym)], {"highway": "footway"})
        for qx, qy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            bx, by = xm + qx * 77.5, ym + qy * 77.5
            osm.closed(
                [(bx - 30, by - 7), (bx + 30, by - 7), (bx + 30, by + 7), (bx - 30, by + 7)],
                {"building": "residential"},
            )
    return NewDistrict(compounds, gates, inner)
