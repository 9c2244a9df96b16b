"""The map opens anywhere: Leaflet inlined by default, the view on the communities, compounds and
gates drawn, stations beneath the facility dots, one font family, a plain "Leaflet" prefix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from mappage import legend_html, overlay_names, packed_layers
from sample_results import build_sample_map, make_results
from tinyproject import build_tiny, edit_toml

from lifecircle.maps.basemaps import resolve_basemap
from lifecircle.project import load_project

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
X0, Y0 = 107.9, 31.1  # the sample results' origin (tests/sample_results.py)


def _decoded(page: str) -> str:
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), page)


def _page(**options: object) -> str:
    lang = options.pop("lang", "zh")
    m = build_sample_map(make_results(lang), lang=lang, **options)  # type: ignore[arg-type]
    return _decoded(m.get_root().render())  # type: ignore[attr-defined]


def _links(page: str) -> list[str]:
    return re.findall(r"<(?:script|link)[^>]*(?:src|href)=[\"']([^\"']+)", page)


def _fit_bounds(page: str) -> list[list[float]]:
    m = re.search(r"map_\w+\.fitBounds\(\s*(\[\[.*?\]\])", page, re.S)
    assert m is not None, "the page sets no initial view"
    return json.loads(m.group(1))  # type: ignore[no-any-return]


# --- Leaflet inlined unless a CDN is asked for ------------------------------------------------


def test_a_project_inlines_leaflet_unless_it_asks_for_a_cdn(tmp_path: Path) -> None:
    project = build_tiny(tmp_path / "p")
    assert load_project(project).map.offline is True
    edit_toml(tmp_path / "p", "[siting]", '[map]\nbasemap = "osm"\n\n[siting]')
    assert load_project(project).map.offline is True
    edit_toml(tmp_path / "p", 'basemap = "osm"', 'basemap = "osm"\noffline = false')
    assert load_project(project).map.offline is False


def test_the_default_page_loads_nothing_from_the_internet() -> None:
    page = _page()
    assert _links(page) == []
    assert "cdn.jsdelivr" not in page
    online = _page(offline=False)
    assert _links(online) and all(u.startswith("https://cdn.") for u in _links(online))


def test_tiles_say_in_the_layer_control_that_they_need_internet() -> None:
    for basemap in ("osm", "light", "amap"):
        assert resolve_basemap(basemap, lang="zh").layers[0].name.endswith("（需联网）")
        assert resolve_basemap(basemap, lang="en").layers[0].name.endswith(" (needs internet)")
    # the user's own (intranet) tile server: no word about the internet
    own = resolve_basemap("none", lang="zh", tile_url="http://tiles.lan/{z}/{x}/{y}.png")
    assert "联网" not in own.layers[0].name
    page = _page(basemap="osm")
    assert "OpenStreetMap（需联网）" in page


# --- the view: the communities, not the network -----------------------------------------------


def test_the_map_opens_on_the_communities_not_the_whole_network() -> None:
    results = make_results()
    far = shapely.LineString([(X0 - 0.05, Y0 - 0.05), (X0 + 0.08, Y0 + 0.06)])
    streets = gpd.GeoDataFrame(
        {"highway": ["primary"]},
        geometry=[far],
        crs="EPSG:4326",
    )
    streets = gpd.GeoDataFrame(
        gpd.pd.concat([results.streets, streets], ignore_index=True), crs="EPSG:4326"
    )
    m = build_sample_map(results, streets=streets)
    page = m.get_root().render()  # type: ignore[attr-defined]
    (south, west), (north, east) = _fit_bounds(page)
    x0, y0, x1, y1 = results.communities.to_crs("EPSG:4326").total_bounds
    assert (west, south, east, north) == pytest.approx((x0, y0, x1, y1), abs=1e-6)
    # the network reaches far beyond: the whole-layers box would be another view
    assert streets.total_bounds[0] < x0 - 0.04


# --- gated compounds and their gates ----------------------------------------------------------


def _compounds() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    boxes = [
        shapely.box(X0 + 0.001, Y0 + 0.001, X0 + 0.004, Y0 + 0.003),
        shapely.box(X0 + 0.006, Y0 + 0.001, X0 + 0.009, Y0 + 0.003),
    ]
    compounds = gpd.GeoDataFrame({"id": ["花园小区", "XQ2"]}, geometry=boxes, crs="EPSG:4326")
    gates = gpd.GeoDataFrame(
        {"id": ["G1", "G2", "G3"], "compound_id": ["花园小区", "花园小区", "XQ2"]},
        geometry=[
            shapely.Point(X0 + 0.001, Y0 + 0.002),
            shapely.Point(X0 + 0.004, Y0 + 0.002),
            shapely.Point(X0 + 0.006, Y0 + 0.002),
        ],
        crs="EPSG:4326",
    )
    return compounds, gates


@pytest.mark.parametrize(
    ("lang", "names"),
    [("zh", ("封闭小区", "小区出入口")), ("en", ("Gated compounds", "Compound gates"))],
)
def test_compounds_and_gates_are_drawn_with_names_in_the_language(
    lang: str, names: tuple[str, str]
) -> None:
    compounds, gates = _compounds()
    page = _page(lang=lang, compounds=compounds.to_crs("EPSG:4545"), gates=gates)
    layers = packed_layers(page)
    kind, data = layers[names[0]]
    assert kind == "polygons" and data["n"] == 2
    kind, data = layers[names[1]]
    assert kind == "points" and data["n"] == 3
    tip = data["tips"][0]
    assert "G1" in tip and "花园小区" in tip
    assert names[0] in overlay_names(page) and names[1] in overlay_names(page)
    legend = legend_html(page)
    heading = "封闭小区与出入口" if lang == "zh" else "Gated compounds and gates"
    assert f"<h5>{heading}</h5>" in legend
    rows = legend[legend.index(heading) + len(heading) :]
    assert 0 < rows.index(names[0]) < rows.index(names[1])
    other = ("Gated compounds", "Compound gates") if lang == "zh" else ("封闭小区", "小区出入口")
    assert not any(n in page for n in other)


def test_without_compounds_there_is_no_compound_layer() -> None:
    page = _page()
    assert "封闭小区" not in page and "小区出入口" not in page


def test_the_demo_map_draws_the_demo_compounds_and_gates(demo_out: Path) -> None:
    page = _decoded((demo_out / "map.html").read_text(encoding="utf-8"))
    layers = packed_layers(page)
    n_compounds = pyogrio.read_info(DEMO / "compounds.gpkg", layer="compounds")["features"]
    n_gates = pyogrio.read_info(DEMO / "compounds.gpkg", layer="gates")["features"]
    assert n_compounds > 0 and n_gates > 0
    assert layers["封闭小区"][1]["n"] == n_compounds
    assert layers["小区出入口"][1]["n"] == n_gates


# --- stations beneath the facilities ----------------------------------------------------------


def test_stations_are_drawn_beneath_the_facility_dots_and_ring_them() -> None:
    page = _page()
    names = list(packed_layers(page))
    assert names.index("社区综合服务站") < names.index("设施（按类别）")
    stations = packed_layers(page)["社区综合服务站"][1]
    facilities = packed_layers(page)["设施（按类别）"][1]
    dot = max(s.get("radius", 0) for s in facilities["styles"]) or max(facilities["r"])
    # every station's circle shows a ring of at least 3 px around a dot drawn on it
    assert min(stations["r"]) >= dot + 3


# --- one font family, a plain Leaflet prefix --------------------------------------------------


def test_the_page_says_its_font_family_once() -> None:
    page = _page()
    own = page[page.index("--lc-font") :]  # the page's own stylesheet, after Leaflet's
    assert page.count("Microsoft YaHei") == 1
    families = re.findall(r"font-family\s*:\s*([^;}]+)", own)
    assert families and all(f.strip() == "var(--lc-font)" for f in families)
    stack = re.search(r"--lc-font\s*:\s*([^;]+);", own)
    assert stack is not None
    first = stack.group(1).split(",")[0].strip().strip('"')
    assert first == "Microsoft YaHei" and stack.group(1).rstrip().endswith("sans-serif")


def test_the_attribution_prefix_is_a_plain_leaflet_link() -> None:
    page = _page()
    m = re.search(r"attributionControl\.setPrefix\((\"(?:[^\"\\]|\\.)*\")\)", page)
    assert m is not None
    prefix = json.loads(m.group(1))
    assert re.fullmatch(r'<a href="https://leafletjs\.com"[^>]*>Leaflet</a>', prefix)
    assert "<svg" not in prefix
