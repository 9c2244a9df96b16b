"""Where a walk network comes from: its format, its data date and whether it is OpenStreetMap data.

:func:`lifecircle.geo.netload.load_network` decides this once per load (:func:`file_source`,
:func:`download_source`) and records it on the graph as a
:class:`~lifecircle.geo.network.NetworkSource`, so reports need not work it out again from the
path. The format follows the file name's suffix (:func:`source_format`); the date is the one an
OSM file declares in its header (:func:`osm_date`), else the file's modification date (UTC).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from lifecircle.errors import NetworkError
from lifecircle.geo.network import NetworkSource
from lifecircle.geo.osmxml import open_xml

#: File formats, by suffix (a name ending in one of them).
FileFormat = Literal["osm_xml", "osm_pbf", "graphml", "road_lines"]

OSM_XML_SUFFIXES = (".osm", ".osm.bz2", ".xml")
OSM_PBF_SUFFIXES = (".osm.pbf", ".pbf")
GRAPHML_SUFFIXES = (".graphml",)
ROAD_LINE_SUFFIXES = (".gpkg", ".shp", ".zip", ".geojson", ".json", ".parquet")
ALL_SUFFIXES = OSM_XML_SUFFIXES + OSM_PBF_SUFFIXES + GRAPHML_SUFFIXES + ROAD_LINE_SUFFIXES

_FORMAT_SUFFIXES: tuple[tuple[FileFormat, tuple[str, ...]], ...] = (
    ("osm_xml", OSM_XML_SUFFIXES),
    ("osm_pbf", OSM_PBF_SUFFIXES),
    ("graphml", GRAPHML_SUFFIXES),
    ("road_lines", ROAD_LINE_SUFFIXES),
)

#: The generator name the embedded demo county's synthetic streets carry in their OSM XML header.
SYNTHETIC_GENERATOR = "lifecircle demo generator"

_XML_DATE = re.compile(rb"""(?:osm_base|timestamp)\s*=\s*["']([^"']+)["']""")


def source_format(path: Path) -> FileFormat:
    """Return the network format a file name's suffix names.

    Parameters
    ----------
    path
        The network file (only its name is read).

    Returns
    -------
    str
        ``"osm_xml"``, ``"osm_pbf"``, ``"graphml"`` or ``"road_lines"``.

    Raises
    ------
    NetworkError
        If the suffix is none of :data:`ALL_SUFFIXES`.
    """
    name = path.name.lower()
    for fmt, suffixes in _FORMAT_SUFFIXES:
        if any(name.endswith(s) for s in suffixes):
            return fmt
    raise NetworkError(
        f"{path}: unknown network file type; use one of {', '.join(ALL_SUFFIXES)} "
        "(OSM XML, OSM PBF, osmnx GraphML or a road-line layer)"
    )


def osm_date(path: str | Path) -> str | None:
    """Return the data date an OSM file declares, or None.

    Parameters
    ----------
    path
        The network file.

    Returns
    -------
    str or None
        The timestamp as the file writes it (e.g. ``"2024-05-01T00:00:00Z"``). For XML, the
        ``<meta osm_base=…>`` (Overpass) or the ``<osm timestamp=…>`` attribute in the first
        4 kB; for PBF, the header's ``osmosis_replication_timestamp`` or ``timestamp``. Other
        formats, unreadable files and files that declare nothing give None.
    """
    p = Path(path)
    name = p.name.lower()
    try:
        if name.endswith(OSM_PBF_SUFFIXES):
            import osmium

            header = osmium.io.Reader(str(p), osmium.osm.osm_entity_bits.NOTHING).header()
            for key in ("osmosis_replication_timestamp", "timestamp"):
                value = header.get(key)
                if value:
                    return str(value)
            return None
        if name.endswith(OSM_XML_SUFFIXES):
            with open_xml(p) as f:
                head = f.read(4096)
            start = head.find(b"<osm")
            end = head.find(b"<node", max(start, 0))
            m = _XML_DATE.search(head[max(start, 0) : end if end > 0 else None])
            return m.group(1).decode() if m else None
    except (OSError, RuntimeError, EOFError, ImportError):
        return None
    return None


def _is_synthetic(path: Path, fmt: FileFormat) -> bool:
    """Whether an OSM XML file's first 1 kB names the demo county's generator."""
    if fmt != "osm_xml":
        return False
    try:
        with open_xml(path) as f:
            head = f.read(1024)
    except (OSError, EOFError):
        return False
    return SYNTHETIC_GENERATOR.encode() in head


def _data_date(path: Path) -> str:
    """The date an OSM file declares (as a UTC date), else the file's modification date (UTC)."""
    declared = osm_date(path)
    if declared:
        try:
            when = datetime.fromisoformat(declared)
        except ValueError:
            pass
        else:
            if when.tzinfo is not None:
                when = when.astimezone(UTC)
            return when.date().isoformat()
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date().isoformat()


def file_source(path: Path, fmt: FileFormat) -> NetworkSource:
    """Return where a network read from a file comes from.

    Parameters
    ----------
    path
        The network file (it must exist: its header or modification time gives the date).
    fmt
        Its format, as :func:`source_format` gives it.

    Returns
    -------
    NetworkSource
        The file's name and format, its data date (ISO ``YYYY-MM-DD``), whether it is OSM data
        (every OSM format except the demo county's synthetic streets; road lines are not) and
        whether it is synthetic.
    """
    synthetic = _is_synthetic(path, fmt)
    return NetworkSource(
        name=path.name,
        format=fmt,
        date=_data_date(path),
        osm=fmt != "road_lines" and not synthetic,
        synthetic=synthetic,
    )


def download_source(place: str) -> NetworkSource:
    """Return the source of a network downloaded from OpenStreetMap today (UTC).

    Parameters
    ----------
    place
        The place name the network was downloaded for.

    Returns
    -------
    NetworkSource
        Format ``"osm_download"``, dated today (ISO ``YYYY-MM-DD``, UTC), OSM data.
    """
    today = datetime.now(tz=UTC).date().isoformat()
    return NetworkSource(name=place, format="osm_download", date=today, osm=True, synthetic=False)


__all__ = [
    "ALL_SUFFIXES",
    "GRAPHML_SUFFIXES",
    "OSM_PBF_SUFFIXES",
    "OSM_XML_SUFFIXES",
    "ROAD_LINE_SUFFIXES",
    "SYNTHETIC_GENERATOR",
    "download_source",
    "file_source",
    "osm_date",
    "source_format",
]
