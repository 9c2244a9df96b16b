"""The map's layers of each scenario: people newly within reach, people no longer within reach, and
the facilities it adds, closes or resizes. Every scenario layer is off when the map opens."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import folium
import geopandas as gpd

from lifecircle.analysis.results import Comparison
from lifecircle.maps.fragments import PopupTable, fmt
from lifecircle.maps.labels import escape_html as _esc, label, level_label
from lifecircle.maps.layers import column
from lifecircle.maps.packed import add_packed
from lifecircle.maps.packing import DisplayScale
from lifecircle.maps.style import FAIL_COLOR, PASS_COLOR, SITE_COLOR

#: Colour of a facility by how the scenario changes it.
CHANGE_COLORS = {"added": PASS_COLOR, "closed": FAIL_COLOR, "resized": SITE_COLOR}


def scenario_layers(
    m: folium.Map,
    scenarios: Sequence[Comparison],
    *,
    prepare: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame],
    lang: str,
    names: dict[str, str],
    legend: list[str],
    scale: DisplayScale,
) -> None:
    """Add, per scenario, its gained and lost people and its changed facilities (off at opening).

    ``prepare`` readies a frame for the page (the map's coordinate shift).
    """
    for c in scenarios:
        prefix = f"{label('scenario_layer', lang)}：{c.name} · "
        for key, frame, color in (
            ("gained_layer", c.gained, PASS_COLOR),
            ("lost_layer", c.lost, FAIL_COLOR),
        ):
            points = prepare(frame)
            tips = [
                f"{_esc(names.get(str(cat), str(cat)))} · {_esc(level_label(str(lv), lang))}: "
                f"{fmt(p, 0)} {_esc(label('people', lang))}"
                for cat, lv, p in zip(
                    column(points, "category"),
                    column(points, "level"),
                    column(points, "population"),
                    strict=True,
                )
            ]
            style = {
                "radius": 4,
                "color": color,
                "fillColor": color,
                "fillOpacity": 0.8,
                "weight": 0,
            }
            add_packed(
                m,
                points,
                [style] * len(points),
                scale=scale,
                name=prefix + label(key, lang),
                tips=tips,
                show=False,
            )
        changed = prepare(c.facilities)
        pops = PopupTable()
        styles = []
        for row in changed.drop(columns="geometry").to_dict("records"):
            change = label(f"change_{row['change']}", lang)
            pops.add(
                f"{row['name']} ({change})",
                [
                    (label("id", lang), _esc(row["id"])),
                    (label("category", lang), _esc(row["category_name"])),
                    (label("floor_area_before", lang), fmt(row["floor_area_before_m2"])),
                    (label("floor_area_after", lang), fmt(row["floor_area_after_m2"])),
                ],
            )
            color = CHANGE_COLORS[str(row["change"])]
            styles.append(
                {"radius": 7, "color": "#fff", "fillColor": color, "fillOpacity": 1, "weight": 2}
            )
        add_packed(
            m,
            changed,
            styles,
            scale=scale,
            name=prefix + label("changed_facilities", lang),
            tips=[
                _esc(f"{n} ({label(f'change_{ch}', lang)})")
                for n, ch in zip(column(changed, "name"), column(changed, "change"), strict=True)
            ],
            pops=pops,
            show=False,
        )
    if scenarios:
        rows = "".join(
            f'<div class="lc-row"><span class="lc-dot" style="background:{color}"></span>'
            f"{_esc(text)}</div>"
            for color, text in (
                (PASS_COLOR, label("gained_layer", lang)),
                (FAIL_COLOR, label("lost_layer", lang)),
                *((CHANGE_COLORS[k], label(f"change_{k}", lang)) for k in CHANGE_COLORS),
            )
        )
        legend.append(f"<h5>{_esc(label('sec_scenarios', lang))}</h5>{rows}")
