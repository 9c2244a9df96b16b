"""Frames to packed map layers: clean, shift, simplify and pack geometries; bind tips and popups.

Only the packed geometry (:mod:`lifecircle.maps.packing`), a style table and the prepared
tooltip and popup HTML go into the page; no attribute of the source frame leaks to it. The page's
script (``static/lcmap.js``, inlined by :func:`runtime`) builds the Leaflet layers, drawn on a
canvas, and builds a layer that is off at opening only when it is first switched on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from lifecircle.geo.chinacrs import wgs84_to_gcj02
from lifecircle.maps.fragments import PopupTable
from lifecircle.maps.packing import DisplayScale, Kind, chain_lines, encode

LayerKind = Literal["points", "lines", "polygons", "cells"]


def js_value(obj: object) -> str:
    """``obj`` as compact JSON that is safe inside a ``<script>`` element (UTF-8 kept)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def runtime_js() -> str:
    """The page's map script (``static/lcmap.js``)."""
    return (
        resources.files("lifecircle.maps")
        .joinpath("static/lcmap.js")
        .read_text(encoding="utf-8")
        .replace("</script", "<\\/script")
    )


class RawHtml(Element):
    """HTML or script text put into the page as it is.

    branca's ``Element(text)`` compiles its text as a Jinja template, which for a layer's
    megabytes of packed data costs more than building it; this element renders its text directly.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.text = text

    def render(self, **kwargs: object) -> str:
        return self.text


def runtime(scale: DisplayScale) -> RawHtml:
    """The map script and the map's coordinate grid, for the page's header."""
    return RawHtml(f"<script>{runtime_js()}\nLC.setGrid({js_value(scale.spec())});</script>")


class PackedLayer(folium.FeatureGroup):
    """A layer the page's script builds from packed data (when first shown).

    Parameters
    ----------
    kind
        ``points``, ``lines``, ``polygons`` or ``cells``.
    data
        What the script's builder of that kind reads (see ``static/lcmap.js``).
    name
        The name in the layer control (None: not listed).
    show
        Whether the layer is on when the page opens.
    bounds
        ``[[lat_min, lon_min], [lat_max, lon_max]]`` of the layer.
    """

    def __init__(
        self,
        kind: LayerKind,
        data: Mapping[str, Any],
        *,
        name: str | None,
        show: bool,
        bounds: list[list[float]],
    ) -> None:
        super().__init__(name=name, show=show, control=name is not None)
        self._name = "PackedLayer"
        self.kind = kind
        self.data_js = js_value(dict(data))
        self._bounds = bounds

    def _get_self_bounds(self) -> list[list[float | None]]:
        return [list(self._bounds[0]), list(self._bounds[1])]

    def render(self, **kwargs: object) -> str:
        """Put the layer's script into the page (as it is: see :class:`RawHtml`)."""
        name = self.get_name()
        assert self._parent is not None, "a layer is rendered on its map"
        kind, title = js_value(self.kind), js_value(self.layer_name)
        script = (
            f"var {name} = L.featureGroup();\nLC.lazy({name}, {kind}, {self.data_js}, {title});\n"
        )
        if self.show:
            script += f"{name}.addTo({self._parent.get_name()});\n"
        self.get_root().script.add_child(RawHtml(script), name=name)  # type: ignore[attr-defined]
        return ""


