"""The map's walking-time layer: communities where slope and steps take reach away.

For each community in the run's time callouts (slope and steps lower a category's time coverage
by 10 points or more), the outline is drawn (off at opening) and its tooltip lists each category
and level affected: the share of the group served within the minutes on flat ground, and with
slope and steps.
"""

from __future__ import annotations

from collections.abc import Callable

import folium
import geopandas as gpd
import pandas as pd

from lifecircle.maps.labels import escape_html as _esc, label, level_label
from lifecircle.maps.packed import add_packed
from lifecircle.maps.packing import DisplayScale

#: Outline colour of a community where slope and steps take reach away.
SLOPE_COLOR = "#b35806"
#: At most this many categories are listed per community's tooltip.
MAX_LINES = 6


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
