"""report.pdf, the cover, numbered tables and figures, the static results map and the CJK font
finder: the demo's PDF is A4 with a cover, page numbers, the report's Chinese text and embedded
fonts; without a CJK font the run writes everything else and says why.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import re
import struct
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from sample_results import make_results
from tinyproject import build_tiny, edit_toml

from lifecircle.cli import demo_project_path, main
from lifecircle.errors import ProjectError
from lifecircle.maps import cjkfont
from lifecircle.maps.reportprint import number_items
from lifecircle.maps.staticmap import static_map_png
from lifecircle.maps.style import SITE_COLOR
from lifecircle.project import load_project

pypdf = pytest.importorskip("pypdf")

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
#: A4 in PDF points (1/72 in): 210 × 297 mm.
A4_PT = (210 / 25.4 * 72, 297 / 25.4 * 72)


def _demo_toml() -> dict[str, object]:
    return tomllib.loads(demo_project_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf_out(demo_pdf_out: Path) -> Path:
    """Output folder of ``lifecircle demo --pdf`` (conftest)."""
    return demo_pdf_out


def _page_texts(path: Path) -> list[str]:
    """The text of each page, as PDFium (Chromium's PDF engine) extracts it."""
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(str(path))
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


@pytest.fixture(scope="module")
def pdf_text(pdf_out: Path) -> list[str]:
    return _page_texts(pdf_out / "report.pdf")


def test_pdf_is_a4_with_cover_pages_and_chinese_text(pdf_out: Path, pdf_text: list[str]) -> None:
    reader = pypdf.PdfReader(pdf_out / "report.pdf")
    n = len(reader.pages)
    assert n > 1
    first = reader.pages[0].mediabox
    assert (float(first.width), float(first.height)) == pytest.approx(A4_PT, abs=0.5)
    for page in reader.pages:  # every page A4, portrait or (wide tables) landscape
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size == pytest.approx(sorted(A4_PT), abs=0.5)
    project = _demo_toml()["project"]
    assert isinstance(project, dict)
    cover = pdf_text[0]
    assert project["name"] in cover
    assert project["organization"] in cover
    assert "编制单位" in cover
    assert f"第 1 页 / 共 {n} 页" in cover
    assert f"第 {n} 页 / 共 {n} 页" in pdf_text[-1]
    # every facility category of the demo, by its Chinese name, is in the PDF
    fac = gpd.read_file(pdf_out / "results.gpkg", layer="facilities")
    names = sorted(set(fac["category_name"].dropna()))
    whole = "".join(pdf_text)
    assert "社区综合服务站" in names and len(names) > 5
    for name in names:
        assert name in whole, name


def test_pdf_embeds_its_fonts(pdf_out: Path) -> None:
    reader = pypdf.PdfReader(pdf_out / "report.pdf")
    seen = 0
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            seen += 1
    assert seen > 0


def test_pdf_tables_and_figures_are_those_of_the_html(pdf_out: Path, pdf_text: list[str]) -> None:
    """One source of content: the PDF carries the HTML's numbered captions, in the same order."""
    html = (pdf_out / "report.html").read_text(encoding="utf-8")
    captions = re.findall(r"<(?:caption|figcaption)>((?:表|图) \d+)[ <]", html)
    assert captions[:2] == ["表 1", "图 1"]  # headline table, then the results map
    tables = [c for c in captions if c.startswith("表")]
    assert tables == [f"表 {k}" for k in range(1, len(tables) + 1)]
    whole = "\n".join(pdf_text)
    found = [m for m in re.findall(r"(?:表|图) \d+(?= )", whole) if m in captions]
    assert list(dict.fromkeys(found)) == captions
    # and every paragraph and sub-heading of the HTML's sections
    flat = "".join(whole.split())
    body = html[html.index("</nav>") :]
    texts = re.findall(r"<(?:p|h3)[^>]*>(.*?)</(?:p|h3)>", body, re.S)
    assert len(texts) > 10
    for text in texts:
        plain = "".join(html_lib.unescape(re.sub(r"<[^>]+>", "", text)).split())
        assert plain[:40] in flat, plain


def test_pdf_keeps_station_names_on_one_line(pdf_out: Path, pdf_text: list[str]) -> None:
    """The stations table does not squeeze names (one char per line): each name is whole on a
    line of the PDF's text."""
    fac = gpd.read_file(pdf_out / "results.gpkg", layer="facilities")
    names = fac.loc[fac["category"] == "community_service_station", "name"].dropna()
    assert len(names) > 10
    lines = {line.strip() for page in pdf_text for line in page.splitlines()}
    whole_lines = "\n".join(lines)
    missing = [n for n in names if n not in whole_lines]
    assert missing == []


def test_html_cover_shows_organization_profile_and_date(pdf_out: Path) -> None:
    html = (pdf_out / "report.html").read_text(encoding="utf-8")
    cover = html[html.index('<header class="cover">') : html.index("</header>")]
    project = _demo_toml()["project"]
    assert isinstance(project, dict)
    assert f"<dt>编制单位</dt><dd>{project['organization']}</dd>" in cover
    assert f"<dd>{project['name']}</dd>" in cover
    # the profile by its name (data/demo/profile.toml), its id only in the methods section
    assert "<dt>标准配置</dt><dd>示例县 演示规范" in cover
    assert not re.search(r"[A-Za-z]{2,}", re.sub(r"<[^>]+>", "", cover))
    assert re.search(r"<dt>生成日期</dt><dd>\d{4}-\d\d-\d\d</dd>", cover)
    assert "@bottom-center" in html and "counter(pages)" in html


def test_without_a_cjk_font_the_run_writes_everything_else_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import lifecircle.run.outputs as outputs

    monkeypatch.setattr(outputs, "find_cjk_font", lambda: None)
    project = build_tiny(tmp_path / "tiny")
    out = tmp_path / "out"
    assert main(["run", str(project), "--out", str(out), "--pdf"]) == 0
    for name in ("map.html", "report.html", "report.xlsx", "results.gpkg", "summary.json"):
        assert (out / name).is_file(), name
    assert not (out / "report.pdf").exists()
    said = capsys.readouterr().out
    assert "未生成 report.pdf" in said and "LIFECIRCLE_CJK_FONT" in said
    issues = (out / "issues.csv").read_text(encoding="utf-8-sig")
    assert "未找到含中文字形的字体，未生成 report.pdf" in issues
    assert "未生成 report.pdf" in (out / "report.html").read_text(encoding="utf-8")


def test_pdf_switch_in_the_project_file(tmp_path: Path, cjk_font: cjkfont.CjkFont) -> None:
    folder = tmp_path / "tiny"
    project = build_tiny(folder)
    edit_toml(folder, 'name = "小县城"\n', 'name = "小县城"\norganization = "小县规划所"\n')
    (folder / "project.toml").write_text(
        (folder / "project.toml").read_text(encoding="utf-8") + "\n[report]\npdf = true\n",
        encoding="utf-8",
    )
    assert main(["-q", "run", str(project)]) == 0
    assert "小县规划所" in _page_texts(folder / "out" / "report.pdf")[0]
    # a later run without the switch removes the stale PDF with the other outputs
    edit_toml(folder, "pdf = true", "pdf = false")
    assert main(["-q", "run", str(project)]) == 0
    assert not (folder / "out" / "report.pdf").exists()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[report]\npdf = "yes"\n', "report.pdf"),
        ("[report]\npfd = true\n", "[report] has an unknown key 'pfd'"),
        ("report = 1\n", "[report] must be a table"),
    ],
)
def test_report_section_errors_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    project = build_tiny(tmp_path)
    project.write_text(project.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    if text.startswith("report ="):  # a top-level key must come before the first table
        body = project.read_text(encoding="utf-8").replace("\n" + text, "")
        project.write_text(text + body, encoding="utf-8")
    with pytest.raises(ProjectError) as err:
        load_project(project)
    assert key in str(err.value)


def test_organization_must_be_text(tmp_path: Path) -> None:
    project = build_tiny(tmp_path)
    edit_toml(tmp_path, 'name = "小县城"\n', 'name = "小县城"\norganization = 42\n')
    with pytest.raises(ProjectError) as err:
        load_project(project)
    assert "project.organization" in str(err.value)
    edit_toml(tmp_path, "organization = 42", 'organization = "  小县规划所 "')
    assert load_project(project).organization == "小县规划所"


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def _has_colour(png: bytes, colour: str, tolerance: int = 6) -> bool:
    import io

    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return bool((np.abs(rgb - target).max(axis=2) <= tolerance).any())


def test_static_map_is_a_png_of_the_stated_size_with_sites_when_there_are_some() -> None:
    results = make_results("zh")
    png = static_map_png(results)
    assert _png_size(png) == (1200, 900)  # 8 × 6 in at 150 dpi
    assert _has_colour(png, SITE_COLOR)
    without = static_map_png(make_results("zh", with_sites=False))
    assert _png_size(without) == (1200, 900)
    assert not _has_colour(without, SITE_COLOR)
    assert static_map_png(results) == png  # no timestamp: equal results, equal bytes


def test_report_html_embeds_the_static_map() -> None:
    from lifecircle.maps.report import render_report_html

    html = render_report_html(dataclasses.replace(make_results("en"), organization="Planning Ltd"))
    section = html[html.index('<section id="map">') :]
    section = section[: section.index("</section>")]
    assert '<img src="data:image/png;base64,' in section
    assert "<figcaption>Figure 1 " in section
    assert "<dt>Prepared by</dt><dd>Planning Ltd</dd>" in html


def test_number_items_numbers_tables_and_figures_in_order() -> None:
    svg = '<svg viewBox="0 0 1 1" aria-label="Chart A"><rect/></svg>'
    sections = [
        ("a", "First", f'<table><tr><td>1</td></tr></table><div class="chart">{svg}</div>'),
        ("b", "Second", "<h3>Sub &amp; more</h3><table></table><figure><figcaption>Map"),
    ]
    out = number_items(sections, "zh")
    assert out[0][2] == (
        "<table><caption>表 1 First</caption><tr><td>1</td></tr></table>"
        f'<figure class="chart">{svg}<figcaption>图 1 Chart A</figcaption></figure>'
    )
    assert out[1][2] == (
        "<h3>Sub &amp; more</h3><table><caption>表 2 Second · Sub &amp; more</caption></table>"
        "<figure><figcaption>图 2 Map"
    )


@pytest.mark.skipif(not NOTO.is_file(), reason="Noto Sans CJK (fonts-noto-cjk) not installed")
def test_font_finder_takes_the_named_file_and_its_simplified_chinese_face(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cjkfont.ENV_VAR, str(NOTO))
    font = cjkfont.find_cjk_font()
    assert font is not None
    # fc-list: NotoSansCJK-Regular.ttc holds JP, KR, SC, TC, HK faces, in that order
    assert (font.path, font.face_index, font.family) == (NOTO, 2, "Noto Sans CJK SC")
    not_a_font = tmp_path / "x.ttf"
    not_a_font.write_bytes(b"not a font")
    monkeypatch.setenv(cjkfont.ENV_VAR, str(not_a_font))
    again = cjkfont.find_cjk_font()
    assert again is None or again.path != not_a_font


def test_english_pdf_is_reproducible_and_numbered_in_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cjk_font: cjkfont.CjkFont
) -> None:
    from lifecircle.maps.pdfreport import write_report_pdf
    from lifecircle.maps.report import render_report_html

    font = cjk_font
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    html = render_report_html(make_results("en"))
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    write_report_pdf(html, first, lang="en", font=font)
    write_report_pdf(html, second, lang="en", font=font)
    assert first.read_bytes() == second.read_bytes()
    texts = _page_texts(first)
    assert "Page 1 of " in texts[0] and "Table 1 " in "".join(texts)
    assert "东城社区" in "".join(texts)  # the user's own names, in Chinese, in an English report
    info = pypdf.PdfReader(first).metadata
    assert info is not None and str(info["/CreationDate"]).startswith("D:20231114")
