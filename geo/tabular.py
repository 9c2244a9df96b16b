"""Reading CSV and XLSX tables: text encodings Chinese offices use, sheets, all cells as text.

Tables are read with every cell as text (empty cells as missing) so that ids keep their leading
zeros and :mod:`lifecircle.geo.layers` can report the exact cells that are not numbers.
"""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path
from typing import Literal, get_args

import pandas as pd

from lifecircle.errors import LayerError

logger = logging.getLogger(__name__)

Encoding = Literal["auto", "utf-8", "utf-8-sig", "gbk", "gb18030"]
ENCODINGS: tuple[str, ...] = get_args(Encoding)

_BOM = b"\xef\xbb\xbf"


def detect_encoding(data: bytes) -> str:
    """Return the encoding of CSV bytes: ``utf-8-sig``, ``utf-8`` or ``gb18030``.

    Each candidate is tried by decoding strictly, in that order: a UTF-8 byte-order mark means
    ``utf-8-sig``; text that decodes as UTF-8 is ``utf-8``; anything else that decodes as GB18030
    (a superset of GBK and GB2312, which Excel in Chinese writes) is ``gb18030``.

    Raises
    ------
    ValueError
        When the bytes decode in none of them.

    Examples
    --------
    >>> detect_encoding("名称".encode("gbk"))
    'gb18030'
    """
    if data.startswith(_BOM):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        return encoding
    raise ValueError("the bytes are neither UTF-8 nor GB18030")


def read_csv_text(path: Path, *, encoding: str = "auto") -> tuple[pd.DataFrame, str]:
    """Read a CSV file with every cell as text.

    Parameters
    ----------
    path
        The CSV file.
    encoding
        ``auto`` (detect, see :func:`detect_encoding`), ``utf-8``, ``utf-8-sig``, ``gbk`` or
        ``gb18030``.

    Returns
    -------
    frame, encoding
        The table (column names stripped of spaces, empty cells missing) and the encoding used.

    Raises
    ------
    LayerError
        When the encoding is not one of the valid values, the text does not decode with it, or
        the file is not CSV.
    """
    if encoding not in ENCODINGS:
        raise LayerError(
            f"{path.name}: unknown encoding {encoding!r}; use one of " + ", ".join(ENCODINGS)
        )
    data = path.read_bytes()
    if encoding == "auto":
        try:
            used = detect_encoding(data)
        except ValueError:
            raise LayerError(
                f"{path.name}: the text is neither UTF-8 nor GBK/GB18030; save it as UTF-8 "
                "(Excel: CSV UTF-8) and read it again"
            ) from None
    else:
        used = encoding
    try:
        text = data.decode(used, errors="strict")
    except UnicodeDecodeError as exc:
        raise LayerError(
            f"{path.name}: the text does not decode as {used} (byte {exc.start}); "
            'set encoding = "auto" to detect UTF-8 / GBK / GB18030, or give the right encoding'
        ) from None
    if used == "utf-8" and text.startswith("\ufeff"):
        text = text[1:]
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=True, skipinitialspace=True
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LayerError(f"{path.name}: cannot read it as CSV ({exc}); check the file") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    logger.debug("read %s: %d rows, encoding %s", path.name, len(frame), used)
    return frame, used


def read_xlsx_text(path: Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read one sheet of an XLSX workbook (the first when ``sheet`` is None), every cell as text.

    Raises
    ------
    LayerError
        When the sheet does not exist (the message lists the sheets) or the file is not XLSX.
    """
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise LayerError(f"{path.name}: cannot read it as XLSX ({exc}); check the file") from None
    with book:
        names = [str(n) for n in book.sheet_names]
        if sheet is not None and sheet not in names:
            raise LayerError(
                f"{path.name}: no sheet named {sheet!r}; the workbook has sheets: "
                + ", ".join(names)
            )
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            frame = book.parse(sheet if sheet is not None else names[0], dtype=str)
    frame.columns = [str(c).strip() for c in frame.columns]
    for column in frame.columns:
        frame[column] = frame[column].map(_excel_text)
    return frame


def _excel_text(value: object) -> object:
    """Write an Excel number read as text the way the user sees it (``12.0`` → ``12``)."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.endswith(".0") and stripped[:-2].lstrip("-").isdigit():
            return stripped[:-2]
        return stripped if stripped else None
    return value
