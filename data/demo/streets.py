"""The demo county's street network outside the new district, drawn into an :class:`Osm`.

The river, the old town's irregular grid (lanes, steps, one-way streets), the south district's
grid, the riverside roads and bridges, the expressway (not walkable), the town 临溪镇, the county
road and the villages on winding rural roads, and building outlines. Each function draws one part;
:mod:`lifecircle.data.demo.generate` calls them in a fixed order, since the order sets the OSM
ids and the random draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lifecircle.data.demo.layout import (
    BANK_ROAD_M,
    BRIDGE_NAMES,
    BRIDGES_X,
    EXPRESSWAY_X,
    ND_XS,
    ND_YS,
    OT_DX,
    OT_DY,
    OT_NX,
    OT_NY,
    OT_X0,
    SD_DX,
    SD_DY,
    SD_NX,
    SD_NY,
    SD_X0,
    TN_DX,
    TN_DY,
    TN_NX,
    TN_NY,
    TN_X0,
    TN_Y0,
    VILLAGES,
    FloatArray,
    Point,
    river_y_at,
)
from lifecircle.data.demo.osm import Osm

OT_STREETS_V = {0: "西城路", 6: "文庙街", 12: "中山街", 18: "东大街", 24: "东环路"}
OT_STREETS_H = {5: "解放路", 10: "人民路", 15: "北街"}
SD_STREETS_V = {0: "沙坝路", 5: "河街", 10: "南桥路", 15: "金沙路", 20: "望江路"}
SD_STREETS_H = {4: "滨河大道", 8: "南环路"}
LANE_NAMES = (
    "书院巷",
    "仓前巷",
    "盐井巷",
    "状元巷",
    "鼓楼巷",
    "城隍巷",
    "水井巷",
    "铁匠巷",
    "染坊巷",
    "竹林巷",
    "槐树巷",
    "马号巷",
)

YANG_LIU_HUB: Point = (-3300.0, 900.0)  # where the county road meets 杨柳村's road


def _pt(a: FloatArray, i: int, j: int) -> Point:
    """Junction (i, j) of a grid of junctions."""
    return (float(a[i, j, 0]), float(a[i, j, 1]))


def _runs(keep: Sequence[bool]) -> list[tuple[int, int]]:
    """Index ranges [a, b) of consecutive True edges."""
    out: list[tuple[int, int]] = []
    a: int | None = None
    for k, flag in enumerate(keep):
        if flag and a is None:
            a = k
        if not flag and a is not None:
            out.append((a, k))
            a = None
    if a is not None:
        out.append((a, len(keep)))
    return out


def river(osm: Osm) -> None:
    """The river 清溪河 (not walkable), drawn first so its nodes come first."""
    river_xs = np.arange(-9000.0, 9001.0, 100.0)
    osm.way(
        [(float(x), river_y_at(float(x))) for x in river_xs],
        {"waterway": "river", "name": "清溪河"},
        step_m=100.0,
        walk=False,
        share=False,
    )


def old_town(osm: Osm, rng: np.random.Generator) -> FloatArray:
    """城关街道: a jittered grid of lanes, steps and alleys; return its junctions."""
    jit = rng.uniform(-16.0, 16.0, size=(OT_NX, OT_NY, 2))
    ot = np.empty((OT_NX, OT_NY, 2))
    for i in range(OT_NX):
        for j in range(OT_NY):
            x = OT_X0 + i * OT_DX
            if j > 0 and 0 < i < OT_NX - 1:
                x += jit[i, j, 0]
            y = river_y_at(x) + BANK_ROAD_M + j * OT_DY + (jit[i, j, 1] if j > 0 else 0.0)
            ot[i, j] = (x, y)

    lane_names = iter(LANE_NAMES * 4)
    for i in range(OT_NX):  # north-south lines, j from the river bank upwards
        main = i in OT_STREETS_V
        keep = [main or rng.random() > 0.12 for _ in range(OT_NY - 1)]
        for a, b in _runs(keep):
            tags = {"highway": "secondary" if main else "residential"}
            if main:
                tags["name"] = OT_STREETS_V[i]
                if i == 12:
                    tags["oneway"] = "yes"
            elif i >= 19 and a >= 12:
                tags = {"highway": "steps"}
            elif rng.random() < 0.15:
                tags = {"highway": "footway"}
            elif rng.random() < 0.5:
                tags["name"] = next(lane_names)
            osm.way([_pt(ot, i, j) for j in range(a, b + 1)], tags)
    for j in range(1, OT_NY):  # east-west lines
        main = j in OT_STREETS_H
        keep = [main or rng.random() > 0.12 for _ in range(OT_NX - 1)]
        for a, b in _runs(keep):
            tags = {"highway": "tertiary" if main else "residential"}
            if main:
                tags["name"] = OT_STREETS_H[j]
                if j == 5:
                    tags["oneway"] = "yes"
            elif j >= 13 and a >= 18:
                tags = {"highway": "steps"}
            elif rng.random() < 0.15:
                tags = {"highway": "footway"}
            elif rng.random() < 0.5:
                tags["name"] = next(lane_names)
            osm.way([_pt(ot, i, j) for i in range(a, b + 1)], tags)
    for i in range(OT_NX - 1):  # a few diagonal alleys
        for j in range(1, OT_NY - 1):
            if rng.random() < 0.06:
                osm.way([_pt(ot, i, j), _pt(ot, i + 1, j + 1)], {"highway": "footway"})
    return ot


def south_district(osm: Osm, rng: np.random.Generator) -> FloatArray:
    """滨河街道: a regular grid south of the river; return its junctions."""
    jit = rng.uniform(-20.0, 20.0, size=(SD_NX, SD_NY, 2))
    sd = np.empty((SD_NX, SD_NY, 2))
    for i in range(SD_NX):
        for j in range(SD_NY):
            x = SD_X0 + i * SD_DX + (jit[i, j, 0] if j > 0 and 0 < i < SD_NX - 1 else 0.0)
            y = river_y_at(x) - BANK_ROAD_M - j * SD_DY + (jit[i, j, 1] if j > 0 else 0.0)
            sd[i, j] = (x, y)
    for i in range(SD_NX):
        main = i in SD_STREETS_V
        keep = [main or rng.random() > 0.05 for _ in range(SD_NY - 1)]
        for a, b in _runs(keep):
            tags = {"highway": "secondary" if main else "residential"}
            if main:
                tags["name"] = SD_STREETS_V[i]
            osm.way([_pt(sd, i, j) for j in range(a, b + 1)], tags)
    for j in range(1, SD_NY):
        main = j in SD_STREETS_H
        keep = [main or rng.random() > 0.05 for _ in range(SD_NX - 1)]
        for a, b in _runs(keep):
            tags = {"highway": "tertiary" if main else "residential"}
            if main:
                tags["name"] = SD_STREETS_H[j]
                if j == 8:
                    tags["oneway"] = "yes"
            osm.way([_pt(sd, i, j) for i in range(a, b + 1)], tags)
    return sd


def riverside(osm: Osm, ot: FloatArray, sd: FloatArray) -> None:
    """The riverside roads on both banks and the three walkable bridges."""
    north_bank = [(x, river_y_at(x) + BANK_ROAD_M) for x in np.arange(-1800.0, -1000.0, 100.0)]
    north_bank += [_pt(ot, i, 0) for i in range(OT_NX)]
    north_bank += [(x, river_y_at(x) + BANK_ROAD_M) for x in np.arange(1000.0, 4201.0, 50.0)]
    osm.way(
        [(float(x), float(y)) for x, y in north_bank],
        {"highway": "primary", "name": "滨江路"},
    )
    south_bank = [(x, river_y_at(x) - BANK_ROAD_M) for x in np.arange(-2000.0, -1500.0, 100.0)]
    south_bank += [_pt(sd, i, 0) for i in range(SD_NX)]
    south_bank += [(x, river_y_at(x) - BANK_ROAD_M) for x in (1900.0, 2000.0)]
    osm.way(
        [(float(x), float(y)) for x, y in south_bank],
        {"highway": "secondary", "name": "滨河路"},
    )
    for bx, bname in zip(BRIDGES_X, BRIDGE_NAMES, strict=True):
        osm.way(
            [(bx, river_y_at(bx) + BANK_ROAD_M), (bx, river_y_at(bx) - BANK_ROAD_M)],
            {"highway": "primary", "name": bname, "bridge": "yes", "layer": "1"},
        )


def expressway(osm: Osm) -> None:
    """The expressway: not walkable (foot=no), it crosses the river on its own bridge."""
    ex = EXPRESSWAY_X
    ex_tags = {"highway": "trunk", "foot": "no", "name": "城东快速通道", "ref": "S202"}
    osm.way([(ex, -4200.0), (ex, river_y_at(ex) - BANK_ROAD_M)], ex_tags, step_m=50.0, walk=False)
    osm.way(
        [(ex, river_y_at(ex) - BANK_ROAD_M), (ex, river_y_at(ex) + BANK_ROAD_M)],
        {**ex_tags, "bridge": "yes", "layer": "1"},
        walk=False,
    )
    osm.way([(ex, river_y_at(ex) + BANK_ROAD_M), (ex, 4200.0)], ex_tags, step_m=50.0, walk=False)


def town(osm: Osm, rng: np.random.Generator) -> FloatArray:
    """The town 临溪镇: a small jittered grid; return its junctions."""
    jit = rng.uniform(-12.0, 12.0, size=(TN_NX, TN_NY, 2))
    tn = np.empty((TN_NX, TN_NY, 2))
    for i in range(TN_NX):
        for j in range(TN_NY):
            tn[i, j] = (TN_X0 + i * TN_DX + jit[i, j, 0], TN_Y0 + j * TN_DY + jit[i, j, 1])
    for i in range(TN_NX):
        keep = [rng.random() > 0.1 for _ in range(TN_NY - 1)]
        for a, b in _runs(keep):
            osm.way([_pt(tn, i, j) for j in range(a, b + 1)], {"highway": "residential"})
    for j in range(TN_NY):
        main = j == 4
        keep = [main or rng.random() > 0.1 for _ in range(TN_NX - 1)]
        for a, b in _runs(keep):
            tags = (
                {"highway": "tertiary", "name": "临溪正街"} if main else {"highway": "residential"}
            )
            osm.way([_pt(tn, i, j) for i in range(a, b + 1)], tags)
    return tn


def _rural(
    osm: Osm, rng: np.random.Generator, a: Point, b: Point, tags: dict[str, str], amp_m: float
) -> None:
    """A winding rural road from ``a`` to ``b``, waving up to ``amp_m`` metres off the line."""
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    nx, ny = -(b[1] - a[1]) / length, (b[0] - a[0]) / length
    n = max(2, math.ceil(length / 60.0))
    waves = float(rng.integers(1, 4))
    phase = float(rng.uniform(0.0, math.pi))
    pts = [a]
    for s in range(1, n):
        t = s / n
        off = amp_m * math.sin(math.pi * t) * math.sin(waves * math.pi * t + phase)
        pts.append((a[0] + t * (b[0] - a[0]) + off * nx, a[1] + t * (b[1] - a[1]) + off * ny))
    pts.append(b)
    osm.way(pts, tags, step_m=15.0)


def county_road(osm: Osm, rng: np.random.Generator, ot: FloatArray, tn: FloatArray) -> None:
    """The county road 临溪路 from the town to the old town, by way of 杨柳村's hub."""
    tags = {"highway": "secondary", "name": "临溪路"}
    _rural(osm, rng, _pt(tn, TN_NX - 1, 4), YANG_LIU_HUB, tags, 80.0)
    _rural(osm, rng, YANG_LIU_HUB, _pt(ot, 0, 9), tags, 80.0)


