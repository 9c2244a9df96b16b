"""Tests of geo/layers.py and geo/tabular.py: the validation gate, one test per rule.

Fixtures are a few communities and facilities near 107.9°E 31.1°N (a county seat in Sichuan),
written to tmp_path; each broken copy asserts the exact problem reported.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from lifecircle.dataissues import IssueLog
from lifecircle.errors import LayerError
from lifecircle.geo.chinacrs import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_bd09
from lifecircle.geo.layers import LayerSpec, read_layer
from lifecircle.geo.tabular import detect_encoding
from lifecircle.geo.validate import format_rows

LON0, LAT0 = 107.90, 31.10


def community_frame(n: int = 4) -> gpd.GeoDataFrame:
    """n square communities 800 m wide in a row, households 100, 200, …"""
    boxes = [
        shapely.box(LON0 + 0.01 * i, LAT0, LON0 + 0.01 * i + 0.008, LAT0 + 0.008) for i in range(n)
    ]
    return gpd.GeoDataFrame(
        {
            "id": [f"C{i + 1}" for i in range(n)],
            "name": [f"社区{i + 1}" for i in range(n)],
            "households": [100 * (i + 1) for i in range(n)],
            "kind": ["社区", "村", "镇", "urban"][:n] + ["rural"] * max(0, n - 4),
        },
        geometry=boxes,
        crs="EPSG:4326",
    )


def write_vector(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio warns when writing a layer without a CRS
        gdf.to_file(path)
    return path


def facility_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "编号": ["F1", "F2", "F3"],
            "名称": ["城东社区服务站", "幸福幼儿园", "老年日间照料中心"],
            "类别": ["社区综合服务站", "幼儿园", "老年人日间照料中心"],
            "建筑面积": ["800", "1,200", ""],
            "经度": [107.9051, 107.9152, 107.9253],
            "纬度": [31.1042, 31.1043, 31.1044],
        }
    )


FAC_FIELDS = {"id": "编号", "name": "名称", "category": "类别", "floor_area_m2": "建筑面积"}


def read_error(spec: LayerSpec, kind: str) -> LayerError:
    with pytest.raises(LayerError) as info:
        read_layer(spec, kind=kind, issues=IssueLog())  # type: ignore[arg-type]
    return info.value


# --- reading good layers -------------------------------------------------------------------


def test_reads_communities_with_our_names_and_rows(tmp_path):
    gdf = community_frame().rename(columns={"id": "编号", "households": "户数"})
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    issues = IssueLog()
    spec = LayerSpec(path, fields={"id": "编号", "households": "户数"})
    out = read_layer(spec, kind="communities", issues=issues)
    assert out.crs.to_epsg() == 4326
    assert list(out.index) == [0, 1, 2, 3]
    assert list(out["row"]) == [1, 2, 3, 4]
    assert list(out["id"]) == ["C1", "C2", "C3", "C4"]
    assert list(out["households"]) == [100.0, 200.0, 300.0, 400.0]
    assert list(out["kind"]) == ["urban", "rural", "town", "urban"]
    assert out["population"].isna().all()  # optional, absent → NaN
    assert out.geometry.iloc[0].equals_exact(gdf.geometry.iloc[0], 1e-12)
    assert len(issues) == 0


def test_integer_ids_become_text(tmp_path):
    gdf = community_frame(2).assign(id=[7, 8])
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    out = read_layer(LayerSpec(path), kind="communities", issues=IssueLog())
    assert list(out["id"]) == ["7", "8"]


def test_projected_layer_is_converted_to_wgs84(tmp_path):
    gdf = community_frame(2)
    path = write_vector(gdf.to_crs("EPSG:32648"), tmp_path / "communities.shp")
    out = read_layer(LayerSpec(path), kind="communities", issues=IssueLog())
    assert out.crs.to_epsg() == 4326
    np.testing.assert_allclose(out.total_bounds, gdf.total_bounds, atol=1e-7)


def test_zipped_shapefile(tmp_path):
    import zipfile

    gdf = community_frame(2)
    write_vector(gdf, tmp_path / "c.shp")
    with zipfile.ZipFile(tmp_path / "communities.zip", "w") as z:
        for part in tmp_path.glob("c.*"):
            z.write(part, part.name)
    out = read_layer(LayerSpec(tmp_path / "communities.zip"), kind="communities", issues=IssueLog())
    assert list(out["id"]) == ["C1", "C2"]
    assert list(out["households"]) == [100.0, 200.0]


# --- file and format -----------------------------------------------------------------------


def test_missing_file(tmp_path):
    err = read_error(LayerSpec(tmp_path / "nowhere.gpkg"), "communities")
    assert err.problems == [
        f"{tmp_path / 'nowhere.gpkg'}: file not found; check the path in [layers.communities]"
    ]


def test_unsupported_format_lists_supported(tmp_path):
    path = tmp_path / "communities.dwg"
    path.write_bytes(b"AC1032")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems[0].startswith("communities.dwg: unsupported format .dwg; use .gpkg, .shp")
    assert ".parquet (GeoParquet)" in err.problems[0]
    assert ".tif/.tiff (population only)" in err.problems[0]


def test_geoparquet_without_pyarrow_says_what_to_install(tmp_path, monkeypatch):
    path = tmp_path / "communities.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # as where pyarrow is absent
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.parquet: reading GeoParquet needs the package pyarrow (pip install pyarrow); "
        "or export the layer as GeoPackage (.gpkg)"
    ]


def test_unreadable_file(tmp_path):
    path = tmp_path / "communities.gpkg"
    path.write_bytes(b"not a geopackage")
    err = read_error(LayerSpec(path), "communities")
    assert len(err.problems) == 1
    assert err.problems[0].startswith("communities.gpkg: cannot read it: ")


# --- CRS -------------------------------------------------------------------------------------


def test_no_crs(tmp_path):
    gdf = community_frame(2).set_crs(None, allow_override=True)
    path = write_vector(gdf, tmp_path / "communities.shp")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        'communities.shp: has no CRS; add crs = "EPSG:4490" (or "EPSG:4326", "gcj02", "bd09", '
        "or the projected CRS it uses) to [layers.communities]"
    ]


def test_declared_crs_fills_a_missing_one(tmp_path):
    gdf = community_frame(2).set_crs(None, allow_override=True)
    path = write_vector(gdf, tmp_path / "communities.shp")
    out = read_layer(LayerSpec(path, crs="EPSG:4490"), kind="communities", issues=IssueLog())
    np.testing.assert_allclose(out.total_bounds, gdf.total_bounds, atol=1e-6)


def test_unknown_crs_lists_examples(tmp_path):
    path = write_vector(community_frame(2), tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path, crs="Xian80-ish"), "communities")
    assert len(err.problems) == 1
    assert err.problems[0].startswith(
        "communities.gpkg: [layers.communities] crs: unknown CRS 'Xian80-ish'; use an EPSG code"
    )
    assert '"EPSG:4490" (CGCS2000 lon/lat)' in err.problems[0]
    assert '"gcj02"' in err.problems[0]


def test_gcj02_declared_on_projected_file(tmp_path):
    path = write_vector(community_frame(2).to_crs("EPSG:32648"), tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path, crs="gcj02"), "communities")
    assert err.problems[0] == (
        "communities.gpkg: crs = 'gcj02' is declared but the file's CRS EPSG:32648 is projected; "
        "gcj02 is for lon/lat layers: remove the declaration or export the layer as lon/lat"
    )


def test_gcj02_layer_converted_to_wgs84(tmp_path):
    gdf = community_frame(2)
    path = write_vector(gdf, tmp_path / "communities.geojson")
    out = read_layer(LayerSpec(path, crs="gcj02"), kind="communities", issues=IssueLog())
    got = shapely.get_coordinates(out.geometry.iloc[0])
    src = shapely.get_coordinates(gdf.geometry.iloc[0])
    np.testing.assert_allclose(got, np.column_stack(gcj02_to_wgs84(src[:, 0], src[:, 1])))
    # near 107.9°E the GCJ-02 offset is hundreds of metres: the layer really moved
    assert np.abs(got - src).max() > 1e-3


def test_projected_crs_with_degree_coordinates(tmp_path):
    gdf = community_frame(2).set_crs("EPSG:32648", allow_override=True)
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: coordinates look like degrees (every |x| ≤ 180 and |y| ≤ 90) but the "
        'CRS EPSG:32648 is projected (metres); declare crs = "EPSG:4326" (or "EPSG:4490", '
        '"gcj02", "bd09") in [layers.communities]'
    ]


def test_metres_in_a_lonlat_layer_are_out_of_range(tmp_path):
    gdf = community_frame(3).to_crs("EPSG:32648").set_crs("EPSG:4326", allow_override=True)
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: coordinates out of lon/lat range (|lon| > 180 or |lat| > 90) in "
        "rows 1, 2, 3 for CRS EPSG:4326; if the layer is projected (metres), declare its CRS in "
        '[layers.communities], e.g. crs = "EPSG:4547"'
    ]


def test_swapped_lonlat_in_a_vector_layer(tmp_path):
    gdf = community_frame(3)
    gdf.geometry = shapely.transform(gdf.geometry.values, lambda c: c[:, ::-1])
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: lon/lat look swapped in rows 1, 2, 3: x lies in 3–54 (a latitude in "
        "China) and y in 73–136 (a longitude); export the layer with longitude as x and latitude "
        "as y"
    ]


# --- columns and values ----------------------------------------------------------------------


def test_missing_required_column_names_the_mapping(tmp_path):
    gdf = community_frame(2).rename(columns={"households": "户数"})
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path, fields={"households": "总户数"}), "communities")
    assert err.problems == [
        "communities.gpkg: required column 'households' not found (looked for column '总户数' "
        "given in fields); the file has columns: id, name, 户数, kind; correct fields.households"
    ]
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: required column 'households' not found (looked for column "
        "'households'); the file has columns: id, name, 户数, kind; map it with fields = "
        '{ households = "<column>" } in [layers.communities]'
    ]


def test_unknown_fields_key(tmp_path):
    path = write_vector(community_frame(2), tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path, fields={"housholds": "户数"}), "communities")
    assert err.problems[0].startswith(
        "communities.gpkg: fields key 'housholds' is not a communities field; valid keys: id, "
        "name, households, kind"
    )


def test_negative_households(tmp_path):
    gdf = community_frame(12)
    gdf.loc[[3, 8, 11], "households"] = [-1, -20, -5]
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: column 'households' has 3 negative values (rows 4, 9, 12); "
        "households must be ≥ 0"
    ]


def test_non_numeric_and_fractional_households(tmp_path):
    gdf = community_frame(3)
    gdf["户数"] = ["约300", "250.5", "1,200"]
    gdf = gdf.drop(columns="households")
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path, fields={"households": "户数"}), "communities")
    assert err.problems == [
        "communities.gpkg: column '户数' (households) has 1 non-numeric value (row 1: '约300'); "
        "write plain numbers without units",
        "communities.gpkg: column '户数' (households) has 1 non-integer value (row 2); "
        "households must be whole numbers",
    ]


def test_thousands_separator_and_empty_households(tmp_path):
    gdf = community_frame(2).drop(columns="households")
    gdf["households"] = ["1,200", None]
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    issues = IssueLog()
    out = read_layer(LayerSpec(path), kind="communities", issues=issues)
    assert out["households"].iloc[0] == 1200.0
    assert np.isnan(out["households"].iloc[1])
    assert [(i.row_id, i.problem) for i in issues.items] == [("2", "households not given")]


def test_duplicate_ids(tmp_path):
    gdf = community_frame(5).assign(id=["A", "B", "A", "C", "B"])
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: column 'id' has 2 duplicated values: 'A' (rows 1, 3); 'B' (rows 2, 5)"
        "; ids must be unique"
    ]


def test_empty_ids(tmp_path):
    gdf = community_frame(3).assign(id=["A", None, " "])
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: column 'id' has 2 empty values (rows 2, 3); every feature needs an id"
    ]


def test_unknown_community_kind(tmp_path):
    gdf = community_frame(3).assign(kind=["社区", "开发区", None])
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: column 'kind' has 1 unknown value (row 2: '开发区'); valid: urban, "
        "town, rural (or 城市社区/社区, 镇/集镇, 村/农村)"
    ]


def test_floor_area_must_be_positive(tmp_path):
    table = facility_table()
    table["建筑面积"] = ["0", "-50", "300"]
    path = tmp_path / "facilities.csv"
    table.to_csv(path, index=False)
    err = read_error(LayerSpec(path, fields=FAC_FIELDS, crs="EPSG:4326"), "facilities")
    assert err.problems == [
        "facilities.csv: column '建筑面积' (floor_area_m2) has 2 values ≤ 0 (rows 2, 3); "
        "floor_area_m2 must be > 0 (leave the cell empty when unknown)"
    ]


def test_all_problems_collected_in_one_error(tmp_path):
    gdf = community_frame(4).assign(id=["A", "A", "B", "C"])
    gdf.loc[2, "households"] = -3
    gdf = gdf.drop(columns="name")
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert len(err.problems) == 3
    assert str(err).splitlines() == [
        "communities.gpkg: 3 problems in the communities layer:",
        *(f"- {p}" for p in err.problems),
    ]
    assert err.problems[0].startswith("communities.gpkg: required column 'name' not found")
    assert err.problems[1] == (
        "communities.gpkg: column 'id' has 1 duplicated value: 'A' (rows 1, 2); ids must be unique"
    )
    assert err.problems[2] == (
        "communities.gpkg: column 'households' has 1 negative value (row 3); households must be ≥ 0"
    )


# --- geometry --------------------------------------------------------------------------------


def test_wrong_geometry_type(tmp_path):
    gdf = community_frame(3)
    gdf.loc[1, "geometry"] = shapely.LineString([(LON0, LAT0), (LON0 + 0.01, LAT0)])
    path = write_vector(gdf, tmp_path / "communities.geojson")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.geojson: 1 geometry is LineString (row 2); communities must be Polygon or "
        "MultiPolygon"
    ]


def test_empty_geometries(tmp_path):
    gdf = community_frame(3)
    gdf.loc[0, "geometry"] = None
    gdf.loc[2, "geometry"] = shapely.Polygon()
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: 2 empty or missing geometries (rows 1, 3); draw them or delete "
        "those rows"
    ]


def test_invalid_polygon_repaired_and_recorded(tmp_path):
    gdf = community_frame(2)
    bowtie = shapely.Polygon(
        [(LON0, LAT0), (LON0 + 0.008, LAT0 + 0.008), (LON0 + 0.008, LAT0), (LON0, LAT0 + 0.008)]
    )
    gdf.loc[1, "geometry"] = bowtie
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    issues = IssueLog()
    out = read_layer(LayerSpec(path), kind="communities", issues=issues)
    repaired = out.geometry.iloc[1]
    assert repaired.is_valid
    assert repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(0.008 * 0.008 / 2, rel=1e-9)
    assert len(issues) == 1
    issue = issues.items[0]
    assert (issue.layer, issue.row_id, issue.action) == (
        "communities",
        "2",
        "repaired (shapely.make_valid)",
    )
    assert issue.problem.startswith("invalid polygon (Self-intersection")


def test_facility_polygons_become_points(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"name": ["站", "园"], "category": ["社区综合服务站", "幼儿园"]},
        geometry=[shapely.Point(LON0, LAT0), shapely.box(LON0, LAT0, LON0 + 0.001, LAT0 + 0.001)],
        crs="EPSG:4326",
    )
    path = write_vector(gdf, tmp_path / "facilities.gpkg")
    issues = IssueLog()
    out = read_layer(LayerSpec(path), kind="facilities", issues=issues)
    assert list(out.geom_type) == ["Point", "Point"]
    assert gdf.geometry.iloc[1].contains(out.geometry.iloc[1])
    assert list(out["id"]) == ["1", "2"]  # no id column: the row number
    assert [(i.row_id, i.problem) for i in issues.items] == [("2", "facility drawn as a polygon")]


# --- CSV / XLSX ------------------------------------------------------------------------------


def test_gbk_csv_detected_and_gcj02_converted(tmp_path):
    path = tmp_path / "facilities.csv"
    facility_table().to_csv(path, index=False, encoding="gbk")
    assert detect_encoding(path.read_bytes()) == "gb18030"
    spec = LayerSpec(path, fields=FAC_FIELDS, crs="gcj02")
    out = read_layer(spec, kind="facilities", issues=IssueLog())
    assert list(out["name"]) == ["城东社区服务站", "幸福幼儿园", "老年日间照料中心"]
    assert list(out["category"]) == ["社区综合服务站", "幼儿园", "老年人日间照料中心"]
    assert list(out["row"]) == [2, 3, 4]  # spreadsheet rows: row 1 is the header
    np.testing.assert_array_equal(out["floor_area_m2"].to_numpy()[:2], [800.0, 1200.0])
    assert np.isnan(out["floor_area_m2"].iloc[2])
    lon, lat = gcj02_to_wgs84(facility_table()["经度"], facility_table()["纬度"])
    np.testing.assert_allclose(out.geometry.x, lon, atol=1e-12)
    np.testing.assert_allclose(out.geometry.y, lat, atol=1e-12)
    assert "经度" not in out.columns


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_detected(tmp_path, encoding):
    path = tmp_path / "facilities.csv"
    facility_table().to_csv(path, index=False, encoding=encoding)
    assert detect_encoding(path.read_bytes()) == encoding
    spec = LayerSpec(path, fields=FAC_FIELDS, crs="EPSG:4326")
    out = read_layer(spec, kind="facilities", issues=IssueLog())
    assert out["name"].iloc[1] == "幸福幼儿园"


def test_declared_encoding_that_fails(tmp_path):
    path = tmp_path / "facilities.csv"
    facility_table().to_csv(path, index=False, encoding="gbk")
    err = read_error(
        LayerSpec(path, fields=FAC_FIELDS, crs="gcj02", encoding="utf-8"), "facilities"
    )
    assert err.problems[0].startswith("facilities.csv: the text does not decode as utf-8 (byte ")
    assert err.problems[0].endswith(
        'set encoding = "auto" to detect UTF-8 / GBK / GB18030, or give the right encoding'
    )


def test_csv_without_crs(tmp_path):
    path = tmp_path / "facilities.csv"
    facility_table().to_csv(path, index=False)
    err = read_error(LayerSpec(path, fields=FAC_FIELDS), "facilities")
    assert err.problems == [
        'facilities.csv: has no CRS; add crs = "EPSG:4490" (or "EPSG:4326", "gcj02", "bd09", '
        "or the projected CRS it uses) to [layers.facilities]"
    ]


def test_csv_swapped_lonlat_columns(tmp_path):
    table = facility_table().rename(columns={"经度": "纬度", "纬度": "经度"})
    path = tmp_path / "facilities.csv"
    table.to_csv(path, index=False)
    err = read_error(LayerSpec(path, fields=FAC_FIELDS, crs="gcj02"), "facilities")
    assert err.problems == [
        "facilities.csv: lon/lat look swapped in rows 2, 3, 4: x lies in 3–54 (a latitude in "
        'China) and y in 73–136 (a longitude); swap x and y in fields: x = "纬度", y = "经度"'
    ]


def test_csv_one_swapped_row_and_bad_coordinates(tmp_path):
    table = facility_table().astype({"经度": object, "纬度": object})
    table.loc[1, ["经度", "纬度"]] = [31.1043, 107.9152]
    table.loc[2, "纬度"] = "N31"
    path = tmp_path / "facilities.csv"
    table.to_csv(path, index=False)
    err = read_error(LayerSpec(path, fields=FAC_FIELDS, crs="EPSG:4326"), "facilities")
    assert err.problems == [
        "facilities.csv: column '纬度' has 1 empty or non-numeric coordinate (row 4); every row "
        "needs decimal degrees (e.g. 107.9)",
        "facilities.csv: x and y look swapped in row 3 (x looks like a latitude, y like a "
        "longitude); swap the two values in those rows",
    ]


def test_csv_coordinate_columns_missing(tmp_path):
    table = facility_table().rename(columns={"经度": "E", "纬度": "N"})
    path = tmp_path / "facilities.csv"
    table.to_csv(path, index=False)
    err = read_error(LayerSpec(path, fields=FAC_FIELDS, crs="EPSG:4326"), "facilities")
    assert err.problems[0] == (
        "facilities.csv: no x coordinate column (looked for columns lon, lng, long, longitude, "
        "经度, x); the file has columns: 编号, 名称, 类别, 建筑面积, E, N; name them with fields = "
        '{ x = "<longitude column>", y = "<latitude column>" } in [layers.facilities]'
    )
    assert len(err.problems) == 2
    out = read_layer(
        LayerSpec(path, fields={**FAC_FIELDS, "x": "E", "y": "N"}, crs="EPSG:4326"),
        kind="facilities",
        issues=IssueLog(),
    )
    assert out.geometry.x.iloc[0] == pytest.approx(107.9051)


def test_bd09_csv_converted(tmp_path):
    blon, blat = wgs84_to_bd09([107.9051], [31.1042])
    path = tmp_path / "candidates.csv"
    pd.DataFrame({"lng": blon, "lat": blat}).to_csv(path, index=False)
    out = read_layer(LayerSpec(path, crs="bd09"), kind="candidates", issues=IssueLog())
    assert out.geometry.x.iloc[0] == pytest.approx(107.9051, abs=1e-9)
    assert out.geometry.y.iloc[0] == pytest.approx(31.1042, abs=1e-9)
    assert list(out["id"]) == ["2"]
    lon, _ = bd09_to_wgs84(blon, blat)
    assert out.geometry.x.iloc[0] == pytest.approx(float(lon[0]), abs=1e-12)


def test_xlsx_sheet(tmp_path):
    path = tmp_path / "facilities.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"说明": ["封面"]}).to_excel(writer, sheet_name="说明", index=False)
        facility_table().to_excel(writer, sheet_name="设施", index=False)
    spec = LayerSpec(path, fields=FAC_FIELDS, crs="EPSG:4490", sheet="设施")
    out = read_layer(spec, kind="facilities", issues=IssueLog())
    assert list(out["id"]) == ["F1", "F2", "F3"]
    assert out["floor_area_m2"].iloc[1] == 1200.0
    err = read_error(LayerSpec(path, fields=FAC_FIELDS, crs="EPSG:4490", sheet="表1"), "facilities")
    assert err.problems == [
        "facilities.xlsx: no sheet named '表1'; the workbook has sheets: 说明, 设施"
    ]


def test_gates_need_compound_id(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"id": ["g1", "g2"]},
        geometry=[shapely.Point(LON0, LAT0), shapely.Point(LON0 + 0.001, LAT0)],
        crs="EPSG:4326",
    )
    path = write_vector(gdf, tmp_path / "gates.gpkg")
    err = read_error(LayerSpec(path), "gates")
    assert err.problems[0].startswith(
        "gates.gpkg: required column 'compound_id' not found (looked for column 'compound_id')"
    )


def test_format_rows():
    assert format_rows([4]) == "row 4"
    assert format_rows([4, 9, 12]) == "rows 4, 9, 12"
    assert format_rows(list(range(1, 16))) == "rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 5 more"


# --- the demo county's layers and broken copies of them -------------------------------------

DEMO_FAC_FIELDS = {
    "id": "编号",
    "name": "名称",
    "category": "类别",
    "floor_area_m2": "建筑面积",
    "community_id": "所属社区",
    "x": "经度",
    "y": "纬度",
}


@pytest.fixture(scope="module")
def demo_layers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding the demo county's layers (generated when the package has none)."""
    import lifecircle.data

    folder = Path(lifecircle.data.__file__).parent / "demo"
    if (folder / "communities.gpkg").exists() and (folder / "facilities.csv").exists():
        return folder
    from lifecircle.data.demo.generate import generate

    out = tmp_path_factory.mktemp("demo-layers")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rasterio's from_origin warns on newer affine
        generate(out)
    return out


