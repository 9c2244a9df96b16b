"""Siting through the pipeline and the p-median kernel, checked against answers found by hand
or by enumerating every choice of sites.

The pipeline cases run on a street grid whose junctions are the population cells' centres: every
demand point, facility and candidate then sits on a junction, and the walking distance between
two of them is the grid (Manhattan) distance, which the tests compute themselves.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from tinyproject import (
    COMMUNITY_FIELDS,
    UTM48,
    X0,
    Y0,
    communities_frame,
    lonlat,
    write_population,
)

import lifecircle
from lifecircle.analysis.siting import p_median

FACILITY_FIELDS = (
    'fields = { id = "编号", name = "名称", category = "类别", floor_area_m2 = "建筑面积", '
    'x = "经度", y = "纬度" }'
)
CUTOFF_M = 300.0  # the elderly day-care centre's 5-minute distance in cn-national

# Cells are named by (column, row) from the south-west; a cell's centre is a street junction.
Cell = tuple[int, int]
EXISTING: Cell = (0, 0)  # the one existing day-care centre
PEOPLE: dict[Cell, float] = {
    (0, 0): 100.0,  # a crowded corner, already served by the existing centre
    (1, 0): 100.0,
    (0, 1): 100.0,
    (5, 5): 60.0,  # a far corner nobody serves
    (5, 4): 60.0,
    (3, 3): 40.0,  # a few in the middle
}
CANDIDATES: dict[str, Cell] = {"K1": (1, 1), "K2": (5, 5), "K3": (3, 3), "K4": (2, 0)}


def _xy(cell: Cell) -> tuple[float, float]:
    """Local metres of a cell's centre."""
    return 50.0 + 100.0 * cell[0], 50.0 + 100.0 * cell[1]


def _walk_m(a: Cell, b: Cell) -> float:
    """Walking distance on the 100 m grid of junctions: the Manhattan distance."""
    return 100.0 * (abs(a[0] - b[0]) + abs(a[1] - b[1]))


def _write_case(folder: Path, problem: str, n_sites: int) -> Path:
    """The grid project: streets through the cell centres, people, one centre, 4 candidates."""
    folder.mkdir(parents=True)
    ticks = [50.0 + 100.0 * k for k in range(6)]
    lines = [shapely.LineString([(X0 + t, Y0 + 50), (X0 + t, Y0 + 550)]) for t in ticks]
    lines += [shapely.LineString([(X0 + 50, Y0 + t), (X0 + 550, Y0 + t)]) for t in ticks]
    gpd.GeoDataFrame(
        {"道路名称": [f"路{k}" for k in range(len(lines))]}, geometry=lines, crs=UTM48
    ).to_file(folder / "streets.geojson", driver="GeoJSON")
    communities_frame().to_file(folder / "communities.gpkg", driver="GPKG")
    raster = np.zeros((6, 6))
    for (col, row), people in PEOPLE.items():
        raster[5 - row, col] = people  # the raster's first row is the north edge
    write_population(folder / "population.tif", raster)
    lon, lat = lonlat(*_xy(EXISTING))
    pd.DataFrame(
        [["E1", "文庙日间照料中心", "老年人日间照料中心", "400", f"{lon:.7f}", f"{lat:.7f}"]],
        columns=["编号", "名称", "类别", "建筑面积", "经度", "纬度"],
    ).to_csv(folder / "facilities.csv", index=False, encoding="utf-8")
    cand_xy = [_xy(c) for c in CANDIDATES.values()]
    gpd.GeoDataFrame(
        {"编号": list(CANDIDATES), "可建面积": [1000.0] * len(CANDIDATES)},
        geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in cand_xy],
        crs=UTM48,
    ).to_file(folder / "candidates.gpkg", driver="GPKG")
    (folder / "project.toml").write_text(
        f"""[project]
name = "选址核对"
profile = "cn-national"
lang = "zh"
output = "out"

[network]
path = "streets.geojson"
max_snap_m = 150
cache = false

[layers.communities]
path = "communities.gpkg"
{COMMUNITY_FIELDS}

[layers.facilities]
path = "facilities.csv"
{FACILITY_FIELDS}
crs = "EPSG:4326"

[layers.population]
path = "population.tif"

[layers.candidates]
path = "candidates.gpkg"
fields = {{ id = "编号", max_floor_area_m2 = "可建面积" }}

[siting]
category = "elderly_day_care"
problem = "{problem}"
new_sites = {n_sites}
""",
        encoding="utf-8",
    )
    return folder / "project.toml"


def _covered(cell: Cell, sites: Iterable[Cell]) -> bool:
    return any(_walk_m(cell, s) <= CUTOFF_M for s in sites)


