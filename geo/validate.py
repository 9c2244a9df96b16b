"""The validation gate: every layer is checked once, where it is read.

All problems of a layer are collected and raised together as one
:class:`~lifecircle.errors.LayerError` whose message lists them one per line, each naming the file,
the column, the rows and the fix, e.g.::

    communities.gpkg: column 'households' has 3 negative values (rows 4, 9, 12); households
    must be ≥ 0

Problems that can be worked around (an invalid polygon repaired, a facility polygon replaced by
a point inside it) are recorded in the :class:`~lifecircle.dataissues.IssueLog` instead.

:class:`LayerGate` checks one layer against its kind's schema (:mod:`lifecircle.geo.schemas`):
the ``fields`` keys, the CRS (declared or the file's), geometry types, empty, missing and invalid
geometries, coordinates that look swapped or in the wrong unit, required columns, unique ids,
numeric ranges and text values. The message helpers here are shared with the file reader
(:mod:`lifecircle.geo.layerfile`) and the population layer (:mod:`lifecircle.geo.population`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from lifecircle.dataissues import IssueLog
from lifecircle.errors import LayerError
from lifecircle.geo.crs import WGS84, CRSDecl, crs_label, is_geographic
from lifecircle.geo.schemas import (
    COMMUNITY_KINDS,
    EXPECTED_GEOMETRY,
    KIND_ALIASES,
    POLYGONS,
    SCHEMAS,
)

logger = logging.getLogger(__name__)

_MAX_ROWS_SHOWN = 10


# --- problem messages and the checks shared with the readers ---------------------------------


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


def zero_coordinates_problem(name: str, rows: NDArray[np.int64]) -> str:
    """The problem text for points at (0, 0): a missing coordinate written as 0."""
    return (
        f"{name}: coordinates (0, 0) in {format_rows(rows)}: that is no place in China but a "
        "missing coordinate written as 0; fill in the real coordinates or delete those rows"
    )


def find_column(columns: Sequence[str], wanted: str) -> str | None:
    """The column named ``wanted``, else one whose name matches it ignoring case and spaces."""
    if wanted in columns:
        return wanted
    folded = wanted.strip().casefold()
    for c in columns:
        if c.strip().casefold() == folded:
            return c
    return None


def counted(count: int | NDArray[np.bool_], singular: str, plural: str | None = None) -> str:
    """``"1 negative value"`` / ``"3 negative values"``; ``count`` may be a boolean mask."""
    n = int(np.sum(count)) if isinstance(count, np.ndarray) else int(count)
    if n == 1:
        return f"1 {singular}"
    if plural is None:
        head, sep, tail = singular.partition(" ≤")
        plural = head + "s" + sep + tail
    return f"{n} {plural}"


# --- the gate --------------------------------------------------------------------------------


class LayerGate:
    """Checks one layer; collects problems in ``self.problems`` for the caller to raise together.

    Parameters
    ----------
    path
        The layer's file, for messages.
    kind
        The layer kind; it picks the schema.
    fields
        Our column name → the user's column name (``LayerSpec.fields``).
    issues
        Problems that were worked around are added here.
    """

    def __init__(self, path: Path, kind: str, fields: Mapping[str, str], issues: IssueLog) -> None:
        self.path = path
        self.kind = kind
        self.schema = SCHEMAS[kind]
        self.fields = fields
        self.issues = issues
        self.name = path.name
        self.problems: list[str] = []
        self.source_columns: dict[str, str] = {}  # our name -> the user's column

    # .. fields ..

    def check_field_keys(self, *, table: bool) -> None:
        """Every ``fields`` key must be a column of the kind (or ``x`` / ``y`` for a table)."""
        valid = [*self.schema.required, *self.schema.optional]
        if table:
            valid += ["x", "y"]
        unknown = [k for k in self.fields if k not in valid]
        for key in unknown:
            self.problems.append(
                f"{self.name}: fields key {key!r} is not a {self.kind} field; valid keys: "
                + ", ".join(valid)
            )

    def _label(self, ours: str) -> str:
        theirs = self.source_columns.get(ours, ours)
        return f"'{theirs}'" if theirs == ours else f"'{theirs}' ({ours})"

    # .. coordinates and geometries ..

    def check_points(
        self,
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        rows: NDArray[np.int64],
        xy: tuple[str, str] | None,
        decl: CRSDecl | None,
        crs_bad: bool,
    ) -> None:
        """Check a table's points: their coordinates (when both columns were found), the CRS."""
        if xy is not None:
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
                columns=xy,
            )
        if decl is None and not crs_bad:
            self.problems.append(no_crs_problem(self.path, self.kind))

    def check_vector(
        self,
        geometry: gpd.GeoSeries,
        rows: NDArray[np.int64],
        file_crs: CRS | None,
        decl: CRSDecl | None,
        crs_bad: bool,
    ) -> tuple[gpd.GeoSeries, CRSDecl | None]:
        """Check a vector layer's CRS (declared or the file's), geometries and coordinates.

        Returns the geometries (invalid polygons repaired, single-point MultiPoints as points)
        and the CRS to use (None when there is none).
        """
        if decl is None and not crs_bad:
            if file_crs is None:
                self.problems.append(no_crs_problem(self.path, self.kind))
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
                    "crs_overridden",
                    file_crs=crs_label(CRS.from_user_input(file_crs)),
                    declared_crs=crs_label(decl),
                )
        geometry = self._check_geometry(geometry, rows)
        values = np.asarray(geometry.values, dtype=object)
        at_zero = (shapely.get_type_id(values) == 0) & ~shapely.is_empty(values)
        at_zero[at_zero] = (shapely.get_x(values[at_zero]) == 0.0) & (
            shapely.get_y(values[at_zero]) == 0.0
        )
        if at_zero.any():
            self.problems.append(zero_coordinates_problem(self.name, rows[at_zero]))
            geometry = geometry.where(~at_zero, None)
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
        return geometry, decl

    def _check_geometry(self, geometry: gpd.GeoSeries, rows: NDArray[np.int64]) -> gpd.GeoSeries:
        values = np.asarray(geometry.values, dtype=object)
        missing = shapely.is_missing(values) | shapely.is_empty(values)
        if missing.any():
            what = counted(missing, "empty or missing geometry", "empty or missing geometries")
            self.problems.append(
                f"{self.name}: {what} "
                f"({format_rows(rows[missing])}); draw them or delete those rows"
            )
        types = np.array([g.geom_type if g is not None else "" for g in values], dtype=object)
        wrong = ~missing & ~np.isin(types, self.schema.geometry)
        if wrong.any():
            found = sorted(set(types[wrong]))
            self.problems.append(
                f"{self.name}: {counted(wrong, 'geometry is', 'geometries are')} "
                f"{' / '.join(found)} ({format_rows(rows[wrong])}); "
                f"{self.kind} must be {EXPECTED_GEOMETRY[self.kind]}"
            )
        multi_point = ~missing & (types == "MultiPoint")
        if multi_point.any():
            n_parts = shapely.get_num_geometries(values[multi_point])
            many = multi_point.copy()
            many[multi_point] = n_parts > 1
            if many.any():
                what = counted(many, "MultiPoint geometry", "MultiPoint geometries")
                self.problems.append(
                    f"{self.name}: {what} with several points "
                    f"({format_rows(rows[many])}); split them into one point per feature"
                )
            single = multi_point & ~many
            values[single] = shapely.get_geometry(values[single], 0)
        polygonal = ~missing & np.isin(types, POLYGONS)
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
            self.issues.add(self.kind, rows[i], "polygon_invalid", reason=reason)
        if invalid.any():
            logger.info("%s: %d invalid polygons repaired", self.name, int(invalid.sum()))
        return gpd.GeoSeries(values, index=geometry.index)

    # .. attribute columns ..

    def check_columns(self, frame: pd.DataFrame, rows: NDArray[np.int64]) -> pd.DataFrame:
        """The columns under our names, checked and converted (see ``read_layer``'s Returns)."""
        columns = [str(c) for c in frame.columns]
        ours = [*self.schema.required, *self.schema.optional]
        found: dict[str, str] = {}
        for name in ours:
            wanted = self.fields.get(name, name)
            column = find_column(columns, wanted)
            if column is None and name not in self.fields:
                for alias in self.schema.aliases.get(name, ()):
                    column = find_column(columns, alias)
                    if column is not None:
                        break
            if column is not None:
                found[name] = column
                self.source_columns[name] = column
            elif name in self.schema.required:
                if name in self.fields:
                    looked = f"column {wanted!r} given in fields"
                    fix = f"correct fields.{name}"
                else:
                    looked = f"column {name!r}"
                    fix = f'map it with fields = {{ {name} = "<column>" }} in [layers.{self.kind}]'
                self.problems.append(
                    f"{self.name}: required column {name!r} not found (looked for {looked}); "
                    f"the file has columns: {', '.join(columns) or '(none)'}; {fix}"
                )
            elif name in self.fields:
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
        finite = np.isfinite(number.to_numpy(dtype=float, na_value=np.nan))
        bad = text.notna().to_numpy() & ~finite  # "inf", "1e400" are no counts or areas
        number = number.where(finite)
        if bad.any():
            samples = ", ".join(repr(str(v)) for v in raw[bad].head(3))
            self.problems.append(
                f"{self.name}: column {label} has {counted(bad, 'non-numeric value')} "
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
                f"{self.name}: column {label} has {counted(low, what)} "
                f"({format_rows(rows[low])}); {name} must be {must}{empty_hint}"
            )
        if rule.integer:
            fractional = given & ~low & (values != np.round(values))
            if fractional.any():
                self.problems.append(
                    f"{self.name}: column {label} has {counted(fractional, 'non-integer value')} "
                    f"({format_rows(rows[fractional])}); {name} must be whole numbers"
                )
        if name == "households" and self.kind == "communities":
            for i in np.flatnonzero(~given & ~bad):
                self.issues.add(self.kind, rows[i], "households_missing")
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
                f"{self.name}: column {label} has {counted(empty, 'empty value')} "
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
                f"{self.name}: column {label} has "
                f"{counted(len(groups), 'duplicated value')}: {shown}"
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
                f"{self.name}: column {label} has {counted(empty, 'empty value')} "
                f"({format_rows(rows[empty])}); every facility needs a category"
            )
        if name == "name" and name in self.schema.required:
            for i in np.flatnonzero(empty):
                self.issues.add(self.kind, rows[i], "name_empty")
                text.iloc[int(i)] = f"#{rows[i]}"
        if name == "kind" and self.kind == "communities":
            normalised = text.map(lambda v: None if v is None else KIND_ALIASES.get(v.lower()))
            bad = (text.notna() & normalised.isna()).to_numpy()
            if bad.any():
                samples = ", ".join(repr(v) for v in pd.unique(text[bad])[:5])
                self.problems.append(
                    f"{self.name}: column {label} has {counted(bad, 'unknown value')} "
                    f"({format_rows(rows[bad])}: {samples}); valid: "
                    + ", ".join(COMMUNITY_KINDS)
                    + " (or 城市社区/社区, 镇/集镇, 村/农村)"
                )
            return normalised.astype(object)
        return text

    # .. after conversion ..

    def finish_geometry(self, wgs: gpd.GeoSeries, out: pd.DataFrame) -> gpd.GeoSeries:
        """Facilities drawn as polygons become a point inside them (an issue each)."""
        if self.kind != "facilities":
            return wgs
        values = np.asarray(wgs.values, dtype=object)
        polygonal = np.isin(shapely.get_type_id(values), [3, 6])
        if polygonal.any():
            values[polygonal] = shapely.point_on_surface(values[polygonal])
            for i in np.flatnonzero(polygonal):
                self.issues.add(self.kind, out["id"].iloc[i], "facility_polygon")
        return gpd.GeoSeries(values, index=wgs.index, crs=WGS84)


def _polygonal_part(geometry: shapely.Geometry) -> shapely.Geometry | None:
    """Return the polygons of a repaired geometry (dropping lines and points), or None."""
    if shapely.is_empty(geometry):
        return None
    if shapely.get_type_id(geometry) in (3, 6):
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in POLYGONS and not g.is_empty]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in POLYGONS else None


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
