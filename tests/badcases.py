"""The planner mistakes made to the tiny project of tests/tinyproject.py.

Each :class:`Case` breaks one thing in a copy of that project, the way planners break it, and
says what ``lifecircle`` must answer: the exit status and the words the message must hold (the
file, and the rows, ids or column).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from mistakes import (
    _a_file_named_like_the_output,
    _all,
    _bow_tie,
    _bureau_roads,
    _facilities_as_lines,
    _facility_at,
    _flat_polygon,
    _gates_only,
    _header_only,
    _no_communities,
    _no_write_access,
    _nothing,
    _open_in_qgis,
    _other_place,
    _overlap,
    _population,
    _population_vector,
    _recode,
    _set_comm,
    _set_fac,
    _shapefile_communities,
    _tab_separated,
    _toml,
    _write,
    _xlsx_with_title,
)
from tinyproject import (
    edit_communities,
    edit_facilities,
)


@dataclass(frozen=True)
class Case:
    """One planner mistake.

    Attributes
    ----------
    id
        The test id.
    breaks
        Changes the tiny project in the folder it is given.
    exit
        The status lifecircle must exit with (2: bad input; 0: the run goes on, with warnings).
    says
        Words the message (stderr for errors, stdout for ``check`` warnings) must hold: the
        file, and the rows, ids or column.
    command
        ``check`` or ``run``.
    issues
        For a run that goes on: words issues.csv must hold.
    args
        Further command-line arguments; ``{folder}`` stands for the project's folder.
    fault
        Makes the operating system fail the way it does on a planner's machine (a file held
        open by QGIS, a folder without write access), given pytest's ``monkeypatch``.
    """

    id: str
    breaks: Callable[[Path], None]
    exit: int
    says: tuple[str, ...]
    command: str = "check"
    issues: tuple[str, ...] = field(default_factory=tuple)
    args: tuple[str, ...] = ()
    fault: Callable[[Any], None] | None = None


def copy_project(template: Path, dest: Path) -> Path:
    """A fresh copy of the tiny project's folder; return its project file."""
    shutil.copytree(template, dest)
    return dest / "project.toml"


