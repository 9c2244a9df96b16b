"""What makes an output fit to file: a stable run date, byte-identical workbooks, and user text
that no spreadsheet runs as a formula.

* :func:`run_date` is the date outputs show: today, or the date of ``SOURCE_DATE_EPOCH`` (seconds
  since 1970, UTC) when set, so that two runs give byte-identical files (reproducible-builds.org).
* :func:`stable_zip` rewrites a zip container (an ``.xlsx``) with every entry dated the run date,
  instead of the moment it was written; :func:`gdal_run_date` does the same for a GeoPackage.
* :func:`is_formula_like` finds user text that Excel or WPS would run as a formula when the file
  is opened (``=HYPERLINK("http://x","点击")``): text beginning with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return. In ``report.xlsx`` such text is stored as a text cell with a quote
  prefix; in CSV (:func:`csv_safe`) it gets a leading ``'``, as OWASP recommends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: The characters that make a spreadsheet read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def run_date() -> dt.date:
    """The date outputs show: ``SOURCE_DATE_EPOCH`` (UTC) when set to whole seconds, else today.

    Examples
    --------
    >>> os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    >>> run_date().isoformat()
    '2023-11-14'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def run_datetime() -> dt.datetime:
    """:func:`run_date` at midnight (naive, UTC), for timestamps a file format requires."""
    return dt.datetime.combine(run_date(), dt.time())


def stable_zip(data: bytes) -> bytes:
    """The zip archive ``data`` with every entry dated :func:`run_datetime`, in the same order.

    Entries are stored deflated with fixed permissions, so equal contents give equal bytes.
    """
    stamp = run_datetime().timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would read as a formula (see :data:`FORMULA_PREFIXES`)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value: object) -> object:
    """A CSV cell that no spreadsheet runs: formula-like text gets a leading ``'``.

    Examples
    --------
    >>> csv_safe('=HYPERLINK("http://x","点击")')
    '\\'=HYPERLINK("http://x","点击")'
    >>> csv_safe("文庙社区")
    '文庙社区'
    """
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def keep_text(worksheet: Any) -> None:
    """Store every formula-like text cell of an openpyxl worksheet as text, with a quote prefix
    (Excel shows it as typed and keeps it text when the cell is edited)."""
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True


def save_workbook(workbook: Any, path: Path) -> None:
    """Save an openpyxl workbook with its document dates and zip entries at :func:`run_date`, so
    that equal contents give byte-identical files."""
    from openpyxl.writer.excel import ExcelWriter

    when = run_datetime()
    workbook.properties.created = when
    workbook.properties.modified = when
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(stable_zip(buffer.getvalue()))


@contextlib.contextmanager
def gdal_run_date() -> Iterator[None]:
    """Within it, GDAL dates what it writes (a GeoPackage's ``gpkg_contents.last_change``) at
    :func:`run_datetime` instead of now (GDAL's ``OGR_CURRENT_DATE``); restored after."""
    import pyogrio

    key = "OGR_CURRENT_DATE"
    before = pyogrio.get_gdal_config_option(key)
    pyogrio.set_gdal_config_options({key: run_datetime().strftime("%Y-%m-%dT%H:%M:%S.000Z")})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({key: before})