def demo_communities(demo_layers: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(demo_layers / "communities.gpkg")


def test_demo_gbk_csv_read_correctly(demo_layers):
    path = demo_layers / "facilities.csv"
    raw = path.read_bytes()
    assert detect_encoding(raw) == "gb18030"
    table = pd.read_csv(path, encoding="gb18030", dtype=str)
    issues = IssueLog()
    spec = LayerSpec(path, fields=DEMO_FAC_FIELDS, crs="gcj02")
    out = read_layer(spec, kind="facilities", issues=issues)
    assert len(out) == len(table)
    assert list(out["id"]) == list(table["编号"])
    assert list(out["name"]) == list(table["名称"])
    assert out["category"].str.contains("[\u4e00-\u9fff]").all()  # Chinese text decoded
    lon, lat = gcj02_to_wgs84(table["经度"].astype(float), table["纬度"].astype(float))
    np.testing.assert_allclose(out.geometry.x, lon, atol=1e-12)
    np.testing.assert_allclose(out.geometry.y, lat, atol=1e-12)
    np.testing.assert_allclose(out["floor_area_m2"], table["建筑面积"].astype(float))
    assert len(issues) == 0


def test_demo_communities_read(demo_layers):
    out = read_layer(
        LayerSpec(demo_layers / "communities.gpkg"), kind="communities", issues=IssueLog()
    )
    src = demo_communities(demo_layers)
    assert list(out["id"]) == list(src["id"])
    assert set(out["kind"]) <= {"urban", "town", "rural"}
    assert out.crs.to_epsg() == 4326
    # the file is in CGCS2000 Gauss–Krüger (metres); the county seat lies near 107.9°E 31.1°N
    lon, lat = out.union_all().centroid.coords[0]
    assert 107.5 < lon < 108.3
    assert 30.8 < lat < 31.4


def test_demo_broken_negative_households(demo_layers, tmp_path):
    gdf = demo_communities(demo_layers)
    gdf.loc[[3, 8, 11], "households"] = [-1, -20, -5]
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        "communities.gpkg: column 'households' has 3 negative values (rows 4, 9, 12); "
        "households must be ≥ 0"
    ]


