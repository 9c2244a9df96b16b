"""Open map.html and report.html in headless Chromium: no JavaScript errors, a drawn page;
every layer of the demo's and a generated county's map switches on and decodes, and popups and
tooltips read as the Python side writes them.

Needs Chromium, chromedriver and a CJK font (``make test`` installs them where it can); skipped
naming what is absent, or failed when ``LIFECIRCLE_BROWSER=required`` (set by ``make test`` after
installing them; see tests/browserneeds.py). Screenshots go to ``LIFECIRCLE_SCREENSHOTS`` when
that is set (the README's demo pictures are made this way), else to pytest's temporary folder.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import shapely
from browserneeds import find_parts, missing, required, skip_or_fail
from mappage import packed_layers
from sample_results import build_sample_map, make_results

from lifecircle.maps.fragments import PopupTable
from lifecircle.maps.packing import DisplayScale, decode, unpack_ints
from lifecircle.maps.report import render_report_html
from lifecircle.maps.webmap import save_map

pytestmark = pytest.mark.browser

PARTS = find_parts()


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    absent = missing(PARTS)
    if absent:
        skip_or_fail(absent, must_have=required())
    assert PARTS.chromium is not None and PARTS.chromedriver is not None
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = PARTS.chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,860",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(PARTS.chromedriver), options=options)
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


def _shots_dir(tmp_path: Path) -> Path:
    target = os.environ.get("LIFECIRCLE_SCREENSHOTS")
    folder = Path(target) if target else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open(driver: object, path: Path) -> list[dict[str, object]]:
    """Load ``path``; return the SEVERE console messages."""
    driver.get(path.resolve().as_uri())  # type: ignore[attr-defined]
    driver.execute_script("return document.readyState")  # type: ignore[attr-defined]
    logs = driver.get_log("browser")  # type: ignore[attr-defined]
    return [entry for entry in logs if entry.get("level") == "SEVERE"]


def _not_blank(png: Path) -> float:
    """Return the standard deviation of the screenshot's grey levels (0 for a blank page)."""
    import struct
    import zlib

    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, color_type = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, color_type = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    channels = {2: 3, 6: 4}[color_type]
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8)
    stride = width * channels + 1
    rows = raw[: stride * height].reshape(height, stride)
    # sample filter-type-0 rows only (no un-filtering needed); enough to see content
    plain = rows[rows[:, 0] == 0][:, 1:]
    if len(plain) == 0:
        return float(np.std(rows[:, 1:]))
    return float(np.std(plain))


def test_map_runs_without_js_errors(driver: object, tmp_path: Path) -> None:
    results = make_results("zh")
    page = tmp_path / "map.html"
    save_map(build_sample_map(results, offline=True), page)  # type: ignore[arg-type]
    errors = _open(driver, page)
    assert errors == []
    n_paths = driver.execute_script(  # type: ignore[attr-defined]
        "return document.querySelectorAll('.leaflet-overlay-pane canvas, "
        ".leaflet-overlay-pane path').length"
    )
    assert n_paths >= 1
    assert driver.execute_script("return typeof L") == "object"  # type: ignore[attr-defined]
    legend = driver.find_element("css selector", ".lc-legend").text  # type: ignore[attr-defined]
    assert "图例" in legend
    shot = _shots_dir(tmp_path) / "map.png"
    driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert _not_blank(shot) > 5.0
    # the hostile community name arrived as text: no alert() dialog opened
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text  # type: ignore[attr-defined]


def test_report_runs_without_js_errors(driver: object, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_report_html(make_results("zh")), encoding="utf-8")
    errors = _open(driver, page)
    assert errors == []
    svg_count = driver.execute_script("return document.querySelectorAll('svg').length")  # type: ignore[attr-defined]
    assert svg_count >= 3
    shot = _shots_dir(tmp_path) / "report.png"
    driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert _not_blank(shot) > 5.0


