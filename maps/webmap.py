"""The interactive HTML map (``map.html``): coverage, norms, gaps and proposed sites on one page.

The map takes the frames of a run (all in EPSG:4326) and plain values, never the analysis objects,
so it can be drawn from a ``results.gpkg`` too. Every string that comes from user data is
HTML-escaped before it reaches the page; tooltips and popups are built here, in Python, and bound
in the browser from feature properties.

Examples
--------
>>> m = build_map(communities=communities, facilities=facilities, isochrones=isochrones,
...               uncovered=uncovered, sites=sites, site_catchments=catchments, streets=streets,
...               title="示例县城", subtitle="cn-national")  # doctest: +SKIP
>>> save_map(m, Path("out/map.html"))  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import logging
import math
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from lifecircle.geo.chinacrs import wgs84_to_gcj02
from lifecircle.maps.basemaps import Basemap, resolve_basemap
from lifecircle.maps.labels import (
    LANGS,
    escape_html as _esc,
    is_missing as _is_na,
    label,
    level_label,
    result_label,
)

logger = logging.getLogger(__name__)

__all__ = ["Basemap", "build_map", "save_map"]

# Colours: pass green, fail red-orange, no data grey; a diverging scale for m² per 100 households.
PASS_COLOR = "#1a9850"
FAIL_COLOR = "#e8552d"
NA_COLOR = "#9e9e9e"
CLASS_COLORS = ("#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")
LEVEL_COLORS = {"5min": "#08519c", "10min": "#3182bd", "15min": "#6baed6"}
UNCOVERED_COLOR = "#7b3294"
SITE_COLOR = "#4a1486"
STREET_COLOR = "#7f7f7f"
CATEGORY_ORDER = (
    "community_service_station",
    "kindergarten",
    "nursery",
    "elderly_day_care",
    "community_health_station",
    "cultural_activity_station",
    "outdoor_fitness",
    "supermarket",
    "primary_school",
    "fresh_market",
    "sports_ground",
    "middle_school",
    "community_health_center",
    "nursing_home",
    "cultural_center",
    "street_service_center",
)
CATEGORY_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
    "#fd8d3c",
)
COORD_DECIMALS = 6  # 0.1 m: finer than any map scale, and short in the file
LEAFLET_CDN = "https://cdn.jsdelivr.net/npm/leaflet@1.9.4/dist"

_BIND_JS = folium.JsCode(
    """function(feature, layer) {
        var p = feature.properties || {};
        if (p.tip) { layer.bindTooltip(p.tip, {sticky: true, direction: "top"}); }
        if (p.pop) { layer.bindPopup(p.pop, {maxWidth: 360}); }
    }"""
)

_CSS = """
<style>
.leaflet-container { background: #f2f1ec; font-family: "Noto Sans CJK SC", "Microsoft YaHei",
  "PingFang SC", "Source Han Sans SC", "Helvetica Neue", Arial, sans-serif; }
.lc-title { position: absolute; top: 10px; left: 50%; transform: translateX(-50%); z-index: 1000;
  background: rgba(255,255,255,0.94); padding: 8px 18px; border-radius: 6px; text-align: center;
  box-shadow: 0 1px 5px rgba(0,0,0,0.3); max-width: 60%; pointer-events: auto; }
