"""The shared vocabulary: the closed sets and ids every layer of lifecircle speaks.

Each name here is declared once; ``geo``, ``analysis``, ``maps`` and the run layer import it from
here. Reader-facing words for these ids (达标, 5分钟, 社区综合服务站 …) live in
:mod:`lifecircle.maps.labels`; machine outputs (results.gpkg, summary.json) keep the ids.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

#: Language of the map, the report and the messages a reader sees.
Lang = Literal["zh", "en"]
LANGS: Final[tuple[Lang, ...]] = get_args(Lang)

#: Life-circle levels (5 / 10 / 15 minutes), each with a walking distance from the norm profile.
Level = Literal["5min", "10min", "15min"]
LEVELS: Final[tuple[Level, ...]] = get_args(Level)

#: Evidence status of a norm figure (defined in the profiles' documentation).
Status = Literal["P", "S", "B", "U"]
STATUSES: Final[tuple[Status, ...]] = get_args(Status)

#: The outcome of one norm check for one community or station.
Result = Literal["passed", "failed", "not_provided"]
RESULTS: Final[tuple[Result, ...]] = get_args(Result)

#: Background maps the HTML map can draw.
Basemap = Literal["none", "osm", "light", "tianditu", "amap"]
BASEMAPS: Final[tuple[Basemap, ...]] = get_args(Basemap)

#: Siting problems: maximal covering (MCLP), set covering (LSCP), p-median.
SitingProblem = Literal["mclp", "lscp", "p_median"]
SITING_PROBLEMS: Final[tuple[SitingProblem, ...]] = get_args(SitingProblem)

#: How slope changes walking time: not at all, or by Tobler's hiking function.
SlopeModel = Literal["none", "tobler"]
SLOPE_MODELS: Final[tuple[SlopeModel, ...]] = get_args(SlopeModel)

#: The facility categories of the built-in profiles, in the norms' order (5, 10, 15 minutes).
CATEGORIES: Final[tuple[str, ...]] = (
    "community_service_station",
    "kindergarten",
    "nursery",
    "elderly_day_care",
    "community_health_station",
    "cultural_activity_station",
    "outdoor_fitness",
    "supermarket",
    "primary_school",
    "fresh_market",
    "sports_ground",
    "middle_school",
    "community_health_center",
    "nursing_home",
    "cultural_center",
    "street_service_center",
)

#: The community service station (社区综合服务站): floor area per 100 households is its norm.
STATION: Final = "community_service_station"
#: The street / town service centre (街道(乡镇)党群服务中心), judged by its own tier.
STREET_CENTER: Final = "street_service_center"
#: Categories whose facilities are stations with a tier and a minimum size.
STATION_CATEGORIES: Final[tuple[str, str]] = (STATION, STREET_CENTER)

#: Lon/lat of every frame the map and report read.
WGS84: Final = "EPSG:4326"


def dist_column(category: str) -> str:
    """``dist_m_<category>``: walking distance (m) to the nearest facility of a category.

    >>> dist_column("kindergarten")
    'dist_m_kindergarten'
    """
    return f"dist_m_{category}"


def coverage_column(category: str, level: str) -> str:
    """``cov_<category>_<level>``: share (0–1) of a community's people within a level's reach.

    >>> coverage_column("kindergarten", "5min")
    'cov_kindergarten_5min'
    """
    return f"cov_{category}_{level}"


def time_column(category: str) -> str:
    """``time_min_<category>``: walking time (minutes) to the nearest facility of a category, at
    the pace of the group it serves, slope and steps included.

    >>> time_column("elderly_day_care")
    'time_min_elderly_day_care'
    """
    return f"time_min_{category}"


def minutes_level(minutes: float) -> str:
    """A walking-time level's name: ``5min`` for 5 minutes, ``7.5min`` for 7.5.

    >>> minutes_level(10.0), minutes_level(7.5)
    ('10min', '7.5min')
    """
    return f"{minutes:g}min"


def time_coverage_column(category: str, minutes: float) -> str:
    """``tcov_<category>_<minutes>min``: share (0–1) of a community's people of the group a
    category serves who walk to it within that many minutes.

    >>> time_coverage_column("kindergarten", 5)
    'tcov_kindergarten_5min'
    """
    return f"tcov_{category}_{minutes_level(minutes)}"


#: The population group a category serves when its profile names none: every resident.
EVERYONE: Final = "everyone"

#: Prefixes of the per-category columns, for readers that recognise them by name.
DIST_PREFIX: Final = "dist_m_"
COVERAGE_PREFIX: Final = "cov_"
TIME_PREFIX: Final = "time_min_"
TIME_COVERAGE_PREFIX: Final = "tcov_"
