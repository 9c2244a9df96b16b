"""Frames to GeoJSON layers: clean, simplify, round and shift geometries; bind tooltips/popups.

Only the geometry and the prepared tooltip and popup HTML go into the page; the browser binds them
from feature properties (``tip``, ``pop``), so no attribute of the source frame leaks to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely

from lifecircle.geo.chinacrs import wgs84_to_gcj02
from lifecircle.maps.style import COORD_DECIMALS

_BIND_JS = folium.JsCode(
    """function(feature, layer) {
        var p = feature.properties || {};
        if (p.tip) { layer.bindTooltip(p.tip, {sticky: true, direction: "top"}); }
        if (p.pop) { layer.bindPopup(p.pop, {maxWidth: 360}); }
    }"""
)


def prepare(frame: gpd.GeoDataFrame | None, tolerance_deg: float, gcj02: bool) -> gpd.GeoDataFrame:
    """Return ``frame`` in EPSG:4326 without empty geometries, simplified, rounded and shifted."""
    if frame is None or len(frame) == 0:
        return gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs="EPSG:4326")
    out = frame
    if out.crs is not None and not out.crs.equals("EPSG:4326"):
        out = out.to_crs("EPSG:4326")
    geoms = out.geometry.values
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out = out.loc[keep].copy()
    geoms = np.asarray(out.geometry.values, dtype=object)
    if tolerance_deg > 0:
        not_point = shapely.get_type_id(geoms) != 0
        geoms[not_point] = shapely.simplify(geoms[not_point], tolerance_deg, preserve_topology=True)
    if gcj02:

        def shift(coords: np.ndarray) -> np.ndarray:
            lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        geoms = shapely.transform(geoms, shift)
    geoms = shapely.transform(geoms, lambda c: np.round(c, COORD_DECIMALS))
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs="EPSG:4326"))
    return out.loc[~shapely.is_empty(np.asarray(out.geometry.values, dtype=object))]


def _geojson(
    frame: gpd.GeoDataFrame, tips: Iterable[str] | None = None, pops: Iterable[str] | None = None
) -> dict[str, Any]:
    """A FeatureCollection with only the geometry and the (escaped) tooltip and popup HTML."""
    tips_l = list(tips) if tips is not None else [""] * len(frame)
    pops_l = list(pops) if pops is not None else [""] * len(frame)
    features = []
    for i, (geom, tip, pop) in enumerate(zip(frame.geometry.values, tips_l, pops_l, strict=True)):
        props: dict[str, str] = {}
        if tip:
            props["tip"] = tip
        if pop:
            props["pop"] = pop
        features.append(
            {
                "type": "Feature",
                "id": str(i),
                "properties": props,
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def add_geojson(
    parent: folium.Map | folium.FeatureGroup,
    frame: gpd.GeoDataFrame,
    styles: list[dict[str, Any]],
    *,
    name: str | None = None,
    tips: Iterable[str] | None = None,
    pops: Iterable[str] | None = None,
    show: bool = True,
    interactive: bool = True,
) -> folium.GeoJson | None:
    """Add ``frame`` with one style per feature; return the layer (None when empty)."""
    if len(frame) == 0:
        return None
    data = _geojson(frame, tips, pops)
    kinds = shapely.get_type_id(np.asarray(frame.geometry.values, dtype=object))
    # folium's CircleMarker defaults to fill=False; lines must never be filled
    by_id = {
        str(i): {**s, "fill": bool(k not in (1, 5))}
        for i, (s, k) in enumerate(zip(styles, kinds, strict=True))
    }
    layer = folium.GeoJson(
        data,
        name=name,
        style_function=lambda f: by_id[f["id"]],
        marker=folium.CircleMarker(radius=5),
        on_each_feature=_BIND_JS if interactive else None,
        show=show,
        control=name is not None,
        interactive=interactive,
    )
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