CASES: list[Case] = [
    # the project file
    Case(
        "toml-windows-path",
        _toml('path = "streets.geojson"', 'path = "D:\\数据\\路网.geojson"'),
        2,
        ("project.toml", "line 8", "forward slashes"),
    ),
    Case(
        "toml-escapes-in-path",
        _toml('path = "streets.geojson"', 'path = "D:\\new\\table.shp"'),
        2,
        ("project.toml", "[network] path", "tab or line break"),
    ),
    Case(
        "toml-missing-quote",
        _toml('name = "小县城"', "name = 小县城"),
        2,
        ("project.toml", "not valid TOML", "line 2"),
    ),
    Case(
        "toml-not-utf8",
        _recode("project.toml", "gbk"),
        2,
        ("project.toml", "UTF-8"),
    ),
    Case(
        "unknown-key",
        _toml('lang = "zh"', 'language = "zh"'),
        2,
        ("project.toml", "unknown key 'language'", "valid keys"),
    ),
    Case(
        "bad-language",
        _toml('lang = "zh"', 'lang = "cn"'),
        2,
        ("project.toml", "project.lang", "zh, en"),
    ),
    Case(
        "layer-file-missing",
        _toml('path = "facilities.csv"', 'path = "设施.csv"'),
        2,
        ("project.toml", "[layers.facilities]", "设施.csv", "file not found"),
    ),
    Case(
        "network-file-missing",
        _toml('path = "streets.geojson"', 'path = "roads.shp"'),
        2,
        ("project.toml", "network.path", "roads.shp"),
    ),
    Case(
        "profile-file-missing",
        _toml('profile = "cn-national"', 'profile = "县标准.toml"'),
        2,
        ("project.toml", "县标准.toml", "not found"),
    ),
    Case(
        "header-row-zero",
        _toml('crs = "EPSG:4326"', 'crs = "EPSG:4326"\nheader_row = 0'),
        2,
        ("project.toml", "[layers.facilities] header_row", "≥ 1"),
    ),
    Case(
        "network-fields-unknown",
        _toml("cache = false", 'cache = false\nfields = { klass = "道路等级" }'),
        2,
        ("project.toml", "network.fields", "'klass'", "did you mean 'class'"),
    ),
    Case(
        "exclude-class-without-class",
        _toml("cache = false", 'cache = false\nwalkable = { exclude_class = ["快速路"] }'),
        2,
        ("project.toml", "exclude_class", "[network] fields"),
    ),
    Case(
        "persons-per-household-zero",
        _toml('output = "out"', 'output = "out"\npersons_per_household = 0'),
        2,
        ("project.toml", "persons_per_household", "≥ 0.5"),
    ),
    Case(
        "new-sites-zero",
        _toml("new_sites = 1", "new_sites = 0"),
        2,
        ("project.toml", "siting.new_sites", "≥ 1"),
    ),
    Case(
        "gates-without-compounds",
        _gates_only,
        2,
        ("project.toml", "[layers.compounds] and [layers.gates]"),
    ),
    Case(
        "siting-category-unknown",
        _toml('category = "elderly_day_care"', 'category = "日间照料"'),
        2,
        ("siting category '日间照料'", "cn-national", "elderly_day_care"),
    ),
    # tables
    Case("facilities-header-only", _header_only, 2, ("facilities.csv", "no data rows")),
    Case("facilities-header-only-run", _header_only, 2, ("facilities.csv", "no data rows"), "run"),
    Case(
        "zero-coordinates",
        _all(_set_fac(4, "经度", "0"), _set_fac(4, "纬度", "0")),
        2,
        ("facilities.csv", "(0, 0)", "row 4"),
    ),
    Case("empty-coordinate", _set_fac(3, "纬度", ""), 2, ("facilities.csv", "'纬度'", "row 3")),
    Case(
        "coordinate-with-unit",
        _set_fac(5, "经度", "107.9E"),
        2,
        ("facilities.csv", "'经度'", "row 5"),
    ),
    Case(
        "coordinates-in-metres",
        _all(_set_fac(2, "经度", "776750"), _set_fac(2, "纬度", "3444600")),
        2,
        ("facilities.csv", "row 2", "out of lon/lat range"),
    ),
    Case(
        "lonlat-columns-swapped",
        _toml('x = "经度", y = "纬度"', 'x = "纬度", y = "经度"'),
        2,
        ("facilities.csv", "swapped", 'x = "经度", y = "纬度"'),
    ),
    Case("empty-category", _set_fac(6, "类别", ""), 2, ("facilities.csv", "'类别'", "row 6")),
    Case(
        "zero-floor-area",
        _set_fac(3, "建筑面积", "0"),
        2,
        ("facilities.csv", "'建筑面积'", "row 3"),
    ),
    Case(
        "floor-area-with-unit",
        _set_fac(2, "建筑面积", "900㎡"),
        2,
        ("facilities.csv", "'建筑面积'", "row 2", "900㎡"),
    ),
    Case(
        "coordinate-column-renamed",
        _toml('x = "经度"', 'x = "东经"'),
        2,
        ("facilities.csv", "'东经'", "经度"),
    ),
    Case(
        "fields-key-misspelt",
        _toml('floor_area_m2 = "建筑面积"', 'floor_area = "建筑面积"'),
        2,
        ("facilities.csv", "'floor_area'", "floor_area_m2"),
    ),
    Case(
        "csv-utf16",
        _recode("facilities.csv", "utf-16"),
        2,
        ("facilities.csv", "neither UTF-8 nor GBK"),
    ),
    Case(
        "declared-encoding-wrong",
        _all(
            _recode("facilities.csv", "gbk"),
            _toml('crs = "EPSG:4326"', 'crs = "EPSG:4326"\nencoding = "utf-8"'),
        ),
        2,
        ("facilities.csv", "does not decode as utf-8"),
    ),
    Case(
        "unknown-crs",
        _toml('crs = "EPSG:4326"', 'crs = "EPSG:999999"'),
        2,
        ("facilities.csv", "EPSG:999999"),
    ),
    Case(
        "xlsx-sheet-missing",
        _all(_xlsx_with_title, _toml('crs = "EPSG:4326"', 'crs = "EPSG:4326"\nsheet = "设施"')),
        2,
        ("设施统计表.xlsx", "no sheet named '设施'", "Sheet"),
    ),
    Case(
        "xlsx-row-number",
        lambda f: _xlsx_with_title(f, bad_area_row=6),
        2,
        ("设施统计表.xlsx", "'建筑面积'", "row 6"),
    ),
    Case(
        "xlsx-broken",
        _all(_xlsx_with_title, _write("设施统计表.xlsx", b"PK\x03\x04broken")),
        2,
        ("设施统计表.xlsx", "cannot read it as XLSX"),
    ),
    Case(
        "unsupported-format",
        _all(
            _write("facilities.txt", b"x"),
            _toml('path = "facilities.csv"', 'path = "facilities.txt"'),
        ),
        2,
        ("facilities.txt", "unsupported format .txt"),
    ),
    Case(
        "header-row-past-end",
        _toml('crs = "EPSG:4326"', 'crs = "EPSG:4326"\nheader_row = 40'),
        2,
        ("facilities.csv", "header_row = 40", "6 lines"),
    ),
    # vector layers
    Case("communities-no-features", _no_communities, 2, ("communities.gpkg", "no features")),
    Case(
        "communities-no-features-run",
        _no_communities,
        2,
        ("communities.gpkg", "no features"),
        "run",
    ),
    Case(
        "negative-households",
        _set_comm(2, "户数", -300),
        2,
        ("communities.gpkg", "'户数'", "row 2"),
    ),
    Case(
        "households-as-text",
        _set_comm(1, "户数", "约300户"),
        2,
        ("communities.gpkg", "'户数'", "row 1", "约300户"),
    ),
    Case(
        "fractional-households",
        _set_comm(2, "户数", 300.5),
        2,
        ("communities.gpkg", "'户数'", "row 2", "whole numbers"),
    ),
    Case(
        "duplicate-community-ids",
        _set_comm(2, "社区代码", "C01"),
        2,
        ("communities.gpkg", "'C01'", "rows 1, 2"),
    ),
    Case(
        "empty-community-id",
        _set_comm(1, "社区代码", None),
        2,
        ("communities.gpkg", "'社区代码'", "row 1"),
    ),
    Case(
        "unknown-community-kind",
        _set_comm(2, "类型", "街道"),
        2,
        ("communities.gpkg", "'类型'", "row 2", "'街道'"),
    ),
    Case(
        "households-column-missing",
        _toml('households = "户数"', 'households = "总户数"'),
        2,
        ("communities.gpkg", "'总户数'", "户数"),
    ),
    Case(
        "communities-as-lines",
        lambda f: edit_communities(f, lambda c: c.set_geometry(c.boundary)),
        2,
        ("communities.gpkg", "LineString", "rows 1, 2"),
    ),
    Case(
        "empty-geometry",
        lambda f: edit_communities(
            f, lambda c: c.set_geometry([c.geometry.iloc[0], shapely.Polygon()], crs=c.crs)
        ),
        2,
        ("communities.gpkg", "empty or missing", "row 2"),
    ),
    Case(
        "polygon-not-repairable",
        _flat_polygon,
        2,
        ("communities.gpkg", "row 2", "cannot be repaired"),
    ),
    Case(
        "shapefile-without-crs",
        lambda f: _shapefile_communities(f, encoding="gbk", cpg=True, prj=False),
        2,
        ("社区.shp", "no CRS", "[layers.communities]"),
    ),
    Case(
        "gpkg-not-a-gpkg",
        _write("communities.gpkg", b"not a geopackage"),
        2,
        ("communities.gpkg", "cannot read it"),
    ),
    Case("facilities-as-lines", _facilities_as_lines, 2, ("设施.gpkg", "LineString", "row 1")),
    # population
    Case(
        "population-negative-cells",
        _population(np.where(np.eye(6) > 0, -1.0, 50.0)),
        2,
        ("population.tif", "negative population", "r0_c0"),
    ),
    Case(
        "population-raster-without-crs",
        _population(np.full((6, 6), 50.0), crs=None),
        2,
        ("population.tif", "no CRS", "[layers.population]"),
    ),
    # network
    Case(
        "network-of-another-place",
        _other_place,
        2,
        ("streets.geojson", "does not reach the communities"),
    ),
    Case(
        "network-of-another-place-run",
        _other_place,
        2,
        ("streets.geojson", "does not reach"),
        "run",
    ),
    Case(
        "network-fields-column-missing",
        _toml("cache = false", 'cache = false\nfields = { class = "等级" }'),
        2,
        ("streets.geojson", "class = '等级'", "道路等级"),
    ),
    Case(
        "network-unreadable",
        _write("streets.geojson", b"{ not json"),
        2,
        ("streets.geojson", "cannot read"),
    ),
    # warnings: check goes on, and so does run, listing each in issues.csv
    Case(
        "unknown-categories",
        _all(_set_fac(4, "类别", "日间照料"), _set_fac(6, "类别", "老年食堂")),
        0,
        (
            "facilities.csv（F03）",
            "“日间照料”（第 4 行）",
            "facilities.csv（F05）",
            "“老年食堂”（第 6 行）",
            "不参与分析",
        ),
    ),
    Case(
        "unknown-categories-run",
        _all(_set_fac(4, "类别", "日间照料"), _set_fac(6, "类别", "老年食堂")),
        0,
        (),
        "run",
        ("F03", "日间照料", "F05", "老年食堂"),
    ),
    Case(
        "station-without-floor-area",
        _set_fac(3, "建筑面积", ""),
        0,
        ("facilities.csv（F02）", "（第 3 行）没有建筑面积", "未提供"),
    ),
    Case(
        "station-without-floor-area-run",
        _set_fac(3, "建筑面积", ""),
        0,
        (),
        "run",
        ("F02", "没有建筑面积"),
    ),
    Case(
        "facility-far-from-network",
        _facility_at(20_000, 300),
        0,
        ("facilities.csv（F06）", "最近的道路在", "最大吸附距离 150 米"),
    ),
    Case(
        "facility-outside-communities",
        _facility_at(650, 300),
        0,
        ("facilities.csv（F06）", "（第 7 行）不在任何社区范围内"),
    ),
    Case(
        "facility-outside-communities-run",
        _facility_at(650, 300),
        0,
        (),
        "run",
        ("F06", "不在任何社区范围内"),
    ),
    Case(
        "duplicated-facility-row",
        lambda f: edit_facilities(
            f, lambda t: pd.concat([t, t.iloc[[2]].assign(编号="F03b")], ignore_index=True)
        ),
        0,
        ("facilities.csv（F03b）", "重复记录（第 7 行）", "F03（第 4 行）", "只计一次"),
    ),
    Case(
        "empty-households",
        _set_comm(2, "户数", None),
        0,
        ("communities.gpkg（2）", "未给出户数", "按户计算的指标"),
    ),
    Case("empty-households-run", _set_comm(2, "户数", None), 0, (), "run", ("未给出户数",)),
    Case("polygon-repaired", _bow_tie, 0, ("communities.gpkg（1）", "多边形无效", "已自动修复")),
    Case(
        "communities-overlap",
        _overlap,
        0,
        ("communities.gpkg（C02）", "与社区 C01（第 1 行）重叠", "33%"),
    ),
    Case("communities-overlap-run", _overlap, 0, (), "run", ("C02", "与社区 C01")),
    Case(
        "population-all-nodata",
        _population(np.full((6, 6), -9999.0)),
        0,
        ("population.tif：没有人口大于 0 的栅格或要素", "均匀分布"),
    ),
    Case(
        "population-all-nodata-run",
        _population(np.full((6, 6), -9999.0)),
        0,
        (),
        "run",
        ("population.tif：没有", "均匀分布"),
    ),
    Case(
        "exclude-class-misspelt",
        _all(_bureau_roads, _toml('"快速路"]', '"快速"]')),
        0,
        ("streets.geojson", "道路等级 = '快速'", "是否应为 '快速路'"),
    ),
    # the output folder
    Case(
        "out-is-a-file",
        _a_file_named_like_the_output,
        2,
        ("结果.txt", "is a file, not a folder"),
        "run",
        args=("--out", "{folder}/结果.txt"),
    ),
    Case(
        "out-not-writable",
        _nothing,
        2,
        ("out", "cannot write in this folder"),
        "run",
        fault=_no_write_access,
    ),
    Case(
        "results-open-in-qgis",
        _nothing,
        2,
        ("results.gpkg is open in another program (QGIS or ArcGIS?)", "close it", "no output"),
        "run",
        fault=_open_in_qgis,
    ),
    # files as planners have them: read as they are (the tiny project lacks most categories,
    # so check warns of those, as a run lists them in issues.csv)
    Case(
        "gbk-shapefile-without-cpg",
        lambda f: _shapefile_communities(f, encoding="gbk", cpg=False),
        0,
        ("输入可用",),
    ),
    Case(
        "shapefile-cpg-wrong-encoding-declared",
        _all(
            lambda f: _shapefile_communities(f, encoding="gbk", cpg=True),
            _write("社区.cpg", b"UTF-8"),
            _toml('path = "社区.shp"', 'path = "社区.shp"\nencoding = "gbk"'),
        ),
        0,
        ("输入可用",),
    ),
    Case("xlsx-title-and-merged-header", _xlsx_with_title, 0, ("输入可用",)),
    Case(
        "xlsx-header-row-given",
        _all(_xlsx_with_title, _toml('crs = "EPSG:4326"', 'crs = "EPSG:4326"\nheader_row = 3')),
        0,
        ("输入可用",),
    ),
    Case("tab-separated-gbk-csv", _tab_separated, 0, ("输入可用",)),
    Case("bureau-road-classes", _bureau_roads, 0, ("输入可用",)),
    Case("population-vector-without-fields", _population_vector, 0, ("输入可用",)),
]
