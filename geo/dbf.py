"""The text encoding of a shapefile's attributes (its ``.dbf``), declared or detected.

A shapefile written by Chinese GIS software often has GBK attribute text and no ``.cpg`` file
saying so; GDAL then reads it as Latin-1 and the column names come out as mojibake
(``ÉçÇøÃû³Æ`` for 社区名称). :func:`shapefile_encoding` returns the encoding to read such a file
with: the one the project declares, else, when no ``.cpg`` names one, the one its bytes decode
in (field names and a sample of records: UTF-8, else GB18030, the superset of GBK).
"""

from __future__ import annotations

import logging
import struct
import zipfile
from pathlib import Path

logger = logging.getLogger(__name__)

#: Records read to detect the encoding (with the field names).
SAMPLE_RECORDS = 500

#: Our encoding names → the names GDAL (iconv) takes.
_GDAL_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gbk": "CP936", "gb18030": "GB18030"}


def shapefile_encoding(path: Path, declared: str = "auto") -> str | None:
    """The encoding to read a shapefile's (or zipped shapefile's) attribute text with.

    Parameters
    ----------
    path
        The ``.shp`` or ``.zip``; other formats (GeoPackage, GeoJSON: always UTF-8) give None.
    declared
        The layer's ``encoding``: ``auto`` to detect, or ``utf-8``, ``utf-8-sig``, ``gbk``,
        ``gb18030``, which is used as given.

    Returns
    -------
    str or None
        A GDAL encoding name (``UTF-8``, ``CP936``, ``GB18030``), or None to let GDAL decide (a
        ``.cpg`` file names the encoding, the text is plain ASCII, or it is not a shapefile).

    Examples
    --------
    >>> shapefile_encoding(Path("社区.shp"), "gbk")
    'CP936'
    """
    suffix = path.suffix.lower()
    if suffix not in (".shp", ".zip"):
        return None
    if declared != "auto":
        return _GDAL_NAMES.get(declared, declared)
    try:
        dbf, has_cpg = _dbf_bytes(path)
    except (OSError, zipfile.BadZipFile):
        return None  # the reader reports an unreadable file
    if dbf is None or has_cpg:
        return None
    sample = _text_sample(dbf)
    if sample.isascii():
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        logger.info("%s: no .cpg file; attribute text detected as %s", path.name, encoding)
        return _GDAL_NAMES[encoding]
    return None


def _dbf_bytes(path: Path) -> tuple[bytes | None, bool]:
    """The ``.dbf`` bytes (None when missing) and whether a ``.cpg`` file lies beside it."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            dbfs = sorted(n for n in names if n.lower().endswith(".dbf"))
            if not dbfs:
                return None, False
            stem = dbfs[0][:-4].lower()
            has_cpg = any(n.lower() == stem + ".cpg" for n in names)
            return zf.read(dbfs[0]), has_cpg
    siblings = {p.name.lower(): p for p in path.parent.glob(path.stem + ".*")}
    dbf = siblings.get(path.stem.lower() + ".dbf")
    has_cpg = path.stem.lower() + ".cpg" in siblings
    return (dbf.read_bytes() if dbf is not None else None), has_cpg


def _text_sample(dbf: bytes) -> bytes:
    """The field names and the first :data:`SAMPLE_RECORDS` records of a dBASE file."""
    if len(dbf) < 32:
        return b""
    n_records, header_len, record_len = struct.unpack("<IHH", dbf[4:12])
    names = b""
    for at in range(32, min(header_len, len(dbf)) - 31, 32):
        if dbf[at] == 0x0D:
            break
        names += dbf[at : at + 11].split(b"\x00", 1)[0] + b" "
    end = header_len + record_len * min(n_records, SAMPLE_RECORDS)
    return names + dbf[header_len:end]