def _best_mclp(n_sites: int) -> tuple[set[frozenset[str]], float]:
    """Every best choice of ``n_sites`` candidates by enumeration, and the people it newly covers
    (people already within reach of the existing centre count for nothing)."""
    scores = {}
    for chosen in itertools.combinations(CANDIDATES, n_sites):
        sites = [CANDIDATES[c] for c in chosen]
        scores[frozenset(chosen)] = sum(
            p
            for cell, p in PEOPLE.items()
            if not _covered(cell, [EXISTING]) and _covered(cell, sites)
        )
    best = max(scores.values())
    return {k for k, v in scores.items() if v == best}, best


def _median_cost(chosen: Sequence[str]) -> float:
    """Σ people × metres to the nearest facility: the existing centre at any distance, a new
    site only within the catchment (as the pipeline pairs them)."""
    total = 0.0
    for cell, people in PEOPLE.items():
        d = _walk_m(cell, EXISTING)
        for c in chosen:
            dc = _walk_m(cell, CANDIDATES[c])
            if dc <= CUTOFF_M:
                d = min(d, dc)
        total += people * d
    return total


def test_mclp_in_the_pipeline_counts_only_people_not_yet_covered(tmp_path: Path) -> None:
    best_sets, best_new = _best_mclp(2)
    # by hand: K2 covers the far corner (120), K3 the middle and (5, 4) (100), together 160;
    # K1 and K4 cover only the corner already served (300 people, who would win if counted)
    assert best_sets == {frozenset({"K2", "K3"})} and best_new == 160.0
    results = lifecircle.analyse(lifecircle.load_project(_write_case(tmp_path / "p", "mclp", 2)))
    sol = results.siting_solution
    assert sol is not None and sol.exact
    assert frozenset(results.sites["candidate_id"]) in best_sets
    assert sol.objective == pytest.approx(best_new)
    assert results.sites["newly_covered_population"].sum() == pytest.approx(best_new)


def test_p_median_in_the_pipeline_keeps_the_existing_centre(tmp_path: Path) -> None:
    costs = {c: _median_cost([c]) for c in CANDIDATES}
    best = min(costs.values())
    # by hand: K2 brings the far corner from 1,000 m and 900 m down to 0 m and 100 m; the
    # middle (600 m from the existing centre, 400 m from K2) keeps its walk
    assert costs["K2"] == best == 100 * 100 + 100 * 100 + 60 * 100 + 40 * 600
    assert sorted(costs.values())[1] > best
    results = lifecircle.analyse(
        lifecircle.load_project(_write_case(tmp_path / "p", "p_median", 1))
    )
    sol = results.siting_solution
    assert sol is not None and sol.exact
    assert list(results.sites["candidate_id"]) == ["K2"]
    # the existing centre's lon/lat (7 decimals) puts it millimetres off its junction
    assert sol.objective == pytest.approx(best, abs=1.0)


def test_p_median_households_go_to_the_nearest_site_not_the_first_ranked() -> None:
    # candidates c0, c1 both opened; d0 (10 people, 30 households) is 100 m from c0 and 200 m
    # from c1, d1 (1 person, 7 households) 150 m from c0 and 50 m from c1. Ranking by distance
    # saved from the 200 m cutoff: c0 saves 10·100 + 1·50 = 1,050, then c1 saves 1·100 = 100.
    res = p_median(
        pair_candidate=[0, 0, 1, 1],
        pair_demand=[0, 1, 0, 1],
        pair_dist_m=[100.0, 150.0, 200.0, 50.0],
        weight=[10.0, 1.0],
        n_candidates=2,
        n_sites=2,
        households=[30.0, 7.0],
        area_per_100hh_m2=30.0,
    )
    assert res.selected.tolist() == [0, 1]
    assert res.marginal_gain.tolist() == pytest.approx([1050.0, 100.0])
    # d0 walks to c0, d1 to c1 (its nearest), although c0 ranks first and reaches it too
    assert res.served_households.tolist() == [30.0, 7.0]
    assert res.required_floor_area_m2.tolist() == pytest.approx([9.0, 2.1])


def test_p_median_gain_counts_from_the_existing_facility() -> None:
    # d0 (10 people) has a facility 60 m away and candidate c0 40 m away; d1 (1 person) has
    # none, c0 at 100 m and c1 at 300 m (the cutoff, the largest pair distance). One site:
    # c0 costs 10·40 + 1·100 = 500, c1 10·60 + 1·300 = 900, so c0. Its gain is what it saves
    # given the existing facility: 10·(60 − 40) for d0 plus 1·(300 − 100) for d1 = 400
    # (ignoring the existing facility, d0 would count from 300 m and give 2,800).
    res = p_median(
        pair_candidate=[0, 0, 1],
        pair_demand=[0, 1, 1],
        pair_dist_m=[40.0, 100.0, 300.0],
        weight=[10.0, 1.0],
        n_candidates=2,
        n_sites=1,
        existing_dist_m=[60.0, np.inf],
    )
    assert res.selected.tolist() == [0]
    assert res.objective == pytest.approx(500.0)
    assert res.marginal_gain.tolist() == pytest.approx([400.0])
