"""The figures a reader sees, checked against values worked out by hand on a tiny project.

The siting project (all positions in the local metres of :mod:`tinyproject`, on the 100 m
street grid, so every walking distance is a Manhattan distance along the streets):

====  ===========  ======  =========  =====================================================
pt    position     people  community  distance to the day care (moved to 500, 500)
====  ===========  ======  =========  =====================================================
A     (50, 100)    100     C01        450 + 400 = 850 m
B     (250, 100)   200     C01        250 + 400 = 650 m
C     (550, 100)   300     C02        50 + 400 = 450 m
D     (500, 300)   400     C02        200 m: already within the day care's 300 m
E     (450, 1100)  150     C02        500 m from every street: left out (max_snap_m 300)
====  ===========  ======  =========  =====================================================

Candidates: K1 (150, 100) reaches A (100 m) and B (100 m); K2 (380, 100) reaches B (130 m) and
C (170 m); K3 (500, 400) reaches D (100 m); K4 (500, 200) reaches C (150 m) and D (100 m).
Not covered before the sites: A + B + C = 600 people; D is, by the day care (200 m).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from tinyproject import (
    UTM48,
    X0,
    Y0,
    box_ll,
    build_tiny,
    edit_communities,
    edit_facilities,
    edit_toml,
    lonlat,
)

from lifecircle.analysis.results import RunResults
from lifecircle.dataissues import IssueLog
from lifecircle.maps.report import render_report_html
from lifecircle.maps.workbook import write_report_xlsx
from lifecircle.project import SitingSpec, load_project
from lifecircle.run.assemble import assemble
from lifecircle.run.outputs import write_outputs
from lifecircle.run.pipeline import analyse, analyse_state
from lifecircle.run.siting import site
from lifecircle.run.state import RunState
from lifecircle.run.summary import build_summary

POINTS = {"A": (50, 100, 100), "B": (250, 100, 200), "C": (550, 100, 300), "D": (500, 300, 400)}
FAR = ("E", 450, 1100, 150)
CANDIDATES = {"K1": (150, 100), "K2": (380, 100), "K3": (500, 400), "K4": (500, 200)}


def _siting_project(folder: Path) -> Path:
    toml = build_tiny(folder)
    pts = [(k, x, y, p) for k, (x, y, p) in POINTS.items()] + [FAR]
    gpd.GeoDataFrame(
        {"编号": [p[0] for p in pts], "人口": [float(p[3]) for p in pts]},
        geometry=[shapely.Point(X0 + x, Y0 + y) for _, x, y, _ in pts],
        crs=UTM48,
    ).to_file(folder / "people.gpkg", driver="GPKG")
    gpd.GeoDataFrame(
        {"id": list(CANDIDATES), "max_floor_area_m2": [2000.0] * len(CANDIDATES)},
        geometry=[shapely.Point(lonlat(x, y)) for x, y in CANDIDATES.values()],
        crs="EPSG:4326",
    ).to_file(folder / "candidates.gpkg", driver="GPKG")

    def move_day_care(frame):  # type: ignore[no-untyped-def]
        lon, lat = lonlat(500, 500)
        row = frame["编号"] == "F04"
        frame.loc[row, "经度"], frame.loc[row, "纬度"] = f"{lon:.7f}", f"{lat:.7f}"
        return frame

    edit_facilities(folder, move_day_care)

    def stretch_c02(frame):  # type: ignore[no-untyped-def]
        frame.loc[frame["社区代码"] == "C02", "geometry"] = box_ll(300, 0, 600, 1200)
        return frame

    edit_communities(folder, stretch_c02)
    edit_toml(
        folder,
        '[layers.population]\npath = "population.tif"',
        '[layers.population]\npath = "people.gpkg"\nfields = { id = "编号", value = "人口" }\n\n'
        '[layers.candidates]\npath = "candidates.gpkg"\n'
        'fields = { id = "id", max_floor_area_m2 = "max_floor_area_m2" }',
    )
    edit_toml(folder, "max_snap_m = 150", "max_snap_m = 300")
    return toml


@pytest.fixture(scope="module")
def siting_toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _siting_project(tmp_path_factory.mktemp("siting"))


def _run(toml: Path, **spec: object) -> RunResults:
    project = load_project(toml)
    return analyse(project, siting=SitingSpec(category="elderly_day_care", **spec))  # type: ignore[arg-type]


def _sites(results: RunResults) -> list[tuple[str, float]]:
    s = results.sites.sort_values("rank")
    return list(zip(s["candidate_id"], s["newly_covered_population"].round(6), strict=True))


def test_mclp_newly_covered_people_per_ranked_site(siting_toml: Path) -> None:
    # one site: K2 newly covers B + C = 500; K1 (A + B) and K4 (C; D is covered already) 300
    # each. Counting D again would make K4 (700) the pick.
    results = _run(siting_toml, new_sites=1, problem="mclp")
    assert _sites(results) == [("K2", 500.0)]
    assert results.sites["walking_saved_km_person"].isna().all()


def test_lscp_newly_covered_people_per_ranked_site(siting_toml: Path) -> None:
    # covered before: D = 400 of 1000 counted; 90 % needs 500 more: K2 alone (B + C)
    results = _run(siting_toml, problem="lscp", target_share=0.9)
    assert _sites(results) == [("K2", 500.0)]


def test_p_median_newly_covered_people_and_walking_saved(siting_toml: Path) -> None:
    # walking saved, person·m, each point walking from the day care's distance before:
    #   A via K1 (850 − 100) × 100 = 75,000; B via K1 (650 − 100) × 200 = 110,000 (K2: 104,000)
    #   C via K4 (450 − 150) × 300 = 90,000 (K2: 84,000); D via K3 or K4 (200 − 100) × 400 = 40,000
    # best pair {K1, K4}: 315,000 ({K1, K2} 269,000, {K2, K4} 234,000, {K1, K3} 225,000 …);
    # ranked K1 (185,000) before K4 (130,000); K4 newly covers C only (D was covered).
    results = _run(siting_toml, new_sites=2, problem="p_median")
    assert _sites(results) == [("K1", 300.0), ("K4", 300.0)]
    saved = results.sites.sort_values("rank")["walking_saved_km_person"].to_list()
    assert saved == pytest.approx([185.0, 130.0], abs=0.05)
    summary = build_summary(results, {})
    assert [s["newly_covered_population"] for s in summary["siting"]] == [300.0, 300.0]
    assert [s["walking_saved_km_person"] for s in summary["siting"]] == pytest.approx(
        [185.0, 130.0], abs=0.05
    )
    page = render_report_html(results)
    sites = re.search(r'<section id="sites">.*?</section>', page, re.S)
    assert sites is not None and "减少步行量（人·公里）" in sites.group(0)
    assert "P中值选址" in sites.group(0) and "185.0" in sites.group(0)
    # the map's site popups: both figures, each with its one-line definition
    out = siting_toml.parent / "out-p-median"
    write_outputs(results, out)
    page = (out / "map.html").read_text(encoding="utf-8")
    popups = re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), page)
    assert re.search(r"减少步行量（人·公里）</td><td>185\.0<", popups)
    assert re.search(r"新增覆盖人口</td><td>300<", popups)
    assert "新增覆盖人口：在现有设施和排序在前的站点之外" in popups
    assert "减少步行量：本站点使全部计入人口的步行距离总和减少的人·公里数" in popups


def test_uncovered_after_sites_per_community(siting_toml: Path) -> None:
    # MCLP with one site picks K2 (B + C); A (100, C01) stays beyond 300 m
    results = _run(siting_toml, new_sites=1, problem="mclp")
    com = results.communities.set_index("id")
    assert com.loc["C01", "uncovered_before_sites_population"] == pytest.approx(300.0)
    assert com.loc["C01", "uncovered_after_sites_population"] == pytest.approx(100.0)
    assert com.loc["C02", "uncovered_before_sites_population"] == pytest.approx(300.0)
    assert com.loc["C02", "uncovered_after_sites_population"] == pytest.approx(0.0)
    page = render_report_html(results)
    table = page[page.index("建议站点建成后各社区仍未覆盖人口") :]
    # why the model placed the sites elsewhere, with its own objective
    assert "新增覆盖人口总数最大" in table and "不在任何候选点的服务距离内" in table
    assert table.index("文庙社区") < table.index("北门社区")  # most still uncovered first


def test_population_supplied_counted_and_left_out(siting_toml: Path, tmp_path: Path) -> None:
    # E (150 people) lies 500 m from every street, beyond max_snap_m = 300: supplied 1,150,
    # counted 1,000; in C02: 850 supplied, 700 counted, 150 left out
    results = _run(siting_toml, new_sites=1, problem="mclp")
    acc = results.population_account
    assert acc is not None
    assert (acc.supplied, acc.counted) == pytest.approx((1150.0, 1000.0))
    assert acc.left_out == pytest.approx({"far_from_network": 150.0})
    assert results.population_total == pytest.approx(1000.0)
    com = results.communities.set_index("id")
    assert com.loc["C02", "population_supplied"] == pytest.approx(850.0)
    assert com.loc["C02", "population_counted"] == pytest.approx(700.0)
    assert com.loc["C02", "population_left_out"] == pytest.approx(150.0)
    assert com.loc["C01", "population_left_out"] == pytest.approx(0.0)
    summary = build_summary(results, {})
    assert (summary["population_supplied"], summary["population_counted"]) == (1150.0, 1000.0)
    assert summary["population_left_out"] == {"far_from_network": 150.0}
    assert summary["population_total"] == 1000.0
    page = render_report_html(results)
    head = re.search(r'<section id="headline">.*?</section>', page, re.S)
    assert head is not None
    text = re.sub(r"<[^>]+>", " ", head.group(0))
    assert re.search(r"提供人口\s+1,150", text) and re.search(r"计入人口\s+1,000", text)
    assert re.search(r"未计入：距路网过远\s+150", text)
    assert "占计入人口" in text
    write_report_xlsx(results, tmp_path / "report.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "report.xlsx")["summary"]
    rows = {r[0].value: r[1].value for r in sheet.iter_rows(min_row=2)}
    assert rows["提供人口"] == pytest.approx(1150.0)
    assert rows["计入人口"] == pytest.approx(1000.0)
    assert rows["未计入：距路网过远"] == pytest.approx(150.0)


def test_synthetic_stamp_only_where_the_project_says_so(siting_toml: Path) -> None:
    # road lines of the bureau's own: never synthetic, never OSM
    results = _run(siting_toml, new_sites=1)
    assert not results.methods.synthetic and not results.methods.osm_credit
    assert "合成数据" not in render_report_html(results)
    marked = replace(load_project(siting_toml), synthetic=True)
    stamped = analyse(marked)
    assert stamped.methods.synthetic
    assert "合成数据，仅供演示" in render_report_html(stamped)


def test_synthetic_must_be_true_or_false(tmp_path: Path) -> None:
    from lifecircle.errors import ProjectError

    toml = build_tiny(tmp_path)
    edit_toml(tmp_path, 'lang = "zh"', 'lang = "zh"\nsynthetic = "yes"')
    with pytest.raises(ProjectError, match=r"project\.synthetic"):
        load_project(toml)


def _section(page: str, sid: str) -> str:
    found = re.search(rf'<section id="{sid}">.*?</section>', page, re.S)
    assert found is not None, sid
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_no_standard_where_the_profile_has_no_station_minimum(siting_toml: Path) -> None:
    # cn-national gives no minimum floor area for any station tier: F01 and F02 are neither
    # passed nor failed, and the headline does not read 0/2
    results = _run(siting_toml, new_sites=1)
    assert results.norm_counts["station_min_area"] == {
        "passed": 0,
        "failed": 0,
        "not_provided": 2,
    }
    page = render_report_html(results)
    head = _section(page, "headline")
    assert re.search(r"达标站点 · 站点最小面积（m²） 无标准 –", head), head
    assert "0/2" not in head
    stations = _section(page, "stations")
    assert re.search(r"F01 文庙社区综合服务站 \S+ 900\.0 – 无标准 \d", stations), stations
    assert re.search(r"F02 北门社区综合服务站 \S+ 700\.0 – 无标准 \d", stations), stations


def test_definitions_next_to_the_figures(siting_toml: Path) -> None:
    results = _run(siting_toml, new_sites=1)
    page = render_report_html(results)
    head = _section(page, "headline")
    # completeness: defined, with why 15 min can be below 10 min (cn-national: 8 / 3 / 5 required)
    assert "完整度：计入人口中，在本圈层每一类必配设施各自的服务距离内都能步行到达" in head
    assert "5分钟 8 类、10分钟 3 类、15分钟 5 类" in head
    assert "15分钟完整度可能低于10分钟完整度" in head
    assert "最大接入距离 300 米" in head
    # households served: what the code counts (nearest facility of the category, within its
    # distance; households from the community's persons per household, 2.62 by default)
    stations = _section(page, "stations")
    assert "服务户数：以该站点为步行距离最近的同类设施、且步行距离不超过" in stations
    assert "2.62 人/户" in stations
    sites = _section(page, "sites")
    assert "最大覆盖选址：在给定新增站点数下，使新增覆盖人口总数最大" in sites
    assert "服务距离（300 米）内的计入人口" in sites
    methods = _section(page, "methods")
    assert "B = 引自地方政策文件，未复核原文" in methods
    english = _section(render_report_html(replace(results, lang="en")), "headline")
    assert "Completeness: the share of the population counted" in english


@pytest.fixture(scope="module")
def demo_state(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> RunState:
    """The demo's analysis (no scenarios), computed once; each test sites again on it."""
    out = tmp_path_factory.mktemp("figs") / "out"
    project = load_project(demo_dir / "project.toml", output=out)
    return analyse_state(replace(project, scenarios=()))


