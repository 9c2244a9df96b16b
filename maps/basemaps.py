"""Basemap tile sources and the coordinate system each one is drawn in.

天地图 (Tianditu) is in CGCS2000, which matches WGS84 at map scale; 高德 (Amap) tiles are in
GCJ-02, so overlays must be shifted to GCJ-02 to line up with them. The 天地图 key is read from
the environment variable ``TIANDITU_KEY`` and never written to a project file.

Examples
--------
>>> tiles = resolve_basemap("light", lang="en")
>>> tiles.crs
'wgs84'
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from lifecircle.maps.labels import escape_html, label
from lifecircle.vocab import BASEMAPS

logger = logging.getLogger(__name__)

TileCrs = Literal["wgs84", "gcj02"]

TIANDITU_KEY_ENV = "TIANDITU_KEY"


@dataclass(frozen=True)
class TileSource:
    """One tile layer of a basemap.

    Attributes
    ----------
    name
        Display name in the layer control.
    url
        Leaflet tile URL template (``{z}/{x}/{y}``, ``{s}`` for subdomains).
    attribution
        Credit line shown on the map.
    subdomains
        Values of ``{s}``.
    max_zoom
        Deepest zoom the service has tiles for.
    """

    name: str
    url: str
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 19


@dataclass(frozen=True)
class ResolvedBasemap:
    """The tile layers to add and the coordinate system overlays must be drawn in.

    Attributes
    ----------
    layers
        Tile layers, bottom first; empty for no basemap.
    crs
        ``"gcj02"`` when the tiles are GCJ-02 (overlays must be shifted), else ``"wgs84"``.
    notice
        A message to show on the map when the requested basemap could not be used, else ``""``.
    """

    layers: tuple[TileSource, ...]
    crs: TileCrs
    notice: str = ""


_OSM_CREDIT = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
_TIANDITU_URL = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
)


def _name(key: str, lang: str) -> str:
    """The basemap's name in the layer control, saying that its tiles come from the internet."""
    return f"{label(f'basemap_{key}', lang)}{_paren(label('needs_internet', lang), lang)}"


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "zh" else f" ({text})"


def resolve_basemap(
    basemap: str,
    *,
    lang: str = "zh",
    tile_url: str | None = None,
    tile_attribution: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> ResolvedBasemap:
    """Return the tile layers of ``basemap`` and the CRS overlays must be drawn in.

    Parameters
    ----------
    basemap
        One of ``none``, ``osm``, ``light``, ``tianditu``, ``amap``.
    lang
        Language of the layer names.
    tile_url
        A tile URL template that replaces the basemap's own (an intranet tile server). With
        ``basemap="amap"`` it is taken to serve GCJ-02 tiles, otherwise WGS84 ones.
    tile_attribution
        Credit for ``tile_url``.
    environ
        Where to look up ``TIANDITU_KEY`` (default: ``os.environ``).

    Returns
    -------
    ResolvedBasemap
        With no layers for ``none`` or for ``tianditu`` without a key (then ``notice`` says so
        and a warning is logged).

    Raises
    ------
    ValueError
        If ``basemap`` is not one of the names above.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {', '.join(BASEMAPS)}, got {basemap!r}")
    crs: TileCrs = "gcj02" if basemap == "amap" else "wgs84"
    if tile_url:
        # the user's own tile server (often an intranet one): no word about the internet
        name = label(f"basemap_{basemap if basemap != 'none' else 'custom'}", lang)
        # the project file's text: Leaflet shows an attribution as HTML
        credit = escape_html(tile_attribution or "")
        source = TileSource(name, tile_url, credit, subdomains="abc")
        return ResolvedBasemap((source,), crs)
    if basemap == "none":
        return ResolvedBasemap((), "wgs84")
    if basemap == "osm":
        url = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        return ResolvedBasemap((TileSource(_name("osm", lang), url, _OSM_CREDIT),), crs)
    if basemap == "light":
        url = "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png"
        credit = _OSM_CREDIT + ' &copy; <a href="https://carto.com/attributions">CARTO</a>'
        return ResolvedBasemap((TileSource(_name("light", lang), url, credit, "abcd", 20),), crs)
    if basemap == "amap":
        url = (
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}"
        )
        source = TileSource(_name("amap", lang), url, "&copy; 高德地图 AutoNavi", "1234", 18)
        return ResolvedBasemap((source,), crs)
    env = os.environ if environ is None else environ
    key = env.get(TIANDITU_KEY_ENV, "").strip()
    if not key:
        notice = label("tianditu_missing", lang)
        logger.warning(
            "basemap 'tianditu' needs a key in the environment variable %s; drawing the map "
            "without a basemap",
            TIANDITU_KEY_ENV,
        )
        return ResolvedBasemap((), "wgs84", notice)
    credit = "&copy; 天地图 Tianditu (国家地理信息公共服务平台)"
    vec = TileSource(
        _name("tianditu", lang), _TIANDITU_URL.format(layer="vec", key=key), credit, "01234567", 18
    )
    cva = TileSource(
        _name("tianditu_labels", lang),
        _TIANDITU_URL.format(layer="cva", key=key),
        credit,
        "01234567",
        18,
    )
    return ResolvedBasemap((vec, cva), crs)
