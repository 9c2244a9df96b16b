"""Property tests: the layer readers and the validation gate, fed random attribute values and
geometries (NaN, inf, huge, empty, mixed types, invalid and empty geometries), answer with a
layer or a LayerError (an InputError), never with an internal error.

Examples are bounded and derandomized: the same examples run every time, in a few seconds.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings, strategies as st

from lifecircle.dataissues import IssueLog
from lifecircle.errors import InputError
from lifecircle.geo.layers import LayerSpec, read_layer
from lifecircle.geo.tabular import find_header
from lifecircle.geo.validate import LayerGate

SETTINGS = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Cell values as offices' files hold them.
VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", " ", "nan", "inf", "-inf", "1e308", "1,200", "约300户", "=1+1", "0"]),
    st.text(max_size=8),
)

LON, LAT = 107.9, 31.1


def _polygon(draw: st.DrawFn) -> shapely.Geometry | None:
    kind = draw(st.sampled_from(["box", "bow-tie", "empty", "none", "point", "line", "flat"]))
    x = LON + draw(st.floats(-0.01, 0.01))
    y = LAT + draw(st.floats(-0.01, 0.01))
    d = draw(st.floats(1e-6, 0.005))
    if kind == "box":
        return shapely.box(x, y, x + d, y + d)
    if kind == "bow-tie":
        return shapely.Polygon([(x, y), (x + d, y + d), (x + d, y), (x, y + d), (x, y)])
    if kind == "empty":
        return shapely.Polygon()
    if kind == "point":
        return shapely.Point(x, y)
    if kind == "line":
        return shapely.LineString([(x, y), (x + d, y)])
    if kind == "flat":
        return shapely.Polygon([(x, y), (x + d, y + d), (x, y), (x, y)])
    return None


@st.composite
def community_layers(draw: st.DrawFn) -> gpd.GeoDataFrame:
    n = draw(st.integers(1, 5))
    column = st.lists(VALUES, min_size=n, max_size=n)
    return gpd.GeoDataFrame(
        {
            "id": [None if v is None else str(v) for v in draw(column)],
            "name": [None if v is None else str(v) for v in draw(column)],
            "households": [None if v is None else str(v) for v in draw(column)],
            "kind": [draw(st.sampled_from([None, "urban", "村", "街道", ""])) for _ in range(n)],
        },
        geometry=[_polygon(draw) for _ in range(n)],
        crs="EPSG:4326",
    )


def _read(path: Path, kind: str, **spec: object) -> None:
    """Read a layer; an InputError is a good answer, anything else fails the test."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL's notes on odd geometries are not our answer
            read_layer(LayerSpec(path, **spec), kind=kind, issues=IssueLog())  # type: ignore[arg-type]
    except InputError as exc:
        assert exc.problems and all(path.name in p for p in exc.problems), exc


@SETTINGS
@given(layer=community_layers())
def test_random_communities_never_cause_an_internal_error(
    layer: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "communities.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer.to_file(path, driver="GPKG")
    _read(path, "communities")


@SETTINGS
@given(
    cells=st.lists(
        st.lists(VALUES.map(lambda v: "" if v is None else str(v)), min_size=5, max_size=5),
        min_size=0,
        max_size=6,
    ),
    title=st.booleans(),
)
def test_random_facility_tables_never_cause_an_internal_error(
    cells: list[list[str]], title: bool, tmp_path: Path
) -> None:
    header = ["名称", "类别", "建筑面积", "经度", "纬度"]
    frame = pd.DataFrame(cells, columns=header)
    path = tmp_path / "facilities.csv"
    text = frame.to_csv(index=False)
    if title:
        text = "设施统计表\n" + text
    path.write_text(text, encoding="utf-8")
    _read(path, "facilities", crs="EPSG:4326")


@SETTINGS
@given(
    values=st.lists(VALUES, min_size=1, max_size=8),
    kind=st.sampled_from(["communities", "facilities", "population", "candidates"]),
)
def test_the_gate_answers_any_column_with_values_or_problems(
    values: list[object], kind: str
) -> None:
    frame = pd.DataFrame({c: pd.Series(values, dtype=object) for c in _columns(kind)})
    gate = LayerGate(Path("layer.gpkg"), kind, {}, IssueLog())
    out = gate.check_columns(frame, np.arange(1, len(values) + 1, dtype=np.int64))
    assert len(out) == len(values)
    assert all(p.startswith("layer.gpkg: ") for p in gate.problems)
    for column in ("households", "floor_area_m2", "value", "max_floor_area_m2"):
        if column in out:  # a number is finite, or NaN where the cell says nothing usable
            assert not np.isinf(out[column].to_numpy(dtype=float)).any()
    if not gate.problems:  # every cell given was a usable number
        for column in ("households", "floor_area_m2", "value", "max_floor_area_m2"):
            if column in out:
                given = [v for v in values if str(v).strip().casefold() not in _EMPTY]
                assert out[column].notna().sum() == len(given)


#: Cells the readers take for "nothing given" (as pandas reads CSV).
_EMPTY = {"", "nan", "none", "<na>"}


def _columns(kind: str) -> list[str]:
    return {
        "communities": ["id", "name", "households", "kind", "population"],
        "facilities": ["id", "name", "category", "floor_area_m2"],
        "population": ["id", "value", "households"],
        "candidates": ["id", "max_floor_area_m2"],
    }[kind]


@SETTINGS
@given(
    grid=st.lists(
        st.lists(st.one_of(st.none(), st.text(max_size=4)), max_size=6), min_size=1, max_size=12
    ),
    expected=st.sets(st.text(min_size=1, max_size=4), max_size=5),
)
def test_the_header_is_always_a_row_of_the_table(
    grid: list[list[str | None]], expected: set[str]
) -> None:
    row = find_header(grid, expected)
    assert 0 <= row < len(grid)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308, -0.0])
def test_non_finite_coordinates_are_problems_not_errors(value: float, tmp_path: Path) -> None:
    path = tmp_path / "facilities.csv"
    path.write_text(
        f"名称,类别,经度,纬度\n幼儿园,幼儿园,{value},31.1\n超市,综合超市,107.9,31.1\n",
        encoding="utf-8",
    )
    _read(path, "facilities", crs="EPSG:4326")
