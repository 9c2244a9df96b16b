"""Reading a layer's file of any supported format into columns, geometries and row numbers.

:class:`LayerSpec` says where a layer is and how to read it. Vector files (GeoPackage, shapefile,
zipped shapefile, GeoJSON, GeoParquet) are read with pyogrio (GeoParquet with pyarrow); CSV and
XLSX tables (:mod:`lifecircle.geo.tabular`: every cell as text, the encodings Chinese offices use)
give points from two coordinate columns, named in ``fields`` or found among common names
(lon/lat, 经度/纬度, x/y). A file that cannot be read at all raises at once; problems in the
coordinate columns are collected for the validation gate (:mod:`lifecircle.geo.validate`) to
raise with the rest.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from lifecircle.dataissues import IssueLog
from lifecircle.errors import LayerError, ProjectError
from lifecircle.geo.crs import CRSDecl, parse_crs
from lifecircle.geo.dbf import shapefile_encoding
from lifecircle.geo.schemas import SCHEMAS
from lifecircle.geo.tabular import read_csv_text, read_xlsx_text
from lifecircle.geo.validate import (
    counted,
    find_column,
    format_rows,
    raise_problems,
    zero_coordinates_problem,
)

logger = logging.getLogger(__name__)

VECTOR_SUFFIXES = (".gpkg", ".shp", ".zip", ".geojson", ".json", ".parquet")
TABLE_SUFFIXES = (".csv", ".xlsx")
RASTER_SUFFIXES = (".tif", ".tiff")

X_DEFAULTS = ("lon", "lng", "long", "longitude", "经度", "x")
Y_DEFAULTS = ("lat", "latitude", "纬度", "y")


@dataclass(frozen=True)
class LayerSpec:
    """Where a layer is and how to read it (one ``[layers.X]`` table of the project file).

    Attributes
    ----------
    path
        The file, absolute (the project parser resolves it against the project file).
    fields
        Our column name → the user's column name, e.g. ``{"households": "户数"}``; a name not
        given is looked for as itself. For CSV/XLSX, ``x`` and ``y`` name the coordinate columns.
    crs
        Declared CRS: ``"gcj02"``, ``"bd09"`` or anything pyproj reads (``"EPSG:4490"``). It
        fills a missing CRS and overrides the file's.
    encoding
        Text encoding of a CSV or of a shapefile's attributes (its ``.dbf``): ``auto``
        (detected), ``utf-8``, ``utf-8-sig``, ``gbk`` or ``gb18030``.
    layer
        Layer name inside a GeoPackage (the first layer when None).
    sheet
        Sheet of an XLSX workbook (the first when None).
    header_row
        The row of a CSV or XLSX that holds the column names (1 = the first); None finds it
        below any title rows.
    """

    path: Path
    fields: Mapping[str, str] = field(default_factory=dict)
    crs: str | None = None
    encoding: str = "auto"
    layer: str | None = None
    sheet: str | None = None
    header_row: int | None = None


def declared_crs(spec: LayerSpec, kind: str) -> tuple[CRSDecl | None, str | None]:
    """Parse ``spec.crs``; return ``(decl, None)`` or ``(None, problem)`` when it is unknown."""
    if spec.crs is None:
        return None, None
    try:
        return parse_crs(spec.crs, where=f"{spec.path.name}: [layers.{kind}] crs"), None
    except ProjectError as exc:
        return None, str(exc)


def check_format(path: Path, kind: str) -> str:
    """Return the file's suffix, lower case, when it is a vector or table format.

    Raises
    ------
    LayerError
        When the file is missing, a raster (read as a population layer only) or of an
        unsupported format.
    """
    name = path.name
    suffix = path.suffix.lower()
    if not path.exists():
        raise_problems(path, kind, [f"{path}: file not found; check the path in [layers.{kind}]"])
    if suffix in RASTER_SUFFIXES:
        raise_problems(
            path,
            kind,
            [f"{name}: a raster is only read as a population layer (read_population)"],
        )
    if suffix not in VECTOR_SUFFIXES + TABLE_SUFFIXES:
        supported = ", ".join(
            [
                *VECTOR_SUFFIXES[:2],
                ".zip (zipped shapefile)",
                ".geojson",
                ".json",
                ".parquet (GeoParquet)",
                ".csv",
                ".xlsx",
                ".tif/.tiff (population only)",
            ]
        )
        raise_problems(
            path,
            kind,
            [f"{name}: unsupported format {suffix or '(no suffix)'}; use {supported}"],
        )
    return suffix


# --- tables ----------------------------------------------------------------------------------


def read_table(
    spec: LayerSpec, kind: str, problems: list[str]
) -> tuple[
    pd.DataFrame,
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.int64],
    tuple[str, str] | None,
]:
    """Read a CSV or XLSX table with coordinate columns; add the problems found to ``problems``.

    Returns
    -------
    frame, x, y, rows, xy
        The attribute columns (every cell as text, the coordinate columns taken out), the
        coordinates (NaN where missing or not a number, and everywhere when a column is not
        found), the spreadsheet row numbers (2 for the first data row under a header in row 1)
        and the (x, y) column names (None unless both were found). Coordinates (0, 0) are
        missing ones (an export that wrote 0 for an empty cell): reported, NaN.
    """
    name = spec.path.name
    schema = SCHEMAS[kind]
    expected = {*spec.fields.values(), *schema.required, *schema.optional, *X_DEFAULTS}
    expected |= {*Y_DEFAULTS, *(a for names in schema.aliases.values() for a in names)}
    if spec.path.suffix.lower() == ".csv":
        frame, used = read_csv_text(
            spec.path, encoding=spec.encoding, header_row=spec.header_row, expected=expected
        )
        logger.info("%s: encoding %s", name, used)
    else:
        frame = read_xlsx_text(
            spec.path, sheet=spec.sheet, header_row=spec.header_row, expected=expected
        )
    rows = np.asarray(frame.index, dtype=np.int64)
    frame = frame.reset_index(drop=True)
    columns = [str(c) for c in frame.columns]
    xy: list[str | None] = []
    for axis, defaults in (("x", X_DEFAULTS), ("y", Y_DEFAULTS)):
        if axis in spec.fields:
            found = find_column(columns, spec.fields[axis])
            looked = f"column {spec.fields[axis]!r} given in fields"
        else:
            found = next((c for d in defaults if (c := find_column(columns, d)) is not None), None)
            looked = "columns " + ", ".join(defaults)
        if found is None:
            problems.append(
                f"{name}: no {axis} coordinate column (looked for {looked}); the file "
                f"has columns: {', '.join(columns)}; name them with fields = "
                f'{{ x = "<longitude column>", y = "<latitude column>" }} in '
                f"[layers.{kind}]"
            )
        xy.append(found)
    x = np.full(len(frame), np.nan)
    y = np.full(len(frame), np.nan)
    if xy[0] is None or xy[1] is None:
        return frame, x, y, rows, None
    x_col, y_col = xy[0], xy[1]
    x = _parse_coordinate(frame[x_col], x_col, rows, name, problems)
    y = _parse_coordinate(frame[y_col], y_col, rows, name, problems)
    zero = (x == 0.0) & (y == 0.0)
    if zero.any():
        problems.append(zero_coordinates_problem(name, rows[zero]))
        x[zero] = y[zero] = np.nan
    frame = frame.drop(columns=[x_col, y_col])
    return frame, x, y, rows, (x_col, y_col)


def _parse_coordinate(
    values: pd.Series, column: str, rows: NDArray[np.int64], name: str, problems: list[str]
) -> NDArray[np.float64]:
    number = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
    parsed = np.asarray(number.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    bad = ~np.isfinite(parsed)
    if bad.any():
        problems.append(
            f"{name}: column '{column}' has {counted(bad, 'empty or non-numeric coordinate')} "
            f"({format_rows(rows[bad])}); every row needs decimal degrees (e.g. 107.9)"
        )
    return parsed


# --- vector files ----------------------------------------------------------------------------


def read_vector(
    spec: LayerSpec, kind: str, issues: IssueLog
) -> tuple[pd.DataFrame, gpd.GeoSeries, NDArray[np.int64], CRS | None]:
    """Read a vector file.

    Returns
    -------
    frame, geometry, rows, file_crs
        The attribute columns, the geometries made 2D, the feature numbers (from 1) and the
        file's CRS (None when it has none).
    """
    gdf = _read_vector_file(spec, kind, issues)
    rows = np.arange(1, len(gdf) + 1, dtype=np.int64)
    geometry = gpd.GeoSeries(shapely.force_2d(np.asarray(gdf.geometry.values, dtype=object)))
    file_crs: CRS | None = gdf.crs
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    frame.columns = [str(c) for c in frame.columns]
    return frame, geometry, rows, file_crs


def _read_vector_file(spec: LayerSpec, kind: str, issues: IssueLog) -> gpd.GeoDataFrame:
    path = spec.path
    name = path.name
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if path.suffix.lower() == ".parquet":
                gdf = _read_geoparquet(path)
            else:
                layer = spec.layer
                if layer is None and path.suffix.lower() == ".gpkg":
                    layer = _first_layer(path, kind, issues)
                encoding = shapefile_encoding(path, spec.encoding)
                if encoding is not None:
                    logger.info("%s: attribute text read as %s", name, encoding)
                gdf = gpd.read_file(path, layer=layer, engine="pyogrio", encoding=encoding)
        for w in caught:
            logger.info("%s: %s", name, w.message)
    except LayerError:
        raise
    except Exception as exc:  # pyogrio/pyarrow raise many kinds on unreadable input
        hint = ""
        if path.suffix.lower() == ".parquet":
            hint = " (a .parquet layer must be GeoParquet, with geometry metadata)"
        raise_problems(path, kind, [f"{name}: cannot read it{hint}: {exc}"])
        raise AssertionError("unreachable") from exc
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
        raise_problems(path, kind, [f"{name}: the layer has no geometry column"])
    return gdf


def _first_layer(path: Path, kind: str, issues: IssueLog) -> str | None:
    import pyogrio

    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception:  # an unreadable file is reported by read_file
        return None
    if len(layers) > 1:
        issues.add(
            kind,
            "",
            "file_many_layers",
            file=path.name,
            count=len(layers),
            layers=", ".join(layers),
        )
    return layers[0] if layers else None


def _read_geoparquet(path: Path) -> gpd.GeoDataFrame:
    """Read a GeoParquet file; GeoParquet needs the optional package pyarrow."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise LayerError(
            f"{path.name}: reading GeoParquet needs the package pyarrow (pip install pyarrow); "
            "or export the layer as GeoPackage (.gpkg)",
            [
                f"{path.name}: reading GeoParquet needs the package pyarrow (pip install "
                "pyarrow); or export the layer as GeoPackage (.gpkg)"
            ],
        ) from None
    return gpd.read_parquet(path)
