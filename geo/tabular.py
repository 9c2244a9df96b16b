"""Reading CSV and XLSX tables: text encodings Chinese offices use, sheets, all cells as text.

Tables are read with every cell as text (empty cells as missing) so that ids keep their leading
zeros and :mod:`lifecircle.geo.layers` can report the exact cells that are not numbers. Tables
as offices keep them are read too: tab-separated ``.csv`` files, title rows above the header
(found, or given as ``header_row``), headers of merged cells; rows keep the number the user
sees in Excel.
"""

from __future__ import annotations

import csv
import io
import logging
import warnings
from collections.abc import Collection, Sequence
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


def read_csv_text(
    path: Path,
    *,
    encoding: str = "auto",
    header_row: int | None = None,
    expected: Collection[str] = (),
) -> tuple[pd.DataFrame, str]:
    """Read a CSV file with every cell as text.

    Parameters
    ----------
    path
        The CSV file; comma- or tab-separated (detected).
    encoding
        ``auto`` (detect, see :func:`detect_encoding`), ``utf-8``, ``utf-8-sig``, ``gbk`` or
        ``gb18030``.
    header_row
        The line holding the column names (1 = the first); None finds it (see
        :func:`find_header`).
    expected
        Column names the caller looks for, used to find the header line.

    Returns
    -------
    frame, encoding
        The table (column names stripped of spaces, empty cells missing, index = the line number
        of each data row, blank lines left out) and the encoding used.

    Raises
    ------
    LayerError
        When the encoding is not one of the valid values, the text does not decode with it, the
        file is not CSV, or ``header_row`` lies past its end.
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
    lines = text.splitlines()
    sep = "\t" if _count_in(lines, "\t") > _count_in(lines, ",") else ","
    try:
        grid = [
            [_cell_text(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=sep)
        ]
    except csv.Error as exc:
        raise LayerError(f"{path.name}: cannot read it as CSV ({exc}); check the file") from None
    frame = _table_from_grid(path, grid, header_row, expected, what="line")
    logger.debug("read %s: %d rows, encoding %s", path.name, len(frame), used)
    return frame, used


def read_xlsx_text(
    path: Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    expected: Collection[str] = (),
) -> pd.DataFrame:
    """Read one sheet of an XLSX workbook (the first when ``sheet`` is None), every cell as text.

    A merged cell's value fills every cell of the range (a 统计表's merged header cells, a
    街道 cell spanning several rows); title rows above the header are skipped (see
    :func:`find_header`).

    Parameters
    ----------
    path
        The workbook.
    sheet
        The sheet's name; None for the first.
    header_row
        The row holding the column names (1 = the first); None finds it.
    expected
        Column names the caller looks for, used to find the header row.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_csv_text` returns it, the index being the spreadsheet row numbers.

    Raises
    ------
    LayerError
        When the sheet does not exist (the message lists the sheets), the file is not XLSX, or
        ``header_row`` lies past the sheet's last row.
    """
    import openpyxl

    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise LayerError(f"{path.name}: cannot read it as XLSX ({exc}); check the file") from None
    try:
        names = [str(n) for n in book.sheetnames]
        if sheet is not None and sheet not in names:
            raise LayerError(
                f"{path.name}: no sheet named {sheet!r}; the workbook has sheets: "
                + ", ".join(names)
            )
        ws = book[sheet if sheet is not None else names[0]]
        grid = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        for merged in ws.merged_cells.ranges:
            value = grid[merged.min_row - 1][merged.min_col - 1]
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                row = grid[r]
                row.extend([None] * (merged.max_col - len(row)))
                for c in range(merged.min_col - 1, merged.max_col):
                    row[c] = value
    finally:
        book.close()
    return _table_from_grid(path, grid, header_row, expected, what="row")


#: Cell texts read as missing, as pandas reads them (``NA``, ``NULL``, ``#N/A`` …).
MISSING_TEXT = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-NaN", "-nan", "<NA>", "N/A", "NA", "NULL", "NaN", "None"}
    | {"n/a", "nan", "null"}
)

#: Rows searched for the header when ``header_row`` is not given.
HEADER_SEARCH_ROWS = 30


def find_header(grid: Sequence[Sequence[str | None]], expected: Collection[str]) -> int:
    """The index (0-based) of the header row: the row naming most of the expected columns.

    Among the first :data:`HEADER_SEARCH_ROWS` rows, the one with the most cells equal to an
    expected name (ignoring case and spaces) wins; of several such rows in a run (a header
    spanning two rows through merged cells) the last. Without any match, the first row.

    Examples
    --------
    >>> find_header([["设施统计表", None], ["名称", "经度"], ["幼儿园", "107.9"]], {"名称", "经度"})
    1
    """
    wanted = {str(e).strip().casefold() for e in expected}
    scores = [
        sum(1 for c in row if c is not None and c.strip().casefold() in wanted)
        for row in grid[:HEADER_SEARCH_ROWS]
    ]
    best = max(scores, default=0)
    if best == 0:
        return 0
    first = scores.index(best)
    last = first
    while last + 1 < len(scores) and scores[last + 1] == best:
        last += 1
    return last


def _table_from_grid(
    path: Path,
    grid: list[list[str | None]],
    header_row: int | None,
    expected: Collection[str],
    *,
    what: str,
) -> pd.DataFrame:
    """The data rows under the header as a frame indexed by their 1-based row (line) number."""
    if header_row is not None:
        if header_row > len(grid):
            raise LayerError(
                f"{path.name}: header_row = {header_row} but the file has only {len(grid)} "
                f"{what}s; give the {what} that holds the column names"
            )
        h = header_row - 1
    else:
        h = find_header(grid, expected) if grid else 0
    header = list(grid[h]) if grid else []
    above = grid[h - 1] if h > 0 else []
    if len({c for c in above if c is not None}) >= 2:  # a two-row header: fill gaps from above
        header = [
            c if c is not None else (above[j] if j < len(above) else None)
            for j, c in enumerate(header)
        ]
    width = max([len(header)] + [len(r) for r in grid[h + 1 :]])
    header += [None] * (width - len(header))
    columns = _unique_names([c if c is not None else f"Unnamed: {j}" for j, c in enumerate(header)])
    rows = [(i + 1, r + [None] * (width - len(r))) for i, r in enumerate(grid) if i > h]
    rows = [(n, r) for n, r in rows if any(c is not None for c in r)]
    frame = pd.DataFrame(
        [r for _, r in rows], columns=columns, index=[n for n, _ in rows], dtype=object
    )
    if h > 0:
        logger.info("%s: column names read from %s %d", path.name, what, h + 1)
    return frame


def _unique_names(names: list[str]) -> list[str]:
    """Column names made unique the way pandas does it (``名称``, ``名称.1``)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        k = seen.get(name, 0)
        out.append(name if k == 0 else f"{name}.{k}")
        seen[name] = k + 1
    return out


def _count_in(lines: list[str], sep: str) -> int:
    """How often ``sep`` occurs in the first non-empty lines (to tell tab- from comma-separated)."""
    return sum(line.count(sep) for line in [ln for ln in lines if ln.strip()][:5])


def _cell_text(value: object) -> str | None:
    """A cell as the user sees it: stripped text, Excel's ``12.0`` as ``12``, empty as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if text in MISSING_TEXT:
        return None
    if text.endswith(".0") and text[:-2].lstrip("-").isdigit():
        text = text[:-2]
    return text
