"""Tests of maps/webmap.py: render the map HTML and look for layers, legend and escaping; a
generated county's map keeps every layer, popup and legend entry, drawn within the tolerance."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from mappage import legend_html, overlay_names, packed_layers
from sample_results import EVIL, build_sample_map, make_results

from lifecircle.analysis.profiles import load_profile
from lifecircle.maps.basemaps import resolve_basemap
from lifecircle.maps.fragments import PopupTable, popup
from lifecircle.maps.packed import total_bounds
from lifecircle.maps.packing import DisplayScale, decode, unpack_ints
from lifecircle.maps.webmap import build_map, save_map


def _decoded(page: str) -> str:
    """The page with JSON ``\\uXXXX`` escapes (folium's tojson) turned back into characters."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), page)


def _raw(**options: object) -> str:
    lang = options.pop("lang", "zh")
    m = build_sample_map(make_results(lang), lang=lang, **options)  # type: ignore[arg-type]
    return m.get_root().render()  # type: ignore[attr-defined]


def _html(**options: object) -> str:
    return _decoded(_raw(**options))


def test_every_layer_and_the_legend_are_in_the_page() -> None:
    page = _html(offline=True)
    for name in [
        "社区达标情况",
        "社区综合服务站",
        "设施（按类别）",
        "步行等时圈：幼儿园",
        "步行等时圈：小学",
        "未覆盖人口（5分钟）",
        "未覆盖人口（10分钟）",
        "建议新增设施点",
        "建议设施服务范围",
        "步行路网",
        "每百户建筑面积（m²）",
    ]:
        assert name in page, name
    assert "lc-legend" in page and "图例" in page
    assert "L.control.layers" in page
    # a scale bar in metres only: miles and feet mean nothing to a Chinese planner
    assert re.search(r"L\.control\.scale\(\{imperial: false", page)
    assert "L.control.scale()" not in page
    assert "lc-fs" in page  # full-screen button
    assert "<title>示例县城</title>" in page
    assert "国家标准 GB 50180-2018" in page
    assert "© OpenStreetMap contributors (ODbL)" in page


def test_english_labels() -> None:
    page = _html(lang="en", offline=True)
    for name in ["Communities", "Proposed sites", "Isochrones: 幼儿园", "Legend", "Walk network"]:
        assert name in page, name
    assert "社区达标情况" not in page


def test_user_strings_are_escaped() -> None:
    raw = _raw(offline=True)
    assert EVIL not in raw
    page = _decoded(raw)
    assert EVIL not in page
    assert '<b>"' not in page
    # the name shows as text: escaped once, then JSON-encoded into the script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "二号站&lt;b&gt;" in page


def test_offline_page_links_no_cdn() -> None:
    page = _html(offline=True)
    links = re.findall(r"<(?:script|link)[^>]*(?:src|href)=[\"']([^\"']+)", page)
    assert links == []
    assert "jsdelivr" not in page
    assert "L.map(" in page and "window.L=" in page.replace(" ", "")  # Leaflet inlined


def test_online_page_links_leaflet_only() -> None:
    page = _html(offline=False)
    links = re.findall(r"<(?:script|link)[^>]*(?:src|href)=[\"']([^\"']+)", page)
    assert links and all("leaflet@1.9.4" in u for u in links)
    assert "jquery" not in page.lower()


def test_amap_shifts_overlays_to_gcj02() -> None:
    plain = build_sample_map(make_results(), basemap="none", offline=True)
    shifted = build_sample_map(make_results(), basemap="amap", offline=True)
    # fit_bounds of the shifted map moves by the GCJ-02 offset (a few hundred metres)
    b0 = plain.get_bounds()  # type: ignore[attr-defined]
    b1 = shifted.get_bounds()  # type: ignore[attr-defined]
    d_lon = b1[0][1] - b0[0][1]
    d_lat = b1[0][0] - b0[0][0]
    assert 0.001 < abs(d_lon) < 0.01 and 0.001 < abs(d_lat) < 0.01
    page = _decoded(shifted.get_root().render())  # type: ignore[attr-defined]
    assert "autonavi" in page and "GCJ-02" in page


def test_tianditu_without_key_shows_a_notice(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    page = _html(basemap="tianditu", offline=True)
    assert "TIANDITU_KEY" in page and "lc-notice" in page
    assert "tianditu.gov.cn" not in page
    assert any("TIANDITU_KEY" in r.getMessage() for r in caplog.records)
    tiles = resolve_basemap("tianditu", environ={"TIANDITU_KEY": "abc123"})
    assert len(tiles.layers) == 2 and all("tk=abc123" in t.url for t in tiles.layers)


def test_bad_options_list_valid_values() -> None:
    with pytest.raises(ValueError, match="none, osm, light, tianditu, amap"):
        resolve_basemap("google")
    with pytest.raises(ValueError, match="zh, en"):
        _html(lang="fr")


def test_empty_frames_still_make_a_map(tmp_path: Path) -> None:
    r = make_results()
    empty = r.communities.iloc[0:0]
    m = build_map(
        communities=empty,
        facilities=r.facilities.iloc[0:0],
        isochrones=None,
        uncovered=None,
        sites=None,
        site_catchments=None,
        streets=None,
        title="空",
    )
    path = tmp_path / "map.html"
    save_map(m, path)
    text = _decoded(path.read_text(encoding="utf-8"))
    assert "L.map(" in text and "<title>空</title>" in text


def test_coordinates_are_rounded_and_the_page_is_small(tmp_path: Path) -> None:
    page = _html(offline=False)
    coords = re.findall(r"107\.(\d+)", page)
    assert coords and max(len(c) for c in coords) <= 6
    assert len(page) < 300_000


# --- a county-scale map: small, deterministic, every layer, popup and legend entry kept -------


def test_the_same_map_gives_the_same_page(tmp_path: Path) -> None:
    pages = []
    for k in range(2):
        path = tmp_path / f"map{k}.html"
        save_map(build_sample_map(make_results("zh"), offline=True), path)
        pages.append(path.read_bytes())
    assert pages[0] == pages[1]
    # folium's element names carry numbered ids, none drawn at random (32 hex digits)
    assert not re.search(rb"_[0-9a-f]{32}\b", pages[0])


def test_a_popup_table_writes_the_popup_of_its_rows() -> None:
    rows_a = [("编号", "F1"), ("类别", "幼儿园"), ("建筑面积（m²）", "")]
    rows_b = [("编号", "F2"), ("类别", "小学"), ("建筑面积（m²）", "1,200")]
    table = PopupTable()
    table.add("东城<幼儿园>", rows_a)
    table.add("第一小学", rows_b)
    assert table.html(0) == popup("东城<幼儿园>", rows_a)
    assert table.html(1) == popup("第一小学", rows_b)
    assert "建筑面积" not in table.html(0)  # an empty value drops its row, as before
    with pytest.raises(ValueError, match="same rows"):
        table.add("x", [("编号", "F3")])


def _gpkg(out: Path, layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(out / "results.gpkg", layer=layer)


def test_county_map_keeps_every_layer_popup_and_legend_entry(county_out: Path) -> None:
    page = (county_out / "map.html").read_text(encoding="utf-8")
    layers = packed_layers(page)
    fac = _gpkg(county_out, "facilities")
    iso = _gpkg(county_out, "isochrones")
    names = dict(zip(fac["category"], fac["category_name"], strict=True))
    # the layers, from the results: one isochrone layer per category with isochrones, the
    # uncovered population of each level some counted person misses a category of
    profile = load_profile("cn-national")
    demand = _gpkg(county_out, "demand")
    counted = (demand["counted"] == 1) & (demand["population"] > 0)
    missing_levels = {
        norm.level
        for cat, norm in profile.categories.items()
        if (counted & ~(demand[f"dist_m_{cat}"].fillna(np.inf) <= norm.distance_m.value)).any()
    }
    expected = [
        "步行路网",
        *(f"步行等时圈：{names[c]}" for c in dict.fromkeys(iso["category"])),
        "社区达标情况",
        "每百户建筑面积（m²）",
        *(
            f"未覆盖人口（{lv[:-3]}分钟）"
            for lv in ("5min", "10min", "15min")
            if lv in missing_levels
        ),
        # the stations beneath the facilities, so every facility dot stays on top
        "社区综合服务站",
        "设施（按类别）",
        "建议设施服务范围",
        "建议新增设施点",
    ]
    assert overlay_names(page) == expected
    # popups: every facility and station, with its id and floor area, in the layer's order
    kind, data = layers["设施（按类别）"]
    assert kind == "points" and data["n"] == len(fac)
    labels = data["pops"]["labels"]
    got = {row[1 + labels.index("编号")]: row for row in data["pops"]["rows"]}
    for f in fac.itertuples():
        row = got[str(f.id)]
        assert row[0] == f.name
        assert row[1 + labels.index("建筑面积（m²）")] == f"{f.floor_area_m2:,.0f}"
        assert row[1 + labels.index("设施类别")] == f.category_name
    n_stations = int((fac["category"] == "community_service_station").sum())
    assert (
        layers["社区综合服务站"][1]["n"]
        == n_stations
        == len(layers["社区综合服务站"][1]["pops"]["rows"])
    )
    comm = _gpkg(county_out, "communities")
    rows = layers["社区达标情况"][1]["pops"]["rows"]
    assert [r[0] for r in rows] == list(comm["name"])
    assert page.count('"className": "lc-site-icon"') == len(_gpkg(county_out, "sites")) == 5
    # the legend: every group, every category with facilities, the classes of the cells
    legend = legend_html(page)
    for heading in [
        "步行等时圈",
        "社区达标情况",
        "每百户建筑面积（m²）",
        "未覆盖人口",
        "设施（按类别）",
        "社区综合服务站",
        "建议新增设施点",
        "步行路网",
    ]:
        assert heading in legend, heading
    for cname in set(names.values()):
        assert cname in legend
    assert legend.count('class="lc-sw"') >= 3 + 3 + 5 + 5  # levels, results, m² classes, cells
    assert "合成数据，仅供演示" in _decoded(page)  # the generated county is `synthetic = true`
    assert len(page) < 2_000_000


def test_county_cells_carry_the_uncovered_population(county_out: Path) -> None:
    page = (county_out / "map.html").read_text(encoding="utf-8")
    layers = packed_layers(page)
    profile = load_profile("cn-national")
    demand = _gpkg(county_out, "demand")
    counted = (demand["counted"] == 1) & (demand["population"] > 0)
    for level in ("5min", "10min", "15min"):
        cats = [c for c, n in profile.categories.items() if n.level == level]
        beyond = np.zeros(len(demand), dtype=bool)
        for c in cats:
            beyond |= ~(
                demand[f"dist_m_{c}"].fillna(np.inf) <= profile.categories[c].distance_m.value
            )
        expected = float(demand.loc[counted & beyond, "population"].sum())
        name = f"未覆盖人口（{level[:-3]}分钟）"
        kind, data = layers[name]
        tenths = unpack_ints(data["pop"])
        assert kind == "cells" and len(tenths) == data["n"]
        # each cell's population is rounded to 0.1 person on the page
        assert tenths.sum() / 10.0 == pytest.approx(expected, abs=0.05 * data["n"] + 1e-9)


def test_county_isochrones_are_drawn_within_the_stated_tolerance(county_out: Path) -> None:
    page = (county_out / "map.html").read_text(encoding="utf-8")
    layers = packed_layers(page)
    iso = _gpkg(county_out, "isochrones")
    names = dict(
        zip(
            *[_gpkg(county_out, "facilities")[c] for c in ("category", "category_name")],
            strict=True,
        )
    )
    grid = re.search(r"LC\.setGrid\((\{.*?\})\);", page)
    assert grid is not None
    spec = json.loads(grid.group(1))
    bounds = total_bounds(
        [
            _gpkg(county_out, n)
            for n in ("communities", "facilities", "isochrones", "demand", "sites")
        ]
    )
    scale = DisplayScale.for_bounds(bounds)
    # the page's grid is the scale of the map's own extent (streets included): same origin rule
    assert spec["q"] == scale.quantum_deg
    scale = DisplayScale(scale.tolerance_m, spec["q"], spec["x0"], spec["y0"])
    utm = iso.estimate_utm_crs()
    cat = str(iso["category"].iloc[0])
    _, data = layers[f"步行等时圈：{names[cat]}"]
    drawn = gpd.GeoSeries(decode(data["g"], "polygons", data["n"], scale), crs=4326).to_crs(utm)
    # drawn 15, 10, 5 minutes (the 5- and 10-minute areas on top)
    exact = iso[iso["category"] == cat].set_index("level").loc[["15min", "10min", "5min"]]
    exact_m = exact.geometry.to_crs(utm).to_numpy()
    tol = scale.tolerance_m * 1.001
    for a, b in zip(drawn.to_numpy(), exact_m, strict=True):
        assert shapely.buffer(b, tol).covers(a)
        assert shapely.buffer(a, tol).covers(b)
