"""Reading the user's layers: :func:`read_layer`, the one entry point, and its checks.

A layer is read from its file (:mod:`lifecircle.geo.layerfile`) and checked once, there, by the
validation gate (:mod:`lifecircle.geo.validate`) against its kind's schema
(:mod:`lifecircle.geo.schemas`). All problems of a layer are raised together as one
:class:`~lifecircle.errors.LayerError`; problems that can be worked around (an invalid polygon
repaired, a facility polygon replaced by a point inside it) are recorded in the
:class:`~lifecircle.dataissues.IssueLog` instead.

Row numbers
-----------
Rows are counted the way the user counts them: for vector files the feature number, starting
at 1 (the order of QGIS's attribute table); for CSV and XLSX the spreadsheet row, so the first
data row is row 2 because row 1 is the header. The returned frame keeps it in column ``row``.
"""

from __future__ import annotations

import logging

import geopandas as gpd
import pandas as pd

from lifecircle.dataissues import IssueLog
from lifecircle.geo.crs import WGS84, geometry_to_wgs84
from lifecircle.geo.layerfile import (
    TABLE_SUFFIXES,
    LayerSpec,
    check_format,
    declared_crs,
    read_table,
    read_vector,
)
from lifecircle.geo.schemas import LAYER_KINDS, SCHEMAS, LayerKind
from lifecircle.geo.validate import LayerGate, raise_problems

logger = logging.getLogger(__name__)


#: The key of a read layer's ``attrs`` that holds the CRS its coordinates were read in.
SOURCE_CRS = "source_crs"


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
        urban / town / rural. ``attrs["source_crs"]`` is the CRS the file's coordinates were
        read in: ``"gcj02"``, ``"bd09"`` or a CRS as WKT.

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
    path = spec.path
    suffix = check_format(path, kind)
    gate = LayerGate(path, kind, spec.fields, issues)
    gate.check_field_keys(table=suffix in TABLE_SUFFIXES)
    decl, crs_problem = declared_crs(spec, kind)
    if crs_problem:
        gate.problems.append(crs_problem)
    crs_bad = crs_problem is not None
    if suffix in TABLE_SUFFIXES:
        frame, x, y, rows, xy = read_table(spec, kind, gate.problems)
        _check_not_empty(spec, kind, len(frame), "data rows under its header")
        gate.check_points(x, y, rows, xy, decl, crs_bad)
        geometry = gpd.GeoSeries(gpd.points_from_xy(x, y))
    else:
        if spec.header_row is not None:
            gate.problems.append(
                f"{path.name}: header_row is for CSV and XLSX tables; remove it from "
                f"[layers.{kind}]"
            )
        frame, geometry, rows, file_crs = read_vector(spec, kind, issues)
        _check_not_empty(spec, kind, len(frame), "features")
        geometry, decl = gate.check_vector(geometry, rows, file_crs, decl, crs_bad)
    out = gate.check_columns(frame, rows)
    raise_problems(path, kind, gate.problems)
    assert decl is not None
    wgs = geometry_to_wgs84(geometry, decl)
    wgs = gate.finish_geometry(wgs, out)
    result = gpd.GeoDataFrame(out, geometry=wgs.values, crs=WGS84)
    result.index = pd.RangeIndex(len(result))
    result.attrs[SOURCE_CRS] = decl if isinstance(decl, str) else decl.to_wkt()
    logger.info("read %s (%s): %d features", path.name, kind, len(result))
    return result


def _check_not_empty(spec: LayerSpec, kind: str, n_rows: int, what: str) -> None:
    """Raise when a layer holds nothing: a file with a header only, a layer without features."""
    if n_rows > 0:
        return
    where = f" (layer {spec.layer!r})" if spec.layer else ""
    fix = (
        f"fill it in, or point [layers.{kind}] path at the file that has them"
        if kind in ("communities", "facilities")
        else f"fill it in, or remove [layers.{kind}] from the project file"
    )
    raise_problems(spec.path, kind, [f"{spec.path.name}{where}: has no {what}; {fix}"])


__all__ = ["LAYER_KINDS", "SOURCE_CRS", "LayerKind", "LayerSpec", "read_layer"]