@pytest.mark.parametrize("name", ["map.html", "report.html"])
def test_demo_pages_run_without_js_errors(
    driver: object, demo_out: Path, tmp_path: Path, name: str
) -> None:
    """The demo's own map and report (what ``make demo`` writes) open cleanly."""
    errors = _open(driver, demo_out / name)
    assert errors == []
    if name == "map.html":
        n_paths = driver.execute_script(  # type: ignore[attr-defined]
            "return document.querySelectorAll('.leaflet-overlay-pane path, "
            ".leaflet-overlay-pane canvas').length"
        )
        assert n_paths >= 1
    shot = _shots_dir(tmp_path) / f"demo-{name.replace('.html', '.png')}"
    driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert _not_blank(shot) > 5.0


def _open_map(driver: object, path: Path) -> list[dict[str, object]]:
    """Load a map and wait until it flags its opening layers drawn; return the SEVERE logs."""
    errors = _open(driver, path)
    for _ in range(600):
        if driver.execute_script("return window.lcReady === true"):  # type: ignore[attr-defined]
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"{path.name} never flagged its layers drawn (window.lcReady)")
    return errors


#: JavaScript: the page's Leaflet map (folium names it ``map_<id>``).
_MAP_JS = (
    "for (var k in window) { "
    "if (k.indexOf('map_') === 0 && window[k] instanceof L.Map) { return window[k]; } }"
)


def _switch_on_every_layer(driver: object) -> list[str]:
    """Tick every unticked overlay of the layer control, as a user would; return the names."""
    return driver.execute_script(  # type: ignore[attr-defined, no-any-return]
        """
        var names = [];
        document.querySelectorAll('.leaflet-control-layers-overlays label').forEach(function (l) {
            var box = l.querySelector('input');
            if (!box.checked) { box.click(); }
            names.push(l.textContent.trim());
        });
        return names;
        """
    )


@pytest.mark.parametrize("which", ["demo", "county"])
def test_every_layer_switches_on_and_decodes(
    driver: object, demo_out: Path, county_out: Path, tmp_path: Path, which: str
) -> None:
    out = demo_out if which == "demo" else county_out
    page = out / "map.html"
    assert _open_map(driver, page) == []
    layers = packed_layers(page.read_text(encoding="utf-8"))
    closed = [
        n
        for n in layers
        if not driver.execute_script(  # type: ignore[attr-defined]
            "return LC.layer(arguments[0]).decoded", n
        )
    ]
    assert closed, "some layers are off at opening and not decoded yet"
    names = _switch_on_every_layer(driver)
    assert set(layers) <= set(names)
    for name in layers:
        decoded, n = driver.execute_script(  # type: ignore[attr-defined]
            "var e = LC.layer(arguments[0]); return [e.decoded, e.group.getLayers().length];", name
        )
        assert decoded and n > 0, name
    time.sleep(0.5)  # a frame or two to draw them
    logs = driver.get_log("browser")  # type: ignore[attr-defined]
    assert [e for e in logs if e.get("level") == "SEVERE"] == []
    shot = _shots_dir(tmp_path) / f"{which}-every-layer.png"
    driver.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert _not_blank(shot) > 5.0