@pytest.mark.parametrize("problem", ["mclp", "lscp", "p_median"])
def test_demo_newly_covered_never_exceeds_the_uncovered(demo_state: RunState, problem: str) -> None:
    spec = SitingSpec(
        category="elderly_day_care",
        new_sites=5,
        problem=problem,  # type: ignore[arg-type]
        target_share=0.45,  # lscp: 26 % covered now, at most 49 % with every candidate
    )
    ev = demo_state.evaluation
    sited = site(
        spec,
        demo_state.project,
        demo_state.inputs,
        demo_state.network,
        ev.reached.demand_m,
        ev.snapped.demand,
        ev.prepared.crs,
        issues=IssueLog(),
    )
    results = assemble(replace(demo_state, siting=sited))
    com = results.communities
    uncovered = com["uncovered_before_sites_population"].sum()
    newly = results.sites["newly_covered_population"].to_numpy()
    assert len(newly) and (newly >= 0).all()
    assert newly.sum() <= uncovered + 1e-6 <= results.population_total + 1e-6
    # what the sites newly cover is what the communities' uncovered figures lose (people
    # outside every community aside, none in the demo)
    after = com["uncovered_after_sites_population"].sum()
    assert newly.sum() == pytest.approx(uncovered - after, abs=1e-6)
    # the uncovered before siting is the coverage table's complement at the category's level
    cov = results.coverage.set_index(["category", "level"]).loc[("elderly_day_care", "5min")]
    assert uncovered == pytest.approx(results.population_total - cov["population_covered"])


