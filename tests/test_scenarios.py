"""Scenarios: a scenario's figures equal a run on input files edited by hand to the same change."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from lifecircle.analysis.compare import compare
from lifecircle.analysis.results import RunResults
from lifecircle.cli import main
from lifecircle.errors import InputError, ProjectError
from lifecircle.geo.layers import read_layer
from lifecircle.project import Project, load_project, safe_folder_name
from lifecircle.run.assemble import assemble
from lifecircle.run.pipeline import analyse, analyse_state
from lifecircle.run.scenarios import ADOPTED_ID_PREFIX, run_scenario
from lifecircle.run.state import RunState
from lifecircle.vocab import LEVELS, dist_column

pytestmark = pytest.mark.slow

#: Two new kindergartens and a station, as a planner lists them: GBK, GCJ-02, the layer's columns.
ADDED_CSV = (
    "编号,名称,类别,建筑面积,所属社区,经度,纬度\n"
    "N001,新建幼儿园甲,幼儿园,2400,,107.9180,31.0950\n"
    "N002,新建幼儿园乙,幼儿园,1800,,107.8400,31.1150\n"
    "N003,新城西社区综合服务站,社区综合服务站,900,,107.9060,31.1020\n"
)
CLOSED = ("F0002", "F0001")  # 文庙幼儿园 and 文庙社区综合服务站
RESIZED = {"F0007": 1500.0}  # 北街社区综合服务站, 960 m² today

SCENARIOS = f"""
[[scenarios]]
name = "近期建设: 幼儿园/服务站"
add = "新增设施.csv"
close = ["{CLOSED[0]}", "{CLOSED[1]}"]
floor_area = {{ F0007 = 1500 }}

[[scenarios]]
name = "建议日间照料中心建成"
adopt_sites = true

