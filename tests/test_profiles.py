"""Tests for lifecircle.analysis.profiles: built-in profiles, inheritance and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from lifecircle.analysis.profiles import list_profiles, load_profile
from lifecircle.errors import ProfileError
from lifecircle.maps.profiletext import format_profile
from lifecircle.vocab import LEVELS

BUILTIN = ("cn-national", "gz-wengan-2023", "sc-renshou-2018", "sx-yangquan-2015")
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "profile.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_list_profiles_has_every_builtin() -> None:
    ids = [pid for pid, _ in list_profiles()]
    assert ids == sorted(BUILTIN)
    assert dict(list_profiles())["gz-wengan-2023"].startswith("贵州")


@pytest.mark.parametrize("pid", BUILTIN)
def test_every_figure_has_source_and_status(pid: str) -> None:
    profile = load_profile(pid)
    figures = profile.figures()
    assert len(figures) > 20
    assert set(figures["status"]) <= {"P", "S", "B", "U"}
    assert (figures["source"].str.len() > 0).all()
    assert len(profile.categories) == 16


def test_national_levels_distances_and_statuses() -> None:
    profile = load_profile("cn-national")
    assert [profile.levels[lv].value for lv in LEVELS] == [300.0, 500.0, 1000.0]
    assert {profile.levels[lv].status for lv in LEVELS} == {"S"}
    assert profile.walk_speed_m_per_min.value == 60.0
    assert profile.walk_speed_m_per_min.status == "U"
    assert profile.area_per_100hh is not None
    assert (profile.area_per_100hh.value, profile.area_per_100hh.status) == (30.0, "S")
    assert dict(profile.station_min_area) == {}
    assert dict(profile.community_size) == {}
    assert profile.extends == ()


def test_category_levels_and_distances() -> None:
    profile = load_profile("cn-national")
    assert profile.categories["kindergarten"].level == "5min"
    assert profile.categories["primary_school"].distance_m.value == 500.0
    assert profile.categories["middle_school"].level == "15min"
    # no own distance: the level's figure, with the level's source
    fitness = profile.categories["outdoor_fitness"]
    assert fitness.distance_m == profile.levels["5min"]
    assert profile.required_categories("10min") == [
        "primary_school",
        "fresh_market",
        "sports_ground",
    ]
    with pytest.raises(ValueError, match="5min, 10min, 15min"):
        profile.required_categories("20min")  # type: ignore[arg-type]


def test_county_profile_overrides_national() -> None:
    wengan = load_profile("gz-wengan-2023")
    assert wengan.extends == ("cn-national",)
    assert wengan.area_per_100hh is not None
    assert (wengan.area_per_100hh.value, wengan.area_per_100hh.status) == (31.2, "B")
    assert wengan.area_per_100hh.source.startswith("wengan_2023")
    tiers = {k: f.value for k, f in wengan.station_min_area.items()}
    assert tiers == {"street_center": 1000.0, "urban_station": 800.0, "village_station": 200.0}
    # inherited untouched from the parent
    assert wengan.levels["15min"].value == 1000.0
    assert wengan.resident_activity_share_min is not None
    assert wengan.resident_activity_share_min.status == "S"

    renshou = load_profile("sc-renshou-2018")
    sizes = {k: (lo.value, hi.value) for k, (lo, hi) in renshou.community_size.items()}
    assert sizes == {"urban": (2000, 4000), "town": (700, 2000), "rural": (300, 1500)}
    assert renshou.volunteer_share_min is not None
    assert renshou.volunteer_share_min.value == pytest.approx(0.13)

    yangquan = load_profile("sx-yangquan-2015")
    assert yangquan.area_per_100hh is not None
    assert yangquan.area_per_100hh.value == 50.0
    assert yangquan.social_orgs_per_10k_min is not None


def test_demo_profile_combines_renshou_and_wengan_tiers() -> None:
    demo = load_profile(DEMO)
    assert demo.extends == ("cn-national", "sc-renshou-2018")
    assert demo.name.startswith("示例县")
    assert demo.station_min_area["urban_station"].value == 800.0
    assert demo.station_min_area["urban_station"].source.startswith("wengan_2023")
    assert demo.community_size["urban"][0].value == 2000.0
    assert demo.area_per_100hh is not None and demo.area_per_100hh.value == 30.0


def test_user_profile_extends_builtin_and_overrides_levels(tmp_path: Path) -> None:
    write(
        tmp_path / "mine.toml",
        """
id = "mine"
name = "my county"
extends = "gz-wengan-2023"

[levels.5min]
distance_m = 400
source = "local guideline"
status = "P"

[categories.nursery]
distance_m = 250
source = "local guideline"
status = "P"
""",
    )
    profile = load_profile("mine.toml", base_dir=tmp_path)
    assert profile.extends == ("cn-national", "gz-wengan-2023")
    assert profile.levels["5min"].value == 400.0
    # categories without their own distance follow the level
    assert profile.categories["supermarket"].distance_m.value == 400.0
    # a category override is merged field by field
    nursery = profile.categories["nursery"]
    assert (nursery.distance_m.value, nursery.name_zh, nursery.status) == (250.0, "托儿所", "P")
    assert profile.area_per_100hh is not None and profile.area_per_100hh.value == 31.2


def test_user_profile_extends_a_path(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(
        tmp_path / "base.toml",
        """
