"""The demo county's outputs equal the recorded ones (tests/golden.py says how to record)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import shapely
from golden import (
    GOLDEN,
    GRID_DEG,
    as_csv_round_trip,
    issues_frame,
    layer_frames,
    read_golden_layer,
    summary_without_timings,
)

LAYERS = sorted(p.name.removesuffix(".csv.gz") for p in GOLDEN.glob("*.csv.gz"))


def test_summary_is_the_recorded_one(demo_out: Path) -> None:
    recorded = json.loads((GOLDEN / "summary.json").read_text(encoding="utf-8"))
    assert summary_without_timings(demo_out) == recorded


def test_issues_are_the_recorded_ones(demo_out: Path) -> None:
    recorded = pd.read_csv(GOLDEN / "issues.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(issues_frame(demo_out), recorded)


def test_every_recorded_layer_is_written(demo_out: Path) -> None:
    assert (
        sorted(layer_frames(demo_out))
        == LAYERS
        == [
            "communities",
            "demand",
            "facilities",
            "isochrones",
            "isochrones_time",
            "sites",
        ]
    )


@pytest.mark.parametrize("name", LAYERS)
def test_layer_is_the_recorded_one(demo_out: Path, name: str) -> None:
    now = as_csv_round_trip(layer_frames(demo_out)[name])
    recorded = read_golden_layer(name)
    assert list(now.columns) == list(recorded.columns)
    pd.testing.assert_frame_equal(
        now.drop(columns="geometry"), recorded.drop(columns="geometry"), rtol=1e-9, atol=0
    )
    a = shapely.from_wkt(now["geometry"].to_numpy())
    b = shapely.from_wkt(recorded["geometry"].to_numpy())
    assert shapely.equals_exact(a, b, tolerance=2 * GRID_DEG).all()
