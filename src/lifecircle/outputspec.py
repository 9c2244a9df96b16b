"""The ``[output]`` and ``[report]`` tables of the project file: how the outputs are written.

.. code-block:: toml

    [output]
    crs = "EPSG:4490"     # the CRS of results.gpkg: CGCS2000 lon/lat here

    [report]
    pdf = true            # also write report.pdf (A4) beside report.html

Without it ``results.gpkg`` is written in the CRS the communities layer was read in, CGCS2000
lon/lat (EPSG:4490) where the communities were GCJ-02 or BD-09 lon/lat. The map is always drawn
in EPSG:4326; summary.json holds no coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyproj import CRS
from pyproj.exceptions import CRSError

from lifecircle.tomlkeys import unknown_keys

#: The keys of the ``[output]`` and ``[report]`` tables.
OUTPUT_KEYS = ("crs",)
REPORT_KEYS = ("pdf",)


def _table(
    table: Any, name: str, keys: tuple[str, ...], example: str, problems: list[str]
) -> dict[str, Any]:
    """The ``[name]`` table's keys and values; empty when absent or not a table (a problem)."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        problems.append(f"[{name}] must be a table, e.g. [{name}] {example}")
        return {}
    problems.extend(unknown_keys(table, keys, name))
    return table


@dataclass(frozen=True)
class OutputSpec:
    """The ``[output]`` section.

    Attributes
    ----------
    crs
        The CRS of ``results.gpkg`` (anything pyproj reads: ``"EPSG:4490"`` CGCS2000 lon/lat,
        ``"EPSG:4545"`` a CGCS2000 Gauss-Krüger zone, ``"EPSG:4326"``), or None for the CRS the
        communities layer was read in (CGCS2000 lon/lat where it was GCJ-02 or BD-09).
    """

    crs: CRS | None = None


def read_output(table: Any, problems: list[str]) -> OutputSpec:
    """Read the ``[output]`` table, adding its problems to ``problems``.

    Parameters
    ----------
    table
        The table as parsed from TOML (None when the file has none).
    problems
        The project file's problems; an unknown key or a ``crs`` pyproj cannot read (or GCJ-02
        / BD-09, which no GIS file can declare) adds one.

    Returns
    -------
    OutputSpec
        The defaults where the table is absent or wrong.
    """
    table = _table(table, "output", OUTPUT_KEYS, 'crs = "EPSG:4490"', problems)
    value = table.get("crs")
    if value is None:
        return OutputSpec()
    examples = (
        '"EPSG:4490" (CGCS2000), "EPSG:4545" (CGCS2000 3° Gauss-Krüger, CM 108°E) or "EPSG:4326"'
    )
    if not isinstance(value, str) or not value.strip():
        problems.append(f"output.crs = {value!r} must be a CRS as text, e.g. {examples}")
        return OutputSpec()
    if value.strip().lower().replace(" ", "").replace("-", "").replace("_", "") in (
        "gcj02",
        "gcj",
        "bd09",
        "bd",
    ):
        problems.append(
            f"output.crs = {value!r}: GCJ-02 and BD-09 cannot be declared in a GIS file; "
            f"use {examples}"
        )
        return OutputSpec()
    try:
        crs = CRS.from_user_input(value.strip())
    except CRSError:
        problems.append(f"output.crs = {value!r} is not a CRS pyproj knows; use {examples}")
        return OutputSpec()
    return OutputSpec(crs=crs)


@dataclass(frozen=True)
class ReportSpec:
    """The ``[report]`` section.

    Attributes
    ----------
    pdf
        Also write ``report.pdf`` (A4, made without a browser) beside ``report.html``.
    """

    pdf: bool = False


def read_report(table: Any, problems: list[str]) -> ReportSpec:
    """Read the ``[report]`` table, adding its problems to ``problems``.

    Returns
    -------
    ReportSpec
        The defaults where the table is absent or wrong.
    """
    table = _table(table, "report", REPORT_KEYS, "pdf = true", problems)
    pdf = table.get("pdf", False)
    if not isinstance(pdf, bool):
        problems.append(f"report.pdf = {pdf!r} must be true or false")
        return ReportSpec()
    return ReportSpec(pdf=pdf)
