"""Reading and validating the user's layers: the one validation gate.

Every layer is checked once, here, where it is read. All problems of a layer are collected and
raised together as one :class:`~lifecircle.errors.LayerError` whose message lists them one per
line, each naming the file, the column, the rows and the fix, e.g.::

    communities.gpkg: column 'households' has 3 negative values (rows 4, 9, 12); households
    must be ≥ 0

Problems that can be worked around (an invalid polygon repaired, a facility polygon replaced by
a point inside it) are recorded in the :class:`~lifecircle.dataissues.IssueLog` instead.

Row numbers
-----------
Rows are counted the way the user counts them: for vector files the feature number, starting
at 1 (the order of QGIS's attribute table); for CSV and XLSX the spreadsheet row, so the first
data row is row 2 because row 1 is the header. The returned frame keeps it in column ``row``.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from lifecircle.dataissues import IssueLog
from lifecircle.errors import LayerError, ProjectError
from lifecircle.geo.crs import (
    WGS84,
    CRSDecl,
    crs_label,
    geometry_to_wgs84,
    is_geographic,
    parse_crs,
)
from lifecircle.geo.tabular import read_csv_text, read_xlsx_text

logger = logging.getLogger(__name__)

LayerKind = Literal["communities", "facilities", "population", "candidates", "compounds", "gates"]
LAYER_KINDS: tuple[str, ...] = get_args(LayerKind)

VECTOR_SUFFIXES = (".gpkg", ".shp", ".zip", ".geojson", ".json", ".parquet")
TABLE_SUFFIXES = (".csv", ".xlsx")
RASTER_SUFFIXES = (".tif", ".tiff")

COMMUNITY_KINDS = ("urban", "town", "rural")
_KIND_ALIASES = {
    "urban": "urban",
    "城市社区": "urban",
    "社区": "urban",
    "城市": "urban",
    "城镇社区": "urban",
    "town": "town",
    "镇": "town",
    "集镇": "town",
    "集镇社区": "town",
    "rural": "rural",
    "村": "rural",
    "农村": "rural",
    "行政村": "rural",
}

X_DEFAULTS = ("lon", "lng", "long", "longitude", "经度", "x")
Y_DEFAULTS = ("lat", "latitude", "纬度", "y")

_MAX_ROWS_SHOWN = 10


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
        CSV text encoding: ``auto`` (detected), ``utf-8``, ``utf-8-sig``, ``gbk`` or ``gb18030``.
    layer
        Layer name inside a GeoPackage (the first layer when None).
    sheet
        Sheet of an XLSX workbook (the first when None).
    """

    path: Path
    fields: Mapping[str, str] = field(default_factory=dict)
    crs: str | None = None
    encoding: str = "auto"
    layer: str | None = None
    sheet: str | None = None


# --- schemas ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Number:
    """A numeric column's valid range: ``> minimum`` when strict, else ``≥ minimum``."""

    minimum: float = 0.0
    strict: bool = False
    integer: bool = False


@dataclass(frozen=True)
class _Schema:
    geometry: tuple[str, ...]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    numbers: Mapping[str, _Number]
    id_from_row: bool


_POLYGONS = ("Polygon", "MultiPolygon")
_POINTS = ("Point", "MultiPoint")

SCHEMAS: dict[str, _Schema] = {
    "communities": _Schema(
        geometry=_POLYGONS,
        required=("id", "name", "households"),
        optional=(
            "kind",
            "population",
            "street",
            "workers",
            "social_orgs",
            "volunteers",
            "activity_floor_area_m2",
        ),
        numbers={
            "households": _Number(integer=True),
            "population": _Number(),
            "workers": _Number(integer=True),
            "social_orgs": _Number(integer=True),
            "volunteers": _Number(integer=True),
            "activity_floor_area_m2": _Number(),
        },
        id_from_row=False,
    ),
    "facilities": _Schema(
        geometry=_POINTS + _POLYGONS,
        required=("name", "category"),
        optional=("id", "floor_area_m2", "community_id", "capacity"),
        numbers={"floor_area_m2": _Number(strict=True), "capacity": _Number()},
        id_from_row=True,
    ),
    "population": _Schema(
        geometry=_POINTS + _POLYGONS,
        required=(),
        optional=("id", "value", "households"),
        numbers={"value": _Number(), "households": _Number()},
        id_from_row=True,
    ),
    "candidates": _Schema(
        geometry=_POINTS + _POLYGONS,
        required=(),
        optional=("id", "name", "max_floor_area_m2"),
        numbers={"max_floor_area_m2": _Number(strict=True)},
        id_from_row=True,
    ),
    "compounds": _Schema(
        geometry=_POLYGONS, required=("id",), optional=(), numbers={}, id_from_row=False
    ),
    "gates": _Schema(
        geometry=_POINTS,
        required=("id", "compound_id"),
        optional=(),
        numbers={},
        id_from_row=False,
    ),
}