class Opening(MacroElement):
    """Marks the end of the page's layers: the script then flags the map as drawn."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            LC.opening();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Opening"


def prepare(frame: gpd.GeoDataFrame | None, gcj02: bool) -> gpd.GeoDataFrame:
    """Return ``frame`` in EPSG:4326 without empty geometries, shifted to GCJ-02 when asked."""
    if frame is None or len(frame) == 0:
        return gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs="EPSG:4326")
    out = frame
    if out.crs is not None and not out.crs.equals("EPSG:4326"):
        out = out.to_crs("EPSG:4326")
    geoms = out.geometry.values
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out = out.loc[keep].copy()
    if gcj02 and len(out):
        out = out.set_geometry(
            gpd.GeoSeries(shift_gcj02(out.geometry.values), index=out.index, crs="EPSG:4326")
        )
    return out


def shift_gcj02(geoms: Any) -> np.ndarray:
    """Geometries moved from WGS84 to GCJ-02 (for an Amap basemap)."""

    def shift(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return np.asarray(shapely.transform(np.asarray(geoms, dtype=object), shift), dtype=object)


def _style_table(
    styles: Sequence[Mapping[str, Any]], kinds: np.ndarray
) -> tuple[list[dict[str, Any]], list[int]]:
    """Distinct styles and each feature's index into them (lines are never filled)."""
    table: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    seen: dict[tuple[int, bool], int] = {}  # the same style object, filled or not
    per_feature = []
    for style, k in zip(styles, kinds, strict=True):
        fill = bool(k not in (1, 5))
        found = seen.get((id(style), fill))
        if found is None:
            full = {key: v for key, v in style.items() if key != "radius"}
            full["fill"] = fill
            key = json.dumps(full, sort_keys=True)
            if key not in index:
                index[key] = len(table)
                table.append(full)
            found = seen[(id(style), fill)] = index[key]
        per_feature.append(found)
    return table, per_feature


def _bounds(geoms: np.ndarray) -> list[list[float]]:
    b = shapely.total_bounds(geoms)
    return [[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]]


def add_packed(
    parent: folium.Map,
    frame: gpd.GeoDataFrame,
    styles: Sequence[Mapping[str, Any]],
    *,
    scale: DisplayScale,
    name: str | None = None,
    tips: Iterable[str] | None = None,
    pops: PopupTable | None = None,
    show: bool = True,
    interactive: bool = True,
) -> PackedLayer | None:
    """Add ``frame`` as one packed layer with one style per feature; return it (None: empty).

    Parameters
    ----------
    parent
        The map.
    frame
        A prepared frame (:func:`prepare`) of one geometry kind: points, lines or polygons.
    styles
        One Leaflet path style per feature (``radius`` for points, in pixels).
    scale
        The map's display scale: lines and outlines are simplified and quantised to it.
    name
        The name in the layer control (None: not listed).
    tips, pops
        Tooltip HTML per feature and the popups (trusted HTML, user strings escaped).
    show
        Whether the layer is on when the page opens.
    interactive
        False for a background layer without tooltips (drawn as one path).
    """
    if len(frame) == 0:
        return None
    geoms = np.asarray(frame.geometry.values, dtype=object)
    type_id = shapely.get_type_id(geoms)
    kind: Kind = (
        "points"
        if (type_id == 0).all()
        else "lines"
        if np.isin(type_id, (1, 5)).all()
        else "polygons"
    )
    table, per_feature = _style_table(styles, type_id)
    if kind == "lines" and not interactive:
        # a background drawn as one path: its lines joined into long polylines
        geoms = np.asarray([shapely.multilinestrings(chain_lines(shapely.get_parts(geoms), scale))])
        per_feature = per_feature[:1]
    data: dict[str, Any] = {
        "n": len(geoms),
        "g": encode(geoms, kind, scale),
        "styles": table,
        "interactive": interactive,
    }
    if len(table) > 1:
        data["st"] = per_feature
    if kind == "points":
        radii = [s.get("radius", 5.0) for s in styles]
        data["r"] = [round(float(r), 1) for r in radii]
    tip_list = list(tips) if tips is not None else []
    if interactive and any(tip_list):
        data["tips"] = tip_list
    if interactive and pops is not None and pops.rows:
        data["pops"] = {"labels": pops.labels, "rows": pops.rows}
    layer = PackedLayer(kind, data, name=name, show=show, bounds=_bounds(geoms))
    layer.add_to(parent)
    return layer


def total_bounds(frames: list[gpd.GeoDataFrame]) -> tuple[float, float, float, float] | None:
    """The lon/lat box around all frames, or None when none has a finite extent."""
    boxes = []
    for frame in frames:
        f = frame
        if f.crs is not None and not f.crs.equals("EPSG:4326"):
            f = f.to_crs("EPSG:4326")
        b = f.total_bounds
        if np.all(np.isfinite(b)):
            boxes.append(b)
    if not boxes:
        return None
    arr = np.vstack(boxes)
    return (
        float(arr[:, 0].min()),
        float(arr[:, 1].min()),
        float(arr[:, 2].max()),
        float(arr[:, 3].max()),
    )
