"""Hand-checkable test graphs shared by the engine tests."""

from __future__ import annotations

import numpy as np

from lifecircle.geo.network import WalkGraph

CRS = "EPSG:32648"


def grid_edges(side: int) -> tuple[list[float], list[float], list[int], list[int]]:
    """A ``side`` × ``side`` node grid of 100 m streets, node = side·row + col at
    (100·col, 100·row): node x, y and edge ends u, v."""
    xs, ys = np.meshgrid(np.arange(side) * 100.0, np.arange(side) * 100.0)
    u, v = [], []
    for r in range(side):
        for c in range(side):
            i = side * r + c
            if c < side - 1:
                u.append(i)
                v.append(i + 1)
            if r < side - 1:
                u.append(i)
                v.append(i + side)
    return list(xs.ravel()), list(ys.ravel()), u, v


def grid3() -> WalkGraph:
    """3×3 grid of 100 m edges, node = 3·row + col at (100·col, 100·row)."""
    x, y, u, v = grid_edges(3)
    return WalkGraph.from_edges(x, y, u, v, crs=CRS)


def grid_with_fragment() -> WalkGraph:
    """3×3 grid of 100 m edges (node = 3·row + col) plus a 2-edge fragment at x ≥ 1000 m."""
    x, y, u, v = grid_edges(3)
    return WalkGraph.from_edges(
        [*x, 1000.0, 1050.0, 1100.0], [*y, 0.0, 0.0, 0.0], [*u, 9, 10], [*v, 10, 11], crs=CRS
    )
