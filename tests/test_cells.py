"""Tests of maps/cells.py: uncovered demand points gathered into cells, totals kept."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from lifecircle.maps.cells import cell_grid, half_steps_lonlat, uncovered_cells

UTM48 = "EPSG:32648"  # the UTM zone of 107.9°E
UTM49 = "EPSG:32649"


def _lattice_lonlat(crs: str, spacing_m: float, n: int, origin: tuple[float, float]) -> np.ndarray:
    """Centres of an n × n raster of ``spacing_m`` cells laid out in ``crs``, as lon/lat."""
    ii, jj = np.meshgrid(np.arange(n), np.arange(n))
    x = origin[0] + (jj.ravel() + 0.5) * spacing_m
    y = origin[1] + (ii.ravel() + 0.5) * spacing_m
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    return np.column_stack([lon, lat])


def test_a_raster_in_the_maps_zone_keeps_its_cells() -> None:
    ll = _lattice_lonlat(UTM48, 100.0, 30, (700_000.0, 3_440_000.0))
    grid = cell_grid(ll[:, 0], ll[:, 1])
    assert grid.lattice
    assert grid.size_m == pytest.approx((100.0, 100.0), abs=1e-6)


def test_a_raster_in_another_zone_is_found_turned() -> None:
    """A UTM 49N raster seen from zone 48 is turned by the two zones' meridian convergence."""
    ll = _lattice_lonlat(UTM49, 100.0, 30, (180_000.0, 3_445_000.0))
    grid = cell_grid(ll[:, 0], ll[:, 1])
    assert grid.lattice
    turn = math.degrees(math.atan2(grid.step_i[1], grid.step_i[0]))
    # the convergence changes by sin(latitude) per degree of longitude: 6° × sin(31°) ≈ 3.1°
    assert 2.5 < abs(turn) < 3.6
    # one point per cell: as many cells as points
    xy = np.column_stack(
        Transformer.from_crs("EPSG:4326", grid.crs, always_xy=True).transform(*ll.T)
    )
    i, j = grid.index(xy)
    assert len(set(zip(i.tolist(), j.tolist(), strict=True))) == len(ll)
    # the drawn cell: half steps of about 50 m each
    half = half_steps_lonlat(grid, ll[len(ll) // 2])
    metres = half * [111_320.0 * math.cos(math.radians(ll[:, 1].mean())), 110_900.0]
    assert np.hypot(*metres.T) == pytest.approx([50.0, 50.0], rel=0.01)


def test_scattered_points_get_a_round_square_grid() -> None:
    rng = np.random.default_rng(2)
    lon = 107.9 + rng.uniform(0, 0.02, 400)
    lat = 31.1 + rng.uniform(0, 0.02, 400)
    grid = cell_grid(lon, lat)
    assert not grid.lattice
    assert grid.size_m[0] == grid.size_m[1]
    assert grid.size_m[0] in (50.0, 100.0, 200.0)


def _uncovered(rng: np.random.Generator, lonlat: np.ndarray) -> gpd.GeoDataFrame:
    """Each point uncovered for a random subset of categories, one row per point and category."""
    cats = {"5min": ["kindergarten", "supermarket", "nursery"], "10min": ["primary_school"]}
    pop = np.round(rng.uniform(0, 80, len(lonlat)), 1)
    rows = []
    for level, names in cats.items():
        for c in names:
            miss = rng.random(len(lonlat)) < 0.5
            rows += [(pop[k], c, level, *lonlat[k]) for k in np.flatnonzero(miss)]
    frame = pd.DataFrame(rows, columns=["population", "category", "level", "lon", "lat"])
    return gpd.GeoDataFrame(
        frame[["population", "category", "level"]],
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("scattered", [False, True])
def test_cells_carry_the_population_of_the_points_they_replace(scattered: bool) -> None:
    rng = np.random.default_rng(7)
    lonlat = (
        np.column_stack([107.9 + rng.uniform(0, 0.03, 900), 31.1 + rng.uniform(0, 0.03, 900)])
        if scattered
        else _lattice_lonlat(UTM48, 100.0, 30, (700_000.0, 3_440_000.0))
    )
    frame = _uncovered(rng, lonlat)
    grid, per_level = uncovered_cells(frame, ["5min", "10min", "15min"])
    assert grid is not None and grid.lattice is not scattered
    assert [c.level for c in per_level] == ["5min", "10min"]  # no 15-minute row: no layer
    for cells in per_level:
        rows = frame[frame["level"] == cells.level]
        # brute force: each distinct point once, with its population
        distinct = {
            (p.x, p.y): pop for p, pop in zip(rows.geometry, rows["population"], strict=True)
        }
        assert cells.population.sum() == pytest.approx(sum(distinct.values()), rel=1e-12)
        for k, cat in enumerate(cells.categories):
            assert cells.population_by_category[k] == pytest.approx(
                rows.loc[rows["category"] == cat, "population"].sum()
            )
        if not scattered:  # one point a cell: each cell is its point
            assert len(cells.population) == len(distinct)
        else:
            assert len(cells.population) < len(distinct)
        # every category some point misses is in the masks, and no other
        union = np.bitwise_or.reduce(cells.missing)
        assert union == (1 << len(cells.categories)) - 1


def test_a_cell_lists_the_categories_its_points_miss() -> None:
    """Two points 10 m apart in one 50 m cell: it misses what either misses."""
    # metres in UTM 48N: the pair inside the cell [700000, 700050] × [3440000, 3440050], and a
    # row of 20 points 40 m apart 2 km away (so the typical spacing, 40 m, makes 50 m cells)
    pair = [(700_020.0, 3_440_020.0), (700_030.0, 3_440_020.0)]
    row = [(702_000.0 + 40.0 * k, 3_440_020.0) for k in range(20)]
    x, y = np.array(pair + row).T
    lon, lat = Transformer.from_crs(UTM48, "EPSG:4326", always_xy=True).transform(x, y)
    at = [0, 1, *range(2, 22), 0]  # the first point misses two categories: two rows
    cats = ["kindergarten", "supermarket", *["kindergarten"] * 20, "supermarket"]
    frame = gpd.GeoDataFrame(
        {"population": [10.0, 5.0, *[1.0] * 20, 10.0], "category": cats, "level": "5min"},
        geometry=gpd.points_from_xy(lon[at], lat[at]),
        crs="EPSG:4326",
    )
    grid, (cells,) = uncovered_cells(frame, ["5min"])
    assert grid is not None and not grid.lattice and grid.size_m == (50.0, 50.0)
    assert cells.categories == ("kindergarten", "supermarket")
    k = int(np.argmax(cells.population))
    # the first point counted once although it has two rows, plus the second
    assert cells.population[k] == pytest.approx(15.0)
    assert cells.missing[k] == 0b11
    assert cells.population.sum() == pytest.approx(35.0)
