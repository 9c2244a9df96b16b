"""The map's walking-time isochrone layers and the report's sentence about them, in both
languages (maps/walklayers.py, maps/walkreport.py), on a small hand-made frame."""

from __future__ import annotations

import dataclasses
import re

import geopandas as gpd
import pandas as pd
import pytest
from mappage import legend_html, overlay_names, packed_layers, shown_layers
from sample_results import X0, Y0, build_sample_map, make_results
from shapely.geometry import Point

from lifecircle.analysis.results import RunResults, WalkingMethods
from lifecircle.maps.walkreport import walking_html

WALKING = WalkingMethods(
    speed_mps={"everyone": 1.2, "children": 1.0, "elderly": 0.8},
    group_names={
        "everyone": ("全体居民", "all residents"),
        "children": ("儿童（0–6岁）", "children (0–6)"),
        "elderly": ("老年人（60岁及以上）", "elderly people (60+)"),
    },
    slope="tobler",
    dem="dem.tif",
    steps_factor=2.0,
    levels_min=(5.0, 10.0, 15.0),
    steps_edges=3,
    flat_edges=0,
    barriers_closed=0,
    barriers_opened=0,
    assumed_shares={"children": 0.06, "elderly": 0.19},
)


def _timed() -> gpd.GeoDataFrame:
    rows = [
        (cat, t, group, Point(X0 + dx, Y0).buffer(0.0004 * t, 8))
        for cat, group, dx in (
            ("kindergarten", "children", 0.0),
            ("primary_school", "everyone", 0.01),
        )
        for t in (5.0, 10.0, 15.0)
    ]
    return gpd.GeoDataFrame(
        {
            "category": [r[0] for r in rows],
            "minutes": [r[1] for r in rows],
            "group": [r[2] for r in rows],
        },
        geometry=[r[3] for r in rows],
        crs="EPSG:4326",
    )


def _results(lang: str) -> RunResults:
    base = make_results(lang)  # type: ignore[arg-type]
    coverage = pd.DataFrame(
        {
            "category": ["kindergarten"],
            "category_name": ["幼儿园" if lang == "zh" else "Kindergarten"],
            "group": ["children"],
            "level": ["5min"],
            "minutes": [5.0],
            "time_share": [0.4],
            "flat_time_share": [0.5],
            "distance_share": [0.45],
        }
    )
    return dataclasses.replace(
        base,
        methods=dataclasses.replace(base.methods, walking=WALKING),
        time_coverage=coverage,
        isochrones_time=_timed(),
    )


def _page(lang: str) -> str:
    m = build_sample_map(
        make_results(lang),  # type: ignore[arg-type]
        lang=lang,
        isochrones_time=_timed(),
        walking=WALKING,
        category_names={"kindergarten": "幼儿园", "primary_school": "小学"}
        if lang == "zh"
        else {"kindergarten": "Kindergarten", "primary_school": "Primary school"},
    )
    return m.get_root().render()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("lang", "title", "names", "minutes", "pace"),
    [
        (
            "zh",
            "步行时间等时圈",
            ("幼儿园", "小学"),
            ("5分钟", "10分钟", "15分钟"),
            "儿童（0–6岁） 1 米/秒",
        ),
        (
            "en",
            "Walking-time isochrones",
            ("Kindergarten", "Primary school"),
            ("5 min", "10 min", "15 min"),
            "children (0–6) 1 m/s",
        ),
    ],
)
def test_one_hidden_layer_per_category_with_minutes_in_the_legend(
    lang: str, title: str, names: tuple[str, str], minutes: tuple[str, ...], pace: str
) -> None:
    page = _page(lang)
    sep = "：" if lang == "zh" else ": "
    layers = [f"{title}{sep}{n}" for n in names]
    assert [n for n in overlay_names(page) if n.startswith(title)] == layers
    assert not set(layers) & set(shown_layers(page))
    kind, data = packed_layers(page)[layers[0]]
    assert kind == "polygons" and data["n"] == 3
    # the 15-minute area underneath, the 5-minute one on top
    assert data["tips"] == [f"{names[0]} · {t} · {pace}" for t in reversed(minutes)]
    legend = legend_html(page)
    part = legend[legend.index(f"<h5>{title}</h5>") :]
    part = part[: part.index("<h5>", 5)]
    assert re.findall(r"</span>([^<]+)</div>", part) == list(minutes)
    if lang == "zh":  # no English word in what a reader sees
        texts = [*re.findall(r">([^<]+)<", part), *layers, *data["tips"]]
        assert not [t for t in texts if re.search("[A-Za-z]", t)]


def test_no_layer_without_time_isochrones() -> None:
    page = build_sample_map(make_results("zh"), isochrones_time=None).get_root().render()  # type: ignore[attr-defined]
    assert not [n for n in overlay_names(page) if n.startswith("步行时间等时圈")]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "zh",
            "地图的“步行时间等时圈”图层（每类设施一层，打开时隐藏）绘出 5分钟、10分钟、15分钟内"
            "可步行到达该类设施的范围，按其服务人群的步速（儿童（0–6岁） 1 米/秒；全体居民 1.2 "
            "米/秒），计坡度与台阶。",
        ),
        (
            "en",
            "The map's 'Walking-time isochrones' layers (one per category, hidden at opening) "
            "draw the areas from which a facility of the category is reached within 5 min, "
            "10 min, 15 min, at the pace of the group it serves (children (0–6) 1 m/s; all "
            "residents 1.2 m/s), slope and steps included.",
        ),
    ],
)
def test_report_names_the_layers_and_the_paces(lang: str, expected: str) -> None:
    html = walking_html(_results(lang))
    assert f"<p>{expected}</p>".replace("'", "&#x27;") in html
    # without time isochrones the sentence is left out
    bare = dataclasses.replace(_results(lang), isochrones_time=None)
    assert "isochrones' layers" not in walking_html(bare)
    assert "步行时间等时圈" not in walking_html(bare)
