"""One language everywhere a reader looks, and a workbook that opens right.

A Chinese run shows no English word in report.xlsx, issues.csv or the tables of report.html
(outside the methods section, where ids are the point), an English run no Chinese; the only
exceptions are the user's own names and ids, in the columns listed here. Data-problem texts come
from one catalog (lifecircle.issuetexts) that has both languages for every code, and every place
that records a problem uses a code of that catalog with the parameters its texts name.
"""

from __future__ import annotations

import ast
import csv
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from mistakes import _bureau_roads, _facility_at, _shapefile_communities
from tinyproject import UTM48, X0, Y0, build_tiny, edit_toml

from lifecircle.cli import main
from lifecircle.issuetexts import MESSAGES, ROW_PARAMS, fields, render

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")

#: The sheets a reader reads (scenarios too when there are any).
SHEETS = ("summary", "communities", "facilities", "coverage", "siting", "issues")

#: Columns holding the user's own names and ids (headers in zh and en): any script allowed.
USER_COLUMNS = {
    "zh": {
        "编号",
        "名称",
        "所属社区",
        "街道/乡镇",
        "候选点编号",
        "候选点名称",
        "要素编号",
        "示例编号",
        "情景",
    },
    "en": {
        "ID",
        "Name",
        "Community",
        "Street / town",
        "Candidate",
        "Candidate name",
        "Row id",
        "Example ids",
        "Scenario",
    },
}
#: Columns citing a norm's source document: a Chinese title stays Chinese in an English report.
CITATION_COLUMNS = {
    "Source of the per-100-household norm",
    "Source of the station minimum",
    "Source",
}
#: Letter words allowed in Chinese text: the national standard's prefix (GB 50180-2018).
ZH_ALLOWED = {"GB"}


def _foreign(text: str, lang: str) -> list[str]:
    """The words of the other language in ``text``."""
    if lang == "zh":
        return [w for w in WORD.findall(text) if w not in ZH_ALLOWED]
    return CJK.findall(text)


def _xlsx_foreign(path: Path, lang: str, user_names: set[str]) -> list[tuple[str, str, str]]:
    """(sheet, header, cell text) of every cell with a word of the other language."""
    wb = openpyxl.load_workbook(path)
    bad = []
    for name in SHEETS + (("scenarios",) if "scenarios" in wb.sheetnames else ()):
        ws = wb[name]
        headers = [str(c.value) for c in ws[1]]
        for h in headers:
            if _foreign(h, lang):
                bad.append((name, "header", h))
        for row in ws.iter_rows(min_row=2, values_only=True):
            for header, value in zip(headers, row, strict=False):
                if not isinstance(value, str) or header in USER_COLUMNS[lang]:
                    continue
                if lang == "en" and header in CITATION_COLUMNS:
                    continue
                if _foreign(_without(value, user_names), lang):
                    bad.append((name, header, value))
    return bad


def _without(text: str, user_names: set[str]) -> str:
    """``text`` with the user's own names and ids taken out (they may stand in a message)."""
    for name in sorted(user_names, key=len, reverse=True):
        if name:
            text = text.replace(name, " ")
    return text


class _Tables(HTMLParser):
    """Every table cell of report.html with its column header and its section."""

    def __init__(self) -> None:
        super().__init__()
        self.section = ""
        self.headers: list[str] = []
        self.in_head = False
        self.cell: list[str] | None = None
        self.column = 0
        self.cells: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.section = dict(attrs).get("id") or ""
        elif tag == "thead":
            self.in_head, self.headers = True, []
        elif tag == "tr":
            self.column = 0
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.cell is not None:
            text = "".join(self.cell).strip()
            if self.in_head:
                self.headers.append(text)
            else:
                header = self.headers[self.column] if self.column < len(self.headers) else ""
                self.cells.append((self.section, header, text))
            self.column += 1
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _html_foreign(path: Path, lang: str, user_names: set[str]) -> list[tuple[str, str, str]]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    assert len(parser.cells) > 100  # the tables were found
    bad = []
    for section, header, text in parser.cells:
        if section == "methods" or header in USER_COLUMNS[lang]:
            continue
        if lang == "en" and header in CITATION_COLUMNS:
            continue
        if _foreign(_without(text, user_names), lang):
            bad.append((section, header, text))
    return bad


