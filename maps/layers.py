"""The map's layers of what is there: communities, service stations and facilities.

Communities are drawn by their norm result (m² of service floor area per 100 households) and, in a
second layer, by classes of that figure; community service stations by their minimum-size result,
sized by floor area, drawn beneath the facilities so every facility dot stays visible and
clickable on its station; facilities by category; gated compounds and their gates where given.
Each builder adds its layer(s) to the map and appends its legend HTML; the frames are already
prepared (:func:`lifecircle.maps.packed.prepare`). The column, record and category helpers here
serve :mod:`lifecircle.maps.reach` too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from lifecircle.maps.fragments import PopupTable, dot, fmt, result_html, swatch
from lifecircle.maps.labels import escape_html as _esc, is_missing as _is_na, label
from lifecircle.maps.packed import add_packed
from lifecircle.maps.packing import DisplayScale
from lifecircle.maps.style import (
    CATEGORY_PALETTE,
    CLASS_COLORS,
    COMPOUND_COLOR,
    FAIL_COLOR,
    GATE_COLOR,
    NA_COLOR,
    PASS_COLOR,
)
from lifecircle.vocab import CATEGORIES, STATION


def column(frame: pd.DataFrame, name: str) -> pd.Series:
    """The column ``name`` of ``frame``, or a column of None where the frame lacks it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The frame's rows as dicts (without the geometry), for the tooltip and popup loops."""
    plain = pd.DataFrame(frame.drop(columns=frame.geometry.name)) if len(frame.columns) else frame
    return plain.to_dict("records")  # type: ignore[return-value]


def display_names(
    facilities: gpd.GeoDataFrame, category_names: Mapping[str, str]
) -> dict[str, str]:
    """Category display names: ``category_names``, then the facilities' own ``category_name``."""
    names = dict(category_names)
    if {"category", "category_name"} <= set(facilities.columns):
        for cat, cname in zip(facilities["category"], facilities["category_name"], strict=True):
            if not _is_na(cat) and not _is_na(cname):
                names.setdefault(str(cat), str(cname))
    return names


def ordered_categories(values: Iterable[object]) -> list[str]:
    """The categories present, known ones in the norms' order first, then the rest sorted."""
    present = {str(v) for v in values if not _is_na(v)}
    known = [c for c in CATEGORIES if c in present]
    return known + sorted(present - set(known))


def _class_breaks(threshold: float | None) -> list[float]:
    if threshold and threshold > 0:
        return [0.5 * threshold, 0.75 * threshold, threshold, 1.5 * threshold]
    return [10.0, 20.0, 30.0, 50.0]


def _class_index(value: float, breaks: list[float]) -> int:
    return int(np.searchsorted(np.asarray(breaks), value, side="right"))


#: Radius of a facility's dot (px); a station's circle is at least :data:`STATION_MIN_RADIUS`,
#: so the ring of a station stays visible around the dot drawn on it.
FACILITY_RADIUS = 4.5
STATION_MIN_RADIUS = 8.0


def _station_radius(area_m2: object) -> float:
    """A station's circle (px) from its floor area (m²), 8–20 px; 8 px where unknown."""
    if _is_na(area_m2):
        return STATION_MIN_RADIUS
    area = max(float(area_m2), 0.0)  # type: ignore[arg-type]
    return float(np.clip(math.sqrt(area) / 3.0, STATION_MIN_RADIUS, 20.0))


