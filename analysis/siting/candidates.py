"""Candidate sites for siting: points in uncovered areas, thinned to a minimum spacing."""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial import cKDTree

from lifecircle.analysis.siting._arrays import BoolArray, FloatArray, IntArray
from lifecircle.analysis.siting._validate import bad_rows
from lifecircle.errors import InputError


def generate_candidates(
    x: FloatArray, y: FloatArray, *, uncovered: BoolArray, spacing_m: float
) -> IntArray:
    """Candidate sites from points (e.g. walk-network nodes) in uncovered areas, thinned.

    Points are visited in index order; a point flagged ``uncovered`` is kept unless a kept point
    lies closer than ``spacing_m``. The result is deterministic for the same input.

    Parameters
    ----------
    x, y
        Point coordinates in a metric CRS, metres.
    uncovered
        Which points lie in uncovered areas (bool, same length).
    spacing_m
        Minimum distance between two candidates, metres (> 0).

    Returns
    -------
    IntArray
        Indices of the kept points, ascending.

    Raises
    ------
    InputError
        Mismatched lengths, non-finite coordinates or ``spacing_m ≤ 0``.

    Examples
    --------
    >>> generate_candidates(np.array([0.0, 50, 120, 400]), np.zeros(4),
    ...                     uncovered=np.array([True, True, True, False]), spacing_m=100)
    array([0, 2])
    """
    xa = np.asarray(x, dtype=np.float64)
    ya = np.asarray(y, dtype=np.float64)
    mask = np.asarray(uncovered, dtype=bool)
    problems: list[str] = []
    if not (xa.shape == ya.shape == mask.shape) or xa.ndim != 1:
        problems.append(
            f"x, y and uncovered must be 1-D of equal length, got {xa.shape}, {ya.shape}, "
            f"{mask.shape}"
        )
    elif not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        problems.append(f"x/y have {bad_rows(~(np.isfinite(xa) & np.isfinite(ya)))} non-finite")
    if not (math.isfinite(spacing_m) and spacing_m > 0):
        problems.append(f"spacing_m must be > 0 metres, got {spacing_m}")
    if problems:
        raise InputError("invalid candidate generation input:\n" + "\n".join(problems), problems)
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    pts = np.column_stack([xa[idx], ya[idx]])
    tree = cKDTree(pts)
    blocked = np.zeros(idx.size, dtype=bool)
    kept: list[int] = []
    for i in range(idx.size):
        if blocked[i]:
            continue
        kept.append(int(idx[i]))
        near = np.asarray(tree.query_ball_point(pts[i], r=spacing_m), dtype=np.int64)
        d = np.hypot(pts[near, 0] - pts[i, 0], pts[near, 1] - pts[i, 1])
        blocked[near[d < spacing_m]] = True
    return np.asarray(kept, dtype=np.int64)