_EXPECTED_GEOMETRY = {
    "communities": "Polygon or MultiPolygon",
    "facilities": "Point (or Polygon, replaced by a point inside it)",
    "population": "Point, Polygon or MultiPolygon",
    "candidates": "Point, Polygon or MultiPolygon",
    "compounds": "Polygon or MultiPolygon",
    "gates": "Point",
}


# --- public entry point ----------------------------------------------------------------------


def read_layer(spec: LayerSpec, *, kind: LayerKind, issues: IssueLog) -> gpd.GeoDataFrame:
    """Read one layer, validate it and return it in WGS84 with our column names.

    Parameters
    ----------
    spec
        The file and how to read it.
    kind
        Which layer it is: ``communities``, ``facilities``, ``population``, ``candidates``,
        ``compounds`` or ``gates``; it decides the required columns, numeric ranges and geometry.
    issues
        Problems that were worked around (invalid polygons repaired, polygons replaced by
        points, missing names) are added here.

    Returns
    -------
    geopandas.GeoDataFrame
        In EPSG:4326 (WGS84 lon/lat), index ``0..n-1``, with column ``row`` (the user's row
        number, see the module docstring), every column of the kind's schema under our name
        (numbers as float64 with NaN where empty, text as str or None), the file's other columns
        unchanged, and ``geometry``. ``id`` is text; where the kind allows it to be absent it is
        the row number. Facilities are points; community ``kind`` is normalised to
        urban / town / rural.

    Raises
    ------
    LayerError
        Listing every problem found, one per line: missing file, unsupported format, no or
        unknown CRS, missing columns, wrong or empty geometries, duplicate or empty ids,
        non-numeric or out-of-range values, swapped or out-of-range lon/lat.

    Examples
    --------
    >>> spec = LayerSpec(Path("/data/facilities.csv"), fields={"x": "经度", "y": "纬度"},
    ...                  crs="gcj02")                                    # doctest: +SKIP
    >>> facilities = read_layer(spec, kind="facilities", issues=IssueLog())  # doctest: +SKIP
    """
    if kind not in SCHEMAS:
        raise ValueError(f"unknown layer kind {kind!r}; valid: {', '.join(LAYER_KINDS)}")
    return _LayerReader(spec, kind, issues).read()


# --- shared with population.py -------------------------------------------------------------


def format_rows(rows: Sequence[int] | NDArray[np.int64]) -> str:
    """Return ``"row 4"``, ``"rows 4, 9, 12"`` or the first ten rows ``"… and N more"``."""
    values = [int(r) for r in rows]
    if len(values) == 1:
        return f"row {values[0]}"
    shown = ", ".join(str(r) for r in values[:_MAX_ROWS_SHOWN])
    more = len(values) - _MAX_ROWS_SHOWN
    return f"rows {shown}" + (f" and {more} more" if more > 0 else "")


def raise_problems(path: Path, kind: str, problems: Sequence[str]) -> None:
    """Raise one :class:`LayerError` listing ``problems`` (does nothing when there are none)."""
    if not problems:
        return
    n = len(problems)
    header = f"{path.name}: {n} problem{'s' if n > 1 else ''} in the {kind} layer:"
    raise LayerError(header + "\n" + "\n".join(f"- {p}" for p in problems), list(problems))