def communities_layers(
    m: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    lang: str,
    threshold: float | None,
    legend: list[str],
    scale: DisplayScale,
) -> None:
    """Add the communities by norm result and by classes of m² per 100 households."""
    if len(frame) == 0:
        return
    value = pd.to_numeric(column(frame, "area_per_100hh_m2"), errors="coerce")
    required = pd.to_numeric(column(frame, "area_per_100hh_required_m2"), errors="coerce")
    if threshold is not None:
        required = required.fillna(threshold)
    passed = column(frame, "area_per_100hh_pass")
    if passed.isna().all() and value.notna().any() and required.notna().any():
        computed = [
            None if _is_na(v) or _is_na(r) else bool(v >= r)
            for v, r in zip(value, required, strict=True)
        ]
        passed = pd.Series(computed, index=frame.index, dtype=object)
    unit = label("m2_per_100hh", lang)
    tips, styles = [], []
    pops = PopupTable()
    source_col = column(frame, "area_per_100hh_source")
    for i, row in enumerate(records(frame)):
        name = row.get("name")
        ok = passed.iloc[i]
        fill = NA_COLOR if _is_na(ok) else PASS_COLOR if bool(ok) else FAIL_COLOR
        styles.append({"color": "#ffffff", "weight": 1.2, "fillColor": fill, "fillOpacity": 0.5})
        v, r = value.iloc[i], required.iloc[i]
        tip = f"<b>{_esc(name)}</b>"
        if not _is_na(v):
            tip += f"<br>{fmt(v)} {_esc(unit)}"
            if not _is_na(r):
                tip += f" / {_esc(label('threshold', lang))} {fmt(r)}"
            tip += f" · {result_html(ok, lang)}"
        tips.append(tip)
        shortfall = row.get("area_per_100hh_shortfall_m2")
        rows = [
            (label("id", lang), fmt(row.get("id"))),
            (label("kind", lang), fmt(row.get("kind")) if "kind" in frame else ""),
            (label("street", lang), fmt(row.get("street")) if "street" in frame else ""),
            (label("households", lang), fmt(row.get("households"), 0)),
            (label("population", lang), fmt(row.get("population"), 0)),
            (label("service_floor_area_m2", lang), fmt(row.get("service_floor_area_m2"))),
            (label("area_per_100hh_m2", lang), fmt(v)),
            (label("threshold", lang), "" if _is_na(r) else f"≥ {fmt(r)} {_esc(unit)}"),
            (label("result", lang), result_html(ok, lang)),
            (label("area_per_100hh_shortfall_m2", lang), fmt(shortfall)),
            (
                label("source", lang),
                "" if _is_na(source_col.iloc[i]) else _esc(source_col.iloc[i]),
            ),
            (
                label("reachable_area_per_100hh_m2", lang),
                fmt(row.get("reachable_area_per_100hh_m2"))
                if "reachable_area_per_100hh_m2" in frame
                else "",
            ),
            (
                label("community_size_result", lang),
                result_html(row.get("community_size_result"), lang)
                if "community_size_result" in frame
                else "",
            ),
        ]
        pops.add(name, rows)
    add_packed(m, frame, styles, scale=scale, name=label("communities", lang), tips=tips, pops=pops)
    legend.append(
        f"<h5>{_esc(label('communities', lang))}</h5>"
        + swatch(PASS_COLOR, label("pass", lang))
        + swatch(FAIL_COLOR, label("fail", lang))
        + swatch(NA_COLOR, label("not_provided", lang))
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
        add_packed(m, frame, class_styles, scale=scale, name=name, tips=tips, pops=pops, show=False)
        edges = ["0", *[f"{b:g}" for b in breaks], "+"]
        rows_html = "".join(
            swatch(CLASS_COLORS[k], f"{edges[k]}–{edges[k + 1]}" if k < 4 else f"≥ {edges[4]}")
            for k in range(5)
        )
        legend.append(f"<h5>{_esc(name)}</h5>{rows_html}")


def stations_layer(
    m: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    lang: str,
    names: dict[str, str],
    legend: list[str],
    scale: DisplayScale,
) -> None:
    """Add the community service stations by minimum-size result, sized by floor area."""
    if len(frame) == 0:
        return
    is_station = column(frame, "category").astype(str).eq(STATION)
    if "station_min_area_result" in frame.columns:
        is_station |= frame["station_min_area_result"].notna()
    stations = frame.loc[is_station.to_numpy()]
    if len(stations) == 0:
        return
    tips, styles = [], []
    pops = PopupTable()
    source_col = column(stations, "station_min_area_source")
    for i, row in enumerate(records(stations)):
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
        tip = f"<b>{_esc(row.get('name'))}</b><br>{fmt(area)} m²"
        if not _is_na(minimum):
            tip += f" / {_esc(label('threshold', lang))} ≥ {fmt(minimum)} m²"
        tip += f" · {result_html(result, lang)}"
        tips.append(tip)
        cat = str(row.get("category"))
        shortfall = (
            max(0.0, float(minimum) - float(area))  # type: ignore[arg-type]
            if not _is_na(minimum) and not _is_na(area)
            else None
        )
        rows = [
            (label("id", lang), fmt(row.get("id"))),
            (label("category", lang), _esc(names.get(cat, cat))),
            (label("tier", lang), fmt(row.get("tier")) if "tier" in stations else ""),
            (label("floor_area_m2", lang), fmt(area)),
            (label("station_min_area_m2", lang), fmt(minimum)),
            (label("result", lang), result_html(result, lang)),
            (label("shortfall", lang), "" if shortfall is None else f"{fmt(shortfall)} m²"),
            (
                label("source", lang),
                "" if _is_na(source_col.iloc[i]) else _esc(source_col.iloc[i]),
            ),
            (label("served_households", lang), fmt(row.get("served_households"), 0)),
            (label("required_floor_area_m2", lang), fmt(row.get("required_floor_area_m2"))),
            (label("snap_dist_m", lang), fmt(row.get("snap_dist_m"))),
        ]
        pops.add(row.get("name"), rows)
    add_packed(m, stations, styles, scale=scale, name=label("stations", lang), tips=tips, pops=pops)
    legend.append(
        f"<h5>{_esc(label('stations', lang))}</h5>"
        + dot(PASS_COLOR, label("pass", lang), 12)
        + dot(FAIL_COLOR, label("fail", lang), 12)
        + dot(NA_COLOR, label("not_provided", lang), 12)
        + f'<div class="lc-row" style="color:#555">{_esc(label("station_size_legend", lang))}'
        "</div>"
    )


def facilities_layer(
    m: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    lang: str,
    names: dict[str, str],
    legend: list[str],
    scale: DisplayScale,
) -> None:
    """Add every facility, coloured by category."""
    if len(frame) == 0:
        return
    # the stations' own dots first: a facility beside a station is drawn over it, clickable
    station_first = np.argsort(
        ~column(frame, "category").astype(str).eq(STATION).to_numpy(), kind="stable"
    )
    frame = frame.iloc[station_first]
    cats = ordered_categories(column(frame, "category"))
    colors = {c: CATEGORY_PALETTE[i % len(CATEGORY_PALETTE)] for i, c in enumerate(cats)}
    tips, styles = [], []
    pops = PopupTable()
    for row in records(frame):
        cat = str(row.get("category"))
        styles.append(
            {
                "radius": FACILITY_RADIUS,
                "color": "#ffffff",
                "weight": 1,
                "fillColor": colors.get(cat, NA_COLOR),
                "fillOpacity": 0.95,
            }
        )
        cname = names.get(cat, cat)
        tips.append(f"<b>{_esc(row.get('name'))}</b><br>{_esc(cname)}")
        rows = [
            (label("id", lang), fmt(row.get("id"))),
            (label("category", lang), _esc(cname)),
            (label("floor_area_m2", lang), fmt(row.get("floor_area_m2"))),
            (label("served_households", lang), fmt(row.get("served_households"), 0)),
            (label("snap_dist_m", lang), fmt(row.get("snap_dist_m"))),
        ]
        pops.add(row.get("name"), rows)
    add_packed(m, frame, styles, scale=scale, name=label("facilities", lang), tips=tips, pops=pops)
    legend.append(
        f"<h5>{_esc(label('facilities', lang))}</h5>"
        + "".join(dot(colors[c], names.get(c, c), 9) for c in cats)
    )


def compounds_layers(
    m: folium.Map,
    compounds: gpd.GeoDataFrame,
    gates: gpd.GeoDataFrame,
    *,
    lang: str,
    legend: list[str],
    scale: DisplayScale,
) -> None:
    """Add the gated compounds (outlines, under the facilities, not hiding the communities'
    tooltips) and their gates (points with the gate's and its compound's ids)."""
    if len(compounds) or len(gates):
        legend.append(f"<h5>{_esc(label('compounds_legend', lang))}</h5>")
    if len(compounds):
        style = {
            "color": COMPOUND_COLOR,
            "weight": 1.5,
            "opacity": 0.9,
            "fillColor": COMPOUND_COLOR,
            "fillOpacity": 0.08,
        }
        name = label("compounds", lang)
        add_packed(
            m, compounds, [style] * len(compounds), scale=scale, name=name, interactive=False
        )
        legend.append(
            f'<div class="lc-row"><span class="lc-sw" style="background:{COMPOUND_COLOR}33;'
            f'border:1.5px solid {COMPOUND_COLOR}"></span>{_esc(name)}</div>'
        )
    if len(gates):
        # hollow rings on the compound's outline, unlike the facilities' filled dots
        style = {"radius": 3.5, "color": GATE_COLOR, "weight": 2, "fillColor": "#ffffff"}
        tips = []
        for row in records(gates):
            tip = f"<b>{_esc(label('gate', lang))} {_esc(row.get('id'))}</b>"
            if not _is_na(row.get("compound_id")):
                tip += f"<br>{_esc(label('compound', lang))} {_esc(row.get('compound_id'))}"
            tips.append(tip)
        name = label("gates", lang)
        styles = [style | {"fillOpacity": 1.0}] * len(gates)
        add_packed(m, gates, styles, scale=scale, name=name, tips=tips)
        legend.append(
            f'<div class="lc-row"><span class="lc-dot" style="background:#ffffff;width:8px;'
            f'height:8px;border:2px solid {GATE_COLOR}"></span>{_esc(name)}</div>'
        )
