"""Walking time through a whole run (lifecircle.run.walking and the steps that call it): the
demand's ``time_min_<category>``, the communities' ``tcov_<category>_<minutes>min``, the report
section, and the paces of the groups."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import Affine

from lifecircle.analysis.profiles import load_profile
from lifecircle.dataissues import IssueLog
from lifecircle.errors import LayerError
from lifecircle.geo.network import WalkGraph
from lifecircle.project import load_project
from lifecircle.run import analyses
from lifecircle.run.inputs import load_inputs, prepare
from lifecircle.run.network import build_network, snap
from lifecircle.run.walking import walking_network
from lifecircle.vocab import CATEGORIES, time_column, time_coverage_column
from lifecircle.walkingspec import GroupSpec, WalkingSpec, read_walking

GROUP_OF = {c: load_profile("cn-national").categories[c].group for c in CATEGORIES}
HILLSIDE = ("C04", "C08", "C12")  # the old town's north-east, up the steps towards 凤凰山


@pytest.fixture(scope="module")
def demand(demo_out: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(demo_out / "results.gpkg", layer="demand")


@pytest.fixture(scope="module")
def communities(demo_out: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(demo_out / "results.gpkg", layer="communities")


def test_every_category_has_a_time_column_and_time_coverage(
    demand: gpd.GeoDataFrame, communities: gpd.GeoDataFrame
) -> None:
    for cat in CATEGORIES:
        assert time_column(cat) in demand.columns
        for minutes in (5, 10, 15):
            assert time_coverage_column(cat, minutes) in communities.columns
    # the distance columns come first, as they always did; the time columns after them
    cols = list(demand.columns)
    assert cols.index("reachable_area_per_100hh_m2") < cols.index(time_column(CATEGORIES[0]))


def test_community_time_coverage_is_weighted_by_the_group_served(
    demo_dir: Path, demand: gpd.GeoDataFrame, communities: gpd.GeoDataFrame
) -> None:
    # recomputed here from the outputs and the communities file: a community's elderly share
    # from its age60plus column (18.7 % where empty), spread over its points by population
    raw = gpd.read_file(demo_dir / "communities.gpkg").set_index("id")
    share = (raw["age60plus"] / raw["population"]).fillna(0.187)
    d = demand[demand["counted"] == 1]
    elderly = d["population"] * d["community_id"].map(share)
    for cat in ("elderly_day_care", "supermarket"):
        weight = elderly if GROUP_OF[cat] == "elderly" else d["population"]
        within = (d[time_column(cat)] <= 10).astype(float)
        expected = (weight * within).groupby(d["community_id"]).sum() / weight.groupby(
            d["community_id"]
        ).sum()
        got = communities.set_index("id")[time_coverage_column(cat, 10)]
        pd.testing.assert_series_equal(
            got.reindex(expected.index), expected, check_names=False, rtol=1e-9
        )


def test_summary_has_the_time_coverage_of_the_group_served(
    demo_dir: Path, demo_out: Path, demand: gpd.GeoDataFrame
) -> None:
    import json

    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    raw = gpd.read_file(demo_dir / "communities.gpkg").set_index("id")
    share = (raw["age60plus"] / raw["population"]).fillna(0.187)
    d = demand[demand["counted"] == 1]
    elderly = d["population"] * d["community_id"].map(share).fillna(0.187)
    for cat, weight in (("elderly_day_care", elderly), ("supermarket", d["population"])):
        entry = summary["time_coverage"][cat]["10min"]
        assert entry["group"] == GROUP_OF[cat]
        assert entry["minutes"] == 10
        within = (d[time_column(cat)] <= 10).to_numpy()
        assert entry["share"] == pytest.approx(weight[within].sum() / weight.sum(), abs=1e-6)
        assert entry["share"] <= entry["flat_share"] + 1e-9


def test_hillside_is_slower_than_its_distance_says(demand: gpd.GeoDataFrame) -> None:
    d = demand[demand["counted"] == 1]
    cat = "primary_school"  # served by everyone's pace, 1.2 m/s
    flat_min = d[f"dist_m_{cat}"] / 1.2 / 60
    ratio = (d[time_column(cat)] / flat_min).groupby(d["community_id"]).median()
    assert (ratio[list(HILLSIDE)] > 1.05).all()
    # the south bank is flat and has no steps: time is distance at the pace there
    south = [f"C{k}" for k in range(13, 21)]
    assert ratio[south].to_numpy() == pytest.approx(1.0, abs=0.03)


def test_report_compares_time_with_distance(demo_out: Path) -> None:
    html = (demo_out / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="walking">') :]
    section = section[: section.index("</section>")]
    assert "距离口径覆盖率" in section and "时间口径覆盖率" in section
    assert "坡度与台阶影响" in section and "dem.tif" in section
    for cid in HILLSIDE:
        assert f"（{cid}）" in section  # called out by name where slope and steps bite
    assert "cycleway" in html  # the walk rules, in the methods section


def test_flat_settings_give_distance_over_each_groups_pace(demo_dir: Path) -> None:
    # slope off, steps as fast as streets: every time is exactly distance / pace
    project = load_project(demo_dir / "project.toml")
    groups = {"elderly": GroupSpec(0.7), "children": GroupSpec(0.9)}
    spec = WalkingSpec(speed_mps=1.25, dem=None, slope="none", steps_factor=1.0, groups=groups)
    project = dataclasses.replace(project, walking=spec)
    issues = IssueLog()
    inputs = load_inputs(project, issues=issues)
    prepared = prepare(project, inputs, issues=issues)
    network = build_network(project, inputs, prepared.crs, issues=issues)
    snapped = snap(project, network, prepared, issues=issues)
    reached = analyses.reach(prepared, network, snapped, inputs.profile, issues=issues)
    d = reached.demand_m
    pace = {"everyone": 1.25, "elderly": 0.7, "children": 0.9}
    for cat in CATEGORIES:
        expected = d[f"dist_m_{cat}"].to_numpy() / pace[GROUP_OF[cat]] / 60
        np.testing.assert_allclose(d[time_column(cat)].to_numpy(), expected, rtol=1e-9)


def _write_dem(path: Path, lon0: float, lat0: float, cells: int = 40) -> Path:
    step = 0.0005
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=cells,
        height=cells,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=Affine(step, 0.0, lon0, 0.0, -step, lat0),
    ) as dst:
        dst.write(np.full((cells, cells), 400.0, dtype="float32"), 1)
    return path


def test_dem_off_the_network_is_an_error_and_a_partial_one_is_reported(tmp_path: Path) -> None:
    e0, n0 = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True).transform(107.9, 31.1)
    # two 100 m streets: one on the DEM (which spans 0.02° east of 107.899), one 5 km east
    g = WalkGraph.from_edges(
        [e0, e0 + 100, e0 + 5000, e0 + 5100], [n0] * 4, [0, 2], [1, 3], crs="EPSG:32648"
    )
    profile = load_profile("cn-national")
    far = WalkingSpec(dem=_write_dem(tmp_path / "far.tif", 10.0, 50.0))
    with pytest.raises(LayerError, match="covers none of the street network"):
        walking_network(far, g, profile, issues=IssueLog())
    issues = IssueLog()
    near = WalkingSpec(dem=_write_dem(tmp_path / "near.tif", 107.899, 31.101))
    walking = walking_network(near, g, profile, issues=issues)
    assert walking.cost.flat.tolist() == [False, True]
    assert [i.problem for i in issues.items] == [
        "1 street segments (0.1 km) lie outside the DEM near.tif or on its nodata cells"
    ]
    assert walking.speed_mps == {"everyone": 1.2, "elderly": 0.8, "children": 1.0}


def test_map_shows_where_slope_and_steps_cut_reach(
    demo_out: Path, communities: gpd.GeoDataFrame
) -> None:
    from mappage import legend_html, overlay_names, packed_layers

    page = (demo_out / "map.html").read_text(encoding="utf-8")
    name = "坡度与台阶削减步行可达的社区"
    assert name in overlay_names(page) and name in legend_html(page)
    kind, data = packed_layers(page)[name]
    assert kind == "polygons"
    tips = {t.split("</b>")[0].removeprefix("<b>"): t for t in data["tips"]}
    # 城隍社区 (C08): the fresh market within 5 minutes, with slope and steps, as in results.gpkg
    sloped = communities.set_index("id").loc["C08", time_coverage_column("fresh_market", 5)]
    assert "菜市场 · 5分钟：" in tips["城隍社区"]
    assert f"→ {sloped * 100:.0f}%" in tips["城隍社区"]
    # only communities where slope and steps take reach away are drawn
    assert "城隍社区" in tips and len(tips) < len(communities)


# --------------------------------------------------------------------------- time isochrones


def test_demo_writes_time_isochrones_per_category_and_level(demo_out: Path) -> None:
    gpkg = demo_out / "results.gpkg"
    timed = gpd.read_file(gpkg, layer="isochrones_time")
    by_distance = gpd.read_file(gpkg, layer="isochrones")
    assert list(timed.columns) == ["category", "minutes", "group", "geometry"]
    # every category with a facility: [walking] levels_min = [5, 10, 15], at its group's pace
    cats = list(dict.fromkeys(by_distance["category"]))
    assert len(cats) == len(CATEGORIES)
    assert list(timed["category"]) == [c for c in cats for _ in range(3)]
    assert timed["minutes"].tolist() == [5.0, 10.0, 15.0] * len(cats)
    assert timed["group"].tolist() == [GROUP_OF[c] for c in timed["category"]]
    assert {"elderly", "children", "everyone"} == set(timed["group"])
    # each longer walk holds the shorter one, up to the drawing tolerance of a band's round
    # ends (0.076 × the half-width of 12.5 m, so within 1 m)
    metric = timed.to_crs("EPSG:32648")
    for cat in cats:
        areas = metric[metric["category"] == cat].geometry.to_numpy()
        for small, big in itertools.pairwise(areas):
            assert small.difference(big.buffer(1.0)).area < 1e-6 * small.area, cat


def test_every_home_within_the_minutes_stands_in_the_time_isochrone(
    demo_dir: Path, demo_out: Path
) -> None:
    # the homes' walking minutes (the demand layer) against the drawn areas: a home within t
    # minutes of a category's facility is reached from the street point it walks to, so that
    # point lies inside the t-minute area (its access leg only adds time)
    project = load_project(demo_dir / "project.toml")
    issues = IssueLog()
    inputs = load_inputs(project, issues=issues)
    prepared = prepare(project, inputs, issues=issues)
    network = build_network(project, inputs, prepared.crs, issues=issues)
    snapped = snap(project, network, prepared, issues=issues)
    points = gpd.GeoSeries(
        gpd.points_from_xy(snapped.demand.px, snapped.demand.py), crs=prepared.crs
    )
    gpkg = demo_out / "results.gpkg"
    timed = gpd.read_file(gpkg, layer="isochrones_time").to_crs(prepared.crs)
    demand = gpd.read_file(gpkg, layer="demand")
    assert demand["id"].astype(str).tolist() == prepared.demand_m["id"].astype(str).tolist()
    checked = 0
    for cat, minutes, area in zip(timed["category"], timed["minutes"], timed.geometry, strict=True):
        within = (demand[time_column(cat)].fillna(np.inf) <= minutes).to_numpy() & snapped.demand.ok
        inside = points[within].buffer(1e-3).within(area.buffer(1e-3))
        assert inside.all(), (cat, minutes, int((~inside).sum()))
        checked += int(within.sum())
    assert checked > 10_000


def test_on_flat_ground_time_isochrones_are_the_distance_ones(demo_dir: Path) -> None:
    # slope off, steps as fast as streets: t minutes at a pace s draw the isochrone of
    # t · 60 · s metres; 5 min at 1.0 m/s and 10 min at 0.5 m/s are the 300 m level (5min)
    project = load_project(demo_dir / "project.toml")
    groups = {"elderly": GroupSpec(0.5), "children": GroupSpec(1.0)}
    spec = WalkingSpec(
        speed_mps=1.0,
        dem=None,
        slope="none",
        steps_factor=1.0,
        levels_min=(5.0, 10.0),
        groups=groups,
    )
    project = dataclasses.replace(project, walking=spec)
    issues = IssueLog()
    inputs = load_inputs(project, issues=issues)
    prepared = prepare(project, inputs, issues=issues)
    network = build_network(project, inputs, prepared.crs, issues=issues)
    snapped = snap(project, network, prepared, issues=issues)
    cats = ["elderly_day_care", "kindergarten", "primary_school"]
    by_distance, timed = analyses.all_isochrones(
        prepared, network, snapped, inputs.profile, categories=cats
    )
    assert timed is not None
    for cat in cats:
        minutes = 10.0 if GROUP_OF[cat] == "elderly" else 5.0
        got = timed[(timed["category"] == cat) & (timed["minutes"] == minutes)].geometry
        want = by_distance[(by_distance["category"] == cat) & (by_distance["level"] == "5min")]
        a, b = got.iloc[0], want.geometry.iloc[0]
        assert a.area == pytest.approx(b.area, rel=1e-7), cat
        assert a.symmetric_difference(b).area < 1e-6 * b.area, cat
    # without [walking] no time isochrones are drawn
    plain = dataclasses.replace(network, walking=None)
    assert (
        analyses.all_isochrones(prepared, plain, snapped, inputs.profile, categories=cats)[1]
        is None
    )


def test_map_draws_time_isochrones_hidden_with_a_legend_in_minutes(demo_out: Path) -> None:
    from mappage import legend_html, overlay_names, packed_layers, shown_layers

    page = (demo_out / "map.html").read_text(encoding="utf-8")
    fac = gpd.read_file(demo_out / "results.gpkg", layer="facilities")
    names = dict(zip(fac["category"], fac["category_name"], strict=True))
    layers = [n for n in overlay_names(page) if n.startswith("步行时间等时圈：")]
    assert layers == [f"步行时间等时圈：{names[c]}" for c in CATEGORIES]
    assert not set(layers) & set(shown_layers(page))  # all off at opening
    legend = legend_html(page)
    part = legend[legend.index("<h5>步行时间等时圈</h5>") :]
    part = part[: part.index("<h5>", 5)]
    assert [s for s in ("5分钟", "10分钟", "15分钟") if s in part] == ["5分钟", "10分钟", "15分钟"]
    kind, data = packed_layers(page)[f"步行时间等时圈：{names['elderly_day_care']}"]
    assert kind == "polygons" and data["n"] == 3
    # the longest walk first, each with the pace of the elderly
    assert [t.split(" · ")[1] for t in data["tips"]] == ["15分钟", "10分钟", "5分钟"]
    assert all("0.8 米/秒" in t and "老年人" in t for t in data["tips"])


def test_report_says_the_map_draws_time_isochrones_and_at_which_pace(demo_out: Path) -> None:
    html = (demo_out / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="walking">') :]
    section = section[: section.index("</section>")]
    sentence = section[section.index("地图的“步行时间等时圈”") :]
    sentence = sentence[: sentence.index("</p>")]
    assert "5分钟、10分钟、15分钟内" in sentence
    for pace in ("全体居民 1.2 米/秒", "老年人（60岁及以上） 0.8 米/秒", "儿童（0–6岁） 1 米/秒"):
        assert pace in sentence


def test_a_scenario_redraws_the_time_isochrones_of_the_categories_it_changes(
    demo_out: Path,
) -> None:
    base = gpd.read_file(demo_out / "results.gpkg", layer="isochrones_time")
    folder = demo_out / "scenarios" / "石桥村小学并入临溪小学"  # closes a primary school
    scen = gpd.read_file(folder / "results.gpkg", layer="isochrones_time")
    assert scen[["category", "minutes", "group"]].equals(base[["category", "minutes", "group"]])
    metric_base, metric_scen = base.to_crs("EPSG:32648"), scen.to_crs("EPSG:32648")
    for k, cat in enumerate(base["category"]):
        a, b = metric_base.geometry.iloc[k], metric_scen.geometry.iloc[k]
        if cat == "primary_school":  # one school fewer: a smaller area
            assert b.area < a.area
            assert b.difference(a.buffer(1.0)).area < 1e-6 * b.area
        else:  # the other categories' areas are the run's own
            assert a.equals_exact(b, tolerance=1e-6), cat


def test_without_a_walking_table_no_time_isochrones_are_drawn(
    county_out: Path, tmp_path: Path
) -> None:
    # the generated county's project file has no [walking]: walking time is measured with the
    # defaults, but results.gpkg and the map have no walking-time isochrones
    from mappage import overlay_names

    layers = {name for name, _ in pyogrio.list_layers(county_out / "results.gpkg")}
    assert "isochrones" in layers and "isochrones_time" not in layers
    page = (county_out / "map.html").read_text(encoding="utf-8")
    assert not [n for n in overlay_names(page) if n.startswith("步行时间等时圈")]
    assert "地图的“步行时间等时圈”" not in (county_out / "report.html").read_text(encoding="utf-8")
    # an empty [walking] table is a table: the defaults, drawn
    problems: list[str] = []
    assert read_walking(None, tmp_path, problems).given is False
    assert read_walking({}, tmp_path, problems).given is True
    assert problems == []
