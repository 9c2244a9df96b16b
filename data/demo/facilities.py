"""The demo's facilities and candidate sites, and the facilities' CSV (GBK, GCJ-02 coordinates).

Facilities are drawn per community by district (who has a kindergarten, a day care …) plus the
larger ones some communities host; the designed gaps (no elderly day care within 1 km walking of
新城街道, no kindergarten within 300 m of 滨河街道) are kept by dropping any facility that the draws
put too close, measured on the generator's own walk graph. Candidate parcels are vacant land and
buildings to reuse. ``facilities.csv`` has Chinese headers and category names (some by an alias).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from lifecircle.data.demo.communities import Attrs
from lifecircle.data.demo.compounds import Superblock
from lifecircle.data.demo.layout import (
    ND_XS,
    ND_YS,
    OT_NX,
    OT_NY,
    RING_INSET_M,
    SD_NX,
    SD_NY,
    Community,
    FloatArray,
    Point,
    box,
    to_lonlat,
)
from lifecircle.data.demo.osm import Osm
from lifecircle.geo.chinacrs import wgs84_to_gcj02

CATEGORY_ZH = {
    "community_service_station": "社区综合服务站",
    "kindergarten": "幼儿园",
    "nursery": "托儿所",
    "elderly_day_care": "老年人日间照料中心",
    "community_health_station": "社区卫生服务站",
    "cultural_activity_station": "文化活动站",
    "outdoor_fitness": "室外综合健身场地",
    "supermarket": "综合超市",
    "primary_school": "小学",
    "fresh_market": "菜市场",
    "sports_ground": "中型多功能运动场地",
    "middle_school": "初中",
    "community_health_center": "社区卫生服务中心",
    "nursing_home": "养老院",
    "cultural_center": "文化活动中心",
    "street_service_center": "街道(乡镇)党群服务中心",
}
CATEGORY_ALIAS = {"elderly_day_care": "老年服务站", "fresh_market": "生鲜超市"}
FLOOR_M2 = {
    "kindergarten": (1800, 3600),
    "nursery": (200, 600),
    "elderly_day_care": (350, 900),
    "community_health_station": (150, 400),
    "cultural_activity_station": (200, 600),
    "outdoor_fitness": (300, 1500),
    "supermarket": (300, 2000),
    "primary_school": (6000, 12000),
    "fresh_market": (800, 2500),
    "sports_ground": (800, 1800),
    "middle_school": (10000, 18000),
    "community_health_center": (1500, 3000),
    "nursing_home": (2000, 6000),
    "cultural_center": (1500, 4000),
    "street_service_center": (1000, 2000),
}
# per district: (category, probability per community) — drawn for every community of the district
PER_COMMUNITY = {
    "old": (
        ("kindergarten", 0.75),
        ("elderly_day_care", 0.8),
        ("community_health_station", 0.6),
        ("cultural_activity_station", 0.7),
        ("outdoor_fitness", 0.8),
        ("supermarket", 1.0),
        ("nursery", 0.3),
    ),
    "south": (
        ("elderly_day_care", 0.6),
        ("community_health_station", 0.6),
        ("cultural_activity_station", 0.7),
        ("outdoor_fitness", 0.8),
        ("supermarket", 1.0),
        ("nursery", 0.25),
    ),
    "new": (
        ("kindergarten", 0.8),
        ("community_health_station", 0.5),
        ("cultural_activity_station", 0.6),
        ("outdoor_fitness", 1.0),
        ("supermarket", 1.0),
    ),
    "town": (
        ("kindergarten", 1.0),
        ("elderly_day_care", 1.0),
        ("community_health_station", 1.0),
        ("cultural_activity_station", 1.0),
        ("outdoor_fitness", 1.0),
        ("supermarket", 1.0),
    ),
    "village": (
        ("kindergarten", 0.3),
        ("elderly_day_care", 0.4),
        ("community_health_station", 0.6),
        ("cultural_activity_station", 0.5),
        ("outdoor_fitness", 0.6),
    ),
}
# community id -> larger facilities hosted there
HOSTED = {
    "C02": ("primary_school", "fresh_market", "street_service_center", "cultural_center"),
    "C07": ("primary_school", "middle_school", "community_health_center", "sports_ground"),
    "C09": ("fresh_market", "nursing_home"),
    "C12": ("primary_school", "fresh_market"),
    "C14": ("primary_school", "fresh_market", "street_service_center", "community_health_center"),
    "C18": ("primary_school", "middle_school", "sports_ground", "cultural_center", "nursing_home"),
    "C21": ("street_service_center", "primary_school", "community_health_center"),
    "C25": ("fresh_market", "sports_ground", "cultural_center"),
    "C27": ("street_service_center", "primary_school", "middle_school", "fresh_market"),
    "C28": ("community_health_center", "cultural_center", "sports_ground"),
    "C33": ("primary_school", "nursing_home"),
    "C36": ("primary_school",),
}
# a street-level centre below the 1000 m² minimum
SMALL_CENTRE = ("C21", 900.0)


@dataclass(frozen=True)
class Facility:
    """A facility as written to ``facilities.csv``, at local metres (x, y)."""

    category: str
    name: str
    floor_area_m2: float
    community_id: str
    x: float
    y: float


def _walk_distances(osm: Osm, sources_xy: FloatArray, xy: FloatArray) -> FloatArray:
    """Walking distance (m) on the generator's own graph from the nearest source to each point,
    both snapped to their nearest walk node."""
    ex = np.asarray(osm.walk_edges, dtype=np.int64) - 1
    nodes = np.unique(ex)
    x = np.asarray(osm.xs)
    y = np.asarray(osm.ys)
    w = np.hypot(x[ex[:, 0]] - x[ex[:, 1]], y[ex[:, 0]] - y[ex[:, 1]])
    n = len(osm.xs)
    g = sp.coo_matrix((w, (ex[:, 0], ex[:, 1])), shape=(n, n)).tocsr()
    tree = cKDTree(np.column_stack([x[nodes], y[nodes]]))
    _, src = tree.query(sources_xy)
    dist = dijkstra(g, directed=False, indices=np.unique(nodes[src]), min_only=True)
    _, tgt = tree.query(xy)
    return np.asarray(dist[nodes[tgt]], dtype=np.float64)


def place_facilities(
    rng: np.random.Generator,
    comms: Sequence[Community],
    facility_spots: dict[str, list[Point]],
    osm: Osm,
    attrs: Attrs,
) -> tuple[list[Facility], list[str]]:
    """Place every facility beside a street of its community; return them and the names dropped
    to keep the designed gaps."""
    out: list[Facility] = []

    def place(c: Community, category: str, name: str, floor_m2: float, with_id: bool) -> None:
        spots = facility_spots[c.cid]
        sx, sy = spots[int(rng.integers(0, len(spots)))]
        sx += float(rng.uniform(-4.0, 4.0))
        sy += float(rng.uniform(-4.0, 4.0))
        out.append(Facility(category, name, floor_m2, c.cid if with_id else "", sx, sy))

    def area(category: str) -> float:
        lo, hi = FLOOR_M2[category]
        return float(round(rng.uniform(lo, hi) / 10.0) * 10.0)

    for c, st in zip(comms, attrs.station_m2, strict=True):
        place_name = c.name.removesuffix("社区")
        if st is not None:
            suffix = "便民服务站" if c.kind == "rural" else "社区综合服务站"
            place(c, "community_service_station", place_name + suffix, st, True)
        for category, prob in PER_COMMUNITY[c.district]:
            count = 2 if category == "supermarket" and rng.random() < 0.3 else 1
            for k in range(count):
                if rng.random() < prob:
                    extra = "" if k == 0 else "二店"
                    zh = CATEGORY_ZH[category]
                    if category == "elderly_day_care":
                        zh = "日间照料中心"
                    place(c, category, f"{place_name}{zh}{extra}", area(category), False)
        for category in HOSTED.get(c.cid, ()):
            street_level = ("street_service_center", "community_health_center", "cultural_center")
            prefix = c.street if category in street_level else place_name
            zh = CATEGORY_ZH[category].replace("街道(乡镇)", "")
            floor = area(category)
            if (c.cid, category) == (SMALL_CENTRE[0], "street_service_center"):
                floor = SMALL_CENTRE[1]
            place(c, category, f"{prefix}{zh}", floor, False)

    # designed gaps: no elderly day care within 1 km of 新城街道, no kindergarten within 300 m
    # of 滨河街道 (urban); drop any that the random draws put too close, with a margin.
    fxy = np.array([[f.x, f.y] for f in out])
    keep = np.ones(len(out), dtype=bool)
    for district, category, min_m in (
        ("new", "elderly_day_care", 1150.0),
        ("south", "kindergarten", 400.0),
    ):
        polys = [c.polygon for c in comms if c.district == district]
        area_union = shapely.buffer(shapely.union_all(polys), 30.0)
        ox = np.asarray(osm.xs)
        oy = np.asarray(osm.ys)
        inside = shapely.contains_xy(area_union, ox, oy)
        src = np.column_stack([ox[inside], oy[inside]])
        dist = _walk_distances(osm, src, fxy)
        for q, f in enumerate(out):
            if f.category == category and dist[q] < min_m:
                keep[q] = False
    dropped = [f.name for f, k in zip(out, keep, strict=True) if not k]
    return [f for f, k in zip(out, keep, strict=True) if k], dropped


def facility_spots(
    communities: Sequence[Community],
    ot: FloatArray,
    sd: FloatArray,
    tn: FloatArray,
    village_grids: Sequence[FloatArray],
) -> dict[str, list[Point]]:
    """Places for facilities: points beside the streets, grouped by the community they lie in."""
    spots: dict[str, list[Point]] = {c.cid: [] for c in communities}
    street_pts: list[Point] = []
    for arr, j0 in ((ot, 1), (sd, 1), (tn, 0)):
        for i in range(arr.shape[0]):
            for j in range(j0, arr.shape[1]):
                street_pts.append((float(arr[i, j, 0]) + 8.0, float(arr[i, j, 1]) + 8.0))
    for x in ND_XS:
        for y in np.arange(ND_YS[0] + 60.0, ND_YS[-1], 60.0):
            street_pts += [(x - 12.0, float(y)), (x + 12.0, float(y))]
    for y in ND_YS:
        for x in np.arange(ND_XS[0] + 60.0, ND_XS[-1], 60.0):
            street_pts += [(float(x), y - 12.0), (float(x), y + 12.0)]
    for vg in village_grids:
        street_pts += [
            (float(vg[a, b, 0]) + 8.0, float(vg[a, b, 1]) + 8.0) for a in range(3) for b in range(3)
        ]
    sx = np.array([p[0] for p in street_pts])
    sy = np.array([p[1] for p in street_pts])
    for c in communities:
        inside = shapely.contains_xy(c.polygon, sx, sy)
        spots[c.cid] = [street_pts[int(q)] for q in np.flatnonzero(inside)]
    return spots


def _cell_centre(arr: FloatArray, i: int, j: int, dj: int) -> Point:
    """Centre of the grid cell right of junction (i, j), ``dj`` rows up."""
    return (
        float(arr[i, j, 0] + arr[i + 1, j + dj, 0]) / 2,
        float(arr[i, j, 1] + arr[i + 1, j + dj, 1]) / 2,
    )


def candidate_parcels(
    rng: np.random.Generator,
    ot: FloatArray,
    sd: FloatArray,
    tn: FloatArray,
    superblocks: Sequence[Superblock],
    village_grids: Sequence[FloatArray],
) -> list[tuple[str, str, shapely.Polygon]]:
    """Candidate parcels (name, kind, polygon): vacant land and buildings to reuse."""
    parcels: list[tuple[str, str, shapely.Polygon]] = []

    ot_cells = rng.permutation((OT_NX - 1) * (OT_NY - 2))[:14]
    for q in sorted(int(v) for v in ot_cells):
        cx, cy = _cell_centre(ot, q // (OT_NY - 2), q % (OT_NY - 2) + 1, 1)
        s = float(rng.uniform(20.0, 30.0))
        kind = "public_building" if rng.random() < 0.5 else "vacant"
        label = "旧址改造" if kind == "public_building" else "闲置地块"
        parcels.append((f"老城{label}", kind, box(cx - s, cy - s, cx + s, cy + s)))
    sd_cells = rng.permutation((SD_NX - 1) * (SD_NY - 2))[:10]
    for q in sorted(int(v) for v in sd_cells):
        cx, cy = _cell_centre(sd, q // (SD_NY - 2), q % (SD_NY - 2) + 1, 1)
        s = float(rng.uniform(25.0, 45.0))
        kind = "vacant" if rng.random() < 0.7 else "public_building"
        label = "闲置地块" if kind == "vacant" else "旧厂房改造"
        parcels.append((f"滨河{label}", kind, box(cx - s, cy - s, cx + s, cy + s)))
    for gid, x0, y0, _x1, _y1, _g in [*superblocks[::2], *superblocks[1::4]]:
        cx, cy = x0 + RING_INSET_M + 40.0, y0 + RING_INSET_M + 40.0
        parcels.append(
            (f"{gid}小区会所改造", "public_building", box(cx - 25, cy - 25, cx + 25, cy + 25))
        )
    for x in (2420.0, 2880.0, 3330.0, 3780.0):
        parcels.append(("新城滨江空地", "vacant", box(x - 30.0, 315.0, x + 30.0, 375.0)))
    for i, j in ((1, 1), (5, 5), (6, 2)):
        cx, cy = _cell_centre(tn, i, j, 1)
        parcels.append(("临溪镇闲置地块", "vacant", box(cx - 20, cy - 20, cx + 20, cy + 20)))
    for vg in village_grids[:3]:
        cx, cy = _cell_centre(vg, 0, 0, 1)
        parcels.append(
            ("村集体闲置用房", "public_building", box(cx - 15, cy - 15, cx + 15, cy + 15))
        )
    return parcels


def write_facilities_csv(path: Path, facilities: Sequence[Facility], e0: float, n0: float) -> None:
    """Write ``facilities.csv`` (GBK, CRLF) with GCJ-02 coordinates, as a Chinese source would."""
    fx = np.array([f.x for f in facilities])
    fy = np.array([f.y for f in facilities])
    lon, lat = to_lonlat(fx, fy, e0, n0)
    glon, glat = wgs84_to_gcj02(lon, lat)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(["编号", "名称", "类别", "建筑面积", "所属社区", "经度", "纬度"])
    alias_every = {"elderly_day_care": 4, "fresh_market": 4}
    seen: dict[str, int] = {}
    for k, f in enumerate(facilities):
        seen[f.category] = seen.get(f.category, 0) + 1
        every = alias_every.get(f.category)
        zh = CATEGORY_ALIAS[f.category] if every and seen[f.category] % every == 0 else None
        writer.writerow(
            [
                f"F{k + 1:04d}",
                f.name,
                zh or CATEGORY_ZH[f.category],
                f"{f.floor_area_m2:.0f}",
                f.community_id,
                f"{glon[k]:.6f}",
                f"{glat[k]:.6f}",
            ]
        )
    path.write_bytes(text.getvalue().encode("gbk"))
