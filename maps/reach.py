"""The map's layers of walking reach, gaps and proposals.

Isochrones per category (5 / 10 / 15 minutes), uncovered population by level as classed cells
(:mod:`lifecircle.maps.cells`), proposed sites with their catchments, and the faint street network
they are measured on. Each builder adds its layer(s) to the map and appends (or returns) its legend
HTML.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np

from lifecircle.geo.chinacrs import wgs84_to_gcj02
from lifecircle.maps.cells import half_steps_lonlat, uncovered_cells
from lifecircle.maps.controls import BoundPopup
from lifecircle.maps.fragments import fmt, popup, swatch
from lifecircle.maps.labels import escape_html as _esc, is_missing as _is_na, label, level_label
from lifecircle.maps.layers import column, ordered_categories, records
from lifecircle.maps.packed import PackedLayer, add_packed
from lifecircle.maps.packing import DisplayScale, pack_ints
from lifecircle.maps.style import (
    LEVEL_COLORS,
    SITE_COLOR,
    STREET_COLOR,
    UNCOVERED_CLASS_COLORS,
    UNCOVERED_OPACITY,
)


def isochrone_layers(
    m: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    lang: str,
    names: dict[str, str],
    legend: list[str],
    scale: DisplayScale,
) -> None:
    """Add one isochrone layer per category, only the first shown; in each, the 15-minute areas
    are drawn first so that the 10- and 5-minute ones lie on top."""
    if len(frame) == 0:
        return
    cats = ordered_categories(column(frame, "category"))
    levels = column(frame, "level").astype(str)
    order = {"15min": 0, "10min": 1, "5min": 2}
    for k, cat in enumerate(cats):
        cname = names.get(cat, cat)
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
        add_packed(
            m,
            sub,
            styles,
            scale=scale,
            # Leaflet's layer control inserts the name as HTML: the profile's text is escaped
            name=f"{label('isochrones', lang)}：{_esc(cname)}"
            if lang == "zh"
            else f"Isochrones: {_esc(cname)}",
            tips=tips,
            show=k == 0,
        )
    legend.append(
        f"<h5>{_esc(label('isochrones', lang))}</h5>"
        + "".join(
            swatch(LEVEL_COLORS[lev], level_label(lev, lang), opacity=0.55)
            for lev in ("5min", "10min", "15min")
            if lev in set(levels)
        )
    )


def population_breaks(population: np.ndarray) -> list[float]:
    """Four class breaks (persons per cell) for the uncovered cells, round numbers (1, 2, 5 × 10^k).

    Each break is the round number nearest (on a log scale) to the 20th, 40th, 60th and 80th
    percentile of the cells' population, moved up to the next round number where needed so that
    the breaks increase.

    Examples
    --------
    >>> population_breaks(np.arange(1.0, 101.0))
    [20.0, 50.0, 100.0, 200.0]
    """
    pos = population[population > 0]
    if len(pos) == 0:
        return [1.0, 2.0, 5.0, 10.0]
    low = int(np.floor(np.log10(pos.min()))) - 1
    high = int(np.ceil(np.log10(pos.max()))) + 2
    nice = np.array([m * 10.0**e for e in range(low, high) for m in (1.0, 2.0, 5.0)])
    out: list[float] = []
    for q in (20, 40, 60, 80):
        v = float(np.percentile(pos, q))
        k = int(np.argmin(np.abs(np.log(nice) - np.log(v))))
        if out:
            k = max(k, int(np.searchsorted(nice, out[-1], side="right")))
        out.append(float(nice[k]))
    return out


def uncovered_layers(
    m: folium.Map,
    frame: gpd.GeoDataFrame,
    *,
    lang: str,
    names: dict[str, str],
    legend: list[str],
    scale: DisplayScale,
    gcj02: bool,
) -> None:
    """Add one layer per level of uncovered population, as cells classed by persons per cell.

    ``frame`` is in WGS84, unshifted (the cells are found on the points' own lattice, then
    shifted with the other overlays when the basemap is GCJ-02).
    """
    if len(frame) == 0:
        return
    level_set: set[str] = set(column(frame, "level").astype(str).tolist())
    standard: list[str] = ["5min", "10min", "15min"]
    present = [lev for lev in standard if lev in level_set] or sorted(level_set)
    grid, per_level = uncovered_cells(frame, present)
    if grid is None:
        return
    breaks = population_breaks(np.concatenate([c.population for c in per_level]))
    for cells in per_level:
        centres = cells.centre_lonlat
        if gcj02:
            centres = np.column_stack(wgs84_to_gcj02(centres[:, 0], centres[:, 1]))
        half = half_steps_lonlat(grid, cells.centre_lonlat[len(centres) // 2])
        grid_xy = scale.grid(centres)
        deltas = np.diff(grid_xy, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
        lev = cells.level
        data = {
            "n": len(centres),
            "c": pack_ints(deltas),
            "pop": pack_ints(np.rint(cells.population * 10.0).astype(np.int64)),
            "mask": pack_ints(cells.missing),
            "cats": [_esc(names.get(c, c)) for c in cells.categories],
            "breaks": breaks,
            "colors": list(UNCOVERED_CLASS_COLORS),
            "opacity": UNCOVERED_OPACITY,
            "half": np.round(half, 9).tolist(),
            "tip": [
                f"<b>{_esc(label('population', lang))} ",
                f"</b><br>{_esc(label('missing_categories', lang))}"
                f"（{_esc(level_label(lev, lang))}）：",
                "、",
            ],
        }
        name = (
            f"{label('uncovered', lang)}（{level_label(lev, lang)}）"
            if lang == "zh"
            else f"{label('uncovered', lang)} ({level_label(lev, lang)})"
        )
        lon, lat = centres[:, 0], centres[:, 1]
        bounds = [[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]]
        PackedLayer("cells", data, name=name, show=False, bounds=bounds).add_to(m)
    edges = ["0", *[f"{b:g}" for b in breaks]]
    size_i, size_j = grid.size_m
    unit = label("persons_per_cell", lang).format(size=f"{size_i:.0f} × {size_j:.0f}")
    unit = f"（{unit}）" if lang == "zh" else f" ({unit})"
    legend.append(
        f"<h5>{_esc(label('uncovered', lang))}</h5>"
        f'<div class="lc-row" style="color:#555">{_esc(label("population", lang) + unit)}</div>'
        + "".join(
            swatch(
                color,
                f"{edges[k]}–{edges[k + 1]}" if k < len(breaks) else f"≥ {edges[-1]}",
                opacity=UNCOVERED_OPACITY,
            )
            for k, color in enumerate(UNCOVERED_CLASS_COLORS)
        )
    )


def sites_layers(
    m: folium.Map,
    sites: gpd.GeoDataFrame,
    catchments: gpd.GeoDataFrame,
    *,
    lang: str,
    names: dict[str, str],
    legend: list[str],
    scale: DisplayScale,
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
        add_packed(
            m, catchments, styles, scale=scale, name=label("site_catchments", lang), tips=tips
        )
    if len(sites):
        group = folium.FeatureGroup(name=label("sites", lang))
        for row, geom in zip(records(sites), sites.geometry.values, strict=True):
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
            define = label("site_popup_def", lang)
            if not _is_na(row.get("walking_saved_km_person")):  # p-median: its own objective
                saved = fmt(row.get("walking_saved_km_person"), 1)
                rows.insert(3, (label("walking_saved_km_person", lang), saved))
                define += " " + label("site_popup_def_p_median", lang)
            rows.append((label("definition", lang), _esc(define)))
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


def streets_layer(m: folium.Map, frame: gpd.GeoDataFrame, *, lang: str, scale: DisplayScale) -> str:
    """Add the faint street layer (one path); return its legend entry ("" without streets)."""
    if len(frame) == 0:
        return ""
    style = {"color": STREET_COLOR, "weight": 0.8, "opacity": 0.55}
    add_packed(
        m,
        frame,
        [style] * len(frame),
        scale=scale,
        name=label("streets", lang),
        interactive=False,
    )
    return (
        f'<div class="lc-row" style="margin-top:6px"><span class="lc-line" '
        f'style="border-top:1px solid {STREET_COLOR}"></span>{_esc(label("streets", lang))}</div>'
    )