def declared_crs(spec: LayerSpec, kind: str) -> tuple[CRSDecl | None, str | None]:
    """Parse ``spec.crs``; return ``(decl, None)`` or ``(None, problem)`` when it is unknown."""
    if spec.crs is None:
        return None, None
    try:
        return parse_crs(spec.crs, where=f"{spec.path.name}: [layers.{kind}] crs"), None
    except ProjectError as exc:
        return None, str(exc)


def no_crs_problem(path: Path, kind: str) -> str:
    """The problem text for a layer without a CRS."""
    return (
        f'{path.name}: has no CRS; add crs = "EPSG:4490" (or "EPSG:4326", "gcj02", "bd09", '
        f"or the projected CRS it uses) to [layers.{kind}]"
    )


def check_coordinates(
    name: str,
    kind: str,
    bounds: NDArray[np.float64],
    rows: NDArray[np.int64],
    *,
    geographic: bool,
    crs_text: str,
    columns: tuple[str, str] | None = None,
) -> list[str]:
    """Find out-of-range, swapped or degree-looking coordinates.

    Parameters
    ----------
    name
        The file name, for messages.
    kind
        The layer kind, for messages.
    bounds
        ``(n, 4)`` array of xmin, ymin, xmax, ymax per feature, in the layer's own CRS.
    rows
        The user's row number of each feature.
    geographic
        True when the coordinates should be lon/lat degrees (geographic CRS, GCJ-02, BD-09, or
        a table's lon/lat columns).
    crs_text
        The CRS, for messages.
    columns
        For a table, the (x, y) column names, so the fix can say which to swap.

    Returns
    -------
    list of str
        The problems found (empty when the coordinates look right).
    """
    problems: list[str] = []
    if len(bounds) == 0:
        return problems
    xmin, ymin, xmax, ymax = bounds.T
    if geographic:
        cx = (xmin + xmax) / 2.0
        cy = (ymin + ymax) / 2.0
        swapped = (cx >= 3.0) & (cx <= 54.0) & (cy >= 73.0) & (cy <= 136.0)
        outside = (xmin < -180.0) | (xmax > 180.0) | (ymin < -90.0) | (ymax > 90.0)
        if swapped.any():
            if swapped.sum() * 2 > len(swapped):
                if columns is not None:
                    fix = f'swap x and y in fields: x = "{columns[1]}", y = "{columns[0]}"'
                else:
                    fix = "export the layer with longitude as x and latitude as y"
                problems.append(
                    f"{name}: lon/lat look swapped in {format_rows(rows[swapped])}: x lies in "
                    f"3–54 (a latitude in China) and y in 73–136 (a longitude); {fix}"
                )
            else:
                problems.append(
                    f"{name}: x and y look swapped in {format_rows(rows[swapped])} (x looks like "
                    "a latitude, y like a longitude); swap the two values in those rows"
                )
        outside &= ~swapped
        if outside.any():
            problems.append(
                f"{name}: coordinates out of lon/lat range (|lon| > 180 or |lat| > 90) in "
                f"{format_rows(rows[outside])} for CRS {crs_text}; if the layer is projected "
                f'(metres), declare its CRS in [layers.{kind}], e.g. crs = "EPSG:4547"'
            )
    else:
        finite = np.isfinite(bounds).all(axis=1)
        if finite.any():
            b = bounds[finite]
            if (np.abs(b[:, [0, 2]]) <= 180.0).all() and (np.abs(b[:, [1, 3]]) <= 90.0).all():
                problems.append(
                    f"{name}: coordinates look like degrees (every |x| ≤ 180 and |y| ≤ 90) but "
                    f'the CRS {crs_text} is projected (metres); declare crs = "EPSG:4326" '
                    f'(or "EPSG:4490", "gcj02", "bd09") in [layers.{kind}]'
                )
    return problems


# --- the reader ------------------------------------------------------------------------------


