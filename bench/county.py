"""A generated county of a real county seat's size, for the whole-run benchmark and tests.

:func:`make_county` writes, from a seed, a project folder that ``lifecircle run`` reads like a
planner's own: a street network as OSM XML (a jittered grid, about ``nodes`` junctions, 10 % of
the blocks' sides missing, a main road every tenth line), a population GeoTIFF of 100 m cells
(``nodes / 2`` populated cells; a county seat, four towns and a rural base), a communities
GeoPackage (a square grid of ``nodes / 1000`` communities with households and population summed
from the cells), a facilities CSV (lon/lat, ``nodes × 3 / 2000`` facilities in each of eight
categories, placed where people live) and ``project.toml`` (profile ``cn-national``, siting five
elderly day-care centres). At the default size: 99,856 nodes, 50,176 cells (about 500,000
people), 100 communities and 150 facilities per category.

The data are synthetic: the OSM header names the demo generator, so maps and reports made from
it say 合成数据 and credit no OpenStreetMap contributor. Nothing is committed: the benchmark
writes it to a temporary folder.

Usage: ``python bench/county.py OUT [--nodes N]`` writes the folder and prints the project file.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import Affine

from lifecircle.geo.netsource import SYNTHETIC_GENERATOR

SEED = 20261123
UTM_CRS = "EPSG:32648"
CENTER_LON, CENTER_LAT = 108.3, 30.6
CELL_M = 100.0
#: The eight categories with facilities, and their floor areas (m², uniform range).
CATEGORIES = {
    "community_service_station": (300.0, 1500.0),
    "kindergarten": (1500.0, 4000.0),
    "elderly_day_care": (200.0, 900.0),
    "community_health_station": (150.0, 600.0),
    "supermarket": (500.0, 3000.0),
    "primary_school": (5000.0, 12000.0),
    "fresh_market": (800.0, 3000.0),
    "middle_school": (8000.0, 20000.0),
}
NAMES = {
    "community_service_station": "社区综合服务站",
    "kindergarten": "幼儿园",
    "elderly_day_care": "日间照料中心",
    "community_health_station": "社区卫生服务站",
    "supermarket": "综合超市",
    "primary_school": "小学",
    "fresh_market": "菜市场",
    "middle_school": "初级中学",
}
PERSONS_PER_HOUSEHOLD = 2.62


def _origin() -> tuple[float, float]:
    e, n = Transformer.from_crs("EPSG:4326", UTM_CRS, always_xy=True).transform(
        CENTER_LON, CENTER_LAT
    )
    return round(e / 1000.0) * 1000.0, round(n / 1000.0) * 1000.0


def _streets(path: Path, rng: np.random.Generator, side: int, spacing_m: float) -> None:
    """A jittered grid of ``side`` × ``side`` junctions as OSM XML ways (runs of present edges)."""
    e0, n0 = _origin()
    half = (side - 1) * spacing_m / 2.0
    jj, ii = np.meshgrid(np.arange(side), np.arange(side))
    x = e0 - half + jj * spacing_m + rng.uniform(-0.15, 0.15, jj.shape) * spacing_m
    y = n0 - half + ii * spacing_m + rng.uniform(-0.15, 0.15, ii.shape) * spacing_m
    main = np.arange(side) % 10 == 5
    # rows (along x) and columns (along y): an edge is missing with 10 % chance, not on main roads
    keep_row = (rng.random((side, side - 1)) > 0.1) | main[:, None]
    keep_col = (rng.random((side - 1, side)) > 0.1) | main[None, :]
    lon, lat = Transformer.from_crs(UTM_CRS, "EPSG:4326", always_xy=True).transform(
        x.ravel(), y.ravel()
    )
    buf = io.StringIO()
    buf.write("<?xml version='1.0' encoding='UTF-8'?>\n")
    buf.write(f'<osm version="0.6" generator="{SYNTHETIC_GENERATOR} (bench county)">\n')
    buf.writelines(
        f'  <node id="{k + 1}" lat="{la:.7f}" lon="{lo:.7f}"/>\n'
        for k, (la, lo) in enumerate(zip(lat.tolist(), lon.tolist(), strict=True))
    )
    way = 0

    def runs(keep: np.ndarray, ids: np.ndarray, tags: str) -> None:
        nonlocal way
        k = 0
        while k < len(keep):
            if not keep[k]:
                k += 1
                continue
            start = k
            while k < len(keep) and keep[k]:
                k += 1
            way += 1
            nds = "".join(f'<nd ref="{i + 1}"/>' for i in ids[start : k + 1].tolist())
            buf.write(f'  <way id="{way}">{nds}{tags}</way>\n')

    idx = np.arange(side * side).reshape(side, side)
    for r in range(side):
        tags = (
            f'<tag k="highway" v="primary"/><tag k="name" v="东西{r // 10 + 1}路"/>'
            if main[r]
            else '<tag k="highway" v="residential"/>'
        )
        runs(keep_row[r], idx[r], tags)
    for c in range(side):
        tags = (
            f'<tag k="highway" v="secondary"/><tag k="name" v="南北{c // 10 + 1}街"/>'
            if main[c]
            else '<tag k="highway" v="residential"/>'
        )
        runs(keep_col[:, c], idx[:, c], tags)
    buf.write("</osm>\n")
    path.write_text(buf.getvalue(), encoding="utf-8")


def _population(rng: np.random.Generator, cells: int) -> tuple[np.ndarray, float, float]:
    """Persons per cell on a ``cells × cells`` grid, and the grid's west and north edges (m)."""
    e0, n0 = _origin()
    size_m = cells * CELL_M
    west, north = e0 - size_m / 2.0, n0 + size_m / 2.0
    cx = (np.arange(cells) + 0.5) * CELL_M - size_m / 2.0
    gx, gy = np.meshgrid(cx, -cx)
    scale = size_m / 22_400.0
    centres = [(0.0, 0.0, 2000.0, 150.0)] + [
        (sx * 6500.0, sy * 6000.0, 800.0, 60.0) for sx, sy in [(-1, 1), (1, 1), (1, -1), (-1, -1)]
    ]
    dens = np.full(gx.shape, 1.0)
    for x0, y0, r, peak in centres:
        x0, y0, r = x0 * scale, y0 * scale, r * math.sqrt(scale)
        dens += peak * np.exp(-((gx - x0) ** 2 + (gy - y0) ** 2) / (2 * r * r))
    pop = np.round(dens * rng.uniform(0.6, 1.4, dens.shape), 1).astype(np.float32)
    return np.maximum(pop, 0.5), west, north


