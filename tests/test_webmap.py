"""Tests of maps/webmap.py: render the map HTML and look for layers, legend and escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sample_results import EVIL, build_sample_map, make_results

from lifecircle.maps.basemaps import resolve_basemap
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
    assert "L.control.scale" in page
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