def villages(
    osm: Osm, rng: np.random.Generator, ot: FloatArray, sd: FloatArray, tn: FloatArray
) -> list[FloatArray]:
    """The villages' 3 × 3 lanes and tracks, each linked to a hub; return their junctions."""
    hubs: list[Point] = [
        _pt(ot, 0, OT_NY - 1),
        _pt(ot, 6, OT_NY - 1),
        _pt(ot, OT_NX - 1, OT_NY - 1),
        (ND_XS[2], ND_YS[-1]),
        _pt(tn, 0, TN_NY - 1),
        YANG_LIU_HUB,
        _pt(sd, 0, SD_NY - 1),
        _pt(sd, 7, SD_NY - 1),
        _pt(sd, SD_NX - 1, SD_NY - 1),
    ]
    village_grids: list[FloatArray] = []
    for v, (vname, cx, cy, _street) in enumerate(VILLAGES):
        vg = np.empty((3, 3, 2))
        for a in range(3):
            for b in range(3):
                vg[a, b] = (cx + (a - 1) * 90.0, cy + (b - 1) * 90.0)
        vg += rng.uniform(-15.0, 15.0, size=vg.shape)
        village_grids.append(vg)
        lane = {"highway": "residential"}
        track = {"highway": "track"}
        for a in range(3):
            osm.way([_pt(vg, a, b) for b in range(3)], lane if a == 1 else track)
            osm.way([_pt(vg, b, a) for b in range(3)], lane if a == 1 else track)
        hub = hubs[v] if v < len(hubs) else _pt(village_grids[v - 1], 2, 1)
        d2 = [
            (vg[a, b, 0] - hub[0]) ** 2 + (vg[a, b, 1] - hub[1]) ** 2
            for a in (0, 2)
            for b in (0, 2)
        ]
        a, b = [(0, 0), (0, 2), (2, 0), (2, 2)][int(np.argmin(d2))]
        _rural(
            osm,
            rng,
            hub,
            _pt(vg, a, b),
            {"highway": "unclassified", "name": f"{vname[:2]}路"},
            150.0,
        )
    return village_grids


