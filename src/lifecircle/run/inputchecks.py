"""Data problems found while preparing a run's layers, reported instead of passing silently.

:func:`check_facilities` drops duplicated facility rows and reports stations without a floor
area and facilities outside every community; :func:`check_communities` reports overlapping
community polygons. Each problem is one entry in the run's :class:`IssueLog` (so in
``issues.csv`` and in what ``lifecircle check`` prints), with the user's row number where the
layer has one.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from lifecircle.dataissues import IssueLog
from lifecircle.vocab import STATION_CATEGORIES

#: Overlaps smaller than this share of the smaller community are digitising slivers, not reported.
OVERLAP_MIN_SHARE = 0.01
#: Facilities closer than this (m) with the same name and category are the same facility.
DUPLICATE_DISTANCE_M = 1.0


def _row(frame: gpd.GeoDataFrame, i: int) -> int | None:
    """The user's row number of row ``i`` when the layer has one."""
    if "row" not in frame.columns:
        return None
    return int(frame["row"].iloc[i])


def check_facilities(
    fac_m: gpd.GeoDataFrame, comm_m: gpd.GeoDataFrame, *, issues: IssueLog
) -> gpd.GeoDataFrame:
    """Report and drop duplicated rows; report stations without floor area and facilities outside
    every community.

    Parameters
    ----------
    fac_m
        Categorised facilities (``id``, ``name``, ``category``, ``floor_area_m2``, optional
        ``row`` and ``community_id``) in the run's metric CRS.
    comm_m
        Community polygons in the same CRS.
    issues
        Receives one entry per problem.

    Returns
    -------
    geopandas.GeoDataFrame
        The facilities without the duplicated rows (the first of each group kept), index
        ``0..n-1``.
    """
    x = fac_m.geometry.x.to_numpy()
    y = fac_m.geometry.y.to_numpy()
    names = fac_m["name"].astype(str).to_numpy()
    cats = fac_m["category"].astype(str).to_numpy()
    duplicate = np.zeros(len(fac_m), dtype=bool)
    first_of: dict[tuple[str, str, float, float], int] = {}
    for i in range(len(fac_m)):
        key = (
            names[i],
            cats[i],
            round(x[i] / DUPLICATE_DISTANCE_M),
            round(y[i] / DUPLICATE_DISTANCE_M),
        )
        j = first_of.setdefault(key, i)
        if j != i:
            duplicate[i] = True
            issues.add(
                "facilities",
                fac_m["id"].iloc[i],
                "facility_duplicated",
                row=_row(fac_m, i),
                name=names[i],
                other_id=fac_m["id"].iloc[j],
                other_row=_row(fac_m, j),
            )
    fac_m = fac_m[~duplicate].reset_index(drop=True)

    station = fac_m["category"].isin(STATION_CATEGORIES).to_numpy()
    no_area = station & ~np.isfinite(fac_m["floor_area_m2"].to_numpy(dtype=float))
    for i in np.flatnonzero(no_area).tolist():
        issues.add(
            "facilities",
            fac_m["id"].iloc[i],
            "station_without_area",
            name=fac_m["name"].iloc[i],
            row=_row(fac_m, i),
        )

    if len(comm_m) and len(fac_m):
        tree = shapely.STRtree(np.asarray(comm_m.geometry.values, dtype=object))
        hit, _ = tree.query(np.asarray(fac_m.geometry.values, dtype=object), predicate="within")
        outside = np.ones(len(fac_m), dtype=bool)
        outside[hit] = False
        for i in np.flatnonzero(outside & ~station).tolist():  # stations: when assigned
            issues.add(
                "facilities",
                fac_m["id"].iloc[i],
                "facility_outside",
                name=fac_m["name"].iloc[i],
                row=_row(fac_m, i),
            )
    return fac_m


def check_communities(comm_m: gpd.GeoDataFrame, *, issues: IssueLog) -> None:
    """Report pairs of community polygons that overlap by at least :data:`OVERLAP_MIN_SHARE` of
    the smaller one (``comm_m`` in a metric CRS, with ``id`` and optional ``row``)."""
    geoms = np.asarray(comm_m.geometry.values, dtype=object)
    if len(geoms) < 2:
        return
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    if len(a) == 0:
        return
    shared = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    smaller = np.minimum(shapely.area(geoms[a]), shapely.area(geoms[b]))
    share = np.divide(shared, smaller, out=np.zeros(len(a)), where=smaller > 0)
    for i, j, area, part in zip(a, b, shared, share, strict=True):
        if part < OVERLAP_MIN_SHARE:
            continue
        issues.add(
            "communities",
            comm_m["id"].iloc[j],
            "communities_overlap",
            id=comm_m["id"].iloc[j],
            row=_row(comm_m, int(j)),
            other_id=comm_m["id"].iloc[i],
            other_row=_row(comm_m, int(i)),
            area_m2=float(area),
            share=float(part),
        )