def make_county(out: Path, *, nodes: int = 100_000, seed: int = SEED) -> Path:
    """Write the generated county into ``out`` and return its ``project.toml``.

    Parameters
    ----------
    out
        The folder (created when missing; its files are replaced).
    nodes
        About how many street junctions (the grid is ``round(√nodes)`` on a side); populated
        cells are about ``nodes / 2``, communities ``nodes / 1000``, facilities per category
        ``nodes × 3 / 2000``.
    seed
        The random seed: the same seed and size give the same files.

    Returns
    -------
    Path
        The project file.
    """
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    side = round(math.sqrt(nodes))
    cells = round(math.sqrt(nodes / 2.0))
    size_m = cells * CELL_M
    _streets(out / "streets.osm", rng, side, size_m / side)

    pop, west, north = _population(rng, cells)
    transform = Affine(CELL_M, 0.0, west, 0.0, -CELL_M, north)  # north-up, 100 m cells
    with rasterio.open(
        out / "population.tif",
        "w",
        driver="GTiff",
        width=cells,
        height=cells,
        count=1,
        dtype="float32",
        crs=UTM_CRS,
        transform=transform,
        nodata=0.0,
        compress="deflate",
    ) as dst:
        dst.write(pop, 1)

    # communities: a square grid, each holding the people of the cells whose centre it contains
    k = max(1, round(math.sqrt(nodes / 1000.0)))
    edges = np.linspace(0, cells, k + 1).round().astype(int)
    rows = []
    for a in range(k):
        for b in range(k):
            block = pop[edges[a] : edges[a + 1], edges[b] : edges[b + 1]]
            persons = float(block.sum())
            poly = shapely.box(
                west + edges[b] * CELL_M,
                north - edges[a + 1] * CELL_M,
                west + edges[b + 1] * CELL_M,
                north - edges[a] * CELL_M,
            )
            dense = persons / block.size > 20.0
            rows.append(
                {
                    "id": f"C{a * k + b + 1:04d}",
                    "name": f"第{a * k + b + 1}{'社区' if dense else '村'}",
                    "kind": "urban" if dense else "rural",
                    "households": round(persons / PERSONS_PER_HOUSEHOLD),
                    "population": round(persons),
                    "street": f"第{a // 3 + 1}街道",
                    "geometry": poly,
                }
            )
    comm = gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM_CRS)
    pyogrio.write_dataframe(comm, out / "communities.gpkg", layer="communities", driver="GPKG")

    # facilities where people live: cells drawn by population, a random spot in the cell
    per_cat = max(1, round(nodes * 3 / 2000))
    weights = pop.ravel() / pop.sum()
    to_ll = Transformer.from_crs(UTM_CRS, "EPSG:4326", always_xy=True)
    parts = []
    for n, (cat, (lo, hi)) in enumerate(CATEGORIES.items()):
        cell = rng.choice(pop.size, size=per_cat, p=weights)
        r, c = np.divmod(cell, cells)
        fx = west + (c + rng.random(per_cat)) * CELL_M
        fy = north - (r + rng.random(per_cat)) * CELL_M
        lon, lat = to_ll.transform(fx, fy)
        parts.append(
            pd.DataFrame(
                {
                    "id": [f"F{n + 1}{i + 1:05d}" for i in range(per_cat)],
                    "name": [f"{NAMES[cat]}{i + 1}" for i in range(per_cat)],
                    "category": cat,
                    "floor_area_m2": np.round(rng.uniform(lo, hi, per_cat), -1),
                    "lon": np.round(lon, 7),
                    "lat": np.round(lat, 7),
                }
            )
        )
    pd.concat(parts, ignore_index=True).to_csv(out / "facilities.csv", index=False)

    project = out / "project.toml"
    project.write_text(
        f"""# generated county ({side * side:,} junctions, {cells * cells:,} cells): bench/county.py
[project]
name = "生成县城（合成数据）"
profile = "cn-national"
lang = "zh"
output = "out"
persons_per_household = {PERSONS_PER_HOUSEHOLD}
synthetic = true

[network]
path = "streets.osm"
max_snap_m = 300

[layers.communities]
path = "communities.gpkg"
fields = {{ id = "id", name = "name", kind = "kind", households = "households", \
population = "population", street = "street" }}

[layers.facilities]
path = "facilities.csv"
fields = {{ id = "id", name = "name", category = "category", \
floor_area_m2 = "floor_area_m2", x = "lon", y = "lat" }}
crs = "EPSG:4326"

[layers.population]
path = "population.tif"
fields = {{ value = "population" }}

[siting]
category = "elderly_day_care"
new_sites = 5

[map]
basemap = "none"
offline = true
""",
        encoding="utf-8",
    )
    return project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--nodes", type=int, default=100_000)
    args = parser.parse_args()
    print(make_county(args.out, nodes=args.nodes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
