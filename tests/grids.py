"""Hand-checkable test graphs shared by the engine tests."""

from __future__ import annotations

import numpy as np

from lifecircle.geo.network import WalkGraph

CRS = "EPSG:32648"


def _grid3_edges() -> tuple[list[float], list[float], list[int], list[int]]:
    xs, ys = np.meshgrid([0.0, 100.0, 200.0], [0.0, 100.0, 200.0])
    u, v = [], []
    for r in range(3):
        for c in range(3):
            i = 3 * r + c
            if c < 2:
                u.append(i)
                v.append(i + 1)
            if r < 2:
                u.append(i)
                v.append(i + 3)
    return list(xs.ravel()), list(ys.ravel()), u, v


def grid3() -> WalkGraph:
    """3×3 grid of 100 m edges, node = 3·row + col at (100·col, 100·row)."""
    x, y, u, v = _grid3_edges()
    return WalkGraph.from_edges(x, y, u, v, crs=CRS)


def grid_with_fragment() -> WalkGraph:
    """3×3 grid of 100 m edges (node = 3·row + col) plus a 2-edge fragment at x ≥ 1000 m."""
    x, y, u, v = _grid3_edges()
    return WalkGraph.from_edges(
        [*x, 1000.0, 1050.0, 1100.0], [*y, 0.0, 0.0, 0.0], [*u, 9, 10], [*v, 10, 11], crs=CRS
    )
