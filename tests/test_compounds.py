"""Tests for lifecircle.geo.compounds: walls, gates and who snaps where.

The fixture: a compound box(100, 50, 300, 250) with its gate at (200, 50) on the south wall;
street A runs along y = 0 from (0, 0) to (400, 0); a ring of streets x = 0, y = 300, x = 400;
street C cuts straight through the compound along y = 200 (no gate there: it is a wall).
"""

from __future__ import annotations

import numpy as np
import pytest
from shapely import box

from lifecircle.dataissues import IssueLog
from lifecircle.geo.compounds import apply_compounds, compound_of_points
from lifecircle.geo.network import WalkGraph
from lifecircle.geo.reach import nearest_facility
from lifecircle.geo.snap import snap_points

CRS = "EPSG:32648"
COMPOUND = box(100.0, 50.0, 300.0, 250.0)
GATE = [(200.0, 50.0)]


def streets(inner_path: bool) -> WalkGraph:
    xy = [(0, 0), (400, 0), (0, 200), (0, 300), (400, 300), (400, 200), (150, 150), (250, 150)]
    edges = [(0, 1), (0, 2), (2, 3), (3, 4), (4, 5), (5, 1), (2, 5)]
    if inner_path:
        edges.append((6, 7))
    x, y = zip(*xy, strict=True)
    u, v = zip(*edges, strict=True)
    return WalkGraph.from_edges(x, y, u, v, crs=CRS)


def walk_from_inside(inner_path: bool, gates: list[tuple[float, float]]) -> float:
    net = apply_compounds(
        streets(inner_path),
        [COMPOUND],
        np.asarray(gates).reshape(-1, 2),
        np.zeros(len(gates), dtype=int),
    )
    g = net.graph
    resident = snap_points(
        g, [160.0], [160.0], max_snap_m=300, allowed_edges=net.edge_compound == 0
    )
    facility = snap_points(g, [0.0], [-5.0], max_snap_m=300, allowed_edges=net.edge_compound == -1)
    return float(nearest_facility(g, resident, facility).dist_m[0])


def test_inside_people_walk_out_through_the_gate() -> None:
    # 10 m to the inner path, 40 m along it, 100 m to the gate, 50 m to street A, 200 m west
    # along A, 5 m to the facility.
    assert walk_from_inside(True, GATE) == pytest.approx(405.0)


def test_compound_without_inner_paths_uses_the_gate_connector() -> None:
    # Snaps to the connector (200, 50)–(200, 0): access to (200, 50), then 50 + 200 + 5.
    expected = np.hypot(40.0, 110.0) + 50.0 + 200.0 + 5.0
    assert walk_from_inside(False, GATE) == pytest.approx(expected)


def test_without_a_gate_inside_is_unreachable() -> None:
    assert np.isinf(walk_from_inside(True, []))


def test_wall_removes_crossing_street_and_labels_edges() -> None:
    log = IssueLog()
    net = apply_compounds(streets(True), [COMPOUND], np.asarray(GATE), [0], issues=log)
    g = net.graph
    mids = np.stack([(g.x[g.edge_u] + g.x[g.edge_v]) / 2, (g.y[g.edge_u] + g.y[g.edge_v]) / 2], 1)
    assert not ((g.y[g.edge_u] == 200.0) & (g.y[g.edge_v] == 200.0)).any()  # street C is gone
    inner = mids[net.edge_compound == 0]
    assert len(inner) == 3  # the inner path split at (200, 150), plus the inner connector
    assert (compound_of_points(inner[:, 0], inner[:, 1], [COMPOUND]) == 0).all()
    assert g.x[net.gate_node[0]] == 200.0 and g.y[net.gate_node[0]] == 50.0
    assert len(log) == 0
    # The ring outside is untouched and a street near the gate is kept.
    assert np.isclose(g.edge_length_m[net.edge_compound == -1].sum(), 1400.0 + 50.0)


def test_street_through_the_gate_is_kept() -> None:
    g0 = WalkGraph.from_edges([200.0, 200.0, 0.0], [0.0, 150.0, 0.0], [0, 0], [1, 2], crs=CRS)
    net = apply_compounds(g0, [COMPOUND], np.asarray([(195.0, 50.0)]), [0])
    g = net.graph
    on_street = (g.x[g.edge_u] == 200.0) & (g.x[g.edge_v] == 200.0)
    assert g.edge_length_m[on_street].sum() >= 150.0


def test_reports_gates_far_away_and_compounds_without_gates() -> None:
    log = IssueLog()
    second = box(1000.0, 1000.0, 1100.0, 1100.0)
    apply_compounds(
        streets(True),
        [COMPOUND, second],
        np.asarray([(200.0, 10.0), (5.0, 5.0)]),
        [0, 7],
        issues=log,
    )
    problems = list(log.to_frame()["problem"])
    assert any("compound index 7" in p for p in problems)
    assert any("compound has no gate" in p for p in problems)
    assert any("40 m from its compound's boundary" in p for p in problems)
    with pytest.raises(ValueError, match="gate_compound"):
        apply_compounds(streets(True), [COMPOUND], np.asarray(GATE), [0, 0])


def test_compound_of_points() -> None:
    other = box(250.0, 200.0, 400.0, 400.0)  # overlaps COMPOUND in its corner
    got = compound_of_points(
        [200.0, 500.0, 100.0, 275.0, 350.0], [100.0, 0.0, 50.0, 225.0, 350.0], [COMPOUND, other]
    )
    assert list(got) == [0, -1, 0, 0, 1]
