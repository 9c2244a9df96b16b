"""Tests of geo/population.py: raster and vector population layers, spreading communities."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer

from lifecircle.dataissues import IssueLog
from lifecircle.errors import LayerError
from lifecircle.geo.layers import LayerSpec
from lifecircle.geo.population import read_population, spread_population

UTM48 = "EPSG:32648"
E0, N0 = 395000.0, 3442000.0  # near 107.9°E 31.1°N in UTM 48N, multiples of 100 m


def write_raster(path, values, *, crs=UTM48, nodata=-9999.0):
    values = np.asarray(values, dtype="float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=values.shape[1],
        height=values.shape[0],
        count=1,
        dtype="float32",
        crs=crs,
        transform=Affine(100.0, 0.0, E0, 0.0, -100.0, N0),
        nodata=nodata,
    ) as dst:
        dst.write(values, 1)
    return path


def test_raster_cells_become_points(tmp_path):
    path = write_raster(tmp_path / "pop.tif", [[10, 0, -9999], [0, 25.5, 3]])
    out = read_population(LayerSpec(path), issues=IssueLog(), persons_per_household=2.62)
    assert out.crs.to_epsg() == 4326
    assert list(out["id"]) == ["r0_c0", "r1_c1", "r1_c2"]
    np.testing.assert_allclose(out["population"], [10.0, 25.5, 3.0])
    assert out["households"].isna().all()
    back = Transformer.from_crs(4326, UTM48, always_xy=True).transform(
        out.geometry.x, out.geometry.y
    )
    np.testing.assert_allclose(back[0], [E0 + 50, E0 + 150, E0 + 250], atol=1e-6)
    np.testing.assert_allclose(back[1], [N0 - 50, N0 - 150, N0 - 150], atol=1e-6)


def test_raster_negative_cells_and_no_crs(tmp_path):
    path = tmp_path / "pop.tif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rasterio warns about a dataset without a CRS
        write_raster(path, [[10, -1], [-2, 5]], crs=None)
    with pytest.raises(LayerError) as info:
        read_population(LayerSpec(path), issues=IssueLog(), persons_per_household=2.62)
    assert info.value.problems == [
        'pop.tif: has no CRS; add crs = "EPSG:4490" (or "EPSG:4326", "gcj02", "bd09", or the '
        "projected CRS it uses) to [layers.population]",
        "pop.tif: 2 cells have negative population (cells r0_c1, r1_c0); set them to 0 or to "
        "the raster's nodata value",
    ]


def test_raster_declared_crs(tmp_path):
    path = tmp_path / "pop.tif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_raster(path, [[4]], crs=None)
    out = read_population(LayerSpec(path, crs=UTM48), issues=IssueLog(), persons_per_household=3)
    assert out["population"].tolist() == [4.0]


def _buildings(tmp_path, **columns):
    gdf = gpd.GeoDataFrame(
        columns,
        geometry=[
            shapely.box(107.900, 31.100, 107.901, 31.101),
            shapely.Point(107.905, 31.102),
        ],
        crs="EPSG:4326",
    )
    path = tmp_path / "buildings.gpkg"
    gdf.to_file(path)
    return path, gdf


def test_vector_value_column(tmp_path):
    path, gdf = _buildings(tmp_path, 人口=[120.0, 30.0])
    spec = LayerSpec(path, fields={"value": "人口"})
    out = read_population(spec, issues=IssueLog(), persons_per_household=2.5)
    assert list(out["id"]) == ["1", "2"]
    assert out["population"].tolist() == [120.0, 30.0]
    assert gdf.geometry.iloc[0].contains(out.geometry.iloc[0])
    assert out.geometry.iloc[1].equals(gdf.geometry.iloc[1])


def test_vector_group_counts_found_by_their_chinese_names(tmp_path):
    path, _ = _buildings(tmp_path, 人口=[120.0, 30.0], **{"60岁以上人口": [30.0, None]})
    out = read_population(LayerSpec(path), issues=IssueLog(), persons_per_household=2.5)
    assert out["population"].tolist() == [120.0, 30.0]
    assert out["elderly"].iloc[0] == 30.0 and np.isnan(out["elderly"].iloc[1])
    assert "children" not in out


def test_vector_households_times_persons_per_household(tmp_path):
    path, _ = _buildings(tmp_path, 户数=[40.0, 10.0], id=["B1", "B2"])
    spec = LayerSpec(path, fields={"households": "户数"})
    out = read_population(spec, issues=IssueLog(), persons_per_household=2.5)
    assert list(out["id"]) == ["B1", "B2"]
    assert out["population"].tolist() == [100.0, 25.0]
    assert out["households"].tolist() == [40.0, 10.0]


def test_vector_without_values(tmp_path):
    path, _ = _buildings(tmp_path, 名称=["a", "b"])
    with pytest.raises(LayerError) as info:
        read_population(LayerSpec(path), issues=IssueLog(), persons_per_household=2.5)
    assert info.value.problems == [
        "buildings.gpkg: no population values (no column 'value' or 'population' with numbers); "
        'give fields = { value = "<persons column>" } or { households = "<households column>" } '
        "in [layers.population]; the file has columns: id, value, households, 名称"
    ]


def test_vector_negative_value(tmp_path):
    path, _ = _buildings(tmp_path, population=[-5.0, 30.0])
    with pytest.raises(LayerError) as info:
        read_population(LayerSpec(path), issues=IssueLog(), persons_per_household=2.5)
    assert info.value.problems == [
        "buildings.gpkg: column 'population' (value) has 1 negative value (row 1); value must "
        "be ≥ 0"
    ]


def _communities():
    to_wgs = Transformer.from_crs(UTM48, 4326, always_xy=True)
    big = shapely.box(E0, N0, E0 + 300, N0 + 200)  # 6 cells of 100 m
    tiny = shapely.box(E0 + 1010, N0 + 10, E0 + 1040, N0 + 40)  # no cell centre inside
    geoms = [
        shapely.transform(g, lambda c: np.column_stack(to_wgs.transform(c[:, 0], c[:, 1])))
        for g in (big, tiny)
    ]
    return gpd.GeoDataFrame(
        {"id": ["C1", "C2"], "population": [600.0, np.nan], "households": [240.0, 8.0]},
        geometry=geoms,
        crs="EPSG:4326",
    )


def test_spread_population_on_grid():
    out = spread_population(_communities(), cell_m=100.0, metric_crs=UTM48)
    assert out.crs.to_epsg() == 4326
    big = out[out["community_id"] == "C1"]
    assert len(big) == 6
    assert big["population"].tolist() == [100.0] * 6
    assert big["households"].tolist() == [40.0] * 6
    m = big.to_crs(UTM48)
    assert sorted(set(np.round(m.geometry.x, 6))) == [E0 + 50, E0 + 150, E0 + 250]
    assert sorted(set(np.round(m.geometry.y, 6))) == [N0 + 50, N0 + 150]
    tiny = out[out["community_id"] == "C2"]
    assert list(tiny["id"]) == ["C2_0"]  # the representative point
    assert np.isnan(tiny["population"].iloc[0])


def test_spread_population_fills_from_households():
    out = spread_population(
        _communities(), cell_m=100.0, metric_crs=UTM48, persons_per_household=2.5
    )
    assert out.loc[out["community_id"] == "C2", "population"].tolist() == [20.0]
    assert out["population"].sum() == pytest.approx(620.0)


def test_demo_population_raster_matches_communities(tmp_path):
    from pathlib import Path

    import lifecircle.data

    folder = Path(lifecircle.data.__file__).parent / "demo"
    if not (folder / "population.tif").exists():
        from lifecircle.data.demo.generate import generate

        folder = tmp_path
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rasterio's from_origin warns on newer affine
            generate(folder)
    tif = folder / "population.tif"
    out = read_population(LayerSpec(tif), issues=IssueLog(), persons_per_household=2.62)
    communities = gpd.read_file(folder / "communities.gpkg")
    assert out["id"].is_unique
    assert (out["population"] > 0).all()
    assert out["population"].sum() == pytest.approx(communities["population"].sum(), abs=1.0)
