"""Tests for lifecircle.geo.snap: snapping to the nearest edge on hand-checkable graphs."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from grids import grid_with_fragment

from lifecircle.dataissues import IssueLog
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.snap import SnappedPoints, snap_points


def edge_between(g: WalkGraph, a: int, b: int) -> int:
    lo, hi = min(a, b), max(a, b)
    return int(np.flatnonzero((g.edge_u == lo) & (g.edge_v == hi))[0])


def test_mid_edge_point_projects_exactly() -> None:
    g = grid_with_fragment()
    s = snap_points(g, [50.0], [-10.0], max_snap_m=300)
    assert s.ok[0]
    assert s.edge[0] == edge_between(g, 0, 1)
    assert s.offset_m[0] == pytest.approx(50.0)
    assert s.access_m[0] == pytest.approx(10.0)
    assert (s.px[0], s.py[0]) == pytest.approx((50.0, 0.0))
    assert s.component[0] == 0


def test_point_beyond_edge_end_projects_onto_the_node() -> None:
    g = grid_with_fragment()
    s = snap_points(g, [-30.0], [-40.0], max_snap_m=300)
    assert s.access_m[0] == pytest.approx(50.0)
    assert (s.px[0], s.py[0]) == pytest.approx((0.0, 0.0))
    assert s.offset_m[0] in (0.0, 100.0)


def test_unsnappable_point_keeps_its_distance() -> None:
    g = grid_with_fragment()
    s = snap_points(g, [100.0, 100.0], [612.0, 150.0], max_snap_m=300)
    assert not s.ok[0]
    assert s.edge[0] == -1
    assert s.component[0] == -1
    assert np.isnan(s.offset_m[0])
    assert s.access_m[0] == pytest.approx(412.0)
    assert s.ok[1]


def test_fragment_gets_its_own_component_label() -> None:
    g = grid_with_fragment()
    s = snap_points(g, [1025.0, 150.0], [3.0, 50.0], max_snap_m=300)
    assert s.ok.all()
    assert s.component[0] > 0
    assert s.component[1] == 0
    assert s.edge[0] == edge_between(g, 9, 10)


def test_allowed_edges_restricts_the_choice() -> None:
    g = grid_with_fragment()
    allowed = np.zeros(g.n_edges, dtype=bool)
    allowed[edge_between(g, 1, 2)] = True
    s = snap_points(g, [50.0], [-10.0], max_snap_m=300, allowed_edges=allowed)
    assert s.edge[0] == edge_between(g, 1, 2)
    assert s.access_m[0] == pytest.approx(np.hypot(50.0, 10.0))
    with pytest.raises(ValueError, match="one per edge"):
        snap_points(g, [0.0], [0.0], max_snap_m=1, allowed_edges=np.ones(3, dtype=bool))


def test_exact_against_shapely_on_random_points() -> None:
    rng = np.random.default_rng(7)
    g = grid_with_fragment()
    x = rng.uniform(-100, 1200, 500)
    y = rng.uniform(-100, 300, 500)
    s = snap_points(g, x, y, max_snap_m=1e9)
    lines = shapely.linestrings(
        np.stack(
            [
                np.stack([g.x[g.edge_u], g.y[g.edge_u]], axis=1),
                np.stack([g.x[g.edge_v], g.y[g.edge_v]], axis=1),
            ],
            axis=1,
        )
    )
    pts = np.asarray(shapely.points(x, y))
    brute = shapely.distance(pts[:, None], np.asarray(lines)[None, :]).min(axis=1)
    np.testing.assert_allclose(s.access_m, brute, atol=1e-9)
    # The projection lies on the chosen edge at the reported offset.
    ux, uy = g.x[g.edge_u[s.edge]], g.y[g.edge_u[s.edge]]
    np.testing.assert_allclose(np.hypot(s.px - ux, s.py - uy), s.offset_m, atol=1e-9)


def test_subset_and_len() -> None:
    g = grid_with_fragment()
    s = snap_points(g, [50.0, 150.0, 100.0], [-10.0, 5.0, 900.0], max_snap_m=300)
    assert len(s) == 3
    sub = s.subset(s.ok)
    assert isinstance(sub, SnappedPoints)
    assert len(sub) == 2
    assert len(s.subset(np.array([2]))) == 1


def test_report_snapping_names_distance_and_fragment() -> None:
    from lifecircle.geo.snap import report_snapping

    g = grid_with_fragment()
    s = snap_points(g, [100.0, 1025.0, 50.0], [612.0, 3.0, 0.0], max_snap_m=300)
    log = IssueLog()
    report_snapping(s, ["a", "b", "c"], layer="demand", max_snap_m=300, graph=g, issues=log)
    frame = log.to_frame()
    assert list(frame["row_id"]) == ["a", "b"]
    assert "412 m away, more than max_snap_m = 300 m" in frame["problem"][0]
    assert frame["action"][0] == "not snapped; excluded from coverage denominators"
    assert "fragment of 3 nodes / 0.1 km" in frame["problem"][1]
    assert frame["action"][1] == "distances computed within the fragment"


def test_bad_arguments() -> None:
    g = grid_with_fragment()
    with pytest.raises(ValueError, match="differ in length"):
        snap_points(g, [0.0, 1.0], [0.0], max_snap_m=10)
    with pytest.raises(ValueError, match="max_snap_m"):
        snap_points(g, [0.0], [0.0], max_snap_m=-1)
