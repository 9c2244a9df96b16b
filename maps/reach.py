"""The map's layers of walking reach, gaps and proposals.

Isochrones per category (5 / 10 / 15 minutes), uncovered population by level, proposed sites with
their catchments, and the faint street network they are measured on. Each builder adds its
layer(s) to the map and appends (or returns) its legend HTML.
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lifecircle.maps.controls import BoundPopup
from lifecircle.maps.fragments import dot, fmt, popup, swatch
from lifecircle.maps.geojson import add_geojson
from lifecircle.maps.labels import escape_html as _esc, is_missing as _is_na, label, level_label
from lifecircle.maps.layers import column, ordered_categories
from lifecircle.maps.style import LEVEL_COLORS, SITE_COLOR, STREET_COLOR, UNCOVERED_COLOR


def isochrone_layers(
    m: folium.Map, frame: gpd.GeoDataFrame, *, lang: str, names: dict[str, str], legend: list[str]
) -> None:
    """Add one isochrone group per category, only the first shown; in each, the 15-minute areas
    are drawn first so that the 10- and 5-minute ones lie on top."""
    if len(frame) == 0:
        return
    cats = ordered_categories(column(frame, "category"))
    levels = column(frame, "level").astype(str)
    order = {"15min": 0, "10min": 1, "5min": 2}
    for k, cat in enumerate(cats):
        cname = names.get(cat, cat)
        group = folium.FeatureGroup(
            name=f"{label('isochrones', lang)}：{cname}"
            if lang == "zh"
            else f"Isochrones: {cname}",
            show=k == 0,
        )
        sub = frame.loc[column(frame, "category").astype(str).eq(cat).to_numpy()]
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
        add_geojson(group, sub, styles, tips=tips)
        group.add_to(m)
    legend.append(
        f"<h5>{_esc(label('isochrones', lang))}</h5>"
        + "".join(
            swatch(LEVEL_COLORS[lev], level_label(lev, lang), opacity=0.55)
            for lev in ("5min", "10min", "15min")
            if lev in set(levels)
        )
    )


def uncovered_layers(
    m: folium.Map, frame: gpd.GeoDataFrame, *, lang: str, names: dict[str, str], legend: list[str]
) -> None:
    """Add one layer per level of uncovered demand points, sized by population."""
    if len(frame) == 0:
        return
    levels = column(frame, "level").astype(str)
    level_set: set[str] = set(levels.tolist())
    standard: list[str] = ["5min", "10min", "15min"]
    present = [lev for lev in standard if lev in level_set] or sorted(level_set)
    pop_all = pd.to_numeric(column(frame, "population"), errors="coerce").fillna(0.0)
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
            missing = [names.get(str(c), str(c)) for c in column(sub, "category").iloc[rows]]
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
                f"<b>{_esc(label('population', lang))} {fmt(pop, 0)}</b><br>"
                f"{_esc(label('missing_categories', lang))}（{_esc(level_label(lev, lang))}）："
                + "、".join(_esc(c) for c in sorted(set(missing)))
            )
        name = (
            f"{label('uncovered', lang)}（{level_label(lev, lang)}）"
            if lang == "zh"
            else f"{label('uncovered', lang)} ({level_label(lev, lang)})"
        )
        add_geojson(m, cells, styles, name=name, tips=tips, show=False)
    legend.append(
        f"<h5>{_esc(label('uncovered', lang))}</h5>"
        + dot(UNCOVERED_COLOR, label("population", lang), 10)
    )


def sites_layers(
    m: folium.Map,
    sites: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    *,
    lang: str,
    names: dict[str, str],
    legend: list[str],
) -> None:
    """Add the proposed sites' catchments and their numbered markers."""
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
            f"{_esc(label('rank', lang))} {fmt(r)} · {_esc(names.get(str(c), str(c)))}"
            for r, c in zip(column(catchments, "rank"), column(catchments, "category"), strict=True)
        ]
        add_geojson(m, catchments, styles, name=label("site_catchments", lang), tips=tips)
    if len(sites):
        group = folium.FeatureGroup(name=label("sites", lang))
        for i in range(len(sites)):
            row = sites.iloc[i]
            geom = row.geometry
            point = geom if geom.geom_type == "Point" else geom.representative_point()
            cat = str(row.get("category"))
            rank = row.get("rank")
            rows = [
                (label("candidate_id", lang), fmt(row.get("candidate_id"))),
                (label("category", lang), _esc(names.get(cat, cat))),
                (
                    label("newly_covered_population", lang),
                    fmt(row.get("newly_covered_population"), 0),
                ),
                (label("required_floor_area_m2", lang), fmt(row.get("required_floor_area_m2"))),
            ]
            title = f"{label('sites', lang)} #{'' if _is_na(rank) else rank}"
            marker = folium.Marker(
                location=(point.y, point.x),
                icon=folium.DivIcon(
                    html=f'<div class="lc-site">{fmt(rank)}</div>',
                    icon_size=(24, 24),
                    icon_anchor=(12, 12),
                    class_name="lc-site-icon",
                ),
                tooltip=folium.Tooltip(
                    f"<b>{_esc(title)}</b><br>{_esc(names.get(cat, cat))} · "
                    f"+{fmt(row.get('newly_covered_population'), 0)} "
                    f"{_esc(label('people', lang))}"
                ),
            )
            marker.add_to(group)
            BoundPopup(popup(title, rows)).add_to(marker)
        group.add_to(m)
    if len(sites) or len(catchments):
        legend.append(
            f"<h5>{_esc(label('sites', lang))}</h5>"
            + f'<div class="lc-row"><span class="lc-dot" style="background:{SITE_COLOR};'
            f'width:12px;height:12px;border:2px solid #fff"></span>{_esc(label("sites", lang))}'
            "</div>" + f'<div class="lc-row"><span class="lc-line" style="border-top:2px dashed '
            f'{SITE_COLOR}"></span>{_esc(label("site_catchments", lang))}</div>'
        )


def streets_layer(m: folium.Map, frame: gpd.GeoDataFrame, *, lang: str) -> str:
    """Add the faint street layer; return its legend entry ("" when there are no streets)."""
    if len(frame) == 0:
        return ""
    style = {"color": STREET_COLOR, "weight": 0.8, "opacity": 0.55}
    add_geojson(m, frame, [style] * len(frame), name=label("streets", lang), interactive=False)
    return (
        f'<div class="lc-row" style="margin-top:6px"><span class="lc-line" '
        f'style="border-top:1px solid {STREET_COLOR}"></span>{_esc(label("streets", lang))}</div>'
    )
