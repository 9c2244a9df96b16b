"""The interactive HTML map (``map.html``): coverage, norms, gaps and proposed sites on one page.

This module is the public entry: :func:`build_map` draws a run on a folium map and :func:`save_map`
writes it. The map takes the frames of a run (all in EPSG:4326) and plain values, never the
analysis objects, so it can be drawn from a ``results.gpkg`` too. Every string that comes from user
data is HTML-escaped before it reaches the page; tooltips and popups are built in Python and bound
in the browser from feature properties.

The pieces: :mod:`~lifecircle.maps.style` (colours, stylesheet), :mod:`~lifecircle.maps.packing`
(the display scale and the packed geometry streams), :mod:`~lifecircle.maps.packed` (frames to
packed layers, and the page's script ``static/lcmap.js``), :mod:`~lifecircle.maps.cells`
(uncovered population as cells), :mod:`~lifecircle.maps.fragments` (HTML fragments),
:mod:`~lifecircle.maps.layers` and :mod:`~lifecircle.maps.reach` (the layer builders),
:mod:`~lifecircle.maps.controls` (Leaflet controls) and :mod:`~lifecircle.maps.offline` (Leaflet
from a CDN or inlined).

The page stays small at county scale: lines and outlines are simplified to the display scale
and packed (:mod:`~lifecircle.maps.packing`), the uncovered population is drawn as classed cells,
every layer is drawn on a canvas, and a layer that is off at opening is decoded when first
switched on. The same inputs give a byte-identical page: element ids are numbered in order, not
drawn at random.

Examples
--------
>>> m = build_map(communities=communities, facilities=facilities, isochrones=isochrones,
...               uncovered=uncovered, sites=sites, site_catchments=catchments, streets=streets,
...               title="示例县城", subtitle="cn-national")  # doctest: +SKIP
>>> save_map(m, Path("out/map.html"))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element

from lifecircle.analysis.results import Comparison, WalkingMethods
from lifecircle.maps.basemaps import resolve_basemap
from lifecircle.maps.controls import (
    Attribution,
    AttributionPrefix,
    FullscreenControl,
    HtmlControl,
    MetricScale,
)
from lifecircle.maps.labels import escape_html as _esc, label
from lifecircle.maps.layers import (
    communities_layers,
    compounds_layers,
    display_names,
    facilities_layer,
    stations_layer,
)
from lifecircle.maps.offline import leaflet_assets
from lifecircle.maps.packed import Opening, RawHtml, prepare, runtime, total_bounds
from lifecircle.maps.packing import DisplayScale
from lifecircle.maps.reach import isochrone_layers, sites_layers, streets_layer, uncovered_layers
from lifecircle.maps.scenariolayers import scenario_layers
from lifecircle.maps.style import CSS
from lifecircle.maps.walklayers import time_isochrone_layers, walking_layer
from lifecircle.vocab import LANGS, Basemap, Lang

logger = logging.getLogger(__name__)

__all__ = ["Basemap", "build_map", "save_map"]


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
    lang: Lang = "zh",
    basemap: Basemap = "none",
    offline: bool = True,
    tile_url: str | None = None,
    tile_attribution: str | None = None,
    threshold_m2_per_100hh: float | None = None,
    category_names: Mapping[str, str] = {},
    attribution: str = "",
    m: folium.Map | None = None,
    count: Callable[[int, int], None] | None = None,
    scenarios: Sequence[Comparison] = (),
    time_callouts: pd.DataFrame | None = None,
    isochrones_time: gpd.GeoDataFrame | None = None,
    walking: WalkingMethods | None = None,
    compounds: gpd.GeoDataFrame | None = None,
    gates: gpd.GeoDataFrame | None = None,
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
        Inline Leaflet's JS and CSS (the default), so the page opens without internet; False
        links them from a CDN. Basemap tiles always come from their server: without it the
        layers are drawn on a plain background, and the layer control says the tiles need
        internet.
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
    count
        Told ``(done, total)`` as the groups of layers are drawn (streets, isochrones,
        communities, uncovered population, compounds, stations, facilities, proposed sites,
        walking, scenarios).
    scenarios
        How each scenario changes the run (:class:`~lifecircle.analysis.results.Comparison`):
        its gained and lost people and its changed facilities, as layers off at opening.
    time_callouts
        Communities where slope and steps cut a category's walking-time coverage (the run's
        ``time_callouts``), drawn as a layer off at opening.
    isochrones_time
        The run's walking-time isochrones (``category``, ``minutes``, ``group``), one layer per
        category off at opening; None or empty: none drawn.
    walking
        How walking time was measured (the groups' names and paces, for the tooltips).
    compounds, gates
        The gated compounds (polygons, ``id``) and their gates (points, ``id``,
        ``compound_id``), any CRS; drawn as outlines and dots when given.

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
        "isochrones_time": isochrones_time,
        "compounds": compounds,
        "gates": gates,
    }
    # the uncovered points are gathered into cells on their own lattice first, then shifted
    prepared = {k: prepare(f, gcj02 and k != "uncovered") for k, f in frames.items()}
    bounds = total_bounds([f for f in prepared.values() if len(f)])
    scale = DisplayScale.for_bounds(bounds)
    # the page opens on the study area, the communities, not on the whole network around them
    view = total_bounds([prepared["communities"]]) if len(prepared["communities"]) else bounds

    if m is None:
        center = (
            (round((view[1] + view[3]) / 2, 6), round((view[0] + view[2]) / 2, 6))
            if view is not None
            else (35.0, 105.0)
        )
        m = folium.Map(
            location=center, zoom_start=4, tiles=None, control_scale=False, prefer_canvas=True
        )
    js, css, inline = leaflet_assets(offline)
    m.default_js = js
    m.default_css = css
    root = m.get_root()
    if inline:
        root.header.add_child(RawHtml(inline), name="leaflet_inline")  # type: ignore[attr-defined]
    root.header.add_child(  # type: ignore[attr-defined]
        Element(f"<title>{_esc(title)}</title>\n{CSS}"), name="lifecircle_css"
    )
    root.header.add_child(runtime(scale), name="lifecircle_runtime")  # type: ignore[attr-defined]

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

    names = display_names(prepared["facilities"], category_names)
    legend: list[str] = []
    streets_legend: list[str] = []  # the streets' entry closes the legend

    def isochrones_drawn() -> None:
        """The isochrones by distance, then those by walking time (one group of layers)."""
        isochrone_layers(
            m, prepared["isochrones"], lang=lang, names=names, legend=legend, scale=scale
        )
        time_isochrone_layers(
            m,
            prepared["isochrones_time"],
            lang=lang,
            names=names,
            legend=legend,
            scale=scale,
            walking=walking,
        )

    groups: list[Callable[[], object]] = [
        lambda: streets_legend.append(
            streets_layer(m, prepared["streets"], lang=lang, scale=scale)
        ),
        isochrones_drawn,
        lambda: communities_layers(
            m,
            prepared["communities"],
            lang=lang,
            threshold=threshold_m2_per_100hh,
            legend=legend,
            scale=scale,
        ),
        lambda: uncovered_layers(
            m,
            prepared["uncovered"],
            lang=lang,
            names=names,
            legend=legend,
            scale=scale,
            gcj02=gcj02,
        ),
        lambda: compounds_layers(
            m, prepared["compounds"], prepared["gates"], lang=lang, legend=legend, scale=scale
        ),
        # the stations beneath the facilities: each facility's dot stays on top, clickable
        lambda: stations_layer(
            m, prepared["facilities"], lang=lang, names=names, legend=legend, scale=scale
        ),
        lambda: facilities_layer(
            m, prepared["facilities"], lang=lang, names=names, legend=legend, scale=scale
        ),
        lambda: sites_layers(
            m,
            prepared["sites"],
            prepared["site_catchments"],
            lang=lang,
            names=names,
            legend=legend,
            scale=scale,
        ),
        lambda: walking_layer(
            m,
            prepared["communities"],
            time_callouts if time_callouts is not None else pd.DataFrame(),
            prepare=lambda frame: frame,
            lang=lang,
            legend=legend,
            scale=scale,
        ),
        lambda: scenario_layers(
            m,
            scenarios,
            prepare=lambda frame: prepare(frame, gcj02),
            lang=lang,
            names=names,
            legend=legend,
            scale=scale,
        ),
    ]
    for done, draw in enumerate(groups, start=1):
        draw()
        if count is not None:
            count(done, len(groups))
    legend.extend(streets_legend)

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
    HtmlControl(legend_html, position="bottomleft", css_class="lc-legend").add_to(m)
    AttributionPrefix().add_to(m)
    MetricScale().add_to(m)
    if attribution:
        Attribution(_esc(attribution)).add_to(m)
    FullscreenControl(label("fullscreen", lang)).add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    if view is not None:
        m.fit_bounds(
            [
                [round(view[1], 6), round(view[0], 6)],
                [round(view[3], 6), round(view[2], 6)],
            ],
            padding=(20, 20),
        )
    Opening().add_to(m)
    for notice in notices:
        logger.info("map notice: %s", notice)
    number_elements(m)
    return m


def number_elements(m: folium.Map) -> None:
    """Give every element of the page an id by its place in the page, not a random one.

    folium draws each element's id at random (``_id``); numbered in the order the elements
    are added, the same map gives a byte-identical page.
    """
    counter = 0
    stack: list[Element] = [m.get_root()]
    while stack:
        element = stack.pop()
        element._id = f"{counter:08x}"
        counter += 1
        stack.extend(reversed(list(element._children.values())))


def save_map(m: folium.Map, path: Path) -> None:
    """Write the map as one HTML file to exactly ``path`` (UTF-8).

    Parameters
    ----------
    m
        A map from :func:`build_map`.
    path
        The file to write; its folder must exist.
    """
    number_elements(m)
    m.get_root().save(str(path))
    logger.info("wrote %s (%.1f MB)", path, Path(path).stat().st_size / 1e6)