def buildings(osm: Osm, rng: np.random.Generator, ot: FloatArray, sd: FloatArray) -> None:
    """Building outlines in the old town and the south district (ignored by a walk loader)."""
    for i in range(OT_NX - 1):
        for j in range(1, OT_NY - 1):
            if rng.random() < 0.6:
                cx = float(ot[i, j, 0] + ot[i + 1, j + 1, 0]) / 2
                cy = float(ot[i, j, 1] + ot[i + 1, j + 1, 1]) / 2
                osm.closed(
                    [(cx - 12, cy - 8), (cx + 12, cy - 8), (cx + 12, cy + 8), (cx - 12, cy + 8)],
                    {"building": "yes"},
                )

    for i in range(SD_NX - 1):
        for j in range(1, SD_NY - 1):
            cx = float(sd[i, j, 0] + sd[i + 1, j + 1, 0]) / 2
            cy = float(sd[i, j, 1] + sd[i + 1, j + 1, 1]) / 2
            for dx in (-35.0, 35.0):
                osm.closed(
                    [
                        (cx + dx - 20, cy - 30),
                        (cx + dx + 20, cy - 30),
                        (cx + dx + 20, cy + 30),
                        (cx + dx - 20, cy + 30),
                    ],
                    {"building": "apartments"},
                )