[[scenarios]]
name = "现状"
"""


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Path:
    """A copy of the demo county with three scenarios and the add file."""
    folder = tmp_path_factory.mktemp("scenario-demo") / "demo"
    shutil.copytree(demo_dir, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (folder / "新增设施.csv").write_bytes(ADDED_CSV.encode("gbk"))
    toml = folder / "project.toml"
    text = toml.read_text(encoding="utf-8").replace("[[scenarios]]", "[[old_scenarios]]")
    toml.write_text(text.split("[[old_scenarios]]")[0] + SCENARIOS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def state(project_dir: Path) -> RunState:
    return analyse_state(load_project(project_dir / "project.toml"))


@pytest.fixture(scope="module")
def baseline(state: RunState) -> RunResults:
    return assemble(state)


def _by_name(state: RunState, name: str) -> RunResults:
    spec = next(s for s in state.project.scenarios if s.name == name)
    return run_scenario(spec, state).results


def _edited_run(project: Project, facilities: gpd.GeoDataFrame, folder: Path) -> RunResults:
    """An independent run: the facilities written to a file of their own, no siting."""
    path = folder / "facilities_edited.gpkg"
    facilities.to_file(path, driver="GPKG")
    spec = replace(
        project.layers["facilities"],
        path=path,
        fields={k: k for k in ("id", "name", "category", "floor_area_m2", "community_id")},
        crs=None,
        encoding="auto",
    )
    layers = dict(project.layers) | {"facilities": spec}
    return analyse(replace(project, layers=layers, siting=None, scenarios=()))


def _assert_same_figures(scenario: RunResults, independent: RunResults) -> None:
    a, b = scenario.coverage, independent.coverage
    assert list(a["category"]) == list(b["category"])
    np.testing.assert_allclose(a["network_share"], b["network_share"], rtol=0, atol=1e-12)
    assert {k: dict(v) for k, v in scenario.norm_counts.items()} == {
        k: dict(v) for k, v in independent.norm_counts.items()
    }
    assert scenario.completeness == pytest.approx(independent.completeness, abs=1e-12)
    ca = scenario.communities.set_index("id")
    cb = independent.communities.set_index("id").reindex(ca.index)
    for col in ("area_per_100hh_m2", "area_per_100hh_shortfall_m2", "reachable_area_per_100hh_m2"):
        np.testing.assert_allclose(ca[col], cb[col], rtol=1e-9, atol=1e-9, err_msg=col)
    assert list(ca["area_per_100hh_result"]) == list(cb["area_per_100hh_result"])
    da, db = scenario.demand, independent.demand
    for col in (c for c in da.columns if c.startswith("dist_m_")):
        np.testing.assert_allclose(da[col], db[col], rtol=0, atol=1e-6, err_msg=col)
    np.testing.assert_allclose(
        da["reachable_area_per_100hh_m2"], db["reachable_area_per_100hh_m2"], rtol=1e-9
    )
    fa = scenario.facilities.set_index("id")
    fb = independent.facilities.set_index("id").reindex(fa.index)
    np.testing.assert_allclose(fa["served_households"], fb["served_households"], atol=1e-9)
    ia = scenario.isochrones.sort_values(["category", "level"]).reset_index(drop=True)
    ib = independent.isochrones.sort_values(["category", "level"]).reset_index(drop=True)
    assert list(ia["category"]) == list(ib["category"])
    # same outlines to a millimetre (sites pass through WGS84 once more in the edited files)
    ga, gb = ia.to_crs(scenario.methods.metric_crs), ib.to_crs(scenario.methods.metric_crs)
    same = shapely.equals_exact(ga.geometry.values, gb.geometry.values, tolerance=1e-3)
    differ = shapely.symmetric_difference(ga.geometry.values[~same], gb.geometry.values[~same])
    assert (shapely.area(differ) < 1.0).all()  # m², on unions of many km²
    np.testing.assert_allclose(ga.area, gb.area, rtol=1e-9)


def test_added_closed_and_resized_equal_a_run_on_edited_files(
    state: RunState, project_dir: Path, tmp_path: Path
) -> None:
    scenario = _by_name(state, "近期建设: 幼儿园/服务站")
    raw = state.inputs.facilities
    edited = raw[~raw["id"].astype(str).isin(CLOSED)].copy()
    for fid, area in RESIZED.items():
        edited.loc[edited["id"].astype(str) == fid, "floor_area_m2"] = area
    spec = replace(state.project.layers["facilities"], path=project_dir / "新增设施.csv")
    added = read_layer(spec, kind="facilities", issues=state.issues.__class__())
    assert sorted(added["id"]) == ["N001", "N002", "N003"]
    edited = pd.concat([edited, added], ignore_index=True)
    independent = _edited_run(state.project, gpd.GeoDataFrame(edited, crs=raw.crs), tmp_path)
    _assert_same_figures(scenario, independent)


def test_reusing_the_baselines_frames_gives_the_same_results(
    state: RunState, baseline: RunResults
) -> None:
    spec = next(s for s in state.project.scenarios if s.name.startswith("近期建设"))
    alone = run_scenario(spec, state).results
    reused = run_scenario(spec, state, baseline=baseline).results
    assert list(reused.isochrones["category"]) == list(alone.isochrones["category"])
    assert shapely.equals_exact(
        reused.isochrones.geometry.values, alone.isochrones.geometry.values, tolerance=1e-9
    ).all()
    assert reused.streets is baseline.streets
    for name in ("demand", "communities"):
        a, b = getattr(reused, name), getattr(alone, name)
        pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
        assert shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=1e-12).all()


def test_adopted_sites_equal_a_run_with_them_as_facilities(
    state: RunState, baseline: RunResults, tmp_path: Path
) -> None:
    scenario = _by_name(state, "建议日间照料中心建成")
    sites = baseline.sites
    assert len(sites) == 5
    rows = gpd.GeoDataFrame(
        {
            "id": [f"{ADOPTED_ID_PREFIX}{r}" for r in sites["rank"]],
            "name": [f"site {r}" for r in sites["rank"]],
            "category": sites["category"].to_numpy(),
            "floor_area_m2": sites["required_floor_area_m2"].to_numpy(),
        },
        geometry=sites.geometry.to_numpy(),
        crs=sites.crs,
    )
    raw = state.inputs.facilities
    edited = gpd.GeoDataFrame(pd.concat([raw, rows], ignore_index=True), crs=raw.crs)
    independent = _edited_run(state.project, edited, tmp_path)
    _assert_same_figures(scenario, independent)
    # the norm figures of the adopted sites themselves
    adopted = scenario.facilities[scenario.facilities["id"].str.startswith(ADOPTED_ID_PREFIX)]
    assert sorted(adopted["floor_area_m2"]) == pytest.approx(
        sorted(sites["required_floor_area_m2"])
    )


def test_a_scenario_that_changes_nothing_has_zero_deltas(
    state: RunState, baseline: RunResults
) -> None:
    same = _by_name(state, "现状")
    own = {c: n.level for c, n in state.inputs.profile.categories.items()}
    cmp = compare(baseline, same, name="现状", own_level=own)
    assert len(cmp.coverage) == len(baseline.coverage)
    assert (cmp.coverage["share_delta"] == 0).all()
    assert (cmp.coverage["newly_covered_population"] == 0).all()
    assert (cmp.coverage["no_longer_covered_population"] == 0).all()
    assert cmp.communities.empty and cmp.facilities.empty
    assert cmp.gained.empty and cmp.lost.empty


def test_closing_the_only_kindergarten_of_a_district_loses_its_people(
    state: RunState, baseline: RunResults
) -> None:
    ev = state.evaluation
    comm = ev.prepared.communities_m
    kg = ev.prepared.facilities_m[ev.prepared.facilities_m["category"] == "kindergarten"]
    joined = gpd.sjoin(kg[["id", "geometry"]], comm[["street", "geometry"]], predicate="within")
    per_street = joined.groupby("street")["id"].agg(list)
    street, ids = next((s, i) for s, i in per_street.items() if len(i) == 1)
    closed = ids[0]
    spec = replace(state.project.scenarios[-1], name="撤并", close=(closed,))
    after = run_scenario(spec, state).results
    own = {c: n.level for c, n in state.inputs.profile.categories.items()}
    cmp = compare(baseline, after, name="撤并", own_level=own)
    row = cmp.coverage.set_index(["category", "level"]).loc[("kindergarten", "5min")]
    assert row["newly_covered_population"] == 0
    assert row["no_longer_covered_population"] > 0
    assert row["share_delta"] < 0
    # every lost point was within 300 m walking, hence 300 m straight line, of the closed one
    lost = cmp.lost[cmp.lost["category"] == "kindergarten"].to_crs(ev.prepared.crs)
    assert lost["population"].sum() == pytest.approx(row["no_longer_covered_population"])
    site = kg.loc[kg["id"] == closed].geometry.iloc[0]
    assert (lost.distance(site) <= 300.0 + 1e-6).all()
    # and by hand: people within 300 m before and beyond 300 m after
    before = baseline.demand[dist_column("kindergarten")].to_numpy() <= 300
    now = after.demand[dist_column("kindergarten")].to_numpy() <= 300
    counted = baseline.demand["counted"].to_numpy(dtype=bool)
    pop = baseline.demand["population"].to_numpy()
    assert pop[before & ~now & counted].sum() == pytest.approx(row["no_longer_covered_population"])
    assert street in set(comm["street"])


def test_unknown_ids_are_clear_errors_and_nothing_is_written(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "p"
    shutil.copytree(project_dir, folder)
    toml = folder / "project.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('close = ["F0002", "F0001"]', 'close = ["F9999"]'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["-q", "run", str(toml), "--out", str(out), "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "近期建设: 幼儿园/服务站" in err and "F9999" in err and "F0001" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert main(["check", str(toml)]) == 2
    assert "F9999" in capsys.readouterr().err


def test_adopting_sites_without_siting_is_an_error(state: RunState) -> None:
    project = replace(state.project, siting=None)
    with pytest.raises(InputError, match="adopt_sites = true needs proposed sites"):
        analyse_state(project)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[[scenarios]]\nclose = ["F1"]\n', "needs name"),
        ('[[scenarios]]\nname = "a"\nremove = ["F1"]\n', "unknown key 'remove'"),
        ('[[scenarios]]\nname = "a"\nclose = "F1"\n', "close must be a list"),
        ('[[scenarios]]\nname = "a"\nfloor_area = { F1 = -5 }\n', "floor_area.F1 = -5"),
        ('[[scenarios]]\nname = "a"\nadopt_sites = "yes"\n', "adopt_sites must be true or false"),
        ('[[scenarios]]\nname = "a"\nadd = "none.csv"\n', "none.csv"),
        ('[[scenarios]]\nname = "a/b"\n[[scenarios]]\nname = "a:b"\n', "distinct names"),
    ],
)
def test_bad_scenario_tables_name_the_key(
    project_dir: Path, tmp_path: Path, table: str, message: str
) -> None:
    folder = tmp_path / "p"
    shutil.copytree(project_dir, folder)
    toml = folder / "project.toml"
    text = toml.read_text(encoding="utf-8").split("[[scenarios]]")[0]
    toml.write_text(text + table, encoding="utf-8")
    with pytest.raises(ProjectError, match=message.replace("(", r"\(")):
        load_project(toml)


def test_the_add_file_takes_the_facilities_layer_options(project_dir: Path) -> None:
    project = load_project(project_dir / "project.toml")
    add = project.scenarios[0].add
    facilities = project.layers["facilities"]
    assert add is not None and add.path.name == "新增设施.csv"
    assert (add.fields, add.crs, add.encoding) == (
        facilities.fields,
        facilities.crs,
        facilities.encoding,
    )


def test_folder_names_are_safe_everywhere() -> None:
    assert safe_folder_name("近期建设: 幼儿园/服务站") == "近期建设_ 幼儿园_服务站"
    assert safe_folder_name("CON") == "_CON"
    assert safe_folder_name("a. ") == "a"
    assert safe_folder_name('?*"') == "___"


def test_summary_entry_has_every_category_and_level(state: RunState, baseline: RunResults) -> None:
    from lifecircle.analysis.compare import summary_entry

    after = _by_name(state, "近期建设: 幼儿园/服务站")
    own = {c: n.level for c, n in state.inputs.profile.categories.items()}
    entry = summary_entry(compare(baseline, after, name="x", own_level=own))
    coverage = entry["coverage"]
    assert isinstance(coverage, dict)
    assert set(coverage) == set(state.inputs.profile.categories)
    for levels in coverage.values():
        assert set(levels) == set(LEVELS)
        for v in levels.values():
            assert 0 <= v["before"] <= 1 and 0 <= v["after"] <= 1
            assert v["delta"] == pytest.approx(v["after"] - v["before"], abs=2e-6)
    assert entry["coverage"]["kindergarten"]["5min"]["delta"] != 0  # type: ignore[index]
    assert entry["norms"] == {k: dict(v) for k, v in after.norm_counts.items()}


def test_compare_two_projects(
    project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``lifecircle compare``: the second project written as a scenario of the first."""
    folder = tmp_path / "b"
    shutil.copytree(project_dir, folder)
    toml = folder / "project.toml"
    text = toml.read_text(encoding="utf-8").split("[[scenarios]]")[0]
    text = text.replace('name = "示例县城（合成数据）"', 'name = "撤并后"')
    toml.write_text(text.split("[siting]")[0], encoding="utf-8")
    csv = folder / "facilities.csv"
    rows = csv.read_bytes().decode("gbk").splitlines(keepends=True)
    csv.write_bytes("".join(r for r in rows if not r.startswith("F0215,")).encode("gbk"))
    out = tmp_path / "cmp"
    code = main(["-q", "compare", str(project_dir / "project.toml"), str(toml), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    import json

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    entry = summary["scenarios"]["撤并后"]
    lost = entry["no_longer_covered"]["primary_school"]
    assert lost["10min"] > 0 and entry["newly_covered"]["primary_school"]["10min"] == 0
    assert entry["coverage"]["primary_school"]["10min"]["delta"] < 0
    for name in ("summary.json", "results.gpkg", "issues.csv"):
        assert (out / "scenarios" / "撤并后" / name).stat().st_size > 0


def test_the_demo_shows_its_scenarios_in_every_output(demo_out: Path) -> None:
    import json

    import openpyxl

    names = ["建议日间照料中心建成", "石桥村小学并入临溪小学"]
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["scenarios"]) == names
    merged = summary["scenarios"][names[1]]
    assert merged["no_longer_covered"]["primary_school"]["15min"] > 0
    assert merged["newly_covered"]["elderly_day_care"]["5min"] == 0
    built = summary["scenarios"][names[0]]
    assert built["newly_covered"]["elderly_day_care"]["5min"] > 0
    for name in names:
        for file in ("summary.json", "results.gpkg", "issues.csv"):
            assert (demo_out / "scenarios" / name / file).stat().st_size > 0
    report = (demo_out / "report.html").read_text(encoding="utf-8")
    assert '<section id="scenarios">' in report and "情景：石桥村小学并入临溪小学" in report
    page = (demo_out / "map.html").read_text(encoding="utf-8")
    assert "情景：石桥村小学并入临溪小学 · 失去覆盖人口" in page
    assert "情景：建议日间照料中心建成 · 新增覆盖人口" in page
    sheet = openpyxl.load_workbook(demo_out / "report.xlsx")["scenarios"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2 * 16 * 3  # scenarios × categories × levels
    assert sheet.cell(row=2, column=5).number_format == "0.0%"
    # 变化（百分点）: after − before in percentage points, signed, not a percentage
    head = [c.value for c in sheet[1]]
    before, after, change = (head.index(h) for h in ("现状覆盖率", "情景覆盖率", "变化（百分点）"))
    for row in sheet.iter_rows(min_row=2):
        assert row[change].number_format == "+0.0;-0.0;0.0"
        assert row[change].value == pytest.approx((row[after].value - row[before].value) * 100)
    assert any(abs(r[change].value) > 0.5 for r in sheet.iter_rows(min_row=2))