def test_demo_report_and_map_carry_the_synthetic_stamp(demo_out: Path) -> None:
    for name in ("report.html", "map.html"):
        text = (demo_out / name).read_text(encoding="utf-8")
        assert "合成数据，仅供演示" in text or "\\u5408\\u6210\\u6570\\u636e" in text, name


def test_demo_results_gpkg_carries_the_new_figures(demo_out: Path) -> None:
    import json

    com = gpd.read_file(demo_out / "results.gpkg", layer="communities")
    sites = gpd.read_file(demo_out / "results.gpkg", layer="sites")
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    # per community, supplied = counted + left out; summed, the overall figures
    left = com["population_supplied"] - com["population_counted"]
    assert (left - com["population_left_out"]).abs().max() < 1e-6
    assert com["population_counted"].sum() == pytest.approx(summary["population_counted"], abs=0.1)
    assert com["population_supplied"].sum() == pytest.approx(
        summary["population_supplied"], abs=0.1
    )
    # what the sites newly cover is what the communities' uncovered people lose
    drop = com["uncovered_before_sites_population"] - com["uncovered_after_sites_population"]
    assert sites["newly_covered_population"].sum() == pytest.approx(drop.sum(), abs=0.1)
    assert "walking_saved_km_person" in sites.columns


def test_community_without_a_population_value(tmp_path: Path) -> None:
    # no population layer: each community's population is spread over its area; C02 gives
    # neither population nor households, so none of its people are known or counted
    toml = build_tiny(tmp_path)
    edit_toml(tmp_path, '[layers.population]\npath = "population.tif"\n', "")

    def blank_c02(frame):  # type: ignore[no-untyped-def]
        frame["人口"] = frame["人口"].astype(float)
        frame["户数"] = frame["户数"].astype(float)
        frame.loc[frame["社区代码"] == "C02", ["人口", "户数"]] = float("nan")
        return frame

    edit_communities(tmp_path, blank_c02)
    results = analyse(load_project(toml))
    com = results.communities.set_index("id")
    assert bool(com.loc["C02", "population_no_value"]) and not com.loc["C01", "population_no_value"]
    assert com.loc["C01", "population_supplied"] == pytest.approx(900.0)
    assert results.population_account is not None
    assert results.population_account.no_value_communities == 1
    page = render_report_html(results)
    assert re.search(r"无人口值的社区（人数未知，未计入） 1 0", _section(page, "headline"))
    assert re.search(r"C02 北门社区 \S+ \S+ 无人口值", _section(page, "communities"))