class _LayerReader:
    """Reads one layer; collects problems in ``self.problems`` and raises them together."""

    def __init__(self, spec: LayerSpec, kind: str, issues: IssueLog) -> None:
        self.spec = spec
        self.kind = kind
        self.schema = SCHEMAS[kind]
        self.issues = issues
        self.name = spec.path.name
        self.problems: list[str] = []
        self.source_columns: dict[str, str] = {}  # our name -> the user's column

    # .. entry ..

    def read(self) -> gpd.GeoDataFrame:
        path = self.spec.path
        suffix = path.suffix.lower()
        if not path.exists():
            raise_problems(
                path, self.kind, [f"{path}: file not found; check the path in [layers.{self.kind}]"]
            )
        if suffix in RASTER_SUFFIXES:
            raise_problems(
                path,
                self.kind,
                [f"{self.name}: a raster is only read as a population layer (read_population)"],
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
                self.kind,
                [f"{self.name}: unsupported format {suffix or '(no suffix)'}; use {supported}"],
            )
        self._check_field_keys(table=suffix in TABLE_SUFFIXES)
        decl, crs_problem = declared_crs(self.spec, self.kind)
        if crs_problem:
            self.problems.append(crs_problem)
        if suffix in TABLE_SUFFIXES:
            frame, geometry, rows, decl = self._read_table(suffix, decl, crs_problem is not None)
        else:
            frame, geometry, rows, decl = self._read_vector(decl, crs_problem is not None)
        out = self._columns(frame, rows)
        raise_problems(path, self.kind, self.problems)
        assert decl is not None
        wgs = geometry_to_wgs84(geometry, decl)
        wgs = self._finish_geometry(wgs, out)
        result = gpd.GeoDataFrame(out, geometry=wgs.values, crs=WGS84)
        result.index = pd.RangeIndex(len(result))
        logger.info("read %s (%s): %d features", self.name, self.kind, len(result))
        return result

    # .. fields ..

    def _check_field_keys(self, *, table: bool) -> None:
        valid = [*self.schema.required, *self.schema.optional]
        if table:
            valid += ["x", "y"]
        unknown = [k for k in self.spec.fields if k not in valid]
        for key in unknown:
            self.problems.append(
                f"{self.name}: fields key {key!r} is not a {self.kind} field; valid keys: "
                + ", ".join(valid)
            )

    def _find_column(self, columns: Sequence[str], wanted: str) -> str | None:
        if wanted in columns:
            return wanted
        folded = wanted.strip().casefold()
        for c in columns:
            if c.strip().casefold() == folded:
                return c
        return None

    def _label(self, ours: str) -> str:
        theirs = self.source_columns.get(ours, ours)
        return f"'{theirs}'" if theirs == ours else f"'{theirs}' ({ours})"

    # .. tables ..

    def _read_table(
        self, suffix: str, decl: CRSDecl | None, crs_bad: bool
    ) -> tuple[pd.DataFrame, gpd.GeoSeries, NDArray[np.int64], CRSDecl | None]:
        if suffix == ".csv":
            frame, used = read_csv_text(self.spec.path, encoding=self.spec.encoding)
            logger.info("%s: encoding %s", self.name, used)
        else:
            frame = read_xlsx_text(self.spec.path, sheet=self.spec.sheet)
        rows = np.arange(2, len(frame) + 2, dtype=np.int64)
        columns = [str(c) for c in frame.columns]
        xy: list[str | None] = []
        for axis, defaults in (("x", X_DEFAULTS), ("y", Y_DEFAULTS)):
            if axis in self.spec.fields:
                found = self._find_column(columns, self.spec.fields[axis])
                looked = f"column {self.spec.fields[axis]!r} given in fields"
            else:
                found = next(
                    (c for d in defaults if (c := self._find_column(columns, d)) is not None), None
                )
                looked = "columns " + ", ".join(defaults)
            if found is None:
                self.problems.append(
                    f"{self.name}: no {axis} coordinate column (looked for {looked}); the file "
                    f"has columns: {', '.join(columns)}; name them with fields = "
                    f'{{ x = "<longitude column>", y = "<latitude column>" }} in '
                    f"[layers.{self.kind}]"
                )
            xy.append(found)
        x = np.full(len(frame), np.nan)
        y = np.full(len(frame), np.nan)
        if xy[0] is not None and xy[1] is not None:
            x_col, y_col = xy[0], xy[1]
            x = self._parse_coordinate(frame[x_col], x_col)
            y = self._parse_coordinate(frame[y_col], y_col)
            bad = ~(np.isfinite(x) & np.isfinite(y))
            good = ~bad
            bounds = np.column_stack([x, y, x, y])[good]
            geographic = decl is None or is_geographic(decl)
            crs_text = crs_label(decl) if decl is not None else "lon/lat"
            self.problems += check_coordinates(
                self.name,
                self.kind,
                bounds,
                rows[good],
                geographic=geographic,
                crs_text=crs_text,
                columns=(x_col, y_col),
            )
            frame = frame.drop(columns=[x_col, y_col])
        if decl is None and not crs_bad:
            self.problems.append(no_crs_problem(self.spec.path, self.kind))
        geometry = gpd.GeoSeries(gpd.points_from_xy(x, y))
        return frame, geometry, rows, decl

    def _parse_coordinate(self, values: pd.Series, column: str) -> NDArray[np.float64]:
        number = pd.to_numeric(
            values.str.strip() if values.dtype == object else values, errors="coerce"
        )
        parsed = np.asarray(number, dtype=float)
        bad = ~np.isfinite(parsed)
        if bad.any():
            rows = np.arange(2, len(values) + 2)[bad]
            self.problems.append(
                f"{self.name}: column '{column}' has {_n(bad, 'empty or non-numeric coordinate')} "
                f"({format_rows(rows)}); every row needs decimal degrees (e.g. 107.9)"
            )
        return parsed

    # .. vector files ..

    def _read_vector(
        self, decl: CRSDecl | None, crs_bad: bool
    ) -> tuple[pd.DataFrame, gpd.GeoSeries, NDArray[np.int64], CRSDecl | None]:
        path = self.spec.path
        gdf = self._read_vector_file(path)
        rows = np.arange(1, len(gdf) + 1, dtype=np.int64)
        geometry = gpd.GeoSeries(shapely.force_2d(np.asarray(gdf.geometry.values, dtype=object)))
        file_crs: CRS | None = gdf.crs
        if decl is None and not crs_bad:
            if file_crs is None:
                self.problems.append(no_crs_problem(path, self.kind))
            else:
                decl = CRS.from_user_input(file_crs)
        elif decl is not None and file_crs is not None:
            if isinstance(decl, str) and not file_crs.is_geographic:
                self.problems.append(
                    f"{self.name}: crs = {decl!r} is declared but the file's CRS "
                    f"{crs_label(CRS.from_user_input(file_crs))} is projected; {decl} is for "
                    "lon/lat layers: remove the declaration or export the layer as lon/lat"
                )
            elif isinstance(decl, CRS) and not decl.equals(file_crs):
                self.issues.add(
                    self.kind,
                    "",
                    f"file CRS {crs_label(CRS.from_user_input(file_crs))} overridden by the "
                    f"declared {crs_label(decl)}",
                    "used the declared CRS",
                )
        geometry = self._check_geometry(geometry, rows)
        if decl is not None:
            present = ~(geometry.isna() | geometry.is_empty).to_numpy()
            bounds = shapely.bounds(np.asarray(geometry.values[present], dtype=object))
            self.problems += check_coordinates(
                self.name,
                self.kind,
                np.asarray(bounds, dtype=float),
                rows[present],
                geographic=is_geographic(decl),
                crs_text=crs_label(decl),
            )
        frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        frame.columns = [str(c) for c in frame.columns]
        return frame, geometry, rows, decl

    def _read_vector_file(self, path: Path) -> gpd.GeoDataFrame:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                if path.suffix.lower() == ".parquet":
                    gdf = _read_geoparquet(path)
                else:
                    layer = self.spec.layer
                    if layer is None and path.suffix.lower() == ".gpkg":
                        layer = self._first_layer(path)
                    gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
            for w in caught:
                logger.info("%s: %s", self.name, w.message)
        except LayerError:
            raise
        except Exception as exc:  # pyogrio/pyarrow raise many kinds on unreadable input
            hint = ""
            if path.suffix.lower() == ".parquet":
                hint = " (a .parquet layer must be GeoParquet, with geometry metadata)"
            raise_problems(path, self.kind, [f"{self.name}: cannot read it{hint}: {exc}"])
            raise AssertionError("unreachable") from exc
        if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry is None:
            raise_problems(path, self.kind, [f"{self.name}: the layer has no geometry column"])
        return gdf

    def _first_layer(self, path: Path) -> str | None:
        import pyogrio

        try:
            layers = [str(row[0]) for row in pyogrio.list_layers(path)]
        except Exception:  # an unreadable file is reported by read_file
            return None
        if len(layers) > 1:
            self.issues.add(
                self.kind,
                "",
                f"{self.name} has {len(layers)} layers ({', '.join(layers)}); read the first",
                'set layer = "<name>" to choose another',
            )
        return layers[0] if layers else None

    def _check_geometry(self, geometry: gpd.GeoSeries, rows: NDArray[np.int64]) -> gpd.GeoSeries:
        values = np.asarray(geometry.values, dtype=object)
        missing = shapely.is_missing(values) | shapely.is_empty(values)
        if missing.any():
            what = _n(missing, "empty or missing geometry", "empty or missing geometries")
            self.problems.append(
                f"{self.name}: {what} "
                f"({format_rows(rows[missing])}); draw them or delete those rows"
            )
        types = np.array([g.geom_type if g is not None else "" for g in values], dtype=object)
        wrong = ~missing & ~np.isin(types, self.schema.geometry)
        if wrong.any():
            found = sorted(set(types[wrong]))
            self.problems.append(
                f"{self.name}: {_n(wrong, 'geometry is', 'geometries are')} {' / '.join(found)} "
                f"({format_rows(rows[wrong])}); {self.kind} must be {_EXPECTED_GEOMETRY[self.kind]}"
            )
        multi_point = ~missing & (types == "MultiPoint")
        if multi_point.any():
            n_parts = shapely.get_num_geometries(values[multi_point])
            many = multi_point.copy()
            many[multi_point] = n_parts > 1
            if many.any():
                what = _n(many, "MultiPoint geometry", "MultiPoint geometries")
                self.problems.append(
                    f"{self.name}: {what} with several points "
                    f"({format_rows(rows[many])}); split them into one point per feature"
                )
            single = multi_point & ~many
            values[single] = shapely.get_geometry(values[single], 0)
        polygonal = ~missing & np.isin(types, _POLYGONS)
        invalid = polygonal & ~shapely.is_valid(values)
        for i in np.flatnonzero(invalid):
            reason = shapely.is_valid_reason(values[i])
            repaired = _polygonal_part(shapely.make_valid(values[i]))
            if repaired is None:
                self.problems.append(
                    f"{self.name}: invalid polygon in {format_rows([rows[i]])} ({reason}) "
                    "cannot be repaired; redraw it"
                )
                continue
            values[i] = repaired
            self.issues.add(
                self.kind, rows[i], f"invalid polygon ({reason})", "repaired (shapely.make_valid)"
            )
        if invalid.any():
            logger.info("%s: %d invalid polygons repaired", self.name, int(invalid.sum()))
        return gpd.GeoSeries(values, index=geometry.index)

    # .. attribute columns ..

    def _columns(self, frame: pd.DataFrame, rows: NDArray[np.int64]) -> pd.DataFrame:
        columns = [str(c) for c in frame.columns]
        ours = [*self.schema.required, *self.schema.optional]
        found: dict[str, str] = {}
        for name in ours:
            wanted = self.spec.fields.get(name, name)
            column = self._find_column(columns, wanted)
            if column is None and name == "value" and "value" not in self.spec.fields:
                column = self._find_column(columns, "population")
            if column is not None:
                found[name] = column
                self.source_columns[name] = column
            elif name in self.schema.required:
                if name in self.spec.fields:
                    looked = f"column {wanted!r} given in fields"
                    fix = f"correct fields.{name}"
                else:
                    looked = f"column {name!r}"
                    fix = f'map it with fields = {{ {name} = "<column>" }} in [layers.{self.kind}]'
                self.problems.append(
                    f"{self.name}: required column {name!r} not found (looked for {looked}); "
                    f"the file has columns: {', '.join(columns) or '(none)'}; {fix}"
                )
            elif name in self.spec.fields:
                self.problems.append(
                    f"{self.name}: column {wanted!r} given in fields.{name} not found; "
                    f"the file has columns: {', '.join(columns) or '(none)'}; correct "
                    f"fields.{name} or remove it from [layers.{self.kind}] fields"
                )
        out = pd.DataFrame({"row": rows})
        for name in sorted(ours, key=lambda n: n != "id"):
            column = found.get(name)
            raw = frame[column] if column is not None else pd.Series([None] * len(frame))
            raw = raw.reset_index(drop=True)
            if name in self.schema.numbers:
                out[name] = self._numbers(name, raw, rows, present=column is not None)
            elif name == "id" or name.endswith("_id"):
                out[name] = self._ids(name, raw, rows, present=column is not None)
            else:
                out[name] = self._text(name, raw, rows, present=column is not None)
        used = set(found.values())
        for column in columns:
            if column not in used and column not in out.columns:
                out[column] = frame[column].reset_index(drop=True)
        return out

    def _numbers(
        self, name: str, raw: pd.Series, rows: NDArray[np.int64], *, present: bool
    ) -> pd.Series:
        if not present:
            return pd.Series(np.full(len(raw), np.nan), dtype="float64")
        label = self._label(name)
        text = raw.astype("string").str.strip().str.replace(",", "", regex=False)
        text = text.mask(text == "")
        number = pd.to_numeric(text, errors="coerce").astype("float64")
        bad = (text.notna() & number.isna()).to_numpy()
        if bad.any():
            samples = ", ".join(repr(str(v)) for v in raw[bad].head(3))
            self.problems.append(
                f"{self.name}: column {label} has {_n(bad, 'non-numeric value')} "
                f"({format_rows(rows[bad])}: {samples}); write plain numbers without units"
            )
        rule = self.schema.numbers[name]
        values = number.to_numpy()
        given = np.isfinite(values)
        if rule.strict:
            low = given & (values <= rule.minimum)
            what, must = f"value ≤ {rule.minimum:g}", f"> {rule.minimum:g}"
        else:
            low = given & (values < rule.minimum)
            what, must = "negative value", f"≥ {rule.minimum:g}"
        if low.any():
            empty_hint = " (leave the cell empty when unknown)" if rule.strict else ""
            self.problems.append(
                f"{self.name}: column {label} has {_n(low, what)} "
                f"({format_rows(rows[low])}); {name} must be {must}{empty_hint}"
            )
        if rule.integer:
            fractional = given & ~low & (values != np.round(values))
            if fractional.any():
                self.problems.append(
                    f"{self.name}: column {label} has {_n(fractional, 'non-integer value')} "
                    f"({format_rows(rows[fractional])}); {name} must be whole numbers"
                )
        if name == "households" and self.kind == "communities":
            for i in np.flatnonzero(~given & ~bad):
                self.issues.add(
                    self.kind, rows[i], "households not given", "excluded from per-household norms"
                )
        return number

    def _ids(
        self, name: str, raw: pd.Series, rows: NDArray[np.int64], *, present: bool
    ) -> pd.Series:
        if not present:
            if name == "id" and self.schema.id_from_row:
                return pd.Series([str(r) for r in rows], dtype=object)
            return pd.Series([None] * len(raw), dtype=object)
        ids = pd.Series([_id_text(v) for v in raw], dtype=object)
        if name != "id":
            return ids
        label = self._label(name)
        empty = ids.isna().to_numpy()
        if empty.any():
            self.problems.append(
                f"{self.name}: column {label} has {_n(empty, 'empty value')} "
                f"({format_rows(rows[empty])}); every feature needs an id"
            )
        duplicated = ids.duplicated(keep=False).to_numpy() & ~empty
        if duplicated.any():
            groups = []
            for value in pd.unique(ids[duplicated]):
                where = rows[(ids == value).to_numpy()]
                groups.append(f"{value!r} ({format_rows(where)})")
            shown = "; ".join(groups[:_MAX_ROWS_SHOWN])
            more = len(groups) - _MAX_ROWS_SHOWN
            self.problems.append(
                f"{self.name}: column {label} has {_n(len(groups), 'duplicated value')}: {shown}"
                + (f" and {more} more" if more > 0 else "")
                + "; ids must be unique"
            )
        return ids

    def _text(
        self, name: str, raw: pd.Series, rows: NDArray[np.int64], *, present: bool
    ) -> pd.Series:
        text = pd.Series([_clean_text(v) for v in raw], dtype=object)
        if not present:
            return text
        label = self._label(name)
        empty = text.isna().to_numpy()
        if name == "category" and empty.any():
            self.problems.append(
                f"{self.name}: column {label} has {_n(empty, 'empty value')} "
                f"({format_rows(rows[empty])}); every facility needs a category"
            )
        if name == "name" and name in self.schema.required:
            for i in np.flatnonzero(empty):
                self.issues.add(self.kind, rows[i], "name is empty", "used the row number")
                text.iloc[int(i)] = f"#{rows[i]}"
        if name == "kind" and self.kind == "communities":
            normalised = text.map(lambda v: None if v is None else _KIND_ALIASES.get(v.lower()))
            bad = (text.notna() & normalised.isna()).to_numpy()
            if bad.any():
                samples = ", ".join(repr(v) for v in pd.unique(text[bad])[:5])
                self.problems.append(
                    f"{self.name}: column {label} has {_n(bad, 'unknown value')} "
                    f"({format_rows(rows[bad])}: {samples}); valid: "
                    + ", ".join(COMMUNITY_KINDS)
                    + " (or 城市社区/社区, 镇/集镇, 村/农村)"
                )
            return normalised.astype(object)
        return text

    # .. after conversion ..

    def _finish_geometry(self, wgs: gpd.GeoSeries, out: pd.DataFrame) -> gpd.GeoSeries:
        if self.kind != "facilities":
            return wgs
        values = np.asarray(wgs.values, dtype=object)
        polygonal = np.isin(shapely.get_type_id(values), [3, 6])
        if polygonal.any():
            values[polygonal] = shapely.point_on_surface(values[polygonal])
            for i in np.flatnonzero(polygonal):
                self.issues.add(
                    self.kind,
                    out["id"].iloc[i],
                    "facility drawn as a polygon",
                    "used a point inside it (representative point)",
                )
        return gpd.GeoSeries(values, index=wgs.index, crs=WGS84)


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


