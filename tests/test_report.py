"""Tests of maps/report.py and maps/charts.py: sections, escaping, xlsx sheets and cells."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sample_results import EVIL, make_results

from lifecircle.maps.charts import histogram_svg, horizontal_bar_svg
from lifecircle.maps.report import render_report_html
from lifecircle.maps.workbook import SHEETS, write_report_xlsx


def _wide(text: str) -> int:
    """Columns a text takes in a spreadsheet cell: 2 for a wide (CJK) character, else 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_report_has_every_section_and_no_external_resource() -> None:
    page = render_report_html(make_results("zh"))
    for sid in [
        "headline",
        "coverage",
        "communities",
        "area-chart",
        "stations",
        "sites",
        "issues",
        "methods",
    ]:
        assert f'<section id="{sid}">' in page, sid
    assert page.count("<svg") == 3
    assert not re.findall(r"(?:src|href)=\"(?:https?:)?//", page)
    assert "@page { size: A4" in page
    # headline: 2 of 4 communities pass the 30 m² norm (C2 and C3 have 40 m² per 100
    # households, C1 29.2 and C4 none); shortfall 20 + 150 = 170 m²
    assert "2/4" in page and "170 m²" in page
    # methods: sources, status letters, U explained, OSM credit from the network format
    assert "GB 50180-2018 附录B" in page and 'class="status U"' in page
    assert "U = 未经证实" in page and "OpenStreetMap" in page
    assert "streets.osm (OSM XML)" in page and "300 米" in page


def test_report_escapes_user_strings() -> None:
    page = render_report_html(make_results("zh"))
    assert EVIL not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_report_in_english_without_sites() -> None:
    page = render_report_html(make_results("en", with_sites=False))
    assert "Headline figures" in page and "No siting was run." in page
    assert '<html lang="en">' in page


def test_xlsx_sheets_types_frozen_headers(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    write_report_xlsx(make_results("zh"), path)
    wb = load_workbook(path)
    assert tuple(wb.sheetnames) == SHEETS
    ws = wb["communities"]
    headers = [c.value for c in ws[1]]
    assert (
        "户数" in headers and "每百户建筑面积（m²）" in headers and "幼儿园 5分钟覆盖率" in headers
    )
    assert ws.freeze_panes == "A2"
    col = headers.index("户数") + 1
    assert ws.cell(row=2, column=col).value == 2400
    per100 = ws.cell(row=2, column=headers.index("每百户建筑面积（m²）") + 1).value
    assert isinstance(per100, float) and abs(per100 - 29.1667) < 1e-3
    for col in range(1, ws.max_column + 1):  # every column fits its longest text
        texts = [c.value for c in ws[get_column_letter(col)] if isinstance(c.value, str)]
        need = max(map(_wide, texts), default=0)
        assert ws.column_dimensions[get_column_letter(col)].width >= min(need, 50), texts
    for name in SHEETS:
        assert wb[name].freeze_panes == "A2"
    assert wb["summary"]["A1"].value == "项目"
    wb_en = tmp_path / "en.xlsx"
    write_report_xlsx(make_results("en"), wb_en)
    assert load_workbook(wb_en)["communities"]["E1"].value == "Households"


def test_histogram_puts_threshold_on_a_bin_edge() -> None:
    svg = histogram_svg([29.2, 40.0, 40.0, 0.0], threshold=30.0, title="t")
    # 29.2 fails: the bin holding it is red-orange, the 40s are green
    drawn = [
        (float(h), color)
        for h, color in re.findall(r'height="([\d.]+)" fill="(#[0-9a-f]+)"', svg)
        if float(h) > 0
    ]
    assert sorted(c for _, c in drawn) == ["#1a9850", "#e8552d", "#e8552d"]


def test_bars_escape_labels_and_colour_by_threshold() -> None:
    svg = horizontal_bar_svg(labels=[EVIL, "ok"], values=[10.0, 40.0], title="x", threshold=30.0)
    assert EVIL not in svg and "&lt;script&gt;" in svg
    assert 'fill="#e8552d"' in svg and 'fill="#1a9850"' in svg


def test_stations_table_cites_its_sources_by_number_with_the_full_title_beneath(
    demo_out: Path,
) -> None:
    # a long 依据 column squeezed the names to one character per printed line: the table now
    # cites [k] and the titles are listed once beneath it
    page = (demo_out / "report.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="stations".*?</section>', page, re.S)
    assert section is not None
    body = section.group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)
    assert len(rows) >= 15  # the demo has 20 community service stations
    last = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[-1] for r in rows]
    assert all(re.fullmatch(r"\[\d+\]", c) for c in last), last[:3]
    cited = re.findall(r"<li>\[(\d+)\] ([^<]+)", body)
    assert {f"[{k}]" for k, _ in cited} == set(last)
    # the demo's station minimums come from 瓮安县's 2023 implementation plan (profile cn-demo)
    assert any("瓮安" in title for _, title in cited)
    assert "wengan_2023" not in body


def test_sites_table_names_each_candidate_and_its_buildable_area(
    demo_out: Path, demo_dir: Path
) -> None:
    import pyogrio

    cand = pyogrio.read_dataframe(demo_dir / "candidates.gpkg").set_index("id")
    page = (demo_out / "report.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="sites".*?</section>', page, re.S)
    assert section is not None
    first = section.group(0).split("<tbody>")[1].split("</tbody>")[0]  # the sites table
    rows = re.findall(r"<tr>(.*?)</tr>", first, re.S)
    assert len(rows) == 5  # the demo sites 5 day-care centres
    for row in rows:
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        cid = cells[1]
        assert cells[2] == cand.loc[cid, "name"]
        assert f"{cand.loc[cid, 'max_floor_area_m2']:,.1f}" in cells
