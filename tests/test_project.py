"""Tests of the project-file parser (src/lifecircle/project.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecircle.errors import ProjectError
from lifecircle.project import load_project


def _write(tmp_path: Path, text: str) -> Path:
    for name in ("streets.osm", "communities.gpkg", "facilities.csv"):
        (tmp_path / name).write_bytes(b"x")
    path = tmp_path / "project.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[project]
name = "测试县"
profile = "cn-national"
lang = "en"
output = "results"

[network]
path = "streets.osm"
max_snap_m = 150

[layers.communities]
path = "communities.gpkg"
fields = { households = "户数" }

[layers.facilities]
path = "facilities.csv"
fields = { name = "名称", x = "经度", y = "纬度" }
crs = "gcj02"

[siting]
category = "kindergarten"
new_sites = 3

[map]
basemap = "osm"
offline = true
"""


def test_good_project_resolves_paths_and_values(tmp_path: Path) -> None:
    project = load_project(_write(tmp_path, GOOD))
    assert project.name == "测试县"
    assert project.lang == "en"
    assert project.output == tmp_path / "results"
    assert project.network.path == tmp_path / "streets.osm"
    assert project.network.max_snap_m == 150.0
    assert project.layers["communities"].fields == {"households": "户数"}
    assert project.layers["facilities"].crs == "gcj02"
    assert project.siting is not None and project.siting.new_sites == 3
    assert project.map.basemap == "osm" and project.map.offline is True
    assert project.persons_per_household == pytest.approx(2.62)


def test_output_override(tmp_path: Path) -> None:
    project = load_project(_write(tmp_path, GOOD), output=tmp_path / "elsewhere")
    assert project.output == tmp_path / "elsewhere"


def test_all_problems_listed_at_once_with_valid_values(tmp_path: Path) -> None:
    bad = (
        GOOD.replace('lang = "en"', 'lang = "fr"')
        .replace("max_snap_m = 150", "max_snap_m = -5\nmax_snap = 3")
        .replace('basemap = "osm"', 'basemap = "google"')
        .replace("new_sites = 3", "new_sites = 0")
    )
    with pytest.raises(ProjectError) as info:
        load_project(_write(tmp_path, bad))
    problems = info.value.problems
    assert "project.lang = 'fr' is not valid; use one of: zh, en" in problems
    assert "network.max_snap_m = -5 must be ≥ 0.0 and ≤ 5000.0" in problems
    assert any("unknown key 'max_snap'" in p and "did you mean 'max_snap_m'" in p for p in problems)
    assert any(
        "map.basemap = 'google'" in p and "none, osm, light, tianditu, amap" in p for p in problems
    )
    assert "siting.new_sites = 0 must be a whole number ≥ 1" in problems
    assert len(problems) == 5


def test_missing_sections_and_files(tmp_path: Path) -> None:
    path = tmp_path / "project.toml"
    path.write_text(
        '[project]\nname = "x"\n[layers.communities]\npath = "nope.gpkg"\n', encoding="utf-8"
    )
    with pytest.raises(ProjectError) as info:
        load_project(path)
    text = str(info.value)
    assert "[network] is missing" in text
    assert "[layers.facilities] is missing" in text
    assert 'path = "nope.gpkg": file not found' in text


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[project\nname=", encoding="utf-8")
    with pytest.raises(ProjectError, match=r"p\.toml: not valid TOML"):
        load_project(path)


def test_missing_project_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="project file not found"):
        load_project(tmp_path / "absent.toml")


def test_walking_defaults_and_values(tmp_path: Path) -> None:
    plain = load_project(_write(tmp_path, GOOD)).walking
    assert (plain.speed_mps, plain.dem, plain.slope, plain.steps_factor) == (
        1.2,
        None,
        "tobler",
        2.0,
    )
    assert plain.levels_min == (5.0, 10.0, 15.0)
    assert {g: s.speed_mps for g, s in plain.groups.items()} == {"elderly": 0.8, "children": 1.0}
    (tmp_path / "dem.tif").write_bytes(b"x")
    text = GOOD + (
        '\n[walking]\nspeed_mps = 1.1\ndem = "dem.tif"\nslope = "none"\nsteps_factor = 3\n'
        "levels_min = [15, 5]\n"
        "[walking.groups]\nelderly = { speed_mps = 0.7, share = 0.25 }\n"
        "students = { speed_mps = 1.3 }\n"
    )
    walking = load_project(_write(tmp_path, text)).walking
    assert walking.dem == tmp_path / "dem.tif"
    assert (walking.speed_mps, walking.slope, walking.steps_factor) == (1.1, "none", 3.0)
    assert walking.levels_min == (5.0, 15.0)
    assert walking.speed_of("elderly") == 0.7 and walking.groups["elderly"].share == 0.25
    assert walking.speed_of("children") == 1.0  # the default stays
    assert walking.speed_of("students") == 1.3
    assert walking.speed_of("everyone") == 1.1
    assert walking.speed_of("nobody") is None


def test_walking_problems_are_listed_with_the_valid_values(tmp_path: Path) -> None:
    text = GOOD + (
        '\n[walking]\nspeed_mps = 0\ndem = "missing.tif"\nslope = "naismith"\n'
        'steps_factor = "x"\nlevels_min = 5\npace = 1\n'
        "[walking.groups]\nelderly = { speed_mps = 0.8, share = 2 }\nchildren = 1.0\n"
    )
    with pytest.raises(ProjectError) as err:
        load_project(_write(tmp_path, text))
    problems = "\n".join(err.value.problems)
    for expected in (
        "walking.speed_mps = 0 must be between 0.1 and 3",
        'walking.dem = "missing.tif": file not found',
        "walking.slope = 'naismith' is not valid; use one of: none, tobler",
        "walking.steps_factor = 'x' must be a number",
        "walking.levels_min must be a list of minutes",
        "[walking] has an unknown key 'pace'",
        "walking.groups.elderly.share = 2 must be between 0 and 1",
        "[walking.groups.children] must be a table with speed_mps",
    ):
        assert expected in problems
