"""A tiny project: two communities on a 600 m street grid, built by hand for the tests.

:func:`build_tiny` writes the project: road lines (GeoJSON, UTM 48N), two community polygons
(GPKG, lon/lat), a facilities CSV (UTF-8, lon/lat), a population GeoTIFF of 50 people per
100 m cell, and ``project.toml``. Everything lies in local metres from an origin near
107.9°E 31.1°N, so that each case can say where a thing is by hand: community C01 is
x 0–300 m, C02 x 300–600 m, both y 0–600 m; streets every 100 m; 18 cells of 50 people in each.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer

UTM48 = "EPSG:32648"
_TO_UTM = Transformer.from_crs("EPSG:4326", UTM48, always_xy=True)
_TO_LL = Transformer.from_crs(UTM48, "EPSG:4326", always_xy=True)
X0, Y0 = (round(v, -2) for v in _TO_UTM.transform(107.9, 31.1))

FAC_COLUMNS = ["编号", "名称", "类别", "建筑面积", "所属社区", "经度", "纬度"]
#: id, name, category, floor area m², community, x m, y m (local).
FACILITIES = [
    ("F01", "文庙社区综合服务站", "社区综合服务站", "900", "C01", 150, 300),
    ("F02", "北门社区综合服务站", "社区综合服务站", "700", "C02", 450, 300),
    ("F03", "文庙幼儿园", "幼儿园", "1200", "", 150, 150),
    ("F04", "北门日间照料中心", "老年人日间照料中心", "400", "", 450, 450),
    ("F05", "惠民超市", "综合超市", "300", "", 250, 100),
]

COMMUNITY_FIELDS = (
    'fields = { id = "社区代码", name = "社区名称", households = "户数", population = "人口", '
    'kind = "类型" }'
)
FACILITY_FIELDS = (
    'fields = { id = "编号", name = "名称", category = "类别", floor_area_m2 = "建筑面积", '
    'community_id = "所属社区", x = "经度", y = "纬度" }'
)
PROJECT_TOML = f"""[project]
name = "小县城"
profile = "cn-national"
lang = "zh"
output = "out"

[network]
path = "streets.geojson"
max_snap_m = 150
cache = false

[layers.communities]
path = "communities.gpkg"
{COMMUNITY_FIELDS}

[layers.facilities]
path = "facilities.csv"
{FACILITY_FIELDS}
crs = "EPSG:4326"

[layers.population]
path = "population.tif"

[siting]
category = "elderly_day_care"
new_sites = 1
"""


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Lon/lat (WGS84) of a point given in local metres."""
    lon, lat = _TO_LL.transform(X0 + x, Y0 + y)
    return round(float(lon), 7), round(float(lat), 7)


def box_ll(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A lon/lat polygon of a local-metre rectangle (corners densified to stay straight)."""
    xs = np.concatenate([np.linspace(x0, x1, 7), np.full(7, x1), np.linspace(x1, x0, 7)])
    ys = np.concatenate([np.full(7, y0), np.linspace(y0, y1, 7), np.full(7, y1)])
    xs = np.concatenate([xs, np.full(7, x0)])
    ys = np.concatenate([ys, np.linspace(y1, y0, 7)])
    return shapely.Polygon([lonlat(x, y) for x, y in zip(xs, ys, strict=True)])


def communities_frame() -> gpd.GeoDataFrame:
    """The two communities (lon/lat), with Chinese column names."""
    return gpd.GeoDataFrame(
        {
            "社区代码": ["C01", "C02"],
            "社区名称": ["文庙社区", "北门社区"],
            "户数": [300, 300],
            "人口": [900, 900],
            "类型": ["城市社区", "城市社区"],
        },
        geometry=[box_ll(0, 0, 300, 600), box_ll(300, 0, 600, 600)],
        crs="EPSG:4326",
    )


def facilities_frame() -> pd.DataFrame:
    """The facilities table as the CSV holds it (every cell text)."""
    rows = []
    for fid, name, cat, area, comm, x, y in FACILITIES:
        lon, lat = lonlat(x, y)
        rows.append([fid, name, cat, area, comm, f"{lon:.7f}", f"{lat:.7f}"])
    return pd.DataFrame(rows, columns=FAC_COLUMNS)


def write_facilities(folder: Path, frame: pd.DataFrame, name: str = "facilities.csv") -> None:
    frame.to_csv(folder / name, index=False, encoding="utf-8")


def streets_frame(shift_m: float = 0.0) -> gpd.GeoDataFrame:
    """Road lines every 100 m over 0–600 m both ways (UTM 48N), moved ``shift_m`` east."""
    lines = [
        shapely.LineString([(X0 + shift_m + v, Y0), (X0 + shift_m + v, Y0 + 600)])
        for v in range(0, 601, 100)
    ] + [
        shapely.LineString([(X0 + shift_m, Y0 + v), (X0 + shift_m + 600, Y0 + v)])
        for v in range(0, 601, 100)
    ]
    return gpd.GeoDataFrame(
        {"道路等级": ["支路"] * len(lines), "道路名称": [f"路{k}" for k in range(len(lines))]},
        geometry=lines,
        crs=UTM48,
    )


def write_population(path: Path, values: np.ndarray, *, crs: str | None = UTM48) -> None:
    """A GeoTIFF of 100 m cells whose top-left corner is the local (0, 600)."""
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
        transform=Affine(100.0, 0.0, X0, 0.0, -100.0, Y0 + 600),
        nodata=-9999.0,
    ) as dst:
        dst.write(values, 1)


def build_tiny(folder: Path) -> Path:
    """Write the tiny project into ``folder``; return its project file."""
    folder.mkdir(parents=True, exist_ok=True)
    streets_frame().to_file(folder / "streets.geojson", driver="GeoJSON")
    communities_frame().to_file(folder / "communities.gpkg", driver="GPKG")
    write_facilities(folder, facilities_frame())
    write_population(folder / "population.tif", np.full((6, 6), 50.0))
    (folder / "project.toml").write_text(PROJECT_TOML, encoding="utf-8")
    return folder / "project.toml"


def edit_toml(folder: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) by ``new`` in project.toml."""
    path = folder / "project.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_facilities(folder: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Rewrite facilities.csv with ``change`` applied to its table."""
    frame = pd.read_csv(folder / "facilities.csv", dtype=str, keep_default_na=False)
    write_facilities(folder, change(frame))


def edit_communities(folder: Path, change: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]) -> None:
    """Rewrite communities.gpkg with ``change`` applied to it."""
    frame = gpd.read_file(folder / "communities.gpkg")
    change(frame).to_file(folder / "communities.gpkg", driver="GPKG")