def test_popups_and_tooltips_read_as_the_python_side_writes_them(
    driver: object, demo_out: Path
) -> None:
    page = demo_out / "map.html"
    assert _open_map(driver, page) == []
    layers = packed_layers(page.read_text(encoding="utf-8"))
    # a facility's popup: the table the page builds is the one fragments.popup writes
    _, fac = layers["设施（按类别）"]
    table = PopupTable(fac["pops"]["labels"], fac["pops"]["rows"])
    shown, expected = driver.execute_script(  # type: ignore[attr-defined]
        """
        var layer = LC.layer("设施（按类别）").group.getLayers()[3];
        layer.openPopup();
        var box = document.querySelector('.leaflet-popup-content');
        var ref = document.createElement('div'); ref.innerHTML = arguments[0];
        return [box.innerHTML, ref.innerHTML];
        """,
        table.html(3),
    )
    assert shown == expected and fac["pops"]["rows"][3][0] in shown
    # a cell's tooltip: its population and the categories its people miss
    _, cells = layers["未覆盖人口（5分钟）"]
    switch_on = "m.addLayer(LC.layer('未覆盖人口（5分钟）').group);"
    driver.execute_script(f"var m = (function () {{ {_MAP_JS} }})(); {switch_on}")  # type: ignore[attr-defined]
    tenths = unpack_ints(cells["pop"])
    mask = unpack_ints(cells["mask"])
    i = int(np.flatnonzero(tenths % 10 != 5)[0])  # a cell whose rounding is unambiguous
    missing = [c for k, c in enumerate(cells["cats"]) if mask[i] >> k & 1]
    tip = driver.execute_script(  # type: ignore[attr-defined]
        "return LC.layer('未覆盖人口（5分钟）').group.getLayers()[0]._tipFor(arguments[0]);", i
    )
    assert tip == (
        cells["tip"][0]
        + f"{round(tenths[i] / 10):,}"
        + cells["tip"][1]
        + cells["tip"][2].join(missing)
    )
    # an isochrone's tooltip under a point inside its 5-minute area (drawn last, on top)
    name = next(n for n in layers if n.startswith("步行等时圈"))
    _, iso = layers[name]
    grid = driver.execute_script("return [LC._grid().q, LC._grid().x0, LC._grid().y0];")  # type: ignore[attr-defined]
    scale = DisplayScale(1.0, *grid)
    five = decode(iso["g"], "polygons", iso["n"], scale)[2]
    inside = shapely.get_coordinates(five.representative_point())[0]
    hit = driver.execute_script(  # type: ignore[attr-defined]
        f"""
        var m = (function () {{ {_MAP_JS} }})();
        var layer = LC.layer(arguments[0]).group.getLayers()[0];
        var p = m.latLngToLayerPoint([arguments[2], arguments[1]]);
        return layer._containsPoint(p) ? layer._tipFor(layer._hit) : null;
        """,
        name,
        float(inside[0]),
        float(inside[1]),
    )
    assert hit == iso["tips"][2]


def _pdf_pages_to_png(pdf: Path | bytes, folder: Path, stem: str) -> list[Path]:
    """Render every page of a PDF to ``<stem>-<n>.png`` at 100 dpi; return the files."""
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    out = []
    try:
        for i in range(len(doc)):
            path = folder / f"{stem}-{i + 1}.png"
            doc[i].render(scale=100 / 72).to_pil().save(path)
            out.append(path)
    finally:
        doc.close()
    return out


def _pdf_texts_and_sizes(pdf: Path | bytes) -> list[tuple[str, tuple[float, float]]]:
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        return [
            (doc[i].get_textpage().get_text_range(), tuple(doc[i].get_size()))
            for i in range(len(doc))
        ]
    finally:
        doc.close()


def test_printed_report_and_report_pdf_render_on_a4(
    driver: object, demo_pdf_out: Path, tmp_path: Path
) -> None:
    """The demo's report.html printed by Chromium and its report.pdf, page by page to PNG (the
    README's pictures; look at them): A4, a cover with 编制单位, page numbers on every page."""
    import base64

    from selenium.webdriver.common.print_page_options import PrintOptions

    shots = _shots_dir(tmp_path)
    _open(driver, demo_pdf_out / "report.html")
    options = PrintOptions()
    options.page_width, options.page_height = 21.0, 29.7
    options.background = True
    printed = base64.b64decode(driver.print_page(options))  # type: ignore[attr-defined]
    pages = _pdf_texts_and_sizes(printed)
    assert len(pages) > 5
    a4 = sorted((210 / 25.4 * 72, 297 / 25.4 * 72))
    for k, (text, size) in enumerate(pages, start=1):
        assert sorted(size) == pytest.approx(a4, abs=1.0)
        assert f"第 {k} 页 / 共 {len(pages)} 页" in text
    assert "编制单位" in pages[0][0]
    for png in _pdf_pages_to_png(printed, shots, "report-print"):
        assert _not_blank(png) > 2.0
    pdf_pages = _pdf_texts_and_sizes(demo_pdf_out / "report.pdf")
    assert "编制单位" in pdf_pages[0][0]
    for png in _pdf_pages_to_png(demo_pdf_out / "report.pdf", shots, "report-pdf"):
        assert _not_blank(png) > 2.0
