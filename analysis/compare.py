"""Comparing two runs over the same demand points: a scenario against its baseline, or two projects.

Everything is derived from the two runs' results: coverage before and after, the people newly
within (or no longer within) reach, communities whose floor-area results change, and facilities
added, closed or resized (matched by id).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from lifecircle.analysis.results import Comparison, RunResults
from lifecircle.errors import InputError
from lifecircle.vocab import DIST_PREFIX

#: How a facility differs between the two runs.
Change = Literal["added", "closed", "resized"]

#: Columns of :attr:`Comparison.communities`, compared by community id.
COMMUNITY_CHECK_COLUMNS = (
    "area_per_100hh_m2",
    "area_per_100hh_shortfall_m2",
    "area_per_100hh_result",
    "reachable_area_per_100hh_m2",
)


def _distances(results: RunResults) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each category's walking distances (m, inf where unreachable) and the counted mask."""
    demand = results.demand
    dist = {
        str(col).removeprefix(DIST_PREFIX): pd.to_numeric(demand[col], errors="coerce")
        .fillna(np.inf)
        .to_numpy(dtype=float)
        for col in demand.columns
        if str(col).startswith(DIST_PREFIX)
    }
    return dist, demand["counted"].fillna(False).to_numpy(dtype=bool)


def _covered(
    dist: dict[str, np.ndarray], counted: np.ndarray, category: str, distance_m: float
) -> np.ndarray:
    if category not in dist:
        return np.zeros(len(counted), dtype=bool)
    return (dist[category] <= distance_m) & counted


def _check_same_demand(before: RunResults, after: RunResults, name: str) -> None:
    a, b = before.demand, after.demand
    same = len(a) == len(b) and bool(
        (a["id"].astype(str).to_numpy() == b["id"].astype(str).to_numpy()).all()
    )
    if not same:
        raise InputError(
            f"{name}: the two projects do not have the same demand points (population layer and "
            "communities): compare projects over the same area with the same population layer"
        )


def compare(
    before: RunResults, after: RunResults, *, name: str, own_level: Mapping[str, str]
) -> Comparison:
    """Compare two runs whose demand points are the same.

    Parameters
    ----------
    before, after
        The baseline and the changed run.
    name
        The name of the change (a scenario, or the second project).
    own_level
        Category id → its life-circle level (``"5min"`` …), for the gained and lost points.

    Raises
    ------
    InputError
        When the runs' demand points differ.
    """
    _check_same_demand(before, after, name)
    pop = pd.to_numeric(before.demand["population"], errors="coerce").fillna(0).to_numpy()
    dist_a, counted_a = _distances(before)
    dist_b, counted_b = _distances(after)
    rows = []
    gained, lost = [], []
    after_share = {
        (str(c), str(lv)): float(v)
        for c, lv, v in zip(
            after.coverage["category"],
            after.coverage["level"],
            after.coverage["network_share"].to_numpy(dtype=float),
            strict=True,
        )
    }
    for r in before.coverage.to_dict("records"):
        cat, level, dist = str(r["category"]), str(r["level"]), float(r["distance_m"])
        was = _covered(dist_a, counted_a, cat, dist)
        now = _covered(dist_b, counted_b, cat, dist)
        share_after = after_share[(cat, level)]
        rows.append(
            {
                "category": cat,
                "category_name": r["category_name"],
                "level": level,
                "distance_m": dist,
                "share_before": float(r["network_share"]),
                "share_after": share_after,
                "share_delta": share_after - float(r["network_share"]),
                "newly_covered_population": float(pop[now & ~was].sum()),
                "no_longer_covered_population": float(pop[was & ~now].sum()),
            }
        )
        if own_level.get(cat) == level:
            gained.append(_points(before, now & ~was, cat, level))
            lost.append(_points(before, was & ~now, cat, level))
    return Comparison(
        name=name,
        coverage=pd.DataFrame(rows),
        norm_counts=after.norm_counts,
        norm_counts_before=before.norm_counts,
        communities=_community_changes(before, after),
        facilities=_facility_changes(before, after),
        gained=_stack(gained, before.demand.crs),
        lost=_stack(lost, before.demand.crs),
    )


