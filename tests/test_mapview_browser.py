"""The demo's map in headless Chromium: it opens on the communities, every piece of text in one
font family, the attribution prefix without an icon, and on the town centre a facility beside a
community service station is clicked through its own dot while the station's ring opens the
station. Needs Chromium and chromedriver, as tests/test_browser.py."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sample_results import build_sample_map, make_results
from test_browser import _MAP_JS, _not_blank, _open_map, _shots_dir, driver

from lifecircle.maps.webmap import save_map

pytestmark = pytest.mark.browser

__all__ = ["driver"]  # the fixture, shared with tests/test_browser.py

#: In the demo: station F0007 (960 m², its circle ~10 px) with facility F0011 0.9 m beside it.
STATION, BESIDE = "F0007", "F0011"


def _facilities(demo_out: Path) -> gpd.GeoDataFrame:
    fac = gpd.read_file(demo_out / "results.gpkg", layer="facilities").to_crs("EPSG:4326")
    return fac.set_index("id")


def _popup_after_click(driver: object, x: float, y: float) -> str:
    """Click the map at container pixel (x, y) as a user does; return the popup's text."""
    from selenium.webdriver.common.action_chains import ActionChains

    driver.execute_script(  # type: ignore[attr-defined]
        f"(function () {{ {_MAP_JS} }})().closePopup();"
    )
    box = driver.find_element("css selector", ".leaflet-container")  # type: ignore[attr-defined]
    size = box.size
    ActionChains(driver).move_to_element_with_offset(  # type: ignore[arg-type]
        box, round(x - size["width"] / 2), round(y - size["height"] / 2)
    ).click().perform()
    time.sleep(0.3)
    found = driver.find_elements("css selector", ".leaflet-popup-content")  # type: ignore[attr-defined]
    return str(found[0].text) if found else ""


def _view_on(driver: object, page: Path, communities: gpd.GeoDataFrame) -> tuple[float, float]:
    """Open a map; return how much of the view the communities' box fills (the larger of its
    width and height shares) and how far (px) the view's centre is from the box's centre."""
    assert _open_map(driver, page) == []
    west, south, east, north = driver.execute_script(  # type: ignore[attr-defined]
        f"var m = (function () {{ {_MAP_JS} }})(); var b = m.getBounds();"
        "return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];"
    )
    x0, y0, x1, y1 = communities.to_crs("EPSG:4326").total_bounds
    assert west <= x0 and east >= x1 and south <= y0 and north >= y1
    off = driver.execute_script(  # type: ignore[attr-defined]
        f"var m = (function () {{ {_MAP_JS} }})();"
        "var a = m.latLngToContainerPoint([arguments[0], arguments[1]]);"
        "var b = m.latLngToContainerPoint(m.getCenter()); return a.distanceTo(b);",
        (y0 + y1) / 2,
        (x0 + x1) / 2,
    )
    return max((x1 - x0) / (east - west), (y1 - y0) / (north - south)), float(off)


def test_the_map_opens_on_the_communities(driver: object, demo_out: Path, tmp_path: Path) -> None:
    # the demo: fitted (zoomed out once at most) and centred on the communities
    comm = gpd.read_file(demo_out / "results.gpkg", layer="communities")
    fill, off = _view_on(driver, demo_out / "map.html", comm)
    assert fill > 0.4 and off < 3.0
    # a network reaching far to the south-west of the communities does not move the view
    results = make_results()
    far = gpd.GeoDataFrame(
        {"highway": ["primary"]},
        geometry=[shapely.LineString([(107.85, 31.05), (107.9, 31.1)])],
        crs="EPSG:4326",
    )
    streets = gpd.GeoDataFrame(pd.concat([results.streets, far], ignore_index=True))
    page = tmp_path / "map.html"
    save_map(build_sample_map(results, streets=streets), page)  # type: ignore[arg-type]
    fill, off = _view_on(driver, page, results.communities)
    assert fill > 0.4 and off < 3.0


def test_one_font_family_and_a_plain_leaflet_prefix(driver: object, demo_out: Path) -> None:
    assert _open_map(driver, demo_out / "map.html") == []
    driver.execute_script(  # type: ignore[attr-defined]
        f"var m = (function () {{ {_MAP_JS} }})();"
        "L.popup().setLatLng(m.getCenter()).setContent('弹窗 popup').openOn(m);"
        "L.tooltip({permanent: true}).setLatLng(m.getCenter()).setContent('提示').addTo(m);"
    )
    fonts = driver.execute_script(  # type: ignore[attr-defined]
        """
        var out = {};
        ['.lc-title h1', '.lc-title .lc-sub', '.lc-legend', '.lc-legend h5',
         '.leaflet-control-layers label', '.leaflet-control-attribution',
         '.leaflet-control-zoom-in', '.leaflet-control-scale-line', '.leaflet-popup-content',
         '.leaflet-tooltip'].forEach(function (sel) {
            var el = document.querySelector(sel);
            out[sel] = el ? getComputedStyle(el).fontFamily : null;
        });
        return out;
        """
    )
    assert None not in fonts.values(), fonts
    assert len(set(fonts.values())) == 1, fonts
    first = next(iter(fonts.values())).split(",")[0].strip().strip('"')
    assert first == "Microsoft YaHei"
    links = driver.execute_script(  # type: ignore[attr-defined]
        "var a = document.querySelector('.leaflet-control-attribution');"
        "return [a.querySelector('a').textContent, a.querySelectorAll('svg, img').length];"
    )
    assert links == ["Leaflet", 0]


def test_a_facility_beside_a_station_stays_visible_and_clickable(
    driver: object, demo_out: Path, tmp_path: Path
) -> None:
    fac = _facilities(demo_out)
    assert fac.loc[STATION, "category"] == "community_service_station"
    assert fac.loc[BESIDE].geometry.distance(fac.loc[STATION].geometry) < 2e-5  # ~1 m
    assert _open_map(driver, demo_out / "map.html") == []
    station = fac.loc[STATION].geometry
    driver.execute_script(  # type: ignore[attr-defined]
        f"var m = (function () {{ {_MAP_JS} }})();"
        "m.setView([arguments[0], arguments[1]], 18, {animate: false});",
        station.y,
        station.x,
    )
    time.sleep(0.5)
    shot = _shots_dir(tmp_path) / "demo-map-station.png"
    driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert _not_blank(shot) > 5.0
    beside = fac.loc[BESIDE].geometry
    x, y = driver.execute_script(  # type: ignore[attr-defined]
        f"var m = (function () {{ {_MAP_JS} }})();"
        "var p = m.latLngToContainerPoint([arguments[0], arguments[1]]); return [p.x, p.y];",
        beside.y,
        beside.x,
    )
    # the dot on the station opens the facility there, not the station over it
    text = _popup_after_click(driver, x, y)
    assert BESIDE in text and str(fac.loc[BESIDE, "name"]) in text, text
    # the station's ring, 8 px off its centre (outside the 4.5 px dot), opens the station
    sx, sy = driver.execute_script(  # type: ignore[attr-defined]
        f"var m = (function () {{ {_MAP_JS} }})();"
        "var p = m.latLngToContainerPoint([arguments[0], arguments[1]]); return [p.x, p.y];",
        station.y,
        station.x,
    )
    text = _popup_after_click(driver, sx, sy + 8)
    assert STATION in text and "站点最小面积" in text, text