def _csv_foreign(path: Path, lang: str, user_names: set[str]) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    bad = [rows[0]] if any(_foreign(h, lang) for h in rows[0]) else []
    for row in rows[1:]:
        if any(_foreign(_without(v, user_names), lang) for v in (row[0], row[2], row[3])):
            bad.append(row)
    return bad


def _user_names(out: Path) -> set[str]:
    """The ids and names of the user's features, as results.gpkg keeps them."""
    names: set[str] = set()
    for layer, cols in (
        ("communities", ("id", "name", "street")),
        ("facilities", ("id", "name", "community_id")),
        ("sites", ("candidate_id", "candidate_name")),
    ):
        frame = gpd.read_file(out / "results.gpkg", layer=layer)
        for c in cols:
            if c in frame:
                names.update(str(v) for v in frame[c].dropna())
    return names


def _check_language(out: Path, lang: str) -> None:
    names = _user_names(out)
    assert _xlsx_foreign(out / "report.xlsx", lang, names) == []
    assert _csv_foreign(out / "issues.csv", lang, names) == []
    assert _html_foreign(out / "report.html", lang, names) == []


# --------------------------------------------------------------------------------------------
# the catalog


def test_every_message_has_both_languages_and_renders() -> None:
    assert len(MESSAGES) >= 35
    for code, message in MESSAGES.items():
        params: dict[str, object] = {name: 1.5 for name in fields(code)}
        params.update({name: 7 for name in ROW_PARAMS})
        zh, en = render(code, params, "zh"), render(code, params, "en")
        assert all(zh) and all(en), code
        assert CJK.search(zh[0]) and CJK.search(zh[1]), (code, zh)
        assert not CJK.search(en[0] + en[1]), (code, en)
        if "{row}" in message.problem_zh + message.problem_en:
            assert "（第 7 行）" in zh[0] and " (row 7)" in en[0], code


def _add_calls() -> list[tuple[Path, int, ast.Call]]:
    """Every ``<issues>.add(layer, row, code, ...)`` call of the package."""
    calls = []
    for folder in ("src", "geo", "analysis", "maps"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "add"
                    and ast.unparse(node.func.value).endswith(("issues", "log"))
                    and len(node.args) >= 3
                ):
                    calls.append((path, node.lineno, node))
    return calls


def test_every_call_site_uses_a_catalog_code_with_its_parameters() -> None:
    calls = _add_calls()
    assert len(calls) >= 37  # the places that record a data problem (counted by hand)
    used = set()
    for path, line, call in calls:
        where = f"{path.relative_to(ROOT)}:{line}"
        assert len(call.args) == 3, f"{where}: texts are no longer passed, only a code"
        code = call.args[2]
        assert isinstance(code, ast.Constant) and isinstance(code.value, str), where
        assert code.value in MESSAGES, f"{where}: unknown code {code.value!r}"
        given = {k.arg for k in call.keywords}
        assert None not in given, f"{where}: parameters are named"
        needed = fields(code.value)
        assert needed <= given, f"{where}: {code.value} needs {sorted(needed - given)}"
        assert given - set(ROW_PARAMS) <= needed, f"{where}: unused {sorted(given - needed)}"
        used.add(code.value)
    used |= _rendered_directly()
    assert used == set(MESSAGES), f"codes no call site uses: {sorted(set(MESSAGES) - used)}"


