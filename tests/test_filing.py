"""Outputs fit to file: byte-identical reruns, provenance, no formula from user text, escaped
map labels, stale temporary folders removed (on the tiny project of tests/badcases.py)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from tinyproject import build_tiny, edit_facilities, edit_toml

from lifecircle.cli import main
from lifecircle.run.outputs import OUTPUT_FILES

HYPERLINK = '=HYPERLINK("http://x","点击")'


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _without_timings(data: bytes) -> dict[str, object]:
    summary = json.loads(data)
    summary.pop("timings_s")
    return summary


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The tiny project (a facility named like a formula) run twice into two folders."""
    folder = tmp_path_factory.mktemp("tiny") / "project"
    project = build_tiny(folder)

    def formula_name(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[2, "名称"] = HYPERLINK
        frame.loc[3, "编号"] = "=1+1"  # an id like a formula …
        frame.loc[3, "类别"] = "老年食堂"  # … on a row that issues.csv lists (unknown category)
        return frame

    edit_facilities(folder, formula_name)
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    try:
        outs = []
        for k in (1, 2):
            out = folder / f"out{k}"
            assert main(["-q", "run", str(project), "--out", str(out)]) == 0
            outs.append(out)
    finally:
        mp.undo()
    return outs[0], outs[1]


def test_two_runs_give_byte_identical_outputs(two_runs: tuple[Path, Path]) -> None:
    first, second = (_files(out) for out in two_runs)
    assert sorted(first) == sorted(second) and set(OUTPUT_FILES.values()) <= set(first)
    different = [name for name in first if name != "summary.json" and first[name] != second[name]]
    assert different == []
    # summary.json differs only in the seconds each step took
    assert _without_timings(first["summary.json"]) == _without_timings(second["summary.json"])


def test_outputs_carry_the_run_date_not_the_clock(two_runs: tuple[Path, Path]) -> None:
    out = two_runs[0]
    with zipfile.ZipFile(out / "report.xlsx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(2023, 11, 14, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode("utf-8")
    assert core.count("2023-11-14T00:00:00Z") == 2  # created and modified
    assert "2023-11-14" in (out / "report.html").read_text(encoding="utf-8")


def test_provenance_names_every_input_with_its_hash(two_runs: tuple[Path, Path]) -> None:
    out = two_runs[0]
    folder = out.parent
    prov = json.loads((out / "summary.json").read_text(encoding="utf-8"))["provenance"]
    roles = {f["role"]: f for f in prov["inputs"]}
    assert set(roles) == {
        "project",
        "profile (built-in)",
        "network",
        "communities",
        "facilities",
        "population",
    }
    for name in ("project.toml", "facilities.csv", "streets.geojson", "population.tif"):
        entry = next(f for f in prov["inputs"] if f["path"] == name)
        data = (folder / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size_bytes"] == len(data)
    assert roles["profile (built-in)"]["path"] == "lifecircle/data/norms/cn-national.toml"
    assert prov["profile"]["id"] == "cn-national" and len(prov["profile"]["sha256"]) == 64
    params = prov["parameters"]
    assert params["network"]["max_snap_m"] == 150.0 and "cache" not in params["network"]
    assert params["layers"]["facilities"]["fields"]["x"] == "经度"
    assert params["siting"]["category"] == "elderly_day_care"
    report = (out / "report.html").read_text(encoding="utf-8")
    assert roles["facilities"]["sha256"] in report and prov["profile"]["sha256"] in report


def test_no_user_text_runs_as_a_formula(two_runs: tuple[Path, Path]) -> None:
    out = two_runs[0]
    book = load_workbook(out / "report.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    named = [c for c in cells if c.value == HYPERLINK]
    assert named, "the facility's name is in the workbook"
    assert all(c.data_type == "s" and c.quotePrefix for c in named)
    assert not [c for c in cells if c.data_type == "f"]
    with (out / "issues.csv").open(encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert "'=1+1" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_a_category_named_like_html_is_escaped_in_the_layer_switcher(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    project = build_tiny(folder)
    profile = folder / "县标准.toml"
    profile.write_text(
        'id = "x"\nname = "x"\nextends = "cn-national"\n\n[categories.kindergarten]\n'
        'name_zh = "<img src=x onerror=alert(1)>"\naliases = ["幼儿园"]\nsource = "县文件"\n'
        'status = "B"\n',
        encoding="utf-8",
    )
    edit_toml(folder, 'profile = "cn-national"', 'profile = "县标准.toml"')
    assert main(["-q", "run", str(project)]) == 0
    page = (folder / "out" / "map.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page
    # every string literal of the page holding the name, as the page's script reads it
    texts = [
        json.loads(m) for m in re.findall(r'"(?:[^"\\\n]|\\.)*onerror(?:[^"\\\n]|\\.)*"', page)
    ]
    layer_names = [t for t in texts if t.startswith("步行等时圈：")]
    assert layer_names and set(layer_names) == {"步行等时圈：&lt;img src=x onerror=alert(1)&gt;"}
    assert all("<img" not in t for t in texts)


def test_stale_temporary_folders_of_lifecircle_only_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "project"
    project = build_tiny(folder)
    out = folder / "out"
    stale = out / ".lifecircle-tmp-killed"
    stale.mkdir(parents=True)
    (stale / "map.html").write_text("half written", encoding="utf-8")
    mine = out / ".my-notes"
    mine.mkdir()
    (out / ".lifecircle-tmp-note.txt").write_text("a file, not our folder", encoding="utf-8")
    assert main(["-q", "run", str(project)]) == 0
    assert not stale.exists()
    assert mine.is_dir() and (out / ".lifecircle-tmp-note.txt").is_file()
    assert not [p for p in out.iterdir() if p.is_dir() and p.name.startswith(".lifecircle-tmp-")]
