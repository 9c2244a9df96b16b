"""How planners break a project: the changes tests/badcases.py makes to the tiny project."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tinyproject import (
    FACILITY_FIELDS,
    UTM48,
    X0,
    Y0,
    box_ll,
    communities_frame,
    edit_communities,
    edit_facilities,
    edit_toml,
    facilities_frame,
    lonlat,
    streets_frame,
    write_facilities,
    write_population,
)

# --- the changes -----------------------------------------------------------------------------


def _set_fac(row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set one cell of facilities.csv; ``row`` is the spreadsheet row (2 = F01)."""

    def change(folder: Path) -> None:
        def edit(frame: pd.DataFrame) -> pd.DataFrame:
            frame.loc[row - 2, column] = value
            return frame

        edit_facilities(folder, edit)

    return change


def _set_comm(feature: int, column: str, value: object) -> Callable[[Path], None]:
    """Set one attribute of communities.gpkg; ``feature`` counts from 1 (C01)."""

    def change(folder: Path) -> None:
        def edit(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            frame[column] = frame[column].astype(object)
            frame.loc[feature - 1, column] = value
            return frame

        edit_communities(folder, edit)

    return change


def _all(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    """Make every one of ``changes``, in order."""

    def change(folder: Path) -> None:
        for one in changes:
            one(folder)

    return change


def _toml(old: str, new: str) -> Callable[[Path], None]:
    return lambda folder: edit_toml(folder, old, new)


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (folder / name).write_bytes(data)

    return change


def _recode(name: str, encoding: str) -> Callable[[Path], None]:
    """Save a UTF-8 text file of the project in another encoding."""

    def change(folder: Path) -> None:
        text = (folder / name).read_text(encoding="utf-8")
        (folder / name).write_bytes(text.encode(encoding))

    return change


def _header_only(folder: Path) -> None:
    write_facilities(folder, facilities_frame().iloc[0:0])


def _no_communities(folder: Path) -> None:
    communities_frame().iloc[0:0].to_file(folder / "communities.gpkg", driver="GPKG")


def _facility_at(x: float, y: float, **values: str) -> Callable[[Path], None]:
    """Add facility F06 at local (x, y) m; ``values`` override its cells."""

    def change(folder: Path) -> None:
        lon, lat = lonlat(x, y)
        row = {
            "编号": "F06",
            "名称": "新设施",
            "类别": "幼儿园",
            "建筑面积": "500",
            "所属社区": "",
            "经度": f"{lon:.7f}",
            "纬度": f"{lat:.7f}",
        } | values
        edit_facilities(folder, lambda f: pd.concat([f, pd.DataFrame([row])], ignore_index=True))

    return change


def _shapefile_communities(folder: Path, *, encoding: str, cpg: bool, prj: bool = True) -> None:
    """communities as a shapefile in ``encoding`` (GBK as Chinese GIS writes it)."""
    communities_frame().to_file(folder / "社区.shp", encoding=encoding)
    if not cpg:
        (folder / "社区.cpg").unlink()
    if not prj:
        (folder / "社区.prj").unlink()
    edit_toml(folder, 'path = "communities.gpkg"', 'path = "社区.shp"')


def _xlsx_with_title(folder: Path, *, bad_area_row: int | None = None) -> None:
    """facilities as a 统计表: a merged title row, a two-row header (坐标 over 经度/纬度)."""
    from openpyxl import Workbook

    frame = facilities_frame()
    if bad_area_row is not None:
        frame.loc[bad_area_row - 4, "建筑面积"] = "-5"
    wb = Workbook()
    ws = wb.active
    ws.append(["小县城社区服务设施统计表"])
    ws.merge_cells("A1:G1")
    ws.append(["编号", "名称", "类别", "建筑面积", "所属社区", "坐标", None])
    ws.append([None, None, None, None, None, "经度", "纬度"])
    for col in "ABCDE":
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("F2:G2")
    for row in frame.itertuples(index=False):
        ws.append(list(row))
    wb.save(folder / "设施统计表.xlsx")
    edit_toml(folder, 'path = "facilities.csv"', 'path = "设施统计表.xlsx"')


def _tab_separated(folder: Path) -> None:
    frame = facilities_frame()
    frame.to_csv(folder / "facilities.csv", index=False, sep="\t", encoding="gbk")


def _bureau_roads(folder: Path) -> None:
    """A road bureau's layer: 道路等级 with an expressway (快速路) crossing the grid."""
    roads = streets_frame()
    express = gpd.GeoDataFrame(
        {"道路等级": ["快速路"], "道路名称": ["快速路"]},
        geometry=[shapely.LineString([(X0 - 200, Y0 + 50), (X0 + 800, Y0 + 550)])],
        crs=UTM48,
    )
    pd.concat([roads, express], ignore_index=True).to_file(
        folder / "streets.geojson", driver="GeoJSON"
    )
    edit_toml(
        folder,
        "max_snap_m = 150",
        'max_snap_m = 150\nfields = { class = "道路等级" }\n'
        'walkable = { exclude_class = ["高速公路", "快速路"] }',
    )


def _population_vector(folder: Path) -> None:
    """A population layer of buildings with 人口 and no fields."""
    points = [lonlat(50 + 100 * i, 50 + 100 * j) for i in range(6) for j in range(6)]
    gpd.GeoDataFrame(
        {"楼栋": [f"B{k}" for k in range(36)], "人口": [50] * 36},
        geometry=[shapely.Point(p) for p in points],
        crs="EPSG:4326",
    ).to_file(folder / "楼栋人口.gpkg", driver="GPKG")
    edit_toml(folder, 'path = "population.tif"', 'path = "楼栋人口.gpkg"')


def _overlap(folder: Path) -> None:
    def edit(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        frame.loc[1, "geometry"] = box_ll(200, 0, 600, 600)  # C02 reaches 100 m into C01
        return frame

    edit_communities(folder, edit)


def _bow_tie(folder: Path) -> None:
    def edit(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        a, b, c, d = lonlat(0, 0), lonlat(300, 600), lonlat(300, 0), lonlat(0, 600)
        frame.loc[0, "geometry"] = shapely.Polygon([a, b, c, d, a])  # self-crossing
        return frame

    edit_communities(folder, edit)


def _flat_polygon(folder: Path) -> None:
    def edit(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        a, b = lonlat(0, 0), lonlat(300, 300)
        frame.loc[1, "geometry"] = shapely.Polygon([a, b, a, a])  # no area at all
        return frame

    edit_communities(folder, edit)


def _facilities_as_lines(folder: Path) -> None:
    line = shapely.LineString([lonlat(100, 100), lonlat(200, 100)])
    gpd.GeoDataFrame(
        {"名称": ["幼儿园"], "类别": ["幼儿园"]}, geometry=[line], crs="EPSG:4326"
    ).to_file(folder / "设施.gpkg", driver="GPKG")
    edit_toml(folder, 'path = "facilities.csv"', 'path = "设施.gpkg"')
    edit_toml(folder, FACILITY_FIELDS, 'fields = { name = "名称", category = "类别" }')


def _population(values: np.ndarray, crs: str | None = UTM48) -> Callable[[Path], None]:
    return lambda folder: write_population(folder / "population.tif", values, crs=crs)


def _other_place(folder: Path) -> None:
    streets_frame(shift_m=80_000).to_file(folder / "streets.geojson", driver="GeoJSON")


def _gates_only(folder: Path) -> None:
    edit_toml(folder, "[siting]", '[layers.gates]\npath = "communities.gpkg"\n\n[siting]')


def _nothing(folder: Path) -> None:
    """The project as it is: the mistake lies outside it."""


def _a_file_named_like_the_output(folder: Path) -> None:
    (folder / "结果.txt").write_text("a file, not a folder", encoding="utf-8")


def _open_in_qgis(monkeypatch: Any) -> None:
    """results.gpkg held open (as QGIS holds it on Windows): it cannot be moved or replaced."""
    import os

    real = os.replace

    def replace(src: Any, dst: Any) -> None:
        if Path(src).name == "results.gpkg" and Path(src).parent.name == "out":
            raise PermissionError(13, "The process cannot access the file", str(src))
        real(src, dst)

    monkeypatch.setattr("lifecircle.run.outfolder.os.replace", replace)


def _no_write_access(monkeypatch: Any) -> None:
    """The output folder lies on a share the planner may read but not write."""

    def mkdtemp(*_: Any, dir: Any = None, **__: Any) -> str:
        raise PermissionError(13, "Permission denied", str(dir))

    monkeypatch.setattr("lifecircle.run.outfolder.tempfile.mkdtemp", mkdtemp)
