"""The demo's communities' attributes and the population raster.

Attributes (households, people, staff, social organisations, volunteers, station and activity floor
areas) are drawn per community kind, with the designed norm failures fixed by id; their outlines
are fixed in :mod:`.layout`. :func:`write_population` spreads each community's people over 100 m
cells (``population.tif``), inside the gated compounds in the new district.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import shapely
from affine import Affine

from lifecircle.data.demo.layout import CELL_M, UTM_CRS, Community, FloatArray

DESIGNED_HOUSEHOLDS = {"C05": 5000, "C03": 2050, "C16": 2600, "C38": 250, "C35": 700}
DESIGNED_STATION_M2 = {"C03": 650.0, "C16": 520.0, "C35": 150.0}
NO_STATION = frozenset({"C23"})
MISSING_STAFF = frozenset({"C10", "C19", "C26", "C33", "C37"})
MISSING_ACTIVITY = frozenset({"C08", "C22", "C31", "C36"})


@dataclass(frozen=True)
class Attrs:
    """The communities' drawn attributes, in community order (None: not recorded)."""

    households: list[int]
    population: list[int]
    workers: list[int | None]
    social_orgs: list[int | None]
    volunteers: list[int | None]
    station_m2: list[float | None]
    activity_m2: list[float | None]


def community_attributes(rng: np.random.Generator, communities: Sequence[Community]) -> Attrs:
    hh: list[int] = []
    pop: list[int] = []
    workers: list[int | None] = []
    orgs: list[int | None] = []
    vols: list[int | None] = []
    station: list[float | None] = []
    activity: list[float | None] = []
    for c in communities:
        if c.kind == "urban":
            h = int(rng.integers(1500, 2600))
            pph = float(rng.uniform(2.5, 2.75))
            st = max(float(rng.uniform(800.0, 1300.0)), 0.33 * h + float(rng.uniform(0, 200)))
            w, o, v = int(rng.integers(8, 21)), int(rng.integers(3, 13)), int(rng.integers(60, 400))
        elif c.kind == "town":
            h = int(rng.integers(1100, 1700))
            pph = float(rng.uniform(2.6, 2.9))
            st = max(float(rng.uniform(500.0, 800.0)), 0.33 * h)
            w, o, v = int(rng.integers(6, 12)), int(rng.integers(2, 8)), int(rng.integers(40, 200))
        else:
            h = int(rng.integers(350, 1400))
            pph = float(rng.uniform(2.8, 3.2))
            st = max(float(rng.uniform(220.0, 420.0)), 0.33 * h + float(rng.uniform(0, 60)))
            w, o, v = int(rng.integers(3, 8)), int(rng.integers(1, 5)), int(rng.integers(10, 90))
        h = DESIGNED_HOUSEHOLDS.get(c.cid, h)
        st = DESIGNED_STATION_M2.get(c.cid, round(st / 10.0) * 10.0)
        hh.append(h)
        pop.append(round(h * pph))
        missing = c.cid in MISSING_STAFF
        workers.append(None if missing else w)
        orgs.append(None if missing else o)
        vols.append(None if missing else v)
        station.append(None if c.cid in NO_STATION else st)
        act = None if c.cid in MISSING_ACTIVITY or c.cid in NO_STATION else round(0.5 * st)
        activity.append(float(act) if act is not None else None)
    return Attrs(hh, pop, workers, orgs, vols, station, activity)


def write_population(
    path: Path,
    rng: np.random.Generator,
    communities: Sequence[Community],
    population: Sequence[int],
    compounds: Sequence[tuple[str, shapely.Polygon]],
    e0: float,
    n0: float,
) -> None:
    """Write the population raster (people per 100 m cell, float32, UTM 48N) at ``path``."""
    bounds = np.array([c.polygon.bounds for c in communities])
    x0 = math.floor((bounds[:, 0].min() - CELL_M) / CELL_M) * CELL_M
    y0 = math.floor((bounds[:, 1].min() - CELL_M) / CELL_M) * CELL_M
    x1 = math.ceil((bounds[:, 2].max() + CELL_M) / CELL_M) * CELL_M
    y1 = math.ceil((bounds[:, 3].max() + CELL_M) / CELL_M) * CELL_M
    ncol, nrow = round((x1 - x0) / CELL_M), round((y1 - y0) / CELL_M)
    cx = x0 + (np.arange(ncol) + 0.5) * CELL_M
    cy = y1 - (np.arange(nrow) + 0.5) * CELL_M
    gx, gy = np.meshgrid(cx, cy)
    grid = np.zeros((nrow, ncol), dtype=np.float64)
    gated = shapely.union_all([p for _, p in compounds])
    noise = rng.gamma(3.0, 1.0 / 3.0, size=grid.shape)
    for c, pop in zip(communities, population, strict=True):
        inside = shapely.contains_xy(c.polygon, gx, gy)
        w: FloatArray = np.asarray(noise * inside, dtype=np.float64)
        if c.district == "new":
            w = np.where(shapely.contains_xy(gated, gx, gy), w, 0.02 * w)
        elif c.district == "village":
            ccx, ccy = c.polygon.centroid.x, c.polygon.centroid.y
            d2 = (gx - ccx) ** 2 + (gy - ccy) ** 2
            w = w * np.exp(-d2 / (2 * 220.0**2))
            w = np.where(w > 0.02, w, 0.0)
        if w.sum() <= 0:
            raise RuntimeError(f"community {c.cid} has no population cell")
        grid += pop * w / w.sum()
    profile = {
        "driver": "GTiff",
        "width": ncol,
        "height": nrow,
        "count": 1,
        "dtype": "float32",
        "crs": UTM_CRS,
        "transform": Affine(CELL_M, 0.0, x0 + e0, 0.0, -CELL_M, y1 + n0),
        "nodata": 0.0,
        "compress": "deflate",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(grid.astype(np.float32), 1)
        dst.set_band_description(1, "population")