def _points(results: RunResults, mask: np.ndarray, category: str, level: str) -> gpd.GeoDataFrame:
    part = results.demand.loc[mask, ["population", "geometry"]].copy()
    part["category"] = category
    part["level"] = level
    return part


def _stack(parts: list[gpd.GeoDataFrame], crs: object) -> gpd.GeoDataFrame:
    if parts:
        frame = pd.concat(parts, ignore_index=True)
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
    return gpd.GeoDataFrame({"population": [], "category": [], "level": []}, geometry=[], crs=crs)


def _community_changes(before: RunResults, after: RunResults) -> pd.DataFrame:
    cols = [c for c in COMMUNITY_CHECK_COLUMNS if c in before.communities]
    a = pd.DataFrame(before.communities[["id", "name", *cols]]).set_index("id")
    b = pd.DataFrame(after.communities[["id", *cols]]).set_index("id").reindex(a.index)
    changed = np.zeros(len(a), dtype=bool)
    out = pd.DataFrame({"id": a.index, "name": a["name"].to_numpy()})
    for col in cols:
        x, y = a[col], b[col]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            xv, yv = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
            differs = ~np.isclose(xv, yv, rtol=1e-9, atol=1e-9, equal_nan=True)
        else:
            differs = (x.astype(str) != y.astype(str)).to_numpy()
        changed |= differs
        out[f"{col}_before"] = x.to_numpy()
        out[f"{col}_after"] = y.to_numpy()
    return out[changed].reset_index(drop=True)


def _facility_changes(before: RunResults, after: RunResults) -> gpd.GeoDataFrame:
    keys = ["id", "name", "category", "category_name", "floor_area_m2", "geometry"]
    a = before.facilities[keys].set_index(before.facilities["id"].astype(str))
    b = after.facilities[keys].set_index(after.facilities["id"].astype(str))
    rows = []
    for fid in b.index.difference(a.index, sort=False):
        rows.append(_change_row(b.loc[fid], "added", np.nan, b.loc[fid, "floor_area_m2"]))
    for fid in a.index.difference(b.index, sort=False):
        rows.append(_change_row(a.loc[fid], "closed", a.loc[fid, "floor_area_m2"], np.nan))
    for fid in a.index.intersection(b.index, sort=False):
        x, y = float(a.loc[fid, "floor_area_m2"]), float(b.loc[fid, "floor_area_m2"])
        if not np.isclose(x, y, equal_nan=True):
            rows.append(_change_row(b.loc[fid], "resized", x, y))
    columns = [*keys[:4], "change", "floor_area_before_m2", "floor_area_after_m2"]
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=before.facilities.crs)
    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=before.facilities.crs)


def _change_row(row: pd.Series, change: Change, area_before: float, area_after: float) -> dict:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "category": row["category"],
        "category_name": row["category_name"],
        "change": change,
        "floor_area_before_m2": float(area_before),
        "floor_area_after_m2": float(area_after),
        "geometry": row["geometry"],
    }


def summary_entry(comparison: Comparison) -> dict[str, object]:
    """The ``summary.json`` entry of a comparison (shares 0–1, people, counts).

    ``{"coverage": {category: {level: {"before", "after", "delta"}}}, "norms": {check: {...}},
    "newly_covered": {category: {level: people}}, "no_longer_covered": {...}}``, every category
    and level included.
    """
    coverage: dict[str, dict[str, dict[str, float]]] = {}
    newly: dict[str, dict[str, float]] = {}
    lost: dict[str, dict[str, float]] = {}
    for r in comparison.coverage.to_dict("records"):
        cat, level = str(r["category"]), str(r["level"])
        coverage.setdefault(cat, {})[level] = {
            "before": round(float(r["share_before"]), 6),
            "after": round(float(r["share_after"]), 6),
            "delta": round(float(r["share_delta"]), 6),
        }
        newly.setdefault(cat, {})[level] = round(float(r["newly_covered_population"]), 1)
        lost.setdefault(cat, {})[level] = round(float(r["no_longer_covered_population"]), 1)
    return {
        "coverage": coverage,
        "norms": {
            k: {kk: int(vv) for kk, vv in v.items()} for k, v in comparison.norm_counts.items()
        },
        "newly_covered": newly,
        "no_longer_covered": lost,
    }


__all__ = ["COMMUNITY_CHECK_COLUMNS", "Change", "Comparison", "compare", "summary_entry"]