def test_demo_broken_missing_column(demo_layers, tmp_path):
    gdf = demo_communities(demo_layers).rename(columns={"households": "户数"})
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path, fields={"households": "households"}), "communities")
    assert len(err.problems) == 1
    assert err.problems[0].startswith(
        "communities.gpkg: required column 'households' not found (looked for column "
        "'households' given in fields); the file has columns: id, name, kind, 户数, population"
    )


def test_demo_broken_no_crs(demo_layers, tmp_path):
    gdf = demo_communities(demo_layers).set_crs(None, allow_override=True)
    path = write_vector(gdf, tmp_path / "communities.shp")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        'communities.shp: has no CRS; add crs = "EPSG:4490" (or "EPSG:4326", "gcj02", "bd09", '
        "or the projected CRS it uses) to [layers.communities]"
    ]


def test_demo_broken_duplicate_ids(demo_layers, tmp_path):
    gdf = demo_communities(demo_layers)
    first = gdf["id"].iloc[0]
    gdf.loc[[5, 9], "id"] = first
    path = write_vector(gdf, tmp_path / "communities.gpkg")
    err = read_error(LayerSpec(path), "communities")
    assert err.problems == [
        f"communities.gpkg: column 'id' has 1 duplicated value: {first!r} (rows 1, 6, 10); "
        "ids must be unique"
    ]


def test_demo_broken_swapped_lonlat(demo_layers, tmp_path):
    text = (demo_layers / "facilities.csv").read_bytes().decode("gb18030")
    header, rest = text.split("\r\n", 1)
    swapped = header.replace("经度", "LAT").replace("纬度", "经度").replace("LAT", "纬度")
    path = tmp_path / "facilities.csv"
    path.write_bytes((swapped + "\r\n" + rest).encode("gbk"))
    n = len(pd.read_csv(path, encoding="gb18030"))
    err = read_error(LayerSpec(path, fields=DEMO_FAC_FIELDS, crs="gcj02"), "facilities")
    assert err.problems == [
        f"facilities.csv: lon/lat look swapped in {format_rows(list(range(2, n + 2)))}: x lies in "
        "3–54 (a latitude in China) and y in 73–136 (a longitude); swap x and y in fields: "
        'x = "纬度", y = "经度"'
    ]
