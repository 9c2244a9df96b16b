"""The map's walking-time layers: isochrones in minutes, and communities where slope and steps
take reach away.

Walking-time isochrones: one layer per category (off at opening), the areas from which one of
its facilities is reached within each time level at the pace of the group it serves, slope and
steps included; the longest level is drawn first so that the shorter ones lie on top.

For each community in the run's time callouts (slope and steps lower a category's time coverage
by 10 points or more), the outline is drawn (off at opening) and its tooltip lists each category
and level affected: the share of the group served within the minutes on flat ground, and with
slope and steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from lifecircle.analysis.results import WalkingMethods
from lifecircle.maps.fragments import swatch
from lifecircle.maps.labels import escape_html as _esc, label, level_label, minutes_label
from lifecircle.maps.layers import column, ordered_categories
from lifecircle.maps.packed import add_packed
from lifecircle.maps.packing import DisplayScale

#: Outline colour of a community where slope and steps take reach away.
SLOPE_COLOR = "#b35806"
#: At most this many categories are listed per community's tooltip.
MAX_LINES = 6
#: Fill colours of the walking-time isochrones, shortest level first (teals, apart from the
#: blues of the distance isochrones); further levels take the last one.
TIME_LEVEL_COLORS = ("#01665e", "#35978f", "#80cdc1", "#c7eae5")


def _pace(walking: WalkingMethods | None, group: str, lang: str) -> str:
    """The pace of a group for display: ``老年人 0.8 米/秒`` / ``elderly people 0.8 m/s``."""
    if walking is None or group not in walking.speed_mps:
        return ""
    pair = walking.group_names.get(group)
    name = group if pair is None else pair[0 if lang == "zh" else 1]
    return f"{name} {walking.speed_mps[group]:g} {label('m_per_s', lang)}"


def time_isochrone_layers(
    m: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    lang: str,
    names: Mapping[str, str],
    legend: list[str],
    scale: DisplayScale,
    walking: WalkingMethods | None = None,
) -> None:
    """Add one walking-time isochrone layer per category, all off at opening.

    Parameters
    ----------
    m
        The map.
    frame
        The run's ``isochrones_time`` in EPSG:4326: ``category``, ``minutes``, ``group``.
    lang
        ``"zh"`` or ``"en"``.
    names
        Display names of the categories.
    legend
        The legend's HTML parts; an entry with one colour per time level is appended.
    scale
        The map's display scale.
    walking
        How walking time was measured: the groups' names and paces for the tooltips.
    """
    if frame is None or len(frame) == 0:
        return
    minutes = sorted({float(t) for t in column(frame, "minutes")})
    color = {
        t: TIME_LEVEL_COLORS[min(i, len(TIME_LEVEL_COLORS) - 1)] for i, t in enumerate(minutes)
    }
    title = label("time_isochrones", lang)
    sep = "：" if lang == "zh" else ": "
    for cat in ordered_categories(column(frame, "category")):
        sub = frame.loc[column(frame, "category").astype(str).eq(cat).to_numpy()]
        sub = sub.iloc[np.argsort(-sub["minutes"].to_numpy(dtype=float), kind="stable")]
        cname = names.get(cat, cat)
        styles, tips = [], []
        for t, group in zip(sub["minutes"].astype(float), column(sub, "group"), strict=True):
            c = color[float(t)]
            styles.append(
                {"color": c, "weight": 1, "opacity": 0.7, "fillColor": c, "fillOpacity": 0.16}
            )
            pace = _pace(walking, str(group), lang)
            tips.append(
                f"{_esc(cname)} · {_esc(minutes_label(t, lang))}"
                + (f" · {_esc(pace)}" if pace else "")
            )
        add_packed(
            m,
            sub,
            styles,
            scale=scale,
            # Leaflet's layer control inserts the name as HTML: the profile's text is escaped
            name=f"{title}{sep}{_esc(cname)}",
            tips=tips,
            show=False,
        )
    legend.append(
        f"<h5>{_esc(title)}</h5>"
        + "".join(swatch(color[t], minutes_label(t, lang), opacity=0.55) for t in minutes)
        + f'<div class="lc-row">{_esc(label("time_isochrones_legend", lang))}</div>'
    )


def _pct(value: object) -> str:
    return f"{float(value) * 100:.0f}%"  # type: ignore[arg-type]


def walking_layer(
    m: folium.Map,
    communities: gpd.GeoDataFrame,
    callouts: pd.DataFrame,
    *,
    prepare: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame],
    lang: str,
    legend: list[str],
    scale: DisplayScale,
) -> None:
    """Add the communities of ``callouts`` with what slope and steps take away (off at opening)."""
    if callouts is None or callouts.empty or communities is None or communities.empty:
        return
    by_comm = {str(k): g for k, g in callouts.groupby("community_id", sort=False)}
    frame = communities[communities["id"].astype(str).isin(by_comm)]
    frame = prepare(frame.assign(id=frame["id"].astype(str)))
    tips = []
    for cid, name in zip(frame["id"], frame["name"], strict=True):
        rows = by_comm[cid].sort_values("drop", ascending=False)
        lines = [
            f"{_esc(r['category_name'])} · {_esc(level_label(str(r['level']), lang))}："
            f"{_pct(r['flat_time_share'])} → {_pct(r['time_share'])}"
            for r in rows.head(MAX_LINES).to_dict("records")
        ]
        more = len(rows) - MAX_LINES
        if more > 0:
            lines.append(_esc(label("walking_map_more", lang).format(n=more)))
        tips.append(
            f"<b>{_esc(name)}</b><br>{_esc(label('walking_map_tip', lang))}<br>"
            + "<br>".join(lines)
        )
    style = {"color": SLOPE_COLOR, "weight": 3, "fillColor": SLOPE_COLOR, "fillOpacity": 0.15}
    add_packed(
        m,
        frame,
        [style] * len(frame),
        scale=scale,
        name=label("walking_map_layer", lang),
        tips=tips,
        show=False,
    )
    legend.append(
        f"<h5>{_esc(label('walking_map_layer', lang))}</h5>"
        f'<div class="lc-row"><span class="lc-line" style="border-top:3px solid {SLOPE_COLOR}">'
        f"</span>{_esc(label('walking_map_legend', lang))}</div>"
    )