def _n(count: int | NDArray[np.bool_], singular: str, plural: str | None = None) -> str:
    """``"1 negative value"`` / ``"3 negative values"``; ``count`` may be a boolean mask."""
    n = int(np.sum(count)) if isinstance(count, np.ndarray) else int(count)
    if n == 1:
        return f"1 {singular}"
    if plural is None:
        head, sep, tail = singular.partition(" ≤")
        plural = head + "s" + sep + tail
    return f"{n} {plural}"


def _polygonal_part(geometry: shapely.Geometry) -> shapely.Geometry | None:
    """Return the polygons of a repaired geometry (dropping lines and points), or None."""
    if shapely.is_empty(geometry):
        return None
    if shapely.get_type_id(geometry) in (3, 6):
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in _POLYGONS and not g.is_empty]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in _POLYGONS else None


_FLOAT_INT = re.compile(r"^-?\d+\.0+$")


def _id_text(value: object) -> str | None:
    """An id as text: ``3`` and ``3.0`` (Excel, float columns) → ``"3"``; empty → None."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    if not text:
        return None
    if _FLOAT_INT.match(text):
        return text.split(".")[0]
    return text


def _clean_text(value: object) -> str | None:
    """A text cell stripped of spaces; empty and missing → None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not np.isfinite(value):
        return None
    text = str(value).strip()
    return text or None