.lc-title h1 { font-size: 18px; margin: 0; color: #1d2b3a; font-weight: 600; }
.lc-title .lc-sub { font-size: 12.5px; color: #4a5561; margin-top: 2px; }
.lc-title .lc-notice { font-size: 12px; color: #b03a00; margin-top: 4px; }
.lc-legend { background: rgba(255,255,255,0.95); padding: 8px 12px; border-radius: 6px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.3); font-size: 12px; line-height: 1.45; color: #222;
  max-height: 55vh; overflow-y: auto; min-width: 150px; }
.lc-legend h4 { margin: 0 0 4px 0; font-size: 13px; }
.lc-legend h5 { margin: 6px 0 2px 0; font-size: 12px; color: #444; font-weight: 600; }
.lc-legend .lc-row { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
.lc-sw { display: inline-block; width: 16px; height: 11px; border: 1px solid rgba(0,0,0,0.35);
  flex: none; }
.lc-dot { display: inline-block; border-radius: 50%; border: 1px solid rgba(0,0,0,0.45);
  flex: none; }
.lc-line { display: inline-block; width: 18px; height: 0; border-top: 2px solid; flex: none; }
.leaflet-control-layers-expanded { max-height: 60vh; overflow-y: auto; font-size: 12px; }
.lc-fs a { display: flex !important; align-items: center; justify-content: center; }
.lc-pop { font-size: 12.5px; }
.lc-pop b.lc-h { font-size: 14px; display: block; margin-bottom: 4px; }
.lc-pop table { border-collapse: collapse; }
.lc-pop td { padding: 1px 8px 1px 0; vertical-align: top; }
.lc-pop td:first-child { color: #555; white-space: nowrap; }
.lc-pass { color: #1a7f3c; font-weight: 600; }
.lc-fail { color: #c2410c; font-weight: 600; }
.lc-site { background: #4a1486; color: #fff; border: 2px solid #fff; border-radius: 50%;
  width: 24px; height: 24px; line-height: 22px; text-align: center; font-weight: 700;
  font-size: 13px; box-shadow: 0 1px 4px rgba(0,0,0,0.5); box-sizing: border-box; }
@media print { .leaflet-control-layers, .lc-fs { display: none; } }
</style>
"""

_FULLSCREEN_SVG = (
    '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path d="M1 6V1h5M10 1h5v5'
    'M15 10v5h-5M6 15H1v-5" fill="none" stroke="#333" stroke-width="2"/></svg>'
)


class _FullscreenControl(MacroElement):
    """A full-screen button using the browser's Fullscreen API (no plugin needed offline)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var Ctl = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function() {
                    var div = L.DomUtil.create("div", "leaflet-bar lc-fs");
                    var a = L.DomUtil.create("a", "", div);
                    a.href = "#"; a.title = {{ this.title|tojson }};
                    a.setAttribute("role", "button");
                    a.innerHTML = {{ this.icon|tojson }};
                    L.DomEvent.disableClickPropagation(div);
                    L.DomEvent.on(a, "click", function(e) {
                        L.DomEvent.preventDefault(e);
                        var el = map.getContainer();
                        var fsEl = document.fullscreenElement || document.webkitFullscreenElement;
                        if (!fsEl) {
                            var req = el.requestFullscreen || el.webkitRequestFullscreen;
                            if (req) { req.call(el); }
                        } else {
                            var ex = document.exitFullscreen || document.webkitExitFullscreen;
                            if (ex) { ex.call(document); }
                        }
                    });
                    return div;
                }
            });
            map.addControl(new Ctl());
            document.addEventListener("fullscreenchange", function() { map.invalidateSize(); });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str) -> None:
        super().__init__()
        self._name = "FullscreenControl"
        self.title = title
        self.icon = _FULLSCREEN_SVG


class _HtmlControl(MacroElement):
    """A Leaflet control holding trusted HTML (built here, with user strings escaped)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var ctl = L.control({position: {{ this.position|tojson }}});
            ctl.onAdd = function() {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.content|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, content: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.content = content
        self.position = position
        self.css_class = css_class


class _BoundPopup(MacroElement):
    """Binds a popup of trusted HTML to its parent layer (folium's Popup needs jQuery)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.bindPopup({{ this.content|tojson }}, {maxWidth: 360});
        {% endmacro %}
        """
    )

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "BoundPopup"
        self.content = content


class _Attribution(MacroElement):
    """Adds a credit line (already escaped HTML) to the map's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


# --------------------------------------------------------------------------------------------
# small helpers


def _fmt(value: object, decimals: int = 1) -> str:
    """Format a number with thousands separators; text is escaped; missing values are '–'."""
    if _is_na(value):
        return "–"
    if isinstance(value, bool | np.bool_):
        return "✓" if value else "✗"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        return f"{v:,.0f}" if float(v).is_integer() and decimals <= 1 else f"{v:,.{decimals}f}"
    return _esc(value)


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _result_html(result: object, lang: str) -> str:
    text = result_label(result, lang)
    if _is_na(result) or text == "":
        return "–"
    passed = result is True or str(result) in ("passed", "True", "true")
    failed = result is False or str(result) in ("failed", "False", "false")
    css = "lc-pass" if passed else "lc-fail" if failed else ""
    return f'<span class="{css}">{_esc(text)}</span>' if css else _esc(text)


def _popup(title: object, rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><td>{_esc(k)}</td><td>{v}</td></tr>" for k, v in rows if v != "")
    return f'<div class="lc-pop"><b class="lc-h">{_esc(title)}</b><table>{body}</table></div>'


def _prepare(frame: gpd.GeoDataFrame | None, tolerance_deg: float, gcj02: bool) -> gpd.GeoDataFrame:
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


def _add_geojson(
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


def _category_names(
    facilities: gpd.GeoDataFrame, category_names: Mapping[str, str]
) -> dict[str, str]:
    names = dict(category_names)
    if {"category", "category_name"} <= set(facilities.columns):
        for cat, cname in zip(facilities["category"], facilities["category_name"], strict=True):
            if not _is_na(cat) and not _is_na(cname):
                names.setdefault(str(cat), str(cname))
    return names


def _ordered_categories(values: Iterable[object]) -> list[str]:
    present = {str(v) for v in values if not _is_na(v)}
    known = [c for c in CATEGORY_ORDER if c in present]
    return known + sorted(present - set(known))


def _leaflet_assets(offline: bool) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """Return (js links, css links, inline header HTML) for Leaflet."""
    if not offline:
        return (
            [("leaflet", f"{LEAFLET_CDN}/leaflet.js")],
            [("leaflet_css", f"{LEAFLET_CDN}/leaflet.css")],
            "",
        )
    static = resources.files("lifecircle.maps").joinpath("static/leaflet")
    js = static.joinpath("leaflet.js").read_text(encoding="utf-8")
    css = static.joinpath("leaflet.css").read_text(encoding="utf-8")
    for image in ("layers.png", "layers-2x.png"):
        data = base64.b64encode(static.joinpath(image).read_bytes()).decode("ascii")
        css = css.replace(f"url(images/{image})", f"url(data:image/png;base64,{data})")
    js = js.replace("</script", "<\\/script")
    return [], [], f"<style>{css}</style>\n<script>{js}</script>"


def _class_breaks(threshold: float | None) -> list[float]:
    if threshold and threshold > 0:
        return [0.5 * threshold, 0.75 * threshold, threshold, 1.5 * threshold]
    return [10.0, 20.0, 30.0, 50.0]


def _class_index(value: float, breaks: list[float]) -> int:
    return int(np.searchsorted(np.asarray(breaks), value, side="right"))


def _station_radius(area_m2: object) -> float:
    if _is_na(area_m2):
        return 5.0
    return float(np.clip(math.sqrt(max(float(area_m2), 0.0)) / 3.0, 4.0, 20.0))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# layers


def _communities_layers(
    m: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    lang: str,
    threshold: float | None,
    legend: list[str],
) -> None:
    if len(frame) == 0:
        return
    value = pd.to_numeric(_col(frame, "area_per_100hh_m2"), errors="coerce")
    required = pd.to_numeric(_col(frame, "area_per_100hh_required_m2"), errors="coerce")
    if threshold is not None:
        required = required.fillna(threshold)
    passed = _col(frame, "area_per_100hh_pass")
    if passed.isna().all() and value.notna().any() and required.notna().any():
        computed = [
            None if _is_na(v) or _is_na(r) else bool(v >= r)
            for v, r in zip(value, required, strict=True)
        ]
        passed = pd.Series(computed, index=frame.index, dtype=object)
    unit = label("m2_per_100hh", lang)
    tips, pops, styles = [], [], []
    source_col = _col(frame, "area_per_100hh_source")
    for i, idx in enumerate(frame.index):
        name = _col(frame, "name").iloc[i]
        ok = passed.iloc[i]
        fill = NA_COLOR if _is_na(ok) else PASS_COLOR if bool(ok) else FAIL_COLOR
        styles.append({"color": "#ffffff", "weight": 1.2, "fillColor": fill, "fillOpacity": 0.5})
        v, r = value.iloc[i], required.iloc[i]
        tip = f"<b>{_esc(name)}</b>"
        if not _is_na(v):
            tip += f"<br>{_fmt(v)} {_esc(unit)}"
            if not _is_na(r):
                tip += f" / {_esc(label('threshold', lang))} {_fmt(r)}"
            tip += f" · {_result_html(ok, lang)}"
        tips.append(tip)
        row = frame.loc[idx]
        shortfall = row.get("area_per_100hh_shortfall_m2")
        rows = [
            (label("id", lang), _fmt(row.get("id"))),
            (label("kind", lang), _fmt(row.get("kind")) if "kind" in frame else ""),
            (label("street", lang), _fmt(row.get("street")) if "street" in frame else ""),
            (label("households", lang), _fmt(row.get("households"), 0)),
            (label("population", lang), _fmt(row.get("population"), 0)),
            (label("service_floor_area_m2", lang), _fmt(row.get("service_floor_area_m2"))),
            (label("area_per_100hh_m2", lang), _fmt(v)),
            (label("threshold", lang), "" if _is_na(r) else f"≥ {_fmt(r)} {_esc(unit)}"),
            (label("result", lang), _result_html(ok, lang)),
            (label("area_per_100hh_shortfall_m2", lang), _fmt(shortfall)),
            (
                label("source", lang),
                "" if _is_na(source_col.iloc[i]) else _esc(source_col.iloc[i]),
            ),
            (
                label("reachable_area_per_100hh_m2", lang),
                _fmt(row.get("reachable_area_per_100hh_m2"))
                if "reachable_area_per_100hh_m2" in frame
                else "",
            ),
            (
                label("community_size_result", lang),
                _result_html(row.get("community_size_result"), lang)
                if "community_size_result" in frame
                else "",
            ),
        ]
        pops.append(_popup(name, rows))
    _add_geojson(m, frame, styles, name=label("communities", lang), tips=tips, pops=pops)
    legend.append(
        f"<h5>{_esc(label('communities', lang))}</h5>"
        + _swatch(PASS_COLOR, label("pass", lang))
        + _swatch(FAIL_COLOR, label("fail", lang))
        + _swatch(NA_COLOR, label("not_provided", lang))
    )
    if value.notna().any():
        breaks = _class_breaks(threshold if threshold else required.dropna().median())
        class_styles = []
        for v in value:
            fill = NA_COLOR if _is_na(v) else CLASS_COLORS[_class_index(float(v), breaks)]
            class_styles.append(
                {"color": "#ffffff", "weight": 1.0, "fillColor": fill, "fillOpacity": 0.6}
            )
        name = f"{label('area_per_100hh_m2', lang)}"
        _add_geojson(m, frame, class_styles, name=name, tips=tips, pops=pops, show=False)
        edges = ["0", *[f"{b:g}" for b in breaks], "+"]
        rows_html = "".join(
            _swatch(CLASS_COLORS[k], f"{edges[k]}–{edges[k + 1]}" if k < 4 else f"≥ {edges[4]}")
            for k in range(5)
        )
        legend.append(f"<h5>{_esc(name)}</h5>{rows_html}")


def _swatch(color: str, text: str, *, opacity: float = 1.0) -> str:
    return (
        f'<div class="lc-row"><span class="lc-sw" style="background:{color};opacity:{opacity}">'
        f"</span>{_esc(text)}</div>"
    )


def _dot(color: str, text: str, size: int = 10) -> str:
    return (
        f'<div class="lc-row"><span class="lc-dot" style="background:{color};width:{size}px;'
        f'height:{size}px"></span>{_esc(text)}</div>'
    )


def _stations_layer(
    m: folium.Map, frame: gpd.GeoDataFrame, *, lang: str, names: dict[str, str], legend: list[str]
) -> None:
    if len(frame) == 0:
        return
    is_station = _col(frame, "category").astype(str).eq("community_service_station")
    if "station_min_area_result" in frame.columns:
        is_station |= frame["station_min_area_result"].notna()
    stations = frame.loc[is_station.to_numpy()]
    if len(stations) == 0:
        return
    tips, pops, styles = [], [], []
    source_col = _col(stations, "station_min_area_source")
    for i in range(len(stations)):
        row = stations.iloc[i]
        result = row.get("station_min_area_result")
        area = row.get("floor_area_m2")
        fill = (
            PASS_COLOR
            if str(result) == "passed"
            else FAIL_COLOR
            if str(result) == "failed"
            else NA_COLOR
        )
        styles.append(
            {
                "radius": _station_radius(area),
                "color": "#ffffff",
                "weight": 1.5,
                "fillColor": fill,
                "fillOpacity": 0.9,
            }
        )
        minimum = row.get("station_min_area_m2")
        tip = f"<b>{_esc(row.get('name'))}</b><br>{_fmt(area)} m²"
        if not _is_na(minimum):
            tip += f" / {_esc(label('threshold', lang))} ≥ {_fmt(minimum)} m²"
        tip += f" · {_result_html(result, lang)}"
        tips.append(tip)
        cat = str(row.get("category"))
        shortfall = (
            max(0.0, float(minimum) - float(area))
            if not _is_na(minimum) and not _is_na(area)
            else None
        )
        rows = [
            (label("id", lang), _fmt(row.get("id"))),
            (label("category", lang), _esc(names.get(cat, cat))),
            (label("tier", lang), _fmt(row.get("tier")) if "tier" in stations else ""),
            (label("floor_area_m2", lang), _fmt(area)),
            (label("station_min_area_m2", lang), _fmt(minimum)),
            (label("result", lang), _result_html(result, lang)),
            (label("shortfall", lang), "" if shortfall is None else f"{_fmt(shortfall)} m²"),
            (
                label("source", lang),
                "" if _is_na(source_col.iloc[i]) else _esc(source_col.iloc[i]),
            ),
            (label("served_households", lang), _fmt(row.get("served_households"), 0)),
            (label("required_floor_area_m2", lang), _fmt(row.get("required_floor_area_m2"))),
            (label("snap_dist_m", lang), _fmt(row.get("snap_dist_m"))),
        ]
        pops.append(_popup(row.get("name"), rows))
    _add_geojson(m, stations, styles, name=label("stations", lang), tips=tips, pops=pops)
    legend.append(
        f"<h5>{_esc(label('stations', lang))}</h5>"
        + _dot(PASS_COLOR, label("pass", lang), 12)
        + _dot(FAIL_COLOR, label("fail", lang), 12)
        + _dot(NA_COLOR, label("not_provided", lang), 12)
        + f'<div class="lc-row" style="color:#555">{_esc(label("station_size_legend", lang))}'
        "</div>"
    )


def _facilities_layer(
    m: folium.Map, frame: gpd.GeoDataFrame, *, lang: str, names: dict[str, str], legend: list[str]
) -> None:
    if len(frame) == 0:
        return
    cats = _ordered_categories(_col(frame, "category"))
    colors = {c: CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i, c in enumerate(cats)}
    tips, pops, styles = [], [], []
    for i in range(len(frame)):
        row = frame.iloc[i]
        cat = str(row.get("category"))
        styles.append(
            {
                "radius": 4.5,
                "color": "#ffffff",
                "weight": 1,
                "fillColor": colors.get(cat, NA_COLOR),
                "fillOpacity": 0.95,
            }
        )
        cname = names.get(cat, cat)
        tips.append(f"<b>{_esc(row.get('name'))}</b><br>{_esc(cname)}")
        rows = [
            (label("id", lang), _fmt(row.get("id"))),
            (label("category", lang), _esc(cname)),
            (label("floor_area_m2", lang), _fmt(row.get("floor_area_m2"))),
            (label("served_households", lang), _fmt(row.get("served_households"), 0)),
            (label("snap_dist_m", lang), _fmt(row.get("snap_dist_m"))),
        ]
        pops.append(_popup(row.get("name"), rows))
    _add_geojson(m, frame, styles, name=label("facilities", lang), tips=tips, pops=pops)
    legend.append(
        f"<h5>{_esc(label('facilities', lang))}</h5>"
        + "".join(_dot(colors[c], names.get(c, c), 9) for c in cats)
    )


def _isochrone_layers(
    m: folium.Map, frame: gpd.GeoDataFrame, *, lang: str, names: dict[str, str], legend: list[str]
) -> None:
    if len(frame) == 0:
        return
    cats = _ordered_categories(_col(frame, "category"))
    levels = _col(frame, "level").astype(str)
    order = {"15min": 0, "10min": 1, "5min": 2}
    for k, cat in enumerate(cats):
        cname = names.get(cat, cat)
        group = folium.FeatureGroup(
            name=f"{label('isochrones', lang)}：{cname}"
            if lang == "zh"
            else f"Isochrones: {cname}",
            show=k == 0,
        )
        sub = frame.loc[_col(frame, "category").astype(str).eq(cat).to_numpy()]
        sub = sub.iloc[np.argsort([order.get(str(v), 3) for v in levels.loc[sub.index]])]
        styles = []
        tips = []
        for lev in sub["level"].astype(str) if "level" in sub else []:
            color = LEVEL_COLORS.get(lev, "#3182bd")
            styles.append(
                {
                    "color": color,
                    "weight": 1,
                    "opacity": 0.7,
                    "fillColor": color,
                    "fillOpacity": 0.16,
                }
            )
            tips.append(f"{_esc(cname)} · {_esc(level_label(lev, lang))}")
        _add_geojson(group, sub, styles, tips=tips)
        group.add_to(m)
    legend.append(
        f"<h5>{_esc(label('isochrones', lang))}</h5>"
        + "".join(
            _swatch(LEVEL_COLORS[lev], level_label(lev, lang), opacity=0.55)
            for lev in ("5min", "10min", "15min")
            if lev in set(levels)
        )
    )


def _uncovered_layers(
    m: folium.Map, frame: gpd.GeoDataFrame, *, lang: str, names: dict[str, str], legend: list[str]
) -> None:
    if len(frame) == 0:
        return
    levels = _col(frame, "level").astype(str)
    level_set: set[str] = set(levels.tolist())
    standard: list[str] = ["5min", "10min", "15min"]
    present = [lev for lev in standard if lev in level_set] or sorted(level_set)
    pop_all = pd.to_numeric(_col(frame, "population"), errors="coerce").fillna(0.0)
    top = float(pop_all.max()) if len(pop_all) else 1.0
    for lev in present:
        sub = frame.loc[levels.eq(lev).to_numpy()]
        keys = shapely.to_wkb(np.asarray(sub.geometry.values, dtype=object))
        groups: dict[bytes, list[int]] = {}
        for i, key in enumerate(keys):
            groups.setdefault(key, []).append(i)
        first = [rows[0] for rows in groups.values()]
        cells = sub.iloc[first]
        styles, tips = [], []
        for rows in groups.values():
            pop = float(pd.to_numeric(sub.iloc[rows[0]].get("population"), errors="coerce") or 0)
            missing = [names.get(str(c), str(c)) for c in _col(sub, "category").iloc[rows]]
            share = math.sqrt(pop / top) if top > 0 else 0.0
            styles.append(
                {
                    "radius": 3.0 + 7.0 * share,
                    "stroke": False,
                    "color": UNCOVERED_COLOR,
                    "fillColor": UNCOVERED_COLOR,
                    "fillOpacity": 0.25 + 0.5 * share,
                }
            )
            tips.append(
                f"<b>{_esc(label('population', lang))} {_fmt(pop, 0)}</b><br>"
                f"{_esc(label('missing_categories', lang))}（{_esc(level_label(lev, lang))}）："
                + "、".join(_esc(c) for c in sorted(set(missing)))
            )
        name = (
            f"{label('uncovered', lang)}（{level_label(lev, lang)}）"
            if lang == "zh"
            else f"{label('uncovered', lang)} ({level_label(lev, lang)})"
        )
        _add_geojson(m, cells, styles, name=name, tips=tips, show=False)
    legend.append(
        f"<h5>{_esc(label('uncovered', lang))}</h5>"
        + _dot(UNCOVERED_COLOR, label("population", lang), 10)
    )


def _sites_layers(
    m: folium.Map,
    sites: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    *,
    lang: str,
    names: dict[str, str],
    legend: list[str],
) -> None:
    if len(catchments):
        styles = [
            {
                "color": SITE_COLOR,
                "weight": 2,
                "dashArray": "6 4",
                "fillColor": SITE_COLOR,
                "fillOpacity": 0.08,
            }
        ] * len(catchments)
        tips = [
            f"{_esc(label('rank', lang))} {_fmt(r)} · {_esc(names.get(str(c), str(c)))}"
            for r, c in zip(_col(catchments, "rank"), _col(catchments, "category"), strict=True)
        ]
        _add_geojson(m, catchments, styles, name=label("site_catchments", lang), tips=tips)
    if len(sites):
        group = folium.FeatureGroup(name=label("sites", lang))
        for i in range(len(sites)):
            row = sites.iloc[i]
            geom = row.geometry
            point = geom if geom.geom_type == "Point" else geom.representative_point()
            cat = str(row.get("category"))
            rank = row.get("rank")
            rows = [
                (label("candidate_id", lang), _fmt(row.get("candidate_id"))),
                (label("category", lang), _esc(names.get(cat, cat))),
                (
                    label("newly_covered_population", lang),
                    _fmt(row.get("newly_covered_population"), 0),
                ),
                (label("required_floor_area_m2", lang), _fmt(row.get("required_floor_area_m2"))),
            ]
            title = f"{label('sites', lang)} #{'' if _is_na(rank) else rank}"
            marker = folium.Marker(
                location=(point.y, point.x),
                icon=folium.DivIcon(
                    html=f'<div class="lc-site">{_fmt(rank)}</div>',
                    icon_size=(24, 24),
                    icon_anchor=(12, 12),
                    class_name="lc-site-icon",
                ),
                tooltip=folium.Tooltip(
                    f"<b>{_esc(title)}</b><br>{_esc(names.get(cat, cat))} · "
                    f"+{_fmt(row.get('newly_covered_population'), 0)} "
                    f"{_esc(label('people', lang))}"
                ),
            )
            marker.add_to(group)
            _BoundPopup(_popup(title, rows)).add_to(marker)
        group.add_to(m)
    if len(sites) or len(catchments):
        legend.append(
            f"<h5>{_esc(label('sites', lang))}</h5>"
            + f'<div class="lc-row"><span class="lc-dot" style="background:{SITE_COLOR};'
            f'width:12px;height:12px;border:2px solid #fff"></span>{_esc(label("sites", lang))}'
            "</div>" + f'<div class="lc-row"><span class="lc-line" style="border-top:2px dashed '
            f'{SITE_COLOR}"></span>{_esc(label("site_catchments", lang))}</div>'
        )


def _streets_layer(m: folium.Map, frame: gpd.GeoDataFrame, *, lang: str) -> str:
    """Add the faint street layer; return its legend entry ("" when there are no streets)."""
    if len(frame) == 0:
        return ""
    style = {"color": STREET_COLOR, "weight": 0.8, "opacity": 0.55}
    _add_geojson(m, frame, [style] * len(frame), name=label("streets", lang), interactive=False)
    return (
        f'<div class="lc-row" style="margin-top:6px"><span class="lc-line" '
        f'style="border-top:1px solid {STREET_COLOR}"></span>{_esc(label("streets", lang))}</div>'
    )


# --------------------------------------------------------------------------------------------
# public API


def build_map(
    *,
    communities: gpd.GeoDataFrame | None,
    facilities: gpd.GeoDataFrame | None,
    isochrones: gpd.GeoDataFrame | None,
    uncovered: gpd.GeoDataFrame | None,
    sites: gpd.GeoDataFrame | None,
    site_catchments: gpd.GeoDataFrame | None,
    streets: gpd.GeoDataFrame | None,
    title: str,
    subtitle: str = "",
    lang: Literal["zh", "en"] = "zh",
    basemap: Basemap = "none",
    offline: bool = False,
    tile_url: str | None = None,
    tile_attribution: str | None = None,
    threshold_m2_per_100hh: float | None = None,
    category_names: Mapping[str, str] = {},
    attribution: str = "",
    m: folium.Map | None = None,
) -> folium.Map:
    """Draw the results of a run on an interactive Leaflet map.

    Parameters
    ----------
    communities, facilities, isochrones, uncovered, sites, site_catchments, streets
        The frames of :class:`lifecircle.analysis.results.RunResults` (any CRS, converted to
        EPSG:4326; any may be empty or None). Optional columns ``area_per_100hh_source`` on
        communities and ``station_min_area_source`` on facilities are shown as the norm source.
    title, subtitle
        The map title (project name) and a second line (the profile).
    lang
        ``"zh"`` or ``"en"``: language of the layer names, legend, tooltips and popups.
    basemap
        ``none`` (default), ``osm``, ``light``, ``tianditu`` (key from ``TIANDITU_KEY``; skipped
        with a notice when absent) or ``amap`` (GCJ-02: overlays are shifted to line up).
    offline
        Inline Leaflet's JS and CSS instead of linking a CDN, for intranets.
    tile_url, tile_attribution
        A tile server URL template replacing the basemap's own (e.g. an intranet mirror).
    threshold_m2_per_100hh
        The floor-area threshold, m² per 100 households, for communities without their own
        ``area_per_100hh_required_m2``; it also sets the classes of the classed layer.
    category_names
        Display names of facility categories (``{"kindergarten": "幼儿园"}``).
    attribution
        A data credit, e.g. ``"© OpenStreetMap contributors (ODbL)"`` (escaped, shown on the map).
    m
        An existing map to draw on; a new one is made when None.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        If ``lang`` or ``basemap`` is not one of the valid values.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, got {lang!r}")
    tiles = resolve_basemap(
        basemap, lang=lang, tile_url=tile_url, tile_attribution=tile_attribution
    )
    gcj02 = tiles.crs == "gcj02"
    frames = {
        "communities": communities,
        "facilities": facilities,
        "isochrones": isochrones,
        "uncovered": uncovered,
        "sites": sites,
        "site_catchments": site_catchments,
        "streets": streets,
    }
    bounds = _total_bounds([f for f in frames.values() if f is not None and len(f)])
    tolerance = 0.0
    if bounds is not None:
        diag = math.hypot(bounds[2] - bounds[0], bounds[3] - bounds[1])
        tolerance = diag / 8000.0  # about 2.5 m for a 20 km county: below a screen pixel
    prepared = {k: _prepare(f, tolerance, gcj02) for k, f in frames.items()}
    bounds = _total_bounds([f for f in prepared.values() if len(f)])

    if m is None:
        center = (
            (round((bounds[1] + bounds[3]) / 2, 6), round((bounds[0] + bounds[2]) / 2, 6))
            if bounds is not None
            else (35.0, 105.0)
        )
        m = folium.Map(
            location=center, zoom_start=4, tiles=None, control_scale=True, prefer_canvas=True
        )
    js, css, inline = _leaflet_assets(offline)
    m.default_js = js
    m.default_css = css
    root = m.get_root()
    if inline:
        root.header.add_child(Element(inline), name="leaflet_inline")  # type: ignore[attr-defined]
    root.header.add_child(  # type: ignore[attr-defined]
        Element(f"<title>{_esc(title)}</title>\n{_CSS}"), name="lifecircle_css"
    )

    for source in tiles.layers:
        folium.TileLayer(
            tiles=source.url,
            attr=source.attribution,
            name=source.name,
            subdomains=source.subdomains,
            max_zoom=source.max_zoom,
            max_native_zoom=min(source.max_zoom, 18),
            overlay=source is not tiles.layers[0],
            control=True,
        ).add_to(m)

    names = _category_names(prepared["facilities"], category_names)
    legend: list[str] = []
    streets_legend = _streets_layer(m, prepared["streets"], lang=lang)
    _isochrone_layers(m, prepared["isochrones"], lang=lang, names=names, legend=legend)
    _communities_layers(
        m, prepared["communities"], lang=lang, threshold=threshold_m2_per_100hh, legend=legend
    )
    _uncovered_layers(m, prepared["uncovered"], lang=lang, names=names, legend=legend)
    _facilities_layer(m, prepared["facilities"], lang=lang, names=names, legend=legend)
    _stations_layer(m, prepared["facilities"], lang=lang, names=names, legend=legend)
    _sites_layers(
        m,
        prepared["sites"],
        prepared["site_catchments"],
        lang=lang,
        names=names,
        legend=legend,
    )
    legend.append(streets_legend)

    notices = [tiles.notice] if tiles.notice else []
    if gcj02:
        notices.append(label("gcj02_note", lang))
    title_html = f'<div class="lc-title"><h1>{_esc(title)}</h1>'
    if subtitle:
        title_html += f'<div class="lc-sub">{_esc(subtitle)}</div>'
    for notice in notices:
        title_html += f'<div class="lc-notice">{_esc(notice)}</div>'
    title_html += "</div>"
    root.html.add_child(Element(title_html), name="lifecircle_title")  # type: ignore[attr-defined]

    legend_html = f"<h4>{_esc(label('legend', lang))}</h4>" + "".join(legend)
    _HtmlControl(legend_html, position="bottomleft", css_class="lc-legend").add_to(m)
    if attribution:
        _Attribution(_esc(attribution)).add_to(m)
    _FullscreenControl(label("fullscreen", lang)).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    if bounds is not None:
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]], padding=(20, 20))
    for notice in notices:
        logger.info("map notice: %s", notice)
    return m


def _total_bounds(frames: list[gpd.GeoDataFrame]) -> tuple[float, float, float, float] | None:
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


def save_map(m: folium.Map, path: Path) -> None:
    """Write the map as one HTML file to exactly ``path`` (UTF-8).

    Parameters
    ----------
    m
        A map from :func:`build_map`.
    path
        The file to write; its folder must exist.
    """
    m.get_root().save(str(path))
    logger.info("wrote %s (%.1f MB)", path, Path(path).stat().st_size / 1e6)