def _rendered_directly() -> set[str]:
    """Codes rendered without an issue log (``render("code", ...)``: an output's own problem)."""
    codes = set()
    for folder in ("src", "geo", "analysis", "maps"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and ast.unparse(node.func) == "render"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    codes.add(str(node.args[0].value))
    return codes


# --------------------------------------------------------------------------------------------
# the demo in both languages


def test_a_chinese_demo_run_shows_no_english_word(demo_out: Path) -> None:
    _check_language(demo_out, "zh")
    with (demo_out / "issues.csv").open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["图层", "要素编号", "问题", "处理"]


def test_an_english_demo_run_shows_no_chinese(english_demo: Path) -> None:
    _check_language(english_demo, "en")
    issues = pd.read_csv(english_demo / "issues.csv", encoding="utf-8-sig", dtype=str)
    assert list(issues.columns) == ["layer", "row_id", "problem", "action"]
    sheet = openpyxl.load_workbook(english_demo / "report.xlsx")["issues"]
    assert [c.value for c in sheet[1]] == ["Layer", "Row id", "Problem", "Action"]
    snapped = issues.loc[issues["problem"].str.startswith("nearest street is")]
    assert len(snapped) == 287 and set(snapped["layer"]) == {"population"}


# --------------------------------------------------------------------------------------------
# the workbook's formats


#: Header (zh) → the number format its cells must have (decided by hand from the issue: shares
#: as percentages, people whole, m² with one decimal, distances whole metres, coordinates 6).
EXPECTED_FORMATS = {
    "communities": {
        "户数": "#,##0",
        "人口": "#,##0",
        "服务设施建筑面积（m²）": "#,##0.0",
        "每百户建筑面积（m²）": "#,##0.0",
        "社区综合服务站 5分钟覆盖率": "0.0%",
        "完整度 10分钟": "0.0%",
        "未覆盖人口 15分钟": "#,##0",
        "经度": "0.000000",
        "纬度": "0.000000",
    },
    "facilities": {
        "建筑面积（m²）": "#,##0.0",
        "接入路网距离（m）": "#,##0",
        "服务户数": "#,##0",
        "经度": "0.000000",
    },
    "coverage": {
        "步行距离（m）": "#,##0",
        "覆盖率（路网，占计入人口）": "0.0%",
        "覆盖率（直线，占计入人口）": "0.0%",
        "覆盖人口": "#,##0",
    },
    "siting": {
        "新增覆盖人口": "#,##0",
        "可建建筑面积（m²）": "#,##0.0",
        "经度": "0.000000",
        "纬度": "0.000000",
    },
}


def test_workbook_number_formats_cell_by_cell(demo_out: Path) -> None:
    wb = openpyxl.load_workbook(demo_out / "report.xlsx")
    for sheet, wanted in EXPECTED_FORMATS.items():
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        assert ws.max_row > 1, sheet
        for header, fmt in wanted.items():
            j = headers.index(header) + 1
            numbers = [
                c
                for (c,) in ws.iter_rows(min_row=2, min_col=j, max_col=j)
                if isinstance(c.value, int | float)
            ]
            assert numbers, (sheet, header)
            assert {c.number_format for c in numbers} == {fmt}, (sheet, header)
    # the summary: the total population whole, completeness a percentage, per row
    rows = {r[0].value: r[1] for r in wb["summary"].iter_rows(min_row=2)}
    assert rows["计入人口"].number_format == "#,##0"
    assert rows["提供人口"].number_format == "#,##0"
    assert rows["全部必配设施覆盖（完整度，占计入人口） 5分钟"].number_format == "0.0%"
    assert rows["数据问题"].number_format == "#,##0"


def test_every_sheet_freezes_and_filters_its_header(demo_out: Path) -> None:
    wb = openpyxl.load_workbook(demo_out / "report.xlsx")
    for ws in wb:
        assert ws.freeze_panes == "A2", ws.title
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", ws.title


def test_column_widths_fit_chinese_text(demo_out: Path) -> None:
    ws = openpyxl.load_workbook(demo_out / "report.xlsx")["communities"]
    headers = [c.value for c in ws[1]]
    # 名称: the longest community name of the demo, 4 characters, is 8 width units (+2 margin)
    j = headers.index("名称") + 1
    longest = max(len(str(c.value)) for (c,) in ws.iter_rows(min_row=2, min_col=j, max_col=j))
    letter = openpyxl.utils.get_column_letter(j)
    assert ws.column_dimensions[letter].width >= 2 * longest + 2
    # a header of 12 Chinese characters and " 5" gets 2 × 12 + 2 units, + 2 of margin
    j = headers.index("社区综合服务站 5分钟覆盖率") + 1
    assert ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width == 2 * 12 + 2 + 2


# --------------------------------------------------------------------------------------------
# a project as a bureau has it: GBK shapefile with Chinese columns, GBK CSV, road lines


@pytest.fixture(scope="module")
def bureau_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bureau") / "p"
    build_tiny(folder)
    _shapefile_communities(folder, encoding="gbk", cpg=False)
    _facility_at(20_000, 300)(folder)  # far from every street: a data problem
    facilities = pd.read_csv(folder / "facilities.csv", dtype=str, encoding="utf-8")
    facilities.to_csv(folder / "facilities.csv", index=False, encoding="gbk")
    _bureau_roads(folder)
    gpd.GeoDataFrame(
        {"编号": ["K1", "K2"], "名称": ["文庙小学旧址", "北门空地"], "可建面积": [450.0, 380.0]},
        geometry=[shapely.Point(X0 + 120, Y0 + 480), shapely.Point(X0 + 480, Y0 + 120)],
        crs=UTM48,
    ).to_file(folder / "候选点.gpkg", driver="GPKG")
    edit_toml(
        folder,
        "[siting]",
        '[layers.candidates]\npath = "候选点.gpkg"\n'
        'fields = { id = "编号", name = "名称", max_floor_area_m2 = "可建面积" }\n\n[siting]',
    )
    assert main(["-q", "run", str(folder / "project.toml")]) == 0
    return folder / "out"


def test_a_bureau_project_reads_in_chinese(bureau_out: Path) -> None:
    _check_language(bureau_out, "zh")
    issues = pd.read_csv(bureau_out / "issues.csv", encoding="utf-8-sig", dtype=str)
    far = issues.loc[(issues["要素编号"] == "F06") & issues["问题"].str.contains("道路")]
    assert far["图层"].tolist() == ["设施"]
    assert far["问题"].iloc[0].startswith("最近的道路在 ")
    assert far["处理"].iloc[0] == "未接入路网；不计入覆盖率的分母"


def test_the_siting_sheet_names_the_candidate_and_its_buildable_area(bureau_out: Path) -> None:
    ws = openpyxl.load_workbook(bureau_out / "report.xlsx")["siting"]
    rows = [
        dict(zip([c.value for c in ws[1]], r, strict=True))
        for r in ws.iter_rows(min_row=2, values_only=True)
    ]
    assert len(rows) == 1
    by_id = {"K1": ("文庙小学旧址", 450.0), "K2": ("北门空地", 380.0)}
    site = rows[0]
    assert (site["候选点名称"], site["可建建筑面积（m²）"]) == by_id[site["候选点编号"]]
    assert site["设施类别"] == "老年人日间照料中心"


def test_a_bureau_project_reads_in_english(
    bureau_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p"
    shutil.copytree(bureau_out.parent, folder, ignore=shutil.ignore_patterns("out"))
    edit_toml(folder, 'lang = "zh"', 'lang = "en"')
    assert main(["-q", "run", str(folder / "project.toml")]) == 0
    _check_language(folder / "out", "en")
    # lifecircle check prints the same problems, in English but for the user's file names
    capsys.readouterr()
    assert main(["check", str(folder / "project.toml")]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("  - ")]
    assert any("nearest street is" in ln for ln in lines)
    files = {p.name for p in folder.iterdir()} | _user_names(folder / "out")
    assert [ln for ln in lines if CJK.search(_without(ln, files))] == []


def test_check_prints_the_problems_in_chinese(
    bureau_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["check", str(bureau_out.parent / "project.toml")]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("  - ")]
    assert any(ln.startswith("  - facilities.csv（F06）：最近的道路在 ") for ln in lines), lines
    assert [ln for ln in lines if _foreign(_without(ln, {"facilities.csv"}), "zh")] == []