id = "base"
extends = "cn-national"
[checks.area_per_100hh]
value = 40
source = "base doc"
status = "P"
""",
    )
    write(tmp_path / "sub" / "child.toml", 'id = "child"\nextends = "../base.toml"\n')
    profile = load_profile(tmp_path / "sub" / "child.toml")
    assert profile.extends == ("cn-national", "base")
    assert profile.area_per_100hh is not None and profile.area_per_100hh.value == 40.0


def test_category_id_matches_names_and_aliases() -> None:
    profile = load_profile("cn-national")
    assert profile.category_id("村（社区）综合服务站") == "community_service_station"
    assert profile.category_id("村(社区)综合服务站") == "community_service_station"
    assert profile.category_id(" 幼 儿园 ") == "kindergarten"
    assert profile.category_id("托育点") == "nursery"
    assert profile.category_id("街道(乡镇)党群服务中心") == "street_service_center"
    assert profile.category_id("Elderly_Day_Care") == "elderly_day_care"
    assert profile.category_id("乡镇卫生院") == "community_health_center"
    assert profile.category_id("咖啡馆") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('extends = "cn-national"\ncolour = 1\n', r"colour: unknown key; valid keys: id, name"),
        (
            'extends = "cn-national"\n[checks.area_per_100hh]\nvalue = 30\nsource = "x"\n'
            'status = "X"\n',
            r"checks\.area_per_100hh\.status: bad status 'X'; valid values: P .*U",
        ),
        (
            'extends = "cn-national"\n[checks.area_per_100hh]\nvalue = 30\nstatus = "B"\n',
            r"checks\.area_per_100hh: missing 'source'",
        ),
        (
            'extends = "cn-national"\n[levels.20min]\ndistance_m = 2000\nsource = "x"\n'
            'status = "U"\n',
            r"levels\.20min: unknown key; valid keys: 5min, 10min, 15min",
        ),
        (
            'extends = "cn-national"\n[categories.kindergarten]\nlevel = "7min"\nsource = "x"\n'
            'status = "U"\n',
            r"categories\.kindergarten\.level: bad level '7min'; valid levels: 5min, 10min",
        ),
        (
            'extends = "cn-national"\n[checks.station_min_area.palace]\nvalue = 1\n'
            'source = "x"\nstatus = "U"\n',
            r"checks\.station_min_area\.palace: unknown key; valid keys: street_center",
        ),
        (
            'extends = "cn-national"\n[checks.community_size.urban]\nmin = 9\nmax = 3\n'
            'source = "x"\nstatus = "U"\n',
            r"min 9 is larger than max 3",
        ),
        (
            'extends = "cn-national"\n[checks.area_per_100hh]\nvalue = "thirty"\n'
            'source = "x"\nstatus = "U"\n',
            r"checks\.area_per_100hh\.value: must be a number",
        ),
        (
            'extends = "cn-nowhere"\n',
            r"extends: unknown profile 'cn-nowhere'; built-in .*cn-national",
        ),
        ('extends = "./missing.toml"\n', r"extends: profile file .*missing\.toml not found"),
        ("id = [\n", r"not valid TOML"),
        ('id = "lonely"\n', r"levels\.5min: missing"),
    ],
)
def test_invalid_profiles_name_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ProfileError, match=expected) as info:
        load_profile(path)
    assert "bad.toml" in str(info.value)


def test_validation_collects_every_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.toml",
        'extends = "cn-national"\nfoo = 1\n[checks.volunteer_share_min]\nvalue = 13\n'
        'source = "x"\nstatus = "Z"\n',
    )
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert len(info.value.problems) == 3
    assert any("between 0 and 1" in p for p in info.value.problems)


def test_extends_cycle_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", 'id = "a"\nextends = "./b.toml"\n')
    write(tmp_path / "b.toml", 'id = "b"\nextends = "./a.toml"\n')
    with pytest.raises(ProfileError, match=r"extends: cycle of profiles: .*a\.toml → .*b\.toml"):
        load_profile(tmp_path / "a.toml")


def test_unknown_builtin_lists_valid_ids() -> None:
    with pytest.raises(ProfileError, match=r"unknown profile 'cn-mars'; built-in profiles: cn-nat"):
        load_profile("cn-mars")


def test_format_profile_shows_values_sources_and_statuses() -> None:
    text = format_profile(load_profile("gz-wengan-2023"))
    assert "cn-national → gz-wengan-2023" in text
    assert "[B] checks.area_per_100hh" in text and "31.2 m²/100户" in text
    assert "wengan_2023" in text
    assert "[U] walk_speed_m_per_min" in text
    assert "幼儿园" in text and "U = 未经证实" in text
    english = format_profile(load_profile("cn-national"), lang="en")
    assert "Kindergarten" in english and "unconfirmed" in english


def test_evidence_statuses_have_one_definition_everywhere() -> None:
    """README, ``profiles show`` and the report state P/S/B/U with the same words: those of the
    profile format (the comment heading data/norms/cn-national.toml), B = a local policy
    document quoted and not re-read."""
    from lifecircle.maps.figlabels import STATUS_MEANINGS, status_legend

    root = Path(__file__).resolve().parents[1]
    readme = " ".join((root / "README.md").read_text(encoding="utf-8").split())
    norms_head = (root / "data" / "norms" / "cn-national.toml").read_text(encoding="utf-8")
    assert "B  quoted from a local policy document, not re-read" in norms_head
    assert STATUS_MEANINGS["B"][1] == "quoted from a local policy document, not re-read"
    for lang in ("zh", "en"):
        shown = format_profile(load_profile("cn-national"), lang=lang)  # type: ignore[arg-type]
        assert status_legend(lang) in shown
    for status, (_zh, en) in STATUS_MEANINGS.items():
        assert f"**{status}** {en}" in readme, status
